//! Hashes: MD5, SHA-1, SHA-256 and SHA-512 as hexadecimal digests, canonical lower-case.
use crate::IocKind;

/// The hash type of a hex digest by length (32, 40, 64, 128 hex digits), `None` when it is not one.
pub fn kind_of(s: &str) -> Option<IocKind> {
    let kind = match s.len() {
        32 => IocKind::Md5,
        40 => IocKind::Sha1,
        64 => IocKind::Sha256,
        128 => IocKind::Sha512,
        _ => return None,
    };
    s.bytes().all(|b| b.is_ascii_hexdigit()).then_some(kind)
}

/// True when every byte is a hex digit.
pub fn is_hex(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Canonical digest text: lower-case.
pub fn canonical(s: &str) -> String {
    s.to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths() {
        assert_eq!(kind_of("d41d8cd98f00b204e9800998ecf8427e"), Some(IocKind::Md5));
        assert_eq!(kind_of("DA39A3EE5E6B4B0D3255BFEF95601890AFD80709"), Some(IocKind::Sha1));
        assert_eq!(kind_of(&"a".repeat(64)), Some(IocKind::Sha256));
        assert_eq!(kind_of(&"0".repeat(128)), Some(IocKind::Sha512));
        assert_eq!(kind_of(&"0".repeat(65)), None);
        assert_eq!(kind_of("g41d8cd98f00b204e9800998ecf8427e"), None);
    }
}
