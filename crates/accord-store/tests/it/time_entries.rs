//! Time entries (SPEC §8, §10): stored as the core reads them, frozen once
//! approved or locked, corrected by a replacing entry, timers that become
//! drafts, locked and accepted periods — per tenant, on both backends.

use accord_core::time::TimeEntry;
use accord_store::{
    Actor, ClientId, EntryFilter, EntryStatus, Error, Store, Tenant, TimeEntryId, Timer,
};
use jiff::Timestamp;

use crate::harness::{TestDb, both};

fn now() -> Timestamp {
    "2026-04-02T12:00:00Z".parse().unwrap()
}

fn entry(id: &str, start: &str, minutes: u32) -> TimeEntry {
    TimeEntry::from_json_line(&format!(
        r#"{{"id":"{id}","person":"sam@provider.example","start":"{start}","minutes":{minutes},"activity":"development","ticket":"T-1"}}"#
    ))
    .unwrap()
}

const ADMIN: &str = "admin@provider.example";

fn staff() -> Actor<'static> {
    Actor {
        tenant: &Tenant::Provider,
        email: ADMIN,
    }
}

async fn setup(store: &Store) -> ClientId {
    crate::client_with_contract(store, "Acme", "acme").await
}

both!(entries_come_back_as_the_core_reads_them_by_period_and_person);
async fn entries_come_back_as_the_core_reads_them_by_period_and_person(db: &TestDb) {
    let s = &db.store;
    setup(s).await;
    let march = entry("E-1", "2026-03-31T23:30:00+00:00", 70);
    let april = entry("E-2", "2026-04-01T09:00:00+02:00", 45);
    let written = s
        .time_entries()
        .create(
            staff(),
            "acme",
            &[march.clone(), april.clone()],
            "created",
            false,
            now(),
        )
        .await
        .unwrap();
    assert_eq!(written.len(), 2);
    let got = s
        .time_entries()
        .get(&Tenant::Provider, &written[0].id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got.entry, march);
    assert_eq!(got.status, EntryStatus::Draft);
    // The work date is read in the reporting zone (UTC here).
    assert_eq!(got.period, "2026-03");
    assert_eq!(got.work_date.to_string(), "2026-03-31");

    let t = s.time_entries();
    let by_period = |p: &str| EntryFilter {
        period: Some(p.to_string()),
        ..EntryFilter::default()
    };
    let listed = t
        .list(&Tenant::Provider, "acme", &by_period("2026-04"))
        .await
        .unwrap();
    assert_eq!(
        listed.iter().map(|e| e.entry.clone()).collect::<Vec<_>>(),
        [april]
    );
    let nobody = EntryFilter {
        person: Some("kim@provider.example".into()),
        ..EntryFilter::default()
    };
    assert!(
        t.list(&Tenant::Provider, "acme", &nobody)
            .await
            .unwrap()
            .is_empty()
    );
    let all = t
        .list(&Tenant::Provider, "acme", &EntryFilter::default())
        .await
        .unwrap();
    assert_eq!(all.len(), 2);

    let history = t.history(&Tenant::Provider, &written[0].id).await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(
        (history[0].from, history[0].to),
        (None, Some(EntryStatus::Draft))
    );
    assert_eq!(history[0].by, ADMIN);
}

both!(an_entry_id_is_unique_within_its_contract_and_a_batch_is_all_or_nothing);
async fn an_entry_id_is_unique_within_its_contract_and_a_batch_is_all_or_nothing(db: &TestDb) {
    let s = &db.store;
    setup(s).await;
    let t = s.time_entries();
    t.create(
        staff(),
        "acme",
        &[entry("E-1", "2026-03-02T09:00:00Z", 30)],
        "created",
        false,
        now(),
    )
    .await
    .unwrap();
    let batch = [
        entry("E-2", "2026-03-03T09:00:00Z", 30),
        entry("E-1", "2026-03-04T09:00:00Z", 30),
    ];
    let err = t
        .create(staff(), "acme", &batch, "imported", false, now())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Conflict(what) if what.contains("E-1")),
        "{err}"
    );
    let all = t
        .list(&Tenant::Provider, "acme", &EntryFilter::default())
        .await
        .unwrap();
    assert_eq!(all.len(), 1, "nothing of the refused batch is written");

    // A dry run checks and keeps nothing.
    let dry = t
        .create(staff(), "acme", &batch[..1], "imported", true, now())
        .await
        .unwrap();
    assert_eq!(dry.len(), 1);
    let all = t
        .list(&Tenant::Provider, "acme", &EntryFilter::default())
        .await
        .unwrap();
    assert_eq!(all.len(), 1);
}

