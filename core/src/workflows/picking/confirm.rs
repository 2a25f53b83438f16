//! Confirming a pick at the location: the checks an operator's scans must pass, the move to
//! staging, and what a short pick sets off.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::allocate::reference;
use super::records::{self, PickStatus, PickTaskStatus};
use crate::catalog::{self, LocationRecord, Tracking};
use crate::counting;
use crate::db::{Store, WriteTx};
use crate::error::{Error, Result};
use crate::outbox;
use crate::scan::{self, IdentifiedGoods, ScannedGoods};
use crate::stock::{self, Bucket, StockStatus};
use dockhand_protocol::events as ev;

/// Confirm a pick: the operator is at the location and has the goods.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfirmPick {
    /// Client operation id.
    pub op_id: Uuid,
    /// Who picks.
    pub operator: String,
    /// The task.
    pub task_id: String,
    /// The pick being confirmed (from [`super::next_pick`]).
    pub allocation_id: i64,
    /// What the scanner read at the location: its label's check string, proof that the picker is
    /// there. Only a scan proves it: apps never read it from the database.
    pub location_scan: String,
    /// Scan of the goods taken.
    pub scan: ScannedGoods,
    /// How many of the scanned pack were taken (0 allowed only for a short pick).
    pub quantity: i64,
    /// Tote or pallet label the goods go into at staging.
    #[serde(default)]
    pub tote: Option<String>,
    /// The location holds less than asked: what was taken is all there is.
    #[serde(default)]
    pub short: bool,
}

/// What a pick confirmation did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PickConfirmed {
    /// The task.
    pub task_id: String,
    /// The pick.
    pub allocation_id: i64,
    /// Order line.
    pub line_no: i64,
    /// Item SKU.
    pub sku: String,
    /// Lot taken.
    pub lot: String,
    /// Base units taken.
    pub picked: i64,
    /// Base units found missing (short picks).
    pub short: i64,
    /// Location picked from.
    pub location: String,
    /// Staging location.
    pub staging: String,
    /// Tote at staging ("" when none).
    pub tote: String,
    /// The count task requested for the location after a short pick.
    pub count_task_id: Option<String>,
    /// The replenishment task raised because the pick left the pick face below its minimum.
    pub replenishment_task_id: Option<String>,
    /// The task's state after this pick.
    pub task_status: PickTaskStatus,
}

struct OpenPick {
    line_no: i64,
    item_id: i64,
    line_lot: Option<String>,
    location_id: i64,
    lot: String,
    remaining: i64,
}

fn open_pick(tx: &WriteTx<'_>, task_id: &str, allocation_id: i64) -> Result<OpenPick> {
    let found: Option<(OpenPick, PickStatus)> = rusqlite::OptionalExtension::optional(
        tx.conn()
            .prepare_cached(
                "SELECT a.line_no, pl.item_id, pl.lot, a.location_id, a.lot,
                        a.quantity - a.picked - a.short, a.status
                 FROM pick_allocations a
                 JOIN pick_lines pl ON pl.task_id = a.task_id AND pl.line_no = a.line_no
                 WHERE a.task_id = ?1 AND a.id = ?2",
            )?
            .query_row((task_id, allocation_id), |r| {
                let pick = OpenPick {
                    line_no: r.get(0)?,
                    item_id: r.get(1)?,
                    line_lot: r.get(2)?,
                    location_id: r.get(3)?,
                    lot: r.get(4)?,
                    remaining: r.get(5)?,
                };
                Ok((pick, crate::text_enum::column(r, 6)?))
            }),
    )?;
    let (pick, status) = found.ok_or_else(|| Error::UnknownPick {
        task_id: task_id.into(),
        allocation_id,
    })?;
    if status != PickStatus::Open {
        return Err(Error::WrongState {
            what: "pick".into(),
            id: allocation_id.to_string(),
            state: status.to_string(),
            action: "confirmed".into(),
        });
    }
    Ok(pick)
}

