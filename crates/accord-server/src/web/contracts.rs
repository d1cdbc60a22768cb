//! `/contracts/...` (SPEC §2): each contract's SLA appendix as signed, its
//! version history with the plain-words difference between versions, and
//! (staff) uploading an amendment, whose diagnostics are shown next to the
//! offending lines of the uploaded text.

use std::collections::BTreeMap;

use accord_core::diagnostic::Diagnostic;
use accord_store::{ContractFiles, ContractVersion};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};

use crate::state::AppState;
use crate::web::live;
use crate::web::page::{self, Frame, PageError, PageResult};
use crate::web::session::{CsrfFiles, Viewer};

pub(crate) async fn list(State(state): State<AppState>, viewer: Viewer) -> PageResult {
    let today = jiff::tz::TimeZone::UTC.to_datetime(state.time.now()).date();
    let mut contracts: Vec<Value> = Vec::new();
    for c in state.store.contracts().summaries(&viewer.tenant).await? {
        let parsed = state
            .contracts
            .get(&state, &viewer.tenant, &c.contract_id, c.latest_version)
            .await?;
        let (from, until) = (
            parsed.contract.effective_from(),
            parsed.contract.effective_until(),
        );
        contracts.push(context! {
            client => c.client_name, id => c.contract_id,
            latest => c.latest_version, versions => c.versions,
            effective_from => from.strftime("%-d %B %Y").to_string(),
            effective_until => until.map(|u| u.strftime("%-d %B %Y").to_string()),
            standing => term_standing(today, from, until),
        });
    }
    Ok(page::ok(
        "contracts.html",
        context! { frame => page::v(Frame::new(&viewer, "contracts")), contracts => page::v(&contracts) },
    ))
}

/// Whether a contract's dates hold `today`: `in force`, `expired` or `not
/// yet in force`.
pub(crate) fn term_standing(
    today: jiff::civil::Date,
    from: jiff::civil::Date,
    until: Option<jiff::civil::Date>,
) -> &'static str {
    if today < from {
        "not yet in force"
    } else if until.is_some_and(|u| today > u) {
        "expired"
    } else {
        "in force"
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct VersionQuery {
    version: Option<u32>,
    amended: Option<u32>,
}

#[derive(Debug, Serialize)]
struct VersionRow {
    version: u32,
    effective_from: String,
    uploaded: String,
    source_name: String,
    selected: bool,
}

async fn versions(state: &AppState, viewer: &Viewer, id: &str) -> PageResult<Vec<ContractVersion>> {
    let versions = state.store.contracts().versions(&viewer.tenant, id).await?;
    if versions.is_empty() {
        return Err(PageError::NotFound);
    }
    Ok(versions)
}

pub(crate) async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(q): Query<VersionQuery>,
) -> PageResult {
    let versions = versions(&state, &viewer, &id).await?;
    let latest = versions.last().map_or(1, |v| v.version);
    let selected = q.version.unwrap_or(latest);
    if !versions.iter().any(|v| v.version == selected) {
        return Err(PageError::NotFound);
    }
    let cache = &state.contracts;
    let parsed = cache.get(&state, &viewer.tenant, &id, selected).await?;
    let appendix = accord_docs::html::fragment(&accord_docs::appendix(&parsed.contract));
    // What changed from the version before the one shown.
    let previous = versions
        .iter()
        .filter(|v| v.version < selected)
        .map(|v| v.version)
        .max();
    let changes: Option<Vec<String>> = match previous {
        Some(p) => {
            let old = cache.get(&state, &viewer.tenant, &id, p).await?;
            Some(
                accord_docs::diff::diff(&old.contract, &parsed.contract)
                    .iter()
                    .map(ToString::to_string)
                    .collect(),
            )
        }
        None => None,
    };
    let rows: Vec<VersionRow> = versions
        .iter()
        .rev()
        .map(|v| VersionRow {
            version: v.version,
            effective_from: v.effective_from.strftime("%-d %B %Y").to_string(),
            uploaded: live::when(v.uploaded_at, &viewer.zone),
            source_name: v.source_name.clone(),
            selected: v.version == selected,
        })
        .collect();
    Ok(page::ok(
        "contract.html",
        context! {
            frame => page::v(Frame::new(&viewer, "contracts")),
            id, selected, previous, changes => page::v(&changes), appendix,
            versions => page::v(rows),
            amended => q.amended,
        },
    ))
}

/// One line of an uploaded text with the diagnostics that point into it.
#[derive(Debug, Serialize)]
struct SourceLine {
    number: usize,
    text: String,
    problems: Vec<Problem>,
}

#[derive(Debug, Serialize)]
struct Problem {
    column: usize,
    message: String,
    help: Option<String>,
}

/// The text's lines, each with the diagnostics on it (a diagnostic past
/// the last line is shown on the last line).
fn annotate(text: &str, diagnostics: &[Diagnostic]) -> Vec<SourceLine> {
    let mut by_line: BTreeMap<usize, Vec<Problem>> = BTreeMap::new();
    let count = text.lines().count().max(1);
    for d in diagnostics {
        by_line
            .entry(d.line.clamp(1, count))
            .or_default()
            .push(Problem {
                column: d.column,
                message: d.message.clone(),
                help: d.help.clone(),
            });
    }
    let mut lines: Vec<&str> = text.lines().collect();
    if lines.is_empty() {
        lines.push("");
    }
    lines
        .into_iter()
        .enumerate()
        .map(|(i, l)| SourceLine {
            number: i + 1,
            text: l.to_string(),
            problems: by_line.remove(&(i + 1)).unwrap_or_default(),
        })
        .collect()
}

