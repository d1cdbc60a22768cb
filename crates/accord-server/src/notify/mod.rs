//! The scheduler and the delivery worker (SPEC §4, §7).
//!
//! Two background tasks per server, started by [`launch`](crate::launch)
//! and stopped with it:
//!
//! - the **scheduler** sleeps until the earliest due job of any kind (a
//!   ticket's next threshold crossing, ...; never scanning tickets), claims
//!   the due ones through the store (exactly once across servers), which
//!   runs them and writes the outbox messages they cause; writes that change
//!   what is scheduled wake it early;
//! - the **delivery worker** claims due outbox messages under a lease and
//!   sends each as a signed webhook or an e-mail, recording every attempt and
//!   retrying with exponential backoff.
//!
//! Both read "now" from the [`TimeSource`], so tests drive them through time.

pub mod email;
pub mod message;
pub mod webhook;

use std::sync::Arc;
use std::time::{Duration, Instant};

use accord_store::{AttemptOutcome, DeliveryAttempt, Notification, NotificationTarget, Store};
use jiff::{SignedDuration, Timestamp};
use tokio::sync::{Notify, watch};
use tokio::task::{JoinHandle, JoinSet};

use crate::ServerError;
use crate::metrics::Metrics;
use crate::settings::{NotificationSettings, Settings};
use crate::time::TimeSource;

pub use email::Mailer;

/// Jobs claimed per scheduler transaction, notifications per delivery round.
const BATCH: u32 = 32;

/// How long to wait before looking again after a database error, or while
/// another server holds the due tickets.
const RETRY_PAUSE: Duration = Duration::from_millis(200);

