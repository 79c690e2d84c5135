//! `lookup`: the whole enrichment package for one value — classification, list evidence, risk score,
//! ATT&CK techniques and hunting queries — in the field names SOC Defenders' `GET /api/v1/lookup` uses
//! (`ioc_value`, `ioc_type`, `risk{score, level}`, `confidence`, `mitre_techniques`,
//! `hunting{splunk_query, kql_query, detection_guidance}`), with ioclens' own fields beside them.
//!
//! Pure: `now` is an input and nothing is read or sent. For a remote score, build the request with
//! [`crate::score::remote_request`], send it, then [`apply_remote`] the answer.
use crate::attack::{MapContext, TechniqueMapping};
use crate::intel::pack::Pack;
use crate::intel::{self, DataVersion, Hit, Role};
use crate::query::{self, QueryOptions};
use crate::score::{self, Confidence, FactorName, Level, RemoteScore, Score, ScoreOptions};
use crate::{Classified, Diagnostic, DiagnosticCode, IocKind, IpScope};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// Options for [`lookup`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LookupOptions {
    /// Force the type (`classify_as`); `None` detects it.
    #[serde(rename = "type")]
    pub kind: Option<IocKind>,
    /// Hunting-query options (lookback, profiles …).
    pub query: QueryOptions,
    /// Scoring options.
    pub score: ScoreOptions,
    /// Render the hunting queries (the most expensive part; off for bulk scoring).
    pub hunting: bool,
    /// A host's own evidence records (its feeds), scored by the same rules as the embedded intel
    /// ([`crate::score::evidence`]). Empty by default.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<score::Evidence>,
}

impl Default for LookupOptions {
    fn default() -> Self {
        LookupOptions {
            kind: None,
            query: QueryOptions::default(),
            score: ScoreOptions::default(),
            hunting: true,
            evidence: Vec::new(),
        }
    }
}

/// `risk{score, level}` as SOC Defenders names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Risk {
    /// 0–100.
    pub score: u8,
    /// `info` / `low` / `medium` / `high` / `critical`.
    pub level: Level,
}

/// One ATT&CK technique the value points to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TechniqueRef {
    /// `T1071.001`.
    pub id: String,
    /// Technique name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Why it applies (mapping rule or evidence).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
}

/// `hunting{…}` as SOC Defenders names it; our queries are time-bounded and validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hunting {
    /// The primary Splunk SPL query (empty when the type has no SPL template; see `diagnostics`).
    pub splunk_query: String,
    /// The primary Sentinel KQL query.
    pub kql_query: String,
    /// One line on what to look for.
    pub detection_guidance: String,
}

/// The Maltrail family behind a hit, with its ATT&CK software and group ids.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Malware {
    /// Trail name.
    pub family: String,
    /// `malware`, `malicious` or `suspicious`.
    pub category: String,
    /// ATT&CK software ids (`S0367`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attack_software: Vec<String>,
    /// ATT&CK group ids (`G0032`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attack_groups: Vec<String>,
}

/// The enrichment package.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LookupResponse {
    /// The canonical value (the input as given when it is not an indicator).
    pub ioc_value: String,
    /// The type's wire name (`ipv4`, `domain`, `sha256`, `attack` …).
    pub ioc_type: IocKind,
    /// A threat-intel source (Maltrail, `IPsum`, KEV, or the remote service) lists the value. Warninglist
    /// context (popular, provider, reserved …) does not count. Not found is not safe.
    pub found: bool,
    /// Score and level.
    pub risk: Risk,
    /// `low` / `medium` / `high`.
    pub confidence: Confidence,
    /// Techniques the value points to.
    pub mitre_techniques: Vec<TechniqueRef>,
    /// The two primary hunting queries and guidance.
    pub hunting: Hunting,
    /// Maltrail family name, when a malware trail lists the value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub malware_family: Option<String>,
    /// Context tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// ioclens: the full classification (input, defanged, facts).
    pub classification: Classified,
    /// ioclens: the full score (verdict, factors, decay, remote status, both scores).
    pub score: Score,
    /// ioclens: every warninglist and intel hit, each naming its list.
    pub hits: Vec<Hit>,
    /// ioclens: the malware family details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub malware: Option<Malware>,
    /// ioclens: the full ATT&CK mapping (tactics, confidence, source, reason per technique).
    pub attack: Vec<TechniqueMapping>,
    /// ioclens: versions of the embedded data.
    pub data_versions: Vec<DataVersion>,
    /// ioclens: crate version.
    pub version: String,
    /// ioclens: notes (forced type mismatch, no query template for the type, stale intel …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub diagnostics: Vec<Diagnostic>,
    /// ioclens: days since the loaded threat intel was taken (the intel pack's creation, else the embedded
    /// snapshot), present only when it is [`STALE_AFTER_DAYS`] or more: the answer says once that the intel is
    /// old (with a `stale-intel` diagnostic naming the command that refreshes it) rather than on every hit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intel_age_days: Option<u32>,
}

