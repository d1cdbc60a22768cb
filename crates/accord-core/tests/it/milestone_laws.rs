//! Laws of the milestone fold (SPEC §6) on random calendars (zone, open
//! weekdays, holidays, open and closing exceptions) and random event logs,
//! checked against a brute-force reference written here from the SPEC's
//! words: walk every date, put each day of delay in a set, count it.

use std::collections::{BTreeMap, BTreeSet};

use accord_core::contract::Contract;
use accord_core::milestone::{
    MilestoneEvent, MilestoneOutcome, MilestoneState, business_days_left, evaluate,
};
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use proptest::prelude::*;

use crate::contract_model::parse_named;

const ZONES: [&str; 5] = [
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Asia/Kolkata",
    "Pacific/Auckland",
];
const REASONS: [&str; 3] = ["approval", "pending_payment", "data_dependency"];
const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
/// Day 0 of the generated dates and hour 0 of the generated instants.
const START: Date = Date::constant(2026, 1, 26);
const START_SECOND: i64 = 1_769_385_600; // 2026-01-26T00:00:00Z

/// A random calendar, as the reference reads it.
#[derive(Debug, Clone)]
struct Spec {
    zone: &'static str,
    open: [bool; 7],
    holidays: BTreeSet<i32>,
    /// Day offset -> open (true) or closed (false).
    exceptions: BTreeMap<i32, bool>,
    due: i32,
    deliverables: Vec<i32>,
}

impl Spec {
    fn date(offset: i32) -> Date {
        START.checked_add(jiff::Span::new().days(offset)).unwrap()
    }

    fn business(&self, d: Date) -> bool {
        let offset = (d - START).get_days();
        match self.exceptions.get(&offset) {
            Some(&open) => open,
            None if self.holidays.contains(&offset) => false,
            None => self.open[usize::try_from(d.weekday().to_monday_zero_offset()).unwrap()],
        }
    }

