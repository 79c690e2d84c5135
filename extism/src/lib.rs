//! `ioclens-core` as an Extism plugin (`wasm32-unknown-unknown`, no WASI).
//!
//! Every export takes the JSON request of the same-named operation of `ioclens_core::api` and returns its JSON
//! answer, `{"ok": …}` or `{"error": {"kind", "message"}}`, byte for byte what the native core answers. The
//! plugin decides nothing itself: it forwards to the core.
//!
//! Remote scoring: when the manifest config names `api_url` and `api_key`, `lookup` also asks that
//! ioclens-compatible server through the host's HTTP (`allowed_hosts` must list its host): the request is the one
//! the core builds (`GET {api_url}/api/v1/lookup?ioc=…`), plus `Authorization: Bearer {api_key}`, and the core
//! merges the answer (fail-open: a 429 or 5xx keeps the local result, `remote_status` saying why). A transport
//! failure (refused, timed out, host not in `allowed_hosts`) traps inside the host's HTTP function, where no
//! plugin code can catch it; the host then calls `lookup_fallback` with the same request and its error text,
//! which answers the local result with `remote_status` `timeout` or `error` (see `extism/README.md`).
#![expect(
    clippy::unnecessary_wraps,
    reason = "#[plugin_fn] requires FnResult even where the answer cannot fail (errors travel as JSON)"
)]
use extism_pdk::{FnResult, HttpRequest, config, http, plugin_fn};
use ioclens_core::api;
use ioclens_core::score::{RemoteScore, RemoteStatus};
use serde::Deserialize;

/// The one place the exports enter `api::call`. The op name goes through `black_box` and this function is never
/// inlined, so the optimiser keeps one copy of the dispatcher instead of specialising it into every export (with
/// `ioclens-core` at `opt-level = 2` that duplication cost ~20 KB gzip; docs/wasm.md "Sizes").
#[inline(never)]
fn dispatch(op: &str, input: &str) -> String {
    api::call(std::hint::black_box(op), input)
}

/// `version {}`.
#[plugin_fn]
pub fn version(input: String) -> FnResult<String> {
    Ok(dispatch("version", &input))
}

/// `classify {value, type?}`.
#[plugin_fn]
pub fn classify(input: String) -> FnResult<String> {
    Ok(dispatch("classify", &input))
}

/// `extract {text}`.
#[plugin_fn]
pub fn extract(input: String) -> FnResult<String> {
    Ok(dispatch("extract", &input))
}

/// `hunt {values, options?}`.
#[plugin_fn]
pub fn hunt(input: String) -> FnResult<String> {
    Ok(dispatch("hunt", &input))
}

/// `attack {id}`.
#[plugin_fn]
pub fn attack(input: String) -> FnResult<String> {
    Ok(dispatch("attack", &input))
}

/// `merge_remote {local, status, response?, error?}`.
#[plugin_fn]
pub fn merge_remote(input: String) -> FnResult<String> {
    Ok(dispatch("merge_remote", &input))
}

/// `remote_request {value, type}`.
#[plugin_fn]
pub fn remote_request(input: String) -> FnResult<String> {
    Ok(dispatch("remote_request", &input))
}

/// Any operation by name: `{"op": …, "input": {…}}`.
#[plugin_fn]
pub fn call(input: String) -> FnResult<String> {
    #[derive(Deserialize)]
    struct Call {
        op: String,
        #[serde(default)]
        input: Option<serde_json::Value>,
    }
    Ok(match serde_json::from_str::<Call>(&input) {
        Ok(c) => dispatch(&c.op, &c.input.map(|v| v.to_string()).unwrap_or_default()),
        Err(e) => api::error_json(&api::ApiError::bad_request(format!("invalid call: {e}"))),
    })
}

/// `lookup {value, options?, now}`: local scoring, merged with the remote scorer when one is configured.
#[plugin_fn]
pub fn lookup(input: String) -> FnResult<String> {
    let req = match api::parse_request::<api::LookupRequest>(&input) {
        Ok(req) => req,
        Err(e) => return Ok(api::error_json(&e)),
    };
    let mut local = match api::lookup(&req) {
        Ok(local) => local,
        Err(e) => return Ok(api::error_json(&e)),
    };
    if let Some(base) = config::get("api_url")? {
        let remote = remote_score(&base, config::get("api_key")?, &local);
        ioclens_core::apply_remote(&mut local, &remote);
    }
    Ok(api::ok_json(&local).unwrap_or_else(|e| api::error_json(&e)))
}

/// The remote scorer's answer, in the shape every Rust host has (the CLI's `--remote`): the core builds the
/// request and reads the outcome (`ioclens_core::remote_score`), the host's HTTP (`extism_pdk::http`) carries
/// it with the key. A transport failure traps inside the host's HTTP function, where no plugin code runs; the
/// host then calls `lookup_fallback` (see the crate docs). An error the host reports without trapping is read
/// by the core like any transport failure.
fn remote_score(
    base: &str,
    key: Option<String>,
    local: &ioclens_core::LookupResponse,
) -> RemoteScore {
    let Some(key) = key else {
        return RemoteScore::failed(RemoteStatus::Disabled, "api_key is not configured");
    };
    ioclens_core::remote_score(base, local, |req, url| {
        let mut http_req = HttpRequest::new(url).with_method(&req.method);
        for (k, v) in &req.headers {
            http_req = http_req.with_header(k, v);
        }
        http_req = http_req.with_header("Authorization", format!("Bearer {key}"));
        http::request::<Vec<u8>>(&http_req, None)
            .map(|r| (r.status_code(), String::from_utf8_lossy(&r.body()).into_owned()))
            .map_err(|e| e.to_string())
    })
}

/// `{"request": <lookup request>, "error": "<host error text>"}`: the local result with the remote failure
/// recorded (`timeout` or `error`), for hosts whose remote call trapped (see the crate docs).
#[plugin_fn]
pub fn lookup_fallback(input: String) -> FnResult<String> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Fallback {
        request: api::LookupRequest,
        #[serde(default)]
        error: String,
    }
    let answer = api::parse_request::<Fallback>(&input).and_then(|fb| {
        let mut local = api::lookup(&fb.request)?;
        ioclens_core::apply_remote(&mut local, &api::transport_failure(&fb.error));
        api::ok_json(&local)
    });
    Ok(answer.unwrap_or_else(|e| api::error_json(&e)))
}
