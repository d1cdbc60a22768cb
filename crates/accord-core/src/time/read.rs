//! The readers of time entries (SPEC §10): JSON Lines (one object a line)
//! and CSV (a header row of the same names, read with [`crate::csv`]). Both
//! reject two entries with the same `id`, naming the line of each.

use std::collections::HashMap;

use serde_json::Value;

use super::fields::{FIELD_NAMES, Fields};
use super::{EntryError, TimeEntry};
use crate::csv::{Header, records};
use crate::json_members::Members;

impl TimeEntry {
    /// Parses one JSON Lines line: an object with the fields of SPEC §10.
    /// Text fields are strings, `minutes` a whole number, `rate` a decimal
    /// string; `null` is absent.
    ///
    /// ```
    /// use accord_core::time::TimeEntry;
    /// let err = TimeEntry::from_json_line(
    ///     r#"{"id":"E-1","person":"a@b.example","start":"2026-03-02T09:00:00Z","minutes":30,"activity":"dev","rate":150}"#,
    /// ).unwrap_err();
    /// assert_eq!(err.field.as_deref(), Some("rate"));
    /// ```
    pub fn from_json_line(line: &str) -> Result<TimeEntry, EntryError> {
        let Members(members) = serde_json::from_str(line).map_err(|e| EntryError {
            line: None,
            field: None,
            message: format!("not a JSON object: {e}"),
        })?;
        let mut fields = Fields::default();
        let mut seen = [false; FIELD_NAMES.len()];
        for (name, value) in members {
            let Some(index) = FIELD_NAMES.iter().position(|f| *f == name) else {
                return Err(EntryError::field(
                    &name,
                    format!("unknown field; allowed: {}", FIELD_NAMES.join(", ")),
                ));
            };
            if std::mem::replace(&mut seen[index], true) {
                return Err(EntryError::field(&name, "appears twice"));
            }
            match value {
                Value::Null => {}
                Value::Number(n) if name == "minutes" => match n.as_u64() {
                    Some(n) => fields.set_minutes_number(n),
                    None => {
                        return Err(EntryError::field(
                            "minutes",
                            format!("`{n}` is not a whole number of minutes"),
                        ));
                    }
                },
                Value::String(s) if name != "minutes" => {
                    if let Some(slot) = fields.slot(&name) {
                        *slot = Some(s);
                    }
                }
                other => {
                    let want = match name.as_str() {
                        "minutes" => "a whole number",
                        "rate" => "a decimal string like \"150.00\"",
                        _ => "a string",
                    };
                    return Err(EntryError::field(
                        &name,
                        format!("must be {want}, not {other}"),
                    ));
                }
            }
        }
        fields.into_entry()
    }
}

/// Parses JSON Lines text: one entry per non-blank line. Errors name the
/// line and the field.
///
/// ```
/// use accord_core::time::parse_json_lines;
/// let text = r#"{"id":"E-1","person":"a@b.example","start":"2026-03-02T09:00:00Z","end":"2026-03-02T08:00:00Z","activity":"dev"}"#;
/// let err = parse_json_lines(text).unwrap_err();
/// assert_eq!(err.to_string(), "line 1: field `end`: `2026-03-02T08:00:00Z` is before the start");
/// ```
pub fn parse_json_lines(text: &str) -> Result<Vec<TimeEntry>, EntryError> {
    let mut reader = JsonLines::default();
    let mut entries = Vec::new();
    for (i, line) in text.lines().enumerate() {
        entries.extend(reader.line(i + 1, line)?);
    }
    Ok(entries)
}

/// Reads JSON Lines one line at a time, so that a caller holding a file
/// need not hold its whole text: the same checks as [`parse_json_lines`],
/// which remembers every id seen to refuse a second entry with one.
///
/// ```
/// use accord_core::time::JsonLines;
/// let mut reader = JsonLines::default();
/// let line = r#"{"id":"E-1","person":"a@b.example","start":"2026-03-02T09:00:00Z","minutes":5,"activity":"dev"}"#;
/// assert!(reader.line(1, line)?.is_some());
/// assert!(reader.line(2, "  ")?.is_none());
/// assert_eq!(reader.line(3, line).unwrap_err().to_string(), "line 3: field `id`: duplicate id `E-1` (first on line 1); give each entry its own id");
/// # Ok::<(), accord_core::time::EntryError>(())
/// ```
#[derive(Debug, Default)]
pub struct JsonLines {
    ids: Ids,
}

impl JsonLines {
    /// The entry on 1-based line `line` (`None` when it is blank); errors
    /// name the line.
    pub fn line(&mut self, line: usize, text: &str) -> Result<Option<TimeEntry>, EntryError> {
        if text.trim().is_empty() {
            return Ok(None);
        }
        let entry = TimeEntry::from_json_line(text).map_err(|e| e.at_line(line))?;
        self.ids.check(&entry.id, line)?;
        Ok(Some(entry))
    }
}

