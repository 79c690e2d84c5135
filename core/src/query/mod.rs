//! Hunting queries: Splunk SPL and Sentinel KQL (plus Sigma rules and STIX 2.1 patterns), with an
//! escaping contract.
//!
//! # Usage
//!
//! ```
//! use ioclens_core::{IocKind, query::{self, HuntInput, QueryOptions}};
//! let opts = QueryOptions::default();
//! let spl = query::spl_for(IocKind::Domain, "evil.example", &opts).unwrap();
//! assert!(spl.contains("from datamodel=Network_Resolution.DNS"));
//! let hunt = query::hunt(&[HuntInput::new(IocKind::Ipv4, "203.0.113.10")], &opts).unwrap();
//! assert_eq!(hunt.groups[0].kind, IocKind::Ipv4);
//! ```
//!
//! # Escaping contract
//!
//! Every indicator value reaches a query only through the quoting functions in [`escape`]; templates
//! never splice a value any other way. For every value that passes validation (any Unicode text without
//! control characters):
//!
//! * **KQL**: the value is rendered as a regular string literal `"…"` where `\` becomes `\\` and `"`
//!   becomes `\"`. Every other character (including `'`, `|`, `` ` ``, `*`, `?`, `;`, Unicode) is literal in
//!   KQL, so the literal tokenises back to exactly the value and nothing after it is part of the query.
//! * **SPL search / `tstats where`**: the value is rendered as `"…"` with `\` → `\\` and `"` → `\"`.
//!   `*` is a wildcard that *cannot* be escaped in SPL and a backtick starts a macro expansion, so a
//!   backtick is replaced by `*` in the search part, and whenever a value holds `*` or a backtick the
//!   query adds an exact post-filter (`| where in(lower(field), …)` or `| where match(_raw, …)`) whose
//!   strings are eval literals. In an eval literal `*` is literal, and a backtick is never written: it is
//!   rebuilt with `urldecode("%60")`, so no generated SPL contains a backtick at all.
//!   `?` is not special in SPL and stays literal.
//! * **Sigma**: YAML single-quoted scalars (`'` doubled) holding a Sigma string where `\`, `*` and `?` are
//!   backslash-escaped.
//! * **STIX 2.1 patterns**: single-quoted string literals where `\` → `\\` and `'` → `\'`.
//! * **Rejected**: any value containing a control character (Unicode category Cc: C0, DEL, C1) or a
//!   line/paragraph separator (U+2028, U+2029) is an [`ErrorKind::ControlCharacter`] error, never
//!   silently rewritten; an empty value is [`ErrorKind::InvalidOption`].
//!
//! The property tests in `escape.rs` check round-trips with small tokenisers for each language; the
//! validation harness checks every rendered query with Microsoft's Kusto parser (`tests/kql/`), a Rust
//! SPL lint against the CIM field list (`core/tests/spl_lint.rs`), `sigma-cli check` and `stix2-patterns`.
//!
//! # Batching
//!
//! [`hunt`] groups indicators by type. Per type and target it renders one query per batch: SPL inlines
//! up to `min(batch_size, 100)` values and switches to a lookup (`| lookup ioclens_iocs …`) beyond that;
//! KQL chunks at `batch_size` (≤ 128, the `has_any` term-index limit) values per query up to 10,000 values
//! and switches to a watchlist (`_GetWatchlist('ioclens')`) beyond that. The lookup / watchlist rows are
//! returned as CSV in [`Hunt::lookup_csv`].
//!
//! Why one file: the contract every query leg shares (targets, profiles, options and their limits, the `hunt`
//! batching); the legs themselves are `spl.rs`, `kql/`, `sigma.rs` and `stix.rs`.
pub mod escape;
mod guard;
mod kql;
mod sigma;
mod spl;
mod stix;
pub mod tlp;

use crate::{Classified, Error, ErrorKind, IocKind};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

pub use guard::{MAX_VALUE_LEN, SkipReason, Skipped};
pub use sigma::sigma_uuid;

/// The most values one SPL query inlines; beyond that the lookup form is used.
pub const SPL_MAX_INLINE: usize = 100;
/// The most values per `has_any` before Kusto disables its term index.
pub const KQL_MAX_HAS_ANY: usize = 128;
/// The most values rendered inline in KQL (as chunks); beyond that the watchlist form is used.
pub const KQL_MAX_INLINE: usize = 10_000;
/// The default `kql_max_len`: Microsoft Sentinel accepts at most 10,000 characters of query text in an
/// analytics rule (`StringLength(10000)` in its rule model) or a saved hunting query (docs/queries.md, Limits),
/// so a longer hunt is split into parts.
pub const KQL_MAX_QUERY_LEN: usize = 10_000;

/// One indicator to hunt for: its type and canonical value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HuntInput {
    /// The indicator type.
    #[serde(rename = "type")]
    pub kind: IocKind,
    /// The canonical value (as `classify` returns it).
    pub value: String,
    /// The port of an `ip:port` indicator (`classify` keeps it in the `port` fact): tables with a destination
    /// port field are hunted for the address AND the port, every other table for the address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
}

impl HuntInput {
    /// Builds an input.
    pub fn new(kind: IocKind, value: impl Into<String>) -> Self {
        Self { kind, value: value.into(), port: None }
    }

    /// The same input with a destination port (`91.215.85.22:443`).
    #[must_use]
    pub fn with_port(mut self, port: u16) -> Self {
        self.port = Some(port);
        self
    }
}

impl From<&Classified> for HuntInput {
    fn from(c: &Classified) -> Self {
        let port = c.facts.ip.as_ref().and_then(|ip| ip.port);
        Self { kind: c.kind, value: c.canonical.clone(), port }
    }
}

/// A query language or portable format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// Splunk SPL.
    Spl,
    /// Microsoft Sentinel / Defender KQL.
    Kql,
    /// A Sigma rule (YAML).
    Sigma,
    /// A STIX 2.1 indicator pattern.
    Stix,
}

impl Target {
    /// Every target.
    pub const ALL: [Target; 4] = [Target::Spl, Target::Kql, Target::Sigma, Target::Stix];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Target::Spl => "spl",
            Target::Kql => "kql",
            Target::Sigma => "sigma",
            Target::Stix => "stix",
        }
    }
}

/// What a rendered [`Query`] reads (`Query.profile` on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QueryProfile {
    /// SPL: a CIM data-model `tstats` query.
    Cim,
    /// SPL: the raw `index=*` search.
    Raw,
    /// SPL: Splunk Enterprise Security (`Threat_Activity`, the intel KV-store lookups).
    Es,
    /// SPL: a data-model query joined with an uploaded lookup (values over the inline limit).
    Lookup,
    /// SPL and KQL: the threat-intelligence tables (`Threat_Activity` / `ThreatIntelIndicators`).
    Ti,
    /// KQL: native Sentinel tables.
    Native,
    /// KQL: ASIM parser functions.
    Asim,
    /// KQL: Defender XDR advanced hunting.
    Defender,
    /// A Sigma rule.
    Sigma,
    /// A STIX 2.1 pattern.
    Stix,
}

impl QueryProfile {
    /// Every profile.
    pub const ALL: [QueryProfile; 10] = [
        QueryProfile::Cim,
        QueryProfile::Raw,
        QueryProfile::Es,
        QueryProfile::Lookup,
        QueryProfile::Ti,
        QueryProfile::Native,
        QueryProfile::Asim,
        QueryProfile::Defender,
        QueryProfile::Sigma,
        QueryProfile::Stix,
    ];

    /// The wire name.
    pub const fn as_str(self) -> &'static str {
        match self {
            QueryProfile::Cim => "cim",
            QueryProfile::Raw => "raw",
            QueryProfile::Es => "es",
            QueryProfile::Lookup => "lookup",
            QueryProfile::Ti => "ti",
            QueryProfile::Native => "native",
            QueryProfile::Asim => "asim",
            QueryProfile::Defender => "defender",
            QueryProfile::Sigma => "sigma",
            QueryProfile::Stix => "stix",
        }
    }
}

