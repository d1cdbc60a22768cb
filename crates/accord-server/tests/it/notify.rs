//! Live monitoring and notifications: thresholds fire at
//! their instants, exactly once, as signed webhooks and e-mails to the
//! contract's contacts, with retries; events reschedule crossings. Time is
//! a manual clock the tests move; the receivers are real, on loopback.

use std::collections::BTreeSet;

use accord_server::settings::{NotificationSettings, SmtpSettings, SmtpTls};
use accord_server::{ManualTime, Settings};
use accord_store::testing::TestDb;
use accord_store::{ClientId, Role};
use jiff::{SignedDuration, Timestamp};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::sync::oneshot;

use crate::helpers::{CONTRACT, TestApp, json_of, problem};
use crate::receivers::{SmtpSink, WebhookReceiver, eventually};

/// The test contract with contacts, warnings at 50 % and 90 %, and two
/// contacts named for them.
fn contract(id: &str) -> String {
    CONTRACT.replace("CONTRACT_ID", id)
        + r#"
[contacts.provider]
delivery_lead = { name = "Sam Okafor", email = "sam@provider.test" }
account_manager = { name = "Dana Reyes", email = "dana@provider.test" }

[contacts.client]
approver = { name = "Jonas Weber", email = "Jonas@Client.test" }

[warnings]
thresholds = [0.5, 0.9]
notify = ["provider.delivery_lead", "client.approver"]
"#
}

fn t0() -> Timestamp {
    "2026-03-02T08:00:00Z".parse().unwrap()
}

/// `t0` plus some minutes.
fn at(minutes: i64) -> Timestamp {
    t0() + SignedDuration::from_mins(minutes)
}

use accord_core::instant::format as rfc3339;

/// A server reading a manual clock, with an SMTP sink, an admin token and a
/// client with the contract above.
struct Env {
    app: TestApp,
    clock: ManualTime,
    smtp: SmtpSink,
    admin: String,
    client: ClientId,
    client_token: String,
}

fn settings(smtp_port: u16, notifications: NotificationSettings) -> Settings {
    Settings {
        notifications,
        smtp: Some(SmtpSettings {
            host: "127.0.0.1".into(),
            port: smtp_port,
            tls: SmtpTls::None,
            from: "Accord <accord@provider.test>".into(),
            username: None,
            password: None,
        }),
        ..Settings::default()
    }
}

/// Retries a minute apart, doubling; workers that never wake on their own
/// during a test, so only the clock and events move them.
fn retries(max_attempts: u32) -> NotificationSettings {
    NotificationSettings {
        max_attempts,
        retry_base_ms: 60_000,
        retry_max_ms: 3_600_000,
        timeout_ms: 10_000,
        idle_check_ms: 3_600_000,
    }
}

impl Env {
    async fn start(db: TestDb, notifications: NotificationSettings) -> Env {
        let clock = ManualTime::new(t0());
        let smtp = SmtpSink::start().await;
        let app = TestApp::start_with(db, settings(smtp.port, notifications), clock.source()).await;
        let admin = app.token(Role::Admin, None, "admin@provider.test").await;
        let client = app
            .store
            .accounts()
            .create_client("Acme", t0())
            .await
            .unwrap();
        app.store
            .contracts()
            .put_version(&client, "acme.toml", &contract("acme"), t0())
            .await
            .unwrap();
        let client_token = app
            .token(Role::Client, Some(client.clone()), "user@acme.test")
            .await;
        Env {
            app,
            clock,
            smtp,
            admin,
            client,
            client_token,
        }
    }

    async fn finish(self) {
        self.app.finish().await;
    }

    /// Registers a webhook to `url`, answering (id, secret).
    async fn webhook(&self, url: &str, events: &str) -> (String, String) {
        let res = self
            .app
            .post_json(
                &self.admin,
                "/api/v1/webhooks",
                &json!({"url": url, "events": events, "description": "test"}),
            )
            .await;
        let (status, body) = json_of(res).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        (
            body["id"].as_str().unwrap().to_string(),
            body["secret"].as_str().unwrap().to_string(),
        )
    }

