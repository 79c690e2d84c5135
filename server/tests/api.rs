//! End-to-end: a real server on 127.0.0.1, a real HTTP client, feeds ingested from the fixtures.
//!
//! Fixture contents (hand-derived from the files in `tests/fixtures/`):
//! - `cert` (government, default medium): STIX bundle → 198.51.100.23 + evil-c2.example (confidence 90 → high,
//!   valid 2026-03-01T10:00:00Z, modified 2026-03-05T12:00:00Z), SHA-256 aaaa… + MD5 0123… (40 → medium),
//!   <http://phish.example/login?u=1> + `lure@phish.example` (feed default), `2001:db8::5` (SCO), the defanged
//!   `evil-c2[.]example` SCO merges with evil-c2.example; `process:name` and the snort pattern are unsupported.
//!   7 records, 1 duplicate, 2 unsupported.
//! - `isac` (commercial, low, sector energy): MISP feed → 192.0.2.77, evil-c2.example, the phish URL, the e-mail,
//!   SHA-256 bbbb…, cdn.phish.example + 192.0.2.78 (`domain|ip`), CVE-2023-23397, MD5 cccc… (object); `text`
//!   unsupported. 9 records. Event date 2026-02-10, attribute timestamp 1770768000 = 2026-02-11T00:00:00Z.
//! - `csvlist` (community, medium): evil-c2.example (2026-01-15 → 2026-03-10, tags botnet/c2), 203.0.113.9
//!   (2026-01-20 → 2026-02-01); two non-indicators rejected. 2 records.
//! - `txtlist` (community, low): 198.51.100.23 (twice), <https://drop.example/a.zip>, MD5 d41d8…. 3 records.
//!
//! Records without times get the ingest time (`1_800_000_000` = 2027-01-15T08:00:00Z).
//!
//! Why one file: one test binary (each binary is one more link of the server in CI); every test shares the `Server`
//! harness at the top.
#![expect(clippy::disallowed_methods, reason = "tests write fixture files")]
mod common;

use common::{Server, spec};
use ioclens_core::score::{Confidence, Evidence, SourceCategory};
use ioclens_server::store::{Category, Level};
use serde_json::{Value, json};
use std::collections::BTreeSet;

#[test]
fn ingest_reports_match_the_fixtures() {
    let s = Server::start(None);
    let r = s.feed("stix-bundle.json", &spec("cert", Category::Government, Level::Medium, &[]));
    assert_eq!(
        (r.format, r.status, r.records, r.duplicates, r.unsupported, r.rejected),
        ("stix", "created", 7, 1, 2, 0)
    );
    let r = s.feed("misp", &spec("isac", Category::Commercial, Level::Low, &["energy"]));
    assert_eq!((r.format, r.records, r.unsupported, r.rejected), ("misp", 9, 1, 0));
    let r = s.feed("list.csv", &spec("csvlist", Category::Community, Level::Medium, &[]));
    assert_eq!((r.format, r.records, r.rejected), ("csv", 2, 2));
    let r = s.feed("list.txt", &spec("txtlist", Category::Community, Level::Low, &[]));
    assert_eq!((r.format, r.records, r.duplicates), ("txt", 3, 1));
    // Same content, same options: nothing changes.
    let again = s.feed("stix-bundle.json", &spec("cert", Category::Government, Level::Medium, &[]));
    assert_eq!(again.status, "unchanged");
    // Same content, another confidence: the feed is replaced (not duplicated).
    let changed = s.feed("stix-bundle.json", &spec("cert", Category::Government, Level::High, &[]));
    assert_eq!((changed.status, changed.records), ("replaced", 7));
    let all = s.get("/api/v1/iocs?limit=1000");
    assert_eq!(all.status, 200);
    assert_eq!(all.json["data"].as_array().unwrap().len(), 7 + 9 + 2 + 3);
    assert_eq!(all.json["meta"]["total"], 21);
    assert_eq!(all.json["meta"]["total_exact"], true);
}

#[test]
fn reingesting_a_smaller_feed_removes_what_it_dropped() {
    let s = Server::start(None);
    let first = s.dir.join("v1.txt");
    std::fs::write(&first, "evil-one.example\nevil-two.example\n").unwrap();
    let feed = spec("rolling", Category::Community, Level::Medium, &[]);
    let p = ioclens_server::ingest::read_path(&first).unwrap();
    s.ingest(&feed, p, 1_700_000_000);
    std::fs::write(&first, "EVIL-TWO[.]example\n").unwrap();
    let p = ioclens_server::ingest::read_path(&first).unwrap();
    let r = s.ingest(&feed, p, 1_700_100_000);
    assert_eq!((r.status, r.records), ("replaced", 1));
    let gone = s.get("/api/v1/lookup?ioc=evil-one.example");
    assert_eq!(gone.json["data"]["reporting_sources"], 0);
    let kept = s.get("/api/v1/lookup?ioc=evil-two.example");
    assert_eq!(kept.json["data"]["found"], true);
    // first_seen survives the replacement; last_seen moves to the new ingest.
    assert_eq!(kept.json["data"]["first_seen"], "2023-11-14T22:13:20Z");
    assert_eq!(kept.json["data"]["last_seen"], "2023-11-16T02:00:00Z");
}

