//! Calendar holidays: the whole days on which a calendar is closed (SPEC §3, "holidays (whole
//! days, from lists or iCalendar files)").
//!
//! This module owns the in-memory model only: a set of fixed dates plus recurring yearly rules
//! ([`YearlyHoliday`], the subset of RFC 5545 `RRULE:FREQ=YEARLY` that holiday files use).
//! Reading iCalendar files into this model lives in `super::ics`.

use std::collections::BTreeSet;

use jiff::civil::{Date, Weekday};

/// Largest year jiff can represent; occurrence generation stops there.
const MAX_YEAR: i16 = 9999;

/// Seconds in a civil day (civil dates have no DST, so every day has exactly this many).
const SECONDS_PER_DAY: i64 = 86_400;

/// Whole days on which a calendar is closed: fixed dates plus recurring yearly rules.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Holidays {
    /// One-off closed dates.
    dates: BTreeSet<Date>,
    /// Recurring yearly holidays.
    rules: Vec<YearlyHoliday>,
}

impl Holidays {
    /// An empty holiday set: no day is a holiday.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Marks the single date `date` as a holiday.
    pub fn add_date(&mut self, date: Date) {
        self.dates.insert(date);
    }

    /// Adds a recurring yearly holiday.
    pub fn add_rule(&mut self, rule: YearlyHoliday) {
        self.rules.push(rule);
    }

    /// Adds every date and rule of `other` to `self` (union of both holiday sets).
    pub fn extend(&mut self, other: Holidays) {
        self.dates.extend(other.dates);
        self.rules.extend(other.rules);
    }

    /// True when `date` is a holiday. Called ~400 times per year of calendar index build: keep it cheap (no allocation).
    #[must_use]
    pub fn contains(&self, date: Date) -> bool {
        self.dates.contains(&date) || self.rules.iter().any(|rule| rule.contains(date))
    }

    /// Every holiday date in [from, to] inclusive, sorted, deduplicated (for rendering a holiday list).
    ///
    /// Returns an empty list when `from > to`.
    #[must_use]
    pub fn dates_between(&self, from: Date, to: Date) -> Vec<Date> {
        if from > to {
            return Vec::new();
        }
        let mut out: Vec<Date> = self.dates.range(from..=to).copied().collect();
        for rule in &self.rules {
            rule.push_dates_between(from, to, &mut out);
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// True when no date and no rule has been added.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.dates.is_empty() && self.rules.is_empty()
    }

    /// The one-off holiday dates (not including dates produced by rules).
    #[must_use]
    pub fn dates(&self) -> &BTreeSet<Date> {
        &self.dates
    }

    /// The recurring yearly holidays.
    #[must_use]
    pub fn rules(&self) -> &[YearlyHoliday] {
        &self.rules
    }
}

/// A holiday recurring every `interval` years (RRULE FREQ=YEARLY), possibly spanning several days.
///
/// Occurrences (RFC 5545 semantics):
/// * `first` (DTSTART) is always the first occurrence, even when it does not match `pattern`;
/// * then, in the years `first.year()`, `first.year() + interval`, …, the date given by
///   `pattern` when it exists that year (a 29 February or a 5th Monday that does not exist is
///   skipped) and is after `first`;
/// * `count` limits how many occurrences are generated (`first` included), `until` bounds
///   their start dates (inclusive); both may be set, whichever stops first wins;
/// * occurrences whose start date is in `except` are then removed (they still count for
///   `count`, as EXDATE does in RFC 5545).
///
/// Every occurrence closes `span_days` consecutive dates starting at its start date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearlyHoliday {
    /// Start date of the first occurrence (DTSTART).
    pub first: Date,
    /// Number of consecutive days each occurrence closes (from DTEND, exclusive, or DURATION);
    /// `0` is treated as `1`.
    pub span_days: u16,
    /// Which day of the year an occurrence starts on.
    pub pattern: YearlyPattern,
    /// Years between occurrences (RRULE INTERVAL); `0` is treated as `1`.
    pub interval: u16,
    /// Last allowed occurrence start date, inclusive (RRULE UNTIL).
    pub until: Option<Date>,
    /// Maximum number of occurrences generated, `first` included (RRULE COUNT); `Some(0)`
    /// means no occurrence at all.
    pub count: Option<u32>,
    /// Start dates of removed occurrences (EXDATE).
    pub except: BTreeSet<Date>,
    /// Human-readable name of the holiday (SUMMARY), possibly empty.
    pub summary: String,
}

