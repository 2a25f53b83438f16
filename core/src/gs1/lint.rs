//! The Barcode Syntax Dictionary's linters: the content checks a component names after its type
//! (`N14,csum`, `X..25,csumalpha`). Each one looks at one component and, when the data is wrong,
//! says where in the component and why, in GS1's terms with the values (docs/gs1-linters.md holds
//! what each checks and where its rules come from). [`IMPLEMENTED`] lists the linters applied;
//! [`NOT_YET`] those the dictionary names that are not, each with why: a test fails for any
//! linter in the dictionary that is in neither.

use super::check::{check_digit, full_date, gs1_date, has_valid_check_digit};
use super::codes;

/// What a linter found wrong: where in the component (0-based) and why, in a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LintError {
    /// Offset of the first offending character inside the component.
    pub offset: usize,
    /// GS1's reason, with the values.
    pub reason: String,
}

fn wrong(offset: usize, reason: impl Into<String>) -> Result<(), LintError> {
    Err(LintError {
        offset,
        reason: reason.into(),
    })
}

/// Linters applied to every component that names them.
pub const IMPLEMENTED: &[&str] = &[
    "csum",
    "csumalpha",
    "gcppos1",
    "gcppos2",
    "hasnondigit",
    "hh",
    "hhmi",
    "hyphen",
    "iban",
    "importeridx",
    "iso3166",
    "iso3166999",
    "iso3166alpha2",
    "iso4217",
    "iso5218",
    "latitude",
    "longitude",
    "mediatype",
    "mi",
    "nonzero",
    "nozeroprefix",
    "packagetype",
    "pcenc",
    "pieceoftotal",
    "posinseqslash",
    "ss",
    "winding",
    "yesno",
    "yymmd0",
    "yymmdd",
    "yyyymmdd",
    "zero",
];

/// Linters the dictionary names that are not applied yet, and why.
pub const NOT_YET: &[(&str, &str)] = &[
    (
        "couponcode",
        "the North American coupon structure is not checked yet",
    ),
    (
        "couponposoffer",
        "the positive offer file coupon structure is not checked yet",
    ),
];

/// Runs linter `name` on a component `value`; a linter this code does not apply passes.
pub fn lint(name: &str, value: &str, today_year: i32) -> Result<(), LintError> {
    match name {
        "csum" => csum(value),
        "csumalpha" => csumalpha(value),
        "gcppos1" => gcp_at(value, 0),
        "gcppos2" => gcp_at(value, 1),
        "hasnondigit" => match value.chars().all(|c| c.is_ascii_digit()) {
            true => wrong(
                0,
                format!("{value:?} needs a character that is not a digit"),
            ),
            false => Ok(()),
        },
        "yymmd0" | "yymmdd" => {
            let ok = gs1_date(value, today_year, name == "yymmd0").is_some();
            date_result(ok, value)
        }
        "yyyymmdd" => date_result(full_date(value).is_some(), value),
        "hhmi" => {
            let ok = value.len() == 4
                && value[..2].parse::<u32>().is_ok_and(|h| h < 24)
                && value[2..].parse::<u32>().is_ok_and(|m| m < 60);
            time_result(ok, value)
        }
        "hh" => time_result(
            value.len() == 2 && value.parse::<u32>().is_ok_and(|h| h < 24),
            value,
        ),
        "mi" => two_digits_below(value, 60, "minute"),
        "ss" => two_digits_below(value, 60, "second"),
        "yesno" => one_of(value, &["0", "1"], "must be 0 (no) or 1 (yes)"),
        "zero" => match value.chars().all(|c| c == '0') {
            true => Ok(()),
            false => wrong(0, format!("{value} must be zero")),
        },
        "nonzero" => match value.chars().any(|c| c != '0') {
            true => Ok(()),
            false => wrong(0, format!("{value} must not be zero")),
        },
        "nozeroprefix" => match value.len() > 1 && value.starts_with('0') {
            true => wrong(0, format!("{value} must not start with a zero")),
            false => Ok(()),
        },
        "winding" => one_of(
            value,
            &["0", "1", "9"],
            "is no winding direction: it must be 0 (face out), 1 (face in) or 9 (undefined)",
        ),
        "iso5218" => one_of(
            value,
            &["0", "1", "2", "9"],
            "is no ISO/IEC 5218 biological sex code: it must be 0, 1, 2 or 9",
        ),
        "mediatype" => {
            let ok = value.len() == 2
                && value
                    .parse::<u32>()
                    .is_ok_and(|m| (1..=10).contains(&m) || (80..=99).contains(&m));
            match ok {
                true => Ok(()),
                false => wrong(
                    0,
                    format!("{value:?} is no AIDC media type: 01 to 10 or 80 to 99"),
                ),
            }
        }
        "latitude" => degrees(value, 1_800_000_000, "latitude"),
        "longitude" => degrees(value, 3_600_000_000, "longitude"),
        "pcenc" => percent_encoding(value),
        "hyphen" => match !value.is_empty() && value.chars().all(|c| c == '-') {
            true => Ok(()),
            false => wrong(0, format!("{value:?} may only be hyphens")),
        },
        "importeridx" => importer_index(value),
        "pieceoftotal" => piece_of_total(value),
        "posinseqslash" => position_in_sequence(value),
        "iso3166" => codes::country(value, false),
        "iso3166999" => codes::country(value, true),
        "iso3166alpha2" => codes::country_alpha2(value),
        "iso4217" => codes::currency(value),
        "packagetype" => codes::package_type(value),
        "iban" => codes::iban(value),
        _ => Ok(()),
    }
}

