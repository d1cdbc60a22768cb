//! Which clocks count in which period (SPEC §7), for one ticket at a time.
//!
//! A period `[start, end)` sees the ticket as the existing clock engine
//! evaluates it at `end` from the events strictly before `end`
//! ([`evaluate_before`]). Each clock (each next_response cycle on its own)
//! counts in the period holding its *outcome instant*: the instant it stopped
//! for a `met` clock, its `breached_at` for a `missed` or `overdue` one. A
//! live clock that has not breached by `end` does not count yet. A clock met,
//! reopened and decided again later counts again in the later period,
//! because that period's evaluation gives it a new outcome instant.
//!
//! Beside the counted clocks, a period gets the business time during which
//! the ticket's resolution clock was paused, by reason, and running
//! (provider time): the difference of that clock's paused and elapsed time
//! between the evaluations at the period's end and start. Both only grow
//! (a reopened resolution clock resumes), so the difference is exactly the
//! time inside the period, on the ticket's own calendar.

use std::collections::BTreeMap;

use jiff::Timestamp;

use super::period::ReportPeriod;
use crate::BusinessDuration;
use crate::clock::{
    Clock, ClockError, ClockPolicy, ClockState, Detail, Metric, PauseSpan, TicketClocks,
    TicketEvent, canonical, evaluate_before,
};

/// A clock across evaluations: ticket, metric and cycle. Exclusions (clocks
/// taken out of compliance by an upheld dispute) are sets of these.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClockId {
    /// The ticket.
    pub ticket: String,
    /// The metric.
    pub metric: Metric,
    /// The cycle, from 1.
    pub cycle: u32,
}

/// How a counted clock ended for its period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    /// Stopped within target.
    Met,
    /// Over target: stopped late (`missed`) or still running late (`overdue`).
    Breached,
}

impl Outcome {
    /// `met` or `breached`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Met => "met",
            Outcome::Breached => "breached",
        }
    }
}

/// The last event at or before a breach instant: what the ticket was left
/// at when its clock ran out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastEvent {
    /// Its kind, e.g. `opened`, `client_replied`, `resumed`.
    pub kind: &'static str,
    /// When it happened.
    pub at: Timestamp,
    /// Who did it, if recorded.
    pub by: Option<String>,
}

/// One clock counted in a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountedClock {
    /// Which clock.
    pub id: ClockId,
    /// The ticket's priority as of the period's end.
    pub priority: String,
    /// Its state as of the period's end: `met`, `missed` or `overdue`.
    pub state: ClockState,
    /// Met or breached.
    pub outcome: Outcome,
    /// The instant that placed it in the period: stopped (met) or
    /// `breached_at` (breached).
    pub outcome_at: Timestamp,
    /// Elapsed business time as of the period's end.
    pub elapsed: BusinessDuration,
    /// Its target.
    pub target: BusinessDuration,
    /// Paused business time by reason, as of the period's end.
    pub paused_by_reason: BTreeMap<String, BusinessDuration>,
    /// When it (its cycle) started.
    pub started_at: Timestamp,
    /// When it stopped, if it did by the period's end.
    pub stopped_at: Option<Timestamp>,
    /// For a breach: the last event at or before `breached_at` (none for a
    /// met clock).
    pub last_event: Option<LastEvent>,
    /// For a breach: the ticket's pauses between the clock's start and its
    /// breach (empty for a met clock).
    pub pauses: Vec<PauseSpan>,
}

/// The instants at which a ticket is evaluated (every window's start and
/// end, ascending) and the windows `[start, end)` over them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Windows {
    pub bounds: Vec<Timestamp>,
    /// Per window: its period and the indices of its start and end in `bounds`.
    pub windows: Vec<(ReportPeriod, usize, usize)>,
}

impl Windows {
    pub fn new(periods: &[(ReportPeriod, Timestamp, Timestamp)]) -> Windows {
        let mut bounds: Vec<Timestamp> = periods.iter().flat_map(|&(_, s, e)| [s, e]).collect();
        bounds.sort_unstable();
        bounds.dedup();
        let index = |t: Timestamp| bounds.partition_point(|b| *b < t);
        let windows = periods
            .iter()
            .map(|&(p, s, e)| (p, index(s), index(e)))
            .collect();
        Windows { bounds, windows }
    }
}

/// What one ticket contributes to one window.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Part {
    pub counted: Vec<CountedClock>,
    /// Resolution clock paused within the window, seconds by reason.
    pub paused: BTreeMap<String, i64>,
    /// Resolution clock running within the window, seconds.
    pub provider: i64,
}

