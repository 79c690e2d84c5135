//! Turns a raw value into the `(type, canonical value)` key the store uses, with the core's `classify`
//! (`classify_as` when the caller forces a type), so `evil[.]com` and `EVIL.com` are one record.
use ioclens_core::IocKind;

/// A value ready for storage: its type and canonical text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalized {
    /// Detected or forced type.
    pub kind: IocKind,
    /// Canonical value (refanged, lower-cased where case-insensitive).
    pub value: String,
    /// The input carried defang markers.
    pub defanged: bool,
    /// The port of an `ip:port` / `[v6]:port` value (the value is the address); 0 when none.
    pub port: u16,
}

/// Longest value accepted anywhere (docs/api.md: `ioc=` is at most 2048 characters).
pub const MAX_VALUE_LEN: usize = 2048;

/// Normalises `raw`, optionally forcing a type. The error says why the value is not usable.
pub fn normalize(raw: &str, forced: Option<IocKind>) -> Result<Normalized, String> {
    if raw.len() > MAX_VALUE_LEN {
        return Err(format!("value is longer than {MAX_VALUE_LEN} bytes"));
    }
    let c = match forced {
        Some(kind) => ioclens_core::classify_as(raw, kind).map_err(|e| e.to_string())?,
        None => ioclens_core::classify(raw),
    };
    if c.kind == IocKind::Unknown {
        return Err(c.reason.unwrap_or_else(|| "not a recognised indicator".to_owned()));
    }
    let port = c.facts.ip.as_ref().and_then(|i| i.port).unwrap_or(0);
    Ok(Normalized { kind: c.kind, value: c.canonical, defanged: c.defanged, port })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(raw: &str, kind: IocKind, value: &str) {
        let n = normalize(raw, None).unwrap_or_else(|e| panic!("{raw}: {e}"));
        assert_eq!((n.kind, n.value.as_str()), (kind, value), "{raw}");
    }

    #[test]
    fn defanged_and_cased_values_meet() {
        check("evil[.]com", IocKind::Domain, "evil.com");
        check("EVIL.com", IocKind::Domain, "evil.com");
        check("hxxps://Evil[.]COM:443/Gate.php", IocKind::Url, "https://evil.com/Gate.php");
        check("1.2.3[.]4", IocKind::Ipv4, "1.2.3.4");
        check("2001:DB8:0:0::1", IocKind::Ipv6, "2001:db8::1");
        check("D41D8CD98F00B204E9800998ECF8427E", IocKind::Md5, "d41d8cd98f00b204e9800998ecf8427e");
        check("cve-2021-44228", IocKind::Cve, "CVE-2021-44228");
        check("Bad[@]Evil[.]com", IocKind::Email, "bad@evil.com");
    }

    #[test]
    fn an_ip_with_a_port_keeps_the_port_beside_the_address() {
        let n = normalize("91.215.85[.]22:443", None).unwrap();
        assert_eq!((n.kind, n.value.as_str(), n.port), (IocKind::Ipv4, "91.215.85.22", 443));
        let n = normalize("[2001:DB8::1]:8080", None).unwrap();
        assert_eq!((n.kind, n.value.as_str(), n.port), (IocKind::Ipv6, "2001:db8::1", 8080));
        assert_eq!(normalize("91.215.85.22", None).unwrap().port, 0);
    }

    #[test]
    fn rejects_non_indicators_and_mismatches() {
        assert!(normalize("hello world", None).is_err());
        assert!(normalize("", None).is_err());
        assert!(normalize("1.2.3.4", Some(IocKind::Domain)).is_err());
        assert!(normalize(&"a".repeat(3000), None).is_err());
    }
}
