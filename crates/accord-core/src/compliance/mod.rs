//! Compliance statements and service credits (SPEC §7, §10): which clocks
//! count in which reporting period, the share of each objective, the
//! breaches with their cause, paused time by reason beside provider time,
//! and the credits the contract's tiers owe. A pure fold over ticket events
//! that uses the clock engine ([`crate::clock`]) for every clock.
//!
//! - `period`: [`ReportPeriod`], months and quarters of the reporting zone;
//! - `counting`: which clocks of a ticket count in which period;
//! - `objectives`: [`Share`] (exact) and [`Status`] of each objective;
//! - `credits`: tiers, the cap and rounding to the currency's minor unit;
//! - `statement`: [`Tally`], the fold, and [`Statement`], its result;
//! - `sections`: the milestones and hours sections, from the milestone fold
//!   and billed time;
//! - `json`: the statement's machine output (SPEC §10), the one writer the
//!   CLI and the service share.

mod counting;
mod credits;
mod json;
mod objectives;
mod period;
mod sections;
mod statement;

pub use crate::billing::round_money;
pub use counting::{ClockId, CountedClock, LastEvent, Outcome};
pub use credits::{CreditLine, CreditsDue, minor_unit_digits, tier_for};
pub use json::statement_json;
pub use objectives::{ObjectiveResult, Share, Status};
pub use period::{PeriodError, ReportPeriod};
pub use sections::{ActivityHours, Hours, MilestoneLine, hours_by_activity, milestone_lines};
pub use statement::{Statement, StatementError, Tally, statements, statements_as_of};

#[cfg(test)]
mod tests;
