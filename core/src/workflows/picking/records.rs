//! Pick tasks, lines and picks as stored, and the walk-ordered view the operator follows.

use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::allocate::LineToAllocate;
use crate::error::{Error, Result};
pub use dockhand_protocol::events::{PickAllocation, PickLine, PickStatus};

use crate::text_enum::text_enum;

text_enum! {
    /// Where a pick task is.
    pub enum PickTaskStatus {
        /// Received or created, not allocated yet.
        Open => "open",
        /// Allocated; picks are being confirmed.
        InProgress => "in_progress",
        /// Every pick confirmed (picked or short).
        Done => "done",
        /// Cancelled; reservations released.
        Cancelled => "cancelled",
    }
}

/// A task with its lines and pick list in walk order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PickTask {
    /// Task id.
    pub id: String,
    /// Customer order reference.
    pub order_ref: String,
    /// Progress.
    pub status: PickTaskStatus,
    /// Staging location code.
    pub staging: String,
    /// Order lines.
    pub lines: Vec<PickLine>,
    /// Picks in walk order.
    pub allocations: Vec<PickAllocation>,
}

/// What the scanner shows next: where to go and what to take.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PickInstruction {
    /// Pick id to confirm.
    pub allocation_id: i64,
    /// Order line.
    pub line_no: i64,
    /// Location code to go to.
    pub location: String,
    /// Item SKU.
    pub sku: String,
    /// Item description.
    pub description: String,
    /// Lot to take ("" when untracked).
    pub lot: String,
    /// Base units still to take here.
    pub quantity: i64,
    /// Base unit.
    pub unit: String,
}

pub(super) fn exists(conn: &Connection, id: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM pick_tasks WHERE id = ?1")?
        .query_row([id], |_| Ok(()))
        .optional()?
        .is_some())
}

/// A task without its lines and picks (what a confirmation needs to check).
pub(super) fn task_header(conn: &Connection, id: &str) -> Result<PickTask> {
    let id = id.trim();
    conn.prepare_cached(
        "SELECT t.id, t.order_ref, t.status, l.code FROM pick_tasks t
             JOIN locations l ON l.id = t.staging_id WHERE t.id = ?1",
    )?
    .query_row([id], |r| {
        Ok(PickTask {
            id: r.get(0)?,
            order_ref: r.get(1)?,
            status: r.get(2)?,
            staging: r.get(3)?,
            lines: Vec::new(),
            allocations: Vec::new(),
        })
    })
    .optional()?
    .ok_or_else(|| Error::UnknownPickTask { task_id: id.into() })
}

/// A task with its lines and picks.
pub fn pick_task(conn: &Connection, id: &str) -> Result<PickTask> {
    let id = id.trim();
    let mut task = task_header(conn, id)?;
    task.lines = conn
        .prepare_cached(
            "SELECT pl.line_no, i.sku, pl.lot, pl.quantity, pl.picked, pl.short
             FROM pick_lines pl JOIN items i ON i.id = pl.item_id
             WHERE pl.task_id = ?1 ORDER BY pl.line_no",
        )?
        .query_map([id], |r| {
            Ok(PickLine {
                line_no: r.get(0)?,
                sku: r.get(1)?,
                lot: r.get(2)?,
                quantity: r.get(3)?,
                picked: r.get(4)?,
                short: r.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    task.allocations = conn
        .prepare_cached(
            "SELECT a.id, a.line_no, l.code, i.sku, a.lot, lt.expiry, a.quantity, a.picked,
                    a.short, a.status
             FROM pick_allocations a
             JOIN locations l ON l.id = a.location_id
             JOIN pick_lines pl ON pl.task_id = a.task_id AND pl.line_no = a.line_no
             JOIN items i ON i.id = pl.item_id
             LEFT JOIN lots lt ON lt.item_id = pl.item_id AND lt.lot = a.lot
             WHERE a.task_id = ?1 ORDER BY l.pick_sequence, l.code, a.id",
        )?
        .query_map([id], |r| {
            Ok(PickAllocation {
                id: r.get(0)?,
                line_no: r.get(1)?,
                location: r.get(2)?,
                sku: r.get(3)?,
                lot: r.get(4)?,
                expiry: r.get(5)?,
                quantity: r.get(6)?,
                picked: r.get(7)?,
                short: r.get(8)?,
                status: crate::text_enum::column(r, 9)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(task)
}

/// Ids of pick tasks not finished (open or in progress), oldest first: a picker's task list.
pub fn open_pick_tasks(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id FROM pick_tasks WHERE status IN ('open', 'in_progress') ORDER BY created_at, id",
    )?;
    let ids = stmt.query_map([], |r| r.get(0))?;
    Ok(ids.collect::<rusqlite::Result<_>>()?)
}

/// The next open pick in walk order, or `None` when the task is complete.
pub fn next_pick(conn: &Connection, task_id: &str) -> Result<Option<PickInstruction>> {
    let task = pick_task(conn, task_id)?;
    let Some(pick) = task
        .allocations
        .into_iter()
        .find(|a| a.status == PickStatus::Open)
    else {
        return Ok(None);
    };
    let item = crate::catalog::item_by_sku(conn, &pick.sku)?;
    Ok(Some(PickInstruction {
        allocation_id: pick.id,
        line_no: pick.line_no,
        location: pick.location,
        sku: pick.sku,
        description: item.item.description,
        lot: pick.lot,
        quantity: pick.quantity - pick.picked - pick.short,
        unit: item.item.base_unit,
    }))
}

pub(super) fn lines_to_allocate(conn: &Connection, task_id: &str) -> Result<Vec<LineToAllocate>> {
    let rows = conn
        .prepare_cached(
            "SELECT pl.line_no, pl.item_id, i.sku, pl.lot, pl.quantity FROM pick_lines pl
             JOIN items i ON i.id = pl.item_id WHERE pl.task_id = ?1 ORDER BY pl.line_no",
        )?
        .query_map([task_id], |r| {
            Ok(LineToAllocate {
                line_no: r.get(0)?,
                item_id: r.get(1)?,
                sku: r.get(2)?,
                lot: r.get(3)?,
                quantity: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Base units of an item the picks of an order's tasks brought to a staging location.
pub fn picked_for_order(
    conn: &Connection,
    order_ref: &str,
    item_id: i64,
    staging_id: i64,
) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "SELECT COALESCE(SUM(l.picked), 0) FROM pick_lines l
             JOIN pick_tasks t ON t.id = l.task_id
             WHERE t.order_ref = ?1 AND l.item_id = ?2 AND t.staging_id = ?3",
        )?
        .query_row((order_ref, item_id, staging_id), |r| r.get(0))?)
}

/// The items an order's picks brought to staging: (sku, item id, staging id, staging code).
pub fn picked_items_of_order(
    conn: &Connection,
    order_ref: &str,
) -> Result<Vec<(String, i64, i64, String)>> {
    Ok(conn
        .prepare_cached(
            "SELECT DISTINCT i.sku, l.item_id, t.staging_id, s.code FROM pick_lines l
             JOIN pick_tasks t ON t.id = l.task_id
             JOIN items i ON i.id = l.item_id
             JOIN locations s ON s.id = t.staging_id
             WHERE t.order_ref = ?1 AND l.picked > 0 ORDER BY i.sku, s.code",
        )?
        .query_map([order_ref], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?
        .collect::<rusqlite::Result<_>>()?)
}
