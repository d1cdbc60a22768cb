//! The CSV columns of ticket events (SPEC §10): the same names as the JSON
//! Lines fields, read with the crate's one CSV reader ([`crate::csv`]).

use std::borrow::Cow;

use jiff::Timestamp;

use super::TicketEvent;
use super::fields::{FIELD_NAMES, Fields};
use crate::clock::error::EventError;
use crate::csv::Header;
#[cfg(doc)]
use crate::csv::{RecordEnd, records};

/// The columns of a CSV events file, from its header row (line 1), for
/// reading it record by record (see [`RecordEnd`], [`records`]).
///
/// ```
/// use accord_core::clock::CsvColumns;
/// use accord_core::csv::records;
/// let records = records("kind,at,ticket\nopened,2026-03-02T08:00:00Z,T-1\n")?;
/// let columns = CsvColumns::from_header(&records[0].1)?;
/// assert_eq!(columns.ticket_column(), 2);
/// let (line, record) = records[1].clone();
/// assert!(columns.event(line, record).is_err(), "an opened event needs a priority");
/// # Ok::<(), accord_core::clock::EventError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvColumns {
    header: Header,
    ticket: usize,
}

impl CsvColumns {
    /// Checks the header row: known, distinct column names, with `ticket`,
    /// `kind` and `at` among them. Errors name line 1.
    pub fn from_header(header: &[String]) -> Result<CsvColumns, EventError> {
        let header = Header::parse(header, &FIELD_NAMES, &["ticket", "kind", "at"])?;
        let ticket = header.position("ticket").unwrap_or(0);
        Ok(CsvColumns { header, ticket })
    }

    /// The index of the `ticket` column.
    pub fn ticket_column(&self) -> usize {
        self.ticket
    }

    /// The `at` of a record, if its cell is an instant.
    pub fn at(&self, record: &[String]) -> Option<Timestamp> {
        let cell = record.get(self.header.position("at")?)?;
        super::fields::parse_instant(cell).ok()
    }

    /// The event of one record starting on `line`; `None` for a blank line.
    pub fn event(
        &self,
        line: usize,
        record: Vec<String>,
    ) -> Result<Option<TicketEvent>, EventError> {
        let Some(cells) = self.header.cells(line, record)? else {
            return Ok(None);
        };
        let mut fields = Fields::default();
        for (name, cell) in cells {
            match fields.slot(name) {
                Some(slot) => *slot = (!cell.is_empty()).then_some(Cow::Owned(cell)),
                None => fields.set_seq_text(&cell).map_err(|e| e.at_line(line))?,
            }
        }
        fields.into_event().map(Some).map_err(|e| e.at_line(line))
    }
}
