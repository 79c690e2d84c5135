//! IP addresses and networks: strict IPv4 dotted quads, IPv6 in RFC 5952 text, CIDR, special-purpose classes.
//!
//! The special-purpose classes come from the IANA IPv4/IPv6 Special-Purpose Address Registries, flattened by
//! `cargo xtask codegen` into disjoint sorted ranges (`generated/dns_ip_ranges.rs`); lookup is a binary search.
use super::NormalizeError;
use crate::generated::dns_ip_ranges::{V4, V6};
use crate::{IpFacts, IpScope};
use std::net::{Ipv4Addr, Ipv6Addr};

/// Parses a strict dotted quad: four decimal parts `0`–`255`, no leading zeros, no other characters.
pub fn parse_v4(s: &str) -> Result<Ipv4Addr, NormalizeError> {
    let b = s.as_bytes();
    if b.is_empty() || b.len() > 15 {
        return Err(
            if b.iter().all(|c| c.is_ascii_digit() || *c == b'.')
                && memchr::memchr_iter(b'.', b).count() > 3
            {
                NormalizeError::Ipv4TooManyParts
            } else {
                NormalizeError::Ipv4NotDottedQuad
            },
        );
    }
    let mut octets = [0u8; 4];
    let mut part = 0usize;
    let mut value: u32 = 0;
    let mut digits = 0usize;
    let mut leading_zero = false;
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'0'..=b'9' => {
                if digits == 0 && c == b'0' && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
                    leading_zero = true;
                }
                value = value * 10 + u32::from(c - b'0');
                digits += 1;
                if digits > 3 {
                    return Err(NormalizeError::Ipv4NotDottedQuad);
                }
            }
            b'.' => {
                if digits == 0 {
                    return Err(NormalizeError::Ipv4NotDottedQuad);
                }
                if part == 3 {
                    let more = b.get(i + 1).is_some_and(u8::is_ascii_digit);
                    return Err(if more {
                        NormalizeError::Ipv4TooManyParts
                    } else {
                        NormalizeError::Ipv4NotDottedQuad
                    });
                }
                octets[part] = u8::try_from(value).map_err(|_| NormalizeError::Ipv4OctetRange)?;
                part += 1;
                value = 0;
                digits = 0;
            }
            _ => return Err(NormalizeError::Ipv4NotDottedQuad),
        }
    }
    if digits == 0 || part != 3 {
        return Err(NormalizeError::Ipv4NotDottedQuad);
    }
    octets[3] = u8::try_from(value).map_err(|_| NormalizeError::Ipv4OctetRange)?;
    if leading_zero {
        return Err(NormalizeError::Ipv4LeadingZero);
    }
    Ok(Ipv4Addr::from(octets))
}

/// Parses IPv6 text (with optional surrounding brackets); zone ids (`%eth0`) are rejected.
pub fn parse_v6(s: &str) -> Result<Ipv6Addr, NormalizeError> {
    let s = s.strip_prefix('[').and_then(|r| r.strip_suffix(']')).unwrap_or(s);
    if !s.contains(':') || s.len() > 45 {
        return Err(NormalizeError::Ipv6Invalid);
    }
    s.parse::<Ipv6Addr>().map_err(|_| NormalizeError::Ipv6Invalid)
}

/// RFC 5952 text for an IPv6 address: lower-case, leading zeros dropped, the longest run (≥ 2) of zero groups
/// compressed to `::` (first one on a tie), IPv4-mapped addresses in mixed notation.
pub fn format_v6(addr: Ipv6Addr) -> String {
    // std's Display implements exactly these rules (lower-case hex, longest-first zero run of length ≥ 2,
    // `::ffff:a.b.c.d` for IPv4-mapped); the unit tests pin the RFC 5952 examples.
    addr.to_string()
}