fn csum(value: &str) -> Result<(), LintError> {
    if has_valid_check_digit(value) {
        return Ok(());
    }
    let expected = check_digit(&value[..value.len().saturating_sub(1)])
        .map(|d| d.to_string())
        .unwrap_or_else(|| "?".into());
    wrong(
        value.len().saturating_sub(1),
        format!(
            "check digit {} is wrong, expected {expected}",
            value.chars().last().unwrap_or(' ')
        ),
    )
}

fn date_result(ok: bool, value: &str) -> Result<(), LintError> {
    match ok {
        true => Ok(()),
        false => wrong(0, format!("{value} is not a valid date")),
    }
}

fn time_result(ok: bool, value: &str) -> Result<(), LintError> {
    match ok {
        true => Ok(()),
        false => wrong(0, format!("{value} is not a valid time")),
    }
}

fn one_of(value: &str, allowed: &[&str], why: &str) -> Result<(), LintError> {
    match allowed.contains(&value) {
        true => Ok(()),
        false => wrong(0, format!("{value:?} {why}")),
    }
}

/// Two digits 00 to `below - 1`: minutes or seconds.
fn two_digits_below(value: &str, below: u32, what: &str) -> Result<(), LintError> {
    if let Some(i) = value.find(|c: char| !c.is_ascii_digit()) {
        return wrong(
            i,
            format!("the {what} {value:?} has a character that is not a digit"),
        );
    }
    match value.len() == 2 && value.parse::<u32>().is_ok_and(|v| v < below) {
        true => Ok(()),
        false => wrong(0, format!("{value} is no {what}: 00 to {}", below - 1)),
    }
}

/// Ten digits from 0000000000 to `most`: a latitude or longitude in GS1's offset form.
fn degrees(value: &str, most: u64, what: &str) -> Result<(), LintError> {
    if value.len() != 10 {
        return wrong(0, format!("the {what} {value:?} must be 10 digits"));
    }
    if let Some(i) = value.find(|c: char| !c.is_ascii_digit()) {
        return wrong(
            i,
            format!("the {what} {value:?} has a character that is not a digit"),
        );
    }
    match value.parse::<u64>().is_ok_and(|v| v <= most) {
        true => Ok(()),
        false => wrong(
            0,
            format!("the {what} {value} is outside 0000000000 to {most:010}"),
        ),
    }
}

/// A GS1 Company Prefix from `start`: at least four characters, the first four digits. (Whether
/// the prefix is allocated needs GS1's prefix data, which GS1's reference does not ship either.)
fn gcp_at(value: &str, start: usize) -> Result<(), LintError> {
    let rest = value.get(start..).unwrap_or_default();
    if rest.chars().count() < 4 {
        return wrong(
            if rest.is_empty() { 0 } else { start },
            format!("{value:?} is too short to start with a GS1 Company Prefix"),
        );
    }
    match rest.chars().take(4).position(|c| !c.is_ascii_digit()) {
        Some(i) => wrong(
            start + i,
            format!(
                "{value:?} does not start with a GS1 Company Prefix: its first four characters must be digits"
            ),
        ),
        None => Ok(()),
    }
}

/// CSET 82, in the order that gives each character its value for the check pair.
const CSET82: &str =
    "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
/// CSET 32: the characters of an alphanumeric check pair.
const CSET32: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

