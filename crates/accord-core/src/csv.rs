//! The crate's one CSV reader, for every CSV import (SPEC §10: ticket events,
//! time entries): RFC 4180 quoting (`"` around a field, `""` inside it),
//! quoted commas and line breaks, CRLF or LF line ends, and a header row of
//! known, distinct column names. It knows nothing of what the columns mean:
//! each record type names its columns and reads the cells itself. Errors name
//! the line a record starts on (the header is line 1).
//!
//! The quoting rules are written once, in one state machine, and drive both
//! [`records`] (whole text to cells) and [`RecordEnd`] (where a record ends
//! when a file is read one physical line at a time), so the two always agree.

/// Why CSV text could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {}{message}", column.as_ref().map(|c| format!("column `{c}`: ")).unwrap_or_default())]
pub struct CsvError {
    /// The 1-based line: the header's (1), or the line the record starts on
    /// (for text after a closing quote, the line it is on).
    pub line: usize,
    /// The column at fault, when one is (a header error).
    pub column: Option<String>,
    /// What is wrong, in plain language.
    pub message: String,
}

impl CsvError {
    fn header(column: &str, message: impl Into<String>) -> Self {
        CsvError {
            line: 1,
            column: Some(column.to_string()),
            message: message.into(),
        }
    }
}

/// Where the reader is within a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// At the start of a field: a `"` opens a quoted field.
    FieldStart,
    /// Inside an unquoted field (or after a quoted one closed).
    Unquoted,
    /// Inside a quoted field.
    Quoted,
    /// Inside a quoted field, at the second `"` of a `""`.
    Escaped,
}

/// What one byte of the input does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// It is part of the field's text.
    Keep,
    /// It is syntax (a quote, the CR of a CRLF).
    Drop,
    /// It ends the field (a comma).
    EndField,
    /// It ends the field and the record (a line break outside quotes).
    EndRecord,
}

const STRAY: &str = "text after a closing quote; double a quote inside a quoted field (\"\")";

impl Mode {
    /// The rules of the format: the byte `b`, followed by `next`, read in
    /// this mode. An error is text after a closing quote; the mode then
    /// goes on as if the text were unquoted.
    fn step(&mut self, b: u8, next: Option<u8>) -> Result<Step, &'static str> {
        match (*self, b) {
            (Mode::Quoted, b'"') if next == Some(b'"') => {
                *self = Mode::Escaped;
                Ok(Step::Drop)
            }
            (Mode::Quoted, b'"') => {
                *self = Mode::Unquoted;
                match next {
                    None | Some(b',' | b'\n' | b'\r') => Ok(Step::Drop),
                    Some(_) => Err(STRAY),
                }
            }
            (Mode::Quoted, _) => Ok(Step::Keep),
            (Mode::Escaped, _) => {
                *self = Mode::Quoted;
                Ok(Step::Keep)
            }
            (Mode::FieldStart, b'"') => {
                *self = Mode::Quoted;
                Ok(Step::Drop)
            }
            (_, b',') => {
                *self = Mode::FieldStart;
                Ok(Step::EndField)
            }
            (_, b'\r') if next == Some(b'\n') => Ok(Step::Drop),
            (_, b'\n') => {
                *self = Mode::FieldStart;
                Ok(Step::EndRecord)
            }
            _ => {
                *self = Mode::Unquoted;
                Ok(Step::Keep)
            }
        }
    }

    fn is_quoted(self) -> bool {
        matches!(self, Mode::Quoted | Mode::Escaped)
    }
}

