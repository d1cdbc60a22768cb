//! `accord contract export --format openslo` through the real binary.

use crate::support::{accord, example_arg, scratch_dir, stdout_of};

/// The documents of a YAML stream, each as its lines.
fn documents(yaml: &str) -> Vec<Vec<String>> {
    yaml.split("---\n")
        .filter(|d| !d.trim().is_empty())
        .map(|d| d.lines().map(String::from).collect())
        .collect()
}

fn value<'a>(doc: &'a [String], key: &str) -> Vec<&'a str> {
    doc.iter()
        .filter_map(|l| l.trim_start().strip_prefix(key))
        .map(str::trim)
        .collect()
}

#[test]
fn each_objective_becomes_a_calendar_aligned_occurrences_slo() {
    let yaml = stdout_of(&[
        "contract",
        "export",
        "--format",
        "openslo",
        &example_arg("acme.contract.toml"),
    ]);
    let docs = documents(&yaml);
    // acme has two objectives: critical first response 95 %, high resolution 90 %.
    assert_eq!(docs.len(), 2);
    for (doc, (name, target)) in docs.iter().zip([
        ("acme-2026-critical-first-response-month", "0.95"),
        ("acme-2026-high-resolution-month", "0.9"),
    ]) {
        assert_eq!(doc[0], "apiVersion: openslo/v1");
        assert_eq!(doc[1], "kind: SLO");
        assert_eq!(value(doc, "name:")[0], name);
        assert!(
            name.len() <= 63
                && name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        );
        assert_eq!(value(doc, "budgetingMethod:"), ["Occurrences"]);
        assert_eq!(value(doc, "- duration:"), ["1M"]);
        assert_eq!(value(doc, "isRolling:"), ["false"]);
        assert_eq!(value(doc, "startTime:"), ["\"2026-01-01 00:00:00\""]);
        assert_eq!(value(doc, "timeZone:"), ["Europe/Berlin"]);
        assert_eq!(value(doc, "target:"), [target]);
        assert_eq!(value(doc, "outcome:"), ["met", "measured"]);
    }
}

#[test]
fn a_quarterly_objective_gets_a_quarter_window_from_its_first_day() {
    let dir = scratch_dir();
    let text = std::fs::read_to_string(example_arg("acme.contract.toml"))
        .unwrap()
        .replacen(
            "effective_from = 2026-01-01",
            "effective_from = 2026-05-20",
            1,
        )
        .replacen(
            "within_target = 0.90\nperiod = \"month\"",
            "within_target = 0.90\nperiod = \"quarter\"",
            1,
        );
    let contract = dir.join("q.toml");
    std::fs::write(&contract, text).unwrap();
    let out = dir.join("q.yaml");
    let printed = stdout_of(&[
        "contract",
        "export",
        "--format",
        "openslo",
        contract.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(printed.is_empty());
    let docs = documents(&std::fs::read_to_string(&out).unwrap());
    assert_eq!(value(&docs[0], "- duration:"), ["1M"]);
    assert_eq!(value(&docs[0], "startTime:"), ["\"2026-05-01 00:00:00\""]);
    assert_eq!(
        value(&docs[1], "name:")[0],
        "acme-2026-high-resolution-quarter"
    );
    assert_eq!(value(&docs[1], "- duration:"), ["1Q"]);
    assert_eq!(value(&docs[1], "startTime:"), ["\"2026-04-01 00:00:00\""]);
}

#[test]
fn an_invalid_contract_is_reported_and_nothing_exported() {
    let dir = scratch_dir();
    let contract = dir.join("bad.toml");
    std::fs::write(
        &contract,
        "id = \"x\"\nclient = \"X\"\neffective_from = 2026-01-01\n[calendars.c]\ntimezone = \"Mars/Base\"\n",
    )
    .unwrap();
    let out = accord()
        .args([
            "contract",
            "export",
            "--format",
            "openslo",
            contract.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.toml:5:12"), "{err}");
}
