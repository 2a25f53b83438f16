//! ZPL II for Zebra printers: text fields escaped so nothing in a name can end a field or start a
//! command, and Code 128 field data written with explicit invocation codes (`>;` start C, `>:`
//! start B, `>6` switch to B, `>8` FNC1), so what the printer encodes is decided here and not by
//! a firmware's automatic mode.
//!
//! The encoding keeps to what every ZPL engine we could test agrees on: one start code, at most
//! one switch (from C to B, never back) and never a lone character after the switch. A digit run
//! is packed two to a symbol in subset C as long as it lasts; the rest is subset B.

use crate::error::{Error, Result};

/// One token of Code 128 data: a character, or the FNC1 function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token {
    /// FNC1: first, it marks GS1 data; later, it ends a variable-length field.
    Fnc1,
    /// A printable ASCII character.
    Char(u8),
}

/// Code 128 field data in ZPL's notation, and how many modules wide the symbol is without its
/// quiet zones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Code128 {
    /// What goes between `^FD` and `^FS` of a `^BC` field in mode N.
    pub field_data: String,
    /// Width in modules (start, data, check symbol, stop).
    pub modules: usize,
}

/// Data a Code 128 field can carry: printable ASCII other than `>` (which ZPL engines disagree
/// on), `^` and `~` (ZPL's command prefixes). The error names the character, its position and a
/// short prefix of the value.
pub fn check_printable(what: &str, value: &str) -> Result<()> {
    if value.is_empty() {
        return Err(Error::invalid(what, "is empty: a barcode needs some data"));
    }
    if let Some((i, c)) = value
        .chars()
        .enumerate()
        .find(|(_, c)| !(' '..='~').contains(c) || matches!(c, '>' | '^' | '~'))
    {
        return Err(Error::invalid(
            what,
            format!(
                "{:?} has {c:?} at character {}, which a Code 128 label field cannot carry; use \
                 letters, digits and punctuation other than > ^ ~",
                crate::error::short(value),
                i + 1
            ),
        ));
    }
    Ok(())
}

/// Encodes `tokens` for `^BC` in mode N (after [`check_printable`] of the data). `what` names the barcode in errors.
pub fn code128(what: &str, tokens: &[Token]) -> Result<Code128> {
    if let Some(bad) = tokens.iter().find_map(|t| match *t {
        Token::Char(c) if !(b' '..=b'~').contains(&c) || matches!(c, b'>' | b'^' | b'~') => Some(c),
        _ => None,
    }) {
        return Err(Error::invalid(
            what,
            format!(
                "{:?} cannot be printed in a Code 128 label field; use letters, digits and \
                 punctuation other than > ^ ~",
                char::from(bad)
            ),
        ));
    }
    if tokens.iter().all(|t| *t == Token::Fnc1) {
        return Err(Error::invalid(what, "a barcode needs some data"));
    }
    let mut in_c = subset_c_prefix(tokens);
    // Never leave one character alone after the switch: hand the last pair to subset B too.
    if tokens.len() - in_c == 1 && in_c >= 2 {
        in_c -= if tokens[in_c - 1] == Token::Fnc1 {
            1
        } else {
            2
        };
    }
    let digits_in_c = tokens[..in_c].iter().filter(|t| **t != Token::Fnc1).count();
    // Subset C pays for itself from four digits on.
    if digits_in_c < 4 {
        in_c = 0;
    }
    let mut field = String::new();
    let mut symbols = 1; // start
    field.push_str(if in_c > 0 { ">;" } else { ">:" });
    let mut i = 0;
    while i < in_c {
        match tokens[i] {
            Token::Fnc1 => {
                field.push_str(">8");
                i += 1;
            }
            Token::Char(a) => {
                let Token::Char(b) = tokens[i + 1] else {
                    return Err(Error::Internal("subset C pair split by FNC1".into()));
                };
                field.push(char::from(a));
                field.push(char::from(b));
                i += 2;
            }
        }
        symbols += 1;
    }
    if in_c > 0 && in_c < tokens.len() {
        field.push_str(">6");
        symbols += 1;
    }
    for t in &tokens[in_c..] {
        match *t {
            Token::Fnc1 => field.push_str(">8"),
            Token::Char(c) => field.push(char::from(c)),
        }
        symbols += 1;
    }
    // Check symbol, then the stop pattern of 13 modules.
    Ok(Code128 {
        field_data: field,
        modules: (symbols + 1) * 11 + 13,
    })
}

