//! Generator slot `attack`: writes `core/src/generated/attack*.rs` from
//! `data/attack/*.json` (ATT&CK v18.1), `data/cve/{cve_attack,kev}.json`, `data/intel/maltrail_families.json`,
//! `data/warninglists/abusable_services.json` and `data/dns/public_suffix_list.dat`.
//!
//! Output (static tables, sorted by id so the core binary-searches them; no JSON at start-up):
//! * `attack.rs`: tactics (matrix order), techniques, groups, software, campaigns, mitigations, data components,
//!   the Mobile/ICS id index and the ATT&CK licence text.
//! * `attack_cve.rs`: CTID CVE → ATT&CK mappings and the CISA KEV catalogue.
//! * `attack_context.rs`: context-name patterns, the family-name index, and the rule-local dynamic-DNS and
//!   web-service name lists.
//! * `attack_words.rs`: the mapping rules' word lists, one `&[&str]` per section of `data/attack/rule_words.txt`.
//!
//! Why one file: one generator slot reads the ATT&CK bundle once and writes every table derived from it, so ids in
//! one table always resolve in another.
#![expect(
    clippy::disallowed_methods,
    reason = "xtask reads data/: the I/O ban in clippy.toml is for core"
)]

use super::{Output, header};
use anyhow::{Context, Result, bail, ensure};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::path::Path;

/// Where each data set comes from (commits and dates from `data/SOURCES.md`).
const CTID_VERSION: &str = "mappings-explorer 2911162c (2026-01-27): kev-07.28.2025 on ATT&CK 16.1 + attack_to_cve on ATT&CK 9.0";
const MALTRAIL_VERSION: &str = "maltrail 8adace15 (2026-08-23)";
const ABUSABLE_VERSION: &str = "misp-warninglists 84f0610a (2026-08-20)";

pub(crate) fn generate(root: &Path) -> Result<Vec<Output>> {
    let ent = read_json(root, "data/attack/attack_enterprise.json")?;
    let other = read_json(root, "data/attack/attack_mobile_ics_index.json")?;
    let cve = read_json(root, "data/cve/cve_attack.json")?;
    let kev = read_json(root, "data/cve/kev.json")?;
    let families = read_json(root, "data/intel/maltrail_families.json")?;
    let abusable = read_json(root, "data/warninglists/abusable_services.json")?;
    let psl = std::fs::read_to_string(root.join("data/dns/public_suffix_list.dat"))
        .context("reading the PSL")?;
    let licence = std::fs::read_to_string(root.join("data/licenses/ATTACK-LICENSE.txt"))
        .context("reading licence")?;
    let iocs = std::fs::read_to_string(root.join("data/intel/maltrail_iocs.tsv"))
        .context("reading maltrail iocs")?;

    let version = str_of(&ent, "attack_version")?;
    if version != "18.1" {
        bail!("expected ATT&CK 18.1 in attack_enterprise.json, found {version}");
    }
    let cat = Catalogue::new(&ent)?;
    Ok(vec![
        Output {
            path: "core/src/generated/attack.rs".into(),
            contents: gen_catalogue(&ent, &other, &cat, &licence)?,
        },
        Output { path: "core/src/generated/attack_cve.rs".into(), contents: gen_cve(&cve, &kev)? },
        Output {
            path: "core/src/generated/attack_context.rs".into(),
            contents: gen_context(&ent, &families, &abusable, &psl, &iocs)?,
        },
        Output {
            path: "core/src/generated/attack_words.rs".into(),
            contents: gen_rule_words(
                &std::fs::read_to_string(root.join(RULE_WORDS))
                    .with_context(|| format!("reading {RULE_WORDS}"))?,
            )?,
        },
    ])
}

const RULE_WORDS: &str = "data/attack/rule_words.txt";

/// `data/attack/rule_words.txt` → one `pub(crate) const SECTION: &[&str]` per `[section]`, words in file order.
fn gen_rule_words(text: &str) -> Result<String> {
    let mut out = header(RULE_WORDS);
    let _ = writeln!(out, "//! The ATT&CK mapping rules' word lists (`core/src/attack/rules.rs`).");
    let mut sections: Vec<(String, Vec<&str>)> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            ensure!(
                !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{RULE_WORDS}:{}: bad section name `{name}`",
                i + 1
            );
            ensure!(
                sections.iter().all(|(n, _)| n != name),
                "{RULE_WORDS}:{}: section `{name}` twice",
                i + 1
            );
            sections.push((name.to_owned(), Vec::new()));
            continue;
        }
        let Some((_, words)) = sections.last_mut() else {
            bail!("{RULE_WORDS}:{}: a word before the first [section]", i + 1);
        };
        ensure!(
            line == line.to_lowercase() && !line.contains(['"', '\\']),
            "{RULE_WORDS}:{}: words are lower case without quotes or backslashes: `{line}`",
            i + 1
        );
        ensure!(!words.contains(&line), "{RULE_WORDS}:{}: `{line}` twice", i + 1);
        words.push(line);
    }
    for (name, words) in &sections {
        ensure!(!words.is_empty(), "{RULE_WORDS}: section `{name}` is empty");
        let _ = writeln!(out, "\npub(crate) const {}: &[&str] = &[", name.to_ascii_uppercase());
        for w in words {
            let _ = writeln!(out, "    {w:?},");
        }
        let _ = writeln!(out, "];");
    }
    Ok(out)
}

