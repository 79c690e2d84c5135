//! Expected values below were written from attack.mitre.org (v18.1 pages), the CTID mappings explorer, the CISA
//! KEV catalog and the rule table in docs/attack.md — not copied from this module's output.
use super::ContextMention as Mention;
use super::*;
use crate::Span;
use crate::generated::attack as g;
use crate::model::{AttackIdFacts, DomainFacts, IocKind, IpFacts, IpScope, UrlFacts};

/// The one helper the mapping tests use: the ids mapped for a value, strongest first.
fn check(kind: IocKind, canonical: &str, ctx: &MapContext) -> Vec<TechniqueMapping> {
    let out = map(&Classified::known(kind, canonical), ctx);
    for m in &out {
        assert!(is_active_technique(&m.id), "{} emitted for {canonical} is not active", m.id);
        assert!(!m.reason.is_empty() && !m.reason.contains('\n'), "reason must be one line: {m:?}");
    }
    out
}

fn ids(v: &[TechniqueMapping]) -> Vec<&str> {
    v.iter().map(|m| m.id.as_str()).collect()
}

fn get<'a>(v: &'a [TechniqueMapping], id: &str) -> &'a TechniqueMapping {
    v.iter().find(|m| m.id == id).unwrap_or_else(|| panic!("{id} not in {:?}", ids(v)))
}

// --- catalogue ---------------------------------------------------------------------------------------------------

#[test]
fn version_constants() {
    assert_eq!(ATTACK_VERSION, "18.1");
    assert_eq!(KEV_VERSION, "2025.08.25");
    assert!(ATTACK_LICENSE.contains("© 2025 The MITRE Corporation"));
    assert_eq!(data_versions().attack, "18.1");
}

#[test]
fn table_sizes_match_sources_md() {
    // data/SOURCES.md: 14 tactics, 835 techniques (691 active), 187 groups, 787 software, 52 campaigns,
    // 44 mitigations; 311 Mobile/ICS ids; 1,224 CTID CVEs; 1,404 KEV CVEs.
    assert_eq!(g::TACTICS.len(), 14);
    assert_eq!(g::TECHNIQUES.len(), 835);
    assert_eq!(g::TECHNIQUES.iter().filter(|t| !t.revoked && !t.deprecated).count(), 691);
    assert_eq!(g::GROUPS.len(), 187);
    assert_eq!(g::SOFTWARE.len(), 787);
    assert_eq!(g::CAMPAIGNS.len(), 52);
    assert_eq!(g::MITIGATIONS.len(), 44);
    assert_eq!(g::OTHER_DOMAINS.len(), 311);
    assert_eq!(super::ctid_len(), 1224);
    assert_eq!(super::ctid_rows().count(), 1224);
    assert_eq!(super::kev_len(), 1404);
    assert_eq!(super::kev_rows().count(), 1404);
}

#[test]
fn tables_are_sorted_for_binary_search() {
    assert!(g::TECHNIQUES.windows(2).all(|w| w[0].id < w[1].id));
    assert!(g::SOFTWARE.windows(2).all(|w| w[0].id < w[1].id));
    assert!(g::GROUPS.windows(2).all(|w| w[0].id < w[1].id));
    assert!(g::CAMPAIGNS.windows(2).all(|w| w[0].id < w[1].id));
    assert!(g::MITIGATIONS.windows(2).all(|w| w[0].id < w[1].id));
    assert!(g::OTHER_DOMAINS.windows(2).all(|w| w[0].id < w[1].id));
    let ctid: Vec<_> = super::ctid_rows().collect();
    assert!(ctid.windows(2).all(|w| w[0].cve < w[1].cve));
    assert!(ctid.iter().all(|r| r.techniques().count() > 0), "every CTID row maps a technique");
    let kev: Vec<_> = super::kev_rows().collect();
    assert!(kev.windows(2).all(|w| w[0].cve < w[1].cve));
    let dd = crate::generated::attack_context::DYNAMIC_DNS;
    assert!(dd.windows(2).all(|w| w[0] < w[1]));
    let ws = crate::generated::attack_context::WEB_SERVICES;
    assert!(ws.windows(2).all(|w| w[0].0 < w[1].0));
    let fi = family_index();
    assert!(fi.len() > 1000, "{}", fi.len());
    assert!(fi.windows(2).all(|w| w[0].0 < w[1].0));
    assert!(fi.iter().all(|(_, id)| id.starts_with(['S', 'G'])));
}

