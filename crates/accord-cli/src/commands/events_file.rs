//! The ticket-events file as `accord clocks` and `accord report` read it
//! (SPEC §10): JSON Lines or CSV, streamed in two passes so that memory is
//! bounded by the tickets in progress, not by the file (docs/design.md,
//! "`accord clocks` streams"):
//! 1. read each line cheaply for its ticket id only and record, per ticket
//!    (keyed by a 64-bit hash of the id), the line of its last event;
//! 2. parse every event, buffer it with its ticket, and hand a ticket over
//!    (then free it) as soon as the line of its last event has been read.
//!
//! A file grouped by ticket then holds one ticket at a time, a time-sorted
//! one the tickets still open at each point. Tickets are handed over in the
//! order of their last events. Standard input is first spooled to a
//! temporary file, so it can be read twice.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fs::File;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{self, BufRead, BufReader, BufWriter, Read, Seek, Write};
use std::path::{Path, PathBuf};

use accord_core::clock::{ClockError, CsvColumns, EventError, TicketEvent};
use accord_core::csv::{self, RecordEnd};
use anyhow::{Context, anyhow, bail};
use jiff::Timestamp;

/// An events file, indexed (pass 1) and ready to replay (pass 2).
pub struct EventsFile {
    /// Keeps standard input's copy until the file is dropped.
    _spool: Option<Spool>,
    file: File,
    csv: bool,
    name: String,
    index: ById<u64>,
    span: Option<(Timestamp, Timestamp)>,
}

impl EventsFile {
    /// Opens `path` (`-` for standard input) and reads it once for each
    /// ticket's last line; with `want_span`, also for the first and last
    /// instant of any event.
    pub fn open(path: &Path, want_span: bool) -> anyhow::Result<EventsFile> {
        let name = path.display().to_string();
        let read_error = || format!("cannot read events `{name}`");
        // Standard input is copied to a file first: the two passes read it twice.
        let spool = if path == Path::new("-") {
            Some(Spool::stdin().with_context(read_error)?)
        } else {
            None
        };
        let real = spool.as_ref().map_or(path, |s| s.0.path());
        let mut file = File::open(real).with_context(read_error)?;
        let csv = is_csv(path, &mut file).with_context(read_error)?;
        let mut span = None;
        let index = last_lines(&file, csv, &name, want_span.then_some(&mut span))?;
        file.rewind().with_context(read_error)?;
        Ok(EventsFile {
            _spool: spool,
            file,
            csv,
            name,
            index,
            span,
        })
    }

    /// The file as the user named it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The first and last instant of any event, if asked for at `open` and
    /// the file has events.
    pub fn span(&self) -> Option<(Timestamp, Timestamp)> {
        self.span
    }

    /// Pass 2: every ticket's events, handed to `each` as soon as the line
    /// of its last event is read. A malformed event stops the replay with
    /// an error naming its line.
    pub fn replay(&self, each: impl FnMut(&Group) -> anyhow::Result<()>) -> anyhow::Result<()> {
        replay(&self.name, &self.file, self.csv, &self.index, each)
    }
}

impl Group {
    /// The ticket id.
    pub fn ticket(&self) -> &str {
        ticket_of(self)
    }

    /// The ticket's events, in input order.
    pub fn events(&self) -> &[TicketEvent] {
        &self.events
    }

    /// A clock error about this ticket, prefixed with the file and the
    /// input line of the event it is about.
    pub fn describe(&self, e: &ClockError, name: &str) -> String {
        let line = e
            .event()
            .and_then(|r| self.lines.get(r.position.wrapping_sub(1)));
        match line {
            Some(line) => format!("{name}: line {line}: {e}"),
            None => format!("{name}: {e}"),
        }
    }
}

/// A new file in the temporary directory, removed when dropped.
pub struct TempFile {
    path: PathBuf,
}

