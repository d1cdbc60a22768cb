//! A client's token reaches none of another client's data.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, both, json_of, problem};

async fn a_client_cannot_read_or_list_another_clients_tickets(app: &TestApp) {
    let (acme, acme_token) = app.client("Acme", "ACME").await;
    let (_globex, globex_token) = app.client("Globex", "GLOBEX").await;
    // Staff record the ticket's history (a client's own events are stamped now).
    let agent = app
        .token(accord_store::Role::Agent, None, "agent@provider.test")
        .await;
    let id = app
        .open_ticket(&agent, &acme, "ACME", "T-1", "2026-03-02T08:00:00Z")
        .await;

    // Acme sees its ticket.
    let (status, _) = json_of(
        app.get(Some(&acme_token), &format!("/api/v1/tickets/{id}"))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // Globex gets 404 everywhere, and nothing is written.
    problem(
        app.get(Some(&globex_token), &format!("/api/v1/tickets/{id}"))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let ev = json!({"kind": "replied", "at": "2026-03-02T08:30:00Z"});
    let path = format!("/api/v1/tickets/{id}/events");
    problem(
        app.post_json(&globex_token, &path, &ev).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let (_, page) = json_of(app.get(Some(&globex_token), "/api/v1/tickets").await).await;
    assert_eq!(page["items"], json!([]));
    let (_, page) = json_of(
        app.get(
            Some(&globex_token),
            &format!("/api/v1/tickets?client={acme}"),
        )
        .await,
    )
    .await;
    assert_eq!(page["items"], json!([]));
    let (_, risk) = json_of(
        app.get(
            Some(&globex_token),
            "/api/v1/tickets/at-risk?within_minutes=100000",
        )
        .await,
    )
    .await;
    assert_eq!(risk, json!([]));
    problem(
        app.get(Some(&globex_token), "/api/v1/contracts/ACME/versions")
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // Opening a ticket for another client is refused; uploading contracts is staff-only.
    let open = json!({"client": acme.to_string(), "contract_id": "ACME", "key": "T-2",
        "priority": "critical", "at": "2026-03-02T08:00:00Z"});
    problem(
        app.post_json(&globex_token, "/api/v1/tickets", &open).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let upload = format!("/api/v1/contracts?client={acme}");
    problem(
        app.post_raw(&globex_token, &upload, "application/toml", "x = 1")
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let (_, t) = json_of(
        app.get(Some(&acme_token), &format!("/api/v1/tickets/{id}"))
            .await,
    )
    .await;
    assert_eq!(t["timeline"].as_array().unwrap().len(), 1);
}
both!(a_client_cannot_read_or_list_another_clients_tickets);
