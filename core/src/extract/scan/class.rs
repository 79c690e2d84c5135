//! Byte classes of the scanner and the cheap pre-filters that decide whether a word is worth a closer look.

pub(super) const F_WORD: u16 = 1;
pub(super) const F_DOT: u16 = 2;
pub(super) const F_COLON: u16 = 4;
pub(super) const F_AT: u16 = 8;
pub(super) const F_SLASH: u16 = 16;
pub(super) const F_DIGIT: u16 = 32;
/// Characters of a host name run (`A-Z a-z 0-9 - _ .`).
pub(super) const F_HOST: u16 = 64;
/// Characters allowed in a URL after the scheme (wider than a word).
pub(super) const F_URL: u16 = 128;
/// `\`: Windows paths, UNC names and registry keys.
pub(super) const F_BSLASH: u16 = 256;

pub(super) const fn classes() -> [u16; 256] {
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
pub(super) static CLASS: [u16; 256] = classes();

/// `0-9 A-F a-f`, as a table (the range checks of `is_ascii_hexdigit` branch per byte).
pub(super) static HEX: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        t[c] = (c as u8).is_ascii_hexdigit();
        c += 1;
    }
    t
};

pub(super) fn class(b: &[u8], i: usize) -> u16 {
    b.get(i).map_or(0, |&c| CLASS[c as usize])
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
pub(super) fn worth_expanding(b: &[u8], p: usize, stride: bool) -> bool {
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
pub(super) fn window13(b: &[u8], s: usize) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let word = |i: usize| b.get(i..i + 8).and_then(|w| w.try_into().ok()).map(u64::from_le_bytes);
    let ok = |x: u64| (x.wrapping_sub(ONES * 0x30) | x) & HIGH == 0;
    match (word(s), word(s + 5)) {
        (Some(x), Some(y)) => ok(x) & ok(y),
        _ => false,
    }
}

/// Stride of the probes for long alphanumeric runs: any run of `MIN_RUN` bytes covers a multiple of it.
pub(super) const STRIDE: usize = 24;
/// Shortest run a stride probe looks for: the shortest Bitcoin address (hashes are 32 or more).
pub(super) const MIN_RUN: usize = 25;

/// Can the word `s..e` hold an indicator?
pub(super) fn interesting(b: &[u8], s: usize, e: usize, flags: u16) -> bool {
    let len = e - s;
    flags & (F_DOT | F_COLON | F_AT | F_BSLASH) != 0
        || len >= MIN_RUN
        || (len >= 5 && flags & F_DIGIT != 0 && matches!(b[s], b'T' | b'C' | b'c'))
        || (b[s] == b'A' && b.get(s + 1) == Some(&b'S'))
        || (matches!(b[s], b'/' | b'~') && len > 2)
}
