//! `classify`: one value in, its type and canonical form out. Never fails.
//!
//! Order of decisions (first match wins; each step is a cheap byte test before any parsing):
//!
//! 1. registry keys and file paths, on the raw text (their backslashes must not be read as `\.` escapes);
//! 2. refang ([`refang_token`]); then by shape: `scheme://` → URL, `CVE-` → CVE, `AS…` → ASN, `@` → e-mail,
//!    hex runs → hashes, ATT&CK ids, `a.b.c.d/n` → CIDR, `host/path` → scheme-less URL, dotted quad → IPv4,
//!    `:` → IPv6, Base58/Bech32 → Bitcoin, else a domain name;
//! 3. a value that fits nothing is `unknown` with the most specific reason found on the way.
//!
//! Domains whose TLD is also a file extension (`readme.md`, `invoice.zip`) are `unknown` unless the value was
//! defanged (docs/INTENTIONAL.md #2); [`classify_as`] with [`IocKind::Domain`] still accepts
//! them, with a note.
use crate::normalize::refang::refang_token;
use crate::normalize::{NormalizeError, btc, domain, email, hash, ids, ip, path, url};
use crate::{Classified, Error, ErrorKind, Facts, IocKind};

/// Longest value classified; longer input is `unknown` (keeps the worst case bounded).
const MAX_LEN: usize = 65_536;

/// Classifies one value (defanged or not). Never fails: a value that is not an indicator comes back as
/// [`IocKind::Unknown`] with a `reason`.
pub fn classify(input: &str) -> Classified {
    let trimmed = input.trim();
    match detect(trimmed) {
        Ok(c) => c,
        Err(reason) => unknown(trimmed, reason),
    }
}

/// Classifies `input` as the forced type `kind`. Errors with [`ErrorKind::TypeMismatch`] naming why when the
/// value is not of that type.
pub fn classify_as(input: &str, kind: IocKind) -> Result<Classified, Error> {
    let c = classify(input);
    if c.kind == kind {
        return Ok(c);
    }
    let trimmed = input.trim();
    let r = refang_token(trimmed);
    let v = r.value.as_ref();
    if kind == IocKind::Domain
        && c.kind == IocKind::Unknown
        && let Ok(d) = domain::validate(v)
    {
        // File-extension TLD collisions: the caller says it is a domain, so it is, with a note.
        let note = format!(
            "`.{}` is also a common file extension; accepted because the type was forced",
            d.facts.tld
        );
        let mut out = found(IocKind::Domain, d.canonical, trimmed, r.defanged, Facts::default());
        out.facts.domain = Some(d.facts);
        out.reason = Some(note);
        return Ok(out);
    }
    if kind == IocKind::Unknown {
        return Err(mismatch(trimmed, kind, &format!("it is {}", article_name(c.kind))));
    }
    let mut why = why_not(kind, v);
    if c.kind != IocKind::Unknown {
        why = format!("{why} (it classifies as {})", article_name(c.kind));
    }
    Err(mismatch(trimmed, kind, &why))
}

fn mismatch(input: &str, kind: IocKind, why: &str) -> Error {
    Error::new(ErrorKind::TypeMismatch, format!("`{input}` is not {}: {why}", article_name(kind)))
        .with_input(input)
}

/// The type with its article, for messages.
fn article_name(kind: IocKind) -> &'static str {
    match kind {
        IocKind::Ipv4 => "an IPv4 address",
        IocKind::Ipv6 => "an IPv6 address",
        IocKind::Cidr => "a CIDR network",
        IocKind::Domain => "a domain",
        IocKind::Url => "a URL",
        IocKind::Email => "an e-mail address",
        IocKind::Md5 => "an MD5 hash",
        IocKind::Sha1 => "a SHA-1 hash",
        IocKind::Sha256 => "a SHA-256 hash",
        IocKind::Sha512 => "a SHA-512 hash",
        IocKind::Cve => "a CVE id",
        IocKind::Attack => "an ATT&CK id",
        IocKind::Asn => "an AS number",
        IocKind::Btc => "a Bitcoin address",
        IocKind::FilePath => "a file path",
        IocKind::RegistryKey => "a registry key",
        IocKind::Unknown => "unknown",
    }
}