/// The lot actually taken: the allocated one, or another lot of the same location that is
/// available, unreserved and not expired (a swap), unless the order line requires a lot.
fn check_lot(
    tx: &WriteTx<'_>,
    pick: &OpenPick,
    goods: &IdentifiedGoods,
    at: &LocationRecord,
    quantity: i64,
) -> Result<()> {
    let sku = &goods.item.item.sku;
    // Nothing taken (a short pick that found none): the lot does not matter.
    if goods.item.item.tracking == Tracking::None || quantity == 0 {
        return Ok(());
    }
    let swapped = goods.lot != pick.lot;
    if let Some(required) = pick.line_lot.as_ref().filter(|_| swapped) {
        return Err(Error::WrongLot {
            sku: sku.clone(),
            required: required.clone(),
            scanned: goods.lot.clone(),
        });
    }
    let not_pickable = |reason: String| Error::LotNotPickable {
        sku: sku.clone(),
        lot: goods.lot.clone(),
        location: at.location.code.clone(),
        reason,
    };
    // Checked for the allocated lot too: it may have expired since the task was allocated.
    if let Some(expiry) = stock::lot_expiry(tx.conn(), goods.item.id, &goods.lot)?
        && expiry < tx.now().date_naive()
    {
        return Err(not_pickable(format!("it expired on {expiry}")));
    }
    if !swapped {
        return Ok(());
    }
    let free = stock::unreserved(tx.conn(), goods.item.id, at.id, &goods.lot)?;
    if free >= quantity {
        return Ok(());
    }
    let held: Vec<(StockStatus, i64)> = stock::balances_at_location(tx.conn(), &at.location.code)?
        .into_iter()
        .filter(|b| b.sku == *sku && b.lot == goods.lot && b.status != StockStatus::Available)
        .map(|b| (b.status, b.quantity))
        .collect();
    Err(not_pickable(match held.first() {
        Some((status, qty)) if free <= 0 => format!("its {qty} there are {status}"),
        _ if free <= 0 => "none of it is free there".to_string(),
        _ => format!("only {free} of it is free there"),
    }))
}

/// Moves `quantity` of the goods from the location's available buckets (loose stock first) to staging.
fn move_to_staging(
    tx: &WriteTx<'_>,
    goods: &IdentifiedGoods,
    from: &LocationRecord,
    staging_id: i64,
    tote: &str,
    quantity: i64,
) -> Result<()> {
    let to = stock::Destination {
        location_id: staging_id,
        lpn: tote.to_string(),
        status: StockStatus::InTransit,
    };
    let left = stock::take(
        tx,
        goods.item.id,
        from.id,
        &goods.lot,
        StockStatus::Available,
        quantity,
        stock::Serials::Only(&goods.serial),
        Some(&to),
        "pick",
    )?;
    if left > 0 {
        return Err(Error::InsufficientStock {
            sku: goods.item.item.sku.clone(),
            lot: goods.lot.clone(),
            location: from.location.code.clone(),
            status: if goods.serial.is_empty() {
                "available".into()
            } else {
                format!("available serial {}", goods.serial)
            },
            on_hand: quantity - left,
            requested: quantity,
        });
    }
    Ok(())
}

/// Confirms a pick (or a short pick) and moves the goods to staging as `in_transit`.
pub fn confirm_pick(store: &Store, cmd: &ConfirmPick) -> Result<PickConfirmed> {
    store.command("picking.confirm", cmd.op_id, &cmd.operator, cmd, |tx| {
        confirm_in(tx, cmd)
    })
}