impl std::fmt::Display for QueryProfile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<Target> for QueryProfile {
    /// The profile of a portable target's queries (Sigma, STIX); SPL and KQL have several.
    fn from(target: Target) -> Self {
        match target {
            Target::Sigma => QueryProfile::Sigma,
            Target::Stix => QueryProfile::Stix,
            Target::Spl => QueryProfile::Cim,
            Target::Kql => QueryProfile::Native,
        }
    }
}

/// Splunk query profile.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SplProfile {
    /// CIM data-model `tstats` queries plus the raw fallback.
    #[default]
    Cim,
    /// Only the raw `index=*` search.
    Raw,
    /// Splunk Enterprise Security: the threat matches ES already made (`Threat_Intelligence.Threat_Activity`)
    /// first, the intel KV-store lookups filtered inside `inputlookup … where`, then the CIM data models.
    Es,
}

/// KQL query profile.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KqlProfile {
    /// `union isfuzzy=true` over native Sentinel tables (`TimeGenerated`).
    #[default]
    Native,
    /// ASIM parser functions (`_Im_*`), exact values re-checked after prefix filters.
    Asim,
    /// Defender XDR advanced hunting (`Timestamp`, Defender tables only).
    Defender,
}

/// Options for [`hunt`], [`spl_for`] and [`kql_for`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "independent wire options (serde JSON fields), not a state machine"
)]
pub struct QueryOptions {
    /// How far back to search: `<N>m`, `<N>h`, `<N>d` or `<N>w` (at most 3650 days). Default `7d`.
    pub lookback: String,
    /// Splunk profile. Default `cim`.
    pub spl_profile: SplProfile,
    /// Sentinel profile. Default `native`.
    pub kql_profile: KqlProfile,
    /// Add threat-intel presence queries (Splunk ES intel lookups, Sentinel `ThreatIntelIndicators`).
    pub include_ti: bool,
    /// Query the legacy `ThreatIntelligenceIndicator` table (retired in 2026) instead of `ThreatIntelIndicators`.
    pub legacy_ti: bool,
    /// Values per inline query (1–128; SPL caps it at 100). Default 100.
    pub batch_size: usize,
    /// SPL raw search for IPs uses `TERM(ip)` (lexicon lookup, fast) instead of the phrase `"ip"`. TERM misses
    /// addresses glued to minor breakers (`ip=1.2.3.4`), so it is off by default.
    pub spl_term: bool,
    /// Values to leave out (compared case-insensitively after normalisation), e.g. your own infrastructure.
    pub exclusions: Vec<String>,
    /// Which targets [`hunt`] renders. Default: all.
    pub targets: Vec<Target>,
    /// Splunk lookup name used beyond the inline limit (`[A-Za-z0-9_]+`). Default `ioclens_iocs`.
    pub spl_lookup: String,
    /// Sentinel watchlist alias used beyond the inline limit (`[A-Za-z0-9_]+`). Default `ioclens`.
    pub watchlist: String,
    /// [`hunt`] also hunts the host of every URL (as a domain or IP). Default `true`.
    pub url_hosts: bool,
    /// The `date` of Sigma rules, `YYYY-MM-DD`. The core reads no clock, so hosts pass today's date (the
    /// CLI does); without it rules have no `date` and carry a note saying so.
    pub sigma_date: Option<String>,
    /// The most characters one KQL query may have; a longer hunt is split into parts ("part i of n"). Default
    /// [`KQL_MAX_QUERY_LEN`] (Sentinel's analytics-rule limit); 0: no limit.
    pub kql_max_len: usize,
    /// The most characters one SPL query may have; 0 (the default): no limit, since Splunk documents none for
    /// the search string.
    pub spl_max_len: usize,
}

impl Default for QueryOptions {
    fn default() -> Self {
        Self {
            lookback: "7d".to_owned(),
            spl_profile: SplProfile::Cim,
            kql_profile: KqlProfile::Native,
            include_ti: true,
            legacy_ti: false,
            batch_size: SPL_MAX_INLINE,
            spl_term: false,
            exclusions: Vec::new(),
            targets: Target::ALL.to_vec(),
            spl_lookup: "ioclens_iocs".to_owned(),
            watchlist: "ioclens".to_owned(),
            url_hosts: true,
            sigma_date: None,
            kql_max_len: KQL_MAX_QUERY_LEN,
            spl_max_len: 0,
        }
    }
}

/// A parsed lookback window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Lookback {
    pub(crate) n: u32,
    /// `m`, `h` or `d` (weeks are converted to days).
    pub(crate) unit: char,
}

impl Lookback {
    /// The KQL timespan literal (`7d`).
    pub(crate) fn kql(self) -> String {
        format!("{}{}", self.n, self.unit)
    }

    /// The SPL relative time modifier (`-7d`): exactly the lookback, not snapped to a day boundary (`-7d@d`
    /// would search 7–8 days while KQL's `ago(7d)` searches 7).
    pub(crate) fn spl_earliest(self) -> String {
        format!("-{}{}", self.n, self.unit)
    }
}

impl QueryOptions {
    /// Checks every option; the error names the bad one.
    pub fn validate(&self) -> Result<(), Error> {
        self.lookback()?;
        if !(1..=KQL_MAX_HAS_ANY).contains(&self.batch_size) {
            return Err(invalid(format!(
                "batch_size must be between 1 and {KQL_MAX_HAS_ANY}, got {}",
                self.batch_size
            )));
        }
        for (name, v) in [("spl_lookup", &self.spl_lookup), ("watchlist", &self.watchlist)] {
            if v.is_empty()
                || v.len() > 64
                || !v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            {
                return Err(invalid(format!(
                    "{name} must be 1-64 characters of [A-Za-z0-9_], got `{v}`"
                )));
            }
        }
        if let Some(d) = &self.sigma_date {
            let b = d.as_bytes();
            let ok = b.len() == 10
                && b[4] == b'-'
                && b[7] == b'-'
                && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
                && matches!(
                    &d[5..7],
                    "01" | "02"
                        | "03"
                        | "04"
                        | "05"
                        | "06"
                        | "07"
                        | "08"
                        | "09"
                        | "10"
                        | "11"
                        | "12"
                )
                && ("01".."32").contains(&&d[8..10]);
            if !ok {
                return Err(invalid(format!("sigma_date must be YYYY-MM-DD, got `{d}`")));
            }
        }
        for (name, v) in [("kql_max_len", self.kql_max_len), ("spl_max_len", self.spl_max_len)] {
            if v != 0 && v < MIN_MAX_LEN {
                return Err(invalid(format!(
                    "{name} must be 0 (no limit) or at least {MIN_MAX_LEN} characters, got {v}"
                )));
            }
        }
        if self.targets.is_empty() {
            return Err(invalid("targets must name at least one of spl, kql, sigma, stix"));
        }
        Ok(())
    }

    pub(crate) fn lookback(&self) -> Result<Lookback, Error> {
        let s = self.lookback.trim();
        let bad = || {
            invalid(format!(
                "lookback must look like 30m, 24h, 7d or 2w (at most 3650 days), got `{}`",
                self.lookback
            ))
        };
        let unit = s.chars().last().ok_or_else(bad)?;
        let digits = &s[..s.len() - unit.len_utf8()];
        if digits.is_empty() || digits.len() > 7 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let n: u32 = digits.parse().map_err(|_| bad())?;
        let (n, unit, minutes) = match unit {
            'm' => (n, 'm', u64::from(n)),
            'h' => (n, 'h', u64::from(n) * 60),
            'd' => (n, 'd', u64::from(n) * 1440),
            'w' => (n.saturating_mul(7), 'd', u64::from(n) * 7 * 1440),
            _ => return Err(bad()),
        };
        if n == 0 || minutes > 3650 * 1440 {
            return Err(bad());
        }
        Ok(Lookback { n, unit })
    }

