//! Milestones: each milestone's adjusted due date, state and delay ledger as
//! a pure function of the contract, the milestone events and the evaluation
//! instant (SPEC §6, §10).
//!
//! - `event`: [`MilestoneEvent`], read strictly from JSON Lines;
//! - this module: [`evaluate`], checking events against the contract and
//!   putting each milestone's events in their canonical order;
//! - `fold`: one milestone's events to its [`MilestoneOutcome`];
//! - `days`: the business days of a calendar (days with any opening time);
//! - `outcome`: the types an evaluation produces;
//! - `error`: [`MilestoneError`].
//!
//! The design notes (docs/design.md, "Milestones") say how the SPEC's words
//! are read where they leave room: negative shifts, a baseline that is not a
//! business day, who a day of overlapping delays is attributed to.

mod days;
mod error;
mod event;
mod fold;
mod outcome;

use std::collections::HashMap;

use jiff::Timestamp;

pub use error::MilestoneError;
pub use event::{MAX_SHIFT_DAYS, MilestoneEvent, MilestoneEventKind};
pub use outcome::{
    Cause, DeliverableStatus, LedgerEntry, MilestoneOutcome, MilestoneState, PauseStatus,
};

use crate::clock::EventRef;
use crate::contract::{Contract, did_you_mean};
use days::BusinessDays;

/// Evaluates every milestone of `contract` at `at` from `events` (of any of
/// its milestones, in any order, duplicates allowed): one outcome per
/// milestone, in the contract's order, including milestones without events.
///
/// Every event is checked (its milestone and deliverable exist, its pause
/// reason is allowed, its id names one event only); events after `at` are
/// then left out, the rest are put in their canonical order (instant, then
/// kind in the order of [`MilestoneEventKind`], then content) and identical
/// copies applied once, so neither the order of the input nor repetitions
/// change the result.
///
/// ```
/// use accord_core::contract::Contract;
/// use accord_core::diagnostic::SourceFile;
/// use accord_core::milestone::{MilestoneEvent, MilestoneState, evaluate};
/// let text = r#"id = "c"
/// client = "C"
/// effective_from = 2026-01-01
/// [contacts.client]
/// owner = { name = "O", email = "o@c.example" }
/// [calendars.support]
/// timezone = "Europe/Berlin"
/// mon = ["09:00-17:00"]
/// tue = ["09:00-17:00"]
/// wed = ["09:00-17:00"]
/// thu = ["09:00-17:00"]
/// fri = ["09:00-17:00"]
/// [priorities.normal]
/// calendar = "support"
/// resolution = "8h"
/// [[milestones]]
/// id = "go-live"
/// name = "Go-live"
/// due = 2026-03-31
/// calendar = "support"
/// [[milestones.deliverables]]
/// what = "Sample data export"
/// owner = "client.owner"
/// due = 2026-02-13
/// reason = "data_dependency"
/// "#;
/// let contract = Contract::parse(&SourceFile::new("c.toml", text), &mut |_| unreachable!()).unwrap();
/// // Due Friday 13 February, received Wednesday 18: Monday to Wednesday late.
/// let events = [MilestoneEvent::from_json_line(
///     r#"{"milestone":"go-live","kind":"deliverable_received","deliverable":"1","at":"2026-02-18T10:00:00+01:00"}"#,
/// )?];
/// let out = evaluate(&contract, &events, "2026-03-02T12:00:00Z".parse()?)?;
/// assert_eq!(out[0].client_delay_days, 3);
/// assert_eq!(out[0].adjusted_due.to_string(), "2026-04-03");
/// assert_eq!(out[0].state, MilestoneState::OnTrack);
/// assert_eq!(out[0].ledger[0].days, 3);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn evaluate(
    contract: &Contract,
    events: &[MilestoneEvent],
    at: Timestamp,
) -> Result<Vec<MilestoneOutcome>, MilestoneError> {
    let milestones = contract.milestones();
    let index: HashMap<&str, usize> = milestones
        .iter()
        .enumerate()
        .map(|(i, m)| (m.id.as_str(), i))
        .collect();
    let mut by_milestone: Vec<Vec<&MilestoneEvent>> = vec![Vec::new(); milestones.len()];
    let mut ids: HashMap<&str, usize> = HashMap::new();
    for (i, e) in events.iter().enumerate() {
        let Some(&m) = index.get(e.milestone.as_str()) else {
            let help = match did_you_mean(&e.milestone, index.keys().copied()) {
                Some(best) => format!("did you mean `{best}`?"),
                None if milestones.is_empty() => "the contract has no milestones".to_string(),
                None => format!(
                    "the contract's milestones: {}",
                    list(milestones.iter().map(|m| m.id.as_str()))
                ),
            };
            return Err(MilestoneError::UnknownMilestone {
                event: Box::new(event_ref(e, i)),
                milestone: e.milestone.clone(),
                help,
            });
        };
        check(contract, m, e, i)?;
        if let Some(id) = &e.id {
            match ids.get(id.as_str()) {
                Some(&j) if events[j] != *e => {
                    return Err(MilestoneError::ConflictingId {
                        id: id.clone(),
                        event: Box::new(event_ref(e, i)),
                        earlier: Box::new(event_ref(&events[j], j)),
                    });
                }
                Some(_) => {}
                None => {
                    ids.insert(id, i);
                }
            }
        }
        if e.at <= at {
            by_milestone[m].push(e);
        }
    }
    let mut calendars: HashMap<&str, BusinessDays<'_>> = HashMap::new();
    let mut out = Vec::with_capacity(milestones.len());
    for (m, mut events) in milestones.iter().zip(by_milestone) {
        events.sort_by(|a, b| canonical_key(a).cmp(&canonical_key(b)));
        events.dedup();
        let Some(calendar) = contract.calendar(&m.calendar) else {
            // A parsed contract's milestones name existing calendars.
            continue;
        };
        let days = calendars
            .entry(m.calendar.as_str())
            .or_insert_with(|| BusinessDays::new(calendar));
        out.push(fold::fold(m, &events, at, days)?);
    }
    Ok(out)
}

