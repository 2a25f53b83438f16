//! What a workflow receives from a scan of goods, and the checks every workflow makes on it.
//!
//! Issue-level GS1 parsing turns raw scanner data into a [`ScannedGoods`]; here it is matched to the
//! catalog and checked against the item's tracking (lot, expiry, serial required), so receiving,
//! putaway and later workflows reject the same bad scans with the same words.

use chrono::NaiveDate;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

pub mod resolve;

use crate::catalog::{self, ItemRecord, Tracking};
use crate::error::{Error, Result};

/// Goods as scanned: a barcode plus whatever lot, expiry and serial the label (or the operator) gave.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScannedGoods {
    /// GTIN, EAN, UPC or internal code.
    pub barcode: String,
    /// Lot / batch (GS1 AI 10).
    #[serde(default)]
    pub lot: Option<String>,
    /// Expiry date (GS1 AI 17).
    #[serde(default)]
    pub expiry: Option<NaiveDate>,
    /// Serial number (GS1 AI 21).
    #[serde(default)]
    pub serial: Option<String>,
}

impl ScannedGoods {
    /// A scan of a barcode with nothing else.
    pub fn barcode(code: impl Into<String>) -> Self {
        Self {
            barcode: code.into(),
            ..Self::default()
        }
    }

    /// Adds a lot.
    pub fn with_lot(mut self, lot: impl Into<String>) -> Self {
        self.lot = Some(lot.into());
        self
    }

    /// Adds an expiry date.
    pub fn with_expiry(mut self, expiry: NaiveDate) -> Self {
        self.expiry = Some(expiry);
        self
    }

    /// Adds a serial number.
    pub fn with_serial(mut self, serial: impl Into<String>) -> Self {
        self.serial = Some(serial.into());
        self
    }
}

/// Scanned goods matched to the catalog and checked against the item's tracking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentifiedGoods {
    /// The item.
    pub item: ItemRecord,
    /// The scanned code.
    pub barcode: String,
    /// The pack unit of the code.
    pub unit: String,
    /// Base units one scan of the code stands for.
    pub base_per_scan: i64,
    /// Lot ("" for items not tracked by lot).
    pub lot: String,
    /// Expiry (only for items tracked by lot and expiry; `None` for others).
    pub expiry: Option<NaiveDate>,
    /// Serial ("" for items not tracked by serial).
    pub serial: String,
}

impl IdentifiedGoods {
    /// Base units for `count` scans (or typed pack quantity).
    pub fn base_quantity(&self, count: i64) -> Result<i64> {
        if count < 1 {
            return Err(Error::InvalidQuantity { quantity: count });
        }
        let base = count
            .checked_mul(self.base_per_scan)
            .filter(|q| *q <= 1_000_000_000_000)
            .ok_or_else(|| Error::QuantityTooLarge {
                sku: self.item.item.sku.clone(),
                quantity: count,
                unit: self.unit.clone(),
            })?;
        if !self.serial.is_empty() && base != 1 {
            return Err(Error::invalid(
                "quantity",
                format!(
                    "item {} is serial-tracked: one unit per serial scan, got {base}",
                    self.item.item.sku
                ),
            ));
        }
        Ok(base)
    }
}

/// Refuses typed text holding a control character (a NUL, a tab, an escape…): it would be recorded,
/// shown garbled, and refused later by the hub.
pub fn refuse_control_characters(field: &str, text: &str) -> Result<()> {
    if let Some((at, c)) = text.chars().enumerate().find(|(_, c)| c.is_control()) {
        return Err(Error::invalid(
            field,
            format!(
                "{:?} holds a control character (U+{:04X}) at position {}; type or scan it again",
                dockhand_protocol::error::prefix(text, 32),
                c as u32,
                at + 1
            ),
        ));
    }
    Ok(())
}

