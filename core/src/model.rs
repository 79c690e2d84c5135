//! The wire format shared by every host (CLI, server, WASM, Extism, Python, browser).
//!
//! Field names are stable: hosts serialise these types with serde and never re-shape them.
//! Module-specific types live beside their module (`attack`, `query`, `score`) and are re-exported there.
use serde::{Deserialize, Serialize};

/// The type of an indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IocKind {
    /// IPv4 address, dotted quad.
    Ipv4,
    /// IPv6 address, RFC 5952 text.
    Ipv6,
    /// IPv4 or IPv6 network in CIDR notation.
    Cidr,
    /// Fully-qualified domain name with an existing TLD.
    Domain,
    /// URL with a scheme (refanged).
    Url,
    /// E-mail address.
    Email,
    /// MD5 digest (32 hex digits).
    Md5,
    /// SHA-1 digest (40 hex digits).
    Sha1,
    /// SHA-256 digest (64 hex digits).
    Sha256,
    /// SHA-512 digest (128 hex digits).
    Sha512,
    /// CVE id.
    Cve,
    /// MITRE ATT&CK id: technique, sub-technique, tactic, group, software, mitigation, campaign.
    Attack,
    /// Autonomous system number (`AS13335`).
    Asn,
    /// Bitcoin address with a verified checksum.
    Btc,
    /// Windows or Unix file path.
    FilePath,
    /// Windows registry key.
    RegistryKey,
    /// Not an indicator; `reason` says why.
    Unknown,
}

impl IocKind {
    /// Every kind, in display order.
    pub const ALL: [IocKind; 17] = [
        IocKind::Ipv4,
        IocKind::Ipv6,
        IocKind::Cidr,
        IocKind::Domain,
        IocKind::Url,
        IocKind::Email,
        IocKind::Md5,
        IocKind::Sha1,
        IocKind::Sha256,
        IocKind::Sha512,
        IocKind::Cve,
        IocKind::Attack,
        IocKind::Asn,
        IocKind::Btc,
        IocKind::FilePath,
        IocKind::RegistryKey,
        IocKind::Unknown,
    ];

