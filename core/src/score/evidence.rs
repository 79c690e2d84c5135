//! Evidence records: what a host's own feeds (the server's store: STIX, MISP, CSV/TXT, built-in copies of
//! Maltrail and `IPsum`) say about one value, scored by the same rules as the embedded intel.
//!
//! A host passes them in [`crate::LookupOptions::evidence`]; the host computes no score of its own. Rules
//! (`docs/scoring.md`, "Evidence records"):
//! - Ended evidence — STIX `revoked`, a `valid_until` at or before `now`, MISP `to_ids: false`, a deleted MISP
//!   attribute — is kept for history (a zero-point `ended-evidence` factor says why) and never scores.
//! - A record whose source *is* an embedded source (origin or name `maltrail` / `ipsum`) is that source: when
//!   the embedded data already lists the value it is the same listing, counted once; otherwise it becomes that
//!   source's hit and is scored by that source's rule (Maltrail +60/+50/+25, `IPsum` by list count).
//! - Any other source is one `feed` factor per source (records of one source merge; the highest confidence
//!   counts): high +50 (a strong source: verdict malicious, confidence high), medium +30 (a moderate source:
//!   confidence medium), low +15 (no confidence of its own).
//! - Decay starts from the newest `last_seen` the sources gave (and the snapshot date when embedded intel
//!   hits), so an old listing decays from when its source last saw it.
//! - ATT&CK ids in the records' tags resolve through the catalogue ([`crate::attack::resolve_technique`]).
//! - An intel pack's hits ([`Evidence::from_pack`]) are records like any other: an `ipsum`, `kev-json` or
//!   Maltrail-trail source is that embedded source (and replaces its embedded hits, [`replace_embedded`]),
//!   anything else is a `feed` factor; `anonymizer`, `epss` and `benign` sources are context (a factor and a
//!   tag, zero points except a CVE's EPSS probability, [`super::epss_points`]).
//! - Every factor a record adds names its source and the date it was last seen there.
use super::{Builder, Confidence, FactorName};
use crate::intel::pack::{Pack, PackHit};
use crate::intel::{Hit, Role};
use crate::lookup::{LookupResponse, TechniqueRef};
use crate::{Classified, Diagnostic};
use serde::{Deserialize, Serialize};

/// The kind of organisation behind a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceCategory {
    /// Government CERTs and agencies.
    Government,
    /// Vendors.
    Commercial,
    /// Open community lists.
    #[default]
    Community,
}

impl SourceCategory {
    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceCategory::Government => "government",
            SourceCategory::Commercial => "commercial",
            SourceCategory::Community => "community",
        }
    }
}

/// One source's record of one value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Evidence {
    /// The source's name (the server's feed name: `cisa-aa24`, `maltrail`).
    pub source: String,
    /// What the source is a copy of, when known (`maltrail`, `ipsum`); the server passes the feed's format.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// Kind of organisation behind the source (shown, not weighted: the confidence says how far to trust it).
    pub category: SourceCategory,
    /// The source's confidence in this record.
    pub confidence: Confidence,
    /// When the source first listed the value, as the source dated it (Unix seconds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<i64>,
    /// When the source last saw it (Unix seconds): decay starts here.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<i64>,
    /// How many lists/reports carry it (`IPsum`: blocklists).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    /// The record's tags (ATT&CK ids in them are resolved).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Malware family.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
    /// Threat type (`c2`, `malware`, `malicious`, `suspicious` …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threat_type: Option<String>,
    /// STIX `revoked: true`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub revoked: bool,
    /// STIX `valid_until` (Unix seconds): the record ends then.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<i64>,
    /// MISP `to_ids` (false: context, not for detection). Default true.
    pub to_ids: bool,
    /// A deleted MISP attribute.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub deleted: bool,
}

impl Default for Evidence {
    fn default() -> Self {
        Evidence {
            source: String::new(),
            origin: None,
            category: SourceCategory::Community,
            confidence: Confidence::Medium,
            first_seen: None,
            last_seen: None,
            count: None,
            tags: Vec::new(),
            family: None,
            threat_type: None,
            revoked: false,
            valid_until: None,
            to_ids: true,
            deleted: false,
        }
    }
}

