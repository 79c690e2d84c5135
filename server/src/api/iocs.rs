//! The feed: `GET /api/v1/iocs` (JSON, CSV, MISP, STIX 2.1 pages) and `GET /api/v1/feeds`.
use super::Shared;
use super::cache;
use super::config::{MAX_LIMIT, MAX_OFFSET};
use super::error::{ApiError, RequestId};
use super::export::{misp_attribute, record_uuid, stix_object, tlp_marking};
use super::lookup::{OldTechnique, parse_kind};
use super::params::{Params, json_response, percent_encode, query_pairs, truncate};
use crate::intel::hex;
use crate::store::{self, Category, Filters, Level, Row};
use crate::{sectors, time};
use anyhow::Result;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ioclens_core::IocKind;
use ioclens_core::query::tlp::Tlp;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::fmt::Write as _;

// ---------- the feed ----------

const IOCS_PARAMS: [&str; 12] = [
    "type",
    "confidence",
    "category",
    "industry",
    "sector",
    "since",
    "until",
    "limit",
    "offset",
    "cursor",
    "format",
    "page",
];

fn encode_cursor(c: (i64, i64)) -> String {
    hex(format!("{:x}.{:x}", c.0, c.1).as_bytes())
}

fn decode_cursor(s: &str) -> Option<(i64, i64)> {
    if !s.len().is_multiple_of(2) || s.len() > 80 {
        return None;
    }
    let bytes: Option<Vec<u8>> =
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect();
    let text = String::from_utf8(bytes?).ok()?;
    let (a, b) = text.split_once('.')?;
    Some((i64::from_str_radix(a, 16).ok()?, i64::from_str_radix(b, 16).ok()?))
}

/// One feed record on the wire (the record shape of docs/api.md), serialised straight from the row.
#[derive(serde::Serialize)]
struct RecordOut<'a> {
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    value: &'a str,
    confidence: &'static str,
    first_seen: String,
    last_seen: String,
    source: SourceOut<'a>,
    context: Option<&'a str>,
    threat_type: Option<&'a str>,
    malware_family: Option<&'a str>,
    sectors: Vec<&'static str>,
    tags: &'a [String],
    /// `{id, name}` as in the lookup answer (the catalogue's active id and name).
    mitre_techniques: Vec<OldTechnique<'static>>,
    /// `active`, or why the record is history only (`revoked`, `expired`, `not-for-detection`, `deleted`).
    status: &'static str,
    valid_until: Option<String>,
}

#[derive(serde::Serialize)]
struct SourceOut<'a> {
    feed_name: &'a str,
    category: &'static str,
    reference_url: Option<&'a str>,
    origin: &'a str,
}

fn record_out(r: &Row, now: i64) -> RecordOut<'_> {
    // Tag ids resolved through the core's ATT&CK catalogue (revoked → successor; unknown ids left out).
    let (techniques, _) = ioclens_core::score::evidence::record_techniques(&r.feed, &r.tags);
    RecordOut {
        id: record_uuid(&r.feed, r.kind, &r.value),
        kind: r.kind.as_str(),
        value: &r.value,
        confidence: r.confidence.as_str(),
        first_seen: time::format(r.first_seen),
        last_seen: time::format(r.last_seen),
        source: SourceOut {
            feed_name: &r.feed,
            category: r.category.as_str(),
            reference_url: r.reference_url.as_deref(),
            origin: &r.origin,
        },
        context: r.context.as_deref(),
        threat_type: r.threat_type.as_deref(),
        malware_family: r.malware_family.as_deref(),
        sectors: sectors::slugs(r.sectors),
        tags: &r.tags,
        mitre_techniques: techniques.into_iter().map(OldTechnique::from).collect(),
        status: r.evidence().status(now).as_str(),
        valid_until: r.valid_until.map(time::format),
    }
}

#[derive(serde::Serialize)]
struct PageOut<'a> {
    meta: Value,
    data: Vec<RecordOut<'a>>,
    links: Value,
}

