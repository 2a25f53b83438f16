//! Replenishment of pick faces: min/max per face from master data (`Location.replenish`).
//!
//! A pick (or a short pick) that leaves fewer than the face's minimum of its item there raises a
//! task, in the same transaction, to bring the face back up to its maximum — one open task per
//! face. The task is worked as an ordinary move (moves/mod.rs) carrying its id: from reserve
//! storage to the face, with both labels scanned, lot by lot first-expiry-first-out. Each move
//! adds to what the task brought; it is done once that reaches what was asked. What to take next
//! is decided when the operator asks ([`next_replenishment`]), not when the task was raised:
//! reserve stock changes in between.

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::catalog::{self, LocationRecord};
use crate::db::WriteTx;
use crate::error::{Error, Result};
use crate::outbox;
use crate::stock::{self, ReservePlace};
use dockhand_protocol::events as ev;
pub use dockhand_protocol::tasks::SharedReplenishment;

/// A replenishment task as the device holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplenishmentTask {
    /// Task id (`R-` and a UUID).
    pub id: String,
    /// The pick face.
    pub location: String,
    /// The item.
    pub sku: String,
    /// Base units asked for.
    pub quantity: i64,
    /// Base units moves brought so far.
    pub moved: i64,
    /// `open` or `done`.
    pub status: String,
    /// `local` (raised here) or `hub` (raised on another handheld).
    pub source: String,
    /// When it was raised (UTC, RFC 3339).
    pub created_at: String,
}

/// What to bring next for a task: from where, which lot, how many.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplenishInstruction {
    /// The task.
    pub task_id: String,
    /// The pick face to bring the goods to.
    pub face: String,
    /// The item.
    pub sku: String,
    /// Reserve location to take from (first expiring lot first, then walk order).
    pub from: String,
    /// Lot to take ("" when untracked).
    pub lot: String,
    /// Its expiry.
    pub expiry: Option<NaiveDate>,
    /// Licence plate the goods are on there ("" for loose goods): a partial move from it.
    pub lpn: String,
    /// Base units to take there: what the task still needs, at most what is free there.
    pub quantity: i64,
}

const SELECT_TASK: &str = "SELECT t.id, l.code, i.sku, t.quantity, t.moved, t.status, t.source,
        t.created_at, t.location_id, t.item_id
     FROM replenishment_tasks t
     JOIN locations l ON l.id = t.location_id
     JOIN items i ON i.id = t.item_id";

struct TaskRow {
    task: ReplenishmentTask,
    location_id: i64,
    item_id: i64,
}

fn task_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<TaskRow> {
    Ok(TaskRow {
        task: ReplenishmentTask {
            id: r.get(0)?,
            location: r.get(1)?,
            sku: r.get(2)?,
            quantity: r.get(3)?,
            moved: r.get(4)?,
            status: r.get(5)?,
            source: r.get(6)?,
            created_at: r.get(7)?,
        },
        location_id: r.get(8)?,
        item_id: r.get(9)?,
    })
}

fn task_row(conn: &Connection, task_id: &str) -> Result<TaskRow> {
    conn.prepare_cached(&format!("{SELECT_TASK} WHERE t.id = ?1"))?
        .query_row([task_id], task_from_row)
        .optional()?
        .ok_or_else(|| Error::UnknownReplenishment {
            task_id: task_id.into(),
        })
}

/// One replenishment task.
pub fn replenishment_task(conn: &Connection, task_id: &str) -> Result<ReplenishmentTask> {
    Ok(task_row(conn, task_id)?.task)
}

/// Open replenishment tasks, oldest first.
pub fn open_replenishments(conn: &Connection) -> Result<Vec<ReplenishmentTask>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT_TASK} WHERE t.status = 'open' ORDER BY t.created_at, t.id"
    ))?;
    let rows = stmt.query_map([], task_from_row)?;
    Ok(rows
        .map(|r| r.map(|t| t.task))
        .collect::<rusqlite::Result<_>>()?)
}

