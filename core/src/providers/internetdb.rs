//! Shodan `InternetDB`: `GET /{ip}`, no key. Reads `ports`, `hostnames`, `tags`, `vulns`; 404
//! `{"detail":"No information available"}` when unknown.
//!
//! Scoring: it describes exposure, not intent: a `c2`, `malware` or `compromised` tag → 50; otherwise a
//! zero-point note with the open ports and vulnerabilities (context for the analyst). Tags are kept.
use super::{ProviderId, ProviderOutcome, ProviderRequest, ProviderStatus, enc, get, strings};
use crate::IocKind;
use crate::score::FactorName;
use serde_json::Value;

pub(super) fn request(base: &str, value: &str, kind: IocKind) -> Option<ProviderRequest> {
    matches!(kind, IocKind::Ipv4 | IocKind::Ipv6)
        .then(|| get(ProviderId::Internetdb, base, &format!("/{}", enc(value))))
}

pub(super) fn parse(doc: &Value) -> Result<ProviderOutcome, String> {
    if doc.get("ports").is_none() && doc.get("tags").is_none() {
        return Err("no ports/tags in the answer".into());
    }
    let ports: Vec<String> = doc
        .get("ports")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_u64).map(|p| p.to_string()).collect())
        .unwrap_or_default();
    let tags = strings(doc.get("tags"));
    let vulns = strings(doc.get("vulns"));
    let mut o = ProviderOutcome::new(ProviderId::Internetdb, ProviderStatus::Found);
    for t in &tags {
        o.tag(&t.to_ascii_lowercase());
    }
    let detail = format!(
        "open ports [{}]{}{}",
        ports.join(", "),
        if tags.is_empty() { String::new() } else { format!(", tags [{}]", tags.join(", ")) },
        if vulns.is_empty() {
            String::new()
        } else {
            format!(", {} known vulnerabilities", vulns.len())
        }
    );
    let bad = tags
        .iter()
        .any(|t| matches!(t.to_ascii_lowercase().as_str(), "c2" | "malware" | "compromised"));
    o.factor(
        if bad { FactorName::InternetdbMaliciousTag } else { FactorName::InternetdbExposure },
        if bad { 50 } else { 0 },
        detail,
    );
    Ok(o)
}
