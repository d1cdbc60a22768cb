//! Statements built from events: which clocks count where, objectives,
//! paused time and credits (SPEC §7).

use std::collections::BTreeSet;

use proptest::prelude::*;
use rust_decimal::Decimal;

use super::*;
use crate::clock::{ClockState, Metric, TicketEvent};
use crate::contract::Contract;
use crate::diagnostic::SourceFile;

/// A contract: `always` (UTC, 24x7) measures priority `p` (first response
/// 1h, next response 1h, resolution 10h) and `support` (Berlin, weekdays
/// 09–17) measures `biz` (first response 4h, resolution 40h). `extra` is added at the end.
fn contract(top: &str, extra: &str) -> Contract {
    let text = format!(
        r#"id = "t-2026"
client = "T"
currency = "EUR"
effective_from = 2026-01-01
{top}
[calendars.always]
timezone = "UTC"
every_day = ["00:00-24:00"]
[calendars.support]
timezone = "Europe/Berlin"
mon = ["09:00-17:00"]
tue = ["09:00-17:00"]
wed = ["09:00-17:00"]
thu = ["09:00-17:00"]
fri = ["09:00-17:00"]
[priorities.p]
calendar = "always"
first_response = "1h"
next_response = "1h"
resolution = "10h"
[priorities.biz]
calendar = "support"
first_response = "4h"
resolution = "40h"
{extra}
"#
    );
    Contract::parse(&SourceFile::new("t.toml", &text), &mut |_| {
        Err(std::io::Error::other("no files"))
    })
    .unwrap_or_else(|e| panic!("{e}"))
}

fn objective(metric: &str, priority: &str, within: &str, period: &str) -> String {
    format!(
        "[[objectives]]\nmetric = \"{metric}\"\npriority = \"{priority}\"\nwithin_target = {within}\nperiod = \"{period}\"\n"
    )
}

