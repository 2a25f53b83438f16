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

fn wrong<T>(offset: usize, reason: impl Into<String>) -> Result<T, LintError> {
    Err(LintError {
        offset,
        reason: reason.into(),
    })
}

/// Linters applied to every component that names them.
pub const IMPLEMENTED: &[&str] = &[
    "couponcode",
    "couponposoffer",
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

/// Linters the dictionary names that are not applied yet, and why. Empty since the coupon
/// structures were added; kept so that a linter a new dictionary release names can be listed here
/// until it is written.
pub const NOT_YET: &[(&str, &str)] = &[];

/// Runs linter `name` on a component `value`; a linter this code does not apply passes. GS1
/// data is ASCII: a value with any other character is refused at it (the parser refuses those
/// before a linter runs; this guards direct callers).
pub fn lint(name: &str, value: &str, today_year: i32) -> Result<(), LintError> {
    if let Some((i, c)) = value.char_indices().find(|(_, c)| !c.is_ascii()) {
        return wrong(i, format!("{c:?} is no GS1 character"));
    }
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
        "couponcode" => coupon_code(value, today_year),
        "couponposoffer" => coupon_positive_offer(value),
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

/// A coupon's digits read field by field (AI 8110 and 8112; docs/gs1-linters.md §2.21, §2.22).
/// Where a refusal points, as GS1's reference reports it: a field that is missing altogether
/// refuses the whole value (offset 0); a one-digit code or VLI out of range, that digit; a field
/// cut short, its first digit (the whole value when nothing at all is left of it).
struct Coupon<'a> {
    digits: &'a str,
    at: usize,
}

impl<'a> Coupon<'a> {
    /// A coupon is digits only.
    fn new(value: &'a str) -> Result<Self, LintError> {
        match value.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
            Some((i, c)) => wrong(i, format!("the coupon may only hold digits, found {c:?}")),
            None => Ok(Coupon {
                digits: value,
                at: 0,
            }),
        }
    }

    /// Whether an optional field introduced by `indicator` follows; if so the indicator is read.
    fn starts(&mut self, indicator: u8) -> bool {
        let found = self.digits.as_bytes().get(self.at) == Some(&indicator);
        if found {
            self.at += 1;
        }
        found
    }

    /// One digit that must be there and be one of `allowed` (`expected` says which, in words).
    fn digit(&mut self, what: &str, allowed: &str, expected: &str) -> Result<usize, LintError> {
        let Some(&d) = self.digits.as_bytes().get(self.at) else {
            return wrong(0, format!("the coupon's {what} is missing"));
        };
        if !allowed.as_bytes().contains(&d) {
            return wrong(
                self.at,
                format!(
                    "the coupon's {what} is {}, expected {expected}",
                    char::from(d)
                ),
            );
        }
        self.at += 1;
        Ok(usize::from(d - b'0'))
    }

    /// The next `n` digits, which must all be there (`need` says why `n`, in words).
    fn field(&mut self, n: usize, what: &str, need: &str) -> Result<&'a str, LintError> {
        let rest = &self.digits[self.at..];
        if rest.len() < n {
            let (offset, left) = match rest.is_empty() {
                true => (0, "nothing is left".to_string()),
                false => (self.at, format!("only {rest:?} is left")),
            };
            return wrong(
                offset,
                format!("the coupon's {what} is cut short: it needs {need} but {left}"),
            );
        }
        self.at += n;
        Ok(&rest[..n])
    }

    /// A VLI digit from `allowed`, then a field of VLI + `plus` digits; the field and where it
    /// starts.
    fn sized(
        &mut self,
        what: &str,
        allowed: &str,
        expected: &str,
        plus: usize,
    ) -> Result<(usize, &'a str), LintError> {
        let vli = self.digit(&format!("{what} VLI"), allowed, expected)?;
        let n = vli + plus;
        let start = self.at;
        let digits = self.field(n, what, &format!("{n} digits (VLI {vli})"))?;
        Ok((start, digits))
    }

    /// Nothing may follow the fields read.
    fn end(&self, after: &str) -> Result<(), LintError> {
        let rest = &self.digits[self.at..];
        match rest.is_empty() {
            true => Ok(()),
            false => wrong(
                self.at,
                format!("the coupon has excess data {rest:?} after {after}"),
            ),
        }
    }

    /// A purchase requirement: VLI 1 to 5 and that many digits, a Requirement Code 0 to 4 or 9,
    /// a three-digit Family Code.
    fn purchase(&mut self, nth: &str) -> Result<(), LintError> {
        self.sized(&format!("{nth} purchase Requirement"), "12345", "1 to 5", 0)?;
        self.digit(
            &format!("{nth} purchase Requirement Code"),
            "012349",
            "0 to 4 or 9",
        )?;
        self.field(3, &format!("{nth} purchase Family Code"), "3 digits")?;
        Ok(())
    }

    /// A GS1 Company Prefix (or GLN) of VLI + 6 digits, checked as `gcppos1` checks one. A VLI
    /// of 9, where `allowed` has it, means no prefix at all.
    fn company_prefix(
        &mut self,
        what: &str,
        allowed: &str,
        expected: &str,
    ) -> Result<(), LintError> {
        if allowed.contains('9') && self.digits.as_bytes().get(self.at) == Some(&b'9') {
            self.at += 1;
            return Ok(());
        }
        let (start, prefix) = self.sized(what, allowed, expected, 6)?;
        gcp_at(prefix, 0).map_err(|e| LintError {
            offset: start,
            reason: format!("the coupon's {what}: {}", e.reason),
        })
    }

    /// A YYMMDD date.
    fn date(&mut self, what: &str, today_year: i32) -> Result<&'a str, LintError> {
        let start = self.at;
        let date = self.field(6, what, "6 digits (YYMMDD)")?;
        match gs1_date(date, today_year, false) {
            Some(_) => Ok(date),
            None => wrong(
                start,
                format!("the coupon's {what} {date} is not a valid YYMMDD date"),
            ),
        }
    }
}