/// Why `v` (refanged) is not of type `kind`.
fn why_not(kind: IocKind, v: &str) -> String {
    match kind {
        IocKind::Ipv4 => {
            if v.contains('/') {
                "it has a prefix length: use type cidr".to_owned()
            } else {
                ipv4_reason(v)
            }
        }
        IocKind::Ipv6 => ipv6_reason(v),
        IocKind::Cidr => match ip::parse_cidr(v) {
            Err(e) => e.to_string(),
            Ok(_) => "not a network".to_owned(),
        },
        IocKind::Domain => match domain::validate(v) {
            Err(e) => e.to_string(),
            Ok(_) => "not a domain".to_owned(),
        },
        IocKind::Url => match url::parse(v) {
            Err(e) => e.to_string(),
            Ok(_) => "not a URL".to_owned(),
        },
        IocKind::Email => match email::parse(v) {
            Err(e) => e.to_string(),
            Ok(_) => "not an e-mail address".to_owned(),
        },
        IocKind::Md5 | IocKind::Sha1 | IocKind::Sha256 | IocKind::Sha512 => {
            let want = match kind {
                IocKind::Md5 => 32,
                IocKind::Sha1 => 40,
                IocKind::Sha256 => 64,
                _ => 128,
            };
            if hash::is_hex(v) {
                format!("it has {} hex digits, {} needs {want}", v.len(), article_name(kind))
            } else {
                "it has characters other than hex digits".to_owned()
            }
        }
        IocKind::Cve => match ids::parse_cve(v) {
            Err(e) => e.to_string(),
            Ok(_) => "not a CVE id".to_owned(),
        },
        // Asked only after `classify` found another type, so these always answer with the shape error.
        IocKind::Attack => NormalizeError::AttackShape.to_string(),
        IocKind::FilePath => NormalizeError::PathShape.to_string(),
        IocKind::Asn => match ids::parse_asn(v) {
            Err(e) => e.to_string(),
            Ok(_) => NormalizeError::AsnShape.to_string(),
        },
        IocKind::Btc => match btc::parse(v) {
            Err(e) => e.to_string(),
            Ok(_) => "not a Bitcoin address".to_owned(),
        },
        IocKind::RegistryKey => match path::parse_registry(v) {
            Err(e) => e.to_string(),
            Ok(_) => NormalizeError::RegistryNoHive.to_string(),
        },
        IocKind::Unknown => String::new(),
    }
}

fn unknown(input: &str, reason: String) -> Classified {
    Classified {
        kind: IocKind::Unknown,
        canonical: String::new(),
        input: input.to_owned(),
        defanged: false,
        facts: Facts::default(),
        reason: Some(reason),
    }
}

fn found(
    kind: IocKind,
    canonical: String,
    input: &str,
    defanged: bool,
    facts: Facts,
) -> Classified {
    Classified { kind, canonical, input: input.to_owned(), defanged, facts, reason: None }
}

fn ipv4_reason(v: &str) -> String {
    match ip::parse_v4(v) {
        Err(NormalizeError::Ipv4NotDottedQuad)
            if v.bytes().all(|b| b.is_ascii_digit() || b == b'.') && v.contains('.') =>
        {
            "a dotted number that is not four parts of 1-3 digits: a version number, not an IPv4 address"
                .to_owned()
        }
        Err(e) => e.to_string(),
        Ok(_) => "not an IPv4 address".to_owned(),
    }
}

fn is_mac(v: &str) -> bool {
    let parts: Vec<&str> = v.split([':', '-']).collect();
    parts.len() == 6 && parts.iter().all(|p| p.len() == 2 && hash::is_hex(p))
}