#[allow(
    clippy::too_many_arguments,
    reason = "one page's fields; a struct would only rename them"
)]
fn amend_page(
    viewer: &Viewer,
    id: &str,
    latest: u32,
    status: StatusCode,
    text: &str,
    error: Option<String>,
    lines: Option<Vec<SourceLine>>,
    files: &[String],
) -> PageResult {
    let problem_count = lines
        .as_ref()
        .map_or(0, |ls| ls.iter().map(|l| l.problems.len()).sum::<usize>());
    Ok(page::render(
        "amend.html",
        status,
        context! {
            frame => page::v(Frame::new(viewer, "contracts")),
            id, latest, text, error, lines => page::v(&lines), problem_count, files => page::v(files),
        },
    ))
}

pub(crate) async fn amend_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> PageResult {
    viewer.require_staff()?;
    let versions = versions(&state, &viewer, &id).await?;
    let latest = versions.last().ok_or(PageError::NotFound)?;
    let kept = stored_files(&state, &viewer, &id, latest.version).await?;
    amend_page(
        &viewer,
        &id,
        latest.version,
        StatusCode::OK,
        &latest.source,
        None,
        None,
        &kept.keys().cloned().collect::<Vec<_>>(),
    )
}

async fn stored_files(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    version: u32,
) -> PageResult<ContractFiles> {
    Ok(state
        .store
        .contracts()
        .files(&viewer.tenant, id, version)
        .await?
        .unwrap_or_default())
}

#[derive(Debug, Deserialize)]
pub(crate) struct AmendForm {
    text: String,
}

pub(crate) async fn amend(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfFiles {
        viewer,
        form,
        files: uploaded,
    }: CsrfFiles<AmendForm>,
) -> PageResult {
    viewer.require_staff()?;
    let versions = versions(&state, &viewer, &id).await?;
    let latest = versions.last().ok_or(PageError::NotFound)?;
    // Browsers send text areas with CRLF line ends; the contract is kept as
    // written with LF.
    let text = form.text.replace("\r\n", "\n");
    // The holiday files: those of the current version, replaced by any
    // uploaded file of the same name (browsers send only the base name).
    let mut files = stored_files(&state, &viewer, &id, latest.version).await?;
    let mut bad_upload = None;
    for f in uploaded.into_iter().filter(|f| !f.file_name.is_empty()) {
        let base = f
            .file_name
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or(&f.file_name)
            .to_string();
        match String::from_utf8(f.bytes) {
            Ok(text) => {
                files.retain(|name, _| name.rsplit('/').next() != Some(base.as_str()));
                files.insert(base, text);
            }
            Err(_) => bad_upload = Some(format!("The file {base} is not a text (iCalendar) file.")),
        }
    }
    let names: Vec<String> = files.keys().cloned().collect();
    let refuse = |error: Option<String>, lines: Option<Vec<SourceLine>>| {
        amend_page(
            &viewer,
            &id,
            latest.version,
            StatusCode::UNPROCESSABLE_ENTITY,
            &text,
            error,
            lines,
            &names,
        )
    };
    if let Some(why) = bad_upload {
        return refuse(Some(why), None);
    }
    let source_name = format!("{id}.contract.toml");
    match accord_store::parse_contract_with_files(&source_name, &text, &files) {
        Err(accord_store::Error::Contract(d)) => return refuse(None, Some(annotate(&text, &d.0))),
        Err(e) => return Err(e.into()),
        Ok(c) if c.id() != id => {
            return refuse(
                Some(format!(
                    "This text is contract `{}`, not `{id}`: an amendment keeps the contract's id.",
                    c.id()
                )),
                None,
            );
        }
        Ok(c) if c.version() <= latest.version => {
            return refuse(
                Some(format!(
                    "This text is version {}, but version {} is already stored: raise `version` to {} for an amendment.",
                    c.version(),
                    latest.version,
                    latest.version + 1
                )),
                None,
            );
        }
        Ok(c) => {
            let current = state
                .contracts
                .get(&state, &viewer.tenant, &id, latest.version)
                .await?;
            if let Err(e @ accord_core::contract::AmendmentError::OtherClient { .. }) =
                accord_core::contract::check_amendment(&current.contract, &c)
            {
                return refuse(Some(format!("{}.", capitalised(&e.to_string()))), None);
            }
        }
    }
    match state
        .store
        .contracts()
        .put_version_with_files(
            &latest.client,
            &source_name,
            &text,
            &files,
            state.time.now(),
        )
        .await
    {
        Ok(v) => Ok(page::see_other(&format!(
            "/contracts/{id}?version={}&amended={}",
            v.version, v.version
        ))),
        Err(accord_store::Error::Contract(d)) => refuse(None, Some(annotate(&text, &d.0))),
        Err(e @ accord_store::Error::Conflict(_)) => refuse(Some(e.to_string()), None),
        Err(e) => Err(e.into()),
    }
}

/// `text` with its first letter in upper case, for a sentence.
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
