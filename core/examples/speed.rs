//! Extraction throughput on a file: `cargo run --release -p ioclens-core --example speed -- FILE [RUNS]`.
//!
//! Prints the median MiB/s over RUNS passes (default 7) of `extract` on the whole file, on one core, plus the
//! number of mentions and distinct indicators found. The evaluation corpus comes from the repository's generator,
//! `python3 scripts/eval/corpus.py --out DIR --mb 20 --seed 7` (`DIR/speed_corpus.txt`; docs/accuracy.md).
#![expect(clippy::print_stdout, reason = "a measuring tool prints its figures")]
#![expect(clippy::cast_precision_loss, reason = "byte and nanosecond counts far below 2^52")]
// The root clippy.toml forbids file I/O for `core`; this example is a host program that reads its input.
#![expect(clippy::disallowed_methods, reason = "a measuring tool reads its input file")]
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: speed FILE [RUNS]")?;
    let runs: usize = args.next().map(|r| r.parse()).transpose()?.unwrap_or(7).max(1);
    let bytes = std::fs::read(&path)?;
    let text = String::from_utf8_lossy(&bytes);
    let mib = text.len() as f64 / (1024.0 * 1024.0);
    let mut rates = Vec::with_capacity(runs);
    let mut last = None;
    let mut cpu_rates = Vec::with_capacity(runs);
    for _ in 0..runs {
        let c = cpu_ns();
        let t = Instant::now();
        let ex = ioclens_core::extract(&text);
        let secs = t.elapsed().as_secs_f64();
        rates.push(mib / secs);
        if let (Some(a), Some(b)) = (c, cpu_ns()) {
            cpu_rates.push(mib / ((b - a) as f64 / 1e9));
        }
        last = Some((ex.iocs.len(), ex.unique.len()));
    }
    // Calibration on the same (possibly shared) core: one plain SIMD byte search over the text.
    let mut base_rates = Vec::with_capacity(runs);
    let mut hits = 0;
    for _ in 0..runs {
        let c = cpu_ns();
        hits = memchr::memchr3_iter(b'.', b':', b'@', text.as_bytes()).count();
        if let (Some(a), Some(b)) = (c, cpu_ns()) {
            base_rates.push(mib / ((b - a).max(1) as f64 / 1e9));
        }
    }
    base_rates.sort_by(f64::total_cmp);
    rates.sort_by(f64::total_cmp);
    cpu_rates.sort_by(f64::total_cmp);
    let (mentions, unique) = last.unwrap_or_default();
    println!(
        "{path}: {mib:.1} MiB, {mentions} mentions, {unique} distinct; extract median {:.0} MiB/s CPU time, {:.0} MiB/s wall (wall min {:.0}, max {:.0}; {runs} runs)",
        cpu_rates.get(cpu_rates.len() / 2).copied().unwrap_or(f64::NAN),
        rates[runs / 2],
        rates[0],
        rates[runs - 1]
    );
    println!(
        "calibration: memchr3 over the same text ({hits} hits) median {:.0} MiB/s CPU time",
        base_rates.get(base_rates.len() / 2).copied().unwrap_or(f64::NAN)
    );
    Ok(())
}

/// CPU time of this thread in nanoseconds (Linux `schedstat`); the box may be shared, so wall time alone lies.
fn cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}
