//! The breadth guard: what a value must be before any query carries it. A value that is empty once
//! normalised, that names a whole network (/0–/8 IPv4, /0–/32 IPv6), a bare TLD, a public suffix, a root
//! directory or a bare hive, that is longer than [`MAX_VALUE_LEN`] or that holds a control or format
//! character (bidi overrides, zero-width characters) is refused with a [`Skipped`] saying why.
use super::spl::strip_scheme;
use super::{split_attack, tactic_sentinel_name};
use crate::{Error, ErrorKind, IocKind};
use serde::{Deserialize, Serialize};

/// The longest value (in bytes, after trimming) any query carries. Longer values are refused: a 1 MB
/// "indicator" would make a 12 MB hunt, and no real URL, path or key needs more.
pub const MAX_VALUE_LEN: usize = 2048;

/// Why a value was not hunted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// Nothing is left once the value is normalised (`hxxp://`, `[.]`).
    Empty,
    /// The value would match far too much: a /0–/8 network, a bare TLD or public suffix, a root directory.
    TooBroad,
    /// Longer than [`MAX_VALUE_LEN`].
    TooLong,
    /// Holds a control character (C0, DEL, C1, U+2028/2029).
    ControlCharacter,
    /// Holds a Unicode format character (bidi controls such as U+202E, zero-width characters): a display
    /// spoof (Trojan Source) in any query editor.
    FormatCharacter,
    /// Not a valid value of its type.
    Malformed,
}

impl SkipReason {
    /// The error kind the single-value functions (`spl_for` …) return.
    fn error_kind(self) -> ErrorKind {
        match self {
            SkipReason::ControlCharacter | SkipReason::FormatCharacter => {
                ErrorKind::ControlCharacter
            }
            SkipReason::Malformed => ErrorKind::TypeMismatch,
            SkipReason::Empty | SkipReason::TooBroad | SkipReason::TooLong => {
                ErrorKind::InvalidOption
            }
        }
    }
}

/// A value [`super::hunt`] left out, and why; the rest of the batch is still rendered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    /// The type the value was given as.
    #[serde(rename = "type")]
    pub kind: IocKind,
    /// The value as given (cut to 200 characters).
    pub value: String,
    /// The category.
    pub reason: SkipReason,
    /// One line saying why.
    pub message: String,
}

impl Skipped {
    fn new(kind: IocKind, value: &str, reason: SkipReason, message: impl Into<String>) -> Self {
        let mut shown: String = value.chars().take(200).collect();
        if shown.len() < value.len() {
            shown.push('…');
        }
        Self { kind, value: shown, reason, message: message.into() }
    }

    /// The same as an [`Error`].
    pub(crate) fn into_error(self) -> Error {
        Error::new(self.reason.error_kind(), self.message).with_input(self.value)
    }
}

/// Unicode format characters (category Cf) and other invisible characters that change how a query is
/// displayed: bidi embeddings/overrides/isolates, zero-width characters, the BOM, tag characters.
pub(crate) fn is_format_char(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x034F | 0x061C | 0x0600..=0x0605 | 0x06DD | 0x070F | 0x0890..=0x0891 | 0x08E2
        | 0x115F | 0x1160 | 0x17B4 | 0x17B5 | 0x180B..=0x180F | 0x200B..=0x200F | 0x202A..=0x202E
        | 0x2060..=0x206F | 0x3164 | 0xFE00..=0xFE0F | 0xFEFF | 0xFFA0 | 0xFFF0..=0xFFFB
        | 0x110BD | 0x110CD | 0x13430..=0x1343F | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A
        | 0xE0000..=0xE0FFF)
}

