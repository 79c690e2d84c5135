//! `ioclens extract [FILE|-]`
//!
//! The first bytes decide what the input is (`ioclens_documents::sniff`, content only, never the file name): a
//! PDF, DOCX or e-mail is read whole (up to `MAX_DOCUMENT`) by `ioclens_documents` and its mentions name their part
//! (the `part` column of `--format csv`, empty for text; the `part` field of `jsonl`/`json`); binary content
//! that is none of those is refused (exit 1) instead of being scanned for random "domains"; text and HTML
//! stream as below.
//!
//! The input streams through in chunks of at least `CHUNK` bytes, each cut just after its last *hard separator*
//! (`ioclens_core::extract::stream_cut`: line breaks, tab, `" , < > | ^` and the backtick), which no indicator,
//! defang marker or entity contains and no look-around reads past, so the chunks' extractions are exactly the
//! whole input's. A chunk without one grows (up to `MAX_RUN`) until it has one; only a run longer than that with
//! no hard separator at all is cut at white space (else a character boundary). Spans are offset to positions in
//! the whole input; mentions are de-duplicated across chunks. `jsonl` and `csv` print each chunk's mentions as they
//! come; `json`, `tsv` and `table` print when the input ends (memory grows with the number of distinct
//! indicators, not with the input).
use crate::output::{self, Format, Rows};
use anyhow::{Context, Result};
use ioclens_core::extract::{Extracted, Extraction, UniqueIoc};
use ioclens_core::{IocKind, IpScope};
use ioclens_documents::Format as DocFormat;
use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Chunk size for streaming. Large enough that per-chunk overhead is noise, small enough to bound memory.
const CHUNK: usize = 8 << 20;
/// Longest run a chunk grows to while looking for a hard separator (a base64 blob, a huge single word).
const MAX_RUN: usize = 64 << 20;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// File to read; `-` or nothing reads stdin.
    file: Option<PathBuf>,
    /// Output format (default: table on a terminal, jsonl otherwise). `tsv` prints `type<TAB>canonical`, one
    /// line per distinct indicator.
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Print hunting queries for the extracted (non-implied) indicators, batched per type, instead of the list
    /// (`--format json` prints the hunt document).
    #[arg(long)]
    hunt: bool,
    /// With `--hunt`: keep values whose verdict is benign or reserved (popular domains, public resolvers,
    /// private addresses). By default they are left out and listed in the query notes as dropped.
    #[arg(long, requires = "hunt")]
    keep_benign: bool,
    #[command(flatten)]
    hunt_opts: crate::cmd::hunt::HuntOpts,
}

/// Largest document (PDF, DOCX, e-mail) read whole; text streams without a bound.
const MAX_DOCUMENT: u64 = 256 << 20;