#[expect(clippy::many_single_char_names, reason = "q/p/f: the query, its parameters, the filters")]
pub(super) async fn iocs(
    State(st): State<Shared>,
    axum::Extension(rid): axum::Extension<RequestId>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    let p = match Params::parse(&rid, q.as_deref(), &IOCS_PARAMS) {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let now = time::now();
    let bad = |m: String| ApiError::invalid(&rid, m).into_response();
    let mut f = Filters::default();
    match parse_kind(&rid, p.get("type")) {
        Ok(k) => f.kinds = k.unwrap_or_default(),
        Err(e) => return e.into_response(),
    }
    if let Some(c) = p.get("confidence") {
        match Level::parse(c) {
            Some(l) => f.confidence = Some(l),
            None => {
                return bad(format!(
                    "`confidence` must be low, medium or high, not `{}`",
                    truncate(c, 64)
                ));
            }
        }
    }
    if let Some(c) = p.get("category") {
        match Category::parse(c) {
            Some(c) => f.category = Some(c),
            None => {
                return bad(format!(
                    "`category` must be government, commercial or community, not `{}`",
                    truncate(c, 64)
                ));
            }
        }
    }
    let industry = p.get("industry").or_else(|| p.get("sector"));
    if let Some(s) = industry {
        match sectors::index(s) {
            Some(i) => f.sector = Some(i),
            None => {
                return bad(format!(
                    "unknown `industry` `{}` (one of: {})",
                    truncate(s, 64),
                    sectors::slugs_list()
                ));
            }
        }
    }
    for (name, slot) in [("since", &mut f.since), ("until", &mut f.until)] {
        if let Some(v) = p.get(name) {
            match time::parse_bound(v, now) {
                Some(t) => *slot = Some(t),
                None => {
                    return bad(format!(
                        "`{name}` must be an ISO 8601 time (2026-01-31T00:00:00Z) or a lookback (24h, 7d, 30d), not `{}`",
                        truncate(v, 64)
                    ));
                }
            }
        }
    }
    let int = |name: &str, default: i64, lo: i64, hi: i64| -> Result<i64, String> {
        match p.get(name) {
            None => Ok(default),
            Some(v) => match v.trim().parse::<i64>() {
                Ok(n) if (lo..=hi).contains(&n) => Ok(n),
                _ => Err(format!("`{name}` must be an integer from {lo} to {hi}")),
            },
        }
    };
    // A `limit` above the cap is served at the cap (`meta.limit` and `meta.limit_max` say so), not refused.
    let limit = match int("limit", 100, 1, i64::MAX) {
        Ok(v) => v.min(MAX_LIMIT),
        Err(m) => return bad(m),
    };
    let mut offset = match int("offset", 0, 0, MAX_OFFSET) {
        Ok(v) => v,
        Err(m) => return bad(m),
    };
    if p.get("page").is_some() {
        match int("page", 1, 1, MAX_OFFSET / limit + 1) {
            Ok(pg) if offset == 0 => offset = (pg - 1) * limit,
            Ok(_) => return bad("give `page` or `offset`, not both".to_owned()),
            Err(m) => return bad(m),
        }
    }
    let cursor = match p.get("cursor").filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => match decode_cursor(c) {
            Some(c) if offset == 0 => Some(c),
            Some(_) => return bad("give `cursor` or `offset`, not both".to_owned()),
            None => {
                return bad(
                    "`cursor` is not a cursor this server issued (use links.next as given)"
                        .to_owned(),
                );
            }
        },
    };
    let format = p.get("format").unwrap_or("json").to_ascii_lowercase();
    if !matches!(format.as_str(), "json" | "csv" | "txt" | "stix" | "misp") {
        return bad(format!(
            "`format` must be json, csv, txt, stix or misp, not `{}`",
            truncate(&format, 32)
        ));
    }
    let f2 = f.clone();
    let with_total = format == "json";
    // The page is read on a blocking thread, but only with one of the pool's connections: at most
    // `store_connections` such threads at a time, whatever the number of clients.
    let conn = match st.pool.get().await {
        Ok(c) => c,
        Err(e) => return ApiError::internal(&rid, &e).into_response(),
    };
    let res = tokio::task::spawn_blocking(move || -> Result<(store::Page, String)> {
        let page = store::page(&conn, &f2, cursor, offset, limit, with_total)?;
        Ok((page, store::feed_version(&conn)?))
    })
    .await;
    let (page, feed_version) = match res {
        Ok(Ok(v)) => v,
        Ok(Err(e)) => return ApiError::internal(&rid, &e).into_response(),
        Err(e) => {
            return ApiError::internal(&rid, &anyhow::anyhow!("query task failed: {e}"))
                .into_response();
        }
    };
    // links: the same query with the cursor replaced.
    let kept: Vec<String> = query_pairs(q.as_deref().unwrap_or(""))
        .into_iter()
        .filter(|(k, _)| k != "cursor" && k != "offset" && k != "page")
        .map(|(k, v)| format!("{}={}", percent_encode(&k), percent_encode(&v)))
        .collect();
    let self_link = match q.as_deref().filter(|q| !q.is_empty()) {
        Some(q) => format!("/api/v1/iocs?{q}"),
        None => "/api/v1/iocs".to_owned(),
    };
    let next_cursor = page.next.map(encode_cursor);
    let next_link = next_cursor.as_ref().map(|c| {
        let mut parts = kept.clone();
        parts.push(format!("cursor={c}"));
        format!("/api/v1/iocs?{}", parts.join("&"))
    });
    let etag = page_etag(&format, &self_link, &feed_version, &page, now);
    if cache::matches(&headers, &etag) {
        return p.tag(cache::not_modified(&etag, cache::PAGE));
    }
    let mut res = match format.as_str() {
        "csv" => {
            let mut out = String::from(
                "id,type,value,confidence,first_seen,last_seen,source_article,source_feed,category,tags\n",
            );
            for r in &page.rows {
                let cols = [
                    record_uuid(&r.feed, r.kind, &r.value),
                    r.kind.as_str().to_owned(),
                    r.value.clone(),
                    r.confidence.as_str().to_owned(),
                    time::format(r.first_seen),
                    time::format(r.last_seen),
                    r.reference_url.clone().unwrap_or_default(),
                    r.feed.clone(),
                    r.category.as_str().to_owned(),
                    r.tags.join(";"),
                ];
                // Quoted and defused against spreadsheet formulas (the core's one CSV writer).
                out.push_str(&ioclens_core::csv::record(cols.iter().map(String::as_str)));
                out.push('\n');
            }
            ([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], out).into_response()
        }
        "txt" => {
            let mut out = String::new();
            for r in &page.rows {
                out.push_str(&r.value.replace(['\n', '\r'], ""));
                out.push('\n');
            }
            ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], out).into_response()
        }
        "stix" => {
            let created = time::format(now);
            let mut objects: Vec<Value> = Vec::with_capacity(page.rows.len() + 1);
            let mut used: Vec<Tlp> = Vec::new();
            for (o, tlp) in page.rows.iter().filter_map(|r| stix_object(r, &created, now)) {
                if !used.contains(&tlp) {
                    used.push(tlp);
                }
                objects.push(o);
            }
            used.sort();
            objects.splice(0..0, used.into_iter().map(tlp_marking));
            let bundle_id = {
                let ids = page.rows.iter().fold(String::new(), |mut s, r| {
                    let _ = writeln!(s, "{}", r.id);
                    s
                });
                record_uuid("bundle", IocKind::Unknown, &format!("{self_link}\n{ids}"))
            };
            json_response(
                StatusCode::OK,
                &json!({"type": "bundle", "id": format!("bundle--{bundle_id}"), "objects": objects}),
            )
        }
        "misp" => {
            let attributes: Vec<Value> =
                page.rows.iter().filter_map(|r| misp_attribute(r, now)).collect();
            let ids = page.rows.iter().fold(String::new(), |mut s, r| {
                let _ = writeln!(s, "{}", r.id);
                s
            });
            let event_id =
                record_uuid("misp-event", IocKind::Unknown, &format!("{self_link}\n{ids}"));
            let stamp = time::format(now);
            json_response(
                StatusCode::OK,
                &json!({"Event": {
                    "uuid": event_id,
                    "info": format!("ioclens feed export ({self_link})"),
                    "date": stamp.get(..10).unwrap_or(&stamp),
                    "timestamp": now.to_string(),
                    "published": false,
                    "analysis": "2",
                    "threat_level_id": "4",
                    "distribution": "0",
                    "Orgc": {"name": "ioclens"},
                    "Attribute": attributes,
                }}),
            )
        }
        _ => {
            let filters = json!({
                "type": p.get("type").filter(|_| !f.kinds.is_empty()).map(|t| match &f.kinds[..] {
                    [one] => one.as_str().to_owned(),
                    _ => t.trim().to_ascii_lowercase(),
                }),
                "confidence": f.confidence.map(Level::as_str),
                "category": f.category.map(Category::as_str),
                "industry": f.sector.map(|i| sectors::SECTORS[i].0),
                "since": f.since.map(time::format),
                "until": f.until.map(time::format),
            });
            let data: Vec<RecordOut<'_>> = page.rows.iter().map(|r| record_out(r, now)).collect();
            let out = PageOut {
                meta: json!({
                    "total": page.total,
                    "total_exact": page.total.is_some_and(|t| t < store::TOTAL_CAP),
                    "count": data.len(),
                    "limit": limit,
                    "limit_max": MAX_LIMIT,
                    "offset": offset,
                    "next_cursor": next_cursor,
                    "generated_at": time::format(now),
                    "feed_version": feed_version,
                    "source": "ioclens",
                    "filters": filters,
                }),
                data,
                links: json!({"self": self_link, "next": next_link}),
            };
            (StatusCode::OK, axum::Json(out)).into_response()
        }
    };
    if let Some(next) = &next_link
        && let Ok(v) = HeaderValue::from_str(&format!("<{next}>; rel=\"next\""))
    {
        res.headers_mut().insert(header::LINK, v);
    }
    cache::tag(&mut res, &etag, cache::PAGE);
    p.tag(res)
}

