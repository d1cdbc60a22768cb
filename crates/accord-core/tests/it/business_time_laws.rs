//! Laws of business time (SPEC §3) on random calendars and zones, and
//! agreement with a brute-force reference that reads the SPEC literally:
//! an instant is open iff its local wall time, on its local date, lies in
//! that date's opening hours.

use std::collections::BTreeMap;

use accord_core::BusinessDuration;
use accord_core::calendar::{Calendar, CalendarRules, DayHours, Holidays, OpeningInterval};
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use proptest::prelude::*;

/// Zones with the awkward cases: 30-minute DST, odd offsets, southern
/// hemisphere, a skipped day, negative half-hour offsets.
const ZONES: [&str; 10] = [
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "Pacific/Apia",
    "America/St_Johns",
    "America/Sao_Paulo",
    "Asia/Tehran",
    "Pacific/Chatham",
];

/// Anchors near DST changes and anomalies; starts are drawn around them.
const ANCHORS: [&str; 9] = [
    "2026-03-08T06:00:00Z",
    "2026-03-29T01:00:00Z",
    "2026-04-05T15:00:00Z",
    "2026-10-03T15:30:00Z",
    "2026-10-25T01:00:00Z",
    "2026-11-01T06:00:00Z",
    "2011-12-29T10:00:00Z",
    "2019-09-29T00:00:00Z",
    "2026-12-24T12:00:00Z",
];

/// One day's hours on a 15-minute grid: 0 to 3 disjoint intervals.
fn day_hours() -> impl Strategy<Value = DayHours> {
    prop_oneof![
        1 => Just(DayHours::closed()),
        1 => Just(DayHours::new(vec![OpeningInterval::new(0, 86_400).unwrap()]).unwrap()),
        4 => proptest::collection::btree_set(0u32..=96, 2..=6).prop_map(|cuts| {
            let cuts: Vec<u32> = cuts.into_iter().collect();
            let intervals = cuts
                .chunks_exact(2)
                .map(|p| OpeningInterval::new(p[0] * 900, p[1] * 900).unwrap())
                .collect();
            DayHours::new(intervals).unwrap()
        }),
    ]
}

fn rules() -> impl Strategy<Value = (CalendarRules, i64)> {
    (
        0..ZONES.len(),
        proptest::array::uniform7(day_hours()),
        0..ANCHORS.len(),
        proptest::collection::vec(-10i64..40, 0..4),
        proptest::collection::vec((-10i64..40, day_hours()), 0..3),
    )
        .prop_filter("needs some weekly opening", |(_, weekly, ..)| {
            weekly.iter().any(|d| !d.is_closed())
        })
        .prop_map(|(zone, weekly, anchor, holidays, exceptions)| {
            let anchor: Timestamp = ANCHORS[anchor].parse().unwrap();
            let day0 = TimeZone::UTC.to_datetime(anchor).date();
            let near = |off: i64| day0.checked_add(jiff::Span::new().days(off)).unwrap();
            let mut h = Holidays::new();
            holidays.into_iter().for_each(|off| h.add_date(near(off)));
            let exceptions: BTreeMap<Date, DayHours> = exceptions
                .into_iter()
                .map(|(off, d)| (near(off), d))
                .collect();
            let rules = CalendarRules {
                zone: TimeZone::get(ZONES[zone]).unwrap(),
                weekly,
                holidays: h,
                exceptions,
            };
            (rules, anchor.as_second())
        })
}

fn weekly_open(rules: &CalendarRules) -> i64 {
    rules
        .weekly
        .iter()
        .map(|d| i64::from(d.open_seconds()))
        .sum()
}

fn ts(s: i64) -> Timestamp {
    Timestamp::from_second(s).unwrap()
}

fn dur(s: i64) -> BusinessDuration {
    BusinessDuration::from_secs(s).unwrap()
}

/// The SPEC, literally.
fn reference_is_open(rules: &CalendarRules, t: i64) -> bool {
    let local = rules.zone.to_datetime(ts(t));
    let tod = u32::try_from(local.hour()).unwrap() * 3600
        + u32::try_from(local.minute()).unwrap() * 60
        + u32::try_from(local.second()).unwrap();
    rules
        .hours_on(local.date())
        .intervals()
        .iter()
        .any(|iv| iv.start() <= tod && tod < iv.end())
}

// Every zone above changes offset only at whole minutes and every opening
// boundary is on a 15-minute grid, so openness is constant within a minute.
fn reference_elapsed(rules: &CalendarRules, s: i64, e: i64) -> i64 {
    let mut m = s.div_euclid(60) * 60;
    let mut total = 0;
    while m < e {
        if reference_is_open(rules, m) {
            total += (m + 60).min(e) - m.max(s);
        }
        m += 60;
    }
    total
}

