//! Validation of candidates: the one place where the extractor asks whether a string is a real indicator and
//! what its canonical form is. The scanner never decides validity itself.
//!
//! Host validity (TLD exists) and IP scope come from the normalisers; until the `classify` branch's tables are
//! merged, the TLD check reads the IANA list through a bridge below (`tld_exists`) and IP scope falls back to
//! the standard library's predicates. Swap those two functions for the normaliser calls when merging.
use crate::{IocKind, IpScope};
use std::net::{Ipv4Addr, Ipv6Addr};

/// A validated host (domain or IP) in canonical form.
#[derive(Debug, Clone)]
pub(super) struct Host {
    pub(super) kind: IocKind,
    pub(super) canonical: String,
    pub(super) scope: Option<IpScope>,
}

/// Interim bridge: the IANA TLD list (data/dns/tlds.txt), sorted once. Replaced by the normaliser's generated
/// table when the classify branch lands.
fn tld_exists(tld_lower: &str) -> bool {
    static TLDS: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    let list = TLDS.get_or_init(|| {
        let mut v: Vec<&'static str> = include_str!("../../../data/dns/tlds.txt")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect();
        v.sort_unstable();
        v
    });
    list.binary_search(&tld_lower).is_ok()
}

fn v4_scope(ip: Ipv4Addr) -> IpScope {
    let o = ip.octets();
    if ip.is_unspecified() || o[0] == 0 {
        IpScope::Unspecified
    } else if ip.is_broadcast() {
        IpScope::Broadcast
    } else if ip.is_private() {
        IpScope::Private
    } else if ip.is_loopback() {
        IpScope::Loopback
    } else if ip.is_link_local() {
        IpScope::LinkLocal
    } else if o[0] == 100 && (64..128).contains(&o[1]) {
        IpScope::Cgnat
    } else if ip.is_documentation() {
        IpScope::Documentation
    } else if ip.is_multicast() {
        IpScope::Multicast
    } else if o[0] == 198 && (o[1] == 18 || o[1] == 19) {
        IpScope::Benchmarking
    } else if o[0] >= 240 || (o[0] == 192 && o[1] == 0 && o[2] == 0) {
        IpScope::Reserved
    } else {
        IpScope::Global
    }
}

fn v6_scope(ip: Ipv6Addr) -> IpScope {
    let s = ip.segments();
    if ip.is_unspecified() {
        IpScope::Unspecified
    } else if ip.is_loopback() {
        IpScope::Loopback
    } else if s[0] & 0xfe00 == 0xfc00 {
        IpScope::Private
    } else if s[0] & 0xffc0 == 0xfe80 {
        IpScope::LinkLocal
    } else if ip.is_multicast() {
        IpScope::Multicast
    } else if (s[0] == 0x2001 && s[1] == 0x0db8) || s[0] & 0xfff0 == 0x3ff0 {
        IpScope::Documentation
    } else if ip.to_ipv4_mapped().is_some() {
        IpScope::Ipv4Mapped
    } else if s[0] == 0x0064 && s[1] == 0xff9b {
        IpScope::Translation
    } else if s[0] == 0x2002 || (s[0] == 0x2001 && s[1] == 0) {
        IpScope::Tunnel
    } else if s[0] == 0x2001 && s[1] == 2 && s[2] == 0 {
        IpScope::Benchmarking
    } else {
        IpScope::Global
    }
}

/// A dotted-decimal IPv4 address, strict (four parts, no leading zeros).
pub(super) fn ipv4(s: &str) -> Option<Host> {
    let ip: Ipv4Addr = s.parse().ok()?;
    Some(Host { kind: IocKind::Ipv4, canonical: ip.to_string(), scope: Some(v4_scope(ip)) })
}

/// An IPv6 address; canonical text is RFC 5952 (what `Ipv6Addr`'s `Display` writes).
pub(super) fn ipv6(s: &str) -> Option<Host> {
    let ip: Ipv6Addr = s.parse().ok()?;
    Some(Host { kind: IocKind::Ipv6, canonical: ip.to_string(), scope: Some(v6_scope(ip)) })
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
        tld_exists(tld)
    } else {
        tld.bytes().all(|c| c.is_ascii_lowercase()) && tld_exists(tld)
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
        assert_eq!(ipv4("10.1.1.1").and_then(|h| h.scope), Some(IpScope::Private));
        assert_eq!(
            ipv6("2001:DB8:0:0:0:0:0:1").map(|h| h.canonical),
            Some("2001:db8::1".to_owned())
        );
        assert_eq!(host("[::1]").and_then(|h| h.scope), Some(IpScope::Loopback));
    }
}
