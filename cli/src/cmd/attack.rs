//! `ioclens attack ID…`: ATT&CK cards from the embedded catalogue; `--coverage` prints CTID/KEV coverage.
use crate::output::{self, Format};
use anyhow::Result;
use ioclens_core::attack::{self, AttackObject, IdName};
use std::io::{self, Write};
use std::process::ExitCode;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// ATT&CK ids (T1059.001, TA0001, G0007, S0154, M1038, C0011, T0800) or data-component names.
    ids: Vec<String>,
    /// Output format (default: table on a terminal, jsonl otherwise).
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Print how many KEV CVEs get a CTID mapping and how many a fallback.
    #[arg(long)]
    coverage: bool,
    /// Print the ATT&CK licence notice and the data versions.
    #[arg(long)]
    license: bool,
}

/// `--format csv|tsv` columns: the id as asked and as answered (a revoked id resolves to its replacement, and
/// `note` says so), then the card's main fields.
const COLUMNS: &[&str] = &["requested", "id", "kind", "domain", "name", "tactics", "url", "note"];

pub(crate) fn run(args: &Args) -> Result<ExitCode> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let format = Format::resolve(args.format);
    if args.license {
        let v = attack::data_versions();
        writeln!(out, "{}", attack::ATTACK_LICENSE.trim_end())?;
        writeln!(out)?;
        writeln!(
            out,
            "ATT&CK v{} (modified {}), CTID {}, CISA KEV {}, {}, {}",
            v.attack, v.attack_modified, v.ctid, v.kev, v.maltrail, v.warninglists
        )?;
    }
    if args.coverage {
        let c = attack::coverage();
        if matches!(format, Format::Table) {
            writeln!(out, "KEV catalog {}: {} CVEs", c.kev_version, c.kev_total)?;
            writeln!(
                out,
                "  with a CTID mapping:        {:>5} ({:.1}%)",
                c.kev_with_ctid,
                pct(c.kev_with_ctid, c.kev_total)
            )?;
            writeln!(
                out,
                "  fallback (CWE/product):     {:>5} ({:.1}%)",
                c.kev_fallback,
                pct(c.kev_fallback, c.kev_total)
            )?;
            writeln!(
                out,
                "  no technique:               {:>5} ({:.1}%)",
                c.kev_unmapped,
                pct(c.kev_unmapped, c.kev_total)
            )?;
            writeln!(out, "CTID mappings: {} CVEs ({})", c.ctid_total, c.ctid_version)?;
        } else if matches!(format, Format::Csv | Format::Tsv) {
            // One row, the coverage document's fields as columns.
            let doc = serde_json::to_value(&c)?;
            let fields: Vec<(String, String)> = doc
                .as_object()
                .map(|o| {
                    o.iter()
                        .map(|(k, v)| {
                            (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                        })
                        .collect()
                })
                .unwrap_or_default();
            writeln!(out, "{}", output::record(format, fields.iter().map(|(k, _)| k.as_str())))?;
            writeln!(out, "{}", output::record(format, fields.iter().map(|(_, v)| v.as_str())))?;
        } else {
            serde_json::to_writer(&mut out, &c)?;
            writeln!(out)?;
        }
    }
    if args.ids.is_empty() && !args.coverage && !args.license {
        return Err(output::usage("give one or more ATT&CK ids, --coverage or --license"));
    }
    let mut failed = false;
    let mut objects = Vec::new();
    for id in &args.ids {
        match attack::lookup(id) {
            Ok(o) => objects.push(o),
            Err(e) => {
                failed = true;
                output::error_line(&anyhow::anyhow!(e));
            }
        }
    }
    if objects.is_empty() {
        out.flush()?;
        return Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS });
    }
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &objects)?;
            writeln!(out)?;
        }
        Format::Jsonl => {
            for o in &objects {
                serde_json::to_writer(&mut out, o)?;
                writeln!(out)?;
            }
        }
        Format::Csv | Format::Tsv => {
            let mut rows = output::Rows::new(format, COLUMNS);
            for o in &objects {
                let tactics: Vec<&str> = o.tactics.iter().map(|t| t.id.as_str()).collect();
                let kind = kind(o);
                rows.write(
                    &mut out,
                    &[
                        o.requested.as_deref().unwrap_or(&o.id),
                        &o.id,
                        &kind,
                        &o.domain,
                        &o.name,
                        &tactics.join(";"),
                        o.url.as_deref().unwrap_or(""),
                        o.note.as_deref().unwrap_or(""),
                    ],
                )?;
            }
        }
        Format::Table => {
            for (i, o) in objects.iter().enumerate() {
                if i > 0 {
                    writeln!(out)?;
                }
                card(&mut out, o)?;
            }
        }
    }
    out.flush()?;
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

#[expect(clippy::cast_precision_loss, reason = "counts are a few thousand")]
fn pct(n: usize, total: usize) -> f64 {
    if total == 0 { 0.0 } else { n as f64 * 100.0 / total as f64 }
}

fn kind(o: &AttackObject) -> String {
    serde_json::to_value(o.kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn id_names(v: &[IdName]) -> String {
    v.iter().map(|x| format!("{} {}", x.id, x.name)).collect::<Vec<_>>().join(", ")
}

/// A readable card: one `label: value` line per non-empty field.
fn card(out: &mut impl Write, o: &AttackObject) -> io::Result<()> {
    let kind = kind(o).replace('_', "-");
    writeln!(out, "{}  {}  ({kind}, {}, ATT&CK v{})", o.id, o.name, o.domain, o.attack_version)?;
    let mut line = |label: &str, value: String| -> io::Result<()> {
        if value.is_empty() { Ok(()) } else { writeln!(out, "  {label:<16} {value}") }
    };
    line("note:", o.note.clone().unwrap_or_default())?;
    line("type:", o.software_type.clone().unwrap_or_default())?;
    line("aliases:", o.aliases.join(", "))?;
    let tactics: Vec<String> =
        o.tactics.iter().map(|t| format!("{} ({}, {})", t.name, t.id, t.sentinel_name)).collect();
    line("tactics:", tactics.join(", "))?;
    line("platforms:", o.platforms.join(", "))?;
    line("parent:", o.parent.as_ref().map(|p| format!("{} {}", p.id, p.name)).unwrap_or_default())?;
    line("sub-techniques:", id_names(&o.children))?;
    line("summary:", o.summary.clone())?;
    line(
        "first/last seen:",
        match (&o.first_seen, &o.last_seen) {
            (Some(a), Some(b)) => format!("{a} – {b}"),
            _ => String::new(),
        },
    )?;
    line("data components:", o.data_components.join(", "))?;
    line("log sources:", o.log_sources.join("; "))?;
    line("detection:", id_names(&o.detection_strategies))?;
    line("mitigations:", id_names(&o.mitigations))?;
    line("groups:", id_names(&o.groups))?;
    line("software:", id_names(&o.software))?;
    if !o.techniques.is_empty() {
        line(&format!("techniques ({}):", o.techniques.len()), id_names(&o.techniques))?;
    }
    line("url:", o.url.clone().unwrap_or_default())
}
