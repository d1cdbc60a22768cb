//! The outcome of a clock evaluation (SPEC §4): what a ticket's clocks say at
//! an instant — state, elapsed and paused business time, remaining time,
//! deadline, breach instant and the instants of warning-threshold crossings.
//! Types and trivial accessors only; the engine (`engine`) computes them.

use std::collections::BTreeMap;
use std::fmt;

use jiff::Timestamp;
use rust_decimal::Decimal;

use super::Metric;
use crate::BusinessDuration;

/// Where a ticket is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TicketStatus {
    /// Opened or reopened, not resolved.
    Open,
    /// Resolved; may be reopened.
    Resolved,
    /// Closed for good.
    Closed,
}

/// The pause in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivePause {
    /// Why the clocks are paused.
    pub reason: String,
    /// Who the provider waits on.
    pub waiting_on: Option<String>,
    /// Since when: the `paused` event that set the current reason.
    pub since: Timestamp,
}

/// A stretch during which the ticket's clocks were paused (SPEC §5: every
/// pause is recorded, so both parties see which delay was whose). A change
/// of reason while paused ends one stretch and starts the next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PauseSpan {
    /// Why.
    pub reason: String,
    /// Who the provider waited on, as first recorded.
    pub waiting_on: Option<String>,
    /// When the pause (this reason) began.
    pub from: Timestamp,
    /// When it ended; `None` while it lasts at the evaluation instant.
    pub to: Option<Timestamp>,
}

/// The state of one clock (SPEC §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ClockState {
    /// Live, counting, within target.
    Running,
    /// Live, paused, within target.
    Paused,
    /// Live, elapsed over target (also while paused).
    Overdue,
    /// Stopped within target (elapsed <= target).
    Met,
    /// Stopped over target.
    Missed,
}

impl ClockState {
    /// The name used in machine output.
    pub fn as_str(self) -> &'static str {
        match self {
            ClockState::Running => "running",
            ClockState::Paused => "paused",
            ClockState::Overdue => "overdue",
            ClockState::Met => "met",
            ClockState::Missed => "missed",
        }
    }

    /// Whether the clock has stopped.
    pub fn is_stopped(self) -> bool {
        matches!(self, ClockState::Met | ClockState::Missed)
    }
}

impl fmt::Display for ClockState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// When a clock reaches a share of its target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThresholdCrossing {
    /// The share of the target (`0.75` is 75 %; `1` is the target itself).
    pub share: Decimal,
    /// The elapsed time at which it is crossed: `ceil(target × share)`.
    pub threshold: BusinessDuration,
    /// Whether it has been crossed by the evaluation instant.
    pub crossed: bool,
    /// When: the past instant if crossed; else, for a running clock, the
    /// future instant given no further events; `None` for a paused or
    /// stopped clock that has not crossed it.
    pub at: Option<Timestamp>,
}

/// One clock of a ticket: one metric, one cycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clock {
    /// What it measures.
    pub metric: Metric,
    /// Cycle number from 1 (always 1 for first response and resolution).
    pub cycle: u32,
    /// Its state at the evaluation instant.
    pub state: ClockState,
    /// The target: the current priority's for live clocks, the one in force
    /// when it stopped for stopped clocks.
    pub target: BusinessDuration,
    /// Business time while running.
    pub elapsed: BusinessDuration,
    /// Business time while paused, all reasons.
    pub paused: BusinessDuration,
    /// Business time while paused, per reason.
    pub paused_by_reason: BTreeMap<String, BusinessDuration>,
    /// `target - elapsed`, floored at zero.
    pub remaining: BusinessDuration,
    /// `elapsed / target` in percent, truncated to 2 decimals (so 100 % means
    /// the target is reached); `None` for a zero target.
    pub percent_used: Option<Decimal>,
    /// When the target is (or was, for an overdue clock) reached if it keeps
    /// running: `None` while paused or stopped.
    pub deadline: Option<Timestamp>,
    /// For a clock whose elapsed exceeds its target, the earliest instant at
    /// which elapsed equalled the target.
    pub breached_at: Option<Timestamp>,
    /// When the clock (cycle) started.
    pub started_at: Timestamp,
    /// When it stopped, if it did.
    pub stopped_at: Option<Timestamp>,
    /// Warning thresholds, ascending, ending with the target itself.
    pub crossings: Vec<ThresholdCrossing>,
}

impl Clock {
    /// The next threshold (or the target) this clock will cross if nothing
    /// else happens: the first not yet crossed, with its instant. `None`
    /// while paused, once stopped, or when every threshold is behind it.
    /// What a scheduler stores to wake up for the next warning.
    pub fn next_crossing(&self) -> Option<&ThresholdCrossing> {
        self.crossings.iter().find(|c| !c.crossed && c.at.is_some())
    }
}

/// How much of each [`Clock`] to compute.
///
/// Everything but the warning thresholds is cheap: finding when a clock
/// crosses each share of its target walks its running history or the
/// calendar once per share, and `percent_used` is a `Decimal` division.
/// A caller that prints neither (`accord clocks`) asks for [`Detail::Summary`]
/// and the rest of the report is identical.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Detail {
    /// Every field.
    #[default]
    Full,
    /// Every field except [`Clock::crossings`] (left empty) and
    /// [`Clock::percent_used`] (left `None`).
    Summary,
}

/// All clocks of one ticket at an instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketClocks {
    /// The ticket.
    pub ticket: String,
    /// The evaluation instant.
    pub at: Timestamp,
    /// The priority in force.
    pub priority: String,
    /// Open, resolved or closed.
    pub status: TicketStatus,
    /// The pause in force, if any.
    pub pause: Option<ActivePause>,
    /// Every pause of the ticket up to the evaluation instant, in order.
    pub pauses: Vec<PauseSpan>,
    /// Every clock whose metric has a target, by metric then cycle.
    pub clocks: Vec<Clock>,
}

impl TicketClocks {
    /// The clocks of one metric, cycles in order.
    pub fn of(&self, metric: Metric) -> impl Iterator<Item = &Clock> {
        self.clocks.iter().filter(move |c| c.metric == metric)
    }
}
