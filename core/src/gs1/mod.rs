//! GS1 barcode data: Application Identifier element strings as scanners deliver them.
//!
//! [`parse`] accepts the raw data of a GS1-128, DataMatrix, QR or DataBar scan, with or without an
//! AIM symbology identifier (`]C1`, `]d2`, `]Q3`, `]e0`, …) and with FNC1 written as `^` or
//! transmitted as GS (0x1D), and the human-readable bracketed form `(01)…(17)…`. Every AI is
//! checked against the GS1 Barcode Syntax Dictionary: length, character set, check digit, dates.
//! Errors name the AI and the position.

mod check;
mod codes;
mod dictionary;
mod digital_link;
mod interpret;
pub mod lint;
mod pairing;
mod prefixes;

use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

pub use check::{check_digit, gs1_date, has_valid_check_digit, price_weight_check_digit};
pub use dictionary::{AiSpec, Component, Cset, Dictionary, SYNTAX_DICTIONARY, dictionary};
pub use interpret::{
    Gtin, GtinFormat, Readings, Upc, UpcFormat, read_any, read_any_on, read_any_with,
};
pub use pairing::check_pairings;
pub use prefixes::company_prefix_length;

/// Whether the dictionary's linters run: always, except while `dockhand bench` measures a scan
/// without them, to give their cost against the same scan in the same run.
static LINTERS_ON: AtomicBool = AtomicBool::new(true);

/// Turns the dictionary's linters off (`false`) or back on, process-wide. Only for benchmarks:
/// without linters bad data (wrong country codes, check pairs, coupons) is accepted.
#[doc(hidden)]
pub fn set_linters_for_benchmark(on: bool) {
    LINTERS_ON.store(on, Ordering::Relaxed);
}

/// The GS (group separator) a scanner sends for FNC1 between variable-length fields.
pub const GS: char = '\u{1d}';

/// A typed AI value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Gs1Value {
    /// A GTIN (AI 01, 02, 03), 14 digits with a valid check digit.
    Gtin(String),
    /// An SSCC (AI 00), 18 digits with a valid check digit.
    Sscc(String),
    /// A GLN (AI 410–417 and others), 13 digits with a valid check digit.
    Gln(String),
    /// A date.
    Date(NaiveDate),
    /// An exact decimal: `units` × 10^-`scale` (AIs 310n–369n, 390n–395n…).
    Decimal {
        /// The digits as an integer.
        units: i64,
        /// Decimal places.
        scale: u32,
    },
    /// A count (AI 30, 37).
    Count(i64),
    /// Text as given (lot, serial, …).
    Text(String),
}

/// One AI and its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Element {
    /// The AI.
    pub ai: String,
    /// The data as scanned.
    pub raw: String,
    /// The typed value.
    pub value: Gs1Value,
    /// The AI's title from the dictionary.
    pub title: String,
}

/// Why data did not parse: what, at which AI, at which character position of the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[error("{message} (at position {position}{ai_text})", ai_text = ai.as_deref().map(|a| format!(", AI ({a})")).unwrap_or_default())]
pub struct Gs1Error {
    /// The AI concerned, when known.
    pub ai: Option<String>,
    /// Character position in the input (0-based).
    pub position: usize,
    /// What is wrong.
    pub message: String,
}

fn fail(ai: Option<&str>, position: usize, message: impl Into<String>) -> Gs1Error {
    Gs1Error {
        ai: ai.map(str::to_string),
        position,
        message: message.into(),
    }
}

/// What may separate variable-length fields: FNC1 written as `^`, GS as sent by scanners, and `|`
/// (a common scanner setting for GS). None of them belongs to the GS1 character sets.
const SEPARATORS: [char; 3] = ['^', GS, '|'];

/// Symbology identifiers whose data is GS1 AI element strings.
const GS1_SYMBOLOGIES: &[&str] = &["]C1", "]e0", "]e1", "]e2", "]d2", "]Q3", "]J1"];

/// Parses scanned GS1 data in any form a scanner or a person produces (see the module docs).
///
/// Only data that says it is GS1 is read as GS1: a GS1 symbology identifier, FNC1 first (`^` or
/// GS), a GS between fields (a scanner that drops the leading FNC1 still sends the others), the
/// bracketed form or a Digital Link URI. Plain digits are refused: `991234` on a warehouse label
/// is not AI (99) "1234". Data known to be element strings goes to [`parse_element_strings`].
pub fn parse(input: &str) -> Result<Vec<Element>, Gs1Error> {
    parse_on(input, chrono::Utc::now().year())
}

