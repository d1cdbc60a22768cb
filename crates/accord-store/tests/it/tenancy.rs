//! A client tenant sees its own rows and nothing else (SPEC §9).

use accord_core::clock::EventKind;
use accord_store::{Error, NewTicket, Tenant};

use crate::harness::{TestDb, both};
use crate::{at, client_with_contract, event, open, opened};

both!(a_client_sees_only_its_own_tickets);
async fn a_client_sees_only_its_own_tickets(db: &TestDb) {
    let s = &db.store;
    let acme = client_with_contract(s, "Acme", "acme").await;
    let globex = client_with_contract(s, "Globex", "globex").await;
    let a1 = open(s, &acme, "acme", "T-1", "critical", 0).await;
    // Keys are unique across the installation.
    let g1 = open(s, &globex, "globex", "G-1", "critical", 10).await;
    let g2 = open(s, &globex, "globex", "G-2", "normal", 20).await;
    let as_acme = Tenant::Client(acme.clone());

    // Reads: another client's ticket does not exist for this tenant.
    assert!(
        s.tickets()
            .with_clocks(&as_acme, &a1.id)
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        s.tickets().with_clocks(&as_acme, &g1.id).await.unwrap(),
        None
    );
    assert_eq!(
        s.tickets().by_key(&as_acme, &globex, "G-1").await.unwrap(),
        None
    );
    assert_eq!(
        s.tickets()
            .by_key(&as_acme, &acme, "T-1")
            .await
            .unwrap()
            .map(|t| t.id),
        Some(a1.id.clone())
    );
    assert!(
        s.contracts()
            .versions(&as_acme, "globex")
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        s.contracts()
            .versions(&as_acme, "acme")
            .await
            .unwrap()
            .len(),
        1
    );
    let orgs = s.accounts().organisations(&as_acme).await.unwrap();
    assert_eq!(
        orgs.iter().map(|o| o.name.as_str()).collect::<Vec<_>>(),
        ["Acme"]
    );

    // Lists: only its own.
    let mine = s.tickets().at_risk(&as_acme, i64::MAX, 100).await.unwrap();
    assert_eq!(
        mine.iter().map(|r| &r.ticket.id).collect::<Vec<_>>(),
        [&a1.id]
    );
    let all = s
        .tickets()
        .at_risk(&Tenant::Provider, i64::MAX, 100)
        .await
        .unwrap();
    assert_eq!(all.len(), 3);

    // Writes: another client's ticket is not found, and is unchanged.
    let err = s
        .tickets()
        .append(
            &as_acme,
            &g1.id,
            &[event("T-1", EventKind::Replied, 30, None)],
            at(40),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound), "{err:?}");
    let g1_now = s
        .tickets()
        .with_clocks(&Tenant::Provider, &g1.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(g1_now.events.len(), 1);
    let new = NewTicket {
        client: globex.clone(),
        contract_id: "globex".into(),
        opened: opened("T-9", "normal", 30),
    };
    assert!(matches!(
        s.tickets().open(&as_acme, new, at(30)).await,
        Err(Error::NotFound)
    ));
    // Nor can it open a ticket for itself under another client's contract.
    let new = NewTicket {
        client: acme.clone(),
        contract_id: "globex".into(),
        opened: opened("T-9", "normal", 30),
    };
    let err = s.tickets().open(&as_acme, new, at(30)).await.unwrap_err();
    assert!(matches!(err, Error::NoContractInForce { .. }), "{err:?}");
    let _ = g2;
}

