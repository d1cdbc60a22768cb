//! Accountability: compliance `[[objectives]]`, service `[credits]` and the
//! dispute `[[escalation]]` ladder (SPEC §2, §7).

use std::collections::BTreeSet;

use rust_decimal::Decimal;
use toml::de::DeTable;

use super::parties::{ContactRef, contact_ref};
use super::read::{Reader, Value};
use super::targets::DeclaredPriorities;
use crate::clock::Metric;
use crate::duration::BusinessDuration;

/// A reporting period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Period {
    /// A calendar month.
    Month,
    /// A calendar quarter.
    Quarter,
}

impl Period {
    /// The name used in contracts.
    pub fn as_str(self) -> &'static str {
        match self {
            Period::Month => "month",
            Period::Quarter => "quarter",
        }
    }
}

/// A compliance objective: the share of tickets of a priority whose clock
/// of a metric must meet its target, per period.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Objective {
    /// The measured metric; the priority sets a target for it.
    pub metric: Metric,
    /// The priority's name.
    pub priority: String,
    /// Share in (0, 1] that must be within target, e.g. 0.95.
    pub within_target: Decimal,
    /// Measurement period.
    pub period: Period,
}

/// The `[credits]` table: service credits owed when objectives are missed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Credits {
    /// The fee of one period that credits are a share of.
    pub period_fee: Decimal,
    /// The most credited in one period, as a share in (0, 1] of the fee.
    pub cap: Decimal,
    /// The rules, one per metric and priority.
    pub rules: Vec<CreditRule>,
}

/// Credit tiers for one metric and priority.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreditRule {
    /// The measured metric.
    pub metric: Metric,
    /// The priority's name.
    pub priority: String,
    /// Tiers with `below` strictly decreasing and `credit` strictly
    /// increasing: the lowest tier whose `below` the compliance share falls
    /// under applies.
    pub tiers: Vec<CreditTier>,
}

/// One tier: when compliance is below `below`, `credit` of the period fee
/// is owed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreditTier {
    /// Compliance share under which this tier applies.
    pub below: Decimal,
    /// Share of the period fee credited, at most the cap.
    pub credit: Decimal,
}

/// One level of the dispute escalation ladder.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EscalationLevel {
    /// 1-based level; levels are consecutive.
    pub level: u32,
    /// Who handles disputes at this level.
    pub who: Vec<ContactRef>,
    /// Time allowed before the dispute climbs to the next level.
    pub respond_within: BusinessDuration,
    /// Calendar `respond_within` is counted on.
    pub calendar: String,
}

/// Names declared elsewhere in the contract, for checking references.
#[derive(Debug)]
pub(super) struct Known<'a> {
    pub calendars: &'a BTreeSet<String>,
    pub contacts: &'a BTreeSet<String>,
    pub priorities: &'a DeclaredPriorities,
    pub reasons: &'a BTreeSet<String>,
}

/// Reads the `metric` and `priority` keys of a table; the priority must
/// exist and set a target for the metric.
fn metric_and_priority(
    r: &mut Reader<'_>,
    t: &DeTable<'_>,
    whole: &Value<'_>,
    ctx: &str,
    known: &Known<'_>,
) -> Option<(Metric, String)> {
    let metric = r
        .require(
            t,
            "metric",
            whole.span(),
            ctx,
            "add metric = \"first_response\"",
        )
        .and_then(|v| {
            let name = r.string(v, "`metric`")?;
            match name.parse::<Metric>() {
                Ok(m) => Some(m),
                Err(_) => {
                    let names = Metric::ALL.map(Metric::as_str);
                    r.unknown_name(v.span(), "metric", name, names.into_iter());
                    None
                }
            }
        });
    let priority_value = r.require(
        t,
        "priority",
        whole.span(),
        ctx,
        "add priority = \"critical\"",
    );
    let priority = priority_value
        .and_then(|v| r.reference(v, "priority", known.priorities.keys().map(String::as_str)));
    let (metric, priority, at) = (metric?, priority?, priority_value?);
    if known
        .priorities
        .get(&priority)
        .is_some_and(|ms| !ms.contains(&metric))
    {
        r.error(
            at.span(),
            format!("priority `{priority}` has no `{metric}` target"),
            Some(format!(
                "add {metric} = \"…\" to [priorities.{priority}], or measure another metric"
            )),
        );
        return None;
    }
    Some((metric, priority))
}

