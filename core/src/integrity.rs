//! `verify_integrity`: recompute what the device claims and report every difference.
//!
//! Balances are recomputed from the ledger, reservations are checked against available stock, the
//! movements the events carry to the hub are summed against the ledger, and the outbox's sequence
//! and hash chain are walked. A supervisor trusts the numbers because this
//! check can say exactly which row disagrees, and `dockhand inspect` exits non-zero when any does.

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::outbox::{self, ChainBreak};

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

/// Everything `verify_integrity` found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntegrityReport {
    /// Ledger rows checked.
    pub ledger_rows: i64,
    /// Balance rows checked.
    pub balance_rows: i64,
    /// Outbox events checked.
    pub events: i64,
    /// Balances that differ from the ledger (including negative ledger sums).
    pub balance_differences: Vec<BucketDifference>,
    /// Reservations beyond available stock.
    pub over_reservations: Vec<OverReservation>,
    /// Stock changes the events do not carry (or carry differently) to the hub.
    pub event_differences: Vec<BucketDifference>,
    /// Gaps, broken links and altered events in the outbox.
    pub chain_breaks: Vec<ChainBreak>,
    /// Pending events behind the outbox cursor (they would never be sent).
    pub pending_behind_cursor: Vec<i64>,
}

impl IntegrityReport {
    /// True when nothing disagrees.
    pub fn is_ok(&self) -> bool {
        self.balance_differences.is_empty()
            && self.over_reservations.is_empty()
            && self.event_differences.is_empty()
            && self.chain_breaks.is_empty()
            && self.pending_behind_cursor.is_empty()
    }
}

/// Recomputes balances from the ledger, checks reservations and the outbox chain.
pub fn verify_integrity(conn: &Connection) -> Result<IntegrityReport> {
    let count = |sql: &str| -> Result<i64> { Ok(conn.query_row(sql, [], |r| r.get(0))?) };
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
    let balance_differences = stmt
        .query_map([], difference)?
        .collect::<rusqlite::Result<_>>()?;
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
    let over_reservations = stmt
        .query_map([], |r| {
            Ok(OverReservation {
                sku: r.get(0)?,
                location: r.get(1)?,
                lot: r.get(2)?,
                available: r.get(3)?,
                reserved: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
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
    let event_differences = stmt
        .query_map([], difference)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(IntegrityReport {
        event_differences,
        ledger_rows: count("SELECT COUNT(*) FROM ledger")?,
        balance_rows: count("SELECT COUNT(*) FROM balances")?,
        events: count("SELECT COUNT(*) FROM outbox")?,
        balance_differences,
        over_reservations,
        chain_breaks: outbox::verify_chain(conn)?,
        pending_behind_cursor: outbox::pending_behind_cursor(conn)?,
    })
}

impl crate::db::Store {
    /// [`verify_integrity`] on this store.
    pub fn verify_integrity(&self) -> Result<IntegrityReport> {
        self.read(verify_integrity)
    }
}

/// The most problems SQLite's integrity check lists before it stops.
const STORAGE_PROBLEMS: usize = 100;

/// SQLite's own check of the file: every page, b-tree, index entry and constraint
/// (`PRAGMA integrity_check`). Empty when the file is sound; otherwise what SQLite found, or the
/// error that stopped it. [`verify_integrity`] checks what the rows say; this checks that the
/// rows can be trusted to be there at all.
pub fn storage_check(conn: &Connection) -> Vec<String> {
    let run = || -> rusqlite::Result<Vec<String>> {
        let mut stmt = conn.prepare(&format!("PRAGMA integrity_check({STORAGE_PROBLEMS})"))?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        rows.collect()
    };
    match run() {
        Ok(lines) if lines.len() == 1 && lines[0] == "ok" => Vec::new(),
        Ok(lines) => lines,
        Err(e) => vec![format!("the check could not finish: {e}")],
    }
}
