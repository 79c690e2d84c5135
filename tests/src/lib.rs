//! Loader for the shared case corpus `tests/corpus/*.toml`.
//!
//! Every host (native core, WASM in Node, Extism, Python plugins, the browser) runs the same files, so
//! there is one truth about what each input means. The format is documented in `tests/corpus/README.md`.
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The `lookup` request of a verdict case (value, `now`, and its evidence records as `options.evidence`): what
/// the native test and the golden file send, so every host answers the same request.
pub fn lookup_request(case: &Case, now: i64) -> serde_json::Value {
    let mut req = serde_json::json!({ "value": case.input, "now": now });
    if !case.evidence.is_empty() {
        req["options"] = serde_json::json!({ "evidence": case.evidence });
    }
    req
}

/// One expected indicator in an extraction case.
#[derive(Debug, Clone, Deserialize)]
pub struct Expect {
    /// Expected type (wire name).
    #[serde(rename = "type")]
    pub kind: String,
    /// Expected canonical value.
    pub canonical: String,
    /// Expected `port` of an address written `ip:port` / `[v6]:port`; `0`: the indicator carries no port.
    /// Absent: not checked.
    #[serde(default)]
    pub port: Option<u16>,
}

/// One case. Classification cases set `kind` and `canonical`; extraction cases set `extract`.
#[derive(Debug, Clone, Deserialize)]
pub struct Case {
    /// Kebab-case name, unique across the corpus.
    pub name: String,
    /// The input value or text.
    pub input: String,
    /// Expected type for a classification case (wire name, e.g. `ipv4`, `unknown`).
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// Expected canonical value for a classification case.
    #[serde(default)]
    pub canonical: Option<String>,
    /// Expected `defanged` flag, when the case pins it.
    #[serde(default)]
    pub defanged: Option<bool>,
    /// Expected IP scope (`private`, `documentation` …), when the case pins it.
    #[serde(default)]
    pub scope: Option<String>,
    /// Extraction case: the exact set of non-implied indicators expected.
    #[serde(default)]
    pub extract: Option<Vec<Expect>>,
    /// Extraction case: values that must not be reported as any indicator.
    #[serde(default)]
    pub absent: Vec<String>,
    /// ATT&CK technique ids the mapping must include.
    #[serde(default)]
    pub attack: Vec<String>,
    /// Verdict case (`verdict.toml`): the expected `score.verdict` of `lookup` (`benign`, `malicious`,
    /// `unknown`, `reserved`).
    #[serde(default)]
    pub verdict: Option<String>,
    /// Verdict case: the inclusive range `[low, high]` the lookup's `risk.score` must fall in.
    #[serde(default)]
    pub score: Option<[u8; 2]>,
    /// Verdict case: ATT&CK ids that must appear in the lookup's `mitre_techniques`.
    #[serde(default)]
    pub techniques: Vec<String>,
    /// Verdict case: ATT&CK ids that must not appear; `"*"` means no technique at all.
    #[serde(default)]
    pub no_techniques: Vec<String>,
    /// Verdict case: score factor names that must appear.
    #[serde(default)]
    pub factors: Vec<String>,
    /// Verdict case: score factor names that must not appear.
    #[serde(default)]
    pub no_factors: Vec<String>,
    /// Verdict case: tags that must appear.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Verdict case: tags that must not appear.
    #[serde(default)]
    pub no_tags: Vec<String>,
    /// Verdict case: the host's evidence records passed as the lookup's `options.evidence` (the wire shape of
    /// `ioclens_core::score::Evidence`: `source`, `origin`, `confidence`, `revoked`, `valid_until`, `to_ids`,
    /// `deleted`, `tags` …). Empty: the lookup has no `options`.
    #[serde(default)]
    pub evidence: Vec<serde_json::Value>,
    /// Verdict case: the expected `found` flag, when the case pins it.
    #[serde(default)]
    pub found: Option<bool>,
    /// Verdict case: score factor names that must appear exactly once (one source counted once).
    #[serde(default)]
    pub once: Vec<String>,
    /// Verdict case: diagnostic codes that must appear (`unknown-attack-id` …).
    #[serde(default)]
    pub diagnostics: Vec<String>,
    /// Expected `port` fact of an `ip:port` value.
    #[serde(default)]
    pub port: Option<u16>,
    /// Verdict case: the expectation needs the tier-2 lists (feature `offline-intel`: popular domains,
    /// resolvers, provider/VPN ranges, Maltrail and `IPsum` indicators). Builds without them (the WebAssembly
    /// modules) check only the cases without this flag.
    #[serde(default)]
    pub offline: bool,
    /// Free-form note for the reviewer.
    #[serde(default)]
    pub note: Option<String>,
    /// File the case came from (filled by the loader).
    #[serde(skip)]
    pub file: String,
}

