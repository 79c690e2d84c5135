//! Expected values come from the data files (`data/warninglists/*.json`, `data/intel/*`), read by hand.
use super::*;
use crate::Classified;
#[cfg(feature = "offline-intel")]
use crate::{EmailFacts, UrlFacts};

#[cfg(feature = "offline-intel")]
fn url(host: &str, host_type: IocKind, path: &str) -> Classified {
    let mut c = Classified::known(IocKind::Url, &format!("http://{host}{path}"));
    c.facts.url = Some(UrlFacts {
        scheme: "http".into(),
        host: host.into(),
        host_type,
        port: None,
        path: path.into(),
        query: None,
        fragment: None,
        has_userinfo: false,
    });
    c
}

/// `(role, list)` pairs of every hit.
fn check(c: &Classified) -> Vec<(Role, String)> {
    evidence(c).into_iter().map(|h| (h.role, h.list)).collect()
}

fn has(hits: &[(Role, String)], role: Role, list: &str) -> bool {
    hits.iter().any(|(r, l)| *r == role && l == list)
}

#[test]
fn private_ipv4_is_reserved_in_two_lists() {
    let hits = check(&Classified::known(IocKind::Ipv4, "10.1.2.3"));
    assert!(has(&hits, Role::Reserved, "rfc1918"), "{hits:?}");
    assert!(has(&hits, Role::Reserved, "rfc5735"), "{hits:?}");
    assert!(!has(&hits, Role::Reserved, "rfc6598"), "{hits:?}");
}

#[test]
fn cgnat_and_ipv6_documentation() {
    assert!(has(
        &check(&Classified::known(IocKind::Ipv4, "100.64.0.1")),
        Role::Reserved,
        "rfc6598"
    ));
    let hits = check(&Classified::known(IocKind::Ipv6, "2001:db8::1"));
    assert!(has(&hits, Role::Reserved, "rfc3849"), "{hits:?}");
    assert!(has(&hits, Role::Reserved, "iana-special-purpose-v6"), "{hits:?}");
}

#[cfg(feature = "offline-intel")]
#[test]
fn public_resolvers() {
    assert!(has(
        &check(&Classified::known(IocKind::Ipv4, "8.8.8.8")),
        Role::DnsResolvers,
        "public-dns-v4"
    ));
    assert!(has(
        &check(&Classified::known(IocKind::Ipv6, "2001:4860:4860::8888")),
        Role::DnsResolvers,
        "public-dns-v6"
    ));
    // A neighbour not in the list.
    assert!(!has(
        &check(&Classified::known(IocKind::Ipv4, "8.8.8.7")),
        Role::DnsResolvers,
        "public-dns-v4"
    ));
}

#[test]
fn scanner_prefix_covers_addresses_inside_it() {
    // censys-scanning: 162.142.125.0/24
    assert!(has(
        &check(&Classified::known(IocKind::Ipv4, "162.142.125.200")),
        Role::Scanners,
        "censys-scanning"
    ));
    assert!(!has(
        &check(&Classified::known(IocKind::Ipv4, "162.142.126.1")),
        Role::Scanners,
        "censys-scanning"
    ));
}

#[cfg(feature = "offline-intel")]
#[test]
fn provider_range() {
    // amazon-aws: 1.178.16.0/20 → 1.178.16.0–1.178.31.255
    assert!(has(
        &check(&Classified::known(IocKind::Ipv4, "1.178.31.255")),
        Role::ProviderIpRanges,
        "amazon-aws"
    ));
    // apple: 17.0.0.0/8
    assert!(has(
        &check(&Classified::known(IocKind::Ipv4, "17.253.144.10")),
        Role::ProviderIpRanges,
        "apple"
    ));
}

#[cfg(feature = "offline-intel")]
#[test]
fn masks_agree_with_hits() {
    let ip: Ipv4Addr = "17.253.144.10".parse().expect("ip");
    assert_eq!(
        ipv4_mask(Role::ProviderIpRanges, ip).count_ones() as usize,
        ipv4_hits(Role::ProviderIpRanges, ip).len()
    );
    assert_ne!(ipv4_mask(Role::ProviderIpRanges, ip), 0);
    assert_eq!(
        name_mask(Role::PopularDomains, "a.b.docs.google.com").count_ones() as usize,
        name_hits(Role::PopularDomains, "a.b.docs.google.com").len()
    );
    assert_eq!(super::ipsum_count("77.90.185.20".parse().expect("ip")), 10);
    assert_eq!(super::ipsum_count("192.0.2.1".parse().expect("ip")), 0);
}

#[cfg(feature = "offline-intel")]
#[test]
fn ipsum_hit_carries_the_count() {
    let hits = evidence(&Classified::known(IocKind::Ipv4, "77.90.185.20"));
    let h = hits.iter().find(|h| h.role == Role::Blocklist).expect("ipsum hit");
    assert_eq!(h.count, Some(10));
    assert_eq!(h.list, "ipsum");
}

