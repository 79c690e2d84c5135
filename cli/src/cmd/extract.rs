//! `ioclens extract [FILE|-]`
use crate::output::{self, Format};
use anyhow::{Context, Result};
use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// File to read; `-` or nothing reads stdin.
    file: Option<PathBuf>,
    /// Output format (default: table on a terminal, jsonl otherwise).
    #[arg(long, value_enum)]
    format: Option<Format>,
}

pub(crate) fn run(args: &Args) -> Result<ExitCode> {
    let mut text = String::new();
    match &args.file {
        Some(p) if p.as_os_str() != "-" => {
            let bytes = std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))?;
            text = String::from_utf8_lossy(&bytes).into_owned();
        }
        _ => {
            let mut bytes = Vec::new();
            io::stdin().lock().read_to_end(&mut bytes).context("cannot read stdin")?;
            text.push_str(&String::from_utf8_lossy(&bytes));
        }
    }
    let ex = ioclens_core::extract(&text);
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    match Format::resolve(args.format) {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &ex)?;
            writeln!(out)?;
        }
        Format::Jsonl => {
            for i in &ex.iocs {
                serde_json::to_writer(&mut out, i)?;
                writeln!(out)?;
            }
        }
        Format::Csv => {
            writeln!(out, "type,canonical,start,end,defanged,implied")?;
            for i in &ex.iocs {
                writeln!(
                    out,
                    "{},{},{},{},{},{}",
                    i.kind,
                    output::csv_field(&i.canonical),
                    i.span.start,
                    i.span.end,
                    i.defanged,
                    i.implied
                )?;
            }
        }
        Format::Tsv => {
            for u in &ex.unique {
                writeln!(out, "{}\t{}", u.kind, output::tsv_field(&u.canonical))?;
            }
        }
        Format::Table => {
            let rows: Vec<Vec<String>> = ex
                .unique
                .iter()
                .map(|u| vec![u.kind.to_string(), u.canonical.clone(), u.count.to_string()])
                .collect();
            output::table(&mut out, &["TYPE", "CANONICAL", "COUNT"], &rows)?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
