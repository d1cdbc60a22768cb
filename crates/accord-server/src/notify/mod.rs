//! Live monitoring and notifications (SPEC §4, §7; issue 5, item 5).
//!
//! Two background tasks per server, started by [`launch`](crate::launch)
//! and stopped with it:
//!
//! - the **monitor** sleeps until the earliest scheduled crossing of any
//!   ticket (never scanning tickets), claims the due ones through the store
//!   (exactly once across servers) and so writes their outbox rows; events
//!   that change a clock wake it early;
//! - the **delivery worker** claims due outbox rows under a lease and sends
//!   each as a signed webhook or an e-mail, recording every attempt and
//!   retrying with exponential backoff.
//!
//! Both read "now" from the [`Clock`], so tests drive them through time.

pub mod email;
pub mod webhook;

use std::sync::Arc;
use std::time::{Duration, Instant};

use accord_store::{
    AttemptOutcome, CrossingKind, DeliveryAttempt, Notification, NotificationTarget, Store,
};
use jiff::{SignedDuration, Timestamp};
use rust_decimal::Decimal;
use serde::Serialize;
use tokio::sync::{Notify, watch};
use tokio::task::{JoinHandle, JoinSet};

use crate::ServerError;
use crate::api::v1::dto::instant;
use crate::clock::Clock;
use crate::metrics::Metrics;
use crate::settings::{NotificationSettings, Settings};

pub use email::Mailer;

/// Tickets claimed per monitor transaction, notifications per delivery round.
const BATCH: u32 = 32;

/// How long to wait before looking again after a database error, or while
/// another server holds the due tickets.
const RETRY_PAUSE: Duration = Duration::from_millis(200);

/// The running monitor and delivery worker.
#[derive(Debug)]
pub struct Workers {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Workers {
    /// Starts both workers over the state's store, clock and metrics.
    pub fn start(
        state: &crate::state::AppState,
        settings: &Settings,
    ) -> Result<Workers, ServerError> {
        let n = settings.notifications.clone();
        let mailer = settings
            .smtp
            .as_ref()
            .map(|s| Mailer::new(s, Duration::from_millis(n.timeout_ms)))
            .transpose()
            .map_err(ServerError::Notifications)?;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_millis(n.timeout_ms))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| {
                ServerError::Notifications(format!("cannot build the HTTP client: {e}"))
            })?;
        let (stop, stopped) = watch::channel(false);
        let wake_delivery = Arc::new(Notify::new());
        let monitor = Monitor {
            store: state.store.clone(),
            clock: state.clock.clone(),
            metrics: Arc::clone(&state.metrics),
            wake: Arc::clone(&state.wake_monitor),
            wake_delivery: Arc::clone(&wake_delivery),
            idle: Duration::from_millis(n.idle_check_ms),
        };
        let delivery = Arc::new(Delivery {
            store: state.store.clone(),
            clock: state.clock.clone(),
            metrics: Arc::clone(&state.metrics),
            http,
            mailer,
            settings: n,
        });
        let tasks = vec![
            tokio::spawn(monitor.run(stopped.clone())),
            tokio::spawn(Delivery::run(delivery, wake_delivery, stopped)),
        ];
        Ok(Workers { stop, tasks })
    }

    /// Stops both workers; an attempt in flight is finished and recorded.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            if let Err(e) = task.await {
                tracing::error!(error = %e, "a notification worker failed");
            }
        }
    }
}

