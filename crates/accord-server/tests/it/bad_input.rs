//! SPEC §9 "bad input gets a clear error naming what and where; nothing is
//! partially written", over the API's writing routes: each bad request gets
//! the precise problem (status, type, field or line and column) and the
//! database holds exactly what it held before.

use accord_store::Role;
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{TestApp, both, json_of, problem};

/// What a bad request must be answered with.
struct Expect {
    status: StatusCode,
    /// The problem `type` ends with this.
    kind: &'static str,
    /// The `field` it names, if any.
    field: Option<&'static str>,
    /// Words the `detail` must contain.
    detail: &'static str,
}

const fn expect(
    status: StatusCode,
    kind: &'static str,
    field: Option<&'static str>,
    detail: &'static str,
) -> Expect {
    Expect {
        status,
        kind,
        field,
        detail,
    }
}

/// Everything the API can write, counted as a staff user sees it.
async fn counts(app: &TestApp, staff: &str) -> Value {
    let (_, page) = json_of(app.get(Some(staff), "/api/v1/tickets?limit=200").await).await;
    let mut events = 0;
    for t in page["items"].as_array().unwrap() {
        let (_, d) = json_of(
            app.get(
                Some(staff),
                &format!("/api/v1/tickets/{}", t["id"].as_str().unwrap()),
            )
            .await,
        )
        .await;
        events += d["timeline"].as_array().unwrap().len();
    }
    let (_, users) = json_of(app.get(Some(staff), "/api/v1/users").await).await;
    let (_, orgs) = json_of(app.get(Some(staff), "/api/v1/organisations").await).await;
    let (_, tokens) = json_of(app.get(Some(staff), "/api/v1/tokens").await).await;
    let (_, versions) = json_of(
        app.get(Some(staff), "/api/v1/contracts/ACME/versions")
            .await,
    )
    .await;
    serde_json::json!({
        "tickets": page["items"].as_array().unwrap().len(), "events": events,
        "users": users.as_array().unwrap().len(), "organisations": orgs.as_array().unwrap().len(),
        "tokens": tokens, "contract_versions": versions.as_array().unwrap().len(),
    })
}

