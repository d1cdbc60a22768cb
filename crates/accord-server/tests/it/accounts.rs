//! Organisations, users and API tokens over HTTP (SPEC §1): what an admin
//! may do, what a client user sees, and tokens that stop working the moment
//! they are revoked.

use accord_store::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, both, json_of, problem};

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
    json_of(app.post_json(token, path, &body).await).await
}

async fn admins_create_organisations_and_users_bound_to_them(app: &TestApp) {
    app.store
        .accounts()
        .create_provider("Provider Ltd", jiff::Timestamp::now())
        .await
        .unwrap();
    let admin = app.token(Role::Admin, None, "admin@provider.test").await;
    let (status, acme) = post(
        app,
        &admin,
        "/api/v1/organisations",
        json!({"name": "Acme"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{acme}");
    assert_eq!(
        (&acme["kind"], &acme["name"]),
        (&json!("client"), &json!("Acme"))
    );
    let acme_id = acme["id"].as_str().unwrap().to_string();
    problem(
        app.post_json(&admin, "/api/v1/organisations", &json!({"name": "Acme"}))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    let p = problem(
        app.post_json(&admin, "/api/v1/organisations", &json!({"name": "  "}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["field"], "name");
    let (_, orgs) = json_of(app.get(Some(&admin), "/api/v1/organisations").await).await;
    let names: Vec<_> = orgs
        .as_array()
        .unwrap()
        .iter()
        .map(|o| &o["name"])
        .collect();
    assert_eq!(names, [&json!("Provider Ltd"), &json!("Acme")]);

    // A client user needs its organisation; staff must not have one.
    let user = |role: &str, client: Value| json!({"email": format!("{role}@x.test"), "name": "N", "role": role, "client": client});
    for (body, status, field) in [
        (
            user("client", Value::Null),
            StatusCode::UNPROCESSABLE_ENTITY,
            "client",
        ),
        (
            user("agent", json!(acme_id)),
            StatusCode::UNPROCESSABLE_ENTITY,
            "client",
        ),
        (
            user("client", json!("0192f1a0-7b3c-7def-8123-456789abcdef")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "client",
        ),
        (
            user("client", json!("acme")),
            StatusCode::BAD_REQUEST,
            "client",
        ),
        (user("boss", Value::Null), StatusCode::BAD_REQUEST, "role"),
    ] {
        let p = problem(app.post_json(&admin, "/api/v1/users", &body).await, status).await;
        assert_eq!(p["field"], field, "{body} -> {p}");
    }
    let (status, ana) = post(
        app,
        &admin,
        "/api/v1/users",
        json!({"email": "Ana@Acme.test", "name": "Ana", "role": "client", "client": acme_id,
               "password": "correct horse"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{ana}");
    assert_eq!(
        (&ana["email"], &ana["role"], &ana["client"]),
        (&json!("ana@acme.test"), &json!("client"), &json!(acme_id))
    );
    assert!(ana.get("password").is_none());
    // The password was stored as a hash that verifies.
    let found = app
        .store
        .accounts()
        .authenticate("ana@acme.test", "correct horse")
        .await
        .unwrap();
    assert_eq!(found.unwrap().id.to_string(), ana["id"].as_str().unwrap());
    problem(
        app.post_json(
            &admin,
            "/api/v1/users",
            &json!({"email": "ana@acme.test", "name": "Ana 2", "role": "agent"}),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    let (_, users) = json_of(app.get(Some(&admin), "/api/v1/users").await).await;
    let emails: Vec<_> = users
        .as_array()
        .unwrap()
        .iter()
        .map(|u| &u["email"])
        .collect();
    assert_eq!(
        emails,
        [&json!("admin@provider.test"), &json!("ana@acme.test")]
    );

    // An admin makes Ana a token; with it Ana sees herself and Acme only.
    let (status, made) = post(
        app,
        &admin,
        "/api/v1/tokens",
        json!({"name": "acme-portal", "user": ana["id"]}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let ana_token = made["secret"].as_str().unwrap().to_string();
    let (_, me) = json_of(app.get(Some(&ana_token), "/api/v1/users/me").await).await;
    assert_eq!((&me["id"], &me["client"]), (&ana["id"], &json!(acme_id)));
    let (_, orgs) = json_of(app.get(Some(&ana_token), "/api/v1/organisations").await).await;
    assert_eq!(
        orgs,
        json!([{"id": acme_id, "kind": "client", "name": "Acme"}])
    );
    problem(
        app.get(Some(&ana_token), "/api/v1/users").await,
        StatusCode::FORBIDDEN,
    )
    .await;
    problem(
        app.post_json(
            &ana_token,
            "/api/v1/organisations",
            &json!({"name": "Mine"}),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let (_, me_admin) = json_of(app.get(Some(&admin), "/api/v1/users/me").await).await;
    problem(
        app.post_json(
            &ana_token,
            "/api/v1/tokens",
            &json!({"name": "x", "user": me_admin["id"]}),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
}
both!(admins_create_organisations_and_users_bound_to_them);

async fn tokens_are_shown_once_listed_by_owner_and_dead_once_revoked(app: &TestApp) {
    let (_, client_token) = app.client("Acme", "ACME").await;
    let admin = app.token(Role::Admin, None, "admin@provider.test").await;
    let (status, second) = post(app, &client_token, "/api/v1/tokens", json!({"name": "ci"})).await;
    assert_eq!(status, StatusCode::CREATED, "{second}");
    let second_secret = second["secret"].as_str().unwrap().to_string();
    assert!(second_secret.starts_with("accord_"));
    assert_eq!(second["revoked_at"], Value::Null);

    let (_, mine) = json_of(app.get(Some(&second_secret), "/api/v1/tokens").await).await;
    let mine = mine.as_array().unwrap();
    // Both of the caller's tokens (newest first; these two may share a
    // millisecond, so compare them as a set).
    let mut names: Vec<_> = mine.iter().map(|t| t["name"].clone()).collect();
    names.sort_by_key(|n| n.to_string());
    assert_eq!(names, [json!("ci"), json!("test")]);
    // The secret is never listed.
    assert!(mine.iter().all(|t| t.get("secret").is_none()));
    assert!(!serde_json::to_string(mine).unwrap().contains(&client_token));

    // Another user's token is not found, and stays valid.
    let (_, admin_tokens) = json_of(app.get(Some(&admin), "/api/v1/tokens").await).await;
    let admin_token_id = admin_tokens[0]["id"].as_str().unwrap();
    problem(
        app.delete(&client_token, &format!("/api/v1/tokens/{admin_token_id}"))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(
        app.get(Some(&admin), "/api/v1/users/me").await.status(),
        StatusCode::OK
    );

    // Revoking the first token refuses it on the very next request.
    let first_id = mine
        .iter()
        .find(|t| t["name"] == "test")
        .and_then(|t| t["id"].as_str())
        .unwrap();
    let res = app
        .delete(&second_secret, &format!("/api/v1/tokens/{first_id}"))
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    problem(
        app.get(Some(&client_token), "/api/v1/users/me").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    problem(
        app.delete(&second_secret, &format!("/api/v1/tokens/{first_id}"))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let (_, mine) = json_of(app.get(Some(&second_secret), "/api/v1/tokens").await).await;
    let first = mine
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "test");
    assert!(first.unwrap()["revoked_at"].is_string(), "{mine}");
    // An admin may revoke anyone's token.
    let second_id = second["id"].as_str().unwrap();
    let res = app
        .delete(&admin, &format!("/api/v1/tokens/{second_id}"))
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    problem(
        app.get(Some(&second_secret), "/api/v1/tokens").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
}
both!(tokens_are_shown_once_listed_by_owner_and_dead_once_revoked);
