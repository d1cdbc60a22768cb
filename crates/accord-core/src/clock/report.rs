//! What a ticket's clocks say at an instant (SPEC §4): state, elapsed and
//! paused business time, remaining time, deadline, breach instant and the
//! instants of warning-threshold crossings.
//!
//! **Threshold instants.** A clock crosses share `s` of target `T` at the
//! earliest instant its elapsed time reaches `ceil(T × s)` seconds. Ceil,
//! not floor or round: elapsed time moves in whole seconds, and
//! `ceil(T × s)` is the least whole number of seconds that is at least
//! `T × s`, so the reported instant is exactly the first moment the share is
//! reached, never a second early. The product is computed with `Decimal`, so
//! 90 % of 61 s is 54.9 s → 55 s, with no float error.
//!
//! **Breach and crossing instants after a priority change** are read from the
//! clock's running history against the target now in force: an upgrade that
//! lowers the target below the time already spent reports the instant the
//! clock reached the new target, which may precede the upgrade.

use std::collections::BTreeMap;
use std::fmt;

use jiff::Timestamp;
use rust_decimal::{Decimal, RoundingStrategy};

use super::Metric;
use super::engine::Run;
use super::error::ClockError;
use super::policy::PriorityTargets;
use crate::BusinessDuration;
use crate::calendar::CalendarError;

/// Where a ticket is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TicketStatus {
    /// Opened or reopened, not resolved.
    Open,
    /// Resolved; may be reopened.
    Resolved,
    /// Closed for good.
    Closed,
}

/// The pause in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivePause {
    /// Why the clocks are paused.
    pub reason: String,
    /// Who the provider waits on.
    pub waiting_on: Option<String>,
    /// Since when: the `paused` event that set the current reason.
    pub since: Timestamp,
}

/// The state of one clock (SPEC §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ClockState {
    /// Live, counting, within target.
    Running,
    /// Live, paused, within target.
    Paused,
    /// Live, elapsed over target (also while paused).
    Overdue,
    /// Stopped within target (elapsed <= target).
    Met,
    /// Stopped over target.
    Missed,
}

impl ClockState {
    /// The name used in machine output.
    pub fn as_str(self) -> &'static str {
        match self {
            ClockState::Running => "running",
            ClockState::Paused => "paused",
            ClockState::Overdue => "overdue",
            ClockState::Met => "met",
            ClockState::Missed => "missed",
        }
    }

    /// Whether the clock has stopped.
    pub fn is_stopped(self) -> bool {
        matches!(self, ClockState::Met | ClockState::Missed)
    }
}

impl fmt::Display for ClockState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// When a clock reaches a share of its target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThresholdCrossing {
    /// The share of the target (`0.75` is 75 %; `1` is the target itself).
    pub share: Decimal,
    /// The elapsed time at which it is crossed: `ceil(target × share)`.
    pub threshold: BusinessDuration,
    /// Whether it has been crossed by the evaluation instant.
    pub crossed: bool,
    /// When: the past instant if crossed; else, for a running clock, the
    /// future instant given no further events; `None` for a paused or
    /// stopped clock that has not crossed it.
    pub at: Option<Timestamp>,
}

/// One clock of a ticket: one metric, one cycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clock {
    /// What it measures.
    pub metric: Metric,
    /// Cycle number from 1 (always 1 for first response and resolution).
    pub cycle: u32,
    /// Its state at the evaluation instant.
    pub state: ClockState,
    /// The target: the current priority's for live clocks, the one in force
    /// when it stopped for stopped clocks.
    pub target: BusinessDuration,
    /// Business time while running.
    pub elapsed: BusinessDuration,
    /// Business time while paused, all reasons.
    pub paused: BusinessDuration,
    /// Business time while paused, per reason.
    pub paused_by_reason: BTreeMap<String, BusinessDuration>,
    /// `target - elapsed`, floored at zero.
    pub remaining: BusinessDuration,
    /// `elapsed / target` in percent, truncated to 2 decimals (so 100 % means
    /// the target is reached); `None` for a zero target.
    pub percent_used: Option<Decimal>,
    /// When the target is (or was, for an overdue clock) reached if it keeps
    /// running: `None` while paused or stopped.
    pub deadline: Option<Timestamp>,
    /// For a clock whose elapsed exceeds its target, the earliest instant at
    /// which elapsed equalled the target.
    pub breached_at: Option<Timestamp>,
    /// When the clock (cycle) started.
    pub started_at: Timestamp,
    /// When it stopped, if it did.
    pub stopped_at: Option<Timestamp>,
    /// Warning thresholds, ascending, ending with the target itself.
    pub crossings: Vec<ThresholdCrossing>,
}

