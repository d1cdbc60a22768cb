//! Time tracking through the API (SPEC §8, §10, roles §1): agents record
//! and submit their own time, admins approve and lock periods, a locked or
//! approved entry is corrected rather than changed, imports are all or
//! nothing with every bad line named, timers become draft entries, and a
//! client reads its entries and accepts locked periods — nothing else.

use accord_server::{ManualTime, Settings};
use accord_store::testing::{CONTRACT, TestDb};
use accord_store::{ClientId, Role};
use jiff::Timestamp;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, json_of, problem};

fn t(s: &str) -> Timestamp {
    s.parse().unwrap()
}

const SAM: &str = "sam@provider.test";
const ADMIN: &str = "admin@provider.test";

/// `CONTRACT` as `acme`, with billing terms that ask the client to accept
/// periods.
fn contract() -> String {
    format!(
        "{}\n[billing]\nrate = \"100.00\"\ninvoice_every = \"month\"\nclient_accepts_periods = true\n",
        CONTRACT.replace("CONTRACT_ID", "acme").replace(
            "client = \"Test client\"",
            "client = \"Test client\"\ncurrency = \"EUR\""
        )
    )
}

/// A server whose clock reads 2 April 2026, 12:00 UTC, with client Acme
/// under contract `acme` and tokens for an admin, two agents and an Acme
/// user.
struct Env {
    app: TestApp,
    clock: ManualTime,
    admin: String,
    sam: String,
    kim: String,
    client: String,
}

impl Env {
    async fn start(db: TestDb) -> Env {
        let clock = ManualTime::new(t("2026-04-02T12:00:00Z"));
        let app = TestApp::start_with(db, Settings::default(), clock.source()).await;
        let client: ClientId = app
            .store
            .accounts()
            .create_client("Acme", Timestamp::now())
            .await
            .unwrap();
        app.store
            .contracts()
            .put_version(&client, "acme.toml", &contract(), Timestamp::now())
            .await
            .unwrap();
        let admin = app.token(Role::Admin, None, ADMIN).await;
        let sam = app.token(Role::Agent, None, SAM).await;
        let kim = app.token(Role::Agent, None, "kim@provider.test").await;
        let client = app
            .token(Role::Client, Some(client), "user@acme.test")
            .await;
        Env {
            app,
            clock,
            admin,
            sam,
            kim,
            client,
        }
    }

    async fn post(&self, token: &str, path: &str, body: &Value) -> reqwest::Response {
        self.app.post_json(token, path, body).await
    }

