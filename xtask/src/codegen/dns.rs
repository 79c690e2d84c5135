//! Generator slot `dns`: writes `core/src/generated/dns*.rs`.
//!
//! * `dns_tlds.rs` + `dns_tlds.bin` — the IANA root-zone TLDs (`data/dns/tlds.txt`), lower-case A-labels, as a
//!   hashed blob (below).
//! * `dns_psl.rs` + `dns_psl.bin` — the Public Suffix List rules (`data/dns/public_suffix_list.dat`) as a hashed
//!   blob of `(suffix, flags)`: U-labels converted to A-labels, wildcard `*.x` and exception `!x` rules folded
//!   into flags on `x`.
//! * `dns_ip_ranges.rs` — IPv4/IPv6 special-purpose blocks (`data/dns/iana_special_v{4,6}.csv`) flattened into
//!   disjoint sorted ranges (most specific prefix wins), checked against `data/warninglists/reserved.json`.
//! * `dns_names.rs` — special-use names (reserved.json `special-use-domains`) and the file-extension TLD
//!   collision list (`data/dns/file_extension_tlds.txt`).
use super::intel::BlobOutput;
use super::{Output, header};
use anyhow::{Context, Result, bail, ensure};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::path::Path;

/// PSL flag: `x` is a normal rule.
const RULE: u8 = 1;
/// PSL flag: `*.x` is a rule.
const WILDCARD: u8 = 2;
/// PSL flag: `!x` is an exception rule.
const EXCEPTION: u8 = 4;
/// PSL flag: the rule comes from the PRIVATE section.
const PRIVATE: u8 = 8;

pub(crate) fn generate(root: &Path) -> Result<(Vec<Output>, Vec<BlobOutput>)> {
    let tlds = tlds(root)?;
    let (tld_rs, tld_bin) = tld_file(&tlds)?;
    let (psl_rs, psl_bin) = psl_file(root)?;
    Ok((
        vec![
            Output { path: "core/src/generated/dns_tlds.rs".into(), contents: tld_rs },
            Output { path: "core/src/generated/dns_psl.rs".into(), contents: psl_rs },
            Output { path: "core/src/generated/dns_ip_ranges.rs".into(), contents: ip_file(root)? },
            Output {
                path: "core/src/generated/dns_names.rs".into(),
                contents: names_file(root, &tlds)?,
            },
        ],
        vec![
            BlobOutput { path: "core/src/generated/dns_tlds.bin".into(), bytes: tld_bin },
            BlobOutput { path: "core/src/generated/dns_psl.bin".into(), bytes: psl_bin },
        ],
    ))
}

/// FNV-1a (32-bit). `core/src/normalize/domain.rs` has the same function: the two must agree.
fn fnv1a(s: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in s.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// A hashed set of keys (≤ 255 bytes) with one value byte each, without pointers: entries `[len][value][key]`
/// grouped by bucket (`FNV-1a & (buckets - 1)`) in one blob, plus the `buckets + 1` byte offsets where the
/// buckets start. A lookup hashes once and scans one bucket of ~8 entries (`core/src/normalize/domain.rs`,
/// `hashed`). A `&[&str]` table with a `u16` slot index cost 8 bytes of address per key and 2 random bytes per
/// slot, which compress badly; this layout is mostly key text (docs/wasm.md "Embedded data").
///
/// Returns the `.rs` items (`{name}_BLOB` included from `{bin}`, `{name}_BUCKETS`) and the blob.
fn hash_blob(name: &str, bin: &str, doc: &str, keys: &[(&str, u8)]) -> Result<(String, Vec<u8>)> {
    let buckets = (keys.len() / 8).max(1).next_power_of_two();
    let mut order: Vec<(usize, &str, u8)> =
        keys.iter().map(|&(k, v)| (fnv1a(k) as usize & (buckets - 1), k, v)).collect();
    order.sort_unstable();
    let mut blob = Vec::new();
    let mut starts = vec![0u32; buckets + 1];
    for &(bucket, key, value) in &order {
        let len = u8::try_from(key.len()).context("hashed key longer than 255 bytes")?;
        blob.push(len);
        blob.push(value);
        blob.extend_from_slice(key.as_bytes());
        starts[bucket + 1] = u32::try_from(blob.len()).context("hashed blob over 4 GiB")?;
    }
    // Empty buckets start (and end) where the previous one ended.
    for b in 1..=buckets {
        starts[b] = starts[b].max(starts[b - 1]);
    }
    let mut s = format!(
        "/// {doc}\n/// Hashed blob: `[len: u8][value: u8][key]` per entry, grouped by bucket (FNV-1a of the key \
         & {mask}).\npub(crate) static {name}_BLOB: &[u8] = include_bytes!(\"{bin}\");\n\n\
         /// Byte offset in `{name}_BLOB` where each bucket starts (bucket `b` ends where `b + 1` starts).\n\
         pub(crate) static {name}_BUCKETS: [u32; {n}] = [\n",
        mask = buckets - 1,
        n = buckets + 1,
    );
    for chunk in starts.chunks(16) {
        let line: Vec<String> = chunk.iter().map(u32::to_string).collect();
        let _ = writeln!(s, "    {},", line.join(", "));
    }
    s.push_str("];\n");
    Ok((s, blob))
}

#[expect(clippy::disallowed_methods, reason = "xtask reads data/: the I/O ban is for core")]
fn read(root: &Path, rel: &str) -> Result<String> {
    std::fs::read_to_string(root.join(rel)).with_context(|| format!("reading {rel}"))
}

fn tlds(root: &Path) -> Result<Vec<String>> {
    let text = read(root, "data/dns/tlds.txt")?;
    let mut out: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_ascii_lowercase)
        .collect();
    out.sort();
    out.dedup();
    ensure!(out.len() > 1000, "data/dns/tlds.txt has only {} TLDs", out.len());
    Ok(out)
}

