//! Inventory KPIs for a period, computed from the ledger, the workflows' records and the events.
//!
//! - Inventory accuracy: share of counted lines (the settling round of each finished count) where
//!   the count matched the system, overall, by location and by ABC class.
//! - Adjustment rate: adjusted units / counted units, and the same by value.
//! - Return-to-available cycle time: minutes from a return's receipt to its restock (median, p90).
//! - Short-pick rate: picks that came up short / picks worked.
//! - On-time ship: orders shipped by their ship-by time / orders shipped that had one.
//! - Pack accuracy: orders shipped with nothing taken out of their cartons again / orders shipped.
//! - The locations and items most at risk (see `counting::risk_ranking`).

use dockhand_protocol::events::{EventBody, EventKind};

use chrono::{DateTime, FixedOffset};
use rusqlite::Connection;

use dockhand_protocol::measures::KpiTally;
pub use dockhand_protocol::measures::{Accuracy, Kpis};

use crate::counting::risk_ranking;
use crate::db::utc_text;
use crate::error::Result;

/// KPIs for `[from, to)`.
pub fn kpis(
    conn: &Connection,
    from: DateTime<FixedOffset>,
    to: DateTime<FixedOffset>,
) -> Result<Kpis> {
    let (from_text, to_text) = (utc_text(from), utc_text(to));
    // Settling round of each finished count, counted in the period.
    let mut stmt = conn.prepare(
        "SELECT l.code, i.abc_class, r.expected, r.counted, r.adjusted, i.unit_value_cents
         FROM count_results r
         JOIN count_tasks t ON t.id = r.task_id AND t.status = 'done' AND r.round = t.round
         JOIN locations l ON l.id = r.location_id
         JOIN items i ON i.id = r.item_id
         WHERE r.counted_at >= ?1 AND r.counted_at < ?2",
    )?;
    let rows: Vec<(String, String, i64, i64, bool, i64)> = stmt
        .query_map((&from_text, &to_text), |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut tally = KpiTally::default();
    for (location, abc, expected, counted, adjusted, value) in &rows {
        tally.count((location, abc, *value), *expected, *counted, *adjusted);
    }
    let minutes: Vec<i64> = conn
        .prepare(
            "SELECT minutes_to_available FROM return_lines
             WHERE outcome = 'restock' AND inspected_at >= ?1 AND inspected_at < ?2",
        )?
        .query_map((&from_text, &to_text), |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for m in minutes {
        tally.restock(m);
    }
    // Picks finished and orders shipped in the period, from their events (a pick confirmed in
    // parts counts once, an order shipped in several loads too).
    let mut stmt = conn.prepare(
        "SELECT event_type, payload, occurred_at FROM outbox
         WHERE event_type IN (?3, ?4, ?5) AND occurred_at >= ?1 AND occurred_at < ?2
           AND op_id NOT IN (SELECT voided_op_id FROM voids)",
    )?;
    let kinds = (
        EventKind::PickConfirmed.as_str(),
        EventKind::PickShort.as_str(),
        EventKind::Shipped.as_str(),
    );
    for row in stmt.query_map((&from_text, &to_text, kinds.0, kinds.1, kinds.2), |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
        ))
    })? {
        let (event_type, payload, at) = row?;
        let body = EventBody::parse(&event_type, &serde_json::from_str(&payload)?)?;
        if let EventBody::Shipped(s) = &body {
            tally.ship(&s.order_ref, s.on_time(&at), s.repacked == 0);
        } else if let Some((pick, was_short)) = pick_outcome(&body) {
            tally.pick(&pick.to_string(), was_short);
        }
    }
    Ok(tally.finish((from_text, to_text), risk_ranking(conn, to)?))
}

/// The pick an event finished and whether it came up short; `None` for every other event.
fn pick_outcome(body: &EventBody) -> Option<(i64, bool)> {
    match body {
        EventBody::PickConfirmed(p) => Some((p.pick_id, false)),
        EventBody::PickShort(p) => Some((p.pick_id, true)),
        EventBody::BlindOpened(_)
        | EventBody::LineReceived(_)
        | EventBody::ReceiptDiscrepancy(_)
        | EventBody::ReceiptClosed(_)
        | EventBody::PutawayConfirmed(_)
        | EventBody::MoveConfirmed(_)
        | EventBody::ReplenishmentRaised(_)
        | EventBody::StockReleased(_)
        | EventBody::UnitBuilt(_)
        | EventBody::Packed(_)
        | EventBody::Unpacked(_)
        | EventBody::Loaded(_)
        | EventBody::Shipped(_)
        | EventBody::PickTaskStarted(_)
        | EventBody::PickTaskCancelled(_)
        | EventBody::CountTaskCreated(_)
        | EventBody::CountStarted(_)
        | EventBody::Counted(_)
        | EventBody::CountAdjusted(_)
        | EventBody::ReturnReceived(_)
        | EventBody::ReturnInspected(_)
        | EventBody::Voided(_) => None,
    }
}
