//! How pages show clocks (SPEC §4, §5): words, numbers and bars for the
//! clocks the application layer evaluated as of now (`app::tickets`).
//!
//! The bar of a clock is drawn on its business-time axis: it is cut at every event
//! instant, and the core's evaluation at each cut says how much of the
//! stretch ran and how much was paused under which reason, so the bar is
//! exactly the core's figures, not a second implementation of them.

use std::collections::BTreeMap;

use accord_core::clock::{ClockState, Detail, Metric, evaluate_with};
use accord_core::contract::Contract;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Serialize;

use crate::app::tickets::Live;

// ---- words and numbers in the viewer's zone ----

/// An instant in the viewer's zone, the zone's abbreviation included:
/// `Fri 27 Nov 2026, 09:15 CET`.
pub(crate) fn when(t: Timestamp, zone: &TimeZone) -> String {
    t.to_zoned_datetime(zone.clone())
        .strftime("%a %-d %b %Y, %H:%M %Z")
        .to_string()
}

/// The same instant as RFC 3339 UTC, for `<time datetime>`.
pub(crate) fn iso(t: Timestamp) -> String {
    accord_core::instant::format(t)
}

/// Business seconds in words: `3 h 20 min`, `45 min`, `0 min`.
pub(crate) fn duration(secs: i64) -> String {
    let secs = secs.max(0);
    let (h, m) = (secs / 3600, (secs % 3600) / 60);
    match (h, m) {
        (0, 0) if secs > 0 => "under 1 min".to_string(),
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

/// Wall-clock age in words: `2 d 4 h`, `3 h 10 min`.
pub(crate) fn age(secs: i64) -> String {
    let secs = secs.max(0);
    if secs >= 86_400 {
        format!("{} d {} h", secs / 86_400, (secs % 86_400) / 3600)
    } else {
        duration(secs)
    }
}

/// A metric in words.
pub(crate) fn metric_name(m: Metric) -> &'static str {
    match m {
        Metric::FirstResponse => "First response",
        Metric::NextResponse => "Next response",
        Metric::Resolution => "Resolution",
        Metric::PeriodicUpdate => "Periodic update",
    }
}

/// A clock's name: its metric, and the cycle where there can be several.
pub(crate) fn clock_name(m: Metric, cycle: u32) -> String {
    match m {
        Metric::NextResponse | Metric::PeriodicUpdate => format!("{} #{cycle}", metric_name(m)),
        _ => metric_name(m).to_string(),
    }
}

/// A pause reason in words (`client_communication` -> `client communication`).
pub(crate) fn reason_words(reason: &str) -> String {
    reason.replace('_', " ")
}

/// The CSS class colouring a pause reason: the six standard reasons have
/// their own colour, others share one.
pub(crate) fn reason_class(reason: &str) -> String {
    const KNOWN: [&str; 6] = [
        "data_dependency",
        "approval",
        "change_management",
        "client_communication",
        "pending_payment",
        "work_review",
    ];
    if KNOWN.contains(&reason) {
        format!("pause-{}", reason.replace('_', "-"))
    } else {
        "pause-other".to_string()
    }
}

/// Who a pause waits on, in words: a contract contact reference such as
/// `client.approver` becomes `Jonas Weber (approver)`.
pub(crate) fn waiting_on_words(contract: &Contract, waiting_on: Option<&str>) -> String {
    let Some(w) = waiting_on.filter(|w| !w.trim().is_empty()) else {
        return "the client".to_string();
    };
    if let Some(role) = w.strip_prefix("client.")
        && let Some(c) = contract.contacts().client.get(role)
    {
        return format!("{} ({})", c.name, reason_words(role));
    }
    w.to_string()
}

// ---- clocks for templates ----

/// A stretch of a clock's bar.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct BarSegment {
    /// Start and width on a 0-1000 axis.
    pub x: f64,
    pub width: f64,
    /// `running`, `over` (running past the target) or a pause reason's class.
    pub class: String,
    /// What the stretch was, for the tooltip and screen readers.
    pub label: String,
}

/// A clock as pages show it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ClockView {
    pub name: String,
    pub metric: &'static str,
    pub cycle: u32,
    pub state: &'static str,
    pub live: bool,
    pub elapsed: String,
    pub target: String,
    pub remaining: String,
    pub remaining_secs: i64,
    pub paused: String,
    /// 0-100 for the small bar (capped), and the figure as text.
    pub percent: f64,
    pub percent_text: String,
    pub deadline: Option<String>,
    pub breached_at: Option<String>,
    pub segments: Vec<BarSegment>,
    /// Where the target sits on the 0-1000 axis.
    pub target_x: f64,
    pub paused_by_reason: Vec<(String, String, String)>,
}

fn state_word(s: ClockState) -> &'static str {
    s.as_str()
}

