//! Invoices (SPEC §8): drafts per contract and month computed by the core's
//! billing fold from the contract's ledger entries (see
//! [`TimeEntries::ledger`](crate::TimeEntries::ledger)), issued with a
//! gap-free number per series and frozen documents. Who may do what is the
//! application layer's rule; the store keeps the state rules (only a draft
//! is issued) and the tenant.

use accord_core::billing::Invoice;
use accord_core::contract::Contract;
use jiff::Timestamp;
use jiff::civil::Date;
use rust_decimal::Decimal;
use tracing::instrument;

use crate::ids::{InvoiceId, Tenant};
use crate::model::{Actor, InvoiceDocument, NewDocument, StoredInvoice};
use crate::{Result, Store, on_reader, on_writer};

/// What renders an invoice's documents while it is issued, from the
/// contract and the numbered invoice; an error refuses the issue
/// ([`Error::Invalid`](crate::Error::Invalid)) and nothing is written.
pub type RenderDocuments<'a> =
    dyn Fn(&Contract, &Invoice) -> std::result::Result<Vec<NewDocument>, String> + Send + Sync + 'a;

/// Invoices. From [`Store::invoices`].
#[derive(Debug, Clone, Copy)]
pub struct Invoices<'a>(pub(crate) &'a Store);

impl Store {
    /// Invoices per contract and period.
    pub fn invoices(&self) -> Invoices<'_> {
        Invoices(self)
    }
}

impl Invoices<'_> {
    /// Computes a draft invoice of a contract for a month (`YYYY-MM`) from
    /// its ledger entries, offering `credits` as an allowance;
    /// [`Error::Conflict`](crate::Error::Conflict) if the month already has
    /// an invoice that is not void, [`Error::Billing`](crate::Error::Billing)
    /// if the contract cannot be invoiced.
    #[instrument(skip_all, fields(contract = contract_id, period))]
    pub async fn draft(
        &self,
        actor: Actor<'_>,
        contract_id: &str,
        period: &str,
        credits: Decimal,
        now: Timestamp,
    ) -> Result<StoredInvoice> {
        let cache = &*self.0.policies;
        on_writer!(
            self.0,
            draft_invoice(cache, actor, contract_id, period, credits, now)
        )
    }

    /// Issues a draft on `today`, in one transaction: the next number of
    /// its series (`{CONTRACT}-{YYYY}-{NNNN}`, never skipping), the invoice
    /// recomputed with it, the documents `render` makes stored with their
    /// SHA-256, its entries marked invoiced.
    /// [`Error::InvoiceState`](crate::Error::InvoiceState) unless a draft.
    #[instrument(skip_all, fields(invoice = %id))]
    pub async fn issue(
        &self,
        actor: Actor<'_>,
        id: &InvoiceId,
        today: Date,
        render: &RenderDocuments<'_>,
        now: Timestamp,
    ) -> Result<StoredInvoice> {
        let cache = &*self.0.policies;
        on_writer!(self.0, issue_invoice(cache, actor, id, today, render, now))
    }

    /// Records the payment of an issued or overdue invoice.
    /// [`Error::InvoiceState`](crate::Error::InvoiceState) otherwise.
    #[instrument(skip_all, fields(invoice = %id))]
    pub async fn pay(
        &self,
        actor: Actor<'_>,
        id: &InvoiceId,
        amount: Decimal,
        paid_on: Date,
        now: Timestamp,
    ) -> Result<StoredInvoice> {
        on_writer!(self.0, pay_invoice(actor, id, amount, paid_on, now))
    }

    /// One invoice, if the tenant may see it.
    #[instrument(skip_all, fields(invoice = %id))]
    pub async fn get(&self, tenant: &Tenant, id: &InvoiceId) -> Result<Option<StoredInvoice>> {
        on_reader!(self.0, invoice_by_id(tenant, id))
    }

    /// A frozen document of an issued invoice (`json`, `pdf`, ...), exactly
    /// the bytes stored when it was issued.
    #[instrument(skip_all, fields(invoice = %id, format))]
    pub async fn document(
        &self,
        tenant: &Tenant,
        id: &InvoiceId,
        format: &str,
    ) -> Result<Option<InvoiceDocument>> {
        on_reader!(self.0, invoice_document(tenant, id, format))
    }
}
