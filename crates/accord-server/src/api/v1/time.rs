//! `/api/v1/.../time-entries`, periods and timers (SPEC §8, §10): entries
//! in the SPEC §10 format read by the core's reader, their approval,
//! corrections, locked and accepted periods, one running timer per user.
//! Who may do what is `app::time`'s rule; handlers parse, call, render.

use accord_core::instant;
use accord_core::time::Billable;
use accord_store::{
    EntryFilter, EntryStatus, EntryTransition, PeriodState, StoredEntry, TimeEntryId, Timer,
};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};

use crate::app::AppError;
use crate::app::time::{self as app, ImportFormat, NewTimer, PeriodAction, Step};
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{Caller, EntriesBody, JsonBody, OptionalJson, QueryParams};
use crate::state::AppState;

/// A time entry as stored: its SPEC §10 fields, its period and status.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimeEntryDto {
    /// The service's id (used in URLs).
    pub id: String,
    /// The contract it is booked on.
    pub contract_id: String,
    /// Its SPEC §10 `id`, unique within the contract.
    pub key: String,
    /// Who worked.
    pub person: String,
    /// RFC 3339, UTC.
    pub start: String,
    /// RFC 3339, UTC.
    pub end: String,
    /// Raw time worked, whole seconds.
    pub raw_s: i64,
    /// What kind of work.
    pub activity: String,
    /// The ticket it was for.
    pub ticket: Option<String>,
    /// The milestone it was for.
    pub milestone: Option<String>,
    /// `billable`, `non_billable` or `no_charge`.
    pub billable: String,
    /// Its own hourly rate, a decimal string.
    pub rate: Option<String>,
    /// Free text.
    pub note: Option<String>,
    /// Local date of its start in the contract's reporting zone.
    pub work_date: String,
    /// Its invoice period, `YYYY-MM`.
    pub period: String,
    /// `draft`, `submitted`, `approved` or `invoiced`.
    pub status: String,
    /// The entry this correction replaces (service id).
    pub corrects: Option<String>,
    /// Why, for a correction.
    pub correction_reason: Option<String>,
    /// The correction that replaces this entry (service id).
    pub corrected_by: Option<String>,
    /// Who wrote it.
    pub created_by: String,
    /// When.
    pub created_at: String,
    /// Who changed it last.
    pub updated_by: String,
    /// When.
    pub updated_at: String,
}

impl From<&StoredEntry> for TimeEntryDto {
    fn from(s: &StoredEntry) -> Self {
        let e = &s.entry;
        TimeEntryDto {
            id: s.id.to_string(),
            contract_id: s.contract_id.clone(),
            key: e.id.clone(),
            person: e.person.clone(),
            start: instant::format(e.start),
            end: instant::format(e.end),
            raw_s: e.raw_s(),
            activity: e.activity.clone(),
            ticket: e.ticket.clone(),
            milestone: e.milestone.clone(),
            billable: e.billable.as_str().to_string(),
            rate: e.rate.map(|r| r.to_string()),
            note: e.note.clone(),
            work_date: s.work_date.to_string(),
            period: s.period.clone(),
            status: s.status.as_str().to_string(),
            corrects: s.corrects.as_ref().map(ToString::to_string),
            correction_reason: s.correction_reason.clone(),
            corrected_by: s.corrected_by.as_ref().map(ToString::to_string),
            created_by: s.created_by.clone(),
            created_at: instant::format(s.created_at),
            updated_by: s.updated_by.clone(),
            updated_at: instant::format(s.updated_at),
        }
    }
}

/// One change of an entry's status.
#[derive(Debug, Serialize, ToSchema)]
pub struct TransitionDto {
    /// The status before; absent when the entry was created.
    pub from: Option<String>,
    /// The status after; absent when it was deleted.
    pub to: Option<String>,
    /// Who.
    pub by: String,
    /// When.
    pub at: String,
    /// Why.
    pub why: Option<String>,
}

impl From<&EntryTransition> for TransitionDto {
    fn from(t: &EntryTransition) -> Self {
        TransitionDto {
            from: t.from.map(|s| s.as_str().to_string()),
            to: t.to.map(|s| s.as_str().to_string()),
            by: t.by.clone(),
            at: instant::format(t.at),
            why: t.why.clone(),
        }
    }
}

/// An entry with its status history.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimeEntryDetailDto {
    /// The entry.
    #[serde(flatten)]
    pub entry: TimeEntryDto,
    /// Every status change, oldest first.
    pub history: Vec<TransitionDto>,
}

