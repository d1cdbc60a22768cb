//! The JSON shapes of API v1 (SPEC §4, §10): instants as RFC 3339 UTC to
//! the second, durations as whole seconds (`_s`), events in the §10
//! interchange format.

use accord_core::clock::{EventKind, TicketEvent, TicketStatus};
use accord_store::{AtRisk, ContractVersion, StoredClock, Ticket};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An instant as SPEC §10 prints it: UTC, to the second, with `Z`.
pub fn instant(t: Timestamp) -> String {
    accord_core::instant::format(t)
}

/// A ticket status's API name.
pub fn status_name(s: TicketStatus) -> &'static str {
    match s {
        TicketStatus::Open => "open",
        TicketStatus::Resolved => "resolved",
        TicketStatus::Closed => "closed",
    }
}

/// A ticket.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketDto {
    /// Its id (UUID).
    pub id: String,
    /// Its client's id.
    pub client: String,
    /// Its key, unique per client, e.g. `T-1`.
    pub key: String,
    /// The contract it falls under.
    pub contract_id: String,
    /// The contract version that governs it.
    pub contract_version: u32,
    /// When it was opened.
    pub opened_at: String,
    /// The priority in force.
    pub priority: String,
    /// `open`, `resolved` or `closed`.
    pub status: String,
}

impl From<Ticket> for TicketDto {
    fn from(t: Ticket) -> Self {
        TicketDto {
            id: t.id.to_string(),
            client: t.client.to_string(),
            key: t.key,
            contract_id: t.contract_id,
            contract_version: t.contract_version,
            opened_at: instant(t.opened_at),
            priority: t.priority,
            status: status_name(t.status).to_string(),
        }
    }
}

/// A page of tickets.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketPage {
    /// The tickets, in creation order.
    pub items: Vec<TicketDto>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// The next threshold a clock will cross.
#[derive(Debug, Serialize, ToSchema)]
pub struct NextThreshold {
    /// Share of the target, e.g. `0.75`; `1` is the breach.
    pub share: String,
    /// When it is crossed if the clock keeps running.
    pub at: String,
}

/// An SLA clock as last computed (SPEC §4).
#[derive(Debug, Serialize, ToSchema)]
pub struct ClockDto {
    /// `first_response`, `next_response`, `resolution` or `periodic_update`.
    pub metric: String,
    /// Cycle number from 1.
    pub cycle: u32,
    /// `running`, `paused`, `overdue`, `met` or `missed`.
    pub state: String,
    /// Target, business seconds.
    pub target_s: i64,
    /// Elapsed business seconds.
    pub elapsed_s: i64,
    /// Paused business seconds.
    pub paused_s: i64,
    /// Business seconds left, floored at zero.
    pub remaining_s: i64,
    /// When it started.
    pub started_at: String,
    /// When it stopped.
    pub stopped_at: Option<String>,
    /// When the target is reached if it keeps running.
    pub deadline: Option<String>,
    /// When elapsed time first equalled the target.
    pub breached_at: Option<String>,
    /// The next threshold to cross.
    pub next_threshold: Option<NextThreshold>,
    /// The instant these figures were computed at.
    pub evaluated_at: String,
}

impl ClockDto {
    /// A clock the core evaluated at `at`.
    pub fn evaluated(c: &accord_core::clock::Clock, at: Timestamp) -> ClockDto {
        ClockDto {
            metric: c.metric.as_str().to_string(),
            cycle: c.cycle,
            state: c.state.as_str().to_string(),
            target_s: c.target.as_secs(),
            elapsed_s: c.elapsed.as_secs(),
            paused_s: c.paused.as_secs(),
            remaining_s: c.remaining.as_secs(),
            started_at: instant(c.started_at),
            stopped_at: c.stopped_at.map(instant),
            deadline: c.deadline.map(instant),
            breached_at: c.breached_at.map(instant),
            next_threshold: c.next_crossing().and_then(|n| {
                Some(NextThreshold {
                    share: n.share.normalize().to_string(),
                    at: instant(n.at?),
                })
            }),
            evaluated_at: instant(at),
        }
    }
}

