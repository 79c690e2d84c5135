//! Where a text may be cut for streaming extraction without changing what is found.
//!
//! [`extract`](super::extract) of a text equals the extractions of its pieces (spans offset, mentions in order)
//! when every cut falls right after a *hard separator*: a byte that no indicator, defang marker or HTML entity
//! contains, that ends every word and URL the scanner walks, and that no look-around reads past. Cutting after
//! it, the piece before still sees it as its last byte, and the piece after sees a start of text, which every
//! look-back treats exactly like that separator (not a word, label, hex digit, bracket or space). The hard
//! separators are line breaks, tab and `" , < > | ^` and the backtick: minified JSON (STIX, MISP) is full of `",`
//! and `":`, logs and CSV of line breaks and commas. White space is not one (` DOT `, ` . `, `:// ` and
//! ` at ` span it), nor are brackets, braces, `;`, `!`, `'` (URLs and defang markers use them).
//! `tests/extract_stream.rs` checks the equality on random texts cut at random places.

/// Hard separators (see the module documentation).
static HARD: [bool; 256] = {
    let mut t = [false; 256];
    let bytes = b"\n\r\t\",<>|^`";
    let mut i = 0;
    while i < bytes.len() {
        t[bytes[i] as usize] = true;
        i += 1;
    }
    t
};

/// Whether `b` is a hard separator: a text may be cut right after it.
pub fn is_hard_separator(b: u8) -> bool {
    HARD[b as usize]
}

/// The last position in `buf` (bytes of UTF-8 text, possibly cut anywhere at its end) where a streaming
/// extractor may end a piece: just after the last hard separator. `None` when `buf` has none (read more).
/// The position is always on a character boundary (separators are ASCII).
pub fn stream_cut(buf: &[u8]) -> Option<usize> {
    buf.iter().rposition(|&b| HARD[b as usize]).map(|i| i + 1)
}
