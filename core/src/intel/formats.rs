//! Source formats (feature `intel-update`): one body of bytes, as published upstream, into pack entries.
//!
//! Pure: the host downloads and decompresses, the core decides what a line means. Every value goes through
//! [`crate::classify`], so a pack holds canonical values only; lines that are not indicators become
//! [`LineDiagnostic`]s (the first [`MAX_DIAGNOSTICS`] are kept, all are counted). A body that is an HTML page, or
//! whose data lines are all rejected, is an error, so a host keeps the source's previous data instead.
//!
//! Why one file: one `Parser` with one arm per upstream format; the arms share its line diagnostics, date rules and
//! value classification, and `FORMATS` is checked against the arms in one place.
use super::pack::Entry;
use crate::{IocKind, classify};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;

/// Diagnostics kept per source (the rest are counted).
pub const MAX_DIAGNOSTICS: usize = 50;

/// Source formats, by catalogue name.
pub const FORMATS: &[&str] = &[
    "plain",
    "csv",
    "urlhaus-csv",
    "threatfox-csv",
    "malwarebazaar-csv",
    "feodo-csv",
    "sslbl-csv",
    "c2intel-csv",
    "kev-json",
    "epss-csv",
    "spamhaus-drop",
    "netset",
    "ipsum",
    "misp-feed",
    "misp-warninglist",
    "stix-bundle",
    "taxii2",
];

/// What a source's hits mean, by catalogue name.
pub const CATEGORIES: &[&str] =
    &["malware", "c2", "phishing", "blocklist", "anonymizer", "exploited", "epss", "benign"];

/// The value column of a `csv` source: a header name or a 1-based number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Column {
    /// 1-based column number.
    Number(usize),
    /// Header name (the first non-comment row is the header).
    Name(String),
}

/// One `[[source]]` table of the catalogue (`data/intel/catalogue.toml`, `docs/intel.md`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceSpec {
    /// Unique name.
    pub name: String,
    /// Where it is published.
    pub url: String,
    /// One of [`FORMATS`].
    pub format: String,
    /// One of [`CATEGORIES`].
    pub category: String,
    /// Default confidence, 0–100.
    pub confidence: u8,
    /// Refresh interval (`1h`, `1d`); the host interprets it.
    pub every: String,
    /// Fetched by default.
    pub enabled: bool,
    /// `csv`: the value column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<Column>,
    /// A family for every entry (`plain` lists of one family, e.g. a Maltrail trail).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
    /// Licence or terms, in a few words.
    #[serde(default)]
    pub licence: String,
    /// The page stating the terms.
    #[serde(default)]
    pub terms: String,
    /// Size cap of the decompressed body, bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_bytes: Option<u64>,
    /// HTTP Basic user name (its password in the environment variable `secret_env`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// The environment variable holding the Basic password (with `user`) or else a Bearer token; the secret
    /// itself never goes in the catalogue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_env: Option<String>,
}

impl SourceSpec {
    /// Checks name, format, category, confidence and the `csv` column.
    pub fn validate(&self) -> Result<(), String> {
        let name_ok = !self.name.is_empty()
            && self.name.len() <= 64
            && self.name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !name_ok {
            return Err(format!(
                "source name {:?}: use 1-64 letters, digits, '-' or '_'",
                self.name
            ));
        }
        if !FORMATS.contains(&self.format.as_str()) {
            return Err(format!(
                "source {}: unknown format {:?} (one of {})",
                self.name,
                self.format,
                FORMATS.join(", ")
            ));
        }
        if !CATEGORIES.contains(&self.category.as_str()) {
            return Err(format!(
                "source {}: unknown category {:?} (one of {})",
                self.name,
                self.category,
                CATEGORIES.join(", ")
            ));
        }
        if self.confidence > 100 {
            return Err(format!(
                "source {}: confidence {} is over 100",
                self.name, self.confidence
            ));
        }
        if self.user.is_some() && self.secret_env.is_none() {
            return Err(format!(
                "source {}: `user` needs `secret_env`, the environment variable holding the password",
                self.name
            ));
        }
        if self.format == "csv" && self.column.is_none() {
            return Err(format!(
                "source {}: format csv needs `column` (a header name or 1-based number)",
                self.name
            ));
        }
        Ok(())
    }
}

