//! `ioclens lookup VALUE… [--format table|json|jsonl|csv|tsv] [--remote URL] [--lookback 7d]`: the enrichment
//! package, one answer per value, in input order.
//!
//! Stdin is read one line at a time and each answer is written (and flushed when the next line is not there
//! yet) before the next line is read, so memory stays flat however long the list and a pipe sees each answer as
//! soon as it is ready. A line that is no value (invalid UTF-8, a NUL byte, longer than 64 KiB) is an error
//! record in the output and a line on stderr, never the end of the batch; it, any value that is not an
//! indicator and any value that is not of the forced `--type` make the exit code 1.
//!
//! With `--remote URL` the CLI is the host of the sans-I/O remote scorer: the core builds the request, the
//! CLI sends it (key from `IOCLENS_API_KEY`, as `Authorization: Bearer`), and the core merges the answer.
//! Any failure is fail-open: the local result stands and `remote_status` says why.
use crate::output::{self, Bad, Format, Line, Progress, Rows, Values};
use anyhow::{Context, Result};
use ioclens_core::score::{RemoteScore, RemoteStatus};
use ioclens_core::{IocKind, LookupOptions, LookupResponse};
use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, mpsc};
use std::time::Duration;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Values to look up; reads one per line from stdin when none are given, answering each line as it comes.
    values: Vec<String>,
    /// Force a type (a mismatch is reported as a diagnostic).
    #[arg(long = "type", value_name = "TYPE")]
    kind: Option<String>,
    /// Output format (default: table on a terminal, jsonl otherwise); csv/tsv columns in docs/cli.md.
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Remote scorer base URL (`GET {URL}/api/v1/lookup`); the key comes from `IOCLENS_API_KEY`.
    #[arg(long, value_name = "URL")]
    remote: Option<String>,
    /// Enrichment providers, comma-separated (`virustotal,abuseipdb,otx,greynoise,internetdb,threatfox,urlhaus,
    /// malwarebazaar,ioclens`, or `all`); keys from `IOCLENS_<ID>_KEY`, a config file or msticpyconfig.yaml
    /// (docs/providers.md).
    #[arg(long, value_name = "LIST")]
    providers: Option<String>,
    /// Remote and provider timeout in seconds (default 5).
    #[arg(long, value_name = "SECONDS")]
    timeout: Option<u64>,
    /// Remote calls in flight at once (answers stay in input order).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
    jobs: Option<u16>,
    /// Hunting-query lookback (`30m`, `24h`, `7d`, `2w`).
    #[arg(long, value_name = "DURATION")]
    lookback: Option<String>,
    /// Evaluate decay at this time (Unix seconds) instead of now (reproducible output).
    #[arg(long, value_name = "UNIX_SECONDS")]
    now: Option<i64>,
    /// Show the hunting queries on the card (table format; the other formats carry them unless --no-queries).
    #[arg(long, conflicts_with = "no_queries")]
    queries: bool,
    /// Skip the hunting queries.
    #[arg(long)]
    no_queries: bool,
    /// Data directory whose newest intel pack is used (default: `IOCLENS_DATA_DIR`, else the platform data
    /// directory + `ioclens`).
    #[arg(long, value_name = "DIR")]
    data_dir: Option<std::path::PathBuf>,
    /// Use the embedded intel only, not the data directory's pack.
    #[arg(long, conflicts_with = "data_dir")]
    no_pack: bool,
}

/// The columns of `--format csv|tsv`, in order (docs/cli.md).
pub(crate) const COLUMNS: &[&str] = &[
    "value",
    "type",
    "canonical",
    "score",
    "level",
    "confidence",
    "verdict",
    "top_factors",
    "techniques",
    "family",
    "sources",
    "note",
];

#[expect(
    clippy::disallowed_methods,
    reason = "the CLI is the host: it reads the clock and passes `now` in"
)]
fn clock() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

#[expect(
    clippy::disallowed_methods,
    reason = "the CLI is the host: it reads the API key from the environment"
)]
fn api_key() -> Option<String> {
    std::env::var("IOCLENS_API_KEY").ok().filter(|k| !k.trim().is_empty())
}

