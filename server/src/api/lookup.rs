//! `GET`/`POST /api/v1/lookup`: the core's enrichment package with the store's sightings as evidence.
use super::config::{MAX_BATCH, MAX_BODY};
use super::error::{ApiError, ErrorCode, RequestId};
use super::params::{Params, json_response, truncate};
use super::{Shared, providers};
use crate::normalize::{MAX_VALUE_LEN, normalize};
use crate::store::Backend;
use crate::store::{self, Row};
use crate::{sectors, time};
use anyhow::Result;
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ioclens_core::IocKind;
use ioclens_core::LookupOptions;
use ioclens_core::intel::pack::LoadedPack;
use serde_json::Value;

// ---------- lookup ----------

/// A `type` parameter: one type, or a family of types (`ip`, `hash`: the core's [`IocKind::family`]), as
/// the kinds it stands for.
pub(super) fn parse_kind(
    rid: &RequestId,
    t: Option<&str>,
) -> Result<Option<Vec<IocKind>>, ApiError> {
    let Some(t) = t.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if let Some(kinds) = IocKind::family(t) {
        return Ok(Some(kinds.to_vec()));
    }
    match IocKind::parse(t) {
        Some(IocKind::Unknown) | None => {
            let names: Vec<&str> = IocKind::ALL
                .iter()
                .filter(|k| **k != IocKind::Unknown)
                .map(|k| k.as_str())
                .collect();
            Err(ApiError::invalid(
                rid,
                format!(
                    "unknown type `{}` ({}, or a family: ip, hash)",
                    truncate(t, 64),
                    names.join(", ")
                ),
            ))
        }
        Some(k) => Ok(Some(vec![k])),
    }
}

/// The one type a lookup is forced to: the type named, or, for a family, the detected type when it is one of
/// the family's (else why not).
fn forced_kind(input: &str, kinds: Option<&[IocKind]>) -> Result<Option<IocKind>, String> {
    match kinds {
        None => Ok(None),
        Some([one]) => Ok(Some(*one)),
        Some(family) => {
            let detected = ioclens_core::classify(input).kind;
            if family.contains(&detected) {
                Ok(Some(detected))
            } else {
                let names: Vec<&str> = family.iter().map(|k| k.as_str()).collect();
                Err(format!("not one of {} (detected: {detected})", names.join(", ")))
            }
        }
    }
}

/// A value the lookup refuses: over-long, or contradicting a forced type. (A value that is not an indicator is
/// answered, typed `unknown`.)
fn check_value(input: &str, forced: Option<IocKind>) -> Result<(), String> {
    if input.len() > MAX_VALUE_LEN {
        return Err(format!("value is longer than {MAX_VALUE_LEN} bytes"));
    }
    match forced {
        Some(kind) => normalize(input, Some(kind)).map(|_| ()),
        None => Ok(()),
    }
}