impl Clock {
    /// The next threshold (or the target) this clock will cross if nothing
    /// else happens: the first not yet crossed, with its instant. `None`
    /// while paused, once stopped, or when every threshold is behind it.
    /// What a scheduler stores to wake up for the next warning.
    pub fn next_crossing(&self) -> Option<&ThresholdCrossing> {
        self.crossings.iter().find(|c| !c.crossed && c.at.is_some())
    }
}

/// How much of each [`Clock`] to compute.
///
/// Everything but the warning thresholds is cheap: finding when a clock
/// crosses each share of its target walks its running history or the
/// calendar once per share, and `percent_used` is a `Decimal` division.
/// A caller that prints neither (`accord clocks`) asks for [`Detail::Summary`]
/// and the rest of the report is identical.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Detail {
    /// Every field.
    #[default]
    Full,
    /// Every field except [`Clock::crossings`] (left empty) and
    /// [`Clock::percent_used`] (left `None`).
    Summary,
}

/// All clocks of one ticket at an instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketClocks {
    /// The ticket.
    pub ticket: String,
    /// The evaluation instant.
    pub at: Timestamp,
    /// The priority in force.
    pub priority: String,
    /// Open, resolved or closed.
    pub status: TicketStatus,
    /// The pause in force, if any.
    pub pause: Option<ActivePause>,
    /// Every clock whose metric has a target, by metric then cycle.
    pub clocks: Vec<Clock>,
}

impl TicketClocks {
    /// The clocks of one metric, cycles in order.
    pub fn of(&self, metric: Metric) -> impl Iterator<Item = &Clock> {
        self.clocks.iter().filter(move |c| c.metric == metric)
    }
}

fn duration(secs: i64) -> BusinessDuration {
    BusinessDuration::from_secs(secs.max(0)).unwrap_or(BusinessDuration::ZERO)
}

/// `ceil(target × share)` seconds, at least zero.
fn threshold_secs(target: i64, share: Decimal) -> i64 {
    // Exactly the same in integers when they do not overflow:
    // ceil(target × mantissa / 10^scale).
    let scale = share.scale();
    if scale <= 18
        && let Some(product) = i128::from(target).checked_mul(share.mantissa())
    {
        let divisor = 10i128.pow(scale);
        let ceil = -((-product).div_euclid(divisor));
        if let Ok(secs) = i64::try_from(ceil) {
            return secs.max(0);
        }
    }
    let exact = Decimal::from(target).checked_mul(share);
    exact
        .and_then(|d| i64::try_from(d.ceil()).ok())
        .unwrap_or(target)
        .max(0)
}

/// The earliest instant at which `run` had `secs` seconds of elapsed time, if
/// it has reached them.
#[cfg(test)]
#[test]
fn threshold_secs_in_integers_equals_the_decimal_ceiling() {
    let decimal = |target: i64, share: Decimal| {
        Decimal::from(target)
            .checked_mul(share)
            .and_then(|d| i64::try_from(d.ceil()).ok())
            .unwrap_or(target)
            .max(0)
    };
    for share in [
        "0.5",
        "0.75",
        "0.9",
        "1",
        "0.333",
        "0.0001",
        "1.5",
        "0.99999999",
    ] {
        let share: Decimal = share.parse().unwrap();
        for target in [0, 1, 7, 1_800, 14_400, 28_799, 86_401, 1 << 40] {
            assert_eq!(
                threshold_secs(target, share),
                decimal(target, share),
                "{target} {share}"
            );
        }
    }
}

