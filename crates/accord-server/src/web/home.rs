//! `/`: the staff dashboard or, for a client user, the client portal
//! (SPEC §7: a live dashboard for staff; a portal where a client sees its
//! clocks and above all what is waiting on it).

use std::collections::{BTreeMap, HashMap};

use accord_core::clock::TicketStatus;
use accord_core::compliance::Share;
use accord_store::{ClientId, OrgKind, Tenant, TicketFilter};
use axum::extract::State;
use jiff::Timestamp;
use jiff::civil::Date;
use minijinja::context;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use crate::app::tickets::Live;
use crate::state::AppState;
use crate::web::live;
use crate::web::page::{self, Frame, PageResult};
use crate::web::session::Viewer;

pub(crate) async fn home(State(state): State<AppState>, viewer: Viewer) -> PageResult {
    if viewer.is_staff() {
        dashboard(&state, &viewer).await
    } else {
        portal(&state, &viewer).await
    }
}

#[derive(Debug, Serialize)]
struct AtRiskRow {
    id: String,
    key: String,
    subject: String,
    client: String,
    priority: String,
    clock: live::ClockView,
}

#[derive(Debug, Serialize)]
struct WaitingRow {
    id: String,
    key: String,
    subject: String,
    client: String,
    reason: String,
    reason_class: String,
    waiting_on: String,
    since: String,
    since_iso: String,
    age: String,
    age_secs: i64,
    note: Option<String>,
}

#[derive(Debug, Serialize)]
struct BreachRow {
    id: String,
    key: String,
    client: String,
    clock: String,
    at: String,
    at_secs: i64,
}

#[derive(Debug, Serialize)]
struct Compliance {
    client: String,
    met: u64,
    missed: u64,
    /// The share in percent as a decimal (the meter's width).
    percent: String,
    percent_text: String,
}

impl Compliance {
    fn of(client: String, share: Share) -> Compliance {
        let percent = share.value().map(|v| {
            (v * Decimal::ONE_HUNDRED).round_dp_with_strategy(1, RoundingStrategy::ToZero)
        });
        Compliance {
            client,
            met: share.met,
            missed: share.breached(),
            percent: percent.map_or_else(|| "100".into(), |p| p.to_string()),
            // Truncated, as statements show it: 94.99 % never reads 95 %.
            percent_text: percent.map_or_else(|| "—".into(), |p| format!("{p:.1} %")),
        }
    }
}

/// The first instant of the viewer's current month and of the next.
fn this_month(viewer: &Viewer, now: Timestamp) -> (Timestamp, Timestamp, String) {
    let today = now.to_zoned_datetime(viewer.zone.clone()).date();
    let first = today.first_of_month();
    let next = first.last_of_month().tomorrow().unwrap_or(first);
    let start = |d: Date| {
        d.to_zoned_datetime(viewer.zone.clone())
            .map_or(now, |z| z.timestamp())
    };
    let name = first.strftime("%B %Y").to_string();
    (start(first), start(next), name)
}

async fn client_names(state: &AppState, tenant: &Tenant) -> PageResult<HashMap<String, String>> {
    Ok(state
        .store
        .accounts()
        .organisations(tenant)
        .await?
        .into_iter()
        .filter(|o| o.kind == OrgKind::Client)
        .map(|o| (o.id.as_str().to_string(), o.name))
        .collect())
}

fn waiting_rows(
    lives: &[Live],
    names: &HashMap<String, String>,
    viewer: &Viewer,
    now: Timestamp,
) -> Vec<WaitingRow> {
    let mut rows: Vec<WaitingRow> = lives
        .iter()
        .filter_map(|l| {
            let p = l.clocks.pause.as_ref()?;
            let note = l
                .events
                .iter()
                .rev()
                .find(|e| e.kind.as_str() == "paused" && e.at == p.since)
                .and_then(|e| e.note.clone());
            let age_secs = now.as_second() - p.since.as_second();
            Some(WaitingRow {
                id: l.ticket.id.to_string(),
                key: l.ticket.key.clone(),
                subject: l.subject(),
                client: names
                    .get(l.ticket.client.as_str())
                    .cloned()
                    .unwrap_or_default(),
                reason: live::reason_words(&p.reason),
                reason_class: live::reason_class(&p.reason),
                waiting_on: live::waiting_on_words(&l.parsed.contract, p.waiting_on.as_deref()),
                since: live::when(p.since, &viewer.zone),
                since_iso: live::iso(p.since),
                age: live::age(age_secs),
                age_secs,
                note,
            })
        })
        .collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.age_secs));
    rows
}

