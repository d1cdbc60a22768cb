//! Browser sessions of the web application (SPEC §1, §9). Compiled once per
//! backend (see `db/mod.rs`).

use jiff::Timestamp;
use sqlx::{Pool, Row};

use super::{Db, begin_write};
use crate::Result;
use crate::auth::random_hex;
use crate::db::{ms, ts};
use crate::ids::UserId;
use crate::model::{SessionSecret, WebSession};

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
