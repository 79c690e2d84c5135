//! The output grammar every subcommand shares: one `--format` enum, one CSV/TSV row writer (the core's
//! `csv` module), the exit codes, the line reader behind streaming stdin, and progress on a terminal.
use clap::ValueEnum;
use std::fmt;
use std::io::{self, BufRead, IsTerminal, Read, Write};
use std::time::{Duration, Instant};

/// The exit codes, the same for the same situation in every subcommand (listed in `ioclens --help`).
pub(crate) mod exit {
    /// Every input was an indicator and everything was written.
    pub(crate) const OK: u8 = 0;
    /// Some inputs were not indicators, were refused (binary, invalid UTF-8, a forced type mismatch) or were
    /// skipped; every other input was still answered.
    pub(crate) const SKIPPED: u8 = 1;
    /// Usage: an unknown option value, conflicting or meaningless flags.
    pub(crate) const USAGE: u8 = 2;
    /// I/O or store: an unreadable file, a failed write, a store that cannot be opened.
    pub(crate) const IO: u8 = 3;
}

/// The text `ioclens --help` ends with.
pub(crate) const EXIT_HELP: &str = "\
Exit codes (every subcommand):
  0  ok
  1  some inputs were not indicators, were refused (binary, invalid UTF-8) or were skipped;
     the others were still answered
  2  usage: unknown or conflicting options
  3  I/O or store error (a closed output pipe is not an error)

Formats: --format table|json|jsonl|csv|tsv (docs/cli.md lists the columns of each subcommand).";

/// An error that ends the command with its own exit code (usage → 2, refused input → 1).
#[derive(Debug)]
pub(crate) struct Exit {
    pub(crate) code: u8,
    pub(crate) message: String,
}

impl fmt::Display for Exit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Exit {}

/// A usage error (exit 2).
pub(crate) fn usage(message: impl Into<String>) -> anyhow::Error {
    Exit { code: exit::USAGE, message: message.into() }.into()
}

/// Input refused as a whole (exit 1), e.g. binary content on stdin.
pub(crate) fn refused(message: impl Into<String>) -> anyhow::Error {
    Exit { code: exit::SKIPPED, message: message.into() }.into()
}

/// Prints a warning on stderr (an ignored flag, a fail-open remote call).
pub(crate) fn warn(message: &str) {
    let _ = writeln!(io::stderr(), "ioclens: warning: {}", message.replace('\n', " "));
}

/// `--format`, one value enum for every subcommand (a subcommand refuses the ones that make no sense for it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// Aligned columns or cards for a terminal.
    Table,
    /// One JSON document.
    Json,
    /// One JSON object per line, written as each answer is ready.
    Jsonl,
    /// Comma-separated (RFC 4180) with a header row; formula-leading cells defused for spreadsheets.
    Csv,
    /// Tab-separated for scripts, values as they are (tabs and line breaks become spaces).
    Tsv,
}

impl Format {
    /// `table` on a terminal, `jsonl` otherwise.
    pub(crate) fn resolve(f: Option<Format>) -> Format {
        f.unwrap_or_else(|| if io::stdout().is_terminal() { Format::Table } else { Format::Jsonl })
    }
}

/// One CSV (`ioclens_core::csv::record`) or TSV (`tsv_record`) record, without the line end.
pub(crate) fn record<'a>(format: Format, cells: impl IntoIterator<Item = &'a str>) -> String {
    if format == Format::Tsv {
        ioclens_core::csv::tsv_record(cells)
    } else {
        ioclens_core::csv::record(cells)
    }
}

/// The one CSV/TSV row writer: records through `ioclens_core::csv`, the header before the first row.
pub(crate) struct Rows {
    format: Format,
    header: &'static [&'static str],
    /// Whether the header row is written (TSV of `classify`/`extract` has none: `type<TAB>canonical`).
    with_header: bool,
    started: bool,
}

