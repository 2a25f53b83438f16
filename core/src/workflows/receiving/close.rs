//! Closing a receipt: no more goods can be received on it, and every line whose received quantity
//! differs from the expected one, or that took goods of another lot than it named, becomes a
//! `receiving.discrepancy` event for the ERP.

use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::records::{self, ReceiptKind, ReceiptStatus};
use crate::catalog;
use crate::db::Store;
use crate::error::{Error, Result};
use crate::outbox;
use dockhand_protocol::events as ev;

/// Close a receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloseReceipt {
    /// Client operation id.
    pub op_id: Uuid,
    /// Who closes it.
    pub operator: String,
    /// The receipt.
    pub receipt_id: String,
}

pub use dockhand_protocol::events::DiscrepancyKind;

/// A line received short or over, or goods of another lot than it expected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineDiscrepancy {
    /// Line number.
    pub line_no: i64,
    /// Item SKU.
    pub sku: String,
    /// Short, over, or another lot.
    pub kind: DiscrepancyKind,
    /// Expected base units (0 of the other lot, for a lot discrepancy).
    pub expected: i64,
    /// Received base units (of the other lot, for a lot discrepancy).
    pub received: i64,
    /// `received - expected`: negative when short.
    pub difference: i64,
    /// The lot received instead, for a lot discrepancy.
    pub lot: Option<String>,
    /// The lot the line expected, for a lot discrepancy.
    pub expected_lot: Option<String>,
}

/// What closing found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptClosed {
    /// The receipt.
    pub receipt_id: String,
    /// Lines received short or over (none on a blind receipt: nothing was expected).
    pub discrepancies: Vec<LineDiscrepancy>,
    /// Base units received on the whole receipt.
    pub total_received: i64,
}

/// Closes a receipt and reports its differences.
pub fn close_receipt(store: &Store, cmd: &CloseReceipt) -> Result<ReceiptClosed> {
    store.command("receiving.close", cmd.op_id, &cmd.operator, cmd, |tx| {
        catalog::operator(tx.conn(), &cmd.operator)?;
        let receipt = records::receipt(tx.conn(), &cmd.receipt_id)?;
        if receipt.status == ReceiptStatus::Closed {
            return Err(Error::ReceiptClosed {
                receipt_id: receipt.id,
            });
        }
        let discrepancies = discrepancies(tx.conn(), &receipt)?;
        for d in &discrepancies {
            outbox::append(
                tx,
                ev::ReceiptDiscrepancy {
                    receipt_id: receipt.id.clone(),
                    reference: receipt.reference.clone(),
                    line_no: d.line_no,
                    sku: d.sku.clone(),
                    expected: d.expected,
                    received: d.received,
                    difference: d.difference,
                    kind: d.kind,
                    lot: d.lot.clone(),
                    expected_lot: d.expected_lot.clone(),
                },
            )?;
        }
        let total_received = receipt
            .lines
            .iter()
            .fold(0i64, |total, l| total.saturating_add(l.received));
        tx.conn()
            .prepare_cached("UPDATE receipts SET status = 'closed', closed_at = ?2 WHERE id = ?1")?
            .execute((&receipt.id, tx.now_utc_text()))?;
        outbox::append(
            tx,
            ev::ReceiptClosed {
                receipt_id: receipt.id.clone(),
                reference: receipt.reference.clone(),
                lines: receipt.lines.len() as i64,
                discrepancies: discrepancies.len() as i64,
                total_received,
            },
        )?;
        Ok(ReceiptClosed {
            receipt_id: receipt.id,
            discrepancies,
            total_received,
        })
    })
}

/// What closing reports: on an expected receipt, every line received short or over, then the
/// goods each line took under another lot than it named (nothing on a blind receipt).
fn discrepancies(conn: &Connection, receipt: &records::Receipt) -> Result<Vec<LineDiscrepancy>> {
    if receipt.kind != ReceiptKind::Expected {
        return Ok(Vec::new());
    }
    let mut found: Vec<LineDiscrepancy> = receipt
        .lines
        .iter()
        .filter(|l| l.received != l.expected)
        .map(|l| LineDiscrepancy {
            line_no: l.line_no,
            sku: l.sku.clone(),
            kind: if l.received < l.expected {
                DiscrepancyKind::Short
            } else {
                DiscrepancyKind::Over
            },
            expected: l.expected,
            received: l.received,
            difference: l.received - l.expected,
            lot: None,
            expected_lot: None,
        })
        .collect();
    for (line_no, lot, quantity) in records::other_lots(conn, &receipt.id)? {
        let Some(line) = receipt.lines.iter().find(|l| l.line_no == line_no) else {
            continue;
        };
        found.push(LineDiscrepancy {
            line_no,
            sku: line.sku.clone(),
            kind: DiscrepancyKind::Lot,
            expected: 0,
            received: quantity,
            difference: quantity,
            lot: Some(lot),
            expected_lot: line.lot.clone(),
        });
    }
    Ok(found)
}
