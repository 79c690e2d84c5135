//! Writes the native core's answers for the whole shared corpus (`tests/corpus/*.toml`) to a JSON file, the
//! "one truth" every WebAssembly host is compared against:
//!
//! ```sh
//! cargo run -p ioclens-wasm-abi --example golden -- dist/golden.json
//! ```
//!
//! The file is `{ops, entries}`: `ops` is `api::OPS` (the plain-ABI numbering). Each entry is
//! `{name, op, input, request, answer, raw}`: `input` is the request object, `request` the exact text sent, `answer` the parsed
//! `api::call` answer (`{"ok": …}` or `{"error": …}`) and `raw` its exact text. Hosts that return text (the
//! plain-ABI module, the Extism plugin) must reproduce `raw` byte for byte given `request`;
//! hosts that return objects (wasm-bindgen) must equal `answer` after key-sorted normalisation. The build has the same features as the WASM artifacts (no
//! `offline-intel`), so the answers must match byte for byte after JSON normalisation.
#![expect(
    clippy::disallowed_methods,
    reason = "a host-side tool: writing the golden file is its job"
)]
use ioclens_core::api;
use serde_json::{Value, json};
use std::io::Write;

/// `now` for every time-dependent request (2026-01-01T00:00:00Z): fixed so answers are reproducible.
const NOW: i64 = 1_767_225_600;

/// Inputs beyond the corpus that exercise the boundary itself: empty, Unicode, control characters, large text.
fn extra_requests() -> Vec<(String, &'static str, Value)> {
    let big = "Beacon to hxxp://c2[.]example-bad[.]com/a and 185.220.101[.]1, hash \
               44d88612fea8a8f36de82e1278abb02f. "
        .repeat(200);
    vec![
        ("boundary-version".into(), "version", json!({})),
        ("boundary-classify-empty".into(), "classify", json!({ "value": "" })),
        (
            "boundary-classify-unicode".into(),
            "classify",
            json!({ "value": "bücher.example\u{200b}" }),
        ),
        ("boundary-classify-control".into(), "classify", json!({ "value": "8.8.8.8\u{0}\n" })),
        (
            "boundary-classify-forced".into(),
            "classify",
            json!({ "value": "8.8.8.8", "type": "domain" }),
        ),
        (
            "boundary-classify-bad-type".into(),
            "classify",
            json!({ "value": "8.8.8.8", "type": "nope" }),
        ),
        ("boundary-classify-missing".into(), "classify", json!({})),
        (
            "boundary-classify-extra-field".into(),
            "classify",
            json!({ "value": "x", "bogus": true }),
        ),
        ("boundary-extract-empty".into(), "extract", json!({ "text": "" })),
        (
            "boundary-extract-emoji".into(),
            "extract",
            json!({ "text": "🙂 evil[.]com 🙂 1.2.3[.]4" }),
        ),
        ("boundary-extract-big".into(), "extract", json!({ "text": big })),
        ("boundary-lookup-missing-now".into(), "lookup", json!({ "value": "8.8.8.8" })),
        (
            "boundary-lookup-forced".into(),
            "lookup",
            json!({ "value": "8.8.8.8", "options": { "type": "domain" }, "now": NOW }),
        ),
        (
            "boundary-hunt-mixed".into(),
            "hunt",
            json!({ "values": ["evil[.]com", "nothing", { "type": "ipv4", "value": "203.0.113.9" }], "options": { "lookback": "24h" } }),
        ),
        (
            "boundary-hunt-bad-lookback".into(),
            "hunt",
            json!({ "values": ["evil[.]com"], "options": { "lookback": "1y" } }),
        ),
        ("boundary-attack-unknown".into(), "attack", json!({ "id": "T0000" })),
        ("boundary-attack-revoked".into(), "attack", json!({ "id": "T1086" })),
        (
            "boundary-remote-request".into(),
            "remote_request",
            json!({ "value": "evil.com", "type": "domain" }),
        ),
        (
            "boundary-lookup-many-item-errors".into(),
            "lookup_many",
            json!({ "values": ["8.8.8[.]8", 7, "", "T1059.001"], "options": { "hunting": false }, "now": NOW }),
        ),
        (
            "boundary-lookup-many-fields".into(),
            "lookup_many",
            json!({ "values": ["hxxp://evil[.]com/x.php", "T1059.001"], "now": NOW,
                    "fields": ["risk", "score.verdict", "attack.tactics.name", "hits.list", "hunting.splunk_query"] }),
        ),
        (
            "boundary-lookup-many-bad-field".into(),
            "lookup_many",
            json!({ "values": ["8.8.8.8"], "now": NOW, "fields": ["bogus"] }),
        ),
        (
            "boundary-defang-typed".into(),
            "defang",
            json!({ "value": "invoice.zip", "type": "file_path" }),
        ),
        ("boundary-defang-bad-type".into(), "defang", json!({ "value": "x", "type": "nope" })),
        (
            "boundary-lookup-many-missing-now".into(),
            "lookup_many",
            json!({ "values": ["8.8.8.8"] }),
        ),
    ]
}

