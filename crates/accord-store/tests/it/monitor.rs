//! Scheduled crossings fire exactly once, even with two claimers.

use std::collections::BTreeSet;

use accord_core::clock::EventKind;
use accord_store::{FiredCrossing, NewTicket, Store, Tenant};
use rust_decimal::Decimal;

use crate::harness::{TestDb, both};
use crate::{at, client_with_contract, event, open, opened};

async fn drain(store: Store, minutes: i64) -> Vec<FiredCrossing> {
    let mut fired = Vec::new();
    loop {
        let batch = store
            .schedule()
            .claim_due(at(minutes), 3)
            .await
            .unwrap()
            .crossings;
        if batch.is_empty() {
            return fired;
        }
        fired.extend(batch);
        tokio::task::yield_now().await;
    }
}

both!(crossings_fire_once_and_are_rescheduled);
async fn crossings_fire_once_and_are_rescheduled(db: &TestDb) {
    let s = &db.store;
    let acme = client_with_contract(s, "Acme", "acme").await;
    let t = open(s, &acme, "acme", "T-1", "critical", 0).await;
    // Nothing due before 30 minutes (50 % of the 1 h first response).
    assert!(
        s.schedule()
            .claim_due(at(29), 10)
            .await
            .unwrap()
            .crossings
            .is_empty()
    );
    let fired = s.schedule().claim_due(at(30), 10).await.unwrap().crossings;
    assert_eq!(fired.len(), 1);
    assert_eq!(fired[0].ticket, t.id);
    assert_eq!(fired[0].metric.as_str(), "first_response");
    assert_eq!(fired[0].share, Decimal::new(5, 1));
    assert_eq!(
        (fired[0].threshold_secs, fired[0].crossed_at),
        (1800, at(30))
    );
    assert!(
        s.schedule()
            .claim_due(at(30), 10)
            .await
            .unwrap()
            .crossings
            .is_empty()
    );
    let stored = s
        .tickets()
        .with_clocks(&Tenant::Provider, &t.id)
        .await
        .unwrap()
        .unwrap();
    let first = &stored.clocks[0];
    assert_eq!(first.next_crossing, Some((Decimal::new(75, 2), at(45))));

    // A reply stops first response: its 75 % never fires.
    s.tickets()
        .append(
            &Tenant::Provider,
            &t.id,
            &[event("T-1", EventKind::Replied, 40, None)],
            at(40),
        )
        .await
        .unwrap();
    let later = s.schedule().claim_due(at(130), 10).await.unwrap().crossings;
    let got: Vec<_> = later
        .iter()
        .map(|f| (f.metric.as_str(), f.share.to_string()))
        .collect();
    // Resolution (4 h): 50 % at 120 min.
    assert_eq!(got, [("resolution", "0.5".to_string())]);
}

both!(two_claimers_fire_each_crossing_exactly_once);
async fn two_claimers_fire_each_crossing_exactly_once(db: &TestDb) {
    let s = &db.store;
    let acme = client_with_contract(s, "Acme", "acme").await;
    let n = 12;
    for i in 0..n {
        open(s, &acme, "acme", &format!("T-{i}"), "critical", 0).await;
    }
    // A second pool on the same database: another server process.
    let other = Store::open(&db.url).await.unwrap();
    // At 2 h: first response 50/75/90/100 % and resolution 50 % are due.
    let (a, b) = tokio::join!(
        tokio::spawn(drain(s.clone(), 120)),
        tokio::spawn(drain(other.clone(), 120))
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    let all: Vec<_> = a.iter().chain(&b).collect();
    let unique: BTreeSet<_> = all
        .iter()
        .map(|f| (f.ticket.clone(), f.metric, f.cycle, f.share.to_string()))
        .collect();
    assert_eq!(all.len(), unique.len(), "a crossing fired twice");
    assert_eq!(all.len(), n * 5);
    assert!(
        other
            .schedule()
            .claim_due(at(120), 100)
            .await
            .unwrap()
            .crossings
            .is_empty()
    );
    other.close().await;
}

both!(an_upgrade_past_its_thresholds_fires_them_once_when_it_is_recorded);
async fn an_upgrade_past_its_thresholds_fires_them_once_when_it_is_recorded(db: &TestDb) {
    let s = &db.store;
    let acme = client_with_contract(s, "Acme", "acme").await;
    let t = open(s, &acme, "acme", "T-1", "normal", 0).await;
    // 150 minutes in, normal's 8 h first response is at 31 %; critical's
    // 1 h target was passed at 60 minutes, its warnings at 30, 45 and 54.
    let upgrade = event(
        "T-1",
        EventKind::PriorityChanged {
            priority: "critical".into(),
        },
        150,
        Some("up"),
    );
    let done = s
        .tickets()
        .append(&Tenant::Provider, &t.id, &[upgrade], at(150))
        .await
        .unwrap();
    let first_response = |f: &&FiredCrossing| f.metric.as_str() == "first_response";
    let got: Vec<_> = done
        .fired
        .iter()
        .filter(first_response)
        .map(|f| (f.share, f.crossed_at))
        .collect();
    assert_eq!(
        got,
        vec![
            (Decimal::new(5, 1), at(30)),
            (Decimal::new(75, 2), at(45)),
            (Decimal::new(9, 1), at(54)),
            (Decimal::ONE, at(60)),
        ]
    );
    // Critical's 4 h resolution was half used at 120 minutes.
    let resolution: Vec<_> = done
        .fired
        .iter()
        .filter(|f| f.metric.as_str() == "resolution")
        .map(|f| (f.share, f.crossed_at))
        .collect();
    assert_eq!(resolution, vec![(Decimal::new(5, 1), at(120))]);
    // Fired once: the scheduler does not fire them again, then or later.
    assert!(drain(s.clone(), 150).await.is_empty());
    let later = drain(s.clone(), 180).await;
    assert_eq!(
        later
            .iter()
            .map(|f| (f.metric.as_str(), f.share))
            .collect::<Vec<_>>(),
        vec![("resolution", Decimal::new(75, 2))]
    );
    let records = s
        .tickets()
        .crossings(&Tenant::Provider, &t.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(records.len(), 6);
}

both!(an_import_of_old_history_does_not_notify_about_its_past);
async fn an_import_of_old_history_does_not_notify_about_its_past(db: &TestDb) {
    let s = &db.store;
    let acme = client_with_contract(s, "Acme", "acme").await;
    // The same events as an upgrade past its thresholds, recorded a day later.
    let recorded = at(24 * 60);
    let new = NewTicket {
        client: acme.clone(),
        contract_id: "acme".into(),
        opened: opened("T-1", "normal", 0),
    };
    let t = s
        .tickets()
        .open(&Tenant::Provider, new, recorded)
        .await
        .unwrap();
    let upgrade = event(
        "T-1",
        EventKind::PriorityChanged {
            priority: "critical".into(),
        },
        150,
        Some("up"),
    );
    let done = s
        .tickets()
        .append(&Tenant::Provider, &t.id, &[upgrade], recorded)
        .await
        .unwrap();
    assert!(done.fired.is_empty(), "{:?}", done.fired);
    assert!(drain(s.clone(), 24 * 60).await.is_empty());
    let records = s
        .tickets()
        .crossings(&Tenant::Provider, &t.id)
        .await
        .unwrap()
        .unwrap();
    assert!(records.is_empty());
}