/// Every `(name, id)` row of the generated family index.
fn family_index() -> Vec<(&'static str, &'static str)> {
    use crate::generated::attack_context::{FAMILY_INDEX, FAMILY_INDEX_STARTS};
    (0..FAMILY_INDEX_STARTS.len() - 1)
        .map(|i| crate::rows::row(FAMILY_INDEX, &FAMILY_INDEX_STARTS, i).unwrap())
        .map(|row| row.split_once('\t').unwrap())
        .collect()
}

#[test]
fn lookup_sub_technique() {
    let o = lookup("T1059.001").unwrap();
    assert_eq!(o.name, "PowerShell");
    assert_eq!(o.kind, AttackIdKind::SubTechnique);
    assert_eq!(o.domain, "enterprise");
    assert_eq!(o.attack_version, "18.1");
    assert_eq!(o.url.as_deref(), Some("https://attack.mitre.org/techniques/T1059/001"));
    assert_eq!(
        o.parent,
        Some(IdName { id: "T1059".into(), name: "Command and Scripting Interpreter".into() })
    );
    assert_eq!(
        o.tactics,
        vec![TacticRef {
            id: "TA0002".into(),
            name: "Execution".into(),
            sentinel_name: "Execution".into()
        }]
    );
    assert_eq!(o.platforms, vec!["Windows"]);
    assert!(o.data_components.iter().any(|d| d == "Process Creation"));
    assert!(o.log_sources.iter().any(|l| l.starts_with("WinEventLog:PowerShell")));
    assert!(o.mitigations.iter().any(|m| m.id == "M1038" && m.name == "Execution Prevention"));
    assert!(!o.detection_strategies.is_empty());
    assert!(o.requested.is_none() && o.note.is_none());
}

#[test]
fn lookup_technique_children_and_tactic_order() {
    let o = lookup("t1071").unwrap();
    assert_eq!(o.name, "Application Layer Protocol");
    let children: Vec<&str> = o.children.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(children, ["T1071.001", "T1071.002", "T1071.003", "T1071.004", "T1071.005"]);
    // T1078 Valid Accounts: four tactics, matrix order (Initial Access before Persistence before Privilege
    // Escalation before Defense Evasion).
    let o = lookup("T1078").unwrap();
    let tactics: Vec<&str> = o.tactics.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(tactics, ["TA0001", "TA0003", "TA0004", "TA0005"]);
    // URL form is accepted.
    assert_eq!(lookup("T1059/001").unwrap().id, "T1059.001");
}

#[test]
fn revoked_resolves_to_replacement() {
    let o = lookup("T1086").unwrap();
    assert_eq!(o.id, "T1059.001");
    assert_eq!(o.name, "PowerShell");
    assert_eq!(o.requested.as_deref(), Some("T1086"));
    let note = o.note.unwrap();
    assert!(
        note.contains("T1086") && note.contains("revoked") && note.contains("T1059.001"),
        "{note}"
    );
    // Groups too: APT34 (G0057) was merged into OilRig (G0049).
    let o = lookup("G0057").unwrap();
    assert_eq!(o.id, "G0049");
    assert_eq!(o.name, "OilRig");
}

#[test]
fn unknown_id_is_a_clear_error() {
    let e = lookup("T9999").unwrap_err();
    assert_eq!(e.kind, ErrorKind::UnknownAttackId);
    assert_eq!(e.message, "`T9999` is not in ATT&CK v18.1");
    assert_eq!(e.input.as_deref(), Some("T9999"));
    assert_eq!(lookup("not an id").unwrap_err().kind, ErrorKind::UnknownAttackId);
    assert!(lookup("").is_err());
}

