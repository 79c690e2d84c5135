//! Score decay: the polynomial model `MISP` and `OpenCTI` share, `score(t) = base · (1 − (t/τ)^(1/δ))`, with
//! `OpenCTI`'s per-type lifetimes τ (docs/scoring.md): IP and URL 47 days, domain 300, file hash 460, other 470;
//! an indicator is revoked when its score falls to 20. `now` is an input; nothing here reads a clock.
use crate::IocKind;
use serde::{Deserialize, Serialize};

const DAY: i64 = 86_400;

/// A decay rule.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DecayRule {
    /// Lifetime τ in days: the score reaches 0 at τ.
    pub lifetime_days: u32,
    /// Decay factor δ (1 = linear; smaller decays slower at first and faster near τ).
    pub pound: f64,
    /// The indicator is revoked (no longer valid) at or below this score.
    pub revoke_score: u8,
}

impl DecayRule {
    /// `OpenCTI`'s default lifetime for the type (docs/scoring.md), δ = 1, revoked at 20.
    pub fn for_kind(kind: IocKind) -> DecayRule {
        let lifetime_days = match kind {
            IocKind::Ipv4 | IocKind::Ipv6 | IocKind::Cidr | IocKind::Url => 47,
            IocKind::Domain | IocKind::Email => 300,
            IocKind::Md5 | IocKind::Sha1 | IocKind::Sha256 | IocKind::Sha512 => 460,
            _ => 470,
        };
        DecayRule { lifetime_days, pound: 1.0, revoke_score: 20 }
    }
}

/// Decay applied to one score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decay {
    /// The rule used.
    pub rule: DecayRule,
    /// Score at `since` (the evidence date).
    pub base_score: u8,
    /// Score at `now`.
    pub score_now: u8,
    /// When the evidence was dated (Unix seconds).
    pub since: i64,
    /// When `score_now` was evaluated (the `now` input, Unix seconds).
    pub now: i64,
    /// When the score falls to the revoke score (Unix seconds); `None` when the base score is already at or
    /// below it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<i64>,
    /// `now` is past `valid_until`.
    pub revoked: bool,
}

/// Score at `now` of a score `base` dated `since`.
#[expect(clippy::cast_precision_loss, reason = "ages in seconds are far below 2^52")]
pub fn decay(rule: DecayRule, base: u8, since: i64, now: i64) -> Decay {
    let tau = f64::from(rule.lifetime_days) * DAY as f64;
    let t = (now.saturating_sub(since)).max(0) as f64;
    let pound = if rule.pound > 0.0 { rule.pound } else { 1.0 };
    let frac = if t >= tau { 0.0 } else { 1.0 - libm::pow(t / tau, 1.0 / pound) };
    let now_score = super::to_score(f64::from(base) * frac);
    // Solve base · (1 − (t/τ)^(1/δ)) = revoke  →  t = τ · (1 − revoke/base)^δ.
    let valid_until = (base > rule.revoke_score).then(|| {
        let r = 1.0 - f64::from(rule.revoke_score) / f64::from(base);
        since.saturating_add((tau * libm::pow(r, pound)).floor() as i64)
    });
    let revoked = valid_until.is_none_or(|v| now >= v);
    Decay { rule, base_score: base, score_now: now_score, since, now, valid_until, revoked }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_decay_by_hand() {
        let rule = DecayRule { lifetime_days: 100, pound: 1.0, revoke_score: 20 };
        // Half the lifetime: 80 · (1 − 0.5) = 40.
        let d = decay(rule, 80, 0, 50 * DAY);
        assert_eq!(d.score_now, 40);
        // Revoked when 80 · (1 − t/τ) = 20 → t = 0.75 τ = 75 days.
        assert_eq!(d.valid_until, Some(75 * DAY));
        assert!(!d.revoked);
        assert!(decay(rule, 80, 0, 75 * DAY).revoked);
        assert_eq!(decay(rule, 80, 0, 200 * DAY).score_now, 0);
    }

    #[test]
    fn pound_half_by_hand() {
        // δ = 0.5: score = base · (1 − (t/τ)²); at t = τ/2: 100 · 0.75 = 75.
        let rule = DecayRule { lifetime_days: 10, pound: 0.5, revoke_score: 20 };
        assert_eq!(decay(rule, 100, 0, 5 * DAY).score_now, 75);
        // t = τ · sqrt(0.8) = 8.944… days.
        assert_eq!(
            decay(rule, 100, 0, 0).valid_until,
            Some((10.0 * 86_400.0 * 0.894_427_190_999_915_9f64).floor() as i64)
        );
    }

    #[test]
    fn lifetimes_per_type() {
        assert_eq!(DecayRule::for_kind(IocKind::Ipv4).lifetime_days, 47);
        assert_eq!(DecayRule::for_kind(IocKind::Url).lifetime_days, 47);
        assert_eq!(DecayRule::for_kind(IocKind::Domain).lifetime_days, 300);
        assert_eq!(DecayRule::for_kind(IocKind::Sha256).lifetime_days, 460);
        assert_eq!(DecayRule::for_kind(IocKind::Cve).lifetime_days, 470);
    }

    #[test]
    fn time_before_evidence_is_no_decay() {
        let d = decay(DecayRule::for_kind(IocKind::Ipv4), 60, 1000, 0);
        assert_eq!(d.score_now, 60);
    }

    #[test]
    fn low_base_is_already_revoked() {
        let d = decay(DecayRule::for_kind(IocKind::Ipv4), 10, 0, 0);
        assert!(d.revoked);
        assert_eq!(d.valid_until, None);
    }
}