    /// The wire name (`"ipv4"`, `"file_path"` …).
    pub fn as_str(self) -> &'static str {
        match self {
            IocKind::Ipv4 => "ipv4",
            IocKind::Ipv6 => "ipv6",
            IocKind::Cidr => "cidr",
            IocKind::Domain => "domain",
            IocKind::Url => "url",
            IocKind::Email => "email",
            IocKind::Md5 => "md5",
            IocKind::Sha1 => "sha1",
            IocKind::Sha256 => "sha256",
            IocKind::Sha512 => "sha512",
            IocKind::Cve => "cve",
            IocKind::Attack => "attack",
            IocKind::Asn => "asn",
            IocKind::Btc => "btc",
            IocKind::FilePath => "file_path",
            IocKind::RegistryKey => "registry_key",
            IocKind::Unknown => "unknown",
        }
    }

    /// Parses a wire name or a common alias. Accepts the spellings other products use: `mitre-attack`,
    /// `mitre_attack`, `mitre technique`. `ip` and `hash` name several types: see [`IocKind::family`].
    pub fn parse(s: &str) -> Option<IocKind> {
        let lower = s.trim().to_ascii_lowercase();
        Some(match lower.as_str() {
            "ipv4" | "ip4" | "ipv4-addr" => IocKind::Ipv4,
            "ipv6" | "ip6" | "ipv6-addr" => IocKind::Ipv6,
            "cidr" | "network" | "subnet" => IocKind::Cidr,
            "domain" | "fqdn" | "hostname" | "domain-name" => IocKind::Domain,
            "url" | "uri" => IocKind::Url,
            "email" | "email-addr" | "e-mail" => IocKind::Email,
            "md5" => IocKind::Md5,
            "sha1" | "sha-1" => IocKind::Sha1,
            "sha256" | "sha-256" => IocKind::Sha256,
            "sha512" | "sha-512" => IocKind::Sha512,
            "cve" => IocKind::Cve,
            "attack" | "mitre-attack" | "mitre_attack" | "mitre technique" | "mitre"
            | "technique" => IocKind::Attack,
            "asn" => IocKind::Asn,
            "btc" | "bitcoin" => IocKind::Btc,
            "file_path" | "path" | "filepath" => IocKind::FilePath,
            "registry_key" | "registry" | "regkey" => IocKind::RegistryKey,
            "unknown" => IocKind::Unknown,
            _ => return None,
        })
    }

    /// The kinds a family name stands for, for filters and forced types that name a family rather than one
    /// type: `ip` (ipv4, ipv6, cidr: [`IocKind::is_ip`]) and `hash` (md5, sha1, sha256, sha512:
    /// [`IocKind::is_hash`]). `None` for anything else (one type's name included).
    pub fn family(s: &str) -> Option<&'static [IocKind]> {
        const IP: &[IocKind] = &[IocKind::Ipv4, IocKind::Ipv6, IocKind::Cidr];
        const HASH: &[IocKind] = &[IocKind::Md5, IocKind::Sha1, IocKind::Sha256, IocKind::Sha512];
        match s.trim().to_ascii_lowercase().as_str() {
            "ip" | "ips" | "ip-addr" => Some(IP),
            "hash" | "hashes" | "file-hash" => Some(HASH),
            _ => None,
        }
    }

    /// True for md5/sha1/sha256/sha512.
    pub fn is_hash(self) -> bool {
        matches!(self, IocKind::Md5 | IocKind::Sha1 | IocKind::Sha256 | IocKind::Sha512)
    }

    /// True for ipv4/ipv6/cidr.
    pub fn is_ip(self) -> bool {
        matches!(self, IocKind::Ipv4 | IocKind::Ipv6 | IocKind::Cidr)
    }
}

impl std::fmt::Display for IocKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The result of classifying one value. `classify` never fails: a value that is not an indicator is
/// `kind = unknown` with a `reason`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Classified {
    /// The detected (or forced) type.
    #[serde(rename = "type")]
    pub kind: IocKind,
    /// The canonical value: refanged, lower-cased where the type is case-insensitive, RFC 5952 for IPv6,
    /// URL with lower-case scheme and host and no default port. Empty for `unknown`.
    pub canonical: String,
    /// The value as given (trimmed).
    pub input: String,
    /// The input carried defang markers (`[.]`, `hxxp`, `[@]` …) that were removed.
    pub defanged: bool,
    /// Type-specific facts.
    #[serde(default, skip_serializing_if = "Facts::is_empty")]
    pub facts: Facts,
    /// Why the value is `unknown` (or a note on a valid one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Classified {
    /// A value already known to be `kind` and already canonical, with no facts and no defang markers: what a
    /// caller holding typed data (a hand-written corpus case, a benchmark, a test) passes to the mappers and
    /// scorers without classifying it again.
    pub fn known(kind: IocKind, canonical: &str) -> Self {
        Classified {
            kind,
            canonical: canonical.to_owned(),
            input: canonical.to_owned(),
            defanged: false,
            facts: Facts::default(),
            reason: None,
        }
    }
}

/// Type-specific facts about a classified value. At most the fields that apply to the type are set.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Facts {
    /// IPv4, IPv6 and CIDR: address family and special-purpose class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<IpFacts>,
    /// Domain (also the host of a URL or e-mail): registrable domain, public suffix, IDN forms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<DomainFacts>,
    /// URL components.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<UrlFacts>,
    /// E-mail components.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<EmailFacts>,
    /// ATT&CK id facts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attack: Option<AttackIdFacts>,
    /// CVE id facts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cve: Option<CveFacts>,
    /// Bitcoin address encoding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub btc: Option<BtcFacts>,
    /// File path facts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<PathFacts>,
}

