//! `accord invoice`: time entries to invoices (SPEC §8, §10). Reads every
//! entry, builds the core's ledger once ([`accord_core::billing::Ledger`]),
//! cuts each period's invoice out of it and prints it as JSON or CSV. Every
//! invoice is computed (and dropped) before anything is written, so an error
//! leaves standard output (or the output file) untouched; then each is
//! computed again and written, so one period's invoice is held at a time.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::process::ExitCode;
use std::str::FromStr;

use accord_core::billing::{
    Allowance, EntryPart, Invoice, InvoiceLine, InvoicePeriod, InvoiceRequest, Ledger,
    PrepaidBalance,
};
use accord_core::instant;
use anyhow::{anyhow, bail};
use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::Serialize;

use super::load_contract;
use crate::cli::{InvoiceArgs, InvoiceFormat};

pub fn run(args: InvoiceArgs) -> anyhow::Result<ExitCode> {
    let contract = load_contract(&args.contract.contract)?;
    let entries = super::entries_file::read_entries(&args.entries)?;
    // Work dates are read in the contract's reporting zone (SPEC §7, §8).
    let zone = contract.reporting_zone();
    let ledger = Ledger::new(&contract, &entries, &zone)?;
    let periods = match &args.period {
        Some(p) => vec![parse_period(p)?],
        None => ledger.months(),
    };
    let digits = contract
        .currency()
        .map_or(2, |c| accord_core::billing::minor_units(c.as_str()));
    let credits = args
        .credits
        .as_deref()
        .map(|c| parse_credits(c, digits))
        .transpose()?;
    if credits.is_some() && args.period.is_none() {
        bail!("--credits needs --period: say which month's invoice offers them");
    }
    let issue_date = args
        .issue_date
        .as_deref()
        .map(|d| {
            Date::from_str(d)
                .map_err(|e| anyhow!("--issue-date: `{d}` is not a date YYYY-MM-DD ({e})"))
        })
        .transpose()?;
    let mut number = args.number.clone();
    let mut requests = Vec::with_capacity(periods.len());
    for period in periods {
        let mut request = InvoiceRequest::new(period);
        request.number = number.clone();
        number = number.as_deref().map(next_number);
        if let Some(date) = issue_date {
            request.issue_date = date;
        }
        if let Some(amount) = credits {
            request
                .allowances
                .push(Allowance::new(credit_reason(period), amount));
        }
        requests.push(request);
    }
    // Every invoice is computed once before anything is written, so that an
    // error leaves the output untouched, and again while it is written, so
    // that memory holds one period's invoice at a time.
    for request in &requests {
        ledger.invoice(request)?;
    }
    if let Some(bytes) =
        super::invoice_document::render(args.format, &contract, &ledger, &requests)?
    {
        match &args.output {
            Some(path) => std::fs::write(path, bytes)
                .map_err(|e| anyhow!("cannot write `{}`: {e}", path.display()))?,
            None => std::io::stdout().lock().write_all(&bytes)?,
        }
        return Ok(ExitCode::SUCCESS);
    }
    let single = args.period.is_some();
    match &args.output {
        Some(path) => {
            let file = File::create(path)
                .map_err(|e| anyhow!("cannot write `{}`: {e}", path.display()))?;
            write(
                BufWriter::with_capacity(1 << 16, file),
                args.format,
                single,
                &ledger,
                &requests,
            )
        }
        None => write(
            BufWriter::with_capacity(1 << 16, std::io::stdout().lock()),
            args.format,
            single,
            &ledger,
            &requests,
        ),
    }?;
    Ok(ExitCode::SUCCESS)
}

/// Writes the invoices of `requests` to `out` (generic, not `dyn Write`, so
/// that the many small writes of the serializer are inlined).
fn write<W: Write>(
    mut out: W,
    format: InvoiceFormat,
    single: bool,
    ledger: &Ledger<'_>,
    requests: &[InvoiceRequest],
) -> anyhow::Result<()> {
    match format {
        InvoiceFormat::Json => {
            match (single, requests) {
                (true, [one]) => serde_json::to_writer_pretty(
                    &mut out,
                    &JsonInvoice::from(&ledger.invoice(one)?),
                )?,
                _ => serde_json::to_writer_pretty(&mut out, &AllInvoices(ledger, requests))?,
            }
            out.write_all(b"\n")?;
        }
        InvoiceFormat::Html | InvoiceFormat::Pdf | InvoiceFormat::Cii | InvoiceFormat::Ubl => {}
        InvoiceFormat::Csv => {
            writeln!(out, "{}", CSV_COLUMNS.join(","))?;
            for request in requests {
                csv_rows(&mut out, &ledger.invoice(request)?)?;
            }
        }
    }
    out.flush()?;
    Ok(())
}