/// Intel older than this many days is called stale on every answer (`intel_age_days`).
pub const STALE_AFTER_DAYS: u32 = 7;

/// The age in days of the loaded intel at `now` when it is stale, with the diagnostic that says so.
fn staleness(pack: Option<&Pack<'_>>, now: i64) -> Option<(u32, Diagnostic)> {
    let (taken, what) = match pack {
        Some(p) => (p.created_at(), "intel pack"),
        None => (crate::generated::intel::DATA_DATE_UNIX, "embedded intel snapshot"),
    };
    let days = u32::try_from(now.saturating_sub(taken) / 86_400).ok()?;
    (days >= STALE_AFTER_DAYS).then(|| {
        let msg = format!(
            "the {what} of {} is {days} days old: evidence behind this answer may have expired; refresh it with \
             `ioclens intel update`",
            score::evidence::date(taken)
        );
        (days, diag(DiagnosticCode::StaleIntel, msg))
    })
}

fn diag(code: DiagnosticCode, message: String) -> Diagnostic {
    Diagnostic { code, message, span: None }
}

/// Evidence for a classified value, plus the registrable domain's exact entry on popular lists (a
/// `string`-type top list holds `microsoft.com`, which should vouch for `avd.microsoft.com` as a domain).
pub fn evidence(c: &Classified) -> Vec<Hit> {
    let mut hits = intel::evidence(c);
    if c.kind == IocKind::Domain
        && let Some(reg) = c.facts.domain.as_ref().and_then(|d| d.registrable.as_deref())
        && reg != c.canonical
        && !hits.iter().any(|h| h.role == Role::PopularDomains)
    {
        hits.extend(intel::name_hits(Role::PopularDomains, reg));
    }
    hits
}

/// Looks one value up in the embedded intel. Never fails: problems become `diagnostics` and an `unknown` type.
pub fn lookup(value: &str, opts: &LookupOptions, now: i64) -> LookupResponse {
    lookup_with(value, opts, None, now)
}