impl Facts {
    /// True when no fact is set.
    pub fn is_empty(&self) -> bool {
        *self == Facts::default()
    }
}

/// Special-purpose class of an IP address (IANA IPv4/IPv6 Special-Purpose Address Registries).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IpScope {
    /// Globally routable.
    Global,
    /// RFC 1918 / unique-local (`fc00::/7`).
    Private,
    /// `127.0.0.0/8`, `::1`.
    Loopback,
    /// `169.254.0.0/16`, `fe80::/10`.
    LinkLocal,
    /// `100.64.0.0/10` shared address space.
    Cgnat,
    /// `192.0.2.0/24`, `198.51.100.0/24`, `203.0.113.0/24`, `233.252.0.0/24`, `2001:db8::/32`, `3fff::/20`.
    Documentation,
    /// `224.0.0.0/4`, `ff00::/8`.
    Multicast,
    /// `198.18.0.0/15`, `2001:2::/48`.
    Benchmarking,
    /// `0.0.0.0/8`, `::/128`.
    Unspecified,
    /// `255.255.255.255`.
    Broadcast,
    /// `240.0.0.0/4` and other reserved blocks (IETF protocol assignments, IPv6 space reserved by IETF).
    Reserved,
    /// `::ffff:0:0/96` (the embedded IPv4 is reported in `embedded_ipv4`).
    Ipv4Mapped,
    /// `64:ff9b::/96`, `64:ff9b:1::/48` translation prefixes.
    Translation,
    /// `2002::/16` 6to4, `2001::/32` Teredo.
    Tunnel,
}

impl IpScope {
    /// True when the address is not valid as an external indicator.
    pub fn is_reserved(self) -> bool {
        !matches!(self, IpScope::Global | IpScope::Tunnel | IpScope::Translation)
    }
}

/// Facts about an IP address or network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IpFacts {
    /// 4 or 6.
    pub version: u8,
    /// Special-purpose class.
    pub scope: IpScope,
    /// The IANA registry entry name (`"Private-Use"`, `"Documentation (TEST-NET-3)"` …), when special.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub special: Option<String>,
    /// CIDR only: the prefix length.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix_len: Option<u8>,
    /// IPv4-mapped / 6to4 / NAT64 embedded IPv4 address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub embedded_ipv4: Option<String>,
    /// The port of an `ip:port` or `[v6]:port` value (the value itself is the address).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
}

/// Facts about a domain name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainFacts {
    /// Registrable domain (eTLD+1) per the Public Suffix List; absent when the name is itself a public suffix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registrable: Option<String>,
    /// The public suffix (`co.uk`, `com`, `blogspot.com` …).
    pub public_suffix: String,
    /// The public suffix comes from the PSL's private section (`github.io`, `duckdns.org` …).
    pub private_suffix: bool,
    /// The top-level domain.
    pub tld: String,
    /// The labels before the registrable domain (`a.b` in `a.b.evil.com`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subdomain: Option<String>,
    /// Unicode form (U-labels) when the name is an IDN; the canonical value is always the A-label form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unicode: Option<String>,
    /// The name is reserved for documentation/testing (`example.com`, `.test`, `.invalid`, `.localhost`).
    pub reserved: bool,
}

/// Facts about a URL.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UrlFacts {
    /// Lower-case scheme.
    pub scheme: String,
    /// Lower-case host as written in the canonical URL (IPv6 without brackets).
    pub host: String,
    /// Type of the host: domain, ipv4, ipv6 or unknown.
    pub host_type: IocKind,
    /// Explicit non-default port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// Path, not percent-decoded (`/` when empty).
    pub path: String,
    /// Query without `?`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// Fragment without `#`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fragment: Option<String>,
    /// User info was present (`user:pass@host`): a phishing trick worth flagging.
    pub has_userinfo: bool,
}

/// Facts about an e-mail address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailFacts {
    /// Local part (case preserved in facts; the canonical value is lower-case).
    pub local: String,
    /// Domain part, canonical.
    pub domain: String,
}

