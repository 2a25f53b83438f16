//! Every reading of one barcode payload, side by side: a bare GTIN, a UPC-A or UPC-E (with its
//! expansion), an SSCC, GS1 element strings, a Digital Link URI — each with its value or the
//! reason it is not that.
//!
//! A scanner without symbology identifiers sends `96385074` for a GTIN-8 and for the element
//! string (96) 385074 alike. GS1 data marks itself (FNC1 first, a GS between fields, a GS1
//! symbology identifier, brackets, a Digital Link URI); plain digits are read as a GTIN, UPC or
//! SSCC only, and their element-string reading is kept apart as an explanation, never as data.
//! With an AIM identifier the symbology narrows the readings: EAN/UPC and ITF-14 carry a GTIN,
//! GS1-128, GS1 DataMatrix/QR/DotCode and DataBar carry element strings, QR and Data Matrix may
//! carry a Digital Link URI. One reading feeds another: the GTIN of (01) is read as a GTIN, a
//! GTIN-12 as a UPC-A, a UPC-E as the GTIN of its UPC-A expansion.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use super::{
    Element, Gs1Error, Options, SymbologyIdentifier, check_digit, digital_link, element_strings,
    fail, marked_as_gs1, parse_gtin, parse_sscc, symbology_identifier,
};

/// The length a GTIN has once its leading zeros are dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum GtinFormat {
    /// Up to 8 significant digits (EAN-8).
    #[serde(rename = "GTIN-8")]
    Gtin8,
    /// Up to 12 significant digits (UPC-A).
    #[serde(rename = "GTIN-12")]
    Gtin12,
    /// 13 significant digits (EAN-13).
    #[serde(rename = "GTIN-13")]
    Gtin13,
    /// 14 significant digits (ITF-14, cases and pallets).
    #[serde(rename = "GTIN-14")]
    Gtin14,
}

impl GtinFormat {
    /// The name GS1 uses, e.g. `GTIN-13`.
    pub fn as_str(self) -> &'static str {
        match self {
            GtinFormat::Gtin8 => "GTIN-8",
            GtinFormat::Gtin12 => "GTIN-12",
            GtinFormat::Gtin13 => "GTIN-13",
            GtinFormat::Gtin14 => "GTIN-14",
        }
    }
}

/// A GTIN read from a payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gtin {
    /// The digits as read (8, 12, 13 or 14 of them).
    pub value: String,
    /// Its format by significant digits.
    pub format: GtinFormat,
    /// The same GTIN as 14 digits.
    pub gtin14: String,
}

/// UPC-A (12 digits) or UPC-E (the zero-suppressed 6-, 7- or 8-digit form).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UpcFormat {
    /// 12 digits.
    UpcA,
    /// Zero-suppressed.
    UpcE,
}

/// A UPC read from a payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Upc {
    /// The digits as read.
    pub value: String,
    /// UPC-A or UPC-E.
    pub format: UpcFormat,
    /// The number system digit (0 or 1 for UPC-E).
    pub number_system_digit: u32,
    /// The digits without the check digit (11 for UPC-A, 7 for UPC-E).
    pub payload: String,
    /// The check digit, read or (for 6- and 7-digit UPC-E) computed.
    pub check_digit: u32,
    /// The 12-digit UPC-A it stands for.
    pub upc_a: String,
}

/// Every reading of one payload; `None` where the symbology rules a reading out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Readings {
    /// The payload as given.
    pub value: String,
    /// Its AIM symbology identifier, if it starts with one.
    pub symbology: Option<SymbologyIdentifier>,
    /// As a GTIN.
    pub gtin: Option<Result<Gtin, Gs1Error>>,
    /// As a UPC-A or UPC-E.
    pub upc: Option<Result<Upc, Gs1Error>>,
    /// As an SSCC.
    pub sscc: Option<Result<String, Gs1Error>>,
    /// As GS1 element strings: only for data marked as GS1 (symbology identifier, FNC1, GS,
    /// brackets).
    pub element_strings: Option<Result<Vec<Element>, Gs1Error>>,
    /// What plain data (no mark of GS1) would mean as element strings had its barcode carried
    /// FNC1: it explains a label printed without FNC1 and is never GS1 data, so it feeds no GTIN
    /// or SSCC reading and does not make the scan readable.
    pub plain_element_strings: Option<Result<Vec<Element>, Gs1Error>>,
    /// As a GS1 Digital Link URI.
    pub digital_link: Option<Result<Vec<Element>, Gs1Error>>,
}

