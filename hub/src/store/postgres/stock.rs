//! The hub's stock on PostgreSQL.

use dockhand_protocol::sync::StockLine;
use tokio_postgres::Row;

use super::PostgresStore;
use crate::error::HubResult;
use crate::store::{StockBy, StockChange, StockFeed, stock_sql};

impl StockFeed for PostgresStore {
    fn stock(&self, site: &str) -> HubResult<Vec<StockLine>> {
        Ok(self
            .query(stock_sql::STOCK, &[&site])?
            .iter()
            .map(line)
            .collect())
    }

    fn stock_by(
        &self,
        site: &str,
        (by, value): (StockBy, &str),
        status: &str,
        limit: usize,
    ) -> HubResult<Vec<StockLine>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        Ok(self
            .query(by.sql(), &[&site, &value, &status, &limit])?
            .iter()
            .map(line)
            .collect())
    }

    fn stock_changes(
        &self,
        device_id: &str,
        after: i64,
        limit: usize,
    ) -> HubResult<(Vec<StockChange>, i64)> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = self.query(stock_sql::CHANGES, &[&device_id, &after, &limit])?;
        let applied = match rows.first() {
            Some(r) => r.get::<_, Option<i64>>(8),
            None => self
                .query(stock_sql::APPLIED, &[&device_id])?
                .first()
                .map(|r| r.get(0)),
        };
        let changes = rows
            .iter()
            .map(|r| StockChange {
                number: r.get(7),
                line: line(r),
                expiry: r.get(9),
            })
            .collect();
        Ok((changes, applied.unwrap_or(0)))
    }
}

/// A stock line from a row of location, SKU, lot, serial, LPN, status, quantity.
fn line(r: &Row) -> StockLine {
    StockLine {
        location: r.get(0),
        sku: r.get(1),
        lot: r.get(2),
        serial: r.get(3),
        lpn: r.get(4),
        status: r.get(5),
        quantity: r.get(6),
    }
}