both!(an_approved_entry_is_frozen_and_its_every_status_change_is_audited);
async fn an_approved_entry_is_frozen_and_its_every_status_change_is_audited(db: &TestDb) {
    let s = &db.store;
    setup(s).await;
    let t = s.time_entries();
    let e = t
        .create(
            staff(),
            "acme",
            &[entry("E-1", "2026-03-02T09:00:00Z", 30)],
            "created",
            false,
            now(),
        )
        .await
        .unwrap()
        .remove(0);
    // Approving a draft skips a step: refused.
    let err = t
        .transition(
            staff(),
            &e.id,
            &[EntryStatus::Submitted],
            EntryStatus::Approved,
            None,
            now(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::EntryState { .. }), "{err}");
    t.transition(
        staff(),
        &e.id,
        &[EntryStatus::Draft],
        EntryStatus::Submitted,
        None,
        now(),
    )
    .await
    .unwrap();
    let approved = t
        .transition(
            staff(),
            &e.id,
            &[EntryStatus::Submitted],
            EntryStatus::Approved,
            None,
            now(),
        )
        .await
        .unwrap();
    assert_eq!(approved.status, EntryStatus::Approved);

    let changed = entry("E-1", "2026-03-02T09:00:00Z", 90);
    let err = t.update(staff(), &e.id, &changed, now()).await.unwrap_err();
    assert!(
        matches!(&err, Error::EntryState { entry, detail } if entry == "E-1" && detail.contains("approved")),
        "{err}"
    );
    let err = t.delete(staff(), &e.id, now()).await.unwrap_err();
    assert!(matches!(err, Error::EntryState { .. }), "{err}");
    let still = t.get(&Tenant::Provider, &e.id).await.unwrap().unwrap();
    assert_eq!(still.entry.raw_s(), 1800);

    let steps: Vec<_> = t
        .history(&Tenant::Provider, &e.id)
        .await
        .unwrap()
        .into_iter()
        .map(|h| (h.from, h.to))
        .collect();
    use EntryStatus::*;
    assert_eq!(
        steps,
        [
            (None, Some(Draft)),
            (Some(Draft), Some(Submitted)),
            (Some(Submitted), Some(Approved))
        ]
    );
}

both!(a_draft_changes_and_a_submitted_one_goes_back_to_draft_when_changed);
async fn a_draft_changes_and_a_submitted_one_goes_back_to_draft_when_changed(db: &TestDb) {
    let s = &db.store;
    setup(s).await;
    let t = s.time_entries();
    let e = t
        .create(
            staff(),
            "acme",
            &[entry("E-1", "2026-03-02T09:00:00Z", 30)],
            "created",
            false,
            now(),
        )
        .await
        .unwrap()
        .remove(0);
    t.transition(
        staff(),
        &e.id,
        &[EntryStatus::Draft],
        EntryStatus::Submitted,
        None,
        now(),
    )
    .await
    .unwrap();
    let changed = t
        .update(
            staff(),
            &e.id,
            &entry("E-1", "2026-03-02T09:00:00Z", 45),
            now(),
        )
        .await
        .unwrap();
    assert_eq!(
        (changed.status, changed.entry.raw_s()),
        (EntryStatus::Draft, 2700)
    );
    let other_key = entry("E-9", "2026-03-02T09:00:00Z", 45);
    assert!(matches!(
        t.update(staff(), &e.id, &other_key, now()).await,
        Err(Error::Invalid(_))
    ));
    t.delete(staff(), &e.id, now()).await.unwrap();
    assert!(t.get(&Tenant::Provider, &e.id).await.unwrap().is_none());
    // The audit trail outlives the entry.
    let last = t
        .history(&Tenant::Provider, &e.id)
        .await
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!((last.from, last.to), (Some(EntryStatus::Draft), None));
}

