//! Health, the `OpenAPI` document, the web page's static files, and the not-found / method fallbacks.
use super::cache;
use super::error::{ApiError, ErrorCode, RequestId, interrupted, log_error};
use super::params::{json_response, truncate};
use super::pool::Busy;
use super::{OPENAPI, Shared};
use crate::store;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use std::path::PathBuf;

pub(super) async fn health(
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
                ErrorCode::StoreUnavailable,
                "the store cannot be read (the server log has the details under this request id)",
            )
            .into_response()
        }
    }
}

fn crate_version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

pub(super) async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

pub(super) async fn fallback(
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
        && let Some(res) = static_file(dir, path, &headers).await
    {
        return res;
    }
    let message = if st.www.is_none() && path == "/" {
        NO_PAGE.to_owned()
    } else {
        format!("no such endpoint `{}`", truncate(path, 200))
    };
    ApiError::new(&rid, StatusCode::NOT_FOUND, ErrorCode::NotFound, message).into_response()
}

/// What `GET /` says (and `ioclens serve` prints) when no web page is served.
pub const NO_PAGE: &str = "no web page is served here: build it with `cargo xtask wasm && node www/build.mjs` \
     (then `ioclens serve` serves `www/dist`), or pass `--www DIR`; the API is under /api/v1/";

pub(super) async fn method_not_allowed(
    axum::Extension(rid): axum::Extension<RequestId>,
    method: Method,
) -> Response {
    ApiError::new(
        &rid,
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::MethodNotAllowed,
        format!("{method} is not allowed here"),
    )
    .into_response()
}

/// A file of the web page. Answers carry a validator (`ETag` from size and modification time) with
/// `Cache-Control: no-cache`: the browser keeps the file and revalidates on each visit, getting
/// `304 Not Modified` until it changes. A file whose name carries a content hash (`app.<16 hex>.js`, as
/// `www/build.mjs` names the page's script and wasm module) cannot change under that name: it is `immutable`,
/// so opening the page does not wait for a revalidation round trip per file.
async fn static_file(dir: &std::path::Path, path: &str, headers: &HeaderMap) -> Option<Response> {
    let (file, rel) = web_file(dir, path).await?;
    let meta = tokio::fs::metadata(&file).await.ok().filter(std::fs::Metadata::is_file)?;
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    let etag = format!("W/\"{:x}-{modified:x}\"", meta.len());
    let cache_control =
        if content_hashed(&rel) { "public, max-age=31536000, immutable" } else { "no-cache" };
    if cache::matches(headers, &etag) {
        return Some(cache::not_modified(&etag, cache_control));
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
    cache::tag(&mut res, &etag, cache_control);
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
