//! Operations endpoints: `/healthz` (the process is
//! up), `/readyz` (the database answers) and `/metrics` (Prometheus text).

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::error::ApiResult;
use crate::state::AppState;

/// The process is up.
pub async fn healthz() -> &'static str {
    "ok\n"
}

/// The database answers: 200, or 503 as a problem document.
pub async fn readyz(State(state): State<AppState>) -> ApiResult<&'static str> {
    state.store.ping().await?;
    Ok("ready\n")
}

/// Prometheus text exposition.
pub async fn metrics(State(state): State<AppState>) -> ApiResult<Response> {
    let clocks = state.store.tickets().clock_counts().await?;
    let mut response = state.metrics.render(&clocks).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    Ok(response)
}
