//! TAXII 2.1 server (read-only), so a TAXII client (Microsoft Sentinel's TAXII data connector, `OpenCTI`, MISP,
//! OASIS's `taxii2-client`) can subscribe to the store's feeds: discovery at `/taxii2/`, one API root
//! `/taxii2/ioclens/`, one collection per feed plus `all`, and per collection `objects/` (envelope, `added_after`,
//! `limit`, `next`, `match[type|id|version|spec_version]`), `objects/{id}/`, `objects/{id}/versions/` and
//! `manifest/`. docs/api.md, "TAXII 2.1".
//!
//! The objects are the feed export's STIX objects ([`super::stix_object`]: the core's STIX patterns, TLP 2.0
//! markings, `revoked` / `valid_until` for ended evidence) plus the five TLP 2.0 marking definitions. An object's
//! `date_added` is when its feed was last ingested: a re-ingest serves the feed again (a client that resumes with
//! `added_after` never misses a change; unchanged objects come back with the same `modified`, a version it has).
//! Paging is a keyset on `(date_added, feed, row)`, so `next` never expires and the same filters give the same
//! pages. Keys are the API's (`Authorization: Basic` with the key as the password, `Bearer`, `X-API-Key`).
use super::error::ErrorCode;
use super::{
    ApiError, Params, RequestId, Shared, hex, record_uuid, stix_object, tlp_marking, truncate,
};
use crate::store::{self, Row};
use crate::time;
use axum::Router;
use axum::extract::{RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use ioclens_core::IocKind;
use ioclens_core::query::tlp::{TLP_CREATED, TLP_LEVELS};
use serde_json::{Value, json};

/// The TAXII 2.1 media type of every answer.
pub const TAXII: &str = "application/taxii+json;version=2.1";
/// The STIX 2.1 media type of the objects.
pub const STIX: &str = "application/stix+json;version=2.1";
/// The one API root's path.
pub const API_ROOT: &str = "/taxii2/ioclens/";
/// Default page size of `objects/` and `manifest/`.
const DEFAULT_LIMIT: usize = 100;
/// Parameters of `objects/` and `manifest/`.
const PAGE_PARAMS: [&str; 7] = [
    "added_after",
    "limit",
    "next",
    "match[type]",
    "match[id]",
    "match[version]",
    "match[spec_version]",
];

/// The TAXII routes (under the API's gate: same keys, rate limits, limits).
pub(super) fn routes() -> Router<Shared> {
    Router::new()
        .route("/taxii2", get(taxii))
        .route("/taxii2/", get(taxii))
        .route("/taxii2/{*rest}", get(taxii))
}

/// Whether a path is under `/taxii2` (authenticated, TAXII error shape).
pub(super) fn is_taxii(path: &str) -> bool {
    path == "/taxii2" || path.starts_with("/taxii2/")
}

/// A collection's id: a UUID (RFC 9562 version 8) derived from the feed name, stable across restarts and
/// re-ingests; `all` (every feed) derives from the empty name, which no feed can have.
pub fn collection_id(feed: Option<&str>) -> String {
    record_uuid("taxii-collection", IocKind::Unknown, feed.unwrap_or(""))
}

/// A TAXII error message resource with its status, in the TAXII media type.
fn error(rid: &RequestId, status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({
        "title": message,
        "error_id": rid.0,
        "error_code": code,
        "http_status": status.as_u16().to_string(),
    });
    let mut res = (status, [(header::CONTENT_TYPE, TAXII)], body.to_string()).into_response();
    if status == StatusCode::UNAUTHORIZED {
        res.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"ioclens TAXII\", charset=\"UTF-8\""),
        );
    }
    res
}

