//! URLs: scheme, authority (user, host, port), tail trimming and `AsciiDoc` link text.
use super::class::{CLASS, F_HOST, F_URL};
use super::{Found, Scanner};
use crate::extract::validate::{self, Host};
use crate::{IocKind, normalize};

/// Scheme as written (lower-cased) → canonical scheme and whether it was defanged.
pub(super) fn scheme_of(written: &str) -> Option<(&'static str, bool)> {
    Some(match written {
        "http" => ("http", false),
        "https" => ("https", false),
        "ftp" => ("ftp", false),
        "ftps" => ("ftps", false),
        "sftp" => ("sftp", false),
        "ws" => ("ws", false),
        "wss" => ("wss", false),
        "tcp" => ("tcp", false),
        "udp" => ("udp", false),
        "smb" => ("smb", false),
        "ldap" => ("ldap", false),
        "ldaps" => ("ldaps", false),
        "ssh" => ("ssh", false),
        "rdp" => ("rdp", false),
        "tftp" => ("tftp", false),
        "telnet" => ("telnet", false),
        "irc" => ("irc", false),
        "hxxp" | "hxtp" | "htxp" | "h__p" | "h_p" | "h___p" | "httx" | "hpp" | "xxxx" | "hxxxp" => {
            ("http", true)
        }
        "hxxps" | "hxtps" | "htxps" | "h__ps" | "h_ps" | "h___ps" | "httxs" | "hpps" | "xxxxs"
        | "hxxxps" => ("https", true),
        "fxp" | "ftx" | "fxxp" | "fxtp" => ("ftp", true),
        "fxps" | "ftxs" => ("ftps", true),
        _ => return None,
    })
}

pub(super) struct Authority {
    host: Host,
    host_span: (usize, usize),
    user_end: usize,
    port: Option<u16>,
    rest: usize,
    /// The URL ends here: the host is followed by punctuation, not by a port or path.
    cut: Option<usize>,
}

/// `AsciiDoc` `url[link text]`: a `[` after the host whose bracket is never closed within the URL, or closes at its
/// very end, starts link text. Returns the URL end without it.
pub(super) fn link_text_start(b: &[u8], rest: usize, end: usize) -> usize {
    let Some(q) = b.get(rest..end).and_then(|p| p.iter().position(|&c| c == b'[')) else {
        return end;
    };
    let q = rest + q;
    match b[q..end].iter().position(|&c| c == b']') {
        None => q,
        Some(c) if q + c + 1 == end => q,
        Some(_) => end,
    }
}

pub(super) fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// `:port` (may be empty) → `Ok(port)`; junk → `Err` (the authority is invalid).
pub(super) fn parse_port(b: &[u8]) -> Result<Option<u16>, ()> {
    if b.is_empty() {
        return Ok(None);
    }
    let digits = b.strip_prefix(b":").ok_or(())?;
    if digits.is_empty() {
        return Ok(None);
    }
    if digits.len() > 5 || !digits.iter().all(u8::is_ascii_digit) {
        return Err(());
    }
    let mut v: u32 = 0;
    for &d in digits {
        v = v * 10 + u32::from(d - b'0');
    }
    u16::try_from(v).map(Some).map_err(|_| ())
}

/// Drops trailing punctuation and unbalanced closing brackets from a URL ending at `end`.
pub(super) fn trim_url_end(b: &[u8], start: usize, mut end: usize) -> usize {
    // Bracket counts over the whole URL, taken only when a closing bracket is the last byte (rare): openers are
    // never dropped, so counts over the untrimmed URL minus the closers dropped so far are exact.
    let mut counts: Option<[usize; 4]> = None;
    let count_all = |url: &[u8]| {
        let mut c = [0usize; 4];
        for &x in url {
            match x {
                b'(' => c[0] += 1,
                b')' => c[1] += 1,
                b'[' => c[2] += 1,
                b']' => c[3] += 1,
                _ => {}
            }
        }
        c
    };
    let url = &b[start..end];
    while end > start {
        let drop = match b[end - 1] {
            b'.' | b';' | b':' | b'!' | b'?' | b'\'' | b'*' | b'&' | b',' => true,
            b')' => {
                let c = counts.get_or_insert_with(|| count_all(url));
                let unbalanced = c[0] < c[1];
                c[1] -= usize::from(unbalanced);
                unbalanced
            }
            b']' => {
                let c = counts.get_or_insert_with(|| count_all(url));
                let unbalanced = c[2] < c[3];
                c[3] -= usize::from(unbalanced);
                unbalanced
            }
            _ => false,
        };
        if !drop {
            break;
        }
        end -= 1;
    }
    end
}

