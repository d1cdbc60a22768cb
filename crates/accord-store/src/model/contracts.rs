//! Stored contract versions (SPEC §2).

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::civil::Date;

use crate::ids::ClientId;

/// A stored version of a contract (SPEC §2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractVersion {
    /// The client the contract is with.
    pub client: ClientId,
    /// The contract's `id`.
    pub contract_id: String,
    /// Its `version`.
    pub version: u32,
    /// Its `effective_from`.
    pub effective_from: Date,
    /// The file name it was uploaded as.
    pub source_name: String,
    /// The TOML text, exactly as uploaded.
    pub source: String,
    /// When it was stored.
    pub uploaded_at: Timestamp,
}

/// A client's contract with its latest stored version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractSummary {
    /// The client.
    pub client: ClientId,
    /// The client's name.
    pub client_name: String,
    /// The contract's id.
    pub contract_id: String,
    /// The highest stored version.
    pub latest_version: u32,
    /// How many versions are stored.
    pub versions: u32,
}

/// The files uploaded with a contract version (its `holiday_files`), by the
/// name the contract writes for each, e.g. `holidays/us-federal.ics`, to
/// their text.
pub type ContractFiles = BTreeMap<String, String>;

/// A stored contract version parsed once per process, with its files: what
/// was agreed, and what the clocks need of it. Versions never change once
/// stored, so it never goes stale.
#[derive(Debug)]
pub struct ParsedVersion {
    /// Whose contract it is.
    pub client: ClientId,
    /// The contract.
    pub contract: accord_core::contract::Contract,
    /// Its clock policy.
    pub policy: accord_core::clock::ClockPolicy,
}
