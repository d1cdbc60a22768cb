//! Tickets, their events and the clocks derived from them (SPEC §4, §5).

use accord_core::clock::{ClockState, Metric, TicketEvent, TicketStatus};
use jiff::Timestamp;
use rust_decimal::Decimal;

use crate::ids::{ClientId, TicketId};

/// A ticket to open: its opening event names the key, instant and priority.
#[derive(Debug, Clone)]
pub struct NewTicket {
    /// The client it is for.
    pub client: ClientId,
    /// The contract it falls under; the version in force on the opening day
    /// (UTC) governs it.
    pub contract_id: String,
    /// The `opened` event; its `ticket` is the ticket's key (e.g. `T-1`),
    /// unique across the installation (ignored by
    /// [`Tickets::open_next`](crate::Tickets::open_next), which numbers it).
    pub opened: TicketEvent,
}

/// A ticket's stored row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    /// Its id.
    pub id: TicketId,
    /// Its client.
    pub client: ClientId,
    /// Its key, e.g. `T-1`: new keys are unique across the installation;
    /// a database from before that may hold one key for tickets of several
    /// clients (each client's keys are unique).
    pub key: String,
    /// The contract it falls under.
    pub contract_id: String,
    /// The contract version that governs it.
    pub contract_version: u32,
    /// When it was opened.
    pub opened_at: Timestamp,
    /// The priority in force.
    pub priority: String,
    /// Open, resolved or closed.
    pub status: TicketStatus,
}

/// Which tickets to list; every field left `None` matches all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TicketFilter {
    /// Only this client's (within what the tenant may see).
    pub client: Option<ClientId>,
    /// Only tickets in this status.
    pub status: Option<TicketStatus>,
    /// Only tickets of this priority.
    pub priority: Option<String>,
    /// Only open tickets whose most pressed live clock had at most this
    /// many business seconds left when last computed.
    pub at_risk_within_secs: Option<i64>,
    /// Only tickets with this key (one, or several in a database from
    /// before keys were unique across clients).
    pub key: Option<String>,
}

/// A clock as last computed and stored (SPEC §4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredClock {
    /// What it measures.
    pub metric: Metric,
    /// Cycle number from 1.
    pub cycle: u32,
    /// Its state when computed.
    pub state: ClockState,
    /// The target, in business seconds.
    pub target_secs: i64,
    /// Elapsed business seconds.
    pub elapsed_secs: i64,
    /// Paused business seconds, all reasons.
    pub paused_secs: i64,
    /// Business seconds left, floored at zero.
    pub remaining_secs: i64,
    /// When the clock started.
    pub started_at: Timestamp,
    /// When it stopped, if it did.
    pub stopped_at: Option<Timestamp>,
    /// When the target is reached if it keeps running.
    pub deadline: Option<Timestamp>,
    /// When elapsed time first equalled the target, if it is exceeded.
    pub breached_at: Option<Timestamp>,
    /// The next threshold share to cross (`1` is the target) and when.
    pub next_crossing: Option<(Decimal, Timestamp)>,
    /// The instant the row was computed at.
    pub evaluated_at: Timestamp,
}

/// A ticket with its clocks and its event timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketWithClocks {
    /// The ticket.
    pub ticket: Ticket,
    /// Its clocks by metric and cycle.
    pub clocks: Vec<StoredClock>,
    /// Its events in the order they were recorded.
    pub events: Vec<TicketEvent>,
}

/// What [`Tickets::append`](crate::Tickets::append) did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Appended {
    /// Events stored.
    pub inserted: usize,
    /// Events that were exact copies of stored ones (or of an earlier one in
    /// the batch) and were ignored.
    pub duplicates: usize,
    /// Thresholds the events carried a clock past, fired with them (an
    /// upgrade to a priority whose target is already exceeded).
    pub fired: Vec<super::FiredCrossing>,
}

/// An open ticket whose most pressed live clock has little time left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AtRisk {
    /// The ticket.
    pub ticket: Ticket,
    /// Business seconds left on its most pressed live clock when its clocks
    /// were last computed (zero when overdue).
    pub remaining_secs: i64,
}

/// A stored clock that stopped or breached in a period, with its ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClockOutcome {
    /// The ticket.
    pub ticket: TicketId,
    /// Its key.
    pub ticket_key: String,
    /// Its client.
    pub client: ClientId,
    /// Its status.
    pub status: TicketStatus,
    /// The clock's metric.
    pub metric: Metric,
    /// The clock's cycle.
    pub cycle: u32,
    /// The clock's state when last computed.
    pub state: ClockState,
    /// When it stopped, if it did.
    pub stopped_at: Option<Timestamp>,
    /// When it exceeded its target, if it did.
    pub breached_at: Option<Timestamp>,
}
