//! `resolve_scan`: one scan turned into what a workflow needs — goods (item, pack, lot, expiry,
//! serial, count), a pallet (SSCC) or a location — deciding by the data, never guessing.
//!
//! Order: a code the catalog knows exactly (an internal label wins even when it happens to look
//! like GS1 data), then a location code, then GS1 data (element strings in any form, or a Digital
//! Link URI) carrying a GTIN or SSCC, then a bare GTIN (EAN/UPC, UPC-E expanded) or SSCC. GTINs
//! are looked up in every length the catalog may store them in. A scan that named none of these
//! may still be a location check string carried by exactly one location.

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::ScannedGoods;
use crate::catalog;
use crate::error::{Error, Result};
use crate::gs1::{self, Gs1Value};

/// A measured quantity on a label, e.g. net weight (3103) 1.234.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Measure {
    /// The AI.
    pub ai: String,
    /// What it measures, from the dictionary (e.g. `NET WEIGHT (kg)`).
    pub title: String,
    /// The exact decimal value, e.g. `1.234`.
    pub value: String,
}

/// What a scan means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ResolvedScan {
    /// Goods of a catalog item.
    Goods {
        /// Item SKU.
        sku: String,
        /// The catalog code the scan matched (use it as `ScannedGoods::barcode`).
        barcode: String,
        /// Pack unit of that code.
        unit: String,
        /// Base units one scan stands for.
        base_per_scan: i64,
        /// Lot (AI 10).
        lot: Option<String>,
        /// Expiry (AI 17, else best-before AI 15).
        expiry: Option<NaiveDate>,
        /// Serial (AI 21).
        serial: Option<String>,
        /// Count of trade items (AI 30 or 37).
        count: Option<i64>,
        /// Pallet the goods are on (AI 00 with a GTIN).
        sscc: Option<String>,
        /// Weights, dimensions and amounts (AIs 310n–369n, 390n–395n) as exact decimals.
        measures: Vec<Measure>,
    },
    /// A pallet label (SSCC only).
    Pallet {
        /// The SSCC.
        sscc: String,
    },
    /// A location label.
    Location {
        /// Location code.
        code: String,
    },
}

impl ResolvedScan {
    /// The goods of this scan in the form every workflow command takes.
    pub fn goods(&self) -> Option<ScannedGoods> {
        match self {
            ResolvedScan::Goods {
                barcode,
                lot,
                expiry,
                serial,
                ..
            } => Some(ScannedGoods {
                barcode: barcode.clone(),
                lot: lot.clone(),
                expiry: *expiry,
                serial: serial.clone(),
            }),
            _ => None,
        }
    }
}

/// A scan resolved once: the answer, and for goods the catalog entry the workflows go on with (so
/// a command never looks the same code up again).
pub(crate) struct Resolution {
    /// What the scan means.
    pub scan: ResolvedScan,
    /// The catalog entry of the goods (`None` for a pallet or a location).
    pub goods: Option<catalog::ResolvedBarcode>,
}

impl Resolution {
    fn other(scan: ResolvedScan) -> Self {
        Self { scan, goods: None }
    }
}

