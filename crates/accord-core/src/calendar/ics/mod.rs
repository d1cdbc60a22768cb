//! Calendar holidays from iCalendar files (SPEC §3, "holidays (whole days, from lists or
//! iCalendar files)").
//!
//! This module owns reading an RFC 5545 holiday file into [`Holidays`]: all-day `VEVENT`s,
//! optionally multi-day (`DTEND` / `DURATION`), optionally recurring yearly (`RRULE` with
//! `FREQ=YEARLY`, `EXDATE`, `RDATE`). The syntax is read by the `icalendar` crate's parser;
//! this module adds a light line scan so that every error names the line and column of the
//! offending text in the original file (before line unfolding).

use std::collections::BTreeSet;

use icalendar::parser::{Component, Property, read_components};
use jiff::civil::Date;

use super::holidays::Holidays;

mod rrule;
mod source;

use rrule::read_rrule;
use source::{Source, snippet};

/// Deepest component nesting accepted (the `icalendar` parser recurses once per level).
const MAX_NESTING: usize = 64;

/// Longest holiday occurrence accepted, in days.
const MAX_SPAN_DAYS: i64 = 366;

/// Seconds in a civil day.
const SECONDS_PER_DAY: i64 = 86_400;

/// Why an iCalendar holiday file was rejected, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct IcsError {
    /// 1-based line in the original text (before unfolding of continuation lines).
    pub line: usize,
    /// 1-based column, in characters, in the original text.
    pub column: usize,
    /// What is wrong and what is expected instead.
    pub message: String,
}

/// Parse an iCalendar holiday file into the holidays it declares.
///
/// Every `VEVENT` of the `VCALENDAR` must be an all-day event (`DTSTART;VALUE=DATE:20261225`
/// or a bare `YYYYMMDD` value), optionally lasting several days (`DTEND`, exclusive, or a
/// `DURATION` in whole days or weeks) and optionally recurring yearly (`RRULE:FREQ=YEARLY`
/// with `INTERVAL`, `COUNT`, `UNTIL`, one `BYMONTH`, one positive `BYMONTHDAY`, or one `BYDAY`
/// with an ordinal such as `4TH` or `-1MO`), with `EXDATE` and `RDATE` exceptions/additions.
/// Events with `STATUS:CANCELLED` and components other than `VEVENT` are ignored.
///
/// # Errors
///
/// An [`IcsError`] naming the line and column (in `text`, before unfolding) of the first
/// problem found: not an iCalendar file, malformed content lines, a `VEVENT` without an
/// all-day `DTSTART`, invalid dates, `DTEND` not after `DTSTART`, or a recurrence this model
/// cannot represent (non-yearly, unsupported `RRULE` parts, `COUNT=0`, bad `INTERVAL`...).
pub fn parse_holidays(text: &str) -> Result<Holidays, IcsError> {
    let source = Source::new(text);
    source.check_structure()?;
    let Ok(roots) = read_components(&source.normalized) else {
        return Err(source.syntax_error());
    };
    let mut holidays = Holidays::new();
    for root in &roots {
        if !root.name.as_str().eq_ignore_ascii_case("VCALENDAR") {
            return Err(source.error(
                source.begin_offset(root),
                format!(
                    "expected a VCALENDAR, found BEGIN:{}: a holiday file must be a VCALENDAR",
                    root.name
                ),
            ));
        }
        for component in &root.components {
            if component.name.as_str().eq_ignore_ascii_case("VEVENT") {
                read_event(&source, component, &mut holidays)?;
            }
        }
    }
    Ok(holidays)
}
/// Whole days from `from` to `to`.
fn days_from(from: Date, to: Date) -> i64 {
    to.duration_since(from)
        .as_secs()
        .div_euclid(SECONDS_PER_DAY)
}

/// Properties of `component` named `name` (case-insensitive).
fn properties<'c, 'a>(
    component: &'c Component<'a>,
    name: &'c str,
) -> impl Iterator<Item = &'c Property<'a>> + 'c {
    component
        .properties
        .iter()
        .filter(move |property| property.name.as_str().eq_ignore_ascii_case(name))
}

