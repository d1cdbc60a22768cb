//! What the provider promises per ticket: `[priorities.NAME]` with a target
//! per metric on a named calendar (SPEC §2, §4), the allowed `[pauses]`
//! (SPEC §5) and the `[warnings]` thresholds (SPEC §2, §4).

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;
use toml::de::DeTable;

use super::parties::{ContactRef, contact_ref};
use super::read::{Reader, Value};
use crate::clock::Metric;
use crate::duration::BusinessDuration;

/// One priority's targets, in business time of its calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Priority {
    /// Name of the calendar the targets are measured on.
    pub calendar: String,
    /// The target of each metric the priority sets (at least one).
    pub targets: BTreeMap<Metric, BusinessDuration>,
}

impl Priority {
    /// The target for `metric`, if this priority sets one.
    pub fn target(&self, metric: Metric) -> Option<BusinessDuration> {
        self.targets.get(&metric).copied()
    }
}

/// The `[pauses]` table: which reasons may stop the clocks, and how they
/// resume.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Pauses {
    /// Allowed pause reasons; [`Pauses::DEFAULT_REASONS`] when not written.
    pub reasons: BTreeSet<String>,
    /// A client reply resumes paused clocks (default true).
    pub resume_on_client_reply: bool,
    /// An overdue invoice pauses milestones with `pending_payment`
    /// (default false).
    pub pause_milestones_when_invoice_overdue: bool,
}

impl Pauses {
    /// The six reasons of the standard contract (SPEC §5).
    pub const DEFAULT_REASONS: [&'static str; 6] = [
        "data_dependency",
        "approval",
        "change_management",
        "client_communication",
        "pending_payment",
        "work_review",
    ];

    /// Whether a pause with `reason` is allowed.
    pub fn allows(&self, reason: &str) -> bool {
        self.reasons.contains(reason)
    }
}

impl Default for Pauses {
    /// The standard contract's pauses: the six default reasons, a client
    /// reply resumes, milestones are not paused for overdue invoices.
    fn default() -> Self {
        Pauses {
            reasons: Self::DEFAULT_REASONS
                .iter()
                .map(|s| s.to_string())
                .collect(),
            resume_on_client_reply: true,
            pause_milestones_when_invoice_overdue: false,
        }
    }
}

/// The `[warnings]` table: when a clock warns before its target.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Warnings {
    /// Shares of a target, strictly ascending, each in (0, 1); the breach
    /// itself is 1. Default 0.5, 0.75, 0.9.
    pub thresholds: Vec<Decimal>,
    /// Who is notified of warnings and breaches (default nobody beyond the
    /// ticket's assignee).
    pub notify: Vec<ContactRef>,
}

impl Default for Warnings {
    fn default() -> Self {
        Warnings {
            thresholds: vec![Decimal::new(5, 1), Decimal::new(75, 2), Decimal::new(9, 1)],
            notify: Vec::new(),
        }
    }
}

const METRIC_KEYS: [&str; 4] = [
    "first_response",
    "next_response",
    "resolution",
    "periodic_update",
];

/// The priorities as declared (name -> metrics it names), for checking
/// references even when a priority has errors.
pub(super) type DeclaredPriorities = BTreeMap<String, BTreeSet<Metric>>;

/// Reads `[priorities]`; `calendars` are the declared calendar names.
pub(super) fn read_priorities(
    r: &mut Reader<'_>,
    value: &Value<'_>,
    calendars: &BTreeSet<String>,
) -> (BTreeMap<String, Priority>, DeclaredPriorities) {
    let mut out = BTreeMap::new();
    let mut declared = BTreeMap::new();
    let Some(table) = r.table(value, "`priorities`") else {
        return (out, declared);
    };
    if table.is_empty() {
        r.error(
            value.span(),
            "the contract has no priority",
            Some("add a [priorities.normal] table with a calendar and a target".into()),
        );
    }
    for (name, v) in table {
        let name = name.get_ref().to_string();
        let ctx = format!("priority `{name}`");
        let Some(t) = r.table(v, &ctx) else {
            declared.insert(name, BTreeSet::new());
            continue;
        };
        let metrics = METRIC_KEYS
            .iter()
            .filter(|k| t.contains_key(**k))
            .filter_map(|k| k.parse().ok())
            .collect();
        declared.insert(name.clone(), metrics);
        if let Some(p) = read_priority(r, t, v, &ctx, calendars) {
            out.insert(name, p);
        }
    }
    (out, declared)
}

