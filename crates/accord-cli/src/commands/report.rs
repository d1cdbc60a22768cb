//! `accord report`: compliance statements from a ticket-events file (SPEC
//! §7, §10), computed by [`accord_core::compliance::Tally`] while the file
//! streams through [`super::events_file`] (memory: the tickets in progress
//! and the statements' breaches). With `--milestone-events` and
//! `--entries`, read whole before the events, each statement gets its
//! milestones and hours sections ([`Statement::add_sections`]).
//!
//! Output is written to a temporary file first and only copied to standard
//! output or `-o OUT` once every ticket was read without error, so a failed
//! run writes nothing that looks like a statement.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, BufWriter, Seek, Write};
use std::path::Path;
use std::process::ExitCode;

use accord_core::compliance::{
    CountedClock, ReportPeriod, Share, Statement, StatementError, Tally, minor_unit_digits,
    round_money, statement_json,
};
use accord_core::contract::Contract;
use accord_core::instant;
use accord_docs::invoice::h_mm;
use anyhow::{Context, anyhow, bail};
use rust_decimal::Decimal;

use super::entries_file::read_entries;
use super::events_file::{EventsFile, TempFile};
use super::load_contract;
use super::milestones::EventsRead;
use crate::cli::{ReportArgs, ReportFormat as Format};

pub fn run(args: ReportArgs) -> anyhow::Result<ExitCode> {
    let contract = load_contract(&args.contract)?;
    let period = args
        .period
        .as_deref()
        .map(|p| {
            p.parse::<ReportPeriod>()
                .map_err(|e| anyhow!("--period: {e}"))
        })
        .transpose()?;
    let milestone_events = args
        .milestone_events
        .as_deref()
        .map(EventsRead::load)
        .transpose()?;
    let entries = args.entries.as_deref().map(read_entries).transpose()?;
    let events = EventsFile::open(&args.events, period.is_none())?;
    let mut periods = match period {
        Some(p) => vec![p],
        None => events.span().map_or_else(Vec::new, |(first, last)| {
            ReportPeriod::months_between(first, last, &contract.reporting_zone())
        }),
    };
    let document = matches!(args.format, Format::Html | Format::Pdf);
    if document && let Some(&last) = periods.last() {
        // The document shows the last period, the 11 before as history.
        periods = history(last, contract.effective_from());
    }
    let mut tally = Tally::new(&contract, &periods, BTreeSet::new())?;
    let (temp, file) = TempFile::create("report").context("cannot create a temporary file")?;
    let mut out = BufWriter::with_capacity(1 << 16, file);
    let reasons: Vec<&String> = contract.pauses().reasons.iter().collect();
    let csv = args.format == Format::Csv;
    if csv {
        write_csv_header(&mut out, &reasons)?;
    }
    let name = events.name();
    let mut row = String::new();
    events.replay(|g| {
        let counted = tally
            .add_ticket(g.events())
            .map_err(|e| anyhow!("{}", g.describe(&e, name)))?;
        if csv {
            for (period, clock) in &counted {
                csv_row(&mut row, *period, clock, &reasons);
                out.write_all(row.as_bytes())?;
            }
        }
        Ok(())
    })?;
    let mut statements = tally.finish();
    for s in &mut statements {
        s.add_sections(
            &contract,
            milestone_events.as_ref().map(|m| m.events.as_slice()),
            entries.as_deref(),
        )
        .map_err(|e| match (&e, &milestone_events) {
            (StatementError::Milestone(m), Some(file)) => file.error(m),
            _ => anyhow!(e),
        })?;
    }
    match args.format {
        Format::Csv => {}
        Format::Json => {
            // One statement at a time: the text of all is as large as the
            // breaches they list.
            let many = period.is_none();
            if many {
                out.write_all(b"[")?;
            }
            let mut text = String::new();
            for (i, s) in statements.into_iter().enumerate() {
                text.clear();
                if i > 0 {
                    text.push(',');
                }
                statement_json(&mut text, &contract, &s);
                out.write_all(text.as_bytes())?;
            }
            out.write_all(if many { b"]\n" } else { b"\n" })?;
        }
        Format::Html | Format::Pdf => {
            let Some((last, earlier)) = statements.split_last() else {
                bail!("no period to state: the events file has no event");
            };
            if args.format == Format::Html {
                out.write_all(accord_docs::statement::html(&contract, last, earlier).as_bytes())?;
            } else {
                out.write_all(&super::pdf(&accord_docs::statement::document(
                    &contract, last,
                ))?)?;
            }
        }
        Format::Table => {
            for (i, s) in statements.iter().enumerate() {
                if i > 0 {
                    out.write_all(b"\n")?;
                }
                out.write_all(table(&contract, s).as_bytes())?;
            }
        }
    }
    let file = out.into_inner().map_err(|e| e.into_error())?;
    deliver(file, &temp, args.output.as_deref())?;
    Ok(ExitCode::SUCCESS)
}

