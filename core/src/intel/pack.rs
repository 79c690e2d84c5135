//! Intel packs: the live-intel tier `ioclens intel update` writes and every host reads in place.
//!
//! A pack is one little-endian binary blob, read where it lies (no decoding at load beyond one validation pass):
//!
//! ```text
//! header   72 B  magic "IOCLPACK", format version, counts, heap length, created_at, CIDR prefix-length bitmaps
//! sources  40 B each   name, category, format, default confidence, fetched_at, upstream_date, entry count
//! attrs    12 B each   distinct (family, tags) pairs, shared by the entries that carry them; attr 0 is empty
//! entries  28 B each   kind, confidence, source, value, attr, number, first_seen, last_seen (Unix seconds)
//! heap                 every string, UTF-8, deduplicated
//! trailer  32 B        SHA-256 of everything before it
//! ```
//!
//! Entries are sorted by (kind, value bytes, source), so a lookup is one binary search and the hits of one value
//! from several sources are adjacent. An IP is also matched against the CIDR entries of every prefix length the
//! pack holds (the header's bitmaps), one search per length. [`Pack::from_bytes`] checks magic, version, length
//! and the SHA-256 (run it once, when a pack is written, received or installed), then what [`Pack::open`] checks
//! at every load without hashing: every record's bounds, indexes and type code, and the sort order, so a lookup
//! on a pack that loaded cannot read out of bounds or miss a value. The writer ([`write()`]) is behind the
//! `intel-update` feature.
use crate::IocKind;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt::{self, Write as _};
use std::net::{Ipv4Addr, Ipv6Addr};

/// The first eight bytes of every pack.
pub const MAGIC: &[u8; 8] = b"IOCLPACK";
/// The pack format version this core reads and writes.
pub const FORMAT_VERSION: u32 = 1;
const HEADER: usize = 72;
const SOURCE_REC: usize = 40;
const ATTR_REC: usize = 12;
const ENTRY_REC: usize = 28;
const TRAILER: usize = 32;
const NO_NUMBER: u32 = u32::MAX;
const NO_CONFIDENCE: u8 = u8::MAX;

/// One source's metadata, as stored in a pack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceMeta {
    /// The catalogue name (`urlhaus-recent`).
    pub name: String,
    /// What a hit means (`malware`, `c2`, `blocklist` …).
    pub category: String,
    /// The format it was parsed as.
    pub format: String,
    /// Confidence (0–100) of entries that carry none of their own.
    pub confidence: u8,
    /// When the host fetched it (Unix seconds).
    pub fetched_at: i64,
    /// The publication date the source states (header, metadata line), when it states one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upstream_date: Option<i64>,
    /// Entries it contributed.
    pub entries: u32,
}

/// One indicator of one source: what a format parser yields and a pack stores.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The classified type.
    #[serde(rename = "type")]
    pub kind: IocKind,
    /// The canonical value (`core::classify`).
    pub value: String,
    /// First seen at the source (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<i64>,
    /// Last seen (online, reported) at the source: the date decay runs from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<i64>,
    /// Malware family or threat name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
    /// Source tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// The entry's own confidence (0–100), when the source gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<u8>,
    /// A count or measure: `IPsum` blocklist count, EPSS probability in parts per million.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<u32>,
}

impl Entry {
    /// An entry with only a type and value.
    pub fn new(kind: IocKind, value: String) -> Entry {
        Entry {
            kind,
            value,
            first_seen: None,
            last_seen: None,
            family: None,
            tags: Vec::new(),
            confidence: None,
            number: None,
        }
    }
}

/// Why a pack could not be read (or written).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PackError {
    /// Fewer bytes than a header and trailer.
    TooShort(usize),
    /// The first bytes are not [`MAGIC`].
    BadMagic,
    /// A format version this core does not read.
    UnsupportedVersion(u32),
    /// The header's counts do not add up to the byte length (a truncated or padded file).
    LengthMismatch {
        /// Bytes the header announces.
        expected: u64,
        /// Bytes present.
        actual: u64,
    },
    /// The SHA-256 trailer does not match the content.
    Checksum,
    /// A record points outside the pack, is not UTF-8 or is out of order.
    Corrupt(String),
    /// The writer was given more than the format holds.
    TooLarge(&'static str),
}