/// The remote scorer's answer for one value: the core builds the request and reads the outcome
/// (`ioclens_core::remote_score`), the one HTTP seam (`ioclens_server::fetch`, shared with `--providers`)
/// carries it with the key; every failure becomes a status (fail-open).
fn remote_score(remote: &Remote, resp: &LookupResponse) -> RemoteScore {
    let Some(key) = &remote.key else {
        return RemoteScore::failed(RemoteStatus::Disabled, "IOCLENS_API_KEY is not set");
    };
    let bearer = format!("Bearer {key}");
    ioclens_core::remote_score(&remote.base, resp, |req, url| {
        let sent = ioclens_server::fetch::HttpRequest {
            method: &req.method,
            url,
            headers: &req.headers,
            body: None,
            secret: Some(("Authorization", &bearer)),
            timeout: remote.timeout,
        };
        ioclens_server::fetch::Fetch::fetch(&ioclens_server::fetch::Ureq, &sent)
            .map(|r| (r.status, r.body))
            .map_err(|e| e.text())
    })
}

/// The remote scorer: its base URL, the key and the timeout of one call.
struct Remote {
    base: String,
    key: Option<String>,
    timeout: Duration,
}

/// Everything one value's answer needs. [`Enricher::enrich`] is the whole per-value work, so a further step
/// (another remote source) is one more call there, and the sequential and concurrent pipelines share it.
struct Enricher<'p> {
    opts: LookupOptions,
    pack: Option<ioclens_core::intel::pack::Pack<'p>>,
    now: i64,
    remote: Option<Remote>,
    /// The enrichment providers (`--providers`): settings, rate limits, breaker and cache shared by every value.
    providers: Option<crate::providers::Host<'p>>,
}

/// One answer, in input order: a lookup package or a line that was not a value.
enum Answer {
    Package(Box<LookupResponse>),
    Bad(usize, Bad),
}

impl Enricher<'_> {
    /// The enrichment package of one value: the core's lookup, then the remote scorer and the providers
    /// (fail-open).
    fn enrich(&self, value: &str) -> LookupResponse {
        let mut r = ioclens_core::lookup_with(value, &self.opts, self.pack.as_ref(), self.now);
        if let Some(remote) = &self.remote {
            let answer = remote_score(remote, &r);
            if answer.status != RemoteStatus::Ok
                && let Some(m) = &answer.message
            {
                output::warn(&format!("remote scorer {}: {m}", status_name(answer.status)));
            }
            ioclens_core::apply_remote(&mut r, &answer);
        }
        if let Some(host) = &self.providers {
            for note in host.enrich(std::slice::from_mut(&mut r)) {
                output::warn(&note);
            }
        }
        r
    }

    fn answer(&self, line: Line) -> Answer {
        match line.value {
            Ok(v) => Answer::Package(Box::new(self.enrich(&v))),
            Err(bad) => Answer::Bad(line.n, bad),
        }
    }
}

