//! Quality release: a supervisor's decision on held stock.
//!
//! Stock in quarantine (held at receipt, short-dated, a returned line set aside) or marked damaged
//! waits for a decision. A supervisor approves it with badge and PIN: back to available (into
//! storage or a pick face), to the damaged cage, back to quarantine (damaged goods for a closer
//! look), scrapped, or returned to the vendor. The last two leave inventory; a return to the
//! vendor is a shipment to the supplier in the ERP. Every decision carries a reason code.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::catalog::{self, LocationStatus};
use crate::credentials::{Approval, Verified};
use crate::db::{Store, WriteTx};
use crate::error::{Error, Result};
use crate::outbox;
use crate::scan::{self, ScannedGoods};
use crate::stock::{self, Bucket, Movement, StockStatus};
use crate::workflows::moves::check_place;
use dockhand_protocol::events as ev;
pub use dockhand_protocol::events::InspectionOutcome;

/// Release (or dispose of) held stock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseStock {
    /// Client operation id.
    pub op_id: Uuid,
    /// Who handles the goods.
    pub operator: String,
    /// Location code the held goods are at.
    pub location: String,
    /// What the scanner read on its label.
    pub location_scan: String,
    /// Scan of the goods.
    pub scan: ScannedGoods,
    /// Licence plate the goods are on.
    #[serde(default)]
    pub lpn: Option<String>,
    /// How many of the scanned pack.
    pub quantity: i64,
    /// The decision.
    pub outcome: InspectionOutcome,
    /// Where the goods go (available, quarantine and damaged decisions; none when they leave).
    #[serde(default)]
    pub to: Option<String>,
    /// What the scanner read on the destination's label.
    #[serde(default)]
    pub to_scan: Option<String>,
    /// Why (a reason code: `passed_inspection`, `expired`, `supplier_recall`…).
    pub reason_code: String,
    /// A free note.
    #[serde(default)]
    pub note: Option<String>,
    /// The approving supervisor's badge and PIN.
    pub approval: Approval,
    /// Which held goods, when the location holds the item both quarantined and damaged (a
    /// returns bench) and the decision does not tell.
    #[serde(default)]
    pub held: Option<StockStatus>,
}

/// What a release did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockReleased {
    /// Item SKU.
    pub sku: String,
    /// Lot.
    pub lot: String,
    /// Serial.
    pub serial: String,
    /// Base units.
    pub base_quantity: i64,
    /// Where the goods were.
    pub from: String,
    /// Their status there.
    pub status_before: StockStatus,
    /// The decision.
    pub outcome: InspectionOutcome,
    /// Where they went (`None`: they left inventory).
    pub to: Option<String>,
    /// Their status now (`None`: they left inventory).
    pub status_after: Option<StockStatus>,
    /// The supervisor who approved it.
    pub approved_by: String,
    /// The event recorded.
    pub event_id: Uuid,
}

/// Releases held stock with a supervisor's approval: checks the scans, the goods' status and the
/// destination, then moves (or writes off) the goods and records `quality.released`.
pub fn release_stock(store: &Store, cmd: &ReleaseStock) -> Result<StockReleased> {
    store.approved_command(
        "quality.release",
        cmd.op_id,
        &cmd.operator,
        cmd,
        Some(&cmd.approval),
        |tx, approval| release_in(tx, cmd, approval),
    )
}