/// Whether data without a symbology identifier marks itself as GS1 element strings (FNC1 first,
/// a GS between fields, or brackets).
pub(crate) fn marked_as_gs1(data: &str) -> bool {
    data.starts_with(['^', GS, '(']) || data.contains(GS)
}

/// At most 24 characters of `text` for an error message, with `…` when cut.
fn prefix_of(text: &str) -> String {
    match head(text, 24) {
        Some(head) => format!("{head}…"),
        None => text.to_string(),
    }
}

/// The first `chars` characters of `text` when it has more (a message quotes a long value by its
/// start), `None` when it has no more.
pub(crate) fn head(text: &str, chars: usize) -> Option<&str> {
    text.char_indices().nth(chars).map(|(i, _)| &text[..i])
}

/// Why plain data is not read as GS1, naming the forms that are.
fn plain_data(data: &str, offset: usize) -> Gs1Error {
    fail(
        None,
        offset,
        format!(
            "{:?} is plain data, not GS1: element strings start with FNC1 (^ or GS) or a GS1 \
             symbology identifier (]C1, ]d2, ]Q3, ]e0), or are written bracketed as (01)…",
            prefix_of(data)
        ),
    )
}

/// Element strings the caller knows are GS1 data (the payload of a GS1-128 or GS1 DataMatrix
/// with its leading FNC1 stripped), with or without separators; bracketed input too.
pub fn parse_element_strings(data: &str) -> Result<Vec<Element>, Gs1Error> {
    parse_element_strings_on(data, chrono::Utc::now().year())
}

/// [`parse_element_strings`] with the year dates are judged against, for tests.
pub fn parse_element_strings_on(data: &str, today_year: i32) -> Result<Vec<Element>, Gs1Error> {
    element_strings(data, 0, today_year)
}

/// Choices GS1's reference engine leaves to its caller; all off by default, as there.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Accept a zero-suppressed GTIN (8, 12 or 13 digits) for (01), (02) and (03) in a Digital
    /// Link URI and read it as its 14 digits: the legacy form of URI syntax before 1.4, which
    /// GS1's engine takes only with `permitZeroSuppressedGTINinDLuris`. Off, it is refused.
    pub zero_suppressed_gtin_in_digital_link: bool,
}

/// [`parse`] with the year dates are judged against (the GS1 century rule), for tests.
pub fn parse_on(input: &str, today_year: i32) -> Result<Vec<Element>, Gs1Error> {
    parse_with(input, today_year, Options::default())
}

/// [`parse_on`] with [`Options`].
pub fn parse_with(
    input: &str,
    today_year: i32,
    options: Options,
) -> Result<Vec<Element>, Gs1Error> {
    let mut offset = 0;
    let mut data = input;
    if let Some(id) = data.get(..3).filter(|p| p.starts_with(']')) {
        let rest = &data[3..];
        if !GS1_SYMBOLOGIES.contains(&id) && !digital_link::is_uri(rest) {
            return Err(fail(
                None,
                0,
                format!("symbology identifier {id} does not carry GS1 element strings"),
            ));
        }
        data = rest;
        offset = 3;
    }
    if digital_link::is_uri(data) {
        return digital_link::parse(data, offset, today_year, options);
    }
    if offset == 0 && !marked_as_gs1(data) {
        return Err(plain_data(data, 0));
    }
    element_strings(data, offset, today_year)
}

