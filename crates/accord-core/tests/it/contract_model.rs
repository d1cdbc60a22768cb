//! The canonical example contract parses with the meaning its comments give
//! (SPEC §2, §10), and absent sections take their documented defaults.

use std::str::FromStr;

use accord_core::BusinessDuration;
use accord_core::clock::Metric;
use accord_core::contract::{Contract, Pauses, ReviewCadence, Side};
use accord_core::diagnostic::{Diagnostics, SourceFile};
use jiff::civil::date;
use rust_decimal::Decimal;

pub fn parse_named(name: &str, text: &str) -> Result<Contract, Diagnostics> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    Contract::parse(&SourceFile::new(dir.join(name), text), &mut |p| {
        std::fs::read_to_string(p)
    })
}

fn acme() -> Contract {
    let text = include_str!("../../../../examples/acme.contract.toml");
    parse_named("acme.contract.toml", text).unwrap_or_else(|e| panic!("{e}"))
}

pub fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn dur(s: &str) -> BusinessDuration {
    s.parse().unwrap()
}

/// The smallest valid contract: SPEC §2's required keys only.
pub const MINIMAL: &str = r#"id = "m"
client = "M"
effective_from = 2026-01-01

[calendars.support]
timezone = "UTC"
mon = ["09:00-17:00"]

[priorities.normal]
calendar = "support"
resolution = "40h"
"#;

#[test]
fn acme_identity_is_read() {
    let c = acme();
    assert_eq!(c.id(), "acme-2026");
    assert_eq!(c.title(), Some("Support and delivery agreement"));
    assert_eq!(c.client(), "Acme Analytics GmbH");
    assert_eq!(c.currency().map(|c| c.as_str()), Some("EUR"));
    assert_eq!(c.effective_from(), date(2026, 1, 1));
    assert_eq!(c.effective_until(), Some(date(2026, 12, 31)));
    assert_eq!(c.review_every(), Some(ReviewCadence::Quarterly));
    assert_eq!(c.version(), 1);
    assert!(!c.applies_to_open());
}

#[test]
fn acme_contacts_are_read_by_side_and_role() {
    let c = acme();
    let lead = c
        .contact(&"provider.delivery_lead".parse().unwrap())
        .unwrap();
    assert_eq!(
        (lead.name.as_str(), lead.email.as_str()),
        ("Sam Okafor", "sam@provider.example")
    );
    assert_eq!(c.contacts().provider.len(), 3);
    assert_eq!(
        c.contacts().client.keys().collect::<Vec<_>>(),
        ["approver", "billing_contact", "data_owner"]
    );
}

#[test]
fn acme_critical_first_response_is_4h_on_support() {
    let c = acme();
    let critical = c.priority("critical").unwrap();
    assert_eq!(critical.calendar, "support");
    assert_eq!(critical.target(Metric::FirstResponse), Some(dur("4h")));
    assert_eq!(critical.target(Metric::NextResponse), Some(dur("4h")));
    assert_eq!(critical.target(Metric::Resolution), Some(dur("16h")));
    assert_eq!(critical.target(Metric::PeriodicUpdate), None);
    let normal = c.priority("normal").unwrap();
    assert_eq!(normal.targets.len(), 2);
    let outage = c.priority("outage").unwrap();
    assert_eq!(outage.calendar, "always");
    assert_eq!(outage.target(Metric::FirstResponse), Some(dur("30m")));
    assert_eq!(outage.target(Metric::PeriodicUpdate), Some(dur("2h")));
    assert_eq!(
        c.priorities().keys().collect::<Vec<_>>(),
        ["critical", "high", "normal", "outage"]
    );
}

#[test]
fn acme_pauses_are_the_six_default_reasons_and_resume_on_reply() {
    let c = acme();
    let p = c.pauses();
    assert_eq!(p.reasons, Pauses::default().reasons);
    assert!(p.allows("approval") && !p.allows("holiday"));
    assert!(p.resume_on_client_reply);
    assert!(p.pause_milestones_when_invoice_overdue);
}

#[test]
fn acme_warning_thresholds_are_exact_decimals() {
    let c = acme();
    let w = c.warnings();
    assert_eq!(w.thresholds, [dec("0.5"), dec("0.75"), dec("0.9")]);
    assert_eq!(w.thresholds[1].to_string(), "0.75");
    assert_eq!(w.notify.len(), 1);
    assert_eq!(w.notify[0].side(), Side::Provider);
    assert_eq!(w.notify[0].role(), "delivery_lead");
}

#[test]
fn absent_sections_take_their_defaults() {
    let c = parse_named("m.toml", MINIMAL).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.pauses(), &Pauses::default());
    assert_eq!(c.pauses().reasons.len(), 6);
    assert!(c.pauses().resume_on_client_reply);
    assert!(!c.pauses().pause_milestones_when_invoice_overdue);
    assert_eq!(
        c.warnings().thresholds,
        [dec("0.5"), dec("0.75"), dec("0.9")]
    );
    assert!(c.warnings().notify.is_empty());
    assert_eq!(c.version(), 1);
    assert_eq!(c.title(), None);
    assert_eq!(c.currency(), None);
    assert!(c.contacts().provider.is_empty());
}

