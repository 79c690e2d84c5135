//! Signed intel packs (feature `pack-signature`): the ed25519 signature of a whole pack file, checked with the
//! public key a host is configured with (`docs/intel.md`, "Signed packs"). The one implementation every host
//! uses (the CLI's `intel pull` through the server crate; the WASM hosts when they load a pack); signing, which
//! needs the key file and randomness, stays with the server.
use super::pack::Pack;
use ed25519_dalek::{Signature, VerifyingKey};

/// Hex of `bytes` (lower case).
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        use std::fmt::Write as _;
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// `N` bytes from exactly `2 * N` hex digits (surrounding whitespace ignored).
pub fn unhex<const N: usize>(s: &str) -> Option<[u8; N]> {
    let s = s.trim();
    if s.len() != 2 * N || !s.is_ascii() {
        return None;
    }
    let mut out = [0u8; N];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// A public key as hosts are configured with it (64 hex digits).
///
/// # Errors
/// Not 64 hex digits, or not a valid ed25519 point.
pub fn parse_public_key(s: &str) -> Result<VerifyingKey, String> {
    let bytes = unhex::<32>(s).ok_or("a public key is 64 hex digits")?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| "not a valid ed25519 public key".to_owned())
}

/// Checks `signature` (128 hex digits) over `pack` with `key` (strict verification).
///
/// # Errors
/// A malformed or non-verifying signature.
pub fn verify(key: &VerifyingKey, pack: &[u8], signature: &str) -> Result<(), String> {
    let sig = unhex::<64>(signature).ok_or("the signature is not 128 hex digits")?;
    key.verify_strict(pack, &Signature::from_bytes(&sig)).map_err(|_| {
        "the pack's signature does not verify with the configured public key".to_owned()
    })
}

/// What a host installs: `bytes` whose `signature` verifies with `public_key` (hex) and whose checksum and
/// records validate ([`Pack::from_bytes`]). Nothing is trusted before both checks pass.
///
/// # Errors
/// A bad key or signature, a signature that does not verify, or a damaged pack; the message says which.
pub fn verify_pack(bytes: &[u8], signature: &str, public_key: &str) -> Result<(), String> {
    let key = parse_public_key(public_key)?;
    verify(&key, bytes, signature)?;
    Pack::from_bytes(bytes).map(|_| ()).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 8032 section 7.1, TEST 2: one-byte message 0x72.
    const PUBLIC: &str = "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c";
    const SIG: &str = "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da\
                       085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00";

    #[test]
    fn rfc8032_vector_and_refusals() {
        let key = parse_public_key(PUBLIC).unwrap();
        assert_eq!(verify(&key, &[0x72], SIG), Ok(()));
        assert!(verify(&key, &[0x73], SIG).unwrap_err().contains("does not verify"));
        assert!(verify(&key, &[0x72], "abc").unwrap_err().contains("128 hex digits"));
        assert!(parse_public_key("xyz").unwrap_err().contains("64 hex digits"));
        assert!(parse_public_key(&"zz".repeat(32)).is_err());
        assert_eq!(hex(&unhex::<4>(" 00ff10ab\n").unwrap()), "00ff10ab");
        assert_eq!(unhex::<2>("é1a"), None, "not ASCII: refused, no panic");
        // A verified signature over bytes that are no pack is still refused.
        let e = verify_pack(&[0x72], SIG, PUBLIC).unwrap_err();
        assert!(!e.contains("signature"), "{e}");
    }
}
