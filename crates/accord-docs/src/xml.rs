//! A small XML writer for the e-invoices (SPEC §8): elements nest through
//! closures so that every element is closed, text and attribute values are
//! escaped, and characters XML 1.0 cannot carry are dropped rather than
//! written into a document a receiver would refuse.

use std::fmt::Write as _;

/// Builds one XML document, indented two spaces per level.
///
/// ```
/// use accord_docs::xml::Xml;
/// let mut x = Xml::new();
/// x.element("a", &[("k", "1 < 2")], |x| {
///     x.leaf("b", &[], "Tom & Jerry");
/// });
/// assert_eq!(
///     x.finish(),
///     "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a k=\"1 &lt; 2\">\n  <b>Tom &amp; Jerry</b>\n</a>\n"
/// );
/// ```
#[derive(Debug)]
pub struct Xml {
    out: String,
    depth: usize,
}

impl Default for Xml {
    fn default() -> Self {
        Self::new()
    }
}

impl Xml {
    /// An empty document with its UTF-8 declaration.
    pub fn new() -> Self {
        Xml {
            out: String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"),
            depth: 0,
        }
    }

    /// `<name attrs>…</name>` with the children written by `body`.
    pub fn element(&mut self, name: &str, attrs: &[(&str, &str)], body: impl FnOnce(&mut Xml)) {
        self.start_tag(name, attrs);
        self.out.push_str(">\n");
        self.depth += 1;
        body(self);
        self.depth -= 1;
        self.indent();
        let _ = writeln!(self.out, "</{name}>");
    }

    /// `<name attrs>text</name>`.
    pub fn leaf(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) {
        self.start_tag(name, attrs);
        self.out.push('>');
        escape_into(&mut self.out, text, false);
        let _ = writeln!(self.out, "</{name}>");
    }

    /// `<name>text</name>` when there is a text, nothing otherwise (EN 16931
    /// documents must not hold empty elements).
    pub fn optional(&mut self, name: &str, text: Option<&str>) {
        if let Some(text) = text.filter(|t| !t.trim().is_empty()) {
            self.leaf(name, &[], text);
        }
    }

    /// The document.
    pub fn finish(self) -> String {
        self.out
    }

    fn start_tag(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.indent();
        self.out.push('<');
        self.out.push_str(name);
        for (key, value) in attrs {
            let _ = write!(self.out, " {key}=\"");
            escape_into(&mut self.out, value, true);
            self.out.push('"');
        }
    }

    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
    }
}

/// `text` escaped for XML character data (and, with `attribute`, for a
/// double-quoted attribute value, where line breaks and tabs are kept as
/// references so that they survive attribute normalisation).
///
/// ```
/// use accord_docs::xml::escape;
/// assert_eq!(escape("<a href=\"x\">Q&A</a>"), "&lt;a href=\"x\"&gt;Q&amp;A&lt;/a&gt;");
/// assert_eq!(escape("bell\u{7}"), "bell");
/// ```
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(&mut out, text, false);
    out
}

fn escape_into(out: &mut String, text: &str, attribute: bool) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\r' => out.push_str("&#13;"),
            c if allowed(c) => out.push(c),
            _ => {}
        }
    }
}

/// Whether XML 1.0 allows `c` in a document (its `Char` production).
fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Reads escaped character data back (the five entities and numeric
    /// references this writer produces).
    fn unescape(s: &str) -> String {
        s.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#10;", "\n")
            .replace("&#9;", "\t")
            .replace("&#13;", "\r")
            .replace("&amp;", "&")
    }

    #[test]
    fn elements_nest_and_close_in_order() {
        let mut x = Xml::new();
        x.element("r", &[("xmlns", "urn:x")], |x| {
            x.element("a", &[], |x| x.leaf("b", &[("c", "d")], "e"));
            x.optional("skipped", None);
            x.optional("blank", Some("  "));
            x.optional("kept", Some("f"));
        });
        assert_eq!(
            x.finish(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<r xmlns=\"urn:x\">\n  <a>\n    <b c=\"d\">e</b>\n  </a>\n  <kept>f</kept>\n</r>\n"
        );
    }

    #[test]
    fn markup_in_names_and_notes_is_escaped() {
        let mut x = Xml::new();
        x.leaf(
            "n",
            &[("a", "\"quoted\" & <tagged>\nnext")],
            "</n><evil/> & more",
        );
        let out = x.finish();
        assert!(out.contains("<n a=\"&quot;quoted&quot; &amp; &lt;tagged&gt;&#10;next\">"));
        assert!(out.contains(">&lt;/n&gt;&lt;evil/&gt; &amp; more</n>"));
    }

    proptest! {
        /// Escaped text never holds raw markup, keeps every character XML
        /// can carry, and reads back to the original without the others.
        #[test]
        fn escaping_round_trips(s in any::<String>()) {
            for attribute in [false, true] {
                let mut out = String::new();
                escape_into(&mut out, &s, attribute);
                prop_assert!(!out.contains('<') && !out.contains('>'));
                prop_assert!(!attribute || !out.contains('"'));
                prop_assert!(out.chars().all(allowed));
                let kept: String = s.chars().filter(|c| allowed(*c)).collect();
                prop_assert_eq!(unescape(&out), kept);
            }
        }
    }
}
