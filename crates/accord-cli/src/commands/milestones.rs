//! `accord milestones`: replay milestone events against a contract and print
//! every milestone's baseline and adjusted due dates, state, deliverables
//! and delay ledger (SPEC §6, §10), computed by
//! `accord_core::milestone::evaluate`.
//!
//! The whole file is read, checked and evaluated before anything is
//! printed, so a bad event leaves stdout empty: the error names the file,
//! the line and the field.

use std::io::{self, BufWriter, Read, Write};
use std::path::Path;
use std::process::ExitCode;

use accord_core::instant;
use accord_core::milestone::{Cause, MilestoneError, MilestoneEvent, MilestoneOutcome, evaluate};
use accord_server::api::v1::milestones::MilestoneDto;
use anyhow::{Context, anyhow};
use jiff::Timestamp;
use jiff::civil::Date;

use super::calendar::parse_instant;
use super::load_contract;
use crate::cli::{MilestonesArgs, MilestonesFormat as Format};

pub fn run(args: MilestonesArgs) -> anyhow::Result<ExitCode> {
    let contract = load_contract(&args.contract.contract)?;
    let at = match &args.at {
        Some(t) => parse_instant(t).map_err(|e| anyhow!("--at: {e}"))?,
        None => Timestamp::now(),
    };
    let file = EventsRead::load(&args.events)?;
    let outcomes = evaluate(&contract, &file.events, at).map_err(|e| file.error(&e))?;
    let mut out = BufWriter::new(io::stdout().lock());
    match args.format {
        Format::Json => {
            // The API's shape (GET /api/v1/contracts/{id}/milestones), one for both.
            let json: Vec<MilestoneDto> = outcomes.iter().map(MilestoneDto::from).collect();
            serde_json::to_writer_pretty(&mut out, &json)?;
            writeln!(out)?;
        }
        Format::Table => table(&mut out, &outcomes)?,
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// A milestone-events file read and parsed whole, with the line of each
/// event, so that errors of the fold name the file and line.
pub(super) struct EventsRead {
    name: String,
    lines: Vec<usize>,
    /// The events, in file order.
    pub events: Vec<MilestoneEvent>,
}

impl EventsRead {
    /// Reads and parses `path` (`-`: standard input).
    pub fn load(path: &Path) -> anyhow::Result<EventsRead> {
        let name = path.display().to_string();
        let text = read_events(path).with_context(|| format!("cannot read events `{name}`"))?;
        let (lines, events) = MilestoneEvent::parse_json_lines(&text)
            .map_err(|e| anyhow!("{name}: {e}"))?
            .into_iter()
            .unzip();
        Ok(EventsRead {
            name,
            lines,
            events,
        })
    }

    /// `e` with the file and the line of the event it names.
    pub fn error(&self, e: &MilestoneError) -> anyhow::Error {
        let name = &self.name;
        match e
            .event()
            .and_then(|r| self.lines.get(r.position.wrapping_sub(1)))
        {
            Some(line) => anyhow!("{name}: line {line}: {e}"),
            None => anyhow!("{name}: {e}"),
        }
    }
}

fn read_events(path: &Path) -> io::Result<String> {
    if path == Path::new("-") {
        let mut text = String::new();
        io::stdin().lock().read_to_string(&mut text)?;
        Ok(text)
    } else {
        std::fs::read_to_string(path)
    }
}

fn day(d: Date) -> String {
    d.to_string()
}

/// The milestones as an aligned table, then each one's ledger.
fn table(out: &mut impl Write, outcomes: &[MilestoneOutcome]) -> io::Result<()> {
    let mut rows = vec![
        [
            "MILESTONE",
            "BASELINE",
            "ADJUSTED",
            "DELAY",
            "SHIFT",
            "STATE",
            "NEXT CHANGE",
        ]
        .map(String::from),
    ];
    for m in outcomes {
        rows.push([
            m.milestone.clone(),
            day(m.baseline_due),
            day(m.adjusted_due),
            m.client_delay_days.to_string(),
            format!("{:+}", m.shift_days),
            m.state.to_string(),
            m.next_change_at.map_or_else(|| "-".into(), instant::format),
        ]);
    }
    write_aligned(out, &rows, "")?;
    for m in outcomes.iter().filter(|m| !m.ledger.is_empty()) {
        writeln!(out, "\n{} ({}): ledger", m.milestone, m.name)?;
        let rows: Vec<[String; 5]> = m
            .ledger
            .iter()
            .map(|e| {
                let cause = match &e.cause {
                    Cause::Deliverable { name, what, reason } => {
                        format!("deliverable {name} \"{what}\" late ({reason})")
                    }
                    Cause::Pause { reason } => format!("paused ({reason})"),
                    Cause::Shift { reason } => format!("shifted: {reason}"),
                };
                let by =
                    e.by.as_deref()
                        .map(|b| format!(" by {b}"))
                        .unwrap_or_default();
                [
                    if e.on == e.through {
                        day(e.on)
                    } else {
                        format!("{}..{}", e.on, e.through)
                    },
                    format!("{:+}", e.days),
                    format!("{} -> {}", e.from, e.to),
                    format!("{cause}{by}"),
                    e.note.clone().unwrap_or_default(),
                ]
            })
            .collect();
        write_aligned(out, &rows, "  ")?;
    }
    Ok(())
}

/// Rows with each column as wide as its widest cell (the last unpadded).
fn write_aligned<const N: usize>(
    out: &mut impl Write,
    rows: &[[String; N]],
    indent: &str,
) -> io::Result<()> {
    let widths: Vec<usize> = (0..N)
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, &w)| format!("{cell:w$}"))
            .collect();
        writeln!(out, "{indent}{}", cells.join("  ").trim_end())?;
    }
    Ok(())
}