/// The day of the year on which a yearly holiday occurs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum YearlyPattern {
    /// A fixed month and day, e.g. 25 December (`month` 1..=12, `day` 1..=31). Years in which
    /// that day does not exist (29 February) have no occurrence.
    MonthDay {
        /// Month, 1..=12.
        month: i8,
        /// Day of the month, 1..=31.
        day: i8,
    },
    /// The `nth` `weekday` of `month`: `nth` 1..=5 counts from the start of the month, -1..=-5
    /// from its end (e.g. `nth: -1, weekday: Monday` is the last Monday). Years in which it does
    /// not exist (a 5th Monday) have no occurrence.
    NthWeekday {
        /// Month, 1..=12.
        month: i8,
        /// 1..=5 or -1..=-5.
        nth: i8,
        /// Day of the week.
        weekday: Weekday,
    },
}

impl YearlyPattern {
    /// The pattern that repeats `date`'s month and day every year.
    #[must_use]
    pub fn month_day_of(date: Date) -> Self {
        YearlyPattern::MonthDay {
            month: date.month(),
            day: date.day(),
        }
    }

    /// The date this pattern designates in `year`, or `None` when it does not exist that year
    /// (or the pattern itself is out of range). Does not allocate.
    #[must_use]
    pub fn date_in(self, year: i16) -> Option<Date> {
        match self {
            YearlyPattern::MonthDay { month, day } => {
                let last = days_in_month(year, month)?;
                if (1..=last).contains(&day) {
                    Date::new(year, month, day).ok()
                } else {
                    None
                }
            }
            YearlyPattern::NthWeekday {
                month,
                nth,
                weekday,
            } => {
                let last = days_in_month(year, month)?;
                let want = weekday.to_monday_zero_offset();
                let day = if (1..=5).contains(&nth) {
                    let first_wd = Date::new(year, month, 1).ok()?.weekday();
                    let ahead = (want - first_wd.to_monday_zero_offset()).rem_euclid(7);
                    1 + ahead + (nth - 1) * 7
                } else if (-5..=-1).contains(&nth) {
                    let last_wd = Date::new(year, month, last).ok()?.weekday();
                    let back = (last_wd.to_monday_zero_offset() - want).rem_euclid(7);
                    last - back - (-nth - 1) * 7
                } else {
                    return None;
                };
                if (1..=last).contains(&day) {
                    Date::new(year, month, day).ok()
                } else {
                    None
                }
            }
        }
    }
}

/// Number of days in `month` of `year`, `None` when the month or year is out of range.
fn days_in_month(year: i16, month: i8) -> Option<i8> {
    if !(-9999..=9999).contains(&year) {
        return None;
    }
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => Some(31),
        4 | 6 | 9 | 11 => Some(30),
        2 if leap => Some(29),
        2 => Some(28),
        _ => None,
    }
}

/// Whole days from `from` to `to` (negative when `to` is before `from`). Does not allocate.
fn days_from(from: Date, to: Date) -> i64 {
    to.duration_since(from)
        .as_secs()
        .div_euclid(SECONDS_PER_DAY)
}

impl YearlyHoliday {
    /// A one-day holiday recurring every year on `pattern`, starting with `first`, with no end,
    /// no exception and no summary.
    #[must_use]
    pub fn new(first: Date, pattern: YearlyPattern) -> Self {
        YearlyHoliday {
            first,
            span_days: 1,
            pattern,
            interval: 1,
            until: None,
            count: None,
            except: BTreeSet::new(),
            summary: String::new(),
        }
    }

    /// Days closed by each occurrence (at least 1).
    fn span(&self) -> i64 {
        i64::from(self.span_days.max(1))
    }

    /// Years between occurrences (at least 1).
    fn step(&self) -> i32 {
        i32::from(self.interval.max(1))
    }

    /// True when an occurrence starting on `start` closes `date`.
    fn covers(&self, start: Date, date: Date) -> bool {
        let offset = days_from(start, date);
        (0..self.span()).contains(&offset)
    }