/// Whether a record is still evidence at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EvidenceStatus {
    /// Scored.
    Active,
    /// STIX `revoked: true`.
    Revoked,
    /// Past its `valid_until`.
    Expired,
    /// MISP `to_ids: false`.
    NotForDetection,
    /// A deleted MISP attribute.
    Deleted,
}

impl EvidenceStatus {
    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceStatus::Active => "active",
            EvidenceStatus::Revoked => "revoked",
            EvidenceStatus::Expired => "expired",
            EvidenceStatus::NotForDetection => "not-for-detection",
            EvidenceStatus::Deleted => "deleted",
        }
    }
    fn why(self) -> &'static str {
        match self {
            EvidenceStatus::Active => "active",
            EvidenceStatus::Revoked => "revoked by its source",
            EvidenceStatus::Expired => "past its valid_until",
            EvidenceStatus::NotForDetection => "marked not for detection (MISP to_ids: false)",
            EvidenceStatus::Deleted => "deleted by its source",
        }
    }
}

/// Which source a record is: an embedded one (counted once with the embedded data) or a feed of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Identity {
    Maltrail,
    Ipsum,
    Kev,
    Feed(String),
}

/// Source categories (a pack source's `category`, a record's `threat_type`) that are context, not malice: Tor
/// exits, EPSS probabilities, benign lists.
const CONTEXT: [&str; 3] = ["anonymizer", "epss", "benign"];

/// A date as `YYYY-MM-DD` (UTC).
pub(crate) fn date(ts: i64) -> String {
    i32::try_from(ts.div_euclid(86_400) + 2_440_588)
        .ok()
        .and_then(|jd| time::Date::from_julian_day(jd).ok())
        .map_or_else(
            || ts.to_string(),
            |d| format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day()),
        )
}

impl Evidence {
    /// The record's status at `now` (deleted, then revoked, expired, not for detection).
    pub fn status(&self, now: i64) -> EvidenceStatus {
        if self.deleted {
            EvidenceStatus::Deleted
        } else if self.revoked {
            EvidenceStatus::Revoked
        } else if self.valid_until.is_some_and(|v| v <= now) {
            EvidenceStatus::Expired
        } else if !self.to_ids {
            EvidenceStatus::NotForDetection
        } else {
            EvidenceStatus::Active
        }
    }

    fn identity(&self) -> Identity {
        let is = |name: &str| {
            self.origin.as_deref().is_some_and(|o| o.trim().eq_ignore_ascii_case(name))
                || self.source.trim().eq_ignore_ascii_case(name)
        };
        if is("maltrail") {
            Identity::Maltrail
        } else if is("ipsum") {
            Identity::Ipsum
        } else if is("cisa-kev") {
            Identity::Kev
        } else {
            Identity::Feed(self.source.trim().to_ascii_lowercase())
        }
    }
}

impl Evidence {
    /// Context, not malice (a Tor exit list, EPSS, a benign list): never `found`, never points.
    fn is_context(&self) -> bool {
        self.threat_type.as_deref().is_some_and(|t| CONTEXT.contains(&t.trim()))
    }

    /// One intel-pack hit as a record. Decay runs from the entry's own last-seen date at its source (else its
    /// first-seen date, else the source's publication or fetch date); the pack's 0–100 confidence maps to the
    /// STIX scale (70 and up high, 30 and up medium).
    pub fn from_pack(h: &PackHit<'_>) -> Evidence {
        let origin = match h.format {
            "ipsum" => "ipsum",
            "kev-json" => "cisa-kev",
            _ if maltrail_trail(h.source).is_some() && h.family.is_some() => "maltrail",
            _ => "intel-pack",
        };
        Evidence {
            source: h.source.to_owned(),
            origin: Some(origin.to_owned()),
            category: if origin == "cisa-kev" {
                SourceCategory::Government
            } else {
                SourceCategory::Community
            },
            confidence: match h.confidence {
                70.. => Confidence::High,
                30..=69 => Confidence::Medium,
                _ => Confidence::Low,
            },
            first_seen: h.first_seen,
            last_seen: h.last_seen.or(h.first_seen).or(Some(h.fetched_at)),
            // IPsum: lists carrying the address; EPSS: the probability in parts per million.
            count: h.number.filter(|_| origin == "ipsum" || h.format == "epss-csv"),
            tags: h.tags.split(',').filter(|t| !t.is_empty()).map(str::to_owned).collect(),
            family: h.family.map(str::to_owned),
            threat_type: Some(h.category.to_owned()),
            ..Evidence::default()
        }
    }
}