/// The property `name` of `component`, if present; an error if it appears twice.
fn single<'c, 'a>(
    source: &Source<'_>,
    component: &'c Component<'a>,
    name: &'c str,
) -> Result<Option<&'c Property<'a>>, IcsError> {
    let mut found = properties(component, name);
    let first = found.next();
    if let Some(second) = found.next() {
        return Err(source.error_at(
            second.name.as_str(),
            format!("{name} appears twice in this VEVENT: expected at most one"),
        ));
    }
    Ok(first)
}

/// The value of parameter `key` (case-insensitive) of `property`, without quotes.
fn parameter<'p>(property: &'p Property<'_>, key: &str) -> Option<&'p str> {
    property
        .params
        .iter()
        .find(|param| param.key.as_str().eq_ignore_ascii_case(key))
        .and_then(|param| param.val.as_ref())
        .map(|val| val.as_str().trim().trim_matches('"').trim())
}

/// A parsed `DATE` or `DATE-TIME` value.
enum DateValue {
    /// `YYYYMMDD`.
    Date(Date),
    /// `YYYYMMDDTHHMMSS[Z]`: only its date is kept.
    DateTime(Date),
}

/// Parses `YYYYMMDD` or `YYYYMMDDTHHMMSS[Z]`; the error is a message fragment.
fn parse_date_value(value: &str) -> Result<DateValue, String> {
    let expected = "expected a date YYYYMMDD like 20261225 (or a date-time like 20261225T000000)";
    let (Some(day_part), Some(time_part)) = (value.get(..8), value.get(8..)) else {
        return Err(format!("`{}` is not a date: {expected}", snippet(value)));
    };
    if !day_part.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("`{}` is not a date: {expected}", snippet(value)));
    }
    let number = |range: std::ops::Range<usize>| {
        day_part
            .get(range)
            .and_then(|digits| digits.parse::<i16>().ok())
            .unwrap_or(0)
    };
    let (year, month, day) = (number(0..4), number(4..6), number(6..8));
    let month = i8::try_from(month).unwrap_or(0);
    let day = i8::try_from(day).unwrap_or(0);
    if !(1..=12).contains(&month) {
        return Err(format!(
            "invalid date `{day_part}`: month {month:02} does not exist (expected 01 to 12)"
        ));
    }
    let date = match Date::new(year, month, 1) {
        Ok(first) if (1..=first.days_in_month()).contains(&day) => Date::new(year, month, day)
            .map_err(|_| format!("invalid date `{day_part}`: {expected}"))?,
        Ok(first) => {
            return Err(format!(
                "invalid date `{day_part}`: day {day:02} does not exist in {year:04}-{month:02} \
                 (it has {} days)",
                first.days_in_month()
            ));
        }
        Err(_) => return Err(format!("invalid date `{day_part}`: {expected}")),
    };
    if time_part.is_empty() {
        return Ok(DateValue::Date(date));
    }
    let time = time_part
        .strip_prefix('T')
        .map(|t| t.strip_suffix('Z').unwrap_or(t));
    match time {
        Some(hms) if hms.len() == 6 && hms.bytes().all(|b| b.is_ascii_digit()) => {
            Ok(DateValue::DateTime(date))
        }
        _ => Err(format!("`{}` is not a date: {expected}", snippet(value))),
    }
}

/// The all-day date of a `DTSTART` / `DTEND` property.
fn all_day_date(
    source: &Source<'_>,
    property: &Property<'_>,
    what: &str,
) -> Result<Date, IcsError> {
    let value = property.val.as_str().trim();
    let at = source.value_offset(property, value);
    let value_type = parameter(property, "VALUE");
    let unsupported = value_type.filter(|value_type| {
        !value_type.eq_ignore_ascii_case("DATE") && !value_type.eq_ignore_ascii_case("DATE-TIME")
    });
    if let Some(value_type) = unsupported {
        return Err(source.error(
            at,
            format!(
                "{what};VALUE={} is not supported: expected an all-day date like \
                 {what};VALUE=DATE:20261225",
                snippet(value_type)
            ),
        ));
    }
    let has_time = |shown: &str| {
        source.error(
            at,
            format!(
                "{what} `{}` has a time of day, but holidays are whole days: expected an \
                 all-day date like {what};VALUE=DATE:20261225",
                snippet(shown)
            ),
        )
    };
    match parse_date_value(value) {
        Ok(DateValue::DateTime(_)) => Err(has_time(value)),
        Ok(DateValue::Date(_))
            if value_type.is_some_and(|t| t.eq_ignore_ascii_case("DATE-TIME")) =>
        {
            Err(has_time(&format!("VALUE=DATE-TIME:{value}")))
        }
        Ok(DateValue::Date(date)) => Ok(date),
        Err(message) => Err(source.error(at, format!("{what}: {message}"))),
    }
}

