//! HTTP: routes, authentication, rate limits, the JSON error envelope, lookup, the feed, static files.
use crate::normalize::{MAX_VALUE_LEN, normalize};
use crate::store::{self, Category, Filters, Level, Row};
use crate::{keys, sectors, time};
use anyhow::{Context as _, Result};
use axum::Router;
use axum::body::Body;
use axum::extract::{RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use ioclens_core::IocKind;
use ioclens_core::LookupOptions;
use ioclens_core::intel::pack::LoadedPack;
use ioclens_core::query::QueryOptions;
use ioclens_core::query::tlp::{TLP_CREATED, TLP_EXTENSION, Tlp, tlp_of_tags};
use ioclens_core::score::EvidenceStatus;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use store::Backend;

mod pooled;
mod providers;
mod taxii;
pub use providers::ServerProviders;
pub use taxii::{
    API_ROOT as TAXII_API_ROOT, STIX as STIX_MEDIA_TYPE, TAXII as TAXII_MEDIA_TYPE,
    collection_id as taxii_collection_id,
};

/// The `OpenAPI` 3.1 description served at `/api/v1/openapi.json`.
pub const OPENAPI: &str = include_str!("../openapi.json");

/// Largest request body accepted (a 1,000-value batch of 2,048-character values with JSON overhead fits).
pub const MAX_BODY: usize = 4 * 1024 * 1024;
/// Most values in one `POST /api/v1/lookup`.
pub const MAX_BATCH: usize = 1000;
/// Largest feed page.
pub const MAX_LIMIT: i64 = 1000;
/// Largest `offset` (deep pages use the cursor).
pub const MAX_OFFSET: i64 = 10_000;
/// Longest query string.
pub const MAX_QUERY: usize = 8192;

/// Server settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// `SQLite` store path.
    pub db: PathBuf,
    /// Listen address.
    pub listen: SocketAddr,
    /// Static files served at `/` (the web page), when present.
    pub www: Option<PathBuf>,
    /// Origins allowed to call `/api/` from a browser (CORS).
    pub cors: Cors,
    /// Extra `Host` names answered (`--allowed-host`, for a reverse proxy), besides the listen address.
    pub allowed_hosts: Vec<String>,
    /// Connection and work limits.
    pub limits: Limits,
    /// The intel pack lookups use (reloaded when it changes); `None`: the embedded intel only.
    pub intel: Option<Arc<crate::intel::Live>>,
    /// Enrichment provider keys and URLs (`?providers=`); `None`: [`ServerProviders::from_env`] at start.
    pub providers: Option<Arc<ServerProviders>>,
}

/// What one client, or many, may cost the server. Every bound has a safe default; `ioclens serve` exposes each
/// as a flag (docs/api.md, "Limits").
#[derive(Debug, Clone)]
pub struct Limits {
    /// Time a client has to send a request's headers, from the moment the server waits for them (a new
    /// connection, or a kept-alive one between requests); then the connection is closed (slowloris).
    pub header_read_timeout: Duration,
    /// A connection on which no byte moves either way for this long is closed (stalled bodies, clients that
    /// stop reading); also the most a request body may take to arrive.
    pub idle_timeout: Duration,
    /// Connections served at once; further clients wait in the kernel's accept queue until one closes.
    pub max_connections: usize,
    /// Connections served at once for one client address; more are closed at once.
    pub max_connections_per_client: usize,
    /// Store connections, opened once at start: at most this many requests read the store at a time.
    pub store_connections: usize,
    /// Requests waiting for a store connection; more are answered `503` with `Retry-After`.
    pub queue: usize,
    /// Longest a request may spend in the store; then its query is interrupted (`503 query_timeout`).
    pub query_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
        Self {
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_mins(1),
            max_connections: 200,
            max_connections_per_client: 50,
            store_connections: cores.clamp(2, 8),
            queue: 64,
            query_timeout: Duration::from_secs(5),
        }
    }
}

/// The `Host` values the server answers: names of its own listen address (and `localhost` for a loopback
/// bind) plus the operator's `--allowed-host` names. A page that rebinds its own DNS name to 127.0.0.1 still
/// sends its own name as `Host`, so it is refused (DNS rebinding); an IP literal cannot be rebound.
#[derive(Debug, Clone)]
pub struct Hosts {
    /// Lower-cased names without port (IPv6 without brackets).
    names: Vec<String>,
    /// Any IP literal is accepted (a wildcard bind answers on every address of the machine).
    any_ip: bool,
}

impl Default for Hosts {
    /// Loopback names only: what a server on 127.0.0.1 answers.
    fn default() -> Self {
        Self { names: vec!["127.0.0.1".into(), "::1".into(), "localhost".into()], any_ip: false }
    }
}

impl Hosts {
    /// The names for a listen address plus `extra` (`--allowed-host`).
    ///
    /// # Errors
    /// An extra name that is not a host name or IP literal (no port, scheme or path).
    pub fn for_listen<S: AsRef<str>>(
        listen: SocketAddr,
        extra: impl IntoIterator<Item = S>,
    ) -> Result<Self, String> {
        let ip = listen.ip();
        let mut names = vec![ip.to_string()];
        if ip.is_loopback() || ip.is_unspecified() {
            names.push("localhost".into());
        }
        for e in extra {
            let e = e.as_ref().trim().trim_end_matches('.').to_ascii_lowercase();
            let e = e.strip_prefix('[').and_then(|e| e.strip_suffix(']')).unwrap_or(&e).to_owned();
            let name_ok = !e.is_empty()
                && e.len() <= 253
                && e.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_');
            if !name_ok && e.parse::<std::net::IpAddr>().is_err() {
                return Err(format!(
                    "allowed host `{e}` is not a host name or IP address (give the name alone, no port or scheme)"
                ));
            }
            names.push(e);
        }
        Ok(Self { names, any_ip: ip.is_unspecified() })
    }

    /// Whether a request's `Host` value (`name`, `name:port`, `[v6]:port`) is answered.
    pub fn allows(&self, host: &str) -> bool {
        let host = host.trim();
        let (name, port) = if let Some(rest) = host.strip_prefix('[') {
            let Some((name, after)) = rest.split_once(']') else { return false };
            (name, after.strip_prefix(':'))
        } else {
            match host.rsplit_once(':') {
                Some((n, p)) => (n, Some(p)),
                None => (host, None),
            }
        };
        if port.is_some_and(|p| p.parse::<u16>().is_err()) || name.is_empty() {
            return false;
        }
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        self.names.contains(&name) || (self.any_ip && name.parse::<std::net::IpAddr>().is_ok())
    }
}

/// The origins whose pages may call `/api/` cross-origin (CORS). Empty by default: the page served by the
/// server itself is same-origin and needs no CORS, and an extension granted host permission for the server is
/// not subject to CORS either. The API is authenticated by a header the browser never adds on its own (no
/// cookies, so no `Access-Control-Allow-Credentials`), so allowing an origin lets its page use a key the user
/// gives it, nothing more.
#[derive(Debug, Clone, Default)]
pub struct Cors {
    /// Lower-cased patterns: `*`, an exact origin (`https://soc.example:8443`), or `scheme://*`.
    patterns: Vec<String>,
}

impl Cors {
    /// Parses `--cors-origin` values: `*` (any origin), an origin `scheme://host[:port]` (no path), or
    /// `scheme://*` (every origin of that scheme, e.g. `moz-extension://*`, whose ids differ per install).
    ///
    /// # Errors
    /// A value that is none of these, with the reason.
    pub fn new<S: AsRef<str>>(origins: impl IntoIterator<Item = S>) -> Result<Self, String> {
        let mut patterns = Vec::new();
        for o in origins {
            let o = o.as_ref().trim().to_ascii_lowercase();
            let ok = o == "*"
                || o.split_once("://").is_some_and(|(scheme, rest)| {
                    !scheme.is_empty()
                        && scheme.bytes().all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
                        && !rest.is_empty()
                        && !rest.contains(['/', '?', '#', ' '])
                        && (rest == "*" || !rest.contains('*'))
                });
            if !ok {
                return Err(format!(
                    "CORS origin `{o}` is not `*`, `scheme://host[:port]` (no path) or `scheme://*`"
                ));
            }
            patterns.push(o);
        }
        Ok(Self { patterns })
    }

    /// True when no origin is allowed.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// Whether a request's `Origin` is allowed.
    pub fn allows(&self, origin: &str) -> bool {
        let origin = origin.to_ascii_lowercase();
        self.patterns.iter().any(|p| {
            p == "*"
                || *p == origin
                || p.strip_suffix('*')
                    .is_some_and(|scheme| origin.len() > scheme.len() && origin.starts_with(scheme))
        })
    }
}

/// The store connections: a fixed set opened once at start (`Limits::store_connections`), each lent to one
/// request at a time. A request waits for one in a bounded queue; past the bound it is refused at once
/// ([`Busy`]). While lent, a connection interrupts any statement running past the request's deadline.
#[derive(Clone)]
struct Pool(Arc<PoolInner>);

struct PoolInner {
    idle: Mutex<Vec<Box<dyn Backend>>>,
    /// The store is shared by replicas (`PostgreSQL`): rate limits are counted in it.
    shared: bool,
    permits: Arc<tokio::sync::Semaphore>,
    waiting: std::sync::atomic::AtomicUsize,
    queue: usize,
    query_timeout: Duration,
}

/// Every store connection is busy and the queue is full: the request is answered `503` with `Retry-After`.
#[derive(Debug)]
struct Busy;

impl std::fmt::Display for Busy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the server is busy")
    }
}

impl std::error::Error for Busy {}

struct Pooled {
    pool: Pool,
    conn: Option<Box<dyn Backend>>,
    _permit: tokio::sync::OwnedSemaphorePermit,
}

impl std::ops::Deref for Pooled {
    type Target = dyn Backend;
    fn deref(&self) -> &(dyn Backend + 'static) {
        self.conn.as_deref().unwrap_or_else(|| unreachable!("connection taken only on drop"))
    }
}

impl Drop for Pooled {
    fn drop(&mut self) {
        if let Some(c) = self.conn.take() {
            c.set_deadline(None);
            lock(&self.pool.0.idle).push(c);
        }
    }
}

/// Locks a mutex even when a panicking request poisoned it: the guarded data (idle connections, counters,
/// cached keys) stays valid across a panic, and refusing it would turn one panic into a slow server.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A pooled connection: the store, with reads served from the memory-mapped file rather than `pread` copies
/// into each connection's page cache (the copies showed in the profile under load; writes still go through
/// the WAL). The pool is fixed, so the file is mapped `store_connections` times, not once per request.
fn open_reader(path: &std::path::Path) -> Result<Box<dyn Backend>> {
    let c = store::open(path)?;
    c.pragma_update(None, "mmap_size", 256_i64 << 20)?;
    Ok(Box::new(c))
}

