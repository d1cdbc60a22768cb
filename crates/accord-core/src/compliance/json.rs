//! The statement's machine output (SPEC §10: `{"contract", "period",
//! "objectives", "breaches", "paused_by_reason", "credits", …}`): money as
//! decimal strings, durations as whole seconds, shares as decimal numbers,
//! instants as RFC 3339 UTC. One writer, so `accord report --format json`
//! and the service's stored statements are the same text for the same
//! figures.

use std::fmt::Write as _;

use rust_decimal::Decimal;

use super::{
    ActivityHours, CountedClock, CreditsDue, Outcome, ReportPeriod, Share, Statement,
    minor_unit_digits, round_money,
};
use crate::BusinessDuration;
use crate::clock::Metric;
use crate::contract::Contract;
use crate::instant;

/// A JSON string literal.
fn quoted(out: &mut String, s: &str) {
    out.push_str(&serde_json::Value::from(s).to_string());
}

/// A key and the start of its value: `"key":`.
fn key(out: &mut String, k: &str) {
    quoted(out, k);
    out.push(':');
}

fn money(amount: Decimal, digits: u32) -> String {
    round_money(amount, digits).to_string()
}

/// A share as a JSON number, `null` with no data.
fn share_json(share: Share) -> String {
    share
        .value()
        .map_or_else(|| "null".to_string(), |d| d.to_string())
}

/// `{"metric","priority","period","measured","met","share"` of an
/// objective or a credit rule over one period, left open.
fn measured_json(
    out: &mut String,
    metric: Metric,
    priority: &str,
    period: ReportPeriod,
    share: Share,
) {
    let _ = write!(out, "{{\"metric\":\"{}\",\"priority\":", metric.as_str());
    quoted(out, priority);
    let _ = write!(
        out,
        ",\"period\":\"{period}\",\"measured\":{},\"met\":{},\"share\":{}",
        share.measured,
        share.met,
        share_json(share)
    );
}

/// `{"reason":seconds,…}`.
fn durations_json<'a>(
    out: &mut String,
    by_reason: impl Iterator<Item = (&'a String, &'a BusinessDuration)>,
) {
    out.push('{');
    for (i, (reason, d)) in by_reason.enumerate() {
        if i > 0 {
            out.push(',');
        }
        key(out, reason);
        let _ = write!(out, "{}", d.as_secs());
    }
    out.push('}');
}

/// Appends the statement `s` of `contract` as one JSON object.
pub fn statement_json(out: &mut String, contract: &Contract, s: &Statement) {
    let digits = minor_unit_digits(contract.currency());
    out.push('{');
    key(out, "contract");
    quoted(out, &s.contract);
    out.push(',');
    key(out, "period");
    quoted(out, &s.period.to_string());
    let _ = write!(
        out,
        ",\"start\":\"{}\",\"end\":\"{}\",",
        instant::format(s.start),
        instant::format(s.end)
    );
    key(out, "zone");
    quoted(out, &s.zone);
    out.push_str(",\"objectives\":[");
    for (i, o) in s.objectives.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        measured_json(out, o.metric, &o.priority, o.period, o.share);
        let _ = write!(
            out,
            ",\"objective\":{},\"status\":\"{}\"}}",
            o.within_target.normalize(),
            o.status.as_str()
        );
    }
    out.push_str("],\"breaches\":[");
    clocks_json(out, &s.breaches);
    out.push_str("],\"excluded\":[");
    clocks_json(out, &s.excluded);
    out.push_str("],\"paused_by_reason\":");
    durations_json(out, s.paused_by_reason.iter());
    let _ = write!(
        out,
        ",\"provider_s\":{},\"clocks\":{{\"measured\":{},\"met\":{},\"breached\":{}}},\"credits\":",
        s.provider_time.as_secs(),
        s.counted.measured,
        s.counted.met,
        s.counted.breached()
    );
    credits_json(out, contract, s.credits.as_ref(), digits);
    out.push_str(",\"milestones\":[");
    for (i, m) in s.milestones.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('{');
        key(out, "milestone");
        quoted(out, &m.id);
        out.push(',');
        key(out, "name");
        quoted(out, &m.name);
        let _ = write!(
            out,
            ",\"baseline_due\":\"{}\",\"adjusted_due\":\"{}\",\"client_delay_days\":{},\"shift_days\":{},\"state\":\"{}\",\"miss\":",
            m.baseline_due,
            m.adjusted_due,
            m.client_delay_days,
            m.shift_days,
            m.state.as_str()
        );
        match m.miss {
            Some(who) => quoted(out, who),
            None => out.push_str("null"),
        }
        out.push('}');
    }
    out.push_str("],\"hours_by_activity\":{");
    for (i, (activity, h)) in s.hours_by_activity.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        key(out, activity);
        hours_json(out, h);
    }
    out.push_str("}}");
}

