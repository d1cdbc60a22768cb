//! `accord clocks` through the real binary (SPEC §4, §10).

use std::path::PathBuf;

use assert_cmd::Command;
use serde_json::Value;

fn accord() -> Command {
    Command::cargo_bin("accord").unwrap()
}

fn example(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name)
        .to_str()
        .unwrap()
        .to_string()
}

fn clocks(events: &str, stdin: Option<&str>, extra: &[&str]) -> std::process::Output {
    let mut cmd = accord();
    cmd.args([
        "clocks",
        "--contract",
        &example("acme.contract.toml"),
        "--events",
        events,
        "--at",
        "2026-03-04T00:00:00Z",
    ])
    .args(extra);
    if let Some(input) = stdin {
        cmd.write_stdin(input);
    }
    cmd.output().unwrap()
}

fn lines(out: &std::process::Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn replays_interleaved_out_of_order_events_one_line_per_ticket_metric_and_cycle() {
    let out = clocks(&example("acme.events.jsonl"), None, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = lines(&out);
    let keys: Vec<_> = lines
        .iter()
        .map(|l| {
            format!(
                "{} {} {} {}",
                l["ticket"], l["metric"], l["cycle"], l["state"]
            )
        })
        .collect();
    assert_eq!(
        keys,
        [
            r#""T-1" "first_response" 1 "met""#,
            r#""T-1" "next_response" 1 "met""#,
            r#""T-1" "resolution" 1 "met""#,
            r#""T-2" "first_response" 1 "missed""#,
            r#""T-2" "resolution" 1 "overdue""#,
            r#""T-2" "periodic_update" 1 "met""#,
            r#""T-2" "periodic_update" 2 "overdue""#,
        ],
        "T-4 opens after --at and is left out"
    );
    // T-1 resolution: 5 h Monday, paused for approval 13:00-17:00 Berlin and
    // Tuesday 09:00-10:00, then 5 h on Tuesday.
    let resolution = &lines[2];
    assert_eq!(resolution["elapsed_s"], 36_000);
    assert_eq!(resolution["paused_s"], 14_400);
    assert_eq!(resolution["paused_by_reason"]["approval"], 14_400);
    assert_eq!(resolution["remaining_s"], 21_600);
    assert_eq!(resolution["stopped_at"], "2026-03-03T14:00:00Z");
    assert_eq!(lines[3]["breached_at"], "2026-03-02T08:30:00Z");
    assert_eq!(lines[4]["deadline"], "2026-03-02T16:00:00Z");
    assert_eq!(lines[0]["deadline"], Value::Null);
}

#[test]
fn csv_on_stdin_gives_the_same_clocks_as_json_lines() {
    let csv = "ticket,kind,at,priority,reason,note,id,by\n\
        T-1,opened,2026-03-02T08:00:00Z,critical,,,t1-1,\n\
        T-2,opened,2026-03-02T08:00:00Z,outage,,,t2-1,monitoring\n\
        T-1,replied,2026-03-02T10:00:00Z,,,,t1-2,ana\n\
        T-1,client_replied,2026-03-02T12:00:00Z,,,,t1-3,\n\
        T-1,paused,2026-03-02T13:00:00Z,,approval,\"quote sent, waiting\",t1-4,\n\
        T-1,client_replied,2026-03-03T09:00:00Z,,,approved,t1-5,\n\
        T-1,replied,2026-03-03T10:00:00Z,,,,t1-6,\n\
        T-1,resolved,2026-03-03T14:00:00Z,,,,t1-7,\n\
        T-2,replied,2026-03-02T09:00:00Z,,,,t2-2,ana\n";
    let from_csv = clocks("-", Some(csv), &[]);
    assert!(
        from_csv.status.success(),
        "{}",
        String::from_utf8_lossy(&from_csv.stderr)
    );
    let from_json = clocks(&example("acme.events.jsonl"), None, &[]);
    assert_eq!(lines(&from_csv), lines(&from_json));
}

#[test]
fn an_inconsistent_ticket_gets_an_error_line_naming_the_input_line() {
    let input = r#"{"ticket":"T-1","kind":"opened","at":"2026-03-02T08:00:00Z","priority":"critical"}
{"ticket":"T-3","kind":"opened","at":"2026-03-02T08:00:00Z","priority":"critical"}
{"ticket":"T-3","kind":"paused","at":"2026-03-02T09:00:00Z","reason":"lunch"}
"#;
    let out = clocks("-", Some(input), &[]);
    assert_eq!(out.status.code(), Some(1));
    let lines = lines(&out);
    assert_eq!(lines[0]["ticket"], "T-1");
    let last = lines.last().unwrap();
    assert_eq!(last["ticket"], "T-3");
    let error = last["error"].as_str().unwrap();
    assert!(
        error.starts_with("-: line 3: event #2 (paused at 2026-03-02T09:00:00Z)"),
        "{error}"
    );
    assert!(
        error.contains("pause reason `lunch` is not allowed"),
        "{error}"
    );
}

#[test]
fn a_malformed_event_stops_with_its_line_and_field() {
    let input = "{\"ticket\":\"T-1\",\"kind\":\"opened\",\"at\":\"2026-03-02T08:00:00Z\",\"priority\":\"critical\"}\n\
                 {\"ticket\":\"T-1\",\"kind\":\"replied\",\"at\":\"yesterday\"}\n";
    let out = clocks("-", Some(input), &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("-: line 2: field `at`: `yesterday` is not an RFC 3339 instant"),
        "{stderr}"
    );
}

#[test]
fn table_format_aligns_columns_for_people() {
    let out = clocks(&example("acme.events.jsonl"), None, &["--format", "table"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<&str> = text.lines().collect();
    assert!(
        rows[0].starts_with("TICKET  METRIC           CYCLE  STATE"),
        "{text}"
    );
    assert_eq!(
        rows[5].split_whitespace().collect::<Vec<_>>(),
        [
            "T-2",
            "resolution",
            "1",
            "overdue",
            "8h",
            "40h",
            "0m",
            "0m",
            "2026-03-02T16:00:00Z",
            "2026-03-02T16:00:00Z"
        ]
    );
}
