//! The event log: idempotent appends, refused batches that write nothing,
//! and clock rows equal to what the core computes from the stored events.

use accord_core::clock::{ClockPolicy, EventKind, evaluate};
use accord_store::{Appended, Error, Tenant, Ticket};

use crate::harness::{TestDb, both};
use crate::{CONTRACT, at, client_with_contract, event, open};

async fn event_count(db: &TestDb, ticket: &Ticket) -> usize {
    let t = db
        .store
        .tickets()
        .with_clocks(&Tenant::Provider, &ticket.id)
        .await
        .unwrap()
        .unwrap();
    t.events.len()
}

both!(events_are_idempotent);
async fn events_are_idempotent(db: &TestDb) {
    let s = &db.store;
    let client = client_with_contract(s, "Acme", "acme").await;
    let ticket = open(s, &client, "acme", "T-1", "critical", 0).await;
    let replied = event("T-1", EventKind::Replied, 20, Some("r1"));
    let done = s
        .tickets()
        .append(
            &Tenant::Provider,
            &ticket.id,
            std::slice::from_ref(&replied),
            at(30),
        )
        .await
        .unwrap();
    assert_eq!(
        done,
        Appended {
            inserted: 1,
            duplicates: 0,
            fired: Vec::new(),
        }
    );
    let again = s
        .tickets()
        .append(
            &Tenant::Provider,
            &ticket.id,
            &[replied.clone(), replied],
            at(31),
        )
        .await
        .unwrap();
    assert_eq!(
        again,
        Appended {
            inserted: 0,
            duplicates: 2,
            fired: Vec::new(),
        }
    );
    // Without an id, the content is the key.
    let note = event("T-1", EventKind::ClientReplied, 40, None);
    let twice = s
        .tickets()
        .append(
            &Tenant::Provider,
            &ticket.id,
            &[note.clone(), note.clone()],
            at(41),
        )
        .await
        .unwrap();
    assert_eq!(
        twice,
        Appended {
            inserted: 1,
            duplicates: 1,
            fired: Vec::new(),
        }
    );
    s.tickets()
        .append(&Tenant::Provider, &ticket.id, &[note], at(42))
        .await
        .unwrap();
    assert_eq!(event_count(db, &ticket).await, 3);
    // The opened event re-sent is a duplicate too.
    let reopened = crate::opened("T-1", "critical", 0);
    let dup = s
        .tickets()
        .append(&Tenant::Provider, &ticket.id, &[reopened], at(43))
        .await
        .unwrap();
    assert_eq!(dup.duplicates, 1);
}

both!(a_reused_id_or_an_inapplicable_event_rejects_the_whole_batch);
async fn a_reused_id_or_an_inapplicable_event_rejects_the_whole_batch(db: &TestDb) {
    let s = &db.store;
    let client = client_with_contract(s, "Acme", "acme").await;
    let ticket = open(s, &client, "acme", "T-1", "critical", 0).await;
    s.tickets()
        .append(
            &Tenant::Provider,
            &ticket.id,
            &[event("T-1", EventKind::Replied, 20, Some("r1"))],
            at(30),
        )
        .await
        .unwrap();
    let before = s
        .tickets()
        .with_clocks(&Tenant::Provider, &ticket.id)
        .await
        .unwrap()
        .unwrap();

    // A new event, then an id reused for a different event: nothing is written.
    let batch = [
        event("T-1", EventKind::ClientReplied, 25, Some("c1")),
        event("T-1", EventKind::Replied, 21, Some("r1")),
    ];
    let err = s
        .tickets()
        .append(&Tenant::Provider, &ticket.id, &batch, at(60))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::ConflictingEvent { id } if id == "r1"),
        "{err:?}"
    );
    // Within one batch too.
    let batch = [
        event("T-1", EventKind::ClientReplied, 25, Some("c2")),
        event("T-1", EventKind::Resolved, 26, Some("c2")),
    ];
    let err = s
        .tickets()
        .append(&Tenant::Provider, &ticket.id, &batch, at(60))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ConflictingEvent { .. }), "{err:?}");
    // A pause reason the contract does not allow: the clocks refuse it.
    let batch = [
        event("T-1", EventKind::ClientReplied, 25, Some("c3")),
        event(
            "T-1",
            EventKind::Paused {
                reason: "lunch".into(),
                waiting_on: None,
            },
            26,
            Some("p1"),
        ),
    ];
    let err = s
        .tickets()
        .append(&Tenant::Provider, &ticket.id, &batch, at(60))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Events(_)), "{err:?}");
    // An event of another ticket.
    let err = s
        .tickets()
        .append(
            &Tenant::Provider,
            &ticket.id,
            &[event("T-2", EventKind::Replied, 30, None)],
            at(60),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::WrongTicket { .. }), "{err:?}");

    let after = s
        .tickets()
        .with_clocks(&Tenant::Provider, &ticket.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(before, after, "a refused batch changes nothing");
}