impl Pool {
    fn open(path: &std::path::Path, limits: &Limits) -> Result<Self> {
        let n = limits.store_connections.max(1);
        // A `postgres://` URL: `n` connections per replica (docs/deploy.md, "Connections").
        let url = path.to_str().filter(|p| crate::store_pg::is_url(p));
        let conns = match url {
            Some(url) => crate::store_pg::open_pool(url, n, limits.query_timeout)?,
            None => (0..n).map(|_| open_reader(path)).collect::<Result<Vec<_>>>()?,
        };
        Ok(Self(Arc::new(PoolInner {
            idle: Mutex::new(conns),
            shared: url.is_some(),
            permits: Arc::new(tokio::sync::Semaphore::new(n)),
            waiting: std::sync::atomic::AtomicUsize::new(0),
            queue: limits.queue,
            query_timeout: limits.query_timeout,
        })))
    }

    /// A connection for one request, its statements interrupted after `query_timeout`.
    async fn get(&self) -> Result<Pooled> {
        let p = &self.0;
        let permit = if let Ok(permit) = p.permits.clone().try_acquire_owned() {
            permit
        } else {
            if p.waiting.fetch_add(1, Ordering::AcqRel) >= p.queue {
                p.waiting.fetch_sub(1, Ordering::AcqRel);
                return Err(Busy.into());
            }
            let permit = p.permits.clone().acquire_owned().await;
            p.waiting.fetch_sub(1, Ordering::AcqRel);
            permit.context("the store pool is closed")?
        };
        let conn = lock(&p.idle)
            .pop()
            .unwrap_or_else(|| unreachable!("a permit is held only with an idle connection"));
        let deadline = Instant::now() + p.query_timeout;
        conn.set_deadline(Some(deadline));
        Ok(Pooled { pool: self.clone(), conn: Some(conn), _permit: permit })
    }
}

/// How long a verified key is trusted without asking the store again. Keys are revoked by another process
/// (`ioclens keys revoke`), so this bounds how long a revoked key keeps working.
pub const KEY_RECHECK: Duration = Duration::from_secs(1);
/// Most verified keys remembered (the cache is emptied when full; only valid keys are cached, so unknown keys
/// sprayed at the server cannot grow it).
const KEY_CACHE_MAX: usize = 4096;

struct AppState {
    pool: Pool,
    /// The web root, resolved (symlinks followed) once at start.
    www: Option<PathBuf>,
    cors: Cors,
    hosts: Hosts,
    limits: Limits,
    intel: Option<Arc<crate::intel::Live>>,
    providers: Arc<ServerProviders>,
    /// Verified keys by SHA-256: `(id, rate_limit, verified_at)`.
    verified: Mutex<HashMap<[u8; 32], (i64, i64, Instant)>>,
    /// Per-key sliding windows (`keys::Window`).
    windows: Mutex<HashMap<i64, keys::Window>>,
    /// The rate limit's monotonic clock starts here.
    started: Instant,
    seq: AtomicU64,
    seed: u64,
}

type Shared = Arc<AppState>;

/// The request id, set by the middleware on every request.
#[derive(Clone)]
struct RequestId(String);

/// An API error: rendered as `{"error": {"code", "message", "request_id"}}`.
#[derive(Debug)]
struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    request_id: String,
    /// Seconds for `Retry-After` (503 when the server is busy).
    retry_after: Option<u64>,
}

impl ApiError {
    fn new(
        rid: &RequestId,
        status: StatusCode,
        code: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Self { status, code, message: message.into(), request_id: rid.0.clone(), retry_after: None }
    }
    fn invalid(rid: &RequestId, message: impl Into<String>) -> Self {
        Self::new(rid, StatusCode::BAD_REQUEST, "invalid_parameter", message)
    }
    /// A failure inside the server. The client gets a generic message and the request id; the details (SQL,
    /// paths) go to the log under that id. A full store queue is `503 busy`, a query stopped at its time
    /// limit `503 query_timeout`, both with `Retry-After`.
    fn internal(rid: &RequestId, err: &anyhow::Error) -> Self {
        let (code, message) = if err.is::<Busy>() {
            ("busy", "the server is busy; retry after the seconds given in Retry-After")
        } else if store::unavailable(err) {
            log_error(rid, err);
            (
                "store_unavailable",
                "the store cannot be reached; retry after the seconds given in Retry-After",
            )
        } else if interrupted(err) {
            (
                "query_timeout",
                "the query took longer than this server allows; narrow the filters or retry later",
            )
        } else {
            log_error(rid, err);
            return Self::new(
                rid,
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_error",
                "internal error (the server log has the details under this request id)",
            );
        };
        Self {
            retry_after: Some(1),
            ..Self::new(rid, StatusCode::SERVICE_UNAVAILABLE, code, message)
        }
    }
}

/// Writes an internal error to the server's log (stderr), under its request id.
#[expect(clippy::print_stderr, reason = "the server's log is its standard error")]
fn log_error(rid: &RequestId, err: &anyhow::Error) {
    eprintln!("ioclens: {}: {err:#}", rid.0);
}

/// A statement stopped by the query time limit (the pool's progress handler).
fn interrupted(err: &anyhow::Error) -> bool {
    store::timed_out(err)
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"error": {"code": self.code, "message": self.message, "request_id": self.request_id}});
        let mut res = (self.status, axum::Json(body)).into_response();
        if let Ok(v) = HeaderValue::from_str(&self.request_id) {
            res.headers_mut().insert("x-request-id", v);
        }
        if let Some(s) = self.retry_after {
            res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        res
    }
}

/// Everything a router needs besides the store path.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Static files served at `/`.
    pub www: Option<PathBuf>,
    /// CORS origins.
    pub cors: Cors,
    /// `Host` values answered (default: loopback names).
    pub hosts: Hosts,
    /// Limits.
    pub limits: Limits,
    /// The intel pack lookups use; `None`: the embedded intel only.
    pub intel: Option<Arc<crate::intel::Live>>,
    /// Enrichment provider keys and URLs (`?providers=`, docs/providers.md); `None`: keyless providers only.
    pub providers: Option<Arc<ServerProviders>>,
}

/// Builds the router for a store with default settings (loopback `Host` names, default limits; tests and
/// benches use it).
///
/// # Errors
/// The store cannot be opened, or the OS has no randomness.
pub fn router(db: impl AsRef<std::path::Path>, www: Option<PathBuf>) -> Result<Router> {
    router_with(db, Settings { www, ..Settings::default() })
}

/// Builds the router for a store with the CORS origins allowed.
///
/// # Errors
/// As [`router`].
pub fn router_with_cors(
    db: impl AsRef<std::path::Path>,
    www: Option<PathBuf>,
    cors: Cors,
) -> Result<Router> {
    router_with(db, Settings { www, cors, ..Settings::default() })
}

/// Builds the router for a store with `settings` (what `serve` uses).
///
/// # Errors
/// As [`router`].
pub fn router_with(db: impl AsRef<std::path::Path>, settings: Settings) -> Result<Router> {
    build(db.as_ref(), settings, Router::new())
}

/// The router, with `extra` routes behind the same gate (the panic test adds one).
fn build(db: &std::path::Path, settings: Settings, extra: Router<Shared>) -> Result<Router> {
    let pool = Pool::open(db, &settings.limits)?;
    let mut seed_bytes = [0u8; 8];
    getrandom::fill(&mut seed_bytes)
        .map_err(|e| anyhow::anyhow!("no randomness from the OS: {e}"))?;
    let www = settings.www.map(|w| std::fs::canonicalize(&w).unwrap_or(w));
    let state = Arc::new(AppState {
        pool,
        www,
        cors: settings.cors,
        hosts: settings.hosts,
        limits: settings.limits,
        intel: settings.intel,
        providers: settings.providers.unwrap_or_default(),
        verified: Mutex::new(HashMap::new()),
        windows: Mutex::new(HashMap::new()),
        started: Instant::now(),
        seq: AtomicU64::new(0),
        seed: u64::from_le_bytes(seed_bytes),
    });
    Ok(Router::new()
        .route("/health", get(health))
        .route("/api/v1/health", get(health))
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/v1/lookup", get(lookup_get).post(lookup_post))
        .route("/api/v1/iocs", get(iocs))
        .route("/api/v1/feeds", get(feeds))
        // The same endpoints with a trailing slash (clients that build URLs by joining with `/`).
        .route("/health/", get(health))
        .route("/api/v1/health/", get(health))
        .route("/api/v1/lookup/", get(lookup_get).post(lookup_post))
        .route("/api/v1/iocs/", get(iocs))
        .route("/api/v1/feeds/", get(feeds))
        .merge(taxii::routes())
        .route("/api/v1/intel/pack", get(intel_pack))
        .fallback(fallback)
        .method_not_allowed_fallback(method_not_allowed)
        .merge(extra)
        .with_state(state.clone())
        .layer(middleware::from_fn_with_state(state, gate))
        .layer(middleware::from_fn(taxii::error_shape)))
}

/// Serves until Ctrl-C. `on_bound` gets the address actually bound (the real port when `listen` asks for port
/// 0) once the bind has succeeded, so a start-up message never announces an address that is not served.
pub async fn serve(config: Config, on_bound: impl FnOnce(std::net::SocketAddr)) -> Result<()> {
    let hosts =
        Hosts::for_listen(config.listen, &config.allowed_hosts).map_err(anyhow::Error::msg)?;
    let limits = config.limits.clone();
    let app = router_with(
        config.db.clone(),
        Settings {
            www: config.www.clone(),
            cors: config.cors.clone(),
            hosts,
            limits: limits.clone(),
            intel: config.intel.clone(),
            providers: Some(
                config.providers.clone().unwrap_or_else(|| Arc::new(ServerProviders::from_env())),
            ),
        },
    )?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("binding {}", config.listen))?;
    on_bound(listener.local_addr().context("reading the bound address")?);
    serve_with(listener, app, &limits, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
}

/// Serves `app` on a bound listener with default [`Limits`] until `shutdown` resolves.
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<()> {
    serve_with(listener, app, &Limits::default(), shutdown).await
}

/// Serves `app` on a bound listener until `shutdown` resolves, within the connection limits: at most
/// `max_connections` at once (the next client waits in the kernel's accept queue until one closes), at most
/// `max_connections_per_client` per client address (more are closed at once), `header_read_timeout` to send
/// each request's headers and `idle_timeout` without progress either way. `TCP_NODELAY` is set (no
/// Nagle/delayed-ACK stalls on multi-segment answers). On shutdown, open connections finish their request.
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    app: Router,
    limits: &Limits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let slots = Arc::new(tokio::sync::Semaphore::new(limits.max_connections.max(1)));
    let per_client: Arc<Mutex<HashMap<std::net::IpAddr, usize>>> = Arc::default();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(limits.header_read_timeout);
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            s = slots.clone().acquire_owned() => s.context("connection slots closed")?,
            () = &mut shutdown => break,
        };
        let (tcp, peer) = tokio::select! {
            r = listener.accept() => if let Ok(c) = r { c } else {
                // Out of file descriptors or a connection reset before accept: wait a little rather than spin.
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            },
            () = &mut shutdown => break,
        };
        let Some(client) =
            ClientSlot::take(&per_client, peer.ip(), limits.max_connections_per_client)
        else {
            continue;
        };
        let _ = tcp.set_nodelay(true);
        let io = TokioIo::new(IdleIo::new(tcp, limits.idle_timeout));
        let svc = hyper_util::service::TowerToHyperService::new(app.clone());
        let conn = http.serve_connection(io, svc);
        let mut stop = stop_rx.clone();
        tokio::spawn(async move {
            let _held = (slot, client);
            let mut conn = std::pin::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                () = async { drop(stop.wait_for(|s| *s).await) } => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
        });
    }
    let _ = stop_tx.send(true);
    // Wait (a bounded time) for open connections to finish their request.
    let all = u32::try_from(limits.max_connections.max(1)).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout(limits.idle_timeout, slots.acquire_many(all)).await;
    Ok(())
}

