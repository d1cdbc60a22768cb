//! Fresh databases for test suites (this crate's and the server's): a
//! temporary SQLite file, or a new PostgreSQL database created from
//! `ACCORD_TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/test`)
//! and dropped afterwards.
//!
//! Without PostgreSQL a test's PostgreSQL half is skipped with a message,
//! unless `CI` is set: in CI nothing is skipped. Only built with the
//! `testing` feature; as test scaffolding it panics on setup failures.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::Store;
use sqlx::Connection;
use sqlx::postgres::PgConnection;

/// A test contract measured around the clock, so instants are easy to reason
/// about: critical first response 1 h and resolution 4 h, normal 8 h / 40 h.
pub const CONTRACT: &str = r#"
id = "CONTRACT_ID"
client = "Test client"
effective_from = 2026-01-01

[calendars.always]
timezone = "UTC"
every_day = ["00:00-24:00"]

[priorities.critical]
calendar = "always"
first_response = "1h"
resolution = "4h"

[priorities.normal]
calendar = "always"
first_response = "8h"
resolution = "40h"
"#;

/// [`CONTRACT`] with id `id`, client contacts, pause reasons and two
/// milestones on its every-day UTC calendar: `go-live` due 31 March 2026,
/// whose sample export (`export`, owed by `client.data_owner`) is due 13
/// February, and `handover` due 30 April with nothing owed.
pub fn milestone_contract(id: &str) -> String {
    format!(
        r#"{}
[contacts.client]
data_owner = {{ name = "Mia", email = "mia@client.example" }}

[pauses]
reasons = ["data_dependency", "pending_payment"]

[[milestones]]
id = "go-live"
name = "Go-live"
due = 2026-03-31
calendar = "always"

[[milestones.deliverables]]
id = "export"
what = "Sample data export"
owner = "client.data_owner"
due = 2026-02-13
reason = "data_dependency"

[[milestones]]
id = "handover"
name = "Handover"
due = 2026-04-30
calendar = "always"
"#,
        CONTRACT.replace("CONTRACT_ID", id)
    )
}

/// A contract `id` for statements (SPEC §7): [`CONTRACT`]'s every-day UTC
/// calendar in EUR, contacts on both sides, the objective that 90 % of
/// critical first responses are met each month, and a credit of 10 % of a
/// 1000.00 fee below 90 % (cap 20 %).
pub fn statement_contract(id: &str) -> String {
    CONTRACT.replace("CONTRACT_ID", id).replace(
        "effective_from = 2026-01-01\n",
        r#"effective_from = 2026-01-01
currency = "EUR"

[contacts.provider]
account_manager = { name = "Dana", email = "dana@provider.example" }
delivery_lead = { name = "Sam", email = "sam@provider.example" }

[contacts.client]
approver = { name = "Ann", email = "ann@client.example" }

[[objectives]]
metric = "first_response"
priority = "critical"
within_target = 0.9
period = "month"

[credits]
period_fee = "1000.00"
cap = 0.20

[[credits.rules]]
metric = "first_response"
priority = "critical"
tiers = [{ below = 0.9, credit = 0.1 }]
"#,
    )
}

const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

static COUNTER: AtomicUsize = AtomicUsize::new(0);

fn unique_name() -> String {
    format!(
        "accord_test_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// A store on a fresh database, with what is needed to open a second
/// connection pool to it and to clean it up.
#[derive(Debug)]
#[allow(missing_docs)]
pub struct TestDb {
    pub store: Store,
    /// The database URL, to open a second store (another "process") on it.
    pub url: String,
    cleanup: Cleanup,
}

#[derive(Debug)]
enum Cleanup {
    Dir(PathBuf),
    Database { admin_url: String, name: String },
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        TestDb::sqlite_migrated_to(None).await
    }

    /// A fresh SQLite database migrated up to `last` (all with `None`).
    pub async fn sqlite_migrated_to(last: Option<i64>) -> TestDb {
        let dir = std::env::temp_dir().join(unique_name());
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}", dir.join("accord.db").display());
        let store = migrated(&url, last).await;
        assert_eq!(store.backend_name(), "sqlite");
        TestDb {
            store,
            url,
            cleanup: Cleanup::Dir(dir),
        }
    }

    /// `None` when PostgreSQL is unreachable outside CI.
    pub async fn postgres() -> Option<TestDb> {
        TestDb::postgres_migrated_to(None).await
    }

    /// A fresh PostgreSQL database migrated up to `last` (all with `None`);
    /// `None` when PostgreSQL is unreachable outside CI.
    pub async fn postgres_migrated_to(last: Option<i64>) -> Option<TestDb> {
        let admin_url = std::env::var("ACCORD_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_string());
        let mut admin = match PgConnection::connect(&admin_url).await {
            Ok(c) => c,
            Err(e) if std::env::var_os("CI").is_some() => {
                panic!("PostgreSQL is required in CI but {admin_url} is unreachable: {e}")
            }
            Err(e) => {
                eprintln!(
                    "skipping the PostgreSQL half of this test: {admin_url} is unreachable ({e}).\n\
                     Start PostgreSQL (e.g. `apt-get install postgresql && service postgresql start`, \
                     trust auth for user postgres, a database `test`) or set ACCORD_TEST_POSTGRES_URL."
                );
                return None;
            }
        };
        let name = unique_name();
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .unwrap();
        admin.close().await.unwrap();
        let url = replace_database(&admin_url, &name);
        let store = migrated(&url, last).await;
        assert_eq!(store.backend_name(), "postgres");
        Some(TestDb {
            store,
            url,
            cleanup: Cleanup::Database { admin_url, name },
        })
    }

    /// Closes the store and removes the database.
    pub async fn finish(self) {
        self.store.close().await;
        match self.cleanup {
            Cleanup::Dir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::Database { admin_url, name } => {
                if let Ok(mut admin) = PgConnection::connect(&admin_url).await {
                    let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(drop))
                        .execute(&mut admin)
                        .await;
                }
            }
        }
    }
}

impl Store {
    /// Runs one SQL statement on the writer, for tests that set up rows as
    /// an older schema held them.
    pub async fn execute_for_tests(&self, sql: sqlx::AssertSqlSafe<String>) -> crate::Result<()> {
        match &self.backend {
            crate::Backend::Sqlite(pool) => {
                sqlx::raw_sql(sql).execute(pool).await?;
            }
            crate::Backend::Postgres(pool) => {
                sqlx::raw_sql(sql).execute(pool).await?;
            }
        }
        Ok(())
    }
}

async fn migrated(url: &str, last: Option<i64>) -> Store {
    let store = Store::connect(url).await.unwrap();
    match last {
        None => store.migrate().await.unwrap(),
        Some(v) => store.migrate_until(v).await.unwrap(),
    }
    store
}

/// The URL with its database name replaced.
fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let prefix = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    format!("{prefix}/{name}{query}")
}
