//! `AbuseIPDB` API v2: `GET /api/v2/check?ipAddress=…&maxAgeInDays=90`, key in header `Key`. Reads
//! `data.abuseConfidenceScore`, `totalReports`, `isWhitelisted`, `isTor`, `usageType`.
//!
//! Scoring: the confidence (0–100) is the points; 90 or more is a `malicious` verdict. Whitelisted → −20
//! (`abuseipdb-whitelisted`, benign). Confidence 0 with no report → a zero-point note (not reported is not safe).
use super::{ProviderId, ProviderOutcome, ProviderRequest, ProviderStatus, enc, get, int, text};
use crate::IocKind;
use crate::score::FactorName;
use crate::score::Verdict;
use serde_json::Value;

pub(super) fn request(base: &str, value: &str, kind: IocKind) -> Option<ProviderRequest> {
    matches!(kind, IocKind::Ipv4 | IocKind::Ipv6).then(|| {
        get(
            ProviderId::Abuseipdb,
            base,
            &format!("/api/v2/check?ipAddress={}&maxAgeInDays=90", enc(value)),
        )
    })
}

pub(super) fn parse(doc: &Value) -> Result<ProviderOutcome, String> {
    let data = doc.get("data").filter(|d| d.is_object()).ok_or("no data object in the answer")?;
    let conf = int(data, "abuseConfidenceScore").ok_or("no abuseConfidenceScore in the answer")?;
    let conf = conf.clamp(0, 100) as i32;
    let reports = int(data, "totalReports").unwrap_or(0);
    let mut o = ProviderOutcome::new(ProviderId::Abuseipdb, ProviderStatus::Found);
    if data.get("isTor").and_then(Value::as_bool) == Some(true) {
        o.tag("tor");
    }
    let usage = text(data, "usageType").map(|u| format!(", usage {u}")).unwrap_or_default();
    if data.get("isWhitelisted").and_then(Value::as_bool) == Some(true) {
        o.factor(FactorName::AbuseipdbWhitelisted, -20, format!("whitelisted by AbuseIPDB{usage}"));
        o.verdict = Some(Verdict::Benign);
    } else if conf > 0 {
        o.factor(
            FactorName::AbuseipdbConfidence,
            conf,
            format!("confidence {conf}, {reports} reports{usage}"),
        );
        if conf >= 90 {
            o.verdict = Some(Verdict::Malicious);
        }
    } else {
        o.status = if reports == 0 { ProviderStatus::NotFound } else { ProviderStatus::Found };
        o.factor(
            FactorName::AbuseipdbNoReports,
            0,
            format!("confidence 0, {reports} reports{usage} (not reported is not safe)"),
        );
    }
    Ok(o)
}
