//! Compliance statements (SPEC §7): drafts per contract and period, and the
//! snapshots issuing freezes.

use std::sync::Arc;

use accord_core::compliance::Statement;
use jiff::Timestamp;

use crate::ids::{ClientId, StatementId};
use crate::model::ParsedVersion;

/// Where a statement is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatementStatus {
    /// Computed, recomputed on demand, not yet sent.
    Draft,
    /// Frozen and sent; never changes again.
    Issued,
}

impl StatementStatus {
    /// `draft` or `issued`.
    pub fn as_str(self) -> &'static str {
        match self {
            StatementStatus::Draft => "draft",
            StatementStatus::Issued => "issued",
        }
    }
}

/// A stored statement, without its frozen documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementRecord {
    /// Its id.
    pub id: StatementId,
    /// The client the contract is with.
    pub client: ClientId,
    /// The contract's id.
    pub contract_id: String,
    /// The period's name, e.g. `2026-03`.
    pub period: String,
    /// The contract version the figures were computed with.
    pub version: u32,
    /// Draft or issued.
    pub status: StatementStatus,
    /// The figures, the SPEC §10 JSON (for an issued statement: the frozen
    /// snapshot).
    pub json: String,
    /// The instant the figures hold as of: the period's end, or "now" for
    /// a draft of a period in progress.
    pub as_of: Timestamp,
    /// When they were computed.
    pub computed_at: Timestamp,
    /// For an issued statement: the SHA-256 (hex) of the frozen JSON.
    pub sha256: Option<String>,
    /// Who issued it.
    pub issued_by: Option<String>,
    /// When.
    pub issued_at: Option<Timestamp>,
}

/// The frozen documents of an issued statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatementFormat {
    /// The JSON snapshot.
    Json,
    /// The HTML page.
    Html,
    /// The PDF.
    Pdf,
}

/// What issuing a statement freezes, rendered by the caller from
/// [`Evaluated`] (the store does not render documents).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedStatement {
    /// The contract version the figures were computed with.
    pub version: u32,
    /// The JSON snapshot.
    pub json: String,
    /// Its SHA-256, hex; printed on the HTML and PDF.
    pub sha256: String,
    /// The HTML page.
    pub html: String,
    /// The PDF.
    pub pdf: Vec<u8>,
    /// The instant the figures hold as of.
    pub as_of: Timestamp,
}

/// A statement computed by the core's fold from the stored events.
#[derive(Debug, Clone)]
pub struct Evaluated {
    /// The client.
    pub client: ClientId,
    /// The contract version used.
    pub version: u32,
    /// That version, parsed.
    pub parsed: Arc<ParsedVersion>,
    /// The statement.
    pub statement: Statement,
}