fn read_json(root: &Path, rel: &str) -> Result<Value> {
    let text = std::fs::read_to_string(root.join(rel)).with_context(|| format!("reading {rel}"))?;
    serde_json::from_str(&text).with_context(|| format!("parsing {rel}"))
}

fn str_of<'a>(v: &'a Value, key: &str) -> Result<&'a str> {
    v.get(key).and_then(Value::as_str).with_context(|| format!("missing string `{key}` in {v}"))
}

fn opt_str<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn arr<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key).and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

fn strs<'a>(v: &'a Value, key: &str) -> Vec<&'a str> {
    arr(v, key).iter().filter_map(Value::as_str).collect()
}

fn flag(v: &Value, key: &str) -> bool {
    v.get(key).and_then(Value::as_bool).unwrap_or(false)
}

/// A Rust string literal.
fn lit(s: &str) -> String {
    format!("{s:?}")
}

fn lit_list(items: &[&str]) -> String {
    let parts: Vec<String> = items.iter().map(|s| lit(s)).collect();
    format!("&[{}]", parts.join(", "))
}

fn num_list<T: std::fmt::Display>(items: &[T]) -> String {
    let parts: Vec<String> = items.iter().map(ToString::to_string).collect();
    format!("&[{}]", parts.join(", "))
}

fn opt_lit(s: Option<&str>) -> String {
    s.map_or_else(|| "None".to_owned(), |s| format!("Some({})", lit(s)))
}

/// `Command and Control` → `CommandAndControl` (the form Sentinel stores in `Tactics`).
fn sentinel_name(name: &str) -> String {
    name.split([' ', '-']).filter(|w| !w.is_empty()).map(capitalise).collect()
}

