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
    /// Its id as written, unique within its milestone, if it has one.
    pub id: Option<String>,
    /// What is owed, e.g. "Sample data export".
    pub what: String,
    /// The client contact who owes it.
    pub owner: ContactRef,
    /// When it is due, on or before the milestone's due date.
    pub due: Date,
    /// The pause reason a late delivery counts as (an allowed reason).
    pub reason: String,
    /// Its id, or its 1-based position in the milestone's list.
    name: String,
}

impl Deliverable {
    /// The name milestone events use for it (SPEC §6): its `id`, or without
    /// one its 1-based position in its milestone's list, `"1"`, `"2"`, ….
    ///
    /// ```
    /// use accord_core::contract::Contract;
    /// use accord_core::diagnostic::SourceFile;
    /// let text = r#"id = "c"
    /// client = "C"
    /// effective_from = 2026-01-01
    /// [contacts.client]
    /// owner = { name = "O", email = "o@c.example" }
    /// [calendars.support]
    /// timezone = "Europe/Berlin"
    /// mon = ["09:00-17:00"]
    /// [priorities.normal]
    /// calendar = "support"
    /// resolution = "8h"
    /// [[milestones]]
    /// id = "go-live"
    /// name = "Go-live"
    /// due = 2026-03-31
    /// calendar = "support"
    /// [[milestones.deliverables]]
    /// what = "Data export"
    /// owner = "client.owner"
    /// due = 2026-02-13
    /// reason = "data_dependency"
    /// [[milestones.deliverables]]
    /// id = "schema"
    /// what = "Schema sign-off"
    /// owner = "client.owner"
    /// due = 2026-03-02
    /// reason = "approval"
    /// "#;
    /// let c = Contract::parse(&SourceFile::new("c.toml", text), &mut |_| unreachable!()).unwrap();
    /// let m = c.milestone("go-live").unwrap();
    /// let names: Vec<&str> = m.deliverables.iter().map(|d| d.name()).collect();
    /// assert_eq!(names, ["1", "schema"]);
    /// assert_eq!(m.deliverable("schema").unwrap().what, "Schema sign-off");
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Milestone {
    /// The deliverable named `name` (see [`Deliverable::name`]).
    pub fn deliverable(&self, name: &str) -> Option<&Deliverable> {
        self.deliverables.iter().find(|d| d.name == name)
    }
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
            let mut named: Vec<(String, Option<std::ops::Range<usize>>)> = Vec::new();
            for (i, d) in r
                .array(v, "`deliverables`")
                .unwrap_or_default()
                .iter()
                .enumerate()
            {
                let position = i + 1;
                let id = deliverable_id(r, d);
                let name = id
                    .as_ref()
                    .map_or_else(|| position.to_string(), |(id, _)| id.clone());
                let span = id.as_ref().map(|(_, span)| span.clone());
                if let Some((_, earlier)) = named.iter().find(|(n, _)| *n == name) {
                    name_clash(r, &name, span.as_ref().or(earlier.as_ref()));
                }
                named.push((name.clone(), span));
                if let Some(mut d) = read_deliverable(r, d, due, known) {
                    d.id = id.map(|(id, _)| id);
                    d.name = name;
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
    r.unknown_keys(t, &["id", "what", "owner", "due", "reason"], ctx);
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
        id: None,
        name: String::new(),
        what: what?,
        owner: owner?,
        due: due?,
        reason: reason?,
    })
}

/// A deliverable's `id` with its span, if it has a valid one.
fn deliverable_id(
    r: &mut Reader<'_>,
    item: &Value<'_>,
) -> Option<(String, std::ops::Range<usize>)> {
    let toml::de::DeValue::Table(t) = item.get_ref() else {
        return None;
    };
    let v = t.get("id")?;
    non_empty(r, v, "a deliverable's `id`").map(|id| (id, v.span()))
}

/// Two deliverables of one milestone with the same name (ids, or an id and
/// another's position), reported at the id that makes the clash.
fn name_clash(r: &mut Reader<'_>, name: &str, span: Option<&std::ops::Range<usize>>) {
    let Some(span) = span else { return };
    r.error(
        span.clone(),
        format!("two deliverables of this milestone are named `{name}`"),
        Some(
            "give each deliverable its own id; a deliverable without one is named by its position (\"1\", \"2\", …)"
                .into(),
        ),
    );
}
