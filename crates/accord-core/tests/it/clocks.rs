//! Laws of SLA clocks (SPEC §4): random event logs of one ticket, on a
//! Mon–Fri 09:00–17:00 Europe/Berlin calendar with holidays (and a 24x7
//! calendar for the order laws), around the spring DST change and Easter.

use std::collections::BTreeMap;
use std::sync::Arc;

use accord_core::calendar::{Calendar, CalendarRules, DayHours, OpeningInterval};
use accord_core::clock::{
    ClockPolicy, ClockState, Detail, EventKind, Metric, PriorityTargets, TicketEvent, evaluate,
    evaluate_with,
};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;

fn office() -> Arc<Calendar> {
    let hours = DayHours::new(vec![OpeningInterval::new(9 * 3600, 17 * 3600).unwrap()]).unwrap();
    let mut rules = CalendarRules::weekdays(TimeZone::get("Europe/Berlin").unwrap(), hours);
    rules.holidays.add_date(Date::constant(2026, 4, 3));
    rules.holidays.add_date(Date::constant(2026, 4, 6));
    Arc::new(Calendar::new("support", rules))
}

fn always() -> Arc<Calendar> {
    let day = DayHours::new(vec![OpeningInterval::new(0, 86_400).unwrap()]).unwrap();
    let rules = CalendarRules {
        weekly: std::array::from_fn(|_| day.clone()),
        ..CalendarRules::weekdays(TimeZone::get("Europe/Berlin").unwrap(), day.clone())
    };
    Arc::new(Calendar::new("24x7", rules))
}

const PRIORITIES: [&str; 3] = ["critical", "normal", "urgent"];
const REASONS: [&str; 3] = ["approval", "data_dependency", "work_review"];

/// All priorities on `office`, or `urgent` on 24x7 when `mixed`.
fn policy(mixed: bool, resume_on_client_reply: bool) -> ClockPolicy {
    let office = office();
    let targets = |cal: &Arc<Calendar>, secs: [i64; 4]| PriorityTargets {
        calendar: Arc::clone(cal),
        targets: Metric::ALL
            .into_iter()
            .zip(secs)
            .map(|(m, s)| (m, accord_core::BusinessDuration::from_secs(s).unwrap()))
            .collect(),
    };
    let mut p = ClockPolicy::new();
    p.resume_on_client_reply = resume_on_client_reply;
    p.priorities.insert(
        "critical".into(),
        targets(&office, [3600, 7200, 28_800, 14_400]),
    );
    p.priorities.insert(
        "normal".into(),
        targets(&office, [14_400, 28_800, 144_000, 0]),
    );
    let urgent_cal = if mixed { always() } else { office };
    p.priorities.insert(
        "urgent".into(),
        targets(&urgent_cal, [1800, 3600, 14_400, 7200]),
    );
    p
}

const BASE: &str = "2026-03-26T08:00:00Z";
const SPAN_MINS: i64 = 16 * 24 * 60;

fn at(mins: i64) -> Timestamp {
    BASE.parse::<Timestamp>().unwrap() + SignedDuration::from_mins(mins)
}

fn kind() -> impl Strategy<Value = EventKind> {
    prop_oneof![
        3 => Just(EventKind::Replied),
        3 => Just(EventKind::ClientReplied),
        2 => proptest::sample::select(&REASONS[..]).prop_map(|r| EventKind::Paused {
            reason: r.to_string(),
            waiting_on: None,
        }),
        2 => Just(EventKind::Resumed),
        1 => proptest::sample::select(&PRIORITIES[..])
            .prop_map(|p| EventKind::PriorityChanged { priority: p.to_string() }),
        1 => Just(EventKind::Resolved),
        1 => Just(EventKind::Reopened),
    ]
}

/// A valid log: `opened` first, random events (some with ids), maybe `closed` last.
fn log() -> impl Strategy<Value = Vec<TicketEvent>> {
    (
        proptest::sample::select(&PRIORITIES[..]),
        proptest::collection::vec((0..SPAN_MINS, kind(), any::<bool>()), 0..25),
        any::<bool>(),
    )
        .prop_map(|(priority, rest, closed)| {
            let event = |mins: i64, kind: EventKind, id: Option<String>| TicketEvent {
                ticket: "T-1".into(),
                kind,
                at: at(mins),
                id,
                by: None,
                note: None,
                seq: None,
            };
            let mut events = vec![event(
                0,
                EventKind::Opened {
                    priority: priority.to_string(),
                },
                Some("open".into()),
            )];
            for (i, (mins, kind, with_id)) in rest.into_iter().enumerate() {
                events.push(event(mins, kind, with_id.then(|| format!("e{i}"))));
            }
            if closed {
                events.push(event(SPAN_MINS, EventKind::Closed, None));
            }
            events
        })
}

fn now() -> impl Strategy<Value = Timestamp> {
    (0..=SPAN_MINS + 24 * 60).prop_map(at)
}

