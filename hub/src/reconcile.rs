//! Counts reconciled at the hub, the same for every backend.
//!
//! A count is an observation: `observed` units of an item and lot at a location when the line was
//! counted. The counting handheld adjusts against its own view, which may lack moves other
//! handhelds had not synced yet. The hub knows more, and keeps each countable move with its time on
//! the hub's clock (the device's time less its recorded clock skew). For every observed line it
//! makes the stock's moves up to that moment plus the line's adjustments equal what was found:
//!
//! `found = moved up to the count (the line's own adjustments left out) + the line's adjustments`
//!
//! and books the difference as an event of its own (`count_reconciliation`) tagged with the line.
//! A late event (it happened before a count, it reached the hub after) changes what had moved up
//! to that count, and the count is reconciled again: the hub books a compensating correction, so
//! the shelf's stock stays what the counter saw plus what moved since. Lines are reconciled in time
//! order, so a correction of one count flows into the next count of the same stock.
//!
//! A line waits for the handheld's own adjustment (its variance says one follows), and a round
//! waiting for a supervisor's approval is not the stock's until approved.

use dockhand_protocol::envelope::{Envelope, SCHEMA_VERSION};
use dockhand_protocol::events::{
    COUNT_RECONCILED, CountAdjusted, CountOutcome, CountedLine, EventBody, EventKind,
    EventMovement, StockStatus,
};
use dockhand_protocol::sync::{HubEventKind, HubEventOrigin};

use crate::error::{HubError, HubResult};
use crate::store::{Family, HubEvent, IntakeTx, Observation, ReconcileTx, TimedMove};

/// What a count event tells the reconciliation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CountFact {
    /// A round submitted.
    Counted {
        /// Task.
        task_id: String,
        /// Round.
        round: i64,
        /// What the round led to.
        outcome: CountOutcome,
        /// Its lines.
        lines: Vec<CountedLine>,
    },
    /// One line adjusted by the handheld.
    Adjusted {
        /// The line's key.
        count_key: String,
        /// What it adjusted.
        family: Family,
        /// Task.
        task_id: String,
        /// Round.
        round: i64,
        /// A supervisor approved it (the round waited for approval).
        approved: bool,
    },
}

/// A count line's key: task, round, location, SKU and lot, as JSON.
pub fn count_key(task_id: &str, round: i64, family: &Family) -> String {
    serde_json::json!([task_id, round, family.location, family.sku, family.lot]).to_string()
}

/// What a count event's body tells, if it is one.
pub fn fact_of(body: &EventBody) -> Option<CountFact> {
    match body {
        EventBody::Counted(c) => Some(CountFact::Counted {
            task_id: c.task_id.clone(),
            round: c.round,
            outcome: c.outcome,
            lines: c.lines.clone(),
        }),
        EventBody::CountAdjusted(a) => {
            let family = Family {
                location: a.location.clone(),
                sku: a.sku.clone(),
                lot: a.lot.clone(),
            };
            Some(CountFact::Adjusted {
                count_key: count_key(&a.task_id, a.round, &family),
                family,
                task_id: a.task_id.clone(),
                round: a.round,
                approved: a.approved_by.is_some(),
            })
        }
        _ => None,
    }
}

/// Below this, a measured clock skew is the request's time on the network, not a clock that is
/// off: event times are taken as they are.
pub const SKEW_NOISE_MS: i64 = 1_000;

/// A device's time on the hub's clock (UTC, milliseconds), its skew taken off when it is more than
/// network delay; `None` when the text is not a time.
pub fn hub_time(device_time: &str, skew_ms: Option<i64>) -> Option<String> {
    let at = chrono::DateTime::parse_from_rfc3339(device_time).ok()?;
    let skew = skew_ms.filter(|s| s.abs() >= SKEW_NOISE_MS).unwrap_or(0);
    let at = at - chrono::Duration::milliseconds(skew);
    Some(
        at.with_timezone(&chrono::Utc)
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
    )
}

fn family_of(m: &EventMovement) -> Family {
    Family {
        location: m.location.clone(),
        sku: m.sku.clone(),
        lot: m.lot.clone(),
    }
}

