//! EN 16931 e-invoices (SPEC §8): the invoice as the semantic model of the
//! standard's business terms, written as UN/CEFACT CII (the Factur-X /
//! ZUGFeRD EN 16931 profile, [`cii`]) or OASIS UBL 2.1 ([`ubl`]).
//!
//! [`EInvoice`] carries what the billing fold computed (amounts are copied,
//! never recomputed here) plus the parties from the contract; the writers
//! only choose element names. Both syntaxes are validated in the test suite
//! against the official XSD and the CEN Schematron.

mod build;
pub mod cii;
pub mod ubl;

use accord_core::contract::LegalParty;
use jiff::civil::Date;
use rust_decimal::{Decimal, RoundingStrategy};

/// The EN 16931 specification identifier (BT-24) of the core standard,
/// which is also the Factur-X EN 16931 profile's guideline id.
pub const EN16931: &str = "urn:cen.eu:en16931:2017";

/// An invoice in EN 16931's terms.
#[derive(Debug, Clone, PartialEq)]
pub struct EInvoice {
    /// Invoice number (BT-1).
    pub number: String,
    /// Issue date (BT-2).
    pub issue_date: Date,
    /// Payment due date (BT-9).
    pub due_date: Option<Date>,
    /// Payment terms in words (BT-20), e.g. `Payable within 30 days`.
    pub payment_terms: Option<String>,
    /// ISO 4217 currency (BT-5).
    pub currency: String,
    /// Invoicing period, first and last day (BG-14).
    pub period: (Date, Date),
    /// A note for the buyer (BT-22), e.g. the contract the invoice is for.
    pub note: Option<String>,
    /// The seller (BG-4), from `[parties.provider]`.
    pub seller: LegalParty,
    /// The buyer (BG-7), from `[parties.client]`.
    pub buyer: LegalParty,
    /// The invoice lines (BG-25), at least one.
    pub lines: Vec<Line>,
    /// Document-level allowances (BG-20), e.g. service credits.
    pub allowances: Vec<Allowance>,
    /// The one VAT category and rate of every line and allowance.
    pub vat: Vat,
    /// Sum of the line net amounts (BT-106).
    pub line_total: Decimal,
    /// Sum of the allowances (BT-107).
    pub allowance_total: Decimal,
    /// Total without VAT (BT-109) = line total − allowances; also the VAT
    /// category's taxable amount (BT-116).
    pub net: Decimal,
    /// Total VAT (BT-110, BT-117).
    pub tax: Decimal,
    /// Total with VAT (BT-112) and amount due (BT-115).
    pub gross: Decimal,
}

/// One invoice line (BG-25).
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// Line identifier (BT-126), unique within the invoice.
    pub id: String,
    /// Item name (BT-153), e.g. `Development (prepaid block 1)`.
    pub name: String,
    /// Item description (BT-154), e.g. the entries behind the line.
    pub description: Option<String>,
    /// Invoiced quantity (BT-129) in `unit`.
    pub quantity: Decimal,
    /// UN/ECE Rec 20 unit (BT-130).
    pub unit: Unit,
    /// Net price per unit (BT-146).
    pub price: Decimal,
    /// Line net amount (BT-131), as the billing fold rounded it.
    pub amount: Decimal,
    /// Line period, first and last day (BG-26).
    pub period: (Date, Date),
}

/// A unit of measure from UN/ECE Recommendation 20.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Hours (`HUR`).
    Hour,
    /// A piece, e.g. a prepaid block (`C62`, "one").
    One,
}

impl Unit {
    /// The Rec 20 code.
    pub fn code(self) -> &'static str {
        match self {
            Unit::Hour => "HUR",
            Unit::One => "C62",
        }
    }
}

/// A document-level allowance (BG-20).
#[derive(Debug, Clone, PartialEq)]
pub struct Allowance {
    /// Amount (BT-92), positive.
    pub amount: Decimal,
    /// Reason (BT-97), e.g. `Service credit, period 2026-03`.
    pub reason: String,
}