async fn bad_input_gets_a_precise_problem_and_writes_nothing(app: &TestApp) {
    use StatusCode as S;
    let (client, _) = app.client("Acme", "ACME").await;
    let staff = app.token(Role::Admin, None, "admin@provider.test").await;
    let id = app
        .open_ticket(&staff, &client, "ACME", "T-1", "2026-03-02T08:00:00Z")
        .await;
    let events = format!("/api/v1/tickets/{id}/events");
    let pause = format!("/api/v1/tickets/{id}/pause");
    let resume = format!("/api/v1/tickets/{id}/resume");
    let unknown = "/api/v1/tickets/0192f1a0-7b3c-7def-8123-456789abcdef";
    let oversized = "x".repeat(accord_server::BODY_LIMIT + 1);
    let oversized_json = format!("{{\"name\": \"{oversized}\"}}");
    let open = |at: &str| {
        format!(
            r#"{{"client": "{client}", "contract_id": "ACME", "key": "T-2", "priority": "critical", "at": "{at}"}}"#
        )
    };
    let before = counts(app, &staff).await;

    let cases: Vec<(&str, String, &str, String, Expect)> = vec![
        // Malformed JSON: line and column.
        ("POST", events.clone(), "application/json", "{\"kind\": \"replied\",\n \"at\": }".into(),
            expect(S::BAD_REQUEST, "bad-request", Some("at"), "not valid JSON")),
        ("POST", "/api/v1/users".into(), "application/json", "{\"email\": \"a@b.c\",".into(),
            expect(S::BAD_REQUEST, "bad-request", None, "ends too early")),
        ("POST", pause.clone(), "application/json", "{\"reason\": \"approval\"".into(),
            expect(S::BAD_REQUEST, "bad-request", None, "ends too early")),
        // Wrong types: the field is named.
        ("POST", events.clone(), "application/json", r#"{"kind": "replied", "at": 42}"#.into(),
            expect(S::BAD_REQUEST, "bad-request", Some("at"), "string")),
        ("POST", events.clone(), "application/json", r#"[{"kind": "replied", "at": "2026-03-02T08:30:00Z"}, 7]"#.into(),
            expect(S::BAD_REQUEST, "bad-request", Some("[1]"), "object")),
        ("POST", pause.clone(), "application/json", r#"{"reason": ["approval"], "waiting_on": "x"}"#.into(),
            expect(S::BAD_REQUEST, "bad-request", Some("reason"), "string")),
        ("POST", "/api/v1/users".into(), "application/json", r#"{"email": 5, "name": "N", "role": "agent"}"#.into(),
            expect(S::BAD_REQUEST, "bad-request", Some("email"), "string")),
        ("POST", "/api/v1/organisations".into(), "application/json", r#"{"name": null}"#.into(),
            expect(S::BAD_REQUEST, "bad-request", Some("name"), "string")),
        ("POST", "/api/v1/tokens".into(), "application/json", r#"{"name": "ci", "user": false}"#.into(),
            expect(S::BAD_REQUEST, "bad-request", Some("user"), "string")),
        // Unknown fields.
        ("POST", events.clone(), "application/json", r#"[{"kind": "replied", "at": "2026-03-02T08:30:00Z", "colour": "red"}]"#.into(),
            expect(S::BAD_REQUEST, "bad-request", Some("[0].colour"), "unknown field")),
        ("POST", pause.clone(), "application/json", r#"{"reason": "approval", "waiting_on": "x", "colour": "red"}"#.into(),
            expect(S::BAD_REQUEST, "bad-request", Some("colour"), "unknown field `colour`")),
        ("POST", resume.clone(), "application/json", r#"{"colour": "red"}"#.into(),
            expect(S::BAD_REQUEST, "bad-request", Some("colour"), "unknown field `colour`")),
        ("POST", "/api/v1/organisations".into(), "application/json", r#"{"name": "X", "colour": "red"}"#.into(),
            expect(S::BAD_REQUEST, "bad-request", Some("colour"), "unknown field `colour`")),
        // Bad instants: a month 13, no zone, not RFC 3339.
        ("POST", events.clone(), "application/json", r#"{"kind": "replied", "at": "2026-13-01T00:00:00Z"}"#.into(),
            expect(S::BAD_REQUEST, "bad-request", Some("at"), "2026-13-01T00:00:00Z")),
        ("POST", events.clone(), "application/json", r#"{"kind": "replied", "at": "2026-03-02T08:30:00"}"#.into(),
            expect(S::BAD_REQUEST, "bad-request", Some("at"), "2026-03-02T08:30:00")),
        ("POST", pause.clone(), "application/json", r#"{"reason": "approval", "waiting_on": "x", "at": "2026-13-01T00:00:00Z"}"#.into(),
            expect(S::BAD_REQUEST, "bad-request", Some("at"), "2026-13-01T00:00:00Z")),
        ("POST", resume.clone(), "application/json", r#"{"at": "2026-03-02 08:30"}"#.into(),
            expect(S::BAD_REQUEST, "bad-request", Some("at"), "RFC 3339")),
        ("POST", "/api/v1/tickets".into(), "application/json", open("2026-03-02T08:00:00"),
            expect(S::BAD_REQUEST, "bad-request", Some("at"), "2026-03-02T08:00:00")),
        // Offsets RFC 3339 does not allow are refused, not converted; so is a
        // leap second, which would silently become :59.
        ("POST", events.clone(), "application/json", r#"{"kind": "replied", "at": "2026-03-02T08:30:00+25:00"}"#.into(),
            expect(S::BAD_REQUEST, "bad-request", Some("at"), "not an RFC 3339 offset")),
        ("POST", events.clone(), "application/json", r#"{"kind": "replied", "at": "2026-03-02T08:30:00+01:00:30"}"#.into(),
            expect(S::BAD_REQUEST, "bad-request", Some("at"), "not an RFC 3339 offset")),
        ("POST", events.clone(), "application/json", r#"{"kind": "replied", "at": "2026-03-02T23:59:60Z"}"#.into(),
            expect(S::BAD_REQUEST, "bad-request", Some("at"), "leap second")),
        // A ticket key is a name, not a payload.
        ("POST", "/api/v1/tickets".into(), "application/json", open("2026-03-02T08:00:00Z").replace("T-2", &"K".repeat(10_000)),
            expect(S::UNPROCESSABLE_ENTITY, "unprocessable", Some("key"), "at most 100 characters")),
        // Oversized bodies.
        ("POST", "/api/v1/organisations".into(), "application/json", oversized_json.clone(),
            expect(S::PAYLOAD_TOO_LARGE, "payload-too-large", None, "larger than")),
        ("POST", events.clone(), "application/json", oversized_json,
            expect(S::PAYLOAD_TOO_LARGE, "payload-too-large", None, "larger than")),
        ("POST", "/api/v1/contracts/ACME/versions".into(), "application/toml", oversized,
            expect(S::PAYLOAD_TOO_LARGE, "payload-too-large", None, "larger than")),
        // Unknown tickets.
        ("POST", format!("{unknown}/events"), "application/json", r#"{"kind": "replied", "at": "2026-03-02T08:30:00Z"}"#.into(),
            expect(S::NOT_FOUND, "not-found", None, "no ticket")),
        ("POST", format!("{unknown}/pause"), "application/json", r#"{"reason": "approval", "waiting_on": "x"}"#.into(),
            expect(S::NOT_FOUND, "not-found", None, "no ticket")),
        ("POST", "/api/v1/tickets/T-1/resume".into(), "application/json", "{}".into(),
            expect(S::NOT_FOUND, "not-found", None, "no ticket")),
        // Read but refused: a future event in a batch refuses the whole batch.
        ("POST", events.clone(), "application/json", r#"[{"kind": "replied", "at": "2026-03-02T08:30:00Z"}, {"kind": "resolved", "at": "2099-01-01T00:00:00Z"}]"#.into(),
            expect(S::UNPROCESSABLE_ENTITY, "unprocessable", None, "future")),
        ("POST", "/api/v1/tickets".into(), "text/plain", open("2026-03-02T08:00:00Z"),
            expect(S::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type", None, "application/json")),
        // A NUL character, which PostgreSQL cannot store, is refused alike on
        // both databases wherever it is: body fields, URL paths and queries.
        ("POST", events.clone(), "application/json", r#"{"kind": "replied", "at": "2026-03-02T08:30:00Z", "note": "a\u0000b"}"#.into(),
            expect(S::BAD_REQUEST, "bad-request", Some("note"), "NUL")),
        ("POST", events.clone(), "application/json", r#"[{"kind": "replied", "at": "2026-03-02T08:30:00Z"}, {"kind": "replied", "at": "2026-03-02T08:31:00Z", "id": "x\u0000"}]"#.into(),
            expect(S::BAD_REQUEST, "bad-request", Some("[1].id"), "NUL")),
        ("POST", "/api/v1/tickets".into(), "application/json", open("2026-03-02T08:00:00Z").replace("T-2", "T\\u00002"),
            expect(S::BAD_REQUEST, "bad-request", Some("key"), "NUL")),
        ("POST", "/api/v1/organisations".into(), "application/json", r#"{"name": "Nul\u0000 Ltd"}"#.into(),
            expect(S::BAD_REQUEST, "bad-request", Some("name"), "NUL")),
        ("POST", "/api/v1/contracts/a%00b/versions".into(), "application/toml", "x = 1".into(),
            expect(S::BAD_REQUEST, "bad-request", Some("path"), "NUL")),
        ("POST", format!("/api/v1/contracts?client={client}&name=a%00b"), "application/toml", "x = 1".into(),
            expect(S::BAD_REQUEST, "bad-request", Some("name"), "NUL")),
        ("POST", "/api/v1/contracts/ACME/versions".into(), "application/toml", "id = \"ACME\"\n# \0\n".into(),
            expect(S::BAD_REQUEST, "bad-request", None, "NUL character on line 2")),
    ];
    let mut wrong = Vec::new();
    for (method, path, content_type, body, want) in cases {
        let res = app
            .send(
                method,
                Some(&staff),
                &path,
                Some((content_type, body.clone())),
            )
            .await;
        let p = problem(res, want.status).await;
        let shown = if body.len() > 200 {
            "<oversized>"
        } else {
            body.as_str()
        };
        if !p["type"].as_str().unwrap().ends_with(want.kind)
            || p["field"].as_str() != want.field
            || !p["detail"].as_str().unwrap().contains(want.detail)
        {
            wrong.push(format!(
                "{method} {path} {shown}: want type {}, field {:?}, detail with `{}`; got {p}",
                want.kind, want.field, want.detail
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // Malformed JSON is placed by line and column.
    let p = problem(
        app.post_raw(
            &staff,
            &events,
            "application/json",
            "{\"kind\": \"replied\",\n \"at\": }",
        )
        .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(
        (p["line"].as_u64(), p["column"].as_u64()),
        (Some(2), Some(8)),
        "{p}"
    );

    // A JSON body that does not say it is one is refused, not guessed.
    let res = app
        .http
        .post(format!("{}{events}", app.base))
        .bearer_auth(&staff)
        .body(r#"{"kind": "replied", "at": "2026-03-02T08:30:00Z"}"#)
        .send()
        .await
        .unwrap();
    let p = problem(res, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    assert!(
        p["detail"].as_str().unwrap().contains("no Content-Type"),
        "{p}"
    );

    assert_eq!(
        counts(app, &staff).await,
        before,
        "a refused request wrote something"
    );
    // RFC 3339 puts no bound on a fraction's digits: twelve are read (to
    // the whole second, like every event).
    let (status, body) = json_of(
        app.post_raw(
            &staff,
            &events,
            "application/json",
            r#"{"kind": "replied", "at": "2026-03-02T08:30:00.123456789012Z"}"#,
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}
both!(bad_input_gets_a_precise_problem_and_writes_nothing);

async fn a_form_over_the_body_limit_is_413_not_400(app: &TestApp) {
    let big = format!(
        "email={}&password=x",
        "a".repeat(accord_server::BODY_LIMIT + 1)
    );
    let res = app
        .http
        .post(format!("{}/login", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", &app.base)
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let page = res.text().await.unwrap();
    assert!(page.contains("larger than"), "{page}");
}
both!(a_form_over_the_body_limit_is_413_not_400);

async fn a_nul_character_in_a_url_is_refused_naming_the_path(app: &TestApp) {
    let staff = app.token(Role::Admin, None, "admin@provider.test").await;
    let p = problem(
        app.get(Some(&staff), "/api/v1/contracts/a%00b/versions")
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(p["field"], "path", "{p}");
}
both!(a_nul_character_in_a_url_is_refused_naming_the_path);