/// Parses CSV text whose header row names the columns (any order, the same
/// names as JSON Lines; `id`, `person`, `start` and `activity` required). An
/// empty cell is an absent field.
///
/// ```
/// use accord_core::time::parse_csv;
/// let csv = "id,person,start,minutes,activity,note\n\
///            E-1,sam@provider.example,2026-03-02T09:00:00+01:00,45,meeting,\"Kick-off, with Acme\"\n";
/// let entries = parse_csv(csv)?;
/// assert_eq!(entries[0].raw_s(), 2700);
/// let err = parse_csv("id,person,start,activity\nE-1,sam,2026-03-02T09:00:00Z,dev\n").unwrap_err();
/// assert_eq!((err.line, err.field.as_deref()), (Some(2), Some("end")));
/// # Ok::<(), accord_core::time::EntryError>(())
/// ```
pub fn parse_csv(text: &str) -> Result<Vec<TimeEntry>, EntryError> {
    parse_csv_all(text).map_err(|mut errors| errors.swap_remove(0))
}

/// Like [`parse_csv`], but goes on past a bad record and answers every
/// error, in line order (for an import that names each bad line at once).
/// A text that cannot be split into records, or a bad header, is one error.
///
/// ```
/// use accord_core::time::parse_csv_all;
/// let csv = "id,person,start,minutes,activity\n\
///            E-1,sam,2026-03-02T09:00:00Z,lots,dev\n\
///            E-2,sam,2026-03-02T09:00:00Z,5,dev\n\
///            E-2,sam,2026-03-02T10:00:00Z,5,\n";
/// let errors = parse_csv_all(csv).unwrap_err();
/// let at: Vec<_> = errors.iter().map(|e| (e.line, e.field.as_deref())).collect();
/// assert_eq!(at, [(Some(2), Some("minutes")), (Some(4), Some("activity"))]);
/// ```
pub fn parse_csv_all(text: &str) -> Result<Vec<TimeEntry>, Vec<EntryError>> {
    let mut rows = records(text).map_err(|e| vec![e.into()])?.into_iter();
    let Some((_, header)) = rows.next() else {
        return Ok(Vec::new());
    };
    let header = Header::parse(
        &header,
        &FIELD_NAMES,
        &["id", "person", "start", "activity"],
    )
    .map_err(|e| vec![e.into()])?;
    let mut ids = Ids::default();
    let mut entries = Vec::new();
    let mut errors = Vec::new();
    for (line, record) in rows {
        let cells = match header.cells(line, record) {
            Ok(Some(cells)) => cells,
            Ok(None) => continue,
            Err(e) => {
                errors.push(e.into());
                continue;
            }
        };
        let mut fields = Fields::default();
        for (name, cell) in cells {
            if let Some(slot) = fields.slot(name) {
                *slot = (!cell.is_empty()).then_some(cell);
            }
        }
        match fields.into_entry().map_err(|e| e.at_line(line)) {
            Ok(entry) => match ids.check(&entry.id, line) {
                Ok(()) => entries.push(entry),
                Err(e) => errors.push(e),
            },
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(entries)
    } else {
        Err(errors)
    }
}

/// Like [`parse_json_lines`], but goes on past a bad line and answers every
/// error, in line order.
///
/// ```
/// use accord_core::time::parse_json_lines_all;
/// let ok = r#"{"id":"E-1","person":"a@b.example","start":"2026-03-02T09:00:00Z","minutes":5,"activity":"dev"}"#;
/// let errors = parse_json_lines_all(&format!("{ok}\nnot json\n{ok}\n")).unwrap_err();
/// let at: Vec<_> = errors.iter().map(|e| (e.line, e.field.as_deref())).collect();
/// assert_eq!(at, [(Some(2), None), (Some(3), Some("id"))]);
/// ```
pub fn parse_json_lines_all(text: &str) -> Result<Vec<TimeEntry>, Vec<EntryError>> {
    let mut reader = JsonLines::default();
    let mut entries = Vec::new();
    let mut errors = Vec::new();
    for (i, line) in text.lines().enumerate() {
        match reader.line(i + 1, line) {
            Ok(e) => entries.extend(e),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(entries)
    } else {
        Err(errors)
    }
}

/// The ids seen so far, with the line of each.
#[derive(Debug, Default)]
struct Ids(HashMap<Box<str>, usize>);

impl Ids {
    fn check(&mut self, id: &str, line: usize) -> Result<(), EntryError> {
        if let Some(first) = self.0.get(id) {
            return Err(EntryError::field(
                "id",
                format!("duplicate id `{id}` (first on line {first}); give each entry its own id"),
            )
            .at_line(line));
        }
        self.0.insert(id.into(), line);
        Ok(())
    }
}
