//! The one JSON operation dispatcher every host shares (WASM, plain-ABI WASM, Extism, Python).
//!
//! Hosts only translate: they hand an operation name and a JSON request to [`call`] and return its JSON answer,
//! `{"ok": <result>}` or `{"error": {"kind": …, "message": …}}`. Hosts that can pass structured values
//! (wasm-bindgen) call the typed functions ([`classify`], [`extract`], …) with the same request types, so every
//! host accepts and returns exactly the same shapes.
//!
//! | op | request | result |
//! |---|---|---|
//! | `version` | `{}` | [`VersionResponse`] |
//! | `classify` | [`ClassifyRequest`] `{value, type?}` | [`crate::Classified`] |
//! | `extract` | [`ExtractRequest`] `{text}` | [`crate::extract::Extraction`] |
//!
//! Operations whose core module is not built yet answer `{"error": {"kind": "unavailable", …}}`.
use crate::extract::Extraction;
use crate::{Classified, ErrorKind, IocKind};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// Every operation name [`call`] knows, in a fixed order (the plain-ABI module numbers them by this index).
pub const OPS: [&str; 7] =
    ["version", "classify", "extract", "lookup", "hunt", "attack", "merge_remote"];

/// Requests larger than this are refused with `bad_request` (hosts pass whole reports, not archives).
pub const MAX_REQUEST_BYTES: usize = 64 * 1024 * 1024;

/// The category of an [`ApiError`]: a core error kind or one of the dispatcher's own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ApiErrorKind {
    /// An error raised by the dispatcher itself.
    Api(RequestErrorKind),
    /// An error raised by a core operation.
    Core(ErrorKind),
}

/// Errors raised by the dispatcher before a core operation runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestErrorKind {
    /// The request is not valid JSON for the operation (missing or unknown field, wrong type, too large).
    BadRequest,
    /// No operation has this name.
    UnknownOp,
    /// The operation exists but its core module is not part of this build yet.
    Unavailable,
}

/// An error that crosses every host boundary as data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// The category.
    pub kind: ApiErrorKind,
    /// One human-readable line, no trailing full stop.
    pub message: String,
    /// The offending input, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
}

impl ApiError {
    /// A dispatcher error.
    pub fn request(kind: RequestErrorKind, message: impl Into<String>) -> Self {
        Self { kind: ApiErrorKind::Api(kind), message: message.into(), input: None }
    }

    /// A `bad_request` error.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::request(RequestErrorKind::BadRequest, message)
    }
}

impl From<crate::Error> for ApiError {
    fn from(e: crate::Error) -> Self {
        Self { kind: ApiErrorKind::Core(e.kind), message: e.message, input: e.input }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ApiError {}

/// `version {}`: no fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VersionRequest {}

/// What [`version`] answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionResponse {
    /// `ioclens-core` version.
    pub version: String,
    /// The operations this build answers (unavailable ones are left out).
    pub ops: Vec<String>,
    /// The `offline-intel` evidence packs are compiled in.
    pub offline_intel: bool,
}

/// `classify {value, type?}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassifyRequest {
    /// The value, defanged or not.
    pub value: String,
    /// Force a type (wire name or alias, see [`IocKind::parse`]); the answer is a `type_mismatch` error when
    /// the value is not of that type.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// `extract {text}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtractRequest {
    /// The text (a report, an e-mail, a log line).
    pub text: String,
}

/// `version`: the build's version and operations.
pub fn version(_req: &VersionRequest) -> Result<VersionResponse, ApiError> {
    Ok(VersionResponse {
        version: crate::VERSION.to_owned(),
        ops: OPS.iter().filter(|op| available(op)).map(|op| (*op).to_owned()).collect(),
        offline_intel: cfg!(feature = "offline-intel"),
    })
}

/// `classify`: type, canonical value and facts of one value.
pub fn classify(req: &ClassifyRequest) -> Result<Classified, ApiError> {
    match req.kind.as_deref() {
        None => Ok(crate::classify(&req.value)),
        Some(name) => {
            let kind = IocKind::parse(name).ok_or_else(|| {
                ApiError::from(
                    crate::Error::new(ErrorKind::InvalidOption, format!("unknown type `{name}`"))
                        .with_input(name),
                )
            })?;
            Ok(crate::classify_as(&req.value, kind)?)
        }
    }
}

/// `extract`: every indicator in a text.
pub fn extract(req: &ExtractRequest) -> Result<Extraction, ApiError> {
    Ok(crate::extract(&req.text))
}

/// True when `op` is answered by this build.
pub fn available(op: &str) -> bool {
    matches!(op, "version" | "classify" | "extract")
}

/// Runs operation `op` on the JSON request `input` and returns the JSON answer: `{"ok": …}` or
/// `{"error": {"kind", "message"}}`. Never panics, whatever the input.
pub fn call(op: &str, input: &str) -> String {
    let result = if input.len() > MAX_REQUEST_BYTES {
        Err(ApiError::bad_request(format!(
            "request is {} bytes, the limit is {MAX_REQUEST_BYTES}",
            input.len()
        )))
    } else {
        match op {
            "version" => run(input, version),
            "classify" => run(input, classify),
            "extract" => run(input, extract),
            _ if OPS.contains(&op) => Err(ApiError::request(
                RequestErrorKind::Unavailable,
                format!("operation `{op}` is not part of this build yet"),
            )),
            _ => Err(ApiError::request(
                RequestErrorKind::UnknownOp,
                format!("unknown operation `{op}` (operations: {})", OPS.join(", ")),
            )),
        }
    };
    match result {
        Ok(json) => json,
        Err(e) => error_json(&e),
    }
}