#[test]
fn lookup_merges_every_source_of_a_normalised_value() {
    let s = Server::with_fixtures();
    for q in
        ["ioc=evil-c2%5B.%5Dexample", "value=EVIL-C2.example", "ioc=evil-c2.example&type=domain"]
    {
        let r = s.get(&format!("/api/v1/lookup?{q}"));
        assert_eq!(r.status, 200, "{q}: {}", r.text);
        let d = &r.json["data"];
        assert_eq!(d["found"], true);
        assert_eq!(d["ioc_value"], "evil-c2.example");
        assert_eq!(d["ioc_type"], "domain");
        assert_eq!(d["reporting_sources"], 3);
        // cert lists it twice (pattern + defanged SCO, merged into one record with 2 occurrences).
        assert_eq!(d["total_occurrences"], 4);
        assert_eq!(d["first_seen"], "2026-01-15T00:00:00Z");
        assert_eq!(d["last_seen"], "2026-03-10T00:00:00Z");
        let feeds: BTreeSet<&str> = d["sources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["source_feed"].as_str().unwrap())
            .collect();
        assert_eq!(feeds, BTreeSet::from(["cert", "csvlist", "isac"]));
        // One score, the core's: no second feed score beside it.
        assert!(d.get("feed_risk").is_none());
        assert!(d["sources"].as_array().unwrap().iter().all(|x| x["status"] == "active"));
        // `.example` is reserved (RFC 2606): no feed evidence overrides it.
        assert_eq!(d["score"]["verdict"], "reserved");
        assert_eq!(d["risk"]["score"], 0);
        assert!(d["tags"].as_array().unwrap().contains(&json!("botnet")));
        // Older flat fields for first-version clients.
        assert_eq!(r.json["value"], "evil-c2.example");
        assert_eq!(r.json["type"], "domain");
        // The flat shape knows only critical|high|medium|low (SOC Defenders): reserved's `info` is `low` there.
        assert_eq!(d["risk"]["level"], "info");
        assert_eq!(r.json["risk_score"], "low");
        assert_eq!(r.json["sources"].as_array().unwrap().len(), 3);
        assert_eq!(r.json["meta"]["source"], "ioclens");
        assert_eq!(r.json["found"], true);
        assert_eq!(r.json["confidence"], d["confidence"]);
        let old_feeds: BTreeSet<&str> = r.json["sources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["feed_name"].as_str().unwrap())
            .collect();
        assert_eq!(old_feeds, feeds);
        assert_eq!(r.json["sources"][0]["category"], d["sources"][0]["source_category"]);
        // A reserved value (`.example`) gets no hunting queries: `null` in the older shape.
        assert_eq!(d["hunting"]["splunk_query"], "");
        assert_eq!(r.json["hunting_queries"], json!({"splunk": null, "kql": null}));
        let ids = |v: &Value| -> Vec<String> {
            v.as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap().to_owned()).collect()
        };
        assert_eq!(ids(&r.json["mitre_techniques"]), ids(&d["mitre_techniques"]));
    }
    // Otherwise the older shape carries the same queries as the newer one, under the older names.
    let q = s.get("/api/v1/lookup?ioc=update-check.net");
    let splunk = q.json["hunting_queries"]["splunk"].as_str().unwrap();
    assert!(splunk.contains("update-check.net"), "{splunk}");
    assert_eq!(q.json["hunting_queries"]["splunk"], q.json["data"]["hunting"]["splunk_query"]);
    assert_eq!(q.json["hunting_queries"]["kql"], q.json["data"]["hunting"]["kql_query"]);
    let (old, new) = (&q.json["mitre_techniques"], &q.json["data"]["mitre_techniques"]);
    assert!(!old.as_array().unwrap().is_empty());
    for (o, n) in old.as_array().unwrap().iter().zip(new.as_array().unwrap()) {
        assert_eq!(o, &json!({"id": n["id"], "name": n["name"]}));
    }
    // The MISP galaxy tag names an ATT&CK technique.
    let url = s.get("/api/v1/lookup?ioc=hxxp://phish%5B.%5Dexample/login?u%3D1");
    assert_eq!(url.json["data"]["ioc_value"], "http://phish.example/login?u=1");
    assert_eq!(url.json["data"]["reporting_sources"], 2);
    // The MISP galaxy tag rides along in tags; feed records carry its technique id (see feed_filters).
    assert!(
        url.json["data"]["tags"].as_array().unwrap().contains(&json!(
            "misp-galaxy:mitre-attack-pattern=\"Spearphishing Link - T1566.002\""
        ))
    );
    // Hashes are lower-cased; an e-mail from a STIX pattern and a MISP email-src meet.
    let h = s
        .get("/api/v1/lookup?ioc=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    assert_eq!(
        (h.json["data"]["ioc_type"].as_str(), h.json["data"]["found"].as_bool()),
        (Some("sha256"), Some(true))
    );
    let e = s.get("/api/v1/lookup?ioc=LURE@phish.example");
    assert_eq!(e.json["data"]["reporting_sources"], 2);
    // IPv6 is compressed before matching.
    let v6 = s.get("/api/v1/lookup?ioc=2001:0db8:0000:0000:0000:0000:0000:0005");
    assert_eq!(
        (v6.json["data"]["ioc_value"].as_str(), v6.json["data"]["found"].as_bool()),
        (Some("2001:db8::5"), Some(true))
    );
}

/// Score, level, confidence, verdict and factors (name, points) of a lookup answer, from the JSON.
fn verdict_of(d: &Value) -> (Value, Value, Value, Value, Vec<(String, i64)>) {
    let factors = d["score"]["factors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["name"].as_str().unwrap().to_owned(), f["contribution"].as_i64().unwrap()))
        .collect();
    (
        d["risk"]["score"].clone(),
        d["risk"]["level"].clone(),
        d["confidence"].clone(),
        d["score"]["verdict"].clone(),
        factors,
    )
}

/// The same verdict from the core's own lookup (the CLI's path) for the same value and evidence.
fn core_verdict(
    value: &str,
    evidence: Vec<Evidence>,
) -> (Value, Value, Value, Value, Vec<(String, i64)>) {
    let opts = ioclens_core::LookupOptions { hunting: false, evidence, ..Default::default() };
    let r = ioclens_core::lookup(value, &opts, ioclens_server::time::now());
    verdict_of(&serde_json::to_value(&r).unwrap())
}

#[test]
fn the_cli_and_the_server_give_one_verdict() {
    let s = Server::start(None);
    let file = s.dir.join("gov.txt");
    std::fs::write(&file, "zq-feedonly-3k9[.]net\n").unwrap();
    let parsed = ioclens_server::ingest::read_path(&file).unwrap();
    let gov = spec("gov-feed", Category::Government, Level::High, &[]);
    s.ingest(&gov, parsed, 1_790_000_000);
    let r = s.get("/api/v1/lookup?ioc=zq-feedonly-3k9.net");
    let d = &r.json["data"];
    let evidence = vec![Evidence {
        source: "gov-feed".into(),
        origin: Some("txt".into()),
        category: SourceCategory::Government,
        confidence: Confidence::High,
        first_seen: Some(1_790_000_000),
        last_seen: Some(1_790_000_000),
        count: Some(1),
        ..Evidence::default()
    }];
    let server = verdict_of(d);
    assert_eq!(server, core_verdict("zq-feedonly-3k9.net", evidence));
    // A high-confidence feed is a strong source: +50, malicious, high confidence.
    assert!(server.4.contains(&("feed".to_owned(), 50)), "{:?}", server.4);
    assert_eq!((server.2.as_str(), server.3.as_str()), (Some("high"), Some("malicious")));
    assert_eq!(r.json["risk_score"], d["risk"]["level"]);
    assert_eq!(d["found"], true);
    assert!(d.get("feed_risk").is_none());
    assert_eq!(d["score"]["decay"]["since"], 1_790_000_000);

    // The built-in Maltrail feed is the core's embedded Maltrail: one source, not two. The server answers what
    // the CLI answers with no feed at all (same score, level, confidence and factors).
    let p = ioclens_server::ingest::builtin("maltrail").unwrap();
    let maltrail = spec("maltrail", Category::Community, Level::Medium, &[]);
    s.ingest(&maltrail, p, ioclens_server::time::now());
    for v in ["91.215.85.22", "booklng.biz"] {
        let r = s.get(&format!("/api/v1/lookup?ioc={v}"));
        assert_eq!(r.json["data"]["reporting_sources"], 1, "{v}");
        assert_eq!(verdict_of(&r.json["data"]), core_verdict(v, Vec::new()), "{v}");
        assert_eq!(r.json["data"]["confidence"], "high", "{v}");
    }
    // Built-in rows carry the snapshot date, not the load time: nothing of it is new in the last day, and
    // re-loading it changes nothing.
    let recent = s.get("/api/v1/iocs?since=24h&limit=1");
    assert_eq!(recent.json["meta"]["total"], 0, "{}", recent.text);
    let p = ioclens_server::ingest::builtin("maltrail").unwrap();
    s.ingest(&maltrail, p, ioclens_server::time::now());
    assert_eq!(s.get("/api/v1/iocs?since=24h&limit=1").json["meta"]["total"], 0);
    assert_ne!(s.get("/api/v1/iocs?limit=1").json["meta"]["total"], 0);
}

#[test]
fn lookup_not_found_unknown_and_errors() {
    let s = Server::with_fixtures();
    let r = s.get("/api/v1/lookup?ioc=qzv-unlisted-7f3a.com");
    assert_eq!(r.status, 200);
    assert_eq!(r.json["data"]["found"], false, "{}", r.json["data"]["hits"]);
    assert_eq!(r.json["data"]["reporting_sources"], 0);
    assert_eq!(r.json["data"]["sources"], json!([]));
    assert!(r.json["data"].get("feed_risk").is_none());
    // Not an indicator: answered, typed unknown.
    let u = s.get("/api/v1/lookup?ioc=hello%20world");
    assert_eq!(u.status, 200);
    assert_eq!(u.json["data"]["ioc_type"], "unknown");
    assert_eq!(u.json["data"]["found"], false);
    // Errors: forced type contradicted, unknown type, missing value, two different values, over-long, repeated.
    for (q, needle) in [
        ("ioc=1.2.3.4&type=domain", "not a domain"),
        ("ioc=1.2.3.4&type=bogus", "unknown type"),
        ("", "missing `ioc`"),
        ("ioc=a.example&value=b.example", "not two different"),
        ("ioc=a.example&ioc=a.example", "more than once"),
    ] {
        let r = s.get(&format!("/api/v1/lookup?{q}"));
        assert_eq!((r.status, r.error_code()), (400, "invalid_parameter"), "{q}");
        assert!(r.json["error"]["message"].as_str().unwrap().contains(needle), "{q}: {}", r.text);
        assert!(r.json["error"]["request_id"].as_str().unwrap().starts_with("req_"));
        assert_eq!(r.header("x-request-id"), r.json["error"]["request_id"].as_str());
    }
    let long = s.get(&format!("/api/v1/lookup?ioc={}.example", "a".repeat(2100)));
    assert_eq!((long.status, long.error_code()), (400, "invalid_parameter"));
    // ATT&CK aliases of docs/api.md are accepted as types.
    for t in ["mitre-attack", "mitre_attack", "mitre%20technique"] {
        let r = s.get(&format!("/api/v1/lookup?ioc=T1566&type={t}"));
        assert_ne!(r.status, 500, "{t}");
        assert!(r.status == 200 || r.error_code() == "invalid_parameter", "{t}: {}", r.text);
    }
}

#[test]
fn batch_lookup_answers_per_item() {
    let s = Server::with_fixtures();
    let body = json!({"iocs": ["evil-c2[.]example", {"ioc": "192.0.2.77", "type": "ipv4"}, {"ioc": "192.0.2.77", "type": "domain"}, 42, "not an ioc"]});
    let r = s.post("/api/v1/lookup", &body.to_string());
    assert_eq!(r.status, 200, "{}", r.text);
    let d = r.json["data"].as_array().unwrap();
    assert_eq!(d.len(), 5);
    assert_eq!(
        (d[0]["ok"].as_bool(), d[0]["data"]["reporting_sources"].as_i64()),
        (Some(true), Some(3))
    );
    assert_eq!(d[1]["data"]["sources"][0]["source_feed"], "isac");
    assert_eq!(
        (d[2]["ok"].as_bool(), d[2]["error"]["code"].as_str()),
        (Some(false), Some("invalid_parameter"))
    );
    assert_eq!((d[3]["ok"].as_bool(), d[3]["input"].as_i64()), (Some(false), Some(42)));
    assert_eq!(
        (d[4]["ok"].as_bool(), d[4]["data"]["ioc_type"].as_str()),
        (Some(true), Some("unknown"))
    );
    // A bare array works too.
    let bare = s.post("/api/v1/lookup", r#"["203.0.113.9"]"#);
    assert_eq!(bare.json["data"][0]["data"]["found"], true);
    // Limits and malformed bodies.
    let many: Vec<String> = (0..1001).map(|i| format!("10.0.{}.{}", i / 256, i % 256)).collect();
    let r = s.post("/api/v1/lookup", &serde_json::to_string(&many).unwrap());
    assert_eq!((r.status, r.error_code()), (400, "invalid_parameter"));
    let thousand: Vec<String> = many[..1000].to_vec();
    let r = s.post("/api/v1/lookup", &serde_json::to_string(&thousand).unwrap());
    assert_eq!((r.status, r.json["data"].as_array().unwrap().len()), (200, 1000));
    for bad in ["", "{", "{\"x\": 1}", "[]", "\"a\""] {
        let r = s.post("/api/v1/lookup", bad);
        assert_eq!((r.status, r.error_code()), (400, "invalid_parameter"), "{bad:?}");
    }
    let huge = format!("[\"{}\"]", "a".repeat(5 * 1024 * 1024));
    let r = s.post("/api/v1/lookup", &huge);
    assert_eq!((r.status, r.error_code()), (400, "invalid_parameter"));
}

fn values(r: &common::Reply) -> BTreeSet<String> {
    r.json["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            format!(
                "{}:{}",
                x["source"]["feed_name"].as_str().unwrap(),
                x["value"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn feed_filters() {
    let s = Server::with_fixtures();
    let domains = s.get("/api/v1/iocs?type=domain");
    assert_eq!(
        values(&domains),
        BTreeSet::from(
            [
                "cert:evil-c2.example",
                "csvlist:evil-c2.example",
                "isac:cdn.phish.example",
                "isac:evil-c2.example"
            ]
            .map(String::from)
        )
    );
    assert_eq!(domains.json["meta"]["filters"]["type"], "domain");
    let high = s.get("/api/v1/iocs?confidence=high");
    assert_eq!(
        values(&high),
        BTreeSet::from(["cert:198.51.100.23", "cert:evil-c2.example"].map(String::from))
    );
    let gov = s.get("/api/v1/iocs?category=government");
    assert_eq!(gov.json["meta"]["total"], 7);
    let energy = s.get("/api/v1/iocs?industry=energy");
    assert_eq!(energy.json["meta"]["total"], 9);
    assert_eq!(energy.json["data"][0]["sectors"], json!(["energy"]));
    let none = s.get("/api/v1/iocs?industry=healthcare");
    assert_eq!((none.status, none.json["meta"]["total"].as_i64()), (200, Some(0)));
    // since/until bound when the source first listed the value: csvlist saw evil-c2 until 2026-03-10 but
    // first listed it on 2026-01-15, so it is not in a window on 2026-03-01.
    let window = s.get("/api/v1/iocs?since=2026-03-01T00:00:00Z&until=2026-03-01T23:59:59Z");
    assert_eq!(
        values(&window),
        BTreeSet::from(["cert:198.51.100.23", "cert:evil-c2.example"].map(String::from))
    );
    // Lookbacks count back from now: ingest time 2027-01-15 is older than 7 days only when the clock says so.
    let recent = s.get("/api/v1/iocs?since=7d");
    assert_eq!(recent.status, 200);
    let combined =
        s.get("/api/v1/iocs?type=ipv4&category=commercial&industry=energy&confidence=low");
    assert_eq!(
        values(&combined),
        BTreeSet::from(["isac:192.0.2.77", "isac:192.0.2.78"].map(String::from))
    );
    let cve = s.get("/api/v1/iocs?type=cve");
    assert_eq!(cve.json["data"][0]["value"], "CVE-2023-23397");
    assert_eq!(cve.json["data"][0]["mitre_techniques"][0]["id"], "T1566.002");
    // Record shape of docs/api.md.
    let rec = &high.json["data"][0];
    assert_eq!(rec["source"]["category"], "government");
    assert_eq!(rec["source"]["reference_url"], "https://cert.example/report-1");
    assert_eq!(rec["source"]["origin"], "stix");
    assert_eq!(rec["id"].as_str().unwrap().len(), 36);
    for (q, needle) in [
        ("type=bogus", "unknown type"),
        ("confidence=certain", "confidence"),
        ("category=vendor", "category"),
        ("industry=banking", "industry"),
        ("since=yesterday", "since"),
        ("until=2026-02-30", "until"),
        ("until=Y%F0%AE%BE%9E%C2%BF%5E", "until"),
        ("since=2026-01-01T00:00%2B%E2%82%AC1", "since"),
        ("limit=0", "limit"),
        ("offset=10001", "offset"),
        ("cursor=zz", "cursor"),
        ("format=xml", "format"),
    ] {
        let r = s.get(&format!("/api/v1/iocs?{q}"));
        assert_eq!((r.status, r.error_code()), (400, "invalid_parameter"), "{q}");
        assert!(r.json["error"]["message"].as_str().unwrap().contains(needle), "{q}: {}", r.text);
    }
}

/// API clients break on small things (#22 item 7): each is tolerated, or answered precisely.
#[test]
fn the_api_tolerates_what_clients_send() {
    let s = Server::with_fixtures();
    // Unknown query parameters (a cache-buster) are ignored and named in a header.
    let busted = s.get("/api/v1/iocs?type=domain&_=1733600000&colour=red");
    assert_eq!(busted.status, 200, "{}", busted.text);
    assert_eq!(busted.header("x-ignored-parameters"), Some("_, colour"));
    assert_eq!(values(&busted), values(&s.get("/api/v1/iocs?type=domain")));
    assert_eq!(s.get("/api/v1/iocs?type=domain").header("x-ignored-parameters"), None);
    let looked = s.get("/api/v1/lookup?ioc=evil-c2.example&nocache=1");
    assert_eq!((looked.status, looked.header("x-ignored-parameters")), (200, Some("nocache")));
    // Families of types: `ip` is ipv4 + ipv6 + cidr, `hash` every digest.
    let ips = s.get("/api/v1/iocs?type=ip&limit=1000");
    assert_eq!(ips.status, 200, "{}", ips.text);
    let kinds: BTreeSet<String> = ips.json["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["type"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        kinds.contains("ipv4")
            && kinds.iter().all(|k| ["ipv4", "ipv6", "cidr"].contains(&k.as_str())),
        "{kinds:?}"
    );
    assert_eq!(ips.json["meta"]["filters"]["type"], "ip");
    let only_v4 = s.get("/api/v1/iocs?type=ipv4&limit=1000");
    assert!(values(&ips).is_superset(&values(&only_v4)) && !values(&only_v4).is_empty());
    let hashes = s.get("/api/v1/iocs?type=hash&limit=1000");
    assert!(!values(&hashes).is_empty(), "{}", hashes.text);
    assert!(
        hashes.json["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| ["md5", "sha1", "sha256", "sha512"].contains(&r["type"].as_str().unwrap()))
    );
    let ip_lookup = s.get("/api/v1/lookup?ioc=198.51.100.23&type=ip");
    assert_eq!(ip_lookup.status, 200, "{}", ip_lookup.text);
    let not_ip = s.get("/api/v1/lookup?ioc=evil-c2.example&type=ip");
    assert_eq!((not_ip.status, not_ip.error_code()), (400, "invalid_parameter"));
    assert!(not_ip.text.contains("detected: domain"), "{}", not_ip.text);
    // One type vocabulary: the error lists the wire names the records carry (`attack`, not `mitre-attack`).
    let bogus = s.get("/api/v1/iocs?type=bogus");
    let msg = bogus.json["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains(", attack,") && !msg.contains("mitre-attack") && msg.contains("ip, hash"),
        "{msg}"
    );
    // A limit above the cap is served at the cap, which `meta` states.
    let big = s.get("/api/v1/iocs?limit=5000");
    assert_eq!(big.status, 200, "{}", big.text);
    assert_eq!(
        (big.json["meta"]["limit"].as_i64(), big.json["meta"]["limit_max"].as_i64()),
        (Some(1000), Some(1000))
    );
    // A scheme the server does not read gets a precise 401 that echoes the scheme, never the credentials.
    let token =
        s.call("GET", "/api/v1/feeds", &[("Authorization", &format!("Token {}", s.key))], None);
    assert_eq!((token.status, token.error_code()), (401, "unsupported_auth_scheme"));
    assert!(token.text.contains("Token") && !token.text.contains(&s.key), "{}", token.text);
    let none = s.call("GET", "/api/v1/feeds", &[], None);
    assert_eq!((none.status, none.error_code()), (401, "missing_api_key"));
    // Trailing slashes.
    for path in [
        "/api/v1/lookup/?ioc=evil-c2.example",
        "/api/v1/iocs/",
        "/api/v1/feeds/",
        "/api/v1/health/",
    ] {
        assert_eq!(s.get(path).status, 200, "{path}");
    }
    // `meta` on every list answer.
    let feeds = s.get("/api/v1/feeds");
    assert_eq!(
        feeds.json["meta"]["count"],
        feeds.json["data"].as_array().unwrap().len(),
        "{}",
        feeds.text
    );
    assert_eq!(feeds.json["meta"]["source"], "ioclens");
}

/// `format=misp` (#22 item 7): a MISP event whose attribute types and `to_ids` are the core's table, and which
/// MISP's own event shape reads back (here: the server's MISP importer).
#[test]
fn feed_misp_export() {
    let s = Server::with_fixtures();
    let r = s.get("/api/v1/iocs?format=misp&limit=1000");
    assert_eq!(r.status, 200, "{}", r.text);
    let attrs = r.json["Event"]["Attribute"].as_array().unwrap();
    let records = s.get("/api/v1/iocs?limit=1000");
    assert_eq!(attrs.len(), records.json["data"].as_array().unwrap().len());
    let of = |v: &str| {
        attrs.iter().find(|a| a["value"] == v).unwrap_or_else(|| panic!("{v}: {}", r.text))
    };
    let expect = [
        ("198.51.100.23", "ip-dst", true),
        ("2001:db8::5", "ip-dst", true),
        ("evil-c2.example", "domain", true),
        ("http://phish.example/login?u=1", "url", true),
        ("lure@phish.example", "email-src", true),
        ("0123456789abcdef0123456789abcdef", "md5", true),
        ("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "sha256", true),
        ("CVE-2023-23397", "vulnerability", false),
    ];
    for (value, ty, ids) in expect {
        let a = of(value);
        assert_eq!((a["type"].as_str(), a["to_ids"].as_bool()), (Some(ty), Some(ids)), "{a}");
    }
    assert!(attrs.iter().all(|a| a["uuid"].as_str().unwrap().len() == 36));
    // Read back: every exported value of an importable type, `to_ids: false` as "not for detection".
    let back = ioclens_server::ingest::parse_text(&r.text, "json").unwrap();
    assert_eq!(back.format, "misp");
    let values: BTreeSet<&str> = back.records.iter().map(|x| x.value.as_str()).collect();
    for (value, _, ids) in expect {
        assert!(values.contains(value), "{value}");
        let rec = back.records.iter().find(|x| x.value == value).unwrap();
        assert_eq!(rec.status & ioclens_server::store::NOT_FOR_DETECTION == 0, ids, "{value}");
    }
}

#[test]
fn feed_cursor_and_offset_paging() {
    let s = Server::with_fixtures();
    let mut next = Some("/api/v1/iocs?limit=4".to_owned());
    let mut seen = Vec::new();
    let mut last: Option<String> = None;
    let mut pages = 0;
    while let Some(url) = next {
        let r = s.get(&url);
        assert_eq!(r.status, 200, "{url}: {}", r.text);
        for rec in r.json["data"].as_array().unwrap() {
            let ls = rec["last_seen"].as_str().unwrap().to_owned();
            if let Some(prev) = &last {
                assert!(ls <= *prev, "newest first");
            }
            last = Some(ls);
            seen.push(rec["id"].as_str().unwrap().to_owned());
        }
        next = r.json["links"]["next"].as_str().map(str::to_owned);
        assert_eq!(r.json["meta"]["next_cursor"].is_null(), next.is_none());
        pages += 1;
    }
    assert_eq!(pages, 6); // 21 records, 4 per page
    assert_eq!(seen.len(), 21);
    assert_eq!(seen.iter().collect::<BTreeSet<_>>().len(), 21);
    // offset pages agree with the cursor walk.
    let off = s.get("/api/v1/iocs?limit=4&offset=8");
    let ids: Vec<&str> =
        off.json["data"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, seen[8..12].iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(off.json["meta"]["offset"], 8);
    let tail = s.get("/api/v1/iocs?limit=5&offset=20");
    assert_eq!(tail.json["data"].as_array().unwrap().len(), 1);
    assert!(tail.json["links"]["next"].is_null());
    let both = s.get(&format!(
        "/api/v1/iocs?offset=4&cursor={}",
        s.get("/api/v1/iocs?limit=1").json["meta"]["next_cursor"].as_str().unwrap()
    ));
    assert_eq!(both.status, 400);
}

#[test]
fn feed_formats() {
    let s = Server::with_fixtures();
    let csv = s.get("/api/v1/iocs?format=csv&type=domain&category=community");
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    let lines: Vec<&str> = csv.text.lines().collect();
    assert_eq!(
        lines[0],
        "id,type,value,confidence,first_seen,last_seen,source_article,source_feed,category,tags"
    );
    assert_eq!(lines.len(), 2);
    assert!(lines[1].ends_with(",domain,evil-c2.example,medium,2026-01-15T00:00:00Z,2026-03-10T00:00:00Z,,csvlist,community,botnet;c2"), "{}", lines[1]);
    let txt = s.get("/api/v1/iocs?format=txt&type=ipv4&limit=2");
    assert!(txt.header("content-type").unwrap().starts_with("text/plain"));
    assert_eq!(txt.text.lines().count(), 2);
    assert!(txt.header("link").unwrap().contains("rel=\"next\""));
    let stix = s.get("/api/v1/iocs?format=stix&confidence=high");
    assert_eq!(stix.json["type"], "bundle");
    let objs = stix.json["objects"].as_array().unwrap();
    assert_eq!(objs.len(), 3);
    // The TLP 2.0 marking definition the records use rides in the bundle.
    assert_eq!(objs[0]["type"], "marking-definition");
    assert_eq!(objs[0]["name"], "TLP:CLEAR");
    let ip = objs.iter().find(|o| o["pattern"] == "[ipv4-addr:value = '198.51.100.23']").unwrap();
    assert_eq!(ip["confidence"], 85);
    assert_eq!(ip["pattern_type"], "stix");
    assert_eq!(ip["valid_from"], "2026-03-01T10:00:00Z");
    assert_eq!(
        ip["object_marking_refs"][0],
        "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
    );
    // Same query twice: same ids (deterministic UUIDs).
    let again = s.get("/api/v1/iocs?format=stix&confidence=high");
    assert_eq!(stix.json["objects"], again.json["objects"]);
    let hashes = s.get("/api/v1/iocs?format=stix&type=sha256&category=government");
    assert_eq!(
        hashes.json["objects"][1]["pattern"],
        format!("[file:hashes.'SHA-256' = '{}']", "a".repeat(64))
    );
    let cve = s.get("/api/v1/iocs?format=stix&type=cve");
    assert_eq!(cve.json["objects"][1]["type"], "vulnerability");
}

/// `GET /api/v1/iocs` with `If-None-Match`: `200` for `q` with a weak validator and the page caching rule, then
/// `304` with no body for the same tag (plain, strong-form, or in a list). Returns the tag.
fn revalidates(s: &Server, q: &str) -> String {
    let auth = format!("Bearer {}", s.key);
    let path = format!("/api/v1/iocs{q}");
    let first = s.get(&path);
    assert_eq!(first.status, 200, "{q}: {}", first.text);
    assert!(!first.text.is_empty(), "{q}");
    assert_eq!(first.header("cache-control"), Some("private, max-age=30"), "{q}");
    let etag = first.header("etag").expect("feed pages carry an ETag").to_owned();
    assert!(etag.starts_with("W/\"") && etag.len() == 36, "{q}: {etag}");
    for inm in [etag.clone(), etag[2..].to_owned(), format!("\"0\", {etag}")] {
        let again =
            s.call("GET", &path, &[("Authorization", &auth), ("If-None-Match", &inm)], None);
        assert_eq!(again.status, 304, "{q} {inm}: {}", again.text);
        assert!(again.text.is_empty(), "{q}");
        assert_eq!(again.header("etag"), Some(etag.as_str()), "{q}");
        assert_eq!(again.header("cache-control"), Some("private, max-age=30"), "{q}");
        // The gate's headers ride on the 304 too.
        assert!(again.header("x-request-id").is_some(), "{q}");
    }
    etag
}

/// Feed pages answer conditional GETs with a validator derived from what the page says (format, query, each
/// record as served), not from the clock: one tag per page across seconds, another once a record changes,
/// even when the store's feed version does not.
#[test]
fn feed_pages_revalidate_with_etags() {
    let s = Server::with_fixtures();
    let queries = [
        "?limit=2",
        "?limit=3",
        "?format=csv&limit=2",
        "?format=txt&type=ipv4",
        "?format=stix&confidence=high",
        "?format=misp&limit=3",
    ];
    let tags: Vec<String> = queries.iter().map(|q| revalidates(&s, q)).collect();
    let distinct: BTreeSet<&String> = tags.iter().collect();
    assert_eq!(distinct.len(), tags.len(), "one tag per page: {tags:?}");
    // The next page (its own tag), by cursor.
    let first = s.get("/api/v1/iocs?limit=2");
    let next = first.json["links"]["next"].as_str().unwrap().trim_start_matches("/api/v1/iocs");
    let next_tag = revalidates(&s, next);
    assert!(!tags.contains(&next_tag));
    // `generated_at` moves with the clock; the tag does not.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let later = s.get("/api/v1/iocs?limit=2");
    assert_ne!(later.json["meta"]["generated_at"], first.json["meta"]["generated_at"]);
    assert_eq!(later.header("etag"), Some(tags[0].as_str()));
    // A stale tag gets the page.
    let auth = format!("Bearer {}", s.key);
    let stale = s.call(
        "GET",
        "/api/v1/iocs?limit=3",
        &[("Authorization", &auth), ("If-None-Match", &tags[0])],
        None,
    );
    assert_eq!(stale.status, 200);
    assert_eq!(stale.header("etag"), Some(tags[1].as_str()));

    // One feed re-ingested at the same time with the same number of feeds: the feed version stays, the
    // record changes, and so does the tag.
    let s = Server::start(None);
    let file = s.dir.join("mine.txt");
    let load = |value: &str| {
        std::fs::write(&file, format!("{value}\n")).unwrap();
        let parsed = ioclens_server::ingest::read_path(&file).unwrap();
        s.ingest(&spec("mine", Category::Community, Level::Medium, &[]), parsed, 1_800_000_000);
    };
    load("one.evil-etag.example");
    let version = s.get("/api/v1/feeds").json["meta"]["feed_version"].clone();
    let before = revalidates(&s, "?limit=10");
    load("two.evil-etag.example");
    assert_eq!(s.get("/api/v1/feeds").json["meta"]["feed_version"], version);
    let after = s.call(
        "GET",
        "/api/v1/iocs?limit=10",
        &[("Authorization", &format!("Bearer {}", s.key)), ("If-None-Match", &before)],
        None,
    );
    assert_eq!(after.status, 200, "{}", after.text);
    assert_eq!(after.json["data"][0]["value"], "two.evil-etag.example");
    assert_ne!(after.header("etag"), Some(before.as_str()));
    let _ = std::fs::remove_dir_all(&s.dir);
}

/// `GET /api/v1/intel/pack` with a real signed pack: the bytes with a strong `ETag` made of the pack's own
/// SHA-256 trailer, `Cache-Control: private, no-cache`, its signature; `If-None-Match` → 304 with no body
/// until the server installs another pack.
#[test]
fn the_intel_pack_revalidates_with_its_digest() {
    use ioclens_core::intel::pack::{self, Entry, SourceData, SourceMeta};
    let dir = std::env::temp_dir().join(format!("ioclens-pack-etag-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let write_pack = |values: &[&str]| {
        let source = SourceData {
            meta: SourceMeta {
                name: "etag-test".to_owned(),
                category: "c2".to_owned(),
                format: "plain".to_owned(),
                confidence: 80,
                fetched_at: 1_800_000_000,
                upstream_date: None,
                entries: 0,
            },
            entries: values
                .iter()
                .map(|v| Entry::new(ioclens_core::IocKind::Domain, (*v).to_owned()))
                .collect(),
        };
        let bytes = pack::write(&[source], 1_800_000_000).unwrap();
        std::fs::write(dir.join("pack.bin"), &bytes).unwrap();
        bytes
    };
    let bytes = write_pack(&["pack-only.example"]);
    let live = std::sync::Arc::new(
        ioclens_server::intel::Live::new(dir.clone(), std::time::Duration::from_hours(1))
            .with_key(ioclens_server::intel::signing_key(&dir).unwrap()),
    );
    let s = Server::start_settings(ioclens_server::api::Settings {
        intel: Some(live.clone()),
        ..ioclens_server::api::Settings::default()
    });
    let auth = format!("Bearer {}", s.key);
    let url = format!("{}/api/v1/intel/pack", s.base);
    let fetch = |inm: Option<&str>| {
        let mut r = s.agent.get(&url).header("Authorization", &auth);
        if let Some(v) = inm {
            r = r.header("If-None-Match", v);
        }
        let mut res = r.call().unwrap();
        let h = |n: &str| res.headers().get(n).map(|v| v.to_str().unwrap().to_owned());
        let (etag, cc, sig, key) =
            (h("etag"), h("cache-control"), h("x-ioclens-signature"), h("x-ioclens-public-key"));
        let status = res.status().as_u16();
        (status, res.body_mut().read_to_vec().unwrap(), etag.unwrap(), cc, sig.unwrap(), key)
    };
    let (status, body, etag, cc, sig, key) = fetch(None);
    assert_eq!(status, 200);
    assert_eq!(body, bytes);
    let trailer = &bytes[bytes.len() - 32..];
    assert_eq!(etag, format!("\"{}\"", ioclens_server::intel::hex(&trailer[..16])));
    assert_eq!(cc.as_deref(), Some("private, no-cache"));
    ioclens_core::intel::signature::verify_pack(&body, &sig, &key.unwrap()).unwrap();
    for inm in [etag.clone(), format!("W/{etag}"), format!("\"0\", {etag}"), "*".to_owned()] {
        let (status, body, again, cc, _, _) = fetch(Some(&inm));
        assert_eq!((status, body.len()), (304, 0), "{inm}");
        assert_eq!(again, etag);
        assert_eq!(cc.as_deref(), Some("private, no-cache"));
    }
    // Through the checked client too: the 304 is documented, and comes without a body.
    let r = s.call(
        "GET",
        "/api/v1/intel/pack",
        &[("Authorization", &auth), ("If-None-Match", &etag)],
        None,
    );
    assert_eq!(r.status, 304);
    // A newer pack: the old tag gets the new bytes and a new tag.
    let newer = write_pack(&["pack-only.example", "pack-later.example"]);
    live.reload();
    let (status, body, tag2, _, _, _) = fetch(Some(&etag));
    assert_eq!(status, 200);
    assert_eq!(body, newer);
    assert_ne!(tag2, etag);
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&s.dir);
}

#[test]
fn auth_keys_and_rate_limits() {
    let s = Server::with_fixtures();
    let none = s.call("GET", "/api/v1/lookup?ioc=evil-c2.example", &[], None);
    assert_eq!((none.status, none.error_code()), (401, "missing_api_key"));
    let bad = s.call("GET", "/api/v1/iocs", &[("Authorization", "Bearer ioc_not-a-key")], None);
    assert_eq!((bad.status, bad.error_code()), (401, "invalid_api_key"));
    let xkey = s.call("GET", "/api/v1/feeds", &[("X-API-Key", &s.key)], None);
    assert_eq!(xkey.status, 200);
    assert_eq!(xkey.json["data"].as_array().unwrap().len(), 4);
    // Never in the query string, even with a valid key.
    let q = s.call("GET", &format!("/api/v1/iocs?api_key={}", s.key), &[], None);
    assert_eq!((q.status, q.error_code()), (400, "invalid_parameter"));
    assert!(
        q.json["error"]["message"].as_str().unwrap().contains("never accepted in the query string")
    );
    // Health and the OpenAPI document need no key.
    let h = s.call("GET", "/health", &[], None);
    assert_eq!(
        (h.status, h.json["status"].as_str(), h.json["feeds"].as_i64()),
        (200, Some("ok"), Some(4))
    );
    let doc = s.call("GET", "/api/v1/openapi.json", &[], None);
    assert_eq!(doc.json["openapi"], "3.1.0");
    // Per-key limit: 3 per minute.
    let (limited, id) = s.key_with_limit(3);
    let auth = format!("Bearer {limited}");
    let mut remaining = Vec::new();
    for _ in 0..3 {
        let r =
            s.call("GET", "/api/v1/lookup?ioc=evil-c2.example", &[("Authorization", &auth)], None);
        assert_eq!(r.status, 200);
        assert_eq!(r.header("x-ratelimit-limit"), Some("3"));
        remaining.push(r.header("x-ratelimit-remaining").unwrap().parse::<i64>().unwrap());
        let reset: i64 = r.header("x-ratelimit-reset").unwrap().parse().unwrap();
        let now = ioclens_server::time::now();
        assert!((now..=now + 61).contains(&reset), "{reset} vs {now}");
    }
    // A sliding window: the fourth request within the minute is refused, whenever the minute started.
    let r = s.call("GET", "/api/v1/lookup?ioc=evil-c2.example", &[("Authorization", &auth)], None);
    assert_eq!(remaining, [2, 1, 0]);
    assert_eq!((r.status, r.error_code()), (429, "rate_limit_exceeded"));
    let retry: i64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((55..=61).contains(&retry), "{retry}");
    assert_eq!(r.header("x-ratelimit-remaining"), Some("0"));
    // Unlimited keys carry no rate-limit headers.
    assert_eq!(s.get("/api/v1/feeds").header("x-ratelimit-limit"), None);
    // Revoked keys are refused, at the latest `KEY_RECHECK` after the revocation (the server trusts a key it
    // verified for that long; `keys revoke` runs in another process, as here through another connection).
    assert!(s.revoke(id));
    std::thread::sleep(ioclens_server::api::KEY_RECHECK + std::time::Duration::from_millis(100));
    let r = s.call("GET", "/api/v1/feeds", &[("Authorization", &auth)], None);
    assert_eq!((r.status, r.error_code()), (403, "forbidden"));
    // Once refused, a revoked key stays refused (it is not cached as valid again).
    let r = s.call("GET", "/api/v1/feeds", &[("Authorization", &auth)], None);
    assert_eq!((r.status, r.error_code()), (403, "forbidden"));
}

#[test]
fn cors_preflights_and_exposed_headers() {
    let cors =
        ioclens_server::api::Cors::new(["https://soc.example:8443", "moz-extension://*"]).unwrap();
    let s = Server::start_with(None, cors);
    let (limited, _) = s.key_with_limit(100);
    let preflight = |origin: &str, extra: &[(&str, &str)]| {
        let mut h = vec![
            ("Origin", origin),
            ("Access-Control-Request-Method", "GET"),
            ("Access-Control-Request-Headers", "authorization"),
        ];
        h.extend_from_slice(extra);
        s.call("OPTIONS", "/api/v1/lookup?ioc=x", &h, None)
    };
    // An allowed origin: 204 with what the browser checks (Fetch standard, CORS protocol); no key needed.
    let ok = preflight("https://soc.example:8443", &[]);
    assert_eq!(ok.status, 204, "{}", ok.text);
    assert_eq!(ok.header("access-control-allow-origin"), Some("https://soc.example:8443"));
    let methods = ok.header("access-control-allow-methods").unwrap();
    assert!(methods.contains("GET") && methods.contains("POST"), "{methods}");
    let allowed = ok.header("access-control-allow-headers").unwrap().to_ascii_lowercase();
    assert!(allowed.contains("authorization") && allowed.contains("x-api-key"), "{allowed}");
    // A page that revalidates by hand sends the validator back.
    assert!(allowed.contains("if-none-match"), "{allowed}");
    assert!(ok.header("access-control-max-age").is_some());
    assert_eq!(ok.header("access-control-allow-credentials"), None);
    assert_eq!(ok.header("access-control-allow-private-network"), None);
    // Chrome's Private Network Access preflight (a public page calling 127.0.0.1).
    let pna = preflight(
        "moz-extension://6f0e2b9a-1c1d-4e8e-9d43-0d2b1c4a7e11",
        &[("Access-Control-Request-Private-Network", "true")],
    );
    assert_eq!(pna.status, 204);
    assert_eq!(pna.header("access-control-allow-private-network"), Some("true"));
    // Any other origin (a different port is a different origin) is refused, with a reason.
    for origin in ["https://soc.example", "https://evil.example", "chrome-extension://abc", "null"]
    {
        let no = preflight(origin, &[]);
        assert_eq!((no.status, no.error_code()), (403, "forbidden"), "{origin}");
        assert_eq!(no.header("access-control-allow-origin"), None, "{origin}");
    }
    // The real request from an allowed origin: the answer names the origin and exposes the rate-limit headers.
    let auth = format!("Bearer {limited}");
    let r = s.call(
        "GET",
        "/api/v1/lookup?ioc=evil-c2.example",
        &[("Origin", "https://soc.example:8443"), ("Authorization", &auth)],
        None,
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.header("access-control-allow-origin"), Some("https://soc.example:8443"));
    assert!(r.header("vary").unwrap().contains("Origin"));
    let exposed = r.header("access-control-expose-headers").unwrap().to_ascii_lowercase();
    for h in [
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
        "retry-after",
        "etag",
        "x-ioclens-signature",
        "x-ioclens-public-key",
    ] {
        assert!(exposed.contains(h), "{h} in {exposed}");
    }
    assert_eq!(r.header("x-ratelimit-limit"), Some("100"));
    // Errors carry the CORS headers too, so the page can read why.
    let unauth =
        s.call("GET", "/api/v1/lookup?ioc=x", &[("Origin", "https://soc.example:8443")], None);
    assert_eq!((unauth.status, unauth.error_code()), (401, "missing_api_key"));
    assert_eq!(unauth.header("access-control-allow-origin"), Some("https://soc.example:8443"));
    // A disallowed origin gets an answer (CORS is enforced by the browser) without CORS headers.
    let other = s.call(
        "GET",
        "/api/v1/lookup?ioc=evil-c2.example",
        &[("Origin", "https://evil.example"), ("Authorization", &auth)],
        None,
    );
    assert_eq!(other.status, 200);
    assert_eq!(other.header("access-control-allow-origin"), None);
    // Without --cors-origin no origin is allowed.
    let plain = Server::start(None);
    let refused = plain.call(
        "OPTIONS",
        "/api/v1/iocs",
        &[("Origin", "https://soc.example:8443"), ("Access-Control-Request-Method", "GET")],
        None,
    );
    assert_eq!((refused.status, refused.error_code()), (403, "forbidden"));
}

#[test]
fn static_files_and_unknown_routes() {
    let www = std::env::temp_dir().join(format!("ioclens-www-{}", std::process::id()));
    std::fs::create_dir_all(www.join("assets")).unwrap();
    std::fs::write(www.join("index.html"), "<!doctype html><title>ioclens</title>").unwrap();
    std::fs::write(www.join("assets/app.js"), "console.log(1)").unwrap();
    let s = Server::start(Some(www.clone()));
    let index = s.call("GET", "/", &[], None);
    assert_eq!((index.status, index.text.as_str()), (200, "<!doctype html><title>ioclens</title>"));
    assert!(index.header("content-type").unwrap().starts_with("text/html"));
    let js = s.call("GET", "/assets/app.js", &[], None);
    assert!(js.header("content-type").unwrap().starts_with("text/javascript"));
    // Revalidation: the validator comes back, a matching If-None-Match gets 304 with no body, a stale one the file.
    let etag = js.header("etag").expect("static files carry an ETag").to_owned();
    assert_eq!(js.header("cache-control"), Some("no-cache"));
    let same = s.call("GET", "/assets/app.js", &[("If-None-Match", &etag)], None);
    assert_eq!((same.status, same.text.as_str()), (304, ""));
    assert_eq!(same.header("etag"), Some(etag.as_str()));
    let stale = s.call("GET", "/assets/app.js", &[("If-None-Match", "W/\"0-0\"")], None);
    assert_eq!((stale.status, stale.text.as_str()), (200, "console.log(1)"));
    // A name that carries a content hash never changes content: no revalidation. Anything else revalidates.
    std::fs::write(www.join("assets/app.0123456789abcdef.js"), "console.log(3)").unwrap();
    let hashed = s.call("GET", "/assets/app.0123456789abcdef.js", &[], None);
    assert_eq!(hashed.status, 200);
    assert_eq!(hashed.header("cache-control"), Some("public, max-age=31536000, immutable"));
    assert_eq!(index.header("cache-control"), Some("no-cache"));
    for name in [
        "app.0123456789ABCDEF.js",
        "app.0123456789abcde.js",
        ".0123456789abcdef.js",
        "app.0123456789abcdeg.js",
    ] {
        std::fs::write(www.join("assets").join(name), "x").unwrap();
        let other = s.call("GET", &format!("/assets/{name}"), &[], None);
        assert_eq!(other.header("cache-control"), Some("no-cache"), "{name}");
    }
    std::fs::write(www.join("assets/app.js"), "console.log(22)").unwrap();
    let changed = s.call("GET", "/assets/app.js", &[("If-None-Match", &etag)], None);
    assert_eq!((changed.status, changed.text.as_str()), (200, "console.log(22)"));
    assert_ne!(changed.header("etag"), Some(etag.as_str()));
    let traversal = s.call("GET", "/assets/%2e%2e/%2e%2e/etc/passwd", &[], None);
    assert_eq!(traversal.status, 404);
    let api404 = s.get("/api/v1/nope");
    assert_eq!((api404.status, api404.error_code()), (404, "not_found"));
    // Without a page, `/` says how to build one rather than "no such endpoint".
    let bare = Server::start(None);
    let root = bare.call("GET", "/", &[], None);
    assert_eq!((root.status, root.error_code()), (404, "not_found"));
    assert!(
        root.json["error"]["message"].as_str().unwrap().contains("node www/build.mjs"),
        "{}",
        root.text
    );
    let method = s.call("DELETE", "/api/v1/lookup", &[("X-API-Key", &s.key)], None);
    assert_eq!((method.status, method.error_code()), (405, "method_not_allowed"));
    std::fs::remove_dir_all(www).unwrap();
}

/// Every documented (path, method, status) is exercised and answers as documented (schemas are checked on
/// every reply by `Server::call`).
#[test]
fn openapi_document_is_true() {
    let s = Server::with_fixtures();
    let (limited, id) = s.key_with_limit(1);
    let lim = format!("Bearer {limited}");
    let (revoked, rid) = s.key_with_limit(0);
    assert!(s.revoke(rid));
    let rev = format!("Bearer {revoked}");
    let _ = id;
    let auth_cases =
        |method: &str, path: &str, ok_query: &str, bad_query: &str, body: Option<&str>| {
            let key = format!("Bearer {}", s.key);
            s.call(method, &format!("{path}{ok_query}"), &[("Authorization", &key)], body);
            s.call(
                method,
                &format!("{path}{bad_query}"),
                &[("Authorization", &key)],
                body.map(|_| "{"),
            );
            s.call(method, &format!("{path}{ok_query}"), &[], body);
            s.call(method, &format!("{path}{ok_query}"), &[("Authorization", &rev)], body);
        };
    auth_cases("GET", "/api/v1/lookup", "?ioc=evil-c2.example", "?type=bogus", None);
    auth_cases("POST", "/api/v1/lookup", "", "", Some("[\"evil-c2.example\"]"));
    auth_cases("GET", "/api/v1/iocs", "?limit=2", "?limit=0", None);
    auth_cases("GET", "/api/v1/iocs", "?format=csv&limit=2", "?format=csv&limit=0", None);
    auth_cases("GET", "/api/v1/iocs", "?format=txt", "?format=txt&cursor=zz", None);
    auth_cases("GET", "/api/v1/iocs", "?format=stix", "?format=stix&since=x", None);
    auth_cases("GET", "/api/v1/feeds", "", "?x=1", None);
    let bearer = format!("Bearer {}", s.key);
    let page = s.call("GET", "/api/v1/iocs?limit=2", &[("Authorization", &bearer)], None);
    let etag = page.header("etag").unwrap().to_owned();
    let not_modified = s.call(
        "GET",
        "/api/v1/iocs?limit=2",
        &[("Authorization", &bearer), ("If-None-Match", &etag)],
        None,
    );
    assert_eq!(not_modified.status, 304);
    // This server has no intel pack: 404. The 200 (a binary pack) and 304 are exercised with a real pack by
    // `the_intel_pack_revalidates_with_its_digest` and cli/tests/intel_update.rs (`serve` and `intel pull`).
    auth_cases("GET", "/api/v1/intel/pack", "", "?x=1", None);
    for (method, path, body) in [
        ("GET", "/api/v1/lookup?ioc=evil-c2.example", None),
        ("POST", "/api/v1/lookup", Some("[\"evil-c2.example\"]")),
        ("GET", "/api/v1/iocs", None),
        ("GET", "/api/v1/feeds", None),
        ("GET", "/api/v1/intel/pack", None),
    ] {
        // Calls on a 1/minute key: all but the first are 429.
        for _ in 0..3 {
            s.call(method, path, &[("Authorization", &lim)], body);
        }
        let _ = s.call(method, path, &[("Authorization", &format!("Bearer {}", s.key))], body);
    }
    for path in ["/health", "/api/v1/health", "/api/v1/openapi.json"] {
        s.call("GET", path, &[], None);
    }
    // TAXII: each operation answered, refused for a bad parameter, without a key, with a revoked one, for an
    // unacceptable `Accept`, over the rate limit, and (under a collection) for an unknown collection.
    let key = format!("Bearer {}", s.key);
    let coll = format!(
        "/taxii2/ioclens/collections/{}/",
        ioclens_server::api::taxii_collection_id(Some("cert"))
    );
    let page = s.call(
        "GET",
        &format!("{coll}objects/?match%5Btype%5D=indicator"),
        &[("Authorization", &key)],
        None,
    );
    let obj = format!("{coll}objects/{}/", page.json["objects"][0]["id"].as_str().unwrap());
    for path in [
        "/taxii2/".to_owned(),
        "/taxii2/ioclens/".to_owned(),
        "/taxii2/ioclens/collections/".to_owned(),
        coll.clone(),
        format!("{coll}objects/"),
        format!("{coll}manifest/"),
        obj.clone(),
        format!("{obj}versions/"),
    ] {
        assert_eq!(s.call("GET", &path, &[("Authorization", &key)], None).status, 200, "{path}");
        s.call("GET", &format!("{path}?x=1"), &[("Authorization", &key)], None);
        s.call("GET", &path, &[], None);
        s.call("GET", &path, &[("Authorization", &rev)], None);
        s.call("GET", &path, &[("Authorization", &key), ("Accept", "text/html")], None);
        s.call("GET", &path, &[("Authorization", &lim)], None);
        if path.starts_with(&coll) {
            let gone = path.replace(&coll, "/taxii2/ioclens/collections/none/");
            assert_eq!(s.call("GET", &gone, &[("Authorization", &key)], None).status, 404);
        }
    }
    let seen: BTreeSet<(String, String, u16)> = s.seen.lock().unwrap().iter().cloned().collect();
    let mut documented = BTreeSet::new();
    for (path, item) in s.spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for status in op["responses"].as_object().unwrap().keys() {
                documented.insert((
                    method.to_ascii_uppercase(),
                    path.clone(),
                    status.parse::<u16>().unwrap(),
                ));
            }
        }
    }
    // Failures that need a foreign `Host`, a broken store or a full queue are exercised in tests/hardening.rs
    // and the unit tests of `api` (421, 500, 503), through raw sockets or a router with a slow route.
    let missing: Vec<_> = documented
        .difference(&seen)
        .filter(|(_, _, status)| ![421, 500, 503].contains(status))
        .filter(|(_, path, status)| !(path == "/api/v1/intel/pack" && [200, 304].contains(status)))
        .collect();
    assert!(missing.is_empty(), "documented but never exercised: {missing:?}");
    let undocumented: Vec<_> = seen.difference(&documented).collect();
    assert!(undocumented.is_empty(), "answered but not documented: {undocumented:?}");
    let _: Value = s.spec.clone();
}

#[test]
fn urlhaus_sample_loads_as_a_community_feed() {
    let s = Server::start(None);
    // Without the feed the core alone does not know these values: the sample is not in its offline intel.
    for q in ["ioc=0022a601.pphost.net", "ioc=0x0.st/8lat.b64.txt", "ioc=1.117.77.166"] {
        let r = s.get(&format!("/api/v1/lookup?{q}"));
        assert_eq!((r.status, &r.json["data"]["found"]), (200, &Value::Bool(false)), "{q}");
    }
    let parsed = ioclens_server::ingest::builtin("urlhaus").unwrap();
    assert_eq!(parsed.format, "urlhaus");
    let report =
        s.ingest(&spec("urlhaus", Category::Community, Level::Medium, &[]), parsed, 1_800_000_000);
    // data/SOURCES.md: 5,000 URLhaus rows (2,000 URLs, 2,000 domains, 1,000 IPs), all usable.
    assert_eq!((report.records, report.rejected), (5000, 0), "{:?}", report.rejected_examples);
    let again = s.ingest(
        &spec("urlhaus", Category::Community, Level::Medium, &[]),
        ioclens_server::ingest::builtin("urlhaus").unwrap(),
        1_800_000_100,
    );
    assert_eq!(again.status, "unchanged");
    for (q, kind, value) in [
        ("ioc=0022a601.pphost.net", "domain", "0022a601.pphost.net"),
        // Stored scheme-less in the sample; the core assumes http:// for the lookup and for the feed alike.
        ("ioc=0x0.st/8lat.b64.txt", "url", "http://0x0.st/8lat.b64.txt"),
        ("ioc=hxxp://0x0[.]st/8lat.b64.txt", "url", "http://0x0.st/8lat.b64.txt"),
        ("ioc=1.117.77.166", "ipv4", "1.117.77.166"),
    ] {
        let r = s.get(&format!("/api/v1/lookup?{q}"));
        let d = &r.json["data"];
        assert_eq!((d["found"].as_bool(), d["ioc_type"].as_str()), (Some(true), Some(kind)), "{q}");
        assert_eq!(d["ioc_value"], value);
        assert_eq!(d["sources"][0]["source_feed"], "urlhaus");
        assert_eq!(d["sources"][0]["source_category"], "community");
        assert_eq!(d["threat_type"], "malware_download");
    }
    let page = s.get("/api/v1/iocs?category=community&type=url&limit=1000");
    assert_eq!(page.json["meta"]["count"], 1000);
    assert_eq!(page.json["data"][0]["source"]["origin"], "urlhaus");
}

#[test]
fn ended_evidence_is_history_not_evidence() {
    let s = Server::start(None);
    s.feed("ended-stix.json", &spec("stixfeed", Category::Government, Level::High, &[]));
    s.feed("ended-misp.json", &spec("mispfeed", Category::Government, Level::High, &[]));
    for (value, status) in [
        ("zq-revoked-ioc.net", "revoked"),
        ("zq-expired-ioc.net", "expired"),
        ("zq-context-only.net", "not-for-detection"),
        ("zq-deleted-ioc.net", "deleted"),
    ] {
        let r = s.get(&format!("/api/v1/lookup?ioc={value}"));
        let d = &r.json["data"];
        // Kept and shown as such …
        assert_eq!(d["reporting_sources"], 1, "{value}");
        assert_eq!(d["sources"][0]["status"], status, "{value}");
        // … never scored: the answer is the core's for no evidence, plus a zero-point history factor.
        assert_eq!(d["found"], false, "{value}");
        assert_ne!(d["score"]["verdict"], "malicious", "{value}");
        let (score, level, confidence, verdict, mut factors) = verdict_of(d);
        assert!(factors.contains(&("ended-evidence".to_owned(), 0)), "{value}: {factors:?}");
        factors.retain(|f| f.0 != "ended-evidence");
        assert_eq!(
            (score, level, confidence, verdict, factors),
            core_verdict(value, Vec::new()),
            "{value}"
        );
    }
    assert_eq!(
        s.get("/api/v1/lookup?ioc=zq-expired-ioc.net").json["data"]["sources"][0]["valid_until"],
        "2026-04-01T00:00:00Z"
    );
    // Live records of the same feeds score (a MISP "1" is to_ids true; a valid_until ahead is live).
    for v in ["zq-live-ioc.net", "zq-misp-live.net"] {
        let d = &s.get(&format!("/api/v1/lookup?ioc={v}")).json["data"];
        assert_eq!(
            (d["found"].as_bool(), d["score"]["verdict"].as_str()),
            (Some(true), Some("malicious")),
            "{v}"
        );
        assert_eq!(d["sources"][0]["status"], "active");
    }
    // The feed shows them with their status; the STIX export marks the revoked one revoked.
    let feed = s.get("/api/v1/iocs?limit=100");
    let status: BTreeSet<(String, String)> = feed.json["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (r["value"].as_str().unwrap().to_owned(), r["status"].as_str().unwrap().to_owned())
        })
        .collect();
    assert!(status.contains(&("zq-revoked-ioc.net".into(), "revoked".into())), "{status:?}");
    assert!(status.contains(&("zq-deleted-ioc.net".into(), "deleted".into())), "{status:?}");
    assert!(
        status.contains(&("zq-context-only.net".into(), "not-for-detection".into())),
        "{status:?}"
    );
    let stix = s.get("/api/v1/iocs?format=stix&limit=100");
    let objs = stix.json["objects"].as_array().unwrap();
    let find = |v: &str| objs.iter().find(|o| o["name"] == v).unwrap().clone();
    assert_eq!(find("zq-revoked-ioc.net")["revoked"], true);
    assert_eq!(find("zq-expired-ioc.net")["valid_until"], "2026-04-01T00:00:00Z");
    assert!(find("zq-live-ioc.net").get("revoked").is_none());
}

#[test]
fn attack_ids_from_feeds_resolve_through_the_catalogue() {
    let s = Server::start(None);
    s.feed("ended-stix.json", &spec("stixfeed", Category::Government, Level::High, &[]));
    let d = &s.get("/api/v1/lookup?ioc=zq-live-ioc.net").json["data"];
    let techniques = d["mitre_techniques"].as_array().unwrap();
    // T9999 is not ATT&CK: dropped, with a diagnostic that names it and the feed.
    assert!(!techniques.iter().any(|t| t["id"] == "T9999"), "{techniques:?}");
    let diag = d["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["code"] == "unknown-attack-id")
        .unwrap();
    assert!(diag["message"].as_str().unwrap().contains("T9999"), "{diag}");
    assert!(diag["message"].as_str().unwrap().contains("stixfeed"), "{diag}");
    // T1086 is revoked: it becomes T1059.001, with the name filled in.
    let ps = techniques.iter().find(|t| t["id"] == "T1059.001").unwrap();
    assert_eq!(ps["name"], "Command and Scripting Interpreter: PowerShell");
    assert!(!techniques.iter().any(|t| t["id"] == "T1086"));
    // Feed records resolve the same way.
    let rec = s.get("/api/v1/iocs?type=domain");
    let live = rec.json["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["value"] == "zq-live-ioc.net")
        .unwrap();
    assert_eq!(live["mitre_techniques"][0]["id"], "T1059.001");
    assert_eq!(live["mitre_techniques"].as_array().unwrap().len(), 1);
}

#[test]
fn feed_stix_uses_the_core_patterns_and_tlp_2_markings() {
    let s = Server::start(None);
    let file = s.dir.join("nets.txt");
    std::fs::write(&file, "198.51.100.0/24\n2001:db8:1::/48\n").unwrap();
    let parsed = ioclens_server::ingest::read_path(&file).unwrap();
    let mut amber = spec("nets", Category::Commercial, Level::Medium, &[]);
    amber.tags = vec!["tlp:amber".into()];
    s.ingest(&amber, parsed, 1_790_000_000);
    s.feed("ended-stix.json", &spec("stixfeed", Category::Government, Level::High, &[]));
    let stix = s.get("/api/v1/iocs?format=stix&type=cidr");
    let objs = stix.json["objects"].as_array().unwrap();
    let patterns: BTreeSet<&str> = objs.iter().filter_map(|o| o["pattern"].as_str()).collect();
    // The core's STIX writer: a network is ISSUBSET, never `=`.
    assert_eq!(
        patterns,
        BTreeSet::from([
            "[ipv4-addr:value ISSUBSET '198.51.100.0/24']",
            "[ipv6-addr:value ISSUBSET '2001:db8:1::/48']"
        ])
    );
    for v in ["198.51.100.0/24", "2001:db8:1::/48"] {
        let pattern = objs.iter().find(|o| o["name"] == v).unwrap()["pattern"].clone();
        let core = ioclens_core::query::stix_for(
            ioclens_core::IocKind::Cidr,
            v,
            &ioclens_core::query::QueryOptions::default(),
        )
        .unwrap();
        assert_eq!(pattern, core);
    }
    // TLP 2.0: the feed's tlp:amber tag → TLP:AMBER, with its marking definition in the bundle.
    let amber_id = ioclens_core::query::tlp::TLP_LEVELS[2].id;
    assert_eq!(amber_id, "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421");
    assert!(
        objs.iter()
            .filter(|o| o["type"] == "indicator")
            .all(|o| o["object_marking_refs"] == json!([amber_id]))
    );
    let def = objs.iter().find(|o| o["type"] == "marking-definition").unwrap();
    assert_eq!(def["id"], amber_id);
    assert_eq!(def["name"], "TLP:AMBER");
    assert_eq!(
        def["extensions"]["extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"]["tlp_2_0"],
        "amber"
    );
    // Untagged records are TLP:CLEAR; one definition per level used, in the bundle once.
    let all = s.get("/api/v1/iocs?format=stix&limit=100");
    let defs: Vec<&str> = all.json["objects"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["type"] == "marking-definition")
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(defs, vec!["TLP:CLEAR", "TLP:AMBER"]);
}

/// TAXII 2.1 (`/taxii2/`): the API's keys (Basic with the key as password, Bearer, X-API-Key), the TAXII error
/// resource for every refusal, content negotiation, and collections paged to the end with `next`: every object
/// once, the feed export's own STIX objects (one writer), filters and `added_after`.
#[test]
#[expect(clippy::many_single_char_names, reason = "s/c/r/m/v: server, collection path, replies")]
fn taxii_answers_errors_and_pages() {
    use base64::Engine as _;
    const TAXII: &str = "application/taxii+json;version=2.1";
    let s = Server::with_fixtures();
    let basic = |user: &str, pw: &str| {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pw}"))
        )
    };
    let good = basic("sentinel", &s.key);
    let get = |path: &str, headers: &[(&str, &str)]| s.call("GET", path, headers, None);
    let taxii_error = |r: &common::Reply, status: u16, code: &str| {
        assert_eq!(r.status, status, "{}", r.text);
        assert_eq!(r.header("content-type"), Some(TAXII), "{}", r.text);
        assert_eq!(r.json["http_status"], status.to_string(), "{}", r.text);
        assert_eq!(r.json["error_code"], code, "{}", r.text);
        assert!(r.json["title"].as_str().is_some_and(|t| !t.is_empty()), "{}", r.text);
        assert!(!r.text.contains(&s.key), "the key never comes back");
    };
    // Authentication: none, a wrong key, then the three ways the API accepts.
    let r = get("/taxii2/", &[]);
    taxii_error(&r, 401, "missing_api_key");
    assert!(r.header("www-authenticate").is_some_and(|v| v.starts_with("Basic ")));
    taxii_error(
        &get("/taxii2/", &[("Authorization", &basic("u", "ioc_nope"))]),
        401,
        "invalid_api_key",
    );
    taxii_error(&get("/taxii2/", &[("Authorization", "Basic !!!")]), 401, "missing_api_key");
    let bearer = format!("Bearer {}", s.key);
    for h in [("Authorization", good.as_str()), ("Authorization", &bearer), ("X-API-Key", &s.key)] {
        let r = get("/taxii2/", &[h, ("Accept", TAXII)]);
        assert_eq!((r.status, r.header("content-type")), (200, Some(TAXII)), "{}", r.text);
        assert_eq!(r.json["api_roots"][0], ioclens_server::api::TAXII_API_ROOT);
    }
    let auth = [("Authorization", good.as_str())];
    let with = |path: &str, accept: &str| get(path, &[auth[0], ("Accept", accept)]);
    taxii_error(&with("/taxii2/", "text/html"), 406, "not_acceptable");
    taxii_error(&with("/taxii2/", "application/taxii+json;version=2.0"), 406, "not_acceptable");
    let root = with("/taxii2/ioclens/", TAXII);
    assert_eq!(root.json["versions"][0], TAXII);
    taxii_error(&with("/taxii2/other/", TAXII), 404, "not_found");
    let colls = with("/taxii2/ioclens/collections/", TAXII);
    let titles: Vec<&str> = colls.json["collections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["all", "cert", "csvlist", "isac", "txtlist"]);
    let all = ioclens_server::api::taxii_collection_id(None);
    let cert = ioclens_server::api::taxii_collection_id(Some("cert"));
    let c = |tail: &str| format!("/taxii2/ioclens/collections/{all}/{tail}");
    assert_eq!(with(&c(""), TAXII).json["can_write"], false);
    taxii_error(&with("/taxii2/ioclens/collections/nope/objects/", TAXII), 404, "not_found");
    taxii_error(&with(&c("objects/?limit=0"), TAXII), 400, "invalid_parameter");
    taxii_error(&with(&c("objects/?next=zz"), TAXII), 400, "invalid_parameter");
    taxii_error(&with(&c("objects/?added_after=yesterday"), TAXII), 400, "invalid_parameter");
    taxii_error(&with(&c("objects/?match%5Bfoo%5D=x"), TAXII), 400, "invalid_parameter");
    taxii_error(
        &with(&c("objects/indicator--00000000-0000-4000-8000-000000000000/"), TAXII),
        404,
        "not_found",
    );
    let post = s.call("POST", &c("objects/"), &auth, Some("{}"));
    taxii_error(&post, 405, "method_not_allowed");
    // Every object once, in pages of 7; the indicators are the feed export's objects.
    let (mut ids, mut next, mut pages) = (Vec::new(), None::<String>, 0);
    loop {
        let q = next.as_ref().map_or(String::new(), |n| format!("&next={n}"));
        let r = with(&c(&format!("objects/?limit=7{q}")), TAXII);
        assert_eq!(r.status, 200, "{}", r.text);
        pages += 1;
        let objects = r.json["objects"].as_array().unwrap();
        assert!(objects.len() <= 7);
        assert!(
            r.header("x-taxii-date-added-first").is_some()
                && r.header("x-taxii-date-added-last").is_some()
        );
        ids.extend(objects.iter().map(|o| o["id"].as_str().unwrap().to_owned()));
        if r.json["more"] == false {
            assert!(r.json.get("next").is_none());
            break;
        }
        next = Some(r.json["next"].as_str().unwrap().to_owned());
    }
    let export = s.get("/api/v1/iocs?limit=1000&format=stix").json;
    let mut want: Vec<String> = export["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_owned())
        .collect();
    want.extend(ioclens_core::query::tlp::TLP_LEVELS.iter().map(|t| t.id.to_owned()));
    want.sort();
    want.dedup();
    let got: BTreeSet<String> = ids.iter().cloned().collect();
    assert_eq!(got.len(), ids.len(), "no object twice");
    assert_eq!(got.into_iter().collect::<Vec<_>>(), want);
    assert_eq!(pages, ids.len().div_ceil(7));
    // The manifest lists the same objects with their date_added (the ingest time).
    let m = with(&c("manifest/?limit=1000"), TAXII);
    assert_eq!(m.json["objects"].as_array().unwrap().len(), ids.len());
    assert_eq!(m.header("x-taxii-date-added-last"), Some("2027-01-15T08:00:00.000Z"));
    // Filters: type, id (query and path), versions; added_after past the last ingest gives an empty envelope.
    let v = with(
        &format!("/taxii2/ioclens/collections/{cert}/objects/?match%5Btype%5D=vulnerability"),
        TAXII,
    );
    assert!(v.json.get("objects").is_none(), "cert has no CVE: {}", v.text);
    let v = with(&c("objects/?match%5Btype%5D=vulnerability"), TAXII);
    assert_eq!(v.json["objects"][0]["name"], "CVE-2023-23397", "{}", v.text);
    let one = ids.iter().find(|i| i.starts_with("indicator--")).unwrap();
    let by_id = with(&c(&format!("objects/?match%5Bid%5D={one}")), TAXII);
    assert_eq!(by_id.json["objects"].as_array().unwrap().len(), 1);
    let path = with(&c(&format!("objects/{one}/")), TAXII);
    assert_eq!(path.json["objects"][0], by_id.json["objects"][0]);
    let versions = with(&c(&format!("objects/{one}/versions/")), TAXII);
    assert_eq!(versions.json["versions"][0], path.json["objects"][0]["modified"]);
    let modified = path.json["objects"][0]["modified"].as_str().unwrap();
    let v = with(&c(&format!("objects/{one}/?match%5Bversion%5D={modified}")), TAXII);
    assert_eq!(v.json["objects"][0]["id"], one.as_str(), "{}", v.text);
    let v = with(&c(&format!("objects/{one}/?match%5Bversion%5D=2001-01-01T00:00:00Z")), TAXII);
    taxii_error(&v, 404, "not_found");
    let v = with(&c("objects/?match%5Bspec_version%5D=2.0"), TAXII);
    assert_eq!(v.json, json!({"more": false}));
    let late = with(&c("objects/?added_after=2027-01-15T08:00:00.000Z"), TAXII);
    assert_eq!(late.json, json!({"more": false}));
    assert!(late.header("x-taxii-date-added-first").is_none());
}

/// `?providers=`: the server asks the providers with its own keys (a stub provider on 127.0.0.1 records what it
/// was sent), applies their evidence, never shows a key, and answers a repeated value from the store's cache.
#[test]
fn lookup_asks_providers_with_server_side_keys_and_caches() {
    use std::io::{BufRead as _, Write as _};
    use std::sync::{Arc, Mutex};
    const SECRET: &str = "srv-canary-provider-key-7731";
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let log = seen.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            let mut reader = std::io::BufReader::new(conn.try_clone().unwrap());
            let mut head = String::new();
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                    break;
                }
                head.push_str(&h);
            }
            // GreyNoise's documented shape for a scanner classified malicious; VirusTotal refuses the key.
            let (status, body) = if head.contains("/v3/community/") {
                (
                    200,
                    r#"{"ip":"45.155.205.233","noise":true,"riot":false,"classification":"malicious","name":"unknown"}"#,
                )
            } else {
                (401, r#"{"error":{"code":"WrongCredentialsError","message":"Wrong API key"}}"#)
            };
            log.lock().unwrap().push(head);
            let mut conn = conn;
            let _ = write!(
                conn,
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    let base = format!("http://127.0.0.1:{port}");
    let providers = ioclens_server::api::ServerProviders::new(
        [
            (ioclens_core::providers::ProviderId::Greynoise, SECRET.to_owned()),
            (ioclens_core::providers::ProviderId::Virustotal, SECRET.to_owned()),
        ]
        .into(),
        vec![
            (ioclens_core::providers::ProviderId::Greynoise, base.clone()),
            (ioclens_core::providers::ProviderId::Virustotal, base.clone()),
        ],
        std::time::Duration::from_secs(2),
    );
    assert!(!format!("{providers:?}").contains(SECRET));
    let s = Server::start_settings(ioclens_server::api::Settings {
        providers: Some(std::sync::Arc::new(providers)),
        ..ioclens_server::api::Settings::default()
    });
    let r = s.get("/api/v1/lookup?ioc=45.155.205.233&providers=greynoise,virustotal,abuseipdb");
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(!r.text.contains(SECRET), "{}", r.text);
    let statuses: Vec<(String, String)> = r.json["data"]["score"]["providers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (p["provider"].as_str().unwrap().to_owned(), p["status"].as_str().unwrap().to_owned())
        })
        .collect();
    let want = [("greynoise", "found"), ("virustotal", "unauthorized"), ("abuseipdb", "no_key")];
    assert_eq!(
        statuses,
        want.map(|(a, b)| (a.to_owned(), b.to_owned())),
        "{}",
        r.json["data"]["score"]
    );
    assert!(r.json["data"]["risk"]["score"].as_u64().unwrap() >= 70, "{}", r.json["data"]["risk"]);
    let heads = seen.lock().unwrap().clone();
    assert_eq!(heads.len(), 2, "{heads:?}");
    assert!(
        heads.iter().all(|h| h.to_ascii_lowercase().contains(&format!(": {SECRET}"))),
        "{heads:?}"
    );
    assert!(heads.iter().all(|h| !h.lines().next().unwrap().contains(SECRET)));
    // The found answer is cached in the store; the refused one is asked again.
    let again = s.get("/api/v1/lookup?ioc=45.155.205.233&providers=greynoise,virustotal");
    assert_eq!(again.json["data"]["score"]["providers"][0]["status"], "found");
    let heads = seen.lock().unwrap().clone();
    assert_eq!(heads.len(), 3, "{heads:?}");
    assert!(heads[2].contains("/api/v3/ip_addresses/"), "{heads:?}");
    let bad = s.get("/api/v1/lookup?ioc=45.155.205.233&providers=shodan");
    assert_eq!(bad.status, 400, "{}", bad.text);
}

/// The server's provider limits against a replay server on 127.0.0.1 serving the recorded replies
/// (`tests/providers/`): a 429 whose `Retry-After` fits in the timeout is retried after it; 5xx is retried with
/// backoff, and three failures in a row open the provider's circuit breaker (`skipped`, no request); a provider's
/// empty token bucket is `skipped` too; after the cool-down one half-open probe goes out and closes the breaker.
#[test]
fn provider_limits_retry_break_and_probe() {
    use ioclens_core::providers::ProviderId;
    use std::collections::VecDeque;
    use std::io::{BufRead as _, Write as _};
    use std::sync::{Arc, Mutex};
    // Per path prefix, the replies still to serve: (status, Retry-After, body).
    type Script = VecDeque<(u16, Option<&'static str>, String)>;
    let recorded = |provider: &str, case: &str| -> (u16, String) {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("../tests/providers/{provider}.json"));
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let c = doc["cases"].as_array().unwrap().iter().find(|c| c["name"] == case).unwrap();
        let body = match &c["reply"]["body"] {
            Value::String(s) => s.clone(),
            v => v.to_string(),
        };
        (u16::try_from(c["reply"]["status"].as_u64().unwrap()).unwrap(), body)
    };
    let (limited, _) = recorded("greynoise", "rate-limited");
    assert_eq!(limited, 429);
    let script: Arc<Mutex<Vec<(&str, Script)>>> = Arc::new(Mutex::new(vec![
        (
            "/gn/",
            [
                (limited, Some("1"), recorded("greynoise", "rate-limited").1),
                (200, None, recorded("greynoise", "malicious").1),
            ]
            .into(),
        ),
        (
            "/idb/",
            [
                (500, None, recorded("internetdb", "server-error").1),
                (500, None, recorded("internetdb", "server-error").1),
                (500, None, recorded("internetdb", "server-error").1),
                (200, None, recorded("internetdb", "found").1),
            ]
            .into(),
        ),
    ]));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen: Arc<Mutex<Vec<(String, std::time::Instant)>>> = Arc::default();
    let (log, plays) = (seen.clone(), script.clone());
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            let mut reader = std::io::BufReader::new(conn.try_clone().unwrap());
            let mut line = String::new();
            let _ = reader.read_line(&mut line);
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                    break;
                }
            }
            let path = line.split(' ').nth(1).unwrap_or_default().to_owned();
            let next = plays
                .lock()
                .unwrap()
                .iter_mut()
                .find(|(prefix, _)| path.starts_with(prefix))
                .and_then(|(_, s)| s.pop_front());
            let (status, retry_after, body) =
                next.unwrap_or((599, None, "script exhausted".into()));
            log.lock().unwrap().push((path, std::time::Instant::now()));
            let ra = retry_after.map(|s| format!("Retry-After: {s}\r\n")).unwrap_or_default();
            let mut conn = conn;
            let _ = write!(
                conn,
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n{ra}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    let base = format!("http://127.0.0.1:{port}");
    let providers = ioclens_server::api::ServerProviders::new(
        [(ProviderId::Greynoise, "gn-canary-key-5521".to_owned())].into(),
        vec![
            (ProviderId::Greynoise, format!("{base}/gn")),
            (ProviderId::Internetdb, format!("{base}/idb")),
        ],
        std::time::Duration::from_secs(2),
    )
    .with_limits([(ProviderId::Greynoise, 2)].into(), std::time::Duration::from_secs(1));
    let s = Server::start_settings(ioclens_server::api::Settings {
        providers: Some(Arc::new(providers)),
        ..ioclens_server::api::Settings::default()
    });
    let statuses = |r: &common::Reply| -> Vec<String> {
        assert_eq!(r.status, 200, "{}", r.text);
        r.json["data"]["score"]["providers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                format!("{}={}", p["provider"].as_str().unwrap(), p["status"].as_str().unwrap())
            })
            .collect()
    };
    let paths = || seen.lock().unwrap().iter().map(|(p, _)| p.clone()).collect::<Vec<_>>();

    let r = s.get("/api/v1/lookup?ioc=45.155.205.233&providers=greynoise,internetdb");
    assert_eq!(statuses(&r), ["greynoise=found", "internetdb=unavailable"], "{}", r.text);
    assert!(!r.text.contains("gn-canary-key-5521"));
    let p = paths();
    assert_eq!(p.iter().filter(|p| p.starts_with("/gn/")).count(), 2, "{p:?}");
    assert_eq!(p.iter().filter(|p| p.starts_with("/idb/")).count(), 3, "{p:?}");
    let gn: Vec<_> = seen
        .lock()
        .unwrap()
        .iter()
        .filter(|(p, _)| p.starts_with("/gn/"))
        .map(|(_, t)| *t)
        .collect();
    assert!(gn[1] - gn[0] >= std::time::Duration::from_secs(1), "Retry-After honoured");

    // Greynoise's bucket (2/min) is empty, InternetDB's breaker open: both skipped, nothing sent.
    let r = s.get("/api/v1/lookup?ioc=45.155.205.234&providers=greynoise,internetdb");
    assert_eq!(statuses(&r), ["greynoise=skipped", "internetdb=skipped"], "{}", r.text);
    assert_eq!(paths().len(), 5);

    // After the cool-down, one half-open probe: the recorded `found` closes the breaker.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let r = s.get("/api/v1/lookup?ioc=45.155.205.235&providers=internetdb");
    assert_eq!(statuses(&r), ["internetdb=found"], "{}", r.text);
    assert_eq!(paths().len(), 6);
}
