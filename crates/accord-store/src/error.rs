//! The store's one error type. Database errors are mapped here and never
//! passed on as `sqlx` types, so callers depend on what went wrong, not on
//! the driver.

use accord_core::clock::ClockError;
use accord_core::contract::AmendmentError;
use accord_core::diagnostic::Diagnostics;

/// What a store method can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The database URL is neither `sqlite://PATH` nor `postgres://...`.
    #[error("unsupported database URL `{0}`: use sqlite://PATH or postgres://USER@HOST/DB")]
    BadUrl(String),
    /// The database cannot be reached, or timed out.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// Applying the migrations failed.
    #[error("database migration failed: {0}")]
    Migration(String),
    /// No such row for this tenant: absent, or another client's.
    #[error("not found")]
    NotFound,
    /// A row that must be unique already exists.
    #[error("{0} already exists")]
    Conflict(String),
    /// Input the store refuses (a client user without a client, an empty
    /// name, ...), in plain words.
    #[error("{0}")]
    Invalid(String),
    /// The contract text does not parse; nothing was written.
    #[error("the contract is invalid:\n{0}")]
    Contract(Diagnostics),
    /// No version of the contract is in force when the ticket opens.
    #[error("no version of contract `{contract}` is in force on {date}")]
    NoContractInForce {
        /// The contract id.
        contract: String,
        /// The day the ticket opens (UTC).
        date: String,
    },
    /// The ticket opens on a day outside the effective dates of the
    /// contract version that would govern it (expired, or not yet in
    /// force); nothing was written.
    #[error("contract `{contract}` (version {version}) is in force {}; the ticket opens on {date}", term(*effective_from, *effective_until))]
    OutsideContractDates {
        /// The contract id.
        contract: String,
        /// The version whose dates these are.
        version: u32,
        /// The day the ticket opens (UTC).
        date: jiff::civil::Date,
        /// The version's `effective_from`.
        effective_from: jiff::civil::Date,
        /// The version's `effective_until`, if it has one.
        effective_until: Option<jiff::civil::Date>,
    },
    /// An event's idempotency key is already used by a different event of
    /// the same ticket; the batch was not written.
    #[error("event id `{id}` is already used by a different event of this ticket")]
    ConflictingEvent {
        /// The reused id.
        id: String,
    },
    /// An event names another ticket than the one it is appended to.
    #[error("an event for ticket `{found}` was sent to ticket `{expected}`")]
    WrongTicket {
        /// The ticket's key.
        expected: String,
        /// The key the event names.
        found: String,
    },
    /// The events cannot be applied (after `closed`, a pause reason the
    /// contract does not allow, ...); the batch was not written.
    #[error(transparent)]
    Events(#[from] ClockError),
    /// Milestone events the core's fold refuses against the contract
    /// (unknown milestone or deliverable, a pause reason it does not allow);
    /// the batch was not written.
    #[error(transparent)]
    Milestones(#[from] accord_core::milestone::MilestoneError),
    /// A contract text cannot amend the current version (another id, a
    /// version or effective date not after it); nothing was written.
    #[error(transparent)]
    Amendment(#[from] AmendmentError),
    /// A time entry cannot change this way now (approved, invoiced,
    /// corrected, in a locked period, or not in the status the change
    /// needs); `detail` says which, naming the lock. Nothing was written.
    #[error("time entry `{entry}` cannot change: {detail}")]
    EntryState {
        /// The entry's key within its contract (its SPEC §10 `id`).
        entry: String,
        /// Why, e.g. "period 2026-03 of contract `acme` is locked (by ...)".
        detail: String,
    },
    /// An invoice cannot change this way now (not a draft, ...); nothing
    /// was written.
    #[error("invoice {invoice} cannot change: {detail}")]
    InvoiceState {
        /// The invoice's number, else its id.
        invoice: String,
        /// Why.
        detail: String,
    },
    /// The core's billing fold refuses (no `[billing]` terms, no currency,
    /// ...); nothing was written.
    #[error(transparent)]
    Billing(#[from] accord_core::billing::BillingError),
    /// Time entries the core's reader refuses, each naming its line and
    /// field; nothing was written.
    #[error("{}", entries_text(.0))]
    Entries(Vec<accord_core::time::EntryError>),
    /// A fault inside the store or the database (a broken invariant, an
    /// unexpected driver error). Log it; do not show it to clients.
    #[error("internal storage error: {0}")]
    Internal(String),
}

fn entries_text(errors: &[accord_core::time::EntryError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// A contract's effective dates in words.
fn term(from: jiff::civil::Date, until: Option<jiff::civil::Date>) -> String {
    match until {
        Some(u) => format!("from {from} to {u}"),
        None => format!("from {from}"),
    }
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::RowNotFound => Error::NotFound,
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed => Error::Unavailable(e.to_string()),
            sqlx::Error::Database(ref db) if db.is_unique_violation() => {
                Error::Conflict(db.table().unwrap_or("the row").to_string())
            }
            other => Error::Internal(other.to_string()),
        }
    }
}

impl From<sqlx::migrate::MigrateError> for Error {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        Error::Migration(e.to_string())
    }
}

/// The store's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
