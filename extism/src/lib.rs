//! `ioclens-core` as an Extism plugin (`wasm32-unknown-unknown`, no WASI).
//!
//! Every export takes the JSON request of the same-named operation of `ioclens_core::api` and returns its JSON
//! answer, `{"ok": …}` or `{"error": {"kind", "message"}}`, byte for byte what the native core answers. The
//! plugin decides nothing itself: it forwards to `api::call`.
//!
//! Remote scoring: when the manifest config names `api_url` (and optionally `api_key`), `lookup` also asks that
//! ioclens-compatible server (`GET {api_url}/api/v1/lookup?ioc=…`, `Authorization: Bearer {api_key}`) through the
//! host's HTTP (`allowed_hosts` must list its host) and lets the core merge the answer (`merge_remote`). A remote
//! status other than 200 keeps the local result with `remote_status` saying why. A transport failure (refused,
//! timed out, host not in `allowed_hosts`) traps inside the host's HTTP function, where no plugin code can catch
//! it; the host then calls `lookup_fallback` with the same request and the host's error text, which answers the
//! local result with `remote_status` (see `extism/README.md`).
#![expect(
    clippy::unnecessary_wraps,
    reason = "#[plugin_fn] requires FnResult even where the answer cannot fail (errors travel as JSON)"
)]
use extism_pdk::{FnResult, HttpRequest, config, http, plugin_fn};
use ioclens_core::api;
use serde::Deserialize;

/// `version {}`.
#[plugin_fn]
pub fn version(input: String) -> FnResult<String> {
    Ok(api::call("version", &input))
}

/// `classify {value, type?}`.
#[plugin_fn]
pub fn classify(input: String) -> FnResult<String> {
    Ok(api::call("classify", &input))
}

/// `extract {text}`.
#[plugin_fn]
pub fn extract(input: String) -> FnResult<String> {
    Ok(api::call("extract", &input))
}

/// `hunt {values, options}`.
#[plugin_fn]
pub fn hunt(input: String) -> FnResult<String> {
    Ok(api::call("hunt", &input))
}

/// `attack {id}`.
#[plugin_fn]
pub fn attack(input: String) -> FnResult<String> {
    Ok(api::call("attack", &input))
}

/// `merge_remote {local, response, status}`.
#[plugin_fn]
pub fn merge_remote(input: String) -> FnResult<String> {
    Ok(api::call("merge_remote", &input))
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
        Ok(c) => api::call(&c.op, &c.input.map(|v| v.to_string()).unwrap_or_default()),
        Err(e) => api::error_json(&api::ApiError::bad_request(format!("invalid call: {e}"))),
    })
}

/// `lookup {value, options?, now}`: local scoring, merged with the remote scorer when one is configured.
#[plugin_fn]
pub fn lookup(input: String) -> FnResult<String> {
    let local = api::call("lookup", &input);
    let Some(url) = config::get("api_url")? else {
        return Ok(local);
    };
    let Some(local_ok) = ok_value(&local) else {
        return Ok(local);
    };
    let Some(value) = lookup_value(&local_ok) else {
        return Ok(local);
    };
    let mut req = HttpRequest::new(remote_url(&url, &value)).with_method("GET");
    req = req.with_header("Accept", "application/json");
    if let Some(key) = config::get("api_key")? {
        req = req.with_header("Authorization", format!("Bearer {key}"));
    }
    // A transport failure traps here (host function error); the host answers with `lookup_fallback`.
    let resp = http::request::<Vec<u8>>(&req, None)?;
    let body = resp.body();
    let response: serde_json::Value =
        serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null);
    let merge = serde_json::json!({
        "local": local_ok,
        "response": response,
        "status": resp.status_code(),
    });
    Ok(api::call("merge_remote", &merge.to_string()))
}

/// `{"request": <lookup request>, "error": "<host error text>"}`: the local result with the remote failure
/// recorded, for hosts whose remote call trapped (see the crate docs).
#[plugin_fn]
pub fn lookup_fallback(input: String) -> FnResult<String> {
    #[derive(Deserialize)]
    struct Fallback {
        request: serde_json::Value,
        #[serde(default)]
        error: String,
    }
    let fb = match serde_json::from_str::<Fallback>(&input) {
        Ok(fb) => fb,
        Err(e) => {
            return Ok(api::error_json(&api::ApiError::bad_request(format!(
                "invalid fallback: {e}"
            ))));
        }
    };
    let local = api::call("lookup", &fb.request.to_string());
    let Some(local_ok) = ok_value(&local) else {
        return Ok(local);
    };
    let merge = serde_json::json!({
        "local": local_ok,
        "response": serde_json::Value::Null,
        "status": 0,
        "error": fb.error,
    });
    Ok(api::call("merge_remote", &merge.to_string()))
}

/// The `ok` member of an answer, when the answer is not an error.
fn ok_value(answer: &str) -> Option<serde_json::Value> {
    let mut v: serde_json::Value = serde_json::from_str(answer).ok()?;
    v.get_mut("ok").map(serde_json::Value::take)
}

/// The canonical value the local lookup settled on (what the remote scorer is asked about).
fn lookup_value(local: &serde_json::Value) -> Option<String> {
    ["canonical", "value"]
        .iter()
        .find_map(|k| local.get(*k).and_then(serde_json::Value::as_str))
        .or_else(|| {
            local.get("ioc").and_then(|i| i.get("canonical")).and_then(serde_json::Value::as_str)
        })
        .map(str::to_owned)
}

/// `{api_url}/api/v1/lookup?ioc=<percent-encoded value>` (API.md).
fn remote_url(base: &str, value: &str) -> String {
    use std::fmt::Write;
    let mut url = format!("{}/api/v1/lookup?ioc=", base.trim_end_matches('/'));
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            url.push(char::from(b));
        } else {
            let _ = write!(url, "%{b:02X}");
        }
    }
    url
}
