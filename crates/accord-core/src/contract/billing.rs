//! Billing terms: default and specific hourly rates, rounding of time
//! entries, invoicing cadence, taxes and prepaid hour blocks (SPEC §8).
//! Every amount is an exact decimal, never a float.

use std::collections::BTreeMap;

use jiff::civil::Date;
use rust_decimal::Decimal;

use super::accountability::Period;
use super::identity::non_empty;
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
    /// Whether the client accepts each locked period of time entries
    /// before it is invoiced (false when absent).
    pub client_accepts_periods: bool,
    /// Whether an overdue invoice pauses the contract's milestones with
    /// reason `pending_payment` until it is paid (SPEC §5, §8; false when
    /// absent).
    pub pause_milestones_when_invoice_overdue: bool,
}

impl Billing {
    /// The name of the prepaid block at 0-based `index`: its `id`, else its
    /// 1-based position (SPEC §10).
    ///
    /// ```
    /// # use accord_core::contract::Contract;
    /// # use accord_core::diagnostic::SourceFile;
    /// let text = r#"id = "c"
    /// client = "C"
    /// currency = "EUR"
    /// effective_from = 2026-01-01
    /// [calendars.support]
    /// timezone = "UTC"
    /// mon = ["09:00-17:00"]
    /// [priorities.normal]
    /// calendar = "support"
    /// first_response = "4h"
    /// [billing]
    /// rate = "100.00"
    /// invoice_every = "month"
    /// [[billing.prepaid]]
    /// hours = 10
    /// price = "900.00"
    /// valid_until = 2026-06-30
    /// [[billing.prepaid]]
    /// id = "summer"
    /// hours = 10
    /// price = "900.00"
    /// valid_from = 2026-07-01
    /// valid_until = 2026-09-30
    /// "#;
    /// let c = Contract::parse(&SourceFile::new("c.toml", text), &mut |_| unreachable!()).unwrap();
    /// let b = c.billing().unwrap();
    /// assert_eq!((b.block_name(0), b.block_name(1)), ("1".to_string(), "summer".to_string()));
    /// assert_eq!(b.block_valid_from(0, c.effective_from()).to_string(), "2026-01-01");
    /// assert_eq!(b.block_valid_from(1, c.effective_from()).to_string(), "2026-07-01");
    /// ```
    pub fn block_name(&self, index: usize) -> String {
        match self.prepaid.get(index).and_then(|b| b.id.clone()) {
            Some(id) => id,
            None => (index + 1).to_string(),
        }
    }

    /// The first valid day of the block at 0-based `index`: its own
    /// `valid_from`, else `effective_from` (the contract's).
    pub fn block_valid_from(&self, index: usize, effective_from: Date) -> Date {
        self.prepaid
            .get(index)
            .and_then(|b| b.valid_from)
            .unwrap_or(effective_from)
    }
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
    /// The block's own name, unique within the contract, if given (see
    /// [`Billing::block_name`]).
    pub id: Option<String>,
    /// First day the hours may be used, if not the contract's
    /// `effective_from` (see [`Billing::block_valid_from`]).
    pub valid_from: Option<Date>,
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
            "client_accepts_periods",
            "pause_milestones_when_invoice_overdue",
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
    let mut block_ids = std::collections::BTreeSet::new();
    if let Some(v) = t.get("prepaid") {
        for item in r.array(v, "`billing.prepaid`").unwrap_or_default() {
            match read_prepaid(r, item, &mut block_ids) {
                Some(b) => prepaid.push(b),
                None => prepaid_ok = false,
            }
        }
    }
    let mut flag = |key: &str| match t.get(key) {
        Some(v) => r.boolean(v, &format!("`{key}`")),
        None => Some(false),
    };
    let client_accepts_periods = flag("client_accepts_periods");
    let pause_milestones_when_invoice_overdue = flag("pause_milestones_when_invoice_overdue");
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
        client_accepts_periods: client_accepts_periods?,
        pause_milestones_when_invoice_overdue: pause_milestones_when_invoice_overdue?,
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

fn read_prepaid(
    r: &mut Reader<'_>,
    item: &Value<'_>,
    ids: &mut std::collections::BTreeSet<String>,
) -> Option<PrepaidBlock> {
    let ctx = "a prepaid block";
    let t = r.table(item, ctx)?;
    r.unknown_keys(
        t,
        &[
            "id",
            "hours",
            "price",
            "valid_from",
            "valid_until",
            "overage_rate",
        ],
        ctx,
    );
    let id = match t.get("id") {
        Some(v) => non_empty(r, v, "`id`").and_then(|id| {
            if ids.insert(id.clone()) {
                return Some(Some(id));
            }
            r.error(
                v.span(),
                format!("duplicate prepaid block id `{id}`"),
                Some("give each prepaid block its own id".into()),
            );
            None
        }),
        None => Some(None),
    };
    let valid_from = match t.get("valid_from") {
        Some(v) => r.date(v, "`valid_from`").map(Some),
        None => Some(None),
    };
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
    if let (Some(Some(from)), Some(until), Some(v)) = (valid_from, valid_until, t.get("valid_from"))
        && from > until
    {
        r.error(
            v.span(),
            format!("`valid_from` ({from}) is after `valid_until` ({until})"),
            Some("a block must be valid on at least one day".into()),
        );
        return None;
    }
    Some(PrepaidBlock {
        id: id?,
        valid_from: valid_from?,
        hours: hours?,
        price: price?,
        valid_until: valid_until?,
        overage_rate: overage_rate?,
    })
}

#[cfg(test)]
mod tests {
    use crate::contract::Contract;
    use crate::diagnostic::SourceFile;

