//! Splunk SPL templates (docs/queries.md): CIM `tstats` per data model, the raw fallback, ES
//! threat-intel lookups and the lookup form for large batches.
//!
//! Why one file: about 190 of its lines are the `catalogue` table (one CIM data model per indicator type), data
//! rather than logic; the rest is the one SPL leg.
use super::QueryProfile::{self, Cim, Es, Lookup, Raw, Ti};
use super::escape::{pcre_literal, spl_eval_str, spl_needs_postfilter, spl_pattern, spl_str};
use super::{
    Batch, Part, Query, QueryOptions, SplProfile, Target, fit, number_parts, split_attack,
    with_expanded_ipv6,
};
use std::fmt::Write as _;

use crate::{Error, ErrorKind, IocKind};

const TSTATS: &str = "| tstats summariesonly=false allow_old_summaries=true count min(_time) as firstTime max(_time) as lastTime";

/// How each value becomes search patterns for one predicate.
#[derive(Clone, Copy)]
enum Pat {
    /// The value itself.
    Exact,
    /// The value and `*.value` (domain plus subdomains).
    Subdomains,
    /// `*value*`.
    Contains,
    /// `*@value` (addresses at a domain).
    AtDomain,
    /// The URL, the URL without scheme, and `*://` + without scheme.
    Url,
    /// `*\` + the registry key without its hive, + `*`.
    RegistryTail,
}

/// One `tstats` query over a CIM dataset.
struct Tstats {
    title: &'static str,
    /// `Model.Dataset` after `from datamodel=`.
    datamodel: &'static str,
    /// The dataset prefix of field names (`All_Traffic`).
    ds: &'static str,
    /// `values(...)` aggregations: (field without prefix, output name).
    values: &'static [&'static str],
    /// Predicates OR-ed together: (field without prefix, pattern).
    preds: &'static [(&'static str, Pat)],
    /// `by` fields without prefix.
    by: &'static [&'static str],
}

