//! Content checks of GS1 data: character sets, check digits, dates (what the linters of
//! `lint.rs` build on).

use chrono::NaiveDate;

use super::dictionary::Cset;

pub use dockhand_protocol::gs1::{check_digit, has_valid_check_digit};

/// Products of the GS1 weighting factors used for price and weight fields (GS1 General
/// Specifications §7.9.2): "2-", "3", "5+" and "5-", indexed by digit.
const WEIGHT_2_MINUS: [u32; 10] = [0, 2, 4, 6, 8, 9, 1, 3, 5, 7];
const WEIGHT_3: [u32; 10] = [0, 3, 6, 9, 2, 5, 8, 1, 4, 7];
const WEIGHT_5_PLUS: [u32; 10] = [0, 5, 1, 6, 2, 7, 3, 8, 4, 9];
const WEIGHT_5_MINUS: [u32; 10] = [0, 5, 9, 4, 8, 3, 7, 2, 6, 1];

/// The check digit of a 4- or 5-digit price or weight field in a variable-measure (restricted
/// circulation) GTIN, per GS1 General Specifications §7.9.3–7.9.4; `None` for any other input.
pub fn price_weight_check_digit(digits: &str) -> Option<u32> {
    let d: Vec<usize> = digits
        .chars()
        .map(|c| c.is_ascii_digit().then(|| c as usize - '0' as usize))
        .collect::<Option<_>>()?;
    match d.as_slice() {
        [a, b, c, e] => {
            let sum = WEIGHT_2_MINUS[*a] + WEIGHT_2_MINUS[*b] + WEIGHT_3[*c] + WEIGHT_5_MINUS[*e];
            Some(sum * 3 % 10)
        }
        [a, b, c, e, f] => {
            let sum = WEIGHT_5_PLUS[*a]
                + WEIGHT_2_MINUS[*b]
                + WEIGHT_5_MINUS[*c]
                + WEIGHT_5_PLUS[*e]
                + WEIGHT_2_MINUS[*f];
            let target = (10 - sum % 10) % 10;
            (0..10u32).find(|&digit| WEIGHT_5_MINUS[digit as usize] == target)
        }
        _ => None,
    }
}

const CSET82: &str =
    "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
const CSET39: &str = "#-/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// The first character of `value` outside the character set, with its index.
pub fn invalid_char(cset: Cset, value: &str) -> Option<(usize, char)> {
    value.chars().enumerate().find(|(_, c)| match cset {
        Cset::Numeric => !c.is_ascii_digit(),
        Cset::Cset82 => !CSET82.contains(*c),
        Cset::Cset39 => !CSET39.contains(*c),
        Cset::Base64Url => !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'),
    })
}

/// A YYMMDD date by the GS1 century rule (a year more than 50 ahead is last century, more than
/// 49 behind is next century); with `day_zero`, day 00 means the last day of the month.
pub fn gs1_date(value: &str, today_year: i32, day_zero: bool) -> Option<NaiveDate> {
    if value.len() != 6 || !value.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let yy: i32 = value[0..2].parse().ok()?;
    let month: u32 = value[2..4].parse().ok()?;
    let day: u32 = value[4..6].parse().ok()?;
    let current = today_year % 100;
    let century = today_year - current;
    let diff = yy - current;
    let year = if diff >= 51 {
        century - 100 + yy
    } else if diff <= -50 {
        century + 100 + yy
    } else {
        century + yy
    };
    if day == 0 {
        if !day_zero {
            return None;
        }
        let first_next = if month == 12 {
            NaiveDate::from_ymd_opt(year + 1, 1, 1)?
        } else {
            NaiveDate::from_ymd_opt(year, month + 1, 1)?
        };
        // Month must itself be valid.
        NaiveDate::from_ymd_opt(year, month, 1)?;
        return first_next.pred_opt();
    }
    NaiveDate::from_ymd_opt(year, month, day)
}

/// A YYYYMMDD date.
pub fn full_date(value: &str) -> Option<NaiveDate> {
    if value.len() != 8 || !value.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    NaiveDate::from_ymd_opt(
        value[0..4].parse().ok()?,
        value[4..6].parse().ok()?,
        value[6..8].parse().ok()?,
    )
}
