//! Compliance statements through the API (SPEC §7, §10): an admin computes
//! a draft and issues it once its month has ended; the frozen JSON, HTML
//! and PDF carry the JSON's SHA-256 and are served byte for byte with it as
//! their ETag; an issued statement never changes; a client user sees only
//! its own issued statements. (The outbox rows issuing writes are checked
//! in the store's suite.)

use accord_server::{ManualTime, Settings};
use accord_store::testing::{TestDb, statement_contract};
use accord_store::{ClientId, Role};
use jiff::Timestamp;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::helpers::{TestApp, json_of, problem};

fn t(s: &str) -> Timestamp {
    s.parse().unwrap()
}

/// A server whose clock reads 2 March 2026, 12:00 UTC, with client Acme
/// under `statement_contract("acme")` (90 % of critical first responses
/// within 1 h; 10 % of 1000.00 credited below), two critical tickets that
/// morning — T-1 answered in 30 minutes, T-2 in two hours — and tokens for
/// an admin, an agent and an Acme user.
pub struct Env {
    pub app: TestApp,
    pub clock: ManualTime,
    pub admin: String,
    pub agent: String,
    pub client_token: String,
}

impl Env {
    pub async fn start(db: TestDb) -> Env {
        let clock = ManualTime::new(t("2026-03-02T12:00:00Z"));
        let app = TestApp::start_with(db, Settings::default(), clock.source()).await;
        let client: ClientId = app
            .store
            .accounts()
            .create_client("Acme", Timestamp::now())
            .await
            .unwrap();
        app.store
            .contracts()
            .put_version(
                &client,
                "acme.toml",
                &statement_contract("acme"),
                t("2026-03-01T00:00:00Z"),
            )
            .await
            .unwrap();
        let admin = app.token(Role::Admin, None, "admin@provider.test").await;
        let agent = app.token(Role::Agent, None, "agent@provider.test").await;
        let client_token = app
            .token(Role::Client, Some(client.clone()), "user@acme.test")
            .await;
        for (key, opened, replied) in [
            ("T-1", "2026-03-02T08:00:00Z", "2026-03-02T08:30:00Z"),
            ("T-2", "2026-03-02T09:00:00Z", "2026-03-02T11:00:00Z"),
        ] {
            let id = app.open_ticket(&agent, &client, "acme", key, opened).await;
            let res = app
                .post_json(
                    &agent,
                    &format!("/api/v1/tickets/{id}/events"),
                    &json!({"kind": "replied", "at": replied}),
                )
                .await;
            assert!(res.status().is_success(), "{}", res.text().await.unwrap());
        }
        Env {
            app,
            clock,
            admin,
            agent,
            client_token,
        }
    }

    async fn compute(&self, token: &str, period: &str) -> reqwest::Response {
        self.app
            .send(
                "POST",
                Some(token),
                &format!("/api/v1/contracts/acme/statements?period={period}"),
                None,
            )
            .await
    }

    async fn issue(&self, token: &str, id: &str) -> reqwest::Response {
        self.app
            .send(
                "POST",
                Some(token),
                &format!("/api/v1/statements/{id}/issue"),
                None,
            )
            .await
    }

    async fn list(&self, token: &str) -> Value {
        let (status, list) = json_of(
            self.app
                .get(Some(token), "/api/v1/contracts/acme/statements")
                .await,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{list}");
        list
    }
}

macro_rules! on_both {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let env = super::Env::start(accord_store::testing::TestDb::sqlite().await).await;
                super::$name(&env).await;
                env.app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(db) = accord_store::testing::TestDb::postgres().await else {
                    return;
                };
                let env = super::Env::start(db).await;
                super::$name(&env).await;
                env.app.finish().await;
            }
        }
    };
}

fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

