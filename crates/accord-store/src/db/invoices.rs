//! Invoices (SPEC §8): a draft per (contract, period) computed by the
//! core's fold over the contract's ledger entries; issuing numbers it from
//! a counter row per series in the same transaction (so numbers never skip,
//! even with several servers), recomputes it, freezes the documents the
//! caller renders with their SHA-256, and marks its entries invoiced.
//! Compiled once per backend (see `db/mod.rs`).

use std::str::FromStr;
use std::sync::Arc;

use accord_core::billing::{Allowance, Invoice, InvoicePeriod, InvoiceRequest};
use jiff::Timestamp;
use jiff::civil::Date;
use rust_decimal::Decimal;
use sqlx::{AssertSqlSafe, Pool, Row};

use super::{Db, LOCK_ROW, begin_write, ledger_on, mark_invoiced, parsed};
use crate::auth::sha256_bytes_hex;
use crate::db::{VersionCache, ms, to_u32, ts};
use crate::ids::{ClientId, InvoiceId};
use crate::invoices::RenderDocuments;
use crate::model::{InvoiceDocument, InvoiceStatus, ParsedVersion, StoredInvoice};
use crate::{Actor, Error, Result, Tenant};

type Conn = <Db as sqlx::Database>::Connection;

const COLUMNS: &str = "id, client_id, contract_id, contract_version, period, status, series, \
     number, issue_date, due_date, currency, credits, net, tax, gross, paid_amount, paid_on, \
     created_by, created_at";

fn decimal(r: &<Db as sqlx::Database>::Row, c: &str) -> Result<Decimal> {
    let s: String = r.try_get(c)?;
    Decimal::from_str(&s).map_err(|e| Error::Internal(format!("stored {c} `{s}`: {e}")))
}

fn date(s: Option<String>) -> Result<Option<Date>> {
    s.map(|s| {
        s.parse()
            .map_err(|e| Error::Internal(format!("stored date `{s}`: {e}")))
    })
    .transpose()
}

fn row_to_invoice(r: &<Db as sqlx::Database>::Row) -> Result<StoredInvoice> {
    let status: String = r.try_get("status")?;
    Ok(StoredInvoice {
        id: InvoiceId::from_db(r.try_get("id")?),
        client: ClientId::from_db(r.try_get("client_id")?),
        contract_id: r.try_get("contract_id")?,
        contract_version: to_u32(r.try_get("contract_version")?, "contract version")?,
        period: r.try_get("period")?,
        status: InvoiceStatus::parse(&status)
            .ok_or_else(|| Error::Internal(format!("stored invoice status `{status}`")))?,
        series: r.try_get("series")?,
        number: r.try_get("number")?,
        issue_date: date(r.try_get("issue_date")?)?,
        due_date: date(r.try_get("due_date")?)?,
        currency: r.try_get("currency")?,
        credits: decimal(r, "credits")?,
        net: decimal(r, "net")?,
        tax: decimal(r, "tax")?,
        gross: decimal(r, "gross")?,
        paid: match (
            r.try_get::<Option<String>, _>("paid_amount")?,
            date(r.try_get("paid_on")?)?,
        ) {
            (Some(a), Some(d)) => Some((
                Decimal::from_str(&a)
                    .map_err(|e| Error::Internal(format!("stored paid amount `{a}`: {e}")))?,
                d,
            )),
            _ => None,
        },
        created_by: r.try_get("created_by")?,
        created_at: ts(r.try_get("created_at")?)?,
    })
}

/// The month `YYYY-MM` as an invoice period.
fn month(period: &str) -> Result<InvoicePeriod> {
    super::check_period(period)?;
    let first: Date = format!("{period}-01")
        .parse()
        .map_err(|e| Error::Invalid(format!("`{period}` is not a month: {e}")))?;
    Ok(InvoicePeriod::month_of(first))
}

/// The latest version of a contract the tenant may see, parsed.
async fn latest(
    conn: &mut Conn,
    cache: &VersionCache,
    tenant: &Tenant,
    contract_id: &str,
) -> Result<(u32, Arc<ParsedVersion>)> {
    let row = sqlx::query(
        "SELECT version FROM contract_versions
         WHERE contract_id = $1 AND ($2 IS NULL OR client_id = $2)
         ORDER BY version DESC LIMIT 1",
    )
    .bind(contract_id)
    .bind(tenant.client_filter())
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(Error::NotFound)?;
    let version = to_u32(row.try_get("version")?, "contract version")?;
    Ok((version, parsed(conn, cache, contract_id, version).await?))
}

/// The core's invoice of a period of a contract, from its ledger entries.
async fn compute(
    conn: &mut Conn,
    parsed: &ParsedVersion,
    contract_id: &str,
    request: &InvoiceRequest,
) -> Result<Invoice> {
    let entries = ledger_on(conn, &Tenant::Provider, contract_id).await?;
    let contract = &parsed.contract;
    Ok(accord_core::billing::invoice(
        contract,
        &entries,
        &contract.reporting_zone(),
        request,
    )?)
}

