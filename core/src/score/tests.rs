//! Expected scores are derived by hand from the rules in docs/scoring.md.
use super::*;
use crate::intel::evidence;
use crate::{DomainFacts, IpFacts, IpScope};

const NOW: i64 = 1_790_000_000; // 2026-09-21

fn domain(name: &str, registrable: &str, suffix: &str) -> Classified {
    let mut c = Classified::known(IocKind::Domain, name);
    c.facts.domain = Some(DomainFacts {
        registrable: Some(registrable.into()),
        public_suffix: suffix.into(),
        private_suffix: false,
        tld: suffix.rsplit('.').next().unwrap_or(suffix).into(),
        subdomain: None,
        unicode: None,
        reserved: false,
    });
    c
}

fn check(c: &Classified) -> Score {
    score(c, &evidence(c), &ScoreOptions::default(), NOW)
}

fn factor<'a>(s: &'a Score, name: &str) -> Option<&'a Factor> {
    s.factors.iter().find(|f| f.name.as_str() == name)
}

#[test]
fn levels_and_stix() {
    assert_eq!(Level::of(0), Level::Info);
    assert_eq!(Level::of(19), Level::Info);
    assert_eq!(Level::of(20), Level::Low);
    assert_eq!(Level::of(40), Level::Medium);
    assert_eq!(Level::of(69), Level::Medium);
    assert_eq!(Level::of(70), Level::High);
    assert_eq!(Level::of(90), Level::Critical);
    assert_eq!(
        [Confidence::Low.stix(), Confidence::Medium.stix(), Confidence::High.stix()],
        [15, 50, 85]
    );
}

#[test]
fn private_ip_is_reserved_with_score_zero() {
    let mut c = Classified::known(IocKind::Ipv4, "192.168.1.1");
    c.facts.ip = Some(IpFacts {
        version: 4,
        scope: IpScope::Private,
        special: None,
        prefix_len: None,
        embedded_ipv4: None,
        port: None,
    });
    let s = check(&c);
    assert_eq!(
        (s.score, s.verdict, s.level, s.confidence),
        (0, Verdict::Reserved, Level::Info, Confidence::High)
    );
    // Also from the list alone (no facts).
    let s = check(&Classified::known(IocKind::Ipv4, "10.0.0.1"));
    assert_eq!(s.verdict, Verdict::Reserved);
}

#[cfg(feature = "offline-intel")]
#[test]
fn eicar_is_benign() {
    let s = check(&Classified::known(IocKind::Md5, "44d88612fea8a8f36de82e1278abb02f"));
    assert_eq!((s.score, s.verdict, s.confidence), (0, Verdict::Benign, Confidence::High));
    assert_eq!(factor(&s, "benign-hash").map(|f| f.source.as_str()), Some("eicar.com"));
}

#[test]
fn unlisted_hash_is_unknown_not_safe() {
    let s = check(&Classified::known(IocKind::Sha256, &"ab".repeat(32)));
    // base 20 only: low, unknown, low confidence.
    assert_eq!(
        (s.score, s.level, s.verdict, s.confidence),
        (20, Level::Low, Verdict::Unknown, Confidence::Low)
    );
}

#[cfg(feature = "offline-intel")]
#[test]
fn ipsum_ten_lists_is_high_and_malicious() {
    // 77.90.185.20 is on 10 IPsum lists: base 20 + min(60 + 5·(6−3)) = 20 + 75 = 95.
    let s = check(&Classified::known(IocKind::Ipv4, "77.90.185.20"));
    assert_eq!(factor(&s, "ipsum").map(|f| f.contribution), Some(75));
    assert_eq!(s.verdict, Verdict::Malicious);
    assert_eq!(s.confidence, Confidence::High);
    assert_eq!(s.score, 95);
    assert_eq!(s.level, Level::Critical);
}

#[test]
fn ipsum_points_by_hand() {
    assert_eq!(
        [ipsum_points(1), ipsum_points(2), ipsum_points(3), ipsum_points(4), ipsum_points(30)],
        [15, 30, 60, 65, 75]
    );
}

#[cfg(feature = "offline-intel")]
#[test]
fn public_resolver_is_benign() {
    let s = check(&Classified::known(IocKind::Ipv4, "8.8.8.8"));
    assert_eq!(s.verdict, Verdict::Benign);
    assert_eq!(s.score, 0, "{:?}", s.factors);
    assert_eq!(s.confidence, Confidence::Medium);
}

