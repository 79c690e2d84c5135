//! Output formats shared by the subcommands.
use clap::ValueEnum;
use std::io::{self, BufRead, IsTerminal, Write};

/// `--format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// One JSON document.
    Json,
    /// One JSON object per line.
    Jsonl,
    /// Comma-separated with a header row.
    Csv,
    /// `type<TAB>canonical`, one per line, no header (a stable interface for scripts).
    Tsv,
    /// Aligned columns for a terminal.
    Table,
}

impl Format {
    /// `table` on a terminal, `jsonl` otherwise.
    pub(crate) fn resolve(f: Option<Format>) -> Format {
        f.unwrap_or_else(|| if io::stdout().is_terminal() { Format::Table } else { Format::Jsonl })
    }
}

/// Makes a value safe for one TSV cell: tabs and newlines become spaces.
pub(crate) fn tsv_field(s: &str) -> String {
    s.replace(['\t', '\n', '\r'], " ")
}

/// Prints rows as aligned columns.
pub(crate) fn table(out: &mut impl Write, header: &[&str], rows: &[Vec<String>]) -> io::Result<()> {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |out: &mut dyn Write, cells: &mut dyn Iterator<Item = &str>| -> io::Result<()> {
        let mut first = true;
        for (cell, w) in cells.zip(&widths) {
            if !first {
                out.write_all(b"  ")?;
            }
            first = false;
            write!(out, "{cell:<w$}")?;
        }
        out.write_all(b"\n")
    };
    line(out, &mut header.iter().copied())?;
    for row in rows {
        line(out, &mut row.iter().map(String::as_str))?;
    }
    Ok(())
}

/// True when the error is a closed stdout pipe (`ioclens … | head`), which is not a failure.
pub(crate) fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<io::Error>().is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// Prints an error as one line on stderr.
pub(crate) fn error_line(err: &anyhow::Error) {
    let mut msg = String::from("ioclens: error: ");
    let parts: Vec<String> = err.chain().map(ToString::to_string).collect();
    msg.push_str(&parts.join(": "));
    let _ = writeln!(io::stderr(), "{}", msg.replace('\n', " "));
}

/// The values given as arguments, or else the non-blank lines of stdin (one value per line).
pub(crate) fn values_or_stdin(args: &[String]) -> io::Result<Vec<String>> {
    if !args.is_empty() {
        return Ok(args.to_vec());
    }
    let mut values = Vec::new();
    for line in io::stdin().lock().lines() {
        let line = line?;
        if !line.trim().is_empty() {
            values.push(line);
        }
    }
    Ok(values)
}
