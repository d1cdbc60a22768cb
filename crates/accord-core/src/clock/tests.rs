//! Hand-worked clock scenarios (SPEC §4, §5) on a Mon–Fri 09:00–17:00
//! Europe/Berlin calendar with Good Friday and Easter Monday 2026 as
//! holidays, plus a 24x7 Berlin calendar for wall-clock targets.
//!
//! Instants are written in Berlin local time (`b("2026-03-02 10:00")`); in
//! March before the 29th Berlin is UTC+1, from then until 25 October UTC+2.

use std::collections::BTreeMap;
use std::sync::Arc;

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use rust_decimal::Decimal;

use super::*;
use crate::BusinessDuration;
use crate::calendar::{Calendar, CalendarRules, DayHours, OpeningInterval};

fn b(local: &str) -> Timestamp {
    let dt: DateTime = local.replace(' ', "T").parse().unwrap();
    dt.in_tz("Europe/Berlin").unwrap().timestamp()
}

fn h(hours: i64) -> i64 {
    hours * 3600
}

fn m(mins: i64) -> i64 {
    mins * 60
}

fn berlin() -> TimeZone {
    TimeZone::get("Europe/Berlin").unwrap()
}

fn office() -> Arc<Calendar> {
    let hours = DayHours::new(vec![OpeningInterval::new(9 * 3600, 17 * 3600).unwrap()]).unwrap();
    let mut rules = CalendarRules::weekdays(berlin(), hours);
    rules.holidays.add_date(Date::constant(2026, 4, 3));
    rules.holidays.add_date(Date::constant(2026, 4, 6));
    Arc::new(Calendar::new("support", rules))
}

fn always() -> Arc<Calendar> {
    let day = DayHours::new(vec![OpeningInterval::new(0, 86_400).unwrap()]).unwrap();
    let mut rules = CalendarRules::weekdays(berlin(), day.clone());
    rules.weekly[5] = day.clone();
    rules.weekly[6] = day;
    Arc::new(Calendar::new("24x7", rules))
}

fn targets(cal: &Arc<Calendar>, list: &[(Metric, &str)]) -> PriorityTargets {
    PriorityTargets {
        calendar: Arc::clone(cal),
        targets: list
            .iter()
            .map(|(metric, d)| (*metric, d.parse::<BusinessDuration>().unwrap()))
            .collect(),
    }
}

/// critical: 1h / 2h / 8h / updates every 4h; normal: 4h / 8h / 40h, no
/// update target; urgent: wall clock 24x7, 30m / 4h.
fn policy() -> ClockPolicy {
    use Metric::*;
    let office = office();
    let mut p = ClockPolicy::new();
    p.priorities.insert(
        "critical".into(),
        targets(
            &office,
            &[
                (FirstResponse, "1h"),
                (NextResponse, "2h"),
                (Resolution, "8h"),
                (PeriodicUpdate, "4h"),
            ],
        ),
    );
    p.priorities.insert(
        "normal".into(),
        targets(
            &office,
            &[
                (FirstResponse, "4h"),
                (NextResponse, "8h"),
                (Resolution, "40h"),
            ],
        ),
    );
    p.priorities.insert(
        "urgent".into(),
        targets(&always(), &[(FirstResponse, "30m"), (Resolution, "4h")]),
    );
    p
}

fn ev(at: Timestamp, kind: EventKind) -> TicketEvent {
    TicketEvent {
        ticket: "T-1".into(),
        kind,
        at,
        id: None,
        by: None,
        note: None,
        seq: None,
    }
}

fn opened(at: &str, priority: &str) -> TicketEvent {
    ev(
        b(at),
        EventKind::Opened {
            priority: priority.into(),
        },
    )
}

fn paused(at: &str, reason: &str) -> TicketEvent {
    ev(
        b(at),
        EventKind::Paused {
            reason: reason.into(),
            waiting_on: Some("approver".into()),
        },
    )
}

fn changed(at: &str, priority: &str) -> TicketEvent {
    ev(
        b(at),
        EventKind::PriorityChanged {
            priority: priority.into(),
        },
    )
}

fn at(at: &str, kind: EventKind) -> TicketEvent {
    ev(b(at), kind)
}

fn eval(events: &[TicketEvent], now: &str) -> TicketClocks {
    eval_with(&policy(), events, now)
}

fn eval_with(policy: &ClockPolicy, events: &[TicketEvent], now: &str) -> TicketClocks {
    evaluate(policy, events, b(now)).unwrap_or_else(|e| panic!("{e}"))
}

fn clock(t: &TicketClocks, metric: Metric, cycle: u32) -> &Clock {
    t.clocks
        .iter()
        .find(|c| c.metric == metric && c.cycle == cycle)
        .unwrap_or_else(|| panic!("no {metric} cycle {cycle} in {:#?}", t.clocks))
}

