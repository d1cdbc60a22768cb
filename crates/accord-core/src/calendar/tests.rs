//! The nasty cases of business time (SPEC §3), each worked by hand.

use jiff::Timestamp;

use super::*;
use crate::contract::Contract;
use crate::diagnostic::SourceFile;

/// A calendar from the body of a `[calendars.c]` table.
fn cal(body: &str) -> Calendar {
    let src = SourceFile::new(
        "test.toml",
        format!(
            "id = \"t\"\nclient = \"T\"\neffective_from = 2026-01-01\n[priorities.p]\ncalendar = \"c\"\nresolution = \"1h\"\n[calendars.c]\n{body}\n"
        ),
    );
    let contract = Contract::parse(&src, &mut |_| unreachable!())
        .unwrap_or_else(|e| panic!("calendar should parse:\n{e}"));
    contract.calendar("c").unwrap().clone()
}

const BERLIN_9_TO_5: &str = r#"timezone = "Europe/Berlin"
mon = ["09:00-17:00"]
tue = ["09:00-17:00"]
wed = ["09:00-17:00"]
thu = ["09:00-17:00"]
fri = ["09:00-17:00"]
holidays = ["2026-04-03", "2026-04-06"]
[[calendars.c.exceptions]]
date = "2026-12-24"
hours = ["09:00-12:00"]
[[calendars.c.exceptions]]
date = "2026-12-28"
hours = []
[[calendars.c.exceptions]]
date = "2026-12-27"
hours = ["10:00-11:00"]"#;

