//! Sentinel / Defender KQL templates (docs/queries.md, catalogue): a `union isfuzzy=true` over native tables
//! with a common projection, ASIM variants, a Defender XDR variant and the threat-intel presence query.
use super::QueryProfile::{self, Asim, Defender, Native, Ti};
use super::escape::{kql_dynamic, kql_str};
use super::spl::{registry_tail, strip_scheme};
use super::{
    Batch, KQL_MAX_INLINE, KqlProfile, Part, Query, QueryOptions, Target, chunks, fit,
    number_parts, split_attack, tactic_sentinel_name, with_expanded_ipv6,
};
use std::fmt::Write as _;

use crate::{Error, ErrorKind, IocKind};

mod legs;

use legs::{Leg, Op, is_defender_table, native_legs};

/// The list names used in predicates: `iocs` and, for CIDR batches mixing families, `iocs6`.
#[expect(clippy::struct_excessive_bools, reason = "independent facts about one part's lists")]
struct Lists {
    /// `let` lines.
    lets: Vec<String>,
    /// IPv4 CIDRs go to `iocs`; IPv6 CIDRs to `iocs6`.
    cidr4: bool,
    cidr6: bool,
    /// Any IPv6 value (so `in~` is used).
    any_v6: bool,
    /// `ip:port` indicators in this part: `plain` then lists the addresses hunted on their own and `pairs`
    /// the `address#port` keys, matched where a leg has a destination port.
    ported: bool,
}

fn pred(kind: IocKind, lists: &Lists, col: &str, op: Op) -> Option<String> {
    pred_in(kind, lists, col, op, "iocs")
}

/// `pred` against the list `list` (`iocs`, or `plain` in a leg that matches `ip:port` pairs).
fn pred_in(kind: IocKind, lists: &Lists, col: &str, op: Op, list: &str) -> Option<String> {
    if kind == IocKind::Cidr {
        if op == Op::Has {
            return None;
        }
        let mut parts = Vec::new();
        if lists.cidr4 {
            parts.push(format!("ipv4_is_in_any_range({col}, iocs)"));
        }
        if lists.cidr6 {
            parts.push(format!("ipv6_is_in_any_range({col}, iocs6)"));
        }
        return Some(parts.join(" or "));
    }
    Some(match op {
        Op::Eq if kind == IocKind::Ipv4 && !lists.any_v6 => format!("{col} in ({list})"),
        Op::Eq | Op::Ci => format!("{col} in~ ({list})"),
        Op::Has => format!("{col} has_any ({list})"),
    })
}

fn union(legs: &[String], time: &str) -> String {
    if let [one] = legs {
        return format!("{}\n| sort by {time} desc", one.trim_start());
    }
    format!("union isfuzzy=true\n{}\n| sort by {time} desc", legs.join(",\n"))
}

fn render_legs(kind: IocKind, legs: &[Leg], lists: &Lists, defender: bool) -> Vec<String> {
    let time = if defender { "Timestamp" } else { "TimeGenerated" };
    let mut out = Vec::new();
    for l in legs {
        if defender && !is_defender_table(l.table) {
            continue;
        }
        let mut preds: Vec<String> = match l.port.filter(|_| lists.ported) {
            // An `ip:port` indicator matches here only as the destination with its port; the other
            // addresses of the part as usual.
            Some((ip, port)) => {
                let mut p: Vec<String> = l
                    .preds
                    .iter()
                    .filter_map(|(c, op)| pred_in(kind, lists, c, *op, "plain"))
                    .collect();
                let op = if kind == IocKind::Ipv4 { "in" } else { "in~" };
                p.push(format!(
                    "({ip} {op} (iocs) and strcat({ip}, \"#\", tostring({port})) in~ (pairs))"
                ));
                p
            }
            None => l.preds.iter().filter_map(|(c, op)| pred(kind, lists, c, *op)).collect(),
        };
        preds.retain(|p| !p.is_empty());
        if preds.is_empty() {
            continue;
        }
        let mut s = format!("    ({}", l.table);
        if l.timed {
            let _ = write!(s, " | where {time} > ago(lookback)");
        }
        let _ = write!(s, "\n        | where {}", preds.join(" or "));
        if !l.post.is_empty() {
            let _ = write!(s, "\n        {}", l.post.replace("TimeGenerated", time));
        }
        let t =
            if l.timed || !defender { time.to_owned() } else { format!("{time}=datetime(null)") };
        let _ = write!(s, "\n        | project {t}, SourceTable=\"{}\", {})", l.table, l.project);
        out.push(s);
    }
    out
}