fn catalog_code(conn: &Connection, code: &str) -> Result<Option<catalog::ResolvedBarcode>> {
    match catalog::resolve_barcode(conn, code) {
        Ok(found) => Ok(Some(found)),
        Err(Error::UnknownBarcode { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// A GTIN-14 as the catalog may store it: 14 digits, or without leading zeros as GTIN-13/12/8.
fn gtin_forms(gtin: &str) -> Vec<String> {
    let mut forms = vec![gtin.to_string()];
    for len in [13, 12, 8] {
        if gtin.len() > len && gtin[..gtin.len() - len].bytes().all(|b| b == b'0') {
            forms.push(gtin[gtin.len() - len..].to_string());
        }
    }
    forms
}

/// Resolves one scan (see the module documentation for the order of decisions).
pub fn resolve_scan(conn: &Connection, raw: &str) -> Result<ResolvedScan> {
    Ok(resolve(conn, raw)?.scan)
}

/// [`resolve_scan`] with the catalog entry of the goods.
pub(crate) fn resolve(conn: &Connection, raw: &str) -> Result<Resolution> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(Error::invalid("scan", "it is empty"));
    }
    if let Some(found) = catalog_code(conn, trimmed)? {
        return Ok(goods(found, &[]));
    }
    let location: Option<String> = conn
        .prepare_cached("SELECT code FROM locations WHERE code = ?1")?
        .query_row([trimmed], |r| r.get(0))
        .optional()?;
    if let Some(code) = location {
        return Ok(Resolution::other(ResolvedScan::Location { code }));
    }
    let unreadable = |reason: String| Error::UnreadableScan {
        raw: trimmed.to_string(),
        reason,
    };
    let readings = gs1::read_any(trimmed);
    if let Some(elements) = readings.elements()
        && elements
            .iter()
            .any(|e| matches!(e.ai.as_str(), "00" | "01" | "02"))
    {
        gs1::check_pairings(elements).map_err(|e| unreadable(e.message))?;
        return from_elements(conn, elements);
    }
    // A bare GTIN (EAN-8/13, UPC-A, ITF-14) or UPC-E: its catalog forms, and for a UPC-E those
    // of its UPC-A too. 8 digits may be both an EAN-8 and a UPC-E: the catalog decides, and two
    // different items for one scan is refused rather than guessed.
    let mut bare: Vec<String> = Vec::new();
    if let Some(Ok(gtin)) = &readings.gtin {
        bare.push(gtin.gtin14.clone());
    }
    if let Some(Ok(upc)) = &readings.upc {
        bare.push(format!("{:0>14}", upc.upc_a));
    }
    bare.dedup();
    let mut hits: Vec<catalog::ResolvedBarcode> = Vec::new();
    for gtin in &bare {
        for form in gtin_forms(gtin) {
            if let Some(hit) = catalog_code(conn, &form)? {
                hits.push(hit);
                break;
            }
        }
    }
    match hits.as_slice() {
        [one] => return Ok(goods(one.clone(), &[])),
        [a, b, ..] => {
            return Err(Error::invalid(
                "scan",
                format!(
                    "{trimmed} reads as {} ({}) and as {} ({}); scan the item's other barcode",
                    a.code, a.item.item.sku, b.code, b.item.item.sku
                ),
            ));
        }
        [] => {}
    }
    if let Some(Ok(sscc)) = &readings.sscc {
        return Ok(Resolution::other(ResolvedScan::Pallet {
            sscc: sscc.clone(),
        }));
    }
    // Check strings are short labels a location carries; the lookup (unindexed) runs only for
    // scans that named nothing else, and names a location only when one location carries it.
    let by_check: Vec<String> = conn
        .prepare_cached("SELECT code FROM locations WHERE check_string = ?1 LIMIT 2")?
        .query_map([trimmed], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    if let [code] = by_check.as_slice() {
        return Ok(Resolution::other(ResolvedScan::Location {
            code: code.clone(),
        }));
    }
    if let Some(gtin) = bare.first() {
        return Err(Error::UnknownBarcode { code: gtin.clone() });
    }
    match gs1::parse(trimmed) {
        Ok(elements) => {
            gs1::check_pairings(&elements).map_err(|e| unreadable(e.message))?;
            Err(unreadable(
                "it names neither goods (GTIN) nor a pallet (SSCC)".into(),
            ))
        }
        Err(_) if !readings.is_gs1() => Err(unreadable(plain_reason(&readings))),
        Err(e) => Err(unreadable(e.to_string())),
    }
}

/// Why plain data (no mark of GS1) names nothing, with what it would mean had its barcode
/// carried FNC1: the label is then printed wrong, not the scanner.
fn plain_reason(readings: &gs1::Readings) -> String {
    let known = "it is no code or location this device knows, and plain data is not GS1";
    match &readings.plain_element_strings {
        Some(Ok(elements)) => format!(
            "{known}; it would read as {} if its barcode carried FNC1: print it as GS1-128 or \
             GS1 DataMatrix, or if it is one, set the scanner to send symbology identifiers",
            gs1::to_hri(elements)
        ),
        _ => known.to_string(),
    }
}

/// Goods or a pallet from GS1 elements carrying a GTIN or an SSCC.
fn from_elements(conn: &Connection, elements: &[gs1::Element]) -> Result<Resolution> {
    let raw = |ai: &str| elements.iter().find(|e| e.ai == ai).map(|e| e.raw.clone());
    let Some(gtin) = raw("01").or_else(|| raw("02")) else {
        return Ok(Resolution::other(ResolvedScan::Pallet {
            sscc: raw("00").unwrap_or_default(),
        }));
    };
    for form in gtin_forms(&gtin) {
        if let Some(hit) = catalog_code(conn, &form)? {
            return Ok(goods(hit, elements));
        }
    }
    Err(Error::UnknownBarcode { code: gtin })
}

/// Goods of a catalog code, with what the label's elements say about them.
fn goods(found: catalog::ResolvedBarcode, elements: &[gs1::Element]) -> Resolution {
    let find = |ai: &str| elements.iter().find(|e| e.ai == ai);
    let text = |ai: &str| find(ai).map(|e| e.raw.clone());
    let date = |ai: &str| match find(ai).map(|e| &e.value) {
        Some(Gs1Value::Date(d)) => Some(*d),
        _ => None,
    };
    let count = |ai: &str| match find(ai).map(|e| &e.value) {
        Some(Gs1Value::Count(n)) => Some(*n),
        _ => None,
    };
    let scan = ResolvedScan::Goods {
        sku: found.item.item.sku.clone(),
        barcode: found.code.clone(),
        unit: found.unit.clone(),
        base_per_scan: found.base_quantity,
        lot: text("10"),
        expiry: date("17").or_else(|| date("15")),
        serial: text("21"),
        count: count("30").or_else(|| count("37")),
        sscc: text("00"),
        measures: elements
            .iter()
            .filter(|e| matches!(e.value, Gs1Value::Decimal { .. }))
            .map(|e| Measure {
                ai: e.ai.clone(),
                title: e.title.clone(),
                value: e.value.to_string(),
            })
            .collect(),
    };
    Resolution {
        scan,
        goods: Some(found),
    }
}
