//! abuse.ch `ThreatFox`: `POST /api/v1/` JSON `{"query": "search_ioc", "search_term": …}`, key in header
//! `Auth-Key`. Reads `query_status` (`ok` / `no_result`) and `data[].{malware_printable, threat_type,
//! confidence_level, tags}`.
//!
//! Scoring: a hit is strong malicious evidence: 80 + a tenth of `confidence_level` (80–90), a `malicious` verdict
//! and the family (`malware_printable`).
use super::{
    ProviderId, ProviderOutcome, ProviderRequest, ProviderStatus, abusech_status, int, post,
    strings, text,
};
use crate::IocKind;
use crate::score::FactorName;
use crate::score::Verdict;
use serde_json::Value;

pub(super) fn request(base: &str, value: &str, kind: IocKind) -> Option<ProviderRequest> {
    if !ProviderId::Threatfox.applies(kind) {
        return None;
    }
    let body = serde_json::json!({ "query": "search_ioc", "search_term": value }).to_string();
    Some(post(ProviderId::Threatfox, base, "/api/v1/", "application/json", body))
}

pub(super) fn parse(doc: &Value) -> Result<ProviderOutcome, String> {
    if let Some(o) = abusech_status(ProviderId::Threatfox, doc)? {
        return Ok(o);
    }
    let first =
        doc.pointer("/data/0").filter(|d| d.is_object()).ok_or("no data[0] in the answer")?;
    let mut o = ProviderOutcome::new(ProviderId::Threatfox, ProviderStatus::Found);
    o.family = text(first, "malware_printable").filter(|f| f != "Unknown malware");
    let conf = int(first, "confidence_level").unwrap_or(50).clamp(0, 100) as i32;
    let threat = text(first, "threat_type").unwrap_or_else(|| "ioc".into());
    for t in strings(first.get("tags")) {
        o.tag(&t.to_ascii_lowercase());
    }
    let family = o.family.as_deref().map(|f| format!(", family {f}")).unwrap_or_default();
    o.factor(
        FactorName::ThreatfoxIoc,
        80 + conf / 10,
        format!("ThreatFox {threat}{family}, confidence {conf}"),
    );
    o.verdict = Some(Verdict::Malicious);
    Ok(o)
}
