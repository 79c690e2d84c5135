//! Generator slot `intel`: writes `core/src/generated/intel.rs` (list catalogue, families, KEV, section
//! offsets) and two binary blobs, `intel_tier1.bin` (always embedded) and `intel_tier2.bin` (feature
//! `offline-intel`).
//!
//! Blob layout (all integers little-endian), one section after another, each 8-byte aligned:
//! * `v4` ranges: `n: u32`, pad, then `n` records `start: u32, mask: u64` (12 bytes) sorted by `start`;
//!   the record with the greatest `start <= ip` holds the bit mask of the role's lists covering `ip`
//!   (`0` = a gap). Elementary intervals, so overlapping prefixes of different lists cost one search.
//! * `v6` ranges: the same with `start: u128` (24-byte records).
//! * names: `n: u32`, `n + 1` string offsets `u32`, `n` pairs `(a: u32, b: u32)`, then the string bytes,
//!   sorted byte-wise. For warninglists `a` = lists matching the name exactly, `b` = lists matching its
//!   subdomains; for Maltrail `a` = family index + 1.
//! * `v4` keyed values (`IPsum`, Maltrail IPs): `n: u32`, pad, `n` keys `u32` sorted, `n` values `u16`.
use super::{Output, header};
use anyhow::{Context, Result, bail};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::path::Path;

/// A binary output (the text `Output` holds `String`s).
pub(crate) struct BlobOutput {
    pub(crate) path: String,
    pub(crate) bytes: Vec<u8>,
}

/// Roles in the order of `ioclens_core::intel::Role`, with their tier.
const ROLES: [(&str, u8); 10] = [
    ("reserved", 1),
    ("sinkholes", 1),
    ("scanners", 1),
    ("popular_domains", 2),
    ("provider_ip_ranges", 2),
    ("vpn_ranges", 2),
    ("dns_resolvers", 2),
    ("abusable_services", 2),
    ("hashes", 2),
    ("email", 2),
];

/// Source snapshots (from `data/SOURCES.md`): recorded on every result as the data version.
const DATA_VERSION: &str = "misp-warninglists 84f0610 (2026-08-20); ipsum 5a7c15f (2026-08-22); \
maltrail 8adace1 (2026-08-23); cisa-kev 2025.08.25";
const DATA_DATE: &str = "2026-08-23";

#[derive(Default)]
struct Tables {
    v4: BTreeMap<u32, Vec<(u32, u32)>>, // list bit → inclusive ranges
    v6: BTreeMap<u32, Vec<(u128, u128)>>, // list bit → inclusive ranges
    names: BTreeMap<String, (u64, u64)>, // name → (exact mask, subdomain mask)
}

struct ListMeta {
    role: usize,
    name: String,
    kind: String,
    version: String,
    entries: usize,
}

#[derive(Default)]
struct Blob {
    bytes: Vec<u8>,
}

impl Blob {
    fn align(&mut self) {
        while !self.bytes.len().is_multiple_of(8) {
            self.bytes.push(0);
        }
    }
    /// Appends a section and returns `(offset, len)`.
    fn section(&mut self, data: &[u8]) -> (usize, usize) {
        self.align();
        let off = self.bytes.len();
        self.bytes.extend_from_slice(data);
        (off, data.len())
    }
}

fn parse_v4_cidr(s: &str) -> Option<(u32, u32)> {
    let (addr, len) = match s.split_once('/') {
        Some((a, l)) => (a, l.parse::<u32>().ok()?),
        None => (s, 32),
    };
    let ip: Ipv4Addr = addr.parse().ok()?;
    if len > 32 {
        return None;
    }
    let ip = u32::from(ip);
    let host = if len == 0 { u32::MAX } else { (1u32 << (32 - len)).wrapping_sub(1) };
    Some((ip & !host, (ip & !host) | host))
}

fn parse_v6_cidr(s: &str) -> Option<(u128, u128)> {
    let (addr, len) = match s.split_once('/') {
        Some((a, l)) => (a, l.parse::<u32>().ok()?),
        None => (s, 128),
    };
    let ip: Ipv6Addr = addr.parse().ok()?;
    if len > 128 {
        return None;
    }
    let ip = u128::from(ip);
    let host = if len == 0 { u128::MAX } else { (1u128 << (128 - len)).wrapping_sub(1) };
    Some((ip & !host, (ip & !host) | host))
}