    fn spl_inline_limit(&self) -> usize {
        self.batch_size.min(SPL_MAX_INLINE)
    }
}

fn invalid(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidOption, msg)
}

/// One rendered query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Query {
    /// The language or format.
    pub target: Target,
    /// What the query reads.
    pub profile: QueryProfile,
    /// The indicator type.
    #[serde(rename = "type")]
    pub kind: IocKind,
    /// One line saying what the query looks at (`Network_Traffic.All_Traffic`, `native tables` …).
    pub title: String,
    /// The query text, ready to paste.
    pub query: String,
    /// How many indicator values the query covers.
    pub values: usize,
    /// The length of `query` in bytes (UTF-8).
    #[serde(default)]
    pub size: usize,
    /// 1-based chunk number when the values were split over several queries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chunk: Option<usize>,
    /// Number of chunks when the values were split.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chunks: Option<usize>,
    /// SPL: the earliest time (`-7d`), also usable as the REST `earliest_time`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub earliest: Option<String>,
    /// SPL: the latest time (`now`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest: Option<String>,
    /// KQL: the lookback timespan (`7d`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lookback: Option<String>,
    /// Caveats a hunter should know (post-filters, inventories without time, lookups to upload …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl Query {
    /// A Sigma rule or STIX pattern: no time window; `chunk` is (number, of).
    pub(crate) fn portable(
        target: Target,
        kind: IocKind,
        title: String,
        query: String,
        values: usize,
        chunk: Option<(usize, usize)>,
        notes: Vec<String>,
    ) -> Self {
        Self {
            target,
            profile: QueryProfile::from(target),
            kind,
            title,
            query,
            values,
            size: 0,
            chunk: chunk.map(|c| c.0),
            chunks: chunk.map(|c| c.1),
            earliest: None,
            latest: None,
            lookback: None,
            notes,
        }
    }
}

/// The queries for one indicator type, per target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HuntGroup {
    /// The indicator type.
    #[serde(rename = "type")]
    pub kind: IocKind,
    /// How many distinct values of this type are hunted (after exclusions).
    pub values: usize,
    /// One line on how to read the results for this type.
    pub detection_guidance: String,
    /// Splunk queries (the first is the primary one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub spl: Vec<Query>,
    /// Sentinel / Defender queries (the first is the primary one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kql: Vec<Query>,
    /// Sigma rules, one per batch.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sigma: Vec<Query>,
    /// STIX 2.1 patterns, one per batch.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stix: Vec<Query>,
    /// Targets that have no template for this type, with the reason.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unsupported: Vec<Unsupported>,
}

/// A target that cannot express a type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unsupported {
    /// The target.
    pub target: Target,
    /// Why.
    pub reason: String,
}

/// Everything [`hunt`] produces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hunt {
    /// One group per indicator type, in [`IocKind::ALL`] order.
    pub groups: Vec<HuntGroup>,
    /// `ioc,type,pattern` CSV rows to upload as the Splunk lookup (matched on `pattern` with
    /// `WILDCARD(pattern)`) and the Sentinel watchlist (`SearchKey` = `ioc`), when a batch exceeded the inline
    /// limit. A value has one row per search pattern its templates use (`d`, `*.d`, `*@d` …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lookup_csv: Option<String>,
    /// Values dropped by `exclusions` or as duplicates, URL hosts added, and types without any template.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Values that were not hunted (empty after normalisation, too broad, too long, invisible characters,
    /// malformed), each with the reason; every other value was still rendered for every target.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<Skipped>,
}

/// Values of one type, normalised, deduplicated, validated.
#[derive(Debug, Clone)]
pub(crate) struct Batch {
    pub(crate) kind: IocKind,
    pub(crate) values: Vec<String>,
    /// Render only the primary query (`spl_for` / `kql_for`): skips the secondary data models and TI.
    pub(crate) primary_only: bool,
    /// `ip:port` indicators: (address, port) for addresses given only with a port (each address is in
    /// `values` too). Targets with a destination port field match the pair, the others the address.
    pub(crate) ported: Vec<(String, u16)>,
}

/// Normalises one value for `kind` (case folding where the type is case-insensitive) and rejects
/// values no query can carry or that would match far too much ([`guard`]).
pub(crate) fn normalize_value(kind: IocKind, value: &str) -> Result<String, Error> {
    guard::prepare(kind, value).map_err(Skipped::into_error)
}

fn unsupported(kind: IocKind, target: Target) -> Option<String> {
    let why = match (kind, target) {
        (IocKind::Asn | IocKind::Btc, Target::Spl | Target::Kql | Target::Sigma) => {
            "no SIEM table carries this type as a field: hunt for the related IPs, domains or addresses instead"
        }
        (IocKind::Unknown, _) => "not an indicator",
        (IocKind::Email | IocKind::Cve | IocKind::Attack, Target::Sigma) => {
            "Sigma has no standard log source for this type"
        }
        (IocKind::Cve | IocKind::Attack, Target::Stix) => {
            "STIX patterns match cyber observables; CVEs and ATT&CK ids are SDOs (vulnerability, attack-pattern)"
        }
        (IocKind::Btc, Target::Stix) => {
            "STIX 2.1 has no cryptocurrency-wallet observable in the core spec"
        }
        _ => return None,
    };
    Some(format!("{target} has no template for {kind}: {why}", target = target.as_str()))
}

/// The one-line detection guidance for a type.
pub fn detection_guidance(kind: IocKind) -> &'static str {
    match kind {
        IocKind::Ipv4 | IocKind::Ipv6 => {
            "Look for inbound and outbound connections, sign-ins and DNS answers involving the address; an allowed outbound session or a successful sign-in is the priority"
        }
        IocKind::Cidr => {
            "Matches any address inside the network; expect more noise than a single IP and review hosts talking to it repeatedly"
        }
        IocKind::Domain => {
            "Look for DNS resolutions, proxy/web requests and e-mail from the domain or its subdomains; a resolution followed by a connection confirms contact"
        }
        IocKind::Url => {
            "Look for web/proxy requests, e-mail links and clicks to the URL; a click or an allowed request means a user reached it"
        }
        IocKind::Email => {
            "Look for mail sent from or to the address and sign-ins by it; delivered messages and successful sign-ins need follow-up"
        }
        IocKind::Md5 | IocKind::Sha1 | IocKind::Sha256 | IocKind::Sha512 => {
            "Look for the file executing, being written, loaded or attached; any process execution of the hash is a likely compromise"
        }
        IocKind::Cve => {
            "Find hosts still vulnerable (inventory) and alerts or IDS signatures naming the CVE; exposed and alerting hosts come first"
        }
        IocKind::Attack => {
            "Find alerts, incidents and risk events tagged with the technique or tactic; group by entity to spot chains"
        }
        IocKind::FilePath => "Look for the path being created, written or executed on endpoints",
        IocKind::RegistryKey => {
            "Look for the key being created or modified on endpoints (persistence, configuration)"
        }
        IocKind::Asn | IocKind::Btc | IocKind::Unknown => {
            "No hunting template: pivot to related network indicators"
        }
    }
}