impl fmt::Display for PackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PackError::TooShort(n) => write!(f, "intel pack too short ({n} bytes)"),
            PackError::BadMagic => f.write_str("not an ioclens intel pack (bad magic)"),
            PackError::UnsupportedVersion(v) => {
                write!(
                    f,
                    "intel pack format version {v} is not supported (this build reads {FORMAT_VERSION})"
                )
            }
            PackError::LengthMismatch { expected, actual } => {
                write!(
                    f,
                    "intel pack truncated or padded: header announces {expected} bytes, found {actual}"
                )
            }
            PackError::Checksum => f.write_str("intel pack checksum mismatch (corrupt file)"),
            PackError::Corrupt(what) => write!(f, "corrupt intel pack: {what}"),
            PackError::TooLarge(what) => write!(f, "intel pack too large: {what}"),
        }
    }
}

impl std::error::Error for PackError {}

/// The stable one-byte code of a kind in a pack (never the enum's position: reordering `IocKind` must not
/// change packs on disk).
fn kind_code(kind: IocKind) -> u8 {
    match kind {
        IocKind::Ipv4 => 1,
        IocKind::Ipv6 => 2,
        IocKind::Cidr => 3,
        IocKind::Domain => 4,
        IocKind::Url => 5,
        IocKind::Email => 6,
        IocKind::Md5 => 7,
        IocKind::Sha1 => 8,
        IocKind::Sha256 => 9,
        IocKind::Sha512 => 10,
        IocKind::Cve => 11,
        IocKind::Attack => 12,
        IocKind::Asn => 13,
        IocKind::Btc => 14,
        IocKind::FilePath => 15,
        IocKind::RegistryKey => 16,
        IocKind::Unknown => 0,
    }
}

fn kind_from_code(code: u8) -> Option<IocKind> {
    IocKind::ALL.into_iter().find(|k| *k != IocKind::Unknown && kind_code(*k) == code)
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}
fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}
fn u64_at(b: &[u8], at: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(a)
}
fn i64_at(b: &[u8], at: usize) -> i64 {
    u64_at(b, at).cast_signed()
}

fn time_from_u32(t: u32) -> Option<i64> {
    (t != 0).then_some(i64::from(t))
}

/// Where the sections of a validated pack lie (what [`Pack::open`] computed once).
#[derive(Debug, Clone, Copy)]
struct Index {
    n_sources: usize,
    n_attrs: usize,
    n_entries: usize,
    sources_at: usize,
    attrs_at: usize,
    entries_at: usize,
    heap_at: usize,
    heap_len: usize,
    created_at: i64,
    v4_prefixes: u64,
    v6_prefixes: [u64; 3],
    /// `kinds[c]..kinds[c + 1]`: the entries of type code `c` (entries are sorted by type first).
    kinds: [u32; KIND_CODES + 1],
}

/// A validated pack, borrowing its bytes.
#[derive(Debug, Clone, Copy)]
pub struct Pack<'a> {
    bytes: &'a [u8],
    ix: Index,
}

/// A validated pack that owns its bytes: what a long-lived host (the server, a WASM module) keeps loaded.
#[derive(Debug, Clone)]
pub struct LoadedPack {
    bytes: Vec<u8>,
    ix: Index,
}

impl LoadedPack {
    /// [`Pack::open`] on owned bytes.
    pub fn open(bytes: Vec<u8>) -> Result<LoadedPack, PackError> {
        let ix = Pack::open(&bytes)?.ix;
        Ok(LoadedPack { bytes, ix })
    }

    /// [`Pack::from_bytes`] (checksum too) on owned bytes.
    pub fn verify(bytes: Vec<u8>) -> Result<LoadedPack, PackError> {
        let ix = Pack::from_bytes(&bytes)?.ix;
        Ok(LoadedPack { bytes, ix })
    }

    /// The pack, to look values up in.
    pub fn pack(&self) -> Pack<'_> {
        Pack { bytes: &self.bytes, ix: self.ix }
    }

    /// The pack's bytes (what a server publishes).
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

/// Type codes are 1..=16; 0 is unused.
const KIND_CODES: usize = 17;

