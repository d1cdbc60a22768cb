//! The outbox (SPEC §4, §7): registered webhooks, the notifications the
//! scheduler writes in the claim transaction (one row per firing
//! and recipient, so a firing is never lost nor announced twice), the
//! delivery workers' claims under a lease, and every attempt they make.
//! Compiled once per backend (see `db/mod.rs`).

use std::collections::BTreeMap;

use argon2::password_hash::rand_core::{OsRng, RngCore};
use jiff::Timestamp;
use rust_decimal::Decimal;
use sqlx::{AssertSqlSafe, Pool, Row};

use super::{CLAIM_SKIP_LOCKED, Db, READ_SNAPSHOT, begin_write, parsed};
use crate::auth::hex;
use crate::db::VersionCache;
use crate::db::{ms, opt_ts, parse_metric, to_u32, ts};
use crate::ids::{ClientId, NotificationId, TicketId, WebhookId};
use crate::model::{
    AttemptOutcome, CrossingPayload, CrossingRecord, DeliveryAttempt, DeliveryRecord,
    DeliveryStatus, FiredCrossing, NewWebhook, Notification, NotificationTarget, Topics, Webhook,
};
use crate::{Error, Result, Tenant};

type Conn = <Db as sqlx::Database>::Connection;

/// The prefix of webhook secrets, so a leaked one is recognisable.
const SECRET_PREFIX: &str = "whsec_";

/// A webhook as the outbox needs it.
#[derive(Debug)]
pub(crate) struct Subscriber {
    id: String,
    topics: Topics,
    client: Option<String>,
}

impl Subscriber {
    fn wants(&self, topic: &str, client: &ClientId) -> bool {
        self.topics.contains(topic) && self.client.as_deref().is_none_or(|c| c == client.as_str())
    }
}

/// The webhooks not deleted, for the outbox.
pub(crate) async fn subscribers(conn: &mut Conn) -> Result<Vec<Subscriber>> {
    let rows = sqlx::query("SELECT id, topics, client_id FROM webhooks WHERE deleted_at IS NULL")
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Subscriber {
                id: r.try_get("id")?,
                topics: Topics::from_stored(&r.try_get::<String, _>("topics")?)?,
                client: r.try_get("client_id")?,
            })
        })
        .collect()
}

/// The contacts a contract version names for warnings (`[warnings]
/// notify`), as (name, address), each address once.
pub(crate) async fn warning_contacts(
    conn: &mut Conn,
    cache: &VersionCache,
    contract_id: &str,
    version: u32,
) -> Result<Vec<(String, String)>> {
    let parsed = parsed(conn, cache, contract_id, version).await?;
    let contract = &parsed.contract;
    Ok(unique_addresses(
        contract
            .warnings()
            .notify
            .iter()
            .filter_map(|r| contract.contacts().get(r)),
    ))
}

/// Contacts as (name, address), each address once. Domains are
/// case-insensitive, and in practice so are mailboxes: one e-mail per
/// person even if two responsibilities name them.
pub(crate) fn unique_addresses<'a>(
    contacts: impl Iterator<Item = &'a accord_core::contract::Contact>,
) -> Vec<(String, String)> {
    let mut by_address = BTreeMap::new();
    for c in contacts {
        by_address
            .entry(c.email.to_lowercase())
            .or_insert_with(|| (c.name.clone(), c.email.clone()));
    }
    by_address.into_values().collect()
}

/// A message to put in the outbox: what it is about and its facts.
#[derive(Debug)]
pub(crate) struct Message<'a> {
    pub topic: &'a str,
    /// The id of what it is about (a ticket, ...).
    pub subject: &'a str,
    /// Whose it is: webhooks limited to another client do not get it.
    pub client: &'a ClientId,
    /// The facts, a JSON object.
    pub payload: &'a str,
}

