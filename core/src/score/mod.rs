//! Risk score, confidence, decay and remote-score merging (sans-I/O).
//!
//! [`score`] turns a classified value and its list evidence ([`crate::intel::evidence`]) into a 0–100
//! [`Score`] whose `factors` explain every point. The rules are written down in `docs/scoring.md`; in short,
//! list membership decides, the learned lexical prior only nudges (±[`LEXICAL_WEIGHT`]/2 points) and never
//! raises confidence, and `reserved` values score 0.
//!
//! Integer points and `libm` keep the result identical on native and WebAssembly.
//!
//! Why one file: `score_with` is the one place points are added up, in a fixed order a reader must see whole; the
//! factor tables live in `evidence.rs`, `lexical.rs`, `phishing.rs` and `factor_name.rs`.
use crate::intel::{self, Hit, Role};
use crate::{Classified, IocKind};
use serde::{Deserialize, Serialize};

pub mod decay;
pub mod evidence;
pub mod factor_name;
pub mod lexical;
pub mod phishing;
pub mod remote;

pub use decay::{Decay, DecayRule, decay};
pub use evidence::{Evidence, EvidenceStatus, SourceCategory};
pub use factor_name::FactorName;
pub use lexical::LexicalPrior;
pub use remote::{RemoteRequest, RemoteScore, RemoteStatus, merge, parse_response, remote_request};

/// Full swing of the lexical prior in points: it adds `(p − 0.5) · LEXICAL_WEIGHT`, so ±15.
pub const LEXICAL_WEIGHT: f64 = 30.0;

/// Risk level: `info` < 20 ≤ `low` < 40 ≤ `medium` < 70 ≤ `high` < 90 ≤ `critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// 0–19.
    Info,
    /// 20–39.
    Low,
    /// 40–69.
    Medium,
    /// 70–89.
    High,
    /// 90–100.
    Critical,
}

impl Level {
    /// The level of a 0–100 score.
    pub fn of(score: u8) -> Level {
        match score {
            0..=19 => Level::Info,
            20..=39 => Level::Low,
            40..=69 => Level::Medium,
            70..=89 => Level::High,
            _ => Level::Critical,
        }
    }

    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Info => "info",
            Level::Low => "low",
            Level::Medium => "medium",
            Level::High => "high",
            Level::Critical => "critical",
        }
    }

    /// The level in the flat legacy response shape (`risk_score`), which SOC Defenders documents as
    /// `critical|high|medium|low` only: `info` is written `low`. The nested shape keeps `info`.
    pub fn legacy_str(self) -> &'static str {
        match self {
            Level::Info => "low",
            other => other.as_str(),
        }
    }

    /// Parses a wire name (case-insensitive); `informational` and `none` are read as `info`.
    pub fn parse(s: &str) -> Option<Level> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "info" | "informational" | "none" => Level::Info,
            "low" => Level::Low,
            "medium" | "moderate" => Level::Medium,
            "high" => Level::High,
            "critical" => Level::Critical,
            _ => return None,
        })
    }

    /// A representative score for a level given without a number (the older flat remote shape).
    pub fn midpoint(self) -> u8 {
        match self {
            Level::Info => 10,
            Level::Low => 30,
            Level::Medium => 55,
            Level::High => 80,
            Level::Critical => 95,
        }
    }
}

/// Confidence in the score, with the STIX 2.1 integers 15 / 50 / 85.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// STIX 15: no list evidence, or the lexical prior only.
    Low,
    /// STIX 50: one moderate source, or conflicting evidence.
    Medium,
    /// STIX 85: strong list evidence (reserved, benign hash, KEV, Maltrail, `IPsum` ≥ 3).
    High,
}

