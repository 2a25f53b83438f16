//! Imports and feeds on SQLite.

use dockhand_protocol::sync::{Change, FeedEvent, Import, ImportResult};
use rusqlite::OptionalExtension;

use super::{SqliteStore, Tx};
use crate::error::HubResult;
use crate::import;
use crate::store::{FEED_PAGE, FEED_PAGE_BYTES, Feed, ImportTx, change_of, feed_sql};

impl ImportTx for Tx<'_> {
    fn current(&mut self, kind: &str, key: &str) -> HubResult<Option<String>> {
        Ok(self
            .0
            .prepare_cached(feed_sql::MASTER_ROW)?
            .query_row((kind, key), |r| r.get(0))
            .optional()?)
    }

    fn upsert(&mut self, kind: &str, key: &str, data: &str) -> HubResult<()> {
        self.0
            .prepare_cached(feed_sql::UPSERT_MASTER)?
            .execute((kind, key, data))?;
        self.0
            .prepare_cached(feed_sql::APPEND_CHANGE)?
            .execute((kind, key, data))?;
        Ok(())
    }

    fn all(&mut self, kind: &str) -> HubResult<Vec<(String, String)>> {
        let mut stmt = self.0.prepare_cached(feed_sql::ALL)?;
        let rows = stmt.query_map([kind], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

impl Feed for SqliteStore {
    fn import(&self, data: &Import) -> HubResult<ImportResult> {
        let data = import::prepare(data)?;
        self.in_tx(|tx| import::run(&mut Tx(tx), &data))
    }

    fn changes(&self, after: i64, limit: usize) -> HubResult<Vec<(i64, Change)>> {
        let conn = self.lock()?;
        let mut stmt = conn.prepare_cached(feed_sql::CHANGES)?;
        let rows = stmt.query_map((after, limit as i64), |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, kind, key, data) = row?;
            out.push((seq, change_of(&kind, key, &data)?));
        }
        Ok(out)
    }

    fn feed(&self, after: i64, limit: usize) -> HubResult<Vec<FeedEvent>> {
        self.feed_events(FEED_PAGE, (after, limit as i64, FEED_PAGE_BYTES))
    }

    fn master_row(&self, kind: &str, key: &str) -> HubResult<Option<String>> {
        let conn = self.lock()?;
        Ok(conn
            .prepare_cached(feed_sql::MASTER_ROW)?
            .query_row([kind, key], |r| r.get(0))
            .optional()?)
    }
}
