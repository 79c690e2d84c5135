//! Native side of the WASM speed comparison (`wasm/bench.sh`): extraction MiB/s and per-call lookup/classify
//! time of the native core on the same inputs, through the same entry point (`api::call`, JSON text in and out)
//! the WASM hosts use. Figures are **CPU time** of this thread (`/proc/thread-self/stat`, 10 ms ticks, so each
//! sample repeats the work for ≥ 0.3 s of CPU), which a loaded shared machine inflates far less than wall time.
//! Linux only.
//!
//! ```sh
//! cargo run --release -p ioclens-wasm-abi --example bench -- dist/bench-report.txt
//! ```
#![expect(
    clippy::disallowed_methods,
    reason = "a host-side benchmark: reading the input file and /proc is its job"
)]
#![expect(clippy::print_stdout, reason = "prints the figures")]
#![expect(clippy::cast_precision_loss, reason = "tick and byte counts are far below 2^52")]
use ioclens_core::api;
use std::hint::black_box;

/// utime + stime of this thread in clock ticks (100 Hz on Linux): fields 14 and 15 of `stat`, counted from the
/// state field that follows the `(command name)`.
fn cpu_ticks() -> u64 {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    after_name.split_whitespace().skip(11).take(2).filter_map(|v| v.parse::<u64>().ok()).sum()
}

/// Median over 7 samples of the CPU seconds one `f()` takes; each sample repeats `f` until ≥ 30 ticks passed,
/// reading the clock once per ≥ 2 ms batch (a `/proc` read costs microseconds).
fn cpu_seconds_per_call(mut f: impl FnMut()) -> f64 {
    let t = std::time::Instant::now();
    f(); // warm-up: lazily built tables are not part of the steady-state figure
    f();
    let per_call_ns = (t.elapsed().as_nanos() / 2).max(1);
    let batch = u32::try_from((2_000_000 / per_call_ns).clamp(1, 1_000_000)).unwrap_or(1);
    let mut samples: Vec<f64> = (0..7)
        .map(|_| {
            let (t0, mut n) = (cpu_ticks(), 0u32);
            while cpu_ticks() - t0 < 30 {
                for _ in 0..batch {
                    f();
                }
                n += batch;
            }
            (cpu_ticks() - t0) as f64 / 100.0 / f64::from(n)
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[3]
}

fn main() -> std::io::Result<()> {
    let path = std::env::args().nth(1).unwrap_or_else(|| "dist/bench-report.txt".to_owned());
    let text = std::fs::read_to_string(&path)?;
    let req = serde_json::json!({ "text": text }).to_string();
    let mib = text.len() as f64 / (1024.0 * 1024.0);
    let s = cpu_seconds_per_call(|| {
        black_box(api::call("extract", black_box(&req)));
    });
    println!("native extract: {:.1} MiB/s CPU (median of 7, {} bytes)", mib / s, text.len());
    for (op, input) in [
        ("classify", r#"{"value":"hxxps://evil[.]com/gate.php"}"#),
        ("lookup", r#"{"value":"185.220.101.1","now":1767225600}"#),
    ] {
        let s = cpu_seconds_per_call(|| {
            black_box(api::call(op, black_box(input)));
        });
        println!("native {op}: {:.2} µs/call CPU (median of 7)", s * 1e6);
    }
    Ok(())
}
