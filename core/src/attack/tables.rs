//! Row types of the generated ATT&CK, CVE and context tables (`core/src/generated/attack*.rs`).
//!
//! Rows reference each other by position (`u16`/`u8` indices into the sorted tables) to keep the generated
//! source small; the accessors in `attack` turn them back into ids and names.

/// One enterprise tactic, in matrix order.
pub(crate) struct TacticRow {
    pub(crate) id: &'static str,
    pub(crate) shortname: &'static str,
    pub(crate) name: &'static str,
    pub(crate) sentinel_name: &'static str,
    pub(crate) summary: &'static str,
}

/// One mitigation (`M1013`).
pub(crate) struct MitigationRow {
    pub(crate) id: &'static str,
    pub(crate) name: &'static str,
}

/// One enterprise technique or sub-technique, active, revoked or deprecated.
pub(crate) struct TechniqueRow {
    pub(crate) id: &'static str,
    pub(crate) name: &'static str,
    /// Indices into `TACTICS` (matrix order).
    pub(crate) tactics: &'static [u8],
    pub(crate) platforms: &'static [&'static str],
    pub(crate) summary: &'static str,
    pub(crate) revoked: bool,
    pub(crate) revoked_by: Option<&'static str>,
    pub(crate) deprecated: bool,
    /// Indices into `DATA_COMPONENTS`.
    pub(crate) data_components: &'static [u8],
    /// `"name|channel"`, e.g. `WinEventLog:Sysmon|EventCode=1`.
    pub(crate) log_sources: &'static [&'static str],
    /// `(DETxxxx, name)`.
    pub(crate) detection_strategies: &'static [(&'static str, &'static str)],
    /// Indices into `MITIGATIONS`.
    pub(crate) mitigations: &'static [u16],
}

/// One software entry (malware or tool).
pub(crate) struct SoftwareRow {
    pub(crate) id: &'static str,
    pub(crate) name: &'static str,
    /// `malware` or `tool`.
    pub(crate) kind: &'static str,
    pub(crate) aliases: &'static [&'static str],
    pub(crate) platforms: &'static [&'static str],
    pub(crate) summary: &'static str,
    pub(crate) revoked: bool,
    pub(crate) revoked_by: Option<&'static str>,
    pub(crate) deprecated: bool,
    /// Indices into `TECHNIQUES`.
    pub(crate) techniques: &'static [u16],
}

/// One group (intrusion set).
pub(crate) struct GroupRow {
    pub(crate) id: &'static str,
    pub(crate) name: &'static str,
    pub(crate) aliases: &'static [&'static str],
    pub(crate) summary: &'static str,
    pub(crate) revoked: bool,
    pub(crate) revoked_by: Option<&'static str>,
    pub(crate) deprecated: bool,
    /// Indices into `TECHNIQUES`.
    pub(crate) techniques: &'static [u16],
    /// Indices into `SOFTWARE`.
    pub(crate) software: &'static [u16],
}

/// One campaign.
pub(crate) struct CampaignRow {
    pub(crate) id: &'static str,
    pub(crate) name: &'static str,
    pub(crate) aliases: &'static [&'static str],
    pub(crate) first_seen: &'static str,
    pub(crate) last_seen: &'static str,
    pub(crate) summary: &'static str,
    /// Indices into `GROUPS` (attributed to).
    pub(crate) groups: &'static [u16],
    /// Indices into `TECHNIQUES`.
    pub(crate) techniques: &'static [u16],
    /// Indices into `SOFTWARE`.
    pub(crate) software: &'static [u16],
}

/// A Mobile or ICS id (technique or tactic) from the id index.
pub(crate) struct OtherRow {
    pub(crate) id: &'static str,
    pub(crate) name: &'static str,
    /// `mobile` or `ics`.
    pub(crate) domain: &'static str,
    /// Tactic ids of the same domain.
    pub(crate) tactics: &'static [&'static str],
    pub(crate) revoked: bool,
    pub(crate) deprecated: bool,
}

/// CTID mappings of one CVE.
pub(crate) struct CtidRow {
    pub(crate) cve: &'static str,
    pub(crate) source: &'static str,
    pub(crate) attack_version: &'static str,
    /// Vulnerability class (`code_execution`), empty when the source gives none.
    pub(crate) group: &'static str,
    /// `(technique id, type)`; type 0 exploitation, 1 primary impact, 2 secondary impact, 3 uncategorized.
    pub(crate) techniques: &'static [(&'static str, u8)],
}

/// One CISA KEV entry.
pub(crate) struct KevRow {
    pub(crate) cve: &'static str,
    pub(crate) vendor: &'static str,
    pub(crate) product: &'static str,
    pub(crate) name: &'static str,
    pub(crate) date_added: &'static str,
    pub(crate) due_date: &'static str,
    pub(crate) ransomware: bool,
    /// CWE numbers.
    pub(crate) cwes: &'static [u16],
}
