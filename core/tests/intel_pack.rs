//! Intel packs and source formats (feature `intel-update`): every fixture of `tests/fixtures/intel/` parses in its
//! upstream layout; packs round-trip, and every damaged pack is a clear error, never a wrong answer.
use ioclens_core::IocKind;
use ioclens_core::intel::formats::{self, FormatError, SourceSpec};
use ioclens_core::intel::pack::{self, Entry, Pack, PackError, SourceData, SourceMeta};

fn spec(format: &str) -> SourceSpec {
    SourceSpec {
        name: "t".into(),
        url: "http://127.0.0.1/".into(),
        format: format.into(),
        category: "malware".into(),
        confidence: 60,
        every: "1h".into(),
        enabled: true,
        column: None,
        family: None,
        licence: String::new(),
        terms: String::new(),
        max_bytes: None,
        user: None,
        secret_env: None,
    }
}

macro_rules! fixture {
    ($f:literal) => {
        include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/intel/", $f))
            .as_slice()
    };
}

fn values(p: &formats::Parsed) -> Vec<(IocKind, &str)> {
    p.entries.iter().map(|e| (e.kind, e.value.as_str())).collect()
}

#[test]
fn every_fixture_parses_in_its_upstream_layout() {
    let cases: &[(&str, &[u8], usize)] = &[
        ("urlhaus-csv", fixture!("urlhaus_csv_recent.csv"), 3),
        ("threatfox-csv", fixture!("threatfox_export_recent.csv"), 4),
        ("malwarebazaar-csv", fixture!("malwarebazaar_export_recent.csv"), 6),
        ("feodo-csv", fixture!("feodo_ipblocklist.csv"), 2),
        ("sslbl-csv", fixture!("sslbl_sslipblacklist.csv"), 2),
        ("ipsum", fixture!("ipsum.txt"), 3),
        // `45.95.147.236:8080` counts: an `ip:port` trail is the address with its port (#16).
        ("plain", fixture!("maltrail_cobaltstrike.txt"), 3),
        ("c2intel-csv", fixture!("c2intel_ipc2s_30day.csv"), 2),
        ("spamhaus-drop", fixture!("spamhaus_drop_v4.json"), 3),
        ("netset", fixture!("firehol_level1.netset"), 4),
        ("plain", fixture!("tor_bulk_exit_list.txt"), 3),
        ("plain", fixture!("openphish_feed.txt"), 2),
        ("kev-json", fixture!("kev.json"), 2),
        ("epss-csv", fixture!("epss_scores-current.csv"), 3),
        ("misp-feed", fixture!("misp_event.json"), 4),
        ("misp-warninglist", fixture!("misp_warninglist.json"), 3),
        ("stix-bundle", fixture!("stix_bundle.json"), 3),
    ];
    for (format, body, n) in cases {
        let p = formats::parse(body, &spec(format)).unwrap_or_else(|e| panic!("{format}: {e}"));
        assert_eq!(p.entries.len(), *n, "{format}: {:?} {:?}", values(&p), p.diagnostics);
    }
}

#[test]
fn formats_keep_each_sources_own_dates_family_and_confidence() {
    let tf =
        formats::parse(fixture!("threatfox_export_recent.csv"), &spec("threatfox-csv")).unwrap();
    let ip = &tf.entries[0];
    assert_eq!((ip.kind, ip.value.as_str()), (IocKind::Ipv4, "45.95.147.236"));
    assert_eq!(ip.family.as_deref(), Some("Cobalt Strike"));
    assert_eq!(ip.confidence, Some(100));
    assert_eq!(ip.last_seen, formats::parse_utc("2026-11-30 10:00:00"));
    assert!(
        ip.tags.contains(&"port:8080".to_owned()) && ip.tags.contains(&"CobaltStrike".to_owned())
    );
    assert_eq!(tf.upstream_date, formats::parse_utc("2026-11-30 10:10:01"));

    let uh = formats::parse(fixture!("urlhaus_csv_recent.csv"), &spec("urlhaus-csv")).unwrap();
    assert_eq!(
        uh.entries[1].last_seen,
        formats::parse_utc("2026-11-29 22:10:40"),
        "last_online drives decay"
    );
    assert!(uh.entries[0].tags.contains(&"Mozi".to_owned()), "quoted, comma-joined tags");

    let epss = formats::parse(fixture!("epss_scores-current.csv"), &spec("epss-csv")).unwrap();
    assert_eq!(epss.entries[0].number, Some(943_010));
    assert_eq!(epss.upstream_date, formats::parse_utc("2026-11-30T12:55:00"));

    let mut csv = spec("csv");
    csv.column = Some(formats::Column::Name("indicator".into()));
    let p = formats::parse(fixture!("custom_named_column.csv"), &csv).unwrap();
    assert_eq!(values(&p), [(IocKind::Domain, "zq-custom-only-panel.org")]);
    assert_eq!(p.rejected, 1);
    assert_eq!(p.diagnostics[0].line, 4);
}