fn reached_at(run: &Run<'_>, secs: i64) -> Result<Option<Timestamp>, CalendarError> {
    if secs > run.elapsed {
        return Ok(None);
    }
    if secs == 0 {
        return Ok(Some(run.started_at));
    }
    let mut segments = run.segments.iter().peekable();
    while let Some(seg) = segments.next() {
        let after = segments.peek().map_or(run.elapsed, |next| next.before);
        if after >= secs {
            let left = duration(secs - seg.before);
            return seg.calendar.deadline(seg.start, left).map(Some);
        }
    }
    Ok(None)
}

#[allow(clippy::too_many_arguments)]
pub(super) fn build(
    ticket: String,
    priority: String,
    status: TicketStatus,
    pause: Option<ActivePause>,
    current: &PriorityTargets,
    runs: &[Run<'_>],
    thresholds: &[Decimal],
    at: Timestamp,
    detail: Detail,
) -> Result<TicketClocks, ClockError> {
    let full = detail == Detail::Full;
    let calendar_error = |source| ClockError::Calendar {
        ticket: ticket.clone(),
        source,
    };
    let mut shares: Vec<Decimal> = Vec::new();
    if full {
        shares = thresholds
            .iter()
            .copied()
            .filter(|s| *s < Decimal::ONE)
            .chain([Decimal::ONE])
            .collect();
        shares.sort();
        shares.dedup();
    }

    let mut clocks = Vec::new();
    for run in runs {
        let live = run.is_live();
        let target = if live {
            current.targets.get(&run.metric).copied()
        } else {
            run.stopped_target
        };
        let Some(target) = target else { continue };
        let t = target.as_secs();
        let running = live && pause.is_none();
        let state = match (live, run.elapsed > t) {
            (true, true) => ClockState::Overdue,
            (true, false) if running => ClockState::Running,
            (true, false) => ClockState::Paused,
            (false, false) => ClockState::Met,
            (false, true) => ClockState::Missed,
        };
        let future = |secs: i64| -> Result<Option<Timestamp>, ClockError> {
            if secs <= run.elapsed {
                reached_at(run, secs).map_err(calendar_error)
            } else if running {
                current
                    .calendar
                    .deadline(at, duration(secs - run.elapsed))
                    .map(Some)
                    .map_err(calendar_error)
            } else {
                Ok(None)
            }
        };
        let breached_at = if run.elapsed > t {
            reached_at(run, t).map_err(calendar_error)?
        } else {
            None
        };
        let deadline = if running { future(t)? } else { None };
        let mut crossings = Vec::with_capacity(shares.len());
        for &share in &shares {
            let secs = threshold_secs(t, share);
            crossings.push(ThresholdCrossing {
                share,
                threshold: duration(secs),
                crossed: secs <= run.elapsed,
                at: future(secs)?,
            });
        }
        let paused_total: i64 = run.paused.values().sum();
        clocks.push(Clock {
            metric: run.metric,
            cycle: run.cycle,
            state,
            target,
            elapsed: duration(run.elapsed),
            paused: duration(paused_total),
            paused_by_reason: run
                .paused
                .iter()
                .map(|(r, s)| (r.clone(), duration(*s)))
                .collect(),
            remaining: duration(t - run.elapsed),
            percent_used: (full && t > 0).then(|| {
                (Decimal::from(run.elapsed) * Decimal::ONE_HUNDRED / Decimal::from(t))
                    .round_dp_with_strategy(2, RoundingStrategy::ToZero)
            }),
            deadline,
            breached_at,
            started_at: run.started_at,
            stopped_at: run.stopped_at,
            crossings,
        });
    }
    clocks.sort_by_key(|c| (c.metric, c.cycle));
    Ok(TicketClocks {
        ticket,
        at,
        priority,
        status,
        pause,
        clocks,
    })
}
