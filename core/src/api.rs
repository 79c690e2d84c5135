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
//! | `lookup` | [`LookupRequest`] `{value, options?, now}` | [`crate::LookupResponse`] |
//! | `hunt` | [`HuntRequest`] `{values, options?}` | [`crate::query::Hunt`] |
//! | `attack` | [`AttackRequest`] `{id}` | [`crate::attack::AttackObject`] |
//! | `merge_remote` | [`MergeRemoteRequest`] `{local, status, response?, error?}` | [`crate::LookupResponse`] |
//! | `remote_request` | [`RemoteRequestRequest`] `{value, type}` | [`crate::score::RemoteRequest`] or `null` |
//!
//! Remote scoring stays sans-I/O: a host asks `remote_request` what to send (or builds nothing when the answer
//! is `null`), sends it with its own HTTP client and credential, and hands the HTTP status and body to
//! `merge_remote`; a transport failure is `status: 0` with the host's error text in `error`.
use crate::attack::AttackObject;
use crate::extract::Extraction;
use crate::query::{Hunt, HuntInput, QueryOptions};
use crate::score::{RemoteRequest, RemoteScore, RemoteStatus};
use crate::{Classified, ErrorKind, IocKind, LookupOptions, LookupResponse};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// Every operation name [`call`] knows, in a fixed order (the plain-ABI module numbers them by this index).
/// New operations are appended, never inserted, so the numbering stays stable.
pub const OPS: [&str; 8] = [
    "version",
    "classify",
    "extract",
    "lookup",
    "hunt",
    "attack",
    "merge_remote",
    "remote_request",
];

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

/// `lookup {value, options?, now}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LookupRequest {
    /// The value, defanged or not.
    pub value: String,
    /// Forced type, query and scoring options.
    #[serde(default)]
    pub options: LookupOptions,
    /// The current time, Unix seconds (the core never reads a clock).
    pub now: i64,
}

/// One value to hunt for: raw text (classified by the core) or an already typed value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum HuntValue {
    /// `{"type": "ipv4", "value": "203.0.113.7"}`: used as given.
    Typed(HuntInput),
    /// `"8.8.8[.]8"`: classified first; values that are not indicators are skipped with a note.
    Raw(String),
}

/// `hunt {values, options?}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HuntRequest {
    /// The indicators.
    pub values: Vec<HuntValue>,
    /// Lookback, profiles, targets, batch size …
    #[serde(default)]
    pub options: QueryOptions,
}

/// `attack {id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttackRequest {
    /// Technique, sub-technique, tactic, group, software, mitigation, campaign or data-component id.
    pub id: String,
}

/// `merge_remote {local, status, response?, error?}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MergeRemoteRequest {
    /// The local `lookup` result.
    pub local: LookupResponse,
    /// HTTP status of the remote answer; 0 when no answer came (refused, timed out, not allowed).
    pub status: u16,
    /// The response body: its text, or the parsed JSON document.
    #[serde(default)]
    pub response: Option<serde_json::Value>,
    /// The host's error text when `status` is 0.
    #[serde(default)]
    pub error: Option<String>,
}

/// `remote_request {value, type}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemoteRequestRequest {
    /// The canonical value (a `lookup` result's `ioc_value`).
    pub value: String,
    /// Its type (`ioc_type`).
    #[serde(rename = "type")]
    pub kind: IocKind,
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

/// `extract`: every indicator in a text, with the malware/actor names it mentions (`context`).
pub fn extract(req: &ExtractRequest) -> Result<Extraction, ApiError> {
    Ok(crate::extract::extract_with_context(&req.text))
}

/// `lookup`: the whole enrichment package for one value.
pub fn lookup(req: &LookupRequest) -> Result<LookupResponse, ApiError> {
    Ok(crate::lookup(&req.value, &req.options, req.now))
}

