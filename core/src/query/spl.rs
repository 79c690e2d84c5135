//! Splunk SPL templates (QUERIES.md §1.4–1.5, §5.2): CIM `tstats` per data model, the raw fallback, ES
//! threat-intel lookups and the lookup form for large batches.
use super::escape::{pcre_literal, spl_eval_str, spl_needs_postfilter, spl_pattern, spl_str};
use super::{Batch, Query, QueryOptions, SplProfile, Target, split_attack};
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

fn patterns(v: &str, pat: Pat) -> Vec<String> {
    match pat {
        Pat::Exact => vec![spl_str(v)],
        Pat::Subdomains => vec![spl_str(v), spl_pattern(v, "*.", "")],
        Pat::Contains => vec![spl_pattern(v, "*", "*")],
        Pat::AtDomain => vec![spl_pattern(v, "*@", "")],
        Pat::Url => {
            let bare = strip_scheme(v);
            let mut out = vec![spl_str(v)];
            if bare != v {
                out.push(spl_str(bare));
            }
            out.push(spl_pattern(bare, "*://", ""));
            out
        }
        Pat::RegistryTail => vec![spl_pattern(registry_tail(v), "*\\\\", "*")],
    }
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
                let bare: Vec<String> = values.iter().map(|v| strip_scheme(v).to_owned()).collect();
                ors.push(format!(
                    "in(lower(replace({field}, \"^[A-Za-z][A-Za-z0-9+.-]*://\", \"\")), {})",
                    list(bare)
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

fn tstats_query(spec: &Tstats, kind: IocKind, values: &[String], earliest: &str) -> String {
    let ds = spec.ds;
    let mut aggs = String::new();
    for v in spec.values {
        aggs.push_str(&format!(" values({ds}.{v}) as {v}"));
    }
    let preds: Vec<String> = spec
        .preds
        .iter()
        .map(|(field, pat)| {
            let pats: Vec<String> = values.iter().flat_map(|v| patterns(v, *pat)).collect();
            format!("{ds}.{field} IN ({})", pats.join(", "))
        })
        .collect();
    let by: Vec<String> = spec.by.iter().map(|f| format!("{ds}.{f}")).collect();
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

fn raw_query(kind: IocKind, values: &[String], earliest: &str) -> String {
    let index = if kind == IocKind::Attack { "(index=notable OR index=risk)" } else { "index=*" };
    let terms: Vec<String> = values
        .iter()
        .map(|v| if kind == IocKind::RegistryKey { spl_str(registry_tail(v)) } else { spl_str(v) })
        .collect();
    let mut q = format!("{index} earliest={earliest} latest=now ({})", terms.join(" OR "));
    if values.iter().any(|v| spl_needs_postfilter(v)) {
        let alts: Vec<String> = values.iter().map(|v| pcre_literal(v)).collect();
        q.push_str(&format!(
            "\n| where match(_raw, {})",
            spl_eval_str(&format!("(?i){}", alts.join("|")))
        ));
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

fn ti_query(kind: IocKind, values: &[String]) -> Option<String> {
    let list = values.iter().map(|v| spl_str(v)).collect::<Vec<_>>().join(", ");
    let (lookup, search) = match kind {
        IocKind::Ipv4 | IocKind::Ipv6 | IocKind::Cidr => ("ip_intel", format!("ip IN ({list})")),
        IocKind::Domain => ("ip_intel", format!("domain IN ({list})")),
        IocKind::Url => ("http_intel", format!("url IN ({list})")),
        IocKind::Email => ("email_intel", format!("src_user IN ({list})")),
        k if k.is_hash() => ("file_intel", format!("file_hash IN ({list})")),
        _ => return None,
    };
    Some(format!(
        "| inputlookup {lookup}\n| search {search}\n| table threat_key description weight time {}",
        search.split(' ').next().unwrap_or("ip")
    ))
}

/// The field a lookup-form query compares with `ioc` (the first predicate of the primary dataset).
fn lookup_query(spec: &Tstats, kind: IocKind, lookup: &str, earliest: &str) -> String {
    let ds = spec.ds;
    let field = spec.preds.first().map_or("dest", |p| p.0);
    let mut aggs = String::new();
    for v in spec.values {
        aggs.push_str(&format!(" values({ds}.{v}) as {v}"));
    }
    let by: Vec<String> = spec.by.iter().map(|f| format!("{ds}.{f}")).collect();
    let matched = if spec.by.contains(&field) { field.to_owned() } else { spec.by[0].to_owned() };
    format!(
        "{TSTATS}{aggs} from datamodel={} where earliest={earliest} latest=now by {}\n| rename {ds}.* AS *\n| lookup {lookup} ioc AS {matched} OUTPUT type AS ioc_type\n| where ioc_type={}\n| convert ctime(firstTime) ctime(lastTime)",
        spec.datamodel,
        by.join(" "),
        spl_str(kind.as_str())
    )
}

pub(super) fn render(batch: &Batch, opts: &QueryOptions) -> Result<Vec<Query>, Error> {
    let kind = batch.kind;
    let lb = opts.lookback()?;
    let earliest = lb.spl_earliest();
    let specs = catalogue(kind);
    if specs.is_empty() && kind != IocKind::Attack {
        return Err(Error::new(
            ErrorKind::UnsupportedType,
            format!("spl has no template for {kind}"),
        ));
    }
    let mk = |profile: &str, title: &str, query: String, values: usize, notes: Vec<String>| Query {
        target: Target::Spl,
        profile: profile.to_owned(),
        kind,
        title: title.to_owned(),
        query,
        values,
        chunk: None,
        chunks: None,
        earliest: Some(earliest.clone()),
        latest: Some("now".to_owned()),
        lookback: Some(lb.kql()),
        notes,
    };
    let values = &batch.values;
    let mut out = Vec::new();
    if values.len() > opts.spl_inline_limit() {
        // Lookup form: one tstats per primary dataset joined with the uploaded CSV.
        let note = format!(
            "{} values exceed the inline limit of {}: upload `lookup_csv` as the lookup `{}` (columns ioc,type) first",
            values.len(),
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
        for spec in specs {
            let mut notes = vec![note.clone()];
            if matches!(kind, IocKind::Domain | IocKind::Cidr) {
                notes.push(
                    "define the lookup with match_type WILDCARD(ioc) for subdomains or CIDR(ioc) for networks".to_owned(),
                );
            }
            out.push(mk(
                "lookup",
                spec.title,
                lookup_query(spec, kind, &opts.spl_lookup, &earliest),
                values.len(),
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
    if opts.spl_profile == SplProfile::Cim {
        if kind == IocKind::Attack {
            out.push(mk(
                "cim",
                "Risk.All_Risk (Splunk ES)",
                attack_query(values, &earliest)?,
                values.len(),
                vec!["the Risk data model ships with Splunk Enterprise Security".to_owned()],
            ));
        }
        for spec in specs {
            let mut notes = common_notes.clone();
            if kind == IocKind::Cidr {
                notes.push(
                    "CIDR values rely on tstats/search CIDR matching of IP fields".to_owned(),
                );
            }
            out.push(mk(
                "cim",
                spec.title,
                tstats_query(spec, kind, values, &earliest),
                values.len(),
                notes,
            ));
        }
    }
    if kind == IocKind::Attack {
        split_attack(values)?;
    }
    let mut raw_notes = common_notes.clone();
    if kind == IocKind::Cidr {
        raw_notes.push("raw search matches the CIDR text only, not addresses inside it; prefer the CIM queries".to_owned());
    }
    out.push(mk(
        "raw",
        "raw events (all indexes)",
        raw_query(kind, values, &earliest),
        values.len(),
        raw_notes,
    ));
    if opts.include_ti {
        if let Some(q) = ti_query(kind, values) {
            out.push(mk(
                "ti",
                "Splunk ES threat intelligence",
                q,
                values.len(),
                vec!["reads the Enterprise Security threat-intel KV-store lookups; no time bound applies".to_owned()],
            ));
        }
    }
    Ok(out)
}
