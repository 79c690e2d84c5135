use super::*;
use crate::Classified;
use crate::score::{ScoreOptions, score};

fn local(kind: IocKind, canonical: &str) -> Score {
    let c = Classified::known(kind, canonical);
    score(
        &c,
        &crate::intel::evidence(&c),
        &ScoreOptions { lexical: false, evidence_date: None },
        1_790_000_000,
    )
}

const ENVELOPE: &str = r#"{
  "meta": {"generated_at": "2026-09-01T00:00:00Z", "feed_version": "2026.09.01", "source": "socdefenders"},
  "data": {"found": true, "ioc_value": "203.0.113.77", "ioc_type": "ipv4", "confidence": "high",
           "risk": {"score": 88, "level": "high"}, "malware_family": "emotet", "threat_type": "c2",
           "mitre_techniques": ["T1071.001"],
           "sources": [{"source_feed": "abuse.ch", "source_category": "community"}]}
}"#;

const FLAT: &str = r#"{"value": "evil.example", "type": "domain", "risk_score": "critical", "confidence": "medium",
  "mitre_techniques": [{"id": "T1566", "name": "Phishing"}], "hunting_queries": {"splunk": "", "kql": ""},
  "sources": [{"feed_name": "OTX", "category": "community"}]}"#;

#[test]
fn request_has_both_value_params_and_type_and_no_key() {
    let r = remote_request("8.8.8.8", IocKind::Ipv4).expect("request");
    assert_eq!(r.method, "GET");
    assert_eq!(r.path, "/api/v1/lookup");
    assert!(r.query.contains(&("ioc".into(), "8.8.8.8".into())));
    assert!(r.query.contains(&("value".into(), "8.8.8.8".into())));
    assert!(r.query.contains(&("type".into(), "ipv4".into())));
    assert!(!r.headers.iter().any(
        |(k, _)| k.eq_ignore_ascii_case("authorization") || k.eq_ignore_ascii_case("x-api-key")
    ));
    assert_eq!(
        remote_request("T1059", IocKind::Attack).map(|r| r.query[2].1.clone()),
        Some("mitre-attack".into())
    );
    assert!(remote_request(&"a".repeat(2049), IocKind::Url).is_none());
    assert!(remote_request("", IocKind::Url).is_none());
}

#[test]
fn url_percent_encodes_the_query() {
    // RFC 3986 §2.3: only ALPHA / DIGIT / "-" / "." / "_" / "~" stay as they are; a trailing `/` of the base goes.
    let r = RemoteRequest {
        method: "GET".into(),
        path: "/api/v1/lookup".into(),
        query: vec![("ioc".into(), "http://a b/?x=1&y".into()), ("type".into(), "url".into())],
        headers: Vec::new(),
    };
    assert_eq!(
        r.url("http://127.0.0.1:8080/base/"),
        "http://127.0.0.1:8080/base/api/v1/lookup?ioc=http%3A%2F%2Fa%20b%2F%3Fx%3D1%26y&type=url"
    );
    let bare = RemoteRequest { query: Vec::new(), path: "/p".into(), ..r.clone() };
    assert_eq!(bare.url("https://h"), "https://h/p");
    let other = RemoteRequest { query: vec![("k".into(), "é~".into())], ..bare };
    assert_eq!(other.url("https://h"), "https://h/p?k=%C3%A9~");
}

/// The host seam: the request the host is handed, and every outcome of its call read into a status.
#[test]
fn remote_score_hands_the_host_one_request_and_reads_every_outcome() {
    let opts = crate::LookupOptions::default();
    let resp = crate::lookup("evil.example", &opts, 1_767_225_600);
    let mut seen = None;
    let ok = crate::remote_score("http://127.0.0.1:9/", &resp, |req, url| {
        seen = Some((req.method.clone(), url.to_owned(), req.headers.clone()));
        Ok((200, FLAT.to_owned()))
    });
    assert_eq!(ok.status, RemoteStatus::Ok);
    assert_eq!(ok.score, parse_response(200, FLAT).score);
    let (method, url, headers) = seen.expect("the host was asked");
    assert_eq!(method, "GET");
    assert_eq!(
        url,
        "http://127.0.0.1:9/api/v1/lookup?ioc=evil.example&value=evil.example&type=domain"
    );
    assert!(headers.iter().all(|(k, _)| !k.eq_ignore_ascii_case("authorization")));
    let limited = crate::remote_score("http://h", &resp, |_, _| Ok((429, String::new())));
    assert_eq!(limited.status, RemoteStatus::RateLimited);
    let slow = crate::remote_score("http://h", &resp, |_, _| Err("timed out: 2s".into()));
    assert_eq!(slow.status, RemoteStatus::Timeout);
    let refused = crate::remote_score("http://h", &resp, |_, _| Err("connection refused".into()));
    assert_eq!(refused.status, RemoteStatus::Error);
    assert_eq!(refused.message.as_deref(), Some("connection refused"));
    // A value the scorer cannot take never reaches the host.
    let long =
        crate::lookup(&format!("https://e.example/{}", "a".repeat(2100)), &opts, 1_767_225_600);
    let unsent = crate::remote_score("http://h", &long, |_, _| panic!("sent"));
    assert_eq!(unsent.status, RemoteStatus::Error);
}