/// Elementary intervals: `(start, mask)` records, mask 0 for gaps.
fn segments<T: Copy + Ord + num::Step>(lists: &BTreeMap<u32, Vec<(T, T)>>) -> Vec<(T, u64)> {
    // Events: at `start` add bit, at `end + 1` remove bit (counting, since one list may overlap itself).
    let mut points: BTreeMap<T, Vec<(u32, i32)>> = BTreeMap::new();
    for (&bit, ranges) in lists {
        for &(s, e) in ranges {
            points.entry(s).or_default().push((bit, 1));
            if let Some(n) = T::next(e) {
                points.entry(n).or_default().push((bit, -1));
            }
        }
    }
    let mut counts = [0i32; 64];
    let mut out: Vec<(T, u64)> = Vec::new();
    for (p, evs) in points {
        for (bit, d) in evs {
            counts[bit as usize] += d;
        }
        let mut mask = 0u64;
        for (i, c) in counts.iter().enumerate() {
            if *c > 0 {
                mask |= 1 << i;
            }
        }
        if out.last().is_none_or(|&(_, m)| m != mask) {
            out.push((p, mask));
        }
    }
    out
}

mod num {
    pub(super) trait Step: Sized {
        fn next(self) -> Option<Self>;
    }
    impl Step for u32 {
        fn next(self) -> Option<Self> {
            self.checked_add(1)
        }
    }
    impl Step for u128 {
        fn next(self) -> Option<Self> {
            self.checked_add(1)
        }
    }
}

fn v4_section(segs: &[(u32, u64)]) -> Vec<u8> {
    let mut b = Vec::with_capacity(8 + segs.len() * 12);
    b.extend_from_slice(&(segs.len() as u32).to_le_bytes());
    b.extend_from_slice(&[0; 4]);
    for &(s, m) in segs {
        b.extend_from_slice(&s.to_le_bytes());
        b.extend_from_slice(&m.to_le_bytes());
    }
    b
}

fn v6_section(segs: &[(u128, u64)]) -> Vec<u8> {
    let mut b = Vec::with_capacity(8 + segs.len() * 24);
    b.extend_from_slice(&(segs.len() as u32).to_le_bytes());
    b.extend_from_slice(&[0; 4]);
    for &(s, m) in segs {
        b.extend_from_slice(&s.to_le_bytes());
        b.extend_from_slice(&m.to_le_bytes());
    }
    b
}

fn names_section(names: &BTreeMap<String, (u64, u64)>) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(&(names.len() as u32).to_le_bytes());
    let mut off = 0u32;
    for k in names.keys() {
        b.extend_from_slice(&off.to_le_bytes());
        off += k.len() as u32;
    }
    b.extend_from_slice(&off.to_le_bytes());
    while !b.len().is_multiple_of(8) {
        b.push(0);
    }
    for &(x, y) in names.values() {
        // Name roles have at most 32 lists (checked in `load_role`), Maltrail family indices fit too.
        b.extend_from_slice(&(x as u32).to_le_bytes());
        b.extend_from_slice(&(y as u32).to_le_bytes());
    }
    for k in names.keys() {
        b.extend_from_slice(k.as_bytes());
    }
    b
}

fn keyed_v4_section(map: &BTreeMap<u32, u16>) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(&(map.len() as u32).to_le_bytes());
    b.extend_from_slice(&[0; 4]);
    for k in map.keys() {
        b.extend_from_slice(&k.to_le_bytes());
    }
    for v in map.values() {
        b.extend_from_slice(&v.to_le_bytes());
    }
    b
}

