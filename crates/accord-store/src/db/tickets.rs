//! Tickets, their append-only event logs and their derived clocks (SPEC §4,
//! §5, §9). Every change to a ticket's events recomputes its clocks with the
//! core's `evaluate` and rewrites the clock rows in the same transaction.
//! Compiled once per backend (see `db/mod.rs`).

use std::collections::HashMap;

use accord_core::clock::{
    Clock, ClockState, EventKind, ThresholdCrossing, TicketClocks, TicketEvent, TicketStatus,
    canonical, evaluate,
};
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use rust_decimal::Decimal;
use sqlx::{AssertSqlSafe, Pool, Row};

use super::{
    CLAIM_SKIP_LOCKED, CROSSING, Db, LOCK_ROW, Message, READ_SNAPSHOT, Subscriber, begin_write,
    contract_term, enqueue, parsed, set_job, subscribers, warning_contacts,
};
use crate::db::{
    EventColumns, FUTURE_SKEW_MS, VersionCache, event_key, key_number, kind_columns, ms, opt_ts,
    parse_metric, parse_state, parse_status, status_str, to_u32, ts,
};
use crate::ids::{ClientId, TicketId};
use crate::model::{
    Appended, AtRisk, ClockOutcome, CrossingKind, CrossingPayload, FiredCrossing, NewTicket,
    PayloadClient, PayloadContract, PayloadTicket, StoredClock, Ticket, TicketFilter,
    TicketWithClocks,
};
use crate::{Error, Result, Tenant};

type Conn = <Db as sqlx::Database>::Connection;

const TICKET_COLUMNS: &str =
    "id, client_id, key, contract_id, contract_version, opened_at, priority, status";

fn ticket_from_row(r: &<Db as sqlx::Database>::Row) -> Result<Ticket> {
    Ok(Ticket {
        id: TicketId::from_db(r.try_get("id")?),
        client: ClientId::from_db(r.try_get("client_id")?),
        key: r.try_get("key")?,
        contract_id: r.try_get("contract_id")?,
        contract_version: to_u32(r.try_get("contract_version")?, "contract version")?,
        opened_at: ts(r.try_get("opened_at")?)?,
        priority: r.try_get("priority")?,
        status: parse_status(&r.try_get::<String, _>("status")?)?,
    })
}

/// Reads a ticket the tenant may see; with `lock`, locks it for the
/// transaction (PostgreSQL) so that changes to one ticket are serialised.
async fn find_ticket(
    conn: &mut Conn,
    tenant: &Tenant,
    id: &TicketId,
    lock: bool,
) -> Result<Option<Ticket>> {
    let sql = format!(
        "SELECT {TICKET_COLUMNS} FROM tickets WHERE id = $1 AND ($2 IS NULL OR client_id = $2){}",
        if lock { LOCK_ROW } else { "" }
    );
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(id.as_str())
        .bind(tenant.client_filter())
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(ticket_from_row).transpose()
}

/// The ticket with this id, if the tenant may see it.
pub(crate) async fn ticket(
    pool: &Pool<Db>,
    tenant: &Tenant,
    id: &TicketId,
) -> Result<Option<Ticket>> {
    let mut conn = pool.acquire().await?;
    find_ticket(&mut conn, tenant, id, false).await
}

pub(crate) async fn ticket_by_key(
    pool: &Pool<Db>,
    tenant: &Tenant,
    client: &ClientId,
    key: &str,
) -> Result<Option<Ticket>> {
    if !tenant.can_see(client) {
        return Ok(None);
    }
    let sql = format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE client_id = $1 AND key = $2");
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(client.as_str())
        .bind(key)
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(ticket_from_row).transpose()
}

/// The event as the store keeps it: to the whole second, like the core's parsers.
fn normalised(e: &TicketEvent) -> TicketEvent {
    let mut e = e.clone();
    e.at = Timestamp::from_second(e.at.as_second()).unwrap_or(e.at);
    e
}

const EVENT_COLUMNS: &str =
    "seq, event_key, event_id, kind, at, priority, reason, waiting_on, note, by_whom";

/// A ticket's stored events in arrival order, with their idempotency keys.
async fn load_keyed_events(conn: &mut Conn, ticket: &Ticket) -> Result<Vec<(String, TicketEvent)>> {
    let sql =
        format!("SELECT {EVENT_COLUMNS} FROM ticket_events WHERE ticket_id = $1 ORDER BY seq");
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(ticket.id.as_str())
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| {
            let key: String = r.try_get("event_key")?;
            Ok((key, event_columns_from_row(r)?.into_event(&ticket.key)?))
        })
        .collect()
}

async fn load_events(conn: &mut Conn, ticket: &Ticket) -> Result<Vec<TicketEvent>> {
    Ok(load_keyed_events(conn, ticket)
        .await?
        .into_iter()
        .map(|(_, e)| e)
        .collect())
}