both!(a_locked_period_takes_no_new_entry_or_change_but_a_correction_replaces_one);
async fn a_locked_period_takes_no_new_entry_or_change_but_a_correction_replaces_one(db: &TestDb) {
    let s = &db.store;
    setup(s).await;
    let t = s.time_entries();
    let e = t
        .create(
            staff(),
            "acme",
            &[entry("E-1", "2026-03-02T09:00:00Z", 30)],
            "created",
            false,
            now(),
        )
        .await
        .unwrap()
        .remove(0);
    let state = t.lock(staff(), "acme", "2026-03", now()).await.unwrap();
    assert_eq!(state.locked, Some((ADMIN.to_string(), now())));

    let err = t
        .update(
            staff(),
            &e.id,
            &entry("E-1", "2026-03-02T09:00:00Z", 60),
            now(),
        )
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("period 2026-03 of contract `acme` is locked") && text.contains(ADMIN),
        "{text}"
    );
    let err = t
        .create(
            staff(),
            "acme",
            &[entry("E-2", "2026-03-05T09:00:00Z", 30)],
            "created",
            false,
            now(),
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("is locked"), "{err}");
    // April is open.
    t.create(
        staff(),
        "acme",
        &[entry("E-3", "2026-04-01T09:00:00Z", 30)],
        "created",
        false,
        now(),
    )
    .await
    .unwrap();

    let fix = entry("E-1-fix", "2026-03-02T09:00:00Z", 60);
    let correction = t
        .correct(staff(), &e.id, &fix, "forgot the review", now())
        .await
        .unwrap();
    assert_eq!(correction.corrects.as_ref(), Some(&e.id));
    assert_eq!(
        correction.correction_reason.as_deref(),
        Some("forgot the review")
    );
    assert_eq!(correction.period, "2026-03");
    let original = t.get(&Tenant::Provider, &e.id).await.unwrap().unwrap();
    assert_eq!(original.corrected_by.as_ref(), Some(&correction.id));
    assert_eq!(
        original.entry.raw_s(),
        1800,
        "the original is kept as it was"
    );
    // One correction per entry.
    let again = entry("E-1-fix2", "2026-03-02T09:00:00Z", 50);
    assert!(matches!(
        t.correct(staff(), &e.id, &again, "again", now()).await,
        Err(Error::EntryState { .. })
    ));

    // Unlocked, the period takes entries again.
    t.unlock(staff(), "acme", "2026-03", now()).await.unwrap();
    t.create(
        staff(),
        "acme",
        &[entry("E-2", "2026-03-05T09:00:00Z", 30)],
        "created",
        false,
        now(),
    )
    .await
    .unwrap();
}

both!(an_entry_in_an_open_period_is_changed_not_corrected);
async fn an_entry_in_an_open_period_is_changed_not_corrected(db: &TestDb) {
    let s = &db.store;
    setup(s).await;
    let t = s.time_entries();
    let e = t
        .create(
            staff(),
            "acme",
            &[entry("E-1", "2026-03-02T09:00:00Z", 30)],
            "created",
            false,
            now(),
        )
        .await
        .unwrap()
        .remove(0);
    let err = t
        .correct(
            staff(),
            &e.id,
            &entry("E-1b", "2026-03-02T09:00:00Z", 60),
            "why",
            now(),
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("change it instead"), "{err}");
}

both!(a_period_is_accepted_only_once_locked_and_unlocking_withdraws_it);
async fn a_period_is_accepted_only_once_locked_and_unlocking_withdraws_it(db: &TestDb) {
    let s = &db.store;
    let client = setup(s).await;
    let t = s.time_entries();
    let tenant = Tenant::Client(client);
    let clara = Actor {
        tenant: &tenant,
        email: "clara@client.example",
    };
    let err = t.accept(clara, "acme", "2026-03", now()).await.unwrap_err();
    assert!(err.to_string().contains("not locked"), "{err}");
    t.lock(staff(), "acme", "2026-03", now()).await.unwrap();
    let state = t.accept(clara, "acme", "2026-03", now()).await.unwrap();
    assert_eq!(state.accepted, Some(("clara@client.example".into(), now())));
    let state = t.unlock(staff(), "acme", "2026-03", now()).await.unwrap();
    assert_eq!((state.locked, state.accepted), (None, None));
    assert!(matches!(
        t.lock(staff(), "acme", "2026-13", now()).await,
        Err(Error::Invalid(_))
    ));
}

