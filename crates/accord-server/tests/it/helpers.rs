//! `TestApp`: `accord_server::launch` on a loopback port with a fresh
//! SQLite file or, where asked, a fresh PostgreSQL database
//! (`ACCORD_TEST_POSTGRES_URL`, default `postgres://postgres@127.0.0.1:5432/test`;
//! skipped with a message when unreachable, required when `CI` is set),
//! seeded through the store, with a small typed client.

use accord_server::{DatabaseUrl, Settings, TimeSource};
use accord_store::testing::TestDb;
use accord_store::{ClientId, NewUser, Role, Store};
use jiff::Timestamp;
use reqwest::{Response, StatusCode};
use serde_json::Value;
use tokio::sync::oneshot;

pub use accord_store::testing::CONTRACT;

/// A running server and a store on the same database to seed it.
pub struct TestApp {
    pub base: String,
    pub store: Store,
    pub http: reqwest::Client,
    shutdown: Option<oneshot::Sender<()>>,
    server: tokio::task::JoinHandle<Result<(), accord_server::ServerError>>,
    db: TestDb,
}

impl TestApp {
    pub async fn sqlite() -> TestApp {
        TestApp::start(TestDb::sqlite().await).await
    }

    /// `None` when PostgreSQL is unreachable outside CI.
    pub async fn postgres() -> Option<TestApp> {
        Some(TestApp::start(TestDb::postgres().await?).await)
    }

    /// Serves `launch` on a loopback port over the fresh database `db`,
    /// which is already migrated.
    async fn start(db: TestDb) -> TestApp {
        TestApp::start_with(db, Settings::default(), TimeSource::system()).await
    }

    /// Serves `launch_with_time` with `settings` (its database replaced by
    /// `db`'s) reading `time`.
    pub async fn start_with(db: TestDb, settings: Settings, time: TimeSource) -> TestApp {
        let settings = Settings {
            database_url: Some(DatabaseUrl::new(db.url.clone())),
            ..settings
        };
        accord_server::documents::install_pdf_renderer(|doc| {
            accord_pdf::render(doc).map_err(|e| e.to_string())
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let store = db.store.clone();
        let (tx, rx) = oneshot::channel::<()>();
        let shutdown = async move {
            let _ = rx.await;
        };
        let server = tokio::spawn(accord_server::launch_with_time(
            settings, listener, shutdown, time,
        ));
        TestApp {
            base: format!("http://{addr}"),
            store,
            http: reqwest::Client::new(),
            shutdown: Some(tx),
            server,
            db,
        }
    }

    /// Stops the server (gracefully) and removes the database.
    pub async fn finish(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.server.await.unwrap().unwrap();
        self.db.finish().await;
    }

    /// A client with contract `contract_id`, and a token of one of its users.
    pub async fn client(&self, name: &str, contract_id: &str) -> (ClientId, String) {
        let now = Timestamp::now();
        let client = self
            .store
            .accounts()
            .create_client(name, now)
            .await
            .unwrap();
        let text = CONTRACT.replace("CONTRACT_ID", contract_id);
        self.store
            .contracts()
            .put_version(&client, "c.toml", &text, now)
            .await
            .unwrap();
        let token = self
            .token(
                Role::Client,
                Some(client.clone()),
                &format!("{contract_id}@client.test"),
            )
            .await;
        (client, token)
    }

    /// A token of a new user with this role.
    pub async fn token(&self, role: Role, client: Option<ClientId>, email: &str) -> String {
        let now = Timestamp::now();
        let user = self
            .store
            .accounts()
            .create_user(
                NewUser {
                    email,
                    name: "Test user",
                    role,
                    client,
                    password: None,
                },
                now,
            )
            .await
            .unwrap();
        let (_, secret) = self
            .store
            .accounts()
            .create_token(&user.id, "test", now)
            .await
            .unwrap();
        secret.expose().to_string()
    }

    /// The database's URL, to start a second server on it.
    pub fn database_url(&self) -> String {
        self.db.url.clone()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, token: Option<&str>, path: &str) -> Response {
        let mut req = self.http.get(self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.unwrap()
    }

    pub async fn post_json(&self, token: &str, path: &str, body: &Value) -> Response {
        self.post_raw(token, path, "application/json", body.to_string())
            .await
    }

    pub async fn post_raw(
        &self,
        token: &str,
        path: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> Response {
        self.http
            .post(self.url(path))
            .bearer_auth(token)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap()
    }

    /// Opens ticket `key` at `at`, answering its id.
    pub async fn open_ticket(
        &self,
        token: &str,
        client: &ClientId,
        contract: &str,
        key: &str,
        at: &str,
    ) -> String {
        let body = serde_json::json!({
            "client": client.to_string(), "contract_id": contract, "key": key,
            "priority": "critical", "at": at,
        });
        let res = self.post_json(token, "/api/v1/tickets", &body).await;
        let (status, json) = json_of(res).await;
        assert_eq!(status, StatusCode::CREATED, "{json}");
        json["id"].as_str().unwrap().to_string()
    }
}

// ---- requests with any method and body (accounts, tenancy) ----

impl TestApp {
    /// Sends `method path` with a bearer token and, if given, a body of
    /// this content type.
    pub async fn send(
        &self,
        method: &str,
        token: Option<&str>,
        path: &str,
        body: Option<(&str, String)>,
    ) -> Response {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self.http.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some((content_type, body)) = body {
            req = req.header("content-type", content_type).body(body);
        }
        req.send().await.unwrap()
    }

    pub async fn delete(&self, token: &str, path: &str) -> Response {
        self.send("DELETE", Some(token), path, None).await
    }
}

/// Status and JSON body of a response.
pub async fn json_of(res: Response) -> (StatusCode, Value) {
    let status = res.status();
    let text = res.text().await.unwrap();
    let json = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, json)
}

/// Asserts a problem document with this status, answering it.
pub async fn problem(res: Response, status: StatusCode) -> Value {
    assert_eq!(
        res.headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string()),
        Some("application/problem+json".to_string())
    );
    let (got, json) = json_of(res).await;
    assert_eq!(got, status, "{json}");
    assert_eq!(json["status"], status.as_u16());
    assert!(json["type"].as_str().unwrap().starts_with("https://"));
    assert!(json["title"].is_string() && json["detail"].is_string());
    json
}

/// Runs one test body against SQLite and PostgreSQL.
macro_rules! both {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = crate::helpers::TestApp::sqlite().await;
                super::$name(&app).await;
                app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(app) = crate::helpers::TestApp::postgres().await else {
                    return;
                };
                super::$name(&app).await;
                app.finish().await;
            }
        }
    };
}
pub(crate) use both;