/// The business days of the milestone's calendar left until its adjusted
/// due date: those in `(today, adjusted_due]` (0 when it is today or past).
/// `None` if the contract has no such calendar (an outcome of another
/// contract).
///
/// ```
/// # use accord_core::contract::Contract;
/// # use accord_core::diagnostic::SourceFile;
/// # use accord_core::milestone::{evaluate, business_days_left};
/// # let text = "id = \"c\"\nclient = \"C\"\neffective_from = 2026-01-01\n[calendars.w]\ntimezone = \"UTC\"\nmon = [\"09:00-17:00\"]\ntue = [\"09:00-17:00\"]\nwed = [\"09:00-17:00\"]\nthu = [\"09:00-17:00\"]\nfri = [\"09:00-17:00\"]\n[priorities.p]\ncalendar = \"w\"\nresolution = \"1h\"\n[[milestones]]\nid = \"m\"\nname = \"M\"\ndue = 2026-03-31\ncalendar = \"w\"\n";
/// # let contract = Contract::parse(&SourceFile::new("c.toml", text), &mut |_| unreachable!()).unwrap();
/// // Tuesday 24 March: Wednesday to Tuesday 31 are five business days.
/// let out = evaluate(&contract, &[], "2026-03-24T12:00:00Z".parse()?)?;
/// assert_eq!(business_days_left(&contract, &out[0]), Some(5));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn business_days_left(contract: &Contract, outcome: &MilestoneOutcome) -> Option<i64> {
    let calendar = contract.calendar(&outcome.calendar)?;
    Some(BusinessDays::new(calendar).count(outcome.today, outcome.adjusted_due))
}

/// The canonical order of a milestone's events: instant, kind (and its
/// fields), then the rest of the content.
#[allow(clippy::type_complexity)]
fn canonical_key(
    e: &MilestoneEvent,
) -> (
    Timestamp,
    &MilestoneEventKind,
    &str,
    Option<&str>,
    Option<&str>,
    Option<&str>,
) {
    (
        e.at,
        &e.kind,
        &e.milestone,
        e.id.as_deref(),
        e.by.as_deref(),
        e.note.as_deref(),
    )
}

/// Checks what an event names against its milestone `m` of the contract.
fn check(
    contract: &Contract,
    m: usize,
    e: &MilestoneEvent,
    i: usize,
) -> Result<(), MilestoneError> {
    let milestone = &contract.milestones()[m];
    match &e.kind {
        MilestoneEventKind::DeliverableReceived { deliverable }
            if milestone.deliverable(deliverable).is_none() =>
        {
            // All names, not the closest: positions "1", "2" are all close.
            let help = if milestone.deliverables.is_empty() {
                "it has no deliverables".to_string()
            } else {
                format!(
                    "its deliverables: {}",
                    list(milestone.deliverables.iter().map(|d| d.name()))
                )
            };
            Err(MilestoneError::UnknownDeliverable {
                event: Box::new(event_ref(e, i)),
                milestone: milestone.id.clone(),
                deliverable: deliverable.clone(),
                help,
            })
        }
        MilestoneEventKind::Paused { reason } if !contract.pauses().allows(reason) => {
            Err(MilestoneError::PauseReasonNotAllowed {
                event: Box::new(event_ref(e, i)),
                reason: reason.clone(),
                allowed: list(contract.pauses().reasons.iter().map(String::as_str)),
            })
        }
        _ => Ok(()),
    }
}

fn list<'a>(names: impl Iterator<Item = &'a str>) -> String {
    names.collect::<Vec<_>>().join(", ")
}

fn event_ref(e: &MilestoneEvent, i: usize) -> EventRef {
    EventRef {
        id: e.id.clone(),
        position: i + 1,
        kind: e.kind.as_str(),
        at: e.at,
    }
}
