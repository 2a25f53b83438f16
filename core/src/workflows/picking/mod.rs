//! Picking: order lines taken from storage to a staging location.
//!
//! A task (created on the device or sent by the hub) is allocated when it starts: each line gets
//! one or more picks (location + lot) by FEFO and walk order, each holding a reservation. The
//! operator is led pick by pick ([`next_pick`]), scans the location's check string and the goods,
//! and confirms a quantity ([`confirm_pick`]); the goods move to staging as `in_transit`. A short
//! pick records what was found, releases the rest and asks for a cycle count of the location.

mod allocate;
mod confirm;
mod records;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::catalog::{self, LocationKind};
use crate::db::{Store, WriteTx};
use crate::error::{Error, Result};
use crate::outbox;
use crate::stock;
use dockhand_protocol::events as ev;

pub(crate) use confirm::undo_pick;
pub use confirm::{ConfirmPick, PickConfirmed, confirm_pick};
pub use dockhand_protocol::events::{PickAllocation, PickLine, PickStatus};
pub use dockhand_protocol::master::{PickLineRequest, PickTaskRequest};
pub use records::{
    PickInstruction, PickTask, PickTaskStatus, next_pick, open_pick_tasks, pick_task,
    picked_for_order, picked_items_of_order,
};

/// Create a pick task on the device and allocate it at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatePickTask {
    /// Client operation id.
    pub op_id: Uuid,
    /// Who creates it.
    pub operator: String,
    /// The task.
    pub task: PickTaskRequest,
}

/// Start (allocate) a task the hub sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartPickTask {
    /// Client operation id.
    pub op_id: Uuid,
    /// Who starts it.
    pub operator: String,
    /// The task.
    pub task_id: String,
}

/// Cancel a task: its open picks release their reservations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancelPickTask {
    /// Client operation id.
    pub op_id: Uuid,
    /// Who cancels it.
    pub operator: String,
    /// The task.
    pub task_id: String,
    /// Why.
    pub reason: String,
}

fn insert_task(tx: &WriteTx<'_>, task: &PickTaskRequest, source: &str) -> Result<()> {
    let conn = tx.conn();
    let id = task.task_id.trim();
    if id.is_empty() {
        return Err(Error::invalid("pick task id", "it is empty"));
    }
    if task.lines.is_empty() {
        return Err(Error::invalid(
            "pick lines",
            format!("task {id} has no lines"),
        ));
    }
    if records::exists(conn, id)? {
        return Err(Error::WrongState {
            what: "pick task".into(),
            id: id.into(),
            state: "already on this device".into(),
            action: "created again".into(),
        });
    }
    let staging = catalog::usable_location(
        conn,
        &task.staging,
        &[LocationKind::Staging, LocationKind::Shipping],
        "picking to",
    )?;
    let ship_by = task.ship_by_time()?.map(crate::db::utc_text);
    conn.prepare_cached(
        "INSERT INTO pick_tasks (id, order_ref, source, status, staging_id, created_at, ship_by)
         VALUES (?1, ?2, ?3, 'open', ?4, ?5, ?6)",
    )?
    .execute((
        id,
        &task.order_ref,
        source,
        staging.id,
        tx.now_utc_text(),
        ship_by,
    ))?;
    let mut seen = std::collections::HashSet::new();
    for line in &task.lines {
        if line.line_no < 1 || !seen.insert(line.line_no) {
            return Err(Error::invalid(
                "line number",
                format!("task {id} line {} is below 1 or repeated", line.line_no),
            ));
        }
        let item = catalog::item_by_sku(conn, &line.sku)?;
        let unit = line.unit.as_deref().unwrap_or(&item.item.base_unit);
        if line.quantity < 1 {
            return Err(Error::InvalidQuantity {
                quantity: line.quantity,
            });
        }
        let quantity = line
            .quantity
            .checked_mul(catalog::unit_factor(conn, &item, unit)?)
            .ok_or_else(|| Error::QuantityTooLarge {
                sku: line.sku.clone(),
                quantity: line.quantity,
                unit: unit.into(),
            })?;
        let lot = line.lot.as_deref().map(str::trim).filter(|l| !l.is_empty());
        conn.prepare_cached(
            "INSERT INTO pick_lines (task_id, line_no, item_id, lot, quantity, picked, short)
             VALUES (?1, ?2, ?3, ?4, ?5, 0, 0)",
        )?
        .execute((id, line.line_no, item.id, lot, quantity))?;
    }
    Ok(())
}