/// `last` and up to 11 periods of its kind before it, none ending before
/// the contract took effect, oldest first.
fn history(last: ReportPeriod, from: jiff::civil::Date) -> Vec<ReportPeriod> {
    let mut p = last;
    let mut out = vec![last];
    for _ in 0..11 {
        // Back one period: the period holding the day before this one starts.
        let Some(day) = p.first_day().yesterday().ok().filter(|d| *d >= from) else {
            break;
        };
        p = ReportPeriod::of_date(p.kind(), day);
        out.push(p);
    }
    out.reverse();
    out
}

/// Copies the finished output to its destination.
fn deliver(mut file: File, temp: &TempFile, output: Option<&Path>) -> anyhow::Result<()> {
    file.rewind()?;
    match output {
        Some(path) => {
            std::fs::copy(temp.path(), path)
                .with_context(|| format!("cannot write `{}`", path.display()))?;
        }
        None => {
            let mut stdout = io::stdout().lock();
            io::copy(&mut file, &mut stdout)?;
            stdout.flush()?;
        }
    }
    Ok(())
}

fn money(amount: Decimal, digits: u32) -> String {
    round_money(amount, digits).to_string()
}

/// A CSV cell, quoted when it holds a comma, quote or line break.
fn cell(out: &mut String, text: &str) {
    if text.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(text);
    }
}

fn write_csv_header(out: &mut impl Write, reasons: &[&String]) -> io::Result<()> {
    let mut line = String::from(
        "period,ticket,metric,cycle,priority,outcome,state,outcome_at,elapsed_s,target_s,paused_s",
    );
    for r in reasons {
        line.push(',');
        cell(&mut line, &format!("paused_{r}_s"));
    }
    line.push('\n');
    out.write_all(line.as_bytes())
}

fn csv_row(row: &mut String, period: ReportPeriod, c: &CountedClock, reasons: &[&String]) {
    row.clear();
    let _ = write!(row, "{period},");
    cell(row, &c.id.ticket);
    let _ = write!(row, ",{},{},", c.id.metric.as_str(), c.id.cycle);
    cell(row, &c.priority);
    let paused: i64 = c.paused_by_reason.values().map(|d| d.as_secs()).sum();
    let _ = write!(
        row,
        ",{},{},{},{},{},{}",
        c.outcome.as_str(),
        c.state.as_str(),
        instant::format(c.outcome_at),
        c.elapsed.as_secs(),
        c.target.as_secs(),
        paused
    );
    for r in reasons {
        let secs = c.paused_by_reason.get(*r).map_or(0, |d| d.as_secs());
        let _ = write!(row, ",{secs}");
    }
    row.push('\n');
}

/// Percent with one decimal, truncated (as the dashboard shows it).
fn percent(share: Share) -> String {
    match share.value() {
        None => "-".into(),
        Some(v) => format!(
            "{} %",
            (v * Decimal::ONE_HUNDRED)
                .round_dp_with_strategy(1, rust_decimal::RoundingStrategy::ToZero)
        ),
    }
}

