//! Tickets (SPEC §4, §5): with their clocks as of now, evaluated with the
//! contract version that governs them — one evaluation for the API, the web
//! pages and the monitor's figures alike — and the side work of every write.

use std::sync::Arc;

use accord_core::clock::{
    Detail, EventKind, TicketClocks, TicketEvent, TicketStatus, evaluate_with,
};
use accord_store::{Appended, NewTicket, Tenant, Ticket, TicketFilter, TicketId};
use jiff::{SignedDuration, Timestamp};

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

/// Who is writing: the tenant every store call runs as, and the user's
/// e-mail, which a client's events must carry as `by`.
#[derive(Debug, Clone, Copy)]
pub struct Author<'a> {
    pub tenant: &'a Tenant,
    pub email: &'a str,
}

/// How far from the server's now a client's event may be stamped: a
/// client's words are recorded when they arrive, never backdated (a
/// backdated critical ticket would be overdue at once) nor post-dated.
pub const CLIENT_STAMP_TOLERANCE: SignedDuration = SignedDuration::from_mins(5);

/// Which events an author may post, decided once for every path (API
/// batches, pause/resume, web forms, the portal): staff may post any kind,
/// on behalf of anyone and at any instant (imports replay history); a client
/// user may open a ticket and reply to it (`opened`, `client_replied`), as
/// themself (`by` absent — then filled in — or their own e-mail) and stamped
/// now (within [`CLIENT_STAMP_TOLERANCE`]). Pausing, resuming, resolving,
/// reopening, closing, changing priority and provider replies are the
/// provider's. `field` names an event's position for errors (`[2].` in a
/// batch, empty for a single event).
pub fn authorise(author: Author<'_>, events: &mut [TicketEvent], now: Timestamp) -> AppResult<()> {
    if matches!(author.tenant, Tenant::Provider) {
        return Ok(());
    }
    let batch = events.len() > 1;
    for (i, e) in events.iter_mut().enumerate() {
        let prefix = if batch {
            format!("[{i}].")
        } else {
            String::new()
        };
        if !matches!(e.kind, EventKind::Opened { .. } | EventKind::ClientReplied) {
            return Err(AppError::Forbidden(format!(
                "{prefix}kind: a client user may post `client_replied` (and open tickets); \
                 `{}` is the provider's to record",
                e.kind.as_str()
            )));
        }
        match &e.by {
            None => e.by = Some(author.email.to_string()),
            Some(by) if by.eq_ignore_ascii_case(author.email) => {}
            Some(by) => {
                return Err(AppError::Forbidden(format!(
                    "{prefix}by: a client user posts as themself ({}), not as `{by}`",
                    author.email
                )));
            }
        }
        let off = e.at.duration_since(now);
        if off.abs() > CLIENT_STAMP_TOLERANCE {
            return Err(AppError::Invalid {
                field: format!("{prefix}at"),
                detail: format!(
                    "a client's events are recorded as they happen: `at` must be within {} minutes \
                     of now ({}), not {}",
                    CLIENT_STAMP_TOLERANCE.as_mins(),
                    accord_core::instant::format(now),
                    accord_core::instant::format(e.at),
                ),
            });
        }
    }
    Ok(())
}

/// Opens a ticket, as the author may ([`authorise`]), with its side work
/// ([`opened`]).
pub async fn open(state: &AppState, author: Author<'_>, mut new: NewTicket) -> AppResult<Ticket> {
    let now = state.time.now();
    let tenant = author.tenant;
    // Another client's organisation is not found, before anything else is
    // said about the request.
    if let Tenant::Client(own) = tenant
        && own != &new.client
    {
        return Err(AppError::Store(accord_store::Error::NotFound));
    }
    check_key(&new.opened.ticket)?;
    authorise(author, std::slice::from_mut(&mut new.opened), now)?;
    let ticket = state.store.tickets().open(tenant, new, now).await?;
    opened(state);
    Ok(ticket)
}

/// The longest ticket key accepted, in characters: keys are names people
/// read and type (`T-1042`, `ACME-77`), not payloads.
pub const MAX_KEY_CHARS: usize = 100;

/// Refuses a ticket key that is too long or holds control characters,
/// naming `key`.
fn check_key(key: &str) -> AppResult<()> {
    let invalid = |detail: String| AppError::Invalid {
        field: "key".into(),
        detail,
    };
    if key.chars().count() > MAX_KEY_CHARS {
        return Err(invalid(format!(
            "a ticket key is at most {MAX_KEY_CHARS} characters; this one has {}",
            key.chars().count()
        )));
    }
    if key.chars().any(char::is_control) {
        return Err(invalid(
            "a ticket key holds no control characters (tabs, line breaks, ...)".into(),
        ));
    }
    Ok(())
}

/// The side work of opening a ticket: the scheduler looks at its clocks,
/// and one opened with time already past its thresholds has fired them.
pub fn opened(state: &AppState) {
    state.wake_scheduler.notify_one();
    state.wake_delivery.notify_one();
}

/// Appends events to a ticket the author's tenant may see, all or nothing,
/// as the author may ([`authorise`]), with its side work ([`appended`]).
pub async fn append(
    state: &AppState,
    author: Author<'_>,
    id: &TicketId,
    mut events: Vec<TicketEvent>,
) -> AppResult<Appended> {
    let now = state.time.now();
    authorise(author, &mut events, now)?;
    let done = state
        .store
        .tickets()
        .append(author.tenant, id, &events, now)
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
