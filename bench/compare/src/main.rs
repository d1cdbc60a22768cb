//! Benchmark harness: `deadline(start, business_minutes)` on a Berlin support
//! calendar (Mon–Fri 09:00–17:00 Europe/Berlin, German nationwide holidays
//! 2026–2030), for `workclock` 0.1.4, `ule-hours` 0.1.2 and (later) accord-core.
//!
//! Usage:
//!   compare <lib> <n>       lib = workclock | ule-hours | ule-hours-rules | reference | accord
//!   compare gen-batch <n>   JSON Lines workload for the CLI benchmark
//!   compare holidays        the holiday list, one ISO date per line
//!   compare verify          hand-computed cases + full cross-check of all libs
//!
//! The workload (N = 100,000 pairs) is always generated in full, and the
//! calendar is always built, before timing starts, so `n = 0` under callgrind
//! measures exactly the fixed cost that `n = 20000` also pays.

use std::hint::black_box;
use std::time::Instant;

use jiff::civil::{date, Date, Weekday};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

// ---------------------------------------------------------------------------
// Workload
// ---------------------------------------------------------------------------

/// Number of (start, duration) pairs in the workload.
pub const N: usize = 100_000;
/// splitmix64 seed. Change it and every library sees the new workload.
pub const SEED: u64 = 0xACC0_5D0B_E4C4_2026;
/// 2026-01-01T00:00:00Z.
pub const START_LO: i64 = 1_767_225_600;
/// 2031-01-01T00:00:00Z (exclusive).
pub const START_HI: i64 = 1_924_992_000;
pub const MAX_MINUTES: u64 = 12_000;

struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..bound` (Lemire multiply-shift; bias < 2^-40 here).
    fn below(&mut self, bound: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(bound)) >> 64) as u64
    }
}

/// `(start unix seconds, business minutes)`, N pairs, fixed seed.
/// Pair i: start = START_LO + below(START_HI - START_LO); minutes = 1 + below(12000),
/// drawing start first, then minutes, from one splitmix64 stream seeded with SEED.
pub fn workload() -> Vec<(i64, i64)> {
    let mut rng = SplitMix64(SEED);
    let span = (START_HI - START_LO) as u64;
    (0..N)
        .map(|_| {
            let start = START_LO + rng.below(span) as i64;
            let minutes = 1 + rng.below(MAX_MINUTES) as i64;
            (start, minutes)
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Calendar definition
// ---------------------------------------------------------------------------

pub const ZONE: &str = "Europe/Berlin";

/// Easter Sunday, anonymous Gregorian algorithm (Meeus/Jones/Butcher).
fn easter(y: i16) -> Date {
    let y32 = i32::from(y);
    let a = y32 % 19;
    let b = y32 / 100;
    let c = y32 % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    date(y, month as i8, day as i8)
}

/// German nationwide public holidays 2026–2030 (45 dates), sorted.
pub fn holidays() -> Vec<Date> {
    let mut out = Vec::new();
    for y in 2026..=2030 {
        let e = easter(y);
        let off = |d: i64| e.checked_add(SignedDuration::from_hours(24 * d)).unwrap();
        out.extend([
            date(y, 1, 1),
            off(-2), // Good Friday
            off(1),  // Easter Monday
            date(y, 5, 1),
            off(39), // Ascension
            off(50), // Whit Monday
            date(y, 10, 3),
            date(y, 12, 25),
            date(y, 12, 26),
        ]);
    }
    out.sort();
    out.dedup();
    // Hard-coded cross-check (Easter: 2026-04-05, 2027-03-28, 2028-04-16, 2029-04-01, 2030-04-21).
    const EXPECTED: [&str; 45] = [
        "2026-01-01", "2026-04-03", "2026-04-06", "2026-05-01", "2026-05-14", "2026-05-25",
        "2026-10-03", "2026-12-25", "2026-12-26", "2027-01-01", "2027-03-26", "2027-03-29",
        "2027-05-01", "2027-05-06", "2027-05-17", "2027-10-03", "2027-12-25", "2027-12-26",
        "2028-01-01", "2028-04-14", "2028-04-17", "2028-05-01", "2028-05-25", "2028-06-05",
        "2028-10-03", "2028-12-25", "2028-12-26", "2029-01-01", "2029-03-30", "2029-04-02",
        "2029-05-01", "2029-05-10", "2029-05-21", "2029-10-03", "2029-12-25", "2029-12-26",
        "2030-01-01", "2030-04-19", "2030-04-22", "2030-05-01", "2030-05-30", "2030-06-10",
        "2030-10-03", "2030-12-25", "2030-12-26",
    ];
    let got: Vec<String> = out.iter().map(ToString::to_string).collect();
    assert_eq!(got, EXPECTED, "computed holidays disagree with hard-coded list");
    out
}

// ---------------------------------------------------------------------------
// Library adapters. Each builds its calendar (untimed) and returns a closure
// doing one deadline: (start unix secs, minutes) -> Option<deadline unix secs>.
// ---------------------------------------------------------------------------

type DeadlineFn = Box<dyn Fn(i64, i64) -> Option<i64>>;

fn workclock_fn() -> DeadlineFn {
    use jiff::civil::time;
    use workclock::{Holidays, Schedule, Weekdays, WorkDay};
    let schedule = Schedule::builder()
        .time_zone(ZONE)
        .rule(WorkDay::new(time(9, 0, 0, 0), time(17, 0, 0, 0), Weekdays::MON_TO_FRI))
        .rule(Holidays::new(holidays()))
        .build()
        .expect("workclock schedule");
    Box::new(move |start, minutes| {
        let t = Timestamp::from_second(start).ok()?;
        schedule
            .add(t, SignedDuration::from_mins(minutes))
            .ok()
            .map(|d| d.as_second())
    })
}

/// ule-hours with the explicit 45-date list (`Builder::closed_on`, a BTreeSet).
fn ule_hours_fn() -> DeadlineFn {
    let mut b = ule_hours::Schedule::builder(ZONE)
        .expect("zone")
        .mon_fri("09:00-17:00")
        .expect("windows");
    for d in holidays() {
        b = b.closed_on(d);
    }
    let schedule = b.build();
    Box::new(move |start, minutes| {
        let t = Timestamp::from_second(start).ok()?;
        schedule
            .add(t, SignedDuration::from_mins(minutes))
            .ok()
            .map(|d| d.as_second())
    })
}

/// Extra variant: ule-hours with its rule-based `germany_national()` preset
/// (Easter recomputed per day). NOTE: this also closes 2031-01-01, which the
/// 2026–2030 list does not, so its checksum legitimately differs.
fn ule_hours_rules_fn() -> DeadlineFn {
    let schedule = ule_hours::Schedule::builder(ZONE)
        .expect("zone")
        .mon_fri("09:00-17:00")
        .expect("windows")
        .holidays(ule_hours::germany_national())
        .build();
    Box::new(move |start, minutes| {
        let t = Timestamp::from_second(start).ok()?;
        schedule
            .add(t, SignedDuration::from_mins(minutes))
            .ok()
            .map(|d| d.as_second())
    })
}

/// Independent, deliberately naive day-by-day reference (only uses jiff for
/// the zone conversion). Semantics: work starts at the next opening; using up
/// a day exactly lands on that day's 17:00.
fn reference_fn() -> DeadlineFn {
    let tz = TimeZone::get(ZONE).expect("zone");
    let hol: std::collections::BTreeSet<Date> = holidays().into_iter().collect();
    Box::new(move |start, minutes| {
        let t = Timestamp::from_second(start).ok()?;
        let mut left = minutes * 60;
        let mut day = t.to_zoned(tz.clone()).date();
        loop {
            let wd = day.weekday();
            if wd != Weekday::Saturday && wd != Weekday::Sunday && !hol.contains(&day) {
                let at = |h: i8| {
                    tz.to_ambiguous_timestamp(day.at(h, 0, 0, 0))
                        .compatible()
                        .unwrap()
                        .as_second()
                };
                let (open, close) = (at(9), at(17));
                let s = open.max(start);
                if close > s {
                    if left <= close - s {
                        return Some(s + left);
                    }
                    left -= close - s;
                }
            }
            day = day.tomorrow().ok()?;
        }
    })
}

// ---------------------------------------------------------------------------
// accord (behind the `accord` feature; see Cargo.toml for how to enable it)
// ---------------------------------------------------------------------------

#[cfg(feature = "accord")]
mod accord_bench {
    /// The same calendar as the other libs, in Accord's contract format.
    pub const CONTRACT_TOML: &str = include_str!("../berlin.contract.toml");

    /// Builds the calendar from the contract, then answers every deadline
    /// (the index of open time is built lazily inside the timed loop, so its
    /// cost is included).
    pub fn run_accord(work: &[(i64, i64)]) -> u64 {
        use accord_core::BusinessDuration;
        use accord_core::contract::Contract;
        use accord_core::diagnostic::SourceFile;
        let src = SourceFile::new("berlin.contract.toml", CONTRACT_TOML);
        let contract = Contract::parse(&src, &mut |_| Err(std::io::ErrorKind::NotFound.into()))
            .expect("contract");
        let cal = contract.calendar("support").expect("calendar");
        let mut acc = 0u64;
        for &(s, m) in work {
            let start = jiff1::Timestamp::from_second(super::black_box(s)).expect("start");
            let due = cal
                .deadline(start, BusinessDuration::from_mins(super::black_box(m)).expect("minutes"))
                .expect("deadline");
            acc = acc.wrapping_add(due.as_second() as u64);
        }
        acc
    }
}

// ---------------------------------------------------------------------------
// Driver
// ---------------------------------------------------------------------------

fn make(lib: &str) -> Option<DeadlineFn> {
    Some(match lib {
        "workclock" => workclock_fn(),
        "ule-hours" => ule_hours_fn(),
        "ule-hours-rules" => ule_hours_rules_fn(),
        "reference" => reference_fn(),
        _ => return None,
    })
}

/// Timed loop. Checksum = wrapping sum of deadline unix seconds.
#[inline(never)]
fn run(f: &dyn Fn(i64, i64) -> Option<i64>, work: &[(i64, i64)]) -> (u64, u64) {
    let mut acc = 0u64;
    let mut errors = 0u64;
    for &(s, m) in work {
        match f(black_box(s), black_box(m)) {
            Some(d) => acc = acc.wrapping_add(d as u64),
            None => errors += 1,
        }
    }
    (black_box(acc), errors)
}

fn rfc3339(secs: i64) -> String {
    Timestamp::from_second(secs)
        .unwrap()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

fn usage() -> ! {
    eprintln!(
        "usage: compare <workclock|ule-hours|ule-hours-rules|reference|accord> <n>\n       \
         compare gen-batch <n>\n       compare holidays\n       compare verify"
    );
    std::process::exit(2)
}

fn parse_n(arg: Option<&String>) -> usize {
    let n: usize = arg.and_then(|s| s.parse().ok()).unwrap_or_else(|| usage());
    if n > N {
        eprintln!("n must be <= {N}");
        std::process::exit(2);
    }
    n
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cmd = args.first().map(String::as_str).unwrap_or_else(|| usage());
    match cmd {
        "gen-batch" => {
            let n = parse_n(args.get(1));
            use std::io::Write;
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            for &(s, m) in &workload()[..n] {
                writeln!(
                    out,
                    r#"{{"calendar":"support","op":"deadline","start":"{}","minutes":{}}}"#,
                    rfc3339(s),
                    m
                )
                .unwrap();
            }
        }
        "holidays" => {
            for d in holidays() {
                println!("{d}");
            }
        }
        "verify" => verify(),
        lib => {
            let n = parse_n(args.get(1));
            let work = workload(); // always the full N, so it cancels out under callgrind
            let slice = &work[..n];
            let (secs, checksum, errors) = if lib == "accord" {
                #[cfg(feature = "accord")]
                {
                    let t0 = Instant::now();
                    let c = black_box(accord_bench::run_accord(black_box(slice)));
                    (t0.elapsed().as_secs_f64(), c, 0)
                }
                #[cfg(not(feature = "accord"))]
                {
                    eprintln!("built without the `accord` feature (see Cargo.toml)");
                    std::process::exit(2);
                }
            } else {
                let f = make(lib).unwrap_or_else(|| usage());
                let t0 = Instant::now();
                let (c, e) = run(&*f, black_box(slice));
                (t0.elapsed().as_secs_f64(), c, e)
            };
            let ops = if secs > 0.0 { n as f64 / secs } else { 0.0 };
            println!(
                "lib={lib} n={n} secs={secs:.6} ops_per_sec={ops:.0} checksum={checksum:#018x} errors={errors}"
            );
        }
    }
}

// ---------------------------------------------------------------------------
// Verification
// ---------------------------------------------------------------------------

fn ts(s: &str) -> i64 {
    // accepts "...Z" or "...+01:00"
    s.parse::<Timestamp>().unwrap().as_second()
}

fn verify() {
    // The contract TOML must list exactly the same holidays.
    let toml = include_str!("../berlin.contract.toml");
    let from = toml.find("holidays = [").unwrap();
    let list = &toml[from..from + toml[from..].find(']').unwrap()];
    let in_toml: Vec<&str> = list.split('"').skip(1).step_by(2).collect();
    let ours: Vec<String> = holidays().iter().map(ToString::to_string).collect();
    assert_eq!(in_toml, ours, "berlin.contract.toml holidays differ");
    println!("contract toml: {} holidays match", in_toml.len());

    // (start, minutes, expected deadline, note) — all hand-computed.
    let cases: &[(&str, i64, &str, &str)] = &[
        ("2026-01-02T16:00:00+01:00", 120, "2026-01-05T09:00:00Z", "Fri 16:00 +2h -> Mon 10:00 CET"),
        ("2026-01-05T09:00:00+01:00", 480, "2026-01-05T16:00:00Z", "full day lands on 17:00 same day"),
        ("2026-01-05T09:00:00+01:00", 481, "2026-01-06T08:01:00Z", "one minute past a full day"),
        ("2026-01-01T10:00:00+01:00", 60, "2026-01-02T09:00:00Z", "New Year (Thu) closed -> Fri 10:00"),
        ("2026-04-02T16:00:00+02:00", 120, "2026-04-07T08:00:00Z", "Thu before Easter: GF+EM closed -> Tue 10:00 CEST"),
        ("2026-03-28T12:00:00+01:00", 60, "2026-03-30T08:00:00Z", "Sat before spring DST -> Mon 10:00 CEST"),
        ("2026-10-23T16:00:00+02:00", 120, "2026-10-26T09:00:00Z", "Fri before autumn DST -> Mon 10:00 CET"),
        ("2026-12-23T16:00:00+01:00", 540, "2026-12-24T16:00:00Z", "Wed 16:00 + 9h -> Thu 24 Dec 17:00"),
        ("2026-12-23T16:00:00+01:00", 541, "2026-12-28T08:01:00Z", "25/26 Dec closed -> Mon 28 Dec 09:01"),
        ("2028-10-03T10:00:00+02:00", 30, "2028-10-04T07:30:00Z", "start on 3 Oct (Tue, holiday) -> Wed 09:30"),
        ("2026-05-13T16:30:00+02:00", 60, "2026-05-15T07:30:00Z", "Wed before Ascension -> Fri 09:30"),
        ("2030-06-07T18:00:00+02:00", 1, "2030-06-11T07:01:00Z", "Fri evening, Whit Monday 10 Jun closed -> Tue 09:01"),
        ("2026-01-05T09:00:00+01:00", 12000, "2026-02-06T16:00:00Z", "200h = 25 working days -> Fri 6 Feb 17:00"),
        ("2030-12-31T16:59:30+01:00", 1, "2031-01-01T08:00:30Z", "2031-01-01 not in 2026-2030 list -> open"),
    ];
    let libs = ["workclock", "ule-hours", "ule-hours-rules", "reference"];
    let fns: Vec<(&str, DeadlineFn)> = libs.iter().map(|l| (*l, make(l).unwrap())).collect();
    let mut bad = 0;
    for &(start, m, want, note) in cases {
        let (s, w) = (ts(start), ts(want));
        for (name, f) in &fns {
            let got = f(s, m);
            if got != Some(w) {
                bad += 1;
                println!(
                    "MISMATCH {name}: start={start} +{m}min want={want} got={} ({note})",
                    got.map(rfc3339).unwrap_or_else(|| "error".into())
                );
            }
        }
    }
    println!("hand cases: {} cases x {} impls, {bad} mismatches", cases.len(), fns.len());

    // Full cross-check against the naive reference.
    let work = workload();
    let reference: Vec<Option<i64>> = work.iter().map(|&(s, m)| (fns[3].1)(s, m)).collect();
    for (name, f) in &fns[..3] {
        let mut diffs = 0usize;
        let mut shown = 0;
        for (i, &(s, m)) in work.iter().enumerate() {
            let got = f(s, m);
            if got != reference[i] {
                diffs += 1;
                if shown < 3 {
                    shown += 1;
                    println!(
                        "  {name} differs at i={i}: start={} +{m}min ref={} got={}",
                        rfc3339(s),
                        reference[i].map(rfc3339).unwrap_or_default(),
                        got.map(rfc3339).unwrap_or_else(|| "error".into())
                    );
                }
            }
        }
        println!("workload cross-check {name} vs reference: {diffs}/{} differ", work.len());
        if *name == "ule-hours-rules" {
            // Expected: germany_national() also closes 2031-01-01 (Wed). Any
            // difference whose reference deadline is before that day is a bug.
            let cut = ts("2031-01-01T00:00:00+01:00");
            let unexplained = work
                .iter()
                .enumerate()
                .filter(|&(i, &(s, m))| f(s, m) != reference[i] && reference[i].is_none_or(|r| r < cut))
                .count();
            println!("  of which not explained by 2031-01-01: {unexplained}");
        }
    }
}
