//! Writes a contract with N milestones, or the event histories of those
//! milestones as JSON Lines, from a fixed-seed splitmix64 stream (the same N
//! gives the same bytes), for benchmarking `accord milestones`.
//!
//! Usage:
//!   milestones-gen contract N > milestones.contract.toml
//!   milestones-gen events N [--seed S] > milestones.jsonl
//!
//! The contract is acme's calendar (Mon–Fri 09:00–17:00 Europe/Berlin with
//! the 2026 German holidays), its client contacts and N milestones
//! `m-00001`…, due on dates from March to December 2026, each with two
//! deliverables (one named by its id `export`, one by its position `2`)
//! due 5 to 45 days before it. Per milestone, about five events: each
//! deliverable received (90 %; on time, or 1–10 days late), a pause for
//! `pending_payment` or `approval` (60 %, resumed after 1–8 days in 90 % of
//! them, a second pause in 25 %), an agreed shift of -3..+5 business days
//! (55 %), completion near the due date (70 %) and acceptance after it (60 %
//! of those), each with an id, a `by` and some with a note; every event
//! between 07:00 and 18:00 UTC; 2 % of the lines sent twice. All events
//! sorted by time, as an export is.

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

/// Days since 1970-01-01 of 2026-01-01.
const JAN_1_2026: i64 = 20_454;