fn catalogue(kind: IocKind) -> &'static [Tstats] {
    match kind {
        IocKind::Ipv4 | IocKind::Ipv6 | IocKind::Cidr => &[
            Tstats {
                title: "Network_Traffic.All_Traffic",
                datamodel: "Network_Traffic.All_Traffic",
                ds: "All_Traffic",
                values: &["action", "dest_port"],
                preds: &[("src_ip", Pat::Exact), ("dest_ip", Pat::Exact)],
                by: &["src_ip", "dest_ip", "transport", "vendor_product"],
            },
            Tstats {
                title: "Web.Web",
                datamodel: "Web.Web",
                ds: "Web",
                values: &["url"],
                preds: &[("src", Pat::Exact), ("dest", Pat::Exact)],
                by: &["src", "dest", "http_method", "status"],
            },
            Tstats {
                title: "Network_Resolution.DNS answers",
                datamodel: "Network_Resolution.DNS",
                ds: "DNS",
                values: &["answer"],
                preds: &[("answer", Pat::Exact)],
                by: &["src", "query"],
            },
            Tstats {
                title: "Authentication.Authentication",
                datamodel: "Authentication.Authentication",
                ds: "Authentication",
                values: &["action"],
                preds: &[("src", Pat::Exact)],
                by: &["src", "user", "dest", "app"],
            },
            Tstats {
                title: "Intrusion_Detection.IDS_Attacks",
                datamodel: "Intrusion_Detection.IDS_Attacks",
                ds: "IDS_Attacks",
                values: &["signature"],
                preds: &[("src", Pat::Exact), ("dest", Pat::Exact)],
                by: &["src", "dest", "action"],
            },
        ],
        IocKind::Domain => &[
            Tstats {
                title: "Network_Resolution.DNS",
                datamodel: "Network_Resolution.DNS",
                ds: "DNS",
                values: &["answer"],
                preds: &[("query", Pat::Subdomains)],
                by: &["src", "query"],
            },
            Tstats {
                title: "Web.Web",
                datamodel: "Web.Web",
                ds: "Web",
                values: &["url"],
                preds: &[("url_domain", Pat::Subdomains), ("dest", Pat::Subdomains)],
                by: &["src", "dest", "http_method"],
            },
            Tstats {
                title: "Email.All_Email",
                datamodel: "Email.All_Email",
                ds: "All_Email",
                values: &["subject"],
                preds: &[("src_user_domain", Pat::Subdomains), ("src_user", Pat::AtDomain)],
                by: &["src_user", "recipient"],
            },
        ],
        IocKind::Url => &[
            Tstats {
                title: "Web.Web",
                datamodel: "Web.Web",
                ds: "Web",
                values: &["status"],
                preds: &[("url", Pat::Url)],
                by: &["src", "dest", "url", "http_method"],
            },
            Tstats {
                title: "Email.All_Email",
                datamodel: "Email.All_Email",
                ds: "All_Email",
                values: &["subject"],
                preds: &[("url", Pat::Url)],
                by: &["src_user", "recipient", "url"],
            },
        ],
        IocKind::Md5 | IocKind::Sha1 | IocKind::Sha256 | IocKind::Sha512 => &[
            Tstats {
                title: "Endpoint.Processes",
                datamodel: "Endpoint.Processes",
                ds: "Processes",
                values: &["process"],
                preds: &[("process_hash", Pat::Contains), ("parent_process_hash", Pat::Contains)],
                by: &["dest", "user", "process_name", "process_hash"],
            },
            Tstats {
                title: "Endpoint.Filesystem",
                datamodel: "Endpoint.Filesystem",
                ds: "Filesystem",
                values: &["file_path"],
                preds: &[("file_hash", Pat::Contains)],
                by: &["dest", "user", "file_name", "file_hash"],
            },
            Tstats {
                title: "Malware.Malware_Attacks",
                datamodel: "Malware.Malware_Attacks",
                ds: "Malware_Attacks",
                values: &["signature"],
                preds: &[("file_hash", Pat::Contains)],
                by: &["dest", "user", "file_name", "file_hash", "action"],
            },
            Tstats {
                title: "Email.All_Email attachments",
                datamodel: "Email.All_Email",
                ds: "All_Email",
                values: &["subject"],
                preds: &[("file_hash", Pat::Contains)],
                by: &["src_user", "recipient", "file_name", "file_hash"],
            },
        ],
        IocKind::Email => &[
            Tstats {
                title: "Email.All_Email",
                datamodel: "Email.All_Email",
                ds: "All_Email",
                values: &["subject"],
                preds: &[("src_user", Pat::Exact), ("recipient", Pat::Exact)],
                by: &["src_user", "recipient", "action"],
            },
            Tstats {
                title: "Authentication.Authentication",
                datamodel: "Authentication.Authentication",
                ds: "Authentication",
                values: &["src"],
                preds: &[("user", Pat::Exact)],
                by: &["user", "dest", "app", "action"],
            },
        ],
        IocKind::Cve => &[
            Tstats {
                title: "Vulnerabilities.Vulnerabilities",
                datamodel: "Vulnerabilities.Vulnerabilities",
                ds: "Vulnerabilities",
                values: &["severity"],
                preds: &[("cve", Pat::Exact)],
                by: &["dest", "cve", "signature"],
            },
            Tstats {
                title: "Intrusion_Detection.IDS_Attacks",
                datamodel: "Intrusion_Detection.IDS_Attacks",
                ds: "IDS_Attacks",
                values: &["action"],
                preds: &[("signature", Pat::Contains)],
                by: &["src", "dest", "signature"],
            },
        ],
        IocKind::FilePath => &[
            Tstats {
                title: "Endpoint.Filesystem",
                datamodel: "Endpoint.Filesystem",
                ds: "Filesystem",
                values: &["file_hash"],
                preds: &[("file_path", Pat::Exact)],
                by: &["dest", "user", "file_path", "action"],
            },
            Tstats {
                title: "Endpoint.Processes",
                datamodel: "Endpoint.Processes",
                ds: "Processes",
                values: &["process"],
                preds: &[("process_path", Pat::Exact), ("parent_process_path", Pat::Exact)],
                by: &["dest", "user", "process_path", "parent_process_path"],
            },
        ],
        IocKind::RegistryKey => &[Tstats {
            title: "Endpoint.Registry",
            datamodel: "Endpoint.Registry",
            ds: "Registry",
            values: &["registry_value_data"],
            preds: &[("registry_path", Pat::RegistryTail)],
            by: &["dest", "user", "registry_path", "action"],
        }],
        IocKind::Attack | IocKind::Asn | IocKind::Btc | IocKind::Unknown => &[],
    }
}

/// The registry key without its hive (`HKLM\Software\x` → `Software\x`), since hives are written
/// `HKLM`, `HKEY_LOCAL_MACHINE` or `\REGISTRY\MACHINE` depending on the product.
pub(crate) fn registry_tail(v: &str) -> &str {
    let t = v.trim_start_matches('\\');
    let (first, rest) = t.split_once('\\').unwrap_or((t, ""));
    let first = first.to_ascii_uppercase();
    if first == "REGISTRY" {
        return rest.split_once('\\').map_or(rest, |(_, r)| r);
    }
    if first.starts_with("HK") && !rest.is_empty() { rest } else { t }
}

/// The URL without its scheme (`https://a/b` → `a/b`).
pub(crate) fn strip_scheme(v: &str) -> &str {
    match v.find("://") {
        Some(i)
            if i > 0
                && v[..i]
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')) =>
        {
            &v[i + 3..]
        }
        _ => v,
    }
}