fn read_priority(
    r: &mut Reader<'_>,
    t: &DeTable<'_>,
    whole: &Value<'_>,
    ctx: &str,
    calendars: &BTreeSet<String>,
) -> Option<Priority> {
    let mut allowed = vec!["calendar"];
    allowed.extend(METRIC_KEYS);
    r.unknown_keys(t, &allowed, ctx);
    let calendar = r
        .require(
            t,
            "calendar",
            whole.span(),
            ctx,
            "add calendar = \"support\"",
        )
        .and_then(|v| r.reference(v, "calendar", calendars.iter().map(String::as_str)));
    let mut targets = BTreeMap::new();
    let mut ok = true;
    for key in METRIC_KEYS {
        let Some(v) = t.get(key) else { continue };
        match (key.parse::<Metric>(), r.duration(v, &format!("`{key}`"))) {
            (Ok(m), Some(d)) => {
                targets.insert(m, d);
            }
            _ => ok = false,
        }
    }
    // A misspelt metric is reported as an unknown key; do not say twice.
    let all_known = t.keys().all(|k| allowed.contains(&k.get_ref().as_ref()));
    if targets.is_empty() && ok && all_known {
        r.error(
            whole.span(),
            format!("{ctx} has no target"),
            Some("add at least one of first_response, next_response, resolution, periodic_update, e.g. first_response = \"4h\"".into()),
        );
        return None;
    }
    if !ok || targets.is_empty() {
        return None;
    }
    Some(Priority {
        calendar: calendar?,
        targets,
    })
}

/// Reads `[pauses]`; absent keys take their defaults.
pub(super) fn read_pauses(r: &mut Reader<'_>, value: &Value<'_>) -> Pauses {
    let mut pauses = Pauses::default();
    let Some(t) = r.table(value, "`pauses`") else {
        return pauses;
    };
    let ctx = "`[pauses]`";
    r.unknown_keys(
        t,
        &[
            "reasons",
            "resume_on_client_reply",
            "pause_milestones_when_invoice_overdue",
        ],
        ctx,
    );
    if let Some(v) = t.get("reasons") {
        pauses.reasons.clear();
        for item in r.array(v, "`reasons`").unwrap_or_default() {
            let Some(reason) = r.string(item, "a pause reason") else {
                continue;
            };
            let well_formed = !reason.is_empty()
                && reason
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !well_formed {
                r.error(
                    item.span(),
                    format!("`{reason}` is not a valid pause reason name"),
                    Some(
                        "use lowercase letters, digits and underscores, e.g. \"data_dependency\""
                            .into(),
                    ),
                );
            } else if !pauses.reasons.insert(reason.to_string()) {
                r.error(
                    item.span(),
                    format!("pause reason `{reason}` is listed twice"),
                    Some("list each reason once".into()),
                );
            }
        }
    }
    if let Some(v) = t.get("resume_on_client_reply")
        && let Some(b) = r.boolean(v, "`resume_on_client_reply`")
    {
        pauses.resume_on_client_reply = b;
    }
    if let Some(v) = t.get("pause_milestones_when_invoice_overdue")
        && let Some(b) = r.boolean(v, "`pause_milestones_when_invoice_overdue`")
    {
        pauses.pause_milestones_when_invoice_overdue = b;
    }
    pauses
}

/// Reads `[warnings]`; absent keys take their defaults.
pub(super) fn read_warnings(
    r: &mut Reader<'_>,
    value: &Value<'_>,
    contacts: &BTreeSet<String>,
) -> Warnings {
    let mut warnings = Warnings::default();
    let Some(t) = r.table(value, "`warnings`") else {
        return warnings;
    };
    r.unknown_keys(t, &["thresholds", "notify"], "`[warnings]`");
    if let Some(v) = t.get("thresholds") {
        warnings.thresholds.clear();
        let mut previous: Option<Decimal> = None;
        for item in r.array(v, "`thresholds`").unwrap_or_default() {
            let Some(share) = r.share(item, "a warning threshold", (false, false)) else {
                continue;
            };
            if let Some(prev) = previous
                && share <= prev
            {
                r.error(
                    item.span(),
                    format!("warning thresholds must be strictly ascending: {share} follows {prev}"),
                    Some("list thresholds from smallest to largest, each once, e.g. [0.5, 0.75, 0.9]".into()),
                );
            }
            previous = Some(share);
            warnings.thresholds.push(share);
        }
    }
    if let Some(v) = t.get("notify") {
        for item in r.array(v, "`notify`").unwrap_or_default() {
            if let Some(c) = contact_ref(r, item, contacts, None) {
                warnings.notify.push(c);
            }
        }
    }
    warnings
}
