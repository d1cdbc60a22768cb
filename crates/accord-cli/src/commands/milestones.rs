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
use anyhow::{Context, anyhow};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;

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
            let json: Vec<Json<'_>> = outcomes.iter().map(Json::from).collect();
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

/// One milestone in the JSON output.
#[derive(Debug, Serialize)]
struct Json<'a> {
    milestone: &'a str,
    name: &'a str,
    calendar: &'a str,
    baseline_due: String,
    adjusted_due: String,
    client_delay_days: i64,
    shift_days: i64,
    state: &'static str,
    completed: Option<String>,
    accepted: Option<String>,
    today: String,
    deliverables: Vec<DeliverableJson<'a>>,
    pauses: Vec<PauseJson<'a>>,
    ledger: Vec<EntryJson<'a>>,
    next_change_at: Option<String>,
}

#[derive(Debug, Serialize)]
struct DeliverableJson<'a> {
    name: &'a str,
    what: &'a str,
    owner: String,
    due: String,
    received: Option<String>,
    days_late: i64,
    overdue: bool,
    reason: &'a str,
}

#[derive(Debug, Serialize)]
struct PauseJson<'a> {
    reason: &'a str,
    from: String,
    to: Option<String>,
    days: i64,
    by: Option<&'a str>,
    note: Option<&'a str>,
}

#[derive(Debug, Serialize)]
struct EntryJson<'a> {
    on: String,
    through: String,
    cause: &'static str,
    deliverable: Option<&'a str>,
    reason: &'a str,
    days: i64,
    from: String,
    to: String,
    by: Option<&'a str>,
    note: Option<&'a str>,
}

fn day(d: Date) -> String {
    d.to_string()
}

impl<'a> From<&'a MilestoneOutcome> for Json<'a> {
    fn from(m: &'a MilestoneOutcome) -> Self {
        Json {
            milestone: &m.milestone,
            name: &m.name,
            calendar: &m.calendar,
            baseline_due: day(m.baseline_due),
            adjusted_due: day(m.adjusted_due),
            client_delay_days: m.client_delay_days,
            shift_days: m.shift_days,
            state: m.state.as_str(),
            completed: m.completed.map(day),
            accepted: m.accepted.map(day),
            today: day(m.today),
            deliverables: m
                .deliverables
                .iter()
                .map(|d| DeliverableJson {
                    name: &d.name,
                    what: &d.what,
                    owner: d.owner.to_string(),
                    due: day(d.due),
                    received: d.received.map(day),
                    days_late: d.days_late,
                    overdue: d.overdue,
                    reason: &d.reason,
                })
                .collect(),
            pauses: m
                .pauses
                .iter()
                .map(|p| PauseJson {
                    reason: &p.reason,
                    from: day(p.from),
                    to: p.to.map(day),
                    days: p.days,
                    by: p.by.as_deref(),
                    note: p.note.as_deref(),
                })
                .collect(),
            ledger: m
                .ledger
                .iter()
                .map(|e| EntryJson {
                    on: day(e.on),
                    through: day(e.through),
                    cause: e.cause.kind(),
                    deliverable: match &e.cause {
                        Cause::Deliverable { name, .. } => Some(name),
                        _ => None,
                    },
                    reason: e.cause.reason(),
                    days: e.days,
                    from: day(e.from),
                    to: day(e.to),
                    by: e.by.as_deref(),
                    note: e.note.as_deref(),
                })
                .collect(),
            next_change_at: m.next_change_at.map(instant::format),
        }
    }
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