/// The search patterns for one value, unquoted (`*` here is our wildcard or the value's own).
fn raw_patterns(v: &str, pat: Pat) -> Vec<String> {
    match pat {
        Pat::Exact => vec![v.to_owned()],
        Pat::Subdomains => vec![v.to_owned(), format!("*.{v}")],
        Pat::Contains => vec![format!("*{v}*")],
        Pat::AtDomain => vec![format!("*@{v}")],
        Pat::Url => {
            let bare = strip_scheme(v);
            let mut out = vec![v.to_owned()];
            if bare != v {
                out.push(bare.to_owned());
            }
            out.push(format!("*://{bare}"));
            // The same URL with a query string appended, and with an explicit port (CIM `url` is the full URL).
            if !bare.contains(['?', '#']) {
                out.push(format!("*://{bare}?*"));
            }
            let host = super::guard::url_host(v);
            if let Some(path) = bare.find(['/', '?']).map(|i| &bare[i..])
                && !host.is_empty()
                && bare.starts_with(host)
                && !bare[host.len()..].starts_with(':')
            {
                out.push(format!("*://{host}:*{path}"));
            }
            out
        }
        Pat::RegistryTail => vec![format!("*\\{}*", registry_tail(v))],
    }
}

/// The patterns as quoted SPL strings.
fn patterns(v: &str, pat: Pat) -> Vec<String> {
    raw_patterns(v, pat).iter().map(|p| spl_str(p)).collect()
}

/// The `pattern` column of the lookup CSV for one value: every pattern any template of the type uses,
/// for a lookup defined with `match_type = WILDCARD(pattern)`.
pub(crate) fn lookup_patterns(kind: IocKind, v: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for spec in catalogue(kind) {
        for (_, pat) in spec.preds {
            for p in raw_patterns(v, *pat) {
                if !out.contains(&p) {
                    out.push(p);
                }
            }
        }
    }
    if out.is_empty() {
        out.push(v.to_owned());
    }
    out
}

/// The exact post-filter for values SPL search cannot match exactly (`*`, backticks): keeps rows whose
/// field equals (case-insensitively) one of the values, for whichever predicate fields were used.
fn postfilter(spec: &Tstats, kind: IocKind, values: &[String]) -> Option<String> {
    if !values.iter().any(|v| spl_needs_postfilter(v)) {
        return None;
    }
    let mut ors = Vec::new();
    for (field, pat) in spec.preds {
        let list = |vals: Vec<String>| {
            vals.iter().map(|v| spl_eval_str(&v.to_lowercase())).collect::<Vec<_>>().join(", ")
        };
        match pat {
            Pat::Url => {
                // Exact URL, any scheme, an optional port after the host and an optional query string.
                let alts: Vec<String> = values
                    .iter()
                    .map(|v| {
                        let bare = strip_scheme(v);
                        let host = super::guard::url_host(v);
                        match bare.strip_prefix(host).filter(|_| !host.is_empty()) {
                            Some(rest) if !rest.starts_with(':') => {
                                format!("{}(:[0-9]+)?{}", pcre_literal(host), pcre_literal(rest))
                            }
                            _ => pcre_literal(bare),
                        }
                    })
                    .collect();
                ors.push(format!(
                    "match({field}, {})",
                    spl_eval_str(&format!(
                        "(?i)^([a-z][a-z0-9+.-]*://)?({})([?#].*)?$",
                        alts.join("|")
                    ))
                ));
            }
            Pat::Exact => ors.push(format!("in(lower({field}), {})", list(values.to_vec()))),
            _ => {
                // Wildcard templates (subdomains, contains, registry tails): keep rows containing the value.
                let alts: Vec<String> =
                    values
                        .iter()
                        .map(|v| {
                            if kind == IocKind::RegistryKey { registry_tail(v) } else { v.as_str() }
                        })
                        .map(pcre_literal)
                        .collect();
                ors.push(format!(
                    "match({field}, {})",
                    spl_eval_str(&format!("(?i){}", alts.join("|")))
                ));
            }
        }
    }
    Some(format!("| where {}", ors.join(" OR ")))
}

/// The destination address and port fields of a dataset, for `ip:port` indicators.
fn port_field(spec: &Tstats) -> Option<(&'static str, &'static str)> {
    match spec.datamodel {
        "Network_Traffic.All_Traffic" => Some(("dest_ip", "dest_port")),
        "Web.Web" | "Intrusion_Detection.IDS_Attacks" => Some(("dest", "dest_port")),
        _ => None,
    }
}

