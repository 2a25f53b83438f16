//! The hub's stock on SQLite.

use dockhand_protocol::sync::StockLine;
use rusqlite::OptionalExtension;

use super::SqliteStore;
use crate::error::HubResult;
use crate::store::{StockFeed, stock_sql};

impl StockFeed for SqliteStore {
    fn stock(&self) -> HubResult<Vec<StockLine>> {
        let conn = self.lock()?;
        let mut stmt = conn.prepare_cached(stock_sql::STOCK)?;
        let rows = stmt.query_map([], line)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn stock_changes(
        &self,
        device_id: &str,
        after: i64,
        limit: usize,
    ) -> HubResult<(Vec<(i64, StockLine)>, i64)> {
        let conn = self.lock()?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut applied = None;
        let mut stmt = conn.prepare_cached(stock_sql::CHANGES)?;
        let rows = stmt
            .query_map((device_id, after, limit), |r| {
                applied = r.get::<_, Option<i64>>(8)?;
                Ok((r.get(7)?, line(r)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let applied = match applied {
            Some(seq) => seq,
            None => conn
                .prepare_cached(stock_sql::APPLIED)?
                .query_row([device_id], |r| r.get(0))
                .optional()?
                .unwrap_or(0),
        };
        Ok((rows, applied))
    }
}

/// A stock line from a row of location, SKU, lot, serial, LPN, status, quantity.
fn line(r: &rusqlite::Row<'_>) -> rusqlite::Result<StockLine> {
    Ok(StockLine {
        location: r.get(0)?,
        sku: r.get(1)?,
        lot: r.get(2)?,
        serial: r.get(3)?,
        lpn: r.get(4)?,
        status: r.get(5)?,
        quantity: r.get(6)?,
    })
}
