//! Compliance statements (SPEC §7): one row per contract and reporting
//! period. The figures always come from the core's fold
//! ([`accord_core::compliance::statements_as_of`]) over the contract's
//! stored ticket and milestone events, written as the SPEC §10 JSON
//! ([`accord_core::compliance::statement_json`]) the CLI prints.
//!
//! Each contract has one `statement.period_end` job, due at the end of its
//! current reporting month in the contract's reporting zone; it computes
//! that month's draft (as of the month's end) and sets itself to the next
//! month's end, so a server that was down catches up one month per run.
//! Storing a contract version sets it. Issuing freezes the JSON, HTML and
//! PDF the caller rendered and writes `statement.issued` to the outbox in
//! the same transaction. Compiled once per backend (see `db/mod.rs`).

use std::collections::BTreeSet;
use std::sync::Arc;

use accord_core::compliance::{ReportPeriod, statement_json, statements_as_of};
use accord_core::contract::{Contract, Period};
use jiff::Timestamp;
use sqlx::{AssertSqlSafe, Pool, Row};

use super::{
    Db, LOCK_ROW, Message, Subscriber, begin_write, contract_milestone_events,
    contract_ticket_events, enqueue, parsed, set_job, subscribers, unique_addresses,
};
use crate::db::{VersionCache, ms, opt_ts, to_u32, ts};
use crate::ids::{ClientId, StatementId};
use crate::model::{
    Evaluated, IssuedStatement, ParsedVersion, StatementFormat, StatementRecord, StatementStatus,
};
use crate::{Error, Result, Tenant};

type Conn = <Db as sqlx::Database>::Connection;

/// A contract's reporting month closing (subject: the contract id).
pub(crate) const STATEMENT_PERIOD_END: &str = "statement.period_end";

/// The end of the reporting month holding `t`, or of the contract's first
/// month if it takes effect later; `None` once the contract has ended
/// before that month starts.
fn month_end_after(contract: &Contract, t: Timestamp) -> Option<Timestamp> {
    let zone = contract.reporting_zone();
    let first = ReportPeriod::of_date(Period::Month, contract.effective_from());
    let period = ReportPeriod::containing(Period::Month, t, &zone).max(first);
    if contract
        .effective_until()
        .is_some_and(|until| period.first_day() > until)
    {
        return None;
    }
    period.bounds(&zone).ok().map(|(_, end)| end)
}