impl Scanner<'_> {
    /// A URL: scheme starts at `k`, authority at `a`.
    pub(super) fn url(
        &mut self,
        k: usize,
        a: usize,
        scheme: &'static str,
        scheme_defanged: bool,
    ) -> usize {
        let b = self.b;
        let (mut a, mut scheme_defanged) = (a, scheme_defanged);
        // `hxxps://hxxp[://]host/…`: a second scheme right after the first belongs to the defang.
        if let Some(q) = b.get(a..b.len().min(a + 12)).and_then(|w| find(w, b"://"))
            && q > 0
            && b[a..a + q].iter().all(u8::is_ascii_alphabetic)
            && std::str::from_utf8(&b[a..a + q].to_ascii_lowercase())
                .ok()
                .and_then(scheme_of)
                .is_some()
        {
            a += q + 3;
            scheme_defanged = true;
        }
        let mut end = a;
        while end < b.len() {
            if b[end] < 0x80 {
                if CLASS[b[end] as usize] & F_URL == 0 {
                    break;
                }
                end += 1;
            } else {
                // Letters of an internationalised host or path (`http://bücher.de/straße`).
                match self.text[end..].chars().next() {
                    Some(c) if c.is_alphanumeric() => end += c.len_utf8(),
                    _ => break,
                }
            }
        }
        let mut end = trim_url_end(b, a, end);
        // AsciiDoc passthrough `++hxxp://host/x++`: the closing `++` is markup.
        if k >= 2
            && &b[k - 2..k] == b"++"
            && let Some(q) = find(&b[a..end], b"++")
        {
            end = a + q;
        }
        let Some(parts) = self.authority(a, end) else {
            return end.max(a);
        };
        let end = link_text_start(b, parts.rest, parts.cut.unwrap_or(end));
        let mut canonical = String::with_capacity(end - k + 8);
        canonical.push_str(scheme);
        canonical.push_str("://");
        canonical.push_str(&self.text[a..parts.user_end]);
        if parts.host.kind == IocKind::Ipv6 {
            canonical.push('[');
            canonical.push_str(&parts.host.canonical);
            canonical.push(']');
        } else {
            canonical.push_str(&parts.host.canonical);
        }
        if let Some(port) = parts.port
            && normalize::url::default_port(scheme) != Some(port)
        {
            canonical.push(':');
            canonical.push_str(&port.to_string());
        }
        let rest = &self.text[parts.rest.min(end)..end];
        if rest != "/" {
            canonical.push_str(rest);
        }
        self.found.push(Found {
            kind: IocKind::Url,
            canonical,
            start: k,
            end,
            defanged: scheme_defanged,
            implied: false,
            scope: None,
        });
        let (hs, he) = parts.host_span;
        self.push(parts.host, hs, he, true);
        end
    }

    /// Splits `a..end` into userinfo, host, port and the rest; validates the host. A host followed by anything
    /// but a port, `/`, `?` or `#` ends the URL there (`cut`): `http://evil.com+` is `http://evil.com`.
    pub(super) fn authority(&self, a: usize, end: usize) -> Option<Authority> {
        let b = self.b;
        let mut host_end = a;
        while host_end < end && !matches!(b[host_end], b'/' | b'?' | b'#') {
            host_end += 1;
        }
        let mut hs = a;
        if let Some(at) = b[a..host_end].iter().rposition(|&c| c == b'@') {
            hs = a + at + 1;
        }
        let (he, port, after) = if b.get(hs) == Some(&b'[') {
            let close = b[hs..host_end].iter().position(|&c| c == b']')? + hs;
            let port = parse_port(&b[close + 1..host_end]).ok()?;
            (close + 1, port, host_end)
        } else {
            let mut hx = hs;
            while hx < host_end && (CLASS[b[hx] as usize] & F_HOST != 0 || b[hx] >= 0x80) {
                hx += 1;
            }
            let mut he = hx;
            while he > hs && matches!(b[he - 1], b'-' | b'_') {
                he -= 1;
            }
            if he == hx && b.get(hx) == Some(&b':') {
                let mut px = hx + 1;
                while px < host_end && px - hx <= 6 && b[px].is_ascii_digit() {
                    px += 1;
                }
                (he, parse_port(&b[hx..px]).ok()?, px)
            } else {
                (he, None, he)
            }
        };
        let cut = (after < host_end).then_some(after);
        let mut host_text = &self.text[hs..he];
        let mut he_trim = he;
        if host_text.ends_with('.') {
            host_text = &host_text[..host_text.len() - 1];
            he_trim -= 1;
        }
        let host = validate::host(host_text)?;
        let host_span =
            if host.kind == IocKind::Ipv6 { (hs + 1, he_trim - 1) } else { (hs, he_trim) };
        Some(Authority { host, host_span, user_end: hs, port, rest: cut.unwrap_or(host_end), cut })
    }
}
