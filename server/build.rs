//! Extracts the `URLhaus` rows of `data/ml/ioc_sample.csv` (`URLhaus` via `curbengh/urlhaus-filter`, CC0; see
//! `data/SOURCES.md`) into `$OUT_DIR/urlhaus.csv` for the built-in `urlhaus` feed, so the binary carries those
//! 5,000 rows rather than the whole 3 MB labelled sample. They are the scorer's out-of-distribution test set:
//! loadable as a feed, never part of the core's offline intel.
#![expect(clippy::disallowed_methods, reason = "a build script reads its input and OUT_DIR")]
use std::fmt::Write as _;

fn main() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/ml/ioc_sample.csv");
    println!("cargo::rerun-if-changed={}", src.display());
    let text =
        std::fs::read_to_string(&src).unwrap_or_else(|e| panic!("reading {}: {e}", src.display()));
    let mut lines = text.lines();
    let header = lines.next().unwrap_or_default();
    assert_eq!(header, "indicator,kind,label,source,family,category,split", "{}", src.display());
    let mut out = String::from("indicator,kind,category\n");
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        if let [indicator, kind, "1", "urlhaus", _, category, _] = f[..] {
            let _ = writeln!(out, "{indicator},{kind},{category}");
        }
    }
    let dest =
        std::path::Path::new(&std::env::var("OUT_DIR").unwrap_or_default()).join("urlhaus.csv");
    std::fs::write(&dest, out).unwrap_or_else(|e| panic!("writing {}: {e}", dest.display()));
}