/// Sets a contract's `statement.period_end` job for the month holding
/// `now` (in the caller's transaction) when a version is stored, unless it
/// has one: an amendment does not skip a month the job has yet to catch up.
pub(crate) async fn schedule_statement_job(
    conn: &mut Conn,
    contract: &Contract,
    now: Timestamp,
) -> Result<()> {
    let Some(due) = month_end_after(contract, now) else {
        return Ok(());
    };
    sqlx::query(
        "INSERT INTO scheduled_jobs (kind, subject, due_at) VALUES ($1, $2, $3)
         ON CONFLICT (kind, subject) DO NOTHING",
    )
    .bind(STATEMENT_PERIOD_END)
    .bind(contract.id())
    .bind(ms(due))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The version a period's statement uses: the latest in force before the
/// period ends (effective on or before its last day), else the first; with
/// its client. `None` if the tenant may not see the contract.
async fn version_for(
    conn: &mut Conn,
    tenant: &Tenant,
    contract_id: &str,
    period: ReportPeriod,
) -> Result<Option<(u32, ClientId)>> {
    let rows = sqlx::query(
        "SELECT version, client_id, effective_from FROM contract_versions
         WHERE contract_id = $1 AND ($2 IS NULL OR client_id = $2) ORDER BY version",
    )
    .bind(contract_id)
    .bind(tenant.client_filter())
    .fetch_all(&mut *conn)
    .await?;
    let end = period.end_day().to_string();
    let mut chosen = None;
    for (i, r) in rows.iter().enumerate() {
        let from: String = r.try_get("effective_from")?;
        // ISO dates compare as text.
        if i == 0 || from < end {
            chosen = Some((
                to_u32(r.try_get("version")?, "contract version")?,
                ClientId::from_db(r.try_get("client_id")?),
            ));
        }
    }
    Ok(chosen)
}

/// The statement of `period` for a contract the tenant may see, computed
/// by the core's fold from every stored event before `as_of` (capped at the
/// period's end).
pub(crate) async fn evaluate_in(
    conn: &mut Conn,
    cache: &VersionCache,
    tenant: &Tenant,
    contract_id: &str,
    period: ReportPeriod,
    as_of: Timestamp,
) -> Result<Evaluated> {
    let (version, client) = version_for(conn, tenant, contract_id, period)
        .await?
        .ok_or(Error::NotFound)?;
    let parsed = parsed(conn, cache, contract_id, version).await?;
    let contract = &parsed.contract;
    let events = contract_ticket_events(conn, contract_id).await?;
    let milestones = contract_milestone_events(conn, contract_id).await?;
    let fault =
        |e: String| Error::Invalid(format!("the statement of {period} cannot be made: {e}"));
    let mut statement =
        statements_as_of(contract, &events, &[period], BTreeSet::new(), Some(as_of))
            .map_err(|e| fault(e.to_string()))?
            .pop()
            .ok_or_else(|| fault("no statement".into()))?;
    statement
        .add_sections(contract, Some(&milestones), None)
        .map_err(|e| fault(e.to_string()))?;
    Ok(Evaluated {
        client,
        version,
        parsed,
        statement,
    })
}

pub(crate) async fn evaluate_statement(
    pool: &Pool<Db>,
    cache: &VersionCache,
    tenant: &Tenant,
    contract_id: &str,
    period: ReportPeriod,
    as_of: Timestamp,
) -> Result<Evaluated> {
    let mut conn = pool.acquire().await?;
    evaluate_in(&mut conn, cache, tenant, contract_id, period, as_of).await
}

const COLUMNS: &str = "id, client_id, contract_id, period, version, status, computed, issued_json,
     as_of, computed_at, sha256, issued_by, issued_at";

fn record_from_row(r: &<Db as sqlx::Database>::Row) -> Result<StatementRecord> {
    let status = match r.try_get::<String, _>("status")?.as_str() {
        "draft" => StatementStatus::Draft,
        "issued" => StatementStatus::Issued,
        other => {
            return Err(Error::Internal(format!(
                "unknown statement status `{other}`"
            )));
        }
    };
    let issued: Option<String> = r.try_get("issued_json")?;
    Ok(StatementRecord {
        id: StatementId::from_db(r.try_get("id")?),
        client: ClientId::from_db(r.try_get("client_id")?),
        contract_id: r.try_get("contract_id")?,
        period: r.try_get("period")?,
        version: to_u32(r.try_get("version")?, "contract version")?,
        status,
        json: match issued {
            Some(json) => json,
            None => r.try_get("computed")?,
        },
        as_of: ts(r.try_get("as_of")?)?,
        computed_at: ts(r.try_get("computed_at")?)?,
        sha256: r.try_get("sha256")?,
        issued_by: r.try_get("issued_by")?,
        issued_at: opt_ts(r.try_get("issued_at")?)?,
    })
}

/// Writes the draft of `e`'s period (a new row, or new figures for a
/// draft); an issued statement is left as it is and answered.
async fn put_draft(
    conn: &mut Conn,
    contract_id: &str,
    e: &Evaluated,
    now: Timestamp,
) -> Result<StatementRecord> {
    let mut json = String::new();
    statement_json(&mut json, &e.parsed.contract, &e.statement);
    let period = e.statement.period.to_string();
    sqlx::query(
        "INSERT INTO statements
         (id, client_id, contract_id, period, version, status, computed, as_of, computed_at)
         VALUES ($1, $2, $3, $4, $5, 'draft', $6, $7, $8)
         ON CONFLICT (contract_id, period) DO UPDATE SET
           version = excluded.version, computed = excluded.computed,
           as_of = excluded.as_of, computed_at = excluded.computed_at
         WHERE statements.status = 'draft'",
    )
    .bind(StatementId::generate().as_str())
    .bind(e.client.as_str())
    .bind(contract_id)
    .bind(&period)
    .bind(i64::from(e.version))
    .bind(&json)
    .bind(ms(e.statement.end))
    .bind(ms(now))
    .execute(&mut *conn)
    .await?;
    let sql = format!("SELECT {COLUMNS} FROM statements WHERE contract_id = $1 AND period = $2");
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(contract_id)
        .bind(&period)
        .fetch_one(&mut *conn)
        .await?;
    record_from_row(&row)
}

pub(crate) async fn compute_statement(
    pool: &Pool<Db>,
    cache: &VersionCache,
    tenant: &Tenant,
    contract_id: &str,
    period: ReportPeriod,
    now: Timestamp,
) -> Result<StatementRecord> {
    let mut tx = begin_write(pool).await?;
    let e = evaluate_in(&mut tx, cache, tenant, contract_id, period, now).await?;
    let record = put_draft(&mut tx, contract_id, &e, now).await?;
    tx.commit().await?;
    Ok(record)
}

/// Runs a contract's `statement.period_end` job that fell due at `due_at`:
/// the draft of the month ending then, and the job set to the next month's
/// end. Answers whether it wrote a draft.
pub(crate) async fn run_statement_job(
    conn: &mut Conn,
    cache: &VersionCache,
    contract_id: &str,
    due_at: Timestamp,
    now: Timestamp,
) -> Result<bool> {
    let Some(latest) = latest_parsed(conn, cache, contract_id).await? else {
        set_job(conn, STATEMENT_PERIOD_END, contract_id, None).await?;
        return Ok(false);
    };
    let latest = &latest.contract;
    let zone = latest.reporting_zone();
    // The month that ended at `due_at`: the one holding its last instant.
    let last = due_at
        .checked_sub(jiff::SignedDuration::from_millis(1))
        .unwrap_or(due_at);
    let period = ReportPeriod::containing(Period::Month, last, &zone);
    if period < ReportPeriod::of_date(Period::Month, latest.effective_from()) {
        // Due before the contract's first month ended (the migration's
        // backfill): nothing to draft; wait for the month in progress.
        let next = month_end_after(latest, now).map(ms);
        set_job(conn, STATEMENT_PERIOD_END, contract_id, next).await?;
        return Ok(false);
    }
    let e = evaluate_in(conn, cache, &Tenant::Provider, contract_id, period, due_at).await?;
    put_draft(conn, contract_id, &e, now).await?;
    let next = month_end_after(latest, due_at).filter(|t| *t > due_at);
    set_job(conn, STATEMENT_PERIOD_END, contract_id, next.map(ms)).await?;
    Ok(true)
}

async fn latest_parsed(
    conn: &mut Conn,
    cache: &VersionCache,
    contract_id: &str,
) -> Result<Option<Arc<ParsedVersion>>> {
    let row = sqlx::query(
        "SELECT version FROM contract_versions WHERE contract_id = $1
         ORDER BY version DESC LIMIT 1",
    )
    .bind(contract_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let version = to_u32(row.try_get("version")?, "contract version")?;
    Ok(Some(parsed(conn, cache, contract_id, version).await?))
}

pub(crate) async fn contract_statements(
    pool: &Pool<Db>,
    tenant: &Tenant,
    contract_id: &str,
) -> Result<Vec<StatementRecord>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM statements
         WHERE contract_id = $1 AND ($2 IS NULL OR client_id = $2) ORDER BY period DESC"
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(contract_id)
        .bind(tenant.client_filter())
        .fetch_all(pool)
        .await?;
    rows.iter().map(record_from_row).collect()
}

pub(crate) async fn statement_by_id(
    pool: &Pool<Db>,
    tenant: &Tenant,
    id: &StatementId,
) -> Result<Option<StatementRecord>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM statements WHERE id = $1 AND ($2 IS NULL OR client_id = $2)"
    );
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(id.as_str())
        .bind(tenant.client_filter())
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(record_from_row).transpose()
}