/// A time entry in the SPEC §10 format, e.g. `{"person":
/// "sam@provider.example", "start": "2026-03-02T09:00:00+01:00", "minutes":
/// 70, "activity": "development", "ticket": "T-1"}`. `id` defaults to a
/// fresh one, `person` to the caller.
#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code, reason = "documents the body; the core parses it")]
pub struct TimeEntryBody {
    /// Unique within the contract.
    id: Option<String>,
    /// Who worked (an e-mail).
    person: Option<String>,
    /// RFC 3339 with an offset.
    start: String,
    /// RFC 3339 with an offset; or give `minutes`.
    end: Option<String>,
    /// Whole minutes; or give `end`.
    minutes: Option<u32>,
    /// What kind of work.
    activity: String,
    /// The ticket it was for.
    ticket: Option<String>,
    /// The milestone it was for.
    milestone: Option<String>,
    /// `billable` (default), `non_billable` or `no_charge`.
    billable: Option<String>,
    /// Its own hourly rate, a decimal string.
    rate: Option<String>,
    /// Free text.
    note: Option<String>,
}

/// A correction: the replacing entry's SPEC §10 fields and a reason.
#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code, reason = "documents the body; the core parses it")]
pub struct CorrectionBody {
    /// Why the entry is corrected.
    reason: String,
    /// The replacing entry's fields, as in a new entry.
    #[serde(flatten)]
    entry: TimeEntryBody,
}

/// The filters of a list of entries.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EntryQuery {
    /// Only this period, `YYYY-MM`.
    period: Option<String>,
    /// Only this person's.
    person: Option<String>,
    /// Only in this status.
    status: Option<String>,
}

/// Whether an import only checks.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Check everything and write nothing.
    #[serde(default)]
    dry_run: bool,
}

/// What an import wrote, or would write.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportedDto {
    /// Whether nothing was written.
    pub dry_run: bool,
    /// The entries, as written (or as they would be).
    pub entries: Vec<TimeEntryDto>,
}

/// Why a status changes.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepBody {
    /// Why (required to reject).
    #[serde(default)]
    why: Option<String>,
}

/// A period of a contract's time entries.
#[derive(Debug, Serialize, ToSchema)]
pub struct PeriodDto {
    /// The contract.
    pub contract_id: String,
    /// `YYYY-MM`.
    pub period: String,
    /// Whether its entries are frozen.
    pub locked: bool,
    /// Who locked it.
    pub locked_by: Option<String>,
    /// When.
    pub locked_at: Option<String>,
    /// Who accepted it for the client.
    pub accepted_by: Option<String>,
    /// When.
    pub accepted_at: Option<String>,
}

impl From<PeriodState> for PeriodDto {
    fn from(p: PeriodState) -> Self {
        PeriodDto {
            contract_id: p.contract_id,
            period: p.period,
            locked: p.locked.is_some(),
            locked_by: p.locked.as_ref().map(|(b, _)| b.clone()),
            locked_at: p.locked.map(|(_, t)| instant::format(t)),
            accepted_by: p.accepted.as_ref().map(|(b, _)| b.clone()),
            accepted_at: p.accepted.map(|(_, t)| instant::format(t)),
        }
    }
}

/// A running timer.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimerDto {
    /// Whose.
    pub person: String,
    /// The contract.
    pub contract_id: String,
    /// The activity.
    pub activity: String,
    /// The ticket.
    pub ticket: Option<String>,
    /// The milestone.
    pub milestone: Option<String>,
    /// `billable`, `non_billable` or `no_charge`.
    pub billable: String,
    /// Free text.
    pub note: Option<String>,
    /// When it started.
    pub started_at: String,
}

impl From<Timer> for TimerDto {
    fn from(t: Timer) -> Self {
        TimerDto {
            person: t.person,
            contract_id: t.contract_id,
            activity: t.activity,
            ticket: t.ticket,
            milestone: t.milestone,
            billable: t.billable.as_str().to_string(),
            note: t.note,
            started_at: instant::format(t.started_at),
        }
    }
}

/// What a timer is for.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartTimerBody {
    /// The contract.
    contract_id: String,
    /// The activity, e.g. `development`.
    activity: String,
    /// The ticket.
    #[serde(default)]
    ticket: Option<String>,
    /// The milestone.
    #[serde(default)]
    milestone: Option<String>,
    /// `billable` (default), `non_billable` or `no_charge`.
    #[serde(default)]
    billable: Option<String>,
    /// Free text.
    #[serde(default)]
    note: Option<String>,
}