/// One client address's share of the connections, given back when the connection closes.
struct ClientSlot {
    map: Arc<Mutex<HashMap<std::net::IpAddr, usize>>>,
    ip: std::net::IpAddr,
}

impl ClientSlot {
    fn take(
        map: &Arc<Mutex<HashMap<std::net::IpAddr, usize>>>,
        ip: std::net::IpAddr,
        cap: usize,
    ) -> Option<Self> {
        let mut m = lock(map);
        let n = m.entry(ip).or_insert(0);
        if *n >= cap.max(1) {
            return None;
        }
        *n += 1;
        Some(Self { map: map.clone(), ip })
    }
}

impl Drop for ClientSlot {
    fn drop(&mut self) {
        let mut m = lock(&self.map);
        if let Some(n) = m.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                m.remove(&self.ip);
            }
        }
    }
}

/// A connection that fails with `TimedOut` once no byte has moved either way for `idle`. Progress only records
/// the time (no timer re-registration per read or write); the timer is moved on when it fires early.
struct IdleIo {
    io: tokio::net::TcpStream,
    idle: Duration,
    last: tokio::time::Instant,
    timer: std::pin::Pin<Box<tokio::time::Sleep>>,
}

impl IdleIo {
    fn new(io: tokio::net::TcpStream, idle: Duration) -> Self {
        Self {
            io,
            idle,
            last: tokio::time::Instant::now(),
            timer: Box::pin(tokio::time::sleep(idle)),
        }
    }

    /// After a poll: progress records the time; waiting checks the timer.
    fn check<T>(
        &mut self,
        cx: &mut std::task::Context<'_>,
        r: std::task::Poll<std::io::Result<T>>,
    ) -> std::task::Poll<std::io::Result<T>> {
        use std::task::Poll;
        match r {
            Poll::Pending => loop {
                if self.timer.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                let due = self.last + self.idle;
                if tokio::time::Instant::now() >= due {
                    return Poll::Ready(Err(std::io::ErrorKind::TimedOut.into()));
                }
                self.timer.as_mut().reset(due);
            },
            done @ Poll::Ready(_) => {
                self.last = tokio::time::Instant::now();
                done
            }
        }
    }
}

impl tokio::io::AsyncRead for IdleIo {
    fn poll_read(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let r = std::pin::Pin::new(&mut this.io).poll_read(cx, buf);
        this.check(cx, r)
    }
}

impl tokio::io::AsyncWrite for IdleIo {
    fn poll_write(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        let r = std::pin::Pin::new(&mut this.io).poll_write(cx, buf);
        this.check(cx, r)
    }
    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let r = std::pin::Pin::new(&mut this.io).poll_flush(cx);
        this.check(cx, r)
    }
    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }
    fn poll_write_vectored(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> std::task::Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        let r = std::pin::Pin::new(&mut this.io).poll_write_vectored(cx, bufs);
        this.check(cx, r)
    }
    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }
}

fn is_public(path: &str) -> bool {
    matches!(
        path.strip_suffix('/').unwrap_or(path),
        "/health" | "/api/v1/health" | "/api/v1/openapi.json"
    ) || !(path.starts_with("/api/") || taxii::is_taxii(path))
}

fn presented_key(headers: &HeaderMap) -> Option<String> {
    if let Some(v) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        let v = v.trim();
        if v.len() > 7 && v[..7].eq_ignore_ascii_case("bearer ") {
            return Some(v[7..].trim().to_owned());
        }
        // HTTP Basic (TAXII clients): the key is the password (or the user name when the password is empty).
        if v.len() > 6 && v[..6].eq_ignore_ascii_case("basic ") {
            use base64::Engine as _;
            let raw = base64::engine::general_purpose::STANDARD.decode(v[6..].trim()).ok()?;
            let pair = String::from_utf8(raw).ok()?;
            let (user, password) = pair.split_once(':').unwrap_or((&pair, ""));
            let key = if password.is_empty() { user } else { password };
            return Some(key.to_owned()).filter(|k| !k.is_empty());
        }
    }
    headers
        .get("x-api-key")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// The scheme of an `Authorization` header this server does not read (`Token`, `Digest` …), so the 401 can
/// say so rather than "missing key". Only the scheme word (at most 32 letters) is echoed, never the credentials.
fn unsupported_scheme(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let scheme = v.split_whitespace().next()?;
    if scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    (scheme.len() <= 32 && scheme.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        .then(|| scheme.to_owned())
        .or_else(|| Some("(unreadable)".to_owned()))
}

fn set_header(res: &mut Response, name: &'static str, value: &impl ToString) {
    if let Ok(v) = HeaderValue::from_str(&value.to_string()) {
        res.headers_mut().insert(HeaderName::from_static(name), v);
    }
}

/// Checks a key: from the verified-key cache when it was verified less than [`KEY_RECHECK`] ago, else from the
/// store (a lookup would otherwise spend a statement and a read transaction on the key alone).
async fn authenticate(st: &AppState, key: &str) -> Result<keys::Auth> {
    let digest = keys::hash(key);
    let now = Instant::now();
    if let Some(&(id, rate_limit, at)) = lock(&st.verified).get(&digest)
        && now.duration_since(at) < KEY_RECHECK
    {
        return Ok(keys::Auth::Valid { id, rate_limit });
    }
    let auth = keys::authenticate_hash(&*st.pool.get().await?, &digest)?;
    let mut verified = lock(&st.verified);
    match auth {
        keys::Auth::Valid { id, rate_limit } => {
            if verified.len() >= KEY_CACHE_MAX {
                verified.clear();
            }
            verified.insert(digest, (id, rate_limit, now));
        }
        keys::Auth::Revoked | keys::Auth::Invalid => {
            verified.remove(&digest);
        }
    }
    Ok(auth)
}

/// Counts a request against its key's sliding one-minute window (`None`: no limit): in this process for an
/// `SQLite` store, in the database for `PostgreSQL`, so replicas share one count per key.
async fn rate_take(st: &AppState, key_id: i64, limit: u64) -> Result<Option<keys::Decision>> {
    if limit == 0 {
        return Ok(None);
    }
    if st.pool.0.shared {
        let wall_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        if let Some(d) = st.pool.get().await?.rate_take(key_id, limit, wall_ms)? {
            return Ok(Some(d));
        }
    }
    let now_ms = u64::try_from(st.started.elapsed().as_millis()).unwrap_or(u64::MAX);
    Ok(Some(lock(&st.windows).entry(key_id).or_default().take(now_ms, limit)))
}

/// Request id, query-string key ban, authentication and the per-key rate limit, for every request.
///
/// Also the outermost guard: a CORS preflight is answered here (before authentication: browsers never send
/// credentials with one), an allowed `Origin` gets its CORS headers on every answer (errors included, so the page
/// can read them), and a panic anywhere below becomes the `internal_error` envelope with 500 instead of a dropped
/// connection.
async fn gate(State(st): State<Shared>, mut req: Request, next: Next) -> Response {
    let n = st.seq.fetch_add(1, Ordering::Relaxed);
    let rid = RequestId(format!(
        "req_{:016x}",
        st.seed.wrapping_add(n.wrapping_mul(0x9e37_79b9_7f4a_7c15))
    ));
    req.extensions_mut().insert(rid.clone());
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
        .filter(|o| st.cors.allows(o))
        .map(str::to_owned);
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| req.uri().authority().map(axum::http::uri::Authority::as_str));
    let mut res = if !host.is_some_and(|h| st.hosts.allows(h)) {
        ApiError::new(
            &rid,
            StatusCode::MISDIRECTED_REQUEST,
            "misdirected_request",
            format!(
                "this server does not answer for host `{}` (the operator allows more names with \
                 `ioclens serve --allowed-host NAME`)",
                truncate(host.unwrap_or(""), 100)
            ),
        )
        .into_response()
    } else if req.method() == Method::OPTIONS
        && req.uri().path().starts_with("/api/")
        && req.headers().contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
    {
        preflight(&rid, origin.is_some(), req.headers())
    } else {
        match (CatchUnwind(Box::pin(authorize_and_run(&st, req, next, &rid)))).await {
            Ok(res) => res,
            Err(_) => ApiError::new(
                &rid,
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_error",
                "the server hit a bug answering this request (the panic is in its log)",
            )
            .into_response(),
        }
    };
    set_header(&mut res, "x-request-id", &rid.0);
    if !st.cors.is_empty() {
        res.headers_mut().append(header::VARY, HeaderValue::from_static("Origin"));
    }
    if let Some(o) = origin
        && let Ok(v) = HeaderValue::from_str(&o)
    {
        let h = res.headers_mut();
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
        h.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static(CORS_EXPOSE));
    }
    res
}

/// Response headers a cross-origin page may read (the rate limit, `Retry-After`, the request id, paging).
const CORS_EXPOSE: &str = "X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, Retry-After, X-Request-Id, Link, \
     X-Ignored-Parameters";

/// Answers a CORS preflight: 204 with the allowed methods and headers for an allowed origin, else
/// `403 forbidden` (the browser then refuses the real request; the body says why to whoever debugs it).
fn preflight(rid: &RequestId, allowed: bool, headers: &HeaderMap) -> Response {
    if !allowed {
        return ApiError::new(
            rid,
            StatusCode::FORBIDDEN,
            "forbidden",
            "cross-origin requests from this origin are not allowed (the operator allows origins with \
             `ioclens serve --cors-origin ORIGIN`)",
        )
        .into_response();
    }
    let mut res = StatusCode::NO_CONTENT.into_response();
    let h = res.headers_mut();
    h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, POST, OPTIONS"));
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("Authorization, X-API-Key, Content-Type"),
    );
    h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
    h.insert(
        header::VARY,
        HeaderValue::from_static("Access-Control-Request-Method, Access-Control-Request-Headers"),
    );
    // Chrome's Private Network Access: a page on a public origin calling a server on 127.0.0.1 / the LAN.
    if headers.get("access-control-request-private-network").is_some_and(|v| v == "true") {
        h.insert("access-control-allow-private-network", HeaderValue::from_static("true"));
    }
    res
}

/// Polls a future, turning a panic into `Err` (what `futures::FutureExt::catch_unwind` does, without the
/// dependency). The future is boxed so it can be polled through `Pin::as_mut` without `unsafe`.
struct CatchUnwind<F>(std::pin::Pin<Box<F>>);

impl<F: std::future::Future> std::future::Future for CatchUnwind<F> {
    type Output = Result<F::Output, Box<dyn std::any::Any + Send>>;
    fn poll(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        let inner = self.get_mut().0.as_mut();
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| inner.poll(cx))) {
            Ok(std::task::Poll::Pending) => std::task::Poll::Pending,
            Ok(std::task::Poll::Ready(v)) => std::task::Poll::Ready(Ok(v)),
            Err(panic) => std::task::Poll::Ready(Err(panic)),
        }
    }
}

