//! Accord's storage (SPEC §1, §2, §4, §5, §7, §9), one handle per domain.
//!
//! One [`Store`] fronts SQLite (the embedded default: one file, WAL) or
//! PostgreSQL (several servers), chosen by URL; it opens and migrates the
//! database and hands out small handles shaped like the use cases that call
//! them:
//!
//! | handle | owns |
//! |---|---|
//! | [`Store::accounts`] | organisations, users, API tokens |
//! | [`Store::sessions`] | browser sessions |
//! | [`Store::contracts`] | contract versions and amendments |
//! | [`Store::tickets`] | tickets, their event logs and derived clocks |
//! | [`Store::milestones`] | milestone event logs, by contract |
//! | [`Store::statements`] | compliance statements: drafts per period, issued snapshots |
//! | [`Store::invoices`] | invoices per period, gap-free numbers, frozen documents |
//! | [`Store::time_entries`] | time entries, their approval, timers, locked periods |
//! | [`Store::schedule`] | due work, claimed exactly once (threshold crossings, ...) |
//! | [`Store::outbox`] | what must be sent: webhooks, notifications, delivery attempts |
//!
//! Each domain has a facade (`src/<domain>.rs`), its queries
//! (`src/db/<domain>.rs`, one SQL text for both backends) and its types
//! (`src/model/<domain>.rs`); a new domain is one more of each. Every method
//! that reads tenant data takes a [`Tenant`] and enforces it in SQL, so a
//! client never sees another client's rows. Instants are stored as integer
//! Unix milliseconds.
//!
//! ```no_run
//! # async fn demo() -> Result<(), accord_store::Error> {
//! use accord_store::{Store, Tenant};
//! let store = Store::open("sqlite:///var/lib/accord/accord.db").await?;
//! let at_risk = store.tickets().at_risk(&Tenant::Provider, 3600, 50).await?;
//! # Ok(()) }
//! ```

mod accounts;
mod auth;
mod contracts;
mod db;
mod error;
mod ids;
mod invoices;
mod milestones;
mod model;
mod outbox;
mod schedule;
mod sessions;
mod statements;
#[cfg(feature = "testing")]
pub mod testing;
mod tickets;
mod time_entries;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};
use tracing::instrument;

pub use accounts::Accounts;
pub use auth::{TOKEN_PREFIX, TokenSecret, hash_password, random_password, verify_password};
pub use contracts::Contracts;
pub use error::{Error, Result};
pub use ids::{
    BadId, ClientId, InvoiceId, NotificationId, OrgId, StatementId, Tenant, TicketId, TimeEntryId,
    TokenId, UserId, WebhookId,
};
pub use invoices::{Invoices, RenderDocuments};
pub use milestones::Milestones;
pub use model::*;
pub use outbox::Outbox;
pub use schedule::Schedule;
pub use sessions::Sessions;
pub use statements::Statements;
pub use tickets::Tickets;
pub use time_entries::TimeEntries;

use db::{VersionCache, postgres, sqlite};

