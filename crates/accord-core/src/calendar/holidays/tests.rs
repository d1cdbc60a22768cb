use super::*;
use jiff::civil::date;

fn rule(first: Date, pattern: YearlyPattern) -> YearlyHoliday {
    YearlyHoliday::new(first, pattern)
}

#[test]
fn empty_holidays_contain_nothing() {
    let h = Holidays::new();
    assert!(h.is_empty());
    assert!(!h.contains(date(2026, 1, 1)));
    assert!(
        h.dates_between(date(2026, 1, 1), date(2026, 12, 31))
            .is_empty()
    );
}

#[test]
fn fixed_dates_are_contained_and_listed_sorted() {
    let mut h = Holidays::new();
    h.add_date(date(2026, 12, 25));
    h.add_date(date(2026, 1, 1));
    h.add_date(date(2026, 1, 1));
    assert!(!h.is_empty());
    assert!(h.contains(date(2026, 12, 25)));
    assert!(!h.contains(date(2026, 12, 24)));
    assert_eq!(
        h.dates_between(date(2026, 1, 1), date(2026, 12, 31)),
        vec![date(2026, 1, 1), date(2026, 12, 25)]
    );
    assert_eq!(
        h.dates_between(date(2026, 1, 2), date(2026, 12, 24)),
        Vec::<Date>::new()
    );
    assert!(
        h.dates_between(date(2026, 12, 31), date(2026, 1, 1))
            .is_empty()
    );
}

#[test]
fn month_day_rule_recurs_every_year_from_first() {
    let r = rule(
        date(2020, 7, 4),
        YearlyPattern::month_day_of(date(2020, 7, 4)),
    );
    assert!(!r.contains(date(2019, 7, 4)));
    assert!(r.contains(date(2020, 7, 4)));
    assert!(r.contains(date(2026, 7, 4)));
    assert!(!r.contains(date(2026, 7, 5)));
    assert!(r.contains(date(9999, 7, 4)));
}

#[test]
fn rule_spanning_year_end_covers_january_first_of_next_year() {
    let mut r = rule(
        date(2020, 12, 31),
        YearlyPattern::month_day_of(date(2020, 12, 31)),
    );
    r.span_days = 2;
    let mut h = Holidays::new();
    h.add_rule(r);
    assert!(h.contains(date(2026, 12, 31)));
    assert!(h.contains(date(2027, 1, 1)));
    assert!(!h.contains(date(2027, 1, 2)));
    assert!(!h.contains(date(2020, 12, 30)));
    assert!(!h.contains(date(2020, 1, 1)), "no occurrence before first");
    assert_eq!(
        h.dates_between(date(2027, 1, 1), date(2027, 12, 31)),
        vec![date(2027, 1, 1), date(2027, 12, 31)]
    );
}

#[test]
fn long_span_rule_is_found_from_far_inside_the_occurrence() {
    let mut r = rule(
        date(2020, 6, 1),
        YearlyPattern::month_day_of(date(2020, 6, 1)),
    );
    r.span_days = 300;
    assert!(r.contains(date(2021, 3, 27)));
    assert!(!r.contains(date(2021, 3, 28)));
    r.count = Some(1);
    assert!(r.contains(date(2021, 3, 27)));
    assert!(!r.contains(date(2021, 6, 1)));
}

#[test]
fn nth_weekday_patterns_resolve_first_and_last_weekdays() {
    let thanksgiving = YearlyPattern::NthWeekday {
        month: 11,
        nth: 4,
        weekday: Weekday::Thursday,
    };
    assert_eq!(thanksgiving.date_in(2026), Some(date(2026, 11, 26)));
    assert_eq!(thanksgiving.date_in(2027), Some(date(2027, 11, 25)));
    let memorial = YearlyPattern::NthWeekday {
        month: 5,
        nth: -1,
        weekday: Weekday::Monday,
    };
    assert_eq!(memorial.date_in(2026), Some(date(2026, 5, 25)));
    assert_eq!(memorial.date_in(2027), Some(date(2027, 5, 31)));
    let fifth_monday_of_march = YearlyPattern::NthWeekday {
        month: 3,
        nth: 5,
        weekday: Weekday::Monday,
    };
    assert_eq!(fifth_monday_of_march.date_in(2024), None);
    assert_eq!(fifth_monday_of_march.date_in(2026), Some(date(2026, 3, 30)));
    let nonsense = YearlyPattern::NthWeekday {
        month: 13,
        nth: 0,
        weekday: Weekday::Monday,
    };
    assert_eq!(nonsense.date_in(2026), None);
}

