//! Domain names: UTS #46 (IDNA) to A-labels, IANA TLD check, registrable domain and public suffix from the
//! bundled Public Suffix List, special-use names.
//!
//! ASCII names skip the IDNA machinery (a byte loop lower-cases and checks them); only names with non-ASCII
//! characters or `xn--` labels go through the `idna` crate. TLD and PSL lookups hash the key once and scan one
//! bucket of a generated blob (`generated/dns_*.bin`).
use super::NormalizeError;
use crate::DomainFacts;
use crate::generated::dns_names::{FILE_EXTENSION_TLDS, RESERVED_NAMES, RESERVED_TLDS};
use crate::generated::dns_psl::{EXCEPTION, PRIVATE, PSL_BLOB, PSL_BUCKETS, RULE, WILDCARD};
use crate::generated::dns_tlds::{TLDS_BLOB, TLDS_BUCKETS};

/// Most labels a name can have within 253 bytes.
const MAX_LABELS: usize = 127;

/// A valid domain name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Domain {
    /// Lower-case A-label form, no trailing dot.
    pub canonical: String,
    /// Registrable domain, public suffix, IDN form, reserved flag.
    pub facts: DomainFacts,
}

/// FNV-1a (32-bit), the hash of the generated lookup tables (`xtask/src/codegen/dns.rs` has the same function).
fn fnv1a(s: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in s.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// Looks `key` up in a generated hashed blob (`hash_blob` in `xtask/src/codegen/dns.rs`): entries
/// `[len][value][key bytes]` grouped by bucket `fnv1a(key) & (buckets - 1)`, `buckets[b]..buckets[b + 1]` the
/// bytes of bucket `b`. Returns the entry's value byte.
fn hashed(buckets: &[u32], blob: &'static [u8], key: &str) -> Option<u8> {
    let mask = buckets.len().checked_sub(2)?;
    let b = fnv1a(key) as usize & mask;
    let start = usize::try_from(*buckets.get(b)?).ok()?;
    let end = usize::try_from(*buckets.get(b + 1)?).ok()?;
    let mut rest = blob.get(start..end)?;
    let key = key.as_bytes();
    while let [len, value, tail @ ..] = rest {
        let (entry, next) = tail.split_at_checked(usize::from(*len))?;
        if entry == key {
            return Some(*value);
        }
        rest = next;
    }
    None
}

/// True when `tld` (lower-case A-label) is delegated in the IANA root zone.
pub fn tld_exists(tld: &str) -> bool {
    hashed(&TLDS_BUCKETS, TLDS_BLOB, tld).is_some()
}

/// True when `tld` is also a common file extension (`zip`, `mov`, `md`, `py`, `sh` …): docs/INTENTIONAL.md
/// #2.
pub fn is_file_extension_tld(tld: &str) -> bool {
    FILE_EXTENSION_TLDS.binary_search(&tld).is_ok()
}

/// True when `name` (canonical) is a special-use name or under one (`example.com`, `*.test`, `*.local` …).
///
/// The list is a dozen names, so each is tried as a label-aligned suffix; comparing the last byte first keeps
/// nearly every name out of a full string comparison (this runs for every domain classified).
pub fn is_reserved(name: &str) -> bool {
    let n = name.as_bytes();
    // Fast exit: every special-use name ends in one of a handful of TLDs.
    let tld = name.rfind('.').map_or(name, |i| &name[i + 1..]).as_bytes();
    if !RESERVED_TLDS
        .iter()
        .any(|t| t.len() == tld.len() && t.as_bytes().last() == tld.last() && t.as_bytes() == tld)
    {
        return false;
    }
    RESERVED_NAMES.iter().any(|r| {
        let r = r.as_bytes();
        n.len() >= r.len()
            && n.last() == r.last()
            && n.ends_with(r)
            && (n.len() == r.len() || n[n.len() - r.len() - 1] == b'.')
    })
}

/// Special-use TLDs that are not delegated but are accepted as (reserved) domains.
fn is_special_use_tld(tld: &str) -> bool {
    !tld.contains('.') && RESERVED_NAMES.binary_search(&tld).is_ok()
}

fn psl_flags(suffix: &str) -> u8 {
    hashed(&PSL_BUCKETS, PSL_BLOB, suffix).unwrap_or(0)
}

/// Splits a canonical name into its public suffix: returns the byte offset where the suffix starts and whether
/// the deciding rule is in the PSL's private section. Implements the PSL algorithm: exception rules win, then the
/// longest matching rule (`*.x` matches any one label before `x`), else the implicit `*` rule (the TLD).
pub fn public_suffix(name: &str) -> (usize, bool) {
    let mut starts = [0usize; MAX_LABELS + 1];
    let mut n = 1;
    for (i, b) in name.bytes().enumerate() {
        if b == b'.' && n <= MAX_LABELS {
            starts[n] = i + 1;
            n += 1;
        }
    }
    let mut flags = [0u8; MAX_LABELS + 1];
    for i in 0..n {
        flags[i] = psl_flags(&name[starts[i]..]);
    }
    for i in 0..n {
        let f = flags[i];
        if f & EXCEPTION != 0 {
            return (
                starts.get(i + 1).copied().filter(|_| i + 1 < n).unwrap_or(starts[i]),
                f & PRIVATE != 0,
            );
        }
        if f & RULE != 0 {
            return (starts[i], f & PRIVATE != 0);
        }
        if i + 1 < n && flags[i + 1] & WILDCARD != 0 {
            return (starts[i], flags[i + 1] & PRIVATE != 0);
        }
    }
    (starts[n - 1], false)
}

/// Lower-cases and checks an all-ASCII name. Returns the canonical text and whether it has `xn--` labels.
fn ascii_name(s: &str) -> Result<(String, bool), NormalizeError> {
    let out = s.to_ascii_lowercase();
    let bytes = out.as_bytes();
    let mut idn = false;
    let mut label_start = 0usize;
    for (i, &c) in bytes.iter().enumerate() {
        match c {
            b'.' => {
                check_label(&s[label_start..i], i - label_start)?;
                label_start = i + 1;
            }
            b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' => {
                if i == label_start + 3 && c == b'-' && &bytes[label_start..=i] == b"xn--" {
                    idn = true;
                }
            }
            _ => return Err(NormalizeError::DomainBadLabel(label_of(s, label_start))),
        }
    }
    check_label(&s[label_start..], bytes.len() - label_start)?;
    Ok((out, idn))
}

