//! Where things are in an iCalendar file: unfolding and line-ending
//! normalisation with offset maps back to the original text, and a light
//! line scan, so that every error names a line and column the user can find.

use icalendar::parser::{Component, Property, read_calendar_simple, unfold};

use super::{IcsError, MAX_NESTING};

/// Maps offsets in a transformed text back to the text it was made from: sorted
/// `(output_offset, input_offset)` starts of stretches copied verbatim.
#[derive(Debug, Default)]
pub(super) struct OffsetMap(Vec<(usize, usize)>);

impl OffsetMap {
    /// Records that output byte `output` is a copy of input byte `input` (and so on after it).
    pub(super) fn push(&mut self, output: usize, input: usize) {
        self.0.push((output, input));
    }

    /// The input offset of output offset `output`. An inserted byte maps to the input byte
    /// that follows it.
    pub(super) fn map(&self, output: usize) -> usize {
        let index = self.0.partition_point(|&(start, _)| start <= output);
        match index.checked_sub(1).and_then(|i| self.0.get(i)) {
            Some(&(out_start, in_start)) => in_start + (output - out_start),
            None => output,
        }
    }
}

/// Removes folds (a line break followed by a space or tab), exactly like
/// [`icalendar::parser::unfold`], and records where the removed bytes were.
pub(super) fn unfold_with_map(text: &str) -> (String, OffsetMap) {
    let mut out = String::with_capacity(text.len());
    let mut map = OffsetMap::default();
    map.push(0, 0);
    let bytes = text.as_bytes();
    let mut copied_from = 0;
    let mut i = 0;
    while i < bytes.len() {
        let fold_len = match (bytes.get(i), bytes.get(i + 1), bytes.get(i + 2)) {
            (Some(b'\r'), Some(b'\n'), Some(b' ' | b'\t')) => 3,
            (Some(b'\n'), Some(b' ' | b'\t'), _) => 2,
            _ => 0,
        };
        if fold_len == 0 {
            i += 1;
            continue;
        }
        out.push_str(text.get(copied_from..i).unwrap_or_default());
        i += fold_len;
        copied_from = i;
        map.push(out.len(), i);
    }
    out.push_str(text.get(copied_from..).unwrap_or_default());
    (out, map)
}

/// Turns every bare `\n` into `\r\n` (the `icalendar` parser reads a value up to the next
/// `\r\n` anywhere in the input, so mixed line endings would merge lines), recording where
/// the inserted bytes are.
pub(super) fn normalize_line_endings(text: &str) -> (String, OffsetMap) {
    let mut out = String::with_capacity(text.len() + text.len() / 32);
    let mut map = OffsetMap::default();
    map.push(0, 0);
    let mut copied_from = 0;
    let mut previous = None;
    for (i, byte) in text.bytes().enumerate() {
        if byte == b'\n' && previous != Some(b'\r') {
            out.push_str(text.get(copied_from..i).unwrap_or_default());
            out.push('\r');
            map.push(out.len(), i);
            copied_from = i;
        }
        previous = Some(byte);
    }
    out.push_str(text.get(copied_from..).unwrap_or_default());
    (out, map)
}

/// The file being parsed: original text, the normalized text handed to the parser, and the
/// mapping between the two.
pub(super) struct Source<'t> {
    /// Original text, without a leading byte-order mark.
    pub(super) original: &'t str,
    /// Unfolded text with `\r\n` line endings.
    pub(super) normalized: String,
    /// `normalized` offsets to unfolded offsets.
    pub(super) endings: OffsetMap,
    /// Unfolded offsets to `original` offsets.
    pub(super) folds: OffsetMap,
}

impl<'t> Source<'t> {
    pub(super) fn new(text: &'t str) -> Self {
        let original = text.strip_prefix('\u{feff}').unwrap_or(text);
        let (_, folds) = unfold_with_map(original);
        let unfolded = unfold(original);
        let (normalized, endings) = normalize_line_endings(&unfolded);
        Source {
            original,
            normalized,
            endings,
            folds,
        }
    }

    /// Offset of `part` in `normalized`, when `part` is a slice of it.
    pub(super) fn offset_of(&self, part: &str) -> Option<usize> {
        let start = self.normalized.as_ptr().addr();
        let at = part.as_ptr().addr();
        (start..=start + self.normalized.len())
            .contains(&at)
            .then(|| at - start)
    }

    /// Offset of `part` in `normalized`, or of `fallback` when `part` was copied (unescaped)
    /// by the parser, or 0.
    pub(super) fn offset_or(&self, part: &str, fallback: &str) -> usize {
        self.offset_of(part)
            .or_else(|| self.offset_of(fallback))
            .unwrap_or(0)
    }

