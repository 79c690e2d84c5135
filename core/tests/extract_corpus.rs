//! Runs the extraction cases of the shared corpus (`tests/corpus/*.toml`, cases with `extract = [...]`).
//!
//! For every case: the set of non-implied indicators equals `extract` exactly; nothing in `absent` appears
//! (implied or not); every span slices the original text on char boundaries, and the slice alone extracts to
//! the same indicator and classifies to the same canonical value.
use ioclens_core::{IocKind, classify, extract};
use std::collections::BTreeSet;

fn check(case: &ioclens_tests::Case, expected: &[ioclens_tests::Expect]) -> Vec<String> {
    let mut errors = Vec::new();
    let ex = extract(&case.input);
    let got: BTreeSet<(String, String)> = ex
        .iocs
        .iter()
        .filter(|i| !i.implied)
        .map(|i| (i.kind.to_string(), i.canonical.clone()))
        .collect();
    let want: BTreeSet<(String, String)> =
        expected.iter().map(|e| (e.kind.clone(), e.canonical.clone())).collect();
    for w in want.difference(&got) {
        errors.push(format!("missing {} {}", w.0, w.1));
    }
    for g in got.difference(&want) {
        errors.push(format!("unexpected {} {}", g.0, g.1));
    }
    for e in expected {
        let Some(want) = e.port else { continue };
        let port = ex
            .iocs
            .iter()
            .find(|i| !i.implied && i.kind.to_string() == e.kind && i.canonical == e.canonical)
            .map(|i| i.port);
        if let Some(port) = port
            && port.unwrap_or(0) != want
        {
            errors.push(format!("{} port {port:?} (want {want})", e.canonical));
        }
    }
    for a in &case.absent {
        if ex.iocs.iter().any(|i| i.canonical.eq_ignore_ascii_case(a)) {
            errors.push(format!("`{a}` must be absent"));
        }
    }
    for i in &ex.iocs {
        let Some(slice) = case.input.get(i.span.start..i.span.end) else {
            errors.push(format!("span {:?} of {} is not on char boundaries", i.span, i.canonical));
            continue;
        };
        let again = extract(slice);
        // An implied host in host position may be one that stands alone is not (`invoice.zip`): compare text.
        let same_text = i.implied && slice.eq_ignore_ascii_case(&i.canonical);
        // ATT&CK object ids (`G0016`) count only in a text that names ATT&CK: the span alone lacks that context.
        let in_context = i.kind == IocKind::Attack && !slice.starts_with('T');
        let same_text = same_text || in_context;
        if !same_text && !again.iocs.iter().any(|j| j.kind == i.kind && j.canonical == i.canonical)
        {
            errors.push(format!(
                "span text `{slice}` does not extract to {} {}",
                i.kind, i.canonical
            ));
        }
        // Skipped where the span alone lacks the context that made it valid: implied hosts (`invoice.zip` as a
        // URL host), HTML entities (decoded by extract, not by classify), spaced forms (` at `, ` DOT `).
        let entity = slice.contains('&') && slice.contains(';');
        let comparable = !i.implied && i.kind != IocKind::Email && !entity && !slice.contains(' ');
        if comparable && classify(slice).canonical != i.canonical {
            errors.push(format!("span text `{slice}` does not classify to {}", i.canonical));
        }
    }
    errors
}

#[test]
fn extraction_cases() {
    let cases = ioclens_tests::corpus();
    let mut ran = 0;
    let mut failures = Vec::new();
    for case in &cases {
        let Some(expected) = &case.extract else { continue };
        ran += 1;
        let errors = check(case, expected);
        if !errors.is_empty() {
            failures.push(format!(
                "{} ({}): {:?}\n    {}",
                case.name,
                case.file,
                case.input,
                errors.join("\n    ")
            ));
        }
    }
    assert!(ran >= 150, "expected at least 150 extraction cases, found {ran}");
    assert!(
        failures.is_empty(),
        "{} of {ran} extraction cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
