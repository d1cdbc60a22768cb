//! What the milestone fold produces (SPEC §6): per milestone its baseline and
//! adjusted due dates, its state, its deliverables, its pauses and the
//! ledger of every change of its adjusted date. Data only; the rules are in
//! `fold`.

use std::fmt;

use jiff::Timestamp;
use jiff::civil::Date;

use crate::contract::ContactRef;

/// A milestone's state, in the SPEC's order of precedence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MilestoneState {
    /// Completed on or before the adjusted due date.
    Met,
    /// Completed after the adjusted due date: the provider's miss.
    Missed,
    /// Not completed, and today is past the adjusted due date.
    Overdue,
    /// A deliverable is overdue or the milestone is paused.
    WaitingOnClient,
    /// None of the above.
    OnTrack,
}

impl MilestoneState {
    /// The name used in machine output.
    pub fn as_str(self) -> &'static str {
        match self {
            MilestoneState::Met => "met",
            MilestoneState::Missed => "missed",
            MilestoneState::Overdue => "overdue",
            MilestoneState::WaitingOnClient => "waiting_on_client",
            MilestoneState::OnTrack => "on_track",
        }
    }
}

impl fmt::Display for MilestoneState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One deliverable of a milestone as of the evaluation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliverableStatus {
    /// Its name: its id, or its 1-based position.
    pub name: String,
    /// What is owed.
    pub what: String,
    /// Who owes it.
    pub owner: ContactRef,
    /// When it is due.
    pub due: Date,
    /// The date of its first receipt, if received.
    pub received: Option<Date>,
    /// Business days of delay: in `(due, received]`, or `(due, today]` while
    /// outstanding (both capped at the completion date).
    pub days_late: i64,
    /// Not received and due before today.
    pub overdue: bool,
    /// The pause reason its late delivery counts as.
    pub reason: String,
}

/// A pause of a milestone: `(from, to]` (to today while it lasts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PauseStatus {
    /// Why it paused.
    pub reason: String,
    /// The date it paused.
    pub from: Date,
    /// The date it resumed; `None` while it lasts.
    pub to: Option<Date>,
    /// Business days in its own range (overlaps with other delays included).
    pub days: i64,
    /// Who paused it.
    pub by: Option<String>,
    /// The evidence recorded with it.
    pub note: Option<String>,
}

/// What moved the adjusted due date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cause {
    /// A deliverable received late, or still outstanding.
    Deliverable {
        /// The deliverable's name.
        name: String,
        /// What it is.
        what: String,
        /// The pause reason its late delivery counts as.
        reason: String,
    },
    /// A pause of the milestone.
    Pause {
        /// Its reason.
        reason: String,
    },
    /// A manual shift.
    Shift {
        /// The agreed reason.
        reason: String,
    },
}

impl Cause {
    /// `deliverable`, `pause` or `shift`.
    pub fn kind(&self) -> &'static str {
        match self {
            Cause::Deliverable { .. } => "deliverable",
            Cause::Pause { .. } => "pause",
            Cause::Shift { .. } => "shift",
        }
    }

    /// The reason: the deliverable's pause reason, the pause's, or the shift's.
    pub fn reason(&self) -> &str {
        match self {
            Cause::Deliverable { reason, .. }
            | Cause::Pause { reason }
            | Cause::Shift { reason } => reason,
        }
    }
}

/// One change of a milestone's adjusted due date, with its cause. A run of
/// consecutive days of delay of one cause is one entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEntry {
    /// The first day the change took effect (a day of delay counts from its
    /// start; a shift from the date it was recorded).
    pub on: Date,
    /// The last day of the run (`on` for a shift).
    pub through: Date,
    /// What caused it.
    pub cause: Cause,
    /// Business days the adjusted date moved (negative: brought forward).
    pub days: i64,
    /// The adjusted due date before.
    pub from: Date,
    /// The adjusted due date after.
    pub to: Date,
    /// Who recorded the event behind it, if known.
    pub by: Option<String>,
    /// The note of the event behind it, if any.
    pub note: Option<String>,
}

/// A milestone as of the evaluation instant (SPEC §6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MilestoneOutcome {
    /// The milestone's id.
    pub milestone: String,
    /// Its name.
    pub name: String,
    /// The calendar whose business days move it.
    pub calendar: String,
    /// The planned due date.
    pub baseline_due: Date,
    /// The baseline moved by client delay and shifts.
    pub adjusted_due: Date,
    /// Business days in the union of the deliverables' delays and pauses.
    pub client_delay_days: i64,
    /// The sum of the manual shifts.
    pub shift_days: i64,
    /// The state.
    pub state: MilestoneState,
    /// The date of completion (the first `completed`, else the first
    /// `accepted`).
    pub completed: Option<Date>,
    /// The date of the client's sign-off.
    pub accepted: Option<Date>,
    /// "Today": the date of the evaluation instant in the calendar's zone.
    pub today: Date,
    /// The deliverables, in the contract's order.
    pub deliverables: Vec<DeliverableStatus>,
    /// The pauses, in order.
    pub pauses: Vec<PauseStatus>,
    /// Every change of the adjusted due date, in order.
    pub ledger: Vec<LedgerEntry>,
    /// The next instant this outcome changes if no event arrives (a
    /// deliverable falls overdue, a delay grows by a day, the adjusted date
    /// passes); `None` once completed.
    pub next_change_at: Option<Timestamp>,
}