    /// Offset of the `BEGIN:` line of `component`.
    pub(super) fn begin_offset(&self, component: &Component<'_>) -> usize {
        self.offset_of(component.name.as_str())
            .map_or(0, |at| at.saturating_sub("BEGIN:".len()))
    }

    /// Offset of a property's value (or of its name when the value was unescaped).
    pub(super) fn value_offset(&self, property: &Property<'_>, value: &str) -> usize {
        self.offset_or(value, property.name.as_str())
    }

    /// 1-based line and column in the original text of `normalized` offset `offset`.
    pub(super) fn position(&self, offset: usize) -> (usize, usize) {
        let mut at = self
            .folds
            .map(self.endings.map(offset))
            .min(self.original.len());
        while !self.original.is_char_boundary(at) {
            at -= 1;
        }
        let before = self.original.get(..at).unwrap_or_default();
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
        let column = before.get(line_start..).unwrap_or_default().chars().count() + 1;
        (line, column)
    }

    /// An error at `normalized` offset `offset`.
    pub(super) fn error(&self, offset: usize, message: String) -> IcsError {
        let (line, column) = self.position(offset);
        IcsError {
            line,
            column,
            message,
        }
    }

    /// An error at `part`, a slice of `normalized` (line 1, column 1 if it is not).
    pub(super) fn error_at(&self, part: &str, message: String) -> IcsError {
        self.error(self.offset_of(part).unwrap_or(0), message)
    }

    /// The error for a file the `icalendar` parser rejected although the line scan accepted it.
    pub(super) fn syntax_error(&self) -> IcsError {
        let offset = match read_calendar_simple(&self.normalized) {
            Err(error) => self.offset_of(error.input).unwrap_or(0),
            Ok(_) => 0,
        };
        self.error(
            offset,
            "invalid iCalendar syntax: cannot read the content from here on \
             (expected BEGIN:<name>, END:<name> or NAME;PARAM=VALUE:value lines)"
                .to_owned(),
        )
    }

    /// Line-level check of the content lines and BEGIN/END nesting, so that syntax errors get
    /// precise positions (the `icalendar` parser reports them at the enclosing BEGIN line).
    pub(super) fn check_structure(&self) -> Result<(), IcsError> {
        let mut open: Vec<&str> = Vec::new();
        let mut seen_calendar = false;
        let mut rest = self.normalized.as_str();
        while !rest.is_empty() {
            // Lines end with `\r\n` after normalization; a last line without `\n` keeps any `\r`.
            let (line, tail) = match rest.split_once('\n') {
                Some((line, tail)) => (line.strip_suffix('\r').unwrap_or(line), tail),
                None => (rest, ""),
            };
            rest = tail;
            if line.trim().is_empty() {
                continue;
            }
            if !seen_calendar {
                if let Some((keyword, name)) = begin_or_end(line) {
                    self.check_component_name(keyword, name)?;
                }
                let is_calendar = begin_or_end(line).is_some_and(|(keyword, name)| {
                    keyword == "BEGIN" && name.eq_ignore_ascii_case("VCALENDAR")
                });
                if !is_calendar {
                    let found = line.trim_start();
                    return Err(self.error_at(
                        found,
                        format!(
                            "not an iCalendar file: expected BEGIN:VCALENDAR, found `{}`",
                            snippet(found)
                        ),
                    ));
                }
                seen_calendar = true;
                open.push(line.get("BEGIN:".len()..).unwrap_or_default());
                continue;
            }
            if open.is_empty() {
                return Err(self.error_at(
                    line,
                    format!(
                        "unexpected `{}` after END:VCALENDAR: expected the end of the file \
                         (one calendar per file)",
                        snippet(line)
                    ),
                ));
            }
            match begin_or_end(line) {
                Some(("BEGIN", name)) => {
                    self.check_component_name("BEGIN", name)?;
                    open.push(name);
                    if open.len() > MAX_NESTING {
                        return Err(self.error_at(
                            line,
                            format!(
                                "components are nested more than {MAX_NESTING} levels deep: \
                                 expected a holiday calendar (VCALENDAR containing VEVENTs)"
                            ),
                        ));
                    }
                }
                Some((keyword, name)) => {
                    self.check_component_name(keyword, name)?;
                    let expected = open.pop().unwrap_or_default();
                    if name != expected {
                        return Err(self.error_at(
                            name,
                            format!(
                                "END:{} does not close BEGIN:{expected}: expected END:{expected}",
                                snippet(name)
                            ),
                        ));
                    }
                }
                None => self.check_property_line(line)?,
            }
        }
        if !seen_calendar {
            return Err(self.error(
                0,
                "empty file: expected an iCalendar file starting with BEGIN:VCALENDAR".to_owned(),
            ));
        }
        if let Some(name) = open.last() {
            return Err(self.error(
                self.offset_of(name)
                    .map_or(0, |at| at.saturating_sub("BEGIN:".len())),
                format!(
                    "BEGIN:{name} is never closed: expected END:{name} before the end of the file"
                ),
            ));
        }
        Ok(())
    }

