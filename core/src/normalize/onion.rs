//! Tor v3 onion service addresses (rend-spec-v3 §6): 56 base32 characters encoding a 32-byte ed25519 public key,
//! a 2-byte checksum and the version byte 3, where the checksum is the first two bytes of
//! SHA3-256(".onion checksum" ‖ key ‖ version). Version 2 addresses (16 characters) were retired in 2021.
use super::NormalizeError;
use sha3::{Digest, Sha3_256};

const BASE32: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

fn checksum(key: &[u8]) -> [u8; 2] {
    let mut h = Sha3_256::new();
    h.update(b".onion checksum");
    h.update(key);
    h.update([3u8]);
    let d = h.finalize();
    [d[0], d[1]]
}

/// Checks the label before `.onion` (lower-case). `Err` says what is wrong.
pub fn check_v3(label: &str) -> Result<(), NormalizeError> {
    if label.len() != 56 {
        return Err(NormalizeError::OnionLength);
    }
    let mut bytes = [0u8; 35];
    let (mut acc, mut bits, mut n) = (0u32, 0u32, 0usize);
    for c in label.bytes() {
        let v = BASE32.iter().position(|&x| x == c).ok_or(NormalizeError::OnionBase32)?;
        acc = (acc << 5) | v as u32;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            bytes[n] = (acc >> bits) as u8;
            n += 1;
            acc &= (1 << bits) - 1;
        }
    }
    if bytes[34] != 3 {
        return Err(NormalizeError::OnionVersion);
    }
    if checksum(&bytes[..32]) != bytes[32..34] {
        return Err(NormalizeError::OnionChecksum);
    }
    Ok(())
}

/// The v3 address label (without `.onion`) of a 32-byte public key: what a test or a host needs to make a valid
/// address.
pub fn v3_label(key: &[u8; 32]) -> String {
    let mut bytes = [0u8; 35];
    bytes[..32].copy_from_slice(key);
    bytes[32..34].copy_from_slice(&checksum(key));
    bytes[34] = 3;
    let mut out = String::with_capacity(56);
    let (mut acc, mut bits) = (0u64, 0u32);
    for &b in &bytes {
        acc = (acc << 8) | u64::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(BASE32[((acc >> bits) & 31) as usize] as char);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_addresses() {
        // The DuckDuckGo and Tor Project onion services.
        assert_eq!(check_v3("duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczad"), Ok(()));
        assert_eq!(check_v3("2gzyxa5ihm7nsggfxnu52rck2vv4rvmdlkiu3zzui5du4xyclen53wid"), Ok(()));
        assert!(check_v3("duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczae").is_err());
        assert!(check_v3("admin").is_err());
        assert!(check_v3(&"a".repeat(56)).is_err());
        let label = v3_label(&[7u8; 32]);
        assert_eq!(label.len(), 56);
        assert_eq!(check_v3(&label), Ok(()));
    }
}