/// Special-purpose class and IANA entry name of an IPv4 address (as a `u32`).
pub fn scope_v4(addr: u32) -> (IpScope, Option<&'static str>) {
    let i = V4.partition_point(|r| r.1 < addr);
    match V4.get(i) {
        Some(&(start, _, scope, name)) if start <= addr => (scope, Some(name)),
        _ => (IpScope::Global, None),
    }
}

/// Special-purpose class and IANA entry name of an IPv6 address (as a `u128`).
pub fn scope_v6(addr: u128) -> (IpScope, Option<&'static str>) {
    let i = V6.partition_point(|r| r.1 < addr);
    match V6.get(i) {
        Some(&(start, _, scope, name)) if start <= addr => (scope, Some(name)),
        _ => (IpScope::Global, None),
    }
}

/// The special-purpose range containing `addr` (inclusive bounds), when there is one.
fn range_v4(addr: u32) -> Option<(u32, u32)> {
    let i = V4.partition_point(|r| r.1 < addr);
    V4.get(i).filter(|r| r.0 <= addr).map(|r| (r.0, r.1))
}

fn range_v6(addr: u128) -> Option<(u128, u128)> {
    let i = V6.partition_point(|r| r.1 < addr);
    V6.get(i).filter(|r| r.0 <= addr).map(|r| (r.0, r.1))
}

/// The IPv4 address embedded in an IPv4-mapped (`::ffff:0:0/96`), NAT64 (`64:ff9b::/96`) or 6to4 (`2002::/16`)
/// IPv6 address.
pub fn embedded_v4(addr: Ipv6Addr) -> Option<Ipv4Addr> {
    let v = u128::from(addr);
    let low = (v & 0xffff_ffff) as u32;
    if v >> 32 == 0xffff || v >> 32 == 0x0064_ff9b_0000_0000_0000_0000 {
        return Some(Ipv4Addr::from(low));
    }
    if v >> 112 == 0x2002 {
        return Some(Ipv4Addr::from((v >> 80) as u32));
    }
    None
}

/// Facts for an IPv4 address.
pub fn facts_v4(addr: Ipv4Addr) -> IpFacts {
    let (scope, name) = scope_v4(u32::from(addr));
    IpFacts {
        version: 4,
        scope,
        special: name.map(str::to_owned),
        prefix_len: None,
        embedded_ipv4: None,
        port: None,
    }
}

/// Facts for an IPv6 address.
pub fn facts_v6(addr: Ipv6Addr) -> IpFacts {
    let (scope, name) = scope_v6(u128::from(addr));
    IpFacts {
        version: 6,
        scope,
        special: name.map(str::to_owned),
        prefix_len: None,
        embedded_ipv4: embedded_v4(addr).map(|a| a.to_string()),
        port: None,
    }
}

/// A parsed CIDR network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cidr {
    /// Canonical text: network address (host bits cleared) `/` prefix; IPv6 in RFC 5952.
    pub canonical: String,
    /// Facts (version, class of the network, prefix length).
    pub facts: IpFacts,
    /// The address as written had host bits set (`10.1.2.3/8`); the canonical value is the network.
    pub host_bits_set: bool,
}

fn parse_prefix_len(s: &str, max: u8) -> Result<u8, NormalizeError> {
    if s.is_empty()
        || s.len() > 3
        || !s.bytes().all(|c| c.is_ascii_digit())
        || (s.len() > 1 && s.starts_with('0'))
    {
        return Err(NormalizeError::CidrBadPrefix);
    }
    let n: u8 = s.parse().map_err(|_| NormalizeError::CidrBadPrefix)?;
    if n > max { Err(NormalizeError::CidrBadPrefix) } else { Ok(n) }
}