/// The `ip:port` indicators among `part` (each address in every text form searched).
fn part_pairs(kind: IocKind, ported: &[(String, u16)], part: &[String]) -> Vec<(String, u16)> {
    let mut out = Vec::new();
    for (a, port) in ported.iter().filter(|(a, _)| part.contains(a)) {
        for form in search_values(kind, std::slice::from_ref(a)) {
            out.push((form, *port));
        }
    }
    out
}

/// One `tstats` over `values`; `pairs` (`ip:port` indicators) match the destination address AND port where
/// the dataset has a destination port field, and as plain addresses (they are in `values`) elsewhere.
fn tstats_query(
    spec: &Tstats,
    kind: IocKind,
    values: &[String],
    earliest: &str,
    pairs: &[(String, u16)],
) -> String {
    let ds = spec.ds;
    let mut aggs = String::new();
    for v in spec.values {
        let _ = write!(aggs, " values({ds}.{v}) as {v}");
    }
    let port = port_field(spec).filter(|_| !pairs.is_empty());
    let plain: Vec<String> = match port {
        Some(_) => values.iter().filter(|v| !pairs.iter().any(|(a, _)| a == *v)).cloned().collect(),
        None => values.to_vec(),
    };
    let mut preds: Vec<String> = spec
        .preds
        .iter()
        .filter(|_| !plain.is_empty())
        .map(|(field, pat)| {
            let pats: Vec<String> = plain.iter().flat_map(|v| patterns(v, *pat)).collect();
            format!("{ds}.{field} IN ({})", pats.join(", "))
        })
        .collect();
    if let Some((ip, port_f)) = port {
        for (a, p) in pairs {
            preds.push(format!("({ds}.{ip}={} AND {ds}.{port_f}={p})", spl_str(a)));
        }
    }
    // Every field a post-filter reads must be an output of tstats: the predicate fields join the `by` list.
    let mut by_fields: Vec<&str> = spec.by.to_vec();
    for (f, _) in spec.preds {
        if !by_fields.contains(f) {
            by_fields.push(f);
        }
    }
    let by: Vec<String> = by_fields.iter().map(|f| format!("{ds}.{f}")).collect();
    let mut q = format!(
        "{TSTATS}{aggs} from datamodel={} where earliest={earliest} latest=now ({}) by {}\n| rename {ds}.* AS *",
        spec.datamodel,
        preds.join(" OR "),
        by.join(" ")
    );
    if let Some(pf) = postfilter(spec, kind, values) {
        q.push('\n');
        q.push_str(&pf);
    }
    q.push_str("\n| convert ctime(firstTime) ctime(lastTime)");
    q
}

fn raw_query(kind: IocKind, values: &[String], earliest: &str, term: bool) -> String {
    let index = if kind == IocKind::Attack { "(index=notable OR index=risk)" } else { "index=*" };
    let terms: Vec<String> = values
        .iter()
        .map(|v| match kind {
            IocKind::RegistryKey => spl_str(registry_tail(v)),
            // TERM() reads the lexicon directly; IP text is digits, hex, `.` and `:` only (checked by
            // normalize_value), so nothing needs quoting inside it.
            IocKind::Ipv4 | IocKind::Ipv6
                if term && v.bytes().all(|b| b.is_ascii_hexdigit() || b == b'.' || b == b':') =>
            {
                format!("TERM({v})")
            }
            _ => spl_str(v),
        })
        .collect();
    let mut q = format!("{index} earliest={earliest} latest=now ({})", terms.join(" OR "));
    if values.iter().any(|v| spl_needs_postfilter(v)) {
        // Registry keys are matched without their hive, like the search terms: HKCR\x is logged as
        // HKLM\SOFTWARE\Classes\x, HKLM as HKEY_LOCAL_MACHINE or \REGISTRY\MACHINE.
        let alts: Vec<String> = values
            .iter()
            .map(|v| if kind == IocKind::RegistryKey { registry_tail(v) } else { v.as_str() })
            .map(pcre_literal)
            .collect();
        let _ = write!(
            q,
            "\n| where match(_raw, {})",
            spl_eval_str(&format!("(?i){}", alts.join("|")))
        );
    }
    q.push_str(
        "\n| stats count min(_time) as firstTime max(_time) as lastTime values(sourcetype) as sourcetype by index host\n| convert ctime(firstTime) ctime(lastTime)",
    );
    q
}

