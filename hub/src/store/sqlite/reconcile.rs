//! The reconciliation's rows on SQLite.

use rusqlite::OptionalExtension;

use super::Tx;
use crate::error::HubResult;
use crate::store::{Family, Observation, ReconcileTx, TimedMove, reconcile_sql};

/// An observation from a row of [`reconcile_sql::FROM`]'s columns.
fn observation(r: &rusqlite::Row<'_>) -> rusqlite::Result<Observation> {
    Ok(Observation {
        family: Family {
            location: r.get(0)?,
            sku: r.get(1)?,
            lot: r.get(2)?,
        },
        count_key: r.get(3)?,
        task_id: r.get(4)?,
        round: r.get(5)?,
        at: r.get(6)?,
        observed: r.get(7)?,
        settled: r.get::<_, i64>(8)? != 0,
        waiting: r.get::<_, i64>(9)? != 0,
        event_id: r.get(10)?,
        device_id: r.get(11)?,
    })
}

impl ReconcileTx for Tx<'_> {
    fn record_move(&mut self, m: &TimedMove) -> HubResult<()> {
        self.c
            .prepare_cached(reconcile_sql::RECORD_MOVE)?
            .execute((
                &self.site,
                &m.family.location,
                &m.family.sku,
                &m.family.lot,
                &m.status,
                &m.at,
                m.delta,
                &m.event_id,
                &m.count_key,
            ))?;
        Ok(())
    }

    fn moved_until(&mut self, f: &Family, at: &str, except: &str) -> HubResult<i64> {
        Ok(self
            .c
            .prepare_cached(reconcile_sql::MOVED_UNTIL)?
            .query_row((&self.site, &f.location, &f.sku, &f.lot, at, except), |r| {
                r.get(0)
            })?)
    }

    fn adjusted_by(&mut self, count_key: &str) -> HubResult<(i64, Option<String>)> {
        Ok(self
            .c
            .prepare_cached(reconcile_sql::ADJUSTED_BY)?
            .query_row((&self.site, count_key), |r| Ok((r.get(0)?, r.get(1)?)))?)
    }

    fn observe(&mut self, o: &Observation) -> HubResult<()> {
        self.c
            .prepare_cached(reconcile_sql::OBSERVE)?
            .execute(rusqlite::params![
                &self.site,
                &o.family.location,
                &o.family.sku,
                &o.family.lot,
                &o.count_key,
                &o.task_id,
                o.round,
                &o.at,
                o.observed,
                i64::from(o.settled),
                i64::from(o.waiting),
                &o.event_id,
                &o.device_id,
            ])?;
        Ok(())
    }

    fn adjustment_arrived(&mut self, count_key: &str) -> HubResult<()> {
        self.c
            .prepare_cached(reconcile_sql::ARRIVED)?
            .execute((&self.site, count_key))?;
        Ok(())
    }

    fn settle_round(&mut self, task_id: &str, round: i64) -> HubResult<Vec<Observation>> {
        self.c
            .prepare_cached(reconcile_sql::SETTLE)?
            .execute((&self.site, task_id, round))?;
        let mut stmt = self.c.prepare_cached(reconcile_sql::ROUND)?;
        let rows = stmt.query_map((&self.site, task_id, round), observation)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn observations_from(&mut self, f: &Family, at: &str) -> HubResult<Vec<Observation>> {
        let mut stmt = self.c.prepare_cached(reconcile_sql::FROM)?;
        let rows = stmt.query_map((&self.site, &f.location, &f.sku, &f.lot, at), observation)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn observed_after(&mut self, f: &Family, at: &str) -> HubResult<bool> {
        Ok(self
            .c
            .prepare_cached(reconcile_sql::AFTER)?
            .query_row((&self.site, &f.location, &f.sku, &f.lot, at), |r| r.get(0))
            .optional()?
            .unwrap_or(false))
    }

    fn observed_at(&mut self, count_key: &str) -> HubResult<Option<String>> {
        Ok(self
            .c
            .prepare_cached(reconcile_sql::OBSERVED_AT)?
            .query_row((&self.site, count_key), |r| r.get(0))
            .optional()?)
    }

    fn lock_site(&mut self) -> HubResult<()> {
        // One connection writes: the transaction holds the database already.
        Ok(())
    }

    fn site_id(&self) -> &str {
        &self.site
    }

    fn synced_through(&mut self, since: &str) -> HubResult<Option<String>> {
        Ok(self
            .c
            .prepare_cached(reconcile_sql::SYNCED_THROUGH)?
            .query_row((&self.site, since), |r| r.get(0))?)
    }

    fn held_counts(
        &mut self,
        until: Option<&str>,
        task: Option<&str>,
    ) -> HubResult<Vec<Observation>> {
        let mut stmt = self.c.prepare_cached(reconcile_sql::HELD)?;
        let rows = stmt.query_map(
            (&self.site, until.unwrap_or(""), task.unwrap_or("")),
            observation,
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn release_count(&mut self, count_key: &str, by: &str, at: &str) -> HubResult<bool> {
        Ok(self
            .c
            .prepare_cached(reconcile_sql::RELEASE)?
            .execute((by, at, &self.site, count_key))?
            == 1)
    }

    fn count_released(&mut self, count_key: &str) -> HubResult<bool> {
        Ok(self
            .c
            .prepare_cached(reconcile_sql::RELEASED)?
            .query_row((&self.site, count_key), |r| r.get(0))?)
    }

    fn adjusted_by_status(&mut self, count_key: &str) -> HubResult<Vec<(String, i64)>> {
        let mut stmt = self.c.prepare_cached(reconcile_sql::BY_STATUS)?;
        let rows = stmt.query_map((&self.site, count_key), |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn append_made(&mut self, envelope: &str, made_at: &str) -> HubResult<()> {
        self.c
            .prepare_cached(reconcile_sql::APPEND_MADE)?
            .execute((&self.site, envelope, made_at))?;
        Ok(())
    }
}