fn secs(d: BusinessDuration) -> i64 {
    d.as_secs()
}

use EventKind::{ClientReplied, Closed, Reopened, Replied, Resolved, Resumed};
use Metric::{FirstResponse, NextResponse, PeriodicUpdate, Resolution};

#[test]
fn first_response_met_and_the_other_clocks_keep_running() {
    let events = [
        opened("2026-03-02 10:00", "critical"),
        at("2026-03-02 10:45", Replied),
    ];
    let t = eval(&events, "2026-03-02 12:00");
    let first = clock(&t, FirstResponse, 1);
    assert_eq!(first.state, ClockState::Met);
    assert_eq!(secs(first.elapsed), m(45));
    assert_eq!(secs(first.remaining), m(15));
    assert_eq!(first.stopped_at, Some(b("2026-03-02 10:45")));
    assert_eq!((first.deadline, first.breached_at), (None, None));
    assert_eq!(first.percent_used, Some(Decimal::new(7500, 2)));
    // Crossings: 50 % at 10:30, 75 % at 10:45 (reached exactly when it
    // stopped), 90 % and the target never.
    let crossed: Vec<_> = first.crossings.iter().map(|c| (c.crossed, c.at)).collect();
    assert_eq!(
        crossed,
        [
            (true, Some(b("2026-03-02 10:30"))),
            (true, Some(b("2026-03-02 10:45"))),
            (false, None),
            (false, None),
        ]
    );

    let resolution = clock(&t, Resolution, 1);
    assert_eq!(resolution.state, ClockState::Running);
    assert_eq!(secs(resolution.elapsed), h(2));
    assert_eq!(secs(resolution.remaining), h(6));
    assert_eq!(resolution.percent_used, Some(Decimal::new(2500, 2)));
    // 5 h left on Monday, the sixth hour on Tuesday morning.
    assert_eq!(resolution.deadline, Some(b("2026-03-03 10:00")));
    // Future crossings given no further events: 50 % (4 h) at 14:00 Monday,
    // 90 % (7 h 12 m) after Monday's remaining 5 h and 12 min on Tuesday.
    assert_eq!(resolution.crossings[0].at, Some(b("2026-03-02 14:00")));
    assert!(!resolution.crossings[0].crossed);
    assert_eq!(resolution.crossings[2].at, Some(b("2026-03-03 09:12")));
    assert_eq!(resolution.crossings[3].at, Some(b("2026-03-03 10:00")));
    // The next warning to schedule: 50 % at 14:00.
    let next = resolution.next_crossing().unwrap();
    assert_eq!(
        (next.share, next.at),
        (Decimal::new(50, 2), Some(b("2026-03-02 14:00")))
    );
    assert_eq!(first.next_crossing(), None, "a stopped clock warns no more");

    let updates: Vec<_> = t.of(PeriodicUpdate).collect();
    assert_eq!(updates.len(), 2);
    assert_eq!(
        (updates[0].state, secs(updates[0].elapsed)),
        (ClockState::Met, m(45))
    );
    assert_eq!(
        (updates[1].state, secs(updates[1].elapsed)),
        (ClockState::Running, m(75))
    );
    assert_eq!(updates[1].started_at, b("2026-03-02 10:45"));
    assert_eq!(updates[1].deadline, Some(b("2026-03-02 14:45")));
    assert_eq!(t.of(NextResponse).count(), 0, "no client message yet");
}

#[test]
fn met_exactly_at_target_and_missed_one_second_past() {
    let exactly = eval(
        &[
            opened("2026-03-02 10:00", "critical"),
            at("2026-03-02 11:00", Replied),
        ],
        "2026-03-02 12:00",
    );
    let first = clock(&exactly, FirstResponse, 1);
    assert_eq!(first.state, ClockState::Met);
    assert_eq!(secs(first.elapsed), h(1));
    assert_eq!(first.breached_at, None);
    assert_eq!(first.percent_used, Some(Decimal::ONE_HUNDRED));
    assert!(first.crossings[3].crossed, "the target itself was reached");

    let late = eval(
        &[
            opened("2026-03-02 10:00", "critical"),
            at("2026-03-02 11:00:01", Replied),
        ],
        "2026-03-02 12:00",
    );
    let first = clock(&late, FirstResponse, 1);
    assert_eq!(first.state, ClockState::Missed);
    assert_eq!(secs(first.elapsed), h(1) + 1);
    assert_eq!(secs(first.remaining), 0);
    assert_eq!(first.breached_at, Some(b("2026-03-02 11:00")));
}

