//! What the clock engine needs to know of a contract (SPEC §2, §4, §5): the
//! targets and calendar of each priority, the allowed pause reasons, whether
//! a client reply resumes paused clocks, and the warning thresholds.
//!
//! A plain struct, so the engine does not depend on contract parsing and
//! tests can build one in a few lines.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use rust_decimal::Decimal;

use crate::BusinessDuration;
use crate::calendar::Calendar;
use crate::clock::Metric;
use crate::contract::{Contract, Pauses, Warnings};

/// The targets of one priority, measured on one calendar.
#[derive(Debug, Clone, PartialEq)]
pub struct PriorityTargets {
    /// The calendar business time is measured on while this priority is in
    /// force. Shared, so its lazily built index of open time is built once.
    pub calendar: Arc<Calendar>,
    /// The target of each metric; a metric absent here has no clock.
    pub targets: BTreeMap<Metric, BusinessDuration>,
}

/// The rules the clocks of a ticket follow.
///
/// ```
/// use std::collections::BTreeMap;
/// use std::sync::Arc;
/// use accord_core::calendar::{Calendar, CalendarRules, DayHours};
/// use accord_core::clock::{ClockPolicy, Metric, PriorityTargets};
/// use jiff::tz::TimeZone;
///
/// let hours = DayHours::new(vec!["09:00-17:00".parse()?])?;
/// let support = Arc::new(Calendar::new("support", CalendarRules::weekdays(TimeZone::get("Europe/Berlin")?, hours)));
/// let mut policy = ClockPolicy::new();
/// policy.priorities.insert("critical".into(), PriorityTargets {
///     calendar: support,
///     targets: BTreeMap::from([(Metric::FirstResponse, "1h".parse()?), (Metric::Resolution, "8h".parse()?)]),
/// });
/// assert!(policy.pause_reasons.contains("approval"));
/// assert_eq!(policy.thresholds.len(), 3);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ClockPolicy {
    /// Targets per priority name.
    pub priorities: BTreeMap<String, PriorityTargets>,
    /// Reasons a ticket may be paused for; any other is rejected.
    pub pause_reasons: BTreeSet<String>,
    /// Whether a `client_replied` resumes paused clocks (SPEC §5: yes unless
    /// the contract says otherwise).
    pub resume_on_client_reply: bool,
    /// Warning thresholds as shares of a target (`0.5` is 50 %).
    pub thresholds: Vec<Decimal>,
}

impl ClockPolicy {
    /// A policy with no priorities yet and the SPEC's defaults otherwise:
    /// the six standard pause reasons, client replies resume, thresholds
    /// 50/75/90 %.
    /// The defaults are the contract's own ([`Pauses`], [`Warnings`]), so a
    /// contract that leaves them out and a hand-built policy agree.
    pub fn new() -> Self {
        let (pauses, warnings) = (Pauses::default(), Warnings::default());
        ClockPolicy {
            priorities: BTreeMap::new(),
            pause_reasons: pauses.reasons,
            resume_on_client_reply: pauses.resume_on_client_reply,
            thresholds: warnings.thresholds,
        }
    }
}

impl Default for ClockPolicy {
    fn default() -> Self {
        Self::new()
    }
}

/// A priority names a calendar the contract does not have. A parsed
/// [`Contract`] never does; this guards hand-built ones.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "priority `{priority}` is measured on calendar `{calendar}`, which the contract does not define"
)]
pub struct MissingCalendar {
    /// The priority.
    pub priority: String,
    /// The calendar it names.
    pub calendar: String,
}

impl ClockPolicy {
    /// The clock rules of a contract: its priorities with their calendars
    /// (each calendar shared by all priorities naming it, so its index of
    /// open time is built once), its `[pauses]` and `[warnings]`.
    ///
    /// ```
    /// use accord_core::clock::{ClockPolicy, Metric};
    /// use accord_core::contract::Contract;
    /// use accord_core::diagnostic::SourceFile;
    /// let src = SourceFile::new("c.toml", r#"
    /// id = "acme-2026"
    /// client = "ACME"
    /// effective_from = 2026-01-01
    /// [calendars.support]
    /// timezone = "Europe/Berlin"
    /// mon = ["09:00-17:00"]
    /// [priorities.critical]
    /// calendar = "support"
    /// first_response = "1h"
    /// "#);
    /// let contract = Contract::parse(&src, &mut |_| unreachable!()).map_err(|e| e.to_string())?;
    /// let policy = ClockPolicy::from_contract(&contract)?;
    /// assert_eq!(policy.priorities["critical"].targets[&Metric::FirstResponse].as_secs(), 3600);
    /// assert!(policy.resume_on_client_reply);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_contract(contract: &Contract) -> Result<ClockPolicy, MissingCalendar> {
        let calendars: BTreeMap<&str, Arc<Calendar>> = contract
            .calendars()
            .iter()
            .map(|(name, cal)| (name.as_str(), Arc::new(cal.clone())))
            .collect();
        let mut priorities = BTreeMap::new();
        for (name, priority) in contract.priorities() {
            let calendar =
                calendars
                    .get(priority.calendar.as_str())
                    .ok_or_else(|| MissingCalendar {
                        priority: name.clone(),
                        calendar: priority.calendar.clone(),
                    })?;
            priorities.insert(
                name.clone(),
                PriorityTargets {
                    calendar: Arc::clone(calendar),
                    targets: priority.targets.clone(),
                },
            );
        }
        let pauses = contract.pauses();
        Ok(ClockPolicy {
            priorities,
            pause_reasons: pauses.reasons.clone(),
            resume_on_client_reply: pauses.resume_on_client_reply,
            thresholds: contract.warnings().thresholds.clone(),
        })
    }
}
