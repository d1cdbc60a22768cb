//! The clock engine (SPEC §4, §5, §10): one ticket's events, in a canonical
//! order, folded (`fold`) and read against their targets (`measure`) into
//! the [`TicketClocks`] outcome.
//!
//! Events are first put in a canonical order, so arrival order and re-sent
//! copies never change the result:
//! 1. events after the evaluation instant are dropped (they are neither
//!    applied nor checked: the result is what was knowable at that instant);
//! 2. events are sorted by `at`; within one second, first the events that
//!    carry a `seq`, by `seq`, then those without, and ties (no `seq`, or
//!    the same `seq`) by ([`EventKind::rank`], then the event's content
//!    compared field by field) — a total order on content, not on input
//!    position, so even same-instant events of the same kind apply in the
//!    same order whichever order they arrived in;
//! 3. identical events (equal in everything but `seq`, see
//!    [`TicketEvent::same_event`]) are applied once, at the place of the copy
//!    that sorts first (its lowest `seq`, if any copy has one); and so are
//!    events sharing an `id` (an `id` reused for a different event is an
//!    error, as an idempotency key must be).

use std::cmp::Ordering;
use std::collections::BTreeMap;

use jiff::Timestamp;

use super::Metric;
use super::error::{ClockError, EventRef};
use super::event::{EventKind, TicketEvent};
use super::outcome::{Detail, TicketClocks, TicketStatus};
use super::policy::ClockPolicy;
use fold::{Fold, targets_of};

mod fold;
mod measure;

/// The order of events of one second without regard to `seq`: kind rank,
/// then content. Identical events (but for `seq`) compare equal.
fn by_content(x: &TicketEvent, y: &TicketEvent) -> Ordering {
    (x.at, x.kind.rank(), x.content()).cmp(&(y.at, y.kind.rank(), y.content()))
}

/// The canonical order of a ticket's events (see the module docs): by
/// instant, then within one second by `seq` where events carry one, then by
/// kind rank and content. The store records a batch in this order, so the
/// `seq` it assigns never makes the order of a batch's lines matter.
pub fn canonical(x: &TicketEvent, y: &TicketEvent) -> Ordering {
    let seq = |e: &TicketEvent| (e.seq.is_none(), e.seq);
    x.at.cmp(&y.at)
        .then_with(|| seq(x).cmp(&seq(y)))
        .then_with(|| by_content(x, y))
}

/// Which events an evaluation at an instant applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cutoff {
    /// Those at or before it ([`evaluate`]).
    Through,
    /// Those strictly before it ([`evaluate_before`]).
    Before,
}

/// The indices of the events at or before `at` (strictly before, with
/// [`Cutoff::Before`]) in canonical order, each event once.
fn canonical_order(events: &[TicketEvent], at: Timestamp, cutoff: Cutoff) -> Vec<usize> {
    let kept = |e: &TicketEvent| e.at < at || (cutoff == Cutoff::Through && e.at == at);
    let mut order: Vec<usize> = (0..events.len()).filter(|&i| kept(&events[i])).collect();
    // Copies of one event are adjacent in content order, the one with the
    // lowest `seq` first; without any `seq` that is already canonical.
    order.sort_by(|&a, &b| {
        let (x, y) = (&events[a], &events[b]);
        by_content(x, y).then_with(|| (x.seq.is_none(), x.seq).cmp(&(y.seq.is_none(), y.seq)))
    });
    order.dedup_by(|a, b| events[*a].same_event(&events[*b]));
    if order.iter().any(|&i| events[i].seq.is_some()) {
        order.sort_by(|&a, &b| canonical(&events[a], &events[b]));
    }
    order
}

fn event_ref(events: &[TicketEvent], i: usize) -> EventRef {
    let e = &events[i];
    EventRef {
        id: e.id.clone(),
        position: i + 1,
        kind: e.kind.as_str(),
        at: e.at,
    }
}