/// Sorts a batch against the ticket's stored events, without touching the
/// database: exact copies (of a stored event or of an earlier one in the
/// batch) are counted as duplicates; a key reused for a different event, an
/// event of another ticket or one dated too far ahead refuses the batch.
/// Returns the new events with their keys, in batch order.
fn new_events(
    ticket: &Ticket,
    stored: &[(String, TicketEvent)],
    events: &[TicketEvent],
    now: Timestamp,
) -> Result<(Vec<(String, TicketEvent)>, usize)> {
    let known: HashMap<&str, &TicketEvent> = stored.iter().map(|(k, e)| (k.as_str(), e)).collect();
    let mut fresh: Vec<(String, TicketEvent)> = Vec::new();
    let mut in_batch: HashMap<String, usize> = HashMap::new();
    let mut duplicates = 0;
    for e in events {
        let e = normalised(e);
        if e.ticket != ticket.key {
            return Err(Error::WrongTicket {
                expected: ticket.key.clone(),
                found: e.ticket,
            });
        }
        if ms(e.at) > ms(now) + FUTURE_SKEW_MS {
            return Err(Error::Invalid(format!(
                "the `{}` event at {} is in the future (now is {now})",
                e.kind, e.at
            )));
        }
        let key = event_key(&e);
        let seen = known
            .get(key.as_str())
            .copied()
            .or_else(|| in_batch.get(&key).map(|&i| &fresh[i].1));
        match seen {
            Some(old) if old.same_event(&e) => duplicates += 1,
            Some(_) => {
                return Err(Error::ConflictingEvent {
                    id: e.id.clone().unwrap_or(key),
                });
            }
            None => {
                in_batch.insert(key.clone(), fresh.len());
                fresh.push((key, e));
            }
        }
    }
    Ok((fresh, duplicates))
}

/// Rows of one multi-row INSERT: 11 parameters a row keeps a statement far
/// below both engines' limits, and few distinct statement texts are cached.
const INSERT_CHUNK: usize = 64;

/// Writes new events with multi-row INSERTs, in the order given, and sets
/// each event's `seq` to the one the database assigned it.
async fn insert_rows(
    conn: &mut Conn,
    ticket: &Ticket,
    fresh: &mut [(String, TicketEvent)],
    now: Timestamp,
) -> Result<()> {
    for chunk in fresh.chunks_mut(INSERT_CHUNK) {
        let mut sql = String::from(
            "INSERT INTO ticket_events
             (ticket_id, event_key, event_id, kind, at, priority, reason, waiting_on, note, by_whom, recorded_at)
             VALUES ",
        );
        for i in 0..chunk.len() {
            let b = i * 11;
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for c in 1..=11 {
                if c > 1 {
                    sql.push_str(", ");
                }
                sql.push_str(&format!("${}", b + c));
            }
            sql.push(')');
        }
        sql.push_str(" RETURNING seq, event_key");
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for (key, e) in chunk.iter() {
            let (kind, priority, reason, waiting_on) = kind_columns(&e.kind);
            q = q
                .bind(ticket.id.as_str())
                .bind(key.as_str())
                .bind(e.id.as_deref())
                .bind(kind)
                .bind(ms(e.at))
                .bind(priority)
                .bind(reason)
                .bind(waiting_on)
                .bind(e.note.as_deref())
                .bind(e.by.as_deref())
                .bind(ms(now));
        }
        // Keys are unique per ticket, so each returned row names its event.
        for r in q.fetch_all(&mut *conn).await? {
            let (seq, key): (i64, String) = (r.try_get("seq")?, r.try_get("event_key")?);
            if let Some((_, e)) = chunk.iter_mut().find(|(k, _)| *k == key) {
                e.seq = u64::try_from(seq).ok();
            }
        }
    }
    Ok(())
}

/// The events of a ticket after a write that added some.
#[derive(Debug)]
struct Written {
    /// All of them, stored ones first, in arrival order.
    all: Vec<TicketEvent>,
    /// Whether the newest new one is recent (see [`LIVE_WINDOW_MS`]).
    live: bool,
    /// Whether they are the ticket's first: it has no clocks stored yet.
    first: bool,
}

impl Written {
    fn cause(&self) -> Cause {
        Cause::Write {
            live: self.live,
            first: self.first,
        }
    }
}