impl Confidence {
    /// STIX 2.1 `confidence` integer.
    pub fn stix(self) -> u8 {
        match self {
            Confidence::Low => 15,
            Confidence::Medium => 50,
            Confidence::High => 85,
        }
    }
    /// Parses `low` / `medium` / `high` (case-insensitive).
    pub fn parse(s: &str) -> Option<Confidence> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "low" => Confidence::Low,
            "medium" => Confidence::Medium,
            "high" => Confidence::High,
            _ => return None,
        })
    }
    fn down(self) -> Confidence {
        match self {
            Confidence::High => Confidence::Medium,
            _ => Confidence::Low,
        }
    }
}

/// What the evidence settles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Special-purpose address or special-use name: never a valid external indicator (score 0).
    Reserved,
    /// A benign list settles it (empty-file hash, EICAR, public resolver, popular domain, sinkhole address).
    Benign,
    /// Strong malicious list evidence.
    Malicious,
    /// Nothing settles it. A hash in no list is not "safe".
    Unknown,
}

/// Where the final score comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScoreSource {
    /// Embedded lists and model only.
    Local,
    /// The local score merged with a remote scorer's answer.
    Remote,
}

/// One piece of evidence that moved the score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Factor {
    /// Stable machine name (`maltrail`, `ipsum`, `popular-domain`, `lexical-prior`, `base` …): a closed set.
    pub name: FactorName,
    /// The list, model or service it comes from (`maltrail:emotet`, `tranco10k`, `model:domain` …).
    pub source: String,
    /// Nominal points of this kind of evidence.
    pub weight: i32,
    /// Points it actually added (after caps); the contributions sum to the score before clamping to 0–100.
    pub contribution: i32,
    /// A human note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// The risk score of one value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Score {
    /// 0–100.
    pub score: u8,
    /// Level of `score`.
    pub level: Level,
    /// Confidence.
    pub confidence: Confidence,
    /// STIX 2.1 confidence (15 / 50 / 85).
    pub confidence_stix: u8,
    /// What the evidence settles.
    pub verdict: Verdict,
    /// Every piece of evidence, in the order applied.
    pub factors: Vec<Factor>,
    /// Context tags (`scanner`, `vpn`, `shared-infrastructure`, `dynamic-dns`, `disposable-email` …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Decay of the evidence from the data snapshot date to `now`.
    pub decay: Decay,
    /// `local` or `remote`.
    pub source: ScoreSource,
    /// Status of the remote scorer (`disabled` when none was asked).
    pub remote_status: RemoteStatus,
    /// The local score (kept when a remote score is merged).
    pub local_score: u8,
    /// The remote score, when one was received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_score: Option<u8>,
    /// What became of each enrichment provider asked (`crate::providers`); absent when none was.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub providers: Vec<crate::providers::ProviderSummary>,
    /// Snapshot versions of the evidence.
    pub data_version: String,
    /// Date of the newest embedded snapshot (`YYYY-MM-DD`).
    pub data_date: String,
}

/// Scoring options.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ScoreOptions {
    /// Use the lexical prior for domains and URLs.
    pub lexical: bool,
    /// Date of the evidence for decay (Unix seconds); default: the embedded data snapshot date.
    pub evidence_date: Option<i64>,
}

impl Default for ScoreOptions {
    fn default() -> Self {
        ScoreOptions { lexical: true, evidence_date: None }
    }
}

/// A 0–100 score from a real number: rounded (`libm`, so native and WASM agree), clamped.
#[expect(clippy::cast_sign_loss, reason = "clamped to 0–100 first")]
pub(crate) fn to_score(x: f64) -> u8 {
    let r = libm::round(x);
    if r.is_nan() { 0 } else { r.clamp(0.0, 100.0) as u8 }
}

/// Points of a CVE's EPSS probability (FIRST's probability of exploitation activity in the next 30 days, in parts
/// per million), the rule beside KEV's +50: 50 % and up +30, 10 % and up +20, 1 % and up +10, below 0. A
/// prediction, not a sighting: it never makes a verdict, 10 % and up makes the confidence at least medium, and a
/// CVE that KEV lists as exploited takes no EPSS points (the factor is shown with 0).
pub fn epss_points(ppm: u32) -> i32 {
    match ppm {
        500_000.. => 30,
        100_000.. => 20,
        10_000.. => 10,
        _ => 0,
    }
}

