//! The server's source of "now" (CONVENTIONS: the core takes the instant as
//! an argument; the server decides where it comes from). Named a time
//! source, not a clock, because a clock is what an SLA measures. Production reads
//! the system clock; tests drive a [`ManualTime`] so that thresholds fire at
//! exact instants without waiting for them.

use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use tokio::sync::watch;

/// Where the server's "now" comes from. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct TimeSource(Source);

#[derive(Debug, Clone, Default)]
enum Source {
    #[default]
    System,
    Manual(Arc<watch::Sender<Timestamp>>),
}

impl TimeSource {
    /// The system clock.
    pub fn system() -> TimeSource {
        TimeSource(Source::System)
    }

    /// The current instant.
    pub fn now(&self) -> Timestamp {
        match &self.0 {
            Source::System => Timestamp::now(),
            Source::Manual(tx) => *tx.borrow(),
        }
    }

    /// Completes once the source reads `at` or later.
    pub async fn sleep_until(&self, at: Timestamp) {
        match &self.0 {
            Source::System => {
                let left = at.duration_since(Timestamp::now());
                if let Ok(left) = Duration::try_from(left) {
                    tokio::time::sleep(left).await;
                }
            }
            Source::Manual(tx) => {
                let mut rx = tx.subscribe();
                while *rx.borrow_and_update() < at {
                    if rx.changed().await.is_err() {
                        std::future::pending::<()>().await;
                    }
                }
            }
        }
    }
}

/// A time source that moves only when told, for tests and replays.
#[derive(Debug, Clone)]
pub struct ManualTime(Arc<watch::Sender<Timestamp>>);

impl ManualTime {
    /// A source reading `start`.
    pub fn new(start: Timestamp) -> ManualTime {
        ManualTime(Arc::new(watch::Sender::new(start)))
    }

    /// Sets the time; whoever sleeps until an instant now passed wakes up.
    pub fn set(&self, now: Timestamp) {
        self.0.send_replace(now);
    }

    /// The current instant.
    pub fn now(&self) -> Timestamp {
        *self.0.borrow()
    }

    /// The [`TimeSource`] that reads this one, to hand to the server.
    pub fn source(&self) -> TimeSource {
        TimeSource(Source::Manual(Arc::clone(&self.0)))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[tokio::test]
    async fn a_manual_clock_wakes_sleepers_when_it_passes_their_instant() {
        let t0: Timestamp = "2026-03-02T08:00:00Z".parse().unwrap();
        let manual = ManualTime::new(t0);
        let clock = manual.source();
        let target = t0 + jiff::SignedDuration::from_mins(30);
        let sleeper = tokio::spawn(async move { clock.sleep_until(target).await });
        manual.set(t0 + jiff::SignedDuration::from_mins(10));
        tokio::task::yield_now().await;
        assert!(!sleeper.is_finished());
        manual.set(target);
        sleeper.await.unwrap();
        assert_eq!(manual.source().now(), target);
    }
}
