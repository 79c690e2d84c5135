//! A single `lookup` (classify + evidence + score + ATT&CK mapping + both hunting queries); target ≤ 20 µs.
//!
//! `cargo bench -p ioclens-core --bench lookup`
use criterion::{Criterion, criterion_group, criterion_main};
use ioclens_core::{LookupOptions, lookup};
use std::hint::black_box;

const NOW: i64 = 1_790_000_000;

fn benches(c: &mut Criterion) {
    let opts = LookupOptions::default();
    let no_queries = LookupOptions { hunting: false, ..LookupOptions::default() };
    for v in [
        "77.90.185.20",
        "evil-login[.]xyz",
        "hxxp://147.78.103[.]91/gate.php",
        "44d88612fea8a8f36de82e1278abb02f",
        "CVE-2025-48384",
    ] {
        c.bench_function(&format!("lookup/full/{v}"), |b| {
            b.iter(|| lookup(black_box(v), &opts, NOW));
        });
        c.bench_function(&format!("lookup/no_queries/{v}"), |b| {
            b.iter(|| lookup(black_box(v), &no_queries, NOW));
        });
    }
}

criterion_group!(lookup_benches, benches);
criterion_main!(lookup_benches);
