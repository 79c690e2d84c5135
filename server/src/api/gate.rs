//! The middleware every request passes: request id, CORS, `Host` check, query-string checks, authentication
//! (with the verified-key cache), the per-key rate limit, and a panic turned into the error envelope.
use super::config::MAX_QUERY;
use super::error::{ApiError, ErrorCode, RequestId};
use super::params::{query_pairs, truncate};
use super::pool::lock;
use super::{AppState, Shared, taxii};
use crate::{keys, time};
use anyhow::Result;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// How long a verified key is trusted without asking the store again. Keys are revoked by another process
/// (`ioclens keys revoke`), so this bounds how long a revoked key keeps working.
pub const KEY_RECHECK: Duration = Duration::from_secs(1);
/// Most verified keys remembered (the cache is emptied when full; only valid keys are cached, so unknown keys
/// sprayed at the server cannot grow it).
const KEY_CACHE_MAX: usize = 4096;

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

pub(super) fn set_header(res: &mut Response, name: &'static str, value: &impl ToString) {
    if let Ok(v) = HeaderValue::from_str(&value.to_string()) {
        res.headers_mut().insert(HeaderName::from_static(name), v);
    }
}

/// Checks a key: from the verified-key cache when it was verified less than [`KEY_RECHECK`] ago, else from the
/// store (a lookup would otherwise spend a statement and a read transaction on the key alone).
/// Counts a request against its key's sliding one-minute window (`None`: no limit): in this process for an
/// `SQLite` store, in the database for `PostgreSQL`, so replicas share one count per key.
async fn rate_take(st: &AppState, key_id: i64, limit: u64) -> Result<Option<keys::Decision>> {
    if limit == 0 {
        return Ok(None);
    }
    if st.pool.shared() {
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

/// Request id, query-string key ban, authentication and the per-key rate limit, for every request.
///
/// Also the outermost guard: a CORS preflight is answered here (before authentication: browsers never send
/// credentials with one), an allowed `Origin` gets its CORS headers on every answer (errors included, so the page
/// can read them), and a panic anywhere below becomes the `internal_error` envelope with 500 instead of a dropped
/// connection.
pub(super) async fn gate(State(st): State<Shared>, mut req: Request, next: Next) -> Response {
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
            ErrorCode::MisdirectedRequest,
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
                ErrorCode::InternalError,
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

/// Response headers a cross-origin page may read (the rate limit, `Retry-After`, the request id, paging, the
/// validator it sends back as `If-None-Match`, the intel pack's signature and key).
const CORS_EXPOSE: &str = "X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, Retry-After, X-Request-Id, Link, \
     X-Ignored-Parameters, ETag, X-Ioclens-Signature, X-Ioclens-Public-Key";

/// Answers a CORS preflight: 204 with the allowed methods and headers for an allowed origin, else
/// `403 forbidden` (the browser then refuses the real request; the body says why to whoever debugs it).
fn preflight(rid: &RequestId, allowed: bool, headers: &HeaderMap) -> Response {
    if !allowed {
        return ApiError::new(
            rid,
            StatusCode::FORBIDDEN,
            ErrorCode::Forbidden,
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
        HeaderValue::from_static("Authorization, X-API-Key, Content-Type, If-None-Match"),
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
                ErrorCode::UnsupportedAuthScheme,
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
            ErrorCode::MissingApiKey,
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
                ErrorCode::InvalidApiKey,
                "the API key is not valid",
            )
            .into_response();
        }
        keys::Auth::Revoked => {
            return ApiError::new(
                &rid,
                StatusCode::FORBIDDEN,
                ErrorCode::Forbidden,
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
            ErrorCode::RateLimitExceeded,
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
