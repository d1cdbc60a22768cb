//! One period cut out of the ledger (SPEC §8, "Amounts", §10): the lines of
//! the entries whose work date falls in it, grouped by kind, activity, rate
//! and block; the prices of blocks whose first valid day falls in it; the
//! prepaid balances at its end; and the totals.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::ledger::{Ledger, Part};
use super::money::{round_money, time_amount};
use super::{
    BillingError, EntryPart, Invoice, InvoiceLine, InvoiceRequest, LineKind, PrepaidBalance,
};

/// What lines are grouped by: kind, activity, rate, block.
type LineKey<'a> = (LineKind, &'a str, Decimal, Option<usize>);

impl Ledger<'_> {
    /// The invoice of `request.period`. Hours drawn from blocks by entries
    /// of earlier periods stay drawn; later entries change nothing.
    pub fn invoice(&self, request: &InvoiceRequest) -> Result<Invoice, BillingError> {
        let period = request.period;
        let mut lines = self.block_prices(request);
        let mut groups: BTreeMap<LineKey<'_>, Vec<&Part>> = BTreeMap::new();
        for part in &self.parts {
            let p = &self.priced[part.entry];
            if period.contains(p.date) {
                let key = (part.kind, p.entry.activity.as_str(), part.rate, part.block);
                groups.entry(key).or_default().push(part);
            }
        }
        for ((kind, activity, rate, block), parts) in groups {
            lines.push(self.line(kind, activity, rate, block, &parts)?);
        }
        // Stable: within a kind, the groups' order (activity, rate, block).
        lines.sort_by_key(|l| reading_order(l.kind));
        let lines_total = lines.iter().map(|l| l.amount).sum::<Decimal>();
        let allowances: Vec<_> = request
            .allowances
            .iter()
            .map(|a| super::Allowance::new(a.reason.clone(), round_money(a.amount, self.digits)))
            .collect();
        let allowances_total = allowances.iter().map(|a| a.amount).sum::<Decimal>();
        let net = round_money(lines_total - allowances_total, self.digits);
        let tax_rate = self.billing.tax_rate;
        let tax = round_money(
            net.checked_mul(tax_rate)
                .ok_or_else(|| out_of_range("tax"))?,
            self.digits,
        );
        let due_date = match self.billing.payment_terms_days {
            Some(days) => Some(
                request
                    .issue_date
                    .checked_add(jiff::Span::new().days(i64::from(days)))
                    .map_err(|_| out_of_range("due date"))?,
            ),
            None => None,
        };
        Ok(Invoice {
            contract: self.contract.id().to_string(),
            client: self.contract.client().to_string(),
            number: request.number.clone(),
            currency: self.currency.clone(),
            minor_units: self.digits,
            period,
            issue_date: request.issue_date,
            due_date,
            lines,
            allowances,
            lines_total: round_money(lines_total, self.digits),
            allowances_total: round_money(allowances_total, self.digits),
            net,
            tax_rate,
            tax,
            gross: round_money(net + tax, self.digits),
            prepaid: self.balances(request),
        })
    }

    /// One line of entry parts.
    fn line(
        &self,
        kind: LineKind,
        activity: &str,
        rate: Decimal,
        block: Option<usize>,
        parts: &[&Part],
    ) -> Result<InvoiceLine, BillingError> {
        let billed_s = parts.iter().map(|p| p.billed_s).sum::<i64>();
        let amount = match kind {
            LineKind::Billable | LineKind::Overage => {
                time_amount(billed_s, rate, self.digits).ok_or_else(|| out_of_range(activity))?
            }
            LineKind::Prepaid | LineKind::NoCharge | LineKind::BlockPrice => {
                round_money(Decimal::ZERO, self.digits)
            }
        };
        let block_name = block
            .and_then(|k| self.blocks.get(k))
            .map(|b| b.name.clone());
        let description = match (kind, &block_name) {
            (LineKind::Overage, _) => format!("{activity} (overage)"),
            (LineKind::Prepaid, Some(name)) => format!("{activity} (prepaid block {name})"),
            (LineKind::NoCharge, _) => format!("{activity} (no charge)"),
            _ => activity.to_string(),
        };
        let entries: Vec<EntryPart> = parts.iter().map(|part| self.entry_part(part)).collect();
        let first_date = entries.iter().map(|e| e.date).min();
        let last_date = entries.iter().map(|e| e.date).max();
        let (Some(first_date), Some(last_date)) = (first_date, last_date) else {
            return Err(out_of_range(activity));
        };
        Ok(InvoiceLine {
            kind,
            description,
            activity: Some(activity.to_string()),
            block: block_name,
            rate,
            billed_s,
            amount,
            first_date,
            last_date,
            entries,
        })
    }

    fn entry_part(&self, part: &Part) -> EntryPart {
        let p = &self.priced[part.entry];
        let e = p.entry;
        EntryPart {
            id: e.id.clone(),
            person: e.person.clone(),
            date: p.date,
            start: e.start,
            activity: e.activity.clone(),
            ticket: e.ticket.clone(),
            milestone: e.milestone.clone(),
            note: e.note.clone(),
            raw_s: p.raw_s,
            entry_billed_s: p.billed_s,
            billed_s: part.billed_s,
            rate: p.rate,
            rule: p.rule,
            part: (part.number, part.of),
        }
    }

    /// The price lines of blocks whose first valid day is in the period.
    fn block_prices(&self, request: &InvoiceRequest) -> Vec<InvoiceLine> {
        self.blocks
            .iter()
            .filter(|b| request.period.contains(b.valid_from))
            .map(|b| InvoiceLine {
                kind: LineKind::BlockPrice,
                description: format!(
                    "Prepaid block {}: {} h, valid {} to {}",
                    b.name, b.hours, b.valid_from, b.valid_until
                ),
                activity: None,
                block: Some(b.name.clone()),
                rate: b.price,
                billed_s: 0,
                amount: round_money(b.price, self.digits),
                first_date: b.valid_from,
                last_date: b.valid_until,
                entries: Vec::new(),
            })
            .collect()
    }

    /// Every block valid on some day of the period, as it stands at its end.
    fn balances(&self, request: &InvoiceRequest) -> Vec<PrepaidBalance> {
        let period = request.period;
        self.blocks
            .iter()
            .enumerate()
            .filter(|(_, b)| b.valid_from <= period.last && period.first <= b.valid_until)
            .map(|(k, b)| {
                let (mut before, mut during) = (0, 0);
                for part in self.parts.iter().filter(|p| p.block == Some(k)) {
                    let date = self.priced[part.entry].date;
                    if date < period.first {
                        before += part.billed_s;
                    } else if date <= period.last {
                        during += part.billed_s;
                    }
                }
                let left = i64::from(b.hours) * 3600 - before - during;
                let lapsed = b.valid_until <= period.last;
                PrepaidBalance {
                    block: b.name.clone(),
                    hours: b.hours,
                    price: b.price,
                    valid_from: b.valid_from,
                    valid_until: b.valid_until,
                    used_before_s: before,
                    used_s: during,
                    balance_s: if lapsed { 0 } else { left },
                    lapsed_s: if lapsed { left } else { 0 },
                }
            })
            .collect()
    }
}

/// The order in which a reader meets the kinds of lines: what was bought,
/// what it covered, what was charged beyond it, what was given.
fn reading_order(kind: LineKind) -> u8 {
    match kind {
        LineKind::BlockPrice => 0,
        LineKind::Prepaid => 1,
        LineKind::Billable => 2,
        LineKind::Overage => 3,
        LineKind::NoCharge => 4,
    }
}

fn out_of_range(what: &str) -> BillingError {
    BillingError::OutOfRange {
        id: String::new(),
        what: what.to_string(),
    }
}