/// Rewrites the API's JSON error envelope (answers of the gate: 401, 403, 421, 429, 503 …) into the TAXII
/// error message resource under `/taxii2`, keeping the status and headers (`Retry-After`, the request id).
pub(super) async fn error_shape(req: Request, next: Next) -> Response {
    let taxii = is_taxii(req.uri().path());
    let res = next.run(req).await;
    let json_error = res.status().as_u16() >= 400
        && res.headers().get(header::CONTENT_TYPE).is_some_and(|v| v == "application/json");
    if !taxii || !json_error {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024).await.unwrap_or_default();
    let v: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    let e = &v["error"];
    let rid = RequestId(e["request_id"].as_str().unwrap_or("").to_owned());
    let fresh = error(
        &rid,
        parts.status,
        e["code"].as_str().unwrap_or("error"),
        e["message"].as_str().unwrap_or("error"),
    );
    let (fresh_parts, fresh_body) = fresh.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.extend(fresh_parts.headers);
    Response::from_parts(parts, fresh_body)
}

/// Whether the `Accept` header allows the TAXII 2.1 media type (absent, `*/*`, `application/*`,
/// `application/taxii+json` without a version or with 2.1, or `application/json`).
fn acceptable(headers: &HeaderMap) -> bool {
    let Some(accept) = headers.get(header::ACCEPT) else { return true };
    let Ok(accept) = accept.to_str() else { return false };
    accept.split(',').any(|range| {
        let mut parts = range.split(';').map(str::trim);
        let media = parts.next().unwrap_or("").to_ascii_lowercase();
        let mut version = None;
        let mut refused = false;
        for p in parts {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            let v = v.trim().trim_matches('"');
            match k.trim().to_ascii_lowercase().as_str() {
                "version" => version = Some(v.to_owned()),
                "q" => refused = v.parse::<f32>().is_ok_and(|q| q <= 0.0),
                _ => {}
            }
        }
        !refused
            && match media.as_str() {
                "*/*" | "application/*" | "application/json" => true,
                "application/taxii+json" => version.is_none_or(|v| v == "2.1"),
                _ => false,
            }
    })
}

/// A TAXII answer: the resource in the TAXII media type.
fn ok(body: &Value) -> Response {
    (StatusCode::OK, [(header::CONTENT_TYPE, TAXII)], body.to_string()).into_response()
}

/// A TAXII timestamp (millisecond precision, `Z`).
fn timestamp(secs: i64) -> String {
    let s = time::format(secs);
    format!("{}.000Z", s.trim_end_matches('Z'))
}

/// Every `GET` under `/taxii2`: the path picks the resource.
async fn taxii(
    State(st): State<Shared>,
    axum::Extension(rid): axum::Extension<RequestId>,
    headers: HeaderMap,
    uri: axum::http::Uri,
    RawQuery(q): RawQuery,
) -> Response {
    if !acceptable(&headers) {
        return error(
            &rid,
            StatusCode::NOT_ACCEPTABLE,
            "not_acceptable",
            &format!("this server answers `{TAXII}` only (send it in `Accept`)"),
        );
    }
    let path = uri.path();
    let rest = path.strip_prefix("/taxii2").unwrap_or("").trim_start_matches('/');
    let segs: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let root = API_ROOT.trim_matches('/').trim_start_matches("taxii2/");
    let not_found =
        |what: &str| error(&rid, StatusCode::NOT_FOUND, ErrorCode::NotFound.as_str(), what);
    let params = |allowed: &[&str]| Params::parse_strict(&rid, q.as_deref(), allowed);
    if segs.first().is_some_and(|s| *s != root) {
        return not_found(&format!(
            "no API root `{}` (this server has one: {API_ROOT})",
            truncate(segs[0], 100)
        ));
    }
    let p = match segs.len() {
        0..=3 => params(&[]),
        _ => params(&PAGE_PARAMS),
    };
    let p = match p {
        Ok(p) => p,
        Err(e) => return error(&rid, e.status, e.code.as_str(), &e.message),
    };
    match segs[..] {
        [] => ok(&json!({
            "title": "ioclens",
            "description": "ioclens IOC feeds over TAXII 2.1 (read-only)",
            "default": API_ROOT,
            "api_roots": [API_ROOT],
        })),
        [_] => ok(&json!({
            "title": "ioclens",
            "description": "one collection per feed, plus `all`",
            "versions": [TAXII],
            "max_content_length": super::MAX_BODY,
        })),
        [_, "collections"] => match collections(&st).await {
            Ok(c) => ok(&json!({"collections": c})),
            Err(e) => internal(&rid, &e),
        },
        [_, "collections", id, ref tail @ ..] => {
            let feeds = match collections(&st).await {
                Ok(c) => c,
                Err(e) => return internal(&rid, &e),
            };
            let Some(c) = feeds.into_iter().find(|c| c["id"] == *id) else {
                return not_found(&format!(
                    "no collection `{}` (the list is at {API_ROOT}collections/)",
                    truncate(id, 100)
                ));
            };
            let feed = c["ioclens_feed"].as_i64();
            match tail {
                [] => ok(&c),
                ["objects"] => page(&st, &rid, &p, feed, None, Shape::Objects).await,
                ["manifest"] => page(&st, &rid, &p, feed, None, Shape::Manifest).await,
                ["objects", oid] => page(&st, &rid, &p, feed, Some(oid), Shape::Objects).await,
                ["objects", oid, "versions"] => {
                    page(&st, &rid, &p, feed, Some(oid), Shape::Versions).await
                }
                _ => not_found(&format!("no such TAXII resource `{}`", truncate(path, 200))),
            }
        }
        _ => not_found(&format!("no such TAXII resource `{}`", truncate(path, 200))),
    }
}

