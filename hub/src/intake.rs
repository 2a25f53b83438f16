//! Event intake, the same for every backend: idempotent by event id, each device's events applied
//! in seq order along its hash chain, a gap holding later events until it is filled.
//!
//! An event at the device's next seq is judged: an unsupported schema, an envelope that does not
//! hash to its `hash`, a `prev_hash` that is not the previous event's hash, unreadable movements
//! or an SKU the hub's catalog does not have make it `rejected` with a code and a reason. Judged
//! either way, it takes its place in the chain (the next event links to its hash), so one bad
//! event never blocks the ones after it. Accepted events add their movements to the stock view
//! and join the ERP feed.

use dockhand_core::outbox::{EventMovement, GENESIS_HASH, SCHEMA_VERSION};
use dockhand_core::sync::protocol::{Envelope, EventOutcome, EventStatus, IntakeResult};

use crate::error::HubResult;
use crate::store::{IntakeTx, Judged, Position};

fn rejected(code: &str, reason: String) -> Judged {
    Judged {
        status: EventStatus::Rejected,
        code: Some(code.into()),
        reason: Some(reason),
    }
}

fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

/// The verdict on the event at the device's next seq, and its movements when accepted.
fn judge(
    tx: &mut dyn IntakeTx,
    event: &Envelope,
    prev_hash: &str,
    catalog: bool,
) -> HubResult<(Judged, Vec<EventMovement>)> {
    let what = format!("event {} of device {}", event.seq, event.device_id);
    if event.schema_version != SCHEMA_VERSION {
        return Ok((
            rejected(
                "unsupported_schema",
                format!(
                    "{what} has schema version {}; this hub reads version {SCHEMA_VERSION}",
                    event.schema_version
                ),
            ),
            Vec::new(),
        ));
    }
    let computed = event.computed_hash();
    if computed != event.hash {
        return Ok((
            rejected(
                "hash_mismatch",
                format!(
                    "{what} ({}) hashes to {}…, not to its recorded {}…: it was altered after it was recorded",
                    event.event_type,
                    short(&computed),
                    short(&event.hash)
                ),
            ),
            Vec::new(),
        ));
    }
    if event.prev_hash != prev_hash {
        return Ok((
            rejected(
                "chain_broken",
                format!(
                    "{what} links to {}…, but event {} of that device has hash {}…",
                    short(&event.prev_hash),
                    event.seq - 1,
                    short(prev_hash)
                ),
            ),
            Vec::new(),
        ));
    }
    let movements: Vec<EventMovement> = match event.payload.get("movements") {
        None => Vec::new(),
        Some(list) => match serde_json::from_value(list.clone()) {
            Ok(m) => m,
            Err(e) => {
                return Ok((
                    rejected(
                        "invalid_payload",
                        format!("{what} has unreadable movements: {e}"),
                    ),
                    Vec::new(),
                ));
            }
        },
    };
    if catalog {
        for m in &movements {
            if !tx.sku_known(&m.sku)? {
                return Ok((
                    rejected(
                        "unknown_sku",
                        format!(
                            "{what} ({}) moves SKU {} at {}, which is not in the hub's catalog",
                            event.event_type, m.sku, m.location
                        ),
                    ),
                    Vec::new(),
                ));
            }
        }
    }
    Ok((
        Judged {
            status: EventStatus::Accepted,
            code: None,
            reason: None,
        },
        movements,
    ))
}

fn outcome(event: &Envelope, judged: &Judged) -> EventOutcome {
    EventOutcome {
        event_id: event.event_id,
        seq: event.seq,
        status: judged.status,
        code: judged.code.clone(),
        reason: judged.reason.clone(),
    }
}

/// Judges the event at the next seq, stores or settles it, and moves the position past it.
fn take_next(
    tx: &mut dyn IntakeTx,
    event: &Envelope,
    position: &mut Position,
    catalog: bool,
    held: bool,
    now: &str,
) -> HubResult<Judged> {
    let (judged, movements) = judge(tx, event, &position.last_hash, catalog)?;
    if held {
        tx.settle(&event.event_id, &judged)?;
    } else {
        tx.insert(event, &judged, now)?;
    }
    if judged.status == EventStatus::Accepted {
        tx.apply(&movements)?;
        tx.append_feed(&event.event_id)?;
    }
    position.contiguous_seq = event.seq;
    position.last_hash = event.hash.clone();
    Ok(judged)
}

/// Takes one device's batch inside the backend's transaction. The caller has checked that every
/// event names `device_id`.
pub fn run(
    tx: &mut dyn IntakeTx,
    device_id: &str,
    events: &[Envelope],
    now: &str,
) -> HubResult<IntakeResult> {
    let mut position = tx.position(device_id)?;
    if position.contiguous_seq == 0 {
        position.last_hash = GENESIS_HASH.into();
    }
    let catalog = tx.has_catalog()?;
    let mut any_held = tx.has_held(device_id)?;
    let ids: Vec<uuid::Uuid> = events.iter().map(|e| e.event_id).collect();
    tx.prefetch(&ids)?;
    let mut results = Vec::with_capacity(events.len());
    for event in events {
        if let Some(stored) = tx.stored(&event.event_id)? {
            let same = stored.device_id == event.device_id
                && stored.seq == event.seq
                && stored.hash == event.hash;
            results.push(if !same {
                outcome(
                    event,
                    &rejected(
                        "event_id_reused",
                        format!(
                            "event id {} was already received as event {} of device {} with other content",
                            event.event_id, stored.seq, stored.device_id
                        ),
                    ),
                )
            } else {
                let status = match stored.status {
                    EventStatus::Accepted => EventStatus::Duplicate,
                    other => other,
                };
                EventOutcome {
                    event_id: event.event_id,
                    seq: event.seq,
                    status,
                    code: stored.code,
                    reason: stored.reason,
                }
            });
            continue;
        }
        let next = position.contiguous_seq + 1;
        if event.seq < next || (event.seq > next && tx.seq_taken(device_id, event.seq)?) {
            results.push(outcome(
                event,
                &rejected(
                    "seq_conflict",
                    format!(
                        "event {} of device {} ({}) has seq {}, which the hub already holds for another event: was the device's database replaced or restored?",
                        event.event_id, device_id, event.event_type, event.seq
                    ),
                ),
            ));
            continue;
        }
        if event.seq > next {
            let held = Judged {
                status: EventStatus::Held,
                code: None,
                reason: Some(format!(
                    "waiting for event {next} of device {device_id} (the hub has every event up to {})",
                    position.contiguous_seq
                )),
            };
            tx.insert(event, &held, now)?;
            any_held = true;
            results.push(outcome(event, &held));
            continue;
        }
        let judged = take_next(tx, event, &mut position, catalog, false, now)?;
        results.push(outcome(event, &judged));
        // The gap before held events may be filled now.
        if any_held {
            while let Some(held) = tx.held_at(device_id, position.contiguous_seq + 1)? {
                take_next(tx, &held, &mut position, catalog, true, now)?;
            }
        }
    }
    tx.flush()?;
    tx.set_position(device_id, &position, now)?;
    Ok(IntakeResult {
        results,
        contiguous_seq: position.contiguous_seq,
    })
}
