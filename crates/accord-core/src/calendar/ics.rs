//! Calendar holidays from iCalendar files (SPEC §3, "holidays (whole days, from lists or
//! iCalendar files)").
//!
//! This module owns reading an RFC 5545 holiday file into [`Holidays`]: all-day `VEVENT`s,
//! optionally multi-day (`DTEND` / `DURATION`), optionally recurring yearly (`RRULE` with
//! `FREQ=YEARLY`, `EXDATE`, `RDATE`). The syntax is read by the `icalendar` crate's parser;
//! this module adds a light line scan so that every error names the line and column of the
//! offending text in the original file (before line unfolding).

use std::collections::BTreeSet;

use icalendar::parser::{Component, Property, read_calendar_simple, read_components, unfold};
use jiff::civil::{Date, Weekday};

use super::holidays::{Holidays, YearlyHoliday, YearlyPattern};

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

/// Maps offsets in a transformed text back to the text it was made from: sorted
/// `(output_offset, input_offset)` starts of stretches copied verbatim.
#[derive(Debug, Default)]
struct OffsetMap(Vec<(usize, usize)>);

impl OffsetMap {
    /// Records that output byte `output` is a copy of input byte `input` (and so on after it).
    fn push(&mut self, output: usize, input: usize) {
        self.0.push((output, input));
    }

    /// The input offset of output offset `output`. An inserted byte maps to the input byte
    /// that follows it.
    fn map(&self, output: usize) -> usize {
        let index = self.0.partition_point(|&(start, _)| start <= output);
        match index.checked_sub(1).and_then(|i| self.0.get(i)) {
            Some(&(out_start, in_start)) => in_start + (output - out_start),
            None => output,
        }
    }
}

/// Removes folds (a line break followed by a space or tab), exactly like
/// [`icalendar::parser::unfold`], and records where the removed bytes were.
fn unfold_with_map(text: &str) -> (String, OffsetMap) {
    let mut out = String::with_capacity(text.len());
    let mut map = OffsetMap::default();
    map.push(0, 0);
    let bytes = text.as_bytes();
    let mut copied_from = 0;
    let mut i = 0;
    while i < bytes.len() {
        let fold_len = match (bytes.get(i), bytes.get(i + 1), bytes.get(i + 2)) {
            (Some(b'\r'), Some(b'\n'), Some(b' ' | b'\t')) => 3,
            (Some(b'\n'), Some(b' ' | b'\t'), _) => 2,
            _ => 0,
        };
        if fold_len == 0 {
            i += 1;
            continue;
        }
        out.push_str(text.get(copied_from..i).unwrap_or_default());
        i += fold_len;
        copied_from = i;
        map.push(out.len(), i);
    }
    out.push_str(text.get(copied_from..).unwrap_or_default());
    (out, map)
}

/// Turns every bare `\n` into `\r\n` (the `icalendar` parser reads a value up to the next
/// `\r\n` anywhere in the input, so mixed line endings would merge lines), recording where
/// the inserted bytes are.
fn normalize_line_endings(text: &str) -> (String, OffsetMap) {
    let mut out = String::with_capacity(text.len() + text.len() / 32);
    let mut map = OffsetMap::default();
    map.push(0, 0);
    let mut copied_from = 0;
    let mut previous = None;
    for (i, byte) in text.bytes().enumerate() {
        if byte == b'\n' && previous != Some(b'\r') {
            out.push_str(text.get(copied_from..i).unwrap_or_default());
            out.push('\r');
            map.push(out.len(), i);
            copied_from = i;
        }
        previous = Some(byte);
    }
    out.push_str(text.get(copied_from..).unwrap_or_default());
    (out, map)
}

/// The file being parsed: original text, the normalized text handed to the parser, and the
/// mapping between the two.
struct Source<'t> {
    /// Original text, without a leading byte-order mark.
    original: &'t str,
    /// Unfolded text with `\r\n` line endings.
    normalized: String,
    /// `normalized` offsets to unfolded offsets.
    endings: OffsetMap,
    /// Unfolded offsets to `original` offsets.
    folds: OffsetMap,
}

impl<'t> Source<'t> {
    fn new(text: &'t str) -> Self {
        let original = text.strip_prefix('\u{feff}').unwrap_or(text);
        let (_, folds) = unfold_with_map(original);
        let unfolded = unfold(original);
        let (normalized, endings) = normalize_line_endings(&unfolded);
        Source {
            original,
            normalized,
            endings,
            folds,
        }
    }

    /// Offset of `part` in `normalized`, when `part` is a slice of it.
    fn offset_of(&self, part: &str) -> Option<usize> {
        let start = self.normalized.as_ptr().addr();
        let at = part.as_ptr().addr();
        (start..=start + self.normalized.len())
            .contains(&at)
            .then(|| at - start)
    }

