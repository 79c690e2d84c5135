//! Validation of candidates: the one place where the extractor asks whether a string is a real indicator and
//! what its canonical form is. The scanner never decides validity itself.
//!
//! The checks are the normalisers' (`crate::normalize`): the IANA TLD table, the strict dotted-quad parser,
//! IPv6 parsing and RFC 5952 text, and the IANA special-purpose registries for IP scope. Internationalised names
//! go through the normaliser's UTS #46 processing, so their canonical form is the A-label form of the whole name.
use crate::{IocKind, IpScope, normalize};
use std::net::{Ipv4Addr, Ipv6Addr};

/// A validated host (domain or IP) in canonical form.
#[derive(Debug, Clone)]
pub(super) struct Host {
    pub(super) kind: IocKind,
    pub(super) canonical: String,
    pub(super) scope: Option<IpScope>,
}

fn v4_scope(ip: Ipv4Addr) -> IpScope {
    normalize::ip::scope_v4(u32::from(ip)).0
}

fn v6_scope(ip: Ipv6Addr) -> IpScope {
    normalize::ip::scope_v6(u128::from(ip)).0
}

/// True when the last label of `domain_lower` is a TLD that is also a common file extension.
pub(super) fn file_extension_tld(domain_lower: &str) -> bool {
    normalize::domain::is_file_extension_tld(domain_lower.rsplit('.').next().unwrap_or_default())
}

/// A dotted-decimal IPv4 address, strict (four parts, no leading zeros).
pub(super) fn ipv4(s: &str) -> Option<Host> {
    let ip = normalize::ip::parse_v4(s).ok()?;
    // The strict parser accepts only the canonical dotted quad, so the text is already canonical (no formatting).
    Some(Host { kind: IocKind::Ipv4, canonical: s.to_owned(), scope: Some(v4_scope(ip)) })
}

/// An IPv6 address; canonical text is RFC 5952 (what `Ipv6Addr`'s `Display` writes).
pub(super) fn ipv6(s: &str) -> Option<Host> {
    let ip = normalize::ip::parse_v6(s).ok()?;
    Some(Host {
        kind: IocKind::Ipv6,
        canonical: normalize::ip::format_v6(ip),
        scope: Some(v6_scope(ip)),
    })
}

/// A domain name, decided by [`normalize::domain::validate`] (the rule `classify` applies). Plain ASCII names under
/// a delegated TLD take a fast path that gives the same answer: LDH labels of 1–63 bytes, ≤ 253 bytes in all, at
/// least two labels; names with non-ASCII letters or `xn--` labels and Tor `.onion` names go to the normaliser
/// itself. Special-use names (`.test`, `.local`) are never extracted.
///
/// One pass over the bytes, then the TLD is looked up from a stack copy, so the canonical string is allocated only
/// for names that validate (most dotted runs in prose — file names, versions, abbreviations — do not).
pub(super) fn domain(s: &str) -> Option<Host> {
    let b = s.as_bytes();
    // The first `--` (a plain loop: building a `memmem` finder for every dotted run cost ~3 % of extraction).
    if !s.is_ascii()
        || b.windows(2)
            .position(|w| w == b"--")
            .is_some_and(|i| i >= 2 && b[i - 2..i].eq_ignore_ascii_case(b"xn"))
    {
        return full_domain(s);
    }
    if b.len() > 253 {
        return None;
    }
    let (mut labels, mut len, mut prev, mut last) = (1usize, 0usize, b'.', 0usize);
    for (i, &c) in b.iter().enumerate() {
        if c == b'.' {
            if len == 0 || prev == b'-' {
                return None;
            }
            (labels, len, last) = (labels + 1, 0, i + 1);
        } else {
            if !(c.is_ascii_alphanumeric() || c == b'_' || (c == b'-' && len > 0)) || len == 63 {
                return None;
            }
            len += 1;
        }
        prev = c;
    }
    if labels < 2 || len == 0 || prev == b'-' {
        return None;
    }
    let mut buf = [0u8; 63];
    let tld = &mut buf[..len];
    tld.copy_from_slice(&b[last..]);
    tld.make_ascii_lowercase();
    let tld = std::str::from_utf8(tld).ok()?;
    if !tld.bytes().all(|c| c.is_ascii_lowercase()) {
        return None;
    }
    if !normalize::domain::tld_exists(tld) {
        // Special-use names (`build.local`, `x.test`) are internal, not indicators: `classify` accepts them with
        // a note, extraction leaves them out (docs/INTENTIONAL.md).
        return if tld == "onion" { full_domain(s) } else { None };
    }
    Some(Host { kind: IocKind::Domain, canonical: s.to_ascii_lowercase(), scope: None })
}

fn full_domain(s: &str) -> Option<Host> {
    let d = normalize::domain::validate(s).ok()?;
    Some(Host { kind: IocKind::Domain, canonical: d.canonical, scope: None })
}

/// A URL host: domain, IPv4 or bracketed IPv6.
pub(super) fn host(s: &str) -> Option<Host> {
    if let Some(inner) = s.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
        return ipv6(inner);
    }
    if s.bytes().all(|c| c.is_ascii_digit() || c == b'.') {
        return ipv4(s);
    }
    domain(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        assert_eq!(domain("Evil.COM").map(|h| h.canonical), Some("evil.com".to_owned()));
        assert!(domain("evil.notatld").is_none());
        assert!(domain("evil..com").is_none());
        assert!(domain("-evil.com").is_none());
        for bad in [
            "",
            ".",
            "com",
            "evil.",
            ".evil.com",
            "evil-.com",
            "evil.-com",
            "evil.co-",
            "a b.com",
            "evil.c0m",
        ] {
            assert!(domain(bad).is_none(), "{bad}");
        }
        let long = "a".repeat(63);
        assert!(domain(&format!("{long}.com")).is_some());
        assert!(domain(&format!("{long}a.com")).is_none());
        assert_eq!(
            domain("x_y.Sub-1.XN--P1AI").map(|h| h.canonical),
            Some("x_y.sub-1.xn--p1ai".to_owned())
        );
        assert!(ipv4("010.1.1.1").is_none());
        assert_eq!(ipv4("0.10.100.255").map(|h| h.canonical), Some("0.10.100.255".to_owned()));
        assert_eq!(ipv4("10.1.1.1").and_then(|h| h.scope), Some(IpScope::Private));
        assert_eq!(
            ipv6("2001:DB8:0:0:0:0:0:1").map(|h| h.canonical),
            Some("2001:db8::1".to_owned())
        );
        assert_eq!(host("[::1]").and_then(|h| h.scope), Some(IpScope::Loopback));
    }
}
