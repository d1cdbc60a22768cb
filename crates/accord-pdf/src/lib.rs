//! Accord's documents as PDF (the SLA appendix, later reports and invoices).
//!
//! A [`Document`] is typeset in-process by typst from one fixed template
//! (`template.typ`). The document goes in as *data* — a typst dictionary in
//! `sys.inputs` — never spliced into markup, so text such as `#panic()` or
//! `]` in a contract title prints literally instead of being evaluated. Fonts
//! are the ones embedded by `typst-assets`: nothing is read from the system
//! and nothing is fetched from the network.

use std::sync::LazyLock;

use accord_docs::{Block, Document, Inline};
use typst::diag::{Severity, SourceDiagnostic};
use typst::foundations::{Array, Bytes, Dict, Value};
use typst_as_lib::{TypstAsLibError, TypstEngine, TypstTemplateMainFile};
use typst_layout::PagedDocument;
use typst_pdf::PdfOptions;

const TEMPLATE: &str = include_str!("template.typ");

/// Parsing the template and the embedded fonts happens once per process.
static ENGINE: LazyLock<TypstEngine<TypstTemplateMainFile>> = LazyLock::new(|| {
    TypstEngine::builder()
        .main_file(TEMPLATE)
        .fonts(typst_assets::fonts().map(Bytes::new))
        .build()
});

/// Why a document could not be turned into a PDF. Either way it is a bug in
/// the template or a typst limit, not a problem with the user's text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PdfError {
    /// Typst could not lay the document out.
    #[error("typesetting the PDF failed: {}", .diagnostics.join("; "))]
    Typeset {
        /// Typst's diagnostics, one message (with its hints) per entry.
        diagnostics: Vec<String>,
    },
    /// The laid-out document could not be written as PDF.
    #[error("writing the PDF failed: {}", .diagnostics.join("; "))]
    Export {
        /// Typst's diagnostics, one message (with its hints) per entry.
        diagnostics: Vec<String>,
    },
}

/// The document as an A4 PDF: title and subtitle on top, then its headings,
/// paragraphs, tables (header row shaded and repeated when a table breaks
/// across pages) and lists; "Page N of M" in the footer.
pub fn render(doc: &Document) -> Result<Vec<u8>, PdfError> {
    let (paged, _warnings) = typeset(doc);
    typst_pdf::pdf(&paged?, &PdfOptions::default()).map_err(|d| PdfError::Export {
        diagnostics: describe(&d),
    })
}

/// Lays the document out; also returns typst's warnings (tests use them to
/// catch, say, a font name the embedded set does not have).
fn typeset(doc: &Document) -> (Result<PagedDocument, PdfError>, Vec<String>) {
    let mut inputs = Dict::new();
    inputs.insert("document".into(), Value::Dict(document_value(doc)));
    let warned = ENGINE.compile_with_input::<_, PagedDocument>(inputs);
    let warnings = describe(&warned.warnings);
    let output = warned.output.map_err(|e| PdfError::Typeset {
        diagnostics: match e {
            TypstAsLibError::TypstSource(d) => describe(&d),
            other => vec![other.to_string()],
        },
    });
    (output, warnings)
}

fn describe(diagnostics: &[SourceDiagnostic]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| {
            let mut s = String::from(match d.severity {
                Severity::Error => "error: ",
                Severity::Warning => "warning: ",
            });
            s.push_str(&d.message);
            for hint in &d.hints {
                s.push_str(" (hint: ");
                s.push_str(&hint.v);
                s.push(')');
            }
            s
        })
        .collect()
}

/// The document as the dictionary `template.typ` reads from `sys.inputs`.
fn document_value(doc: &Document) -> Dict {
    let mut d = Dict::new();
    d.insert("title".into(), text_value(&doc.title));
    d.insert(
        "subtitle".into(),
        doc.subtitle.as_deref().map_or(Value::None, text_value),
    );
    d.insert(
        "blocks".into(),
        Value::Array(doc.blocks.iter().map(block_value).collect()),
    );
    d
}

fn block_value(block: &Block) -> Value {
    let mut d = Dict::new();
    match block {
        Block::Heading { level, text } => {
            d.insert("kind".into(), text_value("heading"));
            // Same mapping as the HTML: 0 or 1 is a section, anything deeper a subsection.
            d.insert("level".into(), Value::Int(if *level <= 1 { 1 } else { 2 }));
            d.insert("text".into(), text_value(text));
        }
        Block::Paragraph(runs) => {
            d.insert("kind".into(), text_value("paragraph"));
            d.insert("runs".into(), runs_value(runs));
        }
        Block::Table { header, rows } => {
            d.insert("kind".into(), text_value("table"));
            d.insert("header".into(), strings(header));
            d.insert(
                "rows".into(),
                Value::Array(rows.iter().map(|r| strings(r)).collect()),
            );
        }
        Block::List(items) => {
            d.insert("kind".into(), text_value("list"));
            d.insert(
                "items".into(),
                Value::Array(items.iter().map(|i| runs_value(i)).collect()),
            );
        }
    }
    Value::Dict(d)
}

fn runs_value(runs: &[Inline]) -> Value {
    Value::Array(
        runs.iter()
            .map(|run| {
                let (text, strong) = match run {
                    Inline::Text(t) => (t, false),
                    Inline::Strong(t) => (t, true),
                };
                let mut d = Dict::new();
                d.insert("text".into(), text_value(text));
                d.insert("strong".into(), Value::Bool(strong));
                Value::Dict(d)
            })
            .collect(),
    )
}

fn strings(items: &[String]) -> Value {
    Value::Array(items.iter().map(|s| text_value(s)).collect::<Array>())
}

fn text_value(s: &str) -> Value {
    Value::Str(s.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use accord_docs::document::{strong, text};

    #[test]
    fn every_block_kind_typesets_without_warnings() {
        let mut doc = Document::new("T");
        doc.subtitle = Some("S".into());
        doc.heading(1, "H1");
        doc.heading(2, "H2");
        doc.rich(vec![text("a "), strong("b")]);
        doc.table(&["x", "y"], vec![vec!["1".into(), "2".into()]]);
        doc.list(["i".to_string()]);
        let (out, warnings) = typeset(&doc);
        assert!(out.is_ok(), "{out:?}");
        assert_eq!(warnings, Vec::<String>::new());
    }

    #[test]
    fn odd_shapes_still_typeset() {
        let mut doc = Document::new("");
        doc.heading(0, "level zero");
        doc.heading(9, "level nine");
        doc.rich(vec![]);
        doc.table(&[], vec![vec!["orphan".into()]]);
        doc.table(&["a", "b", "c"], vec![vec!["short row".into()], vec![]]);
        doc.list(Vec::<String>::new());
        let (out, warnings) = typeset(&doc);
        assert!(out.is_ok(), "{out:?}");
        assert_eq!(warnings, Vec::<String>::new());
    }
}
