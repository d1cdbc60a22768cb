//! Ticket keys unique across the installation and found by key, tickets
//! only inside their contract's dates, and contracts uploaded with their
//! holiday files, over the JSON API.

use accord_store::Role;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{CONTRACT, TestApp, both, json_of, problem};

const HOSTING: &str = include_str!("../../../../examples/hosting-24x7.contract.toml");
const US_FEDERAL: &str = include_str!("../../../../examples/holidays/us-federal.ics");

async fn a_key_another_client_uses_is_refused_and_found_by_key_only_by_its_client(app: &TestApp) {
    let (acme, acme_token) = app.client("Acme", "ACME").await;
    let (globex, globex_token) = app.client("Globex", "GLOBEX").await;
    let staff = app.token(Role::Agent, None, "agent@provider.test").await;
    let id = app
        .open_ticket(&staff, &acme, "ACME", "T-12", "2026-03-02T08:00:00Z")
        .await;
    let body = json!({"client": globex.to_string(), "contract_id": "GLOBEX", "key": "T-12",
        "priority": "critical", "at": "2026-03-02T08:00:00Z"});
    let res = app.post_json(&staff, "/api/v1/tickets", &body).await;
    let p = problem(res, StatusCode::CONFLICT).await;
    assert_eq!(p["field"], "key", "{p}");
    assert!(p["detail"].as_str().unwrap().contains("T-12"), "{p}");

    let (status, page) = json_of(app.get(Some(&staff), "/api/v1/tickets?key=T-12").await).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let ids: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [id.as_str()]);
    let (_, mine) = json_of(app.get(Some(&acme_token), "/api/v1/tickets?key=T-12").await).await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 1, "{mine}");
    // Another client's key is simply not found.
    let (status, theirs) = json_of(
        app.get(Some(&globex_token), "/api/v1/tickets?key=T-12")
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(theirs["items"], json!([]), "{theirs}");
}
both!(a_key_another_client_uses_is_refused_and_found_by_key_only_by_its_client);

async fn a_ticket_after_the_contract_ends_is_refused_naming_at(app: &TestApp) {
    let client = app
        .store
        .accounts()
        .create_client("Acme", jiff::Timestamp::now())
        .await
        .unwrap();
    let text = CONTRACT.replace("CONTRACT_ID", "ACME").replace(
        "effective_from = 2026-01-01",
        "effective_from = 2026-01-01\neffective_until = 2026-09-30",
    );
    app.store
        .contracts()
        .put_version(&client, "c.toml", &text, jiff::Timestamp::now())
        .await
        .unwrap();
    let staff = app.token(Role::Agent, None, "agent@provider.test").await;
    let body = json!({"client": client.to_string(), "contract_id": "ACME", "key": "T-1",
        "priority": "critical", "at": "2026-10-01T09:00:00Z"});
    let res = app.post_json(&staff, "/api/v1/tickets", &body).await;
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p["field"], "at", "{p}");
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("in force from 2026-01-01 to 2026-09-30"),
        "{p}"
    );
    let (_, page) = json_of(app.get(Some(&staff), "/api/v1/tickets").await).await;
    assert_eq!(page["items"], json!([]), "nothing written: {page}");
    // The same ticket on the last day is taken.
    app.open_ticket(&staff, &client, "ACME", "T-1", "2026-09-30T09:00:00Z")
        .await;
}
both!(a_ticket_after_the_contract_ends_is_refused_naming_at);

async fn a_contract_uploaded_with_its_holiday_file_honours_those_holidays(app: &TestApp) {
    let client = app
        .store
        .accounts()
        .create_client("Northwind Retail Inc.", jiff::Timestamp::now())
        .await
        .unwrap();
    let admin = app.token(Role::Admin, None, "admin@provider.test").await;
    let path = format!("/api/v1/contracts?client={client}&name=hosting-24x7.contract.toml");
    // Without the file: the usual diagnostic at the line naming it.
    let res = app
        .post_raw(&admin, &path, "application/toml", HOSTING.to_string())
        .await;
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p["errors"][0]["line"], 38, "{p}");
    // With exactly the example's pair.
    let body = json!({"text": HOSTING, "files": {"holidays/us-federal.ics": US_FEDERAL}});
    let res = app.post_json(&admin, &path, &body).await;
    let (status, stored) = json_of(res).await;
    assert_eq!(status, StatusCode::CREATED, "{stored}");
    let res = app
        .get(
            Some(&admin),
            "/api/v1/contracts/northwind-hosting-2026/versions/2/render?format=md",
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let appendix = res.text().await.unwrap();
    assert!(appendix.contains("26 November 2026"), "{appendix}");
    assert!(appendix.contains("25 December 2026"), "{appendix}");

    // An amendment that does not send the file again keeps it.
    let amended = HOSTING
        .replace("version = 2 ", "version = 3 ")
        .replace("effective_from = 2026-02-01", "effective_from = 2026-06-01");
    let res = app
        .post_raw(
            &admin,
            "/api/v1/contracts/northwind-hosting-2026/versions",
            "application/toml",
            amended,
        )
        .await;
    let (status, v3) = json_of(res).await;
    assert_eq!(status, StatusCode::CREATED, "{v3}");
    let res = app
        .get(
            Some(&admin),
            "/api/v1/contracts/northwind-hosting-2026/versions/3/render?format=md",
        )
        .await;
    assert!(res.text().await.unwrap().contains("26 November 2026"));
}
both!(a_contract_uploaded_with_its_holiday_file_honours_those_holidays);
