//! Internal moves: stock that is already stored goes somewhere else in the warehouse.
//!
//! Three kinds, each proven by a scan of the source location's label and of the destination's:
//! loose goods bin to bin (scan the goods and a quantity), a whole licence plate (scan the plate:
//! everything on it goes, the plate with it), and part of a plate (scan the plate and the goods:
//! they come off it and are loose at the destination). A move never changes usability: available
//! stock goes only to storage or a pick face, quarantined stock only to quarantine, damaged stock
//! only to the damaged cage. Goods on a dock are put away, picked goods leave with their order and
//! returns are inspected first; a destination with a most-units limit is never overfilled.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use rusqlite::Connection;

use crate::catalog::{self, LocationKind, LocationRecord, LocationStatus};
use crate::db::{Store, WriteTx};
use crate::error::{Error, Result};
use crate::outbox;
use crate::replenishment::{self, ReplenishmentTask};
use crate::scan::{self, ScannedGoods};
use crate::stock::{self, Bucket, PlateBucket, StockStatus};
use dockhand_protocol::events as ev;
pub use dockhand_protocol::events::{MoveKind, MovedLine};

/// Move stock from one location to another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfirmMove {
    /// Client operation id.
    pub op_id: Uuid,
    /// Who moves the goods.
    pub operator: String,
    /// Location code the goods are taken from.
    pub from: String,
    /// What the scanner read on the source location's label (its check string).
    pub from_scan: String,
    /// Scan of the goods; `None` moves the whole plate `lpn`.
    #[serde(default)]
    pub scan: Option<ScannedGoods>,
    /// Licence plate the goods are on, or the plate moved whole (its SSCC label as scanned).
    #[serde(default)]
    pub lpn: Option<String>,
    /// How many of the scanned pack move (ignored for a whole plate).
    #[serde(default)]
    pub quantity: i64,
    /// Destination location code.
    pub to: String,
    /// What the scanner read on the destination's label (its check string).
    pub to_scan: String,
    /// Why, when the operator gives a reason (optional).
    #[serde(default)]
    pub reason: Option<String>,
    /// The replenishment task this move works (optional): the move must bring the task's item
    /// from reserve storage to its pick face, first expiring lot first.
    #[serde(default)]
    pub task_id: Option<String>,
}

/// What a move did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoveConfirmed {
    /// Loose, a whole plate, or part of a plate.
    pub move_kind: MoveKind,
    /// Plate the goods were on ("" for loose goods).
    pub lpn: String,
    /// Plate at the destination (the plate itself when it moved whole, "" otherwise).
    pub lpn_after: String,
    /// Source location code.
    pub from: String,
    /// Destination location code.
    pub to: String,
    /// What moved.
    pub lines: Vec<MovedLine>,
    /// Base units moved, all lines together.
    pub base_quantity: i64,
    /// The replenishment task the move worked, as it stands after the move.
    pub task: Option<ReplenishmentTask>,
    /// The event recorded.
    pub event_id: Uuid,
}

/// Moves stock: checks both scans, what is taken and where it may go, then writes the ledger and
/// the `move.confirmed` event in one transaction.
pub fn confirm_move(store: &Store, cmd: &ConfirmMove) -> Result<MoveConfirmed> {
    store.command("move.confirm", cmd.op_id, &cmd.operator, cmd, |tx| {
        confirm_in(tx, cmd)
    })
}

/// What a move takes: buckets at the source with the base units taken from each.
struct Taken {
    kind: MoveKind,
    lpn: String,
    buckets: Vec<PlateBucket>,
}