/// The VAT category and rate (BG-23, BT-118/BT-119).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Vat {
    /// `S` (standard rate) when the rate is above zero, `Z` (zero rated)
    /// otherwise.
    pub category: VatCategory,
    /// Rate in percent, e.g. `19`.
    pub percent: Decimal,
}

/// The EN 16931 VAT category codes Accord writes (UNTDID 5305).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VatCategory {
    /// Standard rated (`S`).
    Standard,
    /// Zero rated (`Z`).
    Zero,
}

impl VatCategory {
    /// The UNTDID 5305 code.
    pub fn code(self) -> &'static str {
        match self {
            VatCategory::Standard => "S",
            VatCategory::Zero => "Z",
        }
    }
}

impl Vat {
    /// The category and percent of a tax share such as `0.19`.
    ///
    /// ```
    /// use accord_docs::einvoice::{Vat, VatCategory};
    /// use rust_decimal::Decimal;
    /// let vat = Vat::from_share(Decimal::new(19, 2));
    /// assert_eq!((vat.category, vat.percent.to_string().as_str()), (VatCategory::Standard, "19"));
    /// assert_eq!(Vat::from_share(Decimal::ZERO).category, VatCategory::Zero);
    /// ```
    pub fn from_share(share: Decimal) -> Vat {
        let percent = (share * Decimal::ONE_HUNDRED).normalize();
        let category = if percent.is_zero() {
            VatCategory::Zero
        } else {
            VatCategory::Standard
        };
        Vat { category, percent }
    }
}

/// A money amount as EN 16931 writes it: two decimals.
pub(crate) fn amount(d: Decimal) -> String {
    format!(
        "{:.2}",
        d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
    )
}

/// A quantity or price: exact, with at least two decimals (`2.50`,
/// `0.1667` stays as given).
pub(crate) fn number(d: Decimal) -> String {
    let d = d.normalize();
    if d.scale() < 2 {
        format!("{d:.2}")
    } else {
        d.to_string()
    }
}

/// Billed seconds as hours for a quantity: exact when that takes at most
/// four decimals (every multiple of 9 seconds, so every whole minute count
/// divisible by 3 and every rounding increment of 1, 3, 5, 6, 10, 15, 30 or
/// 60 minutes), else rounded half-up to four decimals. The line amount is
/// never derived from it: it comes from the seconds (SPEC §8).
///
/// ```
/// use accord_docs::einvoice::hours;
/// assert_eq!(hours(9_000).to_string(), "2.5");
/// assert_eq!(hours(600).to_string(), "0.1667");
/// ```
pub fn hours(seconds: i64) -> Decimal {
    (Decimal::from(seconds) / Decimal::from(3600))
        .round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero)
        .normalize()
}

/// The electronic address of a party (BT-34/BT-49): the one written, else
/// the e-mail address under scheme `EM`.
pub(crate) fn electronic_address(p: &LegalParty) -> Option<(&str, &str)> {
    match (&p.electronic_address, &p.email) {
        (Some(a), _) => Some((a.scheme.as_str(), a.id.as_str())),
        (None, Some(email)) => Some(("EM", email.as_str())),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_have_two_decimals_and_quantities_stay_exact() {
        assert_eq!(amount(Decimal::new(35, 0)), "35.00");
        assert_eq!(amount(Decimal::new(12345, 3)), "12.35");
        assert_eq!(number(Decimal::new(140, 0)), "140.00");
        assert_eq!(number(Decimal::new(16667, 4)), "1.6667");
        assert_eq!(number(Decimal::new(25, 1)), "2.50");
        assert_eq!(hours(5_400).to_string(), "1.5");
        assert_eq!(hours(0).to_string(), "0");
        assert_eq!(hours(1).to_string(), "0.0003");
    }
}