// The root clippy.toml forbids file I/O for `core`; the CLI is where I/O belongs.
#[expect(clippy::disallowed_methods, reason = "the CLI reads files; the I/O ban is for core")]
pub(crate) fn run(args: &Args) -> Result<ExitCode> {
    // The queries print ready to paste unless a format is asked for.
    let format =
        if args.hunt { args.format.unwrap_or(Format::Table) } else { Format::resolve(args.format) };
    if args.hunt {
        args.hunt_opts.check()?;
        crate::cmd::hunt::check_format(format)?;
    } else if let Some(flag) = args.hunt_opts.given().first() {
        return Err(output::usage(format!(
            "{flag} only applies to the queries of --hunt; add --hunt or leave {flag} out"
        )));
    }
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let (name, mut input, size): (String, Box<dyn Read>, Option<u64>) = match &args.file {
        Some(p) if p.as_os_str() != "-" => {
            let file =
                std::fs::File::open(p).with_context(|| format!("cannot read {}", p.display()))?;
            let size = file.metadata().ok().filter(std::fs::Metadata::is_file).map(|m| m.len());
            (p.display().to_string(), Box::new(file), size)
        }
        _ => ("stdin".to_owned(), Box::new(io::stdin().lock()), output::stdin_size()),
    };
    // The format comes from the content: the first bytes decide between streaming text (and HTML, which the
    // extractor reads as markup) and reading a document whole.
    let mut head = Vec::with_capacity(ioclens_documents::SNIFF_LEN);
    (&mut input)
        .take(ioclens_documents::SNIFF_LEN as u64)
        .read_to_end(&mut head)
        .with_context(|| format!("cannot read {name}"))?;
    match ioclens_documents::sniff(&head) {
        DocFormat::Text | DocFormat::Html => {}
        DocFormat::Binary => {
            writeln!(
                io::stderr(),
                "ioclens: {name}: binary content that is not a PDF, DOCX, HTML or e-mail; extract reads text and \
                 those documents only"
            )?;
            return Ok(ExitCode::from(1));
        }
        _ => {
            let mut bytes = head;
            input
                .take(MAX_DOCUMENT + 1)
                .read_to_end(&mut bytes)
                .with_context(|| format!("cannot read {name}"))?;
            anyhow::ensure!(
                bytes.len() as u64 <= MAX_DOCUMENT,
                "{name}: a document larger than {} MiB is not read",
                MAX_DOCUMENT >> 20
            );
            let doc = ioclens_documents::extract(&bytes);
            return document(args, format, &name, &doc, &mut out);
        }
    }
    // With --hunt nothing is printed per chunk (tsv only prints at the end), the unique list feeds the hunt.
    let mut sink = Sink::new(if args.hunt { Format::Tsv } else { format });
    // A large file shows progress on a terminal (distinct indicators so far, rate, ETA).
    let mut progress = output::Progress::new(true, "indicators");
    stream(io::Cursor::new(head).chain(input), CHUNK, &mut |base, text| {
        sink.chunk(&mut out, base, text)?;
        progress.tick(sink.unique.len() as u64, (base + text.len()) as u64, size);
        Ok(())
    })
    .with_context(|| format!("cannot read {name}"))?;
    progress.finish();
    if args.hunt {
        let values = sink.unique.iter().filter(|u| !u.implied).map(|u| (u.kind, &u.canonical));
        return hunt(args, format, values, &mut out);
    }
    sink.finish(&mut out)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// `--hunt`: queries for the given (non-implied) indicators.
fn hunt<'a>(
    args: &Args,
    format: Format,
    values: impl Iterator<Item = (IocKind, &'a String)>,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let inputs: Vec<ioclens_core::query::HuntInput> =
        values.map(|(kind, v)| ioclens_core::query::HuntInput::new(kind, v.clone())).collect();
    let (inputs, dropped) = if args.keep_benign {
        (inputs, Vec::new())
    } else {
        ioclens_core::lookup::hunt_worthy(&inputs)
    };
    let code =
        crate::cmd::hunt::hunt_and_print(&inputs, &args.hunt_opts, format, &dropped, out, true)?;
    out.flush()?;
    Ok(ExitCode::from(code))
}

/// Prints a document's extraction. Mentions carry their part (`page 2`, `header:From`, `attachment x.pdf`);
/// why something was not read goes to stderr, and a document of which nothing could be read exits 1.
fn document(
    args: &Args,
    format: Format,
    name: &str,
    doc: &ioclens_documents::DocumentExtraction,
    out: &mut impl Write,
) -> Result<ExitCode> {
    for d in &doc.diagnostics {
        if d.code.is_document() {
            writeln!(io::stderr(), "ioclens: {name}: {} ({})", d.message, d.code)?;
        }
    }
    if args.hunt {
        let values = doc.unique.iter().filter(|u| !u.implied).map(|u| (u.kind, &u.canonical));
        return hunt(args, format, values, out);
    }
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, doc)?;
            writeln!(out)?;
        }
        Format::Jsonl => {
            for m in &doc.iocs {
                serde_json::to_writer(&mut *out, m)?;
                writeln!(out)?;
            }
        }
        Format::Csv => {
            let mut rows = Rows::new(format, COLUMNS);
            rows.start(out)?;
            for m in &doc.iocs {
                mention_row(&mut rows, out, &m.ioc, &m.part)?;
            }
        }
        Format::Tsv => {
            let mut rows = Rows::new(format, COLUMNS).tsv_without_header();
            for u in &doc.unique {
                rows.write(out, &[u.kind.as_str(), &u.canonical])?;
            }
        }
        Format::Table => {
            let rows: Vec<Vec<String>> = doc
                .unique
                .iter()
                .map(|u| {
                    let mut parts = u.parts.iter().take(3).cloned().collect::<Vec<_>>().join(", ");
                    if u.parts.len() > 3 {
                        parts = format!("{parts} (+{})", u.parts.len() - 3);
                    }
                    if u.implied {
                        parts.push_str(" [implied]");
                    }
                    vec![u.kind.to_string(), u.canonical.clone(), u.count.to_string(), parts]
                })
                .collect();
            output::table(out, &["TYPE", "CANONICAL", "COUNT", "PARTS"], &rows)?;
        }
    }
    out.flush()?;
    Ok(if doc.parts.is_empty() { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// `--format csv` columns, one row per mention, the same for text and documents (`part` is empty for text;
/// `start`/`end` are empty for an attachment's computed digests; `scope` is the IP special-purpose class).
const COLUMNS: &[&str] =
    &["type", "canonical", "part", "start", "end", "defanged", "implied", "scope", "port"];

/// The one CSV row builder of a mention (text and documents alike).
fn mention_row(rows: &mut Rows, out: &mut dyn Write, m: &Extracted, part: &str) -> io::Result<()> {
    let (start, end) = if m.span.is_empty() {
        (String::new(), String::new())
    } else {
        (m.span.start.to_string(), m.span.end.to_string())
    };
    let port = m.port.map(|p| p.to_string()).unwrap_or_default();
    rows.write(
        out,
        &[
            m.kind.as_str(),
            &m.canonical,
            part,
            &start,
            &end,
            if m.defanged { "true" } else { "false" },
            if m.implied { "true" } else { "false" },
            &scope_name(m.scope),
            &port,
        ],
    )
}

/// The wire name of an IP scope (`private`, `global` …), empty for none.
fn scope_name(scope: Option<IpScope>) -> String {
    scope
        .and_then(|s| serde_json::to_value(s).ok())
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Reads `input` in chunks of at least `chunk` bytes, each cut after its last hard separator, and calls
/// `each(offset, text)`. Invalid UTF-8 is replaced (U+FFFD); spans after such bytes are then offsets into the
/// repaired text (the replacement is the same chunked or whole: separators are ASCII).
pub(crate) fn stream(
    mut input: impl Read,
    chunk: usize,
    each: &mut dyn FnMut(usize, &str) -> Result<()>,
) -> Result<()> {
    let chunk = chunk.max(1);
    let mut buf: Vec<u8> = Vec::with_capacity(chunk + 4096);
    let mut base = 0usize;
    let mut eof = false;
    let mut want = chunk;
    while !eof || !buf.is_empty() {
        while !eof && buf.len() < want {
            let old = buf.len();
            buf.resize(want.max(old + 4096), 0);
            let n = loop {
                match input.read(&mut buf[old..]) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e.into()),
                }
            };
            buf.truncate(old + n);
            eof = n == 0;
        }
        let cut = if eof {
            buf.len()
        } else if let Some(c) = ioclens_core::extract::stream_cut(&buf) {
            c
        } else if buf.len() < MAX_RUN.max(chunk) {
            // No hard separator yet: read on rather than cut a token.
            want = buf.len() + chunk;
            continue;
        } else {
            cut_point(&buf)
        };
        want = chunk;
        let text = String::from_utf8_lossy(&buf[..cut]);
        each(base, &text)?;
        base += text.len();
        buf.drain(..cut);
    }
    Ok(())
}

/// Where to cut a run of `MAX_RUN` bytes without a hard separator: after the last ASCII white space, else at
/// the last character boundary.
fn cut_point(buf: &[u8]) -> usize {
    if let Some(i) = buf.iter().rposition(u8::is_ascii_whitespace) {
        return i + 1;
    }
    // Start of the last character: cut before it unless it is complete.
    let Some(mut j) = buf.len().checked_sub(1) else { return 0 };
    while j > 0 && buf.len() - j < 4 && (buf[j] & 0xC0) == 0x80 {
        j -= 1;
    }
    let need = match buf[j] {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    };
    if j + need <= buf.len() || j == 0 { buf.len() } else { j }
}

/// Collects chunk results and prints them in the chosen format.
struct Sink {
    format: Format,
    index: HashMap<(IocKind, String), usize>,
    unique: Vec<UniqueIoc>,
    /// IP scope of each distinct indicator (for the table's NOTE column).
    scopes: Vec<Option<IpScope>>,
    /// Ports an address was written with (`ip:port`, `[v6]:port`), per distinct indicator, in order of mention.
    ports: Vec<Vec<u16>>,
    iocs: Vec<Extracted>,
    rows: Rows,
}

impl Sink {
    fn new(format: Format) -> Sink {
        Sink {
            format,
            index: HashMap::new(),
            unique: Vec::new(),
            scopes: Vec::new(),
            ports: Vec::new(),
            iocs: Vec::new(),
            rows: Rows::new(format, COLUMNS),
        }
    }

    fn chunk(&mut self, out: &mut impl Write, base: usize, text: &str) -> Result<()> {
        let ex = ioclens_core::extract(text);
        for mut ioc in ex.iocs {
            ioc.span.start += base;
            ioc.span.end += base;
            self.note(&ioc);
            match self.format {
                Format::Jsonl => {
                    serde_json::to_writer(&mut *out, &ioc)?;
                    writeln!(out)?;
                }
                Format::Csv => mention_row(&mut self.rows, out, &ioc, "")?,
                Format::Json => self.iocs.push(ioc),
                Format::Tsv | Format::Table => {}
            }
        }
        Ok(())
    }

    fn note(&mut self, ioc: &Extracted) {
        let key = (ioc.kind, ioc.canonical.clone());
        let k = if let Some(&k) = self.index.get(&key) {
            let u = &mut self.unique[k];
            u.count += 1;
            u.implied &= ioc.implied;
            k
        } else {
            let k = self.unique.len();
            self.index.insert(key, k);
            self.scopes.push(ioc.scope);
            self.ports.push(Vec::new());
            self.unique.push(UniqueIoc {
                kind: ioc.kind,
                canonical: ioc.canonical.clone(),
                count: 1,
                first: ioc.span,
                implied: ioc.implied,
            });
            k
        };
        if let Some(p) = ioc.port
            && let Some(ports) = self.ports.get_mut(k)
            && !ports.contains(&p)
        {
            ports.push(p);
        }
    }

    fn finish(self, out: &mut impl Write) -> Result<()> {
        match self.format {
            Format::Json => {
                let ex =
                    Extraction { iocs: self.iocs, unique: self.unique, ..Extraction::default() };
                serde_json::to_writer_pretty(&mut *out, &ex)?;
                writeln!(out)?;
            }
            Format::Tsv => {
                let mut rows = Rows::new(Format::Tsv, COLUMNS).tsv_without_header();
                for u in &self.unique {
                    rows.write(out, &[u.kind.as_str(), &u.canonical])?;
                }
            }
            Format::Table => {
                let rows: Vec<Vec<String>> = self
                    .unique
                    .iter()
                    .zip(&self.scopes)
                    .zip(&self.ports)
                    .map(|((u, scope), ports)| {
                        let mut note: Vec<String> = Vec::new();
                        if !ports.is_empty() {
                            let list: Vec<String> = ports.iter().map(u16::to_string).collect();
                            let word = if ports.len() == 1 { "port" } else { "ports" };
                            note.push(format!("{word} {}", list.join(" ")));
                        }
                        if u.implied {
                            note.push("implied".into());
                        }
                        if let Some(scope) = scope.filter(|s| *s != IpScope::Global) {
                            note.push(scope_name(Some(scope)));
                        }
                        vec![
                            u.kind.to_string(),
                            u.canonical.clone(),
                            u.count.to_string(),
                            note.join(", "),
                        ]
                    })
                    .collect();
                output::table(out, &["TYPE", "CANONICAL", "COUNT", "NOTE"], &rows)?;
            }
            Format::Csv => {
                let mut rows = self.rows;
                rows.start(out)?;
            }
            Format::Jsonl => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{Sink, stream};
    use crate::output::Format;

    /// Runs the streaming path with a tiny chunk size and returns what it prints.
    fn streamed(input: &str, chunk: usize, format: Format) -> String {
        let mut out = Vec::new();
        let mut sink = Sink::new(format);
        stream(input.as_bytes(), chunk, &mut |base, text| sink.chunk(&mut out, base, text))
            .unwrap_or_default();
        sink.finish(&mut out).unwrap_or_default();
        String::from_utf8(out).unwrap_or_default()
    }

    #[test]
    fn chunked_equals_whole() {
        let line = "C2 hxxps://evil[.]com/gate.php and 45.77.12[.]9, mail admin[at]kalo[.]top, T1059.001\n\
                    repeat evil[.]com 2001:db8::1 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n";
        let input = line.repeat(20);
        let whole = ioclens_core::extract(&input);
        // jsonl: every mention, with spans into the whole input.
        let expected: String = whole
            .iocs
            .iter()
            .map(|i| serde_json::to_string(i).unwrap_or_default() + "\n")
            .collect();
        for chunk in [64, 100, 333, 1 << 20] {
            assert_eq!(streamed(&input, chunk, Format::Jsonl), expected, "chunk {chunk}");
        }
        // tsv: one line per distinct indicator, de-duplicated across chunks.
        let tsv: String = whole.unique.iter().fold(String::new(), |mut acc, u| {
            acc.push_str(u.kind.as_str());
            acc.push('\t');
            acc.push_str(&u.canonical);
            acc.push('\n');
            acc
        });
        assert_eq!(streamed(&input, 64, Format::Tsv), tsv);
    }

    #[test]
    fn the_table_notes_the_ports_an_address_was_written_with() {
        let input = "C2 45.77.12.9:443 and 45.77.12.9:8080, again 45.77.12.9:443; [2001:db8::1]:853, 8.8.8.8\n";
        let table = streamed(input, 1 << 20, Format::Table);
        let line = |needle: &str| {
            table.lines().find(|l| l.contains(needle)).unwrap_or_default().to_owned()
        };
        assert!(line("45.77.12.9").contains("ports 443 8080"), "{table}");
        assert!(line("2001:db8::1").contains("port 853"), "{table}");
        assert!(!line("8.8.8.8").contains("port"), "{table}");
    }

    fn chunks(input: &str, size: usize) -> Vec<(usize, String)> {
        let mut got = Vec::new();
        stream(input.as_bytes(), size, &mut |base, text| {
            got.push((base, text.to_owned()));
            Ok(())
        })
        .unwrap_or_default();
        got
    }

    #[test]
    fn cuts_at_line_breaks_and_keeps_offsets() {
        let input = "aaa evil.com\nbbb 1.2.3.4\nccc\n";
        let got = chunks(input, 16);
        let joined: String = got.iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(joined, input);
        for (base, text) in &got {
            assert_eq!(&input[*base..*base + text.len()], text);
            assert!(text.ends_with('\n') || base + text.len() == input.len());
        }
    }

    #[test]
    fn a_run_without_separators_grows_the_chunk_instead_of_being_cut() {
        let input = "x".repeat(10) + " " + &"é".repeat(40) + ",tail";
        let got = chunks(&input, 16);
        assert_eq!(
            got,
            vec![(0, "x".repeat(10) + " " + &"é".repeat(40) + ","), (92, "tail".to_owned())]
        );
    }

    #[test]
    fn runs_past_the_cap_are_cut_at_space_or_char_boundary() {
        let input = "x".repeat(10) + " " + &"é".repeat(40);
        assert_eq!(super::cut_point(input.as_bytes()), 11);
        let no_space = "é".repeat(40);
        let cut = super::cut_point(&no_space.as_bytes()[..15]);
        assert!(no_space.is_char_boundary(cut) && cut == 14);
    }

    /// The probe's failure: a minified feed (no line break anywhere) streamed in small chunks prints exactly
    /// what the whole does, for random chunk sizes and random line-free texts.
    #[test]
    fn minified_input_streams_exactly() {
        use proptest::prelude::*;
        use std::fmt::Write as _;
        // A minified MISP event: attributes back to back, no line break.
        let bundle = (0..300).fold(String::from("{\"Event\":{\"Attribute\":["), |mut b, i| {
            let _ = write!(
                b,
                "{{\"type\":\"ip-dst\",\"value\":\"67.38.21.{}\"}},{{\"type\":\"hostname\",\"value\":\"host{i:06}.badsite823.com\"}},",
                i % 256
            );
            b
        }) + "]}}";
        let whole = |t: &str| -> String {
            ioclens_core::extract(t)
                .iocs
                .iter()
                .map(|i| serde_json::to_string(i).unwrap_or_default() + "\n")
                .collect()
        };
        let expected = whole(&bundle);
        assert_eq!(expected.lines().filter(|l| !l.contains("\"implied\":true")).count(), 600);
        for size in [1, 5, 97, 1000, 1 << 20] {
            assert_eq!(streamed(&bundle, size, Format::Jsonl), expected, "chunk {size}");
        }
        let words = prop_oneof![
            Just("67.38.21.253"),
            Just("host094053.badsite823.com"),
            Just("evil[.]com"),
            Just("hxxps://a.example/x?y=1"),
            Just("a[at]b[.]co"),
            Just("2001:db8::1"),
            Just("\""),
            Just(","),
            Just(":"),
            Just(" "),
            Just("{"),
            Just("}"),
            Just("|"),
            Just("x"),
            Just("."),
            Just("d41d8cd98f00b204e9800998ecf8427e"),
        ];
        let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(300));
        runner
            .run(&(proptest::collection::vec(words, 0..120), 1usize..200), |(parts, size)| {
                let text = parts.concat();
                prop_assert_eq!(streamed(&text, size, Format::Jsonl), whole(&text));
                Ok(())
            })
            .unwrap();
    }
}
