//! Receiving: goods arrive at a dock against an expected receipt (ASN / PO lines, optionally by
//! pallet SSCC) or on a blind receipt, and land as `received` stock on the dock — or `quarantined`
//! when the item needs inspection or the lot is short-dated.
//!
//! Each command follows the one write path: validate, move stock, update the receipt line, append
//! the event, remember the operation id.

mod close;
mod expected;
mod records;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::catalog::{self, LocationKind};
use crate::credentials::{Approval, Verified};
use crate::db::{Store, WriteTx};
use crate::error::{Error, Result};
use crate::outbox;
use crate::scan::{self, IdentifiedGoods, ScannedGoods};
use crate::stock::{self, Bucket, Movement, StockStatus};
use dockhand_protocol::events as ev;

pub use close::{CloseReceipt, DiscrepancyKind, LineDiscrepancy, ReceiptClosed, close_receipt};
pub use dockhand_protocol::events::ReceiptKind;
pub use dockhand_protocol::master::{ExpectedLine, ExpectedReceipt};
pub(crate) use expected::load_expected_in;
pub use expected::{ExpectedReceiptsLoaded, load_expected_receipts};
pub use records::{Receipt, ReceiptLine, ReceiptStatus, open_receipts, receipt};

/// Open a receipt for goods that arrived without an ASN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenBlindReceipt {
    /// Client operation id.
    pub op_id: Uuid,
    /// Who opens it.
    pub operator: String,
    /// The new receipt's id (e.g. the delivery note number as typed).
    pub receipt_id: String,
    /// Supplier's delivery reference.
    pub reference: String,
    /// Supplier name or code.
    pub supplier: String,
}

/// Receive goods from one scan onto a dock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiveLine {
    /// Client operation id.
    pub op_id: Uuid,
    /// Who scans.
    pub operator: String,
    /// The receipt.
    pub receipt_id: String,
    /// Dock location code where the goods are put down.
    pub dock: String,
    /// The scan of the goods.
    pub scan: ScannedGoods,
    /// How many of the scanned pack (typed, or 1 per scan).
    pub quantity: i64,
    /// Pallet SSCC or license plate the goods arrived on.
    #[serde(default)]
    pub lpn: Option<String>,
    /// A supervisor's badge and PIN approving an over-receipt beyond the tolerance or a
    /// short-dated lot (never the receiving operator's own).
    #[serde(default)]
    pub approval: Option<Approval>,
}

/// What a receive did: the answer the scanner shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineReceived {
    /// The receipt.
    pub receipt_id: String,
    /// The receipt line credited.
    pub line_no: i64,
    /// Item SKU.
    pub sku: String,
    /// Base units received by this scan.
    pub base_quantity: i64,
    /// Lot ("" when untracked).
    pub lot: String,
    /// Lot expiry.
    pub expiry: Option<NaiveDate>,
    /// Serial ("" when untracked).
    pub serial: String,
    /// License plate ("" when none).
    pub lpn: String,
    /// Dock location code.
    pub location: String,
    /// `received`, or `quarantined` with `quarantine_reason`.
    pub status: StockStatus,
    /// Why the goods are held, when quarantined.
    pub quarantine_reason: Option<String>,
    /// Base units received on the line so far.
    pub line_received: i64,
    /// Base units expected on the line (0 on blind receipts).
    pub line_expected: i64,
    /// Supervisor who approved an over-receipt.
    pub approved_by: Option<String>,
    /// The lot the ASN line expected, when the goods carry another: a lot discrepancy the
    /// receipt's close reports (tell the receiver).
    pub expected_lot: Option<String>,
    /// The event recorded.
    pub event_id: Uuid,
}

/// Opens a blind receipt.
pub fn open_blind_receipt(store: &Store, cmd: &OpenBlindReceipt) -> Result<Receipt> {
    store.command(
        "receiving.open_blind",
        cmd.op_id,
        &cmd.operator,
        cmd,
        |tx| {
            catalog::operator(tx.conn(), &cmd.operator)?;
            let receipt_id = cmd.receipt_id.trim();
            if receipt_id.is_empty() {
                return Err(Error::invalid("receipt id", "it is empty"));
            }
            if records::exists(tx.conn(), receipt_id)? {
                return Err(Error::ReceiptExists {
                    receipt_id: receipt_id.into(),
                });
            }
            records::insert_receipt(
                tx,
                receipt_id,
                ReceiptKind::Blind,
                &cmd.reference,
                &cmd.supplier,
            )?;
            outbox::append(
                tx,
                ev::BlindOpened {
                    receipt_id: receipt_id.to_string(),
                    reference: cmd.reference.clone(),
                    supplier: cmd.supplier.clone(),
                },
            )?;
            records::receipt(tx.conn(), receipt_id)
        },
    )
}

