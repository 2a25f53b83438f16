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
use crate::stock::{self, Movement};
use dockhand_protocol::events::{self as ev, EventBody, EventKind};

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

/// Whether a void of this event is allowed, and why not when it is not. Every event type is
/// named: a new one does not compile until it is decided here.
fn voidable(body: &EventBody) -> std::result::Result<(), &'static str> {
    match body {
        EventBody::LineReceived(_)
        | EventBody::PutawayConfirmed(_)
        | EventBody::MoveConfirmed(_)
        | EventBody::StockReleased(_)
        | EventBody::PickConfirmed(_)
        | EventBody::CountAdjusted(_)
        | EventBody::ReturnInspected(_) => Ok(()),
        EventBody::Voided(_) => Err("it is a correction itself; a void is never voided"),
        EventBody::PickShort(_) => {
            Err("a short pick is corrected by counting the location, not by a void")
        }
        EventBody::UnitBuilt(_) | EventBody::Packed(_) | EventBody::Unpacked(_) => {
            Err("packing is undone by packing: take the goods out, or break the unit up")
        }
        EventBody::Loaded(_) | EventBody::Shipped(_) => {
            Err("loaded and shipped goods are on the truck: a return brings them back")
        }
        EventBody::ReplenishmentRaised(_) => {
            Err("a replenishment task goes with the pick that raised it: void the pick")
        }
        EventBody::BlindOpened(_)
        | EventBody::ReceiptDiscrepancy(_)
        | EventBody::ReceiptClosed(_)
        | EventBody::PickTaskStarted(_)
        | EventBody::PickTaskCancelled(_)
        | EventBody::CountTaskCreated(_)
        | EventBody::CountStarted(_)
        | EventBody::Counted(_)
        | EventBody::ReturnReceived(_) => Err(
            "only received lines, putaways, moves, releases, picks, count adjustments and return inspections can be voided",
        ),
    }
}

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
    let body = event.body()?;
    voidable(&body).map_err(refuse)?;
    let approver =
        approval.supervisor_other_than(conn, &cmd.operator, || "asked for this void".into())?;
    if approver.id == event.envelope.user_id {
        return Err(Error::SelfApproval {
            supervisor: approver.id,
            what: format!("recorded event {} ({})", event.event_id, event.event_type),
        });
    }
    let siblings = outbox::events_of_operation(conn, event.op_id)?;
    if let Some(refused) = siblings
        .iter()
        .find(|e| e.state == outbox::OutboxState::Rejected)
    {
        let why = refused
            .reject_reason
            .as_deref()
            .or(refused.reject_code.as_deref())
            .unwrap_or("no reason given");
        return Err(refuse(&format!(
            "the hub refused it ({}), so it changed no stock there and a void would reverse a \
             change the hub never applied; resolve the exception instead",
            dockhand_protocol::error::prefix(why, 120)
        )));
    }
    if siblings
        .iter()
        .any(|e| EventKind::parse(&e.event_type) == Some(EventKind::PickShort))
    {
        return Err(refuse(
            "a short pick is corrected by counting the location, not by a void",
        ));
    }
    if let EventBody::PickConfirmed(picked) = &body
        && let Some(why) = crate::packing::pick_packed_since(conn, picked)?
    {
        return Err(refuse(&why));
    }
    let voided_by: Option<String> = conn
        .prepare_cached("SELECT void_op_id FROM voids WHERE voided_op_id = ?1")?
        .query_row([event.op_id.to_string()], |r| r.get(0))
        .optional()?;
    if let Some(by) = voided_by {
        return Err(refuse(&format!("it was already voided (operation {by})")));
    }
    // The original command's ledger legs, grouped by movement, reversed.
    let legs = stock::legs_of_operation(conn, &event.op_id.to_string())?;
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
    undo_records(tx, &event, &body, &movements)?;
    // A replenishment task the voided pick raised goes with it (unless a move already worked it).
    for sibling in &siblings {
        if let Ok(EventBody::ReplenishmentRaised(raised)) = sibling.body() {
            crate::replenishment::undo_raised(tx, &raised.task_id)?;
        }
    }
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
        ev::Voided {
            voided_event_id: event.event_id,
            voided_event_type: body.kind(),
            voided_seq: event.seq,
            voided_op_id: event.op_id,
            // Every event of the voided command: a count round adjusts several lines at once.
            voided_event_ids: siblings.iter().map(|e| e.event_id).collect(),
            reason: reason.to_string(),
            movements_reversed: movements.len() as i64,
            approved_by: approver.id,
            movements: Vec::new(),
        },
    )?;
    Ok(Voided {
        voided_event_id: event.event_id,
        voided_event_type: event.envelope.event_type,
        movements_reversed: movements.len(),
    })
}

/// Asks the workflow that recorded the voided command to put its own records back.
fn undo_records(
    tx: &WriteTx<'_>,
    event: &Event,
    body: &EventBody,
    movements: &[(i64, Movement)],
) -> Result<()> {
    let put_back = movements
        .first()
        .and_then(|(_, m)| Some((m.item_id, m.to.as_ref()?)));
    match body {
        EventBody::LineReceived(received) => crate::receiving::undo_line_received(tx, received)
            .map_err(|why| match why {
                Error::ReceiptClosed { receipt_id } => Error::NotVoidable {
                    event_id: event.event_id,
                    event_type: event.event_type.clone(),
                    reason: format!(
                        "receipt {receipt_id} is closed and its differences were reported"
                    ),
                },
                other => other,
            }),
        EventBody::PickConfirmed(picked) => crate::picking::undo_pick(tx, picked, put_back),
        EventBody::CountAdjusted(adjusted) => crate::counting::undo_adjustment(tx, adjusted),
        EventBody::ReturnInspected(inspected) => crate::returns::undo_inspection(tx, inspected),
        // A move that worked a replenishment task takes back what it brought.
        EventBody::MoveConfirmed(moved) => match &moved.task_id {
            Some(task) => {
                let quantity = moved.lines.iter().map(|l| l.base_quantity).sum();
                crate::replenishment::undo_moved(tx, task, quantity)
            }
            None => Ok(()),
        },
        // Stock only: the ledger reversal is the whole undo.
        EventBody::PutawayConfirmed(_) | EventBody::StockReleased(_) => Ok(()),
        EventBody::ReplenishmentRaised(_)
        | EventBody::Voided(_)
        | EventBody::PickShort(_)
        | EventBody::UnitBuilt(_)
        | EventBody::Packed(_)
        | EventBody::Unpacked(_)
        | EventBody::Loaded(_)
        | EventBody::Shipped(_)
        | EventBody::BlindOpened(_)
        | EventBody::ReceiptDiscrepancy(_)
        | EventBody::ReceiptClosed(_)
        | EventBody::PickTaskStarted(_)
        | EventBody::PickTaskCancelled(_)
        | EventBody::CountTaskCreated(_)
        | EventBody::CountStarted(_)
        | EventBody::Counted(_)
        | EventBody::ReturnReceived(_) => Err(Error::Internal(format!(
            "{} passed the voidable check",
            body.kind()
        ))),
    }
}