/// A valid log whose events carry a `seq` or not: `opened` has the lowest
/// (so it comes first in its second), `closed` none (so it comes last), the
/// others a random one or none, with repeats (ties are broken by kind).
fn log_with_seq() -> impl Strategy<Value = Vec<TicketEvent>> {
    log().prop_flat_map(|events| {
        let n = events.len();
        (
            Just(events),
            proptest::collection::vec(proptest::option::of(1..20u64), n),
        )
            .prop_map(|(mut events, seqs)| {
                for (e, seq) in events.iter_mut().zip(seqs) {
                    e.seq = match e.kind {
                        EventKind::Opened { .. } => Some(0),
                        EventKind::Closed => None,
                        _ => seq,
                    };
                }
                events
            })
    })
}

/// `events` shuffled, with some of them re-sent: a copy has the same `seq`,
/// or, if the original has one, a later one or none (the first recording
/// stands).
fn resent(events: Vec<TicketEvent>) -> impl Strategy<Value = Vec<TicketEvent>> {
    let n = events.len();
    (
        Just(events),
        proptest::collection::vec((0..n, 0..3u8), 0..6),
    )
        .prop_map(|(mut events, repeats)| {
            let copies: Vec<_> = repeats
                .iter()
                .map(|&(i, how)| {
                    let mut copy = events[i].clone();
                    copy.seq = match (copy.seq, how) {
                        (Some(s), 1) => Some(s + 100),
                        (Some(_), 2) => None,
                        (seq, _) => seq,
                    };
                    copy
                })
                .collect();
            events.extend(copies);
            events
        })
        .prop_shuffle()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn shuffling_and_repeating_events_do_not_change_the_clocks(
        (events, shuffled) in log().prop_flat_map(|events| {
            let n = events.len();
            (
                Just(events.clone()),
                (proptest::collection::vec(0..n, 0..6), Just(events))
                    .prop_map(|(repeats, mut events)| {
                        let copies: Vec<_> = repeats.iter().map(|&i| events[i].clone()).collect();
                        events.extend(copies);
                        events
                    })
                    .prop_shuffle(),
            )
        }),
        now in now(),
        mixed in any::<bool>(),
        resume in any::<bool>(),
    ) {
        let p = policy(mixed, resume);
        // Every generated log is valid, so both must evaluate.
        let sorted = evaluate(&p, &events, now).unwrap();
        prop_assert_eq!(evaluate(&p, &shuffled, now).unwrap(), sorted);
    }

    #[test]
    fn with_seq_shuffling_and_re_sending_events_do_not_change_the_clocks(
        (events, shuffled) in log_with_seq()
            .prop_flat_map(|events| (Just(events.clone()), resent(events))),
        now in now(),
        mixed in any::<bool>(),
        resume in any::<bool>(),
    ) {
        let p = policy(mixed, resume);
        let sorted = evaluate(&p, &events, now).unwrap();
        prop_assert_eq!(evaluate(&p, &shuffled, now).unwrap(), sorted);
    }

    #[test]
    fn without_seq_events_apply_in_kind_order_whatever_their_lines(
        events in log_with_seq(),
        now in now(),
        resume in any::<bool>(),
    ) {
        // Dropping every seq gives the clocks of the same log without seq,
        // and a log whose seqs follow the kind order gives them too.
        let p = policy(false, resume);
        let plain: Vec<_> = events.iter().cloned().map(|e| TicketEvent { seq: None, ..e }).collect();
        let mut ranked = plain.clone();
        ranked.sort_by_key(|e| (e.at, e.kind.rank(), e.clone()));
        let numbered: Vec<_> = ranked
            .iter()
            .enumerate()
            .map(|(i, e)| TicketEvent { seq: Some(i as u64), ..e.clone() })
            .rev()
            .collect();
        prop_assert_eq!(evaluate(&p, &numbered, now).unwrap(), evaluate(&p, &plain, now).unwrap());
    }

    #[test]
    fn a_summary_is_the_full_report_without_crossings_and_percentages(
        events in log(),
        now in now(),
        mixed in any::<bool>(),
        resume in any::<bool>(),
    ) {
        let p = policy(mixed, resume);
        let mut full = evaluate(&p, &events, now).unwrap();
        for c in &mut full.clocks {
            c.crossings.clear();
            c.percent_used = None;
        }
        prop_assert_eq!(evaluate_with(&p, &events, now, Detail::Summary).unwrap(), full);
    }

    #[test]
    fn elapsed_plus_paused_is_the_business_time_of_the_clocks_life(
        events in log(),
        now in now(),
        resume in any::<bool>(),
    ) {
        let cal = office();
        let t = evaluate(&policy(false, resume), &events, now).unwrap();
        // Time between `resolved` and `reopened` is neither elapsed nor paused:
        // the law is about clocks that never stopped and started again.
        let reopened = events.iter().any(|e| e.kind == EventKind::Reopened && e.at <= now);
        for c in t.clocks.iter().filter(|c| !(reopened && c.metric == Metric::Resolution)) {
            let end = c.stopped_at.unwrap_or(now);
            let life = cal.elapsed(c.started_at, end).unwrap();
            prop_assert_eq!(
                c.elapsed.as_secs() + c.paused.as_secs(),
                life.as_secs(),
                "{:?}", c
            );
            let by_reason: i64 = c.paused_by_reason.values().map(|d| d.as_secs()).sum();
            prop_assert_eq!(by_reason, c.paused.as_secs());
        }
    }

    #[test]
    fn states_deadlines_and_breaches_agree_with_elapsed_and_target(
        events in log(),
        now in now(),
        mixed in any::<bool>(),
        resume in any::<bool>(),
    ) {
        let p = policy(mixed, resume);
        let t = evaluate(&p, &events, now).unwrap();
        let mut cycles: BTreeMap<Metric, u32> = BTreeMap::new();
        for c in &t.clocks {
            let (elapsed, target) = (c.elapsed.as_secs(), c.target.as_secs());
            let over = elapsed > target;
            match c.state {
                ClockState::Met => prop_assert!(!over, "met over target: {:?}", c),
                ClockState::Missed => prop_assert!(over),
                ClockState::Overdue => prop_assert!(over && c.stopped_at.is_none()),
                ClockState::Running | ClockState::Paused => {
                    prop_assert!(!over && c.stopped_at.is_none())
                }
            }
            prop_assert_eq!(c.breached_at.is_some(), over);
            if let Some(b) = c.breached_at {
                prop_assert!(c.started_at <= b && b <= c.stopped_at.unwrap_or(now));
            }
            prop_assert_eq!(c.remaining.as_secs(), (target - elapsed).max(0));
            prop_assert_eq!(c.deadline.is_some(), c.state == ClockState::Running || (c.state == ClockState::Overdue && t.pause.is_none()));
            if c.state == ClockState::Running {
                let d = c.deadline.unwrap();
                if c.remaining.as_secs() > 0 {
                    let cal = &p.priorities[&t.priority].calendar;
                    prop_assert_eq!(cal.elapsed(now, d).unwrap(), c.remaining);
                } else {
                    prop_assert!(d <= now, "a target reached is in the past");
                }
            }
            let instants: Vec<_> = c.crossings.iter().filter_map(|x| x.at).collect();
            prop_assert!(instants.windows(2).all(|w| w[0] <= w[1]), "{:?}", c.crossings);
            if let Some(next) = c.next_crossing() {
                prop_assert!(c.state == ClockState::Running && next.at.is_some_and(|a| a >= now));
            }
            for x in &c.crossings {
                prop_assert_eq!(x.crossed, x.threshold.as_secs() <= elapsed);
                if x.crossed {
                    prop_assert!(x.at.is_some_and(|a| a <= now));
                }
            }
            // Cycles are numbered from 1 without gaps.
            let expected = cycles.entry(c.metric).or_insert(0);
            *expected += 1;
            prop_assert_eq!(c.cycle, *expected);
            if matches!(c.metric, Metric::FirstResponse | Metric::Resolution) {
                prop_assert_eq!(c.cycle, 1);
            }
        }
    }
}

