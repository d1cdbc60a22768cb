//! `/api/v1/tickets/{id}/crossings` (SPEC §4, §7): the warning thresholds
//! and breaches fired for a ticket and, for staff, how their notifications
//! went. A client sees its own tickets' crossings only (another's is 404)
//! and not the provider's delivery details.

use accord_store::{CrossingKind, CrossingRecord, DeliveryAttempt, DeliveryRecord, Tenant};
use axum::Json;
use axum::extract::{Path, State};
use serde::Serialize;
use utoipa::ToSchema;

use super::dto::instant;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::Caller;
use crate::state::AppState;

/// One try at delivering a notification.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttemptDto {
    /// Its number, from 1.
    pub attempt: u32,
    /// When it started.
    pub at: String,
    /// How long it took, in milliseconds.
    pub duration_ms: i64,
    /// The HTTP status a webhook answered.
    pub status_code: Option<u16>,
    /// Why it failed.
    pub error: Option<String>,
}

impl From<DeliveryAttempt> for AttemptDto {
    fn from(a: DeliveryAttempt) -> Self {
        AttemptDto {
            attempt: a.attempt,
            at: instant(a.at),
            duration_ms: a.duration_ms,
            status_code: a.status_code,
            error: a.error,
        }
    }
}

/// A notification of a crossing.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryDto {
    /// Its id: the `Accord-Delivery` header of a webhook.
    pub id: String,
    /// `webhook` or `email`.
    pub channel: String,
    /// The webhook's id, for that channel.
    pub webhook: Option<String>,
    /// The webhook's URL or the e-mail address.
    pub recipient: String,
    /// `pending`, `delivered`, `failed` (given up) or `cancelled`.
    pub status: String,
    /// When it is tried next, while pending.
    pub next_attempt_at: Option<String>,
    /// When it was delivered or given up.
    pub finished_at: Option<String>,
    /// Every attempt, oldest first.
    pub attempts: Vec<AttemptDto>,
}

impl From<DeliveryRecord> for DeliveryDto {
    fn from(d: DeliveryRecord) -> Self {
        DeliveryDto {
            id: d.id.to_string(),
            channel: d.channel.to_string(),
            webhook: d.webhook.map(|w| w.to_string()),
            recipient: d.recipient,
            status: d.status.as_str().to_string(),
            next_attempt_at: d.next_attempt_at.map(instant),
            finished_at: d.finished_at.map(instant),
            attempts: d.attempts.into_iter().map(Into::into).collect(),
        }
    }
}

/// A warning threshold or breach fired for a clock (SPEC §4).
#[derive(Debug, Serialize, ToSchema)]
pub struct CrossingDto {
    /// The clock's metric.
    pub metric: String,
    /// The clock's cycle, from 1.
    pub cycle: u32,
    /// The share of the target, e.g. `0.75`; `1` is the breach.
    pub share: String,
    /// `warning` or `breach`.
    pub kind: String,
    /// The elapsed business seconds at the crossing.
    pub threshold_s: i64,
    /// When the clock crossed it.
    pub crossed_at: String,
    /// When the scheduler fired it.
    pub fired_at: String,
    /// Its notifications (staff only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deliveries: Option<Vec<DeliveryDto>>,
}

impl CrossingDto {
    fn new(r: CrossingRecord, with_deliveries: bool) -> Self {
        let c = r.crossing;
        CrossingDto {
            metric: c.metric.as_str().to_string(),
            cycle: c.cycle,
            share: c.share.normalize().to_string(),
            kind: CrossingKind::of(c.share).as_str().to_string(),
            threshold_s: c.threshold_secs,
            crossed_at: instant(c.crossed_at),
            fired_at: instant(r.fired_at),
            deliveries: with_deliveries.then(|| r.deliveries.into_iter().map(Into::into).collect()),
        }
    }
}

/// The crossings fired for a ticket, in the order they were crossed.
#[utoipa::path(get, path = "/api/v1/tickets/{id}/crossings", tag = "tickets",
    operation_id = "list_ticket_crossings",
    params(("id" = String, Path, description = "The ticket's id")),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<CrossingDto>), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<CrossingDto>>> {
    let missing = || ApiError::NotFound(format!("there is no ticket `{id}`"));
    let ticket = accord_store::TicketId::parse(&id).map_err(|_| missing())?;
    let records = state
        .store
        .tickets()
        .crossings(&caller.tenant, &ticket)
        .await?
        .ok_or_else(missing)?;
    let staff = caller.tenant == Tenant::Provider;
    Ok(Json(
        records
            .into_iter()
            .map(|r| CrossingDto::new(r, staff))
            .collect(),
    ))
}
