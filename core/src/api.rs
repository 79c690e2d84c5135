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
//! | `providers` | `{}` | [`ProvidersResponse`] `{providers: [ProviderInfo]}` |
//! | `provider_requests` | [`ProviderRequestsRequest`] `{value, type, providers, keys?, base_urls?}` | [`crate::providers::ProviderPlan`] |
//! | `provider_reply` | [`ProviderReplyRequest`] `{type, reply}` | [`crate::providers::ProviderOutcome`] |
//! | `merge_providers` | [`MergeProvidersRequest`] `{local, replies}` | [`crate::LookupResponse`] |
//! | `lookup_many` | [`LookupManyRequest`] `{values, options?, now, fields?}` | [`LookupManyResponse`] `{results}` |
//!
//! `lookup_many` is `lookup` for a batch (one host→core crossing per chunk of events instead of one per value):
//! `results[i]` answers `values[i]`, each item its own `{"ok": …}` or `{"error": …}` envelope, so one bad item
//! does not fail the batch. `fields` (optional) projects every package onto dotted paths of
//! [`crate::LookupResponse`] (see [`LOOKUP_FIELDS`]; a path through an array applies to each element), for hosts
//! that only read a few fields: `["risk", "score.verdict", "attack.tactics.name"]` keeps `risk` whole,
//! `score` with only `verdict`, and `attack` as a list of `{tactics: [{name}]}`.
//!
//! Remote scoring stays sans-I/O: a host asks `remote_request` what to send (or builds nothing when the answer
//! is `null`), sends it with its own HTTP client and credential, and hands the HTTP status and body to
//! `merge_remote`; a transport failure is `status: 0` with the host's error text in `error`.
//!
//! Enrichment providers (`VirusTotal`, `AbuseIPDB`, OTX, `GreyNoise`, `InternetDB`, abuse.ch, another ioclens server;
//! [`crate::providers`]) work the same way: `provider_requests` says what to send to each provider (and which were
//! not asked: `not_applicable`, `no_key`, `not_configured`), the host sends them, setting each request's
//! `secret_header` to its key, `provider_reply` reads one reply (status, whether a retry is allowed, cacheability),
//! and `merge_providers` applies every reply to the local `lookup` result (fail-open: `score.providers` keeps each
//! provider's status). The key never crosses into the core. `providers` lists the providers with the defaults a
//! host sizes its rate limits and cache from.
//!
//! Why one file: it is the wire contract: each op's request and response types sit next to the function that
//! answers them, so a wire change is one diff (projection and the loaded pack live in `api/project.rs` and
//! `api/loaded.rs`).
use crate::attack::AttackObject;
use crate::extract::Extraction;
use crate::providers::{ProviderId, ProviderOutcome, ProviderPlan, ProviderReply};
use crate::query::{Hunt, HuntInput, QueryOptions};
use crate::score::{RemoteRequest, RemoteScore, RemoteStatus};
use crate::{Classified, ErrorKind, IocKind, LookupOptions, LookupResponse};
use project::{Projection, View};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

#[cfg(feature = "pack-signature")]
mod loaded;
mod project;

/// An operation of [`call`]. The order of [`Op::ALL`] is the plain-ABI numbering: new operations are appended,
/// never inserted, so the numbering stays stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// [`version`].
    Version,
    /// [`classify`].
    Classify,
    /// [`extract`].
    Extract,
    /// [`lookup`].
    Lookup,
    /// [`hunt`].
    Hunt,
    /// [`attack`].
    Attack,
    /// [`merge_remote`].
    MergeRemote,
    /// [`remote_request`].
    RemoteRequest,
    /// `lookup_many` (`lookup_many_json`).
    LookupMany,
    /// [`defang`].
    Defang,
    /// [`providers`].
    Providers,
    /// [`provider_requests`].
    ProviderRequests,
    /// [`provider_reply`].
    ProviderReply,
    /// [`merge_providers`].
    MergeProviders,
    /// `load_pack`: verify a signed intel pack and keep it for later lookups (feature `pack-signature`).
    LoadPack,
}

