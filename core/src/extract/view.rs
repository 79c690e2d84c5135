//! The refanged view of a text: one linear pass that rewrites defang markers (`[.]`, `(dot)`, `\.`, `[@]`,
//! `[:]//`, Unicode full stops, zero-width characters, spaced ` DOT `/` . ` …) and decodes HTML entities, keeping a
//! sparse offset map so every position in the view maps back to the original text.
//!
//! The view is ASCII wherever it matters to the scanner: every replacement writes ASCII, and every other byte is
//! copied verbatim, so the view is valid UTF-8 and spans found in it map to char boundaries of the original.
#![expect(
    clippy::many_single_char_names,
    reason = "byte-scanner indices: b = bytes, i/j = cursors"
)]
use std::borrow::Cow;

/// A rewritten text plus the map back to the original.
pub(super) struct View<'a> {
    /// The rewritten text.
    pub(super) text: Cow<'a, str>,
    /// `(view_pos, orig_pos)`: from `view_pos` on, view byte `v` is original byte `orig_pos + (v - view_pos)`.
    anchors: Vec<(usize, usize)>,
    /// View positions where a defang marker was rewritten (sorted).
    marks: Vec<usize>,
    /// Length of the original text.
    orig_len: usize,
}

/// What a rewrite produces.
struct Rewrite {
    /// Bytes of the original consumed, starting at the rewrite position (which may be before the trigger).
    start: usize,
    len: usize,
    /// Replacement (ASCII).
    with: &'static str,
    /// The rewrite removed a defang marker (as opposed to decoding an HTML entity).
    defang: bool,
}

fn at(b: &[u8], i: usize) -> u8 {
    b.get(i).copied().unwrap_or(0)
}

fn before(b: &[u8], i: usize, back: usize) -> u8 {
    if i >= back { b[i - back] } else { 0 }
}

fn is_alnum(c: u8) -> bool {
    c.is_ascii_alphanumeric()
}

/// A character that may end the label before a defanged dot or start the one after it.
fn labelish(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'-' || c == b'_'
}

/// Case-insensitive ASCII comparison of `b[i..]` with `pat`.
fn starts_with_ci(b: &[u8], i: usize, pat: &[u8]) -> bool {
    b.len() >= i + pat.len() && b[i..i + pat.len()].eq_ignore_ascii_case(pat)
}

fn bracket_rewrite(b: &[u8], i: usize) -> Option<Rewrite> {
    let open = b[i];
    let close = match open {
        b'[' => b']',
        b'(' => b')',
        _ => b'}',
    };
    let prev = before(b, i, 1);
    // `[:]`, `[://]`, `[/]` only in square brackets (defangjs output); scheme and IPv6 contexts.
    if open == b'[' {
        if b.get(i + 1..i + 5) == Some(b"://]") {
            return Some(Rewrite { start: i, len: 5, with: "://", defang: true });
        }
        if b.get(i + 1..i + 3) == Some(b":]")
            && (prev.is_ascii_alphanumeric() || prev == b']' || prev == b':')
        {
            return Some(Rewrite { start: i, len: 3, with: ":", defang: true });
        }
        if b.get(i + 1..i + 3) == Some(b"/]") && labelish(prev) {
            return Some(Rewrite { start: i, len: 3, with: "/", defang: true });
        }
    }
    if !labelish(prev) && prev != b']' && prev != b')' && prev != b'}' {
        return None;
    }
    // `[.]`, and with one space inside each side: `[ dot ]`, `( . )`.
    let pad = usize::from(at(b, i + 1) == b' ');
    for (word, with) in [(&b"."[..], "."), (b"dot", "."), (b"@", "@"), (b"at", "@"), (b"et", "@")] {
        let w = i + 1 + pad;
        if starts_with_ci(b, w, word) && at(b, w + word.len() + pad) == close {
            let len = word.len() + 2 + 2 * pad;
            if pad == 1 && at(b, w + word.len()) != b' ' {
                continue;
            }
            if labelish(at(b, i + len)) {
                return Some(Rewrite { start: i, len, with, defang: true });
            }
        }
    }
    None
}

