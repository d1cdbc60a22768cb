//! The compliance statement as a document (SPEC §7): a first page for the
//! client's executive that says in one sentence per objective whether it
//! was met, then the detail — objectives, breaches with their cause, paused
//! time by reason beside provider time, credits, and when the statement has
//! them milestones (baseline vs adjusted) and hours by activity — with SVG
//! charts: share against objective per month (the statements given as
//! history, up to twelve), breaches per week, paused time as a stacked bar,
//! credits.
//!
//! The figures come from [`accord_core::compliance::Statement`]; nothing is
//! computed here but presentation (percentages to one decimal, truncated,
//! so 94.99 % never reads as 95 %).

mod charts;

use std::fmt::Write as _;

use accord_core::compliance::{
    CountedClock, ReportPeriod, Share, Statement, Status, minor_unit_digits, round_money,
};
use accord_core::contract::{Contract, Period};
use accord_core::instant;
use jiff::tz::TimeZone;
use rust_decimal::{Decimal, RoundingStrategy};

use crate::document::{Block, Document, strong, text};
use crate::html;
use crate::invoice::h_mm;

pub use charts::Bar;

/// "95.0 %": a share in percent, one decimal, truncated.
fn percent(share: Share) -> Option<String> {
    share.value().map(|v| {
        let p = (v * Decimal::ONE_HUNDRED).round_dp_with_strategy(1, RoundingStrategy::ToZero);
        format!("{p:.1} %")
    })
}

fn percent_of(d: Decimal) -> String {
    format!("{} %", (d * Decimal::ONE_HUNDRED).normalize())
}

/// "March 2026", "Q1 2026".
fn period_name(p: ReportPeriod) -> String {
    let first = p.first_day();
    match p.kind() {
        Period::Month => first.strftime("%B %Y").to_string(),
        Period::Quarter => format!("Q{} {}", (first.month() - 1) / 3 + 1, first.year()),
    }
}

fn words(metric: &str) -> String {
    metric.replace('_', " ")
}

fn hours(secs: i64) -> String {
    let h = Decimal::from(secs) / Decimal::from(3600);
    format!("{} h", h.round_dp(1).normalize())
}

fn money(contract: &Contract, amount: Decimal) -> String {
    let digits = minor_unit_digits(contract.currency());
    let code = contract.currency().map_or("", |c| c.as_str());
    format!("{code} {}", round_money(amount, digits))
        .trim()
        .to_string()
}

/// The sentence the first page says about one objective.
fn sentence(contract: &Contract, s: &Statement, i: usize) -> Vec<crate::document::Inline> {
    let o = &s.objectives[i];
    let target = contract
        .priority(&o.priority)
        .and_then(|p| p.target(o.metric))
        .map(|d| format!(" within {d} of business time"))
        .unwrap_or_default();
    let what = format!("{} {}", o.priority, words(o.metric.as_str()));
    let goal = percent_of(o.within_target);
    let over = period_name(o.period);
    match o.status {
        Status::NoData => vec![
            strong("No data:"),
            text(format!(
                " no {what} clock was decided in {over}, so the {goal} objective is neither met nor missed."
            )),
        ],
        status => vec![
            strong(if status == Status::Met {
                "Met:"
            } else {
                "Missed:"
            }),
            text(format!(
                " {} of {} {what} clocks in {over} were{target} ({}), against an objective of {goal}.",
                o.share.met,
                o.share.measured,
                percent(o.share).unwrap_or_default()
            )),
        ],
    }
}

fn breach_row(b: &CountedClock) -> Vec<String> {
    let paused: Vec<String> = b
        .paused_by_reason
        .iter()
        .map(|(r, d)| format!("{r} {d}"))
        .collect();
    let last = b.last_event.as_ref().map_or(String::new(), |e| {
        format!("{} at {}", e.kind, instant::format(e.at))
    });
    vec![
        b.id.ticket.clone(),
        format!("{} (cycle {})", words(b.id.metric.as_str()), b.id.cycle),
        b.priority.clone(),
        instant::format(b.outcome_at),
        b.state.to_string(),
        format!("{} / {}", b.elapsed, b.target),
        if paused.is_empty() {
            "none".into()
        } else {
            paused.join(", ")
        },
        last,
    ]
}