/// What an ATT&CK id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttackIdKind {
    /// `T####`.
    Technique,
    /// `T####.###`.
    SubTechnique,
    /// `TA####`.
    Tactic,
    /// `G####`.
    Group,
    /// `S####`.
    Software,
    /// `M####`.
    Mitigation,
    /// `C####`.
    Campaign,
    /// `DS####` / `DC####`.
    DataComponent,
}

/// Facts about an ATT&CK id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttackIdFacts {
    /// What the id names.
    pub id_kind: AttackIdKind,
    /// `enterprise`, `mobile` or `ics`, when the id is in the embedded catalogue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// Name from the embedded catalogue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Facts about a CVE id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CveFacts {
    /// Year part.
    pub year: u16,
    /// Sequence number.
    pub number: u32,
}

/// Bitcoin address encoding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BtcFacts {
    /// `p2pkh`, `p2sh`, `bech32` or `bech32m`.
    pub encoding: String,
    /// `mainnet` or `testnet`.
    pub network: String,
}

/// Facts about a file path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathFacts {
    /// `windows` or `unix`.
    pub os: String,
    /// The last component.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
}

/// A byte range in the original text: `&text[start..end]` is the indicator as written.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// No bytes: the span of a value that was computed, not written (a document attachment's digests).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.start >= self.end
    }
}

/// A note about the input that is not an error (skipped candidate, truncated input …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// Stable machine-readable code.
    pub code: DiagnosticCode,
    /// One human-readable line.
    pub message: String,
    /// Where in the input, when it applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
}

/// The closed set of [`Diagnostic`] codes. Wire names are kebab-case (`file-extension-tld`); a new code is one
/// variant here plus its arm in [`DiagnosticCode::as_str`] (the compiler asks for it), checked against serde by a
/// test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DiagnosticCode {
    /// extract: a host skipped because its TLD is also a file extension.
    FileExtensionTld,
    /// extract: a host skipped because it is a code identifier or technology name.
    CodeIdentifier,
    /// lookup: the forced type does not fit the value.
    TypeMismatch,
    /// lookup: an internal address (the queries hunt your own logs).
    InternalAddress,
    /// lookup: the intel behind the answer is old.
    StaleIntel,
    /// lookup: no SPL query could be written for the value.
    NoSplQuery,
    /// lookup: no KQL query could be written for the value.
    NoKqlQuery,
    /// evidence: an ATT&CK id from outside that the catalogue does not hold.
    UnknownAttackId,
    /// evidence: an ATT&CK id from outside that is not a technique.
    NotATechnique,
    /// evidence: a revoked ATT&CK id without a replacement.
    RevokedAttackId,
    /// evidence: a deprecated ATT&CK id.
    DeprecatedAttackId,
    /// documents: a ZIP or binary input that is no document.
    NotADocument,
    /// documents: an encrypted PDF.
    PdfEncrypted,
    /// documents: a damaged PDF, read in part.
    PdfDamaged,
    /// documents: a PDF that could not be read.
    PdfUnreadable,
    /// documents: some PDF pages gave no text.
    PdfTextPartial,
    /// documents: a PDF with no text layer.
    PdfNoText,
    /// documents: a DOCX (or one of its entries) that could not be read.
    DocxUnreadable,
    /// documents: an e-mail that could not be read.
    EmailUnreadable,
    /// documents: the part limit was reached.
    LimitParts,
    /// documents: the nesting limit was reached.
    LimitDepth,
    /// documents: the decompression budget was spent.
    LimitInflated,
}