/// The clocks of ONE ticket at instant `at`, from its events (SPEC §4, §5).
///
/// Events at exactly `at` count; later ones are ignored. The order and
/// repetition of `events` do not matter (see the module docs for the
/// canonical order). `at` is taken to the whole second.
///
/// ```
/// use std::collections::BTreeMap;
/// use std::sync::Arc;
/// use accord_core::calendar::{Calendar, CalendarRules, DayHours};
/// use accord_core::clock::{evaluate, ClockPolicy, ClockState, Metric, PriorityTargets, TicketEvent};
/// use jiff::tz::TimeZone;
///
/// let hours = DayHours::new(vec!["09:00-17:00".parse()?])?;
/// let support = Arc::new(Calendar::new("support", CalendarRules::weekdays(TimeZone::get("Europe/Berlin")?, hours)));
/// let mut policy = ClockPolicy::new();
/// policy.priorities.insert("high".into(), PriorityTargets {
///     calendar: support,
///     targets: BTreeMap::from([(Metric::FirstResponse, "2h".parse()?)]),
/// });
/// // Opened Friday 16:00 Berlin; by Monday 09:30 Berlin 1h30m have passed.
/// let events = TicketEvent::parse_json_lines(
///     r#"{"ticket":"T-1","kind":"opened","at":"2026-01-02T15:00:00Z","priority":"high"}"#,
/// )?;
/// let clocks = evaluate(&policy, &events, "2026-01-05T08:30:00Z".parse()?)?;
/// let first = &clocks.clocks[0];
/// assert_eq!((first.metric, first.state), (Metric::FirstResponse, ClockState::Running));
/// assert_eq!(first.elapsed.as_secs(), 5_400);
/// assert_eq!(first.deadline.map(|d| d.to_string()).as_deref(), Some("2026-01-05T09:00:00Z"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn evaluate(
    policy: &ClockPolicy,
    events: &[TicketEvent],
    at: Timestamp,
) -> Result<TicketClocks, ClockError> {
    evaluate_with(policy, events, at, Detail::Full)
}

/// [`evaluate`], computing only what `detail` asks for: with
/// [`Detail::Summary`] the clocks have no threshold crossings and no
/// `percent_used`, and are otherwise identical (same errors too).
///
/// ```
/// use accord_core::clock::{evaluate, evaluate_with, ClockPolicy, Detail, TicketEvent};
/// let events = TicketEvent::parse_json_lines(
///     r#"{"ticket":"T-1","kind":"opened","at":"2026-01-02T15:00:00Z","priority":"high"}"#,
/// )?;
/// let policy = ClockPolicy::new();
/// let at = "2026-01-05T08:30:00Z".parse()?;
/// // No priority `high` in an empty policy: the same error either way.
/// assert_eq!(
///     evaluate(&policy, &events, at).unwrap_err(),
///     evaluate_with(&policy, &events, at, Detail::Summary).unwrap_err(),
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn evaluate_with(
    policy: &ClockPolicy,
    events: &[TicketEvent],
    at: Timestamp,
    detail: Detail,
) -> Result<TicketClocks, ClockError> {
    evaluate_cut(policy, events, at, detail, Cutoff::Through)
}

/// The clocks at `end` from the events strictly BEFORE `end`: what a
/// statement period `[start, end)` knows as of its end (SPEC §7), where
/// events at `end` belong to the next period. Otherwise as
/// [`evaluate_with`]; with no event before `end` the error is
/// [`ClockError::NotYetOpened`] (or [`ClockError::NoOpened`]).
///
/// ```
/// use accord_core::clock::{evaluate_before, ClockPolicy, ClockState, Detail, TicketEvent};
/// # use std::collections::BTreeMap;
/// # use std::sync::Arc;
/// # use accord_core::calendar::{Calendar, CalendarRules, DayHours};
/// # use accord_core::clock::{Metric, PriorityTargets};
/// # let always = Arc::new(Calendar::new("always", CalendarRules {
/// #     zone: jiff::tz::TimeZone::UTC,
/// #     weekly: std::array::from_fn(|_| DayHours::new(vec!["00:00-24:00".parse().unwrap()]).unwrap()),
/// #     holidays: accord_core::calendar::Holidays::new(), exceptions: Default::default() }));
/// # let mut policy = ClockPolicy::new();
/// # policy.priorities.insert("high".into(), PriorityTargets {
/// #     calendar: always, targets: BTreeMap::from([(Metric::FirstResponse, "2h".parse()?)]) });
/// let events = TicketEvent::parse_json_lines(concat!(
///     r#"{"ticket":"T-1","kind":"opened","at":"2026-01-31T23:00:00Z","priority":"high"}"#, "\n",
///     r#"{"ticket":"T-1","kind":"replied","at":"2026-02-01T00:00:00Z"}"#,
/// ))?;
/// // The reply at the end of January is February's: as of January's end the clock still runs.
/// let january = evaluate_before(&policy, &events, "2026-02-01T00:00:00Z".parse()?, Detail::Summary)?;
/// assert_eq!(january.clocks[0].state, ClockState::Running);
/// assert_eq!(january.clocks[0].elapsed.as_secs(), 3_600);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn evaluate_before(
    policy: &ClockPolicy,
    events: &[TicketEvent],
    end: Timestamp,
    detail: Detail,
) -> Result<TicketClocks, ClockError> {
    evaluate_cut(policy, events, end, detail, Cutoff::Before)
}

