//! The one error type of every normaliser: why a value is not of a type.
//!
//! Each variant has a stable machine [`code`](NormalizeError::code) (`<kind>.<reason>`, never reworded) and a
//! one-line human explanation ([`Display`](fmt::Display)); the text is what `classify` puts in an `unknown`
//! reason or a type-mismatch error, so rewording a message changes answers on the wire.
//!
//! The `*Shape` variants (and [`RegistryNoHive`](NormalizeError::RegistryNoHive)) say the value does not even
//! look like the type: `classify` tries the next type on them; the others say it looks like the type but is not
//! a valid one, and end classification with that reason.
use std::fmt;

/// Why a value is not of a type.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NormalizeError {
    /// IPv4: not four dot-separated decimal parts.
    Ipv4NotDottedQuad,
    /// IPv4: a part above 255.
    Ipv4OctetRange,
    /// IPv4: a part with a leading zero (`010`): octal in some parsers, decimal in others.
    Ipv4LeadingZero,
    /// IPv4: more than four numeric parts (`1.2.3.4.5`, a version string).
    Ipv4TooManyParts,
    /// Not valid IPv6 text.
    Ipv6Invalid,
    /// CIDR prefix length missing, not a number or too long for the family.
    CidrBadPrefix,

    /// Domain: empty, or only dots.
    DomainEmpty,
    /// Domain: longer than 253 bytes.
    DomainTooLong,
    /// Domain: one label only (`localhost`, `intranet`).
    DomainSingleLabel,
    /// Domain: an empty label (`a..b`), a label over 63 bytes, a label starting or ending with `-`, or a
    /// character outside letters, digits, `-` and `_`.
    DomainBadLabel(String),
    /// Domain: the TLD is numeric (`1.2.3.4.5`, `10.0.19041.1`).
    DomainNumericTld,
    /// Domain: the TLD is not in the IANA root zone.
    DomainUnknownTld(String),
    /// Domain: IDNA (UTS #46) processing failed: disallowed character or bad punycode.
    DomainIdna,
    /// Domain: a `.onion` name that is not a Tor v3 address; the inner error is one of the `Onion*` variants.
    DomainOnion(Box<NormalizeError>),

    /// Onion v3 label: not 56 characters.
    OnionLength,
    /// Onion v3 label: a character outside base32.
    OnionBase32,
    /// Onion v3 label: the version byte is not 3.
    OnionVersion,
    /// Onion v3 label: the checksum does not match.
    OnionChecksum,

    /// E-mail: no `@`, or more than one.
    EmailNoAt,
    /// E-mail: the local part is empty, over 64 bytes, or has a character outside RFC 5322 `atext` and dots.
    EmailBadLocal,
    /// E-mail: the domain part is not a valid domain name (the inner error is a `Domain*` variant).
    EmailBadDomain(Box<NormalizeError>),

    /// URL: no `scheme://`.
    UrlNoScheme,
    /// URL: the scheme has characters other than letters, digits, `+ - .` or does not start with a letter.
    UrlBadScheme,
    /// URL: nothing between `://` and the path.
    UrlNoHost,
    /// URL: the host is neither a domain, an IP address nor a DNS-style host name.
    UrlBadHost(String),
    /// URL: the port is not a number in 0–65535.
    UrlBadPort,
    /// URL: whitespace or control characters inside the URL.
    UrlWhitespace,

    /// CVE: not `CVE-` and at least 9 more characters.
    CveShape,
    /// CVE: the year is not 4 digits followed by `-`.
    CveYear,
    /// CVE: the sequence number is not 4 or more digits.
    CveSequence,
    /// CVE: a sequence number over 4 digits starts with `0`.
    CveLeadingZero,
    /// CVE: a year before 1999.
    CveTooEarly,
    /// CVE: the sequence number does not fit 32 bits.
    CveSequenceTooLarge,

    /// ATT&CK: not one of the ATT&CK id forms.
    AttackShape,

    /// AS number: not `AS`/`ASN` followed by digits.
    AsnShape,
    /// AS number: a leading zero.
    AsnLeadingZero,
    /// AS number: above 4294967295.
    AsnRange,

    /// Bitcoin Base58: not 25 to 35 characters.
    BtcBase58Length,
    /// Bitcoin Base58: a character outside the alphabet.
    BtcBase58Char,
    /// Bitcoin Base58: the value needs more than 25 bytes.
    BtcBase58Overflow,
    /// Bitcoin Base58: leading `1`s and leading zero bytes disagree.
    BtcBase58Size,
    /// Bitcoin Base58: the `Base58Check` checksum does not match.
    BtcBase58Checksum,
    /// Bitcoin Base58: an unknown version byte.
    BtcBase58Version,
    /// Bitcoin Bech32: mixed case.
    BtcBech32Case,
    /// Bitcoin Bech32: not 14 to 90 characters.
    BtcBech32Length,
    /// Bitcoin Bech32: no `1` separator.
    BtcBech32Separator,
    /// Bitcoin Bech32: a character outside the alphabet.
    BtcBech32Char,
    /// Bitcoin Bech32: the data part is shorter than 7 characters.
    BtcBech32Short,
    /// Bitcoin Bech32: the Bech32/Bech32m checksum does not match.
    BtcBech32Checksum,
    /// Bitcoin `SegWit`: witness version above 16.
    BtcWitnessVersion,
    /// Bitcoin `SegWit`: the witness program has invalid padding.
    BtcWitnessPadding,
    /// Bitcoin `SegWit`: the witness program length is invalid.
    BtcWitnessLength,

    /// File path: not one of the path forms.
    PathShape,
    /// Registry key: the value does not start with a hive.
    RegistryNoHive,
    /// Registry key: nothing after the hive.
    RegistryNoSubkey,
    /// Registry key: an empty component or a control character.
    RegistryBadComponent,
}