fn not_found(what: &str) -> impl Fn(AppError) -> ApiError + '_ {
    move |e| match e {
        AppError::NotFound | AppError::Store(accord_store::Error::NotFound) => {
            ApiError::NotFound(format!("no {what}"))
        }
        other => other.into(),
    }
}

fn entry_id(id: &str) -> ApiResult<TimeEntryId> {
    TimeEntryId::parse(id).map_err(|_| ApiError::NotFound(format!("no time entry `{id}`")))
}

fn object(body: Value) -> ApiResult<Map<String, Value>> {
    match body {
        Value::Object(m) => Ok(m),
        _ => Err(ApiError::bad_field("body", "must be a JSON object")),
    }
}

/// A contract's time entries by start; agents see their own only.
#[utoipa::path(get, path = "/api/v1/contracts/{id}/time-entries", tag = "time",
    params(("id" = String, Path, description = "The contract's id"), EntryQuery),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<TimeEntryDto>), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    QueryParams(q): QueryParams<EntryQuery>,
) -> ApiResult<Json<Vec<TimeEntryDto>>> {
    let status = q
        .status
        .as_deref()
        .map(|s| {
            EntryStatus::parse(s).ok_or_else(|| {
                ApiError::bad_field(
                    "status",
                    format!("unknown status `{s}`; use draft, submitted, approved or invoiced"),
                )
            })
        })
        .transpose()?;
    let filter = EntryFilter {
        period: q.period,
        person: q.person,
        status,
    };
    let entries = app::list(&state, &caller.user, &id, filter)
        .await
        .map_err(not_found(&format!("contract `{id}`")))?;
    Ok(Json(entries.iter().map(Into::into).collect()))
}

/// Write a draft time entry (SPEC §10 fields). Agents write their own.
#[utoipa::path(post, path = "/api/v1/contracts/{id}/time-entries", tag = "time",
    request_body = TimeEntryBody,
    params(("id" = String, Path, description = "The contract's id")),
    security(("bearer" = [])),
    responses((status = 201, body = TimeEntryDto), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<(StatusCode, Json<TimeEntryDto>)> {
    caller.require_staff("write time entries")?;
    let entry = app::entry_from_object(object(body)?, &caller.user)?;
    let e = app::create(&state, &caller.user, &id, entry)
        .await
        .map_err(not_found(&format!("contract `{id}`")))?;
    Ok((StatusCode::CREATED, Json((&e).into())))
}

/// Import time entries: JSON Lines, or CSV with `Content-Type: text/csv`,
/// read by the core's reader. Any error (every bad line, by line and
/// field) writes nothing; `dry_run=true` checks and writes nothing.
#[utoipa::path(post, path = "/api/v1/contracts/{id}/time-entries/import", tag = "time",
    request_body(content = String, content_type = "text/csv",
        description = "JSON Lines (application/jsonl) or CSV (text/csv) of SPEC §10 entries"),
    params(("id" = String, Path, description = "The contract's id"), ImportQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "A dry run: nothing written", body = ImportedDto),
        (status = 201, body = ImportedDto), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 413, body = Problem), (status = 415, body = Problem),
        (status = 422, body = Problem)))]