/// `(ticket, kind, at, extra fields)` as events.
fn events(lines: &[(&str, &str, &str, &str)]) -> Vec<TicketEvent> {
    let text: Vec<String> = lines
        .iter()
        .map(|(t, k, at, extra)| format!(r#"{{"ticket":"{t}","kind":"{k}","at":"{at}"{extra}}}"#))
        .collect();
    TicketEvent::parse_json_lines(&text.join("\n")).unwrap()
}

const P: &str = r#","priority":"p""#;

fn period(s: &str) -> ReportPeriod {
    s.parse().unwrap()
}

fn run(c: &Contract, evs: &[TicketEvent], periods: &[&str]) -> Vec<Statement> {
    let periods: Vec<ReportPeriod> = periods.iter().map(|p| period(p)).collect();
    statements(c, evs, &periods, BTreeSet::new()).unwrap()
}

/// (metric, met, breached) of a statement's counted clocks, via its
/// objectives of every metric of `p`.
fn counted(s: &Statement) -> (u64, u64) {
    (s.counted.met, s.counted.breached())
}

#[test]
fn a_clock_met_then_reopened_and_breached_counts_in_both_months() {
    let c = contract("", &objective("resolution", "p", "0.9", "month"));
    let evs = events(&[
        ("T-1", "opened", "2026-01-30T10:00:00Z", P),
        ("T-1", "replied", "2026-01-30T10:30:00Z", ""),
        ("T-1", "resolved", "2026-01-30T15:00:00Z", ""),
        ("T-1", "reopened", "2026-02-02T00:00:00Z", ""),
    ]);
    let s = run(&c, &evs, &["2026-01", "2026-02"]);
    let (jan, feb) = (&s[0].objectives[0], &s[1].objectives[0]);
    assert_eq!(
        (jan.share.met, jan.share.measured, jan.status),
        (1, 1, Status::Met)
    );
    assert_eq!(
        (feb.share.met, feb.share.measured, feb.status),
        (0, 1, Status::Missed)
    );
    // 5h spent in January, 5h more from the reopening: breached at 05:00.
    let breach = &s[1].breaches[0];
    assert_eq!(breach.id.metric, Metric::Resolution);
    assert_eq!(breach.outcome_at.to_string(), "2026-02-02T05:00:00Z");
    assert_eq!(breach.state, ClockState::Overdue);
    let last = breach.last_event.as_ref().unwrap();
    assert_eq!(
        (last.kind, last.at.to_string().as_str()),
        ("reopened", "2026-02-02T00:00:00Z")
    );
    assert!(s[0].breaches.is_empty());
}

#[test]
fn a_next_response_cycle_closed_by_resolved_counts_as_met_at_the_resolution() {
    let c = contract("", &objective("next_response", "p", "1", "month"));
    let evs = events(&[
        ("T-1", "opened", "2026-03-02T08:00:00Z", P),
        ("T-1", "replied", "2026-03-02T08:10:00Z", ""),
        ("T-1", "client_replied", "2026-03-02T09:00:00Z", ""),
        ("T-1", "resolved", "2026-03-02T09:20:00Z", ""),
    ]);
    let s = &run(&c, &evs, &["2026-03"])[0];
    let o = &s.objectives[0];
    assert_eq!(
        (o.share.met, o.share.measured, o.status),
        (1, 1, Status::Met)
    );
}

#[test]
fn nothing_measured_is_no_data_and_earns_no_credit() {
    let credits = "[credits]\nperiod_fee = \"1000.00\"\ncap = 0.5\n[[credits.rules]]\nmetric = \"first_response\"\npriority = \"p\"\ntiers = [{ below = 1, credit = 0.1 }]\n";
    let c = contract(
        "",
        &format!(
            "{}{credits}",
            objective("first_response", "p", "0.9", "month")
        ),
    );
    // A ticket still within its first hour at the end of March.
    let evs = events(&[("T-1", "opened", "2026-03-31T23:30:00Z", P)]);
    let s = &run(&c, &evs, &["2026-03"])[0];
    assert_eq!(s.objectives[0].status, Status::NoData);
    assert_eq!(s.objectives[0].share.measured, 0);
    let credits = s.credits.as_ref().unwrap();
    assert_eq!(credits.total.to_string(), "0.00");
    assert_eq!(credits.lines[0].tier, None);
}

/// Tickets of priority `p` in March whose first responses are met (`met`
/// of them) or breached (the rest).
fn first_responses(met: usize, breached: usize) -> Vec<TicketEvent> {
    let mut lines = Vec::new();
    for i in 0..met + breached {
        let t = format!("T-{i}");
        let day = 2 + i % 20;
        lines.push((
            t.clone(),
            "opened",
            format!("2026-03-{day:02}T08:00:00Z"),
            P,
        ));
        let reply = if i < met { "08:30" } else { "10:00" };
        lines.push((t, "replied", format!("2026-03-{day:02}T{reply}:00Z"), ""));
    }
    let borrowed: Vec<(&str, &str, &str, &str)> = lines
        .iter()
        .map(|(t, k, at, x)| (t.as_str(), *k, at.as_str(), *x))
        .collect();
    events(&borrowed)
}

#[test]
fn a_share_exactly_at_a_tier_below_earns_nothing_from_that_tier() {
    let credits = "[credits]\nperiod_fee = \"2500.00\"\ncap = 0.2\n[[credits.rules]]\nmetric = \"first_response\"\npriority = \"p\"\ntiers = [{ below = 0.95, credit = 0.05 }, { below = 0.90, credit = 0.10 }]\n";
    let c = contract("", credits);
    // 19 of 20 = 0.95: not below 0.95.
    let s = &run(&c, &first_responses(19, 1), &["2026-03"])[0];
    assert_eq!(s.credits.as_ref().unwrap().total.to_string(), "0.00");
    // 18 of 20 = 0.90: below 0.95, not below 0.90 → 5 %.
    let s = &run(&c, &first_responses(18, 2), &["2026-03"])[0];
    let credits = s.credits.as_ref().unwrap();
    assert_eq!(credits.total.to_string(), "125.00");
    assert_eq!(credits.lines[0].tier.unwrap().below.to_string(), "0.95");
    // 17 of 20 = 0.85: below both → the larger credit, 10 %.
    let s = &run(&c, &first_responses(17, 3), &["2026-03"])[0];
    assert_eq!(s.credits.as_ref().unwrap().total.to_string(), "250.00");
}

#[test]
fn credits_over_the_cap_are_cut_to_it_and_rounded_half_up() {
    let credits = "[credits]\nperiod_fee = \"1000.05\"\ncap = 0.15\n\
        [[credits.rules]]\nmetric = \"first_response\"\npriority = \"p\"\ntiers = [{ below = 1, credit = 0.1 }]\n\
        [[credits.rules]]\nmetric = \"resolution\"\npriority = \"p\"\ntiers = [{ below = 1, credit = 0.1 }]\n";
    let c = contract("", credits);
    let evs = events(&[
        ("T-1", "opened", "2026-03-02T08:00:00Z", P),
        ("T-1", "replied", "2026-03-02T10:00:00Z", ""),
        ("T-1", "resolved", "2026-03-03T10:00:00Z", ""),
    ]);
    let s = &run(&c, &evs, &["2026-03"])[0];
    let credits = s.credits.as_ref().unwrap();
    // 2 × 100.005 = 200.01 > cap 150.0075 → 150.0075 → 150.01.
    assert!(credits.capped);
    assert_eq!(credits.lines.len(), 2);
    assert_eq!(credits.lines[0].amount.to_string(), "100.005");
    assert_eq!(credits.total.to_string(), "150.01");
}

#[test]
fn a_quarterly_objective_is_measured_over_the_quarter_in_its_last_month() {
    let c = contract("", &objective("first_response", "p", "0.5", "quarter"));
    let evs = events(&[
        ("T-1", "opened", "2026-01-05T08:00:00Z", P),
        ("T-1", "replied", "2026-01-05T08:10:00Z", ""),
        ("T-1", "resolved", "2026-01-05T08:20:00Z", ""),
        ("T-2", "opened", "2026-02-05T08:00:00Z", P),
        ("T-2", "replied", "2026-02-05T10:00:00Z", ""),
        ("T-2", "resolved", "2026-02-05T10:00:00Z", ""),
        ("T-3", "opened", "2026-03-05T08:00:00Z", P),
        ("T-3", "replied", "2026-03-05T08:10:00Z", ""),
        ("T-3", "resolved", "2026-03-05T08:20:00Z", ""),
    ]);
    let all = run(&c, &evs, &["2026-02", "2026-03", "2026-Q1"]);
    let of = |p: &str| all.iter().find(|s| s.period == period(p)).unwrap();
    let s = [of("2026-02"), of("2026-03"), of("2026-Q1")];
    assert!(s[0].objectives.is_empty(), "February closes no quarter");
    let in_march = &s[1].objectives[0];
    assert_eq!(in_march.period, period("2026-Q1"));
    assert_eq!((in_march.share.met, in_march.share.measured), (2, 3));
    assert_eq!(s[2].period, period("2026-Q1"));
    assert_eq!(s[2].objectives, s[1].objectives);
    // The quarter statement's breaches are the quarter's.
    assert_eq!(s[2].breaches.len(), 1);
    assert_eq!(s[2].breaches[0].id.ticket, "T-2");
    // Two first responses and three resolutions met, one first response breached.
    assert_eq!(counted(s[2]), (5, 1));
}

#[test]
fn a_quarter_statement_lists_a_monthly_objective_for_each_month() {
    let c = contract("", &objective("first_response", "p", "0.5", "month"));
    let evs = events(&[
        ("T-1", "opened", "2026-01-05T08:00:00Z", P),
        ("T-1", "replied", "2026-01-05T08:10:00Z", ""),
    ]);
    let s = &run(&c, &evs, &["2026-Q1"])[0];
    let periods: Vec<String> = s.objectives.iter().map(|o| o.period.to_string()).collect();
    assert_eq!(periods, ["2026-01", "2026-02", "2026-03"]);
    let statuses: Vec<Status> = s.objectives.iter().map(|o| o.status).collect();
    assert_eq!(statuses, [Status::Met, Status::NoData, Status::NoData]);
}

#[test]
fn month_ends_are_read_in_the_reporting_zone_across_dst() {
    // Berlin changes to summer time on 29 March 2026: April starts at
    // 2026-03-31T22:00:00Z.
    let c = contract("report_timezone = \"Europe/Berlin\"", "");
    let evs = events(&[
        ("T-1", "opened", "2026-03-31T21:00:00Z", P),
        ("T-1", "replied", "2026-03-31T21:59:59Z", ""),
        ("T-2", "opened", "2026-03-31T21:30:00Z", P),
        ("T-2", "replied", "2026-03-31T22:00:00Z", ""),
    ]);
    let s = run(&c, &evs, &["2026-03", "2026-04"]);
    assert_eq!(s[0].end.to_string(), "2026-03-31T22:00:00Z");
    assert_eq!(s[1].start, s[0].end);
    let first = |s: &Statement| -> Vec<String> {
        let mut v: Vec<String> = Vec::new();
        for t in ["T-1", "T-2"] {
            let mut tally = Tally::new(&c, &[s.period], BTreeSet::new()).unwrap();
            let mine: Vec<TicketEvent> = evs.iter().filter(|e| e.ticket == t).cloned().collect();
            for (_, clock) in tally.add_ticket(&mine).unwrap() {
                if clock.id.metric == Metric::FirstResponse {
                    v.push(clock.id.ticket);
                }
            }
        }
        v
    };
    // T-1's reply a second before April is March's; T-2's, at April's first
    // instant, is April's.
    assert_eq!(first(&s[0]), ["T-1"]);
    assert_eq!(first(&s[1]), ["T-2"]);
    // In UTC both replies would be March's.
    let utc = contract("report_timezone = \"UTC\"", "");
    let s = run(&utc, &evs, &["2026-03"]);
    assert_eq!(counted(&s[0]), (2, 0));
}

#[test]
fn an_event_at_the_period_end_belongs_to_the_next_period() {
    let c = contract("report_timezone = \"UTC\"", "");
    // The reply at exactly 1 February: as of January's end the clock is
    // live and not yet breached, so January counts nothing.
    let evs = events(&[
        ("T-1", "opened", "2026-01-31T23:30:00Z", P),
        ("T-1", "replied", "2026-02-01T00:00:00Z", ""),
        ("T-1", "resolved", "2026-02-01T00:00:00Z", ""),
    ]);
    let s = run(&c, &evs, &["2026-01", "2026-02"]);
    assert_eq!(counted(&s[0]), (0, 0));
    // First response and resolution, both met at February's first instant.
    assert_eq!(counted(&s[1]), (2, 0));
}

#[test]
fn an_overdue_clock_counts_once_in_the_month_of_its_breach() {
    let c = contract("report_timezone = \"UTC\"", "");
    // Never answered: first response breached 31 Jan 23:30, next months
    // see it overdue (then missed) with the same breach instant.
    let evs = events(&[
        ("T-1", "opened", "2026-01-31T22:30:00Z", P),
        ("T-1", "replied", "2026-03-03T00:00:00Z", ""),
    ]);
    let s = run(&c, &evs, &["2026-01", "2026-02", "2026-03"]);
    let fr = |s: &Statement| {
        s.breaches
            .iter()
            .filter(|b| b.id.metric == Metric::FirstResponse)
            .count()
    };
    assert_eq!((fr(&s[0]), fr(&s[1]), fr(&s[2])), (1, 0, 0));
    // Resolution (10h) breached on 1 February 08:30.
    assert_eq!(s[1].breaches[0].id.metric, Metric::Resolution);
    assert_eq!(
        s[1].breaches[0].outcome_at.to_string(),
        "2026-02-01T08:30:00Z"
    );
}

#[test]
fn paused_time_is_split_at_the_month_end_on_the_tickets_calendar() {
    let c = contract("report_timezone = \"UTC\"", "");
    let evs = events(&[
        ("T-1", "opened", "2026-01-31T20:00:00Z", P),
        ("T-1", "replied", "2026-01-31T20:10:00Z", ""),
        (
            "T-1",
            "paused",
            "2026-01-31T21:00:00Z",
            r#","reason":"approval""#,
        ),
        ("T-1", "resumed", "2026-02-01T02:00:00Z", ""),
        (
            "T-1",
            "paused",
            "2026-02-01T03:00:00Z",
            r#","reason":"data_dependency""#,
        ),
        ("T-1", "resolved", "2026-02-01T03:30:00Z", ""),
    ]);
    let s = run(&c, &evs, &["2026-01", "2026-02"]);
    let secs = |s: &Statement, r: &str| s.paused_by_reason[r].as_secs();
    assert_eq!(secs(&s[0], "approval"), 3 * 3600);
    assert_eq!(secs(&s[1], "approval"), 2 * 3600);
    assert_eq!(secs(&s[1], "data_dependency"), 1800);
    assert_eq!(
        secs(&s[0], "work_review"),
        0,
        "every allowed reason is listed"
    );
    // Running: 20:00–21:00 in January, 02:00–03:00 in February.
    assert_eq!(s[0].provider_time.as_secs(), 3600);
    assert_eq!(s[1].provider_time.as_secs(), 3600);
}

#[test]
fn paused_time_on_a_business_calendar_counts_only_opening_hours() {
    let c = contract("report_timezone = \"Europe/Berlin\"", "");
    // Friday 27 Feb 15:00 Berlin to Monday 2 March 11:00 Berlin, paused:
    // 2h of February business time, 2h of March.
    let evs = events(&[
        (
            "B-1",
            "opened",
            "2026-02-27T13:00:00Z",
            r#","priority":"biz""#,
        ),
        (
            "B-1",
            "paused",
            "2026-02-27T14:00:00Z",
            r#","reason":"approval""#,
        ),
        ("B-1", "resumed", "2026-03-02T10:00:00Z", ""),
    ]);
    let s = run(&c, &evs, &["2026-02", "2026-03"]);
    assert_eq!(s[0].paused_by_reason["approval"].as_secs(), 2 * 3600);
    assert_eq!(s[1].paused_by_reason["approval"].as_secs(), 2 * 3600);
    // Running 14:00–15:00 Berlin on the Friday.
    assert_eq!(s[0].provider_time.as_secs(), 3600);
    // 40h: 1h in February, 39h from Monday 11:00 → Monday 9 March 10:00 Berlin.
    let at = |m: Metric| {
        let b = s[1].breaches.iter().find(|b| b.id.metric == m).unwrap();
        b.outcome_at.to_string()
    };
    assert_eq!(at(Metric::Resolution), "2026-03-09T09:00:00Z");
    // First response (4h): 1h on Friday, 3h more from Monday 11:00 Berlin.
    assert_eq!(at(Metric::FirstResponse), "2026-03-02T13:00:00Z");
}

#[test]
fn an_excluded_clock_is_listed_and_not_counted() {
    let c = contract(
        "report_timezone = \"UTC\"",
        &objective("first_response", "p", "1", "month"),
    );
    let evs = events(&[
        ("T-1", "opened", "2026-03-02T08:00:00Z", P),
        ("T-1", "replied", "2026-03-02T10:00:00Z", ""),
    ]);
    let excluded = BTreeSet::from([ClockId {
        ticket: "T-1".into(),
        metric: Metric::FirstResponse,
        cycle: 1,
    }]);
    let s = &statements(&c, &evs, &[period("2026-03")], excluded).unwrap()[0];
    assert_eq!(s.objectives[0].status, Status::NoData);
    assert_eq!(s.excluded.len(), 1);
    assert!(
        s.breaches
            .iter()
            .all(|b| b.id.metric != Metric::FirstResponse)
    );
}

#[test]
fn a_live_clock_within_target_is_not_counted_yet() {
    let c = contract("report_timezone = \"UTC\"", "");
    let evs = events(&[("T-1", "opened", "2026-03-31T23:30:00Z", P)]);
    let s = run(&c, &evs, &["2026-03", "2026-04"]);
    assert_eq!(counted(&s[0]), (0, 0));
    // In April it breaches (first response at 00:30, resolution at 09:30).
    assert_eq!(counted(&s[1]), (0, 2));
}

#[test]
fn a_ticket_error_names_the_event() {
    let c = contract("", "");
    let evs = events(&[
        ("T-1", "opened", "2026-03-02T08:00:00Z", P),
        (
            "T-1",
            "paused",
            "2026-03-02T09:00:00Z",
            r#","reason":"lunch""#,
        ),
    ]);
    let err = statements(&c, &evs, &[period("2026-03")], BTreeSet::new()).unwrap_err();
    assert!(err.to_string().contains("pause reason `lunch`"), "{err}");
}

// Laws over generated tickets on the 24x7 calendar.

/// One generated ticket: (minutes after 2026-01-01 of opening, then each
/// later event as (minutes after the previous, kind)).
fn ticket_events(
    id: usize,
    open: i64,
    steps: &[(i64, u8)],
    with_reopen_and_pauses: bool,
) -> Vec<TicketEvent> {
    let base: jiff::Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
    let at = |m: i64| {
        base.checked_add(jiff::SignedDuration::from_mins(m))
            .unwrap()
            .to_string()
    };
    let t = format!("G-{id}");
    let mut lines = vec![format!(
        r#"{{"ticket":"{t}","kind":"opened","at":"{}","priority":"p"}}"#,
        at(open)
    )];
    let mut now = open;
    for &(gap, kind) in steps {
        now += gap;
        let kinds: &[&str] = if with_reopen_and_pauses {
            &[
                "replied",
                "client_replied",
                "resolved",
                "reopened",
                "paused",
                "resumed",
            ]
        } else {
            &["replied", "client_replied", "resolved"]
        };
        let kind = kinds[usize::from(kind) % kinds.len()];
        let extra = if kind == "paused" {
            r#","reason":"approval""#
        } else {
            ""
        };
        lines.push(format!(
            r#"{{"ticket":"{t}","kind":"{kind}","at":"{}"{extra}}}"#,
            at(now)
        ));
    }
    TicketEvent::parse_json_lines(&lines.join("\n")).unwrap()
}

fn tickets(with_reopen_and_pauses: bool) -> impl Strategy<Value = Vec<TicketEvent>> {
    prop::collection::vec(
        (
            0i64..130_000,
            prop::collection::vec((1i64..3_000, any::<u8>()), 0..6),
        ),
        1..8,
    )
    .prop_map(move |ts| {
        ts.iter()
            .enumerate()
            .flat_map(|(i, (open, steps))| ticket_events(i, *open, steps, with_reopen_and_pauses))
            .collect()
    })
}

const MONTHS: [&str; 4] = ["2026-01", "2026-02", "2026-03", "2026-04"];

fn law_contract() -> Contract {
    contract(
        "report_timezone = \"UTC\"",
        &format!(
            "{}{}",
            objective("first_response", "p", "0.9", "month"),
            objective("resolution", "p", "0.8", "quarter")
        ),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn the_order_of_events_never_changes_a_statement(evs in tickets(true), seed in any::<u64>()) {
        let c = law_contract();
        let mut shuffled = evs.clone();
        // A deterministic shuffle from the seed.
        let n = shuffled.len();
        let mut s = seed;
        for i in (1..n).rev() {
            s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            shuffled.swap(i, (s >> 33) as usize % (i + 1));
        }
        let periods: Vec<ReportPeriod> = MONTHS.iter().map(|p| period(p)).collect();
        let a = statements(&c, &evs, &periods, BTreeSet::new()).unwrap();
        let b = statements(&c, &shuffled, &periods, BTreeSet::new()).unwrap();
        prop_assert_eq!(a, b);
    }

    #[test]
    fn met_never_exceeds_measured_and_breaches_are_the_breached(evs in tickets(true)) {
        let c = law_contract();
        let periods: Vec<ReportPeriod> = MONTHS.iter().map(|p| period(p)).collect();
        for s in statements(&c, &evs, &periods, BTreeSet::new()).unwrap() {
            for o in &s.objectives {
                prop_assert!(o.share.met <= o.share.measured);
            }
            prop_assert_eq!(s.breaches.len() as u64, s.counted.breached());
            for b in &s.breaches {
                prop_assert!(s.start <= b.outcome_at && b.outcome_at < s.end);
            }
        }
    }

    #[test]
    fn without_reopening_every_decided_clock_counts_in_exactly_one_month(evs in tickets(false)) {
        let c = law_contract();
        let periods: Vec<ReportPeriod> = MONTHS.iter().map(|p| period(p)).collect();
        let all = statements(&c, &evs, &periods, BTreeSet::new()).unwrap();
        let sum: u64 = all.iter().map(|s| s.counted.measured).sum();
        // The clocks decided by the end of April, from one evaluation then.
        let end = all[3].end;
        let policy = crate::clock::ClockPolicy::from_contract(&c).unwrap();
        let mut decided = 0u64;
        let mut tickets: Vec<&str> = evs.iter().map(|e| e.ticket.as_str()).collect();
        tickets.sort();
        tickets.dedup();
        for t in tickets {
            let mine: Vec<TicketEvent> = evs.iter().filter(|e| e.ticket == t).cloned().collect();
            let Ok(clocks) = crate::clock::evaluate_before(&policy, &mine, end, crate::clock::Detail::Summary) else { continue };
            decided += clocks.clocks.iter().filter(|c| match c.state {
                ClockState::Met => true,
                ClockState::Missed | ClockState::Overdue => c.breached_at.is_some_and(|b| b < end),
                _ => false,
            }).count() as u64;
        }
        prop_assert_eq!(sum, decided);
    }

    #[test]
    fn shares_are_exact_decimals_of_the_counts(met in 0u64..500, breached in 0u64..500) {
        let share = Share { met, measured: met + breached };
        match share.value() {
            None => prop_assert_eq!(met + breached, 0),
            Some(v) => {
                let back = v * Decimal::from(met + breached);
                prop_assert!((back - Decimal::from(met)).abs() < Decimal::new(1, 20));
            }
        }
    }
}

#[test]
fn a_breach_names_the_pauses_during_its_clock_and_the_last_event() {
    let c = contract("report_timezone = \"UTC\"", "");
    let evs = events(&[
        ("T-1", "opened", "2026-03-02T08:00:00Z", P),
        (
            "T-1",
            "paused",
            "2026-03-02T08:20:00Z",
            r#","reason":"approval","waiting_on":"client.approver""#,
        ),
        ("T-1", "resumed", "2026-03-02T09:00:00Z", ""),
        ("T-1", "replied", "2026-03-02T10:00:00Z", ""),
    ]);
    let s = &run(&c, &evs, &["2026-03"])[0];
    let first = s
        .breaches
        .iter()
        .find(|b| b.id.metric == Metric::FirstResponse)
        .unwrap();
    // 20 min, paused 40 min, then 40 min more: breached at 09:40.
    assert_eq!(first.outcome_at.to_string(), "2026-03-02T09:40:00Z");
    assert_eq!(first.pauses.len(), 1);
    let pause = &first.pauses[0];
    assert_eq!(pause.reason, "approval");
    assert_eq!(pause.waiting_on.as_deref(), Some("client.approver"));
    assert_eq!(
        (pause.from.to_string(), pause.to.map(|t| t.to_string())),
        (
            "2026-03-02T08:20:00Z".to_string(),
            Some("2026-03-02T09:00:00Z".to_string())
        )
    );
    assert_eq!(first.last_event.as_ref().unwrap().kind, "resumed");
    assert_eq!(first.paused_by_reason["approval"].as_secs(), 2400);
}

/// Reporting zone Berlin; `go-live` (due Tue 31 March, a sample export due
/// Fri 13 February), `handover` (due Fri 20 March), `training` (due 30
/// April); billing rounds each entry up to 15 minutes, at least 30.
fn sections_contract() -> Contract {
    contract(
        r#"report_timezone = "Europe/Berlin""#,
        r#"[contacts.client]
owner = { name = "O", email = "o@c.example" }
[[milestones]]
id = "go-live"
name = "Go-live"
due = 2026-03-31
calendar = "support"
[[milestones.deliverables]]
what = "Sample data export"
owner = "client.owner"
due = 2026-02-13
reason = "data_dependency"
[[milestones]]
id = "handover"
name = "Handover"
due = 2026-03-20
calendar = "support"
[[milestones]]
id = "training"
name = "Training"
due = 2026-04-30
calendar = "support"
[billing]
rate = "100.00"
invoice_every = "month"
[billing.rounding]
increment = "15m"
mode = "up"
minimum = "30m"
"#,
    )
}

fn march_statement(c: &Contract) -> Statement {
    run(c, &[], &["2026-03"]).remove(0)
}

#[test]
fn a_late_deliverable_before_the_period_end_shifts_a_milestone_and_a_shift_at_the_end_does_not() {
    let c = sections_contract();
    let text = [
        // received Wed 18 February: Mon 16 to Wed 18 are the client's, 3 days
        r#"{"milestone":"go-live","kind":"deliverable_received","deliverable":"1","at":"2026-02-18T10:00:00+01:00"}"#,
        // at the period's end exactly (1 April 00:00 Berlin): not applied
        r#"{"milestone":"go-live","kind":"shifted","days":2,"reason":"CR","at":"2026-04-01T00:00:00+02:00"}"#,
        // completed Tue 24 March, after its due date with no delay
        r#"{"milestone":"handover","kind":"completed","at":"2026-03-24T10:00:00+01:00"}"#,
    ]
    .join("\n");
    let events: Vec<_> = crate::milestone::MilestoneEvent::parse_json_lines(&text)
        .unwrap()
        .into_iter()
        .map(|(_, e)| e)
        .collect();
    let mut s = march_statement(&c);
    s.add_sections(&c, Some(&events), None).unwrap();
    let row = |m: &MilestoneLine| {
        (
            m.id.clone(),
            m.baseline_due.to_string(),
            m.adjusted_due.to_string(),
            m.client_delay_days,
            m.shift_days,
            m.state.as_str(),
            m.miss,
        )
    };
    let rows: Vec<_> = s.milestones.iter().map(row).collect();
    assert_eq!(
        rows,
        [
            (
                "go-live".into(),
                "2026-03-31".into(),
                "2026-04-03".into(),
                3,
                0,
                "on_track",
                None
            ),
            (
                "handover".into(),
                "2026-03-20".into(),
                "2026-03-20".into(),
                0,
                0,
                "missed",
                Some("provider")
            ),
            (
                "training".into(),
                "2026-04-30".into(),
                "2026-04-30".into(),
                0,
                0,
                "on_track",
                None
            ),
        ]
    );
    assert!(s.hours_by_activity.is_empty());
}

#[test]
fn without_milestone_events_or_entries_the_sections_are_empty() {
    let c = sections_contract();
    let mut s = march_statement(&c);
    s.add_sections(&c, None, None).unwrap();
    assert!(s.milestones.is_empty());
    assert!(s.hours_by_activity.is_empty());
}

#[test]
fn hours_are_the_entries_of_the_period_in_the_reporting_zone_each_rounded() {
    let c = sections_contract();
    let entries = crate::time::parse_json_lines(
        &[
            // 70 min → 75 min billed
            r#"{"id":"E-1","person":"p@x.example","start":"2026-03-02T09:00:00+01:00","minutes":70,"activity":"dev"}"#,
            // 10 min → 15 min, then the 30 min minimum
            r#"{"id":"E-2","person":"p@x.example","start":"2026-03-03T09:00:00+01:00","minutes":10,"activity":"dev"}"#,
            // non billable: raw counts, nothing billed
            r#"{"id":"E-3","person":"p@x.example","start":"2026-03-04T09:00:00+01:00","minutes":20,"activity":"dev","billable":"non_billable"}"#,
            // 1 March 00:30 in Berlin (28 February in UTC): March; 31 min → 45
            r#"{"id":"E-4","person":"p@x.example","start":"2026-02-28T23:30:00Z","minutes":31,"activity":"meeting","billable":"no_charge"}"#,
            // 1 April 00:30 in Berlin: April
            r#"{"id":"E-5","person":"p@x.example","start":"2026-03-31T22:30:00Z","minutes":60,"activity":"meeting"}"#,
            // 28 February 23:30 in Berlin: February
            r#"{"id":"E-6","person":"p@x.example","start":"2026-02-28T22:30:00Z","minutes":60,"activity":"dev"}"#,
        ]
        .join("\n"),
    )
    .unwrap();
    let mut s = march_statement(&c);
    s.add_sections(&c, None, Some(&entries)).unwrap();
    assert!(s.milestones.is_empty());
    let h = &s.hours_by_activity;
    assert_eq!(h.keys().collect::<Vec<_>>(), ["dev", "meeting"]);
    let hours = |raw_s, billed_s| Hours { raw_s, billed_s };
    assert_eq!(h["dev"].total, hours(6000, 6300));
    assert_eq!(
        h["dev"].by_kind[&crate::time::Billable::Billable],
        hours(4800, 6300)
    );
    assert_eq!(
        h["dev"].by_kind[&crate::time::Billable::NonBillable],
        hours(1200, 0)
    );
    assert_eq!(h["meeting"].total, hours(1860, 2700));
    assert_eq!(h["meeting"].by_kind.len(), 1);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Every entry with a work date in the period is counted once, in its
    /// activity and its kind; entries outside it are not.
    #[test]
    fn hours_add_up_to_the_raw_time_of_the_periods_entries(
        specs in prop::collection::vec((0i64..90 * 86_400, 1i64..600, 0usize..3, 0usize..3), 0..30)
    ) {
        let c = sections_contract();
        let kinds = ["billable", "non_billable", "no_charge"];
        let acts = ["dev", "ops", "meeting"];
        let base: jiff::Timestamp = "2026-02-01T00:00:00Z".parse().unwrap();
        let lines: Vec<String> = specs.iter().enumerate().map(|(i, (off, min, k, a))| {
            let start = base.checked_add(jiff::SignedDuration::from_secs(*off)).unwrap();
            format!(r#"{{"id":"E-{i}","person":"p@x.example","start":"{start}","minutes":{min},"activity":"{}","billable":"{}"}}"#, acts[*a], kinds[*k])
        }).collect();
        let entries = crate::time::parse_json_lines(&lines.join("\n")).unwrap();
        let march = period("2026-03");
        let (start, end) = march.bounds(&c.reporting_zone()).unwrap();
        let expected: i64 = entries.iter().filter(|e| e.start >= start && e.start < end).map(|e| e.raw_s()).sum();
        let h = hours_by_activity(&c, &entries, march);
        prop_assert_eq!(h.values().map(|a| a.total.raw_s).sum::<i64>(), expected);
        for a in h.values() {
            prop_assert_eq!(a.by_kind.values().map(|k| k.raw_s).sum::<i64>(), a.total.raw_s);
            prop_assert_eq!(a.by_kind.values().map(|k| k.billed_s).sum::<i64>(), a.total.billed_s);
            let nb = a.by_kind.get(&crate::time::Billable::NonBillable).copied().unwrap_or_default();
            prop_assert_eq!(nb.billed_s, 0);
            prop_assert!(a.total.billed_s >= a.total.raw_s - nb.raw_s);
        }
    }
}

// Statements so far (the service's drafts of a month in progress and its
// dashboard): the same fold, cut at an instant.

#[test]
fn a_statement_so_far_does_not_count_a_breach_yet_to_come() {
    let c = contract("", &objective("first_response", "p", "0.9", "month"));
    let evs = events(&[("T-1", "opened", "2026-03-02T08:00:00Z", P)]);
    let march = period("2026-03");
    // At 08:30 the first response is live: nothing decided yet.
    let at_0830: jiff::Timestamp = "2026-03-02T08:30:00Z".parse().unwrap();
    let so_far = statements_as_of(&c, &evs, &[march], BTreeSet::new(), Some(at_0830)).unwrap();
    assert_eq!(so_far[0].end, at_0830);
    assert_eq!(so_far[0].objectives[0].status, Status::NoData);
    // At the month's end it has long breached.
    let whole = run(&c, &evs, &["2026-03"]);
    assert_eq!(whole[0].objectives[0].status, Status::Missed);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn a_statement_so_far_is_the_statement_once_its_period_has_ended(
        evs in tickets(true),
        after in 0i64..100_000,
    ) {
        let c = law_contract();
        let periods: Vec<ReportPeriod> = MONTHS.iter().map(|p| period(p)).collect();
        let whole = statements(&c, &evs, &periods, BTreeSet::new()).unwrap();
        let later = whole[3].end + jiff::SignedDuration::from_mins(after);
        let so_far = statements_as_of(&c, &evs, &periods, BTreeSet::new(), Some(later)).unwrap();
        prop_assert_eq!(whole, so_far);
    }

    #[test]
    fn a_statement_so_far_counts_only_what_is_decided_by_then_and_grows(
        evs in tickets(false),
        cut in 0i64..40_000,
    ) {
        let c = law_contract();
        let february = [period("2026-02")];
        let whole = statements(&c, &evs, &february, BTreeSet::new()).unwrap();
        let at = whole[0].start + jiff::SignedDuration::from_mins(cut);
        let so_far = statements_as_of(&c, &evs, &february, BTreeSet::new(), Some(at)).unwrap();
        let s = &so_far[0];
        prop_assert_eq!(s.end, at.min(whole[0].end));
        for b in &s.breaches {
            prop_assert!(b.outcome_at < s.end);
        }
        // Without reopening, a clock decided by then stays decided.
        prop_assert!(s.counted.measured <= whole[0].counted.measured);
    }
}
