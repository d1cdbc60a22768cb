//! Field validation of ticket events (SPEC §10), shared by every format: the
//! raw fields, borrowed from the input where they can be, checked into a
//! [`TicketEvent`].
//!
//! Strict means: an unknown field, an unknown kind, a field that does not
//! belong to the kind (`priority` on a `replied`), a missing `priority` or
//! `reason`, a text field that is not a string, a `seq` that is not a
//! non-negative integer, and an instant that is not RFC 3339 with an offset
//! are all errors naming the field (the caller adds the line). `null` and, in
//! CSV, an empty cell mean "absent". Instants are kept to the whole second: a
//! fractional part is dropped, since all business-time arithmetic is to the
//! second (SPEC §3).

use std::borrow::Cow;

use jiff::Timestamp;
use serde_json::Value;

use super::{EventKind, KINDS, TicketEvent};
use crate::clock::error::EventError;

/// A JSON member's value as the event reader needs it: absent, a string
/// (borrowed from the line when it has no escapes), a non-negative integer,
/// or anything else (kept to name it in the error).
#[derive(Debug)]
pub(super) enum Member<'de> {
    Null,
    Str(Cow<'de, str>),
    UInt(u64),
    Other(Value),
}

fn not_a_seq(value: &Value) -> EventError {
    EventError::field(
        "seq",
        format!("must be a non-negative integer, not {value}"),
    )
}

/// The raw fields of an event before they are checked, shared by both
/// formats; borrowed from the input where it can be.
#[derive(Debug, Default)]
pub(super) struct Fields<'a> {
    ticket: Option<Cow<'a, str>>,
    kind: Option<Cow<'a, str>>,
    at: Option<Cow<'a, str>>,
    priority: Option<Cow<'a, str>>,
    reason: Option<Cow<'a, str>>,
    waiting_on: Option<Cow<'a, str>>,
    note: Option<Cow<'a, str>>,
    id: Option<Cow<'a, str>>,
    by: Option<Cow<'a, str>>,
    /// Not text: read by [`Fields::set_seq`] and [`Fields::set_seq_text`].
    seq: Option<u64>,
}

/// Every field of an event, in the order of [`Fields::slot_index`].
pub(super) const FIELD_NAMES: [&str; 10] = [
    "ticket",
    "kind",
    "at",
    "priority",
    "reason",
    "waiting_on",
    "note",
    "id",
    "by",
    "seq",
];

/// The index of `seq` in [`FIELD_NAMES`], the one field that is not text.
const SEQ: usize = 9;

