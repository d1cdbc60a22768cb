//! The machine output of an invoice (SPEC §8, §10): its JSON and CSV, one
//! implementation for `accord invoice` and the invoices the service
//! freezes. Every figure is copied from the core's fold, never recomputed.

use std::fmt::Write as _;
use std::io::Write;

use accord_core::billing::{EntryPart, Invoice, InvoiceLine, PrepaidBalance};
use accord_core::instant;
use rust_decimal::Decimal;
use serde::Serialize;

/// One invoice as pretty JSON with a final newline: the bytes `accord
/// invoice --period P --format json` prints.
pub fn json(invoice: &Invoice) -> String {
    let mut s = serde_json::to_string_pretty(&JsonInvoice::from(invoice)).unwrap_or_default();
    s.push('\n');
    s
}

/// One invoice as CSV with its header row: the bytes `accord invoice
/// --period P --format csv` prints.
pub fn csv(invoice: &Invoice) -> Vec<u8> {
    let mut out = CSV_COLUMNS.join(",").into_bytes();
    out.push(b'\n');
    // Writing to a Vec cannot fail.
    let _ = csv_rows(&mut out, invoice);
    out
}

fn money(d: Decimal) -> String {
    d.to_string()
}

/// An invoice as `accord invoice --format json` prints it and the service
/// freezes it (SPEC §10 "machine output"): money as decimal strings,
/// durations as whole seconds.
#[derive(Debug, Serialize)]
pub struct JsonInvoice<'a> {
    contract: &'a str,
    client: &'a str,
    number: Option<&'a str>,
    currency: &'a str,
    period: String,
    period_start: String,
    period_end: String,
    issue_date: String,
    due_date: Option<String>,
    lines: Vec<JsonLine<'a>>,
    allowances: Vec<JsonAllowance<'a>>,
    lines_total: String,
    allowances_total: String,
    net: String,
    tax_rate: String,
    tax: String,
    gross: String,
    prepaid: Vec<JsonPrepaid<'a>>,
}

impl<'a> From<&'a Invoice> for JsonInvoice<'a> {
    fn from(i: &'a Invoice) -> Self {
        JsonInvoice {
            contract: &i.contract,
            client: &i.client,
            number: i.number.as_deref(),
            currency: &i.currency,
            period: i.period.label(),
            period_start: i.period.first.to_string(),
            period_end: i.period.last.to_string(),
            issue_date: i.issue_date.to_string(),
            due_date: i.due_date.map(|d| d.to_string()),
            lines: i.lines.iter().map(JsonLine::from).collect(),
            allowances: i
                .allowances
                .iter()
                .map(|a| JsonAllowance {
                    reason: &a.reason,
                    amount: money(a.amount),
                })
                .collect(),
            lines_total: money(i.lines_total),
            allowances_total: money(i.allowances_total),
            net: money(i.net),
            tax_rate: i.tax_rate.to_string(),
            tax: money(i.tax),
            gross: money(i.gross),
            prepaid: i.prepaid.iter().map(JsonPrepaid::from).collect(),
        }
    }
}

#[derive(Debug, Serialize)]
struct JsonLine<'a> {
    kind: &'static str,
    description: &'a str,
    activity: Option<&'a str>,
    block: Option<&'a str>,
    rate: String,
    billed_s: i64,
    amount: String,
    period_start: String,
    period_end: String,
    /// The ids of the entries behind the line (SPEC §10).
    entries: Vec<&'a str>,
    /// Each entry (part) with its raw and billed time and rate rule.
    entry_parts: Vec<JsonPart<'a>>,
}

impl<'a> From<&'a InvoiceLine> for JsonLine<'a> {
    fn from(l: &'a InvoiceLine) -> Self {
        JsonLine {
            kind: l.kind.as_str(),
            description: &l.description,
            activity: l.activity.as_deref(),
            block: l.block.as_deref(),
            rate: money(l.rate),
            billed_s: l.billed_s,
            amount: money(l.amount),
            period_start: l.first_date.to_string(),
            period_end: l.last_date.to_string(),
            entries: l.entries.iter().map(|e| e.id.as_str()).collect(),
            entry_parts: l.entries.iter().map(JsonPart::from).collect(),
        }
    }
}

