//! Milestones worked by hand (SPEC §6, §10) on the canonical example's
//! `pipeline-live`: baseline Tuesday 2026-03-31 on `support` (Mon–Fri,
//! Europe/Berlin, holidays Good Friday 04-03, Easter Monday 04-06 and
//! 05-01); deliverable "1", the sample data export, due Friday 02-13;
//! deliverable "2", the schema sign-off, due Monday 03-02.

use accord_core::contract::Contract;
use accord_core::milestone::{
    Cause, MilestoneError, MilestoneEvent, MilestoneOutcome, MilestoneState, evaluate,
};
use jiff::Timestamp;
use jiff::civil::{Date, date};

use crate::contract_model::{MINIMAL, parse_named};

fn acme() -> Contract {
    let text = include_str!("../../../../examples/acme.contract.toml");
    parse_named("acme.contract.toml", text).unwrap_or_else(|e| panic!("{e}"))
}

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

/// Events from JSON Lines text, one event a line.
fn events(text: &str) -> Vec<MilestoneEvent> {
    MilestoneEvent::parse_json_lines(text)
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|(_, e)| e)
        .collect()
}

/// A `pipeline-live` event of `kind` at `at` with extra JSON members.
fn ev(kind: &str, at: &str, extra: &str) -> String {
    format!(r#"{{"milestone":"pipeline-live","kind":"{kind}","at":"{at}"{extra}}}"#)
}

fn received(deliverable: &str, at: &str) -> String {
    ev(
        "deliverable_received",
        at,
        &format!(r#","deliverable":"{deliverable}""#),
    )
}

fn pipeline(c: &Contract, lines: &[String], at: &str) -> MilestoneOutcome {
    let out = evaluate(c, &events(&lines.join("\n")), ts(at)).unwrap_or_else(|e| panic!("{e}"));
    out.into_iter()
        .find(|m| m.milestone == "pipeline-live")
        .unwrap()
}

/// Both deliverables on time.
fn on_time() -> Vec<String> {
    vec![
        received("1", "2026-02-12T15:00:00Z"),
        received("2", "2026-03-02T09:00:00Z"),
    ]
}

#[test]
fn late_sample_export_shifts_go_live_by_three_business_days_past_easter() {
    let mut lines = on_time();
    // Due Friday 13; received Wednesday 18 at 10:00 Berlin: Mon, Tue, Wed late.
    lines[0] = received("1", "2026-02-18T10:00:00+01:00");
    let m = pipeline(&acme(), &lines, "2026-03-10T12:00:00Z");
    assert_eq!(m.client_delay_days, 3);
    assert_eq!(m.deliverables[0].days_late, 3);
    assert_eq!(m.deliverables[0].received, Some(date(2026, 2, 18)));
    // Apr 1, Apr 2, then Good Friday, the weekend and Easter Monday: Apr 7.
    assert_eq!(m.adjusted_due, date(2026, 4, 7));
    assert_eq!(m.state, MilestoneState::OnTrack);
    assert_eq!(m.ledger.len(), 1);
    let entry = &m.ledger[0];
    assert_eq!(
        (entry.on, entry.through, entry.days, entry.from, entry.to),
        (
            date(2026, 2, 16),
            date(2026, 2, 18),
            3,
            date(2026, 3, 31),
            date(2026, 4, 7)
        )
    );
    assert!(
        matches!(&entry.cause, Cause::Deliverable { name, reason, .. } if name == "1" && reason == "data_dependency")
    );
}

#[test]
fn receipt_on_the_due_date_or_the_weekend_after_it_costs_no_delay() {
    for at in [
        "2026-02-13T22:59:59Z", // Friday 23:59:59 in Berlin
        "2026-02-13T23:30:00Z", // Saturday 00:30 in Berlin: not a business day
    ] {
        let mut lines = on_time();
        lines[0] = received("1", at);
        let m = pipeline(&acme(), &lines, "2026-03-10T12:00:00Z");
        assert_eq!(
            (m.client_delay_days, m.adjusted_due),
            (0, date(2026, 3, 31)),
            "{at}"
        );
        assert!(m.ledger.is_empty());
    }
    // Monday 00:30 in Berlin is one business day late.
    let mut lines = on_time();
    lines[0] = received("1", "2026-02-15T23:30:00Z");
    let m = pipeline(&acme(), &lines, "2026-03-10T12:00:00Z");
    assert_eq!(m.client_delay_days, 1);
}

#[test]
fn holidays_inside_a_delay_range_are_not_days_of_delay() {
    // Schema sign-off due Monday 03-02, received Tuesday 04-07: March has 21
    // business days after the 2nd, April 1, 2, then Good Friday and Easter
    // Monday are skipped, and the 7th counts.
    let mut lines = on_time();
    lines[1] = received("2", "2026-04-07T08:00:00Z");
    let m = pipeline(&acme(), &lines, "2026-04-08T12:00:00Z");
    assert_eq!(m.deliverables[1].days_late, 21 + 3);
    assert_eq!(m.client_delay_days, 24);
}

#[test]
fn a_pause_overlapping_a_late_deliverable_counts_each_day_once() {
    let mut lines = on_time();
    lines[0] = received("1", "2026-02-18T10:00:00+01:00"); // (02-13, 02-18]: 16, 17, 18
    lines.push(ev(
        "paused",
        "2026-02-17T09:00:00Z",
        r#","reason":"pending_payment","by":"ap@provider.example","note":"invoice 2026-001 overdue""#,
    )); // (02-17, 02-20]: 18, 19, 20
    lines.push(ev("resumed", "2026-02-20T16:00:00Z", ""));
    let m = pipeline(&acme(), &lines, "2026-03-10T12:00:00Z");
    assert_eq!(m.deliverables[0].days_late, 3);
    assert_eq!(m.pauses[0].days, 3);
    assert_eq!(m.client_delay_days, 5);
    assert_eq!(m.adjusted_due, date(2026, 4, 9));
    // The 18th belongs to the deliverable, whose delay started first.
    let ledger: Vec<_> = m
        .ledger
        .iter()
        .map(|e| (e.cause.kind(), e.on, e.through, e.days, e.to))
        .collect();
    assert_eq!(
        ledger,
        [
            (
                "deliverable",
                date(2026, 2, 16),
                date(2026, 2, 18),
                3,
                date(2026, 4, 7)
            ),
            (
                "pause",
                date(2026, 2, 19),
                date(2026, 2, 20),
                2,
                date(2026, 4, 9)
            ),
        ]
    );
    assert_eq!(m.ledger[1].by.as_deref(), Some("ap@provider.example"));
    assert_eq!(
        m.ledger[1].note.as_deref(),
        Some("invoice 2026-001 overdue")
    );
}

#[test]
fn a_negative_shift_brings_the_milestone_forward_by_business_days() {
    let mut lines = on_time();
    lines.push(ev(
        "shifted",
        "2026-03-10T10:00:00Z",
        r#","days":-2,"reason":"scope reduced","by":"sam@provider.example""#,
    ));
    let m = pipeline(&acme(), &lines, "2026-03-12T12:00:00Z");
    // Two business days before Tuesday 03-31: Monday 30, Friday 27.
    assert_eq!(
        (m.adjusted_due, m.shift_days, m.client_delay_days),
        (date(2026, 3, 27), -2, 0)
    );
    assert_eq!(m.ledger.len(), 1);
    assert_eq!(m.ledger[0].on, date(2026, 3, 10));
    assert!(matches!(&m.ledger[0].cause, Cause::Shift { reason } if reason == "scope reduced"));
    assert_eq!(
        (m.ledger[0].from, m.ledger[0].to),
        (date(2026, 3, 31), date(2026, 3, 27))
    );
}

/// A contract whose milestone is due on Saturday 2026-03-28.
fn saturday_milestone() -> Contract {
    let weekdays =
        ["mon", "tue", "wed", "thu", "fri"].map(|d| format!("{d} = [\"09:00-17:00\"]\n"));
    let text = format!(
        "{}\n{}",
        MINIMAL.replace("mon = [\"09:00-17:00\"]\n", &weekdays.concat()),
        r#"[contacts.client]
owner = { name = "O", email = "o@c.example" }

[[milestones]]
id = "launch"
name = "Launch"
due = 2026-03-28
calendar = "support"
"#
    );
    parse_named("c.toml", &text).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn shifts_count_from_a_baseline_that_is_not_a_business_day() {
    let c = saturday_milestone();
    let shifted = |days: i64| {
        let line = format!(
            r#"{{"milestone":"launch","kind":"shifted","days":{days},"reason":"r","at":"2026-03-02T10:00:00Z"}}"#
        );
        evaluate(&c, &events(&line), ts("2026-03-03T00:00:00Z")).unwrap()[0].adjusted_due
    };
    assert_eq!(
        shifted(0),
        date(2026, 3, 28),
        "N = 0 is the baseline itself"
    );
    assert_eq!(
        shifted(1),
        date(2026, 3, 30),
        "the first business day after it"
    );
    assert_eq!(
        shifted(-1),
        date(2026, 3, 27),
        "the first business day before it"
    );
    assert_eq!(shifted(-5), date(2026, 3, 23));
}

#[test]
fn shifts_that_cancel_out_return_to_the_baseline_itself() {
    let c = saturday_milestone();
    let lines = [
        r#"{"milestone":"launch","kind":"shifted","days":2,"reason":"more","at":"2026-03-02T10:00:00Z"}"#,
        r#"{"milestone":"launch","kind":"shifted","days":-3,"reason":"less","at":"2026-03-03T10:00:00Z"}"#,
        r#"{"milestone":"launch","kind":"shifted","days":1,"reason":"back","at":"2026-03-04T10:00:00Z"}"#,
    ]
    .join("\n");
    let m = &evaluate(&c, &events(&lines), ts("2026-03-05T00:00:00Z")).unwrap()[0];
    let chain: Vec<(Date, Date)> = m.ledger.iter().map(|e| (e.from, e.to)).collect();
    assert_eq!(
        chain,
        [
            (date(2026, 3, 28), date(2026, 3, 31)),
            (date(2026, 3, 31), date(2026, 3, 27)),
            (date(2026, 3, 27), date(2026, 3, 28)),
        ]
    );
    assert_eq!(m.adjusted_due, date(2026, 3, 28));
}

#[test]
fn completion_stops_an_outstanding_deliverable_from_growing() {
    let lines = vec![ev("completed", "2026-02-18T16:00:00Z", "")];
    let m = pipeline(&acme(), &lines, "2026-06-01T12:00:00Z");
    // Deliverable 1: (02-13, 02-18] = 3 days however late we look.
    assert_eq!(m.deliverables[0].days_late, 3);
    assert!(m.deliverables[0].overdue);
    assert!(!m.deliverables[1].overdue, "due after completion");
    assert_eq!(m.client_delay_days, 3);
    assert_eq!(m.state, MilestoneState::Met);
    assert_eq!(m.completed, Some(date(2026, 2, 18)));
    assert_eq!(m.next_change_at, None);
    // A receipt after completion counts as received on the completion date.
    let mut late = lines.clone();
    late.push(received("1", "2026-05-04T10:00:00Z"));
    let m2 = pipeline(&acme(), &late, "2026-06-01T12:00:00Z");
    assert_eq!((m2.deliverables[0].days_late, m2.client_delay_days), (3, 3));
    assert!(!m2.deliverables[0].overdue);
}

#[test]
fn acceptance_completes_a_milestone_and_judges_it_against_the_adjusted_date() {
    let mut lines = on_time();
    lines.push(ev(
        "accepted",
        "2026-04-01T10:00:00Z",
        r#","by":"jonas@acme.example""#,
    ));
    let m = pipeline(&acme(), &lines, "2026-04-10T12:00:00Z");
    assert_eq!(
        (m.completed, m.accepted),
        (Some(date(2026, 4, 1)), Some(date(2026, 4, 1)))
    );
    assert_eq!(m.state, MilestoneState::Missed, "a day after 03-31");

    lines.push(ev("completed", "2026-03-30T15:00:00Z", ""));
    let m = pipeline(&acme(), &lines, "2026-04-10T12:00:00Z");
    assert_eq!(
        (m.completed, m.accepted),
        (Some(date(2026, 3, 30)), Some(date(2026, 4, 1)))
    );
    assert_eq!(m.state, MilestoneState::Met);
}

#[test]
fn states_follow_the_specs_precedence_as_days_pass() {
    let c = acme();
    // Friday 13, nothing received: export due today, not overdue yet.
    let m = pipeline(&c, &[], "2026-02-13T12:00:00Z");
    assert_eq!(m.state, MilestoneState::OnTrack);
    assert_eq!(
        m.next_change_at,
        Some(ts("2026-02-13T23:00:00Z")),
        "Saturday 00:00 Berlin"
    );
    // Saturday: overdue, no business day of delay yet; next change Monday.
    let m = pipeline(&c, &[], "2026-02-14T12:00:00Z");
    assert_eq!(m.state, MilestoneState::WaitingOnClient);
    assert!(m.deliverables[0].overdue);
    assert_eq!(m.client_delay_days, 0);
    assert_eq!(m.next_change_at, Some(ts("2026-02-15T23:00:00Z")));
    // Monday: a day of delay, still waiting; the growing delay changes tomorrow.
    let m = pipeline(&c, &[], "2026-02-16T12:00:00Z");
    assert_eq!((m.client_delay_days, m.adjusted_due), (1, date(2026, 4, 1)));
    assert_eq!(m.state, MilestoneState::WaitingOnClient);
    assert_eq!(m.next_change_at, Some(ts("2026-02-16T23:00:00Z")));
    // Everything on time, then the baseline passes: overdue, nothing more to wake for.
    let m = pipeline(&c, &on_time(), "2026-03-31T21:59:59Z");
    assert_eq!(m.state, MilestoneState::OnTrack);
    assert_eq!(
        m.next_change_at,
        Some(ts("2026-03-31T22:00:00Z")),
        "April 1 00:00 CEST"
    );
    let m = pipeline(&c, &on_time(), "2026-03-31T22:00:00Z");
    assert_eq!(m.state, MilestoneState::Overdue);
    assert_eq!(m.next_change_at, None);
}

#[test]
fn a_pause_while_paused_is_ignored_and_an_open_pause_grows_until_today() {
    let mut lines = on_time();
    lines.push(ev(
        "paused",
        "2026-03-03T10:00:00Z",
        r#","reason":"approval""#,
    ));
    lines.push(ev(
        "paused",
        "2026-03-05T10:00:00Z",
        r#","reason":"pending_payment""#,
    ));
    let m = pipeline(&acme(), &lines, "2026-03-06T12:00:00Z");
    assert_eq!(m.pauses.len(), 1);
    assert_eq!(
        (m.pauses[0].reason.as_str(), m.pauses[0].to),
        ("approval", None)
    );
    assert_eq!(m.client_delay_days, 3, "Wed 4, Thu 5, Fri 6");
    assert_eq!(m.state, MilestoneState::WaitingOnClient);
    assert_eq!(
        m.next_change_at,
        Some(ts("2026-03-08T23:00:00Z")),
        "Monday 9"
    );
}

#[test]
fn order_duplicates_and_events_after_the_evaluation_instant_do_not_matter() {
    let mut lines = on_time();
    lines[0] = received("1", "2026-02-18T10:00:00+01:00");
    lines.push(ev(
        "paused",
        "2026-02-17T09:00:00Z",
        r#","reason":"pending_payment""#,
    ));
    lines.push(ev("resumed", "2026-02-20T16:00:00Z", r#","id":"r1""#));
    let at = "2026-03-10T12:00:00Z";
    let expected = pipeline(&acme(), &lines, at);
    let mut shuffled = lines.clone();
    shuffled.reverse();
    shuffled.push(lines[2].clone());
    shuffled.push(lines[3].clone());
    shuffled.push(ev(
        "shifted",
        "2026-03-11T10:00:00Z",
        r#","days":5,"reason":"later""#,
    ));
    assert_eq!(pipeline(&acme(), &shuffled, at), expected);
}

fn error_of(lines: &str) -> MilestoneError {
    evaluate(&acme(), &events(lines), ts("2026-03-10T12:00:00Z")).unwrap_err()
}

#[test]
fn events_naming_what_the_contract_lacks_are_errors_naming_event_and_field() {
    let e = error_of(
        &ev("completed", "2026-03-01T00:00:00Z", "").replace("pipeline-live", "pipline-live"),
    );
    assert_eq!(e.event().unwrap().position, 1);
    assert!(
        e.to_string().contains(
            "field `milestone`: unknown milestone `pipline-live`; did you mean `pipeline-live`?"
        ),
        "{e}"
    );

    let e = error_of(&format!(
        "{}\n{}",
        received("1", "2026-02-12T15:00:00Z"),
        received("3", "2026-02-12T15:00:00Z")
    ));
    assert_eq!(e.event().unwrap().position, 2);
    assert!(e.to_string().contains("field `deliverable`: milestone `pipeline-live` has no deliverable `3`; its deliverables: 1, 2"), "{e}");

    let e = error_of(&ev(
        "paused",
        "2026-03-01T00:00:00Z",
        r#","reason":"holiday""#,
    ));
    assert!(e.to_string().contains("field `reason`: pause reason `holiday` is not allowed by the contract; allowed: approval,"), "{e}");

    let e = error_of(&format!(
        "{}\n{}",
        ev("resumed", "2026-03-01T00:00:00Z", r#","id":"x""#),
        ev("completed", "2026-03-01T00:00:00Z", r#","id":"x""#)
    ));
    assert_eq!(e.event().unwrap().position, 2);
    assert!(
        e.to_string()
            .contains("field `id`: the id `x` was already used by a different event"),
        "{e}"
    );
}

#[test]
fn event_lines_are_read_strictly_with_the_field_at_fault() {
    let cases = [
        (
            r#"{"milestone":"m","kind":"shifted","days":2,"at":"2026-03-01T00:00:00Z"}"#,
            "reason",
            "a `shifted` event needs a reason",
        ),
        (
            r#"{"milestone":"m","kind":"shifted","reason":"r","at":"2026-03-01T00:00:00Z"}"#,
            "days",
            "a `shifted` event needs days",
        ),
        (
            r#"{"milestone":"m","kind":"shifted","days":1.5,"reason":"r","at":"2026-03-01T00:00:00Z"}"#,
            "days",
            "must be a whole number",
        ),
        (
            r#"{"milestone":"m","kind":"shifted","days":"2","reason":"r","at":"2026-03-01T00:00:00Z"}"#,
            "days",
            "must be a whole number",
        ),
        (
            r#"{"milestone":"m","kind":"paused","at":"2026-03-01T00:00:00Z"}"#,
            "reason",
            "a `paused` event needs a reason",
        ),
        (
            r#"{"milestone":"m","kind":"deliverable_received","at":"2026-03-01T00:00:00Z"}"#,
            "deliverable",
            "needs a deliverable",
        ),
        (
            r#"{"milestone":"m","kind":"resumed","reason":"x","at":"2026-03-01T00:00:00Z"}"#,
            "reason",
            "not allowed on a `resumed` event",
        ),
        (
            r#"{"milestone":"m","kind":"complete","at":"2026-03-01T00:00:00Z"}"#,
            "kind",
            "did you mean `completed`?",
        ),
        (
            r#"{"milestone":"m","kind":"completed","at":"2026-03-01"}"#,
            "at",
            "not an RFC 3339 instant",
        ),
        (
            r#"{"milestone":"m","kind":"completed","at":"2026-03-01T00:00:00Z","nite":"x"}"#,
            "nite",
            "did you mean `note`?",
        ),
        (
            r#"{"milestone":"m","kind":"completed","kind":"accepted","at":"2026-03-01T00:00:00Z"}"#,
            "kind",
            "appears twice",
        ),
        (
            r#"{"kind":"completed","at":"2026-03-01T00:00:00Z"}"#,
            "milestone",
            "missing",
        ),
        (
            r#"{"milestone":"m","kind":"completed","at":"2026-03-01T00:00:00Z","by":7}"#,
            "by",
            "must be a string",
        ),
    ];
    for (line, field, message) in cases {
        let text = format!("\n{line}\n");
        let e = MilestoneEvent::parse_json_lines(&text).unwrap_err();
        assert_eq!(
            (e.line, e.field.as_deref()),
            (Some(2), Some(field)),
            "{line}"
        );
        assert!(e.message.contains(message), "{line}: {e}");
    }
    let ok = r#"{"milestone":"m","kind":"shifted","days":-3,"reason":"r","at":"2026-03-01T01:00:00+01:00","id":null,"by":"a","note":"n"}"#;
    let e = MilestoneEvent::from_json_line(ok).unwrap();
    assert_eq!(e.at, ts("2026-03-01T00:00:00Z"));
    assert_eq!(
        (e.by.as_deref(), e.note.as_deref(), e.id),
        (Some("a"), Some("n"), None)
    );
}
