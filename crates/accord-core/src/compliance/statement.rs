//! The compliance statement of a period (SPEC §7, §10): per objective the
//! measured count, met and share against the objective; every breach with
//! its cause; paused time by reason beside provider time; the credits due.
//!
//! [`Tally`] folds tickets in one at a time, so a caller streaming a large
//! export holds only the tickets in progress and the statement's figures;
//! [`statements`] is the same fold over events already in memory.
//!
//! **Which objective periods a statement shows.** Each objective is measured
//! over its own periods: a statement lists the objective periods that close
//! within it. A month statement shows monthly objectives for that month and
//! quarterly objectives in the quarter's last month (measured over the
//! quarter, as of its end); a quarter statement shows monthly objectives for
//! each of its months and quarterly ones for the quarter. Credit rules
//! follow the same rule with the period of their objective.
//!
//! Milestones (baseline vs adjusted) and hours by activity belong on the
//! statement too (SPEC §7); they come from the milestone and billing folds
//! (see `sections`) and are added by [`Statement::add_sections`], not by
//! this fold.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::counting::{ClockId, CountedClock, Outcome, Windows, count_ticket};
use super::credits::{CreditsDue, assess, credits_due, minor_unit_digits};
use super::objectives::{ObjectiveResult, Share, Status};
use super::period::ReportPeriod;
use super::sections::{ActivityHours, MilestoneLine, hours_by_activity, milestone_lines};
use crate::BusinessDuration;
use crate::clock::{ClockError, ClockPolicy, Metric, MissingCalendar, TicketEvent};
use crate::contract::{Contract, Period};
use crate::milestone::{MilestoneError, MilestoneEvent};
use crate::time::TimeEntry;