pub(crate) fn run(args: &Args) -> Result<ExitCode> {
    let kind = match &args.kind {
        None => None,
        Some(k) => match IocKind::parse(k) {
            Some(k) => Some(k),
            None => {
                return Err(output::usage(format!(
                    "unknown type `{k}` (try ipv4, domain, url, md5 …)"
                )));
            }
        },
    };
    let format = Format::resolve(args.format);
    if args.remote.is_none()
        && args.providers.is_none()
        && (args.timeout.is_some() || args.jobs.is_some())
    {
        output::warn("--timeout and --jobs only apply with --remote or --providers; ignored");
    }
    if args.no_queries && args.lookback.is_some() {
        output::warn(
            "--lookback only applies to the hunting queries, which --no-queries skips; ignored",
        );
    }
    if args.queries && format != Format::Table {
        output::warn(
            "--queries only changes the table card; the other formats carry the queries anyway",
        );
    }
    // The card shows queries only on request, so it does not compute them otherwise.
    let hunting = if format == Format::Table { args.queries } else { !args.no_queries };
    let mut opts = LookupOptions { kind, hunting, ..LookupOptions::default() };
    if let Some(l) = &args.lookback {
        opts.query.lookback.clone_from(l);
    }
    let input = output::values(&args.values)?;
    let found = if args.no_pack {
        ioclens_server::intel::Found::default()
    } else {
        ioclens_server::intel::intel_dir(args.data_dir.as_deref())
            .map(|d| ioclens_server::intel::newest(&d))
            .unwrap_or_default()
    };
    for w in &found.warnings {
        output::warn(w);
    }
    let timeout = Duration::from_secs(args.timeout.unwrap_or(5));
    let remote =
        args.remote.as_ref().map(|base| Remote { base: base.clone(), key: api_key(), timeout });
    let settings = match &args.providers {
        Some(list) => {
            let ids = ioclens_core::providers::ProviderId::parse_list(list)
                .map_err(anyhow::Error::msg)?;
            Some(crate::providers::Settings::load(ids, timeout)?)
        }
        None => None,
    };
    let now = args.now.unwrap_or_else(clock);
    let providers = settings
        .as_ref()
        .map(|s| crate::providers::Host::new(s, &ioclens_server::fetch::Ureq, now));
    let enricher = Enricher {
        opts,
        pack: found.pack.as_ref().map(ioclens_core::intel::pack::LoadedPack::pack),
        now,
        remote,
        providers,
    };
    let writer = Writer::new(format, args.queries && format == Format::Table, color_wanted());
    let remote_calls = enricher.remote.is_some() || enricher.providers.is_some();
    let writer = match (remote_calls, args.jobs.unwrap_or(4)) {
        (true, jobs) if jobs > 1 => concurrent(&enricher, input, usize::from(jobs), writer)?,
        _ => sequential(&enricher, input, writer)?,
    };
    Ok(ExitCode::from(if writer.skipped > 0 { output::exit::SKIPPED } else { output::exit::OK }))
}

/// One value at a time: read, answer, write; the output is flushed whenever the next line is not read yet,
/// so each answer reaches a pipe as soon as it is ready and memory stays flat.
fn sequential(
    enricher: &Enricher<'_>,
    mut input: Values<'_>,
    mut writer: Writer,
) -> Result<Writer> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::with_capacity(64 << 10, stdout.lock());
    let mut progress = Progress::new(input.reads_stdin(), "values");
    let mut count = 0u64;
    while let Some(line) = input.next() {
        let line = line.context("cannot read stdin")?;
        writer.write(&mut out, &enricher.answer(line))?;
        count += 1;
        if input.would_wait() {
            out.flush()?;
        }
        progress.tick(count, input.bytes, input.total);
    }
    progress.finish();
    writer.finish(&mut out)?;
    out.flush()?;
    Ok(writer)
}

/// `--remote` with `jobs` calls in flight: this thread reads and hands each line to a worker; the writer
/// thread takes the answers in input order (an ordered window: at most `4 × jobs` values are read ahead, so
/// memory stays bounded however slow one call is).
fn concurrent(
    enricher: &Enricher<'_>,
    mut input: Values<'_>,
    jobs: usize,
    writer: Writer,
) -> Result<Writer> {
    type Job = (Line, mpsc::SyncSender<Answer>);
    let (work_tx, work_rx) = mpsc::sync_channel::<Job>(jobs);
    let work_rx = Mutex::new(work_rx);
    let (order_tx, order_rx) = mpsc::sync_channel::<mpsc::Receiver<Answer>>(jobs * 4);
    let bytes = AtomicU64::new(0);
    let (total, from_stdin) = (input.total, input.reads_stdin());
    std::thread::scope(|s| {
        for _ in 0..jobs {
            s.spawn(|| {
                loop {
                    // The lock is held only while waiting for the next job.
                    let job = match work_rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => break,
                    };
                    let Ok((line, tx)) = job else { break };
                    let _ = tx.send(enricher.answer(line));
                }
            });
        }
        let bytes = &bytes;
        let written = s.spawn(move || -> Result<Writer> {
            let mut writer = writer;
            let stdout = io::stdout();
            let mut out = io::BufWriter::new(stdout.lock());
            let mut progress = Progress::new(from_stdin, "values");
            let mut count = 0u64;
            for rx in order_rx {
                let Ok(answer) = rx.recv() else { continue };
                writer.write(&mut out, &answer)?;
                out.flush()?;
                count += 1;
                progress.tick(count, bytes.load(Ordering::Relaxed), total);
            }
            progress.finish();
            writer.finish(&mut out)?;
            out.flush()?;
            Ok(writer)
        });
        let read = (|| -> Result<()> {
            while let Some(line) = input.next() {
                let line = line.context("cannot read stdin")?;
                bytes.store(input.bytes, Ordering::Relaxed);
                let (tx, rx) = mpsc::sync_channel(1);
                // A send fails only when the writer stopped (closed pipe, write error): stop reading.
                if order_tx.send(rx).is_err() || work_tx.send((line, tx)).is_err() {
                    break;
                }
            }
            Ok(())
        })();
        drop(order_tx);
        drop(work_tx);
        let written = written.join().map_err(|_| anyhow::anyhow!("the writer thread panicked"))?;
        read?;
        written
    })
}

