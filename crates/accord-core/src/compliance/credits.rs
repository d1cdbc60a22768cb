//! Service credits (SPEC §7): per credit rule, the tier with the largest
//! `credit` among those whose `below` is greater than the share of the
//! rule's period (no tier, or no data: no credit); the credits due for a
//! month are Σ period_fee × credit over the rules assessed in it, capped at
//! period_fee × cap; the total is rounded half-up to the currency's minor
//! unit.
//!
//! A rule is assessed over the period of the objective with the same metric
//! and priority (monthly without one). A quarterly rule is assessed in the
//! quarter's last month and counts towards that month's cap; a quarter
//! statement's credits are the sum of its months', each capped.

use rust_decimal::Decimal;

use super::objectives::Share;
use super::period::ReportPeriod;
use crate::billing::{minor_units, round_money};
use crate::clock::Metric;
use crate::contract::{CreditRule, CreditTier, Credits, Currency};

/// The tier of `rule` that applies to `share`: among the tiers whose
/// `below` is greater than the share, the one with the largest credit.
/// `None` when no tier applies or nothing was measured.
///
/// ```
/// use accord_core::compliance::{tier_for, Share};
/// use accord_core::contract::Contract;
/// use accord_core::diagnostic::SourceFile;
/// let text = r#"id = "c"
/// client = "C"
/// currency = "EUR"
/// effective_from = 2026-01-01
/// [calendars.support]
/// timezone = "UTC"
/// mon = ["09:00-17:00"]
/// [priorities.critical]
/// calendar = "support"
/// first_response = "4h"
/// [credits]
/// period_fee = "2500.00"
/// cap = 0.2
/// [[credits.rules]]
/// metric = "first_response"
/// priority = "critical"
/// tiers = [{ below = 0.95, credit = 0.05 }, { below = 0.90, credit = 0.10 }]
/// "#;
/// let c = Contract::parse(&SourceFile::new("c.toml", text), &mut |_| unreachable!()).unwrap();
/// let rule = &c.credits().unwrap().rules[0]; // below 0.95 → 5 %, below 0.90 → 10 %
/// assert_eq!(tier_for(rule, Share { met: 19, measured: 20 }), None); // exactly 0.95
/// assert_eq!(tier_for(rule, Share { met: 18, measured: 20 }).unwrap().credit.to_string(), "0.05");
/// assert_eq!(tier_for(rule, Share { met: 17, measured: 20 }).unwrap().credit.to_string(), "0.10");
/// assert_eq!(tier_for(rule, Share::default()), None);
/// ```
pub fn tier_for(rule: &CreditRule, share: Share) -> Option<CreditTier> {
    rule.tiers
        .iter()
        .filter(|t| share.below(t.below))
        .max_by(|a, b| a.credit.cmp(&b.credit))
        .copied()
}

/// The digits after the decimal point of `currency`'s minor unit
/// ([`minor_units`], ISO 4217); 2 without a currency.
///
/// ```
/// use accord_core::compliance::minor_unit_digits;
/// use accord_core::contract::Currency;
/// assert_eq!(minor_unit_digits(Currency::parse("JPY").as_ref()), 0);
/// assert_eq!(minor_unit_digits(None), 2);
/// ```
pub fn minor_unit_digits(currency: Option<&Currency>) -> u32 {
    currency.map_or(2, |c| minor_units(c.as_str()))
}

/// One credit rule over one period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditLine {
    /// The rule's metric.
    pub metric: Metric,
    /// The rule's priority.
    pub priority: String,
    /// The period it was assessed over.
    pub period: ReportPeriod,
    /// The share measured there.
    pub share: Share,
    /// The tier that applied, if any.
    pub tier: Option<CreditTier>,
    /// period_fee × the tier's credit (zero without a tier), exact.
    pub amount: Decimal,
}

/// The credits due for a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditsDue {
    /// The fee of one period.
    pub period_fee: Decimal,
    /// The most credited in one month: period_fee × cap.
    pub cap_amount: Decimal,
    /// Whether the cap cut the credits of some month.
    pub capped: bool,
    /// Every rule assessed, in contract order then period.
    pub lines: Vec<CreditLine>,
    /// The credits due: per month Σ amounts capped at `cap_amount`, summed,
    /// rounded half-up to the minor unit.
    pub total: Decimal,
}

/// The credits of `lines`, each assessed in the month given beside it.
pub(super) fn credits_due(
    credits: &Credits,
    digits: u32,
    lines: Vec<(ReportPeriod, CreditLine)>,
) -> CreditsDue {
    let cap_amount = credits.period_fee * credits.cap;
    let mut months: Vec<ReportPeriod> = lines.iter().map(|(m, _)| *m).collect();
    months.sort();
    months.dedup();
    let mut total = Decimal::ZERO;
    let mut capped = false;
    for month in months {
        let sum: Decimal = lines
            .iter()
            .filter(|(m, _)| *m == month)
            .map(|(_, l)| l.amount)
            .sum();
        capped |= sum > cap_amount;
        total += sum.min(cap_amount);
    }
    CreditsDue {
        period_fee: credits.period_fee,
        cap_amount,
        capped,
        lines: lines.into_iter().map(|(_, l)| l).collect(),
        total: round_money(total, digits),
    }
}

/// One assessed rule: its tier and amount.
pub(super) fn assess(
    rule: &CreditRule,
    fee: Decimal,
    period: ReportPeriod,
    share: Share,
) -> CreditLine {
    let tier = tier_for(rule, share);
    CreditLine {
        metric: rule.metric,
        priority: rule.priority.clone(),
        period,
        share,
        tier,
        amount: tier.map_or(Decimal::ZERO, |t| fee * t.credit),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn half_a_cent_rounds_up_and_whole_amounts_keep_two_decimals() {
        assert_eq!(round_money(d("0.125"), 2).to_string(), "0.13");
        assert_eq!(round_money(d("0.1249"), 2).to_string(), "0.12");
        assert_eq!(round_money(d("125"), 2).to_string(), "125.00");
        assert_eq!(round_money(d("12.5"), 0).to_string(), "13");
    }

    #[test]
    fn the_yen_has_no_minor_unit_and_the_dinar_has_thousandths() {
        let c = |s: &str| Currency::parse(s).unwrap();
        assert_eq!(minor_unit_digits(Some(&c("JPY"))), 0);
        assert_eq!(minor_unit_digits(Some(&c("KWD"))), 3);
        assert_eq!(minor_unit_digits(Some(&c("EUR"))), 2);
        assert_eq!(minor_unit_digits(None), 2);
    }
}