impl DiagnosticCode {
    /// Every code.
    pub const ALL: [DiagnosticCode; 22] = [
        DiagnosticCode::FileExtensionTld,
        DiagnosticCode::CodeIdentifier,
        DiagnosticCode::TypeMismatch,
        DiagnosticCode::InternalAddress,
        DiagnosticCode::StaleIntel,
        DiagnosticCode::NoSplQuery,
        DiagnosticCode::NoKqlQuery,
        DiagnosticCode::UnknownAttackId,
        DiagnosticCode::NotATechnique,
        DiagnosticCode::RevokedAttackId,
        DiagnosticCode::DeprecatedAttackId,
        DiagnosticCode::NotADocument,
        DiagnosticCode::PdfEncrypted,
        DiagnosticCode::PdfDamaged,
        DiagnosticCode::PdfUnreadable,
        DiagnosticCode::PdfTextPartial,
        DiagnosticCode::PdfNoText,
        DiagnosticCode::DocxUnreadable,
        DiagnosticCode::EmailUnreadable,
        DiagnosticCode::LimitParts,
        DiagnosticCode::LimitDepth,
        DiagnosticCode::LimitInflated,
    ];

    /// The wire name.
    pub const fn as_str(self) -> &'static str {
        match self {
            DiagnosticCode::FileExtensionTld => "file-extension-tld",
            DiagnosticCode::CodeIdentifier => "code-identifier",
            DiagnosticCode::TypeMismatch => "type-mismatch",
            DiagnosticCode::InternalAddress => "internal-address",
            DiagnosticCode::StaleIntel => "stale-intel",
            DiagnosticCode::NoSplQuery => "no-spl-query",
            DiagnosticCode::NoKqlQuery => "no-kql-query",
            DiagnosticCode::UnknownAttackId => "unknown-attack-id",
            DiagnosticCode::NotATechnique => "not-a-technique",
            DiagnosticCode::RevokedAttackId => "revoked-attack-id",
            DiagnosticCode::DeprecatedAttackId => "deprecated-attack-id",
            DiagnosticCode::NotADocument => "not-a-document",
            DiagnosticCode::PdfEncrypted => "pdf-encrypted",
            DiagnosticCode::PdfDamaged => "pdf-damaged",
            DiagnosticCode::PdfUnreadable => "pdf-unreadable",
            DiagnosticCode::PdfTextPartial => "pdf-text-partial",
            DiagnosticCode::PdfNoText => "pdf-no-text",
            DiagnosticCode::DocxUnreadable => "docx-unreadable",
            DiagnosticCode::EmailUnreadable => "email-unreadable",
            DiagnosticCode::LimitParts => "limit-parts",
            DiagnosticCode::LimitDepth => "limit-depth",
            DiagnosticCode::LimitInflated => "limit-inflated",
        }
    }

    /// A note about reading a document (`ioclens-documents`): hosts show these even when they print only the
    /// indicators.
    pub const fn is_document(self) -> bool {
        match self {
            DiagnosticCode::NotADocument
            | DiagnosticCode::PdfEncrypted
            | DiagnosticCode::PdfDamaged
            | DiagnosticCode::PdfUnreadable
            | DiagnosticCode::PdfTextPartial
            | DiagnosticCode::PdfNoText
            | DiagnosticCode::DocxUnreadable
            | DiagnosticCode::EmailUnreadable
            | DiagnosticCode::LimitParts
            | DiagnosticCode::LimitDepth
            | DiagnosticCode::LimitInflated => true,
            DiagnosticCode::FileExtensionTld
            | DiagnosticCode::CodeIdentifier
            | DiagnosticCode::TypeMismatch
            | DiagnosticCode::InternalAddress
            | DiagnosticCode::StaleIntel
            | DiagnosticCode::NoSplQuery
            | DiagnosticCode::NoKqlQuery
            | DiagnosticCode::UnknownAttackId
            | DiagnosticCode::NotATechnique
            | DiagnosticCode::RevokedAttackId
            | DiagnosticCode::DeprecatedAttackId => false,
        }
    }
}

impl std::fmt::Display for DiagnosticCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagnostic_code_wire_names_are_serde_names() {
        for c in DiagnosticCode::ALL {
            assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
            assert_eq!(serde_json::from_value::<DiagnosticCode>(c.as_str().into()).unwrap(), c);
        }
    }
}
