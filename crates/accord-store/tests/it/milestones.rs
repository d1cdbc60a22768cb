//! Milestone event logs (SPEC §6, §10): appended all-or-nothing and
//! idempotently, read back for the core's fold, and per tenant.

use accord_core::milestone::{MilestoneEvent, MilestoneState, evaluate};
use accord_store::{ClientId, Error, MilestonesAppended, NotificationTarget, Store, Tenant};
use jiff::Timestamp;

use accord_store::testing::milestone_contract;

use crate::harness::{TestDb, both};

fn now() -> Timestamp {
    "2026-03-02T12:00:00Z".parse().unwrap()
}

fn ev(line: &str) -> MilestoneEvent {
    MilestoneEvent::from_json_line(line).unwrap()
}

fn received(id: &str, at: &str) -> MilestoneEvent {
    ev(&format!(
        r#"{{"milestone":"go-live","kind":"deliverable_received","deliverable":"export","at":"{at}","id":"{id}"}}"#
    ))
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
            "m.contract.toml",
            &milestone_contract(contract_id),
            crate::t0(),
        )
        .await
        .unwrap();
    client
}

both!(appended_events_come_back_for_the_fold);
async fn appended_events_come_back_for_the_fold(db: &TestDb) {
    let s = &db.store;
    client(s, "Acme", "acme").await;
    let pause = ev(
        r#"{"milestone":"go-live","kind":"paused","reason":"pending_payment","at":"2026-02-23T09:00:00Z","note":"invoice 7 overdue"}"#,
    );
    let batch = [received("r1", "2026-02-18T10:00:00Z"), pause.clone()];
    let done = s
        .milestones()
        .append(&Tenant::Provider, "acme", &batch, now())
        .await
        .unwrap();
    assert_eq!(
        done,
        MilestonesAppended {
            appended: 2,
            duplicates: 0
        }
    );
    let stored = s
        .milestones()
        .events(&Tenant::Provider, "acme")
        .await
        .unwrap();
    assert_eq!(stored, batch);
    // Received 5 days late (14 to 18 February on an every-day calendar),
    // paused since 23 February: the fold reads both.
    let parsed = s
        .contracts()
        .parsed(&Tenant::Provider, "acme", 1)
        .await
        .unwrap()
        .unwrap();
    let out = evaluate(&parsed.contract, &stored, now()).unwrap();
    assert_eq!(out[0].state, MilestoneState::WaitingOnClient);
    assert_eq!(out[0].pauses[0].to, None);
    assert_eq!(out[0].deliverables[0].days_late, 5);
}

both!(events_sent_twice_are_stored_once_and_a_reused_id_refuses_the_batch);
async fn events_sent_twice_are_stored_once_and_a_reused_id_refuses_the_batch(db: &TestDb) {
    let s = &db.store;
    client(s, "Acme", "acme").await;
    let m = s.milestones();
    let first = received("r1", "2026-02-18T10:00:00Z");
    let no_id = ev(r#"{"milestone":"go-live","kind":"completed","at":"2026-02-27T16:00:00Z"}"#);
    m.append(
        &Tenant::Provider,
        "acme",
        std::slice::from_ref(&first),
        now(),
    )
    .await
    .unwrap();
    let again = m
        .append(
            &Tenant::Provider,
            "acme",
            &[first.clone(), no_id.clone(), no_id.clone()],
            now(),
        )
        .await
        .unwrap();
    assert_eq!(
        again,
        MilestonesAppended {
            appended: 1,
            duplicates: 2
        }
    );
    // The same id for another receipt: the whole batch is refused.
    let shift = ev(
        r#"{"milestone":"go-live","kind":"shifted","days":2,"reason":"agreed","at":"2026-02-20T10:00:00Z","id":"s1"}"#,
    );
    let err = m
        .append(
            &Tenant::Provider,
            "acme",
            &[shift, received("r1", "2026-02-19T10:00:00Z")],
            now(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::ConflictingEvent { ref id } if id == "r1"),
        "{err}"
    );
    assert_eq!(
        m.events(&Tenant::Provider, "acme").await.unwrap(),
        vec![first, no_id]
    );
}

both!(events_the_contract_does_not_allow_write_nothing);
async fn events_the_contract_does_not_allow_write_nothing(db: &TestDb) {
    let s = &db.store;
    client(s, "Acme", "acme").await;
    let m = s.milestones();
    let unknown = ev(
        r#"{"milestone":"go-live","kind":"deliverable_received","deliverable":"schema","at":"2026-02-18T10:00:00Z"}"#,
    );
    let err = m
        .append(
            &Tenant::Provider,
            "acme",
            &[received("r1", "2026-02-18T10:00:00Z"), unknown],
            now(),
        )
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("has no deliverable `schema`"),
        "{err}"
    );
    let bad_reason = ev(
        r#"{"milestone":"go-live","kind":"paused","reason":"holiday","at":"2026-02-18T10:00:00Z"}"#,
    );
    let err = m
        .append(&Tenant::Provider, "acme", &[bad_reason], now())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Milestones(_)), "{err}");
    let future = received("r2", "2026-03-03T10:00:00Z");
    let err = m
        .append(&Tenant::Provider, "acme", &[future], now())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("in the future"), "{err}");
    assert!(
        m.events(&Tenant::Provider, "acme")
            .await
            .unwrap()
            .is_empty()
    );
}

