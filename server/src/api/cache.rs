//! Conditional GET (RFC 9110 §13.1.2, RFC 9111 §5.2): the one place that reads `If-None-Match` and writes
//! `ETag`, `Cache-Control` and `304 Not Modified`, for every answer that carries a validator: the web page's
//! files (`web`), the signed intel pack (`pack`) and feed pages (`iocs`).
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The intel pack: its URL names the server's *current* pack, which changes when a newer one is installed, so
/// a client keeps the body and asks again each time (`no-cache`); the `ETag` is the pack's own digest, so the
/// answer is a body-less 304 until the pack changes. `private`: the route needs an API key, and a key given as
/// `X-API-Key` would not keep a shared cache from storing it.
pub(super) const PACK: &str = "private, no-cache";

/// A feed page: fresh for a short while (feeds change on their sync interval, and a record's status with the
/// clock), then revalidated with its `ETag`. `private` as for [`PACK`].
pub(super) const PAGE: &str = "private, max-age=30";

/// Whether the request's `If-None-Match` names `etag`. Weak comparison, as RFC 9110 asks for this header
/// (`W/"x"` and `"x"` match each other); `*` matches any current answer.
pub(super) fn matches(headers: &HeaderMap, etag: &str) -> bool {
    let opaque = |t: &str| t.strip_prefix("W/").unwrap_or(t).to_owned();
    let want = opaque(etag);
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|t| t == "*" || opaque(t) == want)
}

/// Sets `ETag` and `Cache-Control` on `res` (an `etag` that is not a valid header value is left out).
pub(super) fn tag(res: &mut Response, etag: &str, cache_control: &'static str) {
    if let Ok(v) = HeaderValue::from_str(etag) {
        res.headers_mut().insert(header::ETAG, v);
    }
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(cache_control));
}

/// `304 Not Modified`, no body, with the validator and caching rule a `200` would carry.
pub(super) fn not_modified(etag: &str, cache_control: &'static str) -> Response {
    let mut res = StatusCode::NOT_MODIFIED.into_response();
    tag(&mut res, etag, cache_control);
    res
}

/// The answer to a conditional request: a 304 when `If-None-Match` names `etag`, else `body()` (only then
/// built), each tagged with `etag` and `cache_control`.
pub(super) fn conditional(
    headers: &HeaderMap,
    etag: &str,
    cache_control: &'static str,
    body: impl FnOnce() -> Response,
) -> Response {
    if matches(headers, etag) {
        return not_modified(etag, cache_control);
    }
    let mut res = body();
    tag(&mut res, etag, cache_control);
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inm(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(header::IF_NONE_MATCH, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn if_none_match_uses_the_weak_comparison() {
        assert!(matches(&inm(&["\"abc\""]), "\"abc\""));
        assert!(matches(&inm(&["W/\"abc\""]), "\"abc\""));
        assert!(matches(&inm(&["\"abc\""]), "W/\"abc\""));
        assert!(matches(&inm(&["\"x\", W/\"abc\" , \"y\""]), "\"abc\""));
        assert!(matches(&inm(&["\"x\"", "\"abc\""]), "\"abc\""));
        assert!(matches(&inm(&["*"]), "\"abc\""));
        assert!(!matches(&inm(&[]), "\"abc\""));
        assert!(!matches(&inm(&["\"abcd\""]), "\"abc\""));
        assert!(!matches(&inm(&["abc"]), "\"abc\""));
        assert!(!matches(&inm(&["\"\""]), "\"abc\""));
    }
}