pub(crate) async fn statement_document(
    pool: &Pool<Db>,
    tenant: &Tenant,
    id: &StatementId,
    format: StatementFormat,
) -> Result<Option<(String, Vec<u8>)>> {
    let row = sqlx::query(
        "SELECT sha256, issued_json, issued_html, issued_pdf FROM statements
         WHERE id = $1 AND ($2 IS NULL OR client_id = $2) AND status = 'issued'",
    )
    .bind(id.as_str())
    .bind(tenant.client_filter())
    .fetch_optional(pool)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let bytes = match format {
        StatementFormat::Json => r.try_get::<String, _>("issued_json")?.into_bytes(),
        StatementFormat::Html => r.try_get::<String, _>("issued_html")?.into_bytes(),
        StatementFormat::Pdf => r.try_get("issued_pdf")?,
    };
    Ok(Some((r.try_get("sha256")?, bytes)))
}

pub(crate) async fn issue_statement(
    pool: &Pool<Db>,
    cache: &VersionCache,
    tenant: &Tenant,
    id: &StatementId,
    issued: &IssuedStatement,
    by: &str,
    now: Timestamp,
) -> Result<StatementRecord> {
    let mut tx = begin_write(pool).await?;
    let sql = format!(
        "SELECT {COLUMNS} FROM statements
         WHERE id = $1 AND ($2 IS NULL OR client_id = $2){LOCK_ROW}"
    );
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(id.as_str())
        .bind(tenant.client_filter())
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(Error::NotFound)?;
    let current = record_from_row(&row)?;
    if current.status == StatementStatus::Issued {
        return Err(Error::Conflict(format!(
            "an issued statement of `{}` for {}",
            current.contract_id, current.period
        )));
    }
    sqlx::query(
        "UPDATE statements SET status = 'issued', version = $2, computed = $3, as_of = $4,
           computed_at = $5, issued_json = $3, issued_html = $6, issued_pdf = $7, sha256 = $8,
           issued_by = $9, issued_at = $5
         WHERE id = $1 AND status = 'draft'",
    )
    .bind(id.as_str())
    .bind(i64::from(issued.version))
    .bind(&issued.json)
    .bind(ms(issued.as_of))
    .bind(ms(now))
    .bind(&issued.html)
    .bind(&issued.pdf)
    .bind(&issued.sha256)
    .bind(by)
    .execute(&mut *tx)
    .await?;
    let contract = parsed(&mut tx, cache, &current.contract_id, issued.version).await?;
    let contacts = unique_addresses(contract.contract.contacts().client.values());
    let payload = serde_json::json!({
        "statement": {
            "id": id.as_str(), "period": current.period, "sha256": issued.sha256,
            "issued_by": by,
        },
        "contract": {"id": current.contract_id, "version": issued.version},
        "client": {"id": current.client.as_str()},
        "at": accord_core::instant::format(now),
    })
    .to_string();
    let hooks: Vec<Subscriber> = subscribers(&mut tx).await?;
    let message = Message {
        topic: "statement.issued",
        subject: id.as_str(),
        client: &current.client,
        payload: &payload,
    };
    enqueue(&mut tx, &message, &hooks, &contacts, now).await?;
    let sql = format!("SELECT {COLUMNS} FROM statements WHERE id = $1");
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(id.as_str())
        .fetch_one(&mut *tx)
        .await?;
    let record = record_from_row(&row)?;
    tx.commit().await?;
    Ok(record)
}
