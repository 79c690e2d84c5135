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
use super::validate::Host;
use crate::{DiagnosticCode, IocKind, IpScope};
use class::{
    CLASS, F_AT, F_BSLASH, F_COLON, F_HOST, F_SLASH, F_WORD, STRIDE, interesting, worth_expanding,
};
use url::{find, scheme_of};
mod class;
mod host;
mod token;
mod url;

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
            &s[..super::url::trim_url_end(s.as_bytes(), 0, s.len())]
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