#[test]
fn lookup_tactic_group_software_mitigation_campaign() {
    let tac = lookup("TA0011").unwrap();
    assert_eq!((tac.kind, tac.name.as_str()), (AttackIdKind::Tactic, "Command and Control"));
    assert!(tac.techniques.iter().any(|x| x.id == "T1071"));

    let g = lookup("G0007").unwrap();
    assert_eq!(g.name, "APT28");
    assert!(g.aliases.iter().any(|a| a == "Fancy Bear"));
    assert!(g.software.iter().any(|s| s.id == "S0002" && s.name == "Mimikatz"));
    assert!(!g.techniques.is_empty());

    let s = lookup("S0154").unwrap();
    assert_eq!((s.name.as_str(), s.software_type.as_deref()), ("Cobalt Strike", Some("malware")));
    assert!(s.techniques.iter().any(|t| t.id == "T1071.001"));
    assert!(s.groups.iter().any(|gr| gr.id == "G0016"), "APT29 uses Cobalt Strike");

    let m = lookup("M1038").unwrap();
    assert_eq!((m.kind, m.name.as_str()), (AttackIdKind::Mitigation, "Execution Prevention"));
    assert!(m.techniques.iter().any(|t| t.id == "T1059.001"));

    let c = lookup("C0011").unwrap();
    assert_eq!(c.kind, AttackIdKind::Campaign);
    assert_eq!(c.groups, vec![IdName { id: "G0134".into(), name: "Transparent Tribe".into() }]);
    assert_eq!(c.first_seen.as_deref(), Some("2021-12-01"));
}

#[test]
fn lookup_mobile_ics_and_data_component() {
    let o = lookup("T0800").unwrap();
    assert_eq!((o.domain.as_str(), o.name.as_str()), ("ics", "Activate Firmware Update Mode"));
    assert_eq!(o.tactics[0].id, "TA0107");
    assert_eq!(o.tactics[0].sentinel_name, "InhibitResponseFunction");
    let t = lookup("TA0027").unwrap();
    assert_eq!((t.domain.as_str(), t.name.as_str()), ("mobile", "Initial Access"));
    let dc = lookup("process creation").unwrap();
    assert_eq!((dc.kind, dc.name.as_str()), (AttackIdKind::DataComponent, "Process Creation"));
    assert!(dc.techniques.iter().any(|t| t.id == "T1059.001"));
}

#[test]
fn tactic_forms() {
    let t = tactic("TA0001").unwrap();
    assert_eq!(
        (t.name.as_str(), t.shortname.as_str(), t.sentinel_name.as_str()),
        ("Initial Access", "initial-access", "InitialAccess")
    );
    assert_eq!(tactic("command-and-control").unwrap().sentinel_name, "CommandAndControl");
    assert_eq!(tactic("InitialAccess").unwrap().id, "TA0001");
    assert_eq!(tactic("defense evasion").unwrap().id, "TA0005");
    assert_eq!(tactic("ResourceDevelopment").unwrap().id, "TA0042");
    assert!(tactic("TA9999").is_none());
    let all = tactics();
    assert_eq!(all.first().map(|t| t.id.as_str()), Some("TA0043"));
    assert_eq!(all.last().map(|t| t.id.as_str()), Some("TA0040"));
}

#[test]
fn exists_and_name() {
    for id in [
        "T1059.001",
        "t1059.001",
        "T1086",
        "TA0001",
        "G0007",
        "S0154",
        "M1038",
        "C0011",
        "T0800",
        "TA0100",
    ] {
        assert!(exists(id), "{id}");
    }
    for id in ["T9999", "T1059.999", "", "T", "TA", "X1", "G9999", "T1059.001x"] {
        assert!(!exists(id), "{id}");
    }
    assert_eq!(name("T1566.002"), Some("Spearphishing Link"));
    assert!(is_active_technique("T1059.001"));
    assert!(!is_active_technique("T1086"));
}

#[test]
fn kev_facts() {
    let k = kev("cve-2021-44228").unwrap();
    assert_eq!((k.vendor.as_str(), k.product.as_str()), ("Apache", "Log4j2"));
    assert_eq!(k.date_added, "2021-12-10");
    assert!(k.ransomware);
    assert_eq!(k.cwes, ["CWE-20", "CWE-400", "CWE-502"]);
    assert!(kev("CVE-1999-0001").is_none());
}

