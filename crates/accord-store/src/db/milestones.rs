//! Milestone event logs (SPEC §6, §10): one row per event, its SPEC §10 JSON
//! in `event`, keyed per (contract, milestone) for idempotency. A batch is
//! checked with the core's fold against the contract's latest version
//! before it is written. Each contract has one `milestone.change` job, due
//! at the earliest instant one of its milestones changes without a new
//! event (and at once after a write); it writes the notices of what changed
//! to the outbox, each once (`milestone_notices`). Compiled once per
//! backend (see `db/mod.rs`).

use std::collections::HashMap;

use accord_core::milestone::{MilestoneEvent, MilestoneOutcome, MilestoneState, evaluate};
use jiff::Timestamp;
use sqlx::{Pool, Row};

use super::{
    Db, Message, Subscriber, begin_write, enqueue, parsed, set_job, subscribers, unique_addresses,
};
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
    // The job looks at once at what the new events changed.
    set_job(&mut tx, MILESTONE_CHANGE, contract_id, Some(ms(now))).await?;
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

/// A contract's milestones changing without a new event (subject: the
/// contract id).
pub(crate) const MILESTONE_CHANGE: &str = "milestone.change";

/// Something to tell about one milestone, once per key.
struct Notice {
    topic: &'static str,
    key: String,
    /// The deliverable it is about, for `milestone.deliverable_overdue`.
    deliverable: Option<usize>,
}

/// What still moves a milestone's adjusted date each business day: its
/// outstanding overdue deliverables and open pauses, by name.
fn growing_causes(m: &MilestoneOutcome) -> Vec<String> {
    let mut causes: Vec<String> = m
        .deliverables
        .iter()
        .filter(|d| d.overdue && d.received.is_none())
        .map(|d| format!("deliverable {}", d.name))
        .collect();
    causes.extend(
        m.pauses
            .iter()
            .filter(|p| p.to.is_none())
            .map(|p| format!("pause {} from {}", p.reason, p.from)),
    );
    causes
}

/// The key of a shift notice. A settled shift is told once per adjusted
/// date. While a delay grows, the date moves every business day: that is
/// told once when it starts and then at most once a week (a digest of the
/// week's moves), so a long wait on the client is not a daily e-mail; the
/// date it settles on is told again.
fn shift_key(m: &MilestoneOutcome, growing: &[String]) -> String {
    if growing.is_empty() {
        return format!("shifted:{}", m.adjusted_due);
    }
    let week = m.today.iso_week_date();
    format!(
        "shifted:growing:{}:{}-W{:02}",
        growing.join(","),
        week.year(),
        week.week()
    )
}

/// What a milestone's outcome calls for: each overdue deliverable (to its
/// owner), an adjusted date away from the baseline (to the provider: each
/// settled date once, a growing delay once a week), the milestone overdue
/// (once per adjusted date, to the provider).
fn notices(m: &MilestoneOutcome) -> Vec<Notice> {
    let mut out: Vec<Notice> = m
        .deliverables
        .iter()
        .enumerate()
        .filter(|(_, d)| d.overdue)
        .map(|(i, d)| Notice {
            topic: "milestone.deliverable_overdue",
            key: format!("deliverable_overdue:{}", d.name),
            deliverable: Some(i),
        })
        .collect();
    if m.adjusted_due != m.baseline_due && m.completed.is_none() {
        out.push(Notice {
            topic: "milestone.shifted",
            key: shift_key(m, &growing_causes(m)),
            deliverable: None,
        });
    }
    if m.state == MilestoneState::Overdue {
        out.push(Notice {
            topic: "milestone.overdue",
            key: format!("overdue:{}", m.adjusted_due),
            deliverable: None,
        });
    }
    out
}

/// Runs a contract's `milestone.change` job at `now`: evaluates its
/// milestones with the core's fold, writes each notice not yet written to
/// the outbox, and sets the job to the earliest `next_change_at` (removes it
/// when nothing will change). Answers how many notices it wrote.
pub(crate) async fn run_milestone_job(
    conn: &mut Conn,
    cache: &VersionCache,
    contract_id: &str,
    now: Timestamp,
    webhooks: &mut Option<Vec<Subscriber>>,
) -> Result<usize> {
    let Some((version, client)) = latest_version(conn, &Tenant::Provider, contract_id).await?
    else {
        set_job(conn, MILESTONE_CHANGE, contract_id, None).await?;
        return Ok(0);
    };
    let parsed = parsed(conn, cache, contract_id, version).await?;
    let contract = &parsed.contract;
    let events: Vec<MilestoneEvent> = load(conn, &Tenant::Provider, contract_id)
        .await?
        .into_iter()
        .map(|(_, e)| e)
        .collect();
    let outcomes = evaluate(contract, &events, now)
        .map_err(|e| Error::Internal(format!("milestones of `{contract_id}`: {e}")))?;
    let mut written = 0;
    for m in &outcomes {
        for n in notices(m) {
            let inserted = sqlx::query(
                "INSERT INTO milestone_notices (contract_id, milestone, notice, notified_at)
                 VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            )
            .bind(contract_id)
            .bind(m.milestone.as_str())
            .bind(n.key.as_str())
            .bind(ms(now))
            .execute(&mut *conn)
            .await?;
            if inserted.rows_affected() != 1 {
                continue;
            }
            let deliverable = n.deliverable.and_then(|i| m.deliverables.get(i));
            let contacts = match deliverable {
                Some(d) => contract
                    .contacts()
                    .get(&d.owner)
                    .map(|c| vec![(c.name.clone(), c.email.clone())])
                    .unwrap_or_default(),
                None => unique_addresses(contract.contacts().provider.values()),
            };
            let payload = serde_json::json!({
                "contract": {"id": contract_id, "version": version},
                "client": {"id": client.as_str()},
                "milestone": {
                    "id": m.milestone, "name": m.name,
                    "baseline_due": m.baseline_due.to_string(),
                    "adjusted_due": m.adjusted_due.to_string(),
                    "client_delay_days": m.client_delay_days,
                    "shift_days": m.shift_days,
                    "state": m.state.as_str(),
                    "growing": growing_causes(m),
                },
                "deliverable": deliverable.map(|d| serde_json::json!({
                    "name": d.name, "what": d.what, "owner": d.owner.to_string(),
                    "due": d.due.to_string(), "days_late": d.days_late,
                })),
                "at": accord_core::instant::format(now),
            })
            .to_string();
            let hooks = match webhooks {
                Some(h) => h,
                None => webhooks.insert(subscribers(conn).await?),
            };
            let subject = format!("{contract_id}/{}", m.milestone);
            let message = Message {
                topic: n.topic,
                subject: &subject,
                client: &client,
                payload: &payload,
            };
            enqueue(conn, &message, hooks, &contacts, now).await?;
            written += 1;
        }
    }
    let next = outcomes.iter().filter_map(|m| m.next_change_at).min();
    set_job(conn, MILESTONE_CHANGE, contract_id, next.map(ms)).await?;
    Ok(written)
}

/// A contract's milestone events in arrival order, whoever asks (the
/// caller has checked the tenant): for statements.
pub(crate) async fn contract_milestone_events(
    conn: &mut Conn,
    contract_id: &str,
) -> Result<Vec<MilestoneEvent>> {
    Ok(load(conn, &Tenant::Provider, contract_id)
        .await?
        .into_iter()
        .map(|(_, e)| e)
        .collect())
}
