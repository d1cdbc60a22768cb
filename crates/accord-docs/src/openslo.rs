//! A contract's compliance objectives as OpenSLO v1 `SLO` documents (SPEC
//! §2, §7), so teams running OpenSLO tooling can import them: one document
//! per objective, a calendar-aligned time window of the objective's period
//! (a month or a quarter, starting at the period holding `effective_from`,
//! in the contract's reporting zone), occurrences budgeting (every clock
//! counts the same) and `target` = `within_target`. The indicator is a
//! ratio of clocks met to clocks measured, from a metric source of type
//! `Accord` that names the contract, metric and priority.
//!
//! YAML is written by hand: the shape is fixed and small, and every free
//! text is a double-quoted scalar.

use std::fmt::Write as _;

use accord_core::contract::{Contract, Objective, Period};

/// The OpenSLO documents of `contract`'s objectives, as one YAML stream
/// (`---` before each document); empty when the contract has none.
///
/// ```
/// use accord_core::contract::Contract;
/// use accord_core::diagnostic::SourceFile;
/// let text = r#"id = "acme-2026"
/// client = "Acme"
/// effective_from = 2026-02-10
/// [calendars.support]
/// timezone = "Europe/Berlin"
/// mon = ["09:00-17:00"]
/// [priorities.critical]
/// calendar = "support"
/// first_response = "4h"
/// [[objectives]]
/// metric = "first_response"
/// priority = "critical"
/// within_target = 0.95
/// period = "quarter"
/// "#;
/// let c = Contract::parse(&SourceFile::new("c.toml", text), &mut |_| unreachable!()).unwrap();
/// let yaml = accord_docs::openslo::openslo(&c);
/// assert!(yaml.contains("  name: acme-2026-critical-first-response-quarter\n"));
/// assert!(yaml.contains("    - duration: 1Q\n"));
/// assert!(yaml.contains("        startTime: \"2026-01-01 00:00:00\"\n"));
/// assert!(yaml.contains("      target: 0.95\n"));
/// ```
pub fn openslo(contract: &Contract) -> String {
    let mut out = String::new();
    for o in contract.objectives() {
        document(&mut out, contract, o);
    }
    out
}

/// A name as RFC 1123 wants it: lowercase letters, digits and `-`, at most
/// 63 characters, starting and ending with a letter or digit.
pub fn dns_label(text: &str) -> String {
    let mut s: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    while s.contains("--") {
        s = s.replace("--", "-");
    }
    let s: String = s.chars().take(63).collect();
    let s = s.trim_matches('-');
    if s.is_empty() {
        "slo".into()
    } else {
        s.to_string()
    }
}

/// A YAML double-quoted scalar.
fn quoted(text: &str) -> String {
    let mut s = String::with_capacity(text.len() + 2);
    s.push('"');
    for c in text.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            '\n' => s.push_str("\\n"),
            c if c.is_control() => {
                let _ = write!(s, "\\u{:04x}", u32::from(c));
            }
            c => s.push(c),
        }
    }
    s.push('"');
    s
}

fn document(out: &mut String, contract: &Contract, o: &Objective) {
    let id = contract.id();
    let metric = o.metric.as_str();
    let (duration, period_word) = match o.period {
        Period::Month => ("1M", "calendar month"),
        Period::Quarter => ("1Q", "calendar quarter"),
    };
    let zone = contract.reporting_zone();
    let zone_name = zone.iana_name().unwrap_or("UTC").to_string();
    let from = contract.effective_from();
    let first_month = match o.period {
        Period::Month => from.month(),
        Period::Quarter => (from.month() - 1) / 3 * 3 + 1,
    };
    let start = format!("{:04}-{:02}-01 00:00:00", from.year(), first_month);
    let priority = contract.priority(&o.priority);
    let target = priority
        .and_then(|p| p.targets.get(&o.metric))
        .map(|d| d.to_string())
        .unwrap_or_default();
    let calendar = priority.map_or("", |p| p.calendar.as_str());
    let percent = (o.within_target * rust_decimal::Decimal::ONE_HUNDRED).normalize();
    let words = metric.replace('_', " ");
    let name = dns_label(&format!(
        "{id}-{}-{metric}-{}",
        o.priority,
        o.period.as_str()
    ));
    let sli = dns_label(&format!("{id}-{}-{metric}", o.priority));
    let display = format!("{} {words} within {target}", o.priority);
    let description = format!(
        "{percent} % of {} {words} clocks within {target} of business time on calendar {calendar}, per {period_word} in {zone_name}",
        o.priority
    );
    let source = |outcome: &str| {
        format!(
            "          metricSource:\n            type: Accord\n            spec:\n              contract: {}\n              metric: {metric}\n              priority: {}\n              outcome: {outcome}\n",
            quoted(id),
            quoted(&o.priority)
        )
    };
    let _ = write!(
        out,
        "---\napiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: {name}\n  displayName: {}\n  annotations:\n    accord.contract: {}\n    accord.metric: {metric}\n    accord.priority: {}\n    accord.target: {}\n    accord.calendar: {}\nspec:\n  description: {}\n  service: {}\n  indicator:\n    metadata:\n      name: {sli}\n      displayName: {}\n    spec:\n      ratioMetric:\n        counter: true\n        good:\n{}        total:\n{}  timeWindow:\n    - duration: {duration}\n      isRolling: false\n      calendar:\n        startTime: {}\n        timeZone: {zone_name}\n  budgetingMethod: Occurrences\n  objectives:\n    - displayName: {}\n      target: {}\n",
        quoted(&display),
        quoted(id),
        quoted(&o.priority),
        quoted(&target),
        quoted(calendar),
        quoted(&description),
        quoted(&dns_label(id)),
        quoted(&format!("{} {words} met of measured", o.priority)),
        source("met"),
        source("measured"),
        quoted(&start),
        quoted(&format!("{percent} % within target")),
        o.within_target.normalize(),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_rfc_1123_labels() {
        assert_eq!(dns_label("Acme_2026--Critical"), "acme-2026-critical");
        assert_eq!(dns_label("--x--"), "x");
        assert_eq!(dns_label(&"a".repeat(80)).len(), 63);
        assert_eq!(dns_label("__"), "slo");
    }

    #[test]
    fn free_text_is_quoted_and_escaped() {
        assert_eq!(quoted(r#"say "hi" \ now"#), r#""say \"hi\" \\ now""#);
        assert_eq!(quoted("a\nb"), r#""a\nb""#);
    }
}