both!(at_risk_lists_open_tickets_by_remaining_time);
async fn at_risk_lists_open_tickets_by_remaining_time(db: &TestDb) {
    let s = &db.store;
    let acme = client_with_contract(s, "Acme", "acme").await;
    // Critical: first response 1 h. Opened 50, 20 and 40 minutes before `now`.
    let now = 60;
    let t1 = open(s, &acme, "acme", "T-1", "critical", now - 50).await;
    let t2 = open(s, &acme, "acme", "T-2", "critical", now - 20).await;
    let t3 = open(s, &acme, "acme", "T-3", "critical", now - 40).await;
    let t4 = open(s, &acme, "acme", "T-4", "critical", 0).await;
    for t in [&t1, &t2, &t3] {
        s.tickets()
            .append(
                &Tenant::Provider,
                &t.id,
                &[event(&t.key, EventKind::ClientReplied, now, None)],
                at(now),
            )
            .await
            .unwrap();
    }
    // T-4 is resolved: not open, not at risk.
    s.tickets()
        .append(
            &Tenant::Provider,
            &t4.id,
            &[event("T-4", EventKind::Resolved, 5, None)],
            at(now),
        )
        .await
        .unwrap();
    let risky = s
        .tickets()
        .at_risk(&Tenant::Provider, 45 * 60, 10)
        .await
        .unwrap();
    let keys: Vec<_> = risky
        .iter()
        .map(|r| (r.ticket.key.as_str(), r.remaining_secs))
        .collect();
    assert_eq!(keys, [("T-1", 10 * 60), ("T-3", 20 * 60), ("T-2", 40 * 60)]);
    let top = s
        .tickets()
        .at_risk(&Tenant::Provider, 45 * 60, 2)
        .await
        .unwrap();
    assert_eq!(top.len(), 2);
    let tight = s
        .tickets()
        .at_risk(&Tenant::Provider, 15 * 60, 10)
        .await
        .unwrap();
    assert_eq!(tight.len(), 1);
}

both!(ticket_lists_filter_page_and_respect_the_tenant);
async fn ticket_lists_filter_page_and_respect_the_tenant(db: &TestDb) {
    use accord_core::clock::TicketStatus;
    use accord_store::TicketFilter;

    let s = &db.store;
    let acme = client_with_contract(s, "Acme", "acme").await;
    let globex = client_with_contract(s, "Globex", "globex").await;
    let mut acme_ids = Vec::new();
    for i in 0..5 {
        let priority = if i % 2 == 0 { "critical" } else { "normal" };
        acme_ids.push(
            open(s, &acme, "acme", &format!("A-{i}"), priority, i)
                .await
                .id,
        );
    }
    let g = open(s, &globex, "globex", "G-1", "normal", 0).await;
    s.tickets()
        .append(
            &Tenant::Provider,
            &acme_ids[4],
            &[event("A-4", EventKind::Resolved, 10, None)],
            at(10),
        )
        .await
        .unwrap();

    let all = TicketFilter::default();
    // Pages of two, by cursor.
    let as_acme = Tenant::Client(acme.clone());
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = s
            .tickets()
            .list(&as_acme, &all, after.as_ref(), 2)
            .await
            .unwrap();
        if page.is_empty() {
            break;
        }
        after = page.last().map(|t| t.id.clone());
        seen.extend(page.into_iter().map(|t| t.id));
    }
    // By id: UUIDv7, so creation order to the millisecond.
    acme_ids.sort();
    assert_eq!(seen, acme_ids);
    // A client asking for another client's tickets gets none.
    let theirs = TicketFilter {
        client: Some(globex.clone()),
        ..TicketFilter::default()
    };
    assert!(
        s.tickets()
            .list(&as_acme, &theirs, None, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let provider_view = s
        .tickets()
        .list(&Tenant::Provider, &theirs, None, 10)
        .await
        .unwrap();
    assert_eq!(
        provider_view.iter().map(|t| &t.id).collect::<Vec<_>>(),
        [&g.id]
    );
    assert_eq!(
        s.tickets()
            .list(&Tenant::Provider, &all, None, 100)
            .await
            .unwrap()
            .len(),
        6
    );

    let open_critical = TicketFilter {
        status: Some(TicketStatus::Open),
        priority: Some("critical".into()),
        ..TicketFilter::default()
    };
    let mut keys: Vec<_> = s
        .tickets()
        .list(&as_acme, &open_critical, None, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.key)
        .collect();
    keys.sort();
    assert_eq!(keys, ["A-0", "A-2"]);
}