/// Why no statement could be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatementError {
    /// A priority names a calendar the contract lacks (hand-built contracts only).
    #[error(transparent)]
    Calendar(#[from] MissingCalendar),
    /// A period's bounds cannot be placed in the reporting zone.
    #[error("period {period}: {message}")]
    Period {
        /// The period.
        period: ReportPeriod,
        /// What went wrong.
        message: String,
    },
    /// A ticket's clocks cannot be evaluated.
    #[error(transparent)]
    Clock(#[from] ClockError),
    /// The milestone events cannot be evaluated.
    #[error(transparent)]
    Milestone(#[from] MilestoneError),
}

/// The statement of one period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The contract's id.
    pub contract: String,
    /// The period.
    pub period: ReportPeriod,
    /// Its first instant, in the reporting zone.
    pub start: Timestamp,
    /// The first instant after it.
    pub end: Timestamp,
    /// The reporting zone's name.
    pub zone: String,
    /// Every objective period closing within this one, in contract order.
    pub objectives: Vec<ObjectiveResult>,
    /// Every breached clock counted in the period, by `breached_at`, then
    /// ticket, metric and cycle; excluded clocks are not here.
    pub breaches: Vec<CountedClock>,
    /// Clocks that would have counted but are excluded (upheld disputes).
    pub excluded: Vec<CountedClock>,
    /// Clocks counted (met or breached, not excluded), all metrics.
    pub counted: Share,
    /// Business time within the period during which resolution clocks were
    /// paused, by reason (each ticket on its own calendar). Every reason the
    /// contract allows is present, zero when unused.
    pub paused_by_reason: BTreeMap<String, BusinessDuration>,
    /// Business time within the period during which resolution clocks ran:
    /// the provider's time.
    pub provider_time: BusinessDuration,
    /// The credits due, if the contract agrees credits.
    pub credits: Option<CreditsDue>,
    /// Every milestone of the contract as of the period's end, in contract
    /// order; empty unless milestone events were given.
    pub milestones: Vec<MilestoneLine>,
    /// Hours worked per activity in the period; empty unless time entries
    /// were given.
    pub hours_by_activity: BTreeMap<String, ActivityHours>,
}

impl Statement {
    /// Fills the milestones section from `milestone_events` (every
    /// milestone, with the events before the period's end; a milestone
    /// without events has baseline = adjusted) and the hours section from
    /// `entries`. `None` leaves a section empty.
    pub fn add_sections(
        &mut self,
        contract: &Contract,
        milestone_events: Option<&[MilestoneEvent]>,
        entries: Option<&[TimeEntry]>,
    ) -> Result<(), StatementError> {
        if let Some(events) = milestone_events {
            self.milestones = milestone_lines(contract, events, self.end)?;
        }
        if let Some(entries) = entries {
            self.hours_by_activity = hours_by_activity(contract, entries, self.period);
        }
        Ok(())
    }
}

/// What the statement windows and objective windows gather.
#[derive(Debug, Default)]
struct Gathered {
    /// Per priority, the share of each metric (in [`Metric::ALL`] order).
    shares: HashMap<String, [Share; 4]>,
    counted: Share,
    breaches: Vec<CountedClock>,
    excluded: Vec<CountedClock>,
    paused: BTreeMap<String, i64>,
    provider: i64,
}

fn metric_index(m: Metric) -> usize {
    Metric::ALL.iter().position(|x| *x == m).unwrap_or(0)
}

/// The periods of kind `kind` closing within `statement`.
fn closing_within(kind: Period, statement: ReportPeriod) -> Vec<ReportPeriod> {
    match (kind, statement.kind()) {
        (k, s) if k == s => vec![statement],
        (Period::Month, _) => statement.months(),
        (_, _) if statement.quarter().last_month() == statement => vec![statement.quarter()],
        _ => Vec::new(),
    }
}

/// A statement fold over tickets given one at a time.
///
/// ```
/// use std::collections::BTreeSet;
/// use accord_core::clock::TicketEvent;
/// use accord_core::compliance::{ReportPeriod, Status, Tally};
/// use accord_core::contract::Contract;
/// use accord_core::diagnostic::SourceFile;
/// let text = r#"id = "c"
/// client = "C"
/// effective_from = 2026-01-01
/// [calendars.always]
/// timezone = "UTC"
/// every_day = ["00:00-24:00"]
/// [priorities.high]
/// calendar = "always"
/// first_response = "1h"
/// [[objectives]]
/// metric = "first_response"
/// priority = "high"
/// within_target = 0.5
/// period = "month"
/// "#;
/// let contract = Contract::parse(&SourceFile::new("c.toml", text), &mut |_| unreachable!()).unwrap();
/// let march: ReportPeriod = "2026-03".parse()?;
/// let mut tally = Tally::new(&contract, &[march], BTreeSet::new())?;
/// let events = TicketEvent::parse_json_lines(concat!(
///     r#"{"ticket":"T-1","kind":"opened","at":"2026-03-02T08:00:00Z","priority":"high"}"#, "\n",
///     r#"{"ticket":"T-1","kind":"replied","at":"2026-03-02T08:30:00Z"}"#,
/// ))?;
/// tally.add_ticket(&events)?;
/// let statement = &tally.finish()[0];
/// assert_eq!(statement.objectives[0].share.met, 1);
/// assert_eq!(statement.objectives[0].status, Status::Met);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Tally<'c> {
    contract: &'c Contract,
    policy: ClockPolicy,
    zone: TimeZone,
    statements: Vec<ReportPeriod>,
    exclusions: BTreeSet<ClockId>,
    windows: Windows,
    /// Per window (same order as `windows.windows`).
    gathered: Vec<Gathered>,
    /// Whether each window is a statement's own (breaches are kept).
    is_statement: Vec<bool>,
}

