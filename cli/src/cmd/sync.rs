//! The I/O of scheduled work: `ioclens feed add URL` (fetching a feed over HTTP) and the jobs `ioclens serve
//! --sync` hands to the scheduler (`ioclens_server::sync`): the catalogue's due sources into the intel pack, and
//! the feeds added with `--every` back into the store. docs/intel.md, "Keeping a server current".
use super::intel::{self, UpdateArgs};
use anyhow::{Context as _, Result, bail};
use ioclens_core::intel::formats::SourceSpec;
use ioclens_server::ingest::{self, Parsed};
use ioclens_server::sync::{self, Leader, Scheduler};
use ioclens_server::{store, taxii_pull};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// Size cap of one feed body.
const MAX_FEED_BYTES: u64 = 256 * 1024 * 1024;

/// Whether `arg` names a feed over HTTP (`http://`, `https://`).
pub(crate) fn is_http(arg: &str) -> bool {
    arg.starts_with("http://") || arg.starts_with("https://")
}

/// GETs a feed file and parses it as `feed add FILE` would (format from its content, else the URL's extension).
pub(crate) fn fetch_feed(url: &str) -> Result<Parsed> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_mins(2)))
        .http_status_as_error(false)
        .user_agent(concat!("ioclens/", env!("CARGO_PKG_VERSION"), " (feed)"))
        .build()
        .into();
    let resp = agent.get(url).call().map_err(|e| anyhow::anyhow!("GET {url}: {e}"))?;
    let status = resp.status().as_u16();
    if status != 200 {
        bail!("GET {url}: HTTP {status}");
    }
    let bytes = resp
        .into_body()
        .with_config()
        .limit(MAX_FEED_BYTES)
        .read_to_vec()
        .with_context(|| format!("reading {url}"))?;
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let name = path.rsplit('/').next().unwrap_or("");
    let ext = name.rsplit_once('.').map_or("", |(_, e)| e).to_ascii_lowercase();
    let mut parsed = ingest::parse_text(&String::from_utf8_lossy(&bytes), &ext)?;
    parsed.fingerprint_input = bytes;
    Ok(parsed)
}

/// Refreshes the scheduled feeds of store `db` that are due at `now`; one line for the log.
fn refresh_feeds(db: &Path, now: i64) -> Result<String> {
    let mut conn = store::open(db)?;
    let mut done = Vec::new();
    for s in sync::scheduled(&conn)? {
        if !sync::is_due(s.last_attempt, s.every, sync::jitter(&s.spec.name, s.every), now) {
            continue;
        }
        let outcome = if s.url.starts_with(taxii_pull::PREFIX) {
            super::taxii::Auth::from_env(s.taxii_user.as_deref())
                .map_err(anyhow::Error::msg)
                .and_then(|auth| super::taxii::pull(db, s.spec.clone(), &s.url, auth, 1000))
                .map(|_| "pulled".to_owned())
        } else {
            fetch_feed(&s.url).and_then(|parsed| {
                let r = ingest::ingest(&mut conn, &s.spec, parsed, now, &|_| {})?;
                Ok(format!("{} ({} records)", r.status, r.records))
            })
        };
        let err = outcome.as_ref().err().map(|e| format!("{e:#}"));
        sync::record(&conn, &s.spec.name, now, err.as_deref().map_or(Ok(()), Err))?;
        done.push(match outcome {
            Ok(line) => format!("{} {line}", s.spec.name),
            Err(_) => format!("{} FAILED: {} (records kept)", s.spec.name, err.unwrap_or_default()),
        });
    }
    Ok(done.join("; "))
}

/// What `serve --sync` needs to start its scheduler.
pub(crate) struct Plan {
    /// The store whose scheduled feeds are refreshed.
    pub(crate) db: PathBuf,
    /// The intel directory whose pack the catalogue's sources are written into.
    pub(crate) intel_dir: PathBuf,
    /// The catalogue (`--catalogue`, else the built-in one).
    pub(crate) catalogue: Vec<SourceSpec>,
    /// How often the scheduler looks for due work.
    pub(crate) tick: Duration,
}

/// Starts the scheduler thread: the catalogue's due sources (each on its own `every`, with its jitter) into a
/// new pack when one changed, then the due feeds. `leader` gates every tick.
pub(crate) fn start(plan: Plan, leader: Arc<dyn Leader>) -> std::thread::JoinHandle<()> {
    let mut s = Scheduler::new(leader);
    let Plan { db, intel_dir, catalogue, tick } = plan;
    s.add("intel", move |_now| {
        let (changed, failed) =
            intel::update_sources(&catalogue, &intel_dir, &UpdateArgs::scheduled(), true)?;
        Ok(if changed + failed == 0 {
            String::new()
        } else {
            let pack = if changed > 0 { "pack republished" } else { "pack unchanged" };
            format!("{changed} source(s) changed, {failed} failed; {pack}")
        })
    });
    s.add("feeds", move |now| refresh_feeds(&db, now));
    s.spawn(tick)
}
