//! Time tracking (SPEC §8, §10, roles §1): who may do what with time
//! entries, decided here once for the API and the pages. Entries are read
//! by the core's reader (`accord_core::time`), so an entry posted, patched,
//! imported or made by a timer passes exactly the checks the CLI's
//! `accord invoice` applies to a file.
//!
//! | role | entries | approval | periods | timer |
//! |---|---|---|---|---|
//! | admin | everyone's: write, correct | approve, reject | lock, unlock | own |
//! | agent | own (`person` = their e-mail): write, submit, correct | — | — | own |
//! | client | read their contracts' | — | accept (when the contract says so) | — |

use std::sync::Arc;

use accord_core::time::{EntryError, TimeEntry, parse_csv_all, parse_json_lines_all};
use accord_store::{
    Actor, EntryFilter, EntryStatus, EntryTransition, PeriodState, Role, StoredEntry, Tenant,
    TimeEntryId, Timer, User,
};
use serde_json::{Map, Value};

use super::contracts::Parsed;
use super::{AppError, AppResult};
use crate::state::AppState;

fn forbidden(why: &str) -> AppError {
    AppError::Forbidden(why.to_string())
}

/// Staff only; a client user reads entries and accepts periods, nothing else.
fn require_staff(user: &User, what: &str) -> AppResult<()> {
    if user.role == Role::Client {
        return Err(forbidden(&format!(
            "a client user may read time entries and accept periods, not {what}"
        )));
    }
    Ok(())
}

fn require_admin(user: &User, what: &str) -> AppResult<()> {
    if user.role != Role::Admin {
        return Err(forbidden(&format!("only admins may {what}")));
    }
    Ok(())
}

/// An agent works with their own entries (`person` is their e-mail); an
/// admin with everyone's.
fn require_owner(user: &User, person: &str, what: &str) -> AppResult<()> {
    require_staff(user, what)?;
    if user.role == Role::Agent && !person.eq_ignore_ascii_case(&user.email) {
        return Err(forbidden(&format!(
            "an agent may {what} only their own time entries, not {person}'s"
        )));
    }
    Ok(())
}