/// The lookup answer for one value: the core's enrichment package (`ioclens_core::lookup`, as the core
/// serialises it) with the store's sightings passed in as evidence records, so the core scores them by the same
/// rules as its embedded intel (the server computes no score); plus the sightings themselves; the envelope
/// `{meta, data}` plus the older flat fields.
fn lookup_one(
    conn: &dyn Backend,
    pack: Option<&LoadedPack>,
    input: &str,
    forced: Option<IocKind>,
    now: i64,
) -> Result<LookupOut> {
    // The canonical value keys the store; `lookup` classifies the same way (a forced type that does not fit
    // falls back to detection there too).
    let c = forced
        .and_then(|k| ioclens_core::classify_as(input, k).ok())
        .unwrap_or_else(|| ioclens_core::classify(input));
    let (rows, feed_version) = if c.kind == IocKind::Unknown {
        (Vec::new(), store::feed_version(conn)?)
    } else {
        store::lookup(conn, c.kind, &c.canonical, c.facts.ip.as_ref().and_then(|i| i.port))?
    };
    let opts = LookupOptions {
        kind: forced,
        evidence: rows.iter().map(Row::evidence).collect(),
        ..LookupOptions::default()
    };
    let core = ioclens_core::lookup_with(input, &opts, pack.map(LoadedPack::pack).as_ref(), now);
    let sources: Vec<SourceHit> = rows
        .iter()
        .zip(&opts.evidence)
        .map(|(r, e)| SourceHit {
            source_feed: r.feed.clone(),
            source_category: r.category.as_str(),
            reference_url: r.reference_url.clone(),
            first_seen: time::format(r.first_seen),
            last_seen: time::format(r.last_seen),
            occurrence_count: r.occurrences,
            confidence: r.confidence.as_str(),
            context: r.context.clone(),
            sectors: sectors::slugs(r.sectors),
            status: e.status(now).as_str(),
            valid_until: r.valid_until.map(time::format),
        })
        .collect();
    Ok(LookupOut {
        meta: Meta { generated_at: time::format(now), feed_version, source: "ioclens" },
        data: LookupData {
            input: input.trim().to_owned(),
            defanged: core.classification.defanged,
            first_seen: rows.iter().map(|r| r.first_seen).min().map(time::format),
            last_seen: rows.iter().map(|r| r.last_seen).max().map(time::format),
            total_occurrences: rows.iter().map(|r| r.occurrences).sum(),
            reporting_sources: rows.len(),
            threat_type: rows.iter().find_map(|r| r.threat_type.clone()),
            sources,
            core,
        },
    })
}

/// `meta` of the lookup envelope.
#[derive(serde::Serialize)]
struct Meta {
    generated_at: String,
    feed_version: String,
    source: &'static str,
}

/// `data`: the core's package (flattened, as the core serialises it) plus the store's fields.
#[derive(serde::Serialize)]
struct LookupData {
    #[serde(flatten)]
    core: ioclens_core::LookupResponse,
    input: String,
    defanged: bool,
    first_seen: Option<String>,
    last_seen: Option<String>,
    total_occurrences: i64,
    reporting_sources: usize,
    threat_type: Option<String>,
    sources: Vec<SourceHit>,
}

#[derive(serde::Serialize)]
struct SourceHit {
    source_feed: String,
    source_category: &'static str,
    reference_url: Option<String>,
    first_seen: String,
    last_seen: String,
    occurrence_count: i64,
    confidence: &'static str,
    context: Option<String>,
    sectors: Vec<&'static str>,
    /// `active`, or why the record is history only (`revoked`, `expired`, `not-for-detection`, `deleted`).
    status: &'static str,
    valid_until: Option<String>,
}

/// A technique on the wire, in every answer that carries techniques: `{id, name}`.
#[derive(serde::Serialize)]
pub(super) struct OldTechnique<'a> {
    id: std::borrow::Cow<'a, str>,
    name: std::borrow::Cow<'a, str>,
}

impl From<ioclens_core::attack::ResolvedTechnique> for OldTechnique<'static> {
    fn from(t: ioclens_core::attack::ResolvedTechnique) -> Self {
        Self { id: t.id.into(), name: t.name.into() }
    }
}

#[derive(serde::Serialize)]
struct OldHunting<'a> {
    splunk: Option<&'a str>,
    kql: Option<&'a str>,
}

#[derive(serde::Serialize)]
struct OldSource<'a> {
    feed_name: &'a str,
    category: &'static str,
}

/// The lookup answer: the newer envelope `{meta, data}` plus the older flat fields (docs/api.md), so clients of the
/// first API version work unchanged. The flat fields are written from `data` while serialising (no copies of
/// the hunting queries).
struct LookupOut {
    meta: Meta,
    data: LookupData,
}

/// `None` for an empty query (the type has none), as the older shape has it.
fn non_empty(q: &str) -> Option<&str> {
    Some(q).filter(|q| !q.is_empty())
}

