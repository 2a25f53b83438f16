//! The code lists four linters look values up in (core/data/gs1-codes, as GS1's reference
//! linters carry them): ISO 3166-1 numeric and alpha-2 country codes, ISO 4217 numeric currency
//! codes and GS1's PackageTypeCode values; and the IBAN check that stands on the country list.

use std::sync::OnceLock;

use super::lint::LintError;

/// A sorted list of codes, read once from its file (one code per line, `#` comments).
struct CodeList {
    text: &'static str,
    codes: OnceLock<Vec<&'static str>>,
}

impl CodeList {
    const fn new(text: &'static str) -> Self {
        CodeList {
            text,
            codes: OnceLock::new(),
        }
    }

    fn codes(&self) -> &[&'static str] {
        self.codes.get_or_init(|| {
            let mut codes: Vec<&'static str> = self
                .text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .collect();
            codes.sort_unstable();
            codes
        })
    }

    fn contains(&self, code: &str) -> bool {
        self.codes().binary_search(&code).is_ok()
    }
}

static COUNTRIES: CodeList =
    CodeList::new(include_str!("../../data/gs1-codes/iso3166-numeric.txt"));
static COUNTRIES_ALPHA2: CodeList =
    CodeList::new(include_str!("../../data/gs1-codes/iso3166-alpha2.txt"));
static CURRENCIES: CodeList =
    CodeList::new(include_str!("../../data/gs1-codes/iso4217-numeric.txt"));
static PACKAGE_TYPES: CodeList =
    CodeList::new(include_str!("../../data/gs1-codes/packagetype.txt"));

fn wrong(offset: usize, reason: String) -> Result<(), LintError> {
    Err(LintError { offset, reason })
}

/// `iso3166` (and `iso3166999`, which also takes 999: "no country").
pub fn country(value: &str, or_999: bool) -> Result<(), LintError> {
    if (or_999 && value == "999") || (value.len() == 3 && COUNTRIES.contains(value)) {
        return Ok(());
    }
    let or = if or_999 { " or 999" } else { "" };
    wrong(
        0,
        format!("{value:?} is no ISO 3166 three-digit country code{or}"),
    )
}

/// `iso3166alpha2`.
pub fn country_alpha2(value: &str) -> Result<(), LintError> {
    match value.len() == 2 && COUNTRIES_ALPHA2.contains(value) {
        true => Ok(()),
        false => wrong(
            0,
            format!("{value:?} is no ISO 3166 two-letter country code"),
        ),
    }
}

/// `iso4217`.
pub fn currency(value: &str) -> Result<(), LintError> {
    match value.len() == 3 && CURRENCIES.contains(value) {
        true => Ok(()),
        false => wrong(
            0,
            format!("{value:?} is no ISO 4217 three-digit currency code"),
        ),
    }
}

/// `packagetype`.
pub fn package_type(value: &str) -> Result<(), LintError> {
    match PACKAGE_TYPES.contains(value) {
        true => Ok(()),
        false => wrong(0, format!("{value:?} is no GS1 PackageTypeCode")),
    }
}

/// `iban` (ISO 13616): a country code, at least 11 characters, digits and capital letters, and
/// the mod-97 check of the whole, rotated by four, equal to 1.
pub fn iban(value: &str) -> Result<(), LintError> {
    if value.len() < 4 {
        return wrong(0, format!("IBAN {value:?} is too short"));
    }
    if !value.is_char_boundary(2) || country_alpha2(&value[..2]).is_err() {
        return wrong(
            0,
            format!("IBAN {value:?} does not start with an ISO 3166 two-letter country code"),
        );
    }
    if value.len() > 34 {
        return wrong(0, format!("IBAN {value:?} is too long"));
    }
    if value.len() <= 10 {
        return wrong(0, format!("IBAN {value:?} is too short"));
    }
    let bytes = value.as_bytes();
    let mut remainder = 0u32;
    for i in (4..bytes.len()).chain(0..4) {
        remainder = match bytes[i] {
            d @ b'0'..=b'9' => (remainder * 10 + u32::from(d - b'0')) % 97,
            l @ b'A'..=b'Z' => (remainder * 100 + 10 + u32::from(l - b'A')) % 97,
            _ => {
                let c = value[i..].chars().next().unwrap_or('?');
                return wrong(
                    i,
                    format!("IBAN has {c:?}, which is no digit or capital letter"),
                );
            }
        };
    }
    match remainder {
        1 => Ok(()),
        _ => wrong(2, format!("IBAN check digits {} are wrong", &value[2..4])),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_lists_hold_what_gs1s_reference_holds() {
        assert_eq!(COUNTRIES.codes().len(), 249);
        assert_eq!(COUNTRIES_ALPHA2.codes().len(), 249);
        assert_eq!(CURRENCIES.codes().len(), 179);
        assert_eq!(PACKAGE_TYPES.codes().len(), 431);
    }

    #[test]
    fn gs1s_valid_values_pass_and_its_invalid_ones_fail() {
        for v in ["004", "008", "894"] {
            assert!(country(v, false).is_ok(), "{v}");
        }
        for v in ["000", "999", "AAA", "0000"] {
            assert!(country(v, false).is_err(), "{v}");
        }
        for v in ["999", "004", "894"] {
            assert!(country(v, true).is_ok(), "{v}");
        }
        for v in ["000", "998", "9999"] {
            assert!(country(v, true).is_err(), "{v}");
        }
        for v in ["AD", "GB", "ZW"] {
            assert!(country_alpha2(v).is_ok(), "{v}");
        }
        for v in ["AA", "AN", "A", "_AD", "gb"] {
            assert!(country_alpha2(v).is_err(), "{v}");
        }
        for v in ["008", "012", "978"] {
            assert!(currency(v).is_ok(), "{v}");
        }
        for v in ["000", "004", "AAA"] {
            assert!(currency(v).is_err(), "{v}");
        }
        for v in ["1A", "200", "8", "BGE", "ZZ"] {
            assert!(package_type(v).is_ok(), "{v}");
        }
        for v in ["0", "00", "_1A", "1A_", "200_"] {
            assert!(package_type(v).is_err(), "{v}");
        }
        for v in [
            "GB98MIDL07009312345678",
            "BE71096123456769",
            "MT90MALT011000012345MTLCAST001SABC",
        ] {
            assert!(iban(v).is_ok(), "{v}");
        }
        for (v, at) in [
            ("BE71096123456760", 2),
            ("BE71", 0),
            ("XX361234567890", 0),
            ("LC14BOSLxx3456789012345678901230", 8),
        ] {
            assert_eq!(iban(v).unwrap_err().offset, at, "{v}");
        }
    }
}