fn confirm_in(tx: &mut WriteTx<'_>, cmd: &ConfirmPick) -> Result<PickConfirmed> {
    let conn = tx.conn();
    catalog::operator(conn, &cmd.operator)?;
    let task = records::task_header(conn, &cmd.task_id)?;
    if task.status != PickTaskStatus::InProgress {
        return Err(Error::WrongState {
            what: "pick task".into(),
            id: task.id,
            state: task.status.to_string(),
            action: "picked".into(),
        });
    }
    let pick = open_pick(tx, &task.id, cmd.allocation_id)?;
    let at = catalog::location_by_id(conn, pick.location_id)?;
    catalog::check_presence(&at, &cmd.location_scan)?;
    let goods = scan::identify(conn, &cmd.scan, false)?;
    if goods.item.id != pick.item_id {
        return Err(Error::WrongItem {
            expected: catalog::item_by_id(conn, pick.item_id)?.item.sku,
            scanned: goods.item.item.sku.clone(),
            location: at.location.code,
        });
    }
    let picked = if cmd.short && cmd.quantity == 0 {
        0
    } else {
        goods.base_quantity(cmd.quantity)?
    };
    if picked > pick.remaining {
        return Err(Error::OverPick {
            allocation_id: cmd.allocation_id,
            sku: goods.item.item.sku.clone(),
            location: at.location.code,
            remaining: pick.remaining,
            attempted: picked,
        });
    }
    check_lot(tx, &pick, &goods, &at, picked)?;
    let short = if cmd.short {
        pick.remaining - picked
    } else {
        0
    };
    let staging = catalog::location_by_code(conn, &task.staging)?;
    let tote = scan::optional_text(&cmd.tote).unwrap_or_default();
    if picked > 0 && !tote.is_empty() {
        // The tote is this order's until packed: another order's goods never share it.
        crate::packing::register_tote(tx, &tote, &task.order_ref, &staging)?;
    }
    // Release first: the picked goods are this pick's own reservation.
    stock::release_part(tx, &reference(cmd.allocation_id), picked + short)?;
    if picked > 0 {
        move_to_staging(tx, &goods, &at, staging.id, &tote, picked)?;
    }
    let task_status =
        record_progress(tx, &task.id, cmd.allocation_id, pick.line_no, picked, short)?;
    let count_task_id = if short > 0 {
        counting::request_location_count(
            tx,
            at.id,
            "short_pick",
            &format!("short pick on task {} line {}", task.id, pick.line_no),
        )?
    } else {
        None
    };
    let result = PickConfirmed {
        task_id: task.id.clone(),
        allocation_id: cmd.allocation_id,
        line_no: pick.line_no,
        sku: goods.item.item.sku.clone(),
        lot: goods.lot.clone(),
        picked,
        short,
        location: at.location.code.clone(),
        staging: staging.location.code.clone(),
        tote,
        count_task_id,
        replenishment_task_id: None,
        task_status,
    };
    let mut raised_by = None;
    if picked > 0 {
        let event = outbox::append(
            tx,
            ev::PickConfirmed {
                task_id: result.task_id.clone(),
                order_ref: task.order_ref.clone(),
                line_no: result.line_no,
                pick_id: result.allocation_id,
                sku: result.sku.clone(),
                lot: result.lot.clone(),
                allocated_lot: pick.lot.clone(),
                serial: goods.serial.clone(),
                base_quantity: picked,
                base_unit: goods.item.item.base_unit.clone(),
                from: result.location.clone(),
                to: result.staging.clone(),
                tote: result.tote.clone(),
                movements: Vec::new(),
            },
        )?;
        raised_by = Some(event.event_id);
    }
    if short > 0 {
        let event = outbox::append(
            tx,
            ev::PickShort {
                task_id: result.task_id.clone(),
                order_ref: task.order_ref.clone(),
                line_no: result.line_no,
                pick_id: result.allocation_id,
                sku: result.sku.clone(),
                lot: pick.lot.clone(),
                location: result.location.clone(),
                expected: pick.remaining,
                found: picked,
                short,
                count_task_id: result.count_task_id.clone(),
                movements: Vec::new(),
            },
        )?;
        raised_by = raised_by.or(Some(event.event_id));
    }
    let replenishment_task_id = match raised_by {
        Some(by) => crate::replenishment::after_pick(tx, &at, pick.item_id, by)?,
        None => None,
    };
    Ok(PickConfirmed {
        replenishment_task_id,
        ..result
    })
}

