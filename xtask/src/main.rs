//! `cargo xtask <task>`: project automation that is code, not shell.
//!
//! * `codegen [--check]` — turn `data/` into the committed tables under `core/src/generated/`; with `--check`,
//!   fail when a committed file differs from what the generators produce (CI runs this).
//! * `wasm [--check]` — build the WebAssembly artifacts into `dist/`, print their sizes; with `--check`, enforce
//!   the size budget and the exact export/import lists.
#![allow(
    clippy::disallowed_methods,
    reason = "xtask reads data/ and writes generated files: the I/O ban in clippy.toml is for core"
)]

use anyhow::{Result, bail};
use std::path::{Path, PathBuf};

mod codegen;
mod wasm;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = project_root();
    match args.first().map(String::as_str) {
        Some("codegen") => codegen::run(&root, args.iter().any(|a| a == "--check")),
        Some("wasm") => wasm::run(&root, args.iter().any(|a| a == "--check")),
        Some(other) => bail!("unknown task `{other}` (tasks: codegen [--check])"),
        None => bail!("usage: cargo xtask <codegen [--check]>"),
    }
}

fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}
