//! Reservations: allocations of available stock at a location (and lot) to a reference such as a
//! pick task line. They are rows, not a status: the stock stays `available`, and moving it away is
//! refused while it is promised to someone else.

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::catalog;
use crate::db::WriteTx;
use crate::error::{Error, Result};

/// A reservation as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reservation {
    /// Row id.
    pub id: i64,
    /// Item SKU.
    pub sku: String,
    /// Location code.
    pub location: String,
    /// Lot, or "".
    pub lot: String,
    /// Base units reserved.
    pub quantity: i64,
    /// What it is reserved for.
    pub reference: String,
}

/// Available minus reserved at (item, location, lot). What is reserved is one row of
/// `reserved_totals` (kept by triggers on `reservations`), however many reservations are open.
pub fn unreserved(conn: &Connection, item_id: i64, location_id: i64, lot: &str) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "SELECT COALESCE((SELECT SUM(qty) FROM balances WHERE item_id = ?1 AND location_id = ?2
                                AND lot = ?3 AND status = 'available'), 0)
                  - COALESCE((SELECT qty FROM reserved_totals WHERE item_id = ?1
                                AND location_id = ?2 AND lot = ?3), 0)",
        )?
        .query_row((item_id, location_id, lot), |r| r.get(0))?)
}

/// Reserves `quantity` of available stock at (item, location, lot) for `reference`.
pub fn reserve(
    tx: &WriteTx<'_>,
    item_id: i64,
    location_id: i64,
    lot: &str,
    quantity: i64,
    reference: &str,
) -> Result<i64> {
    if quantity < 1 {
        return Err(Error::InvalidQuantity { quantity });
    }
    if reference.trim().is_empty() {
        return Err(Error::invalid("reservation reference", "it is empty"));
    }
    let conn = tx.conn();
    let free = unreserved(conn, item_id, location_id, lot)?;
    if free < quantity {
        return Err(Error::InsufficientAvailable {
            sku: catalog::item_by_id(conn, item_id)?.item.sku,
            lot: lot.into(),
            location: catalog::location_by_id(conn, location_id)?.location.code,
            available: free.max(0),
            requested: quantity,
        });
    }
    record(tx, item_id, location_id, lot, quantity, reference)
}

/// Writes a reservation the caller has already checked against what is free (allocation
/// computes free stock for a whole line at once).
pub(crate) fn record(
    tx: &WriteTx<'_>,
    item_id: i64,
    location_id: i64,
    lot: &str,
    quantity: i64,
    reference: &str,
) -> Result<i64> {
    let conn = tx.conn();
    conn.prepare_cached(
        "INSERT INTO reservations (item_id, location_id, lot, qty, reference, op_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute((
        item_id,
        location_id,
        lot,
        quantity,
        reference,
        tx.op_id().to_string(),
        tx.now_utc_text(),
    ))?;
    Ok(conn.last_insert_rowid())
}

/// Releases every reservation held for `reference`; returns the base units released.
pub fn release_reservations(tx: &WriteTx<'_>, reference: &str) -> Result<i64> {
    let conn = tx.conn();
    let released: i64 = conn
        .prepare_cached("SELECT COALESCE(SUM(qty), 0) FROM reservations WHERE reference = ?1")?
        .query_row([reference], |r| r.get(0))?;
    conn.prepare_cached("DELETE FROM reservations WHERE reference = ?1")?
        .execute([reference])?;
    Ok(released)
}

/// Reservations held for `reference` (every reservation when `None`).
pub fn reservations_for(conn: &Connection, reference: Option<&str>) -> Result<Vec<Reservation>> {
    let mut stmt = conn.prepare_cached(
        "SELECT r.id, i.sku, l.code, r.lot, r.qty, r.reference FROM reservations r
         JOIN items i ON i.id = r.item_id JOIN locations l ON l.id = r.location_id
         WHERE ?1 IS NULL OR r.reference = ?1 ORDER BY r.id",
    )?;
    let rows = stmt.query_map([reference], |r| {
        Ok(Reservation {
            id: r.get(0)?,
            sku: r.get(1)?,
            location: r.get(2)?,
            lot: r.get(3)?,
            quantity: r.get(4)?,
            reference: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Releases up to `quantity` of what is reserved for `reference` (oldest reservation first);
/// returns the base units released.
pub fn release_part(tx: &WriteTx<'_>, reference: &str, quantity: i64) -> Result<i64> {
    let rows: Vec<(i64, i64)> = tx
        .conn()
        .prepare_cached("SELECT id, qty FROM reservations WHERE reference = ?1 ORDER BY id")?
        .query_map([reference], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    release_rows(tx, rows, quantity)
}

/// Releases up to `quantity` reserved at (item, location, lot), newest reservations first (the
/// picks furthest from being done); returns what was released.
pub fn release_at(
    tx: &WriteTx<'_>,
    item_id: i64,
    location_id: i64,
    lot: &str,
    quantity: i64,
) -> Result<i64> {
    let rows: Vec<(i64, i64)> = tx
        .conn()
        .prepare_cached(
            "SELECT id, qty FROM reservations WHERE item_id = ?1 AND location_id = ?2 AND lot = ?3
             ORDER BY id DESC",
        )?
        .query_map((item_id, location_id, lot), |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    release_rows(tx, rows, quantity)
}

/// Takes up to `quantity` off the reservation rows `(id, qty)`, in their order.
fn release_rows(tx: &WriteTx<'_>, rows: Vec<(i64, i64)>, quantity: i64) -> Result<i64> {
    let conn = tx.conn();
    let mut left = quantity;
    for (id, qty) in rows {
        if left <= 0 {
            break;
        }
        let take = qty.min(left);
        if take == qty {
            conn.prepare_cached("DELETE FROM reservations WHERE id = ?1")?
                .execute([id])?;
        } else {
            conn.prepare_cached("UPDATE reservations SET qty = qty - ?2 WHERE id = ?1")?
                .execute((id, take))?;
        }
        left -= take;
    }
    Ok(quantity - left)
}
