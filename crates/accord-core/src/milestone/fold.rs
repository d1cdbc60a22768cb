//! One milestone's events, in canonical order, to its outcome (SPEC §6).
//!
//! Every delay is a range of dates `(after, through]`: a deliverable's from
//! its due date to its receipt (or to today while outstanding), a pause's
//! from the date it paused to the date it resumed (or to today while it
//! lasts), all capped at the completion date. The client delay is the
//! number of business days in the union of these ranges. Each of those days
//! is one "atom" of the ledger, attributed to the range that started first
//! (deliverables in the contract's order before pauses on a tie); each
//! shift is another. Replaying the atoms in date order moves the adjusted
//! date from the baseline to its final value, and consecutive atoms of one
//! cause form one ledger entry.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

use super::days::{Adjusted, BusinessDays, next_day};
use super::error::MilestoneError;
use super::event::{MilestoneEvent, MilestoneEventKind as Kind};
use super::outcome::{
    Cause, DeliverableStatus, LedgerEntry, MilestoneOutcome, MilestoneState, PauseStatus,
};
use crate::contract::Milestone;

/// A delay range `(after, through]` and the cause it is attributed to.
#[derive(Debug, Clone, Copy)]
struct Range {
    after: Date,
    through: Date,
    cause: usize,
}

/// A cause with the event behind it (none for an outstanding deliverable).
#[derive(Debug)]
struct Source<'e> {
    cause: Cause,
    event: Option<&'e MilestoneEvent>,
}

/// What moves the adjusted date, in the order it happened.
#[derive(Debug, Clone, Copy)]
enum Atom<'e> {
    /// One business day of delay, attributed to a source.
    Delay(Date, usize),
    /// A manual shift.
    Shift(Date, i64, &'e MilestoneEvent),
}

impl Atom<'_> {
    fn date(&self) -> Date {
        match self {
            Atom::Delay(d, _) | Atom::Shift(d, _, _) => *d,
        }
    }
}

fn date_in(zone: &TimeZone, t: Timestamp) -> Date {
    zone.to_datetime(t).date()
}

