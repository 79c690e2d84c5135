//! URLs: `scheme://[userinfo@]host[:port][/path][?query][#fragment]`.
//!
//! Canonical form (docs/INTENTIONAL.md #4): lower-case scheme and host (IDN hosts as A-labels, IPv6 in RFC 5952
//! inside brackets), default port removed, **no percent-decoding**, path/query/fragment kept byte for byte, and a
//! bare root path `/` dropped when nothing follows it (`https://evil.com/` → `https://evil.com`; `/a/` keeps its
//! slash because it is part of the resource name).
use super::{NormalizeError, domain, ip};
use crate::{DomainFacts, IocKind, IpFacts, UrlFacts};

/// A parsed URL.
#[derive(Debug, Clone, PartialEq)]
pub struct Url {
    /// Canonical text.
    pub canonical: String,
    /// Components.
    pub facts: UrlFacts,
    /// Facts about the host when it is a domain.
    pub domain: Option<DomainFacts>,
    /// Facts about the host when it is an IP address.
    pub ip: Option<IpFacts>,
}

/// The default port of a scheme, removed from canonical URLs.
pub fn default_port(scheme: &str) -> Option<u16> {
    Some(match scheme {
        "http" | "ws" => 80,
        "https" | "wss" => 443,
        "ftp" => 21,
        "ftps" => 990,
        "ssh" | "sftp" => 22,
        "telnet" => 23,
        "smb" => 445,
        "ldap" => 389,
        "ldaps" => 636,
        "rdp" => 3389,
        "irc" => 6667,
        _ => return None,
    })
}

