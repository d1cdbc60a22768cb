//! Compliance statements (SPEC §7): drafts computed by the store with the
//! core's fold (the one `accord report` uses), issued by an admin as an
//! immutable snapshot — the SPEC §10 JSON, the HTML page and the PDF, each
//! carrying the SHA-256 of the JSON — and the month so far for the staff
//! dashboard, from the same fold. Who may see and do what is decided here:
//! staff see drafts, clients only their own issued statements, only admins
//! compute and issue.

use accord_core::compliance::{ReportPeriod, Statement, statement_json};
use accord_core::contract::Period;
use accord_store::{
    ClientId, IssuedStatement, Role, StatementFormat, StatementId, StatementRecord,
    StatementStatus, Tenant,
};
use jiff::Timestamp;
use sha2::{Digest, Sha256};

use super::{AppError, AppResult};
use crate::state::AppState;

/// Who is asking: their tenant, role and address (issuing records who).
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    /// Whose data they may see.
    pub tenant: &'a Tenant,
    /// Their role.
    pub role: Role,
    /// Their e-mail address.
    pub email: &'a str,
}

impl Actor<'_> {
    fn require_admin(&self, what: &str) -> AppResult<()> {
        if self.role == Role::Admin {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!("only admins may {what}")))
        }
    }

    /// Clients see issued statements only; staff see drafts too.
    fn may_see(&self, r: &StatementRecord) -> bool {
        matches!(self.tenant, Tenant::Provider) || r.status == StatementStatus::Issued
    }
}

/// A contract's statements the actor may see, latest period first; not
/// found if the actor may not see the contract.
pub async fn list(
    state: &AppState,
    actor: Actor<'_>,
    contract_id: &str,
) -> AppResult<Vec<StatementRecord>> {
    if state
        .store
        .contracts()
        .versions(actor.tenant, contract_id)
        .await?
        .is_empty()
    {
        return Err(AppError::NotFound);
    }
    let mut all = state
        .store
        .statements()
        .list(actor.tenant, contract_id)
        .await?;
    all.retain(|r| actor.may_see(r));
    Ok(all)
}

/// One statement, if the actor may see it.
pub async fn get(
    state: &AppState,
    actor: Actor<'_>,
    id: &StatementId,
) -> AppResult<StatementRecord> {
    state
        .store
        .statements()
        .get(actor.tenant, id)
        .await?
        .filter(|r| actor.may_see(r))
        .ok_or(AppError::NotFound)
}

/// An issued statement's frozen bytes and the SHA-256 of its JSON.
pub async fn document(
    state: &AppState,
    actor: Actor<'_>,
    id: &StatementId,
    format: StatementFormat,
) -> AppResult<(String, Vec<u8>)> {
    state
        .store
        .statements()
        .document(actor.tenant, id, format)
        .await?
        .ok_or(AppError::NotFound)
}

/// Parses `YYYY-MM` (the statement's month) naming the field on error.
pub fn parse_period(text: &str) -> AppResult<ReportPeriod> {
    let invalid = |detail: String| AppError::Invalid {
        field: "period".into(),
        detail,
    };
    let p: ReportPeriod = text.parse().map_err(|e| invalid(format!("{e}")))?;
    if p.kind() != Period::Month {
        return Err(invalid(format!(
            "`{text}` is a quarter: statements are monthly, write YYYY-MM"
        )));
    }
    Ok(p)
}

/// Computes (or recomputes) the draft of `period` as of now, as an admin.
/// A period not yet started is refused; one in progress is computed as of
/// now; an issued statement is answered unchanged.
pub async fn compute(
    state: &AppState,
    actor: Actor<'_>,
    contract_id: &str,
    period: ReportPeriod,
) -> AppResult<StatementRecord> {
    actor.require_admin("compute statements")?;
    let now = state.time.now();
    let contract = latest_contract(state, actor.tenant, contract_id).await?;
    let (start, _) = bounds(&contract, period)?;
    if start > now {
        return Err(AppError::Invalid {
            field: "period".into(),
            detail: format!("{period} has not started yet"),
        });
    }
    Ok(state
        .store
        .statements()
        .compute(actor.tenant, contract_id, period, now)
        .await?)
}