/// `maltrail` (every trail) or the trail of a `maltrail-<trail>` source.
fn maltrail_trail(source: &str) -> Option<&str> {
    let rest = source.strip_prefix("maltrail")?;
    if rest.is_empty() { Some("") } else { rest.strip_prefix('-') }
}

/// The records an intel pack holds for a classified value (its exact canonical value; an address also inside the
/// listed networks).
pub fn pack_records(pack: &Pack<'_>, c: &Classified) -> Vec<Evidence> {
    pack.lookup(c.kind, &c.canonical).iter().map(Evidence::from_pack).collect()
}

/// Drops the embedded hits of every source the pack carries a fresh copy of (`IPsum`, KEV, Maltrail or one of
/// its trails): that source now speaks through the pack's records, so it is never counted twice, and a value
/// that left it is no longer evidence.
pub fn replace_embedded(hits: &mut Vec<Hit>, pack: &Pack<'_>) {
    for (name, format) in pack.source_names() {
        let trail = maltrail_trail(name);
        hits.retain(|h| match h.role {
            Role::Blocklist => !(format == "ipsum" && h.list == "ipsum"),
            Role::Exploited => !(format == "kev-json" && h.list == "cisa-kev"),
            Role::Malware => {
                !(h.list == "maltrail"
                    && trail.is_some_and(|t| t.is_empty() || h.family.as_deref() == Some(t)))
            }
            _ => true,
        });
    }
}

fn active(evidence: &[Evidence], now: i64) -> impl Iterator<Item = &Evidence> {
    evidence.iter().filter(move |e| e.status(now) == EvidenceStatus::Active)
}

/// Active records that are threat evidence (not context).
fn threats(evidence: &[Evidence], now: i64) -> impl Iterator<Item = &Evidence> {
    active(evidence, now).filter(|e| !e.is_context())
}

/// ", last seen 2026-12-01" when the record is dated.
fn seen(e: &Evidence) -> String {
    e.last_seen.map_or_else(String::new, |t| format!(", last seen {}", date(t)))
}

/// Active records of an embedded source become that source's hit when the embedded data does not already list
/// the value (one source, counted once). Called by [`crate::lookup`] before scoring.
pub(crate) fn add_hits(c: &Classified, hits: &mut Vec<Hit>, evidence: &[Evidence], now: i64) {
    let mut malware: Option<&Evidence> = None;
    let mut blocklist: Option<(&Evidence, u32)> = None;
    let mut kev: Option<&Evidence> = None;
    for e in threats(evidence, now) {
        match e.identity() {
            Identity::Maltrail if malware.is_none() => malware = Some(e),
            Identity::Kev if kev.is_none() => kev = Some(e),
            Identity::Ipsum => {
                let n = e.count.unwrap_or(1).max(1);
                if blocklist.is_none_or(|(_, m)| n > m) {
                    blocklist = Some((e, n));
                }
            }
            _ => {}
        }
    }
    let hit = |role: Role, e: &Evidence, count: Option<u32>| Hit {
        role,
        list: e.source.clone(),
        matched: c.canonical.clone(),
        detail: Some(format!("listed by feed {}{}", e.source, seen(e))),
        count,
        family: e.family.clone(),
    };
    if let Some(e) = malware
        && !hits.iter().any(|h| h.role == Role::Malware)
    {
        hits.push(hit(Role::Malware, e, None));
    }
    if let Some((e, n)) = blocklist
        && !hits.iter().any(|h| h.role == Role::Blocklist)
    {
        hits.push(hit(Role::Blocklist, e, Some(n)));
    }
    if let Some(e) = kev
        && c.kind == crate::IocKind::Cve
        && !hits.iter().any(|h| h.role == Role::Exploited)
    {
        let mut h = hit(Role::Exploited, e, None);
        let added = e.first_seen.map_or_else(String::new, |t| format!(" (added {})", date(t)));
        let ransomware = if e.tags.iter().any(|t| t.eq_ignore_ascii_case("ransomware")) {
            "; used in ransomware campaigns"
        } else {
            ""
        };
        h.detail = Some(format!(
            "known exploited{added}{ransomware}; listed by feed {}{}",
            e.source,
            seen(e)
        ));
        hits.push(h);
    }
}

