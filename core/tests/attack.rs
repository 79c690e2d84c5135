//! ATT&CK mapping over the shared corpus and a set of representative values with context, as insta snapshots.
//!
//! The corpus cases are mapped from their hand-written `type` and `canonical` (not through `classify`), so this
//! test checks the mapper alone; `attack` in each case lists ids the mapping must include.
use ioclens_core::attack::{self, MapContext, MapResponse};
use ioclens_core::extract::ContextMention;
use ioclens_core::{Classified, IocKind, Span};

fn check(kind: IocKind, canonical: &str, ctx: &MapContext) -> MapResponse {
    let r = attack::map_response(&Classified::known(kind, canonical), ctx);
    assert_eq!(r.attack_version, "18.1");
    for m in &r.techniques {
        assert!(attack::is_active_technique(&m.id), "{} is not an active technique", m.id);
    }
    r
}

#[test]
fn corpus_cases() {
    let mut seen = 0;
    for case in ioclens_tests::corpus() {
        if case.attack.is_empty() {
            continue;
        }
        let (Some(kind), Some(canonical)) = (case.kind.as_deref(), case.canonical.as_deref())
        else {
            continue;
        };
        let kind = IocKind::parse(kind).unwrap_or_else(|| panic!("{}: bad type {kind}", case.name));
        let r = check(kind, canonical, &MapContext::default());
        let ids: Vec<&str> = r.techniques.iter().map(|m| m.id.as_str()).collect();
        for want in &case.attack {
            assert!(
                ids.contains(&want.as_str()),
                "{} ({}): {want} not in {ids:?}",
                case.name,
                case.file
            );
        }
        // Snapshots for this module's own corpus file only, so cases other files add do not need new snapshots.
        if case.file == "attack.toml" {
            insta::assert_json_snapshot!(format!("corpus-{}", case.name), r);
            seen += 1;
        }
    }
    assert!(seen >= 10, "attack corpus cases: {seen}");
}

fn mention(name: &str, id: &str) -> ContextMention {
    ContextMention {
        kind: ioclens_core::attack::MentionKind::Malware,
        name: name.into(),
        attack_id: Some(id.into()),
        span: Span { start: 0, end: 1 },
    }
}

#[test]
fn representative_values_with_context() {
    let cases: Vec<(&str, IocKind, &str, MapContext)> = vec![
        (
            "url-in-email",
            IocKind::Url,
            "https://sharepoint-docs.example-login.com/view?id=1",
            MapContext { email_context: true, ..MapContext::default() },
        ),
        (
            "domain-dga",
            IocKind::Domain,
            "xkqjvbwzplmf.info",
            MapContext { dga: true, ..MapContext::default() },
        ),
        (
            "ipv4-tor-443",
            IocKind::Ipv4,
            "185.220.101.34",
            MapContext { tor: true, port: Some(443), ..MapContext::default() },
        ),
        (
            "ipv4-vpn-4444",
            IocKind::Ipv4,
            "91.219.236.18",
            MapContext { vpn: true, port: Some(4444), ..MapContext::default() },
        ),
        (
            "md5-emotet",
            IocKind::Md5,
            "8f14e45fceea167a5a36dedd4bea2543",
            MapContext { family: Some("Emotet".into()), ..MapContext::default() },
        ),
        (
            "domain-with-cobalt-strike-context",
            IocKind::Domain,
            "cdn-update.example-cloud.net",
            MapContext {
                context: vec![mention("Cobalt Strike", "S0154")],
                context_cap: 5,
                ..MapContext::default()
            },
        ),
        ("cve-kev-ransomware-no-ctid", IocKind::Cve, "CVE-2024-1709", MapContext::default()),
        (
            "registry-run-key",
            IocKind::RegistryKey,
            r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Run\svc",
            MapContext::default(),
        ),
        ("group-apt29", IocKind::Attack, "G0016", MapContext::default()),
    ];
    for (name, kind, value, ctx) in cases {
        insta::assert_json_snapshot!(format!("map-{name}"), check(kind, value, &ctx));
    }
}

#[test]
fn lookup_cards() {
    for id in ["T1059.001", "T1086", "TA0011", "T0800", "M1038"] {
        let o = attack::lookup(id).unwrap_or_else(|e| panic!("{id}: {e}"));
        insta::assert_json_snapshot!(format!("lookup-{id}"), o);
    }
}

#[test]
fn context_in_a_report() {
    let text = "In March the actor, tracked as APT29 / Cozy Bear, delivered a QakBot loader that fetched \
                Cobalt Strike from hxxps://cdn-update[.]example-cloud[.]net. Mimikatz was used afterwards; \
                the page title said 'Empire of Dreams'.";
    insta::assert_json_snapshot!("context-report", attack::context::find(text));
}
