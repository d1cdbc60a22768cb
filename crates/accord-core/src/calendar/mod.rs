//! Support calendars and business time (SPEC §3).
//!
//! A [`Calendar`] says when support is open: weekly opening hours in local
//! wall time of an IANA zone, holidays, and dated exceptions. Business time
//! between two instants is the measure of the instants in between that fall
//! inside opening hours; [`Calendar::deadline`] and [`Calendar::elapsed`] are
//! exact to the second across DST changes, holidays and zone anomalies.
//!
//! All operations work on whole seconds: a sub-second part of an instant
//! passed in is dropped.

mod holidays;
mod hours;
mod ics;
mod index;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

use jiff::Timestamp;
use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;

pub use holidays::{Holidays, YearlyHoliday, YearlyPattern};
pub use hours::{DayHours, HoursError, OpeningInterval};
pub use ics::{IcsError, parse_holidays};

use crate::BusinessDuration;
use index::Block;

/// What a calendar is made of, as the contract states it.
#[derive(Debug, Clone, PartialEq)]
pub struct CalendarRules {
    /// The zone whose wall time the hours are written in.
    pub zone: TimeZone,
    /// Opening hours per weekday, Monday first.
    pub weekly: [DayHours; 7],
    /// Whole days closed.
    pub holidays: Holidays,
    /// Dates whose hours replace the weekly hours (an empty day closes it).
    /// An exception wins over a holiday on the same date.
    pub exceptions: BTreeMap<Date, DayHours>,
}

impl CalendarRules {
    /// The same hours Monday to Friday, closed at weekends, no holidays.
    pub fn weekdays(zone: TimeZone, hours: DayHours) -> Self {
        let mut weekly: [DayHours; 7] = Default::default();
        for day in &mut weekly[..5] {
            *day = hours.clone();
        }
        CalendarRules {
            zone,
            weekly,
            holidays: Holidays::new(),
            exceptions: BTreeMap::new(),
        }
    }

    /// Opening hours of a weekday.
    pub fn weekday_hours(&self, weekday: Weekday) -> &DayHours {
        &self.weekly[usize::from(weekday.to_monday_zero_offset().unsigned_abs())]
    }

    /// The hours in force on `date`: its exception if any, else closed on a
    /// holiday, else its weekday's hours.
    pub fn hours_on(&self, date: Date) -> &DayHours {
        static CLOSED: DayHours = DayHours::closed();
        if let Some(hours) = self.exceptions.get(&date) {
            hours
        } else if self.holidays.contains(date) {
            &CLOSED
        } else {
            self.weekday_hours(date.weekday())
        }
    }

    /// Whether the calendar opens at all, ever.
    fn ever_opens(&self) -> bool {
        self.weekly.iter().any(|d| !d.is_closed())
            || self.exceptions.values().any(|d| !d.is_closed())
    }
}

/// Why a business-time computation has no answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The instant is outside the years the calendar computes.
    #[error(
        "{instant} is outside the range business time is computed for (1900-01-01T00:00:00Z to {})",
        Timestamp::from_second(index::END_SECOND).unwrap_or(Timestamp::MAX)
    )]
    OutOfRange {
        /// The instant asked about.
        instant: Timestamp,
    },
    /// The calendar has no opening hours at all, so no business time passes.
    #[error("calendar `{calendar}` has no opening hours at all, so no deadline can be reached")]
    NeverOpen {
        /// The calendar's name.
        calendar: String,
    },
    /// The calendar does not open enough again to reach the deadline.
    #[error(
        "calendar `{calendar}` does not have {duration} of opening time after {start} (before {})",
        Timestamp::from_second(index::END_SECOND).unwrap_or(Timestamp::MAX)
    )]
    Unreachable {
        /// The calendar's name.
        calendar: String,
        /// Where the deadline was counted from.
        start: Timestamp,
        /// The business time asked for.
        duration: BusinessDuration,
    },
    /// `elapsed` was asked with the end before the start.
    #[error("end {end} is before start {start}")]
    EndBeforeStart {
        /// The start.
        start: Timestamp,
        /// The end.
        end: Timestamp,
    },
}

