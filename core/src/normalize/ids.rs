//! Identifier syntaxes: CVE ids, MITRE ATT&CK ids and autonomous system numbers.
use super::NormalizeError;
use crate::{AttackIdFacts, AttackIdKind, CveFacts};

/// Parses a CVE id `CVE-YYYY-NNNN…` (case-insensitive; refang has already turned non-ASCII hyphens into `-`).
/// The sequence number has 4 digits, or more without a leading zero (CVE id syntax, 2014). Returns the upper-case
/// id and its facts.
pub fn parse_cve(s: &str) -> Result<(String, CveFacts), NormalizeError> {
    let b = s.as_bytes();
    if b.len() < 13 || !b[..4].eq_ignore_ascii_case(b"cve-") {
        return Err(NormalizeError::CveShape);
    }
    // Check bytes before slicing the str: a non-ASCII character here must not split a char boundary.
    if !b[4..8].iter().all(u8::is_ascii_digit) || b[8] != b'-' {
        return Err(NormalizeError::CveYear);
    }
    let year = &s[4..8];
    let num = &s[9..];
    if num.len() < 4 || num.len() > 19 || !num.bytes().all(|c| c.is_ascii_digit()) {
        return Err(NormalizeError::CveSequence);
    }
    if num.len() > 4 && num.starts_with('0') {
        return Err(NormalizeError::CveLeadingZero);
    }
    let year: u16 = year.parse().map_err(|_| NormalizeError::CveYear)?;
    if year < 1999 {
        return Err(NormalizeError::CveTooEarly);
    }
    let number: u32 = num.parse().map_err(|_| NormalizeError::CveSequenceTooLarge)?;
    Ok((format!("CVE-{year}-{num}"), CveFacts { year, number }))
}

fn digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|c| c.is_ascii_digit())
}

/// Parses an ATT&CK id: `T####`, `T####.###`, `TA####`, `G####`, `S####`, `M####`, `C####`, `DS####`, `DC####`
/// (case-insensitive). Returns the upper-case id and its kind; catalogue validation is done by `attack`.
pub fn parse_attack(s: &str) -> Result<(String, AttackIdFacts), NormalizeError> {
    attack_shape(s).ok_or(NormalizeError::AttackShape)
}

fn attack_shape(s: &str) -> Option<(String, AttackIdFacts)> {
    let upper = s.to_ascii_uppercase();
    let kind = if let Some(rest) = upper.strip_prefix("TA") {
        digits(rest, 4).then_some(AttackIdKind::Tactic)?
    } else if let Some(rest) = upper.strip_prefix("DS").or_else(|| upper.strip_prefix("DC")) {
        digits(rest, 4).then_some(AttackIdKind::DataComponent)?
    } else if let Some(rest) = upper.strip_prefix('T') {
        match rest.split_once('.') {
            Some((t, sub)) if digits(t, 4) && digits(sub, 3) => AttackIdKind::SubTechnique,
            None if digits(rest, 4) => AttackIdKind::Technique,
            _ => return None,
        }
    } else {
        let (first, rest) = upper.split_at_checked(1)?;
        if !digits(rest, 4) {
            return None;
        }
        match first {
            "G" => AttackIdKind::Group,
            "S" => AttackIdKind::Software,
            "M" => AttackIdKind::Mitigation,
            "C" => AttackIdKind::Campaign,
            _ => return None,
        }
    };
    Some((upper, AttackIdFacts { id_kind: kind, domain: None, name: None }))
}

/// Parses an AS number: `AS13335`, `as13335`, `ASN13335`, `ASN 13335`, `AS 13335`. Returns `AS` + the number.
pub fn parse_asn(s: &str) -> Result<String, NormalizeError> {
    let b = s.as_bytes();
    if b.len() < 3 || !b[..2].eq_ignore_ascii_case(b"as") {
        return Err(NormalizeError::AsnShape);
    }
    let mut rest = &s[2..];
    if rest.as_bytes().first().is_some_and(|c| c.eq_ignore_ascii_case(&b'n')) {
        rest = &rest[1..];
    }
    let rest = rest.trim_start_matches([' ', '-', ':']);
    if rest.is_empty() || rest.len() > 10 || !rest.bytes().all(|c| c.is_ascii_digit()) {
        return Err(NormalizeError::AsnShape);
    }
    if rest.len() > 1 && rest.starts_with('0') {
        return Err(NormalizeError::AsnLeadingZero);
    }
    match rest.parse::<u32>() {
        Ok(n) => Ok(format!("AS{n}")),
        Err(_) => Err(NormalizeError::AsnRange),
    }
}

