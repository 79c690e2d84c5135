//! insta snapshots of the rendered queries for representative cases (reviewed by hand once), and the
//! dump of the whole query matrix to `target/query-matrix.json` for the third-party validators
//! (`tests/kql/kqlcheck.js`, `tests/portable/check_portable.py`).
use ioclens_core::query::{self, HuntInput, KqlProfile, QueryOptions, SplProfile};
use std::fmt::Write as _;

mod support;

fn check(name: &str, inputs: &[HuntInput], opts: &QueryOptions) {
    let hunt = query::hunt(inputs, opts).unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut text = String::new();
    for g in &hunt.groups {
        let _ = writeln!(text, "## {} ({} values)\n# {}", g.kind, g.values, g.detection_guidance);
        for q in g.spl.iter().chain(&g.kql).chain(&g.sigma).chain(&g.stix) {
            let _ = write!(text, "\n### {} / {} / {}\n", q.target.as_str(), q.profile, q.title);
            for n in &q.notes {
                let _ = writeln!(text, "# note: {n}");
            }
            text.push_str(&q.query);
            text.push('\n');
        }
        for u in &g.unsupported {
            let _ = write!(text, "\n### unsupported: {}\n", u.reason);
        }
    }
    insta::assert_snapshot!(name, text);
}

#[test]
fn snapshots() {
    let d = QueryOptions::default;
    for (name, input) in support::golden() {
        check(name, std::slice::from_ref(&input), &d());
    }
    let asim = QueryOptions { spl_profile: SplProfile::Raw, kql_profile: KqlProfile::Asim, ..d() };
    let defender =
        QueryOptions { kql_profile: KqlProfile::Defender, lookback: "24h".into(), ..d() };
    for (name, input) in support::golden() {
        if ["ipv6", "cidr4", "domain", "url-star-backslash", "sha256", "file-path-windows"]
            .contains(&name)
        {
            check(&format!("asim-{name}"), std::slice::from_ref(&input), &asim);
            check(&format!("defender-{name}"), std::slice::from_ref(&input), &defender);
        }
    }
    let legacy = QueryOptions { legacy_ti: true, ..d() };
    check(
        "legacy-ti-ipv4",
        &[HuntInput::new(ioclens_core::IocKind::Ipv4, "203.0.113.10")],
        &legacy,
    );
    let hostile = [
        HuntInput::new(ioclens_core::IocKind::Url, "http://x.test/a`b*c\"d\\e|f"),
        HuntInput::new(ioclens_core::IocKind::Email, "o'brien*@x.test"),
    ];
    check("hostile-url-email", &hostile, &d());
}

/// Not a check but the build step of scripts/test.d/20-queries.sh, which runs it by name with `--ignored`
/// before handing the file to the validators.
#[test]
#[ignore = "writes target/query-matrix.json for the external validators (scripts/test.d/20-queries.sh)"]
#[expect(
    clippy::disallowed_methods,
    reason = "the test writes the matrix for the external validators"
)]
fn dump_matrix() {
    let entries: Vec<serde_json::Value> = support::matrix()
        .into_iter()
        .map(|e| {
            serde_json::json!({
                "case": e.case, "profile": e.profile, "target": e.query.target, "type": e.query.kind,
                "qprofile": e.query.profile, "title": e.query.title, "query": e.query.query,
                "values": e.query.values,
            })
        })
        .collect();
    let dir = support::root().join("target");
    std::fs::create_dir_all(&dir).expect("target dir");
    let path = dir.join("query-matrix.json");
    std::fs::write(&path, serde_json::to_string(&entries).expect("json")).expect("write matrix");
    assert!(entries.len() > 500, "matrix has {} queries", entries.len());
}
