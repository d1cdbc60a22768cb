//! The ledger (SPEC §8, "Prepaid blocks"): every entry of a contract priced
//! and, in (start instant, id) order, drawn from prepaid blocks, split where
//! a block runs out, or charged as overage or at its rate. Computed over all
//! entries at once, so that a period's invoice sees what earlier periods
//! drew; [`Ledger::invoice`] cuts one period out of it.

use std::collections::HashSet;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use rust_decimal::Decimal;

use super::entry::{billed_seconds, rate_of};
use super::money::minor_units;
use super::{BillingError, InvoicePeriod, LineKind, RateRule};
use crate::contract::{Billing, Contract};
use crate::time::{Billable, TimeEntry};

/// An entry with its work date, billed time and rate.
#[derive(Debug)]
pub(super) struct Priced<'a> {
    pub(super) entry: &'a TimeEntry,
    pub(super) date: Date,
    pub(super) raw_s: i64,
    pub(super) billed_s: i64,
    pub(super) rate: Decimal,
    pub(super) rule: RateRule,
}

/// The share of one priced entry that goes on one kind of line.
#[derive(Debug)]
pub(super) struct Part {
    /// Index into [`Ledger::priced`].
    pub(super) entry: usize,
    pub(super) kind: LineKind,
    /// Index into the contract's prepaid blocks, for `Prepaid` parts.
    pub(super) block: Option<usize>,
    pub(super) billed_s: i64,
    /// The hourly rate of the line it goes on (the overage rate for overage).
    pub(super) rate: Decimal,
    /// 1-based number of the part, and how many the entry has.
    pub(super) number: u32,
    pub(super) of: u32,
}

/// A prepaid block as the ledger sees it.
#[derive(Debug)]
pub(super) struct Block {
    pub(super) name: String,
    pub(super) hours: u32,
    pub(super) price: Decimal,
    pub(super) valid_from: Date,
    pub(super) valid_until: Date,
    overage_rate: Option<Decimal>,
}

impl Block {
    fn valid_on(&self, date: Date) -> bool {
        self.valid_from <= date && date <= self.valid_until
    }
}

/// Every billable and no-charge entry of a contract, priced and drawn from
/// its prepaid blocks in (start instant, id) order.
///
/// ```
/// use accord_core::billing::{InvoicePeriod, InvoiceRequest, Ledger};
/// use accord_core::contract::Contract;
/// use accord_core::diagnostic::SourceFile;
/// use accord_core::time::parse_json_lines;
/// let text = std::fs::read_to_string("../../examples/acme.contract.toml").unwrap();
/// let contract = Contract::parse(&SourceFile::new("acme.contract.toml", &text), &mut |p| std::fs::read_to_string(p)).unwrap();
/// let entries = parse_json_lines(r#"{"id":"E-1","person":"dana@provider.example","start":"2026-03-02T09:00:00+01:00","minutes":50,"activity":"meeting"}"#)?;
/// let zone = jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
/// let ledger = Ledger::new(&contract, &entries, &zone).unwrap();
/// let march = ledger.months()[0];
/// assert_eq!(march.label(), "2026-03");
/// let invoice = ledger.invoice(&InvoiceRequest::new(march)).unwrap();
/// // 50 minutes rounded up to the quarter hour, drawn from the 40 h block
/// assert_eq!(invoice.prepaid[0].used_s, 3600);
/// assert_eq!(invoice.net.to_string(), "0.00");
/// # Ok::<(), accord_core::time::EntryError>(())
/// ```
#[derive(Debug)]
pub struct Ledger<'a> {
    pub(super) contract: &'a Contract,
    pub(super) billing: &'a Billing,
    pub(super) currency: String,
    pub(super) digits: u32,
    /// Billable and no-charge entries in (start instant, id) order.
    pub(super) priced: Vec<Priced<'a>>,
    /// Their parts, in the same order.
    pub(super) parts: Vec<Part>,
    pub(super) blocks: Vec<Block>,
}