impl From<StoredClock> for ClockDto {
    fn from(c: StoredClock) -> Self {
        ClockDto {
            metric: c.metric.as_str().to_string(),
            cycle: c.cycle,
            state: c.state.as_str().to_string(),
            target_s: c.target_secs,
            elapsed_s: c.elapsed_secs,
            paused_s: c.paused_secs,
            remaining_s: c.remaining_secs,
            started_at: instant(c.started_at),
            stopped_at: c.stopped_at.map(instant),
            deadline: c.deadline.map(instant),
            breached_at: c.breached_at.map(instant),
            next_threshold: c.next_crossing.map(|(share, at)| NextThreshold {
                share: share.normalize().to_string(),
                at: instant(at),
            }),
            evaluated_at: instant(c.evaluated_at),
        }
    }
}

/// A ticket event in the SPEC §10 format, without `ticket` (the URL names it).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventDto {
    /// `opened`, `replied`, `client_replied`, `paused`, `resumed`,
    /// `priority_changed`, `resolved`, `reopened` or `closed`.
    pub kind: String,
    /// RFC 3339 with any offset; kept to the second.
    pub at: String,
    /// For `opened` and `priority_changed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<String>,
    /// For `paused`: one of the contract's pause reasons.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// For `paused`: who the provider waits on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting_on: Option<String>,
    /// Free text, e.g. the evidence for a pause.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Idempotency key: an event re-sent with the same id is stored once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Who did it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// The order in which the service recorded it (SPEC §10): events of one
    /// second apply in this order, so a replay of an export gives what the
    /// service showed. On input it orders the events of one second within
    /// the batch; the service assigns its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
}

impl From<TicketEvent> for EventDto {
    fn from(e: TicketEvent) -> Self {
        let (mut priority, mut reason, mut waiting_on) = (None, None, None);
        match &e.kind {
            EventKind::Opened { priority: p } | EventKind::PriorityChanged { priority: p } => {
                priority = Some(p.clone());
            }
            EventKind::Paused {
                reason: r,
                waiting_on: w,
            } => {
                reason = Some(r.clone());
                waiting_on.clone_from(w);
            }
            _ => {}
        }
        EventDto {
            kind: e.kind.as_str().to_string(),
            at: instant(e.at),
            priority,
            reason,
            waiting_on,
            note: e.note,
            id: e.id,
            by: e.by,
            seq: e.seq,
        }
    }
}

/// One event, or a batch applied all-or-nothing.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum EventBatch {
    /// A single event.
    One(EventDto),
    /// Several events.
    Many(Vec<EventDto>),
}

/// A ticket with its clocks and its full timeline.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketDetail {
    /// The ticket.
    pub ticket: TicketDto,
    /// Its clocks by metric and cycle.
    pub clocks: Vec<ClockDto>,
    /// Its events in the order they were recorded.
    pub timeline: Vec<EventDto>,
}

impl From<crate::app::tickets::Live> for TicketDetail {
    fn from(t: crate::app::tickets::Live) -> Self {
        let at = t.clocks.at;
        TicketDetail {
            ticket: t.ticket.into(),
            clocks: t
                .clocks
                .clocks
                .iter()
                .map(|c| ClockDto::evaluated(c, at))
                .collect(),
            timeline: t.events.into_iter().map(Into::into).collect(),
        }
    }
}

/// What posting events did.
#[derive(Debug, Serialize, ToSchema)]
pub struct AppendedDto {
    /// Events stored.
    pub inserted: usize,
    /// Events already stored (same id and content), ignored.
    pub duplicates: usize,
}

/// An open ticket close to a breach.
#[derive(Debug, Serialize, ToSchema)]
pub struct AtRiskDto {
    /// The ticket.
    pub ticket: TicketDto,
    /// Business seconds left on its most pressed live clock.
    pub remaining_s: i64,
}

impl From<AtRisk> for AtRiskDto {
    fn from(a: AtRisk) -> Self {
        AtRiskDto {
            ticket: a.ticket.into(),
            remaining_s: a.remaining_secs,
        }
    }
}

/// A stored contract version (SPEC §2).
#[derive(Debug, Serialize, ToSchema)]
pub struct ContractVersionDto {
    /// The client's id.
    pub client: String,
    /// The contract's `id`.
    pub contract_id: String,
    /// Its `version`.
    pub version: u32,
    /// Its `effective_from` date.
    pub effective_from: String,
    /// The file name it was uploaded as.
    pub source_name: String,
    /// When it was stored.
    pub uploaded_at: String,
    /// The TOML text as uploaded.
    pub source: String,
}

impl From<ContractVersion> for ContractVersionDto {
    fn from(c: ContractVersion) -> Self {
        ContractVersionDto {
            client: c.client.to_string(),
            contract_id: c.contract_id,
            version: c.version,
            effective_from: c.effective_from.to_string(),
            source_name: c.source_name,
            uploaded_at: instant(c.uploaded_at),
            source: c.source,
        }
    }
}