/// The values as the list holds them: URLs without scheme, registry keys without hive, IPv6 also expanded.
fn list_values(kind: IocKind, values: &[String]) -> Vec<String> {
    let mut out: Vec<String> = match kind {
        IocKind::Url => values.iter().map(|v| strip_scheme(v).to_owned()).collect(),
        IocKind::RegistryKey => values.iter().map(|v| registry_tail(v).to_owned()).collect(),
        IocKind::Ipv6 => with_expanded_ipv6(values),
        _ => values.to_vec(),
    };
    out.dedup();
    out
}

/// A watchlist slice: the watchlist alias and the 1-based row range of this query's distinct keys.
type WatchSlice<'a> = (&'a str, usize, usize);

/// The `toscalar(...)` that reads rows `from..=to` of the distinct keys of one type from the watchlist:
/// `has_any` considers at most 10,000 values, so a large watchlist is read in slices of that size.
fn watchlist_set(kind: IocKind, (wl, from, to): WatchSlice<'_>, key: &str) -> String {
    format!(
        "toscalar(_GetWatchlist('{wl}') | where tostring(WatchlistItem.type) == {} | distinct SearchKey | order by SearchKey asc | serialize Row = row_number() | where Row between ({from} .. {to}) | summarize make_set({key}, {KQL_MAX_INLINE}))",
        kql_str(kind.as_str())
    )
}

fn lists_for(
    kind: IocKind,
    values: &[String],
    watchlist: Option<WatchSlice<'_>>,
    lookback: &str,
    pairs: &[(String, u16)],
) -> Lists {
    let mut lets = vec![format!("let lookback = {lookback};")];
    let any_v6 = kind == IocKind::Ipv6;
    let (mut cidr4, mut cidr6) = (false, false);
    if let Some(slice) = watchlist {
        let key = match kind {
            IocKind::Url => "replace_regex(SearchKey, @\"^[A-Za-z][A-Za-z0-9+.-]*://\", \"\")",
            _ => "SearchKey",
        };
        lets.push(format!("let iocs = {};", watchlist_set(kind, slice, key)));
        if kind == IocKind::Cidr {
            cidr4 = true;
        }
    } else if kind == IocKind::Cidr {
        let v4: Vec<String> = values.iter().filter(|v| !v.contains(':')).cloned().collect();
        let v6: Vec<String> = values.iter().filter(|v| v.contains(':')).cloned().collect();
        cidr4 = !v4.is_empty();
        cidr6 = !v6.is_empty();
        if cidr4 {
            lets.push(format!("let iocs = {};", kql_dynamic(&v4)));
        }
        if cidr6 {
            lets.push(format!("let iocs6 = {};", kql_dynamic(&v6)));
        }
    } else {
        lets.push(format!("let iocs = {};", kql_dynamic(&list_values(kind, values))));
    }
    // `ip:port` indicators of this part (a watchlist slice hunts addresses only).
    let in_part: Vec<&(String, u16)> = if watchlist.is_none() {
        pairs.iter().filter(|(a, _)| values.contains(a)).collect()
    } else {
        Vec::new()
    };
    let ported = !in_part.is_empty();
    if ported {
        let plain: Vec<String> =
            values.iter().filter(|v| !in_part.iter().any(|(a, _)| a == *v)).cloned().collect();
        let mut keys: Vec<String> = Vec::new();
        for (a, port) in &in_part {
            for form in list_values(kind, std::slice::from_ref(a)) {
                let k = format!("{form}#{port}");
                if !keys.contains(&k) {
                    keys.push(k);
                }
            }
        }
        lets.push(format!(
            "let plain = {};  // addresses hunted on their own; ip:port indicators are in pairs",
            kql_dynamic(&list_values(kind, &plain))
        ));
        lets.push(format!("let pairs = {};  // address#port", kql_dynamic(&keys)));
    }
    Lists { lets, cidr4, cidr6, any_v6, ported }
}