/// `{"raw_s","billed_s","by_kind":{"billable":{"raw_s","billed_s"},…}}`.
fn hours_json(out: &mut String, h: &ActivityHours) {
    let _ = write!(
        out,
        "{{\"raw_s\":{},\"billed_s\":{},\"by_kind\":{{",
        h.total.raw_s, h.total.billed_s
    );
    for (i, (kind, k)) in h.by_kind.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(
            out,
            "\"{}\":{{\"raw_s\":{},\"billed_s\":{}}}",
            kind.as_str(),
            k.raw_s,
            k.billed_s
        );
    }
    out.push_str("}}");
}

fn clocks_json(out: &mut String, clocks: &[CountedClock]) {
    for (i, c) in clocks.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('{');
        key(out, "ticket");
        quoted(out, &c.id.ticket);
        let _ = write!(
            out,
            ",\"metric\":\"{}\",\"cycle\":{},\"priority\":",
            c.id.metric.as_str(),
            c.id.cycle
        );
        quoted(out, &c.priority);
        let at_key = match c.outcome {
            Outcome::Met => "stopped_at",
            Outcome::Breached => "breached_at",
        };
        let _ = write!(
            out,
            ",\"outcome\":\"{}\",\"{at_key}\":\"{}\",\"state\":\"{}\",\"elapsed_s\":{},\"target_s\":{},\"cause\":{{\"paused_by_reason\":",
            c.outcome.as_str(),
            instant::format(c.outcome_at),
            c.state.as_str(),
            c.elapsed.as_secs(),
            c.target.as_secs()
        );
        durations_json(out, c.paused_by_reason.iter());
        out.push_str(",\"pauses\":[");
        for (j, p) in c.pauses.iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            out.push('{');
            key(out, "reason");
            quoted(out, &p.reason);
            out.push_str(",\"waiting_on\":");
            match &p.waiting_on {
                Some(w) => quoted(out, w),
                None => out.push_str("null"),
            }
            let _ = write!(out, ",\"from\":\"{}\",\"to\":", instant::format(p.from));
            match p.to {
                Some(t) => {
                    let _ = write!(out, "\"{}\"", instant::format(t));
                }
                None => out.push_str("null"),
            }
            out.push('}');
        }
        out.push_str("],\"last_event\":");
        match &c.last_event {
            None => out.push_str("null"),
            Some(e) => {
                let _ = write!(
                    out,
                    "{{\"kind\":\"{}\",\"at\":\"{}\",\"by\":",
                    e.kind,
                    instant::format(e.at)
                );
                match &e.by {
                    Some(by) => quoted(out, by),
                    None => out.push_str("null"),
                }
                out.push('}');
            }
        }
        out.push_str("}}");
    }
}

fn credits_json(out: &mut String, contract: &Contract, credits: Option<&CreditsDue>, digits: u32) {
    out.push('{');
    key(out, "currency");
    match contract.currency() {
        Some(c) => quoted(out, c.as_str()),
        None => out.push_str("null"),
    }
    let Some(c) = credits else {
        let _ = write!(
            out,
            ",\"total\":\"{}\",\"rules\":[]}}",
            money(Decimal::ZERO, digits)
        );
        return;
    };
    let _ = write!(
        out,
        ",\"total\":\"{}\",\"period_fee\":\"{}\",\"cap\":\"{}\",\"cap_applied\":{},\"rules\":[",
        money(c.total, digits),
        money(c.period_fee, digits),
        money(c.cap_amount, digits),
        c.capped
    );
    for (i, l) in c.lines.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        measured_json(out, l.metric, &l.priority, l.period, l.share);
        out.push_str(",\"tier\":");
        match l.tier {
            Some(t) => {
                let _ = write!(
                    out,
                    "{{\"below\":{},\"credit\":{}}}",
                    t.below.normalize(),
                    t.credit.normalize()
                );
            }
            None => out.push_str("null"),
        }
        let _ = write!(out, ",\"amount\":\"{}\"}}", money(l.amount, digits));
    }
    out.push_str("]}");
}
