//! # Overview
//!
//! `ioclens-documents` reads the documents threat reports and phishing arrive in — PDF text, DOCX, HTML and
//! RFC 5322 e-mail (MIME multipart, quoted-printable and base64 parts) — and runs every piece of text through the
//! core's extractor ([`ioclens_core::extract()`]). Each mention says which *part* it came from (`page 2`,
//! `header:From`, `part 3 text/html`, `attachment invoice.pdf`), and every e-mail attachment is hashed (SHA-256,
//! SHA-1, MD5) so its digests are indicators too.
//!
//! ```
//! let mail = b"From: Billing <billing@kalo.top>\r\nSubject: invoice\r\n\r\nPay at hxxps://kalo[.]top/pay\r\n";
//! let doc = ioclens_documents::extract(mail);
//! assert_eq!(doc.format, ioclens_documents::Format::Email);
//! let url = doc.iocs.iter().find(|m| m.ioc.canonical == "https://kalo.top/pay").unwrap();
//! assert_eq!(url.part, "part 1 text/plain");
//! ```
//!
//! # Formats come from content
//!
//! [`sniff`] looks at the bytes, never at a file name: `%PDF-` in the first KiB is a PDF, a ZIP with
//! `word/document.xml` a DOCX, a header block of known RFC 5322 fields an e-mail, `<html`/`<!doctype html` HTML,
//! and NUL or control bytes make input binary, which is refused with a diagnostic instead of being scanned.
//!
//! # Purity and hostile input
//!
//! Like the core, this crate does no I/O, reads no clock and no environment (`clippy.toml`, denied below): bytes
//! in, [`DocumentExtraction`] out, so the WASM hosts can read a dropped file. Broken, encrypted or oversized input
//! becomes a diagnostic, never a panic; decompression is bounded ([`Limits`]) against PDF and ZIP bombs, and
//! attachments that are documents are read recursively only [`Limits::max_depth`] deep.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(clippy::disallowed_methods)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod docx;
mod email;
mod pdf;
mod sniff;
#[cfg(test)]
mod tests;

use ioclens_core::extract::Extracted;
use ioclens_core::{Diagnostic, DiagnosticCode, IocKind, Span};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

pub use sniff::{Format, SNIFF_LEN, sniff};

/// Bounds on the work one document may cause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// How deep attachments that are documents are read (an e-mail in an e-mail in an e-mail …).
    pub max_depth: u8,
    /// Most bytes one compressed stream (PDF stream, ZIP entry) may inflate to.
    pub max_inflated: usize,
    /// Most bytes all inflated streams of one document may add up to.
    pub max_total: usize,
    /// Most parts (pages, MIME parts, ZIP entries) read from one document.
    pub max_parts: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_depth: 3, max_inflated: 64 << 20, max_total: 256 << 20, max_parts: 10_000 }
    }
}

/// One indicator found in a document: the core's [`Extracted`] and the part it came from. Its span is a byte
/// span into the part's text (the decoded header value, page text, MIME part body); an attachment's digests are
/// computed, not written, so theirs is empty and not serialized.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mention {
    /// The indicator, exactly as `ioclens_core::extract` reports it (its fields are flattened on the wire).
    #[serde(flatten)]
    pub ioc: Extracted,
    /// The part it came from: `page 2`, `body`, `header:From`, `header:Received[1]`, `part 3 text/html`,
    /// `attachment invoice.pdf` (hashes of that attachment), `attachment invoice.pdf > page 1` (inside it).
    pub part: String,
}

/// One distinct indicator with the number of its mentions and the parts that mention it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UniqueMention {
    /// Type.
    #[serde(rename = "type")]
    pub kind: IocKind,
    /// Canonical value.
    pub canonical: String,
    /// How many mentions.
    pub count: usize,
    /// The parts it was found in, in order of first mention.
    pub parts: Vec<String>,
    /// Every mention is implied.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub implied: bool,
}

/// A part of the document whose text was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Part {
    /// Its name, as [`Mention::part`] gives it.
    pub id: String,
    /// What it is: `text/plain`, `text/html`, `pdf-page`, `pdf-links`, `docx-xml`, `header` …
    pub kind: String,
    /// Bytes of text read from it.
    pub bytes: usize,
}

