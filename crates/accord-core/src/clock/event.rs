//! Ticket events, the input of the clocks (SPEC §4, §10): one JSON object per
//! line (JSON Lines) or one CSV row each, parsed strictly.
//!
//! Strict means: an unknown field, an unknown kind, a field that does not
//! belong to the kind (`priority` on a `replied`), a missing `priority` or
//! `reason`, a value that is not a string, and an instant that is not
//! RFC 3339 with an offset are all errors naming the field (and the line when
//! known). `null` and, in CSV, an empty cell mean "absent". Instants are kept
//! to the whole second: a fractional part is dropped (floored), since all
//! business-time arithmetic is to the second (SPEC §3).

use std::fmt;

use jiff::Timestamp;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::Value;

use super::csv::csv_records;

/// One entry of a ticket's append-only event log.
///
/// ```
/// use accord_core::clock::{EventKind, TicketEvent};
/// let e = TicketEvent::from_json_line(
///     r#"{"ticket": "T-1", "kind": "opened", "at": "2026-03-02T09:00:00+01:00", "priority": "critical"}"#,
/// )?;
/// assert_eq!(e.at.to_string(), "2026-03-02T08:00:00Z");
/// assert_eq!(e.kind, EventKind::Opened { priority: "critical".into() });
/// # Ok::<(), accord_core::clock::EventError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TicketEvent {
    /// The ticket the event belongs to.
    pub ticket: String,
    /// What happened.
    pub kind: EventKind,
    /// When it happened, to the whole second.
    pub at: Timestamp,
    /// Idempotency key: events with the same id are applied once.
    pub id: Option<String>,
    /// Who did it.
    pub by: Option<String>,
    /// Free text, e.g. the evidence for a pause.
    pub note: Option<String>,
}

/// What happened to a ticket (SPEC §4, §10).
///
/// The variant order is also the order in which events at the same instant
/// are applied (see [`EventKind::rank`]).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EventKind {
    /// The ticket was opened with a priority.
    Opened {
        /// The priority's name in the contract.
        priority: String,
    },
    /// The priority changed; elapsed time is kept, the new target applies.
    PriorityChanged {
        /// The new priority's name in the contract.
        priority: String,
    },
    /// The client wrote.
    ClientReplied,
    /// The clocks resume after a pause.
    Resumed,
    /// The provider replied publicly.
    Replied,
    /// The clocks pause while the provider waits on the client (SPEC §5).
    Paused {
        /// Why: one of the contract's pause reasons.
        reason: String,
        /// Who the provider is waiting on.
        waiting_on: Option<String>,
    },
    /// The ticket was resolved; every clock stops.
    Resolved,
    /// A resolved ticket was reopened; the resolution clock resumes.
    Reopened,
    /// The ticket was closed for good; no event may follow.
    Closed,
}

