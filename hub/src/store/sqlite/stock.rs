//! The hub's stock on SQLite.

use dockhand_protocol::events::EventMovement;
use dockhand_protocol::sync::{ChangeKind, StockLine};
use rusqlite::OptionalExtension;

use super::{SqliteStore, Tx};
use crate::error::HubResult;
use crate::store::{BucketKey, Conflict, ImportTx, StockBy, StockChange, StockFeed, stock_sql};

impl StockFeed for SqliteStore {
    fn stock(&self, site: &str) -> HubResult<Vec<StockLine>> {
        let conn = self.reader()?;
        let mut stmt = conn.prepare_cached(stock_sql::STOCK)?;
        let rows = stmt.query_map([site], line)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn stock_by(
        &self,
        site: &str,
        (by, value): (StockBy, &str),
        status: &str,
        limit: usize,
    ) -> HubResult<Vec<StockLine>> {
        let conn = self.reader()?;
        let mut stmt = conn.prepare_cached(by.sql())?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt.query_map((site, value, status, limit), line)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn stock_changes(
        &self,
        device_id: &str,
        after: i64,
        limit: usize,
    ) -> HubResult<(Vec<StockChange>, i64)> {
        let conn = self.reader()?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut applied = None;
        let mut stmt = conn.prepare_cached(stock_sql::CHANGES)?;
        let rows = stmt
            .query_map((device_id, after, limit), |r| {
                applied = r.get::<_, Option<i64>>(8)?;
                Ok(StockChange {
                    number: r.get(7)?,
                    line: line(r)?,
                    expiry: r.get(9)?,
                })
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

/// Adds movements to the stock of the transaction's site, each bucket numbered anew; `taker`
/// becomes the last taker of the buckets a movement takes from.
pub(super) fn apply(tx: &Tx<'_>, movements: &[EventMovement], taker: &str) -> HubResult<()> {
    if movements.is_empty() {
        return Ok(());
    }
    let conn = tx.c;
    let count = i64::try_from(movements.len()).unwrap_or(i64::MAX);
    let last: i64 = conn
        .prepare_cached(stock_sql::TAKE_NUMBERS)?
        .query_row([count], |r| r.get(0))?;
    let mut stmt = conn.prepare_cached(stock_sql::ADD)?;
    for (number, m) in (last - count + 1..).zip(movements) {
        let taker = if m.delta < 0 { taker } else { "" };
        stmt.execute((
            &tx.site,
            &m.location,
            &m.sku,
            &m.lot,
            &m.serial,
            &m.lpn,
            m.status.as_str(),
            m.delta,
            number,
            taker,
        ))?;
    }
    if !taker.is_empty() {
        let mut stmt = conn.prepare_cached(stock_sql::RECORD_LPN)?;
        for m in movements.iter().filter(|m| !m.lpn.is_empty()) {
            stmt.execute((&tx.site, &m.lpn, taker))?;
        }
    }
    Ok(())
}

/// The last event that took from a bucket ("" when none).
pub(super) fn last_taker(tx: &Tx<'_>, key: &BucketKey) -> HubResult<String> {
    Ok(tx
        .c
        .prepare_cached(stock_sql::LAST_TAKER)?
        .query_row(rusqlite::params_from_iter(key.at(&tx.site)), |r| r.get(0))
        .optional()?
        .unwrap_or_default())
}

/// Records a conflict and publishes its count task.
pub(super) fn record_conflict(tx: &mut Tx<'_>, c: &Conflict, task: &str) -> HubResult<()> {
    let [site, location, sku, lot, serial, lpn, status] = c.key.at(&tx.site);
    tx.c.prepare_cached(stock_sql::CONFLICT)?
        .execute(rusqlite::params![
            site,
            location,
            sku,
            lot,
            serial,
            lpn,
            status,
            c.quantity,
            &c.event_id,
            &c.event_type,
            &c.device_id,
            c.seq,
            &c.other_event_id,
            &c.count_task,
            &c.reason,
            crate::now_text(),
        ])?;
    tx.upsert(ChangeKind::CountTask.as_str(), &c.count_task, task)
}
