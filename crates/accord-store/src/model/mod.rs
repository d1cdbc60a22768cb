//! What the store's methods take and return (SPEC §1, §2, §4): plain values,
//! instants as [`Timestamp`](jiff::Timestamp), durations as whole seconds, one file per domain.

mod accounts;
mod contracts;
mod invoices;
mod milestones;
mod outbox;
mod schedule;
mod sessions;
mod statements;
mod tickets;
mod time_entries;

pub use accounts::*;
pub use contracts::*;
pub use invoices::*;
pub use milestones::*;
pub use outbox::*;
pub use schedule::*;
pub use sessions::*;
pub use statements::*;
pub use tickets::*;
pub use time_entries::*;
