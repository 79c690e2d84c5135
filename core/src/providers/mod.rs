//! Enrichment providers, sans-I/O: the threat-intelligence services analysts hold keys for
//! (`VirusTotal`, `AbuseIPDB`, `AlienVault` OTX, `GreyNoise`), the keyless ones (Shodan `InternetDB`), the abuse.ch query APIs
//! (`ThreatFox`, `URLhaus`, `MalwareBazaar`) and another ioclens server.
//!
//! The core decides everything but the HTTP (docs/providers.md):
//! 1. which providers apply to a value's type ([`ProviderId::applies`]) and whether the host holds what a provider
//!    needs ([`requests`]: a provider that needs a key the host does not hold is `no_key`, not sent);
//! 2. the request ([`ProviderRequest`]: method, URL from the default or an overridden base URL, headers, body) and
//!    the name of the header slot where the host puts the secret (`secret_header`): the key never enters the core;
//! 3. what a reply means ([`parse_reply`]): a per-provider [`ProviderStatus`] from one closed set, whether a retry
//!    is allowed and when (429 with `Retry-After`, 5xx), and the evidence as named factors;
//! 4. how that evidence scores ([`apply`], rules in `docs/scoring.md`, "Provider evidence"), and which ATT&CK ids
//!    it names (resolved through the embedded catalogue).
//!
//! The defaults a host sizes its limits from (free-tier request rate, cache lifetimes) are in [`ProviderInfo`].
use crate::IocKind;
use crate::score::{Factor, FactorName, RemoteScore, Verdict};
use serde::{Deserialize, Serialize};
use serde_json::Value;

mod abuseipdb;
mod greynoise;
mod internetdb;
mod ioclens;
mod malwarebazaar;
mod otx;
mod score;
mod threatfox;
mod urlhaus;
mod virustotal;

pub use score::apply;

/// A provider's id: the wire name (`--providers`, `IOCLENS_<ID>_KEY`, `?providers=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProviderId {
    /// `VirusTotal` API v3.
    Virustotal,
    /// `AbuseIPDB` API v2.
    Abuseipdb,
    /// `AlienVault` OTX.
    Otx,
    /// `GreyNoise` Community API.
    Greynoise,
    /// Shodan `InternetDB` (keyless).
    Internetdb,
    /// abuse.ch `ThreatFox`.
    Threatfox,
    /// abuse.ch `URLhaus`.
    Urlhaus,
    /// abuse.ch `MalwareBazaar`.
    Malwarebazaar,
    /// Another ioclens server (`GET /api/v1/lookup`, the remote scorer).
    Ioclens,
}

/// Whether a provider needs a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyUse {
    /// Requests without a key are refused.
    Required,
    /// A key raises the limits; requests work without one.
    Optional,
    /// No key exists.
    None,
}

/// What a host needs to know about a provider to send its requests and size its limits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProviderInfo {
    /// Wire id.
    pub id: ProviderId,
    /// Display name.
    pub name: &'static str,
    /// Default base URL (`None`: the host must configure one).
    pub base_url: Option<&'static str>,
    /// Key use.
    pub key: KeyUse,
    /// The header the host sets to the key (`x-apikey`, `Key` …).
    pub secret_header: Option<&'static str>,
    /// Types the provider answers for.
    pub kinds: &'static [IocKind],
    /// Default token bucket: requests per minute (the free tier's, or ours when none is published).
    pub per_minute: u32,
    /// Requests per day of the free tier, when one is published.
    pub per_day: Option<u32>,
    /// Where the quota comes from (`published` or `ioclens default`).
    pub quota_source: &'static str,
    /// Cache lifetime of a found answer, seconds.
    pub ttl_found: u32,
    /// Cache lifetime of a not-found answer, seconds.
    pub ttl_not_found: u32,
}

const IP: &[IocKind] = &[IocKind::Ipv4, IocKind::Ipv6];
const HOUR: u32 = 3600;
const DAY: u32 = 24 * HOUR;

impl ProviderId {
    /// Every provider, in the order results are listed.
    pub const ALL: [ProviderId; 9] = [
        ProviderId::Virustotal,
        ProviderId::Abuseipdb,
        ProviderId::Otx,
        ProviderId::Greynoise,
        ProviderId::Internetdb,
        ProviderId::Threatfox,
        ProviderId::Urlhaus,
        ProviderId::Malwarebazaar,
        ProviderId::Ioclens,
    ];

