//! Business days of a milestone's calendar (SPEC §6): the days with any
//! opening time ([`Calendar::has_opening_on`]), counted over date ranges and
//! walked to the Nth one after (or before) a date. A year of days is read
//! from the calendar's rules once and kept, so a fold over thousands of
//! milestones on one calendar asks the rules about each date once.

use std::collections::HashMap;

use jiff::ToSpan;
use jiff::civil::Date;

use crate::calendar::Calendar;

/// After this many consecutive days without a business day a walk gives up:
/// the calendar does not open again (in practice).
const GIVE_UP_DAYS: u32 = 3_700;

/// The business days of one calendar, read lazily a year at a time.
#[derive(Debug)]
pub(super) struct BusinessDays<'c> {
    calendar: &'c Calendar,
    /// Per year, whether each day (day of year - 1) is a business day.
    years: HashMap<i16, Box<[bool]>>,
}

impl<'c> BusinessDays<'c> {
    pub(super) fn new(calendar: &'c Calendar) -> Self {
        BusinessDays {
            calendar,
            years: HashMap::new(),
        }
    }

    /// The calendar these are the business days of.
    pub(super) fn calendar(&self) -> &'c Calendar {
        self.calendar
    }

    /// Whether `date` is a business day.
    pub(super) fn is_business(&mut self, date: Date) -> bool {
        let calendar = self.calendar;
        let year = self.years.entry(date.year()).or_insert_with(|| {
            let mut day = date.first_of_year();
            let mut flags = Vec::with_capacity(366);
            while day.year() == date.year() {
                flags.push(calendar.has_opening_on(day));
                match day.tomorrow() {
                    Ok(next) => day = next,
                    Err(_) => break,
                }
            }
            flags.into_boxed_slice()
        });
        let i = usize::try_from(date.day_of_year() - 1).unwrap_or(0);
        year.get(i).copied().unwrap_or(false)
    }

    /// The business days in the date range `(after, through]` (none when
    /// `through <= after`).
    pub(super) fn count(&mut self, after: Date, through: Date) -> i64 {
        let mut n = 0;
        let mut day = after;
        while day < through {
            let Ok(next) = day.tomorrow() else { break };
            day = next;
            n += i64::from(self.is_business(day));
        }
        n
    }

    /// The first business day after `date` (before it when `back`), `None`
    /// when the calendar does not open again.
    pub(super) fn step(&mut self, date: Date, back: bool) -> Option<Date> {
        let mut day = date;
        for _ in 0..GIVE_UP_DAYS {
            day = if back {
                day.yesterday().ok()?
            } else {
                day.tomorrow().ok()?
            };
            if self.is_business(day) {
                return Some(day);
            }
        }
        None
    }
}

/// The date `n` business days from a base date, kept as it moves so that a
/// ledger of many small moves costs one walk (SPEC §6: the Nth business day
/// after the baseline; N = 0 is the baseline itself, business day or not;
/// N < 0 the |N|th business day before it).
#[derive(Debug, Clone, Copy)]
pub(super) struct Adjusted {
    base: Date,
    n: i64,
    date: Date,
}

impl Adjusted {
    pub(super) fn new(base: Date) -> Self {
        Adjusted {
            base,
            n: 0,
            date: base,
        }
    }

    /// The current date.
    pub(super) fn date(&self) -> Date {
        self.date
    }

    /// Moves by `days` business days; `None` when the calendar runs out of
    /// business days on the way.
    pub(super) fn shift(&mut self, days: &mut BusinessDays<'_>, by: i64) -> Option<Date> {
        let to = self.n + by;
        // Stepping from a date counts business days from it, which is the
        // baseline's count only on the baseline's side of it: through zero,
        // start again from the baseline.
        if (self.n > 0 && to <= 0) || (self.n < 0 && to >= 0) {
            self.n = 0;
            self.date = self.base;
        }
        while self.n != to {
            let back = to < self.n;
            self.date = days.step(self.date, back)?;
            self.n += if back { -1 } else { 1 };
        }
        Some(self.date)
    }
}

/// The day after `date`, or `date` itself at the end of time.
pub(super) fn next_day(date: Date) -> Date {
    date.checked_add(1.day()).unwrap_or(date)
}
