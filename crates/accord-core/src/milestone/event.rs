//! Milestone events, the input of the milestone fold (SPEC §6, §10): one JSON
//! object per line (JSON Lines), parsed strictly.
//!
//! Strict means, as for ticket events: an unknown or repeated field, an
//! unknown kind, a field that does not belong to the kind (`days` on a
//! `paused`), a missing `deliverable`, `days` or `reason`, a text field that
//! is not a string, `days` that is not a whole number, and an instant that is
//! not RFC 3339 with an offset are errors naming the field (the line is
//! added by [`MilestoneEvent::parse_json_lines`]). `null` means absent.
//! Whether the milestone, the deliverable and the pause reason exist is a
//! question for the contract, asked by [`super::evaluate`].

use std::borrow::Cow;
use std::fmt;

use jiff::Timestamp;
use serde_json::Value;

use crate::clock::{EventError, parse_instant, required_for};
use crate::contract::did_you_mean;
use crate::json_members::Members;

/// The largest shift, in business days either way, an event may ask for
/// (about forty years): a larger one is surely a typo.
pub const MAX_SHIFT_DAYS: i64 = 10_000;

/// One entry of a milestone's append-only event log.
///
/// ```
/// use accord_core::milestone::{MilestoneEvent, MilestoneEventKind};
/// let e = MilestoneEvent::from_json_line(
///     r#"{"milestone": "pipeline-live", "kind": "deliverable_received", "deliverable": "1", "at": "2026-02-20T10:00:00+01:00"}"#,
/// )?;
/// assert_eq!(e.at.to_string(), "2026-02-20T09:00:00Z");
/// assert_eq!(e.kind, MilestoneEventKind::DeliverableReceived { deliverable: "1".into() });
/// let err = MilestoneEvent::from_json_line(
///     r#"{"milestone": "pipeline-live", "kind": "shifted", "days": 2, "at": "2026-02-20T10:00:00Z"}"#,
/// ).unwrap_err();
/// assert_eq!(err.to_string(), "field `reason`: a `shifted` event needs a reason");
/// # Ok::<(), accord_core::clock::EventError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MilestoneEvent {
    /// The milestone's id in the contract.
    pub milestone: String,
    /// What happened.
    pub kind: MilestoneEventKind,
    /// When it happened, to the whole second.
    pub at: Timestamp,
    /// Idempotency key: events with the same id are applied once.
    pub id: Option<String>,
    /// Who did it.
    pub by: Option<String>,
    /// Free text, e.g. the evidence for a pause or a shift.
    pub note: Option<String>,
}

/// What happened to a milestone (SPEC §6, §10).
///
/// The variant order is also the order in which events at the same instant
/// are applied: `deliverable_received`, `resumed`, `paused`, `shifted`,
/// `completed`, `accepted`. So a resume and a new pause in the same second
/// end one pause and start the next.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MilestoneEventKind {
    /// The client delivered a deliverable (the first receipt counts).
    DeliverableReceived {
        /// The deliverable's name: its id, or its 1-based position.
        deliverable: String,
    },
    /// A pause of the milestone ends.
    Resumed,
    /// The milestone pauses while the provider waits on the client.
    Paused {
        /// Why: one of the contract's pause reasons.
        reason: String,
    },
    /// A manual shift by a number of business days, negative to bring the
    /// milestone forward.
    Shifted {
        /// Business days, between -[`MAX_SHIFT_DAYS`] and [`MAX_SHIFT_DAYS`].
        days: i64,
        /// Why, as agreed.
        reason: String,
    },
    /// The provider completed the milestone (the first completion counts).
    Completed,
    /// The client signed the milestone off; completes it if it was not yet.
    Accepted,
}

impl MilestoneEventKind {
    /// The name used in the interchange format.
    pub fn as_str(&self) -> &'static str {
        match self {
            MilestoneEventKind::DeliverableReceived { .. } => "deliverable_received",
            MilestoneEventKind::Resumed => "resumed",
            MilestoneEventKind::Paused { .. } => "paused",
            MilestoneEventKind::Shifted { .. } => "shifted",
            MilestoneEventKind::Completed => "completed",
            MilestoneEventKind::Accepted => "accepted",
        }
    }
}