/// The statement as a document: the executive summary first, then the
/// detail tables (no charts; see [`html`] for the page with them).
pub fn document(contract: &Contract, s: &Statement) -> Document {
    let mut doc = Document::new(format!("Compliance statement — {}", period_name(s.period)));
    doc.subtitle = Some(format!(
        "{} for {} · contract {} · {} from {} to {} ({} time)",
        contract.title().unwrap_or("Service level agreement"),
        contract.client(),
        s.contract,
        period_name(s.period),
        s.period.first_day(),
        s.period
            .end_day()
            .yesterday()
            .unwrap_or(s.period.first_day()),
        s.zone
    ));
    doc.heading(1, "Summary");
    if s.objectives.is_empty() {
        doc.para(format!(
            "No objective is measured over {}.",
            period_name(s.period)
        ));
    }
    for i in 0..s.objectives.len() {
        doc.rich(sentence(contract, s, i));
    }
    doc.para(match s.breaches.len() {
        0 => "No clock breached its target in this period.".to_string(),
        1 => "One clock breached its target in this period.".to_string(),
        n => format!("{n} clocks breached their targets in this period."),
    });
    let client: i64 = s.paused_by_reason.values().map(|d| d.as_secs()).sum();
    doc.para(format!(
        "Tickets waited on the client for {} of business time and were worked by the provider for {}.",
        hours(client),
        hours(s.provider_time.as_secs())
    ));
    match &s.credits {
        Some(c) if c.total > Decimal::ZERO => doc.rich(vec![
            strong("Service credits due:"),
            text(format!(
                " {}{}, offered on the next invoice.",
                money(contract, c.total),
                if c.capped { " (capped)" } else { "" }
            )),
        ]),
        Some(_) => doc.para("No service credits are due."),
        None => {}
    }

    doc.heading(1, "Objectives");
    doc.table(
        &[
            "Objective",
            "Period",
            "Measured",
            "Met",
            "Share",
            "Objective share",
            "Status",
        ],
        s.objectives
            .iter()
            .map(|o| {
                vec![
                    format!("{} {}", o.priority, words(o.metric.as_str())),
                    o.period.to_string(),
                    o.share.measured.to_string(),
                    o.share.met.to_string(),
                    percent(o.share).unwrap_or_else(|| "no data".into()),
                    percent_of(o.within_target),
                    o.status.to_string(),
                ]
            })
            .collect(),
    );
    let clocks_table = |doc: &mut Document, at: &str, clocks: &[CountedClock]| {
        let header = [
            "Ticket",
            "Clock",
            "Priority",
            at,
            "State",
            "Elapsed / target",
            "Paused",
            "Last event before the breach",
        ];
        doc.table(&header, clocks.iter().map(breach_row).collect());
    };
    doc.heading(1, "Breaches");
    if s.breaches.is_empty() {
        doc.para("None.");
    } else {
        clocks_table(&mut doc, "Breached at", &s.breaches);
    }
    if !s.excluded.is_empty() {
        doc.heading(1, "Excluded by upheld disputes");
        clocks_table(&mut doc, "Outcome at", &s.excluded);
    }
    doc.heading(1, "Time waiting on the client");
    doc.para("Business time within the period during which resolution clocks were paused, by reason, each ticket on its own calendar; all of these reasons are client actions.");
    let mut rows: Vec<Vec<String>> = s
        .paused_by_reason
        .iter()
        .map(|(r, d)| vec![words(r), hours(d.as_secs())])
        .collect();
    rows.push(vec![
        "provider time (clocks running)".into(),
        hours(s.provider_time.as_secs()),
    ]);
    doc.table(&["Reason", "Business time"], rows);
    if let Some(c) = &s.credits {
        doc.heading(1, "Service credits");
        doc.para(format!(
            "Period fee {}; credits per month are capped at {}.",
            money(contract, c.period_fee),
            money(contract, c.cap_amount)
        ));
        doc.table(
            &["Rule", "Assessed over", "Share", "Tier", "Credit"],
            c.lines
                .iter()
                .map(|l| {
                    vec![
                        format!("{} {}", l.priority, words(l.metric.as_str())),
                        l.period.to_string(),
                        percent(l.share).unwrap_or_else(|| "no data".into()),
                        l.tier.map_or("none".into(), |t| {
                            format!("below {} → {}", percent_of(t.below), percent_of(t.credit))
                        }),
                        money(contract, l.amount),
                    ]
                })
                .collect(),
        );
        doc.para(format!(
            "Total due: {}{}.",
            money(contract, c.total),
            if c.capped { " after the cap" } else { "" }
        ));
    }
    if !s.milestones.is_empty() {
        doc.heading(1, "Milestones: baseline and adjusted");
        doc.para("Each milestone as of the period's end: the due date agreed in the contract, and the due date after the client's delays and agreed shifts (business days).");
        doc.table(
            &[
                "Milestone",
                "Baseline due",
                "Adjusted due",
                "Client delay",
                "Agreed shift",
                "State",
            ],
            s.milestones
                .iter()
                .map(|m| {
                    vec![
                        m.name.clone(),
                        m.baseline_due.to_string(),
                        m.adjusted_due.to_string(),
                        format!("{} d", m.client_delay_days),
                        format!("{} d", m.shift_days),
                        match m.miss {
                            Some(who) => format!("{} ({who}'s miss)", words(m.state.as_str())),
                            None => words(m.state.as_str()),
                        },
                    ]
                })
                .collect(),
        );
    }
    if !s.hours_by_activity.is_empty() {
        doc.heading(1, "Hours worked by activity");
        doc.para("Time entries whose work began in the period (h:mm): worked as recorded, and billed after the contract's rounding; non-billable time is never billed.");
        doc.table(
            &["Activity", "Worked", "Billed"],
            s.hours_by_activity
                .iter()
                .map(|(activity, h)| {
                    vec![
                        activity.clone(),
                        h_mm(h.total.raw_s),
                        h_mm(h.total.billed_s),
                    ]
                })
                .collect(),
        );
    }
    doc
}