/// Sleeps until the clock reads `at` (forever for `None`), or `idle`
/// passes in real time, or `wake` is poked. `true` when told to stop.
async fn wait(
    clock: &Clock,
    at: Option<Timestamp>,
    idle: Duration,
    wake: &Notify,
    stop: &mut watch::Receiver<bool>,
) -> bool {
    let due = async {
        match at {
            Some(at) => clock.sleep_until(at).await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        () = due => false,
        () = tokio::time::sleep(idle) => false,
        () = wake.notified() => false,
        changed = stop.changed() => changed.is_err() || *stop.borrow(),
    }
}

struct Monitor {
    store: Store,
    clock: Clock,
    metrics: Arc<Metrics>,
    wake: Arc<Notify>,
    wake_delivery: Arc<Notify>,
    idle: Duration,
}

impl Monitor {
    async fn run(self, mut stop: watch::Receiver<bool>) {
        loop {
            if *stop.borrow() {
                return;
            }
            let now = self.clock.now();
            let next = match self.fire_due(now).await {
                Ok(()) => self.store.schedule().next_due_at().await,
                Err(e) => Err(e),
            };
            let (next, idle) = match next {
                // Still due: another server holds those tickets right now.
                Ok(Some(at)) if at <= now => (None, RETRY_PAUSE.min(self.idle)),
                Ok(next) => (next, self.idle),
                Err(e) => {
                    tracing::warn!(error = %e, "the monitor cannot reach the database");
                    (None, RETRY_PAUSE.min(self.idle))
                }
            };
            if wait(&self.clock, next, idle, &self.wake, &mut stop).await {
                return;
            }
        }
    }

    /// Claims every crossing due by `now`.
    async fn fire_due(&self, now: Timestamp) -> Result<(), accord_store::Error> {
        loop {
            let fired = self.store.schedule().claim_due(now, BATCH).await?;
            if fired.is_empty() {
                return Ok(());
            }
            for f in &fired {
                tracing::info!(ticket = %f.ticket, key = f.ticket_key, metric = f.metric.as_str(),
                    cycle = f.cycle, share = %f.share, crossed_at = %f.crossed_at, "threshold crossed");
            }
            self.metrics.firings(fired.len());
            self.wake_delivery.notify_one();
        }
    }
}

struct Delivery {
    store: Store,
    clock: Clock,
    metrics: Arc<Metrics>,
    http: reqwest::Client,
    mailer: Option<Mailer>,
    settings: NotificationSettings,
}

impl Delivery {
    async fn run(this: Arc<Delivery>, wake: Arc<Notify>, mut stop: watch::Receiver<bool>) {
        let idle = Duration::from_millis(this.settings.idle_check_ms);
        // A claimed notification is not claimed again before its attempt
        // can have ended, unless its worker died.
        let lease = SignedDuration::from_millis(
            i64::try_from(this.settings.timeout_ms).unwrap_or(i64::MAX / 2),
        ) + SignedDuration::from_mins(1);
        loop {
            if *stop.borrow() {
                return;
            }
            let now = this.clock.now();
            let next = match this.store.outbox().claim(now, now + lease, BATCH).await {
                Ok(batch) if !batch.is_empty() => {
                    let mut sends = JoinSet::new();
                    for n in batch {
                        let this = Arc::clone(&this);
                        sends.spawn(async move { this.attempt(n).await });
                    }
                    while sends.join_next().await.is_some() {}
                    continue;
                }
                Ok(_) => this.store.outbox().next_attempt_at().await,
                Err(e) => Err(e),
            };
            let (next, idle) = match next {
                Ok(next) => (next, idle),
                Err(e) => {
                    tracing::warn!(error = %e, "the delivery worker cannot reach the database");
                    (None, RETRY_PAUSE.min(idle))
                }
            };
            if wait(&this.clock, next, idle, &wake, &mut stop).await {
                return;
            }
        }
    }

    /// Makes one attempt at `n` and records it.
    async fn attempt(&self, n: Notification) {
        let at = self.clock.now();
        let started = Instant::now();
        let facts = Firing::of(&n);
        let (channel, result) = match &n.target {
            NotificationTarget::Webhook { url, secret, .. } => {
                let body = serde_json::to_string(&facts).unwrap_or_default();
                let sent = webhook::post(
                    &self.http,
                    url,
                    secret,
                    facts.event,
                    n.id.as_str(),
                    at,
                    body,
                )
                .await;
                ("webhook", sent.map(Some))
            }
            NotificationTarget::Email { name, address } => {
                let sent = match &self.mailer {
                    Some(m) => {
                        m.send(name.as_deref(), address, &facts.subject(), facts.text())
                            .await
                    }
                    None => Err("no [smtp] relay is configured".to_string()),
                };
                ("email", sent.map(|()| None).map_err(|e| (None, e)))
            }
        };
        let duration_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
        let (status_code, error) = match &result {
            Ok(code) => (*code, None),
            Err((code, e)) => (*code, Some(e.clone())),
        };
        let now = self.clock.now();
        let (outcome, label) = match (&result, n.attempt >= self.settings.max_attempts) {
            (Ok(_), _) => (AttemptOutcome::Delivered, "sent"),
            (Err(_), true) => (AttemptOutcome::GiveUp, "failed"),
            (Err(_), false) => {
                let wait = self.settings.backoff(n.attempt);
                let wait = SignedDuration::try_from(wait).unwrap_or(SignedDuration::MAX);
                (
                    AttemptOutcome::RetryAt(now.saturating_add(wait).unwrap_or(now)),
                    "retried",
                )
            }
        };
        let attempt = DeliveryAttempt {
            attempt: n.attempt,
            at,
            duration_ms,
            status_code,
            error,
        };
        match self
            .store
            .outbox()
            .record_attempt(&n.id, &attempt, outcome, now)
            .await
        {
            Ok(true) => self.metrics.notification(channel, label),
            Ok(false) => {
                tracing::warn!(notification = %n.id, attempt = n.attempt, "attempt already recorded by another worker");
            }
            Err(e) => {
                tracing::error!(notification = %n.id, error = %e, "cannot record a delivery attempt");
            }
        }
        match &attempt.error {
            None => {
                tracing::info!(notification = %n.id, channel, attempt = n.attempt, "notification sent")
            }
            Some(e) => {
                tracing::warn!(notification = %n.id, channel, attempt = n.attempt, error = %e, "notification failed")
            }
        }
    }
}

/// A fired crossing as a notification tells it: the webhook's JSON body,
/// and the facts of the e-mail.
#[derive(Debug, Serialize)]
pub struct Firing<'a> {
    /// `clock.warning` or `clock.breach`, also the `Accord-Event` header.
    pub event: &'static str,
    /// The notification's id, also the `Accord-Delivery` header.
    pub delivery: &'a str,
    /// `warning` or `breach`.
    pub kind: &'static str,
    /// The ticket.
    pub ticket: TicketRef<'a>,
    /// Its client.
    pub client: ClientRef<'a>,
    /// The contract version the crossing fired under.
    pub contract: ContractRef<'a>,
    /// The clock's metric.
    pub metric: &'static str,
    /// The clock's cycle, from 1.
    pub cycle: u32,
    /// The share of the target crossed, e.g. `0.75`; `1` is the breach.
    pub share: String,
    /// The elapsed business seconds at the crossing.
    pub threshold_s: i64,
    /// When the clock crossed it.
    pub crossed_at: String,
    /// When the monitor fired it.
    pub fired_at: String,
    /// The share as a percentage, for people.
    #[serde(skip)]
    percent: String,
}

