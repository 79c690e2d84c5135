//! Native side of the WASM speed comparison (`wasm/bench.sh`): extraction MiB/s and per-call lookup/classify
//! time of the native core on the same inputs the WASM hosts use.
//!
//! ```sh
//! cargo run --release -p ioclens-wasm-abi --example bench -- dist/bench-report.txt
//! ```
#![expect(
    clippy::disallowed_methods,
    reason = "a host-side benchmark: reading the input file and the clock is its job"
)]
#![expect(clippy::print_stdout, reason = "prints the figures")]
use ioclens_core::api;
use std::time::Instant;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() -> std::io::Result<()> {
    let path = std::env::args().nth(1).unwrap_or_else(|| "dist/bench-report.txt".to_owned());
    let text = std::fs::read_to_string(&path)?;
    let req = serde_json::json!({ "text": text }).to_string();
    #[expect(clippy::cast_precision_loss, reason = "a report is far below 2^52 bytes")]
    let mib = text.len() as f64 / (1024.0 * 1024.0);
    let runs: Vec<f64> = (0..7)
        .map(|_| {
            let t = Instant::now();
            let out = api::call("extract", &req);
            std::hint::black_box(out);
            mib / t.elapsed().as_secs_f64()
        })
        .collect();
    println!("native extract: {:.1} MiB/s (median of 7, {} bytes)", median(runs), text.len());
    for (op, input) in [
        ("classify", r#"{"value":"hxxps://evil[.]com/gate.php"}"#),
        ("lookup", r#"{"value":"185.220.101.1","now":1767225600}"#),
    ] {
        if !api::available(op) {
            continue;
        }
        let per_call: Vec<f64> = (0..7)
            .map(|_| {
                let t = Instant::now();
                for _ in 0..1000 {
                    std::hint::black_box(api::call(op, input));
                }
                t.elapsed().as_secs_f64() * 1e6 / 1000.0
            })
            .collect();
        println!("native {op}: {:.2} µs/call (median of 7×1000)", median(per_call));
    }
    Ok(())
}
