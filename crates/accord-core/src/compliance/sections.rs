//! The statement's milestones and hours sections (SPEC §7: "milestones
//! baseline vs adjusted; hours worked by activity"). Both come from other
//! folds and are never re-derived here: each milestone's dates and state
//! from the milestone fold ([`crate::milestone::evaluate`]) as of the
//! period's end, the billed time of each entry from
//! [`crate::billing::billed_seconds`] with the contract's rounding.

use std::collections::BTreeMap;

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};

use super::period::ReportPeriod;
use crate::contract::Contract;
use crate::milestone::{MilestoneError, MilestoneEvent, MilestoneState, evaluate};
use crate::time::{Billable, TimeEntry};

/// One milestone of the contract as of a statement period's end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MilestoneLine {
    /// The milestone's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The due date the contract agrees.
    pub baseline_due: Date,
    /// The due date after client delays and agreed shifts.
    pub adjusted_due: Date,
    /// Business days of delay attributed to the client.
    pub client_delay_days: i64,
    /// Business days of agreed shifts.
    pub shift_days: i64,
    /// The state at the period's end.
    pub state: MilestoneState,
    /// Whose miss it is: `"provider"` for a missed milestone, else none.
    pub miss: Option<&'static str>,
}

/// Raw and billed seconds of some time entries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Hours {
    /// Seconds worked, as recorded.
    pub raw_s: i64,
    /// Seconds billed: each entry rounded with the contract's rounding
    /// (`billable` and `no_charge` entries); zero for `non_billable` ones.
    pub billed_s: i64,
}

impl Hours {
    fn add(&mut self, other: Hours) {
        self.raw_s = self.raw_s.saturating_add(other.raw_s);
        self.billed_s = self.billed_s.saturating_add(other.billed_s);
    }
}

/// The hours of one activity in a period, in total and by billable kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActivityHours {
    /// All entries of the activity.
    pub total: Hours,
    /// Per billable kind present.
    pub by_kind: BTreeMap<Billable, Hours>,
}

/// Every milestone of `contract` evaluated with the milestone fold from the
/// events strictly before `end` (the first instant after the period): its
/// state is the one on the period's last second.
///
/// ```
/// use accord_core::compliance::milestone_lines;
/// use accord_core::contract::Contract;
/// use accord_core::diagnostic::SourceFile;
/// let text = r#"id = "c"
/// client = "C"
/// effective_from = 2026-01-01
/// [calendars.support]
/// timezone = "UTC"
/// mon = ["09:00-17:00"]
/// [priorities.normal]
/// calendar = "support"
/// resolution = "8h"
/// [[milestones]]
/// id = "go-live"
/// name = "Go-live"
/// due = 2026-03-30
/// calendar = "support"
/// "#;
/// let c = Contract::parse(&SourceFile::new("c.toml", text), &mut |_| unreachable!()).unwrap();
/// let lines = milestone_lines(&c, &[], "2026-04-01T00:00:00Z".parse()?)?;
/// assert_eq!(lines[0].baseline_due, lines[0].adjusted_due);
/// assert_eq!(lines[0].state.as_str(), "overdue");
/// assert_eq!(lines[0].miss, None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn milestone_lines(
    contract: &Contract,
    events: &[MilestoneEvent],
    end: Timestamp,
) -> Result<Vec<MilestoneLine>, MilestoneError> {
    let last = end.checked_sub(SignedDuration::from_secs(1)).unwrap_or(end);
    Ok(evaluate(contract, events, last)?
        .into_iter()
        .map(|o| MilestoneLine {
            miss: (o.state == MilestoneState::Missed).then_some("provider"),
            id: o.milestone,
            name: o.name,
            baseline_due: o.baseline_due,
            adjusted_due: o.adjusted_due,
            client_delay_days: o.client_delay_days,
            shift_days: o.shift_days,
            state: o.state,
        })
        .collect())
}

/// The hours per activity of the `entries` whose work date (the date of
/// their start in the contract's reporting zone) falls in `period`.
///
/// ```
/// use accord_core::compliance::{ReportPeriod, hours_by_activity};
/// use accord_core::contract::Contract;
/// use accord_core::diagnostic::SourceFile;
/// use accord_core::time::parse_json_lines;
/// let text = r#"id = "c"
/// client = "C"
/// effective_from = 2026-01-01
/// [calendars.support]
/// timezone = "UTC"
/// mon = ["09:00-17:00"]
/// [priorities.normal]
/// calendar = "support"
/// resolution = "8h"
/// "#;
/// let c = Contract::parse(&SourceFile::new("c.toml", text), &mut |_| unreachable!()).unwrap();
/// let entries = parse_json_lines(concat!(
///     r#"{"id":"E-1","person":"p@x.example","start":"2026-03-02T09:00:00Z","minutes":70,"activity":"dev"}"#, "\n",
///     r#"{"id":"E-2","person":"p@x.example","start":"2026-04-01T09:00:00Z","minutes":30,"activity":"dev"}"#,
/// ))?;
/// let hours = hours_by_activity(&c, &entries, "2026-03".parse()?);
/// assert_eq!(hours["dev"].total.raw_s, 4200); // no rounding agreed: billed = raw
/// assert_eq!(hours["dev"].total.billed_s, 4200);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn hours_by_activity(
    contract: &Contract,
    entries: &[TimeEntry],
    period: ReportPeriod,
) -> BTreeMap<String, ActivityHours> {
    let zone = contract.reporting_zone();
    let rounding = contract.billing().and_then(|b| b.rounding.as_ref());
    let mut out: BTreeMap<String, ActivityHours> = BTreeMap::new();
    for e in entries {
        if ReportPeriod::containing(period.kind(), e.start, &zone) != period {
            continue;
        }
        let raw_s = e.raw_s();
        let billed_s = match e.billable {
            Billable::NonBillable => 0,
            Billable::Billable | Billable::NoCharge => {
                crate::billing::billed_seconds(raw_s, rounding)
            }
        };
        let h = Hours { raw_s, billed_s };
        let a = out.entry(e.activity.clone()).or_default();
        a.total.add(h);
        a.by_kind.entry(e.billable).or_default().add(h);
    }
    out
}
