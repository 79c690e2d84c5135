//! Classification throughput over the shared corpus inputs (`tests/corpus/classify-*.toml`, every case with a
//! `type`: valid values of every kind, defanged forms and hard negatives).
//!
//! Run with `cargo bench -p ioclens-core --bench classify`; criterion reports values per second (`thrpt`).
//! Target: ≥ 2 M values/s on one core (1 M is the floor).
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

fn inputs() -> Vec<String> {
    ioclens_tests::corpus().into_iter().filter(|c| c.kind.is_some()).map(|c| c.input).collect()
}

fn bench(c: &mut Criterion) {
    let all = inputs();
    let mut group = c.benchmark_group("classify");
    group.throughput(Throughput::Elements(all.len() as u64));
    group.bench_function("corpus", |b| {
        b.iter(|| {
            for v in &all {
                black_box(ioclens_core::classify(black_box(v)));
            }
        });
    });
    // The common case in feeds: plain, valid indicators (no defang markers, no negatives).
    let plain: Vec<&String> = all
        .iter()
        .filter(|v| ioclens_core::classify(v).kind != ioclens_core::IocKind::Unknown)
        .collect();
    group.throughput(Throughput::Elements(plain.len() as u64));
    group.bench_function("valid-only", |b| {
        b.iter(|| {
            for v in &plain {
                black_box(ioclens_core::classify(black_box(v)));
            }
        });
    });
    let refang_inputs: Vec<&String> = all.iter().collect();
    group.throughput(Throughput::Elements(refang_inputs.len() as u64));
    group.bench_function("refang", |b| {
        b.iter(|| {
            for v in &refang_inputs {
                black_box(ioclens_core::refang(black_box(v)));
            }
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
