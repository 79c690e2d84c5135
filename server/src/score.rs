//! The store-evidence risk score: what the loaded feeds say about one indicator, as 0–100 with reasons.
//!
//! Each sighting contributes `w = confidence × category × recency`; sightings combine as independent evidence
//! (noisy-OR: `1 − Π(1 − w)`), so a second source raises the score but never past 100, and an old low-confidence
//! community listing stays low. Recency halves a sighting's weight every 90 days since its `last_seen`.
//! Confidence weights are the STIX 2.1 values of the levels (85/50/15 %). Not found is not safe: it scores 0 with
//! low confidence and says so. The lookup merges this score into the core's with the core's remote-merge rules.
use crate::store::{Category, Level, Row};
use ioclens_core::score::{Confidence, Level as CoreLevel};

/// Half-life of a sighting's weight.
pub const HALF_LIFE_DAYS: f64 = 90.0;

/// Score, level, confidence and the reasons behind them.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Risk {
    /// 0–100.
    pub score: u8,
    /// The core's level bands (`info` < 20 ≤ `low` < 40 ≤ `medium` < 70 ≤ `high` < 90 ≤ `critical`).
    pub level: CoreLevel,
    /// How much the evidence supports the score.
    pub confidence: Confidence,
    /// Human-readable reasons, strongest first.
    pub reasons: Vec<String>,
}

fn confidence_weight(l: Level) -> f64 {
    f64::from(u8::try_from(l.stix()).unwrap_or(50)) / 100.0
}

fn category_weight(c: Category) -> f64 {
    match c {
        Category::Government => 1.0,
        Category::Commercial => 0.9,
        Category::Community => 0.75,
    }
}

/// Scores the store's sightings of one indicator at time `now` (Unix seconds).
pub fn score(rows: &[Row], now: i64) -> Risk {
    if rows.is_empty() {
        return Risk {
            score: 0,
            level: CoreLevel::Info,
            confidence: Confidence::Low,
            reasons: vec!["not in any loaded feed (not found is not proof of safety)".to_owned()],
        };
    }
    let mut keep = 1.0f64;
    let mut weighted: Vec<(f64, String)> = Vec::with_capacity(rows.len());
    for r in rows {
        #[expect(clippy::cast_precision_loss, reason = "ages in seconds are far below 2^52")]
        let age_days = ((now - r.last_seen).max(0) as f64) / 86_400.0;
        let recency = libm::exp(-age_days / HALF_LIFE_DAYS * std::f64::consts::LN_2);
        let w = confidence_weight(r.confidence) * category_weight(r.category) * recency;
        keep *= 1.0 - w;
        weighted.push((
            w,
            format!(
                "listed by {} ({} feed, {} confidence, last seen {} days ago)",
                r.feed,
                r.category.as_str(),
                r.confidence.as_str(),
                age_days.floor()
            ),
        ));
    }
    weighted.sort_by(|a, b| b.0.total_cmp(&a.0));
    #[expect(clippy::cast_sign_loss, reason = "clamped to 0..=100 first")]
    let score = ((1.0 - keep) * 100.0).round().clamp(0.0, 100.0) as u8;
    let best = rows.iter().map(|r| r.confidence).max().unwrap_or(Level::Low);
    let confidence = match (rows.len(), best) {
        (2.., Level::High | Level::Medium) | (1, Level::High) => Confidence::High,
        (_, Level::Medium) | (2.., Level::Low) => Confidence::Medium,
        _ => Confidence::Low,
    };
    let mut reasons: Vec<String> = weighted.into_iter().map(|(_, r)| r).collect();
    if rows.len() > 1 {
        reasons.insert(0, format!("reported by {} sources", rows.len()));
    }
    Risk { score, level: CoreLevel::of(score), confidence, reasons }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ioclens_core::IocKind;

    fn row(feed: &str, category: Category, confidence: Level, last_seen: i64) -> Row {
        Row {
            id: 1,
            kind: IocKind::Domain,
            value: "evil.example".into(),
            confidence,
            category,
            sectors: 0,
            first_seen: last_seen,
            last_seen,
            occurrences: 1,
            context: None,
            tags: vec![],
            threat_type: None,
            malware_family: None,
            reference_url: None,
            feed: feed.into(),
            origin: "txt".into(),
        }
    }

    const NOW: i64 = 1_800_000_000;

    #[test]
    fn not_found_is_zero_with_low_confidence() {
        let r = score(&[], NOW);
        assert_eq!((r.score, r.level, r.confidence), (0, CoreLevel::Info, Confidence::Low));
        assert!(r.reasons[0].contains("not proof of safety"));
    }

    #[test]
    fn evidence_combines_and_decays() {
        // One fresh high-confidence government sighting: 0.85 × 1.0 × 1 = 85.
        let one = score(&[row("cisa", Category::Government, Level::High, NOW)], NOW);
        assert_eq!((one.score, one.level, one.confidence), (85, CoreLevel::High, Confidence::High));
        // Plus a fresh medium community one: 1 − 0.15 × (1 − 0.375) = 0.90625 → 91.
        let two = score(
            &[
                row("cisa", Category::Government, Level::High, NOW),
                row("c", Category::Community, Level::Medium, NOW),
            ],
            NOW,
        );
        assert_eq!(two.score, 91);
        assert_eq!(two.reasons[0], "reported by 2 sources");
        // The same government sighting 90 days old weighs half: 42.5 → 43 (round half away from zero).
        let old = score(&[row("cisa", Category::Government, Level::High, NOW - 90 * 86_400)], NOW);
        assert_eq!((old.score, old.level), (43, CoreLevel::Medium));
        // A fresh low-confidence community listing: 0.15 × 0.75 = 0.1125 → 11.
        let low = score(&[row("ipsum", Category::Community, Level::Low, NOW)], NOW);
        assert_eq!((low.score, low.level, low.confidence), (11, CoreLevel::Info, Confidence::Low));
    }
}
