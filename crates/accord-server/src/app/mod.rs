//! The application layer: the use cases the JSON API (`api/v1/`) and the
//! web pages (`web/`) share, written once. Handlers parse, authorise, call
//! a function here and render; what a use case also has to do (evaluate
//! clocks as of now with the governing contract version, wake the
//! scheduler, hand fired crossings to delivery, count metrics) happens here
//! and nowhere else. Every "now" comes from the state's time source.
//!
//! - [`contracts`]: stored contract versions, parsed once per process.
//! - [`invoices`]: drafting and issuing a month's invoice, its frozen
//!   documents.
//! - [`milestones`]: contracts' milestone outcomes as of now; their event
//!   log, written by staff.
//! - [`statements`]: compliance statements, drafted and issued; the month
//!   so far for the dashboard.
//! - [`tickets`]: tickets with their clocks as of now; opening and appending
//!   with their side work.
//! - [`time`]: time entries, their approval, periods and timers, with who
//!   may do what.
//!
//! Errors are one [`AppError`], mapped once to an RFC 9457 problem
//! (`ApiError`) and once to an HTML page (`PageError`).

pub mod contracts;
mod error;
pub mod invoices;
pub mod milestones;
pub mod statements;
pub mod tickets;
pub mod time;

pub use error::AppError;

/// The result of a use case.
pub type AppResult<T> = Result<T, AppError>;