/// [`lookup`] with an intel pack loaded: its hits become evidence records ([`score::Evidence::from_pack`]) scored
/// by the same rules as a host's feeds, and a source the pack carries replaces that source's embedded hits.
pub fn lookup_with(
    value: &str,
    opts: &LookupOptions,
    pack: Option<&Pack<'_>>,
    now: i64,
) -> LookupResponse {
    let mut diagnostics = Vec::new();
    let c = match opts.kind {
        None => crate::classify(value),
        Some(kind) => match crate::classify_as(value, kind) {
            Ok(c) => c,
            Err(e) => {
                diagnostics.push(diag(DiagnosticCode::TypeMismatch, e.to_string()));
                crate::classify(value)
            }
        },
    };
    let mut hits = evidence(&c);
    let pack_records = pack.map(|p| score::evidence::pack_records(p, &c)).unwrap_or_default();
    let records: Cow<'_, [score::Evidence]> = if pack_records.is_empty() {
        Cow::Borrowed(&opts.evidence)
    } else {
        Cow::Owned(opts.evidence.iter().cloned().chain(pack_records).collect())
    };
    if let Some(p) = pack {
        score::evidence::replace_embedded(&mut hits, p);
    }
    score::evidence::add_hits(&c, &mut hits, &records, now);
    let score = score::score_with(&c, &hits, &records, &opts.score, now);
    let malware =
        hits.iter().find(|h| h.role == Role::Malware).and_then(|h| h.family.as_deref()).map(
            |name| {
                let f = intel::family(name);
                Malware {
                    family: name.to_owned(),
                    category: f.map_or("malware", |f| f.category).to_owned(),
                    attack_software: f
                        .map(|f| f.software.iter().map(|s| (*s).to_owned()).collect())
                        .unwrap_or_default(),
                    attack_groups: f
                        .map(|f| f.groups.iter().map(|s| (*s).to_owned()).collect())
                        .unwrap_or_default(),
                }
            },
        );
    // A benign or reserved value points to no adversary behaviour: no techniques (the guidance says why).
    let quiet = matches!(score.verdict, score::Verdict::Benign | score::Verdict::Reserved);
    let attack = if quiet { Vec::new() } else { crate::attack::map(&c, &map_context(&c, &hits)) };
    let mitre_techniques = attack
        .iter()
        .map(|t| TechniqueRef { id: t.id.clone(), name: t.name.clone(), reason: t.reason.clone() })
        .collect();
    let internal = internal_address(&c);
    if internal && opts.hunting {
        diagnostics.push(diag(
            DiagnosticCode::InternalAddress,
            "an internal address: the queries find it in your own logs (lateral movement, the host behind a NAT); \
             it is not an external indicator"
                .to_owned(),
        ));
    }
    let mut hunting = if opts.hunting
        && c.kind != IocKind::Unknown
        && (score.verdict != score::Verdict::Reserved || internal)
    {
        hunting(&c, &opts.query, &mut diagnostics)
    } else {
        Hunting {
            splunk_query: String::new(),
            kql_query: String::new(),
            detection_guidance: query::detection_guidance(c.kind).to_owned(),
        }
    };
    if let Some(why) = no_technique_note(&score) {
        hunting.detection_guidance = format!("{} {why}", hunting.detection_guidance);
    }
    // As in SOC Defenders' API, `found` means "a threat-intel source lists it" (Maltrail, IPsum, KEV), not
    // "some list mentions it": a popular domain is not found, and not found is not safe.
    let found =
        hits.iter().any(|h| matches!(h.role, Role::Malware | Role::Blocklist | Role::Exploited));
    let stale = staleness(pack, now);
    let mut data_versions = intel::data_versions();
    if let Some(p) = pack {
        data_versions.push(DataVersion {
            source: "intel-pack".into(),
            version: score::evidence::date(p.created_at()),
        });
    }
    if let Some((_, d)) = &stale {
        diagnostics.push(d.clone());
    }
    let mut resp = LookupResponse {
        ioc_value: if c.canonical.is_empty() { c.input.clone() } else { c.canonical.clone() },
        ioc_type: c.kind,
        found,
        risk: Risk { score: score.score, level: score.level },
        confidence: score.confidence,
        mitre_techniques,
        hunting,
        malware_family: malware.as_ref().map(|m| m.family.clone()),
        tags: score.tags.clone(),
        classification: c,
        score,
        hits,
        malware,
        attack,
        data_versions,
        version: crate::VERSION.to_owned(),
        diagnostics,
        intel_age_days: stale.map(|(days, _)| days),
    };
    score::evidence::finish(&mut resp, &records, now);
    resp
}

/// The hunt inputs worth a query: values whose verdict is `benign` or `reserved` (a popular domain, a public
/// resolver, a private address …) are dropped, each with a note naming its verdict and deciding factor, so a
/// hunt over an extracted report does not sweep every log for `google.com`. `extract --hunt --keep-benign`
/// skips this filter.
pub fn hunt_worthy(inputs: &[query::HuntInput]) -> (Vec<query::HuntInput>, Vec<String>) {
    let mut keep = Vec::with_capacity(inputs.len());
    let mut notes = Vec::new();
    for i in inputs {
        let c = crate::classify_as(&i.value, i.kind).unwrap_or_else(|_| crate::classify(&i.value));
        let hits = evidence(&c);
        let s = score::score(&c, &hits, &ScoreOptions { lexical: false, evidence_date: None }, 0);
        let verdict = match s.verdict {
            score::Verdict::Benign => "benign",
            score::Verdict::Reserved => "reserved",
            _ => {
                keep.push(i.clone());
                continue;
            }
        };
        let why = s
            .factors
            .iter()
            .find(|f| {
                f.contribution < 0
                    || matches!(f.name.as_str(), "reserved" | "benign-hash" | "sinkhole")
            })
            .map_or_else(String::new, |f| format!(" ({}: {})", f.name, f.source));
        notes.push(format!(
            "dropped {} {}: verdict {verdict}{why}; pass --keep-benign to hunt for it",
            i.kind, i.value
        ));
    }
    (keep, notes)
}