/// Inserts the new events of a batch; exact copies are skipped, an id reused
/// for a different event fails the whole batch. Returns the ticket's events
/// after the batch when any was new.
async fn insert_events(
    conn: &mut Conn,
    ticket: &Ticket,
    events: &[TicketEvent],
    now: Timestamp,
    first: bool,
) -> Result<(Appended, Option<Written>)> {
    // A ticket being opened has no events yet: nothing to read.
    let stored = if first {
        Vec::new()
    } else {
        load_keyed_events(conn, ticket).await?
    };
    let (fresh, duplicates) = new_events(ticket, &stored, events, now)?;
    let done = Appended {
        inserted: fresh.len(),
        duplicates,
        fired: Vec::new(),
    };
    if fresh.is_empty() {
        return Ok((done, None));
    }
    // Events arriving together are recorded in the canonical order, so the
    // `seq` the service assigns orders one request's events as the core
    // would and only separate requests by arrival.
    let mut fresh = fresh;
    fresh.sort_by(|(_, x), (_, y)| canonical(x, y));
    insert_rows(conn, ticket, &mut fresh, now).await?;
    let newest = fresh
        .iter()
        .map(|(_, e)| ms(e.at))
        .max()
        .unwrap_or(i64::MIN);
    let live = newest >= ms(now) - LIVE_WINDOW_MS;
    let all = stored.into_iter().chain(fresh).map(|(_, e)| e).collect();
    Ok((done, Some(Written { all, live, first })))
}

/// How far behind `now` the newest event of a write may be for the write
/// to be *live*: a live write that carries a clock past thresholds (an
/// upgrade to a priority whose target is already exceeded) has them fired;
/// an import of old history does not notify about its past.
const LIVE_WINDOW_MS: i64 = 60 * 60 * 1000;

/// A clock's schedule as stored before a recomputation rewrote it.
#[derive(Debug)]
pub(crate) struct PriorClock {
    metric: String,
    cycle: i64,
    /// The lowest share not yet fired (or reached) when it was stored.
    next_share: Option<String>,
    /// When that share is (or was) crossed.
    next_crossing_at: Option<i64>,
}

/// The thresholds a live write carried a clock past that were not fired
/// yet: those crossed at or above the share it was waiting for before the
/// write (a clock new with the write: all it has crossed).
fn newly_passed<'a>(
    c: &'a Clock,
    prior: &[PriorClock],
) -> impl Iterator<Item = &'a ThresholdCrossing> {
    let before = prior
        .iter()
        .find(|p| p.metric == c.metric.as_str() && p.cycle == i64::from(c.cycle));
    let from = match before {
        None => Some(Decimal::ZERO),
        Some(p) => p
            .next_share
            .as_deref()
            .and_then(|s| s.parse::<Decimal>().ok()),
    };
    c.crossings
        .iter()
        .filter(move |x| x.crossed && x.at.is_some() && from.is_some_and(|f| x.share >= f))
}

/// Recomputes a ticket's clocks from its stored events at `now` and rewrites
/// its clock rows, derived ticket columns and crossing job. Must run inside
/// the write transaction that changed the events (or claimed the ticket).
pub(crate) async fn recompute(
    conn: &mut Conn,
    cache: &VersionCache,
    ticket: &Ticket,
    now: Timestamp,
) -> Result<Recomputed> {
    let events = load_events(conn, ticket).await?;
    recompute_from(conn, cache, ticket, &events, now, Cause::Claim).await
}

/// Clock rows of one multi-row INSERT (17 parameters a row).
const CLOCK_CHUNK: usize = 32;