#[test]
fn the_acme_contract_drives_the_clocks() {
    let text = include_str!("../../../../examples/acme.contract.toml");
    let contract = crate::contract_model::parse_named("acme.contract.toml", text).unwrap();
    let policy = ClockPolicy::from_contract(&contract).unwrap();
    assert_eq!(
        policy.priorities.keys().collect::<Vec<_>>(),
        ["critical", "high", "normal", "outage"]
    );
    assert!(policy.pause_reasons.contains("pending_payment"));
    // Thursday before Easter 16:00 Berlin; Good Friday and Easter Monday are
    // holidays on `support`, so the reply on Tuesday 10:00 comes after 2 h.
    let events = TicketEvent::parse_json_lines(
        r#"{"ticket":"T-1","kind":"opened","at":"2026-04-02T14:00:00Z","priority":"critical"}
{"ticket":"T-1","kind":"replied","at":"2026-04-07T08:00:00Z"}"#,
    )
    .unwrap();
    let t = evaluate(&policy, &events, "2026-04-07T09:00:00Z".parse().unwrap()).unwrap();
    let first = t.of(Metric::FirstResponse).next().unwrap();
    assert_eq!(
        (first.state, first.elapsed.as_secs()),
        (ClockState::Met, 7200)
    );
    let resolution = t.of(Metric::Resolution).next().unwrap();
    assert_eq!(resolution.elapsed.as_secs(), 3 * 3600);
    assert_eq!(
        t.of(Metric::PeriodicUpdate).count(),
        0,
        "critical sets no update target"
    );
}
