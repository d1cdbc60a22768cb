//! `/api/v1/contracts/{id}/statements` and `/api/v1/statements/{id}...`
//! (SPEC §7, §10): a contract's compliance statements — drafts computed by
//! the core's fold, at each reporting month's end or on demand, and issued
//! snapshots whose frozen JSON, HTML and PDF are served byte for byte with
//! the JSON's SHA-256 as their ETag. Staff see drafts; a client user sees
//! its own issued statements; only admins compute and issue.

use accord_store::{StatementFormat, StatementId, StatementRecord};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::app::AppError;
use crate::app::statements::{self as app, Actor};
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{Caller, QueryParams};
use crate::state::AppState;

/// A compliance statement of one contract and month.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatementDto {
    /// Its id.
    pub id: String,
    /// The contract's id.
    pub contract: String,
    /// The month, `YYYY-MM`.
    pub period: String,
    /// The contract version the figures were computed with.
    pub version: u32,
    /// `draft` (recomputed on demand) or `issued` (frozen).
    pub status: String,
    /// The instant the figures hold as of (RFC 3339, UTC): the month's end,
    /// or when a draft of a month in progress was computed.
    pub as_of: String,
    /// When the figures were computed.
    pub computed_at: String,
    /// For an issued statement: the SHA-256 (hex) of its JSON snapshot, as
    /// printed on its HTML and PDF.
    pub sha256: Option<String>,
    /// Who issued it.
    pub issued_by: Option<String>,
    /// When.
    pub issued_at: Option<String>,
    /// The figures: the SPEC §10 statement JSON `accord report --format
    /// json` prints (objectives, breaches, paused time, credits, ...).
    #[schema(value_type = Object)]
    pub statement: serde_json::Value,
}

impl StatementDto {
    fn of(r: StatementRecord) -> ApiResult<StatementDto> {
        let statement = serde_json::from_str(&r.json)
            .map_err(|e| ApiError::Internal(format!("stored statement {}: {e}", r.id.as_str())))?;
        let at = accord_core::instant::format;
        Ok(StatementDto {
            id: r.id.as_str().to_string(),
            contract: r.contract_id,
            period: r.period,
            version: r.version,
            status: r.status.as_str().to_string(),
            as_of: at(r.as_of),
            computed_at: at(r.computed_at),
            sha256: r.sha256,
            issued_by: r.issued_by,
            issued_at: r.issued_at.map(at),
            statement,
        })
    }
}

fn actor(caller: &Caller) -> Actor<'_> {
    Actor {
        tenant: &caller.tenant,
        role: caller.user.role,
        email: &caller.user.email,
    }
}

fn statement_id(id: &str) -> ApiResult<StatementId> {
    StatementId::parse(id).map_err(|_| no_statement(id))
}

fn no_statement(id: &str) -> ApiError {
    ApiError::NotFound(format!("there is no statement `{id}`"))
}

fn not_found_as(what: String) -> impl Fn(AppError) -> ApiError {
    move |e| match e {
        AppError::NotFound | AppError::Store(accord_store::Error::NotFound) => {
            ApiError::NotFound(what.clone())
        }
        other => other.into(),
    }
}

/// A contract's statements, latest month first (a client user: issued ones only).
#[utoipa::path(get, path = "/api/v1/contracts/{id}/statements", tag = "statements",
    params(("id" = String, Path, description = "The contract's `id`")),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<StatementDto>), (status = 401, body = Problem),
        (status = 404, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<StatementDto>>> {
    let all = app::list(&state, actor(&caller), &id)
        .await
        .map_err(not_found_as(format!("no contract `{id}`")))?;
    Ok(Json(
        all.into_iter()
            .map(StatementDto::of)
            .collect::<ApiResult<_>>()?,
    ))
}

/// Which month to compute.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ComputeQuery {
    /// The month, `YYYY-MM`.
    period: String,
}

