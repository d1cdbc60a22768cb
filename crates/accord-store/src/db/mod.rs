//! The data-access layer (SPEC §9: SQLite by default, PostgreSQL for several
//! servers).
//!
//! The queries are written once, one file per domain (`accounts.rs`,
//! `sessions.rs`, `contracts.rs`, `tickets.rs`, `milestones.rs`, `statements.rs`,
//! `schedule.rs`, `outbox.rs`, `time_entries.rs`),
//! and compiled twice: `sqlite.rs` and
//! `postgres.rs` each include them as submodules with their own `Db` type,
//! write-transaction opener and the few statements the dialects spell
//! differently. So each backend gets monomorphic sqlx code (no `Any`
//! driver) and the two cannot drift apart. This module holds what does not
//! touch the database: the connection URL, the embedded migrations, the
//! conversions between rows and values, and the cache of parsed contracts.

pub(crate) mod postgres;
pub(crate) mod sqlite;

use std::borrow::Cow;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use accord_core::clock::{ClockState, EventKind, Metric, TicketEvent, TicketStatus};
use jiff::Timestamp;
use sqlx::SqlSafeStr;
use sqlx::error::BoxDynError;
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};

use crate::auth::sha256_hex;
use crate::model::ParsedVersion;
use crate::{Error, Result};

/// Migrations of one backend, embedded in the binary: (version, description, SQL).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Embedded(&'static [(i64, &'static str, &'static str)]);

pub(crate) const SQLITE_MIGRATIONS: Embedded = Embedded(&[
    (
        1,
        "initial",
        include_str!("../../migrations/sqlite/0001_initial.sql"),
    ),
    (
        2,
        "notifications",
        include_str!("../../migrations/sqlite/0002_notifications.sql"),
    ),
    (
        3,
        "web sessions",
        include_str!("../../migrations/sqlite/0003_web_sessions.sql"),
    ),
    (
        4,
        "schedule and outbox",
        include_str!("../../migrations/sqlite/0004_schedule_and_outbox.sql"),
    ),
    (
        5,
        "ticket keys and contract files",
        include_str!("../../migrations/sqlite/0005_keys_and_contract_files.sql"),
    ),
    (
        6,
        "milestone events",
        include_str!("../../migrations/sqlite/0006_milestone_events.sql"),
    ),
    (
        7,
        "time and invoices",
        include_str!("../../migrations/sqlite/0007_time_and_invoices.sql"),
    ),
    (
        8,
        "statements",
        include_str!("../../migrations/sqlite/0008_statements.sql"),
    ),
]);

pub(crate) const POSTGRES_MIGRATIONS: Embedded = Embedded(&[
    (
        1,
        "initial",
        include_str!("../../migrations/postgres/0001_initial.sql"),
    ),
    (
        2,
        "notifications",
        include_str!("../../migrations/postgres/0002_notifications.sql"),
    ),
    (
        3,
        "web sessions",
        include_str!("../../migrations/postgres/0003_web_sessions.sql"),
    ),
    (
        4,
        "schedule and outbox",
        include_str!("../../migrations/postgres/0004_schedule_and_outbox.sql"),
    ),
    (
        5,
        "ticket keys and contract files",
        include_str!("../../migrations/postgres/0005_keys_and_contract_files.sql"),
    ),
    (
        6,
        "milestone events",
        include_str!("../../migrations/postgres/0006_milestone_events.sql"),
    ),
    (
        7,
        "time and invoices",
        include_str!("../../migrations/postgres/0007_time_and_invoices.sql"),
    ),
    (
        8,
        "statements",
        include_str!("../../migrations/postgres/0008_statements.sql"),
    ),
]);

impl Embedded {
    /// The migrations up to version `last`.
    #[cfg(feature = "testing")]
    pub(crate) fn until(self, last: i64) -> Embedded {
        let n = self.0.iter().take_while(|(v, _, _)| *v <= last).count();
        Embedded(&self.0[..n])
    }
}

type Resolved = Pin<Box<dyn Future<Output = Result<Vec<Migration>, BoxDynError>> + Send>>;

impl MigrationSource<'static> for Embedded {
    fn resolve(self) -> Resolved {
        let migrations = self
            .0
            .iter()
            .map(|&(version, description, sql)| {
                Migration::new(
                    version,
                    Cow::Borrowed(description),
                    MigrationType::Simple,
                    sql.into_sql_str(),
                    false,
                )
            })
            .collect();
        Box::pin(async move { Ok(migrations) })
    }
}

pub(crate) async fn migrator(embedded: Embedded) -> Result<Migrator> {
    Ok(Migrator::new(embedded).await?)
}

/// Parsed contract versions by (contract id, version): the one cache of
/// them, for writes (clock policies, dates) and reads (pages, documents)
/// alike. Versions never change once stored, so an entry never goes stale.
#[derive(Debug, Default)]
pub(crate) struct VersionCache(Mutex<HashMap<(String, u32), Arc<ParsedVersion>>>);

impl VersionCache {
    pub(crate) fn get(&self, contract: &str, version: u32) -> Option<Arc<ParsedVersion>> {
        let map = self.0.lock().ok()?;
        map.get(&(contract.to_string(), version)).cloned()
    }

    pub(crate) fn put(&self, contract: &str, version: u32, parsed: Arc<ParsedVersion>) {
        if let Ok(mut map) = self.0.lock() {
            map.insert((contract.to_string(), version), parsed);
        }
    }
}

