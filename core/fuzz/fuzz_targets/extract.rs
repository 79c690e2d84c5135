//! Fuzz `extract`: the body and its invariants are `ioclens_core_fuzz::extract` (src/lib.rs), which
//! `core/tests/fuzz_corpus.rs` also runs over `seeds/extract/` on stable.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| ioclens_core_fuzz::extract(data));