pub async fn import(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    QueryParams(q): QueryParams<ImportQuery>,
    body: EntriesBody,
) -> ApiResult<(StatusCode, Json<ImportedDto>)> {
    caller.require_staff("import time entries")?;
    let format = if body.csv {
        ImportFormat::Csv
    } else {
        ImportFormat::JsonLines
    };
    let entries = app::read_import(&body.text, format)?;
    let written = app::import(&state, &caller.user, &id, &entries, q.dry_run)
        .await
        .map_err(not_found(&format!("contract `{id}`")))?;
    let status = if q.dry_run {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((
        status,
        Json(ImportedDto {
            dry_run: q.dry_run,
            entries: written.iter().map(Into::into).collect(),
        }),
    ))
}

/// One time entry with its status history.
#[utoipa::path(get, path = "/api/v1/time-entries/{id}", tag = "time",
    params(("id" = String, Path, description = "The entry's id")),
    security(("bearer" = [])),
    responses((status = 200, body = TimeEntryDetailDto), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<TimeEntryDetailDto>> {
    let (e, history) = app::get(&state, &caller.user, &entry_id(&id)?)
        .await
        .map_err(not_found(&format!("time entry `{id}`")))?;
    Ok(Json(TimeEntryDetailDto {
        entry: (&e).into(),
        history: history.iter().map(Into::into).collect(),
    }))
}

/// Change a draft or submitted entry: the SPEC §10 fields given replace
/// the stored ones (`null` removes one). Refused (409, naming the lock or
/// status) once approved, invoiced or in a locked period: correct it.
#[utoipa::path(patch, path = "/api/v1/time-entries/{id}", tag = "time",
    request_body = TimeEntryBody,
    params(("id" = String, Path, description = "The entry's id")),
    security(("bearer" = [])),
    responses((status = 200, body = TimeEntryDto), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<Json<TimeEntryDto>> {
    caller.require_staff("change time entries")?;
    let e = app::update(&state, &caller.user, &entry_id(&id)?, object(body)?)
        .await
        .map_err(not_found(&format!("time entry `{id}`")))?;
    Ok(Json((&e).into()))
}

/// Delete a draft or submitted entry (its audit trail stays).
#[utoipa::path(delete, path = "/api/v1/time-entries/{id}", tag = "time",
    params(("id" = String, Path, description = "The entry's id")),
    security(("bearer" = [])),
    responses((status = 204, description = "Deleted"), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    app::delete(&state, &caller.user, &entry_id(&id)?)
        .await
        .map_err(not_found(&format!("time entry `{id}`")))?;
    Ok(StatusCode::NO_CONTENT)
}

async fn step(
    state: &AppState,
    caller: &Caller,
    id: &str,
    step: Step,
    body: OptionalJson<StepBody>,
) -> ApiResult<Json<TimeEntryDto>> {
    let why = body.0.unwrap_or_default().why;
    let e = app::step(state, &caller.user, &entry_id(id)?, step, why)
        .await
        .map_err(not_found(&format!("time entry `{id}`")))?;
    Ok(Json((&e).into()))
}

/// Submit a draft entry for approval (its author or an admin).
#[utoipa::path(post, path = "/api/v1/time-entries/{id}/submit", tag = "time",
    request_body = StepBody,
    params(("id" = String, Path, description = "The entry's id")),
    security(("bearer" = [])),
    responses((status = 200, body = TimeEntryDto), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)))]
pub async fn submit(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: OptionalJson<StepBody>,
) -> ApiResult<Json<TimeEntryDto>> {
    step(&state, &caller, &id, Step::Submit, body).await
}

/// Approve a submitted entry (admins).
#[utoipa::path(post, path = "/api/v1/time-entries/{id}/approve", tag = "time",
    request_body = StepBody,
    params(("id" = String, Path, description = "The entry's id")),
    security(("bearer" = [])),
    responses((status = 200, body = TimeEntryDto), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)))]
pub async fn approve(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: OptionalJson<StepBody>,
) -> ApiResult<Json<TimeEntryDto>> {
    step(&state, &caller, &id, Step::Approve, body).await
}

