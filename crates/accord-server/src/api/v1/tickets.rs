//! `/api/v1/tickets...` (SPEC §4, §5, §10): list, open, read with clocks
//! and timeline, append events, list at risk. Every store call runs as the
//! caller's tenant, so another client's ticket is simply not found.

use accord_core::clock::{TicketEvent, TicketStatus};
use accord_store::{ClientId, NewTicket, Tenant, TicketFilter, TicketId};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};

use super::dto::{AppendedDto, AtRiskDto, EventBatch, TicketDetail, TicketDto, TicketPage};
use crate::app::{self, AppError};
use crate::error::{ApiError, ApiResult, Place, Problem};
use crate::extract::{Caller, JsonBody, OptionalJson, QueryParams};
use crate::state::AppState;

/// The most tickets one page may hold.
const MAX_LIMIT: u32 = 200;

/// Filters and cursor of the ticket list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only this client's tickets (client id).
    client: Option<String>,
    /// Only tickets of this priority.
    priority: Option<String>,
    /// Only tickets in this status: `open`, `resolved` or `closed`.
    status: Option<String>,
    /// Only open tickets with at most this many business minutes left on
    /// their most pressed live clock (as last computed).
    #[param(format = Int64, minimum = 0.0, maximum = 4294967295.0)]
    at_risk_within: Option<u32>,
    /// Only tickets with this key, e.g. `T-12` (keys are unique across the
    /// installation; a database from before that may list several).
    key: Option<String>,
    /// The `next_cursor` of the previous page.
    after: Option<String>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
}

/// A page size: a number that is not one is unreadable (400); one out of
/// range is refused (422).
fn limit(limit: Option<u32>, default: u32) -> ApiResult<u32> {
    match limit.unwrap_or(default) {
        n @ 1..=MAX_LIMIT => Ok(n),
        n => Err(ApiError::Unprocessable {
            detail: format!("`{n}` is out of range: use 1 to {MAX_LIMIT}"),
            place: Place::field("limit"),
        }),
    }
}

/// List the tickets the caller may see, in creation order.
#[utoipa::path(get, path = "/api/v1/tickets", tag = "tickets", params(ListQuery),
    security(("bearer" = [])),
    responses((status = 200, body = TicketPage), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 422, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(q): QueryParams<ListQuery>,
) -> ApiResult<Json<TicketPage>> {
    let filter = TicketFilter {
        client: q
            .client
            .map(|c| ClientId::parse(&c).map_err(|e| ApiError::bad_field("client", e.to_string())))
            .transpose()?,
        status: q
            .status
            .map(|s| match s.as_str() {
                "open" => Ok(TicketStatus::Open),
                "resolved" => Ok(TicketStatus::Resolved),
                "closed" => Ok(TicketStatus::Closed),
                other => Err(ApiError::bad_field(
                    "status",
                    format!("`{other}` is not a status: use open, resolved or closed"),
                )),
            })
            .transpose()?,
        priority: q.priority,
        at_risk_within_secs: q.at_risk_within.map(|m| i64::from(m) * 60),
        key: q.key,
    };
    let after = q
        .after
        .map(|a| TicketId::parse(&a).map_err(|e| ApiError::bad_field("after", e.to_string())))
        .transpose()?;
    let limit = limit(q.limit, 50)?;
    let mut tickets = state
        .store
        .tickets()
        .list(&caller.tenant, &filter, after.as_ref(), limit + 1)
        .await?;
    let more = tickets.len() > limit as usize;
    tickets.truncate(limit as usize);
    let next_cursor = more
        .then(|| tickets.last().map(|t| t.id.to_string()))
        .flatten();
    Ok(Json(TicketPage {
        items: tickets.into_iter().map(Into::into).collect(),
        next_cursor,
    }))
}

/// A ticket to open.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenTicket {
    /// The client's id.
    client: String,
    /// The contract it falls under (its `id`).
    contract_id: String,
    /// The ticket's key, e.g. `T-1`: one no ticket of any client has.
    key: String,
    /// A priority of the contract.
    priority: String,
    /// When it was opened: RFC 3339 with any offset.
    at: String,
    /// Idempotency key of the `opened` event.
    #[serde(default)]
    id: Option<String>,
    /// Who opened it.
    #[serde(default)]
    by: Option<String>,
    /// Free text.
    #[serde(default)]
    note: Option<String>,
}

/// Open a ticket: records its `opened` event and computes its clocks.
#[utoipa::path(post, path = "/api/v1/tickets", tag = "tickets", request_body = OpenTicket,
    security(("bearer" = [])),
    responses((status = 201, body = TicketDto), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 413, body = Problem),
        (status = 422, body = Problem)))]
