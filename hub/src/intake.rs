//! Event intake, the same for every backend: idempotent by event id, each device's events applied
//! in seq order along its hash chain, a gap holding later events until it is filled.
//!
//! Only the device's own chain may grow it. An event at the device's next seq takes its place
//! only when its envelope hashes to its `hash` and its `prev_hash` is the previous event's hash;
//! otherwise it is *refused*: recorded apart for a supervisor (code `hash_mismatch` or
//! `chain_broken`), never stored in the chain, so it cannot re-anchor it for a forgery to follow,
//! and the seq stays free for the device's genuine event. The same holds for a seq the hub already
//! holds (`seq_conflict`), a seq below 1 (`invalid_seq`) and one too far ahead (`too_far_ahead`).
//!
//! An event that does take its place is judged on its content: an unsupported schema, control
//! characters or oversized fields in the envelope, a NUL in the payload, unreadable movements,
//! quantities out of range (one movement beyond ±[`MAX_MOVEMENT`], a bucket beyond
//! ±[`MAX_BUCKET`]) or an SKU the hub's catalog does not have make it `rejected` with a code and a
//! reason; it keeps its place (the next event links to it), so one bad event never blocks the
//! ones after it and never poisons a table. Accepted events add their movements to the stock view
//! and join the ERP feed.

use std::borrow::Cow;
use std::collections::HashMap;

use dockhand_protocol::envelope::{GENESIS_HASH, SCHEMA_VERSION};
use dockhand_protocol::events::{EventBody, EventMovement};
use dockhand_protocol::exceptions::REFUSED_EVENT;
use dockhand_protocol::sync::{Envelope, EventOutcome, EventStatus, IntakeResult};
use serde_json::Value;

use crate::error::{HubError, HubResult};
use crate::store::{BucketKey, IntakeTx, Judged, NewException, Position};

/// The most base units one movement may move (a trillion: far beyond any pallet, well inside i64).
pub const MAX_MOVEMENT: i64 = 1_000_000_000_000;
/// The most base units one bucket of the stock view may hold, either way.
pub const MAX_BUCKET: i64 = 1_000_000_000_000_000;
/// The most movements one event may carry (a command moves a handful; breaking down a pallet
/// a few dozen).
pub const MAX_MOVEMENTS: usize = 500;
/// How far ahead of its contiguous seq a device's events are held for a gap; further ones are
/// refused (the device sends them again once the gap is filled). Bounds both the held rows of a
/// device and the work of filling a gap in one transaction.
pub const MAX_AHEAD: i64 = 5000;
/// The longest identifier (SKU, location, lot, serial, LPN, status, event type, user) in characters.
pub const MAX_FIELD: usize = 128;

fn rejected(code: &str, reason: String) -> Judged {
    Judged {
        status: EventStatus::Rejected,
        code: Some(code.into()),
        reason: Some(reason),
    }
}

fn short(text: &str) -> &str {
    text.get(..12).unwrap_or(text)
}

/// Why `text` cannot be stored as an identifier, if it cannot.
fn field_problem(name: &str, text: &str, max: usize) -> Option<String> {
    if let Some(c) = text.chars().find(|c| c.is_control()) {
        return Some(format!(
            "{name} {:?} holds the control character U+{:04X}",
            crate::body::short_text(text, 40),
            u32::from(c)
        ));
    }
    let chars = text.chars().count();
    (chars > max).then(|| {
        format!(
            "{name} {:?} has {chars} characters; at most {max} are taken",
            crate::body::short_text(text, 40)
        )
    })
}

fn is_hash(text: &str) -> bool {
    text.len() == 64
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The envelope as it can be stored: control characters replaced and long fields cut, so a
/// hostile event is kept for the record the same way on every backend (PostgreSQL refuses NUL in
/// text; SQLite would store it).
fn storable(event: &Envelope) -> Cow<'_, Envelope> {
    let clean = |text: &str, max: usize| -> String {
        text.chars()
            .take(max)
            .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
            .collect()
    };
    let fields = [
        (&event.event_type, MAX_FIELD),
        (&event.user_id, MAX_FIELD),
        (&event.occurred_at, 40),
        (&event.tz_offset, 10),
        (&event.hash, 64),
        (&event.prev_hash, 64),
    ];
    if fields
        .iter()
        .all(|(text, max)| field_problem("", text, *max).is_none())
    {
        return Cow::Borrowed(event);
    }
    let mut copy = event.clone();
    copy.event_type = clean(&event.event_type, MAX_FIELD);
    copy.user_id = clean(&event.user_id, MAX_FIELD);
    copy.occurred_at = clean(&event.occurred_at, 40);
    copy.tz_offset = clean(&event.tz_offset, 10);
    copy.hash = clean(&event.hash, 64);
    copy.prev_hash = clean(&event.prev_hash, 64);
    Cow::Owned(copy)
}

