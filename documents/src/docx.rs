//! DOCX (Office Open XML): the text of the body, headers, footers, footnotes, endnotes and comments
//! (`w:t` runs joined per paragraph, `w:instrText` field codes such as `HYPERLINK "…"`), and the external targets
//! of `word/_rels/*.rels` (where a hyperlink's URL lives, not in the text).
use crate::Out;
use ioclens_core::DiagnosticCode;
use quick_xml::XmlVersion;
use quick_xml::events::Event;
use std::io::{Cursor, Read};

/// Whether an entry is read, and its rank (body, then headers/footers/notes/comments, then relationships) and
/// kind. OPC part names compare case-insensitively.
fn wanted(name: &str) -> Option<(u8, &'static str)> {
    let lower = name.to_ascii_lowercase();
    let stem = lower.strip_prefix("word/")?;
    if stem == "document.xml" {
        return Some((0, "docx-xml"));
    }
    if let Some(rels) = stem.strip_prefix("_rels/") {
        return rels.ends_with(".xml.rels").then_some((2, "docx-rels"));
    }
    let family = ["header", "footer", "footnotes", "endnotes", "comments"];
    let xml = stem.strip_suffix(".xml")?;
    (!xml.contains('/') && family.iter().any(|f| xml.starts_with(f))).then_some((1, "docx-xml"))
}

pub(crate) fn read(out: &mut Out, prefix: &str, bytes: &[u8]) {
    let mut zip = match zip::ZipArchive::new(Cursor::new(bytes)) {
        Ok(z) => z,
        Err(e) => {
            out.diagnostic(
                DiagnosticCode::DocxUnreadable,
                prefix,
                &format!("not a readable ZIP ({e}): no text read"),
            );
            return;
        }
    };
    let mut names: Vec<(u8, &'static str, String)> = zip
        .file_names()
        .filter_map(|n| {
            let n = n.ok()?;
            wanted(&n).map(|(rank, kind)| (rank, kind, n.into_owned()))
        })
        .collect();
    names.sort();
    for (_, kind, name) in names {
        if !out.room_for_part(prefix) {
            break;
        }
        let part = format!("{prefix}{}", name.trim_start_matches("word/"));
        let Some(xml) = entry(out, &mut zip, &name, &part) else { continue };
        let text = if kind == "docx-rels" { external_targets(&xml) } else { word_text(&xml) };
        match text {
            Ok(text) => out.text(&part, kind, &text),
            Err(e) => {
                out.diagnostic(DiagnosticCode::DocxUnreadable, &part, &format!("broken XML ({e})"));
            }
        }
    }
}

/// One ZIP entry, inflated within the limits; `None` (with a diagnostic) when it cannot be.
fn entry(
    out: &mut Out,
    zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
    name: &str,
    part: &str,
) -> Option<String> {
    let file = match zip.by_name(name) {
        Ok(f) => f,
        Err(e) => {
            out.diagnostic(
                DiagnosticCode::DocxUnreadable,
                part,
                &format!("entry unreadable ({e})"),
            );
            return None;
        }
    };
    let cap = out.limits.max_inflated;
    let mut data = Vec::new();
    let read = file.take(cap as u64 + 1).read_to_end(&mut data);
    if let Err(e) = read {
        out.diagnostic(DiagnosticCode::DocxUnreadable, part, &format!("entry unreadable ({e})"));
        return None;
    }
    if data.len() > cap {
        let msg = format!("inflates to more than {} MiB: not read", cap >> 20);
        out.diagnostic(DiagnosticCode::LimitInflated, part, &msg);
        return None;
    }
    if !out.inflate(part, data.len()) {
        return None;
    }
    Some(String::from_utf8_lossy(&data).into_owned())
}

/// The text of a `WordprocessingML` part: runs joined, a line break per paragraph, table cell and `w:br`.
fn word_text(xml: &str) -> Result<String, quick_xml::Error> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut text = String::new();
    // Inside `w:t` / `w:instrText` (text outside them is indentation and never shown).
    let mut inside = false;
    loop {
        match reader.read_event()? {
            Event::Start(e) => match e.local_name().as_ref() {
                "t" | "delText" => inside = true,
                "instrText" => {
                    inside = true;
                    text.push(' ');
                }
                _ => {}
            },
            Event::Empty(e) => match e.local_name().as_ref() {
                "tab" => text.push('\t'),
                "br" | "cr" => text.push('\n'),
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                "t" | "delText" => inside = false,
                "instrText" => {
                    inside = false;
                    text.push(' ');
                }
                "p" | "tc" => text.push('\n'),
                _ => {}
            },
            Event::Text(t) if inside => text.push_str(&t.xml10_content()),
            Event::CData(t) if inside => text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if inside => push_ref(&mut text, &r),
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(text)
}

/// `&amp;`, `&#46;` …: the character, or the reference as written when it is unknown.
fn push_ref(text: &mut String, r: &quick_xml::events::BytesRef<'_>) {
    if let Ok(Some(c)) = r.resolve_char_ref() {
        text.push(c);
    } else if let Some(s) = quick_xml::escape::resolve_xml_entity(r) {
        text.push_str(s);
    } else {
        text.push('&');
        text.push_str(r);
        text.push(';');
    }
}

/// `Target` of every relationship with `TargetMode="External"` (hyperlinks, remote templates, linked images),
/// one per line.
fn external_targets(xml: &str) -> Result<String, quick_xml::Error> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut text = String::new();
    loop {
        match reader.read_event()? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "Relationship" => {
                let mut target = None;
                let mut external = false;
                for attr in e.attributes().flatten() {
                    match attr.key.local_name().as_ref() {
                        "Target" => {
                            target = Some(
                                attr.normalized_value(XmlVersion::Implicit1_0)
                                    .map(std::borrow::Cow::into_owned),
                            );
                        }
                        "TargetMode" => external = attr.value.as_ref() == "External",
                        _ => {}
                    }
                }
                if let (true, Some(Ok(t))) = (external, target) {
                    text.push_str(&t);
                    text.push('\n');
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(text)
}
