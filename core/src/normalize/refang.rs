//! Refang (`hxxp[:]//evil[.]com` → `http://evil.com`) and defang for display.
//!
//! Three passes, each skipped when its trigger bytes are absent (so a plain value costs one byte scan):
//!
//! 1. **Characters**: bracketed markers `[.] (.) {.} [dot] (dot) [DOT] {dot} [,] [:] [://] [/] (/) [@] (@) [at]
//!    (at) [AT] {at} [-]` (case-insensitive, inner spaces allowed), `\.` and `\/`, the Unicode full stops
//!    U+3002 U+FF0E U+FF61 U+FE52, zero-width characters U+200B–U+200D U+2060 U+FEFF and the soft hyphen U+00AD
//!    (removed), and non-ASCII hyphens U+2010–U+2015 U+2212 after `CVE` / `CVE-YYYY`.
//! 2. **Schemes**: `hxxp hxxps hXXp h**p h__p h___p httx hpp hXtp fxp ftx fXp xxxx xxxxs` before `://` (also
//!    `: //` and `:// host` with spaces). `hxxps` becomes `https`, never `http`.
//! 3. **Spaced separators** (guarded, docs/INTENTIONAL.md #6): ` DOT `, ` dot `, ` . ` join two labels only when the
//!    run is domain-like (the label after the separator is an IANA TLD) or IP-like (digits on both sides);
//!    ` at ` becomes `@` only when the value carries another defang marker.
use super::domain::tld_exists;
use std::borrow::Cow;

/// The result of refanging one token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refanged<'a> {
    /// The refanged text (borrowed when nothing changed).
    pub value: Cow<'a, str>,
    /// At least one defang marker was found and removed.
    pub defanged: bool,
}

/// Removes defang markers from one value. Returns the input unchanged (borrowed) when it carries none.
pub fn refang(input: &str) -> Cow<'_, str> {
    refang_token(input).value
}

/// Refangs a candidate token and reports whether defang markers were present. This is the entry point for the
/// extractor: `defanged` is the flag to put on the indicator.
pub fn refang_token(input: &str) -> Refanged<'_> {
    let mut value: Cow<'_, str> = Cow::Borrowed(input);
    let mut defanged = false;
    let b = input.as_bytes();
    if (!input.is_ascii()
        || memchr::memchr3(b'[', b'(', b'{', b).is_some()
        || memchr::memchr(b'\\', b).is_some())
        && let Some(s) = char_pass(input)
    {
        value = Cow::Owned(s);
        defanged = true;
    }
    if memchr::memchr(b':', value.as_bytes()).is_some()
        && let Some(s) = scheme_pass(&value)
    {
        value = Cow::Owned(s);
        defanged = true;
    }
    if memchr::memchr(b' ', value.as_bytes()).is_some()
        && let Some(s) = spaced_pass(&value, defanged)
    {
        value = Cow::Owned(s);
        defanged = true;
    }
    Refanged { value, defanged }
}

/// What a bracketed marker stands for (`None`: not a marker).
fn bracket_marker(inner: &str) -> Option<&'static str> {
    let inner = if inner.starts_with(' ') || inner.ends_with(' ') {
        inner.trim_matches(' ')
    } else {
        inner
    };
    Some(match inner.len() {
        1 => match inner.as_bytes()[0] {
            b'.' | b',' => ".",
            b':' => ":",
            b'/' => "/",
            b'@' => "@",
            b'-' => "-",
            _ => return None,
        },
        2 if inner.eq_ignore_ascii_case("at") => "@",
        3 if inner.eq_ignore_ascii_case("dot") => ".",
        3 if inner == "://" => "://",
        _ => return None,
    })
}

fn closing(open: u8) -> u8 {
    match open {
        b'[' => b']',
        b'(' => b')',
        _ => b'}',
    }
}

