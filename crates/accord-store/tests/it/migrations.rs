//! What the migrations do to rows that already exist.

use accord_store::testing::{CONTRACT, TestDb};
use accord_store::{CrossingPayload, DeliveryStatus, Tenant, TicketId, Topics};
use sqlx::AssertSqlSafe;

use crate::at;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crossing_schedules_and_notifications_move_into_the_scheduler_and_outbox_sqlite() {
    let db = TestDb::sqlite_migrated_to(Some(3)).await;
    crossing_schedules_and_notifications_move_into_the_scheduler_and_outbox(&db).await;
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crossing_schedules_and_notifications_move_into_the_scheduler_and_outbox_postgres() {
    let Some(db) = TestDb::postgres_migrated_to(Some(3)).await else {
        return;
    };
    crossing_schedules_and_notifications_move_into_the_scheduler_and_outbox(&db).await;
    db.finish().await;
}

const TICKET: &str = "01900000-0000-7000-8000-000000000001";

/// Rows as the schema of migration 3 held them: a ticket waiting for a
/// crossing at 08:30, a webhook for breaches, a delivered warning with its
/// attempt and a pending breach e-mail.
fn rows_at_version_3() -> Vec<String> {
    let ms = |minutes: i64| at(minutes).as_millisecond();
    let contract = CONTRACT.replace("CONTRACT_ID", "acme").replace('\'', "''");
    vec![
        "INSERT INTO organisations (id, kind, name, created_at)
         VALUES ('01900000-0000-7000-8000-0000000000c1', 'client', 'Acme', 0)"
            .to_string(),
        format!(
            "INSERT INTO contract_versions (contract_id, version, client_id, effective_from,
             source_name, source, uploaded_at)
             VALUES ('acme', 1, '01900000-0000-7000-8000-0000000000c1', '2026-01-01',
                     'acme.toml', '{contract}', 0)"
        ),
        format!(
            "INSERT INTO tickets (id, client_id, key, contract_id, contract_version, opened_at,
             priority, status, at_risk_secs, next_crossing_at, updated_at)
             VALUES ('{TICKET}', '01900000-0000-7000-8000-0000000000c1', 'T-1', 'acme', 1, {},
                     'critical', 'open', 3600, {}, {})",
            ms(0),
            ms(30),
            ms(0)
        ),
        format!(
            "INSERT INTO fired_crossings (ticket_id, metric, cycle, share, threshold_secs,
             crossed_at, fired_at, contract_version)
             VALUES ('{TICKET}', 'first_response', 1, '0.5', 1800, {0}, {0}, 1),
                    ('{TICKET}', 'first_response', 1, '1', 3600, {1}, {1}, 1)",
            ms(30),
            ms(60)
        ),
        "INSERT INTO webhooks (id, url, secret, events, client_id, description, created_at)
         VALUES ('01900000-0000-7000-8000-0000000000w1', 'http://127.0.0.1:9/b', 'whsec_x',
                 'breach', NULL, 'ops', 0)"
            .to_string(),
        format!(
            "INSERT INTO notifications (id, ticket_id, metric, cycle, share, channel, webhook_id,
             recipient, recipient_name, status, attempts, next_attempt_at, created_at, finished_at)
             VALUES ('01900000-0000-7000-8000-0000000000n1', '{TICKET}', 'first_response', 1,
                     '0.5', 'webhook', '01900000-0000-7000-8000-0000000000w1',
                     '01900000-0000-7000-8000-0000000000w1', NULL, 'delivered', 1, NULL, {0}, {0}),
                    ('01900000-0000-7000-8000-0000000000n2', '{TICKET}', 'first_response', 1,
                     '1', 'email', NULL, 'sam@provider.test', 'Sam Okafor', 'pending', 0, {1},
                     {1}, NULL)",
            ms(30),
            ms(60)
        ),
        format!(
            "INSERT INTO delivery_attempts (notification_id, attempt, at, duration_ms,
             status_code, error)
             VALUES ('01900000-0000-7000-8000-0000000000n1', 1, {}, 5, 200, NULL)",
            ms(30)
        ),
    ]
}