#[test]
fn bodies_that_are_not_the_feed_are_refused() {
    let html = b"\n  <!DOCTYPE html><html><body>502 Bad Gateway</body></html>";
    assert_eq!(formats::parse(html, &spec("plain")), Err(FormatError::Html));
    assert!(matches!(
        formats::parse(b"hello world\nnot an ioc\n", &spec("plain")),
        Err(FormatError::NoValidEntries { .. })
    ));
    assert!(matches!(
        formats::parse(b"{\"vulnerabilities\": 3}", &spec("kev-json")),
        Err(FormatError::Malformed(_))
    ));
    assert_eq!(formats::parse(b"\xff\xfe", &spec("plain")), Err(FormatError::NotText));
    // Only comments: a legitimately empty list, not an error.
    assert_eq!(
        formats::parse(b"# nothing online right now\n", &spec("plain")).unwrap().entries.len(),
        0
    );
    let mut bad = spec("csv");
    assert!(bad.validate().is_err(), "csv without a column");
    bad.format = "nope".into();
    assert!(bad.validate().unwrap_err().contains("unknown format"));
}

fn sample() -> Vec<u8> {
    let mut a = Entry::new(IocKind::Domain, "evil.example".into());
    a.first_seen = Some(1_796_000_000);
    a.family = Some("Remcos".into());
    a.tags = vec!["rat".into(), "c2".into()];
    let b = Entry::new(IocKind::Cidr, "203.0.113.0/24".into());
    let mut c = Entry::new(IocKind::Domain, "evil.example".into());
    c.confidence = Some(95);
    c.last_seen = Some(1_796_100_000);
    let v6 = Entry::new(IocKind::Cidr, "2001:db8::/32".into());
    let meta = |name: &str| SourceMeta {
        name: name.into(),
        category: "c2".into(),
        format: "plain".into(),
        confidence: 50,
        fetched_at: 1_796_200_000,
        upstream_date: Some(1_796_150_000),
        entries: 0,
    };
    pack::write(
        &[
            SourceData { meta: meta("one"), entries: vec![a.clone(), b, a] },
            SourceData { meta: meta("two"), entries: vec![c, v6] },
        ],
        1_796_300_000,
    )
    .unwrap()
}

#[test]
fn a_pack_round_trips_with_sources_dates_and_networks() {
    let bytes = sample();
    let p = Pack::from_bytes(&bytes).unwrap();
    assert_eq!(p.len(), 4, "the duplicate row of source one merges");
    assert_eq!(p.created_at(), 1_796_300_000);
    let s = p.sources();
    assert_eq!((s[0].name.as_str(), s[0].entries, s[1].entries), ("one", 2, 2));
    let hits = p.lookup(IocKind::Domain, "evil.example");
    assert_eq!(hits.len(), 2);
    assert_eq!(
        (hits[0].source, hits[0].family, hits[0].tags, hits[0].confidence),
        ("one", Some("Remcos"), "rat,c2", 50)
    );
    assert_eq!(
        hits[0].last_seen,
        Some(1_796_150_000),
        "no own last_seen: the source's publication date"
    );
    assert_eq!(
        (hits[1].source, hits[1].confidence, hits[1].last_seen),
        ("two", 95, Some(1_796_100_000))
    );
    assert_eq!(p.lookup(IocKind::Ipv4, "203.0.113.77")[0].matched, "203.0.113.0/24");
    assert!(p.lookup(IocKind::Ipv4, "203.0.114.1").is_empty());
    assert_eq!(p.lookup(IocKind::Ipv6, "2001:db8:1::5")[0].source, "two");
    assert!(p.lookup(IocKind::Domain, "example").is_empty());
    assert!(p.lookup(IocKind::Unknown, "").is_empty());
    assert_eq!(sample(), bytes, "the writer is deterministic");
}

