//! `extract`: every indicator in a text, with byte spans into the original. Never fails; linear time.
//!
//! Two linear passes (see `docs/extraction.md`): `view` rewrites defang markers and HTML entities into a
//! refanged view with a sparse offset map back to the original; `scan` walks the view word by word, hands
//! candidates to `validate` (the one place that decides validity and canonical form) and drops the hard
//! negatives of `filters`. Spans are mapped back, so `&text[span]` is always what was written.
use crate::{Diagnostic, IocKind, IpScope, Span};
use serde::{Deserialize, Serialize};

mod filters;
mod scan;
mod stream;
mod validate;
mod view;

pub use crate::attack::context::ContextMention;
pub use stream::{is_hard_separator, stream_cut};

/// One indicator found in the text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Extracted {
    /// Type.
    #[serde(rename = "type")]
    pub kind: IocKind,
    /// Canonical value (as `classify` would give).
    pub canonical: String,
    /// Where it stands in the original text. Never empty for an indicator found in text; empty (and then not
    /// serialized) only for a value computed rather than written, such as a document attachment's digests.
    #[serde(default, skip_serializing_if = "Span::is_empty")]
    pub span: Span,
    /// It was written defanged.
    pub defanged: bool,
    /// Implied by another indicator (the host of a URL, the domain of an e-mail), not written on its own.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub implied: bool,
    /// IPs: the special-purpose class (private IPs are extracted and flagged, never dropped).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<IpScope>,
    /// An address written `ip:port` or `[v6]:port` (Maltrail, `ThreatFox`, MISP `ip-dst|port`): the port; the
    /// span covers it (and the brackets).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
}

/// One distinct indicator with its number of mentions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UniqueIoc {
    /// Type.
    #[serde(rename = "type")]
    pub kind: IocKind,
    /// Canonical value.
    pub canonical: String,
    /// How many mentions.
    pub count: usize,
    /// The first mention.
    pub first: Span,
    /// Every mention is implied.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub implied: bool,
}

/// Everything found in one text.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Extraction {
    /// Every mention, in text order.
    pub iocs: Vec<Extracted>,
    /// De-duplicated view, in order of first mention.
    pub unique: Vec<UniqueIoc>,
    /// Malware, tool and actor names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub context: Vec<ContextMention>,
    /// Notes about skipped candidates and limits.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub diagnostics: Vec<Diagnostic>,
}

/// Like [`extract`], and also fills [`Extraction::context`] with the malware, tool and threat-actor names the text
/// mentions ([`crate::attack::context::find`]), which the ATT&CK mapping uses as `context` evidence. A second pass
/// over the text (Aho-Corasick, linear), so the plain [`extract`] stays the fast path for bulk extraction.
pub fn extract_with_context(text: &str) -> Extraction {
    let mut ex = extract(text);
    ex.context = crate::attack::context::find(text);
    ex
}

/// Extracts every indicator from `text`. Never fails, never panics; time and memory are linear in the input.
///
/// ```
/// let ex = ioclens_core::extract("C2 at hxxps://evil[.]com/gate.php, also 8.8.8[.]8.");
/// let found: Vec<_> = ex.iocs.iter().filter(|i| !i.implied).map(|i| i.canonical.as_str()).collect();
/// assert_eq!(found, ["https://evil.com/gate.php", "8.8.8.8"]);
/// ```
pub fn extract(text: &str) -> Extraction {
    let view = view::View::new(text);
    let defanged_at = |s: usize, e: usize| view.defanged(s, e);
    let mut scanner = scan::Scanner::new(&view.text, &defanged_at);
    scanner.run();
    scanner.attack_objects();
    let mut found = std::mem::take(&mut scanner.found);
    found.sort_by_key(|f| (f.start, f.implied));
    let mut ex = Extraction::default();
    ex.iocs.reserve(found.len());
    let mut cursor = view.cursor();
    for f in found {
        let port = port_after(&view.text, &f);
        let (start, end, marked) =
            cursor.span(port.map_or(f.start, |p| p.0), port.map_or(f.end, |p| p.1));
        // The scanner kept only spans on char boundaries of the view, and `View::new` only makes rewrites that map
        // view boundaries to original ones, so the span slices `text`. (Checking here instead would read the
        // original text again, one cache miss per mention.)
        debug_assert!(text.is_char_boundary(start) && text.is_char_boundary(end));
        if start >= end {
            continue;
        }
        let defanged = f.defanged || marked;
        ex.iocs.push(Extracted {
            kind: f.kind,
            canonical: f.canonical,
            span: Span { start, end },
            defanged,
            implied: f.implied,
            scope: f.scope,
            port: port.map(|p| p.2),
        });
    }
    for n in scanner.notes {
        let (start, end) = (view.orig_start(n.start), view.orig_end(n.end));
        let span = (start < end && text.is_char_boundary(start) && text.is_char_boundary(end))
            .then_some(Span { start, end });
        ex.diagnostics.push(Diagnostic { code: n.code, message: n.message, span });
    }
    ex.unique = unique(&ex.iocs);
    ex
}