/// Element strings, bracketed or raw with separators, starting at `offset` of the input.
fn element_strings(
    mut data: &str,
    mut offset: usize,
    today_year: i32,
) -> Result<Vec<Element>, Gs1Error> {
    if data.starts_with('(') {
        return parse_bracketed(data, offset, today_year);
    }
    while let Some(rest) = data.strip_prefix(SEPARATORS) {
        data = rest;
        offset += 1;
    }
    if data.is_empty() {
        return Err(fail(None, offset, "no data"));
    }
    let mut elements = Vec::new();
    let mut pos = 0;
    while pos < data.len() {
        let at = offset + pos;
        let rest = &data[pos..];
        let spec = dictionary().at_start(rest).ok_or_else(|| {
            fail(
                None,
                at,
                format!(
                    "no GS1 Application Identifier starts {:?}",
                    rest.chars().take(4).collect::<String>()
                ),
            )
        })?;
        let value_start = pos + spec.ai.len();
        let value_end = match spec.fixed_length().filter(|_| spec.predefined_length) {
            Some(n) => {
                // GS1 data is ASCII: a fixed length that ends inside another character is bad data.
                if let Some((i, c)) = data[value_start..]
                    .char_indices()
                    .take_while(|(i, _)| *i < n)
                    .find(|(_, c)| !c.is_ascii())
                {
                    return Err(fail(
                        Some(&spec.ai),
                        offset + value_start + i,
                        format!("({}) may not contain {c:?}", spec.ai),
                    ));
                }
                if data.len() < value_start + n {
                    return Err(fail(
                        Some(&spec.ai),
                        at,
                        format!(
                            "({}) needs {n} characters, got {}",
                            spec.ai,
                            data.len() - value_start
                        ),
                    ));
                }
                value_start + n
            }
            None => data[value_start..]
                .find(SEPARATORS)
                .map_or(data.len(), |i| value_start + i),
        };
        let raw = &data[value_start..value_end];
        elements.push(element(spec, raw, offset + value_start, today_year)?);
        pos = value_end;
        // Scanners may repeat a separator; none of these characters can be data.
        while data[pos..].starts_with(SEPARATORS) {
            pos += 1;
        }
    }
    Ok(elements)
}

fn parse_bracketed(data: &str, offset: usize, today_year: i32) -> Result<Vec<Element>, Gs1Error> {
    let mut elements = Vec::new();
    let chars: Vec<(usize, char)> = data.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let (start, c) = chars[i];
        if c != '(' {
            return Err(fail(None, offset + start, "expected '(' starting an AI"));
        }
        let close = chars[i..]
            .iter()
            .position(|(_, c)| *c == ')')
            .map(|n| i + n)
            .ok_or_else(|| fail(None, offset + start, "unclosed '(' of an AI"))?;
        let ai: String = chars[i + 1..close].iter().map(|(_, c)| c).collect();
        let spec = dictionary().get(&ai).ok_or_else(|| {
            fail(
                Some(&ai),
                offset + start,
                format!("({ai}) is not a GS1 Application Identifier"),
            )
        })?;
        let mut value = String::new();
        let mut j = close + 1;
        while j < chars.len() && chars[j].1 != '(' {
            if chars[j].1 == '\\' && chars.get(j + 1).is_some_and(|(_, c)| *c == '(') {
                j += 1;
            }
            value.push(chars[j].1);
            j += 1;
        }
        let value_at = chars.get(close + 1).map_or(data.len(), |(p, _)| *p);
        elements.push(element(spec, &value, offset + value_at, today_year)?);
        i = j;
    }
    if elements.is_empty() {
        return Err(fail(None, offset, "no data"));
    }
    Ok(elements)
}

/// Checks a value against its AI's components and types it.
fn element(spec: &AiSpec, raw: &str, at: usize, today_year: i32) -> Result<Element, Gs1Error> {
    let ai = spec.ai.as_str();
    if raw.is_empty() {
        return Err(fail(Some(ai), at, format!("({ai}) has no data")));
    }
    if let Some((i, c)) = raw.char_indices().find(|(_, c)| !c.is_ascii()) {
        return Err(fail(
            Some(ai),
            at + i,
            format!("({ai}) may not contain {c:?}"),
        ));
    }
    if raw.chars().count() > spec.max_length() {
        return Err(fail(
            Some(ai),
            at,
            format!(
                "({ai}) is at most {} characters, got {}",
                spec.max_length(),
                raw.chars().count()
            ),
        ));
    }
    let mut pos = 0;
    for component in &spec.components {
        let left = raw.len() - pos;
        if left == 0 {
            if component.optional {
                break;
            }
            return Err(fail(Some(ai), at + pos, format!("({ai}) is too short")));
        }
        let take = if component.min == component.max {
            component.max
        } else {
            left.min(component.max)
        };
        if take > left {
            return Err(fail(
                Some(ai),
                at + pos,
                format!("({ai}) needs {} characters here, got {left}", take),
            ));
        }
        let part = &raw[pos..pos + take];
        if let Some((i, c)) = check::invalid_char(component.cset, part) {
            return Err(fail(
                Some(ai),
                at + pos + i,
                format!("({ai}) may not contain {c:?}"),
            ));
        }
        // (4324)/(4325): time 9999 means "no time", by the GS1 General Specifications.
        let no_time = matches!(ai, "4324" | "4325") && part == "9999";
        let skip = no_time || !LINTERS_ON.load(Ordering::Relaxed);
        for linter in component.linters.iter().filter(|_| !skip) {
            lint::lint(linter, part, today_year).map_err(|e| {
                fail(
                    Some(ai),
                    at + pos + e.offset,
                    format!("({ai}) {}", e.reason),
                )
            })?;
        }
        pos += take;
    }
    if pos < raw.len() {
        return Err(fail(Some(ai), at + pos, format!("({ai}) is too long")));
    }
    Ok(Element {
        ai: ai.to_string(),
        raw: raw.to_string(),
        value: typed(spec, raw, today_year),
        title: spec.title.clone(),
    })
}

