//! `ioclens feed add|list|remove`: load threat feeds into the server's store.
use anyhow::{Result, bail};
use ioclens_server::ingest::{self, FeedSpec};
use ioclens_server::store::{self, Category, Level};
use ioclens_server::{sectors, time};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    command: FeedCommand,
    /// The store (`SQLite` file, created when missing).
    #[arg(long, global = true, default_value = "ioclens.db")]
    db: PathBuf,
}

#[derive(clap::Subcommand)]
enum FeedCommand {
    /// Ingest a STIX 2.1 bundle, a MISP feed (directory with manifest.json, or one event JSON), a CSV or a TXT
    /// list, or a built-in feed. Replaces the feed's previous records in one transaction; identical input is a no-op.
    /// A TAXII 2.1 collection (`taxii2+https://HOST/API_ROOT/collections/ID/`) is pulled page by page instead,
    /// each run resuming where the last one stopped.
    Add(Box<AddArgs>),
    /// List loaded feeds.
    List,
    /// Remove a feed and its records.
    Remove {
        /// Feed name.
        name: String,
    },
}

#[derive(clap::Args)]
struct AddArgs {
    /// Feed file or MISP feed directory, a feed's `http(s)://` URL, or a TAXII 2.1 collection
    /// `taxii2+https://HOST/API_ROOT/collections/ID/`.
    #[arg(required_unless_present = "builtin", conflicts_with = "builtin")]
    file: Option<PathBuf>,
    /// Keep the feed refreshed from its URL every DURATION (`30m`, `6h`, `1d`) while `ioclens serve --sync`
    /// runs on this store. Only with an `http(s)://` or `taxii2+` URL.
    #[arg(long, value_name = "DURATION")]
    every: Option<String>,
    /// TAXII: HTTP Basic user name; the password comes from `IOCLENS_TAXII_PASSWORD` (a bearer token from
    /// `IOCLENS_TAXII_TOKEN` instead). Never printed or stored.
    #[arg(long, value_name = "USER")]
    taxii_user: Option<String>,
    /// TAXII: objects asked for per page.
    #[arg(long, value_name = "N", default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    taxii_limit: u32,
    /// Load a built-in feed instead of a file: `ipsum`, `maltrail` or `urlhaus` (5,000 rows of `URLhaus`).
    #[arg(long, value_name = "NAME")]
    builtin: Option<String>,
    /// Feed name (unique; re-adding the same name replaces it). Defaults to the built-in name.
    #[arg(long, value_name = "NAME")]
    source: Option<String>,
    /// `government`, `commercial` or `community` (default for built-ins: community).
    #[arg(long)]
    category: Option<String>,
    /// `low`, `medium` or `high`, for records that carry no confidence of their own (default: medium).
    #[arg(long)]
    confidence: Option<String>,
    /// CISA critical-infrastructure sector slug (repeatable), e.g. `energy`, `healthcare-public-health`.
    #[arg(long = "sector", value_name = "SLUG")]
    sectors: Vec<String>,
    /// Tag added to every record (repeatable).
    #[arg(long = "tag", value_name = "TAG")]
    tags: Vec<String>,
    /// Default first-seen time (ISO 8601) for records without one.
    #[arg(long)]
    first_seen: Option<String>,
    /// Default last-seen time (ISO 8601) for records without one.
    #[arg(long)]
    last_seen: Option<String>,
    /// Reference URL of the feed.
    #[arg(long)]
    reference_url: Option<String>,
}

pub(crate) fn run(args: &Args) -> Result<ExitCode> {
    match &args.command {
        FeedCommand::Add(a) => add(&args.db, a),
        FeedCommand::List => {
            let conn = store::open_existing(&args.db)?;
            let feeds = store::feeds(&conn)?;
            let mut out = std::io::stdout().lock();
            serde_json::to_writer_pretty(&mut out, &feeds)?;
            writeln!(out)?;
            Ok(ExitCode::SUCCESS)
        }
        FeedCommand::Remove { name } => {
            let mut conn = store::open_existing(&args.db)?;
            if store::remove_feed(&mut conn, name)? {
                Ok(ExitCode::SUCCESS)
            } else {
                bail!("no feed named `{name}`")
            }
        }
    }
}

fn usage(msg: &str) -> ExitCode {
    crate::output::error_line(&anyhow::anyhow!("{msg}"));
    ExitCode::from(2)
}