fn asim_query(kind: IocKind, lists: &Lists) -> Option<String> {
    let st = "starttime=ago(lookback)";
    let legs: Vec<String> = match kind {
        IocKind::Ipv4 | IocKind::Ipv6 => {
            let op = if lists.any_v6 { "in~" } else { "in" };
            // `ip:port` indicators: the destination address AND its port.
            let exact = if lists.ported {
                format!(
                    "SrcIpAddr {op} (plain) or DstIpAddr {op} (plain) or (DstIpAddr {op} (iocs) and strcat(DstIpAddr, \"#\", tostring(DstPortNumber)) in~ (pairs))"
                )
            } else {
                format!("SrcIpAddr {op} (iocs) or DstIpAddr {op} (iocs)")
            };
            vec![
                format!(
                    "    (_Im_NetworkSession({st}, ipaddr_has_any_prefix=iocs)\n        | where {exact}  // the parser filter is a prefix match: re-check exact values\n        | project TimeGenerated, SourceTable=\"ASIM NetworkSession\", SrcIp=SrcIpAddr, DstIp=DstIpAddr, Host=Dvc, Account=SrcUsername, Detail=strcat(EventProduct, \" \", DvcAction, \" \", DstPortNumber))"
                ),
                format!(
                    "    (_Im_WebSession({st}, ipaddr_has_any_prefix=iocs)\n        | where {exact}\n        | project TimeGenerated, SourceTable=\"ASIM WebSession\", SrcIp=SrcIpAddr, DstIp=DstIpAddr, Host=Dvc, Account=SrcUsername, Detail=Url)"
                ),
                format!(
                    "    (_Im_Dns({st}, response_has_any_prefix=iocs)\n        | where DnsResponseName has_any (iocs)\n        | project TimeGenerated, SourceTable=\"ASIM Dns\", SrcIp=SrcIpAddr, DstIp=DstIpAddr, Host=Dvc, Account=SrcUsername, Detail=DnsQuery)"
                ),
            ]
        }
        IocKind::Cidr => {
            let mut ors = Vec::new();
            for col in ["SrcIpAddr", "DstIpAddr"] {
                ors.push(pred(kind, lists, col, Op::Eq).unwrap_or_default());
            }
            vec![format!(
                "    (_Im_NetworkSession({st})\n        | where {}\n        | project TimeGenerated, SourceTable=\"ASIM NetworkSession\", SrcIp=SrcIpAddr, DstIp=DstIpAddr, Host=Dvc, Account=SrcUsername, Detail=strcat(EventProduct, \" \", DvcAction, \" \", DstPortNumber))",
                ors.join(" or ")
            )]
        }
        IocKind::Domain => vec![
            format!(
                "    (_Im_Dns({st}, domain_has_any=iocs)\n        | project TimeGenerated, SourceTable=\"ASIM Dns\", Indicator=DnsQuery, SrcIp=SrcIpAddr, Host=Dvc, Account=SrcUsername, Detail=DnsResponseName)"
            ),
            format!(
                "    (_Im_WebSession({st}, url_has_any=iocs)\n        | project TimeGenerated, SourceTable=\"ASIM WebSession\", Indicator=Url, SrcIp=SrcIpAddr, Host=Dvc, Account=SrcUsername, Detail=tostring(DvcAction))"
            ),
        ],
        IocKind::Url => vec![format!(
            "    (_Im_WebSession({st}, url_has_any=iocs)\n        | project TimeGenerated, SourceTable=\"ASIM WebSession\", Indicator=Url, SrcIp=SrcIpAddr, Host=Dvc, Account=SrcUsername, Detail=tostring(DvcAction))"
        )],
        k if k.is_hash() => vec![
            format!(
                "    (_Im_FileEvent({st}, hashes_has_any=iocs)\n        | project TimeGenerated, SourceTable=\"ASIM FileEvent\", Host=Dvc, Account=ActorUsername, FileName=TargetFileName, FolderPath=TargetFilePath, Hash, Detail=EventType)"
            ),
            format!(
                "    (_Im_ProcessCreate({st}, hashes_has_any=iocs)\n        | project TimeGenerated, SourceTable=\"ASIM ProcessCreate\", Host=Dvc, Account=ActorUsername, FileName=TargetProcessName, FolderPath=TargetProcessName, Hash, Detail=TargetProcessCommandLine)"
            ),
        ],
        IocKind::FilePath => vec![format!(
            "    (_Im_FileEvent({st}, targetfilepath_has_any=iocs)\n        | where TargetFilePath in~ (iocs) or SrcFilePath in~ (iocs)  // has_any is a term match: re-check exact paths\n        | project TimeGenerated, SourceTable=\"ASIM FileEvent\", Indicator=TargetFilePath, Host=Dvc, Account=ActorUsername, Detail=EventType)"
        )],
        _ => return None,
    };
    Some(union(&legs, "TimeGenerated"))
}