/// A small intel pack signed with a fixed test key, and the requests that load it and then look values up: they
/// come last, so every host replays them in order on the instance that has answered the rest, and each host's
/// answers with the pack loaded must equal the native core's. A refused pack (bad signature, not base64, wrong
/// key) is tried first and leaves nothing loaded.
fn pack_requests() -> Vec<(String, &'static str, Value)> {
    use base64::Engine as _;
    use ed25519_dalek::{Signer as _, SigningKey};
    use ioclens_core::IocKind;
    use ioclens_core::intel::pack::{self, Entry, SourceData, SourceMeta};
    use ioclens_core::intel::signature::hex;
    let src = |name: &str, category: &str, format: &str, entries: Vec<Entry>| SourceData {
        meta: SourceMeta {
            name: name.into(),
            category: category.into(),
            format: format.into(),
            confidence: 90,
            fetched_at: NOW - 10 * 86_400,
            upstream_date: None,
            entries: 0,
        },
        entries,
    };
    let mut tf = Entry::new(IocKind::Domain, "only-in-threatfox.example".into());
    tf.last_seen = Some(NOW - 12 * 86_400);
    tf.family = Some("Remcos".into());
    let mut ipsum = Entry::new(IocKind::Ipv4, "45.95.147.1".into());
    ipsum.number = Some(3);
    // Ten days old: every lookup with it loaded says `stale-intel` once.
    let bytes = pack::write(
        &[
            src("threatfox-recent", "malware", "threatfox-csv", vec![tf]),
            src("ipsum", "blocklist", "ipsum", vec![ipsum]),
        ],
        NOW - 10 * 86_400,
    )
    .expect("the test pack writes");
    let key = SigningKey::from_bytes(&[7; 32]);
    let other = SigningKey::from_bytes(&[8; 32]);
    let public = hex(key.verifying_key().as_bytes());
    let signature = hex(&key.sign(&bytes).to_bytes());
    let b64 = base64::engine::general_purpose::STANDARD.encode(&bytes);
    let load = |sig: &str, public: &str, pack: &str| json!({ "pack_base64": pack, "signature": sig, "public_key": public });
    let lookups = ["only-in-threatfox[.]example", "45.95.147[.]1", "185.220.101[.]1", "8.8.8.8"];
    let mut out = vec![
        (
            "pack-load-bad-signature".into(),
            "load_pack",
            load(&signature.replace('0', "1"), &public, &b64),
        ),
        (
            "pack-load-wrong-key".into(),
            "load_pack",
            load(&signature, &hex(other.verifying_key().as_bytes()), &b64),
        ),
        ("pack-load-not-base64".into(), "load_pack", load(&signature, &public, "%%%")),
        (
            "pack-load-unsigned".into(),
            "load_pack",
            json!({ "pack_base64": b64, "public_key": public }),
        ),
        ("pack-before-load.lookup".into(), "lookup", json!({ "value": lookups[0], "now": NOW })),
        ("pack-load".into(), "load_pack", load(&signature, &public, &b64)),
    ];
    for v in lookups {
        out.push((format!("pack.lookup.{v}"), "lookup", json!({ "value": v, "now": NOW })));
    }
    out.push((
        "pack.lookup_many".into(),
        "lookup_many",
        json!({ "values": lookups, "options": { "hunting": false }, "now": NOW,
                "fields": ["risk", "score.verdict", "hits.list", "diagnostics", "intel_age_days"] }),
    ));
    out
}

