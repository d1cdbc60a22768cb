//! `accord invoice`: time entries to invoices (SPEC §8, §10). Reads every
//! entry, builds the core's ledger once ([`accord_core::billing::Ledger`]),
//! cuts each period's invoice out of it and prints it as JSON or CSV. Every
//! invoice is computed (and dropped) before anything is written, so an error
//! leaves standard output (or the output file) untouched; then each is
//! computed again and written, so one period's invoice is held at a time.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::process::ExitCode;
use std::str::FromStr;

use accord_core::billing::{Allowance, InvoicePeriod, InvoiceRequest, Ledger};
use accord_docs::invoice_output::{CSV_COLUMNS, JsonInvoice, csv_rows};
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