fn is_time(v: &str) -> bool {
    let parts: Vec<&str> = v.split(':').collect();
    (2..=3).contains(&parts.len())
        && parts.iter().all(|p| (1..=2).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
}

fn ipv6_reason(v: &str) -> String {
    if is_mac(v) {
        "a MAC address, not an IPv6 address".to_owned()
    } else if is_time(v) {
        "a time of day, not an IPv6 address".to_owned()
    } else if v.contains('%') {
        "IPv6 zone ids (`%eth0`) are local to one host; give the address without it".to_owned()
    } else {
        NormalizeError::Ipv6Invalid.to_string()
    }
}

/// `a.b.c.d:port` and `[v6]:port` (Maltrail, `ThreatFox`, Feodo and MISP `ip-dst|port` write them so): the
/// address, with the port as a fact. Port 0 and non-numeric ports are not ports.
fn ip_with_port(v: &str, t: &str, defanged: bool) -> Option<Classified> {
    let (host, port) = v.rsplit_once(':')?;
    if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let port = port.parse::<u16>().ok().filter(|&p| p != 0)?;
    let (kind, canonical, mut facts) =
        if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
            let a = ip::parse_v6(inner).ok()?;
            (IocKind::Ipv6, ip::format_v6(a), ip::facts_v6(a))
        } else {
            let a = ip::parse_v4(host).ok()?;
            (IocKind::Ipv4, a.to_string(), ip::facts_v4(a))
        };
    facts.port = Some(port);
    let f = Facts { ip: Some(facts), ..Facts::default() };
    Some(found(kind, canonical, t, defanged, f))
}

