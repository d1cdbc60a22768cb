//! `/tickets/...`: a ticket's page (its timeline in the viewer's zone and
//! each clock as a bar on its business-time axis), its actions, and
//! opening a ticket from the portal (SPEC §4, §5, §10).
//!
//! Every action is one event appended through `Store::append_events` as
//! the viewer's tenant, stamped `now` and `by` the viewer's e-mail; a
//! client user may only reply. Another client's ticket is a 404, by URL
//! and by form alike.

use std::sync::Arc;

use accord_core::BusinessDuration;
use accord_core::clock::{ClockError, EventKind, Metric, TicketEvent, TicketStatus};
use accord_core::contract::Contract;
use accord_store::{ClientId, NewTicket, Tenant, TicketId};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use jiff::Timestamp;
use jiff::civil::Weekday;
use minijinja::context;
use serde::{Deserialize, Serialize};

use crate::app::AppError;
use crate::app::tickets::Live;
use crate::state::AppState;
use crate::web::live;
use crate::web::page::{self, Frame, PageError, PageResult};
use crate::web::session::{CsrfForm, Viewer};

/// The instant to stamp a viewer's action with: now, to the second (events
/// are kept to the second), but never before the latest event recorded
/// (which may be dated a little ahead, within the allowed skew). An action
/// in the same second as the event it answers comes after it by the order
/// in which the service recorded them (`seq`), so nothing waits.
fn stamp(state: &AppState, events: &[TicketEvent]) -> Timestamp {
    let now = state.time.now();
    let now = Timestamp::from_second(now.as_second()).unwrap_or(now);
    events
        .iter()
        .map(|e| e.at)
        .max()
        .map_or(now, |last| now.max(last))
}

fn ticket_id(raw: &str) -> PageResult<TicketId> {
    TicketId::parse(raw).map_err(|_| PageError::NotFound)
}

#[derive(Debug, Serialize)]
struct TimelineEntry {
    when: String,
    iso: String,
    kind: &'static str,
    what: String,
    who: String,
    detail: Option<String>,
    note: Option<String>,
    class: String,
}

fn kind_words(kind: &EventKind) -> &'static str {
    match kind {
        EventKind::Opened { .. } => "Opened",
        EventKind::Replied => "Provider replied",
        EventKind::ClientReplied => "Client replied",
        EventKind::Paused { .. } => "Paused",
        EventKind::Resumed => "Resumed",
        EventKind::PriorityChanged { .. } => "Priority changed",
        EventKind::Resolved => "Resolved",
        EventKind::Reopened => "Reopened",
        EventKind::Closed => "Closed",
    }
}

fn timeline(live: &Live, viewer: &Viewer) -> Vec<TimelineEntry> {
    let mut events: Vec<&TicketEvent> = live.events.iter().collect();
    events.sort_by_key(|e| (e.at, e.kind.rank()));
    events
        .into_iter()
        .map(|e| {
            let detail = match &e.kind {
                EventKind::Opened { priority } => Some(format!("priority {priority}")),
                EventKind::PriorityChanged { priority } => Some(format!("to {priority}")),
                EventKind::Paused { reason, waiting_on } => Some(format!(
                    "for {}, waiting on {}",
                    live::reason_words(reason),
                    live::waiting_on_words(&live.parsed.contract, waiting_on.as_deref())
                )),
                _ => None,
            };
            let class = match &e.kind {
                EventKind::Paused { reason, .. } => live::reason_class(reason),
                other => other.as_str().replace('_', "-"),
            };
            TimelineEntry {
                when: live::when(e.at, &viewer.zone),
                iso: live::iso(e.at),
                kind: e.kind.as_str(),
                what: kind_words(&e.kind).to_string(),
                who: e.by.clone().unwrap_or_else(|| "—".to_string()),
                detail,
                note: e.note.clone().filter(|n| !n.trim().is_empty()),
                class,
            }
        })
        .collect()
}

#[derive(Debug, Serialize)]
struct Choice {
    value: String,
    label: String,
}