impl fmt::Display for MilestoneEventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

const KINDS: [&str; 6] = [
    "deliverable_received",
    "shifted",
    "paused",
    "resumed",
    "completed",
    "accepted",
];

const FIELDS: [&str; 9] = [
    "milestone",
    "kind",
    "at",
    "deliverable",
    "days",
    "reason",
    "id",
    "by",
    "note",
];

/// The fields of one event, each checked to be of its type and given once.
#[derive(Default)]
struct Fields {
    /// Text fields, in the order of [`FIELDS`] (`days` left empty).
    text: [Option<String>; 9],
    days: Option<i64>,
    seen: [bool; 9],
}

const DAYS: usize = 4;

impl Fields {
    fn read(members: Vec<(String, Value)>) -> Result<Fields, EventError> {
        let mut fields = Fields::default();
        for (name, value) in members {
            let Some(i) = FIELDS.iter().position(|f| *f == name) else {
                let help = match did_you_mean(&name, FIELDS) {
                    Some(best) => format!("did you mean `{best}`?"),
                    None => format!("allowed: {}", FIELDS.join(", ")),
                };
                return Err(EventError::field(&name, format!("unknown field; {help}")));
            };
            if std::mem::replace(&mut fields.seen[i], true) {
                return Err(EventError::field(&name, "appears twice"));
            }
            match (i, value) {
                (_, Value::Null) => {}
                (DAYS, Value::Number(n)) => match n.as_i64() {
                    Some(d) if d.abs() <= MAX_SHIFT_DAYS => fields.days = Some(d),
                    _ => {
                        return Err(EventError::field(
                            "days",
                            format!(
                                "must be a whole number of business days between -{MAX_SHIFT_DAYS} and {MAX_SHIFT_DAYS}, not {n}"
                            ),
                        ));
                    }
                },
                (DAYS, other) => {
                    return Err(EventError::field(
                        "days",
                        format!(
                            "must be a whole number of business days, like 3 or -2, not {other}"
                        ),
                    ));
                }
                (_, Value::String(s)) => fields.text[i] = Some(s),
                (_, other) => {
                    return Err(EventError::field(
                        &name,
                        format!("must be a string, not {other}"),
                    ));
                }
            }
        }
        Ok(fields)
    }

    fn take(&mut self, field: &str) -> Option<String> {
        let i = FIELDS.iter().position(|f| *f == field)?;
        self.text[i].take()
    }

    fn into_event(mut self) -> Result<MilestoneEvent, EventError> {
        let milestone = self.take("milestone").unwrap_or_default();
        if milestone.trim().is_empty() {
            return Err(EventError::field(
                "milestone",
                "missing: name the milestone by its id in the contract",
            ));
        }
        let kind_name = self
            .take("kind")
            .ok_or_else(|| EventError::field("kind", "missing"))?;
        let at = parse_instant(
            &self
                .take("at")
                .ok_or_else(|| EventError::field("at", "missing"))?,
        )?;
        let mut needs =
            |field: &str| required_for(self.take(field).map(Cow::Owned), field, &kind_name);
        let kind = match kind_name.as_str() {
            "deliverable_received" => MilestoneEventKind::DeliverableReceived {
                deliverable: needs("deliverable")?,
            },
            "paused" => MilestoneEventKind::Paused {
                reason: needs("reason")?,
            },
            "shifted" => {
                let reason = needs("reason")?;
                let days = self.days.take().ok_or_else(|| {
                    EventError::field("days", "a `shifted` event needs days (business days, negative to bring the milestone forward)")
                })?;
                MilestoneEventKind::Shifted { days, reason }
            }
            "resumed" => MilestoneEventKind::Resumed,
            "completed" => MilestoneEventKind::Completed,
            "accepted" => MilestoneEventKind::Accepted,
            other => {
                let help = match did_you_mean(other, KINDS) {
                    Some(best) => format!("did you mean `{best}`?"),
                    None => format!("use one of {}", KINDS.join(", ")),
                };
                return Err(EventError::field(
                    "kind",
                    format!("unknown event kind `{other}`; {help}"),
                ));
            }
        };
        for field in ["deliverable", "reason"] {
            if self.take(field).is_some() {
                return Err(EventError::field(
                    field,
                    format!("not allowed on a `{kind_name}` event"),
                ));
            }
        }
        if self.days.is_some() {
            return Err(EventError::field(
                "days",
                format!("not allowed on a `{kind_name}` event"),
            ));
        }
        Ok(MilestoneEvent {
            milestone,
            kind,
            at,
            id: self.take("id"),
            by: self.take("by"),
            note: self.take("note"),
        })
    }
}

