//! CSV cells (RFC 4180), the one writer every host uses: the core's Splunk lookup table (`hunt`'s
//! `lookup_csv`), the CLI's `--format csv` (and, through [`tsv_record`], `--format tsv`) and the server's feed
//! export.
//!
//! [`cell`] is for files a person may open in a spreadsheet: a cell that starts with `=`, `+`, `-`, `@`, a tab or
//! a carriage return is a formula there (OWASP "CSV injection"), so it gets a leading `'`. [`field`] quotes only:
//! the lookup table is matched value for value by Splunk, and a changed first character would stop the match.

use std::borrow::Cow;

/// Leading characters a spreadsheet reads as the start of a formula (OWASP).
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// One field, quoted when it holds `,`, `"`, a line break, or a leading or trailing space; `"` doubled.
pub fn field(v: &str) -> Cow<'_, str> {
    if v.contains([',', '"', '\n', '\r']) || v.starts_with(' ') || v.ends_with(' ') {
        Cow::Owned(format!("\"{}\"", v.replace('"', "\"\"")))
    } else {
        Cow::Borrowed(v)
    }
}

/// One field made inert for spreadsheets (a leading `'` before a formula start), then quoted as [`field`].
pub fn cell(v: &str) -> Cow<'_, str> {
    if v.starts_with(FORMULA_START) {
        Cow::Owned(field(&format!("'{v}")).into_owned())
    } else {
        field(v)
    }
}

/// A whole record: the cells joined by `,` (without the line end).
pub fn record<'a>(cells: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for (i, v) in cells.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&cell(v));
    }
    out
}

/// A whole tab-separated record for scripts (`cut -f`, `awk -F'\t'`): tabs and line breaks inside a cell become
/// spaces, nothing else changes (no quoting, no formula defusing: a script reads the value as it is).
pub fn tsv_record<'a>(cells: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for (i, v) in cells.into_iter().enumerate() {
        if i > 0 {
            out.push('\t');
        }
        out.extend(v.chars().map(|c| if matches!(c, '\t' | '\n' | '\r') { ' ' } else { c }));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{cell, field, record, tsv_record};

    #[test]
    fn fields_are_quoted_when_needed() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b\"c"), "\"a,b\"\"c\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
        assert_eq!(field(" padded"), "\" padded\"");
        assert_eq!(field("-x"), "-x");
    }

    #[test]
    fn cells_defuse_formulas() {
        for v in ["=cmd()", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            let got = cell(v);
            assert!(got.starts_with('\'') || got.starts_with("\"'"), "{v:?} -> {got:?}");
        }
        assert_eq!(cell("=HYPERLINK(\"x\",\"y\")"), "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\"");
        assert_eq!(cell("8.8.8.8"), "8.8.8.8");
        assert_eq!(record(["a", "=1", "b,c"]), "a,'=1,\"b,c\"");
    }

    #[test]
    fn tsv_records_keep_one_line_and_the_values() {
        assert_eq!(tsv_record(["a\tb", "two\nlines", "=1", "-x"]), "a b\ttwo lines\t=1\t-x");
    }
}