on_both!(an_issued_statement_is_frozen_with_its_hash_on_every_document);
async fn an_issued_statement_is_frozen_with_its_hash_on_every_document(env: &Env) {
    let app = &env.app;
    let (status, draft) = json_of(env.compute(&env.admin, "2026-03").await).await;
    assert_eq!(status, StatusCode::OK, "{draft}");
    assert_eq!(draft["status"], "draft");
    let objective = &draft["statement"]["objectives"][0];
    assert_eq!(
        (objective["measured"].clone(), objective["met"].clone()),
        (json!(2), json!(1))
    );
    let id = draft["id"].as_str().unwrap().to_string();
    // March has not ended: not yet.
    let p = problem(
        env.issue(&env.admin, &id).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("ended"), "{p}");

    env.clock.set(t("2026-04-02T09:00:00Z"));
    let (status, issued) = json_of(env.issue(&env.admin, &id).await).await;
    assert_eq!(status, StatusCode::OK, "{issued}");
    assert_eq!(issued["status"], "issued");
    assert_eq!(issued["issued_by"], "admin@provider.test");
    assert_eq!(issued["as_of"], "2026-04-01T00:00:00Z");
    assert_eq!(issued["statement"]["credits"]["total"], "100.00");
    let sha = issued["sha256"].as_str().unwrap().to_string();

    // The JSON's hash is the ETag of every document and printed on the page.
    let base = format!("/api/v1/statements/{id}/document");
    let res = app.get(Some(&env.admin), &format!("{base}.json")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["etag"], format!("\"{sha}\"").as_str());
    let json = res.bytes().await.unwrap();
    assert_eq!(hex_sha256(&json), sha);
    let html = app
        .get(Some(&env.admin), &format!("{base}.html"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains(&sha), "the page names its content hash");
    let res = app
        .get(Some(&env.client_token), &format!("{base}.pdf"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert!(res.bytes().await.unwrap().starts_with(b"%PDF"));
    let cached = app
        .http
        .get(app.url(&format!("{base}.json")))
        .bearer_auth(&env.admin)
        .header("if-none-match", format!("\"{sha}\""))
        .send()
        .await
        .unwrap();
    assert_eq!(cached.status(), StatusCode::NOT_MODIFIED);

    // Never again: issuing and recomputing change nothing.
    problem(env.issue(&env.admin, &id).await, StatusCode::CONFLICT).await;
    let (_, again) = json_of(env.compute(&env.admin, "2026-03").await).await;
    assert_eq!(again, issued);
    let after = app
        .get(Some(&env.admin), &format!("{base}.json"))
        .await
        .bytes()
        .await
        .unwrap();
    assert_eq!(after, json);
}

on_both!(a_client_user_sees_only_issued_statements_and_only_admins_compute_or_issue);
async fn a_client_user_sees_only_issued_statements_and_only_admins_compute_or_issue(env: &Env) {
    let app = &env.app;
    problem(
        env.compute(&env.agent, "2026-03").await,
        StatusCode::FORBIDDEN,
    )
    .await;
    problem(
        env.compute(&env.client_token, "2026-03").await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let (_, draft) = json_of(env.compute(&env.admin, "2026-03").await).await;
    let id = draft["id"].as_str().unwrap().to_string();
    // Staff see the draft; the client does not.
    assert_eq!(env.list(&env.agent).await.as_array().unwrap().len(), 1);
    assert_eq!(env.list(&env.client_token).await, json!([]));
    let res = app
        .get(Some(&env.client_token), &format!("/api/v1/statements/{id}"))
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = app
        .get(
            Some(&env.admin),
            &format!("/api/v1/statements/{id}/document.pdf"),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::NOT_FOUND,
        "a draft has no frozen document"
    );

    env.clock.set(t("2026-04-01T00:00:00Z"));
    problem(env.issue(&env.agent, &id).await, StatusCode::FORBIDDEN).await;
    let (status, _) = json_of(env.issue(&env.admin, &id).await).await;
    assert_eq!(status, StatusCode::OK);
    let list = env.list(&env.client_token).await;
    assert_eq!(list[0]["id"], id.as_str());
    assert_eq!(list[0]["status"], "issued");
}

on_both!(a_bad_period_is_refused_naming_the_field);
async fn a_bad_period_is_refused_naming_the_field(env: &Env) {
    for bad in ["2026-13", "2026-Q1", "march", "2026-05"] {
        let res = env.compute(&env.admin, bad).await;
        let status = res.status();
        let p: Value = res.json().await.unwrap();
        assert!(status.is_client_error(), "{bad}: {status} {p}");
        assert!(p.to_string().contains("period"), "{bad}: {p}");
    }
}