// --- rules -------------------------------------------------------------------------------------------------------

#[test]
fn every_rule_id_is_active() {
    for id in rules::RULE_IDS {
        let t = technique_row(id).unwrap_or_else(|| panic!("{id} not in the catalogue"));
        assert!(!t.revoked && !t.deprecated, "{id} is not active");
    }
}

/// Runs the mapper over every row of every data table it reads (CTID, KEV, ATT&CK ids, families) and checks
/// that each emitted id is an active technique. `check` does the assertion.
#[test]
fn every_emitted_id_is_active() {
    let ctx = MapContext::default();
    let mut n = 0;
    for row in super::ctid_rows() {
        n += check(IocKind::Cve, row.cve, &ctx).len();
    }
    for row in super::kev_rows() {
        n += check(IocKind::Cve, row.cve, &ctx).len();
    }
    for t in g::TECHNIQUES {
        n += check(IocKind::Attack, t.id, &ctx).len();
    }
    for r in g::OTHER_DOMAINS {
        n += check(IocKind::Attack, r.id, &ctx).len();
    }
    for s in g::SOFTWARE {
        n += check(IocKind::Attack, s.id, &ctx).len();
    }
    for gr in g::GROUPS {
        n += check(IocKind::Attack, gr.id, &ctx).len();
        let mention = Mention {
            kind: super::MentionKind::Group,
            name: gr.name.into(),
            attack_id: Some(gr.id.into()),
            span: Span { start: 0, end: 1 },
        };
        let ctx = MapContext {
            context: vec![mention],
            family: Some(gr.name.into()),
            ..MapContext::default()
        };
        n += check(IocKind::Domain, "example.org", &ctx).len();
    }
    for c in g::CAMPAIGNS {
        n += check(IocKind::Attack, c.id, &ctx).len();
    }
    for (name, _) in family_index() {
        let ctx = MapContext { family: Some(name.to_owned()), ..MapContext::default() };
        n += check(IocKind::Sha256, &"a".repeat(64), &ctx).len();
    }
    assert!(n > 10_000, "the sweep should map a lot: {n}");
}

#[test]
fn url_scheme_and_extension() {
    let v = check(IocKind::Url, "https://evil.example/gate.php", &MapContext::default());
    assert_eq!(ids(&v), ["T1071.001"]);
    assert_eq!(get(&v, "T1071.001").confidence, MappingConfidence::Medium);
    assert_eq!(get(&v, "T1071.001").source, MappingSource::Rule);
    assert_eq!(get(&v, "T1071.001").tactics[0].sentinel_name, "CommandAndControl");

    let v = check(IocKind::Url, "http://203.0.113.7:8081/x/payload.EXE", &MapContext::default());
    assert!(ids(&v).contains(&"T1105"), "{:?}", ids(&v));
    assert!(get(&v, "T1105").reason.contains(".exe"));
    assert!(ids(&v).contains(&"T1571"), "port 8081 is not a standard web port");

    let v = check(IocKind::Url, "ftp://files.example.net/a.zip", &MapContext::default());
    assert!(ids(&v).contains(&"T1071.002") && ids(&v).contains(&"T1105"));
}

#[test]
fn url_facts_win_over_parsing() {
    let mut c = Classified::known(IocKind::Url, "https://x.duckdns.org/");
    c.facts.url = Some(UrlFacts {
        scheme: "https".into(),
        host: "x.duckdns.org".into(),
        host_type: IocKind::Domain,
        port: None,
        path: "/drop.ps1".into(),
        query: None,
        fragment: None,
        has_userinfo: false,
    });
    let v = map(&c, &MapContext::default());
    assert!(ids(&v).contains(&"T1105"), "path from facts: {:?}", ids(&v));
    assert!(ids(&v).contains(&"T1568"), "duckdns.org is dynamic DNS: {:?}", ids(&v));
}