/// The resolution clock of an evaluation, if the ticket has one.
fn resolution(t: Option<&TicketClocks>) -> Option<&Clock> {
    t.and_then(|t| t.of(Metric::Resolution).next())
}

/// The outcome of a clock as of an evaluation, if it has one.
fn outcome(c: &Clock) -> Option<(Outcome, Timestamp)> {
    match c.state {
        ClockState::Met => c.stopped_at.map(|t| (Outcome::Met, t)),
        ClockState::Missed | ClockState::Overdue => c.breached_at.map(|t| (Outcome::Breached, t)),
        ClockState::Running | ClockState::Paused => None,
    }
}

/// The last event (canonical order) at or before `t` and before `end`.
fn last_event(events: &[TicketEvent], t: Timestamp, end: Timestamp) -> Option<LastEvent> {
    events
        .iter()
        .filter(|e| e.at <= t && e.at < end)
        .max_by(|x, y| canonical(x, y))
        .map(|e| LastEvent {
            kind: e.kind.as_str(),
            at: e.at,
            by: e.by.clone(),
        })
}

/// One ticket's part of each window, in the order of `windows.windows`.
///
/// The ticket is evaluated at each bound that has events before it; a bound
/// with no new event since the previous evaluation and no live clock then
/// reuses that evaluation (nothing can have changed).
pub(super) fn count_ticket(
    policy: &ClockPolicy,
    events: &[TicketEvent],
    windows: &Windows,
) -> Result<Vec<Part>, ClockError> {
    let mut ats: Vec<Timestamp> = events.iter().map(|e| e.at).collect();
    ats.sort_unstable();
    let mut evaluations: Vec<TicketClocks> = Vec::new();
    // Per bound: the evaluation that holds, if the ticket was open by then.
    let mut at_bound: Vec<Option<usize>> = Vec::with_capacity(windows.bounds.len());
    let mut last: Option<(usize, usize)> = None; // (events before, evaluation)
    for &bound in &windows.bounds {
        let before = ats.partition_point(|t| *t < bound);
        if before == 0 {
            at_bound.push(None);
            continue;
        }
        if let Some((seen, i)) = last
            && seen == before
            && evaluations[i].clocks.iter().all(|c| c.state.is_stopped())
        {
            at_bound.push(Some(i));
            continue;
        }
        match evaluate_before(policy, events, bound, Detail::Summary) {
            Ok(t) => {
                evaluations.push(t);
                let i = evaluations.len() - 1;
                last = Some((before, i));
                at_bound.push(Some(i));
            }
            Err(ClockError::NotYetOpened { .. }) => at_bound.push(None),
            Err(e) => return Err(e),
        }
    }

    let get = |b: usize| at_bound[b].map(|i| &evaluations[i]);
    let mut parts = Vec::with_capacity(windows.windows.len());
    for &(_, s, e) in &windows.windows {
        let (start, end) = (windows.bounds[s], windows.bounds[e]);
        let mut part = Part::default();
        let Some(now) = get(e) else {
            parts.push(part);
            continue;
        };
        for c in &now.clocks {
            let Some((outcome, at)) = outcome(c) else {
                continue;
            };
            if at < start || at >= end {
                continue;
            }
            part.counted.push(CountedClock {
                id: ClockId {
                    ticket: now.ticket.clone(),
                    metric: c.metric,
                    cycle: c.cycle,
                },
                priority: now.priority.clone(),
                state: c.state,
                outcome,
                outcome_at: at,
                elapsed: c.elapsed,
                target: c.target,
                paused_by_reason: c.paused_by_reason.clone(),
                started_at: c.started_at,
                stopped_at: c.stopped_at,
                last_event: (outcome == Outcome::Breached)
                    .then(|| last_event(events, at, end))
                    .flatten(),
                pauses: if outcome == Outcome::Breached {
                    now.pauses
                        .iter()
                        .filter(|p| p.from < at && p.to.is_none_or(|to| to > c.started_at))
                        .cloned()
                        .collect()
                } else {
                    Vec::new()
                },
            });
        }
        if let Some(r) = resolution(Some(now)) {
            let before = resolution(get(s));
            let was = |reason: &str| {
                before
                    .and_then(|b| b.paused_by_reason.get(reason))
                    .map_or(0, |d| d.as_secs())
            };
            for (reason, d) in &r.paused_by_reason {
                let secs = d.as_secs() - was(reason);
                if secs > 0 {
                    part.paused.insert(reason.clone(), secs);
                }
            }
            part.provider = r.elapsed.as_secs() - before.map_or(0, |b| b.elapsed.as_secs());
        }
        parts.push(part);
    }
    Ok(parts)
}
