//! Billing terms: default and specific hourly rates, rounding of time
//! entries, invoicing cadence, taxes and prepaid hour blocks (SPEC §8).
//! Every amount is an exact decimal, never a float.

use std::collections::BTreeMap;

use jiff::civil::Date;
use rust_decimal::Decimal;

use super::accountability::Period;
use super::parties::is_email;
use super::read::{Reader, Value};
use crate::duration::BusinessDuration;

/// The `[billing]` table.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Billing {
    /// Contract default hourly rate.
    pub rate: Decimal,
    /// How often invoices are issued.
    pub invoice_every: Period,
    /// Days after issue an invoice is due, if agreed.
    pub payment_terms_days: Option<u32>,
    /// Tax share in [0, 1), 0 when absent.
    pub tax_rate: Decimal,
    /// Rounding of each time entry, if agreed (otherwise entries are exact).
    pub rounding: Option<Rounding>,
    /// Hourly rate per activity, overriding the default.
    pub activity_rates: BTreeMap<String, Decimal>,
    /// Hourly rate per person (by e-mail), overriding activity and default.
    pub person_rates: BTreeMap<String, Decimal>,
    /// Prepaid hour blocks (retainers).
    pub prepaid: Vec<PrepaidBlock>,
}

/// How a time entry is rounded; the unrounded value is always kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Rounding {
    /// Round to a multiple of this (more than zero).
    pub increment: BusinessDuration,
    /// Which way to round.
    pub mode: RoundingMode,
    /// Bill at least this much per entry (zero when absent).
    pub minimum: BusinessDuration,
}

/// Which way a time entry is rounded to the increment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RoundingMode {
    /// To the next multiple.
    Up,
    /// To the previous multiple.
    Down,
    /// To the nearest multiple, halves up.
    Nearest,
}

/// A block of prepaid hours.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PrepaidBlock {
    /// Hours bought.
    pub hours: u32,
    /// Price of the block.
    pub price: Decimal,
    /// Last day the hours may be used.
    pub valid_until: Date,
    /// Hourly rate beyond the block, if different from the normal rates.
    pub overage_rate: Option<Decimal>,
}

/// Reads `[billing]`.
pub(super) fn read_billing(r: &mut Reader<'_>, value: &Value<'_>) -> Option<Billing> {
    let ctx = "`[billing]`";
    let t = r.table(value, "`billing`")?;
    r.unknown_keys(
        t,
        &[
            "rate",
            "invoice_every",
            "payment_terms_days",
            "tax_rate",
            "rounding",
            "activity_rates",
            "person_rates",
            "prepaid",
        ],
        ctx,
    );
    let rate = r
        .require(
            t,
            "rate",
            value.span(),
            ctx,
            "add rate = \"120.00\" (per hour)",
        )
        .and_then(|v| r.money(v, "`rate`"));
    let invoice_every = r
        .require(
            t,
            "invoice_every",
            value.span(),
            ctx,
            "add invoice_every = \"month\"",
        )
        .and_then(|v| r.one_of(v, "invoice period", &["month", "quarter"]))
        .map(|p| {
            if p == "month" {
                Period::Month
            } else {
                Period::Quarter
            }
        });
    let payment_terms_days = match t.get("payment_terms_days") {
        Some(v) => Some(
            r.integer(v, "`payment_terms_days`", 0..=365)
                .and_then(|n| u32::try_from(n).ok()),
        ),
        None => Some(None),
    };
    let tax_rate = match t.get("tax_rate") {
        Some(v) => r.share(v, "`tax_rate`", (true, false)),
        None => Some(Decimal::ZERO),
    };
    let rounding = match t.get("rounding") {
        Some(v) => read_rounding(r, v).map(Some),
        None => Some(None),
    };
    let activity_rates = rates(r, t.get("activity_rates"), "activity_rates", false);
    let person_rates = rates(r, t.get("person_rates"), "person_rates", true);
    let mut prepaid = Vec::new();
    let mut prepaid_ok = true;
    if let Some(v) = t.get("prepaid") {
        for item in r.array(v, "`billing.prepaid`").unwrap_or_default() {
            match read_prepaid(r, item) {
                Some(b) => prepaid.push(b),
                None => prepaid_ok = false,
            }
        }
    }
    prepaid_ok.then_some(())?;
    Some(Billing {
        rate: rate?,
        invoice_every: invoice_every?,
        payment_terms_days: payment_terms_days?,
        tax_rate: tax_rate?,
        rounding: rounding?,
        activity_rates: activity_rates?,
        person_rates: person_rates?,
        prepaid,
    })
}

