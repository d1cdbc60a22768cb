//! Due work the scheduler fires: threshold crossings, milestone changes,
//! reporting months closing (SPEC §4, §6, §7).

use accord_core::clock::Metric;
use jiff::Timestamp;
use rust_decimal::Decimal;

use crate::ids::{ClientId, TicketId};

/// A warning threshold or target crossing, fired once (SPEC §4, §7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FiredCrossing {
    /// The ticket.
    pub ticket: TicketId,
    /// Its key.
    pub ticket_key: String,
    /// Its client.
    pub client: ClientId,
    /// The clock's metric.
    pub metric: Metric,
    /// The clock's cycle.
    pub cycle: u32,
    /// The share of the target crossed (`1` is the breach).
    pub share: Decimal,
    /// The elapsed business seconds at the crossing.
    pub threshold_secs: i64,
    /// When the clock crossed it.
    pub crossed_at: Timestamp,
}

/// Whether a firing is a warning or the breach itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CrossingKind {
    /// A warning threshold (a share below 1).
    Warning,
    /// The target itself (share 1).
    Breach,
}

impl CrossingKind {
    /// The kind of a crossing of `share` of the target.
    pub fn of(share: Decimal) -> CrossingKind {
        if share >= Decimal::ONE {
            CrossingKind::Breach
        } else {
            CrossingKind::Warning
        }
    }

    /// The outbox topic of its notifications.
    pub fn topic(self) -> &'static str {
        match self {
            CrossingKind::Warning => "clock.warning",
            CrossingKind::Breach => "clock.breach",
        }
    }

    /// `warning` or `breach`.
    pub fn as_str(self) -> &'static str {
        match self {
            CrossingKind::Warning => "warning",
            CrossingKind::Breach => "breach",
        }
    }
}

/// The facts of a fired crossing, as its outbox messages carry them (the
/// webhook body is these plus `event` and `delivery`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CrossingPayload {
    /// `warning` or `breach`.
    pub kind: String,
    /// The ticket.
    pub ticket: PayloadTicket,
    /// Its client.
    pub client: PayloadClient,
    /// The contract version the crossing fired under.
    pub contract: PayloadContract,
    /// The clock's metric.
    pub metric: String,
    /// The clock's cycle, from 1.
    pub cycle: u32,
    /// The share of the target crossed, e.g. `0.75`; `1` is the breach.
    pub share: String,
    /// The elapsed business seconds at the crossing.
    pub threshold_s: i64,
    /// When the clock crossed it (RFC 3339, UTC).
    pub crossed_at: String,
    /// When it was fired (RFC 3339, UTC).
    pub fired_at: String,
}

/// A ticket in a payload.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PayloadTicket {
    /// Its id.
    pub id: String,
    /// Its key, e.g. `T-1`.
    pub key: String,
}

/// A client in a payload.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PayloadClient {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
}

/// A contract version in a payload.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PayloadContract {
    /// The contract's `id`.
    pub id: String,
    /// Its version.
    pub version: u32,
}

/// What one claim of due work did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fired {
    /// Jobs run (a job whose subject another transaction held is not).
    pub jobs: usize,
    /// Threshold crossings fired, each once across all claimers.
    pub crossings: Vec<FiredCrossing>,
    /// Milestone notices written to the outbox (an overdue deliverable, a
    /// moved adjusted date, an overdue milestone), each once.
    pub milestone_notices: usize,
    /// Statement drafts computed at the end of a reporting month.
    pub statements: usize,
}

impl Fired {
    /// Whether no job was run.
    pub fn is_empty(&self) -> bool {
        self.jobs == 0
    }
}
