//! Remote scoring, sans-I/O: the core builds the `GET /api/v1/lookup` request and merges the answer; the host
//! (CLI, server, extension, Extism host, Python) does the HTTP and adds the API key.
//!
//! Both response shapes of docs/api.md are accepted: the envelope `{meta, data}` (`data.risk{score, level}`,
//! `data.found`, `data.confidence`, `data.sources[]{source_feed}` …) and the older flat one (`value`, `type`,
//! `risk_score` as a level string, `confidence`, `mitre_techniques[{id, name}]`, `sources[{feed_name}]`).
//!
//! Merge rules (`docs/scoring.md`, tested below):
//! 1. Fail-open: a remote failure (`timeout`, `rate_limited`, `error`) or no remote (`disabled`) leaves the
//!    local score as it is and says so in `remote_status`; `source` stays `local`.
//! 2. `reserved` is never overridden: the remote answer is recorded (`remote_score`) but changes nothing else.
//! 3. `found: false` adds a zero-point factor ("not found is not safe") and changes nothing else.
//! 4. Otherwise the remote answer is one more piece of evidence: a `remote` factor is added, the score becomes
//!    `max(local, remote)` (a remote service can raise a score, not hide local malicious evidence), the
//!    verdict becomes `malicious` when the remote level is high/critical with high confidence and the local
//!    verdict is not `benign` by a hash list, confidence is the higher of the two when they agree on the level
//!    band and `medium` when they disagree. Both scores are kept (`local_score`, `remote_score`).
use super::{Confidence, Factor, FactorName, Level, Score, ScoreSource, Verdict};
use crate::IocKind;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Outcome of the remote call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RemoteStatus {
    /// A usable answer was merged.
    Ok,
    /// No remote scorer was configured.
    Disabled,
    /// The host gave up waiting.
    Timeout,
    /// HTTP 429.
    RateLimited,
    /// Any other failure (transport, HTTP status, unreadable body).
    Error,
}

/// An HTTP request for the host to send. The host adds the credential (`Authorization: Bearer …` or
/// `X-API-Key`) and the base URL; the key never goes in the query string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteRequest {
    /// `GET`.
    pub method: String,
    /// `/api/v1/lookup`.
    pub path: String,
    /// Query parameters, unencoded (`ioc`, `value`, `type`); the host percent-encodes them.
    pub query: Vec<(String, String)>,
    /// Headers other than the credential.
    pub headers: Vec<(String, String)>,
}

impl RemoteRequest {
    /// The URL every host sends: `{base}{path}?k=v&…` on the scorer at `base` (`http://host:8080`, a trailing
    /// `/` ignored), each query name and value percent-encoded (all but RFC 3986's unreserved characters).
    #[must_use]
    pub fn url(&self, base: &str) -> String {
        /// Everything but the unreserved characters (`A–Z a–z 0–9 - . _ ~`) is encoded.
        const COMPONENT: &percent_encoding::AsciiSet =
            &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');
        let mut url = format!("{}{}", base.trim_end_matches('/'), self.path);
        for (i, (k, v)) in self.query.iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            url.extend(percent_encoding::utf8_percent_encode(k, COMPONENT));
            url.push('=');
            url.extend(percent_encoding::utf8_percent_encode(v, COMPONENT));
        }
        url
    }
}

/// Maximum value length the API accepts (`ioc=`, docs/api.md).
pub const MAX_REMOTE_VALUE: usize = 2048;

/// The remote API's `type=` name for a kind, when it has one.
fn remote_type(kind: IocKind) -> Option<&'static str> {
    Some(match kind {
        IocKind::Ipv4 => "ipv4",
        IocKind::Ipv6 => "ipv6",
        IocKind::Domain => "domain",
        IocKind::Url => "url",
        IocKind::Md5 => "md5",
        IocKind::Sha1 => "sha1",
        IocKind::Sha256 => "sha256",
        IocKind::Sha512 => "sha512",
        IocKind::Cve => "cve",
        IocKind::Email => "email",
        IocKind::Attack => "mitre-attack",
        _ => return None,
    })
}

