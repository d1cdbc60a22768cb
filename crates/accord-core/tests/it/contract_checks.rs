//! Cross-reference and consistency checks of the contract model: money,
//! credits, milestones, objectives, escalation, dates (SPEC §2, §6–§8).
//! Positions are computed from the text so that each assertion names the
//! exact token a diagnostic must point at.

use accord_core::Diagnostic;

use crate::contract_model::{MINIMAL, parse_named};

fn errors(text: &str) -> Vec<Diagnostic> {
    match parse_named("c.toml", text) {
        Ok(_) => panic!("expected diagnostics for:\n{text}"),
        Err(d) => d.0,
    }
}

/// 1-based (line, column) of the `nth` (0-based) occurrence of `needle`.
fn at(text: &str, needle: &str, nth: usize) -> (usize, usize) {
    let offset = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("`{needle}` #{nth} not in text"))
        .0;
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    (line, column)
}

/// Asserts the diagnostics are exactly `expected`: (needle, nth, message
/// prefix, help substring), in position order.
fn expect(text: &str, expected: &[(&str, usize, &str, &str)]) {
    let got = errors(text);
    let summary: Vec<_> = got
        .iter()
        .map(|d| (d.line, d.column, d.message.as_str(), d.help.as_deref()))
        .collect();
    assert_eq!(got.len(), expected.len(), "{summary:#?}");
    for (d, (needle, nth, message, help)) in got.iter().zip(expected) {
        assert_eq!(
            (d.line, d.column),
            at(text, needle, *nth),
            "{message}: {summary:#?}"
        );
        assert!(
            d.message.starts_with(message),
            "{:?} should start with {message:?}",
            d.message
        );
        let h = d.help.as_deref().unwrap_or("");
        assert!(
            h.contains(help),
            "help {h:?} of {message:?} should contain {help:?}"
        );
    }
}

/// MINIMAL with a currency, followed by `extra`.
fn with_money(extra: &str) -> String {
    let head = MINIMAL.replacen("client = \"M\"", "client = \"M\"\ncurrency = \"EUR\"", 1);
    format!("{head}\n{extra}")
}

#[test]
fn money_must_be_a_decimal_string() {
    let text = with_money(
        "[billing]\nrate = 120.5\ninvoice_every = \"month\"\n\n[billing.activity_rates]\ndev = 140\nops = \"1,40\"\n",
    );
    expect(
        &text,
        &[
            (
                "120.5",
                0,
                "`rate` is money and must be a decimal string, found a float",
                "e.g. \"120.5\", to avoid float rounding",
            ),
            (
                "140",
                0,
                "the rate for `dev` is money and must be a decimal string, found an integer",
                "\"140.00\"",
            ),
            (
                "\"1,40\"",
                0,
                "`1,40` is not an amount of money",
                "\"2500.00\"",
            ),
        ],
    );
}

#[test]
fn money_needs_a_currency() {
    let text = format!("{MINIMAL}\n[credits]\nperiod_fee = \"100.00\"\ncap = 0.1\n");
    expect(
        &text,
        &[(
            "credits",
            0,
            "`[credits]` has amounts of money but the contract has no `currency`",
            "currency = \"EUR\"",
        )],
    );
}

#[test]
fn credit_tiers_must_be_ordered_and_under_the_cap() {
    let text = with_money(
        r#"[credits]
period_fee = "100.00"
cap = 0.1

[[credits.rules]]
metric = "resolution"
priority = "normal"
tiers = [
  { below = 0.9, credit = 0.05 },
  { below = 0.95, credit = 0.04 },
  { below = 0.5, credit = 0.2 },
]
"#,
    );
    expect(
        &text,
        &[
            (
                "0.95",
                0,
                "tiers out of order: `below` 0.95 must be less than the previous tier's 0.9",
                "`below` decreasing",
            ),
            (
                "0.04",
                0,
                "tiers out of order: `credit` 0.04 must be more than the previous tier's 0.05",
                "increase",
            ),
            (
                "0.2 }",
                0,
                "credit 0.2 is over the cap of 0.1",
                "at most 0.1",
            ),
        ],
    );
}

