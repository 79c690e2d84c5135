//! The committed sample documents (`tests/fixtures/documents/`, written by its `make.py`) and what they must
//! yield; hostile and broken input.
use crate::{DocumentExtraction, Format, Limits, extract, extract_with};
use ioclens_core::{DiagnosticCode, IocKind};

const REPORT_PDF: &[u8] = include_bytes!("../../tests/fixtures/documents/report.pdf");
const REPORT_DOCX: &[u8] = include_bytes!("../../tests/fixtures/documents/report.docx");
const PHISH_EML: &[u8] = include_bytes!("../../tests/fixtures/documents/phish.eml");
const ENCRYPTED_PDF: &[u8] = include_bytes!("../../tests/fixtures/documents/encrypted.pdf");
const BROKEN_PDF: &[u8] = include_bytes!("../../tests/fixtures/documents/broken.pdf");

/// `(type, canonical, part)` of every mention that is not implied, in order.
fn written(doc: &DocumentExtraction) -> Vec<(IocKind, &str, &str)> {
    doc.iocs
        .iter()
        .filter(|m| !m.ioc.implied)
        .map(|m| (m.ioc.kind, m.ioc.canonical.as_str(), m.part.as_str()))
        .collect()
}

fn dump(doc: &DocumentExtraction) -> String {
    serde_json::to_string_pretty(doc).unwrap_or_default()
}

#[test]
fn pdf_report_pages_and_links() {
    use IocKind::*;
    let doc = extract(REPORT_PDF);
    assert_eq!(doc.format, Format::Pdf);
    assert_eq!(
        written(&doc),
        [
            (Url, "https://update-check.kalo.top/gate.php", "page 1"),
            (Ipv4, "185.220.101.47", "page 1"),
            (Ipv4, "45.77.12.9", "page 1"),
            (Sha256, "eff9b6c2d0028b340193d90e401fa100a44dfe57b25ffb16ebfa20bd5834add4", "page 1"),
            (Cve, "CVE-2023-4966", "page 1"),
            (Attack, "T1190", "page 1"),
            (Domain, "cdn.lantern-files.com", "page 2"),
            (Email, "ops@lantern-files.com", "page 2"),
            (Url, "https://login.lantern-files.com/sso?from=report", "links"),
        ],
        "{}",
        dump(&doc)
    );
    let port = doc.iocs.iter().find(|m| m.ioc.canonical == "45.77.12.9").and_then(|m| m.ioc.port);
    assert_eq!(port, Some(8443));
    assert!(doc.diagnostics.is_empty(), "{}", dump(&doc));
}

#[test]
fn docx_runs_hyperlinks_and_footer() {
    use IocKind::*;
    let doc = extract(REPORT_DOCX);
    assert_eq!(doc.format, Format::Docx);
    assert_eq!(
        written(&doc),
        [
            (Url, "http://files.lantern-files.com/a.zip", "document.xml"),
            (Ipv4, "91.215.85.17", "document.xml"),
            (Ipv4, "185.220.101.48", "document.xml"),
            (Sha1, "2ff135a99a7079e5cc657a35bc9054bad021841d", "document.xml"),
            (Email, "ir-team@lantern-watch.org", "footer1.xml"),
            (Url, "https://drive.lantern-files.com/share/9f2?dl=1&x=2", "_rels/document.xml.rels"),
        ],
        "{}",
        dump(&doc)
    );
}

