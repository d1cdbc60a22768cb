//! The `RRULE` forms holiday files use: `FREQ=YEARLY` with `INTERVAL`,
//! `COUNT`, `UNTIL`, one `BYMONTH`, one `BYMONTHDAY` or an ordinal `BYDAY`.

use icalendar::parser::Property;
use jiff::civil::{Date, Weekday};

use super::source::{Source, snippet};
use super::{DateValue, IcsError, compact, parse_date_value};
use crate::calendar::holidays::{YearlyHoliday, YearlyPattern};

/// Names of the RRULE parts this module understands.
pub(super) const KNOWN_PARTS: [&str; 8] = [
    "FREQ",
    "INTERVAL",
    "COUNT",
    "UNTIL",
    "BYMONTH",
    "BYMONTHDAY",
    "BYDAY",
    "WKST",
];

/// RRULE parts this module understands, as listed in errors.
pub(super) const SUPPORTED_PARTS: &str = "FREQ=YEARLY, INTERVAL, COUNT, UNTIL, BYMONTH, BYMONTHDAY, \
                               BYDAY (with an ordinal) and WKST";

/// Reads an `RRULE` value into a rule starting at `start` (span, exceptions and summary are
/// left at their defaults).
pub(super) fn read_rrule(
    source: &Source<'_>,
    property: &Property<'_>,
    start: Date,
) -> Result<YearlyHoliday, IcsError> {
    let value = property.val.as_str().trim();
    let at = |part: &str| source.value_offset(property, part);
    let fail = |part: &str, message: String| Err(source.error(at(part), message));

    let mut seen: Vec<String> = Vec::new();
    let mut freq = false;
    let mut interval: u16 = 1;
    let mut count = None;
    let mut until: Option<(Date, &str)> = None;
    let mut by_month: Option<(i8, &str)> = None;
    let mut by_month_day: Option<(i8, &str)> = None;
    let mut by_day: Option<(i8, Weekday, &str)> = None;

    let parts = || {
        value
            .split(';')
            .map(str::trim)
            .filter(|part| !part.is_empty())
    };
    // Unsupported parts first: they say more about the rule than a bad value elsewhere.
    for part in parts() {
        let name = part.split_once('=').map_or(part, |(name, _)| name).trim();
        if !KNOWN_PARTS
            .iter()
            .any(|known| known.eq_ignore_ascii_case(name))
        {
            return fail(
                part,
                format!(
                    "RRULE part {} is not supported: expected only {SUPPORTED_PARTS}",
                    snippet(&name.to_ascii_uppercase())
                ),
            );
        }
    }
    for part in parts() {
        let Some((name, part_value)) = part.split_once('=') else {
            return fail(
                part,
                format!(
                    "RRULE part `{}` has no value: expected NAME=VALUE",
                    snippet(part)
                ),
            );
        };
        let upper = name.trim().to_ascii_uppercase();
        if seen.contains(&upper) {
            return fail(
                part,
                format!("RRULE has {upper} twice: expected it at most once"),
            );
        }
        seen.push(upper.clone());
        let part_value = part_value.trim();
        let several = |what: &str| {
            source.error(
                at(part_value),
                format!(
                    "several {what} values (`{}`) are not supported: expected one value \
                     (write one VEVENT per {})",
                    snippet(part_value),
                    if what == "BYMONTH" { "month" } else { "day" }
                ),
            )
        };
        match upper.as_str() {
            "FREQ" => {
                if !part_value.eq_ignore_ascii_case("YEARLY") {
                    return fail(
                        part_value,
                        format!(
                            "RRULE FREQ={} is not supported: holidays recur yearly, expected \
                             FREQ=YEARLY",
                            snippet(part_value)
                        ),
                    );
                }
                freq = true;
            }
            "INTERVAL" => match part_value.parse::<u16>() {
                Ok(n) if n >= 1 => interval = n,
                _ => {
                    return fail(
                        part_value,
                        format!(
                            "RRULE INTERVAL={} is invalid: expected a whole number of years \
                             from 1 to {}",
                            snippet(part_value),
                            u16::MAX
                        ),
                    );
                }
            },
            "COUNT" => match part_value.parse::<u32>() {
                Ok(0) => {
                    return fail(
                        part_value,
                        "RRULE COUNT=0 is invalid: expected at least 1 occurrence".to_owned(),
                    );
                }
                Ok(n) => count = Some(n),
                Err(_) => {
                    return fail(
                        part_value,
                        format!(
                            "RRULE COUNT={} is invalid: expected a positive whole number of \
                             occurrences",
                            snippet(part_value)
                        ),
                    );
                }
            },
            "UNTIL" => match parse_date_value(part_value) {
                Ok(DateValue::Date(date) | DateValue::DateTime(date)) => {
                    until = Some((date, part_value));
                }
                Err(message) => return fail(part_value, format!("RRULE UNTIL: {message}")),
            },
            "BYMONTH" => {
                if part_value.contains(',') {
                    return Err(several("BYMONTH"));
                }
                match part_value.parse::<i8>() {
                    Ok(month) if (1..=12).contains(&month) => by_month = Some((month, part)),
                    _ => {
                        return fail(
                            part_value,
                            format!(
                                "RRULE BYMONTH={} is invalid: expected a month number from 1 \
                                 to 12",
                                snippet(part_value)
                            ),
                        );
                    }
                }
            }
            "BYMONTHDAY" => {
                if part_value.contains(',') {
                    return Err(several("BYMONTHDAY"));
                }
                match part_value.parse::<i8>() {
                    Ok(day) if (1..=31).contains(&day) => by_month_day = Some((day, part)),
                    Ok(day) if (-31..=-1).contains(&day) => {
                        return fail(
                            part_value,
                            format!(
                                "RRULE BYMONTHDAY={day} (counting from the end of the month) \
                                 is not supported: expected a day of the month from 1 to 31"
                            ),
                        );
                    }
                    _ => {
                        return fail(
                            part_value,
                            format!(
                                "RRULE BYMONTHDAY={} is invalid: expected a day of the month \
                                 from 1 to 31",
                                snippet(part_value)
                            ),
                        );
                    }
                }
            }
            "BYDAY" => {
                if part_value.contains(',') {
                    return Err(several("BYDAY"));
                }
                let (nth, weekday) = parse_by_day(part_value)
                    .map_err(|message| source.error(at(part_value), message))?;
                by_day = Some((nth, weekday, part));
            }
            "WKST" => {
                if parse_weekday(part_value).is_none() {
                    return fail(
                        part_value,
                        format!(
                            "RRULE WKST={} is invalid: expected MO, TU, WE, TH, FR, SA or SU",
                            snippet(part_value)
                        ),
                    );
                }
            }
            _ => {
                return fail(
                    part,
                    format!(
                        "RRULE part {} is not supported: expected only {SUPPORTED_PARTS}",
                        snippet(&upper)
                    ),
                );
            }
        }
    }
    if !freq {
        return fail(
            value,
            format!(
                "RRULE `{}` has no FREQ: expected FREQ=YEARLY",
                snippet(value)
            ),
        );
    }
    let pattern = match (by_month, by_month_day, by_day) {
        (_, Some((_, day_part)), Some(_)) => {
            return fail(
                day_part,
                "RRULE BYMONTHDAY together with BYDAY is not supported: expected one of them"
                    .to_owned(),
            );
        }
        (None, _, Some((_, _, day_part))) => {
            return fail(
                day_part,
                format!(
                    "RRULE {} needs BYMONTH: expected e.g. BYMONTH=11;BYDAY=4TH",
                    snippet(day_part)
                ),
            );
        }
        (Some((month, _)), None, Some((nth, weekday, _))) => YearlyPattern::NthWeekday {
            month,
            nth,
            weekday,
        },
        (None, Some((_, day_part)), None) => {
            return fail(
                day_part,
                format!(
                    "RRULE {} without BYMONTH repeats every month: expected BYMONTH too, e.g. \
                     BYMONTH=7;BYMONTHDAY=4",
                    snippet(day_part)
                ),
            );
        }
        (Some((month, month_part)), day, None) => {
            let (day, day_part) = day.unwrap_or((start.day(), month_part));
            if day > longest_month(month) {
                return fail(
                    day_part,
                    format!(
                        "day {day} never occurs in month {month}: expected a day from 1 to {}",
                        longest_month(month)
                    ),
                );
            }
            YearlyPattern::MonthDay { month, day }
        }
        (None, None, None) => YearlyPattern::month_day_of(start),
    };
    let mut rule = YearlyHoliday::new(start, pattern);
    rule.interval = interval;
    rule.count = count;
    if let Some((until, until_part)) = until {
        if until < start {
            return fail(
                until_part,
                format!(
                    "RRULE UNTIL={} is before DTSTART {}: expected the last occurrence date",
                    compact(until),
                    compact(start)
                ),
            );
        }
        rule.until = Some(until);
    }
    Ok(rule)
}

