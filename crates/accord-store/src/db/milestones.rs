//! Milestone event logs (SPEC §6, §10): one row per event, its SPEC §10 JSON
//! in `event`, keyed per (contract, milestone) for idempotency. A batch is
//! checked with the core's fold against the contract's latest version
//! before it is written. Compiled once per backend (see `db/mod.rs`).

use std::collections::HashMap;

use accord_core::milestone::{MilestoneEvent, evaluate};
use jiff::Timestamp;
use sqlx::{Pool, Row};

use super::{Db, begin_write, parsed};
use crate::auth::sha256_hex;
use crate::db::{FUTURE_SKEW_MS, VersionCache, ms, to_u32};
use crate::ids::ClientId;
use crate::model::MilestonesAppended;
use crate::{Error, Result, Tenant};

type Conn = <Db as sqlx::Database>::Connection;

/// The latest version of a contract the tenant may see, with its client.
async fn latest_version(
    conn: &mut Conn,
    tenant: &Tenant,
    contract_id: &str,
) -> Result<Option<(u32, ClientId)>> {
    let row = sqlx::query(
        "SELECT version, client_id FROM contract_versions
         WHERE contract_id = $1 AND ($2 IS NULL OR client_id = $2)
         ORDER BY version DESC LIMIT 1",
    )
    .bind(contract_id)
    .bind(tenant.client_filter())
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| {
        Ok((
            to_u32(r.try_get("version")?, "contract version")?,
            ClientId::from_db(r.try_get("client_id")?),
        ))
    })
    .transpose()
}

/// The per-milestone idempotency key of an event: `id:` its id, else a
/// hash of its canonical JSON.
fn milestone_event_key(e: &MilestoneEvent) -> String {
    match &e.id {
        Some(id) => format!("id:{id}"),
        None => format!("sha256:{}", sha256_hex(&e.to_json().to_string())),
    }
}

/// The event as the store keeps it: to the whole second, like the core's parser.
fn normalised(e: &MilestoneEvent) -> MilestoneEvent {
    let mut e = e.clone();
    e.at = Timestamp::from_second(e.at.as_second()).unwrap_or(e.at);
    e
}

/// A contract's stored events of the tenant's rows, in arrival order, with their keys.
async fn load(
    conn: &mut Conn,
    tenant: &Tenant,
    contract_id: &str,
) -> Result<Vec<(String, MilestoneEvent)>> {
    let rows = sqlx::query(
        "SELECT event_key, event FROM milestone_events
         WHERE contract_id = $1 AND ($2 IS NULL OR client_id = $2)
         ORDER BY seq",
    )
    .bind(contract_id)
    .bind(tenant.client_filter())
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let text: String = r.try_get("event")?;
            let e = MilestoneEvent::from_json_line(&text).map_err(|e| {
                Error::Internal(format!("stored milestone event of `{contract_id}`: {e}"))
            })?;
            Ok((r.try_get("event_key")?, e))
        })
        .collect()
}

pub(crate) async fn append_milestone_events(
    pool: &Pool<Db>,
    cache: &VersionCache,
    tenant: &Tenant,
    contract_id: &str,
    events: &[MilestoneEvent],
    now: Timestamp,
) -> Result<MilestonesAppended> {
    let mut tx = begin_write(pool).await?;
    let (version, client) = latest_version(&mut tx, tenant, contract_id)
        .await?
        .ok_or(Error::NotFound)?;
    let stored = load(&mut tx, tenant, contract_id).await?;
    let known: HashMap<(&str, &str), &MilestoneEvent> = stored
        .iter()
        .map(|(k, e)| ((e.milestone.as_str(), k.as_str()), e))
        .collect();
    let mut fresh: Vec<(String, MilestoneEvent)> = Vec::new();
    let mut in_batch: HashMap<(String, String), usize> = HashMap::new();
    let mut done = MilestonesAppended::default();
    for e in events {
        let e = normalised(e);
        if ms(e.at) > ms(now) + FUTURE_SKEW_MS {
            return Err(Error::Invalid(format!(
                "the `{}` event at {} is in the future (now is {now})",
                e.kind, e.at
            )));
        }
        let key = milestone_event_key(&e);
        let seen = known
            .get(&(e.milestone.as_str(), key.as_str()))
            .copied()
            .or_else(|| {
                in_batch
                    .get(&(e.milestone.clone(), key.clone()))
                    .map(|&i| &fresh[i].1)
            });
        match seen {
            Some(old) if *old == e => done.duplicates += 1,
            Some(_) => {
                return Err(Error::ConflictingEvent {
                    id: e.id.clone().unwrap_or(key),
                });
            }
            None => {
                in_batch.insert((e.milestone.clone(), key.clone()), fresh.len());
                fresh.push((key, e));
            }
        }
    }
    if fresh.is_empty() {
        return Ok(done);
    }
    let contract = parsed(&mut tx, cache, contract_id, version).await?;
    let all: Vec<MilestoneEvent> = stored
        .into_iter()
        .chain(fresh.iter().cloned())
        .map(|(_, e)| e)
        .collect();
    evaluate(&contract.contract, &all, now)?;
    for (key, e) in &fresh {
        sqlx::query(
            "INSERT INTO milestone_events
             (client_id, contract_id, milestone, event_key, event, at, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(client.as_str())
        .bind(contract_id)
        .bind(e.milestone.as_str())
        .bind(key.as_str())
        .bind(e.to_json().to_string())
        .bind(ms(e.at))
        .bind(ms(now))
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    done.appended = fresh.len();
    Ok(done)
}

pub(crate) async fn milestone_events(
    pool: &Pool<Db>,
    tenant: &Tenant,
    contract_id: &str,
) -> Result<Vec<MilestoneEvent>> {
    let mut conn = pool.acquire().await?;
    if latest_version(&mut conn, tenant, contract_id)
        .await?
        .is_none()
    {
        return Err(Error::NotFound);
    }
    Ok(load(&mut conn, tenant, contract_id)
        .await?
        .into_iter()
        .map(|(_, e)| e)
        .collect())
}
