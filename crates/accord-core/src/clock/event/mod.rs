//! Ticket events, the input of the clocks (SPEC §4, §10): one JSON object per
//! line (JSON Lines) or one CSV row each, parsed strictly.
//!
//! - this module: the event and its kinds, and the readers' entry points;
//! - `fields`: the checks every format shares (what "strictly" means);
//! - `scan`: the fast path for the common JSON line;
//! - `members`: the serde_json path for every other line;
//! - `columns`: the CSV columns, over the crate's CSV reader.

use std::borrow::Cow;
use std::fmt;

use jiff::Timestamp;

use super::error::EventError;
use crate::csv::records;
use fields::{Fields, Member};
use scan::{FLAT_MAX, Flat, flat_members};

mod columns;
mod fields;
mod members;
mod scan;
#[cfg(test)]
mod tests;

pub use columns::CsvColumns;
pub(crate) use fields::{parse_instant, required_for};

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
    /// The order in which the service recorded it (SPEC §10): among events of
    /// the same second, those with a `seq` are applied in `seq` order. Not
    /// part of what the event *is*: copies that differ only in `seq` are the
    /// same event (see [`TicketEvent::same_event`]).
    pub seq: Option<u64>,
}

impl TicketEvent {
    /// Whether `other` is the same event, whatever `seq` each copy was
    /// recorded with: a re-sent event is applied once, and an `id` may be
    /// reused only for the same event.
    ///
    /// ```
    /// use accord_core::clock::TicketEvent;
    /// let a = TicketEvent::from_json_line(r#"{"ticket":"T-1","kind":"replied","at":"2026-03-02T08:00:00Z","seq":4}"#)?;
    /// let b = TicketEvent { seq: Some(9), ..a.clone() };
    /// assert!(a.same_event(&b) && a != b);
    /// # Ok::<(), accord_core::clock::EventError>(())
    /// ```
    pub fn same_event(&self, other: &TicketEvent) -> bool {
        self.content() == other.content()
    }

    /// Everything but `seq`, in field order: what the event is.
    #[allow(clippy::type_complexity)]
    pub(crate) fn content(
        &self,
    ) -> (
        &str,
        &EventKind,
        Timestamp,
        Option<&str>,
        Option<&str>,
        Option<&str>,
    ) {
        (
            &self.ticket,
            &self.kind,
            self.at,
            self.id.as_deref(),
            self.by.as_deref(),
            self.note.as_deref(),
        )
    }
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

impl TicketEvent {
    /// Parses one JSON Lines line: a JSON object with the fields of SPEC §10.
    pub fn from_json_line(line: &str) -> Result<TicketEvent, EventError> {
        let mut flat = [("", Flat::Null); FLAT_MAX];
        if let Some(n) = flat_members(line, &mut flat) {
            return Self::from_members(flat[..n].iter().map(|&(k, v)| {
                let value = match v {
                    Flat::Null => Member::Null,
                    Flat::Str(s) => Member::Str(Cow::Borrowed(s)),
                    Flat::UInt(n) => Member::UInt(n),
                };
                (Cow::Borrowed(k), value)
            }));
        }
        let members::Members(members) = serde_json::from_str(line).map_err(|e| EventError {
            line: None,
            field: None,
            message: format!("not a JSON object: {e}"),
        })?;
        Self::from_members(members.into_iter())
    }

    /// The `ticket` of a JSON Lines event: for a line that is a valid event,
    /// its ticket, read without building the event when the line is a flat
    /// object, else from the whole event; for an invalid line, `None` or the
    /// ticket it names (reading the line in full reports the error).
    ///
    /// ```
    /// use accord_core::clock::TicketEvent;
    /// let line = r#"{"note":"\"ticket\":\"X\"","ticket":"T-1","kind":"replied","at":"2026-03-02T08:00:00Z"}"#;
    /// assert_eq!(TicketEvent::json_line_ticket(line).as_deref(), Some("T-1"));
    /// ```
    pub fn json_line_ticket(line: &str) -> Option<Cow<'_, str>> {
        let mut flat = [("", Flat::Null); FLAT_MAX];
        if let Some(n) = flat_members(line, &mut flat) {
            let mut tickets = flat[..n].iter().filter(|(k, _)| *k == "ticket");
            if let (Some((_, Flat::Str(ticket))), None) = (tickets.next(), tickets.next()) {
                return Some(Cow::Borrowed(ticket));
            }
        }
        Self::from_json_line(line)
            .ok()
            .map(|e| Cow::Owned(e.ticket))
    }

    /// The `at` of a JSON Lines event, read like [`Self::json_line_ticket`]
    /// reads its ticket; `None` when the line is not a valid event.
    ///
    /// ```
    /// use accord_core::clock::TicketEvent;
    /// let line = r#"{"ticket":"T-1","kind":"replied","at":"2026-03-02T09:00:00+01:00"}"#;
    /// assert_eq!(TicketEvent::json_line_at(line).map(|t| t.to_string()).as_deref(), Some("2026-03-02T08:00:00Z"));
    /// ```
    pub fn json_line_at(line: &str) -> Option<Timestamp> {
        let mut flat = [("", Flat::Null); FLAT_MAX];
        if let Some(n) = flat_members(line, &mut flat) {
            let mut ats = flat[..n].iter().filter(|(k, _)| *k == "at");
            if let (Some((_, Flat::Str(at))), None) = (ats.next(), ats.next()) {
                return fields::parse_instant(at).ok();
            }
        }
        Self::from_json_line(line).ok().map(|e| e.at)
    }

    fn from_members<'a>(
        members: impl Iterator<Item = (Cow<'a, str>, Member<'a>)>,
    ) -> Result<TicketEvent, EventError> {
        Fields::from_members(members)?.into_event()
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
    /// `kind` and `at` required; `waiting_on` and `seq` also accepted). Fields may be
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
        let mut records = records(text)?.into_iter();
        let Some((_, header)) = records.next() else {
            return Ok(Vec::new());
        };
        let columns = CsvColumns::from_header(&header)?;
        let mut events = Vec::new();
        for (line, record) in records {
            if let Some(event) = columns.event(line, record)? {
                events.push((line, event));
            }
        }
        Ok(events)
    }
}