/// True when the output so far ends in a CVE-id prefix (`CVE`, `CVE-2021`), where a non-ASCII hyphen is a hyphen.
fn in_cve_context(out: &str) -> bool {
    let b = out.as_bytes();
    let ends_cve = |end: usize| end >= 3 && b[end - 3..end].eq_ignore_ascii_case(b"cve");
    if ends_cve(b.len()) {
        return true;
    }
    b.len() >= 8
        && b[b.len() - 4..].iter().all(u8::is_ascii_digit)
        && b[b.len() - 5] == b'-'
        && ends_cve(b.len() - 5)
}

/// True when `\.` must not be read as an escaped dot: the value is a registry key or holds real backslash
/// separators (a Windows path such as `C:\Users\x\.ssh`).
fn backslash_is_separator(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() >= 2 && b[..2].eq_ignore_ascii_case(b"hk") || s.starts_with("\\\\") {
        return true;
    }
    b.windows(2).any(|w| w[0] == b'\\' && w[1] != b'.' && w[1] != b'/')
}

fn char_pass(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut changed = false;
    let bytes = s.as_bytes();
    let backslash_literal = s.contains('\\') && backslash_is_separator(s);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'[' | b'(' | b'{' => {
                let close = closing(b);
                let limit = bytes.len().min(i + 8);
                if let Some(j) =
                    bytes[i + 1..limit].iter().position(|&c| c == close).map(|p| p + i + 1)
                    && let Some(rep) = bracket_marker(&s[i + 1..j])
                {
                    out.push_str(rep);
                    changed = true;
                    i = j + 1;
                    continue;
                }
                out.push(b as char);
                i += 1;
            }
            b'\\' if !backslash_literal && matches!(bytes.get(i + 1), Some(b'.' | b'/')) => {
                out.push(bytes[i + 1] as char);
                changed = true;
                i += 2;
            }
            0x80.. => {
                let Some(c) = s[i..].chars().next() else { break };
                match c {
                    '\u{3002}' | '\u{FF0E}' | '\u{FF61}' | '\u{FE52}' => {
                        out.push('.');
                        changed = true;
                    }
                    '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' => {
                        changed = true;
                    }
                    '\u{2010}'..='\u{2015}' | '\u{2212}' if in_cve_context(&out) => {
                        out.push('-');
                        changed = true;
                    }
                    _ => out.push(c),
                }
                i += c.len_utf8();
            }
            _ => {
                out.push(b as char);
                i += 1;
            }
        }
    }
    changed.then_some(out)
}

/// Defanged scheme spellings (lower-case) and their real scheme.
const SCHEMES: &[(&str, &str)] = &[
    ("hxxp", "http"),
    ("hxxps", "https"),
    ("h**p", "http"),
    ("h**ps", "https"),
    ("h__p", "http"),
    ("h__ps", "https"),
    ("h___p", "http"),
    ("h___ps", "https"),
    ("httx", "http"),
    ("httxs", "https"),
    ("hpp", "http"),
    ("hpps", "https"),
    ("hxtp", "http"),
    ("hxtps", "https"),
    ("hxxxp", "http"),
    ("hxxxps", "https"),
    ("fxp", "ftp"),
    ("fxps", "ftps"),
    ("ftx", "ftp"),
    ("xxxx", "http"),
    ("xxxxs", "https"),
];

fn is_scheme_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'*' | b'_' | b'+' | b'-' | b'.')
}