/// Most days `month` can have (29 for February).
pub(super) fn longest_month(month: i8) -> i8 {
    match month {
        2 => 29,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Two-letter iCalendar weekday code.
pub(super) fn parse_weekday(code: &str) -> Option<Weekday> {
    let weekday = match code.to_ascii_uppercase().as_str() {
        "MO" => Weekday::Monday,
        "TU" => Weekday::Tuesday,
        "WE" => Weekday::Wednesday,
        "TH" => Weekday::Thursday,
        "FR" => Weekday::Friday,
        "SA" => Weekday::Saturday,
        "SU" => Weekday::Sunday,
        _ => return None,
    };
    Some(weekday)
}

/// A `BYDAY` value with an ordinal, like `4TH`, `+1MO` or `-1MO`.
pub(super) fn parse_by_day(value: &str) -> Result<(i8, Weekday), String> {
    let split = value
        .char_indices()
        .find(|&(_, c)| c.is_ascii_alphabetic())
        .map_or(value.len(), |(i, _)| i);
    let (ordinal, code) = value.split_at(split);
    let Some(weekday) = parse_weekday(code) else {
        return Err(format!(
            "RRULE BYDAY={} is invalid: expected an ordinal and a weekday (MO, TU, WE, TH, FR, \
             SA or SU) like 4TH or -1MO",
            snippet(value)
        ));
    };
    if ordinal.is_empty() {
        return Err(format!(
            "RRULE BYDAY={} without an ordinal means every {code} of the month: expected one \
             day like 4{code} (fourth) or -1{code} (last)",
            snippet(value)
        ));
    }
    let digits = ordinal.strip_prefix('+').unwrap_or(ordinal);
    match digits.parse::<i8>() {
        Ok(nth) if (1..=5).contains(&nth) || (-5..=-1).contains(&nth) => Ok((nth, weekday)),
        _ => Err(format!(
            "RRULE BYDAY={} has an invalid ordinal: expected 1 to 5 or -1 to -5 within BYMONTH",
            snippet(value)
        )),
    }
}
