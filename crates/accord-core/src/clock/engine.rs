//! The clock engine: a fold over one ticket's events (SPEC §4, §5).
//!
//! Events are first put in a canonical order, so arrival order and re-sent
//! copies never change the result:
//! 1. events after the evaluation instant are dropped (they are neither
//!    applied nor checked: the result is what was knowable at that instant);
//! 2. events are sorted by (`at`, [`EventKind::rank`], then the whole event
//!    compared field by field) — a total order on content, not on input
//!    position, so even same-instant events of the same kind apply in the
//!    same order whichever order they arrived in;
//! 3. identical events are applied once, and so are events sharing an `id`
//!    (an `id` reused for a different event is an error, as an idempotency
//!    key must be).
//!
//! Between two consecutive events every live clock gains the business time of
//! the calendar of the priority then in force: as elapsed time while the
//! ticket runs, as paused time under the pause's reason while it is paused.
//! Running stretches are kept, so that the instant at which a clock reached
//! any share of its target can be found afterwards.

use std::collections::BTreeMap;

use jiff::Timestamp;

use super::Metric;
use super::error::{ClockError, EventRef};
use super::event::{EventKind, TicketEvent};
use super::policy::{ClockPolicy, PriorityTargets};
use super::report::{self, ActivePause, Detail, TicketClocks, TicketStatus};
use crate::BusinessDuration;
use crate::calendar::Calendar;

/// A stretch of running time of one clock, measured on one calendar.
#[derive(Debug, Clone)]
pub(super) struct Segment<'p> {
    pub start: Timestamp,
    pub end: Timestamp,
    /// The clock's elapsed seconds at `start`.
    pub before: i64,
    /// Borrowed from the policy: no reference count to move per stretch.
    pub calendar: &'p Calendar,
}

/// One clock (one metric, one cycle) as the fold builds it.
#[derive(Debug, Clone)]
pub(super) struct Run<'p> {
    pub metric: Metric,
    pub cycle: u32,
    pub started_at: Timestamp,
    pub stopped_at: Option<Timestamp>,
    /// The target in force when the clock stopped; live clocks take the
    /// current priority's target.
    pub stopped_target: Option<BusinessDuration>,
    pub elapsed: i64,
    pub paused: BTreeMap<String, i64>,
    pub segments: Vec<Segment<'p>>,
}

impl<'p> Run<'p> {
    fn new(metric: Metric, cycle: u32, at: Timestamp) -> Self {
        Run {
            metric,
            cycle,
            started_at: at,
            stopped_at: None,
            stopped_target: None,
            elapsed: 0,
            paused: BTreeMap::new(),
            segments: Vec::new(),
        }
    }

    pub fn is_live(&self) -> bool {
        self.stopped_at.is_none()
    }

    fn run(&mut self, start: Timestamp, end: Timestamp, secs: i64, calendar: &'p Calendar) {
        match self.segments.last_mut() {
            Some(s) if s.end == start && std::ptr::eq(s.calendar, calendar) => s.end = end,
            _ => self.segments.push(Segment {
                start,
                end,
                before: self.elapsed,
                calendar,
            }),
        }
        self.elapsed += secs;
    }
}

/// The ticket's state while its events are folded.
struct Fold<'p> {
    policy: &'p ClockPolicy,
    ticket: String,
    priority: String,
    targets: &'p PriorityTargets,
    status: TicketStatus,
    pause: Option<ActivePause>,
    last: Timestamp,
    runs: Vec<Run<'p>>,
    first_response: Option<usize>,
    resolution: Option<usize>,
    next_response: Option<usize>,
    periodic_update: Option<usize>,
    next_response_cycles: u32,
    periodic_update_cycles: u32,
    replied_once: bool,
}

impl<'p> Fold<'p> {
    /// Lets time pass up to `t`: every live clock gains running or paused time.
    fn advance(&mut self, t: Timestamp) -> Result<(), ClockError> {
        if t <= self.last || !self.runs.iter().any(Run::is_live) {
            self.last = self.last.max(t);
            return Ok(());
        }
        let calendar: &'p Calendar = &self.targets.calendar;
        let secs = calendar
            .elapsed(self.last, t)
            .map_err(|source| ClockError::Calendar {
                ticket: self.ticket.clone(),
                source,
            })?
            .as_secs();
        for run in self.runs.iter_mut().filter(|r| r.is_live()) {
            match &self.pause {
                // The reason is copied only the first time it pauses this run.
                Some(p) => match run.paused.get_mut(&p.reason) {
                    Some(paused) => *paused += secs,
                    None => {
                        run.paused.insert(p.reason.clone(), secs);
                    }
                },
                None => run.run(self.last, t, secs, calendar),
            }
        }
        self.last = t;
        Ok(())
    }

