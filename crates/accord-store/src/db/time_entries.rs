//! Time entries (SPEC §8, §10): one row per entry with its SPEC §10 fields
//! as columns, read back through the core's reader so a stored entry is
//! exactly what the reader would accept; its status transitions in an audit
//! table; timers; locked and accepted periods. Every write is one
//! transaction that checks the entry's status and its period's lock first.
//! Compiled once per backend (see `db/mod.rs`).

use accord_core::time::{Billable, TimeEntry};
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use sqlx::{AssertSqlSafe, Pool, Row};

use super::{Db, LOCK_ROW, begin_write, parsed};
use crate::db::{VersionCache, ms, to_u32, ts};
use crate::ids::{ClientId, TimeEntryId};
use crate::model::{
    Actor, EntryFilter, EntryStatus, EntryTransition, PeriodState, StoredEntry, Timer,
};
use crate::{Error, Result, Tenant};

type Conn = <Db as sqlx::Database>::Connection;

const COLUMNS: &str = "t.id, t.client_id, t.contract_id, t.entry_key, t.person, t.start_at, \
     t.end_at, t.activity, t.ticket, t.milestone, t.billable, t.rate, t.note, t.work_date, \
     t.period, t.status, t.corrects, t.correction_reason, t.created_by, t.created_at, \
     t.updated_by, t.updated_at, c.id AS corrected_by";

const FROM: &str = "time_entries t LEFT JOIN time_entries c ON c.corrects = t.id";

fn billable_of(s: &str) -> Result<Billable> {
    match s {
        "billable" => Ok(Billable::Billable),
        "non_billable" => Ok(Billable::NonBillable),
        "no_charge" => Ok(Billable::NoCharge),
        other => Err(Error::Internal(format!("stored billable `{other}`"))),
    }
}

fn status_of(s: &str) -> Result<EntryStatus> {
    EntryStatus::parse(s).ok_or_else(|| Error::Internal(format!("stored entry status `{s}`")))
}

fn date_of(s: &str) -> Result<Date> {
    s.parse()
        .map_err(|e| Error::Internal(format!("stored date `{s}`: {e}")))
}

fn row_to_entry(r: &<Db as sqlx::Database>::Row) -> Result<StoredEntry> {
    let text = |c: &str| -> Result<Option<String>> { Ok(r.try_get(c)?) };
    let json = |c: &str| -> Result<serde_json::Value> {
        Ok(text(c)?.map_or(serde_json::Value::Null, serde_json::Value::String))
    };
    let object = serde_json::json!({
        "id": json("entry_key")?,
        "person": json("person")?,
        "start": accord_core::instant::format(ts(r.try_get("start_at")?)?),
        "end": accord_core::instant::format(ts(r.try_get("end_at")?)?),
        "activity": json("activity")?,
        "ticket": json("ticket")?,
        "milestone": json("milestone")?,
        "billable": json("billable")?,
        "rate": json("rate")?,
        "note": json("note")?,
    });
    let entry = TimeEntry::from_json_line(&object.to_string())
        .map_err(|e| Error::Internal(format!("stored time entry: {e}")))?;
    let status: String = r.try_get("status")?;
    let work_date: String = r.try_get("work_date")?;
    Ok(StoredEntry {
        id: TimeEntryId::from_db(r.try_get("id")?),
        client: ClientId::from_db(r.try_get("client_id")?),
        contract_id: r.try_get("contract_id")?,
        entry,
        work_date: date_of(&work_date)?,
        period: r.try_get("period")?,
        status: status_of(&status)?,
        corrects: text("corrects")?.map(TimeEntryId::from_db),
        correction_reason: text("correction_reason")?,
        corrected_by: text("corrected_by")?.map(TimeEntryId::from_db),
        created_by: r.try_get("created_by")?,
        created_at: ts(r.try_get("created_at")?)?,
        updated_by: r.try_get("updated_by")?,
        updated_at: ts(r.try_get("updated_at")?)?,
    })
}