/// A ticket in a notification.
#[derive(Debug, Serialize)]
pub struct TicketRef<'a> {
    /// Its id.
    pub id: &'a str,
    /// Its key, e.g. `T-1`.
    pub key: &'a str,
}

/// A client in a notification.
#[derive(Debug, Serialize)]
pub struct ClientRef<'a> {
    /// Its id.
    pub id: &'a str,
    /// Its name.
    pub name: &'a str,
}

/// A contract version in a notification.
#[derive(Debug, Serialize)]
pub struct ContractRef<'a> {
    /// The contract's `id`.
    pub id: &'a str,
    /// Its version.
    pub version: u32,
}

impl<'a> Firing<'a> {
    /// The facts of `n`.
    pub fn of(n: &'a Notification) -> Firing<'a> {
        let c = &n.crossing;
        let kind = CrossingKind::of(c.share);
        Firing {
            event: match kind {
                CrossingKind::Warning => "clock.warning",
                CrossingKind::Breach => "clock.breach",
            },
            delivery: n.id.as_str(),
            kind: kind.as_str(),
            ticket: TicketRef {
                id: c.ticket.as_str(),
                key: &c.ticket_key,
            },
            client: ClientRef {
                id: c.client.as_str(),
                name: &n.client_name,
            },
            contract: ContractRef {
                id: &n.contract_id,
                version: n.contract_version,
            },
            metric: c.metric.as_str(),
            cycle: c.cycle,
            share: c.share.normalize().to_string(),
            threshold_s: c.threshold_secs,
            crossed_at: instant(c.crossed_at),
            fired_at: instant(n.fired_at),
            percent: (c.share * Decimal::ONE_HUNDRED).normalize().to_string(),
        }
    }

    /// The e-mail's subject.
    pub fn subject(&self) -> String {
        match self.kind {
            "breach" => format!(
                "[Accord] Breach: {} {} target missed ({})",
                self.ticket.key, self.metric, self.client.name
            ),
            _ => format!(
                "[Accord] Warning: {} {} at {}% of target ({})",
                self.ticket.key,
                self.metric,
                self.percent(),
                self.client.name
            ),
        }
    }

    /// The e-mail's text.
    pub fn text(&self) -> String {
        let what = match self.kind {
            "breach" => "reached its target".to_string(),
            _ => format!("reached {}% of its target", self.percent()),
        };
        format!(
            "Ticket {key} of {client}\n\
             (contract {contract} version {version}):\n\
             the {metric} clock (cycle {cycle}) {what}\n\
             at {at}, after {elapsed} of business time.\n\n\
             Ticket id: {id}\nNotification id: {delivery}\n",
            key = self.ticket.key,
            client = self.client.name,
            contract = self.contract.id,
            version = self.contract.version,
            metric = self.metric,
            cycle = self.cycle,
            at = self.crossed_at,
            elapsed = business_time(self.threshold_s),
            id = self.ticket.id,
            delivery = self.delivery,
        )
    }

    fn percent(&self) -> &str {
        &self.percent
    }
}

/// Whole seconds as `1h 30m` (seconds shown only when there are some).
fn business_time(secs: i64) -> String {
    let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
    match (h, m, s) {
        (0, m, 0) => format!("{m}m"),
        (h, 0, 0) => format!("{h}h"),
        (h, m, 0) => format!("{h}h {m}m"),
        (h, m, s) => format!("{h}h {m}m {s}s"),
    }
}
