//! The measures' rows on PostgreSQL.

use super::PgTx;
use crate::error::HubResult;
use crate::store::{Activity, MeasureTx, measure_sql};

impl MeasureTx for PgTx<'_, '_> {
    fn record_activity(&mut self, a: &Activity) -> HubResult<()> {
        let site = self.site.clone();
        self.exec(
            measure_sql::RECORD,
            &[
                &site,
                &a.kind,
                &a.location,
                &a.sku,
                &a.at,
                &a.expected,
                &a.quantity,
                &i64::from(a.adjusted),
                &a.reference,
            ],
        )?;
        Ok(())
    }

    fn activity(&mut self, from: &str, to: &str) -> HubResult<Vec<Activity>> {
        let site = self.site.clone();
        let s = self.prepared(measure_sql::ACTIVITY)?;
        Ok(self
            .tx
            .query(&s, &[&site, &from, &to])?
            .iter()
            .map(|r| Activity {
                kind: r.get(0),
                location: r.get(1),
                sku: r.get(2),
                at: r.get(3),
                expected: r.get(4),
                quantity: r.get(5),
                adjusted: r.get::<_, i64>(6) != 0,
                reference: r.get(7),
            })
            .collect())
    }

    fn reserve(
        &mut self,
        (device, task, pick): (&str, &str, i64),
        sku: &str,
        n: i64,
    ) -> HubResult<()> {
        let site = self.site.clone();
        self.exec(
            measure_sql::RESERVE,
            &[&site, &device, &task, &pick, &sku, &n],
        )?;
        Ok(())
    }

    fn take_reserved(&mut self, (device, task, pick): (&str, &str, i64), n: i64) -> HubResult<()> {
        let site = self.site.clone();
        self.exec(measure_sql::TAKE, &[&n, &site, &device, &task, &pick])?;
        self.exec(measure_sql::PRUNE, &[&site, &device, &task, &pick])?;
        Ok(())
    }

    fn release_reserved(&mut self, device_id: &str, task_id: &str) -> HubResult<()> {
        let site = self.site.clone();
        self.exec(measure_sql::RELEASE, &[&site, &device_id, &task_id])?;
        Ok(())
    }

    fn reserved_by_sku(&mut self) -> HubResult<Vec<(String, i64)>> {
        let site = self.site.clone();
        let s = self.prepared(measure_sql::RESERVED)?;
        Ok(self
            .tx
            .query(&s, &[&site])?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect())
    }

    fn available_stock(&mut self) -> HubResult<Vec<(String, String, i64)>> {
        let site = self.site.clone();
        let s = self.prepared(measure_sql::AVAILABLE)?;
        Ok(self
            .tx
            .query(&s, &[&site])?
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect())
    }
}