/// A named support calendar with its index of open time.
///
/// ```
/// use accord_core::calendar::{Calendar, CalendarRules, DayHours};
/// use accord_core::BusinessDuration;
/// use jiff::{Timestamp, tz::TimeZone};
///
/// let hours = DayHours::new(vec!["09:00-17:00".parse()?])?;
/// let berlin = Calendar::new("support", CalendarRules::weekdays(TimeZone::get("Europe/Berlin")?, hours));
///
/// // Friday 16:00 in Berlin (15:00Z) plus 2 business hours: one hour on
/// // Friday, one on Monday, so Monday 10:00 Berlin.
/// let start: Timestamp = "2026-01-02T15:00:00Z".parse()?;
/// let due = berlin.deadline(start, BusinessDuration::from_mins(120)?)?;
/// assert_eq!(due.to_string(), "2026-01-05T09:00:00Z");
/// assert_eq!(berlin.elapsed(start, due)?.as_secs(), 7200);
///
/// // A deadline reached exactly at closing is the closing instant itself.
/// let friday_close = berlin.deadline(start, BusinessDuration::from_mins(60)?)?;
/// assert_eq!(friday_close.to_string(), "2026-01-02T16:00:00Z");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Calendar {
    name: String,
    rules: CalendarRules,
    ever_opens: bool,
    // Boxed so that an unbuilt block costs 16 bytes, not a whole `Block`.
    blocks: Box<[OnceLock<Box<Block>>]>,
}

impl fmt::Debug for Calendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Calendar")
            .field("name", &self.name)
            .field("rules", &self.rules)
            .finish_non_exhaustive()
    }
}

impl PartialEq for Calendar {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.rules == other.rules
    }
}

fn seconds(t: Timestamp) -> i64 {
    t.as_second()
}

fn instant(second: i64) -> Timestamp {
    // Every second the index produces lies inside jiff's range.
    Timestamp::from_second(second).unwrap_or(Timestamp::MAX)
}

impl Calendar {
    /// A calendar called `name` following `rules`. Cheap: the index of open
    /// time is built lazily, a block of about a year at a time.
    pub fn new(name: impl Into<String>, rules: CalendarRules) -> Self {
        let ever_opens = rules.ever_opens();
        Calendar {
            name: name.into(),
            rules,
            ever_opens,
            blocks: (0..index::BLOCK_COUNT).map(|_| OnceLock::new()).collect(),
        }
    }

    /// The calendar's name in its contract.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What the calendar is made of.
    pub fn rules(&self) -> &CalendarRules {
        &self.rules
    }

    /// Whether support opens at all on the local `date`: a *business day*
    /// of SPEC §6 (milestones). Holidays close a day, a dated exception
    /// replaces its hours (and wins over a holiday), else the weekday's hours
    /// apply. Read from the rules as written, so a day whose only opening
    /// falls into a skipped DST hour still counts.
    ///
    /// ```
    /// use accord_core::calendar::{Calendar, CalendarRules, DayHours};
    /// use jiff::{civil::date, tz::TimeZone};
    ///
    /// let hours = DayHours::new(vec!["09:00-17:00".parse()?])?;
    /// let mut rules = CalendarRules::weekdays(TimeZone::get("Europe/Berlin")?, hours.clone());
    /// rules.holidays.add_date(date(2026, 4, 3));                   // Good Friday
    /// rules.exceptions.insert(date(2026, 4, 4), hours);            // an open Saturday
    /// let cal = Calendar::new("support", rules);
    /// assert!(cal.has_opening_on(date(2026, 4, 2)));               // Thursday
    /// assert!(!cal.has_opening_on(date(2026, 4, 3)));              // holiday
    /// assert!(cal.has_opening_on(date(2026, 4, 4)));               // exception
    /// assert!(!cal.has_opening_on(date(2026, 4, 5)));              // Sunday
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn has_opening_on(&self, date: Date) -> bool {
        !self.rules.hours_on(date).is_closed()
    }

    #[inline]
    fn block(&self, k: usize) -> &Block {
        self.blocks[k].get_or_init(|| Box::new(index::build(&self.rules, k)))
    }

    #[inline]
    fn locate(&self, t: Timestamp) -> Result<(i64, usize), CalendarError> {
        let s = seconds(t);
        index::block_of(s)
            .map(|k| (s, k))
            .ok_or(CalendarError::OutOfRange { instant: t })
    }

