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
use ioclens_core::query::QueryOptions;
use ioclens_core::query::tlp::{TLP_CREATED, TLP_EXTENSION, Tlp, tlp_of_tags};
use ioclens_core::score::EvidenceStatus;
use rusqlite::Connection;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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

/// Connections to the store, reused across requests (`SQLite` in WAL mode: many readers, one writer).
struct Pool {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

struct Pooled<'a> {
    pool: &'a Pool,
    conn: Option<Connection>,
}

impl std::ops::Deref for Pooled<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        self.conn.as_ref().unwrap_or_else(|| unreachable!("connection taken only on drop"))
    }
}

impl Drop for Pooled<'_> {
    fn drop(&mut self) {
        if let Some(c) = self.conn.take() {
            let mut idle = lock(&self.pool.idle);
            if idle.len() < 32 {
                idle.push(c);
            }
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
/// the WAL).
fn open_reader(path: &std::path::Path) -> Result<Connection> {
    let c = store::open(path)?;
    c.pragma_update(None, "mmap_size", 256_i64 << 20)?;
    Ok(c)
}

impl Pool {
    fn get(&self) -> Result<Pooled<'_>> {
        let conn = lock(&self.idle).pop();
        let conn = match conn {
            Some(c) => c,
            None => open_reader(&self.path)?,
        };
        Ok(Pooled { pool: self, conn: Some(conn) })
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
    www: Option<PathBuf>,
    cors: Cors,
    /// Verified keys by SHA-256: `(id, rate_limit, verified_at)`.
    verified: Mutex<HashMap<[u8; 32], (i64, i64, Instant)>>,
    windows: Mutex<HashMap<i64, (i64, i64)>>,
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
}

impl ApiError {
    fn new(
        rid: &RequestId,
        status: StatusCode,
        code: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Self { status, code, message: message.into(), request_id: rid.0.clone() }
    }
    fn invalid(rid: &RequestId, message: impl Into<String>) -> Self {
        Self::new(rid, StatusCode::BAD_REQUEST, "invalid_parameter", message)
    }
    fn internal(rid: &RequestId, err: &anyhow::Error) -> Self {
        Self::new(rid, StatusCode::INTERNAL_SERVER_ERROR, "internal_error", format!("{err:#}"))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"error": {"code": self.code, "message": self.message, "request_id": self.request_id}});
        let mut res = (self.status, axum::Json(body)).into_response();
        if let Ok(v) = HeaderValue::from_str(&self.request_id) {
            res.headers_mut().insert("x-request-id", v);
        }
        res
    }
}

/// Builds the router for a store, without CORS (tests and benches use it).
///
/// # Errors
/// The store cannot be opened, or the OS has no randomness.
pub fn router(db: PathBuf, www: Option<PathBuf>) -> Result<Router> {
    build(db, www, Cors::default(), Router::new())
}

/// Builds the router for a store with the CORS origins allowed (what `serve` uses).
///
/// # Errors
/// As [`router`].
pub fn router_with_cors(db: PathBuf, www: Option<PathBuf>, cors: Cors) -> Result<Router> {
    build(db, www, cors, Router::new())
}

/// The router, with `extra` routes behind the same gate (the panic test adds one).
fn build(db: PathBuf, www: Option<PathBuf>, cors: Cors, extra: Router) -> Result<Router> {
    let first = open_reader(&db)?;
    let mut seed_bytes = [0u8; 8];
    getrandom::fill(&mut seed_bytes)
        .map_err(|e| anyhow::anyhow!("no randomness from the OS: {e}"))?;
    let state = Arc::new(AppState {
        pool: Pool { path: db, idle: Mutex::new(vec![first]) },
        www,
        cors,
        verified: Mutex::new(HashMap::new()),
        windows: Mutex::new(HashMap::new()),
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
        .fallback(fallback)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state.clone())
        .merge(extra)
        .layer(middleware::from_fn_with_state(state, gate)))
}

/// Serves until Ctrl-C.
pub async fn serve(config: Config) -> Result<()> {
    let app = router_with_cors(config.db.clone(), config.www.clone(), config.cors.clone())?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("binding {}", config.listen))?;
    serve_on(listener, app, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
}

/// Serves `app` on a bound listener with `TCP_NODELAY` (no Nagle/delayed-ACK stalls on multi-segment answers)
/// until `shutdown` resolves.
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<()> {
    use axum::serve::ListenerExt as _;
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await.context("serving")
}

fn is_public(path: &str) -> bool {
    matches!(path, "/health" | "/api/v1/health" | "/api/v1/openapi.json")
        || !path.starts_with("/api/")
}

fn presented_key(headers: &HeaderMap) -> Option<String> {
    if let Some(v) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        let v = v.trim();
        if v.len() > 7 && v[..7].eq_ignore_ascii_case("bearer ") {
            return Some(v[7..].trim().to_owned());
        }
    }
    headers
        .get("x-api-key")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

