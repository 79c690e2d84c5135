//! Native golden scores for cross-host determinism: `tests/golden/scores.json` holds, per value, the score,
//! level, confidence, verdict, factor contributions and the lexical probability's exact f64 bits. The WASM
//! and Extism hosts compute the same list and must match it byte for byte. Regenerate (after reviewing the
//! diff) with `UPDATE_GOLDEN=1 cargo test -p ioclens-core --test score_golden`.
#![expect(clippy::disallowed_methods, reason = "test tooling reads and writes the golden file")]

use ioclens_core::score::lexical_prior;
use ioclens_core::{LookupOptions, lookup};
use serde_json::{Value, json};

const NOW: i64 = 1_790_000_000;

/// Values covering every scoring path (reserved, benign lists, malicious lists, prior only, KEV).
const VALUES: [&str; 14] = [
    "10.0.0.1",
    "8.8.8.8",
    "77.90.185.20",
    "162.142.125.200",
    "google.com",
    "avd.microsoft.com",
    "booklng[.]biz",
    "xjw8kq2zpl4hq.top",
    "paypal-login-verify.xyz",
    "hxxp://147.78.103[.]91/bins/mirai.x86",
    "https://github.com/user/repo/releases/download/v1/app.zip",
    "44d88612fea8a8f36de82e1278abb02f",
    "CVE-2025-48384",
    "abuse@mailinator.com",
];

fn golden() -> Value {
    let opts = LookupOptions { hunting: false, ..LookupOptions::default() };
    let rows: Vec<Value> = VALUES
        .iter()
        .map(|v| {
            let r = lookup(v, &opts, NOW);
            let p = lexical_prior(&r.classification).map(|p| format!("{:016x}", p.probability.to_bits()));
            json!({
                "input": v,
                "ioc_type": r.ioc_type,
                "ioc_value": r.ioc_value,
                "score": r.risk.score,
                "level": r.risk.level,
                "confidence": r.confidence,
                "verdict": r.score.verdict,
                "score_now": r.score.decay.score_now,
                "valid_until": r.score.decay.valid_until,
                "factors": r.score.factors.iter().map(|f| json!([f.name, f.source, f.contribution])).collect::<Vec<_>>(),
                "lexical_probability_bits": p,
            })
        })
        .collect();
    json!({ "now": NOW, "scores": rows })
}

#[test]
#[cfg_attr(
    not(feature = "offline-intel"),
    ignore = "the golden file holds the scores of the default build (feature offline-intel)"
)]
fn native_scores_match_the_golden_file() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/golden/scores.json");
    let got = serde_json::to_string_pretty(&golden()).unwrap_or_default() + "\n";
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(path, &got).expect("write golden");
        return;
    }
    let want = std::fs::read_to_string(path).expect("golden file (UPDATE_GOLDEN=1 to create)");
    assert_eq!(got, want, "scores changed: review, then UPDATE_GOLDEN=1");
    // Rows whose values follow from docs/scoring.md by hand.
    let v: Value = serde_json::from_str(&want).unwrap_or_default();
    let row = |i: usize, k: &str| v["scores"][i][k].clone();
    assert_eq!((row(0, "score"), row(0, "verdict")), (json!(0), json!("reserved")));
    assert_eq!((row(2, "score"), row(2, "verdict")), (json!(95), json!("malicious")));
    assert_eq!((row(11, "score"), row(11, "verdict")), (json!(0), json!("benign")));
    assert_eq!((row(12, "score"), row(12, "level")), (json!(80), json!("high")));
}