/// The classification proper; `Err` carries the reason for `unknown`.
#[expect(
    clippy::many_single_char_names,
    reason = "t = trimmed input, v = refanged value: used on every line"
)]
fn detect(t: &str) -> Result<Classified, String> {
    if t.is_empty() {
        return Err("empty input".to_owned());
    }
    if t.len() > MAX_LEN {
        return Err(format!("longer than {MAX_LEN} bytes"));
    }
    let first = t.as_bytes()[0];
    // 1. Registry keys and paths, before refang reads their backslashes.
    if matches!(first, b'H' | b'h' | b'\\') {
        match path::parse_registry(t) {
            Ok(key) => return Ok(found(IocKind::RegistryKey, key, t, false, Facts::default())),
            Err(NormalizeError::RegistryNoHive) => {}
            Err(e) => return Err(e.to_string()),
        }
    }
    let b = t.as_bytes();
    let windows_drive =
        b.len() > 2 && b[0].is_ascii_alphabetic() && b[1] == b':' && matches!(b[2], b'\\' | b'/');
    let windows_drive = windows_drive && !t.contains("://");
    if windows_drive
        || first == b'%'
        || t.starts_with("\\\\")
        || (first == b'/' && !t.starts_with("//"))
        || t.starts_with("~/")
    {
        if let Ok((canonical, facts)) = path::parse_path(t) {
            let f = Facts { path: Some(facts), ..Facts::default() };
            return Ok(found(IocKind::FilePath, canonical, t, false, f));
        }
        if first != b'/' {
            return Err(why_not(IocKind::FilePath, t));
        }
        if !t[1..].contains('/') {
            return Err(
                "not a file path: a Unix path needs 2 or more components (`/dir/file`)".to_owned()
            );
        }
    }
    // 2. Refang, then dispatch by shape.
    let r = refang_token(t);
    let v = r.value.as_ref();
    let defanged = r.defanged;
    if v.is_empty() {
        return Err("only defang markers or invisible characters".to_owned());
    }
    if v.contains("://") {
        return classify_url(v, t, defanged);
    }
    let vb = v.as_bytes();
    if vb.len() >= 5 && vb[..4].eq_ignore_ascii_case(b"cve-") && vb[4].is_ascii_digit() {
        return match ids::parse_cve(v) {
            Ok((id, facts)) => {
                let f = Facts { cve: Some(facts), ..Facts::default() };
                Ok(found(IocKind::Cve, id, t, defanged, f))
            }
            Err(e) => Err(e.to_string()),
        };
    }
    if vb.len() >= 3 && vb[..2].eq_ignore_ascii_case(b"as") {
        match ids::parse_asn(v) {
            Ok(asn) => {
                let n: u32 = asn[2..].parse().unwrap_or_default();
                let mut c = found(IocKind::Asn, asn, t, defanged, Facts::default());
                c.reason = ids::asn_note(n).map(str::to_owned);
                return Ok(c);
            }
            Err(NormalizeError::AsnShape) => {}
            Err(e) => return Err(e.to_string()),
        }
    }
    if v.chars().any(char::is_whitespace) {
        return Err("contains whitespace: not a single indicator".to_owned());
    }
    if v.contains('@') {
        return match email::parse(v) {
            Ok(e) => {
                let f = Facts { domain: Some(e.domain), email: Some(e.facts), ..Facts::default() };
                let mut c = found(IocKind::Email, e.canonical, t, defanged, f);
                c.reason = reserved_note(c.facts.domain.as_ref());
                Ok(c)
            }
            Err(e) => Err(e.to_string()),
        };
    }
    if hash::is_hex(v) && v.len() >= 16 {
        return match hash::kind_of(v) {
            Some(kind) => Ok(found(kind, hash::canonical(v), t, defanged, Facts::default())),
            None => Err(format!(
                "{} hex digits: not an MD5 (32), SHA-1 (40), SHA-256 (64) or SHA-512 (128) digest",
                v.len()
            )),
        };
    }
    if vb.len() <= 9
        && matches!(vb[0].to_ascii_uppercase(), b'T' | b'G' | b'S' | b'M' | b'C' | b'D')
        && let Ok((id, facts)) = ids::parse_attack(v)
    {
        let f = Facts { attack: Some(facts), ..Facts::default() };
        return Ok(found(IocKind::Attack, id, t, defanged, f));
    }
    if let Some(rest) = v.strip_prefix("//") {
        // Protocol-relative URL (`//evil.com/x`, common in HTML): same rule as a scheme-less `host/path`.
        return schemeless_url(rest, t, defanged);
    }
    if let Some(slash) = v.find('/') {
        let head = &v[..slash];
        let numeric_head =
            !head.is_empty() && head.bytes().all(|b| b.is_ascii_digit() || b == b'.');
        if numeric_head || (head.contains(':') && ip::parse_v6(head).is_ok()) {
            return match ip::parse_cidr(v) {
                Ok(c) => {
                    let f = Facts { ip: Some(c.facts), ..Facts::default() };
                    let mut out = found(IocKind::Cidr, c.canonical, t, defanged, f);
                    if c.host_bits_set {
                        out.reason = Some(
                            "host bits were set; the canonical value is the network".to_owned(),
                        );
                    }
                    Ok(out)
                }
                Err(e)
                    if numeric_head
                        && ip::parse_v4(head).is_ok()
                        && !v[slash + 1..].bytes().all(|b| b.is_ascii_digit()) =>
                {
                    // `1.2.3.4/path`: a scheme-less URL on an IP host.
                    schemeless_url(v, t, defanged).map_err(|_| e.to_string())
                }
                Err(e) => Err(e.to_string()),
            };
        }
        return schemeless_url(v, t, defanged);
    }
    let all_numeric =
        vb.iter().all(|b| b.is_ascii_digit() || *b == b'.') && vb.iter().any(u8::is_ascii_digit);
    if all_numeric {
        return match ip::parse_v4(v) {
            Ok(a) => {
                let f = Facts { ip: Some(ip::facts_v4(a)), ..Facts::default() };
                Ok(found(IocKind::Ipv4, a.to_string(), t, defanged, f))
            }
            Err(_) => Err(ipv4_reason(v)),
        };
    }
    if v.contains(':') {
        if let Ok(a) = ip::parse_v6(v) {
            let f = Facts { ip: Some(ip::facts_v6(a)), ..Facts::default() };
            return Ok(found(IocKind::Ipv6, ip::format_v6(a), t, defanged, f));
        }
        if let Some(c) = ip_with_port(v, t, defanged) {
            return Ok(c);
        }
        if let Some((host, port)) = v.rsplit_once(':')
            && !port.is_empty()
            && port.bytes().all(|b| b.is_ascii_digit())
        {
            let bare = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
            if ip::parse_v4(host).is_ok() || ip::parse_v6(bare).is_ok() {
                return Err(format!("`{host}` with port `{port}`: a port is 1 to 65535"));
            }
            if domain::validate(host).is_ok() {
                return Err(format!(
                    "`{host}` with a port: classify the host alone, or give a URL (`scheme://{host}:{port}`)"
                ));
            }
        }
        return Err(ipv6_reason(v));
    }
    if looks_like_btc(v)
        && let Ok((canonical, facts)) = btc::parse(v)
    {
        let f = Facts { btc: Some(facts), ..Facts::default() };
        return Ok(found(IocKind::Btc, canonical, t, defanged, f));
    }
    match domain::validate(v) {
        Ok(d) => {
            if !defanged && domain::is_file_extension_tld(&d.facts.tld) {
                return Err(format!(
                    "`{t}` is not a domain: `.{}` is a file extension and the value carries no defang marker",
                    d.facts.tld
                ));
            }
            let note = reserved_note(Some(&d.facts));
            let f = Facts { domain: Some(d.facts), ..Facts::default() };
            let mut c = found(IocKind::Domain, d.canonical, t, defanged, f);
            c.reason = note;
            Ok(c)
        }
        Err(e) => {
            if looks_like_btc(v)
                && let Err(be) = btc::parse(v)
            {
                return Err(format!("not a Bitcoin address ({be}) nor a domain"));
            }
            if !v.contains('.') {
                return Err("not an indicator: no type matches".to_owned());
            }
            Err(e.to_string())
        }
    }
}

