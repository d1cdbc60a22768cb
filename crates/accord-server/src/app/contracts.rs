//! Stored contract versions, parsed once per process (SPEC §2): versions
//! are never changed once stored, so an entry never goes stale.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use accord_core::clock::ClockPolicy;
use accord_core::contract::Contract;
use accord_store::Tenant;

use super::{AppError, AppResult};
use crate::state::AppState;

/// A parsed contract version and its clock policy.
#[derive(Debug)]
pub struct Parsed {
    pub contract: Contract,
    pub policy: ClockPolicy,
}

/// Parsed contract versions by (contract id, version): stored versions
/// never change, so entries never go stale.
#[derive(Debug, Default)]
pub struct ContractCache(Mutex<HashMap<(String, u32), Arc<Parsed>>>);

impl ContractCache {
    /// Version `version` of contract `id`, as the tenant may see it.
    pub async fn get(
        &self,
        state: &AppState,
        tenant: &Tenant,
        id: &str,
        version: u32,
    ) -> AppResult<Arc<Parsed>> {
        let key = (id.to_string(), version);
        if let Some(p) = self.0.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return Ok(p);
        }
        let versions = state.store.contracts().versions(tenant, id).await?;
        let v = versions
            .into_iter()
            .find(|v| v.version == version)
            .ok_or(AppError::NotFound)?;
        let contract = accord_store::parse_contract(&v.source_name, &v.source)
            .map_err(|e| AppError::Internal(format!("stored contract {id} v{version}: {e}")))?;
        let policy = ClockPolicy::from_contract(&contract)
            .map_err(|e| AppError::Internal(format!("stored contract {id}: {e}")))?;
        let parsed = Arc::new(Parsed { contract, policy });
        if let Ok(mut m) = self.0.lock() {
            m.insert(key, Arc::clone(&parsed));
        }
        Ok(parsed)
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