fn attack_query(values: &[String], lookback: &str, defender: bool) -> Result<String, Error> {
    let (techniques, tactic_ids) = split_attack(values)?;
    let mut tactics = Vec::new();
    for t in &tactic_ids {
        let name = tactic_sentinel_name(t).ok_or_else(|| {
            Error::new(
                ErrorKind::UnsupportedType,
                format!("kql: tactic `{t}` has no Sentinel name"),
            )
            .with_input(t.clone())
        })?;
        tactics.push(name);
    }
    let time = if defender { "Timestamp" } else { "TimeGenerated" };
    let mut lets = vec![format!("let lookback = {lookback};")];
    if !techniques.is_empty() {
        lets.push(format!(
            "let techniques = {};  // has_any: T1059 also matches T1059.001",
            kql_dynamic(&techniques)
        ));
    }
    if !tactics.is_empty() {
        lets.push(format!(
            "let tactics = {};  // Sentinel stores tactic names, not TA ids",
            kql_dynamic(&tactics)
        ));
    }
    let either = |t: Option<String>, a: Option<String>| {
        [t, a].into_iter().flatten().collect::<Vec<_>>().join(" or ")
    };
    let tech = !techniques.is_empty();
    let tac = !tactics.is_empty();
    let mut legs = Vec::new();
    if !defender {
        legs.push(format!(
            "    (SecurityAlert | where TimeGenerated > ago(lookback)\n        | where {}\n        | project TimeGenerated, SourceTable=\"SecurityAlert\", Name=AlertName, Severity=AlertSeverity, Techniques, Tactics, Entity=CompromisedEntity)",
            either(
                tech.then(|| "Techniques has_any (techniques) or SubTechniques has_any (techniques)".to_owned()),
                tac.then(|| "Tactics has_any (tactics)".to_owned())
            )
        ));
        legs.push(format!(
            "    (SecurityIncident | where TimeGenerated > ago(lookback)\n        | where {}\n        | summarize arg_max(TimeGenerated, *) by IncidentNumber\n        | project TimeGenerated, SourceTable=\"SecurityIncident\", Name=Title, Severity, Techniques=tostring(AdditionalData.techniques), Tactics=tostring(AdditionalData.tactics), Entity=tostring(IncidentNumber))",
            either(
                tech.then(|| "tostring(AdditionalData.techniques) has_any (techniques)".to_owned()),
                tac.then(|| "tostring(AdditionalData.tactics) has_any (tactics)".to_owned())
            )
        ));
    }
    legs.push(format!(
        "    (AlertInfo | where {time} > ago(lookback)\n        | where {}\n        | project {time}, SourceTable=\"AlertInfo\", Name=Title, Severity, Techniques=AttackTechniques, Tactics=Category, Entity=AlertId)",
        either(
            tech.then(|| "AttackTechniques has_any (techniques)".to_owned()),
            tac.then(|| "Category in~ (tactics)".to_owned())
        )
    ));
    Ok(format!("{}\n{}", lets.join("\n"), union(&legs, time)))
}