    /// Opens ticket `key` at the clock's time.
    async fn open(&self, key: &str, priority: &str) -> String {
        let body = json!({"client": self.client.to_string(), "contract_id": "acme", "key": key,
            "priority": priority, "at": rfc3339(self.clock.now())});
        let (status, json) = json_of(
            self.app
                .post_json(&self.admin, "/api/v1/tickets", &body)
                .await,
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{json}");
        json["id"].as_str().unwrap().to_string()
    }

    /// Appends an event at the clock's time.
    async fn event(&self, ticket: &str, mut event: Value) {
        event["at"] = rfc3339(self.clock.now()).into();
        let path = format!("/api/v1/tickets/{ticket}/events");
        let (status, json) = json_of(self.app.post_json(&self.admin, &path, &event).await).await;
        assert_eq!(status, StatusCode::CREATED, "{json}");
    }

    async fn crossings(&self, token: &str, ticket: &str) -> (StatusCode, Value) {
        json_of(
            self.app
                .get(Some(token), &format!("/api/v1/tickets/{ticket}/crossings"))
                .await,
        )
        .await
    }

    /// Waits until the ticket has `n` crossings and none of their
    /// notifications is pending, answering the crossings.
    async fn settled(&self, ticket: &str, n: usize) -> Vec<Value> {
        eventually(&format!("{n} settled crossings"), || async {
            let (_, list) = self.crossings(&self.admin, ticket).await;
            let list = list.as_array()?.clone();
            let pending = list
                .iter()
                .flat_map(|c| c["deliveries"].as_array().unwrap().clone())
                .any(|d| d["status"] == "pending");
            (list.len() == n && !pending).then_some(list)
        })
        .await
    }

    /// The notification of the ticket's first crossing sent to
    /// `recipient`, once it has had `attempts` attempts.
    async fn delivery(&self, ticket: &str, recipient: &str, attempts: usize) -> Value {
        eventually(&format!("{attempts} attempts to {recipient}"), || async {
            let (_, list) = self.crossings(&self.admin, ticket).await;
            let d = list[0]["deliveries"]
                .as_array()?
                .iter()
                .find(|d| d["recipient"] == recipient)?
                .clone();
            (d["attempts"].as_array()?.len() == attempts).then_some(d)
        })
        .await
    }

    async fn metrics(&self) -> String {
        self.app.get(None, "/metrics").await.text().await.unwrap()
    }
}

/// Runs a test body on SQLite and PostgreSQL with an [`Env`].
macro_rules! both_with_clock {
    ($name:ident, $notifications:expr) => {
        mod $name {
            use accord_store::testing::TestDb;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let env = super::Env::start(TestDb::sqlite().await, $notifications).await;
                super::$name(&env).await;
                env.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(db) = TestDb::postgres().await else {
                    return;
                };
                let env = super::Env::start(db, $notifications).await;
                super::$name(&env).await;
                env.finish().await;
            }
        }
    };
}