/// The client and reporting zone of a contract the tenant may see (its
/// latest version's), or [`Error::NotFound`].
async fn contract_terms(
    conn: &mut Conn,
    cache: &VersionCache,
    tenant: &Tenant,
    contract_id: &str,
) -> Result<(ClientId, TimeZone)> {
    let row = sqlx::query(
        "SELECT version, client_id FROM contract_versions
         WHERE contract_id = $1 AND ($2 IS NULL OR client_id = $2)
         ORDER BY version DESC LIMIT 1",
    )
    .bind(contract_id)
    .bind(tenant.client_filter())
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(Error::NotFound)?;
    let version = to_u32(row.try_get("version")?, "contract version")?;
    let client = ClientId::from_db(row.try_get("client_id")?);
    let p = parsed(conn, cache, contract_id, version).await?;
    Ok((client, p.contract.reporting_zone()))
}

/// The work date of an entry (SPEC §8: the local date of its start in the
/// reporting zone) and its period `YYYY-MM`.
fn work_date(e: &TimeEntry, zone: &TimeZone) -> (Date, String) {
    let d = zone.to_datetime(e.start).date();
    (d, format!("{:04}-{:02}", d.year(), d.month()))
}

/// `Some(why)` when the period is locked: who locked it and when.
async fn lock_of(conn: &mut Conn, contract_id: &str, period: &str) -> Result<Option<String>> {
    let row = sqlx::query(
        "SELECT locked_by, locked_at FROM locked_periods WHERE contract_id = $1 AND period = $2",
    )
    .bind(contract_id)
    .bind(period)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| {
        let by: String = r.try_get("locked_by")?;
        let at = ts(r.try_get("locked_at")?)?;
        Ok(format!(
            "period {period} of contract `{contract_id}` is locked (by {by} at {})",
            accord_core::instant::format(at)
        ))
    })
    .transpose()
}

async fn audit(
    conn: &mut Conn,
    e: &StoredEntry,
    from: Option<EntryStatus>,
    to: Option<EntryStatus>,
    by: &str,
    why: Option<&str>,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO time_entry_transitions
         (client_id, contract_id, entry_id, from_status, to_status, by_email, at, why)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(e.client.as_str())
    .bind(e.contract_id.as_str())
    .bind(e.id.as_str())
    .bind(from.map(EntryStatus::as_str))
    .bind(to.map(EntryStatus::as_str))
    .bind(by)
    .bind(ms(now))
    .bind(why)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// What a new entry is: a plain one, or a correction replacing another.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Origin<'a> {
    /// Written by hand, imported or from a timer (`why` for the audit).
    New(&'a str),
    /// A correction of `entry`, for `reason`.
    Correction {
        entry: &'a TimeEntryId,
        reason: &'a str,
    },
}

/// Inserts entries of one contract as drafts, in the caller's transaction.
async fn insert_entries(
    conn: &mut Conn,
    cache: &VersionCache,
    actor: Actor<'_>,
    contract_id: &str,
    entries: &[TimeEntry],
    origin: Origin<'_>,
    now: Timestamp,
) -> Result<Vec<StoredEntry>> {
    let (client, zone) = contract_terms(conn, cache, actor.tenant, contract_id).await?;
    let mut out = Vec::with_capacity(entries.len());
    for e in entries {
        let (date, period) = work_date(e, &zone);
        // A correction is the one way to change a locked period.
        if matches!(origin, Origin::New(_))
            && let Some(why) = lock_of(conn, contract_id, &period).await?
        {
            return Err(Error::EntryState {
                entry: e.id.clone(),
                detail: format!("{why}; nothing can be added to it but a correction"),
            });
        }
        let (corrects, reason) = match origin {
            Origin::New(_) => (None, None),
            Origin::Correction { entry, reason } => (Some(entry.clone()), Some(reason.to_string())),
        };
        let stored = StoredEntry {
            id: TimeEntryId::generate(),
            client: client.clone(),
            contract_id: contract_id.to_string(),
            entry: e.clone(),
            work_date: date,
            period,
            status: EntryStatus::Draft,
            corrects,
            correction_reason: reason,
            corrected_by: None,
            created_by: actor.email.to_string(),
            created_at: now,
            updated_by: actor.email.to_string(),
            updated_at: now,
        };
        let inserted = sqlx::query(
            "INSERT INTO time_entries (id, client_id, contract_id, entry_key, person, start_at,
                end_at, activity, ticket, milestone, billable, rate, note, work_date, period,
                status, corrects, correction_reason, created_by, created_at, updated_by, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                $18, $19, $20, $19, $20)
             ON CONFLICT DO NOTHING",
        )
        .bind(stored.id.as_str())
        .bind(client.as_str())
        .bind(contract_id)
        .bind(e.id.as_str())
        .bind(e.person.as_str())
        .bind(ms(e.start))
        .bind(ms(e.end))
        .bind(e.activity.as_str())
        .bind(e.ticket.as_deref())
        .bind(e.milestone.as_deref())
        .bind(e.billable.as_str())
        .bind(e.rate.map(|r| r.to_string()))
        .bind(e.note.as_deref())
        .bind(date.to_string())
        .bind(stored.period.as_str())
        .bind(EntryStatus::Draft.as_str())
        .bind(stored.corrects.as_ref().map(TimeEntryId::as_str))
        .bind(stored.correction_reason.as_deref())
        .bind(actor.email)
        .bind(ms(now))
        .execute(&mut *conn)
        .await?;
        if inserted.rows_affected() != 1 {
            // The key is taken in this contract (or the entry already has a
            // correction).
            return Err(match origin {
                Origin::New(_) => Error::Conflict(format!("time entry `{}`", e.id)),
                Origin::Correction { entry, .. } => Error::Conflict(format!(
                    "a correction of time entry `{entry}` (or an entry `{}`)",
                    e.id
                )),
            });
        }
        let why = match origin {
            Origin::New(why) => why.to_string(),
            Origin::Correction { entry, reason } => format!("corrects {entry}: {reason}"),
        };
        audit(
            conn,
            &stored,
            None,
            Some(EntryStatus::Draft),
            actor.email,
            Some(&why),
            now,
        )
        .await?;
        out.push(stored);
    }
    Ok(out)
}

