//! Receipts and their lines as stored: reading them, and the small writes receiving makes to them.

use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::db::WriteTx;
use crate::error::{Error, Result};
use crate::scan::IdentifiedGoods;
pub use dockhand_protocol::events::ReceiptKind;

use crate::text_enum::text_enum;

text_enum! {
    /// Whether goods can still be received.
    pub enum ReceiptStatus {
        /// Receiving.
        Open => "open",
        /// Done; differences were reported.
        Closed => "closed",
    }
}

/// A receipt line as a person reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptLine {
    /// Line number.
    pub line_no: i64,
    /// Item SKU.
    pub sku: String,
    /// Expected base units (0 on blind receipts).
    pub expected: i64,
    /// Received base units.
    pub received: i64,
    /// Expected lot, when the ASN names one.
    pub lot: Option<String>,
    /// Expected pallet SSCC, when the ASN names one.
    pub sscc: Option<String>,
}

/// A receipt with its lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// Receipt id.
    pub id: String,
    /// Expected or blind.
    pub kind: ReceiptKind,
    /// PO / ASN / delivery note reference.
    pub reference: String,
    /// Supplier.
    pub supplier: String,
    /// Open or closed.
    pub status: ReceiptStatus,
    /// Lines in order.
    pub lines: Vec<ReceiptLine>,
}

pub(super) fn exists(conn: &Connection, id: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM receipts WHERE id = ?1")?
        .query_row([id], |_| Ok(()))
        .optional()?
        .is_some())
}

pub(super) fn insert_receipt(
    tx: &WriteTx<'_>,
    id: &str,
    kind: ReceiptKind,
    reference: &str,
    supplier: &str,
) -> Result<()> {
    tx.conn()
        .prepare_cached(
            "INSERT INTO receipts (id, kind, reference, supplier, status, created_at)
             VALUES (?1, ?2, ?3, ?4, 'open', ?5)",
        )?
        .execute((id, kind.as_str(), reference, supplier, tx.now_utc_text()))?;
    Ok(())
}

/// A receipt without its lines.
pub(super) fn receipt_header(conn: &Connection, id: &str) -> Result<Receipt> {
    conn.prepare_cached("SELECT id, kind, reference, supplier, status FROM receipts WHERE id = ?1")?
        .query_row([id.trim()], |r| {
            Ok(Receipt {
                id: r.get(0)?,
                kind: crate::text_enum::column(r, 1)?,
                reference: r.get(2)?,
                supplier: r.get(3)?,
                status: r.get(4)?,
                lines: Vec::new(),
            })
        })
        .optional()?
        .ok_or_else(|| Error::UnknownReceipt {
            receipt_id: id.trim().into(),
        })
}

