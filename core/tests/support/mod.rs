//! The query matrix: every query the generator can produce for the corpus, the golden values of
//! docs/queries.md (query contract), the hostile-value set, every profile and the batch forms. Shared by the SPL lint,
//! the snapshot tests and the dump that `tests/kql/kqlcheck.js` and `tests/portable/check_portable.py` check.
#![allow(dead_code, reason = "each test binary uses a different part of the support module")]
use ioclens_core::IocKind;
use ioclens_core::query::{self, HuntInput, KqlProfile, Query, QueryOptions, SplProfile, Target};

/// Representative canonical values per type (the golden values of docs/queries.md plus one per type).
pub(crate) fn golden() -> Vec<(&'static str, HuntInput)> {
    let v = |name, kind, value: &str| (name, HuntInput::new(kind, value));
    vec![
        v("ipv4", IocKind::Ipv4, "203.0.113.10"),
        v("ipv6", IocKind::Ipv6, "2001:db8::1"),
        v("cidr4", IocKind::Cidr, "198.51.100.0/24"),
        v("cidr6", IocKind::Cidr, "2001:db8::/48"),
        v("domain", IocKind::Domain, "evil.example.com"),
        v("domain-idn", IocKind::Domain, "xn--bcher-kva.example"),
        v("url-quote", IocKind::Url, "https://evil.example.com/p?q=a\"b&c=1"),
        v("url-star-backslash", IocKind::Url, "http://x.test/a*b\\c"),
        v("email-apostrophe", IocKind::Email, "o'brien@example.com"),
        v("md5", IocKind::Md5, "44d88612fea8a8f36de82e1278abb02f"),
        v("sha1", IocKind::Sha1, "3395856ce81f2b7382dee72602f798b642f14140"),
        v(
            "sha256",
            IocKind::Sha256,
            "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f",
        ),
        v(
            "sha512",
            IocKind::Sha512,
            "cc805d5fab1fd71a4ab352a9c533e65fb2d5b885518f4e565e68847223b8e6b85cb48f3afad842726d99239c9e36505c64b0dc9a061d9e507d833277ada336ab",
        ),
        v("cve", IocKind::Cve, "CVE-2021-44228"),
        v("attack-subtechnique", IocKind::Attack, "T1059.001"),
        v("attack-technique", IocKind::Attack, "T1566"),
        v("attack-tactic", IocKind::Attack, "TA0001"),
        v("file-path-windows", IocKind::FilePath, "C:\\Users\\Public\\evil.exe"),
        v("file-path-unix", IocKind::FilePath, "/tmp/.x/kworker"),
        v(
            "registry-key",
            IocKind::RegistryKey,
            "HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\evil",
        ),
    ]
}

/// Values built to break out of string literals: quotes, backslashes, pipes, backticks, wildcards,
/// comment markers, brackets, Unicode.
pub(crate) fn hostile() -> Vec<HuntInput> {
    let nasty = [
        "a\"b",
        "a\\",
        "a\\\"; | drop table x",
        "x` | delete `y",
        "*",
        "a*b?c",
        "'); //",
        "]]> [[",
        "\\E\\Q(?i)",
        "%60|urldecode(\"%60\")",
        "héllo wörld 😀",
        "\u{200b}zero-width",
        "${jndi:ldap://x.test/a}",
        "$token$",
    ];
    let mut out = Vec::new();
    for n in nasty {
        out.push(HuntInput::new(IocKind::Url, format!("http://x.test/{n}")));
        out.push(HuntInput::new(IocKind::Domain, format!("{n}.x.test")));
        out.push(HuntInput::new(IocKind::Email, format!("{n}@x.test")));
        out.push(HuntInput::new(IocKind::FilePath, format!("C:\\{n}")));
        out.push(HuntInput::new(IocKind::RegistryKey, format!("HKCU\\Software\\{n}")));
    }
    out
}

/// Degenerate values: each must be skipped with a reason, never rendered as a match-everything query.
pub(crate) fn degenerate() -> Vec<HuntInput> {
    let v = |kind, value: &str| HuntInput::new(kind, value);
    vec![
        v(IocKind::Url, "http://"),
        v(IocKind::Url, "https:///"),
        v(IocKind::Url, "http://com/"),
        v(IocKind::Domain, "."),
        v(IocKind::Domain, "com"),
        v(IocKind::Domain, "co.uk"),
        v(IocKind::Domain, "github.io"),
        v(IocKind::Cidr, "0.0.0.0/0"),
        v(IocKind::Cidr, "10.0.0.0/8"),
        v(IocKind::Cidr, "::/0"),
        v(IocKind::Cidr, "2001:db8::/32"),
        v(IocKind::Ipv4, "0.0.0.0"),
        v(IocKind::Email, "@x.test"),
        v(IocKind::FilePath, "C:\\"),
        v(IocKind::FilePath, "/"),
        v(IocKind::RegistryKey, "HKLM"),
        v(IocKind::RegistryKey, "HKCR\\*"),
        v(IocKind::Attack, "G0016"),
        v(IocKind::Attack, "TA9999"),
        v(IocKind::Sha256, "not-a-hash"),
        HuntInput::new(IocKind::Domain, "evil\u{202e}gpj.example"),
        HuntInput::new(IocKind::Url, format!("http://x.test/{}", "a".repeat(1 << 20))),
    ]
}