fn request(period: InvoicePeriod, credits: Decimal) -> InvoiceRequest {
    let mut r = InvoiceRequest::new(period);
    if credits > Decimal::ZERO {
        r.allowances.push(Allowance::new(
            format!("credit, period {}", period.label()),
            credits,
        ));
    }
    r
}

pub(crate) async fn draft_invoice(
    pool: &Pool<Db>,
    cache: &VersionCache,
    actor: Actor<'_>,
    contract_id: &str,
    period: &str,
    credits: Decimal,
    now: Timestamp,
) -> Result<StoredInvoice> {
    let p = month(period)?;
    if credits < Decimal::ZERO {
        return Err(Error::Invalid("credits must not be negative".into()));
    }
    let mut tx = begin_write(pool).await?;
    let (version, parsed) = latest(&mut tx, cache, actor.tenant, contract_id).await?;
    let open = sqlx::query(
        "SELECT id FROM invoices WHERE contract_id = $1 AND period = $2 AND status <> 'void'",
    )
    .bind(contract_id)
    .bind(period)
    .fetch_optional(&mut *tx)
    .await?;
    if open.is_some() {
        return Err(Error::Conflict(format!(
            "an invoice of contract `{contract_id}` for {period}"
        )));
    }
    let invoice = compute(&mut tx, &parsed, contract_id, &request(p, credits)).await?;
    let stored = StoredInvoice {
        id: InvoiceId::generate(),
        client: parsed.client.clone(),
        contract_id: contract_id.to_string(),
        contract_version: version,
        period: period.to_string(),
        status: InvoiceStatus::Draft,
        series: None,
        number: None,
        issue_date: None,
        due_date: None,
        currency: invoice.currency.clone(),
        credits,
        net: invoice.net,
        tax: invoice.tax,
        gross: invoice.gross,
        paid: None,
        created_by: actor.email.to_string(),
        created_at: now,
    };
    sqlx::query(
        "INSERT INTO invoices (id, client_id, contract_id, contract_version, period, kind, status,
            currency, credits, net, tax, gross, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, 'invoice', $6, $7, $8, $9, $10, $11, $12, $13, $13)",
    )
    .bind(stored.id.as_str())
    .bind(stored.client.as_str())
    .bind(contract_id)
    .bind(i64::from(version))
    .bind(period)
    .bind(InvoiceStatus::Draft.as_str())
    .bind(stored.currency.as_str())
    .bind(credits.to_string())
    .bind(stored.net.to_string())
    .bind(stored.tax.to_string())
    .bind(stored.gross.to_string())
    .bind(actor.email)
    .bind(ms(now))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(stored)
}

/// The number series of a contract's invoices issued in `year`: the
/// contract id in capitals and the year (`{CLIENT}-{YYYY}`).
fn series(contract_id: &str, year: i16) -> String {
    let client: String = contract_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '-'
            }
        })
        .collect();
    format!("{client}-{year:04}")
}

/// The next number of a series, allocated in the caller's transaction: a
/// second issuer waits on the counter row until the first commits (or
/// rolls back, taking its number with it), so numbers never skip.
async fn next_number(conn: &mut Conn, series: &str) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO invoice_series (series, last_number) VALUES ($1, 1)
         ON CONFLICT (series) DO UPDATE SET last_number = invoice_series.last_number + 1
         RETURNING last_number",
    )
    .bind(series)
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get("last_number")?)
}

async fn locked(conn: &mut Conn, tenant: &Tenant, id: &InvoiceId) -> Result<StoredInvoice> {
    let sql = format!(
        "SELECT {COLUMNS} FROM invoices WHERE id = $1 AND ($2 IS NULL OR client_id = $2){LOCK_ROW}"
    );
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(id.as_str())
        .bind(tenant.client_filter())
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(Error::NotFound)?;
    row_to_invoice(&row)
}

