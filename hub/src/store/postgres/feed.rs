//! Imports and feeds on PostgreSQL.

use dockhand_protocol::events::EventMovement;
use dockhand_protocol::sync::{Change, FeedEvent, Import, ImportResult};

use super::{PgTx, PostgresStore, feed_events};
use crate::error::HubResult;
use crate::import;
use crate::store::{
    BucketKey, FEED_PAGE, FEED_PAGE_BYTES, Feed, HubEvent, ImportSource, ImportTx, IntakeTx,
    change_of, device_sql, feed_sql, hub_event_sql,
};

impl ImportTx for PgTx<'_, '_> {
    fn sites(&mut self) -> HubResult<Vec<String>> {
        let s = self.prepared(device_sql::SITES)?;
        Ok(self.tx.query(&s, &[])?.iter().map(|r| r.get(0)).collect())
    }

    fn scope_to(&mut self, site: &str) {
        self.site = site.to_string();
    }

    fn current(&mut self, kind: &str, key: &str) -> HubResult<Option<String>> {
        let site = feed_sql::scope(kind, &self.site).to_string();
        Ok(self
            .opt(feed_sql::MASTER_ROW, &[&site, &kind, &key])?
            .map(|r| r.get(0)))
    }

    fn upsert(&mut self, kind: &str, key: &str, data: &str) -> HubResult<()> {
        let site = feed_sql::scope(kind, &self.site).to_string();
        self.exec(feed_sql::UPSERT_MASTER, &[&site, &kind, &key, &data])?;
        self.append_change(&site, kind, key, data)
    }

    fn all(&mut self, kind: &str) -> HubResult<Vec<(String, String)>> {
        let site = feed_sql::scope(kind, &self.site).to_string();
        let s = self.prepared(feed_sql::ALL)?;
        Ok(self
            .tx
            .query(&s, &[&site, &kind])?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect())
    }

    fn stock_of(&mut self, key: &BucketKey) -> HubResult<i64> {
        self.bucket(key)
    }

    fn add_stock(&mut self, movements: &[EventMovement]) -> HubResult<()> {
        self.apply(movements, "")?;
        self.flush()?;
        // What intake read of the buckets is stale now that their sums are written.
        self.buckets.clear();
        Ok(())
    }

    fn hub_event_by_digest(&mut self, digest: &str) -> HubResult<Option<(String, String)>> {
        Ok(self
            .opt(hub_event_sql::BY_DIGEST, &[&self.site.clone(), &digest])?
            .map(|r| (r.get(0), r.get(1))))
    }

    fn first_hub_event(&mut self, kind: &str, origin: &str) -> HubResult<Option<(String, String)>> {
        Ok(self
            .opt(
                hub_event_sql::FIRST_OF,
                &[&self.site.clone(), &kind, &origin],
            )?
            .map(|r| (r.get(0), r.get(1))))
    }

    fn stocked_buckets(&mut self) -> HubResult<i64> {
        Ok(self
            .opt(hub_event_sql::STOCKED, &[&self.site.clone()])?
            .map_or(0, |r| r.get(0)))
    }

    fn record_hub_event(&mut self, e: &HubEvent) -> HubResult<()> {
        let site = self.site.clone();
        self.exec(
            hub_event_sql::RECORD,
            &[
                &e.event_id,
                &site,
                &e.kind.as_str(),
                &e.origin.as_str(),
                &e.source,
                &e.digest,
                &e.buckets,
                &e.units,
                &e.body,
                &e.recorded_at,
            ],
        )?;
        Ok(())
    }

    fn lot_expiry(&mut self, sku: &str, lot: &str) -> HubResult<Option<String>> {
        Ok(self
            .opt(hub_event_sql::LOT_EXPIRY, &[&sku, &lot])?
            .map(|r| r.get(0)))
    }

    fn set_lot_expiry(&mut self, sku: &str, lot: &str, expiry: &str) -> HubResult<()> {
        self.exec(hub_event_sql::SET_LOT_EXPIRY, &[&sku, &lot, &expiry])?;
        Ok(())
    }
}

impl Feed for PostgresStore {
    fn import(&self, data: &Import, from: &ImportSource<'_>) -> HubResult<ImportResult> {
        let data = import::prepare(data)?;
        self.in_tx(|pg| import::run(pg, &data, from))
    }

    fn changes(&self, site: &str, after: i64, limit: usize) -> HubResult<Vec<(i64, Change)>> {
        let rows = self.query(feed_sql::CHANGES, &[&site, &after, &(limit as i64)])?;
        rows.iter()
            .map(|r| Ok((r.get(0), change_of(r.get(1), r.get(2), r.get(3))?)))
            .collect()
    }

    fn feed(&self, site: &str, after: i64, limit: usize) -> HubResult<Vec<FeedEvent>> {
        let rows = self.query(
            FEED_PAGE,
            &[&site, &after, &(limit as i64), &FEED_PAGE_BYTES],
        )?;
        feed_events(&rows)
    }

    fn master_row(&self, site: &str, kind: &str, key: &str) -> HubResult<Option<String>> {
        let site = feed_sql::scope(kind, site);
        let rows = self.query(feed_sql::MASTER_ROW, &[&site, &kind, &key])?;
        Ok(rows.first().map(|r| r.get(0)))
    }
}