    /// Writes an entry of Sam's as Sam, answering it.
    async fn entry(&self, key: &str, start: &str, minutes: u32) -> Value {
        let body = json!({"id": key, "start": start, "minutes": minutes,
            "activity": "development", "ticket": "T-1"});
        let (status, e) = json_of(
            self.post(&self.sam, "/api/v1/contracts/acme/time-entries", &body)
                .await,
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{e}");
        e
    }

    async fn list(&self, token: &str, query: &str) -> Value {
        let (status, list) = json_of(
            self.app
                .get(
                    Some(token),
                    &format!("/api/v1/contracts/acme/time-entries{query}"),
                )
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

fn path(e: &Value, action: &str) -> String {
    format!("/api/v1/time-entries/{}{action}", e["id"].as_str().unwrap())
}

on_both!(an_agent_records_and_submits_time_and_an_admin_approves_it);
async fn an_agent_records_and_submits_time_and_an_admin_approves_it(env: &Env) {
    let e = env.entry("E-1", "2026-03-31T09:00:00+02:00", 70).await;
    assert_eq!(e["person"], SAM, "the person defaults to the caller");
    assert_eq!(
        (&e["status"], &e["raw_s"], &e["period"], &e["key"]),
        (
            &json!("draft"),
            &json!(4200),
            &json!("2026-03"),
            &json!("E-1")
        )
    );
    assert_eq!(e["start"], "2026-03-31T07:00:00Z");

    let (status, _) = json_of(env.post(&env.sam, &path(&e, "/submit"), &json!({})).await).await;
    assert_eq!(status, StatusCode::OK);
    let p = problem(
        env.post(&env.sam, &path(&e, "/approve"), &json!({})).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("only admins"), "{p}");
    let (status, approved) = json_of(
        env.post(&env.admin, &path(&e, "/approve"), &json!({}))
            .await,
    )
    .await;
    assert_eq!(
        (status, &approved["status"]),
        (StatusCode::OK, &json!("approved"))
    );

    let (status, detail) = json_of(env.app.get(Some(&env.sam), &path(&e, "")).await).await;
    assert_eq!(status, StatusCode::OK, "{detail}");
    let steps: Vec<(Value, Value, Value)> = detail["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["from"].clone(), h["to"].clone(), h["by"].clone()))
        .collect();
    assert_eq!(
        steps,
        [
            (json!(null), json!("draft"), json!(SAM)),
            (json!("draft"), json!("submitted"), json!(SAM)),
            (json!("submitted"), json!("approved"), json!(ADMIN)),
        ]
    );
    // Approving again is a conflict naming the status.
    let p = problem(
        env.post(&env.admin, &path(&e, "/approve"), &json!({}))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(
        p["detail"].as_str().unwrap().contains("it is approved"),
        "{p}"
    );
}

on_both!(editing_a_locked_entry_is_refused_with_a_message_naming_the_lock);
async fn editing_a_locked_entry_is_refused_with_a_message_naming_the_lock(env: &Env) {
    let e = env.entry("E-1", "2026-03-02T09:00:00Z", 30).await;
    let (status, lock) = json_of(
        env.post(
            &env.admin,
            "/api/v1/contracts/acme/periods/2026-03/lock",
            &json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{lock}");
    assert_eq!(
        (&lock["locked"], &lock["locked_by"]),
        (&json!(true), &json!(ADMIN))
    );

    let res = env
        .app
        .send(
            "PATCH",
            Some(&env.sam),
            &path(&e, ""),
            Some(("application/json", json!({"minutes": 45}).to_string())),
        )
        .await;
    let p = problem(res, StatusCode::CONFLICT).await;
    let detail = p["detail"].as_str().unwrap();
    assert!(
        detail.contains("period 2026-03 of contract `acme` is locked (by admin@provider.test at 2026-04-02T12:00:00Z)"),
        "{detail}"
    );
    let res = env.app.delete(&env.sam, &path(&e, "")).await;
    problem(res, StatusCode::CONFLICT).await;
    let p = problem(
        env.post(
            &env.sam,
            "/api/v1/contracts/acme/time-entries",
            &json!({"start": "2026-03-03T09:00:00Z", "minutes": 10, "activity": "dev"}),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("is locked"), "{p}");

    // The way to change it: a correction, which replaces it.
    let (status, fix) = json_of(
        env.post(
            &env.sam,
            &path(&e, "/correct"),
            &json!({"reason": "the call ran long", "id": "E-1-fix",
                "start": "2026-03-02T09:00:00Z", "minutes": 45, "activity": "development"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{fix}");
    assert_eq!((&fix["corrects"], &fix["raw_s"]), (&e["id"], &json!(2700)));
    let (_, original) = json_of(env.app.get(Some(&env.sam), &path(&e, "")).await).await;
    assert_eq!(
        (&original["corrected_by"], &original["raw_s"]),
        (&fix["id"], &json!(1800))
    );
}

on_both!(an_import_with_any_bad_line_writes_nothing_and_names_every_line);
async fn an_import_with_any_bad_line_writes_nothing_and_names_every_line(env: &Env) {
    let good = r#"{"id":"E-1","person":"sam@provider.test","start":"2026-03-02T09:00:00Z","minutes":30,"activity":"development"}"#;
    let bad_end = r#"{"id":"E-2","person":"sam@provider.test","start":"2026-03-02T09:00:00Z","end":"2026-03-02T08:00:00Z","activity":"development"}"#;
    let bad_minutes = r#"{"id":"E-3","person":"sam@provider.test","start":"2026-03-02T09:00:00Z","minutes":"lots","activity":"development"}"#;
    let import = "/api/v1/contracts/acme/time-entries/import";
    let body = format!("{good}\n{bad_end}\n{bad_minutes}\n");
    let res = env
        .app
        .post_raw(&env.admin, import, "application/jsonl", body)
        .await;
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let errors: Vec<(Value, Value)> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["line"].clone(), e["field"].clone()))
        .collect();
    assert_eq!(
        errors,
        [(json!(2), json!("end")), (json!(3), json!("minutes"))],
        "{p}"
    );
    assert_eq!(env.list(&env.admin, "").await, json!([]));

    // A dry run checks everything and writes nothing.
    let dry = format!("{import}?dry_run=true");
    let (status, out) = json_of(
        env.app
            .post_raw(&env.admin, &dry, "application/jsonl", good.to_string())
            .await,
    )
    .await;
    assert_eq!(
        (status, &out["dry_run"]),
        (StatusCode::OK, &json!(true)),
        "{out}"
    );
    assert_eq!(out["entries"].as_array().unwrap().len(), 1);
    assert_eq!(env.list(&env.admin, "").await, json!([]));

    // CSV with the same column names.
    let csv = "id,person,start,minutes,activity,note\n\
               E-1,sam@provider.test,2026-03-02T09:00:00Z,30,development,\"Kick-off, with Acme\"\n";
    let (status, out) = json_of(env.app.post_raw(&env.admin, import, "text/csv", csv).await).await;
    assert_eq!(status, StatusCode::CREATED, "{out}");
    assert_eq!(out["entries"][0]["note"], "Kick-off, with Acme");
    // Every bad CSV record is named too.
    let bad_csv = "id,person,start,minutes,activity\n\
                   E-7,sam@provider.test,2026-03-02T09:00:00Z,lots,development\n\
                   E-8,sam@provider.test,yesterday,5,development\n";
    let res = env
        .app
        .post_raw(&env.admin, import, "text/csv", bad_csv)
        .await;
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let errors: Vec<(Value, Value)> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["line"].clone(), e["field"].clone()))
        .collect();
    assert_eq!(
        errors,
        [(json!(2), json!("minutes")), (json!(3), json!("start"))],
        "{p}"
    );
    // The same id again is a conflict naming it.
    let res = env.app.post_raw(&env.admin, import, "text/csv", csv).await;
    let p = problem(res, StatusCode::CONFLICT).await;
    assert!(p["detail"].as_str().unwrap().contains("E-1"), "{p}");
    // An agent imports only their own time.
    let res = env
        .app
        .post_raw(&env.kim, import, "application/jsonl", good.to_string())
        .await;
    problem(res, StatusCode::FORBIDDEN).await;
}

on_both!(a_timer_runs_until_stopped_and_becomes_a_draft_entry);
async fn a_timer_runs_until_stopped_and_becomes_a_draft_entry(env: &Env) {
    let start = json!({"contract_id": "acme", "activity": "support", "ticket": "T-9"});
    let (status, timer) = json_of(env.post(&env.sam, "/api/v1/timer/start", &start).await).await;
    assert_eq!(status, StatusCode::CREATED, "{timer}");
    assert_eq!(timer["started_at"], "2026-04-02T12:00:00Z");
    problem(
        env.post(&env.sam, "/api/v1/timer/start", &start).await,
        StatusCode::CONFLICT,
    )
    .await;
    let (_, running) = json_of(env.app.get(Some(&env.sam), "/api/v1/timer").await).await;
    assert_eq!(running["activity"], "support");
    let (_, none) = json_of(env.app.get(Some(&env.kim), "/api/v1/timer").await).await;
    assert_eq!(none, json!(null), "a timer is its person's");

    env.clock.set(t("2026-04-02T12:25:00Z"));
    let (status, e) = json_of(env.post(&env.sam, "/api/v1/timer/stop", &json!({})).await).await;
    assert_eq!(status, StatusCode::CREATED, "{e}");
    assert_eq!(
        (&e["raw_s"], &e["status"], &e["ticket"], &e["person"]),
        (&json!(1500), &json!("draft"), &json!("T-9"), &json!(SAM))
    );
    let (_, none) = json_of(env.app.get(Some(&env.sam), "/api/v1/timer").await).await;
    assert_eq!(none, json!(null));
    problem(
        env.post(&env.sam, "/api/v1/timer/stop", &json!({})).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        env.post(&env.client, "/api/v1/timer/start", &start).await,
        StatusCode::FORBIDDEN,
    )
    .await;
}

on_both!(a_client_reads_its_entries_and_accepts_only_locked_periods);
async fn a_client_reads_its_entries_and_accepts_only_locked_periods(env: &Env) {
    let e = env.entry("E-1", "2026-03-02T09:00:00Z", 30).await;
    let list = env.list(&env.client, "?period=2026-03").await;
    assert_eq!(list[0]["key"], "E-1");
    let (status, _) = json_of(env.app.get(Some(&env.client), &path(&e, "")).await).await;
    assert_eq!(status, StatusCode::OK);
    // Nothing else.
    for (p, body) in [
        (
            "/api/v1/contracts/acme/time-entries",
            json!({"start": "2026-03-02T09:00:00Z", "minutes": 5, "activity": "x"}),
        ),
        (&path(&e, "/submit") as &str, json!({})),
        ("/api/v1/contracts/acme/periods/2026-03/lock", json!({})),
    ] {
        problem(env.post(&env.client, p, &body).await, StatusCode::FORBIDDEN).await;
    }

    let accept = "/api/v1/contracts/acme/periods/2026-03/accept";
    let p = problem(
        env.post(&env.client, accept, &json!({})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("not locked"), "{p}");
    env.post(
        &env.admin,
        "/api/v1/contracts/acme/periods/2026-03/lock",
        &json!({}),
    )
    .await;
    problem(
        env.post(&env.admin, accept, &json!({})).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let (status, period) = json_of(env.post(&env.client, accept, &json!({})).await).await;
    assert_eq!(status, StatusCode::OK, "{period}");
    assert_eq!(period["accepted_by"], "user@acme.test");
    let (_, read) = json_of(
        env.app
            .get(Some(&env.admin), "/api/v1/contracts/acme/periods/2026-03")
            .await,
    )
    .await;
    assert_eq!(
        (&read["locked"], &read["accepted_by"]),
        (&json!(true), &json!("user@acme.test"))
    );
}

on_both!(an_agent_works_only_with_their_own_entries_and_a_rejection_says_why);
async fn an_agent_works_only_with_their_own_entries_and_a_rejection_says_why(env: &Env) {
    let e = env.entry("E-1", "2026-03-02T09:00:00Z", 30).await;
    assert_eq!(
        env.list(&env.kim, "").await,
        json!([]),
        "Kim sees only Kim's"
    );
    let res = env
        .app
        .send(
            "PATCH",
            Some(&env.kim),
            &path(&e, ""),
            Some(("application/json", json!({"minutes": 45}).to_string())),
        )
        .await;
    problem(res, StatusCode::FORBIDDEN).await;
    problem(
        env.post(
            &env.kim,
            "/api/v1/contracts/acme/time-entries",
            &json!({"person": SAM, "start": "2026-03-02T09:00:00Z", "minutes": 5, "activity": "x"}),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    // A bad field is named.
    let p = problem(
        env.post(
            &env.sam,
            "/api/v1/contracts/acme/time-entries",
            &json!({"start": "2026-03-02T09:00:00Z", "end": "2026-03-02T08:00:00Z", "activity": "x"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["field"], "end", "{p}");

    env.post(&env.sam, &path(&e, "/submit"), &json!({})).await;
    let p = problem(
        env.post(&env.admin, &path(&e, "/reject"), &json!({})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["field"], "why");
    let (status, back) = json_of(
        env.post(
            &env.admin,
            &path(&e, "/reject"),
            &json!({"why": "wrong ticket"}),
        )
        .await,
    )
    .await;
    assert_eq!((status, &back["status"]), (StatusCode::OK, &json!("draft")));
    // Sam changes and deletes their draft.
    let res = env
        .app
        .send(
            "PATCH",
            Some(&env.sam),
            &path(&e, ""),
            Some(("application/json", json!({"ticket": "T-2"}).to_string())),
        )
        .await;
    let (status, changed) = json_of(res).await;
    assert_eq!(
        (status, &changed["ticket"]),
        (StatusCode::OK, &json!("T-2")),
        "{changed}"
    );
    let res = env.app.delete(&env.sam, &path(&e, "")).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
}