/// Keeps the countable movements (not in transit) of an event at `at`.
pub fn record_moves<T: ReconcileTx + ?Sized>(
    tx: &mut T,
    movements: &[EventMovement],
    at: &str,
    event_id: &str,
    count_key: &str,
) -> HubResult<()> {
    for m in movements
        .iter()
        .filter(|m| m.status != StockStatus::InTransit)
    {
        tx.record_move(&TimedMove {
            family: family_of(m),
            status: m.status.to_string(),
            at: at.to_string(),
            delta: m.delta,
            event_id: event_id.to_string(),
            count_key: count_key.to_string(),
        })?;
    }
    Ok(())
}

/// Takes an accepted event into the reconciliation: keeps its moves with their time, records the
/// lines a count observed, and reconciles the counts it concerns (its own, or those it is late
/// for). `skew_ms` is the device's clock skew; a device that does not `share` the site's stock
/// counts against its own work: its counts are not observations.
pub fn on_accepted(
    tx: &mut dyn IntakeTx,
    event: &Envelope,
    fact: Option<&CountFact>,
    movements: &[EventMovement],
    (skew_ms, shares): (Option<i64>, bool),
    now: &str,
) -> HubResult<()> {
    let at = hub_time(&event.occurred_at, skew_ms).unwrap_or_else(|| now.to_string());
    let event_id = event.event_id.to_string();
    let (tag, moved_at) = match fact {
        // A line's adjustment stands at the line's count, whenever the handheld booked it (a
        // round approved hours later, a line scanned minutes before the round was submitted).
        Some(CountFact::Adjusted { count_key, .. }) => {
            let counted = tx.observed_at(count_key)?;
            (count_key.as_str(), counted.unwrap_or_else(|| at.clone()))
        }
        _ => ("", at.clone()),
    };
    record_moves(tx, movements, &moved_at, &event_id, tag)?;
    match fact {
        Some(CountFact::Counted {
            task_id,
            round,
            outcome,
            lines,
        }) => {
            if *outcome == CountOutcome::RecountRequired || !shares {
                // Not trusted (the handheld counts again), or not of the shelf.
                return Ok(());
            }
            let settled = *outcome != CountOutcome::ApprovalRequired;
            for line in lines {
                let family = Family {
                    location: line.location.clone(),
                    sku: line.sku.clone(),
                    lot: line.lot.clone(),
                };
                let observation = Observation {
                    count_key: count_key(task_id, *round, &family),
                    task_id: task_id.clone(),
                    round: *round,
                    at: line
                        .counted_at
                        .as_deref()
                        .and_then(|t| hub_time(t, skew_ms))
                        .unwrap_or_else(|| at.clone()),
                    observed: line.counted,
                    settled,
                    // The handheld adjusts a line with a variance in an event of its own.
                    waiting: line.variance != 0,
                    event_id: event_id.clone(),
                    device_id: event.device_id.clone(),
                    family,
                };
                tx.observe(&observation)?;
                if settled && !observation.waiting {
                    reconcile(tx, &observation.family, &observation.at, &event_id, now)?;
                }
            }
        }
        Some(CountFact::Adjusted {
            count_key,
            family,
            task_id,
            round,
            approved,
        }) => {
            tx.adjustment_arrived(count_key)?;
            if *approved {
                let round_lines = tx.settle_round(task_id, *round)?;
                let mut families: Vec<&Family> = round_lines
                    .iter()
                    .filter(|o| !o.waiting)
                    .map(|o| &o.family)
                    .collect();
                families.sort();
                families.dedup();
                for f in families {
                    reconcile(tx, f, "", &event_id, now)?;
                }
            }
            reconcile(tx, family, "", &event_id, now)?;
        }
        None => {
            let mut families: Vec<Family> = movements
                .iter()
                .filter(|m| m.status != StockStatus::InTransit)
                .map(family_of)
                .collect();
            families.sort();
            families.dedup();
            for f in families {
                // Late for a count of this stock: that count is reconciled again.
                if tx.observed_after(&f, &at)? {
                    reconcile(tx, &f, &at, &event_id, now)?;
                }
            }
        }
    }
    Ok(())
}