/// Builds the lookup request for a canonical value. Sends both `ioc=` (newer docs) and `value=` (older docs)
/// so either server generation answers. `None` when the value is empty or longer than 2048 bytes.
pub fn remote_request(canonical: &str, kind: IocKind) -> Option<RemoteRequest> {
    if canonical.is_empty() || canonical.len() > MAX_REMOTE_VALUE {
        return None;
    }
    let mut query =
        vec![("ioc".to_owned(), canonical.to_owned()), ("value".to_owned(), canonical.to_owned())];
    if let Some(t) = remote_type(kind) {
        query.push(("type".to_owned(), t.to_owned()));
    }
    Some(RemoteRequest {
        method: "GET".into(),
        path: "/api/v1/lookup".into(),
        query,
        headers: vec![("Accept".into(), "application/json".into())],
    })
}

/// A remote answer, normalised from either shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemoteScore {
    /// Outcome.
    pub status: RemoteStatus,
    /// `data.found`; the flat shape has none (`None`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub found: Option<bool>,
    /// 0–100 (`risk.score`, or the midpoint of the flat shape's level string).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<u8>,
    /// Level as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
    /// Confidence as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<Confidence>,
    /// Reporting feeds (`source_feed` / `feed_name`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    /// Technique ids (`T1071` …) from `mitre_techniques` (strings or `{id}` objects).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mitre_techniques: Vec<String>,
    /// `malware_family`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub malware_family: Option<String>,
    /// `threat_type`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threat_type: Option<String>,
    /// `meta.feed_version`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feed_version: Option<String>,
    /// Why the status is not `ok`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl RemoteScore {
    /// A non-`ok` outcome with a message.
    pub fn failed(status: RemoteStatus, message: &str) -> RemoteScore {
        RemoteScore {
            status,
            found: None,
            score: None,
            level: None,
            confidence: None,
            sources: Vec::new(),
            mitre_techniques: Vec::new(),
            malware_family: None,
            threat_type: None,
            feed_version: None,
            message: Some(message.to_owned()),
        }
    }
}

fn str_field(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_owned)
}

fn techniques(v: &Value) -> Vec<String> {
    v.get("mitre_techniques")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|t| match t {
                    Value::String(s) => Some(s.clone()),
                    Value::Object(_) => t.get("id").and_then(Value::as_str).map(str::to_owned),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

fn sources(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = v
        .get("sources")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| match s {
                    Value::String(x) => Some(x.clone()),
                    _ => str_field(s, "source_feed").or_else(|| str_field(s, "feed_name")),
                })
                .collect()
        })
        .unwrap_or_default();
    if out.is_empty()
        && let Some(r) = v.get("reporting_sources").and_then(Value::as_array)
    {
        out = r.iter().filter_map(|x| x.as_str().map(str::to_owned)).collect();
    }
    out
}

