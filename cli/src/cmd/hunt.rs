//! `ioclens hunt VALUE… [--spl|--kql|--sigma|--stix] [--lookback 7d] [--profile …] [--format F]`
use crate::output::{self, Format};
use anyhow::{Context, Result, anyhow};
use clap::ValueEnum;
use ioclens_core::IocKind;
use ioclens_core::query::{self, Hunt, HuntInput, KqlProfile, QueryOptions, SplProfile, Target};
use std::io::{self, Write};
use std::process::ExitCode;

/// A `--profile` value: SPL profiles and KQL profiles share one flag.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Profile {
    /// Splunk CIM data-model `tstats` queries plus the raw fallback (default).
    Cim,
    /// Splunk raw `index=*` search only.
    Raw,
    /// Splunk Enterprise Security: `Threat_Intelligence.Threat_Activity` first, then CIM and raw.
    Es,
    /// Sentinel native tables (default).
    Native,
    /// Sentinel ASIM parsers.
    Asim,
    /// Defender XDR advanced hunting.
    Defender,
}

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Indicators (defanged or not); reads one per line from stdin when none are given.
    values: Vec<String>,
    /// Force the type of every value instead of classifying it (the value is then used as given).
    #[arg(long = "type", value_name = "TYPE")]
    kind: Option<String>,
    #[command(flatten)]
    opts: HuntOpts,
    /// Output format: `table` the queries ready to paste, `json` the hunt document, `jsonl`/`csv` one query
    /// per record (docs/cli.md).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// Query options shared by `hunt` and `extract --hunt`.
#[derive(clap::Args)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "independent command-line flags, not a state machine"
)]
pub(crate) struct HuntOpts {
    /// Only Splunk SPL.
    #[arg(long)]
    spl: bool,
    /// Only Sentinel / Defender KQL.
    #[arg(long)]
    kql: bool,
    /// Only Sigma rules.
    #[arg(long)]
    sigma: bool,
    /// Only STIX 2.1 patterns.
    #[arg(long)]
    stix: bool,
    /// How far back to search: 30m, 24h, 7d, 2w ….
    #[arg(long, default_value = "7d")]
    lookback: String,
    /// Query profile; repeat to set both (`--profile raw --profile asim`).
    #[arg(long, value_enum)]
    profile: Vec<Profile>,
    /// Raw SPL for IPs with TERM(ip): faster, but misses addresses glued to `=` or `:` (ip=1.2.3.4).
    #[arg(long)]
    term: bool,
    /// Skip the threat-intel presence queries.
    #[arg(long)]
    no_ti: bool,
    /// Query the legacy `ThreatIntelligenceIndicator` table (retired in 2026).
    #[arg(long)]
    legacy_ti: bool,
    /// Values per query (1–128; SPL inlines at most 100).
    #[arg(long, default_value_t = 100)]
    batch_size: usize,
    /// Leave these values out (e.g. your own infrastructure); repeatable.
    #[arg(long = "exclude", value_name = "VALUE")]
    exclusions: Vec<String>,
    /// Do not also hunt the host of each URL (DNS, proxy, firewall FQDN, TLS SNI).
    #[arg(long)]
    no_url_hosts: bool,
}

impl HuntOpts {
    /// The query flags given on the command line (`extract` refuses them without `--hunt`).
    pub(crate) fn given(&self) -> Vec<&'static str> {
        [
            (self.spl, "--spl"),
            (self.kql, "--kql"),
            (self.sigma, "--sigma"),
            (self.stix, "--stix"),
            (self.lookback != "7d", "--lookback"),
            (!self.profile.is_empty(), "--profile"),
            (self.term, "--term"),
            (self.no_ti, "--no-ti"),
            (self.legacy_ti, "--legacy-ti"),
            (self.batch_size != 100, "--batch-size"),
            (!self.exclusions.is_empty(), "--exclude"),
            (self.no_url_hosts, "--no-url-hosts"),
        ]
        .into_iter()
        .filter_map(|(on, name)| on.then_some(name))
        .collect()
    }

    /// Refuses two profiles for the same language (`--profile cim --profile raw`): the last would silently win.
    pub(crate) fn check(&self) -> Result<()> {
        let spl: Vec<&Profile> = self
            .profile
            .iter()
            .filter(|p| matches!(p, Profile::Cim | Profile::Raw | Profile::Es))
            .collect();
        let kql: Vec<&Profile> = self
            .profile
            .iter()
            .filter(|p| matches!(p, Profile::Native | Profile::Asim | Profile::Defender))
            .collect();
        for (lang, list) in [("SPL", spl), ("KQL", kql)] {
            if list.len() > 1 {
                let names: Vec<String> = list
                    .iter()
                    .map(|p| {
                        p.to_possible_value().map(|v| v.get_name().to_owned()).unwrap_or_default()
                    })
                    .collect();
                return Err(output::usage(format!(
                    "--profile {} conflict: give one {lang} profile (cim, raw or es / native, asim or defender)",
                    names.join(" and ")
                )));
            }
        }
        Ok(())
    }

    fn options(&self) -> QueryOptions {
        let mut o = QueryOptions {
            lookback: self.lookback.clone(),
            include_ti: !self.no_ti,
            legacy_ti: self.legacy_ti,
            batch_size: self.batch_size,
            spl_term: self.term,
            exclusions: self.exclusions.clone(),
            url_hosts: !self.no_url_hosts,
            // Sigma rules carry today's date (the core reads no clock).
            sigma_date: Some(
                ioclens_server::time::format(ioclens_server::time::now())
                    .chars()
                    .take(10)
                    .collect(),
            ),
            ..QueryOptions::default()
        };
        for p in &self.profile {
            match p {
                Profile::Cim => o.spl_profile = SplProfile::Cim,
                Profile::Raw => o.spl_profile = SplProfile::Raw,
                Profile::Es => o.spl_profile = SplProfile::Es,
                Profile::Native => o.kql_profile = KqlProfile::Native,
                Profile::Asim => o.kql_profile = KqlProfile::Asim,
                Profile::Defender => o.kql_profile = KqlProfile::Defender,
            }
        }
        let picked: Vec<Target> = [
            (self.spl, Target::Spl),
            (self.kql, Target::Kql),
            (self.sigma, Target::Sigma),
            (self.stix, Target::Stix),
        ]
        .into_iter()
        .filter_map(|(on, t)| on.then_some(t))
        .collect();
        if !picked.is_empty() {
            o.targets = picked;
        }
        o
    }
}