// ---- organisations, users, tokens, contract diffs ----

/// An organisation: the provider or one of its clients (SPEC §1).
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganisationDto {
    /// Its id (UUID); a client's is the `client` of its tickets and users.
    pub id: String,
    /// `provider` or `client`.
    pub kind: String,
    /// Its name, unique.
    pub name: String,
}

impl From<accord_store::Organisation> for OrganisationDto {
    fn from(o: accord_store::Organisation) -> Self {
        OrganisationDto {
            id: o.id.to_string(),
            kind: match o.kind {
                accord_store::OrgKind::Provider => "provider",
                accord_store::OrgKind::Client => "client",
            }
            .to_string(),
            name: o.name,
        }
    }
}

/// A user account (never with its password).
#[derive(Debug, Serialize, ToSchema)]
pub struct UserDto {
    /// Its id (UUID).
    pub id: String,
    /// Login e-mail, lower-case.
    pub email: String,
    /// Display name.
    pub name: String,
    /// `admin`, `agent` or `client`.
    pub role: String,
    /// The client organisation of a `client` user.
    pub client: Option<String>,
}

impl From<accord_store::User> for UserDto {
    fn from(u: accord_store::User) -> Self {
        UserDto {
            id: u.id.to_string(),
            email: u.email,
            name: u.name,
            role: u.role.as_str().to_string(),
            client: u.client.map(|c| c.to_string()),
        }
    }
}

/// An API token as its owner lists it.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenDto {
    /// Its id, to revoke it.
    pub id: String,
    /// What its owner called it.
    pub name: String,
    /// The user it acts as.
    pub user: String,
    /// When it was created.
    pub created_at: String,
    /// When it was revoked, if it was.
    pub revoked_at: Option<String>,
}

impl From<accord_store::TokenListing> for TokenDto {
    fn from(t: accord_store::TokenListing) -> Self {
        TokenDto {
            id: t.info.id.to_string(),
            name: t.info.name,
            user: t.info.user.to_string(),
            created_at: instant(t.created_at),
            revoked_at: t.revoked_at.map(instant),
        }
    }
}

/// A new API token, with its secret: shown here once, never again.
#[derive(Debug, Serialize, ToSchema)]
pub struct NewTokenDto {
    /// The token's facts.
    #[serde(flatten)]
    pub token: TokenDto,
    /// The bearer secret (`accord_...`). Only its hash is stored.
    pub secret: String,
}

/// One difference between two versions of a contract, in plain words.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeDto {
    /// What changed, e.g. `critical first response`.
    pub what: String,
    /// The old value; absent when the term is new.
    pub old: Option<String>,
    /// The new value; absent when the term was removed.
    pub new: Option<String>,
    /// The whole change as one sentence.
    pub text: String,
}

impl From<accord_docs::diff::Change> for ChangeDto {
    fn from(c: accord_docs::diff::Change) -> Self {
        ChangeDto {
            text: c.to_string(),
            what: c.what,
            old: c.old,
            new: c.new,
        }
    }
}

/// The differences between two versions of a contract.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContractDiffDto {
    /// The contract's `id`.
    pub contract_id: String,
    /// The older version compared.
    pub from: u32,
    /// The newer version compared.
    pub to: u32,
    /// Every change, in the order of the appendix.
    pub changes: Vec<ChangeDto>,
}

/// One event object of a body, with its position when the body is an array.
pub type BatchItem = (Option<usize>, serde_json::Map<String, serde_json::Value>);

/// The events of a body that holds one JSON object or an array of them,
/// each with its position when in an array (for the names of fields in
/// errors). An empty array, or an item that is not an object, is unreadable.
pub fn batch_objects(body: serde_json::Value) -> crate::error::ApiResult<Vec<BatchItem>> {
    use crate::error::{ApiError, Place};
    use serde_json::Value;
    match body {
        Value::Object(o) => Ok(vec![(None, o)]),
        Value::Array(items) if items.is_empty() => {
            Err(ApiError::bad_field("", "the batch holds no event"))
        }
        Value::Array(items) => items
            .into_iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::Object(o) => Ok((Some(i), o)),
                _ => Err(ApiError::bad_field(
                    format!("[{i}]"),
                    "each event must be a JSON object",
                )),
            })
            .collect(),
        _ => Err(ApiError::BadRequest {
            detail: "the body must be an event object or an array of them".into(),
            place: Place::default(),
        }),
    }
}