both!(stored_clocks_match_the_core_on_the_stored_events);
async fn stored_clocks_match_the_core_on_the_stored_events(db: &TestDb) {
    let s = &db.store;
    let client = client_with_contract(s, "Acme", "acme").await;
    let ticket = open(s, &client, "acme", "T-1", "normal", 0).await;
    let events = [
        event("T-1", EventKind::Replied, 90, Some("e1")),
        event(
            "T-1",
            EventKind::Paused {
                reason: "approval".into(),
                waiting_on: Some("client.approver".into()),
            },
            120,
            Some("e2"),
        ),
        event("T-1", EventKind::Resumed, 300, Some("e3")),
        event(
            "T-1",
            EventKind::PriorityChanged {
                priority: "critical".into(),
            },
            360,
            Some("e4"),
        ),
    ];
    let now = at(400);
    s.tickets()
        .append(&Tenant::Provider, &ticket.id, &events, now)
        .await
        .unwrap();
    let stored = s
        .tickets()
        .with_clocks(&Tenant::Provider, &ticket.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.ticket.priority, "critical");
    assert_eq!(stored.events.len(), 5);

    let contract = accord_store_contract();
    let policy = ClockPolicy::from_contract(&contract).unwrap();
    let expected = evaluate(&policy, &stored.events, now).unwrap();
    assert_eq!(stored.clocks.len(), expected.clocks.len());
    for (got, want) in stored.clocks.iter().zip(&expected.clocks) {
        assert_eq!(
            (got.metric, got.cycle, got.state),
            (want.metric, want.cycle, want.state)
        );
        assert_eq!(got.target_secs, want.target.as_secs());
        assert_eq!(got.elapsed_secs, want.elapsed.as_secs());
        assert_eq!(got.paused_secs, want.paused.as_secs());
        assert_eq!(got.remaining_secs, want.remaining.as_secs());
        assert_eq!(got.started_at, want.started_at);
        assert_eq!(got.stopped_at, want.stopped_at);
        assert_eq!(got.deadline, want.deadline);
        assert_eq!(got.breached_at, want.breached_at);
        let next = want.next_crossing().and_then(|c| Some((c.share, c.at?)));
        assert_eq!(got.next_crossing, next);
        assert_eq!(got.evaluated_at, now);
    }
    // Resolution: 400 min open, 180 min paused, so 220 min elapsed of 4 h.
    let resolution = stored
        .clocks
        .iter()
        .find(|c| c.metric.as_str() == "resolution")
        .unwrap();
    assert_eq!(
        (resolution.elapsed_secs, resolution.paused_secs),
        (220 * 60, 180 * 60)
    );
    assert_eq!(resolution.deadline, Some(at(420)));
}

fn accord_store_contract() -> accord_core::contract::Contract {
    let text = CONTRACT.replace("CONTRACT_ID", "acme");
    let src = accord_core::diagnostic::SourceFile::new("test.contract.toml", text);
    accord_core::contract::Contract::parse(&src, &mut |_| unreachable!()).unwrap()
}

fn paused(minutes: i64, id: &str) -> accord_core::clock::TicketEvent {
    event(
        "T-1",
        EventKind::Paused {
            reason: "approval".into(),
            waiting_on: None,
        },
        minutes,
        Some(id),
    )
}

both!(events_of_one_second_from_separate_requests_apply_in_arrival_order);
async fn events_of_one_second_from_separate_requests_apply_in_arrival_order(db: &TestDb) {
    let s = &db.store;
    let client = client_with_contract(s, "Acme", "acme").await;
    let ticket = open(s, &client, "acme", "T-1", "normal", 0).await;
    // A pause, then in the same second the client's answer to it: by kind
    // alone the answer would sort first and the pause would stand.
    let tickets = s.tickets();
    tickets
        .append(&Tenant::Provider, &ticket.id, &[paused(20, "p")], at(20))
        .await
        .unwrap();
    let answer = event("T-1", EventKind::ClientReplied, 20, Some("a"));
    tickets
        .append(&Tenant::Provider, &ticket.id, &[answer], at(20))
        .await
        .unwrap();
    let stored = tickets
        .with_clocks(&Tenant::Provider, &ticket.id)
        .await
        .unwrap()
        .unwrap();
    let seqs: Vec<u64> = stored.events.iter().map(|e| e.seq.unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    let resolution = stored
        .clocks
        .iter()
        .find(|c| c.metric.as_str() == "resolution")
        .unwrap();
    assert_eq!(resolution.state.as_str(), "running");
    // The core, given the stored events with their seq, agrees.
    let policy = ClockPolicy::from_contract(&accord_store_contract()).unwrap();
    let replayed = evaluate(&policy, &stored.events, at(20)).unwrap();
    let r = replayed
        .of(accord_core::clock::Metric::Resolution)
        .next()
        .unwrap();
    assert_eq!(r.state.as_str(), "running");
}

both!(the_order_of_one_batch_never_changes_the_result);
async fn the_order_of_one_batch_never_changes_the_result(db: &TestDb) {
    let s = &db.store;
    let client = client_with_contract(s, "Acme", "acme").await;
    let mut states = Vec::new();
    for (key, flip) in [("T-1", false), ("T-2", true)] {
        let ticket = open(s, &client, "acme", key, "normal", 0).await;
        let mut batch = vec![event(key, EventKind::ClientReplied, 20, Some("a")), {
            let mut p = paused(20, "p");
            p.ticket = key.to_string();
            p
        }];
        if flip {
            batch.reverse();
        }
        s.tickets()
            .append(&Tenant::Provider, &ticket.id, &batch, at(20))
            .await
            .unwrap();
        let stored = s
            .tickets()
            .with_clocks(&Tenant::Provider, &ticket.id)
            .await
            .unwrap()
            .unwrap();
        let kinds: Vec<&str> = stored.events.iter().map(|e| e.kind.as_str()).collect();
        let clocks: Vec<_> = stored
            .clocks
            .iter()
            .map(|c| (c.metric, c.state, c.elapsed_secs, c.paused_secs))
            .collect();
        states.push((kinds, clocks));
    }
    assert_eq!(states[0], states[1]);
    // Recorded in the canonical order: the client's message, then the pause.
    assert_eq!(states[0].0, vec!["opened", "client_replied", "paused"]);
}
