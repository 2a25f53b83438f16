//! Expected receipts (ASN / PO lines) arriving from the hub.
//!
//! Loading replaces a receipt the device has not started; a receipt already being received keeps
//! the device's version (server data never overwrites local work in progress) and is reported back.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use dockhand_protocol::master::ExpectedReceipt;

use super::records::{self, ReceiptKind};
use crate::catalog;
use crate::db::{Store, WriteTx};
use crate::error::{Error, Result};

/// What [`load_expected_receipts`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpectedReceiptsLoaded {
    /// Receipts inserted or replaced.
    pub loaded: usize,
    /// Receipts already started or closed on this device, left as they are.
    pub kept_local: Vec<String>,
}

/// Loads expected receipts in one transaction.
pub fn load_expected_receipts(
    store: &Store,
    receipts: &[ExpectedReceipt],
) -> Result<ExpectedReceiptsLoaded> {
    store.write(|tx| load_expected_in(tx, receipts))
}

/// [`load_expected_receipts`] inside the caller's transaction (a page of changes from the hub).
pub(crate) fn load_expected_in(
    tx: &WriteTx<'_>,
    receipts: &[ExpectedReceipt],
) -> Result<ExpectedReceiptsLoaded> {
    let mut outcome = ExpectedReceiptsLoaded::default();
    for receipt in receipts {
        if load_one(tx, receipt)? {
            outcome.loaded += 1;
        } else {
            outcome.kept_local.push(receipt.receipt_id.clone());
        }
    }
    Ok(outcome)
}

fn load_one(tx: &WriteTx<'_>, receipt: &ExpectedReceipt) -> Result<bool> {
    let conn = tx.conn();
    let id = receipt.receipt_id.trim();
    if id.is_empty() {
        return Err(Error::invalid("receipt id", "it is empty"));
    }
    if receipt.lines.is_empty() {
        return Err(Error::invalid(
            "receipt lines",
            format!("receipt {id} has no lines"),
        ));
    }
    if records::exists(conn, id)? {
        let current = records::receipt(conn, id)?;
        let started = current.kind == ReceiptKind::Blind
            || current.status == records::ReceiptStatus::Closed
            || current.lines.iter().any(|l| l.received > 0);
        if started {
            return Ok(false);
        }
        conn.prepare_cached("DELETE FROM receipt_lines WHERE receipt_id = ?1")?
            .execute([id])?;
        conn.prepare_cached("UPDATE receipts SET reference = ?2, supplier = ?3 WHERE id = ?1")?
            .execute((id, &receipt.reference, &receipt.supplier))?;
    } else {
        records::insert_receipt(
            tx,
            id,
            ReceiptKind::Expected,
            &receipt.reference,
            &receipt.supplier,
        )?;
    }
    let mut seen = HashSet::new();
    for line in &receipt.lines {
        if line.line_no < 1 || !seen.insert(line.line_no) {
            return Err(Error::invalid(
                "line number",
                format!("receipt {id} line {} is below 1 or repeated", line.line_no),
            ));
        }
        if line.quantity < 1 {
            return Err(Error::invalid(
                "expected quantity",
                format!(
                    "receipt {id} line {}: {} (must be at least 1)",
                    line.line_no, line.quantity
                ),
            ));
        }
        let item = catalog::item_by_sku(conn, &line.sku)?;
        let unit = line.unit.as_deref().unwrap_or(&item.item.base_unit);
        let factor = catalog::unit_factor(conn, &item, unit)?;
        let expected =
            line.quantity
                .checked_mul(factor)
                .ok_or_else(|| Error::QuantityTooLarge {
                    sku: line.sku.clone(),
                    quantity: line.quantity,
                    unit: unit.into(),
                })?;
        conn.prepare_cached(
            "INSERT INTO receipt_lines (receipt_id, line_no, item_id, expected_qty, received_qty, lot, sscc)
             VALUES (?1, ?2, ?3, ?4, 0, ?5, ?6)",
        )?
        .execute((id, line.line_no, item.id, expected, &line.lot, &line.sscc))?;
    }
    Ok(true)
}