async fn dashboard(state: &AppState, viewer: &Viewer) -> PageResult {
    let now = state.time.now();
    let tenant = &viewer.tenant;
    let names = client_names(state, tenant).await?;
    let lives = crate::app::tickets::open_tickets(state, tenant, now).await?;
    let client_of = |id: &ClientId| names.get(id.as_str()).cloned().unwrap_or_default();

    // At risk: live clocks that are counting, least time left first.
    let mut at_risk: Vec<AtRiskRow> = Vec::new();
    for l in &lives {
        for c in live::clock_views(l, &viewer.zone, false) {
            if c.state == "running" || c.state == "overdue" {
                at_risk.push(AtRiskRow {
                    id: l.ticket.id.to_string(),
                    key: l.ticket.key.clone(),
                    subject: l.subject(),
                    client: client_of(&l.ticket.client),
                    priority: l.clocks.priority.clone(),
                    clock: c,
                });
            }
        }
    }
    at_risk.sort_by(|a, b| {
        (a.clock.remaining_secs, -(a.clock.percent * 100.0) as i64)
            .cmp(&(b.clock.remaining_secs, -(b.clock.percent * 100.0) as i64))
    });
    at_risk.truncate(25);

    let waiting = waiting_rows(&lives, &names, viewer, now);
    let milestones = crate::web::milestones::watched(state, viewer).await?;

    // This month's breaches: stored rows for tickets no longer open (their
    // clocks are final), open tickets as evaluated now.
    let (from, to, month) = this_month(viewer, now);
    let open: HashMap<String, &Live> = lives.iter().map(|l| (l.ticket.id.to_string(), l)).collect();
    let mut breaches: Vec<BreachRow> = Vec::new();
    let in_month = |t: Option<Timestamp>| t.is_some_and(|t| t >= from && t < to);
    for o in state
        .store
        .tickets()
        .clock_outcomes(tenant, from, to)
        .await?
    {
        if open.contains_key(o.ticket.as_str()) || o.status == TicketStatus::Open {
            continue;
        }
        if in_month(o.breached_at) {
            let at = o.breached_at.unwrap_or(now);
            breaches.push(BreachRow {
                id: o.ticket.to_string(),
                key: o.ticket_key.clone(),
                client: client_of(&o.client),
                clock: live::clock_name(o.metric, o.cycle),
                at: live::when(at, &viewer.zone),
                at_secs: at.as_second(),
            });
        }
    }
    for l in &lives {
        for c in &l.clocks.clocks {
            if in_month(c.breached_at) {
                let at = c.breached_at.unwrap_or(now);
                breaches.push(BreachRow {
                    id: l.ticket.id.to_string(),
                    key: l.ticket.key.clone(),
                    client: client_of(&l.ticket.client),
                    clock: live::clock_name(c.metric, c.cycle),
                    at: live::when(at, &viewer.zone),
                    at_secs: at.as_second(),
                });
            }
        }
    }
    breaches.sort_by_key(|b| std::cmp::Reverse(b.at_secs));

    // Compliance: each contract's statement of its reporting month so far,
    // from the fold statements use (SPEC §7), so the two never disagree.
    let mut shares: BTreeMap<String, Share> = BTreeMap::new();
    for so_far in crate::app::statements::month_so_far(state, tenant, now).await? {
        let c = so_far.statement.counted;
        let row = shares.entry(client_of(&so_far.client)).or_default();
        row.met += c.met;
        row.measured += c.measured;
    }
    let compliance: Vec<Compliance> = shares
        .into_iter()
        .filter(|(_, s)| s.measured > 0)
        .map(|(client, s)| Compliance::of(client, s))
        .collect();

    Ok(page::ok(
        "dashboard.html",
        context! {
            frame => page::v(Frame::new(viewer, "dashboard")),
            at_risk => page::v(&at_risk), waiting => page::v(&waiting), milestones => page::v(&milestones), breaches => page::v(&breaches), compliance => page::v(&compliance), month,
            open_count => lives.len(),
            now => live::when(now, &viewer.zone),
        },
    ))
}

#[derive(Debug, Serialize)]
struct PortalTicket {
    id: String,
    key: String,
    subject: String,
    priority: String,
    paused: bool,
    clocks: Vec<live::ClockView>,
}

#[derive(Debug, Serialize)]
struct ClosedTicket {
    id: String,
    key: String,
    priority: String,
    status: &'static str,
    opened: String,
}

async fn portal(state: &AppState, viewer: &Viewer) -> PageResult {
    let now = state.time.now();
    let tenant = &viewer.tenant;
    let names = client_names(state, tenant).await?;
    let lives = crate::app::tickets::open_tickets(state, tenant, now).await?;
    let waiting = waiting_rows(&lives, &names, viewer, now);
    let owed = crate::web::milestones::owed(state, viewer).await?;
    let open: Vec<PortalTicket> = lives
        .iter()
        .rev()
        .map(|l| PortalTicket {
            id: l.ticket.id.to_string(),
            key: l.ticket.key.clone(),
            subject: l.subject(),
            priority: l.clocks.priority.clone(),
            paused: l.clocks.pause.is_some(),
            clocks: live::clock_views(l, &viewer.zone, false)
                .into_iter()
                .filter(|c| c.live)
                .collect(),
        })
        .collect();
    let mut closed: Vec<ClosedTicket> = Vec::new();
    for status in [TicketStatus::Resolved, TicketStatus::Closed] {
        let filter = TicketFilter {
            status: Some(status),
            ..TicketFilter::default()
        };
        for t in state
            .store
            .tickets()
            .list(tenant, &filter, None, 500)
            .await?
        {
            closed.push(ClosedTicket {
                id: t.id.to_string(),
                key: t.key,
                priority: t.priority,
                status: if status == TicketStatus::Resolved {
                    "resolved"
                } else {
                    "closed"
                },
                opened: live::when(t.opened_at, &viewer.zone),
            });
        }
    }
    // Newest first (ids are UUIDv7: creation order).
    closed.sort_by(|a, b| b.id.cmp(&a.id));
    closed.truncate(20);
    let client_name = names.values().next().cloned().unwrap_or_default();
    let contracts = state.store.contracts().summaries(tenant).await?;
    let statements = crate::web::statements::issued(state, viewer).await?;
    Ok(page::ok(
        "portal.html",
        context! {
            frame => page::v(Frame::new(viewer, "home")),
            client_name, statements => page::v(&statements), waiting => page::v(&waiting), owed => page::v(&owed), open => page::v(&open), closed => page::v(&closed),
            contracts => contracts.iter().map(|c| c.contract_id.clone()).collect::<Vec<_>>(),
        },
    ))
}
