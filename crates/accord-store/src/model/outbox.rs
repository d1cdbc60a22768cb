//! What the outbox sends and to whom (SPEC §7): topics, webhooks,
//! notifications and their delivery attempts.

use jiff::Timestamp;

use super::FiredCrossing;
use crate::Error;
use crate::ids::{ClientId, NotificationId, WebhookId};

/// Every topic the outbox knows: what a webhook may subscribe to.
pub const TOPICS: &[&str] = &[
    "clock.warning",
    "clock.breach",
    "milestone.deliverable_overdue",
    "milestone.shifted",
    "milestone.overdue",
    "statement.issued",
];

/// The topics a webhook receives: known, each once, in [`TOPICS`] order.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Topics(Vec<&'static str>);

impl Topics {
    /// Every topic.
    pub fn all() -> Topics {
        Topics(TOPICS.to_vec())
    }

    /// A subscription to `names`; [`Error::Invalid`] naming an unknown one,
    /// or for an empty list.
    pub fn parse<S: AsRef<str>>(names: &[S]) -> Result<Topics, Error> {
        let mut wanted = Vec::new();
        for name in names {
            let name = name.as_ref();
            if !TOPICS.contains(&name) {
                return Err(Error::Invalid(format!(
                    "`{name}` is not a topic: use {}",
                    TOPICS.join(", ")
                )));
            }
            wanted.push(name);
        }
        if wanted.is_empty() {
            return Err(Error::Invalid(format!(
                "a webhook needs at least one topic: {}",
                TOPICS.join(", ")
            )));
        }
        Ok(Topics(
            TOPICS
                .iter()
                .copied()
                .filter(|t| wanted.contains(t))
                .collect(),
        ))
    }

    /// Whether `topic` is one of them.
    pub fn contains(&self, topic: &str) -> bool {
        self.0.contains(&topic)
    }

    /// The topics, in [`TOPICS`] order.
    pub fn as_slice(&self) -> &[&'static str] {
        &self.0
    }

    /// As stored: space-separated.
    pub(crate) fn stored(&self) -> String {
        self.0.join(" ")
    }

    /// From the stored form.
    pub(crate) fn from_stored(s: &str) -> Result<Topics, Error> {
        let names: Vec<&str> = s.split_whitespace().collect();
        Topics::parse(&names).map_err(|e| Error::Internal(format!("stored topics: {e}")))
    }
}

/// A webhook to register.
#[derive(Debug, Clone)]
pub struct NewWebhook {
    /// Where to POST, `http://` or `https://`.
    pub url: String,
    /// The topics it receives.
    pub topics: Topics,
    /// Only this client's tickets; `None` for all.
    pub client: Option<ClientId>,
    /// Free text for the provider's own reference.
    pub description: String,
}

/// A registered webhook (never with its secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    /// Its id.
    pub id: WebhookId,
    /// Where it POSTs.
    pub url: String,
    /// The topics it receives.
    pub topics: Topics,
    /// Only this client's tickets; `None` for all.
    pub client: Option<ClientId>,
    /// Free text.
    pub description: String,
    /// When it was registered.
    pub created_at: Timestamp,
}

/// How a notification goes out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotificationTarget {
    /// A signed HTTP POST.
    Webhook {
        /// The webhook.
        id: WebhookId,
        /// Its URL.
        url: String,
        /// Its signing secret.
        secret: String,
    },
    /// An e-mail to a contact the contract names for warnings.
    Email {
        /// The contact's name.
        name: Option<String>,
        /// The contact's address.
        address: String,
    },
}

/// A notification claimed for one delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// Its id: the same on every attempt, so receivers can drop repeats.
    pub id: NotificationId,
    /// This attempt's number, from 1.
    pub attempt: u32,
    /// Where it goes.
    pub target: NotificationTarget,
    /// What it is about, e.g. `clock.breach`.
    pub topic: String,
    /// The id of what it is about (for a clock, its ticket).
    pub subject: String,
    /// Its facts as a JSON object, written when it was caused.
    pub payload: String,
}

/// One try at delivering a notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryAttempt {
    /// Its number, from 1.
    pub attempt: u32,
    /// When it started.
    pub at: Timestamp,
    /// How long it took, in milliseconds.
    pub duration_ms: i64,
    /// The HTTP status answered, for a webhook that answered.
    pub status_code: Option<u16>,
    /// Why it failed, if it did.
    pub error: Option<String>,
}

/// What happens to a notification after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// It was delivered.
    Delivered,
    /// It failed and is tried again at this instant.
    RetryAt(Timestamp),
    /// It failed and is not tried again.
    GiveUp,
}

/// A notification's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeliveryStatus {
    /// Waiting for its next attempt.
    Pending,
    /// Delivered.
    Delivered,
    /// Given up after its last attempt.
    Failed,
    /// Not sent: its webhook was deleted first.
    Cancelled,
}

impl DeliveryStatus {
    /// The name stored and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
            DeliveryStatus::Cancelled => "cancelled",
        }
    }
}

/// A notification of a fired crossing with its attempts, as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRecord {
    /// Its id (the `Accord-Delivery` header of a webhook).
    pub id: NotificationId,
    /// `webhook` or `email`.
    pub channel: &'static str,
    /// The webhook, for that channel.
    pub webhook: Option<WebhookId>,
    /// The webhook's URL or the e-mail address.
    pub recipient: String,
    /// Its state.
    pub status: DeliveryStatus,
    /// When it is next tried, while pending.
    pub next_attempt_at: Option<Timestamp>,
    /// When it was delivered or given up.
    pub finished_at: Option<Timestamp>,
    /// Every attempt, oldest first.
    pub attempts: Vec<DeliveryAttempt>,
}

/// A fired crossing of a ticket with its notifications.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrossingRecord {
    /// What fired.
    pub crossing: FiredCrossing,
    /// When the scheduler fired it.
    pub fired_at: Timestamp,
    /// Its notifications.
    pub deliveries: Vec<DeliveryRecord>,
}