/// The statement for people: aligned sections.
fn table(contract: &Contract, s: &Statement) -> String {
    let digits = minor_unit_digits(contract.currency());
    let currency = contract.currency().map_or("", |c| c.as_str());
    let mut t = String::new();
    let _ = writeln!(
        t,
        "{} {} ({} to {}, {})",
        s.contract,
        s.period,
        instant::format(s.start),
        instant::format(s.end),
        s.zone
    );
    let mut rows = vec![[
        "OBJECTIVE".to_string(),
        "PERIOD".into(),
        "MEASURED".into(),
        "MET".into(),
        "SHARE".into(),
        "TARGET".into(),
        "STATUS".into(),
    ]];
    for o in &s.objectives {
        rows.push([
            format!("{} {}", o.priority, o.metric),
            o.period.to_string(),
            o.share.measured.to_string(),
            o.share.met.to_string(),
            percent(o.share),
            format!("{} %", (o.within_target * Decimal::ONE_HUNDRED).normalize()),
            o.status.to_string(),
        ]);
    }
    aligned(&mut t, &rows);
    let _ = writeln!(t, "\nbreaches: {}", s.breaches.len());
    for b in &s.breaches {
        let cause = b.last_event.as_ref().map_or(String::new(), |e| {
            format!(" after {} at {}", e.kind, instant::format(e.at))
        });
        let _ = writeln!(
            t,
            "  {} {} #{} ({}) breached {}{}",
            b.id.ticket,
            b.id.metric,
            b.id.cycle,
            b.priority,
            instant::format(b.outcome_at),
            cause
        );
    }
    let _ = writeln!(t, "\npaused (resolution clocks, business time):");
    for (reason, d) in &s.paused_by_reason {
        let _ = writeln!(t, "  {reason}: {d}");
    }
    let _ = writeln!(t, "  provider time: {}", s.provider_time);
    match &s.credits {
        Some(c) => {
            let _ = writeln!(
                t,
                "\ncredits due: {currency} {}{}",
                money(c.total, digits),
                if c.capped { " (capped)" } else { "" }
            );
            for l in &c.lines {
                let tier = l.tier.map_or("no tier".to_string(), |t| {
                    format!(
                        "below {} → {} %",
                        t.below,
                        (t.credit * Decimal::ONE_HUNDRED).normalize()
                    )
                });
                let _ = writeln!(
                    t,
                    "  {} {} {}: share {}, {tier}, {currency} {}",
                    l.priority,
                    l.metric,
                    l.period,
                    percent(l.share),
                    money(l.amount, digits)
                );
            }
        }
        None => {
            let _ = writeln!(t, "\ncredits: none agreed");
        }
    }
    if !s.milestones.is_empty() {
        let _ = writeln!(t, "\nmilestones (as of the period's end):");
        let mut rows = vec![[
            "MILESTONE".to_string(),
            "BASELINE".into(),
            "ADJUSTED".into(),
            "CLIENT DELAY".into(),
            "SHIFT".into(),
            "STATE".into(),
        ]];
        for m in &s.milestones {
            let state = match m.miss {
                Some(who) => format!("{} ({who}'s miss)", m.state),
                None => m.state.to_string(),
            };
            rows.push([
                format!("{} {}", m.id, m.name),
                m.baseline_due.to_string(),
                m.adjusted_due.to_string(),
                format!("{} d", m.client_delay_days),
                format!("{} d", m.shift_days),
                state,
            ]);
        }
        aligned(&mut t, &rows);
    }
    if !s.hours_by_activity.is_empty() {
        let _ = writeln!(t, "\nhours worked by activity:");
        let mut rows = vec![["ACTIVITY".to_string(), "RAW".into(), "BILLED".into()]];
        for (activity, h) in &s.hours_by_activity {
            rows.push([
                activity.clone(),
                h_mm(h.total.raw_s),
                h_mm(h.total.billed_s),
            ]);
        }
        aligned(&mut t, &rows);
    }
    t
}

fn aligned<const N: usize>(out: &mut String, rows: &[[String; N]]) {
    let mut widths = [0usize; N];
    for row in rows {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    for row in rows {
        let mut line = String::new();
        for (i, (c, w)) in row.iter().zip(widths).enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            line.push_str(c);
            if i + 1 < N {
                line.extend(std::iter::repeat_n(' ', w - c.chars().count()));
            }
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_with_commas_or_quotes_are_quoted() {
        let mut s = String::new();
        cell(&mut s, "T-1");
        cell(&mut s, "a,b");
        cell(&mut s, "say \"hi\"");
        assert_eq!(s, "T-1\"a,b\"\"say \"\"hi\"\"\"");
    }
}
