//! The clocks' errors: why an event could not be read ([`EventError`], SPEC
//! §10) and why a ticket's clocks cannot be computed ([`ClockError`], SPEC §4,
//! §5), each naming the line and field, or the event at fault by its id (its
//! position when it has none).

use std::fmt;

use jiff::Timestamp;

use crate::calendar::CalendarError;
use crate::csv::CsvError;

/// Why an event could not be read (also why a time entry could not be,
/// as [`crate::time::EntryError`]: the same line and field).
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
    /// An error about one field, line not yet known.
    pub(crate) fn field(field: &str, message: impl Into<String>) -> Self {
        EventError {
            line: None,
            field: Some(field.to_string()),
            message: message.into(),
        }
    }

    /// The same error, on `line`.
    pub(crate) fn at_line(mut self, line: usize) -> Self {
        self.line = Some(line);
        self
    }
}

/// A CSV error is an event error on the same line, its column the field.
impl From<CsvError> for EventError {
    fn from(e: CsvError) -> Self {
        EventError {
            line: Some(e.line),
            field: e.column,
            message: e.message,
        }
    }
}

/// Which event an error is about: its `id` when it has one, else its 1-based
/// position in the input, with its kind and instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRef {
    /// The event's idempotency key.
    pub id: Option<String>,
    /// 1-based position in the slice given to [`evaluate`].
    pub position: usize,
    /// The event's kind, as written in the interchange formats.
    pub kind: &'static str,
    /// When it happened.
    pub at: Timestamp,
}

impl fmt::Display for EventRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.id {
            Some(id) => write!(f, "event `{id}` ({} at {})", self.kind, self.at),
            None => write!(f, "event #{} ({} at {})", self.position, self.kind, self.at),
        }
    }
}

/// Why a ticket's clocks cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    /// No event opens the ticket.
    #[error("ticket `{ticket}` has no `opened` event")]
    NoOpened {
        /// The ticket.
        ticket: String,
    },
    /// The ticket is opened after the evaluation instant.
    #[error("ticket `{ticket}` is not open yet at {at} (opened at {opened_at})")]
    NotYetOpened {
        /// The ticket.
        ticket: String,
        /// When it opens.
        opened_at: Timestamp,
        /// The evaluation instant.
        at: Timestamp,
    },
    /// A second `opened`.
    #[error("{event}: the ticket is already open; a ticket is opened once")]
    TwoOpened {
        /// The offending event.
        event: EventRef,
    },
    /// An event before the ticket was opened.
    #[error("{event} comes before the ticket was opened")]
    BeforeOpened {
        /// The offending event.
        event: EventRef,
    },
    /// An event after the ticket was closed.
    #[error("{event} comes after the ticket was closed; a closed ticket takes no more events")]
    AfterClosed {
        /// The offending event.
        event: EventRef,
    },
    /// A pause with a reason the contract does not allow (SPEC §5).
    #[error("{event}: pause reason `{reason}` is not allowed by the contract; allowed: {allowed}")]
    PauseReasonNotAllowed {
        /// The offending event.
        event: EventRef,
        /// The reason given.
        reason: String,
        /// The allowed reasons, comma-separated.
        allowed: String,
    },
    /// A priority the contract does not define.
    #[error("{event}: unknown priority `{priority}`; the contract defines: {known}")]
    UnknownPriority {
        /// The offending event.
        event: EventRef,
        /// The priority given.
        priority: String,
        /// The defined priorities, comma-separated.
        known: String,
    },
    /// An event of another ticket among this ticket's events.
    #[error("{event} belongs to ticket `{found}`, not `{ticket}`")]
    OtherTicket {
        /// The offending event.
        event: EventRef,
        /// The ticket being evaluated (that of the first event).
        ticket: String,
        /// The ticket the event names.
        found: String,
    },
    /// Two different events share an idempotency key.
    #[error("two different events share the id `{id}`: {first} and {second}")]
    ConflictingId {
        /// The shared id.
        id: String,
        /// One of them.
        first: Box<EventRef>,
        /// The other.
        second: Box<EventRef>,
    },
    /// Business time could not be computed (an instant out of range).
    #[error("ticket `{ticket}`: {source}")]
    Calendar {
        /// The ticket.
        ticket: String,
        /// The calendar's complaint.
        source: CalendarError,
    },
}

impl ClockError {
    /// The event the error is about, if it is about one (for the first of
    /// two events sharing an id, the first).
    pub fn event(&self) -> Option<&EventRef> {
        match self {
            ClockError::TwoOpened { event }
            | ClockError::BeforeOpened { event }
            | ClockError::AfterClosed { event }
            | ClockError::PauseReasonNotAllowed { event, .. }
            | ClockError::UnknownPriority { event, .. }
            | ClockError::OtherTicket { event, .. } => Some(event),
            ClockError::ConflictingId { first, .. } => Some(first),
            ClockError::NoOpened { .. }
            | ClockError::NotYetOpened { .. }
            | ClockError::Calendar { .. } => None,
        }
    }
}
