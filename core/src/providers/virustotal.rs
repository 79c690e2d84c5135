//! `VirusTotal` API v3: `GET /api/v3/{ip_addresses,domains,urls,files}/{id}` (URL id: base64url of the URL, no
//! padding), key in header `x-apikey`. Reads `data.attributes.last_analysis_stats` and `reputation`.
//!
//! Scoring: 10 or more engines say malicious → 85 and a `malicious` verdict; 3–9 → 60 + 3 per engine above 3;
//! 1–2 (or suspicious only) → 30, weak; none of 50 or more engines → −5, weak benign evidence (`virustotal-clean`;
//! an unknown sample is not a clean one, so fewer engines give a zero-point note).
use super::{ProviderId, ProviderOutcome, ProviderRequest, ProviderStatus, enc, get, int};
use crate::IocKind;
use crate::score::FactorName;
use crate::score::Verdict;
use base64::Engine as _;
use serde_json::Value;

pub(super) fn request(base: &str, value: &str, kind: IocKind) -> Option<ProviderRequest> {
    let (collection, id) = match kind {
        IocKind::Ipv4 | IocKind::Ipv6 => ("ip_addresses", enc(value)),
        IocKind::Domain => ("domains", enc(value)),
        IocKind::Url => ("urls", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value)),
        IocKind::Md5 | IocKind::Sha1 | IocKind::Sha256 => ("files", enc(value)),
        _ => return None,
    };
    Some(get(ProviderId::Virustotal, base, &format!("/api/v3/{collection}/{id}")))
}

pub(super) fn parse(doc: &Value) -> Result<ProviderOutcome, String> {
    let attrs = doc.pointer("/data/attributes").ok_or("no data.attributes in the answer")?;
    let stats = attrs.get("last_analysis_stats").ok_or("no last_analysis_stats in the answer")?;
    let n = |k: &str| int(stats, k).unwrap_or(0).max(0);
    let (m, s) = (n("malicious"), n("suspicious"));
    let total = m + s + n("harmless") + n("undetected");
    let mut o = ProviderOutcome::new(ProviderId::Virustotal, ProviderStatus::Found);
    let detail = format!("{m}/{total} engines malicious, {s} suspicious");
    if m >= 10 {
        o.factor(FactorName::VirustotalDetections, 85, detail);
        o.verdict = Some(Verdict::Malicious);
    } else if m >= 3 {
        o.factor(FactorName::VirustotalDetections, 60 + 3 * (m as i32 - 3), detail);
    } else if m + s > 0 {
        o.factor(FactorName::VirustotalDetections, 30, detail);
    } else if total >= 50 {
        o.factor(FactorName::VirustotalClean, -5, format!("{detail} (weak benign evidence)"));
    } else {
        o.factor(FactorName::VirustotalClean, 0, format!("{detail} (too few engines to count)"));
    }
    if let Some(r) = int(attrs, "reputation") {
        o.message = Some(format!("community reputation {r}"));
    }
    Ok(o)
}
