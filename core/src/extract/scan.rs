//! The scanner: one left-to-right pass over the refanged view, word by word.
//!
//! A *word* is a maximal run of bytes that can occur inside an indicator (`A-Z a-z 0-9 . - _ : / @ % ? = & # ~ +
//! \ $`); everything else (white space, quotes, brackets, `,;|*!^`, non-ASCII) separates words. While it walks a
//! word the scanner ORs a per-byte class table, so a word is only looked at when it can hold an indicator (has a
//! `.`, `:` or `@`, is long enough for a hash, or starts like a CVE/ATT&CK id). Most prose words cost one table
//! lookup per byte. URLs may run past the word (parentheses, `;`, `!` in paths) and are then trimmed. Every
//! candidate goes to `validate` for the verdict; nothing here backtracks, so the pass is linear in the input.
#![expect(
    clippy::many_single_char_names,
    reason = "scanner indices: b = bytes, s/e = word, i/j/k = cursors"
)]
use super::filters;
use super::validate::{self, Host};
use crate::{AttackIdKind, DiagnosticCode, IocKind, IpScope, normalize};

/// One finding, with its span in view coordinates.
#[derive(Debug, Clone)]
pub(super) struct Found {
    pub(super) kind: IocKind,
    pub(super) canonical: String,
    pub(super) start: usize,
    pub(super) end: usize,
    /// Defanged by a marker that is not visible in the view (scheme words such as `hxxp`, bare ` at `).
    pub(super) defanged: bool,
    pub(super) implied: bool,
    pub(super) scope: Option<IpScope>,
}

/// A skipped candidate, reported as a diagnostic (view coordinates).
#[derive(Debug, Clone)]
pub(super) struct Note {
    pub(super) code: DiagnosticCode,
    pub(super) message: String,
    pub(super) start: usize,
    pub(super) end: usize,
}

/// Diagnostics are capped so a text full of file names cannot grow them without bound.
pub(super) const MAX_NOTES: usize = 1000;

const F_WORD: u16 = 1;
const F_DOT: u16 = 2;
const F_COLON: u16 = 4;
const F_AT: u16 = 8;
const F_SLASH: u16 = 16;
const F_DIGIT: u16 = 32;
/// Characters of a host name run (`A-Z a-z 0-9 - _ .`).
const F_HOST: u16 = 64;
/// Characters allowed in a URL after the scheme (wider than a word).
const F_URL: u16 = 128;
/// `\`: Windows paths, UNC names and registry keys.
const F_BSLASH: u16 = 256;

const fn classes() -> [u16; 256] {
    let mut t = [0u16; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        let mut f = 0;
        if b.is_ascii_alphanumeric() {
            f |= F_WORD | F_HOST | F_URL;
        }
        if b.is_ascii_digit() {
            f |= F_DIGIT;
        }
        match b {
            b'.' => f |= F_WORD | F_DOT | F_HOST | F_URL,
            b'-' | b'_' => f |= F_WORD | F_HOST | F_URL,
            b':' => f |= F_WORD | F_COLON | F_URL,
            b'@' => f |= F_WORD | F_AT | F_URL,
            b'/' => f |= F_WORD | F_SLASH | F_URL,
            b'%' | b'?' | b'=' | b'&' | b'#' | b'~' | b'+' | b'$' => f |= F_WORD | F_URL,
            b'\\' => f |= F_WORD | F_BSLASH,
            b'(' | b')' | b'[' | b']' | b'!' | b'*' | b';' | b'\'' => f |= F_URL,
            _ => {}
        }
        t[c] = f;
        c += 1;
    }
    t
}
static CLASS: [u16; 256] = classes();

/// `0-9 A-F a-f`, as a table (the range checks of `is_ascii_hexdigit` branch per byte).
static HEX: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        t[c] = (c as u8).is_ascii_hexdigit();
        c += 1;
    }
    t
};

fn class(b: &[u8], i: usize) -> u16 {
    b.get(i).map_or(0, |&c| CLASS[c as usize])
}