impl EventKind {
    /// The name used in the interchange formats.
    pub fn as_str(&self) -> &'static str {
        match self {
            EventKind::Opened { .. } => "opened",
            EventKind::PriorityChanged { .. } => "priority_changed",
            EventKind::ClientReplied => "client_replied",
            EventKind::Resumed => "resumed",
            EventKind::Replied => "replied",
            EventKind::Paused { .. } => "paused",
            EventKind::Resolved => "resolved",
            EventKind::Reopened => "reopened",
            EventKind::Closed => "closed",
        }
    }

    /// Order of application among events at the same instant: `opened`,
    /// `priority_changed`, `client_replied`, `resumed`, `replied`, `paused`,
    /// `resolved`, `reopened`, `closed`. So a client message and a provider
    /// reply in the same second count as "asked, then answered", a resolve
    /// and reopen in the same second as "resolved, then reopened".
    pub fn rank(&self) -> u8 {
        match self {
            EventKind::Opened { .. } => 0,
            EventKind::PriorityChanged { .. } => 1,
            EventKind::ClientReplied => 2,
            EventKind::Resumed => 3,
            EventKind::Replied => 4,
            EventKind::Paused { .. } => 5,
            EventKind::Resolved => 6,
            EventKind::Reopened => 7,
            EventKind::Closed => 8,
        }
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

const KINDS: &str = "opened, replied, client_replied, paused, resumed, priority_changed, resolved, reopened, closed";

/// Why an event could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{}{message}", line.map(|l| format!("line {l}: ")).unwrap_or_default(), field.as_ref().map(|f| format!("field `{f}`: ")).unwrap_or_default())]
pub struct EventError {
    /// The 1-based line (JSON Lines) or the line the CSV record starts on.
    pub line: Option<usize>,
    /// The field at fault, when one is.
    pub field: Option<String>,
    /// What is wrong, in plain language.
    pub message: String,
}

impl EventError {
    fn field(field: &str, message: impl Into<String>) -> Self {
        EventError {
            line: None,
            field: Some(field.to_string()),
            message: message.into(),
        }
    }

    fn at_line(mut self, line: usize) -> Self {
        self.line = Some(line);
        self
    }
}

/// The raw fields of an event before they are checked, shared by both formats.
#[derive(Debug, Default)]
struct Fields {
    ticket: Option<String>,
    kind: Option<String>,
    at: Option<String>,
    priority: Option<String>,
    reason: Option<String>,
    waiting_on: Option<String>,
    note: Option<String>,
    id: Option<String>,
    by: Option<String>,
}

const FIELD_NAMES: [&str; 9] = [
    "ticket",
    "kind",
    "at",
    "priority",
    "reason",
    "waiting_on",
    "note",
    "id",
    "by",
];

impl Fields {
    fn slot(&mut self, name: &str) -> Option<&mut Option<String>> {
        Some(match name {
            "ticket" => &mut self.ticket,
            "kind" => &mut self.kind,
            "at" => &mut self.at,
            "priority" => &mut self.priority,
            "reason" => &mut self.reason,
            "waiting_on" => &mut self.waiting_on,
            "note" => &mut self.note,
            "id" => &mut self.id,
            "by" => &mut self.by,
            _ => return None,
        })
    }

    fn into_event(self) -> Result<TicketEvent, EventError> {
        let ticket = required(self.ticket, "ticket")?;
        if ticket.trim().is_empty() {
            return Err(EventError::field("ticket", "must not be empty"));
        }
        let kind_name = required(self.kind, "kind")?;
        let at = parse_instant(&required(self.at, "at")?)?;
        let mut priority = self.priority;
        let mut reason = self.reason;
        let mut waiting_on = self.waiting_on;
        let kind = match kind_name.as_str() {
            "opened" => EventKind::Opened {
                priority: required_for(priority.take(), "priority", "opened")?,
            },
            "priority_changed" => EventKind::PriorityChanged {
                priority: required_for(priority.take(), "priority", "priority_changed")?,
            },
            "paused" => EventKind::Paused {
                reason: required_for(reason.take(), "reason", "paused")?,
                waiting_on: waiting_on.take(),
            },
            "replied" => EventKind::Replied,
            "client_replied" => EventKind::ClientReplied,
            "resumed" => EventKind::Resumed,
            "resolved" => EventKind::Resolved,
            "reopened" => EventKind::Reopened,
            "closed" => EventKind::Closed,
            other => {
                return Err(EventError::field(
                    "kind",
                    format!("unknown event kind `{other}`; use one of {KINDS}"),
                ));
            }
        };
        for (name, left) in [
            ("priority", priority),
            ("reason", reason),
            ("waiting_on", waiting_on),
        ] {
            if left.is_some() {
                return Err(EventError::field(
                    name,
                    format!("not allowed on a `{kind_name}` event"),
                ));
            }
        }
        Ok(TicketEvent {
            ticket,
            kind,
            at,
            id: self.id,
            by: self.by,
            note: self.note,
        })
    }
}

/// A JSON object's members in order, duplicates kept, so that a repeated
/// field is an error rather than silently won by its last value.
struct Members(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for Members {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MembersVisitor;
        impl<'de> Visitor<'de> for MembersVisitor {
            type Value = Members;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members, A::Error> {
                let mut members = Vec::with_capacity(map.size_hint().unwrap_or(8));
                while let Some(member) = map.next_entry::<String, Value>()? {
                    members.push(member);
                }
                Ok(Members(members))
            }
        }
        deserializer.deserialize_map(MembersVisitor)
    }
}

fn required(value: Option<String>, field: &str) -> Result<String, EventError> {
    value.ok_or_else(|| EventError::field(field, "missing"))
}

fn required_for(value: Option<String>, field: &str, kind: &str) -> Result<String, EventError> {
    match value {
        Some(v) if !v.trim().is_empty() => Ok(v),
        _ => Err(EventError::field(
            field,
            format!("a `{kind}` event needs a {field}"),
        )),
    }
}

fn parse_instant(text: &str) -> Result<Timestamp, EventError> {
    let t: Timestamp = text.trim().parse().map_err(|e| {
        EventError::field(
            "at",
            format!("`{text}` is not an RFC 3339 instant with an offset, like 2026-03-02T08:00:00Z ({e})"),
        )
    })?;
    Timestamp::from_second(t.as_second())
        .map_err(|e| EventError::field("at", format!("`{text}` is out of range ({e})")))
}

impl TicketEvent {
    /// Parses one JSON Lines line: a JSON object with the fields of SPEC §10.
    pub fn from_json_line(line: &str) -> Result<TicketEvent, EventError> {
        let Members(members) = serde_json::from_str(line).map_err(|e| EventError {
            line: None,
            field: None,
            message: format!("not a JSON object: {e}"),
        })?;
        let mut fields = Fields::default();
        let mut seen: Vec<String> = Vec::with_capacity(members.len());
        for (name, value) in members {
            if seen.contains(&name) {
                return Err(EventError::field(&name, "appears twice"));
            }
            seen.push(name.clone());
            let Some(slot) = fields.slot(&name) else {
                return Err(EventError::field(
                    &name,
                    format!("unknown field; allowed: {}", FIELD_NAMES.join(", ")),
                ));
            };
            *slot = match value {
                Value::Null => None,
                Value::String(s) => Some(s),
                other => {
                    return Err(EventError::field(
                        &name,
                        format!("must be a string, not {other}"),
                    ));
                }
            };
        }
        fields.into_event()
    }

    /// Parses JSON Lines text: one event per non-blank line. Errors name the line.
    pub fn parse_json_lines(text: &str) -> Result<Vec<TicketEvent>, EventError> {
        text.lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| TicketEvent::from_json_line(l).map_err(|e| e.at_line(i + 1)))
            .collect()
    }

    /// Parses CSV text with a header row naming the columns, e.g.
    /// `ticket,kind,at,priority,reason,note,id,by` (any order; `ticket`,
    /// `kind` and `at` required; `waiting_on` also accepted). Fields may be
    /// quoted with `"`, doubling `""` inside; quoted fields may contain
    /// commas and line breaks. An empty cell is an absent field.
    ///
    /// ```
    /// use accord_core::clock::TicketEvent;
    /// let csv = "ticket,kind,at,priority,reason,note,id,by\n\
    ///            T-1,opened,2026-03-02T08:00:00Z,high,,\"Printer, 3rd floor\",e1,ana\n";
    /// let events = TicketEvent::parse_csv(csv)?;
    /// assert_eq!(events[0].note.as_deref(), Some("Printer, 3rd floor"));
    /// let err = TicketEvent::parse_csv("ticket,kind,at\nT-1,opend,2026-03-02T08:00:00Z\n").unwrap_err();
    /// assert_eq!(err.line, Some(2));
    /// # Ok::<(), accord_core::clock::EventError>(())
    /// ```
    pub fn parse_csv(text: &str) -> Result<Vec<TicketEvent>, EventError> {
        Ok(Self::parse_csv_lines(text)?
            .into_iter()
            .map(|(_, e)| e)
            .collect())
    }

    /// Like [`TicketEvent::parse_csv`], with the 1-based line each record starts on.
    pub fn parse_csv_lines(text: &str) -> Result<Vec<(usize, TicketEvent)>, EventError> {
        let mut records = csv_records(text)?.into_iter();
        let Some((_, header)) = records.next() else {
            return Ok(Vec::new());
        };
        let mut columns = Vec::with_capacity(header.len());
        for name in &header {
            let name = name.trim();
            if !FIELD_NAMES.contains(&name) {
                return Err(EventError::field(
                    name,
                    format!("unknown column; allowed: {}", FIELD_NAMES.join(", ")),
                )
                .at_line(1));
            }
            if columns.contains(&name) {
                return Err(EventError::field(name, "column appears twice").at_line(1));
            }
            columns.push(name);
        }
        for needed in ["ticket", "kind", "at"] {
            if !columns.contains(&needed) {
                return Err(EventError::field(needed, "the header has no such column").at_line(1));
            }
        }
        let mut events = Vec::new();
        for (line, record) in records {
            if record.len() == 1 && record[0].trim().is_empty() {
                continue;
            }
            if record.len() != columns.len() {
                return Err(EventError {
                    line: Some(line),
                    field: None,
                    message: format!(
                        "{} fields, but the header has {} columns",
                        record.len(),
                        columns.len()
                    ),
                });
            }
            let mut fields = Fields::default();
            for (name, cell) in columns.iter().zip(record) {
                if let Some(slot) = fields.slot(name) {
                    *slot = (!cell.is_empty()).then_some(cell);
                }
            }
            events.push((line, fields.into_event().map_err(|e| e.at_line(line))?));
        }
        Ok(events)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(line: &str) -> EventError {
        TicketEvent::from_json_line(line).unwrap_err()
    }

    #[test]
    fn json_events_of_every_kind_parse() {
        let text = r#"{"ticket":"T-1","kind":"opened","at":"2026-03-02T08:00:00Z","priority":"high","id":"e1","by":"ana"}
{"ticket":"T-1","kind":"paused","at":"2026-03-02T09:00:00.750+01:00","reason":"approval","waiting_on":"client approver","note":"quote sent"}

{"ticket":"T-1","kind":"resumed","at":"2026-03-02T09:00:00Z","note":null}
{"ticket":"T-1","kind":"priority_changed","at":"2026-03-02T09:00:00Z","priority":"critical"}
{"ticket":"T-1","kind":"replied","at":"2026-03-02T09:00:00Z"}
{"ticket":"T-1","kind":"client_replied","at":"2026-03-02T09:00:00Z"}
{"ticket":"T-1","kind":"resolved","at":"2026-03-02T09:00:00Z"}
{"ticket":"T-1","kind":"reopened","at":"2026-03-02T09:00:00Z"}
{"ticket":"T-1","kind":"closed","at":"2026-03-02T09:00:00Z"}"#;
        let events = TicketEvent::parse_json_lines(text).unwrap();
        assert_eq!(events.len(), 9);
        assert_eq!(events[0].id.as_deref(), Some("e1"));
        assert_eq!(events[0].by.as_deref(), Some("ana"));
        assert_eq!(
            events[1].kind,
            EventKind::Paused {
                reason: "approval".into(),
                waiting_on: Some("client approver".into())
            }
        );
        // Offsets are honoured and the fraction of a second is dropped.
        assert_eq!(events[1].at.to_string(), "2026-03-02T08:00:00Z");
        assert_eq!(events[8].kind, EventKind::Closed);
    }

    #[test]
    fn json_errors_name_the_field() {
        let e =
            err(r#"{"ticket":"T-1","kind":"opened","at":"2026-03-02T08:00:00Z","priorty":"high"}"#);
        assert_eq!(e.field.as_deref(), Some("priorty"));
        let e = err(r#"{"ticket":"T-1","kind":"opened","at":"2026-03-02T08:00:00Z"}"#);
        assert_eq!(e.field.as_deref(), Some("priority"));
        assert!(e.to_string().contains("needs a priority"), "{e}");
        let e = err(r#"{"ticket":"T-1","kind":"paused","at":"2026-03-02T08:00:00Z"}"#);
        assert_eq!(e.field.as_deref(), Some("reason"));
        let e = err(r#"{"ticket":"T-1","kind":"reopend","at":"2026-03-02T08:00:00Z"}"#);
        assert_eq!(e.field.as_deref(), Some("kind"));
        assert!(
            e.to_string().contains("unknown event kind `reopend`"),
            "{e}"
        );
        let e = err(r#"{"ticket":"T-1","kind":"replied","at":"2026-03-02 08:00"}"#);
        assert_eq!(e.field.as_deref(), Some("at"));
        let e = err(r#"{"ticket":"T-1","kind":"replied","at":"2026-03-02T08:00:00"}"#);
        assert_eq!(e.field.as_deref(), Some("at"), "an instant needs an offset");
        let e = err(r#"{"kind":"replied","at":"2026-03-02T08:00:00Z"}"#);
        assert_eq!(e.field.as_deref(), Some("ticket"));
        let e = err(r#"{"ticket":7,"kind":"replied","at":"2026-03-02T08:00:00Z"}"#);
        assert_eq!(e.field.as_deref(), Some("ticket"));
        let e = err(
            r#"{"ticket":"T-1","kind":"replied","at":"2026-03-02T08:00:00Z","priority":"high"}"#,
        );
        assert_eq!(e.field.as_deref(), Some("priority"));
        assert!(
            e.to_string().contains("not allowed on a `replied` event"),
            "{e}"
        );
        assert!(err("[1, 2]").to_string().contains("not a JSON object"));
        let e = err(
            r#"{"ticket":"T-1","kind":"replied","at":"2026-03-02T08:00:00Z","at":"2026-03-03T08:00:00Z"}"#,
        );
        assert_eq!(e.field.as_deref(), Some("at"));
        assert!(e.to_string().contains("appears twice"), "{e}");
        let e = err(r#"{"ticket":" ","kind":"replied","at":"2026-03-02T08:00:00Z"}"#);
        assert_eq!(e.field.as_deref(), Some("ticket"));
    }

    #[test]
    fn json_lines_errors_name_the_line() {
        let text = "{\"ticket\":\"T-1\",\"kind\":\"replied\",\"at\":\"2026-03-02T08:00:00Z\"}\n\n{\"ticket\":\"T-1\"}\n";
        let e = TicketEvent::parse_json_lines(text).unwrap_err();
        assert_eq!(e.line, Some(3));
        assert!(e.to_string().starts_with("line 3: field `kind`"), "{e}");
    }

    #[test]
    fn csv_reads_quotes_commas_newlines_and_empty_cells() {
        let text = "ticket,kind,at,priority,reason,note,id,by\r\n\
                    T-1,opened,2026-03-02T08:00:00Z,high,,,e1,ana\r\n\
                    T-1,paused,2026-03-02T09:00:00Z,,approval,\"waiting on \"\"Bob\"\",\nsee mail\",e2,\r\n\
                    \"T-1\",resolved,2026-03-02T10:00:00Z,,,,,\r\n";
        let events = TicketEvent::parse_csv(text).unwrap();
        assert_eq!(events.len(), 3);
        assert_eq!(events[0].by.as_deref(), Some("ana"));
        assert_eq!(
            events[1].note.as_deref(),
            Some("waiting on \"Bob\",\nsee mail")
        );
        assert_eq!(events[1].by, None);
        assert_eq!(events[2].kind, EventKind::Resolved);
    }

    #[test]
    fn csv_errors_name_the_line() {
        let text = "ticket,kind,at,priority,reason,note,id,by\n\
                    T-1,opened,2026-03-02T08:00:00Z,high,,\"two\nlines\",,\n\
                    T-1,paused,2026-03-02T09:00:00Z,,,,,\n";
        let e = TicketEvent::parse_csv(text).unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (Some(4), Some("reason")));
        let e = TicketEvent::parse_csv("ticket,kind,at,colour\n").unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (Some(1), Some("colour")));
        let e = TicketEvent::parse_csv("ticket,kind\n").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("at"));
        let e = TicketEvent::parse_csv("ticket,kind,at\nT-1,replied\n").unwrap_err();
        assert_eq!(e.line, Some(2));
        let e = TicketEvent::parse_csv("ticket,kind,at\nT-1,replied,\"2026\n").unwrap_err();
        assert!(e.message.contains("never closed"), "{e}");
    }
}
