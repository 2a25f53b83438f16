//! SSCCs minted offline. The hub hands each device blocks of serial references under its site's
//! GS1 Company Prefix (`POST /v1/sscc/block`); a device mints only from its own blocks, so two
//! handhelds offline together never mint the same SSCC. An SSCC is the extension digit, the
//! company prefix, the serial reference (as many digits as the prefix leaves of 16) and the GS1
//! check digit: 18 digits.

use serde::{Deserialize, Serialize};

use crate::error::ProtocolError;
use crate::gs1::check_digit;

/// The most serial references one request asks for.
pub const MAX_BLOCK: u64 = 100_000;
/// What a device asks for when it runs low.
pub const BLOCK: u64 = 10_000;

/// `POST /v1/sscc/block`: how many serial references the device wants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SsccBlockRequest {
    /// 1 to [`MAX_BLOCK`].
    pub wanted: u64,
}

/// Serial references `first..=last` under a company prefix and extension digit: this device's
/// alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SsccBlock {
    /// The site's GS1 Company Prefix (7 to 10 digits).
    pub company_prefix: String,
    /// The extension digit (0 to 9) the site's SSCCs start with.
    pub extension: u8,
    /// The first serial reference.
    pub first: u64,
    /// The last serial reference.
    pub last: u64,
}

/// A licence plate as typed or scanned: an SSCC label's `(00)` or `00` and its symbology
/// identifier dropped, so a plate scanned from its label and one typed from its digits are one
/// plate; anything else is taken as it is (trimmed).
pub fn plate_from_scan(text: &str) -> String {
    let text = text.trim();
    let bare = text.trim_start_matches("]C1").replace(['(', ')'], "");
    match bare.strip_prefix("00") {
        Some(sscc) if sscc.len() == 18 && sscc.bytes().all(|b| b.is_ascii_digit()) => sscc.into(),
        _ => text.to_string(),
    }
}

/// Checks a GS1 Company Prefix: 7 to 10 digits.
pub fn check_company_prefix(prefix: &str) -> Result<(), ProtocolError> {
    if (7..=10).contains(&prefix.len()) && prefix.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(ProtocolError::invalid(
            "company_prefix",
            format!(
                "{:?} is not a GS1 Company Prefix (7 to 10 digits)",
                crate::error::prefix(prefix, 20)
            ),
        ))
    }
}

/// How many serial references a company prefix leaves room for (16 digits share the two).
pub fn capacity(company_prefix: &str) -> u64 {
    let digits = 16u32.saturating_sub(u32::try_from(company_prefix.len()).unwrap_or(16));
    10u64.saturating_pow(digits)
}

impl SsccBlock {
    /// How many SSCCs the block holds.
    pub fn size(&self) -> u64 {
        (self.last + 1).saturating_sub(self.first)
    }

    /// Checks what a hub answered: a prefix, an extension digit, serials in order and in room.
    pub fn check(&self) -> Result<(), ProtocolError> {
        check_company_prefix(&self.company_prefix)?;
        if self.extension > 9
            || self.first > self.last
            || self.last >= capacity(&self.company_prefix)
        {
            return Err(ProtocolError::invalid(
                "sscc block",
                format!(
                    "extension {} and serials {}..={} do not fit company prefix {}",
                    self.extension, self.first, self.last, self.company_prefix
                ),
            ));
        }
        Ok(())
    }

    /// The SSCC of serial reference `serial` of this block.
    pub fn sscc(&self, serial: u64) -> Result<String, ProtocolError> {
        self.check()?;
        if !(self.first..=self.last).contains(&serial) {
            return Err(ProtocolError::invalid(
                "serial reference",
                format!(
                    "{serial} is outside this device's block {}..={}",
                    self.first, self.last
                ),
            ));
        }
        let width = 16 - self.company_prefix.len();
        let body = format!("{}{}{serial:0width$}", self.extension, self.company_prefix);
        let check = check_digit(&body)
            .ok_or_else(|| ProtocolError::Internal(format!("SSCC body {body} is not digits")))?;
        Ok(format!("{body}{check}"))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::gs1::has_valid_check_digit;

    fn block(prefix: &str, first: u64, last: u64) -> SsccBlock {
        SsccBlock {
            company_prefix: prefix.into(),
            extension: 3,
            first,
            last,
        }
    }

    #[test]
    fn an_sscc_is_extension_prefix_serial_and_check_digit() {
        // GS1's example SSCC 1 0614141 123456789 7, with extension 3 here: its check digit is 1.
        let b = block("0614141", 123_456_789, 123_456_789);
        assert_eq!(b.sscc(123_456_789).unwrap(), "306141411234567891");
        let b = block("4012345", 0, 9);
        let first = b.sscc(0).unwrap();
        assert_eq!(first.len(), 18);
        assert!(first.starts_with("34012345000000000"));
        assert!(has_valid_check_digit(&first));
    }

    #[test]
    fn a_licence_plate_is_read_from_an_sscc_label_or_taken_as_typed() {
        assert_eq!(
            plate_from_scan("(00)376130321109103420"),
            "376130321109103420"
        );
        assert_eq!(
            plate_from_scan("]C100376130321109103420"),
            "376130321109103420"
        );
        assert_eq!(plate_from_scan("376130321109103420"), "376130321109103420");
        assert_eq!(plate_from_scan(" LPN-0042 "), "LPN-0042");
        assert_eq!(plate_from_scan("0012"), "0012");
    }

    #[test]
    fn serials_outside_the_block_or_the_prefix_are_refused() {
        let b = block("4012345", 10, 19);
        assert!(
            b.sscc(20)
                .unwrap_err()
                .to_string()
                .contains("outside this device's block")
        );
        assert_eq!(capacity("4012345"), 1_000_000_000);
        assert_eq!(capacity("4012345678"), 1_000_000);
        assert!(block("4012345678", 0, 1_000_000).check().is_err());
        assert!(block("40123", 0, 1).check().is_err());
        assert!(check_company_prefix("40123A5").is_err());
        assert_eq!(block("4012345", 5, 9).size(), 5);
    }
}