#[test]
fn deliverables_are_owed_by_the_client_on_time_for_an_allowed_reason() {
    let text = format!(
        "{MINIMAL}\n{}",
        r#"[contacts.client]
approver = { name = "A", email = "a@c.example" }

[contacts.provider]
lead = { name = "L", email = "l@p.example" }

[[milestones]]
id = "go-live"
name = "Go live"
due = 2026-03-31
calendar = "support"

[[milestones.deliverables]]
what = "Data"
owner = "provider.lead"
due = 2026-04-01
reason = "aproval"

[[milestones]]
id = "go-live"
name = "Again"
due = 2026-05-01
calendar = "support"
"#
    );
    expect(
        &text,
        &[
            (
                "\"provider.lead\"",
                0,
                "`provider.lead` must be a client contact",
                "[contacts.client]",
            ),
            (
                "2026-04-01",
                0,
                "deliverable due 2026-04-01, after its milestone's due date 2026-03-31",
                "on or before",
            ),
            (
                "\"aproval\"",
                0,
                "unknown pause reason `aproval`",
                "did you mean `approval`?",
            ),
            (
                "\"go-live\"",
                1,
                "duplicate milestone id `go-live`",
                "its own id",
            ),
        ],
    );
}

#[test]
fn identity_values_are_checked() {
    let text = MINIMAL
        .replace("effective_from = 2026-01-01", "effective_from = 2026-01-01\neffective_until = 2025-12-31\ncurrency = \"eur\"\nreview_every = \"quartly\"\nversion = 0");
    expect(
        &text,
        &[
            (
                "2025-12-31",
                0,
                "`effective_until` (2025-12-31) is before `effective_from` (2026-01-01)",
                "on or after",
            ),
            ("\"eur\"", 0, "`eur` is not a currency code", "\"EUR\""),
            (
                "\"quartly\"",
                0,
                "`quartly` is not a valid review cadence",
                "did you mean \"quarterly\"?",
            ),
            ("0\n", 0, "`version` must be between 1 and", ""),
        ],
    );
}

#[test]
fn objectives_name_a_priority_with_that_metric() {
    let text = format!(
        "{MINIMAL}\n{}",
        r#"[[objectives]]
metric = "first_response"
priority = "normal"
within_target = 0.95
period = "month"

[[objectives]]
metric = "first_reponse"
priority = "critcal"
within_target = 1.5
period = "week"
"#
    );
    expect(
        &text,
        &[
            (
                "\"normal\"",
                0,
                "priority `normal` has no `first_response` target",
                "[priorities.normal]",
            ),
            (
                "\"first_reponse\"",
                0,
                "unknown metric `first_reponse`",
                "did you mean `first_response`?",
            ),
            (
                "\"critcal\"",
                0,
                "unknown priority `critcal`",
                "known: normal",
            ),
            (
                "1.5",
                0,
                "`within_target` must be a share in (0, 1]",
                "0.95",
            ),
            (
                "\"week\"",
                0,
                "`week` is not a valid period",
                "month, quarter",
            ),
        ],
    );
}

#[test]
fn escalation_levels_are_consecutive_with_known_people_and_calendars() {
    let text = format!(
        "{MINIMAL}\n{}",
        r#"[contacts.provider]
lead = { name = "L", email = "l@p.example" }

[[escalation]]
level = 1
who = ["provider.lead"]
respond_within = "8h"
calendar = "support"

[[escalation]]
level = 3
who = ["provider.boss"]
respond_within = "1 day"
calendar = "suport"
"#
    );
    expect(
        &text,
        &[
            (
                "3\n",
                0,
                "escalation level 3 is out of sequence: expected level 2",
                "1, 2, 3",
            ),
            (
                "\"provider.boss\"",
                0,
                "unknown contact `provider.boss`",
                "provider.lead",
            ),
            (
                "\"1 day\"",
                0,
                "`1 day` is not a duration for `respond_within`",
                "\"1h30m\"",
            ),
            (
                "\"suport\"",
                0,
                "unknown calendar `suport`",
                "did you mean `support`?",
            ),
        ],
    );
}