/// Whether any string in `value` (keys included) holds a NUL.
fn has_nul(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().any(has_nul),
        Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || has_nul(v)),
        _ => false,
    }
}

/// Why `event` is not the device's own, if it is not: its envelope does not hash to its `hash`,
/// or (for a device whose public key the hub holds) its signature of that hash is missing or
/// wrong. Such an event never takes a place.
fn authenticity_problem(event: &Envelope, key: Option<&str>) -> Option<(&'static str, String)> {
    let what = format!("event {} of device {}", event.seq, event.device_id);
    if !is_hash(&event.hash) || !is_hash(&event.prev_hash) {
        return Some((
            "hash_mismatch",
            format!("{what} does not carry a hash and a previous hash of 64 hex digits"),
        ));
    }
    let computed = event.computed_hash();
    if computed != event.hash {
        return Some((
            "hash_mismatch",
            format!(
                "{what} ({}) hashes to {}…, not to its recorded {}…: it was altered after it was recorded",
                crate::body::short_text(&event.event_type, 40),
                short(&computed),
                short(&event.hash)
            ),
        ));
    }
    let key = key?;
    if event.signature.is_empty() {
        return Some((
            "unsigned",
            format!("{what} carries no signature; this device's events are signed with its key"),
        ));
    }
    dockhand_protocol::envelope::verify_signature(key, &event.hash, &event.signature)
        .err()
        .map(|why| ("bad_signature", format!("{what}: {why}")))
}

fn chain_broken(event: &Envelope, prev_hash: &str) -> String {
    format!(
        "event {} of device {} links to {}…, but event {} of that device has hash {}…: it is not the next event of that device's chain",
        event.seq,
        event.device_id,
        short(&event.prev_hash),
        event.seq - 1,
        short(prev_hash)
    )
}

/// The verdict on an event that takes its place, and its movements when accepted.
fn judge(tx: &mut dyn IntakeTx, event: &Envelope, catalog: bool) -> HubResult<(Judged, Taken)> {
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
            Taken::default(),
        ));
    }
    let fields = [
        ("event type", &event.event_type, MAX_FIELD),
        ("user", &event.user_id, MAX_FIELD),
        ("occurred_at", &event.occurred_at, 40),
        ("tz_offset", &event.tz_offset, 10),
    ];
    if let Some(problem) = fields
        .iter()
        .find_map(|(name, text, max)| field_problem(name, text, *max))
    {
        return Ok((
            rejected("invalid_envelope", format!("{what}: {problem}")),
            Taken::default(),
        ));
    }
    if has_nul(&event.payload) {
        return Ok((
            rejected(
                "invalid_payload",
                format!(
                    "{what} ({}) has a NUL character in its payload",
                    event.event_type
                ),
            ),
            Taken::default(),
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
                        format!(
                            "{what} has unreadable movements: {}",
                            crate::body::short_text(&e.to_string(), 120)
                        ),
                    ),
                    Taken::default(),
                ));
            }
        },
    };
    // The payload must read as this version's event of its type: what the ERP posting and the
    // supervisor's views read later is known to be there.
    let body = match event.body() {
        Ok(body) => body,
        Err(e) => {
            return Ok((
                rejected(
                    "invalid_payload",
                    format!("{what}: {}", crate::body::short_text(&e.to_string(), 200)),
                ),
                Taken::default(),
            ));
        }
    };
    if !movements.is_empty() && !body.kind().moves_stock() {
        return Ok((
            rejected(
                "invalid_payload",
                format!(
                    "{what} is a {} event, which moves no stock, but it carries {} movements",
                    body.kind(),
                    movements.len()
                ),
            ),
            Taken::default(),
        ));
    }
    // Before the catalog: a void of a refused event fails for that reason first.
    if let EventBody::Voided(void) = &body {
        for id in &void.voided_event_ids {
            if let Some((seq, code)) = tx.refused(id)? {
                return Ok((
                    rejected(
                        "voided_event_refused",
                        format!(
                            "{what} voids event {id} (seq {seq}), which this hub refused ({code}): \
                             there is no change of it here to reverse"
                        ),
                    ),
                    Taken::default(),
                ));
            }
        }
    }
    if let Some(problem) = movements_problem(tx, &movements)? {
        return Ok((
            rejected(
                "invalid_payload",
                format!("{what} ({}): {problem}", event.event_type),
            ),
            Taken::default(),
        ));
    }
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
                    Taken::default(),
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
        Taken {
            lot_expiry: received_lot(&body),
            count: crate::reconcile::fact_of(&body),
            task: crate::tasks::fact_of(&body),
            movements,
            body: Some(body),
        },
    ))
}