#[test]
fn overdue_overnight_reports_the_breach_instant_as_deadline() {
    let t = eval(
        &[opened("2026-03-02 16:30", "critical")],
        "2026-03-03 09:45",
    );
    let first = clock(&t, FirstResponse, 1);
    assert_eq!(first.state, ClockState::Overdue);
    assert_eq!(secs(first.elapsed), m(75));
    assert_eq!(secs(first.remaining), 0);
    assert_eq!(first.breached_at, Some(b("2026-03-03 09:30")));
    assert_eq!(first.deadline, first.breached_at);
    assert_eq!(first.percent_used, Some(Decimal::new(125, 0)));
}

#[test]
fn a_deadline_reached_at_closing_time_is_the_closing_instant() {
    let t = eval(
        &[opened("2026-03-02 16:00", "critical")],
        "2026-03-02 16:00",
    );
    assert_eq!(
        clock(&t, FirstResponse, 1).deadline,
        Some(b("2026-03-02 17:00"))
    );
}

#[test]
fn holidays_do_not_count() {
    // Thursday before Easter, 16:00; Friday and Monday are holidays.
    let t = eval(
        &[opened("2026-04-02 16:00", "critical")],
        "2026-04-07 12:00",
    );
    let resolution = clock(&t, Resolution, 1);
    assert_eq!(secs(resolution.elapsed), h(4));
    assert_eq!(resolution.deadline, Some(b("2026-04-07 16:00")));
    let first = clock(&t, FirstResponse, 1);
    assert_eq!(first.breached_at, Some(b("2026-04-02 17:00")));
}

/// Thursday 2 April: opened 10:00, first reply 10:30, paused for approval at
/// 15:00 over the night, Good Friday, the weekend and Easter Monday; the
/// client answers Tuesday 11:00, which resumes the clocks.
fn easter_pause() -> Vec<TicketEvent> {
    vec![
        opened("2026-04-02 10:00", "critical"),
        at("2026-04-02 10:30", Replied),
        paused("2026-04-02 15:00", "approval"),
        at("2026-04-07 11:00", ClientReplied),
    ]
}

#[test]
fn a_pause_over_night_holidays_and_weekend_counts_business_time_only() {
    let t = eval(&easter_pause(), "2026-04-07 12:00");
    assert_eq!(t.pause, None, "the client reply resumed the clocks");
    let resolution = clock(&t, Resolution, 1);
    assert_eq!(resolution.state, ClockState::Running);
    // Running Thu 10:00-15:00 and Tue 11:00-12:00; paused Thu 15:00-17:00 and Tue 09:00-11:00.
    assert_eq!(secs(resolution.elapsed), h(6));
    assert_eq!(secs(resolution.paused), h(4));
    assert_eq!(
        resolution.paused_by_reason,
        BTreeMap::from([(
            "approval".to_string(),
            BusinessDuration::from_secs(h(4)).unwrap()
        )])
    );
    assert_eq!(resolution.deadline, Some(b("2026-04-07 14:00")));
    let total = office()
        .elapsed(b("2026-04-02 10:00"), b("2026-04-07 12:00"))
        .unwrap();
    assert_eq!(
        secs(resolution.elapsed) + secs(resolution.paused),
        secs(total)
    );

    // The client's message opened the first next-response cycle.
    let next = clock(&t, NextResponse, 1);
    assert_eq!(
        (next.state, secs(next.elapsed)),
        (ClockState::Running, h(1))
    );
    assert_eq!(next.deadline, Some(b("2026-04-07 13:00")));

    // The update cycle since the reply ran 4.5 h before the pause: overdue
    // from 14:30 on Thursday, and it stays overdue.
    let update = clock(&t, PeriodicUpdate, 2);
    assert_eq!(update.state, ClockState::Overdue);
    assert_eq!(update.breached_at, Some(b("2026-04-02 14:30")));
    assert_eq!(secs(update.elapsed), h(5) + m(30));
}

#[test]
fn while_paused_clocks_report_paused_or_overdue_and_no_deadline() {
    let t = eval(&easter_pause(), "2026-04-06 12:00");
    let pause = t.pause.as_ref().unwrap();
    assert_eq!(pause.reason, "approval");
    assert_eq!(pause.since, b("2026-04-02 15:00"));
    let resolution = clock(&t, Resolution, 1);
    assert_eq!(resolution.state, ClockState::Paused);
    assert_eq!(
        (secs(resolution.elapsed), secs(resolution.paused)),
        (h(5), h(2))
    );
    assert_eq!(resolution.deadline, None);
    // Future crossings are unknown while paused; past ones stay known.
    assert_eq!(resolution.crossings[0].at, Some(b("2026-04-02 14:00")));
    assert_eq!(resolution.crossings[1].at, None);
    let update = clock(&t, PeriodicUpdate, 2);
    assert_eq!(
        update.state,
        ClockState::Overdue,
        "overdue also while paused"
    );
    assert_eq!(update.deadline, None);
    assert_eq!(clock(&t, FirstResponse, 1).state, ClockState::Met);
}