/// The two check characters of alphanumeric data (GS1 General Specifications, check character
/// pair): character values weighted by the primes from the right, summed mod 1021, split into
/// two five-bit halves. `None` when a character is outside CSET 82 or the data is too long for
/// the table of weights.
pub fn check_pair(data: &str) -> Option<[char; 2]> {
    const PRIMES: [u32; 97] = [
        2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89,
        97, 101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167, 173, 179, 181,
        191, 193, 197, 199, 211, 223, 227, 229, 233, 239, 241, 251, 257, 263, 269, 271, 277, 281,
        283, 293, 307, 311, 313, 317, 331, 337, 347, 349, 353, 359, 367, 373, 379, 383, 389, 397,
        401, 409, 419, 421, 431, 433, 439, 443, 449, 457, 461, 463, 467, 479, 487, 491, 499, 503,
        509,
    ];
    if data.chars().count() > PRIMES.len() {
        return None;
    }
    let mut sum = 0u32;
    for (weight, c) in PRIMES.iter().zip(data.chars().rev()) {
        sum += weight * u32::try_from(CSET82.find(c)?).ok()?;
    }
    let s = sum % 1021;
    Some([
        char::from(CSET32[(s >> 5) as usize]),
        char::from(CSET32[(s & 31) as usize]),
    ])
}

fn csumalpha(value: &str) -> Result<(), LintError> {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() < 2 {
        return wrong(
            0,
            format!("{value:?} is too short to carry an alphanumeric check character pair"),
        );
    }
    let (data, pair) = chars.split_at(chars.len() - 2);
    if let Some(i) = data.iter().position(|c| !CSET82.contains(*c)) {
        return wrong(i, format!("{:?} is not a CSET 82 character", data[i]));
    }
    if let Some(i) = pair.iter().position(|c| !CSET32.contains(&(*c as u8))) {
        return wrong(
            data.len() + i,
            format!("check character {:?} is not a CSET 32 character", pair[i]),
        );
    }
    let data: String = data.iter().collect();
    match check_pair(&data) {
        Some(expected) if expected == pair => Ok(()),
        Some(expected) => wrong(
            data.chars().count(),
            format!(
                "check characters {}{} are wrong, expected {}{}",
                pair[0], pair[1], expected[0], expected[1]
            ),
        ),
        None => wrong(
            0,
            format!("{value:?} is too long for a check character pair"),
        ),
    }
}

fn percent_encoding(value: &str) -> Result<(), LintError> {
    let bytes = value.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3);
            if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
                let shown = value.get(i..(i + 3).min(value.len())).unwrap_or("%");
                return wrong(
                    i,
                    format!("{shown:?} is not a percent-encoded byte (% and two hex digits)"),
                );
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    Ok(())
}

fn importer_index(value: &str) -> Result<(), LintError> {
    let mut chars = value.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) if c == '-' || c == '_' || c.is_ascii_alphanumeric() => Ok(()),
        (Some(c), None) => wrong(
            0,
            format!("importer index {c:?} must be a letter, a digit, - or _"),
        ),
        _ => wrong(
            0,
            format!("importer index {value:?} must be a single character"),
        ),
    }
}

fn piece_of_total(value: &str) -> Result<(), LintError> {
    if let Some(i) = value.find(|c: char| !c.is_ascii_digit()) {
        return wrong(i, format!("piece and total {value:?} must be digits"));
    }
    if value.is_empty() || !value.len().is_multiple_of(2) {
        return wrong(
            0,
            format!("piece and total {value:?} must be two numbers of equal length"),
        );
    }
    let (piece, total) = value.split_at(value.len() / 2);
    if piece.chars().all(|c| c == '0') {
        return wrong(0, format!("piece number {piece} must not be zero"));
    }
    if total.chars().all(|c| c == '0') {
        return wrong(piece.len(), format!("piece total {total} must not be zero"));
    }
    match piece > total {
        true => wrong(0, format!("piece {piece} is more than the total {total}")),
        false => Ok(()),
    }
}

