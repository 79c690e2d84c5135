//! Bitcoin addresses: `Base58Check` (P2PKH, P2SH; checksum = first 4 bytes of SHA-256(SHA-256(payload))) and
//! `SegWit` Bech32 / Bech32m (BIP-173 / BIP-350 checksums, witness program rules). Checksums are always verified.
use super::NormalizeError;
use crate::BtcFacts;
use sha2::{Digest, Sha256};

const BASE58: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
const BECH32: &[u8; 32] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";

/// Parses a Bitcoin address. Returns the canonical form (Base58 as written, Bech32 lower-case) and its facts.
pub fn parse(s: &str) -> Result<(String, BtcFacts), NormalizeError> {
    let lower = s.to_ascii_lowercase();
    if lower.starts_with("bc1") || lower.starts_with("tb1") {
        return bech32(s, &lower);
    }
    base58check(s)
}

fn base58check(s: &str) -> Result<(String, BtcFacts), NormalizeError> {
    if !(25..=35).contains(&s.len()) {
        return Err(NormalizeError::BtcBase58Length);
    }
    // Decode into a 25-byte big-endian number (version, 20-byte hash, 4-byte checksum).
    let mut out = [0u8; 25];
    for c in s.bytes() {
        let Some(v) = BASE58.iter().position(|&x| x == c) else {
            return Err(NormalizeError::BtcBase58Char);
        };
        let mut carry = v as u32;
        for byte in out.iter_mut().rev() {
            carry += u32::from(*byte) * 58;
            *byte = (carry & 0xff) as u8;
            carry >>= 8;
        }
        if carry != 0 {
            return Err(NormalizeError::BtcBase58Overflow);
        }
    }
    // Leading '1's are leading zero bytes; the decoded number must account for exactly those.
    let ones = s.bytes().take_while(|&c| c == b'1').count();
    let zeros = out.iter().take_while(|&&b| b == 0).count();
    if ones != zeros {
        return Err(NormalizeError::BtcBase58Size);
    }
    let check = Sha256::digest(Sha256::digest(&out[..21]));
    if check[..4] != out[21..] {
        return Err(NormalizeError::BtcBase58Checksum);
    }
    let (encoding, network) = match out[0] {
        0x00 => ("p2pkh", "mainnet"),
        0x05 => ("p2sh", "mainnet"),
        0x6f => ("p2pkh", "testnet"),
        0xc4 => ("p2sh", "testnet"),
        _ => return Err(NormalizeError::BtcBase58Version),
    };
    Ok((s.to_owned(), BtcFacts { encoding: encoding.to_owned(), network: network.to_owned() }))
}

fn polymod(values: impl Iterator<Item = u8>) -> u32 {
    const GEN: [u32; 5] = [0x3b6a_57b2, 0x2650_8e6d, 0x1ea1_19fa, 0x3d42_33dd, 0x2a14_62b3];
    let mut chk: u32 = 1;
    for v in values {
        let top = chk >> 25;
        chk = ((chk & 0x1ff_ffff) << 5) ^ u32::from(v);
        for (i, g) in GEN.iter().enumerate() {
            if (top >> i) & 1 == 1 {
                chk ^= g;
            }
        }
    }
    chk
}

fn bech32(s: &str, lower: &str) -> Result<(String, BtcFacts), NormalizeError> {
    if s != lower && s != s.to_ascii_uppercase() {
        return Err(NormalizeError::BtcBech32Case);
    }
    if !(14..=90).contains(&s.len()) {
        return Err(NormalizeError::BtcBech32Length);
    }
    let sep = lower.rfind('1').ok_or(NormalizeError::BtcBech32Separator)?;
    let hrp = &lower[..sep];
    let data: Vec<u8> = lower[sep + 1..]
        .bytes()
        .map(|c| BECH32.iter().position(|&x| x == c).map(|p| p as u8))
        .collect::<Option<_>>()
        .ok_or(NormalizeError::BtcBech32Char)?;
    if data.len() < 7 {
        return Err(NormalizeError::BtcBech32Short);
    }
    let expanded = hrp
        .bytes()
        .map(|c| c >> 5)
        .chain([0])
        .chain(hrp.bytes().map(|c| c & 31))
        .chain(data.iter().copied());
    let check = polymod(expanded);
    let witness_version = data[0];
    let (encoding, want) =
        if witness_version == 0 { ("bech32", 1) } else { ("bech32m", 0x2bc8_30a3) };
    if check != want {
        return Err(NormalizeError::BtcBech32Checksum);
    }
    if witness_version > 16 {
        return Err(NormalizeError::BtcWitnessVersion);
    }
    // Convert the 5-bit program (without version and checksum) to bytes.
    let prog5 = &data[1..data.len() - 6];
    let mut acc: u32 = 0;
    let mut bits = 0;
    let mut program = Vec::with_capacity(prog5.len() * 5 / 8);
    for &v in prog5 {
        acc = (acc << 5) | u32::from(v);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            program.push((acc >> bits) as u8);
        }
    }
    if bits >= 5 || (acc & ((1 << bits) - 1)) != 0 {
        return Err(NormalizeError::BtcWitnessPadding);
    }
    if !(2..=40).contains(&program.len())
        || (witness_version == 0 && program.len() != 20 && program.len() != 32)
    {
        return Err(NormalizeError::BtcWitnessLength);
    }
    let network = if hrp == "bc" { "mainnet" } else { "testnet" };
    Ok((lower.to_owned(), BtcFacts { encoding: encoding.to_owned(), network: network.to_owned() }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base58() {
        // The genesis block coinbase address and a BIP-13 P2SH example.
        let (c, f) = parse("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa").unwrap();
        assert_eq!(c, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa");
        assert_eq!((f.encoding.as_str(), f.network.as_str()), ("p2pkh", "mainnet"));
        assert_eq!(parse("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy").unwrap().1.encoding, "p2sh");
        assert!(parse("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb").is_err());
        assert!(parse("1A1zP1eP5QGefi2DMPTfTL5SLmv7Divf0a").is_err());
    }

    #[test]
    fn bech32_vectors() {
        // BIP-173 and BIP-350 test vectors.
        let (c, f) = parse("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4").unwrap();
        assert_eq!(c, "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4");
        assert_eq!(f.encoding, "bech32");
        let (_, f) =
            parse("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0").unwrap();
        assert_eq!(f.encoding, "bech32m");
        assert_eq!(
            parse("tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7")
                .unwrap()
                .1
                .network,
            "testnet"
        );
        // BIP-350: a v0 program with a Bech32m checksum and a v1 program with a Bech32 checksum are invalid.
        assert!(parse("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh").is_err());
        assert!(parse("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5").is_err());
        assert!(parse("BC1QW508d6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4").is_err());
    }
}