/// Send a submitted entry back to draft, saying why (admins).
#[utoipa::path(post, path = "/api/v1/time-entries/{id}/reject", tag = "time",
    request_body = StepBody,
    params(("id" = String, Path, description = "The entry's id")),
    security(("bearer" = [])),
    responses((status = 200, body = TimeEntryDto), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn reject(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: OptionalJson<StepBody>,
) -> ApiResult<Json<TimeEntryDto>> {
    step(&state, &caller, &id, Step::Reject, body).await
}

/// Correct an approved, invoiced or locked entry: a new draft entry that
/// replaces it (the original is kept and shows `corrected_by`).
#[utoipa::path(post, path = "/api/v1/time-entries/{id}/correct", tag = "time",
    request_body = CorrectionBody,
    params(("id" = String, Path, description = "The entry's id")),
    security(("bearer" = [])),
    responses((status = 201, body = TimeEntryDto), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn correct(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<(StatusCode, Json<TimeEntryDto>)> {
    caller.require_staff("correct time entries")?;
    let mut fields = object(body)?;
    let reason = match fields.remove("reason") {
        Some(Value::String(r)) => r,
        _ => {
            return Err(ApiError::bad_field(
                "reason",
                "a correction needs a reason (a string)",
            ));
        }
    };
    let entry = app::entry_from_object(fields, &caller.user)?;
    let e = app::correct(&state, &caller.user, &entry_id(&id)?, entry, &reason)
        .await
        .map_err(not_found(&format!("time entry `{id}`")))?;
    Ok((StatusCode::CREATED, Json((&e).into())))
}

/// A period's lock and acceptance.
#[utoipa::path(get, path = "/api/v1/contracts/{id}/periods/{period}", tag = "time",
    params(("id" = String, Path, description = "The contract's id"),
        ("period" = String, Path, description = "YYYY-MM")),
    security(("bearer" = [])),
    responses((status = 200, body = PeriodDto), (status = 401, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn period(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, period)): Path<(String, String)>,
) -> ApiResult<Json<PeriodDto>> {
    let p = app::period(&state, &caller.user, &id, &period)
        .await
        .map_err(not_found(&format!("contract `{id}`")))?;
    Ok(Json(p.into()))
}

async fn set_period(
    state: &AppState,
    caller: &Caller,
    id: &str,
    period: &str,
    action: PeriodAction,
) -> ApiResult<Json<PeriodDto>> {
    let p = app::set_period(state, &caller.user, id, period, action)
        .await
        .map_err(not_found(&format!("contract `{id}`")))?;
    Ok(Json(p.into()))
}

/// Lock a period (admins): its entries no longer change; only corrections
/// are added.
#[utoipa::path(post, path = "/api/v1/contracts/{id}/periods/{period}/lock", tag = "time",
    params(("id" = String, Path, description = "The contract's id"),
        ("period" = String, Path, description = "YYYY-MM")),
    security(("bearer" = [])),
    responses((status = 200, body = PeriodDto), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn lock(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, period)): Path<(String, String)>,
) -> ApiResult<Json<PeriodDto>> {
    set_period(&state, &caller, &id, &period, PeriodAction::Lock).await
}

/// Unlock a period (admins); the client's acceptance of it is withdrawn.
#[utoipa::path(post, path = "/api/v1/contracts/{id}/periods/{period}/unlock", tag = "time",
    params(("id" = String, Path, description = "The contract's id"),
        ("period" = String, Path, description = "YYYY-MM")),
    security(("bearer" = [])),
    responses((status = 200, body = PeriodDto), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn unlock(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, period)): Path<(String, String)>,
) -> ApiResult<Json<PeriodDto>> {
    set_period(&state, &caller, &id, &period, PeriodAction::Unlock).await
}

/// Accept a locked period (client users, when the contract's `[billing]`
/// has `client_accepts_periods = true`).
#[utoipa::path(post, path = "/api/v1/contracts/{id}/periods/{period}/accept", tag = "time",
    params(("id" = String, Path, description = "The contract's id"),
        ("period" = String, Path, description = "YYYY-MM")),
    security(("bearer" = [])),
    responses((status = 200, body = PeriodDto), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn accept(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, period)): Path<(String, String)>,
) -> ApiResult<Json<PeriodDto>> {
    set_period(&state, &caller, &id, &period, PeriodAction::Accept).await
}

/// The caller's running timer, or `null`.
#[utoipa::path(get, path = "/api/v1/timer", tag = "time",
    security(("bearer" = [])),
    responses((status = 200, body = Option<TimerDto>), (status = 401, body = Problem),
        (status = 403, body = Problem)))]
pub async fn timer(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Option<TimerDto>>> {
    let t = app::timer(&state, &caller.user).await?;
    Ok(Json(t.map(Into::into)))
}

/// Start the caller's timer now (one at a time: 409 while one runs).
#[utoipa::path(post, path = "/api/v1/timer/start", tag = "time",
    request_body = StartTimerBody,
    security(("bearer" = [])),
    responses((status = 201, body = TimerDto), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn start_timer(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody<StartTimerBody>,
) -> ApiResult<(StatusCode, Json<TimerDto>)> {
    let billable = match body.billable.as_deref() {
        None | Some("billable") => Billable::Billable,
        Some("non_billable") => Billable::NonBillable,
        Some("no_charge") => Billable::NoCharge,
        Some(other) => {
            return Err(ApiError::bad_field(
                "billable",
                format!("unknown value `{other}`; use billable, non_billable or no_charge"),
            ));
        }
    };
    let contract = body.contract_id.clone();
    let new = NewTimer {
        contract_id: body.contract_id,
        activity: body.activity,
        ticket: body.ticket,
        milestone: body.milestone,
        billable,
        note: body.note,
    };
    let t = app::start_timer(&state, &caller.user, new)
        .await
        .map_err(not_found(&format!("contract `{contract}`")))?;
    Ok((StatusCode::CREATED, Json(t.into())))
}

/// Stop the caller's timer: the time since it started becomes a draft
/// entry.
#[utoipa::path(post, path = "/api/v1/timer/stop", tag = "time",
    security(("bearer" = [])),
    responses((status = 201, body = TimeEntryDto), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn stop_timer(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<(StatusCode, Json<TimeEntryDto>)> {
    let e = app::stop_timer(&state, &caller.user)
        .await
        .map_err(not_found("running timer"))?;
    Ok((StatusCode::CREATED, Json((&e).into())))
}
