//! Closing a receipt: no more goods can be received on it, and every line whose received quantity
//! differs from the expected one becomes a `receiving.discrepancy` event for the ERP.

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

/// A line received short or over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineDiscrepancy {
    /// Line number.
    pub line_no: i64,
    /// Item SKU.
    pub sku: String,
    /// Expected base units.
    pub expected: i64,
    /// Received base units.
    pub received: i64,
    /// `received - expected`: negative when short.
    pub difference: i64,
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
        let discrepancies: Vec<LineDiscrepancy> = receipt
            .lines
            .iter()
            .filter(|l| receipt.kind == ReceiptKind::Expected && l.received != l.expected)
            .map(|l| LineDiscrepancy {
                line_no: l.line_no,
                sku: l.sku.clone(),
                expected: l.expected,
                received: l.received,
                difference: l.received - l.expected,
            })
            .collect();
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
                    kind: if d.difference < 0 {
                        ev::DiscrepancyKind::Short
                    } else {
                        ev::DiscrepancyKind::Over
                    },
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
