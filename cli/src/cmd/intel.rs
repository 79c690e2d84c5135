//! `ioclens intel update|status`: fetch the catalogue's public sources and write the intel pack (docs/intel.md).
//!
//! The I/O half only: HTTP (conditional GET, retries, caps), decompression, the data directory and the atomic
//! pack write. What a body means is `core::intel::formats`; the pack layout is `core::intel::pack`.
//!
//! Data directory (`--data-dir`, else `IOCLENS_DATA_DIR`, else the platform data directory + `ioclens`):
//! `intel/state.json` (per-source status, validators), `intel/raw/<name>` (each source's last good body,
//! decompressed), `intel/pack.bin` (the current pack) and `intel/pack.prev` (the one before, for rollback).
#![expect(
    clippy::disallowed_methods,
    reason = "the CLI does the I/O and reads the clock; the ban is for core"
)]
use anyhow::{Context, Result, bail};
use ioclens_core::intel::formats::{self, SourceSpec};
use ioclens_core::intel::pack::{self, Pack, SourceData, SourceMeta};
use ioclens_server::time;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// The default catalogue, compiled in; `--catalogue FILE` replaces it.
const DEFAULT_CATALOGUE: &str = include_str!("../../../data/intel/catalogue.toml");
/// Size cap of a decompressed body when the source sets none.
const DEFAULT_MAX_BYTES: u64 = 256 * 1024 * 1024;

#[derive(clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    command: IntelCommand,
    /// Catalogue of sources (TOML, `[[source]]` tables); default: the built-in `data/intel/catalogue.toml`.
    #[arg(long, global = true, value_name = "FILE")]
    catalogue: Option<PathBuf>,
    /// Data directory (default: `IOCLENS_DATA_DIR`, else the platform data directory + `ioclens`).
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
}

#[derive(clap::Subcommand)]
enum IntelCommand {
    /// Fetch the enabled sources that are due, then write a new intel pack. Exit 1 when a source failed (its
    /// previous data stays in the pack).
    Update(UpdateArgs),
    /// Install the pack an `ioclens serve` publishes (`GET URL/api/v1/intel/pack`), refusing it unless its
    /// ed25519 signature verifies with `--pubkey`. The API key comes from `IOCLENS_API_KEY`.
    Pull(PullArgs),
    /// Each source's status: last success, upstream date, entries, age, last error.
    Status {
        /// `table` (default on a terminal) or `json`.
        #[arg(long)]
        format: Option<String>,
    },
}

#[derive(clap::Args)]
pub(crate) struct UpdateArgs {
    /// Only these sources (comma-separated names; fetched even when disabled or not yet due).
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    only: Vec<String>,
    /// Fetch every enabled source now, ignoring `every`.
    #[arg(long)]
    force: bool,
    /// Seconds allowed for one request, body included.
    #[arg(long, default_value_t = 120, value_name = "SECS")]
    timeout: u64,
    /// Retries after a network error, a timeout, 429 or 5xx (with doubling backoff).
    #[arg(long, default_value_t = 2)]
    retries: u32,
    /// First backoff delay in milliseconds.
    #[arg(long, default_value_t = 1000, value_name = "MS")]
    backoff_ms: u64,
}

