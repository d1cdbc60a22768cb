//! `accord contract …` through the real binary.

use std::path::PathBuf;

use crate::support::{accord, example, scratch_dir, stdout_of};

const EXAMPLES: [&str; 3] = [
    "acme.contract.toml",
    "hosting-24x7.contract.toml",
    "agency-fixed-price.contract.toml",
];

/// A copy of acme with a bad duration on line 49 and money as a float on line 98.
fn broken_copy(name: &str) -> PathBuf {
    let text = std::fs::read_to_string(example("acme.contract.toml")).unwrap();
    let text = text
        .replacen("first_response = \"4h\"", "first_response = \"4hrs\"", 1)
        .replace("period_fee = \"2500.00\"", "period_fee = 2500.00");
    let dir = scratch_dir();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn check_passes_all_three_examples() {
    let files: Vec<PathBuf> = EXAMPLES.iter().map(|n| example(n)).collect();
    let out = accord()
        .arg("contract")
        .arg("check")
        .args(&files)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    for f in &files {
        assert!(
            stdout.contains(&format!("{}: ok\n", f.display())),
            "{stdout}"
        );
    }
    assert!(out.stderr.is_empty());
}

#[test]
fn check_reports_every_problem_with_its_position_and_exits_1() {
    let bad = broken_copy("broken.toml");
    let good = example("acme.contract.toml");
    let out = accord()
        .args(["contract", "check"])
        .arg(&good)
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout, format!("{}: ok\n", good.display()));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains(&format!("--> {}:49:18", bad.display())),
        "{stderr}"
    );
    assert!(
        stderr.contains("error: `4hrs` is not a duration"),
        "{stderr}"
    );
    assert!(
        stderr.contains("49 | first_response = \"4hrs\""),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("--> {}:98:14", bad.display())),
        "{stderr}"
    );
    assert!(
        stderr.contains("= help: write money as a decimal string, e.g. \"2500.00\""),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("{}: 2 problems", bad.display())),
        "{stderr}"
    );
}

#[test]
fn json_format_is_one_array_of_positioned_problems() {
    let bad = broken_copy("broken-json.toml");
    let out = accord()
        .args(["contract", "check", "--format", "json"])
        .arg(&bad)
        .arg(example("hosting-24x7.contract.toml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let problems = v.as_array().unwrap();
    assert_eq!(problems.len(), 2, "{v:#}");
    assert_eq!(problems[0]["file"], bad.display().to_string());
    assert_eq!(
        (problems[0]["line"].as_u64(), problems[0]["column"].as_u64()),
        (Some(49), Some(18))
    );
    assert!(
        problems[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("`4hrs` is not a duration")
    );
    assert!(problems[0]["help"].as_str().unwrap().contains("\"1h30m\""));
    assert_eq!(problems[1]["line"], 98);
    for p in problems {
        let keys: Vec<&str> = p.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys.len(), 5, "{keys:?}");
        for k in ["file", "line", "column", "message", "help"] {
            assert!(keys.contains(&k), "{k} missing");
        }
    }

    let out = accord()
        .args(["contract", "check", "--format", "json"])
        .arg(example("acme.contract.toml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v, serde_json::json!([]));
}

#[test]
fn an_unreadable_file_fails_the_check() {
    let out = accord()
        .args(["contract", "check", "/nonexistent/c.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("cannot read contract `/nonexistent/c.toml`")
    );
    let out = accord()
        .args([
            "contract",
            "check",
            "--format",
            "json",
            "/nonexistent/c.toml",
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["line"], serde_json::Value::Null);
}

#[test]
fn help_explains_check() {
    let out = accord()
        .args(["contract", "check", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    for part in [
        "<FILE>...",
        "--format <FORMAT>",
        "Exit status: 0",
        "Example:",
    ] {
        assert!(help.contains(part), "{part} missing from:\n{help}");
    }
    let out = accord().args(["contract", "check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn render_writes_the_appendix_in_each_text_format() {
    let acme = example("acme.contract.toml");
    let md = stdout_of(&[
        "contract",
        "render",
        acme.to_str().unwrap(),
        "--format",
        "md",
    ]);
    assert!(
        md.starts_with("# Service Level Agreement: Support and delivery agreement\n"),
        "{md}"
    );
    assert!(md.contains("**Critical:** first response within 4 business hours"));
    let dir = scratch_dir();
    let out = dir.join("acme.html");
    stdout_of(&[
        "contract",
        "render",
        acme.to_str().unwrap(),
        "--format",
        "html",
        "-o",
        out.to_str().unwrap(),
    ]);
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(
        html.starts_with("<!DOCTYPE html>") && html.contains("<h2>Service targets</h2>"),
        "{html}"
    );
}

#[test]
fn diff_lists_changes_and_requires_a_later_effective_date() {
    let acme = example("acme.contract.toml");
    // The example amendment the help names.
    let amended = example("acme-v2.contract.toml");
    let out = stdout_of(&[
        "contract",
        "diff",
        acme.to_str().unwrap(),
        amended.to_str().unwrap(),
    ]);
    assert_eq!(
        out,
        "effective from: 1 January 2026 -> 1 July 2026\nholiday (calendar support) added: Thursday 31 December 2026\ncritical first response: 4 business hours -> 2 business hours\n"
    );
    let back = accord()
        .args([
            "contract",
            "diff",
            amended.to_str().unwrap(),
            acme.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(back.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&back.stderr)
            .contains("effective_from 2026-01-01 is not after 2026-07-01")
    );
    // A file against itself: the same terms, which is not an error.
    let same = accord()
        .args([
            "contract",
            "diff",
            acme.to_str().unwrap(),
            acme.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(same.stdout).unwrap(), "no changes\n");
    assert_eq!(same.status.code(), Some(0));
}

#[test]
fn review_due_counts_from_the_given_day() {
    let acme = example("acme.contract.toml");
    let acme = acme.to_str().unwrap();
    assert_eq!(
        stdout_of(&["contract", "review-due", acme, "--today", "2026-03-20"]),
        "acme-2026: next review due 2026-04-01 (quarterly), in 12 days\n"
    );
    assert_eq!(
        stdout_of(&["contract", "review-due", acme, "--today", "2026-10-02"]),
        "acme-2026: no review due before the contract ends on 2026-12-31\n"
    );
    let bad = accord()
        .args(["contract", "review-due", acme, "--today", "2026-13-01"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--today: `2026-13-01` is not a date"));
}

#[test]
#[cfg(feature = "pdf")]
fn render_produces_a_pdf_that_holds_the_appendix_text() {
    let acme = example("acme.contract.toml");
    let dir = scratch_dir();
    let out = dir.join("acme.pdf");
    stdout_of(&[
        "contract",
        "render",
        acme.to_str().unwrap(),
        "--format",
        "pdf",
        "-o",
        out.to_str().unwrap(),
    ]);
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with(b"%PDF-"), "not a PDF");
    // The words must really be in it: extract them with poppler's pdftotext.
    let Some(flat) = crate::support::pdf_words(&out) else {
        return;
    };
    for phrase in [
        "Service Level Agreement: Support and delivery agreement",
        "first response within 4 business hours",
        "EUR 2,500.00",
    ] {
        assert!(
            flat.contains(phrase),
            "{phrase:?} missing from the PDF text:\n{flat}"
        );
    }
}
