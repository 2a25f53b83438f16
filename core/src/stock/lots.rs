//! Lots seen on this device and their expiry dates: one expiry per (item, lot), first scan wins,
//! and a later scan that disagrees is an error rather than a silent second truth.

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension};

use crate::db::WriteTx;
use crate::error::{Error, Result};

/// The recorded expiry of a lot (`Ok(None)` when the lot is unknown or has no expiry).
pub fn lot_expiry(conn: &Connection, item_id: i64, lot: &str) -> Result<Option<NaiveDate>> {
    Ok(conn
        .prepare_cached("SELECT expiry FROM lots WHERE item_id = ?1 AND lot = ?2")?
        .query_row((item_id, lot), |r| r.get::<_, Option<NaiveDate>>(0))
        .optional()?
        .flatten())
}

/// Refuses a scanned expiry that differs from the one recorded for the lot (reads only).
pub fn check_expiry(
    conn: &Connection,
    item_id: i64,
    sku: &str,
    lot: &str,
    scanned: Option<NaiveDate>,
) -> Result<()> {
    if let (Some(recorded), Some(scanned)) = (lot_expiry(conn, item_id, lot)?, scanned)
        && recorded != scanned
    {
        return Err(Error::LotExpiryMismatch {
            sku: sku.into(),
            lot: lot.into(),
            recorded,
            scanned,
        });
    }
    Ok(())
}

/// Records a lot with its expiry (or the first expiry scanned for a lot recorded without one),
/// after checking the scan against the recorded expiry.
pub fn record_lot(
    tx: &WriteTx<'_>,
    item_id: i64,
    sku: &str,
    lot: &str,
    expiry: Option<NaiveDate>,
) -> Result<()> {
    if lot.is_empty() {
        return Ok(());
    }
    let conn = tx.conn();
    check_expiry(conn, item_id, sku, lot, expiry)?;
    conn.prepare_cached(
        "INSERT INTO lots (item_id, lot, expiry) VALUES (?1, ?2, ?3)
         ON CONFLICT (item_id, lot) DO UPDATE SET expiry = COALESCE(expiry, excluded.expiry)",
    )?
    .execute((item_id, lot, expiry))?;
    Ok(())
}
