//! `resolve_scan`: one scan turned into what a workflow needs — goods (item, pack, lot, expiry,
//! serial, count), a pallet (SSCC) or a location — deciding by the data, never guessing.
//!
//! Order: a code the catalog knows exactly (an internal label wins even when it happens to look
//! like GS1 data), then a location code, then GS1 data (element strings in any form, or a Digital
//! Link URI) whose GTIN is looked up in every length it may be stored in; input that is not GS1
//! data may still be a location check string carried by exactly one location.

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::catalog;
use crate::error::{Error, Result};
use crate::gs1::{self, Gs1Value};
use crate::scan::ScannedGoods;

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
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(Error::invalid("scan", "it is empty"));
    }
    if let Some(found) = catalog_code(conn, trimmed)? {
        return Ok(ResolvedScan::Goods {
            sku: found.item.item.sku,
            barcode: found.code,
            unit: found.unit,
            base_per_scan: found.base_quantity,
            lot: None,
            expiry: None,
            serial: None,
            count: None,
            sscc: None,
            measures: Vec::new(),
        });
    }
    let location: Option<String> = conn
        .prepare_cached("SELECT code FROM locations WHERE code = ?1")?
        .query_row([trimmed], |r| r.get(0))
        .optional()?;
    if let Some(code) = location {
        return Ok(ResolvedScan::Location { code });
    }
    let unreadable = |reason: String| Error::UnreadableScan {
        raw: trimmed.to_string(),
        reason,
    };
    let elements = match gs1::parse(trimmed) {
        Ok(elements) => elements,
        // Check strings are short labels that never parse as GS1 data, so the unindexed
        // lookup runs only here, off the path of every GS1 scan. A check string names a
        // location only when exactly one location carries it.
        Err(e) => {
            let by_check: Vec<String> = conn
                .prepare_cached("SELECT code FROM locations WHERE check_string = ?1 LIMIT 2")?
                .query_map([trimmed], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            return match by_check.as_slice() {
                [code] => Ok(ResolvedScan::Location { code: code.clone() }),
                _ => Err(unreadable(e.to_string())),
            };
        }
    };
    gs1::check_pairings(&elements).map_err(|e| unreadable(e.message))?;
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
    let sscc = text("00");
    let Some(gtin) = text("01").or_else(|| text("02")) else {
        return match sscc {
            Some(sscc) => Ok(ResolvedScan::Pallet { sscc }),
            None => Err(unreadable(
                "it names neither goods (GTIN) nor a pallet (SSCC)".into(),
            )),
        };
    };
    let mut found = None;
    for form in gtin_forms(&gtin) {
        if let Some(hit) = catalog_code(conn, &form)? {
            found = Some(hit);
            break;
        }
    }
    let found = found.ok_or(Error::UnknownBarcode { code: gtin })?;
    Ok(ResolvedScan::Goods {
        sku: found.item.item.sku,
        barcode: found.code,
        unit: found.unit,
        base_per_scan: found.base_quantity,
        lot: text("10"),
        expiry: date("17").or_else(|| date("15")),
        serial: text("21"),
        count: count("30").or_else(|| count("37")),
        sscc,
        measures: elements
            .iter()
            .filter(|e| matches!(e.value, Gs1Value::Decimal { .. }))
            .map(|e| Measure {
                ai: e.ai.clone(),
                title: e.title.clone(),
                value: e.value.to_string(),
            })
            .collect(),
    })
}