fn typed(spec: &AiSpec, raw: &str, today_year: i32) -> Gs1Value {
    let ai = spec.ai.as_str();
    let first = spec.components.first();
    let date_linter = first.and_then(|c| c.linters.iter().find(|l| l.starts_with("yymmd")));
    match ai {
        "00" => Gs1Value::Sscc(raw.into()),
        "01" | "02" | "03" => Gs1Value::Gtin(raw.into()),
        "30" | "37" => raw
            .parse()
            .map(Gs1Value::Count)
            .unwrap_or(Gs1Value::Text(raw.into())),
        _ if ai.starts_with("41") && ai.len() == 3 => Gs1Value::Gln(raw.into()),
        _ if date_linter.is_some() && raw.len() >= 6 => {
            // A date with a time after it (7003, 7011, 4324…) is typed by its date.
            gs1_date(
                &raw[..6],
                today_year,
                date_linter.is_some_and(|l| l == "yymmd0"),
            )
            .map(Gs1Value::Date)
            .unwrap_or(Gs1Value::Text(raw.into()))
        }
        _ if is_decimal_ai(ai) => {
            let scale = ai[3..].parse().unwrap_or(0);
            let digits = if ai.starts_with("39") && matches!(&ai[..3], "391" | "393" | "395") {
                // Currency-prefixed amounts: ISO 4217 code first.
                &raw[3.min(raw.len())..]
            } else {
                raw
            };
            digits
                .parse()
                .map(|units| Gs1Value::Decimal { units, scale })
                .unwrap_or(Gs1Value::Text(raw.into()))
        }
        _ => Gs1Value::Text(raw.into()),
    }
}

/// AIs whose last digit is the number of decimal places (310n–369n, 390n–395n, 7007…).
fn is_decimal_ai(ai: &str) -> bool {
    ai.len() == 4
        && (matches!(&ai[..2], "31" | "32" | "33" | "34" | "35" | "36")
            || matches!(&ai[..3], "390" | "391" | "392" | "393" | "394" | "395"))
}

impl std::fmt::Display for Gs1Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Gs1Value::Decimal { units, scale } => {
                let s = units.abs().to_string();
                let scale = *scale as usize;
                let padded = format!("{s:0>width$}", width = scale + 1);
                let (int, frac) = padded.split_at(padded.len() - scale);
                let sign = if *units < 0 { "-" } else { "" };
                if scale == 0 {
                    write!(f, "{sign}{int}")
                } else {
                    write!(f, "{sign}{int}.{frac}")
                }
            }
            Gs1Value::Date(d) => write!(f, "{d}"),
            Gs1Value::Count(n) => write!(f, "{n}"),
            Gs1Value::Gtin(s) | Gs1Value::Sscc(s) | Gs1Value::Gln(s) | Gs1Value::Text(s) => {
                f.write_str(s)
            }
        }
    }
}

/// The human-readable bracketed form, `(01)04012345000016(10)L1`; a `(` in data is escaped `\(`.
pub fn to_hri(elements: &[Element]) -> String {
    elements
        .iter()
        .map(|e| format!("({}){}", e.ai, e.raw.replace('(', "\\(")))
        .collect()
}

/// The elements as a GS1 Digital Link URI (see [`digital_link::to_uri`]); `None` domain gives the
/// canonical `https://id.gs1.org/…` form.
pub fn to_digital_link(
    elements: &[Element],
    domain: Option<&str>,
    prefix: Option<&str>,
) -> Result<String, Gs1Error> {
    digital_link::to_uri(elements, domain, prefix)
}

