//! Host names and addresses: dotted runs (IPv4, CIDR, domains), IDN, IPv6, e-mail and ranges.
use super::class::{CLASS, F_HOST, F_URL, F_WORD, class};
use super::token::attack_id;
use super::url::trim_url_end;
use super::{Found, MAX_NOTES, Note, Scanner};
use crate::extract::filters;
use crate::extract::validate::{self, Host};
use crate::{DiagnosticCode, IocKind, normalize};

/// `user at evil[.]com`: a bare ` at ` before the domain at `ds` (diff #6). Emits the e-mail and returns true.
pub(super) fn defanged_or_strong_at(sc: &mut Scanner<'_>, ds: usize, host: &Host) -> bool {
    let b = sc.b;
    if ds < 5
        || b[ds - 1] != b' '
        || b[ds - 4] != b' '
        || !b[ds - 3..ds - 1].eq_ignore_ascii_case(b"at")
    {
        return false;
    }
    let le = ds - 4;
    let mut ls = le;
    while ls > 0
        && (b[ls - 1].is_ascii_alphanumeric() || matches!(b[ls - 1], b'.' | b'_' | b'+' | b'-'))
    {
        ls -= 1;
    }
    if ls == le
        || (ls > 0 && !b[ls - 1].is_ascii_whitespace() && CLASS[b[ls - 1] as usize] & F_WORD != 0)
    {
        return false;
    }
    let local = &sc.text[ls..le];
    let Some(strong) = filters::at_mailbox(local) else { return false };
    let de = ds + host.canonical.len();
    if !strong && !(sc.defanged_at)(ds, de) {
        return false;
    }
    let canonical = format!("{}@{}", local.to_ascii_lowercase(), host.canonical);
    sc.found.push(Found {
        kind: IocKind::Email,
        canonical,
        start: ls,
        end: de,
        defanged: true,
        implied: false,
        scope: None,
    });
    sc.push(host.clone(), ds, de, true);
    true
}

/// The canonical network of an address and a prefix length (already checked against the address family).
pub(super) fn cidr(addr: &str, prefix: u32) -> String {
    let text = format!("{addr}/{prefix}");
    normalize::ip::parse_cidr(&text).map_or(text, |c| c.canonical)
}

/// `/NN` at `at` with NN ≤ `max`, not followed by more path. Returns the prefix and the end.
pub(super) fn prefix_len(b: &[u8], at: usize, e: usize, max: u32) -> Option<(u32, usize)> {
    if b.get(at) != Some(&b'/') {
        return None;
    }
    let mut k = at + 1;
    let mut v: u32 = 0;
    while k < e && k < at + 4 && b[k].is_ascii_digit() {
        v = v * 10 + u32::from(b[k] - b'0');
        k += 1;
    }
    if k == at + 1
        || v > max
        || (k < e && class(b, k) & F_HOST != 0 && b[k] != b'.')
        || b.get(k) == Some(&b'/')
    {
        return None;
    }
    Some((v, k))
}