fn internal(rid: &RequestId, e: &anyhow::Error) -> Response {
    let e = ApiError::internal(rid, e);
    let mut res = error(rid, e.status, e.code.as_str(), &e.message);
    if let Some(s) = e.retry_after {
        res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(s));
    }
    res
}

/// The collection resources: `all` first, then one per feed by name. `ioclens_feed` (the feed's row id, `null`
/// for `all`) is an extension property the routes read (TAXII allows custom properties).
async fn collections(st: &Shared) -> anyhow::Result<Vec<Value>> {
    let conn = st.pool.get().await?;
    let mut out = vec![json!({
        "id": collection_id(None), "title": "all",
        "description": "every feed of this server",
        "can_read": true, "can_write": false, "media_types": [STIX], "ioclens_feed": null,
    })];
    for (id, name, records) in conn.collections()? {
        out.push(json!({
            "id": collection_id(Some(&name)), "title": name,
            "description": format!("ioclens feed `{name}` ({records} indicators)"),
            "can_read": true, "can_write": false, "media_types": [STIX], "ioclens_feed": id,
        }));
    }
    Ok(out)
}

/// What a page lists.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    Objects,
    Manifest,
    Versions,
}

/// Position in a collection: the TLP marking definitions first (by index), then store rows by
/// `(date_added, feed id, row id)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    Marking(usize),
    Row(i64, i64, i64),
}

fn encode_next(k: Key) -> String {
    hex(match k {
        Key::Marking(i) => format!("m.{i:x}"),
        Key::Row(t, f, id) => format!("r.{t:x}.{f:x}.{id:x}"),
    }
    .as_bytes())
}

fn decode_next(s: &str) -> Option<Key> {
    if !s.len().is_multiple_of(2) || s.len() > 120 || !s.is_ascii() {
        return None;
    }
    let bytes: Option<Vec<u8>> =
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok()).collect();
    let text = String::from_utf8(bytes?).ok()?;
    let parts: Vec<&str> = text.split('.').collect();
    // `{:x}` of an i64 is its two's complement, so read it back through u64.
    #[expect(clippy::cast_possible_wrap, reason = "the inverse of `{:x}` on an i64")]
    let n = |s: &str| u64::from_str_radix(s, 16).ok().map(|v| v as i64);
    match parts[..] {
        ["m", i] => Some(Key::Marking(usize::from_str_radix(i, 16).ok()?)),
        ["r", t, f, id] => Some(Key::Row(n(t)?, n(f)?, n(id)?)),
        _ => None,
    }
}

/// The filters of a page request.
struct Filter {
    added_after: Option<i64>,
    types: Option<Vec<String>>,
    ids: Option<Vec<String>>,
    /// `None`: every version (`all`, `first`, `last`: each object has one); else these `modified` times.
    versions: Option<Vec<i64>>,
    spec_ok: bool,
}

