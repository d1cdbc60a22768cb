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

use super::{Db, LOCK_ROW, begin_write, schedule_statement_job};
use crate::db::{VersionCache, ms, to_u32, ts};
use crate::ids::ClientId;
use crate::model::{ContractFiles, ContractSummary, ContractVersion, ParsedVersion};
use crate::{Error, Result, Tenant};

/// Parses contract text whose `holiday_files` are served from `files` (by
/// the name the contract writes, else by the file's base name), with the
/// core's diagnostics on error: a name not among them is the usual
/// diagnostic at its line and column. Returns the contract and the files it
/// read, which are what is stored with it.
pub(crate) fn parse_with_files(
    source_name: &str,
    text: &str,
    files: &ContractFiles,
) -> Result<(Contract, ContractFiles)> {
    let src = SourceFile::new(source_name, text);
    let dir = Path::new(source_name)
        .parent()
        .unwrap_or(Path::new(""))
        .to_path_buf();
    let mut used = ContractFiles::new();
    let mut serve = |path: &Path| -> io::Result<String> {
        let written = path.strip_prefix(&dir).unwrap_or(path);
        let written = written.to_string_lossy().replace('\\', "/");
        let base = Path::new(&written)
            .file_name()
            .map(|b| b.to_string_lossy().to_string());
        let found = files
            .get_key_value(&written)
            .or_else(|| base.as_ref().and_then(|b| files.get_key_value(b)));
        match found {
            Some((name, text)) => {
                used.insert(name.clone(), text.clone());
                Ok(text.clone())
            }
            None => Err(io::Error::new(
                io::ErrorKind::NotFound,
                if files.is_empty() {
                    "no files were uploaded with the contract; upload it with this file".to_string()
                } else {
                    format!(
                        "not among the files uploaded with the contract ({})",
                        files
                            .keys()
                            .map(String::as_str)
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                },
            )),
        }
    };
    let contract = Contract::parse(&src, &mut serve).map_err(Error::Contract)?;
    Ok((contract, used))
}

/// The files stored with a contract version.
pub(crate) async fn stored_files(
    conn: &mut <Db as sqlx::Database>::Connection,
    contract_id: &str,
    version: u32,
) -> Result<ContractFiles> {
    let rows = sqlx::query(
        "SELECT name, text FROM contract_files WHERE contract_id = $1 AND version = $2",
    )
    .bind(contract_id)
    .bind(i64::from(version))
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("name")?, r.try_get("text")?)))
        .collect()
}

/// A stored version parsed with its files, from the cache or parsed now
/// and cached; [`Error::NotFound`] if there is no such version. Every parse
/// of a stored version goes through here.
pub(crate) async fn parsed(
    conn: &mut <Db as sqlx::Database>::Connection,
    cache: &VersionCache,
    contract_id: &str,
    version: u32,
) -> Result<Arc<ParsedVersion>> {
    if let Some(p) = cache.get(contract_id, version) {
        return Ok(p);
    }
    let row = sqlx::query(
        "SELECT client_id, source_name, source FROM contract_versions
         WHERE contract_id = $1 AND version = $2",
    )
    .bind(contract_id)
    .bind(i64::from(version))
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(Error::NotFound)?;
    let (name, text): (String, String) = (row.try_get("source_name")?, row.try_get("source")?);
    let files = stored_files(conn, contract_id, version).await?;
    let fault =
        |e: String| Error::Internal(format!("stored contract `{contract_id}` v{version}: {e}"));
    let (contract, _) = parse_with_files(&name, &text, &files).map_err(|e| fault(e.to_string()))?;
    let policy = ClockPolicy::from_contract(&contract).map_err(|e| fault(e.to_string()))?;
    let parsed = Arc::new(ParsedVersion {
        client: ClientId::from_db(row.try_get("client_id")?),
        contract,
        policy,
    });
    cache.put(contract_id, version, Arc::clone(&parsed));
    Ok(parsed)
}

pub(crate) async fn put_contract_version(
    pool: &Pool<Db>,
    client: &ClientId,
    source_name: &str,
    text: &str,
    files: &ContractFiles,
    now: Timestamp,
) -> Result<ContractVersion> {
    let (contract, used) = parse_with_files(source_name, text, files)?;
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
    let stored = insert_version(&mut tx, client, source_name, text, &contract, &used, now).await?;
    tx.commit().await?;
    Ok(stored)
}