fn evaluate_cut(
    policy: &ClockPolicy,
    events: &[TicketEvent],
    at: Timestamp,
    detail: Detail,
    cutoff: Cutoff,
) -> Result<TicketClocks, ClockError> {
    let at = Timestamp::from_second(at.as_second()).unwrap_or(at);
    let Some(first) = events.first() else {
        return Err(ClockError::NoOpened {
            ticket: String::new(),
        });
    };
    let ticket = first.ticket.clone();
    // The first event with each id. A ticket has a handful of events, so a
    // scan of the earlier ones finds it without building a map; long logs
    // use one (the same answer: the first index with that id).
    const SCAN: usize = 32;
    let mut by_id: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, e) in events.iter().enumerate() {
        if e.ticket != ticket {
            return Err(ClockError::OtherTicket {
                event: event_ref(events, i),
                ticket,
                found: e.ticket.clone(),
            });
        }
        if let Some(id) = &e.id {
            let first = if events.len() <= SCAN {
                events[..i]
                    .iter()
                    .position(|earlier| earlier.id.as_deref() == Some(id.as_str()))
            } else {
                by_id.get(id.as_str()).copied()
            };
            match first.as_ref() {
                Some(&j) if !events[j].same_event(e) => {
                    return Err(ClockError::ConflictingId {
                        id: id.clone(),
                        first: Box::new(event_ref(events, j)),
                        second: Box::new(event_ref(events, i)),
                    });
                }
                Some(_) => {}
                None if events.len() > SCAN => {
                    by_id.insert(id, i);
                }
                None => {}
            }
        }
    }
    let order = canonical_order(events, at, cutoff);

    let Some((&head, rest)) = order.split_first() else {
        return Err(
            match events
                .iter()
                .find(|e| matches!(e.kind, EventKind::Opened { .. }))
            {
                Some(opened) => ClockError::NotYetOpened {
                    ticket,
                    opened_at: opened.at,
                    at,
                },
                None => ClockError::NoOpened { ticket },
            },
        );
    };
    let opened = &events[head];
    let EventKind::Opened { priority } = &opened.kind else {
        return Err(
            if events
                .iter()
                .any(|e| matches!(e.kind, EventKind::Opened { .. }))
            {
                ClockError::BeforeOpened {
                    event: event_ref(events, head),
                }
            } else {
                ClockError::NoOpened { ticket }
            },
        );
    };
    let targets = targets_of(policy, priority, &|| event_ref(events, head))?;
    let mut fold = Fold {
        policy,
        ticket,
        priority: priority.clone(),
        targets,
        status: TicketStatus::Open,
        pause: None,
        pauses: Vec::new(),
        last: opened.at,
        runs: Vec::new(),
        first_response: None,
        resolution: None,
        next_response: None,
        periodic_update: None,
        next_response_cycles: 0,
        periodic_update_cycles: 0,
        replied_once: false,
    };
    fold.first_response = Some(fold.start(Metric::FirstResponse, 1, opened.at));
    fold.resolution = Some(fold.start(Metric::Resolution, 1, opened.at));
    fold.start_periodic_update(opened.at);

    for &i in rest {
        let event = &events[i];
        let eref = || event_ref(events, i);
        if fold.status == TicketStatus::Closed {
            return Err(ClockError::AfterClosed { event: eref() });
        }
        fold.advance(event.at)?;
        fold.apply(event, eref)?;
    }
    fold.advance(at)?;
    measure::build(
        fold.ticket,
        fold.priority,
        fold.status,
        fold.pause,
        fold.pauses,
        fold.targets,
        &fold.runs,
        &policy.thresholds,
        at,
        detail,
    )
}