/// Receives goods from one scan: checks tracking, expiry, tolerance; puts them on the dock.
pub fn receive_line(store: &Store, cmd: &ReceiveLine) -> Result<LineReceived> {
    store.approved_command(
        "receiving.receive_line",
        cmd.op_id,
        &cmd.operator,
        cmd,
        cmd.approval.as_ref(),
        |tx, approval| receive_in(tx, cmd, approval),
    )
}

fn receive_in(
    tx: &mut WriteTx<'_>,
    cmd: &ReceiveLine,
    approval: Option<&Verified>,
) -> Result<LineReceived> {
    let conn = tx.conn();
    catalog::operator(conn, &cmd.operator)?;
    let receipt = records::receipt_header(conn, &cmd.receipt_id)?;
    if receipt.status == ReceiptStatus::Closed {
        return Err(Error::ReceiptClosed {
            receipt_id: receipt.id,
        });
    }
    let dock = catalog::usable_location(conn, &cmd.dock, &[LocationKind::Dock], "receiving")?;
    let goods = scan::identify(conn, &cmd.scan, true)?;
    let base_quantity = goods.base_quantity(cmd.quantity)?;
    let lpn = scan::plate(&cmd.lpn);
    // Who approved; checked as a supervisor other than the receiver only if a rule needs them.
    let approver = approval.map(|v| v.operator_id().to_string());
    // A mistyped expiry of a known lot is a mismatch, not an expired or short-dated lot.
    stock::check_expiry(
        conn,
        goods.item.id,
        &goods.item.item.sku,
        &goods.lot,
        goods.expiry,
    )?;
    let (quarantine_reason, short_dated_approved) =
        quarantine_reason(tx, &goods, approver.as_deref())?;
    if !goods.serial.is_empty()
        && let Some(location) = stock::serial_location(conn, goods.item.id, &goods.serial)?
    {
        return Err(Error::DuplicateSerial {
            sku: goods.item.item.sku.clone(),
            serial: goods.serial.clone(),
            location,
        });
    }
    let line = records::line_for(tx, &receipt, &goods, &lpn)?;
    let line_received =
        line.received
            .checked_add(base_quantity)
            .ok_or_else(|| Error::QuantityTooLarge {
                sku: goods.item.item.sku.clone(),
                quantity: cmd.quantity,
                unit: goods.unit.clone(),
            })?;
    let over_receipt_approved = check_tolerance(
        tx,
        approver.is_some(),
        &receipt.id,
        &goods,
        &line,
        line_received,
    )?;
    // The approver is checked and recorded only for a rule that needed one.
    let approved_by = approver.filter(|_| short_dated_approved || over_receipt_approved);
    if let (Some(v), Some(_)) = (approval, &approved_by) {
        v.supervisor_other_than(conn, &cmd.operator, || {
            format!("is the one receiving on {}", receipt.id)
        })?;
    }

    stock::record_lot(
        tx,
        goods.item.id,
        &goods.item.item.sku,
        &goods.lot,
        goods.expiry,
    )?;
    let status = if quarantine_reason.is_some() {
        StockStatus::Quarantined
    } else {
        StockStatus::Received
    };
    stock::apply(
        tx,
        &Movement {
            item_id: goods.item.id,
            quantity: base_quantity,
            from: None,
            to: Some(Bucket {
                location_id: dock.id,
                lot: goods.lot.clone(),
                serial: goods.serial.clone(),
                lpn: lpn.clone(),
                status,
            }),
            reason: "receipt".into(),
        },
    )?;
    records::credit_line(tx, &receipt.id, &line, &goods, base_quantity)?;
    let expected_lot = line.other_lot_than(&goods.lot);
    if expected_lot.is_some() {
        records::add_other_lot(tx, &receipt.id, line.line_no, &goods.lot, base_quantity)?;
    }
    let expiry = match goods.expiry {
        Some(e) => Some(e),
        None => stock::lot_expiry(tx.conn(), goods.item.id, &goods.lot)?,
    };
    let mut result = LineReceived {
        receipt_id: receipt.id.clone(),
        line_no: line.line_no,
        sku: goods.item.item.sku.clone(),
        base_quantity,
        lot: goods.lot.clone(),
        expiry,
        serial: goods.serial.clone(),
        lpn,
        location: dock.location.code.clone(),
        status,
        quarantine_reason,
        line_received,
        line_expected: line.expected,
        approved_by,
        expected_lot,
        event_id: Uuid::nil(),
    };
    let event = outbox::append(
        tx,
        ev::LineReceived {
            receipt_id: result.receipt_id.clone(),
            receipt_kind: receipt.kind,
            reference: receipt.reference.clone(),
            line_no: result.line_no,
            sku: result.sku.clone(),
            barcode: goods.barcode.clone(),
            unit: goods.unit.clone(),
            quantity: cmd.quantity,
            base_quantity,
            base_unit: goods.item.item.base_unit.clone(),
            lot: result.lot.clone(),
            expiry: result.expiry,
            serial: result.serial.clone(),
            lpn: result.lpn.clone(),
            sscc: line.sscc.clone(),
            location: result.location.clone(),
            status,
            quarantine_reason: result.quarantine_reason.clone(),
            approved_by: result.approved_by.clone(),
            movements: Vec::new(),
        },
    )?;
    result.event_id = event.event_id;
    Ok(result)
}

