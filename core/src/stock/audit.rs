//! The stock's own audit: balances recomputed from the ledger, reservations against available
//! stock, and the ledger against the movements the outbox carries to the hub. `integrity` puts
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
    /// Sum of ledger deltas.
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

/// Buckets whose stored balance differs from the sum of their ledger rows (or whose sum is
/// negative).
pub fn balance_differences(conn: &Connection) -> Result<Vec<BucketDifference>> {
    let mut stmt = conn.prepare(
        "WITH sums AS (
             SELECT item_id, location_id, lot, serial, lpn, status, SUM(delta) AS qty
             FROM ledger GROUP BY item_id, location_id, lot, serial, lpn, status
         )
         SELECT i.sku, l.code, d.lot, d.serial, d.lpn, d.status, d.ledger_qty, d.balance_qty
         FROM (
             SELECT COALESCE(s.item_id, b.item_id) AS item_id,
                    COALESCE(s.location_id, b.location_id) AS location_id,
                    COALESCE(s.lot, b.lot) AS lot, COALESCE(s.serial, b.serial) AS serial,
                    COALESCE(s.lpn, b.lpn) AS lpn, COALESCE(s.status, b.status) AS status,
                    COALESCE(s.qty, 0) AS ledger_qty, COALESCE(b.qty, 0) AS balance_qty
             FROM sums s FULL OUTER JOIN balances b
               ON s.item_id = b.item_id AND s.location_id = b.location_id AND s.lot = b.lot
              AND s.serial = b.serial AND s.lpn = b.lpn AND s.status = b.status
         ) d
         LEFT JOIN items i ON i.id = d.item_id
         LEFT JOIN locations l ON l.id = d.location_id
         WHERE d.ledger_qty <> d.balance_qty OR d.ledger_qty < 0
         ORDER BY l.code, i.sku, d.lot, d.serial, d.lpn, d.status",
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

/// Ledger and balance rows.
pub fn row_counts(conn: &Connection) -> Result<(i64, i64)> {
    Ok(conn.query_row(
        "SELECT (SELECT COUNT(*) FROM ledger), (SELECT COUNT(*) FROM balances)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}