impl Op {
    /// Every operation, in the plain-ABI numbering.
    pub const ALL: [Op; 15] = [
        Op::Version,
        Op::Classify,
        Op::Extract,
        Op::Lookup,
        Op::Hunt,
        Op::Attack,
        Op::MergeRemote,
        Op::RemoteRequest,
        Op::LookupMany,
        Op::Defang,
        Op::Providers,
        Op::ProviderRequests,
        Op::ProviderReply,
        Op::MergeProviders,
        Op::LoadPack,
    ];

    /// The wire name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Op::Version => "version",
            Op::Classify => "classify",
            Op::Extract => "extract",
            Op::Lookup => "lookup",
            Op::Hunt => "hunt",
            Op::Attack => "attack",
            Op::MergeRemote => "merge_remote",
            Op::RemoteRequest => "remote_request",
            Op::LookupMany => "lookup_many",
            Op::Defang => "defang",
            Op::Providers => "providers",
            Op::ProviderRequests => "provider_requests",
            Op::ProviderReply => "provider_reply",
            Op::MergeProviders => "merge_providers",
            Op::LoadPack => "load_pack",
        }
    }

    /// The operation called `name`.
    pub fn from_name(name: &str) -> Option<Op> {
        Op::ALL.into_iter().find(|op| op.as_str() == name)
    }
}

/// Every operation name [`call`] knows, in the plain-ABI numbering ([`Op::ALL`]).
pub const OPS: [&str; Op::ALL.len()] = {
    let mut names = [""; Op::ALL.len()];
    let mut i = 0;
    while i < names.len() {
        names[i] = Op::ALL[i].as_str();
        i += 1;
    }
    names
};

/// The top-level fields of a [`crate::LookupResponse`]: the first segment of every `lookup_many` projection path.
pub const LOOKUP_FIELDS: [&str; 18] = [
    "ioc_value",
    "ioc_type",
    "found",
    "risk",
    "confidence",
    "mitre_techniques",
    "hunting",
    "malware_family",
    "tags",
    "classification",
    "score",
    "hits",
    "malware",
    "attack",
    "data_versions",
    "version",
    "diagnostics",
    "intel_age_days",
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
    /// Every operation, in the plain-ABI numbering ([`Op::ALL`]).
    pub ops: Vec<Op>,
    /// The `offline-intel` evidence packs are compiled in.
    pub offline_intel: bool,
    /// The evidence roles (`hits[].role`) that are warninglists (benign, shared or not external); every other
    /// role is threat intel ([`crate::intel::Role::is_warninglist`]).
    pub warninglist_roles: Vec<String>,
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

/// `providers {}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProvidersResponse {
    /// Every provider, with its defaults.
    pub providers: Vec<crate::providers::ProviderInfo>,
}

/// `provider_requests {value, type, providers, keys?, base_urls?}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderRequestsRequest {
    /// The canonical value (a `lookup` result's `ioc_value`).
    pub value: String,
    /// Its type (`ioc_type`).
    #[serde(rename = "type")]
    pub kind: IocKind,
    /// Providers to ask, in order.
    pub providers: Vec<ProviderId>,
    /// Providers the host holds a key for (never the key itself).
    #[serde(default)]
    pub keys: Vec<ProviderId>,
    /// Base URL overrides: `{provider: url}`.
    #[serde(default)]
    pub base_urls: std::collections::BTreeMap<ProviderId, String>,
}

/// `provider_reply {type, reply}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderReplyRequest {
    /// The value's type (`URLhaus` reads host and URL answers differently).
    #[serde(rename = "type")]
    pub kind: IocKind,
    /// The reply.
    pub reply: ProviderReply,
}

/// `merge_providers {local, replies}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MergeProvidersRequest {
    /// The local `lookup` result.
    pub local: LookupResponse,
    /// One reply per provider asked (a provider held back by the host: `status: 0, error: "skipped"`).
    pub replies: Vec<ProviderReply>,
}