fn attack_query(values: &[String], earliest: &str) -> Result<String, Error> {
    let (techniques, tactics) = split_attack(values)?;
    let mut lt: Vec<String> = Vec::new();
    for t in &techniques {
        lt.push(spl_str(t));
        if !t.contains('.') {
            lt.push(spl_pattern(t, "", ".*"));
        }
    }
    let f = "All_Risk.annotations.mitre_attack";
    let mut preds = Vec::new();
    if !lt.is_empty() {
        preds.push(format!("{f}.mitre_technique_id IN ({})", lt.join(", ")));
    }
    if !tactics.is_empty() {
        let ta: Vec<String> = tactics.iter().map(|t| spl_str(t)).collect();
        preds.push(format!("{f}.mitre_tactic_id IN ({})", ta.join(", ")));
    }
    Ok(format!(
        "{TSTATS} values(All_Risk.risk_object) as risk_object values(All_Risk.source) as search_name from datamodel=Risk.All_Risk where earliest={earliest} latest=now ({}) by {f}.mitre_technique_id All_Risk.risk_object_type\n| rename All_Risk.* AS *\n| convert ctime(firstTime) ctime(lastTime)",
        preds.join(" OR ")
    ))
}

/// Splunk ES threat intelligence: the KV-store intel lookup, filtered inside `inputlookup … where` (pushed
/// down to the KV store instead of reading the whole collection with `| search`).
/// The ES intel KV-store lookup and field holding a type.
fn intel_lookup(kind: IocKind) -> Option<(&'static str, &'static str)> {
    Some(match kind {
        IocKind::Ipv4 | IocKind::Ipv6 | IocKind::Cidr => ("ip_intel", "ip"),
        IocKind::Domain => ("ip_intel", "domain"),
        IocKind::Url => ("http_intel", "url"),
        IocKind::Email => ("email_intel", "src_user"),
        k if k.is_hash() => ("file_intel", "file_hash"),
        _ => return None,
    })
}

fn intel_lookup_query(kind: IocKind, values: &[String]) -> Option<String> {
    let (lookup, field) = intel_lookup(kind)?;
    let ors = values.iter().map(|v| format!("{field}={}", spl_str(v))).collect::<Vec<_>>();
    let mut q = format!("| inputlookup {lookup} where ({})", ors.join(" OR "));
    if values.iter().any(|v| spl_needs_postfilter(v)) {
        let exact =
            values.iter().map(|v| spl_eval_str(&v.to_lowercase())).collect::<Vec<_>>().join(", ");
        let _ = write!(q, "\n| where in(lower({field}), {exact})");
    }
    let _ = write!(q, "\n| table threat_key description weight time {field}");
    Some(q)
}

/// The lookup form: the data model without a value filter, joined with the uploaded CSV on every field the
/// inline form would have matched.
fn lookup_query(spec: &Tstats, kind: IocKind, lookup: &str, earliest: &str) -> String {
    let ds = spec.ds;
    let mut aggs = String::new();
    for v in spec.values {
        let _ = write!(aggs, " values({ds}.{v}) as {v}");
    }
    let mut by: Vec<&str> = spec.by.to_vec();
    for (f, _) in spec.preds {
        if !by.contains(f) {
            by.push(f);
        }
    }
    let by: Vec<String> = by.iter().map(|f| format!("{ds}.{f}")).collect();
    let mut q = format!(
        "{TSTATS}{aggs} from datamodel={} where earliest={earliest} latest=now by {}\n| rename {ds}.* AS *",
        spec.datamodel,
        by.join(" ")
    );
    let mut conds = Vec::new();
    for (i, (f, _)) in spec.preds.iter().enumerate() {
        let _ = write!(
            q,
            "\n| lookup {lookup} pattern AS {f} OUTPUT ioc AS ioc_{i} type AS ioc_type_{i}"
        );
        conds.push(format!("ioc_type_{i}=={}", spl_eval_str(kind.as_str())));
    }
    let _ =
        write!(q, "\n| where {}\n| convert ctime(firstTime) ctime(lastTime)", conds.join(" OR "));
    q
}

/// Splunk ES: the threat matches ES already made, one row per matched indicator value.
const THREAT_ACTIVITY: Tstats = Tstats {
    title: "Threat_Intelligence.Threat_Activity (Splunk ES)",
    datamodel: "Threat_Intelligence.Threat_Activity",
    ds: "Threat_Activity",
    values: &[],
    preds: &[("threat_match_value", Pat::Exact)],
    by: &[
        "threat_match_field",
        "threat_match_value",
        "threat_collection",
        "threat_key",
        "src",
        "dest",
    ],
};

/// The types ES threat intelligence holds (its `*_intel` lookups and `Threat_Activity` matches).
fn es_intel(kind: IocKind) -> bool {
    intel_lookup(kind).is_some()
}

/// IPv6 text varies by product: the RFC 5952 and the fully expanded forms are both searched.
fn search_values(kind: IocKind, values: &[String]) -> Vec<String> {
    if kind == IocKind::Ipv6 { with_expanded_ipv6(values) } else { values.to_vec() }
}