/// After a pick took `item_id` from `face`: raises a task when the face is kept stocked with that
/// item, holds fewer than its minimum and has no open task. The task id, when one was raised.
pub(crate) fn after_pick(
    tx: &WriteTx<'_>,
    face: &LocationRecord,
    item_id: i64,
    raised_by: Uuid,
) -> Result<Option<String>> {
    let conn = tx.conn();
    let Some(levels) = &face.location.replenish else {
        return Ok(None);
    };
    let item = catalog::item_by_id(conn, item_id)?;
    if item.item.sku != levels.sku {
        return Ok(None);
    }
    let on_hand = stock::available_at(conn, face.id, item_id)?;
    if on_hand >= levels.min_units || open_task_for(conn, face.id, item_id)?.is_some() {
        return Ok(None);
    }
    let id = format!("R-{}", Uuid::now_v7());
    let quantity = levels.max_units - on_hand;
    insert(tx, &id, face.id, item_id, quantity, "local")?;
    outbox::append(
        tx,
        ev::ReplenishmentRaised {
            task_id: id.clone(),
            location: face.location.code.clone(),
            sku: item.item.sku,
            on_hand,
            min_units: levels.min_units,
            max_units: levels.max_units,
            quantity,
            raised_by,
        },
    )?;
    Ok(Some(id))
}

fn open_task_for(conn: &Connection, location_id: i64, item_id: i64) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached(
            "SELECT id FROM replenishment_tasks
             WHERE location_id = ?1 AND item_id = ?2 AND status = 'open'",
        )?
        .query_row((location_id, item_id), |r| r.get(0))
        .optional()?)
}

fn insert(
    tx: &WriteTx<'_>,
    id: &str,
    location_id: i64,
    item_id: i64,
    quantity: i64,
    source: &str,
) -> Result<()> {
    tx.conn()
        .prepare_cached(
            "INSERT INTO replenishment_tasks
                (id, location_id, item_id, quantity, moved, status, source, created_at)
             VALUES (?1, ?2, ?3, ?4, 0, 'open', ?5, ?6)",
        )?
        .execute((
            id,
            location_id,
            item_id,
            quantity,
            source,
            tx.now_utc_text(),
        ))?;
    Ok(())
}

/// The reserve places a task may take from, first expiring lot first, then walk order, with
/// what is free at each (reservations deducted).
fn reserve_for(conn: &Connection, task: &TaskRow) -> Result<Vec<ReservePlace>> {
    stock::reserve_places(conn, task.item_id, task.location_id)
}

/// What to bring next for an open task. Refused as `reserve_empty` when reserve storage holds
/// none of the item free to take.
pub fn next_replenishment(conn: &Connection, task_id: &str) -> Result<ReplenishInstruction> {
    let task = open_task(conn, task_id)?;
    let Some(place) = reserve_for(conn, &task)?.into_iter().next() else {
        return Err(Error::ReserveEmpty {
            task_id: task.task.id,
            sku: task.task.sku,
            face: task.task.location,
        });
    };
    Ok(ReplenishInstruction {
        quantity: place.quantity.min(task.task.quantity - task.task.moved),
        task_id: task.task.id,
        face: task.task.location,
        sku: task.task.sku,
        from: place.code,
        lot: place.lot,
        expiry: place.expiry,
        lpn: place.lpn,
    })
}

fn open_task(conn: &Connection, task_id: &str) -> Result<TaskRow> {
    let task = task_row(conn, task_id)?;
    if task.task.status != "open" {
        return Err(Error::WrongState {
            what: "replenishment task".into(),
            id: task.task.id,
            state: task.task.status,
            action: "worked".into(),
        });
    }
    Ok(task)
}