impl Rows {
    pub(crate) fn new(format: Format, header: &'static [&'static str]) -> Rows {
        Rows { format, header, with_header: true, started: false }
    }

    /// No header row in TSV (the two-column script interface of `classify` and `extract`).
    pub(crate) fn tsv_without_header(mut self) -> Rows {
        self.with_header = self.format != Format::Tsv;
        self
    }

    fn line<'a>(&self, cells: impl IntoIterator<Item = &'a str>) -> String {
        record(self.format, cells)
    }

    /// Rows that continue a table whose header is already written.
    pub(crate) fn continued(mut self) -> Rows {
        self.started = true;
        self
    }

    /// Writes the header if it is not written yet (also for an empty result).
    pub(crate) fn start(&mut self, out: &mut dyn Write) -> io::Result<()> {
        if !self.started {
            self.started = true;
            if self.with_header {
                writeln!(out, "{}", self.line(self.header.iter().copied()))?;
            }
        }
        Ok(())
    }

    /// Writes one record (its cells in header order).
    pub(crate) fn write(&mut self, out: &mut dyn Write, cells: &[&str]) -> io::Result<()> {
        self.start(out)?;
        writeln!(out, "{}", self.line(cells.iter().copied()))
    }
}

/// One item of a streamed JSON array (`json`: `[` before the first, `,` between, pretty) or one line
/// (`jsonl`). [`json_end`] closes the array.
pub(crate) fn json_item(
    out: &mut dyn Write,
    format: Format,
    first: bool,
    v: &impl serde::Serialize,
) -> io::Result<()> {
    if format == Format::Json {
        out.write_all(if first { b"[\n" } else { b",\n" })?;
        serde_json::to_writer_pretty(&mut *out, v)?;
        Ok(())
    } else {
        serde_json::to_writer(&mut *out, v)?;
        out.write_all(b"\n")
    }
}

/// Closes a streamed JSON array of `count` items.
pub(crate) fn json_end(out: &mut dyn Write, count: u64) -> io::Result<()> {
    out.write_all(if count == 0 { b"[]\n" } else { b"\n]\n" })
}

/// Prints rows as aligned columns (no trailing spaces).
pub(crate) fn table(out: &mut impl Write, header: &[&str], rows: &[Vec<String>]) -> io::Result<()> {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |out: &mut dyn Write, cells: &mut dyn Iterator<Item = &str>| -> io::Result<()> {
        let mut s = String::new();
        for (i, (cell, w)) in cells.zip(&widths).enumerate() {
            if i > 0 {
                s.push_str("  ");
            }
            s.push_str(cell);
            s.extend(std::iter::repeat_n(' ', w.saturating_sub(cell.chars().count())));
        }
        writeln!(out, "{}", s.trim_end())
    };
    line(out, &mut header.iter().copied())?;
    for row in rows {
        line(out, &mut row.iter().map(String::as_str))?;
    }
    Ok(())
}

/// Word-wraps `text` into lines of at most `width` characters (a word longer than that keeps its own line).
pub(crate) fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    for word in text.split_whitespace() {
        if !cur.is_empty() && cur.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(word);
    }
    if !cur.is_empty() || lines.is_empty() {
        lines.push(cur);
    }
    lines
}

/// True when the error is a closed stdout pipe (`ioclens … | head`), which is not a failure.
pub(crate) fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<io::Error>().is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// Prints an error as one line on stderr.
pub(crate) fn error_line(err: &anyhow::Error) {
    let mut msg = String::from("ioclens: error: ");
    let parts: Vec<String> = err.chain().map(ToString::to_string).collect();
    msg.push_str(&parts.join(": "));
    let _ = writeln!(io::stderr(), "{}", msg.replace('\n', " "));
}

/// Longest input line read as a value; a longer line is one error record (memory stays flat).
const MAX_LINE: usize = 64 << 10;

/// One input value: an argument or a non-blank line of stdin.
pub(crate) struct Line {
    /// 1-based line number on stdin (argument position for arguments).
    pub(crate) n: usize,
    /// The value, or why the line is not one (the text then holds what was read, lossily decoded).
    pub(crate) value: Result<String, Bad>,
}

/// A line that cannot be a value: reported as a per-line error record, never the end of the batch.
#[derive(Debug, Clone)]
pub(crate) struct Bad {
    pub(crate) text: String,
    pub(crate) why: String,
}

