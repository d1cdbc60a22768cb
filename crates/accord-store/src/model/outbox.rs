//! What the outbox sends and to whom (SPEC §7): webhooks, notifications
//! and their delivery attempts.

use std::str::FromStr;

use jiff::Timestamp;

use super::FiredCrossing;
use crate::Error;
use crate::ids::{ClientId, NotificationId, WebhookId};

/// Which firings a webhook receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WebhookEvents {
    /// Warnings and breaches.
    All,
    /// Warning thresholds only.
    Warning,
    /// Breaches (the target crossed) only.
    Breach,
}

impl WebhookEvents {
    /// The name stored and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookEvents::All => "all",
            WebhookEvents::Warning => "warning",
            WebhookEvents::Breach => "breach",
        }
    }
}

impl FromStr for WebhookEvents {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        match s {
            "all" => Ok(WebhookEvents::All),
            "warning" => Ok(WebhookEvents::Warning),
            "breach" => Ok(WebhookEvents::Breach),
            other => Err(Error::Invalid(format!(
                "`{other}` is not a webhook event filter: use all, warning or breach"
            ))),
        }
    }
}

/// A webhook to register.
#[derive(Debug, Clone)]
pub struct NewWebhook {
    /// Where to POST, `http://` or `https://`.
    pub url: String,
    /// Which firings it receives.
    pub events: WebhookEvents,
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
    /// Which firings it receives.
    pub events: WebhookEvents,
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
    /// What fired.
    pub crossing: FiredCrossing,
    /// The client's name.
    pub client_name: String,
    /// The ticket's contract.
    pub contract_id: String,
    /// The contract version the crossing fired under.
    pub contract_version: u32,
    /// When the monitor fired it.
    pub fired_at: Timestamp,
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
    /// When the monitor fired it.
    pub fired_at: Timestamp,
    /// Its notifications.
    pub deliveries: Vec<DeliveryRecord>,
}
