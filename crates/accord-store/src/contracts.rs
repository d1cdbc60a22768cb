//! Contract versions (SPEC §2): each version is stored as the text that was
//! signed, parsed before it is stored, never replaced; an amendment is the
//! contract's next version.

use std::sync::Arc;

use accord_core::contract::Contract;
use jiff::Timestamp;
use tracing::instrument;

use crate::ids::{ClientId, Tenant};
use crate::model::{ContractFiles, ContractSummary, ContractVersion, ParsedVersion};
use crate::{Result, Store, on_reader, on_writer};

/// Contract versions and amendments. From [`Store::contracts`].
#[derive(Debug, Clone, Copy)]
pub struct Contracts<'a>(pub(crate) &'a Store);

impl Store {
    /// Contract versions and amendments.
    pub fn contracts(&self) -> Contracts<'_> {
        Contracts(self)
    }
}

impl Contracts<'_> {
    /// Stores a version of a client's contract. The text is parsed first;
    /// if it is invalid, nothing is written and [`Error::Contract`] carries
    /// every diagnostic. The contract id and version come from the text; a
    /// stored (id, version) is never replaced.
    #[instrument(skip_all, fields(client = %client))]
    pub async fn put_version(
        &self,
        client: &ClientId,
        source_name: &str,
        text: &str,
        now: Timestamp,
    ) -> Result<ContractVersion> {
        self.put_version_with_files(client, source_name, text, &ContractFiles::new(), now)
            .await
    }

    /// [`put_version`](Self::put_version) of a contract that names holiday
    /// files (`holiday_files`): they are served from `files` (by the name
    /// the contract writes, or by base name) and those it reads are stored
    /// with the version. A name not among them is a diagnostic at its line
    /// and column ([`Error::Contract`]).
    #[instrument(skip_all, fields(client = %client, files = files.len()))]
    pub async fn put_version_with_files(
        &self,
        client: &ClientId,
        source_name: &str,
        text: &str,
        files: &ContractFiles,
        now: Timestamp,
    ) -> Result<ContractVersion> {
        on_writer!(
            self.0,
            put_contract_version(client, source_name, text, files, now)
        )
    }

    /// Stores an amendment of contract `contract_id` as its next version
    /// (staff only: the caller authorises). The text must parse
    /// ([`Error::Contract`]) and pass
    /// [`check_amendment`](accord_core::contract::check_amendment) against
    /// the latest stored version ([`Error::Amendment`]);
    /// [`Error::NotFound`] if there is no such contract. Nothing is written
    /// on error.
    #[instrument(skip_all, fields(contract = contract_id))]
    pub async fn amend(
        &self,
        contract_id: &str,
        source_name: &str,
        text: &str,
        now: Timestamp,
    ) -> Result<ContractVersion> {
        self.amend_with_files(contract_id, source_name, text, &ContractFiles::new(), now)
            .await
    }

    /// [`amend`](Self::amend) with holiday files: `files` are served first,
    /// then those stored with the current version (an amendment need not
    /// send again the files it keeps); those the amendment reads are stored
    /// with it.
    #[instrument(skip_all, fields(contract = contract_id, files = files.len()))]
    pub async fn amend_with_files(
        &self,
        contract_id: &str,
        source_name: &str,
        text: &str,
        files: &ContractFiles,
        now: Timestamp,
    ) -> Result<ContractVersion> {
        on_writer!(
            self.0,
            amend_contract(&self.0.policies, contract_id, source_name, text, files, now)
        )
    }

    /// The files stored with a version (its holiday files), if the tenant
    /// may see it.
    #[instrument(skip_all, fields(contract = contract_id, version))]
    pub async fn files(
        &self,
        tenant: &Tenant,
        contract_id: &str,
        version: u32,
    ) -> Result<Option<ContractFiles>> {
        on_reader!(self.0, contract_version_files(tenant, contract_id, version))
    }

    /// Every stored version of a contract the tenant may see, oldest first.
    #[instrument(skip_all, fields(contract = contract_id))]
    pub async fn versions(
        &self,
        tenant: &Tenant,
        contract_id: &str,
    ) -> Result<Vec<ContractVersion>> {
        on_reader!(self.0, contract_versions(tenant, contract_id))
    }

    /// The number of a contract's latest stored version, if the tenant may
    /// see the contract (one row, not every version).
    #[instrument(skip_all, fields(contract = contract_id))]
    pub async fn latest_version(&self, tenant: &Tenant, contract_id: &str) -> Result<Option<u32>> {
        on_reader!(self.0, latest_version_number(tenant, contract_id))
    }

    /// One stored version of a contract, if the tenant may see it.
    #[instrument(skip_all, fields(contract = contract_id, version))]
    pub async fn version(
        &self,
        tenant: &Tenant,
        contract_id: &str,
        version: u32,
    ) -> Result<Option<ContractVersion>> {
        on_reader!(self.0, contract_version(tenant, contract_id, version))
    }

    /// One stored version of a contract, parsed with the files stored with
    /// it, if the tenant may see it (to diff, render or evaluate it).
    #[instrument(skip_all, fields(contract = contract_id, version))]
    pub async fn parsed_version(
        &self,
        tenant: &Tenant,
        contract_id: &str,
        version: u32,
    ) -> Result<Option<Contract>> {
        Ok(self
            .parsed(tenant, contract_id, version)
            .await?
            .map(|p| p.contract.clone()))
    }

    /// One stored version of a contract as the one cache of parsed versions
    /// holds it (contract and clock policy), if the tenant may see it.
    #[instrument(skip_all, fields(contract = contract_id, version))]
    pub async fn parsed(
        &self,
        tenant: &Tenant,
        contract_id: &str,
        version: u32,
    ) -> Result<Option<Arc<ParsedVersion>>> {
        let cache = &*self.0.policies;
        on_reader!(
            self.0,
            parsed_contract_version(cache, tenant, contract_id, version)
        )
    }

    /// Every contract the tenant may see with its latest version.
    #[instrument(skip_all)]
    pub async fn summaries(&self, tenant: &Tenant) -> Result<Vec<ContractSummary>> {
        on_reader!(self.0, contract_summaries(tenant))
    }
}