fn reserved_note(d: Option<&crate::DomainFacts>) -> Option<String> {
    d.filter(|d| d.reserved)
        .map(|_| "reserved name (RFC 2606/6761): not routable as an external indicator".to_owned())
}

fn looks_like_btc(v: &str) -> bool {
    let b = v.as_bytes();
    let lower3 = b.get(..3).map(<[u8]>::to_ascii_lowercase);
    if matches!(lower3.as_deref(), Some(b"bc1" | b"tb1")) {
        return b.len() >= 14;
    }
    (25..=35).contains(&b.len())
        && matches!(b[0], b'1' | b'3' | b'm' | b'n' | b'2')
        && b.iter().all(u8::is_ascii_alphanumeric)
}

fn classify_url(value: &str, input: &str, defanged: bool) -> Result<Classified, String> {
    match url::parse(value) {
        Ok(parsed) => {
            let note = (parsed.facts.host_type == IocKind::Unknown).then(|| {
                format!("host `{}` is not a public domain or IP address", parsed.facts.host)
            });
            let facts = Facts {
                domain: parsed.domain,
                ip: parsed.ip,
                url: Some(parsed.facts),
                ..Facts::default()
            };
            let mut out = found(IocKind::Url, parsed.canonical, input, defanged, facts);
            out.reason = note.or_else(|| reserved_note(out.facts.domain.as_ref()));
            Ok(out)
        }
        Err(e) => Err(e.to_string()),
    }
}

