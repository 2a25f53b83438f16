//! ERP bookkeeping and the posting lease on SQLite.

use dockhand_protocol::sync::{FeedEvent, Import, ImportResult};
use rusqlite::OptionalExtension;

use super::{SqliteStore, Tx};
use crate::erp::{ErpPost, ErpStatus};
use crate::error::HubResult;
use crate::import;
use crate::store::{
    ErpBook, Lease, erp_columns, erp_post_of, erp_site, erp_source, erp_sql, lease_sql, new_claims,
};

impl ErpBook for SqliteStore {
    fn erp_cursor(&self, erp: &str) -> HubResult<i64> {
        let conn = self.lock()?;
        Ok(conn
            .prepare_cached(erp_sql::CURSOR)?
            .query_row([erp], |r| r.get(0))?)
    }

    fn erp_record(&self, erp: &str, post: &ErpPost) -> HubResult<()> {
        let (status, documents, code, message) = erp_columns(&post.outcome);
        self.in_tx(|tx| {
            tx.prepare_cached(erp_sql::RECORD)?
                .execute(rusqlite::params![
                    erp,
                    post.feed_seq,
                    post.event_id,
                    post.event_type,
                    post.device_id,
                    status,
                    documents,
                    code,
                    message,
                    post.at
                ])?;
            tx.prepare_cached(erp_sql::CLEAR)?
                .execute((erp, &post.at))?;
            Ok(())
        })
    }

    fn erp_advance(&self, erp: &str, through: i64, now: &str) -> HubResult<()> {
        let conn = self.lock()?;
        conn.prepare_cached(erp_sql::ADVANCE)?
            .execute(rusqlite::params![erp, through, now])?;
        Ok(())
    }

