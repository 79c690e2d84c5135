//! Intel pack build, verify (install), load and lookup on 2.1 M synthetic entries (issue #18: load ≤ 50 ms,
//! lookup ≤ 20 µs).
//!
//! `cargo bench -p ioclens-core --features intel-update --bench pack` prints the median of each.
#![expect(clippy::disallowed_methods, reason = "a benchmark reads the clock")]
use ioclens_core::IocKind;
use ioclens_core::intel::pack::{self, Entry, Pack, SourceData, SourceMeta};
use std::hint::black_box;
use std::time::{Duration, Instant};

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort_unstable();
    runs[runs.len() / 2]
}

fn time<T>(reps: usize, mut f: impl FnMut() -> T) -> Duration {
    median(
        (0..reps)
            .map(|_| {
                let t = Instant::now();
                black_box(f());
                t.elapsed()
            })
            .collect(),
    )
}

fn entry(kind: IocKind, value: String, i: u32) -> Entry {
    let mut e = Entry::new(kind, value);
    e.first_seen = Some(1_790_000_000 + i64::from(i % 86_400));
    e.last_seen = Some(1_796_000_000 + i64::from(i % 86_400));
    e.family = Some(format!("family{}", i % 500));
    e.tags = vec![format!("tag{}", i % 40)];
    e
}

fn synthetic() -> Vec<SourceData> {
    let source = |name: &str, entries: Vec<Entry>| SourceData {
        meta: SourceMeta {
            name: name.to_owned(),
            category: "malware".to_owned(),
            format: "plain".to_owned(),
            confidence: 70,
            fetched_at: 1_796_000_000,
            upstream_date: Some(1_796_000_000),
            entries: 0,
        },
        entries,
    };
    let ips = (0..1_200_000u32)
        .map(|i| entry(IocKind::Ipv4, std::net::Ipv4Addr::from(0x2d00_0000 + i * 7).to_string(), i))
        .collect();
    let domains = (0..400_000u32)
        .map(|i| entry(IocKind::Domain, format!("host{i}.bad-{}.example.net", i % 977), i))
        .collect();
    let hashes = (0..300_000u32)
        .map(|i| {
            entry(IocKind::Sha256, format!("{:064x}", u128::from(i) * 0x9e37_79b9_7f4a_7c15), i)
        })
        .collect();
    let urls = (0..200_000u32)
        .map(|i| entry(IocKind::Url, format!("http://dl{}.example.org/p/{i}.bin", i % 313), i))
        .collect();
    let nets = (0..20_000u32)
        .map(|i| {
            let len = 16 + (i % 9);
            let net = (0x5a00_0000u32 + (i << 12)) & (u32::MAX << (32 - len));
            entry(IocKind::Cidr, format!("{}/{len}", std::net::Ipv4Addr::from(net)), i)
        })
        .collect();
    vec![
        source("ips", ips),
        source("domains", domains),
        source("hashes", hashes),
        source("urls", urls),
        source("nets", nets),
    ]
}

fn main() {
    let data = synthetic();
    let n: usize = data.iter().map(|s| s.entries.len()).sum();
    let build = time(3, || pack::write(&data, 1_796_000_000).map(|b| b.len()));
    let bytes = pack::write(&data, 1_796_000_000).unwrap_or_default();
    let verify = time(5, || Pack::from_bytes(&bytes).map(|p| p.len()));
    let load = time(11, || Pack::open(&bytes).map(|p| p.len()));
    let Ok(p) = Pack::open(&bytes) else { panic!("the pack does not load") };
    let per_op = |reps: u32, f: &dyn Fn(u32) -> usize| {
        let runs = (0..9)
            .map(|_| {
                let t = Instant::now();
                for i in 0..reps {
                    black_box(f(i));
                }
                t.elapsed() / reps
            })
            .collect();
        median(runs)
    };
    let ip_values: Vec<String> = (0..1000u32)
        .map(|i| std::net::Ipv4Addr::from(0x2d00_0000 + i * 7 * 997).to_string())
        .collect();
    let hit_ip =
        per_op(100_000, &|i| p.lookup(IocKind::Ipv4, &ip_values[(i % 1000) as usize]).len());
    let miss_ip = per_op(100_000, &|_| p.lookup(IocKind::Ipv4, "9.9.9.9").len());
    let hit_domain = per_op(100_000, &|i| {
        p.lookup(
            IocKind::Domain,
            &format!("host{}.bad-{}.example.net", i % 400_000, (i % 400_000) % 977),
        )
        .len()
    });
    println!("pack: {n} entries, {} MiB", bytes.len() / 1_048_576);
    println!("pack/build (median of 3):   {:>10.1} ms", build.as_secs_f64() * 1e3);
    println!(
        "pack/verify (SHA-256 + records, install time, median of 5): {:>6.1} ms",
        verify.as_secs_f64() * 1e3
    );
    println!(
        "pack/load (Pack::open: header, records, order; median of 11): {:>6.1} ms",
        load.as_secs_f64() * 1e3
    );
    println!(
        "pack/lookup ipv4 hit (+{} CIDR lengths): {:>6.2} µs/op",
        9,
        hit_ip.as_secs_f64() * 1e6
    );
    println!("pack/lookup ipv4 miss:      {:>10.2} µs/op", miss_ip.as_secs_f64() * 1e6);
    println!("pack/lookup domain hit:     {:>10.2} µs/op", hit_domain.as_secs_f64() * 1e6);
}