/// `defang {value, type?}`: the display form of a value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DefangRequest {
    /// The value, defanged or not. Without `type` it is classified first and its canonical form defanged.
    pub value: String,
    /// The value's type when the caller knows it (a `lookup` or `extract` answer): the value is then taken as
    /// canonical, and only network types (IPv4, CIDR, domain, URL, e-mail) are defanged.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<IocKind>,
}

/// What [`defang`] answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DefangResponse {
    /// The display form (`hxxps://evil[.]com/x`, `a[@]evil[.]com`); other types unchanged.
    pub value: String,
    /// The type the decision was made for.
    #[serde(rename = "type")]
    pub kind: IocKind,
}

/// `lookup_many {values, options?, now, fields?}`: `lookup` for each value, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LookupManyRequest {
    /// The values, defanged or not. An item that is not a string gets its own `bad_request` answer.
    pub values: Vec<serde_json::Value>,
    /// Forced type, query and scoring options, the same for every value.
    #[serde(default)]
    pub options: LookupOptions,
    /// The current time, Unix seconds (the core never reads a clock).
    pub now: i64,
    /// Keep only these dotted paths of each package (see [`LOOKUP_FIELDS`]); the whole package when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<String>>,
}

/// What [`lookup_many`] answers: one item per value, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LookupManyResponse {
    /// `results[i]` answers `values[i]`.
    pub results: Vec<LookupManyItem>,
}

/// One value's answer inside a batch: the same envelope as a whole operation's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum LookupManyItem {
    /// The package (or its projection when the request names `fields`).
    Ok {
        /// The `lookup` answer for this value.
        ok: serde_json::Value,
    },
    /// This value could not be looked up; the other items are unaffected.
    Error {
        /// Why.
        error: ApiError,
    },
}

/// Parses and checks `lookup_many`'s `fields` (see [`LOOKUP_FIELDS`]).
fn projection(fields: Option<&[String]>) -> Result<Projection, ApiError> {
    let Some(fields) = fields else { return Ok(Projection::All) };
    let invalid = |field: &str, why: String| {
        ApiError::from(
            crate::Error::new(ErrorKind::InvalidOption, format!("field `{field}` {why}"))
                .with_input(field),
        )
    };
    if fields.is_empty() {
        return Err(ApiError::from(crate::Error::new(
            ErrorKind::InvalidOption,
            "fields is empty (leave it out for the whole package)",
        )));
    }
    let mut paths = Vec::with_capacity(fields.len());
    for field in fields {
        let segments: Vec<&str> = field.split('.').collect();
        if segments.iter().any(|s| s.is_empty()) {
            return Err(invalid(field, "has an empty path segment".to_owned()));
        }
        if !LOOKUP_FIELDS.contains(&segments[0]) {
            return Err(invalid(
                field,
                format!("is not a lookup field ({})", LOOKUP_FIELDS.join(", ")),
            ));
        }
        paths.push(segments);
    }
    Ok(Projection::from_paths(paths))
}

/// One `lookup_many` item before serialisation.
type ManyItem = Result<LookupResponse, ApiError>;

fn lookup_each(req: &LookupManyRequest) -> Vec<ManyItem> {
    req.values
        .iter()
        .enumerate()
        .map(|(i, value)| match value.as_str() {
            Some(value) => {
                Ok(with_loaded_pack(|p| crate::lookup_with(value, &req.options, p, req.now)))
            }
            None => Err(ApiError::bad_request(format!("values[{i}] is not a string"))),
        })
        .collect()
}

/// The `lookup_many` answer written straight to JSON through the projection (no intermediate values).
fn lookup_many_json(req: &LookupManyRequest) -> Result<String, ApiError> {
    #[derive(Serialize)]
    #[serde(untagged)]
    enum Item<'a> {
        Ok { ok: View<'a, LookupResponse> },
        Error { error: &'a ApiError },
    }
    #[derive(Serialize)]
    struct Results<'a> {
        results: Vec<Item<'a>>,
    }
    let projection = projection(req.fields.as_deref())?;
    let items = lookup_each(req);
    let results = items
        .iter()
        .map(|item| match item {
            Ok(value) => Item::Ok { ok: View { value, projection: &projection } },
            Err(error) => Item::Error { error },
        })
        .collect();
    ok_json(&Results { results })
}