fn confirm_in(tx: &mut WriteTx<'_>, cmd: &ConfirmMove) -> Result<MoveConfirmed> {
    let conn = tx.conn();
    catalog::operator(conn, &cmd.operator)?;
    let from = catalog::location_by_code(conn, &cmd.from)?;
    if !movable_from(from.location.kind) {
        return Err(Error::WrongLocationType {
            code: from.location.code,
            actual: from.location.kind.to_string(),
            expected: "storage, pick face, quarantine or damaged".into(),
            action: "a move out (goods on a dock or a returns bench are put away, picked goods \
                     leave with their order)"
                .into(),
        });
    }
    catalog::check_presence(&from, &cmd.from_scan)?;
    let to = catalog::location_by_code(conn, &cmd.to)?;
    if to.id == from.id {
        return Err(Error::invalid(
            "to",
            format!(
                "the goods are already at {}: scan the destination's label",
                to.location.code
            ),
        ));
    }
    if to.location.status == LocationStatus::Blocked {
        return Err(Error::LocationBlocked {
            code: to.location.code,
        });
    }
    catalog::check_presence(&to, &cmd.to_scan)?;
    let taken = what_is_taken(conn, cmd, &from)?;
    let mut lines = Vec::with_capacity(taken.buckets.len());
    for b in &taken.buckets {
        let item = catalog::item_by_id(conn, b.item_id)?;
        check_status(&item.item.sku, &b.bucket, &from, &to)?;
        lines.push(moved_line(item.item, b));
    }
    let base_quantity: i64 = taken.buckets.iter().map(|b| b.quantity).sum();
    let task_id = scan::optional_text(&cmd.task_id);
    if let Some(task) = &task_id {
        let taken_goods: Vec<(i64, String)> = taken
            .buckets
            .iter()
            .map(|b| (b.item_id, b.bucket.lot.clone()))
            .collect();
        replenishment::check_move(conn, task, &from, &to, &taken_goods)?;
    }
    stock::check_room(conn, &to, base_quantity)?;
    let lpn_after = if taken.kind == MoveKind::WholePlate {
        taken.lpn.clone()
    } else {
        String::new()
    };
    for b in &taken.buckets {
        let there = Bucket {
            location_id: to.id,
            lpn: lpn_after.clone(),
            ..b.bucket.clone()
        };
        stock::apply(tx, &b.moved_to(Some(there), "move"))?;
    }
    let reason = scan::optional_text(&cmd.reason);
    let event = outbox::append(
        tx,
        ev::MoveConfirmed {
            move_kind: taken.kind,
            lpn: taken.lpn.clone(),
            lpn_after: lpn_after.clone(),
            from: from.location.code.clone(),
            to: to.location.code.clone(),
            to_zone: to.location.zone.clone(),
            reason,
            lines: lines.clone(),
            task_id: task_id.clone(),
            movements: Vec::new(),
        },
    )?;
    let task = match &task_id {
        Some(task) => {
            replenishment::record_moved(tx, task, base_quantity)?;
            Some(replenishment::replenishment_task(tx.conn(), task)?)
        }
        None => None,
    };
    Ok(MoveConfirmed {
        move_kind: taken.kind,
        lpn: taken.lpn,
        lpn_after,
        from: from.location.code,
        to: to.location.code,
        lines,
        base_quantity,
        task,
        event_id: event.event_id,
    })
}

/// The line an event records for a bucket that moved (whole or the part `b.quantity`).
pub(crate) fn moved_line(item: catalog::Item, b: &PlateBucket) -> MovedLine {
    MovedLine {
        sku: item.sku,
        lot: b.bucket.lot.clone(),
        serial: b.bucket.serial.clone(),
        status: b.bucket.status,
        base_quantity: b.quantity,
        base_unit: item.base_unit,
    }
}

/// Where stored goods can be moved from: not a dock (putaway), staging or shipping (outbound) or
/// a returns bench (inspection).
fn movable_from(kind: LocationKind) -> bool {
    match kind {
        LocationKind::Storage
        | LocationKind::PickFace
        | LocationKind::Quarantine
        | LocationKind::Damaged => true,
        LocationKind::Dock
        | LocationKind::Staging
        | LocationKind::Returns
        | LocationKind::Shipping => false,
    }
}

