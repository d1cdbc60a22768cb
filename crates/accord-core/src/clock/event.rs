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

use std::borrow::Cow;
use std::fmt;

use jiff::Timestamp;
use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

#[cfg(doc)]
use super::csv::CsvRecordEnd;
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

/// The raw fields of an event before they are checked, shared by both
/// formats; borrowed from the input where it can be.
#[derive(Debug, Default)]
struct Fields<'a> {
    ticket: Option<Cow<'a, str>>,
    kind: Option<Cow<'a, str>>,
    at: Option<Cow<'a, str>>,
    priority: Option<Cow<'a, str>>,
    reason: Option<Cow<'a, str>>,
    waiting_on: Option<Cow<'a, str>>,
    note: Option<Cow<'a, str>>,
    id: Option<Cow<'a, str>>,
    by: Option<Cow<'a, str>>,
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

impl<'a> Fields<'a> {
    fn slot(&mut self, name: &str) -> Option<&mut Option<Cow<'a, str>>> {
        self.slot_index(name).map(|(_, slot)| slot)
    }

    /// The field's slot and its index in [`FIELD_NAMES`].
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
        })
    }
}

/// At most this many members are read by [`flat_members`]; a longer object
/// goes to serde_json (and is an error there, with nine field names).
const FLAT_MAX: usize = 16;

/// The members of a flat JSON object.
type FlatMembers<'a> = [(&'a str, Option<&'a str>); FLAT_MAX];

/// Bytes that end the fast reading of a JSON string: `"`, `\` and the
/// control characters a JSON string may not hold.
const STRING_STOP: [bool; 256] = {
    let mut table = [false; 256];
    let mut c = 0;
    while c < 0x20 {
        table[c] = true;
        c += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};

/// The position of the first `"`, `\` or control character in `b` from `i`.
///
/// Eight bytes at a time: in each word, a byte equal to `"` or `\`, or below
/// 0x20, sets its top bit in `stops`. The borrow of the subtraction can also
/// set bits in bytes *after* a real stop, never before one, so the lowest set
/// bit is always the first stop (the tail and `string_end_bytewise` agree,
/// see the tests).
fn string_end(b: &[u8], i: usize) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    let rest = b.get(i..)?;
    let mut chunks = rest.chunks_exact(8);
    let mut at = i;
    for chunk in &mut chunks {
        let x = u64::from_le_bytes([
            chunk[0], chunk[1], chunk[2], chunk[3], chunk[4], chunk[5], chunk[6], chunk[7],
        ]);
        let zero = |y: u64| y.wrapping_sub(ONES) & !y;
        let stops = (zero(x ^ (ONES * u64::from(b'"')))
            | zero(x ^ (ONES * u64::from(b'\\')))
            | (x.wrapping_sub(ONES * 0x20) & !x))
            & HIGH;
        if stops != 0 {
            return Some(at + (stops.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&c| STRING_STOP[usize::from(c)])
        .map(|n| at + n)
}

/// [`string_end`] one byte at a time, what it must agree with.
#[cfg(test)]
fn string_end_bytewise(b: &[u8], i: usize) -> Option<usize> {
    b.get(i..)?
        .iter()
        .position(|&c| STRING_STOP[usize::from(c)])
        .map(|n| i + n)
}

/// The members of a flat JSON object whose values are all strings without
/// escapes or `null`, read directly from the line; `None` for anything else
/// (then serde_json reads it, and names any error). Exactly the JSON grammar
/// for such objects: whitespace is space, tab, CR, LF; a string holds no
/// control character. Returns the number of members.
fn flat_members<'a>(line: &'a str, members: &mut FlatMembers<'a>) -> Option<usize> {
    let b = line.as_bytes();
    let ws = |i: &mut usize| {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = b.get(*i) {
            *i += 1;
        }
    };
    // The end of a string whose opening quote is at `i - 1`.
    let string = |i: usize| -> Option<usize> {
        let end = string_end(b, i)?;
        (b[end] == b'"').then_some(end)
    };
    let mut n = 0;
    let mut i = 0;
    ws(&mut i);
    if b.get(i) != Some(&b'{') {
        return None;
    }
    i += 1;
    ws(&mut i);
    if b.get(i) == Some(&b'}') {
        i += 1;
        ws(&mut i);
        return (i == b.len()).then_some(0);
    }
    loop {
        if b.get(i) != Some(&b'"') {
            return None;
        }
        let end = string(i + 1)?;
        let key = line.get(i + 1..end)?;
        i = end + 1;
        ws(&mut i);
        if b.get(i) != Some(&b':') {
            return None;
        }
        i += 1;
        ws(&mut i);
        let value = match b.get(i)? {
            b'"' => {
                let end = string(i + 1)?;
                let value = line.get(i + 1..end)?;
                i = end + 1;
                Some(value)
            }
            b'n' if b.get(i..i + 4) == Some(b"null") => {
                i += 4;
                None
            }
            _ => return None,
        };
        *members.get_mut(n)? = (key, value);
        n += 1;
        ws(&mut i);
        match b.get(i)? {
            b',' => {
                i += 1;
                ws(&mut i);
            }
            b'}' => {
                i += 1;
                ws(&mut i);
                return (i == b.len()).then_some(n);
            }
            _ => return None,
        }
    }
}

/// A JSON member's value as the event reader needs it: absent, a string
/// (borrowed from the line when it has no escapes), or anything else (kept to
/// name it in the error).
enum Member<'de> {
    Null,
    Str(Cow<'de, str>),
    Other(Value),
}

impl<'de> Deserialize<'de> for Member<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MemberVisitor;
        impl<'de> Visitor<'de> for MemberVisitor {
            type Value = Member<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Member<'de>, E> {
                Ok(Member::Str(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Member<'de>, E> {
                Ok(Member::Str(Cow::Owned(v.to_string())))
            }
            fn visit_string<E>(self, v: String) -> Result<Member<'de>, E> {
                Ok(Member::Str(Cow::Owned(v)))
            }
            fn visit_unit<E>(self) -> Result<Member<'de>, E> {
                Ok(Member::Null)
            }
            fn visit_none<E>(self) -> Result<Member<'de>, E> {
                Ok(Member::Null)
            }
            fn visit_bool<E>(self, v: bool) -> Result<Member<'de>, E> {
                Ok(Member::Other(Value::Bool(v)))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Member<'de>, E> {
                Ok(Member::Other(Value::from(v)))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Member<'de>, E> {
                Ok(Member::Other(Value::from(v)))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Member<'de>, E> {
                Ok(Member::Other(Value::from(v)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Member<'de>, A::Error> {
                Value::deserialize(SeqAccessDeserializer::new(seq)).map(Member::Other)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Member<'de>, A::Error> {
                Value::deserialize(MapAccessDeserializer::new(map)).map(Member::Other)
            }
        }
        deserializer.deserialize_any(MemberVisitor)
    }
}

