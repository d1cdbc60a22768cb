//! The first half of an evaluation (SPEC §4, §5): the fold over one ticket's
//! events in canonical order. Between two consecutive events every live clock
//! gains the business time of the calendar of the priority then in force: as
//! elapsed time while the ticket runs, as paused time under the pause's
//! reason while it is paused. Running stretches are kept, so that the
//! instant at which a clock reached any share of its target can be found
//! afterwards (`measure`).

use std::collections::BTreeMap;

use jiff::Timestamp;

use crate::BusinessDuration;
use crate::calendar::Calendar;
use crate::clock::Metric;
use crate::clock::error::{ClockError, EventRef};
use crate::clock::event::{EventKind, TicketEvent};
use crate::clock::outcome::{ActivePause, PauseSpan, TicketStatus};
use crate::clock::policy::{ClockPolicy, PriorityTargets};

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
pub(super) struct Fold<'p> {
    pub(super) policy: &'p ClockPolicy,
    pub(super) ticket: String,
    pub(super) priority: String,
    pub(super) targets: &'p PriorityTargets,
    pub(super) status: TicketStatus,
    pub(super) pause: Option<ActivePause>,
    /// Every pause so far, the last open while `pause` is set.
    pub(super) pauses: Vec<PauseSpan>,
    pub(super) last: Timestamp,
    pub(super) runs: Vec<Run<'p>>,
    pub(super) first_response: Option<usize>,
    pub(super) resolution: Option<usize>,
    pub(super) next_response: Option<usize>,
    pub(super) periodic_update: Option<usize>,
    pub(super) next_response_cycles: u32,
    pub(super) periodic_update_cycles: u32,
    pub(super) replied_once: bool,
}

impl<'p> Fold<'p> {
    /// Lets time pass up to `t`: every live clock gains running or paused time.
    pub(super) fn advance(&mut self, t: Timestamp) -> Result<(), ClockError> {
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

    /// Sets the pause in force from `at`, recording its history: a new
    /// reason (or the end of the pause) closes the current stretch.
    fn set_pause(&mut self, next: Option<ActivePause>, at: Timestamp) {
        let same = matches!((&self.pause, &next), (Some(a), Some(b)) if a.reason == b.reason);
        if !same {
            if self.pause.is_some()
                && let Some(open) = self.pauses.last_mut().filter(|p| p.to.is_none())
            {
                open.to = Some(at);
            }
            if let Some(p) = &next {
                self.pauses.push(PauseSpan {
                    reason: p.reason.clone(),
                    waiting_on: p.waiting_on.clone(),
                    from: at,
                    to: None,
                });
            }
        }
        self.pause = next;
    }

    /// Starts a clock; its index in `runs`.
    pub(super) fn start(&mut self, metric: Metric, cycle: u32, at: Timestamp) -> usize {
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

    /// Starts the next periodic-update cycle.
    pub(super) fn start_periodic_update(&mut self, at: Timestamp) {
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
        self.set_pause(None, at);
    }

    /// Applies one event, after time has advanced to it.
    pub(super) fn apply(
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
                    self.set_pause(None, at);
                }
                if self.replied_once && self.next_response.is_none() {
                    self.next_response_cycles += 1;
                    let cycle = self.next_response_cycles;
                    self.next_response = Some(self.start(Metric::NextResponse, cycle, at));
                }
            }
            EventKind::Resumed => self.set_pause(None, at),
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
                    let next = ActivePause {
                        reason: reason.clone(),
                        waiting_on: waiting_on.clone(),
                        since,
                    };
                    self.set_pause(Some(next), at);
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

/// Names for an error message, comma-separated.
fn join<'a>(names: impl Iterator<Item = &'a String>) -> String {
    let all: Vec<&str> = names.map(String::as_str).collect();
    if all.is_empty() {
        "none".into()
    } else {
        all.join(", ")
    }
}

/// The targets of `priority`, or the error naming the event.
pub(super) fn targets_of<'p>(
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