#[test]
fn an_explicit_resume_restarts_all_paused_clocks_together() {
    let mut events = easter_pause();
    events.pop();
    events.push(at("2026-04-07 10:00", Resumed));
    let t = eval(&events, "2026-04-07 12:00");
    let resolution = clock(&t, Resolution, 1);
    assert_eq!(
        (secs(resolution.elapsed), secs(resolution.paused)),
        (h(7), h(3))
    );
    let update = clock(&t, PeriodicUpdate, 2);
    assert_eq!(
        (secs(update.elapsed), secs(update.paused)),
        (h(6) + m(30), h(3))
    );
}

#[test]
fn without_resume_on_client_reply_a_client_message_leaves_the_pause() {
    let mut p = policy();
    p.resume_on_client_reply = false;
    let mut events = easter_pause();
    let t = eval_with(&p, &events, "2026-04-07 12:00");
    assert!(t.pause.is_some());
    // The new next-response cycle starts paused, like every live clock.
    let next = clock(&t, NextResponse, 1);
    assert_eq!(next.state, ClockState::Paused);
    assert_eq!((secs(next.elapsed), secs(next.paused)), (0, h(1)));
    assert_eq!(clock(&t, Resolution, 1).state, ClockState::Paused);

    events.push(at("2026-04-07 11:30", Resumed));
    let t = eval_with(&p, &events, "2026-04-07 12:00");
    let next = clock(&t, NextResponse, 1);
    assert_eq!(next.state, ClockState::Running);
    assert_eq!((secs(next.elapsed), secs(next.paused)), (m(30), m(30)));
}

#[test]
fn pauses_are_counted_per_reason() {
    let events = [
        opened("2026-03-02 09:00", "normal"),
        paused("2026-03-02 10:00", "approval"),
        // A new pause while paused switches the reason from then on.
        paused("2026-03-02 11:00", "data_dependency"),
        at("2026-03-02 11:30", Resumed),
        paused("2026-03-02 16:00", "approval"),
        at("2026-03-03 10:00", Resumed),
    ];
    let t = eval(&events, "2026-03-03 12:00");
    let resolution = clock(&t, Resolution, 1);
    let by_reason: Vec<_> = resolution
        .paused_by_reason
        .iter()
        .map(|(r, d)| (r.as_str(), secs(*d)))
        .collect();
    assert_eq!(by_reason, [("approval", h(3)), ("data_dependency", m(30))]);
    // Running 09:00-10:00, 11:30-16:00 and Tuesday 10:00-12:00.
    assert_eq!(secs(resolution.elapsed), h(7) + m(30));
}

#[test]
fn every_pause_is_recorded_with_its_reason_and_stretch() {
    let events = [
        opened("2026-03-02 09:00", "normal"),
        paused("2026-03-02 10:00", "approval"),
        paused("2026-03-02 11:00", "data_dependency"),
        // The same reason again changes nothing.
        paused("2026-03-02 11:10", "data_dependency"),
        at("2026-03-02 11:30", Resumed),
        paused("2026-03-02 16:00", "approval"),
        at("2026-03-03 09:30", ClientReplied),
        paused("2026-03-03 10:00", "work_review"),
    ];
    let t = eval(&events, "2026-03-03 12:00");
    let spans: Vec<(&str, Timestamp, Option<Timestamp>)> = t
        .pauses
        .iter()
        .map(|p| (p.reason.as_str(), p.from, p.to))
        .collect();
    assert_eq!(
        spans,
        [
            (
                "approval",
                b("2026-03-02 10:00"),
                Some(b("2026-03-02 11:00"))
            ),
            (
                "data_dependency",
                b("2026-03-02 11:00"),
                Some(b("2026-03-02 11:30"))
            ),
            // A client reply resumes (the contract's default).
            (
                "approval",
                b("2026-03-02 16:00"),
                Some(b("2026-03-03 09:30"))
            ),
            ("work_review", b("2026-03-03 10:00"), None),
        ]
    );
    assert_eq!(t.pauses[0].waiting_on.as_deref(), Some("approver"));
}