/// Rewrites defanged schemes and removes spaces around `://`.
fn scheme_pass(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = String::new();
    let mut copied = 0;
    let mut changed = false;
    let mut i = 0;
    while let Some(p) = bytes[i..].iter().position(|&b| b == b':') {
        let colon = i + p;
        i = colon + 1;
        // `//` after the colon, with optional spaces between.
        let mut k = colon + 1;
        while bytes.get(k) == Some(&b' ') {
            k += 1;
        }
        if bytes.get(k) != Some(&b'/') || bytes.get(k + 1) != Some(&b'/') {
            continue;
        }
        let slash_end = k + 2;
        let mut after = slash_end;
        while bytes.get(after) == Some(&b' ') {
            after += 1;
        }
        let mut start = colon;
        while start > copied && is_scheme_char(bytes[start - 1]) {
            start -= 1;
        }
        if start == colon {
            continue;
        }
        let scheme = &s[start..colon];
        let real = SCHEMES.iter().find(|(d, _)| d.eq_ignore_ascii_case(scheme)).map(|(_, r)| *r);
        let spaced = k != colon + 1 || after != slash_end;
        // `hxxps://hxxp[://]host`: a second scheme right after a rewritten one is part of the defang (the extractor
        // reads it the same way): the first one stands.
        let doubled = changed
            && start == copied
            && (real.is_some()
                || ["http", "https", "ftp"].iter().any(|r| r.eq_ignore_ascii_case(scheme)));
        if doubled {
            copied = after;
            i = after;
            continue;
        }
        if real.is_none() && !spaced {
            continue;
        }
        out.push_str(&s[copied..start]);
        out.push_str(real.unwrap_or(scheme));
        out.push_str("://");
        copied = after;
        i = after;
        changed = true;
    }
    if !changed {
        return None;
    }
    out.push_str(&s[copied..]);
    Some(out)
}

fn is_label_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// The label run at the end of `w` (after the last non-label byte).
fn trailing_label(w: &str) -> &str {
    let start = w.bytes().rposition(|b| !is_label_char(b)).map_or(0, |p| p + 1);
    &w[start..]
}

/// The label run at the start of `w`.
fn leading_label(w: &str) -> &str {
    let end = w.bytes().position(|b| !is_label_char(b)).unwrap_or(w.len());
    &w[..end]
}

fn is_dot_word(w: &str) -> bool {
    w == "." || w.eq_ignore_ascii_case("dot")
}

/// True when joining `left` and `right` with a dot gives a domain- or IP-like run.
fn join_ok(left: &str, right: &str) -> bool {
    let l = trailing_label(left);
    let r = leading_label(right);
    if l.is_empty() || r.is_empty() {
        return false;
    }
    let digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit()) && x.len() <= 3;
    if digits(l) && digits(r) {
        return true;
    }
    r.len() >= 2
        && r.bytes().all(|b| b.is_ascii_alphanumeric())
        && tld_exists(&r.to_ascii_lowercase())
}

fn is_local_part(w: &str) -> bool {
    !w.is_empty()
        && w.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'+'))
}

/// Joins ` DOT ` / ` . ` separated labels (guarded) and, with other defang evidence, ` at `.
fn spaced_pass(s: &str, evidence: bool) -> Option<String> {
    let words: Vec<&str> = s.split(' ').filter(|w| !w.is_empty()).collect();
    if words.len() < 3 {
        return None;
    }
    let mut merged = false;
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let mut cur = words[i].to_owned();
        while i + 2 < words.len() && is_dot_word(words[i + 1]) && join_ok(&cur, words[i + 2]) {
            cur.push('.');
            cur.push_str(words[i + 2]);
            i += 2;
            merged = true;
        }
        out.push(cur);
        i += 1;
    }
    if evidence || merged {
        let mut j = 0;
        while j + 2 < out.len() {
            if out[j + 1].eq_ignore_ascii_case("at")
                && is_local_part(&out[j])
                && out[j + 2].contains('.')
            {
                let joined = format!("{}@{}", out[j], out[j + 2]);
                out.splice(j..j + 3, [joined]);
                merged = true;
            }
            j += 1;
        }
    }
    merged.then(|| out.join(" "))
}