/// Days covered by the event: from `DTEND` (exclusive) or `DURATION`, 1 when neither is given.
fn event_span(source: &Source<'_>, event: &Component<'_>, start: Date) -> Result<i64, IcsError> {
    let end = single(source, event, "DTEND")?;
    let duration = single(source, event, "DURATION")?;
    let span = match (end, duration) {
        (Some(_), Some(duration)) => {
            return Err(source.error_at(
                duration.name.as_str(),
                "this VEVENT has both DTEND and DURATION: expected only one of them".to_owned(),
            ));
        }
        (Some(end_property), None) => {
            let end = all_day_date(source, end_property, "DTEND")?;
            let span = days_from(start, end);
            let at = source.value_offset(end_property, end_property.val.as_str().trim());
            if span <= 0 {
                let next = start.tomorrow().unwrap_or(start);
                return Err(source.error(
                    at,
                    format!(
                        "DTEND {} is not after DTSTART {}: DTEND is exclusive, so a holiday on \
                         {start} alone ends on {} (or omit DTEND)",
                        compact(end),
                        compact(start),
                        compact(next)
                    ),
                ));
            }
            (span, at)
        }
        (None, Some(duration)) => {
            let value = duration.val.as_str().trim();
            let at = source.value_offset(duration, value);
            let days = parse_duration_days(value).map_err(|message| source.error(at, message))?;
            (days, at)
        }
        (None, None) => return Ok(1),
    };
    let (days, at) = span;
    if days > MAX_SPAN_DAYS {
        return Err(source.error(
            at,
            format!(
                "the holiday would last {days} days: expected at most {MAX_SPAN_DAYS} days per \
                 event"
            ),
        ));
    }
    Ok(days)
}

/// `YYYYMMDD` rendering of a date, as written in iCalendar.
fn compact(date: Date) -> String {
    format!("{:04}{:02}{:02}", date.year(), date.month(), date.day())
}

/// Whole days of a `DURATION` value: `P<n>D` or `P<n>W`.
fn parse_duration_days(value: &str) -> Result<i64, String> {
    let expected = "expected a whole number of days or weeks like P1D, P2D or P1W";
    let body = value.strip_prefix('+').unwrap_or(value);
    if body.starts_with('-') {
        return Err(format!(
            "DURATION `{}` is negative: {expected}",
            snippet(value)
        ));
    }
    let Some(body) = body.strip_prefix('P').or_else(|| body.strip_prefix('p')) else {
        return Err(format!(
            "DURATION `{}` is not a duration: {expected}",
            snippet(value)
        ));
    };
    if body.contains(['T', 't']) {
        return Err(format!(
            "DURATION `{}` has a time part, but holidays are whole days: {expected}",
            snippet(value)
        ));
    }
    let unit = body.chars().last();
    let digits = body
        .get(..body.len() - unit.map_or(0, char::len_utf8))
        .unwrap_or_default();
    let per_unit = match unit {
        Some('D' | 'd') => 1,
        Some('W' | 'w') => 7,
        _ => {
            return Err(format!(
                "DURATION `{}` is not supported: {expected}",
                snippet(value)
            ));
        }
    };
    let count = if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        digits.parse::<i64>().unwrap_or(i64::MAX)
    } else {
        return Err(format!(
            "DURATION `{}` is not supported: {expected}",
            snippet(value)
        ));
    };
    if count == 0 {
        return Err(format!(
            "DURATION `{}` is empty: {expected}",
            snippet(value)
        ));
    }
    Ok(count.saturating_mul(per_unit))
}

