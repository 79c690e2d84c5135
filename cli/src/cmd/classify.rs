//! `ioclens classify VALUE… [--type T] [--format F]`: one result per value, in input order.
//!
//! Without `--type` every value gets a result (`unknown` with a reason when it is no indicator) and the exit code
//! is 0. With `--type`, a value that is not of that type prints one error line on stderr (why, e.g. "TLD `foo`
//! does not exist"), is left out of the output, and the exit code is 1. An unknown type name is a usage error (2).
use crate::output::{self, Format};
use anyhow::Result;
use ioclens_core::{Classified, IocKind};
use std::io::{self, Write};
use std::process::ExitCode;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Values to classify; reads one per line from stdin when none are given.
    values: Vec<String>,
    /// Force a type; a value that is not of that type is an error (exit 1).
    #[arg(long = "type", value_name = "TYPE")]
    kind: Option<String>,
    /// Output format (default: table on a terminal, jsonl otherwise).
    #[arg(long, value_enum)]
    format: Option<Format>,
}

pub(crate) fn run(args: &Args) -> Result<ExitCode> {
    let forced = match &args.kind {
        None => None,
        Some(k) => {
            let Some(kind) = IocKind::parse(k) else {
                let names: Vec<&str> = IocKind::ALL
                    .iter()
                    .filter(|k| **k != IocKind::Unknown)
                    .map(|k| k.as_str())
                    .collect();
                output::error_line(&anyhow::anyhow!(
                    "unknown type `{k}` (types: {})",
                    names.join(", ")
                ));
                return Ok(ExitCode::from(2));
            };
            Some(kind)
        }
    };
    let values = output::values_or_stdin(&args.values)?;
    let mut failed = false;
    let mut results: Vec<Classified> = Vec::with_capacity(values.len());
    for v in &values {
        match forced {
            None => results.push(ioclens_core::classify(v)),
            Some(kind) => match ioclens_core::classify_as(v, kind) {
                Ok(c) => results.push(c),
                Err(e) => {
                    failed = true;
                    output::error_line(&anyhow::anyhow!(e));
                }
            },
        }
    }
    let format = Format::resolve(args.format);
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &results)?;
            writeln!(out)?;
        }
        Format::Jsonl => {
            for r in &results {
                serde_json::to_writer(&mut out, r)?;
                writeln!(out)?;
            }
        }
        Format::Csv => {
            writeln!(out, "input,type,canonical,defanged,reason")?;
            for r in &results {
                writeln!(
                    out,
                    "{},{},{},{},{}",
                    ioclens_core::csv::cell(&r.input),
                    r.kind,
                    ioclens_core::csv::cell(&r.canonical),
                    r.defanged,
                    ioclens_core::csv::cell(r.reason.as_deref().unwrap_or(""))
                )?;
            }
        }
        Format::Tsv => {
            for r in &results {
                writeln!(out, "{}\t{}", r.kind, output::tsv_field(&r.canonical))?;
            }
        }
        Format::Table => {
            let rows: Vec<Vec<String>> = results
                .iter()
                .map(|r| {
                    vec![
                        r.input.clone(),
                        r.kind.to_string(),
                        r.canonical.clone(),
                        if r.defanged { "yes".into() } else { String::new() },
                        r.reason.clone().unwrap_or_default(),
                    ]
                })
                .collect();
            output::table(&mut out, &["INPUT", "TYPE", "CANONICAL", "DEFANGED", "NOTE"], &rows)?;
        }
    }
    out.flush()?;
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
