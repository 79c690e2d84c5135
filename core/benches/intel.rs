//! Membership checks against the embedded warninglists and intel packs (target ≤ 1 µs each).
//!
//! `cargo bench -p ioclens-core --bench intel`
use criterion::{Criterion, criterion_group, criterion_main};
use ioclens_core::intel::{self, Role};
use std::hint::black_box;
use std::net::Ipv4Addr;

fn benches(c: &mut Criterion) {
    let ip = Ipv4Addr::new(17, 253, 144, 10);
    c.bench_function("intel/membership/ipv4_mask (provider ranges)", |b| {
        b.iter(|| intel::ipv4_mask(black_box(Role::ProviderIpRanges), black_box(ip)));
    });
    c.bench_function("intel/membership/ipv4_mask (resolvers, 62k ranges)", |b| {
        b.iter(|| {
            intel::ipv4_mask(black_box(Role::DnsResolvers), black_box(Ipv4Addr::new(8, 8, 8, 8)))
        });
    });
    c.bench_function("intel/membership/ipsum_count", |b| {
        b.iter(|| intel::ipsum_count(black_box(Ipv4Addr::new(77, 90, 185, 20))));
    });
    c.bench_function("intel/membership/name_mask (popular, 5 labels)", |b| {
        b.iter(|| {
            intel::name_mask(black_box(Role::PopularDomains), black_box("a.b.docs.google.com"))
        });
    });
    c.bench_function("intel/membership/name_mask (hash, 25k)", |b| {
        b.iter(|| {
            intel::name_mask(black_box(Role::Hashes), black_box("44d88612fea8a8f36de82e1278abb02f"))
        });
    });
    c.bench_function("intel/ipv4_one_role (provider ranges)", |b| {
        b.iter(|| intel::ipv4_hits(black_box(Role::ProviderIpRanges), black_box(ip)));
    });
    c.bench_function("intel/name_one_role (popular, 4 labels)", |b| {
        b.iter(|| {
            intel::name_hits(black_box(Role::PopularDomains), black_box("a.b.docs.google.com"))
        });
    });
    let values: Vec<_> = [
        "77.90.185.20",
        "8.8.8.8",
        "cdn.booklng.biz",
        "44d88612fea8a8f36de82e1278abb02f",
        "http://147.78.103.91/x/y.php",
    ]
    .iter()
    .map(|v| ioclens_core::classify(v))
    .collect();
    for v in &values {
        c.bench_function(&format!("intel/evidence_all_roles/{}", v.kind), |b| {
            b.iter(|| intel::evidence(black_box(v)));
        });
    }
}

criterion_group!(intel_benches, benches);
criterion_main!(intel_benches);
