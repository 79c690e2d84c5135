//! Turns a raw value into the `(type, canonical value)` key the store uses.
//!
//! The core's `classify` is the normaliser. While `classify` on this branch is still the skeleton stub (it answers
//! `unknown` for everything), [`interim`] fills in with a deliberately small refang + lower-case + type guess so the
//! store and API can be built and tested; it is only used when `classify` says `unknown`, and is deleted once the
//! `classify` branch is merged.
use ioclens_core::IocKind;

/// A value ready for storage: its type and canonical text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalized {
    /// Detected or forced type.
    pub kind: IocKind,
    /// Canonical value (refanged, lower-cased where case-insensitive).
    pub value: String,
    /// The input carried defang markers.
    pub defanged: bool,
}

/// Longest value accepted anywhere (API.md: `ioc=` is at most 2048 characters).
pub const MAX_VALUE_LEN: usize = 2048;

/// Normalises `raw`, optionally forcing a type. The error says why the value is not usable.
pub fn normalize(raw: &str, forced: Option<IocKind>) -> Result<Normalized, String> {
    if raw.len() > MAX_VALUE_LEN {
        return Err(format!("value is longer than {MAX_VALUE_LEN} bytes"));
    }
    let c = ioclens_core::classify(raw);
    let (kind, value, defanged) = if c.kind == IocKind::Unknown {
        match interim(raw) {
            Some(n) => (n.kind, n.value, n.defanged),
            None => {
                return Err(c.reason.unwrap_or_else(|| "not a recognised indicator".to_owned()));
            }
        }
    } else {
        (c.kind, c.canonical, c.defanged)
    };
    match forced {
        Some(f) if f != kind => Err(format!("`{}` is not a {f}: detected {kind}", raw.trim())),
        _ => Ok(Normalized { kind, value, defanged }),
    }
}

fn refang(s: &str) -> String {
    let mut out = s.trim().to_owned();
    for (from, to) in [
        ("[.]", "."),
        ("(.)", "."),
        ("{.}", "."),
        ("[dot]", "."),
        ("(dot)", "."),
        ("[:]", ":"),
        ("[://]", "://"),
        ("[@]", "@"),
        ("[at]", "@"),
        ("(at)", "@"),
    ] {
        out = out.replace(from, to);
    }
    let lower = out.to_ascii_lowercase();
    for (from, to) in [("hxxps://", "https://"), ("hxxp://", "http://"), ("fxp://", "ftp://")] {
        if lower.starts_with(from) {
            out = format!("{to}{}", &out[from.len()..]);
        }
    }
    out
}

fn is_domain(s: &str) -> bool {
    let labels: Vec<&str> = s.split('.').collect();
    labels.len() >= 2
        && s.len() <= 253
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        && labels.last().is_some_and(|t| {
            t.len() >= 2 && t.bytes().all(|b| b.is_ascii_alphabetic() || b == b'-')
        })
}