/// A line the parser could not use. (Not [`crate::Diagnostic`], the note lookups and extraction return: the
/// generated TypeScript declarations need one name per wire type.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineDiagnostic {
    /// 1-based line (or record) number.
    pub line: usize,
    /// What was wrong.
    pub message: String,
}

/// What one body parsed into.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parsed {
    /// The entries, canonical.
    pub entries: Vec<Entry>,
    /// The publication date the body states (comment header, metadata record), Unix seconds.
    pub upstream_date: Option<i64>,
    /// The first rejected lines.
    pub diagnostics: Vec<LineDiagnostic>,
    /// How many lines were rejected in all.
    pub rejected: usize,
}

/// Why a body was refused as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormatError {
    /// The format name is not one of [`FORMATS`].
    UnknownFormat(String),
    /// The body is an HTML page (an error or login page served instead of the data).
    Html,
    /// The body is not UTF-8 text.
    NotText,
    /// The body is not the structure the format promises (JSON that does not parse …).
    Malformed(String),
    /// Every data line was rejected.
    NoValidEntries {
        /// Rejected lines.
        rejected: usize,
        /// The first reason.
        first: String,
    },
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FormatError::UnknownFormat(n) => write!(f, "unknown format {n:?}"),
            FormatError::Html => f.write_str("the body is an HTML page, not the feed"),
            FormatError::NotText => f.write_str("the body is not UTF-8 text"),
            FormatError::Malformed(why) => write!(f, "malformed body: {why}"),
            FormatError::NoValidEntries { rejected, first } => {
                write!(f, "no valid entries ({rejected} lines rejected; first: {first})")
            }
        }
    }
}

impl std::error::Error for FormatError {}

/// The body starts like an HTML document (after whitespace and a BOM).
pub fn looks_like_html(body: &[u8]) -> bool {
    let start = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let start =
        &start[start.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(start.len())..];
    let head: Vec<u8> = start.iter().take(15).map(u8::to_ascii_lowercase).collect();
    head.starts_with(b"<!doctype html")
        || head.starts_with(b"<html")
        || head.starts_with(b"<head")
        || head.starts_with(b"<body")
}

/// Parses one body of `spec.format`.
pub fn parse(body: &[u8], spec: &SourceSpec) -> Result<Parsed, FormatError> {
    if looks_like_html(body) {
        return Err(FormatError::Html);
    }
    let text = std::str::from_utf8(body).map_err(|_| FormatError::NotText)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut p = Parser { spec, out: Parsed::default(), data_lines: 0 };
    match spec.format.as_str() {
        "plain" | "netset" => p.plain(text, false),
        "ipsum" => p.plain(text, true),
        "csv" => p.csv_generic(text),
        "urlhaus-csv" => p.urlhaus(text),
        "threatfox-csv" => p.threatfox(text),
        "malwarebazaar-csv" => p.malwarebazaar(text),
        "feodo-csv" => p.feodo(text),
        "sslbl-csv" => p.sslbl(text),
        "c2intel-csv" => p.c2intel(text),
        "kev-json" => p.kev(text)?,
        "epss-csv" => p.epss(text),
        "spamhaus-drop" => p.spamhaus(text),
        "misp-feed" => p.misp(text)?,
        "misp-warninglist" => p.warninglist(text)?,
        "stix-bundle" | "taxii2" => p.stix(text)?,
        other => return Err(FormatError::UnknownFormat(other.to_owned())),
    }
    if p.out.entries.is_empty() && p.out.rejected > 0 && p.out.rejected == p.data_lines {
        let first = p
            .out
            .diagnostics
            .first()
            .map(|d| format!("line {}: {}", d.line, d.message))
            .unwrap_or_default();
        return Err(FormatError::NoValidEntries { rejected: p.out.rejected, first });
    }
    Ok(p.out)
}

