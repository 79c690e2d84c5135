//! One validity rule per fact (issue 19 item 3): a generated value of every type, written alone in a sentence,
//! extracts to exactly one indicator, and that indicator is what `classify` says about the value — same type,
//! same canonical form. The extractor keeps a fast pre-filter, but kind and canonical form come from the
//! normalisers `classify` uses; this test is what keeps the two from drifting apart.
use ioclens_core::normalize::onion::v3_label;
use ioclens_core::{IocKind, classify, extract};
use proptest::prelude::*;

fn label() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9]{0,8}(-[a-z0-9]{1,6})?"
}

fn domain() -> impl Strategy<Value = String> {
    let tld = prop::sample::select(vec![
        "com", "net", "org", "de", "ru", "io", "info", "xyz", "co.uk", "shop",
    ]);
    (prop::collection::vec(label(), 1..3), tld)
        .prop_map(|(labels, tld)| format!("{}.{tld}", labels.join(".")))
}

fn idn_domain() -> impl Strategy<Value = String> {
    ("[a-z]{1,4}[äöüéñ][a-z]{1,5}", prop::sample::select(vec!["de", "com", "org"]))
        .prop_map(|(l, tld)| format!("{l}.{tld}"))
}

fn hex(n: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(b"0123456789abcdefABCDEF".to_vec()), n)
        .prop_map(|v| String::from_utf8(v).unwrap_or_default())
}

const BTC: &[&str] = &[
    "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
    "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
    "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
    "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
    "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3",
];

fn value() -> impl Strategy<Value = String> {
    let comp = "[A-Za-z][A-Za-z0-9_]{0,9}";
    prop_oneof![
        any::<[u8; 4]>().prop_map(|o| format!("{}.{}.{}.{}", o[0], o[1], o[2], o[3])),
        any::<[u16; 8]>().prop_map(|h| std::net::Ipv6Addr::from(h).to_string()),
        (any::<[u8; 4]>(), 8u8..=32)
            .prop_map(|(o, p)| format!("{}.{}.{}.{}/{p}", o[0], o[1], o[2], o[3])),
        domain(),
        idn_domain(),
        domain().prop_map(|d| format!("xn--{}", d.replacen('-', "", 9))),
        (
            prop::sample::select(vec![
                "http", "https", "ftp", "ftps", "smb", "rdp", "irc", "ssh", "ws", "wss"
            ]),
            domain(),
            prop::option::of(0u16..=65535),
            "(/([a-zA-Z0-9._~-]{0,10}[a-zA-Z0-9])?){0,3}",
        )
            .prop_map(|(s, d, port, path)| match port {
                Some(p) => format!("{s}://{d}:{p}{path}"),
                None => format!("{s}://{d}{path}"),
            }),
        (idn_domain(), "(/[a-z0-9äß]{1,8}){1,2}").prop_map(|(d, p)| format!("https://{d}{p}")),
        ("[a-z0-9]([a-z0-9_+-]|\\.[a-z0-9]){0,10}", domain()).prop_map(|(l, d)| format!("{l}@{d}")),
        prop::sample::select(vec![32usize, 40, 64, 128]).prop_flat_map(hex),
        (1999u16..=2030, "[1-9][0-9]{3,6}|0[0-9]{3}").prop_map(|(y, n)| format!("CVE-{y}-{n}")),
        ("[0-9]{3}", prop::option::of("[0-9]{3}")).prop_map(|(t, s)| match s {
            Some(s) => format!("T1{t}.{s}"),
            None => format!("T1{t}"),
        }),
        "00[0-9]{2}".prop_map(|t| format!("TA{t}")),
        (any::<u32>(), prop::sample::select(vec!["AS", "ASN", "AS ", "ASN "]))
            .prop_map(|(n, p)| format!("{p}{n}")),
        prop::sample::select(BTC.to_vec()).prop_map(str::to_owned),
        any::<[u8; 32]>().prop_map(|k| format!("{}.onion", v3_label(&k))),
        (
            prop::sample::select(vec![
                "HKLM",
                "HKCU",
                "HKEY_LOCAL_MACHINE",
                "HKEY_USERS",
                "HKCR",
                "hkcu",
                "HKCU:"
            ]),
            prop::collection::vec(comp, 1..5),
        )
            .prop_map(|(h, c)| format!("{h}\\{}", c.join("\\"))),
        (
            prop::sample::select(vec!["C:\\", "D:\\", "%TEMP%\\", "%APPDATA%\\", "\\\\srv01\\"]),
            prop::collection::vec(comp, 1..4),
            prop::option::of("\\.(exe|dll|lnk)"),
        )
            .prop_map(|(r, c, ext)| format!(
                "{r}{}{}",
                c.join("\\"),
                ext.unwrap_or_default()
            )),
        (
            prop::sample::select(vec!["/tmp/", "/etc/", "/var/tmp/", "/usr/local/bin/", "~/"]),
            prop::collection::vec("[a-z][a-z0-9_-]{0,8}", 1..3),
        )
            .prop_map(|(r, c)| format!("{r}{}", c.join("/"))),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn extract_and_classify_agree(v in value()) {
        let c = classify(&v);
        let text = format!("Seen {v} today.");
        let ex = extract(&text);
        let got: Vec<(IocKind, &str)> =
            ex.iocs.iter().filter(|i| !i.implied).map(|i| (i.kind, i.canonical.as_str())).collect();
        if c.kind == IocKind::Unknown {
            // Not an indicator for `classify` (a bad CVE sequence number, invalid punycode): nothing for `extract`.
            prop_assert!(got.is_empty(), "{v:?} is unknown ({:?}) but extracts to {got:?}", c.reason);
        } else {
            prop_assert_eq!(got, vec![(c.kind, c.canonical.as_str())], "{:?}", v);
        }
    }
}