/// A chart with its caption.
fn figure(out: &mut String, id: &str, svg: String, caption: &str) {
    let _ = writeln!(
        out,
        "<figure id=\"{id}\">{svg}<figcaption>{}</figcaption></figure>",
        html::escape(caption)
    );
}

/// The charts of statement `s`, with `history` (statements of earlier
/// periods, any order) for the share-per-month charts.
fn charts(contract: &Contract, s: &Statement, history: &[Statement]) -> String {
    let mut out = String::new();
    let mut months: Vec<&Statement> = history
        .iter()
        .filter(|h| h.period.kind() == s.period.kind() && h.period < s.period)
        .collect();
    months.sort_by_key(|h| h.period);
    let keep = months.len().saturating_sub(11);
    let mut series: Vec<&Statement> = months.split_off(keep);
    series.push(s);
    for (i, o) in s.objectives.iter().enumerate() {
        if o.period.kind() != s.period.kind() {
            continue;
        }
        let bars: Vec<Bar> = series
            .iter()
            .map(|h| {
                let share = h
                    .objectives
                    .iter()
                    .find(|x| {
                        x.metric == o.metric && x.priority == o.priority && x.period == h.period
                    })
                    .map(|x| x.share)
                    .unwrap_or_default();
                Bar {
                    label: h.period.to_string(),
                    value: share.value(),
                    alert: share.measured > 0 && !share.at_least(o.within_target),
                }
            })
            .collect();
        let title = format!(
            "{} {}: share within target per {} against the objective of {}",
            o.priority,
            words(o.metric.as_str()),
            o.period.kind().as_str(),
            percent_of(o.within_target)
        );
        figure(
            &mut out,
            &format!("share-{i}"),
            charts::bars(
                &title,
                &bars,
                Decimal::ONE,
                Some((o.within_target, percent_of(o.within_target))),
                |d| {
                    format!(
                        "{} %",
                        (d * Decimal::ONE_HUNDRED)
                            .round_dp_with_strategy(1, RoundingStrategy::ToZero)
                            .normalize()
                    )
                },
            ),
            &title,
        );
    }
    // Breaches per week (weeks starting on Monday, in the reporting zone).
    let zone = TimeZone::get(&s.zone).unwrap_or(TimeZone::UTC);
    let week_of = |t: jiff::Timestamp| {
        let d = t.to_zoned_datetime(zone.clone()).date();
        let back = i64::from(d.weekday().to_monday_zero_offset());
        d.checked_sub(jiff::Span::new().days(back)).unwrap_or(d)
    };
    let mut weeks = Vec::new();
    let mut w = week_of(s.start);
    let last = week_of(
        s.end
            .checked_sub(jiff::SignedDuration::from_secs(1))
            .unwrap_or(s.end),
    );
    while w <= last {
        weeks.push(w);
        match w.checked_add(jiff::Span::new().days(7)) {
            Ok(next) => w = next,
            Err(_) => break,
        }
    }
    let counts: Vec<Bar> = weeks
        .iter()
        .map(|w| {
            let n = s
                .breaches
                .iter()
                .filter(|b| week_of(b.outcome_at) == *w)
                .count();
            Bar {
                label: w.strftime("%d %b").to_string(),
                value: Some(Decimal::from(n)),
                alert: n > 0,
            }
        })
        .collect();
    let max = counts
        .iter()
        .filter_map(|b| b.value)
        .max()
        .unwrap_or(Decimal::ONE)
        .max(Decimal::ONE);
    let title = "Breaches per week (weeks starting Monday)";
    figure(
        &mut out,
        "breaches",
        charts::bars(title, &counts, max, None, |d| d.normalize().to_string()),
        title,
    );
    let mut segments: Vec<(String, Decimal)> = s
        .paused_by_reason
        .iter()
        .filter(|(_, d)| d.as_secs() > 0)
        .map(|(r, d)| (words(r), Decimal::from(d.as_secs())))
        .collect();
    segments.push((
        "provider time".into(),
        Decimal::from(s.provider_time.as_secs()),
    ));
    let title = "Resolution clocks: time waiting on the client by reason, beside provider time";
    figure(
        &mut out,
        "paused",
        charts::stacked(title, &segments, |d| hours(i64::try_from(d).unwrap_or(0))),
        title,
    );
    if let Some(c) = &s.credits {
        let mut bars: Vec<Bar> = c
            .lines
            .iter()
            .map(|l| Bar {
                label: format!("{} {}", l.priority, words(l.metric.as_str())),
                value: Some(l.amount),
                alert: l.amount > Decimal::ZERO,
            })
            .collect();
        bars.push(Bar {
            label: "total due".into(),
            value: Some(c.total),
            alert: c.total > Decimal::ZERO,
        });
        let max = c.cap_amount.max(Decimal::ONE);
        let title = format!(
            "Service credits against the cap of {}",
            money(contract, c.cap_amount)
        );
        figure(
            &mut out,
            "credits",
            charts::bars(
                &title,
                &bars,
                max,
                Some((c.cap_amount, "cap".into())),
                |d| money(contract, d),
            ),
            &title,
        );
    }
    out
}