/// Why a movement's bucket cannot be stored (a control character, an overlong field), if it
/// cannot.
pub(crate) fn bucket_field_problem(m: &EventMovement) -> Option<String> {
    [
        ("location", &m.location),
        ("SKU", &m.sku),
        ("lot", &m.lot),
        ("serial", &m.serial),
        ("LPN", &m.lpn),
    ]
    .iter()
    .find_map(|(name, text)| field_problem(name, text, MAX_FIELD))
}

/// Why the movements cannot be added to the stock view, if they cannot: too many, a field the
/// hub cannot store, an unknown status, a quantity out of range.
fn movements_problem(
    tx: &mut dyn IntakeTx,
    movements: &[EventMovement],
) -> HubResult<Option<String>> {
    if movements.len() > MAX_MOVEMENTS {
        return Ok(Some(format!(
            "it carries {} movements; at most {MAX_MOVEMENTS} are taken",
            movements.len()
        )));
    }
    let mut after: HashMap<BucketKey, i64> = HashMap::new();
    for (i, m) in movements.iter().enumerate() {
        let n = i + 1;
        if let Some(problem) = bucket_field_problem(m) {
            return Ok(Some(format!("movement {n}: {problem}")));
        }
        if !(-MAX_MOVEMENT..=MAX_MOVEMENT).contains(&m.delta) {
            return Ok(Some(format!(
                "movement {n} moves {} units of {} at {}; one movement moves at most {MAX_MOVEMENT} either way",
                m.delta, m.sku, m.location
            )));
        }
        let key = BucketKey::from(m);
        let before = match after.get(&key) {
            Some(q) => *q,
            None => tx.bucket(&key)?,
        };
        let total = before.saturating_add(m.delta);
        if !(-MAX_BUCKET..=MAX_BUCKET).contains(&total) {
            return Ok(Some(format!(
                "movement {n} would bring {} {} at {} to {total} units; a bucket holds at most {MAX_BUCKET} either way",
                m.sku, m.status, m.location
            )));
        }
        after.insert(key, total);
    }
    Ok(None)
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

/// Records `event` as refused (no place in the chain) and returns its outcome.
fn refuse(
    tx: &mut dyn IntakeTx,
    event: &Envelope,
    code: &str,
    reason: String,
    now: &str,
) -> HubResult<EventOutcome> {
    tracing::warn!(device = %crate::body::short_text(&event.device_id, 64), seq = event.seq, code, "event refused");
    tx.refuse(&storable(event), code, &reason, now)?;
    Ok(outcome(event, &rejected(code, reason)))
}

/// Holds the device for a supervisor: its own (validly signed) chain forked, which only a restored
/// or copied database does. Its later events are answered `held` until a supervisor accepts the
/// fork or revokes the device.
fn hold_device(
    tx: &mut dyn IntakeTx,
    event: &Envelope,
    position: &mut Position,
    code: &str,
    reason: String,
    now: &str,
) -> HubResult<EventOutcome> {
    tracing::warn!(device = %event.device_id, seq = event.seq, code, "device held for a supervisor: its chain forked");
    tx.refuse(&storable(event), code, &reason, now)?;
    let reason = format!(
        "device {} is held for a supervisor: {reason} (a restored or copied database?); a supervisor accepts the fork or revokes the device",
        event.device_id
    );
    position.held = Some((code.to_string(), reason.clone(), now.to_string()));
    Ok(held_for_supervisor(event, &reason))
}

fn held_for_supervisor(event: &Envelope, reason: &str) -> EventOutcome {
    EventOutcome {
        event_id: event.event_id,
        seq: event.seq,
        status: EventStatus::Held,
        code: Some("device_held".into()),
        reason: Some(reason.to_string()),
    }
}

/// Takes the event at the next seq: refused when it is not the device's own or does not link to
/// the chain (a signed break holds the device instead; an accepted fork re-anchors), otherwise
/// judged, stored or settled, and the position moved past it. `held` says it was stored as held.
fn take_next(
    tx: &mut dyn IntakeTx,
    event: &Envelope,
    position: &mut Position,
    (catalog, held): (bool, bool),
    now: &str,
) -> HubResult<EventOutcome> {
    let key = position.public_key.clone();
    if let Some((code, reason)) = authenticity_problem(event, key.as_deref()) {
        if held {
            tx.delete_held(&event.event_id)?;
        }
        return refuse(tx, event, code, reason, now);
    }
    if event.prev_hash != position.last_hash {
        let reason = chain_broken(event, &position.last_hash);
        if key.is_some() && position.accept_fork {
            tracing::warn!(device = %event.device_id, seq = event.seq, "a supervisor accepted the fork: the chain re-anchors here");
        } else {
            if held {
                tx.delete_held(&event.event_id)?;
            }
            return if key.is_some() {
                hold_device(tx, event, position, "chain_broken", reason, now)
            } else {
                refuse(tx, event, "chain_broken", reason, now)
            };
        }
    }
    let (judged, taken) = judge(tx, event, catalog)?;
    let kept = storable(event);
    if held {
        tx.settle(&event.event_id, &judged)?;
    } else {
        tx.insert(&kept, &judged, now)?;
    }
    if judged.status == EventStatus::Rejected {
        tx.raise_exception(&NewException {
            kind: REFUSED_EVENT,
            code: judged.code.clone().unwrap_or_default(),
            subject: event.event_id.to_string(),
            device_id: event.device_id.clone(),
            event_ids: vec![event.event_id.to_string()],
            reason: judged.reason.clone().unwrap_or_default(),
            raised_at: now.into(),
        })?;
    }
    if judged.status == EventStatus::Accepted {
        accept(
            tx,
            event,
            &taken,
            (position.clock_skew_ms, position.shares_stock),
            now,
        )?;
    }
    position.contiguous_seq = event.seq;
    position.last_hash = kept.hash.clone();
    position.accept_fork = false;
    Ok(outcome(event, &judged))
}

/// What an accepted event does besides being stored: the stock, the ERP's feed, counts, lots and
/// tasks. `clock` is the device's recorded skew and whether it works on the site's stock.
fn accept(
    tx: &mut dyn IntakeTx,
    event: &Envelope,
    taken: &Taken,
    clock: (Option<i64>, bool),
    now: &str,
) -> HubResult<()> {
    crate::conflicts::apply(tx, event, &taken.movements, now)?;
    // In the feed before any correction of a count it causes.
    tx.append_feed(&event.event_id, now)?;
    crate::reconcile::on_accepted(
        tx,
        event,
        taken.count.as_ref(),
        &taken.movements,
        clock,
        now,
    )?;
    if let Some((sku, lot, expiry)) = &taken.lot_expiry {
        tx.note_lot_expiry(sku, lot, expiry)?;
    }
    if let Some(task) = &taken.task {
        crate::tasks::on_accepted(tx, event, task, now)?;
    }
    if let Some(body) = &taken.body {
        crate::measures::on_accepted(tx, event, body)?;
        crate::replenishment::on_accepted(tx, event, body)?;
        crate::units::on_accepted(tx, event, body)?;
    }
    Ok(())
}

/// Judges an event the hub refused again, now (a supervisor's retry once the cause is fixed: the
/// SKU now in the catalog…). Accepted, it counts as if it had been accepted when it came, except
/// that it joins the ERP's feed now, after the events that came after it. Answers the verdict.
pub fn retry_refused(tx: &mut dyn IntakeTx, event: &Envelope, now: &str) -> HubResult<Judged> {
    let catalog = tx.has_catalog()?;
    let (judged, taken) = judge(tx, event, catalog)?;
    if judged.status == EventStatus::Accepted {
        tx.settle(&event.event_id, &judged)?;
        let position = tx.position(&event.device_id)?;
        accept(
            tx,
            event,
            &taken,
            (position.clock_skew_ms, position.shares_stock),
            now,
        )?;
    }
    Ok(judged)
}

/// What an accepted event brings besides its verdict.
#[derive(Debug, Default)]
struct Taken {
    /// Its movements, for the stock view.
    movements: Vec<EventMovement>,
    /// The lot a receipt gave an expiry: SKU, lot, ISO date (kept for the devices that never saw
    /// the lot; sent with the stock).
    lot_expiry: Option<(String, String, String)>,
    /// What a count event tells the reconciliation of counts.
    count: Option<crate::reconcile::CountFact>,
    /// The task it works on.
    task: Option<crate::tasks::TaskFact>,
    /// The event, typed (what the site's measures keep of it).
    body: Option<EventBody>,
}

/// The lot and expiry a received line names, if it names both.
fn received_lot(body: &EventBody) -> Option<(String, String, String)> {
    match body {
        EventBody::LineReceived(line) if !line.lot.is_empty() => line
            .expiry
            .map(|e| (line.sku.clone(), line.lot.clone(), e.to_string())),
        _ => None,
    }
}

/// Takes one device's batch inside the backend's transaction. The caller has checked that every
/// event names `device_id`.
pub fn run(
    tx: &mut dyn IntakeTx,
    device_id: &str,
    events: &[Envelope],
    now: &str,
    signed_only: bool,
) -> HubResult<IntakeResult> {
    let mut position = tx.position(device_id)?;
    if signed_only && position.public_key.is_none() {
        return Err(HubError::DeviceKeyMissing(device_id.into()));
    }
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
                && stored.hash == storable(event).hash;
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
        if let Some((_, reason, since)) = &position.held {
            results.push(held_for_supervisor(
                event,
                &format!("{reason} (held since {since})"),
            ));
            continue;
        }
        let next = position.contiguous_seq + 1;
        if event.seq < 1 {
            let reason = format!(
                "event {} of device {device_id} has seq {}; a device numbers its events from 1",
                event.event_id, event.seq
            );
            results.push(refuse(tx, event, "invalid_seq", reason, now)?);
            continue;
        }
        if event.seq < next || (event.seq > next && tx.seq_taken(device_id, event.seq)?) {
            let key = position.public_key.clone();
            if let Some((code, reason)) = authenticity_problem(event, key.as_deref()) {
                results.push(refuse(tx, event, code, reason, now)?);
                continue;
            }
            let reason = format!(
                "event {} of device {} ({}) has seq {}, which the hub already holds for another event",
                event.event_id,
                device_id,
                crate::body::short_text(&event.event_type, 40),
                event.seq
            );
            // The device's own event at a taken seq: it forked, unless a supervisor accepted that.
            results.push(if key.is_some() && !position.accept_fork {
                hold_device(tx, event, &mut position, "seq_conflict", reason, now)?
            } else {
                refuse(
                    tx,
                    event,
                    "seq_conflict",
                    format!("{reason}: was the device's database replaced or restored?"),
                    now,
                )?
            });
            continue;
        }
        if event.seq > position.contiguous_seq.saturating_add(MAX_AHEAD) {
            let reason = format!(
                "event {} of device {device_id} is {} events ahead of the hub, which has every event up to {}; the hub holds at most {MAX_AHEAD} ahead: send the missing events first",
                event.seq,
                event.seq - position.contiguous_seq,
                position.contiguous_seq
            );
            results.push(refuse(tx, event, "too_far_ahead", reason, now)?);
            continue;
        }
        if event.seq > next {
            if let Some((code, reason)) =
                authenticity_problem(event, position.public_key.as_deref())
            {
                results.push(refuse(tx, event, code, reason, now)?);
                continue;
            }
            let held = Judged {
                status: EventStatus::Held,
                code: None,
                reason: Some(format!(
                    "waiting for event {next} of device {device_id} (the hub has every event up to {})",
                    position.contiguous_seq
                )),
            };
            tx.insert(&storable(event), &held, now)?;
            any_held = true;
            results.push(outcome(event, &held));
            continue;
        }
        let taken = take_next(tx, event, &mut position, (catalog, false), now)?;
        let linked = position.contiguous_seq == event.seq;
        results.push(taken);
        // The gap before held events may be filled now.
        if any_held && linked {
            while let Some(held) = tx.held_at(device_id, position.contiguous_seq + 1)? {
                let seq = held.seq;
                take_next(tx, &held, &mut position, (catalog, true), now)?;
                if position.contiguous_seq != seq {
                    break;
                }
            }
        }
    }
    // Before the flush: from the flush to commit the site's other pushes wait (the stock clock).
    tx.set_position(device_id, &position, now)?;
    tx.flush()?;
    // This device's sync may be the last one a held count waited for.
    if tx.counts_may_be_held()? {
        crate::reconcile::release_due(tx, now)?;
    }
    Ok(IntakeResult {
        results,
        contiguous_seq: position.contiguous_seq,
    })
}
