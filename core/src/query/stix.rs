//! STIX 2.1 indicator patterns (STIX 2.1 §9), one per batch.
use super::escape::stix_str;
use super::spl::registry_tail;
use super::{Batch, Query, QueryOptions, Target, chunks};
use crate::{Error, ErrorKind, IocKind};

/// One comparison expression for a value, or `None` when STIX has no observable for the type.
fn comparison(kind: IocKind, v: &str) -> Option<String> {
    let s = stix_str(v);
    Some(match kind {
        IocKind::Ipv4 => format!("ipv4-addr:value = {s}"),
        IocKind::Ipv6 => format!("ipv6-addr:value = {s}"),
        IocKind::Cidr if v.contains(':') => format!("ipv6-addr:value ISSUBSET {s}"),
        IocKind::Cidr => format!("ipv4-addr:value ISSUBSET {s}"),
        IocKind::Domain => format!("domain-name:value = {s}"),
        IocKind::Url => format!("url:value = {s}"),
        IocKind::Email => format!("email-addr:value = {s}"),
        IocKind::Md5 => format!("file:hashes.MD5 = {s}"),
        IocKind::Sha1 => format!("file:hashes.'SHA-1' = {s}"),
        IocKind::Sha256 => format!("file:hashes.'SHA-256' = {s}"),
        IocKind::Sha512 => format!("file:hashes.'SHA-512' = {s}"),
        IocKind::RegistryKey => {
            // A key without a hive matches any hive (`LIKE '%tail'`; `%` and `_` in the key are
            // wildcards there, since STIX defines no LIKE escape).
            match expand_hive(v) {
                Some(full) => format!("windows-registry-key:key = {}", stix_str(&full)),
                None => format!(
                    "windows-registry-key:key LIKE {}",
                    stix_str(&format!("%{}", registry_tail(v)))
                ),
            }
        }
        IocKind::FilePath if v.ends_with(['\\', '/']) => {
            // A directory is a `directory` object (STIX 2.1 §6.3), not a file name.
            let trimmed = v.trim_end_matches(['\\', '/']);
            let path = if trimmed.is_empty() || trimmed.ends_with(':') { v } else { trimmed };
            format!("directory:path = {}", stix_str(path))
        }
        IocKind::FilePath => {
            let sep = if v.contains('\\') { '\\' } else { '/' };
            match v.rfind(sep) {
                Some(i) if i + 1 < v.len() => {
                    let dir = if i == 0 { &v[..1] } else { &v[..i] };
                    format!(
                        "file:name = {} AND file:parent_directory_ref.path = {}",
                        stix_str(&v[i + 1..]),
                        stix_str(dir)
                    )
                }
                _ => format!("file:name = {s}"),
            }
        }
        IocKind::Asn => {
            let n: u32 = v.trim_start_matches("AS").parse().ok()?;
            format!("autonomous-system:number = {n}")
        }
        _ => return None,
    })
}

/// The key with its hive written out in full, as STIX 2.1 §6.13 requires (`HKLM\\x` →
/// `HKEY_LOCAL_MACHINE\\x`, `\\REGISTRY\\MACHINE\\x` too); `None` when the key names no hive.
fn expand_hive(v: &str) -> Option<String> {
    let t = v.trim_start_matches('\\');
    let (first, rest) = t.split_once('\\')?;
    let first = first.to_ascii_uppercase();
    let (hive, rest) = if first == "REGISTRY" {
        let (second, rest) = rest.split_once('\\')?;
        let hive = match second.to_ascii_uppercase().as_str() {
            "MACHINE" => "HKEY_LOCAL_MACHINE",
            "USER" => "HKEY_USERS",
            _ => return None,
        };
        (hive, rest)
    } else {
        let hive = match first.as_str() {
            "HKLM" | "HKEY_LOCAL_MACHINE" => "HKEY_LOCAL_MACHINE",
            "HKCU" | "HKEY_CURRENT_USER" => "HKEY_CURRENT_USER",
            "HKCR" | "HKEY_CLASSES_ROOT" => "HKEY_CLASSES_ROOT",
            "HKU" | "HKEY_USERS" => "HKEY_USERS",
            "HKCC" | "HKEY_CURRENT_CONFIG" => "HKEY_CURRENT_CONFIG",
            "HKPD" | "HKEY_PERFORMANCE_DATA" => "HKEY_PERFORMANCE_DATA",
            _ => return None,
        };
        (hive, rest)
    };
    Some(format!("{hive}\\{rest}"))
}