/// Reads `[[objectives]]`.
pub(super) fn read_objectives(
    r: &mut Reader<'_>,
    value: &Value<'_>,
    known: &Known<'_>,
) -> Vec<Objective> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for item in r.array(value, "`objectives`").unwrap_or_default() {
        let ctx = "an objective";
        let Some(t) = r.table(item, ctx) else {
            continue;
        };
        r.unknown_keys(t, &["metric", "priority", "within_target", "period"], ctx);
        let mp = metric_and_priority(r, t, item, ctx, known);
        let within = r
            .require(
                t,
                "within_target",
                item.span(),
                ctx,
                "add within_target = 0.95",
            )
            .and_then(|v| r.share(v, "`within_target`", (false, true)));
        let period = r
            .require(t, "period", item.span(), ctx, "add period = \"month\"")
            .and_then(|v| period(r, v));
        let (Some((metric, priority)), Some(within_target), Some(period)) = (mp, within, period)
        else {
            continue;
        };
        if !seen.insert((metric, priority.clone(), period)) {
            r.error(
                item.span(),
                format!(
                    "two objectives for {metric} of `{priority}` per {}",
                    period.as_str()
                ),
                Some("keep one objective per metric, priority and period".into()),
            );
        }
        out.push(Objective {
            metric,
            priority,
            within_target,
            period,
        });
    }
    out
}

fn period(r: &mut Reader<'_>, v: &Value<'_>) -> Option<Period> {
    r.one_of(v, "period", &["month", "quarter"]).map(|p| {
        if p == "month" {
            Period::Month
        } else {
            Period::Quarter
        }
    })
}

/// Reads `[credits]`.
pub(super) fn read_credits(
    r: &mut Reader<'_>,
    value: &Value<'_>,
    known: &Known<'_>,
) -> Option<Credits> {
    let ctx = "`[credits]`";
    let t = r.table(value, "`credits`")?;
    r.unknown_keys(t, &["period_fee", "cap", "rules"], ctx);
    let fee = r
        .require(
            t,
            "period_fee",
            value.span(),
            ctx,
            "add period_fee = \"2500.00\"",
        )
        .and_then(|v| r.money(v, "`period_fee`"));
    let cap = r
        .require(
            t,
            "cap",
            value.span(),
            ctx,
            "add cap = 0.20 (the most credited per period)",
        )
        .and_then(|v| r.share(v, "`cap`", (false, true)));
    let mut rules = Vec::new();
    if let Some(v) = t.get("rules") {
        for item in r.array(v, "`credits.rules`").unwrap_or_default() {
            if let Some(rule) = read_rule(r, item, cap, known) {
                rules.push(rule);
            }
        }
    }
    Some(Credits {
        period_fee: fee?,
        cap: cap?,
        rules,
    })
}

