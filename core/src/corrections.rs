//! Corrections: a mistaken confirmed movement is voided by a compensating transaction that
//! references the original event. History is never edited: the original command, its ledger rows
//! and its event stay; the void adds reversed ledger rows and a `correction.voided` event the ERP
//! sees as its own fact.
//!
//! Voidable: a received line, a putaway, a pick (not a short one), a count adjustment, a return
//! inspection. A command is voided at most once, and a void is never voided. Four eyes: a
//! supervisor approves each void with badge and PIN, and never one they asked for or a movement
//! they recorded themselves.

use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::catalog;
use crate::credentials::{Approval, Verified};
use crate::db::{Store, WriteTx};
use crate::error::{Error, Result};
use crate::outbox::{self, Event};
use crate::stock::{self, Bucket, Movement, StockStatus};

/// Void the command that emitted `event_id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoidMovement {
    /// Client operation id.
    pub op_id: Uuid,
    /// Who voids it.
    pub operator: String,
    /// An event of the command to void.
    pub event_id: Uuid,
    /// Why.
    pub reason: String,
    /// The approving supervisor's badge and PIN.
    pub approval: Approval,
}

/// What a void did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Voided {
    /// The event voided.
    pub voided_event_id: Uuid,
    /// Its type.
    pub voided_event_type: String,
    /// Ledger movements reversed.
    pub movements_reversed: usize,
}

const VOIDABLE: &[&str] = &[
    "receiving.line_received",
    "putaway.confirmed",
    "picking.confirmed",
    "counting.adjusted",
    "returns.inspected",
];

/// Voids a confirmed movement with its compensating transaction.
pub fn void_movement(store: &Store, cmd: &VoidMovement) -> Result<Voided> {
    store.approved_command(
        "correction.void",
        cmd.op_id,
        &cmd.operator,
        cmd,
        Some(&cmd.approval),
        |tx, approval| void_in(tx, cmd, approval),
    )
}

