//! Time entries, the input of billing (SPEC §8, §10): who worked, when (a
//! start and an end or a number of minutes), on what (a ticket, a milestone
//! or the contract), which activity, whether it is billable, an optional rate
//! override and a note. Read from JSON Lines or CSV with the same column
//! names, strictly: every error names the line and the field.
//!
//! - this module: the entry and how billable it is;
//! - `fields`: the checks both formats share (what "strictly" means);
//! - `read`: the JSON Lines and CSV readers.

use jiff::Timestamp;
use rust_decimal::Decimal;

mod error;
mod fields;
mod read;
#[cfg(test)]
mod tests;

pub use error::EntryError;
pub use read::{JsonLines, parse_csv, parse_csv_all, parse_json_lines, parse_json_lines_all};

/// Whether an entry is invoiced (SPEC §8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Billable {
    /// Invoiced at its rate, or drawn from a prepaid block (the default).
    #[default]
    Billable,
    /// Never invoiced, never shown on an invoice.
    NonBillable,
    /// Shown on the invoice at zero; never draws from a prepaid block.
    NoCharge,
}

impl Billable {
    /// The name used in the interchange formats.
    pub fn as_str(self) -> &'static str {
        match self {
            Billable::Billable => "billable",
            Billable::NonBillable => "non_billable",
            Billable::NoCharge => "no_charge",
        }
    }
}

/// One time entry (SPEC §10), checked: `end` is never before `start`, both
/// to the whole second (an entry given in `minutes` has `end = start +
/// minutes`).
///
/// ```
/// use accord_core::time::{Billable, TimeEntry};
/// let e = TimeEntry::from_json_line(
///     r#"{"id": "E-1", "person": "sam@provider.example", "start": "2026-03-02T09:00:00+01:00", "minutes": 70, "activity": "development", "ticket": "T-1"}"#,
/// )?;
/// assert_eq!(e.raw_s(), 4200);
/// assert_eq!(e.end.to_string(), "2026-03-02T09:10:00Z");
/// assert_eq!(e.billable, Billable::Billable);
/// # Ok::<(), accord_core::time::EntryError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct TimeEntry {
    /// Unique id within a set of entries, e.g. `E-1`.
    pub id: String,
    /// Who worked (an e-mail address, as in `billing.person_rates`).
    pub person: String,
    /// When the work started, to the whole second.
    pub start: Timestamp,
    /// When it ended, to the whole second; never before `start`.
    pub end: Timestamp,
    /// What kind of work, e.g. `development` (as in `billing.activity_rates`).
    pub activity: String,
    /// The ticket it was for, if any.
    pub ticket: Option<String>,
    /// The milestone it was for, if any.
    pub milestone: Option<String>,
    /// Whether it is invoiced.
    pub billable: Billable,
    /// Its own hourly rate, overriding every other (SPEC §8).
    pub rate: Option<Decimal>,
    /// Free text.
    pub note: Option<String>,
}

impl TimeEntry {
    /// The raw time worked, in whole seconds (never negative).
    pub fn raw_s(&self) -> i64 {
        self.end.as_second() - self.start.as_second()
    }
}
