//! The second half of an evaluation (SPEC §4): the folded runs of a ticket
//! read against their targets into the [`TicketClocks`] outcome.
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

use jiff::Timestamp;
use rust_decimal::{Decimal, RoundingStrategy};

use super::fold::Run;
use crate::BusinessDuration;
use crate::calendar::CalendarError;
use crate::clock::error::ClockError;
use crate::clock::outcome::{
    ActivePause, Clock, ClockState, Detail, PauseSpan, ThresholdCrossing, TicketClocks,
    TicketStatus,
};
use crate::clock::policy::PriorityTargets;

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

/// The earliest instant at which `run` had `secs` seconds of elapsed time, if
/// it has reached them.
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

/// The clocks of the folded ticket at `at`: each run's state, times,
/// deadline, breach instant and (with [`Detail::Full`]) crossings.
#[allow(clippy::too_many_arguments)]
pub(super) fn build(
    ticket: String,
    priority: String,
    status: TicketStatus,
    pause: Option<ActivePause>,
    pauses: Vec<PauseSpan>,
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
        pauses,
        clocks,
    })
}