    /// The earliest instant `t >= start` such that the business time in
    /// `[start, t]` equals `duration` (SPEC §3).
    ///
    /// Counting starts at the next opening when `start` is in closed time; a
    /// deadline reached exactly at closing time is that closing instant, not
    /// the next opening; `deadline(start, 0) == start`.
    ///
    /// Errors when `start` or the result is outside the supported range
    /// (1900 to 2444), or when the calendar never opens.
    pub fn deadline(
        &self,
        start: Timestamp,
        duration: BusinessDuration,
    ) -> Result<Timestamp, CalendarError> {
        let (s, mut k) = self.locate(start)?;
        let d = duration.as_secs();
        if d == 0 {
            return Ok(instant(s));
        }
        if !self.ever_opens {
            return Err(CalendarError::NeverOpen {
                calendar: self.name.clone(),
            });
        }
        let mut block = self.block(k);
        let mut target = block.open_before(s) + d;
        loop {
            let total = block.total();
            if target <= total {
                return Ok(instant(block.instant_at(target)));
            }
            target -= total;
            k += 1;
            if k >= index::BLOCK_COUNT {
                return Err(CalendarError::Unreachable {
                    calendar: self.name.clone(),
                    start,
                    duration,
                });
            }
            block = self.block(k);
        }
    }

    /// The business time between `start` and `end` (SPEC §3): how many
    /// seconds of `[start, end)` fall inside opening hours.
    pub fn elapsed(
        &self,
        start: Timestamp,
        end: Timestamp,
    ) -> Result<BusinessDuration, CalendarError> {
        let (s, ks) = self.locate(start)?;
        let (e, ke) = if seconds(end) == index::END_SECOND {
            (index::END_SECOND, index::BLOCK_COUNT - 1)
        } else {
            self.locate(end)?
        };
        if e < s {
            return Err(CalendarError::EndBeforeStart { start, end });
        }
        let first = self.block(ks);
        let secs = if ks == ke {
            first.open_before(e) - first.open_before(s)
        } else {
            let middle: i64 = (ks + 1..ke).map(|k| self.block(k).total()).sum();
            let last = self.block(ke);
            (first.total() - first.open_before(s)) + middle + last.open_before(e)
        };
        Ok(BusinessDuration::from_secs(secs).unwrap_or(BusinessDuration::ZERO))
    }

    /// Whether support is open at `t`. Opening instants are open, closing
    /// instants are not: hours are half-open `[09:00, 17:00)`.
    pub fn is_open(&self, t: Timestamp) -> Result<bool, CalendarError> {
        let (s, k) = self.locate(t)?;
        let block = self.block(k);
        let i = block.interval_after(s);
        Ok(block.starts.get(i).is_some_and(|&a| a <= s))
    }

    /// The earliest instant at or after `t` at which support is open: `t`
    /// itself when open. `None` when the calendar never opens again.
    pub fn next_open(&self, t: Timestamp) -> Result<Option<Timestamp>, CalendarError> {
        let (mut s, mut k) = self.locate(t)?;
        if !self.ever_opens {
            return Ok(None);
        }
        loop {
            let block = self.block(k);
            let i = block.interval_after(s);
            if let Some(&a) = block.starts.get(i) {
                return Ok(Some(instant(a.max(s))));
            }
            k += 1;
            if k >= index::BLOCK_COUNT {
                return Ok(None);
            }
            s = index::block_start(k);
        }
    }

    /// The earliest instant at or after `t` at which support is closed: `t`
    /// itself when closed, else the end of the current opening (following
    /// openings that continue across midnight). `None` for a calendar that
    /// never closes again.
    pub fn next_close(&self, t: Timestamp) -> Result<Option<Timestamp>, CalendarError> {
        let (mut s, mut k) = self.locate(t)?;
        loop {
            let block = self.block(k);
            let i = block.interval_after(s);
            match (block.starts.get(i), block.ends.get(i)) {
                (Some(&a), Some(&e)) if a <= s => {
                    // Open until `e`; continue when the opening runs into the next block.
                    if e < index::block_start(k) + index::BLOCK_SECONDS {
                        return Ok(Some(instant(e)));
                    }
                    k += 1;
                    if k >= index::BLOCK_COUNT {
                        return Ok(None);
                    }
                    s = e;
                }
                _ => return Ok(Some(instant(s))),
            }
        }
    }
}

#[cfg(test)]
mod tests;