/// Writes answers in the chosen format, as they come.
struct Writer {
    format: Format,
    rows: Rows,
    /// Show the hunting queries on the card.
    queries: bool,
    /// Colour the score bar.
    color: bool,
    count: u64,
    /// Answers that were no indicator or no value (exit 1).
    skipped: u64,
}

impl Writer {
    fn new(format: Format, queries: bool, color: bool) -> Writer {
        Writer { format, rows: Rows::new(format, COLUMNS), queries, color, count: 0, skipped: 0 }
    }

    fn write(&mut self, out: &mut dyn Write, answer: &Answer) -> io::Result<()> {
        let first = self.count == 0;
        self.count += 1;
        let bad = match answer {
            Answer::Package(r) => {
                // No indicator, or not of the forced `--type` (exit 1, as in classify).
                if r.ioc_type == IocKind::Unknown
                    || r.diagnostics
                        .iter()
                        .any(|d| d.code == ioclens_core::DiagnosticCode::TypeMismatch)
                {
                    self.skipped += 1;
                }
                None
            }
            Answer::Bad(n, b) => {
                self.skipped += 1;
                Some(b.record(*n))
            }
        };
        match (self.format, answer) {
            (Format::Json | Format::Jsonl, Answer::Package(r)) => {
                output::json_item(out, self.format, first, r)
            }
            (Format::Json | Format::Jsonl, Answer::Bad(..)) => {
                output::json_item(out, self.format, first, &bad)
            }
            (Format::Csv | Format::Tsv, Answer::Package(r)) => {
                let cells = row(r);
                let refs: Vec<&str> = cells.iter().map(String::as_str).collect();
                self.rows.write(out, &refs)
            }
            (Format::Csv | Format::Tsv, Answer::Bad(n, b)) => {
                let note = format!("error: line {n}: {}", b.why);
                self.rows.write(out, &[&b.text, "", "", "", "", "", "", "", "", "", "", &note])
            }
            (Format::Table, _) => {
                if !first {
                    writeln!(out)?;
                }
                match answer {
                    Answer::Package(r) => card(out, r, self.queries, self.color),
                    Answer::Bad(n, b) => {
                        writeln!(out, "{}  (not read)", b.text.trim_end())?;
                        field(out, "error", &format!("line {n}: {}", b.why))
                    }
                }
            }
        }
    }

    fn finish(&mut self, out: &mut dyn Write) -> io::Result<()> {
        match self.format {
            Format::Json => output::json_end(out, self.count),
            Format::Csv | Format::Tsv => self.rows.start(out),
            Format::Jsonl | Format::Table => Ok(()),
        }
    }
}