impl NormalizeError {
    /// Stable machine code, `<kind>.<reason>`: tests and hosts may match on it; it never changes wording.
    pub fn code(&self) -> &'static str {
        use NormalizeError as E;
        match self {
            E::Ipv4NotDottedQuad => "ipv4.not_dotted_quad",
            E::Ipv4OctetRange => "ipv4.octet_range",
            E::Ipv4LeadingZero => "ipv4.leading_zero",
            E::Ipv4TooManyParts => "ipv4.too_many_parts",
            E::Ipv6Invalid => "ipv6.invalid",
            E::CidrBadPrefix => "cidr.bad_prefix",
            E::DomainEmpty => "domain.empty",
            E::DomainTooLong => "domain.too_long",
            E::DomainSingleLabel => "domain.single_label",
            E::DomainBadLabel(_) => "domain.bad_label",
            E::DomainNumericTld => "domain.numeric_tld",
            E::DomainUnknownTld(_) => "domain.unknown_tld",
            E::DomainIdna => "domain.idna",
            E::DomainOnion(_) => "domain.onion",
            E::OnionLength => "onion.length",
            E::OnionBase32 => "onion.base32",
            E::OnionVersion => "onion.version",
            E::OnionChecksum => "onion.checksum",
            E::EmailNoAt => "email.no_at",
            E::EmailBadLocal => "email.bad_local",
            E::EmailBadDomain(_) => "email.bad_domain",
            E::UrlNoScheme => "url.no_scheme",
            E::UrlBadScheme => "url.bad_scheme",
            E::UrlNoHost => "url.no_host",
            E::UrlBadHost(_) => "url.bad_host",
            E::UrlBadPort => "url.bad_port",
            E::UrlWhitespace => "url.whitespace",
            E::CveShape => "cve.shape",
            E::CveYear => "cve.year",
            E::CveSequence => "cve.sequence",
            E::CveLeadingZero => "cve.leading_zero",
            E::CveTooEarly => "cve.too_early",
            E::CveSequenceTooLarge => "cve.sequence_too_large",
            E::AttackShape => "attack.shape",
            E::AsnShape => "asn.shape",
            E::AsnLeadingZero => "asn.leading_zero",
            E::AsnRange => "asn.range",
            E::BtcBase58Length => "btc.base58_length",
            E::BtcBase58Char => "btc.base58_char",
            E::BtcBase58Overflow => "btc.base58_overflow",
            E::BtcBase58Size => "btc.base58_size",
            E::BtcBase58Checksum => "btc.base58_checksum",
            E::BtcBase58Version => "btc.base58_version",
            E::BtcBech32Case => "btc.bech32_case",
            E::BtcBech32Length => "btc.bech32_length",
            E::BtcBech32Separator => "btc.bech32_separator",
            E::BtcBech32Char => "btc.bech32_char",
            E::BtcBech32Short => "btc.bech32_short",
            E::BtcBech32Checksum => "btc.bech32_checksum",
            E::BtcWitnessVersion => "btc.witness_version",
            E::BtcWitnessPadding => "btc.witness_padding",
            E::BtcWitnessLength => "btc.witness_length",
            E::PathShape => "path.shape",
            E::RegistryNoHive => "registry.no_hive",
            E::RegistryNoSubkey => "registry.no_subkey",
            E::RegistryBadComponent => "registry.bad_component",
        }
    }

    /// The fixed text of a variant without data; `None` for the variants whose text carries a value.
    fn fixed(&self) -> Option<&'static str> {
        use NormalizeError as E;
        Some(match self {
            E::Ipv4NotDottedQuad => "not a dotted-quad IPv4 address",
            E::Ipv4OctetRange => "an IPv4 part is above 255",
            E::Ipv4LeadingZero => {
                "an IPv4 part has a leading zero (octal in some parsers, decimal in others)"
            }
            E::Ipv4TooManyParts => {
                "more than four numeric parts: a version number, not an IPv4 address"
            }
            E::Ipv6Invalid => "not valid IPv6 text",
            E::CidrBadPrefix => "the CIDR prefix length is missing or out of range",
            E::DomainEmpty => "empty name",
            E::DomainTooLong => "longer than 253 bytes",
            E::DomainSingleLabel => "a single label, not a fully-qualified domain name",
            E::DomainNumericTld => {
                "the last label is numeric (a version number or an IP, not a TLD)"
            }
            E::DomainIdna => "not a valid internationalised domain name (UTS #46)",
            E::OnionLength => "a v3 address has 56 base32 characters before `.onion`",
            E::OnionBase32 => "a character outside base32 (a-z, 2-7)",
            E::OnionVersion => "the version byte is not 3",
            E::OnionChecksum => "the checksum does not match",
            E::EmailNoAt => "an e-mail address needs exactly one `@`",
            E::EmailBadLocal => "the local part is not a valid RFC 5322 dot-atom",
            E::UrlNoScheme => "no `scheme://`",
            E::UrlBadScheme => "the scheme is not valid",
            E::UrlNoHost => "the URL has no host",
            E::UrlBadPort => "the port is not a number from 0 to 65535",
            E::UrlWhitespace => "a URL cannot contain whitespace or control characters",
            E::CveShape => "a CVE id is `CVE-YYYY-NNNN`",
            E::CveYear => "a CVE id is `CVE-YYYY-NNNN`: the year must be 4 digits",
            E::CveSequence => "the CVE sequence number must be 4 or more digits",
            E::CveLeadingZero => "a CVE sequence number longer than 4 digits has no leading zero",
            E::CveTooEarly => "CVE ids start in 1999",
            E::CveSequenceTooLarge => "the CVE sequence number is too large",
            E::AttackShape => {
                "an ATT&CK id is T####, T####.###, TA####, G####, S####, M####, C####, DS#### or DC####"
            }
            E::AsnShape => "an AS number is `AS` followed by digits (`AS13335`)",
            E::AsnLeadingZero => "an AS number has no leading zero",
            E::AsnRange => "AS numbers are 32-bit (0 to 4294967295)",
            E::BtcBase58Length => "a Base58 Bitcoin address has 25 to 35 characters",
            E::BtcBase58Char => "a character outside the Base58 alphabet",
            E::BtcBase58Overflow => "the Base58 value is longer than 25 bytes",
            E::BtcBase58Size => "the Base58 value does not decode to a 25-byte address",
            E::BtcBase58Checksum => "the Base58Check checksum does not match",
            E::BtcBase58Version => "unknown Base58 version byte",
            E::BtcBech32Case => "a Bech32 address is all lower-case or all upper-case",
            E::BtcBech32Length => "a Bech32 address has 14 to 90 characters",
            E::BtcBech32Separator => "no Bech32 separator",
            E::BtcBech32Char => "a character outside the Bech32 alphabet",
            E::BtcBech32Short => "the Bech32 data part is too short",
            E::BtcBech32Checksum => "the Bech32 checksum does not match",
            E::BtcWitnessVersion => "the witness version is above 16",
            E::BtcWitnessPadding => "the witness program has invalid padding",
            E::BtcWitnessLength => "the witness program length is invalid",
            E::PathShape => {
                "a file path is `C:\\…`, `%VAR%\\…`, `\\\\host\\share\\…` or a Unix path with 2 or more components"
            }
            E::RegistryNoHive => {
                "a registry key starts with a hive (`HKLM\\…`, `HKEY_CURRENT_USER\\…`)"
            }
            E::RegistryNoSubkey => {
                "a registry key needs a subkey after the hive (`HKLM\\Software\\…`)"
            }
            E::RegistryBadComponent => {
                "a registry key has no empty components or control characters"
            }
            E::DomainBadLabel(_)
            | E::DomainUnknownTld(_)
            | E::DomainOnion(_)
            | E::EmailBadDomain(_)
            | E::UrlBadHost(_) => return None,
        })
    }
}