#[test]
fn scanner_is_capped_at_30() {
    let s = check(&Classified::known(IocKind::Ipv4, "162.142.125.200"));
    assert!(s.score <= 30);
    assert!(s.tags.iter().any(|t| t == "scanner"));
}

#[cfg(feature = "offline-intel")]
#[test]
fn popular_domain_is_benign() {
    let s = check(&domain("google.com", "google.com", "com"));
    assert_eq!(s.verdict, Verdict::Benign);
    assert!(s.score < 20, "{}", s.score);
    assert_eq!(s.confidence, Confidence::Medium);
}

#[cfg(feature = "offline-intel")]
#[test]
fn maltrail_domain_is_malicious_high_confidence() {
    // booklng.biz: Maltrail trail 0debug (category malware): base 20 + 60 + lexical (±15) → 65..95.
    let s = check(&domain("booklng.biz", "booklng.biz", "biz"));
    assert_eq!(s.verdict, Verdict::Malicious);
    assert_eq!(s.confidence, Confidence::High);
    assert_eq!(factor(&s, "maltrail").map(|f| f.source.as_str()), Some("maltrail:0debug"));
    assert!(s.score >= 65, "{}", s.score);
}

#[test]
fn lexical_prior_alone_never_raises_confidence() {
    for name in ["xjw8kq2zpl4hq.top", "qzxkvbnmwrt.info"] {
        let s = check(&domain(name, name, name.rsplit('.').next().unwrap_or_default()));
        assert_eq!(s.confidence, Confidence::Low, "{name}");
        assert_eq!(s.verdict, Verdict::Unknown, "{name}");
        let lex = factor(&s, "lexical-prior").expect("lexical factor");
        assert!(lex.contribution.abs() <= 15);
    }
}

#[cfg(feature = "offline-intel")]
#[test]
fn factors_sum_to_the_score() {
    for c in [
        Classified::known(IocKind::Ipv4, "77.90.185.20"),
        domain("booklng.biz", "booklng.biz", "biz"),
        Classified::known(IocKind::Ipv4, "8.8.8.8"),
    ] {
        let s = check(&c);
        let sum: i32 = s.factors.iter().map(|f| f.contribution).sum();
        assert_eq!(sum.clamp(0, 100), i32::from(s.score), "{:?}", s.factors);
    }
}

#[test]
fn kev_cve_scores_high_with_unknown_verdict() {
    // CVE-2025-48384: KEV, no ransomware: base 30 + 50 = 80.
    let s = check(&Classified::known(IocKind::Cve, "CVE-2025-48384"));
    assert_eq!(
        (s.score, s.level, s.confidence, s.verdict),
        (80, Level::High, Confidence::High, Verdict::Unknown)
    );
}

#[cfg(feature = "offline-intel")]
#[test]
fn decay_from_the_data_date() {
    let c = Classified::known(IocKind::Ipv4, "77.90.185.20");
    // At the snapshot date nothing has decayed; 47 days later (IP lifetime) the score is 0 and revoked.
    let at = crate::generated::intel::DATA_DATE_UNIX;
    let s = score(&c, &evidence(&c), &ScoreOptions::default(), at);
    assert_eq!(s.decay.score_now, s.score);
    let s = score(&c, &evidence(&c), &ScoreOptions::default(), at + 47 * 86_400);
    assert_eq!(s.decay.score_now, 0);
    assert!(s.decay.revoked);
    assert_eq!(s.decay.rule.lifetime_days, 47);
}

#[test]
fn same_input_same_score_bits() {
    let c = domain("xjw8kq2zpl4hq.top", "xjw8kq2zpl4hq.top", "top");
    let a = serde_json::to_string(&check(&c)).unwrap_or_default();
    let b = serde_json::to_string(&check(&c)).unwrap_or_default();
    assert_eq!(a, b);
}

fn hit(role: Role, list: &str, matched: &str) -> Hit {
    Hit::new(role, list, matched)
}

