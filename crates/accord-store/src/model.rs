//! What the store's methods take and return (SPEC §1, §2, §4): plain values,
//! instants as [`Timestamp`], durations as whole seconds.

use std::fmt;
use std::str::FromStr;

use accord_core::clock::{ClockState, Metric, TicketEvent, TicketStatus};
use jiff::Timestamp;
use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::ids::{ClientId, NotificationId, OrgId, TicketId, TokenId, UserId, WebhookId};
use crate::{Error, Tenant};

/// Whether an organisation is the provider or a client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrgKind {
    /// The organisation running Accord.
    Provider,
    /// A client of the provider.
    Client,
}

/// An organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organisation {
    /// Its id.
    pub id: OrgId,
    /// Provider or client.
    pub kind: OrgKind,
    /// Its name, unique.
    pub name: String,
}

/// A user's role (SPEC §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Provider staff who administer the installation.
    Admin,
    /// Provider staff who work tickets.
    Agent,
    /// A user of one client organisation.
    Client,
}

impl Role {
    /// The name stored and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Agent => "agent",
            Role::Client => "client",
        }
    }
}

impl FromStr for Role {
    type Err = Error;
    fn from_str(s: &str) -> Result<Role, Error> {
        match s {
            "admin" => Ok(Role::Admin),
            "agent" => Ok(Role::Agent),
            "client" => Ok(Role::Client),
            other => Err(Error::Invalid(format!(
                "unknown role `{other}`: use admin, agent or client"
            ))),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A user to create.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    /// Login e-mail; unique, compared case-insensitively.
    pub email: &'a str,
    /// Display name.
    pub name: &'a str,
    /// Role.
    pub role: Role,
    /// The client organisation: required for [`Role::Client`], absent otherwise.
    pub client: Option<ClientId>,
    /// The password, if the user logs in with one (hashed with Argon2id).
    pub password: Option<&'a str>,
}

/// A user account (never with its password hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Its id.
    pub id: UserId,
    /// Login e-mail, lower-case.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// The client organisation of a client user.
    pub client: Option<ClientId>,
}

impl User {
    /// The tenant this user's requests run as: staff see every client, a
    /// client user only its own organisation.
    pub fn tenant(&self) -> Tenant {
        match (&self.role, &self.client) {
            (Role::Client, Some(c)) => Tenant::Client(c.clone()),
            _ => Tenant::Provider,
        }
    }
}

/// A stored version of a contract (SPEC §2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractVersion {
    /// The client the contract is with.
    pub client: ClientId,
    /// The contract's `id`.
    pub contract_id: String,
    /// Its `version`.
    pub version: u32,
    /// Its `effective_from`.
    pub effective_from: Date,
    /// The file name it was uploaded as.
    pub source_name: String,
    /// The TOML text, exactly as uploaded.
    pub source: String,
    /// When it was stored.
    pub uploaded_at: Timestamp,
}

/// A ticket to open: its opening event names the key, instant and priority.
#[derive(Debug, Clone)]
pub struct NewTicket {
    /// The client it is for.
    pub client: ClientId,
    /// The contract it falls under; the version in force on the opening day
    /// (UTC) governs it.
    pub contract_id: String,
    /// The `opened` event; its `ticket` is the ticket's key (e.g. `T-1`),
    /// unique per client.
    pub opened: TicketEvent,
}

/// A ticket's stored row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    /// Its id.
    pub id: TicketId,
    /// Its client.
    pub client: ClientId,
    /// Its key, e.g. `T-1`, unique per client.
    pub key: String,
    /// The contract it falls under.
    pub contract_id: String,
    /// The contract version that governs it.
    pub contract_version: u32,
    /// When it was opened.
    pub opened_at: Timestamp,
    /// The priority in force.
    pub priority: String,
    /// Open, resolved or closed.
    pub status: TicketStatus,
}

/// Which tickets to list; every field left `None` matches all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TicketFilter {
    /// Only this client's (within what the tenant may see).
    pub client: Option<ClientId>,
    /// Only tickets in this status.
    pub status: Option<TicketStatus>,
    /// Only tickets of this priority.
    pub priority: Option<String>,
    /// Only open tickets whose most pressed live clock had at most this
    /// many business seconds left when last computed.
    pub at_risk_within_secs: Option<i64>,
}

/// A clock as last computed and stored (SPEC §4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredClock {
    /// What it measures.
    pub metric: Metric,
    /// Cycle number from 1.
    pub cycle: u32,
    /// Its state when computed.
    pub state: ClockState,
    /// The target, in business seconds.
    pub target_secs: i64,
    /// Elapsed business seconds.
    pub elapsed_secs: i64,
    /// Paused business seconds, all reasons.
    pub paused_secs: i64,
    /// Business seconds left, floored at zero.
    pub remaining_secs: i64,
    /// When the clock started.
    pub started_at: Timestamp,
    /// When it stopped, if it did.
    pub stopped_at: Option<Timestamp>,
    /// When the target is reached if it keeps running.
    pub deadline: Option<Timestamp>,
    /// When elapsed time first equalled the target, if it is exceeded.
    pub breached_at: Option<Timestamp>,
    /// The next threshold share to cross (`1` is the target) and when.
    pub next_crossing: Option<(Decimal, Timestamp)>,
    /// The instant the row was computed at.
    pub evaluated_at: Timestamp,
}

