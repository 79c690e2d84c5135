//! Phishing forms a host name or URL shows by itself, each a named score factor with fixed points
//! (`docs/scoring.md`, "Phishing forms"):
//!
//! * `url-userinfo`: `https://paypal.com@evil.xyz/` — the browser goes to `evil.xyz`; stronger when the user
//!   part reads as a domain or holds a brand name;
//! * `brand-subdomain`: a popular registrable domain's labels left of a different registrable domain
//!   (`login.microsoftonline.com.evil.xyz`);
//! * `idn-homograph`: the Unicode form reads as a popular domain once every character is replaced by its
//!   Unicode TR39 confusable prototype (`pаypal.com` with a Cyrillic `а`);
//! * `mixed-script`: Latin, Cyrillic and Greek letters mixed in one label;
//! * `brand-in-domain`: a much-impersonated brand name with a lure word inside an unrelated registrable domain
//!   (`paypal-secure-login.com`).
//!
//! None of them applies to a host that its own registrable domain's popularity vouches for.
use super::FactorName;
use crate::intel::{self, Role};
use crate::normalize::domain;

/// Points for a URL with user info before the host.
pub const USERINFO: i32 = 15;
/// Points when that user info reads as a domain or holds a brand name.
pub const USERINFO_DOMAIN: i32 = 25;
/// Points for a popular domain's labels left of a different registrable domain.
pub const BRAND_SUBDOMAIN: i32 = 25;
/// Points for an IDN that reads as a popular domain (TR39 confusables).
pub const HOMOGRAPH: i32 = 30;
/// Points for Latin/Cyrillic/Greek letters mixed in one label (when not already a homograph).
pub const MIXED_SCRIPT: i32 = 20;
/// Points for a brand name inside an unrelated registrable domain.
pub const BRAND_IN_DOMAIN: i32 = 15;

/// One phishing form found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    /// Factor name.
    pub name: FactorName,
    /// Points.
    pub points: i32,
    /// What was seen.
    pub detail: String,
}

/// Much-impersonated brand names (APWG and vendor phishing-trend reports name the same few dozen), sorted.
/// Matched as a whole token of the registrable label (split at `-`, digits and dots), or inside it when the
/// brand has 6 or more letters.
const BRANDS: &[&str] = &[
    "adobe",
    "airbnb",
    "alibaba",
    "amazon",
    "americanexpress",
    "apple",
    "binance",
    "blockchain",
    "booking",
    "chase",
    "citibank",
    "coinbase",
    "dhl",
    "docusign",
    "dropbox",
    "ebay",
    "facebook",
    "fedex",
    "github",
    "gmail",
    "google",
    "hsbc",
    "icloud",
    "instagram",
    "linkedin",
    "mastercard",
    "metamask",
    "microsoft",
    "netflix",
    "office365",
    "onedrive",
    "outlook",
    "paypal",
    "sharepoint",
    "spotify",
    "steamcommunity",
    "telegram",
    "usps",
    "wellsfargo",
    "whatsapp",
    "yahoo",
];

/// Unicode TR39 confusable prototypes (confusables.txt 18.0, as shipped in `unicode-security` 0.1.3) of the
/// lower-case Latin-extended, IPA, Greek and Cyrillic letters whose prototype is one ASCII letter or digit,
/// sorted by code point. The full table (6,000+ rows) would not fit the WebAssembly size budget; these are the
/// letters a homograph of an ASCII brand is made of.
const CONFUSABLE: &[(char, u8)] = &[
    ('\u{a1}', b'i'),
    ('\u{d7}', b'x'),
    ('\u{fe}', b'p'),
    ('\u{131}', b'i'),
    ('\u{17f}', b'f'),
    ('\u{18d}', b'g'),
    ('\u{192}', b'f'),
    ('\u{1bd}', b's'),
    ('\u{1bf}', b'p'),
    ('\u{1c0}', b'l'),
    ('\u{223}', b'8'),
    ('\u{237}', b'j'),
    ('\u{251}', b'a'),
    ('\u{261}', b'g'),
    ('\u{263}', b'y'),
    ('\u{269}', b'i'),
    ('\u{26a}', b'i'),
    ('\u{26f}', b'w'),
    ('\u{284}', b'f'),
    ('\u{28b}', b'u'),
    ('\u{28f}', b'y'),
    ('\u{3b1}', b'a'),
    ('\u{3b3}', b'y'),
    ('\u{3b9}', b'i'),
    ('\u{3bd}', b'v'),
    ('\u{3bf}', b'o'),
    ('\u{3c1}', b'p'),
    ('\u{3c3}', b'o'),
    ('\u{3c5}', b'u'),
    ('\u{3d2}', b'y'),
    ('\u{3ed}', b'o'),
    ('\u{3f1}', b'p'),
    ('\u{3f2}', b'c'),
    ('\u{3f3}', b'j'),
    ('\u{3f8}', b'p'),
    ('\u{430}', b'a'),
    ('\u{431}', b'6'),
    ('\u{433}', b'r'),
    ('\u{435}', b'e'),
    ('\u{43e}', b'o'),
    ('\u{440}', b'p'),
    ('\u{441}', b'c'),
    ('\u{443}', b'y'),
    ('\u{445}', b'x'),
    ('\u{448}', b'w'),
    ('\u{455}', b's'),
    ('\u{456}', b'i'),
    ('\u{458}', b'j'),
    ('\u{461}', b'w'),
    ('\u{475}', b'v'),
    ('\u{4af}', b'y'),
    ('\u{4bb}', b'h'),
    ('\u{4bd}', b'e'),
    ('\u{4cf}', b'l'),
    ('\u{501}', b'd'),
    ('\u{51b}', b'q'),
    ('\u{51d}', b'w'),
];