/// The query-string checks, authentication and the rate limit, then the route.
async fn authorize_and_run(st: &AppState, req: Request, next: Next, rid: &RequestId) -> Response {
    let rid = rid.clone();
    let path = req.uri().path().to_owned();
    let query = req.uri().query().unwrap_or("");
    if query.len() > MAX_QUERY {
        return ApiError::invalid(&rid, format!("query string longer than {MAX_QUERY} bytes"))
            .into_response();
    }
    if query_pairs(query).iter().any(|(k, _)| {
        let k = k.to_ascii_lowercase();
        k == "api_key" || k == "apikey" || k == "key" || k == "token"
    }) {
        return ApiError::invalid(
            &rid,
            "API keys are never accepted in the query string (they end up in logs): \
             send `Authorization: Bearer <key>` or `X-API-Key: <key>`",
        )
        .into_response();
    }
    if is_public(&path) {
        return next.run(req).await;
    }
    let Some(key) = presented_key(req.headers()) else {
        if let Some(scheme) = unsupported_scheme(req.headers()) {
            return ApiError::new(
                &rid,
                StatusCode::UNAUTHORIZED,
                "unsupported_auth_scheme",
                format!(
                    "`Authorization: {scheme} …` is not a scheme this server reads: send \
                     `Authorization: Bearer <key>` or `X-API-Key: <key>` (TAXII clients: HTTP Basic)"
                ),
            )
            .into_response();
        }
        return ApiError::new(
            &rid,
            StatusCode::UNAUTHORIZED,
            "missing_api_key",
            "send an API key as `Authorization: Bearer <key>` or `X-API-Key: <key>` (TAXII clients: \
             HTTP Basic with the key as the password)",
        )
        .into_response();
    };
    let auth = match authenticate(st, &key).await {
        Ok(a) => a,
        Err(e) => return ApiError::internal(&rid, &e).into_response(),
    };
    let (key_id, limit) = match auth {
        keys::Auth::Valid { id, rate_limit } => (id, rate_limit),
        keys::Auth::Invalid => {
            return ApiError::new(
                &rid,
                StatusCode::UNAUTHORIZED,
                "invalid_api_key",
                "the API key is not valid",
            )
            .into_response();
        }
        keys::Auth::Revoked => {
            return ApiError::new(
                &rid,
                StatusCode::FORBIDDEN,
                "forbidden",
                "the API key has been revoked",
            )
            .into_response();
        }
    };
    // A sliding one-minute window per key (`keys::Window`).
    let limit = u64::try_from(limit).unwrap_or(0);
    let decision = match rate_take(st, key_id, limit).await {
        Ok(d) => d,
        Err(e) => return ApiError::internal(&rid, &e).into_response(),
    };
    let now = time::now();
    let reset = |d: &keys::Decision| now + i64::try_from(d.retry_ms.div_ceil(1000)).unwrap_or(60);
    if let Some(d) = decision.filter(|d| !d.allowed) {
        let retry = d.retry_ms.div_ceil(1000).max(1);
        let mut res = ApiError::new(
            &rid,
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limit_exceeded",
            format!("rate limit of {limit} requests per minute exceeded; retry after {retry}s"),
        )
        .into_response();
        set_header(&mut res, "retry-after", &retry);
        set_header(&mut res, "x-ratelimit-limit", &limit);
        set_header(&mut res, "x-ratelimit-remaining", &0);
        set_header(&mut res, "x-ratelimit-reset", &reset(&d));
        return res;
    }
    let remaining = decision.map(|d| (d.remaining, reset(&d)));
    let mut res = next.run(req).await;
    if let Some((remaining, reset)) = remaining {
        set_header(&mut res, "x-ratelimit-limit", &limit);
        set_header(&mut res, "x-ratelimit-remaining", &remaining);
        set_header(&mut res, "x-ratelimit-reset", &reset);
    }
    res
}

/// Decodes a query-string component (`+` is a space).
fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(&s.replace('+', " ")).decode_utf8_lossy().into_owned()
}

fn query_pairs(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

/// Everything but the unreserved characters of RFC 3986.
const COMPONENT: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

fn percent_encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, COMPONENT).to_string()
}

/// Query parameters: one value per name (a repeated name is an error). Names an endpoint does not know (a
/// cache-buster, a parameter of a newer version) are ignored and named in `X-Ignored-Parameters` (see [`Params::tag`]).
struct Params {
    map: HashMap<String, String>,
    ignored: Vec<String>,
}

/// The response header that names the query parameters a request gave and the endpoint ignored.
const IGNORED_HEADER: &str = "x-ignored-parameters";

impl Params {
    fn parse(rid: &RequestId, raw: Option<&str>, allowed: &[&str]) -> Result<Self, ApiError> {
        let mut map = HashMap::new();
        let mut ignored: Vec<String> = Vec::new();
        for (k, v) in query_pairs(raw.unwrap_or("")) {
            if !allowed.contains(&k.as_str()) {
                let name = percent_encode(&truncate(&k, 64));
                if !ignored.contains(&name) && ignored.len() < 16 {
                    ignored.push(name);
                }
                continue;
            }
            if v.len() > MAX_VALUE_LEN {
                return Err(ApiError::invalid(
                    rid,
                    format!("parameter `{k}` is longer than {MAX_VALUE_LEN} bytes"),
                ));
            }
            if map.insert(k.clone(), v).is_some() {
                return Err(ApiError::invalid(
                    rid,
                    format!("parameter `{k}` is given more than once"),
                ));
            }
        }
        Ok(Self { map, ignored })
    }
    /// As [`Params::parse`], but an unknown name is an error (TAXII: a filter the server does not apply
    /// would silently widen the answer).
    fn parse_strict(
        rid: &RequestId,
        raw: Option<&str>,
        allowed: &[&str],
    ) -> Result<Self, ApiError> {
        let p = Self::parse(rid, raw, allowed)?;
        match p.ignored.first() {
            None => Ok(p),
            Some(k) => Err(ApiError::invalid(
                rid,
                format!("unknown parameter `{k}` (allowed: {})", allowed.join(", ")),
            )),
        }
    }
    fn get(&self, k: &str) -> Option<&str> {
        self.map.get(k).map(String::as_str)
    }
    /// Names the ignored parameters (percent-encoded, comma-separated) on `res`.
    fn tag(&self, mut res: Response) -> Response {
        if !self.ignored.is_empty()
            && let Ok(v) = HeaderValue::from_str(&self.ignored.join(", "))
        {
            res.headers_mut().insert(IGNORED_HEADER, v);
        }
        res
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn truncate(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

/// Serialises into one buffer sized for a lookup answer (~10 KB), so a typical answer is written without
/// the reallocations of a growing buffer.
fn json_response(status: StatusCode, v: &impl serde::Serialize) -> Response {
    let mut buf = Vec::with_capacity(16 * 1024);
    match serde_json::to_writer(&mut buf, v) {
        Ok(()) => (status, [(header::CONTENT_TYPE, "application/json")], buf).into_response(),
        // Serialising our own types fails only on a bug (a map with non-string keys).
        Err(e) => ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "internal_error",
            message: format!("serialising the answer: {e}"),
            request_id: String::new(),
            retry_after: None,
        }
        .into_response(),
    }
}

async fn health(
    State(st): State<Shared>,
    axum::Extension(rid): axum::Extension<RequestId>,
) -> Response {
    let res = match st.pool.get().await {
        Ok(c) => tokio::task::spawn_blocking(move || store::health(&c))
            .await
            .unwrap_or_else(|e| Err(anyhow::anyhow!("health task failed: {e}"))),
        Err(e) => Err(e),
    };
    match res {
        Ok(h) => json_response(
            StatusCode::OK,
            &json!({"status": "ok", "version": crate_version(), "feed_version": h.feed_version, "feeds": h.feeds}),
        ),
        Err(e) if e.is::<Busy>() || interrupted(&e) || store::unavailable(&e) => {
            ApiError::internal(&rid, &e).into_response()
        }
        Err(e) => {
            log_error(&rid, &e);
            ApiError::new(
                &rid,
                StatusCode::SERVICE_UNAVAILABLE,
                "store_unavailable",
                "the store cannot be read (the server log has the details under this request id)",
            )
            .into_response()
        }
    }
}

fn crate_version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

async fn fallback(
    State(st): State<Shared>,
    axum::Extension(rid): axum::Extension<RequestId>,
    method: Method,
    uri: axum::http::Uri,
    headers: HeaderMap,
) -> Response {
    let path = uri.path();
    if !path.starts_with("/api/")
        && (method == Method::GET || method == Method::HEAD)
        && let Some(dir) = &st.www
        && let Some(res) = static_file(dir, path, headers.get(header::IF_NONE_MATCH)).await
    {
        return res;
    }
    let message = if st.www.is_none() && path == "/" {
        NO_PAGE.to_owned()
    } else {
        format!("no such endpoint `{}`", truncate(path, 200))
    };
    ApiError::new(&rid, StatusCode::NOT_FOUND, "not_found", message).into_response()
}

/// What `GET /` says (and `ioclens serve` prints) when no web page is served.
pub const NO_PAGE: &str = "no web page is served here: build it with `cargo xtask wasm && node www/build.mjs` \
     (then `ioclens serve` serves `www/dist`), or pass `--www DIR`; the API is under /api/v1/";

async fn method_not_allowed(
    axum::Extension(rid): axum::Extension<RequestId>,
    method: Method,
) -> Response {
    ApiError::new(
        &rid,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("{method} is not allowed here"),
    )
    .into_response()
}

/// A file of the web page. Answers carry a validator (`ETag` from size and modification time) with
/// `Cache-Control: no-cache`: the browser keeps the file and revalidates on each visit, getting
/// `304 Not Modified` until it changes. A file whose name carries a content hash (`app.<16 hex>.js`, as
/// `www/build.mjs` names the page's script and wasm module) cannot change under that name: it is `immutable`,
/// so opening the page does not wait for a revalidation round trip per file.
async fn static_file(
    dir: &std::path::Path,
    path: &str,
    if_none_match: Option<&HeaderValue>,
) -> Option<Response> {
    let (file, rel) = web_file(dir, path).await?;
    let meta = tokio::fs::metadata(&file).await.ok().filter(std::fs::Metadata::is_file)?;
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    let etag = HeaderValue::from_str(&format!("W/\"{:x}-{modified:x}\"", meta.len())).ok()?;
    let cache_control = HeaderValue::from_static(if content_hashed(&rel) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    });
    let matches = if_none_match.and_then(|v| v.to_str().ok()).is_some_and(|v| {
        v.split(',').map(str::trim).any(|t| t == "*" || t.as_bytes() == etag.as_bytes())
    });
    if matches {
        let mut res = StatusCode::NOT_MODIFIED.into_response();
        res.headers_mut().insert(header::ETAG, etag);
        res.headers_mut().insert(header::CACHE_CONTROL, cache_control);
        return Some(res);
    }
    let bytes = tokio::fs::read(&file).await.ok()?;
    let ct = match file.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "wasm" => "application/wasm",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    };
    let mut res =
        ([(header::CONTENT_TYPE, ct), (header::X_CONTENT_TYPE_OPTIONS, "nosniff")], bytes)
            .into_response();
    res.headers_mut().insert(header::ETAG, etag);
    res.headers_mut().insert(header::CACHE_CONTROL, cache_control);
    Some(res)
}

