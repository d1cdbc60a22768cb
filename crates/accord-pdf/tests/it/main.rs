//! Renders real documents and reads the PDFs back with poppler's `pdftotext`.
//!
//! `pdftotext` comes from the Debian package `poppler-utils`. In CI (`CI` set)
//! a missing `pdftotext` fails the tests; locally they skip that check with a
//! message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

use accord_docs::document::{strong, text};
use accord_docs::{Block, Document};

/// Strings typst would treat as markup, code, maths, labels or references,
/// plus non-ASCII, one per place a string can appear in a document.
const TITLE: &str = "Contract #42 [draft] $5 * 2_000 \\ @acme <ref>";
const SUBTITLE: &str = "Müller & Söhne GmbH — 1.250 € per month";
const HEADING: &str = "#set text(fill: red)";
const PARA_TEXT: &str = "#panic(\"injected\") ]";
const PARA_STRONG: &str = "*not emphasis* _not_ $x^2$";
const HEADER_CELL: &str = "Priority [P1]";
const CELL: &str = "<label> @ref \\n ä";
const ITEM: &str = "#{ 1 + 1 } ] [ — Käse";

fn tricky_document() -> Document {
    let mut doc = Document::new(TITLE);
    doc.subtitle = Some(SUBTITLE.into());
    doc.heading(1, HEADING);
    doc.rich(vec![text(PARA_TEXT), text(" and "), strong(PARA_STRONG)]);
    doc.heading(2, "Targets");
    doc.table(
        &[HEADER_CELL, "Response"],
        vec![vec![CELL.into(), "4 business hours".into()]],
    );
    doc.blocks.push(Block::List(vec![vec![text(ITEM)]]));
    doc
}

#[test]
fn special_characters_render_literally() {
    let pdf = accord_pdf::render(&tricky_document()).expect("renders");
    assert!(pdf.starts_with(b"%PDF-"));
    let Some(extracted) = pdftotext(&pdf, "tricky") else {
        return;
    };
    let extracted = squash(&extracted);
    for expected in [
        TITLE,
        SUBTITLE,
        HEADING,
        PARA_TEXT,
        PARA_STRONG,
        HEADER_CELL,
        CELL,
        ITEM,
        "Page 1 of 1",
    ] {
        assert!(
            extracted.contains(&squash(expected)),
            "{expected:?} not found in the extracted text:\n{extracted}"
        );
    }
}

#[test]
fn long_tables_break_across_pages_and_pages_are_numbered() {
    let doc = sample_appendix();
    let pdf = accord_pdf::render(&doc).expect("renders");
    assert!(pdf.starts_with(b"%PDF-"));
    // Kept for looking at: `pdftoppm -png -r 60 -f 1 -l 1 target/appendix-sample.pdf`.
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("target dir")
        .join("appendix-sample.pdf");
    std::fs::write(&target, &pdf).expect("write sample");

    let Some(extracted) = pdftotext(&pdf, "sample") else {
        return;
    };
    let pages = extracted.matches('\u{c}').count();
    assert!(
        pages >= 2,
        "expected the holiday table to spill onto page 2"
    );
    for page in 1..=pages {
        let footer = format!("Page {page} of {pages}");
        assert!(extracted.contains(&footer), "missing {footer:?}");
    }
    // The header row repeats on the page the table continues on.
    let second_page = extracted.split('\u{c}').nth(1).unwrap_or_default();
    assert!(second_page.contains("Observed on"), "{second_page}");
}

#[test]
fn rendering_is_deterministic() {
    let doc = tricky_document();
    assert_eq!(
        accord_pdf::render(&doc).expect("renders"),
        accord_pdf::render(&doc).expect("renders")
    );
}

/// A realistic appendix: every block kind and a table long enough to break.
fn sample_appendix() -> Document {
    let mut doc = Document::new("Service Level Agreement — Appendix A");
    doc.subtitle = Some(
        "Between Example Hosting GmbH (provider) and Müller & Söhne KG (client) · version 3 · effective 1 March 2026"
            .into(),
    );
    doc.heading(1, "1. Scope");
    doc.rich(vec![
        text("This appendix sets the service levels for the "),
        strong("Managed Platform"),
        text(" service. Times are measured in "),
        strong("business hours"),
        text(" (Monday to Friday, 08:00–18:00 Europe/Berlin) unless a row says otherwise; the clock pauses while the provider waits for the client."),
    ]);
    doc.heading(1, "2. Priorities and targets");
    doc.table(
        &["Priority", "Meaning", "First response", "Resolution"],
        vec![
            row(&[
                "P1 — critical",
                "Production down or data at risk; no workaround.",
                "30 minutes (24×7)",
                "4 hours (24×7)",
            ]),
            row(&[
                "P2 — high",
                "Major function impaired; workaround exists.",
                "2 business hours",
                "2 business days",
            ]),
            row(&[
                "P3 — normal",
                "Minor defect or question.",
                "1 business day",
                "10 business days",
            ]),
            row(&[
                "P4 — low",
                "Cosmetic issue, change request.",
                "2 business days",
                "Next release",
            ]),
        ],
    );
    doc.heading(2, "2.1 Pauses");
    doc.list([
        "Waiting for the client's reply or approval.".to_string(),
        "Scheduled maintenance announced at least 5 business days ahead.".to_string(),
        "Force majeure as defined in § 12 of the main agreement.".to_string(),
    ]);
    doc.heading(1, "3. Service credits");
    doc.rich(vec![
        text("Each missed resolution target earns a credit of "),
        strong("5 % of the monthly fee (max. 1.250 €)"),
        text(", capped at 30 % per month."),
    ]);
    doc.heading(1, "4. Holiday calendar");
    doc.para("Days on which business time does not run, in addition to weekends:");
    let holidays: Vec<Vec<String>> = (1..=48)
        .map(|i| {
            let month = (i - 1) / 4 + 1;
            let day = (i * 7) % 28 + 1;
            vec![
                format!("2026-{month:02}-{day:02}"),
                format!("Holiday {i}"),
                if i % 3 == 0 {
                    "Bavaria only"
                } else {
                    "Nationwide"
                }
                .to_string(),
            ]
        })
        .collect();
    doc.table(&["Observed on", "Name", "Applies to"], holidays);
    doc.heading(1, "5. Contacts");
    doc.list([
        "Service desk: support@example.com, +49 30 1234 567".to_string(),
        "Escalation: duty manager, +49 30 1234 999".to_string(),
    ]);
    doc
}

fn row(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|c| (*c).to_string()).collect()
}

/// Collapses whitespace, so line breaks and table layout do not matter.
fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The PDF's text, or `None` (after saying so) when `pdftotext` is not
/// installed locally. In CI a missing `pdftotext` is a failure.
fn pdftotext(pdf: &[u8], name: &str) -> Option<String> {
    let in_ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
    if Command::new("pdftotext").arg("-v").output().is_err() {
        assert!(
            !in_ci,
            "pdftotext is required in CI: apt-get install -y poppler-utils"
        );
        eprintln!(
            "skipping the text checks: pdftotext not found (apt-get install -y poppler-utils)"
        );
        return None;
    }
    let dir: PathBuf = Path::new(env!("CARGO_TARGET_TMPDIR")).join("accord-pdf");
    std::fs::create_dir_all(&dir).expect("tmp dir");
    let file = dir.join(format!("{name}.pdf"));
    std::fs::write(&file, pdf).expect("write pdf");
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&file)
        .arg("-")
        .output()
        .expect("run pdftotext");
    assert!(out.status.success(), "pdftotext failed: {out:?}");
    Some(String::from_utf8(out.stdout).expect("UTF-8 text"))
}