fn prototype(c: char) -> Option<char> {
    if c.is_ascii() {
        return Some(c);
    }
    CONFUSABLE.binary_search_by_key(&c, |e| e.0).ok().map(|i| char::from(CONFUSABLE[i].1))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Script {
    Latin,
    Greek,
    Cyrillic,
    Other,
}

fn script(c: char) -> Option<Script> {
    match c {
        'a'..='z' | 'A'..='Z' | '\u{c0}'..='\u{24f}' => Some(Script::Latin),
        '\u{370}'..='\u{3ff}' => Some(Script::Greek),
        '\u{400}'..='\u{52f}' => Some(Script::Cyrillic),
        // Digits, hyphen, underscore: common to every script; any other non-ASCII character (CJK, Arabic …)
        // is another script, which TR39 allows beside Latin and which is not what this form looks for.
        _ if c.is_ascii() => None,
        _ => Some(Script::Other),
    }
}

/// The first label mixing Latin, Greek and Cyrillic letters.
fn mixed_label(unicode: &str) -> Option<&str> {
    unicode.split('.').find(|label| {
        let mut seen: Option<Script> = None;
        label.chars().filter_map(script).any(|s| {
            if s == Script::Other {
                return false;
            }
            match seen {
                Some(p) if p != s => true,
                _ => {
                    seen = Some(s);
                    false
                }
            }
        })
    })
}

/// The popular list that holds `name` itself (the `second-level-tlds` list names suffixes, not domains).
pub(crate) fn popular_list(name: &str) -> Option<String> {
    intel::name_hits(Role::PopularDomains, name)
        .into_iter()
        .find(|h| h.matched == name && h.list != "second-level-tlds")
        .map(|h| h.list)
}

/// The registrable domain of a name, when it has one.
fn registrable_of(name: &str) -> Option<&str> {
    let (ps, _) = domain::public_suffix(name);
    if ps == 0 {
        return None;
    }
    let head = &name[..ps - 1];
    Some(head.rfind('.').map_or(name, |i| &name[i + 1..]))
}

/// Words phishing names pair a brand with (`paypal-secure-login`, `apple-id-support`), sorted. A brand alone in
/// a registrable label is too often the brand's own second domain (`amazon-adsystem.com`, `amazonvideo.com`).
const LURES: &[&str] = &[
    "access",
    "account",
    "accounts",
    "alert",
    "auth",
    "billing",
    "bonus",
    "claim",
    "confirm",
    "customer",
    "gift",
    "help",
    "helpdesk",
    "id",
    "invoice",
    "login",
    "logon",
    "notice",
    "online",
    "password",
    "pay",
    "payment",
    "portal",
    "recover",
    "recovery",
    "refund",
    "reward",
    "secure",
    "security",
    "service",
    "services",
    "signin",
    "support",
    "unlock",
    "update",
    "validate",
    "verification",
    "verify",
    "wallet",
    "webmail",
];

fn tokens(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| c == '-' || c == '.' || c == '_' || c.is_ascii_digit())
        .filter(|t| !t.is_empty())
}

/// A brand in a registrable label together with a lure word: `paypal-secure-login`, `securepaypallogin`.
fn brand_with_lure(label: &str) -> Option<&'static str> {
    let brand = brand_in(label)?;
    let lure = tokens(label).any(|t| LURES.binary_search(&t).is_ok())
        || LURES.iter().any(|l| l.len() >= 5 && label.replacen(brand, "", 1).contains(l));
    lure.then_some(brand)
}

fn brand_in(text: &str) -> Option<&'static str> {
    BRANDS
        .iter()
        .copied()
        .find(|b| tokens(text).any(|t| t == *b) || (b.len() >= 6 && text.contains(b)))
}

/// User info of a canonical URL (`scheme://userinfo@host…`).
pub(crate) fn userinfo(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    authority.rsplit_once('@').map(|(u, _)| u).filter(|u| !u.is_empty())
}

