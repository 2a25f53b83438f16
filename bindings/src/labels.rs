//! Labels for a Zebra printer, as the core writes them: the app sends `zpl` (UTF-8 bytes) to the
//! printer over Bluetooth or TCP port 9100, and may show `barcodes` as a preview.

use chrono::NaiveDate;
use dockhand_core::labels::{self, ContentLine, Label, LabelBarcode, SsccLabel, Symbology};

use crate::Device;
use crate::error::DockhandError;

/// How a barcode on a label is encoded.
#[uniffi::remote(Enum)]
pub enum Symbology {
    /// Code 128 with FNC1 first: GS1 element strings.
    Gs1_128,
    /// Plain Code 128.
    Code128,
}

/// One barcode on a label and what a scanner reads from it.
#[uniffi::remote(Record)]
pub struct LabelBarcode {
    /// The symbology.
    pub symbology: Symbology,
    /// Bracketed element strings (GS1-128) or text (Code 128).
    pub data: String,
}

/// ZPL to print, and the barcodes on the label.
#[uniffi::remote(Record)]
pub struct Label {
    /// ZPL II (UTF-8): send its bytes to the printer.
    pub zpl: String,
    /// The barcodes, top to bottom.
    pub barcodes: Vec<LabelBarcode>,
    /// Width in dots (8 a millimetre).
    pub width: u32,
    /// Height in dots.
    pub height: u32,
}

/// One line of what a carton or pallet holds.
#[uniffi::remote(Record)]
pub struct ContentLine {
    /// GTIN (8, 12, 13 or 14 digits), when the item has one.
    pub gtin: Option<String>,
    /// SKU and description.
    pub description: String,
    /// Base units.
    pub quantity: i64,
    /// Lot.
    pub lot: Option<String>,
    /// Best before.
    pub best_before: Option<NaiveDate>,
}

/// What a carton's or pallet's GS1 logistic label shows.
#[uniffi::remote(Record)]
pub struct SsccLabel {
    /// The SSCC (18 digits).
    pub sscc: String,
    /// Length of the site's GS1 Company Prefix (groups the SSCC under the barcode).
    pub company_prefix_length: Option<u32>,
    /// Ship-from lines.
    pub ship_from: Vec<String>,
    /// Ship-to lines.
    pub ship_to: Vec<String>,
    /// The customer order.
    pub order_ref: Option<String>,
    /// What it holds (one line with a GTIN gets a content barcode).
    pub contents: Vec<ContentLine>,
    /// For a pallet: its cartons.
    pub cartons: Option<u32>,
}

/// The GS1 logistic label (4 × 6 in) of a carton or pallet; bad data (a wrong check digit, a
/// lot ZPL cannot print) is refused with a sentence and nothing to print.
#[uniffi::export]
pub fn sscc_label(label: SsccLabel) -> Result<Label, DockhandError> {
    Ok(labels::sscc_label(&label)?)
}

/// A label drawn as a PNG (8-bit grey, its width × height in dots at 203 dpi) for a preview on
/// the screen before printing; its barcodes scan as the printed ones do.
#[uniffi::export]
pub fn label_png(label: Label) -> Result<Vec<u8>, DockhandError> {
    Ok(labels::png(&label)?)
}

#[uniffi::export]
impl Device {
    /// The label (4 × 2 in) of a location of this device's master data: its code and the check
    /// string operators scan to prove they stand there. The check string is what the device
    /// never shows an app, so a supervisor's badge and PIN are asked for.
    pub fn location_label(
        &self,
        code: String,
        approval: std::sync::Arc<crate::Approval>,
    ) -> Result<Label, DockhandError> {
        Ok(labels::location_label_approved(
            &self.store,
            &code,
            &approval.as_ref().into(),
        )?)
    }
}