/// The file under the web root `dir` (already resolved) that a request path names, or `None`.
///
/// The path is split on `/` *before* decoding, and each segment decoded once (`percent-encoding`): a segment
/// must decode to valid UTF-8 (overlong forms such as `%c0%ae` are not) and be a normal name: not empty, `.`
/// or `..`, no `/` or `\` (encoded slashes), no `%` left (double encoding), no NUL or control character, no
/// `:`. Then the path is resolved (symlinks followed) and must still lie inside the root,
/// so a symlink out of the web root is refused too. A directory (or a path ending in `/`) means its
/// `index.html`. Returns the resolved file and the path relative to the root.
async fn web_file(dir: &std::path::Path, path: &str) -> Option<(PathBuf, String)> {
    let raw = path.strip_prefix('/')?;
    let mut rel = PathBuf::new();
    let segments: Vec<&str> = raw.split('/').collect();
    for (i, seg) in segments.iter().enumerate() {
        let name = percent_encoding::percent_decode_str(seg).decode_utf8().ok()?;
        if name.is_empty() && i + 1 == segments.len() {
            break;
        }
        let bad = name.is_empty()
            || name == "."
            || name == ".."
            || name.contains(['/', '\\', '%', ':'])
            || name.chars().any(char::is_control);
        if bad {
            return None;
        }
        rel.push(&*name);
    }
    if !rel.components().all(|c| matches!(c, std::path::Component::Normal(_))) {
        return None;
    }
    let mut file = dir.join(&rel);
    if path.ends_with('/') || tokio::fs::metadata(&file).await.ok()?.is_dir() {
        file.push("index.html");
    }
    let file = tokio::fs::canonicalize(&file).await.ok()?;
    let root = tokio::fs::canonicalize(dir).await.ok()?;
    let inside = file.strip_prefix(&root).ok()?.to_str()?.to_owned();
    Some((file, inside))
}

/// `name.<16 lowercase hex digits>.ext`: a file named after its content.
fn content_hashed(rel: &str) -> bool {
    let name = rel.rsplit(['/', '\\']).next().unwrap_or(rel);
    let mut parts = name.rsplit('.');
    let (_ext, hash, stem) = (parts.next(), parts.next(), parts.next());
    stem.is_some_and(|s| !s.is_empty())
        && hash.is_some_and(|h| {
            h.len() == 16 && h.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
}

// ---------- lookup ----------

/// A `type` parameter: one type, or a family of types (`ip`, `hash`: the core's [`IocKind::family`]), as
/// the kinds it stands for.
fn parse_kind(rid: &RequestId, t: Option<&str>) -> Result<Option<Vec<IocKind>>, ApiError> {
    let Some(t) = t.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if let Some(kinds) = IocKind::family(t) {
        return Ok(Some(kinds.to_vec()));
    }
    match IocKind::parse(t) {
        Some(IocKind::Unknown) | None => {
            let names: Vec<&str> = IocKind::ALL
                .iter()
                .filter(|k| **k != IocKind::Unknown)
                .map(|k| k.as_str())
                .collect();
            Err(ApiError::invalid(
                rid,
                format!(
                    "unknown type `{}` ({}, or a family: ip, hash)",
                    truncate(t, 64),
                    names.join(", ")
                ),
            ))
        }
        Some(k) => Ok(Some(vec![k])),
    }
}

/// The one type a lookup is forced to: the type named, or, for a family, the detected type when it is one of
/// the family's (else why not).
fn forced_kind(input: &str, kinds: Option<&[IocKind]>) -> Result<Option<IocKind>, String> {
    match kinds {
        None => Ok(None),
        Some([one]) => Ok(Some(*one)),
        Some(family) => {
            let detected = ioclens_core::classify(input).kind;
            if family.contains(&detected) {
                Ok(Some(detected))
            } else {
                let names: Vec<&str> = family.iter().map(|k| k.as_str()).collect();
                Err(format!("not one of {} (detected: {detected})", names.join(", ")))
            }
        }
    }
}

/// A value the lookup refuses: over-long, or contradicting a forced type. (A value that is not an indicator is
/// answered, typed `unknown`.)
fn check_value(input: &str, forced: Option<IocKind>) -> Result<(), String> {
    if input.len() > MAX_VALUE_LEN {
        return Err(format!("value is longer than {MAX_VALUE_LEN} bytes"));
    }
    match forced {
        Some(kind) => normalize(input, Some(kind)).map(|_| ()),
        None => Ok(()),
    }
}

/// Deterministic record UUID (RFC 9562 version 8) from feed, type and value: re-exports do not churn.
pub fn record_uuid(feed: &str, kind: IocKind, value: &str) -> String {
    let mut h = Sha256::new();
    h.update(feed.as_bytes());
    h.update([0]);
    h.update(kind.as_str().as_bytes());
    h.update([0]);
    h.update(value.as_bytes());
    let mut b: [u8; 32] = h.finalize().into();
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let x = hex(&b[..16]);
    format!("{}-{}-{}-{}-{}", &x[..8], &x[8..12], &x[12..16], &x[16..20], &x[20..32])
}

/// The lookup answer for one value: the core's enrichment package (`ioclens_core::lookup`, as the core
/// serialises it) with the store's sightings passed in as evidence records, so the core scores them by the same
/// rules as its embedded intel (the server computes no score); plus the sightings themselves; the envelope
/// `{meta, data}` plus the older flat fields.
fn lookup_one(
    conn: &dyn Backend,
    pack: Option<&LoadedPack>,
    input: &str,
    forced: Option<IocKind>,
    now: i64,
) -> Result<LookupOut> {
    // The canonical value keys the store; `lookup` classifies the same way (a forced type that does not fit
    // falls back to detection there too).
    let c = forced
        .and_then(|k| ioclens_core::classify_as(input, k).ok())
        .unwrap_or_else(|| ioclens_core::classify(input));
    let (rows, feed_version) = if c.kind == IocKind::Unknown {
        (Vec::new(), store::feed_version(conn)?)
    } else {
        store::lookup(conn, c.kind, &c.canonical, c.facts.ip.as_ref().and_then(|i| i.port))?
    };
    let opts = LookupOptions {
        kind: forced,
        evidence: rows.iter().map(Row::evidence).collect(),
        ..LookupOptions::default()
    };
    let core = ioclens_core::lookup_with(input, &opts, pack.map(LoadedPack::pack).as_ref(), now);
    let sources: Vec<SourceHit> = rows
        .iter()
        .zip(&opts.evidence)
        .map(|(r, e)| SourceHit {
            source_feed: r.feed.clone(),
            source_category: r.category.as_str(),
            reference_url: r.reference_url.clone(),
            first_seen: time::format(r.first_seen),
            last_seen: time::format(r.last_seen),
            occurrence_count: r.occurrences,
            confidence: r.confidence.as_str(),
            context: r.context.clone(),
            sectors: sectors::slugs(r.sectors),
            status: e.status(now).as_str(),
            valid_until: r.valid_until.map(time::format),
        })
        .collect();
    Ok(LookupOut {
        meta: Meta { generated_at: time::format(now), feed_version, source: "ioclens" },
        data: LookupData {
            input: input.trim().to_owned(),
            defanged: core.classification.defanged,
            first_seen: rows.iter().map(|r| r.first_seen).min().map(time::format),
            last_seen: rows.iter().map(|r| r.last_seen).max().map(time::format),
            total_occurrences: rows.iter().map(|r| r.occurrences).sum(),
            reporting_sources: rows.len(),
            threat_type: rows.iter().find_map(|r| r.threat_type.clone()),
            sources,
            core,
        },
    })
}

/// `meta` of the lookup envelope.
#[derive(serde::Serialize)]
struct Meta {
    generated_at: String,
    feed_version: String,
    source: &'static str,
}

/// `data`: the core's package (flattened, as the core serialises it) plus the store's fields.
#[derive(serde::Serialize)]
struct LookupData {
    #[serde(flatten)]
    core: ioclens_core::LookupResponse,
    input: String,
    defanged: bool,
    first_seen: Option<String>,
    last_seen: Option<String>,
    total_occurrences: i64,
    reporting_sources: usize,
    threat_type: Option<String>,
    sources: Vec<SourceHit>,
}

#[derive(serde::Serialize)]
struct SourceHit {
    source_feed: String,
    source_category: &'static str,
    reference_url: Option<String>,
    first_seen: String,
    last_seen: String,
    occurrence_count: i64,
    confidence: &'static str,
    context: Option<String>,
    sectors: Vec<&'static str>,
    /// `active`, or why the record is history only (`revoked`, `expired`, `not-for-detection`, `deleted`).
    status: &'static str,
    valid_until: Option<String>,
}

/// A technique on the wire, in every answer that carries techniques: `{id, name}`.
#[derive(serde::Serialize)]
struct OldTechnique<'a> {
    id: std::borrow::Cow<'a, str>,
    name: std::borrow::Cow<'a, str>,
}

impl From<ioclens_core::attack::ResolvedTechnique> for OldTechnique<'static> {
    fn from(t: ioclens_core::attack::ResolvedTechnique) -> Self {
        Self { id: t.id.into(), name: t.name.into() }
    }
}

#[derive(serde::Serialize)]
struct OldHunting<'a> {
    splunk: Option<&'a str>,
    kql: Option<&'a str>,
}

#[derive(serde::Serialize)]
struct OldSource<'a> {
    feed_name: &'a str,
    category: &'static str,
}

/// The lookup answer: the newer envelope `{meta, data}` plus the older flat fields (docs/api.md), so clients of the
/// first API version work unchanged. The flat fields are written from `data` while serialising (no copies of
/// the hunting queries).
struct LookupOut {
    meta: Meta,
    data: LookupData,
}

/// `None` for an empty query (the type has none), as the older shape has it.
fn non_empty(q: &str) -> Option<&str> {
    Some(q).filter(|q| !q.is_empty())
}

impl serde::Serialize for LookupOut {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        let core = &self.data.core;
        let mut m = s.serialize_struct("LookupOut", 10)?;
        m.serialize_field("meta", &self.meta)?;
        m.serialize_field("data", &self.data)?;
        m.serialize_field("found", &core.found)?;
        m.serialize_field("value", &core.ioc_value)?;
        m.serialize_field("type", core.ioc_type.as_str())?;
        m.serialize_field("risk_score", core.risk.level.legacy_str())?;
        m.serialize_field("confidence", &core.confidence)?;
        let techniques: Vec<OldTechnique<'_>> = core
            .mitre_techniques
            .iter()
            .map(|t| OldTechnique { id: t.id.as_str().into(), name: t.name.as_str().into() })
            .collect();
        m.serialize_field("mitre_techniques", &techniques)?;
        m.serialize_field(
            "hunting_queries",
            &OldHunting {
                splunk: non_empty(&core.hunting.splunk_query),
                kql: non_empty(&core.hunting.kql_query),
            },
        )?;
        let sources: Vec<OldSource<'_>> = self
            .data
            .sources
            .iter()
            .map(|x| OldSource { feed_name: &x.source_feed, category: x.source_category })
            .collect();
        m.serialize_field("sources", &sources)?;
        m.end()
    }
}