/// One pack entry that matched a lookup, with its source's metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackHit<'a> {
    /// The source name.
    pub source: &'a str,
    /// The source category.
    pub category: &'a str,
    /// The format the source was parsed as (`ipsum`, `kev-json` …): says when a source is a fresh copy of an
    /// embedded one.
    pub format: &'a str,
    /// The stored value that matched (a CIDR for an address inside a listed network).
    pub matched: &'a str,
    /// The stored value's type.
    #[serde(rename = "type")]
    pub kind: IocKind,
    /// The entry's confidence, else the source's.
    pub confidence: u8,
    /// First seen at the source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<i64>,
    /// Last seen at the source (else the source's upstream date): the date decay runs from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<i64>,
    /// The source's publication date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upstream_date: Option<i64>,
    /// When the host fetched the source.
    pub fetched_at: i64,
    /// Family or threat name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub family: Option<&'a str>,
    /// Comma-joined tags (empty when none).
    #[serde(skip_serializing_if = "str::is_empty")]
    pub tags: &'a str,
    /// Count or measure (`IPsum` lists, EPSS parts per million).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<u32>,
}

struct SourceView<'a> {
    name: &'a str,
    category: &'a str,
    format: &'a str,
    confidence: u8,
    fetched_at: i64,
    upstream_date: Option<i64>,
    entries: u32,
}