#[test]
fn damaged_packs_are_clear_errors() {
    let bytes = sample();
    assert!(matches!(
        Pack::from_bytes(&bytes[..bytes.len() - 1]),
        Err(PackError::LengthMismatch { .. })
    ));
    assert!(matches!(Pack::from_bytes(&bytes[..40]), Err(PackError::TooShort(40))));
    let mut magic = bytes.clone();
    magic[0] = b'X';
    assert_eq!(Pack::from_bytes(&magic).unwrap_err(), PackError::BadMagic);
    let mut version = bytes.clone();
    version[8] = 9;
    assert_eq!(Pack::from_bytes(&version).unwrap_err(), PackError::UnsupportedVersion(9));
    for at in [80, bytes.len() / 2, bytes.len() - 40] {
        let mut flipped = bytes.clone();
        flipped[at] ^= 1;
        assert_eq!(Pack::from_bytes(&flipped).unwrap_err(), PackError::Checksum, "byte {at}");
    }
    let msg = PackError::Checksum.to_string();
    assert!(msg.contains("checksum"), "{msg}");
}

#[test]
fn records_pointing_outside_are_refused_even_with_a_valid_checksum() {
    use sha2::{Digest, Sha256};
    let reseal = |mut b: Vec<u8>| {
        let body = b.len() - 32;
        let d = Sha256::digest(&b[..body]);
        b[body..].copy_from_slice(&d);
        b
    };
    let bytes = sample();
    let n_sources = u32::from_le_bytes(bytes[12..16].try_into().unwrap()) as usize;
    let n_attrs = u32::from_le_bytes(bytes[16..20].try_into().unwrap()) as usize;
    let first_entry = 72 + n_sources * 40 + n_attrs * 12;
    let mut long = bytes.clone();
    long[first_entry + 8..first_entry + 10].copy_from_slice(&u16::MAX.to_le_bytes());
    assert!(
        matches!(Pack::from_bytes(&reseal(long)), Err(PackError::Corrupt(m)) if m.contains("out of bounds"))
    );
    let mut kind = bytes.clone();
    kind[first_entry] = 200;
    assert!(
        matches!(Pack::from_bytes(&reseal(kind)), Err(PackError::Corrupt(m)) if m.contains("type code"))
    );
    let mut order = bytes.clone();
    order[first_entry + 28] = 1; // the second entry becomes an IPv4, before the first's kind
    assert!(
        matches!(Pack::from_bytes(&reseal(order)), Err(PackError::Corrupt(m)) if m.contains("out of order"))
    );
}

#[test]
fn every_truncation_and_byte_flip_is_an_error_or_a_safe_pack() {
    let bytes = sample();
    for len in 0..bytes.len() {
        assert!(Pack::open(&bytes[..len]).is_err(), "truncated to {len}");
        assert!(Pack::from_bytes(&bytes[..len]).is_err(), "truncated to {len}");
    }
    for at in 0..bytes.len() {
        for bit in [0x01u8, 0x80] {
            let mut b = bytes.clone();
            b[at] ^= bit;
            // With the checksum (install, pull): every flip is refused.
            assert!(Pack::from_bytes(&b).is_err(), "byte {at} bit {bit:#x}");
            // The cheap load check may accept a flip inside a string or a date, never panics on lookups.
            if let Ok(p) = Pack::open(&b) {
                for (kind, v) in [
                    (IocKind::Domain, "evil.example"),
                    (IocKind::Ipv4, "203.0.113.77"),
                    (IocKind::Ipv6, "2001:db8:1::5"),
                ] {
                    let _ = p.lookup(kind, v);
                }
                let _ = p.sources();
            }
        }
    }
    assert_eq!(Pack::open(&bytes).unwrap().len(), 4);
}

mod lookup_with_a_pack {
    use super::*;
    use ioclens_core::score::{FactorName, Verdict};
    use ioclens_core::{LookupOptions, lookup, lookup_with};

    const DAY: i64 = 86_400;
    const NOW: i64 = 1_796_300_000 + 2 * DAY;

    fn src(name: &str, category: &str, format: &str, entries: Vec<Entry>) -> SourceData {
        SourceData {
            meta: SourceMeta {
                name: name.into(),
                category: category.into(),
                format: format.into(),
                confidence: 90,
                fetched_at: 1_796_200_000,
                upstream_date: None,
                entries: 0,
            },
            entries,
        }
    }

