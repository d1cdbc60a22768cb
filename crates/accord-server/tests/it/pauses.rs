//! Pausing and resuming a ticket's clocks over HTTP (SPEC §5), and the
//! ticket list's filters and bounded pages.

use accord_store::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, both, json_of, problem};

fn clock<'a>(detail: &'a Value, metric: &str) -> &'a Value {
    detail["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["metric"] == metric)
        .unwrap_or_else(|| panic!("no {metric} clock in {detail}"))
}

async fn a_pause_stops_the_clocks_until_resumed_and_is_recorded(app: &TestApp) {
    let (client, client_token) = app.client("Acme", "ACME").await;
    let agent = app.token(Role::Agent, None, "agent@provider.test").await;
    // Critical on a 24x7 calendar: first response 1 h, resolution 4 h.
    let id = app
        .open_ticket(&agent, &client, "ACME", "T-1", "2026-03-02T08:00:00Z")
        .await;
    let pause = json!({"reason": "approval", "waiting_on": "client.approver",
        "at": "2026-03-02T09:10:00+01:00", "note": "asked for sign-off", "id": "p1"});
    let (status, t) = json_of(
        app.post_json(&agent, &format!("/api/v1/tickets/{id}/pause"), &pause)
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{t}");
    let paused = &t["timeline"][1];
    assert_eq!(
        paused,
        &json!({"kind": "paused", "at": "2026-03-02T08:10:00Z", "reason": "approval",
                "waiting_on": "client.approver", "note": "asked for sign-off", "id": "p1",
                "by": "agent@provider.test", "seq": 2})
    );
    // Paused clocks have no deadline (SPEC §4).
    assert_eq!(clock(&t, "resolution")["deadline"], Value::Null, "{t}");

    let resume = json!({"at": "2026-03-02T08:40:00Z"});
    let (status, t) = json_of(
        app.post_json(&agent, &format!("/api/v1/tickets/{id}/resume"), &resume)
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{t}");
    assert_eq!(t["timeline"][2]["kind"], "resumed");
    // The 30 paused minutes push both targets back by 30 minutes.
    let resolution = clock(&t, "resolution");
    assert_eq!(resolution["paused_s"], 1800, "{t}");
    assert_eq!(resolution["breached_at"], "2026-03-02T12:30:00Z", "{t}");
    assert_eq!(
        clock(&t, "first_response")["breached_at"],
        "2026-03-02T09:30:00Z"
    );

    // Re-sending the same pause (same id) changes nothing.
    let (status, t) = json_of(
        app.post_json(&agent, &format!("/api/v1/tickets/{id}/pause"), &pause)
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(t["timeline"].as_array().unwrap().len(), 3);
    // An empty body resumes now.
    let res = app
        .post_raw(
            &agent,
            &format!("/api/v1/tickets/{id}/resume"),
            "application/json",
            "",
        )
        .await;
    let (status, t) = json_of(res).await;
    assert_eq!(status, StatusCode::OK, "{t}");
    assert_eq!(t["timeline"][3]["kind"], "resumed");

    // A reason the contract does not allow is refused, naming `reason`.
    let lunch =
        json!({"reason": "lunch", "waiting_on": "client.approver", "at": "2026-03-02T09:00:00Z"});
    let p = problem(
        app.post_json(&agent, &format!("/api/v1/tickets/{id}/pause"), &lunch)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["field"], "reason", "{p}");
    assert!(p["detail"].as_str().unwrap().contains("lunch"), "{p}");
    // Clients do not pause the provider's clocks.
    problem(
        app.post_json(
            &client_token,
            &format!("/api/v1/tickets/{id}/pause"),
            &pause,
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let (_, t) = json_of(
        app.get(Some(&agent), &format!("/api/v1/tickets/{id}"))
            .await,
    )
    .await;
    assert_eq!(t["timeline"].as_array().unwrap().len(), 4);
}
both!(a_pause_stops_the_clocks_until_resumed_and_is_recorded);

async fn the_ticket_list_filters_by_client_priority_status_and_risk(app: &TestApp) {
    let (acme, _) = app.client("Acme", "ACME").await;
    let (globex, _) = app.client("Globex", "GLOBEX").await;
    let agent = app.token(Role::Agent, None, "agent@provider.test").await;
    // Opened in March: long overdue, nothing left on its clocks.
    app.open_ticket(&agent, &acme, "ACME", "A-1", "2026-03-02T08:00:00Z")
        .await;
    // Opened a minute ago at `normal`: about 8 hours left to first response.
    let recent = (jiff::Timestamp::now() - jiff::SignedDuration::from_mins(1))
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let body = json!({"client": globex.to_string(), "contract_id": "GLOBEX", "key": "G-1",
        "priority": "normal", "at": recent});
    let (status, fresh) = json_of(app.post_json(&agent, "/api/v1/tickets", &body).await).await;
    assert_eq!(status, StatusCode::CREATED, "{fresh}");
    let resolved = app
        .open_ticket(&agent, &acme, "ACME", "A-2", "2026-03-02T08:00:00Z")
        .await;
    let ev = json!({"kind": "resolved", "at": "2026-03-02T09:00:00Z"});
    let res = app
        .post_json(&agent, &format!("/api/v1/tickets/{resolved}/events"), &ev)
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);

    let keys = |query: &str| {
        let path = format!("/api/v1/tickets?{query}");
        let agent = agent.clone();
        async move {
            let (status, page) = json_of(app.get(Some(&agent), &path).await).await;
            assert_eq!(status, StatusCode::OK, "{path}: {page}");
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["key"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(keys(&format!("client={acme}")).await, ["A-1", "A-2"]);
    assert_eq!(keys("priority=normal").await, ["G-1"]);
    assert_eq!(keys("status=resolved").await, ["A-2"]);
    assert_eq!(keys("at_risk_within=60").await, ["A-1"]);
    assert_eq!(keys("at_risk_within=600").await, ["A-1", "G-1"]);
    assert_eq!(
        keys(&format!("at_risk_within=600&client={globex}")).await,
        ["G-1"]
    );

    // Pages are bounded: beyond 200 is refused, a non-number unreadable.
    let p = problem(
        app.get(Some(&agent), "/api/v1/tickets?limit=201").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["field"], "limit");
    assert!(p["detail"].as_str().unwrap().contains("200"), "{p}");
    let p = problem(
        app.get(Some(&agent), "/api/v1/tickets?limit=many").await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(p["field"], "limit");
    let (_, page) = json_of(app.get(Some(&agent), "/api/v1/tickets?limit=200").await).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 3);
}
both!(the_ticket_list_filters_by_client_priority_status_and_risk);
