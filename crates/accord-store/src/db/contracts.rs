//! Contract versions (SPEC §2): stored as the TOML text that was uploaded,
//! after it parsed; and the clock policy of a version, parsed once and
//! cached. Compiled once per backend (see `db/mod.rs`).

use std::io;
use std::path::Path;
use std::sync::Arc;

use accord_core::clock::ClockPolicy;
use accord_core::contract::Contract;
use accord_core::contract::check_amendment;
use accord_core::diagnostic::SourceFile;
use jiff::Timestamp;
use jiff::civil::Date;
use sqlx::{AssertSqlSafe, Pool, Row};

use super::{Db, LOCK_ROW, begin_write};
use crate::db::{PolicyCache, ms, to_u32, ts};
use crate::ids::ClientId;
use crate::model::{ContractSummary, ContractVersion};
use crate::{Error, Result, Tenant};

/// Contracts in the database cannot refer to files: there are none beside them.
fn no_files(path: &Path) -> io::Result<String> {
    Err(io::Error::new(
        io::ErrorKind::NotFound,
        format!(
            "`{}`: a stored contract cannot refer to files; write the holidays into the contract",
            path.display()
        ),
    ))
}

/// Parses contract text, with the core's diagnostics on error.
pub(crate) fn parse_contract(source_name: &str, text: &str) -> Result<Contract> {
    let src = SourceFile::new(source_name, text);
    Contract::parse(&src, &mut no_files).map_err(Error::Contract)
}

pub(crate) async fn put_contract_version(
    pool: &Pool<Db>,
    client: &ClientId,
    source_name: &str,
    text: &str,
    now: Timestamp,
) -> Result<ContractVersion> {
    let contract = parse_contract(source_name, text)?;
    let id = contract.id().to_string();
    let mut tx = begin_write(pool).await?;
    let owner = sqlx::query("SELECT kind FROM organisations WHERE id = $1")
        .bind(client.as_str())
        .fetch_optional(&mut *tx)
        .await?;
    match owner {
        Some(r) if r.try_get::<String, _>("kind")? == "client" => {}
        _ => return Err(Error::Invalid(format!("there is no client `{client}`"))),
    }
    let other = sqlx::query(
        "SELECT client_id FROM contract_versions WHERE contract_id = $1 AND client_id <> $2",
    )
    .bind(&id)
    .bind(client.as_str())
    .fetch_optional(&mut *tx)
    .await?;
    if other.is_some() {
        return Err(Error::Conflict(format!(
            "a contract `{id}` of another client"
        )));
    }
    let stored = insert_version(&mut tx, client, source_name, text, &contract, now).await?;
    tx.commit().await?;
    Ok(stored)
}

