//! `ioclens lookup VALUE… [--format json|table] [--remote URL] [--lookback 7d]`: the enrichment card.
//!
//! With `--remote URL` the CLI is the host of the sans-I/O remote scorer: the core builds the request, the
//! CLI sends it (key from `IOCLENS_API_KEY`, as `Authorization: Bearer`), and the core merges the answer.
//! Any failure is fail-open: the local result stands and `remote_status` says why.
use anyhow::{Result, bail};
use ioclens_core::score::{self, RemoteScore, RemoteStatus};
use ioclens_core::{IocKind, LookupOptions, LookupResponse};
use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum LookupFormat {
    /// One JSON array of lookup packages.
    Json,
    /// One JSON package per line.
    Jsonl,
    /// A readable card per value.
    Table,
}

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Values to look up; reads one per line from stdin when none are given.
    values: Vec<String>,
    /// Force a type (a mismatch is reported as a diagnostic).
    #[arg(long = "type", value_name = "TYPE")]
    kind: Option<String>,
    /// Output format (default: table on a terminal, jsonl otherwise).
    #[arg(long, value_enum)]
    format: Option<LookupFormat>,
    /// Remote scorer base URL (`GET {URL}/api/v1/lookup`); the key comes from `IOCLENS_API_KEY`.
    #[arg(long, value_name = "URL")]
    remote: Option<String>,
    /// Enrichment providers, comma-separated (`virustotal,abuseipdb,otx,greynoise,internetdb,threatfox,urlhaus,
    /// malwarebazaar,ioclens`, or `all`); keys from `IOCLENS_<ID>_KEY`, a config file or msticpyconfig.yaml
    /// (docs/providers.md).
    #[arg(long, value_name = "LIST")]
    providers: Option<String>,
    /// Remote and provider timeout in seconds.
    #[arg(long, default_value_t = 5)]
    timeout: u64,
    /// Hunting-query lookback (`30m`, `24h`, `7d`, `2w`).
    #[arg(long, default_value = "7d")]
    lookback: String,
    /// Evaluate decay at this time (Unix seconds) instead of now (reproducible output).
    #[arg(long, value_name = "UNIX_SECONDS")]
    now: Option<i64>,
    /// Skip the hunting queries.
    #[arg(long)]
    no_queries: bool,
    /// Data directory whose newest intel pack is used (default: `IOCLENS_DATA_DIR`, else the platform data
    /// directory + `ioclens`).
    #[arg(long, value_name = "DIR")]
    data_dir: Option<std::path::PathBuf>,
    /// Use the embedded intel only, not the data directory's pack.
    #[arg(long)]
    no_pack: bool,
}

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

/// Sends the request the core built and parses the answer; every failure becomes a status (fail-open).
fn remote_score(
    base: &str,
    key: Option<&str>,
    resp: &LookupResponse,
    timeout: Duration,
) -> RemoteScore {
    let Some(key) = key else {
        return RemoteScore::failed(RemoteStatus::Disabled, "IOCLENS_API_KEY is not set");
    };
    // The one HTTP seam (`ioclens_server::fetch`), shared with `--providers`; the URL is the core's (`ioclens` provider).
    let Some(sent) = crate::providers::remote_url(base, resp) else {
        return RemoteScore::failed(
            RemoteStatus::Error,
            "value cannot be sent to the remote scorer",
        );
    };
    let bearer = format!("Bearer {key}");
    let fetched = ioclens_server::fetch::Fetch::fetch(
        &ioclens_server::fetch::Ureq,
        &ioclens_server::fetch::HttpRequest {
            method: &sent.method,
            url: &sent.url,
            headers: &sent.headers,
            body: None,
            secret: Some(("Authorization", &bearer)),
            timeout,
        },
    );
    match fetched {
        Ok(r) => score::parse_response(r.status, &r.body),
        Err(ioclens_server::fetch::FetchError::Timeout(e)) => {
            RemoteScore::failed(RemoteStatus::Timeout, &e)
        }
        Err(ioclens_server::fetch::FetchError::Other(e)) => {
            RemoteScore::failed(RemoteStatus::Error, &e)
        }
    }
}