fn t(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn mins(m: i64) -> BusinessDuration {
    BusinessDuration::from_mins(m).unwrap()
}

fn secs(s: i64) -> BusinessDuration {
    BusinessDuration::from_secs(s).unwrap()
}

fn deadline(c: &Calendar, start: &str, d: BusinessDuration) -> String {
    c.deadline(t(start), d).unwrap().to_string()
}

fn elapsed(c: &Calendar, start: &str, end: &str) -> i64 {
    c.elapsed(t(start), t(end)).unwrap().as_secs()
}

#[test]
fn starting_in_closed_time_counts_from_the_next_opening() {
    let c = cal(BERLIN_9_TO_5);
    // Saturday 2026-01-10 noon Berlin -> Monday 09:00 + 90 min.
    assert_eq!(
        deadline(&c, "2026-01-10T11:00:00Z", mins(90)),
        "2026-01-12T09:30:00Z"
    );
    // Weekday evening -> next morning.
    assert_eq!(
        deadline(&c, "2026-01-12T18:00:00Z", mins(30)),
        "2026-01-13T08:30:00Z"
    );
}

#[test]
fn holidays_are_skipped_whole() {
    let c = cal(BERLIN_9_TO_5);
    // Thursday 2026-04-02 16:00 CEST; Good Friday and Easter Monday closed.
    assert_eq!(
        deadline(&c, "2026-04-02T14:00:00Z", mins(120)),
        "2026-04-07T08:00:00Z"
    );
    // Starting on the holiday itself.
    assert_eq!(
        deadline(&c, "2026-04-03T08:00:00Z", mins(60)),
        "2026-04-07T08:00:00Z"
    );
    assert!(!c.is_open(t("2026-04-03T10:00:00Z")).unwrap());
}

#[test]
fn opening_instant_is_open_and_closing_instant_is_not() {
    let c = cal(BERLIN_9_TO_5);
    assert!(c.is_open(t("2026-01-12T08:00:00Z")).unwrap());
    assert!(!c.is_open(t("2026-01-12T07:59:59Z")).unwrap());
    assert!(c.is_open(t("2026-01-12T15:59:59Z")).unwrap());
    assert!(!c.is_open(t("2026-01-12T16:00:00Z")).unwrap());
    assert_eq!(
        deadline(&c, "2026-01-12T08:00:00Z", mins(60)),
        "2026-01-12T09:00:00Z"
    );
    // From the closing instant, the next opening counts.
    assert_eq!(
        deadline(&c, "2026-01-16T16:00:00Z", mins(60)),
        "2026-01-19T09:00:00Z"
    );
    assert_eq!(
        elapsed(&c, "2026-01-12T15:00:00Z", "2026-01-12T16:00:00Z"),
        3600
    );
    assert_eq!(
        elapsed(&c, "2026-01-12T16:00:00Z", "2026-01-13T08:00:00Z"),
        0
    );
}

#[test]
fn a_deadline_reached_at_closing_is_the_closing_instant() {
    let c = cal(BERLIN_9_TO_5);
    assert_eq!(
        deadline(&c, "2026-01-12T08:00:00Z", mins(480)),
        "2026-01-12T16:00:00Z"
    );
    // Friday 16:00 Berlin + 1 h = Friday 17:00, not Monday 09:00.
    assert_eq!(
        deadline(&c, "2026-01-16T15:00:00Z", mins(60)),
        "2026-01-16T16:00:00Z"
    );
    // One second more spills to Monday.
    assert_eq!(
        deadline(&c, "2026-01-16T15:00:00Z", secs(3601)),
        "2026-01-19T08:00:01Z"
    );
}

#[test]
fn zero_duration_is_the_start_even_when_closed() {
    let c = cal(BERLIN_9_TO_5);
    for s in [
        "2026-01-10T11:00:00Z",
        "2026-01-12T10:00:00Z",
        "2026-01-12T16:00:00Z",
    ] {
        assert_eq!(deadline(&c, s, BusinessDuration::ZERO), s);
        assert_eq!(elapsed(&c, s, s), 0);
    }
}

#[test]
fn exceptions_replace_the_days_hours_and_empty_closes_it() {
    let c = cal(BERLIN_9_TO_5);
    // Wed 2026-12-23 16:00 CET + 4 h: 1 h Wed, 3 h on the shortened 24th.
    assert_eq!(
        deadline(&c, "2026-12-23T15:00:00Z", mins(240)),
        "2026-12-24T11:00:00Z"
    );
    // A Sunday exception opens it; the closed Monday 28th is skipped.
    assert_eq!(
        elapsed(&c, "2026-12-26T00:00:00Z", "2026-12-29T00:00:00Z"),
        3600
    );
    // Sunday 10:30 local: 30 min left that day, 30 min on Tuesday.
    assert_eq!(
        deadline(&c, "2026-12-27T09:30:00Z", mins(60)),
        "2026-12-29T08:30:00Z"
    );
}

#[test]
fn spring_forward_keeps_real_hours_and_shortens_whole_days() {
    // Berlin 2026-03-29 (a Sunday): 02:00 CET jumps to 03:00 CEST at 01:00Z.
    let whole = cal("timezone = \"Europe/Berlin\"\nevery_day = [\"00:00-24:00\"]");
    assert_eq!(
        elapsed(&whole, "2026-03-28T23:00:00Z", "2026-03-29T22:00:00Z"),
        23 * 3600
    );
    let night = cal("timezone = \"Europe/Berlin\"\nsun = [\"01:00-05:00\", \"09:00-17:00\"]");
    // 01:00-05:00 local contains the missing hour: 3 real hours.
    assert_eq!(
        elapsed(&night, "2026-03-28T00:00:00Z", "2026-03-29T12:00:00Z"),
        3 * 3600 + 5 * 3600
    );
    assert_eq!(
        elapsed(&night, "2026-03-29T00:00:00Z", "2026-03-30T00:00:00Z"),
        3 * 3600 + 8 * 3600
    );
    // 01:00 CET = 00:00Z; the 3rd hour ends at 05:00 CEST = 03:00Z.
    assert_eq!(
        deadline(&night, "2026-03-29T00:00:00Z", mins(180)),
        "2026-03-29T03:00:00Z"
    );
    assert_eq!(
        deadline(&night, "2026-03-29T00:00:00Z", mins(181)),
        "2026-03-29T07:01:00Z"
    );
}

#[test]
fn fall_back_lengthens_days_and_counts_the_repeated_hour_twice() {
    // Berlin 2026-10-25: 03:00 CEST falls back to 02:00 CET at 01:00Z.
    let whole = cal("timezone = \"Europe/Berlin\"\nevery_day = [\"00:00-24:00\"]");
    assert_eq!(
        elapsed(&whole, "2026-10-24T22:00:00Z", "2026-10-25T23:00:00Z"),
        25 * 3600
    );
    let night = cal("timezone = \"Europe/Berlin\"\nsun = [\"01:00-04:00\"]");
    assert_eq!(
        elapsed(&night, "2026-10-24T00:00:00Z", "2026-10-26T00:00:00Z"),
        4 * 3600
    );
    // 00:00-02:30 local: 00:00-02:30 CEST, then again 02:00-02:30 CET.
    let early = cal("timezone = \"Europe/Berlin\"\nsun = [\"00:00-02:30\"]");
    assert_eq!(
        elapsed(&early, "2026-10-24T00:00:00Z", "2026-10-26T00:00:00Z"),
        3 * 3600
    );
    assert!(early.is_open(t("2026-10-25T00:15:00Z")).unwrap()); // 02:15 CEST
    assert!(!early.is_open(t("2026-10-25T00:45:00Z")).unwrap()); // 02:45 CEST
    assert!(early.is_open(t("2026-10-25T01:15:00Z")).unwrap()); // 02:15 CET
    assert!(!early.is_open(t("2026-10-25T01:45:00Z")).unwrap()); // 02:45 CET
    assert_eq!(
        deadline(&early, "2026-10-24T22:00:00Z", mins(150)),
        "2026-10-25T00:30:00Z"
    );
    assert_eq!(
        deadline(&early, "2026-10-24T22:00:00Z", mins(151)),
        "2026-10-25T01:01:00Z"
    );
    assert_eq!(
        early.next_close(t("2026-10-25T00:00:00Z")).unwrap(),
        Some(t("2026-10-25T00:30:00Z"))
    );
    assert_eq!(
        early.next_open(t("2026-10-25T00:30:00Z")).unwrap(),
        Some(t("2026-10-25T01:00:00Z"))
    );
}

#[test]
fn new_york_spring_forward_working_day_is_still_eight_hours() {
    let c = cal("timezone = \"America/New_York\"\nevery_day = [\"09:00-17:00\"]");
    // 2026-03-08: EST -> EDT. 09:00 EDT = 13:00Z.
    assert_eq!(
        deadline(&c, "2026-03-08T00:00:00Z", mins(480)),
        "2026-03-08T21:00:00Z"
    );
    assert_eq!(
        deadline(&c, "2026-03-07T00:00:00Z", mins(480)),
        "2026-03-07T22:00:00Z"
    );
}

#[test]
fn lord_howe_half_hour_dst() {
    // Australia/Lord_Howe: +10:30 standard, +11 summer; the clock moves 30 minutes.
    let c = cal("timezone = \"Australia/Lord_Howe\"\nevery_day = [\"00:00-24:00\"]");
    // 2026-10-04 02:00 -> 02:30: a 23.5 h day. Local midnight is at +10:30.
    assert_eq!(
        elapsed(&c, "2026-10-03T13:30:00Z", "2026-10-04T13:00:00Z"),
        23 * 3600 + 1800
    );
    // 2026-04-05 02:00 -> 01:30: a 24.5 h day. Midnight at +11, next at +10:30.
    assert_eq!(
        elapsed(&c, "2026-04-04T13:00:00Z", "2026-04-05T13:30:00Z"),
        24 * 3600 + 1800
    );
    let morning = cal("timezone = \"Australia/Lord_Howe\"\nsun = [\"01:00-03:00\"]");
    // Both days the interval holds the jump: 1.5 h in October, 2.5 h in April.
    assert_eq!(
        elapsed(&morning, "2026-10-03T00:00:00Z", "2026-10-05T00:00:00Z"),
        5400
    );
    assert_eq!(
        elapsed(&morning, "2026-04-04T00:00:00Z", "2026-04-06T00:00:00Z"),
        9000
    );
}

#[test]
fn kathmandu_odd_offset() {
    let c = cal("timezone = \"Asia/Kathmandu\"\nmon = [\"09:00-17:00\"]");
    // Monday 2026-03-02 09:00 +05:45 = 03:15Z.
    assert_eq!(
        deadline(&c, "2026-03-01T00:00:00Z", mins(1)),
        "2026-03-02T03:16:00Z"
    );
    assert_eq!(
        deadline(&c, "2026-03-02T03:15:00Z", mins(480)),
        "2026-03-02T11:15:00Z"
    );
    assert!(c.is_open(t("2026-03-02T03:15:00Z")).unwrap());
    assert!(!c.is_open(t("2026-03-02T03:14:59Z")).unwrap());
}

#[test]
fn apia_skipped_2011_12_30_has_no_business_time() {
    // Samoa moved from -10 to +14: local 2011-12-29 24:00 became 2011-12-31 00:00.
    let whole = cal("timezone = \"Pacific/Apia\"\nevery_day = [\"00:00-24:00\"]");
    // Local 2011-12-29 00:00 (-10) = 10:00Z; local 2011-12-31 00:00 (+14) = 2011-12-30T10:00Z.
    assert_eq!(
        elapsed(&whole, "2011-12-29T10:00:00Z", "2011-12-30T10:00:00Z"),
        24 * 3600
    );
    let friday = cal("timezone = \"Pacific/Apia\"\nfri = [\"09:00-17:00\"]");
    // That week's Friday never happened.
    assert_eq!(
        elapsed(&friday, "2011-12-25T00:00:00Z", "2012-01-05T00:00:00Z"),
        0
    );
    // A deadline from Thursday lands on the next Friday, 2012-01-06 09:00 +14 = 01-05T19:00Z.
    assert_eq!(
        deadline(&friday, "2011-12-29T20:00:00Z", mins(60)),
        "2012-01-05T20:00:00Z"
    );
}

#[test]
fn spans_of_years_cost_one_step_per_year_and_are_exact() {
    let always = cal("timezone = \"UTC\"\nevery_day = [\"00:00-24:00\"]");
    let five_years = 5 * 365 * 86_400 + 86_400; // includes 2028-02-29
    assert_eq!(
        deadline(&always, "2026-01-01T00:00:00Z", secs(five_years)),
        "2031-01-01T00:00:00Z"
    );
    assert_eq!(
        elapsed(&always, "2026-01-01T00:00:00Z", "2031-01-01T00:00:00Z"),
        five_years
    );

    let c = cal(
        "timezone = \"Europe/Berlin\"\nmon = [\"09:00-17:00\"]\ntue = [\"09:00-17:00\"]\nwed = [\"09:00-17:00\"]\nthu = [\"09:00-17:00\"]\nfri = [\"09:00-17:00\"]",
    );
    // Count weekdays 2026-01-01..2036-01-01 independently.
    let mut d = jiff::civil::date(2026, 1, 1);
    let mut weekdays = 0;
    while d < jiff::civil::date(2036, 1, 1) {
        weekdays += i64::from(d.weekday().to_monday_one_offset() <= 5);
        d = d.tomorrow().unwrap();
    }
    let total = weekdays * 8 * 3600;
    assert_eq!(
        elapsed(&c, "2025-12-31T23:00:00Z", "2035-12-31T23:00:00Z"),
        total
    );
    // The last weekday, 2035-12-31 (a Monday), closes at 17:00 CET.
    assert_eq!(
        deadline(&c, "2025-12-31T23:00:00Z", secs(total)),
        "2035-12-31T16:00:00Z"
    );
}

#[test]
fn calendars_without_opening_time_error_instead_of_looping() {
    let never = cal("timezone = \"UTC\"");
    let err = never
        .deadline(t("2026-01-01T00:00:00Z"), mins(1))
        .unwrap_err();
    assert!(matches!(err, CalendarError::NeverOpen { .. }), "{err}");
    assert_eq!(
        never
            .deadline(t("2026-01-01T00:00:00Z"), BusinessDuration::ZERO)
            .unwrap(),
        t("2026-01-01T00:00:00Z")
    );
    assert_eq!(never.next_open(t("2026-01-01T00:00:00Z")).unwrap(), None);
    assert_eq!(
        never
            .elapsed(t("2026-01-01T00:00:00Z"), t("2030-01-01T00:00:00Z"))
            .unwrap(),
        BusinessDuration::ZERO
    );

    // Open only on one exception day: a longer deadline cannot be reached.
    let once = cal(
        "timezone = \"UTC\"\n[[calendars.c.exceptions]]\ndate = 2026-05-02\nhours = [\"10:00-11:00\"]",
    );
    assert_eq!(
        deadline(&once, "2026-01-01T00:00:00Z", mins(60)),
        "2026-05-02T11:00:00Z"
    );
    let err = once
        .deadline(t("2026-01-01T00:00:00Z"), mins(61))
        .unwrap_err();
    assert!(matches!(err, CalendarError::Unreachable { .. }), "{err}");
    assert_eq!(once.next_open(t("2026-05-02T11:00:00Z")).unwrap(), None);
}

#[test]
fn instants_outside_the_supported_range_are_errors() {
    let c = cal(BERLIN_9_TO_5);
    let err = c.deadline(t("1850-01-01T00:00:00Z"), mins(1)).unwrap_err();
    assert!(matches!(err, CalendarError::OutOfRange { .. }));
    assert!(err.to_string().contains("outside the range"), "{err}");
    assert!(c.is_open(t("2500-01-01T00:00:00Z")).is_err());
    let err = c
        .elapsed(t("2026-01-02T00:00:00Z"), t("2026-01-01T00:00:00Z"))
        .unwrap_err();
    assert!(matches!(err, CalendarError::EndBeforeStart { .. }));
}

#[test]
fn next_open_and_next_close() {
    let c = cal(BERLIN_9_TO_5);
    // Friday evening -> Monday 09:00 CET.
    assert_eq!(
        c.next_open(t("2026-01-16T18:00:00Z")).unwrap(),
        Some(t("2026-01-19T08:00:00Z"))
    );
    assert_eq!(
        c.next_open(t("2026-01-19T10:00:00Z")).unwrap(),
        Some(t("2026-01-19T10:00:00Z"))
    );
    assert_eq!(
        c.next_close(t("2026-01-19T10:00:00Z")).unwrap(),
        Some(t("2026-01-19T16:00:00Z"))
    );
    assert_eq!(
        c.next_close(t("2026-01-19T18:00:00Z")).unwrap(),
        Some(t("2026-01-19T18:00:00Z"))
    );
    // Whole days touching across midnight and across index blocks are one opening.
    let weekend = cal("timezone = \"UTC\"\nsat = [\"00:00-24:00\"]\nsun = [\"00:00-24:00\"]");
    assert_eq!(
        weekend.next_close(t("2026-01-10T05:00:00Z")).unwrap(),
        Some(t("2026-01-12T00:00:00Z"))
    );
    let always = cal("timezone = \"UTC\"\nevery_day = [\"00:00-24:00\"]");
    assert_eq!(always.next_close(t("2026-01-10T05:00:00Z")).unwrap(), None);
}

#[test]
fn results_do_not_depend_on_which_blocks_were_built_first() {
    let a = cal(BERLIN_9_TO_5);
    let b = cal(BERLIN_9_TO_5);
    let far = a
        .deadline(t("2026-01-05T08:00:00Z"), mins(60 * 8 * 700))
        .unwrap();
    // b builds the far block first, then the near one.
    assert!(b.is_open(far).is_ok());
    assert_eq!(
        b.deadline(t("2026-01-05T08:00:00Z"), mins(60 * 8 * 700))
            .unwrap(),
        far
    );
}

#[test]
fn a_business_day_is_a_date_with_opening_time_holidays_and_exceptions_included() {
    let c = cal(BERLIN_9_TO_5);
    let zone = TimeZone::get("Europe/Berlin").unwrap();
    let mut day = Date::constant(2026, 1, 1);
    let mut business = 0;
    while day.year() == 2026 {
        let start = day.to_zoned_datetime(zone.clone()).unwrap().timestamp();
        let next = day.tomorrow().unwrap();
        let end = next.to_zoned_datetime(zone.clone()).unwrap().timestamp();
        let open = c.elapsed(start, end).unwrap().as_secs() > 0;
        assert_eq!(c.has_opening_on(day), open, "{day}");
        business += i32::from(open);
        day = next;
    }
    // 261 weekdays, less two holidays and the closed Monday 28 December,
    // plus the open Sunday 27 December.
    assert_eq!(business, 261 - 3 + 1);
}
