//! Validation of candidates: the one place where the extractor asks whether a string is a real indicator and
//! what its canonical form is. The scanner never decides validity itself.
//!
//! The checks are the normalisers' (`crate::normalize`): the IANA TLD table, the strict dotted-quad parser,
//! IPv6 parsing and RFC 5952 text, and the IANA special-purpose registries for IP scope. Only ASCII runs reach
//! this module, so a domain's canonical form is its lower-case text (already an A-label).
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

/// A domain name: LDH labels of 1–63 bytes, ≤ 253 bytes in all, at least two labels, an existing TLD.
/// `s` is ASCII (the scanner only hands over ASCII runs).
pub(super) fn domain(s: &str) -> Option<Host> {
    if s.len() > 253 || !s.contains('.') {
        return None;
    }
    let mut labels = 0;
    for label in s.split('.') {
        labels += 1;
        let b = label.as_bytes();
        if b.is_empty() || b.len() > 63 || b[0] == b'-' || b[b.len() - 1] == b'-' {
            return None;
        }
        if !b.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_') {
            return None;
        }
    }
    if labels < 2 {
        return None;
    }
    let canonical = s.to_ascii_lowercase();
    let tld = canonical.rsplit('.').next().unwrap_or_default();
    let tld_ok = if tld.starts_with("xn--") {
        normalize::domain::tld_exists(tld)
    } else {
        tld.bytes().all(|c| c.is_ascii_lowercase()) && normalize::domain::tld_exists(tld)
    };
    if !tld_ok {
        return None;
    }
    Some(Host { kind: IocKind::Domain, canonical, scope: None })
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