    fn start(&mut self, metric: Metric, cycle: u32, at: Timestamp) -> usize {
        self.runs.push(Run::new(metric, cycle, at));
        self.runs.len() - 1
    }

    fn stop(&mut self, index: Option<usize>, at: Timestamp) {
        if let Some(run) = index.and_then(|i| self.runs.get_mut(i))
            && run.is_live()
        {
            run.stopped_at = Some(at);
            run.stopped_target = self.targets.targets.get(&run.metric).copied();
        }
    }

    fn start_periodic_update(&mut self, at: Timestamp) {
        self.periodic_update_cycles += 1;
        let cycle = self.periodic_update_cycles;
        self.periodic_update = Some(self.start(Metric::PeriodicUpdate, cycle, at));
    }

    fn stop_all(&mut self, at: Timestamp) {
        for i in 0..self.runs.len() {
            self.stop(Some(i), at);
        }
        self.next_response = None;
        self.periodic_update = None;
        self.pause = None;
    }

    fn apply(
        &mut self,
        event: &TicketEvent,
        eref: impl Fn() -> EventRef,
    ) -> Result<(), ClockError> {
        let at = event.at;
        let open = self.status == TicketStatus::Open;
        match &event.kind {
            EventKind::Opened { .. } => return Err(ClockError::TwoOpened { event: eref() }),
            EventKind::PriorityChanged { priority } => {
                self.targets = targets_of(self.policy, priority, &eref)?;
                self.priority = priority.clone();
            }
            EventKind::ClientReplied if open => {
                if self.policy.resume_on_client_reply {
                    self.pause = None;
                }
                if self.replied_once && self.next_response.is_none() {
                    self.next_response_cycles += 1;
                    let cycle = self.next_response_cycles;
                    self.next_response = Some(self.start(Metric::NextResponse, cycle, at));
                }
            }
            EventKind::Resumed => self.pause = None,
            EventKind::Replied => {
                self.replied_once = true;
                if open {
                    self.stop(self.first_response, at);
                    let (next, periodic) = (self.next_response.take(), self.periodic_update.take());
                    self.stop(next, at);
                    self.stop(periodic, at);
                    self.start_periodic_update(at);
                }
            }
            EventKind::Paused { reason, waiting_on } => {
                if !self.policy.pause_reasons.contains(reason) {
                    return Err(ClockError::PauseReasonNotAllowed {
                        event: eref(),
                        reason: reason.clone(),
                        allowed: join(self.policy.pause_reasons.iter()),
                    });
                }
                if open {
                    // A pause while paused switches the reason from now on; a
                    // repeated reason only updates who is waited on.
                    let since = match &self.pause {
                        Some(p) if p.reason == *reason => p.since,
                        _ => at,
                    };
                    self.pause = Some(ActivePause {
                        reason: reason.clone(),
                        waiting_on: waiting_on.clone(),
                        since,
                    });
                }
            }
            EventKind::Resolved if open => {
                self.stop_all(at);
                self.status = TicketStatus::Resolved;
            }
            EventKind::Reopened if self.status == TicketStatus::Resolved => {
                self.status = TicketStatus::Open;
                if let Some(run) = self.resolution.and_then(|i| self.runs.get_mut(i)) {
                    run.stopped_at = None;
                    run.stopped_target = None;
                }
                self.start_periodic_update(at);
            }
            EventKind::Closed => {
                self.stop_all(at);
                self.status = TicketStatus::Closed;
            }
            // A client reply while resolved starts nothing, a second resolve
            // or a reopen of an open ticket changes nothing.
            EventKind::ClientReplied | EventKind::Resolved | EventKind::Reopened => {}
        }
        Ok(())
    }
}

fn join<'a>(names: impl Iterator<Item = &'a String>) -> String {
    let all: Vec<&str> = names.map(String::as_str).collect();
    if all.is_empty() {
        "none".into()
    } else {
        all.join(", ")
    }
}

fn targets_of<'p>(
    policy: &'p ClockPolicy,
    priority: &str,
    eref: &impl Fn() -> EventRef,
) -> Result<&'p PriorityTargets, ClockError> {
    policy
        .priorities
        .get(priority)
        .ok_or_else(|| ClockError::UnknownPriority {
            event: eref(),
            priority: priority.to_string(),
            known: join(policy.priorities.keys()),
        })
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
                Some(&j) if events[j] != *e => {
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
    let mut order: Vec<usize> = (0..events.len()).filter(|&i| events[i].at <= at).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&events[a], &events[b]);
        (x.at, x.kind.rank(), x).cmp(&(y.at, y.kind.rank(), y))
    });
    order.dedup_by(|a, b| events[*a] == events[*b]);

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
    report::build(
        fold.ticket,
        fold.priority,
        fold.status,
        fold.pause,
        fold.targets,
        &fold.runs,
        &policy.thresholds,
        at,
        detail,
    )
}