#[test]
fn a_pause_across_the_autumn_dst_change_counts_the_25_hour_sunday() {
    // urgent runs on a 24x7 Berlin calendar: Sunday 25 October 2026 has 25 hours.
    let events = [
        opened("2026-10-24 11:00", "urgent"),
        paused("2026-10-24 12:00", "client_communication"),
        at("2026-10-26 12:00", Resumed),
    ];
    let t = eval(&events, "2026-10-26 12:30");
    let resolution = clock(&t, Resolution, 1);
    assert_eq!(secs(resolution.paused), h(12) + h(25) + h(12));
    assert_eq!(secs(resolution.elapsed), h(1) + m(30));
    assert_eq!(resolution.state, ClockState::Running);
    assert_eq!(resolution.deadline, Some(b("2026-10-26 15:00")));
}

#[test]
fn a_pause_across_the_spring_dst_change_on_office_hours_is_unaffected() {
    // Friday 27 March 16:00 CET to Monday 30 March 10:00 CEST: 2 business hours paused.
    let events = [
        opened("2026-03-27 15:00", "normal"),
        paused("2026-03-27 16:00", "work_review"),
        at("2026-03-30 10:00", Resumed),
    ];
    let t = eval(&events, "2026-03-30 11:00");
    let resolution = clock(&t, Resolution, 1);
    assert_eq!(
        (secs(resolution.elapsed), secs(resolution.paused)),
        (h(2), h(2))
    );
}

#[test]
fn an_upgrade_applies_the_tighter_target_to_time_already_spent() {
    let events = [
        opened("2026-03-02 09:00", "normal"),
        changed("2026-03-02 11:00", "critical"),
    ];
    let t = eval(&events, "2026-03-02 11:30");
    assert_eq!(t.priority, "critical");
    let first = clock(&t, FirstResponse, 1);
    assert_eq!(first.state, ClockState::Overdue);
    assert_eq!(secs(first.target), h(1));
    assert_eq!(secs(first.elapsed), h(2) + m(30));
    // Read from the running history against the target now in force.
    assert_eq!(first.breached_at, Some(b("2026-03-02 10:00")));
    let resolution = clock(&t, Resolution, 1);
    assert_eq!(resolution.state, ClockState::Running);
    assert_eq!(secs(resolution.remaining), h(5) + m(30));
    // critical has an update target: the cycle that started at `opened` shows up.
    let update = clock(&t, PeriodicUpdate, 1);
    assert_eq!(
        (update.state, secs(update.elapsed)),
        (ClockState::Running, h(2) + m(30))
    );
}

#[test]
fn a_downgrade_keeps_elapsed_time_and_loosens_the_target() {
    let events = [
        opened("2026-03-02 09:00", "critical"),
        changed("2026-03-02 10:30", "normal"),
    ];
    let t = eval(&events, "2026-03-02 11:00");
    let first = clock(&t, FirstResponse, 1);
    assert_eq!(first.state, ClockState::Running, "no longer overdue");
    assert_eq!((secs(first.elapsed), secs(first.target)), (h(2), h(4)));
    assert_eq!(first.breached_at, None);
    assert_eq!(first.deadline, Some(b("2026-03-02 13:00")));
    assert_eq!(
        t.of(PeriodicUpdate).count(),
        0,
        "normal sets no update target"
    );
}

#[test]
fn a_priority_change_to_another_calendar_measures_on_it_from_then_on() {
    // Friday 16:00 normal (office hours), at 17:00 urgent (24x7).
    let events = [
        opened("2026-03-06 16:00", "normal"),
        changed("2026-03-06 17:00", "urgent"),
    ];
    let t = eval(&events, "2026-03-06 18:00");
    let resolution = clock(&t, Resolution, 1);
    assert_eq!(secs(resolution.elapsed), h(2));
    assert_eq!(secs(resolution.target), h(4));
    assert_eq!(resolution.deadline, Some(b("2026-03-06 20:00")));
    let first = clock(&t, FirstResponse, 1);
    // 30 min target: reached at 16:30, on the office calendar.
    assert_eq!(first.breached_at, Some(b("2026-03-06 16:30")));
}

#[test]
fn stopped_clocks_keep_the_target_they_stopped_with() {
    let events = [
        opened("2026-03-02 09:00", "normal"),
        at("2026-03-02 11:00", Replied),
        changed("2026-03-02 12:00", "critical"),
    ];
    let t = eval(&events, "2026-03-02 12:30");
    let first = clock(&t, FirstResponse, 1);
    assert_eq!((first.state, secs(first.target)), (ClockState::Met, h(4)));
}

