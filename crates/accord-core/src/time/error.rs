//! Why a time entry could not be read (SPEC §10): the line and the field.

use crate::csv::CsvError;

/// Why a time entry could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{}{message}", line.map(|l| format!("line {l}: ")).unwrap_or_default(), field.as_ref().map(|f| format!("field `{f}`: ")).unwrap_or_default())]
pub struct EntryError {
    /// The 1-based line (JSON Lines) or the line the CSV record starts on.
    pub line: Option<usize>,
    /// The field at fault, when one is.
    pub field: Option<String>,
    /// What is wrong, in plain language.
    pub message: String,
}

impl EntryError {
    /// An error about one field, line not yet known.
    pub(super) fn field(field: &str, message: impl Into<String>) -> Self {
        EntryError {
            line: None,
            field: Some(field.to_string()),
            message: message.into(),
        }
    }

    /// The same error, on `line`.
    pub(super) fn at_line(mut self, line: usize) -> Self {
        self.line = Some(line);
        self
    }
}

/// A CSV error is an entry error on the same line, its column the field.
impl From<CsvError> for EntryError {
    fn from(e: CsvError) -> Self {
        EntryError {
            line: Some(e.line),
            field: e.column,
            message: e.message,
        }
    }
}
