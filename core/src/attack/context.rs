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
use super::ContextMention;
use crate::Span;
use crate::generated::attack_context::{
    CONTEXT_PATTERN_TARGET, CONTEXT_PATTERNS, CONTEXT_TARGET_STARTS, CONTEXT_TARGETS,
};
use aho_corasick::{AhoCorasick, MatchKind};
use std::sync::OnceLock;

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

/// What pattern `pat` (its line in `CONTEXT_PATTERNS`) names: `(kind, name, ATT&CK id)`, kind 0 malware, 1 tool,
/// 2 group, 3 Maltrail family. The generator (`write_context_patterns` in `xtask/src/codegen/attack.rs`) writes
/// the targets as `{kind}{name}[\t{id}]` strings behind `u32` offsets: no pointer per row.
fn target(pat: usize) -> Option<(u8, &'static str, Option<&'static str>)> {
    let t = usize::from(*CONTEXT_PATTERN_TARGET.get(pat)?);
    let entry = crate::rows::row(CONTEXT_TARGETS, &CONTEXT_TARGET_STARTS, t)?;
    let kind = entry.as_bytes().first()?.checked_sub(b'0')?;
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

fn kind_name(kind: u8) -> &'static str {
    match kind {
        0 => "malware",
        1 => "tool",
        2 => "group",
        _ => "family",
    }
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
            kind: kind_name(kind).to_owned(),
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

    fn target_of(pattern: &str) -> Option<(u8, &'static str, Option<&'static str>)> {
        CONTEXT_PATTERNS.split('\n').position(|p| p == pattern).and_then(target)
    }

    #[test]
    fn every_pattern_has_a_target() {
        let n = CONTEXT_PATTERNS.split('\n').count();
        assert_eq!(n, CONTEXT_PATTERN_TARGET.len());
        assert!(n > 5000, "{n}");
        for i in 0..n {
            let (kind, name, id) = target(i).unwrap();
            assert!(kind <= 3 && !name.is_empty(), "{i}");
            assert!(id.is_none_or(|id| id.starts_with(['S', 'G'])), "{i} {id:?}");
        }
        assert_eq!(target(n), None);
        // Rows of the former `&[ContextPattern]` table (ATT&CK S0266 TrickBot alias `Totbrick`; a Maltrail trail).
        assert_eq!(target_of("totbrick"), Some((0, "TrickBot", Some("S0266"))));
        assert_eq!(target_of(".rh94k"), Some((3, "darkside", None)));
        assert_eq!(target_of("0bj3ctivity"), Some((3, "0bj3ctivity", None)));
    }
}
