//! Amending a contract over HTTP (SPEC §2 "Versions"): an amendment is a
//! new version that must follow the current one; versions stay readable,
//! diffable in plain words and renderable as the signed appendix.

use accord_store::Role;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{CONTRACT, TestApp, both, json_of, problem};

/// Version `version` of contract `id`, in force from `from`, with critical
/// first response `first_response`.
fn text(id: &str, version: u32, from: &str, first_response: &str) -> String {
    CONTRACT
        .replace("CONTRACT_ID", id)
        .replace(
            "effective_from = 2026-01-01",
            &format!("version = {version}\neffective_from = {from}"),
        )
        .replace(
            "first_response = \"1h\"",
            &format!("first_response = \"{first_response}\""),
        )
}

async fn an_amendment_becomes_the_next_version_and_governs_new_tickets(app: &TestApp) {
    let (acme, acme_token) = app.client("Acme", "ACME").await;
    let staff = app.token(Role::Admin, None, "admin@provider.test").await;
    let amend = "/api/v1/contracts/ACME/versions?name=acme-v2.toml";
    let post = |token: &str, path: &str, body: String| {
        let (token, path) = (token.to_string(), path.to_string());
        async move { app.post_raw(&token, &path, "application/toml", body).await }
    };

    let (status, v2) =
        json_of(post(&staff, amend, text("ACME", 2, "2026-07-01", "30m")).await).await;
    assert_eq!(status, StatusCode::CREATED, "{v2}");
    assert_eq!(
        (
            &v2["version"],
            &v2["effective_from"],
            &v2["client"],
            &v2["source_name"]
        ),
        (
            &json!(2),
            &json!("2026-07-01"),
            &json!(acme.to_string()),
            &json!("acme-v2.toml")
        )
    );

    // Not an amendment of the current version: refused, naming the key.
    for (body, field) in [
        (text("ACME", 2, "2026-09-01", "30m"), "version"),
        (text("ACME", 3, "2026-07-01", "30m"), "effective_from"),
        (text("ACME", 3, "2026-06-01", "30m"), "effective_from"),
        (text("OTHER", 3, "2026-09-01", "30m"), "id"),
    ] {
        let p = problem(
            post(&staff, amend, body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(p["field"], field, "{p}");
    }
    let p = problem(
        post(&staff, amend, text("ACME", 3, "2026-09-01", "30 mins")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        p["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("30 mins"),
        "{p}"
    );
    problem(
        post(
            &staff,
            "/api/v1/contracts/NOPE/versions",
            text("NOPE", 2, "2026-09-01", "1h"),
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        post(&acme_token, amend, text("ACME", 3, "2026-09-01", "1h")).await,
        StatusCode::FORBIDDEN,
    )
    .await;

    // Both versions stay readable, by the client too.
    let (_, versions) = json_of(
        app.get(Some(&acme_token), "/api/v1/contracts/ACME/versions")
            .await,
    )
    .await;
    let numbers: Vec<_> = versions
        .as_array()
        .unwrap()
        .iter()
        .map(|v| &v["version"])
        .collect();
    assert_eq!(numbers, [&json!(1), &json!(2)]);
    let (status, one) = json_of(
        app.get(Some(&acme_token), "/api/v1/contracts/ACME/versions/2")
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{one}");
    assert!(one["source"].as_str().unwrap().contains("\"30m\""));
    problem(
        app.get(Some(&staff), "/api/v1/contracts/ACME/versions/3")
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let p = problem(
        app.get(Some(&staff), "/api/v1/contracts/ACME/versions/two")
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(p["field"], "version");

    // The diff says what changed in plain words.
    let (status, diff) = json_of(
        app.get(Some(&acme_token), "/api/v1/contracts/ACME/diff?from=1&to=2")
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{diff}");
    let texts: Vec<&str> = diff["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["text"].as_str().unwrap())
        .collect();
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("critical first response") && t.ends_with("30 minutes")),
        "{diff}"
    );
    assert!(texts.iter().any(|t| t.contains("1 July 2026")), "{diff}");
    assert!(!texts.iter().any(|t| t.starts_with("normal")), "{diff}");
    problem(
        app.get(Some(&staff), "/api/v1/contracts/ACME/diff?from=1&to=9")
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let p = problem(
        app.get(Some(&staff), "/api/v1/contracts/ACME/diff?from=1")
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("to"), "{p}");

    // Rendered as the appendix, in HTML or Markdown.
    let res = app
        .get(
            Some(&acme_token),
            "/api/v1/contracts/ACME/versions/2/render?format=md",
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/markdown")
    );
    let md = res.text().await.unwrap();
    assert!(md.starts_with("# Service Level Agreement"), "{md}");
    assert!(md.contains("version 2"), "{md}");
    let res = app
        .get(Some(&staff), "/api/v1/contracts/ACME/versions/1/render")
        .await;
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(res.text().await.unwrap().contains("<h1>"));
    let p = problem(
        app.get(
            Some(&staff),
            "/api/v1/contracts/ACME/versions/1/render?format=pdf",
        )
        .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(p["field"], "format");

    // Tickets opened from July fall under version 2, earlier ones under 1.
    let march = app
        .open_ticket(&staff, &acme, "ACME", "T-1", "2026-03-02T08:00:00Z")
        .await;
    let july = app
        .open_ticket(&staff, &acme, "ACME", "T-2", "2026-07-02T08:00:00Z")
        .await;
    for (id, version) in [(march, 1), (july, 2)] {
        let (_, t) = json_of(
            app.get(Some(&staff), &format!("/api/v1/tickets/{id}"))
                .await,
        )
        .await;
        assert_eq!(t["ticket"]["contract_version"], version, "{t}");
    }
}
both!(an_amendment_becomes_the_next_version_and_governs_new_tickets);