/// Parses and canonicalises a URL (already refanged).
pub fn parse(input: &str) -> Result<Url, NormalizeError> {
    let bad_char = if input.is_ascii() {
        input.bytes().any(|b| b <= b' ' || b == 0x7f)
    } else {
        input.chars().any(|c| c.is_whitespace() || c.is_control())
    };
    if bad_char {
        return Err(NormalizeError::UrlWhitespace);
    }
    let sep = input.find("://").ok_or(NormalizeError::UrlNoScheme)?;
    let scheme_raw = &input[..sep];
    let sb = scheme_raw.as_bytes();
    if sb.is_empty()
        || !sb[0].is_ascii_alphabetic()
        || !sb.iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
    {
        return Err(NormalizeError::UrlBadScheme);
    }
    let scheme = scheme_raw.to_ascii_lowercase();
    let rest = &input[sep + 3..];
    let auth_end = rest.find(['/', '?', '#', '\\']).unwrap_or(rest.len());
    let authority = &rest[..auth_end];
    let tail = &rest[auth_end..];
    let (has_userinfo, userinfo, hostport) = match authority.rfind('@') {
        Some(at) => (true, &authority[..=at], &authority[at + 1..]),
        None => (false, "", authority),
    };
    if hostport.is_empty() {
        return Err(NormalizeError::UrlNoHost);
    }
    // Split host and port; IPv6 hosts are bracketed.
    let (host_raw, port_raw) = if let Some(inner) = hostport.strip_prefix('[') {
        let close =
            inner.find(']').ok_or_else(|| NormalizeError::UrlBadHost(hostport.to_owned()))?;
        let after = &inner[close + 1..];
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p),
            None if after.is_empty() => None,
            None => return Err(NormalizeError::UrlBadHost(hostport.to_owned())),
        };
        (&hostport[..close + 2], port)
    } else {
        match hostport.rfind(':') {
            Some(c) => (&hostport[..c], Some(&hostport[c + 1..])),
            None => (hostport, None),
        }
    };
    if host_raw.is_empty() {
        return Err(NormalizeError::UrlNoHost);
    }
    let port: Option<u16> = match port_raw {
        None | Some("") => None,
        Some(p) if p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()) => {
            Some(p.parse().map_err(|_| NormalizeError::UrlBadPort)?)
        }
        Some(_) => return Err(NormalizeError::UrlBadPort),
    };
    let port = port.filter(|p| default_port(&scheme) != Some(*p));
    let (host, host_text, host_type, dom, ipf) = if host_raw.starts_with('[') {
        let a =
            ip::parse_v6(host_raw).map_err(|_| NormalizeError::UrlBadHost(host_raw.to_owned()))?;
        let text = ip::format_v6(a);
        (text.clone(), format!("[{text}]"), IocKind::Ipv6, None, Some(ip::facts_v6(a)))
    } else if let Ok(a) = ip::parse_v4(host_raw) {
        let text = a.to_string();
        (text.clone(), text, IocKind::Ipv4, None, Some(ip::facts_v4(a)))
    } else if let Ok(d) = domain::validate(host_raw) {
        (d.canonical.clone(), d.canonical, IocKind::Domain, Some(d.facts), None)
    } else {
        // A DNS-style host with no known TLD (`intranet`, `localhost`): still a URL, host type unknown.
        let h = host_raw.strip_suffix('.').unwrap_or(host_raw);
        let ok = !h.is_empty()
            && h.len() <= 253
            && h.split('.').all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            })
            && !h.bytes().all(|b| b.is_ascii_digit() || b == b'.');
        if !ok {
            return Err(NormalizeError::UrlBadHost(host_raw.to_owned()));
        }
        let lower = h.to_ascii_lowercase();
        (lower.clone(), lower, IocKind::Unknown, None, None)
    };
    // Split path, query, fragment (no decoding).
    let (before_frag, fragment) = match tail.find('#') {
        Some(i) => (&tail[..i], Some(&tail[i + 1..])),
        None => (tail, None),
    };
    let (path, query) = match before_frag.find('?') {
        Some(i) => (&before_frag[..i], Some(&before_frag[i + 1..])),
        None => (before_frag, None),
    };
    let mut canonical = String::with_capacity(input.len());
    canonical.push_str(&scheme);
    canonical.push_str("://");
    canonical.push_str(userinfo);
    canonical.push_str(&host_text);
    if let Some(p) = port {
        canonical.push(':');
        canonical.push_str(&p.to_string());
    }
    let bare_root = path == "/" && query.is_none() && fragment.is_none();
    if !bare_root {
        canonical.push_str(tail);
    }
    let facts = UrlFacts {
        scheme,
        host,
        host_type,
        port,
        path: if path.is_empty() { "/".to_owned() } else { path.to_owned() },
        query: query.map(str::to_owned),
        fragment: fragment.map(str::to_owned),
        has_userinfo,
    };
    Ok(Url { canonical, facts, domain: dom, ip: ipf })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(s: &str) -> String {
        parse(s).unwrap().canonical
    }

    #[test]
    fn canonical_forms() {
        assert_eq!(canon("HTTPS://Evil.COM/Gate.php"), "https://evil.com/Gate.php");
        assert_eq!(canon("http://evil.com:80/a"), "http://evil.com/a");
        assert_eq!(canon("https://evil.com:443"), "https://evil.com");
        assert_eq!(canon("https://evil.com:8443/"), "https://evil.com:8443");
        assert_eq!(canon("https://evil.com/"), "https://evil.com");
        assert_eq!(canon("https://evil.com/?a=1"), "https://evil.com/?a=1");
        assert_eq!(canon("https://evil.com/a/"), "https://evil.com/a/");
        assert_eq!(canon("http://evil.com/a%20b?q=%2F#Frag"), "http://evil.com/a%20b?q=%2F#Frag");
        assert_eq!(canon("http://[2001:DB8::1]:8080/x"), "http://[2001:db8::1]:8080/x");
        assert_eq!(canon("http://user:pw@evil.com/"), "http://user:pw@evil.com");
        assert_eq!(canon("http://bücher.de/"), "http://xn--bcher-kva.de");
        assert_eq!(canon("http://intranet/x"), "http://intranet/x");
    }

    #[test]
    fn facts() {
        let u = parse("https://a.evil.co.uk:8443/p/q.php?x=1#top").unwrap();
        assert_eq!(u.facts.scheme, "https");
        assert_eq!(u.facts.host, "a.evil.co.uk");
        assert_eq!(u.facts.host_type, IocKind::Domain);
        assert_eq!(u.facts.port, Some(8443));
        assert_eq!(u.facts.path, "/p/q.php");
        assert_eq!(u.facts.query.as_deref(), Some("x=1"));
        assert_eq!(u.facts.fragment.as_deref(), Some("top"));
        assert_eq!(u.domain.unwrap().registrable.as_deref(), Some("evil.co.uk"));
    }

    #[test]
    fn errors() {
        assert_eq!(parse("evil.com/a"), Err(NormalizeError::UrlNoScheme));
        assert_eq!(parse("http:///a"), Err(NormalizeError::UrlNoHost));
        assert_eq!(parse("http://evil.com:99999/"), Err(NormalizeError::UrlBadPort));
        assert_eq!(parse("http://evil .com/"), Err(NormalizeError::UrlWhitespace));
        assert_eq!(parse("1http://evil.com"), Err(NormalizeError::UrlBadScheme));
        assert!(matches!(parse("http://ev!l.com/"), Err(NormalizeError::UrlBadHost(_))));
        assert!(matches!(parse("http://999.1.1.1/"), Err(NormalizeError::UrlBadHost(_))));
    }
}
