//! Time entries in the service (SPEC §8, §10): what the store keeps beside
//! the core's [`TimeEntry`] — status, who changed it and when, the period
//! it belongs to, and the correction that replaces it — plus timers, locked
//! and accepted periods.

use accord_core::time::TimeEntry;
use jiff::Timestamp;
use jiff::civil::Date;

use crate::ids::{ClientId, TimeEntryId};

/// Where an entry stands (SPEC §8 "approval and locking").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EntryStatus {
    /// Being written; its author may change or delete it.
    Draft,
    /// Sent for approval; its author may still change it (back to draft).
    Submitted,
    /// Approved by an admin: frozen, ready to invoice.
    Approved,
    /// On an issued invoice: frozen.
    Invoiced,
}

impl EntryStatus {
    /// The name stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryStatus::Draft => "draft",
            EntryStatus::Submitted => "submitted",
            EntryStatus::Approved => "approved",
            EntryStatus::Invoiced => "invoiced",
        }
    }

    /// The status named `s`, if it is one.
    pub fn parse(s: &str) -> Option<EntryStatus> {
        [
            EntryStatus::Draft,
            EntryStatus::Submitted,
            EntryStatus::Approved,
            EntryStatus::Invoiced,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

/// A stored time entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEntry {
    /// The service's id.
    pub id: TimeEntryId,
    /// Whose contract it is booked on.
    pub client: ClientId,
    /// The contract.
    pub contract_id: String,
    /// The entry as the core reads it (its `id` is the key within the
    /// contract).
    pub entry: TimeEntry,
    /// The local date of its start in the contract's reporting zone.
    pub work_date: Date,
    /// Its invoice period, `YYYY-MM` of the work date.
    pub period: String,
    /// Where it stands.
    pub status: EntryStatus,
    /// The entry this one replaces, for a correction.
    pub corrects: Option<TimeEntryId>,
    /// Why, for a correction.
    pub correction_reason: Option<String>,
    /// The correction that replaces this one, if any.
    pub corrected_by: Option<TimeEntryId>,
    /// Who wrote it.
    pub created_by: String,
    /// When.
    pub created_at: Timestamp,
    /// Who changed it last (content or status).
    pub updated_by: String,
    /// When.
    pub updated_at: Timestamp,
}

/// One change of an entry's status: `from` absent when it was created, `to`
/// absent when it was deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryTransition {
    /// The entry.
    pub entry: TimeEntryId,
    /// The status before.
    pub from: Option<EntryStatus>,
    /// The status after.
    pub to: Option<EntryStatus>,
    /// Who.
    pub by: String,
    /// When.
    pub at: Timestamp,
    /// Why (a rejection's reason, a correction's).
    pub why: Option<String>,
}

/// Which entries of a contract to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntryFilter {
    /// Only this period (`YYYY-MM`).
    pub period: Option<String>,
    /// Only this person's.
    pub person: Option<String>,
    /// Only in this status.
    pub status: Option<EntryStatus>,
}

/// Who is changing entries, for the audit trail and the rules the store
/// checks (an entry's status and its period's lock).
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    /// The tenant every query runs as.
    pub tenant: &'a crate::Tenant,
    /// The user's e-mail.
    pub email: &'a str,
}

/// A running timer (one per person).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timer {
    /// Who is working.
    pub person: String,
    /// On which client's contract.
    pub client: ClientId,
    /// The contract.
    pub contract_id: String,
    /// The activity.
    pub activity: String,
    /// The ticket, if any.
    pub ticket: Option<String>,
    /// The milestone, if any.
    pub milestone: Option<String>,
    /// `billable`, `non_billable` or `no_charge`.
    pub billable: accord_core::time::Billable,
    /// Free text.
    pub note: Option<String>,
    /// When it started.
    pub started_at: Timestamp,
}

/// A locked period of a contract, with the client's acceptance if given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodState {
    /// The contract.
    pub contract_id: String,
    /// `YYYY-MM`.
    pub period: String,
    /// Who locked it and when, if locked.
    pub locked: Option<(String, Timestamp)>,
    /// Who accepted it for the client and when, if accepted.
    pub accepted: Option<(String, Timestamp)>,
}

/// An entry as its SPEC §10 JSON object (`end`, never `minutes`), which the
/// core's reader reads back to the same entry.
pub fn entry_json(e: &TimeEntry) -> serde_json::Value {
    let mut o = serde_json::Map::new();
    let mut put = |k: &str, v: Option<String>| {
        if let Some(v) = v {
            o.insert(k.to_string(), serde_json::Value::String(v));
        }
    };
    put("id", Some(e.id.clone()));
    put("person", Some(e.person.clone()));
    put("start", Some(accord_core::instant::format(e.start)));
    put("end", Some(accord_core::instant::format(e.end)));
    put("activity", Some(e.activity.clone()));
    put("ticket", e.ticket.clone());
    put("milestone", e.milestone.clone());
    put("billable", Some(e.billable.as_str().to_string()));
    put("rate", e.rate.map(|r| r.to_string()));
    put("note", e.note.clone());
    serde_json::Value::Object(o)
}