#[test]
fn email_context_link() {
    let ctx = MapContext { email_context: true, ..MapContext::default() };
    let v = check(IocKind::Url, "https://login.example.com/reset", &ctx);
    assert_eq!(ids(&v)[0], "T1566.002");
    assert_eq!(get(&v, "T1566.002").confidence, MappingConfidence::High);
    let v = check(IocKind::Domain, "login-example.com", &ctx);
    assert!(ids(&v).contains(&"T1566.002"));
    assert!(
        !ids(&check(IocKind::Domain, "login-example.com", &MapContext::default()))
            .contains(&"T1566.002")
    );
}

#[test]
fn dynamic_dns_dga_web_service_onion() {
    let v = check(IocKind::Domain, "c2.ddns.net", &MapContext::default());
    assert!(get(&v, "T1568").reason.contains("ddns.net"));
    let v = check(
        IocKind::Domain,
        "kq3v9x7zpl0d.com",
        &MapContext { dga: true, ..MapContext::default() },
    );
    assert!(ids(&v).contains(&"T1568.002"));
    let v = check(IocKind::Url, "https://pastebin.com/raw/abc", &MapContext::default());
    assert!(get(&v, "T1102").reason.contains("pastebin.com"));
    let v = check(IocKind::Domain, "raw.githubusercontent.com", &MapContext::default());
    assert!(ids(&v).contains(&"T1102"));
    let v = check(IocKind::Domain, "abcdefghijklmnop.onion", &MapContext::default());
    assert_eq!(get(&v, "T1090.003").confidence, MappingConfidence::High);
    // A lookalike is not the service.
    assert!(
        !ids(&check(IocKind::Domain, "notpastebin.com", &MapContext::default())).contains(&"T1102")
    );
    assert!(
        !ids(&check(IocKind::Domain, "evilddns.net", &MapContext::default())).contains(&"T1568")
    );
}

#[test]
fn ip_port_tor_vpn() {
    let d = MapContext::default();
    assert_eq!(ids(&check(IocKind::Ipv4, "198.51.100.1", &d)), ["T1071"]);
    let port = |p| MapContext { port: Some(p), ..MapContext::default() };
    assert_eq!(ids(&check(IocKind::Ipv4, "8.8.4.4", &port(53))), ["T1071.004"]);
    assert_eq!(ids(&check(IocKind::Ipv4, "8.8.4.4", &port(443))), ["T1071.001"]);
    assert_eq!(ids(&check(IocKind::Ipv4, "8.8.4.4", &port(587))), ["T1071.003"]);
    assert_eq!(ids(&check(IocKind::Ipv4, "8.8.4.4", &port(21))), ["T1071.002"]);
    assert_eq!(ids(&check(IocKind::Ipv4, "8.8.4.4", &port(4444))), ["T1571", "T1071"]);
    let tor = MapContext { tor: true, ..MapContext::default() };
    assert_eq!(ids(&check(IocKind::Ipv6, "2001:db8::1", &tor))[0], "T1090.003");
    let vpn = MapContext { vpn: true, ..MapContext::default() };
    assert!(ids(&check(IocKind::Ipv4, "8.8.4.4", &vpn)).contains(&"T1090"));
    // A private address is not external infrastructure.
    let mut c = Classified::known(IocKind::Ipv4, "10.0.0.1");
    c.facts.ip = Some(IpFacts {
        version: 4,
        scope: IpScope::Private,
        special: None,
        prefix_len: None,
        embedded_ipv4: None,
        port: None,
    });
    assert!(map(&c, &d).is_empty());
}

#[test]
fn reserved_domain_maps_nothing() {
    let mut c = Classified::known(IocKind::Domain, "example.com");
    c.facts.domain = Some(DomainFacts {
        registrable: Some("example.com".into()),
        public_suffix: "com".into(),
        private_suffix: false,
        tld: "com".into(),
        subdomain: None,
        unicode: None,
        reserved: true,
    });
    assert!(map(&c, &MapContext::default()).is_empty());
}