impl Scanner<'_> {
    /// A word next to a non-ASCII character at `s` or `e`. When that character is a letter or digit it belongs to
    /// the host (`bücher-shop.de`): the whole name is validated (UTS #46) and reported in A-label form, or not at
    /// all — never the ASCII piece alone. Returns `None` when no letter touches the word.
    pub(super) fn idn(&mut self, s: usize, e: usize) -> Option<usize> {
        let (t, b) = (self.text, self.b);
        let hostish = |c: char| {
            if c.is_ascii() { CLASS[c as usize] & F_HOST != 0 } else { c.is_alphanumeric() }
        };
        let mut s2 = s;
        while s - s2 < 253
            && let Some(c) = t[..s2].chars().next_back()
            && hostish(c)
        {
            s2 -= c.len_utf8();
        }
        let mut e2 = e;
        while e2 - e < 253
            && let Some(c) = t[e2..].chars().next()
            && hostish(c)
        {
            e2 += c.len_utf8();
        }
        // Nothing to do unless a letter joins the word and the joined run can be a name (has a dot).
        if (s2 == s && e2 == e) || !b[s2..e2].contains(&b'.') {
            return None;
        }
        let host_run_end = |mut i: usize| {
            while i < e && CLASS[b[i] as usize] & F_HOST != 0 {
                i += 1;
            }
            i
        };
        let host_run_start = |mut i: usize| {
            while i > s && CLASS[b[i - 1] as usize] & F_HOST != 0 {
                i -= 1;
            }
            i
        };
        let (mut mid_s, mut mid_e) = (s, e);
        if s2 < s {
            mid_s = host_run_end(s);
            if mid_s == e && e2 > e {
                // One name across the whole word.
                self.idn_host(s2, e2);
                return Some(e2);
            }
            self.idn_host(s2, mid_s);
        }
        if e2 > e {
            mid_e = host_run_start(e).max(mid_s);
            if let Some(local_start) = self.idn_host(mid_e, e2) {
                mid_e = local_start.max(mid_s);
            }
        }
        if mid_s < mid_e {
            self.range(mid_s, mid_e);
        }
        Some(e2)
    }

    /// Reports the internationalised name in `hs..he` (and the e-mail address it ends, after an `@`). Returns the
    /// start of that address's local part.
    pub(super) fn idn_host(&mut self, hs: usize, he: usize) -> Option<usize> {
        let b = self.b;
        let (mut hs, mut he) = (hs, he);
        while hs < he && matches!(b[hs], b'.' | b'-') {
            hs += 1;
        }
        while he > hs && matches!(b[he - 1], b'.' | b'-' | b'_') {
            he -= 1;
        }
        let host = validate::domain(&self.text[hs..he])?;
        if !(self.defanged_at)(hs, he) && validate::file_extension_tld(&host.canonical) {
            return None;
        }
        if hs > 1 && b[hs - 1] == b'@' {
            let at = hs - 1;
            let mut ls = at;
            while ls > 0
                && at - ls < 64
                && (b[ls - 1].is_ascii_alphanumeric()
                    || matches!(b[ls - 1], b'.' | b'_' | b'%' | b'+' | b'-'))
            {
                ls -= 1;
            }
            if ls < at && normalize::email::local_ok(&self.text[ls..at]) {
                let canonical =
                    format!("{}@{}", self.text[ls..at].to_ascii_lowercase(), host.canonical);
                self.push_kind(IocKind::Email, canonical, ls, he);
                self.push(host, hs, he, true);
                return Some(ls);
            }
        }
        self.push(host, hs, he, false);
        None
    }

    /// Everything inside a word that is not a URL. Returns the resume position.
    pub(super) fn range(&mut self, s: usize, e: usize) -> usize {
        let b = self.b;
        let mut resume = e;
        let mut s = s;
        let mut j = s;
        // E-mail addresses and IPv6 cross host-run boundaries, so find them first.
        while j < e {
            let hit = match b[j] {
                b'@' => self.email(s, j, e),
                b':' if j + 1 < e => match self.ipv6(s, j, e) {
                    Ok(span) => Some(span),
                    Err(skip) => {
                        j = skip.max(j + 1);
                        continue;
                    }
                },
                _ => None,
            };
            if let Some((fs, fe)) = hit {
                if fs > s {
                    resume = resume.max(self.runs(s, fs));
                }
                s = fe;
                j = fe;
                continue;
            }
            j += 1;
        }
        if s < e {
            resume = resume.max(self.runs(s, e));
        }
        resume
    }

    /// An e-mail address around the `@` at `at` (inside `s..e`). Returns its span.
    pub(super) fn email(&mut self, s: usize, at: usize, e: usize) -> Option<(usize, usize)> {
        let b = self.b;
        let mut ls = at;
        while ls > s
            && at - ls <= 64
            && (b[ls - 1].is_ascii_alphanumeric()
                || matches!(b[ls - 1], b'.' | b'_' | b'%' | b'+' | b'-'))
        {
            ls -= 1;
        }
        while ls < at && matches!(b[ls], b'.' | b'-') {
            ls += 1;
        }
        if ls == at || !normalize::email::local_ok(&self.text[ls..at]) {
            return None;
        }
        let ds = at + 1;
        let mut de = ds;
        while de < e && class(b, de) & F_HOST != 0 {
            de += 1;
        }
        while de > ds && matches!(b[de - 1], b'.' | b'-' | b'_') {
            de -= 1;
        }
        let host = validate::domain(&self.text[ds..de])?;
        let canonical = format!("{}@{}", self.text[ls..at].to_ascii_lowercase(), host.canonical);
        self.push_kind(IocKind::Email, canonical, ls, de);
        self.push(host, ds, de, true);
        Some((ls, de))
    }

    /// An IPv6 address (or network) containing the `:` at `c`. Returns its span, or where to look next.
    pub(super) fn ipv6(&mut self, s: usize, c: usize, e: usize) -> Result<(usize, usize), usize> {
        const MAX: usize = 46; // longest IPv6 text: 8 hextets or 6 + dotted quad
        let b = self.b;
        let is_v6 = |x: u8| x.is_ascii_hexdigit() || x == b':' || x == b'.';
        let mut vs = c;
        while vs > s && c - vs <= MAX && is_v6(b[vs - 1]) {
            vs -= 1;
        }
        let mut ve = c;
        while ve < e && ve - c <= MAX && is_v6(b[ve]) {
            ve += 1;
        }
        let skip = ve;
        // Only `= / @ ? &` may glue an address to what precedes it: `2015-05-26::` is a date, not `26::`.
        if (vs > s && !matches!(b[vs - 1], b'=' | b'/' | b'@' | b'?' | b'&'))
            || (ve < e && (is_v6(b[ve]) || b[ve].is_ascii_alphanumeric()))
        {
            return Err(skip);
        }
        while ve > c && b[ve - 1] == b'.' {
            ve -= 1;
        }
        let cand = &self.text[vs..ve];
        if cand.bytes().filter(|&x| x == b':').count() < 2
            || !cand.bytes().any(|x| x.is_ascii_digit())
        {
            return Err(skip);
        }
        let Some(host) = validate::ipv6(cand) else { return Err(skip) };
        if let Some((prefix, pe)) = prefix_len(b, ve, e, 128) {
            let canonical = cidr(&host.canonical, prefix);
            self.found.push(Found {
                kind: IocKind::Cidr,
                canonical,
                start: vs,
                end: pe,
                defanged: false,
                implied: false,
                scope: host.scope,
            });
            return Ok((vs, pe));
        }
        self.push(host, vs, ve, false);
        Ok((vs, ve))
    }

    /// A run with dots: IPv4 (with `/prefix` or `:port`), domain, ATT&CK sub-technique, scheme-less URL.
    pub(super) fn dotted(&mut self, rs0: usize, re0: usize, e: usize, prev: u8) -> usize {
        let b = self.b;
        let (mut rs, mut re) = (rs0, re0);
        // A leading `_` stays when a label follows (`_dmarc.evil.com`, `_ldap._tcp.dc.evil.com`), unless a
        // trailing one pairs with it (Markdown emphasis, `_evil[.]com_`).
        let emphasis = b[rs0] == b'_' && b[re0 - 1] == b'_';
        while rs < re
            && (matches!(b[rs], b'.' | b'-')
                || (b[rs] == b'_'
                    && (emphasis || !b.get(rs + 1).is_some_and(u8::is_ascii_alphanumeric))))
        {
            rs += 1;
        }
        while re > rs && matches!(b[re - 1], b'.' | b'-' | b'_') {
            re -= 1;
        }
        if rs == re {
            return re0;
        }
        let run = &self.text[rs..re];
        if !run.contains('.') {
            return self.plain(rs, re, prev).max(re0);
        }
        // A component of a path (`/tmp/loader.py`, `C:\Users\x\kernel32.dll`, `W64/BURNTCIGAR.CA`).
        if rs == rs0 && matches!(prev, b'/' | b'\\') {
            return re0;
        }
        if let Some(id) = attack_id(run) {
            self.push_kind(IocKind::Attack, id, rs, re);
            return re0;
        }
        // A CVE id as one label of a longer token: an AV detection name, a file name.
        if run.len() >= 13 && self.cves(rs, re) {
            return re0;
        }
        // Whether a defang marker sits in the run: asked only once the run validated, and for an IPv4 only when
        // a path follows (most dotted runs are not hosts).
        let mut defanged = None;
        let next = b.get(re).copied().unwrap_or(b' ');
        let host = if run.bytes().all(|c| c.is_ascii_digit() || c == b'.') {
            let Some(host) = validate::ipv4(run) else { return re0 };
            // Not the start of a longer dotted number (`1.2.3.4.5`) — the trimmed dots were sentence punctuation.
            if re < re0 && b[re + 1..re0].iter().any(u8::is_ascii_digit) {
                return re0;
            }
            if next == b'/'
                && re == re0
                && let Some((prefix, pe)) = prefix_len(b, re, e, 32)
            {
                // The network, host bits cleared: the normaliser's canonical form (`10.1.2.3/8` → `10.0.0.0/8`).
                let canonical = cidr(&host.canonical, prefix);
                self.found.push(Found {
                    kind: IocKind::Cidr,
                    canonical,
                    start: rs,
                    end: pe,
                    defanged: false,
                    implied: false,
                    scope: host.scope,
                });
                return pe;
            }
            host
        } else {
            let Some(host) = validate::domain(run) else { return re0 };
            let marked = (self.defanged_at)(rs, re);
            defanged = Some(marked);
            if !marked {
                let why = if validate::file_extension_tld(&host.canonical) {
                    Some((
                        DiagnosticCode::FileExtensionTld,
                        "a file name: its TLD is also a file extension (defang it to report it)",
                    ))
                } else if filters::code_token(&host.canonical) || filters::code_identifier(run) {
                    Some((
                        DiagnosticCode::CodeIdentifier,
                        "a code identifier or technology name, not a host (defang it to report it)",
                    ))
                } else {
                    None
                };
                if let Some((code, why)) = why {
                    if self.notes.len() < MAX_NOTES {
                        self.notes.push(Note {
                            code,
                            message: format!("`{run}` skipped: {why}"),
                            start: rs,
                            end: re,
                        });
                    }
                    return re0;
                }
            }
            host
        };
        // `evil[.]com/gate.php`: a defanged host followed by a path is a URL.
        if re == re0
            && (next == b'/' || (next == b':' && b.get(re + 1).is_some_and(u8::is_ascii_digit)))
            && defanged.unwrap_or_else(|| (self.defanged_at)(rs, re))
        {
            let mut end = re;
            while end < b.len() && class(b, end) & F_URL != 0 {
                end += 1;
            }
            let end = trim_url_end(b, re, end);
            let mut p = re;
            let mut port = None;
            if next == b':' {
                p += 1;
                let ps = p;
                while p < end && b[p].is_ascii_digit() {
                    p += 1;
                }
                port = self.text[ps..p].parse::<u16>().ok();
            }
            if b.get(p) == Some(&b'/') && p + 1 < end {
                let mut canonical = format!("http://{}", host.canonical);
                if let Some(port) = port.filter(|&p| p != 80) {
                    canonical.push(':');
                    canonical.push_str(&port.to_string());
                }
                canonical.push_str(&self.text[p..end]);
                self.push_kind(IocKind::Url, canonical, rs, end);
                self.push(host, rs, re, true);
                return end;
            }
        }
        if host.kind == IocKind::Domain && rs == rs0 && defanged_or_strong_at(self, rs, &host) {
            return re0;
        }
        self.push(host, rs, re, false);
        re0
    }
}