pub(super) fn render(batch: &Batch, opts: &QueryOptions) -> Result<Vec<Query>, Error> {
    let kind = batch.kind;
    let parts = chunks(&batch.values, opts.batch_size);
    let total = parts.len();
    let mut out = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        // `ip:port` indicators: a network-traffic observation of the destination address AND port.
        let pairs: Vec<&(String, u16)> =
            batch.ported.iter().filter(|(a, _)| part.contains(a)).collect();
        let mut exprs = Vec::new();
        for v in part.iter().filter(|v| !pairs.iter().any(|(a, _)| a == *v)) {
            let c = comparison(kind, v).ok_or_else(|| {
                Error::new(
                    ErrorKind::UnsupportedType,
                    format!("stix has no observable pattern for {kind} `{v}`"),
                )
                .with_input(v.clone())
            })?;
            exprs.push(if kind == IocKind::FilePath && c.contains(" AND ") {
                format!("[{c}]")
            } else {
                c
            });
        }
        let pattern = if kind == IocKind::FilePath {
            // File paths need two properties of the same object: one observation per path.
            exprs
                .iter()
                .map(|e| if e.starts_with('[') { e.clone() } else { format!("[{e}]") })
                .collect::<Vec<_>>()
                .join(" OR ")
        } else {
            let mut obs: Vec<String> = Vec::new();
            if !exprs.is_empty() {
                obs.push(format!("[{}]", exprs.join(" OR ")));
            }
            for (a, port) in &pairs {
                obs.push(format!(
                    "[network-traffic:dst_ref.value = {} AND network-traffic:dst_port = {port}]",
                    stix_str(a)
                ));
            }
            obs.join(" OR ")
        };
        let chunk = (total > 1).then_some((i + 1, total));
        out.push(Query::portable(
            Target::Stix,
            kind,
            "STIX 2.1 indicator pattern".to_owned(),
            pattern,
            part.len(),
            chunk,
            Vec::new(),
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_by_hand() {
        // Written from STIX 2.1 §9.3 (comparison expressions) and §9.5 (object path syntax).
        assert_eq!(
            comparison(IocKind::Ipv4, "203.0.113.10").unwrap(),
            "ipv4-addr:value = '203.0.113.10'"
        );
        assert_eq!(
            comparison(IocKind::Cidr, "10.0.0.0/8").unwrap(),
            "ipv4-addr:value ISSUBSET '10.0.0.0/8'"
        );
        assert_eq!(comparison(IocKind::Sha256, "ab").unwrap(), "file:hashes.'SHA-256' = 'ab'");
        assert_eq!(
            comparison(IocKind::FilePath, r"C:\Users\o'b\evil.exe").unwrap(),
            r"file:name = 'evil.exe' AND file:parent_directory_ref.path = 'C:\\Users\\o\'b'"
        );
        assert_eq!(
            comparison(IocKind::Asn, "AS13335").unwrap(),
            "autonomous-system:number = 13335"
        );
        assert!(comparison(IocKind::Cve, "CVE-2021-44228").is_none());
        // STIX 2.1 §6.13: hives MUST be written out in full; directories are `directory` objects.
        assert_eq!(
            comparison(IocKind::RegistryKey, r"HKLM\Software\x").unwrap(),
            r"windows-registry-key:key = 'HKEY_LOCAL_MACHINE\\Software\\x'"
        );
        assert_eq!(
            comparison(IocKind::RegistryKey, r"\REGISTRY\USER\S-1\x").unwrap(),
            r"windows-registry-key:key = 'HKEY_USERS\\S-1\\x'"
        );
        assert_eq!(
            comparison(IocKind::RegistryKey, r"Software\x").unwrap(),
            r"windows-registry-key:key LIKE '%Software\\x'"
        );
        assert_eq!(
            comparison(IocKind::FilePath, r"C:\Users\Public\").unwrap(),
            r"directory:path = 'C:\\Users\\Public'"
        );
    }
}