/// Splits CSV text into records of cells, each with the 1-based line it
/// starts on. A line break at the very end starts no record; a blank line is
/// a record of one empty cell.
///
/// ```
/// use accord_core::csv::records;
/// let text = "a,b\r\n\"x, \"\"y\"\"\",\"two\nlines\"\n";
/// let rows = records(text)?;
/// assert_eq!(rows[1], (2, vec!["x, \"y\"".to_string(), "two\nlines".to_string()]));
/// assert_eq!(records("a,\"b\n").unwrap_err().line, 1);
/// # Ok::<(), accord_core::csv::CsvError>(())
/// ```
pub fn records(text: &str) -> Result<Vec<(usize, Vec<String>)>, CsvError> {
    let bytes = text.as_bytes();
    let mut records = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < bytes.len() {
        let start_line = line;
        let mut record = Vec::new();
        let mut field = Vec::new();
        let mut mode = Mode::FieldStart;
        loop {
            let Some(&b) = bytes.get(i) else {
                if mode.is_quoted() {
                    return Err(CsvError {
                        line: start_line,
                        column: None,
                        message: "a quoted field is never closed".into(),
                    });
                }
                break;
            };
            i += 1;
            if b == b'\n' {
                line += 1;
            }
            let step = mode
                .step(b, bytes.get(i).copied())
                .map_err(|message| CsvError {
                    line,
                    column: None,
                    message: message.into(),
                })?;
            match step {
                Step::Keep => field.push(b),
                Step::Drop => {}
                Step::EndField => record.push(cell(std::mem::take(&mut field))),
                Step::EndRecord => break,
            }
        }
        record.push(cell(field));
        records.push((start_line, record));
    }
    Ok(records)
}

/// A field's bytes as text: only ASCII syntax bytes were left out of the
/// `&str` they came from, so they are valid UTF-8.
fn cell(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Finds where a CSV record ends when a file is read one physical line at a
/// time: a record ends at the first line break outside quotes, by the same
/// rules as [`records`], so a reader can hand [`records`] whole records
/// without holding the file.
///
/// ```
/// use accord_core::csv::RecordEnd;
/// let mut end = RecordEnd::default();
/// assert!(!end.line_ends_record("T-1,opened,\"two\n"));
/// assert!(end.line_ends_record("lines\",x\n"));
/// assert!(end.line_ends_record("T-2,\"a \"\"b\"\"\",x\n"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordEnd {
    mode: Mode,
}

impl Default for RecordEnd {
    fn default() -> Self {
        RecordEnd {
            mode: Mode::FieldStart,
        }
    }
}

impl RecordEnd {
    /// Reads one physical line (with its line break, if any) of the current
    /// record; true when the record ends with it (and the state is reset for
    /// the next record).
    pub fn line_ends_record(&mut self, line: &str) -> bool {
        let bytes = line.as_bytes();
        for (i, &b) in bytes.iter().enumerate() {
            // Text after a closing quote is reported by `records`; here it
            // only goes on as unquoted text.
            if let Ok(Step::EndRecord) = self.mode.step(b, bytes.get(i + 1).copied()) {
                *self = RecordEnd::default();
                return true;
            }
        }
        false
    }
}

/// The header row of a CSV file: known, distinct column names in the file's
/// order. A record type gives the names it knows and those it needs, and
/// reads each record's cells by name.
///
/// ```
/// use accord_core::csv::{records, Header};
/// let rows = records("end,id,start\n10:00,E-1,09:00\n")?;
/// let header = Header::parse(&rows[0].1, &["id", "start", "end", "note"], &["id", "start"])?;
/// assert_eq!(header.position("start"), Some(2));
/// let (line, record) = rows[1].clone();
/// let cells: Vec<_> = header.cells(line, record)?.into_iter().flatten().collect();
/// assert_eq!(cells[1], ("id", "E-1".to_string()));
/// let err = Header::parse(&rows[0].1, &["id", "start"], &[]).unwrap_err();
/// assert_eq!((err.line, err.column.as_deref()), (1, Some("end")));
/// # Ok::<(), accord_core::csv::CsvError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    columns: Vec<&'static str>,
}

