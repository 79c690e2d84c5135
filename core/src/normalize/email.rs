//! E-mail addresses: RFC 5322 dot-atom local part `@` a domain name. Canonical form is lower-case (the whole
//! address; mail systems treat local parts case-insensitively in practice and the peers compare that way).
use super::{NormalizeError, domain};
use crate::{DomainFacts, EmailFacts};

/// A parsed e-mail address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    /// Lower-case `local@domain` (domain in A-labels).
    pub canonical: String,
    /// Local part and domain.
    pub facts: EmailFacts,
    /// Facts about the domain.
    pub domain: DomainFacts,
}

fn is_atext(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+/=?^_`{|}~-".contains(&b)
}

/// True when `local` is an RFC 5322 dot-atom of at most 64 bytes (the rule extraction applies too).
pub fn local_ok(local: &str) -> bool {
    let lb = local.as_bytes();
    !(lb.is_empty()
        || lb.len() > 64
        || lb[0] == b'.'
        || lb[lb.len() - 1] == b'.'
        || local.contains("..")
        || !lb.iter().all(|&b| is_atext(b) || b == b'.'))
}

/// Parses an e-mail address (already refanged; an optional `mailto:` prefix is removed).
pub fn parse(input: &str) -> Result<Email, NormalizeError> {
    let s =
        input.strip_prefix("mailto:").or_else(|| input.strip_prefix("MAILTO:")).unwrap_or(input);
    let (local, dom) = s.split_once('@').ok_or(NormalizeError::EmailNoAt)?;
    if dom.contains('@') {
        return Err(NormalizeError::EmailNoAt);
    }
    if !local_ok(local) {
        return Err(NormalizeError::EmailBadLocal);
    }
    let d = domain::validate(dom).map_err(|e| NormalizeError::EmailBadDomain(Box::new(e)))?;
    let canonical = format!("{}@{}", local.to_ascii_lowercase(), d.canonical);
    Ok(Email {
        canonical,
        facts: EmailFacts { local: local.to_owned(), domain: d.canonical },
        domain: d.facts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        assert_eq!(parse("CFO@X.Live").unwrap().canonical, "cfo@x.live");
        assert_eq!(parse("mailto:a.b+tag@evil.co.uk").unwrap().canonical, "a.b+tag@evil.co.uk");
        assert_eq!(parse("a@b@c.com"), Err(NormalizeError::EmailNoAt));
        assert_eq!(parse(".a@c.com"), Err(NormalizeError::EmailBadLocal));
        assert_eq!(parse("a..b@c.com"), Err(NormalizeError::EmailBadLocal));
        assert_eq!(parse("a b@c.com"), Err(NormalizeError::EmailBadLocal));
        assert!(matches!(parse("a@c.notatld"), Err(NormalizeError::EmailBadDomain(_))));
    }
}