/// Writes one outbox row per recipient of `message`: each webhook that
/// subscribes to its topic (and client), and each of `contacts`. Runs in the
/// transaction that caused the message, so both commit or neither does.
pub(crate) async fn enqueue(
    conn: &mut Conn,
    message: &Message<'_>,
    webhooks: &[Subscriber],
    contacts: &[(String, String)],
    now: Timestamp,
) -> Result<()> {
    let webhook_rows = webhooks
        .iter()
        .filter(|w| w.wants(message.topic, message.client))
        .map(|w| ("webhook", Some(w.id.as_str()), w.id.as_str(), None));
    let email_rows = contacts
        .iter()
        .map(|(name, address)| ("email", None, address.as_str(), Some(name.as_str())));
    for (channel, webhook, recipient, name) in webhook_rows.chain(email_rows) {
        sqlx::query(
            "INSERT INTO outbox
             (id, topic, subject, payload, channel, webhook_id, recipient, recipient_name,
              status, attempts, next_attempt_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', 0, $9, $9)",
        )
        .bind(NotificationId::generate().as_str())
        .bind(message.topic)
        .bind(message.subject)
        .bind(message.payload)
        .bind(channel)
        .bind(webhook)
        .bind(recipient)
        .bind(name)
        .bind(ms(now))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

fn webhook_from_row(r: &<Db as sqlx::Database>::Row) -> Result<Webhook> {
    Ok(Webhook {
        id: WebhookId::from_db(r.try_get("id")?),
        url: r.try_get("url")?,
        topics: Topics::from_stored(&r.try_get::<String, _>("topics")?)?,
        client: r
            .try_get::<Option<String>, _>("client_id")?
            .map(ClientId::from_db),
        description: r.try_get("description")?,
        created_at: ts(r.try_get("created_at")?)?,
    })
}

pub(crate) async fn create_webhook(
    pool: &Pool<Db>,
    new: NewWebhook,
    now: Timestamp,
) -> Result<(Webhook, String)> {
    let url = new.url.trim();
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    if rest.is_none_or(|r| r.is_empty() || r.starts_with('/')) {
        return Err(Error::Invalid(format!(
            "`{url}` is not a webhook URL: use http://HOST/... or https://HOST/..."
        )));
    }
    let mut tx = begin_write(pool).await?;
    if let Some(client) = &new.client {
        let kind: Option<String> = sqlx::query("SELECT kind FROM organisations WHERE id = $1")
            .bind(client.as_str())
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| r.try_get("kind"))
            .transpose()?;
        if kind.as_deref() != Some("client") {
            return Err(Error::Invalid(format!("there is no client `{client}`")));
        }
    }
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let secret = format!("{SECRET_PREFIX}{}", hex(&bytes));
    let webhook = Webhook {
        id: WebhookId::generate(),
        url: url.to_string(),
        topics: new.topics,
        client: new.client,
        description: new.description,
        created_at: Timestamp::from_millisecond(ms(now)).unwrap_or(now),
    };
    sqlx::query(
        "INSERT INTO webhooks (id, url, secret, topics, client_id, description, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(webhook.id.as_str())
    .bind(&webhook.url)
    .bind(&secret)
    .bind(webhook.topics.stored())
    .bind(webhook.client.as_ref().map(ClientId::as_str))
    .bind(&webhook.description)
    .bind(ms(now))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok((webhook, secret))
}

pub(crate) async fn webhooks(pool: &Pool<Db>) -> Result<Vec<Webhook>> {
    let rows = sqlx::query(
        "SELECT id, url, topics, client_id, description, created_at FROM webhooks
         WHERE deleted_at IS NULL ORDER BY id",
    )
    .fetch_all(pool)
    .await?;
    rows.iter().map(webhook_from_row).collect()
}

/// Deletes a webhook and cancels its pending notifications; `false` if it
/// was unknown or already deleted.
pub(crate) async fn delete_webhook(
    pool: &Pool<Db>,
    id: &WebhookId,
    now: Timestamp,
) -> Result<bool> {
    let mut tx = begin_write(pool).await?;
    let done =
        sqlx::query("UPDATE webhooks SET deleted_at = $1 WHERE id = $2 AND deleted_at IS NULL")
            .bind(ms(now))
            .bind(id.as_str())
            .execute(&mut *tx)
            .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query(
        "UPDATE outbox SET status = 'cancelled', next_attempt_at = NULL, finished_at = $1
         WHERE webhook_id = $2 AND status = 'pending'",
    )
    .bind(ms(now))
    .bind(id.as_str())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Claims up to `limit` notifications due by `now` for one attempt each:
/// their next attempt is moved to `lease_until`, so no other worker takes
/// them meanwhile, and one whose worker died is retried after it.
pub(crate) async fn claim_notifications(
    pool: &Pool<Db>,
    now: Timestamp,
    lease_until: Timestamp,
    limit: u32,
) -> Result<Vec<Notification>> {
    let mut tx = begin_write(pool).await?;
    let sql = format!(
        "SELECT n.id, n.topic, n.subject, n.payload, n.channel, n.webhook_id, n.recipient,
                n.recipient_name, n.attempts, w.url, w.secret
         FROM outbox n LEFT JOIN webhooks w ON w.id = n.webhook_id
         WHERE n.id IN (SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1
                        ORDER BY next_attempt_at LIMIT $2{CLAIM_SKIP_LOCKED})
         ORDER BY n.next_attempt_at, n.id"
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(ms(now))
        .bind(i64::from(limit))
        .fetch_all(&mut *tx)
        .await?;
    let mut claimed = Vec::with_capacity(rows.len());
    for r in &rows {
        let id: String = r.try_get("id")?;
        sqlx::query("UPDATE outbox SET next_attempt_at = $1 WHERE id = $2")
            .bind(ms(lease_until))
            .bind(&id)
            .execute(&mut *tx)
            .await?;
        let target = match r.try_get::<String, _>("channel")?.as_str() {
            "webhook" => NotificationTarget::Webhook {
                id: WebhookId::from_db(r.try_get("webhook_id")?),
                url: r.try_get("url")?,
                secret: r.try_get("secret")?,
            },
            _ => NotificationTarget::Email {
                name: r.try_get("recipient_name")?,
                address: r.try_get("recipient")?,
            },
        };
        claimed.push(Notification {
            id: NotificationId::from_db(id),
            attempt: to_u32(r.try_get("attempts")?, "attempts")? + 1,
            target,
            topic: r.try_get("topic")?,
            subject: r.try_get("subject")?,
            payload: r.try_get("payload")?,
        });
    }
    tx.commit().await?;
    Ok(claimed)
}

/// A fired crossing from a row with the `fired_crossings` columns plus the
/// ticket's `key` and `client_id`.
fn crossing_from_row(r: &<Db as sqlx::Database>::Row) -> Result<FiredCrossing> {
    let share: String = r.try_get("share")?;
    Ok(FiredCrossing {
        ticket: TicketId::from_db(r.try_get("ticket_id")?),
        ticket_key: r.try_get("key")?,
        client: ClientId::from_db(r.try_get("client_id")?),
        metric: parse_metric(&r.try_get::<String, _>("metric")?)?,
        cycle: to_u32(r.try_get("cycle")?, "cycle")?,
        share: share
            .parse::<Decimal>()
            .map_err(|e| Error::Internal(format!("stored share `{share}`: {e}")))?,
        threshold_secs: r.try_get("threshold_secs")?,
        crossed_at: ts(r.try_get("crossed_at")?)?,
    })
}

/// Records an attempt and what follows from it. `false` (and nothing
/// written) if this attempt was already recorded: the lease had run out and
/// another worker made it too.
pub(crate) async fn record_attempt(
    pool: &Pool<Db>,
    id: &NotificationId,
    attempt: &DeliveryAttempt,
    outcome: AttemptOutcome,
    now: Timestamp,
) -> Result<bool> {
    let mut tx = begin_write(pool).await?;
    let (status, next, finished) = match outcome {
        AttemptOutcome::Delivered => ("delivered", None, Some(ms(now))),
        AttemptOutcome::RetryAt(at) => ("pending", Some(ms(at)), None),
        AttemptOutcome::GiveUp => ("failed", None, Some(ms(now))),
    };
    let updated = sqlx::query(
        "UPDATE outbox SET status = $1, attempts = $2, next_attempt_at = $3, finished_at = $4
         WHERE id = $5 AND status = 'pending' AND attempts = $6",
    )
    .bind(status)
    .bind(i64::from(attempt.attempt))
    .bind(next)
    .bind(finished)
    .bind(id.as_str())
    .bind(i64::from(attempt.attempt) - 1)
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO delivery_attempts (notification_id, attempt, at, duration_ms, status_code, error)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id.as_str())
    .bind(i64::from(attempt.attempt))
    .bind(ms(attempt.at))
    .bind(attempt.duration_ms)
    .bind(attempt.status_code.map(i64::from))
    .bind(attempt.error.as_deref())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// The earliest next attempt of a pending notification (leases included).
pub(crate) async fn next_notification_at(pool: &Pool<Db>) -> Result<Option<Timestamp>> {
    let row = sqlx::query("SELECT MIN(next_attempt_at) AS at FROM outbox WHERE status = 'pending'")
        .fetch_one(pool)
        .await?;
    opt_ts(row.try_get("at")?)
}

fn parse_delivery_status(s: &str) -> Result<DeliveryStatus> {
    [
        DeliveryStatus::Pending,
        DeliveryStatus::Delivered,
        DeliveryStatus::Failed,
        DeliveryStatus::Cancelled,
    ]
    .into_iter()
    .find(|d| d.as_str() == s)
    .ok_or_else(|| Error::Internal(format!("unknown notification status `{s}`")))
}

/// The crossings fired for a ticket the tenant may see, in the order they
/// were crossed, with their notifications and attempts; `None` if the
/// ticket does not exist or the tenant may not see it.
pub(crate) async fn ticket_crossings(
    pool: &Pool<Db>,
    tenant: &Tenant,
    ticket: &TicketId,
) -> Result<Option<Vec<CrossingRecord>>> {
    let mut tx = pool.begin_with(READ_SNAPSHOT).await?;
    let found = sqlx::query(
        "SELECT key, client_id FROM tickets WHERE id = $1 AND ($2 IS NULL OR client_id = $2)",
    )
    .bind(ticket.as_str())
    .bind(tenant.client_filter())
    .fetch_optional(&mut *tx)
    .await?;
    let Some(found) = found else {
        return Ok(None);
    };
    let (key, client): (String, String) = (found.try_get("key")?, found.try_get("client_id")?);
    let rows = sqlx::query(
        "SELECT ticket_id, metric, cycle, share, threshold_secs, crossed_at, fired_at,
                $2 AS key, $3 AS client_id
         FROM fired_crossings WHERE ticket_id = $1",
    )
    .bind(ticket.as_str())
    .bind(&key)
    .bind(&client)
    .fetch_all(&mut *tx)
    .await?;
    let mut records = Vec::with_capacity(rows.len());
    for r in &rows {
        records.push(CrossingRecord {
            crossing: crossing_from_row(r)?,
            fired_at: ts(r.try_get("fired_at")?)?,
            deliveries: Vec::new(),
        });
    }
    records.sort_by(|a, b| {
        (
            a.crossing.crossed_at,
            a.crossing.metric,
            a.crossing.cycle,
            a.crossing.share,
        )
            .cmp(&(
                b.crossing.crossed_at,
                b.crossing.metric,
                b.crossing.cycle,
                b.crossing.share,
            ))
    });
    let attempts = sqlx::query(
        "SELECT a.notification_id, a.attempt, a.at, a.duration_ms, a.status_code, a.error
         FROM delivery_attempts a JOIN outbox n ON n.id = a.notification_id
         WHERE n.subject = $1 AND n.topic IN ('clock.warning', 'clock.breach')
         ORDER BY a.notification_id, a.attempt",
    )
    .bind(ticket.as_str())
    .fetch_all(&mut *tx)
    .await?;
    let mut by_notification: BTreeMap<String, Vec<DeliveryAttempt>> = BTreeMap::new();
    for a in &attempts {
        let code: Option<i64> = a.try_get("status_code")?;
        by_notification
            .entry(a.try_get("notification_id")?)
            .or_default()
            .push(DeliveryAttempt {
                attempt: to_u32(a.try_get("attempt")?, "attempt")?,
                at: ts(a.try_get("at")?)?,
                duration_ms: a.try_get("duration_ms")?,
                status_code: code.and_then(|c| u16::try_from(c).ok()),
                error: a.try_get("error")?,
            });
    }
    let notifications = sqlx::query(
        "SELECT n.id, n.payload, n.channel, n.webhook_id, n.recipient,
                n.status, n.next_attempt_at, n.finished_at, w.url
         FROM outbox n LEFT JOIN webhooks w ON w.id = n.webhook_id
         WHERE n.subject = $1 AND n.topic IN ('clock.warning', 'clock.breach') ORDER BY n.id",
    )
    .bind(ticket.as_str())
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    for n in &notifications {
        let id: String = n.try_get("id")?;
        let payload: String = n.try_get("payload")?;
        let facts: CrossingPayload = serde_json::from_str(&payload)
            .map_err(|e| Error::Internal(format!("outbox row {id}: {e}")))?;
        let (metric, cycle, share) = (parse_metric(&facts.metric)?, facts.cycle, facts.share);
        let Some(record) = records.iter_mut().find(|c| {
            c.crossing.metric == metric
                && c.crossing.cycle == cycle
                && c.crossing.share.normalize().to_string() == share
        }) else {
            continue;
        };
        let webhook: Option<String> = n.try_get("webhook_id")?;
        let channel = if webhook.is_some() {
            "webhook"
        } else {
            "email"
        };
        let recipient = match n.try_get::<Option<String>, _>("url")? {
            Some(url) => url,
            None => n.try_get("recipient")?,
        };
        record.deliveries.push(DeliveryRecord {
            attempts: by_notification.remove(&id).unwrap_or_default(),
            id: NotificationId::from_db(id),
            channel,
            webhook: webhook.map(WebhookId::from_db),
            recipient,
            status: parse_delivery_status(&n.try_get::<String, _>("status")?)?,
            next_attempt_at: opt_ts(n.try_get("next_attempt_at")?)?,
            finished_at: opt_ts(n.try_get("finished_at")?)?,
        });
    }
    Ok(Some(records))
}