impl Readings {
    /// Whether any reading succeeded.
    pub fn any_ok(&self) -> bool {
        self.gtin.as_ref().is_some_and(Result::is_ok)
            || self.upc.as_ref().is_some_and(Result::is_ok)
            || self.sscc.as_ref().is_some_and(Result::is_ok)
            || self.element_strings.as_ref().is_some_and(Result::is_ok)
            || self.digital_link.as_ref().is_some_and(Result::is_ok)
    }

    /// Whether the payload marks itself as GS1 data (element strings or a Digital Link URI).
    pub fn is_gs1(&self) -> bool {
        self.element_strings.is_some() || self.digital_link.is_some()
    }

    /// The elements of the element-string or Digital Link reading, whichever succeeded.
    pub fn elements(&self) -> Option<&[Element]> {
        [&self.element_strings, &self.digital_link]
            .into_iter()
            .find_map(|r| r.as_ref().and_then(|r| r.as_ref().ok()))
            .map(Vec::as_slice)
    }
}

enum Job {
    Gtin(String),
    Upc(String),
    Sscc(String),
    Elements(String),
    PlainElements(String),
    Link(String),
}

/// Every reading of `input` (see the module documentation).
pub fn read_any(input: &str) -> Readings {
    use chrono::Datelike;
    read_any_on(input, chrono::Utc::now().year())
}

/// [`read_any`] with the year two-digit dates are judged against, for tests.
pub fn read_any_on(input: &str, today_year: i32) -> Readings {
    read_any_with(input, today_year, Options::default())
}

/// [`read_any_on`] with [`Options`].
pub fn read_any_with(input: &str, today_year: i32, options: Options) -> Readings {
    let value = input.trim();
    let symbology = symbology_identifier(value);
    let offset = symbology.as_ref().map_or(0, |s| s.value.len());
    let data = &value[offset..];
    let mut queue = VecDeque::new();
    if let Some(id) = &symbology {
        let code = &id.value[1..];
        if matches!(code, "E0" | "E4" | "I1") {
            queue.push_back(Job::Gtin(data.into()));
        }
        if matches!(code, "C1" | "e0" | "e1" | "e2" | "d2" | "Q3" | "J1") {
            queue.push_back(Job::Elements(data.into()));
        }
        if matches!(id.iso_symbology, 'd' | 'Q') && digital_link::is_uri(data) {
            queue.push_back(Job::Link(data.into()));
        }
    }
    if queue.is_empty() {
        if digital_link::is_uri(data) {
            queue.push_back(Job::Link(data.into()));
        } else {
            queue.extend([
                Job::Gtin(data.into()),
                Job::Upc(data.into()),
                Job::Sscc(data.into()),
                if marked_as_gs1(data) {
                    Job::Elements(data.into())
                } else {
                    Job::PlainElements(data.into())
                },
            ]);
        }
    }
    let mut out = Readings {
        value: value.into(),
        symbology,
        gtin: None,
        upc: None,
        sscc: None,
        element_strings: None,
        plain_element_strings: None,
        digital_link: None,
    };
    // A successful reading is kept; a later one of the same kind only replaces an error.
    while let Some(job) = queue.pop_front() {
        match job {
            Job::Gtin(digits) if !settled(&out.gtin) => {
                let read = read_gtin(&digits);
                if let Ok(g) = &read
                    && g.format == GtinFormat::Gtin12
                {
                    queue.push_back(Job::Upc(g.gtin14[2..].into()));
                }
                out.gtin = Some(read);
            }
            Job::Upc(digits) if !settled(&out.upc) => {
                let read = read_upc(&digits);
                if let Ok(u) = &read {
                    queue.push_back(Job::Gtin(u.upc_a.clone()));
                }
                out.upc = Some(read);
            }
            Job::Sscc(digits) if !settled(&out.sscc) => out.sscc = Some(parse_sscc(&digits)),
            Job::Elements(text) => {
                let read = element_strings(&text, offset, today_year);
                queue_keys(&read, &mut queue);
                out.element_strings = Some(read);
            }
            Job::PlainElements(text) => {
                out.plain_element_strings = Some(element_strings(&text, offset, today_year));
            }
            Job::Link(uri) => {
                let read = digital_link::parse(&uri, offset, today_year, options);
                queue_keys(&read, &mut queue);
                out.digital_link = Some(read);
            }
            _ => {}
        }
    }
    out
}