fn tld_file(tlds: &[String]) -> Result<(String, Vec<u8>)> {
    let mut s = header("data/dns/tlds.txt (IANA root zone, via MISP warninglist `tlds`)");
    let keys: Vec<(&str, u8)> = tlds.iter().map(|t| (t.as_str(), 1)).collect();
    let (items, blob) = hash_blob(
        "TLDS",
        "dns_tlds.bin",
        "Every delegated top-level domain, lower-case A-labels (value 1).",
        &keys,
    )?;
    s.push_str(&items);
    Ok((s, blob))
}

fn psl_file(root: &Path) -> Result<(String, Vec<u8>)> {
    let text = read(root, "data/dns/public_suffix_list.dat")?;
    let mut rules: BTreeMap<String, u8> = BTreeMap::new();
    let mut private = false;
    for line in text.lines() {
        let line = line.trim();
        if line.contains("===BEGIN PRIVATE DOMAINS===") {
            private = true;
        }
        if line.is_empty() || line.starts_with("//") {
            continue;
        }
        // A rule is the first whitespace-delimited word of the line.
        let rule = line.split_whitespace().next().unwrap_or_default();
        let (name, flag) = if let Some(rest) = rule.strip_prefix("*.") {
            (rest, WILDCARD)
        } else if let Some(rest) = rule.strip_prefix('!') {
            (rest, EXCEPTION)
        } else {
            (rule, RULE)
        };
        ensure!(!name.contains('*'), "unsupported PSL rule {rule}");
        let ascii =
            idna::domain_to_ascii(name).map_err(|e| anyhow::anyhow!("PSL rule {rule}: {e:?}"))?;
        let entry = rules.entry(ascii).or_insert(0);
        *entry |= flag;
        if private {
            *entry |= PRIVATE;
        }
    }
    ensure!(rules.len() > 5000, "PSL has only {} rules", rules.len());
    let mut s = header("data/dns/public_suffix_list.dat (publicsuffix/list, MPL-2.0)");
    s.push_str("#![allow(clippy::unreadable_literal, reason = \"generated tables\")]\n\n");
    let _ = writeln!(
        s,
        "/// Flag: `x` is a rule.\npub(crate) const RULE: u8 = {RULE};\n\
         /// Flag: `*.x` is a rule.\npub(crate) const WILDCARD: u8 = {WILDCARD};\n\
         /// Flag: `!x` is an exception rule.\npub(crate) const EXCEPTION: u8 = {EXCEPTION};\n\
         /// Flag: the rule is in the PRIVATE section.\npub(crate) const PRIVATE: u8 = {PRIVATE};\n"
    );
    let keys: Vec<(&str, u8)> = rules.iter().map(|(k, &f)| (k.as_str(), f)).collect();
    let (items, blob) =
        hash_blob("PSL", "dns_psl.bin", "PSL rules: suffix in A-labels → flags.", &keys)?;
    s.push_str(&items);
    Ok((s, blob))
}

/// One special-purpose block from the CSV.
struct Block {
    start: u128,
    end: u128,
    prefix: u8,
    scope: String,
    name: String,
}