fn capitalise(w: &str) -> String {
    let mut c = w.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// Index maps from id to row position in each sorted table.
struct Catalogue {
    techniques: BTreeMap<String, usize>,
    software: BTreeMap<String, usize>,
    groups: BTreeMap<String, usize>,
    mitigations: BTreeMap<String, usize>,
    data_components: BTreeMap<String, usize>,
    tactics: HashMap<String, usize>,
}

fn sorted_ids(v: &Value, key: &str) -> Result<BTreeMap<String, usize>> {
    let mut ids: Vec<String> =
        arr(v, key).iter().map(|x| str_of(x, "id").map(str::to_owned)).collect::<Result<_>>()?;
    ids.sort();
    let before = ids.len();
    ids.dedup();
    if ids.len() != before {
        bail!("duplicate ids in `{key}`");
    }
    Ok(ids.into_iter().enumerate().map(|(i, id)| (id, i)).collect())
}

impl Catalogue {
    fn new(ent: &Value) -> Result<Self> {
        let mut dcs: Vec<String> =
            strs(ent, "data_components").into_iter().map(str::to_owned).collect();
        dcs.sort();
        dcs.dedup();
        Ok(Self {
            techniques: sorted_ids(ent, "techniques")?,
            software: sorted_ids(ent, "software")?,
            groups: sorted_ids(ent, "groups")?,
            mitigations: sorted_ids(ent, "mitigations")?,
            data_components: dcs.into_iter().enumerate().map(|(i, d)| (d, i)).collect(),
            tactics: arr(ent, "tactics")
                .iter()
                .enumerate()
                .map(|(i, t)| str_of(t, "shortname").map(|s| (s.to_owned(), i)))
                .collect::<Result<_>>()?,
        })
    }

    fn idx(map: &BTreeMap<String, usize>, ids: &[&str], what: &str) -> Result<Vec<usize>> {
        let mut out: Vec<usize> = ids
            .iter()
            .map(|id| map.get(*id).copied().with_context(|| format!("unknown {what} `{id}`")))
            .collect::<Result<_>>()?;
        out.sort_unstable();
        out.dedup();
        Ok(out)
    }
}

fn sorted_by_id(v: &Value, key: &str) -> Vec<Value> {
    let mut rows: Vec<Value> = arr(v, key).to_vec();
    rows.sort_by(|a, b| opt_str(a, "id").cmp(&opt_str(b, "id")));
    rows
}

fn gen_catalogue(ent: &Value, other: &Value, cat: &Catalogue, licence: &str) -> Result<String> {
    let modified = str_of(ent, "modified")?;
    let mut o = header(
        "data/attack/attack_enterprise.json and data/attack/attack_mobile_ics_index.json (MITRE ATT&CK v18.1, mitre/cti 421deacb, modified 2025-11-12; © The MITRE Corporation, licence in ATTACK_LICENSE)",
    );
    o.push_str("use crate::attack::tables::{CampaignRow, GroupRow, MitigationRow, OtherRow, SoftwareRow, TacticRow, TechniqueRow};\n\n");
    let _ = writeln!(
        o,
        "pub(crate) const ATTACK_VERSION: &str = {};",
        lit(str_of(ent, "attack_version")?)
    );
    let _ = writeln!(o, "pub(crate) const ATTACK_MODIFIED: &str = {};", lit(modified));
    let _ = writeln!(o, "pub(crate) const ATTACK_LICENSE: &str = {};\n", lit(licence));

    // Tactics, in matrix order.
    o.push_str("pub(crate) static TACTICS: &[TacticRow] = &[\n");
    for t in arr(ent, "tactics") {
        let name = str_of(t, "name")?;
        let _ = writeln!(
            o,
            "    TacticRow {{ id: {}, shortname: {}, name: {}, sentinel_name: {}, summary: {} }},",
            lit(str_of(t, "id")?),
            lit(str_of(t, "shortname")?),
            lit(name),
            lit(&sentinel_name(name)),
            lit(opt_str(t, "summary").unwrap_or_default()),
        );
    }
    o.push_str("];\n\n");

    // Data components (names; ATT&CK v18 bundles give them no external id).
    let dcs: Vec<&str> = cat.data_components.keys().map(String::as_str).collect();
    let _ = writeln!(o, "pub(crate) static DATA_COMPONENTS: &[&str] = {};\n", lit_list(&dcs));

    o.push_str("pub(crate) static MITIGATIONS: &[MitigationRow] = &[\n");
    for m in sorted_by_id(ent, "mitigations") {
        let _ = writeln!(
            o,
            "    MitigationRow {{ id: {}, name: {} }},",
            lit(str_of(&m, "id")?),
            lit(str_of(&m, "name")?)
        );
    }
    o.push_str("];\n\n");

    o.push_str("pub(crate) static TECHNIQUES: &[TechniqueRow] = &[\n");
    for t in sorted_by_id(ent, "techniques") {
        let id = str_of(&t, "id")?;
        let tactics: Vec<usize> = strs(&t, "tactics")
            .iter()
            .map(|s| {
                cat.tactics.get(*s).copied().with_context(|| format!("{id}: unknown tactic {s}"))
            })
            .collect::<Result<_>>()?;
        let mut tactics = tactics;
        tactics.sort_unstable();
        let dcs =
            Catalogue::idx(&cat.data_components, &strs(&t, "data_components"), "data component")?;
        let mits = Catalogue::idx(&cat.mitigations, &strs(&t, "mitigations"), "mitigation")?;
        let dets: Vec<String> = arr(&t, "detection_strategies")
            .iter()
            .map(|d| Ok(format!("({}, {})", lit(str_of(d, "id")?), lit(str_of(d, "name")?))))
            .collect::<Result<_>>()?;
        let revoked_by = opt_str(&t, "revoked_by");
        if let Some(r) = revoked_by
            && !cat.techniques.contains_key(r)
        {
            bail!("{id} revoked by unknown {r}");
        }
        let _ = writeln!(
            o,
            "    TechniqueRow {{ id: {}, name: {}, tactics: {}, platforms: {}, summary: {}, revoked: {}, revoked_by: {}, deprecated: {}, data_components: {}, log_sources: {}, detection_strategies: &[{}], mitigations: {} }},",
            lit(id),
            lit(str_of(&t, "name")?),
            num_list(&tactics),
            lit_list(&strs(&t, "platforms")),
            lit(opt_str(&t, "summary").unwrap_or_default()),
            flag(&t, "revoked"),
            opt_lit(revoked_by),
            flag(&t, "deprecated"),
            num_list(&dcs),
            lit_list(&strs(&t, "log_sources")),
            dets.join(", "),
            num_list(&mits),
        );
    }
    o.push_str("];\n\n");

    o.push_str("pub(crate) static SOFTWARE: &[SoftwareRow] = &[\n");
    for s in sorted_by_id(ent, "software") {
        let techs = Catalogue::idx(&cat.techniques, &strs(&s, "techniques"), "technique")?;
        let _ = writeln!(
            o,
            "    SoftwareRow {{ id: {}, name: {}, kind: {}, aliases: {}, platforms: {}, summary: {}, revoked: {}, revoked_by: {}, deprecated: {}, techniques: {} }},",
            lit(str_of(&s, "id")?),
            lit(str_of(&s, "name")?),
            lit(opt_str(&s, "type").unwrap_or("malware")),
            lit_list(&strs(&s, "aliases")),
            lit_list(&strs(&s, "platforms")),
            lit(opt_str(&s, "summary").unwrap_or_default()),
            flag(&s, "revoked"),
            opt_lit(opt_str(&s, "revoked_by")),
            flag(&s, "deprecated"),
            num_list(&techs),
        );
    }
    o.push_str("];\n\n");

    o.push_str("pub(crate) static GROUPS: &[GroupRow] = &[\n");
    for g in sorted_by_id(ent, "groups") {
        let techs = Catalogue::idx(&cat.techniques, &strs(&g, "techniques"), "technique")?;
        let soft = Catalogue::idx(&cat.software, &strs(&g, "software"), "software")?;
        let _ = writeln!(
            o,
            "    GroupRow {{ id: {}, name: {}, aliases: {}, summary: {}, revoked: {}, revoked_by: {}, deprecated: {}, techniques: {}, software: {} }},",
            lit(str_of(&g, "id")?),
            lit(str_of(&g, "name")?),
            lit_list(&strs(&g, "aliases")),
            lit(opt_str(&g, "summary").unwrap_or_default()),
            flag(&g, "revoked"),
            opt_lit(opt_str(&g, "revoked_by")),
            flag(&g, "deprecated"),
            num_list(&techs),
            num_list(&soft),
        );
    }
    o.push_str("];\n\n");

    o.push_str("pub(crate) static CAMPAIGNS: &[CampaignRow] = &[\n");
    for c in sorted_by_id(ent, "campaigns") {
        let techs = Catalogue::idx(&cat.techniques, &strs(&c, "techniques"), "technique")?;
        let soft = Catalogue::idx(&cat.software, &strs(&c, "software"), "software")?;
        let groups = Catalogue::idx(&cat.groups, &strs(&c, "attributed_to"), "group")?;
        let _ = writeln!(
            o,
            "    CampaignRow {{ id: {}, name: {}, aliases: {}, first_seen: {}, last_seen: {}, summary: {}, groups: {}, techniques: {}, software: {} }},",
            lit(str_of(&c, "id")?),
            lit(str_of(&c, "name")?),
            lit_list(&strs(&c, "aliases")),
            lit(opt_str(&c, "first_seen").unwrap_or_default()),
            lit(opt_str(&c, "last_seen").unwrap_or_default()),
            lit(opt_str(&c, "summary").unwrap_or_default()),
            num_list(&groups),
            num_list(&techs),
            num_list(&soft),
        );
    }
    o.push_str("];\n\n");

    // Mobile and ICS: id → name, domain, tactics (as TA ids of that domain).
    let map = other.as_object().context("mobile/ics index is not an object")?;
    let mut tactic_ids: HashMap<(String, String), String> = HashMap::new();
    for (id, v) in map {
        if id.starts_with("TA") {
            let slug = str_of(v, "name")?.to_ascii_lowercase().replace(' ', "-");
            tactic_ids.insert((str_of(v, "domain")?.to_owned(), slug), id.clone());
        }
    }
    o.push_str("pub(crate) static OTHER_DOMAINS: &[OtherRow] = &[\n");
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort();
    for id in keys {
        let v = &map[id];
        let domain = str_of(v, "domain")?;
        let tactics: Vec<&str> = strs(v, "tactics")
            .iter()
            .map(|s| {
                tactic_ids
                    .get(&(domain.to_owned(), (*s).to_owned()))
                    .map(String::as_str)
                    .with_context(|| format!("{id}: unknown {domain} tactic {s}"))
            })
            .collect::<Result<_>>()?;
        let _ = writeln!(
            o,
            "    OtherRow {{ id: {}, name: {}, domain: {}, tactics: {}, revoked: {}, deprecated: {} }},",
            lit(id),
            lit(str_of(v, "name")?),
            lit(domain),
            lit_list(&tactics),
            flag(v, "revoked"),
            flag(v, "deprecated"),
        );
    }
    o.push_str("];\n");
    Ok(o)
}

fn cwe_number(s: &str) -> Option<u16> {
    s.strip_prefix("CWE-")?.parse().ok()
}

fn gen_cve(cve: &Value, kev: &Value) -> Result<String> {
    let catalog = str_of(kev, "catalogVersion")?;
    let mut o = header(&format!(
        "data/cve/cve_attack.json (CTID {CTID_VERSION}, Apache-2.0) and data/cve/kev.json (CISA KEV catalogVersion {catalog}, CC0-1.0)"
    ));
    o.push_str("#![allow(clippy::unreadable_literal, reason = \"generated tables\")]\n\n");
    let _ = writeln!(o, "pub(crate) const CTID_VERSION: &str = {};", lit(CTID_VERSION));
    let _ = writeln!(o, "pub(crate) const KEV_VERSION: &str = {};\n", lit(catalog));
    let types = ["exploitation_technique", "primary_impact", "secondary_impact", "uncategorized"];
    let cves =
        cve.get("cves").and_then(Value::as_object).context("cve_attack.json has no `cves`")?;
    let mut ids: Vec<&String> = cves.keys().collect();
    ids.sort();
    // Like KEV below: one string + offsets instead of a `&[CtidRow]` with a `&str` per field.
    let mut text = String::new();
    let mut starts = vec![0u32];
    for id in ids {
        let v = &cves[id];
        let techs: Vec<String> = arr(v, "techniques")
            .iter()
            .map(|t| {
                let ty = str_of(t, "type")?;
                let n = types
                    .iter()
                    .position(|x| *x == ty)
                    .with_context(|| format!("{id}: unknown type {ty}"))?;
                Ok(format!("{}:{n}", str_of(t, "id")?))
            })
            .collect::<Result<_>>()?;
        let techs = techs.join(",");
        let fields = [
            id.as_str(),
            str_of(v, "source")?,
            str_of(v, "attack_version")?,
            opt_str(v, "group").unwrap_or_default(),
            &techs,
        ];
        ensure!(!fields.iter().any(|f| f.contains('\t')), "tab in CTID row {id}");
        text.push_str(&fields.join("\t"));
        starts.push(u32::try_from(text.len())?);
    }
    o.push_str(
        "/// CTID mappings sorted by CVE, row `i` = `CTID[CTID_STARTS[i]..CTID_STARTS[i + 1]]`, tab-separated: cve, \
         source, ATT&CK version, group, `technique:type` pairs `,`-separated (type 0 exploitation, 1 primary \
         impact, 2 secondary impact, 3 uncategorized).\n",
    );
    let _ = writeln!(o, "pub(crate) static CTID: &str = {};\n", lit(&text));
    let _ = writeln!(
        o,
        "pub(crate) static CTID_STARTS: [u32; {}] = {};\n",
        starts.len(),
        num_list(&starts).trim_start_matches('&')
    );
    let mut rows: Vec<&Value> = arr(kev, "vulnerabilities").iter().collect();
    rows.sort_by(|a, b| opt_str(a, "cve").cmp(&opt_str(b, "cve")));
    // One string + offsets, no `&str` per field: a `&[KevRow]` of six `&str` cost ~22 KB gzip per WASM module.
    let mut text = String::new();
    let mut starts = vec![0u32];
    for v in rows {
        let cwes: Vec<String> =
            strs(v, "cwes").iter().filter_map(|c| cwe_number(c)).map(|c| c.to_string()).collect();
        ensure!(cwes.len() <= KEV_MAX_CWES, "{}: more than {KEV_MAX_CWES} CWEs", str_of(v, "cve")?);
        let cwes = cwes.join(",");
        let fields = [
            str_of(v, "cve")?,
            str_of(v, "vendor")?,
            str_of(v, "product")?,
            str_of(v, "name")?,
            str_of(v, "dateAdded")?,
            opt_str(v, "dueDate").unwrap_or_default(),
            if flag(v, "ransomware") { "1" } else { "0" },
            &cwes,
        ];
        ensure!(!fields.iter().any(|f| f.contains('\t')), "tab in KEV row {}", fields[0]);
        text.push_str(&fields.join("\t"));
        starts.push(u32::try_from(text.len())?);
    }
    o.push_str(
        "/// CISA KEV rows sorted by CVE, row `i` = `KEV[KEV_STARTS[i]..KEV_STARTS[i + 1]]`, tab-separated: cve, \
         vendor, product, name, date added, due date, ransomware `0`/`1`, CWE numbers `,`-separated.\n",
    );
    let _ = writeln!(o, "pub(crate) static KEV: &str = {};\n", lit(&text));
    let _ = writeln!(
        o,
        "pub(crate) static KEV_STARTS: [u32; {}] = {};",
        starts.len(),
        num_list(&starts).trim_start_matches('&')
    );
    Ok(o)
}

/// Most CWEs one KEV row may carry (`core/src/attack/tables.rs` `KevRow` keeps them in an array).
const KEV_MAX_CWES: usize = 4;

/// Single words that name ATT&CK software/groups or Maltrail families but are ordinary English (or IT) words in
/// a report: "Page", "Empire", "Net", "Royal". A mention of these says nothing about malware, so they never become
/// context patterns on their own (multi-word names that contain them, such as "Cobalt Strike", still match).
/// Built by checking every single-word name of four or more letters against an English word list (wamerican) and
/// reviewing the hits by hand; see docs/attack.md.
const COMMON_WORDS: &[&str] = &include!("attack_common_words.in");

/// Multi-word aliases that are ordinary phrases in a report ("foreign influence activity"); reviewed by hand
/// from the multi-word names made only of dictionary words.
const COMMON_PHRASES: &[&str] = &[
    "dangerous passwords",
    "desktop group",
    "influence activity",
    "operation run",
    "token control",
];

/// Names that are shorter than this many characters are never context patterns ("at", "Net", "Reg", "RTM").
const MIN_NAME_LEN: usize = 4;

/// A context pattern is kept when it is long enough, not an ordinary word, and not only digits/punctuation.
fn keep_name(name: &str, common: &BTreeSet<&str>) -> bool {
    let lower = name.to_lowercase();
    let chars = lower.chars().count();
    if chars < MIN_NAME_LEN {
        return false;
    }
    if !lower.chars().any(char::is_alphabetic) {
        return false;
    }
    // A single word (no space) that is a common word is ambiguous.
    !common.contains(lower.as_str())
}

/// A name normalised for the family index: lower-case alphanumerics only ("Agent Tesla" → "agenttesla").
fn norm_key(name: &str) -> String {
    name.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

fn host_matches(host: &str, entry: &str) -> bool {
    host == entry || host.strip_suffix(entry).is_some_and(|p| p.ends_with('.'))
}

fn gen_context(
    ent: &Value,
    families: &Value,
    abusable: &Value,
    psl: &str,
    iocs: &str,
) -> Result<String> {
    let common: BTreeSet<&str> = COMMON_WORDS.iter().chain(COMMON_PHRASES).copied().collect();
    let mut o = header(&format!(
        "data/attack/attack_enterprise.json (ATT&CK v18.1 software and groups), data/intel/maltrail_families.json ({MALTRAIL_VERSION}, MIT), data/warninglists/abusable_services.json ({ABUSABLE_VERSION}, CC0-1.0) and data/dns/public_suffix_list.dat (publicsuffix/list e8c9a2b2, 2026-08-19, MPL-2.0)"
    ));
    let _ = writeln!(o, "pub(crate) const MALTRAIL_VERSION: &str = {};", lit(MALTRAIL_VERSION));
    let _ = writeln!(o, "pub(crate) const ABUSABLE_VERSION: &str = {};\n", lit(ABUSABLE_VERSION));

    // Context patterns: lower-cased name → (kind, canonical name, ATT&CK id). ATT&CK names win over Maltrail.
    // kind: 0 malware, 1 tool, 2 group, 3 family (Maltrail).
    let mut patterns: BTreeMap<String, (u8, String, Option<String>)> = BTreeMap::new();
    let mut index: BTreeMap<String, String> = BTreeMap::new();
    // ATT&CK id → (kind, canonical name), so a Maltrail name that resolves to ATT&CK reports the ATT&CK entry.
    let mut canonical: HashMap<String, (u8, String)> = HashMap::new();
    for g in arr(ent, "groups") {
        canonical.insert(str_of(g, "id")?.to_owned(), (2, str_of(g, "name")?.to_owned()));
    }
    for s in arr(ent, "software") {
        let kind = u8::from(opt_str(s, "type") == Some("tool"));
        canonical.insert(str_of(s, "id")?.to_owned(), (kind, str_of(s, "name")?.to_owned()));
    }
    for g in arr(ent, "groups") {
        if flag(g, "revoked") || flag(g, "deprecated") {
            continue;
        }
        let id = str_of(g, "id")?;
        let name = str_of(g, "name")?;
        for n in std::iter::once(name).chain(strs(g, "aliases")) {
            index.entry(norm_key(n)).or_insert_with(|| id.to_owned());
            if keep_name(n, &common) {
                patterns.entry(n.to_lowercase()).or_insert((
                    2,
                    name.to_owned(),
                    Some(id.to_owned()),
                ));
            }
        }
    }
    for s in arr(ent, "software") {
        if flag(s, "revoked") || flag(s, "deprecated") {
            continue;
        }
        let id = str_of(s, "id")?;
        let name = str_of(s, "name")?;
        let kind = u8::from(opt_str(s, "type") == Some("tool"));
        for n in std::iter::once(name).chain(strs(s, "aliases")) {
            // Software names win over group names in the index: a hash's family is software.
            index.insert(norm_key(n), id.to_owned());
            if keep_name(n, &common) {
                patterns.insert(n.to_lowercase(), (kind, name.to_owned(), Some(id.to_owned())));
            }
        }
    }
    let fams = families
        .get("families")
        .and_then(Value::as_object)
        .context("maltrail_families.json has no families")?;
    for (name, f) in fams {
        // Only `malware` trails name families; `malicious`/`suspicious` trails are infrastructure classes
        // ("bad proxy", "parking site", "sinkhole …").
        if opt_str(f, "category") != Some("malware") {
            continue;
        }
        // Only the trail name's own match (not alias-only matches, which the data marks as weaker).
        let soft = strs(f, "attack_software");
        let groups = strs(f, "attack_groups");
        let id = soft.first().or(groups.first()).map(|s| (*s).to_owned());
        let key = norm_key(name);
        if let Some(id) = &id {
            index.entry(key).or_insert_with(|| id.clone());
        }
        // Trail names use `_` for spaces (`android_alienspy`): the written form has a space.
        let spoken = name.replace('_', " ");
        for n in std::iter::once(spoken.as_str()).chain(strs(f, "aliases")) {
            let placeholder =
                ["generic", "unclassified", "unknown", "sinkhole"].iter().any(|w| n.contains(w));
            if keep_name(n, &common) && n.chars().count() > MIN_NAME_LEN && !placeholder {
                let (kind, shown) = id
                    .as_ref()
                    .and_then(|i| canonical.get(i))
                    .cloned()
                    .unwrap_or_else(|| (3, name.clone()));
                patterns.entry(n.to_lowercase()).or_insert((kind, shown, id.clone()));
            }
        }
    }
    write_context_patterns(&mut o, &patterns)?;
    // One string + row offsets (like KEV), not a `&[(&str, &str)]` with two pointers per row.
    let mut text = String::new();
    let mut starts = vec![0u32];
    for (k, id) in index.iter().filter(|(k, _)| !k.is_empty()) {
        let _ = write!(text, "{k}\t{id}");
        starts.push(u32::try_from(text.len())?);
    }
    o.push_str(
        "/// Normalised family/actor name (lower-case alphanumerics) → ATT&CK software or group id, sorted: row `i` \
         = `FAMILY_INDEX[FAMILY_INDEX_STARTS[i]..FAMILY_INDEX_STARTS[i + 1]]` = `name\\tid`.\n",
    );
    let _ = writeln!(o, "pub(crate) static FAMILY_INDEX: &str = {};\n", lit(&text));
    let _ = writeln!(
        o,
        "pub(crate) static FAMILY_INDEX_STARTS: [u32; {}] = {};\n",
        starts.len(),
        num_list(&starts).trim_start_matches('&')
    );

    // Dynamic DNS: the MISP dynamic-dns list has 35k names; keep the ones that are PSL private-section suffixes or
    // the parent of at least one Maltrail indicator (the providers actually seen in malware infrastructure).
    let lists = arr(abusable, "lists");
    let list = |name: &str| -> Vec<String> {
        lists
            .iter()
            .find(|l| opt_str(l, "name") == Some(name))
            .map(|l| {
                strs(l, "entries")
                    .iter()
                    .map(|e| e.trim_start_matches('.').to_ascii_lowercase())
                    .collect()
            })
            .unwrap_or_default()
    };
    let dyndns: BTreeSet<String> = list("dynamic-dns").into_iter().collect();
    if dyndns.is_empty() {
        bail!("abusable_services.json has no dynamic-dns list");
    }
    let private =
        psl.split("===BEGIN PRIVATE DOMAINS===").nth(1).context("PSL without a private section")?;
    let private: BTreeSet<&str> = private
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("//"))
        .map(|l| l.trim_start_matches("*.").trim_start_matches('!'))
        .collect();
    let mut keep: BTreeSet<&str> =
        dyndns.iter().map(String::as_str).filter(|d| private.contains(d)).collect();
    for line in iocs.lines() {
        let mut cols = line.split('\t');
        let (Some(value), Some(kind)) = (cols.next(), cols.next()) else { continue };
        if kind != "domain" && kind != "url" {
            continue;
        }
        let host = value.split(['/', ':']).next().unwrap_or_default().to_ascii_lowercase();
        let mut rest = host.as_str();
        while let Some((_, parent)) = rest.split_once('.') {
            if let Some(d) = dyndns.get(parent) {
                keep.insert(d.as_str());
                break;
            }
            rest = parent;
        }
    }
    let keep: Vec<&str> = keep.into_iter().collect();
    o.push_str("/// Dynamic-DNS provider suffixes (MISP dynamic-dns ∩ (PSL private section ∪ parents of Maltrail indicators)), sorted.\n");
    let _ = writeln!(o, "pub(crate) static DYNAMIC_DNS: &[&str] = {};\n", lit_list(&keep));

    // Web services abused for C2, staging and exfiltration (LOTS project, DigitalSide, public IPFS gateways).
    // `.x` entries in MISP mean subdomains only; we store the suffix and match it or any subdomain. Dynamic-DNS and
    // the generic `google.com`/`facebook.com`-style apexes are left to the other rules.
    let mut web: BTreeMap<String, &str> = BTreeMap::new();
    for (name, label) in [
        ("lots-project", "LOTS project"),
        ("digitalside", "DigitalSide"),
        ("public-ipfs-gateways", "public IPFS gateway"),
    ] {
        for e in list(name) {
            if dyndns.contains(&e) {
                continue;
            }
            web.entry(e).or_insert(label);
        }
    }
    // Drop entries already covered by a shorter entry (`s3.amazonaws.com` under `amazonaws.com`).
    let all: Vec<String> = web.keys().cloned().collect();
    web.retain(|k, _| !all.iter().any(|p| p != k && host_matches(k, p)));
    o.push_str("/// Legitimate web services abused for C2 / staging (suffix, list), sorted.\n");
    o.push_str("pub(crate) static WEB_SERVICES: &[(&str, &str)] = &[\n");
    for (k, label) in &web {
        let _ = writeln!(o, "    ({}, {}),", lit(k), lit(label));
    }
    o.push_str("];\n");
    Ok(o)
}

/// Writes the context patterns without a pointer per row (a `&[ContextPattern]` of four `&str` cost ~42 KB gzip
/// in each WebAssembly module): the patterns as one `\n`-separated string (pattern `i` = line `i`), a `u16`
/// target per pattern, and the distinct targets `{kind digit}{name}[\t{ATT&CK id}]` as one string with `u32`
/// start offsets. Read by `core/src/attack/context.rs`.
fn write_context_patterns(
    o: &mut String,
    patterns: &BTreeMap<String, (u8, String, Option<String>)>,
) -> Result<()> {
    let targets: BTreeSet<(&str, Option<&str>, u8)> =
        patterns.values().map(|(kind, name, id)| (name.as_str(), id.as_deref(), *kind)).collect();
    let targets: Vec<(&str, Option<&str>, u8)> = targets.into_iter().collect();
    let mut text = String::new();
    let mut starts = vec![0u32];
    for (name, id, kind) in &targets {
        ensure!(*kind <= 9 && !name.contains(['\t', '\n']), "bad context target {name}");
        let _ = write!(text, "{kind}{name}");
        if let Some(id) = id {
            let _ = write!(text, "\t{id}");
        }
        starts.push(u32::try_from(text.len())?);
    }
    let mut index = Vec::with_capacity(patterns.len());
    for (p, (kind, name, id)) in patterns {
        ensure!(!p.contains('\n'), "context pattern with a line break: {p:?}");
        let t = targets
            .binary_search(&(name.as_str(), id.as_deref(), *kind))
            .map_err(|_| anyhow::anyhow!("no target for {p}"))?;
        index.push(u16::try_from(t)?);
    }
    let joined: Vec<&str> = patterns.keys().map(String::as_str).collect();
    o.push_str(
        "/// Context patterns (lower-case), sorted, one per line: pattern `i` is line `i`.\n",
    );
    let _ =
        writeln!(o, "pub(crate) static CONTEXT_PATTERNS: &str = {};\n", lit(&joined.join("\n")));
    o.push_str("/// Per pattern, its index in `CONTEXT_TARGET_STARTS`.\n");
    let _ = writeln!(
        o,
        "pub(crate) static CONTEXT_PATTERN_TARGET: [u16; {}] = {};\n",
        index.len(),
        num_list(&index).trim_start_matches('&')
    );
    o.push_str(
        "/// Distinct targets `{kind}{name}` or `{kind}{name}\\t{ATT&CK id}`, kind 0 malware | 1 tool | 2 group | \
         3 family; target `t` is `CONTEXT_TARGETS[CONTEXT_TARGET_STARTS[t]..CONTEXT_TARGET_STARTS[t + 1]]`.\n",
    );
    let _ = writeln!(o, "pub(crate) static CONTEXT_TARGETS: &str = {};\n", lit(&text));
    let _ = writeln!(
        o,
        "pub(crate) static CONTEXT_TARGET_STARTS: [u32; {}] = {};\n",
        starts.len(),
        num_list(&starts).trim_start_matches('&')
    );
    Ok(())
}
