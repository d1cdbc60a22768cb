//! Tickets and events over HTTP: opening, posting, clocks, idempotency,
//! and precise 4xx problems that change nothing.

use accord_store::Role;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, both, json_of, problem};

async fn open_post_events_and_read_clocks(app: &TestApp) {
    let (client, _) = app.client("Acme", "ACME").await;
    let staff = app.token(Role::Agent, None, "agent@provider.test").await;
    let id = app
        .open_ticket(&staff, &client, "ACME", "T-1", "2026-03-02T09:00:00+01:00")
        .await;
    let events = json!([
        {"kind": "replied", "at": "2026-03-02T08:30:00Z", "id": "e1", "by": "ana"},
        {"kind": "resolved", "at": "2026-03-02T10:00:00Z", "id": "e2"}
    ]);
    let path = format!("/api/v1/tickets/{id}/events");
    let (status, body) = json_of(app.post_json(&staff, &path, &events).await).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body, json!({"inserted": 2, "duplicates": 0}));

    let (status, t) = json_of(
        app.get(Some(&staff), &format!("/api/v1/tickets/{id}"))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{t}");
    assert_eq!(t["ticket"]["status"], "resolved");
    assert_eq!(t["ticket"]["opened_at"], "2026-03-02T08:00:00Z");
    let clocks = t["clocks"].as_array().unwrap();
    let fr = clocks
        .iter()
        .find(|c| c["metric"] == "first_response")
        .unwrap();
    assert_eq!(fr["state"], "met");
    assert_eq!(fr["elapsed_s"], 1800);
    let res = clocks.iter().find(|c| c["metric"] == "resolution").unwrap();
    assert_eq!(
        (res["state"].as_str(), res["elapsed_s"].as_i64()),
        (Some("met"), Some(7200))
    );
    let kinds: Vec<_> = t["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].clone())
        .collect();
    assert_eq!(
        kinds,
        vec![json!("opened"), json!("replied"), json!("resolved")]
    );
    assert_eq!(t["timeline"][1]["by"], "ana");

    // Re-posting the same batch stores nothing new.
    let (status, body) = json_of(app.post_json(&staff, &path, &events).await).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(body, json!({"inserted": 0, "duplicates": 2}));
    // The same id with other content is a conflict.
    let other = json!({"kind": "replied", "at": "2026-03-02T08:45:00Z", "id": "e1"});
    problem(
        app.post_json(&staff, &path, &other).await,
        StatusCode::CONFLICT,
    )
    .await;

    // The list, filtered and paged.
    let id2 = app
        .open_ticket(&staff, &client, "ACME", "T-2", "2026-03-03T08:00:00Z")
        .await;
    let (_, page) = json_of(app.get(Some(&staff), "/api/v1/tickets?limit=1").await).await;
    assert_eq!(page["items"][0]["id"], id.as_str());
    let cursor = page["next_cursor"].as_str().unwrap();
    let (_, page) = json_of(
        app.get(
            Some(&staff),
            &format!("/api/v1/tickets?limit=1&after={cursor}"),
        )
        .await,
    )
    .await;
    assert_eq!(page["items"][0]["id"], id2.as_str());
    assert!(page["next_cursor"].is_null());
    let (_, open) = json_of(app.get(Some(&staff), "/api/v1/tickets?status=open").await).await;
    assert_eq!(open["items"].as_array().unwrap().len(), 1);
    let (_, risk) = json_of(
        app.get(Some(&staff), "/api/v1/tickets/at-risk?within_minutes=600")
            .await,
    )
    .await;
    assert_eq!(risk[0]["ticket"]["key"], "T-2", "{risk}");
    let metrics = app.get(None, "/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains("accord_events_ingested_total 2"),
        "{metrics}"
    );
}
both!(open_post_events_and_read_clocks);

async fn bad_requests_get_precise_problems_and_write_nothing(app: &TestApp) {
    let (client, _) = app.client("Acme", "ACME").await;
    let staff = app.token(Role::Admin, None, "admin@provider.test").await;
    let id = app
        .open_ticket(&staff, &client, "ACME", "T-1", "2026-03-02T08:00:00Z")
        .await;
    let path = format!("/api/v1/tickets/{id}/events");

    let p = problem(
        app.post_raw(
            &staff,
            &path,
            "application/json",
            "{\"kind\": \"replied\",\n \"at\": }",
        )
        .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(
        (p["line"].as_u64(), p["column"].as_u64()),
        (Some(2), Some(8)),
        "{p}"
    );

    let unknown = json!([{"kind": "replied", "at": "2026-03-02T08:30:00Z"},
                         {"kind": "replied", "at": "2026-03-02T08:40:00Z", "colour": "red"}]);
    let p = problem(
        app.post_json(&staff, &path, &unknown).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(p["field"], "[1].colour", "{p}");

    let wrong_type = json!({"kind": "replied", "at": 42});
    let p = problem(
        app.post_json(&staff, &path, &wrong_type).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(p["field"], "at", "{p}");

    let bad_instant = json!({"kind": "replied", "at": "2026-03-02 08:30"});
    let p = problem(
        app.post_json(&staff, &path, &bad_instant).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(p["field"], "at");
    assert!(p["detail"].as_str().unwrap().contains("RFC 3339"), "{p}");

    let bad_reason = json!({"kind": "paused", "reason": "lunch", "at": "2026-03-02T08:30:00Z"});
    problem(
        app.post_json(&staff, &path, &bad_reason).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;

    let big = format!(
        "[{}]",
        vec!["{\"kind\":\"replied\",\"at\":\"2026-03-02T08:30:00Z\"}"; 30_000].join(",")
    );
    problem(
        app.post_raw(&staff, &path, "application/json", big).await,
        StatusCode::PAYLOAD_TOO_LARGE,
    )
    .await;

    let unknown_ticket = "/api/v1/tickets/0192f1a0-7b3c-7def-8123-456789abcdef/events";
    let ok = json!({"kind": "replied", "at": "2026-03-02T08:30:00Z"});
    problem(
        app.post_json(&staff, unknown_ticket, &ok).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        app.get(Some(&staff), "/api/v1/tickets/T-1").await,
        StatusCode::NOT_FOUND,
    )
    .await;

    let open_unknown_field = json!({"client": client.to_string(), "contract_id": "ACME", "key": "T-9",
        "priority": "critical", "at": "2026-03-02T08:00:00Z", "urgency": 1});
    let p = problem(
        app.post_json(&staff, "/api/v1/tickets", &open_unknown_field)
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("urgency"), "{p}");
    let dup = json!({"client": client.to_string(), "contract_id": "ACME", "key": "T-1",
        "priority": "critical", "at": "2026-03-02T08:00:00Z"});
    problem(
        app.post_json(&staff, "/api/v1/tickets", &dup).await,
        StatusCode::CONFLICT,
    )
    .await;
    let p = problem(
        app.get(Some(&staff), "/api/v1/tickets?limit=0").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["field"], "limit");

    // Nothing was written: the timeline is still just `opened`, one ticket.
    let (_, t) = json_of(
        app.get(Some(&staff), &format!("/api/v1/tickets/{id}"))
            .await,
    )
    .await;
    assert_eq!(t["timeline"].as_array().unwrap().len(), 1, "{t}");
    let (_, page) = json_of(app.get(Some(&staff), "/api/v1/tickets").await).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
}
both!(bad_requests_get_precise_problems_and_write_nothing);

/// The API reads clocks as the ticket page does: evaluated now, not as they
/// were stored with the last event.
async fn ticket_clocks_are_evaluated_as_of_now(db: accord_store::testing::TestDb) {
    let t0: jiff::Timestamp = "2026-03-02T08:00:00Z".parse().unwrap();
    let manual = accord_server::ManualTime::new(t0);
    let app = TestApp::start_with(db, accord_server::Settings::default(), manual.source()).await;
    let (client, _) = app.client("Acme", "ACME").await;
    let staff = app.token(Role::Agent, None, "agent@provider.test").await;
    let id = app
        .open_ticket(&staff, &client, "ACME", "T-1", "2026-03-02T08:00:00Z")
        .await;
    let clock = |t: &serde_json::Value, metric: &str| {
        t["clocks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["metric"] == metric)
            .unwrap()
            .clone()
    };
    manual.set(t0 + jiff::SignedDuration::from_mins(30));
    let (_, t) = json_of(
        app.get(Some(&staff), &format!("/api/v1/tickets/{id}"))
            .await,
    )
    .await;
    let resolution = clock(&t, "resolution");
    assert_eq!(resolution["elapsed_s"], 1800, "{t}");
    assert_eq!(resolution["evaluated_at"], "2026-03-02T08:30:00Z");
    assert_eq!(clock(&t, "first_response")["state"], "running");
    // An hour and a half in, the 1 h first response is overdue.
    manual.set(t0 + jiff::SignedDuration::from_mins(90));
    let (_, t) = json_of(
        app.get(Some(&staff), &format!("/api/v1/tickets/{id}"))
            .await,
    )
    .await;
    let first = clock(&t, "first_response");
    assert_eq!(first["state"], "overdue", "{t}");
    assert_eq!(first["breached_at"], "2026-03-02T09:00:00Z");
    assert_eq!(first["evaluated_at"], "2026-03-02T09:30:00Z");
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ticket_clocks_are_evaluated_as_of_now_sqlite() {
    ticket_clocks_are_evaluated_as_of_now(accord_store::testing::TestDb::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ticket_clocks_are_evaluated_as_of_now_postgres() {
    if let Some(db) = accord_store::testing::TestDb::postgres().await {
        ticket_clocks_are_evaluated_as_of_now(db).await;
    }
}
