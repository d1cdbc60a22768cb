//! What the web application (issue 6) reads and writes beyond the API's
//! use cases: browser sessions, users' time zones, and the listings and
//! period outcomes its pages show. Every read of tenant data takes a
//! [`Tenant`] and enforces it in SQL. Compiled once per backend (see
//! `db/mod.rs`).

use jiff::Timestamp;
use sqlx::{Pool, Row};

use super::{Db, begin_write};
use crate::auth::random_hex;
use crate::db::{ms, opt_ts, parse_metric, parse_state, parse_status, to_u32, ts};
use crate::ids::{ClientId, TicketId, TokenId, UserId};
use crate::model::{
    ClockOutcome, ContractSummary, SessionSecret, TokenInfo, TokenListing, WebSession,
};
use crate::{Error, Result, Tenant};

pub(crate) async fn create_session(
    pool: &Pool<Db>,
    user: &UserId,
    now: Timestamp,
    expires_at: Timestamp,
) -> Result<SessionSecret> {
    let secret = SessionSecret::generate();
    let mut tx = begin_write(pool).await?;
    // Expired sessions of anyone are removed as new ones are made.
    sqlx::query("DELETE FROM web_sessions WHERE expires_at <= $1")
        .bind(ms(now))
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO web_sessions (id_hash, user_id, csrf_token, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(secret.hash())
    .bind(user.as_str())
    .bind(random_hex(32))
    .bind(ms(now))
    .bind(ms(expires_at))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(secret)
}

pub(crate) async fn web_session(
    pool: &Pool<Db>,
    secret: &SessionSecret,
    now: Timestamp,
) -> Result<Option<WebSession>> {
    let row = sqlx::query(
        "SELECT u.id, u.email, u.name, u.role, u.client_id, u.time_zone,
                s.csrf_token, s.expires_at
         FROM web_sessions s JOIN users u ON u.id = s.user_id
         WHERE s.id_hash = $1 AND s.expires_at > $2",
    )
    .bind(secret.hash())
    .bind(ms(now))
    .fetch_optional(pool)
    .await?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some(WebSession {
        user: super::accounts::user_from_row(&r)?,
        csrf_token: r.try_get("csrf_token")?,
        time_zone: r.try_get("time_zone")?,
        expires_at: ts(r.try_get("expires_at")?)?,
    }))
}

pub(crate) async fn delete_session(pool: &Pool<Db>, secret: &SessionSecret) -> Result<()> {
    let mut tx = begin_write(pool).await?;
    sqlx::query("DELETE FROM web_sessions WHERE id_hash = $1")
        .bind(secret.hash())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn delete_user_sessions(pool: &Pool<Db>, user: &UserId) -> Result<u64> {
    let mut tx = begin_write(pool).await?;
    let done = sqlx::query("DELETE FROM web_sessions WHERE user_id = $1")
        .bind(user.as_str())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(done.rows_affected())
}

pub(crate) async fn set_time_zone(
    pool: &Pool<Db>,
    user: &UserId,
    zone: Option<&str>,
) -> Result<()> {
    let mut tx = begin_write(pool).await?;
    let done = sqlx::query("UPDATE users SET time_zone = $1 WHERE id = $2")
        .bind(zone)
        .bind(user.as_str())
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() != 1 {
        return Err(Error::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn token_listing(
    pool: &Pool<Db>,
    only_user: Option<&UserId>,
) -> Result<Vec<TokenListing>> {
    let rows = sqlx::query(
        "SELECT t.id, t.user_id, t.name, t.created_at, t.revoked_at, u.email
         FROM api_tokens t JOIN users u ON u.id = t.user_id
         WHERE $1 IS NULL OR t.user_id = $1
         ORDER BY t.created_at DESC, t.id DESC",
    )
    .bind(only_user.map(UserId::as_str))
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(TokenListing {
                info: TokenInfo {
                    id: TokenId::from_db(r.try_get("id")?),
                    user: UserId::from_db(r.try_get("user_id")?),
                    name: r.try_get("name")?,
                },
                user_email: r.try_get("email")?,
                created_at: ts(r.try_get("created_at")?)?,
                revoked_at: opt_ts(r.try_get("revoked_at")?)?,
            })
        })
        .collect()
}

/// The user a token belongs to, if it exists.
pub(crate) async fn token_owner(pool: &Pool<Db>, token: &TokenId) -> Result<Option<UserId>> {
    let row = sqlx::query("SELECT user_id FROM api_tokens WHERE id = $1")
        .bind(token.as_str())
        .fetch_optional(pool)
        .await?;
    row.map(|r| Ok(UserId::from_db(r.try_get("user_id")?)))
        .transpose()
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
