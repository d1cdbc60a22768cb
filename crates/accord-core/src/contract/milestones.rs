//! Project `[[milestones]]` and the deliverables the client owes for each
//! (SPEC §6).

use std::collections::BTreeSet;

use jiff::civil::Date;
use toml::de::DeTable;

use super::accountability::Known;
use super::identity::non_empty;
use super::parties::{ContactRef, Side, contact_ref};
use super::read::{Reader, Value};

/// A milestone with its planned due date.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Milestone {
    /// Unique id within the contract, e.g. `pipeline-live`.
    pub id: String,
    /// Human name.
    pub name: String,
    /// Planned due date (before any shift for client delay).
    pub due: Date,
    /// Calendar whose business days measure shifts.
    pub calendar: String,
    /// What the client owes, each due no later than the milestone.
    pub deliverables: Vec<Deliverable>,
}

/// Something the client owes for a milestone.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Deliverable {
    /// What is owed, e.g. "Sample data export".
    pub what: String,
    /// The client contact who owes it.
    pub owner: ContactRef,
    /// When it is due, on or before the milestone's due date.
    pub due: Date,
    /// The pause reason a late delivery counts as (an allowed reason).
    pub reason: String,
}

fn text(
    r: &mut Reader<'_>,
    t: &DeTable<'_>,
    key: &str,
    whole: &Value<'_>,
    ctx: &str,
    help: &str,
) -> Option<String> {
    r.require(t, key, whole.span(), ctx, help)
        .and_then(|v| non_empty(r, v, &format!("`{key}`")))
}

/// Reads `[[milestones]]`.
pub(super) fn read_milestones(
    r: &mut Reader<'_>,
    value: &Value<'_>,
    known: &Known<'_>,
) -> Vec<Milestone> {
    let mut out = Vec::new();
    let mut ids = BTreeSet::new();
    for item in r.array(value, "`milestones`").unwrap_or_default() {
        let ctx = "a milestone";
        let Some(t) = r.table(item, ctx) else {
            continue;
        };
        r.unknown_keys(t, &["id", "name", "due", "calendar", "deliverables"], ctx);
        let id = text(r, t, "id", item, ctx, "add id = \"go-live\"");
        if let Some(id) = &id
            && !ids.insert(id.clone())
            && let Some(v) = t.get("id")
        {
            r.error(
                v.span(),
                format!("duplicate milestone id `{id}`"),
                Some("give each milestone its own id".into()),
            );
        }
        let name = text(r, t, "name", item, ctx, "add name = \"Go-live\"");
        let due = r
            .require(t, "due", item.span(), ctx, "add due = 2026-03-31")
            .and_then(|v| r.date(v, "the milestone's `due`"));
        let calendar = r
            .require(
                t,
                "calendar",
                item.span(),
                ctx,
                "add calendar = \"support\"",
            )
            .and_then(|v| r.reference(v, "calendar", known.calendars.iter().map(String::as_str)));
        let mut deliverables = Vec::new();
        if let Some(v) = t.get("deliverables") {
            for d in r.array(v, "`deliverables`").unwrap_or_default() {
                if let Some(d) = read_deliverable(r, d, due, known) {
                    deliverables.push(d);
                }
            }
        }
        if let (Some(id), Some(name), Some(due), Some(calendar)) = (id, name, due, calendar) {
            out.push(Milestone {
                id,
                name,
                due,
                calendar,
                deliverables,
            });
        }
    }
    out
}

fn read_deliverable(
    r: &mut Reader<'_>,
    item: &Value<'_>,
    milestone_due: Option<Date>,
    known: &Known<'_>,
) -> Option<Deliverable> {
    let ctx = "a deliverable";
    let t = r.table(item, ctx)?;
    r.unknown_keys(t, &["what", "owner", "due", "reason"], ctx);
    let what = text(r, t, "what", item, ctx, "add what = \"Sample data export\"");
    let owner = r
        .require(
            t,
            "owner",
            item.span(),
            ctx,
            "add owner = \"client.data_owner\"",
        )
        .and_then(|v| contact_ref(r, v, known.contacts, Some(Side::Client)));
    let due = r
        .require(t, "due", item.span(), ctx, "add due = 2026-02-13")
        .and_then(|v| {
            let due = r.date(v, "the deliverable's `due`")?;
            if let Some(m) = milestone_due
                && due > m
            {
                r.error(
                    v.span(),
                    format!("deliverable due {due}, after its milestone's due date {m}"),
                    Some("a deliverable must be due on or before its milestone".into()),
                );
                return None;
            }
            Some(due)
        });
    let reason = r
        .require(
            t,
            "reason",
            item.span(),
            ctx,
            "add reason = \"data_dependency\"",
        )
        .and_then(|v| r.reference(v, "pause reason", known.reasons.iter().map(String::as_str)));
    Some(Deliverable {
        what: what?,
        owner: owner?,
        due: due?,
        reason: reason?,
    })
}