/// Parses `a.b.c.d/n` (n ≤ 32) or `ipv6/n` (n ≤ 128).
///
/// The class is that of the special-purpose block holding the whole network, or `global` when the network is
/// not inside one block.
pub fn parse_cidr(s: &str) -> Result<Cidr, NormalizeError> {
    let (addr, len) = s.split_once('/').ok_or(NormalizeError::CidrBadPrefix)?;
    if addr.contains(':') {
        let ip = parse_v6(addr)?;
        let len = parse_prefix_len(len, 128)?;
        let mask: u128 = if len == 0 { 0 } else { u128::MAX << (128 - u32::from(len)) };
        let v = u128::from(ip);
        let net = v & mask;
        let last = net | !mask;
        let (scope, name) = match range_v6(net) {
            Some((a, b)) if a <= net && last <= b => scope_v6(net),
            _ => (IpScope::Global, None),
        };
        let canonical = format!("{}/{len}", format_v6(Ipv6Addr::from(net)));
        Ok(Cidr {
            canonical,
            facts: IpFacts {
                version: 6,
                scope,
                special: name.map(str::to_owned),
                prefix_len: Some(len),
                embedded_ipv4: None,
                port: None,
            },
            host_bits_set: net != v,
        })
    } else {
        let ip = parse_v4(addr)?;
        let len = parse_prefix_len(len, 32)?;
        let mask: u32 = if len == 0 { 0 } else { u32::MAX << (32 - u32::from(len)) };
        let v = u32::from(ip);
        let net = v & mask;
        let last = net | !mask;
        let (scope, name) = match range_v4(net) {
            Some((a, b)) if a <= net && last <= b => scope_v4(net),
            _ => (IpScope::Global, None),
        };
        Ok(Cidr {
            canonical: format!("{}/{len}", Ipv4Addr::from(net)),
            facts: IpFacts {
                version: 4,
                scope,
                special: name.map(str::to_owned),
                prefix_len: Some(len),
                embedded_ipv4: None,
                port: None,
            },
            host_bits_set: net != v,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v6(s: &str) -> String {
        format_v6(parse_v6(s).unwrap())
    }

    #[test]
    fn strict_dotted_quad() {
        assert_eq!(parse_v4("8.8.8.8"), Ok(Ipv4Addr::new(8, 8, 8, 8)));
        assert_eq!(parse_v4("0.0.0.0"), Ok(Ipv4Addr::UNSPECIFIED));
        assert_eq!(parse_v4("255.255.255.255"), Ok(Ipv4Addr::BROADCAST));
        assert_eq!(parse_v4("256.1.1.1"), Err(NormalizeError::Ipv4OctetRange));
        assert_eq!(parse_v4("010.1.1.1"), Err(NormalizeError::Ipv4LeadingZero));
        assert_eq!(parse_v4("1.2.3.4.5"), Err(NormalizeError::Ipv4TooManyParts));
        assert_eq!(parse_v4("10.0.19041.1"), Err(NormalizeError::Ipv4NotDottedQuad));
        assert_eq!(parse_v4("1.2.3"), Err(NormalizeError::Ipv4NotDottedQuad));
        assert_eq!(parse_v4("1..2.3"), Err(NormalizeError::Ipv4NotDottedQuad));
        assert_eq!(parse_v4("1.2.3.4."), Err(NormalizeError::Ipv4NotDottedQuad));
        assert_eq!(parse_v4("１.2.3.4"), Err(NormalizeError::Ipv4NotDottedQuad));
    }

    #[test]
    fn rfc5952_text() {
        // RFC 5952 §4.1 leading zeros, §4.2.1 longest run, §4.2.2 no single-group `::`, §4.2.3 first of equal
        // runs, §4.3 lower case, §5 IPv4-mapped in mixed notation.
        assert_eq!(v6("2001:0db8:0000:0000:0000:0000:0000:0001"), "2001:db8::1");
        assert_eq!(v6("2001:db8:0:0:1:0:0:1"), "2001:db8::1:0:0:1");
        assert_eq!(v6("2001:db8:0:1:1:1:1:1"), "2001:db8:0:1:1:1:1:1");
        assert_eq!(v6("2001:DB8::A"), "2001:db8::a");
        assert_eq!(v6("2001:db8:0:0:1:0:0:0"), "2001:db8:0:0:1::");
        assert_eq!(v6("::ffff:192.0.2.1"), "::ffff:192.0.2.1");
        assert_eq!(v6("::FFFF:C000:0201"), "::ffff:192.0.2.1");
        assert_eq!(v6("[::1]"), "::1");
        assert_eq!(parse_v6("12:30:45"), Err(NormalizeError::Ipv6Invalid));
        assert_eq!(parse_v6("fe80::1%eth0"), Err(NormalizeError::Ipv6Invalid));
    }

    #[test]
    fn special_purpose_classes() {
        let s = |a: &str| scope_v4(u32::from(parse_v4(a).unwrap()));
        assert_eq!(s("10.1.2.3"), (IpScope::Private, Some("Private-Use")));
        assert_eq!(s("172.31.255.255"), (IpScope::Private, Some("Private-Use")));
        assert_eq!(s("172.32.0.0"), (IpScope::Global, None));
        assert_eq!(s("100.64.0.1"), (IpScope::Cgnat, Some("Shared Address Space")));
        assert_eq!(s("203.0.113.9"), (IpScope::Documentation, Some("Documentation (TEST-NET-3)")));
        assert_eq!(s("198.19.255.255"), (IpScope::Benchmarking, Some("Benchmarking")));
        assert_eq!(s("192.0.0.9"), (IpScope::Global, Some("Port Control Protocol Anycast")));
        assert_eq!(s("255.255.255.255"), (IpScope::Broadcast, Some("Limited Broadcast")));
        assert_eq!(s("250.1.1.1"), (IpScope::Reserved, Some("Reserved")));
        assert_eq!(s("8.8.8.8"), (IpScope::Global, None));
        let s6 = |a: &str| scope_v6(u128::from(parse_v6(a).unwrap())).0;
        assert_eq!(s6("::1"), IpScope::Loopback);
        assert_eq!(s6("fd12::1"), IpScope::Private);
        assert_eq!(s6("fe80::1"), IpScope::LinkLocal);
        assert_eq!(s6("2001:db8::1"), IpScope::Documentation);
        assert_eq!(s6("3fff::1"), IpScope::Documentation);
        assert_eq!(s6("2001::1"), IpScope::Tunnel);
        assert_eq!(s6("2606:4700::1111"), IpScope::Global);
        assert_eq!(s6("ff02::1"), IpScope::Multicast);
    }

    #[test]
    fn embedded_ipv4() {
        let e = |a: &str| embedded_v4(parse_v6(a).unwrap()).map(|x| x.to_string());
        assert_eq!(e("::ffff:8.8.8.8").as_deref(), Some("8.8.8.8"));
        assert_eq!(e("64:ff9b::c000:221").as_deref(), Some("192.0.2.33"));
        assert_eq!(e("2002:c000:0204::1").as_deref(), Some("192.0.2.4"));
        assert_eq!(e("2001:db8::1"), None);
    }

    #[test]
    fn cidr() {
        let c = parse_cidr("10.1.2.3/8").unwrap();
        assert_eq!(c.canonical, "10.0.0.0/8");
        assert!(c.host_bits_set);
        assert_eq!(c.facts.scope, IpScope::Private);
        assert_eq!(parse_cidr("192.168.0.0/16").unwrap().facts.scope, IpScope::Private);
        assert_eq!(parse_cidr("0.0.0.0/0").unwrap().facts.scope, IpScope::Global);
        assert_eq!(parse_cidr("2001:DB8::/32").unwrap().canonical, "2001:db8::/32");
        assert_eq!(parse_cidr("10.0.0.0/33"), Err(NormalizeError::CidrBadPrefix));
        assert_eq!(parse_cidr("10.0.0.0/"), Err(NormalizeError::CidrBadPrefix));
        assert_eq!(parse_cidr("10.0.0.0/08"), Err(NormalizeError::CidrBadPrefix));
        assert_eq!(parse_cidr("::/129"), Err(NormalizeError::CidrBadPrefix));
    }
}