/// Writes new draft entries of a contract, all or nothing; with `dry_run`
/// every check runs (locks, keys) and nothing is kept.
#[allow(
    clippy::too_many_arguments,
    reason = "the facade's arguments plus the pool and the cache"
)]
pub(crate) async fn create_time_entries(
    pool: &Pool<Db>,
    cache: &VersionCache,
    actor: Actor<'_>,
    contract_id: &str,
    entries: &[TimeEntry],
    why: &str,
    dry_run: bool,
    now: Timestamp,
) -> Result<Vec<StoredEntry>> {
    let mut tx = begin_write(pool).await?;
    let out = insert_entries(
        &mut tx,
        cache,
        actor,
        contract_id,
        entries,
        Origin::New(why),
        now,
    )
    .await?;
    if dry_run {
        tx.rollback().await?;
    } else {
        tx.commit().await?;
    }
    Ok(out)
}

/// One entry the tenant may see, locked for the rest of a write transaction.
async fn entry_for_update(conn: &mut Conn, tenant: &Tenant, id: &str) -> Result<StoredEntry> {
    // The join cannot be locked on PostgreSQL: lock the row first.
    let lock = format!(
        "SELECT id FROM time_entries WHERE id = $1 AND ($2 IS NULL OR client_id = $2){LOCK_ROW}"
    );
    sqlx::query(AssertSqlSafe(lock))
        .bind(id)
        .bind(tenant.client_filter())
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(Error::NotFound)?;
    one(conn, tenant, id).await?.ok_or(Error::NotFound)
}

async fn one(conn: &mut Conn, tenant: &Tenant, id: &str) -> Result<Option<StoredEntry>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE t.id = $1 AND ($2 IS NULL OR t.client_id = $2)"
    );
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(id)
        .bind(tenant.client_filter())
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(row_to_entry).transpose()
}

/// Why an entry's content cannot change now, if it cannot: its status, a
/// correction that replaced it, its period's lock.
async fn frozen(conn: &mut Conn, e: &StoredEntry) -> Result<Option<String>> {
    if matches!(e.status, EntryStatus::Approved | EntryStatus::Invoiced) {
        return Ok(Some(format!(
            "it is {}; record a correction instead",
            e.status.as_str()
        )));
    }
    if let Some(by) = &e.corrected_by {
        return Ok(Some(format!("it was corrected by entry {by}")));
    }
    if let Some(why) = lock_of(conn, &e.contract_id, &e.period).await? {
        return Ok(Some(format!("{why}; record a correction instead")));
    }
    Ok(None)
}