fn entity_rewrite(b: &[u8], i: usize) -> Option<Rewrite> {
    const NAMED: [(&[u8], &str); 7] = [
        (b"&amp;", "&"),
        (b"&lt;", "<"),
        (b"&gt;", ">"),
        (b"&quot;", "\""),
        (b"&apos;", "'"),
        (b"&nbsp;", " "),
        (b"&period;", "."),
    ];
    for (name, with) in NAMED {
        if starts_with_ci(b, i, name) {
            return Some(Rewrite { start: i, len: name.len(), with, defang: false });
        }
    }
    // Numeric references to the ASCII characters that matter inside indicators.
    if at(b, i + 1) != b'#' {
        return None;
    }
    let (hex, digits_at) =
        if matches!(at(b, i + 2), b'x' | b'X') { (true, i + 3) } else { (false, i + 2) };
    let mut j = digits_at;
    let mut value: u32 = 0;
    while j < b.len() && j - digits_at < 6 {
        let c = b[j];
        let d = if hex { (c as char).to_digit(16) } else { (c as char).to_digit(10) };
        match d {
            Some(d) => value = value * if hex { 16 } else { 10 } + d,
            None => break,
        }
        j += 1;
    }
    if j == digits_at || at(b, j) != b';' {
        return None;
    }
    let with = match value {
        0x2E => ".",
        0x40 => "@",
        0x3A => ":",
        0x2F => "/",
        0x26 => "&",
        0x3C => "<",
        0x3E => ">",
        0x22 => "\"",
        0x27 => "'",
        0x2D => "-",
        0x20 | 0xA0 => " ",
        _ => return None,
    };
    Some(Rewrite { start: i, len: j + 1 - i, with, defang: false })
}

fn rewrite_at(b: &[u8], i: usize) -> Option<Rewrite> {
    match b[i] {
        b'[' | b'(' | b'{' => bracket_rewrite(b, i),
        b'\\' => match at(b, i + 1) {
            b'.' if labelish(before(b, i, 1)) && labelish(at(b, i + 2)) => {
                Some(Rewrite { start: i, len: 2, with: ".", defang: true })
            }
            b'/' => Some(Rewrite { start: i, len: 2, with: "/", defang: true }),
            _ => None,
        },
        b'&' => entity_rewrite(b, i),
        // `evil . com`: a spaced dot between a label and a lower-case label or digit (never a sentence end,
        // which is followed by a capital).
        b'.' if before(b, i, 1) == b' '
            && at(b, i + 1) == b' '
            && labelish(before(b, i, 2))
            && (at(b, i + 2).is_ascii_lowercase() || at(b, i + 2).is_ascii_digit()) =>
        {
            Some(Rewrite { start: i - 1, len: 3, with: ".", defang: true })
        }
        // `evil DOT com`: upper-case bare word only (diff #6: lower-case `dot` is prose).
        b'D' if before(b, i, 1) == b' '
            && b.get(i..i + 4) == Some(b"DOT ")
            && is_alnum(before(b, i, 2))
            && is_alnum(at(b, i + 4)) =>
        {
            Some(Rewrite { start: i - 1, len: 5, with: ".", defang: true })
        }
        // `hxxps:// evil.com`: the space after the scheme separator.
        b':' if b.get(i..i + 4) == Some(b":// ")
            && before(b, i, 1).is_ascii_alphabetic()
            && is_alnum(at(b, i + 4)) =>
        {
            Some(Rewrite { start: i, len: 4, with: "://", defang: true })
        }
        0xC2 if at(b, i + 1) == 0xAD => Some(Rewrite { start: i, len: 2, with: "", defang: true }),
        0xE2 => {
            let (b1, b2) = (at(b, i + 1), at(b, i + 2));
            match (b1, b2) {
                // zero-width space / non-joiner / joiner, word joiner
                (0x80, 0x8B..=0x8D) | (0x81, 0xA0) => {
                    Some(Rewrite { start: i, len: 3, with: "", defang: true })
                }
                // U+2010–U+2015 hyphens and dashes between a letter/digit and a digit (CVE ids from PDFs)
                (0x80, 0x90..=0x95)
                    if is_alnum(before(b, i, 1)) && at(b, i + 3).is_ascii_digit() =>
                {
                    Some(Rewrite { start: i, len: 3, with: "-", defang: true })
                }
                _ => None,
            }
        }
        0xE3 if at(b, i + 1) == 0x80 && at(b, i + 2) == 0x82 => unicode_dot(b, i),
        0xEF => match (at(b, i + 1), at(b, i + 2)) {
            (0xBC, 0x8E) | (0xBD, 0xA1) | (0xB9, 0x92) => unicode_dot(b, i),
            (0xBB, 0xBF) => Some(Rewrite { start: i, len: 3, with: "", defang: true }),
            _ => None,
        },
        _ => None,
    }
}