/// Inserts a parsed contract version for `client` with the files it read,
/// inside a write transaction; a stored (id, version) is a conflict.
pub(super) async fn insert_version(
    conn: &mut <Db as sqlx::Database>::Connection,
    client: &ClientId,
    source_name: &str,
    text: &str,
    contract: &Contract,
    files: &ContractFiles,
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
    if !contract.milestones().is_empty() {
        // A new version may bring milestones or move their dates; its
        // deliverables fall due whether or not an event ever arrives.
        super::set_job(&mut *conn, super::MILESTONE_CHANGE, &id, Some(ms(now))).await?;
    }
    for (name, file) in files {
        sqlx::query(
            "INSERT INTO contract_files (contract_id, version, name, text) VALUES ($1, $2, $3, $4)",
        )
        .bind(&id)
        .bind(i64::from(version))
        .bind(name)
        .bind(file)
        .execute(&mut *conn)
        .await?;
    }
    // Its reporting month's end computes that month's statement draft.
    schedule_statement_job(conn, contract, now).await?;
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

/// The effective dates of a stored contract version.
pub(crate) async fn contract_term(
    conn: &mut <Db as sqlx::Database>::Connection,
    cache: &VersionCache,
    contract_id: &str,
    version: u32,
) -> Result<(Date, Option<Date>)> {
    let p = parsed(conn, cache, contract_id, version).await?;
    Ok((p.contract.effective_from(), p.contract.effective_until()))
}

/// A stored version parsed with its files, if the tenant may see it.
pub(crate) async fn parsed_contract_version(
    pool: &Pool<Db>,
    cache: &VersionCache,
    tenant: &Tenant,
    contract_id: &str,
    version: u32,
) -> Result<Option<Arc<ParsedVersion>>> {
    let mut conn = pool.acquire().await?;
    match parsed(&mut conn, cache, contract_id, version).await {
        Ok(p) if tenant.can_see(&p.client) => Ok(Some(p)),
        Ok(_) | Err(Error::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The files stored with a version, if the tenant may see it.
pub(crate) async fn contract_version_files(
    pool: &Pool<Db>,
    tenant: &Tenant,
    contract_id: &str,
    version: u32,
) -> Result<Option<ContractFiles>> {
    let mut conn = pool.acquire().await?;
    let visible = sqlx::query(
        "SELECT version FROM contract_versions
         WHERE contract_id = $1 AND version = $2 AND ($3 IS NULL OR client_id = $3)",
    )
    .bind(contract_id)
    .bind(i64::from(version))
    .bind(tenant.client_filter())
    .fetch_optional(&mut *conn)
    .await?;
    if visible.is_none() {
        return Ok(None);
    }
    stored_files(&mut conn, contract_id, version)
        .await
        .map(Some)
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

pub(crate) async fn latest_version_number(
    pool: &Pool<Db>,
    tenant: &Tenant,
    contract_id: &str,
) -> Result<Option<u32>> {
    let row = sqlx::query(
        "SELECT version FROM contract_versions
         WHERE contract_id = $1 AND ($2 IS NULL OR client_id = $2)
         ORDER BY version DESC LIMIT 1",
    )
    .bind(contract_id)
    .bind(tenant.client_filter())
    .fetch_optional(pool)
    .await?;
    row.map(|r| to_u32(r.try_get("version")?, "contract version"))
        .transpose()
}

pub(crate) async fn amend_contract(
    pool: &Pool<Db>,
    cache: &VersionCache,
    contract_id: &str,
    source_name: &str,
    text: &str,
    files: &ContractFiles,
    now: Timestamp,
) -> Result<ContractVersion> {
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
    // Files the amendment does not send again are those of the current
    // version, if it still names them.
    let mut offered = stored_files(&mut tx, contract_id, current.version).await?;
    offered.extend(files.iter().map(|(k, v)| (k.clone(), v.clone())));
    let (amendment, used) = parse_with_files(source_name, text, &offered)?;
    let current_parsed = parsed(&mut tx, cache, contract_id, current.version).await?;
    check_amendment(&current_parsed.contract, &amendment)?;
    let stored = insert_version(
        &mut tx,
        &current.client,
        source_name,
        text,
        &amendment,
        &used,
        now,
    )
    .await?;
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