/// Replaces a draft or submitted entry's fields (its key stays); a
/// submitted entry goes back to draft. Refused when frozen.
pub(crate) async fn update_time_entry(
    pool: &Pool<Db>,
    cache: &VersionCache,
    actor: Actor<'_>,
    id: &TimeEntryId,
    entry: &TimeEntry,
    now: Timestamp,
) -> Result<StoredEntry> {
    let mut tx = begin_write(pool).await?;
    let old = entry_for_update(&mut tx, actor.tenant, id.as_str()).await?;
    if let Some(detail) = frozen(&mut tx, &old).await? {
        return Err(Error::EntryState {
            entry: old.entry.id,
            detail,
        });
    }
    if entry.id != old.entry.id {
        return Err(Error::Invalid(format!(
            "an entry's id cannot change (`{}`)",
            old.entry.id
        )));
    }
    let (_, zone) = contract_terms(&mut tx, cache, &Tenant::Provider, &old.contract_id).await?;
    let (date, period) = work_date(entry, &zone);
    if let Some(why) = lock_of(&mut tx, &old.contract_id, &period).await? {
        return Err(Error::EntryState {
            entry: old.entry.id,
            detail: format!("it would move into {why}"),
        });
    }
    sqlx::query(
        "UPDATE time_entries SET person = $2, start_at = $3, end_at = $4, activity = $5,
            ticket = $6, milestone = $7, billable = $8, rate = $9, note = $10, work_date = $11,
            period = $12, status = $13, updated_by = $14, updated_at = $15
         WHERE id = $1",
    )
    .bind(id.as_str())
    .bind(entry.person.as_str())
    .bind(ms(entry.start))
    .bind(ms(entry.end))
    .bind(entry.activity.as_str())
    .bind(entry.ticket.as_deref())
    .bind(entry.milestone.as_deref())
    .bind(entry.billable.as_str())
    .bind(entry.rate.map(|r| r.to_string()))
    .bind(entry.note.as_deref())
    .bind(date.to_string())
    .bind(period.as_str())
    .bind(EntryStatus::Draft.as_str())
    .bind(actor.email)
    .bind(ms(now))
    .execute(&mut *tx)
    .await?;
    if old.status == EntryStatus::Submitted {
        audit(
            &mut tx,
            &old,
            Some(EntryStatus::Submitted),
            Some(EntryStatus::Draft),
            actor.email,
            Some("changed after submission"),
            now,
        )
        .await?;
    }
    let new = one(&mut tx, actor.tenant, id.as_str())
        .await?
        .ok_or(Error::NotFound)?;
    tx.commit().await?;
    Ok(new)
}

