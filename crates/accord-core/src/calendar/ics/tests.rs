use super::source::unfold_with_map;
use super::*;
use icalendar::parser::unfold;
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