#[test]
fn parses_envelope() {
    let r = parse_response(200, ENVELOPE);
    assert_eq!(r.status, RemoteStatus::Ok);
    assert_eq!(
        (r.found, r.score, r.level, r.confidence),
        (Some(true), Some(88), Some(Level::High), Some(Confidence::High))
    );
    assert_eq!(r.sources, vec!["abuse.ch".to_owned()]);
    assert_eq!(r.mitre_techniques, vec!["T1071.001".to_owned()]);
    assert_eq!(r.feed_version.as_deref(), Some("2026.09.01"));
    assert_eq!(r.malware_family.as_deref(), Some("emotet"));
}

#[test]
fn parses_flat_shape() {
    let r = parse_response(200, FLAT);
    assert_eq!(r.status, RemoteStatus::Ok);
    // `risk_score` is a level string: critical → 95.
    assert_eq!(
        (r.score, r.level, r.confidence),
        (Some(95), Some(Level::Critical), Some(Confidence::Medium))
    );
    assert_eq!(r.mitre_techniques, vec!["T1566".to_owned()]);
    assert_eq!(r.sources, vec!["OTX".to_owned()]);
}

#[test]
fn failures_are_classified() {
    assert_eq!(parse_response(429, "").status, RemoteStatus::RateLimited);
    let e = parse_response(
        401,
        r#"{"error": {"code": "invalid_api_key", "message": "bad key", "request_id": "x"}}"#,
    );
    assert_eq!(e.status, RemoteStatus::Error);
    assert_eq!(e.message.as_deref(), Some("HTTP 401 bad key"));
    assert_eq!(parse_response(200, "<html>").status, RemoteStatus::Error);
    assert_eq!(parse_response(200, "[1,2]").status, RemoteStatus::Error);
    assert_eq!(parse_response(200, "{}").status, RemoteStatus::Error);
}

#[cfg(feature = "offline-intel")]
#[test]
fn fail_open_keeps_local() {
    let l = local(IocKind::Ipv4, "77.90.185.20");
    for status in [
        RemoteStatus::Timeout,
        RemoteStatus::RateLimited,
        RemoteStatus::Error,
        RemoteStatus::Disabled,
    ] {
        let m = merge(&l, &RemoteScore::failed(status, "x"));
        assert_eq!(m.score, l.score);
        assert_eq!(m.factors, l.factors);
        assert_eq!(m.source, ScoreSource::Local);
        assert_eq!(m.remote_status, status);
    }
}

#[test]
fn reserved_is_never_overridden() {
    let l = local(IocKind::Ipv4, "10.0.0.1");
    assert_eq!(l.verdict, Verdict::Reserved);
    let m = merge(&l, &parse_response(200, ENVELOPE));
    assert_eq!((m.score, m.verdict), (0, Verdict::Reserved));
    assert_eq!(m.remote_score, Some(88));
    assert_eq!(m.remote_status, RemoteStatus::Ok);
}

#[test]
fn remote_raises_and_both_scores_are_kept() {
    // An unlisted documentation-free address: local = base 20, unknown, low.
    let l = local(IocKind::Ipv4, "45.10.20.30");
    assert_eq!((l.score, l.verdict), (20, Verdict::Unknown));
    let m = merge(&l, &parse_response(200, ENVELOPE));
    assert_eq!((m.score, m.local_score, m.remote_score), (88, 20, Some(88)));
    assert_eq!(m.verdict, Verdict::Malicious);
    assert_eq!(m.source, ScoreSource::Remote);
    let f = m.factors.iter().find(|f| f.name == FactorName::Remote).expect("remote factor");
    assert_eq!((f.weight, f.contribution, f.source.as_str()), (88, 68, "remote:abuse.ch"));
    assert_eq!(m.confidence, Confidence::High);
}

#[cfg(feature = "offline-intel")]
#[test]
fn remote_never_lowers_local_evidence() {
    let l = local(IocKind::Ipv4, "77.90.185.20"); // 95 from IPsum
    let low = r#"{"meta": {}, "data": {"found": true, "risk": {"score": 10, "level": "info"}, "confidence": "low"}}"#;
    let m = merge(&l, &parse_response(200, low));
    assert_eq!(m.score, 95);
    assert_eq!(m.remote_score, Some(10));
    assert_eq!(m.confidence, Confidence::Medium, "disagreement → medium");
}

#[test]
fn not_found_is_not_safe() {
    let l = local(IocKind::Ipv4, "45.10.20.30");
    let m = merge(&l, &parse_response(200, r#"{"meta": {}, "data": {"found": false}}"#));
    assert_eq!(m.score, l.score);
    assert!(m.factors.iter().any(|f| f.name == FactorName::RemoteNotFound && f.contribution == 0));
}
