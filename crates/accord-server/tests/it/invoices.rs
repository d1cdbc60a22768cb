//! Invoices through the API (SPEC §8): an admin drafts a month from the
//! approved time and issues it; the number comes from its series without
//! gaps, the documents are rendered once and served byte for byte with
//! their SHA-256 as ETag, the invoiced entries are frozen, and a client
//! reads its own invoices only.

use accord_server::{ManualTime, Settings};
use accord_store::testing::{CONTRACT, TestDb};
use accord_store::{ClientId, Role};
use jiff::Timestamp;
use reqwest::StatusCode;
use serde_json::json;
use sha2::Digest;

use crate::helpers::{TestApp, json_of, problem};

/// `CONTRACT` as `id`, billed at 100.00 an hour, 14 days to pay.
fn contract(id: &str) -> String {
    format!(
        "{}\n[billing]\nrate = \"100.00\"\ninvoice_every = \"month\"\npayment_terms_days = 14\n",
        CONTRACT.replace("CONTRACT_ID", id).replace(
            "client = \"Test client\"",
            "client = \"Test client\"\ncurrency = \"EUR\""
        )
    )
}

async fn client(app: &TestApp, name: &str, id: &str) -> ClientId {
    let c = app
        .store
        .accounts()
        .create_client(name, Timestamp::now())
        .await
        .unwrap();
    app.store
        .contracts()
        .put_version(&c, "c.toml", &contract(id), Timestamp::now())
        .await
        .unwrap();
    c
}

async fn invoices_are_issued_once_with_frozen_documents_and_clients_read_their_own(app: &TestApp) {
    let acme = client(app, "Acme", "acme").await;
    let beta = client(app, "Beta", "beta").await;
    let admin = app.token(Role::Admin, None, "admin@provider.test").await;
    let sam = app.token(Role::Agent, None, "sam@provider.test").await;
    let acme_user = app.token(Role::Client, Some(acme), "u@acme.test").await;
    let beta_user = app.token(Role::Client, Some(beta), "u@beta.test").await;

    // Sam's 90 minutes in March, approved.
    let (status, e) = json_of(
        app.post_json(
            &sam,
            "/api/v1/contracts/acme/time-entries",
            &json!({"id": "E-1", "start": "2026-03-02T09:00:00Z", "minutes": 90, "activity": "development"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{e}");
    let entry = format!("/api/v1/time-entries/{}", e["id"].as_str().unwrap());
    app.post_json(&sam, &format!("{entry}/submit"), &json!({}))
        .await;
    app.post_json(&admin, &format!("{entry}/approve"), &json!({}))
        .await;

    let body = json!({"period": "2026-03", "credits": "20.00"});
    problem(
        app.post_json(&sam, "/api/v1/contracts/acme/invoices", &body)
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let (status, draft) = json_of(
        app.post_json(&admin, "/api/v1/contracts/acme/invoices", &body)
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{draft}");
    assert_eq!(
        (&draft["status"], &draft["net"], &draft["number"]),
        (&json!("draft"), &json!("130.00"), &json!(null))
    );
    let invoice = format!("/api/v1/invoices/{}", draft["id"].as_str().unwrap());

    let (status, issued) = json_of(
        app.post_json(&admin, &format!("{invoice}/issue"), &json!({}))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{issued}");
    assert_eq!(issued["status"], "issued");
    assert_eq!(issued["number"], "ACME-2026-0001");
    assert_eq!(
        (&issued["issue_date"], &issued["due_date"]),
        (&json!("2026-04-02"), &json!("2026-04-16"))
    );
    problem(
        app.post_json(&admin, &format!("{invoice}/issue"), &json!({}))
            .await,
        StatusCode::CONFLICT,
    )
    .await;

    // The PDF is served as frozen, with its hash as ETag, to the client too.
    for token in [&admin, &acme_user] {
        let res = app
            .get(Some(token), &format!("{invoice}/documents/pdf"))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-type"], "application/pdf");
        let etag = res.headers()["etag"].to_str().unwrap().to_string();
        let bytes = res.bytes().await.unwrap();
        assert!(bytes.starts_with(b"%PDF"));
        let hash: String = sha2::Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(etag, format!("\"{hash}\""));
    }
    let html = app
        .get(Some(&acme_user), &format!("{invoice}/documents/html"))
        .await;
    assert!(html.text().await.unwrap().contains("ACME-2026-0001"));

    // Another client sees nothing of it.
    for path in [invoice.clone(), format!("{invoice}/documents/pdf")] {
        problem(
            app.get(Some(&beta_user), &path).await,
            StatusCode::NOT_FOUND,
        )
        .await;
    }

    // The invoiced entry is frozen.
    let (_, e) = json_of(app.get(Some(&sam), &entry).await).await;
    assert_eq!(e["status"], "invoiced", "{e}");
    let res = app
        .send(
            "PATCH",
            Some(&sam),
            &entry,
            Some(("application/json", json!({"minutes": 30}).to_string())),
        )
        .await;
    let p = problem(res, StatusCode::CONFLICT).await;
    assert!(p["detail"].as_str().unwrap().contains("invoiced"), "{p}");
    // Paid, once, by an admin.
    let pay = json!({"amount": "130.00", "paid_on": "2026-04-10"});
    problem(
        app.post_json(&acme_user, &format!("{invoice}/pay"), &pay)
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let (status, paid) =
        json_of(app.post_json(&admin, &format!("{invoice}/pay"), &pay).await).await;
    assert_eq!(status, StatusCode::OK, "{paid}");
    assert_eq!(
        (&paid["status"], &paid["paid_on"]),
        (&json!("paid"), &json!("2026-04-10"))
    );
    problem(
        app.post_json(&admin, &format!("{invoice}/pay"), &pay).await,
        StatusCode::CONFLICT,
    )
    .await;
    // One invoice per month.
    problem(
        app.post_json(&admin, "/api/v1/contracts/acme/invoices", &body)
            .await,
        StatusCode::CONFLICT,
    )
    .await;
}

mod invoices_are_issued_once_with_frozen_documents_and_clients_read_their_own {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        let clock = super::ManualTime::new(super::t("2026-04-02T12:00:00Z"));
        let app = super::TestApp::start_with(
            super::TestDb::sqlite().await,
            super::Settings::default(),
            clock.source(),
        )
        .await;
        super::invoices_are_issued_once_with_frozen_documents_and_clients_read_their_own(&app)
            .await;
        app.finish().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        let Some(db) = super::TestDb::postgres().await else {
            return;
        };
        let clock = super::ManualTime::new(super::t("2026-04-02T12:00:00Z"));
        let app = super::TestApp::start_with(db, super::Settings::default(), clock.source()).await;
        super::invoices_are_issued_once_with_frozen_documents_and_clients_read_their_own(&app)
            .await;
        app.finish().await;
    }
}

fn t(s: &str) -> Timestamp {
    s.parse().unwrap()
}
