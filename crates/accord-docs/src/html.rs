//! HTML rendering: one self-contained page (styles inline, nothing loaded
//! from elsewhere), readable on screen and printable.

use crate::document::{Block, Document, Inline};

pub(crate) const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#1d2433;line-height:1.5}\
h1{font-size:1.8rem;margin-bottom:.2rem}h2{margin-top:2rem;border-bottom:1px solid #d8dce4;padding-bottom:.2rem}h3{margin-top:1.4rem}\
.subtitle{color:#4a5468;margin-top:0}table{border-collapse:collapse;width:100%;margin:.6rem 0}\
th,td{border:1px solid #d8dce4;padding:.35rem .55rem;text-align:left;vertical-align:top}th{background:#f2f4f8}\
@media print{body{margin:0;max-width:none}h2{break-after:avoid}table{break-inside:avoid}}";

/// The document as a complete HTML page.
pub fn render(doc: &Document) -> String {
    let mut out =
        String::from("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str(&format!("<title>{}</title>\n", escape(&doc.title)));
    out.push_str(&format!(
        "<style>{STYLE}</style>\n</head>\n<body>\n<main>\n"
    ));
    out.push_str(&fragment(doc));
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

/// The document's content (title, subtitle, blocks) without the page
/// around it, to embed in another page that brings its own styles.
pub fn fragment(doc: &Document) -> String {
    let mut out = String::new();
    out.push_str(&format!("<h1>{}</h1>\n", escape(&doc.title)));
    if let Some(sub) = &doc.subtitle {
        out.push_str(&format!("<p class=\"subtitle\">{}</p>\n", escape(sub)));
    }
    for block in &doc.blocks {
        match block {
            Block::Heading { level, text } => {
                let tag = if *level <= 1 { "h2" } else { "h3" };
                out.push_str(&format!("<{tag}>{}</{tag}>\n", escape(text)));
            }
            Block::Paragraph(runs) => out.push_str(&format!("<p>{}</p>\n", inlines(runs))),
            Block::Table { header, rows } => {
                out.push_str("<table>\n<thead><tr>");
                for h in header {
                    out.push_str(&format!("<th scope=\"col\">{}</th>", escape(h)));
                }
                out.push_str("</tr></thead>\n<tbody>\n");
                for r in rows {
                    out.push_str("<tr>");
                    for c in r {
                        out.push_str(&format!("<td>{}</td>", escape(c)));
                    }
                    out.push_str("</tr>\n");
                }
                out.push_str("</tbody>\n</table>\n");
            }
            Block::List(items) => {
                out.push_str("<ul>\n");
                for item in items {
                    out.push_str(&format!("<li>{}</li>\n", inlines(item)));
                }
                out.push_str("</ul>\n");
            }
        }
    }
    out
}

fn inlines(runs: &[Inline]) -> String {
    runs.iter()
        .map(|r| match r {
            Inline::Text(t) => escape(t),
            Inline::Strong(t) => format!("<strong>{}</strong>", escape(t)),
        })
        .collect()
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_everywhere() {
        let mut doc = Document::new("<script>alert(1)</script>");
        doc.para("Tom & Jerry's \"SLA\"");
        doc.table(&["<b>"], vec![vec!["a<b".into()]]);
        let html = render(&doc);
        assert!(!html.contains("<script>alert"));
        assert!(html.contains("<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>"));
        assert!(html.contains("<p>Tom &amp; Jerry&#39;s &quot;SLA&quot;</p>"));
        assert!(html.contains("<th scope=\"col\">&lt;b&gt;</th>"));
        assert!(html.contains("<td>a&lt;b</td>"));
    }
}