/// Folds one milestone's events (canonical order, no copies, none after
/// `at`).
pub(super) fn fold(
    m: &Milestone,
    events: &[&MilestoneEvent],
    at: Timestamp,
    days: &mut BusinessDays<'_>,
) -> Result<MilestoneOutcome, MilestoneError> {
    let zone = &days.calendar().rules().zone;
    let today = date_in(zone, at);
    let first = |pick: fn(&Kind) -> bool| {
        events
            .iter()
            .find(|e| pick(&e.kind))
            .map(|e| date_in(zone, e.at))
    };
    let completed = first(|k| matches!(k, Kind::Completed | Kind::Accepted));
    let accepted = first(|k| matches!(k, Kind::Accepted));
    // "Today" for growing delays: the completion date once completed.
    let end = completed.unwrap_or(today);

    let mut sources: Vec<Source<'_>> = Vec::new();
    let mut ranges: Vec<Range> = Vec::new();
    let mut deliverables = Vec::with_capacity(m.deliverables.len());
    for d in &m.deliverables {
        let receipt = events.iter().copied().find(
            |e| matches!(&e.kind, Kind::DeliverableReceived { deliverable } if deliverable == d.name()),
        );
        let received = receipt.map(|e| date_in(zone, e.at));
        let through = received.map_or(end, |r| r.min(end));
        if through > d.due {
            ranges.push(Range {
                after: d.due,
                through,
                cause: sources.len(),
            });
        }
        sources.push(Source {
            cause: Cause::Deliverable {
                name: d.name().to_string(),
                what: d.what.clone(),
                reason: d.reason.clone(),
            },
            event: receipt,
        });
        deliverables.push(DeliverableStatus {
            name: d.name().to_string(),
            what: d.what.clone(),
            owner: d.owner.clone(),
            due: d.due,
            received,
            days_late: days.count(d.due, through),
            overdue: received.is_none() && d.due < end,
            reason: d.reason.clone(),
        });
    }

    let mut pauses = Vec::new();
    let mut open: Option<(Date, &MilestoneEvent, &str)> = None;
    let mut shifts: Vec<Atom<'_>> = Vec::new();
    let mut shift_days = 0;
    for &e in events {
        match &e.kind {
            Kind::Paused { reason } if open.is_none() => {
                open = Some((date_in(zone, e.at), e, reason))
            }
            Kind::Resumed => {
                if let Some((from, paused, reason)) = open.take() {
                    let to = date_in(zone, e.at);
                    pauses.push(pause(
                        &mut ranges,
                        &mut sources,
                        days,
                        (from, paused, reason),
                        Some(to),
                        to.min(end),
                    ));
                }
            }
            Kind::Shifted { days: by, .. } => {
                shift_days += by;
                shifts.push(Atom::Shift(date_in(zone, e.at), *by, e));
            }
            _ => {}
        }
    }
    let paused = open.is_some();
    if let Some(open) = open {
        pauses.push(pause(&mut ranges, &mut sources, days, open, None, end));
    }

    let delays = delay_atoms(&mut ranges, days);
    let client_delay_days = i64::try_from(delays.len()).unwrap_or(i64::MAX);
    let (ledger, adjusted_due) = ledger(m, &sources, delays, shifts, days)?;

    let state = match completed {
        Some(c) if c <= adjusted_due => MilestoneState::Met,
        Some(_) => MilestoneState::Missed,
        None if today > adjusted_due => MilestoneState::Overdue,
        None if paused || deliverables.iter().any(|d| d.overdue) => MilestoneState::WaitingOnClient,
        None => MilestoneState::OnTrack,
    };
    let next_change_at = if completed.is_some() {
        None
    } else {
        next_change(today, adjusted_due, paused, &deliverables, days)
            .and_then(|d| d.to_zoned_datetime(zone.clone()).ok())
            .and_then(|z| z.start_of_day().ok())
            .map(|z| z.timestamp())
    };
    Ok(MilestoneOutcome {
        milestone: m.id.clone(),
        name: m.name.clone(),
        calendar: m.calendar.clone(),
        baseline_due: m.due,
        adjusted_due,
        client_delay_days,
        shift_days,
        state,
        completed,
        accepted,
        today,
        deliverables,
        pauses,
        ledger,
        next_change_at,
    })
}

/// Records a pause from `from` (its event `paused`) to `to` (`None` while
/// it lasts), counting its range up to `through`.
fn pause<'e>(
    ranges: &mut Vec<Range>,
    sources: &mut Vec<Source<'e>>,
    days: &mut BusinessDays<'_>,
    (from, paused, reason): (Date, &'e MilestoneEvent, &str),
    to: Option<Date>,
    through: Date,
) -> PauseStatus {
    if through > from {
        ranges.push(Range {
            after: from,
            through,
            cause: sources.len(),
        });
    }
    sources.push(Source {
        cause: Cause::Pause {
            reason: reason.to_string(),
        },
        event: Some(paused),
    });
    PauseStatus {
        reason: reason.to_string(),
        from,
        to,
        days: days.count(from, through),
        by: paused.by.clone(),
        note: paused.note.clone(),
    }
}