/// A receipt with its lines.
pub fn receipt(conn: &Connection, id: &str) -> Result<Receipt> {
    let mut receipt = receipt_header(conn, id)?;
    let mut stmt = conn.prepare_cached(
        "SELECT rl.line_no, i.sku, rl.expected_qty, rl.received_qty, rl.lot, rl.sscc
         FROM receipt_lines rl JOIN items i ON i.id = rl.item_id
         WHERE rl.receipt_id = ?1 ORDER BY rl.line_no",
    )?;
    receipt.lines = stmt
        .query_map([&receipt.id], |r| {
            Ok(ReceiptLine {
                line_no: r.get(0)?,
                sku: r.get(1)?,
                expected: r.get(2)?,
                received: r.get(3)?,
                lot: r.get(4)?,
                sscc: r.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(receipt)
}

/// Ids of open receipts, oldest first.
pub fn open_receipts(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn
        .prepare_cached("SELECT id FROM receipts WHERE status = 'open' ORDER BY created_at, id")?;
    let ids = stmt.query_map([], |r| r.get(0))?;
    Ok(ids.collect::<rusqlite::Result<_>>()?)
}

/// The line a scan is credited to, before this scan.
pub(super) struct LineState {
    pub line_no: i64,
    /// A blind line to be created by `credit_line`.
    pub new: bool,
    pub expected: i64,
    pub received: i64,
    pub sscc: Option<String>,
    pub blind: bool,
    /// The lot an expected line names (`None`: any lot).
    pub lot: Option<String>,
}

impl LineState {
    /// The lot this line expected, when `lot` is another: a lot discrepancy.
    pub fn other_lot_than(&self, lot: &str) -> Option<String> {
        self.lot
            .clone()
            .filter(|expected| !self.blind && !expected.is_empty() && expected != lot)
    }
}

/// line_no, expected, received, lot, sscc.
type StoredLine = (i64, i64, i64, Option<String>, Option<String>);

/// Finds the line for scanned goods: on an expected receipt, the item's line matching the pallet
/// SSCC, then the lot, then the first with quantity still open; on a blind receipt, the line of the
/// same item and lot, or a new one.
pub(super) fn line_for(
    tx: &WriteTx<'_>,
    receipt: &Receipt,
    goods: &IdentifiedGoods,
    lpn: &str,
) -> Result<LineState> {
    let conn = tx.conn();
    let blind = receipt.kind == ReceiptKind::Blind;
    let lines: Vec<StoredLine> = conn
        .prepare_cached(
            "SELECT line_no, expected_qty, received_qty, lot, sscc FROM receipt_lines
             WHERE receipt_id = ?1 AND item_id = ?2",
        )?
        .query_map((&receipt.id, goods.item.id), |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    // Chosen in Rust, not by an ORDER BY over parameters: SQLite re-plans such a statement on
    // every call, which cost more than the rest of the receive.
    let rank = |(line_no, expected, received, lot, sscc): &(
        i64,
        i64,
        i64,
        Option<String>,
        Option<String>,
    )| {
        (
            sscc.as_deref() != Some(lpn) || lpn.is_empty(),
            lot.as_deref() != Some(goods.lot.as_str()),
            received >= expected,
            *line_no,
        )
    };
    let best = lines
        .iter()
        .filter(|line| !blind || line.3.as_deref().unwrap_or("") == goods.lot)
        .min_by_key(|line| rank(line));
    if let Some((line_no, expected, received, lot, sscc)) = best {
        return Ok(LineState {
            line_no: *line_no,
            new: false,
            expected: *expected,
            received: *received,
            sscc: sscc.clone(),
            blind,
            lot: lot.clone(),
        });
    }
    if !blind {
        return Err(Error::ItemNotOnReceipt {
            receipt_id: receipt.id.clone(),
            sku: goods.item.item.sku.clone(),
        });
    }
    let line_no: i64 = conn
        .prepare_cached(
            "SELECT COALESCE(MAX(line_no), 0) + 1 FROM receipt_lines WHERE receipt_id = ?1",
        )?
        .query_row([&receipt.id], |r| r.get(0))?;
    Ok(LineState {
        line_no,
        new: true,
        expected: 0,
        received: 0,
        sscc: None,
        blind,
        lot: None,
    })
}

/// Adds `quantity` to the line (creating a new blind line first).
pub(super) fn credit_line(
    tx: &WriteTx<'_>,
    receipt_id: &str,
    line: &LineState,
    goods: &IdentifiedGoods,
    quantity: i64,
) -> Result<()> {
    let conn = tx.conn();
    if line.new {
        let lot = (!goods.lot.is_empty()).then_some(goods.lot.as_str());
        conn.prepare_cached(
            "INSERT INTO receipt_lines (receipt_id, line_no, item_id, expected_qty, received_qty, lot)
             VALUES (?1, ?2, ?3, 0, 0, ?4)",
        )?
        .execute((receipt_id, line.line_no, goods.item.id, lot))?;
    }
    conn.prepare_cached(
        "UPDATE receipt_lines SET received_qty = received_qty + ?3
         WHERE receipt_id = ?1 AND line_no = ?2",
    )?
    .execute((receipt_id, line.line_no, quantity))?;
    Ok(())
}

/// Adds (or, negative, takes back) base units received on a line under another lot than it
/// expected.
pub(super) fn add_other_lot(
    tx: &WriteTx<'_>,
    receipt_id: &str,
    line_no: i64,
    lot: &str,
    quantity: i64,
) -> Result<()> {
    // A void takes back from the row its receive made (an insert of a negative row would fail
    // its CHECK before the upsert could add it).
    let sql = if quantity >= 0 {
        "INSERT INTO receipt_other_lots (receipt_id, line_no, lot, quantity)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT DO UPDATE SET quantity = quantity + excluded.quantity"
    } else {
        "UPDATE receipt_other_lots SET quantity = quantity + ?4
         WHERE receipt_id = ?1 AND line_no = ?2 AND lot = ?3"
    };
    tx.conn()
        .prepare_cached(sql)?
        .execute((receipt_id, line_no, lot, quantity))?;
    Ok(())
}

/// The lot a stored line expects (`None`: any lot, or no such line).
pub(super) fn expected_lot(
    conn: &Connection,
    receipt_id: &str,
    line_no: i64,
) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT lot FROM receipt_lines WHERE receipt_id = ?1 AND line_no = ?2")?
        .query_row((receipt_id, line_no), |r| r.get::<_, Option<String>>(0))
        .optional()?
        .flatten())
}

/// Goods received under another lot than their line expected, by line: line, lot received, base
/// units.
pub(super) fn other_lots(conn: &Connection, receipt_id: &str) -> Result<Vec<(i64, String, i64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT line_no, lot, quantity FROM receipt_other_lots
         WHERE receipt_id = ?1 AND quantity > 0 ORDER BY line_no, lot",
    )?;
    let rows = stmt.query_map([receipt_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
