//! Writes N time entries as JSON Lines for `examples/acme.contract.toml`
//! (SPEC §10), from a fixed-seed splitmix64 stream (the same N gives the
//! same bytes).
//!
//! Usage: entries-gen N [--seed S] > entries.jsonl
//!
//! Entries start on weekdays of 2026 between 07:00 and 17:59 UTC, spread
//! evenly over the year in time order; 5 to 240 minutes each, half given
//! with `end`, half with `minutes`; 12 people (one with a person rate), 5
//! activities (two with activity rates), 3 % `no_charge`, 5 %
//! `non_billable`, 2 % with their own rate, a third on a ticket, a fifth on
//! the milestone.

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
}

const PEOPLE: [&str; 12] = [
    "sam", "dana", "lee", "ana", "ben", "chen", "dara", "eli", "fay", "gus", "hal", "ivy",
];
const ACTIVITIES: [&str; 5] = ["development", "meeting", "support", "review", "analysis"];

/// Seconds since 1970 of 2026-01-01T00:00:00Z.
const YEAR_START: u64 = 1_767_225_600;

/// Civil date and time in UTC of `secs` since 1970 (Howard Hinnant).
fn civil(secs: u64) -> (u64, u64, u64, u64, u64) {
    let days = secs / 86_400;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day, rem / 3600, rem % 3600 / 60)
}

fn stamp(secs: u64) -> String {
    let (y, mo, d, h, mi) = civil(secs);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:00Z")
}

fn main() -> io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let n: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(1000);
    let seed = args
        .iter()
        .position(|a| a == "--seed")
        .and_then(|i| args.get(i + 1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(7);
    let mut rng = SplitMix64(seed);
    let mut out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
    // 261 weekdays in 2026; entries are spread evenly over them.
    let weekdays: Vec<u64> = (0..365)
        .filter(|d| (d + 3) % 7 < 5) // 2026-01-01 is a Thursday
        .collect();
    for i in 0..n {
        let day = weekdays[(i * weekdays.len() as u64 / n.max(1)) as usize];
        let start = YEAR_START + day * 86_400 + 7 * 3600 + rng.below(11 * 60) * 60;
        let minutes = 5 + rng.below(236);
        let person = PEOPLE[rng.below(PEOPLE.len() as u64) as usize];
        let activity = ACTIVITIES[rng.below(ACTIVITIES.len() as u64) as usize];
        write!(
            out,
            r#"{{"id":"E-{i:07}","person":"{person}@provider.example","start":"{}","#,
            stamp(start)
        )?;
        if i % 2 == 0 {
            write!(out, r#""end":"{}","#, stamp(start + minutes * 60))?;
        } else {
            write!(out, r#""minutes":{minutes},"#)?;
        }
        write!(out, r#""activity":"{activity}""#)?;
        match rng.below(3) {
            0 => write!(out, r#","ticket":"T-{}""#, rng.below(20_000))?,
            _ if rng.below(5) == 0 => write!(out, r#","milestone":"pipeline-live""#)?,
            _ => {}
        }
        match rng.below(100) {
            0..3 => write!(out, r#","billable":"no_charge""#)?,
            3..8 => write!(out, r#","billable":"non_billable""#)?,
            8..10 => write!(out, r#","rate":"{}.50""#, 80 + rng.below(100))?,
            _ => {}
        }
        if rng.below(4) == 0 {
            write!(out, r#","note":"worked on item {}""#, rng.below(1000))?;
        }
        writeln!(out, "}}")?;
    }
    out.flush()
}