/// A ticket with its clocks and its event timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketWithClocks {
    /// The ticket.
    pub ticket: Ticket,
    /// Its clocks by metric and cycle.
    pub clocks: Vec<StoredClock>,
    /// Its events in the order they were recorded.
    pub events: Vec<TicketEvent>,
}

/// What [`Store::append_events`](crate::Store::append_events) did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Appended {
    /// Events stored.
    pub inserted: usize,
    /// Events that were exact copies of stored ones (or of an earlier one in
    /// the batch) and were ignored.
    pub duplicates: usize,
}

/// An open ticket whose most pressed live clock has little time left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AtRisk {
    /// The ticket.
    pub ticket: Ticket,
    /// Business seconds left on its most pressed live clock when its clocks
    /// were last computed (zero when overdue).
    pub remaining_secs: i64,
}

/// A warning threshold or target crossing, fired once (SPEC §4, §7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FiredCrossing {
    /// The ticket.
    pub ticket: TicketId,
    /// Its key.
    pub ticket_key: String,
    /// Its client.
    pub client: ClientId,
    /// The clock's metric.
    pub metric: Metric,
    /// The clock's cycle.
    pub cycle: u32,
    /// The share of the target crossed (`1` is the breach).
    pub share: Decimal,
    /// The elapsed business seconds at the crossing.
    pub threshold_secs: i64,
    /// When the clock crossed it.
    pub crossed_at: Timestamp,
}

/// An API token's public facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    /// Its id, used to revoke it.
    pub id: TokenId,
    /// The user it acts as.
    pub user: UserId,
    /// What its owner called it.
    pub name: String,
}

// ---- notifications (SPEC §4, §7) ----

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

/// Whether a firing is a warning or the breach itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CrossingKind {
    /// A warning threshold (a share below 1).
    Warning,
    /// The target itself (share 1).
    Breach,
}

impl CrossingKind {
    /// The kind of a crossing of `share` of the target.
    pub fn of(share: Decimal) -> CrossingKind {
        if share >= Decimal::ONE {
            CrossingKind::Breach
        } else {
            CrossingKind::Warning
        }
    }

    /// `warning` or `breach`.
    pub fn as_str(self) -> &'static str {
        match self {
            CrossingKind::Warning => "warning",
            CrossingKind::Breach => "breach",
        }
    }
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

// ---- the web application (issue 6) ----

/// A browser session's secret, the value of its cookie. Only its SHA-256
/// is stored; `Debug` does not print it.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionSecret(String);

impl SessionSecret {
    /// A new random secret (256 bits).
    pub(crate) fn generate() -> Self {
        SessionSecret(crate::auth::random_hex(32))
    }

    /// Wraps a secret presented by a browser.
    pub fn new(secret: impl Into<String>) -> Self {
        SessionSecret(secret.into())
    }

    /// The secret, to put in the cookie.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// What the database keeps.
    pub(crate) fn hash(&self) -> Vec<u8> {
        use sha2::Digest;
        sha2::Sha256::digest(self.0.as_bytes()).to_vec()
    }
}

impl fmt::Debug for SessionSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionSecret(<redacted>)")
    }
}

/// A signed-in browser session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSession {
    /// Who is signed in.
    pub user: User,
    /// The token every state-changing form of this session must carry.
    pub csrf_token: String,
    /// The user's chosen IANA time zone, if any.
    pub time_zone: Option<String>,
    /// When the session ends.
    pub expires_at: Timestamp,
}

/// An API token as listed on the settings page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenListing {
    /// Its public facts.
    pub info: TokenInfo,
    /// The e-mail of the user it acts as.
    pub user_email: String,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it was revoked, if it was.
    pub revoked_at: Option<Timestamp>,
}

/// A client's contract with its latest stored version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractSummary {
    /// The client.
    pub client: ClientId,
    /// The client's name.
    pub client_name: String,
    /// The contract's id.
    pub contract_id: String,
    /// The highest stored version.
    pub latest_version: u32,
    /// How many versions are stored.
    pub versions: u32,
}

/// A stored clock that stopped or breached in a period, with its ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClockOutcome {
    /// The ticket.
    pub ticket: TicketId,
    /// Its key.
    pub ticket_key: String,
    /// Its client.
    pub client: ClientId,
    /// Its status.
    pub status: TicketStatus,
    /// The clock's metric.
    pub metric: Metric,
    /// The clock's cycle.
    pub cycle: u32,
    /// The clock's state when last computed.
    pub state: ClockState,
    /// When it stopped, if it did.
    pub stopped_at: Option<Timestamp>,
    /// When it exceeded its target, if it did.
    pub breached_at: Option<Timestamp>,
}