fn void_in(
    tx: &mut WriteTx<'_>,
    cmd: &VoidMovement,
    approval: Option<&Verified>,
) -> Result<Voided> {
    let conn = tx.conn();
    let Some(approval) = approval else {
        return Err(Error::Internal("a void without its approver".into()));
    };
    catalog::operator(conn, &cmd.operator)?;
    let reason = cmd.reason.trim();
    if reason.is_empty() {
        return Err(Error::ReasonRequired {
            action: "voiding a movement".into(),
        });
    }
    let event = outbox::event_by_id(conn, cmd.event_id)?;
    let refuse = |why: &str| Error::NotVoidable {
        event_id: event.event_id,
        event_type: event.event_type.clone(),
        reason: why.into(),
    };
    if event.event_type == "correction.voided" {
        return Err(refuse("it is a correction itself; a void is never voided"));
    }
    if !VOIDABLE.contains(&event.event_type.as_str()) {
        return Err(refuse(
            "only received lines, putaways, picks, count adjustments and return inspections can be voided",
        ));
    }
    let approver =
        approval.supervisor_other_than(conn, &cmd.operator, || "asked for this void".into())?;
    if approver.id == event.envelope.user_id {
        return Err(Error::SelfApproval {
            supervisor: approver.id,
            what: format!("recorded event {} ({})", event.event_id, event.event_type),
        });
    }
    let siblings = outbox::events_of_operation(conn, event.op_id)?;
    if siblings.iter().any(|e| e.event_type == "picking.short") {
        return Err(refuse(
            "a short pick is corrected by counting the location, not by a void",
        ));
    }
    let voided_by: Option<String> = conn
        .prepare_cached("SELECT void_op_id FROM voids WHERE voided_op_id = ?1")?
        .query_row([event.op_id.to_string()], |r| r.get(0))
        .optional()?;
    if let Some(by) = voided_by {
        return Err(refuse(&format!("it was already voided (operation {by})")));
    }
    // The original command's ledger legs, grouped by movement, reversed.
    let legs: Vec<(i64, i64, Bucket, i64)> = conn
        .prepare_cached(
            "SELECT movement_id, item_id, location_id, lot, serial, lpn, status, delta FROM ledger
             WHERE op_id = ?1 ORDER BY id",
        )?
        .query_map([event.op_id.to_string()], |r| {
            let bucket = Bucket {
                location_id: r.get(2)?,
                lot: r.get(3)?,
                serial: r.get(4)?,
                lpn: r.get(5)?,
                status: crate::text_enum::column::<StockStatus>(r, 6)?,
            };
            Ok((r.get(0)?, r.get(1)?, bucket, r.get(7)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut movements: Vec<(i64, Movement)> = Vec::new();
    for (movement_id, item_id, bucket, delta) in legs {
        let index = match movements.iter().position(|(id, _)| *id == movement_id) {
            Some(index) => index,
            None => {
                movements.push((
                    movement_id,
                    Movement {
                        item_id,
                        quantity: delta.abs(),
                        from: None,
                        to: None,
                        reason: "void".into(),
                    },
                ));
                movements.len() - 1
            }
        };
        // Reversed: what came in goes out, what went out comes back.
        let entry = &mut movements[index].1;
        if delta > 0 {
            entry.from = Some(bucket);
        } else {
            entry.to = Some(bucket);
        }
    }
    for (_, movement) in movements.iter().rev() {
        stock::apply(tx, movement).map_err(|e| match e {
            Error::InsufficientStock { .. } | Error::InsufficientAvailable { .. } => {
                refuse(&format!("the goods have moved since ({e})"))
            }
            other => other,
        })?;
    }
    undo_records(tx, &event, &movements)?;
    conn.prepare_cached(
        "INSERT INTO voids (voided_op_id, void_op_id, reason, voided_at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute((
        event.op_id.to_string(),
        tx.op_id().to_string(),
        reason,
        tx.now_utc_text(),
    ))?;
    outbox::append(
        tx,
        "correction.voided",
        &serde_json::json!({
            "voided_event_id": event.event_id,
            "voided_event_type": event.event_type,
            "voided_seq": event.seq,
            "voided_op_id": event.op_id,
            // Every event of the voided command: a count round adjusts several lines at once.
            "voided_event_ids": siblings.iter().map(|e| e.event_id).collect::<Vec<_>>(),
            "reason": reason,
            "movements_reversed": movements.len(),
            "approved_by": approver.id,
        }),
    )?;
    Ok(Voided {
        voided_event_id: event.event_id,
        voided_event_type: event.envelope.event_type,
        movements_reversed: movements.len(),
    })
}

/// Puts the workflow's own records back as they were before the voided command.
fn undo_records(tx: &WriteTx<'_>, event: &Event, movements: &[(i64, Movement)]) -> Result<()> {
    let conn = tx.conn();
    let p = &event.payload;
    let text = |key: &str| p[key].as_str().unwrap_or_default().to_string();
    let number = |key: &str| p[key].as_i64().unwrap_or_default();
    match event.event_type.as_str() {
        "receiving.line_received" => {
            let receipt = crate::receiving::receipt(conn, &text("receipt_id"))?;
            if receipt.status == crate::receiving::ReceiptStatus::Closed {
                return Err(Error::NotVoidable {
                    event_id: event.event_id,
                    event_type: event.event_type.clone(),
                    reason: format!(
                        "receipt {} is closed and its differences were reported",
                        receipt.id
                    ),
                });
            }
            conn.prepare_cached(
                "UPDATE receipt_lines SET received_qty = received_qty - ?3
                 WHERE receipt_id = ?1 AND line_no = ?2",
            )?
            .execute((&receipt.id, number("line_no"), number("base_quantity")))?;
        }
        "picking.confirmed" => reopen_pick(tx, event, movements)?,
        "counting.adjusted" => {
            // The whole adjusting command is voided: its lines no longer count as adjusted.
            conn.prepare_cached(
                "UPDATE count_results SET adjusted = 0 WHERE task_id = ?1 AND round = ?2",
            )?
            .execute((text("task_id"), number("round")))?;
        }
        "returns.inspected" => {
            conn.prepare_cached(
                "UPDATE return_lines SET outcome = NULL, reason_code = NULL, note = NULL,
                     inspected_by = NULL, inspected_at = NULL, minutes_to_available = NULL
                 WHERE return_id = ?1 AND line_no = ?2",
            )?
            .execute((text("return_id"), number("line_no")))?;
        }
        _ => {}
    }
    Ok(())
}

/// After a voided pick: the goods are back on the shelf. The pick is reopened and holds them again
/// — on the lot actually put back, which may differ from the allocated one after a lot swap —
/// unless its task was cancelled meanwhile, in which case the goods are simply free again.
fn reopen_pick(tx: &WriteTx<'_>, event: &Event, movements: &[(i64, Movement)]) -> Result<()> {
    let conn = tx.conn();
    let p = &event.payload;
    let task_id = p["task_id"].as_str().unwrap_or_default();
    let pick_id = p["pick_id"].as_i64().unwrap_or_default();
    let quantity = p["base_quantity"].as_i64().unwrap_or_default();
    let lot_back = p["lot"].as_str().unwrap_or_default();
    conn.prepare_cached(
        "UPDATE pick_lines SET picked = picked - ?3 WHERE task_id = ?1 AND line_no = ?2",
    )?
    .execute((task_id, p["line_no"].as_i64().unwrap_or_default(), quantity))?;
    let task_status: crate::picking::PickTaskStatus = conn
        .prepare_cached("SELECT status FROM pick_tasks WHERE id = ?1")?
        .query_row([task_id], |r| r.get(0))?;
    if task_status == crate::picking::PickTaskStatus::Cancelled {
        conn.prepare_cached("UPDATE pick_allocations SET picked = picked - ?2 WHERE id = ?1")?
            .execute((pick_id, quantity))?;
        return Ok(());
    }
    let (picked, allocated_lot): (i64, String) = conn
        .prepare_cached("SELECT picked, lot FROM pick_allocations WHERE id = ?1")?
        .query_row([pick_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let allocated: i64 = conn
        .prepare_cached("SELECT quantity FROM pick_allocations WHERE id = ?1")?
        .query_row([pick_id], |r| r.get(0))?;
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
    if let Some((_, m)) = movements.first()
        && let Some(back) = &m.to
    {
        stock::reserve(
            tx,
            m.item_id,
            back.location_id,
            &back.lot,
            quantity,
            &format!("pick:{reopened}"),
        )?;
    }
    Ok(())
}
