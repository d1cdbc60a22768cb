//! Accord's service (SPEC §1, §4, §7, §9, §10): the JSON API under
//! `/api/v1` and the web application over one application layer, the
//! scheduler and delivery workers, operations endpoints, and the one
//! [`launch`] function that tests, the CLI and production all call.
//!
//! Layout: `app/` holds the use cases both front ends share (clocks as of
//! now, writes with their side work, the parsed-contract cache);
//! `api/v1/*.rs` and `web/*.rs` mirror the URLs and only parse, authorise,
//! call the application layer or the store and render; `extract.rs` turns
//! requests into typed values or problems; `error.rs` is the one HTTP error
//! type; `ops.rs` serves `/healthz`, `/readyz` and `/metrics`;
//! `documents.rs` renders stored documents to PDF through the engine the
//! binary installs; `settings.rs` is the typed configuration; `notify/` runs the scheduler
//! that claims due work and the worker that delivers the outbox; `time.rs`
//! says what "now" is.

pub mod api;
pub mod app;
pub mod documents;
pub mod error;
pub mod extract;
pub mod metrics;
pub mod notify;
pub mod ops;
pub mod settings;
pub mod state;
pub mod time;
pub mod web;

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use accord_store::Store;
use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::HeaderValue;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::net::TcpListener;
use tracing::Instrument;

pub use error::{ApiError, Problem};
pub use settings::{DatabaseUrl, LogFormat, Overrides, Settings, SettingsError};
pub use time::{ManualTime, TimeSource};

use crate::error::REQUEST_ID;
use crate::state::AppState;

/// The largest request body accepted, in bytes (1 MiB).
pub const BODY_LIMIT: usize = 1 << 20;

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The database could not be opened or migrated.
    #[error("cannot open the database {url}: {source}")]
    Store {
        /// The URL, password redacted.
        url: String,
        /// Why.
        source: Box<accord_store::Error>,
    },
    /// The OpenAPI document could not be serialised.
    #[error("cannot build the OpenAPI document: {0}")]
    OpenApi(String),
    /// Serving failed.
    #[error("the server failed: {0}")]
    Io(#[from] std::io::Error),
    /// The notification settings cannot be used (an SMTP sender that is
    /// not an address, ...).
    #[error("notifications: {0}")]
    Notifications(String),
}

/// Opens (and migrates) the database in `settings`, then serves the API on
/// `listener` until `shutdown` completes; in-flight requests are finished
/// before it returns. The scheduler and delivery workers run meanwhile.
pub async fn launch(
    settings: Settings,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    launch_with_time(settings, listener, shutdown, TimeSource::system()).await
}

/// [`launch`] reading `time` for "now" (tests drive a [`ManualTime`]).
pub async fn launch_with_time(
    settings: Settings,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
    time: TimeSource,
) -> Result<(), ServerError> {
    let url = settings.database_url();
    let store = Store::open(url.expose())
        .await
        .map_err(|source| ServerError::Store {
            url: url.redacted(),
            source: Box::new(source),
        })?;
    let web = web::WebOptions {
        secure_cookies: settings.secure_cookies,
    };
    let state = AppState::new(store.clone(), time, web)?;
    let workers = notify::Workers::start(&state, &settings)?;
    let app = app(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, database = %url, backend = store.backend_name(), "serving");
    }
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await;
    workers.stop().await;
    served?;
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// The OpenAPI 3.1 document of API v1, as served at `/api/v1/openapi.json`.
pub fn openapi_json() -> Result<String, ServerError> {
    let (_, mut doc) = api::v1::router().split_for_parts();
    api::v1::errors_as_problems(&mut doc);
    doc.to_pretty_json()
        .map_err(|e| ServerError::OpenApi(e.to_string()))
}

/// The whole application over `store`, with the web pages' defaults.
pub fn router(store: Store) -> Result<Router, ServerError> {
    router_with(store, web::WebOptions::default())
}

/// The whole application over `store`: the JSON API, the web pages run
/// with `web`, and the operations endpoints.
pub fn router_with(store: Store, web: web::WebOptions) -> Result<Router, ServerError> {
    Ok(app(AppState::new(store, TimeSource::system(), web)?))
}

/// The whole application over `state`.
fn app(state: AppState) -> Router {
    let (v1, _) = api::v1::router().split_for_parts();
    Router::new()
        .merge(web::router())
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .route("/api/v1/openapi.json", get(openapi))
        .merge(v1)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}

async fn openapi(State(state): State<AppState>) -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        state.openapi.as_str().to_owned(),
    )
        .into_response()
}

async fn not_found() -> ApiError {
    ApiError::NotFound("no such endpoint".into())
}

/// A known path asked for with another method: a problem for the API, an
/// HTML page for the web (never an empty 405).
async fn method_not_allowed(method: axum::http::Method, uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        ApiError::MethodNotAllowed(format!(
            "{} {} is not an operation of this API",
            method,
            uri.path()
        ))
        .into_response()
    } else {
        web::page::PageError::MethodNotAllowed(method.to_string()).into_response()
    }
}

static REQUESTS: AtomicU64 = AtomicU64::new(0);

/// Gives each request an id (span field, `x-request-id` header, problem
/// documents), logs it and records its metrics.
async fn observe(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let n = REQUESTS.fetch_add(1, Ordering::Relaxed);
    let id = format!("{:x}-{n}", std::process::id());
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let method = req.method().as_str().to_string();

    let span = tracing::info_span!("request", request_id = %id, %method, %route);
    let started = Instant::now();
    // A NUL character in the URL is refused before any handler reads it.
    let refused = extract::nul_in_url(req.uri());
    let handle = async move {
        match refused {
            Some(problem) => problem.into_response(),
            None => next.run(req).await,
        }
    };
    let mut response = REQUEST_ID
        .scope(id.clone(), handle)
        .instrument(span.clone())
        .await;
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    state
        .metrics
        .observe_request(&method, &route, status, elapsed);
    span.in_scope(|| {
        tracing::info!(
            status,
            latency_us = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX),
            "served"
        );
    });
    if let Ok(v) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", v);
    }
    response
}
