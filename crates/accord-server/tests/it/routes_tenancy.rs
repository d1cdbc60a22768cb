//! SPEC §9 "a client user can never read or change another client's data",
//! over every route of the served OpenAPI document: client Beta's token is
//! sent to each (method, path) aimed at client Alpha's data, and must get
//! the refusal the table gives, with nothing of Alpha's in any answer and
//! nothing of Alpha's changed.
//!
//! Every route needs a row: the test fails on a route without one, so a new
//! endpoint cannot ship untested. To add one, add a line to `ROWS`; a
//! `{name}` in its path or body is replaced by Alpha's value of that name
//! (see `Alpha::values`; add a value there if the route needs a new one).

use std::collections::BTreeSet;

use accord_store::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{CONTRACT, TestApp, both, json_of};

/// One request of the sweep: method, path (with `{name}` placeholders and
/// an optional query), body (JSON, or TOML when it does not start with `{`),
/// and the statuses Beta may get.
type Row = (
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static [u16],
);

const ALPHA_V3: &str = "{alpha_v3}";

const ROWS: &[Row] = &[
    // tickets
    ("GET", "/api/v1/tickets", None, &[200]),
    ("GET", "/api/v1/tickets?client={client}", None, &[200]),
    (
        "GET",
        "/api/v1/tickets?at_risk_within=1000000",
        None,
        &[200],
    ),
    (
        "POST",
        "/api/v1/tickets",
        Some(
            r#"{"client": "{client}", "contract_id": "{contract}",
        "key": "SNEAK-1", "priority": "critical", "at": "2026-03-02T08:00:00Z"}"#,
        ),
        &[404],
    ),
    (
        "GET",
        "/api/v1/tickets/at-risk?within_minutes=1000000",
        None,
        &[200],
    ),
    ("GET", "/api/v1/tickets/{ticket}", None, &[404]),
    (
        "POST",
        "/api/v1/tickets/{ticket}/events",
        Some(r#"{"kind": "resolved", "at": "2026-03-02T08:30:00Z"}"#),
        &[404],
    ),
    (
        "POST",
        "/api/v1/tickets/{ticket}/pause",
        Some(r#"{"reason": "approval", "waiting_on": "client.approver"}"#),
        &[403, 404],
    ),
    (
        "POST",
        "/api/v1/tickets/{ticket}/resume",
        Some("{}"),
        &[403, 404],
    ),
    // contracts
    (
        "POST",
        "/api/v1/contracts?client={client}",
        Some(ALPHA_V3),
        &[403],
    ),
    ("GET", "/api/v1/contracts/{contract}/versions", None, &[404]),
    (
        "POST",
        "/api/v1/contracts/{contract}/versions",
        Some(ALPHA_V3),
        &[403],
    ),
    (
        "GET",
        "/api/v1/contracts/{contract}/versions/{version}",
        None,
        &[404],
    ),
    (
        "GET",
        "/api/v1/contracts/{contract}/versions/{version}/render?format=md",
        None,
        &[404],
    ),
    (
        "GET",
        "/api/v1/contracts/{contract}/diff?from=1&to=2",
        None,
        &[404],
    ),
    // milestones
    (
        "GET",
        "/api/v1/contracts/{contract}/milestones",
        None,
        &[404],
    ),
    (
        "POST",
        "/api/v1/contracts/{contract}/milestones/events",
        Some(r#"{"milestone": "m", "kind": "completed", "at": "2026-03-02T08:30:00Z"}"#),
        &[403, 404],
    ),
    (
        "POST",
        "/api/v1/contracts/{contract}/milestones/pause",
        Some(r#"{"reason": "pending_payment"}"#),
        &[403, 404],
    ),
    (
        "POST",
        "/api/v1/contracts/{contract}/milestones/resume",
        Some("{}"),
        &[403, 404],
    ),
    // time tracking
    (
        "GET",
        "/api/v1/contracts/{contract}/time-entries",
        None,
        &[404],
    ),
    (
        "POST",
        "/api/v1/contracts/{contract}/time-entries",
        Some(r#"{"start": "2026-03-02T09:00:00Z", "minutes": 5, "activity": "dev"}"#),
        &[403, 404],
    ),
    (
        "POST",
        "/api/v1/contracts/{contract}/time-entries/import?dry_run=true",
        Some(
            r#"{"id":"S-1","person":"b@beta.test","start":"2026-03-02T09:00:00Z","minutes":5,"activity":"dev"}"#,
        ),
        &[403, 404],
    ),
    ("GET", "/api/v1/time-entries/{entry}", None, &[404]),
    (
        "PATCH",
        "/api/v1/time-entries/{entry}",
        Some(r#"{"minutes": 500}"#),
        &[403, 404],
    ),
    ("DELETE", "/api/v1/time-entries/{entry}", None, &[403, 404]),
    (
        "POST",
        "/api/v1/time-entries/{entry}/submit",
        Some("{}"),
        &[403, 404],
    ),
    (
        "POST",
        "/api/v1/time-entries/{entry}/approve",
        Some("{}"),
        &[403, 404],
    ),
    (
        "POST",
        "/api/v1/time-entries/{entry}/reject",
        Some(r#"{"why": "sneak"}"#),
        &[403, 404],
    ),
    (
        "POST",
        "/api/v1/time-entries/{entry}/correct",
        Some(
            r#"{"reason": "sneak", "start": "2026-03-02T09:00:00Z", "minutes": 5, "activity": "dev"}"#,
        ),
        &[403, 404],
    ),
    (
        "GET",
        "/api/v1/contracts/{contract}/periods/{period}",
        None,
        &[404],
    ),
    (
        "POST",
        "/api/v1/contracts/{contract}/periods/{period}/lock",
        None,
        &[403, 404],
    ),
    (
        "POST",
        "/api/v1/contracts/{contract}/periods/{period}/unlock",
        None,
        &[403, 404],
    ),
    (
        "POST",
        "/api/v1/contracts/{contract}/periods/{period}/accept",
        None,
        &[403, 404],
    ),
    ("GET", "/api/v1/timer", None, &[403]),
    (
        "POST",
        "/api/v1/timer/start",
        Some(r#"{"contract_id": "{contract}", "activity": "dev"}"#),
        &[403],
    ),
    ("POST", "/api/v1/timer/stop", None, &[403]),
    // invoices
    (
        "POST",
        "/api/v1/contracts/{contract}/invoices",
        Some(r#"{"period": "2026-03"}"#),
        &[403],
    ),
    ("GET", "/api/v1/invoices/{invoice}", None, &[404]),
    ("POST", "/api/v1/invoices/{invoice}/issue", None, &[403]),
    (
        "POST",
        "/api/v1/invoices/{invoice}/pay",
        Some(r#"{"amount": "1.00", "paid_on": "2026-04-10"}"#),
        &[403],
    ),
    (
        "GET",
        "/api/v1/invoices/{invoice}/documents/{format}",
        None,
        &[404],
    ),
    // accounts
    ("GET", "/api/v1/organisations", None, &[200]),
    (
        "POST",
        "/api/v1/organisations",
        Some(r#"{"name": "Sneaky"}"#),
        &[403],
    ),
    ("GET", "/api/v1/users", None, &[403]),
    (
        "POST",
        "/api/v1/users",
        Some(
            r#"{"email": "sneak@alpha.test", "name": "S",
        "role": "client", "client": "{client}"}"#,
        ),
        &[403],
    ),
    ("GET", "/api/v1/users/me", None, &[200]),
    ("GET", "/api/v1/tokens", None, &[200]),
    (
        "POST",
        "/api/v1/tokens",
        Some(r#"{"name": "sneak", "user": "{user}"}"#),
        &[403],
    ),
    ("DELETE", "/api/v1/tokens/{token}", None, &[404]),
    // monitoring and notifications
    ("GET", "/api/v1/tickets/{ticket}/crossings", None, &[404]),
    ("GET", "/api/v1/webhooks", None, &[403]),
    (
        "POST",
        "/api/v1/webhooks",
        Some(r#"{"url": "http://127.0.0.1:9/sneak", "client": "{client}"}"#),
        &[403],
    ),
    ("DELETE", "/api/v1/webhooks/{webhook}", None, &[403]),
    // statements
    (
        "GET",
        "/api/v1/contracts/{contract}/statements",
        None,
        &[404],
    ),
    (
        "POST",
        "/api/v1/contracts/{contract}/statements?period=2026-03",
        None,
        &[403, 404],
    ),
    ("GET", "/api/v1/statements/{statement}", None, &[404]),
    (
        "POST",
        "/api/v1/statements/{statement}/issue",
        None,
        &[403, 404],
    ),
    (
        "GET",
        "/api/v1/statements/{statement}/document.json",
        None,
        &[404],
    ),
    (
        "GET",
        "/api/v1/statements/{statement}/document.html",
        None,
        &[404],
    ),
    (
        "GET",
        "/api/v1/statements/{statement}/document.pdf",
        None,
        &[404],
    ),
];

/// Client Alpha's data, which Beta must never see or change.
struct Alpha {
    client: String,
    ticket: String,
    user: String,
    token: String,
    token_id: String,
    webhook: String,
    statement: String,
    entry: String,
}

impl Alpha {
    /// The placeholder values of `ROWS`.
    fn values(&self) -> Vec<(&'static str, String)> {
        vec![
            ("client", self.client.clone()),
            ("contract", "alpha-contract".into()),
            ("version", "1".into()),
            ("ticket", self.ticket.clone()),
            ("user", self.user.clone()),
            ("token", self.token_id.clone()),
            ("webhook", self.webhook.clone()),
            ("statement", self.statement.clone()),
            ("entry", self.entry.clone()),
            ("period", "2026-03".into()),
            // Alpha's contract has no billing terms: no invoice of its own
            // (tests/it/invoices.rs reads a real one across clients).
            ("invoice", "0192f1a0-7b3c-7def-8123-456789abcdef".into()),
            ("format", "pdf".into()),
            ("alpha_v3", alpha_contract(3, "2026-09-01")),
        ]
    }

    /// Strings that only Alpha's data contains.
    fn markers(&self) -> Vec<String> {
        vec![
            self.client.clone(),
            self.ticket.clone(),
            self.user.clone(),
            self.token_id.clone(),
            self.token.clone(),
            self.webhook.clone(),
            self.statement.clone(),
            self.entry.clone(),
            "ALPHA-E-1".into(),
            "alpha-hook".into(),
            "alpha-contract".into(),
            "ALPHA-T-1".into(),
            "alpha-user@alpha.test".into(),
            "Alpha Corp".into(),
        ]
    }
}

fn alpha_contract(version: u32, from: &str) -> String {
    CONTRACT.replace("CONTRACT_ID", "alpha-contract").replace(
        "effective_from = 2026-01-01",
        &format!("version = {version}\neffective_from = {from}"),
    )
}

/// `path` with every `{...}` segment replaced by `{}` and no query: the
/// shape a row and an OpenAPI path are matched on.
fn shape(path: &str) -> String {
    let path = path.split('?').next().unwrap_or(path);
    let mut out = String::new();
    let mut in_braces = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_braces = true;
                out.push_str("{}");
            }
            '}' => in_braces = false,
            _ if in_braces => {}
            _ => out.push(c),
        }
    }
    out
}

fn fill(template: &str, values: &[(&'static str, String)]) -> String {
    values
        .iter()
        .fold(template.to_string(), |s, (name, value)| {
            s.replace(&format!("{{{name}}}"), value)
        })
}

async fn a_client_token_reaches_none_of_another_clients_data_on_any_route(app: &TestApp) {
    // Every documented route has a row, and every row a route.
    let (_, doc) = json_of(app.get(None, "/api/v1/openapi.json").await).await;
    let mut routes = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            routes.insert((method.to_uppercase(), shape(path)));
        }
    }
    let covered: BTreeSet<_> = ROWS
        .iter()
        .map(|(m, p, _, _)| (m.to_string(), shape(p)))
        .collect();
    let missing: Vec<_> = routes.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "routes without a row in ROWS: {missing:?}"
    );
    let stale: Vec<_> = covered.difference(&routes).collect();
    assert!(
        stale.is_empty(),
        "rows for routes that do not exist: {stale:?}"
    );

    // Alpha: a contract with two versions, a ticket, a user with a token.
    let now = jiff::Timestamp::now();
    let staff = app.token(Role::Admin, None, "admin@provider.test").await;
    let client = app
        .store
        .accounts()
        .create_client("Alpha Corp", now)
        .await
        .unwrap();
    for (v, from) in [(1, "2026-01-01"), (2, "2026-06-01")] {
        app.store
            .contracts()
            .put_version(&client, "alpha.toml", &alpha_contract(v, from), now)
            .await
            .unwrap();
    }
    let ticket = app
        .open_ticket(
            &staff,
            &client,
            "alpha-contract",
            "ALPHA-T-1",
            "2026-03-02T08:00:00Z",
        )
        .await;
    let token = app
        .token(Role::Client, Some(client.clone()), "alpha-user@alpha.test")
        .await;
    let (_, me) = json_of(app.get(Some(&token), "/api/v1/users/me").await).await;
    let (_, tokens) = json_of(app.get(Some(&token), "/api/v1/tokens").await).await;
    let (webhook, _secret) = app
        .store
        .outbox()
        .create_webhook(
            accord_store::NewWebhook {
                url: "http://127.0.0.1:9/alpha-hook".into(),
                topics: accord_store::Topics::all(),
                client: Some(client.clone()),
                description: "Alpha's hook".into(),
            },
            now,
        )
        .await
        .unwrap();
    // An issued statement of Alpha's March.
    let statements = app.store.statements();
    let march = "2026-03".parse().unwrap();
    let draft = statements
        .compute(
            &accord_store::Tenant::Provider,
            "alpha-contract",
            march,
            now,
        )
        .await
        .unwrap();
    let frozen = accord_store::IssuedStatement {
        version: draft.version,
        json: draft.json.clone(),
        sha256: "0".repeat(64),
        html: "<p>alpha</p>".into(),
        pdf: b"%PDF alpha".to_vec(),
        as_of: draft.as_of,
    };
    statements
        .issue(
            &accord_store::Tenant::Provider,
            &draft.id,
            &frozen,
            "admin@provider.test",
            now,
        )
        .await
        .unwrap();
    let entry = accord_core::time::TimeEntry::from_json_line(
        r#"{"id":"ALPHA-E-1","person":"sam@provider.test","start":"2026-03-02T09:00:00Z","minutes":30,"activity":"dev"}"#,
    )
    .unwrap();
    let actor = accord_store::Actor {
        tenant: &accord_store::Tenant::Provider,
        email: "admin@provider.test",
    };
    let entry = app
        .store
        .time_entries()
        .create(actor, "alpha-contract", &[entry], "created", false, now)
        .await
        .unwrap()
        .remove(0);
    let alpha = Alpha {
        client: client.to_string(),
        ticket,
        user: me["id"].as_str().unwrap().to_string(),
        token: token.clone(),
        token_id: tokens[0]["id"].as_str().unwrap().to_string(),
        webhook: webhook.id.to_string(),
        statement: draft.id.as_str().to_string(),
        entry: entry.id.to_string(),
    };
    // Beta: a client with its own contract and ticket.
    let (beta, beta_token) = app.client("Beta Ltd", "beta-contract").await;
    app.open_ticket(
        &staff,
        &beta,
        "beta-contract",
        "BETA-T-1",
        "2026-03-02T08:00:00Z",
    )
    .await;

    let values = alpha.values();
    for &(method, path, body, expected) in ROWS {
        let path = fill(path, &values);
        let body = body.map(|b| {
            let b = fill(b, &values);
            let ct = if b.starts_with('{') {
                "application/json"
            } else {
                "application/toml"
            };
            (ct, b)
        });
        let sent = format!("{path} {}", body.as_ref().map_or("", |(_, b)| b.as_str()));
        let res = app.send(method, Some(&beta_token), &path, body).await;
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        assert!(
            expected.contains(&status),
            "{method} {path}: Beta got {status}, expected one of {expected:?}: {text}"
        );
        // Nothing of Alpha's that Beta did not send itself.
        for marker in alpha.markers() {
            assert!(
                sent.contains(&marker) || !text.contains(&marker),
                "{method} {path}: Beta's answer holds Alpha's `{marker}`: {text}"
            );
        }
    }

    // Nothing of Alpha's changed.
    let hooks = app.store.outbox().webhooks().await.unwrap();
    assert_eq!(
        hooks.iter().map(|w| w.id.to_string()).collect::<Vec<_>>(),
        std::slice::from_ref(&alpha.webhook),
        "Alpha's webhook must be untouched"
    );
    let (status, t) = json_of(
        app.get(Some(&token), &format!("/api/v1/tickets/{}", alpha.ticket))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "Alpha's token must still work: {t}");
    assert_eq!(t["timeline"].as_array().unwrap().len(), 1, "{t}");
    let (_, versions) = json_of(
        app.get(Some(&staff), "/api/v1/contracts/alpha-contract/versions")
            .await,
    )
    .await;
    assert_eq!(versions.as_array().unwrap().len(), 2);
    let (_, orgs) = json_of(app.get(Some(&staff), "/api/v1/organisations").await).await;
    assert!(!orgs.to_string().contains("Sneaky"));
    let (_, users) = json_of(app.get(Some(&staff), "/api/v1/users").await).await;
    assert!(!users.to_string().contains("sneak@"));
    let (_, page) = json_of(app.get(Some(&staff), "/api/v1/tickets?limit=200").await).await;
    let keys: Vec<Value> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["key"].clone())
        .collect();
    assert_eq!(keys, [json!("ALPHA-T-1"), json!("BETA-T-1")]);
    let (_, alpha_tokens) = json_of(app.get(Some(&token), "/api/v1/tokens").await).await;
    assert_eq!(alpha_tokens.as_array().unwrap().len(), 1);
    let (_, entry) = json_of(
        app.get(
            Some(&staff),
            &format!("/api/v1/time-entries/{}", alpha.entry),
        )
        .await,
    )
    .await;
    assert_eq!(
        (&entry["raw_s"], &entry["status"]),
        (&json!(1800), &json!("draft"))
    );
    assert!(alpha_tokens[0]["revoked_at"].is_null());
}
both!(a_client_token_reaches_none_of_another_clients_data_on_any_route);
