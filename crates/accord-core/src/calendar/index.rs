//! The precomputed index of open time that makes business-time arithmetic
//! cheap: time is cut into fixed blocks of 2^25 seconds (about 388 days) in
//! UTC; each block holds its open intervals as UTC seconds with running
//! totals, built on first use. A deadline or elapsed query is a couple of
//! binary searches inside a block plus one subtraction per block it crosses,
//! so a deadline a year ahead costs about what one an hour ahead does.
//!
//! How a block is built (SPEC §3, "an interval covers exactly the real
//! instants whose local time is inside it"): the opening intervals of every
//! local date near the block are laid out on the *local* time line, then the
//! block is split at the zone's offset transitions; within each piece of
//! constant offset `o`, an instant `u` is open iff `u + o` is inside a local
//! interval, so the piece's open set is the local intervals shifted by `-o`.
//! That makes a spring-forward 09:00-17:00 still 8 hours, a 00:00-24:00
//! fall-back day 25 hours, and a date the zone skipped (Pacific/Apia,
//! 2011-12-30) closed, with no special cases.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

use super::CalendarRules;

/// log2 of a block's length in seconds.
pub(super) const BLOCK_SHIFT: u32 = 25;
/// A block's length in seconds.
pub(super) const BLOCK_SECONDS: i64 = 1 << BLOCK_SHIFT;
/// Start of the first block: 1900-01-01T00:00:00Z.
pub(super) const FIRST_SECOND: i64 = -2_208_988_800;
/// Number of blocks: the index covers 1900-01-01 to early 2444.
pub(super) const BLOCK_COUNT: usize = 512;
/// First instant past the index.
pub(super) const END_SECOND: i64 = FIRST_SECOND + BLOCK_COUNT as i64 * BLOCK_SECONDS;

const DAY: i64 = 86_400;

/// The open intervals inside one block, `[starts[i], ends[i])` in UTC
/// seconds, sorted and disjoint, with `cum_end[i]` the open seconds from the
/// block's start to `ends[i]`.
#[derive(Debug, Clone, Default)]
pub(super) struct Block {
    pub starts: Box<[i64]>,
    pub ends: Box<[i64]>,
    pub cum_end: Box<[i64]>,
}

impl Block {
    /// Open seconds in the whole block.
    #[inline]
    pub fn total(&self) -> i64 {
        self.cum_end.last().copied().unwrap_or(0)
    }

    /// Index of the first interval that ends after `t` (`len` if none).
    #[inline]
    pub fn interval_after(&self, t: i64) -> usize {
        self.ends.partition_point(|&e| e <= t)
    }

    /// Open seconds from the block's start to `t` (`t` inside the block).
    #[inline]
    pub fn open_before(&self, t: i64) -> i64 {
        let i = self.interval_after(t);
        match self.ends.get(i) {
            None => self.total(),
            Some(&end) => {
                let start = self.starts[i];
                self.cum_end[i] - (end - start) + (t - start).max(0)
            }
        }
    }

    /// The earliest instant at which the open seconds since the block's
    /// start reach `target`, for `0 < target <= total()`.
    #[inline]
    pub fn instant_at(&self, target: i64) -> i64 {
        let j = self.cum_end.partition_point(|&c| c < target);
        self.ends[j] - (self.cum_end[j] - target)
    }
}

/// The block holding `second`, if inside the index.
#[inline]
pub(super) fn block_of(second: i64) -> Option<usize> {
    if (FIRST_SECOND..END_SECOND).contains(&second) {
        Some(((second - FIRST_SECOND) >> BLOCK_SHIFT) as usize)
    } else {
        None
    }
}

/// First second of block `k`.
#[inline]
pub(super) fn block_start(k: usize) -> i64 {
    FIRST_SECOND + k as i64 * BLOCK_SECONDS
}

/// Builds block `k` of the calendar described by `rules`.
pub(super) fn build(rules: &CalendarRules, k: usize) -> Block {
    let b0 = block_start(k);
    let b1 = b0 + BLOCK_SECONDS;
    // Local dates whose hours can reach into the block: offsets are within ±26 h.
    let local = local_intervals(
        rules,
        (b0 - 2 * DAY).div_euclid(DAY),
        (b1 + 2 * DAY).div_euclid(DAY),
    );
    let mut open: Vec<(i64, i64)> = Vec::with_capacity(local.len());
    for (seg_start, seg_end, offset) in offset_segments(&rules.zone, b0, b1) {
        let (lo, hi) = (seg_start + offset, seg_end + offset);
        let first = local.partition_point(|&(_, end)| end <= lo);
        for &(a, e) in local[first..].iter().take_while(|&&(a, _)| a < hi) {
            push_merged(&mut open, a.max(lo) - offset, e.min(hi) - offset);
        }
    }
    let mut cum = 0;
    let cum_end = open
        .iter()
        .map(|&(a, e)| {
            cum += e - a;
            cum
        })
        .collect();
    Block {
        starts: open.iter().map(|&(a, _)| a).collect(),
        ends: open.iter().map(|&(_, e)| e).collect(),
        cum_end,
    }
}

/// Appends `[a, e)`, joining it to the previous interval when they touch.
fn push_merged(out: &mut Vec<(i64, i64)>, a: i64, e: i64) {
    if e <= a {
        return;
    }
    match out.last_mut() {
        Some(last) if last.1 == a => last.1 = e,
        _ => out.push((a, e)),
    }
}

/// Opening intervals of local days `first_day..=last_day` (days since
/// 1970-01-01) on the local time line, in "local seconds" (local wall time
/// counted as if it were UTC), merged where they touch across midnight.
fn local_intervals(rules: &CalendarRules, first_day: i64, last_day: i64) -> Vec<(i64, i64)> {
    let mut out = Vec::new();
    let mut date = date_of_day(first_day);
    for day in first_day..=last_day {
        let midnight = day * DAY;
        for iv in rules.hours_on(date).intervals() {
            push_merged(
                &mut out,
                midnight + i64::from(iv.start()),
                midnight + i64::from(iv.end()),
            );
        }
        match date.tomorrow() {
            Ok(next) => date = next,
            Err(_) => break,
        }
    }
    out
}

/// The civil date `day` days after 1970-01-01.
fn date_of_day(day: i64) -> Date {
    Timestamp::from_second(day * DAY)
        .map(|t| TimeZone::UTC.to_datetime(t).date())
        .unwrap_or(Date::MIN)
}

/// `[b0, b1)` cut at the zone's transitions: `(start, end, offset_seconds)`.
fn offset_segments(zone: &TimeZone, b0: i64, b1: i64) -> Vec<(i64, i64, i64)> {
    let Ok(t0) = Timestamp::from_second(b0) else {
        return Vec::new();
    };
    let mut segments = Vec::new();
    let mut start = b0;
    let mut offset = i64::from(zone.to_offset(t0).seconds());
    for transition in zone.following(t0) {
        let at = transition.timestamp().as_second();
        if at >= b1 {
            break;
        }
        segments.push((start, at, offset));
        start = at;
        offset = i64::from(transition.offset().seconds());
    }
    segments.push((start, b1, offset));
    segments
}
