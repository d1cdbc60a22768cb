//! Markdown rendering (CommonMark with GitHub-style tables).

use crate::document::{Block, Document, Inline};

/// The document as Markdown.
pub fn render(doc: &Document) -> String {
    let mut out = format!("# {}\n", escape(&doc.title));
    if let Some(sub) = &doc.subtitle {
        out.push_str(&format!("\n{}\n", escape(sub)));
    }
    for block in &doc.blocks {
        out.push('\n');
        match block {
            Block::Heading { level, text } => {
                let hashes = "#".repeat(usize::from(*level) + 1);
                out.push_str(&format!("{hashes} {}\n", escape(text)));
            }
            Block::Paragraph(runs) => {
                out.push_str(&inlines(runs));
                out.push('\n');
            }
            Block::Table { header, rows } => {
                out.push_str(&row(header));
                out.push_str(&format!("|{}\n", "---|".repeat(header.len())));
                for r in rows {
                    out.push_str(&row(r));
                }
            }
            Block::List(items) => {
                for item in items {
                    out.push_str(&format!("- {}\n", inlines(item)));
                }
            }
        }
    }
    out
}

fn row(cells: &[String]) -> String {
    let cells: Vec<String> = cells
        .iter()
        .map(|c| escape(c).replace('|', "\\|").replace('\n', " "))
        .collect();
    format!("| {} |\n", cells.join(" | "))
}

fn inlines(runs: &[Inline]) -> String {
    runs.iter()
        .map(|r| match r {
            Inline::Text(t) => escape(t),
            Inline::Strong(t) => format!("**{}**", escape(t)),
        })
        .collect()
}

/// Escapes the characters that would otherwise start Markdown syntax.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{strong, text};

    #[test]
    fn renders_every_block_and_escapes_markup() {
        let mut doc = Document::new("SLA *draft*");
        doc.heading(1, "Targets");
        doc.rich(vec![text("Critical: "), strong("4 business hours")]);
        doc.table(&["a|b", "c"], vec![vec!["1".into(), "x_y".into()]]);
        doc.list(["one".to_string()]);
        assert_eq!(
            render(&doc),
            "# SLA \\*draft\\*\n\n## Targets\n\nCritical: **4 business hours**\n\n| a\\|b | c |\n|---|---|\n| 1 | x\\_y |\n\n- one\n"
        );
    }
}
