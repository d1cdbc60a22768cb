//! Compliance statements (SPEC §7): drafts computed by the core's fold from
//! the stored events, the reporting month's end drafting each month once,
//! issued statements frozen and announced, and per tenant.

use std::collections::BTreeSet;

use accord_core::clock::EventKind;
use accord_core::compliance::{ReportPeriod, statement_json, statements};
use accord_store::testing::statement_contract;
use accord_store::{
    ClientId, Error, IssuedStatement, NotificationTarget, StatementFormat, StatementStatus, Store,
    Tenant,
};
use jiff::Timestamp;

use crate::harness::{TestDb, both};
use crate::{event, open};

fn march() -> ReportPeriod {
    "2026-03".parse().unwrap()
}

fn april_1() -> Timestamp {
    "2026-04-01T00:00:00Z".parse().unwrap()
}

async fn client(store: &Store, name: &str, contract_id: &str) -> ClientId {
    let client = store
        .accounts()
        .create_client(name, crate::t0())
        .await
        .unwrap();
    store
        .contracts()
        .put_version(
            &client,
            "s.contract.toml",
            &statement_contract(contract_id),
            crate::t0(),
        )
        .await
        .unwrap();
    client
}

/// Two critical tickets in March: T-1 answered in 30 minutes (met), T-2 in
/// two hours (missed): half the first responses met against 90 %.
async fn march_tickets(s: &Store, client: &ClientId, contract_id: &str) {
    for (key, reply_after) in [("T-1", 30), ("T-2", 120)] {
        let t = open(s, client, contract_id, key, "critical", 0).await;
        s.tickets()
            .append(
                &Tenant::Provider,
                &t.id,
                &[event(key, EventKind::Replied, reply_after, None)],
                crate::at(reply_after),
            )
            .await
            .unwrap();
    }
}

both!(a_draft_is_the_statement_the_core_computes_from_the_stored_events);
async fn a_draft_is_the_statement_the_core_computes_from_the_stored_events(db: &TestDb) {
    let s = &db.store;
    let acme = client(s, "Acme", "acme").await;
    march_tickets(s, &acme, "acme").await;
    let draft = s
        .statements()
        .compute(&Tenant::Provider, "acme", march(), april_1())
        .await
        .unwrap();
    assert_eq!(draft.status, StatementStatus::Draft);
    assert_eq!((draft.period.as_str(), draft.version), ("2026-03", 1));
    let json: serde_json::Value = serde_json::from_str(&draft.json).unwrap();
    let objective = &json["objectives"][0];
    assert_eq!(objective["measured"], 2);
    assert_eq!(objective["met"], 1);
    assert_eq!(objective["status"], "missed");
    assert_eq!(json["credits"]["total"], "100.00");
    assert_eq!(json["breaches"][0]["ticket"], "T-2");
    // The same text the CLI writes for the same events.
    let parsed = s
        .contracts()
        .parsed(&Tenant::Provider, "acme", 1)
        .await
        .unwrap()
        .unwrap();
    let mut events = Vec::new();
    for t in s
        .tickets()
        .list(&Tenant::Provider, &Default::default(), None, 10)
        .await
        .unwrap()
    {
        let with = s
            .tickets()
            .with_clocks(&Tenant::Provider, &t.id)
            .await
            .unwrap();
        events.extend(with.unwrap().events);
    }
    let mut offline = statements(&parsed.contract, &events, &[march()], BTreeSet::new()).unwrap();
    offline[0]
        .add_sections(&parsed.contract, Some(&[]), None)
        .unwrap();
    let mut text = String::new();
    statement_json(&mut text, &parsed.contract, &offline[0]);
    assert_eq!(draft.json, text);
}

both!(a_draft_of_a_month_in_progress_counts_only_what_is_decided_by_now);
async fn a_draft_of_a_month_in_progress_counts_only_what_is_decided_by_now(db: &TestDb) {
    let s = &db.store;
    let acme = client(s, "Acme", "acme").await;
    // T-1 opened, not answered: at +30 minutes its first response is still
    // live, so nothing is measured yet (evaluated at the month's end it
    // would already be a breach).
    open(s, &acme, "acme", "T-1", "critical", 0).await;
    let draft = s
        .statements()
        .compute(&Tenant::Provider, "acme", march(), crate::at(30))
        .await
        .unwrap();
    let json: serde_json::Value = serde_json::from_str(&draft.json).unwrap();
    assert_eq!(json["objectives"][0]["measured"], 0);
    assert_eq!(json["objectives"][0]["status"], "no_data");
    assert_eq!(draft.as_of, crate::at(30));
}