fn main() -> std::io::Result<()> {
    let out = std::env::args().nth(1).unwrap_or_else(|| "dist/golden.json".to_owned());
    let mut requests: Vec<(String, &'static str, Value)> = extra_requests();
    let mut batch = Vec::new();
    for case in ioclens_tests::corpus() {
        if case.extract.is_some() {
            requests.push((case.name.clone(), "extract", json!({ "text": case.input })));
        } else {
            requests.push((case.name.clone(), "classify", json!({ "value": case.input })));
            // Verdict cases with evidence records send them as `options.evidence`: every host replays this request.
            requests.push((
                format!("{}.lookup", case.name),
                "lookup",
                ioclens_tests::lookup_request(&case, NOW),
            ));
            requests.push((
                format!("{}.defang", case.name),
                "defang",
                json!({ "value": case.input }),
            ));
            batch.push(case.input.clone());
        }
        for id in &case.attack {
            requests.push((format!("{}.attack.{id}", case.name), "attack", json!({ "id": id })));
        }
    }
    // The whole classification corpus as one batch (the Splunk command's shape: no queries, a projection).
    requests.push((
        "corpus.lookup_many".into(),
        "lookup_many",
        json!({ "values": batch, "options": { "hunting": false }, "now": NOW,
                "fields": ["ioc_type", "classification", "risk", "confidence", "score.verdict", "attack.id", "attack.tactics.name", "hits.role", "hits.list", "malware_family"] }),
    ));
    // Remote merges on a real local answer: ok (both response shapes of docs/api.md), 429, 500, transport failures.
    let local: Value = serde_json::from_str::<Value>(&api::call(
        "lookup",
        &json!({ "value": "185.220.101[.]1", "now": NOW }).to_string(),
    ))?["ok"]
        .clone();
    for (name, status, response, error) in [
        (
            "ok-envelope",
            200,
            json!({ "meta": { "feed_version": "2026-01-01" }, "data": { "found": true, "ioc_value": "185.220.101.1", "risk": { "score": 88, "level": "high" }, "confidence": "high", "mitre_techniques": ["T1090.003"], "sources": [{ "source_feed": "feodo" }] } }),
            None,
        ),
        (
            "ok-flat",
            200,
            json!({ "value": "185.220.101.1", "type": "ipv4", "risk_score": "critical", "confidence": "medium", "mitre_techniques": [{ "id": "T1071", "name": "Application Layer Protocol" }] }),
            None,
        ),
        ("ok-text-body", 200, json!("{\"data\":{\"found\":false}}"), None),
        ("rate-limited", 429, Value::Null, None),
        ("server-error", 500, json!({ "error": { "message": "boom" } }), None),
        ("garbage-body", 200, json!("<html>"), None),
        ("timeout", 0, Value::Null, Some("request timed out after 3s")),
        ("refused", 0, Value::Null, Some("connection refused")),
    ] {
        requests.push((
            format!("boundary-merge-{name}"),
            "merge_remote",
            json!({ "local": local, "status": status, "response": response, "error": error }),
        ));
    }
    // Last: load a signed pack, then look up with it (see `pack_requests`).
    requests.extend(pack_requests());
    // Verdict cases (`tests/corpus/verdict.toml`) are checked here on the build the WebAssembly modules have
    // (no tier-2 lists): every host then has to reproduce these very answers.
    let verdicts: std::collections::HashMap<String, ioclens_tests::Case> = ioclens_tests::corpus()
        .into_iter()
        .filter(|c| c.verdict.is_some())
        .map(|c| (format!("{}.lookup", c.name), c))
        .collect();
    let tier2 = ioclens_core::intel::data_versions().iter().any(|d| d.source == "ipsum");
    let mut failures = Vec::new();
    let mut entries = Vec::new();
    for (name, op, input) in requests {
        let request = input.to_string();
        let raw = api::call(op, &request);
        let answer: Value = serde_json::from_str(&raw)?;
        if let Some(case) = verdicts.get(&name) {
            let problems = ioclens_tests::check_verdict(case, &answer["ok"], tier2);
            if !problems.is_empty() {
                failures.push(format!("{}: {}", case.name, problems.join("; ")));
            }
        }
        entries.push(json!({ "name": name, "op": op, "input": input, "request": request, "answer": answer, "raw": raw }));
    }
    if !failures.is_empty() {
        return Err(std::io::Error::other(format!(
            "verdict corpus: {} case(s) failed:\n{}",
            failures.len(),
            failures.join("\n")
        )));
    }
    if let Some(dir) = std::path::Path::new(&out).parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut f = std::fs::File::create(&out)?;
    serde_json::to_writer(&mut f, &json!({ "ops": api::OPS, "entries": entries }))?;
    f.write_all(b"\n")?;
    eprintln!("golden: {} answers → {out}", entries.len());
    Ok(())
}
