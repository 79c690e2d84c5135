//! Runs every classification case of the shared corpus (`tests/corpus/*.toml`, cases with `type`) through
//! `classify` and checks type, canonical value, the defanged flag and the IP class when the case pins them.
//! Every failure is collected so one run shows all of them.
use ioclens_core::{IocKind, classify};

fn scope_name(c: &ioclens_core::Classified) -> Option<String> {
    let ip = c.facts.ip.as_ref()?;
    serde_json::to_value(ip.scope).ok()?.as_str().map(str::to_owned)
}

#[test]
fn classification_cases() {
    let cases = ioclens_tests::corpus();
    let mut failures = Vec::new();
    let mut ran = 0;
    for case in cases.iter().filter(|c| c.kind.is_some()) {
        ran += 1;
        let want_kind = case.kind.as_deref().unwrap_or_default();
        let Some(kind) = IocKind::parse(want_kind) else {
            failures.push(format!(
                "{} ({}): unknown expected type `{want_kind}`",
                case.name, case.file
            ));
            continue;
        };
        let got = classify(&case.input);
        let mut problems = Vec::new();
        if got.kind != kind {
            problems.push(format!("type {} (want {kind})", got.kind));
        }
        if let Some(want) = &case.canonical
            && &got.canonical != want
        {
            problems.push(format!("canonical {:?} (want {want:?})", got.canonical));
        }
        if let Some(want) = case.defanged
            && got.defanged != want
        {
            problems.push(format!("defanged {} (want {want})", got.defanged));
        }
        if let Some(want) = &case.scope
            && scope_name(&got).as_deref() != Some(want.as_str())
        {
            problems.push(format!("scope {:?} (want {want})", scope_name(&got)));
        }
        if kind == IocKind::Unknown && got.reason.is_none() {
            problems.push("unknown without a reason".to_owned());
        }
        if !problems.is_empty() {
            failures.push(format!(
                "{} ({}): input {:?}: {} [reason: {:?}]",
                case.name,
                case.file,
                case.input,
                problems.join("; "),
                got.reason
            ));
        }
    }
    assert!(ran >= 260, "only {ran} classification cases");
    assert!(
        failures.is_empty(),
        "{} of {ran} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every valid case's canonical value classifies to itself (same type, same canonical): canonical forms are a
/// fixpoint.
#[test]
fn canonical_is_fixpoint() {
    let mut failures = Vec::new();
    for case in
        ioclens_tests::corpus().iter().filter(|c| c.kind.as_deref().is_some_and(|k| k != "unknown"))
    {
        let first = classify(&case.input);
        if first.kind == IocKind::Unknown {
            continue;
        }
        let again = classify(&first.canonical);
        // File-extension TLDs are only domains when defanged; their canonical form is not.
        if first.kind == IocKind::Domain && first.defanged && again.kind == IocKind::Unknown {
            continue;
        }
        if again.kind != first.kind || again.canonical != first.canonical {
            failures.push(format!(
                "{}: {:?} → {} {:?} → {} {:?}",
                case.name, case.input, first.kind, first.canonical, again.kind, again.canonical
            ));
        }
    }
    assert!(failures.is_empty(), "not a fixpoint:\n{}", failures.join("\n"));
}