#[test]
fn next_response_cycles_start_at_the_oldest_unanswered_client_message() {
    let events = [
        opened("2026-03-02 09:00", "critical"),
        // Before the first reply a client message starts no cycle.
        at("2026-03-02 09:05", ClientReplied),
        at("2026-03-02 09:10", Replied),
        at("2026-03-02 10:00", ClientReplied),
        at("2026-03-02 10:30", ClientReplied),
        at("2026-03-02 11:00", Replied),
        at("2026-03-02 13:00", ClientReplied),
    ];
    let t = eval(&events, "2026-03-02 16:00");
    let cycles: Vec<_> = t.of(NextResponse).collect();
    assert_eq!(cycles.len(), 2);
    assert_eq!(cycles[0].cycle, 1);
    assert_eq!(cycles[0].started_at, b("2026-03-02 10:00"));
    assert_eq!(
        (cycles[0].state, secs(cycles[0].elapsed)),
        (ClockState::Met, h(1))
    );
    assert_eq!(cycles[1].cycle, 2);
    assert_eq!(cycles[1].state, ClockState::Overdue);
    assert_eq!(cycles[1].breached_at, Some(b("2026-03-02 15:00")));
    // Periodic updates: a cycle from `opened` and from each reply.
    let updates: Vec<_> = t.of(PeriodicUpdate).map(|c| (c.cycle, c.state)).collect();
    assert_eq!(
        updates,
        [
            (1, ClockState::Met),
            (2, ClockState::Met),
            (3, ClockState::Overdue)
        ]
    );
}

#[test]
fn a_client_message_answered_in_the_same_second_is_a_met_cycle() {
    let events = [
        opened("2026-03-02 09:00", "critical"),
        at("2026-03-02 09:10", Replied),
        at("2026-03-02 10:00", Replied),
        at("2026-03-02 10:00", ClientReplied),
    ];
    let t = eval(&events, "2026-03-02 16:00");
    let next = clock(&t, NextResponse, 1);
    assert_eq!((next.state, secs(next.elapsed)), (ClockState::Met, 0));
    assert_eq!(t.of(NextResponse).count(), 1);
}

#[test]
fn reopening_resumes_resolution_with_the_time_already_spent() {
    let events = [
        opened("2026-03-02 09:00", "critical"),
        at("2026-03-02 09:30", Replied),
        at("2026-03-02 12:00", Resolved),
        at("2026-03-03 10:00", Reopened),
    ];
    let t = eval(&events, "2026-03-02 13:00");
    assert_eq!(t.status, TicketStatus::Resolved);
    let resolution = clock(&t, Resolution, 1);
    assert_eq!(
        (resolution.state, secs(resolution.elapsed)),
        (ClockState::Met, h(3))
    );
    assert_eq!(resolution.stopped_at, Some(b("2026-03-02 12:00")));

    let t = eval(&events, "2026-03-03 11:00");
    assert_eq!(t.status, TicketStatus::Open);
    let resolution = clock(&t, Resolution, 1);
    assert_eq!(resolution.state, ClockState::Running);
    assert_eq!(secs(resolution.elapsed), h(4));
    assert_eq!(resolution.stopped_at, None);
    assert_eq!(resolution.started_at, b("2026-03-02 09:00"));
    assert_eq!(resolution.deadline, Some(b("2026-03-03 15:00")));
    // The update obligation starts again with the reopening.
    let update = clock(&t, PeriodicUpdate, 3);
    assert_eq!(
        (update.started_at, secs(update.elapsed)),
        (b("2026-03-03 10:00"), h(1))
    );
    assert_eq!(clock(&t, FirstResponse, 1).state, ClockState::Met);

    let mut more = events.to_vec();
    more.push(at("2026-03-03 16:00", Resolved));
    let t = eval(&more, "2026-03-04 09:00");
    let resolution = clock(&t, Resolution, 1);
    assert_eq!(
        (resolution.state, secs(resolution.elapsed)),
        (ClockState::Missed, h(9))
    );
    assert_eq!(resolution.breached_at, Some(b("2026-03-03 15:00")));
}

#[test]
fn resolving_and_closing_stop_every_clock() {
    let events = [
        opened("2026-03-02 09:00", "critical"),
        at("2026-03-02 09:30", Replied),
        at("2026-03-02 10:00", ClientReplied),
        paused("2026-03-02 10:30", "approval"),
        at("2026-03-02 11:00", Closed),
    ];
    let t = eval(&events, "2026-03-03 12:00");
    assert_eq!(t.status, TicketStatus::Closed);
    assert_eq!(t.pause, None);
    for c in &t.clocks {
        assert!(c.state.is_stopped(), "{c:?}");
        assert_eq!(c.deadline, None);
    }
    let next = clock(&t, NextResponse, 1);
    assert_eq!((secs(next.elapsed), secs(next.paused)), (m(30), m(30)));
    assert_eq!(next.stopped_at, Some(b("2026-03-02 11:00")));
}

