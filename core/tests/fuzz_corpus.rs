//! The cargo-fuzz targets on stable: every target body (`core/fuzz/src/lib.rs`, the same functions the fuzz
//! targets call) runs over its committed seed corpus (`core/fuzz/seeds/<target>/`) and over a few hostile
//! inputs, so the targets compile and their invariants hold on every `cargo test`, nightly or not.
#![allow(clippy::disallowed_methods, reason = "a test reads its corpus files")]

#[path = "../fuzz/src/lib.rs"]
#[allow(unreachable_pub, reason = "the fuzz crate's public API, included here as a module")]
mod targets;

#[test]
fn every_target_passes_its_seed_corpus() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds");
    for (name, body) in targets::TARGETS {
        let dir = root.join(name);
        let mut seeds = 0;
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            body(&std::fs::read(&path).unwrap());
            seeds += 1;
        }
        assert!(seeds >= 4, "{name}: only {seeds} seeds");
        for hostile in [
            &b""[..],
            b"\xff\xfe\x00",
            b"[[[[[[[[[[",
            &[b'.'; 5000],
            "\u{202e}evil[.]com".as_bytes(),
        ] {
            body(hostile);
        }
    }
    let fuzz_dir = root.parent().unwrap().join("fuzz_targets");
    for (name, _) in targets::TARGETS {
        assert!(fuzz_dir.join(format!("{name}.rs")).is_file(), "no fuzz target for {name}");
    }
}