/// How many leading tokens subset C can carry: FNC1s and digit pairs.
fn subset_c_prefix(tokens: &[Token]) -> usize {
    let digit = |t: Option<&Token>| matches!(t, Some(Token::Char(c)) if c.is_ascii_digit());
    let mut i = 0;
    loop {
        match tokens.get(i) {
            Some(Token::Fnc1) => i += 1,
            Some(_) if digit(tokens.get(i)) && digit(tokens.get(i + 1)) => i += 2,
            _ => return i,
        }
    }
}

/// A text field: `^FH` hex escapes (`_XX`, UTF-8 bytes under `^CI28`) for anything that is not
/// plain printable ASCII or that ZPL reads as a command (`^`, `~`) or as the escape (`_`); control
/// characters are dropped. At most `max_chars` characters are printed, the cut marked with `…`.
pub fn text_field(text: &str, max_chars: usize) -> String {
    let clean: String = text.chars().filter(|c| !c.is_control()).collect();
    let shown: String = if clean.chars().count() > max_chars {
        clean
            .chars()
            .take(max_chars.saturating_sub(1))
            .chain(['…'])
            .collect()
    } else {
        clean
    };
    let mut out = String::with_capacity(shown.len() + 8);
    for c in shown.chars() {
        if c.is_ascii() && !c.is_ascii_control() && !matches!(c, '^' | '~' | '_') {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("_{b:02X}"));
            }
        }
    }
    format!("^FH^FD{out}^FS")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn tokens(gs1: &str) -> Vec<Token> {
        std::iter::once(Token::Fnc1)
            .chain(gs1.bytes().map(|b| {
                if b == b'|' {
                    Token::Fnc1
                } else {
                    Token::Char(b)
                }
            }))
            .collect()
    }

    #[test]
    fn an_sscc_is_all_subset_c() {
        let c = code128("sscc", &tokens("00376130321109103420")).unwrap();
        assert_eq!(c.field_data, ">;>800376130321109103420");
        // start, FNC1, 10 pairs, check: 13 symbols of 11 modules, and the stop's 13.
        assert_eq!(c.modules, 13 * 11 + 13);
    }

    #[test]
    fn digits_go_in_pairs_then_one_switch_to_b() {
        let c = code128("content", &tokens("0203761234500016375|10AB-12")).unwrap();
        assert_eq!(c.field_data, ">;>8020376123450001637>65>810AB-12");
        let c = code128("content", &tokens("0203761234500016375")).unwrap();
        // One digit left over: the last pair goes with it, so B never holds one character.
        assert_eq!(c.field_data, ">;>80203761234500016>6375");
    }

    #[test]
    fn short_or_lettered_data_starts_in_b() {
        assert_eq!(
            code128("location", &[Token::Char(b'A'), Token::Char(b'1')])
                .unwrap()
                .field_data,
            ">:A1"
        );
        assert_eq!(
            code128("lot", &tokens("10A")).unwrap().field_data,
            ">:>810A"
        );
    }

    #[test]
    fn characters_zpl_would_read_as_commands_are_refused() {
        for bad in ["A>B", "A^B", "A~B", "Å"] {
            let t: Vec<Token> = bad.bytes().map(Token::Char).collect();
            let e = code128("location", &t).unwrap_err().to_string();
            assert!(e.contains("cannot be printed"), "{bad}: {e}");
        }
    }

    #[test]
    fn text_is_escaped_and_cut() {
        assert_eq!(text_field("A^B~C_D", 20), "^FH^FDA_5EB_7EC_5FD^FS");
        assert_eq!(text_field("Åse", 20), "^FH^FD_C3_85se^FS");
        assert_eq!(text_field("abcdef", 4), "^FH^FDabc_E2_80_A6^FS");
        assert_eq!(text_field("a\nb", 4), "^FH^FDab^FS");
    }
}