/// Renders the hunting queries for many indicators of mixed types: one group per type, one query per type,
/// target and batch.
///
/// Fails on invalid options or on a value with a control character; types that a target cannot express
/// are listed in [`HuntGroup::unsupported`] instead of failing.
pub fn hunt(iocs: &[HuntInput], opts: &QueryOptions) -> Result<Hunt, Error> {
    opts.validate()?;
    let mut notes = Vec::new();
    let mut skipped = Vec::new();
    let excluded: Vec<String> = opts.exclusions.iter().map(|e| e.trim().to_lowercase()).collect();
    let mut batches: Vec<Batch> = Vec::new();
    let mut ported: Vec<(IocKind, String, u16)> = Vec::new();
    let mut seen: std::collections::HashSet<(IocKind, String)> = std::collections::HashSet::new();
    let mut push = |batches: &mut Vec<Batch>, kind: IocKind, v: String| -> bool {
        if !seen.insert((kind, v.clone())) {
            return false;
        }
        match batches.iter_mut().find(|b| b.kind == kind) {
            Some(b) => b.values.push(v),
            None => batches.push(Batch {
                kind,
                values: vec![v],
                primary_only: false,
                ported: Vec::new(),
            }),
        }
        true
    };
    for ioc in iocs {
        // Per-value isolation: a value no query can carry is reported and the rest still renders.
        let v = match guard::prepare(ioc.kind, &ioc.value) {
            Ok(v) => v,
            Err(s) => {
                skipped.push(s);
                continue;
            }
        };
        if excluded.iter().any(|e| *e == v.to_lowercase()) {
            notes.push(format!("excluded {} `{v}`", ioc.kind));
            continue;
        }
        match ioc.port.filter(|_| matches!(ioc.kind, IocKind::Ipv4 | IocKind::Ipv6)) {
            Some(port) => ported.push((ioc.kind, v, port)),
            None => {
                push(&mut batches, ioc.kind, v);
            }
        }
    }
    if opts.url_hosts {
        url_host_hunts(&mut batches, &excluded, &mut notes, &mut push);
    }
    // `ip:port` indicators: an address also hunted on its own already covers every port; otherwise the
    // address joins the batch and the pair is kept for the tables with a destination port.
    let mut port_only: std::collections::HashSet<(IocKind, String)> =
        std::collections::HashSet::new();
    let mut pairs = 0;
    for (kind, v, port) in ported {
        if push(&mut batches, kind, v.clone()) {
            port_only.insert((kind, v.clone()));
        }
        if port_only.contains(&(kind, v.clone()))
            && let Some(b) = batches.iter_mut().find(|b| b.kind == kind)
            && !b.ported.contains(&(v.clone(), port))
        {
            b.ported.push((v, port));
            pairs += 1;
        }
    }
    if pairs > 0 {
        notes.push(format!(
            "{pairs} ip:port indicator(s): matched on the destination address AND port where a table has a destination port field (CIM dest_port, KQL RemotePort/DestinationPort/DstPort, ASIM DstPortNumber), on the address elsewhere"
        ));
    }
    batches.sort_by_key(|b| IocKind::ALL.iter().position(|k| *k == b.kind));
    let mut csv_rows: Vec<(String, IocKind, String)> = Vec::new();
    let mut groups = Vec::new();
    for batch in &batches {
        let mut group = HuntGroup {
            kind: batch.kind,
            values: batch.values.len(),
            detection_guidance: detection_guidance(batch.kind).to_owned(),
            spl: Vec::new(),
            kql: Vec::new(),
            sigma: Vec::new(),
            stix: Vec::new(),
            unsupported: Vec::new(),
        };
        let mut needs_csv = false;
        for &target in &opts.targets {
            if let Some(reason) = unsupported(batch.kind, target) {
                group.unsupported.push(Unsupported { target, reason });
                continue;
            }
            let rendered = match target {
                Target::Spl => {
                    needs_csv |= batch.values.len() > opts.spl_inline_limit();
                    spl::render(batch, opts)
                }
                Target::Kql => {
                    needs_csv |= batch.values.len() > KQL_MAX_INLINE;
                    kql::render(batch, opts)
                }
                Target::Sigma => sigma::render(batch, opts),
                Target::Stix => stix::render(batch, opts),
            };
            match rendered {
                Ok(qs) => match target {
                    Target::Spl => group.spl = qs,
                    Target::Kql => group.kql = qs,
                    Target::Sigma => group.sigma = qs,
                    Target::Stix => group.stix = qs,
                },
                Err(e) => {
                    group.unsupported.push(Unsupported { target, reason: e.message });
                }
            }
        }
        if needs_csv {
            for v in &batch.values {
                for p in spl::lookup_patterns(batch.kind, v) {
                    csv_rows.push((v.clone(), batch.kind, p));
                }
            }
        }
        groups.push(group);
    }
    let lookup_csv = (!csv_rows.is_empty()).then(|| {
        let mut s = String::from("ioc,type,pattern\n");
        for (v, k, p) in &csv_rows {
            // Quoted, not defused: Splunk matches the lookup's values as they are (crate::csv).
            s.push_str(&crate::csv::field(v));
            s.push(',');
            s.push_str(k.as_str());
            s.push(',');
            s.push_str(&crate::csv::field(p));
            s.push('\n');
        }
        s
    });
    for g in &mut groups {
        for q in g.spl.iter_mut().chain(&mut g.kql).chain(&mut g.sigma).chain(&mut g.stix) {
            q.size = q.query.len();
        }
    }
    Ok(Hunt { groups, lookup_csv, notes, skipped })
}

/// Adds the host of every hunted URL to the domain / IP batches, so an HTTPS URL (whose path no DNS,
/// firewall or TLS log sees) is still found by its name: DNS queries, proxy and firewall FQDNs, TLS SNI.
/// Hosts that are too broad, excluded or popular shared services (the `popular_domains` warninglists) are
/// left out with a note.
fn url_host_hunts(
    batches: &mut Vec<Batch>,
    excluded: &[String],
    notes: &mut Vec<String>,
    push: &mut dyn FnMut(&mut Vec<Batch>, IocKind, String) -> bool,
) {
    let Some(urls) = batches.iter().find(|b| b.kind == IocKind::Url).map(|b| b.values.clone())
    else {
        return;
    };
    let (mut added, mut shared) = (Vec::new(), Vec::new());
    for u in &urls {
        let host = guard::url_host(u).to_lowercase();
        let kind = match host.parse::<std::net::IpAddr>() {
            Ok(std::net::IpAddr::V4(_)) => IocKind::Ipv4,
            Ok(std::net::IpAddr::V6(_)) => IocKind::Ipv6,
            Err(_) => IocKind::Domain,
        };
        let Ok(h) = guard::prepare(kind, &host) else { continue };
        if excluded.contains(&h) {
            continue;
        }
        if kind == IocKind::Domain
            && crate::intel::name_mask(crate::intel::Role::PopularDomains, &h) != 0
        {
            if !shared.contains(&h) {
                shared.push(h);
            }
            continue;
        }
        if push(batches, kind, h.clone()) {
            added.push(h);
        }
    }
    let list = |v: &[String]| {
        let mut s = v.iter().take(5).map(|h| format!("`{h}`")).collect::<Vec<_>>().join(", ");
        if v.len() > 5 {
            let _ = write!(s, " and {} more", v.len() - 5);
        }
        s
    };
    if !added.is_empty() {
        notes.push(format!(
            "hunting the host of the URLs too (DNS, proxy, firewall FQDN, TLS SNI): {}",
            list(&added)
        ));
    }
    if !shared.is_empty() {
        notes.push(format!(
            "URL hosts not hunted on their own (popular shared services; the URLs still are): {}",
            list(&shared)
        ));
    }
}

fn single(
    kind: IocKind,
    value: &str,
    opts: &QueryOptions,
    target: Target,
) -> Result<String, Error> {
    opts.validate()?;
    if let Some(reason) = unsupported(kind, target) {
        return Err(Error::new(ErrorKind::UnsupportedType, reason).with_input(value));
    }
    let batch = Batch {
        kind,
        values: vec![normalize_value(kind, value)?],
        primary_only: true,
        ported: Vec::new(),
    };
    let qs = match target {
        Target::Spl => spl::render(&batch, opts)?,
        Target::Kql => kql::render(&batch, opts)?,
        Target::Sigma => sigma::render(&batch, opts)?,
        Target::Stix => stix::render(&batch, opts)?,
    };
    qs.into_iter().next().map(|q| q.query).ok_or_else(|| {
        Error::new(
            ErrorKind::UnsupportedType,
            format!("{} has no template for {kind}", target.as_str()),
        )
    })
}

