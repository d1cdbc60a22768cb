//! `accord milestones` through the real binary (SPEC §6, §10).

use serde_json::Value;

use crate::support::{accord, example_arg, scratch_dir};

fn milestones(events: &str, at: &str, extra: &[&str]) -> std::process::Output {
    accord()
        .args([
            "milestones",
            "--contract",
            &example_arg("acme.contract.toml"),
            "--events",
            events,
            "--at",
            at,
        ])
        .args(extra)
        .output()
        .unwrap()
}

fn json(out: &std::process::Output) -> Vec<Value> {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice::<Vec<Value>>(&out.stdout).unwrap()
}

#[test]
fn the_example_history_moves_go_live_by_delay_and_the_agreed_shift() {
    let out = milestones(
        &example_arg("acme.milestones.jsonl"),
        "2026-03-20T12:00:00Z",
        &[],
    );
    let all = json(&out);
    assert_eq!(all.len(), 1, "one object per milestone of the contract");
    let m = &all[0];
    assert_eq!(m["milestone"], "pipeline-live");
    assert_eq!(m["baseline_due"], "2026-03-31");
    // Sample export 3 business days late, a pending_payment pause of 3
    // business days, a shift of 2: 8 business days after 03-31, skipping
    // Good Friday and Easter Monday.
    assert_eq!(m["client_delay_days"], 6);
    assert_eq!(m["shift_days"], 2);
    assert_eq!(m["adjusted_due"], "2026-04-14");
    assert_eq!(m["state"], "on_track");
    assert_eq!(m["next_change_at"], "2026-04-14T22:00:00Z");
    let d = &m["deliverables"];
    assert_eq!(
        (
            &d[0]["name"],
            &d[0]["days_late"],
            &d[0]["received"],
            &d[0]["overdue"]
        ),
        (
            &Value::from("1"),
            &Value::from(3),
            &Value::from("2026-02-18"),
            &Value::from(false)
        )
    );
    assert_eq!(
        (&d[1]["days_late"], &d[1]["owner"]),
        (&Value::from(0), &Value::from("client.approver"))
    );
    let ledger: Vec<String> = m["ledger"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{} {} {} {}->{}",
                e["on"].as_str().unwrap(),
                e["cause"].as_str().unwrap(),
                e["days"],
                e["from"].as_str().unwrap(),
                e["to"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        ledger,
        [
            "2026-02-16 deliverable 3 2026-03-31->2026-04-07",
            "2026-03-10 pause 3 2026-04-07->2026-04-10",
            "2026-03-16 shift 2 2026-04-10->2026-04-14",
        ]
    );
    assert_eq!(m["ledger"][1]["reason"], "pending_payment");
    assert_eq!(m["ledger"][1]["by"], "dana@provider.example");
    assert_eq!(
        m["ledger"][2]["reason"],
        "Change request CR-7: a second source system"
    );
}

#[test]
fn completion_before_the_adjusted_date_is_met_and_stops_waking_the_scheduler() {
    let out = milestones(
        &example_arg("acme.milestones.jsonl"),
        "2026-05-01T00:00:00Z",
        &[],
    );
    let m = &json(&out)[0];
    assert_eq!(m["state"], "met");
    assert_eq!(
        (&m["completed"], &m["accepted"]),
        (&Value::from("2026-04-13"), &Value::from("2026-04-15"))
    );
    assert_eq!(m["next_change_at"], Value::Null);
}

#[test]
fn events_from_stdin_in_any_order_give_the_same_milestones() {
    let text = std::fs::read_to_string(crate::support::example("acme.milestones.jsonl")).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines.reverse();
    lines.push(lines[0]);
    let reversed = accord()
        .args([
            "milestones",
            "--contract",
            &example_arg("acme.contract.toml"),
            "--events",
            "-",
            "--at",
            "2026-03-20T12:00:00Z",
        ])
        .write_stdin(lines.join("\n"))
        .output()
        .unwrap();
    let direct = milestones(
        &example_arg("acme.milestones.jsonl"),
        "2026-03-20T12:00:00Z",
        &[],
    );
    assert_eq!(json(&reversed), json(&direct));
}

#[test]
fn milestones_without_events_are_printed_from_their_baseline() {
    let dir = scratch_dir();
    let empty = dir.join("none.jsonl");
    std::fs::write(&empty, "\n").unwrap();
    let m = &json(&milestones(
        empty.to_str().unwrap(),
        "2026-02-10T12:00:00Z",
        &[],
    ))[0];
    assert_eq!(
        (&m["adjusted_due"], &m["state"], &m["client_delay_days"]),
        (
            &Value::from("2026-03-31"),
            &Value::from("on_track"),
            &Value::from(0)
        )
    );
    assert_eq!(m["ledger"], Value::Array(vec![]));
    // The export falls overdue on Saturday the 14th, 00:00 in Berlin.
    assert_eq!(m["next_change_at"], "2026-02-13T23:00:00Z");
}

#[test]
fn the_table_shows_each_milestone_and_its_ledger() {
    let out = milestones(
        &example_arg("acme.milestones.jsonl"),
        "2026-03-20T12:00:00Z",
        &["--format", "table"],
    );
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let first: Vec<&str> = text.lines().nth(1).unwrap().split_whitespace().collect();
    assert_eq!(
        first,
        [
            "pipeline-live",
            "2026-03-31",
            "2026-04-14",
            "6",
            "+2",
            "on_track",
            "2026-04-14T22:00:00Z"
        ]
    );
    assert!(text.contains("2026-02-16..2026-02-18  +3  2026-03-31 -> 2026-04-07  deliverable 1 \"Sample data export\" late (data_dependency) by mia@acme.example"), "{text}");
    assert!(text.contains("shifted: Change request CR-7"), "{text}");
}

/// Runs with one bad line after a good one; returns stderr, asserting the
/// run failed and printed nothing on stdout.
fn rejected(bad: &str) -> String {
    let dir = scratch_dir();
    let file = dir.join("bad.jsonl");
    let good = r#"{"milestone": "pipeline-live", "kind": "deliverable_received", "deliverable": "1", "at": "2026-02-12T10:00:00Z"}"#;
    std::fs::write(&file, format!("{good}\n\n{bad}\n")).unwrap();
    let out = milestones(file.to_str().unwrap(), "2026-03-20T12:00:00Z", &[]);
    assert!(!out.status.success());
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("bad.jsonl: line 3: "), "{err}");
    err
}