const SCOPES: &[(&str, &str)] = &[
    ("global", "Global"),
    ("private", "Private"),
    ("loopback", "Loopback"),
    ("link_local", "LinkLocal"),
    ("cgnat", "Cgnat"),
    ("documentation", "Documentation"),
    ("multicast", "Multicast"),
    ("benchmarking", "Benchmarking"),
    ("unspecified", "Unspecified"),
    ("broadcast", "Broadcast"),
    ("reserved", "Reserved"),
    ("ipv4_mapped", "Ipv4Mapped"),
    ("translation", "Translation"),
    ("tunnel", "Tunnel"),
];

/// Parses `a.b.c.d/n` or `x::/n` into an inclusive `(start, end, prefix)` range in a `bits`-wide space.
fn parse_prefix(text: &str, v6: bool) -> Result<(u128, u128, u8)> {
    let (addr, len) = text.split_once('/').with_context(|| format!("{text}: no prefix length"))?;
    let len: u8 = len.parse().with_context(|| format!("{text}: bad prefix length"))?;
    let bits: u8 = if v6 { 128 } else { 32 };
    ensure!(len <= bits, "{text}: prefix too long");
    let value: u128 = if v6 {
        u128::from(addr.parse::<Ipv6Addr>().with_context(|| format!("{text}: bad IPv6"))?)
    } else {
        u128::from(u32::from(
            addr.parse::<Ipv4Addr>().with_context(|| format!("{text}: bad IPv4"))?,
        ))
    };
    let host_bits = u32::from(bits - len);
    let host_mask: u128 = if host_bits == 128 { u128::MAX } else { (1u128 << host_bits) - 1 };
    ensure!(value & host_mask == 0, "{text}: host bits set");
    Ok((value, value | host_mask, len))
}

fn blocks(root: &Path, rel: &str, v6: bool) -> Result<Vec<Block>> {
    let text = read(root, rel)?;
    let mut out = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let mut parts = line.splitn(3, ',');
        let (Some(prefix), Some(scope), Some(name)) = (parts.next(), parts.next(), parts.next())
        else {
            bail!("{rel}: bad line {line}");
        };
        ensure!(SCOPES.iter().any(|(w, _)| *w == scope), "{rel}: unknown scope {scope}");
        let (start, end, prefix) = parse_prefix(prefix, v6)?;
        out.push(Block {
            start,
            end,
            prefix,
            scope: scope.to_owned(),
            name: name.trim_matches('"').to_owned(),
        });
    }
    Ok(out)
}

/// Flattens nested blocks into disjoint ranges where the most specific block wins, merging neighbours that carry
/// the same class and name.
fn flatten(blocks: &[Block]) -> Vec<(u128, u128, String, String)> {
    let mut points: Vec<u128> = Vec::new();
    for b in blocks {
        points.push(b.start);
        if let Some(next) = b.end.checked_add(1) {
            points.push(next);
        }
    }
    points.sort_unstable();
    points.dedup();
    let mut out: Vec<(u128, u128, String, String)> = Vec::new();
    for (i, &start) in points.iter().enumerate() {
        let end = points.get(i + 1).map_or(u128::MAX, |n| n - 1);
        let best =
            blocks.iter().filter(|b| b.start <= start && end <= b.end).max_by_key(|b| b.prefix);
        let Some(best) = best else { continue };
        if let Some(last) = out.last_mut()
            && last.1.checked_add(1) == Some(start)
            && last.2 == best.scope
            && last.3 == best.name
        {
            last.1 = end;
            continue;
        }
        out.push((start, end, best.scope.clone(), best.name.clone()));
    }
    out
}

fn variant(scope: &str) -> &'static str {
    SCOPES.iter().find(|(w, _)| *w == scope).map_or("Reserved", |(_, v)| v)
}

/// `0x` + `digits` hex digits with a `_` every 4 (clippy `unreadable_literal`).
fn hex(v: u128, digits: usize) -> String {
    let raw = format!("{v:0digits$x}");
    let groups: Vec<&str> =
        raw.as_bytes().chunks(4).map(|c| std::str::from_utf8(c).unwrap_or_default()).collect();
    format!("0x{}", groups.join("_"))
}