fn release_in(
    tx: &mut WriteTx<'_>,
    cmd: &ReleaseStock,
    approval: Option<&Verified>,
) -> Result<StockReleased> {
    let Some(approval) = approval else {
        return Err(Error::Internal("a release without its approver".into()));
    };
    let conn = tx.conn();
    catalog::operator(conn, &cmd.operator)?;
    let approver = catalog::supervisor(conn, approval.operator_id())?;
    let reason_code = cmd.reason_code.trim();
    if reason_code.is_empty() {
        return Err(Error::ReasonRequired {
            action: "releasing held stock".into(),
        });
    }
    let from = catalog::location_by_code(conn, &cmd.location)?;
    catalog::check_presence(&from, &cmd.location_scan)?;
    let goods = scan::identify(conn, &cmd.scan, false)?;
    let base_quantity = goods.base_quantity(cmd.quantity)?;
    let sku = goods.item.item.sku.clone();
    let lpn = scan::plate(&cmd.lpn);
    let status_after = match cmd.outcome {
        InspectionOutcome::Restock => Some(StockStatus::Available),
        InspectionOutcome::Quarantine => Some(StockStatus::Quarantined),
        InspectionOutcome::Damaged => Some(StockStatus::Damaged),
        InspectionOutcome::Scrap | InspectionOutcome::ReturnToVendor => None,
    };
    let mut held = Vec::new();
    for status in [StockStatus::Quarantined, StockStatus::Damaged] {
        let bucket = Bucket {
            location_id: from.id,
            lot: goods.lot.clone(),
            serial: goods.serial.clone(),
            lpn: lpn.clone(),
            status,
        };
        let on_hand = stock::bucket_quantity(conn, goods.item.id, &bucket)?;
        if on_hand > 0 && cmd.held.is_none_or(|h| h == status) {
            held.push((bucket, on_hand));
        }
    }
    // Both held kinds here: the decision may tell (damaged goods to quarantine), else the command.
    if held.len() > 1 {
        held.retain(|(b, _)| Some(b.status) != status_after);
    }
    let (bucket, on_hand) = match held.as_slice() {
        [one] => one.clone(),
        [] => {
            let lpns = stock::lpns_holding(conn, goods.item.id, from.id, &goods.lot)?;
            if lpn.is_empty() && !lpns.is_empty() {
                return Err(Error::OnPallet {
                    sku,
                    lot: goods.lot,
                    location: from.location.code,
                    lpns: lpns.join(", "),
                });
            }
            return Err(Error::NotHeld {
                sku,
                lot: goods.lot,
                location: from.location.code,
            });
        }
        [(_, quarantined), (_, damaged), ..] => {
            return Err(Error::invalid(
                "held",
                format!(
                    "{} holds item {sku} both quarantined ({quarantined}) and damaged ({damaged}): \
                     say which goods the decision is for",
                    from.location.code
                ),
            ));
        }
    };
    if base_quantity > on_hand {
        return Err(Error::InsufficientStock {
            sku,
            lot: goods.lot,
            location: from.location.code,
            status: bucket.status.to_string(),
            on_hand,
            requested: base_quantity,
        });
    }
    if status_after == Some(bucket.status) {
        return Err(Error::invalid(
            "outcome",
            format!(
                "item {sku} at {} is {} already; choose another decision",
                from.location.code, bucket.status
            ),
        ));
    }
    let destination = match status_after {
        Some(status) => {
            let (Some(code), Some(scanned)) = (
                scan::optional_text(&cmd.to),
                scan::optional_text(&cmd.to_scan),
            ) else {
                return Err(Error::invalid(
                    "to",
                    format!(
                        "goods released as {status} go somewhere: scan the destination's label"
                    ),
                ));
            };
            let to = catalog::location_by_code(conn, &code)?;
            if to.location.status == LocationStatus::Blocked {
                return Err(Error::LocationBlocked {
                    code: to.location.code,
                });
            }
            catalog::check_presence(&to, &scanned)?;
            check_place(&to, status, &format!("a release to {status}"))?;
            if status == StockStatus::Available
                && let Some(expiry) = stock::lot_expiry(conn, goods.item.id, &goods.lot)?
                && expiry < tx.now().date_naive()
            {
                return Err(Error::LotExpired {
                    sku,
                    lot: goods.lot,
                    expiry,
                });
            }
            stock::check_room(conn, &to, base_quantity)?;
            Some((to, status))
        }
        None if scan::optional_text(&cmd.to).is_some() => {
            return Err(Error::invalid(
                "to",
                "scrapped or returned goods leave inventory: give no destination",
            ));
        }
        None => None,
    };
    // The plate goes along only when all of it moves.
    let whole_plate = !lpn.is_empty() && stock::lpn_quantity(conn, from.id, &lpn)? == base_quantity;
    stock::apply(
        tx,
        &Movement {
            item_id: goods.item.id,
            quantity: base_quantity,
            from: Some(bucket.clone()),
            to: destination.as_ref().map(|(to, status)| Bucket {
                location_id: to.id,
                lot: goods.lot.clone(),
                serial: goods.serial.clone(),
                lpn: if whole_plate {
                    lpn.clone()
                } else {
                    String::new()
                },
                status: *status,
            }),
            reason: format!("release_{}", cmd.outcome),
        },
    )?;
    let to = destination.map(|(to, _)| to.location.code);
    let event = outbox::append(
        tx,
        ev::StockReleased {
            sku: sku.clone(),
            lot: goods.lot.clone(),
            serial: goods.serial.clone(),
            lpn,
            base_quantity,
            base_unit: goods.item.item.base_unit.clone(),
            from: from.location.code.clone(),
            status_before: bucket.status,
            outcome: cmd.outcome,
            to: to.clone(),
            status_after,
            reason_code: reason_code.to_string(),
            note: scan::optional_text(&cmd.note),
            approved_by: approver.id.clone(),
            movements: Vec::new(),
        },
    )?;
    Ok(StockReleased {
        sku,
        lot: goods.lot,
        serial: goods.serial,
        base_quantity,
        from: from.location.code,
        status_before: bucket.status,
        outcome: cmd.outcome,
        to,
        status_after,
        approved_by: approver.id,
        event_id: event.event_id,
    })
}
