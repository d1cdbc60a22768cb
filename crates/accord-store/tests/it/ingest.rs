//! The ingestion path under load: large batches are
//! stored whole or not at all, duplicates are recognised wherever they come
//! from, clock rows match the core however many there are, and concurrent
//! writers all succeed.

use accord_core::clock::{ClockPolicy, EventKind, TicketEvent, evaluate};
use accord_store::{Appended, ClientId, Error, Store, Tenant, Ticket, TicketWithClocks};

use crate::harness::{TestDb, both};
use crate::{at, event, open, t0};

/// The test contract with a next-response target, so a long conversation
/// has many clocks (one per next-response cycle).
const CHATTY: &str = r#"
id = "chatty"
client = "Test client"
effective_from = 2026-01-01

[calendars.always]
timezone = "UTC"
every_day = ["00:00-24:00"]

[priorities.normal]
calendar = "always"
first_response = "8h"
next_response = "30m"
resolution = "400h"
"#;

async fn chatty_client(s: &Store) -> ClientId {
    let client = s.accounts().create_client("Chatty", t0()).await.unwrap();
    s.contracts()
        .put_version(&client, "chatty.contract.toml", CHATTY, t0())
        .await
        .unwrap();
    client
}

/// `n` events after `opened`: client message then reply, one a minute from
/// minute `from`, ids `{prefix}{i}`.
fn conversation(key: &str, prefix: &str, from: i64, n: usize) -> Vec<TicketEvent> {
    (0..n)
        .map(|i| {
            let kind = if i % 2 == 0 {
                EventKind::ClientReplied
            } else {
                EventKind::Replied
            };
            event(key, kind, from + i as i64, Some(&format!("{prefix}{i}")))
        })
        .collect()
}

async fn stored(s: &Store, ticket: &Ticket) -> TicketWithClocks {
    s.tickets()
        .with_clocks(&Tenant::Provider, &ticket.id)
        .await
        .unwrap()
        .unwrap()
}

fn assert_clocks_match_the_core(t: &TicketWithClocks) {
    let src = accord_core::diagnostic::SourceFile::new("chatty.contract.toml", CHATTY.to_string());
    let contract = accord_core::contract::Contract::parse(&src, &mut |_| unreachable!()).unwrap();
    let policy = ClockPolicy::from_contract(&contract).unwrap();
    let now = t.clocks[0].evaluated_at;
    let want = evaluate(&policy, &t.events, now).unwrap();
    let got: Vec<_> = t
        .clocks
        .iter()
        .map(|c| (c.metric, c.cycle, c.state, c.elapsed_secs, c.stopped_at))
        .collect();
    let mut want: Vec<_> = want
        .clocks
        .iter()
        .map(|c| {
            (
                c.metric,
                c.cycle,
                c.state,
                c.elapsed.as_secs(),
                c.stopped_at,
            )
        })
        .collect();
    want.sort_by_key(|c| (c.0, c.1));
    assert_eq!(got, want);
}

both!(a_large_batch_is_stored_whole_in_order_with_every_clock);
async fn a_large_batch_is_stored_whole_in_order_with_every_clock(db: &TestDb) {
    let s = &db.store;
    let client = chatty_client(s).await;
    let ticket = open(s, &client, "chatty", "T-1", "normal", 0).await;
    // 300 events: more than one multi-row statement of events, and 149
    // next-response cycles (the first client message precedes the first
    // reply), more than one statement of clocks.
    let batch = conversation("T-1", "m", 1, 300);
    let done = s
        .tickets()
        .append(&Tenant::Provider, &ticket.id, &batch, at(400))
        .await
        .unwrap();
    assert_eq!(
        done,
        Appended {
            inserted: 300,
            duplicates: 0,
            fired: Vec::new(),
        }
    );
    let t = stored(s, &ticket).await;
    assert_eq!(t.events.len(), 301);
    // Compared without the `seq` the store assigned.
    let sent: Vec<_> = t.events[1..]
        .iter()
        .map(|e| accord_core::clock::TicketEvent {
            seq: None,
            ..e.clone()
        })
        .collect();
    assert_eq!(sent, batch, "stored in the order sent");
    assert!(t.events.windows(2).all(|w| w[0].seq < w[1].seq));
    let cycles = t
        .clocks
        .iter()
        .filter(|c| c.metric.as_str() == "next_response")
        .count();
    assert_eq!(cycles, 149);
    assert_clocks_match_the_core(&t);
}

