//! `ioclens classify VALUE… [--type T] [--format F]`: one result per value, in input order.
//!
//! Stdin is read one line at a time and `json`, `jsonl`, `csv` and `tsv` write each result as it is ready
//! (`table` aligns its columns, so it prints at the end). Every value gets a result (`unknown` with a reason when
//! it is no indicator, exit 1). A line that is no value (invalid UTF-8, a NUL byte) is an error record and a line
//! on stderr (exit 1), never the end of the batch. With `--type`, a value that is not of that type prints one
//! error line on stderr (why, e.g. "TLD `foo` does not exist"), is left out of the output, and the exit code is
//! 1. An unknown type name is a usage error (2).
use crate::output::{self, Format, Rows};
use anyhow::{Context, Result};
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

/// `--format csv` columns (`tsv` is `type<TAB>canonical`, no header).
const COLUMNS: &[&str] = &["input", "type", "canonical", "defanged", "reason"];

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
                return Err(output::usage(format!(
                    "unknown type `{k}` (types: {})",
                    names.join(", ")
                )));
            };
            Some(kind)
        }
    };
    let format = Format::resolve(args.format);
    let mut input = output::values(&args.values)?;
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut rows = Rows::new(format, COLUMNS).tsv_without_header();
    let mut table: Vec<Vec<String>> = Vec::new();
    let mut skipped = false;
    let mut count = 0u64;
    let mut progress = output::Progress::new(input.reads_stdin(), "values");
    while let Some(line) = input.next() {
        let line = line.context("cannot read stdin")?;
        let r = match line.value {
            Err(bad) => {
                skipped = true;
                let record = bad.record(line.n);
                match format {
                    Format::Json | Format::Jsonl => {
                        output::json_item(&mut out, format, count == 0, &record)?;
                        count += 1;
                    }
                    Format::Tsv => rows.write(&mut out, &["unknown", ""])?,
                    Format::Csv => rows.write(
                        &mut out,
                        &[
                            &bad.text,
                            "unknown",
                            "",
                            "false",
                            &format!("line {}: {}", line.n, bad.why),
                        ],
                    )?,
                    Format::Table => table.push(vec![
                        bad.text,
                        "unknown".into(),
                        String::new(),
                        String::new(),
                        format!("line {}: {}", line.n, bad.why),
                    ]),
                }
                continue;
            }
            Ok(v) => match forced {
                None => ioclens_core::classify(&v),
                Some(kind) => match ioclens_core::classify_as(&v, kind) {
                    Ok(c) => c,
                    Err(e) => {
                        skipped = true;
                        output::error_line(&anyhow::anyhow!(e));
                        continue;
                    }
                },
            },
        };
        skipped |= r.kind == IocKind::Unknown;
        write(&mut out, format, &mut rows, &mut table, count == 0, &r)?;
        count += 1;
        if input.would_wait() {
            out.flush()?;
        }
        progress.tick(count, input.bytes, input.total);
    }
    progress.finish();
    match format {
        Format::Json => output::json_end(&mut out, count)?,
        Format::Csv | Format::Tsv => rows.start(&mut out)?,
        Format::Table => {
            output::table(&mut out, &["INPUT", "TYPE", "CANONICAL", "DEFANGED", "NOTE"], &table)?;
        }
        Format::Jsonl => {}
    }
    out.flush()?;
    Ok(ExitCode::from(if skipped { output::exit::SKIPPED } else { output::exit::OK }))
}

fn write(
    out: &mut impl Write,
    format: Format,
    rows: &mut Rows,
    table: &mut Vec<Vec<String>>,
    first: bool,
    r: &Classified,
) -> io::Result<()> {
    match format {
        Format::Json | Format::Jsonl => output::json_item(out, format, first, r),
        Format::Csv => rows.write(
            out,
            &[
                &r.input,
                r.kind.as_str(),
                &r.canonical,
                if r.defanged { "true" } else { "false" },
                r.reason.as_deref().unwrap_or(""),
            ],
        ),
        Format::Tsv => rows.write(out, &[r.kind.as_str(), &r.canonical]),
        Format::Table => {
            table.push(vec![
                r.input.clone(),
                r.kind.to_string(),
                r.canonical.clone(),
                if r.defanged { "yes".into() } else { String::new() },
                r.reason.clone().unwrap_or_default(),
            ]);
            Ok(())
        }
    }
}
