//! Invoices to write as e-invoices and documents.

use accord_core::contract::Side;
use accord_docs::einvoice::{Allowance, EInvoice, Line, Unit, Vat, hours};
use jiff::civil::date;
use rust_decimal::Decimal;

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// A March invoice for acme with a billed line, a prepaid line at zero and
/// a service credit.
pub fn acme_march() -> EInvoice {
    let acme = crate::example("acme.contract.toml");
    let parties = acme.parties();
    EInvoice {
        number: "ACME-2026-03".into(),
        issue_date: date(2026, 4, 1),
        due_date: Some(date(2026, 5, 1)),
        payment_terms: Some("Payable within 30 days".into()),
        currency: "EUR".into(),
        period: (date(2026, 3, 1), date(2026, 3, 31)),
        note: Some("Contract acme-2026 <Support & delivery>".into()),
        seller: parties.get(Side::Provider).unwrap().clone(),
        buyer: parties.get(Side::Client).unwrap().clone(),
        lines: vec![
            Line {
                id: "1".into(),
                name: "Development, prepaid block 1".into(),
                description: None,
                quantity: hours(36_000),
                unit: Unit::Hour,
                price: Decimal::ZERO,
                amount: Decimal::ZERO,
                period: (date(2026, 3, 2), date(2026, 3, 13)),
            },
            Line {
                id: "2".into(),
                name: "Development, overage".into(),
                description: Some("E-7, E-8".into()),
                quantity: hours(600),
                unit: Unit::Hour,
                price: dec("130.00"),
                amount: dec("21.67"),
                period: (date(2026, 3, 16), date(2026, 3, 16)),
            },
        ],
        allowances: vec![Allowance {
            amount: dec("10.00"),
            reason: "Service credit, period 2026-02".into(),
        }],
        vat: Vat::from_share(dec("0.19")),
        line_total: dec("21.67"),
        allowance_total: dec("10.00"),
        net: dec("11.67"),
        tax: dec("2.22"),
        gross: dec("13.89"),
    }
}