/// Inputs from the shared corpus: classification cases and extraction cases with a queryable type.
pub(crate) fn corpus() -> Vec<(String, Vec<HuntInput>)> {
    let mut out = Vec::new();
    for case in ioclens_tests::corpus() {
        if let (Some(k), Some(c)) = (&case.kind, &case.canonical)
            && let Some(kind) = IocKind::parse(k)
            && kind != IocKind::Unknown
            && !c.is_empty()
        {
            out.push((case.name.clone(), vec![HuntInput::new(kind, c.clone())]));
        }
        if let Some(exp) = &case.extract {
            let inputs: Vec<HuntInput> = exp
                .iter()
                .filter_map(|e| {
                    IocKind::parse(&e.kind).map(|k| HuntInput::new(k, e.canonical.clone()))
                })
                .filter(|h| h.kind != IocKind::Unknown)
                .collect();
            if !inputs.is_empty() {
                out.push((case.name.clone(), inputs));
            }
        }
    }
    out
}

/// Every option profile the generator has.
pub(crate) fn profiles() -> Vec<(&'static str, QueryOptions)> {
    let d = QueryOptions::default;
    vec![
        ("default", d()),
        (
            "raw-asim",
            QueryOptions {
                spl_profile: SplProfile::Raw,
                kql_profile: KqlProfile::Asim,
                spl_term: true,
                ..d()
            },
        ),
        (
            "defender",
            QueryOptions { kql_profile: KqlProfile::Defender, lookback: "24h".into(), ..d() },
        ),
        ("legacy-ti", QueryOptions { legacy_ti: true, lookback: "30d".into(), ..d() }),
        // Splunk ES (Threat_Activity, intel lookups) with every search fitted to 4,000 characters.
        ("es", QueryOptions { spl_profile: SplProfile::Es, spl_max_len: 4_000, ..d() }),
    ]
}

/// One rendered query with where it came from.
pub(crate) struct Entry {
    pub(crate) case: String,
    pub(crate) profile: &'static str,
    pub(crate) query: Query,
}

/// Renders `inputs` with every profile.
pub(crate) fn render(case: &str, inputs: &[HuntInput], out: &mut Vec<Entry>) {
    for (pname, mut opts) in profiles() {
        opts.sigma_date = Some("2026-12-07".to_owned());
        let hunt = query::hunt(inputs, &opts).unwrap_or_else(|e| panic!("{case}/{pname}: {e}"));
        for g in hunt.groups {
            for q in g.spl.into_iter().chain(g.kql).chain(g.sigma).chain(g.stix) {
                out.push(Entry { case: case.to_owned(), profile: pname, query: q });
            }
        }
    }
}

/// The whole matrix.
pub(crate) fn matrix() -> Vec<Entry> {
    let mut out = Vec::new();
    for (name, input) in golden() {
        render(name, std::slice::from_ref(&input), &mut out);
    }
    let all: Vec<HuntInput> = golden().into_iter().map(|(_, i)| i).collect();
    render("golden-batch", &all, &mut out);
    for (i, h) in hostile().into_iter().enumerate() {
        render(&format!("hostile-{i}"), &[h], &mut out);
    }
    render("hostile-batch", &hostile(), &mut out);
    // Degenerate values alone render nothing; mixed into a batch they are skipped and the rest still renders.
    for (i, d) in degenerate().into_iter().enumerate() {
        let h = query::hunt(std::slice::from_ref(&d), &QueryOptions::default()).expect("renders");
        assert!(
            h.groups.is_empty() && h.skipped.len() == 1,
            "degenerate-{i} {:?} was hunted",
            d.value.get(..60)
        );
    }
    let mut mixed = degenerate();
    mixed.extend(golden().into_iter().map(|(_, i)| i));
    render("degenerate-mixed-batch", &mixed, &mut out);
    for (name, inputs) in corpus() {
        render(&name, &inputs, &mut out);
    }
    // Batch forms: >100 (SPL lookup, KQL chunks), IPv6 chunks, >10,000 (KQL watchlist).
    let many = |kind: IocKind, n: usize, f: &dyn Fn(usize) -> String| -> Vec<HuntInput> {
        (0..n).map(|i| HuntInput::new(kind, f(i))).collect()
    };
    render(
        "batch-300-domains",
        &many(IocKind::Domain, 300, &|i| format!("d{i}.example")),
        &mut out,
    );
    render("batch-130-ipv6", &many(IocKind::Ipv6, 130, &|i| format!("2001:db8::{i:x}")), &mut out);
    // ip:port indicators (IPv4 and IPv6) next to plain addresses: port tables match the pair.
    render(
        "ip-port-pairs",
        &[
            HuntInput::new(IocKind::Ipv4, "91.215.85.22").with_port(443),
            HuntInput::new(IocKind::Ipv4, "203.0.113.7"),
            HuntInput::new(IocKind::Ipv6, "2001:db8::5").with_port(8443),
        ],
        &mut out,
    );
    render(
        "ip-port-only",
        &[HuntInput::new(IocKind::Ipv4, "91.215.85.22").with_port(8080)],
        &mut out,
    );
    // Long values: split into parts to stay within Sentinel's 10,000 characters (and `spl_max_len` under es).
    render(
        "batch-60-long-urls",
        &many(IocKind::Url, 60, &|i| format!("https://u{i}.example/{}", "p".repeat(300))),
        &mut out,
    );
    render(
        "batch-150-cidr",
        &many(IocKind::Cidr, 150, &|i| format!("10.{}.{}.0/24", i / 256, i % 256)),
        &mut out,
    );
    let big = many(IocKind::Url, 10_001, &|i| format!("https://u{i}.example/p"));
    let opts = QueryOptions {
        targets: vec![Target::Kql, Target::Spl],
        url_hosts: false,
        ..QueryOptions::default()
    };
    let hunt = query::hunt(&big, &opts).expect("big batch renders");
    for g in hunt.groups {
        for q in g.spl.into_iter().chain(g.kql) {
            out.push(Entry { case: "batch-10001-urls".into(), profile: "default", query: q });
        }
    }
    out
}

/// The workspace root.
pub(crate) fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf()
}