    /// The wire id.
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderId::Virustotal => "virustotal",
            ProviderId::Abuseipdb => "abuseipdb",
            ProviderId::Otx => "otx",
            ProviderId::Greynoise => "greynoise",
            ProviderId::Internetdb => "internetdb",
            ProviderId::Threatfox => "threatfox",
            ProviderId::Urlhaus => "urlhaus",
            ProviderId::Malwarebazaar => "malwarebazaar",
            ProviderId::Ioclens => "ioclens",
        }
    }

    /// Parses a wire id (ASCII case-insensitive).
    pub fn parse(s: &str) -> Option<ProviderId> {
        ProviderId::ALL.into_iter().find(|p| p.as_str().eq_ignore_ascii_case(s.trim()))
    }

    /// Parses a comma-separated list (`virustotal,abuseipdb`); `all` names every provider but `ioclens`
    /// (which needs a server URL). An unknown id is an error naming the known ones.
    pub fn parse_list(s: &str) -> Result<Vec<ProviderId>, String> {
        let mut out = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let ids: Vec<ProviderId> = if part.eq_ignore_ascii_case("all") {
                ProviderId::ALL.into_iter().filter(|p| *p != ProviderId::Ioclens).collect()
            } else {
                vec![ProviderId::parse(part).ok_or_else(|| {
                    let known: Vec<&str> = ProviderId::ALL.iter().map(|p| p.as_str()).collect();
                    format!("unknown provider `{part}` (providers: {}, all)", known.join(", "))
                })?]
            };
            for id in ids {
                if !out.contains(&id) {
                    out.push(id);
                }
            }
        }
        Ok(out)
    }

    /// The provider's facts and defaults.
    pub fn info(self) -> ProviderInfo {
        use IocKind as K;
        let (name, base_url, key, secret_header, kinds) = match self {
            ProviderId::Virustotal => (
                "VirusTotal",
                Some("https://www.virustotal.com"),
                KeyUse::Required,
                Some("x-apikey"),
                &[K::Ipv4, K::Ipv6, K::Domain, K::Url, K::Md5, K::Sha1, K::Sha256][..],
            ),
            ProviderId::Abuseipdb => {
                ("AbuseIPDB", Some("https://api.abuseipdb.com"), KeyUse::Required, Some("Key"), IP)
            }
            ProviderId::Otx => (
                "AlienVault OTX",
                Some("https://otx.alienvault.com"),
                KeyUse::Required,
                Some("X-OTX-API-KEY"),
                &[K::Ipv4, K::Ipv6, K::Domain, K::Url, K::Md5, K::Sha1, K::Sha256, K::Cve][..],
            ),
            ProviderId::Greynoise => (
                "GreyNoise Community",
                Some("https://api.greynoise.io"),
                KeyUse::Optional,
                Some("key"),
                &[K::Ipv4][..],
            ),
            ProviderId::Internetdb => {
                ("Shodan InternetDB", Some("https://internetdb.shodan.io"), KeyUse::None, None, IP)
            }
            ProviderId::Threatfox => (
                "abuse.ch ThreatFox",
                Some("https://threatfox-api.abuse.ch"),
                KeyUse::Required,
                Some("Auth-Key"),
                &[K::Ipv4, K::Domain, K::Url, K::Md5, K::Sha1, K::Sha256][..],
            ),
            ProviderId::Urlhaus => (
                "abuse.ch URLhaus",
                Some("https://urlhaus-api.abuse.ch"),
                KeyUse::Required,
                Some("Auth-Key"),
                &[K::Ipv4, K::Domain, K::Url, K::Md5, K::Sha256][..],
            ),
            ProviderId::Malwarebazaar => (
                "abuse.ch MalwareBazaar",
                Some("https://mb-api.abuse.ch"),
                KeyUse::Required,
                Some("Auth-Key"),
                &[K::Md5, K::Sha1, K::Sha256][..],
            ),
            ProviderId::Ioclens => (
                "ioclens server",
                None,
                KeyUse::Optional,
                Some("X-API-Key"),
                &[
                    K::Ipv4,
                    K::Ipv6,
                    K::Domain,
                    K::Url,
                    K::Md5,
                    K::Sha1,
                    K::Sha256,
                    K::Sha512,
                    K::Cve,
                    K::Email,
                    K::Attack,
                ][..],
            ),
        };
        let (per_minute, per_day, quota_source, ttl_found, ttl_not_found) = match self {
            ProviderId::Virustotal => (4, Some(500), "published", DAY, 6 * HOUR),
            ProviderId::Abuseipdb => (10, Some(1000), "published", 6 * HOUR, 6 * HOUR),
            ProviderId::Otx => (30, None, "ioclens default", DAY, 6 * HOUR),
            ProviderId::Greynoise => (10, None, "ioclens default", DAY, 6 * HOUR),
            ProviderId::Internetdb => (60, None, "ioclens default", 7 * DAY, DAY),
            ProviderId::Threatfox | ProviderId::Urlhaus | ProviderId::Malwarebazaar => {
                (30, None, "ioclens default", HOUR, HOUR)
            }
            ProviderId::Ioclens => (120, None, "ioclens default", HOUR, HOUR),
        };
        ProviderInfo {
            id: self,
            name,
            base_url,
            key,
            secret_header,
            kinds,
            per_minute,
            per_day,
            quota_source,
            ttl_found,
            ttl_not_found,
        }
    }

    /// Whether the provider answers for this type.
    pub fn applies(self, kind: IocKind) -> bool {
        self.info().kinds.contains(&kind)
    }
}

