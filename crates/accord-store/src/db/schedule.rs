//! Scheduled threshold crossings (SPEC §4 "exactly one event per clock and
//! threshold, even with several servers running"; §7).
//!
//! Each ticket row carries the earliest `next_crossing_at` of its clocks. A
//! claim takes due tickets (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so two
//! servers take disjoint tickets; SQLite: under the `BEGIN IMMEDIATE` write
//! lock), recomputes their clocks at `now`, and records each crossing in
//! `fired_crossings`, whose key (ticket, metric, cycle, share) makes a
//! second firing impossible. Compiled once per backend (see `db/mod.rs`).

use accord_core::clock::Metric;
use jiff::Timestamp;
use sqlx::{AssertSqlSafe, Pool, Row};

use super::{
    CLAIM_SKIP_LOCKED, Db, begin_write, enqueue, recompute, subscribers, warning_contacts,
};
use crate::db::{PolicyCache, ms, opt_ts, parse_metric, parse_status, to_u32, ts};
use crate::ids::{ClientId, TicketId};
use crate::model::{FiredCrossing, Ticket};
use crate::{Error, Result};

pub(crate) async fn claim_due_crossings(
    pool: &Pool<Db>,
    cache: &PolicyCache,
    now: Timestamp,
    limit: u32,
) -> Result<Vec<FiredCrossing>> {
    let mut tx = begin_write(pool).await?;
    let sql = format!(
        "SELECT id, client_id, key, contract_id, contract_version, opened_at, priority, status
         FROM tickets WHERE next_crossing_at <= $1
         ORDER BY next_crossing_at LIMIT $2{CLAIM_SKIP_LOCKED}"
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(ms(now))
        .bind(i64::from(limit))
        .fetch_all(&mut *tx)
        .await?;
    let mut fired = Vec::new();
    // Read once per claim, and only when something fires.
    let mut webhooks = None;
    for r in &rows {
        let ticket = Ticket {
            id: TicketId::from_db(r.try_get("id")?),
            client: ClientId::from_db(r.try_get("client_id")?),
            key: r.try_get("key")?,
            contract_id: r.try_get("contract_id")?,
            contract_version: to_u32(r.try_get("contract_version")?, "contract version")?,
            opened_at: ts(r.try_get("opened_at")?)?,
            priority: r.try_get("priority")?,
            status: parse_status(&r.try_get::<String, _>("status")?)?,
        };
        let due = sqlx::query(
            "SELECT metric, cycle, next_crossing_at FROM clocks
             WHERE ticket_id = $1 AND next_crossing_at <= $2",
        )
        .bind(ticket.id.as_str())
        .bind(ms(now))
        .fetch_all(&mut *tx)
        .await?;
        let mut due_clocks: Vec<(Metric, u32, Timestamp)> = Vec::with_capacity(due.len());
        for d in &due {
            due_clocks.push((
                parse_metric(&d.try_get::<String, _>("metric")?)?,
                to_u32(d.try_get("cycle")?, "cycle")?,
                ts(d.try_get("next_crossing_at")?)?,
            ));
        }
        let clocks = recompute(&mut tx, cache, &ticket, now).await?;
        let mut contacts = None;
        for (metric, cycle, scheduled) in due_clocks {
            let Some(clock) = clocks
                .clocks
                .iter()
                .find(|c| c.metric == metric && c.cycle == cycle)
            else {
                continue;
            };
            // The scheduled crossing, and any later one also passed by now
            // (a monitor that was down catches up; earlier ones are history).
            for crossing in clock.crossings.iter().filter(|c| c.crossed) {
                let Some(at) = crossing.at.filter(|at| *at >= scheduled) else {
                    continue;
                };
                let share = crossing.share.normalize();
                let inserted = sqlx::query(
                    "INSERT INTO fired_crossings
                     (ticket_id, metric, cycle, share, threshold_secs, crossed_at, fired_at,
                      contract_version)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
                )
                .bind(ticket.id.as_str())
                .bind(metric.as_str())
                .bind(i64::from(cycle))
                .bind(share.to_string())
                .bind(crossing.threshold.as_secs())
                .bind(ms(at))
                .bind(ms(now))
                .bind(i64::from(ticket.contract_version))
                .execute(&mut *tx)
                .await?;
                if inserted.rows_affected() == 1 {
                    let firing = FiredCrossing {
                        ticket: ticket.id.clone(),
                        ticket_key: ticket.key.clone(),
                        client: ticket.client.clone(),
                        metric,
                        cycle,
                        share,
                        threshold_secs: crossing.threshold.as_secs(),
                        crossed_at: at,
                    };
                    // Its notifications commit or roll back with the firing.
                    let hooks = match &mut webhooks {
                        Some(h) => h,
                        None => webhooks.insert(subscribers(&mut tx).await?),
                    };
                    let to = match &mut contacts {
                        Some(c) => c,
                        None => contacts.insert(
                            warning_contacts(&mut tx, &ticket.contract_id, ticket.contract_version)
                                .await?,
                        ),
                    };
                    enqueue(&mut tx, &ticket, &firing, hooks, to, now).await?;
                    fired.push(firing);
                }
            }
        }
    }
    tx.commit().await.map_err(Error::from)?;
    Ok(fired)
}

/// The earliest scheduled crossing of any ticket, for the monitor's sleep.
pub(crate) async fn next_crossing_at(pool: &Pool<Db>) -> Result<Option<Timestamp>> {
    let row = sqlx::query(
        "SELECT MIN(next_crossing_at) AS at FROM tickets WHERE next_crossing_at IS NOT NULL",
    )
    .fetch_one(pool)
    .await?;
    opt_ts(row.try_get("at")?)
}
