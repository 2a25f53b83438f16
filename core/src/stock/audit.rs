//! The stock's own audit: balances recomputed from the hub's stock and this device's events,
//! reservations against available stock, and the ledger against the movements the outbox carries
//! to the hub. `integrity` puts
//! these beside the outbox's chain check.

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::error::Result;

/// A stock bucket whose ledger sum differs from what is compared with it: its stored balance, or
/// the movements its events carry to the hub.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BucketDifference {
    /// Item SKU.
    pub sku: String,
    /// Location code.
    pub location: String,
    /// Lot.
    pub lot: String,
    /// Serial.
    pub serial: String,
    /// License plate.
    pub lpn: String,
    /// Status.
    pub status: String,
    /// What the ledger says: for a balance, the hub's stock as last pulled plus this device's
    /// movements since; for the events, the sum of ledger deltas.
    pub ledger_quantity: i64,
    /// The stored balance (0 when no row), or the sum of the events' movements.
    pub compared_quantity: i64,
}

/// Reads a difference from a row of sku, location, lot, serial, lpn, status, ledger, compared.
fn difference(r: &rusqlite::Row<'_>) -> rusqlite::Result<BucketDifference> {
    Ok(BucketDifference {
        sku: r.get::<_, Option<String>>(0)?.unwrap_or_default(),
        location: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
        lot: r.get(2)?,
        serial: r.get(3)?,
        lpn: r.get(4)?,
        status: r.get(5)?,
        ledger_quantity: r.get(6)?,
        compared_quantity: r.get(7)?,
    })
}

/// Reservations exceeding the available stock they reserve.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverReservation {
    /// Item SKU.
    pub sku: String,
    /// Location code.
    pub location: String,
    /// Lot.
    pub lot: String,
    /// Available base units.
    pub available: i64,
    /// Reserved base units.
    pub reserved: i64,
}

/// A bucket whose kept reserved total (`reserved_totals`, what the free-stock checks read)
/// differs from the sum of its open reservations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReservedTotalDifference {
    /// Item SKU (or `#id` when the item row is missing).
    pub sku: String,
    /// Location code (or `#id`).
    pub location: String,
    /// Lot.
    pub lot: String,
    /// The total kept.
    pub kept: i64,
    /// The sum of the open reservations.
    pub reserved: i64,
}