/// One CSV/TSV row in [`COLUMNS`] order.
fn row(r: &LookupResponse) -> Vec<String> {
    let s = &r.score;
    let mut factors: Vec<&ioclens_core::score::Factor> =
        s.factors.iter().filter(|f| f.contribution != 0).collect();
    factors.sort_by_key(|f| std::cmp::Reverse(f.contribution.abs()));
    let top: Vec<String> =
        factors.iter().take(3).map(|f| format!("{} {:+}", f.name, f.contribution)).collect();
    let techniques: Vec<&str> = r.mitre_techniques.iter().map(|t| t.id.as_str()).collect();
    let mut sources: Vec<&str> = Vec::new();
    for h in &r.hits {
        if !sources.contains(&h.list.as_str()) {
            sources.push(&h.list);
        }
    }
    let mut notes: Vec<String> = r.classification.reason.iter().cloned().collect();
    notes.extend(
        r.diagnostics
            .iter()
            .filter(|d| d.code != ioclens_core::DiagnosticCode::StaleIntel)
            .map(|d| d.message.clone()),
    );
    vec![
        r.classification.input.clone(),
        r.ioc_type.to_string(),
        r.ioc_value.clone(),
        r.risk.score.to_string(),
        r.risk.level.as_str().to_owned(),
        json_name(&r.confidence),
        json_name(&s.verdict),
        top.join("; "),
        techniques.join(";"),
        r.malware_family.clone().unwrap_or_default(),
        sources.join(";"),
        notes.join("; "),
    ]
}

fn status_name(s: RemoteStatus) -> &'static str {
    match s {
        RemoteStatus::Ok => "ok",
        RemoteStatus::Disabled => "disabled",
        RemoteStatus::Timeout => "timeout",
        RemoteStatus::RateLimited => "rate_limited",
        RemoteStatus::Error => "error",
    }
}