fn read_rule(
    r: &mut Reader<'_>,
    item: &Value<'_>,
    cap: Option<Decimal>,
    known: &Known<'_>,
) -> Option<CreditRule> {
    let ctx = "a credit rule";
    let t = r.table(item, ctx)?;
    r.unknown_keys(t, &["metric", "priority", "tiers"], ctx);
    let mp = metric_and_priority(r, t, item, ctx, known);
    let help = "add tiers = [{ below = 0.95, credit = 0.05 }]";
    let tiers_value = r.require(t, "tiers", item.span(), ctx, help)?;
    let items = r.array(tiers_value, "`tiers`")?;
    if items.is_empty() {
        r.error(
            tiers_value.span(),
            "a credit rule needs at least one tier",
            Some(help.into()),
        );
    }
    let mut tiers: Vec<CreditTier> = Vec::new();
    let mut ok = true;
    for tv in items {
        let Some(tt) = r.table(tv, "a tier") else {
            ok = false;
            continue;
        };
        r.unknown_keys(tt, &["below", "credit"], "a tier");
        let help = "write { below = 0.95, credit = 0.05 }";
        let below = r
            .require(tt, "below", tv.span(), "a tier", help)
            .and_then(|v| {
                r.share(v, "a tier's `below`", (false, true))
                    .map(|d| (d, v))
            });
        let credit = r
            .require(tt, "credit", tv.span(), "a tier", help)
            .and_then(|v| {
                r.share(v, "a tier's `credit`", (false, true))
                    .map(|d| (d, v))
            });
        let (Some((below, bv)), Some((credit, cv))) = (below, credit) else {
            ok = false;
            continue;
        };
        if let Some(prev) = tiers.last() {
            if below >= prev.below {
                r.error(
                    bv.span(),
                    format!("tiers out of order: `below` {below} must be less than the previous tier's {}", prev.below),
                    Some("list tiers from the mildest shortfall to the worst, `below` decreasing".into()),
                );
            }
            if credit <= prev.credit {
                r.error(
                    cv.span(),
                    format!("tiers out of order: `credit` {credit} must be more than the previous tier's {}", prev.credit),
                    Some("a worse shortfall earns a larger credit: make `credit` increase".into()),
                );
            }
        }
        if let Some(cap) = cap
            && credit > cap
        {
            r.error(
                cv.span(),
                format!("credit {credit} is over the cap of {cap}"),
                Some(format!("lower the credit to at most {cap}, or raise `cap`")),
            );
        }
        tiers.push(CreditTier { below, credit });
    }
    let (metric, priority) = mp?;
    ok.then_some(CreditRule {
        metric,
        priority,
        tiers,
    })
}

/// Reads `[[escalation]]`: levels 1..n in order.
pub(super) fn read_escalation(
    r: &mut Reader<'_>,
    value: &Value<'_>,
    known: &Known<'_>,
) -> Vec<EscalationLevel> {
    let mut out = Vec::new();
    let items = r.array(value, "`escalation`").unwrap_or_default();
    for (i, item) in items.iter().enumerate() {
        let ctx = "an escalation level";
        let Some(t) = r.table(item, ctx) else {
            continue;
        };
        r.unknown_keys(t, &["level", "who", "respond_within", "calendar"], ctx);
        let expected = i64::try_from(i + 1).unwrap_or(i64::MAX);
        let level = r
            .require(
                t,
                "level",
                item.span(),
                ctx,
                &format!("add level = {expected}"),
            )
            .and_then(|v| {
                let n = r.integer(v, "`level`", 1..=i64::from(u32::MAX))?;
                if n != expected {
                    r.error(
                        v.span(),
                        format!(
                            "escalation level {n} is out of sequence: expected level {expected}"
                        ),
                        Some("number the levels 1, 2, 3, … in the order they are written".into()),
                    );
                    return None;
                }
                u32::try_from(n).ok()
            });
        let who = r
            .require(
                t,
                "who",
                item.span(),
                ctx,
                "add who = [\"provider.account_manager\"]",
            )
            .and_then(|v| {
                let items = r.array(v, "`who`")?;
                if items.is_empty() {
                    r.error(
                        v.span(),
                        "an escalation level needs someone in `who`",
                        Some("name at least one contact, e.g. \"provider.account_manager\"".into()),
                    );
                    return None;
                }
                let refs: Vec<_> = items
                    .iter()
                    .map(|c| contact_ref(r, c, known.contacts, None))
                    .collect();
                refs.into_iter().collect::<Option<Vec<_>>>()
            });
        let within = r
            .require(
                t,
                "respond_within",
                item.span(),
                ctx,
                "add respond_within = \"16h\"",
            )
            .and_then(|v| r.duration(v, "`respond_within`"));
        let calendar = r
            .require(
                t,
                "calendar",
                item.span(),
                ctx,
                "add calendar = \"support\"",
            )
            .and_then(|v| r.reference(v, "calendar", known.calendars.iter().map(String::as_str)));
        if let (Some(level), Some(who), Some(respond_within), Some(calendar)) =
            (level, who, within, calendar)
        {
            out.push(EscalationLevel {
                level,
                who,
                respond_within,
                calendar,
            });
        }
    }
    out
}
