//! Sigma rules, one per batch, with a deterministic UUID (v5 from the type and the sorted values) so a
//! re-export of the same indicators does not churn rule ids.
use super::escape::{sigma_pattern, sigma_str};
use super::spl::{registry_tail, strip_scheme};
use super::{Batch, Query, QueryOptions, Target, chunks};
use std::fmt::Write as _;

use crate::{Error, ErrorKind, IocKind};

/// SHA-1 (FIPS 180-4), used only for RFC 9562 name-based (v5) UUIDs.
#[expect(clippy::many_single_char_names, reason = "a..e, f, k, w are the names FIPS 180-4 uses")]
pub(crate) fn sha1(data: &[u8]) -> [u8; 20] {
    let mut h: [u32; 5] = [0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0];
    let mut msg = data.to_vec();
    let bit_len = (data.len() as u64).wrapping_mul(8);
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bit_len.to_be_bytes());
    for block in msg.chunks_exact(64) {
        let mut w = [0u32; 80];
        for (i, word) in block.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..80 {
            w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
        }
        let [mut a, mut b, mut c, mut d, mut e] = h;
        for (i, wi) in w.iter().enumerate() {
            let (f, k) = match i {
                0..=19 => ((b & c) | (!b & d), 0x5A82_7999),
                20..=39 => (b ^ c ^ d, 0x6ED9_EBA1),
                40..=59 => ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC),
                _ => (b ^ c ^ d, 0xCA62_C1D6),
            };
            let t =
                a.rotate_left(5).wrapping_add(f).wrapping_add(e).wrapping_add(k).wrapping_add(*wi);
            e = d;
            d = c;
            c = b.rotate_left(30);
            b = a;
            a = t;
        }
        for (hv, v) in h.iter_mut().zip([a, b, c, d, e]) {
            *hv = hv.wrapping_add(v);
        }
    }
    let mut out = [0u8; 20];
    for (i, v) in h.iter().enumerate() {
        out[i * 4..i * 4 + 4].copy_from_slice(&v.to_be_bytes());
    }
    out
}

/// An RFC 9562 version-5 UUID of `name` in `namespace`.
pub(crate) fn uuid_v5(namespace: [u8; 16], name: &[u8]) -> String {
    let mut input = namespace.to_vec();
    input.extend_from_slice(name);
    let d = sha1(&input);
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex = b.iter().fold(String::with_capacity(32), |mut s, x| {
        let _ = write!(s, "{x:02x}");
        s
    });
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

/// The RFC 9562 URL namespace.
const NAMESPACE_URL: [u8; 16] = [
    0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8,
];

/// The rule id for a batch: `UUIDv5` (URL namespace) of `ioclens:sigma:<type>:` + the sorted, deduplicated
/// values joined by `\n`. The same indicators always give the same id, whatever their order.
pub fn sigma_uuid(kind: IocKind, values: &[String]) -> String {
    let mut sorted: Vec<&str> = values.iter().map(String::as_str).collect();
    sorted.sort_unstable();
    sorted.dedup();
    let name = format!("ioclens:sigma:{}:{}", kind.as_str(), sorted.join("\n"));
    uuid_v5(NAMESPACE_URL, name.as_bytes())
}

/// (logsource lines, selections: (field with modifiers, values)).
type Detection = (&'static str, Vec<(&'static str, Vec<String>)>);

fn detection(kind: IocKind, values: &[String]) -> Option<Detection> {
    let list = |f: &dyn Fn(&str) -> String| values.iter().map(|v| f(v)).collect::<Vec<_>>();
    Some(match kind {
        IocKind::Ipv4 | IocKind::Ipv6 => (
            "  category: network_connection",
            vec![("DestinationIp", list(&|v| sigma_str(v))), ("SourceIp", list(&|v| sigma_str(v)))],
        ),
        IocKind::Cidr => (
            "  category: network_connection",
            vec![
                ("DestinationIp|cidr", list(&|v| sigma_str(v))),
                ("SourceIp|cidr", list(&|v| sigma_str(v))),
            ],
        ),
        IocKind::Domain => (
            "  category: dns",
            vec![
                ("query", list(&|v| sigma_str(v))),
                ("query|endswith", list(&|v| sigma_pattern(v, ".", ""))),
            ],
        ),
        IocKind::Url => {
            ("  category: proxy", vec![("c-uri|contains", list(&|v| sigma_str(strip_scheme(v))))])
        }
        IocKind::Md5 | IocKind::Sha1 | IocKind::Sha256 | IocKind::Sha512 => {
            ("  category: process_creation", vec![("Hashes|contains", list(&|v| sigma_str(v)))])
        }
        IocKind::FilePath => {
            ("  category: file_event", vec![("TargetFilename", list(&|v| sigma_str(v)))])
        }
        IocKind::RegistryKey => (
            "  category: registry_set",
            vec![("TargetObject|contains", list(&|v| sigma_str(registry_tail(v))))],
        ),
        _ => return None,
    })
}