impl fmt::Display for NormalizeError {
    /// One line, no trailing full stop.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use NormalizeError as E;
        if let Some(text) = self.fixed() {
            return f.write_str(text);
        }
        match self {
            E::DomainBadLabel(l) => write!(f, "label `{l}` is not a valid DNS label"),
            E::DomainUnknownTld(t) => write!(f, "TLD `{t}` does not exist"),
            E::DomainOnion(why) => write!(f, "not a Tor v3 onion address: {why}"),
            E::EmailBadDomain(e) => write!(f, "the domain part is invalid: {e}"),
            E::UrlBadHost(h) => write!(f, "host `{h}` is not a domain name or IP address"),
            _ => Ok(()),
        }
    }
}

impl std::error::Error for NormalizeError {}

#[cfg(test)]
mod tests {
    use super::NormalizeError as E;

    fn all() -> Vec<E> {
        vec![
            E::Ipv4NotDottedQuad,
            E::Ipv4OctetRange,
            E::Ipv4LeadingZero,
            E::Ipv4TooManyParts,
            E::Ipv6Invalid,
            E::CidrBadPrefix,
            E::DomainEmpty,
            E::DomainTooLong,
            E::DomainSingleLabel,
            E::DomainBadLabel("-a".into()),
            E::DomainNumericTld,
            E::DomainUnknownTld("zz".into()),
            E::DomainIdna,
            E::DomainOnion(Box::new(E::OnionChecksum)),
            E::OnionLength,
            E::OnionBase32,
            E::OnionVersion,
            E::OnionChecksum,
            E::EmailNoAt,
            E::EmailBadLocal,
            E::EmailBadDomain(Box::new(E::DomainEmpty)),
            E::UrlNoScheme,
            E::UrlBadScheme,
            E::UrlNoHost,
            E::UrlBadHost("h".into()),
            E::UrlBadPort,
            E::UrlWhitespace,
            E::CveShape,
            E::CveYear,
            E::CveSequence,
            E::CveLeadingZero,
            E::CveTooEarly,
            E::CveSequenceTooLarge,
            E::AttackShape,
            E::AsnShape,
            E::AsnLeadingZero,
            E::AsnRange,
            E::BtcBase58Length,
            E::BtcBase58Char,
            E::BtcBase58Overflow,
            E::BtcBase58Size,
            E::BtcBase58Checksum,
            E::BtcBase58Version,
            E::BtcBech32Case,
            E::BtcBech32Length,
            E::BtcBech32Separator,
            E::BtcBech32Char,
            E::BtcBech32Short,
            E::BtcBech32Checksum,
            E::BtcWitnessVersion,
            E::BtcWitnessPadding,
            E::BtcWitnessLength,
            E::PathShape,
            E::RegistryNoHive,
            E::RegistryNoSubkey,
            E::RegistryBadComponent,
        ]
    }

    #[test]
    fn codes_are_unique_and_shaped() {
        let all = all();
        let mut codes: Vec<&str> = all.iter().map(E::code).collect();
        for c in &codes {
            let (kind, reason) = c.split_once('.').unwrap_or_default();
            let word = |s: &str| {
                !s.is_empty()
                    && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            };
            assert!(word(kind) && word(reason), "{c}");
        }
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all.len(), "two variants share a code");
    }

    #[test]
    fn every_message_is_one_nonempty_line() {
        for e in all() {
            let m = e.to_string();
            assert!(
                !m.is_empty() && !m.contains('\n') && !m.ends_with('.'),
                "{:?}: {m:?}",
                e.code()
            );
        }
        assert_eq!(
            E::EmailBadDomain(Box::new(E::DomainUnknownTld("zz".into()))).to_string(),
            "the domain part is invalid: TLD `zz` does not exist"
        );
        assert_eq!(
            E::DomainOnion(Box::new(E::OnionVersion)).to_string(),
            "not a Tor v3 onion address: the version byte is not 3"
        );
    }
}
