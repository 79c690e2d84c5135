//! Feeds in: STIX 2.1 bundles, MISP feeds (manifest + events, or one event), CSV/TXT lists, built-in intel.
//!
//! Parsing yields [`RawRecord`]s; [`ingest`] normalises them with the core, merges duplicates and writes the feed
//! in ONE transaction (old feed or new feed, never half), replacing the feed's previous records. Re-ingesting
//! identical content with identical options is a no-op (`unchanged`).
//!
//! Why one file: every input format (STIX, MISP, CSV/TXT, built-in intel) ends in the same `RawRecord` merge and
//! write, which a reader checks against all of them at once.
use crate::normalize::normalize;
use crate::store::{self, Category, Level, join_tags, kind_code};
use anyhow::{Context as _, Result, bail};
use ioclens_core::IocKind;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

/// One indicator as a feed states it, before normalisation.
#[derive(Debug, Clone, Default)]
pub struct RawRecord {
    /// The value as written (may be defanged).
    pub value: String,
    /// Type the feed declares, when it declares one.
    pub kind: Option<IocKind>,
    /// First seen (Unix seconds).
    pub first_seen: Option<i64>,
    /// Last seen (Unix seconds).
    pub last_seen: Option<i64>,
    /// Record-level confidence.
    pub confidence: Option<Level>,
    /// Free text.
    pub context: Option<String>,
    /// Record tags.
    pub tags: Vec<String>,
    /// Threat type.
    pub threat_type: Option<String>,
    /// Malware family.
    pub malware_family: Option<String>,
    /// Reference URL.
    pub reference_url: Option<String>,
    /// Times reported (default 1).
    pub occurrences: i64,
    /// Ended-evidence bits (`store::REVOKED`, `NOT_FOR_DETECTION`, `DELETED`).
    pub status: i64,
    /// The source's `valid_until` (Unix seconds).
    pub valid_until: Option<i64>,
}

/// Feed-level attributes given on the command line.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FeedSpec {
    /// Unique feed name (`--source`).
    pub name: String,
    /// `--category`.
    #[serde(serialize_with = "ser_cat")]
    pub category: Category,
    /// `--confidence` (records without their own).
    #[serde(serialize_with = "ser_level")]
    pub confidence: Level,
    /// Sector bit set (`--sector`).
    pub sectors: i64,
    /// `--tag`.
    pub tags: Vec<String>,
    /// Reference URL of the feed.
    pub reference_url: Option<String>,
    /// Default first seen (`--first-seen`).
    pub first_seen: Option<i64>,
    /// Default last seen (`--last-seen`).
    pub last_seen: Option<i64>,
}

#[expect(clippy::trivially_copy_pass_by_ref, reason = "serde's serialize_with signature")]
fn ser_cat<S: serde::Serializer>(c: &Category, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(c.as_str())
}
#[expect(clippy::trivially_copy_pass_by_ref, reason = "serde's serialize_with signature")]
fn ser_level<S: serde::Serializer>(c: &Level, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(c.as_str())
}

/// What an ingest did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct IngestReport {
    /// Feed name.
    pub feed: String,
    /// Detected input format.
    pub format: &'static str,
    /// `created`, `replaced` or `unchanged`.
    pub status: &'static str,
    /// Indicator rows the feed now has.
    pub records: usize,
    /// Records merged into another of the same normalised value.
    pub duplicates: usize,
    /// Values that are not indicators (or whose type contradicts the feed's).
    pub rejected: usize,
    /// Up to 10 rejected values with the reason.
    pub rejected_examples: Vec<(String, String)>,
    /// STIX patterns or MISP attribute types that were skipped as unsupported.
    pub unsupported: usize,
}

/// A parsed feed file.
#[derive(Debug, Default)]
pub struct Parsed {
    /// Detected format (`stix`, `misp`, `csv`, `txt`, `ipsum`, `maltrail`).
    pub format: &'static str,
    /// Records.
    pub records: Vec<RawRecord>,
    /// Unsupported entries skipped.
    pub unsupported: usize,
    /// Bytes hashed for idempotence.
    pub fingerprint_input: Vec<u8>,
}

/// Reads a feed from a file or a MISP feed directory, detecting the format.
pub fn read_path(path: &Path) -> Result<Parsed> {
    if path.is_dir() {
        return read_misp_dir(path);
    }
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let text = String::from_utf8_lossy(&bytes);
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    let mut parsed = parse_text(&text, &ext)?;
    parsed.fingerprint_input = bytes;
    Ok(parsed)
}

/// Parses feed text: JSON (STIX bundle or MISP event) when it starts with `{`, else CSV (`.csv` or a
/// header/comma-separated first line) or TXT.
pub fn parse_text(text: &str, ext: &str) -> Result<Parsed> {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    let mut p = if trimmed.starts_with('{') || trimmed.starts_with('[') {
        let v: Value = serde_json::from_str(trimmed).context("parsing JSON feed")?;
        if v.get("type").and_then(Value::as_str) == Some("bundle") || v.get("objects").is_some() {
            parse_stix(&v)
        } else if v.get("Event").is_some() || v.get("response").is_some() {
            let mut p = Parsed { format: "misp", ..Parsed::default() };
            for ev in misp_events(&v) {
                misp_event(ev, &mut p);
            }
            p
        } else {
            bail!(
                "JSON feed is neither a STIX 2.1 bundle (`type: bundle`) nor a MISP event (`Event`)"
            )
        }
    } else if ext == "csv" || looks_like_csv(trimmed) {
        parse_csv(trimmed)?
    } else {
        parse_txt(trimmed)
    };
    p.fingerprint_input = text.as_bytes().to_vec();
    Ok(p)
}