#[test]
fn phishing_email_headers_parts_and_attachment() {
    use IocKind::*;
    let doc = extract(PHISH_EML);
    assert_eq!(doc.format, Format::Email);
    let got = written(&doc);
    let want = [
        (Email, "bounce@mailer.kalo.top", "header:Return-Path"),
        (Domain, "mailer.kalo.top", "header:Received[1]"),
        (Domain, "mailer.kalo.top", "header:Received[1]"),
        (Ipv4, "194.87.31.206", "header:Received[1]"),
        (Domain, "mx1.victim-corp.com", "header:Received[1]"),
        (Ipv4, "10.8.0.5", "header:Received[2]"),
        (Ipv4, "91.215.85.17", "header:Received[2]"),
        (Domain, "mailer.kalo.top", "header:Received[2]"),
        (Email, "no-reply@microsoft-secure-login.com", "header:From"),
        (Email, "billing@kalo.top", "header:Reply-To"),
        (Url, "https://microsoft-secure-login.com/verify?u=alice&lang=en", "part 3 text/plain"),
        (Url, "https://microsoft-secure-login.com/verify?u=alice&t=1", "part 4 text/html"),
        (Url, "http://cdn.kalo.top/logo.png", "part 4 text/html"),
        (
            Sha256,
            "4b6666e17f60d0e45f43106a8ae8722acdeb01e05eda3fd6dfbc3e1e503bbd4d",
            "attachment invoice.pdf",
        ),
        (Sha1, "51cd20a7e897a411344f5dca81d17479e885a004", "attachment invoice.pdf"),
        (Md5, "b8bc94b0a64bac61e9facf80bcd1d3f4", "attachment invoice.pdf"),
        (Url, "http://pay.kalo.top/inv/7731", "attachment invoice.pdf > page 1"),
    ];
    assert_eq!(got, want, "{}", dump(&doc));
    // The recipient is not an indicator of the sender.
    assert!(!doc.iocs.iter().any(|m| m.ioc.canonical.contains("alice@")), "{}", dump(&doc));
    assert_eq!(doc.attachments.len(), 1);
    let a = &doc.attachments[0];
    assert_eq!(
        (a.name.as_deref(), a.content_type.as_str(), a.format),
        (Some("invoice.pdf"), "application/pdf", Format::Pdf)
    );
    // Header spans point into the header value.
    let from = doc.iocs.iter().find(|m| m.part == "header:From" && !m.ioc.implied);
    let len = from.map_or(0, |m| m.ioc.span.end - m.ioc.span.start);
    assert_eq!(len, "no-reply@microsoft-secure-login.com".len());
}

#[test]
fn encrypted_and_broken_pdfs_are_diagnostics() {
    let enc = extract(ENCRYPTED_PDF);
    assert_eq!(enc.format, Format::Pdf);
    assert!(enc.iocs.is_empty(), "{}", dump(&enc));
    assert_eq!(
        enc.diagnostics.iter().map(|d| d.code).collect::<Vec<_>>(),
        [DiagnosticCode::PdfEncrypted]
    );
    let broken = extract(BROKEN_PDF);
    assert!(broken.iocs.is_empty(), "{}", dump(&broken));
    let codes: Vec<DiagnosticCode> = broken.diagnostics.iter().map(|d| d.code).collect();
    assert!(
        codes.contains(&DiagnosticCode::PdfDamaged) && codes.contains(&DiagnosticCode::PdfNoText),
        "{}",
        dump(&broken)
    );
    // Garbage after the magic is unreadable, not a panic.
    let garbage = extract(b"%PDF-1.7\n\x00\xff garbage");
    assert_eq!(garbage.diagnostics[0].code, DiagnosticCode::PdfUnreadable, "{}", dump(&garbage));
}

#[test]
fn binary_is_refused_and_text_is_text() {
    let bin = extract(b"\x7FELF\x02\x01\x01\0\0\0evil.com 1.2.3.4");
    assert_eq!(bin.format, Format::Binary);
    assert!(bin.iocs.is_empty());
    assert_eq!(bin.diagnostics[0].code, DiagnosticCode::NotADocument);
    let text = extract(b"C2 evil[.]com");
    assert_eq!(text.format, Format::Text);
    assert_eq!(written(&text), [(IocKind::Domain, "evil.com", "text")]);
}

#[test]
fn limits_bound_parts_depth_and_inflation() {
    // Depth 0: the attachment is hashed, its PDF not read.
    let shallow = extract_with(PHISH_EML, &Limits { max_depth: 0, ..Limits::default() });
    assert!(shallow.iocs.iter().all(|m| !m.part.contains(" > ")));
    assert!(shallow.diagnostics.iter().any(|d| d.code == DiagnosticCode::LimitDepth));
    assert_eq!(shallow.attachments.len(), 1);
    // Two parts at most.
    let few = extract_with(REPORT_PDF, &Limits { max_parts: 2, ..Limits::default() });
    assert_eq!(few.parts.len(), 2);
    assert!(few.diagnostics.iter().any(|d| d.code == DiagnosticCode::LimitParts));
    // A DOCX entry that inflates past the cap is skipped with a diagnostic.
    let tiny = extract_with(REPORT_DOCX, &Limits { max_inflated: 100, ..Limits::default() });
    assert!(
        tiny.diagnostics.iter().any(|d| d.code == DiagnosticCode::LimitInflated),
        "{}",
        dump(&tiny)
    );
}

