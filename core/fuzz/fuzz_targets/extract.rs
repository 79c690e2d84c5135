//! Fuzz `extract`: never panics on any bytes (lossy UTF-8), and every span slices the text on char boundaries.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let ex = ioclens_core::extract(&text);
    for i in &ex.iocs {
        assert!(i.span.start < i.span.end && i.span.end <= text.len());
        assert!(text.get(i.span.start..i.span.end).is_some());
    }
    let total: usize = ex.unique.iter().map(|u| u.count).sum();
    assert_eq!(total, ex.iocs.len());
});
