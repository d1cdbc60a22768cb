//! Errors in files a person wrote (contracts, holiday files), each naming the
//! file, line and column, with the offending text underlined and a fix
//! (SPEC §2: "every problem at once, each with file, line, column and a
//! plain-language fix").

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// One problem in a source file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file, as the user named it.
    pub file: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// How many characters to underline (at least 1).
    pub width: usize,
    /// What is wrong.
    pub message: String,
    /// How to fix it, when there is something useful to say.
    pub help: Option<String>,
    /// The text of the offending line, for the caret display.
    pub source_line: String,
}

/// A file's name and text, for turning byte offsets into positions.
#[derive(Debug, Clone)]
pub struct SourceFile {
    path: PathBuf,
    text: String,
}

impl SourceFile {
    /// A file named `path` (used only in messages) holding `text`.
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> Self {
        SourceFile {
            path: path.into(),
            text: text.into(),
        }
    }

    /// The file's name as given.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The file's text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// A diagnostic for the bytes `span` of this file.
    pub fn diagnostic(
        &self,
        span: Range<usize>,
        message: impl Into<String>,
        help: Option<String>,
    ) -> Diagnostic {
        let start = floor_char_boundary(&self.text, span.start.min(self.text.len()));
        let line_start = self.text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = self.text[start..]
            .find('\n')
            .map_or(self.text.len(), |i| start + i);
        let source_line = self.text[line_start..line_end].trim_end_matches('\r');
        let line = self.text[..start].matches('\n').count() + 1;
        let column = self.text[line_start..start].chars().count() + 1;
        let end = floor_char_boundary(&self.text, span.end.clamp(start, line_end));
        let width = self.text[start..end].chars().count().max(1);
        Diagnostic {
            file: self.path.clone(),
            line,
            column,
            width,
            message: message.into(),
            help,
            source_line: source_line.to_string(),
        }
    }

    /// A diagnostic at a 1-based line and column (for positions reported by
    /// other parsers).
    pub fn diagnostic_at(
        &self,
        line: usize,
        column: usize,
        message: impl Into<String>,
        help: Option<String>,
    ) -> Diagnostic {
        let offset: usize = self
            .text
            .split_inclusive('\n')
            .take(line.saturating_sub(1))
            .map(str::len)
            .sum();
        let line_text = self.text[offset.min(self.text.len())..]
            .split('\n')
            .next()
            .unwrap_or("");
        let col_bytes: usize = line_text
            .chars()
            .take(column.saturating_sub(1))
            .map(char::len_utf8)
            .sum();
        let at = offset + col_bytes;
        self.diagnostic(at..at, message, help)
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

impl fmt::Display for Diagnostic {
    /// Renders like a compiler error:
    ///
    /// ```text
    /// error: `4hrs` is not a duration
    ///   --> acme.contract.toml:12:18
    ///    |
    /// 12 | first_response = "4hrs"
    ///    |                  ^^^^^^
    ///    = help: write hours and minutes like "4h" or "1h30m"
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let gutter = self.line.to_string().len();
        let pad = " ".repeat(gutter);
        writeln!(f, "error: {}", self.message)?;
        writeln!(
            f,
            "{pad}--> {}:{}:{}",
            self.file.display(),
            self.line,
            self.column
        )?;
        writeln!(f, "{pad} |")?;
        writeln!(f, "{} | {}", self.line, self.source_line)?;
        let lead: String = self
            .source_line
            .chars()
            .take(self.column - 1)
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        write!(f, "{pad} | {lead}{}", "^".repeat(self.width))?;
        if let Some(help) = &self.help {
            write!(f, "\n{pad} = help: {help}")?;
        }
        Ok(())
    }
}

/// Several diagnostics, displayed one after another.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n\n")?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_lines_and_character_columns() {
        let src = SourceFile::new("c.toml", "a = 1\nnäme = \"4hrs\"\n");
        let at = src.text().find("\"4hrs\"").unwrap();
        let d = src.diagnostic(at..at + 6, "bad", Some("fix".into()));
        assert_eq!((d.line, d.column, d.width), (2, 8, 6));
        assert_eq!(d.source_line, "näme = \"4hrs\"");
        assert_eq!(
            d.to_string(),
            "error: bad\n --> c.toml:2:8\n  |\n2 | näme = \"4hrs\"\n  |        ^^^^^^\n  = help: fix"
        );
        assert_eq!(src.diagnostic_at(2, 8, "bad", None).column, 8);
    }
}