/// `host/path` without a scheme: a URL when the host is an IPv4 address or a domain (file-extension TLDs only
/// when defanged). The canonical form gets `http://`, and the note says so.
fn schemeless_url(v: &str, t: &str, defanged: bool) -> Result<Classified, String> {
    let slash = v.find('/').unwrap_or(v.len());
    let host = &v[..slash];
    let host_only = host
        .rsplit_once(':')
        .filter(|(_, p)| p.bytes().all(|b| b.is_ascii_digit()))
        .map_or(host, |(h, _)| h);
    let ok = ip::parse_v4(host_only).is_ok()
        || domain::validate(host_only)
            .is_ok_and(|d| defanged || !domain::is_file_extension_tld(&d.facts.tld));
    if !ok {
        return Err(format!("`{host}` before the `/` is not a domain or IPv4 address"));
    }
    let mut c = classify_url(&format!("http://{v}"), t, defanged)?;
    c.reason = Some("no scheme given: `http://` assumed".to_owned());
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, kind: IocKind, canonical: &str) {
        let c = classify(input);
        assert_eq!(
            (c.kind, c.canonical.as_str()),
            (kind, canonical),
            "classify({input:?}): {:?}",
            c.reason
        );
    }

    #[test]
    fn kinds() {
        check("8.8.8[.]8", IocKind::Ipv4, "8.8.8.8");
        check("2001:DB8::1", IocKind::Ipv6, "2001:db8::1");
        check("10.0.0.0/8", IocKind::Cidr, "10.0.0.0/8");
        check("Evil[.]COM", IocKind::Domain, "evil.com");
        check("hxxps://evil[.]com/gate.php", IocKind::Url, "https://evil.com/gate.php");
        check("cfo[@]x.live", IocKind::Email, "cfo@x.live");
        check("D41D8CD98F00B204E9800998ECF8427E", IocKind::Md5, "d41d8cd98f00b204e9800998ecf8427e");
        check("cve-2021-44228", IocKind::Cve, "CVE-2021-44228");
        check("t1059.001", IocKind::Attack, "T1059.001");
        check("ASN 13335", IocKind::Asn, "AS13335");
        check(
            "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
            IocKind::Btc,
            "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
        );
        check("C:\\Windows\\Temp\\a.exe", IocKind::FilePath, "C:\\Windows\\Temp\\a.exe");
        check("HKCU\\Software\\Run", IocKind::RegistryKey, "HKEY_CURRENT_USER\\Software\\Run");
        check("evil[.]com/gate.php", IocKind::Url, "http://evil.com/gate.php");
    }

    #[test]
    fn negatives() {
        for v in [
            "readme.md",
            "invoice.zip",
            "loader.py",
            "10.0.19041.1",
            "1.2.3.4.5",
            "12:30:45",
            "00:1A:2B:3C:4D:5E",
            "W64/BURNTCIGAR.CA!tr",
            "e.g.",
            "System.Net.WebClient",
            "",
            "   ",
            "hello",
        ] {
            let c = classify(v);
            assert_eq!(c.kind, IocKind::Unknown, "{v:?} → {c:?}");
            assert!(c.reason.is_some());
        }
        assert_eq!(classify("readme[.]md").kind, IocKind::Domain);
    }

    #[test]
    fn forced() {
        let e = classify_as("readme.notatld", IocKind::Domain).unwrap_err();
        assert_eq!(e.kind, ErrorKind::TypeMismatch);
        assert!(e.message.contains("TLD `notatld` does not exist"), "{}", e.message);
        let c = classify_as("readme.md", IocKind::Domain).unwrap();
        assert_eq!(c.canonical, "readme.md");
        assert!(c.reason.unwrap().contains("file extension"));
        let e = classify_as("8.8.8.8", IocKind::Domain).unwrap_err();
        assert!(e.message.contains("an IPv4 address"), "{}", e.message);
        let e = classify_as("d41d8cd98f00b204e9800998ecf8427e", IocKind::Sha256).unwrap_err();
        assert!(e.message.contains("32 hex digits"), "{}", e.message);
    }
}
