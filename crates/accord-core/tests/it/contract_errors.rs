//! Every kind of mistake in a contract is reported with its line, column,
//! message and a fix, all in one run (SPEC §2).

use accord_core::Diagnostic;

use crate::contract_model::{MINIMAL, parse_named};

fn errors(text: &str) -> Vec<Diagnostic> {
    match parse_named("c.toml", text) {
        Ok(_) => panic!("expected diagnostics for:\n{text}"),
        Err(d) => d.0,
    }
}

/// The single diagnostic of `text`, as (line, column, message).
fn one(text: &str) -> (usize, usize, String, Option<String>) {
    let d = errors(text);
    assert_eq!(d.len(), 1, "{d:#?}");
    let d = &d[0];
    (d.line, d.column, d.message.clone(), d.help.clone())
}

/// MINIMAL with `extra` appended (lines 13 onwards).
fn with(extra: &str) -> String {
    format!("{MINIMAL}\n{extra}")
}

#[test]
fn a_bad_duration_is_pointed_at_with_the_notation() {
    let text = MINIMAL.replace("\"40h\"", "\"4hrs\"");
    let (line, col, msg, help) = one(&text);
    assert_eq!((line, col), (11, 14));
    assert!(
        msg.starts_with("`4hrs` is not a duration for `resolution`: unknown unit `hrs`"),
        "{msg}"
    );
    assert_eq!(
        help.as_deref(),
        Some("write hours and minutes like \"4h\", \"90m\" or \"1h30m\"")
    );
}

#[test]
fn an_unknown_calendar_reference_suggests_the_closest() {
    let text = MINIMAL.replace("calendar = \"support\"", "calendar = \"suport\"");
    let (line, col, msg, help) = one(&text);
    assert_eq!(
        (line, col, msg.as_str()),
        (10, 12, "unknown calendar `suport`")
    );
    assert_eq!(help.as_deref(), Some("did you mean `support`?"));
}

#[test]
fn a_priority_needs_a_target_and_a_calendar() {
    let (line, col, msg, _) = one(&with("[priorities.low]\ncalendar = \"support\"\n"));
    assert_eq!(
        (line, col, msg.as_str()),
        (13, 1, "priority `low` has no target")
    );
    let (line, col, msg, _) = one(&with("[priorities.low]\nresolution = \"1h\"\n"));
    assert_eq!(
        (line, col, msg.as_str()),
        (13, 1, "priority `low` has no `calendar`")
    );
}

#[test]
fn unknown_keys_in_a_priority_suggest_the_metric() {
    let (line, col, msg, help) = one(&with(
        "[priorities.low]\ncalendar = \"support\"\nfirst_respons = \"1h\"\n",
    ));
    assert_eq!(
        (line, col, msg.as_str()),
        (15, 1, "unknown key `first_respons` in priority `low`")
    );
    assert_eq!(help.as_deref(), Some("did you mean `first_response`?"));
}

#[test]
fn unknown_top_level_keys_are_reported() {
    let text = MINIMAL.replace("client = ", "cliant = ");
    let d = errors(&text);
    let got: Vec<_> = d
        .iter()
        .map(|d| (d.line, d.column, d.message.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (1, 1, "the contract has no `client`"),
            (2, 1, "unknown key `cliant` in the contract")
        ]
    );
    assert_eq!(d[1].help.as_deref(), Some("did you mean `client`?"));
}

#[test]
fn missing_required_keys_are_each_named() {
    let d = errors("title = \"x\"\n");
    let got: Vec<_> = d
        .iter()
        .map(|d| (d.line, d.column, d.message.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (1, 1, "the contract has no `id`"),
            (1, 1, "the contract has no `client`"),
            (1, 1, "the contract has no `effective_from`"),
            (1, 1, "the contract has no calendar"),
            (1, 1, "the contract has no priority"),
        ]
    );
    assert!(d.iter().all(|d| d.help.is_some()));
}

#[test]
fn warning_thresholds_must_be_inside_0_1_and_ascending() {
    let d = errors(&with(
        "[warnings]\nthresholds = [0.5, 1.0, 0.75, 0.6, 0, \"0.9\"]\n",
    ));
    let got: Vec<_> = d
        .iter()
        .map(|d| (d.line, d.column, d.message.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (14, 20, "a warning threshold must be a share in (0, 1)"),
            (
                14,
                31,
                "warning thresholds must be strictly ascending: 0.6 follows 0.75"
            ),
            (14, 36, "a warning threshold must be a share in (0, 1)"),
            (
                14,
                39,
                "a warning threshold must be a number such as 0.95, found string"
            ),
        ]
    );
}

#[test]
fn warnings_notify_known_contacts_only() {
    let text = with(
        "[contacts.provider]\nlead = { name = \"A\", email = \"a@p.example\" }\n\n[warnings]\nnotify = [\"provider.laed\", \"lead\", \"client.lead\"]\n",
    );
    let d = errors(&text);
    let got: Vec<_> = d
        .iter()
        .map(|d| (d.line, d.column, d.message.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (17, 11, "unknown contact `provider.laed`"),
            (
                17,
                28,
                "`lead` is not a contact reference: write \"provider.ROLE\" or \"client.ROLE\""
            ),
            (17, 36, "unknown contact `client.lead`"),
        ]
    );
    assert_eq!(d[0].help.as_deref(), Some("did you mean `provider.lead`?"));
}

#[test]
fn pause_reasons_are_names_listed_once() {
    let d = errors(&with(
        "[pauses]\nreasons = [\"approval\", \"approval\", \"Vendor Wait\"]\nresume_on_client_reply = \"yes\"\n",
    ));
    let got: Vec<_> = d
        .iter()
        .map(|d| (d.line, d.column, d.message.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (14, 24, "pause reason `approval` is listed twice"),
            (14, 36, "`Vendor Wait` is not a valid pause reason name"),
            (
                15,
                26,
                "`resume_on_client_reply` must be true or false, found string"
            ),
        ]
    );
}