fn json_name<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// Colour on a terminal unless `NO_COLOR` is set (no-color.org).
#[expect(
    clippy::disallowed_methods,
    reason = "the CLI is the host: it reads NO_COLOR from the environment"
)]
fn color_wanted() -> bool {
    io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// The widest card line (except the hunting queries, which are code and shown only with `--queries`).
const CARD_WIDTH: usize = 100;
/// Where a card field's text starts (`  label       text`).
const LABEL_WIDTH: usize = 14;

/// A 20-cell bar for a 0–100 score, coloured by level when `color`.
fn bar(score: u8, level: &str, color: bool) -> String {
    let filled = usize::from(score.div_ceil(5)).min(20);
    let cells = format!("{}{}", "█".repeat(filled), "░".repeat(20 - filled));
    if !color {
        return cells;
    }
    let code = match level {
        "critical" => "1;31",
        "high" => "31",
        "medium" => "33",
        "low" => "32",
        _ => "2",
    };
    format!("\x1b[{code}m{cells}\x1b[0m")
}

/// One labelled card field, word-wrapped to [`CARD_WIDTH`] with the text aligned under itself.
fn field(out: &mut dyn Write, label: &str, text: &str) -> io::Result<()> {
    for (i, l) in output::wrap(text, CARD_WIDTH - LABEL_WIDTH).iter().enumerate() {
        let label = if i == 0 { label } else { "" };
        writeln!(out, "{}", format!("  {label:<11} {l}").trim_end())?;
    }
    Ok(())
}

/// The card: at most [`CARD_WIDTH`] columns, no trailing spaces; queries only with `--queries`.
fn card(out: &mut dyn Write, r: &LookupResponse, queries: bool, color: bool) -> io::Result<()> {
    let s = &r.score;
    let defanged = if r.classification.defanged { ", defanged input" } else { "" };
    writeln!(out, "{}  ({}{defanged})", r.ioc_value, r.ioc_type)?;
    let level = r.risk.level.as_str();
    writeln!(
        out,
        "  risk        {} {:>3}/100 {level}",
        bar(r.risk.score, level, color),
        r.risk.score
    )?;
    field(
        out,
        "verdict",
        &format!(
            "{}, confidence {} (STIX {})",
            json_name(&s.verdict),
            json_name(&r.confidence),
            s.confidence_stix
        ),
    )?;
    if let Some(reason) = &r.classification.reason {
        field(out, "note", reason)?;
    }
    for (i, f) in s.factors.iter().enumerate() {
        let detail = f.detail.as_deref().map(|d| format!(": {d}")).unwrap_or_default();
        let text = format!("{:+} {}{detail} [{}]", f.contribution, f.name, f.source);
        field(out, if i == 0 { "factors" } else { "" }, &text)?;
    }
    if !r.tags.is_empty() {
        field(out, "tags", &r.tags.join(", "))?;
    }
    if let Some(m) = &r.malware {
        let ids: Vec<&str> =
            m.attack_software.iter().chain(&m.attack_groups).map(String::as_str).collect();
        field(out, "malware", &format!("{} ({}) {}", m.family, m.category, ids.join(" ")))?;
    }
    for (i, t) in r.mitre_techniques.iter().enumerate() {
        let label = if i == 0 { "techniques" } else { "" };
        field(out, label, &format!("{} {}: {}", t.id, t.name, t.reason))?;
    }
    field(out, "decay", &decay_line(&s.decay))?;
    if s.remote_status != RemoteStatus::Disabled {
        let remote = s.remote_score.map_or_else(|| "-".to_owned(), |v| v.to_string());
        field(
            out,
            "remote",
            &format!("{} (local {}, remote {remote})", status_name(s.remote_status), s.local_score),
        )?;
    }
    if queries {
        for (label, q) in [("splunk", &r.hunting.splunk_query), ("kql", &r.hunting.kql_query)] {
            for (i, l) in q.lines().enumerate() {
                let label = if i == 0 { label } else { "" };
                writeln!(out, "{}", format!("  {label:<11} {l}").trim_end())?;
            }
        }
    }
    field(out, "guidance", &r.hunting.detection_guidance)?;
    for d in &r.diagnostics {
        field(out, "diagnostic", &format!("{}: {}", d.code, d.message))?;
    }
    field(out, "data", &format!("{} ({})", s.data_version, s.data_date))
}

/// The decay in words, with dates rather than Unix seconds: an analyst must see at a glance that the evidence
/// behind a score is older than its type's lifetime (the embedded data is a snapshot).
fn decay_line(d: &ioclens_core::score::Decay) -> String {
    let date = |ts: i64| ioclens_server::time::format(ts)[..10].to_owned();
    let life = d.rule.lifetime_days;
    match d.valid_until {
        None => format!(
            "{} now: the score is at or below the revoke score ({}), nothing to decay",
            d.score_now, d.rule.revoke_score
        ),
        Some(v) if d.revoked => format!(
            "{} now: evidence dated {} is past the {life}-day lifetime (since {})",
            d.score_now,
            date(d.since),
            date(v)
        ),
        Some(v) => format!(
            "{} now (evidence dated {}, lifetime {life} d, valid until {})",
            d.score_now,
            date(d.since),
            date(v)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::{bar, decay_line};

    #[test]
    fn the_score_bar_is_coloured_only_when_asked() {
        let plain = bar(94, "critical", false);
        assert_eq!(plain, format!("{}{}", "█".repeat(19), "░"));
        let coloured = bar(94, "critical", true);
        assert_eq!(coloured, format!("\x1b[1;31m{plain}\x1b[0m"));
        assert!(bar(10, "low", true).starts_with("\x1b[32m"));
        assert_eq!(bar(0, "info", false), "░".repeat(20));
    }
    use ioclens_core::IocKind;
    use ioclens_core::score::{DecayRule, decay};

    const AUG_23_2026: i64 = 1_787_443_200;
    const DAY: i64 = 86_400;

    #[test]
    fn decay_speaks_in_dates() {
        // IP lifetime 47 days, base 95 (95·(1 − 10/47) = 74.8 → 75 after ten days): revoked when 95·(1 − t/47) ≤ 20, i.e. after 37.1 days → 29 September.
        let rule = DecayRule::for_kind(IocKind::Ipv4);
        let stale = decay_line(&decay(rule, 95, AUG_23_2026, AUG_23_2026 + 98 * DAY));
        assert_eq!(
            stale,
            "0 now: evidence dated 2026-08-23 is past the 47-day lifetime (since 2026-09-29)"
        );
        let fresh = decay_line(&decay(rule, 95, AUG_23_2026, AUG_23_2026 + 10 * DAY));
        assert!(
            fresh.starts_with(
                "75 now (evidence dated 2026-08-23, lifetime 47 d, valid until 2026-09-29)"
            ),
            "{fresh}"
        );
        let low = decay_line(&decay(rule, 10, AUG_23_2026, AUG_23_2026));
        assert!(low.contains("at or below the revoke score (20)"), "{low}");
    }
}