/// Why received goods must be held, if they must: inspection, or too little shelf life left.
/// Expired lots are refused; short-dated ones only with a supervisor's approval.
fn quarantine_reason(
    tx: &WriteTx<'_>,
    goods: &IdentifiedGoods,
    approver: Option<&str>,
) -> Result<(Option<String>, bool)> {
    let item = &goods.item.item;
    let expiry = match goods.expiry {
        Some(e) => Some(e),
        None if goods.lot.is_empty() => None,
        None => stock::lot_expiry(tx.conn(), goods.item.id, &goods.lot)?,
    };
    if let Some(expiry) = expiry {
        let today = tx.now().date_naive();
        if expiry < today {
            return Err(Error::LotExpired {
                sku: item.sku.clone(),
                lot: goods.lot.clone(),
                expiry,
            });
        }
        let days_left = (expiry - today).num_days();
        if days_left < i64::from(item.min_shelf_life_days) {
            let Some(approver) = approver else {
                return Err(Error::ShortDated {
                    sku: item.sku.clone(),
                    lot: goods.lot.clone(),
                    expiry,
                    days_left,
                    min_days: item.min_shelf_life_days,
                });
            };
            return Ok((
                Some(format!(
                    "short-dated: lot {} expires {expiry}, {days_left} days left, {} required; accepted by {approver}",
                    goods.lot, item.min_shelf_life_days
                )),
                true,
            ));
        }
    }
    if item.inspection_required {
        return Ok((Some("inspection required".into()), false));
    }
    Ok((None, false))
}

/// Refuses an over-receipt beyond the tolerance unless a supervisor approved it; returns whether
/// the approval was needed.
fn check_tolerance(
    tx: &WriteTx<'_>,
    approved: bool,
    receipt_id: &str,
    goods: &IdentifiedGoods,
    line: &records::LineState,
    total: i64,
) -> Result<bool> {
    if line.blind {
        return Ok(false);
    }
    let tolerance = tx.policy().over_receipt_tolerance_percent;
    // In i128: an ASN may carry absurd quantities, and a scanner must get an answer, not a panic.
    let limit = i128::from(line.expected) + i128::from(line.expected) * i128::from(tolerance) / 100;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    if total > limit && !approved {
        return Err(Error::OverReceipt {
            receipt_id: receipt_id.into(),
            sku: goods.item.item.sku.clone(),
            expected: line.expected,
            attempted: total.saturating_sub(line.received),
            total,
            limit,
            tolerance_percent: tolerance,
        });
    }
    Ok(total > limit)
}

/// A void of a received line: the line no longer counts it. Refused once the receipt is closed
/// (its differences were reported to the ERP).
pub(crate) fn undo_line_received(tx: &WriteTx<'_>, received: &ev::LineReceived) -> Result<()> {
    let receipt = records::receipt(tx.conn(), &received.receipt_id)?;
    if receipt.status == ReceiptStatus::Closed {
        return Err(Error::ReceiptClosed {
            receipt_id: receipt.id,
        });
    }
    tx.conn()
        .prepare_cached(
            "UPDATE receipt_lines SET received_qty = received_qty - ?3
             WHERE receipt_id = ?1 AND line_no = ?2",
        )?
        .execute((&receipt.id, received.line_no, received.base_quantity))?;
    let expected = records::expected_lot(tx.conn(), &receipt.id, received.line_no)?;
    if receipt.kind == ReceiptKind::Expected
        && expected.is_some_and(|lot| !lot.is_empty() && lot != received.lot)
    {
        records::add_other_lot(
            tx,
            &receipt.id,
            received.line_no,
            &received.lot,
            -received.base_quantity,
        )?;
    }
    Ok(())
}

/// Base units of an item still expected on open receipts.
pub(crate) fn expected_on_open_receipts(conn: &rusqlite::Connection, item_id: i64) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "SELECT COALESCE(SUM(rl.expected_qty), 0) FROM receipt_lines rl
             JOIN receipts r ON r.id = rl.receipt_id WHERE rl.item_id = ?1 AND r.status = 'open'",
        )?
        .query_row([item_id], |r| r.get(0))?)
}
