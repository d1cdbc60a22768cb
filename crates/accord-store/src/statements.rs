//! Compliance statements (SPEC §7): a draft per contract and reporting
//! period, computed by the core's fold from the stored events (at the end
//! of each reporting month by the scheduler, or on demand), and the
//! immutable snapshot issuing freezes: JSON, HTML and PDF with the JSON's
//! SHA-256.

use accord_core::compliance::ReportPeriod;
use jiff::Timestamp;
use tracing::instrument;

use crate::ids::{StatementId, Tenant};
use crate::model::{Evaluated, IssuedStatement, StatementFormat, StatementRecord};
use crate::{Result, Store, on_reader, on_writer};

/// Compliance statements, by contract. From [`Store::statements`].
#[derive(Debug, Clone, Copy)]
pub struct Statements<'a>(pub(crate) &'a Store);

impl Store {
    /// Compliance statements, by contract.
    pub fn statements(&self) -> Statements<'_> {
        Statements(self)
    }
}

impl Statements<'_> {
    /// The statement of `period` for a contract the tenant may see,
    /// computed by the core's fold from every stored ticket and milestone
    /// event as of `as_of` (capped at the period's end), with the version
    /// in force before the period ends. Nothing is stored.
    /// [`Error::NotFound`](crate::Error::NotFound) if the tenant may not see
    /// the contract.
    #[instrument(skip_all, fields(contract = contract_id, %period))]
    pub async fn evaluate(
        &self,
        tenant: &Tenant,
        contract_id: &str,
        period: ReportPeriod,
        as_of: Timestamp,
    ) -> Result<Evaluated> {
        let cache = &*self.0.policies;
        on_reader!(
            self.0,
            evaluate_statement(cache, tenant, contract_id, period, as_of)
        )
    }

    /// Computes the draft of `period` as of `now` (capped at the period's
    /// end) and stores it, replacing an earlier draft's figures; an issued
    /// statement is never changed and is answered as it is.
    #[instrument(skip_all, fields(contract = contract_id, %period))]
    pub async fn compute(
        &self,
        tenant: &Tenant,
        contract_id: &str,
        period: ReportPeriod,
        now: Timestamp,
    ) -> Result<StatementRecord> {
        let cache = &*self.0.policies;
        on_writer!(
            self.0,
            compute_statement(cache, tenant, contract_id, period, now)
        )
    }

    /// A contract's statements the tenant may see, latest period first.
    #[instrument(skip_all, fields(contract = contract_id))]
    pub async fn list(&self, tenant: &Tenant, contract_id: &str) -> Result<Vec<StatementRecord>> {
        on_reader!(self.0, contract_statements(tenant, contract_id))
    }

    /// One statement, if the tenant may see it.
    #[instrument(skip_all, fields(statement = %id.as_str()))]
    pub async fn get(&self, tenant: &Tenant, id: &StatementId) -> Result<Option<StatementRecord>> {
        on_reader!(self.0, statement_by_id(tenant, id))
    }

    /// An issued statement's frozen document with the SHA-256 of its JSON,
    /// if the tenant may see it (drafts have none).
    #[instrument(skip_all, fields(statement = %id.as_str()))]
    pub async fn document(
        &self,
        tenant: &Tenant,
        id: &StatementId,
        format: StatementFormat,
    ) -> Result<Option<(String, Vec<u8>)>> {
        on_reader!(self.0, statement_document(tenant, id, format))
    }

    /// Issues a draft: freezes `issued` (JSON, HTML, PDF, hash) and writes
    /// `statement.issued` to the outbox for the contract's client contacts
    /// and the webhooks, in one transaction.
    /// [`Error::Conflict`](crate::Error::Conflict) if it is already issued
    /// (an issued statement never changes); [`Error::NotFound`](crate::Error::NotFound)
    /// if there is no such statement.
    #[instrument(skip_all, fields(statement = %id.as_str()))]
    pub async fn issue(
        &self,
        tenant: &Tenant,
        id: &StatementId,
        issued: &IssuedStatement,
        by: &str,
        now: Timestamp,
    ) -> Result<StatementRecord> {
        let cache = &*self.0.policies;
        on_writer!(self.0, issue_statement(cache, tenant, id, issued, by, now))
    }
}
