//! Accord's storage (SPEC §1, §2, §4, §5, §9): organisations, users and API
//! tokens, contract versions, tickets with their append-only event logs, the
//! clocks derived from them, and the scheduled threshold crossings the
//! monitor fires.
//!
//! One [`Store`] fronts SQLite (the embedded default: one file, WAL) or
//! PostgreSQL (several servers), chosen by URL. Its methods are shaped like
//! the use cases that call them; every method that reads tenant data takes a
//! [`Tenant`] and enforces it in SQL, so a client never sees another
//! client's rows. Instants are stored as integer Unix milliseconds.
//!
//! ```no_run
//! # async fn demo() -> Result<(), accord_store::Error> {
//! use accord_store::{Store, Tenant};
//! let store = Store::open("sqlite:///var/lib/accord/accord.db").await?;
//! let at_risk = store.open_tickets_at_risk(&Tenant::Provider, 3600, 50).await?;
//! # Ok(()) }
//! ```

mod auth;
mod db;
mod error;
mod ids;
mod model;
#[cfg(feature = "testing")]
pub mod testing;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use accord_core::clock::TicketEvent;
use jiff::Timestamp;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};
use tracing::instrument;

pub use auth::{TOKEN_PREFIX, TokenSecret, hash_password, random_password, verify_password};
pub use error::{Error, Result};
pub use ids::{BadId, ClientId, OrgId, Tenant, TicketId, TokenId, UserId};
pub use model::{
    Appended, AtRisk, ContractVersion, FiredCrossing, NewTicket, NewUser, OrgKind, Organisation,
    Role, StoredClock, Ticket, TicketFilter, TicketWithClocks, TokenInfo, User,
};
// Notifications (SPEC §7).
pub use ids::{NotificationId, WebhookId};
pub use model::{
    AttemptOutcome, CrossingKind, CrossingRecord, DeliveryAttempt, DeliveryRecord, DeliveryStatus,
    NewWebhook, Notification, NotificationTarget, Webhook, WebhookEvents,
};

use db::{PolicyCache, postgres, sqlite};

// ---- the web application (issue 6) ----
pub use model::{ClockOutcome, ContractSummary, SessionSecret, TokenListing, WebSession};

/// The database behind a [`Store`].
#[derive(Debug, Clone)]
enum Backend {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Calls the same-named function of the backend in use.
macro_rules! dispatch {
    ($self:ident . $f:ident ( $($arg:expr),* )) => {
        match &$self.backend {
            Backend::Sqlite(pool) => sqlite::$f(pool, $($arg),*).await,
            Backend::Postgres(pool) => postgres::$f(pool, $($arg),*).await,
        }
    };
}

/// Calls the same-named function of the backend in use, for a method that
/// only reads: on SQLite it runs on the read-only connections, so it never
/// waits for the single writer (see [`Store::connect`]).
macro_rules! dispatch_read {
    ($self:ident . $f:ident ( $($arg:expr),* )) => {
        match (&$self.backend, &$self.readers) {
            (Backend::Sqlite(_), Some(pool)) | (Backend::Sqlite(pool), None) => {
                sqlite::$f(pool, $($arg),*).await
            }
            (Backend::Postgres(pool), _) => postgres::$f(pool, $($arg),*).await,
        }
    };
}

/// Accord's data-access layer over SQLite or PostgreSQL. Cheap to clone:
/// clones share the connection pool.
#[derive(Debug, Clone)]
pub struct Store {
    backend: Backend,
    /// SQLite: the read-only connections (`PRAGMA query_only`) that
    /// `dispatch_read!` uses; `None` for PostgreSQL and in-memory SQLite.
    readers: Option<SqlitePool>,
    policies: Arc<PolicyCache>,
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
        dispatch_read!(self.ping())
    }