    /// Offset of `part` in `normalized`, or of `fallback` when `part` was copied (unescaped)
    /// by the parser, or 0.
    fn offset_or(&self, part: &str, fallback: &str) -> usize {
        self.offset_of(part)
            .or_else(|| self.offset_of(fallback))
            .unwrap_or(0)
    }

    /// Offset of the `BEGIN:` line of `component`.
    fn begin_offset(&self, component: &Component<'_>) -> usize {
        self.offset_of(component.name.as_str())
            .map_or(0, |at| at.saturating_sub("BEGIN:".len()))
    }

    /// Offset of a property's value (or of its name when the value was unescaped).
    fn value_offset(&self, property: &Property<'_>, value: &str) -> usize {
        self.offset_or(value, property.name.as_str())
    }

    /// 1-based line and column in the original text of `normalized` offset `offset`.
    fn position(&self, offset: usize) -> (usize, usize) {
        let mut at = self
            .folds
            .map(self.endings.map(offset))
            .min(self.original.len());
        while !self.original.is_char_boundary(at) {
            at -= 1;
        }
        let before = self.original.get(..at).unwrap_or_default();
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
        let column = before.get(line_start..).unwrap_or_default().chars().count() + 1;
        (line, column)
    }

    /// An error at `normalized` offset `offset`.
    fn error(&self, offset: usize, message: String) -> IcsError {
        let (line, column) = self.position(offset);
        IcsError {
            line,
            column,
            message,
        }
    }

    /// An error at `part`, a slice of `normalized` (line 1, column 1 if it is not).
    fn error_at(&self, part: &str, message: String) -> IcsError {
        self.error(self.offset_of(part).unwrap_or(0), message)
    }

    /// The error for a file the `icalendar` parser rejected although the line scan accepted it.
    fn syntax_error(&self) -> IcsError {
        let offset = match read_calendar_simple(&self.normalized) {
            Err(error) => self.offset_of(error.input).unwrap_or(0),
            Ok(_) => 0,
        };
        self.error(
            offset,
            "invalid iCalendar syntax: cannot read the content from here on \
             (expected BEGIN:<name>, END:<name> or NAME;PARAM=VALUE:value lines)"
                .to_owned(),
        )
    }

    /// Line-level check of the content lines and BEGIN/END nesting, so that syntax errors get
    /// precise positions (the `icalendar` parser reports them at the enclosing BEGIN line).
    fn check_structure(&self) -> Result<(), IcsError> {
        let mut open: Vec<&str> = Vec::new();
        let mut seen_calendar = false;
        let mut rest = self.normalized.as_str();
        while !rest.is_empty() {
            // Lines end with `\r\n` after normalization; a last line without `\n` keeps any `\r`.
            let (line, tail) = match rest.split_once('\n') {
                Some((line, tail)) => (line.strip_suffix('\r').unwrap_or(line), tail),
                None => (rest, ""),
            };
            rest = tail;
            if line.trim().is_empty() {
                continue;
            }
            if !seen_calendar {
                if let Some((keyword, name)) = begin_or_end(line) {
                    self.check_component_name(keyword, name)?;
                }
                let is_calendar = begin_or_end(line).is_some_and(|(keyword, name)| {
                    keyword == "BEGIN" && name.eq_ignore_ascii_case("VCALENDAR")
                });
                if !is_calendar {
                    let found = line.trim_start();
                    return Err(self.error_at(
                        found,
                        format!(
                            "not an iCalendar file: expected BEGIN:VCALENDAR, found `{}`",
                            snippet(found)
                        ),
                    ));
                }
                seen_calendar = true;
                open.push(line.get("BEGIN:".len()..).unwrap_or_default());
                continue;
            }
            if open.is_empty() {
                return Err(self.error_at(
                    line,
                    format!(
                        "unexpected `{}` after END:VCALENDAR: expected the end of the file \
                         (one calendar per file)",
                        snippet(line)
                    ),
                ));
            }
            match begin_or_end(line) {
                Some(("BEGIN", name)) => {
                    self.check_component_name("BEGIN", name)?;
                    open.push(name);
                    if open.len() > MAX_NESTING {
                        return Err(self.error_at(
                            line,
                            format!(
                                "components are nested more than {MAX_NESTING} levels deep: \
                                 expected a holiday calendar (VCALENDAR containing VEVENTs)"
                            ),
                        ));
                    }
                }
                Some((keyword, name)) => {
                    self.check_component_name(keyword, name)?;
                    let expected = open.pop().unwrap_or_default();
                    if name != expected {
                        return Err(self.error_at(
                            name,
                            format!(
                                "END:{} does not close BEGIN:{expected}: expected END:{expected}",
                                snippet(name)
                            ),
                        ));
                    }
                }
                None => self.check_property_line(line)?,
            }
        }
        if !seen_calendar {
            return Err(self.error(
                0,
                "empty file: expected an iCalendar file starting with BEGIN:VCALENDAR".to_owned(),
            ));
        }
        if let Some(name) = open.last() {
            return Err(self.error(
                self.offset_of(name)
                    .map_or(0, |at| at.saturating_sub("BEGIN:".len())),
                format!(
                    "BEGIN:{name} is never closed: expected END:{name} before the end of the file"
                ),
            ));
        }
        Ok(())
    }