/// Adds a name entry. `.x` = subdomains only; `hostname` lists match the name and its subdomains;
/// `string` lists match exactly; `substring` lists of host names are matched label-aligned (name or
/// subdomain), which is what a substring of a host name means in practice (documented in docs/scoring.md).
fn add_name(t: &mut Tables, entry: &str, kind: &str, bit: u32) {
    let e = entry.trim().trim_end_matches('.').to_ascii_lowercase();
    if e.is_empty() {
        return;
    }
    let m = 1u64 << bit;
    if let Some(rest) = e.strip_prefix('.') {
        t.names.entry(rest.to_owned()).or_default().1 |= m;
        return;
    }
    let slot = t.names.entry(e).or_default();
    slot.0 |= m;
    if kind == "hostname" || kind == "substring" {
        slot.1 |= m;
    }
}

#[expect(clippy::disallowed_methods, reason = "xtask reads data/: the I/O ban is for core")]
fn load_role(
    root: &Path,
    role: &str,
    first_list: usize,
    metas: &mut Vec<ListMeta>,
    role_idx: usize,
) -> Result<Tables> {
    let path = root.join(format!("data/warninglists/{role}.json"));
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let doc: Value = serde_json::from_str(&text)?;
    let lists = doc["lists"].as_array().context("lists")?;
    if lists.len() > 64 {
        bail!("role {role} has more than 64 lists");
    }
    let has_names = lists.iter().any(|l| l["type"].as_str() != Some("cidr"));
    if has_names && lists.len() > 32 {
        bail!("role {role} has names and more than 32 lists (name masks are u32)");
    }
    let mut t = Tables::default();
    for (i, l) in lists.iter().enumerate() {
        let bit = i as u32;
        let name = l["name"].as_str().context("name")?.to_owned();
        let kind = l["type"].as_str().context("type")?.to_owned();
        let version = match &l["version"] {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => String::new(),
        };
        let entries = l["entries"].as_array().context("entries")?;
        for e in entries {
            let e = e.as_str().context("entry")?;
            if kind == "regex" {
                continue; // handled in code (common-contact-emails): see core/src/intel/mod.rs
            }
            if let Some(r) = parse_v4_cidr(e) {
                t.v4.entry(bit).or_default().push(r);
            } else if let Some(r) = parse_v6_cidr(e) {
                t.v6.entry(bit).or_default().push(r);
            } else if kind != "cidr" {
                add_name(&mut t, e, &kind, bit);
            }
        }
        metas.push(ListMeta { role: role_idx, name, kind, version, entries: entries.len() });
        debug_assert_eq!(metas.len(), first_list + i + 1);
    }
    Ok(t)
}

/// Lists of the `hashes` role embedded in tier 1 (every host): the empty file's digests and EICAR's.
const CORE_HASH_LISTS: [&str; 2] = ["empty-hashes", "eicar.com"];

/// The list bits (within the `hashes` role) of [`CORE_HASH_LISTS`].
fn core_hash_bits(lists: &[ListMeta]) -> Result<u64> {
    let mut bits = 0u64;
    for want in CORE_HASH_LISTS {
        let i = lists.iter().position(|l| l.name == want).with_context(|| {
            format!("data/warninglists/hashes.json has no list {want} (tier-1 hashes)")
        })?;
        bits |= 1u64 << i;
    }
    Ok(bits)
}

/// `YYYY-MM-DD` → Unix seconds at 00:00 UTC (the `time` crate's proleptic Gregorian calendar).
fn unix_date(date: &str) -> Result<i64> {
    let mut it = date.split('-').map(str::parse::<i32>);
    let (Some(Ok(y)), Some(Ok(m)), Some(Ok(d))) = (it.next(), it.next(), it.next()) else {
        bail!("bad date {date}")
    };
    let month = u8::try_from(m).ok().and_then(|m| time::Month::try_from(m).ok());
    let day = u8::try_from(d).ok();
    let (Some(month), Some(day)) = (month, day) else { bail!("bad date {date}") };
    let date = time::Date::from_calendar_date(y, month, day)
        .with_context(|| format!("bad date {date}"))?;
    Ok((i64::from(date.to_julian_day()) - 2_440_588) * 86_400)
}

struct SectionRef {
    name: String,
    tier: u8,
    off: usize,
    len: usize,
}

pub(crate) fn generate(root: &Path) -> Result<Vec<Output>> {
    Ok(build(root)?.0)
}