/// `ip:port` and `[v6]:port`: a port of 1–5 digits (1–65535) written right after a reported IPv4 address, or
/// after the `]` closing a bracketed IPv6 address, not followed by another letter, digit or colon, nor by a dot
/// and a digit (`1.2.3.4:5.6` is a version, not port 5). Returns the view span of the whole written form (the
/// `[` included) and the port.
fn port_after(text: &str, f: &scan::Found) -> Option<(usize, usize, u16)> {
    if f.implied {
        return None;
    }
    let b = text.as_bytes();
    let (start, colon) = match f.kind {
        IocKind::Ipv4 => (f.start, f.end),
        IocKind::Ipv6
            if f.start > 0 && b.get(f.start - 1) == Some(&b'[') && b.get(f.end) == Some(&b']') =>
        {
            (f.start - 1, f.end + 1)
        }
        _ => return None,
    };
    if b.get(colon) != Some(&b':') {
        return None;
    }
    let digits = b.get(colon + 1..)?.iter().take_while(|c| c.is_ascii_digit()).count();
    let end = colon + 1 + digits;
    let version = b.get(end) == Some(&b'.') && b.get(end + 1).is_some_and(u8::is_ascii_digit);
    if !(1..=5).contains(&digits)
        || version
        || b.get(end).is_some_and(|c| c.is_ascii_alphanumeric() || *c == b':')
    {
        return None;
    }
    let port = text.get(colon + 1..end)?.parse::<u16>().ok().filter(|&p| p != 0)?;
    Some((start, end, port))
}

/// The de-duplicated view of `iocs`, in order of first mention.
///
/// One pass with an open-addressing table of groups (a fast word-at-a-time hash of type and value, linear
/// probing), so groups come out in order of first mention without any sort. A fixed, unkeyed hash can be attacked
/// with crafted collisions, so probe sequences are capped at `MAX_PROBE` (64): when one runs longer the table is
/// abandoned and the sort-based `unique_sorted` (O(n log n) on any input) gives the answer. Time stays O(n) on
/// ordinary text and O(n log n) at worst.
pub fn unique(iocs: &[Extracted]) -> Vec<UniqueIoc> {
    unique_hashed(iocs, MAX_PROBE).unwrap_or_else(|| unique_sorted(iocs))
}

/// Longest probe sequence `unique` accepts before it falls back to sorting (load factor ≤ 1/2, so an ordinary
/// sequence is a few slots).
const MAX_PROBE: usize = 64;

/// A group of equal mentions: (hash, first mention, count, every mention implied).
type Group = (u64, usize, usize, bool);

fn unique_hashed(iocs: &[Extracted], max_probe: usize) -> Option<Vec<UniqueIoc>> {
    let slots_len = (iocs.len() * 2).next_power_of_two().max(16);
    let mask = slots_len - 1;
    // Group index + 1 (0 = empty).
    let mut slots = vec![0u32; slots_len];
    let mut groups: Vec<Group> = Vec::with_capacity(iocs.len());
    for (i, x) in iocs.iter().enumerate() {
        let h = word_hash(x.kind, &x.canonical);
        let mut at = usize::try_from(h >> 32).unwrap_or_default() & mask;
        let mut probes = 0;
        loop {
            let g = slots[at];
            if g == 0 {
                slots[at] = u32::try_from(groups.len() + 1).ok()?;
                groups.push((h, i, 1, x.implied));
                break;
            }
            let group = &mut groups[g as usize - 1];
            let first = &iocs[group.1];
            if group.0 == h && first.kind == x.kind && first.canonical == x.canonical {
                group.2 += 1;
                group.3 &= x.implied;
                break;
            }
            probes += 1;
            if probes > max_probe {
                return None;
            }
            at = (at + 1) & mask;
        }
    }
    Some(
        groups
            .into_iter()
            .map(|(_, first, count, implied)| unique_ioc(iocs, first, count, implied))
            .collect(),
    )
}

fn unique_ioc(iocs: &[Extracted], first: usize, count: usize, implied: bool) -> UniqueIoc {
    UniqueIoc {
        kind: iocs[first].kind,
        canonical: iocs[first].canonical.clone(),
        count,
        first: iocs[first].span,
        implied,
    }
}

/// The fallback of [`unique`]: mentions ordered by the same 64-bit hash of (type, canonical value), ties broken
/// by the value itself and then by position, so equal indicators end up adjacent with their first mention in
/// front. O(n log n) on any input — crafted hash collisions only cost string comparisons.
fn unique_sorted(iocs: &[Extracted]) -> Vec<UniqueIoc> {
    let key = |i: usize| (iocs[i].kind, iocs[i].canonical.as_str());
    let mut order: Vec<(u64, usize)> =
        iocs.iter().enumerate().map(|(i, x)| (word_hash(x.kind, &x.canonical), i)).collect();
    order.sort_unstable_by(|a, b| {
        a.0.cmp(&b.0).then_with(|| key(a.1).cmp(&key(b.1))).then(a.1.cmp(&b.1))
    });
    // (first mention, count, every mention implied)
    let mut groups: Vec<(usize, usize, bool)> = Vec::new();
    let mut prev: Option<(u64, usize)> = None;
    for &(h, i) in &order {
        match (prev, groups.last_mut()) {
            (Some((ph, p)), Some(g)) if ph == h && key(p) == key(i) => {
                g.1 += 1;
                g.2 &= iocs[i].implied;
            }
            _ => groups.push((i, 1, iocs[i].implied)),
        }
        prev = Some((h, i));
    }
    groups.sort_unstable_by_key(|g| g.0);
    groups
        .into_iter()
        .map(|(first, count, implied)| unique_ioc(iocs, first, count, implied))
        .collect()
}