fn label_of(s: &str, start: usize) -> String {
    let rest = &s[start..];
    rest.split('.').next().unwrap_or(rest).chars().take(64).collect()
}

fn check_label(label: &str, len: usize) -> Result<(), NormalizeError> {
    if len == 0 || len > 63 || label.starts_with('-') || label.ends_with('-') {
        return Err(NormalizeError::DomainBadLabel(label.to_owned()));
    }
    Ok(())
}

/// Validates and canonicalises a domain name: trailing dot removed, lower-case A-labels (UTS #46 for IDNs),
/// ≥ 2 labels, TLD delegated by IANA (or a special-use name such as `.test`). Does not apply the file-extension
/// rule: that depends on context and lives in `classify`.
pub fn validate(input: &str) -> Result<Domain, NormalizeError> {
    let s = input.strip_suffix('.').unwrap_or(input);
    if s.is_empty() || s.bytes().all(|b| b == b'.') {
        return Err(NormalizeError::DomainEmpty);
    }
    if s.len() > 253 * 4 {
        return Err(NormalizeError::DomainTooLong);
    }
    let (canonical, unicode) = if s.is_ascii() {
        let (canonical, idn) = ascii_name(s)?;
        let unicode = if idn {
            let (u, r) = idna::domain_to_unicode(&canonical);
            if r.is_err() {
                return Err(NormalizeError::DomainIdna);
            }
            Some(u)
        } else {
            None
        };
        (canonical, unicode)
    } else {
        let ascii = idna::domain_to_ascii(s).map_err(|_| NormalizeError::DomainIdna)?;
        let ascii = ascii.strip_suffix('.').map(str::to_owned).unwrap_or(ascii);
        // Re-check the A-label form with the ASCII rules (labels, lengths).
        let (canonical, _) = ascii_name(&ascii)?;
        let (u, _) = idna::domain_to_unicode(&canonical);
        (canonical, Some(u))
    };
    if canonical.len() > 253 {
        return Err(NormalizeError::DomainTooLong);
    }
    let Some(dot) = canonical.rfind('.') else {
        return Err(NormalizeError::DomainSingleLabel);
    };
    let tld = &canonical[dot + 1..];
    if tld.bytes().all(|b| b.is_ascii_digit()) {
        return Err(NormalizeError::DomainNumericTld);
    }
    let reserved = is_reserved(&canonical);
    if tld == "onion" {
        let label = canonical[..dot].rsplit('.').next().unwrap_or_default();
        super::onion::check_v3(label).map_err(|e| NormalizeError::DomainOnion(Box::new(e)))?;
    } else if !(tld_exists(tld) || reserved && is_special_use_tld(tld)) {
        return Err(NormalizeError::DomainUnknownTld(tld.to_owned()));
    }
    let (ps_start, private_suffix) = public_suffix(&canonical);
    let registrable_start = if ps_start == 0 {
        None
    } else {
        canonical[..ps_start - 1].rfind('.').map_or(Some(0), |i| Some(i + 1))
    };
    let facts = DomainFacts {
        registrable: registrable_start.map(|i| canonical[i..].to_owned()),
        public_suffix: canonical[ps_start..].to_owned(),
        private_suffix,
        tld: tld.to_owned(),
        subdomain: registrable_start.filter(|&i| i > 0).map(|i| canonical[..i - 1].to_owned()),
        unicode: unicode.filter(|u| *u != canonical),
        reserved,
    };
    Ok(Domain { canonical, facts })
}

