//! Malware, tool and threat-actor names in free text.
//!
//! Patterns are the names and aliases of ATT&CK software and groups and the Maltrail malware-family trails
//! (generated into `attack_context.rs`), matched case-insensitively on word boundaries, leftmost-longest.
//!
//! A name is **not** a pattern when it is ambiguous in prose (the rule lives in the generator,
//! `xtask/src/codegen/attack.rs`, and in docs/attack.md):
//! * shorter than 4 characters (`at`, `Net`, `RTM`), or made of digits and punctuation only;
//! * a single ordinary English word (`Page`, `Empire`, `Royal`, `Cobalt`), from a reviewed list; multi-word names
//!   that contain such words still match (`Cobalt Strike`, `Fancy Bear`);
//! * for Maltrail: trails that are not `malware` (infrastructure classes such as `bad proxy`), placeholder names
//!   (`generic`, `unknown`, `sinkhole …`) and names of 4 characters.
use crate::Span;
use crate::generated::attack_context::{
    CONTEXT_PATTERN_TARGET, CONTEXT_PATTERNS, CONTEXT_TARGET_STARTS, CONTEXT_TARGETS,
};
use aho_corasick::{AhoCorasick, MatchKind};
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// What a [`ContextMention`] names. The generated targets number them 0..=3 in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MentionKind {
    /// ATT&CK malware.
    Malware,
    /// ATT&CK tool.
    Tool,
    /// ATT&CK group (threat actor).
    Group,
    /// A Maltrail malware family.
    Family,
}

impl MentionKind {
    /// Every kind, in the generator's numbering.
    pub const ALL: [MentionKind; 4] =
        [MentionKind::Malware, MentionKind::Tool, MentionKind::Group, MentionKind::Family];

    /// The wire name.
    pub const fn as_str(self) -> &'static str {
        match self {
            MentionKind::Malware => "malware",
            MentionKind::Tool => "tool",
            MentionKind::Group => "group",
            MentionKind::Family => "family",
        }
    }
}

impl std::fmt::Display for MentionKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A malware family, tool or threat-actor name found in the text ([`find`]; `extract` reports them as
/// `Extraction.context`, the ATT&CK mapping reads them as context evidence). Its home is here so the dependency
/// runs one way: `extract` calls `attack::context`, never the reverse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContextMention {
    /// What the name is.
    pub kind: MentionKind,
    /// The name as in the catalogue.
    pub name: String,
    /// ATT&CK id (`S0650`, `G0016`) when the name resolves to one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attack_id: Option<String>,
    /// First mention.
    pub span: Span,
}

fn automaton() -> Option<&'static AhoCorasick> {
    static AC: OnceLock<Option<AhoCorasick>> = OnceLock::new();
    AC.get_or_init(|| {
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(CONTEXT_PATTERNS.split('\n'))
            .ok()
    })
    .as_ref()
}

/// What pattern `pat` (its line in `CONTEXT_PATTERNS`) names: `(kind, name, ATT&CK id)`, the kind numbered as in
/// [`MentionKind::ALL`]. The generator (`write_context_patterns` in `xtask/src/codegen/attack.rs`) writes
/// the targets as `{kind}{name}[\t{id}]` strings behind `u32` offsets: no pointer per row.
fn target(pat: usize) -> Option<(MentionKind, &'static str, Option<&'static str>)> {
    let t = usize::from(*CONTEXT_PATTERN_TARGET.get(pat)?);
    let entry = crate::rows::row(CONTEXT_TARGETS, &CONTEXT_TARGET_STARTS, t)?;
    let kind = *MentionKind::ALL.get(usize::from(entry.as_bytes().first()?.checked_sub(b'0')?))?;
    let rest = entry.get(1..)?;
    Some(match rest.split_once('\t') {
        Some((name, id)) => (kind, name, Some(id)),
        None => (kind, rest, None),
    })
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// True when `text[start..end]` is not glued to a word character on either side (non-ASCII letters count as
/// word characters too, so `Emotetö` does not match).
fn on_boundary(text: &str, start: usize, end: usize) -> bool {
    let bytes = text.as_bytes();
    let before = start
        .checked_sub(1)
        .and_then(|i| bytes.get(i))
        .is_some_and(|&b| is_word_byte(b) || b >= 0x80);
    let after = bytes.get(end).is_some_and(|&b| is_word_byte(b) || b >= 0x80);
    !before && !after
}

/// Every distinct malware, tool and group name in `text`, in order of first mention, with the span of that
/// mention. Linear in the text length; never fails.
pub fn find(text: &str) -> Vec<ContextMention> {
    let Some(ac) = automaton() else { return Vec::new() };
    // Overlapping search so a match rejected by the boundary check does not hide a shorter/later valid one; then
    // leftmost-longest selection by hand.
    let mut hits: Vec<(usize, usize, usize)> = ac
        .find_overlapping_iter(text)
        .filter(|m| on_boundary(text, m.start(), m.end()))
        .map(|m| (m.start(), m.end(), m.pattern().as_usize()))
        .collect();
    hits.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    let mut out: Vec<ContextMention> = Vec::new();
    let mut pos = 0;
    for (start, end, pat) in hits {
        if start < pos {
            continue;
        }
        pos = end;
        let Some((kind, name, attack_id)) = target(pat) else { continue };
        let id = attack_id.map(str::to_owned);
        // One mention per ATT&CK object (aliases and Maltrail names of it included), else per name.
        if out.iter().any(|m| if id.is_some() { m.attack_id == id } else { m.name == name }) {
            continue;
        }
        out.push(ContextMention {
            kind,
            name: name.to_owned(),
            attack_id: id,
            span: Span { start, end },
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mention_kind_wire_names_are_serde_names() {
        for k in MentionKind::ALL {
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
            assert_eq!(serde_json::from_value::<MentionKind>(k.as_str().into()).unwrap(), k);
        }
    }

    fn target_of(pattern: &str) -> Option<(MentionKind, &'static str, Option<&'static str>)> {
        CONTEXT_PATTERNS.split('\n').position(|p| p == pattern).and_then(target)
    }

    #[test]
    fn every_pattern_has_a_target() {
        let n = CONTEXT_PATTERNS.split('\n').count();
        assert_eq!(n, CONTEXT_PATTERN_TARGET.len());
        assert!(n > 5000, "{n}");
        for i in 0..n {
            let (kind, name, id) = target(i).unwrap();
            assert!(MentionKind::ALL.contains(&kind) && !name.is_empty(), "{i}");
            assert!(id.is_none_or(|id| id.starts_with(['S', 'G'])), "{i} {id:?}");
        }
        assert_eq!(target(n), None);
        // Rows of the former `&[ContextPattern]` table (ATT&CK S0266 TrickBot alias `Totbrick`; a Maltrail trail).
        assert_eq!(target_of("totbrick"), Some((MentionKind::Malware, "TrickBot", Some("S0266"))));
        assert_eq!(target_of(".rh94k"), Some((MentionKind::Family, "darkside", None)));
        assert_eq!(target_of("0bj3ctivity"), Some((MentionKind::Family, "0bj3ctivity", None)));
    }
}