#[cfg(feature = "offline-intel")]
#[test]
fn maltrail_ip_port_and_family() {
    // `91.215.85.22:443 ip_port 0ktapus`
    let hits = evidence(&Classified::known(IocKind::Ipv4, "91.215.85.22"));
    let h = hits.iter().find(|h| h.role == Role::Malware).expect("maltrail hit");
    assert_eq!(h.family.as_deref(), Some("0ktapus"));
}

#[cfg(feature = "offline-intel")]
#[test]
fn maltrail_v6_ip_port_matches_exactly() {
    // `[fe80::bdd9:fd11:ea3f:a4]:49175 powershell_smbghost` and `[0:0:0:0:0:ffff:2d3e:c649]:53 ghostdns`.
    let v6 = |ip: &str, port: Option<u16>| {
        let c = crate::classify::classify(&match port {
            Some(p) => format!("[{ip}]:{p}"),
            None => ip.to_owned(),
        });
        assert_eq!(c.kind, IocKind::Ipv6, "{c:?}");
        evidence(&c).into_iter().filter(|h| h.role == Role::Malware).collect::<Vec<_>>()
    };
    let hits = v6("fe80::bdd9:fd11:ea3f:a4", Some(49175));
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0].matched, "[fe80::bdd9:fd11:ea3f:a4]:49175");
    assert_eq!(hits[0].family.as_deref(), Some("powershell_smbghost"));
    assert!(hits[0].detail.as_deref().unwrap().contains("lists exactly"), "{hits:?}");
    // Another port, or no port: the trail lists the pair, not the address.
    assert!(v6("fe80::bdd9:fd11:ea3f:a4", Some(443)).is_empty());
    assert!(v6("fe80::bdd9:fd11:ea3f:a4", None).is_empty());
    // The same address however it is written (zeros spelt out, upper case).
    let hits = v6("FE80:0:0:0:BDD9:FD11:EA3F:A4", Some(49175));
    assert_eq!(hits.len(), 1, "{hits:?}");
    let hits = v6("::ffff:2d3e:c649", Some(53));
    assert_eq!(hits.iter().map(|h| h.family.as_deref()).collect::<Vec<_>>(), [Some("ghostdns")]);
    assert!(v6("2001:db8::1", Some(443)).is_empty(), "not listed");
}

#[cfg(feature = "offline-intel")]
#[test]
fn hostname_list_matches_subdomains() {
    // tranco10k (hostname) holds google.com → a subdomain matches, naming the parent.
    let hits = evidence(&Classified::known(IocKind::Domain, "qwertyuiop.google.com"));
    let h = hits.iter().find(|h| h.list == "tranco10k").expect("tranco hit");
    assert_eq!(h.matched, "google.com");
    // cisco_top20k is a `string` list: exact only. It holds mail.google.com and google.com, which must not
    // match a subdomain.
    assert!(!hits.iter().any(|h| h.list == "cisco_top20k"), "{hits:?}");
    assert!(has(
        &check(&Classified::known(IocKind::Domain, "mail.google.com")),
        Role::PopularDomains,
        "cisco_top20k"
    ));
}

#[cfg(feature = "offline-intel")]
#[test]
fn leading_dot_means_subdomains_only() {
    // dynamic-dns holds `.duckdns.org`: foo.duckdns.org matches, duckdns.org itself does not.
    assert!(has(
        &check(&Classified::known(IocKind::Domain, "foo.duckdns.org")),
        Role::AbusableServices,
        "dynamic-dns"
    ));
    assert!(!has(
        &check(&Classified::known(IocKind::Domain, "duckdns.org")),
        Role::AbusableServices,
        "dynamic-dns"
    ));
}

#[test]
fn special_use_names() {
    assert!(has(
        &check(&Classified::known(IocKind::Domain, "www.example.com")),
        Role::Reserved,
        "special-use-domains"
    ));
    assert!(has(
        &check(&Classified::known(IocKind::Domain, "example.com")),
        Role::Reserved,
        "rfc6761"
    ));
    assert!(has(
        &check(&Classified::known(IocKind::Domain, "printer.local")),
        Role::Reserved,
        "special-use-domains"
    ));
}

#[cfg(feature = "offline-intel")]
#[test]
fn maltrail_domain_and_parent() {
    // `booklng.biz domain 0debug`
    for d in ["booklng.biz", "cdn.booklng.biz"] {
        let hits = evidence(&Classified::known(IocKind::Domain, d));
        let h = hits.iter().find(|h| h.role == Role::Malware).expect("maltrail hit");
        assert_eq!(h.family.as_deref(), Some("0debug"), "{d}");
    }
}

