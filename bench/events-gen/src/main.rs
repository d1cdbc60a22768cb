//! Writes N tickets of realistic event histories as JSON Lines for the
//! priorities and pause reasons of `examples/acme.contract.toml`, from a
//! fixed-seed splitmix64 stream (the same N gives the same bytes).
//!
//! Usage: events-gen N [--interleave] [--seed S] > events.jsonl
//!
//! Tickets are contiguous by default (each ticket's events together, in
//! time order); `--interleave` sorts all events of all tickets by time, as
//! an export from a ticketing tool would be. Tickets open on weekdays of
//! 2026 between 07:00 and 16:00 UTC, later events fall on weekdays between
//! 07:00 and 18:00 UTC; about 8.2 events per ticket.

use std::io::{self, BufWriter, Write};

struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in 0..n.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

const PRIORITIES: [&str; 4] = ["critical", "high", "normal", "outage"];
const REASONS: [&str; 6] = [
    "data_dependency",
    "approval",
    "change_management",
    "client_communication",
    "pending_payment",
    "work_review",
];
const AGENTS: [&str; 5] = ["ana", "ben", "chen", "dara", "eli"];

#[derive(Clone, Copy)]
enum Kind {
    Opened(u8),
    PriorityChanged(u8),
    Replied,
    ClientReplied,
    Paused(u8),
    Resumed,
    Resolved,
    Reopened,
    Closed,
}

/// One event, compact so that a million tickets can be sorted in memory.
#[derive(Clone, Copy)]
struct Event {
    at: i64,
    ticket: u32,
    seq: u8,
    kind: Kind,
}

/// 2026-01-01T00:00:00Z, a Thursday.
const YEAR_START: i64 = 1_767_225_600;

fn ticket(rng: &mut SplitMix64, id: u32, out: &mut Vec<Event>) {
    // A weekday of 2026, 07:00-16:00 UTC.
    let mut day = rng.below(365) as i64;
    while (day + 3) % 7 >= 5 {
        day = rng.below(365) as i64;
    }
    let mut at = YEAR_START + day * 86_400 + 7 * 3_600 + rng.below(9 * 3_600) as i64;
    let mut seq = 0u8;
    let mut push = |at: i64, kind: Kind, out: &mut Vec<Event>| {
        out.push(Event {
            at,
            ticket: id,
            seq,
            kind,
        });
        seq += 1;
    };
    let priority = rng.below(4) as u8;
    push(at, Kind::Opened(priority), out);
    at = step(rng, at, 240);
    push(at, Kind::Replied, out);
    if rng.chance(15) {
        at = step(rng, at, 120);
        let to = (priority + 1 + rng.below(3) as u8) % 4;
        push(at, Kind::PriorityChanged(to), out);
    }
    // Conversations: a client message and a reply, sometimes a pause.
    for _ in 0..rng.below(4) {
        at = step(rng, at, 600);
        push(at, Kind::ClientReplied, out);
        at = step(rng, at, 240);
        push(at, Kind::Replied, out);
    }
    if rng.chance(60) {
        at = step(rng, at, 240);
        push(at, Kind::Paused(rng.below(6) as u8), out);
        at = step(rng, at, 1_440);
        if rng.chance(50) {
            push(at, Kind::Resumed, out);
        } else {
            push(at, Kind::ClientReplied, out);
        }
    }
    at = step(rng, at, 1_440);
    push(at, Kind::Resolved, out);
    if rng.chance(10) {
        at = step(rng, at, 1_440);
        push(at, Kind::Reopened, out);
        at = step(rng, at, 240);
        push(at, Kind::Replied, out);
        at = step(rng, at, 1_440);
        push(at, Kind::Resolved, out);
    }
    if rng.chance(60) {
        at = step(rng, at, 4_320);
        push(at, Kind::Closed, out);
    }
}