/// Scheme as written (lower-cased) → canonical scheme and whether it was defanged.
fn scheme_of(written: &str) -> Option<(&'static str, bool)> {
    Some(match written {
        "http" => ("http", false),
        "https" => ("https", false),
        "ftp" => ("ftp", false),
        "ftps" => ("ftps", false),
        "sftp" => ("sftp", false),
        "ws" => ("ws", false),
        "wss" => ("wss", false),
        "tcp" => ("tcp", false),
        "udp" => ("udp", false),
        "smb" => ("smb", false),
        "ldap" => ("ldap", false),
        "ldaps" => ("ldaps", false),
        "ssh" => ("ssh", false),
        "rdp" => ("rdp", false),
        "tftp" => ("tftp", false),
        "telnet" => ("telnet", false),
        "irc" => ("irc", false),
        "hxxp" | "hxtp" | "htxp" | "h__p" | "h_p" | "h___p" | "httx" | "hpp" | "xxxx" | "hxxxp" => {
            ("http", true)
        }
        "hxxps" | "hxtps" | "htxps" | "h__ps" | "h_ps" | "h___ps" | "httxs" | "hpps" | "xxxxs"
        | "hxxxps" => ("https", true),
        "fxp" | "ftx" | "fxxp" | "fxtp" => ("ftp", true),
        "fxps" | "ftxs" => ("ftps", true),
        _ => return None,
    })
}

pub(super) struct Scanner<'v> {
    b: &'v [u8],
    text: &'v str,
    pub(super) found: Vec<Found>,
    /// Candidates that validated but were dropped as hard negatives (at most `MAX_NOTES`).
    pub(super) notes: Vec<Note>,
    defanged_at: &'v dyn Fn(usize, usize) -> bool,
}

