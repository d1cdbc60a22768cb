//! Due work the scheduler fires: threshold crossings (SPEC §4, §7).

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

    /// `warning` or `breach`.
    pub fn as_str(self) -> &'static str {
        match self {
            CrossingKind::Warning => "warning",
            CrossingKind::Breach => "breach",
        }
    }
}
