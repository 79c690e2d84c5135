//! The bodies of the cargo-fuzz targets, as plain functions: each fuzz target (`fuzz_targets/*.rs`, nightly and
//! cargo-fuzz) calls one, and `core/tests/fuzz_corpus.rs` (stable, `cargo test -p ioclens-core`) runs every one
//! over the committed corpus (`seeds/<target>/`), so the targets compile and their seeds pass on every build.
//!
//! Each function takes the fuzzer's bytes, never panics on any input (a panic is the finding), and asserts the
//! operation's invariants: spans slice the text, the JSON dispatcher answers exactly one of `ok`/`error`, and so
//! on. The input is read as lossy UTF-8, like the hosts do with untrusted bytes.

/// A target's body.
pub type Target = fn(&[u8]);

/// Every target, by name: `(name, body)`.
pub const TARGETS: [(&str, Target); 6] = [
    ("classify", classify),
    ("extract", extract),
    ("lookup", lookup),
    ("hunt", hunt),
    ("attack", attack),
    ("dispatch", dispatch),
];

/// A fixed clock (the core never reads one): 2026-01-01T00:00:00Z.
const NOW: i64 = 1_767_225_600;

/// `classify` (free and with each forced type): a typed answer has a canonical value, and classifying that
/// canonical value again finds the same type.
pub fn classify(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let c = ioclens_core::classify(&text);
    if c.kind != ioclens_core::IocKind::Unknown {
        assert!(!c.canonical.is_empty(), "typed {:?} with an empty canonical value", c.kind);
    }
    for kind in ["ipv4", "domain", "url", "sha256", "cve", "email"] {
        let forced =
            ioclens_core::api::call("classify", &request(&[("value", &text), ("type", kind)]));
        assert_envelope(&forced);
    }
}

/// `extract`: every span is non-empty, inside the text and on character boundaries, mentions come in text
/// order, and the unique view accounts for every mention.
pub fn extract(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let ex = ioclens_core::extract(&text);
    let mut last = 0;
    for i in &ex.iocs {
        assert!(i.span.start < i.span.end && i.span.end <= text.len());
        assert!(text.get(i.span.start..i.span.end).is_some());
        assert!(i.span.start >= last, "mentions out of order");
        last = i.span.start;
    }
    let total: usize = ex.unique.iter().map(|u| u.count).sum();
    assert_eq!(total, ex.iocs.len());
}

/// `lookup`: the package's type is the classifier's, and it serialises.
pub fn lookup(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let opts = ioclens_core::LookupOptions::default();
    let res = ioclens_core::lookup(&text, &opts, NOW);
    assert_eq!(res.ioc_type, ioclens_core::classify(&text).kind);
    assert!(serde_json::to_string(&res).is_ok());
}

/// `hunt`: each line a value; an answer or an error, never a panic, and a query never empty when answered.
pub fn hunt(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let values: Vec<&str> = text.lines().take(200).collect();
    let req = serde_json::json!({ "values": values }).to_string();
    let out = ioclens_core::api::call("hunt", &req);
    assert_envelope(&out);
}

/// `attack`: an id lookup answers an object whose id is the one asked (case aside) or an error.
pub fn attack(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let out = ioclens_core::api::call("attack", &request(&[("id", &text)]));
    assert_envelope(&out);
}

/// The JSON dispatcher: the first line names the operation, the rest is its request. Every answer is JSON with
/// exactly one of `ok` and `error`.
pub fn dispatch(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (op, input) = text.split_once('\n').unwrap_or((&text, ""));
    assert_envelope(&ioclens_core::api::call(op.trim(), input));
}

/// A JSON object of string fields.
fn request(fields: &[(&str, &str)]) -> String {
    let map: serde_json::Map<String, serde_json::Value> =
        fields.iter().map(|(k, v)| ((*k).to_owned(), serde_json::Value::from(*v))).collect();
    serde_json::Value::Object(map).to_string()
}

/// The dispatcher's answer is a JSON object with exactly one of `ok` and `error`; an error has a kind and a
/// message.
fn assert_envelope(out: &str) {
    let v: serde_json::Value = serde_json::from_str(out).expect("the dispatcher answers JSON");
    let o = v.as_object().expect("the answer is an object");
    assert_eq!(o.len(), 1, "{out:.200}");
    if let Some(e) = o.get("error") {
        assert!(e["kind"].is_string() && e["message"].is_string(), "{out:.200}");
    } else {
        assert!(o.contains_key("ok"), "{out:.200}");
    }
}