/// Base points by type before any evidence: the prior of "someone asked about it".
fn base_points(kind: IocKind) -> i32 {
    match kind {
        IocKind::Ipv4
        | IocKind::Ipv6
        | IocKind::Cidr
        | IocKind::Domain
        | IocKind::Url
        | IocKind::Email
        | IocKind::Md5
        | IocKind::Sha1
        | IocKind::Sha256
        | IocKind::Sha512 => 20,
        IocKind::Cve => 30,
        IocKind::Unknown => 0,
        _ => 10,
    }
}

/// `IPsum` points for `n` blocklists: 1 → 15, 2 → 30, 3 (the blocking threshold its authors suggest) → 60,
/// +5 per further list up to 75.
fn ipsum_points(n: u32) -> i32 {
    match n {
        0 => 0,
        1 => 15,
        2 => 30,
        _ => 60 + 5 * (i32::try_from(n.min(6)).unwrap_or(6) - 3),
    }
}

struct Builder {
    factors: Vec<Factor>,
    tags: Vec<String>,
}

impl Builder {
    fn add(&mut self, name: FactorName, source: &str, points: i32, detail: Option<String>) {
        self.factors.push(Factor {
            name,
            source: source.into(),
            weight: points,
            contribution: points,
            detail,
        });
    }
    fn total(&self) -> i32 {
        self.factors.iter().map(|f| f.contribution).sum()
    }
    /// Caps the running total at `cap` with a factor that says why.
    fn cap(&mut self, name: FactorName, source: &str, cap: i32, detail: &str) {
        let t = self.total();
        if t > cap {
            self.factors.push(Factor {
                name,
                source: source.into(),
                weight: cap - t,
                contribution: cap - t,
                detail: Some(detail.into()),
            });
        }
    }
    fn tag(&mut self, t: &str) {
        if !self.tags.iter().any(|x| x == t) {
            self.tags.push(t.into());
        }
    }
}

/// The lexical prior for a domain or URL value, when the type has one.
pub fn lexical_prior(c: &Classified) -> Option<LexicalPrior> {
    match c.kind {
        IocKind::Domain => {
            let (reg, suf) = c.facts.domain.as_ref().map_or((None, None), |d| {
                (d.registrable.as_deref(), Some(d.public_suffix.as_str()))
            });
            Some(lexical::domain(&c.canonical, reg, suf))
        }
        IocKind::Url => {
            let u = c.facts.url.as_ref()?;
            let (reg, suf) = c.facts.domain.as_ref().map_or((None, None), |d| {
                (d.registrable.as_deref(), Some(d.public_suffix.as_str()))
            });
            Some(lexical::url(&u.host, u.port.is_some(), &u.path, reg, suf))
        }
        _ => None,
    }
}

/// The host name a popular list could vouch for: a domain, or a URL's domain host.
fn host_of(c: &Classified) -> Option<&str> {
    match c.kind {
        IocKind::Domain => Some(c.canonical.as_str()),
        IocKind::Url => {
            c.facts.url.as_ref().filter(|u| u.host_type == IocKind::Domain).map(|u| u.host.as_str())
        }
        _ => None,
    }
    .filter(|_| c.facts.domain.is_some())
}

/// True when a popular-list entry `matched` speaks for the host: the host itself, or a parent at or below the
/// host's registrable domain `reg` (PSL private section included). Non-host values (IPs) are what they match.
fn owns(host: Option<&str>, reg: Option<&str>, matched: &str) -> bool {
    let Some(host) = host else { return true };
    matched == host || reg.is_some_and(|r| matched.len() >= r.len() && host.ends_with(matched))
}