    fn erp_recorded(&self, erp: &str, after: i64, upto: i64) -> HubResult<Vec<i64>> {
        let conn = self.lock()?;
        let mut stmt = conn.prepare_cached(erp_sql::RECORDED)?;
        let rows = stmt.query_map(rusqlite::params![erp, after, upto], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn erp_retrying(&self, erp: &str, message: &str, now: &str) -> HubResult<()> {
        let conn = self.lock()?;
        conn.prepare_cached(erp_sql::RETRYING)?
            .execute((erp, message, now))?;
        Ok(())
    }

    fn erp_names(&self) -> HubResult<Vec<String>> {
        let conn = self.lock()?;
        let mut stmt = conn.prepare_cached(erp_sql::NAMES)?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn erp_status(&self, erp: &str) -> HubResult<ErpStatus> {
        let conn = self.lock()?;
        let cursor: i64 = conn
            .prepare_cached(erp_sql::CURSOR)?
            .query_row([erp], |r| r.get(0))?;
        let (feed_head, pending, oldest_pending_since) = conn
            .prepare_cached(erp_sql::FEED)?
            .query_row((erp_site(erp), cursor), |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?;
        let (posted, failed, last_posted_at, last_error, last_error_at, last_pulled_at) = conn
            .prepare_cached(erp_sql::TOTALS)?
            .query_row([erp], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })?;
        let (held, oldest_held_since) = conn
            .prepare_cached(erp_sql::HELD)?
            .query_row([erp], |r| Ok((r.get(0)?, r.get(1)?)))?;
        let held_documents = conn
            .prepare_cached(erp_sql::HELD_DOCUMENTS)?
            .query_map((erp, erp_sql::HELD_DOCUMENTS_SHOWN), |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let (counts_held, oldest_count_held_at) = conn
            .prepare_cached(erp_sql::COUNTS_HELD)?
            .query_row([erp_site(erp)], |r| Ok((r.get(0)?, r.get(1)?)))?;
        let (posting_instance, posting_lease_until) = conn
            .prepare_cached(lease_sql::HOLDER)?
            .query_row([erp], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?
            .unzip();
        let mut stmt = conn.prepare_cached(erp_sql::FAILURES)?;
        let failures = stmt
            .query_map([erp], |r| {
                Ok(erp_post_of(
                    r.get(0)?,
                    (r.get(1)?, r.get(2)?, r.get(3)?),
                    &r.get::<_, String>(4)?,
                    &r.get::<_, String>(5)?,
                    (r.get(6)?, r.get(7)?),
                    r.get(8)?,
                ))
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(ErpStatus {
            erp: erp.to_string(),
            cursor,
            feed_head,
            pending,
            oldest_pending_since,
            posted,
            failed,
            held,
            oldest_held_since,
            held_documents,
            posting_instance,
            posting_lease_until,
            last_posted_at,
            last_error,
            last_error_at,
            failures,
            last_pulled_at,
            counts_held,
            oldest_count_held_at,
        })
    }

    fn erp_pull_cursor(&self, erp: &str) -> HubResult<Option<String>> {
        let conn = self.lock()?;
        Ok(conn
            .prepare_cached(erp_sql::PULL_CURSOR)?
            .query_row([erp], |r| r.get(0))
            .optional()?
            .flatten())
    }

    fn erp_pulled(
        &self,
        erp: &str,
        data: &Import,
        cursor: &str,
        now: &str,
    ) -> HubResult<ImportResult> {
        self.in_tx(|tx| {
            let result = import::run(&mut Tx::new(tx), data, &erp_source(erp))?;
            tx.prepare_cached(erp_sql::SET_PULL_CURSOR)?
                .execute((erp, now, cursor))?;
            Ok(result)
        })
    }

    fn erp_carried_by(&self, erp: &str, document: &str) -> HubResult<Vec<FeedEvent>> {
        self.feed_events(erp_sql::CARRIED_BY, [erp, document])
    }

    fn erp_retries(&self, erp: &str) -> HubResult<Vec<i64>> {
        let conn = self.lock()?;
        let mut stmt = conn.prepare_cached(crate::store::task_sql::RETRIES)?;
        let rows = stmt.query_map([erp], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn erp_retried(&self, erp: &str, post: &ErpPost, now: &str) -> HubResult<()> {
        crate::store::HubStore::in_site_tx(self, "", &mut |tx| {
            crate::exceptions::erp_retried(tx, erp, post, now)
        })
    }

    fn count_observed(&self, site: &str, count_key: &str) -> HubResult<bool> {
        Ok(self
            .lock()?
            .prepare_cached(erp_sql::COUNT_OBSERVED)?
            .query_row([site, count_key], |r| r.get(0))?)
    }

    fn erp_claims(&self, erp: &str, after: i64, upto: i64) -> HubResult<Vec<(i64, i64)>> {
        let conn = self.lock()?;
        claims(&conn, erp, after, upto)
    }

    fn erp_claim(&self, erp: &str, feed_seqs: &[i64], alone: bool) -> HubResult<Vec<(i64, i64)>> {
        let (Some(&first), Some(&last)) = (feed_seqs.iter().min(), feed_seqs.iter().max()) else {
            return Ok(Vec::new());
        };
        self.in_tx(|tx| {
            let held = claims(tx, erp, first - 1, last)?;
            for (seq, batch) in new_claims(feed_seqs, &held, alone) {
                tx.prepare_cached(erp_sql::CLAIM)?
                    .execute(rusqlite::params![erp, seq, batch])?;
            }
            Ok(claims(tx, erp, first - 1, last)?
                .into_iter()
                .filter(|(seq, _)| feed_seqs.contains(seq))
                .collect())
        })
    }

    fn erp_batch(&self, erp: &str, batch: i64) -> HubResult<Vec<FeedEvent>> {
        self.feed_events(erp_sql::BATCH, rusqlite::params![erp, batch])
    }

    fn erp_unbatch(&self, erp: &str, batch: i64) -> HubResult<()> {
        self.lock()?
            .prepare_cached(erp_sql::UNBATCH)?
            .execute(rusqlite::params![erp, batch])?;
        Ok(())
    }
}

/// The batches events in (`after`, `upto`] belong to.
fn claims(
    conn: &rusqlite::Connection,
    erp: &str,
    after: i64,
    upto: i64,
) -> HubResult<Vec<(i64, i64)>> {
    let mut stmt = conn.prepare_cached(erp_sql::CLAIMS)?;
    let rows = stmt.query_map(rusqlite::params![erp, after, upto], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

impl Lease for SqliteStore {
    fn erp_lease(&self, erp: &str, holder: &str, until: &str, now: &str) -> HubResult<bool> {
        let conn = self.lock()?;
        let changed = conn
            .prepare_cached(lease_sql::TAKE)?
            .execute((erp, holder, until, now))?;
        Ok(changed == 1)
    }
}
