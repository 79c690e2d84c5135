//! Hunting-query generation speed: one indicator (what the lookup package embeds per IOC) and a mixed
//! 1,000-indicator report batch (what `extract --hunt` renders).
//!
//!     cargo bench -p ioclens-core --bench query
use criterion::{Criterion, criterion_group, criterion_main};
use ioclens_core::IocKind;
use ioclens_core::query::{self, HuntInput, QueryOptions};
use std::hint::black_box;

fn single(c: &mut Criterion) {
    let opts = QueryOptions::default();
    c.bench_function("spl_for+kql_for ipv4", |b| {
        b.iter(|| {
            let s =
                query::spl_for(IocKind::Ipv4, black_box("203.0.113.10"), &opts).unwrap_or_default();
            let k =
                query::kql_for(IocKind::Ipv4, black_box("203.0.113.10"), &opts).unwrap_or_default();
            s.len() + k.len()
        });
    });
    c.bench_function("hunt 1 url, all targets", |b| {
        let input = [HuntInput::new(IocKind::Url, "https://evil.example/gate.php?id=1")];
        b.iter(|| {
            query::hunt(black_box(&input), &opts).map(|h| h.groups.len()).unwrap_or_default()
        });
    });
}

fn batch(c: &mut Criterion) {
    let opts = QueryOptions::default();
    let mut inputs = Vec::new();
    for i in 0..250u32 {
        inputs.push(HuntInput::new(IocKind::Ipv4, format!("198.51.{}.{}", i / 250, i % 250)));
        inputs.push(HuntInput::new(IocKind::Domain, format!("c2-{i}.evil.example")));
        inputs.push(HuntInput::new(IocKind::Url, format!("https://d{i}.example/p/{i}?q=1")));
        inputs.push(HuntInput::new(IocKind::Sha256, format!("{i:064x}")));
    }
    c.bench_function("hunt 1000 mixed, all targets", |b| {
        b.iter(|| {
            query::hunt(black_box(&inputs), &opts).map(|h| h.groups.len()).unwrap_or_default()
        });
    });
}

criterion_group!(benches, single, batch);
criterion_main!(benches);