impl<'a> Ledger<'a> {
    /// Prices `entries` under `contract`'s billing terms and draws them from
    /// its prepaid blocks. Work dates are read in `zone` (the reporting
    /// zone, SPEC §7); `non_billable` entries are left out.
    pub fn new(
        contract: &'a Contract,
        entries: &'a [TimeEntry],
        zone: &TimeZone,
    ) -> Result<Ledger<'a>, BillingError> {
        let billing = contract.billing().ok_or_else(|| BillingError::NoBilling {
            contract: contract.id().to_string(),
        })?;
        let currency = contract
            .currency()
            .ok_or_else(|| BillingError::NoCurrency {
                contract: contract.id().to_string(),
            })?
            .as_str()
            .to_string();
        let mut ids = HashSet::with_capacity(entries.len());
        for e in entries {
            if !ids.insert(e.id.as_str()) {
                return Err(BillingError::DuplicateId { id: e.id.clone() });
            }
        }
        let mut order: Vec<&TimeEntry> = entries
            .iter()
            .filter(|e| e.billable != Billable::NonBillable)
            .collect();
        order.sort_unstable_by(|a, b| (a.start, &a.id).cmp(&(b.start, &b.id)));
        let priced = order
            .into_iter()
            .map(|entry| {
                let raw_s = entry.raw_s();
                let (rate, rule) = rate_of(entry, billing);
                Priced {
                    entry,
                    date: zone.to_datetime(entry.start).date(),
                    raw_s,
                    billed_s: billed_seconds(raw_s, billing.rounding.as_ref()),
                    rate,
                    rule,
                }
            })
            .collect();
        let blocks = billing
            .prepaid
            .iter()
            .enumerate()
            .map(|(i, b)| Block {
                name: billing.block_name(i),
                hours: b.hours,
                price: b.price,
                valid_from: billing.block_valid_from(i, contract.effective_from()),
                valid_until: b.valid_until,
                overage_rate: b.overage_rate,
            })
            .collect();
        let mut ledger = Ledger {
            contract,
            billing,
            digits: minor_units(&currency),
            currency,
            priced,
            parts: Vec::new(),
            blocks,
        };
        ledger.draw();
        Ok(ledger)
    }

    /// Shares every entry out among blocks, overage and its own rate.
    fn draw(&mut self) {
        let mut left_s: Vec<i64> = self
            .blocks
            .iter()
            .map(|b| i64::from(b.hours) * 3600)
            .collect();
        // When each block ran out: the order of exhaustion.
        let mut exhausted: Vec<Option<usize>> = vec![None; self.blocks.len()];
        let mut exhaustions = 0;
        let mut parts = Vec::with_capacity(self.priced.len());
        for (i, p) in self.priced.iter().enumerate() {
            let first = parts.len();
            if p.entry.billable == Billable::NoCharge {
                parts.push(part(i, LineKind::NoCharge, None, p.billed_s, p.rate));
                continue;
            }
            let mut todo = p.billed_s;
            loop {
                let open = (0..self.blocks.len())
                    .filter(|&k| self.blocks[k].valid_on(p.date) && left_s[k] > 0)
                    .min_by_key(|&k| (self.blocks[k].valid_until, k));
                if let Some(k) = open {
                    let take = todo.min(left_s[k]);
                    left_s[k] -= take;
                    todo -= take;
                    if left_s[k] == 0 {
                        exhausted[k] = Some(exhaustions);
                        exhaustions += 1;
                    }
                    parts.push(part(i, LineKind::Prepaid, Some(k), take, p.rate));
                    if todo == 0 {
                        break;
                    }
                    continue;
                }
                let last_exhausted = (0..self.blocks.len())
                    .filter(|&k| self.blocks[k].valid_on(p.date))
                    .max_by_key(|&k| exhausted[k]);
                match last_exhausted {
                    Some(k) => {
                        let rate = self.blocks[k].overage_rate.unwrap_or(p.rate);
                        parts.push(part(i, LineKind::Overage, None, todo, rate));
                    }
                    None => parts.push(part(i, LineKind::Billable, None, todo, p.rate)),
                }
                break;
            }
            let of = u32::try_from(parts.len() - first).unwrap_or(u32::MAX);
            for (n, part) in parts[first..].iter_mut().enumerate() {
                part.number = u32::try_from(n + 1).unwrap_or(u32::MAX);
                part.of = of;
            }
        }
        self.parts = parts;
    }

    /// The invoice periods (calendar months, or quarters when the contract
    /// invoices quarterly) holding the work date of a billable or no-charge
    /// entry, in order.
    pub fn months(&self) -> Vec<InvoicePeriod> {
        let every = self.billing.invoice_every;
        let mut months: Vec<InvoicePeriod> = self
            .priced
            .iter()
            .map(|p| InvoicePeriod::of(every, p.date))
            .collect();
        months.sort_unstable();
        months.dedup();
        months
    }
}

fn part(entry: usize, kind: LineKind, block: Option<usize>, billed_s: i64, rate: Decimal) -> Part {
    Part {
        entry,
        kind,
        block,
        billed_s,
        rate,
        number: 1,
        of: 1,
    }
}
