//! Server settings and limits: the listen `Config`, the request/connection `Limits`, the `Host` names answered
//! and the CORS origins allowed.
use super::ServerProviders;
use anyhow::Result;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