#[test]
fn a_popular_parent_across_a_private_suffix_vouches_for_nothing() {
    // `evil.github.io` is its own registrable domain (PSL private section): `github.io` on a top list is the
    // platform, not the owner of the child.
    let c = crate::classify("evil.github.io");
    let s = score(
        &c,
        &[hit(Role::PopularDomains, "tranco10k", "github.io")],
        &ScoreOptions::default(),
        NOW,
    );
    assert_eq!(s.verdict, Verdict::Unknown, "{:?}", s.factors);
    assert!(factor(&s, "popular-domain").is_none());
    let f = factor(&s, "user-content-platform").expect("platform factor");
    assert!(f.detail.as_deref().is_some_and(|d| d.contains("anyone can publish")), "{f:?}");
    // The same hit on the platform's own name vouches.
    let c = crate::classify("github.io");
    let s = score(
        &c,
        &[hit(Role::PopularDomains, "tranco10k", "github.io")],
        &ScoreOptions::default(),
        NOW,
    );
    assert_eq!(s.verdict, Verdict::Benign);
}

#[test]
fn a_user_content_list_vetoes_the_popular_credit() {
    // A listed parent at the registrable domain would vouch, but a user-content list covers the child.
    let c = crate::classify("files.example-cdn.com");
    let popular = hit(Role::PopularDomains, "tranco10k", "example-cdn.com");
    let s = score(&c, std::slice::from_ref(&popular), &ScoreOptions::default(), NOW);
    assert_eq!(s.verdict, Verdict::Benign);
    // Every child of a dynamic-DNS provider is someone else's.
    let lots = hit(Role::AbusableServices, "dynamic-dns", "example-cdn.com");
    let s = score(&c, &[popular.clone(), lots.clone()], &ScoreOptions::default(), NOW);
    assert_eq!(s.verdict, Verdict::Unknown);
    assert!(factor(&s, "user-content-platform").is_some());
    // The service's own name as a domain stays benign; as a URL host it gets no credit.
    let own = crate::classify("example-cdn.com");
    let s = score(&own, &[popular.clone(), lots.clone()], &ScoreOptions::default(), NOW);
    assert_eq!(s.verdict, Verdict::Benign);
    let url = crate::classify("https://example-cdn.com/u/payload.exe");
    let s = score(&url, &[popular, lots], &ScoreOptions::default(), NOW);
    assert!(factor(&s, "popular-host").is_none(), "{:?}", s.factors);
    assert!(factor(&s, "user-content-platform").is_some());
}

#[test]
fn vpn_list_is_worded_as_the_list_describes_itself() {
    let c = Classified::known(IocKind::Ipv4, "45.10.20.30");
    let s = score(
        &c,
        &[hit(Role::VpnRanges, "vpn-ipv4", "45.10.20.30")],
        &ScoreOptions::default(),
        NOW,
    );
    let f = factor(&s, "vpn-or-hosting").expect("factor");
    assert!(f.detail.as_deref().is_some_and(|d| d.contains("datacenters")), "{f:?}");
    assert!(!s.tags.iter().any(|t| t == "vpn"));
    assert_eq!(f.contribution, 0);
}

#[test]
fn benign_infrastructure_is_benign() {
    let c = Classified::known(IocKind::Ipv4, "104.18.20.226");
    let s = score(
        &c,
        &[hit(Role::ProviderIpRanges, "crl-ip", "104.18.20.226")],
        &ScoreOptions::default(),
        NOW,
    );
    assert_eq!(s.verdict, Verdict::Benign);
    assert_eq!(s.score, 0);
    let s = score(
        &c,
        &[hit(Role::ProviderIpRanges, "amazon-aws", "104.18.20.226")],
        &ScoreOptions::default(),
        NOW,
    );
    assert_eq!(s.verdict, Verdict::Unknown);
    assert!(factor(&s, "shared-infrastructure").is_some());
}

#[test]
fn userinfo_points_by_form() {
    let pts = |url: &str| {
        let s = score(
            &crate::classify(url),
            &[],
            &ScoreOptions { lexical: false, evidence_date: None },
            NOW,
        );
        factor(&s, "url-userinfo").map(|f| f.contribution)
    };
    assert_eq!(pts("https://paypal.com@evil-login.xyz/verify"), Some(phishing::USERINFO_DOMAIN));
    assert_eq!(pts("https://paypal-support@evil-login.xyz/"), Some(phishing::USERINFO_DOMAIN));
    assert_eq!(pts("https://bob@evil-login.xyz/"), Some(phishing::USERINFO));
    assert_eq!(pts("https://evil-login.xyz/a@b"), None);
}