pub(super) fn render(batch: &Batch, opts: &QueryOptions) -> Result<Vec<Query>, Error> {
    let kind = batch.kind;
    let lb = opts.lookback()?;
    let earliest = lb.spl_earliest();
    let es = opts.spl_profile == SplProfile::Es;
    let mut specs: Vec<&Tstats> = Vec::new();
    if es && es_intel(kind) {
        specs.push(&THREAT_ACTIVITY);
    }
    specs.extend(catalogue(kind));
    if specs.is_empty() && kind != IocKind::Attack {
        return Err(Error::new(
            ErrorKind::UnsupportedType,
            format!("spl has no template for {kind}"),
        ));
    }
    let spec_profile =
        |spec: &Tstats| if spec.datamodel == THREAT_ACTIVITY.datamodel { Es } else { Cim };
    let mk =
        |profile: QueryProfile, title: &str, query: String, values: usize, notes: Vec<String>| {
            Query {
                target: Target::Spl,
                profile,
                kind,
                title: title.to_owned(),
                query,
                values,
                size: 0,
                chunk: None,
                chunks: None,
                earliest: Some(earliest.clone()),
                latest: Some("now".to_owned()),
                lookback: Some(lb.kql()),
                notes,
            }
        };
    let values = search_values(kind, &batch.values);
    let values = &values;
    let mut out = Vec::new();
    if batch.values.len() > opts.spl_inline_limit() {
        // Lookup form: one tstats per primary dataset joined with the uploaded CSV.
        let note = format!(
            "{} values exceed the inline limit of {}: upload `lookup_csv` as the lookup `{}` (columns ioc,type,pattern) first",
            batch.values.len(),
            opts.spl_inline_limit(),
            opts.spl_lookup
        );
        if kind == IocKind::Attack {
            return Err(Error::new(
                ErrorKind::UnsupportedType,
                format!(
                    "spl: more than {} ATT&CK ids in one hunt; split the list",
                    opts.spl_inline_limit()
                ),
            ));
        }
        for spec in &specs {
            let mut notes = vec![note.clone()];
            notes.push(if kind == IocKind::Cidr {
                format!("define `{}` in transforms.conf with match_type = CIDR(pattern)", opts.spl_lookup)
            } else {
                format!(
                    "define `{}` in transforms.conf with match_type = WILDCARD(pattern) and case_sensitive_match = false",
                    opts.spl_lookup
                )
            });
            out.push(mk(
                if spec_profile(spec) == Es { Es } else { Lookup },
                spec.title,
                lookup_query(spec, kind, &opts.spl_lookup, &earliest),
                batch.values.len(),
                notes,
            ));
        }
        return Ok(out);
    }
    let mut common_notes = Vec::new();
    if values.iter().any(|v| spl_needs_postfilter(v)) {
        common_notes.push(
            "a value contains `*` or a backtick, which SPL search cannot escape: matched loosely, then filtered exactly with `| where`"
                .to_owned(),
        );
    }
    // Every inline query is fitted to `spl_max_len` (no limit by default): a longer one is split into parts.
    let limit = opts.spl_max_len;
    let emit = |out: &mut Vec<Query>,
                profile: QueryProfile,
                title: &str,
                notes: &[String],
                render: &dyn Fn(&[String]) -> Result<String, Error>|
     -> Result<(), Error> {
        let fitted =
            fit(&batch.values, limit, &mut |vals: &[String]| render(vals), &|q: &String| {
                q.chars().count()
            })?;
        let split = fitted.len() > 1;
        let mut qs = Vec::new();
        for Part { values, rendered, over } in fitted {
            let mut n = notes.to_vec();
            if over {
                n.push(super::over_limit_note(rendered.chars().count(), limit, "`spl_max_len`"));
            }
            if split {
                n.push(format!(
                    "split so each search stays within {limit} characters (`spl_max_len`)"
                ));
            }
            qs.push(mk(profile, title, rendered, values.len(), n));
        }
        number_parts(&mut qs);
        out.extend(qs);
        Ok(())
    };
    if opts.spl_profile != SplProfile::Raw {
        if kind == IocKind::Attack {
            out.push(mk(
                if es { Es } else { Cim },
                "Risk.All_Risk (Splunk ES)",
                attack_query(values, &earliest)?,
                batch.values.len(),
                vec!["the Risk data model ships with Splunk Enterprise Security".to_owned()],
            ));
            if batch.primary_only {
                return Ok(out);
            }
        }
        if batch.primary_only && !specs.is_empty() {
            // One query for the lookup package: every data model the hunt reads, the first one then each
            // other appended (`| append [ … ]`), with a `dataset` column saying where a row comes from.
            let parts: Vec<String> = specs
                .iter()
                .map(|spec| {
                    tstats_query(spec, kind, values, &earliest, &[]).replacen(
                        "\n| convert ctime(firstTime) ctime(lastTime)",
                        &format!("\n| eval dataset={}", spl_eval_str(spec.title)),
                        1,
                    )
                })
                .collect();
            let mut q = parts[0].clone();
            for p in &parts[1..] {
                let _ = write!(q, "\n| append [{p}]");
            }
            q.push_str("\n| convert ctime(firstTime) ctime(lastTime)");
            let title = specs.iter().map(|s| s.title).collect::<Vec<_>>().join(" + ");
            out.push(mk(
                spec_profile(specs[0]),
                &title,
                q,
                batch.values.len(),
                common_notes.clone(),
            ));
            return Ok(out);
        }
        for spec in &specs {
            let mut notes = common_notes.clone();
            if kind == IocKind::Cidr {
                notes.push(
                    "CIDR values rely on tstats/search CIDR matching of IP fields".to_owned(),
                );
            }
            if spec_profile(spec) == Es {
                notes.push("the Threat_Intelligence data model ships with Splunk Enterprise Security: these are the matches ES already made".to_owned());
            }
            emit(&mut out, spec_profile(spec), spec.title, &notes, &|vals| {
                let pairs = part_pairs(kind, &batch.ported, vals);
                Ok(tstats_query(spec, kind, &search_values(kind, vals), &earliest, &pairs))
            })?;
        }
    }
    if kind == IocKind::Attack {
        split_attack(values)?;
    }
    let mut raw_notes = common_notes.clone();
    if opts.spl_term && matches!(kind, IocKind::Ipv4 | IocKind::Ipv6) {
        raw_notes.push(
            "TERM() is fast but only matches addresses bounded by major breakers (it misses ip=1.2.3.4)".to_owned(),
        );
    }
    if kind == IocKind::Cidr {
        raw_notes.push("raw search matches the CIDR text only, not addresses inside it; prefer the CIM queries".to_owned());
    }
    emit(&mut out, Raw, "raw events (all indexes)", &raw_notes, &|vals| {
        Ok(raw_query(kind, &search_values(kind, vals), &earliest, opts.spl_term))
    })?;
    if batch.primary_only || !es_intel(kind) || !(es || opts.include_ti) {
        return Ok(out);
    }
    // ES intel KV-store lookups, filtered inside `inputlookup … where`; the ES profile has read Threat_Activity
    // first, the other profiles add it here (`include_ti`).
    let profile = if es { Es } else { Ti };
    emit(
        &mut out,
        profile,
        "Splunk ES threat intelligence",
        &["reads the Enterprise Security threat-intel KV-store lookups (filtered in the KV store by `inputlookup … where`); no time bound applies".to_owned()],
        &|vals| Ok(intel_lookup_query(kind, &search_values(kind, vals)).unwrap_or_default()),
    )?;
    if !es {
        emit(
            &mut out,
            Ti,
            "Splunk ES Threat_Activity matches",
            &["the Threat_Intelligence data model ships with Splunk Enterprise Security"
                .to_owned()],
            &|vals| {
                Ok(tstats_query(&THREAT_ACTIVITY, kind, &search_values(kind, vals), &earliest, &[]))
            },
        )?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::QueryProfile::{Cim, Es};
    use super::super::{QueryOptions, spl_for};
    use crate::IocKind;

    /// The first CIM query `hunt` writes for one value.
    fn check(kind: IocKind, value: &str, expect: &str) {
        let h = super::super::hunt(
            &[super::super::HuntInput::new(kind, value)],
            &QueryOptions { url_hosts: false, ..QueryOptions::default() },
        )
        .unwrap();
        assert_eq!(h.groups[0].spl[0].query, expect);
    }

    #[test]
    fn primary_query_covers_every_data_model() {
        let q = spl_for(IocKind::Ipv4, "203.0.113.10", &QueryOptions::default()).unwrap();
        for dm in [
            "Network_Traffic.All_Traffic",
            "Web.Web",
            "Network_Resolution.DNS",
            "Authentication.Authentication",
            "Intrusion_Detection.IDS_Attacks",
        ] {
            assert!(q.contains(&format!("from datamodel={dm} ")), "{dm}: {q}");
        }
        assert_eq!(q.matches("\n| append [| tstats ").count(), 4);
        assert!(q.ends_with("]\n| convert ctime(firstTime) ctime(lastTime)"));
    }

    #[test]
    fn spl_for_covers_every_data_model_of_the_hunt() {
        // The lookup package's one SPL search reads every dataset the hunt's CIM (and ES) queries read.
        let cases = [
            (IocKind::Ipv4, "203.0.113.10"),
            (IocKind::Ipv6, "2001:db8::1"),
            (IocKind::Cidr, "203.0.113.0/24"),
            (IocKind::Domain, "evil.example"),
            (IocKind::Url, "https://evil.example/a"),
            (IocKind::Email, "a@evil.example"),
            (IocKind::Md5, "44d88612fea8a8f36de82e1278abb02f"),
            (IocKind::Sha1, "3395856ce81f2b7382dee72602f798b642f14140"),
            (IocKind::Cve, "CVE-2021-44228"),
            (IocKind::FilePath, r"C:\Users\x\a.exe"),
            (IocKind::RegistryKey, r"HKLM\Software\x"),
        ];
        for profile in [super::SplProfile::Cim, super::SplProfile::Es] {
            let o =
                QueryOptions { spl_profile: profile, url_hosts: false, ..QueryOptions::default() };
            for (kind, v) in cases {
                let one = spl_for(kind, v, &o).unwrap();
                let h = super::super::hunt(&[super::super::HuntInput::new(kind, v)], &o).unwrap();
                let mut n = 0;
                for q in h.groups[0].spl.iter().filter(|q| matches!(q.profile, Cim | Es)) {
                    if let Some(dm) =
                        q.query.split("from datamodel=").nth(1).and_then(|r| r.split(' ').next())
                    {
                        assert!(
                            one.contains(&format!("from datamodel={dm} ")),
                            "{kind} {dm}: {one}"
                        );
                        n += 1;
                    }
                }
                assert_eq!(one.matches("| tstats ").count(), n, "{kind} {profile:?}");
            }
        }
    }

    #[test]
    fn primary_queries_by_hand() {
        // Written from the SPL rules of docs/queries.md: {TS} header, `d` and `*.d`, time inside `where`, rename, ctime.
        check(
            IocKind::Domain,
            "Evil.Example.",
            "| tstats summariesonly=false allow_old_summaries=true count min(_time) as firstTime max(_time) as lastTime values(DNS.answer) as answer from datamodel=Network_Resolution.DNS where earliest=-7d latest=now (DNS.query IN (\"evil.example\", \"*.evil.example\")) by DNS.src DNS.query\n| rename DNS.* AS *\n| convert ctime(firstTime) ctime(lastTime)",
        );
        // A literal `*` in a URL: loose match on the three URL forms, then an exact case-insensitive filter.
        check(
            IocKind::Url,
            "http://x.test/a*b",
            // Also the same URL with a query string and with a port; the exact filter allows both.
            "| tstats summariesonly=false allow_old_summaries=true count min(_time) as firstTime max(_time) as lastTime values(Web.status) as status from datamodel=Web.Web where earliest=-7d latest=now (Web.url IN (\"http://x.test/a*b\", \"x.test/a*b\", \"*://x.test/a*b\", \"*://x.test/a*b?*\", \"*://x.test:*/a*b\")) by Web.src Web.dest Web.url Web.http_method\n| rename Web.* AS *\n| where match(url, \"(?i)^([a-z][a-z0-9+.-]*://)?(\\\\Qx.test\\\\E(:[0-9]+)?\\\\Q/a*b\\\\E)([?#].*)?$\")\n| convert ctime(firstTime) ctime(lastTime)",
        );
    }

    #[test]
    fn term_fast_mode_for_ips() {
        // docs/queries.md (`spl_term`): TERM(1.2.3.4) uses the lexicon; the phrase stays the default.
        let opts = QueryOptions {
            spl_profile: super::SplProfile::Raw,
            spl_term: true,
            ..QueryOptions::default()
        };
        let q = spl_for(IocKind::Ipv4, "203.0.113.10", &opts).unwrap();
        assert!(q.starts_with("index=* earliest=-7d latest=now (TERM(203.0.113.10))\n"), "{q}");
        let d = spl_for(IocKind::Domain, "evil.example", &opts).unwrap();
        assert!(d.starts_with("index=* earliest=-7d latest=now (\"evil.example\")\n"), "{d}");
    }

    #[test]
    fn raw_profile_and_registry_tail() {
        let opts = QueryOptions {
            spl_profile: super::SplProfile::Raw,
            lookback: "24h".into(),
            ..QueryOptions::default()
        };
        assert_eq!(
            spl_for(IocKind::RegistryKey, r"HKEY_LOCAL_MACHINE\Software\x", &opts).as_deref(),
            Ok(
                "index=* earliest=-24h latest=now (\"Software\\\\x\")\n| stats count min(_time) as firstTime max(_time) as lastTime values(sourcetype) as sourcetype by index host\n| convert ctime(firstTime) ctime(lastTime)"
            )
        );
        assert_eq!(super::registry_tail(r"\REGISTRY\MACHINE\SOFTWARE\x"), r"SOFTWARE\x");
        assert_eq!(super::registry_tail(r"HKLM\Run"), "Run");
        assert_eq!(super::registry_tail(r"Software\x"), r"Software\x");
        assert_eq!(super::strip_scheme("hxxp://a"), "a");
        assert_eq!(super::strip_scheme("a/b://c"), "a/b://c");
    }
}
