//! Traffic Light Protocol 2.0 markings for STIX 2.1 exports: the five STIX marking-definition objects of the
//! OASIS TLP 2.0 extension (`extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d`), whose ids every
//! consumer knows, and which marking a record's tags ask for.

/// One TLP 2.0 level as a STIX 2.1 marking definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Tlp {
    /// Strictness: 0 CLEAR, 1 GREEN, 2 AMBER, 3 AMBER+STRICT, 4 RED.
    pub rank: u8,
    /// `TLP:CLEAR` …
    pub name: &'static str,
    /// The extension's `tlp_2_0` value (`clear`, `green`, `amber`, `amber+strict`, `red`).
    pub level: &'static str,
    /// The marking definition's STIX id.
    pub id: &'static str,
}

/// The TLP 2.0 extension definition the marking definitions use.
pub const TLP_EXTENSION: &str = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d";
/// `created` of the TLP 2.0 marking definitions.
pub const TLP_CREATED: &str = "2022-10-01T00:00:00.000Z";

/// The five levels, least strict first.
pub const TLP_LEVELS: [Tlp; 5] = [
    Tlp {
        rank: 0,
        name: "TLP:CLEAR",
        level: "clear",
        id: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    },
    Tlp {
        rank: 1,
        name: "TLP:GREEN",
        level: "green",
        id: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    },
    Tlp {
        rank: 2,
        name: "TLP:AMBER",
        level: "amber",
        id: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    },
    Tlp {
        rank: 3,
        name: "TLP:AMBER+STRICT",
        level: "amber+strict",
        id: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    },
    Tlp {
        rank: 4,
        name: "TLP:RED",
        level: "red",
        id: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
    },
];

/// `TLP:CLEAR`, what a record without a TLP tag is marked.
pub const TLP_CLEAR: Tlp = TLP_LEVELS[0];

/// The marking a record's tags ask for: the strictest `tlp:…` tag (TLP 1.0 `tlp:white` reads as CLEAR, MISP's
/// `tlp:ex:…` and unknown levels are ignored), `TLP:CLEAR` when there is none.
pub fn tlp_of_tags<S: AsRef<str>>(tags: &[S]) -> Tlp {
    tags.iter()
        .filter_map(|t| {
            let t = t.as_ref().trim().to_ascii_lowercase();
            let level = t.strip_prefix("tlp:")?;
            let level = if level == "white" { "clear" } else { level.trim_matches('"') };
            TLP_LEVELS.iter().find(|l| l.level == level).copied()
        })
        .max()
        .unwrap_or(TLP_CLEAR)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strictest_tag_wins() {
        assert_eq!(tlp_of_tags::<&str>(&[]).name, "TLP:CLEAR");
        assert_eq!(tlp_of_tags(&["tlp:white"]).name, "TLP:CLEAR");
        assert_eq!(tlp_of_tags(&["TLP:GREEN", "tlp:amber+strict", "x"]).name, "TLP:AMBER+STRICT");
        assert_eq!(tlp_of_tags(&["tlp:ex:chr", "tlp:purple"]).name, "TLP:CLEAR");
        assert_eq!(
            tlp_of_tags(&["tlp:red"]).id,
            "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
        );
    }
}