impl<'c> Tally<'c> {
    /// A fold for the statements of `periods` (months or quarters, in the
    /// contract's reporting zone), not counting the clocks in `exclusions`.
    pub fn new(
        contract: &'c Contract,
        periods: &[ReportPeriod],
        exclusions: BTreeSet<ClockId>,
    ) -> Result<Tally<'c>, StatementError> {
        Tally::as_of(contract, periods, exclusions, None)
    }

    /// [`Tally::new`] for statements so far: a period that ends after
    /// `as_of` is evaluated at `as_of` with the events before it (its
    /// [`Statement::end`] is `as_of`), so a period in progress shows what
    /// is decided by now and no clock that breaches later. `None`: as
    /// [`Tally::new`].
    pub fn as_of(
        contract: &'c Contract,
        periods: &[ReportPeriod],
        exclusions: BTreeSet<ClockId>,
        as_of: Option<Timestamp>,
    ) -> Result<Tally<'c>, StatementError> {
        let policy = ClockPolicy::from_contract(contract)?;
        let zone = contract.reporting_zone();
        let mut statements = periods.to_vec();
        statements.sort();
        statements.dedup();
        let mut kinds: Vec<Period> = contract.objectives().iter().map(|o| o.period).collect();
        if let Some(c) = contract.credits() {
            kinds.extend(
                c.rules
                    .iter()
                    .map(|r| rule_period(contract, r.metric, &r.priority)),
            );
        }
        let mut all: Vec<ReportPeriod> = statements.clone();
        for &s in &statements {
            for &k in &kinds {
                all.extend(closing_within(k, s));
            }
        }
        all.sort();
        all.dedup();
        let mut bounded = Vec::with_capacity(all.len());
        for &p in &all {
            let (s, e) = p.bounds(&zone).map_err(|e| StatementError::Period {
                period: p,
                message: e.to_string(),
            })?;
            let cut = |t: Timestamp| as_of.map_or(t, |a| t.min(a));
            bounded.push((p, cut(s), cut(e)));
        }
        let windows = Windows::new(&bounded);
        Ok(Tally {
            contract,
            policy,
            zone,
            gathered: all.iter().map(|_| Gathered::default()).collect(),
            is_statement: all.iter().map(|p| statements.contains(p)).collect(),
            statements,
            exclusions,
            windows,
        })
    }

    /// Folds in one ticket's events (all of one ticket, any order). Returns
    /// the clocks it counts in each statement period (excluded ones left
    /// out), for a caller that writes them out as it goes.
    pub fn add_ticket(
        &mut self,
        events: &[TicketEvent],
    ) -> Result<Vec<(ReportPeriod, CountedClock)>, ClockError> {
        let parts = count_ticket(&self.policy, events, &self.windows)?;
        let mut out = Vec::new();
        for (w, part) in parts.into_iter().enumerate() {
            let (period, statement) = (self.windows.windows[w].0, self.is_statement[w]);
            let g = &mut self.gathered[w];
            for (reason, secs) in part.paused {
                *g.paused.entry(reason).or_default() += secs;
            }
            g.provider += part.provider;
            for c in part.counted {
                if self.exclusions.contains(&c.id) {
                    if statement {
                        g.excluded.push(c);
                    }
                    continue;
                }
                let met = c.outcome == Outcome::Met;
                g.counted.add(met);
                let shares = match g.shares.get_mut(&c.priority) {
                    Some(s) => s,
                    None => g.shares.entry(c.priority.clone()).or_default(),
                };
                shares[metric_index(c.id.metric)].add(met);
                if statement {
                    if !met {
                        g.breaches.push(c.clone());
                    }
                    out.push((period, c));
                }
            }
        }
        Ok(out)
    }

    /// The statements, in period order.
    pub fn finish(mut self) -> Vec<Statement> {
        let index: HashMap<ReportPeriod, usize> = self
            .windows
            .windows
            .iter()
            .enumerate()
            .map(|(i, w)| (w.0, i))
            .collect();
        let share_of = |g: &[Gathered], p: ReportPeriod, metric: Metric, priority: &str| {
            index
                .get(&p)
                .and_then(|&i| g[i].shares.get(priority))
                .map_or_else(Share::default, |s| s[metric_index(metric)])
        };
        let contract = self.contract;
        let digits = minor_unit_digits(contract.currency());
        let mut out = Vec::with_capacity(self.statements.len());
        for &s in &self.statements {
            let mut objectives = Vec::new();
            for o in contract.objectives() {
                for p in closing_within(o.period, s) {
                    let share = share_of(&self.gathered, p, o.metric, &o.priority);
                    objectives.push(ObjectiveResult {
                        metric: o.metric,
                        priority: o.priority.clone(),
                        period: p,
                        within_target: o.within_target,
                        share,
                        status: Status::of(share, o.within_target),
                    });
                }
            }
            let credits = contract.credits().map(|c| {
                let mut lines = Vec::new();
                for r in &c.rules {
                    let kind = rule_period(contract, r.metric, &r.priority);
                    for p in closing_within(kind, s) {
                        let share = share_of(&self.gathered, p, r.metric, &r.priority);
                        lines.push((p.last_month(), assess(r, c.period_fee, p, share)));
                    }
                }
                credits_due(c, digits, lines)
            });
            let Some(&w) = index.get(&s) else { continue };
            let (_, ws, we) = self.windows.windows[w];
            let (start, end) = (self.windows.bounds[ws], self.windows.bounds[we]);
            // The clocks are moved out (a window's breaches belong to its
            // statement alone); its shares stay for other statements.
            let g = &mut self.gathered[w];
            let by_instant = |a: &CountedClock, b: &CountedClock| {
                (a.outcome_at, &a.id).cmp(&(b.outcome_at, &b.id))
            };
            let mut breaches = std::mem::take(&mut g.breaches);
            breaches.sort_by(by_instant);
            let mut excluded = std::mem::take(&mut g.excluded);
            excluded.sort_by(by_instant);
            let mut paused_by_reason: BTreeMap<String, BusinessDuration> = contract
                .pauses()
                .reasons
                .iter()
                .map(|r| (r.clone(), BusinessDuration::ZERO))
                .collect();
            for (reason, secs) in &g.paused {
                paused_by_reason.insert(reason.clone(), secs_to_duration(*secs));
            }
            out.push(Statement {
                contract: contract.id().to_string(),
                period: s,
                start,
                end,
                zone: self.zone.iana_name().unwrap_or("UTC").to_string(),
                objectives,
                breaches,
                excluded,
                counted: g.counted,
                paused_by_reason,
                provider_time: secs_to_duration(g.provider),
                credits,
                milestones: Vec::new(),
                hours_by_activity: BTreeMap::new(),
            });
        }
        out
    }
}

