//! Reading a spanned TOML document while collecting every problem with its
//! position, instead of stopping at the first (SPEC §2).

use std::ops::Range;

use jiff::civil::Date;
use rust_decimal::Decimal;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diagnostic::{Diagnostic, SourceFile};
use crate::duration::{BusinessDuration, DurationError};

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

    /// The value of the required `key` of `table`, or a diagnostic at `at`
    /// (the table's span) saying it is missing, with `help` as the fix.
    pub fn require<'v, 'i>(
        &mut self,
        table: &'v DeTable<'i>,
        key: &str,
        at: Range<usize>,
        ctx: &str,
        help: &str,
    ) -> Option<&'v Value<'i>> {
        let found = table.get(key);
        if found.is_none() {
            self.error(at, format!("{ctx} has no `{key}`"), Some(help.into()));
        }
        found
    }

    /// The value as a boolean, or a diagnostic.
    pub fn boolean(&mut self, value: &Value<'_>, what: &str) -> Option<bool> {
        match value.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            other => {
                self.type_error(value, other, "true or false", what);
                None
            }
        }
    }

    /// The value as an integer within `range`, or a diagnostic.
    pub fn integer(
        &mut self,
        value: &Value<'_>,
        what: &str,
        range: std::ops::RangeInclusive<i64>,
    ) -> Option<i64> {
        let n = match value.get_ref() {
            DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix()).ok(),
            other => {
                self.type_error(value, other, "a whole number", what);
                return None;
            }
        };
        match n {
            Some(n) if range.contains(&n) => Some(n),
            _ => {
                self.error(
                    value.span(),
                    format!(
                        "{what} must be between {} and {}",
                        range.start(),
                        range.end()
                    ),
                    None,
                );
                None
            }
        }
    }

    /// A business duration written as a string such as `"4h"`, `"90m"` or
    /// `"1h30m"`, or a diagnostic.
    pub fn duration(&mut self, value: &Value<'_>, what: &str) -> Option<BusinessDuration> {
        let text = self.string(value, what)?;
        match text.parse::<BusinessDuration>() {
            Ok(d) => Some(d),
            Err(DurationError::Malformed { text, why }) => {
                self.error(
                    value.span(),
                    format!("`{text}` is not a duration for {what}: {why}"),
                    Some("write hours and minutes like \"4h\", \"90m\" or \"1h30m\"".into()),
                );
                None
            }
            Err(e) => {
                self.error(value.span(), format!("{what}: {e}"), None);
                None
            }
        }
    }

    /// A share such as `0.95`, written as a TOML float (or the integers 0 and
    /// 1), converted exactly from its source text, never through `f64`.
    /// `allow` says which end points are allowed: (zero, one).
    pub fn share(
        &mut self,
        value: &Value<'_>,
        what: &str,
        (zero_ok, one_ok): (bool, bool),
    ) -> Option<Decimal> {
        let parsed = match value.get_ref() {
            DeValue::Float(f) => exact_decimal(f.as_str()),
            DeValue::Integer(i) if i.radix() == 10 => exact_decimal(i.as_str()),
            other => {
                self.type_error(value, other, "a number such as 0.95", what);
                return None;
            }
        };
        let lo = if zero_ok { "[0" } else { "(0" };
        let hi = if one_ok { "1]" } else { "1)" };
        let ok = |d: &Decimal| {
            (d > &Decimal::ZERO || (zero_ok && d.is_zero()))
                && (d < &Decimal::ONE || (one_ok && d == &Decimal::ONE))
        };
        match parsed {
            Some(d) if ok(&d) => Some(d),
            _ => {
                self.error(
                    value.span(),
                    format!("{what} must be a share in {lo}, {hi}"),
                    Some("write a share of the whole as a decimal, e.g. 0.95 for 95 %".into()),
                );
                None
            }
        }
    }

    /// An amount of money: a decimal string such as `"2500.00"`. A TOML
    /// float or integer is refused, so that no amount is ever rounded
    /// through floating point.
    pub fn money(&mut self, value: &Value<'_>, what: &str) -> Option<Decimal> {
        let text = match value.get_ref() {
            DeValue::String(s) => s,
            DeValue::Float(f) => return self.money_not_string(value, f.as_str(), "a float", what),
            DeValue::Integer(i) => {
                let shown = format!("{}.00", i.as_str());
                return self.money_not_string(value, &shown, "an integer", what);
            }
            other => {
                self.type_error(value, other, "money written as a decimal string", what);
                return None;
            }
        };
        let (whole, frac) = text.split_once('.').unwrap_or((text, "0"));
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        match Decimal::from_str_exact(text) {
            Ok(d) if digits(whole) && digits(frac) => Some(d),
            _ => {
                self.error(
                    value.span(),
                    format!("`{text}` is not an amount of money for {what}"),
                    Some("write a non-negative decimal amount such as \"2500.00\"".into()),
                );
                None
            }
        }
    }

    fn money_not_string(
        &mut self,
        value: &Value<'_>,
        text: &str,
        found: &str,
        what: &str,
    ) -> Option<Decimal> {
        self.error(
            value.span(),
            format!("{what} is money and must be a decimal string, found {found}"),
            Some(format!(
                "write money as a decimal string, e.g. \"{text}\", to avoid float rounding"
            )),
        );
        None
    }

    /// A string that must be one of `options` (an enumeration such as
    /// `monthly | quarterly | yearly`).
    pub fn one_of<'o>(
        &mut self,
        value: &Value<'_>,
        what: &str,
        options: &[&'o str],
    ) -> Option<&'o str> {
        let text = self.string(value, what)?;
        if let Some(found) = options.iter().find(|o| **o == text) {
            return Some(found);
        }
        let help = match did_you_mean(text, options.iter().copied()) {
            Some(best) => format!("did you mean \"{best}\"?"),
            None => format!("use one of: {}", options.join(", ")),
        };
        self.error(
            value.span(),
            format!("`{text}` is not a valid {what}"),
            Some(help),
        );
        None
    }

    /// A string naming one of `known` things of kind `kind` (a calendar, a
    /// priority, …), or a diagnostic suggesting the closest name.
    pub fn reference<'k>(
        &mut self,
        value: &Value<'_>,
        kind: &str,
        known: impl Iterator<Item = &'k str> + Clone,
    ) -> Option<String> {
        let text = self.string(value, &format!("a {kind} name"))?;
        if known.clone().any(|k| k == text) {
            return Some(text.to_string());
        }
        self.unknown_name(value.span(), kind, text, known);
        None
    }

    /// Records that `name` is not a known `kind`, suggesting the closest.
    pub fn unknown_name<'k>(
        &mut self,
        span: Range<usize>,
        kind: &str,
        name: &str,
        known: impl Iterator<Item = &'k str> + Clone,
    ) {
        let list: Vec<&str> = known.clone().collect();
        let help = match did_you_mean(name, known) {
            Some(best) => format!("did you mean `{best}`?"),
            None if list.is_empty() => format!("the contract declares no {kind}"),
            None => format!("known: {}", list.join(", ")),
        };
        self.error(span, format!("unknown {kind} `{name}`"), Some(help));
    }

    fn type_error(&mut self, value: &Value<'_>, found: &DeValue<'_>, expected: &str, what: &str) {
        self.error(
            value.span(),
            format!("{what} must be {expected}, found {}", found.type_str()),
            None,
        );
    }
}

/// The exact decimal value of a TOML number's text (`0.95`, `1e-2`).
pub(crate) fn exact_decimal(text: &str) -> Option<Decimal> {
    if text.contains(['e', 'E']) {
        Decimal::from_scientific(text).ok()
    } else {
        Decimal::from_str_exact(text).ok()
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

/// The candidate closest to `word` by edit distance (ignoring case), if
/// close enough to be a plausible typo: at most a third of its characters
/// differ.
///
/// ```
/// use accord_core::contract::did_you_mean;
/// assert_eq!(did_you_mean("timzone", ["timezone", "holidays"]), Some("timezone"));
/// assert_eq!(did_you_mean("colour", ["timezone", "holidays"]), None);
/// ```
pub fn did_you_mean<'c>(
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