impl TempFile {
    /// Creates a file whose name holds `tag`, the process id and a clock
    /// reading, retrying on the unlikely clash.
    pub fn create(tag: &str) -> io::Result<(TempFile, File)> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let mut attempt = 0u32;
        loop {
            let path = std::env::temp_dir().join(format!(
                "accord-{tag}-{}-{nanos}-{attempt}",
                std::process::id()
            ));
            match File::options()
                .read(true)
                .write(true)
                .create_new(true)
                .open(&path)
            {
                // From here on the file is removed however this ends.
                Ok(file) => return Ok((TempFile { path }, file)),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => {
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Standard input copied to a temporary file, so it can be read twice.
pub struct Spool(TempFile);

impl Spool {
    /// Copies standard input to a new temporary file.
    pub fn stdin() -> io::Result<Spool> {
        let (temp, file) = TempFile::create("clocks-events")?;
        let mut file = BufWriter::with_capacity(1 << 16, file);
        io::copy(&mut io::stdin().lock(), &mut file)?;
        file.flush()?;
        Ok(Spool(temp))
    }

    /// Where the copy is.
    pub fn path(&self) -> &Path {
        self.0.path()
    }
}

/// CSV or JSON Lines: by the extension, else by the first character (JSON
/// Lines start with `{`, CSV with its header).
pub fn is_csv(path: &Path, file: &mut File) -> io::Result<bool> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    Ok(match ext.as_deref() {
        Some("csv") => true,
        Some("jsonl" | "ndjson" | "json") => false,
        _ => {
            let mut head = Vec::new();
            (&mut *file).take(4096).read_to_end(&mut head)?;
            file.rewind()?;
            head.iter()
                .find(|b| !b.is_ascii_whitespace())
                .is_some_and(|&b| b != b'{')
        }
    })
}

/// Lines (JSON Lines) or records (CSV) of an events file, read in turn into
/// one reused buffer, with the 1-based line each starts on.
struct Lines<R> {
    reader: R,
    buf: Vec<u8>,
    text: String,
    /// The line the next read starts on.
    line: usize,
    csv: bool,
}

impl<R: BufRead> Lines<R> {
    fn new(reader: R, csv: bool) -> Self {
        Lines {
            reader,
            buf: Vec::with_capacity(1024),
            text: String::with_capacity(1024),
            line: 1,
            csv,
        }
    }

    /// The next line without its line break (JSON Lines), or the next whole
    /// record with its line breaks (CSV); `None` at the end.
    fn next(&mut self) -> io::Result<Option<(usize, &str)>> {
        if self.csv {
            return self.next_record();
        }
        self.buf.clear();
        if self.reader.read_until(b'\n', &mut self.buf)? == 0 {
            return Ok(None);
        }
        let start = self.line;
        self.line += 1;
        let line = utf8(&self.buf)?;
        // As `BufRead::lines`: without "\n" or "\r\n".
        let line = line
            .strip_suffix('\n')
            .map_or(line, |l| l.strip_suffix('\r').unwrap_or(l));
        Ok(Some((start, line)))
    }

    fn next_record(&mut self) -> io::Result<Option<(usize, &str)>> {
        let start = self.line;
        self.text.clear();
        let mut end = RecordEnd::default();
        loop {
            self.buf.clear();
            if self.reader.read_until(b'\n', &mut self.buf)? == 0 {
                break;
            }
            self.line += 1;
            let line = utf8(&self.buf)?;
            self.text.push_str(line);
            if end.line_ends_record(line) {
                break;
            }
        }
        Ok((!self.text.is_empty()).then_some((start, self.text.as_str())))
    }
}

fn utf8(bytes: &[u8]) -> io::Result<&str> {
    std::str::from_utf8(bytes).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            "stream did not contain valid UTF-8",
        )
    })
}

/// One CSV record that [`Lines`] found, split into cells; errors name the
/// lines of the file.
fn csv_record(start: usize, text: &str, name: &str) -> anyhow::Result<Vec<String>> {
    let shift = |e: csv::CsvError| {
        let mut e = EventError::from(e);
        e.line = e.line.map(|l| l + start - 1);
        anyhow!("{name}: {e}")
    };
    let mut records = csv::records(text).map_err(shift)?;
    Ok(records.pop().map(|(_, r)| r).unwrap_or_default())
}

/// Hash map keyed by an already hashed ticket id.
type ById<V> = HashMap<u64, V, BuildHasherDefault<Prehashed>>;