both!(copies_stored_earlier_and_copies_within_a_batch_are_stored_once);
async fn copies_stored_earlier_and_copies_within_a_batch_are_stored_once(db: &TestDb) {
    let s = &db.store;
    let client = chatty_client(s).await;
    let ticket = open(s, &client, "chatty", "T-1", "normal", 0).await;
    let first = conversation("T-1", "m", 1, 100);
    s.tickets()
        .append(&Tenant::Provider, &ticket.id, &first, at(200))
        .await
        .unwrap();
    // A re-sent export overlapping what is stored, with copies inside it
    // (with ids and without), and 100 new events.
    let mut batch = first[50..].to_vec();
    batch.extend(conversation("T-1", "m", 1, 200)[100..].iter().cloned());
    batch.extend(first[..10].iter().cloned());
    let note = event("T-1", EventKind::ClientReplied, 150, None);
    batch.push(note.clone());
    batch.push(note);
    let done = s
        .tickets()
        .append(&Tenant::Provider, &ticket.id, &batch, at(300))
        .await
        .unwrap();
    assert_eq!(
        done,
        Appended {
            inserted: 101,
            duplicates: 61,
            fired: Vec::new(),
        }
    );
    let t = stored(s, &ticket).await;
    assert_eq!(t.events.len(), 1 + 100 + 101);
    assert_clocks_match_the_core(&t);
}

both!(a_bad_event_at_the_end_of_a_large_batch_writes_nothing);
async fn a_bad_event_at_the_end_of_a_large_batch_writes_nothing(db: &TestDb) {
    let s = &db.store;
    let client = chatty_client(s).await;
    let ticket = open(s, &client, "chatty", "T-1", "normal", 0).await;
    s.tickets()
        .append(
            &Tenant::Provider,
            &ticket.id,
            &conversation("T-1", "a", 1, 10),
            at(20),
        )
        .await
        .unwrap();
    let before = stored(s, &ticket).await;

    // 200 good events, then a pause for a reason the contract does not allow.
    let mut batch = conversation("T-1", "b", 30, 200);
    batch.push(event(
        "T-1",
        EventKind::Paused {
            reason: "lunch".into(),
            waiting_on: None,
        },
        240,
        Some("p1"),
    ));
    let err = s
        .tickets()
        .append(&Tenant::Provider, &ticket.id, &batch, at(300))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Events(_)), "{err:?}");
    // 200 good events, then one dated a day ahead of now.
    let mut batch = conversation("T-1", "c", 30, 200);
    batch.push(event("T-1", EventKind::Replied, 300 + 24 * 60, Some("f1")));
    let err = s
        .tickets()
        .append(&Tenant::Provider, &ticket.id, &batch, at(300))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Invalid(_)), "{err:?}");

    let after = stored(s, &ticket).await;
    assert_eq!(after.events, before.events);
    assert_eq!(after.clocks, before.clocks);
    // The good part is accepted on its own afterwards.
    let done = s
        .tickets()
        .append(
            &Tenant::Provider,
            &ticket.id,
            &conversation("T-1", "b", 30, 200),
            at(300),
        )
        .await
        .unwrap();
    assert_eq!(done.inserted, 200);
}

both!(concurrent_writers_all_succeed_and_every_event_is_kept);
async fn concurrent_writers_all_succeed_and_every_event_is_kept(db: &TestDb) {
    let s = &db.store;
    let client = chatty_client(s).await;
    let mut tickets = Vec::new();
    for k in 0..4 {
        tickets.push(open(s, &client, "chatty", &format!("T-{k}"), "normal", 0).await);
    }
    // 32 writers at once, 8 on each ticket, each posting 5 single events
    // and one batch of 5, while readers read the same tickets.
    let mut tasks = Vec::new();
    for w in 0..32 {
        let s = s.clone();
        let ticket = tickets[w % 4].clone();
        tasks.push(tokio::spawn(async move {
            let events = conversation(&ticket.key, &format!("w{w}-"), 1 + w as i64 * 10, 10);
            for e in &events[..5] {
                s.tickets()
                    .append(
                        &Tenant::Provider,
                        &ticket.id,
                        std::slice::from_ref(e),
                        at(400),
                    )
                    .await
                    .unwrap();
                s.tickets()
                    .with_clocks(&Tenant::Provider, &ticket.id)
                    .await
                    .unwrap()
                    .unwrap();
            }
            s.tickets()
                .append(&Tenant::Provider, &ticket.id, &events[5..], at(400))
                .await
                .unwrap();
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    for ticket in &tickets {
        let t = stored(s, ticket).await;
        assert_eq!(t.events.len(), 1 + 8 * 10);
        assert_clocks_match_the_core(&t);
    }
}
