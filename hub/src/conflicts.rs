//! Stock below zero at the hub. The hub never refuses a physical fact for lack of stock: when two
//! handhelds take the same last units offline, both events are accepted and the bucket goes below
//! zero. Each crossing below zero is recorded as an exception naming the event that crossed and the
//! one that took from the bucket before it, and raises a count task for the location, which every
//! device of the site pulls.

use dockhand_protocol::events::EventMovement;
use dockhand_protocol::master::CountTaskRequest;
use dockhand_protocol::sync::Envelope;

use crate::error::HubResult;
use dockhand_protocol::exceptions::STOCK_BELOW_ZERO;

use crate::store::{BucketKey, Conflict, IntakeTx, NewException};

/// Adds an accepted event's movements to the stock, recording the buckets it takes below zero.
pub fn apply(
    tx: &mut dyn IntakeTx,
    event: &Envelope,
    movements: &[EventMovement],
    now: &str,
) -> HubResult<()> {
    let conflicts = below_zero(tx, event, movements)?;
    tx.apply(movements, &event.event_id.to_string())?;
    for c in conflicts {
        let task = CountTaskRequest {
            task_id: c.count_task.clone(),
            location: Some(c.key.location.clone()),
            sku: None,
            reason: format!("stock below zero: {} {}", c.key.sku, c.key.status),
        };
        tx.record_conflict(&c, &serde_json::to_string(&task)?)?;
        let mut events = vec![c.other_event_id.clone(), c.event_id.clone()];
        events.retain(|e| e.parse::<uuid::Uuid>().is_ok());
        tx.raise_exception(&NewException {
            kind: STOCK_BELOW_ZERO,
            code: STOCK_BELOW_ZERO.into(),
            subject: format!(
                "{}:{}:{}:{}",
                c.count_task, c.key.sku, c.key.lot, c.key.status
            ),
            device_id: c.device_id.clone(),
            event_ids: events,
            reason: c.reason.clone(),
            raised_at: now.into(),
        })?;
    }
    Ok(())
}

/// The buckets `event` takes from zero or above to below zero.
fn below_zero(
    tx: &mut dyn IntakeTx,
    event: &Envelope,
    movements: &[EventMovement],
) -> HubResult<Vec<Conflict>> {
    let mut sums: Vec<(BucketKey, i64)> = Vec::new();
    for m in movements {
        let key = BucketKey::from(m);
        match sums.iter_mut().find(|(k, _)| *k == key) {
            Some((_, sum)) => *sum += m.delta,
            None => sums.push((key, m.delta)),
        }
    }
    let mut found = Vec::new();
    for (key, delta) in sums {
        if delta >= 0 {
            continue;
        }
        let before = tx.bucket(&key)?;
        let after = before.saturating_add(delta);
        if before < 0 || after >= 0 {
            continue;
        }
        let other_event_id = tx.last_taker(&key)?;
        let other = match other_event_id.parse() {
            Ok(id) => match tx.stored_earlier(&id)? {
                Some(s) => format!("event #{} of {} ({other_event_id})", s.seq, s.device_id),
                None => format!("event {other_event_id}"),
            },
            Err(_) => "no event the hub knows of".into(),
        };
        let count_task = format!("CC-{}-{}-{}", key.location, event.device_id, event.seq);
        let lot = if key.lot.is_empty() {
            String::new()
        } else {
            format!(" lot {}", key.lot)
        };
        let reason = format!(
            "{}{lot} {} at {} went to {after} when event #{} of {} ({}) took {}; {other} took from it before: two handhelds took the same units. Count task {count_task} counts {}",
            key.sku,
            key.status,
            key.location,
            event.seq,
            event.device_id,
            event.event_type,
            -delta,
            key.location
        );
        found.push(Conflict {
            key,
            quantity: after,
            event_id: event.event_id.to_string(),
            event_type: event.event_type.clone(),
            device_id: event.device_id.clone(),
            seq: event.seq,
            other_event_id,
            count_task,
            reason,
        });
    }
    Ok(found)
}
