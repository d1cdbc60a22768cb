//! `accord serve --demo`, the demonstration server: a provider, three
//! clients under the example contracts, staff and client users with tokens,
//! and a few hundred tickets with realistic event histories over the last 90
//! days, so a newcomer sees a living system in one command. The histories
//! come from a fixed-seed generator: every demo looks the same relative to
//! its start. The example contracts' milestones get fixed histories (late
//! deliverables, a `pending_payment` pause, shifts agreed), so the delay
//! ledger is at work too.

use std::fmt::Write as _;

use accord_core::clock::{EventKind, TicketEvent};
use accord_core::milestone::MilestoneEvent;
use accord_store::{ClientId, NewTicket, NewUser, OrgKind, Role, Store, Tenant, random_password};
use anyhow::Context;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

const ACME: &str = include_str!("../../../../examples/acme.contract.toml");
const AGENCY: &str = include_str!("../../../../examples/agency-fixed-price.contract.toml");
const HOSTING: &str = include_str!("../../../../examples/hosting-24x7.contract.toml");

/// The hosting example's holiday file, stored with its contract.
const US_FEDERAL: &str = include_str!("../../../../examples/holidays/us-federal.ics");
const US_FEDERAL_NAME: &str = "holidays/us-federal.ics";

/// Acme's milestone history, the example file: a sample export three
/// business days late, a `pending_payment` pause, a shift agreed for a
/// change request, completion and acceptance.
const ACME_MILESTONES: &str = include_str!("../../../../examples/acme.milestones.jsonl");

/// Harbour Bakery's milestone history: brand assets late and the design
/// approved late; copy late and the menu still owed; launch shifted by
/// agreement and paused while an invoice is unpaid.
const HARBOUR_MILESTONES: &str = r#"{"milestone": "design", "kind": "deliverable_received", "deliverable": "1", "at": "2026-03-19T11:00:00Z", "id": "h-1", "by": "owner@harbour.example", "note": "Logo files and 40 photos, four business days late"}
{"milestone": "design", "kind": "deliverable_received", "deliverable": "2", "at": "2026-04-14T16:00:00+01:00", "id": "h-2", "by": "owner@harbour.example", "note": "Concept B chosen, with changes to the header"}
{"milestone": "design", "kind": "completed", "at": "2026-04-22T15:00:00+01:00", "id": "h-3", "by": "designer@studio.example"}
{"milestone": "content", "kind": "deliverable_received", "deliverable": "1", "at": "2026-05-20T10:00:00+01:00", "id": "h-4", "by": "editor@harbour.example", "note": "Copy for 9 of 9 pages"}
{"milestone": "launch", "kind": "shifted", "days": 5, "reason": "Launch with the summer menu, agreed in the call of 2 June", "at": "2026-06-02T12:00:00+01:00", "id": "h-5", "by": "pm@studio.example"}
{"milestone": "launch", "kind": "paused", "reason": "pending_payment", "at": "2026-06-15T09:00:00+01:00", "id": "h-6", "by": "accounts@studio.example", "note": "Invoice HB-3 (content milestone) is 14 days overdue"}
"#;

/// One demo client: its name, contract text and file name, its priorities
/// (most urgent first) and a pause reason its contract allows.
struct DemoClient {
    name: &'static str,
    contract_id: &'static str,
    file: &'static str,
    text: String,
    priorities: &'static [&'static str],
    pause_reason: &'static str,
    user: &'static str,
    /// Its milestone events (JSON Lines, SPEC §10).
    milestones: &'static str,
}

fn clients() -> [DemoClient; 3] {
    [
        DemoClient {
            name: "Acme Analytics GmbH",
            contract_id: "acme-2026",
            file: "acme.contract.toml",
            text: ACME.to_string(),
            priorities: &["critical", "high", "normal", "normal", "normal"],
            pause_reason: "client_communication",
            user: "lena@acme.example",
            milestones: ACME_MILESTONES,
        },
        DemoClient {
            name: "Harbour Bakery Ltd",
            contract_id: "harbour-bakery-site-2026",
            file: "agency-fixed-price.contract.toml",
            text: AGENCY.to_string(),
            priorities: &["site_down", "normal", "normal"],
            pause_reason: "approval",
            user: "sam@harbour.example",
            milestones: HARBOUR_MILESTONES,
        },
        DemoClient {
            name: "Northwind Retail Inc.",
            contract_id: "northwind-hosting-2026",
            file: "hosting-24x7.contract.toml",
            text: HOSTING.to_string(),
            priorities: &["outage", "degraded", "request", "request"],
            pause_reason: "approval",
            user: "carla@northwind.example",
            milestones: "",
        },
    ]
}

/// A small deterministic generator (xorshift64*), enough for demo data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn minutes(&mut self, from: i64, to: i64) -> SignedDuration {
        let span = u64::try_from(to - from).unwrap_or(0) + 1;
        SignedDuration::from_mins(from + i64::try_from(self.below(span)).unwrap_or(0))
    }
}

