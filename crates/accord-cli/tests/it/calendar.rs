//! `accord calendar …` through the real binary.

use crate::support::{accord, example, scratch_dir, stdout_of};

#[test]
fn deadline_prints_the_due_instant_in_utc() {
    let acme = example("acme.contract.toml");
    let acme = acme.to_str().unwrap();
    // Wed 23 Dec 16:00 Berlin + 4 business hours: 1 h Wednesday, 3 h on the
    // shortened Christmas Eve (09:00-12:00) -> 12:00 Berlin.
    let base = [
        "calendar",
        "deadline",
        "--contract",
        acme,
        "--calendar",
        "support",
    ];
    let mut args = base.to_vec();
    args.extend(["--start", "2026-12-23T16:00:00+01:00", "--minutes", "240"]);
    assert_eq!(stdout_of(&args), "2026-12-24T11:00:00Z\n");
    let mut args = base.to_vec();
    args.extend(["--start", "2026-12-23T15:00:00Z", "--seconds", "14401"]);
    // One second more: 25/26 Dec are holidays, 27 Dec a Sunday -> Mon 28 09:00:01.
    assert_eq!(stdout_of(&args), "2026-12-28T08:00:01Z\n");
}

#[test]
fn elapsed_prints_whole_seconds() {
    let acme = example("acme.contract.toml");
    let args = [
        "calendar",
        "elapsed",
        "--contract",
        acme.to_str().unwrap(),
        "--calendar",
        "support",
        "--start",
        "2026-01-02T15:00:00Z",
        "--end",
        "2026-01-05T09:00:00Z",
    ];
    assert_eq!(stdout_of(&args), "7200\n");
}

#[test]
fn help_reads_like_a_good_cli() {
    let top = stdout_of(&["--help"]);
    assert!(
        top.contains("Usage: accord <COMMAND>") && top.contains("calendar"),
        "{top}"
    );
    let cal = stdout_of(&["calendar", "--help"]);
    for sub in ["deadline", "elapsed", "batch"] {
        assert!(cal.contains(sub), "{cal}");
    }
    let deadline = stdout_of(&["calendar", "deadline", "--help"]);
    for flag in [
        "--contract <FILE>",
        "--calendar <NAME>",
        "--start <T>",
        "--minutes <N>",
        "--seconds <N>",
        "Example:",
    ] {
        assert!(deadline.contains(flag), "{flag} missing from:\n{deadline}");
    }
    assert!(stdout_of(&["calendar", "batch", "--help"]).contains("{\"error\": \"line 3: ...\"}"));
}

#[test]
fn usage_mistakes_exit_2_with_a_message() {
    let acme = example("acme.contract.toml");
    let out = accord()
        .args([
            "calendar",
            "deadline",
            "--contract",
            acme.to_str().unwrap(),
            "--calendar",
            "support",
            "--start",
            "2026-01-01T00:00:00Z",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--minutes <N>|--seconds <N>"));
}

#[test]
fn bad_input_exits_1_naming_what_and_where() {
    let acme = example("acme.contract.toml");
    let acme = acme.to_str().unwrap();
    let run = |args: &[&str]| {
        let out = accord().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(out.stdout.is_empty());
        String::from_utf8(out.stderr).unwrap()
    };
    let err = run(&[
        "calendar",
        "elapsed",
        "--contract",
        acme,
        "--calendar",
        "suport",
        "--start",
        "2026-01-01T00:00:00Z",
        "--end",
        "2026-01-02T00:00:00Z",
    ]);
    assert!(
        err.contains("no calendar `suport` (it has: always, support)"),
        "{err}"
    );
    let err = run(&[
        "calendar",
        "elapsed",
        "--contract",
        acme,
        "--calendar",
        "support",
        "--start",
        "2026-01-01 00:00",
        "--end",
        "2026-01-02T00:00:00Z",
    ]);
    assert!(
        err.contains("--start: `2026-01-01 00:00` is not an RFC 3339 instant"),
        "{err}"
    );
    let err = run(&[
        "calendar",
        "elapsed",
        "--contract",
        "/nonexistent/c.toml",
        "--calendar",
        "x",
        "--start",
        "2026-01-01T00:00:00Z",
        "--end",
        "2026-01-02T00:00:00Z",
    ]);
    assert!(
        err.contains("cannot read contract `/nonexistent/c.toml`"),
        "{err}"
    );

    let dir = scratch_dir();
    let bad = dir.join("bad.toml");
    std::fs::write(
        &bad,
        "[calendars.support]\ntimezone = \"UTC\"\nmon = [\"09:00-17:00\", \"08:00-10:00\"]\n",
    )
    .unwrap();
    let err = run(&[
        "calendar",
        "deadline",
        "--contract",
        bad.to_str().unwrap(),
        "--calendar",
        "support",
        "--start",
        "2026-01-01T00:00:00Z",
        "--minutes",
        "1",
    ]);
    assert!(
        err.contains(&format!("--> {}:3:23", bad.display())),
        "{err}"
    );
    assert!(err.contains("overlap"), "{err}");
}

#[test]
fn batch_answers_each_line_in_order_and_survives_bad_lines() {
    let acme = example("acme.contract.toml");
    let input = concat!(
        r#"{"calendar": "support", "op": "deadline", "start": "2026-01-02T16:00:00+01:00", "minutes": 120}"#,
        "\n",
        r#"{"calendar": "support", "op": "deadline", "start": "garbage", "minutes": 1}"#,
        "\n",
        r#"{"calendar": "always", "op": "elapsed", "start": "2026-03-29T00:00:00Z", "end": "2026-03-30T00:00:00Z"}"#,
        "\n",
        "\u{fffd}\u{0}\n",
        r#"{"calendar": "support", "op": "deadline", "start": "2026-01-02T15:00:00Z", "seconds": 0}"#,
        "\n",
    );
    let out = accord()
        .args(["calendar", "batch", "--contract", acme.to_str().unwrap()])
        .write_stdin(input)
        .output()
        .unwrap();
    assert!(out.status.success());
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 5);
    assert_eq!(
        lines[0],
        serde_json::json!({"result": "2026-01-05T09:00:00Z"})
    );
    assert!(
        lines[1]["error"]
            .as_str()
            .unwrap()
            .starts_with("line 2: `start`: `garbage`")
    );
    assert_eq!(lines[2], serde_json::json!({"result": 86400}));
    assert!(lines[3]["error"].as_str().unwrap().starts_with("line 4: "));
    assert_eq!(
        lines[4],
        serde_json::json!({"result": "2026-01-02T15:00:00Z"})
    );
}

#[test]
fn batch_streams_long_inputs() {
    let acme = example("acme.contract.toml");
    let n = 50_000;
    let input: String = (0..n)
        .map(|i| format!("{{\"calendar\":\"always\",\"op\":\"deadline\",\"start\":\"2026-01-01T00:00:00Z\",\"seconds\":{i}}}\n"))
        .collect();
    let out = accord()
        .args(["calendar", "batch", "--contract", acme.to_str().unwrap()])
        .write_stdin(input)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), n);
    assert_eq!(lines[n - 1], "{\"result\":\"2026-01-01T13:53:19Z\"}");
}