/// U+3002, U+FF0E, U+FF61, U+FE52 between two labels.
fn unicode_dot(b: &[u8], i: usize) -> Option<Rewrite> {
    (labelish(before(b, i, 1)) && labelish(at(b, i + 3))).then_some(Rewrite {
        start: i,
        len: 3,
        with: ".",
        defang: true,
    })
}

impl<'a> View<'a> {
    /// Builds the view of `orig` in one pass.
    pub(super) fn new(orig: &'a str) -> View<'a> {
        let b = orig.as_bytes();
        // Find the rewrites first (SIMD byte searches for the trigger bytes; most triggers rewrite nothing),
        // then build the view in one copy.
        let mut rewrites: Vec<Rewrite> = Vec::new();
        // A rewrite must cover whole characters, and every view position inside its (ASCII) replacement must map to
        // a char boundary of the original: then view char boundaries map to original char boundaries, which is
        // what lets `extract` check spans in the view (while the bytes are in cache) instead of in the original.
        let whole = |rw: &Rewrite| {
            rw.with.len() <= rw.len
                && orig.is_char_boundary(rw.start + rw.len)
                && (0..rw.with.len().max(1)).all(|k| orig.is_char_boundary(rw.start + k))
        };
        let mut probe = |i: usize| {
            if let Some(rw) = rewrite_at(b, i).filter(whole) {
                rewrites.push(rw);
            }
        };
        memchr::memchr3_iter(b'[', b'(', b'{', b).for_each(&mut probe);
        memchr::memchr2_iter(b'\\', b'&', b).for_each(&mut probe);
        // The space-delimited forms are found as substrings: `.`, `:` and `D` alone are far too frequent.
        memchr::memmem::find_iter(b, b" . ").for_each(|q| probe(q + 1));
        memchr::memmem::find_iter(b, b" DOT ").for_each(|q| probe(q + 1));
        memchr::memmem::find_iter(b, b":// ").for_each(&mut probe);
        // Lead bytes of the non-ASCII characters rewritten: U+2010–U+2015, U+200B–U+200D, U+2060 (0xE2);
        // U+3002 (0xE3); U+FF0E, U+FF61, U+FE52, U+FEFF (0xEF); U+00AD (0xC2).
        memchr::memchr3_iter(0xE2, 0xE3, 0xEF, b).for_each(&mut probe);
        memchr::memchr_iter(0xC2, b).for_each(&mut probe);
        if rewrites.is_empty() {
            return View::identity(orig);
        }
        rewrites.sort_unstable_by_key(|r| r.start);
        // Built from `&str` pieces cut at char boundaries (`whole` checked them), so no UTF-8 validation pass.
        let mut out = String::with_capacity(b.len());
        let mut anchors = Vec::with_capacity(rewrites.len() * 2);
        let mut marks = Vec::new();
        let mut copied = 0; // original bytes before this are already in `out`
        for rw in rewrites {
            if rw.start < copied {
                continue; // overlaps an earlier rewrite
            }
            let Some(verbatim) = orig.get(copied..rw.start) else {
                // Unreachable by construction (rewrites start on char boundaries); fall back to no rewriting.
                return View::identity(orig);
            };
            out.push_str(verbatim);
            let vp = out.len();
            anchors.push((vp, rw.start));
            if rw.defang {
                marks.push(vp);
            }
            out.push_str(rw.with);
            copied = rw.start + rw.len;
            anchors.push((out.len(), copied));
        }
        let Some(rest) = orig.get(copied..) else { return View::identity(orig) };
        out.push_str(rest);
        View { text: Cow::Owned(out), anchors, marks, orig_len: b.len() }
    }

    /// The view of a text nothing is rewritten in.
    fn identity(orig: &'a str) -> View<'a> {
        View {
            text: Cow::Borrowed(orig),
            anchors: Vec::new(),
            marks: Vec::new(),
            orig_len: orig.len(),
        }
    }

    /// Original position of view position `v`.
    fn orig(&self, v: usize) -> usize {
        let i = self.anchors.partition_point(|a| a.0 <= v);
        let pos = if i == 0 {
            v
        } else {
            let (vp, op) = self.anchors[i - 1];
            op + (v - vp)
        };
        pos.min(self.orig_len)
    }

    /// Original start of a span starting at view position `v`.
    pub(super) fn orig_start(&self, v: usize) -> usize {
        self.orig(v)
    }

    /// Original end (exclusive) of a span ending at view position `v`.
    pub(super) fn orig_end(&self, v: usize) -> usize {
        if v == 0 {
            return self.orig(0);
        }
        let last = v - 1;
        // Anchors come in pairs (start of a replacement, resume after it): when the anchor governing the last
        // byte is a start anchor, that byte was written by a replacement and the span ends where its input ends.
        let i = self.anchors.partition_point(|a| a.0 <= last);
        if i > 0 && (i - 1) % 2 == 0 { self.orig(v) } else { self.orig(last) + 1 }
    }

    /// A defang marker was rewritten inside view range `start..end`.
    pub(super) fn defanged(&self, start: usize, end: usize) -> bool {
        let i = self.marks.partition_point(|&m| m < start);
        self.marks.get(i).is_some_and(|&m| m < end)
    }

    /// A mapper for spans visited in order of their start: the same answers as `orig_start`, `orig_end` and
    /// `defanged`, found by galloping forward from the previous span instead of a binary search over the whole map.
    pub(super) fn cursor(&self) -> Cursor<'_, 'a> {
        Cursor { view: self, anchor: 0, mark: 0 }
    }
}

/// See [`View::cursor`]. Spans may come in any order (an earlier start resets the cursor), but sorted starts make
/// every lookup O(log distance) and the whole walk linear.
pub(super) struct Cursor<'v, 'a> {
    view: &'v View<'a>,
    /// `anchors[..anchor]` start at or before the previous span start.
    anchor: usize,
    /// `marks[..mark]` lie before the previous span start.
    mark: usize,
}

/// Number of leading items of `items[from..]` that satisfy `pred` (a partition), plus `from`: exponential search
/// from `from`, then binary search in the last step. The caller guarantees `pred` holds for `items[..from]`.
fn gallop<T>(items: &[T], from: usize, pred: impl Fn(&T) -> bool) -> usize {
    let mut lo = from;
    let mut step = 1;
    while lo + step <= items.len() && pred(&items[lo + step - 1]) {
        lo += step;
        step *= 2;
    }
    let hi = (lo + step).min(items.len() + 1) - 1;
    lo + items[lo..hi].partition_point(pred)
}

impl Cursor<'_, '_> {
    /// `(orig_start, orig_end, defanged)` of view span `start..end`.
    pub(super) fn span(&mut self, start: usize, end: usize) -> (usize, usize, bool) {
        let v = self.view;
        if v.anchors.is_empty() {
            let defanged = !v.marks.is_empty() && v.defanged(start, end);
            return (start.min(v.orig_len), end.min(v.orig_len), defanged);
        }
        if self.anchor > 0 && v.anchors[self.anchor - 1].0 > start {
            self.anchor = 0;
        }
        if self.mark > 0 && v.marks[self.mark - 1] >= start {
            self.mark = 0;
        }
        self.anchor = gallop(&v.anchors, self.anchor, |a| a.0 <= start);
        self.mark = gallop(&v.marks, self.mark, |&m| m < start);
        let at = |i: usize, p: usize| {
            let pos = if i == 0 {
                p
            } else {
                let (vp, op) = v.anchors[i - 1];
                op + (p - vp)
            };
            pos.min(v.orig_len)
        };
        let orig_start = at(self.anchor, start);
        let orig_end = if end == 0 {
            at(self.anchor, 0)
        } else {
            // As `orig_end`: `last` ≥ `start` when the span is not empty, so gallop on from the start's anchor.
            let last = end - 1;
            let from = if last >= start { self.anchor } else { 0 };
            let i = gallop(&v.anchors, from, |a| a.0 <= last);
            if i > 0 && (i - 1) % 2 == 0 {
                let j = gallop(&v.anchors, i, |a| a.0 <= end);
                at(j, end)
            } else {
                at(i, last) + 1
            }
        };
        let defanged = v.marks.get(self.mark).is_some_and(|&m| m < end);
        (orig_start, orig_end, defanged)
    }
}

#[cfg(test)]
mod tests {
    use super::View;

    fn check(input: &str, view: &str) {
        let v = View::new(input);
        assert_eq!(v.text, view, "{input:?}");
    }

    #[test]
    fn rewrites_markers() {
        check("evil[.]com", "evil.com");
        check("evil(dot)co(DOT)uk", "evil.co.uk");
        check("evil{.}com and x\\.y", "evil.com and x.y");
        check("hxxps[:]//evil[.]com", "hxxps://evil.com");
        check("https[://]evil.com", "https://evil.com");
        check("a[at]b[.]com", "a@b.com");
        check("evil[ dot ]com a[ @ ]b( . )org", "evil.com a@b.org");
        check("micro\u{3002}biz kasa\u{ff0e}org", "micro.biz kasa.org");
        check("virota.\u{200b}cn", "virota.cn");
        check("netsoft-net . tk", "netsoft-net.tk");
        check("kaqulog-lo.co DOT uk", "kaqulog-lo.co.uk");
        check("hxxps:// evil.com", "hxxps://evil.com");
        check("CVE\u{2011}2021\u{2011}44228", "CVE-2021-44228");
        check("a&amp;b &#46;", "a&b .");
    }

    #[test]
    fn leaves_prose_alone() {
        check("End of sentence . Next one", "End of sentence . Next one");
        check("the dot com era", "the dot com era");
        check("see [.] and (at) here", "see [.] and (at) here");
        check("x[ dot] y[dot ]z", "x[ dot] y[dot ]z");
        check("Japanese。次", "Japanese。次");
    }

    /// The cursor gives the same answers as the binary searches, for spans in any order.
    #[test]
    fn cursor_matches_binary_search() {
        let input = "a[.]b x\u{200b}y evil[.]com/p (dot) c[.]d&amp;e hxxps[:]//f{.}g . h DOT i";
        let v = View::new(input);
        let n = v.text.len();
        let mut spans = Vec::new();
        for s in 0..=n {
            for e in s..=n {
                spans.push((s, e));
            }
        }
        let mut c = v.cursor();
        for &(s, e) in spans.iter().chain(spans.iter().rev()).step_by(3) {
            assert_eq!(
                c.span(s, e),
                (v.orig_start(s), v.orig_end(e), v.defanged(s, e)),
                "{s}..{e}"
            );
        }
    }

    #[test]
    fn maps_back() {
        let input = "x evil[.]com\u{200b} y";
        let v = View::new(input);
        let s = v.text.find("evil").unwrap_or_default();
        let e = s + "evil.com".len();
        assert_eq!(&input[v.orig_start(s)..v.orig_end(e)], "evil[.]com");
        assert!(v.defanged(s, e));
        assert!(!v.defanged(0, 1));
    }
}
