//! `accord clocks` through the real binary (SPEC §4, §10).

use crate::support::{accord, example_arg};
use serde_json::Value;

fn clocks(events: &str, stdin: Option<&str>, extra: &[&str]) -> std::process::Output {
    let mut cmd = accord();
    cmd.args([
        "clocks",
        "--contract",
        &example_arg("acme.contract.toml"),
        "--events",
        events,
    ])
    .args(extra);
    if !extra.contains(&"--at") {
        cmd.args(["--at", "2026-03-04T00:00:00Z"]);
    }
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

/// The output lines, sorted: the same clocks whatever the order of tickets.
fn sorted(out: &std::process::Output) -> Vec<String> {
    let mut lines: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(String::from)
        .collect();
    lines.sort();
    lines
}

#[test]
fn replays_interleaved_out_of_order_events_one_line_per_ticket_metric_and_cycle() {
    let out = clocks(&example_arg("acme.events.jsonl"), None, &[]);
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
            r#""T-2" "first_response" 1 "missed""#,
            r#""T-2" "resolution" 1 "overdue""#,
            r#""T-2" "periodic_update" 1 "met""#,
            r#""T-2" "periodic_update" 2 "overdue""#,
            r#""T-1" "first_response" 1 "met""#,
            r#""T-1" "next_response" 1 "met""#,
            r#""T-1" "resolution" 1 "met""#,
        ],
        "tickets in the order of their last events (T-2 line 4, T-1 line 10); \
         T-4 opens after --at and is left out"
    );
    // T-1 resolution: 5 h Monday, paused for approval 13:00-17:00 Berlin and
    // Tuesday 09:00-10:00, then 5 h on Tuesday.
    let resolution = &lines[6];
    assert_eq!(resolution["elapsed_s"], 36_000);
    assert_eq!(resolution["paused_s"], 14_400);
    assert_eq!(resolution["paused_by_reason"]["approval"], 14_400);
    assert_eq!(resolution["remaining_s"], 21_600);
    assert_eq!(resolution["stopped_at"], "2026-03-03T14:00:00Z");
    assert_eq!(lines[0]["breached_at"], "2026-03-02T08:30:00Z");
    assert_eq!(lines[1]["deadline"], "2026-03-02T16:00:00Z");
    assert_eq!(lines[4]["deadline"], Value::Null);
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
    let from_json = clocks(&example_arg("acme.events.jsonl"), None, &[]);
    // Tickets come in the order of their last events, which differs here.
    assert_eq!(sorted(&from_csv), sorted(&from_json));
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
    let out = clocks(
        &example_arg("acme.events.jsonl"),
        None,
        &["--format", "table"],
    );
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<&str> = text.lines().collect();
    assert!(
        rows[0].starts_with("TICKET  METRIC           CYCLE  STATE"),
        "{text}"
    );
    assert_eq!(
        rows[2].split_whitespace().collect::<Vec<_>>(),
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

/// A deterministic history of `n` tickets: (ticket, instant, JSON line),
/// each ticket's events in time order, with pauses, priority changes,
/// reopenings, same-second events and a re-sent copy.
fn histories(n: u64) -> Vec<(u64, i64, String)> {
    let mut state = 0x5eed_u64;
    let mut next = move |m: u64| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) % m
    };
    let priorities = ["critical", "high", "normal", "outage"];
    let reasons = ["approval", "data_dependency", "work_review"];
    let mut events = Vec::new();
    for t in 0..n {
        // 2026-03-02T07:00:00Z plus up to two weeks.
        let mut at = 1_772_434_800 + next(14 * 86_400) as i64;
        let mut push = |at: i64, rest: String| {
            let line = format!(
                r#"{{"ticket":"T-{t}","at":"{}",{rest}}}"#,
                jiff::Timestamp::from_second(at).unwrap()
            );
            events.push((t, at, line));
        };
        push(
            at,
            format!(
                r#""kind":"opened","priority":"{}""#,
                priorities[next(4) as usize]
            ),
        );
        let steps = 2 + next(8);
        for i in 0..steps {
            // Sometimes in the same second as the previous event.
            at += if next(5) == 0 {
                0
            } else {
                60 + next(30_000) as i64
            };
            let rest = match next(8) {
                0 => format!(
                    r#""kind":"paused","reason":"{}","id":"T-{t}-{i}""#,
                    reasons[next(3) as usize]
                ),
                1 => r#""kind":"resumed""#.to_string(),
                2 => format!(
                    r#""kind":"priority_changed","priority":"{}""#,
                    priorities[next(4) as usize]
                ),
                3 => r#""kind":"resolved""#.to_string(),
                4 => r#""kind":"reopened""#.to_string(),
                5 => format!(r#""kind":"client_replied","id":"T-{t}-{i}""#),
                _ => format!(r#""kind":"replied","by":"ana","id":"T-{t}-{i}""#),
            };
            push(at, rest.clone());
            if next(10) == 0 {
                push(at, rest); // re-sent
            }
        }
    }
    events
}

fn write_events(name: &str, events: &[(u64, i64, String)]) -> String {
    let path = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let text: String = events.iter().map(|(_, _, l)| format!("{l}\n")).collect();
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn time_sorted_interleaved_input_gives_the_same_clocks_as_contiguous_input() {
    let contiguous = histories(300);
    let mut interleaved = contiguous.clone();
    // Shuffle, then sort by time: tickets interleave and same-second events
    // of a ticket may swap.
    let mut state = 7u64;
    let mut keyed: Vec<(i64, u64, (u64, i64, String))> = interleaved
        .drain(..)
        .map(|e| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            (e.1, state >> 11, e)
        })
        .collect();
    keyed.sort_by_key(|(at, shuffle, _)| (*at, *shuffle));
    let interleaved: Vec<_> = keyed.into_iter().map(|(_, _, e)| e).collect();
    assert_ne!(contiguous, interleaved);
    let a = write_events("clocks-contiguous.jsonl", &contiguous);
    let b = write_events("clocks-interleaved.jsonl", &interleaved);
    let at = ["--at", "2026-03-20T00:00:00Z"];
    let (from_a, from_b) = (clocks(&a, None, &at), clocks(&b, None, &at));
    assert_eq!(from_a.status.code(), from_b.status.code());
    let (sa, sb) = (sorted(&from_a), sorted(&from_b));
    assert!(sa.len() > 600, "{}", sa.len());
    assert_eq!(sa, sb);
    // Each ticket's lines stay together.
    let tickets: Vec<String> = lines(&from_b)
        .iter()
        .map(|l| l["ticket"].as_str().unwrap().to_string())
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    for (i, t) in tickets.iter().enumerate() {
        if i == 0 || tickets[i - 1] != *t {
            assert!(seen.insert(t.clone()), "{t} printed in two places");
        }
    }
}

#[test]
fn events_on_stdin_give_the_same_output_as_the_file() {
    let events = histories(40);
    let path = write_events("clocks-stdin.jsonl", &events);
    let text = std::fs::read_to_string(&path).unwrap();
    let at = ["--at", "2026-03-20T00:00:00Z"];
    let from_file = clocks(&path, None, &at);
    let from_stdin = clocks("-", Some(&text), &at);
    assert_eq!(from_file.status.code(), from_stdin.status.code());
    assert!(!from_file.stdout.is_empty());
    assert_eq!(from_file.stdout, from_stdin.stdout);
    let empty = clocks("-", Some(""), &at);
    assert!(empty.status.success());
    assert!(empty.stdout.is_empty());
}

#[test]
fn seq_is_read_from_json_lines_and_csv_and_orders_events_of_one_second() {
    const AT: &[&str] = &["--at", "2026-03-02T09:30:00Z"];
    // Paused, then the client replied, in the same second: by `seq` the reply
    // resumes the pause; without it kind rank reads "replied, then paused".
    let json = |seq: [&str; 2]| {
        format!(
            "{{\"ticket\":\"T-1\",\"kind\":\"opened\",\"at\":\"2026-03-02T08:00:00Z\",\"priority\":\"critical\",\"seq\":1}}\n\
             {{\"ticket\":\"T-1\",\"kind\":\"client_replied\",\"at\":\"2026-03-02T09:00:00Z\"{}}}\n\
             {{\"ticket\":\"T-1\",\"kind\":\"paused\",\"at\":\"2026-03-02T09:00:00Z\",\"reason\":\"approval\"{}}}\n",
            seq[0], seq[1]
        )
    };
    let resolution = |out: &std::process::Output| -> String {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        lines(out)
            .into_iter()
            .find(|l| l["metric"] == "resolution")
            .map(|l| l["state"].as_str().unwrap().to_string())
            .unwrap()
    };
    let by_seq = clocks("-", Some(&json([",\"seq\":3", ",\"seq\":2"])), AT);
    assert_eq!(resolution(&by_seq), "running");
    let by_kind = clocks("-", Some(&json(["", ""])), AT);
    assert_eq!(resolution(&by_kind), "paused");
    let csv = "ticket,kind,at,priority,reason,seq\n\
               T-1,opened,2026-03-02T08:00:00Z,critical,,1\n\
               T-1,client_replied,2026-03-02T09:00:00Z,,,3\n\
               T-1,paused,2026-03-02T09:00:00Z,,approval,2\n";
    let from_csv = clocks("-", Some(csv), AT);
    assert_eq!(from_csv.stdout, by_seq.stdout);
    let bad = clocks("-", Some(&json([",\"seq\":-3", ""])), AT);
    assert_eq!(bad.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(stderr.contains("-: line 2: field `seq`"), "{stderr}");
}

#[test]
fn events_after_the_evaluation_instant_are_counted_on_stderr_not_dropped_silently() {
    let events = r#"{"ticket": "T-1", "kind": "opened", "at": "2026-03-02T08:00:00Z", "priority": "critical"}
{"ticket": "T-1", "kind": "replied", "at": "2026-03-02T09:00:00Z"}
{"ticket": "T-1", "kind": "resolved", "at": "2026-03-05T09:00:00Z"}
{"ticket": "T-2", "kind": "opened", "at": "2026-03-06T08:00:00Z", "priority": "high"}
"#;
    let out = clocks("-", Some(events), &["--at", "2026-03-04T00:00:00Z"]);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("note: 2 events after 2026-03-04T00:00:00Z (--at) left out"),
        "{stderr}"
    );
    // T-1 is evaluated without its resolution; T-2 is not open yet.
    let lines = lines(&out);
    assert!(lines.iter().all(|l| l["ticket"] == "T-1"), "{lines:?}");
    // Evaluated after everything: no note.
    let all = clocks("-", Some(events), &["--at", "2026-04-01T00:00:00Z"]);
    assert!(String::from_utf8_lossy(&all.stderr).is_empty());
}