pub(crate) fn blobs(root: &Path) -> Result<Vec<BlobOutput>> {
    Ok(build(root)?.1)
}

#[expect(clippy::disallowed_methods, reason = "xtask reads data/: the I/O ban is for core")]
fn build(root: &Path) -> Result<(Vec<Output>, Vec<BlobOutput>)> {
    let mut metas: Vec<ListMeta> = Vec::new();
    let mut role_first: Vec<usize> = Vec::new();
    let mut sections: Vec<SectionRef> = Vec::new();
    let mut tier1 = Blob::default();
    let mut tier2 = Blob::default();
    for (ri, &(role, tier)) in ROLES.iter().enumerate() {
        role_first.push(metas.len());
        let first = metas.len();
        let mut t = load_role(root, role, first, &mut metas, ri)?;
        if role == "hashes" {
            // The few hashes every host must call benign (the empty file, EICAR) go to tier 1, so a WASM build
            // (tier 1 only) answers them as the CLI does; the rest of the role stays in tier 2.
            let core = core_hash_bits(&metas[first..])?;
            let mut names = BTreeMap::new();
            t.names.retain(|name, (exact, sub)| {
                if (*exact | *sub) & core != 0 {
                    names.insert(name.clone(), (*exact & core, *sub & core));
                }
                *exact &= !core;
                *sub &= !core;
                *exact | *sub != 0
            });
            let (off, len) = tier1.section(&names_section(&names));
            sections.push(SectionRef { name: "HASHES_CORE_NAMES".into(), tier: 1, off, len });
        }
        let blob = if tier == 1 { &mut tier1 } else { &mut tier2 };
        let (off, len) = blob.section(&v4_section(&segments(&t.v4)));
        sections.push(SectionRef { name: format!("{}_V4", role.to_uppercase()), tier, off, len });
        let (off, len) = blob.section(&v6_section(&segments(&t.v6)));
        sections.push(SectionRef { name: format!("{}_V6", role.to_uppercase()), tier, off, len });
        let (off, len) = blob.section(&names_section(&t.names));
        sections.push(SectionRef {
            name: format!("{}_NAMES", role.to_uppercase()),
            tier,
            off,
            len,
        });
    }

    // Maltrail families (tier 1: small and needed to name a family and its ATT&CK ids).
    let fam_text = std::fs::read_to_string(root.join("data/intel/maltrail_families.json"))?;
    let fam_doc: Value = serde_json::from_str(&fam_text)?;
    let fams = fam_doc["families"].as_object().context("families")?;
    let fam_names: Vec<&String> = fams.keys().collect(); // serde_json map: sorted (BTreeMap)
    let fam_index: BTreeMap<&str, u16> = fam_names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), u16::try_from(i).unwrap_or(u16::MAX)))
        .collect();

    // IPsum (tier 2).
    let ipsum_text = std::fs::read_to_string(root.join("data/intel/ipsum.tsv"))?;
    let ipsum_header =
        ipsum_text.lines().next().unwrap_or_default().trim_start_matches("# ").to_owned();
    let mut ipsum: BTreeMap<u32, u16> = BTreeMap::new();
    for line in ipsum_text.lines().skip(2) {
        let mut it = line.split('\t');
        let (Some(ip), Some(n)) = (it.next(), it.next()) else { continue };
        let ip: Ipv4Addr = ip.parse().with_context(|| format!("ipsum ip {ip}"))?;
        ipsum.insert(u32::from(ip), n.parse()?);
    }
    let (off, len) = tier2.section(&keyed_v4_section(&ipsum));
    sections.push(SectionRef { name: "IPSUM".into(), tier: 2, off, len });

    // Maltrail indicators (tier 2): IPs (ip, ip_port; `ip:port` and `[v6]:port` also as a URL trail), domains (name or subdomain), URLs (scheme-less, exact
    // or prefix), path-only URL trails.
    let mt_text = std::fs::read_to_string(root.join("data/intel/maltrail_iocs.tsv"))?;
    let mut mt_ip: BTreeMap<u32, u16> = BTreeMap::new();
    let mut mt_dom: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let mut mt_url: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let mut mt_path: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for line in mt_text.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let [ind, kind, fam, _cat] = cols[..] else { continue };
        let Some(&fi) = fam_index.get(fam) else { continue };
        let v = u64::from(fi) + 1;
        // `[v6]:port` (Maltrail files these under any kind): the exact `ip:port` in the URL trail table, keyed as
        // the core writes an IPv6 `ip:port` value (`[` + `Ipv6Addr`'s text + `]:port`).
        if let Some((host, port)) = ind.strip_prefix('[').and_then(|r| r.split_once("]:"))
            && let (Ok(ip), Ok(port)) = (host.parse::<std::net::Ipv6Addr>(), port.parse::<u16>())
        {
            mt_url.entry(format!("[{ip}]:{port}")).or_insert((v, v));
            continue;
        }
        match kind {
            "ip" | "ip_port" => {
                let host = ind.rsplit_once(':').map_or(ind, |(h, _)| h);
                if let Ok(ip) = host.parse::<Ipv4Addr>() {
                    mt_ip.entry(u32::from(ip)).or_insert(fi);
                    if kind == "ip_port" {
                        // The exact `ip:port` too, in the URL trail table: `ip:port` lookups and URLs on that
                        // port match it exactly.
                        mt_url.entry(ind.to_owned()).or_insert((v, v));
                    }
                }
            }
            "domain" => {
                mt_dom.entry(ind.to_ascii_lowercase()).or_insert((v, v));
            }
            "url" => {
                let s = ind
                    .strip_prefix("http://")
                    .or_else(|| ind.strip_prefix("https://"))
                    .unwrap_or(ind);
                if s.starts_with('/') {
                    mt_path.entry(s.to_owned()).or_insert((v, v));
                } else {
                    let s = s.trim_end_matches('/');
                    // Host lower-case; path as written.
                    let (h, p) = s.split_once('/').map_or((s, ""), |(h, p)| (h, p));
                    let key = if p.is_empty() {
                        h.to_ascii_lowercase()
                    } else {
                        format!("{}/{p}", h.to_ascii_lowercase())
                    };
                    mt_url.entry(key).or_insert((v, v));
                }
            }
            _ => {}
        }
    }
    for (name, map) in
        [("MALTRAIL_DOMAINS", &mt_dom), ("MALTRAIL_URLS", &mt_url), ("MALTRAIL_PATHS", &mt_path)]
    {
        let (off, len) = tier2.section(&names_section(map));
        sections.push(SectionRef { name: name.into(), tier: 2, off, len });
    }
    let (off, len) = tier2.section(&keyed_v4_section(&mt_ip));
    sections.push(SectionRef { name: "MALTRAIL_IPS".into(), tier: 2, off, len });

    // ---- intel.rs ----
    let mut rs = header("data/warninglists/*.json, data/intel/*, data/cve/kev.json");
    rs.push_str("#![allow(clippy::unreadable_literal, reason = \"generated tables\")]\n\n");
    rs.push_str("use crate::intel::{Role, Section, ListMeta};\n\n");
    let _ = writeln!(rs, "/// Snapshot commits and dates of the embedded evidence.");
    let _ = writeln!(rs, "pub(crate) const DATA_VERSION: &str = {DATA_VERSION:?};");
    let _ = writeln!(rs, "/// Date of the newest embedded source snapshot.");
    let _ = writeln!(rs, "pub(crate) const DATA_DATE: &str = {DATA_DATE:?};");
    let _ = writeln!(
        rs,
        "/// `DATA_DATE` at 00:00 UTC as Unix seconds (the evidence date that decay starts from)."
    );
    let _ = writeln!(rs, "pub(crate) const DATA_DATE_UNIX: i64 = {};", unix_date(DATA_DATE)?);
    let _ = writeln!(rs, "/// `IPsum` feed header.");
    let _ = writeln!(rs, "pub(crate) const IPSUM_VERSION: &str = {ipsum_header:?};\n");
    let _ = writeln!(
        rs,
        "/// Every warninglist, grouped by role (a role's lists are contiguous; bit i = `ROLE_FIRST[role] + i`)."
    );
    let _ = writeln!(rs, "pub(crate) static LISTS: [ListMeta; {}] = [", metas.len());
    let role_variants = [
        "Reserved",
        "Sinkholes",
        "Scanners",
        "PopularDomains",
        "ProviderIpRanges",
        "VpnRanges",
        "DnsResolvers",
        "AbusableServices",
        "Hashes",
        "Email",
    ];
    for m in &metas {
        let _ = writeln!(
            rs,
            "    ListMeta {{ role: Role::{}, name: {:?}, kind: {:?}, version: {:?}, entries: {} }},",
            role_variants[m.role], m.name, m.kind, m.version, m.entries
        );
    }
    rs.push_str("];\n\n");
    let _ = writeln!(rs, "/// Index in `LISTS` of each role's first list, in `Role` order.");
    let _ = writeln!(
        rs,
        "pub(crate) static ROLE_FIRST: [usize; {}] = {:?};\n",
        role_first.len(),
        role_first
    );
    for s in &sections {
        let _ = writeln!(
            rs,
            "pub(crate) const {}: Section = Section {{ tier: {}, off: {}, len: {} }};",
            s.name, s.tier, s.off, s.len
        );
    }
    rs.push('\n');

    // Families.
    write_families(&mut rs, fams, &fam_names)?;

    // KEV: (year << 32 | number, ransomware).
    let kev_text = std::fs::read_to_string(root.join("data/cve/kev.json"))?;
    let kev: Value = serde_json::from_str(&kev_text)?;
    let mut kevs: BTreeSet<(u64, bool, String)> = BTreeSet::new();
    for v in kev["vulnerabilities"].as_array().context("kev")? {
        let id = v["cve"].as_str().context("cve")?;
        let mut parts = id.trim_start_matches("CVE-").split('-');
        let y: u64 = parts.next().unwrap_or_default().parse()?;
        let n: u64 = parts.next().unwrap_or_default().parse()?;
        kevs.insert((
            (y << 32) | n,
            v["ransomware"].as_bool().unwrap_or(false),
            v["dateAdded"].as_str().unwrap_or("").to_owned(),
        ));
    }
    let _ = writeln!(rs, "/// CISA KEV catalogue version.");
    let _ = writeln!(
        rs,
        "pub(crate) const KEV_VERSION: &str = {:?};",
        kev["catalogVersion"].as_str().unwrap_or("")
    );
    let _ = writeln!(
        rs,
        "/// CISA KEV: `(year << 32 | number, known ransomware use, date added)`, sorted."
    );
    let _ = writeln!(rs, "pub(crate) static KEV: [(u64, bool, &str); {}] = [", kevs.len());
    for (k, r, d) in &kevs {
        let _ = writeln!(rs, "    ({k}, {r}, {d:?}),");
    }
    rs.push_str("];\n\n");

    // Suspicious TLDs.
    let tlds_text = std::fs::read_to_string(root.join("data/intel/suspicious_tlds.txt"))?;
    let tlds: BTreeSet<&str> =
        tlds_text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect();
    let tlds: Vec<&str> = tlds.into_iter().collect();
    let _ = writeln!(rs, "/// TLDs Maltrail flags as suspicious, sorted.");
    let _ = writeln!(rs, "pub(crate) static SUSPICIOUS_TLDS: [&str; {}] = {:?};", tlds.len(), tlds);

    // Maltrail trails of DGA-using families (data/ml/dga_sample.csv): a hit on one maps to T1568.002.
    let dga_text = std::fs::read_to_string(root.join("data/ml/dga_sample.csv"))?;
    let dga: BTreeSet<&str> =
        dga_text.lines().skip(1).filter_map(|l| l.rsplit(',').next()).map(str::trim).collect();
    let dga: Vec<&str> = dga.into_iter().collect();
    let _ = writeln!(
        rs,
        "\n/// Maltrail trails of families that use a domain generation algorithm, sorted."
    );
    let _ = writeln!(rs, "pub(crate) static DGA_FAMILIES: [&str; {}] = {:?};", dga.len(), dga);

    let outputs = vec![Output { path: "core/src/generated/intel.rs".into(), contents: rs }];
    let blobs = vec![
        BlobOutput { path: "core/src/generated/intel_tier1.bin".into(), bytes: tier1.bytes },
        BlobOutput { path: "core/src/generated/intel_tier2.bin".into(), bytes: tier2.bytes },
    ];
    Ok((outputs, blobs))
}

