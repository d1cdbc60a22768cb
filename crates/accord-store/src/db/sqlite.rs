//! The SQLite backend: the shared queries compiled for [`sqlx::Sqlite`].
//! A store has one writer connection (the pool the write methods get) and
//! read-only connections for the reads (`Store::connect`), so writers of
//! one process queue in the pool rather than in SQLite's busy handler.
//! Writers still take the database lock up front with `BEGIN IMMEDIATE`:
//! another process (the CLI beside a server) may write too, two writers
//! never deadlock upgrading a read lock, and a claim of due crossings is
//! exclusive.

use sqlx::{Pool, Transaction};

use crate::Result;

pub(crate) type Db = sqlx::Sqlite;

/// Starts a write transaction holding the database's write lock.
pub(crate) async fn begin_write(pool: &Pool<Db>) -> Result<Transaction<'static, Db>> {
    Ok(pool.begin_with("BEGIN IMMEDIATE").await?)
}

/// Locks a ticket row for the rest of the transaction: nothing to add, the
/// transaction already holds the database's write lock.
pub(crate) const LOCK_ROW: &str = "";

/// Claims tickets with a due crossing: the write lock makes it exclusive.
pub(crate) const CLAIM_SKIP_LOCKED: &str = "";

/// Starts a read-only transaction that sees one consistent snapshot.
pub(crate) const READ_SNAPSHOT: &str = "BEGIN";

#[path = "accounts.rs"]
#[allow(
    clippy::duplicate_mod,
    reason = "compiled once per backend on purpose; see db/mod.rs"
)]
mod accounts;
#[path = "contracts.rs"]
#[allow(
    clippy::duplicate_mod,
    reason = "compiled once per backend on purpose; see db/mod.rs"
)]
mod contracts;
#[path = "invoices.rs"]
#[allow(
    clippy::duplicate_mod,
    reason = "compiled once per backend on purpose; see db/mod.rs"
)]
mod invoices;
#[path = "milestones.rs"]
#[allow(
    clippy::duplicate_mod,
    reason = "compiled once per backend on purpose; see db/mod.rs"
)]
mod milestones;
#[path = "outbox.rs"]
#[allow(
    clippy::duplicate_mod,
    reason = "compiled once per backend on purpose; see db/mod.rs"
)]
mod outbox;
#[path = "schedule.rs"]
#[allow(
    clippy::duplicate_mod,
    reason = "compiled once per backend on purpose; see db/mod.rs"
)]
mod schedule;
#[path = "sessions.rs"]
#[allow(
    clippy::duplicate_mod,
    reason = "compiled once per backend on purpose; see db/mod.rs"
)]
mod sessions;
#[path = "statements.rs"]
#[allow(
    clippy::duplicate_mod,
    reason = "compiled once per backend on purpose; see db/mod.rs"
)]
mod statements;
#[path = "tickets.rs"]
#[allow(
    clippy::duplicate_mod,
    reason = "compiled once per backend on purpose; see db/mod.rs"
)]
mod tickets;
#[path = "time_entries.rs"]
#[allow(
    clippy::duplicate_mod,
    reason = "compiled once per backend on purpose; see db/mod.rs"
)]
mod time_entries;
pub(crate) use accounts::*;
pub(crate) use contracts::*;
pub(crate) use invoices::*;
pub(crate) use milestones::*;
pub(crate) use outbox::*;
pub(crate) use schedule::*;
pub(crate) use sessions::*;
pub(crate) use statements::*;
pub(crate) use tickets::*;
pub(crate) use time_entries::*;
