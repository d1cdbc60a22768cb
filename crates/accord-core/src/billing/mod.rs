//! Transparent billing (SPEC §8): from a contract's billing terms and its
//! time entries to invoices a client can trace line by line.
//!
//! The computation is one fold over *all* entries (the ledger: rounding,
//! rates, prepaid consumption in (start instant, id) order across periods),
//! then a cut to one period (the invoice): hours drawn from a block in an
//! earlier period are not drawn again.
//!
//! - this module: the model of an invoice and the entry points;
//! - `money`: currencies' minor units and half-up rounding of amounts;
//! - `entry`: rounding and rate resolution of one entry;
//! - `ledger`: prepaid consumption, overage and lapsed hours over all entries;
//! - `cut`: one period's lines, prepaid balances and totals.
//!
//! Amounts: billed seconds × rate ÷ 3600 per line, rounded half-up to the
//! currency's ISO 4217 minor unit (see [`minor_units`]); net = Σ lines −
//! allowances; tax = net × tax rate, half-up; gross = net + tax.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use rust_decimal::Decimal;

use crate::contract::{Contract, Period};
use crate::time::TimeEntry;

mod cut;
mod entry;
mod error;
mod ledger;
mod money;
#[cfg(test)]
mod tests;

pub use entry::billed_seconds;
pub use error::BillingError;
pub use ledger::Ledger;
pub use money::{minor_units, round_money, time_amount};

/// What an invoice line charges for (SPEC §8, "Amounts").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LineKind {
    /// Billable time charged at its rate, on a work date with no valid
    /// prepaid block.
    Billable,
    /// Billable time on a work date whose valid blocks are all exhausted,
    /// charged at the overage rate of the most recently exhausted one (or the
    /// entry's rate when that block has none).
    Overage,
    /// Billable time drawn from a prepaid block: listed at zero against the
    /// block (the block's price is charged once, see
    /// [`LineKind::BlockPrice`]).
    Prepaid,
    /// `no_charge` time: shown, charged at zero.
    NoCharge,
    /// The price of a prepaid block, on the invoice of the period holding its
    /// first valid day.
    BlockPrice,
}

impl LineKind {
    /// The name used in machine output.
    pub fn as_str(self) -> &'static str {
        match self {
            LineKind::Billable => "billable",
            LineKind::Overage => "overage",
            LineKind::Prepaid => "prepaid",
            LineKind::NoCharge => "no_charge",
            LineKind::BlockPrice => "block_price",
        }
    }
}

/// Which rule gave an entry its rate (SPEC §8, "Rate"), in order of
/// precedence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RateRule {
    /// The entry's own `rate`.
    Entry,
    /// The person's rate in `billing.person_rates`.
    Person,
    /// The activity's rate in `billing.activity_rates`.
    Activity,
    /// The contract's default `billing.rate`.
    Contract,
}

impl RateRule {
    /// The name used in machine output.
    pub fn as_str(self) -> &'static str {
        match self {
            RateRule::Entry => "entry",
            RateRule::Person => "person",
            RateRule::Activity => "activity",
            RateRule::Contract => "contract",
        }
    }
}

/// The part of one time entry behind one invoice line. An entry split
/// across prepaid blocks (or between a block and overage) has several parts,
/// one per line; its billed seconds are shared out among them, its raw time
/// is the whole entry's on each.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EntryPart {
    /// The entry's id.
    pub id: String,
    /// Who worked.
    pub person: String,
    /// The work date: the local date of the start in the reporting zone.
    pub date: Date,
    /// When the work started (the entry's start).
    pub start: jiff::Timestamp,
    /// The entry's activity.
    pub activity: String,
    /// The ticket, if any.
    pub ticket: Option<String>,
    /// The milestone, if any.
    pub milestone: Option<String>,
    /// The entry's note, if any.
    pub note: Option<String>,
    /// The whole entry's raw seconds, never changed by rounding.
    pub raw_s: i64,
    /// The whole entry's billed seconds (after rounding and minimum).
    pub entry_billed_s: i64,
    /// The billed seconds of this part (equal to `entry_billed_s` unless
    /// the entry is split).
    pub billed_s: i64,
    /// The entry's hourly rate, as the rule below resolved it.
    pub rate: Decimal,
    /// The rule that priced the entry.
    pub rule: RateRule,
    /// 1-based number of this part, and how many parts the entry has.
    pub part: (u32, u32),
}

