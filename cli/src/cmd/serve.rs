//! `ioclens serve`: the lookup and feed API (and the web page) on 127.0.0.1:8080 by default.
use anyhow::{Context as _, Result};
use ioclens_server::ingest::{self, FeedSpec};
use ioclens_server::store::{self, Category, Level};
use ioclens_server::{Config, keys, sectors, time};
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// The store: an `SQLite` file (created when missing; default `ioclens.db`) or
    /// `postgres://USER@HOST:PORT/DB` (default `IOCLENS_DATABASE_URL`; the password from `PGPASSWORD` or the file
    /// named by `IOCLENS_DATABASE_PASSWORD_FILE`, never the URL). Replicas may share one `PostgreSQL` store.
    #[arg(long)]
    db: Option<PathBuf>,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Static files served at `/` (default: `www/dist` when it exists).
    #[arg(long, value_name = "DIR")]
    www: Option<PathBuf>,
    /// Load the demo feed (a small STIX bundle plus built-in Maltrail) and print a demo API key.
    #[arg(long)]
    demo: bool,
    /// Let pages from ORIGIN call the API from a browser (CORS; repeat for more). `scheme://host[:port]`,
    /// `scheme://*` (e.g. `moz-extension://*`) or `*`. Default: none (the page served here is same-origin, and
    /// an extension granted access to this server needs no CORS).
    #[arg(long = "cors-origin", value_name = "ORIGIN")]
    cors_origin: Vec<String>,
    /// Worker threads (default: one per core). Also the default number of store connections.
    #[arg(long)]
    threads: Option<usize>,
    /// Also answer requests whose `Host` is NAME (repeat for more; e.g. the name a reverse proxy forwards).
    /// By default only the listen address's own names are answered (and `localhost` on a loopback bind);
    /// anything else gets 421, which keeps DNS-rebinding pages out.
    #[arg(long = "allowed-host", value_name = "NAME")]
    allowed_host: Vec<String>,
    /// Seconds a client has to send a request's headers (also the longest a kept-alive connection waits idle
    /// for its next request).
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    header_timeout: u64,
    /// Seconds without a byte moving either way before a connection is closed; also the most a request body
    /// may take to arrive.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    idle_timeout: u64,
    /// Connections served at once (more wait in the kernel's queue). Keep it under the open-file limit.
    #[arg(long, value_name = "N", default_value_t = 200)]
    max_connections: usize,
    /// Connections served at once for one client address (more are closed at once). Behind a reverse proxy
    /// every client has the proxy's address: raise it to `--max-connections`.
    #[arg(long, value_name = "N", default_value_t = 50)]
    max_connections_per_client: usize,
    /// Store connections, opened once: at most N requests read the store at a time (default: `--threads`, else
    /// one per core, 2 to 8).
    #[arg(long, value_name = "N")]
    store_connections: Option<usize>,
    /// Requests that may wait for a store connection; more are answered 503 with `Retry-After`.
    #[arg(long, value_name = "N", default_value_t = 64)]
    queue: usize,
    /// Seconds a request may spend in the store before its query is stopped (503 `query_timeout`).
    #[arg(long, value_name = "SECONDS", default_value_t = 5)]
    query_timeout: u64,
    /// Data directory whose newest intel pack lookups use (default: `IOCLENS_DATA_DIR`, else the platform data
    /// directory + `ioclens`); the pack is reloaded when `ioclens intel update` replaces it.
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Keep current in the background: fetch the catalogue's enabled sources on their own intervals into the
    /// data directory's intel pack (republished when one changed), and refresh the feeds added with `feed add
    /// URL --every`.
    #[arg(long)]
    sync: bool,
    /// Catalogue for `--sync` (default: the built-in `data/intel/catalogue.toml`).
    #[arg(long, value_name = "FILE", requires = "sync")]
    catalogue: Option<PathBuf>,
    /// Milliseconds between two looks for due work under `--sync`.
    #[arg(long, value_name = "MS", default_value_t = 30_000, requires = "sync")]
    sync_tick_ms: u64,
}

impl Args {
    fn limits(&self) -> ioclens_server::api::Limits {
        let d = ioclens_server::api::Limits::default();
        ioclens_server::api::Limits {
            header_read_timeout: Duration::from_secs(self.header_timeout.max(1)),
            idle_timeout: Duration::from_secs(self.idle_timeout.max(1)),
            max_connections: self.max_connections.max(1),
            max_connections_per_client: self.max_connections_per_client.max(1),
            store_connections: self
                .store_connections
                .or(self.threads)
                .unwrap_or(d.store_connections)
                .max(1),
            queue: self.queue,
            query_timeout: Duration::from_secs(self.query_timeout.max(1)),
        }
    }
}