#[derive(clap::Args)]
struct PullArgs {
    /// The server's base URL (`http://127.0.0.1:8080`).
    #[arg(long, value_name = "URL")]
    from: String,
    /// The server's pack-signing public key, 64 hex digits (`ioclens serve` prints it).
    #[arg(long, value_name = "HEX")]
    pubkey: String,
    /// Seconds allowed for the download.
    #[arg(long, default_value_t = 300, value_name = "SECS")]
    timeout: u64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct SourceState {
    status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_success: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_attempt: Option<i64>,
    #[serde(default)]
    entries: u64,
    #[serde(default)]
    rejected: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    upstream_date: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_modified: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct State {
    sources: BTreeMap<String, SourceState>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Catalogue {
    source: Vec<SourceSpec>,
}

pub(crate) fn run(args: &Args) -> Result<ExitCode> {
    let catalogue = load_catalogue(args.catalogue.as_deref())?;
    let dir = intel_dir(args.data_dir.as_deref())?;
    match &args.command {
        IntelCommand::Update(u) => update(&catalogue, &dir, u),
        IntelCommand::Status { format } => status(&catalogue, &dir, format.as_deref()),
        IntelCommand::Pull(p) => pull(&dir, p),
    }
}

pub(crate) fn load_catalogue(path: Option<&Path>) -> Result<Vec<SourceSpec>> {
    let text = match path {
        Some(p) => {
            fs::read_to_string(p).with_context(|| format!("reading catalogue {}", p.display()))?
        }
        None => DEFAULT_CATALOGUE.to_owned(),
    };
    let cat: Catalogue = toml::from_str(&text).context("catalogue")?;
    let mut seen = std::collections::HashSet::new();
    for s in &cat.source {
        s.validate().map_err(anyhow::Error::msg)?;
        if time::parse_duration(&s.every).is_none() {
            bail!("source {}: `every` {:?} is not a duration (30m, 1h, 1d)", s.name, s.every);
        }
        if !s.url.starts_with("http://") && !s.url.starts_with("https://") {
            bail!("source {}: url must be http or https", s.name);
        }
        if !seen.insert(s.name.as_str()) {
            bail!("source {} appears twice in the catalogue", s.name);
        }
    }
    Ok(cat.source)
}

/// The data directory's `intel/` folder (shared with `lookup` and `serve`).
fn intel_dir(flag: Option<&Path>) -> Result<PathBuf> {
    ioclens_server::intel::intel_dir(flag)
}

fn read_state(dir: &Path) -> Result<State> {
    match fs::read(dir.join("state.json")) {
        Ok(b) => serde_json::from_slice(&b)
            .context("intel/state.json is not valid (delete it to start over)"),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(State::default()),
        Err(e) => Err(e).context("reading intel/state.json"),
    }
}

/// Writes `bytes` to `path` through a temporary file in the same directory, fsynced, then renamed over it.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    let mut f = fs::File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
    f.write_all(bytes)?;
    f.sync_all()?;
    drop(f);
    fs::rename(&tmp, path).with_context(|| format!("renaming to {}", path.display()))?;
    if let Some(parent) = path.parent()
        && let Ok(d) = fs::File::open(parent)
    {
        let _ = d.sync_all();
    }
    Ok(())
}

enum Fetched {
    Body { bytes: Vec<u8>, etag: Option<String>, last_modified: Option<String> },
    NotModified,
}

struct Http {
    agent: ureq::Agent,
    retries: u32,
    backoff: Duration,
}

impl Http {
    fn new(u: &UpdateArgs) -> Http {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(u.timeout.max(1))))
            .http_status_as_error(false)
            .user_agent(concat!("ioclens/", env!("CARGO_PKG_VERSION"), " (intel update)"))
            .build();
        Http {
            agent: config.into(),
            retries: u.retries,
            backoff: Duration::from_millis(u.backoff_ms),
        }
    }

    fn fetch(&self, spec: &SourceSpec, prev: &SourceState, max: u64) -> Result<Fetched, String> {
        let mut delay = self.backoff;
        let mut attempt = 0;
        loop {
            let tried = if spec.format == "taxii2" {
                self.taxii_pages(spec, max)
            } else {
                self.once(spec, prev, max)
            };
            match tried {
                Ok(f) => return Ok(f),
                Err((msg, retryable)) if retryable && attempt < self.retries => {
                    attempt += 1;
                    let _ = msg;
                    std::thread::sleep(delay);
                    delay *= 2;
                }
                Err((msg, _)) => {
                    return Err(if attempt > 0 {
                        format!("{msg} (after {} attempts)", attempt + 1)
                    } else {
                        msg
                    });
                }
            }
        }
    }