/// Inserts a parsed contract version for `client` inside a write
/// transaction; a stored (id, version) is a conflict.
pub(super) async fn insert_version(
    conn: &mut <Db as sqlx::Database>::Connection,
    client: &ClientId,
    source_name: &str,
    text: &str,
    contract: &Contract,
    now: Timestamp,
) -> Result<ContractVersion> {
    let (id, version) = (contract.id().to_string(), contract.version());
    sqlx::query(
        "INSERT INTO contract_versions
         (contract_id, version, client_id, effective_from, source_name, source, uploaded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(i64::from(version))
    .bind(client.as_str())
    .bind(contract.effective_from().to_string())
    .bind(source_name)
    .bind(text)
    .bind(ms(now))
    .execute(&mut *conn)
    .await
    .map_err(|e| match Error::from(e) {
        Error::Conflict(_) => Error::Conflict(format!(
            "version {version} of contract `{id}` (amend it with a higher `version`)"
        )),
        other => other,
    })?;
    Ok(ContractVersion {
        client: client.clone(),
        contract_id: id,
        version,
        effective_from: contract.effective_from(),
        source_name: source_name.to_string(),
        source: text.to_string(),
        uploaded_at: now,
    })
}

pub(super) fn version_from_row(r: &<Db as sqlx::Database>::Row) -> Result<ContractVersion> {
    let from: String = r.try_get("effective_from")?;
    Ok(ContractVersion {
        client: ClientId::from_db(r.try_get("client_id")?),
        contract_id: r.try_get("contract_id")?,
        version: to_u32(r.try_get("version")?, "contract version")?,
        effective_from: from
            .parse::<Date>()
            .map_err(|e| Error::Internal(format!("stored date `{from}`: {e}")))?,
        source_name: r.try_get("source_name")?,
        source: r.try_get("source")?,
        uploaded_at: ts(r.try_get("uploaded_at")?)?,
    })
}

pub(crate) async fn contract_versions(
    pool: &Pool<Db>,
    tenant: &Tenant,
    contract_id: &str,
) -> Result<Vec<ContractVersion>> {
    let rows = sqlx::query(
        "SELECT contract_id, version, client_id, effective_from, source_name, source, uploaded_at
         FROM contract_versions
         WHERE contract_id = $1 AND ($2 IS NULL OR client_id = $2)
         ORDER BY version",
    )
    .bind(contract_id)
    .bind(tenant.client_filter())
    .fetch_all(pool)
    .await?;
    rows.iter().map(version_from_row).collect()
}

/// The clock policy of a stored contract version, from the cache or parsed
/// from its stored text.
pub(crate) async fn load_policy(
    conn: &mut <Db as sqlx::Database>::Connection,
    cache: &PolicyCache,
    contract_id: &str,
    version: u32,
) -> Result<Arc<ClockPolicy>> {
    if let Some(p) = cache.get(contract_id, version) {
        return Ok(p);
    }
    let row = sqlx::query(
        "SELECT source_name, source FROM contract_versions WHERE contract_id = $1 AND version = $2",
    )
    .bind(contract_id)
    .bind(i64::from(version))
    .fetch_one(&mut *conn)
    .await?;
    let (name, text): (String, String) = (row.try_get("source_name")?, row.try_get("source")?);
    let contract = parse_contract(&name, &text)
        .map_err(|e| Error::Internal(format!("stored contract `{contract_id}` v{version}: {e}")))?;
    let policy = Arc::new(
        ClockPolicy::from_contract(&contract)
            .map_err(|e| Error::Internal(format!("stored contract `{contract_id}`: {e}")))?,
    );
    cache.put(contract_id, version, Arc::clone(&policy));
    Ok(policy)
}

const VERSION_COLUMNS: &str =
    "contract_id, version, client_id, effective_from, source_name, source, uploaded_at";

pub(crate) async fn contract_version(
    pool: &Pool<Db>,
    tenant: &Tenant,
    contract_id: &str,
    version: u32,
) -> Result<Option<ContractVersion>> {
    let sql = format!(
        "SELECT {VERSION_COLUMNS} FROM contract_versions
         WHERE contract_id = $1 AND version = $2 AND ($3 IS NULL OR client_id = $3)"
    );
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(contract_id)
        .bind(i64::from(version))
        .bind(tenant.client_filter())
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(version_from_row).transpose()
}

pub(crate) async fn amend_contract(
    pool: &Pool<Db>,
    contract_id: &str,
    source_name: &str,
    text: &str,
    now: Timestamp,
) -> Result<ContractVersion> {
    let amendment = parse_contract(source_name, text)?;
    let mut tx = begin_write(pool).await?;
    // Locking the current version serialises amendments of one contract
    // (on SQLite the write lock already does).
    let sql = format!(
        "SELECT {VERSION_COLUMNS} FROM contract_versions WHERE contract_id = $1
         ORDER BY version DESC LIMIT 1{LOCK_ROW}"
    );
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(contract_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(Error::NotFound)?;
    let current = version_from_row(&row)?;
    let parsed = parse_contract(&current.source_name, &current.source).map_err(|e| {
        Error::Internal(format!(
            "stored contract `{contract_id}` v{}: {e}",
            current.version
        ))
    })?;
    check_amendment(&parsed, &amendment)?;
    let stored =
        insert_version(&mut tx, &current.client, source_name, text, &amendment, now).await?;
    tx.commit().await?;
    Ok(stored)
}

pub(crate) async fn contract_summaries(
    pool: &Pool<Db>,
    tenant: &Tenant,
) -> Result<Vec<ContractSummary>> {
    let rows = sqlx::query(
        "SELECT v.client_id, o.name, v.contract_id, MAX(v.version) AS latest, COUNT(*) AS n
         FROM contract_versions v JOIN organisations o ON o.id = v.client_id
         WHERE $1 IS NULL OR v.client_id = $1
         GROUP BY v.client_id, o.name, v.contract_id
         ORDER BY o.name, v.contract_id",
    )
    .bind(tenant.client_filter())
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ContractSummary {
                client: ClientId::from_db(r.try_get("client_id")?),
                client_name: r.try_get("name")?,
                contract_id: r.try_get("contract_id")?,
                latest_version: to_u32(r.try_get("latest")?, "contract version")?,
                versions: to_u32(r.try_get("n")?, "version count")?,
            })
        })
        .collect()
}
