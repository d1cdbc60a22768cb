//! `accord clocks`: replay ticket events against a contract and print every
//! SLA clock (SPEC §4, §10).
//!
//! The file is streamed by [`super::events_file`]: memory is bounded by the
//! tickets in progress. Any order gives the same clocks; tickets are printed
//! in the order of their last events.

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use accord_core::BusinessDuration;
use accord_core::clock::{ClockError, ClockPolicy, Detail, TicketClocks, evaluate_with};
use accord_core::instant;
use anyhow::anyhow;
use jiff::Timestamp;
use serde::Serialize;

use super::calendar::parse_instant;
use super::events_file::{EventsFile, Group};
use super::load_contract;
use crate::cli::{ClocksArgs, ClocksFormat as Format};

pub fn run(args: ClocksArgs) -> anyhow::Result<ExitCode> {
    let contract = load_contract(&args.contract.contract)?;
    let policy = ClockPolicy::from_contract(&contract)?;
    let at = match &args.at {
        Some(t) => parse_instant(t).map_err(|e| anyhow!("--at: {e}"))?,
        None => Timestamp::now(),
    };
    let events = EventsFile::open(&args.events, false)?;
    let name = events.name();
    let stdout = io::stdout().lock();
    // Events after `at` are left out of the clocks; say how many, so a file
    // replayed without --at does not look complete when it is not.
    let mut later = 0usize;
    let mut count_later = |g: &Group| later += g.events().iter().filter(|e| e.at > at).count();
    let ok = match args.format {
        Format::Json => {
            let mut out = JsonOut {
                out: BufWriter::with_capacity(1 << 16, stdout),
                buf: Vec::with_capacity(4096),
                quoted: Vec::with_capacity(64),
                ok: true,
            };
            events.replay(|g| {
                count_later(g);
                Ok(out.ticket(evaluate_ticket(&policy, g, at, name), g.ticket())?)
            })?;
            out.out.flush()?;
            out.ok
        }
        Format::Table => {
            let mut out = TableOut::default();
            events.replay(|g| {
                count_later(g);
                Ok(out.ticket(evaluate_ticket(&policy, g, at, name), g.ticket())?)
            })?;
            out.print(BufWriter::new(stdout))?;
            out.ok
        }
    };
    if later > 0 {
        eprintln!(
            "note: {later} event{} after {} ({}) left out; give --at to evaluate later",
            if later == 1 { "" } else { "s" },
            instant::format(at),
            if args.at.is_some() { "--at" } else { "now" },
        );
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Where evaluated tickets go.
trait Sink {
    fn ticket(
        &mut self,
        result: Result<Option<TicketClocks>, String>,
        ticket: &str,
    ) -> io::Result<()>;
}

/// Evaluates one ticket; `Ok(None)` when it is not open yet at `at`. Errors
/// are prefixed with the input line of the event they are about.
fn evaluate_ticket(
    policy: &ClockPolicy,
    group: &Group,
    at: Timestamp,
    name: &str,
) -> Result<Option<TicketClocks>, String> {
    // Neither output prints threshold crossings or percentages.
    match evaluate_with(policy, group.events(), at, Detail::Summary) {
        Ok(clocks) => Ok(Some(clocks)),
        Err(ClockError::NotYetOpened { .. }) => Ok(None),
        Err(e) => Err(group.describe(&e, name)),
    }
}

#[derive(Debug, Serialize)]
struct ErrorLine<'a> {
    ticket: &'a str,
    error: &'a str,
}

/// JSON Lines output, one line per ticket, metric and cycle, written by hand
/// (the same bytes serde_json wrote) into one reused buffer per ticket.
struct JsonOut<W: Write> {
    out: W,
    buf: Vec<u8>,
    /// The ticket id as a JSON string, reused.
    quoted: Vec<u8>,
    ok: bool,
}

impl<W: Write> Sink for JsonOut<W> {
    fn ticket(
        &mut self,
        result: Result<Option<TicketClocks>, String>,
        ticket: &str,
    ) -> io::Result<()> {
        let buf = &mut self.buf;
        buf.clear();
        match result {
            Ok(None) => {}
            Ok(Some(t)) => {
                let quoted = &mut self.quoted;
                quoted.clear();
                serde_json::to_writer(&mut *quoted, &t.ticket)?;
                for c in &t.clocks {
                    buf.extend_from_slice(b"{\"ticket\":");
                    buf.extend_from_slice(quoted);
                    buf.extend_from_slice(b",\"metric\":\"");
                    buf.extend_from_slice(c.metric.as_str().as_bytes());
                    buf.extend_from_slice(b"\",\"cycle\":");
                    write_int(buf, i64::from(c.cycle));
                    buf.extend_from_slice(b",\"state\":\"");
                    buf.extend_from_slice(c.state.as_str().as_bytes());
                    buf.extend_from_slice(b"\",\"target_s\":");
                    write_int(buf, c.target.as_secs());
                    buf.extend_from_slice(b",\"elapsed_s\":");
                    write_int(buf, c.elapsed.as_secs());
                    buf.extend_from_slice(b",\"paused_s\":");
                    write_int(buf, c.paused.as_secs());
                    buf.extend_from_slice(b",\"paused_by_reason\":{");
                    for (i, (reason, d)) in c.paused_by_reason.iter().enumerate() {
                        if i > 0 {
                            buf.push(b',');
                        }
                        serde_json::to_writer(&mut *buf, reason)?;
                        buf.push(b':');
                        write_int(buf, d.as_secs());
                    }
                    buf.extend_from_slice(b"},\"remaining_s\":");
                    write_int(buf, c.remaining.as_secs());
                    for (key, t) in [
                        (&b",\"deadline\":"[..], c.deadline),
                        (b",\"breached_at\":", c.breached_at),
                        (b",\"started_at\":", Some(c.started_at)),
                        (b",\"stopped_at\":", c.stopped_at),
                    ] {
                        buf.extend_from_slice(key);
                        match t {
                            Some(t) => {
                                buf.push(b'"');
                                instant::write(buf, t);
                                buf.push(b'"');
                            }
                            None => buf.extend_from_slice(b"null"),
                        }
                    }
                    buf.extend_from_slice(b"}\n");
                }
            }
            Err(error) => {
                self.ok = false;
                serde_json::to_writer(
                    &mut *buf,
                    &ErrorLine {
                        ticket,
                        error: &error,
                    },
                )?;
                buf.push(b'\n');
            }
        }
        self.out.write_all(buf)
    }
}

/// An integer in decimal, as `Display` writes it.
fn write_int(buf: &mut Vec<u8>, n: i64) {
    if n < 0 {
        buf.push(b'-');
    }
    let mut n = n.unsigned_abs();
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buf.extend_from_slice(&digits[i..]);
}

/// The aligned table: rows are kept until the end, for the column widths.
#[derive(Debug)]
struct TableOut {
    rows: Vec<[String; 10]>,
    ok: bool,
}

impl Default for TableOut {
    fn default() -> Self {
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
        TableOut {
            rows: vec![header.map(String::from)],
            ok: true,
        }
    }
}

impl Sink for TableOut {
    fn ticket(
        &mut self,
        result: Result<Option<TicketClocks>, String>,
        _ticket: &str,
    ) -> io::Result<()> {
        let instant = |t: Option<Timestamp>| t.map_or_else(|| "-".to_string(), instant::format);
        let dur = |d: BusinessDuration| d.to_string();
        match result {
            Ok(None) => {}
            Ok(Some(t)) => {
                for c in &t.clocks {
                    self.rows.push([
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
                self.ok = false;
                eprintln!("{error}");
            }
        }
        Ok(())
    }
}

impl TableOut {
    fn print(&self, mut out: impl Write) -> io::Result<()> {
        let mut widths = [0usize; 10];
        for row in &self.rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        for row in &self.rows {
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
        out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_print_as_display_prints_them() {
        for n in [0, 7, -7, 10, 14_400, i64::MAX, i64::MIN] {
            let mut buf = Vec::new();
            write_int(&mut buf, n);
            assert_eq!(String::from_utf8(buf).unwrap(), n.to_string());
        }
    }
}
