//! Properties of classification and refang (proptest):
//!
//! * `classify` and `refang` never panic, on arbitrary strings and on strings built from defang-marker fragments;
//! * `refang(defang(x)) == x` for generated domains, IPv4/IPv6 addresses, URLs and e-mail addresses;
//! * canonical values are a fixpoint: `classify(canonical)` gives the same type and canonical value;
//! * a defanged indicator classifies to the same canonical value as the plain one, flagged `defanged`.
use ioclens_core::{IocKind, classify, defang, refang};
use proptest::prelude::*;
use std::net::{Ipv4Addr, Ipv6Addr};

const TLDS: &[&str] = &[
    "com", "net", "org", "io", "xyz", "top", "ru", "cn", "de", "info", "biz", "shop", "co.uk",
    "com.br",
];

fn label() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9]{0,9}(-[a-z0-9]{1,5})?"
}

fn domain() -> impl Strategy<Value = String> {
    (prop::collection::vec(label(), 1..4), prop::sample::select(TLDS))
        .prop_map(|(labels, tld)| format!("{}.{tld}", labels.join(".")))
}

fn ipv4() -> impl Strategy<Value = String> {
    any::<u32>().prop_map(|v| Ipv4Addr::from(v).to_string())
}

fn ipv6() -> impl Strategy<Value = String> {
    any::<u128>().prop_map(|v| Ipv6Addr::from(v).to_string())
}

fn url() -> impl Strategy<Value = String> {
    (
        prop::sample::select(&["http", "https", "ftp"][..]),
        prop_oneof![domain(), ipv4()],
        prop::option::of(1024u16..65535),
        prop::collection::vec("[A-Za-z0-9._~-]{1,8}", 0..4),
        prop::option::of("[a-z0-9]{1,5}=[A-Za-z0-9%]{0,6}"),
    )
        .prop_map(|(scheme, host, port, segs, query)| {
            let mut s = format!("{scheme}://{host}");
            if let Some(p) = port {
                s.push(':');
                s.push_str(&p.to_string());
            }
            for seg in &segs {
                s.push('/');
                s.push_str(seg);
            }
            if let Some(q) = query {
                s.push_str(if segs.is_empty() { "/?" } else { "?" });
                s.push_str(&q);
            }
            s
        })
}

fn email() -> impl Strategy<Value = String> {
    (prop::collection::vec("[a-z0-9_+-]{1,8}", 1..3), domain())
        .prop_map(|(local, d)| format!("{}@{d}", local.join(".")))
}

fn indicator() -> impl Strategy<Value = (IocKind, String)> {
    prop_oneof![
        domain().prop_map(|v| (IocKind::Domain, v)),
        ipv4().prop_map(|v| (IocKind::Ipv4, v)),
        ipv6().prop_map(|v| (IocKind::Ipv6, v)),
        url().prop_map(|v| (IocKind::Url, v)),
        email().prop_map(|v| (IocKind::Email, v)),
    ]
}

/// Fragments that exercise every refang rule, glued at random.
fn nasty() -> impl Strategy<Value = String> {
    let parts = prop::sample::select(
        &[
            "[",
            "]",
            "(",
            ")",
            "{",
            "}",
            ".",
            "[.]",
            "(dot)",
            " DOT ",
            " . ",
            " at ",
            "[@]",
            "@",
            ":",
            "[:]",
            "//",
            "://",
            "[://]",
            "\\",
            "\\.",
            "\\/",
            "/",
            "hxxp",
            "h**ps",
            "fxp",
            "xxxx",
            "。",
            "．",
            "\u{200B}",
            "\u{00AD}",
            "\u{2011}",
            "cve",
            "CVE-2021",
            "-",
            "1",
            "255",
            "0",
            "ff",
            "a",
            "evil",
            "com",
            "uk",
            "HKLM",
            "C:",
            "%APPDATA%",
            "bc1",
            "AS",
            " ",
            "\t",
            "é",
            "xn--",
            "::",
            "%",
            "cve-",
            "2021",
            "-4422",
            "HKCU\\",
            "\\\\",
            "~/",
            "T1059",
            ".001",
            "é-",
        ][..],
    );
    prop::collection::vec(parts, 0..24).prop_map(|v| v.concat())
}

proptest! {
    #[test]
    fn classify_never_panics(s in any::<String>()) {
        let c = classify(&s);
        prop_assert!(c.kind != IocKind::Unknown || c.reason.is_some());
        let _ = refang(&s);
        let _ = defang(&s);
    }

    #[test]
    fn classify_never_panics_on_bytes(b in prop::collection::vec(any::<u8>(), 0..200)) {
        let s = String::from_utf8_lossy(&b);
        let _ = classify(&s);
    }

    #[test]
    fn classify_never_panics_on_marker_soup(s in nasty()) {
        let c = classify(&s);
        prop_assert!(c.kind != IocKind::Unknown || c.reason.is_some());
        let again = classify(&c.canonical);
        if c.kind != IocKind::Unknown && c.kind != IocKind::Domain {
            prop_assert_eq!(again.kind, c.kind, "{:?} → {:?}", s, c.canonical);
        }
    }

    #[test]
    fn refang_undoes_defang((_, x) in indicator()) {
        let d = defang(&x);
        let back = refang(&d).into_owned();
        prop_assert_eq!(back, x, "defanged as {:?}", d);
    }

    #[test]
    fn canonical_is_a_fixpoint((kind, x) in indicator()) {
        let first = classify(&x);
        prop_assert_eq!(first.kind, kind, "{:?}: {:?}", x, first.reason);
        let again = classify(&first.canonical);
        prop_assert_eq!(again.kind, first.kind);
        prop_assert_eq!(&again.canonical, &first.canonical);
    }

    #[test]
    fn defanged_classifies_like_plain((kind, x) in indicator()) {
        let plain = classify(&x);
        let d = defang(&x);
        let fanged = classify(&d);
        prop_assert_eq!(fanged.kind, kind, "{:?}: {:?}", d, fanged.reason);
        prop_assert_eq!(&fanged.canonical, &plain.canonical);
        prop_assert_eq!(fanged.defanged, d != x);
    }
}