/// A reason no popular list vouches for the host: it lies under a user-content platform, or the only popular
/// listing is a parent across a public-suffix boundary. A host is under a platform when a user-content list
/// covers it as a child and every child there is someone else's (any `dynamic-dns` or IPFS-gateway child, or a
/// subdomains-only `.x` entry such as LOTS' `.github.io`), or, for a URL, when such a list covers its host at
/// all (anyone can publish at `docs.google.com/forms/…`). `owned`: an exact or own-registrable popular hit.
fn user_content(
    c: &Classified,
    host: Option<&str>,
    reg: Option<&str>,
    hits: &[Hit],
    owned: bool,
) -> Option<(String, String)> {
    let host = host?;
    let under = hits.iter().find(|h| {
        h.role == Role::AbusableServices
            && intel::is_user_content(&h.list)
            && (c.kind == IocKind::Url
                || (h.matched != host
                    && (matches!(h.list.as_str(), "dynamic-dns" | "public-ipfs-gateways")
                        || intel::subdomains_only(h.role, &h.list, &h.matched))))
    });
    if let Some(h) = under {
        let what = intel::describe(&h.list).unwrap_or("abusable service");
        return Some((
            h.matched.clone(),
            format!("user-content platform: anyone can publish under it ({}: {what})", h.list),
        ));
    }
    if owned {
        return None;
    }
    hits.iter().find(|h| h.role == Role::PopularDomains && !owns(Some(host), reg, &h.matched)).map(
        |h| {
            (
                h.matched.clone(),
                format!(
                    "user-content platform: a public suffix (PSL private section), anyone can publish under \
                     it; its listing on {} does not vouch for {host}",
                    h.list
                ),
            )
        },
    )
}

/// True for `arpa` and every name under it (RFC 3172's infrastructure TLD).
fn is_arpa(name: &str) -> bool {
    name.rsplit('.').next().is_some_and(|tld| tld.eq_ignore_ascii_case("arpa"))
}

/// PSL private-section suffixes whose operator is a CDN that sells only under contract (no self-service
/// sign-up), so every child is an edge or traffic-management name the CDN assigned to a vetted customer: the
/// Akamai section of the PSL. Self-service clouds and CDNs (`cloudfront.net`, `azureedge.net`, `fastly.net`,
/// `*.amazonaws.com`, `*.windows.net`) are not here: anyone with a card can publish there.
const CONTRACT_CDN_SUFFIXES: [&str; 15] = [
    "akadns.net",
    "akamai-staging.net",
    "akamai.net",
    "akamaiedge-staging.net",
    "akamaiedge.net",
    "akamaihd-staging.net",
    "akamaihd.net",
    "akamaiorigin-staging.net",
    "akamaiorigin.net",
    "akamaized-staging.net",
    "akamaized.net",
    "edgekey-staging.net",
    "edgekey.net",
    "edgesuite-staging.net",
    "edgesuite.net",
];

/// Registrable domains (not PSL entries) whose every child is an edge name its operator assigns only to its
/// own services or to contract customers, never by self-service sign-up: Akamai's hosting and reverse-DNS
/// namespaces, Microsoft's edge network for Microsoft's own services (Azure Front Door customers get
/// `azurefd.net` / `azureedge.net`, which are not here), and Adobe Experience Cloud's data-collection CNAME
/// targets, provisioned for enterprise contracts.
const CONTRACT_EDGE_DOMAINS: [&str; 4] =
    ["akahost.net", "akamaitechnologies.com", "msedge.net", "omtrdc.net"];