/// The events of one ticket opened at `opened`, none after `now`.
fn history(
    rng: &mut Rng,
    key: &str,
    client: &DemoClient,
    opened: Timestamp,
    now: Timestamp,
) -> (String, Vec<TicketEvent>) {
    let priority =
        client.priorities[usize::try_from(rng.below(client.priorities.len() as u64)).unwrap_or(0)];
    let urgent = priority == client.priorities[0];
    let mut events = Vec::new();
    let mut at = opened;
    let mut push = |kind: EventKind, at: Timestamp, by: &str| {
        let n = events.len();
        events.push(TicketEvent {
            ticket: key.to_string(),
            kind,
            at,
            id: Some(format!("{key}-{n}")),
            by: Some(by.to_string()),
            note: None,
            seq: None,
        });
    };
    // First reply: minutes for urgent tickets, hours otherwise; now and then late.
    at += if urgent {
        rng.minutes(5, 90)
    } else {
        rng.minutes(20, 600)
    };
    if rng.below(12) == 0 {
        at += rng.minutes(300, 1_500);
    }
    if at > now {
        return (priority.to_string(), events);
    }
    push(EventKind::Replied, at, "agent");
    for _ in 0..rng.below(4) {
        // The provider waits on the client, who answers (resuming the clocks).
        if rng.below(3) == 0 {
            at += rng.minutes(5, 120);
            push(
                EventKind::Paused {
                    reason: client.pause_reason.to_string(),
                    waiting_on: None,
                },
                at,
                "agent",
            );
        }
        at += rng.minutes(30, 2_000);
        if at > now {
            return (priority.to_string(), events);
        }
        push(EventKind::ClientReplied, at, "client");
        at += if urgent {
            rng.minutes(5, 60)
        } else {
            rng.minutes(30, 900)
        };
        if at > now {
            return (priority.to_string(), events);
        }
        push(EventKind::Replied, at, "agent");
    }
    at += if urgent {
        rng.minutes(30, 400)
    } else {
        rng.minutes(120, 5_000)
    };
    if at > now {
        return (priority.to_string(), events);
    }
    push(EventKind::Resolved, at, "agent");
    at += rng.minutes(600, 5_000);
    if at <= now && rng.below(2) == 0 {
        push(EventKind::Closed, at, "client");
    }
    (priority.to_string(), events)
}

