//! Contract upload and versions over HTTP.

use accord_store::Role;
use reqwest::StatusCode;

use crate::helpers::{CONTRACT, TestApp, both, json_of, problem};

async fn contracts_upload_list_and_report_every_problem(app: &TestApp) {
    let client = app
        .store
        .accounts()
        .create_client("Test client", jiff::Timestamp::now())
        .await
        .unwrap();
    let staff = app.token(Role::Admin, None, "admin@provider.test").await;
    let path = format!("/api/v1/contracts?client={client}&name=acme.contract.toml");
    let text = CONTRACT.replace("CONTRACT_ID", "ACME");
    let (status, v) = json_of(
        app.post_raw(&staff, &path, "application/toml", text.clone())
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    assert_eq!(
        (v["contract_id"].as_str(), v["version"].as_u64()),
        (Some("ACME"), Some(1))
    );
    problem(
        app.post_raw(&staff, &path, "application/toml", text).await,
        StatusCode::CONFLICT,
    )
    .await;

    let bad = CONTRACT
        .replace("CONTRACT_ID", "ACME2")
        .replace("\"4h\"", "\"4hrs\"");
    let p = problem(
        app.post_raw(&staff, &path, "application/toml", bad).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let errors = p["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{p}");
    assert_eq!(
        (errors[0]["line"].as_u64(), errors[0]["column"].as_u64()),
        (Some(13), Some(14)),
        "{p}"
    );
    assert!(errors[0]["message"].as_str().unwrap().contains("4hrs"));
    problem(
        app.get(Some(&staff), "/api/v1/contracts/ACME2/versions")
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;

    let (status, versions) = json_of(
        app.get(Some(&staff), "/api/v1/contracts/ACME/versions")
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(versions.as_array().unwrap().len(), 1);
    assert_eq!(versions[0]["source_name"], "acme.contract.toml");
}
both!(contracts_upload_list_and_report_every_problem);

async fn a_contract_is_stored_only_under_the_client_it_names(app: &TestApp) {
    let ours = app
        .store
        .accounts()
        .create_client("Test client", jiff::Timestamp::now())
        .await
        .unwrap();
    let harbour = app
        .store
        .accounts()
        .create_client("Harbour", jiff::Timestamp::now())
        .await
        .unwrap();
    let staff = app.token(Role::Admin, None, "admin@provider.test").await;
    let text = CONTRACT.replace("CONTRACT_ID", "ACME");
    // Under another client's id: refused naming `client`, nothing stored,
    // so Harbour's users never read this contract's contacts.
    let p = problem(
        app.post_raw(
            &staff,
            &format!("/api/v1/contracts?client={harbour}"),
            "application/toml",
            text.clone(),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["field"], "client", "{p}");
    assert!(p["detail"].as_str().unwrap().contains("Harbour"), "{p}");
    problem(
        app.get(Some(&staff), "/api/v1/contracts/ACME/versions")
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // Under its own client, in any case and spacing, it is stored.
    let (status, v) = json_of(
        app.post_raw(
            &staff,
            &format!("/api/v1/contracts?client={ours}"),
            "application/toml",
            text.replace("\"Test client\"", "\"test  CLIENT\""),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    // An amendment may not move it to another client either.
    let amended = text
        .replace(
            "client = \"Test client\"",
            "version = 2\nclient = \"Harbour\"",
        )
        .replace("effective_from = 2026-01-01", "effective_from = 2026-06-01");
    let p = problem(
        app.post_raw(
            &staff,
            "/api/v1/contracts/ACME/versions",
            "application/toml",
            amended,
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        p["detail"].as_str().unwrap().contains("keeps the client"),
        "{p}"
    );
}
both!(a_contract_is_stored_only_under_the_client_it_names);