#[test]
fn holiday_files_are_read_relative_to_the_contract() {
    let dir = scratch_dir();
    std::fs::create_dir_all(dir.join("holidays")).unwrap();
    std::fs::copy(
        example("holidays/us-federal.ics"),
        dir.join("holidays/us.ics"),
    )
    .unwrap();
    let contract = dir.join("us.toml");
    std::fs::write(
        &contract,
        "id = \"us\"\nclient = \"US\"\neffective_from = 2026-01-01\n[priorities.p]\ncalendar = \"us\"\nresolution = \"8h\"\n[calendars.us]\ntimezone = \"America/New_York\"\nmon = [\"09:00-17:00\"]\ntue = [\"09:00-17:00\"]\nwed = [\"09:00-17:00\"]\nthu = [\"09:00-17:00\"]\nfri = [\"09:00-17:00\"]\nholiday_files = [\"holidays/us.ics\"]\n",
    )
    .unwrap();
    // Wed 2026-11-25 16:00 EST + 2 h: Thanksgiving (4th Thursday) is closed,
    // so 1 h Wednesday and 1 h Friday -> Fri 10:00 EST = 15:00Z.
    let args = [
        "calendar",
        "deadline",
        "--contract",
        contract.to_str().unwrap(),
        "--calendar",
        "us",
        "--start",
        "2026-11-25T21:00:00Z",
        "--minutes",
        "120",
    ];
    assert_eq!(stdout_of(&args), "2026-11-27T15:00:00Z\n");
    // Memorial Day 2027 is Monday 31 May: Fri 28 May 16:00 EDT + 2 h -> Tue 1 June 10:00 EDT.
    let args = [
        "calendar",
        "deadline",
        "--contract",
        contract.to_str().unwrap(),
        "--calendar",
        "us",
        "--start",
        "2027-05-28T20:00:00Z",
        "--minutes",
        "120",
    ];
    assert_eq!(stdout_of(&args), "2027-06-01T14:00:00Z\n");
}

#[test]
fn a_broken_holiday_file_is_reported_at_its_own_line() {
    let dir = scratch_dir();
    std::fs::write(
        dir.join("bad.ics"),
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261332\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    )
    .unwrap();
    let contract = dir.join("c.toml");
    std::fs::write(
        &contract,
        "[calendars.c]\ntimezone = \"UTC\"\nholiday_files = [\"bad.ics\"]\n",
    )
    .unwrap();
    let out = accord()
        .args([
            "calendar",
            "elapsed",
            "--contract",
            contract.to_str().unwrap(),
            "--calendar",
            "c",
            "--start",
            "2026-01-01T00:00:00Z",
            "--end",
            "2026-01-02T00:00:00Z",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains(&format!("--> {}:4:20", dir.join("bad.ics").display())),
        "{err}"
    );
    assert!(err.contains("20261332"), "{err}");
}
