//! The reconciliation's rows on PostgreSQL.

use tokio_postgres::Row;

use super::PgTx;
use crate::error::HubResult;
use crate::store::{Family, Observation, ReconcileTx, TimedMove, reconcile_sql};

/// An observation from a row of [`reconcile_sql::FROM`]'s columns.
fn observation(r: &Row) -> Observation {
    Observation {
        family: Family {
            location: r.get(0),
            sku: r.get(1),
            lot: r.get(2),
        },
        count_key: r.get(3),
        task_id: r.get(4),
        round: r.get(5),
        at: r.get(6),
        observed: r.get(7),
        settled: r.get::<_, i64>(8) != 0,
        waiting: r.get::<_, i64>(9) != 0,
        event_id: r.get(10),
        device_id: r.get(11),
    }
}

impl ReconcileTx for PgTx<'_, '_> {
    /// Kept with the transaction's other moves and inserted with them
    /// ([`PgTx::flush_moves`]) before anything reads them: one round trip per push, not one per
    /// move.
    fn record_move(&mut self, m: &TimedMove) -> HubResult<()> {
        let rows = &mut self.moves;
        rows.site.push(self.site.clone());
        rows.location.push(m.family.location.clone());
        rows.sku.push(m.family.sku.clone());
        rows.lot.push(m.family.lot.clone());
        rows.status.push(m.status.clone());
        rows.at.push(m.at.clone());
        rows.delta.push(m.delta);
        rows.event_id.push(m.event_id.clone());
        rows.count_key.push(m.count_key.clone());
        Ok(())
    }

    fn moved_until(&mut self, f: &Family, at: &str, except: &str) -> HubResult<i64> {
        self.flush_moves()?;
        let site = self.site.clone();
        Ok(self
            .opt(
                reconcile_sql::MOVED_UNTIL,
                &[&site, &f.location, &f.sku, &f.lot, &at, &except],
            )?
            .map_or(0, |r| r.get(0)))
    }

    fn adjusted_by(&mut self, count_key: &str) -> HubResult<(i64, Option<String>)> {
        self.flush_moves()?;
        let site = self.site.clone();
        Ok(self
            .opt(reconcile_sql::ADJUSTED_BY, &[&site, &count_key])?
            .map_or((0, None), |r| (r.get(0), r.get(1))))
    }

    fn observe(&mut self, o: &Observation) -> HubResult<()> {
        // A line observed starts held: the push's release of those due has work.
        self.counts_held = true;
        let site = self.site.clone();
        self.exec(
            reconcile_sql::OBSERVE,
            &[
                &site,
                &o.family.location,
                &o.family.sku,
                &o.family.lot,
                &o.count_key,
                &o.task_id,
                &o.round,
                &o.at,
                &o.observed,
                &i64::from(o.settled),
                &i64::from(o.waiting),
                &o.event_id,
                &o.device_id,
            ],
        )?;
        Ok(())
    }

    fn adjustment_arrived(&mut self, count_key: &str) -> HubResult<()> {
        let site = self.site.clone();
        self.exec(reconcile_sql::ARRIVED, &[&site, &count_key])?;
        Ok(())
    }

    fn settle_round(&mut self, task_id: &str, round: i64) -> HubResult<Vec<Observation>> {
        let site = self.site.clone();
        self.exec(reconcile_sql::SETTLE, &[&site, &task_id, &round])?;
        let s = self.prepared(reconcile_sql::ROUND)?;
        Ok(self
            .tx
            .query(&s, &[&site, &task_id, &round])?
            .iter()
            .map(observation)
            .collect())
    }

    fn observations_from(&mut self, f: &Family, at: &str) -> HubResult<Vec<Observation>> {
        let site = self.site.clone();
        let s = self.prepared(reconcile_sql::FROM)?;
        Ok(self
            .tx
            .query(&s, &[&site, &f.location, &f.sku, &f.lot, &at])?
            .iter()
            .map(observation)
            .collect())
    }

    fn observed_after(&mut self, f: &Family, at: &str) -> HubResult<bool> {
        let site = self.site.clone();
        Ok(self
            .opt(
                reconcile_sql::AFTER,
                &[&site, &f.location, &f.sku, &f.lot, &at],
            )?
            .is_some_and(|r| r.get(0)))
    }