both!(the_end_of_a_reporting_month_drafts_its_statement_once_and_waits_for_the_next);
async fn the_end_of_a_reporting_month_drafts_its_statement_once_and_waits_for_the_next(
    db: &TestDb,
) {
    let s = &db.store;
    client(s, "Acme", "acme").await;
    // Stored on 2 March: the job waits for March's end.
    assert_eq!(s.schedule().next_due_at().await.unwrap(), Some(april_1()));
    assert!(
        s.schedule()
            .claim_due(crate::t0(), 10)
            .await
            .unwrap()
            .is_empty()
    );
    let fired = s.schedule().claim_due(april_1(), 10).await.unwrap();
    assert_eq!(fired.statements, 1);
    let list = s
        .statements()
        .list(&Tenant::Provider, "acme")
        .await
        .unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].period, "2026-03");
    assert_eq!(list[0].as_of, april_1());
    // Claimed again at the same instant: nothing; the next is April's end.
    let again = s.schedule().claim_due(april_1(), 10).await.unwrap();
    assert_eq!(again.statements, 0);
    let may_1: Timestamp = "2026-05-01T00:00:00Z".parse().unwrap();
    assert_eq!(s.schedule().next_due_at().await.unwrap(), Some(may_1));
}

fn frozen(json: &str) -> IssuedStatement {
    IssuedStatement {
        version: 1,
        json: json.to_string(),
        sha256: "ab".repeat(32),
        html: "<p>statement</p>".into(),
        pdf: b"%PDF-1.7 statement".to_vec(),
        as_of: april_1(),
    }
}

both!(an_issued_statement_is_frozen_announced_to_the_client_and_never_changes);
async fn an_issued_statement_is_frozen_announced_to_the_client_and_never_changes(db: &TestDb) {
    let s = &db.store;
    let acme = client(s, "Acme", "acme").await;
    march_tickets(s, &acme, "acme").await;
    let st = s.statements();
    let draft = st
        .compute(&Tenant::Provider, "acme", march(), april_1())
        .await
        .unwrap();
    assert!(
        st.document(&Tenant::Provider, &draft.id, StatementFormat::Pdf)
            .await
            .unwrap()
            .is_none(),
        "a draft has no frozen documents"
    );
    let issued = st
        .issue(
            &Tenant::Provider,
            &draft.id,
            &frozen(&draft.json),
            "admin@provider.example",
            april_1(),
        )
        .await
        .unwrap();
    assert_eq!(issued.status, StatementStatus::Issued);
    assert_eq!(issued.sha256.as_deref(), Some("ab".repeat(32).as_str()));
    let (sha, pdf) = st
        .document(&Tenant::Provider, &draft.id, StatementFormat::Pdf)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (sha, pdf),
        ("ab".repeat(32), b"%PDF-1.7 statement".to_vec())
    );
    // Issued twice: refused. Recomputed after a late event: unchanged.
    let err = st
        .issue(
            &Tenant::Provider,
            &draft.id,
            &frozen("{}"),
            "admin@provider.example",
            april_1(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err:?}");
    let t3 = open(s, &acme, "acme", "T-3", "critical", 10).await;
    assert!(!t3.key.is_empty());
    let again = st
        .compute(&Tenant::Provider, "acme", march(), april_1())
        .await
        .unwrap();
    assert_eq!(again, issued);
    // The client's contacts hear of it, once.
    let lease = april_1() + jiff::SignedDuration::from_mins(1);
    let sent: Vec<(String, String)> = s
        .outbox()
        .claim(april_1(), lease, 100)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|n| match n.target {
            NotificationTarget::Email { address, .. } => Some((n.topic, address)),
            NotificationTarget::Webhook { .. } => None,
        })
        .collect();
    assert_eq!(
        sent,
        vec![(
            "statement.issued".to_string(),
            "ann@client.example".to_string()
        )]
    );
}

both!(a_client_sees_only_its_own_statements);
async fn a_client_sees_only_its_own_statements(db: &TestDb) {
    let s = &db.store;
    let acme = client(s, "Acme", "acme").await;
    let globex = client(s, "Globex", "globex").await;
    let st = s.statements();
    let draft = st
        .compute(&Tenant::Provider, "acme", march(), april_1())
        .await
        .unwrap();
    let as_globex = Tenant::Client(globex);
    assert!(st.list(&as_globex, "acme").await.unwrap().is_empty());
    assert!(st.get(&as_globex, &draft.id).await.unwrap().is_none());
    let err = st
        .compute(&as_globex, "acme", march(), april_1())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound), "{err:?}");
    let err = st
        .issue(&as_globex, &draft.id, &frozen("{}"), "x", april_1())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound), "{err:?}");
    let as_acme = Tenant::Client(acme);
    assert_eq!(st.get(&as_acme, &draft.id).await.unwrap(), Some(draft));
}