#[test]
fn nth_weekday_matches_jiff_for_every_combination() {
    let weekdays = [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
        Weekday::Saturday,
        Weekday::Sunday,
    ];
    for year in 2023..=2029 {
        for month in 1..=12 {
            for nth in [-5, -4, -3, -2, -1, 1, 2, 3, 4, 5] {
                for weekday in weekdays {
                    let expected = date(year, month, 1).nth_weekday_of_month(nth, weekday).ok();
                    let pattern = YearlyPattern::NthWeekday {
                        month,
                        nth,
                        weekday,
                    };
                    assert_eq!(
                        pattern.date_in(year),
                        expected,
                        "{year}-{month} {nth} {weekday:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn feb_29_rule_skips_non_leap_years() {
    let r = rule(
        date(2024, 2, 29),
        YearlyPattern::month_day_of(date(2024, 2, 29)),
    );
    assert!(r.contains(date(2024, 2, 29)));
    assert!(!r.contains(date(2025, 2, 28)));
    assert!(!r.contains(date(2025, 3, 1)));
    assert!(r.contains(date(2028, 2, 29)));
    let starts: Vec<Date> = r.starts().take(3).collect();
    assert_eq!(
        starts,
        vec![date(2024, 2, 29), date(2028, 2, 29), date(2032, 2, 29)]
    );
}

#[test]
fn count_counts_generated_occurrences_skipping_missing_feb_29() {
    let mut r = rule(
        date(2024, 2, 29),
        YearlyPattern::month_day_of(date(2024, 2, 29)),
    );
    r.count = Some(2);
    assert!(r.contains(date(2024, 2, 29)));
    assert!(r.contains(date(2028, 2, 29)));
    assert!(!r.contains(date(2032, 2, 29)));
}

#[test]
fn count_includes_excepted_occurrences() {
    let mut r = rule(
        date(2020, 5, 1),
        YearlyPattern::month_day_of(date(2020, 5, 1)),
    );
    r.count = Some(3);
    r.except.insert(date(2021, 5, 1));
    assert!(r.contains(date(2020, 5, 1)));
    assert!(!r.contains(date(2021, 5, 1)));
    assert!(r.contains(date(2022, 5, 1)));
    assert!(!r.contains(date(2023, 5, 1)));
    let starts: Vec<Date> = r.starts().collect();
    assert_eq!(starts, vec![date(2020, 5, 1), date(2022, 5, 1)]);
}

#[test]
fn count_zero_means_no_occurrence() {
    let mut r = rule(
        date(2020, 5, 1),
        YearlyPattern::month_day_of(date(2020, 5, 1)),
    );
    r.count = Some(0);
    assert!(!r.contains(date(2020, 5, 1)));
    assert_eq!(r.starts().count(), 0);
}

#[test]
fn until_bounds_occurrence_start_dates_inclusively() {
    let mut r = rule(
        date(2020, 12, 31),
        YearlyPattern::month_day_of(date(2020, 12, 31)),
    );
    r.span_days = 2;
    r.until = Some(date(2022, 12, 31));
    assert!(r.contains(date(2022, 12, 31)));
    assert!(
        r.contains(date(2023, 1, 1)),
        "last occurrence still spans its days"
    );
    assert!(!r.contains(date(2023, 12, 31)));
}

#[test]
fn interval_two_skips_every_other_year_and_zero_acts_as_one() {
    let mut r = rule(
        date(2026, 3, 3),
        YearlyPattern::month_day_of(date(2026, 3, 3)),
    );
    r.interval = 2;
    assert!(r.contains(date(2026, 3, 3)));
    assert!(!r.contains(date(2027, 3, 3)));
    assert!(r.contains(date(2028, 3, 3)));
    r.interval = 0;
    assert!(r.contains(date(2027, 3, 3)));
}

#[test]
fn first_not_matching_pattern_is_an_extra_occurrence() {
    // DTSTART 2026-11-01 with "4th Thursday of November": 2026-11-01 and 2026-11-26 both.
    let mut r = rule(
        date(2026, 11, 1),
        YearlyPattern::NthWeekday {
            month: 11,
            nth: 4,
            weekday: Weekday::Thursday,
        },
    );
    assert!(r.contains(date(2026, 11, 1)));
    assert!(r.contains(date(2026, 11, 26)));
    assert!(!r.contains(date(2027, 11, 1)));
    r.count = Some(2);
    assert!(r.contains(date(2026, 11, 26)));
    assert!(!r.contains(date(2027, 11, 25)));
}

#[test]
fn pattern_before_first_in_first_year_is_not_an_occurrence() {
    let r = rule(
        date(2026, 12, 1),
        YearlyPattern::MonthDay { month: 11, day: 1 },
    );
    assert!(!r.contains(date(2026, 11, 1)));
    assert!(r.contains(date(2026, 12, 1)));
    assert!(r.contains(date(2027, 11, 1)));
}

#[test]
fn extend_merges_dates_and_rules() {
    let mut a = Holidays::new();
    a.add_date(date(2026, 1, 1));
    let mut b = Holidays::new();
    b.add_rule(rule(
        date(2026, 12, 25),
        YearlyPattern::month_day_of(date(2026, 12, 25)),
    ));
    a.extend(b);
    assert!(a.contains(date(2026, 1, 1)));
    assert!(a.contains(date(2030, 12, 25)));
    assert_eq!(a.rules().len(), 1);
    assert_eq!(a.dates().len(), 1);
}

#[test]
fn dates_between_lists_rule_and_fixed_dates_deduplicated() {
    let mut h = Holidays::new();
    h.add_date(date(2026, 12, 25));
    let mut r = rule(
        date(2000, 12, 24),
        YearlyPattern::month_day_of(date(2000, 12, 24)),
    );
    r.span_days = 3;
    h.add_rule(r);
    assert_eq!(
        h.dates_between(date(2026, 12, 25), date(2027, 12, 24)),
        vec![date(2026, 12, 25), date(2026, 12, 26), date(2027, 12, 24)]
    );
}

#[test]
fn contains_agrees_with_dates_between_for_assorted_rules() {
    let mut h = Holidays::new();
    let mut a = rule(
        date(2021, 12, 30),
        YearlyPattern::month_day_of(date(2021, 12, 30)),
    );
    a.span_days = 4;
    a.interval = 2;
    a.except.insert(date(2025, 12, 30));
    h.add_rule(a);
    let mut b = rule(
        date(2022, 5, 30),
        YearlyPattern::NthWeekday {
            month: 5,
            nth: -1,
            weekday: Weekday::Monday,
        },
    );
    b.count = Some(4);
    b.span_days = 2;
    h.add_rule(b);
    let mut c = rule(
        date(2020, 2, 29),
        YearlyPattern::month_day_of(date(2020, 2, 29)),
    );
    c.until = Some(date(2028, 2, 29));
    h.add_rule(c);
    let from = date(2019, 1, 1);
    let to = date(2032, 12, 31);
    let listed = h.dates_between(from, to);
    let mut day = from;
    let mut probed = Vec::new();
    while day <= to {
        if h.contains(day) {
            probed.push(day);
        }
        let Ok(next) = day.tomorrow() else { break };
        day = next;
    }
    assert_eq!(listed, probed);
    assert!(listed.contains(&date(2024, 1, 2)));
    assert!(!listed.contains(&date(2026, 1, 1)));
    assert!(listed.contains(&date(2025, 5, 27)));
    assert!(!listed.contains(&date(2026, 5, 25)));
    assert!(listed.contains(&date(2028, 2, 29)));
    assert!(!listed.contains(&date(2032, 2, 29)));
}
