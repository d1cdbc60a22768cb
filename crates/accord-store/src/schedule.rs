//! Due work (SPEC §4, §7): what must happen at an instant, claimed exactly
//! once however many servers share the database.

use jiff::Timestamp;
use tracing::instrument;

use crate::model::Fired;
use crate::{Result, Store, on_reader, on_writer};

/// The scheduler's view of the store. From [`Store::schedule`].
#[derive(Debug, Clone, Copy)]
pub struct Schedule<'a>(pub(crate) &'a Store);

impl Store {
    /// Due work, claimed exactly once.
    pub fn schedule(&self) -> Schedule<'_> {
        Schedule(self)
    }
}

impl Schedule<'_> {
    /// Claims up to `limit` jobs due by `now` and runs them in one
    /// transaction: for a ticket's threshold crossing, its clocks are
    /// recomputed and each (clock, threshold) crossed is fired once across
    /// all callers, even from several processes sharing one database, with
    /// its outbox messages.
    #[instrument(skip_all, fields(limit))]
    pub async fn claim_due(&self, now: Timestamp, limit: u32) -> Result<Fired> {
        let cache = &*self.0.policies;
        on_writer!(self.0, claim_due(cache, now, limit))
    }

    /// The earliest instant at which a job falls due, if any.
    pub async fn next_due_at(&self) -> Result<Option<Timestamp>> {
        on_reader!(self.0, next_due_at())
    }
}