/// The primary Splunk query for one indicator (the lookup package's `hunting.splunk_query`).
pub fn spl_for(kind: IocKind, value: &str, opts: &QueryOptions) -> Result<String, Error> {
    single(kind, value, opts, Target::Spl)
}

/// The primary Sentinel query for one indicator (the lookup package's `hunting.kql_query`).
pub fn kql_for(kind: IocKind, value: &str, opts: &QueryOptions) -> Result<String, Error> {
    single(kind, value, opts, Target::Kql)
}

/// The Sigma rule for one indicator.
pub fn sigma_for(kind: IocKind, value: &str, opts: &QueryOptions) -> Result<String, Error> {
    single(kind, value, opts, Target::Sigma)
}

/// The STIX 2.1 pattern for one indicator.
pub fn stix_for(kind: IocKind, value: &str, opts: &QueryOptions) -> Result<String, Error> {
    single(kind, value, opts, Target::Stix)
}

/// The Sentinel name of an ATT&CK tactic id (`TA0001` → `InitialAccess`), as stored in `SecurityAlert.Tactics`,
/// from the embedded ATT&CK catalogue.
pub(crate) fn tactic_sentinel_name(id: &str) -> Option<String> {
    crate::attack::tactic(id).filter(|t| t.id.eq_ignore_ascii_case(id)).map(|t| t.sentinel_name)
}

/// Splits ATT&CK ids into techniques (`T####[.###]`) and tactics (`TA####`); anything else is unsupported.
pub(crate) fn split_attack(values: &[String]) -> Result<(Vec<String>, Vec<String>), Error> {
    let mut techniques = Vec::new();
    let mut tactics = Vec::new();
    for v in values {
        let b = v.as_bytes();
        let digits = |s: &[u8]| s.len() == 4 && s.iter().all(u8::is_ascii_digit);
        if b.len() == 6 && v.starts_with("TA") && digits(&b[2..]) {
            tactics.push(v.clone());
        } else if b.first() == Some(&b'T')
            && (b.len() == 5 && digits(&b[1..])
                || b.len() == 9
                    && digits(&b[1..5])
                    && b[5] == b'.'
                    && b[6..].iter().all(u8::is_ascii_digit))
        {
            techniques.push(v.clone());
        } else {
            return Err(Error::new(
                ErrorKind::UnsupportedType,
                format!("ATT&CK id `{v}` is not a technique or tactic: only T####, T####.### and TA#### can be hunted"),
            )
            .with_input(v.clone()));
        }
    }
    Ok((techniques, tactics))
}

/// IPv6 values in their RFC 5952 form and fully expanded (`2001:0db8:0000:…`), deduplicated.
pub(crate) fn with_expanded_ipv6(values: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(values.len() * 2);
    for v in values {
        if !out.contains(v) {
            out.push(v.clone());
        }
        if let Ok(ip) = v.parse::<std::net::Ipv6Addr>() {
            let full =
                ip.segments().iter().map(|s| format!("{s:04x}")).collect::<Vec<_>>().join(":");
            let short = ip.to_string();
            for f in [short, full] {
                if !out.contains(&f) {
                    out.push(f);
                }
            }
        }
    }
    out
}

/// The smallest non-zero `kql_max_len` / `spl_max_len`: below it no query skeleton fits.
pub const MIN_MAX_LEN: usize = 1_000;

/// One part of a hunt after [`fit`]: its values, what `render` made of them, and whether it is still over the
/// limit with a single value (never dropped: such a part is rendered and says so).
pub(crate) struct Part<'a, T> {
    pub(crate) values: &'a [String],
    pub(crate) rendered: T,
    pub(crate) over: bool,
}

/// Renders `values` as consecutive parts whose query text (`len`) stays within `limit` characters (0: no
/// limit): a part over the limit is halved and rendered again until it fits or holds one value. Every value
/// lands in exactly one part, in order.
pub(crate) fn fit<'a, T, E>(
    values: &'a [String],
    limit: usize,
    render: &mut dyn FnMut(&[String]) -> Result<T, E>,
    len: &dyn Fn(&T) -> usize,
) -> Result<Vec<Part<'a, T>>, E> {
    let mut out = Vec::new();
    let mut todo = vec![values];
    while let Some(part) = todo.pop() {
        let rendered = render(part)?;
        let n = len(&rendered);
        if limit == 0 || n <= limit || part.len() <= 1 {
            out.push(Part { values: part, rendered, over: limit != 0 && n > limit });
        } else {
            let (a, b) = part.split_at(part.len() / 2);
            todo.push(b);
            todo.push(a);
        }
    }
    Ok(out)
}

/// Numbers split queries: `chunk`/`chunks`, `(i/n)` in the title and a "part i of n" note on each.
pub(crate) fn number_parts(queries: &mut [Query]) {
    let n = queries.len();
    if n < 2 {
        return;
    }
    for (i, q) in queries.iter_mut().enumerate() {
        q.chunk = Some(i + 1);
        q.chunks = Some(n);
        q.title = format!("{} ({}/{n})", q.title, i + 1);
        q.notes.insert(0, format!("part {} of {n}: together the parts cover every value", i + 1));
    }
}

/// The note on a query still over `limit` characters with a single value.
pub(crate) fn over_limit_note(len: usize, limit: usize, what: &str) -> String {
    format!(
        "this query is {len} characters with a single value, over the {limit}-character limit of {what}: run it as an ad-hoc query, or shorten the value"
    )
}

/// The most indicator text (bytes) one query carries; a chunk closes at `batch_size` values or here,
/// whichever comes first, so no query grows past a few hundred KiB whatever the values.
pub const MAX_LIST_BYTES: usize = 32 * 1024;