    /// True when `date` is closed by one of this rule's occurrences. Does not allocate.
    #[must_use]
    pub fn contains(&self, date: Date) -> bool {
        if date < self.first {
            return false;
        }
        if self.count.is_some() {
            // The occurrence index matters: walk the occurrences in order (bounded by COUNT).
            return self
                .raw_starts(date.year())
                .take_while(|start| *start <= date)
                .any(|start| self.covers(start, date) && !self.except.contains(&start));
        }
        let allowed = |start: Date| {
            self.covers(start, date)
                && self.until.is_none_or(|until| start <= until)
                && !self.except.contains(&start)
        };
        if allowed(self.first) {
            return true;
        }
        // Occurrences starting up to `span - 1` days before `date` may still cover it; that
        // reaches back at most this many year boundaries.
        let years_back = if self.span() <= 1 {
            0
        } else {
            i32::try_from((self.span() - 1) / 365 + 1).unwrap_or(i32::MAX)
        };
        let first_year = i32::from(self.first.year());
        let step = self.step();
        let date_year = i32::from(date.year());
        let mut year = date_year.saturating_sub(years_back).max(first_year);
        while year <= date_year {
            if (year - first_year) % step == 0 {
                let start = i16::try_from(year)
                    .ok()
                    .and_then(|y| self.pattern.date_in(y));
                if start.is_some_and(|start| start > self.first && allowed(start)) {
                    return true;
                }
            }
            year += 1;
        }
        false
    }

    /// Start dates of the occurrences, in increasing order, after removing `except`.
    pub fn starts(&self) -> impl Iterator<Item = Date> + '_ {
        self.raw_starts(MAX_YEAR)
            .filter(|start| !self.except.contains(start))
    }

    /// Start dates generated by the rule (COUNT and UNTIL applied, EXDATE not), in increasing
    /// order, considering years up to `last_year` only.
    fn raw_starts(&self, last_year: i16) -> RawStarts<'_> {
        RawStarts {
            rule: self,
            state: StartsState::First,
            generated: 0,
            last_year: i32::from(last_year),
        }
    }

    /// Appends every date in [from, to] closed by this rule to `out` (unsorted).
    fn push_dates_between(&self, from: Date, to: Date, out: &mut Vec<Date>) {
        for start in self.starts() {
            if start > to {
                break;
            }
            if days_from(start, from) >= self.span() {
                continue;
            }
            let mut day = start;
            for _ in 0..self.span() {
                if day > to {
                    break;
                }
                if day >= from {
                    out.push(day);
                }
                match day.tomorrow() {
                    Ok(next) => day = next,
                    Err(_) => break,
                }
            }
        }
    }
}

/// Where a [`RawStarts`] iterator is.
enum StartsState {
    /// `first` not yet produced.
    First,
    /// Next year to look at.
    Year(i32),
    /// No more occurrences.
    Done,
}

/// Iterator over a rule's generated occurrence start dates (see [`YearlyHoliday::raw_starts`]).
struct RawStarts<'a> {
    rule: &'a YearlyHoliday,
    state: StartsState,
    generated: u32,
    last_year: i32,
}

impl Iterator for RawStarts<'_> {
    type Item = Date;

    fn next(&mut self) -> Option<Date> {
        let rule = self.rule;
        loop {
            match self.state {
                StartsState::Done => return None,
                StartsState::First => {
                    self.state = StartsState::Year(i32::from(rule.first.year()));
                    if rule.count == Some(0) || rule.until.is_some_and(|u| rule.first > u) {
                        self.state = StartsState::Done;
                        return None;
                    }
                    self.generated = 1;
                    return Some(rule.first);
                }
                StartsState::Year(year) => {
                    if year > self.last_year || year > i32::from(MAX_YEAR) {
                        self.state = StartsState::Done;
                        return None;
                    }
                    self.state = StartsState::Year(year.saturating_add(rule.step()));
                    let Some(start) = i16::try_from(year)
                        .ok()
                        .and_then(|y| rule.pattern.date_in(y))
                    else {
                        continue;
                    };
                    if start <= rule.first {
                        continue;
                    }
                    if rule.until.is_some_and(|u| start > u)
                        || rule.count.is_some_and(|c| self.generated >= c)
                    {
                        self.state = StartsState::Done;
                        return None;
                    }
                    self.generated += 1;
                    return Some(start);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