/// The business days in the union of `ranges`, in date order, each with
/// the range that started first among those holding it.
fn delay_atoms(ranges: &mut [Range], days: &mut BusinessDays<'_>) -> Vec<Atom<'static>> {
    ranges.sort_by_key(|r| (r.after, r.cause));
    let mut atoms = Vec::new();
    // Days up to `done` are walked. A range's days past it belong to no
    // range that started earlier (those end by `done`), so to this one.
    let mut done: Option<Date> = None;
    for r in ranges.iter() {
        let mut day = match done {
            Some(d) if d > r.after => d,
            _ => r.after,
        };
        while day < r.through {
            day = next_day(day);
            if days.is_business(day) {
                atoms.push(Atom::Delay(day, r.cause));
            }
        }
        done = Some(done.map_or(day, |d| d.max(day)));
    }
    atoms
}

/// The ledger: the delay atoms and the shifts replayed in date order (a
/// day of delay counts from the start of its day, before any shift recorded
/// that day), consecutive days of one cause as one entry. Returns it with
/// the final adjusted due date.
fn ledger(
    m: &Milestone,
    sources: &[Source<'_>],
    delays: Vec<Atom<'_>>,
    shifts: Vec<Atom<'_>>,
    days: &mut BusinessDays<'_>,
) -> Result<(Vec<LedgerEntry>, Date), MilestoneError> {
    let mut atoms = delays;
    atoms.extend(shifts);
    // Stable: delays (already in date order) stay before the shifts of their date.
    atoms.sort_by_key(|a| (a.date(), matches!(a, Atom::Shift(..))));
    let mut adjusted = Adjusted::new(m.due);
    let mut total = 0;
    let mut entries: Vec<LedgerEntry> = Vec::new();
    let mut last_delay: Option<usize> = None;
    for atom in atoms {
        let from = adjusted.date();
        let by = match atom {
            Atom::Delay(..) => 1,
            Atom::Shift(_, by, _) => by,
        };
        total += by;
        let to = adjusted
            .shift(days, by)
            .ok_or_else(|| MilestoneError::NoBusinessDay {
                milestone: m.id.clone(),
                calendar: m.calendar.clone(),
                baseline: m.due,
                days: total,
            })?;
        match atom {
            Atom::Delay(day, cause) => {
                if let (Some(c), Some(entry)) = (last_delay, entries.last_mut())
                    && c == cause
                {
                    entry.through = day;
                    entry.days += 1;
                    entry.to = to;
                    continue;
                }
                let source = &sources[cause];
                entries.push(LedgerEntry {
                    on: day,
                    through: day,
                    cause: source.cause.clone(),
                    days: 1,
                    from,
                    to,
                    by: source.event.and_then(|e| e.by.clone()),
                    note: source.event.and_then(|e| e.note.clone()),
                });
                last_delay = Some(cause);
            }
            Atom::Shift(day, by, e) => {
                if by == 0 {
                    continue;
                }
                last_delay = None;
                let reason = match &e.kind {
                    Kind::Shifted { reason, .. } => reason.clone(),
                    _ => String::new(),
                };
                entries.push(LedgerEntry {
                    on: day,
                    through: day,
                    cause: Cause::Shift { reason },
                    days: by,
                    from,
                    to,
                    by: e.by.clone(),
                    note: e.note.clone(),
                });
            }
        }
    }
    Ok((entries, adjusted.date()))
}

/// The first date (from its start) on which the outcome of a milestone not
/// yet completed changes without a new event: an outstanding deliverable
/// falls overdue the day after it is due; an outstanding overdue deliverable
/// or an open pause grows by the next business day; the state turns overdue
/// the day after the adjusted due date.
fn next_change(
    today: Date,
    adjusted_due: Date,
    paused: bool,
    deliverables: &[DeliverableStatus],
    days: &mut BusinessDays<'_>,
) -> Option<Date> {
    let mut next: Option<Date> = None;
    let mut consider = |d: Date| {
        if d > today {
            next = Some(next.map_or(d, |n| n.min(d)));
        }
    };
    let mut grows = paused;
    for d in deliverables.iter().filter(|d| d.received.is_none()) {
        if d.due >= today {
            consider(next_day(d.due));
        } else {
            grows = true;
        }
    }
    if today <= adjusted_due {
        consider(next_day(adjusted_due));
    }
    if grows && let Some(d) = days.step(today, false) {
        consider(d);
    }
    next
}