/// AI 8110, the North American coupon code: the mandatory fields, then optional fields 1, 2, 3,
/// 4, 5, 6, 9, each at most once and in that order.
fn coupon_code(value: &str, today_year: i32) -> Result<(), LintError> {
    let mut c = Coupon::new(value)?;
    c.company_prefix("primary GS1 Company Prefix", "0123456", "0 to 6")?;
    c.field(6, "Offer Code", "6 digits")?;
    c.sized("Save Value", "12345", "1 to 5", 0)?;
    c.purchase("primary")?;
    if c.starts(b'1') {
        c.digit("Additional Purchase Rules Code", "0123", "0 to 3")?;
        c.purchase("second")?;
        c.company_prefix(
            "second purchase GS1 Company Prefix",
            "01234569",
            "0 to 6 or 9",
        )?;
    }
    if c.starts(b'2') {
        c.purchase("third")?;
        c.company_prefix(
            "third purchase GS1 Company Prefix",
            "01234569",
            "0 to 6 or 9",
        )?;
    }
    let mut expiry = None;
    if c.starts(b'3') {
        let indicator = c.at - 1;
        expiry = Some((indicator, c.date("expiration date", today_year)?));
    }
    if c.starts(b'4') {
        let start = c.date("start date", today_year)?;
        // GS1 compares the two YYMMDD strings as they stand, without their centuries.
        if let Some((indicator, expiry)) = expiry
            && start > expiry
        {
            return wrong(
                indicator,
                format!("the coupon's expiration date {expiry} is before its start date {start}"),
            );
        }
    }
    if c.starts(b'5') {
        c.sized("Serial Number", "0123456789", "a digit", 6)?;
    }
    if c.starts(b'6') {
        c.company_prefix("Retailer GCP/GLN", "1234567", "1 to 7")?;
    }
    if c.starts(b'9') {
        c.digit("Save Value Code", "01256", "0, 1, 2, 5 or 6")?;
        c.digit("Save Value Applies to Item", "012", "0 to 2")?;
        c.digit("Store Coupon Flag", "0123456789", "a digit")?;
        c.digit("Don't Multiply Flag", "01", "0 or 1")?;
    }
    c.end("the recognised optional fields")
}