/// `version`: the build's version and operations.
pub fn version(_req: &VersionRequest) -> Result<VersionResponse, ApiError> {
    Ok(VersionResponse {
        version: crate::VERSION.to_owned(),
        ops: Op::ALL.to_vec(),
        offline_intel: cfg!(feature = "offline-intel"),
        warninglist_roles: crate::intel::Role::ALL
            .iter()
            .filter(|r| r.is_warninglist())
            .map(|r| r.as_str().to_owned())
            .collect(),
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
    Ok(with_loaded_pack(|p| crate::lookup_with(&req.value, &req.options, p, req.now)))
}

/// Runs `f` with the pack a host loaded into this instance (`load_pack`), if any.
fn with_loaded_pack<T>(f: impl FnOnce(Option<&crate::intel::pack::Pack<'_>>) -> T) -> T {
    #[cfg(feature = "pack-signature")]
    return loaded::with_pack(f);
    #[cfg(not(feature = "pack-signature"))]
    f(None)
}

/// `load_pack`: without the `pack-signature` feature there is no verifier, so no pack is ever accepted.
fn load_pack_op(input: &str) -> Result<String, ApiError> {
    #[cfg(feature = "pack-signature")]
    return run(input, loaded::load_pack);
    #[cfg(not(feature = "pack-signature"))]
    {
        let _ = input;
        Err(ApiError::bad_request(
            "this build cannot verify signed packs (feature `pack-signature`)",
        ))
    }
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

/// `providers`: every enrichment provider with its defaults (rate, cache lifetimes, key header).
pub fn providers(_req: &VersionRequest) -> Result<ProvidersResponse, ApiError> {
    Ok(ProvidersResponse { providers: ProviderId::ALL.iter().map(|p| p.info()).collect() })
}

/// `provider_requests`: what to send to each provider for a value, and which providers are not asked.
pub fn provider_requests(req: &ProviderRequestsRequest) -> Result<ProviderPlan, ApiError> {
    let cfg = crate::providers::ProviderConfig {
        providers: req.providers.clone(),
        keys: req.keys.clone(),
        base_urls: req.base_urls.iter().map(|(p, u)| (*p, u.clone())).collect(),
    };
    Ok(crate::providers::requests(&req.value, req.kind, &cfg))
}

/// `provider_reply`: what one provider's reply means (status, retry, evidence).
pub fn provider_reply(req: &ProviderReplyRequest) -> Result<ProviderOutcome, ApiError> {
    Ok(crate::providers::parse_reply(req.kind, &req.reply))
}

/// `merge_providers`: every provider's reply applied to a local `lookup` result (fail-open).
pub fn merge_providers(req: &MergeProvidersRequest) -> Result<LookupResponse, ApiError> {
    let outcomes: Vec<ProviderOutcome> =
        req.replies.iter().map(|r| crate::providers::parse_reply(req.local.ioc_type, r)).collect();
    let mut out = req.local.clone();
    crate::providers::apply(&mut out, &outcomes);
    Ok(out)
}

/// `defang`: the safe display form of a value, for every host that shows or copies indicators (one rule, the
/// core's [`crate::defang`]).
pub fn defang(req: &DefangRequest) -> Result<DefangResponse, ApiError> {
    let (kind, canonical) = if let Some(kind) = req.kind {
        (kind, std::borrow::Cow::Borrowed(req.value.as_str()))
    } else {
        let c = crate::classify(&req.value);
        let canonical = if c.canonical.is_empty() { c.input } else { c.canonical };
        (c.kind, std::borrow::Cow::Owned(canonical))
    };
    let network = matches!(
        kind,
        IocKind::Ipv4 | IocKind::Cidr | IocKind::Domain | IocKind::Url | IocKind::Email
    );
    let value = if network { crate::defang(&canonical) } else { canonical.into_owned() };
    Ok(DefangResponse { value, kind })
}

/// `lookup_many`: [`lookup`] for each value in order, optionally projected onto `fields`.
pub fn lookup_many(req: &LookupManyRequest) -> Result<LookupManyResponse, ApiError> {
    let projection = projection(req.fields.as_deref())?;
    let results = lookup_each(req)
        .into_iter()
        .map(|item| match item {
            Ok(value) => {
                match serde_json::to_value(View { value: &value, projection: &projection }) {
                    Ok(ok) => LookupManyItem::Ok { ok },
                    Err(e) => LookupManyItem::Error {
                        error: ApiError::bad_request(format!(
                            "result could not be serialised: {e}"
                        )),
                    },
                }
            }
            Err(error) => LookupManyItem::Error { error },
        })
        .collect();
    Ok(LookupManyResponse { results })
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

/// Runs operation `op` on the JSON request `input` and returns the JSON answer: `{"ok": …}` or
/// `{"error": {"kind", "message"}}`. Never panics, whatever the input.
pub fn call(op: &str, input: &str) -> String {
    let result = if input.len() > MAX_REQUEST_BYTES {
        Err(ApiError::bad_request(format!(
            "request is {} bytes, the limit is {MAX_REQUEST_BYTES}",
            input.len()
        )))
    } else {
        match Op::from_name(op) {
            Some(op) => dispatch(op, input),
            None => Err(ApiError::request(
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

fn dispatch(op: Op, input: &str) -> Result<String, ApiError> {
    match op {
        Op::Version => run(input, version),
        Op::Classify => run(input, classify),
        Op::Extract => run(input, extract),
        Op::Lookup => run(input, lookup),
        Op::Hunt => run(input, hunt),
        Op::Attack => run(input, attack),
        Op::MergeRemote => run(input, merge_remote),
        Op::RemoteRequest => run(input, remote_request),
        Op::LookupMany => parse_request(input).and_then(|req| lookup_many_json(&req)),
        Op::Defang => run(input, defang),
        Op::Providers => run(input, providers),
        Op::ProviderRequests | Op::ProviderReply | Op::MergeProviders => provider_op(op, input),
        Op::LoadPack => load_pack_op(input),
    }
}

/// The provider operations that build requests and read replies. They are compiled in with the feature
/// `providers` (the native hosts: CLI, server); the WebAssembly modules leave them out until a WASM host does
/// the HTTP (their size budget, `docs/wasm.md`), and answer that they are not built in.
fn provider_op(op: Op, input: &str) -> Result<String, ApiError> {
    #[cfg(feature = "providers")]
    return match op {
        Op::ProviderReply => run(input, provider_reply),
        Op::MergeProviders => run(input, merge_providers),
        _ => run(input, provider_requests),
    };
    #[cfg(not(feature = "providers"))]
    {
        let _ = input;
        Err(ApiError::bad_request(format!(
            "`{}`: this build has no enrichment providers (feature `providers`)",
            op.as_str()
        )))
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

    #[test]
    fn op_wire_names_are_serde_names() {
        for (i, op) in Op::ALL.into_iter().enumerate() {
            assert_eq!(serde_json::to_value(op).unwrap(), op.as_str());
            assert_eq!(Op::from_name(op.as_str()), Some(op));
            assert_eq!(OPS[i], op.as_str());
        }
        assert_eq!(Op::from_name("Lookup"), None);
    }

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
        let roles = got["ok"]["warninglist_roles"].as_array().unwrap();
        assert!(roles.iter().any(|r| r == "popular_domains"));
        assert!(!roles.iter().any(|r| r == "malware" || r == "blocklist"));
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
        // RFC 1918 space is never a valid external indicator (docs/scoring.md: verdict reserved, score 0).
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
    fn defang_decides_by_type() {
        use serde_json::json;
        let cases = [
            (
                json!({ "value": "https://evil.com/a.php?x=1" }),
                "hxxps://evil[.]com/a.php?x=1",
                "url",
            ),
            (json!({ "value": "evil[.]com" }), "evil[.]com", "domain"),
            (json!({ "value": "198.51.100.7" }), "198[.]51[.]100[.]7", "ipv4"),
            (json!({ "value": "bob@evil.com" }), "bob[@]evil[.]com", "email"),
            (json!({ "value": "T1547.001" }), "T1547.001", "attack"),
            (json!({ "value": "README.md" }), "README.md", "unknown"),
            // A caller that knows the type: a file name is never defanged, a domain always.
            (json!({ "value": "invoice.zip", "type": "file_path" }), "invoice.zip", "file_path"),
            (json!({ "value": "invoice.zip", "type": "domain" }), "invoice[.]zip", "domain"),
        ];
        for (req, value, kind) in cases {
            let got = ok("defang", &req);
            assert_eq!(got, json!({ "value": value, "type": kind }), "{req}");
        }
        assert_eq!(error_kind("defang", r#"{"value":"x","type":"nope"}"#), "bad_request");
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
        // docs/api.md envelope: the remote score is kept beside the local one, and the score is max(local, remote).
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

    #[test]
    fn lookup_many_answers_each_value_in_order_like_lookup() {
        let values = ["8.8.8[.]8", "hxxp://evil[.]com/x.php", "not an indicator", "T1059.001"];
        let got = ok(
            "lookup_many",
            &serde_json::json!({ "values": values, "now": NOW, "options": { "hunting": false } }),
        );
        let results = got["results"].as_array().unwrap();
        assert_eq!(results.len(), values.len());
        for (value, item) in values.iter().zip(results) {
            let one = ok(
                "lookup",
                &serde_json::json!({ "value": value, "now": NOW, "options": { "hunting": false } }),
            );
            assert_eq!(item["ok"], one, "{value}");
        }
        assert_eq!(results[0]["ok"]["ioc_value"], "8.8.8.8");
        assert_eq!(results[2]["ok"]["ioc_type"], "unknown");
        // The plain-ABI number of the op is its place at the end of OPS.
        let req = r#"{"values":["8.8.8.8"],"now":1767225600}"#;
        assert_eq!(call_index(8, req), call("lookup_many", req));
        assert_eq!(
            ok("lookup_many", &serde_json::json!({ "values": [], "now": NOW }))["results"],
            serde_json::json!([])
        );
    }

    #[test]
    fn lookup_many_item_errors_do_not_fail_the_batch() {
        let got = ok(
            "lookup_many",
            &serde_json::json!({ "values": ["8.8.8.8", 7, null, "evil[.]com"], "now": NOW }),
        );
        let results = got["results"].as_array().unwrap();
        assert_eq!(results[0]["ok"]["ioc_type"], "ipv4");
        assert_eq!(results[1]["error"]["kind"], "bad_request");
        assert_eq!(results[1]["error"]["message"], "values[1] is not a string");
        assert_eq!(results[2]["error"]["message"], "values[2] is not a string");
        assert_eq!(results[3]["ok"]["ioc_value"], "evil.com");
        // Whole-request problems are still one error.
        assert_eq!(error_kind("lookup_many", r#"{"values":["8.8.8.8"]}"#), "bad_request");
        assert_eq!(error_kind("lookup_many", r#"{"values":"8.8.8.8","now":1}"#), "bad_request");
    }

    #[test]
    fn lookup_many_projects_dotted_paths() {
        let fields = ["risk", "score.verdict", "attack.tactics.name", "attack.id", "ioc_type"];
        let full = ok("lookup", &serde_json::json!({ "value": "T1059.001", "now": NOW }));
        let got = ok(
            "lookup_many",
            &serde_json::json!({ "values": ["T1059.001"], "now": NOW, "fields": fields }),
        );
        let item = &got["results"][0]["ok"];
        let keys: Vec<&String> = item.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["attack", "ioc_type", "risk", "score"]);
        assert_eq!(item["risk"], full["risk"]);
        assert_eq!(item["ioc_type"], "attack");
        assert_eq!(item["score"], serde_json::json!({ "verdict": full["score"]["verdict"] }));
        // A path through an array applies to each element.
        let attack = item["attack"].as_array().unwrap();
        assert!(!attack.is_empty(), "{full}");
        assert_eq!(attack.len(), full["attack"].as_array().unwrap().len());
        for (got, want) in attack.iter().zip(full["attack"].as_array().unwrap()) {
            assert_eq!(got["id"], want["id"]);
            let names: Vec<_> = want["tactics"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| serde_json::json!({ "name": t["name"] }))
                .collect();
            assert_eq!(got["tactics"], serde_json::Value::Array(names));
            assert_eq!(got.as_object().unwrap().len(), 2);
        }
        // A whole field wins over a path inside it, in either order; a missing optional field is left out.
        let got = ok(
            "lookup_many",
            &serde_json::json!({ "values": ["8.8.8.8"], "now": NOW, "fields": ["score.verdict", "score", "malware_family"] }),
        );
        let whole = ok("lookup", &serde_json::json!({ "value": "8.8.8.8", "now": NOW }));
        assert_eq!(got["results"][0]["ok"], serde_json::json!({ "score": whole["score"] }));
    }

    #[test]
    fn lookup_many_refuses_bad_fields() {
        for fields in [
            serde_json::json!(["bogus"]),
            serde_json::json!(["risk..score"]),
            serde_json::json!(["risk."]),
            serde_json::json!([]),
        ] {
            let req = serde_json::json!({ "values": ["8.8.8.8"], "now": NOW, "fields": fields });
            assert_eq!(error_kind("lookup_many", &req.to_string()), "invalid_option", "{fields}");
        }
    }

    #[test]
    fn lookup_fields_name_the_package() {
        // Optional fields are left out of a package when empty; every other one is always there.
        let optional = ["malware_family", "malware", "diagnostics", "intel_age_days"];
        for value in ["8.8.8.8", "evil[.]com", "T1059", "nothing"] {
            let got = ok("lookup", &serde_json::json!({ "value": value, "now": NOW }));
            let keys: Vec<&str> = got.as_object().unwrap().keys().map(String::as_str).collect();
            for key in &keys {
                assert!(LOOKUP_FIELDS.contains(key), "{key} is missing from LOOKUP_FIELDS");
            }
            for field in LOOKUP_FIELDS.iter().filter(|f| !optional.contains(f)) {
                assert!(keys.contains(field), "{field} is not a field of the package");
            }
        }
    }

    #[test]
    fn projecting_every_field_is_the_whole_package() {
        let values = [
            "8.8.8.8",
            "evil[.]com",
            "T1059",
            "nothing",
            "185.220.101[.]1",
            "44d88612fea8a8f36de82e1278abb02f",
        ];
        let whole = ok("lookup_many", &serde_json::json!({ "values": values, "now": NOW }));
        let all = ok(
            "lookup_many",
            &serde_json::json!({ "values": values, "now": NOW, "fields": LOOKUP_FIELDS }),
        );
        assert_eq!(all, whole);
        // And a forced type that does not fit, which adds diagnostics.
        let req = |fields: Option<&[&str]>| serde_json::json!({ "values": ["8.8.8.8"], "now": NOW, "options": { "type": "domain" }, "fields": fields });
        let whole = ok("lookup_many", &req(None));
        assert!(whole["results"][0]["ok"]["diagnostics"].is_array(), "{whole}");
        assert_eq!(ok("lookup_many", &req(Some(&LOOKUP_FIELDS))), whole);
    }

    #[test]
    fn typed_lookup_many_answers_like_the_dispatcher() {
        let fields = vec![
            "risk".to_owned(),
            "attack.tactics.name".to_owned(),
            "classification.canonical".to_owned(),
        ];
        for fields in [None, Some(fields)] {
            let req = LookupManyRequest {
                values: vec!["8.8.8[.]8".into(), 3.into(), "T1059.001".into()],
                options: LookupOptions::default(),
                now: NOW,
                fields,
            };
            let typed = serde_json::to_value(lookup_many(&req).unwrap()).unwrap();
            let called = ok("lookup_many", &serde_json::to_value(&req).unwrap());
            assert_eq!(typed, called);
        }
    }
}