fn load_demo(db: &std::path::Path) -> Result<String> {
    let mut conn = store::open(db)?;
    let now = time::now();
    let demo = FeedSpec {
        name: "ioclens-demo".to_owned(),
        category: Category::Government,
        confidence: Level::High,
        sectors: sectors::mask(["energy", "financial-services"]).map_err(anyhow::Error::msg)?,
        tags: vec!["demo".to_owned()],
        reference_url: None,
        first_seen: None,
        last_seen: None,
    };
    ingest::ingest(&mut conn, &demo, ingest::parse_text(ingest::DEMO_STIX, "json")?, now, &|_| {})?;
    let maltrail = FeedSpec {
        name: "maltrail".to_owned(),
        category: Category::Community,
        confidence: Level::Medium,
        sectors: 0,
        tags: Vec::new(),
        reference_url: Some(ingest::BUILTINS[1].1.to_owned()),
        first_seen: None,
        last_seen: None,
    };
    ingest::ingest(&mut conn, &maltrail, ingest::builtin("maltrail")?, now, &|_| {})?;
    let (key, _) = keys::demo(&conn, now)?;
    Ok(key)
}

impl Args {
    /// `--db`, else `IOCLENS_DATABASE_URL`, else `ioclens.db`.
    fn store(&self) -> PathBuf {
        self.db
            .clone()
            .or_else(|| ioclens_server::store_pg::env_url().map(PathBuf::from))
            .unwrap_or_else(|| PathBuf::from("ioclens.db"))
    }
}

pub(crate) fn run(args: &Args) -> Result<ExitCode> {
    let cors = ioclens_server::api::Cors::new(&args.cors_origin).map_err(anyhow::Error::msg)?;
    // Checked here too, so a bad name fails before the demo feed loads.
    ioclens_server::api::Hosts::for_listen(args.listen, &args.allowed_host)
        .map_err(anyhow::Error::msg)?;
    let www = args.www.clone().or_else(|| Some(PathBuf::from("www/dist")).filter(|p| p.is_dir()));
    let mut err = std::io::stderr();
    let demo_key = if args.demo {
        let key = load_demo(&args.store()).context("loading the demo feed")?;
        let _ = writeln!(
            err,
            "ioclens: demo feed loaded; demo API key ({} requests per minute): {key}",
            keys::DEFAULT_RATE_LIMIT
        );
        Some(key)
    } else {
        None
    };
    let limits = args.limits();
    let mut rt = tokio::runtime::Builder::new_multi_thread();
    rt.enable_all();
    // Blocking threads: one per store connection (feed pages, health) plus a few for static files; never the
    // default 512.
    rt.max_blocking_threads(limits.store_connections + 4);
    if let Some(n) = args.threads {
        rt.worker_threads(n.max(1));
    }
    let rt = rt.build().context("starting the async runtime")?;
    let intel_dir = ioclens_server::intel::intel_dir(args.data_dir.as_deref())?;
    if args.sync {
        let plan = super::sync::Plan {
            db: args.store(),
            intel_dir: intel_dir.clone(),
            catalogue: super::intel::load_catalogue(args.catalogue.as_deref())?,
            tick: Duration::from_millis(args.sync_tick_ms.max(10)),
        };
        // SQLite: one server per store, it always leads. PostgreSQL: the replicas elect one through an
        // advisory lock (store_pg::Elected), so a source is fetched once per fleet.
        let leader: std::sync::Arc<dyn ioclens_server::sync::Leader> =
            match args.store().to_str().filter(|db| ioclens_server::store_pg::is_url(db)) {
                Some(url) => {
                    std::sync::Arc::new(ioclens_server::store_pg::Elected::new(url, "sync"))
                }
                None => std::sync::Arc::new(ioclens_server::sync::Solo),
            };
        super::sync::start(plan, leader);
    }
    let key =
        ioclens_server::intel::signing_key(&intel_dir).context("the intel pack signing key")?;
    let intel = std::sync::Arc::new(
        ioclens_server::intel::Live::new(intel_dir, Duration::from_secs(2)).with_key(key),
    );
    if let Some(public) = intel.public_key() {
        let _ = writeln!(
            err,
            "ioclens: intel packs at /api/v1/intel/pack are signed; public key (for `ioclens intel pull --pubkey`): {public}"
        );
    }
    match intel.current() {
        Some(p) => {
            let _ = writeln!(
                err,
                "ioclens: intel pack {} ({} entries)",
                intel.dir().join("pack.bin").display(),
                p.pack().len()
            );
        }
        None => {
            let _ = writeln!(
                err,
                "ioclens: no intel pack in {}: embedded intel only",
                intel.dir().display()
            );
        }
    }
    let db = args.store();
    let page = www.is_some();
    let config = Config {
        db,
        listen: args.listen,
        www,
        cors,
        allowed_hosts: args.allowed_host.clone(),
        limits,
        intel: Some(intel),
        providers: None,
    };
    rt.block_on(ioclens_server::serve(config, |bound| {
        // Printed only once the bind has succeeded, with the port actually bound (also for `:0`).
        let _ = writeln!(err, "ioclens: serving {} on http://{bound}", args.store().display());
        if !page {
            let _ = writeln!(err, "ioclens: {}", ioclens_server::api::NO_PAGE);
        }
        if let Some(key) = &demo_key {
            let _ = writeln!(
                err,
                "ioclens: try  curl -g -H 'Authorization: Bearer {key}' 'http://{bound}/api/v1/lookup?ioc=admin-panels[.]info'"
            );
        }
    }))?;
    Ok(ExitCode::SUCCESS)
}