/// Computes (or recomputes) the draft statement of a month as of now
/// (admins). A month in progress counts what is decided by now; an issued
/// statement is answered unchanged.
#[utoipa::path(post, path = "/api/v1/contracts/{id}/statements", tag = "statements",
    params(("id" = String, Path, description = "The contract's `id`"), ComputeQuery),
    security(("bearer" = [])),
    responses((status = 200, body = StatementDto), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn compute(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    QueryParams(q): QueryParams<ComputeQuery>,
) -> ApiResult<Json<StatementDto>> {
    let period = app::parse_period(&q.period)?;
    let r = app::compute(&state, actor(&caller), &id, period)
        .await
        .map_err(not_found_as(format!("no contract `{id}`")))?;
    Ok(Json(StatementDto::of(r)?))
}

/// One statement (a client user: its own issued ones only).
#[utoipa::path(get, path = "/api/v1/statements/{id}", tag = "statements",
    params(("id" = String, Path, description = "The statement's id")),
    security(("bearer" = [])),
    responses((status = 200, body = StatementDto), (status = 401, body = Problem),
        (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<StatementDto>> {
    let sid = statement_id(&id)?;
    let r = app::get(&state, actor(&caller), &sid)
        .await
        .map_err(not_found_as(format!("there is no statement `{id}`")))?;
    Ok(Json(StatementDto::of(r)?))
}

/// Issues a draft statement whose month has ended (admins): the figures
/// as of the month's end are frozen as JSON, HTML and PDF, each carrying
/// the JSON's SHA-256, and `statement.issued` goes to the client's contacts
/// and webhooks. An issued statement never changes (409).
#[utoipa::path(post, path = "/api/v1/statements/{id}/issue", tag = "statements",
    params(("id" = String, Path, description = "The statement's id")),
    security(("bearer" = [])),
    responses((status = 200, body = StatementDto), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn issue(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<StatementDto>> {
    let sid = statement_id(&id)?;
    let r = app::issue(&state, actor(&caller), &sid)
        .await
        .map_err(not_found_as(format!("there is no statement `{id}`")))?;
    Ok(Json(StatementDto::of(r)?))
}

/// The frozen bytes of an issued statement, with its hash as a strong ETag
/// (`If-None-Match` answers 304).
async fn frozen(
    state: &AppState,
    caller: &Caller,
    headers: &HeaderMap,
    id: &str,
    format: StatementFormat,
) -> ApiResult<Response> {
    let sid = statement_id(id)?;
    let (sha, bytes) = app::document(state, actor(caller), &sid, format)
        .await
        .map_err(not_found_as(format!("there is no issued statement `{id}`")))?;
    let (content_type, ext) = match format {
        StatementFormat::Json => ("application/json", "json"),
        StatementFormat::Html => ("text/html; charset=utf-8", "html"),
        StatementFormat::Pdf => ("application/pdf", "pdf"),
    };
    let etag = format!("\"{sha}\"");
    let cache = "private, max-age=0, must-revalidate";
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    if matches {
        return Ok((
            StatusCode::NOT_MODIFIED,
            [
                (header::ETAG, etag),
                (header::CACHE_CONTROL, cache.to_string()),
            ],
        )
            .into_response());
    }
    let disposition = format!("inline; filename=\"statement-{id}.{ext}\"");
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::ETAG, etag),
            (header::CACHE_CONTROL, cache.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

/// An issued statement's frozen JSON snapshot.
#[utoipa::path(get, path = "/api/v1/statements/{id}/document.json", tag = "statements",
    params(("id" = String, Path, description = "The statement's id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The JSON snapshot; ETag: its SHA-256",
            content((Object = "application/json"))),
        (status = 304, description = "Unchanged (If-None-Match)"),
        (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn document_json(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    frozen(&state, &caller, &headers, &id, StatementFormat::Json).await
}

/// An issued statement's frozen HTML page.
#[utoipa::path(get, path = "/api/v1/statements/{id}/document.html", tag = "statements",
    params(("id" = String, Path, description = "The statement's id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The HTML page; ETag: the JSON's SHA-256",
            content((String = "text/html"))),
        (status = 304, description = "Unchanged (If-None-Match)"),
        (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn document_html(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    frozen(&state, &caller, &headers, &id, StatementFormat::Html).await
}

/// An issued statement's frozen PDF.
#[utoipa::path(get, path = "/api/v1/statements/{id}/document.pdf", tag = "statements",
    params(("id" = String, Path, description = "The statement's id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The PDF; ETag: the JSON's SHA-256",
            content((Vec<u8> = "application/pdf"))),
        (status = 304, description = "Unchanged (If-None-Match)"),
        (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn document_pdf(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    frozen(&state, &caller, &headers, &id, StatementFormat::Pdf).await
}