fn looks_like_csv(text: &str) -> bool {
    text.lines()
        .find(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .is_some_and(|l| l.contains(','))
}

// ---------- STIX 2.1 ----------

fn stix_time(v: &Value, key: &str) -> Option<i64> {
    v.get(key).and_then(Value::as_str).and_then(crate::time::parse)
}

fn parse_stix(bundle: &Value) -> Parsed {
    let mut p = Parsed { format: "stix", ..Parsed::default() };
    let objects = bundle.get("objects").and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
    for o in objects {
        let ty = o.get("type").and_then(Value::as_str).unwrap_or("");
        let base = RawRecord {
            first_seen: stix_time(o, "valid_from").or_else(|| stix_time(o, "created")),
            last_seen: stix_time(o, "modified").or_else(|| stix_time(o, "valid_from")),
            confidence: o.get("confidence").and_then(Value::as_i64).map(Level::from_stix),
            context: o
                .get("description")
                .or_else(|| o.get("name"))
                .and_then(Value::as_str)
                .map(str::to_owned),
            tags: o
                .get("labels")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect())
                .unwrap_or_default(),
            threat_type: o
                .get("indicator_types")
                .and_then(Value::as_array)
                .and_then(|a| a.first())
                .and_then(Value::as_str)
                .map(str::to_owned),
            reference_url: o
                .get("external_references")
                .and_then(Value::as_array)
                .and_then(|a| a.iter().find_map(|r| r.get("url").and_then(Value::as_str)))
                .map(str::to_owned),
            occurrences: 1,
            status: if o.get("revoked").and_then(Value::as_bool) == Some(true) {
                store::REVOKED
            } else {
                0
            },
            valid_until: stix_time(o, "valid_until"),
            ..RawRecord::default()
        };
        match ty {
            "indicator" => {
                let pattern_type = o.get("pattern_type").and_then(Value::as_str).unwrap_or("stix");
                let Some(pattern) =
                    o.get("pattern").and_then(Value::as_str).filter(|_| pattern_type == "stix")
                else {
                    p.unsupported += 1;
                    continue;
                };
                let (found, skipped) = stix_pattern(pattern);
                p.unsupported += skipped;
                for (kind, value) in found {
                    p.records.push(RawRecord { value, kind: Some(kind), ..base.clone() });
                }
            }
            "ipv4-addr" | "ipv6-addr" | "domain-name" | "url" | "email-addr" => {
                if let Some(v) = o.get("value").and_then(Value::as_str) {
                    p.records.push(RawRecord {
                        value: v.to_owned(),
                        kind: stix_object_kind(ty),
                        ..base
                    });
                }
            }
            "file" => {
                if let Some(h) = o.get("hashes").and_then(Value::as_object) {
                    for (alg, v) in h {
                        match (hash_kind(alg), v.as_str()) {
                            (Some(k), Some(v)) => {
                                p.records.push(RawRecord {
                                    value: v.to_owned(),
                                    kind: Some(k),
                                    ..base.clone()
                                });
                            }
                            _ => p.unsupported += 1,
                        }
                    }
                }
            }
            _ => {}
        }
    }
    p
}

fn stix_object_kind(ty: &str) -> Option<IocKind> {
    Some(match ty {
        "ipv4-addr" => IocKind::Ipv4,
        "ipv6-addr" => IocKind::Ipv6,
        "domain-name" => IocKind::Domain,
        "url" => IocKind::Url,
        "email-addr" => IocKind::Email,
        _ => return None,
    })
}

fn hash_kind(alg: &str) -> Option<IocKind> {
    match alg.trim_matches('\'').to_ascii_uppercase().replace('-', "").as_str() {
        "MD5" => Some(IocKind::Md5),
        "SHA1" => Some(IocKind::Sha1),
        "SHA256" => Some(IocKind::Sha256),
        "SHA512" => Some(IocKind::Sha512),
        _ => None,
    }
}