/// The running scheduler and delivery worker.
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
        if mailer.is_none() {
            // Said once here, not at every retry of every e-mail.
            tracing::warn!(
                "e-mail is off: no [smtp] relay is configured; e-mails wait in the outbox (webhooks are sent)"
            );
        }
        let http = reqwest::Client::builder()
            .timeout(Duration::from_millis(n.timeout_ms))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| {
                ServerError::Notifications(format!("cannot build the HTTP client: {e}"))
            })?;
        let (stop, stopped) = watch::channel(false);
        let wake_delivery = Arc::clone(&state.wake_delivery);
        let scheduler = Scheduler {
            store: state.store.clone(),
            time: state.time.clone(),
            metrics: Arc::clone(&state.metrics),
            wake: Arc::clone(&state.wake_scheduler),
            wake_delivery: Arc::clone(&wake_delivery),
            idle: Duration::from_millis(n.idle_check_ms),
        };
        let delivery = Arc::new(Delivery {
            store: state.store.clone(),
            time: state.time.clone(),
            metrics: Arc::clone(&state.metrics),
            http,
            mailer,
            settings: n,
        });
        let tasks = vec![
            tokio::spawn(scheduler.run(stopped.clone())),
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
    time: &TimeSource,
    at: Option<Timestamp>,
    idle: Duration,
    wake: &Notify,
    stop: &mut watch::Receiver<bool>,
) -> bool {
    let due = async {
        match at {
            Some(at) => time.sleep_until(at).await,
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

struct Scheduler {
    store: Store,
    time: TimeSource,
    metrics: Arc<Metrics>,
    wake: Arc<Notify>,
    wake_delivery: Arc<Notify>,
    idle: Duration,
}

impl Scheduler {
    async fn run(self, mut stop: watch::Receiver<bool>) {
        loop {
            if *stop.borrow() {
                return;
            }
            let now = self.time.now();
            let next = match self.fire_due(now).await {
                Ok(()) => self.store.schedule().next_due_at().await,
                Err(e) => Err(e),
            };
            let (next, idle) = match next {
                // Still due: another server holds those tickets right now.
                Ok(Some(at)) if at <= now => (None, RETRY_PAUSE.min(self.idle)),
                Ok(next) => (next, self.idle),
                Err(e) => {
                    tracing::warn!(error = %e, "the scheduler cannot reach the database");
                    (None, RETRY_PAUSE.min(self.idle))
                }
            };
            if wait(&self.time, next, idle, &self.wake, &mut stop).await {
                return;
            }
        }
    }

    /// Runs every job due by `now`. Whether anything is due is read first
    /// (on SQLite's read-only connections), so a wake with nothing due
    /// never takes the write lock from the writers that woke it.
    async fn fire_due(&self, now: Timestamp) -> Result<(), accord_store::Error> {
        loop {
            if !is_due(self.store.schedule().next_due_at().await?, now) {
                return Ok(());
            }
            let fired = self.store.schedule().claim_due(now, BATCH).await?;
            if fired.is_empty() {
                return Ok(());
            }
            log_crossings(&fired.crossings);
            if fired.milestone_notices > 0 {
                tracing::info!(
                    notices = fired.milestone_notices,
                    "milestone notices written"
                );
            }
            self.metrics.firings(fired.crossings.len());
            self.wake_delivery.notify_one();
        }
    }
}

/// Whether something falls due by `now`.
fn is_due(at: Option<Timestamp>, now: Timestamp) -> bool {
    at.is_some_and(|at| at <= now)
}

/// Logs crossings fired, by the scheduler or with the events that caused them.
pub fn log_crossings(fired: &[accord_store::FiredCrossing]) {
    for f in fired {
        tracing::info!(ticket = %f.ticket, key = f.ticket_key, metric = f.metric.as_str(),
            cycle = f.cycle, share = %f.share, crossed_at = %f.crossed_at, "threshold crossed");
    }
}

struct Delivery {
    store: Store,
    time: TimeSource,
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
            let now = this.time.now();
            // Read first, as the scheduler does: a wake with nothing due
            // takes no write lock.
            let next = match this.store.outbox().next_attempt_at().await {
                Ok(at) if !is_due(at, now) => Ok(at),
                Ok(_) => match this.store.outbox().claim(now, now + lease, BATCH).await {
                    Ok(batch) if !batch.is_empty() => {
                        let mut sends = JoinSet::new();
                        for n in batch {
                            let this = Arc::clone(&this);
                            sends.spawn(async move { this.attempt(n).await });
                        }
                        while sends.join_next().await.is_some() {}
                        continue;
                    }
                    // Due but held by another worker's lease: look again.
                    Ok(_) => this.store.outbox().next_attempt_at().await,
                    Err(e) => Err(e),
                },
                Err(e) => Err(e),
            };
            let (next, idle) = match next {
                Ok(next) => (next, idle),
                Err(e) => {
                    tracing::warn!(error = %e, "the delivery worker cannot reach the database");
                    (None, RETRY_PAUSE.min(idle))
                }
            };
            if wait(&this.time, next, idle, &wake, &mut stop).await {
                return;
            }
        }
    }

    /// Makes one attempt at `n` and records it.
    async fn attempt(&self, n: Notification) {
        let at = self.time.now();
        let started = Instant::now();
        let (channel, result) = match &n.target {
            NotificationTarget::Webhook { url, secret, .. } => {
                let body = message::webhook_body(&n);
                let sent =
                    webhook::post(&self.http, url, secret, &n.topic, n.id.as_str(), at, body).await;
                ("webhook", sent.map(Some))
            }
            NotificationTarget::Email { name, address } => {
                let sent = match &self.mailer {
                    Some(m) => {
                        let (subject, text) = message::email(&n);
                        m.send(name.as_deref(), address, &subject, text).await
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
        let now = self.time.now();
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
            // E-mail being off was said once at start.
            Some(e) if channel == "email" && self.mailer.is_none() => {
                tracing::debug!(notification = %n.id, attempt = n.attempt, error = %e, "e-mail not sent")
            }
            Some(e) => {
                tracing::warn!(notification = %n.id, channel, attempt = n.attempt, error = %e, "notification failed")
            }
        }
    }
}
