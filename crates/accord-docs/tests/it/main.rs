//! Golden tests: the SLA appendix of every example contract, as Markdown
//! and HTML. A change in wording shows up as a snapshot diff to review.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use accord_core::contract::Contract;
use accord_core::diagnostic::SourceFile;

mod einvoice;
mod invoices;

fn example(name: &str) -> Contract {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let path = dir.join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    // Name the file relative to the examples so snapshots do not depend on the checkout path.
    let src = SourceFile::new(Path::new(name), text);
    Contract::parse(&src, &mut |p| std::fs::read_to_string(dir.join(p)))
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn appendix_markdown_of_every_example() {
    for name in ["acme", "hosting-24x7", "agency-fixed-price"] {
        let doc = accord_docs::appendix(&example(&format!("{name}.contract.toml")));
        insta::assert_snapshot!(format!("{name}.md"), accord_docs::markdown::render(&doc));
    }
}

#[test]
fn appendix_html_of_every_example() {
    for name in ["acme", "hosting-24x7", "agency-fixed-price"] {
        let doc = accord_docs::appendix(&example(&format!("{name}.contract.toml")));
        insta::assert_snapshot!(format!("{name}.html"), accord_docs::html::render(&doc));
    }
}

#[test]
fn appendix_states_the_signed_terms_in_words() {
    let md = accord_docs::markdown::render(&accord_docs::appendix(&example("acme.contract.toml")));
    for phrase in [
        "**Critical:** first response within 4 business hours; next response within 4 business hours; resolution within 16 business hours.",
        "**Outage:** first response within 30 minutes; resolution within 8 hours; an update at least every 2 hours.",
        "Monday to Friday: 09:00–17:00; Saturday and Sunday: closed",
        "Thursday 24 December 2026 | 09:00–12:00",
        "approval — waiting for the client's approval or sign-off",
        "if 92.5% of critical first responses in a month meet their target, that is below 95%, so the credit is 5% of EUR 2,500.00 = EUR 125.00.",
        "at most 20% (EUR 500.00) per period",
        "Sample data export",
        "Sam Okafor (sam@provider.example) | EUR 150.00",
    ] {
        assert!(md.contains(phrase), "missing {phrase:?} in:\n{md}");
    }
}

#[test]
fn the_acme_invoice_as_html() {
    let (acme, march) = invoices::acme_march();
    let doc = accord_docs::invoice::invoice_document(&acme, &march);
    insta::assert_snapshot!("invoice-acme-2026-03.html", accord_docs::html::render(&doc));
}

#[test]
fn the_invoice_shows_what_a_client_checks() {
    use accord_docs::appendix::words::money;
    let (acme, march) = invoices::acme_march();
    let md = accord_docs::markdown::render(&accord_docs::invoice::invoice_document(&acme, &march));
    let (n, overage) = march
        .lines
        .iter()
        .enumerate()
        .find(|(_, l)| l.description == "development (overage)")
        .unwrap();
    let split = march
        .lines
        .iter()
        .flat_map(|l| &l.entries)
        .find(|e| e.part.1 > 1)
        .unwrap();
    for phrase in [
        "# Invoice INV-2026-03".to_string(),
        "| Address | Torstraße 101, 10119 Berlin, DE | Leopoldstraße 28, 80802 München, DE |"
            .into(),
        "| VAT id | DE123456789 | DE987654321 |".into(),
        "| Period | 1 March 2026 to 31 March 2026 |".into(),
        "| Due date | 1 May 2026 |".into(),
        // Hours and minutes beside decimal hours, the rate and the fold's amount.
        format!(
            "| {} | Development (overage) | {} | {} | {} | 130.00 | {} |",
            n + 1,
            if overage.first_date.month() == overage.last_date.month() {
                format!(
                    "{}–{} Mar",
                    overage.first_date.day(),
                    overage.last_date.day()
                )
            } else {
                unreachable!("March only")
            },
            accord_docs::invoice::h_mm(overage.billed_s),
            accord_docs::einvoice::hours(overage.billed_s),
            money(overage.amount, ""),
        ),
        "| Rate (EUR/h) | Amount (EUR) |".into(),
        "| (150.00) | 0.00 |".into(),
        "| Less: Service credit, period 2026-02 | −EUR 125.00 |".into(),
        format!("| Tax (19%) | {} |", money(march.tax, "EUR")),
        format!("| Total due | {} |", money(march.gross, "EUR")),
        format!(
            "| {} of {} |",
            accord_docs::invoice::h_mm(split.billed_s),
            accord_docs::invoice::h_mm(split.entry_billed_s)
        ),
        "| development | 3:20 | 3:30 | ticket T-12 |".into(),
        "| meeting | 0:10 | 0:30 | contract · stand-up \\<daily\\> & sync |".into(),
        "| 1 | 40:00 | 1 January 2026 to 30 June 2026 | 0:00 | 40:00 | 0:00 | — |".into(),
    ] {
        assert!(md.contains(&phrase), "missing {phrase:?} in:\n{md}");
    }
}

/// The example's events as of the end of March 2026, stated for January to
/// March, with the example's milestone events and time entries.
fn acme_statements() -> Vec<accord_core::compliance::Statement> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
    let events =
        accord_core::clock::TicketEvent::parse_json_lines(&read("acme.events.jsonl")).unwrap();
    let milestone_events: Vec<_> =
        accord_core::milestone::MilestoneEvent::parse_json_lines(&read("acme.milestones.jsonl"))
            .unwrap()
            .into_iter()
            .map(|(_, e)| e)
            .collect();
    let entries = accord_core::time::parse_json_lines(&read("acme.entries.jsonl")).unwrap();
    let periods: Vec<_> = ["2026-01", "2026-02", "2026-03"]
        .iter()
        .map(|p| p.parse().unwrap())
        .collect();
    let contract = example("acme.contract.toml");
    let mut all =
        accord_core::compliance::statements(&contract, &events, &periods, Default::default())
            .unwrap();
    for s in &mut all {
        s.add_sections(&contract, Some(&milestone_events), Some(&entries))
            .unwrap();
    }
    all
}

#[test]
fn statement_html_of_the_example_march() {
    let contract = example("acme.contract.toml");
    let all = acme_statements();
    let (march, earlier) = all.split_last().unwrap();
    insta::assert_snapshot!(
        "acme-statement-2026-03.html",
        accord_docs::statement::html(&contract, march, earlier)
    );
}

#[test]
fn the_statement_opens_with_one_sentence_per_objective_then_charts() {
    let contract = example("acme.contract.toml");
    let all = acme_statements();
    let (march, earlier) = all.split_last().unwrap();
    let page = accord_docs::statement::html(&contract, march, earlier);
    let summary = &page[..page.find("<h2>Charts</h2>").unwrap()];
    assert!(summary.contains("<strong>Met:</strong> 1 of 1 critical first response clocks in March 2026 were within 4h of business time (100.0 %), against an objective of 95 %."), "{summary}");
    assert!(
        summary.contains(
            "<strong>No data:</strong> no high resolution clock was decided in March 2026"
        )
    );
    assert!(summary.contains("5 clocks breached their targets"));
    // One share chart per objective with three months, breaches per week,
    // paused time, credits.
    assert_eq!(page.matches("<svg").count(), 5);
    assert!(page.contains(">2026-01</text>") && page.contains(">2026-03</text>"));
    let md = accord_docs::markdown::render(&accord_docs::statement::document(&contract, march));
    assert!(
        md.contains("| T-2 | first response (cycle 1) | outage | 2026-03-02T08:30:00Z | missed |"),
        "{md}"
    );
}
