//! `accord report` through the real binary (SPEC §7, §10).

use std::path::Path;

use serde_json::Value;

use crate::support::{accord, example_arg, scratch_dir};

fn report(events: &str, extra: &[&str]) -> std::process::Output {
    accord()
        .args([
            "report",
            "--contract",
            &example_arg("acme.contract.toml"),
            "--events",
            events,
        ])
        .args(extra)
        .output()
        .unwrap()
}

/// The example events' statement for `args`, which must succeed.
fn example_report(args: &[&str]) -> Value {
    ok_json(&report(&example_arg("acme.events.jsonl"), args))
}

fn ok_json(out: &std::process::Output) -> Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The `period` of each statement of a JSON array.
fn periods(statements: &Value) -> Vec<&str> {
    statements
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["period"].as_str().unwrap())
        .collect()
}

/// Writes `lines` as a JSON Lines file in the test's scratch directory.
fn events_file(dir: &Path, lines: &[String]) -> String {
    let path = dir.join("events.jsonl");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path.to_str().unwrap().to_string()
}

/// 20 critical tickets opened Monday 2 March 09:00 Berlin: `met` answered
/// within the 4 business hours, the rest after 5.
fn critical_tickets(met: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for i in 0..20 {
        let t = format!("C-{i}");
        let reply = if i < met { "09:00" } else { "13:00" };
        lines.push(format!(
            r#"{{"ticket":"{t}","kind":"opened","at":"2026-03-02T08:00:00Z","priority":"critical"}}"#
        ));
        for kind in ["replied", "resolved"] {
            lines.push(format!(
                r#"{{"ticket":"{t}","kind":"{kind}","at":"2026-03-02T{reply}:00Z"}}"#
            ));
        }
    }
    lines
}

#[test]
fn the_example_march_statement_has_objectives_breaches_pauses_and_credits() {
    let s = example_report(&["--period", "2026-03"]);
    assert_eq!(s["contract"], "acme-2026");
    assert_eq!(s["period"], "2026-03");
    // March in Berlin: CET at the start, CEST at the end.
    assert_eq!(s["start"], "2026-02-28T23:00:00Z");
    assert_eq!(s["end"], "2026-03-31T22:00:00Z");
    let first = &s["objectives"][0];
    assert_eq!(
        (
            &first["metric"],
            &first["priority"],
            &first["measured"],
            &first["met"]
        ),
        (
            &Value::from("first_response"),
            &Value::from("critical"),
            &Value::from(1),
            &Value::from(1)
        )
    );
    assert_eq!(first["share"], 1);
    assert_eq!(first["objective"], 0.95);
    assert_eq!(first["status"], "met");
    assert_eq!(s["objectives"][1]["status"], "no_data");
    assert!(s["objectives"][1]["share"].is_null());
    // The outage ticket's first response (30 min) was answered after an hour.
    let breach = &s["breaches"][0];
    assert_eq!(breach["ticket"], "T-2");
    assert_eq!(breach["metric"], "first_response");
    assert_eq!(breach["breached_at"], "2026-03-02T08:30:00Z");
    assert_eq!(breach["cause"]["last_event"]["kind"], "opened");
    assert_eq!(breach["cause"]["pauses"], serde_json::json!([]));
    // T-1 waited 4 business hours on the client's approval.
    assert_eq!(s["paused_by_reason"]["approval"], 14_400);
    assert_eq!(s["paused_by_reason"]["work_review"], 0);
    assert_eq!(s["credits"]["total"], "0.00");
    assert_eq!(s["credits"]["currency"], "EUR");
}

