//! `/api/v1/contracts/{id}/milestones...` (SPEC §6, §10): a contract's
//! milestones as of now (the same JSON as `accord milestones`), and their
//! event log — events posted idempotently, and a pause or resume of every
//! milestone at once (what an overdue invoice calls, `pending_payment`).
//! Reads are for anyone who may see the contract; writes are staff's.

use accord_core::instant;
use accord_core::milestone::{Cause, MilestoneEvent, MilestoneOutcome};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::app::{self, AppError};
use crate::error::{ApiError, ApiResult, Place, Problem};
use crate::extract::{Caller, JsonBody, OptionalJson};
use crate::state::AppState;

/// One milestone as of an instant: its baseline and adjusted due dates
/// (`YYYY-MM-DD`), state, deliverables, pauses and delay ledger. The JSON
/// `accord milestones --format json` prints too.
#[derive(Debug, Serialize, ToSchema)]
pub struct MilestoneDto {
    /// Its id in the contract.
    pub milestone: String,
    /// Its name.
    pub name: String,
    /// The calendar whose business days it moves by.
    pub calendar: String,
    /// The date agreed.
    pub baseline_due: String,
    /// The baseline moved by the client's delay and by shifts.
    pub adjusted_due: String,
    /// Business days of client delay (late deliverables and pauses, counted once).
    pub client_delay_days: i64,
    /// Business days of manual shifts (negative: brought forward).
    pub shift_days: i64,
    /// `met`, `missed`, `overdue`, `waiting_on_client` or `on_track`.
    pub state: String,
    /// The day it was completed.
    pub completed: Option<String>,
    /// The day the client accepted it.
    pub accepted: Option<String>,
    /// The day of the evaluation, in the milestone's calendar.
    pub today: String,
    /// What the client owes.
    pub deliverables: Vec<DeliverableDto>,
    /// Its pauses.
    pub pauses: Vec<PauseDto>,
    /// Every change of the adjusted date, with its cause.
    pub ledger: Vec<LedgerDto>,
    /// The next instant its outcome changes with no new event.
    pub next_change_at: Option<String>,
}

/// A deliverable the client owes.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliverableDto {
    /// Its id, else its 1-based position.
    pub name: String,
    /// What is owed.
    pub what: String,
    /// Who owes it, a contact such as `client.data_owner`.
    pub owner: String,
    /// When it is due.
    pub due: String,
    /// When it was received.
    pub received: Option<String>,
    /// Business days late so far.
    pub days_late: i64,
    /// Whether it is past due and not received.
    pub overdue: bool,
    /// The pause reason its delay counts as.
    pub reason: String,
}

/// A pause of a milestone.
#[derive(Debug, Serialize, ToSchema)]
pub struct PauseDto {
    /// Why.
    pub reason: String,
    /// First day.
    pub from: String,
    /// Day it ended; absent while it lasts.
    pub to: Option<String>,
    /// Business days it cost.
    pub days: i64,
    /// Who paused.
    pub by: Option<String>,
    /// Evidence.
    pub note: Option<String>,
}

/// One change of a milestone's adjusted date.
#[derive(Debug, Serialize, ToSchema)]
pub struct LedgerDto {
    /// First day the change covers.
    pub on: String,
    /// Last day it covers.
    pub through: String,
    /// `deliverable`, `pause` or `shift`.
    pub cause: String,
    /// The late deliverable, for `deliverable`.
    pub deliverable: Option<String>,
    /// The reason.
    pub reason: String,
    /// Business days moved.
    pub days: i64,
    /// The adjusted date before.
    pub from: String,
    /// The adjusted date after.
    pub to: String,
    /// Who.
    pub by: Option<String>,
    /// Evidence.
    pub note: Option<String>,
}