/// Normalises one value for `kind` and applies every check; `Err` says why it cannot be hunted.
pub(crate) fn prepare(kind: IocKind, value: &str) -> Result<String, Skipped> {
    let skip = |reason, msg: String| Skipped::new(kind, value, reason, msg);
    if value.trim().len() > MAX_VALUE_LEN {
        return Err(skip(
            SkipReason::TooLong,
            format!(
                "value is {} bytes long; queries carry at most {MAX_VALUE_LEN}",
                value.trim().len()
            ),
        ));
    }
    if let Some(c) = value.chars().find(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}'))
    {
        return Err(skip(
            SkipReason::ControlCharacter,
            format!(
                "value contains the control character U+{:04X}, which no query can carry safely",
                c as u32
            ),
        ));
    }
    if let Some(c) = value.chars().find(|c| is_format_char(*c)) {
        return Err(skip(
            SkipReason::FormatCharacter,
            format!(
                "value contains the invisible format character U+{:04X} (bidi control or zero-width), which would make the query display differently from what it matches",
                c as u32
            ),
        ));
    }
    let v = value.trim();
    let out = match kind {
        IocKind::Domain => v.trim_matches('.').to_lowercase(),
        IocKind::Email | IocKind::Md5 | IocKind::Sha1 | IocKind::Sha256 | IocKind::Sha512 => {
            v.trim_end_matches('.').to_lowercase()
        }
        IocKind::Ipv6 | IocKind::Cidr => v.to_ascii_lowercase(),
        IocKind::Cve | IocKind::Attack | IocKind::Asn => v.to_ascii_uppercase(),
        _ => v.to_owned(),
    };
    if out.is_empty() {
        return Err(skip(SkipReason::Empty, "empty indicator value".to_owned()));
    }
    if !shape_ok(kind, &out) {
        return Err(skip(SkipReason::Malformed, format!("`{v}` is not a valid {kind} value")));
    }
    let out = match kind {
        // RFC 5952 text, whatever form the caller passed.
        IocKind::Ipv6 => out.parse::<std::net::Ipv6Addr>().map_or(out, |ip| ip.to_string()),
        IocKind::Cidr => canonical_cidr(&out).unwrap_or(out),
        _ => out,
    };
    if kind == IocKind::Attack {
        split_attack(std::slice::from_ref(&out))
            .map_err(|e| skip(SkipReason::Malformed, e.message))?;
        if out.starts_with("TA") && tactic_sentinel_name(&out).is_none() {
            return Err(skip(
                SkipReason::Malformed,
                format!("`{out}` is not a tactic of the embedded ATT&CK catalogue"),
            ));
        }
    }
    if let Some((reason, why)) = too_broad(kind, &out) {
        return Err(skip(reason, why));
    }
    Ok(out)
}

/// The CIDR with its host bits cleared (`10.1.2.3/8` → `10.0.0.0/8`): Sigma and STIX require the network
/// address, and the range is the same.
fn canonical_cidr(v: &str) -> Option<String> {
    let (ip, len) = v.split_once('/')?;
    let len: u32 = len.parse().ok()?;
    Some(match ip.parse::<std::net::IpAddr>().ok()? {
        std::net::IpAddr::V4(a) => {
            let mask = if len == 0 { 0 } else { u32::MAX << (32 - len.min(32)) };
            format!("{}/{len}", std::net::Ipv4Addr::from(u32::from(a) & mask))
        }
        std::net::IpAddr::V6(a) => {
            let mask = if len == 0 { 0 } else { u128::MAX << (128 - len.min(128)) };
            format!("{}/{len}", std::net::Ipv6Addr::from(u128::from(a) & mask))
        }
    })
}

/// The host of a URL without scheme, user info, port or brackets (`""` when there is none).
pub(crate) fn url_host(v: &str) -> &str {
    let rest = strip_scheme(v);
    let authority = rest.split(['/', '?', '#', '\\']).next().unwrap_or("");
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if let Some(inner) = host.strip_prefix('[') {
        return inner.split(']').next().unwrap_or("");
    }
    match host.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => host,
    }
}

/// Why a name is too broad to hunt, if it is: one label, or a public suffix (ICANN or private section).
fn broad_name(name: &str) -> Option<String> {
    if !name.contains('.') {
        return Some(format!(
            "`{name}` is a single label (a bare TLD or host name): it would match every name under it"
        ));
    }
    if name.is_ascii() && crate::normalize::domain::public_suffix(name).0 == 0 {
        return Some(format!(
            "`{name}` is a public suffix: it would match every domain registered under it"
        ));
    }
    None
}