async fn crossing_schedules_and_notifications_move_into_the_scheduler_and_outbox(db: &TestDb) {
    let old = accord_store::Store::connect(&db.url).await.unwrap();
    for sql in rows_at_version_3() {
        old.execute_for_tests(AssertSqlSafe(sql)).await.unwrap();
    }
    old.close().await;
    db.store.migrate().await.unwrap();
    let s = &db.store;

    // Migration 8 gives the contract its statement job, due at once: run,
    // it waits for the month's end.
    s.schedule().claim_due(at(0), 10).await.unwrap();
    // The ticket's next crossing is a job of the scheduler.
    assert_eq!(s.schedule().next_due_at().await.unwrap(), Some(at(30)));
    // The webhook's filter became a list of topics.
    let hooks = s.outbox().webhooks().await.unwrap();
    assert_eq!(hooks.len(), 1);
    assert_eq!(hooks[0].topics, Topics::parse(&["clock.breach"]).unwrap());
    // Both notifications, with their attempts, are still the ticket's.
    let ticket = TicketId::parse(TICKET).unwrap();
    let records = s
        .tickets()
        .crossings(&Tenant::Provider, &ticket)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(records.len(), 2);
    let warning = &records[0].deliveries;
    assert_eq!(warning.len(), 1);
    assert_eq!(warning[0].status, DeliveryStatus::Delivered);
    assert_eq!(warning[0].attempts.len(), 1);
    assert_eq!(warning[0].attempts[0].status_code, Some(200));
    assert_eq!(records[1].deliveries[0].status, DeliveryStatus::Pending);
    // The pending one goes out as an outbox message with its facts.
    let claimed = s.outbox().claim(at(60), at(61), 10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    let n = &claimed[0];
    assert_eq!(
        (n.topic.as_str(), n.subject.as_str()),
        ("clock.breach", TICKET)
    );
    let facts: CrossingPayload = serde_json::from_str(&n.payload).unwrap();
    assert_eq!(
        (
            facts.kind.as_str(),
            facts.ticket.key.as_str(),
            facts.client.name.as_str()
        ),
        ("breach", "T-1", "Acme")
    );
    assert_eq!(
        (facts.contract.id.as_str(), facts.contract.version),
        ("acme", 1)
    );
    assert_eq!((facts.metric.as_str(), facts.cycle), ("first_response", 1));
    assert_eq!((facts.share.as_str(), facts.threshold_s), ("1", 3600));
    assert_eq!(facts.crossed_at.parse::<jiff::Timestamp>().unwrap(), at(60));
    assert_eq!(facts.fired_at.parse::<jiff::Timestamp>().unwrap(), at(60));
}

async fn a_contract_stored_before_statements_gets_its_month_end_job(db: &TestDb) {
    let old = accord_store::Store::connect(&db.url).await.unwrap();
    let client = old
        .accounts()
        .create_client("Acme", crate::t0())
        .await
        .unwrap();
    let text = CONTRACT.replace("CONTRACT_ID", "acme");
    old.contracts()
        .put_version(&client, "acme.toml", &text, crate::t0())
        .await
        .unwrap();
    // As before migration 8: no job.
    old.execute_for_tests(AssertSqlSafe("DELETE FROM scheduled_jobs".to_string()))
        .await
        .unwrap();
    old.close().await;
    db.store.migrate().await.unwrap();
    let s = &db.store;
    // Due at once; run on 2 March, it drafts nothing and waits for March's end.
    let fired = s.schedule().claim_due(crate::t0(), 10).await.unwrap();
    assert_eq!((fired.jobs, fired.statements), (1, 0));
    let march_end: jiff::Timestamp = "2026-04-01T00:00:00Z".parse().unwrap();
    assert_eq!(s.schedule().next_due_at().await.unwrap(), Some(march_end));
    assert!(
        s.statements()
            .list(&Tenant::Provider, "acme")
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contract_stored_before_statements_gets_its_month_end_job_sqlite() {
    let db = TestDb::sqlite_migrated_to(Some(6)).await;
    a_contract_stored_before_statements_gets_its_month_end_job(&db).await;
    db.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contract_stored_before_statements_gets_its_month_end_job_postgres() {
    let Some(db) = TestDb::postgres_migrated_to(Some(6)).await else {
        return;
    };
    a_contract_stored_before_statements_gets_its_month_end_job(&db).await;
    db.finish().await;
}
