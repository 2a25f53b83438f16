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
        status: crate::text_enum::column(r, 6)?,
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
        .query_map([], |r| {
            Ok((crate::text_enum::column(r, 0)?, r.get(1)?, r.get(2)?))
        })?
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

/// Base units on `lpn` at a location, all items, lots and statuses together.
pub fn lpn_quantity(conn: &Connection, location_id: i64, lpn: &str) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "SELECT COALESCE(SUM(qty), 0) FROM balances WHERE location_id = ?1 AND lpn = ?2",
        )?
        .query_row((location_id, lpn), |r| r.get(0))?)
}

/// License plates holding an item and lot at a location (loose stock excluded).
pub fn lpns_holding(
    conn: &Connection,
    item_id: i64,
    location_id: i64,
    lot: &str,
) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT lpn FROM balances WHERE item_id = ?1 AND location_id = ?2 AND lot = ?3 AND lpn <> ''",
    )?;
    let mut lpns: Vec<String> = stmt
        .query_map((item_id, location_id, lot), |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    lpns.sort();
    lpns.dedup();
    Ok(lpns)
}

/// Where a serial number of an item is in stock, if it is.
pub fn serial_location(conn: &Connection, item_id: i64, serial: &str) -> Result<Option<String>> {
    // By the item's key prefix, then the serial: serial-tracked items hold few rows per item.
    let mut stmt =
        conn.prepare_cached("SELECT location_id, serial FROM balances WHERE item_id = ?1")?;
    let mut rows = stmt.query([item_id])?;
    while let Some(row) = rows.next()? {
        if row.get::<_, String>(1)? == serial {
            let id: i64 = row.get(0)?;
            return Ok(Some(catalog::location_by_id(conn, id)?.location.code));
        }
    }
    Ok(None)
}

/// Locations holding an item and lot in a status (unordered, may repeat).
pub fn locations_holding(
    conn: &Connection,
    item_id: i64,
    lot: &str,
    status: StockStatus,
) -> Result<Vec<i64>> {
    Ok(conn
        .prepare_cached(
            "SELECT location_id FROM balances WHERE item_id = ?1 AND lot = ?2 AND status = ?3",
        )?
        .query_map((item_id, lot, status.as_str()), |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// The first active storage location without any stock, in walk order (in `zone` when given).
pub fn first_empty_storage(conn: &Connection, zone: Option<&str>) -> Result<Option<i64>> {
    Ok(rusqlite::OptionalExtension::optional(
        conn.prepare_cached(
            "SELECT l.id FROM locations l
             WHERE l.kind = 'storage' AND l.status = 'active' AND l.zone = COALESCE(?1, l.zone)
               AND NOT EXISTS (SELECT 1 FROM balances b WHERE b.location_id = l.id)
             ORDER BY l.pick_sequence, l.code LIMIT 1",
        )?
        .query_row([zone], |r| r.get(0)),
    )?)
}