impl std::fmt::Display for ProviderId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What became of one provider for one value: the one closed set every host shows and stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProviderStatus {
    /// The provider knows the value; its evidence was applied.
    Found,
    /// The provider has no record (not found is not safe).
    NotFound,
    /// The provider does not answer for this type.
    NotApplicable,
    /// The provider needs a key the host does not hold.
    NoKey,
    /// The provider needs a base URL the host was not given (`ioclens`).
    NotConfigured,
    /// HTTP 401/403: the key was refused.
    Unauthorized,
    /// HTTP 429 or a quota error: retry after `retry_after` seconds when given.
    RateLimited,
    /// HTTP 5xx: the provider is down; a retry with backoff is allowed.
    Unavailable,
    /// The host gave up waiting.
    Timeout,
    /// A 2xx answer the core cannot read (not JSON, or not the documented shape).
    Malformed,
    /// The host did not ask: its rate limiter, circuit breaker or budget held the request back.
    Skipped,
    /// Anything else (transport failure, another HTTP status, a provider-reported error).
    Error,
}

impl ProviderStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderStatus::Found => "found",
            ProviderStatus::NotFound => "not_found",
            ProviderStatus::NotApplicable => "not_applicable",
            ProviderStatus::NoKey => "no_key",
            ProviderStatus::NotConfigured => "not_configured",
            ProviderStatus::Unauthorized => "unauthorized",
            ProviderStatus::RateLimited => "rate_limited",
            ProviderStatus::Unavailable => "unavailable",
            ProviderStatus::Timeout => "timeout",
            ProviderStatus::Malformed => "malformed",
            ProviderStatus::Skipped => "skipped",
            ProviderStatus::Error => "error",
        }
    }

    /// Whether the answer may be cached (and for how long: [`ProviderInfo`]'s TTLs).
    pub fn cacheable(self) -> bool {
        matches!(self, ProviderStatus::Found | ProviderStatus::NotFound)
    }

    /// Whether the failure counts towards a host's circuit breaker (the provider, not the value, failed).
    pub fn is_failure(self) -> bool {
        matches!(
            self,
            ProviderStatus::Unavailable
                | ProviderStatus::Timeout
                | ProviderStatus::Malformed
                | ProviderStatus::Error
                | ProviderStatus::Unauthorized
        )
    }
}

/// An HTTP request for the host to send. The host sets header `secret_header` to the provider's key (when it
/// holds one); nothing else in the request carries a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderRequest {
    /// Provider.
    pub provider: ProviderId,
    /// `GET` or `POST`.
    pub method: String,
    /// Full URL, percent-encoded.
    pub url: String,
    /// Headers other than the secret.
    pub headers: Vec<(String, String)>,
    /// Request body (JSON or form-encoded, as `Content-Type` says).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The header slot for the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_header: Option<String>,
}

/// A provider that was not asked, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderSkip {
    /// Provider.
    pub provider: ProviderId,
    /// `not_applicable`, `no_key` or `not_configured`.
    pub status: ProviderStatus,
}

/// What the host tells [`requests`] about its configuration (never a key).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProviderConfig {
    /// Providers to ask, in order.
    pub providers: Vec<ProviderId>,
    /// Providers the host holds a key for.
    pub keys: Vec<ProviderId>,
    /// Base URL overrides (`IOCLENS_<ID>_URL`, config, tests): `[provider, url]`.
    pub base_urls: Vec<(ProviderId, String)>,
}

