//! Who may post which ticket events (SPEC §1 roles, §4): the rule lives in
//! the application layer and holds on every path — the events endpoint, the
//! pause and resume shortcuts, opening a ticket and the web forms.

use accord_store::Role;
use jiff::{SignedDuration, Timestamp};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, both, json_of, problem};

fn instant(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

async fn timeline_len(app: &TestApp, token: &str, id: &str) -> usize {
    let (status, t) = json_of(app.get(Some(token), &format!("/api/v1/tickets/{id}")).await).await;
    assert_eq!(status, StatusCode::OK, "{t}");
    t["timeline"].as_array().unwrap().len()
}

async fn a_client_token_may_only_reply_as_itself_and_now(app: &TestApp) {
    let (client, client_token) = app.client("Acme", "ACME").await;
    let agent = app.token(Role::Agent, None, "agent@provider.test").await;
    let now = Timestamp::now();
    let id = app
        .open_ticket(
            &agent,
            &client,
            "ACME",
            "T-1",
            &instant(now - SignedDuration::from_mins(30)),
        )
        .await;
    let pause = json!({"kind": "paused", "reason": "approval", "at": instant(now - SignedDuration::from_mins(20))});
    let res = app
        .post_json(&agent, &format!("/api/v1/tickets/{id}/events"), &pause)
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let events = format!("/api/v1/tickets/{id}/events");
    let at = instant(now);

    // Every kind that is the provider's to record is refused, naming `kind`.
    for kind in ["resumed", "replied", "resolved", "reopened", "closed"] {
        let p = problem(
            app.post_json(&client_token, &events, &json!({"kind": kind, "at": at}))
                .await,
            StatusCode::FORBIDDEN,
        )
        .await;
        assert!(p["detail"].as_str().unwrap().contains(kind), "{kind}: {p}");
    }
    for body in [
        json!({"kind": "paused", "reason": "approval", "at": at}),
        json!({"kind": "priority_changed", "priority": "critical", "at": at}),
    ] {
        problem(
            app.post_json(&client_token, &events, &body).await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    // A batch with one provider event among replies is refused whole,
    // naming the offending position.
    let batch = json!([{"kind": "client_replied", "at": at}, {"kind": "resolved", "at": at}]);
    let p = problem(
        app.post_json(&client_token, &events, &batch).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().starts_with("[1].kind"), "{p}");
    // Replying as somebody else is refused.
    let p = problem(
        app.post_json(
            &client_token,
            &events,
            &json!({"kind": "client_replied", "at": at, "by": "agent@provider.test"}),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("by"), "{p}");
    // A backdated reply is refused, naming `at`.
    let p = problem(
        app.post_json(
            &client_token,
            &events,
            &json!({"kind": "client_replied", "at": instant(now - SignedDuration::from_hours(2))}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["field"], "at", "{p}");
    // Nothing of the above was written: the ticket holds opened + paused.
    assert_eq!(timeline_len(app, &agent, &id).await, 2);

    // A reply now, as itself, is recorded with the client's own e-mail.
    let (status, done) = json_of(
        app.post_json(
            &client_token,
            &events,
            &json!({"kind": "client_replied", "at": at, "note": "here it is"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{done}");
    let (_, t) = json_of(
        app.get(Some(&agent), &format!("/api/v1/tickets/{id}"))
            .await,
    )
    .await;
    let reply = &t["timeline"][2];
    assert_eq!(reply["kind"], "client_replied", "{t}");
    assert_eq!(reply["by"], "acme@client.test", "{t}");

    // The pause shortcut stays staff-only, and staff still record any kind
    // on behalf of anyone at any instant (imports replay history).
    problem(
        app.post_json(
            &client_token,
            &format!("/api/v1/tickets/{id}/resume"),
            &json!({}),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let import = json!({"kind": "client_replied", "at": instant(now - SignedDuration::from_mins(10)),
        "by": "someone@acme.test"});
    assert_eq!(
        app.post_json(&agent, &events, &import).await.status(),
        StatusCode::CREATED
    );
}
both!(a_client_token_may_only_reply_as_itself_and_now);

async fn a_client_token_cannot_open_a_backdated_ticket(app: &TestApp) {
    let (client, client_token) = app.client("Acme", "ACME").await;
    let body = |at: String| {
        json!({"client": client.to_string(), "contract_id": "ACME", "key": "T-9",
            "priority": "critical", "at": at})
    };
    let p = problem(
        app.post_json(
            &client_token,
            "/api/v1/tickets",
            &body("2026-03-02T08:00:00Z".into()),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["field"], "at", "{p}");
    let (status, page) = json_of(
        app.get(Some(&client_token), "/api/v1/tickets?key=T-9")
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["items"], json!([]), "nothing was opened: {page}");
    // Opened now, as itself, it is accepted and carries the client's e-mail.
    let (status, t) = json_of(
        app.post_json(
            &client_token,
            "/api/v1/tickets",
            &body(instant(Timestamp::now())),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{t}");
    let id = t["id"].as_str().unwrap();
    let (_, t) = json_of(
        app.get(Some(&client_token), &format!("/api/v1/tickets/{id}"))
            .await,
    )
    .await;
    assert_eq!(
        t["timeline"][0]["by"],
        Value::from("acme@client.test"),
        "{t}"
    );
}
both!(a_client_token_cannot_open_a_backdated_ticket);