async fn latest_contract(
    state: &AppState,
    tenant: &Tenant,
    contract_id: &str,
) -> AppResult<std::sync::Arc<super::contracts::Parsed>> {
    let version = state
        .store
        .contracts()
        .versions(tenant, contract_id)
        .await?
        .last()
        .map(|v| v.version)
        .ok_or(AppError::NotFound)?;
    state
        .contracts
        .get(state, tenant, contract_id, version)
        .await
}

fn bounds(
    contract: &super::contracts::Parsed,
    period: ReportPeriod,
) -> AppResult<(Timestamp, Timestamp)> {
    period
        .bounds(&contract.contract.reporting_zone())
        .map_err(|e| AppError::Internal(format!("period {period}: {e}")))
}

/// The SHA-256 of a JSON snapshot, hex.
pub fn content_hash(json: &str) -> String {
    Sha256::digest(json.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The line every issued document ends with: the hash of its JSON.
fn footer(hash: &str) -> String {
    format!(
        "Content hash: SHA-256 {hash} of this statement's JSON snapshot (document.json). \
         An issued statement is never amended."
    )
}

/// Issues a draft as an admin, once its period has ended: the figures are
/// computed afresh as of the period's end (so late-arriving events before
/// the end are in), frozen as JSON, HTML and PDF with the JSON's hash on
/// them, and announced to the client through the outbox.
pub async fn issue(
    state: &AppState,
    actor: Actor<'_>,
    id: &StatementId,
) -> AppResult<StatementRecord> {
    actor.require_admin("issue statements")?;
    let draft = get(state, actor, id).await?;
    if draft.status == StatementStatus::Issued {
        return Err(AppError::Store(accord_store::Error::Conflict(format!(
            "an issued statement of `{}` for {}",
            draft.contract_id, draft.period
        ))));
    }
    let period = parse_period(&draft.period)?;
    let now = state.time.now();
    let contract = latest_contract(state, actor.tenant, &draft.contract_id).await?;
    let (_, end) = bounds(&contract, period)?;
    if now < end {
        return Err(AppError::Invalid {
            field: "period".into(),
            detail: format!(
                "{period} ends at {}: a statement is issued once its period has ended",
                accord_core::instant::format(end)
            ),
        });
    }
    let e = state
        .store
        .statements()
        .evaluate(actor.tenant, &draft.contract_id, period, end)
        .await?;
    let c = &e.parsed.contract;
    let mut json = String::new();
    statement_json(&mut json, c, &e.statement);
    let sha256 = content_hash(&json);
    let footer = footer(&sha256);
    let html = accord_docs::statement::issued_html(c, &e.statement, &[], &[], &footer);
    let doc = accord_docs::statement::issued_document(c, &e.statement, &[], &footer);
    let pdf = crate::documents::render_pdf(&doc).map_err(|e| AppError::Internal(e.to_string()))?;
    let issued = IssuedStatement {
        version: e.version,
        json,
        sha256,
        html,
        pdf,
        as_of: end,
    };
    let record = state
        .store
        .statements()
        .issue(actor.tenant, id, &issued, actor.email, now)
        .await?;
    state.wake_delivery.notify_one();
    Ok(record)
}

/// One contract's statement of the month in progress, as of now.
#[derive(Debug)]
pub struct SoFar {
    /// The client.
    pub client: ClientId,
    /// The contract.
    pub contract_id: String,
    /// The core's statement of the month holding now, as of now.
    pub statement: Statement,
}

/// Every contract the tenant may see, with its statement of the month
/// holding `now` (in its reporting zone) as of `now`: what the dashboard
/// shows, from the fold the statements use.
pub async fn month_so_far(
    state: &AppState,
    tenant: &Tenant,
    now: Timestamp,
) -> AppResult<Vec<SoFar>> {
    let mut out = Vec::new();
    for c in state.store.contracts().summaries(tenant).await? {
        let parsed = state
            .contracts
            .get(state, tenant, &c.contract_id, c.latest_version)
            .await?;
        let zone = parsed.contract.reporting_zone();
        let period = ReportPeriod::containing(Period::Month, now, &zone);
        let e = state
            .store
            .statements()
            .evaluate(tenant, &c.contract_id, period, now)
            .await?;
        out.push(SoFar {
            client: c.client,
            contract_id: c.contract_id,
            statement: e.statement,
        });
    }
    Ok(out)
}