impl<'a> Pack<'a> {
    /// Validates `bytes` as a pack, checksum included: magic, version, length, the SHA-256 trailer, then every
    /// record as [`Pack::open`] does. Run it when a pack is written, received or installed (it hashes the whole
    /// file); [`Pack::open`] is the cheap check for loading a pack that passed it.
    pub fn from_bytes(bytes: &'a [u8]) -> Result<Pack<'a>, PackError> {
        Self::header(bytes)?;
        let body = bytes.len() - TRAILER;
        if Sha256::digest(&bytes[..body]).as_slice() != &bytes[body..] {
            return Err(PackError::Checksum);
        }
        Self::open(bytes)
    }

    /// Validates `bytes` as a pack without hashing it: magic, version, length, every record's bounds, type code
    /// and source/attribute index, and the sort order, so a lookup can neither read out of bounds nor miss a
    /// value. Strings are checked as UTF-8 when read (a string that is not reads as empty and matches nothing).
    /// The SHA-256 trailer is [`Pack::from_bytes`]' job, done once when the pack is installed.
    pub fn open(bytes: &'a [u8]) -> Result<Pack<'a>, PackError> {
        let (n_sources, n_attrs, n_entries, heap_len) = Self::header(bytes)?;
        let sources_at = HEADER;
        let attrs_at = sources_at + n_sources * SOURCE_REC;
        let entries_at = attrs_at + n_attrs * ATTR_REC;
        let heap_at = entries_at + n_entries * ENTRY_REC;
        let mut pack = Pack {
            bytes,
            ix: Index {
                n_sources,
                n_attrs,
                n_entries,
                sources_at,
                attrs_at,
                entries_at,
                heap_at,
                heap_len,
                created_at: i64_at(bytes, 32),
                v4_prefixes: u64_at(bytes, 40),
                v6_prefixes: [u64_at(bytes, 48), u64_at(bytes, 56), u64_at(bytes, 64)],
                kinds: [0; KIND_CODES + 1],
            },
        };
        pack.validate_records()?;
        Ok(pack)
    }

    /// Magic, version and length: `(sources, attributes, entries, heap bytes)`.
    fn header(bytes: &[u8]) -> Result<(usize, usize, usize, usize), PackError> {
        if bytes.len() < HEADER + TRAILER {
            return Err(PackError::TooShort(bytes.len()));
        }
        if &bytes[..8] != MAGIC {
            return Err(PackError::BadMagic);
        }
        let version = u32_at(bytes, 8);
        if version != FORMAT_VERSION {
            return Err(PackError::UnsupportedVersion(version));
        }
        let n_sources = u32_at(bytes, 12) as usize;
        let n_attrs = u32_at(bytes, 16) as usize;
        let n_entries = u32_at(bytes, 20) as usize;
        let heap_len = u32_at(bytes, 24) as usize;
        let expected = (HEADER as u64)
            + (n_sources as u64) * (SOURCE_REC as u64)
            + (n_attrs as u64) * (ATTR_REC as u64)
            + (n_entries as u64) * (ENTRY_REC as u64)
            + heap_len as u64
            + TRAILER as u64;
        if expected != bytes.len() as u64 {
            return Err(PackError::LengthMismatch { expected, actual: bytes.len() as u64 });
        }
        Ok((n_sources, n_attrs, n_entries, heap_len))
    }

    fn str_ok(&self, off: u32, len: usize) -> bool {
        (off as usize).checked_add(len).is_some_and(|e| e <= self.ix.heap_len)
    }

    /// The heap bytes of one string (bounds were checked by `open`).
    fn heap_bytes(&self, off: u32, len: u16) -> &'a [u8] {
        let s = self.ix.heap_at + off as usize;
        self.bytes.get(s..s + len as usize).unwrap_or(&[])
    }

    fn validate_records(&mut self) -> Result<(), PackError> {
        let b = self.bytes;
        let ix = self.ix;
        for i in 0..ix.n_sources {
            let at = ix.sources_at + i * SOURCE_REC;
            for (o, l) in [(0, 4), (6, 10), (12, 16)] {
                if !self.str_ok(u32_at(b, at + o), u16_at(b, at + l) as usize) {
                    return Err(PackError::Corrupt(format!("source {i} string out of bounds")));
                }
            }
        }
        for i in 0..ix.n_attrs {
            let at = ix.attrs_at + i * ATTR_REC;
            for (o, l) in [(0, 4), (6, 10)] {
                if !self.str_ok(u32_at(b, at + o), u16_at(b, at + l) as usize) {
                    return Err(PackError::Corrupt(format!("attribute {i} string out of bounds")));
                }
            }
        }
        let mut prev: (u8, &[u8], u16) = (0, &[], 0);
        let mut counts = [0u32; KIND_CODES];
        for (i, rec) in b[ix.entries_at..ix.heap_at].chunks_exact(ENTRY_REC).enumerate() {
            let code = rec[0];
            if code == 0 || usize::from(code) >= KIND_CODES {
                return Err(PackError::Corrupt(format!("entry {i} has unknown type code {code}")));
            }
            let source = u16_at(rec, 2);
            if source as usize >= ix.n_sources || u32_at(rec, 12) as usize >= ix.n_attrs {
                return Err(PackError::Corrupt(format!(
                    "entry {i} names a missing source or attribute"
                )));
            }
            let (off, len) = (u32_at(rec, 4), u16_at(rec, 8));
            if !self.str_ok(off, len as usize) {
                return Err(PackError::Corrupt(format!("entry {i} value out of bounds")));
            }
            let key = (code, self.heap_bytes(off, len), source);
            if i > 0 && prev >= key {
                return Err(PackError::Corrupt(format!("entry {i} out of order")));
            }
            prev = key;
            counts[usize::from(code)] += 1;
        }
        for (c, n) in counts.into_iter().enumerate() {
            self.ix.kinds[c + 1] = self.ix.kinds[c] + n;
        }
        Ok(())
    }

    /// Entries in the pack.
    pub fn len(&self) -> usize {
        self.ix.n_entries
    }

    /// The pack holds no entries.
    pub fn is_empty(&self) -> bool {
        self.ix.n_entries == 0
    }

    /// When the pack was written (Unix seconds, the host's clock at update time).
    pub fn created_at(&self) -> i64 {
        self.ix.created_at
    }

    /// One heap string; one that is not UTF-8 reads as empty.
    fn heap_str(&self, off: u32, len: u16) -> &'a str {
        std::str::from_utf8(self.heap_bytes(off, len)).unwrap_or("")
    }