/// Runs the operation numbered `index` in [`OPS`] (the plain-ABI module's entry point).
pub fn call_index(index: u32, input: &str) -> String {
    match OPS.get(index as usize) {
        Some(op) => call(op, input),
        None => error_json(&ApiError::request(
            RequestErrorKind::UnknownOp,
            format!("unknown operation number {index} (0..{})", OPS.len()),
        )),
    }
}

/// The `{"error": …}` answer for `e`.
pub fn error_json(e: &ApiError) -> String {
    #[derive(Serialize)]
    struct Envelope<'a> {
        error: &'a ApiError,
    }
    serde_json::to_string(&Envelope { error: e }).unwrap_or_else(|_| {
        r#"{"error":{"kind":"bad_request","message":"error could not be serialised"}}"#.to_owned()
    })
}

/// The `{"ok": …}` answer for `value`.
pub fn ok_json<T: Serialize>(value: &T) -> Result<String, ApiError> {
    #[derive(Serialize)]
    struct Envelope<'a, T> {
        ok: &'a T,
    }
    serde_json::to_string(&Envelope { ok: value })
        .map_err(|e| ApiError::bad_request(format!("result could not be serialised: {e}")))
}

/// Parses a request; a missing or `null` body counts as `{}` so `version` needs no input.
pub fn parse_request<Req: DeserializeOwned>(input: &str) -> Result<Req, ApiError> {
    let input = if input.trim().is_empty() { "{}" } else { input };
    serde_json::from_str(input).map_err(|e| ApiError::bad_request(format!("invalid request: {e}")))
}

fn run<Req, Resp>(
    input: &str,
    f: impl FnOnce(&Req) -> Result<Resp, ApiError>,
) -> Result<String, ApiError>
where
    Req: DeserializeOwned,
    Resp: Serialize,
{
    let req = parse_request(input)?;
    ok_json(&f(&req)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(op: &str, input: &str, expect: &str) {
        let got: serde_json::Value = serde_json::from_str(&call(op, input)).unwrap();
        let want: serde_json::Value = serde_json::from_str(expect).unwrap();
        assert_eq!(got, want, "{op} {input}");
    }

    fn error_kind(op: &str, input: &str) -> String {
        let got: serde_json::Value = serde_json::from_str(&call(op, input)).unwrap();
        got["error"]["kind"].as_str().unwrap().to_owned()
    }

    #[test]
    fn version_lists_available_ops() {
        let got: serde_json::Value = serde_json::from_str(&call("version", "")).unwrap();
        assert_eq!(got["ok"]["version"], crate::VERSION);
        let ops = got["ok"]["ops"].as_array().unwrap();
        assert!(ops.iter().any(|o| o == "classify"));
        assert!(ops.iter().any(|o| o == "extract"));
        assert_eq!(call("version", "{}"), call("version", ""));
    }

    #[test]
    fn envelope_is_ok_or_error() {
        let got: serde_json::Value =
            serde_json::from_str(&call("classify", r#"{"value":"x"}"#)).unwrap();
        assert!(got.get("ok").is_some() && got.get("error").is_none());
    }

    #[test]
    fn bad_requests_are_errors_not_panics() {
        assert_eq!(error_kind("classify", "{"), "bad_request");
        assert_eq!(error_kind("classify", "[]"), "bad_request");
        assert_eq!(error_kind("classify", r#"{"value":1}"#), "bad_request");
        assert_eq!(error_kind("classify", r#"{"valu":"x"}"#), "bad_request");
        assert_eq!(error_kind("classify", r#"{"value":"x","extra":1}"#), "bad_request");
        assert_eq!(error_kind("extract", "{}"), "bad_request");
        assert_eq!(error_kind("version", r#"{"a":1}"#), "bad_request");
        assert_eq!(error_kind("extract", &"[".repeat(10_000)), "bad_request");
    }

    #[test]
    fn unknown_op() {
        assert_eq!(error_kind("frobnicate", "{}"), "unknown_op");
        assert_eq!(error_kind("", "{}"), "unknown_op");
        let got: serde_json::Value = serde_json::from_str(&call_index(99, "{}")).unwrap();
        assert_eq!(got["error"]["kind"], "unknown_op");
    }

    #[test]
    fn call_index_follows_ops() {
        assert_eq!(call_index(0, "{}"), call("version", "{}"));
        assert_eq!(call_index(1, r#"{"value":"a"}"#), call("classify", r#"{"value":"a"}"#));
    }

    #[test]
    fn forced_type_unknown_name_is_invalid_option() {
        check(
            "classify",
            r#"{"value":"8.8.8.8","type":"bogus"}"#,
            r#"{"error":{"kind":"invalid_option","message":"unknown type `bogus`","input":"bogus"}}"#,
        );
    }

    #[test]
    fn extract_round_trips_the_core_result() {
        let text = "see 8.8.8[.]8 and hxxp://evil[.]com/x";
        let want = serde_json::to_value(crate::extract(text)).unwrap();
        let got: serde_json::Value = serde_json::from_str(&call(
            "extract",
            &serde_json::json!({ "text": text }).to_string(),
        ))
        .unwrap();
        assert_eq!(got["ok"], want);
    }
}