/// A note for special-purpose AS numbers (IANA Special-Purpose AS Numbers registry), `None` for ordinary ones.
pub fn asn_note(n: u32) -> Option<&'static str> {
    Some(match n {
        0 => "AS0 is reserved (RFC 7607)",
        23456 => "AS23456 is AS_TRANS (RFC 6793)",
        64496..=64511 | 65536..=65551 => "documentation AS number (RFC 5398)",
        64512..=65534 | 4_200_000_000..=4_294_967_294 => "private-use AS number (RFC 6996)",
        65535 | 4_294_967_295 => "reserved AS number (RFC 7300)",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cve() {
        assert_eq!(parse_cve("cve-2021-44228").unwrap().0, "CVE-2021-44228");
        assert_eq!(parse_cve("CVE-2014-0160").unwrap().1, CveFacts { year: 2014, number: 160 });
        assert_eq!(parse_cve("CVE-2023-1234567").unwrap().0, "CVE-2023-1234567");
        assert!(parse_cve("CVE-2021-123").is_err());
        assert!(parse_cve("CVE-2021-01234").is_err());
        assert!(parse_cve("CVE-21-1234").is_err());
        assert!(parse_cve("CVE-1998-1234").is_err());
        assert!(parse_cve("cve-é2021-44228").is_err());
        assert!(parse_cve("cve-2021-4422é").is_err());
    }

    #[test]
    fn attack() {
        let k = |s: &str| parse_attack(s).ok().map(|(id, f)| (id, f.id_kind));
        assert_eq!(k("T1059"), Some(("T1059".into(), AttackIdKind::Technique)));
        assert_eq!(k("t1059.001"), Some(("T1059.001".into(), AttackIdKind::SubTechnique)));
        assert_eq!(k("TA0001"), Some(("TA0001".into(), AttackIdKind::Tactic)));
        assert_eq!(k("G0016"), Some(("G0016".into(), AttackIdKind::Group)));
        assert_eq!(k("S0650"), Some(("S0650".into(), AttackIdKind::Software)));
        assert_eq!(k("M1036"), Some(("M1036".into(), AttackIdKind::Mitigation)));
        assert_eq!(k("C0024"), Some(("C0024".into(), AttackIdKind::Campaign)));
        assert_eq!(k("DS0009"), Some(("DS0009".into(), AttackIdKind::DataComponent)));
        assert_eq!(k("T105"), None);
        assert_eq!(k("T1059.01"), None);
        assert_eq!(k("X1234"), None);
        assert_eq!(parse_attack("X1234"), Err(NormalizeError::AttackShape));
    }

    #[test]
    fn the_attack_shape_message_names_every_form_the_grammar_takes() {
        let message = NormalizeError::AttackShape.to_string();
        let forms = message.strip_prefix("an ATT&CK id is ").unwrap_or_default();
        let forms: Vec<&str> = forms.split([',', ' ']).filter(|f| f.contains('#')).collect();
        assert_eq!(forms.len(), 9, "{message}");
        for form in forms {
            assert!(parse_attack(&form.replace('#', "1")).is_ok(), "{form} in {message:?}");
        }
    }

    #[test]
    fn asn() {
        assert_eq!(parse_asn("AS13335"), Ok("AS13335".into()));
        assert_eq!(parse_asn("asn 13335"), Ok("AS13335".into()));
        assert_eq!(parse_asn("ASN13335"), Ok("AS13335".into()));
        assert_eq!(parse_asn("AS4294967295"), Ok("AS4294967295".into()));
        assert_eq!(parse_asn("AS4294967296"), Err(NormalizeError::AsnRange));
        assert_eq!(parse_asn("AS013335"), Err(NormalizeError::AsnLeadingZero));
        assert_eq!(parse_asn("ASP"), Err(NormalizeError::AsnShape));
        assert_eq!(asn_note(64500), Some("documentation AS number (RFC 5398)"));
    }
}
