//! Invoices (SPEC §8, roles §1): admins draft a contract's month from its
//! approved time and issue it; everyone who may see the contract reads the
//! invoice and its frozen documents (a client user its own only, by the
//! store's tenancy). Issuing renders the documents once — the JSON and CSV
//! of `accord invoice`, HTML and PDF of
//! `accord_docs::invoice_document`, and the EN 16931 CII e-invoice when the
//! contract has every field it needs — and the store keeps those bytes.

use accord_core::billing::Invoice;
use accord_core::contract::Contract;
use accord_store::{Actor, InvoiceDocument, InvoiceId, NewDocument, Role, StoredInvoice, User};
use rust_decimal::Decimal;

use super::{AppError, AppResult};
use crate::state::AppState;

fn require_admin(user: &User, what: &str) -> AppResult<()> {
    if user.role != Role::Admin {
        return Err(AppError::Forbidden(format!("only admins may {what}")));
    }
    Ok(())
}

/// Drafts the invoice of a contract's month with a credit allowance.
pub async fn draft(
    state: &AppState,
    user: &User,
    contract_id: &str,
    period: &str,
    credits: Decimal,
) -> AppResult<StoredInvoice> {
    require_admin(user, "draft invoices")?;
    let tenant = user.tenant();
    let actor = Actor {
        tenant: &tenant,
        email: &user.email,
    };
    Ok(state
        .store
        .invoices()
        .draft(actor, contract_id, period, credits, state.time.now())
        .await?)
}

/// The documents frozen when an invoice is issued.
fn render(contract: &Contract, invoice: &Invoice) -> Result<Vec<NewDocument>, String> {
    let doc = accord_docs::invoice::invoice_document(contract, invoice);
    let pdf = crate::documents::render_pdf(&doc).map_err(|e| e.to_string())?;
    let mut out = vec![
        NewDocument {
            format: "json".into(),
            content_type: "application/json".into(),
            body: accord_docs::invoice_output::json(invoice).into_bytes(),
        },
        NewDocument {
            format: "csv".into(),
            content_type: "text/csv; charset=utf-8".into(),
            body: accord_docs::invoice_output::csv(invoice),
        },
        NewDocument {
            format: "html".into(),
            content_type: "text/html; charset=utf-8".into(),
            body: accord_docs::html::render(&doc).into_bytes(),
        },
        NewDocument {
            format: "pdf".into(),
            content_type: "application/pdf".into(),
            body: pdf,
        },
    ];
    // An e-invoice needs the parties' legal details; without them the
    // invoice is still issued, as HTML and PDF.
    if let Ok(e) = accord_docs::einvoice::EInvoice::from_invoice(contract, invoice) {
        out.push(NewDocument {
            format: "xml".into(),
            content_type: "application/xml".into(),
            body: accord_docs::einvoice::cii::write(&e).into_bytes(),
        });
    }
    Ok(out)
}

/// Issues a draft today (in the contract's reporting zone).
pub async fn issue(state: &AppState, user: &User, id: &InvoiceId) -> AppResult<StoredInvoice> {
    require_admin(user, "issue invoices")?;
    let tenant = user.tenant();
    let draft = state
        .store
        .invoices()
        .get(&tenant, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let parsed = state
        .contracts
        .get(state, &tenant, &draft.contract_id, draft.contract_version)
        .await?;
    let now = state.time.now();
    let today = parsed.contract.reporting_zone().to_datetime(now).date();
    let actor = Actor {
        tenant: &tenant,
        email: &user.email,
    };
    Ok(state
        .store
        .invoices()
        .issue(actor, id, today, &render, now)
        .await?)
}

/// Records a payment (admins).
pub async fn pay(
    state: &AppState,
    user: &User,
    id: &InvoiceId,
    amount: Decimal,
    paid_on: jiff::civil::Date,
) -> AppResult<StoredInvoice> {
    require_admin(user, "record payments")?;
    let tenant = user.tenant();
    let actor = Actor {
        tenant: &tenant,
        email: &user.email,
    };
    Ok(state
        .store
        .invoices()
        .pay(actor, id, amount, paid_on, state.time.now())
        .await?)
}

/// One invoice the caller may see.
pub async fn get(state: &AppState, user: &User, id: &InvoiceId) -> AppResult<StoredInvoice> {
    state
        .store
        .invoices()
        .get(&user.tenant(), id)
        .await?
        .ok_or(AppError::NotFound)
}

/// A frozen document of an invoice the caller may see.
pub async fn document(
    state: &AppState,
    user: &User,
    id: &InvoiceId,
    format: &str,
) -> AppResult<InvoiceDocument> {
    state
        .store
        .invoices()
        .document(&user.tenant(), id, format)
        .await?
        .ok_or(AppError::NotFound)
}