/// The phishing forms of a host (`ascii` canonical, `unicode` form when an IDN) with its registrable domain and
/// public suffix, and the user info of the URL it came from. `vouched`: the host's own registrable domain (or
/// the host) is popular — even when a user-content list then withholds the benign credit —, so only the
/// user-info form applies (`github.com/…` is not a brand impersonation).
pub(crate) fn forms(
    ascii: &str,
    unicode: Option<&str>,
    registrable: Option<&str>,
    suffix: &str,
    user: Option<&str>,
    vouched: bool,
) -> Vec<Form> {
    let mut out = Vec::new();
    if let Some(u) = user {
        let name = u.split(':').next().unwrap_or(u).to_ascii_lowercase();
        let looks_like_domain = name.contains('.') && domain::validate(&name).is_ok();
        let (points, why) = if looks_like_domain {
            (USERINFO_DOMAIN, "reads as a domain".to_owned())
        } else if let Some(b) = brand_in(&name) {
            (USERINFO_DOMAIN, format!("holds the brand name {b}"))
        } else {
            (USERINFO, "is user info".to_owned())
        };
        out.push(Form {
            name: FactorName::UrlUserinfo,
            points,
            detail: format!("`{name}` before the @ {why}: the browser goes to {ascii}, not there"),
        });
    }
    if vouched {
        return out;
    }
    let Some(reg) = registrable else { return out };
    // Brand as subdomain: every dotted run of the labels left of the registrable domain that is itself a
    // registrable domain on a popular list.
    if let Some(sub) = ascii.strip_suffix(reg).and_then(|s| s.strip_suffix('.')) {
        let labels: Vec<&str> = sub.split('.').collect();
        'outer: for end in (1..=labels.len()).rev() {
            for start in 0..end.saturating_sub(1) {
                let cand = labels[start..end].join(".");
                if registrable_of(&cand) == Some(cand.as_str())
                    && let Some(list) = popular_list(&cand)
                {
                    out.push(Form {
                        name: FactorName::BrandSubdomain,
                        points: BRAND_SUBDOMAIN,
                        detail: format!(
                            "{cand} ({list}) sits left of the unrelated registrable domain {reg}"
                        ),
                    });
                    break 'outer;
                }
            }
        }
    }
    if let Some(u) = unicode {
        let skeleton: Option<String> = u.chars().map(prototype).collect();
        let hit = skeleton.filter(|s| s != ascii).and_then(|s| {
            let r = registrable_of(&s)?.to_owned();
            popular_list(&r).map(|list| (s, r, list))
        });
        if let Some((s, r, list)) = hit {
            out.push(Form {
                name: FactorName::IdnHomograph,
                points: HOMOGRAPH,
                detail: format!(
                    "{u} reads as {s}: confusable with the popular domain {r} ({list}) by the Unicode TR39 \
                     skeleton"
                ),
            });
        } else if let Some(label) = mixed_label(u) {
            out.push(Form {
                name: FactorName::MixedScript,
                points: MIXED_SCRIPT,
                detail: format!("label `{label}` mixes Latin, Cyrillic or Greek letters"),
            });
        }
    }
    let label = reg.strip_suffix(suffix).and_then(|s| s.strip_suffix('.')).unwrap_or(reg);
    if !out.iter().any(|f| f.name == FactorName::BrandSubdomain)
        && let Some(b) = brand_with_lure(label)
    {
        out.push(Form {
            name: FactorName::BrandInDomain,
            points: BRAND_IN_DOMAIN,
            detail: format!(
                "the brand name {b} with a lure word inside the unrelated registrable domain {reg}"
            ),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_sorted() {
        assert!(BRANDS.windows(2).all(|w| w[0] < w[1]));
        assert!(CONFUSABLE.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn userinfo_of_a_url() {
        assert_eq!(userinfo("https://paypal.com@evil.xyz/x"), Some("paypal.com"));
        assert_eq!(userinfo("https://evil.xyz/a@b"), None);
        assert_eq!(userinfo("ftp://u:p@h.com/"), Some("u:p"));
    }

    #[test]
    fn mixed_scripts() {
        assert_eq!(mixed_label("p\u{430}ypal.com"), Some("p\u{430}ypal"));
        assert_eq!(mixed_label("\u{43f}\u{440}\u{438}\u{432}\u{435}\u{442}.com"), None);
        assert_eq!(mixed_label("caf\u{e9}.com"), None);
    }

    #[test]
    fn brands_match_tokens() {
        assert_eq!(brand_in("paypal-secure"), Some("paypal"));
        assert_eq!(brand_in("securepaypallogin"), Some("paypal"));
        assert_eq!(brand_in("pineapple"), None, "short brands match whole tokens only");
        assert_eq!(brand_in("apple-id"), Some("apple"));
    }

    #[test]
    fn brand_needs_a_lure_word() {
        assert!(LURES.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(brand_with_lure("paypal-secure-login"), Some("paypal"));
        assert_eq!(brand_with_lure("securepaypallogin"), Some("paypal"));
        assert_eq!(brand_with_lure("apple-id-support"), Some("apple"));
        assert_eq!(brand_with_lure("amazon-adsystem"), None);
        assert_eq!(brand_with_lure("amazonvideo"), None);
    }

    #[test]
    fn registrable_of_a_name() {
        assert_eq!(registrable_of("login.microsoftonline.com"), Some("microsoftonline.com"));
        assert_eq!(registrable_of("com"), None);
        assert_eq!(registrable_of("a.b.co.uk"), Some("b.co.uk"));
    }
}