fn set_header(res: &mut Response, name: &'static str, value: &impl ToString) {
    if let Ok(v) = HeaderValue::from_str(&value.to_string()) {
        res.headers_mut().insert(HeaderName::from_static(name), v);
    }
}

/// Checks a key: from the verified-key cache when it was verified less than [`KEY_RECHECK`] ago, else from the
/// store (a lookup would otherwise spend a statement and a read transaction on the key alone).
fn authenticate(st: &AppState, key: &str) -> Result<keys::Auth> {
    let digest = keys::hash(key);
    let now = Instant::now();
    if let Some(&(id, rate_limit, at)) = lock(&st.verified).get(&digest)
        && now.duration_since(at) < KEY_RECHECK
    {
        return Ok(keys::Auth::Valid { id, rate_limit });
    }
    let auth = keys::authenticate_hash(&*st.pool.get()?, &digest)?;
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
    let mut res = if req.method() == Method::OPTIONS
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
const CORS_EXPOSE: &str =
    "X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, Retry-After, X-Request-Id, Link";

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
        return ApiError::new(
            &rid,
            StatusCode::UNAUTHORIZED,
            "missing_api_key",
            "send an API key as `Authorization: Bearer <key>` or `X-API-Key: <key>`",
        )
        .into_response();
    };
    let auth = match authenticate(st, &key) {
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
    // Fixed one-minute windows per key.
    let now = time::now();
    let window = now.div_euclid(60);
    let reset = (window + 1) * 60;
    let remaining = if limit > 0 {
        let mut w = lock(&st.windows);
        let e = w.entry(key_id).or_insert((window, 0));
        if e.0 != window {
            *e = (window, 0);
        }
        if e.1 >= limit {
            drop(w);
            let mut res = ApiError::new(
                &rid,
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limit_exceeded",
                format!(
                    "rate limit of {limit} requests per minute exceeded; retry after {}s",
                    reset - now
                ),
            )
            .into_response();
            set_header(&mut res, "retry-after", &(reset - now));
            set_header(&mut res, "x-ratelimit-limit", &limit);
            set_header(&mut res, "x-ratelimit-remaining", &0);
            set_header(&mut res, "x-ratelimit-reset", &reset);
            return res;
        }
        e.1 += 1;
        Some(limit - e.1)
    } else {
        None
    };
    let mut res = next.run(req).await;
    if let Some(remaining) = remaining {
        set_header(&mut res, "x-ratelimit-limit", &limit);
        set_header(&mut res, "x-ratelimit-remaining", &remaining);
        set_header(&mut res, "x-ratelimit-reset", &reset);
    }
    res
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                match s.get(i + 1..i + 3).map(|h| u8::from_str_radix(h, 16)) {
                    Some(Ok(v)) => {
                        out.push(v);
                        i += 3;
                        continue;
                    }
                    _ => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
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

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Query parameters: one value per name (a repeated name is an error), known names only per endpoint.
struct Params {
    map: HashMap<String, String>,
}

impl Params {
    fn parse(rid: &RequestId, raw: Option<&str>, allowed: &[&str]) -> Result<Self, ApiError> {
        let mut map = HashMap::new();
        for (k, v) in query_pairs(raw.unwrap_or("")) {
            if !allowed.contains(&k.as_str()) {
                return Err(ApiError::invalid(
                    rid,
                    format!(
                        "unknown parameter `{}` (allowed: {})",
                        truncate(&k, 64),
                        allowed.join(", ")
                    ),
                ));
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
        Ok(Self { map })
    }
    fn get(&self, k: &str) -> Option<&str> {
        self.map.get(k).map(String::as_str)
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
        }
        .into_response(),
    }
}

async fn health(
    State(st): State<Shared>,
    axum::Extension(rid): axum::Extension<RequestId>,
) -> Response {
    let res = st.pool.get().and_then(|c| Ok((store::feed_version(&c)?, store::feeds(&c)?.len())));
    match res {
        Ok((feed_version, feeds)) => json_response(
            StatusCode::OK,
            &json!({"status": "ok", "version": crate_version(), "feed_version": feed_version, "feeds": feeds}),
        ),
        Err(e) => ApiError::internal(&rid, &e).into_response(),
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
    ApiError::new(
        &rid,
        StatusCode::NOT_FOUND,
        "not_found",
        format!("no such endpoint `{}`", truncate(path, 200)),
    )
    .into_response()
}

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
    let rel = percent_decode(path.trim_start_matches('/'));
    if rel.split(['/', '\\']).any(|c| c == ".." || c.contains('\0')) {
        return None;
    }
    let mut file = dir.join(&rel);
    if rel.is_empty() || rel.ends_with('/') {
        file = file.join("index.html");
    }
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

fn parse_kind(rid: &RequestId, t: Option<&str>) -> Result<Option<IocKind>, ApiError> {
    match t.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => match IocKind::parse(t) {
            Some(IocKind::Unknown) | None => Err(ApiError::invalid(
                rid,
                format!(
                    "unknown type `{}` (ipv4, ipv6, cidr, domain, url, email, md5, sha1, sha256, sha512, cve, \
                     mitre-attack, asn, btc, file_path, registry_key)",
                    truncate(t, 64)
                ),
            )),
            Some(k) => Ok(Some(k)),
        },
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
    conn: &Connection,
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
        store::lookup(conn, c.kind, &c.canonical)?
    };
    let opts = LookupOptions {
        kind: forced,
        evidence: rows.iter().map(Row::evidence).collect(),
        ..LookupOptions::default()
    };
    let core = ioclens_core::lookup(input, &opts, now);
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

#[derive(serde::Serialize)]
struct OldTechnique<'a> {
    id: &'a str,
    name: &'a str,
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

/// The lookup answer: the newer envelope `{meta, data}` plus the older flat fields (API.md), so clients of the
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
            .map(|t| OldTechnique { id: &t.id, name: &t.name })
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
    let p = match Params::parse(&rid, q.as_deref(), &["ioc", "value", "type"]) {
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
    let forced = match parse_kind(&rid, p.get("type")) {
        Ok(k) => k,
        Err(e) => return e.into_response(),
    };
    if let Err(msg) = check_value(&input, forced) {
        return ApiError::invalid(&rid, format!("`ioc`: {msg}")).into_response();
    }
    match st.pool.get().and_then(|c| lookup_one(&c, &input, forced, time::now())) {
        Ok(v) => json_response(StatusCode::OK, &v),
        Err(e) => ApiError::internal(&rid, &e).into_response(),
    }
}

async fn lookup_post(
    State(st): State<Shared>,
    axum::Extension(rid): axum::Extension<RequestId>,
    RawQuery(q): RawQuery,
    body: Body,
) -> Response {
    if let Err(e) = Params::parse(&rid, q.as_deref(), &[]) {
        return e.into_response();
    }
    // Read a little past the limit so a client that sends a too-large body still gets its 400 rather than a
    // connection closed mid-upload (only authenticated requests get here).
    let bytes = match axum::body::to_bytes(body, MAX_BODY * 4).await {
        Ok(b) if b.len() <= MAX_BODY => b,
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
    let conn = match st.pool.get() {
        Ok(c) => c,
        Err(e) => return ApiError::internal(&rid, &e).into_response(),
    };
    let now = time::now();
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
                Ok(forced) => check_value(v, forced).map(|()| (forced, v)),
            },
        };
        let entry = match answer {
            Ok((forced, v)) => match lookup_one(&conn, v, forced, now) {
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
    match store::feed_version(&conn) {
        Ok(feed_version) => json_response(
            StatusCode::OK,
            &BatchOut {
                meta: Meta { generated_at: time::format(now), feed_version, source: "ioclens" },
                data: out,
            },
        ),
        Err(e) => ApiError::internal(&rid, &e).into_response(),
    }
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

/// One feed record on the wire (API.md record shape), serialised straight from the row.
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
    mitre_techniques: Vec<String>,
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
        mitre_techniques: techniques.into_iter().map(|t| t.id).collect(),
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

fn csv_field(s: &str) -> String {
    // RFC 4180 quoting, and a leading `'` against spreadsheet formula injection (OWASP CSV injection).
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s }
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
        Ok(k) => f.kind = k,
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
    let limit = match int("limit", 100, 1, MAX_LIMIT) {
        Ok(v) => v,
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
    if !matches!(format.as_str(), "json" | "csv" | "txt" | "stix") {
        return bad(format!(
            "`format` must be json, csv, txt or stix, not `{}`",
            truncate(&format, 32)
        ));
    }
    let st2 = st.clone();
    let f2 = f.clone();
    let with_total = format == "json";
    let res = tokio::task::spawn_blocking(move || -> Result<(store::Page, String)> {
        let conn = st2.pool.get()?;
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
                out.push_str(&cols.iter().map(|c| csv_field(c)).collect::<Vec<_>>().join(","));
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
        _ => {
            let filters = json!({
                "type": f.kind.map(IocKind::as_str),
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
    res
}

async fn feeds(
    State(st): State<Shared>,
    axum::Extension(rid): axum::Extension<RequestId>,
    RawQuery(q): RawQuery,
) -> Response {
    if let Err(e) = Params::parse(&rid, q.as_deref(), &[]) {
        return e.into_response();
    }
    match st.pool.get().and_then(|c| store::feeds(&c)) {
        Ok(f) => json_response(StatusCode::OK, &json!({"data": f})),
        Err(e) => ApiError::internal(&rid, &e).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn boom() -> StatusCode {
        panic!("a bug in a handler")
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
        let app = build(db, None, Cors::default(), boom).unwrap();
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
                serve_on(l, app, std::future::pending()).await.unwrap();
            });
        });
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
    fn csv_fields_are_quoted_and_defused() {
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("=cmd()"), "'=cmd()");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
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