    /// A `taxii2` source: every page of the collection's objects (`more` / `next`, else `added_after` = the
    /// page's `X-TAXII-Date-Added-Last`), merged into one envelope `{"objects": [...]}`; the error says whether a
    /// retry may help.
    fn taxii_pages(&self, spec: &SourceSpec, max: u64) -> Result<Fetched, (String, bool)> {
        /// Ceiling on pages in one update (a server that never says `more: false`).
        const MAX_PAGES: usize = 10_000;
        let auth = auth_header(spec).map_err(|e| (e, false))?;
        let mut objects: Vec<serde_json::Value> = Vec::new();
        let (mut next, mut added_after): (Option<String>, Option<String>) = (None, None);
        let mut total = 0u64;
        for _ in 0..MAX_PAGES {
            let mut req =
                self.agent.get(&spec.url).header("Accept", ioclens_server::api::TAXII_MEDIA_TYPE);
            if let Some(a) = &auth {
                req = req.header("Authorization", a);
            }
            if let Some(n) = &next {
                req = req.query("next", n);
            } else if let Some(a) = &added_after {
                req = req.query("added_after", a);
            }
            let resp = req.call().map_err(|e| (format!("request failed: {e}"), true))?;
            let status = resp.status().as_u16();
            if status != 200 {
                return Err((format!("HTTP {status}"), status == 429 || status >= 500));
            }
            let (last, bytes) = super::taxii::read_page(resp, max.saturating_sub(total))
                .map_err(|e| (format!("reading a page: {e}"), false))?;
            total += bytes.len() as u64;
            let mut page: serde_json::Value = serde_json::from_slice(&bytes)
                .map_err(|e| (format!("a page is not TAXII JSON: {e}"), false))?;
            if let Some(o) = page.get_mut("objects").and_then(serde_json::Value::as_array_mut) {
                objects.append(o);
            }
            let more = page["more"] == serde_json::Value::Bool(true);
            let token = page["next"].as_str().filter(|n| !n.is_empty()).map(str::to_owned);
            match (more, token) {
                (false, _) => {
                    let body = serde_json::to_vec(&serde_json::json!({ "objects": objects }))
                        .map_err(|e| (e.to_string(), false))?;
                    return Ok(Fetched::Body { bytes: body, etag: None, last_modified: None });
                }
                (true, Some(t)) => next = Some(t),
                (true, None) => match last.filter(|l| Some(l) != added_after.as_ref()) {
                    Some(l) => {
                        next = None;
                        added_after = Some(l);
                    }
                    None => {
                        return Err((
                            "`more` without `next` or a newer X-TAXII-Date-Added-Last".to_owned(),
                            false,
                        ));
                    }
                },
            }
        }
        Err((format!("more than {MAX_PAGES} pages"), false))
    }

    /// One request; the error says whether a retry may help.
    fn once(
        &self,
        spec: &SourceSpec,
        prev: &SourceState,
        max: u64,
    ) -> Result<Fetched, (String, bool)> {
        let mut req = self.agent.get(&spec.url);
        if let Some(a) = auth_header(spec).map_err(|e| (e, false))? {
            req = req.header("Authorization", &a);
        }
        if let Some(e) = &prev.etag {
            req = req.header("If-None-Match", e);
        }
        if let Some(m) = &prev.last_modified {
            req = req.header("If-Modified-Since", m);
        }
        let resp = req.call().map_err(|e| {
            let retry = !matches!(e, ureq::Error::BadUri(_) | ureq::Error::TooManyRedirects);
            (format!("request failed: {e}"), retry)
        })?;
        let status = resp.status().as_u16();
        if status == 304 {
            return Ok(Fetched::NotModified);
        }
        if !(200..300).contains(&status) {
            return Err((format!("HTTP {status}"), status == 429 || status >= 500));
        }
        let header =
            |name: &str| resp.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let (etag, last_modified) = (header("etag"), header("last-modified"));
        let bytes = resp.into_body().with_config().limit(max).read_to_vec().map_err(|e| {
            (format!("reading body: {e}"), !matches!(e, ureq::Error::BodyExceedsLimit(_)))
        })?;
        let bytes = decompress(bytes, max).map_err(|e| (e, false))?;
        Ok(Fetched::Body { bytes, etag, last_modified })
    }
}

/// The `Authorization` header of a source with `secret_env` (Basic with `user`, else Bearer), read from the
/// environment at each request; the error names the variable, never its value.
fn auth_header(spec: &SourceSpec) -> Result<Option<String>, String> {
    let Some(var) = &spec.secret_env else { return Ok(None) };
    let secret = std::env::var(var)
        .ok()
        .filter(|v| !v.is_empty())
        .ok_or_else(|| format!("the environment variable {var} (secret_env) is not set"))?;
    Ok(Some(match &spec.user {
        Some(u) => {
            use base64::Engine as _;
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{u}:{secret}"))
            )
        }
        None => format!("Bearer {secret}"),
    }))
}

/// gzip (`1f 8b`) and zip (`PK\3\4`, the first file) bodies are decompressed, capped at `max` bytes.
fn decompress(bytes: Vec<u8>, max: u64) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    if bytes.starts_with(&[0x1f, 0x8b]) {
        flate2::read::MultiGzDecoder::new(&bytes[..])
            .take(max + 1)
            .read_to_end(&mut out)
            .map_err(|e| format!("gzip body: {e}"))?;
    } else if bytes.starts_with(b"PK\x03\x04") {
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&bytes))
            .map_err(|e| format!("zip body: {e}"))?;
        let file = archive.by_index(0).map_err(|e| format!("zip body: {e}"))?;
        file.take(max + 1).read_to_end(&mut out).map_err(|e| format!("zip body: {e}"))?;
    } else {
        return Ok(bytes);
    }
    if out.len() as u64 > max {
        return Err(format!("decompressed body over the {max}-byte cap"));
    }
    Ok(out)
}

