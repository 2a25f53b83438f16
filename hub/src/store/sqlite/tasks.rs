//! The task rows on SQLite.

use rusqlite::OptionalExtension;

use super::Tx;
use crate::error::HubResult;
use dockhand_protocol::exceptions::RaisedException;

use crate::store::{
    ExceptionColumns, NewException, ProgressRow, Settled, TaskTx, TaskWorker, device_sql,
    exception_row, task_sql,
};

fn progress_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ProgressRow> {
    Ok(ProgressRow {
        kind: r.get(0)?,
        task_id: r.get(1)?,
        progress: r.get(2)?,
        ordered: r.get(3)?,
        settled: r.get(4)?,
    })
}

fn columns(r: &rusqlite::Row<'_>) -> rusqlite::Result<ExceptionColumns> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
        r.get(10)?,
        r.get(11)?,
        r.get(12)?,
    ))
}

impl TaskTx for Tx<'_> {
    fn task_workers(&mut self, kind: &str, task_id: &str) -> HubResult<Vec<TaskWorker>> {
        let mut stmt = self.c.prepare_cached(task_sql::WORKERS)?;
        let rows = stmt.query_map((&self.site, kind, task_id), |r| {
            Ok(TaskWorker {
                device_id: r.get(0)?,
                event_id: r.get(1)?,
                seq: r.get(2)?,
                at: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn add_task_worker(&mut self, kind: &str, task_id: &str, w: &TaskWorker) -> HubResult<()> {
        self.c.prepare_cached(task_sql::ADD_WORKER)?.execute((
            &self.site,
            kind,
            task_id,
            &w.device_id,
            &w.event_id,
            w.seq,
            &w.at,
        ))?;
        Ok(())
    }

    fn task_progress(&mut self, kind: &str, task_id: &str) -> HubResult<Option<ProgressRow>> {
        Ok(self
            .c
            .prepare_cached(task_sql::PROGRESS)?
            .query_row((&self.site, kind, task_id), progress_row)
            .optional()?)
    }

    fn set_task_progress(&mut self, row: &ProgressRow) -> HubResult<()> {
        self.c.prepare_cached(task_sql::SET_PROGRESS)?.execute((
            &self.site,
            &row.kind,
            &row.task_id,
            &row.progress,
            row.ordered,
            row.settled,
        ))?;
        Ok(())
    }

    fn all_progress(&mut self) -> HubResult<Vec<ProgressRow>> {
        let mut stmt = self.c.prepare_cached(task_sql::ALL_PROGRESS)?;
        let rows = stmt.query_map([&self.site], progress_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn raise_exception(&mut self, e: &NewException) -> HubResult<()> {
        self.c.prepare_cached(task_sql::RAISE)?.execute((
            &self.site,
            e.kind,
            &e.code,
            &e.subject,
            &e.device_id,
            serde_json::to_string(&e.event_ids)?,
            &e.reason,
            &e.raised_at,
        ))?;
        Ok(())
    }

    fn exceptions(&mut self, kind: &str, state: &str) -> HubResult<Vec<RaisedException>> {
        let mut stmt = self.c.prepare_cached(task_sql::EXCEPTIONS)?;
        let rows = stmt.query_map((&self.site, kind, state), columns)?;
        rows.map(|row| exception_row(row?)).collect()
    }

    fn exception(&mut self, id: i64) -> HubResult<Option<RaisedException>> {
        self.c
            .prepare_cached(task_sql::EXCEPTION)?
            .query_row([id], columns)
            .optional()?
            .map(exception_row)
            .transpose()
    }

    fn settle_exception(&mut self, id: i64, how: &Settled) -> HubResult<bool> {
        Ok(self
            .c
            .prepare_cached(task_sql::SETTLE)?
            .execute((how.state, &how.note, &how.by, &how.at, id, &self.site))?
            == 1)
    }

    fn exception_reason(&mut self, id: i64, reason: &str) -> HubResult<()> {
        self.c
            .prepare_cached(task_sql::REASON)?
            .execute((reason, id, &self.site))?;
        Ok(())
    }

    fn refused_envelope(&mut self, event_id: &str) -> HubResult<Option<String>> {
        Ok(self
            .c
            .prepare_cached(task_sql::REFUSED_ENVELOPE)?
            .query_row([event_id], |r| r.get(0))
            .optional()?)
    }

    fn failed_posts(&mut self, event_id: &str) -> HubResult<Vec<(String, i64)>> {
        let mut stmt = self.c.prepare_cached(task_sql::FAILED_POSTS)?;
        let rows = stmt.query_map([event_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn queue_retry(
        &mut self,
        erp: &str,
        feed_seq: i64,
        exception_id: i64,
        by: &str,
        at: &str,
    ) -> HubResult<()> {
        self.c.prepare_cached(task_sql::QUEUE_RETRY)?.execute((
            erp,
            feed_seq,
            exception_id,
            by,
            at,
        ))?;
        Ok(())
    }

    fn retry_of(&mut self, erp: &str, feed_seq: i64) -> HubResult<Option<(i64, String)>> {
        Ok(self
            .c
            .prepare_cached(task_sql::RETRY_OF)?
            .query_row((erp, feed_seq), |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    fn end_retry(
        &mut self,
        erp: &str,
        feed_seq: i64,
        (status, documents, code, message, at): (&str, &str, Option<&str>, Option<&str>, &str),
    ) -> HubResult<()> {
        self.c
            .prepare_cached(task_sql::REPOST)?
            .execute((status, documents, code, message, at, erp, feed_seq))?;
        self.c
            .prepare_cached(task_sql::END_RETRY)?
            .execute((erp, feed_seq))?;
        Ok(())
    }

    fn site_of_device(&mut self, device_id: &str) -> HubResult<Option<String>> {
        Ok(self
            .c
            .prepare_cached(device_sql::SITE)?
            .query_row([device_id], |r| r.get(0))
            .optional()?)
    }
}