/// `hunt`: SPL, KQL (and the other targets') hunting queries for a set of values.
pub fn hunt(req: &HuntRequest) -> Result<Hunt, ApiError> {
    let mut inputs = Vec::with_capacity(req.values.len());
    let mut notes = Vec::new();
    for v in &req.values {
        match v {
            HuntValue::Typed(input) => inputs.push(input.clone()),
            HuntValue::Raw(raw) => {
                let c = crate::classify(raw);
                if c.kind == IocKind::Unknown {
                    let why = c.reason.as_deref().unwrap_or("not an indicator");
                    notes.push(format!("`{}` skipped: {why}", c.input));
                } else {
                    inputs.push(HuntInput::from(&c));
                }
            }
        }
    }
    if inputs.is_empty() {
        return Err(ApiError::from(crate::Error::new(
            ErrorKind::InvalidOption,
            "no indicator to hunt for",
        )));
    }
    let mut hunt = crate::query::hunt(&inputs, &req.options)?;
    notes.append(&mut hunt.notes);
    hunt.notes = notes;
    Ok(hunt)
}

/// `attack`: everything the embedded ATT&CK catalogue knows about one id.
pub fn attack(req: &AttackRequest) -> Result<AttackObject, ApiError> {
    Ok(crate::attack::lookup(&req.id)?)
}

/// `merge_remote`: a remote scorer's answer (or failure) merged into a local `lookup` result (fail-open).
pub fn merge_remote(req: &MergeRemoteRequest) -> Result<LookupResponse, ApiError> {
    let remote = if req.status == 0 {
        transport_failure(req.error.as_deref().unwrap_or("no response"))
    } else {
        let body = match &req.response {
            None | Some(serde_json::Value::Null) => String::new(),
            Some(serde_json::Value::String(text)) => text.clone(),
            Some(doc) => doc.to_string(),
        };
        crate::score::parse_response(req.status, &body)
    };
    let mut out = req.local.clone();
    crate::apply_remote(&mut out, &remote);
    Ok(out)
}

/// `remote_request`: what to send to a remote scorer for a value (`None` when it cannot be sent).
pub fn remote_request(req: &RemoteRequestRequest) -> Result<Option<RemoteRequest>, ApiError> {
    Ok(crate::score::remote_request(&req.value, req.kind))
}

/// A remote call that got no HTTP answer, from the host's error text: `timeout` when the text says the call
/// timed out, `error` otherwise (refused, DNS, host not allowed …).
pub fn transport_failure(error: &str) -> RemoteScore {
    let lower = error.to_ascii_lowercase();
    let status = if lower.contains("timeout") || lower.contains("timed out") {
        RemoteStatus::Timeout
    } else {
        RemoteStatus::Error
    };
    RemoteScore::failed(status, error)
}