/// The buckets a move takes: everything on the plate, or the scanned goods (off a plate, or
/// loose).
fn what_is_taken(conn: &Connection, cmd: &ConfirmMove, from: &LocationRecord) -> Result<Taken> {
    let lpn = scan::plate(&cmd.lpn);
    let Some(goods_scan) = &cmd.scan else {
        if lpn.is_empty() {
            return Err(Error::invalid(
                "scan",
                "nothing to move: scan the goods, or a licence plate to move it whole",
            ));
        }
        return whole_plate(conn, from, lpn);
    };
    let goods = scan::identify(conn, goods_scan, false)?;
    let requested = goods.base_quantity(cmd.quantity)?;
    let sku = goods.item.item.sku.clone();
    let key = |status| Bucket {
        location_id: from.id,
        lot: goods.lot.clone(),
        serial: goods.serial.clone(),
        lpn: lpn.clone(),
        status,
    };
    // The status the goods have there: a location holds one kind of stock, so the first found.
    let mut found = None;
    for status in [
        StockStatus::Available,
        StockStatus::Quarantined,
        StockStatus::Damaged,
        StockStatus::Received,
        StockStatus::InTransit,
        StockStatus::ReturnPending,
    ] {
        let on_hand = stock::bucket_quantity(conn, goods.item.id, &key(status))?;
        if on_hand > 0 {
            found = Some((status, on_hand));
            break;
        }
    }
    let Some((status, on_hand)) = found else {
        if !lpn.is_empty() {
            if stock::plate_at(conn, from.id, &lpn)?.is_empty() {
                return Err(plate_not_here(conn, &lpn, from)?);
            }
            // The plate is here, the scanned goods are not on it.
            return Err(Error::InsufficientStock {
                sku,
                lot: goods.lot,
                location: format!("{} on plate {lpn}", from.location.code),
                status: StockStatus::Available.to_string(),
                on_hand: 0,
                requested,
            });
        }
        let lpns = stock::lpns_holding(conn, goods.item.id, from.id, &goods.lot)?;
        if !lpns.is_empty() {
            return Err(Error::OnPallet {
                sku,
                lot: goods.lot,
                location: from.location.code.clone(),
                lpns: lpns.join(", "),
            });
        }
        return Err(Error::InsufficientStock {
            sku,
            lot: goods.lot,
            location: from.location.code.clone(),
            status: StockStatus::Available.to_string(),
            on_hand: 0,
            requested,
        });
    };
    if requested > on_hand {
        return Err(Error::InsufficientStock {
            sku,
            lot: goods.lot,
            location: from.location.code.clone(),
            status: status.to_string(),
            on_hand,
            requested,
        });
    }
    // Everything on the plate scanned item by item is the plate moving whole (as in putaway).
    if !lpn.is_empty() {
        let on_plate = stock::plate_at(conn, from.id, &lpn)?;
        if let [only] = on_plate.as_slice()
            && only.item_id == goods.item.id
            && only.bucket == key(status)
            && only.quantity == requested
        {
            return whole_plate(conn, from, lpn);
        }
    }
    Ok(Taken {
        kind: if lpn.is_empty() {
            MoveKind::Loose
        } else {
            MoveKind::FromPlate
        },
        buckets: vec![PlateBucket {
            item_id: goods.item.id,
            bucket: key(status),
            quantity: requested,
        }],
        lpn,
    })
}

fn whole_plate(conn: &Connection, from: &LocationRecord, lpn: String) -> Result<Taken> {
    let buckets = stock::plate_at(conn, from.id, &lpn)?;
    if buckets.is_empty() {
        return Err(plate_not_here(conn, &lpn, from)?);
    }
    Ok(Taken {
        kind: MoveKind::WholePlate,
        lpn,
        buckets,
    })
}

fn plate_not_here(conn: &Connection, lpn: &str, from: &LocationRecord) -> Result<Error> {
    let elsewhere = stock::plate_locations(conn, lpn)?;
    Ok(Error::PlateNotHere {
        lpn: lpn.into(),
        location: from.location.code.clone(),
        elsewhere: (!elsewhere.is_empty()).then(|| elsewhere.join(", ")),
    })
}

/// A move keeps usability: the destination must be the kind of place for the goods' status.
fn check_status(
    sku: &str,
    bucket: &Bucket,
    from: &LocationRecord,
    to: &LocationRecord,
) -> Result<()> {
    let not_movable = |instead: &'static str| Error::NotMovable {
        sku: sku.into(),
        lot: bucket.lot.clone(),
        location: from.location.code.clone(),
        status: bucket.status,
        instead,
    };
    match bucket.status {
        StockStatus::Available | StockStatus::Quarantined | StockStatus::Damaged => {}
        StockStatus::Received => return Err(not_movable("put it away from the dock")),
        StockStatus::InTransit => {
            return Err(not_movable("picked goods leave with their order"));
        }
        StockStatus::ReturnPending => return Err(not_movable("inspect the return first")),
    }
    check_place(
        to,
        bucket.status,
        &format!("a move of {} stock", bucket.status),
    )
}

/// Stock of `status` may be put at `to`: available stock in storage or a pick face, quarantined
/// stock in quarantine, damaged stock in the damaged cage (`action` names what is refused).
pub(crate) fn check_place(to: &LocationRecord, status: StockStatus, action: &str) -> Result<()> {
    let (allowed, expected): (&[LocationKind], &str) = match status {
        StockStatus::Available => (
            &[LocationKind::Storage, LocationKind::PickFace],
            "storage or pick face",
        ),
        StockStatus::Quarantined => (&[LocationKind::Quarantine], "quarantine"),
        StockStatus::Damaged => (&[LocationKind::Damaged], "damaged"),
        StockStatus::Received => (&[LocationKind::Dock], "dock"),
        StockStatus::InTransit => (
            &[LocationKind::Staging, LocationKind::Shipping],
            "staging or shipping",
        ),
        StockStatus::ReturnPending => (&[LocationKind::Returns], "returns"),
    };
    if !allowed.contains(&to.location.kind) {
        return Err(Error::WrongLocationType {
            code: to.location.code.clone(),
            actual: to.location.kind.to_string(),
            expected: expected.into(),
            action: action.into(),
        });
    }
    Ok(())
}