/// The `object-path = 'value'` comparisons of a STIX pattern (any number, OR/AND-joined, in any brackets).
/// Returns the supported ones and the count of comparisons skipped (other operators or object paths).
pub fn stix_pattern(pattern: &str) -> (Vec<(IocKind, String)>, usize) {
    let b = pattern.as_bytes();
    let mut out = Vec::new();
    let mut skipped = 0;
    let mut i = 0;
    let mut path_start = 0;
    while i < b.len() {
        match b[i] {
            b'\'' => {
                // A quoted literal: read it with `\'` and `\\` escapes; look back for `path op`.
                let mut val = String::new();
                let mut j = i + 1;
                while j < b.len() && b[j] != b'\'' {
                    if b[j] == b'\\' && j + 1 < b.len() {
                        j += 1;
                    }
                    let ch_len = pattern[j..].chars().next().map_or(1, char::len_utf8);
                    val.push_str(&pattern[j..j + ch_len]);
                    j += ch_len;
                }
                let lhs = pattern[path_start..i].trim();
                if lhs.ends_with('.') {
                    // A quoted path component (`file:hashes.'SHA-256'`): part of the path, not a value.
                    i = j + 1;
                    continue;
                }
                if let Some(path) =
                    lhs.strip_suffix('=').map(str::trim).filter(|p| !p.ends_with(['!', '<', '>']))
                {
                    match comparison_kind(path) {
                        Some(k) => out.push((k, val)),
                        None => skipped += 1,
                    }
                } else if !lhs.is_empty() {
                    skipped += 1;
                }
                i = j + 1;
                path_start = i;
            }
            b'[' | b'(' | b']' | b')' => {
                i += 1;
                path_start = i;
            }
            _ => {
                // `AND`/`OR`/`FOLLOWEDBY` between comparisons restart the path.
                let rest = &b[i..];
                for kw in [" AND ", " OR ", " FOLLOWEDBY "] {
                    if rest.starts_with(kw.as_bytes()) {
                        path_start = i + kw.len();
                    }
                }
                i += 1;
            }
        }
    }
    (out, skipped)
}

fn comparison_kind(path: &str) -> Option<IocKind> {
    let path = path.trim();
    if let Some(alg) =
        path.strip_prefix("file:hashes.").or_else(|| path.strip_prefix("artifact:hashes."))
    {
        return hash_kind(alg);
    }
    Some(match path {
        "ipv4-addr:value" => IocKind::Ipv4,
        "ipv6-addr:value" => IocKind::Ipv6,
        "domain-name:value" => IocKind::Domain,
        "url:value" => IocKind::Url,
        "email-addr:value" | "email-message:from_ref.value" | "email-message:sender_ref.value" => {
            IocKind::Email
        }
        _ => return None,
    })
}

// ---------- MISP ----------

fn misp_events(v: &Value) -> Vec<&Value> {
    if let Some(ev) = v.get("Event") {
        return vec![ev];
    }
    v.get("response")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|e| e.get("Event")).collect())
        .unwrap_or_default()
}

fn read_misp_dir(dir: &Path) -> Result<Parsed> {
    let manifest_path = dir.join("manifest.json");
    let manifest_bytes = std::fs::read(&manifest_path)
        .with_context(|| format!("reading {}", manifest_path.display()))?;
    let manifest: Value =
        serde_json::from_slice(&manifest_bytes).context("parsing MISP manifest.json")?;
    let Some(events) = manifest.as_object() else {
        bail!("MISP manifest.json is not an object of events")
    };
    let mut p = Parsed { format: "misp", ..Parsed::default() };
    let mut uuids: Vec<&String> = events.keys().collect();
    uuids.sort();
    for uuid in uuids {
        if uuid.is_empty() || !uuid.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-') {
            bail!("MISP manifest names an event `{uuid}` that is not a UUID");
        }
        let path = dir.join(format!("{uuid}.json"));
        let bytes = std::fs::read(&path)
            .with_context(|| format!("reading MISP event {}", path.display()))?;
        let v: Value = serde_json::from_slice(&bytes)
            .with_context(|| format!("parsing {}", path.display()))?;
        for ev in misp_events(&v) {
            misp_event(ev, &mut p);
        }
        p.fingerprint_input.extend_from_slice(&bytes);
    }
    p.fingerprint_input.extend_from_slice(&manifest_bytes);
    Ok(p)
}

fn misp_time(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::String(s) => crate::time::parse(s),
        Value::Number(n) => n.as_i64(),
        _ => None,
    }
}

