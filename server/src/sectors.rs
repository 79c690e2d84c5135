//! The 16 US critical-infrastructure sectors (PPD-21, CISA), addressed by slug. The one list the server uses;
//! a test keeps it equal to `data/sectors/cisa_sectors.json`. Sectors are stored as a bit set (bit = index).

/// `(slug, CISA name)`, in the order of `data/sectors/cisa_sectors.json`.
pub const SECTORS: [(&str, &str); 16] = [
    ("chemical", "Chemical Sector"),
    ("commercial-facilities", "Commercial Facilities Sector"),
    ("communications", "Communications Sector"),
    ("critical-manufacturing", "Critical Manufacturing Sector"),
    ("dams", "Dams Sector"),
    ("defense-industrial-base", "Defense Industrial Base Sector"),
    ("emergency-services", "Emergency Services Sector"),
    ("energy", "Energy Sector"),
    ("financial-services", "Financial Services Sector"),
    ("food-agriculture", "Food and Agriculture Sector"),
    ("government-facilities", "Government Services and Facilities Sector"),
    ("healthcare-public-health", "Healthcare and Public Health Sector"),
    ("information-technology", "Information Technology Sector"),
    ("nuclear", "Nuclear Reactors, Materials, and Waste Sector"),
    ("transportation-systems", "Transportation Systems Sector"),
    ("water-wastewater", "Water and Wastewater Sector"),
];

/// Short names users type (docs/api.md uses `healthcare`), and unambiguous STIX `industry-sector-ov` values.
const ALIASES: [(&str, &str); 22] = [
    ("healthcare", "healthcare-public-health"),
    ("health", "healthcare-public-health"),
    ("pharmaceuticals", "healthcare-public-health"),
    ("financial", "financial-services"),
    ("finance", "financial-services"),
    ("insurance", "financial-services"),
    ("water", "water-wastewater"),
    ("food", "food-agriculture"),
    ("agriculture", "food-agriculture"),
    ("government", "government-facilities"),
    ("education", "government-facilities"),
    ("defense", "defense-industrial-base"),
    ("it", "information-technology"),
    ("technology", "information-technology"),
    ("telecommunications", "communications"),
    ("manufacturing", "critical-manufacturing"),
    ("transportation", "transportation-systems"),
    ("emergency", "emergency-services"),
    ("retail", "commercial-facilities"),
    ("commercial", "commercial-facilities"),
    ("infrastructure-dams", "dams"),
    ("infrastructure-nuclear", "nuclear"),
];

/// The bit index of a sector slug or alias (case-insensitive).
pub fn index(slug: &str) -> Option<usize> {
    let s = slug.trim().to_ascii_lowercase().replace('_', "-");
    let canonical = ALIASES.iter().find(|(a, _)| *a == s).map_or(s.as_str(), |(_, c)| c);
    SECTORS.iter().position(|(id, _)| *id == canonical)
}

/// The bit set of sector slugs; the first unknown slug is the error.
pub fn mask<'a>(slugs: impl IntoIterator<Item = &'a str>) -> Result<i64, String> {
    let mut m = 0i64;
    for s in slugs {
        let i =
            index(s).ok_or_else(|| format!("unknown sector `{s}` (one of: {})", slugs_list()))?;
        m |= 1 << i;
    }
    Ok(m)
}

/// Slugs of a bit set, in table order.
pub fn slugs(mask: i64) -> Vec<&'static str> {
    SECTORS
        .iter()
        .enumerate()
        .filter(|(i, _)| mask & (1 << i) != 0)
        .map(|(_, (id, _))| *id)
        .collect()
}

/// All slugs, comma-separated, for error messages.
pub fn slugs_list() -> String {
    SECTORS.iter().map(|(id, _)| *id).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_matches_the_data_file() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/sectors/cisa_sectors.json");
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let sectors = json["sectors"].as_array().unwrap();
        assert_eq!(sectors.len(), SECTORS.len());
        for (s, (id, name)) in sectors.iter().zip(SECTORS) {
            assert_eq!(s["id"], id);
            assert_eq!(s["name_cisa"], name);
        }
    }

    #[test]
    fn slugs_and_aliases() {
        assert_eq!(index("energy"), Some(7));
        assert_eq!(index("Healthcare"), Some(11));
        assert_eq!(index("financial_services"), Some(8));
        assert_eq!(index("banking"), None);
        assert_eq!(mask(["energy", "dams"]), Ok(0b1001_0000));
        assert_eq!(slugs(0b1001_0000), vec!["dams", "energy"]);
        assert!(mask(["nope"]).unwrap_err().contains("unknown sector `nope`"));
    }
}
