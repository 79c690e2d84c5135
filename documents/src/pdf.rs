//! PDF: the text of each page (lopdf's content-stream reader, fonts' `ToUnicode` maps) and the targets of link
//! annotations (`/URI`), which phishing PDFs carry instead of visible text.
use crate::Out;
use lopdf::{Document, LoadOptions, Object};

pub(crate) fn read(out: &mut Out, prefix: &str, bytes: &[u8]) {
    let options = LoadOptions {
        max_decompressed_size: Some(out.limits.max_inflated),
        ..LoadOptions::default()
    };
    let doc = match Document::load_from_with_options(bytes, options) {
        Ok(doc) => doc,
        Err(e @ (lopdf::Error::Decryption(_) | lopdf::Error::InvalidPassword)) => {
            let msg = format!(
                "the PDF is encrypted and does not open without a password ({e}): no text read"
            );
            out.diagnostic("pdf-encrypted", prefix, &msg);
            return;
        }
        Err(e) => {
            let msg = format!("not a readable PDF ({e}): no text read");
            out.diagnostic("pdf-unreadable", prefix, &msg);
            return;
        }
    };
    if doc.is_encrypted() {
        out.diagnostic(
            "pdf-encrypted",
            prefix,
            "the PDF is encrypted and does not open without a password: no text read",
        );
        return;
    }
    if doc.xref_recovery == Some(lopdf::xref::XrefRecovery::Reconstructed) {
        out.diagnostic(
            "pdf-damaged",
            prefix,
            "the PDF is damaged (its cross-reference table was rebuilt by scanning): text may be missing",
        );
    }
    let pages = doc.get_pages();
    let mut chars = 0usize;
    let mut failed = 0usize;
    for &number in pages.keys() {
        if !out.room_for_part(prefix) {
            break;
        }
        let mut text = String::new();
        for chunk in doc.extract_text_chunks_with_limit(&[number], out.limits.max_inflated) {
            match chunk {
                Ok(t) => text.push_str(&t),
                Err(_) => failed += 1,
            }
        }
        if !out.inflate(prefix, text.len()) {
            break;
        }
        chars += text.trim().len();
        out.text(&format!("{prefix}page {number}"), "pdf-page", &text);
    }
    if failed > 0 {
        let msg = format!(
            "{failed} text pieces could not be decoded (unknown font encoding or broken stream)"
        );
        out.diagnostic("pdf-text-partial", prefix, &msg);
    }
    let links = link_targets(&doc);
    if !links.is_empty() {
        out.text(&format!("{prefix}links"), "pdf-links", &links);
    }
    if chars == 0 && links.is_empty() {
        let msg = if pages.is_empty() {
            "the PDF has no pages".to_owned()
        } else {
            format!(
                "{} pages without extractable text (scanned images need OCR, or the file is damaged)",
                pages.len()
            )
        };
        out.diagnostic("pdf-no-text", prefix, &msg);
    }
}

/// `/URI (…)` of every link action, one per line, in object order (actions are often direct dictionaries inside
/// an annotation, so dictionaries and arrays are walked a few levels deep).
fn link_targets(doc: &Document) -> String {
    fn walk(object: &Object, depth: u8, links: &mut String) {
        match object {
            Object::Dictionary(dict) => {
                for (key, value) in dict {
                    match value {
                        Object::String(uri, _) if key.as_slice() == b"URI" => {
                            links.push_str(&String::from_utf8_lossy(uri));
                            links.push('\n');
                        }
                        Object::Dictionary(_) | Object::Array(_) if depth < 4 => {
                            walk(value, depth + 1, links);
                        }
                        _ => {}
                    }
                }
            }
            Object::Array(items) if depth < 4 => {
                for item in items {
                    walk(item, depth + 1, links);
                }
            }
            _ => {}
        }
    }
    let mut links = String::new();
    for object in doc.objects.values() {
        walk(object, 0, &mut links);
    }
    links
}
