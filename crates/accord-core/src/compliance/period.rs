//! Reporting periods (SPEC §7): calendar months (`2026-03`) and quarters
//! (`2026-Q1`) of the contract's reporting zone, as half-open instant ranges
//! `[start, end)`. A period starts at the first instant of its first day in
//! the zone, whatever the DST rules make of that day.

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::contract::Period;

/// One month or one quarter, by its name (`2026-03`, `2026-Q1`).
///
/// ```
/// use accord_core::compliance::ReportPeriod;
/// use jiff::tz::TimeZone;
/// let march: ReportPeriod = "2026-03".parse()?;
/// let zone = TimeZone::get("Europe/Berlin")?;
/// // Berlin is on winter time on 1 March and summer time on 1 April.
/// let (start, end) = march.bounds(&zone)?;
/// assert_eq!(start.to_string(), "2026-02-28T23:00:00Z");
/// assert_eq!(end.to_string(), "2026-03-31T22:00:00Z");
/// assert_eq!(march.quarter().to_string(), "2026-Q1");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReportPeriod {
    year: i16,
    kind: Period,
    /// The month (1–12) or quarter (1–4).
    index: i8,
}

/// Text that names no period, or a period out of range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a period: write a month as YYYY-MM (2026-03) or a quarter as YYYY-Qn (2026-Q1)"
)]
pub struct PeriodError(pub String);

impl ReportPeriod {
    /// The month `month` (1–12) of `year`.
    pub fn month(year: i16, month: i8) -> Option<ReportPeriod> {
        ((1..=12).contains(&month) && (1..=9999).contains(&year)).then_some(ReportPeriod {
            year,
            kind: Period::Month,
            index: month,
        })
    }

    /// The quarter `quarter` (1–4) of `year`.
    pub fn quarter_of(year: i16, quarter: i8) -> Option<ReportPeriod> {
        ((1..=4).contains(&quarter) && (1..=9999).contains(&year)).then_some(ReportPeriod {
            year,
            kind: Period::Quarter,
            index: quarter,
        })
    }

    /// The period of kind `kind` holding the civil date `date`.
    pub fn of_date(kind: Period, date: Date) -> ReportPeriod {
        let index = match kind {
            Period::Month => date.month(),
            Period::Quarter => (date.month() - 1) / 3 + 1,
        };
        ReportPeriod {
            year: date.year(),
            kind,
            index,
        }
    }

    /// The period of kind `kind` holding the instant `t` read in `zone`.
    pub fn containing(kind: Period, t: Timestamp, zone: &TimeZone) -> ReportPeriod {
        ReportPeriod::of_date(kind, t.to_zoned_datetime(zone.clone()).date())
    }

    /// Month or quarter.
    pub fn kind(self) -> Period {
        self.kind
    }

    /// The first day.
    pub fn first_day(self) -> Date {
        let month = match self.kind {
            Period::Month => self.index,
            Period::Quarter => (self.index - 1) * 3 + 1,
        };
        Date::new(self.year, month, 1).unwrap_or(Date::MIN)
    }

    /// The first day after the period.
    pub fn end_day(self) -> Date {
        self.next().first_day()
    }

    /// The period that follows.
    pub fn next(self) -> ReportPeriod {
        let last = match self.kind {
            Period::Month => 12,
            Period::Quarter => 4,
        };
        if self.index == last {
            ReportPeriod {
                year: self.year + 1,
                index: 1,
                ..self
            }
        } else {
            ReportPeriod {
                index: self.index + 1,
                ..self
            }
        }
    }

    /// The quarter holding this period (itself for a quarter).
    pub fn quarter(self) -> ReportPeriod {
        ReportPeriod::of_date(Period::Quarter, self.first_day())
    }

    /// The months of the period: itself for a month, three for a quarter.
    pub fn months(self) -> Vec<ReportPeriod> {
        match self.kind {
            Period::Month => vec![self],
            Period::Quarter => {
                let first = ReportPeriod::of_date(Period::Month, self.first_day());
                vec![first, first.next(), first.next().next()]
            }
        }
    }

    /// The month in which the period ends (itself for a month).
    pub fn last_month(self) -> ReportPeriod {
        ReportPeriod::of_date(Period::Month, self.first_day()).nth_next(match self.kind {
            Period::Month => 0,
            Period::Quarter => 2,
        })
    }

    fn nth_next(self, n: usize) -> ReportPeriod {
        (0..n).fold(self, |p, _| p.next())
    }

    /// Every month from the one holding `first` to the one holding `last`
    /// (in `zone`), in order; empty when `last` is before `first`.
    pub fn months_between(first: Timestamp, last: Timestamp, zone: &TimeZone) -> Vec<ReportPeriod> {
        let mut out = Vec::new();
        if last < first {
            return out;
        }
        let end = ReportPeriod::containing(Period::Month, last, zone);
        let mut p = ReportPeriod::containing(Period::Month, first, zone);
        while p.first_day() <= end.first_day() {
            out.push(p);
            p = p.next();
        }
        out
    }

    /// `[start, end)`: the first instant of the first day and of the day
    /// after the period, in `zone`.
    pub fn bounds(self, zone: &TimeZone) -> Result<(Timestamp, Timestamp), jiff::Error> {
        let start = |d: Date| d.to_zoned_datetime(zone.clone()).map(|z| z.timestamp());
        Ok((start(self.first_day())?, start(self.end_day())?))
    }