/// The statement as one self-contained HTML page: the summary on a first
/// printed page, then the charts, then the detail.
pub fn html(contract: &Contract, s: &Statement, history: &[Statement]) -> String {
    page(&document(contract, s), contract, s, history)
}

/// The statement as the service issues it: [`document`] with `extra`
/// blocks after the detail (the corrective actions still open) and a
/// closing `footer` line (the content hash of the frozen JSON, so a
/// printed copy names the snapshot it shows).
pub fn issued_document(
    contract: &Contract,
    s: &Statement,
    extra: &[Block],
    footer: &str,
) -> Document {
    let mut doc = document(contract, s);
    doc.blocks.extend(extra.iter().cloned());
    doc.para(footer);
    doc
}

/// [`html`] of an [`issued_document`].
pub fn issued_html(
    contract: &Contract,
    s: &Statement,
    history: &[Statement],
    extra: &[Block],
    footer: &str,
) -> String {
    page(
        &issued_document(contract, s, extra, footer),
        contract,
        s,
        history,
    )
}

fn page(doc: &Document, contract: &Contract, s: &Statement, history: &[Statement]) -> String {
    let body = html::fragment(doc);
    // The summary ends where the objectives table's heading starts.
    let split = body.find("<h2>Objectives</h2>").unwrap_or(body.len());
    let (summary, detail) = body.split_at(split);
    let mut out = String::from(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
    );
    let _ = write!(
        out,
        "<title>{}</title>\n<style>{}figure{{margin:1rem 0}}figcaption{{color:#4a5468;font-size:.9rem}}.summary{{break-after:page}}</style>\n</head>\n<body>\n<main>\n<section class=\"summary\">\n{summary}</section>\n<h2>Charts</h2>\n{}{detail}</main>\n</body>\n</html>\n",
        html::escape(&doc.title),
        html::STYLE,
        charts(contract, s, history)
    );
    out
}
