//! The GS1 arithmetic both sides need: the mod-10 check digit of keys (GTIN, SSCC, GLN), and a
//! GTIN in its 14-digit form. The device's full GS1 parser (element strings, Digital Link, the
//! dictionary's linters) builds on these.

/// The GS1 mod-10 check digit of `digits` (all but the check digit itself).
pub fn check_digit(digits: &str) -> Option<u32> {
    let mut sum = 0;
    for (i, c) in digits.chars().rev().enumerate() {
        let d = c.to_digit(10)?;
        sum += if i % 2 == 0 { d * 3 } else { d };
    }
    Some((10 - sum % 10) % 10)
}

/// Whether the last digit of `digits` is its GS1 check digit.
pub fn has_valid_check_digit(digits: &str) -> bool {
    let Some((body, last)) = digits.len().checked_sub(1).map(|n| digits.split_at(n)) else {
        return false;
    };
    !body.is_empty()
        && check_digit(body).is_some()
        && last.chars().next().and_then(|c| c.to_digit(10)) == check_digit(body)
}

/// A GTIN-8, -12, -13 or -14 with a valid check digit, as 14 digits; `None` for anything else.
pub fn gtin14(code: &str) -> Option<String> {
    let fits = matches!(code.len(), 8 | 12 | 13 | 14)
        && code.bytes().all(|b| b.is_ascii_digit())
        && has_valid_check_digit(code);
    fits.then(|| format!("{code:0>14}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_digits_of_published_keys() {
        // GS1's own examples: a GTIN-13 and an SSCC.
        assert_eq!(check_digit("400638133393"), Some(1));
        assert!(has_valid_check_digit("4006381333931"));
        assert!(!has_valid_check_digit("4006381333932"));
        assert!(has_valid_check_digit("376130321109103420"));
        assert_eq!(check_digit("12a"), None);
        assert!(!has_valid_check_digit("7"));
    }

    #[test]
    fn gtins_are_padded_to_fourteen_digits_and_others_refused() {
        assert_eq!(gtin14("4006381333931").as_deref(), Some("04006381333931"));
        assert_eq!(gtin14("96385074").as_deref(), Some("00000096385074"));
        assert_eq!(gtin14("4006381333932"), None, "wrong check digit");
        assert_eq!(gtin14("SKU-1"), None);
        assert_eq!(gtin14("376130321109103420"), None, "an SSCC is no GTIN");
    }
}