fn ti_query(
    kind: IocKind,
    values: &[String],
    legacy: bool,
    watchlist: Option<WatchSlice<'_>>,
) -> Option<String> {
    let mut vals = if kind == IocKind::Ipv6 { with_expanded_ipv6(values) } else { values.to_vec() };
    vals.dedup();
    let iocs = match watchlist {
        Some(slice) => watchlist_set(kind, slice, "SearchKey"),
        None => kql_dynamic(&vals),
    };
    if legacy {
        let cols: &[&str] = match kind {
            IocKind::Ipv4 | IocKind::Ipv6 => {
                &["NetworkIP", "NetworkSourceIP", "NetworkDestinationIP", "EmailSourceIpAddress"]
            }
            IocKind::Cidr => {
                &["NetworkCidrBlock", "NetworkSourceCidrBlock", "NetworkDestinationCidrBlock"]
            }
            IocKind::Domain => &["DomainName", "EmailSourceDomain"],
            IocKind::Url => &["Url"],
            IocKind::Email => &["EmailSenderAddress", "EmailRecipient"],
            k if k.is_hash() => &["FileHashValue"],
            _ => return None,
        };
        let preds: Vec<String> = cols.iter().map(|c| format!("{c} in~ (iocs)")).collect();
        return Some(format!(
            "let iocs = {iocs};\nThreatIntelligenceIndicator\n| where TimeGenerated > ago(90d)\n| where {}\n| summarize arg_max(TimeGenerated, *) by IndicatorId\n| where Active and ExpirationDateTime > now()\n| project LastSeen=TimeGenerated, IndicatorId, ThreatType, ConfidenceScore, SourceSystem, Description, Tags, ExpirationDateTime",
            preds.join(" or ")
        ));
    }
    if matches!(kind, IocKind::Cve | IocKind::Attack | IocKind::FilePath | IocKind::RegistryKey) {
        return None;
    }
    Some(format!(
        "let iocs = {iocs};\nThreatIntelIndicators\n| where TimeGenerated > ago(90d)\n| where ObservableValue in~ (iocs)\n| summarize arg_max(TimeGenerated, *) by Id\n| where IsActive and not(Revoked) and (isnull(ValidUntil) or ValidUntil > now())\n| extend IndicatorType = tostring(split(ObservableKey, \":\")[0]), Description = tostring(Data.description)\n| project LastSeen=TimeGenerated, ObservableValue, IndicatorType, Confidence, Source, Tags, ValidFrom, ValidUntil, Description, Id"
    ))
}

/// One native / ASIM / Defender query for `part`: (profile, title, query, notes).
fn render_part(
    batch: &Batch,
    opts: &QueryOptions,
    lb: &str,
    part: &[String],
    slice: Option<WatchSlice<'_>>,
    legs: &[Leg],
) -> Result<(QueryProfile, String, String, Vec<String>), Error> {
    let kind = batch.kind;
    let lists = lists_for(kind, part, slice, lb, &batch.ported);
    let mut notes = Vec::new();
    if let Some((wl, _, _)) = slice {
        notes.push(format!(
            "{} values exceed {KQL_MAX_INLINE}: upload `lookup_csv` as the watchlist `{wl}` with SearchKey = ioc first; has_any considers at most {KQL_MAX_INLINE} values, so each query reads one slice of {KQL_MAX_INLINE} distinct keys (sorted) of the watchlist",
            batch.values.len()
        ));
    }
    let (profile, title, body) = match opts.kql_profile {
        KqlProfile::Asim => {
            if let Some(q) = asim_query(kind, &lists) {
                (Asim, "ASIM parsers".to_owned(), q)
            } else {
                notes.push(format!("no ASIM parser covers {kind}: native tables used instead"));
                (
                    Native,
                    "native Sentinel tables".to_owned(),
                    union(&render_legs(kind, legs, &lists, false), "TimeGenerated"),
                )
            }
        }
        KqlProfile::Native => (
            Native,
            "native Sentinel tables".to_owned(),
            union(&render_legs(kind, legs, &lists, false), "TimeGenerated"),
        ),
        KqlProfile::Defender => {
            let rendered = render_legs(kind, legs, &lists, true);
            if rendered.is_empty() {
                return Err(Error::new(
                    ErrorKind::UnsupportedType,
                    format!("kql (defender) has no Defender XDR table for {kind}"),
                ));
            }
            (Defender, "Defender XDR advanced hunting".to_owned(), union(&rendered, "Timestamp"))
        }
    };
    if kind == IocKind::Cve {
        notes.push(
            "DeviceTvmSoftwareVulnerabilities is an inventory: it is not time-filtered".to_owned(),
        );
    }
    if kind == IocKind::RegistryKey {
        notes.push("keys are matched without their hive (HKLM / HKEY_LOCAL_MACHINE / \\REGISTRY\\MACHINE differ by product)".to_owned());
    }
    Ok((profile, title, format!("{}\n{body}", lists.lets.join("\n")), notes))
}

