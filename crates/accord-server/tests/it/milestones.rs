//! Milestones through the API (SPEC §6, §10): staff record events, anyone
//! who may see the contract reads the outcomes the core's fold gives as of
//! the server's now, clients may not write, bad events are refused naming
//! the field, and an overdue invoice's pause stops every milestone. The
//! contract is `accord_store::testing::milestone_contract`: an every-day
//! calendar, so business days are days.

use accord_server::{ManualTime, Settings};
use accord_store::testing::{TestDb, milestone_contract};
use accord_store::{ClientId, Role};
use jiff::Timestamp;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, json_of, problem};

fn t(s: &str) -> Timestamp {
    s.parse().unwrap()
}

/// A server whose clock reads 2 March 2026, 12:00 UTC, with client Acme
/// under contract `acme`, a staff token and an Acme user's token.
struct Env {
    app: TestApp,
    clock: ManualTime,
    staff: String,
    client_token: String,
}

impl Env {
    async fn start(db: TestDb) -> Env {
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
                &milestone_contract("acme"),
                Timestamp::now(),
            )
            .await
            .unwrap();
        let staff = app.token(Role::Agent, None, "agent@provider.test").await;
        let client_token = app
            .token(Role::Client, Some(client), "user@acme.test")
            .await;
        Env {
            app,
            clock,
            staff,
            client_token,
        }
    }

    async fn milestones(&self, token: &str) -> (StatusCode, Value) {
        json_of(
            self.app
                .get(Some(token), "/api/v1/contracts/acme/milestones")
                .await,
        )
        .await
    }

    async fn post(&self, token: &str, path: &str, body: &Value) -> reqwest::Response {
        self.app
            .post_json(
                token,
                &format!("/api/v1/contracts/acme/milestones{path}"),
                body,
            )
            .await
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

fn by_id<'a>(list: &'a Value, id: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|m| m["milestone"] == id)
        .unwrap_or_else(|| panic!("no milestone {id} in {list}"))
}

