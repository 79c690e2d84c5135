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

/// CTID mappings of one CVE, decoded from a row of the generated `CTID` string.
pub(crate) struct CtidRow {
    pub(crate) cve: &'static str,
    pub(crate) source: &'static str,
    pub(crate) attack_version: &'static str,
    /// Vulnerability class (`code_execution`), empty when the source gives none.
    pub(crate) group: &'static str,
    /// `T1204.002:0,T1190:1`: see [`CtidRow::techniques`].
    techniques: &'static str,
}

impl CtidRow {
    /// Decodes `cve\tsource\tattack_version\tgroup\tid:type,id:type` (`gen_cve` in
    /// `xtask/src/codegen/attack.rs`); `None` for a malformed row.
    pub(crate) fn parse(row: &'static str) -> Option<CtidRow> {
        let mut f = row.split('\t');
        let mut next = || f.next();
        let (cve, source, attack_version, group, techniques) =
            (next()?, next()?, next()?, next()?, next()?);
        Some(CtidRow { cve, source, attack_version, group, techniques })
    }

    /// `(technique id, type)`; type 0 exploitation, 1 primary impact, 2 secondary impact, 3 uncategorized.
    pub(crate) fn techniques(&self) -> impl Iterator<Item = (&'static str, u8)> {
        self.techniques.split(',').filter_map(|t| {
            let (id, ty) = t.rsplit_once(':')?;
            Some((id, ty.parse().ok()?))
        })
    }
}

/// One CISA KEV entry, decoded from a row of the generated `KEV` string (no pointer per field is stored).
pub(crate) struct KevRow {
    pub(crate) cve: &'static str,
    pub(crate) vendor: &'static str,
    pub(crate) product: &'static str,
    pub(crate) name: &'static str,
    pub(crate) date_added: &'static str,
    pub(crate) due_date: &'static str,
    pub(crate) ransomware: bool,
    /// CWE numbers, the first `cwe_count` used (the generator checks there are at most 4).
    cwes: [u16; 4],
    cwe_count: usize,
}

impl KevRow {
    /// Decodes `cve\tvendor\tproduct\tname\tdate_added\tdue_date\t0|1\tcwe,cwe` (`gen_cve` in
    /// `xtask/src/codegen/attack.rs`); `None` for a malformed row.
    pub(crate) fn parse(row: &'static str) -> Option<KevRow> {
        let mut f = row.split('\t');
        let mut next = || f.next();
        let (cve, vendor, product, name) = (next()?, next()?, next()?, next()?);
        let (date_added, due_date, ransomware, cwe_list) = (next()?, next()?, next()?, next()?);
        let mut cwes = [0u16; 4];
        let mut cwe_count = 0;
        for c in cwe_list.split(',').filter(|c| !c.is_empty()) {
            *cwes.get_mut(cwe_count)? = c.parse().ok()?;
            cwe_count += 1;
        }
        Some(KevRow {
            cve,
            vendor,
            product,
            name,
            date_added,
            due_date,
            ransomware: ransomware == "1",
            cwes,
            cwe_count,
        })
    }

    /// CWE numbers.
    pub(crate) fn cwes(&self) -> &[u16] {
        self.cwes.get(..self.cwe_count).unwrap_or_default()
    }
}