/// Renders the ticket page, with `error` above the actions when a form
/// was refused.
async fn ticket_page(
    state: &AppState,
    viewer: &Viewer,
    id: &TicketId,
    status: StatusCode,
    error: Option<String>,
) -> PageResult {
    let now = state.time.now();
    let live = crate::app::tickets::live_ticket(state, &viewer.tenant, id, now)
        .await?
        .ok_or(PageError::NotFound)?;
    let client_name = state
        .store
        .accounts()
        .organisations(&viewer.tenant)
        .await?
        .into_iter()
        .find(|o| o.id.as_str() == live.ticket.client.as_str())
        .map(|o| o.name)
        .unwrap_or_default();
    let contract = &live.parsed.contract;
    let pause = live.clocks.pause.as_ref().map(|p| {
        context! {
            reason => live::reason_words(&p.reason),
            reason_class => live::reason_class(&p.reason),
            waiting_on => live::waiting_on_words(contract, p.waiting_on.as_deref()),
            since => live::when(p.since, &viewer.zone),
            age => live::age(now.as_second() - p.since.as_second()),
        }
    });
    let reasons: Vec<Choice> = live
        .parsed
        .policy
        .pause_reasons
        .iter()
        .map(|r| Choice {
            value: r.clone(),
            label: live::reason_words(r),
        })
        .collect();
    let mut contacts: Vec<Choice> = contract
        .contacts()
        .client
        .iter()
        .map(|(role, c)| Choice {
            value: format!("client.{role}"),
            label: format!("{} ({})", c.name, live::reason_words(role)),
        })
        .collect();
    if viewer.is_staff() {
        let client_tenant = Tenant::Client(live.ticket.client.clone());
        for u in state.store.accounts().users(&client_tenant).await? {
            contacts.push(Choice {
                label: format!("{} <{}>", u.name, u.email),
                value: u.email,
            });
        }
    }
    let priorities: Vec<String> = live.parsed.policy.priorities.keys().cloned().collect();
    let status_word = match live.clocks.status {
        TicketStatus::Open => "open",
        TicketStatus::Resolved => "resolved",
        TicketStatus::Closed => "closed",
    };
    let clocks = live::clock_views(&live, &viewer.zone, true);
    let legend: Vec<Choice> = reasons
        .iter()
        .map(|r| Choice {
            value: live::reason_class(&r.value),
            label: r.label.clone(),
        })
        .collect();
    Ok(page::render(
        "ticket.html",
        status,
        context! {
            frame => page::v(Frame::new(viewer, if viewer.is_staff() { "tickets" } else { "home" })),
            id => live.ticket.id.to_string(),
            key => live.ticket.key.clone(),
            subject => live.subject(),
            client_name,
            contract_id => live.ticket.contract_id.clone(),
            contract_version => live.ticket.contract_version,
            priority => live.clocks.priority.clone(),
            status => status_word,
            opened => live::when(live.ticket.opened_at, &viewer.zone),
            pause, clocks => page::v(&clocks), legend => page::v(&legend),
            timeline => page::v(timeline(&live, viewer)),
            reasons => page::v(&reasons), contacts => page::v(&contacts), priorities, error,
            now => live::when(now, &viewer.zone),
        },
    ))
}

pub(crate) async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> PageResult {
    let id = ticket_id(&id)?;
    ticket_page(&state, &viewer, &id, StatusCode::OK, None).await
}

/// Every field any ticket action may carry; each action reads its own.
#[derive(Debug, Deserialize)]
pub(crate) struct ActionForm {
    note: Option<String>,
    reason: Option<String>,
    waiting_on: Option<String>,
    priority: Option<String>,
}