/// Points of a feed listing by the source's confidence (50 and up is a strong source, 30 a moderate one).
fn feed_points(c: Confidence) -> i32 {
    match c {
        Confidence::High => 50,
        Confidence::Medium => 30,
        Confidence::Low => 15,
    }
}

/// The feed step of [`super::score`]: one `feed` factor per other source, a zero-point `ended-evidence` factor
/// per ended record. Sets `strong` / `moderate` as the embedded sources do.
pub(super) fn score_feeds(
    b: &mut Builder,
    evidence: &[Evidence],
    now: i64,
    strong: &mut u32,
    moderate: &mut bool,
) {
    let mut seen: Vec<(Identity, usize)> = Vec::new();
    for e in evidence {
        let status = e.status(now);
        if status != EvidenceStatus::Active {
            b.add(
                FactorName::EndedEvidence,
                &format!("feed:{}", e.source),
                0,
                Some(format!(
                    "listed by {} but {}: kept for history, not scored",
                    e.source,
                    status.why()
                )),
            );
            continue;
        }
        let id = e.identity();
        if !matches!(id, Identity::Feed(_)) {
            continue;
        }
        if e.is_context() {
            if context_factor(b, e) >= 20 {
                *moderate = true;
            }
            continue;
        }
        let pts = feed_points(e.confidence);
        if let Some(&(_, at)) = seen.iter().find(|(i, _)| *i == id) {
            // The same source again: one factor, the highest confidence.
            if let Some(f) = b.factors.get_mut(at)
                && pts > f.weight
            {
                f.weight = pts;
                f.contribution = pts;
                f.detail = Some(feed_detail(e));
            }
        } else {
            seen.push((id, b.factors.len()));
            b.add(FactorName::Feed, &format!("feed:{}", e.source), pts, Some(feed_detail(e)));
        }
    }
    for &(_, at) in &seen {
        match b.factors.get(at).map(|f| f.weight) {
            Some(50..) => *strong += 1,
            Some(30..) => *moderate = true,
            _ => {}
        }
    }
}

fn feed_detail(e: &Evidence) -> String {
    let mut d = format!(
        "listed by {} ({} source, {} confidence",
        e.source,
        e.category.as_str(),
        confidence_name(e.confidence)
    );
    if let Some(f) = &e.family {
        d.push_str(", family ");
        d.push_str(f);
    }
    d.push_str(&seen(e));
    d.push(')');
    d
}

