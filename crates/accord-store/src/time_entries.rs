//! Time entries (SPEC §8, §10): entries booked on contracts, their status
//! (`draft → submitted → approved → invoiced`, every change audited),
//! corrections, running timers, and locked and client-accepted periods.
//! Entries are the core's [`TimeEntry`], so the service stores exactly what
//! the core's reader accepts and the billing fold reads them back unchanged.
//! Who may call what is the application layer's rule; the store enforces
//! the tenant and the state rules (a frozen entry never changes).

use accord_core::time::TimeEntry;
use jiff::Timestamp;
use tracing::instrument;

use crate::ids::{Tenant, TimeEntryId};
use crate::model::{
    Actor, EntryFilter, EntryStatus, EntryTransition, PeriodState, StoredEntry, Timer,
};
use crate::{Result, Store, on_reader, on_writer};

/// Time entries, timers and periods. From [`Store::time_entries`].
#[derive(Debug, Clone, Copy)]
pub struct TimeEntries<'a>(pub(crate) &'a Store);

impl Store {
    /// Time entries, timers and periods.
    pub fn time_entries(&self) -> TimeEntries<'_> {
        TimeEntries(self)
    }
}

impl TimeEntries<'_> {
    /// Writes entries of a contract as drafts, all or nothing: refused when
    /// an entry falls in a locked period
    /// ([`Error::EntryState`](crate::Error::EntryState)) or its `id` is
    /// taken in the contract ([`Error::Conflict`](crate::Error::Conflict)).
    /// With `dry_run` every check runs and nothing is kept. `why` goes to
    /// the audit trail (`created`, `imported`).
    #[instrument(skip_all, fields(contract = contract_id, entries = entries.len(), dry_run))]
    pub async fn create(
        &self,
        actor: Actor<'_>,
        contract_id: &str,
        entries: &[TimeEntry],
        why: &str,
        dry_run: bool,
        now: Timestamp,
    ) -> Result<Vec<StoredEntry>> {
        let cache = &*self.0.policies;
        on_writer!(
            self.0,
            create_time_entries(cache, actor, contract_id, entries, why, dry_run, now)
        )
    }

    /// Replaces a draft or submitted entry's fields (a submitted one goes
    /// back to draft); [`Error::EntryState`](crate::Error::EntryState) when
    /// it is approved, invoiced, corrected or in a locked period.
    #[instrument(skip_all, fields(entry = %id))]
    pub async fn update(
        &self,
        actor: Actor<'_>,
        id: &TimeEntryId,
        entry: &TimeEntry,
        now: Timestamp,
    ) -> Result<StoredEntry> {
        let cache = &*self.0.policies;
        on_writer!(self.0, update_time_entry(cache, actor, id, entry, now))
    }

    /// Deletes a draft or submitted entry (refused like [`Self::update`]);
    /// its audit trail stays.
    #[instrument(skip_all, fields(entry = %id))]
    pub async fn delete(&self, actor: Actor<'_>, id: &TimeEntryId, now: Timestamp) -> Result<()> {
        on_writer!(self.0, delete_time_entry(actor, id, now))
    }

    /// Moves an entry to `to` if it is in one of `from`, recording who and
    /// why; [`Error::EntryState`](crate::Error::EntryState) otherwise.
    #[instrument(skip_all, fields(entry = %id, to = to.as_str()))]
    pub async fn transition(
        &self,
        actor: Actor<'_>,
        id: &TimeEntryId,
        from: &[EntryStatus],
        to: EntryStatus,
        why: Option<&str>,
        now: Timestamp,
    ) -> Result<StoredEntry> {
        on_writer!(self.0, transition_time_entry(actor, id, from, to, why, now))
    }

    /// Writes a correction of a frozen entry (approved, invoiced or in a
    /// locked period): a new draft entry that replaces it, which may fall
    /// in a locked period. The original is kept and shows `corrected_by`.
    #[instrument(skip_all, fields(entry = %id))]
    pub async fn correct(
        &self,
        actor: Actor<'_>,
        id: &TimeEntryId,
        entry: &TimeEntry,
        reason: &str,
        now: Timestamp,
    ) -> Result<StoredEntry> {
        let cache = &*self.0.policies;
        on_writer!(
            self.0,
            correct_time_entry(cache, actor, id, entry, reason, now)
        )
    }

    /// One entry, if the tenant may see it.
    #[instrument(skip_all, fields(entry = %id))]
    pub async fn get(&self, tenant: &Tenant, id: &TimeEntryId) -> Result<Option<StoredEntry>> {
        on_reader!(self.0, time_entry(tenant, id))
    }

    /// An entry's status changes, oldest first (empty if the tenant may not
    /// see it).
    #[instrument(skip_all, fields(entry = %id))]
    pub async fn history(&self, tenant: &Tenant, id: &TimeEntryId) -> Result<Vec<EntryTransition>> {
        on_reader!(self.0, time_entry_history(tenant, id))
    }

    /// A contract's entries by start, filtered;
    /// [`Error::NotFound`](crate::Error::NotFound) if the tenant may not see
    /// the contract.
    #[instrument(skip_all, fields(contract = contract_id))]
    pub async fn list(
        &self,
        tenant: &Tenant,
        contract_id: &str,
        filter: &EntryFilter,
    ) -> Result<Vec<StoredEntry>> {
        on_reader!(self.0, list_time_entries(tenant, contract_id, filter))
    }

    /// The entries a contract's invoices are computed from (SPEC §8): every
    /// approved or invoiced entry, in start order, except one whose
    /// correction is approved or invoiced too — the correction replaces it
    /// (a correction still in draft or submitted leaves the original
    /// standing). Feed them to `accord_core::billing::Ledger`.
    #[instrument(skip_all, fields(contract = contract_id))]
    pub async fn ledger(&self, tenant: &Tenant, contract_id: &str) -> Result<Vec<TimeEntry>> {
        on_reader!(self.0, ledger_time_entries(tenant, contract_id))
    }

    /// Whether a period (`YYYY-MM`) of a contract is locked and accepted.
    #[instrument(skip_all, fields(contract = contract_id, period))]
    pub async fn period(
        &self,
        tenant: &Tenant,
        contract_id: &str,
        period: &str,
    ) -> Result<PeriodState> {
        let cache = &*self.0.policies;
        on_reader!(self.0, period_state(cache, tenant, contract_id, period))
    }

    /// Locks a period (idempotent): its entries no longer change, nothing
    /// is added but corrections.
    #[instrument(skip_all, fields(contract = contract_id, period))]
    pub async fn lock(
        &self,
        actor: Actor<'_>,
        contract_id: &str,
        period: &str,
        now: Timestamp,
    ) -> Result<PeriodState> {
        let cache = &*self.0.policies;
        on_writer!(
            self.0,
            set_period_lock(cache, actor, contract_id, period, true, now)
        )
    }

    /// Unlocks a period, withdrawing the client's acceptance of it.
    #[instrument(skip_all, fields(contract = contract_id, period))]
    pub async fn unlock(
        &self,
        actor: Actor<'_>,
        contract_id: &str,
        period: &str,
        now: Timestamp,
    ) -> Result<PeriodState> {
        let cache = &*self.0.policies;
        on_writer!(
            self.0,
            set_period_lock(cache, actor, contract_id, period, false, now)
        )
    }

    /// Records the client's acceptance of a locked period (idempotent);
    /// [`Error::Invalid`](crate::Error::Invalid) if it is not locked.
    #[instrument(skip_all, fields(contract = contract_id, period))]
    pub async fn accept(
        &self,
        actor: Actor<'_>,
        contract_id: &str,
        period: &str,
        now: Timestamp,
    ) -> Result<PeriodState> {
        let cache = &*self.0.policies;
        on_writer!(
            self.0,
            accept_period(cache, actor, contract_id, period, now)
        )
    }

    /// A person's running timer.
    #[instrument(skip_all)]
    pub async fn timer(&self, person: &str) -> Result<Option<Timer>> {
        on_reader!(self.0, timer(person))
    }

    /// Starts a timer (its `client` is filled from the contract, which the
    /// tenant must see); [`Error::Conflict`](crate::Error::Conflict) if the
    /// person already has one running.
    #[instrument(skip_all, fields(contract = timer.contract_id))]
    pub async fn start_timer(&self, tenant: &Tenant, timer: Timer) -> Result<Timer> {
        let cache = &*self.0.policies;
        on_writer!(self.0, start_timer(cache, tenant, timer))
    }

    /// Stops a person's timer: the time since it started becomes a draft
    /// entry. [`Error::NotFound`](crate::Error::NotFound) without one.
    #[instrument(skip_all)]
    pub async fn stop_timer(
        &self,
        actor: Actor<'_>,
        person: &str,
        now: Timestamp,
    ) -> Result<StoredEntry> {
        let cache = &*self.0.policies;
        on_writer!(self.0, stop_timer(cache, actor, person, now))
    }
}