/// Eight bytes per step (FxHash-style rotate, xor, multiply) with a final avalanche, so the high bits used for the
/// table slot depend on every byte.
fn word_hash(kind: IocKind, canonical: &str) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let b = canonical.as_bytes();
    let mut h = (kind as u64).wrapping_mul(K) ^ b.len() as u64;
    let mut chunks = b.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
    }
    let mut w = [0u8; 8];
    w[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
    h ^= h >> 29;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^ (h >> 32)
}

#[cfg(test)]
mod tests {
    use super::extract;
    use crate::{IocKind, IpScope};

    #[test]
    fn skipped_candidates_become_diagnostics() {
        let text = "See README.md and ASP.NET, but block evil[.]com.";
        let ex = extract(text);
        let notes: Vec<(&str, &str)> = ex
            .diagnostics
            .iter()
            .map(|d| (d.code.as_str(), d.span.map_or("", |s| &text[s.start..s.end])))
            .collect();
        assert_eq!(notes, [("file-extension-tld", "README.md"), ("code-identifier", "ASP.NET")]);
        assert_eq!(ex.unique.len(), 1);
    }

    #[test]
    fn private_ips_are_kept_and_flagged() {
        let ex = extract("The workstation (10.1.2.3) talked to 8.8.8.8 and 127.0.0.1.");
        let got: Vec<(String, Option<IpScope>)> =
            ex.iocs.iter().map(|i| (i.canonical.clone(), i.scope)).collect();
        assert_eq!(
            got,
            [
                ("10.1.2.3".to_owned(), Some(IpScope::Private)),
                ("8.8.8.8".to_owned(), Some(IpScope::Global)),
                ("127.0.0.1".to_owned(), Some(IpScope::Loopback)),
            ]
        );
    }

    /// The hash table and the sort fallback agree, also when the probe cap forces the fallback.
    #[test]
    fn unique_table_matches_sorted_fallback() {
        let hosts = (0..200).map(|i| format!("host{}.com 10.0.{}.1 ", i % 150, i % 7));
        let text = "hxxps://evil[.]com/a evil.com a@evil.com 8.8.8.8 T1059 T1059 b@x.org "
            .to_owned()
            + &hosts.collect::<String>();
        let ex = extract(&text);
        let sorted = super::unique_sorted(&ex.iocs);
        assert_eq!(sorted.len(), 3 + 2 + 150 + 7 + 2);
        assert_eq!(super::unique(&ex.iocs), sorted);
        // 164 groups in 1024 slots: some probe collides (no-collision odds ≈ e^-13), so a cap of 0 gives up.
        assert_eq!(super::unique_hashed(&ex.iocs, 0), None);
        assert_eq!(super::unique_hashed(&ex.iocs, usize::MAX).as_ref(), Some(&sorted));
    }

    proptest::proptest! {
        #[test]
        fn unique_table_matches_sort_on_any_mentions(
            mentions in proptest::collection::vec((0..3usize, "[ab]{0,9}", proptest::bool::ANY), 0..60)
        ) {
            let kinds = [IocKind::Domain, IocKind::Url, IocKind::Md5];
            let iocs: Vec<super::Extracted> = mentions
                .into_iter()
                .enumerate()
                .map(|(i, (k, v, implied))| super::Extracted {
                    kind: kinds[k],
                    canonical: v,
                    span: crate::Span { start: i, end: i + 1 },
                    defanged: false,
                    implied,
                    scope: None,
                    port: None,
                })
                .collect();
            proptest::prop_assert_eq!(super::unique(&iocs), super::unique_sorted(&iocs));
            // A table that finishes under a tiny probe cap must still be right.
            if let Some(hashed) = super::unique_hashed(&iocs, 1) {
                proptest::prop_assert_eq!(hashed, super::unique_sorted(&iocs));
            }
        }
    }

    #[test]
    fn unique_counts_mentions_and_implied() {
        let text = "hxxps://evil[.]com/a then evil.com then https://evil.com/b";
        let ex = extract(text);
        let u: Vec<(IocKind, &str, usize, bool)> =
            ex.unique.iter().map(|u| (u.kind, u.canonical.as_str(), u.count, u.implied)).collect();
        assert_eq!(
            u,
            [
                (IocKind::Url, "https://evil.com/a", 1, false),
                (IocKind::Domain, "evil.com", 3, false),
                (IocKind::Url, "https://evil.com/b", 1, false),
            ]
        );
        assert_eq!(&text[ex.unique[1].first.start..ex.unique[1].first.end], "evil[.]com");
        assert!(ex.iocs[0].defanged && !ex.iocs[2].defanged);
    }
}
