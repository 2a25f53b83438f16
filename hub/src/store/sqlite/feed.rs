//! Imports and feeds on SQLite.

use dockhand_protocol::events::EventMovement;
use dockhand_protocol::sync::{Change, FeedEvent, Import, ImportResult};
use rusqlite::OptionalExtension;

use super::{SqliteStore, Tx};
use crate::error::HubResult;
use crate::import;
use crate::store::{
    BucketKey, FEED_PAGE, FEED_PAGE_BYTES, Feed, HubEvent, ImportSource, ImportTx, IntakeTx,
    change_of, device_sql, feed_sql, hub_event_sql,
};

impl ImportTx for Tx<'_> {
    fn sites(&mut self) -> HubResult<Vec<String>> {
        let mut stmt = self.c.prepare_cached(device_sql::SITES)?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn scope_to(&mut self, site: &str) {
        self.site = site.to_string();
    }

    fn current(&mut self, kind: &str, key: &str) -> HubResult<Option<String>> {
        let site = feed_sql::scope(kind, &self.site);
        Ok(self
            .c
            .prepare_cached(feed_sql::MASTER_ROW)?
            .query_row((site, kind, key), |r| r.get(0))
            .optional()?)
    }

    fn upsert(&mut self, kind: &str, key: &str, data: &str) -> HubResult<()> {
        let site = feed_sql::scope(kind, &self.site);
        self.c
            .prepare_cached(feed_sql::UPSERT_MASTER)?
            .execute((site, kind, key, data))?;
        self.c
            .prepare_cached(feed_sql::APPEND_CHANGE)?
            .execute((site, kind, key, data))?;
        Ok(())
    }

    fn all(&mut self, kind: &str) -> HubResult<Vec<(String, String)>> {
        let site = feed_sql::scope(kind, &self.site);
        let mut stmt = self.c.prepare_cached(feed_sql::ALL)?;
        let rows = stmt.query_map([site, kind], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn stock_of(&mut self, key: &BucketKey) -> HubResult<i64> {
        self.bucket(key)
    }

    fn add_stock(&mut self, movements: &[EventMovement]) -> HubResult<()> {
        super::stock::apply(self, movements, "")
    }

    fn hub_event_by_digest(&mut self, digest: &str) -> HubResult<Option<(String, String)>> {
        Ok(self
            .c
            .prepare_cached(hub_event_sql::BY_DIGEST)?
            .query_row([self.site.as_str(), digest], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    fn first_hub_event(&mut self, kind: &str, origin: &str) -> HubResult<Option<(String, String)>> {
        Ok(self
            .c
            .prepare_cached(hub_event_sql::FIRST_OF)?
            .query_row([self.site.as_str(), kind, origin], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?)
    }

    fn stocked_buckets(&mut self) -> HubResult<i64> {
        Ok(self
            .c
            .prepare_cached(hub_event_sql::STOCKED)?
            .query_row([&self.site], |r| r.get(0))?)
    }

    fn record_hub_event(&mut self, e: &HubEvent) -> HubResult<()> {
        self.c.prepare_cached(hub_event_sql::RECORD)?.execute((
            &e.event_id,
            &self.site,
            e.kind.as_str(),
            e.origin.as_str(),
            &e.source,
            &e.digest,
            e.buckets,
            e.units,
            &e.body,
            &e.recorded_at,
        ))?;
        Ok(())
    }

    fn lot_expiry(&mut self, sku: &str, lot: &str) -> HubResult<Option<String>> {
        Ok(self
            .c
            .prepare_cached(hub_event_sql::LOT_EXPIRY)?
            .query_row([sku, lot], |r| r.get(0))
            .optional()?)
    }

    fn set_lot_expiry(&mut self, sku: &str, lot: &str, expiry: &str) -> HubResult<()> {
        self.c
            .prepare_cached(hub_event_sql::SET_LOT_EXPIRY)?
            .execute([sku, lot, expiry])?;
        Ok(())
    }
}

impl Feed for SqliteStore {
    fn import(&self, data: &Import, from: &ImportSource<'_>) -> HubResult<ImportResult> {
        let data = import::prepare(data)?;
        self.in_tx(|tx| import::run(&mut Tx::new(tx), &data, from))
    }

    fn changes(&self, site: &str, after: i64, limit: usize) -> HubResult<Vec<(i64, Change)>> {
        let conn = self.reader()?;
        let mut stmt = conn.prepare_cached(feed_sql::CHANGES)?;
        let rows = stmt.query_map((site, after, limit as i64), |r| {
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

    fn feed(&self, site: &str, after: i64, limit: usize) -> HubResult<Vec<FeedEvent>> {
        self.feed_events(FEED_PAGE, (site, after, limit as i64, FEED_PAGE_BYTES))
    }

    fn master_row(&self, site: &str, kind: &str, key: &str) -> HubResult<Option<String>> {
        let conn = self.reader()?;
        Ok(conn
            .prepare_cached(feed_sql::MASTER_ROW)?
            .query_row([feed_sql::scope(kind, site), kind, key], |r| r.get(0))
            .optional()?)
    }
}
