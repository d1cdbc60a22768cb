//! `/contracts/{id}/milestones` (SPEC §6): each milestone's baseline and
//! adjusted dates side by side, its state, the delay ledger by cause and the
//! deliverables the client owes; for staff, the actions that record
//! milestone events (mark a deliverable received, shift with a reason,
//! pause and resume, complete). Everything shown comes from
//! `app::milestones::outcomes`, the core's fold as of now; the portal's
//! "Deliverables you owe" is built here too ([`owed`]).

use accord_core::contract::{ContactRef, Contract};
use accord_core::milestone::{
    Cause, MilestoneEvent, MilestoneEventKind, MilestoneOutcome, MilestoneState, business_days_left,
};
use axum::extract::{Path, State};
use jiff::civil::Date;
use minijinja::context;
use serde::{Deserialize, Serialize};

use crate::app::milestones::Milestones;
use crate::state::AppState;
use crate::web::live;
use crate::web::page::{self, Frame, PageError, PageResult};
use crate::web::session::{CsrfForm, Viewer};
use crate::web::tickets::non_empty;

fn day(d: Date) -> String {
    d.strftime("%a %-d %b %Y").to_string()
}

#[derive(Debug, Serialize)]
struct DeliverableRow {
    name: String,
    what: String,
    owner: String,
    due: String,
    received: Option<String>,
    days_late: i64,
    overdue: bool,
    reason: String,
}

#[derive(Debug, Serialize)]
struct LedgerRow {
    period: String,
    cause: String,
    days: i64,
    from: String,
    to: String,
    by: Option<String>,
    note: Option<String>,
}

#[derive(Debug, Serialize)]
struct MilestoneRow {
    id: String,
    name: String,
    baseline: String,
    adjusted: String,
    moved: bool,
    client_delay_days: i64,
    shift_days: i64,
    state: &'static str,
    completed: Option<String>,
    paused: Option<String>,
    deliverables: Vec<DeliverableRow>,
    ledger: Vec<LedgerRow>,
}

/// A deliverable's owner as people read it: "Jonas Weber (approver)".
fn owner_words(contract: &Contract, owner: &ContactRef) -> String {
    live::waiting_on_words(contract, Some(&owner.to_string()))
}

fn cause_words(c: &Cause) -> String {
    match c {
        Cause::Deliverable { what, reason, .. } => {
            format!(
                "late deliverable: {what} (counted as {})",
                live::reason_words(reason)
            )
        }
        Cause::Pause { reason } => format!("paused: {}", live::reason_words(reason)),
        Cause::Shift { reason } => format!("shifted: {reason}"),
    }
}

fn row(contract: &Contract, m: &MilestoneOutcome) -> MilestoneRow {
    MilestoneRow {
        id: m.milestone.clone(),
        name: m.name.clone(),
        baseline: day(m.baseline_due),
        adjusted: day(m.adjusted_due),
        moved: m.adjusted_due != m.baseline_due,
        client_delay_days: m.client_delay_days,
        shift_days: m.shift_days,
        state: m.state.as_str(),
        completed: m.completed.map(day),
        paused: m
            .pauses
            .iter()
            .find(|p| p.to.is_none())
            .map(|p| live::reason_words(&p.reason)),
        deliverables: m
            .deliverables
            .iter()
            .map(|d| DeliverableRow {
                name: d.name.clone(),
                what: d.what.clone(),
                owner: owner_words(contract, &d.owner),
                due: day(d.due),
                received: d.received.map(day),
                days_late: d.days_late,
                overdue: d.overdue,
                reason: live::reason_words(&d.reason),
            })
            .collect(),
        ledger: m
            .ledger
            .iter()
            .map(|e| LedgerRow {
                period: if e.on == e.through {
                    day(e.on)
                } else {
                    format!("{} – {}", day(e.on), day(e.through))
                },
                cause: cause_words(&e.cause),
                days: e.days,
                from: day(e.from),
                to: day(e.to),
                by: e.by.clone(),
                note: e.note.clone(),
            })
            .collect(),
    }
}

async fn load(state: &AppState, viewer: &Viewer, id: &str) -> PageResult<Milestones> {
    crate::app::milestones::outcomes(state, &viewer.tenant, id, state.time.now())
        .await
        .map_err(Into::into)
}

pub(crate) async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> PageResult {
    let m = load(&state, &viewer, &id).await?;
    let rows: Vec<MilestoneRow> = m
        .outcomes
        .iter()
        .map(|o| row(&m.parsed.contract, o))
        .collect();
    let reasons: Vec<String> = m.parsed.contract.pauses().reasons.iter().cloned().collect();
    Ok(page::ok(
        "milestones.html",
        context! {
            frame => page::v(Frame::new(&viewer, "contracts")),
            id, version => m.version, milestones => page::v(&rows), reasons,
        },
    ))
}