/// [`validate`] without the reason: `Some` for a valid domain name.
pub fn parse(input: &str) -> Option<Domain> {
    validate(input).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_names_match_on_label_boundaries() {
        for yes in [
            "example.com",
            "www.example.com",
            "home.arpa",
            "x.home.arpa",
            "foo.test",
            "test",
            "localhost",
        ] {
            assert!(is_reserved(yes), "{yes}");
        }
        for no in
            ["notexample.com", "example.co", "evil.com", "arpa", "xhome.arpa", "com", "testing", ""]
        {
            assert!(!is_reserved(no), "{no}");
        }
    }

    fn facts(s: &str) -> DomainFacts {
        validate(s).unwrap().facts
    }

    /// Every entry of a hashed blob, in blob order.
    fn entries(blob: &'static [u8]) -> Vec<(&'static str, u8)> {
        let mut out = Vec::new();
        let mut rest = blob;
        while let [len, value, tail @ ..] = rest {
            let (key, next) = tail.split_at(usize::from(*len));
            out.push((std::str::from_utf8(key).unwrap(), *value));
            rest = next;
        }
        out
    }

    #[test]
    fn hashed_blobs_find_every_entry_and_nothing_else() {
        let tlds = entries(TLDS_BLOB);
        let psl = entries(PSL_BLOB);
        // IANA root zone ~1,440 TLDs; the PSL ~10,000 rules after folding `*.x` and `!x` into `x`.
        assert!((1000..2000).contains(&tlds.len()), "{}", tlds.len());
        assert!(psl.len() > 9000, "{}", psl.len());
        for (t, _) in &tlds {
            assert!(tld_exists(t), "{t}");
        }
        for (rule, flags) in &psl {
            assert_eq!(psl_flags(rule), *flags, "{rule}");
        }
        for t in ["com", "uk", "xn--p1ai", "zip"] {
            assert!(tld_exists(t), "{t}");
        }
        for no in ["", "c", "comm", "co.uk", "localhost", "xn--", "invalid"] {
            assert!(!tld_exists(no), "{no}");
        }
        // Spot checks from public_suffix_list.dat: `co.uk` (ICANN), `*.ck` + `!www.ck`, `github.io` (private).
        assert_eq!(psl_flags("co.uk"), RULE);
        assert_eq!(psl_flags("ck") & WILDCARD, WILDCARD);
        assert_eq!(psl_flags("www.ck"), EXCEPTION);
        assert_eq!(psl_flags("github.io"), RULE | PRIVATE);
        assert_eq!(psl_flags("example.com"), 0);
        assert_eq!(psl_flags(""), 0);
    }

    #[test]
    fn public_suffix_rules() {
        // PSL test vectors (publicsuffix/list tests/test_psl.txt).
        let reg = |s: &str| validate(s).ok().and_then(|d| d.facts.registrable);
        assert_eq!(reg("example.com").as_deref(), Some("example.com"));
        assert_eq!(reg("b.example.com").as_deref(), Some("example.com"));
        assert_eq!(reg("a.b.example.com").as_deref(), Some("example.com"));
        assert_eq!(reg("biz"), None);
        assert_eq!(reg("uk.com"), None);
        assert_eq!(reg("example.uk.com").as_deref(), Some("example.uk.com"));
        assert_eq!(reg("b.example.uk.com").as_deref(), Some("example.uk.com"));
        assert_eq!(reg("test.ac").as_deref(), Some("test.ac"));
        assert_eq!(reg("mm"), None);
        assert_eq!(reg("c.mm"), None);
        assert_eq!(reg("b.c.mm").as_deref(), Some("b.c.mm"));
        assert_eq!(reg("a.b.c.mm").as_deref(), Some("b.c.mm"));
        assert_eq!(reg("test.jp").as_deref(), Some("test.jp"));
        assert_eq!(reg("www.test.jp").as_deref(), Some("test.jp"));
        assert_eq!(reg("ac.jp"), None);
        assert_eq!(reg("test.ac.jp").as_deref(), Some("test.ac.jp"));
        assert_eq!(reg("kyoto.jp"), None);
        assert_eq!(reg("test.kyoto.jp").as_deref(), Some("test.kyoto.jp"));
        assert_eq!(reg("ide.kyoto.jp"), None);
        assert_eq!(reg("b.ide.kyoto.jp").as_deref(), Some("b.ide.kyoto.jp"));
        assert_eq!(reg("a.b.ide.kyoto.jp").as_deref(), Some("b.ide.kyoto.jp"));
        assert_eq!(reg("c.kobe.jp"), None);
        assert_eq!(reg("b.c.kobe.jp").as_deref(), Some("b.c.kobe.jp"));
        assert_eq!(reg("city.kobe.jp").as_deref(), Some("city.kobe.jp"));
        assert_eq!(reg("www.city.kobe.jp").as_deref(), Some("city.kobe.jp"));
        assert_eq!(reg("ck"), None);
        assert_eq!(reg("test.ck"), None);
        assert_eq!(reg("b.test.ck").as_deref(), Some("b.test.ck"));
        assert_eq!(reg("www.ck").as_deref(), Some("www.ck"));
        assert_eq!(reg("www.www.ck").as_deref(), Some("www.ck"));
        assert_eq!(reg("食狮.com.cn").as_deref(), Some("xn--85x722f.com.cn"));
        assert_eq!(
            reg("www.xn--85x722f.xn--55qx5d.cn").as_deref(),
            Some("xn--85x722f.xn--55qx5d.cn")
        );
        assert_eq!(reg("shishi.xn--fiqs8s").as_deref(), Some("shishi.xn--fiqs8s"));
    }

    #[test]
    fn private_section() {
        let f = facts("evil.github.io");
        assert_eq!(f.public_suffix, "github.io");
        assert!(f.private_suffix);
        assert_eq!(f.registrable.as_deref(), Some("evil.github.io"));
        let f = facts("a.b.evil.co.uk");
        assert_eq!(f.public_suffix, "co.uk");
        assert!(!f.private_suffix);
        assert_eq!(f.subdomain.as_deref(), Some("a.b"));
        assert_eq!(f.tld, "uk");
    }

    #[test]
    fn idn_and_case() {
        let d = validate("BÜCHER.example").unwrap();
        assert_eq!(d.canonical, "xn--bcher-kva.example");
        assert_eq!(d.facts.unicode.as_deref(), Some("bücher.example"));
        assert!(d.facts.reserved);
        let d = validate("XN--BCHER-KVA.de.").unwrap();
        assert_eq!(d.canonical, "xn--bcher-kva.de");
        assert_eq!(d.facts.unicode.as_deref(), Some("bücher.de"));
    }

    #[test]
    fn rejections() {
        assert_eq!(
            validate("readme.notatld"),
            Err(NormalizeError::DomainUnknownTld("notatld".into()))
        );
        assert_eq!(validate("localhost"), Err(NormalizeError::DomainSingleLabel));
        assert_eq!(validate("1.2.3.4.5"), Err(NormalizeError::DomainNumericTld));
        assert_eq!(validate("-a.com"), Err(NormalizeError::DomainBadLabel("-a".into())));
        assert_eq!(validate("a..com"), Err(NormalizeError::DomainBadLabel(String::new())));
        assert!(validate("e.g.").is_err());
        assert!(validate("System.Net.WebClient").is_err());
        assert!(validate(&format!("{}.com", "a".repeat(64))).is_err());
    }
}
