//! SLA clocks: what each response, resolution and update clock of a ticket
//! says, as a pure function of the contract, the ticket's events and the
//! evaluation instant (SPEC §4, §5, §10).
//!
//! - `event`: [`TicketEvent`], the event log's entries, read from JSON Lines
//!   or CSV;
//! - `policy`: [`ClockPolicy`], what the clocks need of a contract;
//! - `engine`: [`evaluate`], one ticket's events to its [`TicketClocks`];
//! - `outcome`: [`TicketClocks`] and the other types an evaluation produces;
//! - `error`: [`EventError`] (reading events) and [`ClockError`] (evaluating).

mod engine;
mod error;
mod event;
mod metric;
mod outcome;
mod policy;

pub use engine::{canonical, evaluate, evaluate_before, evaluate_with};
pub use error::{ClockError, EventError, EventRef};
pub use event::{CsvColumns, EventKind, TicketEvent};
pub(crate) use event::{parse_instant, required_for};
pub use metric::Metric;
pub use outcome::{
    ActivePause, Clock, ClockState, Detail, PauseSpan, ThresholdCrossing, TicketClocks,
    TicketStatus,
};
pub use policy::{ClockPolicy, MissingCalendar, PriorityTargets};

#[cfg(test)]
mod tests;
