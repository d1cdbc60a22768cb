//! Reading a time-entries file (SPEC §10), JSON Lines or CSV, for the
//! commands that take one (`accord invoice`, `accord report --entries`).

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use accord_core::time::{self, TimeEntry};
use anyhow::{Context, anyhow};

use super::events_file::{Spool, is_csv};

/// Reads a JSON Lines or CSV entries file (`-`: standard input); errors name
/// the file, line and field.
pub(super) fn read_entries(path: &Path) -> anyhow::Result<Vec<TimeEntry>> {
    let name = path.display().to_string();
    let read_error = || format!("cannot read entries `{name}`");
    let spool;
    let file_path: &Path = if path == Path::new("-") {
        spool = Spool::stdin().with_context(read_error)?;
        spool.path()
    } else {
        path
    };
    let mut file = File::open(file_path).with_context(read_error)?;
    if is_csv(path, &mut file).with_context(read_error)? {
        let mut text = String::new();
        file.read_to_string(&mut text).with_context(read_error)?;
        return time::parse_csv(&text).map_err(|e| anyhow!("{name}: {e}"));
    }
    // JSON Lines: one line at a time, so the text is never held whole.
    let mut reader = time::JsonLines::default();
    let mut entries = Vec::new();
    let mut input = BufReader::with_capacity(1 << 16, file);
    let mut line = String::new();
    for number in 1.. {
        line.clear();
        if input.read_line(&mut line).with_context(read_error)? == 0 {
            break;
        }
        let text = line.strip_suffix('\n').unwrap_or(&line);
        let text = text.strip_suffix('\r').unwrap_or(text);
        entries.extend(
            reader
                .line(number, text)
                .map_err(|e| anyhow!("{name}: {e}"))?,
        );
    }
    Ok(entries)
}
