//! `accord clocks`: replay ticket events against a contract and print every
//! SLA clock (SPEC §4, §10).
//!
//! Memory: the events file may interleave tickets and hold events out of
//! order, and a ticket's clocks depend on all its events, so every event is
//! read and grouped by ticket before any is evaluated. Memory is therefore
//! proportional to the number of events; output is written ticket by ticket
//! (in ticket order, so it does not depend on input order) as each is
//! evaluated. Streaming input per ticket would need the file grouped by
//! ticket, which exports from other tools do not promise.

use std::collections::BTreeMap;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::Path;
use std::process::ExitCode;

use accord_core::BusinessDuration;
use accord_core::clock::{ClockError, ClockPolicy, TicketClocks, TicketEvent, evaluate};
use anyhow::{Context, anyhow};
use jiff::Timestamp;
use serde::Serialize;

use super::calendar::parse_instant;
use super::load_contract;
use crate::cli::{ClocksArgs, ClocksFormat as Format};

/// A ticket's events, each with the line of the input it came from.
type Tickets = BTreeMap<String, Vec<(usize, TicketEvent)>>;

pub fn run(args: ClocksArgs) -> anyhow::Result<ExitCode> {
    let contract = load_contract(&args.contract.contract)?;
    let policy = ClockPolicy::from_contract(&contract)?;
    let at = match &args.at {
        Some(t) => parse_instant(t).map_err(|e| anyhow!("--at: {e}"))?,
        None => Timestamp::now(),
    };
    let tickets = read_events(&args.events)?;
    let name = args.events.display().to_string();
    let stdout = BufWriter::with_capacity(1 << 16, io::stdout().lock());
    let ok = match args.format {
        Format::Json => print_json(&policy, tickets, at, &name, stdout)?,
        Format::Table => print_table(&policy, tickets, at, &name, stdout)?,
    };
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Reads JSON Lines or CSV, grouped by ticket.
fn read_events(path: &Path) -> anyhow::Result<Tickets> {
    let name = path.display().to_string();
    let mut reader: Box<dyn BufRead> = if path == Path::new("-") {
        Box::new(BufReader::new(io::stdin().lock()))
    } else {
        let file =
            std::fs::File::open(path).with_context(|| format!("cannot read events `{name}`"))?;
        Box::new(BufReader::with_capacity(1 << 16, file))
    };
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let csv = match ext.as_deref() {
        Some("csv") => true,
        Some("jsonl" | "ndjson" | "json") => false,
        _ => {
            // Sniff: JSON Lines start with `{`, CSV with its header.
            let buf = reader
                .fill_buf()
                .with_context(|| format!("cannot read events `{name}`"))?;
            buf.iter()
                .find(|b| !b.is_ascii_whitespace())
                .is_some_and(|&b| b != b'{')
        }
    };
    let mut tickets = Tickets::new();
    let mut add = |line: usize, event: TicketEvent| {
        tickets
            .entry(event.ticket.clone())
            .or_default()
            .push((line, event));
    };
    if csv {
        let mut text = String::new();
        reader
            .read_to_string(&mut text)
            .with_context(|| format!("cannot read events `{name}`"))?;
        let events = TicketEvent::parse_csv_lines(&text).map_err(|e| anyhow!("{name}: {e}"))?;
        for (line, event) in events {
            add(line, event);
        }
    } else {
        for (i, line) in reader.lines().enumerate() {
            let line = line.with_context(|| format!("cannot read events `{name}`"))?;
            if line.trim().is_empty() {
                continue;
            }
            let event = TicketEvent::from_json_line(&line)
                .map_err(|e| anyhow!("{name}: line {}: {e}", i + 1))?;
            add(i + 1, event);
        }
    }
    Ok(tickets)
}

/// Evaluates one ticket; `Ok(None)` when it is not open yet at `at`. Errors
/// are prefixed with the input line of the event they are about.
fn evaluate_ticket(
    policy: &ClockPolicy,
    events: Vec<(usize, TicketEvent)>,
    at: Timestamp,
    name: &str,
) -> Result<Option<TicketClocks>, String> {
    let (lines, events): (Vec<usize>, Vec<TicketEvent>) = events.into_iter().unzip();
    match evaluate(policy, &events, at) {
        Ok(clocks) => Ok(Some(clocks)),
        Err(ClockError::NotYetOpened { .. }) => Ok(None),
        Err(e) => {
            let line = e
                .event()
                .and_then(|r| lines.get(r.position.wrapping_sub(1)));
            Err(match line {
                Some(line) => format!("{name}: line {line}: {e}"),
                None => format!("{name}: {e}"),
            })
        }
    }
}

#[derive(Debug, Serialize)]
struct ClockLine<'a> {
    ticket: &'a str,
    metric: &'static str,
    cycle: u32,
    state: &'static str,
    target_s: i64,
    elapsed_s: i64,
    paused_s: i64,
    paused_by_reason: BTreeMap<&'a str, i64>,
    remaining_s: i64,
    deadline: Option<String>,
    breached_at: Option<String>,
    started_at: String,
    stopped_at: Option<String>,
}