impl Bad {
    /// Reports the line on stderr and returns its JSON error record (`{"line", "input", "error"}`), the same in
    /// every subcommand's `json`/`jsonl`.
    pub(crate) fn record(&self, n: usize) -> serde_json::Value {
        let _ = writeln!(io::stderr(), "ioclens: error: line {n}: {}", self.why);
        serde_json::json!({"line": n, "input": self.text, "error": self.why})
    }
}

/// The values given as arguments, or else the non-blank lines of stdin, read one at a time.
pub(crate) struct Values<'a> {
    args: std::slice::Iter<'a, String>,
    stdin: Option<io::BufReader<io::StdinLock<'static>>>,
    n: usize,
    buf: Vec<u8>,
    /// Bytes of stdin read so far (for the progress ETA).
    pub(crate) bytes: u64,
    /// Size of stdin when it is a regular file (`< list.txt`), for the progress ETA.
    pub(crate) total: Option<u64>,
}

/// The values of `args`, or of stdin when there are none. Stdin that starts like binary content or a document
/// (PDF, DOCX, ZIP) is refused with a message naming `ioclens extract` (exit 1).
pub(crate) fn values(args: &[String]) -> anyhow::Result<Values<'_>> {
    let mut v =
        Values { args: args.iter(), stdin: None, n: 0, buf: Vec::new(), bytes: 0, total: None };
    if args.is_empty() {
        let mut reader = io::BufReader::with_capacity(64 << 10, io::stdin().lock());
        let head = reader.fill_buf()?;
        let format = ioclens_documents::sniff(head);
        if matches!(
            format,
            ioclens_documents::Format::Binary
                | ioclens_documents::Format::Pdf
                | ioclens_documents::Format::Docx
                | ioclens_documents::Format::Zip
        ) {
            return Err(refused(format!(
                "stdin is {} content, not one value per line; `ioclens extract FILE` reads documents",
                format.as_str()
            )));
        }
        v.total = stdin_size();
        v.stdin = Some(reader);
    }
    Ok(v)
}

/// The size of stdin when it is a regular file.
#[cfg(unix)]
pub(crate) fn stdin_size() -> Option<u64> {
    use std::os::fd::AsFd;
    let fd = io::stdin().as_fd().try_clone_to_owned().ok()?;
    let meta = std::fs::File::from(fd).metadata().ok()?;
    meta.is_file().then_some(meta.len())
}

#[cfg(not(unix))]
pub(crate) fn stdin_size() -> Option<u64> {
    None
}

impl Values<'_> {
    /// True when the next value needs a read from stdin that may block (time to flush the output, so each
    /// answer reaches a pipe as soon as it is ready), or when reading arguments (never).
    pub(crate) fn would_wait(&self) -> bool {
        self.stdin.as_ref().is_some_and(|r| r.buffer().is_empty())
    }

    /// True when reading stdin.
    pub(crate) fn reads_stdin(&self) -> bool {
        self.stdin.is_some()
    }

    fn read_line(&mut self) -> io::Result<Option<Line>> {
        let Some(reader) = self.stdin.as_mut() else { return Ok(None) };
        loop {
            self.buf.clear();
            let n = reader.by_ref().take(MAX_LINE as u64 + 1).read_until(b'\n', &mut self.buf)?;
            if n == 0 {
                return Ok(None);
            }
            self.bytes += n as u64;
            self.n += 1;
            let mut too_long = false;
            if self.buf.last() != Some(&b'\n') && self.buf.len() > MAX_LINE {
                // Skip the rest of the line without keeping it.
                too_long = true;
                loop {
                    let chunk = reader.fill_buf()?;
                    if chunk.is_empty() {
                        break;
                    }
                    let (used, done) = match chunk.iter().position(|b| *b == b'\n') {
                        Some(i) => (i + 1, true),
                        None => (chunk.len(), false),
                    };
                    reader.consume(used);
                    self.bytes += used as u64;
                    if done {
                        break;
                    }
                }
            }
            while matches!(self.buf.last(), Some(b'\n' | b'\r')) {
                self.buf.pop();
            }
            if self.buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let value = if too_long {
                let text: String =
                    String::from_utf8_lossy(&self.buf).chars().take(60).collect::<String>() + "…";
                Err(Bad { text, why: format!("line longer than {} KiB", MAX_LINE >> 10) })
            } else {
                match std::str::from_utf8(&self.buf) {
                    Ok(s) if s.contains('\0') => Err(Bad {
                        text: s.replace('\0', "\u{FFFD}"),
                        why: "NUL byte (binary content)".to_owned(),
                    }),
                    Ok(s) => Ok(s.to_owned()),
                    Err(e) => Err(Bad {
                        text: String::from_utf8_lossy(&self.buf).into_owned(),
                        why: format!("invalid UTF-8 at byte {}", e.valid_up_to()),
                    }),
                }
            };
            return Ok(Some(Line { n: self.n, value }));
        }
    }
}