/// Writes what a confirmation did to the pick, its order line and its task; the task is done
/// when no pick is left open.
fn record_progress(
    tx: &WriteTx<'_>,
    task_id: &str,
    allocation_id: i64,
    line_no: i64,
    picked: i64,
    short: i64,
) -> Result<PickTaskStatus> {
    let conn = tx.conn();
    conn.prepare_cached(
        "UPDATE pick_allocations SET picked = picked + ?2, short = short + ?3,
             status = CASE WHEN quantity = picked + ?2 + short + ?3 THEN 'done' ELSE 'open' END
         WHERE id = ?1",
    )?
    .execute((allocation_id, picked, short))?;
    conn.prepare_cached(
        "UPDATE pick_lines SET picked = picked + ?3, short = short + ?4
         WHERE task_id = ?1 AND line_no = ?2",
    )?
    .execute((task_id, line_no, picked, short))?;
    let open_left: i64 = conn
        .prepare_cached(
            "SELECT COUNT(*) FROM pick_allocations WHERE task_id = ?1 AND status = 'open'",
        )?
        .query_row([task_id], |r| r.get(0))?;
    Ok(if open_left == 0 {
        conn.prepare_cached(
            "UPDATE pick_tasks SET status = 'done', finished_at = ?2 WHERE id = ?1",
        )?
        .execute((task_id, tx.now_utc_text()))?;
        PickTaskStatus::Done
    } else {
        PickTaskStatus::InProgress
    })
}

/// A void of a pick: the goods are back on the shelf (`put_back`: the item and the bucket they
/// went back to). The pick is reopened and holds them again — on the lot actually put back, which
/// may differ from the allocated one after a lot swap — unless its task was cancelled meanwhile, in
/// which case the goods are simply free again.
pub(crate) fn undo_pick(
    tx: &WriteTx<'_>,
    picked_event: &ev::PickConfirmed,
    put_back: Option<(i64, &Bucket)>,
) -> Result<()> {
    let conn = tx.conn();
    let task_id = picked_event.task_id.as_str();
    let pick_id = picked_event.pick_id;
    let quantity = picked_event.base_quantity;
    let lot_back = picked_event.lot.as_str();
    conn.prepare_cached(
        "UPDATE pick_lines SET picked = picked - ?3 WHERE task_id = ?1 AND line_no = ?2",
    )?
    .execute((task_id, picked_event.line_no, quantity))?;
    let task_status: PickTaskStatus = conn
        .prepare_cached("SELECT status FROM pick_tasks WHERE id = ?1")?
        .query_row([task_id], |r| r.get(0))?;
    if task_status == PickTaskStatus::Cancelled {
        conn.prepare_cached("UPDATE pick_allocations SET picked = picked - ?2 WHERE id = ?1")?
            .execute((pick_id, quantity))?;
        return Ok(());
    }
    let (picked, allocated_lot, allocated): (i64, String, i64) = conn
        .prepare_cached("SELECT picked, lot, quantity FROM pick_allocations WHERE id = ?1")?
        .query_row([pick_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    let reopened = if allocated_lot == lot_back || (allocated == quantity && picked == quantity) {
        conn.prepare_cached(
            "UPDATE pick_allocations SET picked = picked - ?2, lot = ?3, status = 'open' WHERE id = ?1",
        )?
        .execute((pick_id, quantity, lot_back))?;
        pick_id
    } else {
        // Other goods of this pick stay picked: the voided part becomes a pick of its own lot.
        conn.prepare_cached(
            "UPDATE pick_allocations SET quantity = quantity - ?2, picked = picked - ?2 WHERE id = ?1",
        )?
        .execute((pick_id, quantity))?;
        conn.prepare_cached(
            "INSERT INTO pick_allocations (task_id, line_no, location_id, lot, quantity, picked, short, status)
             SELECT task_id, line_no, location_id, ?2, ?3, 0, 0, 'open' FROM pick_allocations WHERE id = ?1",
        )?
        .execute((pick_id, lot_back, quantity))?;
        conn.last_insert_rowid()
    };
    conn.prepare_cached(
        "UPDATE pick_tasks SET status = 'in_progress', finished_at = NULL WHERE id = ?1 AND status = 'done'",
    )?
    .execute([task_id])?;
    if let Some((item_id, back)) = put_back {
        stock::reserve(
            tx,
            item_id,
            back.location_id,
            &back.lot,
            quantity,
            &reference(reopened),
        )?;
    }
    Ok(())
}
