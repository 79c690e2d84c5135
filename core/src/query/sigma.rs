//! Sigma rules, one or two per batch (per log source), with a deterministic UUID (v5 of the rule content) so
//! a re-export of the same indicators does not churn rule ids and different rules never share one.
use super::escape::{sigma_pattern, sigma_str};
use super::guard::url_host;
use super::spl::{registry_tail, strip_scheme};
use super::{Batch, Query, QueryOptions, Target, chunks};
use sha1::{Digest, Sha1};
use std::fmt::Write as _;

use crate::{Error, ErrorKind, IocKind};

/// An RFC 9562 version-5 UUID of `name` in `namespace`.
pub(crate) fn uuid_v5(namespace: [u8; 16], name: &[u8]) -> String {
    let mut input = namespace.to_vec();
    input.extend_from_slice(name);
    let d = Sha1::digest(&input);
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex = b.iter().fold(String::with_capacity(32), |mut s, x| {
        let _ = write!(s, "{x:02x}");
        s
    });
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

/// The RFC 9562 URL namespace.
const NAMESPACE_URL: [u8; 16] = [
    0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8,
];

/// One Sigma rule template: what it looks at, where, and its ATT&CK tags.
struct Spec {
    /// Words after the count in the title (`network connections`).
    what: &'static str,
    category: &'static str,
    product: &'static str,
    tags: &'static [&'static str],
    /// Selections: (field with modifiers, values), OR-ed.
    selections: Vec<(&'static str, Vec<String>)>,
}

/// The rules for a batch. Field names follow the `SigmaHQ` taxonomy (Sysmon names), which pySigma's Splunk
/// backend and its Microsoft pipelines (`microsoft_xdr`, `sentinel_asim`, `azure_monitor`) map; hashes use
/// the Sysmon `Hashes` convention `ALGO=value` (`SHA256=…`), the only form those pipelines split into hash
/// columns.
fn specs(kind: IocKind, values: &[String]) -> Vec<Spec> {
    let list = |f: &dyn Fn(&str) -> String| values.iter().map(|v| f(v)).collect::<Vec<_>>();
    let c2: &[&str] = &["attack.command-and-control", "attack.t1071"];
    let windows_path = |v: &str| v.contains('\\') || v.as_bytes().get(1) == Some(&b':');
    match kind {
        // Outbound and inbound are two rules: pySigma's sentinel_asim pipeline maps `DestinationIp` but not
        // the Sysmon spelling `SourceIp`, so the outbound rule converts everywhere.
        IocKind::Ipv4 | IocKind::Ipv6 | IocKind::Cidr => {
            let (dst, src) = if kind == IocKind::Cidr {
                ("DestinationIp|cidr", "SourceIp|cidr")
            } else {
                ("DestinationIp", "SourceIp")
            };
            vec![
                Spec {
                    what: "outbound network connections",
                    category: "network_connection",
                    product: "windows",
                    tags: &["attack.command-and-control"],
                    selections: vec![(dst, list(&|v| sigma_str(v)))],
                },
                Spec {
                    what: "inbound network connections",
                    category: "network_connection",
                    product: "windows",
                    tags: &["attack.initial-access"],
                    selections: vec![(src, list(&|v| sigma_str(v)))],
                },
            ]
        }
        IocKind::Domain => vec![
            Spec {
                what: "DNS queries",
                category: "dns_query",
                product: "windows",
                tags: c2,
                selections: vec![
                    ("QueryName", list(&|v| sigma_str(v))),
                    ("QueryName|endswith", list(&|v| sigma_pattern(v, ".", ""))),
                ],
            },
            Spec {
                what: "network connections",
                category: "network_connection",
                product: "windows",
                tags: c2,
                selections: vec![
                    ("DestinationHostname", list(&|v| sigma_str(v))),
                    ("DestinationHostname|endswith", list(&|v| sigma_pattern(v, ".", ""))),
                ],
            },
        ],
        IocKind::Url => {
            // The proxy rule matches the URL; the network-connection rule the URL's host (what endpoint logs
            // see of an HTTPS request), so every Microsoft pipeline has a rule to convert.
            let mut hosts: Vec<String> = Vec::new();
            for v in values {
                let h = url_host(v).to_lowercase();
                if !h.is_empty() && !hosts.contains(&h) {
                    hosts.push(h);
                }
            }
            vec![
                Spec {
                    what: "proxy requests",
                    category: "proxy",
                    product: "",
                    tags: c2,
                    selections: vec![("c-uri|contains", list(&|v| sigma_str(strip_scheme(v))))],
                },
                Spec {
                    what: "network connections to the URL hosts",
                    category: "network_connection",
                    product: "windows",
                    tags: c2,
                    selections: vec![(
                        "DestinationHostname",
                        hosts.iter().map(|h| sigma_str(h)).collect(),
                    )],
                },
            ]
        }
        IocKind::Md5 | IocKind::Sha1 | IocKind::Sha256 => {
            let algo = match kind {
                IocKind::Md5 => "MD5=",
                IocKind::Sha1 => "SHA1=",
                _ => "SHA256=",
            };
            vec![Spec {
                what: "process executions",
                category: "process_creation",
                product: "windows",
                tags: &["attack.execution"],
                selections: vec![(
                    "Hashes|contains",
                    list(&|v| sigma_str(&format!("{algo}{}", v.to_ascii_uppercase()))),
                )],
            }]
        }
        IocKind::FilePath => {
            let (win, other): (Vec<&String>, Vec<&String>) =
                values.iter().partition(|v| windows_path(v));
            let mut out = Vec::new();
            for (product, vals) in [("windows", win), ("linux", other)] {
                if !vals.is_empty() {
                    out.push(Spec {
                        what: "file events",
                        category: "file_event",
                        product,
                        tags: &["attack.execution"],
                        selections: vec![(
                            "TargetFilename",
                            vals.iter().map(|v| sigma_str(v)).collect(),
                        )],
                    });
                }
            }
            out
        }
        IocKind::RegistryKey => vec![Spec {
            what: "registry events",
            category: "registry_event",
            product: "windows",
            tags: &["attack.persistence", "attack.defense-evasion", "attack.t1112"],
            selections: vec![("TargetObject|contains", list(&|v| sigma_str(registry_tail(v))))],
        }],
        _ => Vec::new(),
    }
}

/// The rule id: `UUIDv5` (URL namespace) of the rule text without its `id` and `date` lines, so the same
/// rule content always has the same id (whatever day it is exported) and different content never shares one.
pub fn sigma_uuid(rule_without_id: &str) -> String {
    let name: String = rule_without_id
        .lines()
        .filter(|l| !l.starts_with("id: ") && !l.starts_with("date: "))
        .fold(String::from("ioclens:sigma\n"), |mut s, l| {
            s.push_str(l);
            s.push('\n');
            s
        });
    uuid_v5(NAMESPACE_URL, name.as_bytes())
}

fn rule(
    kind: IocKind,
    spec: &Spec,
    n: usize,
    chunk: Option<(usize, usize)>,
    date: Option<&str>,
    pairs: &[(String, u16)],
) -> String {
    let part = chunk.map(|(i, n)| format!(" (part {i} of {n})")).unwrap_or_default();
    let mut body = format!(
        "title: ioclens hunt - {n} {} indicator{} in {}{part}\nstatus: experimental\ndescription: Matches {} indicators of compromise exported by ioclens. Indicators age quickly; review before deploying as an alert.\nauthor: ioclens\n",
        kind.as_str(),
        if n == 1 { "" } else { "s" },
        spec.what,
        kind.as_str(),
    );
    if let Some(d) = date {
        let _ = writeln!(body, "date: {d}");
    }
    body.push_str("tags:\n");
    for t in spec.tags {
        let _ = writeln!(body, "  - {t}");
    }
    let _ = writeln!(body, "logsource:\n  category: {}", spec.category);
    if !spec.product.is_empty() {
        let _ = writeln!(body, "  product: {}", spec.product);
    }
    body.push_str("detection:\n");
    let mut k = 0;
    for (field, vals) in spec.selections.iter().filter(|s| !s.1.is_empty()) {
        k += 1;
        let _ = write!(body, "  selection_{k}:\n    {field}:\n");
        for v in vals {
            let _ = writeln!(body, "      - {v}");
        }
    }
    // `ip:port` indicators: the destination address AND port (mapped to RemotePort / DstPortNumber / dest_port).
    for (a, port) in pairs {
        k += 1;
        let _ = write!(
            body,
            "  selection_{k}:\n    DestinationIp: {}\n    DestinationPort: {port}\n",
            sigma_str(a)
        );
    }
    body.push_str("  condition: 1 of selection_*\nfalsepositives:\n  - Shared or re-assigned infrastructure (hosting, CDNs, dynamic IPs)\nlevel: high\n");
    let id = sigma_uuid(&body);
    // The title ends with the id's first block: rule sets exported on their own stay distinguishable (SigmaHQ's
    // duplicate-title check), and the id still hashes the title without it.
    let (title, rest) = body.split_once('\n').unwrap_or((&body, ""));
    format!("{title} ({})\nid: {id}\n{rest}", &id[..8])
}

pub(super) fn render(batch: &Batch, opts: &QueryOptions) -> Result<Vec<Query>, Error> {
    let kind = batch.kind;
    if kind == IocKind::Sha512 {
        return Err(Error::new(
            ErrorKind::UnsupportedType,
            "sigma has no template for sha512: Sysmon's Hashes field and the pySigma Microsoft pipelines carry MD5, SHA1 and SHA256 only",
        ));
    }
    let parts = chunks(&batch.values, opts.batch_size);
    let total = parts.len();
    let mut out = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        let chunk = (total > 1).then_some((i + 1, total));
        let mut rules = specs(kind, part);
        // `ip:port` indicators of this part: the outbound rule matches them with their port, the inbound one
        // (and every other target without a port) by address.
        let pairs: Vec<(String, u16)> =
            batch.ported.iter().filter(|(a, _)| part.contains(a)).cloned().collect();
        if let Some(out_rule) = rules.first_mut().filter(|_| !pairs.is_empty()) {
            let plain: Vec<String> = part
                .iter()
                .filter(|v| !pairs.iter().any(|(a, _)| a == *v))
                .map(|v| sigma_str(v))
                .collect();
            out_rule.selections[0].1 = plain;
        }
        if rules.is_empty() {
            return Err(Error::new(
                ErrorKind::UnsupportedType,
                format!("sigma has no log source for {kind}"),
            ));
        }
        for (r, spec) in rules.iter().enumerate() {
            let spec_pairs: &[(String, u16)] = if r == 0 { &pairs } else { &[] };
            let text = rule(kind, spec, part.len(), chunk, opts.sigma_date.as_deref(), spec_pairs);
            let id = text.lines().nth(1).and_then(|l| l.strip_prefix("id: ")).unwrap_or("");
            let mut notes = Vec::new();
            if opts.sigma_date.is_none() {
                notes.push("no sigma_date given: the rule has no `date`".to_owned());
            }
            if matches!(spec.category, "dns_query" | "proxy") {
                notes.push(format!(
                    "pySigma's microsoft_xdr and azure_monitor pipelines map no table to `{}`{}",
                    spec.category,
                    if spec.category == "proxy" {
                        " (sentinel_asim maps it to imWebSession)"
                    } else {
                        ""
                    }
                ));
            }
            out.push(Query::portable(
                Target::Sigma,
                kind,
                format!("Sigma rule {id} ({})", spec.category),
                text.clone(),
                if matches!(kind, IocKind::Ipv4 | IocKind::Ipv6) {
                    part.len()
                } else {
                    spec.selections.first().map_or(0, |s| s.1.len())
                },
                chunk,
                notes,
            ));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_v5_vector() {
        // uuid.uuid5(uuid.NAMESPACE_DNS, "python.org") from the Python documentation.
        let dns = [
            0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4,
            0x30, 0xc8,
        ];
        assert_eq!(uuid_v5(dns, b"python.org"), "886313e1-3b8a-5372-9b90-0c9aee199e5d");
    }

    #[test]
    fn ids_follow_content_not_the_date() {
        let spec = &specs(IocKind::Domain, &["a.example".into()])[0];
        let a = rule(IocKind::Domain, spec, 1, None, Some("2026-12-07"), &[]);
        let b = rule(IocKind::Domain, spec, 1, None, Some("2027-01-01"), &[]);
        let part = rule(IocKind::Domain, spec, 1, Some((7, 7)), Some("2026-12-07"), &[]);
        let id = |r: &str| r.lines().nth(1).unwrap().to_owned();
        assert_eq!(id(&a), id(&b));
        assert_ne!(id(&a), id(&part), "a chunk is other content: another id");
        assert!(a.contains("\ndate: 2026-12-07\ntags:\n  - attack.command-and-control\n"));
        assert!(a.contains("logsource:\n  category: dns_query\n  product: windows\n"));
    }

    #[test]
    fn hashes_use_the_sysmon_convention() {
        let spec = &specs(IocKind::Sha256, &["ab".repeat(32)])[0];
        assert_eq!(
            spec.selections[0],
            ("Hashes|contains", vec![format!("'SHA256={}'", "AB".repeat(32))])
        );
    }
}