impl Iterator for Values<'_> {
    type Item = io::Result<Line>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(a) = self.args.next() {
            self.n += 1;
            return Some(Ok(Line { n: self.n, value: Ok(a.clone()) }));
        }
        self.read_line().transpose()
    }
}

/// Count, rate and ETA of a long batch on stderr, only when stderr is a terminal (never mixed into stdout).
pub(crate) struct Progress {
    on: bool,
    /// What is counted (`values`, `indicators`).
    unit: &'static str,
    start: Instant,
    last: Instant,
    shown: bool,
}

impl Progress {
    #[expect(
        clippy::disallowed_methods,
        reason = "the CLI is the host: it reads the clock for progress"
    )]
    pub(crate) fn new(enabled: bool, unit: &'static str) -> Progress {
        let now = Instant::now();
        Progress {
            on: enabled && io::stderr().is_terminal(),
            unit,
            start: now,
            last: now,
            shown: false,
        }
    }

    /// Called after each answer (or chunk): prints at most twice a second, after the first second.
    #[expect(
        clippy::disallowed_methods,
        reason = "the CLI is the host: it reads the clock for progress"
    )]
    pub(crate) fn tick(&mut self, count: u64, bytes: u64, total: Option<u64>) {
        if !self.on {
            return;
        }
        let now = Instant::now();
        if now.duration_since(self.start) < Duration::from_secs(1)
            || now.duration_since(self.last) < Duration::from_millis(500)
        {
            return;
        }
        self.last = now;
        let secs = now.duration_since(self.start).as_secs_f64();
        #[expect(clippy::cast_precision_loss, reason = "a display figure")]
        let rate = count as f64 / secs;
        let eta = match total {
            #[expect(clippy::cast_precision_loss, reason = "a display figure")]
            Some(t) if bytes > 0 && t >= bytes => {
                let left = secs * (t - bytes) as f64 / bytes as f64;
                format!("  ETA {}", hms(left))
            }
            _ => String::new(),
        };
        let _ = write!(io::stderr(), "\r\x1b[K{count} {}  {rate:.0}/s{eta}", self.unit);
        self.shown = true;
    }

    /// Clears the progress line.
    pub(crate) fn finish(&mut self) {
        if self.shown {
            let _ = write!(io::stderr(), "\r\x1b[K");
            self.shown = false;
        }
    }
}

#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "a display figure, clamped"
)]
fn hms(secs: f64) -> String {
    let s = secs.clamp(0.0, 359_999.0) as u64;
    format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

#[cfg(test)]
mod tests {
    use super::{table, wrap};

    #[test]
    fn wraps_words_and_tables_have_no_trailing_spaces() {
        assert_eq!(wrap("a bb ccc dddd", 6), vec!["a bb", "ccc", "dddd"]);
        assert_eq!(wrap("", 6), vec![""]);
        let mut out = Vec::new();
        let rows =
            vec![vec!["x".to_owned(), String::new()], vec!["yyyy".to_owned(), "z".to_owned()]];
        table(&mut out, &["A", "B"], &rows).unwrap_or_default();
        let text = String::from_utf8(out).unwrap_or_default();
        assert_eq!(text, "A     B\nx\nyyyy  z\n");
    }
}
