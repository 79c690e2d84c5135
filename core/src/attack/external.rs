//! ATT&CK ids that come from outside the core — feed tags, MISP galaxy tags, a remote service's answer — are
//! resolved through the embedded catalogue before anyone sees them: unknown ids are dropped with a diagnostic,
//! revoked ids become their successors, names are filled in.
use super::{full_name, other_row, technique_row};
use crate::{AttackIdKind, Diagnostic, DiagnosticCode, normalize};

/// A technique id from outside the core, as the catalogue resolved it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedTechnique {
    /// The active id (`T1059.001`).
    pub id: String,
    /// Its name (`Parent: Sub` for sub-techniques, as in the mapping).
    pub name: String,
    /// The id as given, when revocation replaced it.
    pub requested: Option<String>,
}

/// Resolves one technique id `id` that `origin` (`feed cisa`, `remote`) gave. `Err` is the diagnostic that says
/// why it was dropped: not in the catalogue, not a technique, revoked without a successor, deprecated.
pub fn resolve_technique(id: &str, origin: &str) -> Result<ResolvedTechnique, Diagnostic> {
    let given = id.trim().to_ascii_uppercase().replace('/', ".");
    let drop = |code: DiagnosticCode, why: String| Diagnostic {
        code,
        message: format!("ATT&CK id `{}` from {origin} dropped: {why}", given.escape_debug()),
        span: None,
    };
    let mut current = given.clone();
    for _ in 0..4 {
        match technique_row(&current) {
            Some(t) if t.revoked => match t.revoked_by {
                Some(next) => next.clone_into(&mut current),
                None => {
                    return Err(drop(
                        DiagnosticCode::RevokedAttackId,
                        "revoked, and ATT&CK names no replacement".into(),
                    ));
                }
            },
            Some(t) if t.deprecated => {
                return Err(drop(
                    DiagnosticCode::DeprecatedAttackId,
                    "deprecated, no replacement".into(),
                ));
            }
            Some(t) => {
                return Ok(ResolvedTechnique {
                    id: t.id.to_owned(),
                    name: full_name(t),
                    requested: (t.id != given).then_some(given),
                });
            }
            None => break,
        }
    }
    if !current.starts_with('T') || current.starts_with("TA") {
        let what = if super::exists(&current) {
            "an ATT&CK id, but not a technique"
        } else {
            "not an ATT&CK technique id"
        };
        return Err(drop(DiagnosticCode::NotATechnique, what.into()));
    }
    match other_row(&current) {
        Some(r) if r.revoked || r.deprecated => Err(drop(
            DiagnosticCode::RevokedAttackId,
            "revoked or deprecated, no replacement".into(),
        )),
        Some(r) => Ok(ResolvedTechnique {
            id: r.id.to_owned(),
            name: r.name.to_owned(),
            requested: (r.id != given).then_some(given),
        }),
        None => Err(drop(
            DiagnosticCode::UnknownAttackId,
            "not a technique in the embedded ATT&CK catalogue".into(),
        )),
    }
}

/// Technique ids written in free text such as tags (`misp-galaxy:mitre-attack-pattern="Phishing - T1566"`,
/// `T9999`, `attack.t1059.001`): a token of letters, digits and dots that starts with `T` after a non-alphanumeric
/// character, read by the one ATT&CK id grammar (`normalize::ids::parse_attack`) whole or up to one of its dots
/// (the longest that is a technique or sub-technique id). Case-insensitive (Sigma tags are lower-case); returned
/// upper-case, first occurrence order, deduplicated. Not resolved: pass each through [`resolve_technique`].
pub fn technique_ids_in(text: &str) -> Vec<String> {
    let b = text.as_bytes();
    let mut out: Vec<String> = Vec::new();
    for (i, c) in b.iter().enumerate() {
        if !c.eq_ignore_ascii_case(&b'T') || (i > 0 && b[i - 1].is_ascii_alphanumeric()) {
            continue;
        }
        let len = b[i..].iter().take_while(|c| c.is_ascii_alphanumeric() || **c == b'.').count();
        let token = &text[i..i + len]; // ASCII only: on char boundaries
        let ends = token.match_indices('.').map(|(at, _)| at).rev();
        let id = std::iter::once(token.len()).chain(ends).find_map(|end| {
            let (id, facts) = normalize::ids::parse_attack(&token[..end]).ok()?;
            matches!(facts.id_kind, AttackIdKind::Technique | AttackIdKind::SubTechnique)
                .then_some(id)
        });
        if let Some(id) = id
            && !out.contains(&id)
        {
            out.push(id);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revoked_ids_become_their_successors_with_names() {
        // T1086 (PowerShell) was revoked by T1059.001 in ATT&CK v7.
        let r = resolve_technique("T1086", "feed x").unwrap();
        assert_eq!(r.id, "T1059.001");
        assert_eq!(r.name, "Command and Scripting Interpreter: PowerShell");
        assert_eq!(r.requested.as_deref(), Some("T1086"));
        let r = resolve_technique("t1566", "feed x").unwrap();
        assert_eq!((r.id.as_str(), r.name.as_str(), r.requested), ("T1566", "Phishing", None));
    }

    #[test]
    fn unknown_ids_are_dropped_with_a_diagnostic() {
        let d = resolve_technique("T9999", "feed evil-feed").unwrap_err();
        assert_eq!(d.code, DiagnosticCode::UnknownAttackId);
        assert!(
            d.message.contains("T9999") && d.message.contains("feed evil-feed"),
            "{}",
            d.message
        );
        assert_eq!(
            resolve_technique("TA0001", "remote").unwrap_err().code,
            DiagnosticCode::NotATechnique
        );
        // A hostile id stays quoted and escaped in the message.
        let d = resolve_technique("T1'\n<b>", "remote").unwrap_err();
        assert!(!d.message.contains('\n'), "{}", d.message);
    }

    #[test]
    fn ids_in_tags() {
        assert_eq!(
            technique_ids_in(
                "misp-galaxy:mitre-attack-pattern=\"Spearphishing Attachment - T1566.001\" T9999 attack.t1059"
            ),
            vec!["T1566.001", "T9999", "T1059"]
        );
        assert!(technique_ids_in("XT1566 T15660 T1566a T156").is_empty());
        assert_eq!(technique_ids_in("T1566.01"), vec!["T1566"]);
        assert_eq!(
            technique_ids_in("T1566.001.002 t1059. TA0001 G0016"),
            vec!["T1566.001", "T1059"]
        );
    }
}
