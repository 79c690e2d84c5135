//! Prints classification throughput in values per **CPU** second (on-CPU time of this thread from
//! `/proc/thread-self/schedstat`, so a loaded machine does not distort it) and per wall second.
//!
//! `cargo run --release -p ioclens-core --example classify_speed [SECONDS]` (default 3 CPU-seconds per round,
//! 5 rounds; prints each round and the median).
#![expect(
    clippy::disallowed_methods,
    clippy::cast_precision_loss,
    clippy::cast_sign_loss,
    reason = "a measuring tool outside the pure core: it reads the clock and /proc; counts fit f64 exactly"
)]
use std::time::Instant;

fn cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}

fn main() {
    let seconds: f64 = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(3.0);
    let inputs: Vec<String> =
        ioclens_tests::corpus().into_iter().filter(|c| c.kind.is_some()).map(|c| c.input).collect();
    let mut rates = Vec::new();
    for round in 1..=5 {
        let (cpu0, wall0) = (cpu_ns(), Instant::now());
        let mut n: u64 = 0;
        let mut sink = 0usize;
        while cpu_ns() - cpu0 < (seconds * 1e9) as u64 {
            for v in &inputs {
                sink = sink
                    .wrapping_add(ioclens_core::classify(std::hint::black_box(v)).canonical.len());
            }
            n += inputs.len() as u64;
        }
        let cpu = (cpu_ns() - cpu0) as f64 / 1e9;
        let wall = wall0.elapsed().as_secs_f64();
        let rate = n as f64 / cpu;
        rates.push(rate);
        println!(
            "round {round}: {n} values, {:.3} M values/CPU-s ({:.3} M/wall-s), {:.0} ns each [sink {sink}]",
            rate / 1e6,
            n as f64 / wall / 1e6,
            1e9 / rate
        );
    }
    // Per corpus file (one CPU-second slice each), to see which types cost what.
    let cases = ioclens_tests::corpus();
    let mut files: Vec<&str> =
        cases.iter().filter(|c| c.kind.is_some()).map(|c| c.file.as_str()).collect();
    files.dedup();
    for file in files {
        let subset: Vec<&str> = cases
            .iter()
            .filter(|c| c.kind.is_some() && c.file == file)
            .map(|c| c.input.as_str())
            .collect();
        let cpu0 = cpu_ns();
        let mut n: u64 = 0;
        while cpu_ns() - cpu0 < (seconds * 2e8) as u64 {
            for _ in 0..50 {
                for v in &subset {
                    std::hint::black_box(ioclens_core::classify(std::hint::black_box(v)));
                }
            }
            n += 50 * subset.len() as u64;
        }
        let cpu = (cpu_ns() - cpu0) as f64 / 1e9;
        println!(
            "  {file:<26} {:>4} inputs  {:.3} M values/CPU-s",
            subset.len(),
            n as f64 / cpu / 1e6
        );
    }
    rates.sort_by(f64::total_cmp);
    println!(
        "median: {:.3} M values per CPU-second over {} corpus inputs",
        rates[2] / 1e6,
        inputs.len()
    );
}