/// The requests to send for one value, and the providers not asked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderPlan {
    /// Requests, in `providers` order.
    pub requests: Vec<ProviderRequest>,
    /// Providers not asked.
    pub skipped: Vec<ProviderSkip>,
}

/// Builds the requests for a canonical value (a `lookup` answer's `ioc_value` and `ioc_type`).
pub fn requests(canonical: &str, kind: IocKind, cfg: &ProviderConfig) -> ProviderPlan {
    let mut plan = ProviderPlan::default();
    for &p in &cfg.providers {
        let info = p.info();
        let base = cfg
            .base_urls
            .iter()
            .rev()
            .find(|(id, _)| *id == p)
            .map(|(_, u)| u.trim_end_matches('/').to_owned())
            .or_else(|| info.base_url.map(str::to_owned));
        let skip = if !p.applies(kind) || canonical.is_empty() {
            Some(ProviderStatus::NotApplicable)
        } else if info.key == KeyUse::Required && !cfg.keys.contains(&p) {
            Some(ProviderStatus::NoKey)
        } else if base.is_none() {
            Some(ProviderStatus::NotConfigured)
        } else {
            None
        };
        let built = match (skip, base) {
            (None, Some(base)) => build(p, &base, canonical, kind),
            _ => None,
        };
        match built {
            Some(mut r) => {
                if cfg.keys.contains(&p) || info.key == KeyUse::Required {
                    r.secret_header = info.secret_header.map(str::to_owned);
                }
                plan.requests.push(r);
            }
            None => plan.skipped.push(ProviderSkip {
                provider: p,
                status: skip.unwrap_or(ProviderStatus::NotApplicable),
            }),
        }
    }
    plan
}

fn build(p: ProviderId, base: &str, value: &str, kind: IocKind) -> Option<ProviderRequest> {
    match p {
        ProviderId::Virustotal => virustotal::request(base, value, kind),
        ProviderId::Abuseipdb => abuseipdb::request(base, value, kind),
        ProviderId::Otx => otx::request(base, value, kind),
        ProviderId::Greynoise => greynoise::request(base, value, kind),
        ProviderId::Internetdb => internetdb::request(base, value, kind),
        ProviderId::Threatfox => threatfox::request(base, value, kind),
        ProviderId::Urlhaus => urlhaus::request(base, value, kind),
        ProviderId::Malwarebazaar => malwarebazaar::request(base, value, kind),
        ProviderId::Ioclens => ioclens::request(base, value, kind),
    }
}

/// A reply as the host received it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderReply {
    /// Provider.
    pub provider: ProviderId,
    /// HTTP status; 0 when no answer came (the host's error text in `error`).
    pub status: u16,
    /// Body: its text, or the parsed JSON document.
    #[serde(default)]
    pub body: Option<Value>,
    /// The `Retry-After` header, as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<String>,
    /// The host's error text when `status` is 0: `skipped[: why]` when the host held the request back, the plan's
    /// status word (`no_key[: why]`, `not_applicable`, `not_configured`) for a provider [`requests`] did not ask.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// What one provider's reply means.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProviderOutcome {
    /// Provider.
    pub provider: ProviderId,
    /// Status.
    pub status: ProviderStatus,
    /// Evidence: `weight` is the provider's points (negative: benign evidence); [`apply`] fills `contribution`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub factors: Vec<Factor>,
    /// `malicious` for a strong hit (abuse.ch, many engines), `benign` for known-benign infrastructure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
    /// Malware family named by the provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
    /// ATT&CK ids named by the provider.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub techniques: Vec<String>,
    /// Context tags (`tor`, `scanner`, `benign-infrastructure` …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Whether the host may retry (429, 5xx, timeout) — with backoff, after `retry_after` when given.
    #[serde(default)]
    pub retryable: bool,
    /// Seconds to wait before a retry (`Retry-After` in seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u32>,
    /// Why the status is not `found` / `not_found`, or a short note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The ioclens server's answer (merged by the remote-scorer rules).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote: Option<RemoteScore>,
}

impl ProviderOutcome {
    pub(crate) fn new(provider: ProviderId, status: ProviderStatus) -> ProviderOutcome {
        ProviderOutcome {
            provider,
            status,
            factors: Vec::new(),
            verdict: None,
            family: None,
            techniques: Vec::new(),
            tags: Vec::new(),
            retryable: false,
            retry_after: None,
            message: None,
            remote: None,
        }
    }