impl<'a> Fields<'a> {
    /// The slot of a text field.
    pub(super) fn slot(&mut self, name: &str) -> Option<&mut Option<Cow<'a, str>>> {
        self.slot_index(name).map(|(_, slot)| slot)
    }

    /// A text field's slot and its index in [`FIELD_NAMES`].
    fn slot_index(&mut self, name: &str) -> Option<(usize, &mut Option<Cow<'a, str>>)> {
        Some(match name {
            "ticket" => (0, &mut self.ticket),
            "kind" => (1, &mut self.kind),
            "at" => (2, &mut self.at),
            "priority" => (3, &mut self.priority),
            "reason" => (4, &mut self.reason),
            "waiting_on" => (5, &mut self.waiting_on),
            "note" => (6, &mut self.note),
            "id" => (7, &mut self.id),
            "by" => (8, &mut self.by),
            _ => return None,
        })
    }

    /// `seq` from a JSON value: a non-negative integer or `null`.
    fn set_seq(&mut self, value: Member<'_>) -> Result<(), EventError> {
        self.seq = match value {
            Member::Null => None,
            Member::UInt(n) => Some(n),
            Member::Str(s) => return Err(not_a_seq(&Value::from(s.as_ref()))),
            Member::Other(other) => return Err(not_a_seq(&other)),
        };
        Ok(())
    }

    /// `seq` from a CSV cell: digits, or empty for absent.
    pub(super) fn set_seq_text(&mut self, cell: &str) -> Result<(), EventError> {
        let cell = cell.trim();
        self.seq = match cell {
            "" => None,
            digits if digits.bytes().all(|c| c.is_ascii_digit()) => {
                Some(digits.parse().map_err(|_| {
                    EventError::field(
                        "seq",
                        format!("`{cell}` is past the largest sequence number"),
                    )
                })?)
            }
            _ => {
                return Err(EventError::field(
                    "seq",
                    format!("`{cell}` is not a non-negative integer"),
                ));
            }
        };
        Ok(())
    }

    /// The fields of one JSON object, in order: each known and given once,
    /// text fields strings (or `null`), `seq` an integer.
    pub(super) fn from_members(
        members: impl Iterator<Item = (Cow<'a, str>, Member<'a>)>,
    ) -> Result<Self, EventError> {
        let mut fields = Fields::default();
        let mut seen = 0u16;
        for (name, value) in members {
            let index = match fields.slot_index(&name) {
                Some((index, _)) => index,
                None if name == FIELD_NAMES[SEQ] => SEQ,
                None => {
                    return Err(EventError::field(
                        &name,
                        format!("unknown field; allowed: {}", FIELD_NAMES.join(", ")),
                    ));
                }
            };
            if seen & (1 << index) != 0 {
                return Err(EventError::field(&name, "appears twice"));
            }
            seen |= 1 << index;
            let Some((_, slot)) = fields.slot_index(&name) else {
                fields.set_seq(value)?;
                continue;
            };
            *slot = match value {
                Member::Null => None,
                Member::Str(s) => Some(s),
                Member::UInt(n) => {
                    return Err(EventError::field(
                        &name,
                        format!("must be a string, not {n}"),
                    ));
                }
                Member::Other(other) => {
                    return Err(EventError::field(
                        &name,
                        format!("must be a string, not {other}"),
                    ));
                }
            };
        }
        Ok(fields)
    }

    /// The event these fields describe, checked (see the module docs).
    pub(super) fn into_event(self) -> Result<TicketEvent, EventError> {
        let ticket = required(self.ticket, "ticket")?;
        if ticket.trim().is_empty() {
            return Err(EventError::field("ticket", "must not be empty"));
        }
        let kind_name = required(self.kind, "kind")?;
        let at = parse_instant(&required(self.at, "at")?)?;
        let mut priority = self.priority;
        let mut reason = self.reason;
        let mut waiting_on = self.waiting_on;
        let kind = match &*kind_name {
            "opened" => EventKind::Opened {
                priority: required_for(priority.take(), "priority", "opened")?,
            },
            "priority_changed" => EventKind::PriorityChanged {
                priority: required_for(priority.take(), "priority", "priority_changed")?,
            },
            "paused" => EventKind::Paused {
                reason: required_for(reason.take(), "reason", "paused")?,
                waiting_on: waiting_on.take().map(Cow::into_owned),
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
            ticket: ticket.into_owned(),
            kind,
            at,
            id: self.id.map(Cow::into_owned),
            by: self.by.map(Cow::into_owned),
            note: self.note.map(Cow::into_owned),
            seq: self.seq,
        })
    }
}

fn required<'a>(value: Option<Cow<'a, str>>, field: &str) -> Result<Cow<'a, str>, EventError> {
    value.ok_or_else(|| EventError::field(field, "missing"))
}

pub(crate) fn required_for(
    value: Option<Cow<'_, str>>,
    field: &str,
    kind: &str,
) -> Result<String, EventError> {
    match value {
        Some(v) if !v.trim().is_empty() => Ok(v.into_owned()),
        _ => Err(EventError::field(
            field,
            format!("a `{kind}` event needs a {field}"),
        )),
    }
}

/// The common shape `YYYY-MM-DDTHH:MM:SSZ` read directly, as jiff would read
/// it; `None` for anything else (then jiff parses it, and names the error).
pub(super) fn parse_utc_seconds(text: &str) -> Option<Timestamp> {
    let b = text.as_bytes();
    if b.len() != 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || b[19] != b'Z'
    {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        b.get(range)?.iter().try_fold(0i64, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + i64::from(d - b'0'))
        })
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if year < 1 || day < 1 || day > days_in_month || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    // Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Timestamp::from_second(days * 86_400 + hour * 3_600 + minute * 60 + second).ok()
}

pub(crate) fn parse_instant(text: &str) -> Result<Timestamp, EventError> {
    if let Some(t) = parse_utc_seconds(text.trim()) {
        return Ok(t);
    }
    let t = crate::instant::parse(text.trim()).map_err(|e| {
        EventError::field(
            "at",
            format!("`{text}` is not an RFC 3339 instant with an offset, like 2026-03-02T08:00:00Z ({e})"),
        )
    })?;
    Timestamp::from_second(t.as_second())
        .map_err(|e| EventError::field("at", format!("`{text}` is out of range ({e})")))
}