    fn contract(&self) -> Contract {
        let mut t = String::from(
            "id = \"p\"\nclient = \"P\"\neffective_from = 2026-01-01\n\
             [contacts.client]\nowner = { name = \"O\", email = \"o@c.example\" }\n\
             [calendars.support]\n",
        );
        t += &format!("timezone = \"{}\"\n", self.zone);
        for (day, open) in WEEKDAYS.iter().zip(self.open) {
            if open {
                t += &format!("{day} = [\"09:00-17:00\"]\n");
            }
        }
        let holidays: Vec<String> = self
            .holidays
            .iter()
            .map(|&o| format!("\"{}\"", Spec::date(o)))
            .collect();
        t += &format!("holidays = [{}]\n", holidays.join(", "));
        for (&o, &open) in &self.exceptions {
            let hours = if open { "[\"10:00-12:00\"]" } else { "[]" };
            t += &format!(
                "[[calendars.support.exceptions]]\ndate = \"{}\"\nhours = {hours}\n",
                Spec::date(o)
            );
        }
        t += "[priorities.normal]\ncalendar = \"support\"\nresolution = \"8h\"\n";
        t += &format!(
            "[[milestones]]\nid = \"m\"\nname = \"M\"\ndue = {}\ncalendar = \"support\"\n",
            Spec::date(self.due)
        );
        for &d in &self.deliverables {
            t += &format!(
                "[[milestones.deliverables]]\nwhat = \"W\"\nowner = \"client.owner\"\ndue = {}\nreason = \"approval\"\n",
                Spec::date(d)
            );
        }
        parse_named("p.toml", &t).unwrap_or_else(|e| panic!("{e}\n{t}"))
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    Received(usize),
    Paused(&'static str),
    Resumed,
    Shifted(i64),
    Completed,
    Accepted,
}

#[derive(Debug, Clone, PartialEq)]
struct Ev {
    kind: Kind,
    hour: i64,
}

/// The instant `hour` whole hours after 2026-01-26T00:00:00Z.
fn instant(hour: i64) -> Timestamp {
    Timestamp::from_second(START_SECOND + hour * 3600).unwrap()
}

impl Ev {
    fn at(&self) -> Timestamp {
        instant(self.hour)
    }

    fn event(&self) -> MilestoneEvent {
        let extra = match &self.kind {
            Kind::Received(i) => format!(
                r#","kind":"deliverable_received","deliverable":"{}""#,
                i + 1
            ),
            Kind::Paused(r) => format!(r#","kind":"paused","reason":"{r}""#),
            Kind::Resumed => r#","kind":"resumed""#.to_string(),
            Kind::Shifted(d) => format!(r#","kind":"shifted","days":{d},"reason":"agreed""#),
            Kind::Completed => r#","kind":"completed""#.to_string(),
            Kind::Accepted => r#","kind":"accepted""#.to_string(),
        };
        let line = format!(r#"{{"milestone":"m","at":"{}"{extra}}}"#, self.at());
        MilestoneEvent::from_json_line(&line).unwrap()
    }
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        prop::sample::select(&ZONES[..]),
        prop::array::uniform7(prop::bool::weighted(0.7)),
        prop::collection::btree_set(0..140i32, 0..12),
        prop::collection::btree_map(0..140i32, any::<bool>(), 0..6),
        20..90i32,
        prop::collection::vec(0..90i32, 0..4),
    )
        .prop_filter("some weekday opens", |s| s.1.iter().any(|&o| o))
        .prop_map(
            |(zone, open, holidays, exceptions, due, deliverables)| Spec {
                zone,
                open,
                holidays,
                exceptions,
                due,
                deliverables: deliverables.into_iter().map(|d| d.min(due)).collect(),
            },
        )
}

fn event(deliverables: usize, negative_shifts: bool) -> impl Strategy<Value = Ev> {
    let low = if negative_shifts { -4 } else { 0 };
    let kind = prop_oneof![
        4 => (0..deliverables.max(1)).prop_map(Kind::Received),
        2 => prop::sample::select(&REASONS[..]).prop_map(Kind::Paused),
        2 => Just(Kind::Resumed),
        1 => (low..7i64).prop_map(Kind::Shifted),
        1 => Just(Kind::Completed),
        1 => Just(Kind::Accepted),
    ];
    // Whole hours: events often share an instant or a date.
    (kind, 0..140 * 24i64).prop_map(|(kind, hour)| Ev { kind, hour })
}

/// A calendar, events (receipts only when there are deliverables) and the
/// evaluation hour.
fn case(negative_shifts: bool) -> impl Strategy<Value = (Spec, Vec<Ev>, i64)> {
    spec().prop_flat_map(move |s| {
        let n = s.deliverables.len();
        let events = prop::collection::vec(event(n, negative_shifts), 0..14).prop_map(move |es| {
            es.into_iter()
                .filter(|e| n > 0 || !matches!(e.kind, Kind::Received(_)))
                .collect::<Vec<_>>()
        });
        (Just(s), events, 0..160 * 24i64)
    })
}

/// What the reference computes.
#[derive(Debug, PartialEq)]
struct Expected {
    client_delay_days: i64,
    shift_days: i64,
    adjusted_due: Date,
    state: MilestoneState,
    days_late: Vec<i64>,
    overdue: Vec<bool>,
}

/// SPEC §6 read literally, one date at a time.
fn reference(s: &Spec, events: &[Ev], at_hour: i64) -> Expected {
    let tz = TimeZone::get(s.zone).unwrap();
    let date = |t: Timestamp| tz.to_datetime(t).date();
    let live: Vec<&Ev> = events.iter().filter(|e| e.hour <= at_hour).collect();
    let today = date(instant(at_hour));
    let completed = live
        .iter()
        .filter(|e| matches!(e.kind, Kind::Completed | Kind::Accepted))
        .map(|e| date(e.at()))
        .min();
    let end = completed.unwrap_or(today);
    let mut delayed = BTreeSet::new();
    let delay = |after: Date, through: Date, set: &mut BTreeSet<Date>| {
        let mut n = 0;
        let mut d = after.tomorrow().unwrap();
        while d <= through {
            if s.business(d) {
                set.insert(d);
                n += 1;
            }
            d = d.tomorrow().unwrap();
        }
        n
    };
    let (mut days_late, mut overdue) = (Vec::new(), Vec::new());
    for (i, &due) in s.deliverables.iter().enumerate() {
        let due = Spec::date(due);
        let first = live
            .iter()
            .filter(|e| e.kind == Kind::Received(i))
            .map(|e| e.hour)
            .min();
        let through = first.map_or(end, |h| date(instant(h)).min(end));
        days_late.push(delay(due, through, &mut delayed));
        overdue.push(first.is_none() && due < end);
    }
    let mut toggles: Vec<&Ev> = live
        .iter()
        .copied()
        .filter(|e| matches!(e.kind, Kind::Paused(_) | Kind::Resumed))
        .collect();
    // Same instant: a resume before a pause, pauses by reason.
    toggles.sort_by_key(|e| {
        (
            e.hour,
            !matches!(e.kind, Kind::Resumed),
            format!("{:?}", e.kind),
        )
    });
    let mut since: Option<Date> = None;
    for e in toggles {
        match (e.kind == Kind::Resumed, since) {
            (false, None) => since = Some(date(e.at())),
            (true, Some(p)) => {
                delay(p, date(e.at()).min(end), &mut delayed);
                since = None;
            }
            _ => {}
        }
    }
    if let Some(p) = since {
        delay(p, end, &mut delayed);
    }
    let shift_days: i64 = live
        .iter()
        .map(|e| if let Kind::Shifted(d) = e.kind { d } else { 0 })
        .sum();
    let client_delay_days = i64::try_from(delayed.len()).unwrap();
    let mut n = client_delay_days + shift_days;
    let mut adjusted = Spec::date(s.due);
    while n != 0 {
        adjusted = if n > 0 {
            adjusted.tomorrow()
        } else {
            adjusted.yesterday()
        }
        .unwrap();
        if s.business(adjusted) {
            n -= n.signum();
        }
    }
    let state = match completed {
        Some(c) if c <= adjusted => MilestoneState::Met,
        Some(_) => MilestoneState::Missed,
        None if today > adjusted => MilestoneState::Overdue,
        None if since.is_some() || overdue.contains(&true) => MilestoneState::WaitingOnClient,
        None => MilestoneState::OnTrack,
    };
    Expected {
        client_delay_days,
        shift_days,
        adjusted_due: adjusted,
        state,
        days_late,
        overdue,
    }
}

fn fold(s: &Spec, events: &[Ev], at_hour: i64) -> MilestoneOutcome {
    fold_at(s, events, instant(at_hour))
}

fn fold_at(s: &Spec, events: &[Ev], at: Timestamp) -> MilestoneOutcome {
    let c = s.contract();
    let evs: Vec<MilestoneEvent> = events.iter().map(Ev::event).collect();
    evaluate(&c, &evs, at)
        .unwrap_or_else(|e| panic!("{e}"))
        .remove(0)
}

fn observed(m: &MilestoneOutcome) -> Expected {
    Expected {
        client_delay_days: m.client_delay_days,
        shift_days: m.shift_days,
        adjusted_due: m.adjusted_due,
        state: m.state,
        days_late: m.deliverables.iter().map(|d| d.days_late).collect(),
        overdue: m.deliverables.iter().map(|d| d.overdue).collect(),
    }
}

/// Everything but "today" and the next change: what a reader sees change.
fn essence(m: &MilestoneOutcome) -> MilestoneOutcome {
    MilestoneOutcome {
        today: START,
        next_change_at: None,
        ..m.clone()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn the_fold_agrees_with_a_day_by_day_reference((s, events, at) in case(true)) {
        let m = fold(&s, &events, at);
        prop_assert_eq!(observed(&m), reference(&s, &events, at));
        // The ledger walks from the baseline to the adjusted date, change by change.
        let mut date = m.baseline_due;
        let (mut total, mut delay) = (0, 0);
        for e in &m.ledger {
            prop_assert_eq!(e.from, date);
            prop_assert!(e.days != 0 && e.from != e.to && e.on <= e.through);
            date = e.to;
            total += e.days;
            if e.cause.kind() != "shift" {
                delay += e.days;
            }
        }
        prop_assert_eq!(date, m.adjusted_due);
        prop_assert_eq!(total, m.client_delay_days + m.shift_days);
        prop_assert_eq!(delay, m.client_delay_days);
    }

    #[test]
    fn the_adjusted_date_never_precedes_the_baseline_without_a_negative_shift((s, events, at) in case(false)) {
        let m = fold(&s, &events, at);
        prop_assert!(m.adjusted_due >= m.baseline_due);
    }

    #[test]
    fn overlapping_delays_count_once((s, events, at) in case(true)) {
        let m = fold(&s, &events, at);
        let own: i64 = m.deliverables.iter().map(|d| d.days_late).sum::<i64>()
            + m.pauses.iter().map(|p| p.days).sum::<i64>();
        let longest = m.deliverables.iter().map(|d| d.days_late).chain(m.pauses.iter().map(|p| p.days)).max().unwrap_or(0);
        prop_assert!(longest <= m.client_delay_days && m.client_delay_days <= own);
        // A pause inside a day range already delayed adds nothing.
        if let Some(i) = m.deliverables.iter().position(|d| d.days_late > 0) {
            let d = &m.deliverables[i];
            // Paused on the day after the due date (06:00 UTC is that day in
            // every zone here), resumed the day after.
            let due_hour = i64::from((d.due - START).get_days()) * 24 + 30;
            let mut more = events.clone();
            more.retain(|e| !matches!(e.kind, Kind::Paused(_) | Kind::Resumed));
            let before = fold(&s, &more, at).client_delay_days;
            more.push(Ev { kind: Kind::Paused("approval"), hour: due_hour });
            more.push(Ev { kind: Kind::Resumed, hour: due_hour + 24 });
            let with_pause = fold(&s, &more, at);
            let inside = d.received.is_none_or(|r| r >= d.due.tomorrow().unwrap().tomorrow().unwrap());
            if inside && at >= due_hour + 24 {
                prop_assert_eq!(with_pause.client_delay_days, before);
            }
        }
    }

    #[test]
    fn order_and_duplicates_of_events_do_not_change_the_outcome(
        (s, events, at, order, copies) in case(true).prop_flat_map(|(s, e, at)| {
            let n = e.len();
            (Just(s), Just(e), Just(at), Just((0..n).collect::<Vec<_>>()).prop_shuffle(), prop::collection::vec(0..n.max(1), 0..4))
        })
    ) {
        let expected = fold(&s, &events, at);
        let mut shuffled: Vec<Ev> = order.iter().map(|&i| events[i].clone()).collect();
        for &i in &copies {
            if let Some(e) = events.get(i) {
                shuffled.push(e.clone());
            }
        }
        prop_assert_eq!(fold(&s, &shuffled, at), expected);
    }

    #[test]
    fn nothing_changes_before_next_change_at_and_something_changes_at_it((s, events, at) in case(true)) {
        let events: Vec<Ev> = events.into_iter().filter(|e| e.hour <= at).collect();
        let m = fold(&s, &events, at);
        let tz = TimeZone::get(s.zone).unwrap();
        let mut day = m.today;
        for _ in 0..40 {
            day = day.tomorrow().unwrap();
            let start = day.to_zoned_datetime(tz.clone()).unwrap().start_of_day().unwrap().timestamp();
            let later = fold_at(&s, &events, start);
            let changed = essence(&later) != essence(&m);
            match m.next_change_at {
                Some(t) if t == start => { prop_assert!(changed, "nothing changed at {}", t); break; }
                _ => prop_assert!(!changed, "changed at {} before next_change_at {:?}", start, m.next_change_at),
            }
        }
    }

    #[test]
    fn an_event_written_as_json_reads_back_the_same(
        e in event(3, true),
        id in prop::option::of("[a-z0-9-]{1,8}"),
        note in prop::option::of("[ -~]{0,12}"),
    ) {
        let mut event = e.event();
        event.id = id;
        event.note = note;
        let text = event.to_json().to_string();
        prop_assert_eq!(MilestoneEvent::from_json_line(&text).unwrap(), event);
    }

    #[test]
    fn business_days_left_counts_the_open_days_after_today_through_the_adjusted_date(
        (s, events, at) in case(true)
    ) {
        let m = fold(&s, &events, at);
        let mut expected = 0;
        let mut d = m.today;
        while d < m.adjusted_due {
            d = d.tomorrow().unwrap();
            expected += i64::from(s.business(d));
        }
        prop_assert_eq!(business_days_left(&s.contract(), &m), Some(expected));
    }
}