/// The latest version of a contract the tenant may see, parsed.
async fn latest(state: &AppState, tenant: &Tenant, contract_id: &str) -> AppResult<Arc<Parsed>> {
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

/// A contract's entries. Agents see their own only.
pub async fn list(
    state: &AppState,
    user: &User,
    contract_id: &str,
    mut filter: EntryFilter,
) -> AppResult<Vec<StoredEntry>> {
    if user.role == Role::Agent {
        if let Some(p) = &filter.person
            && !p.eq_ignore_ascii_case(&user.email)
        {
            return Err(forbidden("an agent sees only their own time entries"));
        }
        filter.person = Some(user.email.clone());
    }
    Ok(state
        .store
        .time_entries()
        .list(&user.tenant(), contract_id, &filter)
        .await?)
}

/// One entry with its status history.
pub async fn get(
    state: &AppState,
    user: &User,
    id: &TimeEntryId,
) -> AppResult<(StoredEntry, Vec<EntryTransition>)> {
    let tenant = user.tenant();
    let e = state
        .store
        .time_entries()
        .get(&tenant, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if user.role == Role::Agent && !e.entry.person.eq_ignore_ascii_case(&user.email) {
        return Err(forbidden("an agent sees only their own time entries"));
    }
    let history = state.store.time_entries().history(&tenant, id).await?;
    Ok((e, history))
}

/// An entry from a SPEC §10 object sent over HTTP, through the core's
/// reader; an absent `id` gets a fresh one, an absent `person` is the
/// caller. Errors name the field.
pub fn entry_from_object(mut fields: Map<String, Value>, user: &User) -> AppResult<TimeEntry> {
    if fields.get("id").is_none_or(Value::is_null) {
        fields.insert("id".into(), Value::String(TimeEntryId::fresh().to_string()));
    }
    if fields.get("person").is_none_or(Value::is_null) {
        fields.insert("person".into(), Value::String(user.email.clone()));
    }
    TimeEntry::from_json_line(&Value::Object(fields).to_string()).map_err(entry_error)
}

fn entry_error(e: EntryError) -> AppError {
    AppError::Invalid {
        field: e.field.unwrap_or_else(|| "entry".into()),
        detail: e.message,
    }
}

/// Writes one draft entry on a contract.
pub async fn create(
    state: &AppState,
    user: &User,
    contract_id: &str,
    entry: TimeEntry,
) -> AppResult<StoredEntry> {
    require_owner(user, &entry.person, "write")?;
    let tenant = user.tenant();
    let actor = Actor {
        tenant: &tenant,
        email: &user.email,
    };
    let now = state.time.now();
    let mut out = state
        .store
        .time_entries()
        .create(actor, contract_id, &[entry], "created", false, now)
        .await?;
    out.pop()
        .ok_or_else(|| AppError::Internal("no entry written".into()))
}

/// The format of an import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportFormat {
    /// One SPEC §10 object a line.
    JsonLines,
    /// A header row of the same names, then one entry a record.
    Csv,
}

/// Reads an import with the core's readers, naming every bad line (JSON
/// Lines) or record (CSV) at once.
pub fn read_import(text: &str, format: ImportFormat) -> AppResult<Vec<TimeEntry>> {
    let result = match format {
        ImportFormat::Csv => parse_csv_all(text),
        ImportFormat::JsonLines => parse_json_lines_all(text),
    };
    result.map_err(|errors| AppError::Store(accord_store::Error::Entries(errors)))
}

/// Imports entries on a contract, all or nothing; with `dry_run` every
/// check runs and nothing is written.
pub async fn import(
    state: &AppState,
    user: &User,
    contract_id: &str,
    entries: &[TimeEntry],
    dry_run: bool,
) -> AppResult<Vec<StoredEntry>> {
    require_staff(user, "import time entries")?;
    for e in entries {
        require_owner(user, &e.person, "import")?;
    }
    let tenant = user.tenant();
    let actor = Actor {
        tenant: &tenant,
        email: &user.email,
    };
    Ok(state
        .store
        .time_entries()
        .create(
            actor,
            contract_id,
            entries,
            "imported",
            dry_run,
            state.time.now(),
        )
        .await?)
}

/// The entry an agent or admin may change: theirs (admin: any).
async fn owned(
    state: &AppState,
    user: &User,
    id: &TimeEntryId,
    what: &str,
) -> AppResult<StoredEntry> {
    require_staff(user, what)?;
    let e = state
        .store
        .time_entries()
        .get(&user.tenant(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    require_owner(user, &e.entry.person, what)?;
    Ok(e)
}

/// Changes a draft or submitted entry: `patch` holds the SPEC §10 fields to
/// replace (`null` removes one; `end` and `minutes` replace each other).
pub async fn update(
    state: &AppState,
    user: &User,
    id: &TimeEntryId,
    patch: Map<String, Value>,
) -> AppResult<StoredEntry> {
    let old = owned(state, user, id, "change").await?;
    let mut fields = match accord_store::entry_json(&old.entry) {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    if patch.contains_key("minutes") {
        fields.remove("end");
    }
    if patch.contains_key("end") {
        fields.remove("minutes");
    }
    for (k, v) in patch {
        fields.insert(k, v);
    }
    let entry =
        TimeEntry::from_json_line(&Value::Object(fields).to_string()).map_err(entry_error)?;
    if entry.id != old.entry.id {
        return Err(AppError::Invalid {
            field: "id".into(),
            detail: format!("an entry's id cannot change (it is `{}`)", old.entry.id),
        });
    }
    require_owner(user, &entry.person, "change")?;
    let tenant = user.tenant();
    let actor = Actor {
        tenant: &tenant,
        email: &user.email,
    };
    Ok(state
        .store
        .time_entries()
        .update(actor, id, &entry, state.time.now())
        .await?)
}

/// Deletes a draft or submitted entry.
pub async fn delete(state: &AppState, user: &User, id: &TimeEntryId) -> AppResult<()> {
    owned(state, user, id, "delete").await?;
    let tenant = user.tenant();
    let actor = Actor {
        tenant: &tenant,
        email: &user.email,
    };
    Ok(state
        .store
        .time_entries()
        .delete(actor, id, state.time.now())
        .await?)
}

/// A change of an entry's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Draft → submitted, by its author or an admin.
    Submit,
    /// Submitted → approved, by an admin.
    Approve,
    /// Submitted → draft with a reason, by an admin.
    Reject,
}

/// Moves an entry one step, recording who and why.
pub async fn step(
    state: &AppState,
    user: &User,
    id: &TimeEntryId,
    step: Step,
    why: Option<String>,
) -> AppResult<StoredEntry> {
    let (from, to) = match step {
        Step::Submit => {
            owned(state, user, id, "submit").await?;
            (EntryStatus::Draft, EntryStatus::Submitted)
        }
        Step::Approve | Step::Reject => {
            require_staff(user, "approve or reject time entries")?;
            require_admin(user, "approve or reject time entries")?;
            let to = if step == Step::Approve {
                EntryStatus::Approved
            } else {
                EntryStatus::Draft
            };
            (EntryStatus::Submitted, to)
        }
    };
    if step == Step::Reject && why.as_deref().is_none_or(|w| w.trim().is_empty()) {
        return Err(AppError::Invalid {
            field: "why".into(),
            detail: "say why the entry is rejected, so its author can fix it".into(),
        });
    }
    let tenant = user.tenant();
    let actor = Actor {
        tenant: &tenant,
        email: &user.email,
    };
    Ok(state
        .store
        .time_entries()
        .transition(actor, id, &[from], to, why.as_deref(), state.time.now())
        .await?)
}

/// Records a correction of a frozen entry: a new entry replacing it.
pub async fn correct(
    state: &AppState,
    user: &User,
    id: &TimeEntryId,
    entry: TimeEntry,
    reason: &str,
) -> AppResult<StoredEntry> {
    owned(state, user, id, "correct").await?;
    require_owner(user, &entry.person, "correct")?;
    if reason.trim().is_empty() {
        return Err(AppError::Invalid {
            field: "reason".into(),
            detail: "a correction needs a reason".into(),
        });
    }
    let tenant = user.tenant();
    let actor = Actor {
        tenant: &tenant,
        email: &user.email,
    };
    Ok(state
        .store
        .time_entries()
        .correct(actor, id, &entry, reason, state.time.now())
        .await?)
}

/// A period's lock and acceptance.
pub async fn period(
    state: &AppState,
    user: &User,
    contract_id: &str,
    period: &str,
) -> AppResult<PeriodState> {
    Ok(state
        .store
        .time_entries()
        .period(&user.tenant(), contract_id, period)
        .await?)
}

/// What to do with a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodAction {
    /// Admin: freeze its entries.
    Lock,
    /// Admin: open it again (withdraws the client's acceptance).
    Unlock,
    /// Client user: accept it, when the contract's `[billing]` says
    /// `client_accepts_periods = true`.
    Accept,
}

/// Locks, unlocks or accepts a period.
pub async fn set_period(
    state: &AppState,
    user: &User,
    contract_id: &str,
    period: &str,
    action: PeriodAction,
) -> AppResult<PeriodState> {
    let tenant = user.tenant();
    let actor = Actor {
        tenant: &tenant,
        email: &user.email,
    };
    let now = state.time.now();
    let t = state.store.time_entries();
    match action {
        PeriodAction::Lock | PeriodAction::Unlock => {
            require_admin(user, "lock or unlock periods")?;
            if action == PeriodAction::Lock {
                Ok(t.lock(actor, contract_id, period, now).await?)
            } else {
                Ok(t.unlock(actor, contract_id, period, now).await?)
            }
        }
        PeriodAction::Accept => {
            if user.role != Role::Client {
                return Err(forbidden("a period is accepted by the client's users"));
            }
            let parsed = latest(state, &tenant, contract_id).await?;
            let asked = parsed
                .contract
                .billing()
                .is_some_and(|b| b.client_accepts_periods);
            if !asked {
                return Err(AppError::Invalid {
                    field: "period".into(),
                    detail: format!(
                        "contract `{contract_id}` does not ask the client to accept periods \
                         ([billing] client_accepts_periods = true)"
                    ),
                });
            }
            Ok(t.accept(actor, contract_id, period, now).await?)
        }
    }
}

/// The caller's running timer.
pub async fn timer(state: &AppState, user: &User) -> AppResult<Option<Timer>> {
    require_staff(user, "run timers")?;
    Ok(state.store.time_entries().timer(&user.email).await?)
}

/// What a timer is for.
#[derive(Debug, Clone)]
pub struct NewTimer {
    /// The contract.
    pub contract_id: String,
    /// The activity.
    pub activity: String,
    /// The ticket, if any.
    pub ticket: Option<String>,
    /// The milestone, if any.
    pub milestone: Option<String>,
    /// Whether it is invoiced.
    pub billable: accord_core::time::Billable,
    /// Free text.
    pub note: Option<String>,
}

/// Starts the caller's timer now.
pub async fn start_timer(state: &AppState, user: &User, new: NewTimer) -> AppResult<Timer> {
    require_staff(user, "run timers")?;
    if new.activity.trim().is_empty() {
        return Err(AppError::Invalid {
            field: "activity".into(),
            detail: "must not be empty".into(),
        });
    }
    let parsed = latest(state, &user.tenant(), &new.contract_id).await?;
    let timer = Timer {
        person: user.email.clone(),
        client: parsed.client.clone(),
        contract_id: new.contract_id,
        activity: new.activity,
        ticket: new.ticket,
        milestone: new.milestone,
        billable: new.billable,
        note: new.note,
        started_at: state.time.now(),
    };
    Ok(state
        .store
        .time_entries()
        .start_timer(&user.tenant(), timer)
        .await?)
}

/// Stops the caller's timer: a draft entry from its start to now.
pub async fn stop_timer(state: &AppState, user: &User) -> AppResult<StoredEntry> {
    require_staff(user, "run timers")?;
    let tenant = user.tenant();
    let actor = Actor {
        tenant: &tenant,
        email: &user.email,
    };
    Ok(state
        .store
        .time_entries()
        .stop_timer(actor, &user.email, state.time.now())
        .await?)
}
