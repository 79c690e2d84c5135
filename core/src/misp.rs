//! MISP export policy: the MISP attribute type, category and `to_ids` flag each indicator type maps to (MISP's
//! own defaults, `describeTypes.json` of MISP core), for hosts that write MISP events.
use crate::IocKind;

/// How one indicator type is written as a MISP attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MispType {
    /// MISP attribute `type` (`ip-dst`, `domain`, `sha256` …).
    pub attr_type: &'static str,
    /// MISP attribute `category` (the type's default category).
    pub category: &'static str,
    /// MISP's default `to_ids` for the type: whether detection systems should alert on it.
    pub to_ids: bool,
}

const fn t(attr_type: &'static str, category: &'static str, to_ids: bool) -> MispType {
    MispType { attr_type, category, to_ids }
}

/// The MISP attribute type of `kind`; `None` for `unknown`. ATT&CK ids have no attribute type in MISP (they are
/// galaxy clusters there): they go out as `text` with `to_ids: false`, so nothing is dropped silently.
pub fn attribute_type(kind: IocKind) -> Option<MispType> {
    Some(match kind {
        // `ip-dst` takes a CIDR range as well as an address.
        IocKind::Ipv4 | IocKind::Ipv6 | IocKind::Cidr => t("ip-dst", "Network activity", true),
        IocKind::Domain => t("domain", "Network activity", true),
        IocKind::Url => t("url", "Network activity", true),
        IocKind::Email => t("email-src", "Payload delivery", true),
        IocKind::Md5 => t("md5", "Payload delivery", true),
        IocKind::Sha1 => t("sha1", "Payload delivery", true),
        IocKind::Sha256 => t("sha256", "Payload delivery", true),
        IocKind::Sha512 => t("sha512", "Payload delivery", true),
        IocKind::Cve => t("vulnerability", "External analysis", false),
        IocKind::Attack => t("text", "External analysis", false),
        IocKind::Asn => t("AS", "Network activity", false),
        IocKind::Btc => t("btc", "Financial fraud", true),
        IocKind::FilePath => t("filename", "Payload delivery", true),
        IocKind::RegistryKey => t("regkey", "Persistence mechanism", true),
        IocKind::Unknown => return None,
    })
}

/// `to_ids` of one exported record: the type's default, and never for a record whose evidence has ended
/// (revoked, expired, not for detection, deleted): those stay in the export as history only.
pub fn to_ids(kind: IocKind, active: bool) -> bool {
    active && attribute_type(kind).is_some_and(|m| m.to_ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_indicator_type_has_a_misp_type() {
        for k in IocKind::ALL {
            assert_eq!(attribute_type(k).is_none(), k == IocKind::Unknown, "{k}");
        }
        assert_eq!(attribute_type(IocKind::Ipv6).map(|m| m.attr_type), Some("ip-dst"));
        assert!(to_ids(IocKind::Sha256, true) && !to_ids(IocKind::Sha256, false));
        assert!(!to_ids(IocKind::Cve, true) && !to_ids(IocKind::Asn, true));
    }
}