fn clean(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

/// Matches a scan to the catalog and checks lot / expiry / serial against the item's tracking.
/// `need_expiry`: receiving needs the expiry of expiry-tracked goods; later steps know it by lot.
pub fn identify(
    conn: &Connection,
    scan: &ScannedGoods,
    need_expiry: bool,
) -> Result<IdentifiedGoods> {
    let (resolved, scan) = from_label(conn, scan)?;
    let scan = &scan;
    for (field, value) in [("lot", &scan.lot), ("serial", &scan.serial)] {
        if let Some(text) = value {
            refuse_control_characters(field, text)?;
        }
    }
    let sku = resolved.item.item.sku.clone();
    let tracking = resolved.item.item.tracking;
    let lot = clean(&scan.lot);
    let serial = clean(&scan.serial);
    let (lot, expiry, serial) = match tracking {
        Tracking::None => (String::new(), None, String::new()),
        Tracking::Lot => (lot.ok_or(Error::LotRequired { sku })?, None, String::new()),
        Tracking::LotExpiry => {
            let lot = lot.ok_or_else(|| Error::LotRequired { sku: sku.clone() })?;
            if need_expiry && scan.expiry.is_none() {
                return Err(Error::ExpiryRequired { sku, lot });
            }
            (lot, scan.expiry, String::new())
        }
        Tracking::Serial => (
            lot.unwrap_or_default(),
            None,
            serial.ok_or(Error::SerialRequired { sku })?,
        ),
    };
    Ok(IdentifiedGoods {
        item: resolved.item,
        barcode: resolved.code,
        unit: resolved.unit,
        base_per_scan: resolved.base_quantity,
        lot,
        expiry,
        serial,
    })
}

/// The catalog entry of the scanned code, resolved once. A code the catalog does not know is read
/// as a whole label (GS1 element strings or a Digital Link): its lot, expiry and serial fill the
/// scan, and any typed alongside must agree with the label.
fn from_label(
    conn: &Connection,
    scan: &ScannedGoods,
) -> Result<(catalog::ResolvedBarcode, ScannedGoods)> {
    let code = scan.barcode.trim();
    let looks_like_label = code.starts_with([']', '('])
        || code.contains(['\u{1d}', '^'])
        || code.to_ascii_lowercase().starts_with("http");
    let label = match resolve::resolve(conn, code) {
        Ok(label) => label,
        // A plain code nobody knows is an unknown barcode, not a broken label.
        Err(Error::UnreadableScan { .. } | Error::InvalidInput { .. }) if !looks_like_label => {
            return Err(Error::UnknownBarcode { code: code.into() });
        }
        Err(e) => return Err(e),
    };
    let (Some(found), Some(read)) = (label.goods, label.scan.goods()) else {
        return Err(Error::invalid(
            "scan",
            format!(
                "{:?} is a pallet or location label, not goods",
                dockhand_protocol::error::prefix(code, 64)
            ),
        ));
    };
    let agree =
        |field: &str, typed: Option<String>, label: Option<String>| -> Result<Option<String>> {
            match (typed, label) {
                (Some(t), Some(l)) if t != l => Err(Error::invalid(
                    field,
                    format!("{t} was entered but the label says {l}"),
                )),
                (t, l) => Ok(t.or(l)),
            }
        };
    let merged = ScannedGoods {
        barcode: read.barcode,
        lot: agree("lot", clean(&scan.lot), read.lot)?,
        serial: agree("serial", clean(&scan.serial), read.serial)?,
        expiry: match (scan.expiry, read.expiry) {
            (Some(t), Some(l)) if t != l => {
                return Err(Error::invalid(
                    "expiry",
                    format!("{t} was entered but the label says {l}"),
                ));
            }
            (t, l) => t.or(l),
        },
    };
    Ok((found, merged))
}

/// Trims an optional free-text field; `None` when empty.
pub(crate) fn optional_text(value: &Option<String>) -> Option<String> {
    clean(value)
}

/// A licence plate as the command gave it ("" for none): an SSCC label scanned (`(00)…`,
/// `]C100…`) and its 18 digits typed are one plate in every command.
pub(crate) fn plate(value: &Option<String>) -> String {
    clean(value)
        .map(|l| dockhand_protocol::sscc::plate_from_scan(&l))
        .unwrap_or_default()
}
