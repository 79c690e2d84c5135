//! Streaming extraction never cuts a token: extracting a text in pieces cut at `stream_cut` positions gives
//! exactly the extraction of the whole (same mentions, same spans once offset, same order), for texts with no
//! line breaks at all (minified STIX/MISP JSON) and random piece sizes.
use ioclens_core::extract;
use ioclens_core::extract::{Extracted, stream_cut};
use proptest::prelude::*;
use std::fmt::Write as _;

/// Pieces of at least `size` bytes each, each cut at the last hard separator at or after `size` bytes (a
/// piece grows until it has one, as `ioclens extract` reads more); the rest is the last piece.
fn pieces(text: &str, size: usize) -> Vec<(usize, &str)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    while start < b.len() {
        let mut want = size.max(1);
        let end = loop {
            let hi = (start + want).min(b.len());
            if hi == b.len() {
                break hi;
            }
            match stream_cut(&b[start..hi]) {
                Some(c) => break start + c,
                None => want += size.max(1),
            }
        };
        out.push((start, &text[start..end]));
        start = end;
    }
    out
}

fn chunked(text: &str, size: usize) -> Vec<Extracted> {
    let mut all = Vec::new();
    for (base, piece) in pieces(text, size) {
        for mut i in extract(piece).iocs {
            i.span.start += base;
            i.span.end += base;
            all.push(i);
        }
    }
    all
}

/// Indicators, defanged forms, entities and the punctuation of JSON, CSV and prose, so cuts land inside and
/// next to every kind of token.
const VOCAB: &[&str] = &[
    "67.38.21.253",
    "8.8.8[.]8",
    "10.0.0.1:8080",
    "host094053.badsite823.com",
    "evil[.]com",
    "evil(dot)co(DOT)uk",
    "hxxps://evil[.]com/gate.php?a=1&b=2",
    "https://a.example/p(1);x!y",
    "hxxps[:]//f{.}g",
    "http://[2001:db8::1]/x",
    "admin[at]kalo[.]top",
    "a.b@mail.example",
    "2001:db8::1",
    "fe80::1%eth0",
    "::ffff:1.2.3.4",
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "d41d8cd98f00b204e9800998ecf8427e",
    "da39a3ee5e6b4b0d3255bfef95601890afd80709",
    "CVE-2021-44228",
    "T1059.001",
    "AS13335",
    "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
    "C:\\Windows\\evil.exe",
    "HKLM\\Software\\Run",
    "evil DOT com",
    "netsoft-net . tk",
    "hxxps:// evil.com",
    "&quot;",
    "&#46;",
    "&amp;",
    "&nbsp;",
    "[.]",
    "(dot)",
    "{.}",
    "\\.",
    "\u{3002}",
    "\u{200b}",
    "\u{ad}",
    "\u{e9}",
    "\u{2011}",
    " at ",
    "x",
    "abc",
    "0",
    "99",
    "\"",
    ",",
    ":",
    "{",
    "}",
    "[",
    "]",
    " ",
    "\t",
    "|",
    "<",
    ">",
    "^",
    "`",
    ";",
    "!",
    "(",
    ")",
    "/",
    ".",
    "-",
    "_",
    "@",
    "=",
    "&",
    "#",
    "%",
    "?",
    "+",
    "'",
    "\\",
    "\":\"",
    "\",\"",
    "\"value\":\"",
    "\"pattern\":\"[ipv4-addr:value = '",
];

fn texts() -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(VOCAB), 0..160).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// No line breaks at all, random piece sizes.
    #[test]
    fn pieces_equal_the_whole(text in texts(), size in 1usize..120) {
        let whole = extract(&text).iocs;
        prop_assert_eq!(chunked(&text, size), whole);
    }

    /// Line breaks and carriage returns mixed in.
    #[test]
    fn pieces_equal_the_whole_with_lines(
        parts in proptest::collection::vec(texts(), 1..4),
        size in 1usize..200,
    ) {
        let text = parts.join("\r\n");
        prop_assert_eq!(chunked(&text, size), extract(&text).iocs);
    }

    /// Any string at all (hard separators wherever they fall).
    #[test]
    fn any_string(text in any::<String>(), size in 1usize..64) {
        prop_assert_eq!(chunked(&text, size), extract(&text).iocs);
    }
}

/// The probe's case: a minified bundle whose pieces the old chunker cut inside `67.38.21.253` and
/// `host094053.badsite823.com`.
#[test]
fn minified_bundle() {
    let mut text = String::from("{\"type\":\"bundle\",\"objects\":[");
    for i in 0..400 {
        let _ = write!(
            text,
            "{{\"type\":\"indicator\",\"pattern\":\"[ipv4-addr:value = '67.38.{}.253'] OR [domain-name:value = 'host{i:06}.badsite823.com']\"}},",
            i % 256
        );
    }
    text.push_str("]}");
    let whole = extract(&text).iocs;
    assert_eq!(whole.iter().filter(|i| !i.implied).count(), 800);
    for size in [7, 64, 100, 1000, 4096] {
        assert_eq!(chunked(&text, size), whole, "size {size}");
    }
}