/// An e-mail attachment (or inline binary part) with its digests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// The part name its mentions carry (`attachment invoice.pdf`, `part 4 image/png`).
    pub part: String,
    /// File name from `Content-Disposition`/`Content-Type`, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// MIME type as declared.
    pub content_type: String,
    /// Decoded size in bytes.
    pub size: usize,
    /// What its content is (sniffed, never from the name).
    pub format: Format,
    /// SHA-256, lower-case hex.
    pub sha256: String,
    /// SHA-1, lower-case hex.
    pub sha1: String,
    /// MD5, lower-case hex.
    pub md5: String,
}

/// Everything found in one document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentExtraction {
    /// The format the content was read as.
    pub format: Format,
    /// The parts read, in document order.
    pub parts: Vec<Part>,
    /// Every mention, part by part in document order, in text order within a part.
    pub iocs: Vec<Mention>,
    /// De-duplicated view, in order of first mention.
    pub unique: Vec<UniqueMention>,
    /// E-mail attachments with their digests.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
    /// Why something was not read (`pdf-encrypted`, `pdf-unreadable`, `not-a-document`, `limit` …) and the
    /// extractor's own notes, each message naming its part.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads `bytes` as whatever [`sniff`] says they are and extracts every indicator, with [`Limits::default`].
/// Never fails, never panics: what cannot be read is a diagnostic.
pub fn extract(bytes: &[u8]) -> DocumentExtraction {
    extract_with(bytes, &Limits::default())
}

/// [`extract`] with explicit limits.
pub fn extract_with(bytes: &[u8], limits: &Limits) -> DocumentExtraction {
    let format = sniff(bytes);
    let mut out = Out::new(*limits);
    out.document(format, "", bytes, 0);
    out.finish(format)
}

/// Collects parts, mentions and diagnostics while the readers walk a document.
pub(crate) struct Out {
    pub(crate) limits: Limits,
    parts: Vec<Part>,
    iocs: Vec<Mention>,
    attachments: Vec<Attachment>,
    diagnostics: Vec<Diagnostic>,
    /// Bytes inflated so far (PDF streams, ZIP entries), against [`Limits::max_total`].
    pub(crate) inflated: usize,
}

impl Out {
    fn new(limits: Limits) -> Out {
        Out {
            limits,
            parts: Vec::new(),
            iocs: Vec::new(),
            attachments: Vec::new(),
            diagnostics: Vec::new(),
            inflated: 0,
        }
    }

    /// Reads one document (the input, or an attachment `depth` levels down) whose parts are named `prefix…`.
    pub(crate) fn document(&mut self, format: Format, prefix: &str, bytes: &[u8], depth: u8) {
        match format {
            Format::Pdf => pdf::read(self, prefix, bytes),
            Format::Docx => docx::read(self, prefix, bytes),
            Format::Email => email::read(self, prefix, bytes, depth),
            Format::Html => self.text(&format!("{prefix}html"), "text/html", &lossy(bytes)),
            Format::Text => self.text(&format!("{prefix}text"), "text/plain", &lossy(bytes)),
            Format::Zip | Format::Binary => self.diagnostic(
                DiagnosticCode::NotADocument,
                prefix,
                if format == Format::Zip {
                    "a ZIP archive that is not a DOCX: not read (its entries are not extracted)"
                } else {
                    "binary content that is not a PDF, DOCX, HTML or e-mail: not read"
                },
            ),
        }
    }

    /// Whether another part may be read; notes the limit once when it is reached.
    pub(crate) fn room_for_part(&mut self, prefix: &str) -> bool {
        if self.parts.len() < self.limits.max_parts {
            return true;
        }
        if !self.diagnostics.iter().any(|d| d.code == DiagnosticCode::LimitParts) {
            let msg = format!("more than {} parts: the rest is not read", self.limits.max_parts);
            self.diagnostic(DiagnosticCode::LimitParts, prefix, &msg);
        }
        false
    }

