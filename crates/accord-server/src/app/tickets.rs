//! Tickets (SPEC §4, §5): with their clocks as of now, evaluated with the
//! contract version that governs them — one evaluation for the API, the web
//! pages and the monitor's figures alike — and the side work of every write.

use std::sync::Arc;

use accord_core::clock::{Detail, TicketClocks, TicketEvent, TicketStatus, evaluate_with};
use accord_store::{Appended, NewTicket, Tenant, Ticket, TicketFilter, TicketId};
use jiff::Timestamp;

use super::contracts::Parsed;
use super::{AppError, AppResult};
use crate::state::AppState;

/// A ticket with its events and its clocks evaluated now.
#[derive(Debug)]
pub struct Live {
    pub ticket: Ticket,
    pub events: Vec<TicketEvent>,
    pub clocks: TicketClocks,
    pub parsed: Arc<Parsed>,
}

impl Live {
    /// The ticket's subject: the note of its `opened` event.
    pub fn subject(&self) -> String {
        subject(&self.events)
    }
}

/// The note of the `opened` event, or a placeholder.
pub fn subject(events: &[TicketEvent]) -> String {
    events
        .iter()
        .find(|e| e.kind.as_str() == "opened")
        .and_then(|e| e.note.clone())
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "(no subject)".to_string())
}

/// One ticket evaluated at `now`, if the tenant may see it.
pub async fn live_ticket(
    state: &AppState,
    tenant: &Tenant,
    id: &TicketId,
    now: Timestamp,
) -> AppResult<Option<Live>> {
    let Some(t) = state.store.tickets().with_clocks(tenant, id).await? else {
        return Ok(None);
    };
    let parsed = state
        .contracts
        .get(
            state,
            tenant,
            &t.ticket.contract_id,
            t.ticket.contract_version,
        )
        .await?;
    let clocks = evaluate_with(&parsed.policy, &t.events, now, Detail::Full)
        .map_err(|e| AppError::Internal(format!("ticket {}: {e}", t.ticket.id)))?;
    Ok(Some(Live {
        ticket: t.ticket,
        events: t.events,
        clocks,
        parsed,
    }))
}

/// How many open tickets the dashboard evaluates at most.
const OPEN_LIMIT: usize = 1_000;

/// Every open ticket the tenant may see, evaluated at `now`.
pub async fn open_tickets(
    state: &AppState,
    tenant: &Tenant,
    now: Timestamp,
) -> AppResult<Vec<Live>> {
    let filter = TicketFilter {
        status: Some(TicketStatus::Open),
        ..TicketFilter::default()
    };
    let mut tickets: Vec<Ticket> = Vec::new();
    loop {
        let page = state
            .store
            .tickets()
            .list(tenant, &filter, tickets.last().map(|t| &t.id), 200)
            .await?;
        let done = page.len() < 200;
        tickets.extend(page);
        if done || tickets.len() >= OPEN_LIMIT {
            break;
        }
    }
    let mut out = Vec::with_capacity(tickets.len());
    for t in tickets {
        if let Some(live) = live_ticket(state, tenant, &t.id, now).await? {
            out.push(live);
        }
    }
    Ok(out)
}

/// Opens a ticket, as the tenant may, with its side work ([`opened`]).
pub async fn open(state: &AppState, tenant: &Tenant, new: NewTicket) -> AppResult<Ticket> {
    let ticket = state
        .store
        .tickets()
        .open(tenant, new, state.time.now())
        .await?;
    opened(state);
    Ok(ticket)
}

/// The side work of opening a ticket: the scheduler looks at its clocks,
/// and one opened with time already past its thresholds has fired them.
pub fn opened(state: &AppState) {
    state.wake_scheduler.notify_one();
    state.wake_delivery.notify_one();
}

/// Appends events to a ticket the tenant may see, all or nothing, with its
/// side work ([`appended`]).
pub async fn append(
    state: &AppState,
    tenant: &Tenant,
    id: &TicketId,
    events: &[TicketEvent],
) -> AppResult<Appended> {
    let done = state
        .store
        .tickets()
        .append(tenant, id, events, state.time.now())
        .await?;
    appended(state, &done);
    Ok(done)
}

/// The side work of an append, done once for every caller: events
/// counted, the scheduler woken to look again at what is due, and the
/// crossings the events carried a clock past logged, counted and handed to
/// delivery.
pub fn appended(state: &AppState, done: &Appended) {
    state.metrics.events_ingested(done.inserted);
    if done.inserted > 0 {
        state.wake_scheduler.notify_one();
    }
    if !done.fired.is_empty() {
        crate::notify::log_crossings(&done.fired);
        state.metrics.firings(done.fired.len());
        state.wake_delivery.notify_one();
    }
}