#[test]
fn every_mistake_in_a_contract_is_reported_in_one_run() {
    let acme = include_str!("../../../../examples/acme.contract.toml");
    let text = acme
        .replacen("currency = \"EUR\"", "currency = \"EURO\"", 1)
        .replacen("executive = {", "executiv = {", 1)
        .replacen(
            "first_response = \"16h\"",
            "first_response = \"16 hours\"",
            1,
        )
        .replacen(
            "thresholds = [0.5, 0.75, 0.9]",
            "thresholds = [0.5, 0.9, 0.75]",
            1,
        )
        .replacen("within_target = 0.90", "within_target = 90", 1)
        .replacen("period_fee = \"2500.00\"", "period_fee = 2500.00", 1)
        .replacen(
            "{ below = 0.90, credit = 0.10 }",
            "{ below = 0.90, credit = 0.30 }",
            1,
        )
        .replacen("due = 2026-03-02", "due = 2026-04-02", 1)
        .replacen("tax_rate = 0.19", "tax_rate = 0.19\ntaxrate = 0.2", 1)
        .replacen("mode = \"up\"", "mode = \"upwards\"", 1);
    expect(
        &text,
        &[
            ("\"EURO\"", 0, "`EURO` is not a currency code", "ISO 4217"),
            ("\"16 hours\"", 0, "`16 hours` is not a duration", "\"4h\""),
            (
                "0.75]",
                0,
                "warning thresholds must be strictly ascending",
                "[0.5, 0.75, 0.9]",
            ),
            ("90\n", 0, "`within_target` must be a share in (0, 1]", ""),
            (
                "2500.00",
                0,
                "`period_fee` is money and must be a decimal string",
                "\"2500.00\"",
            ),
            (
                "0.30",
                0,
                "credit 0.30 is over the cap of 0.20",
                "raise `cap`",
            ),
            (
                "\"provider.executive\"",
                0,
                "unknown contact `provider.executive`",
                "did you mean `provider.executiv`?",
            ),
            (
                "2026-04-02",
                0,
                "deliverable due 2026-04-02, after its milestone's due date 2026-03-31",
                "",
            ),
            (
                "taxrate",
                0,
                "unknown key `taxrate` in `[billing]`",
                "did you mean `tax_rate`?",
            ),
            (
                "\"upwards\"",
                0,
                "`upwards` is not a valid rounding mode",
                "up, down, nearest",
            ),
        ],
    );
}

#[test]
fn deliverable_names_are_unique_within_their_milestone_positions_included() {
    let deliverable = |id: &str| {
        format!(
            "[[milestones.deliverables]]\n{id}what = \"W\"\nowner = \"client.owner\"\ndue = 2026-03-01\nreason = \"approval\"\n"
        )
    };
    let text = format!(
        "{MINIMAL}\n{}{}{}{}{}{}",
        "[contacts.client]\nowner = { name = \"O\", email = \"o@c.example\" }\n\n",
        "[[milestones]]\nid = \"go-live\"\nname = \"Go live\"\ndue = 2026-03-31\ncalendar = \"support\"\n",
        // Named "2" by its id, while the next one is "2" by its position.
        deliverable("id = \"2\"\n"),
        deliverable(""),
        deliverable("id = \"export\"\n"),
        deliverable("id = \"export\"\n"),
    );
    expect(
        &text,
        &[
            (
                "\"2\"",
                0,
                "two deliverables of this milestone are named `2`",
                "named by its position",
            ),
            (
                "\"export\"",
                1,
                "two deliverables of this milestone are named `export`",
                "its own id",
            ),
        ],
    );
}

#[test]
fn billing_flags_default_to_false_and_must_be_booleans() {
    let base = "[billing]\nrate = \"100.00\"\ninvoice_every = \"month\"\n";
    let c = parse_named("c.toml", &with_money(base)).unwrap();
    let b = c.billing().unwrap();
    assert!(!b.client_accepts_periods && !b.pause_milestones_when_invoice_overdue);

    let on = format!(
        "{base}client_accepts_periods = true\npause_milestones_when_invoice_overdue = true\n"
    );
    let c = parse_named("c.toml", &with_money(&on)).unwrap();
    let b = c.billing().unwrap();
    assert!(b.client_accepts_periods && b.pause_milestones_when_invoice_overdue);

    let bad = format!(
        "{base}client_accepts_periods = \"yes\"\npause_milestones_when_invoice_overdue = 12345\n"
    );
    expect(
        &with_money(&bad),
        &[
            (
                "\"yes\"",
                0,
                "`client_accepts_periods` must be true or false",
                "",
            ),
            (
                "12345",
                0,
                "`pause_milestones_when_invoice_overdue` must be true or false",
                "",
            ),
        ],
    );
}
