//! Per-lookup cost in *CPU time* of this thread (from `/proc/thread-self/stat`), which a loaded shared machine
//! inflates far less than criterion's wall-clock figures. Linux only.
//!
//! `cargo run --release -p ioclens-core --example lookup_cpu_time`
#![expect(clippy::disallowed_methods, reason = "a measurement tool reads /proc")]
#![expect(clippy::print_stdout, reason = "prints the figures")]
#![expect(clippy::cast_precision_loss, reason = "tick counts are small")]

use ioclens_core::{LookupOptions, lookup};
use std::hint::black_box;

/// utime + stime of this thread, in clock ticks (100 Hz on Linux).
fn cpu_ticks() -> u64 {
    let s = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    let rest = s.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    // After the command name: state is field 3, utime 14, stime 15 → indices 11 and 12 here.
    f.get(11).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0)
        + f.get(12).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0)
}

/// Median of 5 runs of `n` calls, in ns of CPU per call.
fn per_call(n: u32, mut f: impl FnMut()) -> f64 {
    let mut runs = Vec::new();
    for _ in 0..5 {
        let t0 = cpu_ticks();
        for _ in 0..n {
            f();
        }
        runs.push((cpu_ticks() - t0) as f64 * 10_000_000.0 / f64::from(n));
    }
    runs.sort_by(f64::total_cmp);
    runs[2]
}

fn main() {
    use ioclens_core::intel::{self, Role};
    use std::net::Ipv4Addr;
    println!("| membership check | ns CPU per call |");
    println!("| --- | ---: |");
    let n = 2_000_000;
    let ip = Ipv4Addr::new(17, 253, 144, 10);
    let row = |name: &str, ns: f64| println!("| {name} | {ns:.0} |");
    row(
        "ipv4_mask provider ranges",
        per_call(n, || {
            black_box(intel::ipv4_mask(black_box(Role::ProviderIpRanges), black_box(ip)));
        }),
    );
    row(
        "ipv4_mask resolvers (62k)",
        per_call(n, || {
            black_box(intel::ipv4_mask(
                black_box(Role::DnsResolvers),
                black_box(Ipv4Addr::new(8, 8, 8, 8)),
            ));
        }),
    );
    row(
        "ipsum_count",
        per_call(n, || {
            black_box(intel::ipsum_count(black_box(Ipv4Addr::new(77, 90, 185, 20))));
        }),
    );
    row(
        "name_mask popular, google.com (2 names)",
        per_call(n, || {
            black_box(intel::name_mask(black_box(Role::PopularDomains), black_box("google.com")));
        }),
    );
    row(
        "name_mask popular, a.b.docs.google.com (5 names)",
        per_call(n, || {
            black_box(intel::name_mask(
                black_box(Role::PopularDomains),
                black_box("a.b.docs.google.com"),
            ));
        }),
    );
    row(
        "name_mask hashes (25k)",
        per_call(n, || {
            black_box(intel::name_mask(
                black_box(Role::Hashes),
                black_box("44d88612fea8a8f36de82e1278abb02f"),
            ));
        }),
    );
    println!();
    let full = LookupOptions::default();
    let bare = LookupOptions { hunting: false, ..LookupOptions::default() };
    println!("| value | full lookup (µs CPU) | without queries (µs CPU) |");
    println!("| --- | ---: | ---: |");
    for v in [
        "77.90.185.20",
        "evil-login[.]xyz",
        "hxxp://147.78.103[.]91/gate.php",
        "44d88612fea8a8f36de82e1278abb02f",
        "CVE-2025-48384",
    ] {
        let mut cells = Vec::new();
        for opts in [&full, &bare] {
            let mut runs = Vec::new();
            for _ in 0..5 {
                let n = 20_000u32;
                let t0 = cpu_ticks();
                for _ in 0..n {
                    black_box(lookup(black_box(v), opts, 1_790_000_000));
                }
                let ticks = cpu_ticks() - t0;
                runs.push(ticks as f64 * 10_000.0 / f64::from(n)); // 1 tick = 10 ms = 10,000 µs
            }
            runs.sort_by(f64::total_cmp);
            cells.push(format!("{:.1}", runs[2]));
        }
        println!("| `{v}` | {} | {} |", cells[0], cells[1]);
    }
}
