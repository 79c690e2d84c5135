//! ATT&CK lookups, mapping and context-name search.
//!
//! `cargo bench -p ioclens-core --bench attack` (medians are reported in docs/attack.md).
use criterion::{Criterion, criterion_group, criterion_main};
use ioclens_core::attack::{self, MapContext};
use ioclens_core::{Classified, IocKind};
use std::hint::black_box;

/// A synthetic threat report of about 64 KiB: prose, names, indicators.
fn report() -> String {
    let para = "In March the actor tracked as APT29 (Cozy Bear) sent spearphishing mail with links to \
                hxxps://cdn-update[.]example-cloud[.]net/invoice.zip. The archive dropped a QakBot loader that \
                fetched Cobalt Strike beacons and ran Mimikatz; later stages used certutil and PowerShell to \
                download tools from 203.0.113.7:8443. The page title said 'Empire of Dreams' and nothing else. ";
    para.repeat(64 * 1024 / para.len() + 1)
}

fn bench(c: &mut Criterion) {
    c.bench_function("exists T1059.001", |b| b.iter(|| attack::exists(black_box("T1059.001"))));
    c.bench_function("lookup T1059.001", |b| b.iter(|| attack::lookup(black_box("T1059.001"))));
    c.bench_function("lookup G0007", |b| b.iter(|| attack::lookup(black_box("G0007"))));
    let ctx = MapContext::default();
    let url = Classified::known(IocKind::Url, "https://update-check.duckdns.org/dl/payload.exe");
    c.bench_function("map url", |b| b.iter(|| attack::map(black_box(&url), &ctx)));
    let cve = Classified::known(IocKind::Cve, "CVE-2024-8068");
    c.bench_function("map cve (kev fallback)", |b| b.iter(|| attack::map(black_box(&cve), &ctx)));
    let text = report();
    let _ = attack::context::find("warm up the automaton");
    c.bench_function("context::find 64 KiB report", |b| {
        b.iter(|| attack::context::find(black_box(&text)));
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
