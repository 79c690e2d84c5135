//! The closed set of factor names (`Factor.name`): one enum whose serde names are the wire strings.

use serde::{Deserialize, Deserializer, Serialize};

use crate::providers::ProviderId;

/// Stable machine name of a [`super::Factor`]. The wire names (kebab-case) are the strings the JSON has always
/// carried; [`FactorName::as_str`] returns the same string (a test checks both agree for every variant).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FactorName {
    /// `reserved`.
    Reserved,
    /// `not-an-indicator`.
    NotAnIndicator,
    /// `benign-hash`.
    BenignHash,
    /// `base`.
    Base,
    /// `maltrail`.
    Maltrail,
    /// `ipsum`.
    Ipsum,
    /// `kev`.
    Kev,
    /// `kev-ransomware`.
    KevRansomware,
    /// `epss`.
    Epss,
    /// `suspicious-tld`.
    SuspiciousTld,
    /// `dynamic-dns`.
    DynamicDns,
    /// `abusable-service`.
    AbusableService,
    /// `disposable-email`.
    DisposableEmail,
    /// `role-address`.
    RoleAddress,
    /// `feed`.
    Feed,
    /// `ended-evidence`.
    EndedEvidence,
    /// `anonymizer`.
    Anonymizer,
    /// `benign-list`.
    BenignList,
    /// `user-content-platform`.
    UserContentPlatform,
    /// `anonymous-tunnel`.
    AnonymousTunnel,
    /// `cdn-edge`.
    CdnEdge,
    /// `url-userinfo`.
    UrlUserinfo,
    /// `brand-subdomain`.
    BrandSubdomain,
    /// `idn-homograph`.
    IdnHomograph,
    /// `mixed-script`.
    MixedScript,
    /// `brand-in-domain`.
    BrandInDomain,
    /// `popular-host`.
    PopularHost,
    /// `popular-domain`.
    PopularDomain,
    /// `public-resolver`.
    PublicResolver,
    /// `sinkhole`.
    Sinkhole,
    /// `sinkhole-cap`.
    SinkholeCap,
    /// `parking-ns`.
    ParkingNs,
    /// `scanner`.
    Scanner,
    /// `scanner-cap`.
    ScannerCap,
    /// `benign-infrastructure`.
    BenignInfrastructure,
    /// `shared-infrastructure`.
    SharedInfrastructure,
    /// `vpn-or-hosting`.
    VpnOrHosting,
    /// `lexical-prior`.
    LexicalPrior,
    /// `remote`.
    Remote,
    /// `remote-not-found`.
    RemoteNotFound,
    /// `virustotal-detections`.
    VirustotalDetections,
    /// `virustotal-clean`.
    VirustotalClean,
    /// `virustotal-not-found`.
    VirustotalNotFound,
    /// `abuseipdb-whitelisted`.
    AbuseipdbWhitelisted,
    /// `abuseipdb-confidence`.
    AbuseipdbConfidence,
    /// `abuseipdb-no-reports`.
    AbuseipdbNoReports,
    /// `abuseipdb-not-found`.
    AbuseipdbNotFound,
    /// `otx-pulses`.
    OtxPulses,
    /// `otx-no-pulses`.
    OtxNoPulses,
    /// `otx-not-found`.
    OtxNotFound,
    /// `greynoise-riot`.
    GreynoiseRiot,
    /// `greynoise-malicious`.
    GreynoiseMalicious,
    /// `greynoise-benign`.
    GreynoiseBenign,
    /// `greynoise-noise`.
    GreynoiseNoise,
    /// `greynoise-not-seen`.
    GreynoiseNotSeen,
    /// `greynoise-not-found`.
    GreynoiseNotFound,
    /// `internetdb-malicious-tag`.
    InternetdbMaliciousTag,
    /// `internetdb-exposure`.
    InternetdbExposure,
    /// `internetdb-not-found`.
    InternetdbNotFound,
    /// `threatfox-ioc`.
    ThreatfoxIoc,
    /// `threatfox-not-found`.
    ThreatfoxNotFound,
    /// `urlhaus-host`.
    UrlhausHost,
    /// `urlhaus-payload`.
    UrlhausPayload,
    /// `urlhaus-url`.
    UrlhausUrl,
    /// `urlhaus-not-found`.
    UrlhausNotFound,
    /// `malwarebazaar-sample`.
    MalwarebazaarSample,
    /// `malwarebazaar-not-found`.
    MalwarebazaarNotFound,
    /// `ioclens-not-found`.
    IoclensNotFound,
}

