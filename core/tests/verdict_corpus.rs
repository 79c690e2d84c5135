//! The verdict corpus (`tests/corpus/verdict.toml`): every case through `api::call("lookup")` — the JSON every
//! host emits — checked for verdict, score range, techniques that must (not) appear, factors and tags. A build
//! without `offline-intel` checks the cases whose expectation needs no tier-2 list; the WebAssembly hosts get
//! the same answers through `dist/golden.json` (`wasm/abi/examples/golden.rs` checks them there too).
use serde_json::Value;

/// 2026-01-01T00:00:00Z, as in the golden file.
const NOW: i64 = 1_767_225_600;

#[test]
fn verdict_cases() {
    let offline = cfg!(feature = "offline-intel");
    let cases: Vec<_> =
        ioclens_tests::corpus().into_iter().filter(|c| c.verdict.is_some()).collect();
    assert!(cases.len() >= 80, "only {} verdict cases", cases.len());
    let mut failures = Vec::new();
    let mut checked = 0;
    for case in &cases {
        // The case's evidence records (if any) go in as `options.evidence`, as a host's feeds would.
        let raw = ioclens_core::api::call(
            "lookup",
            &ioclens_tests::lookup_request(case, NOW).to_string(),
        );
        let answer: Value = serde_json::from_str(&raw).unwrap_or_default();
        let Some(ok) = answer.get("ok") else {
            failures.push(format!("{}: lookup failed: {raw}", case.name));
            continue;
        };
        if !case.offline || offline {
            checked += 1;
        }
        let problems = ioclens_tests::check_verdict(case, ok, offline);
        if !problems.is_empty() {
            failures.push(format!("{} ({:?}): {}", case.name, case.input, problems.join("; ")));
        }
    }
    assert!(checked > 0);
    assert!(
        failures.is_empty(),
        "{} of {checked} verdict cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
