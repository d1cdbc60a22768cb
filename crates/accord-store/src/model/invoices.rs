//! Invoices in the service (SPEC §8): a period's invoice as stored — its
//! status, number and totals — and its frozen documents.

use jiff::Timestamp;
use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::ids::{ClientId, InvoiceId};

/// Where an invoice stands (SPEC §8: draft → issued → paid / overdue; a
/// voided one is answered by a credit note).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InvoiceStatus {
    /// Computed, not numbered; recomputed when issued.
    Draft,
    /// Numbered, its documents frozen.
    Issued,
    /// Paid.
    Paid,
    /// Past its due date, unpaid.
    Overdue,
    /// Voided by a credit note.
    Void,
}

impl InvoiceStatus {
    /// The name stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            InvoiceStatus::Draft => "draft",
            InvoiceStatus::Issued => "issued",
            InvoiceStatus::Paid => "paid",
            InvoiceStatus::Overdue => "overdue",
            InvoiceStatus::Void => "void",
        }
    }

    /// The status named `s`, if it is one.
    pub fn parse(s: &str) -> Option<InvoiceStatus> {
        [
            InvoiceStatus::Draft,
            InvoiceStatus::Issued,
            InvoiceStatus::Paid,
            InvoiceStatus::Overdue,
            InvoiceStatus::Void,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

/// A stored invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredInvoice {
    /// Its id.
    pub id: InvoiceId,
    /// The client invoiced.
    pub client: ClientId,
    /// The contract.
    pub contract_id: String,
    /// The contract version it was computed with.
    pub contract_version: u32,
    /// `YYYY-MM`.
    pub period: String,
    /// Where it stands.
    pub status: InvoiceStatus,
    /// Its number series, once issued (e.g. `ACME-2026`).
    pub series: Option<String>,
    /// Its number, once issued (e.g. `ACME-2026-0001`).
    pub number: Option<String>,
    /// Its issue date, once issued.
    pub issue_date: Option<Date>,
    /// Its due date, once issued, when the contract has payment terms.
    pub due_date: Option<Date>,
    /// ISO 4217 code.
    pub currency: String,
    /// The credit allowance an admin entered (zero for none).
    pub credits: Decimal,
    /// Σ lines − allowances.
    pub net: Decimal,
    /// Tax.
    pub tax: Decimal,
    /// net + tax.
    pub gross: Decimal,
    /// The amount paid and the day, once paid.
    pub paid: Option<(Decimal, Date)>,
    /// Who drafted it.
    pub created_by: String,
    /// When.
    pub created_at: Timestamp,
}

/// A document of an issued invoice, as rendered when it was issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceDocument {
    /// `json`, `csv`, `html`, `pdf`, `xml`.
    pub format: String,
    /// Its media type.
    pub content_type: String,
    /// The bytes, served forever.
    pub body: Vec<u8>,
    /// SHA-256 of the bytes, hexadecimal.
    pub sha256: String,
}

/// A document rendered for an invoice being issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDocument {
    /// `json`, `csv`, `html`, `pdf`, `xml`.
    pub format: String,
    /// Its media type.
    pub content_type: String,
    /// The bytes.
    pub body: Vec<u8>,
}