async fn warnings_and_breaches_fire_at_their_instants_once_by_webhook_and_email(env: &Env) {
    let hook = WebhookReceiver::start().await;
    let (webhook_id, secret) = env.webhook(&hook.url, "all").await;
    let ticket = env.open("T-1", "critical").await;
    // Critical: first response 1 h, resolution 4 h; warnings at 50 % and 90 %.
    assert!(hook.received().is_empty());

    env.clock.set(at(30));
    let first = hook.wait_for(1).await;
    let h = &first[0];
    let t = h.verify(&secret);
    assert_eq!(t, at(30).as_second(), "signed at the clock's time");
    assert_eq!(h.header("accord-event"), "clock.warning");
    assert_eq!(h.header("content-type"), "application/json");
    assert_eq!(h.json["delivery"], h.header("accord-delivery"));
    assert_eq!(h.json["kind"], "warning");
    assert_eq!(h.json["ticket"], json!({"id": ticket, "key": "T-1"}));
    assert_eq!(
        h.json["client"],
        json!({"id": env.client.to_string(), "name": "Acme"})
    );
    assert_eq!(h.json["contract"], json!({"id": "acme", "version": 1}));
    assert_eq!(
        (
            &h.json["metric"],
            &h.json["cycle"],
            &h.json["share"],
            &h.json["threshold_s"]
        ),
        (
            &json!("first_response"),
            &json!(1),
            &json!("0.5"),
            &json!(1800)
        )
    );
    assert_eq!(h.json["crossed_at"], "2026-03-02T08:30:00Z");
    let mails = env.smtp.wait_for(2).await;
    let to: BTreeSet<_> = mails.iter().flat_map(|m| m.to.clone()).collect();
    assert_eq!(
        to,
        BTreeSet::from([
            "Jonas@Client.test".to_string(),
            "sam@provider.test".to_string()
        ])
    );
    for m in &mails {
        assert_eq!(m.from, "accord@provider.test");
        assert_eq!(
            m.header("subject").unwrap(),
            "[Accord] Warning: T-1 first_response at 50% of target (Acme)"
        );
        assert!(
            m.body()
                .contains("reached 50% of its target\r\nat 2026-03-02T08:30:00Z,"),
            "{}",
            m.body()
        );
        assert!(
            m.body().contains("after 30m of business time"),
            "{}",
            m.body()
        );
    }

    // Jumping past 90 % and the target fires both, each at its own instant.
    env.clock.set(at(60));
    hook.wait_for(3).await;
    env.clock.set(at(70));
    env.event(&ticket, json!({"kind": "replied"})).await;
    // Resolution: 50 % at 10:00, 90 % at 11:36, breach at 12:00.
    env.clock.set(at(240));
    hook.wait_for(6).await;
    let crossings = env.settled(&ticket, 6).await;
    let got: Vec<_> = crossings
        .iter()
        .map(|c| {
            (
                c["metric"].as_str().unwrap().to_string(),
                c["share"].as_str().unwrap().to_string(),
                c["kind"].as_str().unwrap().to_string(),
                c["crossed_at"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want = [
        ("first_response", "0.5", "warning", "08:30"),
        ("first_response", "0.9", "warning", "08:54"),
        ("first_response", "1", "breach", "09:00"),
        ("resolution", "0.5", "warning", "10:00"),
        ("resolution", "0.9", "warning", "11:36"),
        ("resolution", "1", "breach", "12:00"),
    ]
    .map(|(m, s, k, hm)| {
        (
            m.to_string(),
            s.to_string(),
            k.to_string(),
            format!("2026-03-02T{hm}:00Z"),
        )
    });
    assert_eq!(got, want);
    for c in &crossings {
        let deliveries = c["deliveries"].as_array().unwrap();
        assert_eq!(deliveries.len(), 3, "one webhook and two e-mails: {c}");
        for d in deliveries {
            assert_eq!(d["status"], "delivered", "{d}");
            assert_eq!(d["attempts"].as_array().unwrap().len(), 1, "{d}");
        }
        let hook_delivery = deliveries
            .iter()
            .find(|d| d["channel"] == "webhook")
            .unwrap();
        assert_eq!(hook_delivery["webhook"], webhook_id.as_str());
        assert_eq!(hook_delivery["attempts"][0]["status_code"], 200);
    }

    // Everything settled: exactly one webhook per firing and one e-mail per
    // firing and contact, nothing more.
    let hooks = hook.received();
    assert_eq!(hooks.len(), 6);
    let deliveries: BTreeSet<_> = hooks
        .iter()
        .map(|h| h.header("accord-delivery").to_string())
        .collect();
    assert_eq!(deliveries.len(), 6);
    for h in &hooks {
        h.verify(&secret);
        let breach = h.json["share"] == "1";
        assert_eq!(
            h.header("accord-event"),
            if breach {
                "clock.breach"
            } else {
                "clock.warning"
            }
        );
    }
    let mails = env.smtp.received();
    assert_eq!(mails.len(), 12);
    let breach_mails = mails
        .iter()
        .filter(|m| {
            m.header("subject")
                .unwrap()
                .starts_with("[Accord] Breach: T-1")
        })
        .count();
    assert_eq!(breach_mails, 4);

    let metrics = env.metrics().await;
    assert!(
        metrics.contains("accord_monitor_firings_total 6\n"),
        "{metrics}"
    );
    assert!(
        metrics.contains("accord_notifications_total{channel=\"webhook\",outcome=\"sent\"} 6\n")
    );
    assert!(
        metrics.contains("accord_notifications_total{channel=\"email\",outcome=\"sent\"} 12\n")
    );

    // The ticket's client sees its crossings, without the delivery details;
    // another client sees nothing.
    let (status, own) = env.crossings(&env.client_token, &ticket).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(own.as_array().unwrap().len(), 6);
    assert!(own[0].get("deliveries").is_none(), "{own}");
    let other = env
        .app
        .store
        .accounts()
        .create_client("Globex", t0())
        .await
        .unwrap();
    let other_token = env
        .app
        .token(Role::Client, Some(other), "user@globex.test")
        .await;
    let res = env
        .app
        .get(
            Some(&other_token),
            &format!("/api/v1/tickets/{ticket}/crossings"),
        )
        .await;
    problem(res, StatusCode::NOT_FOUND).await;
}
both_with_clock!(
    warnings_and_breaches_fire_at_their_instants_once_by_webhook_and_email,
    super::retries(3)
);

async fn a_failing_receiver_sees_retries_with_backoff_and_every_attempt_is_stored(env: &Env) {
    let flaky = WebhookReceiver::failing(2, 500).await;
    let dead = WebhookReceiver::failing(usize::MAX, 503).await;
    let (_, flaky_secret) = env.webhook(&flaky.url, "warning").await;
    let (_, dead_secret) = env.webhook(&dead.url, "all").await;
    let ticket = env.open("T-1", "critical").await;

    env.clock.set(at(30));
    flaky.wait_for(1).await;
    dead.wait_for(1).await;
    // Retry n waits 1 min × 2^(n−1) from the failed attempt.
    let d = env.delivery(&ticket, &flaky.url, 1).await;
    assert_eq!(
        (&d["status"], &d["next_attempt_at"]),
        (&json!("pending"), &json!("2026-03-02T08:31:00Z"))
    );
    env.delivery(&ticket, &dead.url, 1).await;

    env.clock.set(at(31));
    let d = env.delivery(&ticket, &flaky.url, 2).await;
    assert_eq!(d["next_attempt_at"], "2026-03-02T08:33:00Z");
    env.delivery(&ticket, &dead.url, 2).await;

    env.clock.set(at(33));
    let d = env.delivery(&ticket, &flaky.url, 3).await;
    assert_eq!(d["status"], "delivered");
    let attempts: Vec<_> = d["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["attempt"].clone(),
                a["at"].clone(),
                a["status_code"].clone(),
                a["error"].is_string(),
            )
        })
        .collect();
    assert_eq!(
        attempts,
        [
            (json!(1), json!("2026-03-02T08:30:00Z"), json!(500), true),
            (json!(2), json!("2026-03-02T08:31:00Z"), json!(500), true),
            (json!(3), json!("2026-03-02T08:33:00Z"), json!(200), false),
        ]
    );
    // Max attempts (3) reached: given up, not retried again.
    let d = env.delivery(&ticket, &dead.url, 3).await;
    assert_eq!(
        (&d["status"], &d["next_attempt_at"]),
        (&json!("failed"), &Value::Null)
    );
    assert!(
        d["attempts"][2]["error"].as_str().unwrap().contains("503"),
        "{d}"
    );

    // The receiver saw the same delivery three times, freshly signed each time.
    let got = flaky.received();
    assert_eq!(
        got.iter().map(|h| h.answered).collect::<Vec<_>>(),
        [500, 500, 200]
    );
    let ids: BTreeSet<_> = got
        .iter()
        .map(|h| h.header("accord-delivery").to_string())
        .collect();
    assert_eq!(ids.len(), 1);
    let signed_at: Vec<_> = got.iter().map(|h| h.verify(&flaky_secret)).collect();
    assert_eq!(signed_at, [at(30), at(31), at(33)].map(|t| t.as_second()));
    assert_eq!(dead.received().len(), 3);
    dead.received()[0].verify(&dead_secret);

    let metrics = env.metrics().await;
    for line in [
        "accord_notifications_total{channel=\"webhook\",outcome=\"retried\"} 4\n",
        "accord_notifications_total{channel=\"webhook\",outcome=\"sent\"} 1\n",
        "accord_notifications_total{channel=\"webhook\",outcome=\"failed\"} 1\n",
    ] {
        assert!(metrics.contains(line), "{line} missing from\n{metrics}");
    }
}
both_with_clock!(
    a_failing_receiver_sees_retries_with_backoff_and_every_attempt_is_stored,
    super::retries(3)
);

async fn new_events_reschedule_and_cancel_pending_crossings(env: &Env) {
    let hook = WebhookReceiver::start().await;
    env.webhook(&hook.url, "all").await;
    // Normal: first response 8 h, so the monitor's next instant is 12:00.
    let ticket = env.open("T-1", "normal").await;
    env.clock.set(at(10));
    // Critical from 08:10: the first response's 50 % is now at 08:30. The
    // monitor, asleep until 12:00, must be woken by the event.
    env.event(
        &ticket,
        json!({"kind": "priority_changed", "priority": "critical"}),
    )
    .await;
    env.clock.set(at(30));
    let h = hook.wait_for(1).await;
    assert_eq!(
        (
            &h[0].json["metric"],
            &h[0].json["share"],
            &h[0].json["crossed_at"]
        ),
        (
            &json!("first_response"),
            &json!("0.5"),
            &json!("2026-03-02T08:30:00Z")
        )
    );

    // A pause stops the clocks: nothing is due while it lasts.
    env.clock.set(at(35));
    env.event(
        &ticket,
        json!({"kind": "paused", "reason": "client_communication"}),
    )
    .await;
    env.clock.set(at(120));
    assert!(
        env.app
            .store
            .schedule()
            .claim_due(at(120), 100)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(env.settled(&ticket, 1).await.len(), 1);

    // Resumed at 10:00 with 35 min spent: 90 % (54 min) is at 10:19.
    env.event(&ticket, json!({"kind": "resumed"})).await;
    env.clock.set(at(139));
    let h = hook.wait_for(2).await;
    assert_eq!(
        (&h[1].json["share"], &h[1].json["crossed_at"]),
        (&json!("0.9"), &json!("2026-03-02T10:19:00Z"))
    );

    // Resolved: no clock runs, nothing fires again.
    env.clock.set(at(140));
    env.event(&ticket, json!({"kind": "resolved"})).await;
    let later = at(140) + SignedDuration::from_hours(72);
    env.clock.set(later);
    assert!(
        env.app
            .store
            .schedule()
            .claim_due(later, 100)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(env.settled(&ticket, 2).await.len(), 2);
    assert_eq!(hook.received().len(), 2);
}
both_with_clock!(
    new_events_reschedule_and_cancel_pending_crossings,
    super::retries(3)
);

async fn webhooks_are_admin_only_validated_and_deleting_one_cancels_its_deliveries(env: &Env) {
    let agent = env
        .app
        .token(Role::Agent, None, "agent@provider.test")
        .await;
    for token in [&agent, &env.client_token] {
        let res = env
            .app
            .post_json(
                token,
                "/api/v1/webhooks",
                &json!({"url": "http://127.0.0.1:9/x"}),
            )
            .await;
        problem(res, StatusCode::FORBIDDEN).await;
        problem(
            env.app.get(Some(token), "/api/v1/webhooks").await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    for (body, field) in [
        (json!({"url": "ftp://example.test/x"}), "url"),
        (json!({"url": "not a url"}), "url"),
        (
            json!({"url": "http://127.0.0.1:9/x", "events": "sometimes"}),
            "events",
        ),
        (
            json!({"url": "http://127.0.0.1:9/x", "client": "acme"}),
            "client",
        ),
        (
            json!({"url": "http://127.0.0.1:9/x", "colour": "red"}),
            "colour",
        ),
    ] {
        let p = problem(
            env.app
                .post_json(&env.admin, "/api/v1/webhooks", &body)
                .await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert_eq!(p["field"], field, "{p}");
    }
    let unknown_client =
        json!({"url": "http://127.0.0.1:9/x", "client": "0192f1a0-7b3c-7def-8123-456789abcdef"});
    let p = problem(
        env.app
            .post_json(&env.admin, "/api/v1/webhooks", &unknown_client)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["field"], "client");
    // Nothing was written by the refused requests.
    let (_, list) = json_of(env.app.get(Some(&env.admin), "/api/v1/webhooks").await).await;
    assert_eq!(list, json!([]));

    // A receiver that always fails, retried every minute or more.
    let dead = WebhookReceiver::failing(usize::MAX, 500).await;
    let (id, _) = env.webhook(&dead.url, "all").await;
    let (_, list) = json_of(env.app.get(Some(&env.admin), "/api/v1/webhooks").await).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], id.as_str());
    assert!(
        list[0].get("secret").is_none(),
        "the secret is shown once: {list}"
    );
    let ticket = env.open("T-1", "critical").await;
    env.clock.set(at(30));
    dead.wait_for(1).await;
    eventually("the first attempt recorded", || async {
        let (_, list) = env.crossings(&env.admin, &ticket).await;
        let d = list[0]["deliveries"]
            .as_array()?
            .iter()
            .find(|d| d["channel"] == "webhook")?
            .clone();
        (d["attempts"].as_array()?.len() == 1).then_some(())
    })
    .await;

    let path = format!("/api/v1/webhooks/{id}");
    let res = env
        .app
        .http
        .delete(env.app.url(&path))
        .bearer_auth(&env.admin)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = env
        .app
        .http
        .delete(env.app.url(&path))
        .bearer_auth(&env.admin)
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::NOT_FOUND).await;
    let (_, list) = json_of(env.app.get(Some(&env.admin), "/api/v1/webhooks").await).await;
    assert_eq!(list, json!([]));
    let (_, crossings) = env.crossings(&env.admin, &ticket).await;
    let d = crossings[0]["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["channel"] == "webhook")
        .unwrap()
        .clone();
    assert_eq!(
        (&d["status"], &d["next_attempt_at"]),
        (&json!("cancelled"), &Value::Null)
    );
    // Past the retry instant nothing is claimed for it.
    let later = at(90);
    let claimed = env
        .app
        .store
        .outbox()
        .claim(later, later, 100)
        .await
        .unwrap();
    assert!(
        claimed
            .iter()
            .all(|n| !matches!(n.target, accord_store::NotificationTarget::Webhook { .. }))
    );
}
both_with_clock!(
    webhooks_are_admin_only_validated_and_deleting_one_cancels_its_deliveries,
    super::retries(100)
);

/// Two servers, each with its own connection pool, on one database: every
/// crossing fires once and is delivered once.
async fn two_servers_on_one_database_fire_each_crossing_exactly_once(env: &Env) {
    let hook = WebhookReceiver::start().await;
    let (_, secret) = env.webhook(&hook.url, "all").await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let second_base = format!("http://{}", listener.local_addr().unwrap());
    let mut second_settings = settings(env.smtp.port, retries(3));
    second_settings.database_url = Some(accord_server::DatabaseUrl::new(env.app.database_url()));
    let (stop, stopped) = oneshot::channel::<()>();
    let second = tokio::spawn(accord_server::launch_with_time(
        second_settings,
        listener,
        async move {
            let _ = stopped.await;
        },
        env.clock.source(),
    ));
    let tickets = 8;
    let mut ids = Vec::new();
    for i in 0..tickets {
        ids.push(env.open(&format!("T-{i}"), "critical").await);
    }
    // A second client's milestones: go-live's export has been overdue since
    // 13 February, which moves go-live; both schedulers race for the
    // contract's milestone job too.
    let studio = env
        .app
        .store
        .accounts()
        .create_client("Studio", t0())
        .await
        .unwrap();
    env.app
        .store
        .contracts()
        .put_version(
            &studio,
            "studio.toml",
            &accord_store::testing::milestone_contract("studio"),
            t0(),
        )
        .await
        .unwrap();
    // Both monitors wake at each step and race for the same tickets.
    for minutes in [30, 54, 60, 120, 216, 240] {
        env.clock.set(at(minutes));
    }
    let per_ticket = 6;
    let milestone_notices = 2;
    hook.wait_for(tickets * per_ticket + milestone_notices)
        .await;
    for id in &ids {
        env.settled(id, per_ticket).await;
    }
    let (milestones, got): (Vec<_>, Vec<_>) = hook.received().into_iter().partition(|h| {
        h.json["event"]
            .as_str()
            .is_some_and(|e| e.starts_with("milestone."))
    });
    let mut told: Vec<(String, String)> = milestones
        .iter()
        .map(|h| {
            h.verify(&secret);
            (
                h.json["event"].as_str().unwrap().to_string(),
                h.json["milestone"]["id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    told.sort();
    assert_eq!(
        told,
        [
            ("milestone.deliverable_overdue", "go-live"),
            ("milestone.shifted", "go-live"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string())),
        "each milestone notice is delivered once"
    );
    assert_eq!(
        got.len(),
        tickets * per_ticket,
        "a crossing was delivered twice"
    );
    let firings: BTreeSet<_> = got
        .iter()
        .map(|h| {
            h.verify(&secret);
            (
                h.json["ticket"]["key"].as_str().unwrap().to_string(),
                h.json["metric"].as_str().unwrap().to_string(),
                h.json["share"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        firings.len(),
        tickets * per_ticket,
        "a crossing fired twice"
    );
    // Two e-mails a crossing, and the export's owner told once.
    env.smtp.wait_for(tickets * per_ticket * 2 + 1).await;
    let mails = env.smtp.received();
    assert_eq!(mails.len(), tickets * per_ticket * 2 + 1);
    assert_eq!(
        mails
            .iter()
            .filter(|m| m.to == ["mia@client.example"])
            .count(),
        1
    );

    // Between them the two servers fired each crossing once.
    let count = |text: String| -> usize {
        text.lines()
            .find_map(|l| l.strip_prefix("accord_monitor_firings_total "))
            .unwrap()
            .parse()
            .unwrap()
    };
    let second_metrics = reqwest::get(format!("{second_base}/metrics"))
        .await
        .unwrap();
    let fired = count(env.metrics().await) + count(second_metrics.text().await.unwrap());
    assert_eq!(fired, tickets * per_ticket);
    let _ = stop.send(());
    second.await.unwrap().unwrap();
}
both_with_clock!(
    two_servers_on_one_database_fire_each_crossing_exactly_once,
    super::retries(3)
);