/// Deletes a draft or submitted entry (its audit trail stays, ending in a
/// deletion). Refused when frozen.
pub(crate) async fn delete_time_entry(
    pool: &Pool<Db>,
    actor: Actor<'_>,
    id: &TimeEntryId,
    now: Timestamp,
) -> Result<()> {
    let mut tx = begin_write(pool).await?;
    let old = entry_for_update(&mut tx, actor.tenant, id.as_str()).await?;
    if let Some(detail) = frozen(&mut tx, &old).await? {
        return Err(Error::EntryState {
            entry: old.entry.id,
            detail,
        });
    }
    sqlx::query("DELETE FROM time_entries WHERE id = $1")
        .bind(id.as_str())
        .execute(&mut *tx)
        .await?;
    audit(
        &mut tx,
        &old,
        Some(old.status),
        None,
        actor.email,
        Some("deleted"),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Moves an entry from one of `from` to `to`, recording who and why.
pub(crate) async fn transition_time_entry(
    pool: &Pool<Db>,
    actor: Actor<'_>,
    id: &TimeEntryId,
    from: &[EntryStatus],
    to: EntryStatus,
    why: Option<&str>,
    now: Timestamp,
) -> Result<StoredEntry> {
    let mut tx = begin_write(pool).await?;
    let old = entry_for_update(&mut tx, actor.tenant, id.as_str()).await?;
    if !from.contains(&old.status) {
        let allowed: Vec<&str> = from.iter().map(|s| s.as_str()).collect();
        return Err(Error::EntryState {
            entry: old.entry.id,
            detail: format!(
                "it is {}; only an entry that is {} can become {}",
                old.status.as_str(),
                allowed.join(" or "),
                to.as_str()
            ),
        });
    }
    sqlx::query(
        "UPDATE time_entries SET status = $2, updated_by = $3, updated_at = $4 WHERE id = $1",
    )
    .bind(id.as_str())
    .bind(to.as_str())
    .bind(actor.email)
    .bind(ms(now))
    .execute(&mut *tx)
    .await?;
    audit(
        &mut tx,
        &old,
        Some(old.status),
        Some(to),
        actor.email,
        why,
        now,
    )
    .await?;
    let new = one(&mut tx, actor.tenant, id.as_str())
        .await?
        .ok_or(Error::NotFound)?;
    tx.commit().await?;
    Ok(new)
}

/// Writes a correction of a frozen entry: a new draft entry that replaces
/// it (SPEC §8: a locked or invoiced entry never changes silently).
pub(crate) async fn correct_time_entry(
    pool: &Pool<Db>,
    cache: &VersionCache,
    actor: Actor<'_>,
    id: &TimeEntryId,
    entry: &TimeEntry,
    reason: &str,
    now: Timestamp,
) -> Result<StoredEntry> {
    let mut tx = begin_write(pool).await?;
    let old = entry_for_update(&mut tx, actor.tenant, id.as_str()).await?;
    if frozen(&mut tx, &old).await?.is_none() {
        return Err(Error::EntryState {
            entry: old.entry.id,
            detail: format!(
                "it is {} in an open period; change it instead of correcting it",
                old.status.as_str()
            ),
        });
    }
    if let Some(by) = &old.corrected_by {
        return Err(Error::EntryState {
            entry: old.entry.id,
            detail: format!("it was already corrected by entry {by}; correct that one"),
        });
    }
    let origin = Origin::Correction { entry: id, reason };
    let mut out = insert_entries(
        &mut tx,
        cache,
        actor,
        &old.contract_id,
        std::slice::from_ref(entry),
        origin,
        now,
    )
    .await?;
    tx.commit().await?;
    out.pop()
        .ok_or_else(|| Error::Internal("a correction wrote no entry".into()))
}

pub(crate) async fn time_entry(
    pool: &Pool<Db>,
    tenant: &Tenant,
    id: &TimeEntryId,
) -> Result<Option<StoredEntry>> {
    let mut conn = pool.acquire().await?;
    one(&mut conn, tenant, id.as_str()).await
}

pub(crate) async fn time_entry_history(
    pool: &Pool<Db>,
    tenant: &Tenant,
    id: &TimeEntryId,
) -> Result<Vec<EntryTransition>> {
    let rows = sqlx::query(
        "SELECT entry_id, from_status, to_status, by_email, at, why FROM time_entry_transitions
         WHERE entry_id = $1 AND ($2 IS NULL OR client_id = $2) ORDER BY seq",
    )
    .bind(id.as_str())
    .bind(tenant.client_filter())
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            let status = |c: &str| -> Result<Option<EntryStatus>> {
                let s: Option<String> = r.try_get(c)?;
                s.as_deref().map(status_of).transpose()
            };
            Ok(EntryTransition {
                entry: TimeEntryId::from_db(r.try_get("entry_id")?),
                from: status("from_status")?,
                to: status("to_status")?,
                by: r.try_get("by_email")?,
                at: ts(r.try_get("at")?)?,
                why: r.try_get("why")?,
            })
        })
        .collect()
}

pub(crate) async fn list_time_entries(
    pool: &Pool<Db>,
    tenant: &Tenant,
    contract_id: &str,
    filter: &EntryFilter,
) -> Result<Vec<StoredEntry>> {
    let mut conn = pool.acquire().await?;
    list_on(&mut conn, tenant, contract_id, filter).await
}

