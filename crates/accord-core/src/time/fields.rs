//! Field checks of time entries (SPEC §10), shared by JSON Lines and CSV.
//!
//! Strict means: an unknown field, a field given twice, a missing `id`,
//! `person`, `start` or `activity`, both or neither of `end` and `minutes`,
//! an `end` before the `start`, `minutes` that is not a whole number, a
//! `rate` that is not a non-negative decimal string, an unknown `billable`
//! value, and an instant that is not RFC 3339 with an offset are all errors
//! naming the field (the reader adds the line). `null` and, in CSV, an empty
//! cell mean "absent". Instants are kept to the whole second.

use std::str::FromStr;

use jiff::Timestamp;
use rust_decimal::Decimal;

use super::{Billable, EntryError, TimeEntry};

/// Every field of an entry, in the order of [`Fields::slot`].
pub(super) const FIELD_NAMES: [&str; 11] = [
    "id",
    "person",
    "start",
    "end",
    "minutes",
    "activity",
    "ticket",
    "milestone",
    "billable",
    "rate",
    "note",
];

/// Most minutes one entry may last (about 69 days).
const MAX_MINUTES: i64 = 100_000;

/// The raw text of each field, before it is checked.
#[derive(Debug, Default)]
pub(super) struct Fields {
    slots: [Option<String>; 11],
    /// `minutes` given as a JSON number.
    minutes_number: Option<u64>,
}

impl Fields {
    /// The slot of field `name`, if it is one.
    pub(super) fn slot(&mut self, name: &str) -> Option<&mut Option<String>> {
        let i = FIELD_NAMES.iter().position(|f| *f == name)?;
        self.slots.get_mut(i)
    }

    /// Sets `minutes` from a JSON number.
    pub(super) fn set_minutes_number(&mut self, n: u64) {
        self.minutes_number = Some(n);
    }

    fn take(&mut self, name: &str) -> Option<String> {
        self.slot(name).and_then(Option::take)
    }

    /// The entry these fields describe, checked (see the module docs).
    pub(super) fn into_entry(mut self) -> Result<TimeEntry, EntryError> {
        let id = required(self.take("id"), "id")?;
        let person = required(self.take("person"), "person")?;
        let activity = required(self.take("activity"), "activity")?;
        let start = instant(&required(self.take("start"), "start")?, "start")?;
        let minutes = match (self.take("minutes"), self.minutes_number) {
            (Some(text), _) => Some(minutes_text(&text)?),
            (None, Some(n)) => Some(minutes_value(i64::try_from(n).unwrap_or(i64::MAX))?),
            (None, None) => None,
        };
        let end = match (self.take("end"), minutes) {
            (Some(_), Some(_)) => {
                return Err(EntryError::field(
                    "minutes",
                    "give either `end` or `minutes`, not both",
                ));
            }
            (None, None) => {
                return Err(EntryError::field(
                    "end",
                    "missing: give `end` (an instant) or `minutes`",
                ));
            }
            (Some(text), None) => {
                let end = instant(&text, "end")?;
                if end < start {
                    return Err(EntryError::field(
                        "end",
                        format!("`{}` is before the start", text.trim()),
                    ));
                }
                end
            }
            (None, Some(m)) => start
                .checked_add(jiff::SignedDuration::from_mins(m))
                .map_err(|e| EntryError::field("minutes", format!("out of range ({e})")))?,
        };
        let billable = match self.take("billable").as_deref().map(str::trim) {
            None | Some("billable") => Billable::Billable,
            Some("non_billable") => Billable::NonBillable,
            Some("no_charge") => Billable::NoCharge,
            Some(other) => {
                return Err(EntryError::field(
                    "billable",
                    format!("unknown value `{other}`; use billable, non_billable or no_charge"),
                ));
            }
        };
        let rate = self.take("rate").map(|t| rate(&t)).transpose()?;
        Ok(TimeEntry {
            id,
            person,
            start,
            end,
            activity,
            ticket: self.take("ticket"),
            milestone: self.take("milestone"),
            billable,
            rate,
            note: self.take("note"),
        })
    }
}

fn required(value: Option<String>, field: &str) -> Result<String, EntryError> {
    match value {
        Some(v) if !v.trim().is_empty() => Ok(v),
        Some(_) => Err(EntryError::field(field, "must not be empty")),
        None => Err(EntryError::field(field, "missing")),
    }
}

fn instant(text: &str, field: &str) -> Result<Timestamp, EntryError> {
    let t = crate::instant::parse(text.trim()).map_err(|e| {
        EntryError::field(
            field,
            format!(
                "`{text}` is not an RFC 3339 instant with an offset, like 2026-03-02T09:00:00+01:00 ({e})"
            ),
        )
    })?;
    Timestamp::from_second(t.as_second())
        .map_err(|e| EntryError::field(field, format!("`{text}` is out of range ({e})")))
}

fn minutes_text(text: &str) -> Result<i64, EntryError> {
    let t = text.trim();
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(EntryError::field(
            "minutes",
            format!("`{t}` is not a whole number of minutes"),
        ));
    }
    minutes_value(t.parse().unwrap_or(i64::MAX))
}

fn minutes_value(m: i64) -> Result<i64, EntryError> {
    if m > MAX_MINUTES {
        return Err(EntryError::field(
            "minutes",
            format!("{m} minutes is more than the {MAX_MINUTES} one entry may last"),
        ));
    }
    Ok(m)
}

/// A rate: a non-negative decimal written as a string, e.g. `"150.00"`.
fn rate(text: &str) -> Result<Decimal, EntryError> {
    let t = text.trim();
    let well_formed = !t.is_empty()
        && t.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && t.bytes().filter(|b| *b == b'.').count() <= 1
        && t.bytes().any(|b| b.is_ascii_digit());
    let bad = || {
        EntryError::field(
            "rate",
            format!("`{t}` is not an hourly rate; write a non-negative decimal like \"150.00\""),
        )
    };
    if !well_formed {
        return Err(bad());
    }
    Decimal::from_str(t).map_err(|_| bad())
}
