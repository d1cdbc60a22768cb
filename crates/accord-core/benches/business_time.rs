//! Business-time throughput on the reference workload: Mon–Fri 09:00–17:00
//! Europe/Berlin with German public holidays 2026–2030, starts uniform over
//! 2026–2030, durations uniform in 1..=12 000 business minutes.
//!
//! `cargo bench -p accord-core --bench business_time`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;

use accord_core::BusinessDuration;
use accord_core::calendar::Calendar;
use accord_core::contract::Contract;
use accord_core::diagnostic::SourceFile;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use jiff::Timestamp;

const CONTRACT: &str = include_str!("../../../bench/compare/berlin.contract.toml");
const N: usize = 10_000;

fn calendar() -> Calendar {
    let src = SourceFile::new("berlin.contract.toml", CONTRACT);
    let contract = Contract::parse(&src, &mut |_| Err(std::io::ErrorKind::NotFound.into()))
        .unwrap_or_else(|e| panic!("{e}"));
    contract
        .calendar("support")
        .cloned()
        .unwrap_or_else(|| panic!("no support calendar"))
}

/// Deterministic (start, duration) pairs: xorshift64*, fixed seed.
fn workload(max_minutes: u64) -> Vec<(Timestamp, BusinessDuration)> {
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    };
    let (lo, hi) = (1_767_225_600u64, 1_924_992_000u64); // 2026-01-01 .. 2031-01-01
    (0..N)
        .map(|_| {
            let start =
                Timestamp::from_second((lo + next() % (hi - lo)) as i64).unwrap_or_default();
            let minutes = 1 + next() % max_minutes;
            (
                start,
                BusinessDuration::from_mins(minutes as i64).unwrap_or_default(),
            )
        })
        .collect()
}

fn deadlines(c: &mut Criterion) {
    let cal = calendar();
    let mut group = c.benchmark_group("deadline");
    group.throughput(Throughput::Elements(N as u64));
    for (name, max_minutes) in [
        ("1..12000min", 12_000),
        ("1..60min", 60),
        ("1..120000min", 120_000),
    ] {
        let work = workload(max_minutes);
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut acc = 0i64;
                for &(start, d) in &work {
                    acc ^= cal
                        .deadline(black_box(start), black_box(d))
                        .map_or(0, |t| t.as_second());
                }
                acc
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("elapsed");
    group.throughput(Throughput::Elements(N as u64));
    let work: Vec<(Timestamp, Timestamp)> = workload(12_000)
        .into_iter()
        .map(|(s, d)| {
            (
                s,
                Timestamp::from_second(s.as_second() + 3 * d.as_secs()).unwrap_or(s),
            )
        })
        .collect();
    group.bench_function("1..36000min_wall", |b| {
        b.iter(|| {
            let mut acc = 0i64;
            for &(s, e) in &work {
                acc ^= cal
                    .elapsed(black_box(s), black_box(e))
                    .map_or(0, |d| d.as_secs());
            }
            acc
        })
    });
    group.finish();
}

criterion_group!(benches, deadlines);
criterion_main!(benches);
