//! `/contracts/{id}/statements` and `/statements/{id}` (SPEC §7): a
//! contract's compliance statements — for staff the drafts with their
//! figures, a form to compute a month and an Issue button for admins; for a
//! client user its issued statements — and the frozen documents to
//! download. Everything comes from `app::statements`, which decides who may
//! see and do what.

use accord_store::{StatementFormat, StatementId, StatementRecord, StatementStatus};
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::app::statements::{self as app, Actor};
use crate::state::AppState;
use crate::web::live;
use crate::web::page::{self, Frame, PageError, PageResult};
use crate::web::session::{CsrfForm, Viewer};

fn actor(viewer: &Viewer) -> Actor<'_> {
    Actor {
        tenant: &viewer.tenant,
        role: viewer.user.role,
        email: &viewer.user.email,
    }
}

/// A statement as a row or a page shows it.
#[derive(Debug, Serialize)]
pub(crate) struct StatementRow {
    id: String,
    contract: String,
    period: String,
    status: &'static str,
    version: u32,
    as_of: String,
    issued_at: Option<String>,
    issued_by: Option<String>,
    sha256: Option<String>,
    measured: u64,
    met: u64,
    breaches: usize,
    credits: String,
    objectives: Vec<ObjectiveRow>,
}

#[derive(Debug, Serialize)]
struct ObjectiveRow {
    what: String,
    period: String,
    measured: u64,
    met: u64,
    share: String,
    objective: String,
    status: String,
}

/// "95.0 %": truncated to one decimal, as statements show shares.
fn percent(v: &Value) -> String {
    v.as_str()
        .map(str::to_string)
        .or_else(|| v.as_number().map(ToString::to_string))
        .and_then(|s| s.parse::<rust_decimal::Decimal>().ok())
        .map_or_else(
            || "—".into(),
            |d| {
                let p = (d * rust_decimal::Decimal::ONE_HUNDRED)
                    .round_dp_with_strategy(1, rust_decimal::RoundingStrategy::ToZero);
                format!("{p:.1} %")
            },
        )
}

fn row(r: &StatementRecord, viewer: &Viewer) -> StatementRow {
    let json: Value = serde_json::from_str(&r.json).unwrap_or(Value::Null);
    let count = |v: &Value| v.as_u64().unwrap_or(0);
    let objectives = json["objectives"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|o| ObjectiveRow {
                    what: format!(
                        "{} {}",
                        o["priority"].as_str().unwrap_or(""),
                        o["metric"].as_str().unwrap_or("").replace('_', " ")
                    ),
                    period: o["period"].as_str().unwrap_or("").to_string(),
                    measured: count(&o["measured"]),
                    met: count(&o["met"]),
                    share: percent(&o["share"]),
                    objective: percent(&o["objective"]),
                    status: o["status"].as_str().unwrap_or("").replace('_', " "),
                })
                .collect()
        })
        .unwrap_or_default();
    let credits = &json["credits"];
    StatementRow {
        id: r.id.as_str().to_string(),
        contract: r.contract_id.clone(),
        period: r.period.clone(),
        status: r.status.as_str(),
        version: r.version,
        as_of: live::when(r.as_of, &viewer.zone),
        issued_at: r.issued_at.map(|t| live::when(t, &viewer.zone)),
        issued_by: r.issued_by.clone(),
        sha256: r.sha256.clone(),
        measured: count(&json["clocks"]["measured"]),
        met: count(&json["clocks"]["met"]),
        breaches: json["breaches"].as_array().map_or(0, Vec::len),
        credits: format!(
            "{} {}",
            credits["currency"].as_str().unwrap_or(""),
            credits["total"].as_str().unwrap_or("0")
        )
        .trim()
        .to_string(),
        objectives,
    }
}

/// The issued statements of every contract the viewer may see, latest
/// first: the portal's "Statements".
pub(crate) async fn issued(state: &AppState, viewer: &Viewer) -> PageResult<Vec<StatementRow>> {
    let mut out = Vec::new();
    for c in state.store.contracts().summaries(&viewer.tenant).await? {
        for r in app::list(state, actor(viewer), &c.contract_id).await? {
            if r.status == StatementStatus::Issued {
                out.push(row(&r, viewer));
            }
        }
    }
    out.sort_by(|a, b| b.period.cmp(&a.period));
    Ok(out)
}

pub(crate) async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> PageResult {
    let rows: Vec<StatementRow> = app::list(&state, actor(&viewer), &id)
        .await?
        .iter()
        .map(|r| row(r, &viewer))
        .collect();
    let last_month = state
        .time
        .now()
        .to_zoned_datetime(viewer.zone.clone())
        .date()
        .first_of_month()
        .yesterday()
        .map(|d| d.strftime("%Y-%m").to_string())
        .unwrap_or_default();
    Ok(page::ok(
        "statements.html",
        context! {
            frame => page::v(Frame::new(&viewer, "contracts")),
            id, statements => page::v(&rows), last_month,
            staff => viewer.is_staff(),
            admin => viewer.user.role == accord_store::Role::Admin,
        },
    ))
}

#[derive(Debug, Deserialize)]
pub(crate) struct ComputeForm {
    period: String,
}

/// Computes a month's draft (admins) and shows the list again.
pub(crate) async fn compute(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm { viewer, form }: CsrfForm<ComputeForm>,
) -> PageResult<Response> {
    let period = app::parse_period(form.period.trim())?;
    let r = app::compute(&state, actor(&viewer), &id, period).await?;
    Ok(page::see_other(&format!("/statements/{}", r.id.as_str())))
}

fn statement_id(raw: &str) -> PageResult<StatementId> {
    StatementId::parse(raw).map_err(|_| PageError::NotFound)
}

pub(crate) async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> PageResult {
    let r = app::get(&state, actor(&viewer), &statement_id(&id)?).await?;
    let s = row(&r, &viewer);
    Ok(page::ok(
        "statement.html",
        context! {
            frame => page::v(Frame::new(&viewer, if viewer.is_staff() { "contracts" } else { "home" })),
            s => page::v(&s), staff => viewer.is_staff(),
            admin => viewer.user.role == accord_store::Role::Admin,
        },
    ))
}

#[derive(Debug, Deserialize)]
pub(crate) struct IssueForm {}

/// Issues a draft (admins) and shows it.
pub(crate) async fn issue(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm { viewer, form: _ }: CsrfForm<IssueForm>,
) -> PageResult<Response> {
    let sid = statement_id(&id)?;
    app::issue(&state, actor(&viewer), &sid).await?;
    Ok(page::see_other(&format!("/statements/{id}")))
}

/// An issued statement's frozen document: `document.json`, `.html`, `.pdf`.
pub(crate) async fn document(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, file)): Path<(String, String)>,
) -> PageResult<Response> {
    let (format, content_type) = match file.as_str() {
        "document.json" => (StatementFormat::Json, "application/json"),
        "document.html" => (StatementFormat::Html, "text/html; charset=utf-8"),
        "document.pdf" => (StatementFormat::Pdf, "application/pdf"),
        _ => return Err(PageError::NotFound),
    };
    let (sha, bytes) = app::document(&state, actor(&viewer), &statement_id(&id)?, format).await?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::ETAG, format!("\"{sha}\"")),
            // The document's own inline style shows as issued.
            (
                header::CONTENT_SECURITY_POLICY,
                crate::web::DOCUMENT_CSP.to_string(),
            ),
        ],
        bytes,
    )
        .into_response())
}
