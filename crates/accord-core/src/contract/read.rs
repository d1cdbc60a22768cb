//! Reading a spanned TOML document while collecting every problem with its
//! position, instead of stopping at the first (SPEC §2).

use std::ops::Range;

use jiff::civil::Date;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diagnostic::{Diagnostic, SourceFile};

/// A TOML value with its byte span.
pub(crate) type Value<'i> = Spanned<DeValue<'i>>;

/// Walks a contract's TOML and records diagnostics.
#[derive(Debug)]
pub(crate) struct Reader<'s> {
    pub src: &'s SourceFile,
    pub diagnostics: Vec<Diagnostic>,
}

impl<'s> Reader<'s> {
    pub fn new(src: &'s SourceFile) -> Self {
        Reader {
            src,
            diagnostics: Vec::new(),
        }
    }

    /// Records a problem at `span`.
    pub fn error(&mut self, span: Range<usize>, message: impl Into<String>, help: Option<String>) {
        let d = self.src.diagnostic(span, message, help);
        self.diagnostics.push(d);
    }

    /// Records every key of `table` not in `allowed`, suggesting the closest.
    pub fn unknown_keys(&mut self, table: &DeTable<'_>, allowed: &[&str], context: &str) {
        for key in table.keys() {
            let name = key.get_ref().as_ref();
            if !allowed.contains(&name) {
                let help = match did_you_mean(name, allowed.iter().copied()) {
                    Some(best) => format!("did you mean `{best}`?"),
                    None => format!("allowed keys here: {}", allowed.join(", ")),
                };
                self.error(
                    key.span(),
                    format!("unknown key `{name}` in {context}"),
                    Some(help),
                );
            }
        }
    }

    /// The value as a table, or a diagnostic.
    pub fn table<'v, 'i>(&mut self, value: &'v Value<'i>, what: &str) -> Option<&'v DeTable<'i>> {
        match value.get_ref() {
            DeValue::Table(t) => Some(t),
            other => {
                self.type_error(value, other, "a table", what);
                None
            }
        }
    }

    /// The value as an array, or a diagnostic.
    pub fn array<'v, 'i>(&mut self, value: &'v Value<'i>, what: &str) -> Option<&'v [Value<'i>]> {
        match value.get_ref() {
            DeValue::Array(a) => Some(a),
            other => {
                self.type_error(value, other, "an array", what);
                None
            }
        }
    }

    /// The value as a string, or a diagnostic.
    pub fn string<'v>(&mut self, value: &'v Value<'_>, what: &str) -> Option<&'v str> {
        match value.get_ref() {
            DeValue::String(s) => Some(s),
            other => {
                self.type_error(value, other, "a string", what);
                None
            }
        }
    }

    /// A calendar date, written either as a TOML date (`2026-12-24`) or a
    /// string (`"2026-12-24"`).
    pub fn date(&mut self, value: &Value<'_>, what: &str) -> Option<Date> {
        let text = match value.get_ref() {
            DeValue::String(s) => s.to_string(),
            DeValue::Datetime(dt) if dt.date.is_some() && dt.time.is_none() => dt.to_string(),
            DeValue::Datetime(_) => {
                self.error(
                    value.span(),
                    format!("{what} must be a date without a time"),
                    Some("write it as 2026-12-24".into()),
                );
                return None;
            }
            other => {
                self.type_error(value, other, "a date", what);
                return None;
            }
        };
        match parse_date(&text) {
            Some(d) => Some(d),
            None => {
                self.error(
                    value.span(),
                    format!("`{text}` is not a valid date for {what}"),
                    Some("write a real calendar date as YYYY-MM-DD, e.g. \"2026-12-24\"".into()),
                );
                None
            }
        }
    }

    fn type_error(&mut self, value: &Value<'_>, found: &DeValue<'_>, expected: &str, what: &str) {
        self.error(
            value.span(),
            format!("{what} must be {expected}, found {}", found.type_str()),
            None,
        );
    }
}

/// Parses `YYYY-MM-DD` strictly (real dates only).
pub(crate) fn parse_date(text: &str) -> Option<Date> {
    let b = text.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape {
        return None;
    }
    let year = text[0..4].parse().ok()?;
    let month = text[5..7].parse().ok()?;
    let day = text[8..10].parse().ok()?;
    Date::new(year, month, day).ok()
}

/// The candidate closest to `word` by edit distance, if close enough to be
/// a plausible typo.
pub(crate) fn did_you_mean<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (edit_distance(&word.to_lowercase(), &c.to_lowercase()), c))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let keys = ["timezone", "holidays", "exceptions"];
        assert_eq!(did_you_mean("timzone", keys), Some("timezone"));
        assert_eq!(did_you_mean("holydays", keys), Some("holidays"));
        assert_eq!(did_you_mean("colour", keys), None);
    }

    #[test]
    fn dates_must_be_real() {
        assert_eq!(parse_date("2028-02-29"), Date::new(2028, 2, 29).ok());
        for bad in [
            "2026-02-29",
            "2026-13-01",
            "2026-1-01",
            "26-01-01",
            "2026/01/01",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }
}