    /// Checks the name after `BEGIN:` or `END:` (same characters as the `icalendar` parser
    /// accepts).
    fn check_component_name(&self, keyword: &str, name: &str) -> Result<(), IcsError> {
        if name.is_empty() {
            return Err(self.error_at(
                name,
                format!("{keyword}: without a component name: expected e.g. {keyword}:VEVENT"),
            ));
        }
        if let Some((i, c)) = name.char_indices().find(|&(_, c)| !is_name_char(c)) {
            return Err(self.error_at(
                name.get(i..).unwrap_or(name),
                format!(
                    "unexpected {c:?} in component name `{}`: expected only letters, digits \
                     and `-` up to the end of the line, e.g. {keyword}:VEVENT",
                    snippet(name.trim_end())
                ),
            ));
        }
        Ok(())
    }

    /// Checks `NAME *(;PARAM[=VALUE]) : value` the way the `icalendar` parser reads it.
    fn check_property_line(&self, line: &str) -> Result<(), IcsError> {
        let name_end = line.find(|c: char| !is_name_char(c)).unwrap_or(line.len());
        let name = line.get(..name_end).unwrap_or_default();
        let rest = line.get(name_end..).unwrap_or_default();
        if name.is_empty() {
            return Err(self.error_at(
                line,
                format!(
                    "expected a content line like NAME:value (e.g. DTSTART;VALUE=DATE:20261225), \
                     found `{}`",
                    snippet(line)
                ),
            ));
        }
        if name.eq_ignore_ascii_case("BEGIN") || name.eq_ignore_ascii_case("END") {
            return Err(self.error_at(
                rest,
                format!("expected `:` and a component name after {name}, e.g. {name}:VEVENT"),
            ));
        }
        let mut rest = rest;
        while let Some(after) = rest.strip_prefix(';') {
            let after = after.trim_start_matches([' ', '\t']);
            let key_end = after
                .find(|c: char| !is_name_char(c))
                .unwrap_or(after.len());
            rest = after.get(key_end..).unwrap_or_default();
            if let Some(value) = rest.strip_prefix('=') {
                rest = match value.strip_prefix('"') {
                    Some(quoted) => match quoted.find('"') {
                        Some(close) => quoted.get(close + 1..).unwrap_or_default(),
                        None => {
                            return Err(self.error_at(
                                value,
                                "unterminated quoted parameter value: expected a closing `\"`"
                                    .to_owned(),
                            ));
                        }
                    },
                    None => {
                        let end = value.find([';', ':']).unwrap_or(value.len());
                        value.get(end..).unwrap_or_default()
                    }
                };
            }
        }
        if rest.starts_with(':') {
            return Ok(());
        }
        let found = if rest.is_empty() {
            "the end of the line".to_owned()
        } else {
            format!("`{}`", snippet(rest))
        };
        Err(self.error_at(
            rest,
            format!(
                "property {name}: expected `:` before its value (NAME;PARAM=VALUE:value), \
                 found {found}"
            ),
        ))
    }
}

/// `Some(("BEGIN", name))` for a `BEGIN:name` line (any case), `Some(("END", name))` for
/// `END:name`.
fn begin_or_end(line: &str) -> Option<(&'static str, &str)> {
    let prefix = |tag: &str| {
        line.get(..tag.len())
            .filter(|head| head.eq_ignore_ascii_case(tag))
            .and_then(|_| line.get(tag.len()..))
    };
    prefix("BEGIN:")
        .map(|name| ("BEGIN", name))
        .or_else(|| prefix("END:").map(|name| ("END", name)))
}

/// Characters the `icalendar` parser accepts in names.
fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ',' | '/')
}