impl From<&MilestoneOutcome> for MilestoneDto {
    fn from(m: &MilestoneOutcome) -> Self {
        let day = |d: jiff::civil::Date| d.to_string();
        MilestoneDto {
            milestone: m.milestone.clone(),
            name: m.name.clone(),
            calendar: m.calendar.clone(),
            baseline_due: day(m.baseline_due),
            adjusted_due: day(m.adjusted_due),
            client_delay_days: m.client_delay_days,
            shift_days: m.shift_days,
            state: m.state.as_str().to_string(),
            completed: m.completed.map(day),
            accepted: m.accepted.map(day),
            today: day(m.today),
            deliverables: m
                .deliverables
                .iter()
                .map(|d| DeliverableDto {
                    name: d.name.clone(),
                    what: d.what.clone(),
                    owner: d.owner.to_string(),
                    due: day(d.due),
                    received: d.received.map(day),
                    days_late: d.days_late,
                    overdue: d.overdue,
                    reason: d.reason.clone(),
                })
                .collect(),
            pauses: m
                .pauses
                .iter()
                .map(|p| PauseDto {
                    reason: p.reason.clone(),
                    from: day(p.from),
                    to: p.to.map(day),
                    days: p.days,
                    by: p.by.clone(),
                    note: p.note.clone(),
                })
                .collect(),
            ledger: m
                .ledger
                .iter()
                .map(|e| LedgerDto {
                    on: day(e.on),
                    through: day(e.through),
                    cause: e.cause.kind().to_string(),
                    deliverable: match &e.cause {
                        Cause::Deliverable { name, .. } => Some(name.clone()),
                        _ => None,
                    },
                    reason: e.cause.reason().to_string(),
                    days: e.days,
                    from: day(e.from),
                    to: day(e.to),
                    by: e.by.clone(),
                    note: e.note.clone(),
                })
                .collect(),
            next_change_at: m.next_change_at.map(instant::format),
        }
    }
}

/// What a write did.
#[derive(Debug, Serialize, ToSchema)]
pub struct MilestonesAppendedDto {
    /// Events stored.
    pub inserted: usize,
    /// Events already stored (same id and content), ignored.
    pub duplicates: usize,
}

impl From<accord_store::MilestonesAppended> for MilestonesAppendedDto {
    fn from(d: accord_store::MilestonesAppended) -> Self {
        MilestonesAppendedDto {
            inserted: d.appended,
            duplicates: d.duplicates,
        }
    }
}

/// A milestone event in the SPEC §10 format, e.g.
/// `{"milestone": "pipeline-live", "kind": "deliverable_received",
/// "deliverable": "1", "at": "2026-02-18T10:00:00+01:00"}`.
#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code, reason = "documents the body; the core parses it")]
pub struct MilestoneEventDto {
    /// The milestone's id in the contract.
    milestone: String,
    /// `deliverable_received`, `shifted`, `paused`, `resumed`, `completed` or `accepted`.
    kind: String,
    /// RFC 3339 with an offset.
    at: String,
    /// For `deliverable_received`: its id, else its 1-based position.
    deliverable: Option<String>,
    /// For `shifted`: business days, negative to bring forward.
    days: Option<i64>,
    /// For `paused` (a contract pause reason) and `shifted` (why, as agreed).
    reason: Option<String>,
    /// Idempotency key.
    id: Option<String>,
    /// Who.
    by: Option<String>,
    /// Evidence.
    note: Option<String>,
}

/// One milestone event or an array of them.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code, reason = "documents the body; the core parses it")]
pub enum MilestoneEventBatch {
    /// A single event.
    One(MilestoneEventDto),
    /// Several events.
    Many(Vec<MilestoneEventDto>),
}

/// A pause of every milestone of a contract.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PauseAllBody {
    /// One of the contract's pause reasons, e.g. `pending_payment`.
    reason: String,
    /// Evidence, e.g. the overdue invoice.
    #[serde(default)]
    note: Option<String>,
    /// When the pause starts: RFC 3339 with an offset; now when absent.
    #[serde(default)]
    at: Option<String>,
    /// Idempotency key; each milestone's event gets `ID:MILESTONE`.
    #[serde(default)]
    id: Option<String>,
}

/// A resumption of every milestone of a contract.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResumeAllBody {
    /// Evidence, e.g. the payment.
    #[serde(default)]
    note: Option<String>,
    /// When the pauses end: RFC 3339 with an offset; now when absent.
    #[serde(default)]
    at: Option<String>,
    /// Idempotency key; each milestone's event gets `ID:MILESTONE`.
    #[serde(default)]
    id: Option<String>,
}

fn no_contract(id: &str) -> ApiError {
    ApiError::NotFound(format!("no contract `{id}`"))
}

fn not_found_as(id: &str) -> impl Fn(AppError) -> ApiError + '_ {
    move |e| match e {
        AppError::NotFound | AppError::Store(accord_store::Error::NotFound) => no_contract(id),
        other => other.into(),
    }
}