/// Chunks `values` for one query each: at most `size` values and [`MAX_LIST_BYTES`] bytes per chunk.
pub(crate) fn chunks(values: &[String], size: usize) -> Vec<&[String]> {
    let size = size.max(1);
    let mut out = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (i, v) in values.iter().enumerate() {
        if i > start && (i - start == size || bytes + v.len() > MAX_LIST_BYTES) {
            out.push(&values[start..i]);
            (start, bytes) = (i, 0);
        }
        bytes += v.len();
    }
    if start < values.len() {
        out.push(&values[start..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_wire_names_are_serde_names() {
        for p in QueryProfile::ALL {
            assert_eq!(serde_json::to_value(p).unwrap(), p.as_str());
            assert_eq!(serde_json::from_value::<QueryProfile>(p.as_str().into()).unwrap(), p);
        }
    }

    #[test]
    fn lookback_forms() {
        let lb =
            |s: &str| QueryOptions { lookback: s.into(), ..QueryOptions::default() }.lookback();
        assert_eq!(lb("7d").map(Lookback::kql), Ok("7d".to_owned()));
        assert_eq!(lb("24h").map(Lookback::spl_earliest), Ok("-24h".to_owned()));
        assert_eq!(lb("2w").map(Lookback::kql), Ok("14d".to_owned()));
        for bad in
            ["", "7", "d", "0d", "-1d", "7y", "3651d", "1.5d", "7 d", "9999999999d", "7d;drop"]
        {
            assert_eq!(lb(bad).map_err(|e| e.kind), Err(ErrorKind::InvalidOption), "{bad}");
        }
    }

    #[test]
    fn options_validation() {
        let o = QueryOptions { batch_size: 0, ..QueryOptions::default() };
        assert_eq!(o.validate().map_err(|e| e.kind), Err(ErrorKind::InvalidOption));
        let o = QueryOptions { batch_size: 129, ..QueryOptions::default() };
        assert!(o.validate().is_err());
        let o = QueryOptions { watchlist: "a'b".into(), ..QueryOptions::default() };
        assert!(o.validate().is_err());
        let o: QueryOptions =
            serde_json::from_str(r#"{"lookback":"30d","kql_profile":"asim"}"#).unwrap();
        assert_eq!(o.kql_profile, KqlProfile::Asim);
        assert!(o.include_ti);
        assert!(serde_json::from_str::<QueryOptions>(r#"{"lokback":"30d"}"#).is_err());
    }

    #[test]
    fn control_characters_rejected() {
        for v in
            ["a\nb", "evil.com\r", "x\u{0}", "\u{85}x", "a\u{2028}b", "tab\there", "a\u{202e}b"]
        {
            let e = kql_for(IocKind::Url, v, &QueryOptions::default()).unwrap_err();
            assert_eq!(e.kind, ErrorKind::ControlCharacter, "{v:?}");
        }
        let e = spl_for(IocKind::Domain, "  ", &QueryOptions::default()).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidOption);
    }

    #[test]
    fn fixed_syntax_types_are_checked() {
        let o = QueryOptions::default();
        for (kind, bad) in [
            (IocKind::Sha256, "a\"; drop"),
            (IocKind::Md5, "44d88612fea8a8f36de82e1278abb02"),
            (IocKind::Ipv4, "1.2.3.4\" or 1==1"),
            (IocKind::Ipv6, "2001:db8::g"),
            (IocKind::Cidr, "10.0.0.0/33"),
            (IocKind::Cve, "CVE-2021-44228\")"),
        ] {
            assert_eq!(kql_for(kind, bad, &o).unwrap_err().kind, ErrorKind::TypeMismatch, "{bad}");
        }
        assert!(kql_for(IocKind::Ipv6, "2001:DB8:0:0::1", &o).unwrap().contains("\"2001:db8::1\""));
        assert!(spl_for(IocKind::Cve, "cve-2024-3094", &o).unwrap().contains("\"CVE-2024-3094\""));
    }

    #[test]
    fn unsupported_types_are_errors_for_single_and_notes_for_hunt() {
        let e =
            spl_for(IocKind::Btc, "1BoatSLRHtKNngkdXEeobR76b53LETtpyT", &QueryOptions::default())
                .unwrap_err();
        assert_eq!(e.kind, ErrorKind::UnsupportedType);
        let e = kql_for(IocKind::Attack, "G0016", &QueryOptions::default()).unwrap_err();
        assert_eq!(e.kind, ErrorKind::TypeMismatch);
        let h = hunt(&[HuntInput::new(IocKind::Cve, "cve-2021-44228")], &QueryOptions::default())
            .unwrap();
        let g = &h.groups[0];
        assert!(!g.spl.is_empty() && !g.kql.is_empty());
        assert!(g.unsupported.iter().any(|u| u.target == Target::Sigma));
        assert!(g.kql[0].query.contains("\"CVE-2021-44228\""));
    }

    #[test]
    fn one_bad_value_never_drops_the_rest() {
        let iocs = [
            HuntInput::new(IocKind::Attack, "T1059"),
            HuntInput::new(IocKind::Attack, "G0016"),
            HuntInput::new(IocKind::Attack, "TA9999"),
            HuntInput::new(IocKind::Url, "http://"),
            HuntInput::new(IocKind::Domain, "."),
            HuntInput::new(IocKind::Domain, "co.uk"),
            HuntInput::new(IocKind::Cidr, "0.0.0.0/0"),
            HuntInput::new(IocKind::Cidr, "10.0.0.0/8"),
            HuntInput::new(IocKind::Cidr, "10.1.2.3/16"),
            HuntInput::new(IocKind::Sha256, "zz"),
            HuntInput::new(IocKind::Domain, "evil\u{202e}gpj.example"),
            HuntInput::new(IocKind::Url, "x".repeat(1 << 20)),
            HuntInput::new(IocKind::Domain, "evil.example"),
        ];
        let h = hunt(&iocs, &QueryOptions::default()).unwrap();
        assert_eq!(h.skipped.len(), 10, "{:#?}", h.skipped);
        let kinds: Vec<_> = h.groups.iter().map(|g| (g.kind, g.values)).collect();
        assert_eq!(kinds, [(IocKind::Cidr, 1), (IocKind::Domain, 1), (IocKind::Attack, 1)]);
        for g in &h.groups {
            assert!(!g.spl.is_empty() && !g.kql.is_empty(), "{} lost a target", g.kind);
            assert!(g.spl.iter().chain(&g.kql).all(|q| q.size == q.query.len() && q.size > 0));
        }
        assert!(h.groups[0].kql[0].query.contains("\"10.1.0.0/16\""), "host bits cleared");
        let att = &h.groups[2];
        assert!(att.kql[0].query.contains("\"T1059\"") && !att.kql[0].query.contains("G0016"));
        let json = serde_json::to_value(&h).unwrap();
        assert_eq!(json["skipped"][0]["reason"], "malformed");
        assert!(json["skipped"].as_array().unwrap().iter().any(|s| s["reason"] == "too_broad"));
    }

    #[test]
    fn url_hosts_are_hunted_too() {
        let iocs = [
            HuntInput::new(IocKind::Url, "https://c2.evil.example/gate.php"),
            HuntInput::new(IocKind::Url, "http://203.0.113.9:8080/x"),
            HuntInput::new(IocKind::Url, "https://co.uk/x"),
        ];
        let h = hunt(&iocs, &QueryOptions::default()).unwrap();
        let g = |k| h.groups.iter().find(|g| g.kind == k).map(|g| g.values);
        assert_eq!(
            (g(IocKind::Domain), g(IocKind::Ipv4), g(IocKind::Url)),
            (Some(1), Some(1), Some(3))
        );
        assert!(h.notes.iter().any(|n| n.contains("`c2.evil.example`")), "{:?}", h.notes);
        let off = QueryOptions { url_hosts: false, ..QueryOptions::default() };
        assert_eq!(hunt(&iocs, &off).unwrap().groups.len(), 1);
    }

    #[test]
    fn no_form_drops_values_above_ten_thousand() {
        let n = 25_001;
        let iocs: Vec<HuntInput> =
            (0..n).map(|i| HuntInput::new(IocKind::Sha256, format!("{i:064x}"))).collect();
        let h = hunt(&iocs, &QueryOptions::default()).unwrap();
        let g = &h.groups[0];
        assert_eq!(g.values, n);
        // KQL: watchlist slices of at most 10,000 distinct keys, covering every row exactly once.
        let native: Vec<_> = g.kql.iter().filter(|q| q.profile == QueryProfile::Native).collect();
        assert_eq!(native.len(), 3);
        let mut next = 1;
        for q in &native {
            let want = format!("where Row between ({next} .. {})", next + q.values - 1);
            assert!(q.query.contains(&want), "{want}\n{}", q.query);
            assert!(q.values <= KQL_MAX_INLINE);
            next += q.values;
        }
        assert_eq!(next - 1, n);
        let ti: Vec<_> = g.kql.iter().filter(|q| q.profile == QueryProfile::Ti).collect();
        assert_eq!(ti.iter().map(|q| q.values).sum::<usize>(), n);
        // Sigma and STIX chunk; SPL switches to the lookup, whose CSV holds every value.
        assert_eq!(g.sigma.iter().map(|q| q.values).sum::<usize>(), n);
        assert_eq!(g.stix.iter().map(|q| q.values).sum::<usize>(), n);
        let csv = h.lookup_csv.unwrap();
        let distinct: std::collections::HashSet<&str> =
            csv.lines().skip(1).map(|l| l.split(',').next().unwrap()).collect();
        assert_eq!(distinct.len(), n);
        // Defender (no watchlists) keeps chunking inline.
        let d = QueryOptions { kql_profile: KqlProfile::Defender, ..QueryOptions::default() };
        let dk = hunt(&iocs, &d).unwrap();
        assert_eq!(dk.groups[0].kql.iter().map(|q| q.values).sum::<usize>(), n);
    }

    #[test]
    fn long_hunts_split_to_the_target_limit() {
        // 100 long URLs: one chunk by count, far over Sentinel's 10,000 characters; every part fits, says
        // "part i of n", and the parts add up to every value, in order.
        let iocs: Vec<HuntInput> = (0..100)
            .map(|i| {
                HuntInput::new(IocKind::Url, format!("https://u{i}.example/{}", "p".repeat(300)))
            })
            .collect();
        let opts = QueryOptions {
            url_hosts: false,
            targets: vec![Target::Kql, Target::Spl],
            ..QueryOptions::default()
        };
        let h = hunt(&iocs, &opts).unwrap();
        let native: Vec<_> =
            h.groups[0].kql.iter().filter(|q| q.profile == QueryProfile::Native).collect();
        assert!(native.len() > 1, "{}", native.len());
        assert_eq!(native.iter().map(|q| q.values).sum::<usize>(), 100);
        for (i, q) in native.iter().enumerate() {
            assert!(q.query.chars().count() <= KQL_MAX_QUERY_LEN, "{}", q.query.len());
            assert_eq!((q.chunk, q.chunks), (Some(i + 1), Some(native.len())));
            let part = format!("part {} of {}", i + 1, native.len());
            assert!(q.notes.iter().any(|n| n.starts_with(&part)), "{:?}", q.notes);
            assert!(q.notes.iter().any(|n| n.contains("10000 characters")), "{:?}", q.notes);
        }
        let first = native.iter().position(|q| q.query.contains("u0.example/")).unwrap();
        let last = native.iter().position(|q| q.query.contains("u99.example/")).unwrap();
        assert_eq!((first, last), (0, native.len() - 1));
        // No limit: one query. SPL has none by default; `spl_max_len` splits it the same way.
        let off = QueryOptions { kql_max_len: 0, ..opts.clone() };
        let h0 = hunt(&iocs, &off).unwrap();
        assert_eq!(
            h0.groups[0].kql.iter().filter(|q| q.profile == QueryProfile::Native).count(),
            1
        );
        assert!(h0.groups[0].spl.iter().all(|q| q.chunks.is_none()));
        let spl = QueryOptions { spl_max_len: 5_000, ..opts.clone() };
        let hs = hunt(&iocs, &spl).unwrap();
        let web: Vec<_> =
            hs.groups[0].spl.iter().filter(|q| q.title.starts_with("Web.Web")).collect();
        assert!(web.len() > 1 && web.iter().all(|q| q.query.chars().count() <= 5_000));
        assert_eq!(web.iter().map(|q| q.values).sum::<usize>(), 100);
        // A single value over the limit is still rendered, with a note: never dropped.
        let one = [HuntInput::new(IocKind::Url, format!("https://x.example/{}", "q".repeat(2000)))];
        let tight = QueryOptions { kql_max_len: MIN_MAX_LEN, ..opts.clone() };
        let h1 = hunt(&one, &tight).unwrap();
        let q = &h1.groups[0].kql[0];
        assert_eq!(q.values, 1);
        assert!(
            q.notes
                .iter()
                .any(|n| n.contains("with a single value, over the 1000-character limit"))
        );
        let bad = QueryOptions { kql_max_len: 999, ..QueryOptions::default() };
        assert_eq!(bad.validate().map_err(|e| e.kind), Err(ErrorKind::InvalidOption));
    }

    #[test]
    fn es_profile_reads_threat_activity_first() {
        let o = QueryOptions { spl_profile: SplProfile::Es, ..QueryOptions::default() };
        let h = hunt(&[HuntInput::new(IocKind::Domain, "evil.example")], &o).unwrap();
        let spl = &h.groups[0].spl;
        assert_eq!(spl[0].profile, QueryProfile::Es);
        assert!(spl[0].query.contains("from datamodel=Threat_Intelligence.Threat_Activity where earliest=-7d latest=now (Threat_Activity.threat_match_value IN (\"evil.example\"))"), "{}", spl[0].query);
        let intel: Vec<_> = spl.iter().filter(|q| q.query.contains("| inputlookup ")).collect();
        assert_eq!(intel.len(), 1);
        assert!(
            intel[0].query.starts_with("| inputlookup ip_intel where (domain=\"evil.example\")")
        );
        assert!(!spl.iter().any(|q| q.query.contains("| search")), "no unfiltered KV read");
        assert_eq!(spl.iter().filter(|q| q.query.contains("Threat_Activity")).count(), 1);
        assert!(
            spl.iter()
                .any(|q| q.profile == QueryProfile::Cim && q.title == "Network_Resolution.DNS")
        );
        // The lookup package's one query starts with the ES matches; beyond 100 values the lookup form too.
        let one = spl_for(IocKind::Sha256, &"a".repeat(64), &o).unwrap();
        assert!(
            one.starts_with("| tstats ")
                && one.contains("datamodel=Threat_Intelligence.Threat_Activity")
        );
        let many: Vec<HuntInput> =
            (0..101).map(|i| HuntInput::new(IocKind::Domain, format!("d{i}.example"))).collect();
        let hm = hunt(&many, &o).unwrap();
        assert!(
            hm.groups[0].spl[0]
                .query
                .contains("| lookup ioclens_iocs pattern AS threat_match_value")
        );
    }

    #[test]
    fn ip_port_hunts_the_port_where_a_table_has_one() {
        let c = crate::classify::classify("91.215.85.22:443");
        let pair = HuntInput::from(&c);
        assert_eq!((pair.value.as_str(), pair.port), ("91.215.85.22", Some(443)));
        let iocs = [
            pair,
            HuntInput::new(IocKind::Ipv4, "203.0.113.7"),
            HuntInput::new(IocKind::Ipv6, "2001:db8::5").with_port(8443),
        ];
        let h = hunt(&iocs, &QueryOptions::default()).unwrap();
        assert!(h.notes.iter().any(|n| n.starts_with("2 ip:port indicator(s)")), "{:?}", h.notes);
        let v4 = &h.groups[0];
        assert_eq!((v4.kind, v4.values), (IocKind::Ipv4, 2));
        let k = &v4.kql[0].query;
        assert!(k.contains("let iocs = dynamic([\"203.0.113.7\", \"91.215.85.22\"]);"), "{k}");
        assert!(k.contains("let plain = dynamic([\"203.0.113.7\"]);"));
        assert!(k.contains("let pairs = dynamic([\"91.215.85.22#443\"]);"));
        // A table with a destination port: the pair; one without: the address (plain IP elsewhere).
        assert!(k.contains("| where RemoteIP in (plain) or LocalIP in (plain) or (RemoteIP in (iocs) and strcat(RemoteIP, \"#\", tostring(RemotePort)) in~ (pairs))"), "{k}");
        assert!(k.contains("| where IPAddress in (iocs)\n"), "{k}");
        let spl = &v4.spl[0].query;
        assert!(spl.contains("(All_Traffic.src_ip IN (\"203.0.113.7\") OR All_Traffic.dest_ip IN (\"203.0.113.7\") OR (All_Traffic.dest_ip=\"91.215.85.22\" AND All_Traffic.dest_port=443))"), "{spl}");
        let auth = v4.spl.iter().find(|q| q.title.starts_with("Authentication")).unwrap();
        assert!(auth.query.contains("Authentication.src IN (\"203.0.113.7\", \"91.215.85.22\")"));
        assert_eq!(
            v4.stix[0].query,
            "[ipv4-addr:value = '203.0.113.7'] OR [network-traffic:dst_ref.value = '91.215.85.22' AND network-traffic:dst_port = 443]"
        );
        // Sigma: the outbound rule pairs the address with its port, the inbound rule has the address.
        let (out, inb) = (&v4.sigma[0].query, &v4.sigma[1].query);
        assert!(out.contains("  selection_1:\n    DestinationIp:\n      - '203.0.113.7'\n  selection_2:\n    DestinationIp: '91.215.85.22'\n    DestinationPort: 443\n"), "{out}");
        assert!(inb.contains("      - '91.215.85.22'") && !inb.contains("Port"), "{inb}");
        // IPv6: both text forms carry the port; an address also given plain covers every port.
        let v6 = &h.groups[1].kql[0].query;
        assert!(
            v6.contains("\"2001:db8::5#8443\", \"2001:0db8:0000:0000:0000:0000:0000:0005#8443\""),
            "{v6}"
        );
        let both = [
            HuntInput::new(IocKind::Ipv4, "91.215.85.22").with_port(443),
            HuntInput::new(IocKind::Ipv4, "91.215.85.22"),
        ];
        let hb = hunt(&both, &QueryOptions::default()).unwrap();
        assert!(!hb.groups[0].kql[0].query.contains("pairs") && hb.groups[0].values == 1);
        let a = QueryOptions { kql_profile: KqlProfile::Asim, ..QueryOptions::default() };
        let ha = hunt(&iocs[..1], &a).unwrap();
        assert!(
            ha.groups[0].kql[0]
                .query
                .contains("strcat(DstIpAddr, \"#\", tostring(DstPortNumber)) in~ (pairs)")
        );
    }

    #[test]
    fn chunks_close_on_size() {
        let vals: Vec<String> = (0..40).map(|i| format!("{i}{}", "a".repeat(2000))).collect();
        let c = chunks(&vals, 100);
        assert!(
            c.len() > 1
                && c.iter().all(|p| p.iter().map(String::len).sum::<usize>() <= MAX_LIST_BYTES)
        );
        assert_eq!(c.iter().map(|p| p.len()).sum::<usize>(), 40);
    }

    #[test]
    fn tactic_names() {
        // Names as Microsoft Sentinel stores them in SecurityAlert.Tactics (docs/queries.md, query contract).
        assert_eq!(tactic_sentinel_name("TA0001").as_deref(), Some("InitialAccess"));
        assert_eq!(tactic_sentinel_name("TA0011").as_deref(), Some("CommandAndControl"));
        assert_eq!(tactic_sentinel_name("TA0043").as_deref(), Some("Reconnaissance"));
        assert_eq!(tactic_sentinel_name("TA9999"), None);
    }

    #[test]
    fn ipv6_expanded() {
        let v = with_expanded_ipv6(&["2001:db8::1".to_owned()]);
        assert_eq!(v, ["2001:db8::1", "2001:0db8:0000:0000:0000:0000:0000:0001"]);
    }

    #[test]
    fn grouping_dedup_exclusions_and_batches() {
        let mut iocs = vec![
            HuntInput::new(IocKind::Domain, "Evil.Example"),
            HuntInput::new(IocKind::Ipv4, "203.0.113.10"),
            HuntInput::new(IocKind::Domain, "evil.example"),
            HuntInput::new(IocKind::Domain, "mine.example"),
        ];
        let opts =
            QueryOptions { exclusions: vec!["MINE.example".into()], ..QueryOptions::default() };
        let h = hunt(&iocs, &opts).unwrap();
        assert_eq!(
            h.groups.iter().map(|g| (g.kind, g.values)).collect::<Vec<_>>(),
            [(IocKind::Ipv4, 1), (IocKind::Domain, 1)]
        );
        assert_eq!(h.notes, ["excluded domain `mine.example`"]);
        assert!(h.lookup_csv.is_none());
        // 300 domains: SPL switches to the lookup, KQL splits into 3 chunks of <= 100 (batch_size).
        iocs = (0..300).map(|i| HuntInput::new(IocKind::Domain, format!("d{i}.example"))).collect();
        let h = hunt(&iocs, &QueryOptions::default()).unwrap();
        let g = &h.groups[0];
        assert!(g.spl.iter().any(
            |q| q.profile == QueryProfile::Lookup && q.query.contains("| lookup ioclens_iocs")
        ));
        let native: Vec<_> = g.kql.iter().filter(|q| q.profile == QueryProfile::Native).collect();
        assert_eq!(native.len(), 3);
        assert_eq!(native[2].chunk, Some(3));
        assert!(native.iter().all(|q| q.values <= 100));
        let csv = h.lookup_csv.unwrap();
        // Every pattern the domain templates use: the name, its subdomains, addresses at it.
        assert!(csv.starts_with(
            "ioc,type,pattern\nd0.example,domain,d0.example\nd0.example,domain,*.d0.example\nd0.example,domain,*@d0.example\n"
        ));
        assert_eq!(csv.lines().count(), 1 + 300 * 3);
    }
}

/// End-to-end injection check: whatever the value, the rendered query has exactly the shape it has for a
/// benign value once every `"…"` literal is collapsed, so no value text ever lands outside a literal.
#[cfg(test)]
mod injection {
    use super::escape::tokenize;
    use super::*;
    use proptest::prelude::*;

    /// The query with every double-quoted literal replaced by `"S"`; `None` if a literal does not close.
    fn skeleton(q: &str) -> Option<String> {
        let mut out = String::new();
        let mut rest = q;
        while let Some(i) = rest.find('"') {
            out.push_str(&rest[..i]);
            let (_, after) = tokenize::dq(&rest[i..])?;
            out.push_str("\"S\"");
            rest = after;
        }
        out.push_str(rest);
        Some(out)
    }

    fn hostile() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                Just('"'),
                Just('\''),
                Just('\\'),
                Just('|'),
                Just('`'),
                Just(';'),
                Just(')'),
                Just(']'),
                Just('/'),
                Just('é'),
                "[a-z]".prop_map(|s| s.chars().next().unwrap_or('a')),
            ],
            1..16,
        )
        .prop_map(|cs| cs.into_iter().collect())
    }

    fn shape(kind: IocKind, value: &str, target: Target, opts: &QueryOptions) -> Option<String> {
        let q = match target {
            Target::Spl => spl_for(kind, value, opts),
            _ => kql_for(kind, value, opts),
        }
        .ok()?;
        skeleton(&q)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn values_stay_inside_literals(v in hostile()) {
            let profiles = [
                QueryOptions::default(),
                QueryOptions { spl_profile: SplProfile::Raw, kql_profile: KqlProfile::Asim, ..QueryOptions::default() },
                QueryOptions { kql_profile: KqlProfile::Defender, ..QueryOptions::default() },
            ];
            let cases = [
                (IocKind::Url, format!("http://x.test/{v}"), "http://x.test/benign".to_owned()),
                (IocKind::Domain, format!("{v}.x.test"), "benign.x.test".to_owned()),
                (IocKind::Email, format!("{v}@x.test"), "benign@x.test".to_owned()),
                (IocKind::FilePath, format!("C:\\x{v}"), "C:\\benign".to_owned()),
                (IocKind::RegistryKey, format!("HKCU\\Software\\{v}"), "HKCU\\Software\\benign".to_owned()),
            ];
            for opts in &profiles {
                for (kind, value, benign) in &cases {
                    for target in [Target::Spl, Target::Kql] {
                        let got = shape(*kind, value, target, opts);
                        prop_assert!(got.is_some(), "{kind} {target:?} {value:?}: unclosed literal");
                        // SPL adds an exact `| where` for backticks (made wildcards); compare with a value that
                        // needs the same post-filter.
                        let reference = if target == Target::Spl && value.contains('`') {
                            shape(*kind, &format!("{benign}`x"), target, opts)
                        } else {
                            shape(*kind, benign, target, opts)
                        };
                        let (got, reference) = (got.unwrap_or_default(), reference.unwrap_or_default());
                        // A backtick splits the SPL eval literal into pieces joined by urldecode("%60"); fold
                        // those joins so the shapes compare.
                        let fold = |s: &str| s.replace("\"S\" . urldecode(\"S\") . ", "");
                        prop_assert_eq!(fold(&got), fold(&reference), "{} {:?} {:?}", kind, target, value);
                    }
                }
            }
        }
    }
}