/// Reconciles the observations of `family` at or after `from`, in time order, booking what each
/// needs; `trigger` is the event that asked.
fn reconcile(
    tx: &mut dyn IntakeTx,
    family: &Family,
    from: &str,
    trigger: &str,
    now: &str,
) -> HubResult<()> {
    tx.lock_site()?;
    for o in tx.observations_from(family, from)? {
        let before = tx.moved_until(family, &o.at, &o.count_key)?;
        let (adjusted, status) = tx.adjusted_by(&o.count_key)?;
        let needed = o.observed - before - adjusted;
        if needed != 0 {
            book(
                tx,
                &o,
                (before, adjusted, needed),
                status.as_deref(),
                trigger,
                now,
            )?;
        }
    }
    Ok(())
}

/// Books the hub's correction of one count line: `needed` units into (or out of) the line's stock,
/// as an event of the hub's own and a move tagged with the line, at the count's time.
fn book(
    tx: &mut dyn IntakeTx,
    o: &Observation,
    (before, adjusted, needed): (i64, i64, i64),
    status: Option<&str>,
    trigger: &str,
    now: &str,
) -> HubResult<()> {
    let movement = EventMovement {
        location: o.family.location.clone(),
        sku: o.family.sku.clone(),
        lot: o.family.lot.clone(),
        serial: String::new(),
        lpn: String::new(),
        status: status
            .and_then(StockStatus::parse)
            .unwrap_or(StockStatus::Available),
        delta: needed,
    };
    let event_id = uuid::Uuid::now_v7().to_string();
    tx.add_stock(std::slice::from_ref(&movement))?;
    record_moves(
        tx,
        std::slice::from_ref(&movement),
        &o.at,
        &event_id,
        &o.count_key,
    )?;
    let lot = if o.family.lot.is_empty() {
        String::new()
    } else {
        format!(" lot {}", o.family.lot)
    };
    tracing::info!(count = %o.count_key, needed, trigger, "count reconciled at the hub");
    if tx.count_released(&o.count_key)? {
        // The ERP has the line already: it gets the correction too.
        let status = movement.status.to_string();
        post_net(
            tx,
            o,
            &[(status, needed)],
            "hub: an event late for the count",
            now,
        )?;
    }
    tx.record_hub_event(&HubEvent {
        event_id: event_id.clone(),
        kind: HubEventKind::CountReconciliation,
        origin: HubEventOrigin::Hub,
        source: format!(
            "count task {} round {} at {}: {}{lot} found {} (stock moved up to the count {before}, \
             adjusted {adjusted}: {needed:+} booked)",
            o.task_id, o.round, o.family.location, o.family.sku, o.observed
        ),
        digest: format!("reconciliation {event_id}"),
        buckets: 1,
        units: needed,
        body: serde_json::json!({
            "count_key": o.count_key,
            "count_event": o.event_id,
            "device": o.device_id,
            "counted_at": o.at,
            "found": o.observed,
            "moved_before": before,
            "adjusted_before": adjusted,
            "booked": needed,
            "trigger": trigger,
            "movement": movement,
        })
        .to_string(),
        recorded_at: now.to_string(),
    })
}

/// How long a device that has not synced still holds counts back from the ERP: one silent longer
/// is taken as off shift (a supervisor releases counts sooner when one is lost).
pub const ACTIVE_WINDOW: chrono::Duration = chrono::Duration::hours(12);

/// Who releases counts once every device has synced past them.
pub const RELEASED_BY_SYNC: &str = "hub: every active device of the site synced past the count";

/// Releases to the ERP the held count lines of the transaction's site that every device active
/// there has synced past; returns how many.
pub fn release_due(tx: &mut dyn IntakeTx, now: &str) -> HubResult<usize> {
    let since = chrono::DateTime::parse_from_rfc3339(now)
        .map(|t| {
            (t - ACTIVE_WINDOW)
                .with_timezone(&chrono::Utc)
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
        })
        .unwrap_or_default();
    tx.lock_site()?;
    let Some(through) = tx.synced_through(&since)? else {
        return Ok(0);
    };
    let due = tx.held_counts(Some(&through), None)?;
    for o in &due {
        release(tx, o, RELEASED_BY_SYNC, now)?;
    }
    Ok(due.len())
}

/// Releases held lines (of `task`, or all) on a supervisor's word; returns them.
pub fn release_held(
    tx: &mut dyn IntakeTx,
    task: Option<&str>,
    by: &str,
    now: &str,
) -> HubResult<Vec<Observation>> {
    tx.lock_site()?;
    let held = tx.held_counts(None, task)?;
    for o in &held {
        release(tx, o, by, now)?;
    }
    Ok(held)
}

