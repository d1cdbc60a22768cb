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
fn the_acme_invoice_passes_the_en16931_rules() {
    einvoice::assert_valid(&invoices::acme_march(), "acme-march");
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