/// One invoice line: entries of one kind, activity and rate (and, for
/// prepaid time, one block), or a block's price.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InvoiceLine {
    /// What the line charges for.
    pub kind: LineKind,
    /// A readable description, e.g. `development (prepaid block 1)`.
    pub description: String,
    /// The activity of its entries (`None` for a block's price).
    pub activity: Option<String>,
    /// The prepaid block, by name (its `id`, else its 1-based position), for
    /// `prepaid` and `block_price` lines.
    pub block: Option<String>,
    /// The hourly rate of its entries (for `overage`, the overage rate; for
    /// `prepaid` and `no_charge`, the rate the time would have cost, shown
    /// but not charged). For `block_price`, the block's price.
    pub rate: Decimal,
    /// Σ billed seconds of its entry parts (0 for `block_price`).
    pub billed_s: i64,
    /// billed_s × charged rate ÷ 3600, half-up to the currency's minor unit
    /// (0 for `prepaid` and `no_charge`; the price for `block_price`).
    pub amount: Decimal,
    /// First and last work date of its entries (for `block_price`, the
    /// block's validity), for the line period of an e-invoice.
    pub first_date: Date,
    /// See `first_date`.
    pub last_date: Date,
    /// The entry parts behind it, in (start instant, id) order.
    pub entries: Vec<EntryPart>,
}

impl InvoiceLine {
    /// The hourly price actually charged: `rate` for `billable` and
    /// `overage`, zero for `prepaid` and `no_charge`, the price (per block)
    /// for `block_price`.
    pub fn charged_rate(&self) -> Decimal {
        match self.kind {
            LineKind::Prepaid | LineKind::NoCharge => Decimal::ZERO,
            LineKind::Billable | LineKind::Overage | LineKind::BlockPrice => self.rate,
        }
    }
}

/// A document-level allowance, e.g. service credits (SPEC §7): subtracted
/// from the sum of the lines.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Allowance {
    /// Why, e.g. `service credit, period 2026-02`.
    pub reason: String,
    /// How much, in the contract's currency (not negative).
    pub amount: Decimal,
}

impl Allowance {
    /// An allowance of `amount` for `reason`.
    pub fn new(reason: impl Into<String>, amount: Decimal) -> Allowance {
        Allowance {
            reason: reason.into(),
            amount,
        }
    }
}

/// A prepaid block as it stands at the end of an invoice's period.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PrepaidBalance {
    /// The block's name: its `id`, else its 1-based position (`"1"`).
    pub block: String,
    /// Hours bought.
    pub hours: u32,
    /// The block's price.
    pub price: Decimal,
    /// First and last valid work date, inclusive.
    pub valid_from: Date,
    /// See `valid_from`.
    pub valid_until: Date,
    /// Seconds drawn in earlier periods.
    pub used_before_s: i64,
    /// Seconds drawn in this period.
    pub used_s: i64,
    /// Seconds left at the end of the period (0 once lapsed).
    pub balance_s: i64,
    /// Unused seconds lost because `valid_until` passed within or before
    /// this period (0 while the block is valid).
    pub lapsed_s: i64,
}

/// The period an invoice covers: whole work dates, both inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct InvoicePeriod {
    /// First work date.
    pub first: Date,
    /// Last work date.
    pub last: Date,
}

impl InvoicePeriod {
    /// The calendar month holding `date`.
    ///
    /// ```
    /// use accord_core::billing::InvoicePeriod;
    /// let p = InvoicePeriod::month_of(jiff::civil::date(2026, 2, 14));
    /// assert_eq!((p.first.to_string(), p.last.to_string()), ("2026-02-01".into(), "2026-02-28".into()));
    /// assert_eq!(p.label(), "2026-02");
    /// ```
    pub fn month_of(date: Date) -> InvoicePeriod {
        InvoicePeriod {
            first: date.first_of_month(),
            last: date.last_of_month(),
        }
    }