/// A JSON object's members in order, duplicates kept, so that a repeated
/// field is an error rather than silently won by its last value. Keys and
/// values borrow from the line where they can.
struct Members<'de>(Vec<(Cow<'de, str>, Member<'de>)>);

/// A key, borrowed from the line when it has no escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_string())))
            }
            fn visit_string<E>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

impl<'de> Deserialize<'de> for Members<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MembersVisitor;
        impl<'de> Visitor<'de> for MembersVisitor {
            type Value = Members<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members<'de>, A::Error> {
                let mut members = Vec::with_capacity(map.size_hint().unwrap_or(8));
                while let Some(key) = map.next_key::<Key<'de>>()? {
                    members.push((key.0, map.next_value::<Member<'de>>()?));
                }
                Ok(Members(members))
            }
        }
        deserializer.deserialize_map(MembersVisitor)
    }
}

fn required<'a>(value: Option<Cow<'a, str>>, field: &str) -> Result<Cow<'a, str>, EventError> {
    value.ok_or_else(|| EventError::field(field, "missing"))
}

fn required_for(
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
fn parse_utc_seconds(text: &str) -> Option<Timestamp> {
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

fn parse_instant(text: &str) -> Result<Timestamp, EventError> {
    if let Some(t) = parse_utc_seconds(text.trim()) {
        return Ok(t);
    }
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
        let mut flat = [("", None); FLAT_MAX];
        if let Some(n) = flat_members(line, &mut flat) {
            return Self::from_members(flat[..n].iter().map(|&(k, v)| {
                (
                    Cow::Borrowed(k),
                    v.map_or(Member::Null, |v| Member::Str(Cow::Borrowed(v))),
                )
            }));
        }
        let Members(members) = serde_json::from_str(line).map_err(|e| EventError {
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
        let mut flat = [("", None); FLAT_MAX];
        if let Some(n) = flat_members(line, &mut flat) {
            let mut tickets = flat[..n].iter().filter(|(k, _)| *k == "ticket");
            if let (Some((_, Some(ticket))), None) = (tickets.next(), tickets.next()) {
                return Some(Cow::Borrowed(ticket));
            }
        }
        Self::from_json_line(line)
            .ok()
            .map(|e| Cow::Owned(e.ticket))
    }

    fn from_members<'a>(
        members: impl Iterator<Item = (Cow<'a, str>, Member<'a>)>,
    ) -> Result<TicketEvent, EventError> {
        let mut fields = Fields::default();
        let mut seen = 0u16;
        for (name, value) in members {
            let Some((index, slot)) = fields.slot_index(&name) else {
                return Err(EventError::field(
                    &name,
                    format!("unknown field; allowed: {}", FIELD_NAMES.join(", ")),
                ));
            };
            if seen & (1 << index) != 0 {
                return Err(EventError::field(&name, "appears twice"));
            }
            seen |= 1 << index;
            *slot = match value {
                Member::Null => None,
                Member::Str(s) => Some(s),
                Member::Other(other) => {
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

/// The columns of a CSV events file, from its header row (line 1), for
/// reading it record by record (see [`CsvRecordEnd`], [`csv_records`]).
///
/// ```
/// use accord_core::clock::{csv_records, CsvColumns};
/// let records = csv_records("kind,at,ticket\nopened,2026-03-02T08:00:00Z,T-1\n")?;
/// let columns = CsvColumns::from_header(&records[0].1)?;
/// assert_eq!(columns.ticket_column(), 2);
/// let (line, record) = records[1].clone();
/// assert!(columns.event(line, record).is_err(), "an opened event needs a priority");
/// # Ok::<(), accord_core::clock::EventError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvColumns {
    columns: Vec<&'static str>,
    ticket: usize,
}

impl CsvColumns {
    /// Checks the header row: known, distinct column names, with `ticket`,
    /// `kind` and `at` among them. Errors name line 1.
    pub fn from_header(header: &[String]) -> Result<CsvColumns, EventError> {
        let mut columns = Vec::with_capacity(header.len());
        for name in header {
            let name = name.trim();
            let Some(&known) = FIELD_NAMES.iter().find(|f| **f == name) else {
                return Err(EventError::field(
                    name,
                    format!("unknown column; allowed: {}", FIELD_NAMES.join(", ")),
                )
                .at_line(1));
            };
            if columns.contains(&known) {
                return Err(EventError::field(name, "column appears twice").at_line(1));
            }
            columns.push(known);
        }
        for needed in ["ticket", "kind", "at"] {
            if !columns.contains(&needed) {
                return Err(EventError::field(needed, "the header has no such column").at_line(1));
            }
        }
        let ticket = columns.iter().position(|c| *c == "ticket").unwrap_or(0);
        Ok(CsvColumns { columns, ticket })
    }

    /// The index of the `ticket` column.
    pub fn ticket_column(&self) -> usize {
        self.ticket
    }

    /// The event of one record starting on `line`; `None` for a blank line.
    pub fn event(
        &self,
        line: usize,
        record: Vec<String>,
    ) -> Result<Option<TicketEvent>, EventError> {
        if record.len() == 1 && record[0].trim().is_empty() {
            return Ok(None);
        }
        if record.len() != self.columns.len() {
            return Err(EventError {
                line: Some(line),
                field: None,
                message: format!(
                    "{} fields, but the header has {} columns",
                    record.len(),
                    self.columns.len()
                ),
            });
        }
        let mut fields = Fields::default();
        for (name, cell) in self.columns.iter().zip(record) {
            if let Some(slot) = fields.slot(name) {
                *slot = (!cell.is_empty()).then_some(Cow::Owned(cell));
            }
        }
        fields.into_event().map(Some).map_err(|e| e.at_line(line))
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

    /// The event as serde_json alone reads it, without the flat fast path.
    fn serde_only(line: &str) -> Result<TicketEvent, EventError> {
        let Members(members) = serde_json::from_str(line).map_err(|e| EventError {
            line: None,
            field: None,
            message: format!("not a JSON object: {e}"),
        })?;
        TicketEvent::from_members(members.into_iter())
    }

    #[test]
    fn the_flat_fast_path_agrees_with_serde_json() {
        for line in [
            r#"{"ticket":"T-1","kind":"opened","at":"2026-03-02T08:00:00Z","priority":"high","id":"e1","by":"ana"}"#,
            r#" { "ticket" : "T-1" ,	"kind":"paused", "at":"2026-03-02T09:00:00+01:00","reason":"approval","note":null }  "#,
            r#"{"note":"\"ticket\":\"X\"","ticket":"T-2","kind":"replied","at":"2026-03-02T08:00:00Z"}"#,
            r#"{"ticket":"T\u002d1","kind":"replied","at":"2026-03-02T08:00:00Z"}"#,
            r#"{"ticke\u0074":"T-1","kind":"replied","at":"2026-03-02T08:00:00Z"}"#,
            r#"{"ticket":"T-1","ticket":"T-2","kind":"replied","at":"2026-03-02T08:00:00Z"}"#,
            r#"{"ticket":"T-1","kind":"replied","at":"2026-03-02T08:00:00Z","n":7}"#,
            r#"{"ticket":"T-1","kind":"replied","at":"2026-03-02T08:00:00Z"} x"#,
            r#"{"ticket":"T-1","kind":"replied","at":"2026-03-02T08:00:00Z""#,
            r#"{"ticket":"T-1","kind":"replied","at":"2026-03-02T08:00:00Z",}"#,
            "{\"ticket\":\"T-1\u{1}\",\"kind\":\"replied\",\"at\":\"2026-03-02T08:00:00Z\"}",
            r#"{"ticket":"T-1","kind":"replied","at":"2026-03-02T08:00:00Z","note":nul}"#,
            r#"{"ticket":"T-1","kind":"replied","at":"2026-02-30T08:00:00Z"}"#,
            r#"{}"#,
            r#"{"ticket":"T-1","kind":"replied","at":"2026-03-02T08:00:00Z","a":"1","b":"2","c":"3","d":"4","e":"5","f":"6","g":"7","h":"8","i":"9","j":"10","k":"11","l":"12","m":"13","n":"14"}"#,
            "{\"ticket\":\"T-1\",\"kind\":\"replied\",\"at\":\"2026-03-02T08:00:00Z\",\"note\":\"tab\there and é, long enough for words\"}",
            "{\"ticket\":\"T-1\",\"kind\":\"replied\",\"at\":\"2026-03-02T08:00:00Z\",\"note\":\"del \u{7f} and a very long note, ✓\"}",
            r#"["ticket","T-1"]"#,
            "",
        ] {
            assert_eq!(
                TicketEvent::from_json_line(line),
                serde_only(line),
                "{line}"
            );
            if let Ok(event) = serde_only(line) {
                let ticket = TicketEvent::json_line_ticket(line).map(|t| t.into_owned());
                assert_eq!(ticket, Some(event.ticket), "{line}");
            }
        }
    }

    #[test]
    fn string_end_finds_the_first_stop_as_a_byte_scan_does() {
        // Every byte value at every position of a 19-byte buffer, after a
        // prefix that may itself hold a stop, from every start.
        let fillers: [&[u8]; 4] = [
            b"abcdefghijklmnopqrs",
            "é€ ✓ x~\x7f".as_bytes(),
            b"\xff\xfe\x80\x81\x21\x23\x5b\x5d\x1f\x20aaaaaaaaa",
            b"\"\\\"\\\x00\x1f aaaaaaaaaaaaa",
        ];
        for filler in fillers {
            for pos in 0..filler.len() {
                for c in 0..=255u8 {
                    let mut b = filler.to_vec();
                    b[pos] = c;
                    for i in 0..=b.len() + 1 {
                        assert_eq!(
                            string_end(&b, i),
                            string_end_bytewise(&b, i),
                            "{b:?} from {i}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn the_utc_fast_path_reads_instants_as_jiff_does() {
        for text in [
            "2026-03-02T08:00:00Z",
            "1970-01-01T00:00:00Z",
            "0001-01-01T00:00:00Z",
            "2024-02-29T23:59:59Z",
            "2000-12-31T12:34:56Z",
            "9999-12-30T22:00:00Z",
            "1969-07-20T20:17:40Z",
        ] {
            let jiff: Timestamp = text.parse().unwrap();
            assert_eq!(parse_utc_seconds(text), Some(jiff), "{text}");
        }
        for text in [
            "2026-02-29T08:00:00Z",
            "2026-13-01T08:00:00Z",
            "2026-04-31T08:00:00Z",
            "2026-03-02T24:00:00Z",
            "2026-03-02T08:60:00Z",
            "2026-03-02T08:00:60Z",
            "2026-03-02t08:00:00Z",
            "2026-03-02T08:00:00+00:00",
            "2026-03-02T08:0a:00Z",
        ] {
            assert_eq!(parse_utc_seconds(text), None, "{text}");
        }
        assert!(parse_instant("2026-02-29T08:00:00Z").is_err());
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
