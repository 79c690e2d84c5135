//! Readers of the generated row tables: one `&'static str` holding every row and `u32` offsets, row `i` being
//! `text[starts[i]..starts[i + 1]]`. The generator (`xtask/src/codegen`) writes the large string tables so
//! instead of a `&str` per row, which would cost a pointer and a length each in the WebAssembly data section
//! (docs/wasm.md, "Sizes").

/// Row `i`, or `None` past the end or on an offset that does not slice `text`.
pub(crate) fn row(text: &'static str, starts: &[u32], i: usize) -> Option<&'static str> {
    let start = usize::try_from(*starts.get(i)?).ok()?;
    let end = usize::try_from(*starts.get(i + 1)?).ok()?;
    text.get(start..end)
}

/// Number of rows.
pub(crate) fn count(starts: &[u32]) -> usize {
    starts.len().saturating_sub(1)
}

/// Index of the row whose `key_of(row)` equals `key`, by binary search over rows sorted by that key.
pub(crate) fn find(
    text: &'static str,
    starts: &[u32],
    key: &str,
    key_of: impl Fn(&'static str) -> &'static str,
) -> Option<usize> {
    let (mut lo, mut hi) = (0, count(starts));
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        match key_of(row(text, starts, mid)?).cmp(key) {
            std::cmp::Ordering::Less => lo = mid + 1,
            std::cmp::Ordering::Greater => hi = mid,
            std::cmp::Ordering::Equal => return Some(mid),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{count, find, row};

    #[test]
    fn rows_and_search() {
        let text = "a\t1bb\t2ccc\t3";
        let starts = [0, 3, 7, 12];
        assert_eq!(count(&starts), 3);
        assert_eq!(row(text, &starts, 1), Some("bb\t2"));
        assert_eq!(row(text, &starts, 3), None);
        let first = |r: &'static str| r.split('\t').next().unwrap_or("");
        assert_eq!(find(text, &starts, "ccc", first), Some(2));
        assert_eq!(find(text, &starts, "a", first), Some(0));
        assert_eq!(find(text, &starts, "b", first), None);
        assert_eq!(find(text, &[], "a", first), None);
        // An offset past the text is a missing row, not a panic.
        assert_eq!(row(text, &[0, 99], 0), None);
    }
}