/// Releases one line: the ERP gets its net adjustment (none when it nets to nothing).
fn release(tx: &mut dyn IntakeTx, o: &Observation, by: &str, now: &str) -> HubResult<()> {
    if tx.release_count(&o.count_key, by, now)? {
        let nets = tx.adjusted_by_status(&o.count_key)?;
        post_net(tx, o, &nets, by, now)?;
    }
    Ok(())
}

/// Appends a line's net adjustment (by status) to the ERP's feed as a `counting.adjusted` the hub
/// made (reason [`COUNT_RECONCILED`]); nothing when every status nets to zero.
fn post_net(
    tx: &mut dyn IntakeTx,
    o: &Observation,
    nets: &[(String, i64)],
    by: &str,
    now: &str,
) -> HubResult<()> {
    let movements: Vec<EventMovement> = nets
        .iter()
        .filter(|(_, net)| *net != 0)
        .map(|(status, net)| EventMovement {
            location: o.family.location.clone(),
            sku: o.family.sku.clone(),
            lot: o.family.lot.clone(),
            serial: String::new(),
            lpn: String::new(),
            status: StockStatus::parse(status).unwrap_or(StockStatus::Available),
            delta: *net,
        })
        .collect();
    let Some(first) = movements.first() else {
        return Ok(());
    };
    let variance: i64 = movements.iter().map(|m| m.delta).sum();
    let body = CountAdjusted {
        task_id: o.task_id.clone(),
        round: o.round,
        location: o.family.location.clone(),
        sku: o.family.sku.clone(),
        lot: o.family.lot.clone(),
        status: first.status,
        expected: o.observed - variance,
        counted: o.observed,
        variance,
        value_cents: 0,
        reason_code: COUNT_RECONCILED.into(),
        approved_by: None,
        movements,
    };
    let envelope = Envelope {
        seq: 0,
        event_id: uuid::Uuid::now_v7(),
        device_id: format!("hub@{}", tx.site_id()),
        event_type: EventKind::CountAdjusted.as_str().into(),
        occurred_at: o.at.clone(),
        tz_offset: "+00:00".into(),
        user_id: by.into(),
        schema_version: SCHEMA_VERSION,
        op_id: uuid::Uuid::now_v7(),
        payload: serde_json::to_value(&body)?,
        prev_hash: String::new(),
        hash: String::new(),
        signature: String::new(),
    };
    tx.append_made(&serde_json::to_string(&envelope)?, now)
}

/// A supervisor's release of a site's held count lines (of task `task_id`, or all) to the ERP now:
/// the lines released, or a sentence when none was held.
pub fn release_by_supervisor(
    store: &dyn crate::store::HubStore,
    site: &str,
    task_id: Option<&str>,
    by: &str,
    now: &str,
) -> HubResult<Vec<dockhand_protocol::sync::HeldCount>> {
    let released = store.release_counts(site, task_id, by, now)?;
    if released.is_empty() {
        return Err(HubError::NotFound(match task_id {
            Some(task) => format!(
                "no count line of task {:?} is held at site {site}: it was released already, is \
                 waiting for its handheld's adjustment or a supervisor's approval, or was never \
                 counted",
                crate::body::short_text(task, 64)
            ),
            None => format!("no count line is held at site {site}"),
        }));
    }
    Ok(released)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clock_that_is_off_is_corrected_and_network_delay_is_not() {
        let at = "2026-12-04T10:07:00.000+01:00";
        // Seven minutes ahead: the event happened at 09:00 UTC on the hub's clock.
        assert_eq!(
            hub_time(at, Some(7 * 60 * 1000)).as_deref(),
            Some("2026-12-04T09:00:00.000Z")
        );
        // 300 ms is the request's way over the network.
        assert_eq!(
            hub_time(at, Some(-300)).as_deref(),
            Some("2026-12-04T09:07:00.000Z")
        );
        assert_eq!(
            hub_time(at, None).as_deref(),
            Some("2026-12-04T09:07:00.000Z")
        );
        assert_eq!(hub_time("yesterday", Some(0)), None);
    }
}