#[derive(Deserialize)]
struct File {
    #[serde(default)]
    case: Vec<Case>,
}

/// The corpus directory.
pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

/// Loads every case of every `*.toml` file in the corpus directory, sorted by file then position.
///
/// # Panics
/// On an unreadable or malformed file, or a duplicate case name: the corpus is test data and must be valid.
#[expect(clippy::disallowed_methods, reason = "test tooling: reading the corpus files is its job")]
pub fn corpus() -> Vec<Case> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("tests/corpus exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    let mut names = std::collections::HashSet::new();
    for path in files {
        let text = std::fs::read_to_string(&path).expect("corpus file is readable");
        let parsed: File =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let file = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
        for mut case in parsed.case {
            assert!(names.insert(case.name.clone()), "duplicate case name {}", case.name);
            case.file.clone_from(&file);
            out.push(case);
        }
    }
    out
}

/// Checks a verdict case against a `lookup` answer (the JSON every host emits): verdict, score range,
/// techniques that must (not) appear, factors and tags. Returns the problems, empty when the answer fits.
/// `offline`: the answer comes from a build with the tier-2 lists; without them, cases flagged `offline` are
/// not checked (their expectation needs those lists).
pub fn check_verdict(case: &Case, answer: &serde_json::Value, offline: bool) -> Vec<String> {
    let mut problems = Vec::new();
    if case.verdict.is_none() || (case.offline && !offline) {
        return problems;
    }
    let str_at = |p: &str| answer.pointer(p).and_then(serde_json::Value::as_str).unwrap_or("");
    let names = |p: &str, key: &str| -> Vec<String> {
        answer
            .pointer(p)
            .and_then(serde_json::Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.get(key).unwrap_or(x).as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    if let Some(v) = &case.verdict
        && str_at("/score/verdict") != v
    {
        problems.push(format!("verdict {} (want {v})", str_at("/score/verdict")));
    }
    let score = answer.pointer("/risk/score").and_then(serde_json::Value::as_u64).unwrap_or(999);
    if let Some([lo, hi]) = case.score
        && !(u64::from(lo)..=u64::from(hi)).contains(&score)
    {
        problems.push(format!("score {score} (want {lo}..={hi})"));
    }
    let techniques = names("/mitre_techniques", "id");
    for t in &case.techniques {
        if !techniques.contains(t) {
            problems.push(format!("technique {t} missing (got {techniques:?})"));
        }
    }
    for t in &case.no_techniques {
        if (t == "*" && !techniques.is_empty()) || techniques.contains(t) {
            problems.push(format!("technique {t} must not appear (got {techniques:?})"));
        }
    }
    let factors = names("/score/factors", "name");
    for f in &case.factors {
        if !factors.contains(f) {
            problems.push(format!("factor {f} missing (got {factors:?})"));
        }
    }
    for f in &case.no_factors {
        if factors.contains(f) {
            problems.push(format!("factor {f} must not appear"));
        }
    }
    let tags = names("/tags", "");
    for t in &case.tags {
        if !tags.contains(t) {
            problems.push(format!("tag {t} missing (got {tags:?})"));
        }
    }
    for t in &case.no_tags {
        if tags.contains(t) {
            problems.push(format!("tag {t} must not appear"));
        }
    }
    for f in &case.once {
        let n = factors.iter().filter(|x| *x == f).count();
        if n != 1 {
            problems.push(format!("factor {f} appears {n} times (want once)"));
        }
    }
    if let Some(want) = case.found
        && answer.pointer("/found").and_then(serde_json::Value::as_bool) != Some(want)
    {
        problems.push(format!("found {} (want {want})", answer["found"]));
    }
    let codes = names("/diagnostics", "code");
    for d in &case.diagnostics {
        if !codes.contains(d) {
            problems.push(format!("diagnostic {d} missing (got {codes:?})"));
        }
    }
    if let Some(p) = case.port {
        let got =
            answer.pointer("/classification/facts/ip/port").and_then(serde_json::Value::as_u64);
        if got != Some(u64::from(p)) {
            problems.push(format!("port {got:?} (want {p})"));
        }
    }
    problems
}
