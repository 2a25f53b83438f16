//! Read-side stock queries: balances by location, by item, totals by status, available to promise.

use rusqlite::{Connection, Row};
use serde::{Deserialize, Serialize};

use super::{Bucket, StockStatus};
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
        .prepare_cached("SELECT COALESCE(SUM(qty), 0) FROM reserved_totals WHERE item_id = ?1")?
        .query_row([item.id], |r| r.get(0))?;
    Ok(AvailableToPromise {
        available,
        reserved,
        promisable: available - reserved,
    })
}

/// Base units on `lpn` at a location, all items, lots and statuses together (0 for `""`, which is
/// no plate; the condition also lets SQLite take the plate index, not every balance of the
/// location).
pub fn lpn_quantity(conn: &Connection, location_id: i64, lpn: &str) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "SELECT COALESCE(SUM(qty), 0) FROM balances WHERE location_id = ?1 AND lpn = ?2
             AND lpn <> '' AND qty > 0",
        )?
        .query_row((location_id, lpn), |r| r.get(0))?)
}

/// Whether any stock is on the plate, anywhere. (`lpn <> ''` lets SQLite use the partial index of
/// plated balances; loose stock is on no plate.)
pub fn plate_holds_anything(conn: &Connection, lpn: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM balances WHERE lpn = ?1 AND lpn <> '' AND qty > 0)",
        )?
        .query_row([lpn], |r| r.get(0))?)
}

/// Base units of an item on the plates of an order's handling units (totes, cartons, pallets)
/// of one staging place, wherever they are now.
pub fn item_on_plates_of_order(
    conn: &Connection,
    item_id: i64,
    order_ref: &str,
    staging_id: i64,
) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "SELECT COALESCE(SUM(b.qty), 0) FROM balances b
             JOIN handling_units h ON h.lpn = b.lpn
             WHERE h.order_ref = ?1 AND b.item_id = ?2 AND h.staging_id = ?3 AND b.qty > 0",
        )?
        .query_row((order_ref, item_id, staging_id), |r| r.get(0))?)
}

/// Base units of an item that left inventory (`shipped`) on the plates of an order's units of one
/// staging place.
pub fn item_shipped_on_plates_of_order(
    conn: &Connection,
    item_id: i64,
    order_ref: &str,
    staging_id: i64,
) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "SELECT COALESCE(-SUM(l.delta), 0) FROM ledger l
             JOIN handling_units h ON h.lpn = l.lpn
             WHERE h.order_ref = ?1 AND l.item_id = ?2 AND h.staging_id = ?3
               AND l.reason = 'shipped' AND l.lpn <> ''",
        )?
        .query_row((order_ref, item_id, staging_id), |r| r.get(0))?)
}

/// One bucket on a licence plate at a location: what a whole-plate move takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlateBucket {
    /// Item row id.
    pub item_id: i64,
    /// The bucket (its `lpn` is the plate).
    pub bucket: Bucket,
    /// Base units in it.
    pub quantity: i64,
}