pub(crate) fn run(args: &Args) -> Result<ExitCode> {
    let forced = match &args.kind {
        None => None,
        Some(k) => {
            let Some(kind) = IocKind::parse(k) else {
                return Err(output::usage(format!(
                    "unknown type `{k}` (try ipv4, domain, url, md5 …)"
                )));
            };
            Some(kind)
        }
    };
    args.opts.check()?;
    check_format(args.format)?;
    // The list is read one line at a time; a line that is no value is reported and skipped, never the end of
    // the batch. `jsonl` and `csv` (one query per record) stream: every `--batch-size` values are hunted and
    // written as they fill, so memory stays flat; `table` and `json` print one hunt when the list ends.
    let streaming = matches!(args.format, Format::Jsonl | Format::Csv);
    let window = args.opts.batch_size.clamp(1, 128);
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut failed = false;
    let mut code = output::exit::OK;
    let mut first = true;
    let mut inputs = Vec::new();
    for line in output::values(&args.values)? {
        let line = line.context("cannot read stdin")?;
        let v = match line.value {
            Ok(v) => v,
            Err(bad) => {
                failed = true;
                let _ = bad.record(line.n);
                continue;
            }
        };
        if let Some(kind) = forced {
            inputs.push(HuntInput::new(kind, ioclens_core::refang(v.trim()).into_owned()));
        } else {
            let c = ioclens_core::classify(&v);
            if c.kind == IocKind::Unknown {
                failed = true;
                let why = c.reason.unwrap_or_else(|| "not an indicator".to_owned());
                output::error_line(&anyhow!(
                    "`{}` skipped: {why} (use --type to force a type)",
                    c.input
                ));
                continue;
            }
            inputs.push(HuntInput::from(&c));
        }
        if streaming && inputs.len() >= window {
            code =
                code.max(hunt_and_print(&inputs, &args.opts, args.format, &[], &mut out, first)?);
            out.flush()?;
            first = false;
            inputs.clear();
        }
    }
    if first || !inputs.is_empty() {
        code = code.max(hunt_and_print(&inputs, &args.opts, args.format, &[], &mut out, first)?);
    }
    out.flush()?;
    if failed {
        code = code.max(output::exit::SKIPPED);
    }
    Ok(ExitCode::from(code))
}

/// `tsv` would have to flatten multi-line queries (and KQL `//` comments would then swallow the rest).
pub(crate) fn check_format(format: Format) -> Result<()> {
    if format == Format::Tsv {
        return Err(output::usage(
            "hunting queries span lines: use --format csv or jsonl (one query per record), not tsv",
        ));
    }
    Ok(())
}

/// `--format csv` columns of a hunt: one query per row.
const COLUMNS: &[&str] =
    &["type", "target", "profile", "title", "values", "window", "notes", "query"];