both!(a_stopped_timer_becomes_a_draft_entry_and_one_runs_per_person);
async fn a_stopped_timer_becomes_a_draft_entry_and_one_runs_per_person(db: &TestDb) {
    let s = &db.store;
    let client = setup(s).await;
    let t = s.time_entries();
    let started: Timestamp = "2026-04-02T09:00:00Z".parse().unwrap();
    let timer = Timer {
        person: "sam@provider.example".into(),
        client: client.clone(),
        contract_id: "acme".into(),
        activity: "support".into(),
        ticket: Some("T-7".into()),
        milestone: None,
        billable: accord_core::time::Billable::Billable,
        note: None,
        started_at: started,
    };
    t.start_timer(&Tenant::Provider, timer.clone())
        .await
        .unwrap();
    assert!(matches!(
        t.start_timer(&Tenant::Provider, timer.clone()).await,
        Err(Error::Conflict(_))
    ));
    assert_eq!(t.timer("sam@provider.example").await.unwrap(), Some(timer));
    let sam = Actor {
        tenant: &Tenant::Provider,
        email: "sam@provider.example",
    };
    let stopped: Timestamp = "2026-04-02T10:25:00Z".parse().unwrap();
    let e = t
        .stop_timer(sam, "sam@provider.example", stopped)
        .await
        .unwrap();
    assert_eq!(e.status, EntryStatus::Draft);
    assert_eq!(
        (e.entry.raw_s(), e.entry.ticket.as_deref()),
        (85 * 60, Some("T-7"))
    );
    assert_eq!(e.entry.activity, "support");
    assert!(t.timer("sam@provider.example").await.unwrap().is_none());
    assert!(matches!(
        t.stop_timer(sam, "sam@provider.example", stopped).await,
        Err(Error::NotFound)
    ));
}

both!(a_client_sees_only_its_own_contracts_entries);
async fn a_client_sees_only_its_own_contracts_entries(db: &TestDb) {
    let s = &db.store;
    setup(s).await;
    let beta = crate::client_with_contract(s, "Beta", "beta").await;
    let t = s.time_entries();
    let e = t
        .create(
            staff(),
            "acme",
            &[entry("E-1", "2026-03-02T09:00:00Z", 30)],
            "created",
            false,
            now(),
        )
        .await
        .unwrap()
        .remove(0);
    let tenant = Tenant::Client(beta);
    assert!(matches!(
        t.list(&tenant, "acme", &EntryFilter::default()).await,
        Err(Error::NotFound)
    ));
    assert!(t.get(&tenant, &e.id).await.unwrap().is_none());
    assert!(t.history(&tenant, &e.id).await.unwrap().is_empty());
    let sneaky = Actor {
        tenant: &tenant,
        email: "b@beta.example",
    };
    assert!(matches!(
        t.delete(sneaky, &e.id, now()).await,
        Err(Error::NotFound)
    ));
    assert!(matches!(
        t.lock(sneaky, "acme", "2026-03", now()).await,
        Err(Error::NotFound)
    ));
    assert!(matches!(
        t.create(
            sneaky,
            "acme",
            &[entry("E-2", "2026-03-02T09:00:00Z", 30)],
            "created",
            false,
            now()
        )
        .await,
        Err(Error::NotFound)
    ));
    let unknown = TimeEntryId::parse("0192f1a0-7b3c-7def-8123-456789abcdef").unwrap();
    assert!(t.get(&Tenant::Provider, &unknown).await.unwrap().is_none());
}

both!(invoices_count_approved_time_and_an_approved_correction_replaces_its_original);
async fn invoices_count_approved_time_and_an_approved_correction_replaces_its_original(
    db: &TestDb,
) {
    let s = &db.store;
    setup(s).await;
    let t = s.time_entries();
    let written = t
        .create(
            staff(),
            "acme",
            &[
                entry("E-1", "2026-03-02T09:00:00Z", 30),
                entry("E-2", "2026-03-03T09:00:00Z", 40),
            ],
            "created",
            false,
            now(),
        )
        .await
        .unwrap();
    let approve = |id: TimeEntryId| async move {
        t.transition(
            staff(),
            &id,
            &[EntryStatus::Draft],
            EntryStatus::Submitted,
            None,
            now(),
        )
        .await
        .unwrap();
        t.transition(
            staff(),
            &id,
            &[EntryStatus::Submitted],
            EntryStatus::Approved,
            None,
            now(),
        )
        .await
        .unwrap();
    };
    approve(written[0].id.clone()).await;
    let keys = |v: Vec<TimeEntry>| v.into_iter().map(|e| e.id).collect::<Vec<_>>();
    // A draft does not count.
    assert_eq!(
        keys(t.ledger(&Tenant::Provider, "acme").await.unwrap()),
        ["E-1"]
    );

    let fix = t
        .correct(
            staff(),
            &written[0].id,
            &entry("E-1-fix", "2026-03-02T09:00:00Z", 50),
            "longer",
            now(),
        )
        .await
        .unwrap();
    // Until the correction is approved, the original stands.
    assert_eq!(
        keys(t.ledger(&Tenant::Provider, "acme").await.unwrap()),
        ["E-1"]
    );
    approve(fix.id.clone()).await;
    assert_eq!(
        keys(t.ledger(&Tenant::Provider, "acme").await.unwrap()),
        ["E-1-fix"]
    );
}