/// The civil date of a day number (Howard Hinnant's algorithm).
fn civil(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn date(days: i64) -> String {
    let (y, m, d) = civil(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// An instant on day `days` at `minute` minutes after midnight UTC.
fn instant(days: i64, minute: i64) -> String {
    format!("{}T{:02}:{:02}:00Z", date(days), minute / 60, minute % 60)
}

fn milestone_due(rng: &mut SplitMix64) -> i64 {
    // 2026-03-02 .. 2026-12-18, never on a weekend (1970-01-01 was a Thursday).
    loop {
        let d = JAN_1_2026 + 60 + rng.below(290) as i64;
        if (d + 3).rem_euclid(7) < 5 {
            return d;
        }
    }
}

fn contract(n: usize) -> String {
    let mut s = String::from(
        r#"id = "bench-milestones"
client = "Acme Analytics GmbH"
effective_from = 2026-01-01

[contacts.client]
approver = { name = "Jonas Weber", email = "jonas@acme.example" }
data_owner = { name = "Mia Braun", email = "mia@acme.example" }

[calendars.support]
timezone = "Europe/Berlin"
mon = ["09:00-17:00"]
tue = ["09:00-17:00"]
wed = ["09:00-17:00"]
thu = ["09:00-17:00"]
fri = ["09:00-17:00"]
holidays = [
  "2026-01-01", "2026-04-03", "2026-04-06", "2026-05-01", "2026-05-14",
  "2026-05-25", "2026-10-03", "2026-12-25", "2026-12-26",
]

[priorities.normal]
calendar = "support"
resolution = "40h"
"#,
    );
    let mut rng = SplitMix64(0x4d49_4c45_5354_4f4e);
    for i in 1..=n {
        let due = milestone_due(&mut rng);
        let export = due - 5 - rng.below(41) as i64;
        let approval = due - 5 - rng.below(41) as i64;
        s += &format!(
            "\n[[milestones]]\nid = \"m-{i:05}\"\nname = \"Phase {i}\"\ndue = {}\ncalendar = \"support\"\n\
             [[milestones.deliverables]]\nid = \"export\"\nwhat = \"Data export\"\nowner = \"client.data_owner\"\ndue = {}\nreason = \"data_dependency\"\n\
             [[milestones.deliverables]]\nwhat = \"Sign-off\"\nowner = \"client.approver\"\ndue = {}\nreason = \"approval\"\n",
            date(due),
            date(export),
            date(approval)
        );
    }
    s
}

/// One event line with its sort key (instant as day and minute).
struct Line {
    day: i64,
    minute: i64,
    text: String,
}

fn events(n: usize, seed: u64) -> Vec<Line> {
    // The contract's own stream, to know each milestone's dates.
    let mut dates = SplitMix64(0x4d49_4c45_5354_4f4e);
    let mut rng = SplitMix64(seed);
    let mut out = Vec::with_capacity(n * 5);
    let mut id = 0u64;
    for i in 1..=n {
        let due = milestone_due(&mut dates);
        let deliverables = [
            ("export", due - 5 - dates.below(41) as i64),
            ("2", due - 5 - dates.below(41) as i64),
        ];
        let mut push = |rng: &mut SplitMix64, day: i64, body: String| {
            id += 1;
            let minute = 7 * 60 + rng.below(11 * 60) as i64;
            let note = if rng.chance(30) {
                ", \"note\": \"recorded from the weekly status call\""
            } else {
                ""
            };
            out.push(Line {
                day,
                minute,
                text: format!(
                    "{{\"milestone\": \"m-{i:05}\", {body}, \"at\": \"{}\", \"id\": \"e-{id}\", \"by\": \"sam@provider.example\"{note}}}",
                    instant(day, minute)
                ),
            });
        };
        for (name, d) in deliverables {
            if rng.chance(90) {
                let day = if rng.chance(55) {
                    d - rng.below(4) as i64
                } else {
                    d + 1 + rng.below(10) as i64
                };
                push(
                    &mut rng,
                    day,
                    format!("\"kind\": \"deliverable_received\", \"deliverable\": \"{name}\""),
                );
            }
        }
        let pauses = if rng.chance(60) { 1 + u64::from(rng.chance(25)) } else { 0 };
        let mut start = due - 40;
        for _ in 0..pauses {
            start += 1 + rng.below(15) as i64;
            let reason = if rng.chance(50) { "pending_payment" } else { "approval" };
            push(&mut rng, start, format!("\"kind\": \"paused\", \"reason\": \"{reason}\""));
            if rng.chance(90) {
                start += 1 + rng.below(8) as i64;
                push(&mut rng, start, "\"kind\": \"resumed\"".to_string());
            }
        }
        if rng.chance(55) {
            let days = rng.below(9) as i64 - 3;
            let day = due - 20 + rng.below(15) as i64;
            push(
                &mut rng,
                day,
                format!("\"kind\": \"shifted\", \"days\": {days}, \"reason\": \"change request\""),
            );
        }
        if rng.chance(70) {
            let done = due - 5 + rng.below(15) as i64;
            push(&mut rng, done, "\"kind\": \"completed\"".to_string());
            if rng.chance(60) {
                let day = done + 1 + rng.below(5) as i64;
                push(&mut rng, day, "\"kind\": \"accepted\"".to_string());
            }
        }
    }
    // Re-sent events: 2 % of the lines twice.
    let again: Vec<Line> = out
        .iter()
        .filter(|_| rng.chance(2))
        .map(|l| Line { day: l.day, minute: l.minute, text: l.text.clone() })
        .collect();
    out.extend(again);
    out.sort_by_key(|l| (l.day, l.minute));
    out
}

fn main() -> io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    fn usage<T>() -> T {
        eprintln!("usage: milestones-gen contract N | milestones-gen events N [--seed S]");
        std::process::exit(2)
    }
    let n: usize = args.get(1).and_then(|n| n.parse().ok()).unwrap_or_else(usage);
    let seed = match args.iter().position(|a| a == "--seed") {
        Some(i) => args.get(i + 1).and_then(|s| s.parse().ok()).unwrap_or_else(usage),
        None => 0x4143_434f_5244_2026,
    };
    let mut out = BufWriter::new(io::stdout().lock());
    match args.first().map(String::as_str) {
        Some("contract") => out.write_all(contract(n).as_bytes())?,
        Some("events") => {
            for line in events(n, seed) {
                writeln!(out, "{}", line.text)?;
            }
        }
        _ => usage(),
    }
    out.flush()
}