/// Why a benign or reserved verdict carries no ATT&CK technique.
fn no_technique_note(s: &Score) -> Option<String> {
    match s.verdict {
        score::Verdict::Reserved => Some(
            "No ATT&CK technique: a special-purpose (reserved) value is not external infrastructure.".into(),
        ),
        score::Verdict::Benign => {
            let why: Vec<&str> =
                s.factors.iter().filter(|f| f.contribution < 0 || f.name == FactorName::BenignHash || f.name == FactorName::Sinkhole).map(|f| f.name.as_str()).collect();
            Some(format!(
                "No ATT&CK technique: the evidence says benign ({}), so the value points to no adversary behaviour.",
                why.join(", ")
            ))
        }
        _ => None,
    }
}

/// The remote scorer's part of a lookup, for a host that does HTTP (the one seam of every Rust host: the CLI's
/// `--remote`, the Extism plugin): builds the request for `resp`'s value on the scorer at `base`, lets `send`
/// carry it (the host's HTTP; it adds the credential) and reads what came back. Every outcome is a status
/// (fail-open): a value the scorer cannot take is `error`, a transport failure is `timeout` or `error` by its
/// text ([`crate::api::transport_failure`]), any HTTP answer is read by [`score::parse_response`]. `send` gets
/// the request and its full URL ([`score::RemoteRequest::url`]) and returns the status and body, or the
/// failure's text. Merge the result with [`apply_remote`].
pub fn remote_score(
    base: &str,
    resp: &LookupResponse,
    send: impl FnOnce(&score::RemoteRequest, &str) -> Result<(u16, String), String>,
) -> RemoteScore {
    let Some(req) = score::remote_request(&resp.ioc_value, resp.ioc_type) else {
        return RemoteScore::failed(
            score::RemoteStatus::Error,
            "value cannot be sent to the remote scorer",
        );
    };
    match send(&req, &req.url(base)) {
        Ok((status, body)) => score::parse_response(status, &body),
        Err(e) => crate::api::transport_failure(&e),
    }
}

/// Merges a remote answer into a lookup (fail-open; rules in [`crate::score::remote`]).
pub fn apply_remote(resp: &mut LookupResponse, remote: &RemoteScore) {
    resp.score = score::merge(&resp.score, remote);
    resp.risk = Risk { score: resp.score.score, level: resp.score.level };
    resp.confidence = resp.score.confidence;
    let quiet = matches!(resp.score.verdict, score::Verdict::Reserved | score::Verdict::Benign);
    if remote.status == score::RemoteStatus::Ok && !quiet {
        resp.found |= remote.found.unwrap_or(remote.score.is_some());
        for t in &remote.mitre_techniques {
            score::evidence::add_technique(resp, t, "the remote service", "remote");
        }
        if resp.malware_family.is_none() {
            resp.malware_family.clone_from(&remote.malware_family);
        }
    }
}

/// Private, link-local and shared (CGNAT) addresses and networks: reserved as external indicators, but they name
/// hosts inside the organisation, so hunting for them in its own logs is useful. Loopback, documentation,
/// multicast, unspecified and other reserved space get no queries.
fn internal_address(c: &Classified) -> bool {
    c.facts.ip.as_ref().is_some_and(|ip| {
        matches!(ip.scope, IpScope::Private | IpScope::LinkLocal | IpScope::Cgnat)
    })
}

fn hunting(c: &Classified, opts: &QueryOptions, diagnostics: &mut Vec<Diagnostic>) -> Hunting {
    let mut one = |r: Result<String, crate::Error>, code: DiagnosticCode| match r {
        Ok(q) => q,
        Err(e) => {
            diagnostics.push(diag(code, e.to_string()));
            String::new()
        }
    };
    Hunting {
        splunk_query: one(query::spl_for(c.kind, &c.canonical, opts), DiagnosticCode::NoSplQuery),
        kql_query: one(query::kql_for(c.kind, &c.canonical, opts), DiagnosticCode::NoKqlQuery),
        detection_guidance: query::detection_guidance(c.kind).to_owned(),
    }
}

