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