    /// Runs the core extractor over one part's text.
    pub(crate) fn text(&mut self, part: &str, kind: &str, text: &str) {
        if !self.room_for_part(part) {
            return;
        }
        self.parts.push(Part { id: part.to_owned(), kind: kind.to_owned(), bytes: text.len() });
        let ex = ioclens_core::extract(text);
        self.iocs.extend(ex.iocs.into_iter().map(|ioc| Mention { ioc, part: part.to_owned() }));
        for d in ex.diagnostics {
            self.diagnostics.push(Diagnostic {
                code: d.code,
                message: format!("{part}: {}", d.message),
                span: d.span,
            });
        }
    }

    /// Hashes an attachment and records its digests as mentions of `part`.
    pub(crate) fn attachment(
        &mut self,
        part: &str,
        name: Option<&str>,
        content_type: &str,
        bytes: &[u8],
    ) -> Format {
        use md5::Md5;
        use sha1::Sha1;
        use sha2::Digest as _;
        let sha256 = hex(&sha2::Sha256::digest(bytes));
        let sha1 = hex(&<Sha1 as sha1::Digest>::digest(bytes));
        let md5 = hex(&<Md5 as md5::Digest>::digest(bytes));
        let format = sniff(bytes);
        for (kind, value) in
            [(IocKind::Sha256, &sha256), (IocKind::Sha1, &sha1), (IocKind::Md5, &md5)]
        {
            self.iocs.push(Mention {
                ioc: Extracted {
                    kind,
                    canonical: value.clone(),
                    span: Span::default(),
                    defanged: false,
                    implied: false,
                    scope: None,
                    port: None,
                },
                part: part.to_owned(),
            });
        }
        self.attachments.push(Attachment {
            part: part.to_owned(),
            name: name.map(str::to_owned),
            content_type: content_type.to_owned(),
            size: bytes.len(),
            format,
            sha256,
            sha1,
            md5,
        });
        format
    }

    /// Notes something about `part` (empty: the whole input).
    pub(crate) fn diagnostic(&mut self, code: DiagnosticCode, part: &str, message: &str) {
        let part = part.trim_end_matches(" > ");
        let message =
            if part.is_empty() { message.to_owned() } else { format!("{part}: {message}") };
        self.diagnostics.push(Diagnostic { code, message, span: None });
    }

    /// Counts `n` inflated bytes against the document's budget; false (and a diagnostic) once it is spent.
    pub(crate) fn inflate(&mut self, part: &str, n: usize) -> bool {
        self.inflated = self.inflated.saturating_add(n);
        if self.inflated <= self.limits.max_total {
            return true;
        }
        if !self.diagnostics.iter().any(|d| d.code == DiagnosticCode::LimitInflated) {
            let msg = format!(
                "the document inflates to more than {} MiB: the rest is not read",
                self.limits.max_total >> 20
            );
            self.diagnostic(DiagnosticCode::LimitInflated, part, &msg);
        }
        false
    }

    fn finish(self, format: Format) -> DocumentExtraction {
        let unique = unique(&self.iocs);
        DocumentExtraction {
            format,
            parts: self.parts,
            iocs: self.iocs,
            unique,
            attachments: self.attachments,
            diagnostics: self.diagnostics,
        }
    }
}

/// The de-duplicated view of `iocs`, in order of first mention.
pub fn unique(iocs: &[Mention]) -> Vec<UniqueMention> {
    let mut index: HashMap<(IocKind, &str), usize> = HashMap::new();
    let mut out: Vec<UniqueMention> = Vec::new();
    for Mention { ioc: m, part } in iocs {
        let k = *index.entry((m.kind, m.canonical.as_str())).or_insert_with(|| {
            out.push(UniqueMention {
                kind: m.kind,
                canonical: m.canonical.clone(),
                count: 0,
                parts: Vec::new(),
                implied: true,
            });
            out.len() - 1
        });
        let u = &mut out[k];
        u.count += 1;
        u.implied &= m.implied;
        if !u.parts.contains(part) {
            u.parts.push(part.clone());
        }
    }
    out
}

fn lossy(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    s
}