/// The number `n` of a key `T-n` (the form the service generates), if it
/// is one.
pub(crate) fn key_number(key: &str) -> Option<i64> {
    let digits = key.strip_prefix("T-")?;
    if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

// ---- conversions between values and columns ----

pub(crate) fn ms(t: Timestamp) -> i64 {
    t.as_millisecond()
}

pub(crate) fn ts(ms: i64) -> Result<Timestamp> {
    Timestamp::from_millisecond(ms)
        .map_err(|e| Error::Internal(format!("instant {ms} ms out of range: {e}")))
}

pub(crate) fn opt_ts(ms: Option<i64>) -> Result<Option<Timestamp>> {
    ms.map(ts).transpose()
}

pub(crate) fn status_str(s: TicketStatus) -> &'static str {
    match s {
        TicketStatus::Open => "open",
        TicketStatus::Resolved => "resolved",
        TicketStatus::Closed => "closed",
    }
}

pub(crate) fn parse_status(s: &str) -> Result<TicketStatus> {
    match s {
        "open" => Ok(TicketStatus::Open),
        "resolved" => Ok(TicketStatus::Resolved),
        "closed" => Ok(TicketStatus::Closed),
        other => Err(Error::Internal(format!("unknown ticket status `{other}`"))),
    }
}

pub(crate) fn parse_state(s: &str) -> Result<ClockState> {
    [
        ClockState::Running,
        ClockState::Paused,
        ClockState::Overdue,
        ClockState::Met,
        ClockState::Missed,
    ]
    .into_iter()
    .find(|c| c.as_str() == s)
    .ok_or_else(|| Error::Internal(format!("unknown clock state `{s}`")))
}

pub(crate) fn parse_metric(s: &str) -> Result<Metric> {
    s.parse()
        .map_err(|e| Error::Internal(format!("stored metric: {e}")))
}

pub(crate) fn to_u32(v: i64, what: &str) -> Result<u32> {
    u32::try_from(v).map_err(|_| Error::Internal(format!("stored {what} {v} out of range")))
}

/// An event as columns: kind, priority, reason, waiting_on.
pub(crate) fn kind_columns(
    kind: &EventKind,
) -> (&'static str, Option<&str>, Option<&str>, Option<&str>) {
    match kind {
        EventKind::Opened { priority } | EventKind::PriorityChanged { priority } => {
            (kind.as_str(), Some(priority), None, None)
        }
        EventKind::Paused { reason, waiting_on } => {
            (kind.as_str(), None, Some(reason), waiting_on.as_deref())
        }
        _ => (kind.as_str(), None, None, None),
    }
}

/// The columns of a stored event, read back.
#[derive(Debug)]
pub(crate) struct EventColumns {
    /// The order in which the service recorded it.
    pub seq: i64,
    pub event_id: Option<String>,
    pub kind: String,
    pub at: i64,
    pub priority: Option<String>,
    pub reason: Option<String>,
    pub waiting_on: Option<String>,
    pub note: Option<String>,
    pub by: Option<String>,
}

impl EventColumns {
    pub(crate) fn into_event(self, ticket: &str) -> Result<TicketEvent> {
        let missing =
            |f: &str| Error::Internal(format!("stored `{}` event without {f}", self.kind));
        let kind = match self.kind.as_str() {
            "opened" => EventKind::Opened {
                priority: self.priority.clone().ok_or_else(|| missing("priority"))?,
            },
            "priority_changed" => EventKind::PriorityChanged {
                priority: self.priority.clone().ok_or_else(|| missing("priority"))?,
            },
            "paused" => EventKind::Paused {
                reason: self.reason.clone().ok_or_else(|| missing("reason"))?,
                waiting_on: self.waiting_on.clone(),
            },
            "client_replied" => EventKind::ClientReplied,
            "resumed" => EventKind::Resumed,
            "replied" => EventKind::Replied,
            "resolved" => EventKind::Resolved,
            "reopened" => EventKind::Reopened,
            "closed" => EventKind::Closed,
            other => {
                return Err(Error::Internal(format!(
                    "unknown stored event kind `{other}`"
                )));
            }
        };
        Ok(TicketEvent {
            ticket: ticket.to_string(),
            kind,
            at: ts(self.at)?,
            id: self.event_id,
            by: self.by,
            note: self.note,
            seq: u64::try_from(self.seq).ok(),
        })
    }
}

/// The per-ticket idempotency key of an event: its `id` when it has one,
/// else a hash of its content, so an identical event without an id sent
/// twice is stored once too (as the clock engine counts it once).
pub(crate) fn event_key(e: &TicketEvent) -> String {
    if let Some(id) = &e.id {
        return format!("id:{id}");
    }
    let (kind, priority, reason, waiting_on) = kind_columns(&e.kind);
    let field = |v: Option<&str>| v.map_or_else(|| "\u{0}".to_string(), |s| format!("={s}"));
    let canonical = [
        kind.to_string(),
        ms(e.at).to_string(),
        field(priority),
        field(reason),
        field(waiting_on),
        field(e.note.as_deref()),
        field(e.by.as_deref()),
    ]
    .join("\u{1f}");
    format!("sha256:{}", sha256_hex(&canonical))
}

/// How far ahead of `now` an event may be dated (clock skew between the
/// sender and the server); later ones are refused.
pub(crate) const FUTURE_SKEW_MS: i64 = 5 * 60 * 1000;
