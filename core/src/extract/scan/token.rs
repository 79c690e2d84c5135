//! Word-shaped indicators: paths and registry keys, ASNs, hashes, Bitcoin addresses, CVE and ATT&CK ids.
#![expect(
    clippy::many_single_char_names,
    reason = "scanner indices: b = bytes, s/e = word, i/j/k = cursors"
)]
use super::Scanner;
use super::class::{CLASS, F_HOST, F_WORD, HEX, MIN_RUN, class};
use crate::extract::validate;
use crate::{AttackIdKind, IocKind, normalize};

/// The shape of a Bitcoin address (a cheap test before the checksum): `1…`/`3…` in the Base58 alphabet, 25–35
/// characters, or `bc1…`/`tb1…` in one case, 42–90.
pub(super) fn maybe_btc(r: &[u8]) -> bool {
    match r {
        [b'1' | b'3', ..] => {
            r.len() <= 35
                && r.iter()
                    .all(|&c| c.is_ascii_alphanumeric() && !matches!(c, b'0' | b'O' | b'I' | b'l'))
        }
        [b'b' | b'B', b'c' | b'C', b'1', ..] | [b't' | b'T', b'b' | b'B', b'1', ..] => {
            (42..=90).contains(&r.len()) && r.iter().all(u8::is_ascii_alphanumeric)
        }
        _ => false,
    }
}

/// Unix roots a path must start under to be reported outside a URL (`/tmp/x`, `~/.ssh/x`): a lone `/word` in
/// prose is far more often a slash-separated list or a URL path than a file.
pub(super) fn unix_root(w: &[u8]) -> bool {
    const ROOTS: &[&[u8]] = &[
        b"Applications",
        b"Library",
        b"System",
        b"Users",
        b"Volumes",
        b"bin",
        b"boot",
        b"dev",
        b"etc",
        b"home",
        b"lib",
        b"lib64",
        b"mnt",
        b"opt",
        b"private",
        b"proc",
        b"root",
        b"run",
        b"sbin",
        b"srv",
        b"sys",
        b"tmp",
        b"usr",
        b"var",
    ];
    if w.starts_with(b"~/") {
        return w.len() > 2;
    }
    let Some(rest) = w.strip_prefix(b"/") else { return false };
    let Some(slash) = rest.iter().position(|&c| c == b'/') else { return false };
    slash + 1 < rest.len() && ROOTS.contains(&&rest[..slash])
}

/// `T1234`, `T1234.001`, `TA0001` by the ATT&CK id grammar of `normalize::ids::parse_attack`; in running text
/// only upper-case technique and tactic ids count, techniques starting with `T1` and tactics with `TA00` (the
/// other forms, `G0016` or `t1059`, are too often something else).
pub(super) fn attack_id(run: &str) -> Option<String> {
    if !matches!(run.len(), 5 | 6 | 9) || !(run.starts_with("T1") || run.starts_with("TA00")) {
        return None; // most runs: no allocation
    }
    let (id, facts) = normalize::ids::parse_attack(run).ok()?;
    let wanted = match facts.id_kind {
        AttackIdKind::Technique | AttackIdKind::SubTechnique => run.starts_with("T1"),
        AttackIdKind::Tactic => true,
        _ => false,
    };
    (wanted && id == run).then_some(id)
}

pub(super) fn hash_kind(piece: &str) -> Option<IocKind> {
    let kind = match piece.len() {
        32 => IocKind::Md5,
        40 => IocKind::Sha1,
        64 => IocKind::Sha256,
        128 => IocKind::Sha512,
        _ => return None,
    };
    piece.bytes().all(|c| HEX[c as usize]).then_some(kind)
}

