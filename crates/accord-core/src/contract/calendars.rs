//! The `[calendars.NAME]` tables of a contract (SPEC §3): zone, weekly
//! hours, holidays (inline and iCalendar files) and dated exceptions.

use std::collections::BTreeMap;
use std::path::Path;

use jiff::tz::TimeZone;
use toml::de::DeTable;

use super::SourceLoader;
use super::read::{Reader, Value, did_you_mean};
use crate::calendar::{
    Calendar, CalendarRules, DayHours, Holidays, OpeningInterval, parse_holidays,
};
use crate::diagnostic::SourceFile;

const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const KEYS: [&str; 12] = [
    "timezone",
    "mon",
    "tue",
    "wed",
    "thu",
    "fri",
    "sat",
    "sun",
    "every_day",
    "holidays",
    "holiday_files",
    "exceptions",
];

/// Reads every calendar of the `calendars` table.
pub(super) fn read_calendars(
    r: &mut Reader<'_>,
    table: &DeTable<'_>,
    load: &mut SourceLoader<'_>,
) -> BTreeMap<String, Calendar> {
    let mut out = BTreeMap::new();
    for (name, value) in table {
        let name = name.get_ref().to_string();
        let Some(cal) = r.table(value, &format!("calendar `{name}`")) else {
            continue;
        };
        if let Some(rules) = read_calendar(r, &name, cal, value, load) {
            out.insert(name.clone(), Calendar::new(name, rules));
        }
    }
    out
}

fn read_calendar(
    r: &mut Reader<'_>,
    name: &str,
    table: &DeTable<'_>,
    whole: &Value<'_>,
    load: &mut SourceLoader<'_>,
) -> Option<CalendarRules> {
    let before = r.diagnostics.len();
    let ctx = format!("calendar `{name}`");
    r.unknown_keys(table, &KEYS, &ctx);

    let zone = match table.get("timezone") {
        None => {
            r.error(
                whole.span(),
                format!("{ctx} has no `timezone`"),
                Some("add an IANA zone, e.g. timezone = \"Europe/Berlin\" or \"UTC\"".into()),
            );
            None
        }
        Some(v) => r.string(v, "`timezone`").and_then(|z| zone(r, z, v)),
    };

    let mut weekly: [DayHours; 7] = Default::default();
    if let Some(v) = table.get("every_day")
        && let Some(hours) = day_hours(r, v, &format!("`every_day` of {ctx}"))
    {
        weekly.iter_mut().for_each(|d| *d = hours.clone());
    }
    // A named weekday overrides `every_day`.
    for (i, day) in WEEKDAYS.iter().enumerate() {
        if let Some(v) = table.get(*day)
            && let Some(hours) = day_hours(r, v, &format!("`{day}` of {ctx}"))
        {
            weekly[i] = hours;
        }
    }

    let mut holidays = Holidays::new();
    if let Some(v) = table.get("holidays") {
        for item in r.array(v, "`holidays`").unwrap_or_default() {
            if let Some(date) = r.date(item, "a holiday") {
                holidays.add_date(date);
            }
        }
    }
    if let Some(v) = table.get("holiday_files") {
        for item in r.array(v, "`holiday_files`").unwrap_or_default() {
            if let Some(path) = r.string(item, "a holiday file")
                && let Some(h) = holiday_file(r, path, item, load)
            {
                holidays.extend(h);
            }
        }
    }

    let mut exceptions = BTreeMap::new();
    if let Some(v) = table.get("exceptions") {
        for item in r.array(v, "`exceptions`").unwrap_or_default() {
            let Some(t) = r.table(item, "an exception") else {
                continue;
            };
            r.unknown_keys(t, &["date", "hours"], "an exception");
            let date = match t.get("date") {
                Some(d) => r.date(d, "the exception's `date`"),
                None => {
                    r.error(
                        item.span(),
                        "exception has no `date`",
                        Some("add date = \"2026-12-24\"".into()),
                    );
                    None
                }
            };
            let hours = match t.get("hours") {
                Some(h) => day_hours(r, h, "the exception's `hours`"),
                None => {
                    r.error(
                        item.span(),
                        "exception has no `hours`",
                        Some(
                            "add hours = [\"09:00-12:00\"], or hours = [] to close the day".into(),
                        ),
                    );
                    None
                }
            };
            if let (Some(date), Some(hours)) = (date, hours)
                && exceptions.insert(date, hours).is_some()
            {
                r.error(
                    item.span(),
                    format!("{ctx} has two exceptions for {date}"),
                    Some("keep one exception per date".into()),
                );
            }
        }
    }

    if r.diagnostics.len() > before {
        return None;
    }
    Some(CalendarRules {
        zone: zone?,
        weekly,
        holidays,
        exceptions,
    })
}

pub(super) fn zone(r: &mut Reader<'_>, name: &str, at: &Value<'_>) -> Option<TimeZone> {
    match TimeZone::get(name) {
        Ok(z) => Some(z),
        Err(_) => {
            let names: Vec<String> = jiff::tz::db().available().map(|n| n.to_string()).collect();
            let help = match did_you_mean(name, names.iter().map(String::as_str)) {
                Some(best) => format!("did you mean \"{best}\"?"),
                None => "use an IANA zone name such as \"Europe/Berlin\", \"America/New_York\" or \"UTC\"".into(),
            };
            r.error(at.span(), format!("unknown time zone `{name}`"), Some(help));
            None
        }
    }
}

/// A day's hours: an array of `"HH:MM-HH:MM"` strings.
fn day_hours(r: &mut Reader<'_>, value: &Value<'_>, what: &str) -> Option<DayHours> {
    let items = r.array(value, what)?;
    let mut intervals = Vec::with_capacity(items.len());
    let mut ok = true;
    for item in items {
        let Some(text) = r.string(item, "an opening interval") else {
            ok = false;
            continue;
        };
        match text.parse::<OpeningInterval>() {
            Ok(iv) => intervals.push((iv, item.span())),
            Err(e) => {
                ok = false;
                r.error(item.span(), e.to_string(), None);
            }
        }
    }
    if !ok {
        return None;
    }
    let spans: Vec<_> = intervals.iter().map(|(iv, s)| (*iv, s.clone())).collect();
    match DayHours::new(intervals.into_iter().map(|(iv, _)| iv).collect()) {
        Ok(h) => Some(h),
        Err(e) => {
            // Point at whichever of the two overlapping intervals is written later.
            let span = match &e {
                crate::calendar::HoursError::Overlap(a, b) => spans
                    .iter()
                    .filter(|(iv, _)| iv == a || iv == b)
                    .map(|(_, s)| s.clone())
                    .max_by_key(|s| s.start)
                    .unwrap_or(value.span()),
                _ => value.span(),
            };
            r.error(span, format!("{what}: {e}"), None);
            None
        }
    }
}

fn holiday_file(
    r: &mut Reader<'_>,
    path: &str,
    at: &Value<'_>,
    load: &mut SourceLoader<'_>,
) -> Option<Holidays> {
    let resolved = r.src.path().parent().unwrap_or(Path::new("")).join(path);
    let text = match load(&resolved) {
        Ok(t) => t,
        Err(e) => {
            r.error(
                at.span(),
                format!("cannot read holiday file `{}`: {e}", resolved.display()),
                Some("holiday files are paths relative to the contract file".into()),
            );
            return None;
        }
    };
    match parse_holidays(&text) {
        Ok(h) => Some(h),
        Err(e) => {
            let ics = SourceFile::new(resolved, text);
            r.diagnostics
                .push(ics.diagnostic_at(e.line, e.column, e.message, None));
            None
        }
    }
}
