//! Tickets and their append-only event logs (SPEC §4, §5, §10), with the
//! clocks derived from them: every write re-evaluates the ticket's clocks
//! in the same transaction, so stored clocks are a cache of the fold.

use accord_core::clock::TicketEvent;
use jiff::Timestamp;
use tracing::instrument;

use crate::ids::{ClientId, Tenant, TicketId};
use crate::model::{
    Appended, AtRisk, ClockOutcome, CrossingRecord, NewTicket, Ticket, TicketFilter,
    TicketWithClocks,
};
use crate::{Error, Result, Store, on_reader, on_writer};

/// Tickets, their events and clocks. From [`Store::tickets`].
#[derive(Debug, Clone, Copy)]
pub struct Tickets<'a>(pub(crate) &'a Store);

impl Store {
    /// Tickets, their events and clocks.
    pub fn tickets(&self) -> Tickets<'_> {
        Tickets(self)
    }
}

impl Tickets<'_> {
    /// Opens a ticket under the contract version in force on its opening
    /// day (UTC), records its `opened` event and computes its clocks, in
    /// one transaction. A client tenant may open tickets only for itself.
    /// The key must be one no ticket has, of any client
    /// ([`Error::Conflict`]); a day outside the version's effective dates
    /// is [`Error::OutsideContractDates`]. Nothing is written on error.
    #[instrument(skip_all, fields(client = %new.client, key = new.opened.ticket))]
    pub async fn open(&self, tenant: &Tenant, new: NewTicket, now: Timestamp) -> Result<Ticket> {
        let cache = &*self.0.policies;
        on_writer!(self.0, open_ticket(cache, tenant, new, false, now))
    }

    /// [`open`](Self::open) with the next free key `T-n` across the
    /// installation, taken in the transaction that opens the ticket, so
    /// concurrent openings never take the same one. The key in
    /// `new.opened.ticket` is ignored; the returned ticket has the key.
    #[instrument(skip_all, fields(client = %new.client))]
    pub async fn open_next(
        &self,
        tenant: &Tenant,
        new: NewTicket,
        now: Timestamp,
    ) -> Result<Ticket> {
        let cache = &*self.0.policies;
        on_writer!(self.0, open_ticket(cache, tenant, new, true, now))
    }

    /// Appends events to a ticket's log and recomputes its clocks at `now`,
    /// in one transaction. An event whose idempotency key (its `id`, or its
    /// content when it has none) is already stored is skipped if identical;
    /// if different, the whole batch is refused ([`Error::ConflictingEvent`])
    /// and nothing is written. So is a batch the clocks cannot apply
    /// ([`Error::Events`]). [`Error::NotFound`] if the tenant may not see
    /// the ticket.
    #[instrument(skip_all, fields(ticket = %ticket, events = events.len()))]
    pub async fn append(
        &self,
        tenant: &Tenant,
        ticket: &TicketId,
        events: &[TicketEvent],
        now: Timestamp,
    ) -> Result<Appended> {
        let cache = &*self.0.policies;
        on_writer!(self.0, append_events(cache, tenant, ticket, events, now))
    }

    /// The ticket with this id, if it exists and the tenant may see it.
    #[instrument(skip_all, fields(ticket = %id))]
    pub async fn get(&self, tenant: &Tenant, id: &TicketId) -> Result<Option<Ticket>> {
        on_reader!(self.0, ticket(tenant, id))
    }

    /// The ticket with this key of this client, if the tenant may see it.
    #[instrument(skip_all, fields(client = %client, key))]
    pub async fn by_key(
        &self,
        tenant: &Tenant,
        client: &ClientId,
        key: &str,
    ) -> Result<Option<Ticket>> {
        on_reader!(self.0, ticket_by_key(tenant, client, key))
    }

    /// Tickets the tenant may see that match `filter`, ordered by id (ids
    /// are UUIDv7, so this is creation order to the millisecond), at most
    /// `limit`, starting after the ticket `after` (a cursor: pass the last
    /// id of the previous page).
    #[instrument(skip_all, fields(limit))]
    pub async fn list(
        &self,
        tenant: &Tenant,
        filter: &TicketFilter,
        after: Option<&TicketId>,
        limit: u32,
    ) -> Result<Vec<Ticket>> {
        on_reader!(self.0, list_tickets(tenant, filter, after, limit))
    }

    /// A ticket with its stored clocks and its events, or `None` if it does
    /// not exist or the tenant may not see it.
    #[instrument(skip_all, fields(ticket = %ticket))]
    pub async fn with_clocks(
        &self,
        tenant: &Tenant,
        ticket: &TicketId,
    ) -> Result<Option<TicketWithClocks>> {
        on_reader!(self.0, ticket_with_clocks(tenant, ticket))
    }

    /// Open tickets whose most pressed live clock had at most `within_secs`
    /// business seconds left when last computed, least time left first, at
    /// most `limit` (served by a partial index).
    #[instrument(skip_all, fields(within_secs, limit))]
    pub async fn at_risk(
        &self,
        tenant: &Tenant,
        within_secs: i64,
        limit: u32,
    ) -> Result<Vec<AtRisk>> {
        on_reader!(self.0, open_tickets_at_risk(tenant, within_secs, limit))
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
        on_reader!(self.0, clock_outcomes(tenant, from, to))
    }

    /// How many stored clocks are in each state (`running`, `met`, ...),
    /// across all tenants: an operational figure for `/metrics`.
    #[instrument(skip_all)]
    pub async fn clock_counts(&self) -> Result<Vec<(String, i64)>> {
        on_reader!(self.0, clock_counts())
    }

    /// How many tickets a client has. A client tenant may ask only about
    /// itself. (New keys come from [`open_next`](Self::open_next).)
    #[instrument(skip_all, fields(client = %client))]
    pub async fn count_for_client(&self, tenant: &Tenant, client: &ClientId) -> Result<i64> {
        if !tenant.can_see(client) {
            return Err(Error::NotFound);
        }
        on_reader!(self.0, ticket_count(client))
    }

    /// The threshold crossings fired for a ticket, with their notifications
    /// and delivery attempts; `None` if it does not exist or the tenant may
    /// not see it.
    #[instrument(skip_all, fields(ticket = %ticket))]
    pub async fn crossings(
        &self,
        tenant: &Tenant,
        ticket: &TicketId,
    ) -> Result<Option<Vec<CrossingRecord>>> {
        on_reader!(self.0, ticket_crossings(tenant, ticket))
    }
}