    fn pack_bytes(created: i64) -> Vec<u8> {
        let mut tf = Entry::new(IocKind::Domain, "only-in-threatfox.com".into());
        tf.last_seen = Some(1_796_000_000);
        tf.family = Some("Remcos".into());
        let mut ipsum = Entry::new(IocKind::Ipv4, "45.95.147.1".into());
        ipsum.number = Some(2);
        let tor = Entry::new(IocKind::Ipv4, "45.10.20.31".into());
        pack::write(
            &[
                src("threatfox-recent", "malware", "threatfox-csv", vec![tf]),
                src("ipsum", "blocklist", "ipsum", vec![ipsum]),
                src("tor-exit", "anonymizer", "plain", vec![tor]),
            ],
            created,
        )
        .unwrap()
    }

    fn opts() -> LookupOptions {
        LookupOptions { hunting: false, ..LookupOptions::default() }
    }

    #[test]
    fn a_pack_hit_is_a_feed_factor_naming_source_and_date() {
        let bytes = pack_bytes(1_796_300_000);
        let p = Pack::open(&bytes).unwrap();
        let r = lookup_with("only-in-threatfox.com", &opts(), Some(&p), NOW);
        assert_eq!(r.score.verdict, Verdict::Malicious, "{:?}", r.score.factors);
        assert!(r.found);
        let f = r.score.factors.iter().find(|f| f.name == FactorName::Feed).unwrap();
        assert_eq!((f.source.as_str(), f.contribution), ("feed:threatfox-recent", 50));
        let detail = f.detail.as_deref().unwrap();
        assert!(detail.contains("last seen 2026-11-30"), "{detail}");
        assert_eq!(r.score.decay.since, 1_796_000_000, "decay runs from the entry's own last seen");
        assert_eq!(r.malware_family.as_deref(), Some("Remcos"));
        assert_eq!(r.intel_age_days, None, "a two-day-old pack is not stale");
        assert!(r.data_versions.iter().any(|d| d.source == "intel-pack"));
        // Without the pack the value is unknown.
        let bare = lookup("only-in-threatfox.com", &opts(), NOW);
        assert!(!bare.found && bare.score.verdict != Verdict::Malicious);
    }

    #[test]
    fn context_sources_are_not_evidence_of_malice() {
        let bytes = pack_bytes(1_796_300_000);
        let p = Pack::open(&bytes).unwrap();
        let r = lookup_with("45.10.20.31", &opts(), Some(&p), NOW);
        let f = r.score.factors.iter().find(|f| f.name == FactorName::Anonymizer).unwrap();
        assert_eq!((f.source.as_str(), f.contribution), ("feed:tor-exit", 0));
        assert!(r.tags.iter().any(|t| t == "anonymizer"), "{:?}", r.tags);
        let bare = lookup("45.10.20.31", &opts(), NOW);
        assert_eq!(r.found, bare.found);
        assert_eq!(r.risk, bare.risk);
    }

    #[cfg(feature = "offline-intel")]
    #[test]
    fn a_pack_source_replaces_its_embedded_copy() {
        // 77.90.185.20 is on 10 lists in the embedded IPsum; the pack's IPsum does not list it: no longer evidence.
        let bytes = pack_bytes(1_796_300_000);
        let p = Pack::open(&bytes).unwrap();
        let bare = lookup("77.90.185.20", &opts(), NOW);
        assert!(bare.score.factors.iter().any(|f| f.name == FactorName::Ipsum));
        let r = lookup_with("77.90.185.20", &opts(), Some(&p), NOW);
        assert!(
            !r.score.factors.iter().any(|f| f.name == FactorName::Ipsum),
            "{:?}",
            r.score.factors
        );
        assert!(!r.hits.iter().any(|h| h.list == "ipsum"));
        // A value the pack's IPsum lists counts once, by the pack's count (2 lists: +30).
        let r = lookup_with("45.95.147.1", &opts(), Some(&p), NOW);
        let ipsum: Vec<_> =
            r.score.factors.iter().filter(|f| f.name == FactorName::Ipsum).collect();
        assert_eq!(ipsum.len(), 1, "{:?}", r.score.factors);
        assert_eq!(ipsum[0].contribution, 30);
        assert!(!r.score.factors.iter().any(|f| f.name == FactorName::Feed), "never counted twice");
    }

    #[test]
    fn old_intel_is_said_once_not_per_hit() {
        let bytes = pack_bytes(NOW - 30 * DAY);
        let p = Pack::open(&bytes).unwrap();
        let r = lookup_with("only-in-threatfox.com", &opts(), Some(&p), NOW);
        assert_eq!(r.intel_age_days, Some(30));
        let stale: Vec<_> = r
            .diagnostics
            .iter()
            .filter(|d| d.code == ioclens_core::DiagnosticCode::StaleIntel)
            .collect();
        assert_eq!(stale.len(), 1);
        assert!(stale[0].message.contains("ioclens intel update"), "{}", stale[0].message);
    }