/// At most 40 characters of `text`, for messages.
fn snippet(text: &str) -> String {
    let mut chars = text.chars();
    let mut out: String = chars.by_ref().take(40).collect();
    if chars.next().is_some() {
        out.push('…');
    }
    out
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

/// Names of the RRULE parts this module understands.
const KNOWN_PARTS: [&str; 8] = [
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
const SUPPORTED_PARTS: &str = "FREQ=YEARLY, INTERVAL, COUNT, UNTIL, BYMONTH, BYMONTHDAY, \
                               BYDAY (with an ordinal) and WKST";

/// Reads an `RRULE` value into a rule starting at `start` (span, exceptions and summary are
/// left at their defaults).
fn read_rrule(
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
fn longest_month(month: i8) -> i8 {
    match month {
        2 => 29,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Two-letter iCalendar weekday code.
fn parse_weekday(code: &str) -> Option<Weekday> {
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
fn parse_by_day(value: &str) -> Result<(i8, Weekday), String> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn calendar(body: &str) -> String {
        format!("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Accord//Test//EN\n{body}END:VCALENDAR\n")
    }

    fn event(lines: &str) -> String {
        calendar(&format!("BEGIN:VEVENT\nUID:x@accord\n{lines}END:VEVENT\n"))
    }

    fn parse(text: &str) -> Holidays {
        let result = parse_holidays(text);
        assert!(result.is_ok(), "unexpected error: {result:?}\n{text}");
        result.unwrap_or_default()
    }

    fn parse_err(text: &str) -> IcsError {
        let result = parse_holidays(text);
        assert!(result.is_err(), "expected an error, got {result:?}\n{text}");
        result.err().unwrap_or_else(|| IcsError {
            line: 0,
            column: 0,
            message: String::new(),
        })
    }

    /// Asserts the error position and that the message mentions `needle`.
    fn assert_error(text: &str, line: usize, column: usize, needle: &str) {
        let error = parse_err(text);
        assert_eq!((error.line, error.column), (line, column), "{error}");
        assert!(error.message.contains(needle), "`{needle}` not in: {error}");
    }

    fn between(holidays: &Holidays, from: Date, to: Date) -> Vec<Date> {
        holidays.dates_between(from, to)
    }

    #[test]
    fn single_all_day_event_closes_one_day() {
        let h = parse(&event("SUMMARY:Christmas\nDTSTART;VALUE=DATE:20261225\n"));
        assert!(h.contains(date(2026, 12, 25)));
        assert!(!h.contains(date(2026, 12, 24)));
        assert!(!h.contains(date(2026, 12, 26)));
        assert!(!h.contains(date(2027, 12, 25)));
        assert!(h.rules().is_empty());
    }

    #[test]
    fn bare_eight_digit_dtstart_is_an_all_day_date() {
        let h = parse(&event("DTSTART:20260101\n"));
        assert_eq!(
            h.dates().iter().copied().collect::<Vec<_>>(),
            vec![date(2026, 1, 1)]
        );
    }

    #[test]
    fn multi_day_event_closes_every_day_until_dtend_exclusive() {
        let h = parse(&event(
            "DTSTART;VALUE=DATE:20261224\nDTEND;VALUE=DATE:20261227\n",
        ));
        assert_eq!(
            between(&h, date(2026, 12, 1), date(2026, 12, 31)),
            vec![date(2026, 12, 24), date(2026, 12, 25), date(2026, 12, 26)]
        );
    }

    #[test]
    fn duration_in_days_or_weeks_sets_the_span() {
        let h = parse(&event("DTSTART;VALUE=DATE:20260801\nDURATION:P2D\n"));
        assert_eq!(
            between(&h, date(2026, 7, 1), date(2026, 9, 1)),
            vec![date(2026, 8, 1), date(2026, 8, 2)]
        );
        let h = parse(&event("DTSTART;VALUE=DATE:20260801\nDURATION:P1W\n"));
        assert_eq!(between(&h, date(2026, 7, 1), date(2026, 9, 1)).len(), 7);
        assert!(h.contains(date(2026, 8, 7)));
        assert!(!h.contains(date(2026, 8, 8)));
    }

    #[test]
    fn yearly_rule_on_fixed_date_spanning_year_end_closes_both_years() {
        let h = parse(&event(
            "SUMMARY:New Year\nDTSTART;VALUE=DATE:20251231\nDTEND;VALUE=DATE:20260102\n\
             RRULE:FREQ=YEARLY\n",
        ));
        assert!(h.contains(date(2025, 12, 31)));
        assert!(h.contains(date(2026, 1, 1)));
        assert!(!h.contains(date(2026, 1, 2)));
        assert!(h.contains(date(2030, 12, 31)));
        assert!(h.contains(date(2031, 1, 1)));
        assert!(!h.contains(date(2025, 1, 1)), "before the first occurrence");
        assert_eq!(h.rules().len(), 1);
        assert_eq!(h.rules()[0].summary, "New Year");
        assert_eq!(h.rules()[0].span_days, 2);
    }

    #[test]
    fn thanksgiving_fourth_thursday_of_november() {
        let h = parse(&event(
            "DTSTART;VALUE=DATE:20221124\nRRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=4TH\n",
        ));
        assert!(h.contains(date(2026, 11, 26)));
        assert!(h.contains(date(2027, 11, 25)));
        assert!(!h.contains(date(2026, 11, 19)));
        assert!(!h.contains(date(2027, 11, 26)));
    }

    #[test]
    fn memorial_day_last_monday_of_may() {
        let h = parse(&event(
            "DTSTART;VALUE=DATE:20200525\nRRULE:FREQ=YEARLY;BYDAY=-1MO;BYMONTH=5\n",
        ));
        assert!(h.contains(date(2026, 5, 25)));
        assert!(h.contains(date(2027, 5, 31)));
        assert!(!h.contains(date(2027, 5, 24)));
    }

    #[test]
    fn bymonth_alone_keeps_the_dtstart_day() {
        let h = parse(&event(
            "DTSTART;VALUE=DATE:20260704\nRRULE:FREQ=YEARLY;BYMONTH=7\n",
        ));
        assert!(h.contains(date(2030, 7, 4)));
        let h = parse(&event(
            "DTSTART;VALUE=DATE:20260704\nRRULE:FREQ=YEARLY;BYMONTH=7;BYMONTHDAY=4\n",
        ));
        assert!(h.contains(date(2030, 7, 4)));
    }

    #[test]
    fn count_limits_the_number_of_occurrences() {
        let h = parse(&event(
            "DTSTART;VALUE=DATE:20260501\nRRULE:FREQ=YEARLY;COUNT=3\n",
        ));
        assert!(h.contains(date(2026, 5, 1)));
        assert!(h.contains(date(2028, 5, 1)));
        assert!(!h.contains(date(2029, 5, 1)));
    }

    #[test]
    fn until_date_or_date_time_bounds_occurrences_inclusively() {
        let h = parse(&event(
            "DTSTART;VALUE=DATE:20260501\nRRULE:FREQ=YEARLY;UNTIL=20280501\n",
        ));
        assert!(h.contains(date(2028, 5, 1)));
        assert!(!h.contains(date(2029, 5, 1)));
        let h = parse(&event(
            "DTSTART;VALUE=DATE:20260501\nRRULE:FREQ=YEARLY;UNTIL=20270501T235959Z\n",
        ));
        assert!(h.contains(date(2027, 5, 1)));
        assert!(!h.contains(date(2028, 5, 1)));
    }

    #[test]
    fn interval_two_recurs_every_other_year() {
        let h = parse(&event(
            "DTSTART;VALUE=DATE:20260310\nRRULE:FREQ=YEARLY;INTERVAL=2\n",
        ));
        assert!(h.contains(date(2026, 3, 10)));
        assert!(!h.contains(date(2027, 3, 10)));
        assert!(h.contains(date(2028, 3, 10)));
    }

    #[test]
    fn exdate_removes_occurrences_and_accepts_lists_and_date_times() {
        let h = parse(&event(
            "DTSTART;VALUE=DATE:20260101\nRRULE:FREQ=YEARLY\nEXDATE;VALUE=DATE:20270101,20280101\n\
             EXDATE:20300101T000000\n",
        ));
        assert!(h.contains(date(2026, 1, 1)));
        assert!(!h.contains(date(2027, 1, 1)));
        assert!(!h.contains(date(2028, 1, 1)));
        assert!(h.contains(date(2029, 1, 1)));
        assert!(!h.contains(date(2030, 1, 1)));
    }

    #[test]
    fn exdate_on_dtstart_of_single_event_removes_it_and_rdate_adds_days() {
        let h = parse(&event(
            "DTSTART;VALUE=DATE:20260101\nEXDATE;VALUE=DATE:20260101\n",
        ));
        assert!(h.is_empty());
        let h = parse(&event(
            "DTSTART;VALUE=DATE:20260101\nDURATION:P2D\nRDATE;VALUE=DATE:20270105\n",
        ));
        assert_eq!(
            between(&h, date(2026, 1, 1), date(2027, 12, 31)),
            vec![
                date(2026, 1, 1),
                date(2026, 1, 2),
                date(2027, 1, 5),
                date(2027, 1, 6)
            ]
        );
    }

    #[test]
    fn feb_29_yearly_rule_skips_non_leap_years() {
        let h = parse(&event("DTSTART;VALUE=DATE:20240229\nRRULE:FREQ=YEARLY\n"));
        assert!(h.contains(date(2024, 2, 29)));
        assert!(!h.contains(date(2025, 2, 28)));
        assert!(!h.contains(date(2025, 3, 1)));
        assert!(h.contains(date(2028, 2, 29)));
        assert_eq!(
            between(&h, date(2024, 1, 1), date(2032, 12, 31)),
            vec![date(2024, 2, 29), date(2028, 2, 29), date(2032, 2, 29)]
        );
    }

    #[test]
    fn crlf_line_endings_and_folded_lines_are_understood() {
        let text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:A very long \r\n holiday name\r\nDTSTART;VALUE=\r\n DATE:2026\r\n\t1225\r\nRRULE:FREQ=YEARLY;BY\r\n MONTH=12\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let h = parse(text);
        assert!(h.contains(date(2026, 12, 25)));
        assert!(h.contains(date(2027, 12, 25)));
        assert_eq!(h.rules()[0].summary, "A very long holiday name");
    }

    #[test]
    fn mixed_line_endings_do_not_merge_lines() {
        let text = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261225\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        assert!(parse(text).contains(date(2026, 12, 25)));
    }

    #[test]
    fn other_components_and_cancelled_events_are_ignored() {
        let h = parse(&calendar(
            "BEGIN:VTIMEZONE\nTZID:Europe/Paris\nBEGIN:STANDARD\nDTSTART:19701025T030000\n\
             END:STANDARD\nEND:VTIMEZONE\nBEGIN:VTODO\nDTSTART:20260101T100000\nEND:VTODO\n\
             BEGIN:VEVENT\nSTATUS:CANCELLED\nDTSTART:20260101T100000\nEND:VEVENT\n\
             BEGIN:VEVENT\nDTSTART;VALUE=DATE:20260501\nBEGIN:VALARM\nTRIGGER:-PT1H\n\
             END:VALARM\nEND:VEVENT\n",
        ));
        assert_eq!(
            h.dates().iter().copied().collect::<Vec<_>>(),
            vec![date(2026, 5, 1)]
        );
    }

    #[test]
    fn lowercase_names_and_byte_order_mark_are_accepted() {
        let text = "\u{feff}begin:vcalendar\nbegin:vevent\ndtstart;value=date:20261225\nrrule:freq=yearly;bymonth=12;byday=-1fr\nend:vevent\nend:vcalendar\n";
        let h = parse(text);
        assert!(h.contains(date(2026, 12, 25)));
        assert!(h.contains(date(2027, 12, 31)));
    }

    #[test]
    fn empty_calendar_has_no_holidays() {
        assert!(parse(&calendar("")).is_empty());
    }

    // ---- errors --------------------------------------------------------------------------

    #[test]
    fn text_that_is_not_icalendar_is_rejected_at_its_first_line() {
        assert_error("\n\nhello world\n", 3, 1, "not an iCalendar file");
        assert_error("", 1, 1, "empty file");
        assert_error(
            "BEGIN:VEVENT\nEND:VEVENT\n",
            1,
            1,
            "expected BEGIN:VCALENDAR",
        );
    }

    #[test]
    fn unparseable_structure_names_the_offending_line() {
        // Never closed.
        assert_error(
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261225\n",
            2,
            1,
            "END:VEVENT",
        );
        // Mismatched END.
        assert_error(
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261225\nEND:VTODO\nEND:VCALENDAR\n",
            4,
            5,
            "expected END:VEVENT",
        );
        // Not a content line.
        assert_error(&event(";;;bad\n"), 6, 1, "expected a content line");
        // No colon.
        assert_error(
            &event("DTSTART;VALUE=DATE 20261225\n"),
            6,
            28,
            "end of the line",
        );
        // Trailing whitespace after a component name, stray carriage return at the very end.
        assert_error(
            &event("DTSTART:20261225\n").replace("END:VEVENT", "END:VEVENT "),
            7,
            11,
            "' '",
        );
        assert_error(
            &event("DTSTART:20261225\n").replace("END:VCALENDAR\n", "END:VCALENDAR\r"),
            8,
            14,
            "'\\r'",
        );
        // Trailing garbage.
        assert_error(
            &format!("{}garbage\n", event("DTSTART:20261225\n")),
            9,
            1,
            "after END:VCALENDAR",
        );
    }

    #[test]
    fn crate_parse_errors_still_get_a_position() {
        // The line scan accepts this (a parameter value may not contain a bare `"` for the
        // icalendar parser); whatever happens, no panic and a position inside the file.
        let text = event("DTSTART;X=a\"b:20261225\n");
        if let Err(error) = parse_holidays(&text) {
            assert!(
                error.line >= 1 && error.line <= 9 && error.column >= 1,
                "{error}"
            );
        }
    }

    #[test]
    fn vevent_without_dtstart_is_rejected_at_its_begin_line() {
        assert_error(&event("SUMMARY:Nothing\n"), 4, 1, "without DTSTART");
    }

    #[test]
    fn dtstart_with_a_time_is_rejected_with_an_all_day_example() {
        assert_error(
            &event("DTSTART:20261225T090000\n"),
            6,
            9,
            "DTSTART;VALUE=DATE:20261225",
        );
        assert_error(
            &event("DTSTART;TZID=Europe/Paris:20261225T090000\n"),
            6,
            27,
            "time of day",
        );
        assert_error(
            &event("DTSTART;VALUE=DATE-TIME:20261225\n"),
            6,
            25,
            "time of day",
        );
    }

    #[test]
    fn invalid_dates_are_rejected_with_the_reason() {
        assert_error(&event("DTSTART;VALUE=DATE:20261332\n"), 6, 20, "month 13");
        assert_error(&event("DTSTART;VALUE=DATE:20260230\n"), 6, 20, "day 30");
        assert_error(&event("DTSTART;VALUE=DATE:2026-12-25\n"), 6, 20, "YYYYMMDD");
        assert_error(
            &event(
                "DTSTART;VALUE=DATE:20260101\nRRULE:FREQ=YEARLY\nEXDATE;VALUE=DATE:20270101,20270231\n",
            ),
            8,
            28,
            "day 31",
        );
    }

    #[test]
    fn dtend_not_after_dtstart_is_rejected() {
        assert_error(
            &event("DTSTART;VALUE=DATE:20261225\nDTEND;VALUE=DATE:20261225\n"),
            7,
            18,
            "ends on 20261226",
        );
        assert_error(
            &event("DTSTART;VALUE=DATE:20261225\nDTEND;VALUE=DATE:20261201\n"),
            7,
            18,
            "not after DTSTART",
        );
    }

    #[test]
    fn bad_durations_and_spans_are_rejected() {
        assert_error(
            &event("DTSTART:20261225\nDURATION:PT24H\n"),
            7,
            10,
            "time part",
        );
        assert_error(&event("DTSTART:20261225\nDURATION:P0D\n"), 7, 10, "empty");
        assert_error(
            &event("DTSTART:20261225\nDURATION:P2é\n"),
            7,
            10,
            "not supported",
        );
        assert_error(
            &event("DTSTART:20261225\nDTEND:20261226\nDURATION:P1D\n"),
            8,
            1,
            "both DTEND and DURATION",
        );
        assert_error(
            &event("DTSTART:20260101\nDTEND:20280101\n"),
            7,
            7,
            "at most 366",
        );
    }

    #[test]
    fn rrule_with_non_yearly_freq_is_rejected() {
        assert_error(
            &event("DTSTART:20261225\nRRULE:FREQ=MONTHLY;COUNT=2\n"),
            7,
            12,
            "FREQ=YEARLY",
        );
        assert_error(&event("DTSTART:20261225\nRRULE:COUNT=2\n"), 7, 7, "no FREQ");
    }

    #[test]
    fn unsupported_rrule_parts_are_named() {
        assert_error(
            &event("DTSTART:20261225\nRRULE:FREQ=YEARLY;BYWEEKNO=20\n"),
            7,
            19,
            "BYWEEKNO is not supported",
        );
        assert_error(
            &event("DTSTART:20261225\nRRULE:FREQ=YEARLY;BYYEARDAY=100\n"),
            7,
            19,
            "BYYEARDAY",
        );
        assert_error(
            &event("DTSTART:20261225\nRRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=TH;BYSETPOS=4\n"),
            7,
            39,
            "BYSETPOS",
        );
        assert_error(
            &event("DTSTART:20261225\nRRULE:FREQ=YEARLY;BYMONTH=1,2\n"),
            7,
            27,
            "several BYMONTH",
        );
        assert_error(
            &event("DTSTART:20261225\nRRULE:FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=-1\n"),
            7,
            40,
            "end of the month",
        );
        assert_error(
            &event("DTSTART:20261225\nRRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=TH\n"),
            7,
            36,
            "without an ordinal",
        );
        assert_error(
            &event("DTSTART:20261225\nRRULE:FREQ=YEARLY;BYDAY=4TH\n"),
            7,
            19,
            "needs BYMONTH",
        );
        assert_error(
            &event("DTSTART:20261225\nRRULE:FREQ=YEARLY;BYMONTHDAY=4\n"),
            7,
            19,
            "repeats every month",
        );
        assert_error(
            &event("DTSTART:20261225\nRRULE:FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=31\n"),
            7,
            29,
            "never occurs",
        );
    }

    #[test]
    fn count_zero_and_bad_interval_are_rejected() {
        assert_error(
            &event("DTSTART:20261225\nRRULE:FREQ=YEARLY;COUNT=0\n"),
            7,
            25,
            "COUNT=0",
        );
        assert_error(
            &event("DTSTART:20261225\nRRULE:FREQ=YEARLY;INTERVAL=0\n"),
            7,
            28,
            "INTERVAL=0",
        );
        assert_error(
            &event("DTSTART:20261225\nRRULE:FREQ=YEARLY;INTERVAL=two\n"),
            7,
            28,
            "INTERVAL=two",
        );
        assert_error(
            &event("DTSTART:20261225\nRRULE:FREQ=YEARLY;UNTIL=20251225\n"),
            7,
            25,
            "before DTSTART",
        );
    }

    #[test]
    fn error_positions_refer_to_the_original_folded_crlf_text() {
        // The RRULE is folded over three physical lines; the bad part is on the third.
        let text = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261225\r\nRRULE:FREQ=YEARLY;\r\n BYMONTH=11;\r\n BYSETPOS=4\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        assert_error(text, 6, 2, "BYSETPOS");
        // The date value itself is folded: the error points at its first character.
        let text = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:\r\n 20261332\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        assert_error(text, 4, 2, "month 13");
        // Characters before the error are counted as characters, not bytes.
        let text = event("SUMMARY:Fête\nDTSTART:2026\n");
        assert_error(&text, 7, 9, "not a date");
    }

    #[test]
    fn deep_nesting_is_rejected_without_overflowing_the_stack() {
        let mut text = String::from("BEGIN:VCALENDAR\n");
        for _ in 0..200 {
            text.push_str("BEGIN:X\n");
        }
        assert_error(&text, MAX_NESTING + 1, 1, "nested");
        // The deepest accepted nesting parses fine.
        let mut text = String::from("BEGIN:VCALENDAR\n");
        for _ in 1..MAX_NESTING {
            text.push_str("BEGIN:X\n");
        }
        for _ in 1..MAX_NESTING {
            text.push_str("END:X\n");
        }
        text.push_str("END:VCALENDAR\n");
        assert!(parse(&text).is_empty());
    }

    // ---- robustness ------------------------------------------------------------------------

    /// Tiny xorshift64 generator (no extra dependency).
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    const VALID: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:Thanks\r\n giving\r\nDTSTART;VALUE=DATE:20261126\r\nDTEND;VALUE=DATE:20261127\r\nRRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=4TH;UNTIL=20301231T000000Z\r\nEXDATE;VALUE=DATE:20271125,20281123\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nDTSTART:20261231\r\nDURATION:P2D\r\nRRULE:FREQ=YEARLY;INTERVAL=2;COUNT=3\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

    /// Parses `text`, checking that it does not panic and that any error lies inside it.
    fn check_no_panic(text: &str) {
        let unfolded_by_crate = unfold(text);
        let (unfolded_here, _) = unfold_with_map(text);
        assert_eq!(
            unfolded_here, unfolded_by_crate,
            "unfold mismatch for {text:?}"
        );
        if let Err(error) = parse_holidays(text) {
            let lines = text.split('\n').count();
            assert!(
                error.line >= 1 && error.line <= lines && error.column >= 1,
                "position out of range for {text:?}: {error}"
            );
        }
    }

    #[test]
    fn valid_fixture_parses() {
        let h = parse(VALID);
        assert!(h.contains(date(2026, 11, 26)));
        assert!(!h.contains(date(2027, 11, 25)));
        assert!(h.contains(date(2029, 11, 22)));
        assert!(h.contains(date(2029, 1, 1)));
        assert!(!h.contains(date(2028, 1, 1)));
        assert!(!h.contains(date(2032, 12, 31)));
    }

    #[test]
    fn never_panics_on_truncations_mutations_and_random_input() {
        for end in 0..=VALID.len() {
            if let Some(prefix) = VALID.get(..end) {
                check_no_panic(prefix);
            }
        }
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let tokens = [
            "BEGIN:",
            "END:",
            "VCALENDAR",
            "VEVENT",
            "\r\n",
            "\n",
            " ",
            "\t",
            ":",
            ";",
            "=",
            ",",
            "\"",
            "DTSTART",
            "DTEND",
            "DURATION",
            "RRULE",
            "EXDATE",
            "RDATE",
            "VALUE=DATE",
            "FREQ=YEARLY",
            "BYDAY=-1MO",
            "BYMONTH=2",
            "BYMONTHDAY=29",
            "COUNT=",
            "INTERVAL=",
            "UNTIL=",
            "P1W",
            "20240229",
            "99991231",
            "00000101",
            "T120000Z",
            "-",
            "+",
            "é",
            "\r",
            "STATUS:CANCELLED",
        ];
        for _ in 0..400 {
            // Random token soup, often starting like a calendar.
            let mut text = String::new();
            if rng.below(2) == 0 {
                text.push_str("BEGIN:VCALENDAR\r\n");
            }
            for _ in 0..rng.below(60) {
                text.push_str(tokens[rng.below(tokens.len())]);
            }
            check_no_panic(&text);
            // Random bytes.
            let bytes: Vec<u8> = (0..rng.below(80)).map(|_| rng.next() as u8).collect();
            check_no_panic(&String::from_utf8_lossy(&bytes));
            // A mutation of the valid file.
            let mut mutated: Vec<u8> = VALID.bytes().collect();
            for _ in 0..=rng.below(3) {
                let at = rng.below(mutated.len());
                match rng.below(3) {
                    0 => {
                        mutated.remove(at);
                    }
                    1 => mutated.insert(at, b" :;=,\r\n0123456789TZPDW-"[rng.below(23)]),
                    _ => mutated[at] = rng.next() as u8,
                }
            }
            check_no_panic(&String::from_utf8_lossy(&mutated));
        }
    }
}
