//! PDF: the text of each page (lopdf's content-stream reader, fonts' `ToUnicode` maps) and the targets of link
//! annotations (`/URI`), which phishing PDFs carry instead of visible text.
use crate::Out;
use ioclens_core::DiagnosticCode;
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
            out.diagnostic(DiagnosticCode::PdfEncrypted, prefix, &msg);
            return;
        }
        Err(e) => {
            let msg = format!("not a readable PDF ({e}): no text read");
            out.diagnostic(DiagnosticCode::PdfUnreadable, prefix, &msg);
            return;
        }
    };
    if doc.is_encrypted() {
        out.diagnostic(
            DiagnosticCode::PdfEncrypted,
            prefix,
            "the PDF is encrypted and does not open without a password: no text read",
        );
        return;
    }
    if doc.xref_recovery == Some(lopdf::xref::XrefRecovery::Reconstructed) {
        out.diagnostic(
            DiagnosticCode::PdfDamaged,
            prefix,
            "the PDF is damaged (its cross-reference table was rebuilt by scanning): text may be missing",
        );
    }
    let pages = doc.get_pages();
    let mut chars = 0usize;
    let mut failed = 0usize;
    for (&number, &page_id) in &pages {
        if !out.room_for_part(prefix) {
            break;
        }
        let text = page_text(&doc, page_id, out.limits.max_inflated, &mut failed);
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
        out.diagnostic(DiagnosticCode::PdfTextPartial, prefix, &msg);
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
        out.diagnostic(DiagnosticCode::PdfNoText, prefix, &msg);
    }
}

/// The text one page draws, in drawing order. lopdf's `extract_text` looks up the page tree again for every page
/// (quadratic in the page count: a 1,000-page report took seconds) and puts a space after every `TJ` array, which
/// splits indicators drawn in several `TJ`s; this walk reads the page tree once (the caller) and breaks lines
/// where the text moves to a new line (`Td`/`TD` with a vertical move, `Tm`, `T*`, `'`, `"`, `ET`), a word only at
/// a kerning gap wider than a fifth of an em.
fn page_text(doc: &Document, page_id: lopdf::ObjectId, limit: usize, failed: &mut usize) -> String {
    let mut text = String::new();
    let Ok(fonts) = doc.get_page_fonts(page_id) else {
        *failed += 1;
        return text;
    };
    let encodings: std::collections::BTreeMap<Vec<u8>, lopdf::Encoding<'_>> = fonts
        .into_iter()
        .filter_map(|(name, font)| {
            if let Ok(e) = font.get_font_encoding_with_limit(doc, limit) {
                Some((name, e))
            } else {
                *failed += 1;
                None
            }
        })
        .collect();
    let Ok(content) = doc.get_page_content_with_limit(page_id, limit) else {
        *failed += 1;
        return text;
    };
    let Ok(content) = lopdf::content::Content::decode(&content) else {
        *failed += 1;
        return text;
    };
    let newline = |text: &mut String| {
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
    };
    let mut encoding = None;
    for op in &content.operations {
        match op.operator.as_str() {
            "Tf" => {
                encoding = op
                    .operands
                    .first()
                    .and_then(|o| o.as_name().ok())
                    .and_then(|n| encodings.get(n));
            }
            "Tj" | "TJ" | "'" | "\"" => {
                if matches!(op.operator.as_str(), "'" | "\"") {
                    newline(&mut text);
                }
                let Some(enc) = encoding else {
                    *failed += 1;
                    continue;
                };
                let shown =
                    if op.operator == "\"" { op.operands.get(2..) } else { op.operands.get(..) };
                for operand in shown.unwrap_or_default() {
                    if show(&mut text, enc, operand).is_err() {
                        *failed += 1;
                    }
                }
            }
            "Td" | "TD" => {
                let dy = op.operands.get(1).and_then(|o| o.as_float().ok()).unwrap_or(0.0);
                if dy == 0.0 {
                    text.push(' ');
                } else {
                    newline(&mut text);
                }
            }
            "Tm" | "T*" | "ET" => newline(&mut text),
            _ => {}
        }
    }
    text
}

/// Appends what one `Tj` string or `TJ` array shows.
fn show(text: &mut String, encoding: &lopdf::Encoding<'_>, operand: &Object) -> lopdf::Result<()> {
    match operand {
        Object::String(bytes, _) => encoding.write_to_string(bytes, text),
        Object::Array(items) => {
            for item in items {
                match item {
                    Object::String(bytes, _) => encoding.write_to_string(bytes, text)?,
                    // A kerning adjustment in thousandths of an em: a wide one is a word gap.
                    Object::Integer(i) if *i < -200 => text.push(' '),
                    Object::Real(r) if *r < -200.0 => text.push(' '),
                    _ => {}
                }
            }
            Ok(())
        }
        _ => Ok(()),
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
