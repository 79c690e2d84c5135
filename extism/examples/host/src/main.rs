//! Runs the ioclens Extism plugin from Rust: `ioclens-extism-host <plugin.wasm> <op> <json>` prints the answer.
//!
//! ```sh
//! cargo xtask wasm                                   # builds dist/extism/ioclens.wasm
//! cargo run --manifest-path extism/examples/host/Cargo.toml -- \
//!     dist/extism/ioclens.wasm classify '{"value":"8.8.8[.]8"}'
//! ```
//!
//! Remote scoring: set `IOCLENS_API_URL` (and `IOCLENS_API_KEY`); its host is added to `allowed_hosts`. When the
//! remote call fails inside the host (refused, timed out, host not allowed), the host calls `lookup_fallback`
//! with the request and the error text, as `extism/README.md` describes.
use extism::{Manifest, Plugin, Wasm};

fn main() -> Result<(), extism::Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [path, op, input] = args.as_slice() else {
        eprintln!("usage: ioclens-extism-host <plugin.wasm> <op> <json>");
        std::process::exit(2);
    };
    let mut manifest = Manifest::new([Wasm::file(path)]);
    if let Ok(url) = std::env::var("IOCLENS_API_URL") {
        let host =
            url.split("://").nth(1).unwrap_or("").split(['/', ':']).next().unwrap_or("").to_owned();
        manifest = manifest.with_allowed_host(host).with_config_key("api_url", &url);
        if let Ok(key) = std::env::var("IOCLENS_API_KEY") {
            manifest = manifest.with_config_key("api_key", key);
        }
    }
    let mut plugin = Plugin::new(&manifest, [], false)?;
    let answer = match plugin.call::<&str, String>(op, input) {
        Ok(answer) => answer,
        Err(e) if op == "lookup" => {
            eprintln!("remote scoring failed, answering locally: {e:#}");
            let fallback = serde_json::json!({ "request": serde_json::from_str::<serde_json::Value>(input)?, "error": e.to_string() });
            plugin.call::<&str, String>("lookup_fallback", &fallback.to_string())?
        }
        Err(e) => return Err(e),
    };
    println!("{answer}");
    Ok(())
}
