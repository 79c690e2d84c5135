//! Robustness properties of `extract` (issue 2 item 8): never panics on any string or byte soup, and every
//! span is on char boundaries, non-empty and inside the text; mentions are in text order and the unique view
//! accounts for every mention.
use ioclens_core::extract;
use proptest::prelude::*;

fn check(text: &str) -> Result<(), TestCaseError> {
    let ex = extract(text);
    let mut last = 0;
    for i in &ex.iocs {
        prop_assert!(
            i.span.start < i.span.end && i.span.end <= text.len(),
            "span {:?} out of range",
            i.span
        );
        prop_assert!(text.is_char_boundary(i.span.start) && text.is_char_boundary(i.span.end));
        prop_assert!(text.get(i.span.start..i.span.end).is_some());
        prop_assert!(!i.canonical.is_empty());
        prop_assert!(i.span.start >= last, "mentions out of order");
        last = i.span.start;
    }
    let total: usize = ex.unique.iter().map(|u| u.count).sum();
    prop_assert_eq!(total, ex.iocs.len());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn any_string(text in any::<String>()) {
        check(&text)?;
    }

    #[test]
    fn any_bytes_lossy(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        check(&String::from_utf8_lossy(&bytes))?;
    }

    /// Dense in the characters the view and scanner react to, so defang markers, brackets and anchors collide.
    #[test]
    fn defang_soup(text in "([\\[\\](){}<>.:@/\\\\ ,;|!*'\"&#=?%_-]|[a-fA-F0-9]{1,40}|[a-zA-Z]{1,8}|hxxps?|DOT| at |\u{3002}|\u{ff0e}|\u{200b}|\u{00ad}|\u{2011}|&amp;|&#46;|\\[\\.\\]|\\(dot\\)|CVE-|T1|::|[0-9]{1,3}){0,80}") {
        check(&text)?;
    }
}

#[test]
fn adversarial_shapes_do_not_panic() {
    let shapes = [
        "[".repeat(30_000),
        ".".repeat(30_000),
        " . ".repeat(30_000),
        "a.".repeat(15_000),
        "a[.]".repeat(25_000),
        "f".repeat(30_000),
        ":".repeat(30_000),
        "1:".repeat(15_000),
        "@a.com".repeat(15_000),
        "x@".repeat(15_000),
        "http://".repeat(10_000),
        format!("http://a.com/{}", "(".repeat(15_000)),
        format!("http://a.com/{}", ")".repeat(15_000)),
        "\u{200b}".repeat(30_000),
        "a\u{3002}".repeat(30_000),
        "a DOT ".repeat(20_000),
    ];
    for s in &shapes {
        let ex = extract(s);
        for i in &ex.iocs {
            assert!(s.is_char_boundary(i.span.start) && s.is_char_boundary(i.span.end));
        }
    }
}
