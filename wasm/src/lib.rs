//! `ioclens-core` for browsers and Node through wasm-bindgen.
//!
//! Every export takes one plain JS object, the request of the same-named operation of `ioclens_core::api`, and
//! returns the operation's result as a plain JS object; a failed operation throws an `Error` whose `name` is
//! `IoclensError`, carrying the core's `kind` (and `input`, when there is one). Nothing is decided here.
//!
//! Requests and answers cross the boundary as JSON text (`JSON.stringify` → `api::call` → `JSON.parse`), the very
//! bytes the native core, the plain-ABI module and the Extism plugin exchange. That keeps every host's answers
//! and error messages identical, and it is one boundary crossing per call instead of one per field.
//!
//! ```js
//! import init, { classify, extract } from './ioclens_wasm.js';
//! await init();
//! classify({ value: 'hxxps://evil[.]com/gate.php' }).type; // "url"
//! ```
use ioclens_core::api::{self, ApiError};
use js_sys::{JSON, Reflect};
use wasm_bindgen::prelude::*;

#[rustfmt::skip]
mod types;

/// Runs `op` on the JS request `req` (`undefined`/`null` count as `{}`).
fn run(op: &str, req: &JsValue) -> Result<JsValue, JsValue> {
    let input = if req.is_undefined() || req.is_null() {
        String::new()
    } else {
        let json = JSON::stringify(req).map_err(|e| {
            let why =
                e.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())).unwrap_or_default();
            let envelope =
                api::error_json(&ApiError::bad_request(format!("request is not JSON: {why}")));
            let error = JSON::parse(&envelope)
                .and_then(|v| Reflect::get(&v, &JsValue::from_str("error")))
                .unwrap_or(JsValue::UNDEFINED);
            into_error(&error)
        })?;
        String::from(json)
    };
    // `black_box`: one copy of the dispatcher, not one specialised per export (docs/wasm.md "Sizes").
    let answer = JSON::parse(&api::call(std::hint::black_box(op), &input))?;
    let error = Reflect::get(&answer, &JsValue::from_str("error"))?;
    if error.is_undefined() {
        Reflect::get(&answer, &JsValue::from_str("ok"))
    } else {
        Err(into_error(&error))
    }
}

/// The one place an error answer becomes a JS exception: `Error { name: "IoclensError", message, kind, input? }`.
fn into_error(error: &JsValue) -> JsValue {
    let field =
        |name: &str| Reflect::get(error, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED);
    let message = field("message").as_string().unwrap_or_default();
    let err = js_sys::Error::new(&message);
    err.set_name("IoclensError");
    for name in ["kind", "input"] {
        let value = field(name);
        if !value.is_undefined() {
            // Setting a property on a fresh Error object cannot fail.
            let _ = Reflect::set(&err, &JsValue::from_str(name), &value);
        }
    }
    err.into()
}

/// `version()` → `{ version, ops, offline_intel, warninglist_roles }`.
#[wasm_bindgen(unchecked_return_type = "VersionResponse")]
pub fn version(
    #[wasm_bindgen(unchecked_param_type = "VersionRequest")] req: &JsValue,
) -> Result<JsValue, JsValue> {
    run("version", req)
}

/// `classify({ value, type? })` → `Classified`.
#[wasm_bindgen(unchecked_return_type = "Classified")]
pub fn classify(
    #[wasm_bindgen(unchecked_param_type = "ClassifyRequest")] req: &JsValue,
) -> Result<JsValue, JsValue> {
    run("classify", req)
}

/// `extract({ text })` → `Extraction`.
#[wasm_bindgen(unchecked_return_type = "Extraction")]
pub fn extract(
    #[wasm_bindgen(unchecked_param_type = "ExtractRequest")] req: &JsValue,
) -> Result<JsValue, JsValue> {
    run("extract", req)
}

/// `lookup({ value, options?, now })` → the scored lookup result.
#[wasm_bindgen(unchecked_return_type = "LookupResponse")]
pub fn lookup(
    #[wasm_bindgen(unchecked_param_type = "LookupRequest")] req: &JsValue,
) -> Result<JsValue, JsValue> {
    run("lookup", req)
}

/// `hunt({ values, options })` → SPL and KQL hunting queries.
#[wasm_bindgen(unchecked_return_type = "Hunt")]
pub fn hunt(
    #[wasm_bindgen(unchecked_param_type = "HuntRequest")] req: &JsValue,
) -> Result<JsValue, JsValue> {
    run("hunt", req)
}

/// `attack({ id })` → the ATT&CK object.
#[wasm_bindgen(unchecked_return_type = "AttackObject")]
pub fn attack(
    #[wasm_bindgen(unchecked_param_type = "AttackRequest")] req: &JsValue,
) -> Result<JsValue, JsValue> {
    run("attack", req)
}

/// `mergeRemote({ local, response, status })` → the local result merged with a remote scorer's answer.
#[wasm_bindgen(js_name = mergeRemote, unchecked_return_type = "LookupResponse")]
pub fn merge_remote(
    #[wasm_bindgen(unchecked_param_type = "MergeRemoteRequest")] req: &JsValue,
) -> Result<JsValue, JsValue> {
    run("merge_remote", req)
}

/// `remoteRequest({ value, type })` → the HTTP request to send to a remote scorer, or `null`.
#[wasm_bindgen(js_name = remoteRequest, unchecked_return_type = "RemoteRequest | null")]
pub fn remote_request(
    #[wasm_bindgen(unchecked_param_type = "RemoteRequestRequest")] req: &JsValue,
) -> Result<JsValue, JsValue> {
    run("remote_request", req)
}

/// `call(op, request)`: any operation of `ioclens_core::api` by its wire name.
#[wasm_bindgen]
pub fn call(op: &str, req: &JsValue) -> Result<JsValue, JsValue> {
    run(op, req)
}