impl FactorName {
    /// Every variant, in declaration order.
    pub const ALL: [FactorName; 68] = [
        FactorName::Reserved,
        FactorName::NotAnIndicator,
        FactorName::BenignHash,
        FactorName::Base,
        FactorName::Maltrail,
        FactorName::Ipsum,
        FactorName::Kev,
        FactorName::KevRansomware,
        FactorName::Epss,
        FactorName::SuspiciousTld,
        FactorName::DynamicDns,
        FactorName::AbusableService,
        FactorName::DisposableEmail,
        FactorName::RoleAddress,
        FactorName::Feed,
        FactorName::EndedEvidence,
        FactorName::Anonymizer,
        FactorName::BenignList,
        FactorName::UserContentPlatform,
        FactorName::AnonymousTunnel,
        FactorName::CdnEdge,
        FactorName::UrlUserinfo,
        FactorName::BrandSubdomain,
        FactorName::IdnHomograph,
        FactorName::MixedScript,
        FactorName::BrandInDomain,
        FactorName::PopularHost,
        FactorName::PopularDomain,
        FactorName::PublicResolver,
        FactorName::Sinkhole,
        FactorName::SinkholeCap,
        FactorName::ParkingNs,
        FactorName::Scanner,
        FactorName::ScannerCap,
        FactorName::BenignInfrastructure,
        FactorName::SharedInfrastructure,
        FactorName::VpnOrHosting,
        FactorName::LexicalPrior,
        FactorName::Remote,
        FactorName::RemoteNotFound,
        FactorName::VirustotalDetections,
        FactorName::VirustotalClean,
        FactorName::VirustotalNotFound,
        FactorName::AbuseipdbWhitelisted,
        FactorName::AbuseipdbConfidence,
        FactorName::AbuseipdbNoReports,
        FactorName::AbuseipdbNotFound,
        FactorName::OtxPulses,
        FactorName::OtxNoPulses,
        FactorName::OtxNotFound,
        FactorName::GreynoiseRiot,
        FactorName::GreynoiseMalicious,
        FactorName::GreynoiseBenign,
        FactorName::GreynoiseNoise,
        FactorName::GreynoiseNotSeen,
        FactorName::GreynoiseNotFound,
        FactorName::InternetdbMaliciousTag,
        FactorName::InternetdbExposure,
        FactorName::InternetdbNotFound,
        FactorName::ThreatfoxIoc,
        FactorName::ThreatfoxNotFound,
        FactorName::UrlhausHost,
        FactorName::UrlhausPayload,
        FactorName::UrlhausUrl,
        FactorName::UrlhausNotFound,
        FactorName::MalwarebazaarSample,
        FactorName::MalwarebazaarNotFound,
        FactorName::IoclensNotFound,
    ];