/// Defangs a canonical value for safe display: `http` → `hxxp`, `https` → `hxxps`, `ftp` → `fxp`, every dot of a
/// URL host, domain, IPv4 address or e-mail domain → `[.]`, `@` → `[@]`. Paths, queries and other types are left
/// alone. [`refang`] undoes it exactly.
pub fn defang(canonical: &str) -> String {
    if let Some(p) = canonical.find("://") {
        let scheme = &canonical[..p];
        let rest = &canonical[p + 3..];
        let scheme_out = match scheme.to_ascii_lowercase().as_str() {
            "http" => "hxxp",
            "https" => "hxxps",
            "ftp" => "fxp",
            "ftps" => "fxps",
            _ => scheme,
        };
        let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(host_end);
        return format!("{scheme_out}://{}{tail}", authority.replace('.', "[.]"));
    }
    if let Some((local, domain)) = canonical.split_once('@')
        && !canonical.contains(char::is_whitespace)
    {
        return format!("{local}[@]{}", domain.replace('.', "[.]"));
    }
    if canonical.contains('.') && canonical.bytes().all(|b| is_label_char(b) || b == b'.') {
        // A name whose last label is all digits is not a domain (no TLD is numeric): only an IPv4 address,
        // where every label is numeric, is defanged. `T1547.001` and `CVE`-like ids stay as they are.
        let numeric = |l: &str| !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit());
        let last_numeric = canonical.rsplit('.').next().is_some_and(numeric);
        if !last_numeric || canonical.split('.').all(numeric) {
            return canonical.replace('.', "[.]");
        }
    }
    canonical.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expect: &str, defanged: bool) {
        let r = refang_token(input);
        assert_eq!(r.value, expect, "refang({input:?})");
        assert_eq!(r.defanged, defanged, "defanged flag of {input:?}");
    }

    #[test]
    fn defang_leaves_attack_ids_alone() {
        assert_eq!(defang("T1547.001"), "T1547.001");
        assert_eq!(defang("8.8.8.8"), "8[.]8[.]8[.]8");
        assert_eq!(defang("evil.com"), "evil[.]com");
        assert_eq!(defang("CVE-2021-44228"), "CVE-2021-44228");
    }

    #[test]
    fn bracket_markers() {
        check("evil[.]com", "evil.com", true);
        check("evil(.)com", "evil.com", true);
        check("evil{.}com", "evil.com", true);
        check("evil[dot]com", "evil.com", true);
        check("evil(dot)com", "evil.com", true);
        check("evil[DOT]com", "evil.com", true);
        check("evil{dot}com", "evil.com", true);
        check("evil[ . ]com", "evil.com", true);
        check("192[,]168[,]0[,]1", "192.168.0.1", true);
        check("user[@]evil.com", "user@evil.com", true);
        check("user(@)evil.com", "user@evil.com", true);
        check("user[at]evil.com", "user@evil.com", true);
        check("user(at)evil.com", "user@evil.com", true);
        check("user[AT]evil.com", "user@evil.com", true);
        check("user{at}evil.com", "user@evil.com", true);
        check("my[-]site.com", "my-site.com", true);
        check("2001[:]db8::1", "2001:db8::1", true);
        check("evil.com[/]gate.php", "evil.com/gate.php", true);
        check("evil.com(/)gate.php", "evil.com/gate.php", true);
        check("[::1]", "[::1]", false);
        check("(see)", "(see)", false);
    }

    #[test]
    fn escapes_and_unicode() {
        check("evil\\.com", "evil.com", true);
        check("http:\\/\\/evil.com\\/a", "http://evil.com/a", true);
        check("micro\u{3002}biz", "micro.biz", true);
        check("kasa\u{FF0E}secqu\u{FF0E}org", "kasa.secqu.org", true);
        check("a\u{FF61}b\u{FE52}com", "a.b.com", true);
        check("virota.\u{200B}cn", "virota.cn", true);
        check("ev\u{00AD}il\u{2060}.c\u{200C}o\u{200D}m\u{FEFF}", "evil.com", true);
        check("CVE\u{2011}2021\u{2013}44228", "CVE-2021-44228", true);
        check("cve\u{2212}2021\u{2010}44228", "cve-2021-44228", true);
        check("a\u{2013}b", "a\u{2013}b", false);
        check("HKCR\\.exe", "HKCR\\.exe", false);
        check("C:\\Users\\x\\.ssh", "C:\\Users\\x\\.ssh", false);
        check("bücher.de", "bücher.de", false);
    }

    #[test]
    fn schemes() {
        check("hxxp://evil.com", "http://evil.com", true);
        check("hxxps://evil.com", "https://evil.com", true);
        check("hXXps://evil.com", "https://evil.com", true);
        check("HXXP://evil.com", "http://evil.com", true);
        check("h**p://evil.com", "http://evil.com", true);
        check("h**ps://evil.com", "https://evil.com", true);
        check("h__ps://evil.com", "https://evil.com", true);
        check("h___p://evil.com", "http://evil.com", true);
        check("httx://evil.com", "http://evil.com", true);
        check("hpp://evil.com", "http://evil.com", true);
        check("hXtp://evil.com", "http://evil.com", true);
        check("fxp://evil.com", "ftp://evil.com", true);
        check("ftx://evil.com", "ftp://evil.com", true);
        check("fXp://evil.com", "ftp://evil.com", true);
        check("xxxx://evil.com", "http://evil.com", true);
        check("xxxxs://evil.com", "https://evil.com", true);
        check("https[:]//evil.com", "https://evil.com", true);
        check("hxxp[:]//evil.com", "http://evil.com", true);
        check("https[://]evil.com", "https://evil.com", true);
        check("hxxps:// evil.com", "https://evil.com", true);
        check("hxxps://hxxp[://]evil.com/a", "https://evil.com/a", true);
        check("hxxp://https://evil.com/a", "http://evil.com/a", true);
        check("https: //evil.com", "https://evil.com", true);
        check("https://evil.com/r?u=hxxp://b.com", "https://evil.com/r?u=http://b.com", true);
        check("https://evil.com", "https://evil.com", false);
        check("12:30:45", "12:30:45", false);
    }

    #[test]
    fn spaced_separators() {
        check("evil DOT com", "evil.com", true);
        check("kaqulog-lo.co DOT uk", "kaqulog-lo.co.uk", true);
        check("53 DOT 101 DOT 53 DOT 117", "53.101.53.117", true);
        check("netsoft-net . tk", "netsoft-net.tk", true);
        check("hxxp://evil dot com/a", "http://evil.com/a", true);
        check("mailer-daemon2 at payweb[.]de", "mailer-daemon2@payweb.de", true);
        check("server at evil.com", "server at evil.com", false);
        check("the dot product", "the dot product", false);
        check("Fig . 3", "Fig . 3", false);
    }

    #[test]
    fn defang_round_trip() {
        assert_eq!(defang("https://evil.com/a.php?x=1.2"), "hxxps://evil[.]com/a.php?x=1.2");
        assert_eq!(defang("http://1.2.3.4:8080/"), "hxxp://1[.]2[.]3[.]4:8080/");
        assert_eq!(defang("user@mail.evil.com"), "user[@]mail[.]evil[.]com");
        assert_eq!(defang("evil.co.uk"), "evil[.]co[.]uk");
        assert_eq!(defang("8.8.8.8"), "8[.]8[.]8[.]8");
        assert_eq!(defang("2001:db8::1"), "2001:db8::1");
        assert_eq!(defang("d41d8cd98f00b204e9800998ecf8427e"), "d41d8cd98f00b204e9800998ecf8427e");
        for v in [
            "https://evil.com/a.php?x=1.2",
            "ftp://files.evil.net/x",
            "user@mail.evil.com",
            "8.8.8.8",
        ] {
            assert_eq!(refang(&defang(v)), v);
        }
    }
}
