//! Organisations, users and API tokens (SPEC §1). Compiled once per backend
//! (see `db/mod.rs`).

use jiff::Timestamp;
use sqlx::{Pool, Row};

use super::{Db, begin_write};
use crate::auth::{TokenSecret, hash_password, verify_password};
use crate::db::{ms, opt_ts, ts};
use crate::ids::{ClientId, OrgId, TokenId, UserId};
use crate::model::{NewUser, OrgKind, Organisation, Role, TokenInfo, TokenListing, User};
use crate::{Error, Result, Tenant};

fn conflict(e: sqlx::Error, what: impl FnOnce() -> String) -> Error {
    match Error::from(e) {
        Error::Conflict(_) => Error::Conflict(what()),
        other => other,
    }
}

pub(crate) async fn create_organisation(
    pool: &Pool<Db>,
    kind: OrgKind,
    name: &str,
    now: Timestamp,
) -> Result<OrgId> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::Invalid("an organisation needs a name".into()));
    }
    let id = OrgId::generate();
    let kind_str = match kind {
        OrgKind::Provider => "provider",
        OrgKind::Client => "client",
    };
    let mut tx = begin_write(pool).await?;
    sqlx::query("INSERT INTO organisations (id, kind, name, created_at) VALUES ($1, $2, $3, $4)")
        .bind(id.as_str())
        .bind(kind_str)
        .bind(name)
        .bind(ms(now))
        .execute(&mut *tx)
        .await
        .map_err(|e| {
            conflict(e, || match kind {
                OrgKind::Provider => {
                    "a provider (there is one per installation) or an organisation with that name"
                        .into()
                }
                OrgKind::Client => format!("an organisation named `{name}`"),
            })
        })?;
    tx.commit().await?;
    Ok(id)
}

pub(crate) async fn organisations(pool: &Pool<Db>, tenant: &Tenant) -> Result<Vec<Organisation>> {
    let rows = sqlx::query(
        "SELECT id, kind, name FROM organisations
         WHERE $1 IS NULL OR id = $1 ORDER BY kind DESC, name",
    )
    .bind(tenant.client_filter())
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Organisation {
                id: OrgId::from_db(r.try_get("id")?),
                kind: if r.try_get::<String, _>("kind")? == "provider" {
                    OrgKind::Provider
                } else {
                    OrgKind::Client
                },
                name: r.try_get("name")?,
            })
        })
        .collect()
}

/// The client with this id, if it is one.
pub(crate) async fn client_exists(pool: &Pool<Db>, client: &ClientId) -> Result<bool> {
    let row = sqlx::query("SELECT 1 FROM organisations WHERE id = $1 AND kind = 'client'")
        .bind(client.as_str())
        .fetch_optional(pool)
        .await?;
    Ok(row.is_some())
}

