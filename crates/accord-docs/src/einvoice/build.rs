//! From the billing fold's invoice and the contract to [`EInvoice`]: a
//! mapping of terms, no arithmetic on money (SPEC §8).

use accord_core::billing::{Invoice, InvoiceLine, LineKind};
use accord_core::contract::{Contract, MissingField};

use super::{Allowance, EInvoice, Line, Unit, Vat, hours, number};

impl EInvoice {
    /// The e-invoice of `invoice`, with the seller and buyer from the
    /// contract's `[parties]`; or every field EN 16931 requires that is
    /// missing, each named with where to add it.
    pub fn from_invoice(
        contract: &Contract,
        invoice: &Invoice,
    ) -> Result<EInvoice, Vec<MissingField>> {
        let mut missing = contract.einvoice_missing();
        if invoice.number.is_none() {
            missing.push(MissingField::new(
                "BT-1",
                "invoice number",
                "give the invoice a number (accord invoice --number N)",
            ));
        }
        let parties = contract.parties();
        let (Some(seller), Some(buyer), Some(number), true) = (
            parties.provider.clone(),
            parties.client.clone(),
            invoice.number.clone(),
            missing.is_empty(),
        ) else {
            return Err(missing);
        };
        let payment_terms = contract
            .billing()
            .and_then(|b| b.payment_terms_days)
            .map(|days| match invoice.due_date {
                Some(due) => format!("Payable within {days} days of the invoice date, by {due}."),
                None => format!("Payable within {days} days of the invoice date."),
            });
        Ok(EInvoice {
            number,
            issue_date: invoice.issue_date,
            due_date: invoice.due_date,
            payment_terms,
            currency: invoice.currency.clone(),
            period: (invoice.period.first, invoice.period.last),
            note: Some(format!(
                "Contract {}, period {}.",
                invoice.contract,
                invoice.period.label()
            )),
            seller,
            buyer,
            lines: invoice
                .lines
                .iter()
                .enumerate()
                .map(|(i, l)| line(i + 1, l, &invoice.currency))
                .collect(),
            allowances: invoice
                .allowances
                .iter()
                .map(|a| Allowance {
                    amount: a.amount,
                    reason: a.reason.clone(),
                })
                .collect(),
            vat: Vat::from_share(invoice.tax_rate),
            line_total: invoice.lines_total,
            allowance_total: invoice.allowances_total,
            net: invoice.net,
            tax: invoice.tax,
            gross: invoice.gross,
        })
    }
}

fn line(n: usize, l: &InvoiceLine, currency: &str) -> Line {
    let (quantity, unit) = match l.kind {
        LineKind::BlockPrice => (rust_decimal::Decimal::ONE, Unit::One),
        _ => (hours(l.billed_s), Unit::Hour),
    };
    let mut ids: Vec<&str> = l.entries.iter().map(|e| e.id.as_str()).collect();
    ids.dedup();
    let valued = match l.kind {
        LineKind::Prepaid | LineKind::NoCharge => {
            format!("; valued at {} {}/h, not charged", currency, number(l.rate))
        }
        _ => String::new(),
    };
    let description =
        (!ids.is_empty()).then(|| format!("Time entries: {}{valued}", ids.join(", ")));
    Line {
        id: n.to_string(),
        name: crate::invoice::line_name(l),
        description,
        quantity,
        unit,
        price: l.charged_rate(),
        amount: l.amount,
        period: (l.first_date, l.last_date),
    }
}