impl serde::Serialize for LookupOut {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        let core = &self.data.core;
        let mut m = s.serialize_struct("LookupOut", 10)?;
        m.serialize_field("meta", &self.meta)?;
        m.serialize_field("data", &self.data)?;
        m.serialize_field("found", &core.found)?;
        m.serialize_field("value", &core.ioc_value)?;
        m.serialize_field("type", core.ioc_type.as_str())?;
        m.serialize_field("risk_score", core.risk.level.legacy_str())?;
        m.serialize_field("confidence", &core.confidence)?;
        let techniques: Vec<OldTechnique<'_>> = core
            .mitre_techniques
            .iter()
            .map(|t| OldTechnique { id: t.id.as_str().into(), name: t.name.as_str().into() })
            .collect();
        m.serialize_field("mitre_techniques", &techniques)?;
        m.serialize_field(
            "hunting_queries",
            &OldHunting {
                splunk: non_empty(&core.hunting.splunk_query),
                kql: non_empty(&core.hunting.kql_query),
            },
        )?;
        let sources: Vec<OldSource<'_>> = self
            .data
            .sources
            .iter()
            .map(|x| OldSource { feed_name: &x.source_feed, category: x.source_category })
            .collect();
        m.serialize_field("sources", &sources)?;
        m.end()
    }
}