/// The ATT&CK mapping context our evidence supports: the Maltrail family (for hashes, domains, IPs), DGA when
/// that family is a DGA family, and the port (a URL's, or an `ip:port` value's). Tor, VPN and e-mail context
/// are not known from one value: no embedded list is VPN, proxy or Tor exits only (`vpn-ipv4` holds "VPN
/// providers and datacenters"), so nothing here sets `vpn` or `tor` (T1090).
pub fn map_context(c: &Classified, hits: &[Hit]) -> MapContext {
    let family = hits.iter().find(|h| h.role == Role::Malware).and_then(|h| h.family.clone());
    MapContext {
        dga: family.as_deref().is_some_and(intel::is_dga_family),
        family,
        port: c
            .facts
            .url
            .as_ref()
            .and_then(|u| u.port)
            .or_else(|| c.facts.ip.as_ref().and_then(|ip| ip.port)),
        ..MapContext::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_790_000_000;

    fn check(value: &str) -> LookupResponse {
        lookup(value, &LookupOptions::default(), NOW)
    }

    #[cfg(feature = "offline-intel")]
    #[test]
    fn defanged_domain_on_maltrail() {
        let r = check("booklng[.]biz");
        assert_eq!(r.ioc_type, IocKind::Domain);
        assert_eq!(r.ioc_value, "booklng.biz");
        assert!(r.classification.defanged);
        assert!(r.found);
        assert_eq!(r.malware_family.as_deref(), Some("0debug"));
        assert_eq!(r.score.verdict, score::Verdict::Malicious);
        assert!(r.hunting.splunk_query.contains("booklng.biz"), "{}", r.hunting.splunk_query);
        assert!(r.hunting.kql_query.contains("booklng.biz"), "{}", r.hunting.kql_query);
        assert!(!r.hunting.detection_guidance.is_empty());
    }

    #[cfg(feature = "offline-intel")]
    #[test]
    fn maltrail_family_feeds_the_attack_mapping() {
        // `91.215.85.22:443 ip_port 0ktapus` in Maltrail: the family is reported and passed to the mapping,
        // which must return techniques, each with a reason.
        let r = check("91.215.85.22");
        assert_eq!(r.malware_family.as_deref(), Some("0ktapus"));
        assert!(!r.mitre_techniques.is_empty());
        assert!(r.mitre_techniques.iter().all(|t| !t.reason.is_empty()));
        assert_eq!(r.mitre_techniques.len(), r.attack.len());
    }

    #[test]
    fn dga_family_sets_dga_context() {
        let hits = vec![Hit {
            role: Role::Malware,
            list: "maltrail".into(),
            matched: "x.com".into(),
            detail: None,
            count: None,
            family: Some("necurs".into()),
        }];
        let c = crate::classify("abcdefgh.com");
        let ctx = map_context(&c, &hits);
        assert!(ctx.dga);
        assert_eq!(ctx.family.as_deref(), Some("necurs"));
        let m = crate::attack::map(&c, &ctx);
        assert!(m.iter().any(|t| t.id == "T1568.002"), "{m:?}");
    }

    #[test]
    fn private_ip_is_reserved_but_huntable() {
        let r = check("10.0.0.5");
        assert_eq!(r.risk, Risk { score: 0, level: Level::Info });
        assert_eq!(r.score.verdict, score::Verdict::Reserved);
        assert!(r.hunting.splunk_query.contains("\"10.0.0.5\""), "{}", r.hunting.splunk_query);
        assert!(r.hunting.kql_query.contains("\"10.0.0.5\""), "{}", r.hunting.kql_query);
        assert!(r.diagnostics.iter().any(|d| d.code == DiagnosticCode::InternalAddress));
        let r = check("100.64.1.2");
        assert!(!r.hunting.kql_query.is_empty());
    }

    #[test]
    fn loopback_and_documentation_get_no_queries() {
        for v in ["127.0.0.1", "192.0.2.1", "2001:db8::1", "224.0.0.1"] {
            let r = check(v);
            assert_eq!(r.score.verdict, score::Verdict::Reserved, "{v}");
            assert!(r.hunting.splunk_query.is_empty() && r.hunting.kql_query.is_empty(), "{v}");
            assert!(!r.hunting.detection_guidance.is_empty(), "{v}");
        }
    }

    #[cfg(feature = "offline-intel")]
    #[test]
    fn subdomain_of_popular_registrable_is_benign() {
        // tranco10k (hostname) lists microsoft.com.
        let r = check("avd.microsoft.com");
        assert_eq!(r.score.verdict, score::Verdict::Benign, "{:?}", r.hits);
    }

    #[test]
    fn reserved_and_benign_carry_no_technique() {
        let r = check("127.0.0.1");
        assert!(r.mitre_techniques.is_empty() && r.attack.is_empty());
        assert!(
            r.hunting.detection_guidance.contains("No ATT&CK technique"),
            "{}",
            r.hunting.detection_guidance
        );
        // The same address with a remote "malicious" answer gains no technique either: reserved stays reserved.
        let mut r = check("10.1.2.3");
        let remote = score::parse_response(
            200,
            r#"{"data": {"found": true, "risk": {"score": 95, "level": "critical"}, "confidence": "high", "mitre_techniques": ["T1071"]}}"#,
        );
        apply_remote(&mut r, &remote);
        assert!(r.mitre_techniques.is_empty());
        let r = check("45.10.20.30:4444");
        assert_eq!(r.classification.facts.ip.as_ref().and_then(|f| f.port), Some(4444));
        assert!(r.mitre_techniques.iter().any(|t| t.id == "T1571"), "{:?}", r.mitre_techniques);
    }

    #[cfg(feature = "offline-intel")]
    #[test]
    fn public_resolver_is_benign_without_techniques() {
        let r = check("8.8.8.8");
        assert_eq!(r.score.verdict, score::Verdict::Benign);
        assert!(r.mitre_techniques.is_empty(), "{:?}", r.mitre_techniques);
        assert!(!r.tags.iter().any(|t| t == "vpn"));
        assert!(
            r.hunting.detection_guidance.contains("public-resolver"),
            "{}",
            r.hunting.detection_guidance
        );
    }

    #[cfg(feature = "offline-intel")]
    #[test]
    fn exact_ip_port_trail() {
        let r = check("91.215.85.22:443");
        assert_eq!(r.ioc_type, IocKind::Ipv4);
        assert_eq!(r.ioc_value, "91.215.85.22");
        let h = r.hits.iter().find(|h| h.role == Role::Malware).expect("maltrail hit");
        assert_eq!(h.matched, "91.215.85.22:443");
        let r = check("91.215.85.22:8443");
        let h = r.hits.iter().find(|h| h.role == Role::Malware).expect("address-only hit");
        assert_eq!(h.matched, "91.215.85.22");
    }

    #[test]
    fn hunt_worthy_drops_reserved_and_benign() {
        let inputs = vec![
            query::HuntInput::new(IocKind::Ipv4, "10.0.0.1"),
            query::HuntInput::new(IocKind::Domain, "evil-login.xyz"),
        ];
        let (keep, notes) = hunt_worthy(&inputs);
        assert_eq!(keep, vec![query::HuntInput::new(IocKind::Domain, "evil-login.xyz")]);
        assert_eq!(notes.len(), 1);
        assert!(notes[0].contains("10.0.0.1") && notes[0].contains("reserved"), "{notes:?}");
    }

    #[test]
    fn found_means_a_threat_intel_source() {
        assert!(
            !check("google.com").found,
            "a popular domain is context, not a threat-intel record"
        );
        assert!(check("CVE-2025-48384").found);
    }

    #[test]
    fn not_an_indicator() {
        let r = check("hello world");
        assert_eq!(r.ioc_type, IocKind::Unknown);
        assert_eq!(r.risk.score, 0);
        assert!(!r.found);
    }

    #[test]
    fn forced_type_mismatch_is_a_diagnostic() {
        let opts = LookupOptions { kind: Some(IocKind::Md5), ..LookupOptions::default() };
        let r = lookup("8.8.8.8", &opts, NOW);
        assert!(r.diagnostics.iter().any(|d| d.code == DiagnosticCode::TypeMismatch));
        assert_eq!(r.ioc_type, IocKind::Ipv4);
    }

    #[test]
    fn wire_names_mirror_soc_defenders() {
        let v = serde_json::to_value(check("8.8.8.8")).unwrap_or_default();
        for key in
            ["ioc_value", "ioc_type", "risk", "confidence", "mitre_techniques", "hunting", "found"]
        {
            assert!(v.get(key).is_some(), "missing {key}");
        }
        assert!(v.pointer("/risk/score").is_some() && v.pointer("/risk/level").is_some());
        assert!(v.pointer("/hunting/splunk_query").is_some());
        assert!(v.pointer("/hunting/kql_query").is_some());
        assert!(v.pointer("/hunting/detection_guidance").is_some());
        assert_eq!(v.pointer("/ioc_type").and_then(serde_json::Value::as_str), Some("ipv4"));
    }

    #[test]
    fn remote_merge_through_lookup() {
        let mut r = check("45.10.20.30");
        let remote = score::parse_response(
            200,
            r#"{"meta": {}, "data": {"found": true, "risk": {"score": 91, "level": "critical"}, "confidence": "high", "mitre_techniques": ["T1071"]}}"#,
        );
        apply_remote(&mut r, &remote);
        assert_eq!(r.risk.score, 91);
        assert!(r.found);
        assert!(r.mitre_techniques.iter().any(|t| t.id == "T1071"));
        assert_eq!(r.score.remote_status, score::RemoteStatus::Ok);
    }
}