#[test]
fn a_missed_objective_earns_the_credit_of_its_tier() {
    let dir = scratch_dir();
    // 18 of 20 = 0.90: below 0.95 (5 %), not below 0.90 (10 %).
    let events = events_file(&dir, &critical_tickets(18));
    let s = ok_json(&report(&events, &["--period", "2026-03"]));
    let o = &s["objectives"][0];
    assert_eq!(
        (&o["measured"], &o["met"]),
        (&Value::from(20), &Value::from(18))
    );
    assert_eq!(o["share"], 0.9);
    assert_eq!(o["status"], "missed");
    let credits = &s["credits"];
    assert_eq!(credits["total"], "125.00");
    assert_eq!(credits["rules"][0]["tier"]["below"], 0.95);
    assert_eq!(credits["rules"][0]["tier"]["credit"], 0.05);
    assert_eq!(credits["rules"][0]["amount"], "125.00");
    assert_eq!(credits["cap_applied"], false);
    // 19 of 20 is exactly 0.95: met, no credit.
    let events = events_file(&dir, &critical_tickets(19));
    let s = ok_json(&report(&events, &["--period", "2026-03"]));
    assert_eq!(s["objectives"][0]["status"], "met");
    assert_eq!(s["credits"]["total"], "0.00");
}

#[test]
fn csv_has_one_row_per_counted_clock_with_paused_time_by_reason() {
    let out = report(
        &example_arg("acme.events.jsonl"),
        &["--period", "2026-03", "--format", "csv"],
    );
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(
        header[..11],
        [
            "period",
            "ticket",
            "metric",
            "cycle",
            "priority",
            "outcome",
            "state",
            "outcome_at",
            "elapsed_s",
            "target_s",
            "paused_s"
        ]
    );
    let approval = header
        .iter()
        .position(|h| *h == "paused_approval_s")
        .unwrap();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let json = example_report(&["--period", "2026-03"]);
    assert_eq!(
        rows.len() as u64,
        json["clocks"]["measured"].as_u64().unwrap()
    );
    let breached = rows.iter().filter(|r| r[5] == "breached").count();
    assert_eq!(breached, json["breaches"].as_array().unwrap().len());
    let resolution = rows
        .iter()
        .find(|r| r[1] == "T-1" && r[2] == "resolution")
        .unwrap();
    assert_eq!(resolution[approval], "14400");
}