impl MilestoneEvent {
    /// The event as a SPEC §10 JSON object, the inverse of
    /// [`from_json_line`](Self::from_json_line): absent fields are left out,
    /// the instant is RFC 3339 UTC, and members come in a fixed (sorted)
    /// order, so equal events give equal text.
    ///
    /// ```
    /// use accord_core::milestone::MilestoneEvent;
    /// let line = r#"{"milestone":"m","kind":"shifted","days":-2,"reason":"agreed","at":"2026-02-20T10:00:00+01:00"}"#;
    /// let e = MilestoneEvent::from_json_line(line)?;
    /// let json = e.to_json();
    /// assert_eq!(json["at"], "2026-02-20T09:00:00Z");
    /// assert_eq!(MilestoneEvent::from_json_line(&json.to_string())?, e);
    /// # Ok::<(), accord_core::clock::EventError>(())
    /// ```
    pub fn to_json(&self) -> Value {
        let mut m = serde_json::Map::new();
        let text = |s: &str| Value::String(s.to_string());
        m.insert("milestone".into(), text(&self.milestone));
        m.insert("kind".into(), text(self.kind.as_str()));
        m.insert("at".into(), Value::String(crate::instant::format(self.at)));
        match &self.kind {
            MilestoneEventKind::DeliverableReceived { deliverable } => {
                m.insert("deliverable".into(), text(deliverable));
            }
            MilestoneEventKind::Paused { reason } => {
                m.insert("reason".into(), text(reason));
            }
            MilestoneEventKind::Shifted { days, reason } => {
                m.insert("days".into(), Value::from(*days));
                m.insert("reason".into(), text(reason));
            }
            MilestoneEventKind::Resumed
            | MilestoneEventKind::Completed
            | MilestoneEventKind::Accepted => {}
        }
        for (field, value) in [("id", &self.id), ("by", &self.by), ("note", &self.note)] {
            if let Some(v) = value {
                m.insert(field.into(), text(v));
            }
        }
        Value::Object(m)
    }

    /// Parses one JSON Lines line: a JSON object with the fields of SPEC §10.
    pub fn from_json_line(line: &str) -> Result<MilestoneEvent, EventError> {
        let Members(members) = serde_json::from_str(line).map_err(|e| EventError {
            line: None,
            field: None,
            message: format!("not a JSON object: {e}"),
        })?;
        Fields::read(members)?.into_event()
    }

    /// Parses JSON Lines text: one event per non-blank line, each with its
    /// 1-based line. Errors name the line.
    ///
    /// ```
    /// use accord_core::milestone::MilestoneEvent;
    /// let text = "{\"milestone\":\"m\",\"kind\":\"completed\",\"at\":\"2026-03-30T16:00:00Z\"}\n\n\
    ///             {\"milestone\":\"m\",\"kind\":\"finished\",\"at\":\"2026-03-30T16:00:00Z\"}\n";
    /// let err = MilestoneEvent::parse_json_lines(text).unwrap_err();
    /// assert_eq!((err.line, err.field.as_deref()), (Some(3), Some("kind")));
    /// # Ok::<(), accord_core::clock::EventError>(())
    /// ```
    pub fn parse_json_lines(text: &str) -> Result<Vec<(usize, MilestoneEvent)>, EventError> {
        text.lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| {
                MilestoneEvent::from_json_line(l)
                    .map(|e| (i + 1, e))
                    .map_err(|e| e.at_line(i + 1))
            })
            .collect()
    }
}