/// `YYYY-MM-DD`, optionally followed by `[ T]HH:MM[:SS]` and a zone we ignore (`Z`, `+00:00`, ` UTC`): every
/// upstream here publishes UTC. Unix seconds.
#[allow(clippy::many_single_char_names)] // y, m, d, h: the date's own fields
pub fn parse_utc(s: &str) -> Option<i64> {
    let s = s.trim().trim_matches('"');
    let b = s.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = s.get(r)?;
        part.bytes().all(|c| c.is_ascii_digit()).then(|| part.parse().ok())?
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let month = time::Month::try_from(u8::try_from(m).ok()?).ok()?;
    let date = time::Date::from_calendar_date(i32::try_from(y).ok()?, month, u8::try_from(d).ok()?)
        .ok()?;
    let days = i64::from(date.to_julian_day()) - 2_440_588;
    let mut secs = 0;
    if b.len() >= 16 && (b[10] == b' ' || b[10] == b'T') && b[13] == b':' {
        let (h, mi) = (num(11..13)?, num(14..16)?);
        let sec = if b.len() >= 19 && b[16] == b':' { num(17..19)? } else { 0 };
        if h > 23 || mi > 59 || sec > 60 {
            return None;
        }
        secs = h * 3600 + mi * 60 + sec;
    }
    Some(days * 86_400 + secs)
}

/// The first `YYYY-MM-DD[ HH:MM:SS]` date in a comment line (`# Last updated: 2026-08-01 12:00:00 UTC`).
fn date_in(line: &str) -> Option<i64> {
    let b = line.as_bytes();
    (0..b.len().saturating_sub(9)).find_map(|i| {
        let digit = |j: usize| b.get(i + j).is_some_and(u8::is_ascii_digit);
        let shape = (0..4).all(digit)
            && b[i + 4] == b'-'
            && digit(5)
            && digit(6)
            && b[i + 7] == b'-'
            && digit(8)
            && digit(9);
        if !shape || (i > 0 && b[i - 1].is_ascii_digit()) {
            return None;
        }
        let end = (i + 19).min(line.len());
        line.get(i..end).and_then(parse_utc).or_else(|| line.get(i..i + 10).and_then(parse_utc))
    })
}

fn classify_value(raw: &str) -> Result<(IocKind, String), String> {
    let c = classify(raw);
    if c.kind == IocKind::Unknown {
        let why = c.reason.unwrap_or_else(|| "not an indicator".to_owned());
        let shown: String = raw.chars().take(80).collect();
        return Err(format!("{shown:?}: {why}"));
    }
    Ok((c.kind, c.canonical))
}

fn non_empty(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty() && s != "n/a" && s != "None" && s != "null").then(|| s.to_owned())
}

fn split_tags(s: &str) -> Vec<String> {
    s.split(',').filter_map(non_empty).collect()
}

struct Parser<'s> {
    spec: &'s SourceSpec,
    out: Parsed,
    data_lines: usize,
}

/// One CSV record with the line it started on.
struct Row {
    line: usize,
    fields: Vec<String>,
}

