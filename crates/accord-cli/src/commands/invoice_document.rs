//! `accord invoice --format html|pdf|cii|ubl`: one invoice as the document a
//! client reads or as an EN 16931 e-invoice (SPEC §8). The whole document is
//! built before anything is written; an e-invoice the contract cannot
//! support is refused, naming every missing field.

use accord_core::billing::{InvoiceRequest, Ledger};
use accord_core::contract::Contract;
use accord_docs::einvoice::{self, EInvoice};
use anyhow::bail;

use crate::cli::InvoiceFormat;

/// The bytes of the one invoice `requests` asks for, in a document
/// `format`, or `None` for the formats `accord invoice` writes itself (JSON,
/// CSV).
pub fn render(
    format: InvoiceFormat,
    contract: &Contract,
    ledger: &Ledger<'_>,
    requests: &[InvoiceRequest],
) -> anyhow::Result<Option<Vec<u8>>> {
    let name = match format {
        InvoiceFormat::Json | InvoiceFormat::Csv => return Ok(None),
        InvoiceFormat::Html => "html",
        InvoiceFormat::Pdf => "pdf",
        InvoiceFormat::Cii => "cii",
        InvoiceFormat::Ubl => "ubl",
    };
    let invoice = match requests {
        [one] => ledger.invoice(one)?,
        [] => bail!("no invoice to write: the entries hold no billable or no_charge time"),
        many => {
            let months: Vec<String> = many.iter().map(|r| r.period.label()).collect();
            bail!(
                "--format {name} writes one invoice, but the entries hold {} months ({}): choose one with --period",
                many.len(),
                months.join(", ")
            )
        }
    };
    Ok(Some(match format {
        InvoiceFormat::Html | InvoiceFormat::Pdf => {
            let doc = accord_docs::invoice::invoice_document(contract, &invoice);
            if format == InvoiceFormat::Pdf {
                super::pdf(&doc)?
            } else {
                accord_docs::html::render(&doc).into_bytes()
            }
        }
        _ => {
            let e = EInvoice::from_invoice(contract, &invoice).map_err(|missing| {
                let list: Vec<String> = missing.iter().map(|m| format!("  - {m}")).collect();
                anyhow::anyhow!(
                    "cannot write an EN 16931 e-invoice for contract `{}`; missing:\n{}",
                    contract.id(),
                    list.join("\n")
                )
            })?;
            if format == InvoiceFormat::Cii {
                einvoice::cii::write(&e).into_bytes()
            } else {
                einvoice::ubl::write(&e).into_bytes()
            }
        }
    }))
}