/// `YYYY-MM` as the month it names, `YYYY-Qn` as the quarter.
fn parse_period(text: &str) -> anyhow::Result<InvoicePeriod> {
    let bad = || {
        anyhow!(
            "--period: `{text}` is not a month YYYY-MM (e.g. 2026-03) or a quarter YYYY-Qn (e.g. 2026-Q1)"
        )
    };
    let (y, m) = text.split_once('-').ok_or_else(bad)?;
    if y.len() != 4 || !y.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let year: i16 = y.parse().map_err(|_| bad())?;
    let (month, quarter) = match m.strip_prefix('Q') {
        Some(q) if q.len() == 1 => (q.parse::<i8>().map_err(|_| bad())? * 3 - 2, true),
        None if m.len() == 2 && m.bytes().all(|b| b.is_ascii_digit()) => {
            (m.parse().map_err(|_| bad())?, false)
        }
        _ => return Err(bad()),
    };
    let first = Date::new(year, month, 1).map_err(|_| bad())?;
    Ok(if quarter {
        InvoicePeriod::quarter_of(first)
    } else {
        InvoicePeriod::month_of(first)
    })
}

/// A non-negative amount with at most the currency's decimals.
fn parse_credits(text: &str, digits: u32) -> anyhow::Result<Decimal> {
    let bad = |why: &str| anyhow!("--credits: `{text}` {why}");
    if !text.bytes().all(|b| b.is_ascii_digit() || b == b'.') || text.is_empty() {
        return Err(bad("is not an amount like 125.00"));
    }
    let amount = Decimal::from_str(text).map_err(|_| bad("is not an amount like 125.00"))?;
    if amount.scale() > digits {
        return Err(bad(&format!(
            "has more than the currency's {digits} decimals"
        )));
    }
    Ok(amount)
}

/// The allowance's reason: credits earned in the month before `period`.
fn credit_reason(period: InvoicePeriod) -> String {
    match period.first.yesterday() {
        Ok(d) => format!(
            "service credit, period {}",
            InvoicePeriod::month_of(d).label()
        ),
        Err(_) => "service credit".to_string(),
    }
}

/// The number after `n`: its trailing digits plus one, keeping their width
/// (`2026-009` → `2026-010`); `n-2` when it ends in no digit.
fn next_number(n: &str) -> String {
    let head = n.trim_end_matches(|c: char| c.is_ascii_digit());
    let digits = &n[head.len()..];
    match digits.parse::<u128>() {
        Ok(value) => format!("{head}{:0width$}", value + 1, width = digits.len()),
        Err(_) => format!("{n}-2"),
    }
}

fn money(d: Decimal) -> String {
    d.to_string()
}

/// The invoices of several requests as a JSON array, each computed only
/// when it is written (every one was computed once already, without error).
struct AllInvoices<'a>(&'a Ledger<'a>, &'a [InvoiceRequest]);

impl Serialize for AllInvoices<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeSeq};
        let mut seq = s.serialize_seq(Some(self.1.len()))?;
        for request in self.1 {
            let invoice = self.0.invoice(request).map_err(S::Error::custom)?;
            seq.serialize_element(&JsonInvoice::from(&invoice))?;
        }
        seq.end()
    }
}

#[derive(Serialize)]
struct JsonInvoice<'a> {
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

#[derive(Serialize)]
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

#[derive(Serialize)]
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

#[derive(Serialize)]
struct JsonAllowance<'a> {
    reason: &'a str,
    amount: String,
}

#[derive(Serialize)]
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
const CSV_COLUMNS: [&str; 22] = [
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

/// One row per entry part and per block price of one invoice.
fn csv_rows<W: Write>(w: &mut W, inv: &Invoice) -> std::io::Result<()> {
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