impl Scanner<'_> {
    /// A registry key, a Windows path (drive, `%VAR%`, UNC and `WebDAV` names) or a Unix path under a well-known
    /// root starting the word at `s`. Returns the resume position, `None` when the word is none of these.
    pub(super) fn path(&mut self, s: usize, e: usize) -> Option<usize> {
        let b = self.b;
        let w = &b[s..e];
        let registry = (w.len() > 3 && w[..2].eq_ignore_ascii_case(b"hk"))
            || (w.len() > 10 && w[..10].eq_ignore_ascii_case(b"\\registry\\"));
        let drive = w.len() > 3 && w[0].is_ascii_alphabetic() && w[1] == b':' && w[2] == b'\\';
        let unc = w.starts_with(b"\\\\");
        let windows = registry || drive || unc || w[0] == b'%';
        if !windows && !unix_root(w) {
            return None;
        }
        let mut end = e;
        if windows {
            // `C:\Program Files\x.exe`, `HKLM\…\Windows NT\…`: a space continues the path when the next word
            // goes on with a `\` (and does not start a new path or key).
            for _ in 0..4 {
                if b.get(end) != Some(&b' ') {
                    break;
                }
                let ns = end + 1;
                let mut ne = ns;
                while ne < b.len() && CLASS[b[ne] as usize] & F_WORD != 0 {
                    ne += 1;
                }
                let next = &b[ns..ne];
                let starts_path =
                    next.len() > 2 && (next[1] == b':' || next[..2].eq_ignore_ascii_case(b"hk"));
                if next.first().is_some_and(u8::is_ascii_alphanumeric)
                    && !starts_path
                    && next.contains(&b'\\')
                {
                    end = ne;
                } else {
                    break;
                }
            }
        }
        while end > s && matches!(b[end - 1], b'.' | b':') {
            end -= 1;
        }
        let written = &self.text[s..end];
        if registry {
            let Ok(key) = normalize::path::parse_registry(written) else { return None };
            self.push_kind(IocKind::RegistryKey, key, s, end);
            return Some(end.max(e));
        }
        let (canonical, _) = normalize::path::parse_path(written).ok()?;
        self.push_kind(IocKind::FilePath, canonical, s, end);
        if unc {
            // `\\host\share`, WebDAV `\\host@SSL@8443\DavWWWRoot\…`: the host is implied.
            let hs = s + 2;
            let mut he = hs;
            while he < end && !matches!(b[he], b'\\' | b'@') {
                he += 1;
            }
            if let Some(host) = validate::host(&self.text[hs..he]) {
                self.push(host, hs, he, true);
            }
        }
        Some(end.max(e))
    }

    /// `AS13335`, `AS 13335`, `ASN13335`, `ASN 13335` at `s` (upper-case `AS`, so prose `as` never matches).
    pub(super) fn asn(&mut self, s: usize, e: usize) -> Option<usize> {
        let b = self.b;
        let mut i = s + 2;
        if b.get(i) == Some(&b'N') {
            i += 1;
        }
        if i == e && b.get(i) == Some(&b' ') {
            i += 1;
        }
        let ds = i;
        while i < b.len() && i - ds <= 10 && b[i].is_ascii_digit() {
            i += 1;
        }
        let next = b.get(i).copied().unwrap_or(b' ');
        if i == ds
            || next.is_ascii_alphanumeric()
            || matches!(next, b'_' | b'-' | b'/' | b'\\' | b'@')
            || (next == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit))
        {
            return None;
        }
        let Ok(canonical) = normalize::ids::parse_asn(&self.text[s..i]) else { return None };
        self.push_kind(IocKind::Asn, canonical, s, i);
        Some(i.max(e))
    }

    /// Host-name runs (`A-Z a-z 0-9 - _ .`) inside `s..e`. Returns the resume position.
    pub(super) fn runs(&mut self, s: usize, e: usize) -> usize {
        let b = self.b;
        let mut resume = e;
        let mut j = s;
        while j < e {
            if class(b, j) & F_HOST == 0 {
                j += 1;
                continue;
            }
            let rs = j;
            let mut dot = false;
            while j < e && class(b, j) & F_HOST != 0 {
                dot |= b[j] == b'.';
                j += 1;
            }
            let prev = if rs > s { b[rs - 1] } else { b' ' };
            let r = if dot { self.dotted(rs, j, e, prev) } else { self.plain(rs, j, prev) };
            if r > j {
                resume = resume.max(r);
                j = r;
            }
        }
        resume
    }

    /// A run without dots: hash, CVE, ATT&CK id.
    pub(super) fn plain(&mut self, rs: usize, re: usize, prev: u8) -> usize {
        let _ = prev;
        let b = self.b;
        let run = &self.text[rs..re];
        if let Some(id) = attack_id(run) {
            self.push_kind(IocKind::Attack, id, rs, re);
            return re;
        }
        if run.len() >= 13 && self.cves(rs, re) {
            return re;
        }
        if run.len() >= MIN_RUN
            && maybe_btc(run.as_bytes())
            && let Ok((canonical, _)) = normalize::btc::parse(run)
        {
            self.push_kind(IocKind::Btc, canonical, rs, re);
            return re;
        }
        if run.len() >= 32 {
            // Hashes: hex pieces between `-`/`_` of exactly 32, 40, 64 or 128 digits.
            let mut k = rs;
            while k < re {
                let ps = k;
                while k < re && b[k] != b'-' && b[k] != b'_' {
                    k += 1;
                }
                let piece = &self.text[ps..k];
                if let Some(kind) = hash_kind(piece) {
                    self.push_kind(kind, piece.to_ascii_lowercase(), ps, k);
                }
                k += 1;
            }
        }
        re
    }

    /// CVE ids inside the run `rs..re`, alone or in a longer token (`Exploit.CVE-2017-11882.BU`,
    /// `CVE-2021-44228_poc`), decided by the normaliser's rule. Returns whether any was found.
    pub(super) fn cves(&mut self, rs: usize, re: usize) -> bool {
        let b = self.b;
        let mut found = false;
        for dash in memchr::memchr_iter(b'-', &b[rs..re]) {
            let q = rs + dash;
            if q < rs + 3 || !b[q - 3..q].eq_ignore_ascii_case(b"cve") {
                continue;
            }
            let cs = q - 3;
            if cs > rs && b[cs - 1].is_ascii_alphanumeric() {
                continue;
            }
            let mut ce = q + 1;
            let mut dashes = 0;
            while ce < re
                && (b[ce].is_ascii_digit() || (b[ce] == b'-' && dashes == 0 && ce == q + 5))
            {
                dashes += usize::from(b[ce] == b'-');
                ce += 1;
            }
            if ce < re && b[ce].is_ascii_alphanumeric() {
                continue;
            }
            if let Ok((id, _)) = normalize::ids::parse_cve(&self.text[cs..ce]) {
                self.push_kind(IocKind::Cve, id, cs, ce);
                found = true;
            }
        }
        found
    }
}