fn too_broad(kind: IocKind, v: &str) -> Option<(SkipReason, String)> {
    let broad = |m: String| Some((SkipReason::TooBroad, m));
    match kind {
        IocKind::Domain => broad_name(v).map(|m| (SkipReason::TooBroad, m)),
        IocKind::Url => {
            let bare = strip_scheme(v);
            let host = url_host(v);
            if bare.trim_matches(['/', '.', ':', '@', '?', '#']).is_empty() || host.is_empty() {
                return Some((
                    SkipReason::Empty,
                    format!("`{v}` has no host once its scheme is removed"),
                ));
            }
            let path = &bare[bare.find(['/', '?', '#']).unwrap_or(bare.len())..];
            if path.trim_matches('/').is_empty()
                && host.parse::<std::net::IpAddr>().is_err()
                && let Some(m) = broad_name(&host.to_ascii_lowercase())
            {
                return broad(format!("a URL with no path on {m}"));
            }
            None
        }
        IocKind::Cidr => {
            let (ip, len) = v.split_once('/')?;
            let len: u32 = len.parse().ok()?;
            let (max, family) = if ip.contains(':') { (32, "IPv6") } else { (8, "IPv4") };
            (len <= max).then(|| {
                (
                    SkipReason::TooBroad,
                    format!(
                        "`{v}` covers /{len} of the {family} space (at most /{max} is refused): it would match a large share of all traffic"
                    ),
                )
            })
        }
        IocKind::Ipv4 | IocKind::Ipv6 => {
            let ip: std::net::IpAddr = v.parse().ok()?;
            let any = match ip {
                std::net::IpAddr::V4(a) => a.is_unspecified() || a.is_broadcast(),
                std::net::IpAddr::V6(a) => a.is_unspecified(),
            };
            any.then(|| {
                (
                    SkipReason::TooBroad,
                    format!(
                        "`{v}` is the unspecified or broadcast address: it appears in logs of every host"
                    ),
                )
            })
        }
        IocKind::Email => {
            let (local, domain) = v.rsplit_once('@')?;
            if local.is_empty() || domain.is_empty() {
                return Some((SkipReason::Empty, format!("`{v}` lacks a local part or a domain")));
            }
            None
        }
        IocKind::FilePath => {
            let rest = v.trim_matches(['\\', '/', '.', ' ', '*', '?']);
            let drive_only = rest.len() == 2 && rest.ends_with(':');
            (rest.is_empty() || drive_only).then(|| {
                (SkipReason::TooBroad, format!("`{v}` is a root directory: it matches every file"))
            })
        }
        IocKind::RegistryKey => {
            let parts: Vec<&str> =
                v.split('\\').filter(|p| !p.trim_matches(['*', '?']).is_empty()).collect();
            let first = parts.first().map(|p| p.to_ascii_uppercase()).unwrap_or_default();
            let hive_parts =
                if first == "REGISTRY" { 2 } else { usize::from(first.starts_with("HK")) };
            (parts.len() <= hive_parts).then(|| {
                (SkipReason::TooBroad, format!("`{v}` is a bare hive: it matches every key"))
            })
        }
        _ => None,
    }
}

