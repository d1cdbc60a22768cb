//! Health, readiness, metrics, authentication and the OpenAPI document.

use reqwest::StatusCode;

use crate::helpers::{TestApp, both, json_of, problem};

async fn health_and_readiness_answer(app: &TestApp) {
    let res = app.get(None, "/healthz").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers().contains_key("x-request-id"));
    assert_eq!(app.get(None, "/readyz").await.status(), StatusCode::OK);
    let metrics = app.get(None, "/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains(
            "accord_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1"
        ),
        "{metrics}"
    );
    assert!(metrics.contains("accord_events_ingested_total 0"));
}
both!(health_and_readiness_answer);

async fn api_without_a_valid_token_is_401(app: &TestApp) {
    let res = app.get(None, "/api/v1/tickets").await;
    assert_eq!(res.headers()["www-authenticate"], "Bearer");
    let p = problem(res, StatusCode::UNAUTHORIZED).await;
    assert!(p["detail"].as_str().unwrap().contains("Bearer"));
    let res = app
        .get(
            Some("accord_0000000000000000000000000000000000000000"),
            "/api/v1/tickets",
        )
        .await;
    problem(res, StatusCode::UNAUTHORIZED).await;
    let res = app.get(Some("not-a-token"), "/api/v1/tickets").await;
    problem(res, StatusCode::UNAUTHORIZED).await;
}
both!(api_without_a_valid_token_is_401);

/// Set `ACCORD_UPDATE_OPENAPI=1` to rewrite the committed document.
#[tokio::test]
async fn openapi_document_is_served_and_matches_the_committed_file() {
    let app = TestApp::sqlite().await;
    let (status, served) = json_of(app.get(None, "/api/v1/openapi.json").await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(served["openapi"], "3.1.0");
    assert!(served["paths"]["/api/v1/tickets/{id}/events"]["post"].is_object());
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json");
    let generated = accord_server::openapi_json().unwrap() + "\n";
    if std::env::var_os("ACCORD_UPDATE_OPENAPI").is_some() {
        std::fs::write(path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == generated,
        "crates/accord-server/openapi.json is stale: run \
         `ACCORD_UPDATE_OPENAPI=1 cargo test -p accord-server --test it openapi` and commit it"
    );
    let committed: serde_json::Value = serde_json::from_str(&committed).unwrap();
    assert_eq!(served, committed);
    app.finish().await;
}

/// Every error the API document lists is described as it is served: an
/// RFC 9457 problem under `application/problem+json`, with a description.
#[tokio::test]
async fn the_api_document_describes_errors_as_served_problems() {
    let doc: serde_json::Value =
        serde_json::from_str(&accord_server::openapi_json().unwrap()).unwrap();
    let mut wrong = Vec::new();
    let mut errors = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let Some(responses) = op["responses"].as_object() else {
                continue;
            };
            // A body can always be too large or of a type not read.
            if op.get("requestBody").is_some()
                && !(responses.contains_key("413") && responses.contains_key("415"))
            {
                wrong.push(format!(
                    "{method} {path}: reads a body but lists no 413/415"
                ));
            }
            for (status, response) in responses {
                if !status.starts_with('4') && !status.starts_with('5') {
                    continue;
                }
                errors += 1;
                let types: Vec<&String> = response["content"]
                    .as_object()
                    .map(|c| c.keys().collect())
                    .unwrap_or_default();
                if types != ["application/problem+json"]
                    || response["description"].as_str().unwrap_or("").is_empty()
                {
                    wrong.push(format!("{method} {path} {status}: {response}"));
                }
            }
        }
    }
    assert!(errors > 50, "only {errors} error responses documented");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // And that is what a real error carries.
    let app = TestApp::sqlite().await;
    let res = app.get(None, "/api/v1/tickets").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        res.headers()["content-type"].to_str().unwrap(),
        "application/problem+json"
    );
    app.finish().await;
}

/// A known path with a method it does not answer: 405 with a page for the
/// web and a problem for the API, never an empty body.
#[tokio::test]
async fn a_wrong_method_is_explained_on_the_web_and_in_the_api() {
    let app = TestApp::sqlite().await;
    let res = app.get(None, "/settings/users").await;
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let page = res.text().await.unwrap();
    assert!(page.contains("does not answer GET requests"), "{page}");
    let res = app
        .http
        .delete(format!("{}/api/v1/tickets", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(
        res.headers()["content-type"].to_str().unwrap(),
        "application/problem+json"
    );
    let p: serde_json::Value = res.json().await.unwrap();
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("DELETE /api/v1/tickets"),
        "{p}"
    );
    app.finish().await;
}