fn secs_to_duration(secs: i64) -> BusinessDuration {
    BusinessDuration::from_secs(secs.max(0)).unwrap_or(BusinessDuration::ZERO)
}

/// The period a credit rule is assessed over: its objective's (the first
/// with the same metric and priority), else a month.
fn rule_period(contract: &Contract, metric: Metric, priority: &str) -> Period {
    contract
        .objectives()
        .iter()
        .find(|o| o.metric == metric && o.priority == priority)
        .map_or(Period::Month, |o| o.period)
}

/// The statements of `periods` from the events of any number of tickets
/// (in any order), not counting the clocks in `exclusions`: [`Tally`] over
/// the events grouped by ticket.
pub fn statements(
    contract: &Contract,
    events: &[TicketEvent],
    periods: &[ReportPeriod],
    exclusions: BTreeSet<ClockId>,
) -> Result<Vec<Statement>, StatementError> {
    statements_as_of(contract, events, periods, exclusions, None)
}

/// [`statements`] so far: periods ending after `as_of` are evaluated at
/// `as_of` (see [`Tally::as_of`]). The service's drafts and dashboard use
/// it with "now", so a month in progress never counts a breach yet to come.
pub fn statements_as_of(
    contract: &Contract,
    events: &[TicketEvent],
    periods: &[ReportPeriod],
    exclusions: BTreeSet<ClockId>,
    as_of: Option<Timestamp>,
) -> Result<Vec<Statement>, StatementError> {
    let mut tally = Tally::as_of(contract, periods, exclusions, as_of)?;
    let mut by_ticket: BTreeMap<&str, Vec<TicketEvent>> = BTreeMap::new();
    for e in events {
        by_ticket
            .entry(e.ticket.as_str())
            .or_default()
            .push(e.clone());
    }
    for events in by_ticket.values() {
        tally.add_ticket(events)?;
    }
    Ok(tally.finish())
}
