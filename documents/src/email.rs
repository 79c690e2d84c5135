//! RFC 5322 e-mail (mail-parser: MIME multipart, quoted-printable/base64, encoded words, charsets): the
//! sender-side header fields, the `Received:` trace, every text and HTML part, and each attachment's digests
//! (and its own indicators when it is a document, a few levels deep).
use crate::{Format, Out};
use ioclens_core::DiagnosticCode;
use mail_parser::{Message, MessageParser, MimeHeaders, PartType};

/// Header fields read (lower case): who sent it and through which hosts. `To`/`Cc` name the recipients (the
/// victims), `Subject` rarely carries an indicator; they are left out on purpose (docs/INTENTIONAL.md).
const FIELDS: &[&str] = &[
    "from",
    "sender",
    "reply-to",
    "return-path",
    "received",
    "x-originating-ip",
    "x-sender-ip",
    "list-unsubscribe",
];

pub(crate) fn read(out: &mut Out, prefix: &str, bytes: &[u8], depth: u8) {
    match MessageParser::default().parse(bytes) {
        Some(msg) => message(out, prefix, &msg, depth),
        None => out.diagnostic(
            DiagnosticCode::EmailUnreadable,
            prefix,
            "not a readable message: no text read",
        ),
    }
}

fn message(out: &mut Out, prefix: &str, msg: &Message<'_>, depth: u8) {
    let raw = msg.raw_message();
    let mut received = 0;
    for h in msg.headers() {
        let name = h.name.as_str();
        let lower = name.to_ascii_lowercase();
        if !FIELDS.contains(&lower.as_str()) {
            continue;
        }
        let label = if lower == "received" {
            received += 1;
            format!("{prefix}header:Received[{received}]")
        } else {
            format!("{prefix}header:{name}")
        };
        let value = raw.get(h.offset_start as usize..h.offset_end as usize).unwrap_or_default();
        out.text(&label, "header", String::from_utf8_lossy(value).trim());
    }
    for (i, part) in msg.parts.iter().enumerate() {
        if !out.room_for_part(prefix) {
            return;
        }
        let ctype = part.content_type().map_or_else(
            || if part.is_text_html() { "text/html".to_owned() } else { "text/plain".to_owned() },
            |c| match c.subtype() {
                Some(sub) => format!("{}/{sub}", c.ctype()).to_ascii_lowercase(),
                None => c.ctype().to_ascii_lowercase(),
            },
        );
        let name = part.attachment_name();
        let attached = name.is_some()
            || part
                .content_disposition()
                .is_some_and(|d| d.ctype().eq_ignore_ascii_case("attachment"));
        let label = match name {
            Some(n) if attached => format!("{prefix}attachment {n}"),
            _ => format!("{prefix}part {} {ctype}", i + 1),
        };
        match &part.body {
            PartType::Text(text) | PartType::Html(text) => {
                if attached {
                    // Text parts come out decoded to UTF-8: the digests are of that text.
                    out.attachment(&label, name, &ctype, text.as_bytes());
                }
                let kind = if part.is_text_html() { "text/html" } else { "text/plain" };
                out.text(&label, kind, text);
            }
            PartType::Binary(bytes) | PartType::InlineBinary(bytes) => {
                let format = out.attachment(&label, name, &ctype, bytes);
                if !matches!(format, Format::Binary | Format::Zip) {
                    nested(out, &label, format, bytes, depth);
                }
            }
            PartType::Message(inner) => {
                out.attachment(&label, name, &ctype, inner.raw_message());
                if depth < out.limits.max_depth {
                    message(out, &format!("{label} > "), inner, depth + 1);
                } else {
                    too_deep(out, &label);
                }
            }
            PartType::Multipart(_) => {}
        }
    }
}

fn nested(out: &mut Out, label: &str, format: Format, bytes: &[u8], depth: u8) {
    if depth < out.limits.max_depth {
        out.document(format, &format!("{label} > "), bytes, depth + 1);
    } else {
        too_deep(out, label);
    }
}

fn too_deep(out: &mut Out, label: &str) {
    let msg = format!("nested more than {} levels deep: hashed, not read", out.limits.max_depth);
    out.diagnostic(DiagnosticCode::LimitDepth, label, &msg);
}