/// Renders and prints the hunt for `inputs` (also used by `extract --hunt`); `first` is false for the
/// further windows of a streamed hunt (no second CSV header). Returns the exit code: 2 on a bad option, 1 when a
/// value was skipped (empty, too broad, too long, invisible characters, malformed: each reported on stderr,
/// every other value still printed) or when there is nothing to hunt for.
pub(crate) fn hunt_and_print(
    inputs: &[HuntInput],
    opts: &HuntOpts,
    format: Format,
    dropped: &[String],
    out: &mut impl Write,
    first: bool,
) -> Result<u8> {
    if inputs.is_empty() {
        for note in dropped {
            output::error_line(&anyhow!("{note}"));
        }
        output::error_line(&anyhow!("no indicator to hunt for"));
        return Ok(output::exit::SKIPPED);
    }
    let mut hunt = match query::hunt(inputs, &opts.options()) {
        Ok(h) => h,
        Err(e) => {
            let code = if e.kind == ioclens_core::ErrorKind::InvalidOption {
                output::exit::USAGE
            } else {
                output::exit::SKIPPED
            };
            output::error_line(&anyhow!(e));
            return Ok(code);
        }
    };
    hunt.notes.extend(dropped.iter().cloned());
    for s in &hunt.skipped {
        output::error_line(&anyhow!("{} `{}` skipped: {}", s.kind, s.value, s.message));
    }
    write_hunt(out, &hunt, format, first)?;
    Ok(if hunt.skipped.is_empty() { output::exit::OK } else { output::exit::SKIPPED })
}

/// Prints a hunt: `json` the document, `jsonl`/`csv` one query per record (the hunt's notes and the
/// unsupported targets then go to stderr, the Splunk lookup rows to a `lookup` record), `table` the queries
/// ready to paste.
fn write_hunt(out: &mut impl Write, hunt: &Hunt, format: Format, first: bool) -> io::Result<()> {
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, hunt)?;
            return writeln!(out);
        }
        Format::Jsonl | Format::Csv | Format::Tsv => {
            return write_records(out, hunt, format, first);
        }
        Format::Table => {}
    }
    for note in &hunt.notes {
        writeln!(out, "# note: {note}")?;
    }
    for g in &hunt.groups {
        writeln!(
            out,
            "# ===== {} ({} value{}) =====",
            g.kind,
            g.values,
            if g.values == 1 { "" } else { "s" }
        )?;
        writeln!(out, "# {}", g.detection_guidance)?;
        for q in g.spl.iter().chain(&g.kql).chain(&g.sigma).chain(&g.stix) {
            writeln!(out)?;
            let window = match window(q) {
                w if w.is_empty() => w,
                w => format!(" [{w}]"),
            };
            writeln!(out, "# --- {} / {} / {}{window}", q.target.as_str(), q.profile, q.title)?;
            for n in &q.notes {
                writeln!(out, "# note: {n}")?;
            }
            writeln!(out, "{}", q.query.trim_end())?;
        }
        for u in &g.unsupported {
            writeln!(out, "\n# --- {}: {}", u.target.as_str(), u.reason)?;
        }
        writeln!(out)?;
    }
    if let Some(csv) = &hunt.lookup_csv {
        writeln!(out, "# ===== lookup / watchlist rows (ioc,type) =====")?;
        write!(out, "{csv}")?;
    }
    Ok(())
}

fn window(q: &ioclens_core::query::Query) -> String {
    match (&q.earliest, &q.lookback) {
        (Some(e), _) => format!("earliest={e} latest=now"),
        (None, Some(l)) => format!("lookback {l}"),
        _ => String::new(),
    }
}

/// One record per query (`jsonl`: the query object with its type; `csv`: [`COLUMNS`]).
fn write_records(out: &mut impl Write, hunt: &Hunt, format: Format, first: bool) -> io::Result<()> {
    for note in &hunt.notes {
        let _ = writeln!(io::stderr(), "ioclens: note: {note}");
    }
    let mut rows = output::Rows::new(format, COLUMNS);
    if first && format == Format::Csv {
        rows.start(out)?;
    } else {
        rows = rows.continued();
    }
    for g in &hunt.groups {
        for u in &g.unsupported {
            let _ = writeln!(
                io::stderr(),
                "ioclens: note: {} {}: {}",
                g.kind,
                u.target.as_str(),
                u.reason
            );
        }
        for q in g.spl.iter().chain(&g.kql).chain(&g.sigma).chain(&g.stix) {
            if format == Format::Jsonl {
                serde_json::to_writer(&mut *out, q)?;
                writeln!(out)?;
            } else {
                rows.write(
                    out,
                    &[
                        g.kind.as_str(),
                        q.target.as_str(),
                        q.profile.as_str(),
                        &q.title,
                        &q.values.to_string(),
                        &window(q),
                        &q.notes.join("; "),
                        &q.query,
                    ],
                )?;
            }
        }
    }
    if let Some(csv) = &hunt.lookup_csv {
        if format == Format::Jsonl {
            serde_json::to_writer(&mut *out, &serde_json::json!({"lookup_csv": csv}))?;
            writeln!(out)?;
        } else {
            let _ = writeln!(
                io::stderr(),
                "ioclens: note: a batch exceeded the inline limit; --format json or table carries the lookup rows"
            );
        }
    }
    Ok(())
}
