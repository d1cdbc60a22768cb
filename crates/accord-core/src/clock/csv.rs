//! A small CSV reader for event imports (SPEC §9, §10): RFC 4180 quoting
//! (`"` around a field, `""` inside it), quoted commas and line breaks, CRLF
//! or LF line ends. Errors name the line a record starts on.

use super::event::EventError;

/// Splits CSV text into records, each with the 1-based line it starts on.
pub fn csv_records(text: &str) -> Result<Vec<(usize, Vec<String>)>, EventError> {
    let mut records = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1;
    while chars.peek().is_some() {
        let start_line = line;
        let mut record = Vec::new();
        let mut field = String::new();
        let mut quoted = false;
        let mut at_field_start = true;
        loop {
            match (chars.next(), quoted) {
                (None, true) => {
                    return Err(EventError {
                        line: Some(start_line),
                        field: None,
                        message: "a quoted field is never closed".into(),
                    });
                }
                (None, false) => break,
                (Some('"'), false) if at_field_start => {
                    quoted = true;
                    at_field_start = false;
                }
                (Some('"'), true) => {
                    if chars.peek() == Some(&'"') {
                        chars.next();
                        field.push('"');
                    } else {
                        quoted = false;
                        match chars.peek() {
                            None | Some(',' | '\n' | '\r') => {}
                            Some(_) => {
                                return Err(EventError {
                                    line: Some(line),
                                    field: None,
                                    message: "text after a closing quote; double a quote inside a quoted field (\"\")".into(),
                                });
                            }
                        }
                    }
                }
                (Some(','), false) => {
                    record.push(std::mem::take(&mut field));
                    at_field_start = true;
                }
                (Some('\r'), false) if chars.peek() == Some(&'\n') => {}
                (Some('\n'), false) => {
                    line += 1;
                    break;
                }
                (Some(c), _) => {
                    if c == '\n' {
                        line += 1;
                    }
                    field.push(c);
                    at_field_start = false;
                }
            }
        }
        record.push(field);
        records.push((start_line, record));
    }
    Ok(records)
}

/// Finds where a CSV record ends when a file is read one physical line at a
/// time: a record ends at the first line break outside quotes, by the same
/// rules as [`csv_records`], so a reader can hand [`csv_records`] whole
/// records without holding the file.
///
/// ```
/// use accord_core::clock::CsvRecordEnd;
/// let mut end = CsvRecordEnd::default();
/// assert!(!end.line_ends_record("T-1,opened,\"two\n"));
/// assert!(end.line_ends_record("lines\",x\n"));
/// assert!(end.line_ends_record("T-2,\"a \"\"b\"\"\",x\n"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsvRecordEnd {
    quoted: bool,
    at_field_start: bool,
}

impl Default for CsvRecordEnd {
    fn default() -> Self {
        CsvRecordEnd {
            quoted: false,
            at_field_start: true,
        }
    }
}

impl CsvRecordEnd {
    /// Reads one physical line (with its line break, if any) of the current
    /// record; true when the record ends with it (and the state is reset for
    /// the next record).
    pub fn line_ends_record(&mut self, line: &str) -> bool {
        let mut bytes = line.bytes().peekable();
        while let Some(b) = bytes.next() {
            match (b, self.quoted) {
                (b'"', false) if self.at_field_start => {
                    self.quoted = true;
                    self.at_field_start = false;
                }
                (b'"', true) => {
                    if bytes.peek() == Some(&b'"') {
                        bytes.next();
                    } else {
                        self.quoted = false;
                    }
                }
                (b',', false) => self.at_field_start = true,
                (b'\n', false) => {
                    *self = CsvRecordEnd::default();
                    return true;
                }
                (_, false) => self.at_field_start = false,
                (_, true) => {}
            }
        }
        false
    }
}
