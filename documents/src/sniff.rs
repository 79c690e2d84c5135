//! Format detection from content (never from a file name).
use serde::{Deserialize, Serialize};

/// What a byte string is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Plain text (any text that is none of the below).
    Text,
    /// An HTML page or fragment that declares itself (`<!doctype html`, `<html`, `<head`, `<body`).
    Html,
    /// A PDF (`%PDF-` within the first KiB, as readers accept it).
    Pdf,
    /// An Office Open XML word-processing document (a ZIP with `word/document.xml`).
    Docx,
    /// An RFC 5322 message (optionally after an mbox `From ` line).
    Email,
    /// A ZIP archive that is not a DOCX.
    Zip,
    /// Anything else that is not text (NUL or control bytes).
    Binary,
}

impl Format {
    /// The name used on the wire (`pdf`, `docx` …).
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Html => "html",
            Format::Pdf => "pdf",
            Format::Docx => "docx",
            Format::Email => "email",
            Format::Zip => "zip",
            Format::Binary => "binary",
        }
    }

    /// A document the text extractor alone cannot read (PDF, DOCX, e-mail), as opposed to text and HTML.
    pub fn is_document(self) -> bool {
        matches!(self, Format::Pdf | Format::Docx | Format::Email)
    }
}

/// How many leading bytes the sniffer looks at (except the ZIP entry-name search).
pub const SNIFF_LEN: usize = 8192;

/// Says what `bytes` are from their content. Looks at the first [`SNIFF_LEN`] bytes (and, for a ZIP, at its
/// entry names).
pub fn sniff(bytes: &[u8]) -> Format {
    let b = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let head = &b[..b.len().min(SNIFF_LEN)];
    if find(&head[..head.len().min(1024)], b"%PDF-").is_some() {
        return Format::Pdf;
    }
    if b.starts_with(b"PK\x03\x04") {
        return if find(b, b"word/document.xml").is_some() { Format::Docx } else { Format::Zip };
    }
    if looks_binary(head) {
        return Format::Binary;
    }
    if looks_like_email(head) {
        return Format::Email;
    }
    if looks_like_html(head) {
        return Format::Html;
    }
    Format::Text
}

pub(crate) fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// NUL anywhere, or more than 1 % C0 control bytes other than tab, line breaks, form feed and escape: not text.
/// (UTF-16 text has NULs and is refused too; see docs/INTENTIONAL.md.)
fn looks_binary(head: &[u8]) -> bool {
    let mut controls = 0usize;
    for &c in head {
        match c {
            0 => return true,
            b'\t' | b'\n' | b'\r' | 0x0C | 0x1B => {}
            1..=0x1F | 0x7F => controls += 1,
            _ => {}
        }
    }
    controls * 100 > head.len()
}

/// Header fields that say "this is a message" (lower case).
const MAIL_FIELDS: &[&str] = &[
    "from",
    "to",
    "cc",
    "subject",
    "date",
    "received",
    "return-path",
    "message-id",
    "mime-version",
    "reply-to",
    "delivered-to",
    "sender",
    "content-type",
    "x-mailer",
    "dkim-signature",
    "authentication-results",
    "arc-seal",
    "x-originating-ip",
    "thread-topic",
];

/// The input opens with a header block: every line up to the blank line (or the end of `head`) is a field or a
/// continuation, and at least two fields are ones messages carry (`From`, `Subject`, `Received` …).
fn looks_like_email(head: &[u8]) -> bool {
    let truncated = head.len() == SNIFF_LEN;
    let mut lines: Vec<&[u8]> =
        head.split(|&c| c == b'\n').map(|l| l.strip_suffix(b"\r").unwrap_or(l)).collect();
    if lines.first().is_some_and(|l| l.starts_with(b"From ")) {
        lines.remove(0);
    }
    let last = lines.len().saturating_sub(1);
    let mut known = 0;
    for (n, line) in lines.iter().enumerate() {
        if line.is_empty() {
            return n > 0 && known >= 2;
        }
        if n == last && truncated {
            break; // cut by the sniff window
        }
        if line[0] == b' ' || line[0] == b'\t' {
            if n == 0 {
                return false;
            }
            continue;
        }
        let Some(colon) = line.iter().position(|&c| c == b':') else { return false };
        let name = &line[..colon];
        if name.is_empty() || name.len() > 76 || !name.iter().all(u8::is_ascii_graphic) {
            return false;
        }
        let lower = name.to_ascii_lowercase();
        if MAIL_FIELDS.iter().any(|f| f.as_bytes() == lower.as_slice()) {
            known += 1;
        }
    }
    // Headers only (no body), or a header block longer than the window.
    known >= 2
}

/// `<!doctype html`, `<html`, `<head` or `<body` opens the input (after white space and comments), or `<html`
/// appears in its first KiB.
fn looks_like_html(head: &[u8]) -> bool {
    let start = head.iter().position(|c| !c.is_ascii_whitespace()).unwrap_or(head.len());
    let lower = head[start..head.len().min(start + 1024)].to_ascii_lowercase();
    ["<!doctype html", "<html", "<head", "<body", "<!--"]
        .iter()
        .any(|p| lower.starts_with(p.as_bytes()))
        && (find(&lower, b"<html").is_some()
            || find(&lower, b"<body").is_some()
            || find(&lower, b"<!doctype html").is_some()
            || find(&lower, b"<head").is_some())
}

#[cfg(test)]
mod tests {
    use super::{Format, sniff};

    #[test]
    fn formats_come_from_content() {
        assert_eq!(sniff(b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj"), Format::Pdf);
        assert_eq!(sniff(b"junk before\n%PDF-1.4\n"), Format::Pdf);
        assert_eq!(sniff(b"PK\x03\x04....word/document.xml...."), Format::Docx);
        assert_eq!(sniff(b"PK\x03\x04....xl/workbook.xml...."), Format::Zip);
        assert_eq!(sniff(b"From: a@b.example\r\nSubject: hi\r\n\r\nbody"), Format::Email);
        assert_eq!(
            sniff(b"From MAILER-DAEMON Mon Dec  7 10:00:00 2026\nReceived: from x\n\tby y\nFrom: a\n\nb"),
            Format::Email
        );
        assert_eq!(sniff(b"\xEF\xBB\xBF<!DOCTYPE html><html><body>x</body></html>"), Format::Html);
        assert_eq!(sniff(b"<!-- saved --><html><a href=x>y</a>"), Format::Html);
        assert_eq!(sniff(b"C2 at evil[.]com, see <b>bold</b>"), Format::Text);
        // A report with a "Title:" line is not a message: no field messages carry.
        assert_eq!(sniff(b"Title: APT report\nAuthor: me\n\nC2 evil.com"), Format::Text);
        // One known field is not enough.
        assert_eq!(sniff(b"From: the SOC\n\nC2 evil.com"), Format::Text);
        assert_eq!(sniff(b"\x7FELF\x02\x01\x01\0\0\0"), Format::Binary);
        assert_eq!(sniff(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0]), Format::Binary);
        assert_eq!(sniff(b""), Format::Text);
        assert_eq!(sniff("Ünïcode text, 1.2.3.4".as_bytes()), Format::Text);
    }
}
