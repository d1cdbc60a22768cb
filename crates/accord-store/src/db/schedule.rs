//! The scheduler (SPEC §4 "exactly one event per clock and threshold, even
//! with several servers running"; §7): due work of every kind, one row per
//! (kind, subject) in `scheduled_jobs`, claimed exactly once.
//!
//! A domain keeps its jobs up to date in the transaction that changes what
//! they depend on ([`set_job`]); a claim takes due rows (PostgreSQL: `FOR
//! UPDATE SKIP LOCKED`, so servers take disjoint jobs; SQLite: under the
//! `BEGIN IMMEDIATE` write lock) and runs each kind's handler in the claim
//! transaction, which reschedules or removes the job and writes the
//! messages it causes to the outbox. A handler that finds its subject held
//! by another transaction leaves the job as it is: the holder rewrites it.
//! Compiled once per backend (see `db/mod.rs`).

use jiff::Timestamp;
use sqlx::{AssertSqlSafe, Pool, Row};

use super::{
    CLAIM_SKIP_LOCKED, Db, MILESTONE_CHANGE, STATEMENT_PERIOD_END, begin_write, fire_crossings,
    run_milestone_job, run_statement_job,
};
use crate::db::{VersionCache, ms, opt_ts, ts};
use crate::model::Fired;
use crate::{Error, Result};

type Conn = <Db as sqlx::Database>::Connection;

/// A ticket's next threshold crossing (subject: the ticket id).
pub(crate) const CROSSING: &str = "clock.crossing";

/// Every kind this version runs; a kind written by a newer server is left
/// to it, neither claimed nor waited for.
const KINDS: &str = "('clock.crossing', 'milestone.change', 'statement.period_end')";

/// Sets the job of `kind` for `subject` to fall due at `due_at` (Unix ms),
/// or removes it for `None`, in the caller's transaction.
pub(crate) async fn set_job(
    conn: &mut Conn,
    kind: &str,
    subject: &str,
    due_at: Option<i64>,
) -> Result<()> {
    match due_at {
        Some(at) => {
            sqlx::query(
                "INSERT INTO scheduled_jobs (kind, subject, due_at) VALUES ($1, $2, $3)
                 ON CONFLICT (kind, subject) DO UPDATE SET due_at = excluded.due_at",
            )
            .bind(kind)
            .bind(subject)
            .bind(at)
            .execute(&mut *conn)
            .await?
        }
        None => {
            sqlx::query("DELETE FROM scheduled_jobs WHERE kind = $1 AND subject = $2")
                .bind(kind)
                .bind(subject)
                .execute(&mut *conn)
                .await?
        }
    };
    Ok(())
}

/// Claims up to `limit` jobs due by `now` and runs them.
pub(crate) async fn claim_due(
    pool: &Pool<Db>,
    cache: &VersionCache,
    now: Timestamp,
    limit: u32,
) -> Result<Fired> {
    let mut tx = begin_write(pool).await?;
    let sql = format!(
        "SELECT kind, subject, due_at FROM scheduled_jobs WHERE due_at <= $1 AND kind IN {KINDS}
         ORDER BY due_at LIMIT $2{CLAIM_SKIP_LOCKED}"
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(ms(now))
        .bind(i64::from(limit))
        .fetch_all(&mut *tx)
        .await?;
    let mut fired = Fired::default();
    let mut webhooks = None;
    for r in &rows {
        let (kind, subject): (String, String) = (r.try_get("kind")?, r.try_get("subject")?);
        match kind.as_str() {
            CROSSING => {
                if let Some(crossings) =
                    fire_crossings(&mut tx, cache, &subject, now, &mut webhooks).await?
                {
                    fired.jobs += 1;
                    fired.crossings.extend(crossings);
                }
            }
            MILESTONE_CHANGE => {
                fired.jobs += 1;
                fired.milestone_notices +=
                    run_milestone_job(&mut tx, cache, &subject, now, &mut webhooks).await?;
            }
            STATEMENT_PERIOD_END => {
                let due_at = ts(r.try_get("due_at")?)?;
                fired.jobs += 1;
                if run_statement_job(&mut tx, cache, &subject, due_at, now).await? {
                    fired.statements += 1;
                }
            }
            other => {
                return Err(Error::Internal(format!(
                    "claimed a job of unknown kind `{other}`"
                )));
            }
        }
    }
    tx.commit().await.map_err(Error::from)?;
    Ok(fired)
}

/// The earliest instant at which a job falls due, for the scheduler's sleep.
pub(crate) async fn next_due_at(pool: &Pool<Db>) -> Result<Option<Timestamp>> {
    // Walks the due_at index from the start and stops at the first job of a
    // kind this version runs (MIN with that filter would read every job).
    let sql =
        format!("SELECT due_at FROM scheduled_jobs WHERE kind IN {KINDS} ORDER BY due_at LIMIT 1");
    let row = sqlx::query(AssertSqlSafe(sql)).fetch_optional(pool).await?;
    opt_ts(row.map(|r| r.try_get("due_at")).transpose()?)
}