#[test]
fn brand_in_an_unrelated_domain() {
    let s = score(&crate::classify("paypal-secure-login.com"), &[], &ScoreOptions::default(), NOW);
    assert_eq!(
        factor(&s, "brand-in-domain").map(|f| f.contribution),
        Some(phishing::BRAND_IN_DOMAIN)
    );
    let s = score(&crate::classify("pineapple-farm.com"), &[], &ScoreOptions::default(), NOW);
    assert!(factor(&s, "brand-in-domain").is_none());
}

#[test]
fn mixed_script_label() {
    let s = score(
        &crate::classify("p\u{430}yp\u{430}l-support.com"),
        &[],
        &ScoreOptions::default(),
        NOW,
    );
    assert!(
        factor(&s, "mixed-script").is_some() || factor(&s, "idn-homograph").is_some(),
        "{:?}",
        s.factors
    );
}

#[cfg(feature = "offline-intel")]
#[test]
fn homograph_and_brand_subdomain_of_popular_domains() {
    let s = check(&crate::classify("p\u{430}ypal.com"));
    assert_eq!(
        factor(&s, "idn-homograph").map(|f| f.contribution),
        Some(phishing::HOMOGRAPH),
        "{:?}",
        s.factors
    );
    let s = check(&crate::classify("login.microsoftonline.com.evil-auth.top"));
    assert_eq!(
        factor(&s, "brand-subdomain").map(|f| f.contribution),
        Some(phishing::BRAND_SUBDOMAIN)
    );
    let s = check(&crate::classify("www.paypal.com"));
    assert!(factor(&s, "brand-subdomain").is_none() && factor(&s, "brand-in-domain").is_none());
}

#[test]
fn epss_points_by_probability() {
    for (ppm, pts) in [(0, 0), (9_999, 0), (10_000, 10), (99_999, 10), (100_000, 20), (499_999, 20)]
    {
        assert_eq!(epss_points(ppm), pts, "{ppm}");
    }
    assert_eq!(epss_points(500_000), 30);
    assert_eq!(epss_points(1_000_000), 30);
}

fn epss_record(ppm: u32) -> Evidence {
    Evidence {
        source: "first-epss".into(),
        origin: Some("intel-pack".into()),
        count: Some(ppm),
        tags: vec!["percentile:0.97001".into()],
        threat_type: Some("epss".into()),
        last_seen: Some(NOW - 86_400),
        ..Evidence::default()
    }
}

#[test]
fn epss_scores_a_cve_that_kev_does_not_list() {
    // Not on KEV: base 30 + EPSS 41 % (≥ 10 %) +20 = 50; a prediction: verdict unknown, confidence medium.
    let c = Classified::known(IocKind::Cve, "CVE-2026-21001");
    let s = score_with(&c, &evidence(&c), &[epss_record(412_340)], &ScoreOptions::default(), NOW);
    assert_eq!((s.score, s.confidence, s.verdict), (50, Confidence::Medium, Verdict::Unknown));
    let f = factor(&s, "epss").unwrap();
    assert_eq!((f.contribution, f.source.as_str()), (20, "feed:first-epss"));
    let detail = f.detail.as_deref().unwrap();
    assert!(detail.contains("0.4123") && detail.contains("percentile 0.97001"), "{detail}");
    assert!(detail.contains("first-epss") && detail.contains("last seen 2026-09-20"), "{detail}");
    // A low probability is shown and scores nothing.
    let s = score_with(&c, &evidence(&c), &[epss_record(4_380)], &ScoreOptions::default(), NOW);
    assert_eq!((s.score, factor(&s, "epss").unwrap().contribution), (30, 0));
}

#[test]
fn kev_already_says_exploited_so_epss_adds_nothing() {
    // CVE-2025-48384 is on KEV: base 30 + KEV 50 = 80 with or without a 94 % EPSS probability.
    let c = Classified::known(IocKind::Cve, "CVE-2025-48384");
    let s = score_with(&c, &evidence(&c), &[epss_record(943_010)], &ScoreOptions::default(), NOW);
    assert_eq!(s.score, 80);
    let f = factor(&s, "epss").unwrap();
    assert_eq!(f.contribution, 0);
    assert!(f.detail.as_deref().unwrap().contains("KEV lists it as exploited"), "{f:?}");
}