/// Reads one `VEVENT` into `out`.
fn read_event(
    source: &Source<'_>,
    event: &Component<'_>,
    out: &mut Holidays,
) -> Result<(), IcsError> {
    let cancelled = properties(event, "STATUS")
        .any(|status| status.val.as_str().trim().eq_ignore_ascii_case("CANCELLED"));
    if cancelled {
        return Ok(());
    }
    let Some(start_property) = single(source, event, "DTSTART")? else {
        return Err(source.error(
            source.begin_offset(event),
            "VEVENT without DTSTART: every holiday needs a start date like \
             DTSTART;VALUE=DATE:20261225"
                .to_owned(),
        ));
    };
    let start = all_day_date(source, start_property, "DTSTART")?;
    let span = event_span(source, event, start)?;
    let except = exception_dates(source, event)?;
    let extra_starts = extra_dates(source, event)?;
    let summary = properties(event, "SUMMARY")
        .next()
        .map(|summary| summary.val.as_str().trim().to_owned())
        .unwrap_or_default();

    let rrule = single(source, event, "RRULE")?;
    for extra in extra_starts.difference(&except) {
        add_days(out, *extra, span);
    }
    match rrule {
        Some(rrule) => {
            let mut rule = read_rrule(source, rrule, start)?;
            rule.span_days = u16::try_from(span).unwrap_or(u16::MAX);
            rule.except = except;
            rule.summary = summary;
            out.add_rule(rule);
        }
        None => {
            if !except.contains(&start) {
                add_days(out, start, span);
            }
        }
    }
    Ok(())
}

/// Marks `span` consecutive days from `start` as holidays.
fn add_days(out: &mut Holidays, start: Date, span: i64) {
    let mut day = start;
    for i in 0..span {
        out.add_date(day);
        if i + 1 < span {
            match day.tomorrow() {
                Ok(next) => day = next,
                Err(_) => break,
            }
        }
    }
}

/// Splits a comma-separated list value into trimmed, non-empty items (slices of `value`).
fn list_items(value: &str) -> impl Iterator<Item = &str> {
    value
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
}

/// Dates of every `EXDATE` (date or date-time values; the date is kept).
fn exception_dates(source: &Source<'_>, event: &Component<'_>) -> Result<BTreeSet<Date>, IcsError> {
    let mut dates = BTreeSet::new();
    for property in properties(event, "EXDATE") {
        for item in list_items(property.val.as_str()) {
            match parse_date_value(item) {
                Ok(DateValue::Date(date) | DateValue::DateTime(date)) => {
                    dates.insert(date);
                }
                Err(message) => {
                    return Err(source.error(
                        source.value_offset(property, item),
                        format!("EXDATE: {message}"),
                    ));
                }
            }
        }
    }
    Ok(dates)
}

/// Dates of every `RDATE` (additional occurrence starts; all-day dates only).
fn extra_dates(source: &Source<'_>, event: &Component<'_>) -> Result<BTreeSet<Date>, IcsError> {
    let mut dates = BTreeSet::new();
    for property in properties(event, "RDATE") {
        let value = property.val.as_str();
        if parameter(property, "VALUE").is_some_and(|t| t.eq_ignore_ascii_case("PERIOD")) {
            return Err(source.error(
                source.value_offset(property, value),
                "RDATE;VALUE=PERIOD is not supported: expected all-day dates like \
                 RDATE;VALUE=DATE:20271224"
                    .to_owned(),
            ));
        }
        for item in list_items(value) {
            let at = source.value_offset(property, item);
            match parse_date_value(item) {
                Ok(DateValue::Date(date)) => {
                    dates.insert(date);
                }
                Ok(DateValue::DateTime(_)) => {
                    return Err(source.error(
                        at,
                        format!(
                            "RDATE `{}` has a time of day, but holidays are whole days: expected \
                             all-day dates like RDATE;VALUE=DATE:20271224",
                            snippet(item)
                        ),
                    ));
                }
                Err(message) => return Err(source.error(at, format!("RDATE: {message}"))),
            }
        }
    }
    Ok(dates)
}
#[cfg(test)]
mod tests;