/// A context record: a factor naming its source and date, and a tag. Zero points, except a CVE's EPSS
/// probability ([`super::epss_points`]); returns the points.
fn context_factor(b: &mut Builder, e: &Evidence) -> i32 {
    let kind = e.threat_type.as_deref().unwrap_or_default().trim();
    let mut pts = 0;
    let (name, detail) = if kind == "epss" {
        let p = e.count.unwrap_or(0);
        let kev = b.factors.iter().any(|f| f.name == FactorName::Kev);
        pts = if kev { 0 } else { super::epss_points(p) };
        let percentile = e
            .tags
            .iter()
            .find_map(|t| t.strip_prefix("percentile:"))
            .map_or_else(String::new, |p| format!(", percentile {p}"));
        (
            FactorName::Epss,
            format!(
                "EPSS exploitation probability {}.{:04}{percentile} (by {}{}){}",
                p / 1_000_000,
                p % 1_000_000 / 100,
                e.source,
                seen(e),
                if kev && super::epss_points(p) > 0 {
                    "; no points: KEV lists it as exploited"
                } else {
                    ""
                }
            ),
        )
    } else if kind == "anonymizer" {
        (
            FactorName::Anonymizer,
            format!(
                "listed by {} as an anonymizer (Tor exit, proxy): context, not malice{})",
                e.source,
                seen(e)
            ),
        )
    } else {
        (
            FactorName::BenignList,
            format!("listed by {} as benign: context, not a verdict{}", e.source, seen(e)),
        )
    };
    if b.factors.iter().any(|f| f.name == name && f.source == format!("feed:{}", e.source)) {
        return 0;
    }
    b.add(name, &format!("feed:{}", e.source), pts, Some(detail));
    b.tag(name.as_str());
    pts
}

fn confidence_name(c: Confidence) -> &'static str {
    match c {
        Confidence::Low => "low",
        Confidence::Medium => "medium",
        Confidence::High => "high",
    }
}

/// The decay start: the newest `last_seen` of the active records, and `snapshot` when embedded threat intel
/// (not a record's own hit) lists the value; `snapshot` when no record is dated.
pub(super) fn decay_since(snapshot: i64, hits: &[Hit], evidence: &[Evidence], now: i64) -> i64 {
    let Some(newest) = threats(evidence, now).filter_map(|e| e.last_seen).max() else {
        return snapshot;
    };
    let embedded = hits.iter().any(|h| {
        matches!(h.role, Role::Malware | Role::Blocklist | Role::Exploited)
            && !evidence.iter().any(|e| e.source == h.list)
    });
    if embedded { newest.max(snapshot) } else { newest }
}

/// Adds one ATT&CK technique id from outside the core (a feed tag, a remote answer) to a lookup: resolved
/// through the catalogue, or dropped with a diagnostic.
pub(crate) fn add_technique(resp: &mut LookupResponse, id: &str, origin: &str, reason: &str) {
    match crate::attack::resolve_technique(id, origin) {
        Ok(t) => {
            if !resp.mitre_techniques.iter().any(|m| m.id == t.id) {
                let reason = match t.requested {
                    Some(old) => {
                        format!("{reason} ({old} is revoked; ATT&CK replaced it with {})", t.id)
                    }
                    None => reason.to_owned(),
                };
                resp.mitre_techniques.push(TechniqueRef { id: t.id, name: t.name, reason });
            }
        }
        Err(d) => push_diagnostic(&mut resp.diagnostics, d),
    }
}

fn push_diagnostic(out: &mut Vec<Diagnostic>, d: Diagnostic) {
    if !out.iter().any(|x| x.code == d.code && x.message == d.message) {
        out.push(d);
    }
}

/// What the active records add to a lookup besides the score: `found`, the family when no embedded trail names
/// one, their tags, and the ATT&CK ids in their tags. Called by [`crate::lookup`] last. A reserved value a feed
/// lists is found (the listing is a fact) and still scores 0. A benign or reserved verdict gets no technique
/// from a tag either (the same rule as the embedded mapping and remote answers).
pub(crate) fn finish(resp: &mut LookupResponse, evidence: &[Evidence], now: i64) {
    let quiet = matches!(resp.score.verdict, super::Verdict::Benign | super::Verdict::Reserved);
    for e in threats(evidence, now) {
        resp.found = true;
        if resp.malware_family.is_none() {
            resp.malware_family.clone_from(&e.family);
        }
        for t in &e.tags {
            if !resp.tags.contains(t) {
                resp.tags.push(t.clone());
            }
            if quiet {
                continue;
            }
            for id in crate::attack::technique_ids_in(t) {
                add_technique(
                    resp,
                    &id,
                    &format!("feed {}", e.source),
                    &format!("tagged by feed {}", e.source),
                );
            }
        }
    }
}

