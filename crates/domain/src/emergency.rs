//! Emergency numbers by country, for the level A screen.
//!
//! The wording defaults to "911 (US/Canada) or 112 (most other countries)" when the country is unknown, because a
//! runner in an emergency must never be shown a number that does not work where they are without a fallback.

/// (ISO 3166 alpha-2 code, emergency number). 112 also works on mobiles across the EU.
const NUMBERS: &[(&str, &str)] = &[
    ("US", "911"),
    ("CA", "911"),
    ("MX", "911"),
    ("GB", "999 or 112"),
    ("IE", "112 or 999"),
    ("AU", "000"),
    ("NZ", "111"),
    ("IN", "112"),
    ("JP", "119"),
    ("CN", "120"),
    ("KR", "119"),
    ("ZA", "10177 or 112 from a mobile"),
    ("BR", "192"),
    ("AR", "107"),
    ("CH", "144 or 112"),
    ("NO", "113 or 112"),
    ("IL", "101"),
    ("SG", "995"),
    ("HK", "999"),
    ("PH", "911"),
];

/// EU/EEA countries where 112 is the emergency number.
const EU_112: &[&str] = &[
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IS", "IT", "LV", "LI", "LT", "LU",
    "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
];

pub const DEFAULT_WORDING: &str = "911 (US/Canada) or 112 (most other countries)";

/// Emergency number wording for a country code (case-insensitive); the default wording when unknown.
pub fn emergency_number(country: Option<&str>) -> String {
    let Some(code) = country.map(|c| c.trim().to_ascii_uppercase()) else {
        return DEFAULT_WORDING.to_string();
    };
    if let Some((_, n)) = NUMBERS.iter().find(|(c, _)| *c == code) {
        return (*n).to_string();
    }
    if EU_112.contains(&code.as_str()) {
        return "112".to_string();
    }
    DEFAULT_WORDING.to_string()
}

/// The numbers to offer as tap-to-call links, each with its wording: "999 or 112" gives ("999", "999") and
/// ("112", "112"); the default gives 911 for the US/Canada and 112 for most other countries.
pub fn dial_options(country: Option<&str>) -> Vec<(String, String)> {
    emergency_number(country)
        .split(" or ")
        .filter_map(|part| {
            let digits: String = part.trim().chars().take_while(|c| c.is_ascii_digit()).collect();
            (!digits.is_empty()).then(|| (digits, part.trim().to_string()))
        })
        .collect()
}

/// Whether a country code is one we know; used to warn on typos in settings.
pub fn is_known_country(code: &str) -> bool {
    let code = code.trim().to_ascii_uppercase();
    NUMBERS.iter().any(|(c, _)| *c == code) || EU_112.contains(&code.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_unknown_and_missing_countries() {
        assert_eq!(emergency_number(Some("us")), "911");
        assert_eq!(emergency_number(Some("DE")), "112");
        assert_eq!(emergency_number(Some("AU")), "000");
        assert_eq!(emergency_number(Some("ZZ")), DEFAULT_WORDING);
        assert_eq!(emergency_number(None), DEFAULT_WORDING);
        assert!(is_known_country("fr"));
        assert_eq!(dial_options(Some("GB")), vec![("999".into(), "999".into()), ("112".into(), "112".into())]);
        assert_eq!(dial_options(Some("za"))[1], ("112".to_string(), "112 from a mobile".to_string()));
        let default: Vec<String> = dial_options(None).into_iter().map(|(n, _)| n).collect();
        assert_eq!(default, ["911", "112"]);
        assert!(!is_known_country("XX"));
    }
}