pub async fn open(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody<OpenTicket>,
) -> ApiResult<Response> {
    let client =
        ClientId::parse(&body.client).map_err(|e| ApiError::bad_field("client", e.to_string()))?;
    let mut fields = Map::new();
    fields.insert("kind".into(), "opened".into());
    fields.insert("priority".into(), body.priority.into());
    fields.insert("at".into(), body.at.into());
    for (name, value) in [("id", body.id), ("by", body.by), ("note", body.note)] {
        if let Some(v) = value {
            fields.insert(name.into(), v.into());
        }
    }
    let opened = event_from_object(fields, &body.key, None)?;
    let new = NewTicket {
        client,
        contract_id: body.contract_id,
        opened,
    };
    let ticket = app::tickets::open(&state, caller.author(), new)
        .await
        .map_err(|e| match e {
            AppError::Store(accord_store::Error::NotFound) => {
                ApiError::NotFound("no such client, or no such contract for this client".into())
            }
            AppError::Store(accord_store::Error::Conflict(what)) => ApiError::ConflictAt {
                detail: format!("{what} already exists: ticket keys are unique across clients"),
                place: Place::field("key"),
            },
            other => other.into(),
        })?;
    let location = format!("/api/v1/tickets/{}", ticket.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(TicketDto::from(ticket)),
    )
        .into_response())
}

fn parse_ticket_id(id: &str) -> ApiResult<TicketId> {
    TicketId::parse(id).map_err(|_| ApiError::NotFound(format!("there is no ticket `{id}`")))
}

fn no_ticket(id: &TicketId) -> ApiError {
    ApiError::NotFound(format!("there is no ticket `{id}`"))
}

/// A ticket with its clocks and full timeline.
#[utoipa::path(get, path = "/api/v1/tickets/{id}", tag = "tickets",
    params(("id" = String, Path, description = "The ticket's id")),
    security(("bearer" = [])),
    responses((status = 200, body = TicketDetail), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<TicketDetail>> {
    let id = parse_ticket_id(&id)?;
    detail(&state, &caller.tenant, &id).await
}

/// A ticket with its clocks as of now, the same evaluation the web's ticket
/// page shows.
async fn detail(state: &AppState, tenant: &Tenant, id: &TicketId) -> ApiResult<Json<TicketDetail>> {
    let live = app::tickets::live_ticket(state, tenant, id, state.time.now())
        .await?
        .ok_or_else(|| no_ticket(id))?;
    Ok(Json(live.into()))
}

/// Builds a core event from a JSON object without `ticket`, through the
/// core's strict parser; `index` is the position in a batch.
fn event_from_object(
    mut fields: Map<String, Value>,
    key: &str,
    index: Option<usize>,
) -> ApiResult<TicketEvent> {
    let prefix = index.map(|i| format!("[{i}].")).unwrap_or_default();
    if fields.contains_key("ticket") {
        return Err(ApiError::bad_field(
            format!("{prefix}ticket"),
            "not allowed: the URL names the ticket",
        ));
    }
    fields.insert("ticket".into(), key.into());
    let line = Value::Object(fields).to_string();
    TicketEvent::from_json_line(&line).map_err(|e| ApiError::BadRequest {
        detail: e.message,
        place: Place {
            field: e.field.map(|f| format!("{prefix}{f}")),
            line_column: None,
        },
    })
}

/// Append events (SPEC §10 format without `ticket`), idempotent by `id`.
/// A batch is all-or-nothing.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/events", tag = "tickets", request_body = EventBatch,
    params(("id" = String, Path, description = "The ticket's id")),
    security(("bearer" = [])),
    responses((status = 201, body = AppendedDto), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 413, body = Problem),
        (status = 422, body = Problem)))]
pub async fn append(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<(StatusCode, Json<AppendedDto>)> {
    let id = parse_ticket_id(&id)?;
    let ticket = state
        .store
        .tickets()
        .get(&caller.tenant, &id)
        .await?
        .ok_or_else(|| no_ticket(&id))?;
    let objects = super::dto::batch_objects(body)?;
    let events = objects
        .into_iter()
        .map(|(i, o)| event_from_object(o, &ticket.key, i))
        .collect::<ApiResult<Vec<_>>>()?;
    let done = app::tickets::append(&state, caller.author(), &id, events)
        .await
        .map_err(|e| match e {
            AppError::Store(accord_store::Error::NotFound) => no_ticket(&id),
            other => other.into(),
        })?;
    Ok((
        StatusCode::CREATED,
        Json(AppendedDto {
            inserted: done.inserted,
            duplicates: done.duplicates,
        }),
    ))
}

/// Parameters of the at-risk list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AtRiskQuery {
    /// Business minutes left at most (default 60).
    #[param(format = Int64, minimum = 0.0, maximum = 4294967295.0)]
    within_minutes: Option<u32>,
    /// At most this many, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
}