/// What a move working a task takes: checked before the move writes anything. It must bring the
/// task's item to its face, from reserve storage, and no later-expiring lot while an earlier one
/// is free in reserve.
pub(crate) fn check_move(
    conn: &Connection,
    task_id: &str,
    from: &LocationRecord,
    to: &LocationRecord,
    taken: &[(i64, String)],
) -> Result<()> {
    let task = open_task(conn, task_id)?;
    let wrong = |expected: String, found: String| Error::WrongReplenishment {
        task_id: task.task.id.clone(),
        expected,
        found,
    };
    if to.id != task.location_id {
        return Err(wrong(
            format!("{} to {}", task.task.sku, task.task.location),
            format!("to {}", to.location.code),
        ));
    }
    if from.location.kind != catalog::LocationKind::Storage {
        return Err(wrong(
            "goods from reserve storage".into(),
            format!("from {} ({})", from.location.code, from.location.kind),
        ));
    }
    let reserve = reserve_for(conn, &task)?;
    for (item_id, lot) in taken {
        if *item_id != task.item_id {
            let item = catalog::item_by_id(conn, *item_id)?.item.sku;
            return Err(wrong(task.task.sku.clone(), item));
        }
        let expiry = stock::lot_expiry(conn, *item_id, lot)?;
        let Some(taken_expiry) = expiry else { continue };
        if let Some(first) = reserve
            .iter()
            .find(|p| p.expiry.is_some_and(|e| e < taken_expiry))
        {
            return Err(wrong(
                format!(
                    "lot {} (expires {}, at {}) first",
                    first.lot,
                    first.expiry.map(|e| e.to_string()).unwrap_or_default(),
                    first.code
                ),
                format!("lot {lot} (expires {taken_expiry})"),
            ));
        }
    }
    Ok(())
}

/// Adds what a move brought to its task; the task is done once it brought what was asked.
pub(crate) fn record_moved(tx: &WriteTx<'_>, task_id: &str, quantity: i64) -> Result<()> {
    tx.conn()
        .prepare_cached(
            "UPDATE replenishment_tasks SET moved = moved + ?2,
                status = CASE WHEN moved + ?2 >= quantity THEN 'done' ELSE status END
             WHERE id = ?1",
        )?
        .execute((task_id, quantity))?;
    Ok(())
}

/// Takes back what a voided move brought (the task opens again) or drops a task whose raising
/// pick was voided and that nothing worked yet.
pub(crate) fn undo_moved(tx: &WriteTx<'_>, task_id: &str, quantity: i64) -> Result<()> {
    tx.conn()
        .prepare_cached(
            "UPDATE replenishment_tasks SET moved = MAX(moved - ?2, 0),
                status = CASE WHEN NOT EXISTS (SELECT 1 FROM replenishment_tasks o
                    WHERE o.location_id = replenishment_tasks.location_id
                      AND o.item_id = replenishment_tasks.item_id
                      AND o.status = 'open' AND o.id <> replenishment_tasks.id)
                    THEN 'open' ELSE status END
             WHERE id = ?1",
        )?
        .execute((task_id, quantity))?;
    Ok(())
}

/// Drops a task raised by a voided pick, unless a move already worked it (then it stays).
pub(crate) fn undo_raised(tx: &WriteTx<'_>, task_id: &str) -> Result<()> {
    tx.conn()
        .prepare_cached("DELETE FROM replenishment_tasks WHERE id = ?1 AND moved = 0")?
        .execute([task_id])?;
    Ok(())
}

/// Loads the tasks the hub shares: a task raised on another handheld is added (unless this one
/// has an open task for the same face and item, or does not know the face or item yet); a task
/// already here takes what the hub says moves brought, and is done when the hub says so.
pub(crate) fn load_shared_in(tx: &WriteTx<'_>, shared: &[SharedReplenishment]) -> Result<()> {
    let conn = tx.conn();
    for task in shared {
        if let Ok(here) = task_row(conn, &task.task_id) {
            let done = task.status == "done" || task.moved >= here.task.quantity;
            conn.prepare_cached(
                "UPDATE replenishment_tasks SET moved = MAX(moved, ?2),
                    status = CASE WHEN ?3 THEN 'done' ELSE status END
                 WHERE id = ?1",
            )?
            .execute((&task.task_id, task.moved, done))?;
            continue;
        }
        let (Ok(face), Ok(item)) = (
            catalog::location_by_code(conn, &task.location),
            catalog::item_by_sku(conn, &task.sku),
        ) else {
            continue;
        };
        if task.status != "open"
            || task.quantity <= task.moved
            || open_task_for(conn, face.id, item.id)?.is_some()
        {
            continue;
        }
        insert(tx, &task.task_id, face.id, item.id, task.quantity, "hub")?;
        conn.prepare_cached("UPDATE replenishment_tasks SET moved = ?2 WHERE id = ?1")?
            .execute((&task.task_id, task.moved))?;
    }
    Ok(())
}