/// Everything on a licence plate at a location, by item, lot, serial and status (nothing for
/// `""`, which is no plate).
pub fn plate_at(conn: &Connection, location_id: i64, lpn: &str) -> Result<Vec<PlateBucket>> {
    let mut stmt = conn.prepare_cached(
        "SELECT item_id, lot, serial, status, qty FROM balances
         WHERE location_id = ?1 AND lpn = ?2 AND lpn <> '' AND qty > 0
         ORDER BY item_id, lot, serial, status",
    )?;
    let rows = stmt.query_map((location_id, lpn), |r| {
        Ok(PlateBucket {
            item_id: r.get(0)?,
            bucket: Bucket {
                location_id,
                lot: r.get(1)?,
                serial: r.get(2)?,
                lpn: lpn.to_string(),
                status: crate::text_enum::column(r, 3)?,
            },
            quantity: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The codes of the locations a licence plate is at (one, unless it was split).
pub fn plate_locations(conn: &Connection, lpn: &str) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT l.code FROM balances b JOIN locations l ON l.id = b.location_id
         WHERE b.lpn = ?1 AND b.lpn <> '' AND b.qty > 0 ORDER BY l.code",
    )?;
    let rows = stmt.query_map([lpn], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Base units a location holds, its buckets below zero (the hub's, never taken from) not
/// counted: what a most-units limit is measured against.
pub fn units_held(conn: &Connection, location_id: i64) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "SELECT COALESCE(SUM(qty), 0) FROM balances WHERE location_id = ?1 AND qty > 0",
        )?
        .query_row([location_id], |r| r.get(0))?)
}

/// License plates holding an item and lot at a location (loose stock excluded).
pub fn lpns_holding(
    conn: &Connection,
    item_id: i64,
    location_id: i64,
    lot: &str,
) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT lpn FROM balances WHERE item_id = ?1 AND location_id = ?2 AND lot = ?3 AND lpn <> ''
         AND qty > 0",
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
    let mut stmt = conn.prepare_cached(
        "SELECT location_id, serial FROM balances WHERE item_id = ?1 AND qty > 0",
    )?;
    let mut rows = stmt.query([item_id])?;
    while let Some(row) = rows.next()? {
        if row.get::<_, String>(1)? == serial {
            let id: i64 = row.get(0)?;
            return Ok(Some(catalog::location_by_id(conn, id)?.location.code));
        }
    }
    Ok(None)
}

/// Available stock of an item and lot at one location a pick may take from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickablePlace {
    /// Location row id.
    pub location_id: i64,
    /// Available base units (reservations not deducted).
    pub quantity: i64,
    /// The location's walk order.
    pub pick_sequence: i64,
    /// The location's code.
    pub code: String,
}

/// Active, pickable storage and pick-face locations holding an item and lot available.
pub fn pickable_places(conn: &Connection, item_id: i64, lot: &str) -> Result<Vec<PickablePlace>> {
    let mut stmt = conn.prepare_cached(
        "SELECT b.location_id, SUM(b.qty), l.pick_sequence, l.code
         FROM balances b
         CROSS JOIN locations l ON l.id = b.location_id
         WHERE b.item_id = ?1 AND b.lot = ?2 AND b.status = 'available' AND b.qty > 0
           AND l.status = 'active' AND l.pickable = 1
           AND (l.kind = 'storage' OR l.kind = 'pick_face')
         GROUP BY b.location_id",
    )?;
    let rows = stmt.query_map((item_id, lot), |r| {
        Ok(PickablePlace {
            location_id: r.get(0)?,
            quantity: r.get(1)?,
            pick_sequence: r.get(2)?,
            code: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Base units of an item on the device, every location and status.
pub fn item_quantity(conn: &Connection, item_id: i64) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT COALESCE(SUM(qty), 0) FROM balances WHERE item_id = ?1")?
        .query_row([item_id], |r| r.get(0))?)
}

/// Base units at a location, every item and status.
pub fn location_quantity(conn: &Connection, location_id: i64) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT COALESCE(SUM(qty), 0) FROM balances WHERE location_id = ?1")?
        .query_row([location_id], |r| r.get(0))?)
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
            "SELECT location_id FROM balances WHERE item_id = ?1 AND lot = ?2 AND status = ?3
             AND qty > 0",
        )?
        .query_map((item_id, lot, status.as_str()), |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// The first active storage location without any stock and with room for `quantity` base units,
/// in walk order (in `zone` when given).
pub fn first_empty_storage(
    conn: &Connection,
    zone: Option<&str>,
    quantity: i64,
) -> Result<Option<i64>> {
    Ok(rusqlite::OptionalExtension::optional(
        conn.prepare_cached(
            "SELECT l.id FROM locations l
             WHERE l.kind = 'storage' AND l.status = 'active' AND l.zone = COALESCE(?1, l.zone)
               AND (l.max_units IS NULL OR l.max_units >= ?2)
               AND NOT EXISTS (SELECT 1 FROM balances b WHERE b.location_id = l.id)
             ORDER BY l.pick_sequence, l.code LIMIT 1",
        )?
        .query_row((zone, quantity), |r| r.get(0)),
    )?)
}

/// Ledger rows (by id) as an event carries them.
pub fn ledger_rows_as_movements(
    conn: &Connection,
    ids: &[i64],
) -> Result<Vec<dockhand_protocol::EventMovement>> {
    let mut stmt = conn.prepare_cached(
        "SELECT loc.code, i.sku, l.lot, l.serial, l.lpn, l.status, l.delta
         FROM ledger l JOIN items i ON i.id = l.item_id JOIN locations loc ON loc.id = l.location_id
         WHERE l.id = ?1",
    )?;
    let mut movements = Vec::with_capacity(ids.len());
    for id in ids {
        movements.push(stmt.query_row([id], |r| {
            Ok(dockhand_protocol::EventMovement {
                location: r.get(0)?,
                sku: r.get(1)?,
                lot: r.get(2)?,
                serial: r.get(3)?,
                lpn: r.get(4)?,
                status: crate::text_enum::column(r, 5)?,
                delta: r.get(6)?,
            })
        })?);
    }
    Ok(movements)
}

/// The device's stock at the grain of the hub's stock view (location, item, lot, status).
pub fn stock_lines(conn: &Connection) -> Result<Vec<dockhand_protocol::sync::StockLine>> {
    let mut stmt = conn.prepare_cached(
        "SELECT l.code, i.sku, b.lot, b.serial, b.lpn, b.status, SUM(b.qty)
         FROM balances b JOIN items i ON i.id = b.item_id JOIN locations l ON l.id = b.location_id
         GROUP BY 1, 2, 3, 4, 5, 6 HAVING SUM(b.qty) <> 0 ORDER BY 1, 2, 3, 4, 5, 6",
    )?;
    let rows = stmt.query_map([], stock_line)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A stock line from a row of location, SKU, lot, serial, LPN, status, quantity.
pub(crate) fn stock_line(r: &Row<'_>) -> rusqlite::Result<dockhand_protocol::sync::StockLine> {
    Ok(dockhand_protocol::sync::StockLine {
        location: r.get(0)?,
        sku: r.get(1)?,
        lot: r.get(2)?,
        serial: r.get(3)?,
        lpn: r.get(4)?,
        status: r.get(5)?,
        quantity: r.get(6)?,
    })
}

/// A command's ledger rows grouped by movement, in order: (movement id, item id, bucket, delta).
pub fn legs_of_operation(conn: &Connection, op_id: &str) -> Result<Vec<(i64, i64, Bucket, i64)>> {
    Ok(conn
        .prepare_cached(
            "SELECT movement_id, item_id, location_id, lot, serial, lpn, status, delta FROM ledger
             WHERE op_id = ?1 ORDER BY id",
        )?
        .query_map([op_id], |r| {
            let bucket = Bucket {
                location_id: r.get(2)?,
                lot: r.get(3)?,
                serial: r.get(4)?,
                lpn: r.get(5)?,
                status: crate::text_enum::column(r, 6)?,
            };
            Ok((r.get(0)?, r.get(1)?, bucket, r.get(7)?))
        })?
        .collect::<rusqlite::Result<_>>()?)
}

/// The id of the last ledger row (0 when none): counts mark where they started.
pub fn ledger_mark(conn: &Connection) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT COALESCE(MAX(id), 0) FROM ledger")?
        .query_row([], |r| r.get(0))?)
}

/// What a count of a location (every item, or one) or of an item (everywhere) expects: base units
/// per (item, location, lot), stock in transit left out.
pub fn countable(
    conn: &Connection,
    location_id: Option<i64>,
    item_id: Option<i64>,
) -> Result<Vec<(i64, i64, String, i64)>> {
    // Two statements, each planned for its index: plans do not depend on bound values here.
    let mut stmt = match location_id {
        Some(_) => conn.prepare_cached(
            "SELECT item_id, location_id, lot, SUM(qty) FROM balances
             WHERE location_id = ?1 AND (?2 IS NULL OR item_id = ?2) AND status <> 'in_transit'
             GROUP BY item_id, location_id, lot",
        )?,
        None => conn.prepare_cached(
            "SELECT item_id, location_id, lot, SUM(qty) FROM balances
             WHERE ?1 IS NULL AND item_id = ?2 AND status <> 'in_transit'
             GROUP BY item_id, location_id, lot",
        )?,
    };
    let rows = stmt.query_map((location_id, item_id), |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Base units of an item and lot that moved in or out of a location after ledger row `mark` and
/// at or before `until` (stock in transit left out).
pub fn moved_since(
    conn: &Connection,
    mark: i64,
    item_id: i64,
    location_id: i64,
    lot: &str,
    until: &str,
) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "SELECT COALESCE(SUM(delta), 0) FROM ledger WHERE item_id = ?1 AND location_id = ?2
             AND lot = ?3 AND id > ?4 AND recorded_at <= ?5 AND status <> 'in_transit'",
        )?
        .query_row((item_id, location_id, lot, mark, until), |r| r.get(0))?)
}

/// The status most of an item and lot at a location is in (stock in transit left out), if any.
pub fn main_status(
    conn: &Connection,
    item_id: i64,
    location_id: i64,
    lot: &str,
) -> Result<Option<StockStatus>> {
    Ok(rusqlite::OptionalExtension::optional(
        conn.prepare_cached(
            "SELECT status FROM balances WHERE item_id = ?1 AND location_id = ?2 AND lot = ?3
             AND status <> 'in_transit' ORDER BY qty DESC LIMIT 1",
        )?
        .query_row((item_id, location_id, lot), |r| {
            crate::text_enum::column(r, 0)
        }),
    )?)
}

/// Value (cents) of available stock in storage and pick faces, per location code
/// (`by_location`) or per SKU.
pub fn available_value_by(conn: &Connection, by_location: bool) -> Result<Vec<(String, i64)>> {
    let key = if by_location { "loc.code" } else { "it.sku" };
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {key}, SUM(x.qty * it.unit_value_cents) FROM balances x
         JOIN items it ON it.id = x.item_id JOIN locations loc ON loc.id = x.location_id
         WHERE x.status = 'available' AND (loc.kind = 'storage' OR loc.kind = 'pick_face')
         GROUP BY {key}"
    ))?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Picks (ledger rows leaving a location for a pick) recorded at or after `since`, per location
/// code (`by_location`) or per SKU.
pub fn picks_since_by(
    conn: &Connection,
    by_location: bool,
    since: &str,
) -> Result<Vec<(String, i64)>> {
    let (key, join) = if by_location {
        ("l.code", "JOIN locations l ON l.id = x.location_id")
    } else {
        ("i.sku", "JOIN items i ON i.id = x.item_id")
    };
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {key}, COUNT(*) FROM ledger x {join}
         WHERE x.reason = 'pick' AND x.delta < 0 AND x.recorded_at >= ?1 GROUP BY {key}"
    ))?;
    let rows = stmt.query_map([since], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