/// Allocates an open task, marks it in progress and records the event.
fn start_in(tx: &WriteTx<'_>, task_id: &str) -> Result<PickTask> {
    let task = records::task_header(tx.conn(), task_id)?;
    if task.status != PickTaskStatus::Open {
        return Err(Error::WrongState {
            what: "pick task".into(),
            id: task.id,
            state: task.status.to_string(),
            action: "started".into(),
        });
    }
    crate::claims::check_not_held_elsewhere(
        tx.conn(),
        tx.device_id(),
        crate::claims::TaskKind::Pick,
        &task.id,
    )?;
    let lines = records::lines_to_allocate(tx.conn(), task_id)?;
    allocate::allocate(tx, task_id, &lines)?;
    tx.conn()
        .prepare_cached("UPDATE pick_tasks SET status = 'in_progress' WHERE id = ?1")?
        .execute([task_id])?;
    let task = records::pick_task(tx.conn(), task_id)?;
    outbox::append(
        tx,
        ev::PickTaskStarted {
            task_id: task.id.clone(),
            order_ref: task.order_ref.clone(),
            staging: task.staging.clone(),
            lines: task.lines.clone(),
            picks: task.allocations.clone(),
        },
    )?;
    Ok(task)
}

/// Creates a pick task on the device and allocates it (FEFO, walk order, reservations).
pub fn create_pick_task(store: &Store, cmd: &CreatePickTask) -> Result<PickTask> {
    store.command("picking.create", cmd.op_id, &cmd.operator, cmd, |tx| {
        catalog::operator(tx.conn(), &cmd.operator)?;
        insert_task(tx, &cmd.task, "local")?;
        start_in(tx, cmd.task.task_id.trim())
    })
}

/// Loads pick tasks sent by the hub (unallocated; a device allocates when an operator starts one).
/// Tasks already on the device are left as they are and listed in the answer.
pub fn load_pick_tasks(store: &Store, tasks: &[PickTaskRequest]) -> Result<Vec<String>> {
    store.write(|tx| load_pick_tasks_in(tx, tasks))
}

/// [`load_pick_tasks`] inside the caller's transaction (a page of changes from the hub).
pub(crate) fn load_pick_tasks_in(
    tx: &WriteTx<'_>,
    tasks: &[PickTaskRequest],
) -> Result<Vec<String>> {
    let mut kept = Vec::new();
    for task in tasks {
        if records::exists(tx.conn(), task.task_id.trim())? {
            kept.push(task.task_id.clone());
            continue;
        }
        insert_task(tx, task, "hub")?;
    }
    Ok(kept)
}

/// Starts a task sent by the hub: allocates and reserves its picks.
pub fn start_pick_task(store: &Store, cmd: &StartPickTask) -> Result<PickTask> {
    store.command("picking.start", cmd.op_id, &cmd.operator, cmd, |tx| {
        catalog::operator(tx.conn(), &cmd.operator)?;
        start_in(tx, cmd.task_id.trim())
    })
}

/// Cancels a task: open picks release their reservations; what was picked stays in staging.
pub fn cancel_pick_task(store: &Store, cmd: &CancelPickTask) -> Result<PickTask> {
    store.command("picking.cancel", cmd.op_id, &cmd.operator, cmd, |tx| {
        let conn = tx.conn();
        catalog::operator(conn, &cmd.operator)?;
        if cmd.reason.trim().is_empty() {
            return Err(Error::ReasonRequired {
                action: "cancelling a pick task".into(),
            });
        }
        let task = records::pick_task(conn, &cmd.task_id)?;
        if matches!(task.status, PickTaskStatus::Done | PickTaskStatus::Cancelled) {
            return Err(Error::WrongState {
                what: "pick task".into(),
                id: task.id,
                state: task.status.to_string(),
                action: "cancelled".into(),
            });
        }
        let mut released = 0;
        for pick in task.allocations.iter().filter(|a| a.status == PickStatus::Open) {
            released += stock::release_reservations(tx, &allocate::reference(pick.id))?;
        }
        conn.prepare_cached(
            "UPDATE pick_allocations SET status = 'released' WHERE task_id = ?1 AND status = 'open'",
        )?
        .execute([&task.id])?;
        conn.prepare_cached(
            "UPDATE pick_tasks SET status = 'cancelled', finished_at = ?2 WHERE id = ?1",
        )?
        .execute((&task.id, tx.now_utc_text()))?;
        outbox::append(
            tx,
            ev::PickTaskCancelled {
                task_id: task.id.clone(),
                order_ref: task.order_ref.clone(),
                reason: cmd.reason.trim().to_string(),
                released_quantity: released,
            },
        )?;
        records::pick_task(conn, &task.id)
    })
}