#[derive(Debug, Serialize)]
struct JsonPart<'a> {
    id: &'a str,
    person: &'a str,
    date: String,
    start: String,
    activity: &'a str,
    ticket: Option<&'a str>,
    milestone: Option<&'a str>,
    raw_s: i64,
    billed_s: i64,
    entry_billed_s: i64,
    part: String,
    rate: String,
    rule: &'static str,
    note: Option<&'a str>,
}

impl<'a> From<&'a EntryPart> for JsonPart<'a> {
    fn from(e: &'a EntryPart) -> Self {
        JsonPart {
            id: &e.id,
            person: &e.person,
            date: e.date.to_string(),
            start: instant::format(e.start),
            activity: &e.activity,
            ticket: e.ticket.as_deref(),
            milestone: e.milestone.as_deref(),
            raw_s: e.raw_s,
            billed_s: e.billed_s,
            entry_billed_s: e.entry_billed_s,
            part: format!("{}/{}", e.part.0, e.part.1),
            rate: money(e.rate),
            rule: e.rule.as_str(),
            note: e.note.as_deref(),
        }
    }
}

#[derive(Debug, Serialize)]
struct JsonAllowance<'a> {
    reason: &'a str,
    amount: String,
}

#[derive(Debug, Serialize)]
struct JsonPrepaid<'a> {
    block: &'a str,
    hours: u32,
    price: String,
    valid_from: String,
    valid_until: String,
    used_before_s: i64,
    used_s: i64,
    balance_s: i64,
    lapsed_s: i64,
}

impl<'a> From<&'a PrepaidBalance> for JsonPrepaid<'a> {
    fn from(b: &'a PrepaidBalance) -> Self {
        JsonPrepaid {
            block: &b.block,
            hours: b.hours,
            price: money(b.price),
            valid_from: b.valid_from.to_string(),
            valid_until: b.valid_until.to_string(),
            used_before_s: b.used_before_s,
            used_s: b.used_s,
            balance_s: b.balance_s,
            lapsed_s: b.lapsed_s,
        }
    }
}

/// The CSV columns of `accord invoice --format csv`.
pub const CSV_COLUMNS: [&str; 22] = [
    "period",
    "number",
    "kind",
    "line",
    "block",
    "entry",
    "part",
    "person",
    "date",
    "start",
    "activity",
    "ticket",
    "milestone",
    "raw_s",
    "billed_s",
    "entry_billed_s",
    "rate",
    "rule",
    "line_rate",
    "line_billed_s",
    "line_amount",
    "currency",
];

/// One row per entry part and per block price of one invoice (no header).
///
/// # Errors
/// What writing to `w` fails with.
pub fn csv_rows<W: Write>(w: &mut W, inv: &Invoice) -> std::io::Result<()> {
    let mut out = String::with_capacity(1024);
    for line in &inv.lines {
        let line_cells = [
            money(line.rate),
            line.billed_s.to_string(),
            money(line.amount),
            inv.currency.clone(),
        ];
        let head = [
            inv.period.label(),
            inv.number.clone().unwrap_or_default(),
            line.kind.as_str().to_string(),
            line.description.clone(),
            line.block.clone().unwrap_or_default(),
        ];
        if line.entries.is_empty() {
            let empty = vec![String::new(); 13];
            row(&mut out, head.iter().chain(&empty).chain(&line_cells));
        }
        for e in &line.entries {
            let entry = [
                e.id.clone(),
                format!("{}/{}", e.part.0, e.part.1),
                e.person.clone(),
                e.date.to_string(),
                instant::format(e.start),
                e.activity.clone(),
                e.ticket.clone().unwrap_or_default(),
                e.milestone.clone().unwrap_or_default(),
                e.raw_s.to_string(),
                e.billed_s.to_string(),
                e.entry_billed_s.to_string(),
                money(e.rate),
                e.rule.as_str().to_string(),
            ];
            row(&mut out, head.iter().chain(&entry).chain(&line_cells));
            w.write_all(out.as_bytes())?;
            out.clear();
        }
        w.write_all(out.as_bytes())?;
        out.clear();
    }
    Ok(())
}

/// Appends one CSV row, quoting cells with commas, quotes or line breaks.
fn row<'a>(out: &mut String, cells: impl Iterator<Item = &'a String>) {
    for (i, cell) in cells.enumerate() {
        if i > 0 {
            out.push(',');
        }
        if cell.contains([',', '"', '\n', '\r']) {
            let _ = write!(out, "\"{}\"", cell.replace('"', "\"\""));
        } else {
            out.push_str(cell);
        }
    }
    out.push('\n');
}