    pub(crate) fn failed(provider: ProviderId, status: ProviderStatus, message: String) -> Self {
        let mut o = ProviderOutcome::new(provider, status);
        o.message = Some(message);
        o.retryable = matches!(
            status,
            ProviderStatus::RateLimited | ProviderStatus::Unavailable | ProviderStatus::Timeout
        );
        o
    }

    /// Adds a factor; `points` is its weight (negative for benign evidence).
    pub(crate) fn factor(&mut self, name: FactorName, points: i32, detail: String) {
        self.factors.push(Factor {
            name,
            source: self.provider.as_str().to_owned(),
            weight: points,
            contribution: 0,
            detail: Some(detail),
        });
    }

    pub(crate) fn tag(&mut self, t: &str) {
        if !t.is_empty() && !self.tags.iter().any(|x| x == t) {
            self.tags.push(t.to_owned());
        }
    }
}

/// The status and note a provider's summary keeps in `score.providers`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderSummary {
    /// Provider.
    pub provider: ProviderId,
    /// Status.
    pub status: ProviderStatus,
    /// Seconds to wait before asking again, after a 429.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u32>,
    /// Why the status is not `found` / `not_found`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// Reads a reply: the status every provider shares for transport and HTTP failures, then the provider's reading
/// of a 2xx (or documented not-found) body. Never panics on any body.
pub fn parse_reply(kind: IocKind, reply: &ProviderReply) -> ProviderOutcome {
    let p = reply.provider;
    if reply.status == 0 {
        let err = reply.error.as_deref().unwrap_or("no response");
        let lower = err.to_ascii_lowercase();
        // A provider the host did not ask: the plan's status word (`no_key: …`), or `skipped: …`.
        let word = lower.split(':').next().unwrap_or_default().trim();
        let status = if let Some(s) = [
            ProviderStatus::Skipped,
            ProviderStatus::NoKey,
            ProviderStatus::NotApplicable,
            ProviderStatus::NotConfigured,
        ]
        .into_iter()
        .find(|s| s.as_str() == word)
        {
            s
        } else if lower.contains("timeout") || lower.contains("timed out") {
            ProviderStatus::Timeout
        } else {
            ProviderStatus::Error
        };
        return ProviderOutcome::failed(p, status, err.to_owned());
    }
    let text = match &reply.body {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(t)) => t.clone(),
        Some(doc) => doc.to_string(),
    };
    let doc = serde_json::from_str::<Value>(&text).ok();
    if p == ProviderId::Ioclens {
        let mut o = ioclens::parse(reply.status, &text);
        if o.status == ProviderStatus::RateLimited {
            o.retry_after = reply.retry_after.as_deref().and_then(retry_after_secs);
        }
        return o;
    }
    let status = reply.status;
    match status {
        200..=299 => {}
        401 | 403 => {
            return ProviderOutcome::failed(
                p,
                ProviderStatus::Unauthorized,
                format!("HTTP {status}: the key was refused{}", error_note(doc.as_ref())),
            );
        }
        404 => {
            let mut o = ProviderOutcome::new(p, ProviderStatus::NotFound);
            o.factor(
                FactorName::not_found(p),
                0,
                format!("{} has no record (not found is not safe)", p.info().name),
            );
            return o;
        }
        429 => {
            let mut o = ProviderOutcome::failed(
                p,
                ProviderStatus::RateLimited,
                format!("HTTP 429: quota exceeded{}", error_note(doc.as_ref())),
            );
            o.retry_after = reply.retry_after.as_deref().and_then(retry_after_secs);
            return o;
        }
        500..=599 => {
            return ProviderOutcome::failed(
                p,
                ProviderStatus::Unavailable,
                format!("HTTP {status}{}", error_note(doc.as_ref())),
            );
        }
        _ => {
            return ProviderOutcome::failed(
                p,
                ProviderStatus::Error,
                format!("HTTP {status}{}", error_note(doc.as_ref())),
            );
        }
    }
    let Some(doc) = doc.filter(Value::is_object) else {
        return ProviderOutcome::failed(
            p,
            ProviderStatus::Malformed,
            "the body is not a JSON object".into(),
        );
    };
    let parsed = match p {
        ProviderId::Virustotal => virustotal::parse(&doc),
        ProviderId::Abuseipdb => abuseipdb::parse(&doc),
        ProviderId::Otx => otx::parse(&doc),
        ProviderId::Greynoise => greynoise::parse(&doc),
        ProviderId::Internetdb => internetdb::parse(&doc),
        ProviderId::Threatfox => threatfox::parse(&doc),
        ProviderId::Urlhaus => urlhaus::parse(&doc, kind),
        ProviderId::Malwarebazaar => malwarebazaar::parse(&doc),
        ProviderId::Ioclens => unreachable_ioclens(),
    };
    parsed.unwrap_or_else(|why| ProviderOutcome::failed(p, ProviderStatus::Malformed, why))
}