    /// Order: by first day, a quarter after its first month.
    fn key(self) -> (Date, Period) {
        (self.first_day(), self.kind)
    }
}

impl PartialOrd for ReportPeriod {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ReportPeriod {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key().cmp(&other.key())
    }
}

impl fmt::Display for ReportPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            Period::Month => write!(f, "{:04}-{:02}", self.year, self.index),
            Period::Quarter => write!(f, "{:04}-Q{}", self.year, self.index),
        }
    }
}

impl FromStr for ReportPeriod {
    type Err = PeriodError;

    fn from_str(s: &str) -> Result<Self, PeriodError> {
        let bad = || PeriodError(s.to_string());
        let (year, rest) = s.split_once('-').ok_or_else(bad)?;
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let year: i16 = year.parse().map_err(|_| bad())?;
        let digits = |t: &str| -> Result<i8, PeriodError> {
            if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            t.parse().map_err(|_| bad())
        };
        match rest.strip_prefix('Q') {
            Some(q) if q.len() == 1 => ReportPeriod::quarter_of(year, digits(q)?).ok_or_else(bad),
            Some(_) => Err(bad()),
            None if rest.len() == 2 => ReportPeriod::month(year, digits(rest)?).ok_or_else(bad),
            None => Err(bad()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> ReportPeriod {
        s.parse().unwrap()
    }

    #[test]
    fn names_round_trip_and_bad_names_are_refused() {
        for name in ["2026-01", "2026-12", "2026-Q1", "2026-Q4", "0999-07"] {
            assert_eq!(p(name).to_string(), name);
        }
        for bad in [
            "2026-1",
            "2026-13",
            "2026-00",
            "2026-Q5",
            "2026-Q0",
            "26-01",
            "2026/01",
            "2026-Q",
            "2026-q1",
            "2026-01-01",
            "",
        ] {
            let err = bad.parse::<ReportPeriod>().unwrap_err();
            assert!(err.to_string().contains("YYYY-MM"), "{bad}");
        }
    }

    #[test]
    fn december_is_followed_by_the_next_january_and_q4_by_q1() {
        assert_eq!(p("2026-12").next(), p("2027-01"));
        assert_eq!(p("2026-Q4").next(), p("2027-Q1"));
        assert_eq!(p("2026-Q4").end_day(), Date::new(2027, 1, 1).unwrap());
    }

    #[test]
    fn a_quarter_has_its_three_months_and_ends_with_the_third() {
        assert_eq!(
            p("2026-Q2").months(),
            vec![p("2026-04"), p("2026-05"), p("2026-06")]
        );
        assert_eq!(p("2026-Q2").last_month(), p("2026-06"));
        assert_eq!(p("2026-05").quarter(), p("2026-Q2"));
    }

    #[test]
    fn month_bounds_follow_the_zone_across_a_dst_change() {
        let ny = TimeZone::get("America/New_York").unwrap();
        // March 2026: EST at the start (UTC-5), EDT at the end (UTC-4).
        let (start, end) = p("2026-03").bounds(&ny).unwrap();
        assert_eq!(start.to_string(), "2026-03-01T05:00:00Z");
        assert_eq!(end.to_string(), "2026-04-01T04:00:00Z");
        // 31 days less the hour lost on 8 March.
        assert_eq!(end.as_second() - start.as_second(), 31 * 86_400 - 3_600);
        let (start, end) = p("2026-11").bounds(&ny).unwrap();
        assert_eq!(end.as_second() - start.as_second(), 30 * 86_400 + 3_600);
    }

    #[test]
    fn a_period_starting_in_a_dst_gap_starts_at_the_first_real_instant() {
        // Santiago moved clocks forward at midnight on 2026-09-06; the day
        // starts at 01:00 local.
        let santiago = TimeZone::get("America/Santiago").unwrap();
        let day = Date::new(2026, 9, 6).unwrap();
        let start = day.to_zoned_datetime(santiago.clone()).unwrap().timestamp();
        let zoned = start.to_zoned_datetime(santiago.clone());
        assert_eq!(zoned.date(), day);
        // Whatever the zone does, a period's start is its first day's start.
        let sept = ReportPeriod::of_date(Period::Month, day);
        let (s, _) = sept.bounds(&santiago).unwrap();
        assert_eq!(
            s.to_zoned_datetime(santiago).date(),
            Date::new(2026, 9, 1).unwrap()
        );
    }

    #[test]
    fn months_between_covers_both_ends_read_in_the_zone() {
        let berlin = TimeZone::get("Europe/Berlin").unwrap();
        // 31 January 23:30 UTC is already February in Berlin.
        let first: Timestamp = "2026-01-31T23:30:00Z".parse().unwrap();
        let last: Timestamp = "2026-04-01T00:00:00Z".parse().unwrap();
        assert_eq!(
            ReportPeriod::months_between(first, last, &berlin),
            vec![p("2026-02"), p("2026-03"), p("2026-04")]
        );
        assert!(ReportPeriod::months_between(last, first, &berlin).is_empty());
    }

    #[test]
    fn periods_sort_by_start_with_a_quarter_after_its_first_month() {
        let mut v = vec![p("2026-02"), p("2026-Q1"), p("2026-01"), p("2025-12")];
        v.sort();
        assert_eq!(
            v,
            vec![p("2025-12"), p("2026-01"), p("2026-Q1"), p("2026-02")]
        );
    }
}