async fn list_on(
    conn: &mut Conn,
    tenant: &Tenant,
    contract_id: &str,
    filter: &EntryFilter,
) -> Result<Vec<StoredEntry>> {
    let visible = sqlx::query(
        "SELECT 1 AS one FROM contract_versions
         WHERE contract_id = $1 AND ($2 IS NULL OR client_id = $2) LIMIT 1",
    )
    .bind(contract_id)
    .bind(tenant.client_filter())
    .fetch_optional(&mut *conn)
    .await?;
    if visible.is_none() {
        return Err(Error::NotFound);
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM {FROM}
         WHERE t.contract_id = $1 AND ($2 IS NULL OR t.client_id = $2)
           AND ($3 IS NULL OR t.period = $3) AND ($4 IS NULL OR t.person = $4)
           AND ($5 IS NULL OR t.status = $5)
         ORDER BY t.start_at, t.entry_key"
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(contract_id)
        .bind(tenant.client_filter())
        .bind(filter.period.as_deref())
        .bind(filter.person.as_deref())
        .bind(filter.status.map(EntryStatus::as_str))
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(row_to_entry).collect()
}

pub(crate) async fn ledger_time_entries(
    pool: &Pool<Db>,
    tenant: &Tenant,
    contract_id: &str,
) -> Result<Vec<TimeEntry>> {
    let mut conn = pool.acquire().await?;
    ledger_on(&mut conn, tenant, contract_id).await
}

/// The entries invoices are computed from: approved or invoiced, minus
/// those whose correction is approved or invoiced too (it replaces them).
pub(crate) async fn ledger_on(
    conn: &mut Conn,
    tenant: &Tenant,
    contract_id: &str,
) -> Result<Vec<TimeEntry>> {
    let all = list_on(conn, tenant, contract_id, &EntryFilter::default()).await?;
    let counts = |s: EntryStatus| matches!(s, EntryStatus::Approved | EntryStatus::Invoiced);
    let status: std::collections::HashMap<&TimeEntryId, EntryStatus> =
        all.iter().map(|e| (&e.id, e.status)).collect();
    Ok(all
        .iter()
        .filter(|e| counts(e.status))
        .filter(|e| {
            !e.corrected_by
                .as_ref()
                .and_then(|c| status.get(c))
                .is_some_and(|s| counts(*s))
        })
        .map(|e| e.entry.clone())
        .collect())
}

/// Marks the entries with these keys of a contract invoiced by `invoice`
/// (approved ones only), with an audit row each.
pub(crate) async fn mark_invoiced(
    conn: &mut Conn,
    contract_id: &str,
    keys: &[String],
    invoice: &str,
    by: &str,
    now: Timestamp,
) -> Result<()> {
    for key in keys {
        let sql =
            format!("SELECT {COLUMNS} FROM {FROM} WHERE t.contract_id = $1 AND t.entry_key = $2");
        let Some(row) = sqlx::query(AssertSqlSafe(sql))
            .bind(contract_id)
            .bind(key.as_str())
            .fetch_optional(&mut *conn)
            .await?
        else {
            continue;
        };
        let e = row_to_entry(&row)?;
        if e.status != EntryStatus::Approved {
            continue;
        }
        sqlx::query(
            "UPDATE time_entries SET status = $2, invoice_id = $3, updated_by = $4, updated_at = $5
             WHERE id = $1",
        )
        .bind(e.id.as_str())
        .bind(EntryStatus::Invoiced.as_str())
        .bind(invoice)
        .bind(by)
        .bind(ms(now))
        .execute(&mut *conn)
        .await?;
        let why = format!("invoice {invoice}");
        audit(
            conn,
            &e,
            Some(EntryStatus::Approved),
            Some(EntryStatus::Invoiced),
            by,
            Some(&why),
            now,
        )
        .await?;
    }
    Ok(())
}

// ---- periods ----

async fn period_state_on(conn: &mut Conn, contract_id: &str, period: &str) -> Result<PeriodState> {
    let locked = sqlx::query(
        "SELECT locked_by, locked_at FROM locked_periods WHERE contract_id = $1 AND period = $2",
    )
    .bind(contract_id)
    .bind(period)
    .fetch_optional(&mut *conn)
    .await?
    .map(|r| Ok::<_, Error>((r.try_get("locked_by")?, ts(r.try_get("locked_at")?)?)))
    .transpose()?;
    let accepted = sqlx::query(
        "SELECT accepted_by, accepted_at FROM period_acceptances
         WHERE contract_id = $1 AND period = $2",
    )
    .bind(contract_id)
    .bind(period)
    .fetch_optional(&mut *conn)
    .await?
    .map(|r| Ok::<_, Error>((r.try_get("accepted_by")?, ts(r.try_get("accepted_at")?)?)))
    .transpose()?;
    Ok(PeriodState {
        contract_id: contract_id.to_string(),
        period: period.to_string(),
        locked,
        accepted,
    })
}

/// A period label `YYYY-MM`, checked.
pub(crate) fn check_period(period: &str) -> Result<()> {
    let ok = period.len() == 7
        && period.as_bytes()[4] == b'-'
        && period[..4].bytes().all(|b| b.is_ascii_digit())
        && period[5..]
            .parse::<u8>()
            .is_ok_and(|m| (1..=12).contains(&m));
    if ok {
        Ok(())
    } else {
        Err(Error::Invalid(format!(
            "`{period}` is not a period; write the month as YYYY-MM, e.g. 2026-03"
        )))
    }
}

pub(crate) async fn period_state(
    pool: &Pool<Db>,
    cache: &VersionCache,
    tenant: &Tenant,
    contract_id: &str,
    period: &str,
) -> Result<PeriodState> {
    check_period(period)?;
    let mut conn = pool.acquire().await?;
    contract_terms(&mut conn, cache, tenant, contract_id).await?;
    period_state_on(&mut conn, contract_id, period).await
}

/// Locks (`lock = true`) or unlocks a period; unlocking withdraws the
/// client's acceptance, which was of the period as it stood.
pub(crate) async fn set_period_lock(
    pool: &Pool<Db>,
    cache: &VersionCache,
    actor: Actor<'_>,
    contract_id: &str,
    period: &str,
    lock: bool,
    now: Timestamp,
) -> Result<PeriodState> {
    check_period(period)?;
    let mut tx = begin_write(pool).await?;
    let (client, _) = contract_terms(&mut tx, cache, actor.tenant, contract_id).await?;
    if lock {
        sqlx::query(
            "INSERT INTO locked_periods (contract_id, period, client_id, locked_by, locked_at)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        )
        .bind(contract_id)
        .bind(period)
        .bind(client.as_str())
        .bind(actor.email)
        .bind(ms(now))
        .execute(&mut *tx)
        .await?;
    } else {
        for table in ["locked_periods", "period_acceptances"] {
            let sql = format!("DELETE FROM {table} WHERE contract_id = $1 AND period = $2");
            sqlx::query(AssertSqlSafe(sql))
                .bind(contract_id)
                .bind(period)
                .execute(&mut *tx)
                .await?;
        }
    }
    let state = period_state_on(&mut tx, contract_id, period).await?;
    tx.commit().await?;
    Ok(state)
}

/// Records the client's acceptance of a locked period (once).
pub(crate) async fn accept_period(
    pool: &Pool<Db>,
    cache: &VersionCache,
    actor: Actor<'_>,
    contract_id: &str,
    period: &str,
    now: Timestamp,
) -> Result<PeriodState> {
    check_period(period)?;
    let mut tx = begin_write(pool).await?;
    let (client, _) = contract_terms(&mut tx, cache, actor.tenant, contract_id).await?;
    if lock_of(&mut tx, contract_id, period).await?.is_none() {
        return Err(Error::Invalid(format!(
            "period {period} of contract `{contract_id}` is not locked yet; \
             a period is accepted once the provider has locked it"
        )));
    }
    sqlx::query(
        "INSERT INTO period_acceptances (contract_id, period, client_id, accepted_by, accepted_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
    )
    .bind(contract_id)
    .bind(period)
    .bind(client.as_str())
    .bind(actor.email)
    .bind(ms(now))
    .execute(&mut *tx)
    .await?;
    let state = period_state_on(&mut tx, contract_id, period).await?;
    tx.commit().await?;
    Ok(state)
}

// ---- timers ----

fn row_to_timer(r: &<Db as sqlx::Database>::Row) -> Result<Timer> {
    let billable: String = r.try_get("billable")?;
    Ok(Timer {
        person: r.try_get("person")?,
        client: ClientId::from_db(r.try_get("client_id")?),
        contract_id: r.try_get("contract_id")?,
        activity: r.try_get("activity")?,
        ticket: r.try_get("ticket")?,
        milestone: r.try_get("milestone")?,
        billable: billable_of(&billable)?,
        note: r.try_get("note")?,
        started_at: ts(r.try_get("started_at")?)?,
    })
}

const TIMER_COLUMNS: &str =
    "person, client_id, contract_id, activity, ticket, milestone, billable, note, started_at";

pub(crate) async fn timer(pool: &Pool<Db>, person: &str) -> Result<Option<Timer>> {
    let sql = format!("SELECT {TIMER_COLUMNS} FROM timers WHERE person = $1");
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(person)
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(row_to_timer).transpose()
}

/// Starts `timer` (its `client` is filled from the contract); one per
/// person.
pub(crate) async fn start_timer(
    pool: &Pool<Db>,
    cache: &VersionCache,
    tenant: &Tenant,
    mut timer: Timer,
) -> Result<Timer> {
    let mut tx = begin_write(pool).await?;
    let (client, _) = contract_terms(&mut tx, cache, tenant, &timer.contract_id).await?;
    timer.client = client;
    timer.started_at = Timestamp::from_second(timer.started_at.as_second())
        .map_err(|e| Error::Internal(e.to_string()))?;
    let inserted = sqlx::query(
        "INSERT INTO timers (person, client_id, contract_id, activity, ticket, milestone,
            billable, note, started_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING",
    )
    .bind(timer.person.as_str())
    .bind(timer.client.as_str())
    .bind(timer.contract_id.as_str())
    .bind(timer.activity.as_str())
    .bind(timer.ticket.as_deref())
    .bind(timer.milestone.as_deref())
    .bind(timer.billable.as_str())
    .bind(timer.note.as_deref())
    .bind(ms(timer.started_at))
    .execute(&mut *tx)
    .await?;
    if inserted.rows_affected() != 1 {
        return Err(Error::Conflict(format!(
            "a running timer of {}; stop it first",
            timer.person
        )));
    }
    tx.commit().await?;
    Ok(timer)
}

/// Stops a person's timer: the time from its start to `now` becomes a
/// draft entry (the timer is gone either way only if the entry is written).
pub(crate) async fn stop_timer(
    pool: &Pool<Db>,
    cache: &VersionCache,
    actor: Actor<'_>,
    person: &str,
    now: Timestamp,
) -> Result<StoredEntry> {
    let mut tx = begin_write(pool).await?;
    let sql = format!("SELECT {TIMER_COLUMNS} FROM timers WHERE person = $1{LOCK_ROW}");
    let t = sqlx::query(AssertSqlSafe(sql))
        .bind(person)
        .fetch_optional(&mut *tx)
        .await?
        .as_ref()
        .map(row_to_timer)
        .transpose()?
        .ok_or(Error::NotFound)?;
    sqlx::query("DELETE FROM timers WHERE person = $1")
        .bind(person)
        .execute(&mut *tx)
        .await?;
    let key = TimeEntryId::generate();
    let end = now.max(t.started_at);
    let mut fields = serde_json::json!({
        "id": key.as_str(),
        "person": t.person,
        "start": accord_core::instant::format(t.started_at),
        "end": accord_core::instant::format(end),
        "activity": t.activity,
        "billable": t.billable.as_str(),
    });
    for (k, v) in [
        ("ticket", &t.ticket),
        ("milestone", &t.milestone),
        ("note", &t.note),
    ] {
        if let Some(v) = v {
            fields[k] = serde_json::Value::String(v.clone());
        }
    }
    let entry =
        TimeEntry::from_json_line(&fields.to_string()).map_err(|e| Error::Entries(vec![e]))?;
    let mut out = insert_entries(
        &mut tx,
        cache,
        actor,
        &t.contract_id,
        &[entry],
        Origin::New("timer stopped"),
        now,
    )
    .await?;
    tx.commit().await?;
    out.pop()
        .ok_or_else(|| Error::Internal("a stopped timer wrote no entry".into()))
}