pub(crate) async fn create_user(pool: &Pool<Db>, new: NewUser<'_>, now: Timestamp) -> Result<User> {
    let email = new.email.trim().to_lowercase();
    if !email.contains('@') || email.len() < 3 {
        return Err(Error::Invalid(format!(
            "`{}` is not an e-mail address",
            new.email
        )));
    }
    match (new.role, &new.client) {
        (Role::Client, None) => {
            return Err(Error::Invalid(
                "a client user needs a client organisation".into(),
            ));
        }
        (Role::Admin | Role::Agent, Some(_)) => {
            return Err(Error::Invalid(
                "provider staff (admin, agent) belong to no client organisation".into(),
            ));
        }
        _ => {}
    }
    if let Some(client) = &new.client
        && !client_exists(pool, client).await?
    {
        return Err(Error::Invalid(format!("there is no client `{client}`")));
    }
    let hash = new.password.map(hash_password).transpose()?;
    let id = UserId::generate();
    let mut tx = begin_write(pool).await?;
    sqlx::query(
        "INSERT INTO users (id, email, name, role, client_id, password_hash, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id.as_str())
    .bind(&email)
    .bind(new.name.trim())
    .bind(new.role.as_str())
    .bind(new.client.as_ref().map(ClientId::as_str))
    .bind(hash.as_deref())
    .bind(ms(now))
    .execute(&mut *tx)
    .await
    .map_err(|e| conflict(e, || format!("a user with e-mail `{email}`")))?;
    tx.commit().await?;
    Ok(User {
        id,
        email,
        name: new.name.trim().to_string(),
        role: new.role,
        client: new.client,
    })
}

pub(super) fn user_from_row(r: &<Db as sqlx::Database>::Row) -> Result<User> {
    let role: String = r.try_get("role")?;
    let client: Option<String> = r.try_get("client_id")?;
    Ok(User {
        id: UserId::from_db(r.try_get("id")?),
        email: r.try_get("email")?,
        name: r.try_get("name")?,
        role: role.parse()?,
        client: client.map(ClientId::from_db),
    })
}

/// The user with this e-mail (compared case-insensitively), if any.
pub(crate) async fn user_by_email(pool: &Pool<Db>, email: &str) -> Result<Option<User>> {
    let row = sqlx::query("SELECT id, email, name, role, client_id FROM users WHERE email = $1")
        .bind(email.trim().to_lowercase())
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(user_from_row).transpose()
}

/// Whether the database answers a trivial query.
pub(crate) async fn ping(pool: &Pool<Db>) -> Result<()> {
    sqlx::query("SELECT 1").execute(pool).await?;
    Ok(())
}

pub(crate) async fn authenticate(
    pool: &Pool<Db>,
    email: &str,
    password: &str,
) -> Result<Option<User>> {
    let row = sqlx::query(
        "SELECT id, email, name, role, client_id, password_hash FROM users WHERE email = $1",
    )
    .bind(email.trim().to_lowercase())
    .fetch_optional(pool)
    .await?;
    let hash: Option<String> = row
        .as_ref()
        .map(|r| r.try_get("password_hash"))
        .transpose()?
        .flatten();
    // Without an account (or a password), a hash is verified all the same,
    // so an unknown e-mail takes as long to refuse as a wrong password.
    let known = hash.is_some();
    let hash = hash.unwrap_or_else(|| crate::auth::dummy_hash().to_string());
    // Argon2id takes tens of milliseconds of CPU: off the async workers, so
    // a burst of sign-ins does not stall every other request.
    let password = password.to_string();
    let matches = tokio::task::spawn_blocking(move || verify_password(&hash, &password))
        .await
        .map_err(|e| Error::Internal(format!("password verification stopped: {e}")))?;
    match row {
        Some(row) if known && matches => Ok(Some(user_from_row(&row)?)),
        _ => Ok(None),
    }
}

pub(crate) async fn create_token(
    pool: &Pool<Db>,
    user: &UserId,
    name: &str,
    now: Timestamp,
) -> Result<(TokenInfo, TokenSecret)> {
    let secret = TokenSecret::generate();
    let id = TokenId::generate();
    let mut tx = begin_write(pool).await?;
    let found = sqlx::query("SELECT 1 FROM users WHERE id = $1")
        .bind(user.as_str())
        .fetch_optional(&mut *tx)
        .await?;
    if found.is_none() {
        return Err(Error::NotFound);
    }
    sqlx::query(
        "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id.as_str())
    .bind(user.as_str())
    .bind(name.trim())
    .bind(secret.hash())
    .bind(ms(now))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    let info = TokenInfo {
        id,
        user: user.clone(),
        name: name.trim().to_string(),
    };
    Ok((info, secret))
}

pub(crate) async fn verify_token(pool: &Pool<Db>, secret: &TokenSecret) -> Result<Option<User>> {
    let row = sqlx::query(
        "SELECT u.id, u.email, u.name, u.role, u.client_id FROM api_tokens t
         JOIN users u ON u.id = t.user_id
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL",
    )
    .bind(secret.hash())
    .fetch_optional(pool)
    .await?;
    row.as_ref().map(user_from_row).transpose()
}

pub(crate) async fn revoke_token(pool: &Pool<Db>, token: &TokenId, now: Timestamp) -> Result<bool> {
    let mut tx = begin_write(pool).await?;
    let done =
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(ms(now))
            .bind(token.as_str())
            .execute(&mut *tx)
            .await?;
    tx.commit().await?;
    Ok(done.rows_affected() == 1)
}

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