pub(super) fn render(batch: &Batch, opts: &QueryOptions) -> Result<Vec<Query>, Error> {
    let kind = batch.kind;
    let lb = opts.lookback()?.kql();
    let mk =
        |profile: QueryProfile, title: String, query: String, values: usize, notes: Vec<String>| {
            Query {
                target: Target::Kql,
                profile,
                kind,
                title,
                query,
                values,
                size: 0,
                chunk: None,
                chunks: None,
                earliest: None,
                latest: None,
                lookback: Some(lb.clone()),
                notes,
            }
        };
    let defender = opts.kql_profile == KqlProfile::Defender;
    let mut out = Vec::new();
    if kind == IocKind::Attack {
        let title = if defender { "Defender alerts" } else { "Sentinel alerts and incidents" };
        let profile = if defender { Defender } else { Native };
        out.push(mk(
            profile,
            title.to_owned(),
            attack_query(&batch.values, &lb, defender)?,
            batch.values.len(),
            vec![],
        ));
        return Ok(out);
    }
    let legs = native_legs(kind);
    if legs.is_empty() {
        return Err(Error::new(
            ErrorKind::UnsupportedType,
            format!("kql has no template for {kind}"),
        ));
    }
    let n = batch.values.len();
    let watch = n > KQL_MAX_INLINE && !defender;
    // IPv6 lists also carry the expanded form, so their chunks hold half as many values.
    let size = if kind == IocKind::Ipv6 { (opts.batch_size / 2).max(1) } else { opts.batch_size };
    let parts: Vec<&[String]> = if watch {
        batch.values.chunks(KQL_MAX_INLINE).collect()
    } else {
        chunks(&batch.values, size)
    };
    let split_by_size = !watch && parts.len() > batch.values.len().div_ceil(size);
    let limit = opts.kql_max_len;
    let what = if defender {
        "this target (Sentinel's, applied to Defender too)"
    } else {
        "a Sentinel analytics rule or saved query"
    };
    let mut queries = Vec::new();
    let mut split_by_len = false;
    let mut row = 0;
    for part in &parts {
        let slice = watch.then_some((opts.watchlist.as_str(), row + 1, row + part.len()));
        row += part.len();
        // A watchlist slice's text does not grow with its values: nothing to fit.
        let fitted = fit(
            part,
            if watch { 0 } else { limit },
            &mut |vals: &[String]| render_part(batch, opts, &lb, vals, slice, &legs),
            &|r: &(QueryProfile, String, String, Vec<String>)| r.2.chars().count(),
        )?;
        split_by_len |= fitted.len() > 1;
        for Part { values, rendered: (profile, title, query, mut notes), over } in fitted {
            if over {
                notes.push(super::over_limit_note(query.chars().count(), limit, what));
            }
            if split_by_size {
                notes.push(format!(
                    "split by size as well as by count: one query carries at most {} bytes of indicator text",
                    super::MAX_LIST_BYTES
                ));
            }
            queries.push(mk(profile, title, query, values.len(), notes));
        }
    }
    if split_by_len {
        for q in &mut queries {
            q.notes.push(format!(
                "split so each query stays within {limit} characters, the most {what} accepts"
            ));
        }
    }
    number_parts(&mut queries);
    out.extend(queries);
    if opts.include_ti && !defender && !batch.primary_only {
        let ti_parts: Vec<&[String]> = if watch {
            batch.values.chunks(KQL_MAX_INLINE).collect()
        } else {
            chunks(&batch.values, opts.batch_size)
        };
        let mut row = 0;
        let mut tis = Vec::new();
        for part in ti_parts {
            let slice = watch.then_some((opts.watchlist.as_str(), row + 1, row + part.len()));
            row += part.len();
            let fitted = fit(
                part,
                if watch { 0 } else { limit },
                &mut |vals: &[String]| Ok::<_, Error>(ti_query(kind, vals, opts.legacy_ti, slice)),
                &|r: &Option<String>| r.as_ref().map_or(0, |q| q.chars().count()),
            )?;
            for Part { values, rendered, over } in fitted {
                let Some(q) = rendered else { continue };
                let (title, mut notes) = if opts.legacy_ti {
                    (
                        "legacy ThreatIntelligenceIndicator",
                        vec!["the legacy table was retired in 2026".to_owned()],
                    )
                } else {
                    ("ThreatIntelIndicators presence", vec![])
                };
                if over {
                    notes.push(super::over_limit_note(q.chars().count(), limit, what));
                }
                tis.push(mk(Ti, title.to_owned(), q, values.len(), notes));
            }
        }
        number_parts(&mut tis);
        out.extend(tis);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::QueryProfile::Ti;
    use super::super::{KqlProfile, QueryOptions, kql_for};
    use crate::IocKind;

    #[test]
    fn ti_presence_by_hand() {
        // TI presence (docs/queries.md), verbatim apart from the value list.
        let opts = QueryOptions::default();
        let h = super::super::hunt(
            &[super::super::HuntInput::new(IocKind::Domain, "evil.example")],
            &opts,
        )
        .unwrap();
        let ti = h.groups[0].kql.iter().find(|q| q.profile == Ti).unwrap();
        assert_eq!(
            ti.query,
            "let iocs = dynamic([\"evil.example\"]);\nThreatIntelIndicators\n| where TimeGenerated > ago(90d)\n| where ObservableValue in~ (iocs)\n| summarize arg_max(TimeGenerated, *) by Id\n| where IsActive and not(Revoked) and (isnull(ValidUntil) or ValidUntil > now())\n| extend IndicatorType = tostring(split(ObservableKey, \":\")[0]), Description = tostring(Data.description)\n| project LastSeen=TimeGenerated, ObservableValue, IndicatorType, Confidence, Source, Tags, ValidFrom, ValidUntil, Description, Id"
        );
    }

    #[test]
    fn shapes_by_hand() {
        let o = QueryOptions::default();
        let ip = kql_for(IocKind::Ipv4, "203.0.113.10", &o).unwrap();
        assert!(ip.starts_with(
            "let lookback = 7d;\nlet iocs = dynamic([\"203.0.113.10\"]);\nunion isfuzzy=true\n"
        ));
        assert!(ip.contains("(CommonSecurityLog | where TimeGenerated > ago(lookback)\n        | where SourceIP in (iocs) or DestinationIP in (iocs)\n"));
        assert!(ip.ends_with("\n| sort by TimeGenerated desc"));
        // IPv6: case-insensitive and both text forms.
        let v6 = kql_for(IocKind::Ipv6, "2001:db8::1", &o).unwrap();
        assert!(
            v6.contains("dynamic([\"2001:db8::1\", \"2001:0db8:0000:0000:0000:0000:0000:0001\"])")
        );
        assert!(v6.contains("SourceIP in~ (iocs)"));
        // URLs are matched without their scheme.
        let url = kql_for(IocKind::Url, "https://evil.example/a\"b", &o).unwrap();
        assert!(url.contains("let iocs = dynamic([\"evil.example/a\\\"b\"]);"));
        // Tactic ids become Sentinel names; techniques stay ids.
        let att = kql_for(IocKind::Attack, "TA0011", &o).unwrap();
        assert!(att.contains("let tactics = dynamic([\"CommandAndControl\"]);"));
        // Defender: Timestamp, Defender tables only.
        let d = QueryOptions { kql_profile: KqlProfile::Defender, ..QueryOptions::default() };
        let def = kql_for(IocKind::Domain, "evil.example", &d).unwrap();
        assert!(def.contains("(DeviceNetworkEvents | where Timestamp > ago(lookback)"));
        assert!(!def.contains("DnsEvents") && !def.contains("TimeGenerated"));
        // ASIM IP queries re-check exact values after the prefix filter.
        let a = QueryOptions { kql_profile: KqlProfile::Asim, ..QueryOptions::default() };
        let asim = kql_for(IocKind::Ipv4, "203.0.113.10", &a).unwrap();
        assert!(asim.contains("_Im_NetworkSession(starttime=ago(lookback), ipaddr_has_any_prefix=iocs)\n        | where SrcIpAddr in (iocs) or DstIpAddr in (iocs)"));
    }
}