/// The contract's milestones as of now, in the contract's order.
#[utoipa::path(get, path = "/api/v1/contracts/{id}/milestones", tag = "milestones",
    params(("id" = String, Path, description = "The contract's id")),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<MilestoneDto>), (status = 401, body = Problem),
        (status = 404, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<MilestoneDto>>> {
    let m = app::milestones::outcomes(&state, &caller.tenant, &id, state.time.now())
        .await
        .map_err(not_found_as(&id))?;
    Ok(Json(m.outcomes.iter().map(Into::into).collect()))
}

/// Append milestone events (SPEC §10), idempotent by `id` (else content).
/// A batch is all-or-nothing. Staff only.
#[utoipa::path(post, path = "/api/v1/contracts/{id}/milestones/events", tag = "milestones",
    request_body = MilestoneEventBatch,
    params(("id" = String, Path, description = "The contract's id")),
    security(("bearer" = [])),
    responses((status = 201, body = MilestonesAppendedDto), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn append(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<(StatusCode, Json<MilestonesAppendedDto>)> {
    caller.require_staff("record milestone events")?;
    let objects = super::dto::batch_objects(body)?;
    let batch = objects.first().is_some_and(|(i, _)| i.is_some());
    let events = objects
        .into_iter()
        .map(|(i, o)| event_from_object(o, i))
        .collect::<ApiResult<Vec<_>>>()?;
    let done = app::milestones::append(&state, caller.author(), &id, &events, batch)
        .await
        .map_err(not_found_as(&id))?;
    Ok((StatusCode::CREATED, Json(done.into())))
}

/// Reads one event through the core's strict parser; `index` is its
/// position in a batch.
fn event_from_object(
    fields: Map<String, Value>,
    index: Option<usize>,
) -> ApiResult<MilestoneEvent> {
    let prefix = index.map(|i| format!("[{i}].")).unwrap_or_default();
    MilestoneEvent::from_json_line(&Value::Object(fields).to_string()).map_err(|e| {
        ApiError::BadRequest {
            detail: e.message,
            place: Place {
                field: e.field.map(|f| format!("{prefix}{f}")),
                line_column: None,
            },
        }
    })
}

/// An optional RFC 3339 instant of a body.
fn optional_instant(at: Option<&str>) -> ApiResult<Option<jiff::Timestamp>> {
    at.map(|t| {
        accord_core::instant::parse(t.trim()).map_err(|e| {
            ApiError::bad_field(
                "at",
                format!("`{t}` is not an RFC 3339 instant with an offset, like 2026-03-02T08:00:00Z ({e})"),
            )
        })
    })
    .transpose()
}

/// Pause every milestone of the contract (a `paused` event each), e.g.
/// with `pending_payment` while an invoice is overdue. Staff only.
#[utoipa::path(post, path = "/api/v1/contracts/{id}/milestones/pause", tag = "milestones",
    request_body = PauseAllBody,
    params(("id" = String, Path, description = "The contract's id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The milestones after the pause", body = Vec<MilestoneDto>),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 413, body = Problem),
        (status = 422, body = Problem)))]
pub async fn pause(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<PauseAllBody>,
) -> ApiResult<Json<Vec<MilestoneDto>>> {
    let pause = app::milestones::PauseAll {
        reason: Some(body.reason),
        note: body.note,
        at: optional_instant(body.at.as_deref())?,
        id: body.id,
    };
    pause_all(&state, &caller, &id, pause).await
}

/// Resume every milestone of the contract (a `resumed` event each). Staff
/// only. The body may be empty.
#[utoipa::path(post, path = "/api/v1/contracts/{id}/milestones/resume", tag = "milestones",
    request_body = ResumeAllBody,
    params(("id" = String, Path, description = "The contract's id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The milestones after resuming", body = Vec<MilestoneDto>),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 413, body = Problem),
        (status = 422, body = Problem)))]
pub async fn resume(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: OptionalJson<ResumeAllBody>,
) -> ApiResult<Json<Vec<MilestoneDto>>> {
    let body = body.0.unwrap_or_default();
    let resume = app::milestones::PauseAll {
        reason: None,
        note: body.note,
        at: optional_instant(body.at.as_deref())?,
        id: body.id,
    };
    pause_all(&state, &caller, &id, resume).await
}

async fn pause_all(
    state: &AppState,
    caller: &Caller,
    id: &str,
    pause: app::milestones::PauseAll,
) -> ApiResult<Json<Vec<MilestoneDto>>> {
    caller.require_staff("pause or resume milestones")?;
    app::milestones::pause_all(state, caller.author(), id, pause)
        .await
        .map_err(not_found_as(id))?;
    let m = app::milestones::outcomes(state, &caller.tenant, id, state.time.now())
        .await
        .map_err(not_found_as(id))?;
    Ok(Json(m.outcomes.iter().map(Into::into).collect()))
}