#[allow(
    clippy::too_many_arguments,
    reason = "the facade's arguments plus the pool and the cache"
)]
pub(crate) async fn issue_invoice(
    pool: &Pool<Db>,
    cache: &VersionCache,
    actor: Actor<'_>,
    id: &InvoiceId,
    today: Date,
    render: &RenderDocuments<'_>,
    now: Timestamp,
) -> Result<StoredInvoice> {
    let mut tx = begin_write(pool).await?;
    let old = locked(&mut tx, actor.tenant, id).await?;
    if old.status != InvoiceStatus::Draft {
        return Err(Error::InvoiceState {
            invoice: old.number.unwrap_or_else(|| old.id.to_string()),
            detail: format!("it is {}, and only a draft is issued", old.status.as_str()),
        });
    }
    let (_, parsed) = latest(&mut tx, cache, &Tenant::Provider, &old.contract_id).await?;
    let series = series(&old.contract_id, today.year());
    let n = next_number(&mut tx, &series).await?;
    let number = format!("{series}-{n:04}");
    let mut req = request(month(&old.period)?, old.credits);
    req.number = Some(number.clone());
    req.issue_date = today;
    let invoice = compute(&mut tx, &parsed, &old.contract_id, &req).await?;
    let documents = render(&parsed.contract, &invoice).map_err(Error::Invalid)?;
    for d in &documents {
        sqlx::query(
            "INSERT INTO invoice_documents (invoice_id, format, content_type, body, sha256)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id.as_str())
        .bind(d.format.as_str())
        .bind(d.content_type.as_str())
        .bind(d.body.as_slice())
        .bind(sha256_bytes_hex(&d.body))
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query(
        "UPDATE invoices SET status = $2, series = $3, number = $4, issue_date = $5,
            due_date = $6, contract_version = $7, net = $8, tax = $9, gross = $10, updated_at = $11
         WHERE id = $1",
    )
    .bind(id.as_str())
    .bind(InvoiceStatus::Issued.as_str())
    .bind(series.as_str())
    .bind(number.as_str())
    .bind(today.to_string())
    .bind(invoice.due_date.map(|d| d.to_string()))
    .bind(i64::from(parsed.contract.version()))
    .bind(invoice.net.to_string())
    .bind(invoice.tax.to_string())
    .bind(invoice.gross.to_string())
    .bind(ms(now))
    .execute(&mut *tx)
    .await?;
    let keys: Vec<String> = invoice
        .lines
        .iter()
        .flat_map(|l| l.entries.iter().map(|e| e.id.clone()))
        .collect();
    mark_invoiced(&mut tx, &old.contract_id, &keys, &number, actor.email, now).await?;
    let new = locked(&mut tx, &Tenant::Provider, id).await?;
    tx.commit().await?;
    Ok(new)
}

pub(crate) async fn pay_invoice(
    pool: &Pool<Db>,
    actor: Actor<'_>,
    id: &InvoiceId,
    amount: Decimal,
    paid_on: Date,
    now: Timestamp,
) -> Result<StoredInvoice> {
    let mut tx = begin_write(pool).await?;
    let old = locked(&mut tx, actor.tenant, id).await?;
    if !matches!(old.status, InvoiceStatus::Issued | InvoiceStatus::Overdue) {
        return Err(Error::InvoiceState {
            invoice: old.number.unwrap_or_else(|| old.id.to_string()),
            detail: format!(
                "it is {}; only an issued or overdue invoice is paid",
                old.status.as_str()
            ),
        });
    }
    if amount <= Decimal::ZERO {
        return Err(Error::Invalid(
            "the amount paid must be more than zero".into(),
        ));
    }
    sqlx::query(
        "UPDATE invoices SET status = $2, paid_amount = $3, paid_on = $4, updated_at = $5
         WHERE id = $1",
    )
    .bind(id.as_str())
    .bind(InvoiceStatus::Paid.as_str())
    .bind(amount.to_string())
    .bind(paid_on.to_string())
    .bind(ms(now))
    .execute(&mut *tx)
    .await?;
    let new = locked(&mut tx, &Tenant::Provider, id).await?;
    tx.commit().await?;
    Ok(new)
}

pub(crate) async fn invoice_by_id(
    pool: &Pool<Db>,
    tenant: &Tenant,
    id: &InvoiceId,
) -> Result<Option<StoredInvoice>> {
    let sql =
        format!("SELECT {COLUMNS} FROM invoices WHERE id = $1 AND ($2 IS NULL OR client_id = $2)");
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(id.as_str())
        .bind(tenant.client_filter())
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(row_to_invoice).transpose()
}

pub(crate) async fn invoice_document(
    pool: &Pool<Db>,
    tenant: &Tenant,
    id: &InvoiceId,
    format: &str,
) -> Result<Option<InvoiceDocument>> {
    let row = sqlx::query(
        "SELECT d.format, d.content_type, d.body, d.sha256
         FROM invoice_documents d JOIN invoices i ON i.id = d.invoice_id
         WHERE d.invoice_id = $1 AND d.format = $2 AND ($3 IS NULL OR i.client_id = $3)",
    )
    .bind(id.as_str())
    .bind(format)
    .bind(tenant.client_filter())
    .fetch_optional(pool)
    .await?;
    row.map(|r| {
        Ok(InvoiceDocument {
            format: r.try_get("format")?,
            content_type: r.try_get("content_type")?,
            body: r.try_get("body")?,
            sha256: r.try_get("sha256")?,
        })
    })
    .transpose()
}
