//! Stored contract versions (SPEC §2): parsed once per process by the
//! store's cache, and what pages read from them.

use std::collections::BTreeMap;
use std::sync::Arc;

use accord_core::contract::Contract;
use accord_store::{ClientId, Tenant};

use super::{AppError, AppResult};
use crate::state::AppState;

/// A stored contract version, parsed with its files: the store keeps the
/// one cache of them, for its writes and these reads alike.
pub use accord_store::ParsedVersion as Parsed;

/// Contract use cases: parsed versions and what they say.
#[derive(Debug, Default)]
pub struct Contracts;

impl Contracts {
    /// Version `version` of contract `id`, as the tenant may see it.
    pub async fn get(
        &self,
        state: &AppState,
        tenant: &Tenant,
        id: &str,
        version: u32,
    ) -> AppResult<Arc<Parsed>> {
        state
            .store
            .contracts()
            .parsed(tenant, id, version)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// The zone a user without a chosen one reads times in: a client user
    /// the zone most of its contract's priorities are measured in, staff
    /// UTC.
    pub async fn default_zone(&self, state: &AppState, tenant: &Tenant) -> String {
        if let Tenant::Client(_) = tenant
            && let Ok(summaries) = state.store.contracts().summaries(tenant).await
            && let Some(s) = summaries.first()
            && let Ok(p) = self
                .get(state, tenant, &s.contract_id, s.latest_version)
                .await
        {
            let mut counts: BTreeMap<String, usize> = BTreeMap::new();
            for targets in p.policy.priorities.values() {
                if let Some(name) = targets.calendar.rules().zone.iana_name() {
                    *counts.entry(name.to_string()).or_default() += 1;
                }
            }
            if let Some((zone, _)) = counts.into_iter().max_by_key(|(_, n)| *n) {
                return zone;
            }
        }
        "UTC".to_string()
    }
}

/// A name as people compare it: case, surrounding and repeated spaces aside.
fn folded(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Refuses a contract whose `client` is not the organisation it is stored
/// under: a contract uploaded under the wrong client would show its
/// contacts and terms to that client's users.
pub async fn check_client(
    state: &AppState,
    client: &ClientId,
    contract: &Contract,
) -> AppResult<()> {
    let orgs = state
        .store
        .accounts()
        .organisations(&Tenant::Provider)
        .await?;
    let Some(org) = orgs.iter().find(|o| o.id.as_str() == client.as_str()) else {
        // The store answers for an unknown organisation.
        return Ok(());
    };
    if folded(&org.name) == folded(contract.client()) {
        return Ok(());
    }
    Err(AppError::Invalid {
        field: "client".into(),
        detail: format!(
            "the contract is for client `{}`, but it would be stored under the organisation `{}`: \
             store it under `{}`'s organisation, or correct `client` in the file",
            contract.client(),
            org.name,
            contract.client()
        ),
    })
}