/// How far to move an instant into business-ish hours (07:00-18:00 UTC on
/// a weekday): 0 if it is in them already.
fn business_shift(rng: &mut SplitMix64, at: i64) -> i64 {
    let mut t = at;
    let hour = t.rem_euclid(86_400) / 3_600;
    if !(7..18).contains(&hour) {
        let day = t.div_euclid(86_400) + i64::from(hour >= 18);
        t = day * 86_400 + 7 * 3_600 + rng.below(3_600) as i64;
    }
    // 1970-01-01 was a Thursday: day % 7 == 2 is Saturday, 3 Sunday.
    while matches!(t.div_euclid(86_400).rem_euclid(7), 2 | 3) {
        t += 86_400;
    }
    t - at
}

/// The next event's instant: a minute up to `max_minutes` later, moved into
/// business-ish hours.
fn step(rng: &mut SplitMix64, at: i64, max_minutes: u64) -> i64 {
    let t = at + 60 + rng.below(max_minutes * 60) as i64;
    t + business_shift(rng, t)
}

/// `2026-03-02T08:00:00Z` from seconds since the epoch (Howard Hinnant).
fn instant(secs: i64, buf: &mut String) {
    use std::fmt::Write as _;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let _ = write!(
        buf,
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3_600,
        rem / 60 % 60,
        rem % 60
    );
}

fn write_event(e: &Event, line: &mut String) {
    use std::fmt::Write as _;
    line.clear();
    let _ = write!(line, "{{\"ticket\":\"T-{}\",\"kind\":\"", e.ticket);
    let (name, extra) = match e.kind {
        Kind::Opened(p) => ("opened", Some(("priority", PRIORITIES[p as usize]))),
        Kind::PriorityChanged(p) => (
            "priority_changed",
            Some(("priority", PRIORITIES[p as usize])),
        ),
        Kind::Replied => ("replied", None),
        Kind::ClientReplied => ("client_replied", None),
        Kind::Paused(r) => ("paused", Some(("reason", REASONS[r as usize]))),
        Kind::Resumed => ("resumed", None),
        Kind::Resolved => ("resolved", None),
        Kind::Reopened => ("reopened", None),
        Kind::Closed => ("closed", None),
    };
    line.push_str(name);
    line.push_str("\",\"at\":\"");
    instant(e.at, line);
    line.push('"');
    if let Some((field, value)) = extra {
        let _ = write!(line, ",\"{field}\":\"{value}\"");
    }
    let _ = write!(line, ",\"id\":\"T-{}-{}\"", e.ticket, e.seq);
    match e.kind {
        Kind::Replied | Kind::Paused(_) | Kind::Resolved => {
            let agent = AGENTS[(e.ticket as usize + e.seq as usize) % AGENTS.len()];
            let _ = write!(line, ",\"by\":\"{agent}\"");
        }
        _ => {}
    }
    line.push_str("}\n");
}

fn main() -> io::Result<()> {
    let mut n: Option<u32> = None;
    let mut interleave = false;
    let mut seed = 0x5eed_acc0_0d00_0004u64;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--interleave" => interleave = true,
            "--seed" => seed = args.next().and_then(|s| s.parse().ok()).unwrap_or(seed),
            _ => n = arg.parse().ok(),
        }
    }
    let Some(n) = n else {
        eprintln!("usage: events-gen N [--interleave] [--seed S] > events.jsonl");
        std::process::exit(2);
    };
    let mut rng = SplitMix64(seed);
    let mut out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
    let mut line = String::with_capacity(256);
    let mut events = Vec::new();
    for id in 1..=n {
        if !interleave {
            events.clear();
        }
        ticket(&mut rng, id, &mut events);
        if !interleave {
            for e in &events {
                write_event(e, &mut line);
                out.write_all(line.as_bytes())?;
            }
        }
    }
    if interleave {
        events.sort_by_key(|e| (e.at, e.ticket, e.seq));
        for e in &events {
            write_event(e, &mut line);
            out.write_all(line.as_bytes())?;
        }
    }
    out.flush()
}
