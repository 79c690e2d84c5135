//! The learned lexical prior for domains and URLs (weights from `scripts/ml/train.py`, generated into
//! `generated/ml.rs`). The features here mirror `domain_features` / `url_features` in the script exactly.
//!
//! It is a weak prior: the scorer turns it into at most ±[`super::LEXICAL_WEIGHT`] / 2 points and it never
//! raises confidence (docs/scoring.md: lexical features do not transfer across sources).
use crate::generated::ml as m;
use serde::{Deserialize, Serialize};

/// The model's output for one value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LexicalPrior {
    /// Probability that the value looks like the malicious training rows (0–1).
    pub probability: f64,
    /// The model used: `domain` or `url`.
    pub model: &'static str,
}

const VOWELS: &[u8] = b"aeiouy";
const ALPHA: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789-";

/// A count as f64 (counts here are label lengths, far below 2^32).
fn count(n: usize) -> f64 {
    f64::from(u32::try_from(n).unwrap_or(u32::MAX))
}

fn char_index(c: u8) -> usize {
    ALPHA.iter().position(|&a| a == c).unwrap_or(37)
}

fn entropy(s: &[u8]) -> f64 {
    if s.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &c in s {
        counts[usize::from(c)] += 1;
    }
    let n = count(s.len());
    let mut h = 0.0;
    // Python sums over a dict in first-occurrence order; summation order changes the last bit at most, so
    // parity tests compare with a tolerance. Here: byte order, fixed, so native and WASM agree bit for bit.
    for &c in &counts {
        if c > 0 {
            let p = f64::from(c) / n;
            h -= p * libm::log2(p);
        }
    }
    h
}

fn max_consonant_run(s: &[u8]) -> usize {
    let (mut best, mut run) = (0, 0);
    for &c in s {
        if c.is_ascii_alphabetic() && !VOWELS.contains(&c) {
            run += 1;
            best = best.max(run);
        } else {
            run = 0;
        }
    }
    best
}

fn bigram_rarity(s: &[u8]) -> f64 {
    if s.is_empty() {
        return 0.0;
    }
    let mut prev = 38usize;
    let mut total = 0.0;
    for idx in s.iter().map(|&c| char_index(c)).chain(std::iter::once(39)) {
        total += m::BIGRAM_NEGLOGP.get(prev * 40 + idx).copied().unwrap_or(0.0);
        prev = idx;
    }
    total / count(s.len() + 1)
}

/// How a host name splits: the registrable label (`evil` in `a.evil.co.uk`) and the public suffix.
pub(crate) struct HostParts<'a> {
    /// Registrable domain label without the suffix, or the whole host when it is itself a public suffix.
    pub(crate) core: &'a str,
    /// Public suffix (`co.uk`).
    pub(crate) suffix: &'a str,
}

impl<'a> HostParts<'a> {
    /// From the classifier's facts (`registrable` + `public_suffix`); without facts, the last label is taken
    /// as the suffix (the PSL default rule `*`).
    pub(crate) fn new(
        host: &'a str,
        registrable: Option<&'a str>,
        suffix: Option<&'a str>,
    ) -> HostParts<'a> {
        let suffix = suffix.unwrap_or_else(|| host.rsplit('.').next().unwrap_or(host));
        match registrable {
            Some(reg) if reg.len() > suffix.len() => {
                HostParts { core: reg.get(..reg.len() - suffix.len() - 1).unwrap_or(reg), suffix }
            }
            Some(_) => HostParts { core: host, suffix },
            None if suffix.len() < host.len() => {
                let without = host.get(..host.len() - suffix.len() - 1).unwrap_or(host);
                HostParts { core: without.rsplit('.').next().unwrap_or(without), suffix }
            }
            None => HostParts { core: host, suffix: host },
        }
    }
}

/// The 9 domain features (see `DOMAIN_FEATURES` in the training script).
pub(crate) fn domain_features(p: &HostParts<'_>) -> [f64; 9] {
    let core = p.core.as_bytes();
    let len = count(core.len());
    let digits = count(core.iter().filter(|c| c.is_ascii_digit()).count());
    let vowels = count(core.iter().filter(|c| VOWELS.contains(c)).count());
    let letters = count(core.iter().filter(|c| c.is_ascii_alphabetic()).count());
    let run3 = core.windows(3).any(|w| w.iter().all(u8::is_ascii_digit));
    [
        len / 10.0,
        if core.is_empty() { 0.0 } else { digits / len },
        count(p.core.matches('-').count()),
        entropy(core),
        count(max_consonant_run(core)) / 5.0,
        if letters > 0.0 { vowels / letters } else { 0.0 },
        bigram_rarity(core),
        if run3 { 1.0 } else { 0.0 },
        count(p.suffix.split('.').count()),
    ]
}

const EXEC: [&str; 25] = [
    "apk", "arm", "arm7", "bat", "bin", "cmd", "dll", "elf", "exe", "hta", "i686", "jar", "lnk",
    "m68k", "mips", "mpsl", "msi", "ppc", "ps1", "scr", "sh", "sh4", "spc", "vbs", "x86",
];
const ARCHIVE: [&str; 8] = ["7z", "cab", "gz", "rar", "tar", "tgz", "z", "zip"];

fn sigmoid(z: f64) -> f64 {
    if z < -35.0 {
        0.0
    } else if z > 35.0 {
        1.0
    } else {
        1.0 / (1.0 + libm::exp(-z))
    }
}