/// Damaged documents (every sample truncated and bit-flipped) never panic and always name what they are.
#[test]
fn damaged_documents_never_panic() {
    use proptest::prelude::*;
    let samples = [REPORT_PDF, REPORT_DOCX, PHISH_EML];
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(200));
    runner
        .run(
            &(
                0..samples.len(),
                any::<prop::sample::Index>(),
                prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
            ),
            |(which, cut, flips)| {
                let mut bytes = samples[which].to_vec();
                for (at, b) in flips {
                    let i = at.index(bytes.len());
                    bytes[i] = b;
                }
                bytes.truncate(cut.index(bytes.len() + 1).max(1));
                let doc = extract(&bytes);
                prop_assert!(doc.iocs.iter().all(|m| !m.ioc.canonical.is_empty()));
                Ok(())
            },
        )
        .unwrap();
}

/// Throughput (not a check): `cargo test --release -p ioclens-documents -- --ignored speed --nocapture`, with
/// `IOCLENS_DOC_SPEED=FILE` to time a file of your own (e.g. `make.py --big 2000 /tmp/big.pdf`).
#[test]
#[ignore = "a measurement, run by hand"]
#[expect(clippy::disallowed_methods, reason = "a measurement reads the file it times")]
#[expect(clippy::cast_precision_loss, reason = "byte counts far below 2^52")]
fn speed() {
    let own = std::env::var("IOCLENS_DOC_SPEED").ok().and_then(|p| std::fs::read(p).ok());
    let mut inputs =
        vec![("report.pdf", REPORT_PDF), ("report.docx", REPORT_DOCX), ("phish.eml", PHISH_EML)];
    if let Some(own) = own.as_deref() {
        inputs.push(("IOCLENS_DOC_SPEED", own));
    }
    for (name, bytes) in inputs {
        let reps = (20_000_000 / bytes.len()).clamp(3, 5000);
        let mut runs = Vec::new();
        for _ in 0..5 {
            let t = std::time::Instant::now();
            for _ in 0..reps {
                std::hint::black_box(extract(std::hint::black_box(bytes)));
            }
            runs.push(t.elapsed().as_secs_f64());
        }
        runs.sort_by(f64::total_cmp);
        let mib = (bytes.len() * reps) as f64 / f64::from(1 << 20);
        println!(
            "{name}: {} bytes, median {:.1} MiB/s, {:.1} µs per document",
            bytes.len(),
            mib / runs[2],
            runs[2] / reps as f64 * 1e6
        );
    }
}

/// A one-page PDF whose page draws `content` in Helvetica.
fn pdf_with_content(content: &str) -> Vec<u8> {
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>"
            .to_owned(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// Pieces of one `TJ` are one word (kerning is not a space unless wide); a `Td` that moves down breaks the line,
/// so the last word of one line never runs into the first of the next.
#[test]
fn pdf_text_joins_tj_pieces_and_breaks_lines_on_moves() {
    let doc = extract(&pdf_with_content(
        "BT /F1 11 Tf 72 720 Td [(hxxps://evil-cd) -12 (n[.]com/a.php)] TJ 0 -14 Td (next 1.2.3.4) Tj \
         0 -14 Td [(word) -400 (gap)] TJ ET",
    ));
    assert!(doc.diagnostics.is_empty(), "{}", dump(&doc));
    assert_eq!(
        written(&doc),
        [
            (IocKind::Url, "https://evil-cdn.com/a.php", "page 1"),
            (IocKind::Ipv4, "1.2.3.4", "page 1")
        ],
        "{}",
        dump(&doc)
    );
    let page = doc.parts.iter().find(|p| p.id == "page 1").map_or(0, |p| p.bytes);
    assert_eq!(
        page,
        "hxxps://evil-cdn[.]com/a.php\nnext 1.2.3.4\nword gap\n".len(),
        "{}",
        dump(&doc)
    );
}
