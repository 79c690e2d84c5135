//! `AlienVault` OTX: `GET /api/v1/indicators/{IPv4,IPv6,domain,url,file,cve}/{value}/general`, key in header
//! `X-OTX-API-KEY`. Reads `pulse_info.count` and `pulse_info.pulses[].{name, tags, malware_families, attack_ids}`.
//!
//! Scoring: pulses are community reports, of uneven quality (popular resolvers sit in many), so they raise a
//! score to at most 60 and never settle a verdict: 1 pulse → 35, + 5 per further pulse. Families and ATT&CK ids
//! are kept (the ids resolve through the embedded catalogue). No pulse → not found.
use super::{ProviderId, ProviderOutcome, ProviderRequest, ProviderStatus, enc, get, int, text};
use crate::IocKind;
use crate::score::FactorName;
use serde_json::Value;

pub(super) fn request(base: &str, value: &str, kind: IocKind) -> Option<ProviderRequest> {
    let section = match kind {
        IocKind::Ipv4 => "IPv4",
        IocKind::Ipv6 => "IPv6",
        IocKind::Domain => "domain",
        IocKind::Url => "url",
        IocKind::Md5 | IocKind::Sha1 | IocKind::Sha256 => "file",
        IocKind::Cve => "cve",
        _ => return None,
    };
    Some(get(
        ProviderId::Otx,
        base,
        &format!("/api/v1/indicators/{section}/{}/general", enc(value)),
    ))
}

/// A family or ATT&CK entry: a string, or an object with `display_name`/`id`.
fn names(v: Option<&Value>, keys: &[&str]) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| match x {
                    Value::String(s) => Some(s.trim().to_owned()),
                    Value::Object(_) => keys.iter().find_map(|k| text(x, k)),
                    _ => None,
                })
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

pub(super) fn parse(doc: &Value) -> Result<ProviderOutcome, String> {
    let info =
        doc.get("pulse_info").filter(|d| d.is_object()).ok_or("no pulse_info in the answer")?;
    let count = int(info, "count").unwrap_or(0).max(0);
    let mut o = ProviderOutcome::new(ProviderId::Otx, ProviderStatus::Found);
    if count == 0 {
        o.status = ProviderStatus::NotFound;
        o.factor(FactorName::OtxNoPulses, 0, "in no OTX pulse (not found is not safe)".into());
        return Ok(o);
    }
    let pulses =
        info.get("pulses").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    for p in pulses {
        for f in names(p.get("malware_families"), &["display_name", "id"]) {
            if o.family.is_none() {
                o.family = Some(f);
            }
        }
        for t in names(p.get("attack_ids"), &["id", "display_name"]) {
            if !o.techniques.contains(&t) {
                o.techniques.push(t);
            }
        }
        for t in super::strings(p.get("tags")).iter().take(5) {
            o.tag(&t.to_ascii_lowercase());
        }
    }
    o.tags.truncate(10);
    let points = (35 + 5 * (count.min(6) as i32 - 1)).min(60);
    let first = pulses
        .first()
        .and_then(|p| text(p, "name"))
        .map(|n| format!(", e.g. \"{n}\""))
        .unwrap_or_default();
    o.factor(FactorName::OtxPulses, points, format!("in {count} OTX pulses{first}"));
    Ok(o)
}