    fn observed_at(&mut self, count_key: &str) -> HubResult<Option<String>> {
        let site = self.site.clone();
        Ok(self
            .opt(reconcile_sql::OBSERVED_AT, &[&site, &count_key])?
            .map(|r| r.get(0)))
    }

    fn lock_site(&mut self) -> HubResult<()> {
        if self.site_locked {
            return Ok(());
        }
        let key = super::site_lock_key(&self.site);
        self.opt(reconcile_sql::LOCK_SITE, &[&key])?;
        self.site_locked = true;
        Ok(())
    }

    fn site_id(&self) -> &str {
        &self.site
    }

    fn synced_through(&mut self, since: &str) -> HubResult<Option<String>> {
        let site = self.site.clone();
        Ok(self
            .opt(reconcile_sql::SYNCED_THROUGH, &[&site, &since])?
            .and_then(|r| r.get(0)))
    }

    fn held_counts(
        &mut self,
        until: Option<&str>,
        task: Option<&str>,
    ) -> HubResult<Vec<Observation>> {
        let site = self.site.clone();
        let (until, task) = (until.unwrap_or(""), task.unwrap_or(""));
        let s = self.prepared(reconcile_sql::HELD)?;
        Ok(self
            .tx
            .query(&s, &[&site, &until, &task])?
            .iter()
            .map(observation)
            .collect())
    }

    fn release_count(&mut self, count_key: &str, by: &str, at: &str) -> HubResult<bool> {
        let site = self.site.clone();
        Ok(self.exec(reconcile_sql::RELEASE, &[&by, &at, &site, &count_key])? == 1)
    }

    fn count_released(&mut self, count_key: &str) -> HubResult<bool> {
        let site = self.site.clone();
        Ok(self
            .opt(reconcile_sql::RELEASED, &[&site, &count_key])?
            .is_some_and(|r| r.get(0)))
    }

    fn adjusted_by_status(&mut self, count_key: &str) -> HubResult<Vec<(String, i64)>> {
        self.flush_moves()?;
        let site = self.site.clone();
        let s = self.prepared(reconcile_sql::BY_STATUS)?;
        Ok(self
            .tx
            .query(&s, &[&site, &count_key])?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect())
    }

    fn append_made(&mut self, envelope: &str, made_at: &str) -> HubResult<()> {
        // After what the batch has buffered: the feed keeps acceptance order.
        crate::store::IntakeTx::flush(self)?;
        // The stock clock's row, locked until commit, orders feed rows between connections and
        // hub instances as it orders stock changes.
        if !self.clock_held {
            self.hold_clock(0)?;
        }
        let site = self.site.clone();
        self.exec(reconcile_sql::APPEND_MADE, &[&site, &envelope, &made_at])?;
        Ok(())
    }
}

/// Inserts moves given column by column, in the order given (a count line's last adjustment is
/// its last row).
const APPEND_MOVES: &str = "INSERT INTO stock_moves (site, location, sku, lot, status, at, delta,
                             event_id, count_key)
    SELECT site, location, sku, lot, status, at, delta, event_id, count_key
    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                $7::bigint[], $8::text[], $9::text[])
         WITH ORDINALITY AS m(site, location, sku, lot, status, at, delta, event_id, count_key, ord)
    ORDER BY ord";

impl PgTx<'_, '_> {
    /// Inserts the moves kept so far ([`ReconcileTx::record_move`]).
    pub(super) fn flush_moves(&mut self) -> HubResult<()> {
        if self.moves.site.is_empty() {
            return Ok(());
        }
        let m = std::mem::take(&mut self.moves);
        // With the next statement that goes out: every read of the moves is one.
        self.tx.defer(
            APPEND_MOVES,
            vec![
                Box::new(m.site),
                Box::new(m.location),
                Box::new(m.sku),
                Box::new(m.lot),
                Box::new(m.status),
                Box::new(m.at),
                Box::new(m.delta),
                Box::new(m.event_id),
                Box::new(m.count_key),
            ],
        )
    }
}
