//! Read-side stock queries: balances by location, by item, totals by status, available to promise.

use rusqlite::{Connection, Row};
use serde::{Deserialize, Serialize};

use super::StockStatus;
use crate::catalog;
use crate::error::Result;

/// One balance row as a person reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Balance {
    /// Item SKU.
    pub sku: String,
    /// Location code.
    pub location: String,
    /// Lot, or "".
    pub lot: String,
    /// Lot expiry, if known.
    pub expiry: Option<chrono::NaiveDate>,
    /// Serial, or "".
    pub serial: String,
    /// License plate, or "".
    pub lpn: String,
    /// Usability.
    pub status: StockStatus,
    /// Base units.
    pub quantity: i64,
}

const BALANCE_SELECT: &str =
    "SELECT i.sku, l.code, b.lot, lt.expiry, b.serial, b.lpn, b.status, b.qty
     FROM balances b
     JOIN items i ON i.id = b.item_id
     JOIN locations l ON l.id = b.location_id
     LEFT JOIN lots lt ON lt.item_id = b.item_id AND lt.lot = b.lot";

fn balance_from_row(r: &Row<'_>) -> rusqlite::Result<Balance> {
    Ok(Balance {
        sku: r.get(0)?,
        location: r.get(1)?,
        lot: r.get(2)?,
        expiry: r.get(3)?,
        serial: r.get(4)?,
        lpn: r.get(5)?,
        status: r.get(6)?,
        quantity: r.get(7)?,
    })
}

fn balances_where(conn: &Connection, filter: &str, param: Option<i64>) -> Result<Vec<Balance>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{BALANCE_SELECT} {filter} ORDER BY l.pick_sequence, l.code, i.sku, b.lot, b.serial, b.lpn, b.status"
    ))?;
    let rows: rusqlite::Result<Vec<Balance>> = match param {
        Some(p) => stmt.query_map([p], balance_from_row)?.collect(),
        None => stmt.query_map([], balance_from_row)?.collect(),
    };
    Ok(rows?)
}

/// Everything at a location.
pub fn balances_at_location(conn: &Connection, code: &str) -> Result<Vec<Balance>> {
    let loc = catalog::location_by_code(conn, code)?;
    balances_where(conn, "WHERE b.location_id = ?1", Some(loc.id))
}

/// Every balance of an item, in walk order.
pub fn balances_for_item(conn: &Connection, sku: &str) -> Result<Vec<Balance>> {
    let item = catalog::item_by_sku(conn, sku)?;
    balances_where(conn, "WHERE b.item_id = ?1", Some(item.id))
}

/// Every balance on the device.
pub fn all_balances(conn: &Connection) -> Result<Vec<Balance>> {
    balances_where(conn, "", None)
}

/// Total base units in one status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusTotal {
    /// The status.
    pub status: StockStatus,
    /// Base units, all items together.
    pub quantity: i64,
    /// Balance rows.
    pub rows: i64,
}

/// Totals per status, every status listed (zero where empty).
pub fn totals_by_status(conn: &Connection) -> Result<Vec<StatusTotal>> {
    let mut stmt = conn.prepare_cached(
        "SELECT status, COALESCE(SUM(qty), 0), COUNT(*) FROM balances GROUP BY status",
    )?;
    let found: Vec<(StockStatus, i64, i64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(StockStatus::ALL
        .iter()
        .map(|&status| {
            let (quantity, rows) = found
                .iter()
                .find(|(s, ..)| *s == status)
                .map(|(_, q, n)| (*q, *n))
                .unwrap_or((0, 0));
            StatusTotal {
                status,
                quantity,
                rows,
            }
        })
        .collect())
}

/// What can still be promised of an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AvailableToPromise {
    /// Available base units.
    pub available: i64,
    /// Of which reserved.
    pub reserved: i64,
    /// Available minus reserved.
    pub promisable: i64,
}

/// Available to promise of an item across the device.
pub fn available_to_promise(conn: &Connection, sku: &str) -> Result<AvailableToPromise> {
    let item = catalog::item_by_sku(conn, sku)?;
    let available: i64 = conn
        .prepare_cached(
            "SELECT COALESCE(SUM(qty), 0) FROM balances WHERE item_id = ?1 AND status = 'available'",
        )?
        .query_row([item.id], |r| r.get(0))?;
    let reserved: i64 = conn
        .prepare_cached("SELECT COALESCE(SUM(qty), 0) FROM reservations WHERE item_id = ?1")?
        .query_row([item.id], |r| r.get(0))?;
    Ok(AvailableToPromise {
        available,
        reserved,
        promisable: available - reserved,
    })
}