fn ip_file(root: &Path) -> Result<String> {
    let v4 = blocks(root, "data/dns/iana_special_v4.csv", false)?;
    let v6 = blocks(root, "data/dns/iana_special_v6.csv", true)?;
    // Every CIDR of the reserved warninglist must fall inside one of our special-purpose blocks.
    let reserved: serde_json::Value =
        serde_json::from_str(&read(root, "data/warninglists/reserved.json")?)?;
    for list in reserved["lists"].as_array().into_iter().flatten() {
        if list["type"] != "cidr" {
            continue;
        }
        for entry in list["entries"].as_array().into_iter().flatten() {
            let text = entry.as_str().unwrap_or_default().to_ascii_lowercase();
            let is_v6 = text.contains(':');
            let (start, end, _) = parse_prefix(&text, is_v6)?;
            let table = if is_v6 { &v6 } else { &v4 };
            ensure!(
                table.iter().any(|b| b.start <= start && end <= b.end),
                "reserved.json {} `{text}` is not covered by data/dns/iana_special_v{}.csv",
                list["name"],
                if is_v6 { 6 } else { 4 }
            );
        }
    }
    let mut s = header(
        "data/dns/iana_special_v4.csv, data/dns/iana_special_v6.csv (IANA special-purpose registries), \
         checked against data/warninglists/reserved.json",
    );
    s.push_str("use crate::IpScope;\n\n");
    s.push_str("/// IPv4 special-purpose ranges: disjoint, sorted, inclusive `(first, last, class, IANA name)`.\n");
    s.push_str("pub(crate) static V4: &[(u32, u32, IpScope, &str)] = &[\n");
    for (a, b, scope, name) in flatten(&v4) {
        let _ = writeln!(
            s,
            "    ({}, {}, IpScope::{}, {name:?}),",
            hex(a, 8),
            hex(b, 8),
            variant(&scope)
        );
    }
    s.push_str("];\n\n");
    s.push_str("/// IPv6 special-purpose ranges: disjoint, sorted, inclusive `(first, last, class, IANA name)`.\n");
    s.push_str("pub(crate) static V6: &[(u128, u128, IpScope, &str)] = &[\n");
    for (a, b, scope, name) in flatten(&v6) {
        let _ = writeln!(
            s,
            "    ({}, {}, IpScope::{}, {name:?}),",
            hex(a, 32),
            hex(b, 32),
            variant(&scope)
        );
    }
    s.push_str("];\n");
    Ok(s)
}

fn names_file(root: &Path, tlds: &[String]) -> Result<String> {
    let reserved: serde_json::Value =
        serde_json::from_str(&read(root, "data/warninglists/reserved.json")?)?;
    let mut names: Vec<String> = reserved["lists"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|l| l["name"] == "special-use-domains")
        .flat_map(|l| l["entries"].as_array().cloned().unwrap_or_default())
        .filter_map(|e| e.as_str().map(str::to_ascii_lowercase))
        .collect();
    names.sort();
    names.dedup();
    ensure!(names.iter().any(|n| n == "example.com"), "reserved.json lacks special-use-domains");
    let ext_text = read(root, "data/dns/file_extension_tlds.txt")?;
    let mut exts: Vec<String> = ext_text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_ascii_lowercase)
        .collect();
    exts.sort();
    exts.dedup();
    for e in &exts {
        ensure!(
            tlds.binary_search(e).is_ok(),
            "file_extension_tlds.txt: `{e}` is not a delegated TLD"
        );
    }
    let mut s = header(
        "data/warninglists/reserved.json (special-use-domains) and data/dns/file_extension_tlds.txt",
    );
    s.push_str("/// Special-use names (RFC 2606/6761/6762/8375/9476): the name and every name under it is reserved.\n");
    s.push_str("pub(crate) static RESERVED_NAMES: &[&str] = &[\n");
    for n in &names {
        let _ = writeln!(s, "    {n:?},");
    }
    s.push_str("];\n\n");
    let mut last: Vec<&str> = names.iter().map(|n| n.rsplit('.').next().unwrap_or(n)).collect();
    last.sort_unstable();
    last.dedup();
    s.push_str("/// The last labels of the special-use names (a fast pre-check).\n");
    s.push_str("pub(crate) static RESERVED_TLDS: &[&str] = &[\n");
    for n in &last {
        let _ = writeln!(s, "    {n:?},");
    }
    s.push_str("];\n\n");
    s.push_str(
        "/// TLDs that are also common file extensions (`readme.md`, `invoice.zip`), sorted.\n",
    );
    s.push_str("pub(crate) static FILE_EXTENSION_TLDS: &[&str] = &[\n");
    for e in &exts {
        let _ = writeln!(s, "    {e:?},");
    }
    s.push_str("];\n");
    Ok(s)
}