/// The clocks of `live`, with bars when `bars` (the ticket page).
pub(crate) fn clock_views(live: &Live, zone: &TimeZone, bars: bool) -> Vec<ClockView> {
    live.clocks
        .clocks
        .iter()
        .map(|c| {
            let elapsed = c.elapsed.as_secs();
            let target = c.target.as_secs();
            let percent = if target > 0 {
                elapsed as f64 * 100.0 / target as f64
            } else {
                100.0
            };
            let (segments, target_x) = if bars {
                bar_segments(live, c.metric, c.cycle, target)
            } else {
                let total = axis_total(target, elapsed, c.paused.as_secs());
                (Vec::new(), scale(target + c.paused.as_secs(), total))
            };
            ClockView {
                name: clock_name(c.metric, c.cycle),
                metric: c.metric.as_str(),
                cycle: c.cycle,
                state: state_word(c.state),
                live: !c.state.is_stopped(),
                elapsed: duration(elapsed),
                target: duration(target),
                remaining: duration(c.remaining.as_secs()),
                remaining_secs: c.remaining.as_secs(),
                paused: duration(c.paused.as_secs()),
                percent: percent.min(100.0),
                percent_text: format!("{:.0} %", percent.floor()),
                deadline: c.deadline.map(|d| when(d, zone)),
                breached_at: c.breached_at.map(|d| when(d, zone)),
                segments,
                target_x,
                paused_by_reason: c
                    .paused_by_reason
                    .iter()
                    .filter(|(_, d)| d.as_secs() > 0)
                    .map(|(r, d)| (reason_words(r), duration(d.as_secs()), reason_class(r)))
                    .collect(),
            }
        })
        .collect()
}

/// The length of a clock's axis: all its time (running and paused), or,
/// while the target is not reached, up to where the target would be if the
/// clock ran from now on.
fn axis_total(target: i64, elapsed: i64, paused: i64) -> i64 {
    (paused + elapsed.max(target)).max(1)
}

fn scale(secs: i64, total: i64) -> f64 {
    (secs as f64 * 1000.0 / total as f64 * 10.0).round() / 10.0
}

/// Cuts one clock's time at every event instant and lets the core say, at
/// each cut, how its elapsed and paused-by-reason figures grew. Returns the
/// bar's segments and where its target mark sits: where the running time
/// reaches the target, after the paused stretches before that point (or,
/// not reached yet, the remaining running time past the bar's end).
fn bar_segments(live: &Live, metric: Metric, cycle: u32, target: i64) -> (Vec<BarSegment>, f64) {
    let Some(now_clock) = live
        .clocks
        .clocks
        .iter()
        .find(|c| c.metric == metric && c.cycle == cycle)
    else {
        return (Vec::new(), 0.0);
    };
    let start = now_clock.started_at;
    let end = now_clock.stopped_at.unwrap_or(live.clocks.at);
    let mut cuts: Vec<Timestamp> = live
        .events
        .iter()
        .map(|e| e.at)
        .filter(|t| *t > start && *t < end)
        .collect();
    cuts.sort();
    cuts.dedup();
    // A long history is drawn from at most this many cuts (the last ones).
    const MAX_CUTS: usize = 200;
    if cuts.len() > MAX_CUTS {
        cuts.drain(..cuts.len() - MAX_CUTS);
    }
    cuts.push(end);

    // (kind, seconds): kind is "running" or a pause reason.
    let mut stretches: Vec<(String, i64)> = Vec::new();
    let (mut elapsed, mut paused) = (0i64, BTreeMap::<String, i64>::new());
    for t in cuts {
        let Ok(at) = evaluate_with(&live.parsed.policy, &live.events, t, Detail::Summary) else {
            continue;
        };
        let Some(c) = at
            .clocks
            .iter()
            .find(|c| c.metric == metric && c.cycle == cycle)
        else {
            continue;
        };
        let ran = c.elapsed.as_secs() - elapsed;
        if ran > 0 {
            push(&mut stretches, "running", ran);
        }
        for (reason, d) in &c.paused_by_reason {
            let before = paused.get(reason).copied().unwrap_or(0);
            if d.as_secs() > before {
                push(&mut stretches, reason, d.as_secs() - before);
            }
        }
        elapsed = c.elapsed.as_secs();
        paused = c
            .paused_by_reason
            .iter()
            .map(|(r, d)| (r.clone(), d.as_secs()))
            .collect();
    }
    let total = axis_total(target, elapsed, paused.values().sum());
    let mut out = Vec::new();
    let (mut x_secs, mut ran_secs) = (0i64, 0i64);
    let mut target_at: Option<i64> = None;
    for (kind, secs) in stretches {
        if kind == "running" {
            // The part of a running stretch past the target is drawn as over.
            let within = (target - ran_secs).clamp(0, secs);
            if target_at.is_none() && ran_secs + secs >= target {
                target_at = Some(x_secs + within);
            }
            if within > 0 {
                out.push(segment(x_secs, within, total, "running", "running".into()));
            }
            if secs > within {
                out.push(segment(
                    x_secs + within,
                    secs - within,
                    total,
                    "over",
                    "running past the target".into(),
                ));
            }
            ran_secs += secs;
        } else {
            let label = format!("paused for {}", reason_words(&kind));
            out.push(segment(x_secs, secs, total, &reason_class(&kind), label));
        }
        x_secs += secs;
    }
    let target_at = target_at.unwrap_or(x_secs + (target - ran_secs).max(0));
    (out, scale(target_at, total))
}

fn push(stretches: &mut Vec<(String, i64)>, kind: &str, secs: i64) {
    match stretches.last_mut() {
        Some((k, s)) if k == kind => *s += secs,
        _ => stretches.push((kind.to_string(), secs)),
    }
}

fn segment(start: i64, secs: i64, total: i64, class: &str, label: String) -> BarSegment {
    BarSegment {
        x: scale(start, total),
        width: scale(secs, total),
        class: class.to_string(),
        label: format!("{label}: {}", duration(secs)),
    }
}