fn raw_path(dir: &Path, name: &str) -> PathBuf {
    dir.join("raw").join(name)
}

/// Whether `spec` is due; `jitter` adds the source's own offset (`serve --sync`; not a cron'd `intel update`,
/// which would then skip a whole run).
fn due(spec: &SourceSpec, st: &SourceState, now: i64, jitter: bool) -> bool {
    let every = time::parse_duration(&spec.every).unwrap_or(0);
    let offset = if jitter { ioclens_server::sync::jitter(&spec.name, every) } else { 0 };
    ioclens_server::sync::is_due(st.last_attempt, every, offset, now)
}

impl UpdateArgs {
    /// What `serve --sync` runs on each tick: the due sources, with the usual timeout and retries.
    pub(crate) fn scheduled() -> UpdateArgs {
        UpdateArgs { only: Vec::new(), force: false, timeout: 120, retries: 2, backoff_ms: 1000 }
    }
}

fn update(catalogue: &[SourceSpec], dir: &Path, u: &UpdateArgs) -> Result<ExitCode> {
    let (changed, failed) = update_sources(catalogue, dir, u, false)?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "intel update: {changed} source(s) changed, {failed} failed; pack {}",
        dir.join("pack.bin").display()
    )?;
    Ok(if failed > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// Fetches the sources that are due (or `u.only`), rebuilds the pack when one changed; (changed, failed).
pub(crate) fn update_sources(
    catalogue: &[SourceSpec],
    dir: &Path,
    u: &UpdateArgs,
    jitter: bool,
) -> Result<(usize, usize)> {
    for name in &u.only {
        if !catalogue.iter().any(|s| &s.name == name) {
            bail!("--only: no source named {name:?} in the catalogue");
        }
    }
    fs::create_dir_all(dir.join("raw")).with_context(|| format!("creating {}", dir.display()))?;
    let mut state = read_state(dir)?;
    let http = Http::new(u);
    let tty = !jitter && std::io::stderr().is_terminal();
    let mut parsed: HashMap<String, formats::Parsed> = HashMap::new();
    let (mut changed, mut failed) = (0usize, 0usize);
    for spec in catalogue {
        let picked = if u.only.is_empty() { spec.enabled } else { u.only.contains(&spec.name) };
        let st = state.sources.entry(spec.name.clone()).or_default();
        if st.status.is_empty() {
            "never".clone_into(&mut st.status);
        }
        if !picked || (u.only.is_empty() && !u.force && !due(spec, st, time::now(), jitter)) {
            continue;
        }
        let started = Instant::now();
        let now = time::now();
        st.last_attempt = Some(now);
        let max = spec.max_bytes.unwrap_or(DEFAULT_MAX_BYTES);
        let outcome = http.fetch(spec, st, max).and_then(|f| match f {
            Fetched::NotModified => Ok(None),
            // A source that sends no validators (or new ones for the same bytes) is not modified either: the
            // pack, its date and its signature stay as they are.
            Fetched::Body { bytes, etag, last_modified }
                if fs::read(raw_path(dir, &spec.name)).is_ok_and(|old| old == bytes) =>
            {
                st.etag = etag;
                st.last_modified = last_modified;
                Ok(None)
            }
            Fetched::Body { bytes, etag, last_modified } => {
                let p = formats::parse(&bytes, spec).map_err(|e| e.to_string())?;
                Ok(Some((bytes, p, etag, last_modified)))
            }
        });
        let line = match outcome {
            Ok(None) => {
                "ok".clone_into(&mut st.status);
                st.error = None;
                st.last_success = Some(now);
                "not modified".to_owned()
            }
            Ok(Some((bytes, p, etag, last_modified))) => {
                write_atomic(&raw_path(dir, &spec.name), &bytes)?;
                changed += 1;
                "ok".clone_into(&mut st.status);
                st.error = None;
                st.last_success = Some(now);
                st.entries = p.entries.len() as u64;
                st.rejected = p.rejected as u64;
                st.upstream_date = p.upstream_date;
                st.etag = etag;
                st.last_modified = last_modified;
                let msg = format!("{} entries, {} lines rejected", p.entries.len(), p.rejected);
                parsed.insert(spec.name.clone(), p);
                msg
            }
            Err(e) => {
                failed += 1;
                "failed".clone_into(&mut st.status);
                st.error = Some(e.clone());
                format!("FAILED: {e} (previous data kept)")
            }
        };
        if tty {
            eprintln!("{:<28} {line} ({:.1} s)", spec.name, started.elapsed().as_secs_f64());
        }
    }
    let pack_path = dir.join("pack.bin");
    if changed > 0 || !pack_path.exists() {
        let bytes = build_pack(catalogue, dir, &state, parsed)?;
        replace_pack(dir, &bytes)?;
    }
    write_atomic(&dir.join("state.json"), &serde_json::to_vec_pretty(&state)?)?;
    Ok((changed, failed))
}

/// Every catalogue source with a stored body goes into the pack (re-parsed unless just fetched).
fn build_pack(
    catalogue: &[SourceSpec],
    dir: &Path,
    state: &State,
    mut parsed: HashMap<String, formats::Parsed>,
) -> Result<Vec<u8>> {
    let mut data = Vec::new();
    for spec in catalogue {
        let Some(st) = state.sources.get(&spec.name) else { continue };
        let p = match parsed.remove(&spec.name) {
            Some(p) => p,
            None => match fs::read(raw_path(dir, &spec.name)) {
                Ok(bytes) => match formats::parse(&bytes, spec) {
                    Ok(p) => p,
                    Err(_) => continue,
                },
                Err(_) => continue,
            },
        };
        data.push(SourceData {
            meta: SourceMeta {
                name: spec.name.clone(),
                category: spec.category.clone(),
                format: spec.format.clone(),
                confidence: spec.confidence,
                fetched_at: st.last_success.unwrap_or(0),
                upstream_date: p.upstream_date,
                entries: 0,
            },
            entries: p.entries,
        });
    }
    let bytes = pack::write(&data, time::now()).map_err(anyhow::Error::msg)?;
    Pack::from_bytes(&bytes)
        .map_err(|e| anyhow::anyhow!("the pack just written does not read back: {e}"))?;
    Ok(bytes)
}

/// Installs `bytes` as `pack.bin`, the current one becoming `pack.prev`: checksum and records verified first.
fn install(dir: &Path, bytes: &[u8]) -> Result<()> {
    Pack::from_bytes(bytes).map_err(|e| anyhow::anyhow!("refused: {e}"))?;
    fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    replace_pack(dir, bytes)
}

/// Makes `bytes` the new `pack.bin`, the pack it replaces becoming `pack.prev`, without a moment when `pack.bin`
/// is missing (a server reading the directory meanwhile sees the old pack or the new one): the old file is
/// linked (else copied) to a temporary name renamed over `pack.prev`, then the new one is renamed over `pack.bin`.
fn replace_pack(dir: &Path, bytes: &[u8]) -> Result<()> {
    let bin = dir.join("pack.bin");
    if bin.exists() {
        let tmp = dir.join(format!("pack.prev.tmp-{}", std::process::id()));
        let _ = fs::remove_file(&tmp);
        if fs::hard_link(&bin, &tmp).is_err() {
            fs::copy(&bin, &tmp).context("keeping the previous pack")?;
        }
        fs::rename(&tmp, dir.join("pack.prev")).context("keeping the previous pack")?;
    }
    write_atomic(&bin, bytes)
}

#[expect(clippy::disallowed_methods, reason = "the CLI reads the API key from the environment")]
fn pull(dir: &Path, p: &PullArgs) -> Result<ExitCode> {
    let key = ioclens_server::intel::parse_public_key(&p.pubkey)
        .map_err(|e| anyhow::anyhow!("--pubkey: {e}"))?;
    let etag_path = dir.join("pull-etag");
    let etag =
        if dir.join("pack.bin").exists() { fs::read_to_string(&etag_path).ok() } else { None };
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(p.timeout.max(1))))
        .http_status_as_error(false)
        .user_agent(concat!("ioclens/", env!("CARGO_PKG_VERSION"), " (intel pull)"))
        .build()
        .into();
    let url = format!("{}/api/v1/intel/pack", p.from.trim_end_matches('/'));
    let mut req = agent.get(&url);
    if let Some(k) = std::env::var("IOCLENS_API_KEY").ok().filter(|k| !k.trim().is_empty()) {
        req = req.header("Authorization", &format!("Bearer {k}"));
    }
    if let Some(e) = &etag {
        req = req.header("If-None-Match", e.trim());
    }
    let resp = req.call().map_err(|e| anyhow::anyhow!("GET {url}: {e}"))?;
    let status = resp.status().as_u16();
    let mut out = std::io::stdout().lock();
    if status == 304 {
        writeln!(out, "intel pull: not modified; pack {}", dir.join("pack.bin").display())?;
        return Ok(ExitCode::SUCCESS);
    }
    if status != 200 {
        bail!("GET {url}: HTTP {status}");
    }
    let header =
        |name: &str| resp.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let signature = header("x-ioclens-signature")
        .ok_or_else(|| anyhow::anyhow!("refused: the server sent no X-Ioclens-Signature"))?;
    let new_etag = header("etag");
    let bytes = resp
        .into_body()
        .with_config()
        .limit(4 * 1024 * 1024 * 1024)
        .read_to_vec()
        .map_err(|e| anyhow::anyhow!("reading the pack: {e}"))?;
    ioclens_server::intel::verify(&key, &bytes, &signature)
        .map_err(|e| anyhow::anyhow!("refused: {e}; nothing installed"))?;
    install(dir, &bytes)?;
    match new_etag {
        Some(e) => write_atomic(&etag_path, e.as_bytes())?,
        None => {
            let _ = fs::remove_file(&etag_path);
        }
    }
    let entries = Pack::open(&bytes).map_or(0, |p| p.len());
    writeln!(
        out,
        "intel pull: signed pack installed ({entries} entries); pack {}",
        dir.join("pack.bin").display()
    )?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct StatusRow<'a> {
    name: &'a str,
    enabled: bool,
    category: &'a str,
    format: &'a str,
    status: &'a str,
    entries: u64,
    fetched_at: Option<String>,
    upstream_date: Option<String>,
    age_seconds: Option<i64>,
    age_days: Option<i64>,
    error: Option<&'a str>,
    licence: &'a str,
}