    /// The wire name (equal to the serde name).
    pub fn as_str(self) -> &'static str {
        match self {
            FactorName::Reserved => "reserved",
            FactorName::NotAnIndicator => "not-an-indicator",
            FactorName::BenignHash => "benign-hash",
            FactorName::Base => "base",
            FactorName::Maltrail => "maltrail",
            FactorName::Ipsum => "ipsum",
            FactorName::Kev => "kev",
            FactorName::KevRansomware => "kev-ransomware",
            FactorName::Epss => "epss",
            FactorName::SuspiciousTld => "suspicious-tld",
            FactorName::DynamicDns => "dynamic-dns",
            FactorName::AbusableService => "abusable-service",
            FactorName::DisposableEmail => "disposable-email",
            FactorName::RoleAddress => "role-address",
            FactorName::Feed => "feed",
            FactorName::EndedEvidence => "ended-evidence",
            FactorName::Anonymizer => "anonymizer",
            FactorName::BenignList => "benign-list",
            FactorName::UserContentPlatform => "user-content-platform",
            FactorName::AnonymousTunnel => "anonymous-tunnel",
            FactorName::CdnEdge => "cdn-edge",
            FactorName::UrlUserinfo => "url-userinfo",
            FactorName::BrandSubdomain => "brand-subdomain",
            FactorName::IdnHomograph => "idn-homograph",
            FactorName::MixedScript => "mixed-script",
            FactorName::BrandInDomain => "brand-in-domain",
            FactorName::PopularHost => "popular-host",
            FactorName::PopularDomain => "popular-domain",
            FactorName::PublicResolver => "public-resolver",
            FactorName::Sinkhole => "sinkhole",
            FactorName::SinkholeCap => "sinkhole-cap",
            FactorName::ParkingNs => "parking-ns",
            FactorName::Scanner => "scanner",
            FactorName::ScannerCap => "scanner-cap",
            FactorName::BenignInfrastructure => "benign-infrastructure",
            FactorName::SharedInfrastructure => "shared-infrastructure",
            FactorName::VpnOrHosting => "vpn-or-hosting",
            FactorName::LexicalPrior => "lexical-prior",
            FactorName::Remote => "remote",
            FactorName::RemoteNotFound => "remote-not-found",
            FactorName::VirustotalDetections => "virustotal-detections",
            FactorName::VirustotalClean => "virustotal-clean",
            FactorName::VirustotalNotFound => "virustotal-not-found",
            FactorName::AbuseipdbWhitelisted => "abuseipdb-whitelisted",
            FactorName::AbuseipdbConfidence => "abuseipdb-confidence",
            FactorName::AbuseipdbNoReports => "abuseipdb-no-reports",
            FactorName::AbuseipdbNotFound => "abuseipdb-not-found",
            FactorName::OtxPulses => "otx-pulses",
            FactorName::OtxNoPulses => "otx-no-pulses",
            FactorName::OtxNotFound => "otx-not-found",
            FactorName::GreynoiseRiot => "greynoise-riot",
            FactorName::GreynoiseMalicious => "greynoise-malicious",
            FactorName::GreynoiseBenign => "greynoise-benign",
            FactorName::GreynoiseNoise => "greynoise-noise",
            FactorName::GreynoiseNotSeen => "greynoise-not-seen",
            FactorName::GreynoiseNotFound => "greynoise-not-found",
            FactorName::InternetdbMaliciousTag => "internetdb-malicious-tag",
            FactorName::InternetdbExposure => "internetdb-exposure",
            FactorName::InternetdbNotFound => "internetdb-not-found",
            FactorName::ThreatfoxIoc => "threatfox-ioc",
            FactorName::ThreatfoxNotFound => "threatfox-not-found",
            FactorName::UrlhausHost => "urlhaus-host",
            FactorName::UrlhausPayload => "urlhaus-payload",
            FactorName::UrlhausUrl => "urlhaus-url",
            FactorName::UrlhausNotFound => "urlhaus-not-found",
            FactorName::MalwarebazaarSample => "malwarebazaar-sample",
            FactorName::MalwarebazaarNotFound => "malwarebazaar-not-found",
            FactorName::IoclensNotFound => "ioclens-not-found",
        }
    }

    /// The factor of a provider that has no record of the value (`{provider}-not-found`).
    pub fn not_found(p: ProviderId) -> FactorName {
        match p {
            ProviderId::Virustotal => FactorName::VirustotalNotFound,
            ProviderId::Abuseipdb => FactorName::AbuseipdbNotFound,
            ProviderId::Otx => FactorName::OtxNotFound,
            ProviderId::Greynoise => FactorName::GreynoiseNotFound,
            ProviderId::Internetdb => FactorName::InternetdbNotFound,
            ProviderId::Threatfox => FactorName::ThreatfoxNotFound,
            ProviderId::Urlhaus => FactorName::UrlhausNotFound,
            ProviderId::Malwarebazaar => FactorName::MalwarebazaarNotFound,
            ProviderId::Ioclens => FactorName::IoclensNotFound,
        }
    }
}

/// Read back through [`FactorName::as_str`] rather than a derived visitor: one table of names in the binary,
/// not three (the WebAssembly modules are size-budgeted, docs/wasm.md).
impl<'de> Deserialize<'de> for FactorName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(d)?;
        FactorName::ALL
            .into_iter()
            .find(|n| n.as_str() == s)
            .ok_or_else(|| serde::de::Error::custom(format_args!("unknown factor name `{s}`")))
    }
}

impl std::fmt::Display for FactorName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_names_are_the_wire_names() {
        for n in FactorName::ALL {
            let json = serde_json::to_string(&n).unwrap();
            assert_eq!(json, format!("\"{}\"", n.as_str()), "{n:?}");
            assert_eq!(serde_json::from_str::<FactorName>(&json).unwrap(), n);
        }
        let mut names: Vec<&str> = FactorName::ALL.iter().map(|n| n.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), FactorName::ALL.len(), "ALL lists each variant once");
        assert!(serde_json::from_str::<FactorName>("\"no-such-factor\"").is_err());
    }

    #[test]
    fn not_found_names_the_provider() {
        for p in ProviderId::ALL {
            assert_eq!(FactorName::not_found(p).as_str(), format!("{}-not-found", p.as_str()));
        }
    }
}