#[derive(Debug, Serialize)]
struct ErrorLine<'a> {
    ticket: &'a str,
    error: &'a str,
}

fn print_json(
    policy: &ClockPolicy,
    tickets: Tickets,
    at: Timestamp,
    name: &str,
    mut out: impl Write,
) -> anyhow::Result<bool> {
    let mut ok = true;
    for (ticket, events) in tickets {
        match evaluate_ticket(policy, events, at, name) {
            Ok(None) => {}
            Ok(Some(t)) => {
                for c in &t.clocks {
                    let line = ClockLine {
                        ticket: &t.ticket,
                        metric: c.metric.as_str(),
                        cycle: c.cycle,
                        state: c.state.as_str(),
                        target_s: c.target.as_secs(),
                        elapsed_s: c.elapsed.as_secs(),
                        paused_s: c.paused.as_secs(),
                        paused_by_reason: c
                            .paused_by_reason
                            .iter()
                            .map(|(r, d)| (r.as_str(), d.as_secs()))
                            .collect(),
                        remaining_s: c.remaining.as_secs(),
                        deadline: c.deadline.map(|d| d.to_string()),
                        breached_at: c.breached_at.map(|d| d.to_string()),
                        started_at: c.started_at.to_string(),
                        stopped_at: c.stopped_at.map(|d| d.to_string()),
                    };
                    serde_json::to_writer(&mut out, &line)?;
                    out.write_all(b"\n")?;
                }
            }
            Err(error) => {
                ok = false;
                serde_json::to_writer(
                    &mut out,
                    &ErrorLine {
                        ticket: &ticket,
                        error: &error,
                    },
                )?;
                out.write_all(b"\n")?;
            }
        }
    }
    out.flush()?;
    Ok(ok)
}

fn print_table(
    policy: &ClockPolicy,
    tickets: Tickets,
    at: Timestamp,
    name: &str,
    mut out: impl Write,
) -> anyhow::Result<bool> {
    let mut ok = true;
    let header = [
        "TICKET",
        "METRIC",
        "CYCLE",
        "STATE",
        "TARGET",
        "ELAPSED",
        "PAUSED",
        "REMAINING",
        "DEADLINE",
        "BREACHED",
    ];
    let mut rows: Vec<[String; 10]> = vec![header.map(String::from)];
    let instant = |t: Option<Timestamp>| t.map_or_else(|| "-".to_string(), |t| t.to_string());
    let dur = |d: BusinessDuration| d.to_string();
    for (_, events) in tickets {
        match evaluate_ticket(policy, events, at, name) {
            Ok(None) => {}
            Ok(Some(t)) => {
                for c in &t.clocks {
                    rows.push([
                        t.ticket.clone(),
                        c.metric.to_string(),
                        c.cycle.to_string(),
                        c.state.to_string(),
                        dur(c.target),
                        dur(c.elapsed),
                        dur(c.paused),
                        dur(c.remaining),
                        instant(c.deadline),
                        instant(c.breached_at),
                    ]);
                }
            }
            Err(error) => {
                ok = false;
                eprintln!("{error}");
            }
        }
    }
    let mut widths = [0usize; 10];
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    for row in &rows {
        let mut line = String::new();
        for (i, (cell, w)) in row.iter().zip(widths).enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            line.push_str(cell);
            if i + 1 < row.len() {
                line.extend(std::iter::repeat_n(' ', w - cell.chars().count()));
            }
        }
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    Ok(ok)
}