fn unreachable_ioclens() -> Result<ProviderOutcome, String> {
    Err("the ioclens provider is read by the remote-scorer rules".into())
}

/// ` (message)` from the usual error bodies (`error.message`, `errors[0].detail`, `detail`, `message`).
fn error_note(doc: Option<&Value>) -> String {
    let Some(d) = doc else { return String::new() };
    let msg = d
        .pointer("/error/message")
        .or_else(|| d.pointer("/error/code"))
        .or_else(|| d.pointer("/errors/0/detail"))
        .or_else(|| d.get("detail"))
        .or_else(|| d.get("message"))
        .and_then(Value::as_str);
    msg.map(|m| format!(" ({})", m.chars().take(200).collect::<String>())).unwrap_or_default()
}

/// `Retry-After` in seconds (RFC 9110 delay-seconds). An HTTP-date gives `None` (the core reads no clock; the
/// host backs off by its own schedule).
pub fn retry_after_secs(h: &str) -> Option<u32> {
    h.trim().parse::<u32>().ok()
}

/// Everything but RFC 3986's unreserved characters (`A–Z a–z 0–9 - . _ ~`) is encoded.
const COMPONENT: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Percent-encodes a value for one path segment or a query/form value.
pub(crate) fn enc(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, COMPONENT).to_string()
}

/// A JSON string field, non-empty.
pub(crate) fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// A JSON integer field (numbers or numeric strings).
pub(crate) fn int(v: &Value, key: &str) -> Option<i64> {
    let x = v.get(key)?;
    x.as_i64().or_else(|| x.as_f64().map(|f| f as i64)).or_else(|| x.as_str()?.trim().parse().ok())
}

/// A JSON array of strings (other items dropped).
pub(crate) fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .unwrap_or_default()
}

pub(crate) fn get(provider: ProviderId, base: &str, path: &str) -> ProviderRequest {
    ProviderRequest {
        provider,
        method: "GET".into(),
        url: format!("{base}{path}"),
        headers: vec![("Accept".into(), "application/json".into())],
        body: None,
        secret_header: None,
    }
}

pub(crate) fn post(
    provider: ProviderId,
    base: &str,
    path: &str,
    content_type: &str,
    body: String,
) -> ProviderRequest {
    ProviderRequest {
        provider,
        method: "POST".into(),
        url: format!("{base}{path}"),
        headers: vec![
            ("Accept".into(), "application/json".into()),
            ("Content-Type".into(), content_type.into()),
        ],
        body: Some(body),
        secret_header: None,
    }
}

/// The abuse.ch `query_status` every query API answers with: `Ok(None)` for `ok` (the caller reads the data),
/// `Ok(Some(not found))` for the documented no-result words, `Err` for a missing status, and a failed outcome for
/// the refusals (`unknown_auth_key` → `unauthorized`, any other word → `error`).
pub(crate) fn abusech_status(
    p: ProviderId,
    doc: &Value,
) -> Result<Option<ProviderOutcome>, String> {
    let status = text(doc, "query_status").ok_or("no query_status in the answer")?;
    Ok(match status.as_str() {
        "ok" => None,
        "no_result" | "no_results" | "hash_not_found" | "not_found" => {
            let mut o = ProviderOutcome::new(p, ProviderStatus::NotFound);
            o.factor(
                FactorName::not_found(p),
                0,
                format!("{} has no record (not found is not safe)", p.info().name),
            );
            Some(o)
        }
        "unknown_auth_key" | "missing_auth_key" | "invalid_auth_key" => {
            Some(ProviderOutcome::failed(
                p,
                ProviderStatus::Unauthorized,
                format!("the key was refused ({status})"),
            ))
        }
        other => Some(ProviderOutcome::failed(
            p,
            ProviderStatus::Error,
            format!("query_status {}", other.chars().take(60).collect::<String>()),
        )),
    })
}

#[cfg(test)]
mod tests;