/// True when `op` is answered by this build.
pub fn available(op: &str) -> bool {
    OPS.contains(&op)
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
            "lookup" => run(input, lookup),
            "hunt" => run(input, hunt),
            "attack" => run(input, attack),
            "merge_remote" => run(input, merge_remote),
            "remote_request" => run(input, remote_request),
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
        let want = serde_json::to_value(crate::extract::extract_with_context(text)).unwrap();
        let got: serde_json::Value = serde_json::from_str(&call(
            "extract",
            &serde_json::json!({ "text": text }).to_string(),
        ))
        .unwrap();
        assert_eq!(got["ok"], want);
        let ex: serde_json::Value = serde_json::from_str(&call(
            "extract",
            &serde_json::json!({ "text": "Emotet dropped a loader from 8.8.8[.]8" }).to_string(),
        ))
        .unwrap();
        assert_eq!(ex["ok"]["context"][0]["name"], "Emotet");
        assert_eq!(ex["ok"]["context"][0]["attack_id"], "S0367");
    }

    fn ok(op: &str, input: &serde_json::Value) -> serde_json::Value {
        let got: serde_json::Value = serde_json::from_str(&call(op, &input.to_string())).unwrap();
        assert!(got.get("error").is_none(), "{op} {input}: {got}");
        got["ok"].clone()
    }

    const NOW: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z

    #[test]
    fn lookup_refangs_and_scores() {
        let got = ok("lookup", &serde_json::json!({ "value": "8.8.8[.]8", "now": NOW }));
        assert_eq!(got["ioc_value"], "8.8.8.8");
        assert_eq!(got["ioc_type"], "ipv4");
        assert_eq!(got["score"]["remote_status"], "disabled");
        // RFC 1918 space is never a valid external indicator (SCORING.md: verdict reserved, score 0).
        let got = ok("lookup", &serde_json::json!({ "value": "10.1.2.3", "now": NOW }));
        assert_eq!(got["score"]["verdict"], "reserved");
        assert_eq!(got["risk"]["score"], 0);
        assert_eq!(
            error_kind("lookup", r#"{"value":"8.8.8.8"}"#),
            "bad_request",
            "now is required"
        );
    }

    #[test]
    fn hunt_classifies_raw_values_and_keeps_typed_ones() {
        let got = ok(
            "hunt",
            &serde_json::json!({ "values": ["203.0.113[.]7", "not an ioc", { "type": "domain", "value": "evil.com" }] }),
        );
        let kinds: Vec<&str> =
            got["groups"].as_array().unwrap().iter().map(|g| g["type"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["ipv4", "domain"]);
        assert!(got["notes"][0].as_str().unwrap().starts_with("`not an ioc` skipped"), "{got}");
        assert_eq!(error_kind("hunt", r#"{"values":["nothing here"]}"#), "invalid_option");
        assert_eq!(
            error_kind("hunt", r#"{"values":["8.8.8.8"],"options":{"lookback":"forever"}}"#),
            "invalid_option"
        );
    }

    #[test]
    fn attack_names_a_technique() {
        // ATT&CK v18: T1059 is "Command and Scripting Interpreter".
        let got = ok("attack", &serde_json::json!({ "id": "T1059" }));
        assert_eq!(got["name"], "Command and Scripting Interpreter");
        assert_eq!(error_kind("attack", r#"{"id":"T9999"}"#), "unknown_attack_id");
    }

    #[test]
    fn merge_remote_is_fail_open() {
        let local = ok("lookup", &serde_json::json!({ "value": "185.220.101.1", "now": NOW }));
        let merged = |status: u16, response: serde_json::Value, error: Option<&str>| {
            ok(
                "merge_remote",
                &serde_json::json!({ "local": local, "status": status, "response": response, "error": error }),
            )
        };
        let got = merged(429, serde_json::Value::Null, None);
        assert_eq!(got["score"]["remote_status"], "rate_limited");
        assert_eq!(got["risk"], local["risk"]);
        assert_eq!(merged(500, "oops".into(), None)["score"]["remote_status"], "error");
        assert_eq!(
            merged(0, serde_json::Value::Null, Some("request timed out"))["score"]["remote_status"],
            "timeout"
        );
        assert_eq!(
            merged(0, serde_json::Value::Null, Some("connection refused"))["score"]["remote_status"],
            "error"
        );
        // API.md envelope: the remote score is kept beside the local one, and the score is max(local, remote).
        let body = serde_json::json!({ "meta": {}, "data": { "found": true, "risk": { "score": 95, "level": "critical" }, "confidence": "high" } });
        let got = merged(200, body.clone(), None);
        assert_eq!(got["score"]["remote_status"], "ok");
        assert_eq!(got["score"]["remote_score"], 95);
        assert_eq!(got["risk"]["score"], 95);
        // The body may also arrive as text.
        assert_eq!(merged(200, body.to_string().into(), None), got);
    }

    #[test]
    fn remote_request_names_the_lookup_endpoint() {
        let got = ok("remote_request", &serde_json::json!({ "value": "8.8.8.8", "type": "ipv4" }));
        assert_eq!(got["method"], "GET");
        assert_eq!(got["path"], "/api/v1/lookup");
        assert_eq!(
            ok("remote_request", &serde_json::json!({ "value": "", "type": "ipv4" })),
            serde_json::Value::Null
        );
    }
}