fn read_rounding(r: &mut Reader<'_>, value: &Value<'_>) -> Option<Rounding> {
    let ctx = "`[billing.rounding]`";
    let t = r.table(value, "`billing.rounding`")?;
    r.unknown_keys(t, &["increment", "mode", "minimum"], ctx);
    let increment = r
        .require(t, "increment", value.span(), ctx, "add increment = \"15m\"")
        .and_then(|v| {
            let d = r.duration(v, "`increment`")?;
            if d == BusinessDuration::ZERO {
                r.error(
                    v.span(),
                    "`increment` must be more than zero",
                    Some("e.g. increment = \"15m\"".into()),
                );
                return None;
            }
            Some(d)
        });
    let mode = r
        .require(t, "mode", value.span(), ctx, "add mode = \"up\"")
        .and_then(|v| r.one_of(v, "rounding mode", &["up", "down", "nearest"]))
        .map(|m| match m {
            "up" => RoundingMode::Up,
            "down" => RoundingMode::Down,
            _ => RoundingMode::Nearest,
        });
    let minimum = match t.get("minimum") {
        Some(v) => r.duration(v, "`minimum`"),
        None => Some(BusinessDuration::ZERO),
    };
    Some(Rounding {
        increment: increment?,
        mode: mode?,
        minimum: minimum?,
    })
}

/// A table of name -> money; `None` if any entry is wrong.
fn rates(
    r: &mut Reader<'_>,
    value: Option<&Value<'_>>,
    key: &str,
    emails: bool,
) -> Option<BTreeMap<String, Decimal>> {
    let mut out = BTreeMap::new();
    let Some(value) = value else { return Some(out) };
    let t = r.table(value, &format!("`billing.{key}`"))?;
    let mut ok = true;
    for (name, v) in t {
        let name = name.get_ref().to_string();
        if emails && !is_email(&name) {
            r.error(
                v.span(),
                format!("`{name}` in `billing.{key}` is not an e-mail address"),
                Some(
                    "person rates are keyed by e-mail, e.g. \"sam@provider.example\" = \"150.00\""
                        .into(),
                ),
            );
            ok = false;
        }
        match r.money(v, &format!("the rate for `{name}`")) {
            Some(m) => {
                out.insert(name, m);
            }
            None => ok = false,
        }
    }
    ok.then_some(out)
}

fn read_prepaid(r: &mut Reader<'_>, item: &Value<'_>) -> Option<PrepaidBlock> {
    let ctx = "a prepaid block";
    let t = r.table(item, ctx)?;
    r.unknown_keys(t, &["hours", "price", "valid_until", "overage_rate"], ctx);
    let hours = r
        .require(t, "hours", item.span(), ctx, "add hours = 40")
        .and_then(|v| r.integer(v, "`hours`", 1..=100_000))
        .and_then(|n| u32::try_from(n).ok());
    let price = r
        .require(t, "price", item.span(), ctx, "add price = \"4400.00\"")
        .and_then(|v| r.money(v, "`price`"));
    let valid_until = r
        .require(
            t,
            "valid_until",
            item.span(),
            ctx,
            "add valid_until = 2026-06-30",
        )
        .and_then(|v| r.date(v, "`valid_until`"));
    let overage_rate = match t.get("overage_rate") {
        Some(v) => r.money(v, "`overage_rate`").map(Some),
        None => Some(None),
    };
    Some(PrepaidBlock {
        hours: hours?,
        price: price?,
        valid_until: valid_until?,
        overage_rate: overage_rate?,
    })
}