#[test]
fn pauses_may_remove_and_add_reasons_and_keep_other_defaults() {
    let text = format!("{MINIMAL}\n[pauses]\nreasons = [\"approval\", \"vendor_wait\"]\n");
    let c = parse_named("m.toml", &text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        c.pauses().reasons.iter().collect::<Vec<_>>(),
        ["approval", "vendor_wait"]
    );
    assert!(c.pauses().resume_on_client_reply);
}

#[test]
fn acme_objectives_and_credits_are_exact() {
    use accord_core::contract::Period;
    let c = acme();
    let o = c.objectives();
    assert_eq!(o.len(), 2);
    assert_eq!(
        (
            o[0].metric,
            o[0].priority.as_str(),
            o[0].within_target,
            o[0].period
        ),
        (
            Metric::FirstResponse,
            "critical",
            dec("0.95"),
            Period::Month
        )
    );
    assert_eq!(
        (o[1].metric, o[1].within_target),
        (Metric::Resolution, dec("0.90"))
    );
    let credits = c.credits().unwrap();
    assert_eq!(credits.period_fee, dec("2500.00"));
    assert_eq!(credits.period_fee.to_string(), "2500.00");
    assert_eq!(credits.cap, dec("0.20"));
    let rule = &credits.rules[0];
    assert_eq!(
        (rule.metric, rule.priority.as_str()),
        (Metric::FirstResponse, "critical")
    );
    let tiers: Vec<_> = rule.tiers.iter().map(|t| (t.below, t.credit)).collect();
    assert_eq!(
        tiers,
        [(dec("0.95"), dec("0.05")), (dec("0.90"), dec("0.10"))]
    );
}

#[test]
fn acme_escalation_ladder_has_three_levels() {
    let c = acme();
    let e = c.escalation();
    assert_eq!(e.iter().map(|l| l.level).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(
        e[0].who.iter().map(ToString::to_string).collect::<Vec<_>>(),
        ["provider.account_manager", "client.approver"]
    );
    assert_eq!(e[0].respond_within, dur("16h"));
    assert_eq!(e[2].respond_within, dur("40h"));
    assert!(e.iter().all(|l| l.calendar == "support"));
}

#[test]
fn acme_milestone_lists_what_the_client_owes() {
    let c = acme();
    let m = c.milestone("pipeline-live").unwrap();
    assert_eq!(
        (m.name.as_str(), m.due, m.calendar.as_str()),
        ("Data pipeline live", date(2026, 3, 31), "support")
    );
    assert_eq!(m.deliverables.len(), 2);
    let d = &m.deliverables[0];
    assert_eq!(d.what, "Sample data export");
    assert_eq!(d.owner.to_string(), "client.data_owner");
    assert_eq!(
        (d.due, d.reason.as_str()),
        (date(2026, 2, 13), "data_dependency")
    );
    assert_eq!(m.deliverables[1].reason, "approval");
}

#[test]
fn acme_billing_terms_are_exact_decimals() {
    use accord_core::contract::{Period, RoundingMode};
    let c = acme();
    let b = c.billing().unwrap();
    assert_eq!(b.rate, dec("120.00"));
    assert_eq!(b.invoice_every, Period::Month);
    assert_eq!(b.payment_terms_days, Some(30));
    assert_eq!(b.tax_rate, dec("0.19"));
    let rounding = b.rounding.unwrap();
    assert_eq!(
        (rounding.increment, rounding.minimum, rounding.mode),
        (dur("15m"), dur("30m"), RoundingMode::Up)
    );
    assert_eq!(b.activity_rates["development"], dec("140.00"));
    assert_eq!(b.activity_rates["meeting"], dec("100.00"));
    assert_eq!(b.person_rates["sam@provider.example"], dec("150.00"));
    let block = &b.prepaid[0];
    assert_eq!(
        (block.hours, block.price, block.valid_until),
        (40, dec("4400.00"), date(2026, 6, 30))
    );
    assert_eq!(block.overage_rate, Some(dec("130.00")));
}

#[test]
fn optional_sections_are_absent_when_not_agreed() {
    let c = parse_named("m.toml", MINIMAL).unwrap();
    assert!(c.objectives().is_empty() && c.escalation().is_empty() && c.milestones().is_empty());
    assert!(c.credits().is_none() && c.billing().is_none());
}

#[test]
fn version_and_applies_to_open_are_read() {
    let text = MINIMAL.replace(
        "client = \"M\"",
        "client = \"M\"\nversion = 3\napplies_to_open = true",
    );
    let c = parse_named("m.toml", &text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((c.version(), c.applies_to_open()), (3, true));
}

#[test]
fn the_other_examples_parse() {
    for name in [
        "hosting-24x7.contract.toml",
        "agency-fixed-price.contract.toml",
    ] {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
        let text = std::fs::read_to_string(dir.join(name)).unwrap();
        parse_named(name, &text).unwrap_or_else(|e| panic!("{name}:\n{e}"));
    }
}