#[test]
fn without_a_period_every_month_is_stated_and_a_reopened_clock_counts_again() {
    let dir = scratch_dir();
    // High priority, resolution 40 business hours on the Berlin calendar:
    // resolved in January within target, reopened in February and left
    // open until it breaches in March.
    let lines: Vec<String> = [
        ("opened", "2026-01-26T08:00:00Z", r#","priority":"high""#),
        ("replied", "2026-01-26T09:00:00Z", ""),
        ("resolved", "2026-01-26T12:00:00Z", ""),
        ("reopened", "2026-02-27T08:00:00Z", ""),
        ("replied", "2026-03-20T08:00:00Z", ""),
    ]
    .iter()
    .map(|(k, at, x)| format!(r#"{{"ticket":"H-1","kind":"{k}","at":"{at}"{x}}}"#))
    .collect();
    let events = events_file(&dir, &lines);
    let all = ok_json(&report(&events, &[]));
    assert_eq!(periods(&all), ["2026-01", "2026-02", "2026-03"]);
    let resolution = |i: usize| {
        let o = &all[i]["objectives"][1];
        assert_eq!(o["metric"], "resolution");
        (o["measured"].as_u64().unwrap(), o["met"].as_u64().unwrap())
    };
    // 4h in January; the other 36h from Friday 27 Feb 09:00 Berlin (8h in
    // February) run out on Thursday 5 March 13:00 Berlin.
    assert_eq!(resolution(0), (1, 1));
    assert_eq!(resolution(1), (0, 0));
    assert_eq!(resolution(2), (1, 0));
    let breach = all[2]["breaches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["metric"] == "resolution")
        .unwrap();
    assert_eq!(breach["breached_at"], "2026-03-05T12:00:00Z");
    assert_eq!(breach["cause"]["last_event"]["kind"], "reopened");
}

#[test]
fn a_quarter_statement_lists_each_months_objectives() {
    let s = example_report(&["--period", "2026-Q1"]);
    assert_eq!(s["period"], "2026-Q1");
    let periods: Vec<&str> = s["objectives"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["period"].as_str().unwrap())
        .collect();
    assert_eq!(
        periods,
        [
            "2026-01", "2026-02", "2026-03", "2026-01", "2026-02", "2026-03"
        ]
    );
}

#[test]
fn events_from_stdin_and_output_to_a_file_give_the_same_statement() {
    let dir = scratch_dir();
    let out_path = dir.join("statement.json");
    let text = std::fs::read_to_string(example_arg("acme.events.jsonl")).unwrap();
    let out = accord()
        .args([
            "report",
            "--contract",
            &example_arg("acme.contract.toml"),
            "--events",
            "-",
            "--period",
            "2026-03",
            "-o",
            out_path.to_str().unwrap(),
        ])
        .write_stdin(text)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty());
    let written: Value = serde_json::from_slice(&std::fs::read(&out_path).unwrap()).unwrap();
    let direct = example_report(&["--period", "2026-03"]);
    assert_eq!(written, direct);
}

#[test]
fn a_malformed_event_names_its_line_and_nothing_is_written() {
    let dir = scratch_dir();
    let mut lines = critical_tickets(20);
    lines.insert(
        7,
        r#"{"ticket":"C-9","kind":"paused","at":"2026-03-02T08:30:00Z","reason":"lunch"}"#.into(),
    );
    lines
        .push(r#"{"ticket":"C-99","kind":"opened","at":"yesterday","priority":"critical"}"#.into());
    let events = events_file(&dir, &lines);
    let out_path = dir.join("out.json");
    let out = report(
        &events,
        &["--period", "2026-03", "-o", out_path.to_str().unwrap()],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    // The first problem met stops the run: the unknown pause reason on line 8.
    assert!(err.contains("line 8"), "{err}");
    assert!(err.contains("pause reason `lunch`"), "{err}");
    assert!(out.stdout.is_empty());
    assert!(!out_path.exists());

    let bad_at = events_file(
        &dir,
        &[r#"{"ticket":"C-1","kind":"opened","at":"yesterday","priority":"critical"}"#.into()],
    );
    let out = report(&bad_at, &["--period", "2026-03"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 1") && err.contains("`at`"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn a_bad_period_or_report_timezone_is_refused_with_where_it_is() {
    let out = report(&example_arg("acme.events.jsonl"), &["--period", "2026-3"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--period") && err.contains("YYYY-MM"), "{err}");

    let dir = scratch_dir();
    let text = std::fs::read_to_string(example_arg("acme.contract.toml")).unwrap();
    let contract = dir.join("c.toml");
    std::fs::write(
        &contract,
        text.replacen(
            "currency = \"EUR\"\n",
            "currency = \"EUR\"\nreport_timezone = \"Europe/Berln\"\n",
            1,
        ),
    )
    .unwrap();
    let out = accord()
        .args([
            "report",
            "--contract",
            contract.to_str().unwrap(),
            "--events",
            &example_arg("acme.events.jsonl"),
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown time zone `Europe/Berln`"), "{err}");
    assert!(err.contains("c.toml:8:19"), "{err}");
}

#[test]
fn a_report_timezone_moves_the_month_boundary() {
    let dir = scratch_dir();
    // Answered 31 March 22:30 UTC: April in Berlin, March in UTC.
    let events = events_file(
        &dir,
        &[
            r#"{"ticket":"O-1","kind":"opened","at":"2026-03-31T22:10:00Z","priority":"outage"}"#
                .into(),
            r#"{"ticket":"O-1","kind":"replied","at":"2026-03-31T22:20:00Z"}"#.into(),
            r#"{"ticket":"O-1","kind":"resolved","at":"2026-03-31T22:30:00Z"}"#.into(),
        ],
    );
    // First response, two periodic-update cycles and resolution, all met.
    let berlin = ok_json(&report(&events, &["--period", "2026-04"]));
    assert_eq!(berlin["clocks"]["met"], 4);
    let text = std::fs::read_to_string(example_arg("acme.contract.toml")).unwrap();
    let contract = dir.join("utc.toml");
    std::fs::write(
        &contract,
        text.replacen(
            "currency = \"EUR\"\n",
            "currency = \"EUR\"\nreport_timezone = \"UTC\"\n",
            1,
        ),
    )
    .unwrap();
    let out = accord()
        .args([
            "report",
            "--contract",
            contract.to_str().unwrap(),
            "--events",
            &events,
            "--period",
            "2026-03",
        ])
        .output()
        .unwrap();
    let utc = ok_json(&out);
    assert_eq!(utc["zone"], "UTC");
    assert_eq!(utc["clocks"]["met"], 4);
}

#[test]
fn the_html_statement_shows_history_from_the_contract_start_and_charts() {
    let out = report(
        &example_arg("acme.events.jsonl"),
        &["--period", "2026-03", "--format", "html"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(
        page.contains("<strong>Met:</strong> 1 of 1 critical first response clocks in March 2026")
    );
    // The contract takes effect in January: no earlier month is charted.
    assert!(page.contains(">2026-01</text>") && !page.contains(">2025-12</text>"));
    assert_eq!(page.matches("<svg").count(), 5);
}

#[test]
fn the_pdf_statement_is_a_pdf_when_built_with_pdf_support() {
    let out = report(
        &example_arg("acme.events.jsonl"),
        &["--period", "2026-03", "--format", "pdf"],
    );
    if cfg!(feature = "pdf") {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.stdout.starts_with(b"%PDF"));
    } else {
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("without PDF support"));
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn csv_events_without_a_period_give_the_months_and_figures_of_json_lines() {
    let dir = scratch_dir();
    // The same events as JSON Lines and CSV (an offset instant included):
    // the months come from the first pass over either format.
    let rows = [
        ("T-1", "opened", "2026-01-30T09:00:00+01:00", "critical", ""),
        ("T-1", "replied", "2026-01-30T09:30:00Z", "", ""),
        ("T-1", "paused", "2026-01-30T10:00:00Z", "", "approval"),
        ("T-1", "resumed", "2026-02-02T09:00:00Z", "", ""),
        ("T-1", "resolved", "2026-03-02T09:00:00Z", "", ""),
    ];
    let mut csv = String::from("ticket,kind,at,priority,reason\n");
    let mut json = Vec::new();
    for (t, k, at, p, r) in rows {
        csv.push_str(&format!("{t},{k},{at},{p},{r}\n"));
        let mut line = format!(r#"{{"ticket":"{t}","kind":"{k}","at":"{at}""#);
        if !p.is_empty() {
            line.push_str(&format!(r#","priority":"{p}""#));
        }
        if !r.is_empty() {
            line.push_str(&format!(r#","reason":"{r}""#));
        }
        line.push('}');
        json.push(line);
    }
    let csv_path = dir.join("events.csv");
    std::fs::write(&csv_path, csv).unwrap();
    let from_csv = ok_json(&report(csv_path.to_str().unwrap(), &[]));
    let from_json = ok_json(&report(&events_file(&dir, &json), &[]));
    assert_eq!(from_csv, from_json);
    assert_eq!(periods(&from_csv), ["2026-01", "2026-02", "2026-03"]);
    // Paused from Friday 30 January 11:00 Berlin to Monday 2 February 10:00:
    // 6h of January's business time, 1h of February's.
    assert_eq!(from_csv[0]["paused_by_reason"]["approval"], 6 * 3600);
    assert_eq!(from_csv[1]["paused_by_reason"]["approval"], 3600);
}

/// `--milestone-events` and `--entries` with the example files, and `extra`.
fn report_with_sections(extra: &[&str]) -> std::process::Output {
    let (m, e) = (
        example_arg("acme.milestones.jsonl"),
        example_arg("acme.entries.jsonl"),
    );
    let mut args = vec!["--milestone-events", &m, "--entries", &e];
    args.extend_from_slice(extra);
    report(&example_arg("acme.events.jsonl"), &args)
}

#[test]
fn the_march_statement_shows_the_milestone_as_of_the_month_end_and_hours_by_activity() {
    let s = ok_json(&report_with_sections(&["--period", "2026-03"]));
    let m = &s["milestones"][0];
    assert_eq!(s["milestones"].as_array().unwrap().len(), 1);
    assert_eq!(m["milestone"], "pipeline-live");
    assert_eq!(m["baseline_due"], "2026-03-31");
    // the sample export 3 business days late plus 3 days paused for payment,
    // and the 2 days agreed on 16 March
    assert_eq!(m["client_delay_days"], 6);
    assert_eq!(m["shift_days"], 2);
    assert_eq!(m["adjusted_due"], "2026-04-14");
    // completed on 13 April: after the period, so not yet in March
    assert_eq!(m["state"], "on_track");
    assert_eq!(m["miss"], Value::Null);

    let h = &s["hours_by_activity"];
    // development: 3150 minutes in March
    assert_eq!(h["development"]["raw_s"], 189_000);
    assert_eq!(h["development"]["by_kind"]["non_billable"]["billed_s"], 0);
    // review: 70 + 45 + 65 min raw, 75 + 45 + 75 billed (up to 15 min)
    assert_eq!(h["review"]["raw_s"], 10_800);
    assert_eq!(h["review"]["billed_s"], 11_700);
    // meeting: 30+35+20+30+30+25+35 min raw; 20 and 25 min rise to the
    // 30 min minimum, 35 to 45: 240 min billed, of which the no_charge
    // call's 35 → 45
    assert_eq!(h["meeting"]["raw_s"], 12_300);
    assert_eq!(h["meeting"]["billed_s"], 14_400);
    assert_eq!(h["meeting"]["by_kind"]["no_charge"]["raw_s"], 2100);
    assert_eq!(h["meeting"]["by_kind"]["no_charge"]["billed_s"], 2700);
}

#[test]
fn the_april_statement_sees_the_milestone_completed_in_time() {
    let s = ok_json(&report_with_sections(&["--period", "2026-04"]));
    assert_eq!(s["milestones"][0]["state"], "met");
    assert_eq!(s["milestones"][0]["adjusted_due"], "2026-04-14");
    // every example entry starts in March
    assert_eq!(s["hours_by_activity"], serde_json::json!({}));
}

#[test]
fn without_milestone_events_or_entries_the_sections_are_empty() {
    let s = example_report(&["--period", "2026-03"]);
    assert_eq!(s["milestones"], serde_json::json!([]));
    assert_eq!(s["hours_by_activity"], serde_json::json!({}));
}

#[test]
fn the_table_lists_milestones_and_hours() {
    let out = report_with_sections(&["--period", "2026-03", "--format", "table"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("pipeline-live Data pipeline live  2026-03-31  2026-04-14"),
        "{text}"
    );
    assert!(text.contains("review       3:00   3:15"), "{text}");
}

#[test]
fn a_bad_milestone_event_or_entry_names_its_file_and_line_and_nothing_is_written() {
    let dir = scratch_dir();
    let bad = dir.join("m.jsonl");
    std::fs::write(
        &bad,
        "{\"milestone\":\"pipeline-live\",\"kind\":\"completed\",\"at\":\"2026-03-02T10:00:00Z\"}\n\
         {\"milestone\":\"pipline-live\",\"kind\":\"completed\",\"at\":\"2026-03-03T10:00:00Z\"}\n",
    )
    .unwrap();
    let out = report(
        &example_arg("acme.events.jsonl"),
        &[
            "--period",
            "2026-03",
            "--milestone-events",
            bad.to_str().unwrap(),
        ],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("m.jsonl: line 2"), "{err}");
    assert!(err.contains("pipeline-live"), "{err}");
    assert!(out.stdout.is_empty());

    let bad = dir.join("e.jsonl");
    std::fs::write(&bad, "{\"id\":\"E-1\",\"person\":\"p@x.example\"}\n").unwrap();
    let out = report(
        &example_arg("acme.events.jsonl"),
        &["--period", "2026-03", "--entries", bad.to_str().unwrap()],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("e.jsonl") && err.contains("line 1"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn the_html_statement_has_the_milestones_and_hours_tables() {
    let out = report_with_sections(&["--period", "2026-03", "--format", "html"]);
    assert!(out.status.success());
    let page = String::from_utf8_lossy(&out.stdout);
    assert!(page.contains("<h2>Milestones: baseline and adjusted</h2>"));
    assert!(page.contains("<td>Data pipeline live</td><td>2026-03-31</td><td>2026-04-14</td>"));
    assert!(page.contains("<h2>Hours worked by activity</h2>"));
    assert!(page.contains("<tr><td>review</td><td>3:00</td><td>3:15</td></tr>"));
}