#[test]
fn events_after_the_evaluation_instant_are_ignored_and_events_at_it_count() {
    let events = [
        opened("2026-03-02 09:00", "critical"),
        at("2026-03-02 09:30", Replied),
        // Not even checked: it comes after the evaluation instant.
        paused("2026-03-02 12:00", "coffee"),
    ];
    let t = eval(&events, "2026-03-02 09:30");
    assert_eq!(clock(&t, FirstResponse, 1).state, ClockState::Met);
    let t = eval(&events, "2026-03-02 09:29:59");
    assert_eq!(clock(&t, FirstResponse, 1).state, ClockState::Running);
    let err = evaluate(&policy(), &events, b("2026-03-01 09:00")).unwrap_err();
    assert!(matches!(err, ClockError::NotYetOpened { .. }), "{err}");
}

#[test]
fn thresholds_are_crossed_at_the_ceiling_of_their_share() {
    let mut p = policy();
    p.priorities
        .insert("odd".into(), targets(&always(), &[(FirstResponse, "61s")]));
    p.thresholds = vec![Decimal::new(50, 2), Decimal::new(90, 2)];
    let t = eval_with(&p, &[opened("2026-03-02 09:00", "odd")], "2026-03-02 09:00");
    let first = clock(&t, FirstResponse, 1);
    let crossings: Vec<_> = first
        .crossings
        .iter()
        .map(|c| (c.share, secs(c.threshold), c.at))
        .collect();
    // 30.5 s -> 31 s, 54.9 s -> 55 s, target 61 s.
    assert_eq!(
        crossings,
        [
            (Decimal::new(50, 2), 31, Some(b("2026-03-02 09:00:31"))),
            (Decimal::new(90, 2), 55, Some(b("2026-03-02 09:00:55"))),
            (Decimal::ONE, 61, Some(b("2026-03-02 09:01:01"))),
        ]
    );
}

#[test]
fn out_of_order_and_repeated_events_give_the_same_clocks() {
    let mut events = easter_pause();
    events[1].id = Some("r1".into());
    let sorted = eval(&events, "2026-04-07 12:00");
    let mut shuffled = events.clone();
    shuffled.reverse();
    shuffled.push(events[1].clone());
    shuffled.push(events[3].clone());
    assert_eq!(eval(&shuffled, "2026-04-07 12:00"), sorted);
}

fn error_of(events: &[TicketEvent]) -> String {
    evaluate(&policy(), events, b("2026-03-09 12:00"))
        .unwrap_err()
        .to_string()
}

#[test]
fn invalid_logs_are_errors_naming_the_event() {
    let mut bad_reason = paused("2026-03-02 10:00", "coffee");
    bad_reason.id = Some("e-7".into());
    let msg = error_of(&[opened("2026-03-02 09:00", "normal"), bad_reason]);
    assert!(msg.contains("event `e-7` (paused at"), "{msg}");
    assert!(
        msg.contains("pause reason `coffee` is not allowed"),
        "{msg}"
    );

    let msg = error_of(&[opened("2026-03-02 09:00", "blocker")]);
    assert!(
        msg.contains("event #1 (opened at 2026-03-02T08:00:00Z)"),
        "{msg}"
    );
    assert!(
        msg.contains("unknown priority `blocker`; the contract defines: critical, normal, urgent"),
        "{msg}"
    );

    let msg = error_of(&[
        opened("2026-03-02 09:00", "normal"),
        changed("2026-03-02 10:00", "blocker"),
    ]);
    assert!(msg.contains("event #2 (priority_changed"), "{msg}");

    let msg = error_of(&[
        opened("2026-03-02 09:00", "normal"),
        at("2026-03-02 08:00", Replied),
    ]);
    assert!(
        msg.contains(
            "event #2 (replied at 2026-03-02T07:00:00Z) comes before the ticket was opened"
        ),
        "{msg}"
    );

    let msg = error_of(&[
        opened("2026-03-02 09:00", "normal"),
        at("2026-03-02 10:00", Closed),
        at("2026-03-02 11:00", Reopened),
    ]);
    assert!(
        msg.contains("event #3 (reopened") && msg.contains("after the ticket was closed"),
        "{msg}"
    );

    let msg = error_of(&[at("2026-03-02 10:00", Replied)]);
    assert_eq!(msg, "ticket `T-1` has no `opened` event");

    let msg = error_of(&[
        opened("2026-03-02 09:00", "normal"),
        opened("2026-03-02 10:00", "critical"),
    ]);
    assert!(
        msg.contains("event #2 (opened") && msg.contains("already open"),
        "{msg}"
    );

    let mut other = at("2026-03-02 10:00", Replied);
    other.ticket = "T-2".into();
    let msg = error_of(&[opened("2026-03-02 09:00", "normal"), other]);
    assert!(msg.contains("belongs to ticket `T-2`"), "{msg}");

    let mut a = at("2026-03-02 10:00", Replied);
    a.id = Some("x".into());
    let mut c = at("2026-03-02 10:05", Replied);
    c.id = Some("x".into());
    let msg = error_of(&[opened("2026-03-02 09:00", "normal"), a, c]);
    assert!(
        msg.contains("two different events share the id `x`"),
        "{msg}"
    );
}

