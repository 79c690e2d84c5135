//! How provider evidence scores (`docs/scoring.md`, "Provider evidence"), applied after the offline rules:
//! 1. Every provider's status is recorded in `score.providers`, whatever happened (fail-open: a failed provider
//!    changes nothing else).
//! 2. `reserved` is never overridden: the factors are recorded with contribution 0.
//! 3. Malicious evidence (positive points) raises the score to the provider's points when they are higher — it
//!    does not add up: two services naming the same server are not twice the evidence.
//! 4. Benign evidence (negative points) lowers the score only when no provider gave malicious evidence and the
//!    local verdict is not `malicious`.
//! 5. A provider's `malicious` verdict (an abuse.ch hit, 10+ engines, `AbuseIPDB` confidence ≥ 90) makes the
//!    verdict `malicious` with high confidence unless a hash list says benign; a `benign` verdict (`GreyNoise`
//!    RIOT, `AbuseIPDB` whitelist) makes an `unknown` verdict `benign` when no provider says malicious.
//! 6. The family fills in when no local evidence names one; ATT&CK ids resolve through the catalogue; tags are
//!    kept. The ioclens-server provider is merged by the remote-scorer rules.
use super::{ProviderOutcome, ProviderStatus, ProviderSummary};
use crate::LookupResponse;
use crate::lookup::Risk;
use crate::score::{self, Confidence, FactorName, Level, ScoreSource, Verdict};

/// Applies every provider's outcome to a `lookup` answer (rules in the module docs).
pub fn apply(resp: &mut LookupResponse, outcomes: &[ProviderOutcome]) {
    for o in outcomes {
        if let Some(remote) = &o.remote {
            crate::apply_remote(resp, remote);
        }
    }
    let s = &mut resp.score;
    let reserved = s.verdict == Verdict::Reserved;
    let found: Vec<&ProviderOutcome> = outcomes
        .iter()
        .filter(|o| o.remote.is_none() && o.status == ProviderStatus::Found)
        .collect();
    let malicious_points = found.iter().flat_map(|o| &o.factors).any(|f| f.weight > 0);
    let says_malicious = found.iter().any(|o| o.verdict == Some(Verdict::Malicious));
    let says_benign = found.iter().any(|o| o.verdict == Some(Verdict::Benign));
    let before = s.score;
    let mut current = i32::from(s.score);
    for o in outcomes.iter().filter(|o| o.remote.is_none()) {
        for f in &o.factors {
            let mut f = f.clone();
            f.contribution = if reserved || o.status != ProviderStatus::Found {
                0
            } else if f.weight > 0 {
                (f.weight - current).max(0)
            } else if f.weight < 0 && !malicious_points && s.verdict != Verdict::Malicious {
                f.weight.max(-current)
            } else {
                0
            };
            current += f.contribution;
            s.factors.push(f);
        }
        for t in &o.tags {
            if !s.tags.contains(t) {
                s.tags.push(t.clone());
            }
        }
        s.providers.push(summary(o));
    }
    for o in outcomes.iter().filter(|o| o.remote.is_some()) {
        s.providers.push(summary(o));
    }
    if reserved || found.is_empty() {
        return;
    }
    s.source = ScoreSource::Remote;
    let merged = u8::try_from(current.clamp(0, 100)).unwrap_or(100);
    if merged != before {
        s.score = merged;
        s.level = Level::of(merged);
        s.decay = score::decay(s.decay.rule, merged, s.decay.since, s.decay.now);
    }
    let hash_benign = s.factors.iter().any(|f| f.name == FactorName::BenignHash);
    if says_malicious && !hash_benign {
        s.verdict = Verdict::Malicious;
        s.confidence = Confidence::High;
    } else if says_benign && !malicious_points && s.verdict == Verdict::Unknown {
        s.verdict = Verdict::Benign;
    }
    s.confidence_stix = s.confidence.stix();
    resp.risk = Risk { score: s.score, level: s.level };
    resp.confidence = s.confidence;
    let quiet = matches!(resp.score.verdict, Verdict::Reserved | Verdict::Benign);
    if quiet {
        return;
    }
    resp.found |= malicious_points;
    for o in &found {
        if resp.malware_family.is_none() {
            resp.malware_family.clone_from(&o.family);
        }
        let origin = o.provider.info().name;
        for t in &o.techniques {
            score::evidence::add_technique(resp, t, origin, o.provider.as_str());
        }
    }
}

fn summary(o: &ProviderOutcome) -> ProviderSummary {
    ProviderSummary {
        provider: o.provider,
        status: o.status,
        retry_after: o.retry_after,
        message: o.message.clone(),
    }
}