async fn lookup_get(
    State(st): State<Shared>,
    axum::Extension(rid): axum::Extension<RequestId>,
    RawQuery(q): RawQuery,
) -> Response {
    let p = match Params::parse(&rid, q.as_deref(), &["ioc", "value", "type", "providers"]) {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let input = match (p.get("ioc"), p.get("value")) {
        (Some(a), Some(b)) if a != b => {
            return ApiError::invalid(&rid, "give `ioc` or `value`, not two different values")
                .into_response();
        }
        (Some(v), _) | (None, Some(v)) if !v.trim().is_empty() => v.to_owned(),
        _ => {
            return ApiError::invalid(&rid, "missing `ioc` (or `value`): the indicator to look up")
                .into_response();
        }
    };
    let forced = match parse_kind(&rid, p.get("type")).map(|k| forced_kind(&input, k.as_deref())) {
        Ok(Ok(k)) => k,
        Ok(Err(msg)) => return ApiError::invalid(&rid, format!("`ioc`: {msg}")).into_response(),
        Err(e) => return e.into_response(),
    };
    if let Err(msg) = check_value(&input, forced) {
        return ApiError::invalid(&rid, format!("`ioc`: {msg}")).into_response();
    }
    let conn = match st.pool.get().await {
        Ok(c) => c,
        Err(e) => return ApiError::internal(&rid, &e).into_response(),
    };
    let ids = match p.get("providers").map(ioclens_core::providers::ProviderId::parse_list) {
        None => Vec::new(),
        Some(Ok(ids)) => ids,
        Some(Err(msg)) => {
            return ApiError::invalid(&rid, format!("`providers`: {msg}")).into_response();
        }
    };
    let pack = st.intel.as_ref().and_then(|l| l.current());
    let now = time::now();
    p.tag(match lookup_one(&conn, pack.as_deref(), &input, forced, now) {
        Ok(mut v) => {
            if !ids.is_empty() {
                let pending = providers::plan(&st.providers, &conn, &v.data.core, ids, now);
                let sent = providers::send(&st.providers, pending).await;
                providers::finish(&conn, &mut v.data.core, sent, now);
            }
            json_response(StatusCode::OK, &v)
        }
        Err(e) => ApiError::internal(&rid, &e).into_response(),
    })
}

async fn lookup_post(
    State(st): State<Shared>,
    axum::Extension(rid): axum::Extension<RequestId>,
    RawQuery(q): RawQuery,
    body: Body,
) -> Response {
    let params = match Params::parse(&rid, q.as_deref(), &[]) {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    // Read a little past the limit so a client that sends a too-large body still gets its 400 rather than a
    // connection closed mid-upload (only authenticated requests get here).
    // The whole body within the idle timeout: a client trickling a byte at a time does not hold a connection.
    let read =
        tokio::time::timeout(st.limits.idle_timeout, axum::body::to_bytes(body, MAX_BODY * 4));
    let bytes = match read.await {
        Err(_) => {
            return ApiError::invalid(
                &rid,
                format!("request body not received within {}s", st.limits.idle_timeout.as_secs()),
            )
            .into_response();
        }
        Ok(Ok(b)) if b.len() <= MAX_BODY => b,
        _ => {
            return ApiError::invalid(&rid, format!("request body larger than {MAX_BODY} bytes"))
                .into_response();
        }
    };
    let v: Value = match serde_json::from_slice(&bytes) {
        Ok(v) => v,
        Err(e) => return ApiError::invalid(&rid, format!("body is not JSON: {e}")).into_response(),
    };
    let items = match &v {
        Value::Array(a) => a,
        Value::Object(o) => match o.get("iocs").or_else(|| o.get("values")) {
            Some(Value::Array(a)) => a,
            _ => {
                return ApiError::invalid(&rid, "body must be a JSON array or `{\"iocs\": [...]}`")
                    .into_response();
            }
        },
        _ => {
            return ApiError::invalid(&rid, "body must be a JSON array or `{\"iocs\": [...]}`")
                .into_response();
        }
    };
    if items.is_empty() || items.len() > MAX_BATCH {
        return ApiError::invalid(
            &rid,
            format!("give 1 to {MAX_BATCH} values (got {})", items.len()),
        )
        .into_response();
    }
    let conn = match st.pool.get().await {
        Ok(c) => c,
        Err(e) => return ApiError::internal(&rid, &e).into_response(),
    };
    let now = time::now();
    let pack = st.intel.as_ref().and_then(|l| l.current());
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let (value, ty) = match item {
            Value::String(s) => (Some(s.as_str()), None),
            Value::Object(o) => (
                o.get("ioc").or_else(|| o.get("value")).and_then(Value::as_str),
                o.get("type").and_then(Value::as_str),
            ),
            _ => (None, None),
        };
        let answer = match value {
            None => {
                Err("each item must be a string or {\"ioc\": \"…\", \"type\": \"…\"}".to_owned())
            }
            Some(v) => match parse_kind(&rid, ty) {
                Err(e) => Err(e.message),
                Ok(kinds) => forced_kind(v, kinds.as_deref())
                    .and_then(|forced| check_value(v, forced).map(|()| (forced, v))),
            },
        };
        let entry = match answer {
            Ok((forced, v)) => match lookup_one(&conn, pack.as_deref(), v, forced, now) {
                Ok(res) => BatchItem::Found { input: v, ok: true, data: Box::new(res.data) },
                Err(e) => return ApiError::internal(&rid, &e).into_response(),
            },
            Err(message) => BatchItem::Refused {
                input: value.map_or(item.clone(), |s| Value::String(truncate(s, 256))),
                ok: false,
                error: ItemError { code: "invalid_parameter", message },
            },
        };
        out.push(entry);
    }
    params.tag(match store::feed_version(&conn) {
        Ok(feed_version) => json_response(
            StatusCode::OK,
            &BatchOut {
                meta: Meta { generated_at: time::format(now), feed_version, source: "ioclens" },
                data: out,
            },
        ),
        Err(e) => ApiError::internal(&rid, &e).into_response(),
    })
}

/// `POST /api/v1/lookup`: one answer per item, in input order (typed, so a 1,000-item batch is serialised
/// once rather than through a `serde_json::Value` per item).
#[derive(serde::Serialize)]
struct BatchOut<'a> {
    meta: Meta,
    data: Vec<BatchItem<'a>>,
}

#[derive(serde::Serialize)]
#[serde(untagged)]
enum BatchItem<'a> {
    Found { input: &'a str, ok: bool, data: Box<LookupData> },
    Refused { input: Value, ok: bool, error: ItemError },
}

#[derive(serde::Serialize)]
struct ItemError {
    code: &'static str,
    message: String,
}

// ---------- the feed ----------

const IOCS_PARAMS: [&str; 12] = [
    "type",
    "confidence",
    "category",
    "industry",
    "sector",
    "since",
    "until",
    "limit",
    "offset",
    "cursor",
    "format",
    "page",
];

fn encode_cursor(c: (i64, i64)) -> String {
    hex(format!("{:x}.{:x}", c.0, c.1).as_bytes())
}

fn decode_cursor(s: &str) -> Option<(i64, i64)> {
    if !s.len().is_multiple_of(2) || s.len() > 80 {
        return None;
    }
    let bytes: Option<Vec<u8>> =
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect();
    let text = String::from_utf8(bytes?).ok()?;
    let (a, b) = text.split_once('.')?;
    Some((i64::from_str_radix(a, 16).ok()?, i64::from_str_radix(b, 16).ok()?))
}

/// One feed record on the wire (the record shape of docs/api.md), serialised straight from the row.
#[derive(serde::Serialize)]
struct RecordOut<'a> {
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    value: &'a str,
    confidence: &'static str,
    first_seen: String,
    last_seen: String,
    source: SourceOut<'a>,
    context: Option<&'a str>,
    threat_type: Option<&'a str>,
    malware_family: Option<&'a str>,
    sectors: Vec<&'static str>,
    tags: &'a [String],
    /// `{id, name}` as in the lookup answer (the catalogue's active id and name).
    mitre_techniques: Vec<OldTechnique<'static>>,
    /// `active`, or why the record is history only (`revoked`, `expired`, `not-for-detection`, `deleted`).
    status: &'static str,
    valid_until: Option<String>,
}

#[derive(serde::Serialize)]
struct SourceOut<'a> {
    feed_name: &'a str,
    category: &'static str,
    reference_url: Option<&'a str>,
    origin: &'a str,
}

fn record_out(r: &Row, now: i64) -> RecordOut<'_> {
    // Tag ids resolved through the core's ATT&CK catalogue (revoked → successor; unknown ids left out).
    let (techniques, _) = ioclens_core::score::evidence::record_techniques(&r.feed, &r.tags);
    RecordOut {
        id: record_uuid(&r.feed, r.kind, &r.value),
        kind: r.kind.as_str(),
        value: &r.value,
        confidence: r.confidence.as_str(),
        first_seen: time::format(r.first_seen),
        last_seen: time::format(r.last_seen),
        source: SourceOut {
            feed_name: &r.feed,
            category: r.category.as_str(),
            reference_url: r.reference_url.as_deref(),
            origin: &r.origin,
        },
        context: r.context.as_deref(),
        threat_type: r.threat_type.as_deref(),
        malware_family: r.malware_family.as_deref(),
        sectors: sectors::slugs(r.sectors),
        tags: &r.tags,
        mitre_techniques: techniques.into_iter().map(OldTechnique::from).collect(),
        status: r.evidence().status(now).as_str(),
        valid_until: r.valid_until.map(time::format),
    }
}

#[derive(serde::Serialize)]
struct PageOut<'a> {
    meta: Value,
    data: Vec<RecordOut<'a>>,
    links: Value,
}

/// One record as a MISP attribute: the type, category and `to_ids` the core assigns (`ioclens_core::misp`);
/// an ended record (revoked, expired, not for detection) goes out with `to_ids: false`.
fn misp_attribute(r: &Row, now: i64) -> Option<Value> {
    let m = ioclens_core::misp::attribute_type(r.kind)?;
    let active = r.evidence().status(now) == ioclens_core::score::EvidenceStatus::Active;
    let mut tags: Vec<Value> = r.tags.iter().map(|t| json!({"name": t})).collect();
    tags.push(json!({"name": format!("ioclens:feed=\"{}\"", r.feed)}));
    Some(json!({
        "uuid": record_uuid(&r.feed, r.kind, &r.value),
        "type": m.attr_type,
        "category": m.category,
        "value": r.value,
        "to_ids": ioclens_core::misp::to_ids(r.kind, active),
        "comment": r.context.as_deref().unwrap_or(""),
        "timestamp": r.last_seen.to_string(),
        "first_seen": time::format(r.first_seen),
        "last_seen": time::format(r.last_seen),
        "Tag": tags,
    }))
}

