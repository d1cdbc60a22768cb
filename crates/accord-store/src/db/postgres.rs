//! The PostgreSQL backend: the shared queries compiled for
//! [`sqlx::Postgres`]. A ticket being changed is locked with `FOR UPDATE`;
//! the scheduler claims due jobs with `FOR UPDATE SKIP LOCKED`, so several
//! servers share the work and never fire a crossing twice.

use sqlx::{Pool, Transaction};

use crate::Result;

pub(crate) type Db = sqlx::Postgres;

/// Starts a write transaction (READ COMMITTED; rows are locked explicitly).
pub(crate) async fn begin_write(pool: &Pool<Db>) -> Result<Transaction<'static, Db>> {
    Ok(pool.begin().await?)
}

/// Locks a ticket row for the rest of the transaction.
pub(crate) const LOCK_ROW: &str = " FOR UPDATE";

/// Claims tickets with a due crossing, skipping those another server holds.
pub(crate) const CLAIM_SKIP_LOCKED: &str = " FOR UPDATE SKIP LOCKED";

/// Starts a read-only transaction that sees one consistent snapshot.
pub(crate) const READ_SNAPSHOT: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

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
