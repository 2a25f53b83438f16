//! ERP bookkeeping and the posting lease on PostgreSQL.

use dockhand_protocol::sync::{FeedEvent, Import, ImportResult};

use super::{PostgresStore, feed_events};
use crate::erp::{ErpPost, ErpStatus};
use crate::error::HubResult;
use crate::import;
use crate::store::{
    ErpBook, Lease, erp_columns, erp_post_of, erp_site, erp_source, erp_sql, lease_sql, new_claims,
};

/// Serialises the batch claims of one connector (transaction-scoped advisory lock).
const CLAIM_LOCK: &str = "SELECT pg_advisory_xact_lock(hashtext('dockhand erp_claim ' || $1))";

impl ErpBook for PostgresStore {
    fn erp_cursor(&self, erp: &str) -> HubResult<i64> {
        Ok(self.with(|c| c.query_one(erp_sql::CURSOR, &[&erp]))?.get(0))
    }

    fn erp_record(&self, erp: &str, post: &ErpPost) -> HubResult<()> {
        let (status, documents, code, message) = erp_columns(&post.outcome);
        self.with(|client| {
            let mut tx = client.transaction()?;
            tx.execute(
                erp_sql::RECORD,
                &[
                    &erp,
                    &post.feed_seq,
                    &post.event_id,
                    &post.event_type,
                    &post.device_id,
                    &status,
                    &documents,
                    &code,
                    &message,
                    &post.at,
                ],
            )?;
            tx.execute(erp_sql::CLEAR, &[&erp, &post.at])?;
            tx.commit()?;
            Ok(())
        })
    }

    fn erp_advance(&self, erp: &str, through: i64, now: &str) -> HubResult<()> {
        self.with(|c| c.execute(erp_sql::ADVANCE, &[&erp, &through, &now]))?;
        Ok(())
    }

    fn erp_recorded(&self, erp: &str, after: i64, upto: i64) -> HubResult<Vec<i64>> {
        Ok(self
            .query(erp_sql::RECORDED, &[&erp, &after, &upto])?
            .iter()
            .map(|r| r.get(0))
            .collect())
    }

    fn erp_retrying(&self, erp: &str, message: &str, now: &str) -> HubResult<()> {
        self.with(|c| c.execute(erp_sql::RETRYING, &[&erp, &message, &now]))?;
        Ok(())
    }

    fn erp_names(&self) -> HubResult<Vec<String>> {
        Ok(self
            .query(erp_sql::NAMES, &[])?
            .iter()
            .map(|r| r.get(0))
            .collect())
    }

    fn erp_status(&self, erp: &str) -> HubResult<ErpStatus> {
        let cursor = self.erp_cursor(erp)?;
        let site = erp_site(erp);
        let feed = self.with(|c| c.query_one(erp_sql::FEED, &[&site, &cursor]))?;
        let totals = self.with(|c| c.query_one(erp_sql::TOTALS, &[&erp]))?;
        let held = self.with(|c| c.query_one(erp_sql::HELD, &[&erp]))?;
        let lease = self.query(lease_sql::HOLDER, &[&erp])?;
        let held_documents = self
            .query(
                erp_sql::HELD_DOCUMENTS,
                &[&erp, &erp_sql::HELD_DOCUMENTS_SHOWN],
            )?
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect();
        let counts = self.with(|c| c.query_one(erp_sql::COUNTS_HELD, &[&site]))?;
        let failures = self
            .query(erp_sql::FAILURES, &[&erp])?
            .iter()
            .map(|r| {
                erp_post_of(
                    r.get(0),
                    (r.get(1), r.get(2), r.get(3)),
                    r.get(4),
                    r.get(5),
                    (r.get(6), r.get(7)),
                    r.get(8),
                )
            })
            .collect();
        Ok(ErpStatus {
            erp: erp.to_string(),
            cursor,
            feed_head: feed.get(0),
            pending: feed.get(1),
            oldest_pending_since: feed.get(2),
            posted: totals.get(0),
            failed: totals.get(1),
            held: held.get(0),
            oldest_held_since: held.get(1),
            held_documents,
            posting_instance: lease.first().map(|r| r.get(0)),
            posting_lease_until: lease.first().map(|r| r.get(1)),
            last_posted_at: totals.get(2),
            last_error: totals.get(3),
            last_error_at: totals.get(4),
            failures,
            last_pulled_at: totals.get(5),
            counts_held: counts.get(0),
            oldest_count_held_at: counts.get(1),
        })
    }