/// One record as a STIX 2.1 object: an indicator whose pattern is the core's STIX writer's
/// (`ioclens_core::query::stix_for`, a CIDR as `ISSUBSET`), or a vulnerability for a CVE; marked with the TLP 2.0
/// level its tags ask for (`TLP:CLEAR` by default). Ended records carry `revoked` / `valid_until`.
fn stix_object(r: &Row, created: &str, now: i64) -> Option<(Value, Tlp)> {
    let id = record_uuid(&r.feed, r.kind, &r.value);
    let tlp = tlp_of_tags(&r.tags);
    if r.kind == IocKind::Cve {
        let o = json!({
            "type": "vulnerability", "spec_version": "2.1", "id": format!("vulnerability--{id}"),
            "created": created, "modified": created, "name": r.value,
            "external_references": [{"source_name": "cve", "external_id": r.value}],
            "object_marking_refs": [tlp.id],
        });
        return Some((o, tlp));
    }
    let pattern = ioclens_core::query::stix_for(r.kind, &r.value, &QueryOptions::default()).ok()?;
    let mut o = json!({
        "type": "indicator", "spec_version": "2.1", "id": format!("indicator--{id}"),
        "created": time::format(r.first_seen), "modified": time::format(r.last_seen),
        "name": r.value, "pattern": pattern, "pattern_type": "stix",
        "valid_from": time::format(r.first_seen), "confidence": r.confidence.stix(),
        "indicator_types": ["malicious-activity"],
        "object_marking_refs": [tlp.id],
    });
    if let Some(obj) = o.as_object_mut() {
        if !r.tags.is_empty() {
            obj.insert("labels".into(), json!(r.tags));
        }
        if let Some(c) = &r.context {
            obj.insert("description".into(), json!(c));
        }
        if let Some(u) = &r.reference_url {
            obj.insert("external_references".into(), json!([{"source_name": r.feed, "url": u}]));
        }
        // STIX requires valid_until after valid_from.
        if let Some(v) = r.valid_until.filter(|v| *v > r.first_seen) {
            obj.insert("valid_until".into(), json!(time::format(v)));
        }
        let status = r.evidence().status(now);
        if matches!(status, EvidenceStatus::Revoked | EvidenceStatus::Deleted) {
            obj.insert("revoked".into(), json!(true));
        }
    }
    Some((o, tlp))
}

/// The TLP 2.0 marking-definition object (OASIS TLP 2.0 extension) a bundle carries for each level it uses.
fn tlp_marking(t: Tlp) -> Value {
    json!({
        "type": "marking-definition", "spec_version": "2.1", "id": t.id,
        "created": TLP_CREATED, "name": t.name,
        "extensions": {TLP_EXTENSION: {"extension_type": "property-extension", "tlp_2_0": t.level}},
    })
}

#[expect(clippy::many_single_char_names, reason = "q/p/f: the query, its parameters, the filters")]
async fn iocs(
    State(st): State<Shared>,
    axum::Extension(rid): axum::Extension<RequestId>,
    RawQuery(q): RawQuery,
) -> Response {
    let p = match Params::parse(&rid, q.as_deref(), &IOCS_PARAMS) {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let now = time::now();
    let bad = |m: String| ApiError::invalid(&rid, m).into_response();
    let mut f = Filters::default();
    match parse_kind(&rid, p.get("type")) {
        Ok(k) => f.kinds = k.unwrap_or_default(),
        Err(e) => return e.into_response(),
    }
    if let Some(c) = p.get("confidence") {
        match Level::parse(c) {
            Some(l) => f.confidence = Some(l),
            None => {
                return bad(format!(
                    "`confidence` must be low, medium or high, not `{}`",
                    truncate(c, 64)
                ));
            }
        }
    }
    if let Some(c) = p.get("category") {
        match Category::parse(c) {
            Some(c) => f.category = Some(c),
            None => {
                return bad(format!(
                    "`category` must be government, commercial or community, not `{}`",
                    truncate(c, 64)
                ));
            }
        }
    }
    let industry = p.get("industry").or_else(|| p.get("sector"));
    if let Some(s) = industry {
        match sectors::index(s) {
            Some(i) => f.sector = Some(i),
            None => {
                return bad(format!(
                    "unknown `industry` `{}` (one of: {})",
                    truncate(s, 64),
                    sectors::slugs_list()
                ));
            }
        }
    }
    for (name, slot) in [("since", &mut f.since), ("until", &mut f.until)] {
        if let Some(v) = p.get(name) {
            match time::parse_bound(v, now) {
                Some(t) => *slot = Some(t),
                None => {
                    return bad(format!(
                        "`{name}` must be an ISO 8601 time (2026-01-31T00:00:00Z) or a lookback (24h, 7d, 30d), not `{}`",
                        truncate(v, 64)
                    ));
                }
            }
        }
    }
    let int = |name: &str, default: i64, lo: i64, hi: i64| -> Result<i64, String> {
        match p.get(name) {
            None => Ok(default),
            Some(v) => match v.trim().parse::<i64>() {
                Ok(n) if (lo..=hi).contains(&n) => Ok(n),
                _ => Err(format!("`{name}` must be an integer from {lo} to {hi}")),
            },
        }
    };
    // A `limit` above the cap is served at the cap (`meta.limit` and `meta.limit_max` say so), not refused.
    let limit = match int("limit", 100, 1, i64::MAX) {
        Ok(v) => v.min(MAX_LIMIT),
        Err(m) => return bad(m),
    };
    let mut offset = match int("offset", 0, 0, MAX_OFFSET) {
        Ok(v) => v,
        Err(m) => return bad(m),
    };
    if p.get("page").is_some() {
        match int("page", 1, 1, MAX_OFFSET / limit + 1) {
            Ok(pg) if offset == 0 => offset = (pg - 1) * limit,
            Ok(_) => return bad("give `page` or `offset`, not both".to_owned()),
            Err(m) => return bad(m),
        }
    }
    let cursor = match p.get("cursor").filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => match decode_cursor(c) {
            Some(c) if offset == 0 => Some(c),
            Some(_) => return bad("give `cursor` or `offset`, not both".to_owned()),
            None => {
                return bad(
                    "`cursor` is not a cursor this server issued (use links.next as given)"
                        .to_owned(),
                );
            }
        },
    };
    let format = p.get("format").unwrap_or("json").to_ascii_lowercase();
    if !matches!(format.as_str(), "json" | "csv" | "txt" | "stix" | "misp") {
        return bad(format!(
            "`format` must be json, csv, txt, stix or misp, not `{}`",
            truncate(&format, 32)
        ));
    }
    let f2 = f.clone();
    let with_total = format == "json";
    // The page is read on a blocking thread, but only with one of the pool's connections: at most
    // `store_connections` such threads at a time, whatever the number of clients.
    let conn = match st.pool.get().await {
        Ok(c) => c,
        Err(e) => return ApiError::internal(&rid, &e).into_response(),
    };
    let res = tokio::task::spawn_blocking(move || -> Result<(store::Page, String)> {
        let page = store::page(&conn, &f2, cursor, offset, limit, with_total)?;
        Ok((page, store::feed_version(&conn)?))
    })
    .await;
    let (page, feed_version) = match res {
        Ok(Ok(v)) => v,
        Ok(Err(e)) => return ApiError::internal(&rid, &e).into_response(),
        Err(e) => {
            return ApiError::internal(&rid, &anyhow::anyhow!("query task failed: {e}"))
                .into_response();
        }
    };
    // links: the same query with the cursor replaced.
    let kept: Vec<String> = query_pairs(q.as_deref().unwrap_or(""))
        .into_iter()
        .filter(|(k, _)| k != "cursor" && k != "offset" && k != "page")
        .map(|(k, v)| format!("{}={}", percent_encode(&k), percent_encode(&v)))
        .collect();
    let self_link = match q.as_deref().filter(|q| !q.is_empty()) {
        Some(q) => format!("/api/v1/iocs?{q}"),
        None => "/api/v1/iocs".to_owned(),
    };
    let next_cursor = page.next.map(encode_cursor);
    let next_link = next_cursor.as_ref().map(|c| {
        let mut parts = kept.clone();
        parts.push(format!("cursor={c}"));
        format!("/api/v1/iocs?{}", parts.join("&"))
    });
    let mut res = match format.as_str() {
        "csv" => {
            let mut out = String::from(
                "id,type,value,confidence,first_seen,last_seen,source_article,source_feed,category,tags\n",
            );
            for r in &page.rows {
                let cols = [
                    record_uuid(&r.feed, r.kind, &r.value),
                    r.kind.as_str().to_owned(),
                    r.value.clone(),
                    r.confidence.as_str().to_owned(),
                    time::format(r.first_seen),
                    time::format(r.last_seen),
                    r.reference_url.clone().unwrap_or_default(),
                    r.feed.clone(),
                    r.category.as_str().to_owned(),
                    r.tags.join(";"),
                ];
                // Quoted and defused against spreadsheet formulas (the core's one CSV writer).
                out.push_str(&ioclens_core::csv::record(cols.iter().map(String::as_str)));
                out.push('\n');
            }
            ([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], out).into_response()
        }
        "txt" => {
            let mut out = String::new();
            for r in &page.rows {
                out.push_str(&r.value.replace(['\n', '\r'], ""));
                out.push('\n');
            }
            ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], out).into_response()
        }
        "stix" => {
            let created = time::format(now);
            let mut objects: Vec<Value> = Vec::with_capacity(page.rows.len() + 1);
            let mut used: Vec<Tlp> = Vec::new();
            for (o, tlp) in page.rows.iter().filter_map(|r| stix_object(r, &created, now)) {
                if !used.contains(&tlp) {
                    used.push(tlp);
                }
                objects.push(o);
            }
            used.sort();
            objects.splice(0..0, used.into_iter().map(tlp_marking));
            let bundle_id = {
                let ids = page.rows.iter().fold(String::new(), |mut s, r| {
                    let _ = writeln!(s, "{}", r.id);
                    s
                });
                record_uuid("bundle", IocKind::Unknown, &format!("{self_link}\n{ids}"))
            };
            json_response(
                StatusCode::OK,
                &json!({"type": "bundle", "id": format!("bundle--{bundle_id}"), "objects": objects}),
            )
        }
        "misp" => {
            let attributes: Vec<Value> =
                page.rows.iter().filter_map(|r| misp_attribute(r, now)).collect();
            let ids = page.rows.iter().fold(String::new(), |mut s, r| {
                let _ = writeln!(s, "{}", r.id);
                s
            });
            let event_id =
                record_uuid("misp-event", IocKind::Unknown, &format!("{self_link}\n{ids}"));
            let stamp = time::format(now);
            json_response(
                StatusCode::OK,
                &json!({"Event": {
                    "uuid": event_id,
                    "info": format!("ioclens feed export ({self_link})"),
                    "date": stamp.get(..10).unwrap_or(&stamp),
                    "timestamp": now.to_string(),
                    "published": false,
                    "analysis": "2",
                    "threat_level_id": "4",
                    "distribution": "0",
                    "Orgc": {"name": "ioclens"},
                    "Attribute": attributes,
                }}),
            )
        }
        _ => {
            let filters = json!({
                "type": p.get("type").filter(|_| !f.kinds.is_empty()).map(|t| match &f.kinds[..] {
                    [one] => one.as_str().to_owned(),
                    _ => t.trim().to_ascii_lowercase(),
                }),
                "confidence": f.confidence.map(Level::as_str),
                "category": f.category.map(Category::as_str),
                "industry": f.sector.map(|i| sectors::SECTORS[i].0),
                "since": f.since.map(time::format),
                "until": f.until.map(time::format),
            });
            let data: Vec<RecordOut<'_>> = page.rows.iter().map(|r| record_out(r, now)).collect();
            let out = PageOut {
                meta: json!({
                    "total": page.total,
                    "total_exact": page.total.is_some_and(|t| t < store::TOTAL_CAP),
                    "count": data.len(),
                    "limit": limit,
                    "limit_max": MAX_LIMIT,
                    "offset": offset,
                    "next_cursor": next_cursor,
                    "generated_at": time::format(now),
                    "feed_version": feed_version,
                    "source": "ioclens",
                    "filters": filters,
                }),
                data,
                links: json!({"self": self_link, "next": next_link}),
            };
            (StatusCode::OK, axum::Json(out)).into_response()
        }
    };
    if let Some(next) = &next_link
        && let Ok(v) = HeaderValue::from_str(&format!("<{next}>; rel=\"next\""))
    {
        res.headers_mut().insert(header::LINK, v);
    }
    p.tag(res)
}