    /// The calendar quarter holding `date`.
    ///
    /// ```
    /// use accord_core::billing::InvoicePeriod;
    /// let q = InvoicePeriod::quarter_of(jiff::civil::date(2026, 5, 14));
    /// assert_eq!((q.first.to_string(), q.last.to_string()), ("2026-04-01".into(), "2026-06-30".into()));
    /// assert_eq!(q.label(), "2026-Q2");
    /// ```
    pub fn quarter_of(date: Date) -> InvoicePeriod {
        let first_month = (date.month() - 1) / 3 * 3 + 1;
        let first = date
            .with()
            .month(first_month)
            .day(1)
            .build()
            .unwrap_or(date);
        let last = first
            .checked_add(jiff::Span::new().months(2))
            .map_or(date, Date::last_of_month);
        InvoicePeriod { first, last }
    }

    /// The period of `every` (month or quarter) holding `date`.
    pub fn of(every: Period, date: Date) -> InvoicePeriod {
        match every {
            Period::Month => InvoicePeriod::month_of(date),
            Period::Quarter => InvoicePeriod::quarter_of(date),
        }
    }

    /// Whether `date` lies in the period.
    pub fn contains(&self, date: Date) -> bool {
        self.first <= date && date <= self.last
    }

    /// `YYYY-MM` for a calendar month, `YYYY-Qn` for a calendar quarter,
    /// else `first..last`.
    pub fn label(&self) -> String {
        if *self == InvoicePeriod::month_of(self.first) {
            format!("{:04}-{:02}", self.first.year(), self.first.month())
        } else if *self == InvoicePeriod::quarter_of(self.first) {
            format!(
                "{:04}-Q{}",
                self.first.year(),
                (self.first.month() - 1) / 3 + 1
            )
        } else {
            format!("{}..{}", self.first, self.last)
        }
    }
}

/// What the caller decides about one invoice: which period, its number,
/// when it is issued, and the allowances (service credits) it offers.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InvoiceRequest {
    /// The period invoiced.
    pub period: InvoicePeriod,
    /// The invoice number, if assigned.
    pub number: Option<String>,
    /// The issue date (the due date is this plus the payment terms).
    pub issue_date: Date,
    /// Document-level allowances, e.g. service credits.
    pub allowances: Vec<Allowance>,
}

impl InvoiceRequest {
    /// A request for `period`, issued the day after it ends, without number
    /// or allowances.
    pub fn new(period: InvoicePeriod) -> InvoiceRequest {
        InvoiceRequest {
            period,
            number: None,
            issue_date: period.last.tomorrow().unwrap_or(period.last),
            allowances: Vec::new(),
        }
    }
}

/// One period's invoice (SPEC §8, §10).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Invoice {
    /// The contract's id.
    pub contract: String,
    /// The client organisation.
    pub client: String,
    /// The invoice number, if assigned.
    pub number: Option<String>,
    /// The ISO 4217 code of every amount.
    pub currency: String,
    /// Digits after the decimal point of every amount (ISO 4217 minor unit).
    pub minor_units: u32,
    /// The period invoiced.
    pub period: InvoicePeriod,
    /// The issue date.
    pub issue_date: Date,
    /// The due date, when the contract has payment terms.
    pub due_date: Option<Date>,
    /// The lines: block prices, prepaid, billable, overage, no-charge; within
    /// a kind by activity, rate and block.
    pub lines: Vec<InvoiceLine>,
    /// Document-level allowances (service credits).
    pub allowances: Vec<Allowance>,
    /// Σ line amounts.
    pub lines_total: Decimal,
    /// Σ allowance amounts.
    pub allowances_total: Decimal,
    /// lines_total − allowances_total.
    pub net: Decimal,
    /// The contract's tax share.
    pub tax_rate: Decimal,
    /// net × tax_rate, half-up to the minor unit.
    pub tax: Decimal,
    /// net + tax.
    pub gross: Decimal,
    /// The prepaid blocks valid on some day of the period, at its end.
    pub prepaid: Vec<PrepaidBalance>,
}

/// The invoice of one period: the ledger of all `entries` (so that blocks
/// drawn in earlier periods stay drawn), cut to `request.period`. Work dates
/// are read in `zone`, the contract's reporting zone (SPEC §7).
///
/// Errors: the contract has no `[billing]` or no currency; two entries share
/// an id; an amount is out of range. To invoice several periods of the same
/// entries, build the [`Ledger`] once and call [`Ledger::invoice`] for each.
pub fn invoice(
    contract: &Contract,
    entries: &[TimeEntry],
    zone: &TimeZone,
    request: &InvoiceRequest,
) -> Result<Invoice, BillingError> {
    Ledger::new(contract, entries, zone)?.invoice(request)
}