    fn source(&self, i: usize) -> SourceView<'a> {
        let b = self.bytes;
        let at = self.ix.sources_at + i * SOURCE_REC;
        let upstream = i64_at(b, at + 28);
        SourceView {
            name: self.heap_str(u32_at(b, at), u16_at(b, at + 4)),
            category: self.heap_str(u32_at(b, at + 6), u16_at(b, at + 10)),
            format: self.heap_str(u32_at(b, at + 12), u16_at(b, at + 16)),
            confidence: b[at + 18],
            fetched_at: i64_at(b, at + 20),
            upstream_date: (upstream != i64::MIN).then_some(upstream),
            entries: u32_at(b, at + 36),
        }
    }

    /// Every source's name and format, in pack order, without allocating.
    pub fn source_names(&self) -> impl Iterator<Item = (&'a str, &'a str)> + use<'a> {
        let p = *self;
        (0..p.ix.n_sources).map(move |i| {
            let s = p.source(i);
            (s.name, s.format)
        })
    }

    /// Every source's metadata, in pack order.
    pub fn sources(&self) -> Vec<SourceMeta> {
        (0..self.ix.n_sources)
            .map(|i| {
                let s = self.source(i);
                SourceMeta {
                    name: s.name.to_owned(),
                    category: s.category.to_owned(),
                    format: s.format.to_owned(),
                    confidence: s.confidence,
                    fetched_at: s.fetched_at,
                    upstream_date: s.upstream_date,
                    entries: s.entries,
                }
            })
            .collect()
    }

    fn key(&self, i: usize) -> (u8, &'a [u8]) {
        let at = self.ix.entries_at + i * ENTRY_REC;
        let b = self.bytes;
        (b[at], self.heap_bytes(u32_at(b, at + 4), u16_at(b, at + 8)))
    }

    fn hit(&self, i: usize) -> PackHit<'a> {
        let b = self.bytes;
        let at = self.ix.entries_at + i * ENTRY_REC;
        let src = self.source(u16_at(b, at + 2) as usize);
        let attr = self.ix.attrs_at + u32_at(b, at + 12) as usize * ATTR_REC;
        let family = self.heap_str(u32_at(b, attr), u16_at(b, attr + 4));
        let number = u32_at(b, at + 16);
        let own_conf = b[at + 1];
        PackHit {
            source: src.name,
            category: src.category,
            format: src.format,
            matched: self.heap_str(u32_at(b, at + 4), u16_at(b, at + 8)),
            kind: kind_from_code(b[at]).unwrap_or(IocKind::Unknown),
            confidence: if own_conf == NO_CONFIDENCE { src.confidence } else { own_conf },
            first_seen: time_from_u32(u32_at(b, at + 20)),
            last_seen: time_from_u32(u32_at(b, at + 24)).or(src.upstream_date),
            upstream_date: src.upstream_date,
            fetched_at: src.fetched_at,
            family: (!family.is_empty()).then_some(family),
            tags: self.heap_str(u32_at(b, attr + 6), u16_at(b, attr + 10)),
            number: (number != NO_NUMBER).then_some(number),
        }
    }

    fn exact(&self, code: u8, value: &str, out: &mut Vec<PackHit<'a>>) {
        let needle = (code, value.as_bytes());
        let c = usize::from(code).min(KIND_CODES - 1);
        let (mut lo, mut hi) = (self.ix.kinds[c] as usize, self.ix.kinds[c + 1] as usize);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.key(mid) < needle {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        let end = self.ix.kinds[c + 1] as usize;
        while lo < end && self.key(lo) == needle {
            out.push(self.hit(lo));
            lo += 1;
        }
    }

    /// Every entry for a canonical value of `kind` (the `canonical` of `core::classify`), from every source; an
    /// IPv4/IPv6 address also matches the listed networks that contain it.
    pub fn lookup(&self, kind: IocKind, canonical: &str) -> Vec<PackHit<'a>> {
        let mut out = Vec::new();
        if kind == IocKind::Unknown {
            return out;
        }
        self.exact(kind_code(kind), canonical, &mut out);
        let cidr = kind_code(IocKind::Cidr);
        match kind {
            IocKind::Ipv4 => {
                if let Ok(ip) = crate::normalize::ip::parse_v4(canonical) {
                    let v = u32::from(ip);
                    let mut key = String::with_capacity(24);
                    for len in (0..=32u32).rev().filter(|l| self.ix.v4_prefixes >> l & 1 == 1) {
                        let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
                        key.clear();
                        let _ = write!(key, "{}/{len}", Ipv4Addr::from(v & mask));
                        self.exact(cidr, &key, &mut out);
                    }
                }
            }
            IocKind::Ipv6 => {
                if let Ok(ip) = crate::normalize::ip::parse_v6(canonical) {
                    let v = u128::from(ip);
                    for len in (0..=128u32)
                        .rev()
                        .filter(|l| self.ix.v6_prefixes[(l / 64) as usize] >> (l % 64) & 1 == 1)
                    {
                        let mask = if len == 0 { 0 } else { u128::MAX << (128 - len) };
                        let net = crate::normalize::ip::format_v6(Ipv6Addr::from(v & mask));
                        self.exact(cidr, &format!("{net}/{len}"), &mut out);
                    }
                }
            }
            _ => {}
        }
        out
    }
}