fn rule(kind: IocKind, values: &[String], chunk: Option<(usize, usize)>) -> Option<String> {
    let (logsource, selections) = detection(kind, values)?;
    let id = sigma_uuid(kind, values);
    let part = chunk.map(|(i, n)| format!(" (part {i} of {n})")).unwrap_or_default();
    let mut y = format!(
        "title: ioclens hunt - {} {} indicator{}{part} ({})\nid: {id}\nstatus: experimental\ndescription: Matches {} indicators of compromise exported by ioclens. Indicators age quickly; review before deploying as an alert.\nauthor: ioclens\nlogsource:\n{logsource}\ndetection:\n",
        values.len(),
        kind.as_str(),
        if values.len() == 1 { "" } else { "s" },
        &id[..8],
        kind.as_str(),
    );
    for (i, (field, vals)) in selections.iter().enumerate() {
        let _ = write!(y, "  selection_{}:\n    {field}:\n", i + 1);
        for v in vals {
            let _ = writeln!(y, "      - {v}");
        }
    }
    y.push_str("  condition: 1 of selection_*\nfalsepositives:\n  - Shared or re-assigned infrastructure (hosting, CDNs, dynamic IPs)\nlevel: high\n");
    Some(y)
}

pub(super) fn render(batch: &Batch, opts: &QueryOptions) -> Result<Vec<Query>, Error> {
    let kind = batch.kind;
    let parts = chunks(&batch.values, opts.batch_size);
    let total = parts.len();
    let mut out = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        let chunk = (total > 1).then_some((i + 1, total));
        let text = rule(kind, part, chunk).ok_or_else(|| {
            Error::new(ErrorKind::UnsupportedType, format!("sigma has no log source for {kind}"))
        })?;
        out.push(Query {
            target: Target::Sigma,
            profile: "sigma".to_owned(),
            kind,
            title: format!("Sigma rule {}", sigma_uuid(kind, part)),
            query: text,
            values: part.len(),
            chunk: chunk.map(|c| c.0),
            chunks: chunk.map(|c| c.1),
            earliest: None,
            latest: None,
            lookback: None,
            notes: Vec::new(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(b: &[u8]) -> String {
        b.iter().fold(String::new(), |mut s, x| {
            let _ = write!(s, "{x:02x}");
            s
        })
    }

    #[test]
    fn sha1_vectors() {
        // FIPS 180-2 appendix A test vectors.
        assert_eq!(hex(&sha1(b"abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(hex(&sha1(b"")), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        assert_eq!(
            hex(&sha1(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1"
        );
    }

    #[test]
    fn uuid_v5_vector() {
        // uuid.uuid5(uuid.NAMESPACE_DNS, "python.org") from the Python documentation.
        let dns = [
            0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4,
            0x30, 0xc8,
        ];
        assert_eq!(uuid_v5(dns, b"python.org"), "886313e1-3b8a-5372-9b90-0c9aee199e5d");
    }

    #[test]
    fn uuid_is_order_independent() {
        let a = sigma_uuid(IocKind::Domain, &["b.example".into(), "a.example".into()]);
        let b = sigma_uuid(IocKind::Domain, &["a.example".into(), "b.example".into()]);
        assert_eq!(a, b);
        assert_ne!(a, sigma_uuid(IocKind::Url, &["a.example".into(), "b.example".into()]));
    }
}