/// Seeds the demo unless the database already has a provider. Returns what
/// to print: the credentials (shown once) and what was created.
pub async fn seed(store: &Store, tickets: u32) -> anyhow::Result<String> {
    let now = Timestamp::now();
    let orgs = store.accounts().organisations(&Tenant::Provider).await?;
    if orgs.iter().any(|o| o.kind == OrgKind::Provider) {
        return Ok("demo: the database already holds data; nothing added \
                   (credentials were printed when it was first seeded)\n"
            .to_string());
    }
    store
        .accounts()
        .create_provider("Demo Provider", now)
        .await?;
    let mut out = String::from("demo credentials (shown once):\n");
    for (email, name, role) in [
        ("admin@provider.example", "Ada Admin", Role::Admin),
        ("agent@provider.example", "Alex Agent", Role::Agent),
    ] {
        credentials(
            store,
            &mut out,
            NewUser {
                email,
                name,
                role,
                client: None,
                password: None,
            },
            now,
        )
        .await?;
    }
    let clients = clients();
    let mut ids: Vec<ClientId> = Vec::new();
    let mut milestone_events = 0;
    for c in &clients {
        let id = store.accounts().create_client(c.name, now).await?;
        let files = accord_store::ContractFiles::from([(
            US_FEDERAL_NAME.to_string(),
            US_FEDERAL.to_string(),
        )]);
        store
            .contracts()
            .put_version_with_files(&id, c.file, &c.text, &files, now)
            .await
            .with_context(|| format!("demo contract {}", c.file))?;
        let user = NewUser {
            email: c.user,
            name: c.name,
            role: Role::Client,
            client: Some(id.clone()),
            password: None,
        };
        credentials(store, &mut out, user, now).await?;
        // Milestone events dated before now (a demo seeded before they
        // happened shows the history so far).
        let events: Vec<MilestoneEvent> = MilestoneEvent::parse_json_lines(c.milestones)
            .map_err(|e| anyhow::anyhow!("demo milestones of {}: {e}", c.file))?
            .into_iter()
            .map(|(_, e)| e)
            .filter(|e| e.at <= now)
            .collect();
        if !events.is_empty() {
            milestone_events += store
                .milestones()
                .append(&Tenant::Provider, c.contract_id, &events, now)
                .await
                .with_context(|| format!("demo milestones of {}", c.file))?
                .appended;
        }
        ids.push(id);
    }
    // Each client's tickets open only inside its contract's dates (UTC
    // days) within the last 90 days: (earliest, latest) minutes before now.
    let windows = clients
        .iter()
        .map(|c| demo_window(c, now))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let eligible: Vec<usize> = (0..clients.len())
        .filter(|&i| windows[i].is_some())
        .collect();
    let mut rng = Rng(0x00C0_FFEE_D15E_A5E5);
    let (mut opened, mut events_n) = (0u32, 0usize);
    for n in 0..tickets {
        if eligible.is_empty() {
            break;
        }
        let which = eligible[usize::try_from(rng.below(eligible.len() as u64)).unwrap_or(0)];
        let (client, id) = (&clients[which], &ids[which]);
        let Some((earliest, latest)) = windows[which] else {
            continue;
        };
        let at = now - rng.minutes(latest, earliest);
        let at = Timestamp::from_second(at.as_second())?;
        let key = format!("T-{}", n + 1);
        let (priority, events) = history(&mut rng, &key, client, at, now);
        let new = NewTicket {
            client: id.clone(),
            contract_id: client.contract_id.to_string(),
            opened: TicketEvent {
                ticket: key.clone(),
                kind: EventKind::Opened { priority },
                at,
                id: Some(format!("{key}-opened")),
                by: Some("client".into()),
                note: None,
                seq: None,
            },
        };
        match store.tickets().open(&Tenant::Provider, new, now).await {
            Ok(ticket) => {
                opened += 1;
                if !events.is_empty() {
                    events_n += store
                        .tickets()
                        .append(&Tenant::Provider, &ticket.id, &events, now)
                        .await?
                        .inserted;
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    let _ = writeln!(
        out,
        "demo: 1 provider, {} clients, {opened} tickets with {events_n} further events over the last 90 days, \
         each inside its contract's dates; {milestone_events} milestone events",
        clients.len()
    );
    Ok(out)
}

/// The minutes before `now` a demo ticket of `client` may open at, as
/// (earliest, latest): the last 90 days, cut to the contract's effective
/// dates (whole UTC days, as the store reads them); `None` if they do not
/// meet.
fn demo_window(client: &DemoClient, now: Timestamp) -> anyhow::Result<Option<(i64, i64)>> {
    let files =
        accord_store::ContractFiles::from([(US_FEDERAL_NAME.to_string(), US_FEDERAL.to_string())]);
    let contract = accord_store::parse_contract_with_files(client.file, &client.text, &files)?;
    let minutes_before = |t: Timestamp| (now - t).as_secs() / 60;
    let start_of = |d: jiff::civil::Date| {
        TimeZone::UTC.to_timestamp(d.to_datetime(jiff::civil::Time::midnight()))
    };
    let from = start_of(contract.effective_from())?;
    let mut earliest = (90 * 24 * 60).min(minutes_before(from));
    let mut latest = 10;
    if let Some(until) = contract.effective_until() {
        let end = start_of(until.tomorrow()?)?;
        latest = latest.max(minutes_before(end) + 1);
    }
    earliest = earliest.max(0);
    Ok((latest <= earliest).then_some((earliest, latest)))
}

async fn credentials(
    store: &Store,
    out: &mut String,
    new: NewUser<'_>,
    now: Timestamp,
) -> anyhow::Result<()> {
    let password = random_password();
    let user = store
        .accounts()
        .create_user(
            NewUser {
                password: Some(&password),
                ..new
            },
            now,
        )
        .await?;
    let (_, token) = store.accounts().create_token(&user.id, "demo", now).await?;
    let _ = writeln!(
        out,
        "  {:<7} {:<26} password {password}  token {}",
        user.role.as_str(),
        user.email,
        token.expose()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn demo_tickets_open_only_inside_each_contracts_dates() {
        let now: Timestamp = "2026-12-04T10:00:00Z".parse().unwrap();
        let [acme, harbour, northwind] = clients();
        // Harbour's agency contract ends on 30 September 2026: its tickets
        // open between 90 days ago (5 September) and the end of that day.
        let (earliest, latest) = demo_window(&harbour, now).unwrap().unwrap();
        let end: Timestamp = "2026-10-01T00:00:00Z".parse().unwrap();
        assert!(now - SignedDuration::from_mins(latest) < end);
        assert!(now - SignedDuration::from_mins(latest) >= end - SignedDuration::from_mins(2));
        assert_eq!(earliest, 90 * 24 * 60);
        // The others run past today.
        for c in [acme, northwind] {
            assert_eq!(demo_window(&c, now).unwrap(), Some((90 * 24 * 60, 10)));
        }
        // A contract that ended before the 90 days takes no demo ticket.
        let long_ago: Timestamp = "2027-06-01T00:00:00Z".parse().unwrap();
        assert_eq!(demo_window(&harbour, long_ago).unwrap(), None);
    }
}