/// A form field's trimmed text, `None` when blank.
pub(crate) fn non_empty(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

pub(crate) async fn act(
    State(state): State<AppState>,
    Path((id, action)): Path<(String, String)>,
    CsrfForm { viewer, form }: CsrfForm<ActionForm>,
) -> PageResult {
    let id = ticket_id(&id)?;
    // The ticket must be visible before anything else is said about it.
    let current = state
        .store
        .tickets()
        .with_clocks(&viewer.tenant, &id)
        .await?
        .ok_or(PageError::NotFound)?;
    let ticket = &current.ticket;
    let note = non_empty(form.note);
    let kind = match (action.as_str(), viewer.is_staff()) {
        ("reply", true) => EventKind::Replied,
        ("reply", false) => EventKind::ClientReplied,
        ("pause", true) => EventKind::Paused {
            reason: non_empty(form.reason)
                .ok_or_else(|| PageError::BadRequest("choose why the clocks pause".into()))?,
            waiting_on: non_empty(form.waiting_on),
        },
        ("resume", true) => EventKind::Resumed,
        ("priority", true) => EventKind::PriorityChanged {
            priority: non_empty(form.priority)
                .ok_or_else(|| PageError::BadRequest("choose a priority".into()))?,
        },
        ("resolve", true) => EventKind::Resolved,
        ("reopen", true) => EventKind::Reopened,
        ("close", true) => EventKind::Closed,
        _ => return Err(PageError::NotFound),
    };
    if matches!(kind, EventKind::Replied | EventKind::ClientReplied) && note.is_none() {
        return refused(
            &state,
            &viewer,
            &id,
            "Write a reply before sending it.".into(),
        )
        .await;
    }
    let event = TicketEvent {
        ticket: ticket.key.clone(),
        kind,
        at: stamp(&state, &current.events),
        id: None,
        by: Some(viewer.user.email.clone()),
        note,
        seq: None,
    };
    match crate::app::tickets::append(&state, viewer.author(), &id, vec![event]).await {
        Ok(_) => Ok(page::see_other(&format!("/tickets/{id}"))),
        Err(AppError::Store(accord_store::Error::Events(e))) => {
            let why = if viewer.is_staff() {
                e.to_string()
            } else {
                tracing::info!(error = %e, ticket = %id, "client action refused");
                client_words(&e)
            };
            refused(&state, &viewer, &id, why).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Why the clocks refused a client's action, in the client's words: the
/// core's message names events and instants, which is for the log.
fn client_words(e: &ClockError) -> String {
    match e {
        ClockError::AfterClosed { .. } => {
            "This ticket is closed and takes no more messages; open a new ticket instead.".into()
        }
        ClockError::UnknownPriority { known, .. } => {
            format!("Choose one of your contract's priorities: {known}.")
        }
        _ => "This could not be recorded on the ticket. Reload the page and try again;               if it happens again, contact your provider."
            .into(),
    }
}

async fn refused(state: &AppState, viewer: &Viewer, id: &TicketId, why: String) -> PageResult {
    ticket_page(
        state,
        viewer,
        id,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some(why),
    )
    .await
}

/// The client a client user opens tickets for, and its contracts.
async fn portal_client(state: &AppState, viewer: &Viewer) -> PageResult<(ClientId, Vec<String>)> {
    let Tenant::Client(client) = &viewer.tenant else {
        return Err(PageError::NotFound);
    };
    let contracts = state
        .store
        .contracts()
        .summaries(&viewer.tenant)
        .await?
        .into_iter()
        .map(|c| c.contract_id)
        .collect();
    Ok((client.clone(), contracts))
}

/// A priority as the portal offers it: its name and its targets in words.
#[derive(Debug, Serialize)]
struct PriorityChoice {
    name: String,
    label: String,
    selected: bool,
}

/// The priorities of the contracts the client may open tickets under, the
/// least urgent of the first contract selected unless `chosen` names one.
fn priority_choices(
    contracts: &[Arc<crate::app::contracts::Parsed>],
    chosen: Option<&str>,
) -> Vec<PriorityChoice> {
    let default = contracts
        .first()
        .and_then(|p| least_urgent_priority(&p.contract));
    let selected = chosen.or(default.as_deref());
    let mut out: Vec<PriorityChoice> = Vec::new();
    for p in contracts {
        for (name, priority) in p.contract.priorities() {
            if out.iter().any(|c| &c.name == name) {
                continue;
            }
            let calendar = &priority.calendar;
            let words: Vec<String> = [Metric::FirstResponse, Metric::Resolution]
                .into_iter()
                .filter_map(|m| {
                    priority.target(m).map(|d| {
                        format!(
                            "{} {}",
                            metric_words(m),
                            target_words(d, calendar, &p.contract)
                        )
                    })
                })
                .collect();
            let label = if words.is_empty() {
                name.clone()
            } else {
                format!("{name} — {}", words.join(", "))
            };
            out.push(PriorityChoice {
                name: name.clone(),
                label,
                selected: Some(name.as_str()) == selected,
            });
        }
    }
    out
}

fn metric_words(m: Metric) -> &'static str {
    match m {
        Metric::FirstResponse => "first response",
        Metric::NextResponse => "next response",
        Metric::Resolution => "resolution",
        Metric::PeriodicUpdate => "update every",
    }
}

/// A target in words: "8 business hours" on a calendar with closed hours,
/// "8 hours" on one open around the clock.
fn target_words(d: BusinessDuration, calendar: &str, contract: &Contract) -> String {
    // Open all day every day (holidays aside): wall-clock hours.
    let around_the_clock = contract.calendar(calendar).is_some_and(|c| {
        [
            Weekday::Monday,
            Weekday::Tuesday,
            Weekday::Wednesday,
            Weekday::Thursday,
            Weekday::Friday,
            Weekday::Saturday,
            Weekday::Sunday,
        ]
        .into_iter()
        .all(|w| c.rules().weekday_hours(w).open_seconds() == 24 * 3600)
    });
    let business = if around_the_clock { "" } else { "business " };
    let secs = d.as_secs();
    let (n, unit) = if secs % 3600 == 0 {
        (secs / 3600, "hour")
    } else {
        (secs / 60, "minute")
    };
    format!("{n} {business}{unit}{}", if n == 1 { "" } else { "s" })
}

/// The least urgent priority of a contract, pre-selected when a client
/// opens a ticket so that leaving the field alone never files an
/// emergency: the one with the longest resolution target, then the longest
/// first response target (a missing target counts as longest), ties by
/// name.
pub(crate) fn least_urgent_priority(contract: &Contract) -> Option<String> {
    let key = |p: &accord_core::contract::Priority, m: Metric| {
        p.target(m).map_or(i64::MAX, |d| d.as_secs())
    };
    contract
        .priorities()
        .iter()
        .max_by(|(an, a), (bn, b)| {
            key(a, Metric::Resolution)
                .cmp(&key(b, Metric::Resolution))
                .then(key(a, Metric::FirstResponse).cmp(&key(b, Metric::FirstResponse)))
                // Ties: the first name wins.
                .then(bn.cmp(an))
        })
        .map(|(n, _)| n.clone())
}

async fn new_page(
    state: &AppState,
    viewer: &Viewer,
    status: StatusCode,
    error: Option<String>,
    form: (&str, &str, Option<&str>),
) -> PageResult {
    let (subject, description, chosen) = form;
    let (_, contracts) = portal_client(state, viewer).await?;
    let parsed = latest_contracts(state, viewer, &contracts).await?;
    let priorities = priority_choices(&parsed, chosen);
    Ok(page::render(
        "ticket_new.html",
        status,
        context! {
            frame => page::v(Frame::new(viewer, "new")),
            contracts => page::v(&contracts), priorities => page::v(&priorities), error, subject,
            description,
        },
    ))
}

/// The latest version of each contract, parsed.
async fn latest_contracts(
    state: &AppState,
    viewer: &Viewer,
    contracts: &[String],
) -> PageResult<Vec<Arc<crate::app::contracts::Parsed>>> {
    let mut out = Vec::new();
    for id in contracts {
        let versions = state.store.contracts().versions(&viewer.tenant, id).await?;
        if let Some(v) = versions.last() {
            out.push(
                state
                    .contracts
                    .get(state, &viewer.tenant, id, v.version)
                    .await?,
            );
        }
    }
    Ok(out)
}

pub(crate) async fn new_form(State(state): State<AppState>, viewer: Viewer) -> PageResult {
    new_page(&state, &viewer, StatusCode::OK, None, ("", "", None)).await
}

#[derive(Debug, Deserialize)]
pub(crate) struct NewTicketForm {
    contract: String,
    priority: String,
    subject: String,
    description: Option<String>,
}

pub(crate) async fn open(
    State(state): State<AppState>,
    CsrfForm { viewer, form }: CsrfForm<NewTicketForm>,
) -> PageResult {
    let (client, contracts) = portal_client(&state, &viewer).await?;
    let subject = form.subject.trim().to_string();
    let description = form.description.unwrap_or_default();
    let again = |why: String, priority: Option<String>| {
        let (state, viewer) = (&state, &viewer);
        let (subject, description) = (subject.clone(), description.clone());
        async move {
            new_page(
                state,
                viewer,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(why),
                (&subject, &description, priority.as_deref()),
            )
            .await
        }
    };
    let chosen = Some(form.priority.clone());
    if !contracts.contains(&form.contract) {
        return Err(PageError::NotFound);
    }
    if subject.is_empty() {
        return again("Give the ticket a subject.".into(), chosen).await;
    }
    // The priority is checked here, in the client's words, rather than by
    // the clocks (whose message names events and instants).
    let versions = state
        .store
        .contracts()
        .versions(&viewer.tenant, &form.contract)
        .await?;
    let latest = versions.last().ok_or(PageError::NotFound)?;
    let parsed = state
        .contracts
        .get(&state, &viewer.tenant, &form.contract, latest.version)
        .await?;
    if parsed.contract.priority(&form.priority).is_none() {
        tracing::info!(priority = %form.priority, "portal form with an unknown priority");
        let names: Vec<&str> = parsed
            .contract
            .priorities()
            .keys()
            .map(String::as_str)
            .collect();
        return again(
            format!(
                "Choose one of your contract's priorities: {}.",
                names.join(", ")
            ),
            None,
        )
        .await;
    }
    let at = stamp(&state, &[]);
    let new = NewTicket {
        client: client.clone(),
        contract_id: form.contract.clone(),
        opened: TicketEvent {
            // The store numbers the ticket.
            ticket: String::new(),
            kind: EventKind::Opened {
                priority: form.priority.clone(),
            },
            at,
            id: None,
            by: Some(viewer.user.email.clone()),
            note: Some(subject.clone()),
            seq: None,
        },
    };
    let mut new = new;
    crate::app::tickets::authorise(
        viewer.author(),
        std::slice::from_mut(&mut new.opened),
        state.time.now(),
    )?;
    match state
        .store
        .tickets()
        .open_next(&viewer.tenant, new, state.time.now())
        .await
    {
        Ok(t) => {
            let description = description.trim();
            if !description.is_empty() {
                let message = TicketEvent {
                    ticket: t.key.clone(),
                    kind: EventKind::ClientReplied,
                    at,
                    id: None,
                    by: Some(viewer.user.email.clone()),
                    note: Some(description.to_string()),
                    seq: None,
                };
                crate::app::tickets::append(&state, viewer.author(), &t.id, vec![message]).await?;
            }
            crate::app::tickets::opened(&state);
            Ok(page::see_other(&format!("/tickets/{}", t.id)))
        }
        Err(accord_store::Error::OutsideContractDates {
            contract,
            effective_from,
            effective_until,
            date,
            ..
        }) => {
            let dates = match effective_until {
                Some(u) => format!(
                    "from {} to {}",
                    effective_from.strftime("%-d %B %Y"),
                    u.strftime("%-d %B %Y")
                ),
                None => format!("from {}", effective_from.strftime("%-d %B %Y")),
            };
            let when = if date < effective_from {
                "is not yet in force"
            } else {
                "has expired"
            };
            again(
                format!(
                    "Your contract {contract} {when}: it runs {dates}. Tickets can be opened only while it is in force; contact your provider."
                ),
                chosen,
            )
            .await
        }
        Err(accord_store::Error::NoContractInForce { contract, .. }) => {
            again(
                format!("Your contract {contract} is not in force today; contact your provider."),
                chosen,
            )
            .await
        }
        Err(accord_store::Error::Events(e)) => {
            tracing::warn!(error = %e, "portal ticket refused by the clocks");
            again(client_words(&e), chosen).await
        }
        Err(e) => Err(e.into()),
    }
}
