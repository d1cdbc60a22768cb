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