#[test]
fn hash_and_family() {
    let h = "44d88612fea8a8f36de82e1278abb02f";
    assert_eq!(ids(&check(IocKind::Md5, h, &MapContext::default())), ["T1204.002"]);
    let ctx = MapContext { family: Some("Emotet".into()), ..MapContext::default() };
    let v = check(IocKind::Md5, h, &ctx);
    let fam: Vec<&TechniqueMapping> =
        v.iter().filter(|m| m.source == MappingSource::AttackSoftware).collect();
    assert!(fam.len() > 10, "Emotet (S0367) has many techniques");
    assert!(fam.iter().all(|m| m.reason.contains("S0367")));
    // Maltrail trail name and ATT&CK alias resolve too: "agenttesla" → S0331, "Geodo" → S0367.
    let v = check(
        IocKind::Sha1,
        &"b".repeat(40),
        &MapContext { family: Some("agenttesla".into()), ..MapContext::default() },
    );
    assert!(v.iter().any(|m| m.reason.contains("S0331")));
    let v = check(
        IocKind::Sha1,
        &"b".repeat(40),
        &MapContext { family: Some("Geodo".into()), ..MapContext::default() },
    );
    assert!(v.iter().any(|m| m.reason.contains("S0367")));
    // A revoked software id resolves: S0209 (Darkmoon) was revoked by S0012 (PoisonIvy).
    let fam = |f: &str| MapContext { family: Some(f.into()), ..MapContext::default() };
    let v = check(IocKind::Sha1, &"b".repeat(40), &fam("S0209"));
    assert!(v.iter().any(|m| m.reason.contains("S0012")), "{:?}", ids(&v));
    let v = check(IocKind::Sha1, &"b".repeat(40), &fam("no such family"));
    assert_eq!(ids(&v), ["T1204.002"]);
}

#[test]
fn family_on_infrastructure_is_capped_and_c2_first() {
    let ctx = MapContext { family: Some("Emotet".into()), context_cap: 4, ..MapContext::default() };
    let v = check(IocKind::Domain, "emotet-c2.example.net", &ctx);
    let fam: Vec<&TechniqueMapping> =
        v.iter().filter(|m| m.source == MappingSource::AttackSoftware).collect();
    assert_eq!(fam.len(), 4);
    assert!(fam.iter().all(|m| m.tactics.iter().any(|t| t.id == "TA0011")), "{:?}", ids(&v));
}

#[test]
fn email_maps_to_phishing() {
    let v = check(IocKind::Email, "billing@evil.example", &MapContext::default());
    assert_eq!(ids(&v), ["T1566", "T1566.001", "T1566.002"]);
    assert_eq!(get(&v, "T1566").tactics[0].id, "TA0001");
}

#[test]
fn cve_ctid() {
    // CTID KEV mappings: Log4Shell exploitation T1190, secondary impacts T1496, T1486, T1608.001, T1505.003.
    let v = check(IocKind::Cve, "CVE-2021-44228", &MapContext::default());
    let t = get(&v, "T1190");
    assert_eq!(
        (t.source, t.confidence, t.inferred),
        (MappingSource::Ctid, MappingConfidence::High, false)
    );
    for id in ["T1496", "T1486", "T1608.001", "T1505.003"] {
        assert!(ids(&v).contains(&id), "{id}");
    }
    // Citrix CVE-2019-19781: T1133 exploitation, T1059 primary, T1083 secondary.
    let v = check(IocKind::Cve, "CVE-2019-19781", &MapContext::default());
    assert_eq!(get(&v, "T1083").confidence, MappingConfidence::Medium);
    assert!(ids(&v).contains(&"T1133") && ids(&v).contains(&"T1059"));
}

#[test]
fn cve_kev_fallback_is_inferred() {
    // CVE-2024-8068 Citrix Session Recording Improper Privilege Management (CWE-269), no CTID mapping.
    let v = check(IocKind::Cve, "CVE-2024-8068", &MapContext::default());
    let t = get(&v, "T1068");
    assert!(t.inferred);
    assert_eq!(t.source, MappingSource::Kev);
    assert!(t.reason.contains("CWE-269"), "{}", t.reason);
    // CVE-2024-8069 Citrix Session Recording deserialization (CWE-502), no CTID: server-side → T1190.
    let v = check(IocKind::Cve, "CVE-2024-8069", &MapContext::default());
    assert!(get(&v, "T1190").inferred);
    // A CVE in neither table maps to nothing.
    assert!(check(IocKind::Cve, "CVE-1999-0001", &MapContext::default()).is_empty());
}

