//! What the API lists and changes beyond tickets (issue 5; SPEC §1, §2):
//! users, a user's own API tokens, single contract versions and
//! amendments. Every read that touches tenant data takes a [`Tenant`] and
//! filters in SQL. Compiled once per backend (see `db/mod.rs`).

use accord_core::contract::check_amendment;
use jiff::Timestamp;
use sqlx::{AssertSqlSafe, Pool};

use super::accounts::user_from_row;
use super::contracts::{insert_version, parse_contract, version_from_row};
use super::{Db, LOCK_ROW, begin_write};
use crate::db::ms;
use crate::ids::{TokenId, UserId};
use crate::model::{ContractVersion, User};
use crate::{Error, Result, Tenant};

const VERSION_COLUMNS: &str =
    "contract_id, version, client_id, effective_from, source_name, source, uploaded_at";

pub(crate) async fn list_users(pool: &Pool<Db>, tenant: &Tenant) -> Result<Vec<User>> {
    let rows = sqlx::query(
        "SELECT id, email, name, role, client_id FROM users
         WHERE $1 IS NULL OR client_id = $1 ORDER BY email",
    )
    .bind(tenant.client_filter())
    .fetch_all(pool)
    .await?;
    rows.iter().map(user_from_row).collect()
}

pub(crate) async fn revoke_token_of(
    pool: &Pool<Db>,
    owner: &UserId,
    token: &TokenId,
    now: Timestamp,
) -> Result<bool> {
    let mut tx = begin_write(pool).await?;
    let done = sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1
         WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
    )
    .bind(ms(now))
    .bind(token.as_str())
    .bind(owner.as_str())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(done.rows_affected() == 1)
}

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
