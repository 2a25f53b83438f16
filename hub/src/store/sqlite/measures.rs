//! The measures' rows on SQLite.

use super::Tx;
use crate::error::HubResult;
use crate::store::{Activity, MeasureTx, measure_sql};

impl MeasureTx for Tx<'_> {
    fn record_activity(&mut self, a: &Activity) -> HubResult<()> {
        self.c.prepare_cached(measure_sql::RECORD)?.execute((
            &self.site,
            &a.kind,
            &a.location,
            &a.sku,
            &a.at,
            a.expected,
            a.quantity,
            i64::from(a.adjusted),
            &a.reference,
        ))?;
        Ok(())
    }

    fn activity(&mut self, from: &str, to: &str) -> HubResult<Vec<Activity>> {
        let mut stmt = self.c.prepare_cached(measure_sql::ACTIVITY)?;
        let rows = stmt.query_map((&self.site, from, to), |r| {
            Ok(Activity {
                kind: r.get(0)?,
                location: r.get(1)?,
                sku: r.get(2)?,
                at: r.get(3)?,
                expected: r.get(4)?,
                quantity: r.get(5)?,
                adjusted: r.get::<_, i64>(6)? != 0,
                reference: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn reserve(
        &mut self,
        (device, task, pick): (&str, &str, i64),
        sku: &str,
        n: i64,
    ) -> HubResult<()> {
        self.c
            .prepare_cached(measure_sql::RESERVE)?
            .execute((&self.site, device, task, pick, sku, n))?;
        Ok(())
    }

    fn take_reserved(&mut self, (device, task, pick): (&str, &str, i64), n: i64) -> HubResult<()> {
        self.c
            .prepare_cached(measure_sql::TAKE)?
            .execute((n, &self.site, device, task, pick))?;
        self.c
            .prepare_cached(measure_sql::PRUNE)?
            .execute((&self.site, device, task, pick))?;
        Ok(())
    }

    fn release_reserved(&mut self, device_id: &str, task_id: &str) -> HubResult<()> {
        self.c
            .prepare_cached(measure_sql::RELEASE)?
            .execute((&self.site, device_id, task_id))?;
        Ok(())
    }

    fn reserved_by_sku(&mut self) -> HubResult<Vec<(String, i64)>> {
        let mut stmt = self.c.prepare_cached(measure_sql::RESERVED)?;
        let rows = stmt.query_map([&self.site], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn available_stock(&mut self) -> HubResult<Vec<(String, String, i64)>> {
        let mut stmt = self.c.prepare_cached(measure_sql::AVAILABLE)?;
        let rows = stmt.query_map([&self.site], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