#[test]
fn coverage_adds_up() {
    let c = coverage();
    assert_eq!(c.kev_total, 1404);
    assert_eq!(c.kev_with_ctid, 590, "SOURCES.md: 590 of the 1,404 KEV CVEs have a mapping");
    assert_eq!(c.kev_with_ctid + c.kev_fallback + c.kev_unmapped, c.kev_total);
    assert!(c.kev_fallback > 500, "{c:?}");
}

#[test]
fn attack_ids_map_to_themselves_parent_and_children() {
    let v = check(IocKind::Attack, "T1059.001", &MapContext::default());
    assert_eq!(ids(&v), ["T1059.001", "T1059"]);
    assert_eq!(get(&v, "T1059.001").confidence, MappingConfidence::High);
    let v = check(IocKind::Attack, "T1071", &MapContext::default());
    assert_eq!(ids(&v), ["T1071", "T1071.001", "T1071.002", "T1071.003", "T1071.004", "T1071.005"]);
    let v = check(IocKind::Attack, "T1086", &MapContext::default());
    assert_eq!(ids(&v)[0], "T1059.001");
    assert!(v[0].reason.contains("T1086"));
    assert!(check(IocKind::Attack, "TA0001", &MapContext::default()).is_empty());
    let mut c = Classified::known(IocKind::Attack, "S0154");
    c.facts.attack =
        Some(AttackIdFacts { id_kind: AttackIdKind::Software, domain: None, name: None });
    let v = map(&c, &MapContext::default());
    assert!(v.iter().all(|m| m.source == MappingSource::AttackSoftware));
    assert!(ids(&v).contains(&"T1071.001"));
    let v = check(IocKind::Attack, "T0800", &MapContext::default());
    assert_eq!(v[0].domain.as_deref(), Some("ics"));
}

#[test]
fn registry_and_paths() {
    let v = check(
        IocKind::RegistryKey,
        r"HKCU\Software\Microsoft\Windows\CurrentVersion\Run\updater",
        &MapContext::default(),
    );
    assert_eq!(ids(&v), ["T1547.001", "T1112"]);
    let v = check(IocKind::FilePath, "/etc/cron.d/backdoor", &MapContext::default());
    assert_eq!(ids(&v), ["T1053.003"]);
    let v = check(
        IocKind::FilePath,
        r"C:\Users\a\AppData\Roaming\Microsoft\Windows\Start Menu\Programs\Startup\x.vbs",
        &MapContext::default(),
    );
    assert_eq!(ids(&v), ["T1547.001", "T1059.005"]);
}

#[test]
fn context_mentions_are_capped_and_ranked() {
    let mention = Mention {
        kind: super::MentionKind::Malware,
        name: "Cobalt Strike".into(),
        attack_id: Some("S0154".into()),
        span: Span { start: 0, end: 13 },
    };
    let ctx = MapContext { context: vec![mention], context_cap: 5, ..MapContext::default() };
    let v = check(IocKind::Domain, "beacon.example.net", &ctx);
    let from_context: Vec<&TechniqueMapping> =
        v.iter().filter(|m| m.source == MappingSource::Context).collect();
    assert_eq!(from_context.len(), 5);
    // For a domain, command-and-control techniques come first.
    assert!(from_context.iter().all(|m| {
        m.tactics.iter().any(|t| t.id == "TA0011" || t.id == "TA0010" || t.id == "TA0001")
    }));
    assert!(from_context[0].reason.contains("Cobalt Strike"));
    // The rule mapping for the domain keeps its own source when context also names T1071.
    assert_eq!(v.iter().filter(|m| m.id == "T1071").count(), 1);
}

#[test]
fn unknown_maps_nothing() {
    assert!(
        map(
            &Classified::known(IocKind::Unknown, ""),
            &MapContext { family: Some("Emotet".into()), ..MapContext::default() }
        )
        .is_empty()
    );
}

// --- context names -----------------------------------------------------------------------------------------------