/// Types with a fixed syntax are checked, so a query never carries a value that cannot match (free-text
/// types — domain, URL, e-mail, paths, registry keys — rely on the escaping contract and the breadth guard).
fn shape_ok(kind: IocKind, v: &str) -> bool {
    let hex = |n: usize| v.len() == n && v.bytes().all(|b| b.is_ascii_hexdigit());
    let digits = |s: &str, min: usize, max: usize| {
        (min..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    match kind {
        IocKind::Ipv4 => v.parse::<std::net::Ipv4Addr>().is_ok(),
        IocKind::Ipv6 => v.parse::<std::net::Ipv6Addr>().is_ok(),
        IocKind::Cidr => v.split_once('/').is_some_and(|(ip, len)| {
            let len: Option<u8> = if digits(len, 1, 3) { len.parse().ok() } else { None };
            match (ip.parse::<std::net::IpAddr>(), len) {
                (Ok(std::net::IpAddr::V4(_)), Some(l)) => l <= 32,
                (Ok(std::net::IpAddr::V6(_)), Some(l)) => l <= 128,
                _ => false,
            }
        }),
        IocKind::Md5 => hex(32),
        IocKind::Sha1 => hex(40),
        IocKind::Sha256 => hex(64),
        IocKind::Sha512 => hex(128),
        IocKind::Cve => crate::normalize::ids::parse_cve(v).is_ok_and(|(id, _)| id == v),
        IocKind::Asn => v.strip_prefix("AS").unwrap_or(v).parse::<u32>().is_ok(),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(kind: IocKind, v: &str) -> Option<SkipReason> {
        prepare(kind, v).err().map(|s| s.reason)
    }

    #[test]
    fn match_everything_values_are_refused() {
        use IocKind as K;
        use SkipReason as R;
        for (kind, v, why) in [
            (K::Url, "http://", R::Empty),
            (K::Url, "hxxp://", R::Empty),
            (K::Url, "https:///", R::Empty),
            (K::Url, "http://com/", R::TooBroad),
            (K::Url, "https://co.uk", R::TooBroad),
            (K::Domain, ".", R::Empty),
            (K::Domain, "..", R::Empty),
            (K::Domain, "com", R::TooBroad),
            (K::Domain, "co.uk", R::TooBroad),
            (K::Domain, "github.io", R::TooBroad),
            (K::Domain, "localhost", R::TooBroad),
            (K::Cidr, "0.0.0.0/0", R::TooBroad),
            (K::Cidr, "10.0.0.0/8", R::TooBroad),
            (K::Cidr, "2001:db8::/32", R::TooBroad),
            (K::Cidr, "::/0", R::TooBroad),
            (K::Ipv4, "0.0.0.0", R::TooBroad),
            (K::Ipv6, "::", R::TooBroad),
            (K::Email, "@evil.example", R::Empty),
            (K::FilePath, "C:\\", R::TooBroad),
            (K::FilePath, "/", R::TooBroad),
            (K::RegistryKey, "HKLM", R::TooBroad),
            (K::RegistryKey, "HKEY_LOCAL_MACHINE\\", R::TooBroad),
            (K::RegistryKey, "\\REGISTRY\\MACHINE", R::TooBroad),
            (K::Attack, "G0016", R::Malformed),
            (K::Attack, "TA9999", R::Malformed),
            (K::Domain, "evil\u{202e}moc.example", R::FormatCharacter),
            (K::Url, "http://x.test/\u{200b}", R::FormatCharacter),
            (K::Domain, "a\nb.example", R::ControlCharacter),
        ] {
            assert_eq!(reason(kind, v), Some(why), "{kind} {v:?}");
        }
        let long = format!("http://x.test/{}", "a".repeat(MAX_VALUE_LEN));
        assert_eq!(reason(IocKind::Url, &long), Some(SkipReason::TooLong));
        let s = prepare(IocKind::Url, &"x".repeat(1 << 20)).unwrap_err();
        assert!(s.value.chars().count() <= 201 && s.message.contains("1048576 bytes"));
    }

    #[test]
    fn narrow_values_pass_and_cidrs_lose_host_bits() {
        for (kind, v, want) in [
            (IocKind::Cidr, "10.1.2.3/9", "10.0.0.0/9"),
            (IocKind::Cidr, "2001:db8:1::5/48", "2001:db8:1::/48"),
            (IocKind::Domain, "Evil.Example.", "evil.example"),
            (IocKind::Domain, "evil.co.uk", "evil.co.uk"),
            (IocKind::Url, "http://com/gate.php", "http://com/gate.php"),
            (IocKind::Url, "http://203.0.113.7/", "http://203.0.113.7/"),
            (IocKind::RegistryKey, "HKCR\\*\\shell", "HKCR\\*\\shell"),
            (IocKind::FilePath, "C:\\x", "C:\\x"),
            (IocKind::Attack, "ta0011", "TA0011"),
        ] {
            assert_eq!(prepare(kind, v).as_deref(), Ok(want), "{kind} {v}");
        }
        assert_eq!(url_host("https://u:p@[2001:db8::1]:8443/x"), "2001:db8::1");
        assert_eq!(url_host("http://Evil.Example:8080?q"), "Evil.Example");
        assert_eq!(url_host("evil.example/a"), "evil.example");
    }
}