impl<'v> Scanner<'v> {
    pub(super) fn new(text: &'v str, defanged_at: &'v dyn Fn(usize, usize) -> bool) -> Scanner<'v> {
        // Room for one finding per 128 bytes up front (the dense evaluation corpus has one per 200): growing a
        // large vector by doubling copies it and churns the allocator. Untouched capacity costs no pages.
        let found = Vec::with_capacity(text.len() / 128);
        Scanner { b: text.as_bytes(), text, found, notes: Vec::new(), defanged_at }
    }

    fn push(&mut self, host: Host, start: usize, end: usize, implied: bool) {
        self.found.push(Found {
            kind: host.kind,
            canonical: host.canonical,
            start,
            end,
            defanged: false,
            implied,
            scope: host.scope,
        });
    }

    fn push_kind(&mut self, kind: IocKind, canonical: String, start: usize, end: usize) {
        self.found.push(Found {
            kind,
            canonical,
            start,
            end,
            defanged: false,
            implied: false,
            scope: None,
        });
    }

    /// Walks the whole view, visiting only words that can hold an indicator.
    ///
    /// Anchors come from SIMD byte searches (`memchr`): `.` `:` `@` (hosts, URLs, e-mail, IPs), `-` (CVE ids)
    /// and `T` (ATT&CK ids); hashes have no anchor, but a hex run of 32 or more bytes always covers a position
    /// that is a multiple of 32, so those positions are probed too. Each word is expanded from its first anchor
    /// and scanned once (`done` moves past it), so the pass stays linear.
    pub(super) fn run(&mut self) {
        let b = self.b;
        let n = b.len();
        // Each anchor source is pre-filtered by `worth_expanding` (a pure check of the bytes around the anchor), so
        // the merge below only sees anchors whose word can hold an indicator: most `-`, `T`, sentence-final `.`
        // and stride probes never reach it.
        let mut a1 =
            memchr::memchr3_iter(b'.', b':', b'@', b).filter(|&p| worth_expanding(b, p, false));
        let mut a2 =
            memchr::memchr3_iter(b'-', b'T', b'\\', b).filter(|&p| worth_expanding(b, p, false));
        // `AS…` (AS numbers) and `/` (Unix paths at the start of a word).
        let mut a4 = memchr::memchr2_iter(b'A', b'/', b).filter(|&p| worth_expanding(b, p, false));
        // Stride probes for alphanumeric runs of 25 or more (hashes, Bitcoin addresses); a probe that coincides
        // with an anchor is visited once.
        let mut a3 = (0..n).step_by(STRIDE).filter(|&p| worth_expanding(b, p, true));
        let (mut n1, mut n2, mut n3, mut n4) = (a1.next(), a2.next(), a3.next(), a4.next());
        let mut done = 0usize;
        loop {
            // The smallest pending anchor.
            let p = match (n1, n2, n3, n4) {
                (None, None, None, None) => break,
                _ => n1
                    .unwrap_or(usize::MAX)
                    .min(n2.unwrap_or(usize::MAX))
                    .min(n3.unwrap_or(usize::MAX))
                    .min(n4.unwrap_or(usize::MAX)),
            };
            if n1 == Some(p) {
                n1 = a1.next();
            }
            if n2 == Some(p) {
                n2 = a2.next();
            }
            if n3 == Some(p) {
                n3 = a3.next();
            }
            if n4 == Some(p) {
                n4 = a4.next();
            }
            if p < done {
                continue;
            }
            let mut s = p;
            while s > done && CLASS[b[s - 1] as usize] & F_WORD != 0 {
                s -= 1;
            }
            let mut e = p;
            let mut flags = 0u16;
            while e < n {
                let c = CLASS[b[e] as usize];
                if c & F_WORD == 0 {
                    break;
                }
                flags |= c;
                e += 1;
            }
            if e == p {
                continue;
            }
            for &c in &b[s..p] {
                flags |= CLASS[c as usize];
            }
            done = e;
            if interesting(b, s, e, flags) {
                done = done.max(self.word(s, e, flags));
            }
        }
    }

    /// ATT&CK group, software, mitigation and campaign ids (`G0016`, `S0154`, `M1036`, `C0024`). Five characters
    /// are too common a shape to take on their own (part numbers, grid cells), so they count only in a text that
    /// names `ATT&CK` and only when the id is in the embedded catalogue. A separate pass, run after `run`: it costs
    /// one substring search on a text without `ATT&CK`.
    pub(super) fn attack_objects(&mut self) {
        let b = self.b;
        // The name as MITRE writes it; one substring search.
        if memchr::memmem::find(b, b"ATT&CK").is_none() {
            return;
        }
        let mut hit = |p: usize| {
            let id = b.get(p..p + 5)?;
            if !id[1..].iter().all(u8::is_ascii_digit)
                || (p > 0 && CLASS[b[p - 1] as usize] & F_WORD != 0)
                || b.get(p + 5).is_some_and(|&c| {
                    CLASS[c as usize] & (F_HOST | F_SLASH | F_BSLASH | F_AT) != 0 && c != b'.'
                })
            {
                return None;
            }
            let id = std::str::from_utf8(id).ok()?;
            crate::attack::exists(id).then(|| (id.to_owned(), p))
        };
        let mut ids: Vec<(String, usize)> =
            memchr::memchr3_iter(b'G', b'S', b'M', b).filter_map(&mut hit).collect();
        ids.extend(memchr::memchr_iter(b'C', b).filter_map(&mut hit));
        for (id, p) in ids {
            self.push_kind(IocKind::Attack, id, p, p + 5);
        }
    }

    /// The straightforward word-by-word walk; `run` must find exactly what this finds (tested).
    #[cfg(test)]
    pub(super) fn run_every_word(&mut self) {
        let b = self.b;
        let n = b.len();
        let mut i = 0;
        while i < n {
            while i < n && CLASS[b[i] as usize] & F_WORD == 0 {
                i += 1;
            }
            let s = i;
            let mut flags = 0u16;
            while i < n {
                let c = CLASS[b[i] as usize];
                if c & F_WORD == 0 {
                    break;
                }
                flags |= c;
                i += 1;
            }
            if i > s && interesting(b, s, i, flags) {
                let resume = self.word(s, i, flags);
                i = i.max(resume);
            }
        }
    }

    /// Looks at one word; returns where scanning resumes (past the word when a URL ran beyond it). Findings whose
    /// span does not sit on char boundaries of the view are dropped here, while the bytes are still in cache (by
    /// construction they all do: the scanner only reports ASCII runs; see `View::new` for why view boundaries are
    /// original boundaries).
    fn word(&mut self, s: usize, e: usize, flags: u16) -> usize {
        let before = self.found.len();
        let resume = self.word_unchecked(s, e, flags);
        let t = self.text;
        let on_boundaries = |f: &Found| t.is_char_boundary(f.start) && t.is_char_boundary(f.end);
        if !self.found[before..].iter().all(on_boundaries) {
            let kept: Vec<Found> = self.found.drain(before..).filter(on_boundaries).collect();
            self.found.extend(kept);
        }
        resume
    }

    fn word_unchecked(&mut self, s: usize, e: usize, flags: u16) -> usize {
        let b = self.b;
        if (flags & F_BSLASH != 0 || matches!(b[s], b'/' | b'~'))
            && let Some(resume) = self.path(s, e)
        {
            return resume;
        }
        if b[s] == b'A'
            && let Some(resume) = self.asn(s, e)
        {
            return resume;
        }
        if flags & F_COLON != 0
            && flags & F_SLASH != 0
            && let Some(p) = find(&self.b[s..e], b"://").map(|p| s + p)
        {
            let mut k = p;
            while k > s && (self.b[k - 1].is_ascii_alphabetic() || self.b[k - 1] == b'_') {
                k -= 1;
            }
            // Schemes are short: lower-case a stack copy (no allocation per URL).
            let mut buf = [0u8; 8];
            let written = buf.get_mut(..p - k).map(|w| {
                w.copy_from_slice(&self.b[k..p]);
                w.make_ascii_lowercase();
                &*w
            });
            if let Some((canon, defanged)) =
                written.and_then(|w| std::str::from_utf8(w).ok()).and_then(scheme_of)
            {
                if k > s {
                    self.range(s, k);
                }
                return self.url(k, p + 3, canon, defanged);
            }
            // Unknown scheme: look at what follows the separator as plain text.
            self.range(s, p);
            self.range(p + 3, e);
            return e;
        }
        if (s > 0 && b[s - 1] >= 0x80) || b.get(e).is_some_and(|&c| c >= 0x80) {
            // A non-ASCII letter next to the word: it belongs to the host (`bücher-shop.de`).
            if let Some(resume) = self.idn(s, e) {
                return resume;
            }
        }
        if flags & (F_AT | F_COLON) == 0 {
            // No `@` or `:` anywhere in the word: `range` would find no e-mail or IPv6 and hand it all to `runs`.
            return self.runs(s, e);
        }
        self.range(s, e)
    }

    /// A URL: scheme starts at `k`, authority at `a`.
    fn url(&mut self, k: usize, a: usize, scheme: &'static str, scheme_defanged: bool) -> usize {
        let b = self.b;
        let (mut a, mut scheme_defanged) = (a, scheme_defanged);
        // `hxxps://hxxp[://]host/…`: a second scheme right after the first belongs to the defang.
        if let Some(q) = b.get(a..b.len().min(a + 12)).and_then(|w| find(w, b"://"))
            && q > 0
            && b[a..a + q].iter().all(u8::is_ascii_alphabetic)
            && std::str::from_utf8(&b[a..a + q].to_ascii_lowercase())
                .ok()
                .and_then(scheme_of)
                .is_some()
        {
            a += q + 3;
            scheme_defanged = true;
        }
        let mut end = a;
        while end < b.len() {
            if b[end] < 0x80 {
                if CLASS[b[end] as usize] & F_URL == 0 {
                    break;
                }
                end += 1;
            } else {
                // Letters of an internationalised host or path (`http://bücher.de/straße`).
                match self.text[end..].chars().next() {
                    Some(c) if c.is_alphanumeric() => end += c.len_utf8(),
                    _ => break,
                }
            }
        }
        let mut end = trim_url_end(b, a, end);
        // AsciiDoc passthrough `++hxxp://host/x++`: the closing `++` is markup.
        if k >= 2
            && &b[k - 2..k] == b"++"
            && let Some(q) = find(&b[a..end], b"++")
        {
            end = a + q;
        }
        let Some(parts) = self.authority(a, end) else {
            return end.max(a);
        };
        let end = link_text_start(b, parts.rest, parts.cut.unwrap_or(end));
        let mut canonical = String::with_capacity(end - k + 8);
        canonical.push_str(scheme);
        canonical.push_str("://");
        canonical.push_str(&self.text[a..parts.user_end]);
        if parts.host.kind == IocKind::Ipv6 {
            canonical.push('[');
            canonical.push_str(&parts.host.canonical);
            canonical.push(']');
        } else {
            canonical.push_str(&parts.host.canonical);
        }
        if let Some(port) = parts.port
            && normalize::url::default_port(scheme) != Some(port)
        {
            canonical.push(':');
            canonical.push_str(&port.to_string());
        }
        let rest = &self.text[parts.rest.min(end)..end];
        if rest != "/" {
            canonical.push_str(rest);
        }
        self.found.push(Found {
            kind: IocKind::Url,
            canonical,
            start: k,
            end,
            defanged: scheme_defanged,
            implied: false,
            scope: None,
        });
        let (hs, he) = parts.host_span;
        self.push(parts.host, hs, he, true);
        end
    }

    /// Splits `a..end` into userinfo, host, port and the rest; validates the host. A host followed by anything
    /// but a port, `/`, `?` or `#` ends the URL there (`cut`): `http://evil.com+` is `http://evil.com`.
    fn authority(&self, a: usize, end: usize) -> Option<Authority> {
        let b = self.b;
        let mut host_end = a;
        while host_end < end && !matches!(b[host_end], b'/' | b'?' | b'#') {
            host_end += 1;
        }
        let mut hs = a;
        if let Some(at) = b[a..host_end].iter().rposition(|&c| c == b'@') {
            hs = a + at + 1;
        }
        let (he, port, after) = if b.get(hs) == Some(&b'[') {
            let close = b[hs..host_end].iter().position(|&c| c == b']')? + hs;
            let port = parse_port(&b[close + 1..host_end]).ok()?;
            (close + 1, port, host_end)
        } else {
            let mut hx = hs;
            while hx < host_end && (CLASS[b[hx] as usize] & F_HOST != 0 || b[hx] >= 0x80) {
                hx += 1;
            }
            let mut he = hx;
            while he > hs && matches!(b[he - 1], b'-' | b'_') {
                he -= 1;
            }
            if he == hx && b.get(hx) == Some(&b':') {
                let mut px = hx + 1;
                while px < host_end && px - hx <= 6 && b[px].is_ascii_digit() {
                    px += 1;
                }
                (he, parse_port(&b[hx..px]).ok()?, px)
            } else {
                (he, None, he)
            }
        };
        let cut = (after < host_end).then_some(after);
        let mut host_text = &self.text[hs..he];
        let mut he_trim = he;
        if host_text.ends_with('.') {
            host_text = &host_text[..host_text.len() - 1];
            he_trim -= 1;
        }
        let host = validate::host(host_text)?;
        let host_span =
            if host.kind == IocKind::Ipv6 { (hs + 1, he_trim - 1) } else { (hs, he_trim) };
        Some(Authority { host, host_span, user_end: hs, port, rest: cut.unwrap_or(host_end), cut })
    }

    /// A registry key, a Windows path (drive, `%VAR%`, UNC and `WebDAV` names) or a Unix path under a well-known
    /// root starting the word at `s`. Returns the resume position, `None` when the word is none of these.
    fn path(&mut self, s: usize, e: usize) -> Option<usize> {
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
    fn asn(&mut self, s: usize, e: usize) -> Option<usize> {
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

    /// A word next to a non-ASCII character at `s` or `e`. When that character is a letter or digit it belongs to
    /// the host (`bücher-shop.de`): the whole name is validated (UTS #46) and reported in A-label form, or not at
    /// all — never the ASCII piece alone. Returns `None` when no letter touches the word.
    fn idn(&mut self, s: usize, e: usize) -> Option<usize> {
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
    fn idn_host(&mut self, hs: usize, he: usize) -> Option<usize> {
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
    fn range(&mut self, s: usize, e: usize) -> usize {
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
    fn email(&mut self, s: usize, at: usize, e: usize) -> Option<(usize, usize)> {
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
    fn ipv6(&mut self, s: usize, c: usize, e: usize) -> Result<(usize, usize), usize> {
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

    /// Host-name runs (`A-Z a-z 0-9 - _ .`) inside `s..e`. Returns the resume position.
    fn runs(&mut self, s: usize, e: usize) -> usize {
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
    fn plain(&mut self, rs: usize, re: usize, prev: u8) -> usize {
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
    fn cves(&mut self, rs: usize, re: usize) -> bool {
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

    /// A run with dots: IPv4 (with `/prefix` or `:port`), domain, ATT&CK sub-technique, scheme-less URL.
    fn dotted(&mut self, rs0: usize, re0: usize, e: usize, prev: u8) -> usize {
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

/// Cheap pre-check of an anchor before its word is expanded: a stride probe must sit in a hex run of 32 or
/// more, a `T` must start `T1…`/`TA…`, a `-` must follow `CVE`. (`.` `:` `@` always expand.) Words these
/// checks skip cannot yield anything: `plain` only reports hashes, ATT&CK ids and CVE ids.
/// The differential proptest in this module checks the equivalence.
#[expect(
    clippy::inline_always,
    reason = "called per anchor and per stride probe; measured: 11% of extraction when not inlined"
)]
#[inline(always)]
fn worth_expanding(b: &[u8], p: usize, stride: bool) -> bool {
    if stride {
        // An alphanumeric run `s..e` of `MIN_RUN` (25) or more around `p` holds all of `p..p + 13` (when
        // `e > p + 12`) or else all of `p - 12..p + 1`. Each window is tested eight bytes at a time for a byte
        // below `0` or above 0x7F (white space, most punctuation, non-ASCII): a necessary condition, so prose is
        // rejected in a few instructions and only plausible runs are walked.
        if !(window13(b, p) || (p >= 12 && window13(b, p - 12))) {
            return false;
        }
        let mut s = p;
        while s > 0 && p - s < MIN_RUN && b[s - 1].is_ascii_alphanumeric() {
            s -= 1;
        }
        let mut e = p + 1;
        while e < b.len() && e - s < MIN_RUN && b[e].is_ascii_alphanumeric() {
            e += 1;
        }
        return e - s >= MIN_RUN;
    }
    let word_start = p == 0 || CLASS[b[p - 1] as usize] & F_WORD == 0;
    match b[p] {
        b'T' => {
            matches!(b.get(p + 1), Some(b'1' | b'A'))
                && (p == 0 || !b[p - 1].is_ascii_alphanumeric())
        }
        b'-' => p >= 3 && b[p - 3..p].eq_ignore_ascii_case(b"cve"),
        // `AS13335`, `AS 13335`, `ASN13335` at the start of a word.
        b'A' => word_start && b.get(p + 1) == Some(&b'S'),
        // A Unix path starts a word: `/tmp/x`, `~/.ssh/x`.
        b'/' => {
            (word_start
                || ((p == 1 || (p >= 2 && CLASS[b[p - 2] as usize] & F_WORD == 0))
                    && b[p - 1] == b'~'))
                && b.get(p + 1).is_some_and(u8::is_ascii_alphabetic)
        }
        // A `.` or `:` that ends its word (sentence end, `Note:`) adds nothing: trailing dots and colons are
        // trimmed, and anything else in the word has an earlier anchor, already processed in position order — unless
        // a non-ASCII character follows (an internationalised label, `пример.рф`).
        b'.' | b':' => class(b, p + 1) & F_WORD != 0 || b.get(p + 1).is_some_and(|&c| c >= 0x80),
        _ => true,
    }
}

/// No byte of `b[s..s + 13]` is below `0` (0x30) or above 0x7F (a cheap necessary condition for 13 alphanumeric
/// bytes; false past the end of `b`).
#[inline(always)]
fn window13(b: &[u8], s: usize) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let word = |i: usize| b.get(i..i + 8).and_then(|w| w.try_into().ok()).map(u64::from_le_bytes);
    let ok = |x: u64| (x.wrapping_sub(ONES * 0x30) | x) & HIGH == 0;
    match (word(s), word(s + 5)) {
        (Some(x), Some(y)) => ok(x) & ok(y),
        _ => false,
    }
}

/// The shape of a Bitcoin address (a cheap test before the checksum): `1…`/`3…` in the Base58 alphabet, 25–35
/// characters, or `bc1…`/`tb1…` in one case, 42–90.
fn maybe_btc(r: &[u8]) -> bool {
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

/// Stride of the probes for long alphanumeric runs: any run of `MIN_RUN` bytes covers a multiple of it.
const STRIDE: usize = 24;
/// Shortest run a stride probe looks for: the shortest Bitcoin address (hashes are 32 or more).
const MIN_RUN: usize = 25;

/// Can the word `s..e` hold an indicator?
fn interesting(b: &[u8], s: usize, e: usize, flags: u16) -> bool {
    let len = e - s;
    flags & (F_DOT | F_COLON | F_AT | F_BSLASH) != 0
        || len >= MIN_RUN
        || (len >= 5 && flags & F_DIGIT != 0 && matches!(b[s], b'T' | b'C' | b'c'))
        || (b[s] == b'A' && b.get(s + 1) == Some(&b'S'))
        || (matches!(b[s], b'/' | b'~') && len > 2)
}

/// `user at evil[.]com`: a bare ` at ` before the domain at `ds` (diff #6). Emits the e-mail and returns true.
fn defanged_or_strong_at(sc: &mut Scanner<'_>, ds: usize, host: &Host) -> bool {
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

struct Authority {
    host: Host,
    host_span: (usize, usize),
    user_end: usize,
    port: Option<u16>,
    rest: usize,
    /// The URL ends here: the host is followed by punctuation, not by a port or path.
    cut: Option<usize>,
}

/// Unix roots a path must start under to be reported outside a URL (`/tmp/x`, `~/.ssh/x`): a lone `/word` in
/// prose is far more often a slash-separated list or a URL path than a file.
fn unix_root(w: &[u8]) -> bool {
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

/// `AsciiDoc` `url[link text]`: a `[` after the host whose bracket is never closed within the URL, or closes at its
/// very end, starts link text. Returns the URL end without it.
fn link_text_start(b: &[u8], rest: usize, end: usize) -> usize {
    let Some(q) = b.get(rest..end).and_then(|p| p.iter().position(|&c| c == b'[')) else {
        return end;
    };
    let q = rest + q;
    match b[q..end].iter().position(|&c| c == b']') {
        None => q,
        Some(c) if q + c + 1 == end => q,
        Some(_) => end,
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// `:port` (may be empty) → `Ok(port)`; junk → `Err` (the authority is invalid).
fn parse_port(b: &[u8]) -> Result<Option<u16>, ()> {
    if b.is_empty() {
        return Ok(None);
    }
    let digits = b.strip_prefix(b":").ok_or(())?;
    if digits.is_empty() {
        return Ok(None);
    }
    if digits.len() > 5 || !digits.iter().all(u8::is_ascii_digit) {
        return Err(());
    }
    let mut v: u32 = 0;
    for &d in digits {
        v = v * 10 + u32::from(d - b'0');
    }
    u16::try_from(v).map(Some).map_err(|_| ())
}

/// The canonical network of an address and a prefix length (already checked against the address family).
fn cidr(addr: &str, prefix: u32) -> String {
    let text = format!("{addr}/{prefix}");
    normalize::ip::parse_cidr(&text).map_or(text, |c| c.canonical)
}

/// `/NN` at `at` with NN ≤ `max`, not followed by more path. Returns the prefix and the end.
fn prefix_len(b: &[u8], at: usize, e: usize, max: u32) -> Option<(u32, usize)> {
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

/// Drops trailing punctuation and unbalanced closing brackets from a URL ending at `end`.
fn trim_url_end(b: &[u8], start: usize, mut end: usize) -> usize {
    // Bracket counts over the whole URL, taken only when a closing bracket is the last byte (rare): openers are
    // never dropped, so counts over the untrimmed URL minus the closers dropped so far are exact.
    let mut counts: Option<[usize; 4]> = None;
    let count_all = |url: &[u8]| {
        let mut c = [0usize; 4];
        for &x in url {
            match x {
                b'(' => c[0] += 1,
                b')' => c[1] += 1,
                b'[' => c[2] += 1,
                b']' => c[3] += 1,
                _ => {}
            }
        }
        c
    };
    let url = &b[start..end];
    while end > start {
        let drop = match b[end - 1] {
            b'.' | b';' | b':' | b'!' | b'?' | b'\'' | b'*' | b'&' | b',' => true,
            b')' => {
                let c = counts.get_or_insert_with(|| count_all(url));
                let unbalanced = c[0] < c[1];
                c[1] -= usize::from(unbalanced);
                unbalanced
            }
            b']' => {
                let c = counts.get_or_insert_with(|| count_all(url));
                let unbalanced = c[2] < c[3];
                c[3] -= usize::from(unbalanced);
                unbalanced
            }
            _ => false,
        };
        if !drop {
            break;
        }
        end -= 1;
    }
    end
}

/// `T1234`, `T1234.001`, `TA0001` by the ATT&CK id grammar of `normalize::ids::parse_attack`; in running text
/// only upper-case technique and tactic ids count, techniques starting with `T1` and tactics with `TA00` (the
/// other forms, `G0016` or `t1059`, are too often something else).
fn attack_id(run: &str) -> Option<String> {
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

fn hash_kind(piece: &str) -> Option<IocKind> {
    let kind = match piece.len() {
        32 => IocKind::Md5,
        40 => IocKind::Sha1,
        64 => IocKind::Sha256,
        128 => IocKind::Sha512,
        _ => return None,
    };
    piece.bytes().all(|c| HEX[c as usize]).then_some(kind)
}

#[cfg(test)]
mod tests {
    use super::Scanner;
    use proptest::prelude::*;

    fn both(text: &str) -> (Vec<String>, Vec<String>) {
        let no_marks = |_: usize, _: usize| false;
        let mut fast = Scanner::new(text, &no_marks);
        fast.run();
        let mut slow = Scanner::new(text, &no_marks);
        slow.run_every_word();
        let show = |f: &super::Found| format!("{}:{}..{}:{}", f.kind, f.start, f.end, f.canonical);
        (fast.found.iter().map(show).collect(), slow.found.iter().map(show).collect())
    }

    #[test]
    fn anchored_walk_matches_every_word_walk_on_examples() {
        for text in [
            "see hxxps://evil.com/a and 45.77.12.9, T1059.001 cve-2021-44228",
            &format!("x {} y {}-{} z", "ab".repeat(32), "0f".repeat(16), "1a".repeat(20)),
            "admin at evil.com; a@b.co 2001:db8::1 fe80::/10 T1 TA0001",
        ] {
            let (fast, slow) = both(text);
            assert_eq!(fast, slow, "{text}");
        }
    }

    #[test]
    fn url_ends_drop_unbalanced_closers_and_punctuation() {
        fn t(s: &str) -> &str {
            &s[..super::trim_url_end(s.as_bytes(), 0, s.len())]
        }
        assert_eq!(t("http://x.com/wiki/A_(b))."), "http://x.com/wiki/A_(b)");
        assert_eq!(t("http://x.com/a]],;"), "http://x.com/a");
        assert_eq!(t("http://x.com/[a]"), "http://x.com/[a]");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn anchored_walk_matches_every_word_walk(
            text in "([a-fA-F0-9]{1,70}|[a-zT]{1,6}|[ .:@/\\-]|https://|CVE-20|T1|evil.com|1.2.3.4|::){0,40}"
        ) {
            let (fast, slow) = both(&text);
            prop_assert_eq!(fast, slow);
        }
    }
}
