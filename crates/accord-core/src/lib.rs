//! Accord's pure core: the meaning of the product (see `SPEC.md`) as functions
//! of their inputs. Nothing here reads a clock, a socket, a database or a
//! terminal: every rule that needs "now" takes the instant as an argument, so
//! that every rule is testable and replayable.
//!
//! - [`billing`]: invoices from time entries and billing terms (SPEC §8).
//! - [`calendar`]: support calendars and business time (SPEC §3).
//! - [`clock`]: SLA clocks from ticket events (SPEC §4, §5).
//! - [`compliance`]: statements and service credits per period (SPEC §7).
//! - [`contract`]: the contract file, parsed with precise diagnostics (SPEC §2, §10).
//! - [`csv`]: the one CSV reader of every CSV import (SPEC §10).
//! - [`instant`]: how instants are printed (SPEC §10).
//! - [`milestone`]: milestone due dates moved by client delay, with their ledger (SPEC §6, §10).
//! - [`time`]: time entries, read strictly from JSON Lines or CSV (SPEC §8, §10).
//! - [`duration`]: business durations such as `"1h30m"`.
//! - [`diagnostic`]: errors that name file, line and column.

pub mod billing;
pub mod calendar;
pub mod clock;
pub mod compliance;
pub mod contract;
pub mod csv;
pub mod diagnostic;
pub mod duration;
pub mod instant;
mod json_members;
pub mod milestone;
pub mod time;

pub use calendar::Calendar;
pub use diagnostic::Diagnostic;
pub use duration::BusinessDuration;