    fn erp_pull_cursor(&self, erp: &str) -> HubResult<Option<String>> {
        let rows = self.query(erp_sql::PULL_CURSOR, &[&erp])?;
        Ok(rows.first().and_then(|r| r.get(0)))
    }

    fn erp_pulled(
        &self,
        erp: &str,
        data: &Import,
        cursor: &str,
        now: &str,
    ) -> HubResult<ImportResult> {
        self.in_tx(|pg| {
            let result = import::run(pg, data, &erp_source(erp))?;
            pg.exec(erp_sql::SET_PULL_CURSOR, &[&erp, &now, &cursor])?;
            Ok(result)
        })
    }

    fn erp_carried_by(&self, erp: &str, document: &str) -> HubResult<Vec<FeedEvent>> {
        let rows = self.query(erp_sql::CARRIED_BY, &[&erp, &document])?;
        feed_events(&rows)
    }

    fn erp_retries(&self, erp: &str) -> HubResult<Vec<i64>> {
        Ok(self
            .query(crate::store::task_sql::RETRIES, &[&erp])?
            .iter()
            .map(|r| r.get(0))
            .collect())
    }

    fn erp_retried(&self, erp: &str, post: &ErpPost, now: &str) -> HubResult<()> {
        crate::store::HubStore::in_site_tx(self, "", &mut |tx| {
            crate::exceptions::erp_retried(tx, erp, post, now)
        })
    }

    fn count_observed(&self, site: &str, count_key: &str) -> HubResult<bool> {
        Ok(self
            .query(erp_sql::COUNT_OBSERVED, &[&site, &count_key])?
            .first()
            .is_some_and(|r| r.get(0)))
    }

    fn erp_claims(&self, erp: &str, after: i64, upto: i64) -> HubResult<Vec<(i64, i64)>> {
        Ok(self
            .query(erp_sql::CLAIMS, &[&erp, &after, &upto])?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect())
    }

    fn erp_claim(&self, erp: &str, feed_seqs: &[i64], alone: bool) -> HubResult<Vec<(i64, i64)>> {
        let (Some(&first), Some(&last)) = (feed_seqs.iter().min(), feed_seqs.iter().max()) else {
            return Ok(Vec::new());
        };
        let after = first - 1;
        self.with(|client| {
            let mut tx = client.transaction()?;
            let claims = |tx: &mut super::pool::Tx<'_>| -> HubResult<Vec<(i64, i64)>> {
                let s = tx.prepare(erp_sql::CLAIMS)?;
                Ok(tx
                    .query(&s, &[&erp, &after, &last])?
                    .iter()
                    .map(|r| (r.get(0), r.get(1)))
                    .collect())
            };
            // Claims of one connector one at a time: two hub instances (a lease changing hands)
            // must not both name a batch after the same first event and merge them.
            tx.execute(CLAIM_LOCK, &[&erp])?;
            let held = claims(&mut tx)?;
            for (seq, batch) in new_claims(feed_seqs, &held, alone) {
                tx.execute(erp_sql::CLAIM, &[&erp, &seq, &batch])?;
            }
            let all = claims(&mut tx)?;
            tx.commit()?;
            Ok(all
                .into_iter()
                .filter(|(seq, _)| feed_seqs.contains(seq))
                .collect())
        })
    }

    fn erp_batch(&self, erp: &str, batch: i64) -> HubResult<Vec<FeedEvent>> {
        let rows = self.query(erp_sql::BATCH, &[&erp, &batch])?;
        feed_events(&rows)
    }

    fn erp_unbatch(&self, erp: &str, batch: i64) -> HubResult<()> {
        self.with(|c| c.execute(erp_sql::UNBATCH, &[&erp, &batch]))?;
        Ok(())
    }
}

impl Lease for PostgresStore {
    fn erp_lease(&self, erp: &str, holder: &str, until: &str, now: &str) -> HubResult<bool> {
        let changed = self.with(|c| c.execute(lease_sql::TAKE, &[&erp, &holder, &until, &now]))?;
        Ok(changed == 1)
    }
}