/// One source's entries, handed to [`write()`].
#[cfg(feature = "intel-update")]
#[derive(Debug, Clone)]
pub struct SourceData {
    /// Its metadata (`entries` is recomputed by the writer).
    pub meta: SourceMeta,
    /// Its entries (canonical values; duplicates are merged).
    pub entries: Vec<Entry>,
}

#[cfg(feature = "intel-update")]
fn time_to_u32(t: Option<i64>) -> u32 {
    t.and_then(|t| u32::try_from(t).ok()).unwrap_or(0)
}

/// Writes a pack of `sources` (the writer half, feature `intel-update`). `created_at` is the host's clock.
/// Entries with the same type, value and source merge (earliest first seen, latest last seen).
#[cfg(feature = "intel-update")]
pub fn write(sources: &[SourceData], created_at: i64) -> Result<Vec<u8>, PackError> {
    use std::collections::HashMap;

    struct Heap<'s> {
        bytes: Vec<u8>,
        seen: HashMap<&'s str, u32>,
    }
    impl<'s> Heap<'s> {
        fn put(&mut self, s: &'s str) -> Result<(u32, u16), PackError> {
            let len = u16::try_from(s.len())
                .map_err(|_| PackError::TooLarge("a string longer than 65,535 bytes"))?;
            if let Some(&off) = self.seen.get(s) {
                return Ok((off, len));
            }
            let off = u32::try_from(self.bytes.len())
                .map_err(|_| PackError::TooLarge("string heap over 4 GiB"))?;
            self.bytes.extend_from_slice(s.as_bytes());
            self.seen.insert(s, off);
            Ok((off, len))
        }
    }
    struct Rec<'s> {
        code: u8,
        value: &'s str,
        source: u16,
        conf: u8,
        attr: u32,
        number: u32,
        first: u32,
        last: u32,
    }

    if sources.len() > usize::from(u16::MAX) {
        return Err(PackError::TooLarge("more than 65,535 sources"));
    }
    let mut heap = Heap { bytes: Vec::new(), seen: HashMap::new() };
    let mut attr_ids: HashMap<(&str, String), u32> = HashMap::new();
    let mut attrs: Vec<(u32, u16, u32, u16)> = vec![(0, 0, 0, 0)];
    attr_ids.insert(("", String::new()), 0);
    let mut recs: Vec<Rec> = Vec::with_capacity(sources.iter().map(|s| s.entries.len()).sum());
    let (mut v4, mut v6) = (0u64, [0u64; 3]);
    for (si, src) in sources.iter().enumerate() {
        for e in &src.entries {
            if e.kind == IocKind::Unknown || e.value.is_empty() {
                continue;
            }
            if e.kind == IocKind::Cidr
                && let Some(len) = e.value.rsplit_once('/').and_then(|(_, l)| l.parse::<u32>().ok())
            {
                if e.value.contains(':') && len <= 128 {
                    v6[(len / 64) as usize] |= 1 << (len % 64);
                } else if len <= 32 {
                    v4 |= 1 << len;
                }
            }
            let family = e.family.as_deref().unwrap_or("");
            let tags = e.tags.join(",");
            let attr = if let Some(&a) = attr_ids.get(&(family, tags.clone())) {
                a
            } else {
                let a = u32::try_from(attrs.len())
                    .map_err(|_| PackError::TooLarge("too many attributes"))?;
                let (fo, fl) = heap.put(family)?;
                let tl = u16::try_from(tags.len())
                    .map_err(|_| PackError::TooLarge("tags over 65,535 bytes"))?;
                let to = u32::try_from(heap.bytes.len())
                    .map_err(|_| PackError::TooLarge("heap over 4 GiB"))?;
                heap.bytes.extend_from_slice(tags.as_bytes());
                attrs.push((fo, fl, to, tl));
                attr_ids.insert((family, tags), a);
                a
            };
            recs.push(Rec {
                code: kind_code(e.kind),
                value: &e.value,
                source: si as u16,
                conf: e.confidence.map_or(NO_CONFIDENCE, |c| c.min(100)),
                attr,
                number: e.number.map_or(NO_NUMBER, |n| n.min(NO_NUMBER - 1)),
                first: time_to_u32(e.first_seen),
                last: time_to_u32(e.last_seen),
            });
        }
    }
    recs.sort_unstable_by(|a, b| {
        (a.code, a.value.as_bytes(), a.source).cmp(&(b.code, b.value.as_bytes(), b.source))
    });
    recs.dedup_by(|later, kept| {
        let same =
            later.code == kept.code && later.value == kept.value && later.source == kept.source;
        if same {
            if later.first != 0 && (kept.first == 0 || later.first < kept.first) {
                kept.first = later.first;
            }
            kept.last = kept.last.max(later.last);
            if kept.conf == NO_CONFIDENCE || (later.conf != NO_CONFIDENCE && later.conf > kept.conf)
            {
                kept.conf = later.conf;
            }
            if kept.number == NO_NUMBER || (later.number != NO_NUMBER && later.number > kept.number)
            {
                kept.number = later.number;
            }
        }
        same
    });
    let n_entries =
        u32::try_from(recs.len()).map_err(|_| PackError::TooLarge("more than 4 G entries"))?;
    let mut per_source = vec![0u32; sources.len()];
    let mut entry_bytes = Vec::with_capacity(recs.len() * ENTRY_REC);
    for r in &recs {
        per_source[r.source as usize] += 1;
        let (vo, vl) = heap.put(r.value)?;
        entry_bytes.push(r.code);
        entry_bytes.push(r.conf);
        entry_bytes.extend_from_slice(&r.source.to_le_bytes());
        entry_bytes.extend_from_slice(&vo.to_le_bytes());
        entry_bytes.extend_from_slice(&vl.to_le_bytes());
        entry_bytes.extend_from_slice(&0u16.to_le_bytes());
        entry_bytes.extend_from_slice(&r.attr.to_le_bytes());
        entry_bytes.extend_from_slice(&r.number.to_le_bytes());
        entry_bytes.extend_from_slice(&r.first.to_le_bytes());
        entry_bytes.extend_from_slice(&r.last.to_le_bytes());
    }
    let mut source_bytes = Vec::with_capacity(sources.len() * SOURCE_REC);
    for (src, count) in sources.iter().zip(&per_source) {
        let m = &src.meta;
        for s in [m.name.as_str(), m.category.as_str(), m.format.as_str()] {
            let (o, l) = heap.put(s)?;
            source_bytes.extend_from_slice(&o.to_le_bytes());
            source_bytes.extend_from_slice(&l.to_le_bytes());
        }
        source_bytes.push(m.confidence.min(100));
        source_bytes.push(0);
        source_bytes.extend_from_slice(&m.fetched_at.to_le_bytes());
        source_bytes.extend_from_slice(&m.upstream_date.unwrap_or(i64::MIN).to_le_bytes());
        source_bytes.extend_from_slice(&count.to_le_bytes());
    }
    let heap_len = u32::try_from(heap.bytes.len())
        .map_err(|_| PackError::TooLarge("string heap over 4 GiB"))?;
    let mut out = Vec::with_capacity(
        HEADER + source_bytes.len() + entry_bytes.len() + heap.bytes.len() + TRAILER,
    );
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(sources.len() as u32).to_le_bytes());
    out.extend_from_slice(&(attrs.len() as u32).to_le_bytes());
    out.extend_from_slice(&n_entries.to_le_bytes());
    out.extend_from_slice(&heap_len.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&created_at.to_le_bytes());
    out.extend_from_slice(&v4.to_le_bytes());
    for w in v6 {
        out.extend_from_slice(&w.to_le_bytes());
    }
    out.extend_from_slice(&source_bytes);
    for (fo, fl, to, tl) in attrs {
        out.extend_from_slice(&fo.to_le_bytes());
        out.extend_from_slice(&fl.to_le_bytes());
        out.extend_from_slice(&to.to_le_bytes());
        out.extend_from_slice(&tl.to_le_bytes());
    }
    out.extend_from_slice(&entry_bytes);
    out.extend_from_slice(&heap.bytes);
    let digest = Sha256::digest(&out);
    out.extend_from_slice(&digest);
    Ok(out)
}