async fn feeds(
    State(st): State<Shared>,
    axum::Extension(rid): axum::Extension<RequestId>,
    RawQuery(q): RawQuery,
) -> Response {
    let p = match Params::parse(&rid, q.as_deref(), &[]) {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let read = st.pool.get().await.and_then(|c| Ok((store::feeds(&c)?, store::feed_version(&c)?)));
    p.tag(match read {
        // The same `meta` as every other list answer (`count` as on `/api/v1/iocs`).
        Ok((f, feed_version)) => json_response(
            StatusCode::OK,
            &json!({"meta": {
                "count": f.len(),
                "generated_at": time::format(time::now()),
                "feed_version": feed_version,
                "source": "ioclens",
            }, "data": f}),
        ),
        Err(e) => ApiError::internal(&rid, &e).into_response(),
    })
}

/// `GET /api/v1/intel/pack`: the intel pack this server uses, signed (docs/intel.md, "Signed packs"). `ETag` /
/// `If-None-Match` (304), the ed25519 signature of the whole file in `X-Ioclens-Signature` and the public key in
/// `X-Ioclens-Public-Key` (a client checks the signature against the key it was configured with, not this one).
async fn intel_pack(
    State(st): State<Shared>,
    axum::Extension(rid): axum::Extension<RequestId>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    if let Err(e) = Params::parse(&rid, q.as_deref(), &[]) {
        return e.into_response();
    }
    let none = || {
        ApiError::new(&rid, StatusCode::NOT_FOUND, "not_found", "this server has no intel pack")
            .into_response()
    };
    let Some(live) = st.intel.clone() else {
        return none();
    };
    let Some((p, key)) =
        tokio::task::spawn_blocking(move || live.published().zip(live.public_key()))
            .await
            .ok()
            .flatten()
    else {
        return none();
    };
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == p.etag || t.trim() == "*"));
    let mut res = if matches {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let body = axum::body::Bytes::from_owner(PackBody(p.pack.clone()));
        let mut r = Response::new(Body::from(body));
        r.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/octet-stream"));
        r
    };
    set_header(&mut res, "etag", &p.etag);
    set_header(&mut res, "x-ioclens-signature", &p.signature);
    set_header(&mut res, "x-ioclens-public-key", &key);
    res
}

/// A loaded pack's bytes as a response body, without copying them.
struct PackBody(Arc<LoadedPack>);

impl AsRef<[u8]> for PackBody {
    fn as_ref(&self) -> &[u8] {
        self.0.bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn boom() -> StatusCode {
        panic!("a bug in a handler")
    }

    /// Serves `app` on 127.0.0.1 from a thread of its own.
    fn spawn(app: Router, limits: Limits) -> SocketAddr {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let l = tokio::net::TcpListener::from_std(listener).unwrap();
                serve_with(l, app, &limits, std::future::pending()).await.unwrap();
            });
        });
        addr
    }

    /// A statement that runs for as long as it is let (a recursive count to 10^10).
    async fn slow(State(st): State<Shared>) -> Response {
        let conn = match st.pool.get().await {
            Ok(c) => c,
            Err(e) => return ApiError::internal(&RequestId("req_slow".into()), &e).into_response(),
        };
        let res = tokio::task::spawn_blocking(move || {
            conn.sqlite().expect("an SQLite store").query_row(
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 10000000000) \
                 SELECT count(*) FROM c",
                [],
                |r| r.get::<_, i64>(0),
            )
        })
        .await
        .unwrap();
        match res {
            Ok(n) => n.to_string().into_response(),
            Err(e) => ApiError::internal(&RequestId("req_slow".into()), &e.into()).into_response(),
        }
    }

    /// One store connection, no queue, a 700 ms query limit: a slow query is stopped at the limit (503
    /// `query_timeout`), and a request arriving while it runs is refused at once (503 `busy`), both with
    /// `Retry-After`; afterwards the server answers normally.
    #[test]
    fn store_work_is_bounded() {
        let dir = std::env::temp_dir().join(format!("ioclens-bounded-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let db = dir.join("store.db");
        let conn = store::open(&db).unwrap();
        let (key, _) = keys::create(&conn, "t", 0, 1_800_000_000).unwrap();
        let limits = Limits {
            store_connections: 1,
            queue: 0,
            query_timeout: Duration::from_millis(700),
            ..Limits::default()
        };
        let extra = Router::new().route("/api/v1/slow", get(slow));
        let app =
            build(&db, Settings { limits: limits.clone(), ..Settings::default() }, extra).unwrap();
        let addr = spawn(app, limits);
        let agent: ureq::Agent =
            ureq::Agent::config_builder().http_status_as_error(false).build().into();
        let auth = format!("Bearer {key}");
        // The key is verified (and cached) first, so the requests below need the store only for their work.
        let warm = agent.get(&format!("http://{addr}/api/v1/feeds")).header("Authorization", &auth);
        assert_eq!(warm.call().unwrap().status(), 200);
        let (a2, auth2) = (agent.clone(), auth.clone());
        let started = Instant::now();
        let slow = std::thread::spawn(move || {
            let mut r = a2
                .get(&format!("http://{addr}/api/v1/slow"))
                .header("Authorization", &auth2)
                .call()
                .unwrap();
            let retry = r.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned());
            (r.status().as_u16(), r.body_mut().read_to_string().unwrap(), retry)
        });
        std::thread::sleep(Duration::from_millis(250));
        let mut busy = agent
            .get(&format!("http://{addr}/api/v1/feeds"))
            .header("Authorization", &auth)
            .call()
            .unwrap();
        assert_eq!(busy.status(), 503);
        assert_eq!(busy.headers().get("retry-after").unwrap(), "1");
        let body: Value = serde_json::from_str(&busy.body_mut().read_to_string().unwrap()).unwrap();
        assert_eq!(body["error"]["code"], "busy");
        let (status, text, retry) = slow.join().unwrap();
        let took = started.elapsed();
        assert_eq!(status, 503, "{text}");
        assert!(text.contains("query_timeout"), "{text}");
        assert_eq!(retry.as_deref(), Some("1"));
        assert!(took >= Duration::from_millis(650) && took < Duration::from_secs(5), "{took:?}");
        let after =
            agent.get(&format!("http://{addr}/api/v1/feeds")).header("Authorization", &auth);
        assert_eq!(after.call().unwrap().status(), 200);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_panicking_handler_answers_500_with_the_error_envelope() {
        let dir = std::env::temp_dir().join(format!("ioclens-panic-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let db = dir.join("store.db");
        let conn = store::open(&db).unwrap();
        let (key, _) = keys::create(&conn, "t", 0, 1_800_000_000).unwrap();
        let boom = Router::new().route("/api/v1/boom", get(boom)).route(
            "/api/v1/boom-later",
            get(|| async {
                tokio::task::yield_now().await;
                let v: Vec<u8> = Vec::new();
                Response::new(Body::from(v[3..].to_vec()))
            }),
        );
        let addr = spawn(build(&db, Settings::default(), boom).unwrap(), Limits::default());
        // One keep-alive connection for every request: the panics must not close it.
        let agent: ureq::Agent =
            ureq::Agent::config_builder().http_status_as_error(false).build().into();
        let auth = format!("Bearer {key}");
        for path in ["/api/v1/boom", "/api/v1/boom-later", "/api/v1/boom"] {
            let mut res = agent
                .get(&format!("http://{addr}{path}"))
                .header("Authorization", &auth)
                .call()
                .unwrap();
            assert_eq!(res.status(), 500, "{path}");
            let rid = res.headers().get("x-request-id").unwrap().to_str().unwrap().to_owned();
            let body: Value =
                serde_json::from_str(&res.body_mut().read_to_string().unwrap()).unwrap();
            assert_eq!(body["error"]["code"], "internal_error");
            assert_eq!(body["error"]["request_id"], rid.as_str());
            // The panic message (internals) is logged, not sent.
            assert!(!body["error"]["message"].as_str().unwrap().contains("a bug in a handler"));
        }
        // The server goes on answering, through the same pool and key cache.
        let mut res = agent
            .get(&format!("http://{addr}/api/v1/lookup?ioc=evil.example"))
            .header("Authorization", &auth)
            .call()
            .unwrap();
        assert_eq!(res.status(), 200);
        let body: Value = serde_json::from_str(&res.body_mut().read_to_string().unwrap()).unwrap();
        assert_eq!(body["data"]["ioc_value"], "evil.example");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn cors_origin_patterns() {
        let c = Cors::new(["https://SOC.example:8443", "moz-extension://*"]).unwrap();
        assert!(c.allows("https://soc.example:8443"));
        assert!(!c.allows("https://soc.example"));
        assert!(!c.allows("http://soc.example:8443"));
        assert!(!c.allows("https://soc.example:8443.evil.example"));
        assert!(c.allows("moz-extension://0b1c2d3e-aaaa-bbbb-cccc-0123456789ab"));
        assert!(!c.allows("moz-extension://"));
        assert!(!c.allows("chrome-extension://abc"));
        assert!(!c.allows("null"));
        assert!(Cors::new(["*"]).unwrap().allows("https://any.example"));
        assert!(Cors::default().is_empty());
        for bad in
            ["soc.example", "https://soc.example/", "https://*.soc.example", "://x", "https://"]
        {
            assert!(Cors::new([bad]).is_err(), "{bad}");
        }
    }

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let c = (1_800_000_000, 42);
        assert_eq!(decode_cursor(&encode_cursor(c)), Some(c));
        assert_eq!(decode_cursor("zz"), None);
        assert_eq!(decode_cursor(""), None);
        assert_eq!(decode_cursor("3132"), None);
    }

    #[test]
    fn uuids_are_deterministic_v8() {
        let a = record_uuid("f", IocKind::Domain, "evil.example");
        assert_eq!(a, record_uuid("f", IocKind::Domain, "evil.example"));
        assert_ne!(a, record_uuid("g", IocKind::Domain, "evil.example"));
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "8");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"));
    }

    #[test]
    fn query_decoding() {
        assert_eq!(
            query_pairs("ioc=evil%5B.%5Dcom&type=a+b&x"),
            vec![
                ("ioc".to_owned(), "evil[.]com".to_owned()),
                ("type".to_owned(), "a b".to_owned()),
                ("x".to_owned(), String::new())
            ]
        );
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }
}