/// The contract-CDN namespace a host is a child of: a PSL public suffix in [`CONTRACT_CDN_SUFFIXES`] or a
/// registrable domain in [`CONTRACT_EDGE_DOMAINS`].
fn contract_cdn_edge(
    host: &str,
    facts: Option<&crate::model::DomainFacts>,
) -> Option<&'static str> {
    let facts = facts?;
    let suffix = facts.public_suffix.as_str();
    if host.len() <= suffix.len() {
        return None;
    }
    if let Some(s) = CONTRACT_CDN_SUFFIXES.iter().copied().find(|s| *s == suffix) {
        return Some(s);
    }
    let reg = facts.registrable.as_deref()?;
    if host.len() <= reg.len() {
        return None;
    }
    CONTRACT_EDGE_DOMAINS.iter().copied().find(|d| *d == reg)
}

/// Reverse-tunnel services that publish anyone's machine under a random name with no account at all
/// (Cloudflare Quick Tunnels, localtunnel, Serveo, localhost.run, Pinggy's free tier): a name under one is a
/// laptop or a server behind NAT, reachable for as long as its owner keeps the tunnel open. ngrok is not here:
/// it has required an account since 2023.
const ANONYMOUS_TUNNELS: [&str; 6] = [
    "free.pinggy.link",
    "lhr.life",
    "loca.lt",
    "serveo.net",
    "serveousercontent.com",
    "trycloudflare.com",
];

/// Points for a host under an anonymous reverse tunnel (as many as a dynamic-DNS name: anyone, unnamed).
const TUNNEL_POINTS: i32 = 10;

/// The anonymous-tunnel domain a host is a strict child of ([`ANONYMOUS_TUNNELS`]).
fn anonymous_tunnel(host: &str) -> Option<&'static str> {
    ANONYMOUS_TUNNELS.iter().copied().find(|t| {
        host.len() > t.len() + 1
            && host.ends_with(t)
            && host.as_bytes()[host.len() - t.len() - 1] == b'.'
    })
}

/// A factor note naming the list and what it holds.
fn list_note(h: &Hit) -> String {
    match intel::describe(&h.list) {
        Some(what) => format!("on {}: {what}", h.list),
        None => format!("inside {} ranges: shared infrastructure", h.list),
    }
}

/// Scores a classified value from its list evidence. `now` (Unix seconds) is only used for decay.
pub fn score(c: &Classified, hits: &[Hit], opts: &ScoreOptions, now: i64) -> Score {
    score_with(c, hits, &[], opts, now)
}