fn with_seq(mut e: TicketEvent, seq: u64) -> TicketEvent {
    e.seq = Some(seq);
    e
}

#[test]
fn seq_puts_a_pause_before_a_client_reply_of_the_same_second() {
    // By kind rank the reply comes first and the pause holds; recorded as
    // "paused, then the client replied", the reply resumes the pause.
    let base = [
        opened("2026-03-02 09:00", "critical"),
        at("2026-03-02 09:30", Replied),
    ];
    let pause = paused("2026-03-02 10:00", "approval");
    let reply = at("2026-03-02 10:00", ClientReplied);
    let by_rank = eval(
        &[base.to_vec(), vec![pause.clone(), reply.clone()]].concat(),
        "2026-03-02 11:00",
    );
    assert!(by_rank.pause.is_some());
    assert_eq!(clock(&by_rank, Resolution, 1).state, ClockState::Paused);

    let recorded = [
        base.to_vec(),
        vec![with_seq(reply.clone(), 8), with_seq(pause.clone(), 7)],
    ]
    .concat();
    let by_seq = eval(&recorded, "2026-03-02 11:00");
    assert!(by_seq.pause.is_none(), "{:?}", by_seq.pause);
    let resolution = clock(&by_seq, Resolution, 1);
    assert_eq!(resolution.state, ClockState::Running);
    assert_eq!(
        (secs(resolution.elapsed), secs(resolution.paused)),
        (h(2), 0)
    );
    // The reply opened a next-response cycle at 10:00, running since.
    assert_eq!(secs(clock(&by_seq, NextResponse, 1).elapsed), h(1));
    // Line order does not matter, with seq either.
    let mut reversed = recorded.clone();
    reversed.reverse();
    assert_eq!(eval(&reversed, "2026-03-02 11:00"), by_seq);
}

#[test]
fn in_one_second_events_with_seq_come_first_then_the_others_by_kind() {
    // With seq: the pause (1); without: the client's reply. The pause comes
    // first, then the reply resumes it: no pause in force.
    let events = [
        opened("2026-03-02 09:00", "critical"),
        at("2026-03-02 09:30", Replied),
        at("2026-03-02 10:00", ClientReplied),
        with_seq(paused("2026-03-02 10:00", "approval"), 1),
    ];
    let t = eval(&events, "2026-03-02 11:00");
    assert!(t.pause.is_none());
    // Without seq the pause (rank 5) comes after the reply (rank 2).
    let mut plain = events.clone();
    plain[3].seq = None;
    assert!(eval(&plain, "2026-03-02 11:00").pause.is_some());
    // Equal seqs fall back to kind rank: reply, then pause.
    let mut same = events.clone();
    same[2].seq = Some(1);
    assert!(eval(&same, "2026-03-02 11:00").pause.is_some());
}

#[test]
fn copies_differing_only_in_seq_are_one_event_at_its_lowest_seq() {
    let reply = at("2026-03-02 10:00", ClientReplied);
    let pause = paused("2026-03-02 10:00", "approval");
    let base = vec![
        opened("2026-03-02 09:00", "critical"),
        at("2026-03-02 09:30", Replied),
    ];
    let once = [
        base.clone(),
        vec![with_seq(pause.clone(), 5), with_seq(reply.clone(), 6)],
    ]
    .concat();
    let expected = eval(&once, "2026-03-02 11:00");
    // The pause re-sent with a later seq and without one: still at seq 5.
    let mut resent = once.clone();
    resent.push(with_seq(pause.clone(), 9));
    resent.push(pause.clone());
    resent.reverse();
    assert_eq!(eval(&resent, "2026-03-02 11:00"), expected);
    // An id is one event whatever its copies' seq; not a conflict.
    let mut keyed = once.clone();
    keyed[2].id = Some("p1".into());
    let mut copy = keyed[2].clone();
    copy.seq = Some(11);
    keyed.push(copy);
    assert!(evaluate(&policy(), &keyed, b("2026-03-02 11:00")).is_ok());
    // But an id reused for another event still is.
    let mut other = keyed[2].clone();
    other.kind = Resumed;
    keyed.push(other);
    let e = evaluate(&policy(), &keyed, b("2026-03-02 11:00")).unwrap_err();
    assert!(matches!(e, ClockError::ConflictingId { .. }), "{e}");
}