/// A feed page's validator: a digest of what the page says, in every format: the server version (its
/// rendering), the format, the query (filters, cursor, limit), the feed version, the total and each record as
/// it is served (its status read at `now`, so a record that expires changes the tag). The clock stamps of the
/// body (`generated_at`, STIX `created`, the MISP timestamp) are left out, so the tag is weak (`W/`): two
/// answers with one tag say the same thing but are not byte for byte equal.
fn page_etag(
    format: &str,
    query: &str,
    feed_version: &str,
    page: &store::Page,
    now: i64,
) -> String {
    let mut h = Sha256::new();
    for part in [env!("CARGO_PKG_VERSION"), format, query, feed_version] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    h.update(page.total.unwrap_or(-1).to_le_bytes());
    if let Some((last_seen, id)) = page.next {
        h.update(last_seen.to_le_bytes());
        h.update(id.to_le_bytes());
    }
    for r in &page.rows {
        h.update(r.id.to_le_bytes());
        // Serialising our own record type into a hasher cannot fail.
        let _ = serde_json::to_writer(&mut h, &record_out(r, now));
        h.update([0]);
    }
    format!("W/\"{}\"", hex(&h.finalize()[..16]))
}

pub(super) async fn feeds(
    State(st): State<Shared>,
    axum::Extension(rid): axum::Extension<RequestId>,
    RawQuery(q): RawQuery,
) -> Response {
    let p = match Params::parse(&rid, q.as_deref(), &[]) {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let read = st.pool.get().await.and_then(|c| Ok((store::feeds(&c)?, store::feed_version(&c)?)));
    p.tag(match read {
        // The same `meta` as every other list answer (`count` as on `/api/v1/iocs`).
        Ok((f, feed_version)) => json_response(
            StatusCode::OK,
            &json!({"meta": {
                "count": f.len(),
                "generated_at": time::format(time::now()),
                "feed_version": feed_version,
                "source": "ioclens",
            }, "data": f}),
        ),
        Err(e) => ApiError::internal(&rid, &e).into_response(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let c = (1_800_000_000, 42);
        assert_eq!(decode_cursor(&encode_cursor(c)), Some(c));
        assert_eq!(decode_cursor("zz"), None);
        assert_eq!(decode_cursor(""), None);
        assert_eq!(decode_cursor("3132"), None);
    }
}