/// A MISP boolean: JSON `true`/`false`, or the `"1"`/`"0"` (and `1`/`0`) older exports write.
fn misp_flag(v: Option<&Value>) -> Option<bool> {
    match v? {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => n.as_i64().map(|n| n != 0),
        Value::String(s) => match s.trim() {
            "1" | "true" => Some(true),
            "0" | "false" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

fn misp_tags(v: &Value) -> Vec<String> {
    v.get("Tag")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|t| t.get("name").and_then(Value::as_str))
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// MISP attribute type → (type, which side of a `a|b` composite value).
fn misp_type(t: &str) -> Option<(Option<IocKind>, usize)> {
    Some(match t {
        "ip-dst" | "ip-src" | "ip-dst|port" | "ip-src|port" => (None, 0),
        "domain" | "hostname" | "domain|ip" | "hostname|port" => (Some(IocKind::Domain), 0),
        "url" | "uri" => (Some(IocKind::Url), 0),
        "md5" => (Some(IocKind::Md5), 0),
        "sha1" => (Some(IocKind::Sha1), 0),
        "sha256" => (Some(IocKind::Sha256), 0),
        "sha512" => (Some(IocKind::Sha512), 0),
        "filename|md5" => (Some(IocKind::Md5), 1),
        "filename|sha1" => (Some(IocKind::Sha1), 1),
        "filename|sha256" => (Some(IocKind::Sha256), 1),
        "filename|sha512" => (Some(IocKind::Sha512), 1),
        "email" | "email-src" | "email-dst" | "email-reply-to" => (Some(IocKind::Email), 0),
        "vulnerability" => (Some(IocKind::Cve), 0),
        "btc" => (Some(IocKind::Btc), 0),
        "AS" => (Some(IocKind::Asn), 0),
        _ => return None,
    })
}

fn misp_event(ev: &Value, p: &mut Parsed) {
    let event_tags = misp_tags(ev);
    let info = ev.get("info").and_then(Value::as_str).map(str::to_owned);
    let date = ev.get("date").and_then(Value::as_str).and_then(crate::time::parse);
    let event_ts = misp_time(ev.get("timestamp")).or(date);
    let mut attrs: Vec<&Value> = ev
        .get("Attribute")
        .and_then(Value::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    if let Some(objs) = ev.get("Object").and_then(Value::as_array) {
        for o in objs {
            if let Some(a) = o.get("Attribute").and_then(Value::as_array) {
                attrs.extend(a.iter());
            }
        }
    }
    for a in attrs {
        let ty = a.get("type").and_then(Value::as_str).unwrap_or("");
        let (Some(value), Some((kind, side))) =
            (a.get("value").and_then(Value::as_str), misp_type(ty))
        else {
            p.unsupported += 1;
            continue;
        };
        let mut parts = value.split('|');
        let Some(v) = (if side == 0 { parts.next() } else { parts.nth(side) }) else {
            p.unsupported += 1;
            continue;
        };
        let mut tags = event_tags.clone();
        tags.extend(misp_tags(a));
        let ts = misp_time(a.get("timestamp")).or(event_ts);
        let comment = a.get("comment").and_then(Value::as_str).filter(|c| !c.is_empty());
        let rec = RawRecord {
            value: v.to_owned(),
            kind,
            first_seen: misp_time(a.get("first_seen")).or(date).or(ts),
            last_seen: misp_time(a.get("last_seen")).or(ts),
            context: comment.map(str::to_owned).or_else(|| info.clone()),
            tags,
            threat_type: a.get("category").and_then(Value::as_str).map(str::to_owned),
            occurrences: 1,
            status: if misp_flag(a.get("to_ids")) == Some(false) {
                store::NOT_FOR_DETECTION
            } else {
                0
            } | if misp_flag(a.get("deleted")) == Some(true) { store::DELETED } else { 0 },
            ..RawRecord::default()
        };
        if ty == "domain|ip"
            && let Some(ip) = value.split('|').nth(1)
        {
            p.records.push(RawRecord { value: ip.to_owned(), kind: None, ..rec.clone() });
        }
        p.records.push(rec);
    }
}

// ---------- CSV / TXT ----------

/// The records of a CSV feed (RFC 4180 through the `csv` crate: quoted fields, doubled quotes, newlines inside
/// quotes, CRLF; rows may differ in length). The header, if any, is the first record.
fn csv_rows(text: &str) -> Result<Vec<Vec<String>>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| {
            let r = r.context("reading CSV feed")?;
            Ok(r.iter().map(str::to_owned).collect())
        })
        .collect()
}

fn cell(r: &[String], c: Option<usize>) -> Option<&str> {
    c.and_then(|c| r.get(c)).map(|s| s.trim()).filter(|s| !s.is_empty())
}

fn parse_csv(text: &str) -> Result<Parsed> {
    let mut p = Parsed { format: "csv", ..Parsed::default() };
    let rows: Vec<Vec<String>> = csv_rows(text)?
        .into_iter()
        .filter(|r| !(r[0].starts_with('#') || r.len() == 1 && r[0].trim().is_empty()))
        .collect();
    let Some(first) = rows.first() else { return Ok(p) };
    let col = |names: &[&str]| {
        first.iter().position(|h| names.contains(&h.trim().to_ascii_lowercase().as_str()))
    };
    let value_col = col(&[
        "value",
        "indicator",
        "ioc",
        "ioc_value",
        "observable",
        "ip",
        "domain",
        "url",
        "hash",
        "sha256",
        "md5",
    ]);
    let has_header = value_col.is_some();
    let value_col = value_col.unwrap_or(0);
    let type_col = if has_header { col(&["type", "ioc_type", "indicator_type"]) } else { None };
    let first_col = if has_header {
        col(&["first_seen", "firstseen", "first_seen_utc", "dateadded", "date"])
    } else {
        None
    };
    let last_col = if has_header { col(&["last_seen", "lastseen", "last_online"]) } else { None };
    let ctx_col =
        if has_header { col(&["context", "description", "comment", "threat"]) } else { None };
    let tags_col = if has_header { col(&["tags", "tag", "labels"]) } else { None };
    let fam_col = if has_header {
        col(&["malware", "malware_family", "family", "malware_printable"])
    } else {
        None
    };
    let conf_col = if has_header { col(&["confidence"]) } else { None };
    for r in rows.iter().skip(usize::from(has_header)) {
        let Some(value) = cell(r, Some(value_col)) else { continue };
        p.records.push(RawRecord {
            value: value.to_owned(),
            kind: cell(r, type_col).and_then(IocKind::parse),
            first_seen: cell(r, first_col).and_then(crate::time::parse),
            last_seen: cell(r, last_col).and_then(crate::time::parse),
            confidence: cell(r, conf_col).and_then(|c| {
                Level::parse(c).or_else(|| c.parse::<i64>().ok().map(Level::from_stix))
            }),
            context: cell(r, ctx_col).map(str::to_owned),
            tags: cell(r, tags_col)
                .map(|t| {
                    t.split([';', '|', ','])
                        .map(str::trim)
                        .filter(|t| !t.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
            malware_family: cell(r, fam_col).map(str::to_owned),
            occurrences: 1,
            ..RawRecord::default()
        });
    }
    Ok(p)
}

fn parse_txt(text: &str) -> Parsed {
    let mut p = Parsed { format: "txt", ..Parsed::default() };
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty()
            || line.starts_with('#')
            || line.starts_with("//")
            || line.starts_with(';')
        {
            continue;
        }
        let value = line.split_whitespace().next().unwrap_or(line);
        p.records.push(RawRecord {
            value: value.to_owned(),
            occurrences: 1,
            ..RawRecord::default()
        });
    }
    p
}

// ---------- built-in intel ----------

const IPSUM: &str = include_str!("../../data/intel/ipsum.tsv");
const MALTRAIL: &str = include_str!("../../data/intel/maltrail_iocs.tsv");

/// The `URLhaus` sample: the `URLhaus` rows of `data/ml/ioc_sample.csv` (`indicator,kind,category`, extracted by
/// `build.rs`). The core never embeds them (they are its scorer's out-of-distribution test set); loaded as a feed
/// they are evidence like any other feed.
const URLHAUS: &str = include_str!(concat!(env!("OUT_DIR"), "/urlhaus.csv"));

/// Built-in feeds: `(name, reference URL)`.
pub const BUILTINS: [(&str, &str); 3] = [
    ("ipsum", "https://github.com/stamparm/ipsum"),
    ("maltrail", "https://github.com/stamparm/maltrail"),
    ("urlhaus", "https://urlhaus.abuse.ch/"),
];

/// Parses a built-in feed: `ipsum` or `maltrail` (from `data/intel/`) or `urlhaus` (a 5,000-row sample from
/// `data/ml/`: 2,000 URLs, 2,000 domains, 1,000 IPs, via `curbengh/urlhaus-filter`, CC0), embedded at build time.
///
/// Every record is dated by its snapshot (the source's own date for the copy: `ipsum` and `maltrail` the core's
/// embedded snapshot, `urlhaus` its upstream commit), never by when it was loaded, so `since=` does not report a
/// freshly loaded built-in feed as new and the score decays as the core's embedded copy does.
pub fn builtin(name: &str) -> Result<Parsed> {
    let mut p = builtin_records(name)?;
    let date = if name == "urlhaus" {
        URLHAUS_SNAPSHOT
    } else {
        ioclens_core::score::evidence::snapshot_date()
    };
    for r in &mut p.records {
        r.first_seen = Some(date);
        r.last_seen = Some(date);
    }
    Ok(p)
}

/// `curbengh/urlhaus-filter` commit date of the sample (data/SOURCES.md): 2025-07-19 00:00 UTC.
const URLHAUS_SNAPSHOT: i64 = 1_752_883_200;

fn builtin_records(name: &str) -> Result<Parsed> {
    let (format, text) = match name {
        "ipsum" => ("ipsum", IPSUM),
        "maltrail" => ("maltrail", MALTRAIL),
        "urlhaus" => ("urlhaus", URLHAUS),
        other => bail!("unknown built-in feed `{other}` (one of: ipsum, maltrail, urlhaus)"),
    };
    let records = match format {
        "ipsum" => rows(text.lines().filter(|l| !l.starts_with('#')), '\t', ipsum_record),
        "maltrail" => rows(text.lines(), '\t', maltrail_record),
        _ => rows(text.lines(), ',', urlhaus_record),
    };
    Ok(Parsed { format, records, fingerprint_input: text.as_bytes().to_vec(), ..Parsed::default() })
}

/// The records of a built-in feed's rows after its header line, `sep`-separated; a row `record` does not take
/// is skipped.
fn rows<'a>(
    lines: impl Iterator<Item = &'a str>,
    sep: char,
    record: impl Fn(&[&str]) -> Option<RawRecord>,
) -> Vec<RawRecord> {
    lines.skip(1).filter_map(|line| record(&line.split(sep).collect::<Vec<_>>())).collect()
}

fn ipsum_record(f: &[&str]) -> Option<RawRecord> {
    let [ip, n, ..] = f else { return None };
    let lists = n.trim().parse::<i64>().unwrap_or(1);
    Some(RawRecord {
        value: (*ip).to_owned(),
        kind: Some(IocKind::Ipv4),
        context: Some(format!("on {lists} public blocklists (IPsum)")),
        // IPsum's own guidance: 3+ lists is a strong signal, 1–2 is noise-prone.
        confidence: Some(match lists {
            ..=2 => Level::Low,
            3..=5 => Level::Medium,
            _ => Level::High,
        }),
        threat_type: Some("malicious-activity".to_owned()),
        occurrences: lists.max(1),
        ..RawRecord::default()
    })
}

fn maltrail_record(f: &[&str]) -> Option<RawRecord> {
    let [ind, ty, family, category] = f else { return None };
    let kind = match *ty {
        // `ip_port` kept whole: the port is stored beside the address (`iocs.port`).
        "ip_port" | "ip" => Some(IocKind::Ipv4),
        "domain" => Some(IocKind::Domain),
        "url" => Some(IocKind::Url),
        _ => None,
    };
    Some(RawRecord {
        value: (*ind).to_owned(),
        kind,
        malware_family: Some((*family).to_owned()),
        threat_type: Some((*category).to_owned()),
        context: Some(format!("{family} ({category}, Maltrail)")),
        confidence: Some(if *category == "suspicious" { Level::Low } else { Level::Medium }),
        occurrences: 1,
        ..RawRecord::default()
    })
}

fn urlhaus_record(f: &[&str]) -> Option<RawRecord> {
    let [ind, ty, category] = f else { return None };
    // The sample stores URLs without their scheme (data/SOURCES.md); `http://` is what the core assumes for a
    // scheme-less lookup, so both sides meet.
    let (kind, value) = match *ty {
        "url" => (IocKind::Url, format!("http://{ind}")),
        "domain" => (IocKind::Domain, (*ind).to_owned()),
        "ip" if ind.contains(':') => (IocKind::Ipv6, (*ind).to_owned()),
        "ip" => (IocKind::Ipv4, (*ind).to_owned()),
        _ => return None,
    };
    Some(RawRecord {
        value,
        kind: Some(kind),
        threat_type: Some((*category).to_owned()),
        context: Some(format!("{} (URLhaus sample)", category.replace('_', " "))),
        occurrences: 1,
        ..RawRecord::default()
    })
}

// ---------- the transaction ----------

struct Merged {
    kind: IocKind,
    value: String,
    port: u16,
    first_seen: Option<i64>,
    last_seen: Option<i64>,
    confidence: Level,
    occurrences: i64,
    context: Option<String>,
    tags: Vec<String>,
    threat_type: Option<String>,
    malware_family: Option<String>,
    reference_url: Option<String>,
    status: i64,
    valid_until: Option<i64>,
}

fn min_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Writes `parsed` as feed `spec` in one transaction, replacing the feed's previous records.
/// `progress` is called once parsing and normalisation are done, before the first write.
pub fn ingest(
    conn: &mut Connection,
    spec: &FeedSpec,
    parsed: Parsed,
    now: i64,
    progress: &dyn Fn(usize),
) -> Result<IngestReport> {
    write(conn, spec, parsed, now, progress, false)
}

/// Adds `parsed` to feed `spec` in one transaction, keeping the feed's other records (a page of an incremental
/// source such as a TAXII collection): a value already in the feed is updated (its newest statement wins, so a
/// revoked version ends it), the rest is added. Never `unchanged`: the status is `created` or `updated`.
pub fn ingest_more(
    conn: &mut Connection,
    spec: &FeedSpec,
    parsed: Parsed,
    now: i64,
) -> Result<IngestReport> {
    write(conn, spec, parsed, now, &|_| {}, true)
}

fn write(
    conn: &mut Connection,
    spec: &FeedSpec,
    parsed: Parsed,
    now: i64,
    progress: &dyn Fn(usize),
    merge: bool,
) -> Result<IngestReport> {
    let mut fp = Sha256::new();
    // The schema version salts the fingerprint: a store written by an older build re-reads its feeds once
    // (built-in feeds get their snapshot dates, STIX/MISP records their ended-evidence flags).
    fp.update(store::SCHEMA_VERSION.to_be_bytes());
    fp.update(serde_json::to_vec(spec)?);
    fp.update(parsed.format.as_bytes());
    fp.update(&parsed.fingerprint_input);
    let fingerprint = fp.finalize().iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    });

    let mut report = IngestReport {
        feed: spec.name.clone(),
        format: parsed.format,
        status: "unchanged",
        records: 0,
        duplicates: 0,
        rejected: 0,
        rejected_examples: Vec::new(),
        unsupported: parsed.unsupported,
    };
    let mut merged: Vec<Merged> = Vec::with_capacity(parsed.records.len());
    let mut index: HashMap<(IocKind, String, u16), usize> =
        HashMap::with_capacity(parsed.records.len());
    for r in parsed.records {
        let n = match normalize(&r.value, r.kind) {
            Ok(n) => n,
            Err(e) => {
                report.rejected += 1;
                if report.rejected_examples.len() < 10 {
                    report.rejected_examples.push((r.value.chars().take(200).collect(), e));
                }
                continue;
            }
        };
        let mut tags = spec.tags.clone();
        for t in r.tags {
            if !tags.contains(&t) {
                tags.push(t);
            }
        }
        // `ip:port` entries are rows of their own (a lookup of `ip:port` finds its own row, the bare IP all).
        let key = (n.kind, n.value, n.port);
        if let Some(&i) = index.get(&key) {
            report.duplicates += 1;
            let m = &mut merged[i];
            m.first_seen = min_opt(m.first_seen, r.first_seen);
            m.last_seen = m.last_seen.max(r.last_seen);
            m.occurrences += r.occurrences.max(1);
            m.confidence = m.confidence.max(r.confidence.unwrap_or(spec.confidence));
            for t in tags {
                if !m.tags.contains(&t) {
                    m.tags.push(t);
                }
            }
            m.context = m.context.take().or(r.context);
            m.threat_type = m.threat_type.take().or(r.threat_type);
            m.malware_family = m.malware_family.take().or(r.malware_family);
            // A value the feed lists live once is live; it ends when its last listing ends.
            m.status &= r.status;
            m.valid_until = m.valid_until.zip(r.valid_until).map(|(a, b)| a.max(b));
            continue;
        }
        index.insert(key.clone(), merged.len());
        merged.push(Merged {
            kind: key.0,
            value: key.1,
            port: key.2,
            first_seen: r.first_seen,
            last_seen: r.last_seen,
            confidence: r.confidence.unwrap_or(spec.confidence),
            occurrences: r.occurrences.max(1),
            context: r.context.map(|c| c.chars().take(4000).collect()),
            tags,
            threat_type: r.threat_type,
            malware_family: r.malware_family,
            reference_url: r.reference_url,
            status: r.status,
            valid_until: r.valid_until,
        });
    }
    report.records = merged.len();
    progress(merged.len());

    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let existing: Option<(i64, String, i64)> = tx
        .query_row(
            "SELECT id, fingerprint, generation FROM feeds WHERE name = ?1",
            [&spec.name],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    if let Some((_, fpr, _)) = &existing
        && *fpr == fingerprint
        && !merge
    {
        return Ok(report);
    }
    // A merged feed's fingerprint never equals a file's: the next `feed add FILE` replaces it.
    let fingerprint = if merge { format!("merge:{fingerprint}") } else { fingerprint };
    // Merging keeps the feed's generation (its rows stay); replacing starts the next one.
    let next_generation = |g: i64| if merge { g } else { g + 1 };
    #[expect(clippy::single_match_else, reason = "two arms of equal weight: update or insert")]
    let (feed_id, generation) = match existing {
        Some((id, _, g)) => {
            tx.execute(
                "UPDATE feeds SET category=?1, confidence=?2, sectors=?3, tags=?4, reference_url=?5, format=?6, \
                 fingerprint=?7, ingested_at=?8, records=?9, generation=?10 WHERE id=?11",
                params![
                    spec.category as i64,
                    spec.confidence as i64,
                    spec.sectors,
                    join_tags(&spec.tags),
                    spec.reference_url,
                    parsed.format,
                    fingerprint,
                    now,
                    i64::try_from(merged.len())?,
                    next_generation(g),
                    id
                ],
            )?;
            report.status = if merge { "updated" } else { "replaced" };
            (id, next_generation(g))
        }
        None => {
            tx.execute(
                "INSERT INTO feeds(name, category, confidence, sectors, tags, reference_url, format, fingerprint, \
                 ingested_at, records, generation) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,1)",
                params![
                    spec.name,
                    spec.category as i64,
                    spec.confidence as i64,
                    spec.sectors,
                    join_tags(&spec.tags),
                    spec.reference_url,
                    parsed.format,
                    fingerprint,
                    now,
                    i64::try_from(merged.len())?
                ],
            )?;
            report.status = "created";
            (tx.last_insert_rowid(), 1)
        }
    };
    {
        let mut st = tx.prepare(
            "INSERT INTO iocs(feed_id, kind, value, category, confidence, sectors, first_seen, last_seen, occurrences, \
             context, tags, threat_type, malware_family, reference_url, generation, status, valid_until, port) \
             VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18) \
             ON CONFLICT(value, kind, feed_id, port) DO UPDATE SET \
             category=excluded.category, confidence=excluded.confidence, sectors=excluded.sectors, \
             first_seen=min(first_seen, excluded.first_seen), last_seen=max(last_seen, excluded.last_seen), \
             occurrences=excluded.occurrences, context=excluded.context, tags=excluded.tags, \
             threat_type=excluded.threat_type, malware_family=excluded.malware_family, \
             reference_url=excluded.reference_url, generation=excluded.generation, \
             status=excluded.status, valid_until=excluded.valid_until",
        )?;
        for m in &merged {
            let first = m.first_seen.or(spec.first_seen).unwrap_or(now);
            let last = m.last_seen.or(spec.last_seen).unwrap_or(now).max(first);
            st.execute(params![
                feed_id,
                kind_code(m.kind),
                m.value,
                spec.category as i64,
                m.confidence as i64,
                spec.sectors,
                first,
                last,
                m.occurrences,
                m.context,
                join_tags(&m.tags),
                m.threat_type,
                m.malware_family,
                m.reference_url,
                generation,
                m.status,
                m.valid_until,
                m.port
            ])?;
        }
    }
    if merge {
        let n: i64 = tx.query_row(
            "UPDATE feeds SET records = (SELECT count(*) FROM iocs WHERE feed_id = ?1) WHERE id = ?1 \
             RETURNING records",
            [feed_id],
            |r| r.get(0),
        )?;
        report.records = usize::try_from(n)?;
    } else {
        tx.execute(
            "DELETE FROM iocs WHERE feed_id = ?1 AND generation != ?2",
            params![feed_id, generation],
        )?;
    }
    tx.commit()?;
    Ok(report)
}

/// The demo feed `ioclens serve --demo` loads (a small STIX bundle of documentation-range indicators).
pub const DEMO_STIX: &str = include_str!("../demo/demo-stix.json");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stix_patterns_yield_every_equality() {
        let (v, skipped) = stix_pattern("[ipv4-addr:value = '198.51.100.7']");
        assert_eq!(v, vec![(IocKind::Ipv4, "198.51.100.7".to_owned())]);
        assert_eq!(skipped, 0);
        let (v, _) = stix_pattern(
            "[domain-name:value = 'evil.example' OR url:value = 'http://evil.example/a?b=\\'c\\''] OR \
             [file:hashes.'SHA-256' = 'AB12'] AND [file:hashes.MD5 = 'cd34']",
        );
        assert_eq!(
            v,
            vec![
                (IocKind::Domain, "evil.example".to_owned()),
                (IocKind::Url, "http://evil.example/a?b='c'".to_owned()),
                (IocKind::Sha256, "AB12".to_owned()),
                (IocKind::Md5, "cd34".to_owned()),
            ]
        );
        let (v, skipped) =
            stix_pattern("[file:name = 'a.exe' AND network-traffic:dst_port != '80']");
        assert!(v.is_empty());
        assert_eq!(skipped, 2);
        // Non-ASCII anywhere in a pattern never panics.
        let (v, _) = stix_pattern(
            "[domain-name:value = 'b\u{fc}cher.example'] \u{20ac} OR [url:value = '\u{e9}']",
        );
        assert_eq!(v[0], (IocKind::Domain, "b\u{fc}cher.example".to_owned()));
        let (v, _) = stix_pattern("[email-message:from_ref.value = 'a@b.example']");
        assert_eq!(v, vec![(IocKind::Email, "a@b.example".to_owned())]);
    }

    #[test]
    fn csv_quotes_and_headers() {
        let p =
            parse_text("value,type,tags\n\"evil[.]com\",domain,\"a;b\"\n1.2.3.4,ipv4,\n", "csv")
                .unwrap();
        assert_eq!(p.format, "csv");
        assert_eq!(p.records.len(), 2);
        assert_eq!(p.records[0].value, "evil[.]com");
        assert_eq!(p.records[0].kind, Some(IocKind::Domain));
        assert_eq!(p.records[0].tags, vec!["a", "b"]);
        let rows = csv_rows("a,\"b,\"\"c\"\"\"\r\nd").unwrap();
        assert_eq!(rows, vec![vec!["a".to_owned(), "b,\"c\"".to_owned()], vec!["d".to_owned()]]);
    }

    #[test]
    fn csv_embedded_newlines_bom_and_comments() {
        // A quoted context with a newline and a comma stays one field of one record; the BOM is not part of the
        // header, so `value` is still found; comment and blank lines are skipped; short rows are read.
        let text = "\u{feff}value,type,context\r\n# exported 2026-12-01\r\n\r\n\"evil.example\",domain,\"line one,\nline two\"\r\n203.0.113.9,ipv4\r\n";
        let p = parse_text(text, "csv").unwrap();
        assert_eq!(p.format, "csv");
        let got: Vec<(&str, Option<&str>)> =
            p.records.iter().map(|r| (r.value.as_str(), r.context.as_deref())).collect();
        assert_eq!(got, [("evil.example", Some("line one,\nline two")), ("203.0.113.9", None)]);
        assert_eq!(p.records[1].kind, Some(IocKind::Ipv4));
        // A quote inside an unquoted field is literal; a doubled quote inside a quoted one is one quote.
        let rows = csv_rows("a\"b,\"say \"\"hi\"\"\"\n").unwrap();
        assert_eq!(rows, vec![vec!["a\"b".to_owned(), "say \"hi\"".to_owned()]]);
    }

    #[test]
    fn builtins_parse() {
        let p = builtin("ipsum").unwrap();
        assert!(p.records.len() > 100_000);
        assert!(p.records.iter().all(|r| r.kind == Some(IocKind::Ipv4)));
        let m = builtin("maltrail").unwrap();
        assert!(m.records.iter().any(|r| r.malware_family.as_deref() == Some("0debug")));
        assert!(builtin("nope").is_err());
    }

    #[test]
    fn an_ip_port_lookup_finds_its_own_row_and_a_bare_ip_finds_every_row() {
        let dir = std::env::temp_dir().join(format!("ioclens-port-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mut conn = store::open(&dir.join("s.db")).unwrap();
        let spec = FeedSpec {
            name: "ports".into(),
            category: Category::Community,
            confidence: Level::Medium,
            sectors: 0,
            tags: Vec::new(),
            reference_url: None,
            first_seen: None,
            last_seen: None,
        };
        let parsed =
            parse_text("91.215.85.22:443\n91.215.85.22:8080\n91.215.85.22\n10.9.8.7:22\n", "txt")
                .unwrap();
        let report = ingest(&mut conn, &spec, parsed, 1_800_000_000, &|_| {}).unwrap();
        assert_eq!((report.records, report.duplicates), (4, 0));
        let ports = |value: &str, port: Option<u16>| {
            let mut p: Vec<Option<u16>> = store::lookup(&conn, IocKind::Ipv4, value, port)
                .unwrap()
                .0
                .iter()
                .map(|r| r.port)
                .collect();
            p.sort_unstable();
            p
        };
        // The bare IP: every row of the address.
        assert_eq!(ports("91.215.85.22", None), vec![None, Some(443), Some(8080)]);
        // `ip:443`: its own row and the address's, not port 8080's.
        assert_eq!(ports("91.215.85.22", Some(443)), vec![None, Some(443)]);
        // A port the feed does not list: only the address's own row.
        assert_eq!(ports("91.215.85.22", Some(53)), vec![None]);
        // An address listed only with a port: its port matches, another does not.
        assert_eq!(ports("10.9.8.7", Some(22)), vec![Some(22)]);
        assert!(ports("10.9.8.7", Some(23)).is_empty());
        drop(conn);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