fn reference_deadline(rules: &CalendarRules, s: i64, d: i64, limit: i64) -> Option<i64> {
    if d == 0 {
        return Some(s);
    }
    let mut m = s.div_euclid(60) * 60;
    let mut acc = 0;
    while m < s + limit {
        if reference_is_open(rules, m) {
            let from = m.max(s);
            let avail = m + 60 - from;
            if acc + avail >= d {
                return Some(from + (d - acc));
            }
            acc += avail;
        }
        m += 60;
    }
    None
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn agrees_with_brute_force_reference(
        (rules, anchor) in rules(),
        offset in -3 * 86_400i64..3 * 86_400,
        span in 0i64..6 * 86_400,
        fraction in 0.0f64..1.0,
    ) {
        let cal = Calendar::new("c", rules.clone());
        let s = anchor + offset;
        let e = s + span;
        prop_assert_eq!(cal.elapsed(ts(s), ts(e)).unwrap().as_secs(), reference_elapsed(&rules, s, e));
        for t in [s, e, s + span / 2] {
            prop_assert_eq!(cal.is_open(ts(t)).unwrap(), reference_is_open(&rules, t), "is_open at {}", ts(t));
        }
        // A duration the calendar reaches within a few weeks.
        let d = ((weekly_open(&rules).min(3 * 86_400)) as f64 * fraction) as i64;
        let expected = reference_deadline(&rules, s, d, 70 * 86_400);
        prop_assume!(expected.is_some());
        prop_assert_eq!(cal.deadline(ts(s), dur(d)).unwrap().as_second(), expected.unwrap());
    }

    #[test]
    fn elapsed_of_deadline_is_the_duration(
        (rules, anchor) in rules(),
        offset in -400 * 86_400i64..400 * 86_400,
        d in 0i64..3 * 365 * 8 * 3600,
    ) {
        let cal = Calendar::new("c", rules);
        let s = ts(anchor + offset);
        let t = cal.deadline(s, dur(d)).unwrap();
        prop_assert!(t >= s);
        prop_assert_eq!(cal.elapsed(s, t).unwrap().as_secs(), d);
        // And `t` is the earliest such instant: one second before, less has passed.
        if d > 0 {
            prop_assert_eq!(cal.elapsed(s, ts(t.as_second() - 1)).unwrap().as_secs(), d - 1);
        }
    }

    #[test]
    fn deadline_is_monotonic_in_the_duration(
        (rules, anchor) in rules(),
        offset in -400 * 86_400i64..400 * 86_400,
        a in 0i64..2 * 365 * 8 * 3600,
        b in 0i64..2 * 365 * 8 * 3600,
    ) {
        let cal = Calendar::new("c", rules);
        let s = ts(anchor + offset);
        let (lo, hi) = (a.min(b), a.max(b));
        prop_assert!(cal.deadline(s, dur(lo)).unwrap() <= cal.deadline(s, dur(hi)).unwrap());
        if lo < hi {
            prop_assert!(cal.deadline(s, dur(lo)).unwrap() < cal.deadline(s, dur(hi)).unwrap());
        }
    }

    #[test]
    fn deadlines_compose(
        (rules, anchor) in rules(),
        offset in -400 * 86_400i64..400 * 86_400,
        a in 0i64..365 * 8 * 3600,
        b in 0i64..365 * 8 * 3600,
    ) {
        let cal = Calendar::new("c", rules);
        let s = ts(anchor + offset);
        let stepwise = cal.deadline(cal.deadline(s, dur(a)).unwrap(), dur(b)).unwrap();
        prop_assert_eq!(stepwise, cal.deadline(s, dur(a + b)).unwrap());
    }

    #[test]
    fn elapsed_is_additive(
        (rules, anchor) in rules(),
        points in proptest::collection::vec(-800 * 86_400i64..800 * 86_400, 3),
    ) {
        let cal = Calendar::new("c", rules);
        let mut p: Vec<i64> = points.iter().map(|o| anchor + o).collect();
        p.sort_unstable();
        let e = |x: i64, y: i64| cal.elapsed(ts(x), ts(y)).unwrap().as_secs();
        prop_assert_eq!(e(p[0], p[1]) + e(p[1], p[2]), e(p[0], p[2]));
    }

    #[test]
    fn next_open_and_next_close_bracket_openness(
        (rules, anchor) in rules(),
        offset in -30 * 86_400i64..30 * 86_400,
    ) {
        let cal = Calendar::new("c", rules.clone());
        let t = anchor + offset;
        let open = cal.next_open(ts(t)).unwrap().unwrap().as_second();
        prop_assert!(open >= t);
        prop_assert!(reference_is_open(&rules, open));
        if open > t {
            prop_assert_eq!(reference_elapsed(&rules, t, open.min(t + 40 * 86_400)), 0);
        }
        if let Some(close) = cal.next_close(ts(open)).unwrap() {
            let close = close.as_second();
            prop_assert!(close > open && !reference_is_open(&rules, close));
            if close - open < 40 * 86_400 {
                prop_assert_eq!(reference_elapsed(&rules, open, close), close - open);
            }
        }
    }
}