fn key_digits(kind: &str, input: &str, lengths: &[usize]) -> Result<(), Gs1Error> {
    if let Some((i, c)) = input.chars().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
        return Err(fail(
            None,
            i,
            format!("{kind} {input:?} has a non-digit {c:?}"),
        ));
    }
    if !lengths.contains(&input.len()) {
        let wanted: Vec<String> = lengths.iter().map(usize::to_string).collect();
        return Err(fail(
            None,
            0,
            format!(
                "{kind} {input} has {} digits, expected {}",
                input.len(),
                wanted.join(" or ")
            ),
        ));
    }
    if !has_valid_check_digit(input) {
        let expected = check_digit(&input[..input.len() - 1]).unwrap_or_default();
        return Err(fail(
            None,
            input.len() - 1,
            format!(
                "{kind} {input} has check digit {}, expected {expected}",
                &input[input.len() - 1..]
            ),
        ));
    }
    Ok(())
}

/// A GTIN-8, -12, -13 or -14 with a valid check digit, as the 14-digit GTIN.
pub fn parse_gtin(input: &str) -> Result<String, Gs1Error> {
    key_digits("GTIN", input, &[8, 12, 13, 14])?;
    Ok(format!("{input:0>14}"))
}

/// An SSCC: 18 digits with a valid check digit.
pub fn parse_sscc(input: &str) -> Result<String, Gs1Error> {
    key_digits("SSCC", input, &[18])?;
    Ok(input.to_string())
}

/// An SSCC as printed under its barcode: extension digit, GS1 Company Prefix, serial reference,
/// check digit (`3 5708130 046984695 0`). The company prefix length (6 to 12 digits) is not in the
/// number: a warehouse knows it for its own SSCCs, [`company_prefix_length`] finds it in GS1's
/// prefix list for others; without it the prefix and serial reference stay one group
/// (`3 7613032110910342 0`).
pub fn sscc_hri(sscc: &str, company_prefix_length: Option<usize>) -> Result<String, Gs1Error> {
    key_digits("SSCC", sscc, &[18])?;
    let (extension, body, check) = (&sscc[..1], &sscc[1..17], &sscc[17..]);
    Ok(match company_prefix_length {
        None => format!("{extension} {body} {check}"),
        Some(n @ 6..=12) => format!("{extension} {} {} {check}", &body[..n], &body[n..]),
        Some(n) => {
            return Err(fail(
                None,
                1,
                format!("a GS1 Company Prefix has 6 to 12 digits, not {n}"),
            ));
        }
    })
}

/// [`sscc_hri`] grouped by the company prefix GS1's prefix list gives the SSCC, if it lists one.
pub fn sscc_hri_listed(sscc: &str) -> Result<String, Gs1Error> {
    let prefix = sscc.get(1..).and_then(company_prefix_length);
    sscc_hri(sscc, prefix)
}

/// A GLN: 13 digits with a valid check digit.
pub fn parse_gln(input: &str) -> Result<String, Gs1Error> {
    key_digits("GLN", input, &[13])?;
    Ok(input.to_string())
}

/// An AIM symbology identifier at the start of scanned data (`]C1`, `]d2`, `]E0`, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SymbologyIdentifier {
    /// The identifier as sent, e.g. `]d2`.
    pub value: String,
    /// The symbology code character (`C` Code 128, `d` Data Matrix, `Q` QR, `E` EAN/UPC…).
    pub iso_symbology: char,
    /// The modifier(s).
    pub modifiers: String,
    /// Whether it announces GS1 data (GS1-128, GS1 DataMatrix/QR/DotCode, DataBar, EAN/UPC, ITF-14).
    pub gs1: bool,
}

/// The symbology identifier `input` starts with, if any. `]Y` (system expansion) takes a digit n
/// and n more characters; every other symbology one modifier character.
pub fn symbology_identifier(input: &str) -> Option<SymbologyIdentifier> {
    let mut chars = input.strip_prefix(']')?.chars();
    let iso_symbology = chars.next().filter(char::is_ascii_alphanumeric)?;
    let first = chars.next()?;
    let mut modifiers = first.to_string();
    if iso_symbology == 'Y' {
        let extra = first.to_digit(10)? as usize;
        let more: String = chars.by_ref().take(extra).collect();
        if more.chars().count() != extra {
            return None;
        }
        modifiers.push_str(&more);
    }
    let code = format!("{iso_symbology}{modifiers}");
    let gs1 = matches!(
        code.as_str(),
        "C1" | "e0" | "e1" | "e2" | "d2" | "Q3" | "J1" | "I1" | "E0" | "E1" | "E2" | "E3" | "E4"
    );
    Some(SymbologyIdentifier {
        value: format!("]{code}"),
        iso_symbology,
        modifiers,
        gs1,
    })
}