#[derive(Debug, Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A 64-bit hash of a ticket id (FNV-1a, then mixed). Two ids with the same
/// hash share an index entry: both are then kept until the later one's last
/// line, which is still correct, since events are grouped by the id itself.
fn ticket_hash(ticket: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in ticket.as_bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// Pass 1: the line of each ticket's last event and, if `span` is given,
/// the first and last instant of any event. A line whose ticket cannot be
/// read is left out; pass 2 stops at it with the parser's error.
fn last_lines(
    file: &File,
    csv: bool,
    name: &str,
    mut span: Option<&mut Option<(Timestamp, Timestamp)>>,
) -> anyhow::Result<ById<u64>> {
    let want_span = span.is_some();
    let mut widen = |t: Option<Timestamp>| {
        if let (Some(t), Some(span)) = (t, span.as_deref_mut()) {
            *span = Some(span.map_or((t, t), |(a, b)| (a.min(t), b.max(t))));
        }
    };
    let mut index = ById::default();
    let mut pending: Option<(u64, u64)> = None;
    let mut lines = Lines::new(BufReader::with_capacity(1 << 16, file), csv);
    let mut columns = None;
    while let Some((line, text)) = lines
        .next()
        .with_context(|| format!("cannot read events `{name}`"))?
    {
        let ticket = if csv {
            let record = csv_record(line, text, name)?;
            match &columns {
                None => {
                    columns =
                        Some(CsvColumns::from_header(&record).map_err(|e| anyhow!("{name}: {e}"))?);
                    continue;
                }
                Some(columns) => match record.get(columns.ticket_column()) {
                    Some(t) if !(record.len() == 1 && t.trim().is_empty()) => {
                        index.insert(ticket_hash(t), line as u64);
                        widen(columns.at(&record));
                    }
                    _ => {}
                },
            }
            continue;
        } else if is_blank(text) {
            continue;
        } else {
            if want_span {
                widen(TicketEvent::json_line_at(text));
            }
            match TicketEvent::json_line_ticket(text) {
                Some(t) => ticket_hash(&t),
                None => continue,
            }
        };
        // Consecutive lines of one ticket update one pending entry, written
        // when another ticket's line comes (and at the end): the same index,
        // with one look-up per run of lines instead of one per line.
        match &mut pending {
            Some((hash, last)) if *hash == ticket => *last = line as u64,
            _ => {
                if let Some((hash, last)) = pending.replace((ticket, line as u64)) {
                    index.insert(hash, last);
                }
            }
        }
    }
    if let Some((hash, last)) = pending {
        index.insert(hash, last);
    }
    Ok(index)
}

/// Whether a JSON Lines line is blank (`str::trim` leaves nothing), without
/// scanning the line when it starts with a visible ASCII character, as
/// events (`{`) do.
fn is_blank(text: &str) -> bool {
    match text.as_bytes().first() {
        Some(b) if b.is_ascii_graphic() => false,
        _ => text.trim().is_empty(),
    }
}

/// A ticket's events in input order, with the line each came from.
#[derive(Debug)]
pub struct Group {
    id: Id,
    lines: Vec<usize>,
    events: Vec<TicketEvent>,
}

impl Group {
    /// An empty group for ticket `id`, reusing a spare one's buffers.
    fn new(spare: &mut Vec<Group>, id: &str) -> Group {
        match spare.pop() {
            Some(mut group) => {
                group.id = Id::new(id);
                group
            }
            None => Group {
                id: Id::new(id),
                lines: Vec::new(),
                events: Vec::new(),
            },
        }
    }
}

/// Pass 2: parse, buffer per ticket, and hand each ticket to `each` as soon
/// as its last line is read.
fn replay(
    name: &str,
    file: &File,
    csv: bool,
    index: &ById<u64>,
    mut each: impl FnMut(&Group) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    // Tickets in progress, by hash, with their last line from the index
    // (looked up once per ticket, not per event: in a time-sorted file each
    // look-up in the 1M-ticket index is a cache miss). More than one ticket
    // under a hash only if two ids collide; they share the index entry.
    let mut open: ById<Open> = ById::default();
    let mut spare: Vec<Group> = Vec::new();
    let mut done: Vec<Group> = Vec::new();
    let mut lines = Lines::new(BufReader::with_capacity(1 << 16, file), csv);
    let mut columns: Option<CsvColumns> = None;
    while let Some((line, text)) = lines
        .next()
        .with_context(|| format!("cannot read events `{name}`"))?
    {
        let event = if csv {
            let record = csv_record(line, text, name)?;
            let Some(columns) = &columns else {
                columns =
                    Some(CsvColumns::from_header(&record).map_err(|e| anyhow!("{name}: {e}"))?);
                continue;
            };
            match columns
                .event(line, record)
                .map_err(|e| anyhow!("{name}: {e}"))?
            {
                Some(event) => event,
                None => continue,
            }
        } else {
            if is_blank(text) {
                continue;
            }
            TicketEvent::from_json_line(text).map_err(|e| anyhow!("{name}: line {line}: {e}"))?
        };
        let hash = ticket_hash(&event.ticket);
        let entry = match open.entry(hash) {
            Entry::Occupied(entry) => entry.into_mut(),
            Entry::Vacant(entry) => match index.get(&hash) {
                Some(&last) => entry.insert(Open {
                    last,
                    first: Group::new(&mut spare, &event.ticket),
                    more: Vec::new(),
                }),
                None => bail!(
                    "{name}: line {line}: internal error: the first pass missed this event of ticket `{}`",
                    event.ticket
                ),
            },
        };
        // The same check as looking the index up for every event: an open
        // hash holds its index entry's last line.
        let last = entry.last;
        if line as u64 > last {
            bail!(
                "{name}: line {line}: internal error: the first pass missed this event of ticket `{}`",
                event.ticket
            );
        }
        let group = if entry.first.id.is(&event.ticket) {
            &mut entry.first
        } else {
            let more = &mut entry.more;
            match more.iter().position(|g| g.id.is(&event.ticket)) {
                Some(i) => &mut more[i],
                None => {
                    more.push(Group::new(&mut spare, &event.ticket));
                    let n = more.len() - 1;
                    &mut more[n]
                }
            }
        };
        group.lines.push(line);
        group.events.push(event);
        if line as u64 == last
            && let Some(Open { first, more, .. }) = open.remove(&hash)
        {
            done.push(first);
            done.extend(more);
            done.sort_by(|a, b| ticket_of(a).cmp(ticket_of(b)));
            for mut group in done.drain(..) {
                each(&group)?;
                group.lines.clear();
                group.events.clear();
                spare.push(group);
            }
        }
    }
    // Only reachable if a ticket's last line was misread; still printed.
    let mut rest: Vec<Group> = open
        .into_values()
        .flat_map(|o| std::iter::once(o.first).chain(o.more))
        .collect();
    rest.sort_by(|a, b| ticket_of(a).cmp(ticket_of(b)));
    for group in rest {
        each(&group)?;
    }
    Ok(())
}

/// The tickets in progress under one hash: their index entry's last line,
/// and the tickets, the first inline (the others only if ids collide), so
/// that finding an event's ticket follows no pointer.
#[derive(Debug)]
struct Open {
    last: u64,
    first: Group,
    more: Vec<Group>,
}

/// A ticket id, inline when short (as ids are).
#[derive(Debug)]
enum Id {
    Short(u8, [u8; Id::SHORT]),
    Long(Box<str>),
}

impl Id {
    const SHORT: usize = 30;

    fn new(id: &str) -> Id {
        if id.len() <= Id::SHORT {
            let mut bytes = [0; Id::SHORT];
            bytes[..id.len()].copy_from_slice(id.as_bytes());
            Id::Short(id.len() as u8, bytes)
        } else {
            Id::Long(id.into())
        }
    }

    fn as_str(&self) -> &str {
        match self {
            // Copied whole from a `str` in `new`.
            Id::Short(len, bytes) => std::str::from_utf8(&bytes[..usize::from(*len)]).unwrap_or(""),
            Id::Long(id) => id,
        }
    }

    fn is(&self, id: &str) -> bool {
        match self {
            Id::Short(len, bytes) => bytes[..usize::from(*len)] == *id.as_bytes(),
            Id::Long(long) => **long == *id,
        }
    }
}

fn ticket_of(group: &Group) -> &str {
    group.id.as_str()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_lines_are_the_lines_trim_empties() {
        for line in [
            "",
            " ",
            "\t",
            "\u{a0}",
            "\u{2028} ",
            "{}",
            "x",
            " {",
            "\u{a0}x",
            "~",
            "é",
        ] {
            assert_eq!(is_blank(line), line.trim().is_empty(), "{line:?}");
        }
    }
}
