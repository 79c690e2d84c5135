//! Feed records in the formats other tools read: deterministic record UUIDs, MISP attributes, STIX 2.1
//! objects with their TLP 2.0 markings (all policy from the core).
use crate::intel::hex;
use crate::store::Row;
use crate::time;
use ioclens_core::IocKind;
use ioclens_core::query::QueryOptions;
use ioclens_core::query::tlp::{TLP_CREATED, TLP_EXTENSION, Tlp, tlp_of_tags};
use ioclens_core::score::EvidenceStatus;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// Deterministic record UUID (RFC 9562 version 8) from feed, type and value: re-exports do not churn.
pub fn record_uuid(feed: &str, kind: IocKind, value: &str) -> String {
    let mut h = Sha256::new();
    h.update(feed.as_bytes());
    h.update([0]);
    h.update(kind.as_str().as_bytes());
    h.update([0]);
    h.update(value.as_bytes());
    let mut b: [u8; 32] = h.finalize().into();
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let x = hex(&b[..16]);
    format!("{}-{}-{}-{}-{}", &x[..8], &x[8..12], &x[12..16], &x[16..20], &x[20..32])
}

/// One record as a MISP attribute: the type, category and `to_ids` the core assigns (`ioclens_core::misp`);
/// an ended record (revoked, expired, not for detection) goes out with `to_ids: false`.
pub(super) fn misp_attribute(r: &Row, now: i64) -> Option<Value> {
    let m = ioclens_core::misp::attribute_type(r.kind)?;
    let active = r.evidence().status(now) == ioclens_core::score::EvidenceStatus::Active;
    let mut tags: Vec<Value> = r.tags.iter().map(|t| json!({"name": t})).collect();
    tags.push(json!({"name": format!("ioclens:feed=\"{}\"", r.feed)}));
    Some(json!({
        "uuid": record_uuid(&r.feed, r.kind, &r.value),
        "type": m.attr_type,
        "category": m.category,
        "value": r.value,
        "to_ids": ioclens_core::misp::to_ids(r.kind, active),
        "comment": r.context.as_deref().unwrap_or(""),
        "timestamp": r.last_seen.to_string(),
        "first_seen": time::format(r.first_seen),
        "last_seen": time::format(r.last_seen),
        "Tag": tags,
    }))
}

/// One record as a STIX 2.1 object: an indicator whose pattern is the core's STIX writer's
/// (`ioclens_core::query::stix_for`, a CIDR as `ISSUBSET`), or a vulnerability for a CVE; marked with the TLP 2.0
/// level its tags ask for (`TLP:CLEAR` by default). Ended records carry `revoked` / `valid_until`.
pub(super) fn stix_object(r: &Row, created: &str, now: i64) -> Option<(Value, Tlp)> {
    let id = record_uuid(&r.feed, r.kind, &r.value);
    let tlp = tlp_of_tags(&r.tags);
    if r.kind == IocKind::Cve {
        let o = json!({
            "type": "vulnerability", "spec_version": "2.1", "id": format!("vulnerability--{id}"),
            "created": created, "modified": created, "name": r.value,
            "external_references": [{"source_name": "cve", "external_id": r.value}],
            "object_marking_refs": [tlp.id],
        });
        return Some((o, tlp));
    }
    let pattern = ioclens_core::query::stix_for(r.kind, &r.value, &QueryOptions::default()).ok()?;
    let mut o = json!({
        "type": "indicator", "spec_version": "2.1", "id": format!("indicator--{id}"),
        "created": time::format(r.first_seen), "modified": time::format(r.last_seen),
        "name": r.value, "pattern": pattern, "pattern_type": "stix",
        "valid_from": time::format(r.first_seen), "confidence": r.confidence.stix(),
        "indicator_types": ["malicious-activity"],
        "object_marking_refs": [tlp.id],
    });
    if let Some(obj) = o.as_object_mut() {
        if !r.tags.is_empty() {
            obj.insert("labels".into(), json!(r.tags));
        }
        if let Some(c) = &r.context {
            obj.insert("description".into(), json!(c));
        }
        if let Some(u) = &r.reference_url {
            obj.insert("external_references".into(), json!([{"source_name": r.feed, "url": u}]));
        }
        // STIX requires valid_until after valid_from.
        if let Some(v) = r.valid_until.filter(|v| *v > r.first_seen) {
            obj.insert("valid_until".into(), json!(time::format(v)));
        }
        let status = r.evidence().status(now);
        if matches!(status, EvidenceStatus::Revoked | EvidenceStatus::Deleted) {
            obj.insert("revoked".into(), json!(true));
        }
    }
    Some((o, tlp))
}

/// The TLP 2.0 marking-definition object (OASIS TLP 2.0 extension) a bundle carries for each level it uses.
pub(super) fn tlp_marking(t: Tlp) -> Value {
    json!({
        "type": "marking-definition", "spec_version": "2.1", "id": t.id,
        "created": TLP_CREATED, "name": t.name,
        "extensions": {TLP_EXTENSION: {"extension_type": "property-extension", "tlp_2_0": t.level}},
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_deterministic_v8() {
        let a = record_uuid("f", IocKind::Domain, "evil.example");
        assert_eq!(a, record_uuid("f", IocKind::Domain, "evil.example"));
        assert_ne!(a, record_uuid("g", IocKind::Domain, "evil.example"));
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "8");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"));
    }
}