#[test]
fn bad_events_name_file_line_and_field_and_print_nothing() {
    let cases = [
        (
            r#"{"milestone": "pipeline-lve", "kind": "completed", "at": "2026-03-01T00:00:00Z"}"#,
            "field `milestone`: unknown milestone `pipeline-lve`; did you mean `pipeline-live`?",
        ),
        (
            r#"{"milestone": "pipeline-live", "kind": "deliverable_received", "deliverable": "schema", "at": "2026-03-01T00:00:00Z"}"#,
            "field `deliverable`: milestone `pipeline-live` has no deliverable `schema`; its deliverables: 1, 2",
        ),
        (
            r#"{"milestone": "pipeline-live", "kind": "finished", "at": "2026-03-01T00:00:00Z"}"#,
            "field `kind`: unknown event kind `finished`",
        ),
        (
            r#"{"milestone": "pipeline-live", "kind": "shifted", "days": 3, "at": "2026-03-01T00:00:00Z"}"#,
            "field `reason`: a `shifted` event needs a reason",
        ),
        (
            r#"{"milestone": "pipeline-live", "kind": "paused", "reason": "lunch", "at": "2026-03-01T00:00:00Z"}"#,
            "field `reason`: pause reason `lunch` is not allowed by the contract",
        ),
        (
            r#"{"milestone": "pipeline-live", "kind": "completed", "at": "yesterday"}"#,
            "field `at`: `yesterday` is not an RFC 3339 instant",
        ),
    ];
    for (line, message) in cases {
        let err = rejected(line);
        assert!(err.contains(message), "{line}\n{err}");
    }
}
