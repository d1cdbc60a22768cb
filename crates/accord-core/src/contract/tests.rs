//! Reading calendars from contract files, and the diagnostics for mistakes.

use super::*;
use crate::diagnostic::Diagnostic;
use jiff::civil::date;

fn parse(text: &str) -> Result<Contract, Diagnostics> {
    Contract::parse(&SourceFile::new("c.toml", text), &mut |p| {
        Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("{} not found", p.display()),
        ))
    })
}

/// The required top-level keys, put before a calendar-only test text.
const HEADER: &str = "id = \"t\"\nclient = \"T\"\neffective_from = 2026-01-01\n";

/// Parses calendar tables as a whole contract: the required keys before them
/// and a priority on the first calendar after them.
fn parse_calendars(text: &str) -> Result<Contract, Diagnostics> {
    let name = text
        .split("[calendars.")
        .nth(1)
        .and_then(|rest| rest.split(['.', ']']).next())
        .unwrap_or("none");
    parse(&format!(
        "{HEADER}{text}\n[priorities.p]\ncalendar = \"{name}\"\nfirst_response = \"1h\"\n"
    ))
}

/// The diagnostics for calendar tables, with lines counted in `text`.
fn errors(text: &str) -> Vec<Diagnostic> {
    match parse_calendars(text) {
        Ok(_) => panic!("expected diagnostics for:\n{text}"),
        Err(d) => {
            d.0.into_iter()
                .map(|mut d| {
                    if d.file == Path::new("c.toml") {
                        d.line -= HEADER.lines().count();
                    }
                    d
                })
                .collect()
        }
    }
}

/// (line, column, message) of each diagnostic, for compact assertions.
fn positions(text: &str) -> Vec<(usize, usize, String)> {
    errors(text)
        .into_iter()
        .map(|d| (d.line, d.column, d.message))
        .collect()
}

#[test]
fn the_canonical_example_parses_with_its_meaning() {
    let text = include_str!("../../../../examples/acme.contract.toml");
    let contract = parse(text).unwrap_or_else(|e| panic!("{e}"));
    let support = contract.calendar("support").unwrap();
    let rules = support.rules();
    assert_eq!(rules.zone.iana_name(), Some("Europe/Berlin"));
    assert_eq!(
        rules
            .weekday_hours(jiff::civil::Weekday::Monday)
            .to_string(),
        "09:00-17:00"
    );
    assert!(
        rules
            .weekday_hours(jiff::civil::Weekday::Saturday)
            .is_closed()
    );
    assert!(rules.holidays.contains(date(2026, 5, 14)));
    assert_eq!(
        rules.hours_on(date(2026, 12, 24)).to_string(),
        "09:00-12:00"
    );
    assert!(rules.hours_on(date(2026, 12, 25)).is_closed());
    let always = contract.calendar("always").unwrap();
    assert_eq!(
        always.rules().hours_on(date(2026, 12, 25)).to_string(),
        "00:00-24:00"
    );
}

#[test]
fn a_named_weekday_overrides_every_day() {
    let c = parse_calendars(
        "[calendars.c]\ntimezone = \"UTC\"\nevery_day = [\"08:00-20:00\"]\nsun = []\n",
    )
    .unwrap();
    let rules = c.calendar("c").unwrap().rules();
    assert!(
        rules
            .weekday_hours(jiff::civil::Weekday::Sunday)
            .is_closed()
    );
    assert_eq!(
        rules
            .weekday_hours(jiff::civil::Weekday::Saturday)
            .to_string(),
        "08:00-20:00"
    );
}

#[test]
fn dates_may_be_toml_dates_or_strings() {
    let c = parse_calendars(
        "[calendars.c]\ntimezone = \"UTC\"\nholidays = [2026-01-01, \"2026-01-02\"]\n",
    )
    .unwrap();
    let h = &c.calendar("c").unwrap().rules().holidays;
    assert!(h.contains(date(2026, 1, 1)) && h.contains(date(2026, 1, 2)));
}