#[cfg(feature = "offline-intel")]
#[test]
fn maltrail_url_and_path_trails() {
    // `http://147.78.103.91 url 0bj3ctivity`
    let hits = evidence(&url("147.78.103.91", IocKind::Ipv4, "/x/y.php"));
    assert!(hits.iter().any(|h| h.family.as_deref() == Some("0bj3ctivity")), "{hits:?}");
    // `/admin/gate/append.php url 1ms0rry` (path-only trail)
    let hits = evidence(&url("some.example.net", IocKind::Domain, "/admin/gate/append.php"));
    assert!(hits.iter().any(|h| h.family.as_deref() == Some("1ms0rry")), "{hits:?}");
}

#[test]
fn suspicious_tld() {
    assert!(has(
        &check(&Classified::known(IocKind::Domain, "x.cc")),
        Role::SuspiciousTld,
        "maltrail-suspicious-tlds"
    ));
}

/// With or without `offline-intel`: the empty file and EICAR are tier 1, so the WASM builds (tier 1 only) call
/// them benign as the CLI does; each list hits once (tier 1 and tier 2 hold disjoint lists).
#[test]
fn benign_hashes() {
    assert_eq!(g::HASHES_CORE_NAMES.tier, 1);
    let hits = check(&Classified::known(IocKind::Md5, "44d88612fea8a8f36de82e1278abb02f"));
    assert_eq!(hits, [(Role::Hashes, "eicar.com".to_owned())]);
    for empty in [
        "d41d8cd98f00b204e9800998ecf8427e",
        "da39a3ee5e6b4b0d3255bfef95601890afd80709",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    ] {
        let kind = crate::normalize::hash::kind_of(empty).unwrap();
        let hits = check(&Classified::known(kind, empty));
        let once = hits.iter().filter(|(r, l)| *r == Role::Hashes && l == "empty-hashes").count();
        assert_eq!(once, 1, "{empty}: {hits:?}");
        if !cfg!(feature = "offline-intel") {
            assert_eq!(hits.len(), 1, "tier 1 alone: {hits:?}");
        }
    }
    assert!(check(&Classified::known(IocKind::Md5, "0123456789abcdef0123456789abcdef")).is_empty());
}

#[cfg(feature = "offline-intel")]
#[test]
fn email_lists() {
    let mut c = Classified::known(IocKind::Email, "abuse@mailinator.com");
    c.facts.email = Some(EmailFacts { local: "abuse".into(), domain: "mailinator.com".into() });
    let hits = check(&c);
    assert!(has(&hits, Role::Email, "disposable-email"), "{hits:?}");
    assert!(has(&hits, Role::Email, "common-contact-emails"), "{hits:?}");
}

#[test]
fn kev_lookup() {
    assert_eq!(kev("CVE-2025-48384"), Some((false, "2025-08-25")));
    assert_eq!(kev("CVE-1999-0001"), None);
    assert_eq!(kev("nonsense"), None);
    let hits = check(&Classified::known(IocKind::Cve, "CVE-2025-48384"));
    assert!(has(&hits, Role::Exploited, "cisa-kev"));
}

#[test]
fn every_list_is_named_in_the_catalogue() {
    let n = lists().count();
    assert_eq!(n, 10 + 2 + 35 + 17 + 32 + 2 + 3 + 9 + 5 + 2);
    assert!(lists().any(|(r, name, kind, _, entries)| r == Role::Reserved
        && name == "rfc1918"
        && kind == "cidr"
        && entries == 3));
}

#[test]
fn families() {
    let f = family("emotet").expect("emotet");
    assert_eq!(f.software, &["S0367"]);
    assert!(family("no-such-trail").is_none());
    // maltrail_families.json: `0ktapus` is malware with software S0556 and groups G0117, G1015 (by alias).
    let f = family("0ktapus").expect("0ktapus");
    assert_eq!((f.name, f.category, f.by_alias), ("0ktapus", "malware", true));
    assert_eq!((f.software, f.groups), (&["S0556"][..], &["G0117", "G1015"][..]));
    // The first and last trails by name are found too (the binary search's edges).
    assert!(family("0bj3ctivity").is_some_and(|f| f.software.is_empty() && f.by_alias));
    assert!(family("").is_none() && family("zzzz").is_none());
}

/// Without `offline-intel` the tier-2 packs are absent: no hit, no panic; tier 1 still answers.
#[cfg(not(feature = "offline-intel"))]
#[test]
fn tier_two_absent_without_feature() {
    assert!(check(&Classified::known(IocKind::Ipv4, "77.90.185.20")).is_empty());
    assert!(check(&Classified::known(IocKind::Domain, "google.com")).is_empty());
    assert!(has(&check(&Classified::known(IocKind::Ipv4, "10.1.2.3")), Role::Reserved, "rfc1918"));
}