/// Stop-gap normaliser used only where the core `classify` answers `unknown` (see the module docs).
pub fn interim(raw: &str) -> Option<Normalized> {
    let refanged = refang(raw);
    let defanged = refanged != raw.trim();
    let v = refanged.trim_matches(|c: char| c.is_whitespace() || c == '"' || c == '\'');
    if v.is_empty() || v.chars().any(char::is_whitespace) {
        return None;
    }
    let done = |kind, value: String| Some(Normalized { kind, value, defanged });
    if let Ok(ip) = v.parse::<std::net::Ipv4Addr>() {
        return done(IocKind::Ipv4, ip.to_string());
    }
    if let Ok(ip) = v.trim_start_matches('[').trim_end_matches(']').parse::<std::net::Ipv6Addr>() {
        return done(IocKind::Ipv6, ip.to_string());
    }
    if let Some((addr, len)) = v.split_once('/')
        && let Ok(len) = len.parse::<u8>()
    {
        if let Ok(ip) = addr.parse::<std::net::Ipv4Addr>()
            && len <= 32
        {
            return done(IocKind::Cidr, format!("{ip}/{len}"));
        }
        if let Ok(ip) = addr.parse::<std::net::Ipv6Addr>()
            && len <= 128
        {
            return done(IocKind::Cidr, format!("{ip}/{len}"));
        }
    }
    if v.bytes().all(|b| b.is_ascii_hexdigit()) {
        let kind = match v.len() {
            32 => IocKind::Md5,
            40 => IocKind::Sha1,
            64 => IocKind::Sha256,
            128 => IocKind::Sha512,
            _ => return None,
        };
        return done(kind, v.to_ascii_lowercase());
    }
    let upper = v.to_ascii_uppercase();
    if let Some(rest) = upper.strip_prefix("CVE-")
        && let Some((y, n)) = rest.split_once('-')
        && y.len() == 4
        && n.len() >= 4
        && y.bytes().chain(n.bytes()).all(|b| b.is_ascii_digit())
    {
        return done(IocKind::Cve, upper);
    }
    if let Some((scheme, rest)) = v.split_once("://") {
        let scheme = scheme.to_ascii_lowercase();
        if !matches!(scheme.as_str(), "http" | "https" | "ftp" | "ftps" | "sftp" | "ws" | "wss")
            || rest.is_empty()
        {
            return None;
        }
        let (authority, path) = rest.find(['/', '?', '#']).map_or((rest, ""), |i| rest.split_at(i));
        let host_port = authority.rsplit('@').next().unwrap_or(authority).to_ascii_lowercase();
        let host_port = match (scheme.as_str(), host_port.rsplit_once(':')) {
            ("http" | "ws", Some((h, "80"))) | ("https" | "wss", Some((h, "443"))) => h.to_owned(),
            _ => host_port,
        };
        let host = host_port.rsplit_once(':').map_or(host_port.as_str(), |(h, _)| h);
        if !(is_domain(host) || host.parse::<std::net::Ipv4Addr>().is_ok() || host.starts_with('['))
        {
            return None;
        }
        let path = if path.is_empty() { "/" } else { path };
        let userinfo =
            authority.rfind('@').map_or(String::new(), |i| format!("{}@", &authority[..i]));
        return done(IocKind::Url, format!("{scheme}://{userinfo}{host_port}{path}"));
    }
    if let Some((local, domain)) = v.rsplit_once('@') {
        let domain = domain.to_ascii_lowercase();
        if !local.is_empty() && !local.contains('@') && is_domain(&domain) {
            return done(IocKind::Email, format!("{}@{domain}", local.to_ascii_lowercase()));
        }
        return None;
    }
    let lower = v.trim_end_matches('.').to_ascii_lowercase();
    if is_domain(&lower) && !lower.split('.').all(|l| l.bytes().all(|b| b.is_ascii_digit())) {
        return done(IocKind::Domain, lower);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(raw: &str, kind: IocKind, value: &str) {
        let n = normalize(raw, None).unwrap_or_else(|e| panic!("{raw}: {e}"));
        assert_eq!((n.kind, n.value.as_str()), (kind, value), "{raw}");
    }

    #[test]
    fn defanged_and_cased_values_meet() {
        check("evil[.]com", IocKind::Domain, "evil.com");
        check("EVIL.com", IocKind::Domain, "evil.com");
        check("hxxps://Evil[.]COM:443/Gate.php", IocKind::Url, "https://evil.com/Gate.php");
        check("1.2.3[.]4", IocKind::Ipv4, "1.2.3.4");
        check("2001:DB8:0:0::1", IocKind::Ipv6, "2001:db8::1");
        check("D41D8CD98F00B204E9800998ECF8427E", IocKind::Md5, "d41d8cd98f00b204e9800998ecf8427e");
        check("cve-2021-44228", IocKind::Cve, "CVE-2021-44228");
        check("Bad[@]Evil[.]com", IocKind::Email, "bad@evil.com");
        check("10.0.0.0/8", IocKind::Cidr, "10.0.0.0/8");
    }

    #[test]
    fn rejects_non_indicators_and_mismatches() {
        assert!(normalize("hello world", None).is_err());
        assert!(normalize("", None).is_err());
        assert!(normalize("1.2.3.4", Some(IocKind::Domain)).unwrap_err().contains("not a domain"));
        assert!(normalize(&"a".repeat(3000), None).is_err());
    }
}