    /// `"sqlite"` or `"postgres"`.
    pub fn backend_name(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    // ---- organisations, users, tokens (SPEC §1) ----

    /// Creates the provider organisation; there is one per installation.
    #[instrument(skip_all)]
    pub async fn create_provider(&self, name: &str, now: Timestamp) -> Result<OrgId> {
        dispatch!(self.create_organisation(OrgKind::Provider, name, now))
    }

    /// Creates a client organisation (staff only: the caller authorises).
    #[instrument(skip_all)]
    pub async fn create_client(&self, name: &str, now: Timestamp) -> Result<ClientId> {
        let id = dispatch!(self.create_organisation(OrgKind::Client, name, now))?;
        Ok(ClientId::from_db(id.as_str().to_string()))
    }

    /// The organisations the tenant may see: all for the provider, its own
    /// for a client.
    #[instrument(skip_all)]
    pub async fn organisations(&self, tenant: &Tenant) -> Result<Vec<Organisation>> {
        dispatch_read!(self.organisations(tenant))
    }

    /// Creates a user; the password, if any, is stored as an Argon2id hash.
    #[instrument(skip_all, fields(role = %new.role))]
    pub async fn create_user(&self, new: NewUser<'_>, now: Timestamp) -> Result<User> {
        dispatch!(self.create_user(new, now))
    }

    /// The user with this e-mail (compared case-insensitively), if any
    /// (for `accord token create`; never exposed to clients).
    #[instrument(skip_all)]
    pub async fn user_by_email(&self, email: &str) -> Result<Option<User>> {
        dispatch_read!(self.user_by_email(email))
    }

    /// The user with this e-mail and password, or `None` (unknown e-mail,
    /// wrong password or no password set alike).
    #[instrument(skip_all)]
    pub async fn authenticate(&self, email: &str, password: &str) -> Result<Option<User>> {
        dispatch!(self.authenticate(email, password))
    }

    /// Creates an API token acting as `user`. The secret is returned here
    /// once; only its SHA-256 is stored.
    #[instrument(skip_all, fields(user = %user))]
    pub async fn create_token(
        &self,
        user: &UserId,
        name: &str,
        now: Timestamp,
    ) -> Result<(TokenInfo, TokenSecret)> {
        dispatch!(self.create_token(user, name, now))
    }

    /// The user a token acts as, if the token exists and is not revoked.
    #[instrument(skip_all)]
    pub async fn verify_token(&self, secret: &TokenSecret) -> Result<Option<User>> {
        dispatch_read!(self.verify_token(secret))
    }

    /// Revokes a token; `false` if it was unknown or already revoked.
    #[instrument(skip_all, fields(token = %token))]
    pub async fn revoke_token(&self, token: &TokenId, now: Timestamp) -> Result<bool> {
        dispatch!(self.revoke_token(token, now))
    }

    // ---- contracts (SPEC §2) ----

    /// Stores a version of a client's contract. The text is parsed first;
    /// if it is invalid, nothing is written and [`Error::Contract`] carries
    /// every diagnostic. The contract id and version come from the text; a
    /// stored (id, version) is never replaced.
    #[instrument(skip_all, fields(client = %client))]
    pub async fn put_contract_version(
        &self,
        client: &ClientId,
        source_name: &str,
        text: &str,
        now: Timestamp,
    ) -> Result<ContractVersion> {
        dispatch!(self.put_contract_version(client, source_name, text, now))
    }

    /// Every stored version of a contract the tenant may see, oldest first.
    #[instrument(skip_all, fields(contract = contract_id))]
    pub async fn contract_versions(
        &self,
        tenant: &Tenant,
        contract_id: &str,
    ) -> Result<Vec<ContractVersion>> {
        dispatch_read!(self.contract_versions(tenant, contract_id))
    }

    // ---- tickets and events (SPEC §4, §5) ----

    /// Opens a ticket under the contract version in force on its opening
    /// day (UTC), records its `opened` event and computes its clocks, in
    /// one transaction. A client tenant may open tickets only for itself.
    #[instrument(skip_all, fields(client = %new.client, key = new.opened.ticket))]
    pub async fn open_ticket(
        &self,
        tenant: &Tenant,
        new: NewTicket,
        now: Timestamp,
    ) -> Result<Ticket> {
        let cache = &*self.policies;
        dispatch!(self.open_ticket(cache, tenant, new, now))
    }

    /// The ticket with this id, if it exists and the tenant may see it.
    #[instrument(skip_all, fields(ticket = %id))]
    pub async fn ticket(&self, tenant: &Tenant, id: &TicketId) -> Result<Option<Ticket>> {
        dispatch_read!(self.ticket(tenant, id))
    }

    /// The ticket with this key of this client, if the tenant may see it.
    #[instrument(skip_all, fields(client = %client, key))]
    pub async fn ticket_by_key(
        &self,
        tenant: &Tenant,
        client: &ClientId,
        key: &str,
    ) -> Result<Option<Ticket>> {
        dispatch_read!(self.ticket_by_key(tenant, client, key))
    }

    /// Tickets the tenant may see that match `filter`, ordered by id (ids
    /// are UUIDv7, so this is creation order to the millisecond), at most
    /// `limit`, starting after the ticket `after` (a cursor: pass the last
    /// id of the previous page).
    #[instrument(skip_all, fields(limit))]
    pub async fn list_tickets(
        &self,
        tenant: &Tenant,
        filter: &TicketFilter,
        after: Option<&TicketId>,
        limit: u32,
    ) -> Result<Vec<Ticket>> {
        dispatch_read!(self.list_tickets(tenant, filter, after, limit))
    }

    /// Appends events to a ticket's log and recomputes its clocks at `now`,
    /// in one transaction. An event whose idempotency key (its `id`, or its
    /// content when it has none) is already stored is skipped if identical;
    /// if different, the whole batch is refused ([`Error::ConflictingEvent`])
    /// and nothing is written. So is a batch the clocks cannot apply
    /// ([`Error::Events`]). [`Error::NotFound`] if the tenant may not see
    /// the ticket.
    #[instrument(skip_all, fields(ticket = %ticket, events = events.len()))]
    pub async fn append_events(
        &self,
        tenant: &Tenant,
        ticket: &TicketId,
        events: &[TicketEvent],
        now: Timestamp,
    ) -> Result<Appended> {
        let cache = &*self.policies;
        dispatch!(self.append_events(cache, tenant, ticket, events, now))
    }

    /// A ticket with its stored clocks and its events, or `None` if it does
    /// not exist or the tenant may not see it.
    #[instrument(skip_all, fields(ticket = %ticket))]
    pub async fn ticket_with_clocks(
        &self,
        tenant: &Tenant,
        ticket: &TicketId,
    ) -> Result<Option<TicketWithClocks>> {
        dispatch_read!(self.ticket_with_clocks(tenant, ticket))
    }

    /// Open tickets whose most pressed live clock had at most `within_secs`
    /// business seconds left when last computed, least time left first, at
    /// most `limit` (served by a partial index).
    #[instrument(skip_all, fields(within_secs, limit))]
    pub async fn open_tickets_at_risk(
        &self,
        tenant: &Tenant,
        within_secs: i64,
        limit: u32,
    ) -> Result<Vec<AtRisk>> {
        dispatch_read!(self.open_tickets_at_risk(tenant, within_secs, limit))
    }

    // ---- monitor (SPEC §4, §7) ----

    /// How many stored clocks are in each state (`running`, `met`, ...),
    /// across all tenants: an operational figure for `/metrics`.
    #[instrument(skip_all)]
    pub async fn clock_counts(&self) -> Result<Vec<(String, i64)>> {
        dispatch_read!(self.clock_counts())
    }

    /// Claims up to `limit` tickets with a threshold crossing due by `now`,
    /// recomputes their clocks and returns the crossings fired. Each
    /// (clock, threshold) is returned once across all callers, even from
    /// several processes sharing one database.
    #[instrument(skip_all, fields(limit))]
    pub async fn claim_due_crossings(
        &self,
        now: Timestamp,
        limit: u32,
    ) -> Result<Vec<FiredCrossing>> {
        let cache = &*self.policies;
        dispatch!(self.claim_due_crossings(cache, now, limit))
    }

    // ---- notifications (SPEC §4, §7) ----

    /// Registers a webhook. Its signing secret is returned here once.
    /// [`Error::Invalid`] for a URL that is not `http(s)://HOST...` or an
    /// unknown client.
    #[instrument(skip_all)]
    pub async fn create_webhook(
        &self,
        new: NewWebhook,
        now: Timestamp,
    ) -> Result<(Webhook, String)> {
        dispatch!(self.create_webhook(new, now))
    }

    /// The registered webhooks, oldest first.
    #[instrument(skip_all)]
    pub async fn webhooks(&self) -> Result<Vec<Webhook>> {
        dispatch!(self.webhooks())
    }

    /// Deletes a webhook and cancels its pending notifications; `false` if
    /// it was unknown or already deleted.
    #[instrument(skip_all, fields(webhook = %id))]
    pub async fn delete_webhook(&self, id: &WebhookId, now: Timestamp) -> Result<bool> {
        dispatch!(self.delete_webhook(id, now))
    }

    /// Claims up to `limit` notifications due by `now` for one attempt
    /// each; none is claimed by another caller until `lease_until` (after
    /// which one whose attempt was never recorded is due again).
    #[instrument(skip_all, fields(limit))]
    pub async fn claim_notifications(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> Result<Vec<Notification>> {
        dispatch!(self.claim_notifications(now, lease_until, limit))
    }

    /// Records a delivery attempt and its outcome; `false` (nothing
    /// written) if that attempt was already recorded by another worker.
    #[instrument(skip_all, fields(notification = %id, attempt = attempt.attempt))]
    pub async fn record_attempt(
        &self,
        id: &NotificationId,
        attempt: &DeliveryAttempt,
        outcome: AttemptOutcome,
        now: Timestamp,
    ) -> Result<bool> {
        dispatch!(self.record_attempt(id, attempt, outcome, now))
    }

    /// The earliest scheduled threshold crossing of any ticket.
    pub async fn next_crossing_at(&self) -> Result<Option<Timestamp>> {
        dispatch!(self.next_crossing_at())
    }

    /// The earliest next attempt of a pending notification.
    pub async fn next_notification_at(&self) -> Result<Option<Timestamp>> {
        dispatch!(self.next_notification_at())
    }

    /// The crossings fired for a ticket, with their notifications and
    /// attempts; `None` if it does not exist or the tenant may not see it.
    #[instrument(skip_all, fields(ticket = %ticket))]
    pub async fn ticket_crossings(
        &self,
        tenant: &Tenant,
        ticket: &TicketId,
    ) -> Result<Option<Vec<CrossingRecord>>> {
        dispatch!(self.ticket_crossings(tenant, ticket))
    }

    // ---- the web application (issue 6): sessions and page reads ----

    /// Starts a browser session for `user` until `expires_at`: a new random
    /// id every time (so a session id fixed before sign-in is never
    /// promoted) with its own CSRF token. Only the id's SHA-256 is stored.
    #[instrument(skip_all, fields(user = %user))]
    pub async fn create_web_session(
        &self,
        user: &UserId,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> Result<SessionSecret> {
        dispatch!(self.create_session(user, now, expires_at))
    }

    /// The session with this secret, if it exists and has not expired.
    #[instrument(skip_all)]
    pub async fn web_session(
        &self,
        secret: &SessionSecret,
        now: Timestamp,
    ) -> Result<Option<WebSession>> {
        dispatch!(self.web_session(secret, now))
    }

    /// Ends one session (sign out).
    #[instrument(skip_all)]
    pub async fn delete_web_session(&self, secret: &SessionSecret) -> Result<()> {
        dispatch!(self.delete_session(secret))
    }

    /// Ends every session of a user (sign out everywhere); how many ended.
    #[instrument(skip_all, fields(user = %user))]
    pub async fn delete_user_web_sessions(&self, user: &UserId) -> Result<u64> {
        dispatch!(self.delete_user_sessions(user))
    }

    /// Sets (or, with `None`, clears) the IANA zone a user reads times in.
    /// The caller checks the zone exists.
    #[instrument(skip_all, fields(user = %user))]
    pub async fn set_user_time_zone(&self, user: &UserId, zone: Option<&str>) -> Result<()> {
        dispatch!(self.set_time_zone(user, zone))
    }

    /// API tokens, newest first: of one user, or (`None`) of everyone (the
    /// caller authorises).
    #[instrument(skip_all)]
    pub async fn token_listing(&self, only_user: Option<&UserId>) -> Result<Vec<TokenListing>> {
        dispatch!(self.token_listing(only_user))
    }

    /// The user a token acts as, if the token exists (revoked or not).
    #[instrument(skip_all, fields(token = %token))]
    pub async fn token_owner(&self, token: &TokenId) -> Result<Option<UserId>> {
        dispatch!(self.token_owner(token))
    }

    /// Every contract the tenant may see with its latest version.
    #[instrument(skip_all)]
    pub async fn contract_summaries(&self, tenant: &Tenant) -> Result<Vec<ContractSummary>> {
        dispatch!(self.contract_summaries(tenant))
    }

    /// Stored clocks the tenant may see that stopped or exceeded their
    /// target in `[from, to)`, as last computed.
    #[instrument(skip_all)]
    pub async fn clock_outcomes(
        &self,
        tenant: &Tenant,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<ClockOutcome>> {
        dispatch!(self.clock_outcomes(tenant, from, to))
    }

    /// How many tickets a client has (to number the next one). A client
    /// tenant may ask only about itself.
    #[instrument(skip_all, fields(client = %client))]
    pub async fn ticket_count(&self, tenant: &Tenant, client: &ClientId) -> Result<i64> {
        if !tenant.can_see(client) {
            return Err(Error::NotFound);
        }
        dispatch!(self.ticket_count(client))
    }

    // ---- the API's accounts, tokens and contract versions (issue 5) ----

    /// The users the tenant may see: all for the provider, its own
    /// organisation's for a client; by e-mail.
    #[instrument(skip_all)]
    pub async fn list_users(&self, tenant: &Tenant) -> Result<Vec<User>> {
        dispatch!(self.list_users(tenant))
    }

    /// Revokes a token of `owner`; `false` if `owner` has no such active
    /// token (another user's token is not touched).
    #[instrument(skip_all, fields(user = %owner, token = %token))]
    pub async fn revoke_token_of(
        &self,
        owner: &UserId,
        token: &TokenId,
        now: Timestamp,
    ) -> Result<bool> {
        dispatch!(self.revoke_token_of(owner, token, now))
    }

    /// One stored version of a contract, if the tenant may see it.
    #[instrument(skip_all, fields(contract = contract_id, version))]
    pub async fn contract_version(
        &self,
        tenant: &Tenant,
        contract_id: &str,
        version: u32,
    ) -> Result<Option<ContractVersion>> {
        dispatch!(self.contract_version(tenant, contract_id, version))
    }

    /// One stored version of a contract, parsed, if the tenant may see it
    /// (to diff or render it).
    #[instrument(skip_all, fields(contract = contract_id, version))]
    pub async fn parsed_contract_version(
        &self,
        tenant: &Tenant,
        contract_id: &str,
        version: u32,
    ) -> Result<Option<accord_core::contract::Contract>> {
        let Some(v) = self.contract_version(tenant, contract_id, version).await? else {
            return Ok(None);
        };
        // Stored versions parsed when they were stored: a failure now is a fault.
        sqlite::parse_contract(&v.source_name, &v.source)
            .map(Some)
            .map_err(|e| {
                Error::Internal(format!("stored contract `{contract_id}` v{version}: {e}"))
            })
    }

    /// Stores an amendment of contract `contract_id` as its next version
    /// (staff only: the caller authorises). The text must parse
    /// ([`Error::Contract`]) and pass
    /// [`check_amendment`](accord_core::contract::check_amendment) against
    /// the latest stored version ([`Error::Amendment`]);
    /// [`Error::NotFound`] if there is no such contract. Nothing is written
    /// on error.
    #[instrument(skip_all, fields(contract = contract_id))]
    pub async fn amend_contract(
        &self,
        contract_id: &str,
        source_name: &str,
        text: &str,
        now: Timestamp,
    ) -> Result<ContractVersion> {
        dispatch!(self.amend_contract(contract_id, source_name, text, now))
    }
}

/// Parses a contract's text as the store does before storing it (no
/// referenced files), with every diagnostic on error ([`Error::Contract`]).
pub fn parse_contract(source_name: &str, text: &str) -> Result<accord_core::contract::Contract> {
    db::sqlite::parse_contract(source_name, text)
}