/// The database behind a [`Store`].
#[derive(Debug, Clone)]
enum Backend {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs the same-named query function of the backend in use, on the
/// connection that may write (SQLite: the single writer).
macro_rules! on_writer {
    ($store:expr, $f:ident ( $($arg:expr),* )) => {
        match &$store.backend {
            $crate::Backend::Sqlite(pool) => $crate::sqlite::$f(pool, $($arg),*).await,
            $crate::Backend::Postgres(pool) => $crate::postgres::$f(pool, $($arg),*).await,
        }
    };
}
pub(crate) use on_writer;

/// Runs the same-named query function of the backend in use, for a method
/// that only reads: on SQLite it runs on the read-only connections, so it
/// never waits for the single writer (see [`Store::connect`]); a write sent
/// this way by mistake is refused by SQLite (`query_only`).
macro_rules! on_reader {
    ($store:expr, $f:ident ( $($arg:expr),* )) => {
        match (&$store.backend, &$store.readers) {
            ($crate::Backend::Sqlite(_), Some(pool)) | ($crate::Backend::Sqlite(pool), None) => {
                $crate::sqlite::$f(pool, $($arg),*).await
            }
            ($crate::Backend::Postgres(pool), _) => $crate::postgres::$f(pool, $($arg),*).await,
        }
    };
}
pub(crate) use on_reader;

/// Accord's data-access layer over SQLite or PostgreSQL. Cheap to clone:
/// clones share the connection pool.
#[derive(Debug, Clone)]
pub struct Store {
    backend: Backend,
    /// SQLite: the read-only connections (`PRAGMA query_only`) that
    /// `on_reader!` uses; `None` for PostgreSQL and in-memory SQLite.
    readers: Option<SqlitePool>,
    policies: Arc<VersionCache>,
}

impl Store {
    /// Opens the database at `url` and applies pending migrations.
    ///
    /// - `sqlite://PATH` (or `sqlite:PATH`): a file, created if missing, in
    ///   WAL mode with `synchronous = NORMAL` (a committed transaction
    ///   survives a crash of the process) and foreign keys on. Writes go
    ///   through one connection, so writers queue in the pool (first come,
    ///   first served) instead of polling SQLite's lock with busy-timeout
    ///   sleeps; reads use up to four read-only connections, which WAL lets
    ///   run while the writer writes.
    /// - `postgres://...` / `postgresql://...`: a PostgreSQL database.
    #[instrument(skip_all)]
    pub async fn open(url: &str) -> Result<Store> {
        let store = Store::connect(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Opens the database at `url` without migrating it.
    pub async fn connect(url: &str) -> Result<Store> {
        let mut readers = None;
        let backend = if url.starts_with("sqlite:") {
            let options =
                SqliteConnectOptions::from_str(url).map_err(|_| Error::BadUrl(url.to_string()))?;
            // The file is created if missing, and so is its directory.
            if let Some(dir) = options.get_filename().parent()
                && !dir.as_os_str().is_empty()
            {
                std::fs::create_dir_all(dir).map_err(|e| {
                    Error::Unavailable(format!("cannot create {}: {e}", dir.display()))
                })?;
            }
            let options = options
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            let in_memory = url.contains(":memory:") || url.contains("mode=memory");
            // The single writer: kept open for the life of the pool.
            let writer = SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
                .connect_with(options.clone())
                .await?;
            if !in_memory {
                readers = Some(
                    SqlitePoolOptions::new()
                        .max_connections(4)
                        .connect_with(options.pragma("query_only", "ON"))
                        .await?,
                );
            }
            Backend::Sqlite(writer)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options =
                PgConnectOptions::from_str(url).map_err(|_| Error::BadUrl(url.to_string()))?;
            let pool = PgPoolOptions::new()
                .max_connections(10)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await?;
            Backend::Postgres(pool)
        } else {
            return Err(Error::BadUrl(url.to_string()));
        };
        Ok(Store {
            backend,
            readers,
            policies: Arc::default(),
        })
    }

    /// Applies the embedded migrations not yet applied (`accord migrate`).
    #[instrument(skip_all)]
    pub async fn migrate(&self) -> Result<()> {
        match &self.backend {
            Backend::Sqlite(pool) => db::migrator(db::SQLITE_MIGRATIONS).await?.run(pool).await?,
            Backend::Postgres(pool) => {
                db::migrator(db::POSTGRES_MIGRATIONS)
                    .await?
                    .run(pool)
                    .await?
            }
        }
        Ok(())
    }

    /// Applies the embedded migrations up to version `last` only, for tests
    /// of what a migration does to existing rows.
    #[cfg(feature = "testing")]
    pub async fn migrate_until(&self, last: i64) -> Result<()> {
        match &self.backend {
            Backend::Sqlite(pool) => {
                let m = db::SQLITE_MIGRATIONS.until(last);
                db::migrator(m).await?.run(pool).await?
            }
            Backend::Postgres(pool) => {
                let m = db::POSTGRES_MIGRATIONS.until(last);
                db::migrator(m).await?.run(pool).await?
            }
        }
        Ok(())
    }

    /// Closes the connections, waiting for those in use to be returned.
    pub async fn close(&self) {
        if let Some(readers) = &self.readers {
            readers.close().await;
        }
        match &self.backend {
            Backend::Sqlite(pool) => pool.close().await,
            Backend::Postgres(pool) => pool.close().await,
        }
    }

    /// Whether the database answers a trivial query (`/readyz`).
    pub async fn ping(&self) -> Result<()> {
        on_reader!(self, ping())
    }

    /// `"sqlite"` or `"postgres"`.
    pub fn backend_name(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }
}

/// Parses a contract's text as the store does before storing it with
/// `files` (its holiday files, see
/// [`Contracts::put_version_with_files`]), with every diagnostic on error
/// ([`Error::Contract`]).
pub fn parse_contract_with_files(
    source_name: &str,
    text: &str,
    files: &ContractFiles,
) -> Result<accord_core::contract::Contract> {
    db::sqlite::parse_with_files(source_name, text, files).map(|(c, _)| c)
}