fn names(text: &str) -> Vec<(String, Option<String>)> {
    context::find(text).into_iter().map(|m| (m.name, m.attack_id)).collect()
}

#[test]
fn context_find_names_and_aliases() {
    let text = "The Emotet loader dropped COBALT STRIKE beacons; APT28 (a.k.a. Fancy Bear) reused TrickBot.";
    let found = context::find(text);
    let got: Vec<(&str, Option<&str>)> =
        found.iter().map(|m| (m.name.as_str(), m.attack_id.as_deref())).collect();
    assert_eq!(
        got,
        [
            ("Emotet", Some("S0367")),
            ("Cobalt Strike", Some("S0154")),
            ("APT28", Some("G0007")),
            ("TrickBot", Some("S0266"))
        ]
    );
    assert_eq!(&text[found[1].span.start..found[1].span.end], "COBALT STRIKE");
    assert_eq!(found[0].kind, super::MentionKind::Malware);
    assert_eq!(found[2].kind, super::MentionKind::Group);
}

#[test]
fn context_find_excludes_ambiguous_words() {
    // "Page", "Net", "Empire", "Royal", "Play", "Cobalt" alone are software/group names but ordinary words.
    assert!(
        names("Open the page, check the net, play in the royal empire of cobalt blue at noon.")
            .is_empty()
    );
    // Word boundaries: no match inside a longer word.
    assert!(names("emotetx xemotet emotet_1").is_empty());
    assert_eq!(names("(emotet)").len(), 1);
    assert_eq!(names("emotet, Emotet and EMOTET").len(), 1, "one mention per name");
    assert!(names("").is_empty());
    // Multi-byte text around a match does not panic and is handled on char boundaries.
    assert_eq!(names("ßß emotet ßß").len(), 1);
    assert!(names("éemotet").is_empty());
}

#[test]
#[ignore = "prints the KEV fallback table for review"]
fn print_kev_fallback() {
    for row in super::kev_rows() {
        if ctid_row(row.cve).is_some() {
            continue;
        }
        let v = rules::kev_fallback(&row);
        let ids: Vec<&str> = v.iter().map(|x| x.0).collect();
        println!("{}\t{}\t{}\t{:?}\t{}", row.cve, ids.join(","), row.name, row.cwes(), row.product);
    }
}

// --- untrusted input ---------------------------------------------------------------------------------------------

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

    /// No public entry point panics on arbitrary text, and every emitted id stays active.
    #[test]
    fn never_panics(s in "\\PC{0,40}", kind_index in 0usize..IocKind::ALL.len(), port in proptest::option::of(0u16..)) {
        let _ = lookup(&s);
        let _ = exists(&s);
        let _ = name(&s);
        let _ = tactic(&s);
        let _ = kev(&s);
        let _ = context::find(&s);
        let ctx = MapContext { port, family: Some(s.clone()), email_context: true, ..MapContext::default() };
        for m in map(&Classified::known(IocKind::ALL[kind_index], &s), &ctx) {
            proptest::prop_assert!(is_active_technique(&m.id));
        }
    }

    /// URL-shaped input with odd hosts, ports and paths.
    #[test]
    fn url_shapes_never_panic(scheme in "[a-z]{0,6}", host in "[a-zé\\[\\]:.0-9-]{0,20}", rest in "[/?#:@a-z.é]{0,20}") {
        let value = format!("{scheme}://{host}{rest}");
        let _ = map(&Classified::known(IocKind::Url, &value), &MapContext::default());
        let _ = context::find(&value);
    }
}

#[test]
fn context_maltrail_alias_reports_the_attack_entry() {
    // Maltrail's emotet trail has the alias "heodo"; the trail resolves to ATT&CK S0367, so the mention is the
    // ATT&CK entry, and "Emotet ... heodo" is one mention.
    let found = context::find("Heodo, better known as Emotet");
    assert_eq!(found.len(), 1);
    assert_eq!((found[0].name.as_str(), found[0].kind), ("Emotet", super::MentionKind::Malware));
    assert_eq!(found[0].attack_id.as_deref(), Some("S0367"));
}
