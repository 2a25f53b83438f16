//! Replenishment tasks shared with the site. A handheld's pick that drains a pick face raises a
//! task on that handheld (`replenishment.raised`); the hub publishes it as a `replenishment_task`
//! change so every handheld of the site lists it, and each accepted move that works it
//! (`move.confirmed` with its `task_id`) adds what it brought, until the task is done. The task is
//! the raising handheld's decision: the hub only relays it, and a task id too long to be a key, or
//! a move for a task it never saw, changes nothing.

use dockhand_protocol::events::EventBody;
use dockhand_protocol::sync::{ChangeKind, Envelope};
use dockhand_protocol::tasks::SharedReplenishment;

use crate::error::HubResult;
use crate::store::IntakeTx;

/// The longest task id the hub keys a change by (a device makes `R-` and a UUID: 38).
const MAX_TASK_ID: usize = 64;

/// Publishes the task an accepted event raised, or what an accepted move brought to it.
pub fn on_accepted(tx: &mut dyn IntakeTx, event: &Envelope, body: &EventBody) -> HubResult<()> {
    let kind = ChangeKind::ReplenishmentTask.as_str();
    match body {
        EventBody::ReplenishmentRaised(r)
            if !r.task_id.is_empty() && r.task_id.len() <= MAX_TASK_ID =>
        {
            tx.lock_site()?;
            if tx.current(kind, &r.task_id)?.is_some() {
                return Ok(());
            }
            let task = SharedReplenishment {
                task_id: r.task_id.clone(),
                location: r.location.clone(),
                sku: r.sku.clone(),
                quantity: r.quantity.max(0),
                moved: 0,
                status: "open".into(),
                raised_on: event.device_id.clone(),
            };
            tx.upsert(kind, &task.task_id, &serde_json::to_string(&task)?)
        }
        EventBody::MoveConfirmed(m) => {
            let Some(task_id) = m.task_id.as_deref().filter(|t| t.len() <= MAX_TASK_ID) else {
                return Ok(());
            };
            // Two hub instances taking two handhelds' moves on one task add both.
            tx.lock_site()?;
            let Some(data) = tx.current(kind, task_id)? else {
                return Ok(());
            };
            let mut task: SharedReplenishment = serde_json::from_str(&data)?;
            let brought = m
                .lines
                .iter()
                .fold(0i64, |sum, l| sum.saturating_add(l.base_quantity.max(0)));
            task.moved = task.moved.saturating_add(brought);
            if task.moved >= task.quantity {
                task.status = "done".into();
            }
            tx.upsert(kind, task_id, &serde_json::to_string(&task)?)
        }
        _ => Ok(()),
    }
}