/// [`recompute`] from the ticket's events already at hand (all of them, as
/// stored in this transaction). After a `live` write (see
/// [`LIVE_WINDOW_MS`]) the thresholds it carried a clock past are fired
/// here, in the same transaction: the scheduler waits only for crossings
/// still ahead.
async fn recompute_from(
    conn: &mut Conn,
    cache: &VersionCache,
    ticket: &Ticket,
    events: &[TicketEvent],
    now: Timestamp,
    cause: Cause,
) -> Result<Recomputed> {
    let (live, first) = match cause {
        Cause::Write { live, first } => (live, first),
        Cause::Claim => (false, false),
    };
    let version = parsed(conn, cache, &ticket.contract_id, ticket.contract_version).await?;
    let policy = &version.policy;
    // Events dated slightly ahead of `now` (clock skew) are applied too.
    let latest = events.iter().map(|e| e.at).max().unwrap_or(now);
    let clocks = evaluate(policy, events, now.max(latest))?;
    // A ticket's first events find no clocks to replace.
    let rows = if first {
        Vec::new()
    } else {
        sqlx::query(
            "DELETE FROM clocks WHERE ticket_id = $1
             RETURNING metric, cycle, next_share, next_crossing_at",
        )
        .bind(ticket.id.as_str())
        .fetch_all(&mut *conn)
        .await?
    };
    let prior = rows
        .iter()
        .map(|r| {
            Ok(PriorClock {
                metric: r.try_get("metric")?,
                cycle: r.try_get("cycle")?,
                next_share: r.try_get("next_share")?,
                next_crossing_at: r.try_get("next_crossing_at")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let next_at = clocks
        .clocks
        .iter()
        .filter_map(|c| c.next_crossing().and_then(|n| n.at))
        .map(ms)
        .min();
    let mut at_risk: Option<i64> = None;
    for c in &clocks.clocks {
        if matches!(
            c.state,
            ClockState::Running | ClockState::Paused | ClockState::Overdue
        ) {
            let r = c.remaining.as_secs();
            at_risk = Some(at_risk.map_or(r, |a| a.min(r)));
        }
    }
    for chunk in clocks.clocks.chunks(CLOCK_CHUNK) {
        let mut sql = String::from(
            "INSERT INTO clocks
             (ticket_id, metric, cycle, client_id, state, target_secs, elapsed_secs, paused_secs,
              remaining_secs, started_at, stopped_at, deadline, breached_at, next_share,
              next_threshold_secs, next_crossing_at, evaluated_at)
             VALUES ",
        );
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for c in 1..=17 {
                if c > 1 {
                    sql.push_str(", ");
                }
                sql.push_str(&format!("${}", i * 17 + c));
            }
            sql.push(')');
        }
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for c in chunk {
            let next = c.next_crossing();
            q = q
                .bind(ticket.id.as_str())
                .bind(c.metric.as_str())
                .bind(i64::from(c.cycle))
                .bind(ticket.client.as_str())
                .bind(c.state.as_str())
                .bind(c.target.as_secs())
                .bind(c.elapsed.as_secs())
                .bind(c.paused.as_secs())
                .bind(c.remaining.as_secs())
                .bind(ms(c.started_at))
                .bind(c.stopped_at.map(ms))
                .bind(c.deadline.map(ms))
                .bind(c.breached_at.map(ms))
                .bind(next.map(|n| n.share.normalize().to_string()))
                .bind(next.map(|n| n.threshold.as_secs()))
                .bind(next.and_then(|n| n.at).map(ms))
                .bind(ms(clocks.at));
        }
        q.execute(&mut *conn).await?;
    }
    if clocks.status != TicketStatus::Open {
        at_risk = None;
    }
    sqlx::query(
        "UPDATE tickets SET priority = $1, status = $2, at_risk_secs = $3, updated_at = $4
         WHERE id = $5",
    )
    .bind(&clocks.priority)
    .bind(status_str(clocks.status))
    .bind(at_risk)
    .bind(ms(now))
    .bind(ticket.id.as_str())
    .execute(&mut *conn)
    .await?;
    // The job mirrors the clock rows' earliest crossing: rewritten when that
    // changed, and always by a claim (so a due job never stays due).
    let before = prior.iter().filter_map(|p| p.next_crossing_at).min();
    if matches!(cause, Cause::Claim) || before != next_at {
        set_job(conn, CROSSING, ticket.id.as_str(), next_at).await?;
    }
    let mut fired = Vec::new();
    if live {
        let mut audience = Audience::default();
        for c in &clocks.clocks {
            for crossing in newly_passed(c, &prior) {
                fired.extend(fire(conn, cache, ticket, c, crossing, now, &mut audience).await?);
            }
        }
    }
    Ok(Recomputed {
        clocks,
        prior,
        fired,
    })
}

/// Why a ticket's clocks are recomputed.
#[derive(Debug, Clone, Copy)]
enum Cause {
    /// Events were written: `live` as for [`LIVE_WINDOW_MS`], `first` when
    /// they are the ticket's first (no clocks stored yet).
    Write { live: bool, first: bool },
    /// The scheduler claimed the ticket's crossing job.
    Claim,
}

/// What a recomputation found.
#[derive(Debug)]
pub(crate) struct Recomputed {
    clocks: TicketClocks,
    /// The clocks' schedule before it.
    prior: Vec<PriorClock>,
    /// Crossings a live write carried clocks past, fired with it.
    fired: Vec<FiredCrossing>,
}

/// The crossing job of one ticket (SPEC §4: each threshold fires once).
/// Locks the ticket unless another transaction holds it (then `None`: the
/// holder reschedules it), recomputes its clocks at `now`, and fires each
/// due clock's scheduled crossing and every later one also passed (a
/// scheduler that was down catches up; earlier ones are history), with
/// their outbox messages, in the claim transaction. A firing is a row of
/// `fired_crossings`, whose key (ticket, metric, cycle, share) can be
/// inserted once, whoever tries.
pub(crate) async fn fire_crossings(
    conn: &mut Conn,
    cache: &VersionCache,
    ticket_id: &str,
    now: Timestamp,
    webhooks: &mut Option<Vec<Subscriber>>,
) -> Result<Option<Vec<FiredCrossing>>> {
    let sql = format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE id = $1{CLAIM_SKIP_LOCKED}");
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(ticket_id)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let ticket = ticket_from_row(&row)?;
    let Recomputed { clocks, prior, .. } = recompute(conn, cache, &ticket, now).await?;
    let mut audience = Audience {
        webhooks: webhooks.take(),
        ticket: None,
    };
    let mut fired = Vec::new();
    let due = prior
        .iter()
        .filter_map(|p| Some((p, p.next_crossing_at.filter(|at| *at <= ms(now))?)));
    for (p, scheduled) in due {
        let Some(clock) = clocks
            .clocks
            .iter()
            .find(|c| c.metric.as_str() == p.metric && i64::from(c.cycle) == p.cycle)
        else {
            continue;
        };
        let passed = clock
            .crossings
            .iter()
            .filter(|c| c.crossed && c.at.is_some_and(|at| ms(at) >= scheduled));
        for crossing in passed {
            fired.extend(fire(conn, cache, &ticket, clock, crossing, now, &mut audience).await?);
        }
    }
    *webhooks = audience.webhooks;
    Ok(Some(fired))
}

/// Who hears of a ticket's crossings, read on first use: the webhooks (for
/// a whole claim) and the ticket's client name and warning contacts.
#[derive(Debug, Default)]
struct Audience {
    webhooks: Option<Vec<Subscriber>>,
    ticket: Option<(String, Vec<(String, String)>)>,
}

/// Fires one crossed threshold of a ticket's clock, once: its row in
/// `fired_crossings` (whose key makes a second insert do nothing, whoever
/// tries) and its outbox messages, in the caller's transaction. `None` if it
/// had fired already.
async fn fire(
    conn: &mut Conn,
    cache: &VersionCache,
    ticket: &Ticket,
    clock: &Clock,
    crossing: &ThresholdCrossing,
    now: Timestamp,
    audience: &mut Audience,
) -> Result<Option<FiredCrossing>> {
    let Some(at) = crossing.at else {
        return Ok(None);
    };
    let share = crossing.share.normalize();
    let inserted = sqlx::query(
        "INSERT INTO fired_crossings
         (ticket_id, metric, cycle, share, threshold_secs, crossed_at, fired_at, contract_version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
    )
    .bind(ticket.id.as_str())
    .bind(clock.metric.as_str())
    .bind(i64::from(clock.cycle))
    .bind(share.to_string())
    .bind(crossing.threshold.as_secs())
    .bind(ms(at))
    .bind(ms(now))
    .bind(i64::from(ticket.contract_version))
    .execute(&mut *conn)
    .await?;
    if inserted.rows_affected() != 1 {
        return Ok(None);
    }
    let hooks = match &mut audience.webhooks {
        Some(h) => h,
        None => audience.webhooks.insert(subscribers(conn).await?),
    };
    let (client_name, contacts) = match &mut audience.ticket {
        Some(t) => t,
        None => audience.ticket.insert((
            client_name(conn, &ticket.client).await?,
            warning_contacts(conn, cache, &ticket.contract_id, ticket.contract_version).await?,
        )),
    };
    let kind = CrossingKind::of(share);
    let payload = CrossingPayload {
        kind: kind.as_str().to_string(),
        ticket: PayloadTicket {
            id: ticket.id.to_string(),
            key: ticket.key.clone(),
        },
        client: PayloadClient {
            id: ticket.client.to_string(),
            name: client_name.clone(),
        },
        contract: PayloadContract {
            id: ticket.contract_id.clone(),
            version: ticket.contract_version,
        },
        metric: clock.metric.as_str().to_string(),
        cycle: clock.cycle,
        share: share.to_string(),
        threshold_s: crossing.threshold.as_secs(),
        crossed_at: accord_core::instant::format(at),
        fired_at: accord_core::instant::format(now),
    };
    let payload = serde_json::to_string(&payload)
        .map_err(|e| Error::Internal(format!("crossing payload: {e}")))?;
    let message = Message {
        topic: kind.topic(),
        subject: ticket.id.as_str(),
        client: &ticket.client,
        payload: &payload,
    };
    enqueue(conn, &message, hooks, contacts, now).await?;
    Ok(Some(FiredCrossing {
        ticket: ticket.id.clone(),
        ticket_key: ticket.key.clone(),
        client: ticket.client.clone(),
        metric: clock.metric,
        cycle: clock.cycle,
        share,
        threshold_secs: crossing.threshold.as_secs(),
        crossed_at: at,
    }))
}

/// A client's name, for messages.
async fn client_name(conn: &mut Conn, client: &ClientId) -> Result<String> {
    let row = sqlx::query("SELECT name FROM organisations WHERE id = $1")
        .bind(client.as_str())
        .fetch_one(&mut *conn)
        .await?;
    Ok(row.try_get("name")?)
}

/// Records `key` as taken, installation-wide: a key any ticket already has
/// is a conflict. Inside the write transaction that opens the ticket.
async fn take_key(conn: &mut Conn, key: &str, now: Timestamp) -> Result<()> {
    sqlx::query("INSERT INTO ticket_keys (key, number, created_at) VALUES ($1, $2, $3)")
        .bind(key)
        .bind(key_number(key))
        .bind(ms(now))
        .execute(&mut *conn)
        .await
        .map_err(|e| match Error::from(e) {
            Error::Conflict(_) => Error::Conflict(format!("a ticket `{key}`")),
            other => other,
        })?;
    Ok(())
}

/// Takes the next free key `T-n`: one past the highest `n` in use, or the
/// next free one after it. Two transactions that read the same highest `n`
/// meet on the key's primary key: on PostgreSQL the second waits for the
/// first to commit, finds the key taken (`DO NOTHING`) and tries the next;
/// on SQLite the write lock already serialises them.
async fn take_next_key(conn: &mut Conn, now: Timestamp) -> Result<String> {
    let row = sqlx::query("SELECT MAX(number) AS n FROM ticket_keys")
        .fetch_one(&mut *conn)
        .await?;
    let mut n = row.try_get::<Option<i64>, _>("n")?.unwrap_or(0) + 1;
    for _ in 0..1000 {
        let key = format!("T-{n}");
        let taken = sqlx::query(
            "INSERT INTO ticket_keys (key, number, created_at) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING",
        )
        .bind(&key)
        .bind(n)
        .bind(ms(now))
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if taken == 1 {
            return Ok(key);
        }
        n += 1;
    }
    Err(Error::Internal(format!("no free ticket key after T-{n}")))
}

/// The version of `contract_id` that governs a ticket of `client` opened
/// on `day`: the latest in force then, refused when `day` is outside its
/// effective dates (or before the first version's).
async fn governing_version(
    conn: &mut Conn,
    cache: &VersionCache,
    client: &ClientId,
    contract_id: &str,
    day: Date,
) -> Result<u32> {
    let rows = sqlx::query(
        "SELECT version, effective_from FROM contract_versions
         WHERE contract_id = $1 AND client_id = $2
         ORDER BY effective_from DESC, version DESC",
    )
    .bind(contract_id)
    .bind(client.as_str())
    .fetch_all(&mut *conn)
    .await?;
    let mut versions = Vec::with_capacity(rows.len());
    for r in &rows {
        let from: String = r.try_get("effective_from")?;
        versions.push((to_u32(r.try_get("version")?, "contract version")?, from));
    }
    let day_text = day.to_string();
    let chosen = versions
        .iter()
        .find(|(_, from)| from.as_str() <= day_text.as_str())
        .or(versions.last());
    let Some(&(version, _)) = chosen else {
        return Err(Error::NoContractInForce {
            contract: contract_id.to_string(),
            date: day_text,
        });
    };
    let (from, until) = contract_term(conn, cache, contract_id, version).await?;
    if day < from || until.is_some_and(|u| day > u) {
        return Err(Error::OutsideContractDates {
            contract: contract_id.to_string(),
            version,
            date: day,
            effective_from: from,
            effective_until: until,
        });
    }
    Ok(version)
}

pub(crate) async fn open_ticket(
    pool: &Pool<Db>,
    cache: &VersionCache,
    tenant: &Tenant,
    mut new: NewTicket,
    next_key: bool,
    now: Timestamp,
) -> Result<Ticket> {
    if !tenant.can_see(&new.client) {
        return Err(Error::NotFound);
    }
    let EventKind::Opened { priority } = &new.opened.kind else {
        return Err(Error::Invalid(format!(
            "a ticket is opened by an `opened` event, not `{}`",
            new.opened.kind
        )));
    };
    let priority = priority.clone();
    if !next_key {
        let key = new.opened.ticket.trim();
        if key.is_empty() || key != new.opened.ticket {
            return Err(Error::Invalid(
                "a ticket key must be non-empty, without surrounding spaces".into(),
            ));
        }
    }
    let day = TimeZone::UTC.to_datetime(new.opened.at).date();
    let mut tx = begin_write(pool).await?;
    let version = governing_version(&mut tx, cache, &new.client, &new.contract_id, day).await?;
    if next_key {
        new.opened.ticket = take_next_key(&mut tx, now).await?;
    } else {
        take_key(&mut tx, &new.opened.ticket, now).await?;
    }
    let ticket = Ticket {
        id: TicketId::generate(),
        client: new.client.clone(),
        key: new.opened.ticket.clone(),
        contract_id: new.contract_id.clone(),
        contract_version: version,
        opened_at: normalised(&new.opened).at,
        priority,
        status: TicketStatus::Open,
    };
    sqlx::query(
        "INSERT INTO tickets (id, client_id, key, contract_id, contract_version, opened_at, priority,
         status, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8)",
    )
    .bind(ticket.id.as_str())
    .bind(ticket.client.as_str())
    .bind(&ticket.key)
    .bind(&ticket.contract_id)
    .bind(i64::from(ticket.contract_version))
    .bind(ms(ticket.opened_at))
    .bind(&ticket.priority)
    .bind(ms(now))
    .execute(&mut *tx)
    .await
    .map_err(|e| match Error::from(e) {
        Error::Conflict(_) => Error::Conflict(format!("a ticket `{}`", ticket.key)),
        other => other,
    })?;
    let (_, written) = insert_events(
        &mut tx,
        &ticket,
        std::slice::from_ref(&new.opened),
        now,
        true,
    )
    .await?;
    if let Some(w) = written {
        recompute_from(&mut tx, cache, &ticket, &w.all, now, w.cause()).await?;
    }
    tx.commit().await?;
    Ok(ticket)
}

pub(crate) async fn append_events(
    pool: &Pool<Db>,
    cache: &VersionCache,
    tenant: &Tenant,
    ticket: &TicketId,
    events: &[TicketEvent],
    now: Timestamp,
) -> Result<Appended> {
    let mut tx = begin_write(pool).await?;
    let ticket = find_ticket(&mut tx, tenant, ticket, true)
        .await?
        .ok_or(Error::NotFound)?;
    let (mut done, written) = insert_events(&mut tx, &ticket, events, now, false).await?;
    if let Some(w) = written {
        done.fired = recompute_from(&mut tx, cache, &ticket, &w.all, now, w.cause())
            .await?
            .fired;
    }
    tx.commit().await?;
    Ok(done)
}

/// The stored columns of one event row.
fn event_columns_from_row(r: &<Db as sqlx::Database>::Row) -> Result<EventColumns> {
    Ok(EventColumns {
        seq: r.try_get("seq")?,
        event_id: r.try_get("event_id")?,
        kind: r.try_get("kind")?,
        at: r.try_get("at")?,
        priority: r.try_get("priority")?,
        reason: r.try_get("reason")?,
        waiting_on: r.try_get("waiting_on")?,
        note: r.try_get("note")?,
        by: r.try_get("by_whom")?,
    })
}

fn clock_from_row(r: &<Db as sqlx::Database>::Row) -> Result<StoredClock> {
    let share: Option<String> = r.try_get("next_share")?;
    let next_at: Option<i64> = r.try_get("next_crossing_at")?;
    let next_crossing = match (share, next_at) {
        (Some(s), Some(at)) => Some((
            s.parse()
                .map_err(|e| Error::Internal(format!("stored share `{s}`: {e}")))?,
            ts(at)?,
        )),
        _ => None,
    };
    Ok(StoredClock {
        metric: parse_metric(&r.try_get::<String, _>("metric")?)?,
        cycle: to_u32(r.try_get("cycle")?, "cycle")?,
        state: parse_state(&r.try_get::<String, _>("state")?)?,
        target_secs: r.try_get("target_secs")?,
        elapsed_secs: r.try_get("elapsed_secs")?,
        paused_secs: r.try_get("paused_secs")?,
        remaining_secs: r.try_get("remaining_secs")?,
        started_at: ts(r.try_get("started_at")?)?,
        stopped_at: opt_ts(r.try_get("stopped_at")?)?,
        deadline: opt_ts(r.try_get("deadline")?)?,
        breached_at: opt_ts(r.try_get("breached_at")?)?,
        next_crossing,
        evaluated_at: ts(r.try_get("evaluated_at")?)?,
    })
}

pub(crate) async fn ticket_with_clocks(
    pool: &Pool<Db>,
    tenant: &Tenant,
    ticket: &TicketId,
) -> Result<Option<TicketWithClocks>> {
    let mut tx = pool.begin_with(READ_SNAPSHOT).await?;
    let Some(ticket) = find_ticket(&mut tx, tenant, ticket, false).await? else {
        return Ok(None);
    };
    let rows = sqlx::query(
        "SELECT metric, cycle, state, target_secs, elapsed_secs, paused_secs, remaining_secs,
                started_at, stopped_at, deadline, breached_at, next_share, next_crossing_at,
                evaluated_at
         FROM clocks WHERE ticket_id = $1",
    )
    .bind(ticket.id.as_str())
    .fetch_all(&mut *tx)
    .await?;
    let mut clocks = rows
        .iter()
        .map(clock_from_row)
        .collect::<Result<Vec<_>>>()?;
    clocks.sort_by_key(|c| (c.metric, c.cycle));
    let events = load_events(&mut tx, &ticket).await?;
    tx.commit().await?;
    Ok(Some(TicketWithClocks {
        ticket,
        clocks,
        events,
    }))
}

pub(crate) async fn open_tickets_at_risk(
    pool: &Pool<Db>,
    tenant: &Tenant,
    within_secs: i64,
    limit: u32,
) -> Result<Vec<AtRisk>> {
    // Two statements rather than `$n IS NULL OR ...`, so each matches its
    // partial index exactly.
    let filter = match tenant {
        Tenant::Provider => "",
        Tenant::Client(_) => " AND client_id = $3",
    };
    let sql = format!(
        "SELECT {TICKET_COLUMNS}, at_risk_secs FROM tickets
         WHERE status = 'open' AND at_risk_secs IS NOT NULL AND at_risk_secs <= $1{filter}
         ORDER BY at_risk_secs, id LIMIT $2"
    );
    let mut q = sqlx::query(AssertSqlSafe(sql))
        .bind(within_secs)
        .bind(i64::from(limit));
    if let Some(c) = tenant.client_filter() {
        q = q.bind(c);
    }
    let rows = q.fetch_all(pool).await?;
    rows.iter()
        .map(|r| {
            Ok(AtRisk {
                ticket: ticket_from_row(r)?,
                remaining_secs: r.try_get("at_risk_secs")?,
            })
        })
        .collect()
}

pub(crate) async fn list_tickets(
    pool: &Pool<Db>,
    tenant: &Tenant,
    filter: &TicketFilter,
    after: Option<&TicketId>,
    limit: u32,
) -> Result<Vec<Ticket>> {
    let sql = format!(
        "SELECT {TICKET_COLUMNS} FROM tickets
         WHERE ($1 IS NULL OR client_id = $1) AND ($2 IS NULL OR client_id = $2)
           AND ($3 IS NULL OR status = $3) AND ($4 IS NULL OR priority = $4)
           AND ($5 IS NULL OR id > $5)
           AND ($7 IS NULL OR (status = 'open' AND at_risk_secs <= $7))
           AND ($8 IS NULL OR key = $8)
         ORDER BY id LIMIT $6"
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(tenant.client_filter())
        .bind(filter.client.as_ref().map(ClientId::as_str))
        .bind(filter.status.map(status_str))
        .bind(filter.priority.as_deref())
        .bind(after.map(TicketId::as_str))
        .bind(i64::from(limit))
        .bind(filter.at_risk_within_secs)
        .bind(filter.key.as_deref())
        .fetch_all(pool)
        .await?;
    rows.iter().map(ticket_from_row).collect()
}

pub(crate) async fn clock_outcomes(
    pool: &Pool<Db>,
    tenant: &Tenant,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<ClockOutcome>> {
    let rows = sqlx::query(
        "SELECT c.ticket_id, t.key, c.client_id, t.status, c.metric, c.cycle, c.state,
                c.stopped_at, c.breached_at
         FROM clocks c JOIN tickets t ON t.id = c.ticket_id
         WHERE ($1 IS NULL OR c.client_id = $1)
           AND ((c.stopped_at >= $2 AND c.stopped_at < $3)
                OR (c.breached_at >= $2 AND c.breached_at < $3))
         ORDER BY c.ticket_id, c.metric, c.cycle",
    )
    .bind(tenant.client_filter())
    .bind(ms(from))
    .bind(ms(to))
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ClockOutcome {
                ticket: TicketId::from_db(r.try_get("ticket_id")?),
                ticket_key: r.try_get("key")?,
                client: ClientId::from_db(r.try_get("client_id")?),
                status: parse_status(&r.try_get::<String, _>("status")?)?,
                metric: parse_metric(&r.try_get::<String, _>("metric")?)?,
                cycle: to_u32(r.try_get("cycle")?, "cycle")?,
                state: parse_state(&r.try_get::<String, _>("state")?)?,
                stopped_at: opt_ts(r.try_get("stopped_at")?)?,
                breached_at: opt_ts(r.try_get("breached_at")?)?,
            })
        })
        .collect()
}

pub(crate) async fn ticket_count(pool: &Pool<Db>, client: &ClientId) -> Result<i64> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM tickets WHERE client_id = $1")
        .bind(client.as_str())
        .fetch_one(pool)
        .await?;
    Ok(row.try_get("n")?)
}

/// How many stored clocks are in each state (for `/metrics`), by state name.
pub(crate) async fn clock_counts(pool: &Pool<Db>) -> Result<Vec<(String, i64)>> {
    let rows = sqlx::query("SELECT state, COUNT(*) AS n FROM clocks GROUP BY state ORDER BY state")
        .fetch_all(pool)
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("state")?, r.try_get("n")?)))
        .collect()
}

/// Every event of a contract's tickets (named by ticket key, as in exports),
/// in arrival order: the input of a compliance statement.
pub(crate) async fn contract_ticket_events(
    conn: &mut Conn,
    contract_id: &str,
) -> Result<Vec<TicketEvent>> {
    let rows = sqlx::query(
        "SELECT t.key AS ticket_key, e.seq, e.event_key, e.event_id, e.kind, e.at, e.priority,
                e.reason, e.waiting_on, e.note, e.by_whom
         FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
         WHERE t.contract_id = $1 ORDER BY e.seq",
    )
    .bind(contract_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let key: String = r.try_get("ticket_key")?;
            event_columns_from_row(r)?.into_event(&key)
        })
        .collect()
}