impl Parser<'_> {
    fn reject(&mut self, line: usize, message: String) {
        self.out.rejected += 1;
        if self.out.diagnostics.len() < MAX_DIAGNOSTICS {
            self.out.diagnostics.push(LineDiagnostic { line, message });
        }
    }

    fn header_date(&mut self, comment: &str) {
        if self.out.upstream_date.is_none() {
            let lower = comment.to_ascii_lowercase();
            if lower.contains("updat")
                || lower.contains("generat")
                || lower.contains("date")
                || lower.contains("last")
            {
                self.out.upstream_date = date_in(comment);
            }
        }
    }

    /// Classifies `raw` into an entry, or records a diagnostic. The entry carries the spec's family.
    fn entry(&mut self, line: usize, raw: &str) -> Option<Entry> {
        self.data_lines += 1;
        match classify_value(raw) {
            Ok((kind, value)) => {
                let mut e = Entry::new(kind, value);
                e.family.clone_from(&self.spec.family);
                Some(e)
            }
            Err(why) => {
                self.reject(line, why);
                None
            }
        }
    }

    fn plain(&mut self, text: &str, counted: bool) {
        for (i, line) in text.lines().enumerate() {
            let t = line.trim();
            if t.is_empty() {
                continue;
            }
            if t.starts_with('#') || t.starts_with(';') || t.starts_with("//") {
                self.header_date(t);
                continue;
            }
            let mut words = t.split_whitespace();
            let value = words.next().unwrap_or("");
            if let Some(mut e) = self.entry(i + 1, value) {
                if counted {
                    e.number = words.next().and_then(|n| n.parse().ok());
                }
                self.out.entries.push(e);
            }
        }
    }

    /// Comment lines (`#`) are skipped (their dates read), the rest is CSV. `", "` separators (`ThreatFox`)
    /// are accepted. CSV errors (an unterminated quote in a truncated body) become diagnostics.
    fn rows(&mut self, text: &str) -> Vec<Row> {
        let mut data = String::with_capacity(text.len());
        let mut lines = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let t = line.trim_start();
            if t.starts_with('#') {
                self.header_date(t);
                continue;
            }
            if t.trim().is_empty() {
                continue;
            }
            data.push_str(&line.replace("\", \"", "\",\""));
            data.push('\n');
            lines.push(i + 1);
        }
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(data.as_bytes());
        let mut out = Vec::new();
        for rec in rdr.records() {
            match rec {
                Ok(r) => {
                    let idx = r.position().map_or(0, |p| p.line() as usize);
                    let line = lines.get(idx.saturating_sub(1)).copied().unwrap_or(idx);
                    out.push(Row { line, fields: r.iter().map(str::to_owned).collect() });
                }
                Err(e) => {
                    self.data_lines += 1;
                    self.reject(0, format!("CSV: {e}"));
                }
            }
        }
        out
    }

    fn field(row: &Row, i: usize) -> &str {
        row.fields.get(i).map_or("", String::as_str)
    }

    fn csv_generic(&mut self, text: &str) {
        let rows = self.rows(text);
        let mut rows = rows.into_iter();
        let col = match &self.spec.column {
            Some(Column::Number(n)) => n.saturating_sub(1),
            Some(Column::Name(name)) => {
                let Some(header) = rows.next() else { return };
                let Some(i) = header.fields.iter().position(|f| f.eq_ignore_ascii_case(name))
                else {
                    self.data_lines += 1;
                    self.reject(header.line, format!("no column named {name:?} in the header"));
                    return;
                };
                i
            }
            None => 0,
        };
        for row in rows {
            if let Some(e) = self.entry(row.line, Self::field(&row, col)) {
                self.out.entries.push(e);
            }
        }
    }

    fn urlhaus(&mut self, text: &str) {
        // id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter
        for row in self.rows(text) {
            if let Some(mut e) = self.entry(row.line, Self::field(&row, 2)) {
                e.first_seen = parse_utc(Self::field(&row, 1));
                e.last_seen = parse_utc(Self::field(&row, 4)).or(e.first_seen);
                e.tags = split_tags(Self::field(&row, 6));
                if let Some(status) = non_empty(Self::field(&row, 3)) {
                    e.tags.push(status);
                }
                e.family = e.family.or_else(|| non_empty(Self::field(&row, 5)));
                self.out.entries.push(e);
            }
        }
    }

    fn threatfox(&mut self, text: &str) {
        // first_seen_utc, ioc_id, ioc_value, ioc_type, threat_type, fk_malware, malware_alias,
        // malware_printable, last_seen_utc, confidence_level, reference, tags, anonymous, reporter
        for row in self.rows(text) {
            let (value, ioc_type) = (Self::field(&row, 2), Self::field(&row, 3));
            let (value, port) = match ioc_type {
                "ip:port" => match value.rsplit_once(':') {
                    Some((ip, port)) => (ip.trim_matches(['[', ']']), Some(port)),
                    None => (value, None),
                },
                _ => (value, None),
            };
            if let Some(mut e) = self.entry(row.line, value) {
                e.first_seen = parse_utc(Self::field(&row, 0));
                e.last_seen = parse_utc(Self::field(&row, 8)).or(e.first_seen);
                e.family =
                    non_empty(Self::field(&row, 7)).or_else(|| non_empty(Self::field(&row, 5)));
                e.confidence = Self::field(&row, 9).parse::<u8>().ok().map(|c| c.min(100));
                e.tags = split_tags(Self::field(&row, 11));
                if let Some(t) = non_empty(Self::field(&row, 4)) {
                    e.tags.push(t);
                }
                if let Some(p) = port {
                    e.tags.push(format!("port:{p}"));
                }
                self.out.entries.push(e);
            }
        }
    }

    fn malwarebazaar(&mut self, text: &str) {
        // first_seen_utc, sha256_hash, md5_hash, sha1_hash, reporter, file_name, file_type_guess, mime_type,
        // signature, clamav, vtpercent, imphash, ssdeep, tlsh
        for row in self.rows(text) {
            for col in [1, 2, 3] {
                if let Some(mut e) = self.entry(row.line, Self::field(&row, col)) {
                    e.first_seen = parse_utc(Self::field(&row, 0));
                    e.last_seen = e.first_seen;
                    e.family = e.family.or_else(|| non_empty(Self::field(&row, 8)));
                    e.tags = non_empty(Self::field(&row, 6)).into_iter().collect();
                    self.out.entries.push(e);
                }
            }
        }
    }

    fn feodo(&mut self, text: &str) {
        // "first_seen_utc","dst_ip","dst_port","c2_status","last_online","malware" (header row included)
        for row in self.rows(text) {
            if Self::field(&row, 1) == "dst_ip" {
                continue;
            }
            if let Some(mut e) = self.entry(row.line, Self::field(&row, 1)) {
                e.first_seen = parse_utc(Self::field(&row, 0));
                e.last_seen = parse_utc(Self::field(&row, 4)).or(e.first_seen);
                e.family = non_empty(Self::field(&row, 5));
                e.tags = [
                    non_empty(Self::field(&row, 3)),
                    non_empty(Self::field(&row, 2)).map(|p| format!("port:{p}")),
                ]
                .into_iter()
                .flatten()
                .collect();
                self.out.entries.push(e);
            }
        }
    }

    fn sslbl(&mut self, text: &str) {
        // Firstseen,DstIP,DstPort (the header is a comment)
        for row in self.rows(text) {
            if let Some(mut e) = self.entry(row.line, Self::field(&row, 1)) {
                e.first_seen = parse_utc(Self::field(&row, 0));
                e.last_seen = e.first_seen;
                e.tags = non_empty(Self::field(&row, 2))
                    .map(|p| format!("port:{p}"))
                    .into_iter()
                    .collect();
                self.out.entries.push(e);
            }
        }
    }

    fn c2intel(&mut self, text: &str) {
        // `#ip,ioc` or `#domain,ioc` header, then value,description
        for row in self.rows(text) {
            if let Some(mut e) = self.entry(row.line, Self::field(&row, 0)) {
                e.tags = non_empty(Self::field(&row, 1)).into_iter().collect();
                self.out.entries.push(e);
            }
        }
    }

    fn epss(&mut self, text: &str) {
        // #model_version:v2025.03.14,score_date:2026-08-01T00:00:00+0000 / cve,epss,percentile
        for line in text.lines().take_while(|l| l.starts_with('#')) {
            if let Some(at) = line.find("score_date:") {
                self.out.upstream_date = parse_utc(&line[at + "score_date:".len()..]);
            }
        }
        let date = self.out.upstream_date;
        for row in self.rows(text) {
            if Self::field(&row, 0) == "cve" {
                continue;
            }
            let Some(mut e) = self.entry(row.line, Self::field(&row, 0)) else { continue };
            match Self::field(&row, 1).parse::<f64>() {
                Ok(p) if (0.0..=1.0).contains(&p) => {
                    #[allow(clippy::cast_sign_loss)] // p is in 0..=1
                    let ppm = (p * 1_000_000.0).round() as u32;
                    e.number = Some(ppm);
                    e.last_seen = date;
                    if let Ok(pct) = Self::field(&row, 2).parse::<f64>() {
                        e.tags.push(format!("percentile:{pct}"));
                    }
                    self.out.entries.push(e);
                }
                _ => {
                    let bad = Self::field(&row, 1).chars().take(40).collect::<String>();
                    self.reject(
                        row.line,
                        format!("EPSS probability {bad:?} is not a number in 0..1"),
                    );
                }
            }
        }
    }

    fn spamhaus(&mut self, text: &str) {
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let v: Value = match serde_json::from_str(line) {
                Ok(v) => v,
                Err(e) => {
                    self.data_lines += 1;
                    self.reject(i + 1, format!("not a JSON line: {e}"));
                    continue;
                }
            };
            if v.get("type").and_then(Value::as_str) == Some("metadata") {
                self.out.upstream_date = v.get("timestamp").and_then(Value::as_i64);
                continue;
            }
            let cidr = v.get("cidr").and_then(Value::as_str).unwrap_or("");
            if let Some(mut e) = self.entry(i + 1, cidr) {
                e.tags = v
                    .get("sblid")
                    .and_then(Value::as_str)
                    .and_then(non_empty)
                    .into_iter()
                    .collect();
                self.out.entries.push(e);
            }
        }
    }

    fn kev(&mut self, text: &str) -> Result<(), FormatError> {
        let v: Value = serde_json::from_str(text)
            .map_err(|e| FormatError::Malformed(format!("KEV JSON: {e}")))?;
        self.out.upstream_date = v.get("dateReleased").and_then(Value::as_str).and_then(parse_utc);
        let vulns = v.get("vulnerabilities").and_then(Value::as_array).ok_or_else(|| {
            FormatError::Malformed("KEV JSON has no `vulnerabilities` array".to_owned())
        })?;
        let s = |x: &Value, k: &str| x.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
        for (i, x) in vulns.iter().enumerate() {
            if let Some(mut e) = self.entry(i + 1, &s(x, "cveID")) {
                e.first_seen = parse_utc(&s(x, "dateAdded"));
                e.last_seen = self.out.upstream_date.or(e.first_seen);
                e.family = non_empty(&format!("{} {}", s(x, "vendorProject"), s(x, "product")));
                if s(x, "knownRansomwareCampaignUse").eq_ignore_ascii_case("known") {
                    e.tags.push("ransomware".to_owned());
                }
                self.out.entries.push(e);
            }
        }
        Ok(())
    }

    fn misp_attribute(&mut self, i: usize, a: &Value, tags: &[String]) {
        let value = a.get("value").and_then(Value::as_str).unwrap_or("");
        let ty = a.get("type").and_then(Value::as_str).unwrap_or("");
        let ts = |k: &str| {
            a.get(k).and_then(|v| {
                v.as_str()
                    .and_then(|s| s.parse::<i64>().ok().or_else(|| parse_utc(s)))
                    .or_else(|| v.as_i64())
            })
        };
        // Composite attributes (`ip-dst|port`, `domain|ip`, `filename|sha256`) hold one value per part.
        let parts: Vec<&str> =
            if ty.contains('|') { value.split('|').collect() } else { vec![value] };
        for part in parts {
            if ty.contains("port") && part.bytes().all(|b| b.is_ascii_digit())
                || ty.starts_with("filename")
                    && !part.is_empty()
                    && !part.bytes().all(|b| b.is_ascii_hexdigit())
            {
                continue;
            }
            if let Some(mut e) = self.entry(i, part) {
                e.first_seen = ts("first_seen").or_else(|| ts("timestamp"));
                e.last_seen = ts("last_seen").or_else(|| ts("timestamp"));
                e.tags = tags.to_vec();
                self.out.entries.push(e);
            }
        }
    }

    fn misp(&mut self, text: &str) -> Result<(), FormatError> {
        let v: Value = serde_json::from_str(text)
            .map_err(|e| FormatError::Malformed(format!("MISP event JSON: {e}")))?;
        let ev = v.get("Event").unwrap_or(&v);
        let attrs = ev.get("Attribute").and_then(Value::as_array);
        let objects = ev.get("Object").and_then(Value::as_array);
        if attrs.is_none() && objects.is_none() {
            return Err(FormatError::Malformed(
                "MISP event has no Attribute or Object list".to_owned(),
            ));
        }
        self.out.upstream_date = ev
            .get("timestamp")
            .and_then(|t| t.as_str().and_then(|s| s.parse().ok()).or_else(|| t.as_i64()));
        let tags: Vec<String> = ev
            .get("Tag")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|t| t.get("name").and_then(Value::as_str).map(str::to_owned))
            .collect();
        let mut n = 0;
        for a in attrs.into_iter().flatten() {
            n += 1;
            self.misp_attribute(n, a, &tags);
        }
        for o in objects.into_iter().flatten() {
            for a in o.get("Attribute").and_then(Value::as_array).into_iter().flatten() {
                n += 1;
                self.misp_attribute(n, a, &tags);
            }
        }
        Ok(())
    }

    fn warninglist(&mut self, text: &str) -> Result<(), FormatError> {
        let v: Value = serde_json::from_str(text)
            .map_err(|e| FormatError::Malformed(format!("warninglist JSON: {e}")))?;
        let list = v
            .get("list")
            .and_then(Value::as_array)
            .ok_or_else(|| FormatError::Malformed("warninglist has no `list` array".to_owned()))?;
        self.out.upstream_date = v.get("version").and_then(Value::as_i64).and_then(|d| {
            // versions are YYYYMMDD
            let s = d.to_string();
            (s.len() == 8)
                .then(|| parse_utc(&format!("{}-{}-{}", &s[..4], &s[4..6], &s[6..])))
                .flatten()
        });
        for (i, x) in list.iter().enumerate() {
            let raw = x.as_str().unwrap_or("").trim_start_matches('.');
            if let Some(e) = self.entry(i + 1, raw) {
                self.out.entries.push(e);
            }
        }
        Ok(())
    }

    fn stix(&mut self, text: &str) -> Result<(), FormatError> {
        let v: Value = serde_json::from_str(text)
            .map_err(|e| FormatError::Malformed(format!("STIX JSON: {e}")))?;
        let objects = v.get("objects").and_then(Value::as_array).ok_or_else(|| {
            FormatError::Malformed(
                "no `objects` array (a STIX bundle or TAXII envelope)".to_owned(),
            )
        })?;
        let mut newest: Option<i64> = None;
        for (i, o) in objects.iter().enumerate() {
            let s = |k: &str| o.get(k).and_then(Value::as_str).unwrap_or("");
            if let Some(m) = parse_utc(s("modified")) {
                newest = Some(newest.map_or(m, |n| n.max(m)));
            }
            if s("type") != "indicator"
                || (!s("pattern_type").is_empty() && s("pattern_type") != "stix")
            {
                continue;
            }
            let tags: Vec<String> = ["labels", "indicator_types"]
                .iter()
                .filter_map(|k| o.get(*k).and_then(Value::as_array))
                .flatten()
                .filter_map(|t| t.as_str().map(str::to_owned))
                .collect();
            for literal in pattern_literals(s("pattern")) {
                if let Some(mut e) = self.entry(i + 1, &literal) {
                    e.first_seen = parse_utc(s("valid_from")).or_else(|| parse_utc(s("created")));
                    e.last_seen = parse_utc(s("modified")).or(e.first_seen);
                    e.confidence = o
                        .get("confidence")
                        .and_then(Value::as_u64)
                        .and_then(|c| u8::try_from(c.min(100)).ok());
                    e.family = e.family.or_else(|| non_empty(s("name")));
                    e.tags.clone_from(&tags);
                    self.out.entries.push(e);
                }
            }
        }
        self.out.upstream_date = newest;
        Ok(())
    }
}

/// The string literals compared with `=` in a STIX pattern (`[ipv4-addr:value = '1.2.3.4' OR …]`), unescaped.
fn pattern_literals(pattern: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = pattern;
    while let Some(at) = rest.find('=') {
        let after = rest[at + 1..].trim_start();
        let Some(body) = after.strip_prefix('\'') else {
            rest = &rest[at + 1..];
            continue;
        };
        let mut lit = String::new();
        let mut chars = body.char_indices();
        let mut end = body.len();
        while let Some((j, c)) = chars.next() {
            match c {
                '\\' => {
                    if let Some((_, n)) = chars.next() {
                        lit.push(n);
                    }
                }
                '\'' => {
                    end = j + 1;
                    break;
                }
                c => lit.push(c),
            }
        }
        out.push(lit);
        rest = &body[end.min(body.len())..];
    }
    out
}