/// Buckets whose kept reserved total differs from the sum of their open reservations.
pub fn reserved_total_differences(conn: &Connection) -> Result<Vec<ReservedTotalDifference>> {
    let mut stmt = conn.prepare(
        "WITH summed AS (SELECT item_id, location_id, lot, SUM(qty) AS qty FROM reservations
                         GROUP BY item_id, location_id, lot),
              both_sides AS (
                SELECT s.item_id, s.location_id, s.lot, COALESCE(t.qty, 0) AS kept, s.qty AS reserved
                FROM summed s LEFT JOIN reserved_totals t USING (item_id, location_id, lot)
                UNION ALL
                SELECT t.item_id, t.location_id, t.lot, t.qty, 0 FROM reserved_totals t
                WHERE NOT EXISTS (SELECT 1 FROM summed s WHERE s.item_id = t.item_id
                                  AND s.location_id = t.location_id AND s.lot = t.lot))
         SELECT COALESCE(i.sku, '#' || b.item_id), COALESCE(l.code, '#' || b.location_id), b.lot,
                b.kept, b.reserved
         FROM both_sides b LEFT JOIN items i ON i.id = b.item_id
              LEFT JOIN locations l ON l.id = b.location_id
         WHERE b.kept <> b.reserved ORDER BY 1, 2, 3",
    )?;
    Ok(stmt
        .query_map([], |r| {
            Ok(ReservedTotalDifference {
                sku: r.get(0)?,
                location: r.get(1)?,
                lot: r.get(2)?,
                kept: r.get(3)?,
                reserved: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?)
}

/// Buckets whose stored balance differs from what it must be: the hub's stock as last pulled plus
/// the movements of this device's events the hub had not applied then (before a first stock pull,
/// every event's: the device's own ledger, which [`event_differences`] checks the events against).
/// Buckets of items or locations this handheld does not know yet are left out: they wait.
pub fn balance_differences(conn: &Connection) -> Result<Vec<BucketDifference>> {
    let mut stmt = conn.prepare(
        "WITH expected AS (
             SELECT location, sku, lot, serial, lpn, status, SUM(qty) AS qty FROM (
                 SELECT location, sku, lot, serial, lpn, status, qty FROM hub_stock
                 UNION ALL
                 SELECT m.value ->> 'location', m.value ->> 'sku', m.value ->> 'lot',
                        m.value ->> 'serial', m.value ->> 'lpn', m.value ->> 'status',
                        m.value ->> 'delta'
                 FROM outbox o, json_each(o.payload, '$.movements') m
                 WHERE o.seq > (SELECT hub_applied_seq FROM sync_state)
             ) GROUP BY 1, 2, 3, 4, 5, 6
         ), placed AS (
             SELECT e.* FROM expected e
             WHERE EXISTS (SELECT 1 FROM items i WHERE i.sku = e.sku)
               AND EXISTS (SELECT 1 FROM locations l WHERE l.code = e.location)
         ), stored AS (
             SELECT l.code AS location, i.sku, b.lot, b.serial, b.lpn, b.status, b.qty
             FROM balances b JOIN items i ON i.id = b.item_id
             JOIN locations l ON l.id = b.location_id
         )
         SELECT COALESCE(p.sku, s.sku), COALESCE(p.location, s.location),
                COALESCE(p.lot, s.lot), COALESCE(p.serial, s.serial), COALESCE(p.lpn, s.lpn),
                COALESCE(p.status, s.status), COALESCE(p.qty, 0), COALESCE(s.qty, 0)
         FROM placed p FULL OUTER JOIN stored s
           ON p.location = s.location AND p.sku = s.sku AND p.lot = s.lot
          AND p.serial = s.serial AND p.lpn = s.lpn AND p.status = s.status
         WHERE COALESCE(p.qty, 0) <> COALESCE(s.qty, 0) OR s.qty = 0
         ORDER BY 2, 1, 3, 4, 5, 6",
    )?;
    Ok(stmt
        .query_map([], difference)?
        .collect::<rusqlite::Result<_>>()?)
}

/// Reservations beyond the available stock they hold.
pub fn over_reservations(conn: &Connection) -> Result<Vec<OverReservation>> {
    let mut stmt = conn.prepare(
        "SELECT i.sku, l.code, r.lot,
                COALESCE((SELECT SUM(b.qty) FROM balances b WHERE b.item_id = r.item_id
                           AND b.location_id = r.location_id AND b.lot = r.lot
                           AND b.status = 'available'), 0) AS available,
                SUM(r.qty) AS reserved
         FROM reservations r JOIN items i ON i.id = r.item_id JOIN locations l ON l.id = r.location_id
         GROUP BY r.item_id, r.location_id, r.lot
         HAVING reserved > available",
    )?;
    Ok(stmt
        .query_map([], |r| {
            Ok(OverReservation {
                sku: r.get(0)?,
                location: r.get(1)?,
                lot: r.get(2)?,
                available: r.get(3)?,
                reserved: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?)
}

/// Buckets whose ledger sum differs from the sum of the movements the outbox's events carry.
pub fn event_differences(conn: &Connection) -> Result<Vec<BucketDifference>> {
    let mut stmt = conn.prepare(
        "WITH led AS (
             SELECT i.sku, l.code AS location, g.lot, g.serial, g.lpn, g.status,
                    SUM(g.delta) AS qty
             FROM ledger g JOIN items i ON i.id = g.item_id JOIN locations l ON l.id = g.location_id
             GROUP BY 1, 2, 3, 4, 5, 6
         ), ev AS (
             SELECT m.value ->> 'sku' AS sku, m.value ->> 'location' AS location,
                    m.value ->> 'lot' AS lot, m.value ->> 'serial' AS serial,
                    m.value ->> 'lpn' AS lpn, m.value ->> 'status' AS status,
                    SUM(m.value ->> 'delta') AS qty
             FROM outbox o, json_each(o.payload, '$.movements') m
             GROUP BY 1, 2, 3, 4, 5, 6
         )
         SELECT COALESCE(led.sku, ev.sku), COALESCE(led.location, ev.location),
                COALESCE(led.lot, ev.lot), COALESCE(led.serial, ev.serial),
                COALESCE(led.lpn, ev.lpn), COALESCE(led.status, ev.status),
                COALESCE(led.qty, 0), COALESCE(ev.qty, 0)
         FROM led FULL OUTER JOIN ev
           ON led.sku = ev.sku AND led.location = ev.location AND led.lot = ev.lot
          AND led.serial = ev.serial AND led.lpn = ev.lpn AND led.status = ev.status
         WHERE COALESCE(led.qty, 0) <> COALESCE(ev.qty, 0)
         ORDER BY 2, 1, 3, 4, 5, 6",
    )?;
    Ok(stmt
        .query_map([], difference)?
        .collect::<rusqlite::Result<_>>()?)
}

/// Ledger, balance and hub stock rows.
pub fn row_counts(conn: &Connection) -> Result<(i64, i64, i64)> {
    Ok(conn.query_row(
        "SELECT (SELECT COUNT(*) FROM ledger), (SELECT COUNT(*) FROM balances),
                (SELECT COUNT(*) FROM hub_stock)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?)
}
