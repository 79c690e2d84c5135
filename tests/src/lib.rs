//! Loader for the shared case corpus `tests/corpus/*.toml`.
//!
//! Every host (native core, WASM in Node, Extism, Python plugins, the browser) runs the same files, so
//! there is one truth about what each input means. The format is documented in `tests/corpus/README.md`.
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// One expected indicator in an extraction case.
#[derive(Debug, Clone, Deserialize)]
pub struct Expect {
    /// Expected type (wire name).
    #[serde(rename = "type")]
    pub kind: String,
    /// Expected canonical value.
    pub canonical: String,
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