both!(another_clients_contract_is_not_found);
async fn another_clients_contract_is_not_found(db: &TestDb) {
    let s = &db.store;
    let acme = client(s, "Acme", "acme").await;
    let globex = client(s, "Globex", "globex").await;
    let m = s.milestones();
    let batch = [received("r1", "2026-02-18T10:00:00Z")];
    m.append(&Tenant::Provider, "globex", &batch, now())
        .await
        .unwrap();
    let as_acme = Tenant::Client(acme);
    assert!(matches!(
        m.events(&as_acme, "globex").await,
        Err(Error::NotFound)
    ));
    assert!(matches!(
        m.append(&as_acme, "globex", &batch, now()).await,
        Err(Error::NotFound)
    ));
    assert!(matches!(
        m.events(&Tenant::Provider, "initech").await,
        Err(Error::NotFound)
    ));
    assert!(m.events(&as_acme, "acme").await.unwrap().is_empty());
    let as_globex = Tenant::Client(globex);
    assert_eq!(m.events(&as_globex, "globex").await.unwrap(), batch);
}

/// The outbox's notifications due at `t`, as (topic, address) sorted.
async fn sent(s: &Store, t: &str) -> Vec<(String, String)> {
    let t: Timestamp = t.parse().unwrap();
    let lease = t + jiff::SignedDuration::from_mins(1);
    let mut out: Vec<(String, String)> = s
        .outbox()
        .claim(t, lease, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|n| {
            let to = match n.target {
                NotificationTarget::Email { address, .. } => address,
                NotificationTarget::Webhook { url, .. } => url,
            };
            (n.topic, to)
        })
        .collect();
    out.sort();
    out
}

both!(each_milestone_change_is_notified_once_to_whom_it_concerns);
async fn each_milestone_change_is_notified_once_to_whom_it_concerns(db: &TestDb) {
    let s = &db.store;
    client(s, "Acme", "acme").await;
    // 2 March: go-live's export (due 13 February) is overdue; the pause
    // makes handover wait. The write schedules the contract's job now.
    let pause = ev(
        r#"{"milestone":"handover","kind":"paused","reason":"pending_payment","at":"2026-02-27T09:00:00Z","id":"p1"}"#,
    );
    s.milestones()
        .append(&Tenant::Provider, "acme", &[pause], now())
        .await
        .unwrap();
    let fired = s.schedule().claim_due(now(), 10).await.unwrap();
    assert_eq!(fired.jobs, 1);
    // The owner hears of the export; the provider (no provider contacts in
    // this contract) of nothing, but both adjusted dates have moved: the
    // notices are recorded all the same.
    assert_eq!(
        sent(s, "2026-03-02T12:00:00Z").await,
        vec![(
            "milestone.deliverable_overdue".to_string(),
            "mia@client.example".to_string()
        )]
    );
    assert_eq!(fired.milestone_notices, 3);
    // Claimed again at once: nothing new to say.
    let again = s.schedule().claim_due(now(), 10).await.unwrap();
    assert_eq!(again.milestone_notices, 0);
    // The job waits for the next change: tomorrow's midnight, when the
    // growing delays move the dates again.
    let next = s.schedule().next_due_at().await.unwrap().unwrap();
    assert_eq!(next, "2026-03-03T00:00:00Z".parse::<Timestamp>().unwrap());
    let later = s.schedule().claim_due(next, 10).await.unwrap();
    // The dates moved again, but by delays still growing: told at most
    // once a week, and this is still the week of 2 March.
    assert_eq!(later.jobs, 1);
    assert_eq!(later.milestone_notices, 0);
    // The outbox holds still just the one message (due again: its first
    // attempt was never recorded).
    assert_eq!(
        sent(s, "2026-03-03T00:00:00Z").await,
        vec![(
            "milestone.deliverable_overdue".to_string(),
            "mia@client.example".to_string()
        )]
    );
}

both!(a_growing_delay_is_told_once_a_week_and_again_when_it_settles);
async fn a_growing_delay_is_told_once_a_week_and_again_when_it_settles(db: &TestDb) {
    let s = &db.store;
    // Stored on 1 February, with no event ever posted: storing it is
    // enough for its deliverables to be watched.
    let stored: Timestamp = "2026-02-01T00:00:00Z".parse().unwrap();
    let acme = s.accounts().create_client("Acme", stored).await.unwrap();
    s.contracts()
        .put_version(
            &acme,
            "m.contract.toml",
            &milestone_contract("acme"),
            stored,
        )
        .await
        .unwrap();
    // From 14 February go-live's export is overdue and its delay grows
    // every day. Run the contract's job at every instant it asks for,
    // through 31 March, and count the shift notices.
    let until: Timestamp = "2026-03-31T12:00:00Z".parse().unwrap();
    let mut at = stored;
    let mut runs = 0;
    let mut notices = 0;
    while at <= until {
        let fired = s.schedule().claim_due(at, 10).await.unwrap();
        runs += fired.jobs;
        notices += fired.milestone_notices;
        at = s.schedule().next_due_at().await.unwrap().unwrap();
    }
    // The job ran every day, but go-live's move was told once for each ISO
    // week from 14 February (W07) to 30 March (W14): eight, plus the
    // export's own overdue notice once.
    assert!(runs >= 45, "the job runs daily: {runs}");
    assert_eq!(notices, 8 + 1);
    // The export arrives on 31 March: the date settles, told once.
    s.milestones()
        .append(
            &Tenant::Provider,
            "acme",
            &[received("r1", "2026-03-31T10:00:00Z")],
            until,
        )
        .await
        .unwrap();
    let settled = s.schedule().claim_due(until, 10).await.unwrap();
    assert_eq!(settled.milestone_notices, 1);
    let again = s.schedule().claim_due(until, 10).await.unwrap();
    assert_eq!(again.milestone_notices, 0);
}
