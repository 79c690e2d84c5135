//! Hard negatives: tokens that validate as domains but are not indicators (docs/INTENTIONAL.md #2 and #6).
//! They apply only to plain (not defanged) tokens outside a URL host or e-mail domain position. The file-extension
//! TLD list is the normalisers' (`data/dns/file_extension_tlds.txt`), see `validate::file_extension_tld`.

/// Well-known technology names written like domains.
const CODE_TOKENS: &[&str] = &[
    "ado.net",
    "asp.net",
    "vb.net",
    "dot.net",
    "node.js",
    "vue.js",
    "next.js",
    "react.js",
    "three.js",
    "socket.io",
];

/// Words that precede a bare ` at ` in prose (`The C2 server at evil[.]com`); never a mailbox.
const AT_PROSE: &[&str] = &[
    "a",
    "also",
    "an",
    "and",
    "are",
    "arrived",
    "available",
    "back",
    "be",
    "beacon",
    "beaconed",
    "beacons",
    "been",
    "blocked",
    "c2",
    "cnc",
    "connected",
    "connecting",
    "connects",
    "controller",
    "detected",
    "directly",
    "domain",
    "down",
    "endpoint",
    "even",
    "found",
    "here",
    "host",
    "hosted",
    "hosting",
    "hosts",
    "infrastructure",
    "is",
    "listening",
    "listed",
    "live",
    "located",
    "look",
    "looking",
    "node",
    "observed",
    "online",
    "only",
    "or",
    "out",
    "page",
    "panel",
    "point",
    "pointed",
    "points",
    "posted",
    "published",
    "ran",
    "redirected",
    "resolved",
    "resolves",
    "run",
    "running",
    "seen",
    "server",
    "servers",
    "site",
    "staged",
    "stored",
    "there",
    "uploaded",
    "was",
];

/// Role mailboxes: a bare ` at ` after one of these reads as an address even when the domain is not defanged.
const ROLE_MAILBOXES: &[&str] = &[
    "abuse",
    "accounting",
    "accounts",
    "admin",
    "administrator",
    "billing",
    "careers",
    "ceo",
    "cfo",
    "contact",
    "finance",
    "help",
    "helpdesk",
    "hr",
    "info",
    "invoice",
    "invoices",
    "it",
    "jobs",
    "legal",
    "mail",
    "marketing",
    "noreply",
    "office",
    "payroll",
    "postmaster",
    "sales",
    "security",
    "support",
    "webmaster",
];

/// True for technology names such as `ASP.NET` and `Node.js`.
pub(super) fn code_token(domain_lower: &str) -> bool {
    CODE_TOKENS.contains(&domain_lower)
}

/// True when the token as written looks like a code identifier rather than a host name: a label with an inner
/// capital (`WebClient`, `PowerShell`) or two capitalised labels (`System.Net`, `Microsoft.Office`).
/// Host names are written in lower case or all capitals.
pub(super) fn code_identifier(written: &str) -> bool {
    let mut capitalised = 0;
    for label in written.split('.') {
        let b = label.as_bytes();
        let has_lower = b.iter().any(u8::is_ascii_lowercase);
        if !has_lower {
            continue;
        }
        if b.windows(2).any(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase()) {
            return true;
        }
        if b.first().is_some_and(u8::is_ascii_uppercase) {
            capitalised += 1;
        }
    }
    capitalised >= 2
}

/// True when `local` (as written before ` at `) can be a mailbox: `strong` when it is a role name or carries
/// mailbox punctuation/digits (then a plain domain is enough), weak when it is just not a prose word.
pub(super) fn at_mailbox(local: &str) -> Option<bool> {
    let lower = local.to_ascii_lowercase();
    if AT_PROSE.contains(&lower.as_str()) {
        return None;
    }
    let strong = ROLE_MAILBOXES.contains(&lower.as_str())
        || local.bytes().any(|c| c.is_ascii_digit() || matches!(c, b'.' | b'-' | b'_' | b'+'));
    Some(strong)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negatives() {
        assert!(code_token("asp.net"));
        assert!(code_identifier("System.Net"));
        assert!(code_identifier("Net.WebClient"));
        assert!(!code_identifier("EVIL.COM"));
        assert!(!code_identifier("Evil.com"));
        assert_eq!(at_mailbox("server"), None);
        assert_eq!(at_mailbox("published"), None);
        assert_eq!(at_mailbox("admin"), Some(true));
        assert_eq!(at_mailbox("mailer-daemon2"), Some(true));
        assert_eq!(at_mailbox("bob"), Some(false));
    }
}