pub(super) async fn lookup_get(
    State(st): State<Shared>,
    axum::Extension(rid): axum::Extension<RequestId>,
    RawQuery(q): RawQuery,
) -> Response {
    let p = match Params::parse(&rid, q.as_deref(), &["ioc", "value", "type", "providers"]) {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let input = match (p.get("ioc"), p.get("value")) {
        (Some(a), Some(b)) if a != b => {
            return ApiError::invalid(&rid, "give `ioc` or `value`, not two different values")
                .into_response();
        }
        (Some(v), _) | (None, Some(v)) if !v.trim().is_empty() => v.to_owned(),
        _ => {
            return ApiError::invalid(&rid, "missing `ioc` (or `value`): the indicator to look up")
                .into_response();
        }
    };
    let forced = match parse_kind(&rid, p.get("type")).map(|k| forced_kind(&input, k.as_deref())) {
        Ok(Ok(k)) => k,
        Ok(Err(msg)) => return ApiError::invalid(&rid, format!("`ioc`: {msg}")).into_response(),
        Err(e) => return e.into_response(),
    };
    if let Err(msg) = check_value(&input, forced) {
        return ApiError::invalid(&rid, format!("`ioc`: {msg}")).into_response();
    }
    let conn = match st.pool.get().await {
        Ok(c) => c,
        Err(e) => return ApiError::internal(&rid, &e).into_response(),
    };
    let ids = match p.get("providers").map(ioclens_core::providers::ProviderId::parse_list) {
        None => Vec::new(),
        Some(Ok(ids)) => ids,
        Some(Err(msg)) => {
            return ApiError::invalid(&rid, format!("`providers`: {msg}")).into_response();
        }
    };
    let pack = st.intel.as_ref().and_then(|l| l.current());
    let now = time::now();
    p.tag(match lookup_one(&conn, pack.as_deref(), &input, forced, now) {
        Ok(mut v) => {
            if !ids.is_empty() {
                let pending = providers::plan(&st.providers, &conn, &v.data.core, ids, now);
                let sent = providers::send(&st.providers, pending).await;
                providers::finish(&conn, &mut v.data.core, sent, now);
            }
            json_response(StatusCode::OK, &v)
        }
        Err(e) => ApiError::internal(&rid, &e).into_response(),
    })
}

pub(super) async fn lookup_post(
    State(st): State<Shared>,
    axum::Extension(rid): axum::Extension<RequestId>,
    RawQuery(q): RawQuery,
    body: Body,
) -> Response {
    let params = match Params::parse(&rid, q.as_deref(), &[]) {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    // Read a little past the limit so a client that sends a too-large body still gets its 400 rather than a
    // connection closed mid-upload (only authenticated requests get here).
    // The whole body within the idle timeout: a client trickling a byte at a time does not hold a connection.
    let read =
        tokio::time::timeout(st.limits.idle_timeout, axum::body::to_bytes(body, MAX_BODY * 4));
    let bytes = match read.await {
        Err(_) => {
            return ApiError::invalid(
                &rid,
                format!("request body not received within {}s", st.limits.idle_timeout.as_secs()),
            )
            .into_response();
        }
        Ok(Ok(b)) if b.len() <= MAX_BODY => b,
        _ => {
            return ApiError::invalid(&rid, format!("request body larger than {MAX_BODY} bytes"))
                .into_response();
        }
    };
    let v: Value = match serde_json::from_slice(&bytes) {
        Ok(v) => v,
        Err(e) => return ApiError::invalid(&rid, format!("body is not JSON: {e}")).into_response(),
    };
    let items = match &v {
        Value::Array(a) => a,
        Value::Object(o) => match o.get("iocs").or_else(|| o.get("values")) {
            Some(Value::Array(a)) => a,
            _ => {
                return ApiError::invalid(&rid, "body must be a JSON array or `{\"iocs\": [...]}`")
                    .into_response();
            }
        },
        _ => {
            return ApiError::invalid(&rid, "body must be a JSON array or `{\"iocs\": [...]}`")
                .into_response();
        }
    };
    if items.is_empty() || items.len() > MAX_BATCH {
        return ApiError::invalid(
            &rid,
            format!("give 1 to {MAX_BATCH} values (got {})", items.len()),
        )
        .into_response();
    }
    let conn = match st.pool.get().await {
        Ok(c) => c,
        Err(e) => return ApiError::internal(&rid, &e).into_response(),
    };
    let now = time::now();
    let pack = st.intel.as_ref().and_then(|l| l.current());
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let (value, ty) = match item {
            Value::String(s) => (Some(s.as_str()), None),
            Value::Object(o) => (
                o.get("ioc").or_else(|| o.get("value")).and_then(Value::as_str),
                o.get("type").and_then(Value::as_str),
            ),
            _ => (None, None),
        };
        let answer = match value {
            None => {
                Err("each item must be a string or {\"ioc\": \"…\", \"type\": \"…\"}".to_owned())
            }
            Some(v) => match parse_kind(&rid, ty) {
                Err(e) => Err(e.message),
                Ok(kinds) => forced_kind(v, kinds.as_deref())
                    .and_then(|forced| check_value(v, forced).map(|()| (forced, v))),
            },
        };
        let entry = match answer {
            Ok((forced, v)) => match lookup_one(&conn, pack.as_deref(), v, forced, now) {
                Ok(res) => BatchItem::Found { input: v, ok: true, data: Box::new(res.data) },
                Err(e) => return ApiError::internal(&rid, &e).into_response(),
            },
            Err(message) => BatchItem::Refused {
                input: value.map_or(item.clone(), |s| Value::String(truncate(s, 256))),
                ok: false,
                error: ItemError { code: ErrorCode::InvalidParameter, message },
            },
        };
        out.push(entry);
    }
    params.tag(match store::feed_version(&conn) {
        Ok(feed_version) => json_response(
            StatusCode::OK,
            &BatchOut {
                meta: Meta { generated_at: time::format(now), feed_version, source: "ioclens" },
                data: out,
            },
        ),
        Err(e) => ApiError::internal(&rid, &e).into_response(),
    })
}

/// `POST /api/v1/lookup`: one answer per item, in input order (typed, so a 1,000-item batch is serialised
/// once rather than through a `serde_json::Value` per item).
#[derive(serde::Serialize)]
struct BatchOut<'a> {
    meta: Meta,
    data: Vec<BatchItem<'a>>,
}

#[derive(serde::Serialize)]
#[serde(untagged)]
enum BatchItem<'a> {
    Found { input: &'a str, ok: bool, data: Box<LookupData> },
    Refused { input: Value, ok: bool, error: ItemError },
}

#[derive(serde::Serialize)]
struct ItemError {
    code: ErrorCode,
    message: String,
}