#[test]
fn every_problem_is_reported_at_once_with_its_position() {
    let text = r#"[calendars.support]
timezone = "Europe/Berln"
mon = ["09:00-17:00", "16:00-18:00"]
tue = ["17:00-09:00"]
wed = ["9-5"]
thu = "09:00-17:00"
fri = ["09:00-25:00"]
holidays = ["2026-02-30", 2026-01-01T10:00:00]
satday = ["10:00-12:00"]

[[calendars.support.exceptions]]
date = "2026-12-24"
hours = ["09:00-12:00"]

[[calendars.support.exceptions]]
date = "2026-12-24"
hours = []

[[calendars.support.exceptions]]
hours = []
"#;
    let got = positions(text);
    let expect: Vec<(usize, usize, &str)> = vec![
        (2, 12, "unknown time zone `Europe/Berln`"),
        (
            3,
            23,
            "`mon` of calendar `support`: intervals `09:00-17:00` and `16:00-18:00` overlap",
        ),
        (4, 8, "interval `17:00-09:00` ends before it starts"),
        (5, 8, "`9-5` is not an interval"),
        (
            6,
            7,
            "`thu` of calendar `support` must be an array, found string",
        ),
        (7, 8, "`25:00` is not a time of day"),
        (8, 13, "`2026-02-30` is not a valid date for a holiday"),
        (8, 27, "a holiday must be a date without a time"),
        (9, 1, "unknown key `satday` in calendar `support`"),
        (
            15,
            1,
            "calendar `support` has two exceptions for 2026-12-24",
        ),
        (19, 1, "exception has no `date`"),
    ];
    assert_eq!(got.len(), expect.len(), "{got:#?}");
    for ((line, col, msg), (el, ec, emsg)) in got.iter().zip(&expect) {
        assert_eq!((line, col), (el, ec), "{msg}");
        assert!(msg.starts_with(emsg), "{msg:?} should start with {emsg:?}");
    }
}

#[test]
fn did_you_mean_helps_with_typos() {
    let d = errors("[calendars.c]\ntimezone = \"Europe/Berln\"\nholydays = []\n");
    assert_eq!(
        d[0].help.as_deref(),
        Some("did you mean \"Europe/Berlin\"?")
    );
    assert_eq!(d[1].help.as_deref(), Some("did you mean `holidays`?"));
}

#[test]
fn missing_pieces_are_named() {
    let d = parse("id = \"x\"\n").unwrap_err().0;
    assert!(
        d.iter()
            .any(|d| (d.line, d.column, d.message.as_str())
                == (1, 1, "the contract has no calendar")),
        "{d:#?}"
    );
    let d = positions("[calendars.c]\nmon = [\"09:00-17:00\"]\n");
    assert_eq!(d[0].2, "calendar `c` has no `timezone`");
    assert_eq!(
        positions(
            "[calendars.c]\ntimezone = \"UTC\"\n[[calendars.c.exceptions]]\ndate = 2026-01-01\n"
        )[0]
        .2,
        "exception has no `hours`"
    );
}

#[test]
fn toml_syntax_errors_have_positions() {
    let d = errors("[calendars.c]\ntimezone = \"UTC\nmon = []\n");
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].line, 2);
    assert!(
        d[0].message.starts_with("not valid TOML"),
        "{}",
        d[0].message
    );
}

#[test]
fn unreadable_holiday_files_point_at_their_entry() {
    let d = errors("[calendars.c]\ntimezone = \"UTC\"\nholiday_files = [\"de.ics\"]\n");
    assert_eq!((d[0].line, d[0].column), (3, 18));
    assert!(
        d[0].message
            .starts_with("cannot read holiday file `de.ics`"),
        "{}",
        d[0].message
    );
}

fn with_review(effective: &str, until: Option<&str>, every: &str) -> Contract {
    let until = until.map_or(String::new(), |u| format!("effective_until = {u}\n"));
    let text = format!(
        "id = \"r\"\nclient = \"C\"\neffective_from = {effective}\n{until}review_every = \"{every}\"\n[calendars.c]\ntimezone = \"UTC\"\nevery_day = [\"00:00-24:00\"]\n[priorities.p]\ncalendar = \"c\"\nresolution = \"1h\"\n"
    );
    parse(&text).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn reviews_fall_every_cadence_period_while_in_force() {
    let c = with_review("2026-01-01", Some("2026-12-31"), "quarterly");
    let dates: Vec<_> = c.identity().reviews().collect();
    assert_eq!(
        dates,
        vec![date(2026, 4, 1), date(2026, 7, 1), date(2026, 10, 1)]
    );
    assert_eq!(
        c.identity().next_review(date(2026, 4, 1)),
        Some(date(2026, 4, 1))
    );
    assert_eq!(
        c.identity().next_review(date(2026, 4, 2)),
        Some(date(2026, 7, 1))
    );
    assert_eq!(c.identity().next_review(date(2026, 10, 2)), None);
}

#[test]
fn month_end_reviews_are_clamped_not_drifting() {
    let c = with_review("2026-01-31", None, "quarterly");
    let dates: Vec<_> = c.identity().reviews().take(4).collect();
    assert_eq!(
        dates,
        vec![
            date(2026, 4, 30),
            date(2026, 7, 31),
            date(2026, 10, 31),
            date(2027, 1, 31)
        ]
    );
    let m = with_review("2026-01-31", None, "monthly");
    assert_eq!(m.identity().reviews().next(), Some(date(2026, 2, 28)));
}
