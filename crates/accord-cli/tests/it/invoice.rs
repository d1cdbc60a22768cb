//! `accord invoice` through the real binary (SPEC §8, §10).

use serde_json::Value;

use crate::support::{accord, example_arg, scratch_dir};

fn invoice(entries: &str, extra: &[&str], stdin: Option<&str>) -> std::process::Output {
    let mut cmd = accord();
    cmd.args([
        "invoice",
        "--contract",
        &example_arg("acme.contract.toml"),
        "--entries",
        entries,
    ])
    .args(extra);
    if let Some(input) = stdin {
        cmd.write_stdin(input);
    }
    cmd.output().unwrap()
}

fn json(out: &std::process::Output) -> Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn cents(v: &Value) -> i64 {
    let s = v.as_str().unwrap();
    let (units, frac) = s.split_once('.').unwrap();
    assert_eq!(frac.len(), 2, "{s} has two decimals");
    let sign = if units.starts_with('-') { -1 } else { 1 };
    units.parse::<i64>().unwrap() * 100 + sign * frac.parse::<i64>().unwrap()
}

#[test]
fn the_acme_month_runs_out_of_prepaid_hours_mid_month_and_goes_on_as_overage() {
    let inv = json(&invoice(
        &example_arg("acme.entries.jsonl"),
        &["--period", "2026-03"],
        None,
    ));
    assert_eq!(inv["contract"], "acme-2026");
    assert_eq!(
        (inv["period_start"].as_str(), inv["period_end"].as_str()),
        (Some("2026-03-01"), Some("2026-03-31"))
    );
    assert_eq!(
        inv["due_date"], "2026-05-01",
        "issued 1 April, 30 days' terms"
    );
    let block = &inv["prepaid"][0];
    assert_eq!(
        (block["block"].as_str(), block["used_s"].as_i64()),
        (Some("1"), Some(40 * 3600))
    );
    assert_eq!(block["balance_s"], 0);
    let lines = inv["lines"].as_array().unwrap();
    let kinds: Vec<&str> = lines.iter().map(|l| l["kind"].as_str().unwrap()).collect();
    assert!(
        !kinds.contains(&"billable"),
        "a block is valid all month: {kinds:?}"
    );
    assert!(
        !kinds.contains(&"block_price"),
        "the block's price was January's"
    );
    // E-024 (13 March, 140 min, billed 150) takes the last 2 h 15 of the block.
    let parts: Vec<(&str, i64, &str)> = lines
        .iter()
        .flat_map(|l| {
            l["entry_parts"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |p| (l, p))
        })
        .filter(|(_, p)| p["id"] == "E-024")
        .map(|(l, p)| {
            (
                l["kind"].as_str().unwrap(),
                p["billed_s"].as_i64().unwrap(),
                p["part"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        parts,
        vec![("prepaid", 8100, "1/2"), ("overage", 900, "2/2")]
    );
    for line in lines {
        let parts = line["entry_parts"].as_array().unwrap();
        let billed: i64 = parts.iter().map(|p| p["billed_s"].as_i64().unwrap()).sum();
        assert_eq!(line["billed_s"], billed);
        let ids: Vec<&Value> = parts.iter().map(|p| &p["id"]).collect();
        assert_eq!(
            line["entries"]
                .as_array()
                .unwrap()
                .iter()
                .collect::<Vec<_>>(),
            ids
        );
        match line["kind"].as_str().unwrap() {
            "overage" => assert_eq!(line["rate"], "130.00", "{line}"),
            "prepaid" | "no_charge" => assert_eq!(line["amount"], "0.00"),
            other => panic!("unexpected line kind {other}"),
        }
        for p in parts {
            assert!(p["billed_s"].as_i64().unwrap() <= p["entry_billed_s"].as_i64().unwrap());
            assert!(
                p["entry_billed_s"].as_i64().unwrap() >= p["raw_s"].as_i64().unwrap(),
                "rounding is up"
            );
        }
    }
    let free: Vec<&Value> = lines.iter().filter(|l| l["kind"] == "no_charge").collect();
    assert_eq!(free.len(), 1);
    assert!(
        lines.iter().all(|l| !l["entries"]
            .as_array()
            .unwrap()
            .contains(&Value::from("E-017"))),
        "non_billable E-017 is absent"
    );
    let lines_cents: i64 = lines.iter().map(|l| cents(&l["amount"])).sum();
    assert_eq!(lines_cents, cents(&inv["net"]));
    assert_eq!(
        cents(&inv["net"]) + cents(&inv["tax"]),
        cents(&inv["gross"])
    );
    // 19 % of the net, half-up to the cent.
    assert_eq!(cents(&inv["tax"]), (cents(&inv["net"]) * 19 + 50) / 100);
}

#[test]
fn without_a_period_every_month_present_is_an_invoice_in_an_array() {
    let out = invoice(
        &example_arg("acme.entries.jsonl"),
        &["--number", "2026-009"],
        None,
    );
    let all = json(&out);
    let months: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["period"].as_str().unwrap())
        .collect();
    // E-044 starts at 23:20 on 31 March and ends in April: still March's.
    assert_eq!(months, vec!["2026-03"]);
    assert_eq!(all[0]["number"], "2026-009");
}

#[test]
fn credits_are_a_document_level_allowance_taken_off_the_net() {
    let base = json(&invoice(
        &example_arg("acme.entries.jsonl"),
        &["--period", "2026-03"],
        None,
    ));
    let credited = json(&invoice(
        &example_arg("acme.entries.jsonl"),
        &["--period", "2026-03", "--credits", "125.00"],
        None,
    ));
    assert_eq!(
        credited["allowances"][0]["reason"],
        "service credit, period 2026-02"
    );
    assert_eq!(credited["allowances"][0]["amount"], "125.00");
    assert_eq!(cents(&base["net"]) - 12500, cents(&credited["net"]));
    let out = invoice(
        &example_arg("acme.entries.jsonl"),
        &["--credits", "125.00"],
        None,
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--period"));
    let out = invoice(
        &example_arg("acme.entries.jsonl"),
        &["--period", "2026-03", "--credits", "1.005"],
        None,
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("decimals"));
    assert!(out.stdout.is_empty());
}

#[test]
fn csv_has_one_row_per_entry_part_with_the_json_figures() {
    let out = invoice(
        &example_arg("acme.entries.jsonl"),
        &["--period", "2026-03", "--format", "csv"],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let rows = accord_csv(&text);
    let header = &rows[0];
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let inv = json(&invoice(
        &example_arg("acme.entries.jsonl"),
        &["--period", "2026-03"],
        None,
    ));
    let parts: usize = inv["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["entry_parts"].as_array().unwrap().len())
        .sum();
    assert_eq!(rows.len() - 1, parts);
    let split: Vec<&Vec<String>> = rows.iter().filter(|r| r[col("entry")] == "E-024").collect();
    assert_eq!(split.len(), 2);
    assert_eq!(
        (
            split[1][col("kind")].as_str(),
            split[1][col("billed_s")].as_str()
        ),
        ("overage", "900")
    );
    assert_eq!(
        split[1][col("rule")],
        "person",
        "sam's own rate priced the entry"
    );
    let noted = rows.iter().find(|r| r[col("entry")] == "E-001").unwrap();
    assert_eq!(noted[col("line")], "support (prepaid block 1)");
}

/// Splits simple CSV (quoted cells without line breaks) for the assertions.
fn accord_csv(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(|line| {
            let mut cells = vec![String::new()];
            let mut quoted = false;
            let mut chars = line.chars().peekable();
            while let Some(c) = chars.next() {
                match c {
                    '"' if quoted && chars.peek() == Some(&'"') => {
                        cells.last_mut().unwrap().push('"');
                        chars.next();
                    }
                    '"' => quoted = !quoted,
                    ',' if !quoted => cells.push(String::new()),
                    c => cells.last_mut().unwrap().push(c),
                }
            }
            cells
        })
        .collect()
}

#[test]
fn csv_entries_on_stdin_give_the_same_invoice_as_json_lines() {
    let csv = "id,person,start,end,minutes,activity,billable,rate\n\
        A-1,sam@provider.example,2026-03-02T09:00:00+01:00,,50,development,,\n\
        A-2,ana@provider.example,2026-03-02T10:00:00+01:00,2026-03-02T10:20:00+01:00,,support,no_charge,\n";
    let jsonl = r#"{"id":"A-1","person":"sam@provider.example","start":"2026-03-02T09:00:00+01:00","minutes":50,"activity":"development"}
{"id":"A-2","person":"ana@provider.example","start":"2026-03-02T10:00:00+01:00","end":"2026-03-02T10:20:00+01:00","activity":"support","billable":"no_charge"}
"#;
    let from_csv = json(&invoice("-", &["--period", "2026-03"], Some(csv)));
    let from_json = json(&invoice("-", &["--period", "2026-03"], Some(jsonl)));
    assert_eq!(from_csv, from_json);
    assert_eq!(
        from_csv["prepaid"][0]["used_s"], 3600,
        "50 min rounds up to 60"
    );
}

#[test]
fn a_bad_entry_names_the_file_line_and_field_and_prints_nothing() {
    let dir = scratch_dir();
    let path = dir.join("bad.jsonl");
    std::fs::write(
        &path,
        "{\"id\":\"E-1\",\"person\":\"a@p.example\",\"start\":\"2026-03-02T09:00:00Z\",\"minutes\":30,\"activity\":\"dev\"}\n\
         {\"id\":\"E-2\",\"person\":\"a@p.example\",\"start\":\"2026-03-02T09:00:00Z\",\"minutes\":30,\"activity\":\"dev\",\"rate\":\"ten\"}\n",
    )
    .unwrap();
    let out = invoice(path.to_str().unwrap(), &[], None);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.jsonl: line 2: field `rate`"), "{err}");
    let out = invoice(
        &example_arg("acme.entries.jsonl"),
        &["--period", "2026-3"],
        None,
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("YYYY-MM"));
    assert!(out.stdout.is_empty());
}

#[test]
fn output_goes_to_the_file_given_with_o() {
    let dir = scratch_dir();
    let path = dir.join("march.json");
    let out = invoice(
        &example_arg("acme.entries.jsonl"),
        &["--period", "2026-03", "-o", path.to_str().unwrap()],
        None,
    );
    assert!(out.status.success());
    assert!(out.stdout.is_empty());
    let inv: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(inv["period"], "2026-03");
}