/// Reads a remote answer: HTTP status and body. 429 → `rate_limited`; another non-2xx status or a body that
/// is neither shape → `error`. Never panics on any body.
pub fn parse_response(http_status: u16, body: &str) -> RemoteScore {
    if http_status == 429 {
        return RemoteScore::failed(RemoteStatus::RateLimited, "rate limit exceeded (HTTP 429)");
    }
    if !(200..300).contains(&http_status) {
        let msg = serde_json::from_str::<Value>(body)
            .ok()
            .and_then(|v| v.pointer("/error/message").and_then(Value::as_str).map(str::to_owned))
            .unwrap_or_default();
        return RemoteScore::failed(
            RemoteStatus::Error,
            format!("HTTP {http_status} {msg}").trim_end(),
        );
    }
    let Ok(doc) = serde_json::from_str::<Value>(body) else {
        return RemoteScore::failed(RemoteStatus::Error, "response body is not JSON");
    };
    // Newer envelope.
    if let Some(data) = doc.get("data").filter(|d| d.is_object()) {
        let risk = data.get("risk");
        let score = risk
            .and_then(|r| r.get("score"))
            .and_then(|s| s.as_f64().or_else(|| s.as_str().and_then(|x| x.parse().ok())))
            .map(super::to_score);
        let level =
            risk.and_then(|r| r.get("level")).and_then(Value::as_str).and_then(Level::parse);
        return RemoteScore {
            status: RemoteStatus::Ok,
            found: data.get("found").and_then(Value::as_bool),
            score: score.or_else(|| level.map(Level::midpoint)),
            level: level.or_else(|| score.map(Level::of)),
            confidence: data.get("confidence").and_then(Value::as_str).and_then(Confidence::parse),
            sources: sources(data),
            mitre_techniques: techniques(data),
            malware_family: str_field(data, "malware_family"),
            threat_type: str_field(data, "threat_type"),
            feed_version: doc
                .pointer("/meta/feed_version")
                .and_then(Value::as_str)
                .map(str::to_owned),
            message: None,
        };
    }
    // Older flat shape: `risk_score` is a level string (a number is accepted too).
    if doc.get("risk_score").is_some() || doc.get("value").is_some() {
        let rs = doc.get("risk_score");
        let level = rs.and_then(Value::as_str).and_then(Level::parse);
        let numeric = rs.and_then(Value::as_f64).map(super::to_score);
        let score = numeric.or_else(|| level.map(Level::midpoint));
        return RemoteScore {
            status: RemoteStatus::Ok,
            found: None,
            score,
            level: level.or_else(|| numeric.map(Level::of)),
            confidence: doc.get("confidence").and_then(Value::as_str).and_then(Confidence::parse),
            sources: sources(&doc),
            mitre_techniques: techniques(&doc),
            malware_family: str_field(&doc, "malware_family"),
            threat_type: str_field(&doc, "threat_type"),
            feed_version: None,
            message: None,
        };
    }
    RemoteScore::failed(
        RemoteStatus::Error,
        "response is neither the {meta, data} envelope nor the flat shape",
    )
}

/// Merges a remote answer into the local score (rules in the module docs).
pub fn merge(local: &Score, remote: &RemoteScore) -> Score {
    let mut out = local.clone();
    out.remote_status = remote.status;
    if remote.status != RemoteStatus::Ok {
        return out;
    }
    out.remote_score = remote.score;
    if local.verdict == Verdict::Reserved {
        return out;
    }
    let feed = if remote.sources.is_empty() {
        "remote".to_owned()
    } else {
        format!("remote:{}", remote.sources.join(","))
    };
    if remote.found == Some(false) {
        out.factors.push(Factor {
            name: FactorName::RemoteNotFound,
            source: feed,
            weight: 0,
            contribution: 0,
            detail: Some("the remote service has no record (not found is not safe)".into()),
        });
        out.source = ScoreSource::Remote;
        return out;
    }
    let Some(rs) = remote.score else {
        return out;
    };
    let merged = local.score.max(rs);
    let detail = Some(format!(
        "remote score {rs}{}{}",
        remote.level.map(|l| format!(" ({})", l.as_str())).unwrap_or_default(),
        remote.malware_family.as_ref().map(|f| format!(", family {f}")).unwrap_or_default()
    ));
    out.factors.push(Factor {
        name: FactorName::Remote,
        source: feed,
        weight: i32::from(rs),
        contribution: i32::from(merged) - i32::from(local.score),
        detail,
    });
    out.score = merged;
    out.level = Level::of(merged);
    out.decay = super::decay(local.decay.rule, merged, local.decay.since, local.decay.now);
    let remote_level = remote.level.unwrap_or_else(|| Level::of(rs));
    let remote_conf = remote.confidence.unwrap_or(Confidence::Medium);
    let hash_benign = local.factors.iter().any(|f| f.name == FactorName::BenignHash);
    if remote_level >= Level::High && remote_conf == Confidence::High && !hash_benign {
        out.verdict = Verdict::Malicious;
    }
    out.confidence = if Level::of(local.score) == remote_level
        || local.verdict == Verdict::Unknown && local.confidence == Confidence::Low
    {
        local.confidence.max(remote_conf)
    } else {
        Confidence::Medium
    };
    out.confidence_stix = out.confidence.stix();
    out.source = ScoreSource::Remote;
    out
}

#[cfg(test)]
mod tests;