fn linear(x: &[f64], bias: f64, w: &[f64], mean: &[f64], std: &[f64]) -> f64 {
    let mut z = bias;
    for (j, v) in x.iter().enumerate() {
        let (wj, mj, sj) = (
            w.get(j).copied().unwrap_or(0.0),
            mean.get(j).copied().unwrap_or(0.0),
            std.get(j).copied().unwrap_or(1.0),
        );
        z += wj * (v - mj) / sj;
    }
    z
}

/// Names of the features of the `domain` or `url` model, in weight order (for explanations and docs).
pub fn feature_names(model: &str) -> &'static [&'static str] {
    if model == "url" { &m::URL_FEATURES } else { &m::DOMAIN_FEATURES }
}

fn tld_weight(table: &[(&str, f64)], tld: &str) -> f64 {
    table.binary_search_by(|e| e.0.cmp(tld)).ok().and_then(|i| table.get(i)).map_or(0.0, |e| e.1)
}

/// The domain model on a host name.
pub fn domain(host: &str, registrable: Option<&str>, suffix: Option<&str>) -> LexicalPrior {
    let parts = HostParts::new(host, registrable, suffix);
    let f = domain_features(&parts);
    let tld = host.rsplit('.').next().unwrap_or(host);
    let tw = tld_weight(&m::DOMAIN_TLDS, tld);
    let z = linear(&f, m::DOMAIN_BIAS, &m::DOMAIN_WEIGHTS, &m::DOMAIN_MEAN, &m::DOMAIN_STD) + tw;
    LexicalPrior { probability: sigmoid(z), model: "domain" }
}

/// True for a dotted-quad IPv4 or anything with a colon (IPv6), as the training script decides.
fn host_is_ip(host: &str) -> bool {
    let parts: Vec<&str> = host.split('.').collect();
    (parts.len() == 4
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes().all(|c| c.is_ascii_digit())
                && p.parse::<u16>().is_ok_and(|n| n < 256)
        }))
        || host.contains(':')
}

/// The URL model: host, port and the last path segment's extension, plus the host's domain features.
pub fn url(
    host: &str,
    has_port: bool,
    path: &str,
    registrable: Option<&str>,
    suffix: Option<&str>,
) -> LexicalPrior {
    let last = path.rsplit('/').next().unwrap_or("").to_ascii_lowercase();
    let ext = if last.contains('.') { last.rsplit('.').next().unwrap_or("") } else { "" };
    let ip = host_is_ip(host);
    let mut x = [0.0f64; 13];
    x[0] = if ip { 1.0 } else { 0.0 };
    x[1] = if has_port { 1.0 } else { 0.0 };
    x[2] = if EXEC.contains(&ext) { 1.0 } else { 0.0 };
    x[3] = if ARCHIVE.contains(&ext) { 1.0 } else { 0.0 };
    if !ip {
        let parts = HostParts::new(host, registrable, suffix);
        x[4..].copy_from_slice(&domain_features(&parts));
    }
    let tld = if ip { "" } else { host.rsplit('.').next().unwrap_or(host) };
    let z = linear(&x, m::URL_BIAS, &m::URL_WEIGHTS, &m::URL_MEAN, &m::URL_STD)
        + tld_weight(&m::URL_TLDS, tld);
    LexicalPrior { probability: sigmoid(z), model: "url" }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-4
    }

    #[test]
    fn host_parts_with_and_without_facts() {
        let p = HostParts::new("a.b.evil.co.uk", Some("evil.co.uk"), Some("co.uk"));
        assert_eq!((p.core, p.suffix), ("evil", "co.uk"));
        let p = HostParts::new("a.b.evil.com", None, None);
        assert_eq!((p.core, p.suffix), ("evil", "com"));
        let p = HostParts::new("com", None, None);
        assert_eq!((p.core, p.suffix), ("com", "com"));
    }

    #[test]
    fn hand_computed_features() {
        // core "aab": len 0.3, no digits, no hyphen, entropy of {a:2,b:1} = 0.918296 bits,
        // consonant run 1 → 0.2, vowel ratio 2/3, suffix "com" → 1 label.
        let f = domain_features(&HostParts::new("aab.com", Some("aab.com"), Some("com")));
        assert!(close(f[0], 0.3) && close(f[1], 0.0) && close(f[2], 0.0));
        assert!(close(f[3], 0.918_296), "{}", f[3]);
        assert!(close(f[4], 0.2) && close(f[5], 2.0 / 3.0) && close(f[7], 0.0) && close(f[8], 1.0));
        let f = domain_features(&HostParts::new("x123-q.net", None, None));
        assert!(close(f[1], 0.5) && close(f[2], 1.0) && close(f[7], 1.0));
    }

    /// Probabilities printed by `scripts/ml/train.py`'s `predict` for the same inputs (PSL split).
    #[test]
    fn python_parity() {
        let cases = [
            ("google.com", Some("google.com"), Some("com"), 0.122_505),
            ("xjw8kq2zpl.top", Some("xjw8kq2zpl.top"), Some("top"), 0.998_725),
        ];
        for (host, reg, suf, want) in cases {
            let got = domain(host, reg, suf).probability;
            assert!((got - want).abs() < 1e-4, "{host}: {got} vs {want}");
        }
    }

    #[test]
    fn url_model_uses_path_facts() {
        let exe = url("203.0.113.9", false, "/bins/mirai.x86", None, None).probability;
        let page = url("www.example.org", false, "/", Some("example.org"), Some("org")).probability;
        assert!(exe > page, "{exe} {page}");
    }
}