/// Writes the Maltrail families without a pointer per row (a `[Family; 3102]` of `&str` fields cost ~14 KB gzip
/// per WASM module): names concatenated with `u32` start offsets, a flag byte (category index, bit 2 `by_alias`)
/// and a `u16` index into the few distinct ATT&CK id lists for software and for groups. Read by
/// `family_at` in `core/src/intel/mod.rs`.
fn write_families(
    rs: &mut String,
    fams: &serde_json::Map<String, Value>,
    fam_names: &[&String],
) -> Result<()> {
    let mut categories: Vec<&str> = Vec::new();
    let mut lists: Vec<Vec<String>> = vec![Vec::new()];
    let mut names = String::new();
    let mut starts = vec![0u32];
    let (mut flags, mut software, mut groups) = (Vec::new(), Vec::new(), Vec::new());
    let mut list_index = |ids: Vec<String>| -> Result<u16> {
        let i = if let Some(i) = lists.iter().position(|l| *l == ids) {
            i
        } else {
            lists.push(ids);
            lists.len() - 1
        };
        Ok(u16::try_from(i)?)
    };
    for name in fam_names {
        let f = &fams[name.as_str()];
        let strs = |k: &str| -> Vec<String> {
            f[k].as_array()
                .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_owned)).collect())
                .unwrap_or_default()
        };
        let category = f["category"].as_str().unwrap_or("malware");
        let c = categories.iter().position(|c| *c == category).unwrap_or_else(|| {
            categories.push(category);
            categories.len() - 1
        });
        if c > 3 {
            bail!("more than 4 Maltrail categories");
        }
        let by_alias = strs("attack_software").is_empty() && strs("attack_groups").is_empty();
        flags.push(u8::try_from(c)? | if by_alias { 4 } else { 0 });
        let soft = strs("attack_software");
        software.push(list_index(if soft.is_empty() {
            strs("attack_software_alias")
        } else {
            soft
        })?);
        let grp = strs("attack_groups");
        groups.push(list_index(if grp.is_empty() { strs("attack_groups_alias") } else { grp })?);
        names.push_str(name);
        starts.push(u32::try_from(names.len())?);
    }
    let n = fam_names.len();
    let _ = writeln!(
        rs,
        "/// Maltrail trails (families), sorted by name: family `i` is \
         `FAMILY_NAMES[FAMILY_STARTS[i]..FAMILY_STARTS[i + 1]]`; `MALTRAIL_*` values are family indices.\n\
         pub(crate) static FAMILY_NAMES: &str = {names:?};\n\n\
         pub(crate) static FAMILY_STARTS: [u32; {}] = {starts:?};\n\n\
         /// Per family: bits 0–1 index into `FAMILY_CATEGORIES`, bit 2 set when the ATT&CK ids came from an alias.\n\
         pub(crate) static FAMILY_FLAGS: [u8; {n}] = {flags:?};\n\n\
         pub(crate) static FAMILY_CATEGORIES: [&str; {}] = {categories:?};\n\n\
         /// Per family: index into `FAMILY_ID_LISTS` of its ATT&CK software ids.\n\
         pub(crate) static FAMILY_SOFTWARE: [u16; {n}] = {software:?};\n\n\
         /// Per family: index into `FAMILY_ID_LISTS` of its ATT&CK group ids.\n\
         pub(crate) static FAMILY_GROUPS: [u16; {n}] = {groups:?};\n\n\
         /// The distinct ATT&CK id lists of the families.\n\
         pub(crate) static FAMILY_ID_LISTS: &[&[&str]] = &[{}];\n",
        starts.len(),
        categories.len(),
        lists.iter().map(|l| format!("&{l:?}")).collect::<Vec<_>>().join(", "),
    );
    Ok(())
}
