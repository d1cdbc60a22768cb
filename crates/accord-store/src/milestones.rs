//! Milestone events (SPEC §6, §10): each contract's append-only log, the
//! input of the core's milestone fold. Nothing derived is stored: callers
//! fold the events with `accord_core::milestone::evaluate` as of their
//! "now", so the outcomes never go stale.

use accord_core::milestone::MilestoneEvent;
use jiff::Timestamp;
use tracing::instrument;

use crate::ids::Tenant;
use crate::model::MilestonesAppended;
use crate::{Result, Store, on_reader, on_writer};

/// Milestone event logs, by contract. From [`Store::milestones`].
#[derive(Debug, Clone, Copy)]
pub struct Milestones<'a>(pub(crate) &'a Store);

impl Store {
    /// Milestone event logs, by contract.
    pub fn milestones(&self) -> Milestones<'_> {
        Milestones(self)
    }
}

impl Milestones<'_> {
    /// Appends events to a contract's milestone log, in one transaction.
    /// An event whose idempotency key (its `id`, else its content) is
    /// already stored for its milestone is skipped if identical; if
    /// different, the whole batch is refused
    /// ([`Error::ConflictingEvent`](crate::Error::ConflictingEvent)). So is
    /// a batch the core's fold refuses against the contract's latest
    /// version (unknown milestone or deliverable, a pause reason it does not
    /// allow: [`Error::Milestones`](crate::Error::Milestones)) and an event
    /// dated in the future. [`Error::NotFound`](crate::Error::NotFound) if
    /// the tenant may not see the contract. Nothing is written on error.
    #[instrument(skip_all, fields(contract = contract_id, events = events.len()))]
    pub async fn append(
        &self,
        tenant: &Tenant,
        contract_id: &str,
        events: &[MilestoneEvent],
        now: Timestamp,
    ) -> Result<MilestonesAppended> {
        let cache = &*self.0.policies;
        on_writer!(
            self.0,
            append_milestone_events(cache, tenant, contract_id, events, now)
        )
    }

    /// A contract's milestone events in the order they were recorded;
    /// [`Error::NotFound`](crate::Error::NotFound) if the tenant may not see
    /// the contract.
    #[instrument(skip_all, fields(contract = contract_id))]
    pub async fn events(&self, tenant: &Tenant, contract_id: &str) -> Result<Vec<MilestoneEvent>> {
        on_reader!(self.0, milestone_events(tenant, contract_id))
    }
}
