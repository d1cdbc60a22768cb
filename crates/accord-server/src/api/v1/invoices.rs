//! `/api/v1/.../invoices` (SPEC §8): an admin drafts a contract's month
//! from its approved time and issues it (numbered gap-free, documents
//! frozen); whoever may see the contract reads the invoice and downloads
//! its frozen documents, served byte for byte with `ETag: "<sha256>"`.

use accord_store::{InvoiceId, StoredInvoice};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::{self, AppError};
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{Caller, JsonBody};
use crate::state::AppState;

/// An invoice.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceDto {
    /// Its id.
    pub id: String,
    /// The contract.
    pub contract_id: String,
    /// The month, `YYYY-MM`.
    pub period: String,
    /// `draft`, `issued`, `paid`, `overdue` or `void`.
    pub status: String,
    /// Its number, once issued, e.g. `ACME-2026-0001`.
    pub number: Option<String>,
    /// Its issue date, once issued.
    pub issue_date: Option<String>,
    /// Its due date, once issued, when the contract has payment terms.
    pub due_date: Option<String>,
    /// ISO 4217 code.
    pub currency: String,
    /// The credit allowance, a decimal string.
    pub credits: String,
    /// Net, a decimal string.
    pub net: String,
    /// Tax, a decimal string.
    pub tax: String,
    /// Gross, a decimal string.
    pub gross: String,
    /// The amount paid, once paid.
    pub paid_amount: Option<String>,
    /// The day it was paid.
    pub paid_on: Option<String>,
}

impl From<&StoredInvoice> for InvoiceDto {
    fn from(i: &StoredInvoice) -> Self {
        InvoiceDto {
            id: i.id.to_string(),
            contract_id: i.contract_id.clone(),
            period: i.period.clone(),
            status: i.status.as_str().to_string(),
            number: i.number.clone(),
            issue_date: i.issue_date.map(|d| d.to_string()),
            due_date: i.due_date.map(|d| d.to_string()),
            currency: i.currency.clone(),
            credits: i.credits.to_string(),
            net: i.net.to_string(),
            tax: i.tax.to_string(),
            gross: i.gross.to_string(),
            paid_amount: i.paid.map(|(a, _)| a.to_string()),
            paid_on: i.paid.map(|(_, d)| d.to_string()),
        }
    }
}

/// Which month to invoice.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DraftBody {
    /// `YYYY-MM`.
    period: String,
    /// A credit allowance (e.g. service credits), a decimal string.
    #[serde(default)]
    credits: Option<String>,
}

/// A payment received.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PayBody {
    /// The amount, a decimal string.
    amount: String,
    /// The day it was received, `YYYY-MM-DD`.
    paid_on: String,
}

fn not_found(what: &str) -> impl Fn(AppError) -> ApiError + '_ {
    move |e| match e {
        AppError::NotFound | AppError::Store(accord_store::Error::NotFound) => {
            ApiError::NotFound(format!("no {what}"))
        }
        other => other.into(),
    }
}

fn invoice_id(id: &str) -> ApiResult<InvoiceId> {
    InvoiceId::parse(id).map_err(|_| ApiError::NotFound(format!("no invoice `{id}`")))
}

