//! Milestones (SPEC §6, §10): each contract's milestone outcomes as of now —
//! its latest version, parsed once by the store's cache, folded with its
//! stored events by the core's `evaluate` — and the writes to its event log,
//! which only staff may make. The API, the web pages, the portal and the
//! demo all come through here.

use std::sync::Arc;

use accord_core::milestone::MilestoneOutcome;
use accord_core::milestone::{MilestoneError, MilestoneEvent, MilestoneEventKind, evaluate};
use accord_store::{MilestonesAppended, Tenant};
use jiff::Timestamp;

use super::contracts::Parsed;
use super::tickets::Author;
use super::{AppError, AppResult};
use crate::state::AppState;

/// A contract's milestones evaluated at one instant.
#[derive(Debug)]
pub struct Milestones {
    /// The contract's id.
    pub contract_id: String,
    /// The version evaluated: the latest.
    pub version: u32,
    /// That version, parsed.
    pub parsed: Arc<Parsed>,
    /// One outcome per milestone, in the contract's order.
    pub outcomes: Vec<MilestoneOutcome>,
}

/// The latest version of a contract the tenant may see, parsed.
async fn latest(
    state: &AppState,
    tenant: &Tenant,
    contract_id: &str,
) -> AppResult<(u32, Arc<Parsed>)> {
    let version = state
        .store
        .contracts()
        .latest_version(tenant, contract_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let parsed = state
        .contracts
        .get(state, tenant, contract_id, version)
        .await?;
    Ok((version, parsed))
}

/// A contract's milestones at `now`: its latest version, its stored
/// events, the core's fold. Not found if the tenant may not see it.
pub async fn outcomes(
    state: &AppState,
    tenant: &Tenant,
    contract_id: &str,
    now: Timestamp,
) -> AppResult<Milestones> {
    let (version, parsed) = latest(state, tenant, contract_id).await?;
    let events = state.store.milestones().events(tenant, contract_id).await?;
    let outcomes = evaluate(&parsed.contract, &events, now)
        .map_err(|e| AppError::Internal(format!("milestones of `{contract_id}`: {e}")))?;
    Ok(Milestones {
        contract_id: contract_id.to_string(),
        version,
        parsed,
        outcomes,
    })
}

/// Only staff record milestone events (SPEC §6: the provider keeps the
/// ledger; the client sees it). A client user is refused before anything
/// else is said about the request.
fn authorise(author: Author<'_>) -> AppResult<()> {
    match author.tenant {
        Tenant::Provider => Ok(()),
        Tenant::Client(_) => Err(AppError::Forbidden(
            "milestone events are the provider's to record; a client user may read them"
                .to_string(),
        )),
    }
}

/// Checks a batch against the contract with the core's fold, so an unknown
/// milestone, deliverable or pause reason is refused naming the field as the
/// caller wrote it (`[2].deliverable` in a batch, `deliverable` alone).
fn check(parsed: &Parsed, events: &[MilestoneEvent], now: Timestamp, batch: bool) -> AppResult<()> {
    evaluate(&parsed.contract, events, now)
        .map(|_| ())
        .map_err(|e| invalid(&e, batch))
}

fn invalid(e: &MilestoneError, batch: bool) -> AppError {
    let prefix = match e.event() {
        Some(r) if batch => format!("[{}].", r.position.saturating_sub(1)),
        _ => String::new(),
    };
    AppError::Invalid {
        field: format!("{prefix}{}", e.field().unwrap_or("events")),
        detail: e.to_string(),
    }
}

/// Appends events to a contract's milestone log, all or nothing and
/// idempotently (see `Store::milestones`), as staff only. `batch` says
/// whether the caller sent an array (for the names of fields in errors).
pub async fn append(
    state: &AppState,
    author: Author<'_>,
    contract_id: &str,
    events: &[MilestoneEvent],
    batch: bool,
) -> AppResult<MilestonesAppended> {
    authorise(author)?;
    let now = state.time.now();
    let (_, parsed) = latest(state, author.tenant, contract_id).await?;
    check(&parsed, events, now, batch)?;
    let done = state
        .store
        .milestones()
        .append(author.tenant, contract_id, events, now)
        .await?;
    if done.appended > 0 {
        // The store set the contract's `milestone.change` job due now: the
        // notices of what the events changed go out through the outbox.
        state.wake_scheduler.notify_one();
    }
    Ok(done)
}

/// A pause or resume of every milestone of a contract (an overdue invoice
/// pauses them with `pending_payment`).
#[derive(Debug, Clone)]
pub struct PauseAll {
    /// `Some(reason)` to pause, `None` to resume.
    pub reason: Option<String>,
    /// Evidence, e.g. the invoice.
    pub note: Option<String>,
    /// When; now if absent.
    pub at: Option<Timestamp>,
    /// An idempotency key; each milestone's event gets `ID:MILESTONE`.
    pub id: Option<String>,
}

/// Pauses (or resumes) every milestone of the contract's latest version at
/// once, by the author, all or nothing and idempotently.
pub async fn pause_all(
    state: &AppState,
    author: Author<'_>,
    contract_id: &str,
    pause: PauseAll,
) -> AppResult<MilestonesAppended> {
    authorise(author)?;
    let (_, parsed) = latest(state, author.tenant, contract_id).await?;
    let at = pause.at.unwrap_or_else(|| state.time.now());
    let at = Timestamp::from_second(at.as_second()).unwrap_or(at);
    let kind = match &pause.reason {
        Some(reason) => MilestoneEventKind::Paused {
            reason: reason.clone(),
        },
        None => MilestoneEventKind::Resumed,
    };
    let events: Vec<MilestoneEvent> = parsed
        .contract
        .milestones()
        .iter()
        .map(|m| MilestoneEvent {
            milestone: m.id.clone(),
            kind: kind.clone(),
            at,
            id: pause.id.as_ref().map(|id| format!("{id}:{}", m.id)),
            by: Some(author.email.to_string()),
            note: pause.note.clone(),
        })
        .collect();
    append(state, author, contract_id, &events, false).await
}