fn position_in_sequence(value: &str) -> Result<(), LintError> {
    let malformed = || wrong(0, format!("{value:?} must read position/end, e.g. 1/3"));
    let Some((pos, end)) = value.split_once('/') else {
        return malformed();
    };
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    if !digits(pos) || !digits(end) {
        return malformed();
    }
    if pos.starts_with('0') {
        return wrong(0, format!("position {pos} must not start with a zero"));
    }
    if end.starts_with('0') {
        return wrong(
            pos.len() + 1,
            format!("end {end} must not start with a zero"),
        );
    }
    match (pos.len(), pos) > (end.len(), end) {
        true => wrong(0, format!("position {pos} is after the end {end}")),
        false => Ok(()),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// A linter, values it takes, and values it refuses with the offset of the first error.
    type Case = (
        &'static str,
        &'static [&'static str],
        &'static [(&'static str, usize)],
    );

    /// Valid and invalid values from GS1's documentation and tests of each linter (see
    /// docs/gs1-linters.md).
    const CASES: &[Case] = &[
        (
            "csumalpha",
            &[
                "1987654Ad4X4bL5ttr2310c2K",
                "12345678901234567890123NT",
                "22",
                "00000!HV",
            ],
            &[
                ("1987654Ad4X4bL5ttr2310cXK", 23),
                ("33", 0),
                ("2", 0),
                ("12345678901234567890123 T", 23),
            ],
        ),
        (
            "gcppos1",
            &["01234", "0123", "0123A"],
            &[("012", 0), ("012AA", 3), ("AAAAA", 0)],
        ),
        (
            "gcppos2",
            &["901234", "90123", "90123A"],
            &[("9012", 1), ("9", 0), ("9012AA", 4)],
        ),
        (
            "hasnondigit",
            &["/", "1A", "/123456789", "012345678:"],
            &[("0123456789", 0), ("11", 0), ("", 0)],
        ),
        (
            "iso5218",
            &["0", "1", "2", "9"],
            &[("3", 0), ("8", 0), ("/", 0), ("01", 0)],
        ),
        (
            "mediatype",
            &["01", "10", "80", "99"],
            &[("00", 0), ("11", 0), ("79", 0), ("AA", 0), ("000", 0)],
        ),
        (
            "latitude",
            &["0279085848", "0000000000", "1800000000"],
            &[("1800000001", 0), ("180000000", 0), ("18000000A1", 8)],
        ),
        (
            "longitude",
            &["3015297971", "3600000000"],
            &[("3600000001", 0)],
        ),
        (
            "mi",
            &["00", "59"],
            &[("60", 0), ("x0", 0), ("1", 0), ("111", 0)],
        ),
        ("ss", &["00", "59"], &[("60", 0), ("0x", 1)]),
        (
            "pcenc",
            &["", "%00", "%fF", "ABC%20XYZ"],
            &[("%fg", 0), ("%g", 0), ("ABC%gXYZ", 3)],
        ),
        ("hyphen", &["-", "--"], &[("X", 0), ("XX", 0), ("", 0)]),
        (
            "importeridx",
            &["-", "0", "A", "_", "z"],
            &[(".", 0), ("/", 0), ("=", 0), ("@", 0), ("~", 0), ("AA", 0)],
        ),
        (
            "pieceoftotal",
            &["0101", "0203", "9999"],
            &[("0001", 0), ("0100", 2), ("0908", 0), ("x555", 0)],
        ),
        (
            "posinseqslash",
            &["1/3", "3/3", "9/10", "100/100"],
            &[
                ("111", 0),
                ("1/", 0),
                ("1//2", 0),
                ("0/1", 0),
                ("1/02", 2),
                ("2/1", 0),
                ("11/10", 0),
            ],
        ),
        (
            "winding",
            &["0", "1", "9"],
            &[("2", 0), ("8", 0), ("/", 0), ("01", 0)],
        ),
    ];

    #[test]
    fn each_linter_takes_gs1s_valid_values_and_refuses_its_invalid_ones_where_they_go_wrong() {
        for (name, valid, invalid) in CASES {
            assert!(
                IMPLEMENTED.contains(name),
                "{name} is tested but not listed"
            );
            for v in *valid {
                assert_eq!(lint(name, v, 2026), Ok(()), "{name} refused {v:?}");
            }
            for (v, offset) in *invalid {
                let e = lint(name, v, 2026).expect_err(&format!("{name} took {v:?}"));
                assert_eq!(e.offset, *offset, "{name} {v:?}: {}", e.reason);
                assert!(!e.reason.is_empty());
            }
        }
    }

    #[test]
    fn every_linter_the_dictionary_names_is_applied_or_listed_with_why_not() {
        let mut named = std::collections::BTreeSet::new();
        for spec in super::super::dictionary().all() {
            for c in &spec.components {
                named.extend(c.linters.iter().cloned());
            }
        }
        let missing: Vec<&String> = named
            .iter()
            .filter(|n| !IMPLEMENTED.contains(&n.as_str()) && !NOT_YET.iter().any(|(m, _)| m == n))
            .collect();
        assert!(
            missing.is_empty(),
            "linters the dictionary names and nobody handles: {missing:?}"
        );
        // Nothing listed that the dictionary does not name.
        for name in IMPLEMENTED.iter().chain(NOT_YET.iter().map(|(n, _)| n)) {
            assert!(named.contains(*name), "{name} is not in the dictionary");
        }
    }

    #[test]
    fn the_check_pair_of_gs1s_example_gmn() {
        assert_eq!(check_pair("1987654Ad4X4bL5ttr2310c"), Some(['2', 'K']));
        assert_eq!(check_pair("123456"), check_pair("123456"));
        assert_eq!(check_pair(""), Some(['2', '2']));
    }
}
