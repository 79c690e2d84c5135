//! HTTP: the router and its shared state. Each concern lives in a module of its own under `api/`:
//! settings and limits (`config`), the store connection pool (`pool`), the error envelope (`error`), the accept
//! loop (`listen`), the gate every request passes (`gate`: CORS, `Host`, authentication, rate limit), query
//! parameters (`params`), health and the web page (`web`), lookup (`lookup`), the feed (`iocs`, with the record
//! formats of `export`), the signed intel pack (`pack`), TAXII 2.1 (`taxii`) and enrichment providers
//! (`providers`).
use crate::keys;
use anyhow::Result;
use axum::Router;
use axum::middleware;
use axum::routing::get;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::Instant;

mod cache;
mod config;
mod error;
mod export;
mod gate;
mod iocs;
mod listen;
mod lookup;
mod pack;
mod params;
mod pool;
mod pooled;
mod providers;
mod taxii;
mod web;

pub use config::{
    Config, Cors, Hosts, Limits, MAX_BATCH, MAX_BODY, MAX_LIMIT, MAX_OFFSET, MAX_QUERY,
};
pub use export::record_uuid;
pub use gate::KEY_RECHECK;
pub use listen::{serve, serve_on, serve_with};
pub use providers::{Bucket, Limits as ProviderLimits, ServerProviders};
pub use taxii::{
    API_ROOT as TAXII_API_ROOT, STIX as STIX_MEDIA_TYPE, TAXII as TAXII_MEDIA_TYPE,
    collection_id as taxii_collection_id,
};
pub use web::NO_PAGE;

use crate::intel::hex;
use error::{ApiError, RequestId};
use export::{stix_object, tlp_marking};
use gate::gate;
use iocs::{feeds, iocs};
use lookup::{lookup_get, lookup_post};
use pack::intel_pack;
use params::{Params, truncate};
use pool::Pool;
use web::{fallback, health, method_not_allowed, openapi};

/// The `OpenAPI` 3.1 description served at `/api/v1/openapi.json`.
pub const OPENAPI: &str = include_str!("../openapi.json");

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

#[cfg(test)]
mod tests;
