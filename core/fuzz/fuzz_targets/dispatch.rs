//! Fuzz `dispatch`: the body and its invariants are `ioclens_core_fuzz::dispatch` (src/lib.rs), which
//! `core/tests/fuzz_corpus.rs` also runs over `seeds/dispatch/` on stable.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| ioclens_core_fuzz::dispatch(data));