pub(crate) fn run(args: &Args) -> Result<ExitCode> {
    let kind = match &args.kind {
        None => None,
        Some(k) => match IocKind::parse(k) {
            Some(k) => Some(k),
            None => bail!("unknown type `{k}` (try ipv4, domain, url, md5 …)"),
        },
    };
    let mut opts = LookupOptions { kind, hunting: !args.no_queries, ..LookupOptions::default() };
    opts.query.lookback.clone_from(&args.lookback);
    let values = crate::output::values_or_stdin(&args.values)?;
    let now = args.now.unwrap_or_else(clock);
    let key = api_key();
    let found = if args.no_pack {
        ioclens_server::intel::Found::default()
    } else {
        ioclens_server::intel::intel_dir(args.data_dir.as_deref())
            .map(|d| ioclens_server::intel::newest(&d))
            .unwrap_or_default()
    };
    for w in &found.warnings {
        let _ = writeln!(io::stderr(), "ioclens: warning: {w}");
    }
    let pack = found.pack.as_ref().map(ioclens_core::intel::pack::LoadedPack::pack);
    let mut results = Vec::with_capacity(values.len());
    for v in &values {
        let mut r = ioclens_core::lookup_with(v, &opts, pack.as_ref(), now);
        if let Some(base) = &args.remote {
            let remote = remote_score(base, key.as_deref(), &r, Duration::from_secs(args.timeout));
            if remote.status != RemoteStatus::Ok
                && let Some(m) = &remote.message
            {
                let _ = writeln!(
                    io::stderr(),
                    "ioclens: remote scorer {}: {m}",
                    status_name(remote.status)
                );
            }
            ioclens_core::apply_remote(&mut r, &remote);
        }
        results.push(r);
    }
    if let Some(list) = &args.providers {
        crate::providers::run(list, &mut results, Duration::from_secs(args.timeout), now)?;
    }
    let format = args.format.unwrap_or(if io::stdout().is_terminal() {
        LookupFormat::Table
    } else {
        LookupFormat::Jsonl
    });
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    match format {
        LookupFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &results)?;
            writeln!(out)?;
        }
        LookupFormat::Jsonl => {
            for r in &results {
                serde_json::to_writer(&mut out, r)?;
                writeln!(out)?;
            }
        }
        LookupFormat::Table => {
            for (i, r) in results.iter().enumerate() {
                if i > 0 {
                    writeln!(out)?;
                }
                card(&mut out, r)?;
            }
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
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

/// A 20-cell bar for a 0–100 score.
fn bar(score: u8) -> String {
    let filled = usize::from(score.div_ceil(5));
    format!("{}{}", "█".repeat(filled), "░".repeat(20 - filled.min(20)))
}

fn card(out: &mut impl Write, r: &LookupResponse) -> io::Result<()> {
    let s = &r.score;
    let defanged = if r.classification.defanged { ", defanged input" } else { "" };
    writeln!(out, "{}  ({}{defanged})", r.ioc_value, r.ioc_type)?;
    writeln!(
        out,
        "  risk        {} {:>3}/100 {}   confidence {} (STIX {})   verdict {}",
        bar(r.risk.score),
        r.risk.score,
        r.risk.level.as_str(),
        json_name(&r.confidence),
        s.confidence_stix,
        json_name(&s.verdict)
    )?;
    if let Some(reason) = &r.classification.reason {
        writeln!(out, "  note        {reason}")?;
    }
    let mut first = true;
    for f in &s.factors {
        let label = if first { "factors" } else { "" };
        first = false;
        writeln!(
            out,
            "  {label:<11} {:>+4}  {:<22} {:<26} {}",
            f.contribution,
            f.name,
            f.source,
            f.detail.as_deref().unwrap_or("")
        )?;
    }
    if !r.tags.is_empty() {
        writeln!(out, "  tags        {}", r.tags.join(", "))?;
    }
    if let Some(m) = &r.malware {
        let ids: Vec<&str> =
            m.attack_software.iter().chain(&m.attack_groups).map(String::as_str).collect();
        writeln!(out, "  malware     {} ({}) {}", m.family, m.category, ids.join(" "))?;
    }
    let mut first = true;
    for t in &r.mitre_techniques {
        let label = if first { "techniques" } else { "" };
        first = false;
        writeln!(out, "  {label:<11} {:<10} {}  {}", t.id, t.name, t.reason)?;
    }
    writeln!(out, "  decay       {}", decay_line(&s.decay))?;
    if s.remote_status != RemoteStatus::Disabled {
        writeln!(
            out,
            "  remote      {} (local {}, remote {})",
            status_name(s.remote_status),
            s.local_score,
            s.remote_score.map_or_else(|| "-".to_owned(), |v| v.to_string())
        )?;
    }
    if !r.hunting.splunk_query.is_empty() {
        writeln!(
            out,
            "  splunk      {}",
            r.hunting.splunk_query.replace('\n', "\n              ")
        )?;
    }
    if !r.hunting.kql_query.is_empty() {
        writeln!(out, "  kql         {}", r.hunting.kql_query.replace('\n', "\n              "))?;
    }
    writeln!(out, "  guidance    {}", r.hunting.detection_guidance)?;
    for d in &r.diagnostics {
        writeln!(out, "  diagnostic  {}: {}", d.code, d.message)?;
    }
    writeln!(out, "  data        {} ({})", s.data_version, s.data_date)
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
    use super::decay_line;
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