    #[test]
    fn the_empty_file_md5_stays_benign_with_a_pack() {
        let bytes = pack_bytes(1_796_300_000);
        let p = Pack::open(&bytes).unwrap();
        let md5 = "d41d8cd98f00b204e9800998ecf8427e";
        let with = lookup_with(md5, &opts(), Some(&p), NOW);
        let without = lookup(md5, &opts(), NOW);
        assert_eq!(with.score.verdict, without.score.verdict);
        assert_eq!(with.risk, without.risk);
    }
}

/// `load_pack` through the API (what every WASM host calls): only a pack whose signature verifies with the
/// given key is installed; later `lookup`/`lookup_many` answers equal `lookup_with` on that pack.
#[cfg(feature = "pack-signature")]
#[test]
fn load_pack_installs_only_a_verified_pack_for_later_lookups() {
    use base64::Engine as _;
    use ed25519_dalek::{Signer as _, SigningKey};
    use ioclens_core::api;
    use ioclens_core::intel::signature::hex;
    use serde_json::{Value, json};
    const NOW: i64 = 1_767_225_600;
    let mut tf = Entry::new(IocKind::Domain, "only-in-a-loaded-pack.example".into());
    tf.family = Some("Remcos".into());
    let meta = SourceMeta {
        name: "threatfox-recent".into(),
        category: "malware".into(),
        format: "threatfox-csv".into(),
        confidence: 90,
        fetched_at: NOW - 9 * 86_400,
        upstream_date: None,
        entries: 0,
    };
    let bytes = pack::write(&[SourceData { meta, entries: vec![tf] }], NOW - 9 * 86_400).unwrap();
    let key = SigningKey::from_bytes(&[9; 32]);
    let public = hex(key.verifying_key().as_bytes());
    let sig = hex(&key.sign(&bytes).to_bytes());
    let b64 = base64::engine::general_purpose::STANDARD.encode(&bytes);
    let call = |op: &str, req: Value| -> Value {
        serde_json::from_str(&api::call(op, &req.to_string())).unwrap()
    };
    let lookup =
        || call("lookup", json!({ "value": "only-in-a-loaded-pack[.]example", "now": NOW }));
    let before = lookup();
    // Refusals say why and install nothing.
    let mut flipped = bytes.clone();
    *flipped.last_mut().unwrap() ^= 1;
    let bad = base64::engine::general_purpose::STANDARD.encode(&flipped);
    for (req, why) in [
        (json!({ "pack_base64": bad, "signature": sig, "public_key": public }), "does not verify"),
        (json!({ "pack_base64": b64, "signature": sig, "public_key": "00" }), "64 hex digits"),
        (json!({ "pack_base64": "%%", "signature": sig, "public_key": public }), "not base64"),
        (json!({ "pack_base64": b64, "public_key": public }), "signature"),
    ] {
        let got = call("load_pack", req);
        assert_eq!(got["error"]["kind"], "bad_request", "{got}");
        assert!(got["error"]["message"].as_str().unwrap().contains(why), "{got}");
        assert_eq!(lookup(), before, "a refused pack changes nothing");
    }
    let got =
        call("load_pack", json!({ "pack_base64": b64, "signature": sig, "public_key": public }));
    assert_eq!(
        got["ok"],
        json!({ "entries": 1, "created_at": NOW - 9 * 86_400, "sources": ["threatfox-recent"] })
    );
    let p = Pack::from_bytes(&bytes).unwrap();
    let opts = ioclens_core::LookupOptions::default();
    let want = serde_json::to_value(ioclens_core::lookup_with(
        "only-in-a-loaded-pack[.]example",
        &opts,
        Some(&p),
        NOW,
    ))
    .unwrap();
    let after = lookup();
    assert_eq!(after["ok"], want, "the API answers as lookup_with on the pack");
    assert_ne!(after, before);
    assert_eq!(after["ok"]["intel_age_days"], 9);
    assert!(after["ok"]["diagnostics"].to_string().contains("stale-intel"));
    let many =
        call("lookup_many", json!({ "values": ["only-in-a-loaded-pack[.]example"], "now": NOW }));
    assert_eq!(many["ok"]["results"][0]["ok"], want);
}