    /// Checks the name after `BEGIN:` or `END:` (same characters as the `icalendar` parser
    /// accepts).
    pub(super) fn check_component_name(&self, keyword: &str, name: &str) -> Result<(), IcsError> {
        if name.is_empty() {
            return Err(self.error_at(
                name,
                format!("{keyword}: without a component name: expected e.g. {keyword}:VEVENT"),
            ));
        }
        if let Some((i, c)) = name.char_indices().find(|&(_, c)| !is_name_char(c)) {
            return Err(self.error_at(
                name.get(i..).unwrap_or(name),
                format!(
                    "unexpected {c:?} in component name `{}`: expected only letters, digits \
                     and `-` up to the end of the line, e.g. {keyword}:VEVENT",
                    snippet(name.trim_end())
                ),
            ));
        }
        Ok(())
    }

    /// Checks `NAME *(;PARAM[=VALUE]) : value` the way the `icalendar` parser reads it.
    pub(super) fn check_property_line(&self, line: &str) -> Result<(), IcsError> {
        let name_end = line.find(|c: char| !is_name_char(c)).unwrap_or(line.len());
        let name = line.get(..name_end).unwrap_or_default();
        let rest = line.get(name_end..).unwrap_or_default();
        if name.is_empty() {
            return Err(self.error_at(
                line,
                format!(
                    "expected a content line like NAME:value (e.g. DTSTART;VALUE=DATE:20261225), \
                     found `{}`",
                    snippet(line)
                ),
            ));
        }
        if name.eq_ignore_ascii_case("BEGIN") || name.eq_ignore_ascii_case("END") {
            return Err(self.error_at(
                rest,
                format!("expected `:` and a component name after {name}, e.g. {name}:VEVENT"),
            ));
        }
        let mut rest = rest;
        while let Some(after) = rest.strip_prefix(';') {
            let after = after.trim_start_matches([' ', '\t']);
            let key_end = after
                .find(|c: char| !is_name_char(c))
                .unwrap_or(after.len());
            rest = after.get(key_end..).unwrap_or_default();
            if let Some(value) = rest.strip_prefix('=') {
                rest = match value.strip_prefix('"') {
                    Some(quoted) => match quoted.find('"') {
                        Some(close) => quoted.get(close + 1..).unwrap_or_default(),
                        None => {
                            return Err(self.error_at(
                                value,
                                "unterminated quoted parameter value: expected a closing `\"`"
                                    .to_owned(),
                            ));
                        }
                    },
                    None => {
                        let end = value.find([';', ':']).unwrap_or(value.len());
                        value.get(end..).unwrap_or_default()
                    }
                };
            }
        }
        if rest.starts_with(':') {
            return Ok(());
        }
        let found = if rest.is_empty() {
            "the end of the line".to_owned()
        } else {
            format!("`{}`", snippet(rest))
        };
        Err(self.error_at(
            rest,
            format!(
                "property {name}: expected `:` before its value (NAME;PARAM=VALUE:value), \
                 found {found}"
            ),
        ))
    }
}

/// `Some(("BEGIN", name))` for a `BEGIN:name` line (any case), `Some(("END", name))` for
/// `END:name`.
pub(super) fn begin_or_end(line: &str) -> Option<(&'static str, &str)> {
    let prefix = |tag: &str| {
        line.get(..tag.len())
            .filter(|head| head.eq_ignore_ascii_case(tag))
            .and_then(|_| line.get(tag.len()..))
    };
    prefix("BEGIN:")
        .map(|name| ("BEGIN", name))
        .or_else(|| prefix("END:").map(|name| ("END", name)))
}

/// Characters the `icalendar` parser accepts in names.
pub(super) fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ',' | '/')
}

/// At most 40 characters of `text`, for messages.
pub(super) fn snippet(text: &str) -> String {
    let mut chars = text.chars();
    let mut out: String = chars.by_ref().take(40).collect();
    if chars.next().is_some() {
        out.push('…');
    }
    out
}