impl Filter {
    fn parse(p: &Params, id: Option<&str>) -> Result<(Self, usize, Option<Key>), String> {
        let list = |k: &str| -> Option<Vec<String>> {
            p.get(k).map(|v| v.split(',').map(|s| s.trim().to_owned()).collect())
        };
        let added_after = match p.get("added_after") {
            None => None,
            Some(v) => Some(time::parse(v).ok_or_else(|| {
                format!(
                    "`added_after` must be a timestamp (2026-01-31T00:00:00.000Z), not `{}`",
                    truncate(v, 64)
                )
            })?),
        };
        let limit = match p.get("limit") {
            None => DEFAULT_LIMIT,
            Some(v) => match v.trim().parse::<usize>() {
                Ok(n) if (1..=usize::try_from(super::MAX_LIMIT).unwrap_or(1000)).contains(&n) => n,
                _ => {
                    return Err(format!(
                        "`limit` must be an integer from 1 to {}",
                        super::MAX_LIMIT
                    ));
                }
            },
        };
        let next = match p.get("next").filter(|n| !n.is_empty()) {
            None => None,
            Some(n) => Some(decode_next(n).ok_or_else(|| {
                "`next` is not a token this server issued (use the envelope's `next` as given)"
                    .to_owned()
            })?),
        };
        let mut ids = list("match[id]");
        if let Some(id) = id {
            ids = Some(vec![id.to_owned()]);
        }
        let versions = match list("match[version]") {
            None => None,
            Some(vs) if vs.iter().any(|v| matches!(v.as_str(), "all" | "first" | "last")) => None,
            Some(vs) => Some(
                vs.iter()
                    .map(|v| {
                        time::parse(v).ok_or_else(|| {
                            format!(
                                "`match[version]` takes `last`, `first`, `all` or timestamps, not `{}`",
                                truncate(v, 64)
                            )
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            ),
        };
        let spec_ok = list("match[spec_version]").is_none_or(|v| v.iter().any(|s| s == "2.1"));
        let f = Self { added_after, types: list("match[type]"), ids, versions, spec_ok };
        Ok((f, limit, next))
    }

    fn keeps(&self, o: &Value, date_added: i64, modified: Option<i64>) -> bool {
        let s = |k: &str| o.get(k).and_then(Value::as_str).unwrap_or("");
        self.spec_ok
            && self.added_after.is_none_or(|a| date_added > a)
            && self.types.as_ref().is_none_or(|t| t.iter().any(|t| t == s("type")))
            && self.ids.as_ref().is_none_or(|ids| ids.iter().any(|i| i == s("id")))
            && self.versions.as_ref().is_none_or(|vs| modified.is_some_and(|m| vs.contains(&m)))
    }

    /// A cheap test before the object is written: a row whose id or version cannot match is skipped (these
    /// filters walk the collection, so the walk must cost little per row).
    fn may_keep(&self, row: &Row, date_added: i64) -> bool {
        let cve = row.kind == IocKind::Cve;
        let ids_ok = self.ids.as_ref().is_none_or(|ids| {
            let prefix = if cve { "vulnerability--" } else { "indicator--" };
            let uuid = record_uuid(&row.feed, row.kind, &row.value);
            ids.iter().any(|i| i.strip_prefix(prefix) == Some(uuid.as_str()))
        });
        // `modified`: the record's last_seen for an indicator, date_added for a vulnerability (`stix_object`).
        let modified = if cve { date_added } else { row.last_seen };
        ids_ok && self.versions.as_ref().is_none_or(|vs| vs.contains(&modified))
    }

    /// Whether any store row can match (`match[type]` naming only marking definitions, say, needs none).
    fn wants(&self, ty: &str) -> bool {
        self.types.as_ref().is_none_or(|t| t.iter().any(|t| t == ty))
            && self.ids.as_ref().is_none_or(|ids| ids.iter().any(|i| i.starts_with(ty)))
    }
}

/// One listed object with its place and dates.
struct Item {
    key: Key,
    object: Value,
    date_added: i64,
}

/// The `objects/`, `objects/{id}/`, `objects/{id}/versions/` or `manifest/` page of a collection (`feed`: a
/// feed's row id, `None` for `all`).
async fn page(
    st: &Shared,
    rid: &RequestId,
    p: &Params,
    feed: Option<i64>,
    id: Option<&str>,
    shape: Shape,
) -> Response {
    let (filter, limit, next) = match Filter::parse(p, id) {
        Ok(v) => v,
        Err(m) => {
            return error(rid, StatusCode::BAD_REQUEST, ErrorCode::InvalidParameter.as_str(), &m);
        }
    };
    let conn = match st.pool.get().await {
        Ok(c) => c,
        Err(e) => return internal(rid, &e),
    };
    // `objects/{id}/` must walk the whole collection to answer 404; pages stop after `MAX_SCAN` rows.
    let bounded = id.is_none();
    let res =
        tokio::task::spawn_blocking(move || scan(&conn, feed, &filter, limit, next, bounded)).await;
    let (items, more, resume) = match res {
        Ok(Ok(v)) => v,
        Ok(Err(e)) => return internal(rid, &e),
        Err(e) => return internal(rid, &anyhow::anyhow!("TAXII task failed: {e}")),
    };
    if id.is_some() && items.is_empty() && next.is_none() {
        return error(
            rid,
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound.as_str(),
            "no such object in this collection (or none matching the filters)",
        );
    }
    let next_token =
        more.then(|| resume.or_else(|| items.last().map(|i| i.key))).flatten().map(encode_next);
    let body = match shape {
        Shape::Objects => {
            let objects: Vec<&Value> = items.iter().map(|i| &i.object).collect();
            json!({"more": more, "next": next_token, "objects": objects})
        }
        Shape::Manifest => {
            let objects: Vec<Value> = items
                .iter()
                .map(|i| {
                    let version = i.object.get("modified").or_else(|| i.object.get("created"));
                    json!({
                        "id": i.object["id"], "date_added": timestamp(i.date_added),
                        "version": version, "media_type": STIX,
                    })
                })
                .collect();
            json!({"more": more, "next": next_token, "objects": objects})
        }
        Shape::Versions => {
            let versions: Vec<&Value> = items
                .iter()
                .filter_map(|i| i.object.get("modified").or_else(|| i.object.get("created")))
                .collect();
            json!({"more": more, "versions": versions})
        }
    };
    let mut body = body;
    if let Some(o) = body.as_object_mut()
        && o.get("next").is_some_and(Value::is_null)
    {
        o.remove("next");
    }
    if items.is_empty()
        && let Some(o) = body.as_object_mut()
    {
        // An empty envelope has no `objects` (TAXII 2.1 3.7: "objects ... if any").
        o.remove("objects");
        o.remove("versions");
    }
    let mut res = ok(&body);
    for (name, item) in
        [("x-taxii-date-added-first", items.first()), ("x-taxii-date-added-last", items.last())]
    {
        if let Some(i) = item
            && let Ok(v) = HeaderValue::from_str(&timestamp(i.date_added))
        {
            res.headers_mut().insert(name, v);
        }
    }
    res
}

/// Rows one page reads at most (`bounded`): a filter that few rows pass (`match[id]`, `match[version]`) would
/// otherwise walk a large collection in one request; the page stops there with `more` and a `next` after the
/// last row read (TAXII lets a page hold fewer objects than `limit`, even none).
const MAX_SCAN: usize = 5000;
/// Rows read from the store at a time while scanning a feed.
const SCAN_CHUNK: usize = 500;

/// A page: the objects, whether more may follow, and where the next page starts when that is not after the last
/// object (the row budget ran out).
type Scanned = (Vec<Item>, bool, Option<Key>);

/// Reads up to `limit` matching objects after `next`, and whether more follow.
fn scan(
    conn: &dyn store::Backend,
    feed: Option<i64>,
    f: &Filter,
    limit: usize,
    next: Option<Key>,
    bounded: bool,
) -> anyhow::Result<Scanned> {
    let tlp_created = time::parse(TLP_CREATED).unwrap_or(0);
    let mut items: Vec<Item> = Vec::new();
    if !f.spec_ok {
        return Ok((items, false, None));
    }
    let push = |item: Item, items: &mut Vec<Item>| -> bool {
        items.push(item);
        items.len() > limit
    };
    for (i, t) in TLP_LEVELS.iter().enumerate() {
        let key = Key::Marking(i);
        let o = tlp_marking(*t);
        if next.is_none_or(|n| key > n)
            && f.keeps(&o, tlp_created, time::parse(TLP_CREATED))
            && push(Item { key, object: o, date_added: tlp_created }, &mut items)
        {
            items.truncate(limit);
            return Ok((items, true, None));
        }
    }
    if !f.wants("indicator") && !f.wants("vulnerability") {
        return Ok((items, false, None));
    }
    let after = match next {
        Some(Key::Row(t, fe, id)) => (t, fe, id),
        _ => (i64::MIN, i64::MIN, i64::MIN),
    };
    // Rows of ingests after `added_after` only: seconds resolution, so `> floor(added_after)` is exact.
    let floor = f.added_after.unwrap_or(i64::MIN);
    let cve = match (f.wants("indicator"), f.wants("vulnerability")) {
        (true, false) => Some(false),
        (false, true) => Some(true),
        _ => None,
    };
    // Feed by feed in `(ingested_at, id)` order (a handful of rows), then each feed's rows in row-id order through
    // the `(feed_id, generation)` index: every row of a feed carries the feed's generation (an ingest replaces
    // them or merges into it), so no page sorts the store.
    let feeds = conn.ingests_after(feed, floor, (after.0, after.1))?;
    let now = time::now();
    let (mut read, mut last_read) = (0, None);
    for (added, feed_id, generation) in feeds {
        let mut from = if (added, feed_id) == (after.0, after.1) { after.2 } else { i64::MIN };
        // The feed's rows in chunks (row-id order), so no store holds a statement open across a page.
        let mut chunk = Vec::new().into_iter();
        let mut more = true;
        loop {
            let row: Row = match chunk.next() {
                Some(r) => r,
                None if more => {
                    let rows = conn.generation_rows(feed_id, generation, from, cve, SCAN_CHUNK)?;
                    more = rows.len() == SCAN_CHUNK;
                    from = rows.last().map_or(from, |r| r.id);
                    chunk = rows.into_iter();
                    continue;
                }
                None => break,
            };
            if bounded && read == MAX_SCAN {
                return Ok((items, true, last_read));
            }
            read += 1;
            last_read = Some(Key::Row(added, feed_id, row.id));
            if !f.may_keep(&row, added) {
                continue;
            }
            let created = timestamp(added);
            let Some((o, _)) = stix_object(&row, &created, now) else { continue };
            let modified = o.get("modified").and_then(Value::as_str).and_then(time::parse);
            if f.keeps(&o, added, modified)
                && push(
                    Item { key: Key::Row(added, feed_id, row.id), object: o, date_added: added },
                    &mut items,
                )
            {
                items.truncate(limit);
                return Ok((items, true, None));
            }
        }
    }
    Ok((items, false, None))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_tokens_round_trip_and_reject_garbage() {
        for k in [Key::Marking(3), Key::Row(1_800_000_000, 2, 42), Key::Row(-5, 0, 1)] {
            assert_eq!(decode_next(&encode_next(k)), Some(k));
        }
        for bad in ["", "zz", "6d", "722e31", "é"] {
            assert_eq!(decode_next(bad), None, "{bad}");
        }
    }

    #[test]
    fn accept_negotiation() {
        let h = |v: &str| {
            let mut m = HeaderMap::new();
            m.insert(header::ACCEPT, HeaderValue::from_str(v).unwrap());
            acceptable(&m)
        };
        assert!(acceptable(&HeaderMap::new()));
        assert!(h("application/taxii+json;version=2.1"));
        assert!(h("application/taxii+json; version=\"2.1\""));
        assert!(h("application/taxii+json"));
        assert!(h("text/html, */*;q=0.8"));
        assert!(!h("application/taxii+json;version=2.0"));
        assert!(!h("application/vnd.oasis.taxii+json; version=2.0"));
        assert!(!h("text/html"));
        assert!(!h("application/taxii+json;version=2.1;q=0"));
    }
}