/// AI 8112, the positive offer file coupon: Format Code, Funder ID, Offer Code, Serial Number.
fn coupon_positive_offer(value: &str) -> Result<(), LintError> {
    let mut c = Coupon::new(value)?;
    c.digit("Format Code", "01", "0 or 1")?;
    c.sized("Funder", "0123456", "0 to 6", 6)?;
    c.field(6, "Offer Code", "6 digits")?;
    c.sized("Serial Number", "0123456789", "a digit", 6)?;
    c.end("the Serial Number")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Found by `dockhand fuzz`: a linter called directly on non-ASCII data sliced inside a
    /// character. Every linter now refuses it at the character.
    #[test]
    fn every_linter_refuses_non_ascii_data_at_its_character() {
        for name in IMPLEMENTED {
            for (value, at) in [
                ("G\u{fffd}", 1),
                ("012345\u{3ea}", 6),
                ("\u{fffd}\u{fffd}", 0),
            ] {
                let err = lint(name, value, 2026).unwrap_err();
                assert_eq!(err.offset, at, "{name} {value:?}: {err:?}");
                assert!(
                    err.reason.contains("is no GS1 character"),
                    "{name}: {err:?}"
                );
            }
        }
    }

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

    /// Coupon values GS1's reference takes: its unit tests' values and, for AI 8110, the examples
    /// of the "North American Coupon Application Guideline Using GS1 DataBar Expanded Symbols" R2.0
    /// it quotes.
    const COUPON_CODE_VALID: &[&str] = &[
        "012345612345611110123",
        "012345612345611110123101101230123456",
        "012345612345611110123101101236123456789012",
        "012345612345611110123101101239",
        "01234561234561111012321101230123456",
        "01234561234561111012321101239",
        "0123456123456111101233200229",
        "0123456123456111101233000229",
        "0123456123456111101233960229",
        "0123456123456111101234200131",
        "01234561234561111012335006064500606",
        "01234561234561111012350123456",
        "01234561234561111012359123456789012345",
        "012345612345611110123611234567",
        "012345612345611110123671234567890123",
        "01234561234561111012390000",
        "01234561234561111012390001",
        "10614141011111275110111",
        "106141410222223100110222111101231023456721104561045678991201",
        "1061414165432131501101201211014092110256100126663101231",
        "106141410012342501106501013085093101231",
        "106141410012471011076011110850921108609310123191000",
        "106141411234562891101201212085010048000214025610048000310123191000",
        "1061414154321031501101201211014092110256100126663101231",
        "106141416543213500110000310123196000",
    ];
    const COUPON_POS_OFFER_VALID: &[&str] = &[
        "001234561234560123456",
        "101234561234560123456",
        "0012345612345611234567",
        "001234561234569123456789012345",
        "061234567890121234569123456789012345",
    ];

    /// A value GS1's reference refuses, the offset of the refusal and a fragment of its reason.
    type Refusal = (&'static str, usize, &'static str);

    /// AI 8110 values GS1's reference refuses (its unit tests), one or more per structural rule.
    const COUPON_CODE_REFUSED: &[Refusal] = &[
        // Digits only.
        ("a12345612345611110123", 0, "only hold digits, found 'a'"),
        ("01234561234561111012a", 20, "found 'a'"),
        // Primary GS1 Company Prefix: VLI 0 to 6, then VLI + 6 digits.
        ("", 0, "primary GS1 Company Prefix VLI is missing"),
        (
            "71234567890123",
            0,
            "Company Prefix VLI is 7, expected 0 to 6",
        ),
        ("9123456789012345", 0, "VLI is 9, expected 0 to 6"),
        ("01", 1, "primary GS1 Company Prefix is cut short"),
        (
            "012345",
            1,
            "needs 6 digits (VLI 0) but only \"12345\" is left",
        ),
        ("612345678901", 1, "needs 12 digits (VLI 6)"),
        // Offer Code: 6 digits.
        (
            "0123456",
            0,
            "Offer Code is cut short: it needs 6 digits but nothing",
        ),
        ("012345612345", 7, "Offer Code is cut short"),
        // Save Value: VLI 1 to 5, then that many digits.
        ("0123456123456", 0, "Save Value VLI is missing"),
        ("01234561234560", 13, "Save Value VLI is 0, expected 1 to 5"),
        ("01234561234566123456", 13, "Save Value VLI is 6"),
        ("01234561234561", 0, "Save Value is cut short"),
        ("012345612345621", 14, "Save Value is cut short"),
        // Primary purchase: Requirement VLI 1 to 5 and value, Code 0 to 4 or 9, Family Code.
        (
            "012345612345611",
            0,
            "primary purchase Requirement VLI is missing",
        ),
        (
            "0123456123456110",
            15,
            "Requirement VLI is 0, expected 1 to 5",
        ),
        ("0123456123456116123456", 15, "Requirement VLI is 6"),
        (
            "0123456123456111",
            0,
            "primary purchase Requirement is cut short",
        ),
        (
            "01234561234561121",
            16,
            "primary purchase Requirement is cut short",
        ),
        (
            "01234561234561111",
            0,
            "primary purchase Requirement Code is missing",
        ),
        ("012345612345611115", 17, "Code is 5, expected 0 to 4 or 9"),
        ("012345612345611118", 17, "Code is 8"),
        (
            "012345612345611119",
            0,
            "primary purchase Family Code is cut short",
        ),
        ("01234561234561111012", 18, "Family Code is cut short"),
        // Only recognised optional fields may follow.
        ("0123456123456111101230", 21, "excess data \"0\""),
        ("0123456123456111101237", 21, "excess data \"7\""),
        ("0123456123456111101238", 21, "excess data \"8\""),
        // Optional field 1: rules code 0 to 3, second purchase, its GCP (VLI 0 to 6 or 9).
        (
            "0123456123456111101231",
            0,
            "Additional Purchase Rules Code is missing",
        ),
        (
            "01234561234561111012314",
            22,
            "Rules Code is 4, expected 0 to 3",
        ),
        (
            "01234561234561111012310",
            0,
            "second purchase Requirement VLI is missing",
        ),
        (
            "012345612345611110123100",
            23,
            "second purchase Requirement VLI is 0",
        ),
        (
            "012345612345611110123101",
            0,
            "second purchase Requirement is cut short",
        ),
        (
            "0123456123456111101231021",
            24,
            "second purchase Requirement is cut",
        ),
        (
            "0123456123456111101231011",
            0,
            "second purchase Requirement Code is missing",
        ),
        (
            "01234561234561111012310115",
            25,
            "second purchase Requirement Code is 5",
        ),
        (
            "01234561234561111012310119",
            0,
            "second purchase Family Code is cut",
        ),
        (
            "0123456123456111101231011012",
            26,
            "second purchase Family Code is cut",
        ),
        (
            "01234561234561111012310110123",
            0,
            "second purchase GS1 Company Prefix VLI is missing",
        ),
        (
            "0123456123456111101231011012371234567890123",
            29,
            "second purchase GS1 Company Prefix VLI is 7, expected 0 to 6 or 9",
        ),
        (
            "012345612345611110123101101230",
            0,
            "second purchase GS1 Company Prefix is cut",
        ),
        (
            "0123456123456111101231011012301",
            30,
            "needs 6 digits (VLI 0)",
        ),
        (
            "012345612345611110123101101231123456",
            30,
            "needs 7 digits (VLI 1)",
        ),
        ("0123456123456111101231011012391", 30, "excess data \"1\""),
        // Optional field 2: third purchase and its GCP.
        (
            "0123456123456111101232",
            0,
            "third purchase Requirement VLI is missing",
        ),
        (
            "01234561234561111012320",
            22,
            "third purchase Requirement VLI is 0",
        ),
        (
            "01234561234561111012321",
            0,
            "third purchase Requirement is cut short",
        ),
        (
            "012345612345611110123221",
            23,
            "third purchase Requirement is cut short",
        ),
        (
            "012345612345611110123211",
            0,
            "third purchase Requirement Code is missing",
        ),
        (
            "0123456123456111101232115",
            24,
            "third purchase Requirement Code is 5",
        ),
        (
            "0123456123456111101232110",
            0,
            "third purchase Family Code is cut short",
        ),
        (
            "01234561234561111012321101",
            25,
            "third purchase Family Code is cut",
        ),
        (
            "0123456123456111101232110123",
            0,
            "third purchase GS1 Company Prefix VLI is missing",
        ),
        (
            "0123456123456111101232110123812345678901234",
            28,
            "third purchase GS1 Company Prefix VLI is 8",
        ),
        (
            "01234561234561111012321101230",
            0,
            "third purchase GS1 Company Prefix is cut",
        ),
        (
            "012345612345611110123211012301",
            29,
            "third purchase GS1 Company Prefix is cut",
        ),
        ("012345612345611110123211012391", 29, "excess data \"1\""),
        // Optional field 3: expiration date.
        ("0123456123456111101233", 0, "expiration date is cut short"),
        (
            "012345612345611110123312345",
            22,
            "expiration date is cut short",
        ),
        (
            "0123456123456111101233200010",
            22,
            "expiration date 200010 is not a valid",
        ),
        ("0123456123456111101233201310", 22, "expiration date 201310"),
        ("0123456123456111101233210229", 22, "expiration date 210229"),
        ("0123456123456111101233200600", 22, "expiration date 200600"),
        ("01234561234561111012332002290", 28, "excess data \"0\""),
        // Optional field 4: start date, not after the expiration date.
        ("0123456123456111101234", 0, "start date is cut short"),
        ("01234561234561111012341", 22, "start date is cut short"),
        (
            "0123456123456111101234201310",
            22,
            "start date 201310 is not a valid",
        ),
        ("0123456123456111101234200431", 22, "start date 200431"),
        (
            "01234561234561111012335006064500607",
            21,
            "expiration date 500606 is before its start date 500607",
        ),
        ("01234561234561111012342002290", 28, "excess data \"0\""),
        // Optional field 5: serial number, VLI + 6 digits.
        ("0123456123456111101235", 0, "Serial Number VLI is missing"),
        ("01234561234561111012350", 0, "Serial Number is cut short"),
        ("012345612345611110123501", 23, "needs 6 digits (VLI 0)"),
        (
            "0123456123456111101235912345678901234",
            23,
            "needs 15 digits (VLI 9)",
        ),
        ("012345612345611110123501234560", 29, "excess data \"0\""),
        // Optional field 6: retailer GCP or GLN, VLI 1 to 7.
        (
            "0123456123456111101236",
            0,
            "Retailer GCP/GLN VLI is missing",
        ),
        (
            "01234561234561111012360",
            22,
            "Retailer GCP/GLN VLI is 0, expected 1 to 7",
        ),
        (
            "0123456123456111101236812345678901234",
            22,
            "Retailer GCP/GLN VLI is 8",
        ),
        (
            "01234561234561111012361",
            0,
            "Retailer GCP/GLN is cut short",
        ),
        (
            "01234561234561111012361123456",
            23,
            "needs 7 digits (VLI 1)",
        ),
        ("0123456123456111101236112345670", 30, "excess data \"0\""),
        // Optional field 9: save value code, applies to item, store flag, don't multiply flag.
        ("0123456123456111101239", 0, "Save Value Code is missing"),
        (
            "01234561234561111012393",
            22,
            "Save Value Code is 3, expected 0, 1, 2, 5 or 6",
        ),
        ("01234561234561111012394", 22, "Save Value Code is 4"),
        ("01234561234561111012397", 22, "Save Value Code is 7"),
        (
            "01234561234561111012390",
            0,
            "Save Value Applies to Item is missing",
        ),
        (
            "012345612345611110123903",
            23,
            "Applies to Item is 3, expected 0 to 2",
        ),
        (
            "012345612345611110123900",
            0,
            "Store Coupon Flag is missing",
        ),
        (
            "0123456123456111101239000",
            0,
            "Don't Multiply Flag is missing",
        ),
        (
            "01234561234561111012390002",
            25,
            "Don't Multiply Flag is 2, expected 0 or 1",
        ),
        ("012345612345611110123900000", 26, "excess data \"0\""),
        // Fields out of order are not recognised: field 1 after field 9.
        ("0123456123456111101239000010", 26, "excess data \"10\""),
    ];

    /// AI 8112 values GS1's reference refuses (its unit tests): digits only; Format Code 0 or 1;
    /// Funder VLI 0 to 6 and VLI + 6 digits; Offer Code; Serial Number VLI and VLI + 6 digits;
    /// nothing more.
    const COUPON_POS_OFFER_REFUSED: &[Refusal] = &[
        ("a01234561234560123456", 0, "only hold digits, found 'a'"),
        ("00123456123456012345a", 20, "found 'a'"),
        ("", 0, "Format Code is missing"),
        (
            "201234561234560123456",
            0,
            "Format Code is 2, expected 0 or 1",
        ),
        ("901234561234560123456", 0, "Format Code is 9"),
        ("0", 0, "Funder VLI is missing"),
        ("07", 1, "Funder VLI is 7, expected 0 to 6"),
        ("09", 1, "Funder VLI is 9"),
        (
            "00",
            0,
            "Funder is cut short: it needs 6 digits (VLI 0) but nothing",
        ),
        ("0012345", 2, "Funder is cut short"),
        ("0612345678901", 2, "needs 12 digits (VLI 6)"),
        ("00123456", 0, "Offer Code is cut short"),
        ("0012345612345", 8, "Offer Code is cut short"),
        ("00123456123456", 0, "Serial Number VLI is missing"),
        ("001234561234560", 0, "Serial Number is cut short"),
        ("00123456123456012345", 15, "needs 6 digits (VLI 0)"),
        (
            "00123456123456912345678901234",
            15,
            "needs 15 digits (VLI 9)",
        ),
        (
            "0012345612345601234567",
            21,
            "excess data \"7\" after the Serial Number",
        ),
        (
            "0612345678901212345691234567890123456",
            36,
            "excess data \"6\"",
        ),
    ];

    #[test]
    fn the_coupon_linters_take_gs1s_valid_coupons_and_refuse_each_broken_rule_where_it_breaks() {
        for (name, valid, refused) in [
            ("couponcode", COUPON_CODE_VALID, COUPON_CODE_REFUSED),
            (
                "couponposoffer",
                COUPON_POS_OFFER_VALID,
                COUPON_POS_OFFER_REFUSED,
            ),
        ] {
            assert!(IMPLEMENTED.contains(&name));
            for v in valid {
                assert_eq!(lint(name, v, 2026), Ok(()), "{name} refused {v:?}");
            }
            for (v, offset, fragment) in refused {
                let e = lint(name, v, 2026).expect_err(&format!("{name} took {v:?}"));
                assert_eq!(e.offset, *offset, "{name} {v:?}: {}", e.reason);
                assert!(
                    e.reason.contains(fragment),
                    "{name} {v:?}: {:?} lacks {fragment:?}",
                    e.reason
                );
            }
        }
    }

    #[test]
    fn coupons_in_element_strings_are_linted_at_their_place_in_the_input() {
        use crate::gs1::parse_on;
        for ok in [
            "(8110)012345612345611110123",
            "(8110)106141416543213500110000310123196000",
            "(8112)001234561234560123456",
            "(8110)012345612345611110123(8112)061234567890121234569123456789012345",
        ] {
            let elements = parse_on(ok, 2026).unwrap_or_else(|e| panic!("{ok}: {e}"));
            assert!(!elements.is_empty());
        }
        // The engine's AI-level cases; the position is the value's start (6) plus the offset.
        for (input, position, fragment) in [
            ("(8110)71234567890123", 6, "VLI is 7, expected 0 to 6"),
            ("(8110)012345", 7, "primary GS1 Company Prefix is cut short"),
            ("(8110)01234561234560", 19, "Save Value VLI is 0"),
            ("(8110)012345612345611115", 23, "Requirement Code is 5"),
            ("(8110)01234561234561111012314", 28, "Rules Code is 4"),
            (
                "(8110)0123456123456111101233200010",
                28,
                "expiration date 200010",
            ),
            (
                "(8110)01234561234561111012335006064500607",
                27,
                "is before its start date",
            ),
            (
                "(8110)01234561234561111012360",
                28,
                "Retailer GCP/GLN VLI is 0",
            ),
            ("(8110)01234561234561111012393", 28, "Save Value Code is 3"),
            ("(8110)012345612345611110123900000", 32, "excess data"),
            ("(8110)01234561234561111012A", 26, "found 'A'"),
            ("(8112)201234561234560123456", 6, "Format Code is 2"),
            ("(8112)0", 6, "Funder VLI is missing"),
            ("(8112)07", 7, "Funder VLI is 7"),
            ("(8112)001234561234560", 6, "Serial Number is cut short"),
            ("(8110)012345612345611110123(8112)07", 34, "Funder VLI is 7"),
        ] {
            let e = parse_on(input, 2026).expect_err(input);
            assert_eq!(e.position, position, "{input}: {e}");
            assert!(
                e.message.contains(fragment),
                "{input}: {e} lacks {fragment:?}"
            );
            let ai = &input.rsplit('(').next().unwrap()[..4];
            assert_eq!(e.ai.as_deref(), Some(ai), "{input}: {e}");
        }
    }

    #[test]
    fn the_check_pair_of_gs1s_example_gmn() {
        assert_eq!(check_pair("1987654Ad4X4bL5ttr2310c"), Some(['2', 'K']));
        assert_eq!(check_pair("123456"), check_pair("123456"));
        assert_eq!(check_pair(""), Some(['2', '2']));
    }
}