fn add(db: &std::path::Path, a: &AddArgs) -> Result<ExitCode> {
    let category = match a.category.as_deref() {
        None if a.builtin.is_some() => Category::Community,
        None => return Ok(usage("--category is required: government, commercial or community")),
        Some(c) => match Category::parse(c) {
            Some(c) => c,
            None => {
                return Ok(usage(&format!(
                    "--category `{c}`: use government, commercial or community"
                )));
            }
        },
    };
    let confidence = match a.confidence.as_deref() {
        None => Level::Medium,
        Some(c) => match Level::parse(c) {
            Some(l) => l,
            None => return Ok(usage(&format!("--confidence `{c}`: use low, medium or high"))),
        },
    };
    let sectors = match sectors::mask(a.sectors.iter().map(String::as_str)) {
        Ok(m) => m,
        Err(e) => return Ok(usage(&e)),
    };
    let mut bounds = [None, None];
    for (slot, (flag, v)) in
        bounds.iter_mut().zip([("--first-seen", &a.first_seen), ("--last-seen", &a.last_seen)])
    {
        if let Some(v) = v {
            match time::parse(v) {
                Some(t) => *slot = Some(t),
                None => return Ok(usage(&format!("{flag} `{v}` is not an ISO 8601 time"))),
            }
        }
    }
    let every = match a.every.as_deref() {
        None => None,
        Some(e) => match time::parse_duration(e) {
            Some(s) if s >= 1 => Some(s),
            _ => return Ok(usage(&format!("--every `{e}` is not a duration (30m, 6h, 1d)"))),
        },
    };
    let url =
        a.file.as_deref().and_then(std::path::Path::to_str).filter(|f| {
            super::sync::is_http(f) || f.starts_with(ioclens_server::taxii_pull::PREFIX)
        });
    if every.is_some() && url.is_none() {
        return Ok(usage("--every needs an http(s):// or taxii2+ URL to refresh the feed from"));
    }
    let taxii = a
        .file
        .as_deref()
        .and_then(std::path::Path::to_str)
        .filter(|f| f.starts_with(ioclens_server::taxii_pull::PREFIX));
    let (parsed, default_name, default_url) = match (&a.builtin, &a.file) {
        (None, Some(_)) if taxii.is_some() => (None, None, None),
        (Some(b), _) => {
            let parsed = ingest::builtin(b)?;
            let url = ingest::BUILTINS.iter().find(|(n, _)| n == b).map(|(_, u)| (*u).to_owned());
            (Some(parsed), Some(b.clone()), url)
        }
        (None, Some(_)) if url.is_some() => {
            let u = url.unwrap_or_default();
            (Some(super::sync::fetch_feed(u)?), None, Some(u.to_owned()))
        }
        (None, Some(f)) => (Some(ingest::read_path(f)?), None, None),
        (None, None) => return Ok(usage("give a FILE or --builtin NAME")),
    };
    let Some(name) = a.source.clone().or(default_name) else {
        return Ok(usage("--source NAME is required (the feed's unique name)"));
    };
    if let Err(why) = ioclens_server::feedname::check(&name) {
        return Ok(usage(&format!("--source: {why}")));
    }
    let spec = FeedSpec {
        name,
        category,
        confidence,
        sectors,
        tags: a.tags.clone(),
        reference_url: a.reference_url.clone().or(default_url),
        first_seen: bounds[0],
        last_seen: bounds[1],
    };
    let (Some(parsed), None) = (parsed, taxii) else {
        let url = taxii.unwrap_or_default();
        if let Err(e) = ioclens_server::taxii_pull::collection_url(url) {
            return Ok(usage(&e));
        }
        let auth = match super::taxii::Auth::from_env(a.taxii_user.as_deref()) {
            Ok(auth) => auth,
            Err(e) => return Ok(usage(&e)),
        };
        let code = super::taxii::pull(db, spec.clone(), url, auth, a.taxii_limit)?;
        if let Some(every) = every {
            let conn = store::open(db)?;
            ioclens_server::sync::schedule(
                &conn,
                &spec,
                url,
                every,
                a.taxii_user.as_deref(),
                time::now(),
            )?;
        }
        return Ok(code);
    };
    let progress = |n| {
        let _ = writeln!(std::io::stderr(), "ioclens: writing {n} records in one transaction");
    };
    if let Some(url) = db.to_str().filter(|d| ioclens_server::store_pg::is_url(d)) {
        if every.is_some() {
            return Ok(usage("--every needs an SQLite store for now (docs/deploy.md)"));
        }
        let mut pg = ioclens_server::store_pg::open(url)?;
        let report =
            ioclens_server::store_pg::ingest(&mut pg, &spec, parsed, time::now(), &progress)?;
        let mut out = std::io::stdout().lock();
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut conn = store::open(db)?;
    let report = ingest::ingest(&mut conn, &spec, parsed, time::now(), &progress)?;
    match (every, url) {
        (Some(every), Some(u)) => {
            ioclens_server::sync::schedule(&conn, &spec, u, every, None, time::now())?;
        }
        // Re-adding a feed without --every ends its schedule.
        _ => {
            ioclens_server::sync::unschedule(&conn, &spec.name)?;
        }
    }
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, &report)?;
    writeln!(out)?;
    Ok(ExitCode::SUCCESS)
}