    /// A contract with `blocks` as its prepaid blocks; `Err` holds each
    /// diagnostic as (line, column, message).
    fn with_blocks(blocks: &str) -> Result<Contract, Vec<(usize, usize, String)>> {
        let text = format!(
            "id = \"t\"\nclient = \"T\"\ncurrency = \"EUR\"\neffective_from = 2026-01-01\n\
             [calendars.s]\ntimezone = \"UTC\"\nmon = [\"09:00-17:00\"]\n\
             [priorities.p]\ncalendar = \"s\"\nfirst_response = \"1h\"\n\
             [billing]\nrate = \"100.00\"\ninvoice_every = \"month\"\n{blocks}"
        );
        Contract::parse(&SourceFile::new("c.toml", &text), &mut |_| unreachable!()).map_err(|d| {
            d.0.into_iter()
                .map(|d| (d.line, d.column, d.message))
                .collect()
        })
    }

    const BLOCK: &str = "hours = 10\nprice = \"900.00\"\nvalid_until = 2026-06-30\n";

    #[test]
    fn blocks_are_named_by_id_else_position_and_valid_from_the_contract_start() {
        let c = with_blocks(&format!(
            "[[billing.prepaid]]\n{BLOCK}[[billing.prepaid]]\nid = \"q2\"\nvalid_from = 2026-04-01\n{BLOCK}"
        ))
        .unwrap();
        let b = c.billing().unwrap();
        assert_eq!(b.block_name(0), "1");
        assert_eq!(b.block_name(1), "q2");
        assert_eq!(
            b.block_valid_from(0, c.effective_from()).to_string(),
            "2026-01-01"
        );
        assert_eq!(
            b.prepaid[1].valid_from.map(|d| d.to_string()).as_deref(),
            Some("2026-04-01")
        );
    }

    #[test]
    fn duplicate_block_ids_and_inverted_validity_are_pointed_at() {
        let errors = with_blocks(&format!(
            "[[billing.prepaid]]\nid = \"a\"\n{BLOCK}[[billing.prepaid]]\nid = \"a\"\n{BLOCK}"
        ))
        .unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!((errors[0].0, errors[0].1), (20, 6));
        assert!(
            errors[0].2.contains("duplicate prepaid block id `a`"),
            "{errors:?}"
        );
        let errors = with_blocks(&format!(
            "[[billing.prepaid]]\nvalid_from = 2026-07-01\n{BLOCK}"
        ))
        .unwrap_err();
        assert_eq!((errors[0].0, errors[0].1), (15, 14));
        assert!(errors[0].2.contains("is after `valid_until`"), "{errors:?}");
    }
}
