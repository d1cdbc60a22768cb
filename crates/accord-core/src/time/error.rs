//! Why a time entry could not be read (SPEC §10): the line and the field.

/// Why a time entry could not be read: the line (JSON Lines) or the line
/// its CSV record starts on, the field at fault, and what is wrong. The
/// same type as a ticket event's reading error, so both read alike.
pub type EntryError = crate::clock::EventError;