impl Header {
    /// Checks a header row (line 1): every name (trimmed) among `known`,
    /// none twice, every one of `required` present.
    pub fn parse(
        row: &[String],
        known: &[&'static str],
        required: &[&str],
    ) -> Result<Header, CsvError> {
        let mut columns = Vec::with_capacity(row.len());
        for name in row {
            let name = name.trim();
            let Some(&known_name) = known.iter().find(|k| **k == name) else {
                return Err(CsvError::header(
                    name,
                    format!("unknown column; allowed: {}", known.join(", ")),
                ));
            };
            if columns.contains(&known_name) {
                return Err(CsvError::header(name, "column appears twice"));
            }
            columns.push(known_name);
        }
        for needed in required {
            if !columns.contains(needed) {
                return Err(CsvError::header(needed, "the header has no such column"));
            }
        }
        Ok(Header { columns })
    }

    /// The columns, in the file's order.
    pub fn columns(&self) -> &[&'static str] {
        &self.columns
    }

    /// The index of column `name`, if the header has it.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| *c == name)
    }

    /// The cells of one record starting on `line`, each with its column's
    /// name; `None` for a blank line. A record with another number of cells
    /// than the header has columns is an error.
    pub fn cells(
        &self,
        line: usize,
        record: Vec<String>,
    ) -> Result<Option<impl Iterator<Item = (&'static str, String)> + '_>, CsvError> {
        if record.len() == 1 && record[0].trim().is_empty() {
            return Ok(None);
        }
        if record.len() != self.columns.len() {
            return Err(CsvError {
                line,
                column: None,
                message: format!(
                    "{} fields, but the header has {} columns",
                    record.len(),
                    self.columns.len()
                ),
            });
        }
        Ok(Some(self.columns.iter().copied().zip(record)))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn quotes_commas_line_breaks_and_crlf() {
        let text = "a,b\r\n\"x,\"\"y\"\"\",\"two\r\nlines\"\r\n\n,\r\nlast";
        let rows = records(text).unwrap();
        let cells = |row: &[&str]| row.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            rows,
            vec![
                (1, cells(&["a", "b"])),
                (2, cells(&["x,\"y\"", "two\r\nlines"])),
                (4, cells(&[""])),
                (5, cells(&["", ""])),
                (6, cells(&["last"])),
            ]
        );
        assert_eq!(records("a\rb\n").unwrap()[0].1, cells(&["a\rb"]));
        assert_eq!(records("a\"b\"\n").unwrap()[0].1, cells(&["a\"b\""]));
    }

    #[test]
    fn errors_name_the_line() {
        let e = records("a\n\"b\nc\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("never closed"), "{e}");
        let e = records("a\n\"b\nc\"x\n").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("after a closing quote"), "{e}");
    }

    #[test]
    fn headers_are_known_distinct_and_complete() {
        let row = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let known = ["a", "b", "c"];
        let h = Header::parse(&row(&[" b ", "a"]), &known, &["a"]).unwrap();
        assert_eq!(h.columns(), ["b", "a"]);
        let e = Header::parse(&row(&["a", "a"]), &known, &[]).unwrap_err();
        assert_eq!(e.to_string(), "line 1: column `a`: column appears twice");
        let e = Header::parse(&row(&["a"]), &known, &["c"]).unwrap_err();
        assert_eq!(e.column.as_deref(), Some("c"));
        assert!(h.cells(3, row(&[" "])).unwrap().is_none());
        let e = h.cells(3, row(&["1"])).err().unwrap();
        assert_eq!(
            e.to_string(),
            "line 3: 1 fields, but the header has 2 columns"
        );
    }

    proptest! {
        /// Read line by line, records end where `records` says they do.
        #[test]
        fn record_ends_agree_with_records(
            text in proptest::collection::vec(
                proptest::sample::select(&["a", "é", ",", "\"", "\"\"", "\n", "\r\n", "\r"][..]),
                0..40,
            ).prop_map(|parts| parts.concat()),
        ) {
            let Ok(rows) = records(&text) else { return Ok(()) };
            let mut starts = Vec::new();
            let mut end = RecordEnd::default();
            let mut in_record = false;
            for (i, line) in text.split_inclusive('\n').enumerate() {
                if !in_record {
                    starts.push(i + 1);
                }
                in_record = !end.line_ends_record(line);
            }
            let expected: Vec<usize> = rows.iter().map(|(line, _)| *line).collect();
            prop_assert_eq!(starts, expected);
        }
    }
}