/// [`score`] with a host's evidence records too ([`evidence`]: feeds scored by the same rules). `now` also
/// decides which records have ended.
pub fn score_with(
    c: &Classified,
    hits: &[Hit],
    records: &[Evidence],
    opts: &ScoreOptions,
    now: i64,
) -> Score {
    let mut b = Builder { factors: Vec::new(), tags: Vec::new() };
    let (data_version, data_date) = intel::data_version();
    let since = opts.evidence_date.unwrap_or_else(|| {
        evidence::decay_since(crate::generated::intel::DATA_DATE_UNIX, hits, records, now)
    });
    let finish = |b: Builder, score: u8, confidence: Confidence, verdict: Verdict| {
        let level = if verdict == Verdict::Reserved { Level::Info } else { Level::of(score) };
        Score {
            score,
            level,
            confidence,
            confidence_stix: confidence.stix(),
            verdict,
            factors: b.factors,
            tags: b.tags,
            decay: decay(DecayRule::for_kind(c.kind), score, since, now),
            source: ScoreSource::Local,
            remote_status: RemoteStatus::Disabled,
            local_score: score,
            remote_score: None,
            providers: Vec::new(),
            data_version: data_version.into(),
            data_date: data_date.into(),
        }
    };

    // 1. Reserved: special-purpose addresses and names (facts from the classifier, or a reserved list hit).
    let facts_reserved = c.facts.ip.as_ref().is_some_and(|ip| ip.scope.is_reserved())
        || c.facts.domain.as_ref().is_some_and(|d| d.reserved);
    let tunnel = c.facts.ip.as_ref().is_some_and(|ip| !ip.scope.is_reserved());
    let reserved_hit = hits.iter().find(|h| h.role == Role::Reserved);
    if facts_reserved || (reserved_hit.is_some() && !tunnel) {
        let source = reserved_hit.map_or("iana-special-purpose", |h| h.list.as_str());
        b.add(
            FactorName::Reserved,
            source,
            0,
            Some("special-purpose address or special-use name: not an external indicator".into()),
        );
        return finish(b, 0, Confidence::High, Verdict::Reserved);
    }
    // `.arpa` is the infrastructure TLD (RFC 3172, IANA type "infrastructure"): its names (reverse DNS under
    // `in-addr.arpa` / `ip6.arpa`, protocol zones) are assigned by IANA and address holders, never registered by
    // anyone who wants a name. A lookup of one is a lookup of DNS plumbing, not of external infrastructure.
    if c.kind == IocKind::Domain && is_arpa(&c.canonical) {
        b.add(
            FactorName::Reserved,
            "rfc3172-arpa",
            0,
            Some(
                "infrastructure name under .arpa (RFC 3172): assigned by IANA and address holders, not \
                 registrable: not an external indicator"
                    .into(),
            ),
        );
        return finish(b, 0, Confidence::High, Verdict::Reserved);
    }
    if c.kind == IocKind::Unknown {
        b.add(FactorName::NotAnIndicator, "classify", 0, c.reason.clone());
        return finish(b, 0, Confidence::Low, Verdict::Unknown);
    }

    // 2. Benign hash lists settle it.
    if let Some(h) = hits.iter().find(|h| h.role == Role::Hashes) {
        b.add(
            FactorName::BenignHash,
            &h.list,
            0,
            Some("listed as a known false-positive hash".into()),
        );
        return finish(b, 0, Confidence::High, Verdict::Benign);
    }

    b.add(
        FactorName::Base,
        "type-prior",
        base_points(c.kind),
        Some(format!("prior for an unlisted {}", c.kind)),
    );

    // 3. Malicious evidence.
    let mut strong = 0u32; // independent strong malicious sources
    let mut moderate = false;
    let mut exploited = false;
    if let Some(h) = hits.iter().find(|h| h.role == Role::Malware) {
        let fam = h.family.as_deref().unwrap_or("unknown");
        let category = intel::family(fam).map_or("malware", |f| f.category);
        let pts = match category {
            "malware" => 60,
            "malicious" => 50,
            _ => 25,
        };
        b.add(FactorName::Maltrail, &format!("maltrail:{fam}"), pts, h.detail.clone());
        if pts >= 50 {
            strong += 1;
        } else {
            moderate = true;
        }
    }
    if let Some(h) = hits.iter().find(|h| h.role == Role::Blocklist) {
        let n = h.count.unwrap_or(1);
        b.add(FactorName::Ipsum, "ipsum", ipsum_points(n), h.detail.clone());
        if n >= 3 {
            strong += 1;
        } else {
            moderate = true;
        }
    }
    if let Some(h) = hits.iter().find(|h| h.role == Role::Exploited) {
        b.add(FactorName::Kev, &h.list, 50, h.detail.clone());
        if h.detail.as_deref().is_some_and(|d| d.contains("ransomware")) {
            b.add(
                FactorName::KevRansomware,
                &h.list,
                10,
                Some("known ransomware campaign use".into()),
            );
        }
        // Known exploitation is certain, but a vulnerability is not "malicious": verdict stays unknown.
        exploited = true;
    }
    // EPSS (a pack's `epss` source): scored in `evidence::score_feeds` by [`epss_points`], after KEV.
    if let Some(h) = hits.iter().find(|h| h.role == Role::SuspiciousTld) {
        b.add(
            FactorName::SuspiciousTld,
            &h.list,
            10,
            Some(format!(".{} is flagged by Maltrail", h.matched)),
        );
    }
    for h in hits.iter().filter(|h| h.role == Role::AbusableServices) {
        if h.list == "dynamic-dns" {
            b.add(
                FactorName::DynamicDns,
                &h.list,
                10,
                Some(format!("subdomain of dynamic-DNS provider {}", h.matched)),
            );
            b.tag("dynamic-dns");
        } else {
            b.add(
                FactorName::AbusableService,
                &h.list,
                0,
                Some(format!("{} is a legitimate but abusable service", h.matched)),
            );
            b.tag(&h.list);
        }
    }
    if let Some(h) = hits.iter().find(|h| h.role == Role::Email && h.list == "disposable-email") {
        b.add(
            FactorName::DisposableEmail,
            &h.list,
            10,
            Some(format!("{} is a disposable-mail domain", h.matched)),
        );
        b.tag("disposable-email");
    }
    if hits.iter().any(|h| h.role == Role::Email && h.list == "common-contact-emails") {
        b.add(
            FactorName::RoleAddress,
            "common-contact-emails",
            0,
            Some("generic role address (abuse@, security@ …)".into()),
        );
        b.tag("role-address");
    }
    evidence::score_feeds(&mut b, records, now, &mut strong, &mut moderate);
    let malicious = strong > 0;

    // 4. Benign and context evidence. A popular list vouches only for the value's own registrable domain (PSL
    // private suffixes included) or an exact listed host, and never for a host under a user-content platform.
    let host = host_of(c);
    let reg = c.facts.domain.as_ref().and_then(|d| d.registrable.as_deref());
    let popular: Vec<&Hit> = hits.iter().filter(|h| h.role == Role::PopularDomains).collect();
    let own: Vec<&Hit> = popular.iter().copied().filter(|h| owns(host, reg, &h.matched)).collect();
    let platform = user_content(c, host, reg, hits, !own.is_empty());
    if let Some((matched, why)) = &platform {
        b.add(FactorName::UserContentPlatform, "ownership", 0, Some(format!("{matched}: {why}")));
        b.tag("user-content");
    }
    let tunnel = host.and_then(anonymous_tunnel);
    if let Some(t) = tunnel {
        b.add(
            FactorName::AnonymousTunnel,
            "ownership",
            TUNNEL_POINTS,
            Some(format!(
                "a name under {t}, a reverse-tunnel service that publishes anyone's machine with no account: \
                 nobody vouches for who runs it, and it lives only as long as the tunnel"
            )),
        );
        b.tag("tunnel");
    }
    let vouched = platform.is_none() && tunnel.is_none() && !own.is_empty();
    let edge = host.and_then(|h| contract_cdn_edge(h, c.facts.domain.as_ref()));
    if let Some(suffix) = edge {
        let pts = if c.kind == IocKind::Url { -10 } else { -20 };
        b.add(
            FactorName::CdnEdge,
            "ownership",
            pts,
            Some(format!(
                "a name in {suffix}, a namespace its CDN operates for customers under contract (no \
                 self-service sign-up): shared edge infrastructure, not a name anyone can register"
            )),
        );
        b.tag("cdn-edge");
    }
    if let Some((ascii, facts)) = host.zip(c.facts.domain.as_ref()) {
        let user = if c.kind == IocKind::Url { phishing::userinfo(&c.canonical) } else { None };
        for f in phishing::forms(
            ascii,
            facts.unicode.as_deref(),
            facts.registrable.as_deref(),
            &facts.public_suffix,
            user,
            !own.is_empty() || edge.is_some(),
        ) {
            b.add(f.name, "phishing-form", f.points, Some(f.detail));
            b.tag("phishing-form");
        }
    }
    let mut benign = false;
    let mut confidence_floor = Confidence::Low;
    if vouched && let Some(h) = own.first() {
        let others = own.len() - 1;
        let detail = Some(format!(
            "{} is on {}{}",
            h.matched,
            h.list,
            if others > 0 {
                format!(" and {others} more popular-domain list(s)")
            } else {
                String::new()
            }
        ));
        if c.kind == IocKind::Url {
            b.add(FactorName::PopularHost, &h.list, -10, detail);
        } else {
            b.add(FactorName::PopularDomain, &h.list, -45, detail);
            benign = !malicious;
            confidence_floor = Confidence::Medium;
        }
    }
    if let Some(h) = hits.iter().find(|h| h.role == Role::DnsResolvers) {
        b.add(FactorName::PublicResolver, &h.list, -40, Some("public DNS resolver".into()));
        benign = !malicious;
        confidence_floor = Confidence::Medium;
    }
    if let Some(h) = hits.iter().find(|h| h.role == Role::Sinkholes) {
        if c.kind.is_ip() {
            b.add(
                FactorName::Sinkhole,
                &h.list,
                0,
                Some("sinkhole address: the IP itself is not malicious".into()),
            );
            b.cap(FactorName::SinkholeCap, &h.list, 10, "a sinkhole address scores at most 10");
            benign = true;
            confidence_floor = Confidence::Medium;
        } else {
            b.add(
                FactorName::ParkingNs,
                &h.list,
                -10,
                Some(format!("{} is a parking name server", h.matched)),
            );
        }
        b.tag("sinkhole");
    }
    if let Some(h) = hits.iter().find(|h| h.role == Role::Scanners) {
        b.add(
            FactorName::Scanner,
            &h.list,
            0,
            Some("known Internet-wide research scanner: noisy, low risk".into()),
        );
        b.cap(FactorName::ScannerCap, &h.list, 30, "a known research scanner scores at most 30");
        b.tag("scanner");
        confidence_floor = Confidence::Medium;
    }
    let infra = hits
        .iter()
        .find(|h| h.role == Role::ProviderIpRanges && intel::is_benign_infrastructure(&h.list));
    if let Some(h) = infra {
        b.add(FactorName::BenignInfrastructure, &h.list, -40, Some(list_note(h)));
        b.tag("benign-infrastructure");
        benign = !malicious;
        confidence_floor = Confidence::Medium;
    }
    let shared = hits
        .iter()
        .find(|h| h.role == Role::ProviderIpRanges && !intel::is_benign_infrastructure(&h.list));
    if let Some(h) = shared {
        b.add(FactorName::SharedInfrastructure, &h.list, -5, Some(list_note(h)));
        b.tag("shared-infrastructure");
    }
    if let Some(h) = hits.iter().find(|h| h.role == Role::VpnRanges) {
        b.add(FactorName::VpnOrHosting, &h.list, 0, Some(list_note(h)));
        b.tag("vpn-or-hosting");
    }

    // 5. The weak lexical prior (domains and URLs). It never changes confidence or verdict.
    if opts.lexical
        && let Some(p) = lexical_prior(c)
    {
        let pts = libm::round((p.probability - 0.5) * LEXICAL_WEIGHT) as i32;
        b.add(
            FactorName::LexicalPrior,
            &format!("model:{}", p.model),
            pts,
            Some(format!("learned lexical model: p = {:.3} (weak prior)", p.probability)),
        );
    }

    let score = u8::try_from(b.total().clamp(0, 100)).unwrap_or(0);
    let mut confidence = if strong > 0 || exploited {
        Confidence::High
    } else if moderate {
        Confidence::Medium
    } else {
        confidence_floor
    };
    // Conflicting evidence (a malicious list and a benign list) is at most medium.
    if malicious && (vouched || hits.iter().any(|h| h.role == Role::DnsResolvers)) {
        confidence = confidence.min(Confidence::Medium);
    }
    if shared.is_some() {
        confidence = confidence.down();
    }
    let verdict = if malicious {
        Verdict::Malicious
    } else if benign {
        Verdict::Benign
    } else {
        Verdict::Unknown
    };
    finish(b, score, confidence, verdict)
}

#[cfg(test)]
mod tests;