/// Draft the invoice of a contract's month from its approved time (admins).
#[utoipa::path(post, path = "/api/v1/contracts/{id}/invoices", tag = "invoices",
    request_body = DraftBody,
    params(("id" = String, Path, description = "The contract's id")),
    security(("bearer" = [])),
    responses((status = 201, body = InvoiceDto), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn draft(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<DraftBody>,
) -> ApiResult<(StatusCode, Json<InvoiceDto>)> {
    caller.require_admin("draft invoices")?;
    let credits = match body.credits.as_deref() {
        None => Decimal::ZERO,
        Some(c) => amount(c, "credits")?,
    };
    let inv = app::invoices::draft(&state, &caller.user, &id, &body.period, credits)
        .await
        .map_err(not_found(&format!("contract `{id}`")))?;
    Ok((StatusCode::CREATED, Json((&inv).into())))
}

/// One invoice (a client user reads its own only).
#[utoipa::path(get, path = "/api/v1/invoices/{id}", tag = "invoices",
    params(("id" = String, Path, description = "The invoice's id")),
    security(("bearer" = [])),
    responses((status = 200, body = InvoiceDto), (status = 401, body = Problem),
        (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<InvoiceDto>> {
    let inv = app::invoices::get(&state, &caller.user, &invoice_id(&id)?)
        .await
        .map_err(not_found(&format!("invoice `{id}`")))?;
    Ok(Json((&inv).into()))
}

/// Issue a draft (admins): the next number of its series, its documents
/// rendered once and frozen, its entries marked invoiced.
#[utoipa::path(post, path = "/api/v1/invoices/{id}/issue", tag = "invoices",
    params(("id" = String, Path, description = "The invoice's id")),
    security(("bearer" = [])),
    responses((status = 200, body = InvoiceDto), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub async fn issue(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<InvoiceDto>> {
    caller.require_admin("issue invoices")?;
    let inv = app::invoices::issue(&state, &caller.user, &invoice_id(&id)?)
        .await
        .map_err(not_found(&format!("invoice `{id}`")))?;
    Ok(Json((&inv).into()))
}

/// Record the payment of an issued or overdue invoice (admins).
#[utoipa::path(post, path = "/api/v1/invoices/{id}/pay", tag = "invoices",
    request_body = PayBody,
    params(("id" = String, Path, description = "The invoice's id")),
    security(("bearer" = [])),
    responses((status = 200, body = InvoiceDto), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn pay(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<PayBody>,
) -> ApiResult<Json<InvoiceDto>> {
    caller.require_admin("record payments")?;
    let amount = amount(&body.amount, "amount")?;
    let paid_on: jiff::civil::Date = body.paid_on.parse().map_err(|_| {
        ApiError::bad_field(
            "paid_on",
            format!("`{}` is not a date YYYY-MM-DD", body.paid_on),
        )
    })?;
    let inv = app::invoices::pay(&state, &caller.user, &invoice_id(&id)?, amount, paid_on)
        .await
        .map_err(not_found(&format!("invoice `{id}`")))?;
    Ok(Json((&inv).into()))
}

/// A decimal amount like `125.00`, or a 400 naming `field`.
fn amount(text: &str, field: &str) -> ApiResult<Decimal> {
    let ok = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    ok.then(|| text.parse::<Decimal>().ok())
        .flatten()
        .ok_or_else(|| {
            ApiError::bad_field(field, format!("`{text}` is not an amount like \"125.00\""))
        })
}

/// A frozen document of an issued invoice (`json`, `csv`, `html`, `pdf`,
/// `xml` — the CII
/// e-invoice when the contract has the parties' details), the bytes stored
/// when it was issued, with `ETag: "<sha256>"`.
#[utoipa::path(get, path = "/api/v1/invoices/{id}/documents/{format}", tag = "invoices",
    params(("id" = String, Path, description = "The invoice's id"),
        ("format" = String, Path, description = "json, csv, html, pdf or xml")),
    security(("bearer" = [])),
    responses((status = 200, description = "The document's bytes"), (status = 401, body = Problem),
        (status = 404, body = Problem)))]
pub async fn document(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, format)): Path<(String, String)>,
) -> ApiResult<Response> {
    let doc = app::invoices::document(&state, &caller.user, &invoice_id(&id)?, &format)
        .await
        .map_err(not_found(&format!("`{format}` document of invoice `{id}`")))?;
    let mut res = doc.body.into_response();
    let headers = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&doc.content_type) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("\"{}\"", doc.sha256)) {
        headers.insert(header::ETAG, v);
    }
    Ok(res)
}