/// The technique ids of one record's tags, resolved: what a feed export shows. Unknown ids are left out with a
/// diagnostic each.
pub fn record_techniques(
    source: &str,
    tags: &[String],
) -> (Vec<crate::attack::ResolvedTechnique>, Vec<Diagnostic>) {
    let mut out: Vec<crate::attack::ResolvedTechnique> = Vec::new();
    let mut diags = Vec::new();
    for t in tags {
        for id in crate::attack::technique_ids_in(t) {
            match crate::attack::resolve_technique(&id, &format!("feed {source}")) {
                Ok(r) if !out.iter().any(|x| x.id == r.id) => out.push(r),
                Ok(_) => {}
                Err(d) => push_diagnostic(&mut diags, d),
            }
        }
    }
    (out, diags)
}

/// The date the built-in copies of the embedded sources carry when they list a value (the embedded snapshot
/// date, Unix seconds): a host that loads them as feeds dates them by it, not by when it loaded them.
pub fn snapshot_date() -> i64 {
    crate::generated::intel::DATA_DATE_UNIX
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score::Verdict;
    use crate::{LookupOptions, lookup};

    const NOW: i64 = 1_790_000_000;
    const DAY: i64 = 86_400;

    fn with(records: Vec<Evidence>, value: &str) -> LookupResponse {
        let opts = LookupOptions { hunting: false, evidence: records, ..LookupOptions::default() };
        lookup(value, &opts, NOW)
    }

    fn feed(source: &str, confidence: Confidence) -> Evidence {
        Evidence {
            source: source.into(),
            origin: Some("stix".into()),
            confidence,
            first_seen: Some(NOW - 10 * DAY),
            last_seen: Some(NOW - 5 * DAY),
            ..Evidence::default()
        }
    }

    fn names(r: &LookupResponse) -> Vec<(&str, i32)> {
        r.score.factors.iter().map(|f| (f.name.as_str(), f.contribution)).collect()
    }

    #[test]
    fn default_options_keep_their_wire_shape() {
        let v = serde_json::to_value(LookupOptions::default()).unwrap_or_default();
        assert!(v.get("evidence").is_none(), "{v}");
        let o: LookupOptions = serde_json::from_str(r#"{"evidence": [{"source": "x"}]}"#).unwrap();
        assert_eq!(o.evidence[0].confidence, Confidence::Medium);
        assert!(o.evidence[0].to_ids);
    }

    #[test]
    fn a_feed_scores_by_its_confidence() {
        let r = with(vec![feed("cisa-aa24", Confidence::High)], "feedonly-ioclens-test.com");
        assert!(names(&r).contains(&("feed", 50)), "{:?}", names(&r));
        assert_eq!(r.score.verdict, Verdict::Malicious);
        assert_eq!(r.confidence, Confidence::High);
        assert!(r.found);
        // Decay starts at the source's own last_seen, not the snapshot date.
        assert_eq!(r.score.decay.since, NOW - 5 * DAY);
        let m = with(vec![feed("c", Confidence::Medium)], "feedonly-ioclens-test.com");
        assert!(names(&m).contains(&("feed", 30)));
        assert_eq!((m.score.verdict, m.confidence), (Verdict::Unknown, Confidence::Medium));
        let l = with(vec![feed("c", Confidence::Low)], "feedonly-ioclens-test.com");
        assert!(names(&l).contains(&("feed", 15)));
        assert_eq!(l.confidence, Confidence::Low);
    }

    #[test]
    fn one_source_counts_once_two_sources_twice() {
        let one = with(
            vec![feed("cisa", Confidence::Medium), feed("CISA", Confidence::High)],
            "feedonly-ioclens-test.com",
        );
        let feeds: Vec<_> = names(&one).into_iter().filter(|(n, _)| *n == "feed").collect();
        assert_eq!(feeds, vec![("feed", 50)]);
        let two = with(
            vec![feed("cisa", Confidence::Medium), feed("otx", Confidence::Medium)],
            "feedonly-ioclens-test.com",
        );
        assert_eq!(names(&two).iter().filter(|(n, _)| *n == "feed").count(), 2);
    }

    #[test]
    fn ended_evidence_is_history_not_evidence() {
        let ended = [
            Evidence { revoked: true, ..feed("a", Confidence::High) },
            Evidence { valid_until: Some(NOW - DAY), ..feed("b", Confidence::High) },
            Evidence { to_ids: false, ..feed("c", Confidence::High) },
            Evidence { deleted: true, ..feed("d", Confidence::High) },
        ];
        let want = ["revoked", "expired", "not-for-detection", "deleted"];
        for (e, status) in ended.iter().zip(want) {
            assert_eq!(e.status(NOW).as_str(), status);
            let r = with(vec![e.clone()], "feedonly-ioclens-test.com");
            let bare = with(Vec::new(), "feedonly-ioclens-test.com");
            assert_eq!(r.risk, bare.risk, "{status}");
            assert_ne!(r.score.verdict, Verdict::Malicious, "{status}");
            assert!(!r.found, "{status}");
            let f = r.score.factors.iter().find(|f| f.name == FactorName::EndedEvidence).unwrap();
            assert_eq!(f.contribution, 0);
        }
        // A valid_until still ahead is active.
        let e = Evidence { valid_until: Some(NOW + DAY), ..feed("b", Confidence::High) };
        assert_eq!(e.status(NOW), EvidenceStatus::Active);
    }

    #[test]
    fn attack_ids_in_tags_resolve_through_the_catalogue() {
        let e = Evidence {
            tags: vec![
                "T9999".into(),
                "misp-galaxy:mitre-attack-pattern=\"PowerShell - T1086\"".into(),
            ],
            ..feed("evil-feed", Confidence::High)
        };
        let r = with(vec![e], "feedonly-ioclens-test.com");
        assert!(!r.mitre_techniques.iter().any(|t| t.id == "T9999"));
        let d = r
            .diagnostics
            .iter()
            .find(|d| d.code == crate::DiagnosticCode::UnknownAttackId)
            .unwrap();
        assert!(d.message.contains("T9999"), "{}", d.message);
        let t = r.mitre_techniques.iter().find(|t| t.id == "T1059.001").unwrap();
        assert_eq!(t.name, "Command and Scripting Interpreter: PowerShell");
        assert!(t.reason.contains("T1086"), "{}", t.reason);
    }

    #[test]
    fn remote_attack_ids_resolve_too() {
        let mut r = with(Vec::new(), "45.10.20.30");
        let remote = crate::score::parse_response(
            200,
            r#"{"data": {"found": true, "risk": {"score": 50, "level": "medium"}, "mitre_techniques": ["T9999", "T1086"]}}"#,
        );
        crate::apply_remote(&mut r, &remote);
        assert!(r.mitre_techniques.iter().any(|t| t.id == "T1059.001" && !t.name.is_empty()));
        assert!(!r.mitre_techniques.iter().any(|t| t.id == "T9999" || t.id == "T1086"));
        assert!(r.diagnostics.iter().any(|d| d.code == crate::DiagnosticCode::UnknownAttackId));
    }

    #[cfg(feature = "offline-intel")]
    #[test]
    fn a_maltrail_feed_is_the_embedded_maltrail() {
        // booklng.biz is on the embedded Maltrail (0debug): a feed copy of Maltrail is the same source.
        let copy = Evidence {
            source: "maltrail".into(),
            origin: Some("maltrail".into()),
            family: Some("0debug".into()),
            last_seen: Some(snapshot_date()),
            ..Evidence::default()
        };
        let bare = with(Vec::new(), "booklng.biz");
        let fed = with(vec![copy.clone()], "booklng.biz");
        assert_eq!((fed.risk, fed.confidence), (bare.risk, bare.confidence));
        assert_eq!(fed.score.factors, bare.score.factors);
        // A value only the feed copy lists is scored by Maltrail's own rule (malware trail: +60).
        let only = with(vec![copy], "trail-only-ioclens-test.com");
        assert!(names(&only).contains(&("maltrail", 60)), "{:?}", names(&only));
        assert_eq!(only.malware_family.as_deref(), Some("0debug"));
        assert_eq!(only.score.verdict, Verdict::Malicious);
    }
}