#[derive(Debug, Deserialize)]
pub(crate) struct MilestoneForm {
    deliverable: Option<String>,
    days: Option<String>,
    reason: Option<String>,
    note: Option<String>,
}

/// One staff action on one milestone: `received`, `shift`, `pause`,
/// `resume` or `complete`, recorded now by the signed-in user.
pub(crate) async fn act(
    State(state): State<AppState>,
    Path((id, milestone, action)): Path<(String, String, String)>,
    CsrfForm { viewer, form }: CsrfForm<MilestoneForm>,
) -> PageResult {
    viewer.require_staff()?;
    let kind = match action.as_str() {
        "received" => MilestoneEventKind::DeliverableReceived {
            deliverable: non_empty(form.deliverable)
                .ok_or_else(|| PageError::BadRequest("choose the deliverable received".into()))?,
        },
        "shift" => MilestoneEventKind::Shifted {
            days: non_empty(form.days)
                .and_then(|d| d.parse().ok())
                .filter(|d: &i64| *d != 0)
                .ok_or_else(|| {
                    PageError::BadRequest("give the business days to shift by, e.g. 3 or -2".into())
                })?,
            reason: non_empty(form.reason)
                .ok_or_else(|| PageError::BadRequest("a shift needs the reason agreed".into()))?,
        },
        "pause" => MilestoneEventKind::Paused {
            reason: non_empty(form.reason)
                .ok_or_else(|| PageError::BadRequest("choose why the milestone pauses".into()))?,
        },
        "resume" => MilestoneEventKind::Resumed,
        "complete" => MilestoneEventKind::Completed,
        _ => return Err(PageError::NotFound),
    };
    let now = state.time.now();
    let event = MilestoneEvent {
        milestone,
        kind,
        at: jiff::Timestamp::from_second(now.as_second()).unwrap_or(now),
        id: None,
        by: Some(viewer.user.email.clone()),
        note: non_empty(form.note),
    };
    crate::app::milestones::append(&state, viewer.author(), &id, &[event], false).await?;
    Ok(page::see_other(&format!("/contracts/{id}/milestones")))
}

/// A deliverable the client owes, for the portal's "Waiting on you".
#[derive(Debug, Serialize)]
pub(crate) struct Owed {
    contract: String,
    milestone: String,
    what: String,
    owner: String,
    due: String,
    days_late: i64,
    overdue: bool,
    adjusted: String,
}

/// The deliverables not yet received of every contract the viewer may
/// see, most late first.
pub(crate) async fn owed(state: &AppState, viewer: &Viewer) -> PageResult<Vec<Owed>> {
    let mut out = Vec::new();
    for c in state.store.contracts().summaries(&viewer.tenant).await? {
        let m = load(state, viewer, &c.contract_id).await?;
        for o in m.outcomes.iter().filter(|o| o.completed.is_none()) {
            for d in o.deliverables.iter().filter(|d| d.received.is_none()) {
                out.push(Owed {
                    contract: c.contract_id.clone(),
                    milestone: o.name.clone(),
                    what: d.what.clone(),
                    owner: owner_words(&m.parsed.contract, &d.owner),
                    due: day(d.due),
                    days_late: d.days_late,
                    overdue: d.overdue,
                    adjusted: day(o.adjusted_due),
                });
            }
        }
    }
    out.sort_by_key(|o| std::cmp::Reverse(o.days_late));
    Ok(out)
}

/// How close to its adjusted date a milestone is "at risk", in business days.
pub(crate) const AT_RISK_DAYS: i64 = 5;

/// A milestone on the staff dashboard.
#[derive(Debug, Serialize)]
pub(crate) struct Watched {
    contract: String,
    client: String,
    name: String,
    state: &'static str,
    adjusted: String,
    days_left: i64,
}

/// Milestones overdue or at risk (waiting on the client, or due within
/// [`AT_RISK_DAYS`] business days) of every contract the viewer may see:
/// overdue first, then fewest business days left.
pub(crate) async fn watched(state: &AppState, viewer: &Viewer) -> PageResult<Vec<Watched>> {
    let mut out = Vec::new();
    for c in state.store.contracts().summaries(&viewer.tenant).await? {
        let m = load(state, viewer, &c.contract_id).await?;
        for o in &m.outcomes {
            let left = business_days_left(&m.parsed.contract, o).unwrap_or(0);
            let watch = match o.state {
                MilestoneState::Overdue | MilestoneState::WaitingOnClient => true,
                MilestoneState::OnTrack => left <= AT_RISK_DAYS,
                MilestoneState::Met | MilestoneState::Missed => false,
            };
            if watch {
                out.push(Watched {
                    contract: c.contract_id.clone(),
                    client: c.client_name.clone(),
                    name: o.name.clone(),
                    state: o.state.as_str(),
                    adjusted: day(o.adjusted_due),
                    days_left: left,
                });
            }
        }
    }
    out.sort_by_key(|w| (w.state != "overdue", w.days_left));
    Ok(out)
}