on_both!(a_late_export_and_an_agreed_shift_move_go_live_for_staff_and_client_alike);
async fn a_late_export_and_an_agreed_shift_move_go_live_for_staff_and_client_alike(env: &Env) {
    let batch = json!([
        {"milestone": "go-live", "kind": "deliverable_received", "deliverable": "export",
         "at": "2026-02-18T10:00:00Z", "id": "r1", "by": "mia@client.example"},
        {"milestone": "go-live", "kind": "shifted", "days": 2, "reason": "extra report agreed",
         "at": "2026-02-20T10:00:00+01:00", "id": "s1", "note": "call of 20 Feb"},
    ]);
    let (status, done) = json_of(env.post(&env.staff, "/events", &batch).await).await;
    assert_eq!(status, StatusCode::CREATED, "{done}");
    assert_eq!(done, json!({"inserted": 2, "duplicates": 0}));
    // Sent again (a retry): stored once.
    let (status, done) = json_of(env.post(&env.staff, "/events", &batch).await).await;
    assert_eq!(
        (status, done),
        (StatusCode::CREATED, json!({"inserted": 0, "duplicates": 2}))
    );

    let (status, list) = env.milestones(&env.staff).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let go_live = by_id(&list, "go-live");
    // Five days late (14 to 18 February), shifted two more.
    assert_eq!(go_live["baseline_due"], "2026-03-31");
    assert_eq!(go_live["adjusted_due"], "2026-04-07");
    assert_eq!(go_live["client_delay_days"], 5);
    assert_eq!(go_live["shift_days"], 2);
    assert_eq!(go_live["state"], "on_track");
    assert_eq!(go_live["deliverables"][0]["received"], "2026-02-18");
    assert_eq!(go_live["deliverables"][0]["days_late"], 5);
    let ledger = go_live["ledger"].as_array().unwrap();
    assert_eq!(ledger.len(), 2, "{go_live}");
    assert_eq!(ledger[0]["cause"], "deliverable");
    assert_eq!(ledger[0]["deliverable"], "export");
    assert_eq!(ledger[1]["cause"], "shift");
    assert_eq!(ledger[1]["note"], "call of 20 Feb");
    assert_eq!(by_id(&list, "handover")["adjusted_due"], "2026-04-30");

    // The client reads the same ledger.
    let (status, seen) = env.milestones(&env.client_token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(seen, list);
}

on_both!(a_client_may_read_milestones_but_not_record_them);
async fn a_client_may_read_milestones_but_not_record_them(env: &Env) {
    let event = json!({"milestone": "go-live", "kind": "completed", "at": "2026-03-02T11:00:00Z"});
    for (path, body) in [
        ("/events", event),
        ("/pause", json!({"reason": "pending_payment"})),
        ("/resume", json!({})),
    ] {
        let p = problem(
            env.post(&env.client_token, path, &body).await,
            StatusCode::FORBIDDEN,
        )
        .await;
        assert!(p["detail"].as_str().unwrap().contains("staff"), "{p}");
    }
    let (_, list) = env.milestones(&env.client_token).await;
    assert_eq!(by_id(&list, "go-live")["completed"], Value::Null);
    assert_eq!(by_id(&list, "handover")["pauses"], json!([]));
    // Another contract is not found, for staff too.
    let res = env
        .app
        .get(Some(&env.staff), "/api/v1/contracts/globex/milestones")
        .await;
    problem(res, StatusCode::NOT_FOUND).await;
}

on_both!(events_the_contract_does_not_know_are_refused_naming_the_field);
async fn events_the_contract_does_not_know_are_refused_naming_the_field(env: &Env) {
    let cases = [
        (
            json!([
                {"milestone": "go-live", "kind": "completed", "at": "2026-03-01T10:00:00Z"},
                {"milestone": "go-live", "kind": "deliverable_received", "deliverable": "schema",
                 "at": "2026-02-18T10:00:00Z"},
            ]),
            "[1].deliverable",
            "has no deliverable `schema`",
        ),
        (
            json!({"milestone": "go-lve", "kind": "completed", "at": "2026-03-01T10:00:00Z"}),
            "milestone",
            "did you mean `go-live`?",
        ),
        (
            json!({"milestone": "handover", "kind": "paused", "reason": "holiday",
                   "at": "2026-03-01T10:00:00Z"}),
            "reason",
            "pending_payment",
        ),
    ];
    for (body, field, says) in cases {
        let p = problem(
            env.post(&env.staff, "/events", &body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(p["field"], field, "{p}");
        assert!(p["detail"].as_str().unwrap().contains(says), "{p}");
    }
    // A field the format does not have is unreadable, at its place.
    let p = problem(
        env.post(
            &env.staff,
            "/events",
            &json!([{"milestone": "go-live", "kind": "completed", "at": "2026-03-01T10:00:00Z", "colour": "red"}]),
        )
        .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(p["field"], "[0].colour", "{p}");
    // Nothing was written.
    let (_, list) = env.milestones(&env.staff).await;
    assert_eq!(by_id(&list, "go-live")["completed"], Value::Null);
    assert_eq!(by_id(&list, "handover")["pauses"], json!([]));
}

on_both!(an_overdue_invoice_pauses_every_milestone_until_it_is_paid);
async fn an_overdue_invoice_pauses_every_milestone_until_it_is_paid(env: &Env) {
    let pause =
        json!({"reason": "pending_payment", "note": "invoice 2026-02 overdue", "id": "inv-2"});
    let (status, list) = json_of(env.post(&env.staff, "/pause", &pause).await).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    for m in list.as_array().unwrap() {
        assert_eq!(m["state"], "waiting_on_client", "{m}");
        assert_eq!(m["pauses"][0]["reason"], "pending_payment");
        assert_eq!(m["pauses"][0]["from"], "2026-03-02");
        assert_eq!(m["pauses"][0]["to"], Value::Null);
        assert_eq!(m["pauses"][0]["by"], "agent@provider.test");
    }
    // The invoice job retries: nothing more is recorded.
    let (_, again) = json_of(env.post(&env.staff, "/pause", &pause).await).await;
    assert_eq!(again, list);

    // Paid three days later.
    env.clock.set(t("2026-03-05T12:00:00Z"));
    let (status, list) = json_of(
        env.post(&env.staff, "/resume", &json!({"note": "paid"}))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let handover = by_id(&list, "handover");
    // (2 March, 5 March]: three days.
    assert_eq!(handover["pauses"][0]["to"], "2026-03-05");
    assert_eq!(handover["client_delay_days"], 3);
    assert_eq!(handover["adjusted_due"], "2026-05-03");
    assert_eq!(handover["state"], "on_track");
    // Go-live's export is still outstanding since 13 February: the pause
    // lies inside that delay and counts once (14 February to 5 March).
    let go_live = by_id(&list, "go-live");
    assert_eq!(go_live["client_delay_days"], 20);
    assert_eq!(go_live["adjusted_due"], "2026-04-20");
    assert_eq!(go_live["state"], "waiting_on_client");
}

on_both!(what_a_write_changes_reaches_subscribed_webhooks);
async fn what_a_write_changes_reaches_subscribed_webhooks(env: &Env) {
    let hook = crate::receivers::WebhookReceiver::start().await;
    let admin = env
        .app
        .token(Role::Admin, None, "admin@provider.test")
        .await;
    let res = env
        .app
        .post_json(
            &admin,
            "/api/v1/webhooks",
            &json!({"url": hook.url, "events": "all", "description": "milestones"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    // 2 March: go-live's export has been overdue since 14 February; the
    // pause moves handover (and the export's delay moves go-live).
    let pause = json!({"milestone": "handover", "kind": "paused", "reason": "pending_payment",
                       "at": "2026-02-27T09:00:00Z", "id": "p1"});
    let res = env.post(&env.staff, "/events", &pause).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let got = hook.wait_for(3).await;
    let mut events: Vec<(String, String)> = got
        .iter()
        .map(|h| {
            (
                h.json["event"].as_str().unwrap().to_string(),
                h.json["milestone"]["id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    events.sort();
    assert_eq!(
        events,
        [
            ("milestone.deliverable_overdue", "go-live"),
            ("milestone.shifted", "go-live"),
            ("milestone.shifted", "handover"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    let overdue = got
        .iter()
        .find(|h| h.json["event"] == "milestone.deliverable_overdue")
        .unwrap();
    assert_eq!(overdue.json["deliverable"]["name"], "export");
    assert_eq!(overdue.json["deliverable"]["owner"], "client.data_owner");
}