fn status(catalogue: &[SourceSpec], dir: &Path, format: Option<&str>) -> Result<ExitCode> {
    let state = read_state(dir)?;
    let now = time::now();
    let empty = SourceState::default();
    let rows: Vec<StatusRow> = catalogue
        .iter()
        .map(|spec| {
            let st = state.sources.get(&spec.name).unwrap_or(&empty);
            StatusRow {
                name: &spec.name,
                enabled: spec.enabled,
                category: &spec.category,
                format: &spec.format,
                status: if st.status.is_empty() { "never" } else { &st.status },
                entries: st.entries,
                fetched_at: st.last_success.map(time::format),
                upstream_date: st.upstream_date.map(time::format),
                age_seconds: st.last_success.map(|t| (now - t).max(0)),
                age_days: st.last_success.map(|t| (now - t).max(0) / 86_400),
                error: st.error.as_deref(),
                licence: &spec.licence,
            }
        })
        .collect();
    let json = match format {
        Some("json") => true,
        Some("table") => false,
        Some(other) => {
            return Err(crate::output::usage(format!("--format {other}: use json or table")));
        }
        None => !std::io::stdout().is_terminal(),
    };
    let mut out = std::io::stdout().lock();
    if json {
        let pack = fs::read(dir.join("pack.bin")).ok();
        let pack_info = pack.as_deref().map(|b| match Pack::from_bytes(b) {
            Ok(p) => {
                serde_json::json!({"entries": p.len(), "created_at": time::format(p.created_at())})
            }
            Err(e) => serde_json::json!({"error": e.to_string()}),
        });
        let doc = serde_json::json!({"data_dir": dir.display().to_string(), "pack": pack_info, "sources": rows});
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
    } else {
        writeln!(
            out,
            "{:<28} {:<7} {:>9} {:<20} {:<20} {:>6}  error",
            "source", "status", "entries", "fetched", "upstream", "age d"
        )?;
        for r in &rows {
            writeln!(
                out,
                "{:<28} {:<7} {:>9} {:<20} {:<20} {:>6}  {}",
                format!("{}{}", r.name, if r.enabled { "" } else { " (off)" }),
                r.status,
                r.entries,
                r.fetched_at.as_deref().unwrap_or("-"),
                r.upstream_date.as_deref().unwrap_or("-"),
                r.age_days.map_or("-".to_owned(), |a| format!("{a}")),
                r.error.unwrap_or("")
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
