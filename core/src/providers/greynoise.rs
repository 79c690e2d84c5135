//! `GreyNoise` Community API: `GET /v3/community/{ip}`, key in header `key` (optional). Reads `noise`, `riot`,
//! `classification` (`benign` / `malicious` / `unknown`), `name`; 404 when never seen.
//!
//! Scoring: `RIOT` (a known business service: CDN, resolver, software service) → −30, benign infrastructure, `benign` verdict;
//! classification `malicious` → 70 (a scanner seen attacking); `benign` → −20 (a known benign scanner);
//! noise of unknown intent → 20, tag `scanner`.
use super::{ProviderId, ProviderOutcome, ProviderRequest, ProviderStatus, enc, get, text};
use crate::IocKind;
use crate::score::FactorName;
use crate::score::Verdict;
use serde_json::Value;

pub(super) fn request(base: &str, value: &str, kind: IocKind) -> Option<ProviderRequest> {
    (kind == IocKind::Ipv4)
        .then(|| get(ProviderId::Greynoise, base, &format!("/v3/community/{}", enc(value))))
}

pub(super) fn parse(doc: &Value) -> Result<ProviderOutcome, String> {
    let flag = |k: &str| doc.get(k).and_then(Value::as_bool);
    let (noise, riot) = (flag("noise"), flag("riot"));
    if noise.is_none() && riot.is_none() {
        return Err("no noise/riot in the answer".into());
    }
    let class = text(doc, "classification").unwrap_or_else(|| "unknown".into());
    let name =
        text(doc, "name").filter(|n| n != "unknown").map(|n| format!(" ({n})")).unwrap_or_default();
    let mut o = ProviderOutcome::new(ProviderId::Greynoise, ProviderStatus::Found);
    if riot == Some(true) {
        o.factor(FactorName::GreynoiseRiot, -30, format!("benign business infrastructure{name}"));
        o.tag("benign-infrastructure");
        o.verdict = Some(Verdict::Benign);
    } else if class == "malicious" {
        o.factor(
            FactorName::GreynoiseMalicious,
            70,
            format!("scanning the internet, classified malicious{name}"),
        );
        o.tag("scanner");
    } else if class == "benign" {
        o.factor(FactorName::GreynoiseBenign, -20, format!("a known benign scanner{name}"));
        o.tag("scanner");
    } else if noise == Some(true) {
        o.factor(
            FactorName::GreynoiseNoise,
            20,
            format!("scanning the internet, intent unknown{name}"),
        );
        o.tag("scanner");
    } else {
        o.status = ProviderStatus::NotFound;
        o.factor(
            FactorName::GreynoiseNotSeen,
            0,
            "not seen scanning (not found is not safe)".into(),
        );
    }
    Ok(o)
}
