//! abuse.ch `URLhaus`: `POST /v1/url/` (form `url=`), `/v1/host/` (`host=`), `/v1/payload/` (`md5_hash=` or
//! `sha256_hash=`), key in header `Auth-Key`. Reads `query_status` (`ok` / `no_results`), `url_status`,
//! `threat`, `tags`, `url_count`, `signature`.
//!
//! Scoring: a listed URL or payload is strong malicious evidence: 90 and a `malicious` verdict (an offline URL
//! 80: it served malware, it may not now); a host with listed URLs → 75 and a `malicious` verdict. The family is
//! the payload signature (or the first tag naming one).
use super::{
    ProviderId, ProviderOutcome, ProviderRequest, ProviderStatus, abusech_status, enc, int, post,
    strings, text,
};
use crate::IocKind;
use crate::score::FactorName;
use crate::score::Verdict;
use serde_json::Value;

const FORM: &str = "application/x-www-form-urlencoded";

pub(super) fn request(base: &str, value: &str, kind: IocKind) -> Option<ProviderRequest> {
    let (path, field) = match kind {
        IocKind::Url => ("/v1/url/", "url"),
        IocKind::Domain | IocKind::Ipv4 => ("/v1/host/", "host"),
        IocKind::Md5 => ("/v1/payload/", "md5_hash"),
        IocKind::Sha256 => ("/v1/payload/", "sha256_hash"),
        _ => return None,
    };
    Some(post(ProviderId::Urlhaus, base, path, FORM, format!("{field}={}", enc(value))))
}

pub(super) fn parse(doc: &Value, kind: IocKind) -> Result<ProviderOutcome, String> {
    if let Some(o) = abusech_status(ProviderId::Urlhaus, doc)? {
        return Ok(o);
    }
    let mut o = ProviderOutcome::new(ProviderId::Urlhaus, ProviderStatus::Found);
    o.verdict = Some(Verdict::Malicious);
    let mut tags = strings(doc.get("tags"));
    if let Some(urls) = doc.get("urls").and_then(Value::as_array) {
        for u in urls.iter().take(20) {
            tags.extend(strings(u.get("tags")));
        }
    }
    for t in &tags {
        o.tag(&t.to_ascii_lowercase());
    }
    o.family = text(doc, "signature")
        .or_else(|| doc.pointer("/payloads/0").and_then(|p| text(p, "signature")));
    let fam = o.family.as_deref().map(|f| format!(", family {f}")).unwrap_or_default();
    match kind {
        IocKind::Domain | IocKind::Ipv4 => {
            let n = int(doc, "url_count")
                .or_else(|| {
                    doc.get("urls")
                        .and_then(Value::as_array)
                        .map(|a| i64::try_from(a.len()).unwrap_or(i64::MAX))
                })
                .unwrap_or(0);
            o.factor(
                FactorName::UrlhausHost,
                75,
                format!("host of {n} malware URLs on URLhaus{fam}"),
            );
        }
        IocKind::Md5 | IocKind::Sha256 => {
            o.factor(
                FactorName::UrlhausPayload,
                90,
                format!("payload served by malware URLs on URLhaus{fam}"),
            );
        }
        _ => {
            let status = text(doc, "url_status").unwrap_or_else(|| "unknown".into());
            let threat = text(doc, "threat").unwrap_or_else(|| "malware".into());
            let points = if status == "offline" { 80 } else { 90 };
            o.factor(FactorName::UrlhausUrl, points, format!("URLhaus {threat}, {status}{fam}"));
        }
    }
    Ok(o)
}