fn queue_keys(read: &Result<Vec<Element>, Gs1Error>, queue: &mut VecDeque<Job>) {
    for e in read.iter().flatten() {
        match e.ai.as_str() {
            "01" => queue.push_back(Job::Gtin(e.raw.clone())),
            "00" => queue.push_back(Job::Sscc(e.raw.clone())),
            _ => {}
        }
    }
}

/// A GTIN-8, -12, -13 or -14 with its format.
fn read_gtin(digits: &str) -> Result<Gtin, Gs1Error> {
    let gtin14 = parse_gtin(digits)?;
    let format = match gtin14.trim_start_matches('0').len() {
        0..=8 => GtinFormat::Gtin8,
        9..=12 => GtinFormat::Gtin12,
        13 => GtinFormat::Gtin13,
        _ => GtinFormat::Gtin14,
    };
    Ok(Gtin {
        value: digits.into(),
        format,
        gtin14,
    })
}

/// The digits of a UPC-E number (number system, six digits) expanded to UPC-A without its check
/// digit, by the zero-suppression rule of the last digit.
fn expand_upc_e(payload: &str) -> String {
    let d = payload.as_bytes();
    let (ns, core) = (&payload[..1], &payload[1..7]);
    let s = |range: std::ops::Range<usize>| &core[range];
    let body = match d[6] {
        b'0'..=b'2' => format!("{}{}0000{}", s(0..2), s(5..6), s(2..5)),
        b'3' => format!("{}00000{}", s(0..3), s(3..5)),
        b'4' => format!("{}00000{}", s(0..4), s(4..5)),
        _ => format!("{}0000{}", s(0..5), s(5..6)),
    };
    format!("{ns}{body}")
}

fn read_upc(digits: &str) -> Result<Upc, Gs1Error> {
    if let Some((i, c)) = digits.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        return Err(fail(
            None,
            i,
            format!("UPC {digits:?} has a non-digit {c:?}"),
        ));
    }
    let digit = |i: usize| u32::from(digits.as_bytes()[i] - b'0');
    let wrong_check = |kind: &str, read: u32, expected: u32| {
        fail(
            None,
            digits.len() - 1,
            format!("{kind} {digits} has check digit {read}, expected {expected}"),
        )
    };
    if digits.len() == 12 {
        let expected = check_digit(&digits[..11]).unwrap_or_default();
        if digit(11) != expected {
            return Err(wrong_check("UPC-A", digit(11), expected));
        }
        return Ok(Upc {
            value: digits.into(),
            format: UpcFormat::UpcA,
            number_system_digit: digit(0),
            payload: digits[..11].into(),
            check_digit: expected,
            upc_a: digits.into(),
        });
    }
    if !matches!(digits.len(), 6..=8) {
        return Err(fail(
            None,
            0,
            format!(
                "UPC {digits} has {} digits, expected 6, 7, 8 or 12",
                digits.len()
            ),
        ));
    }
    // Six digits carry no number system (0 is meant) and no check digit; seven carry the number
    // system; eight the number system and the check digit.
    let payload = if digits.len() == 6 {
        format!("0{digits}")
    } else {
        digits[..7].to_string()
    };
    if !matches!(&payload[..1], "0" | "1") {
        return Err(fail(
            None,
            0,
            format!(
                "UPC-E {digits} has number system {}, expected 0 or 1",
                &payload[..1]
            ),
        ));
    }
    let upc_a_body = expand_upc_e(&payload);
    let expected = check_digit(&upc_a_body).unwrap_or_default();
    if digits.len() == 8 && digit(7) != expected {
        return Err(wrong_check("UPC-E", digit(7), expected));
    }
    Ok(Upc {
        value: digits.into(),
        format: UpcFormat::UpcE,
        number_system_digit: u32::from(payload.as_bytes()[0] - b'0'),
        payload,
        check_digit: expected,
        upc_a: format!("{upc_a_body}{expected}"),
    })
}

fn settled<T>(slot: &Option<Result<T, Gs1Error>>) -> bool {
    slot.as_ref().is_some_and(Result::is_ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upc_e_expands_by_its_last_digit() {
        // One example per zero-suppression rule, checked against the UPC-E tables.
        for (upc_e, upc_a) in [
            ("0425261", "04210000526"),
            ("1234567", "12345600007"),
            ("0123453", "01230000045"),
            ("0123454", "01234000005"),
            ("0654320", "06500000432"),
        ] {
            assert_eq!(expand_upc_e(upc_e), upc_a, "{upc_e}");
        }
    }
}