/// Open tickets with little time left on a live clock, least first.
#[utoipa::path(get, path = "/api/v1/tickets/at-risk", tag = "tickets", params(AtRiskQuery),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<AtRiskDto>), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 422, body = Problem)))]
pub async fn at_risk(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(q): QueryParams<AtRiskQuery>,
) -> ApiResult<Json<Vec<AtRiskDto>>> {
    let within = i64::from(q.within_minutes.unwrap_or(60)) * 60;
    let limit = limit(q.limit, 50)?;
    let list = state
        .store
        .tickets()
        .at_risk(&caller.tenant, within, limit)
        .await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

// ---- pause and resume (SPEC §5) ----

/// A pause of a ticket's clocks while the provider waits on the client.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PauseBody {
    /// One of the contract's pause reasons, e.g. `approval`.
    reason: String,
    /// Who the provider waits on, e.g. a contact such as `client.approver`.
    waiting_on: String,
    /// When the pause starts: RFC 3339 with any offset; now when absent.
    #[serde(default)]
    at: Option<String>,
    /// Evidence, e.g. the message that asked the client.
    #[serde(default)]
    note: Option<String>,
    /// Idempotency key of the `paused` event.
    #[serde(default)]
    id: Option<String>,
    /// Who paused; the caller's e-mail when absent.
    #[serde(default)]
    by: Option<String>,
}

/// A resumption of a ticket's paused clocks.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResumeBody {
    /// When the clocks resume: RFC 3339 with any offset; now when absent.
    #[serde(default)]
    at: Option<String>,
    /// Free text, e.g. what the client delivered.
    #[serde(default)]
    note: Option<String>,
    /// Idempotency key of the `resumed` event.
    #[serde(default)]
    id: Option<String>,
    /// Who resumed; the caller's e-mail when absent.
    #[serde(default)]
    by: Option<String>,
}

/// Appends one event built from `fields` (the SPEC §10 members without
/// `ticket`) and answers the ticket as it now stands. `at` defaults to now
/// and `by` to the caller.
async fn append_one(
    state: &AppState,
    caller: &Caller,
    id: &str,
    mut fields: Map<String, Value>,
) -> ApiResult<Json<TicketDetail>> {
    let id = parse_ticket_id(id)?;
    let ticket = state
        .store
        .tickets()
        .get(&caller.tenant, &id)
        .await?
        .ok_or_else(|| no_ticket(&id))?;
    let now = state.time.now();
    fields.retain(|_, v| !v.is_null());
    fields
        .entry("at")
        .or_insert_with(|| super::dto::instant(now).into());
    fields
        .entry("by")
        .or_insert_with(|| caller.user.email.clone().into());
    let event = event_from_object(fields, &ticket.key, None)?;
    app::tickets::append(state, caller.author(), &id, vec![event])
        .await
        .map_err(|e| match e {
            AppError::Store(accord_store::Error::NotFound) => no_ticket(&id),
            AppError::Store(accord_store::Error::Events(
                e @ accord_core::clock::ClockError::PauseReasonNotAllowed { .. },
            )) => ApiError::Unprocessable {
                detail: e.to_string(),
                place: Place::field("reason"),
            },
            other => other.into(),
        })?;
    detail(state, &caller.tenant, &id).await
}

/// Pause the ticket's live clocks (a `paused` event), with the reason and
/// who the provider waits on. Staff only.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/pause", tag = "tickets", request_body = PauseBody,
    params(("id" = String, Path, description = "The ticket's id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The ticket with its clocks after the pause", body = TicketDetail),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 413, body = Problem),
        (status = 422, body = Problem)))]
pub async fn pause(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<PauseBody>,
) -> ApiResult<Json<TicketDetail>> {
    caller.require_staff("pause a ticket's clocks")?;
    let mut fields = Map::new();
    fields.insert("kind".into(), "paused".into());
    fields.insert("reason".into(), body.reason.into());
    fields.insert("waiting_on".into(), body.waiting_on.into());
    for (name, value) in [
        ("at", body.at),
        ("note", body.note),
        ("id", body.id),
        ("by", body.by),
    ] {
        fields.insert(name.into(), value.into());
    }
    append_one(&state, &caller, &id, fields).await
}

/// Resume the ticket's paused clocks (a `resumed` event). Staff only. The
/// body may be empty.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/resume", tag = "tickets", request_body = ResumeBody,
    params(("id" = String, Path, description = "The ticket's id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The ticket with its clocks after resuming", body = TicketDetail),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 413, body = Problem),
        (status = 422, body = Problem)))]
pub async fn resume(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: OptionalJson<ResumeBody>,
) -> ApiResult<Json<TicketDetail>> {
    caller.require_staff("resume a ticket's clocks")?;
    let body = body.0.unwrap_or_default();
    let mut fields = Map::new();
    fields.insert("kind".into(), "resumed".into());
    for (name, value) in [
        ("at", body.at),
        ("note", body.note),
        ("id", body.id),
        ("by", body.by),
    ] {
        fields.insert(name.into(), value.into());
    }
    append_one(&state, &caller, &id, fields).await
}
