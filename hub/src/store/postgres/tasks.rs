//! The task rows on PostgreSQL.

use tokio_postgres::Row;

use super::PgTx;
use crate::error::HubResult;
use dockhand_protocol::exceptions::RaisedException;

use crate::store::{
    ExceptionColumns, NewException, ProgressRow, Settled, TaskTx, TaskWorker, device_sql,
    exception_row, task_sql,
};

fn progress_row(r: &Row) -> ProgressRow {
    ProgressRow {
        kind: r.get(0),
        task_id: r.get(1),
        progress: r.get(2),
        ordered: r.get(3),
        settled: r.get(4),
    }
}

fn columns(r: &Row) -> ExceptionColumns {
    (
        r.get(0),
        r.get(1),
        r.get(2),
        r.get(3),
        r.get(4),
        r.get(5),
        r.get(6),
        r.get(7),
        r.get(8),
        r.get(9),
        r.get(10),
        r.get(11),
        r.get(12),
    )
}

impl TaskTx for PgTx<'_, '_> {
    fn task_workers(&mut self, kind: &str, task_id: &str) -> HubResult<Vec<TaskWorker>> {
        let site = self.site.clone();
        let s = self.prepared(task_sql::WORKERS)?;
        Ok(self
            .tx
            .query(&s, &[&site, &kind, &task_id])?
            .iter()
            .map(|r| TaskWorker {
                device_id: r.get(0),
                event_id: r.get(1),
                seq: r.get(2),
                at: r.get(3),
            })
            .collect())
    }

    fn add_task_worker(&mut self, kind: &str, task_id: &str, w: &TaskWorker) -> HubResult<()> {
        let site = self.site.clone();
        self.exec(
            task_sql::ADD_WORKER,
            &[
                &site,
                &kind,
                &task_id,
                &w.device_id,
                &w.event_id,
                &w.seq,
                &w.at,
            ],
        )?;
        Ok(())
    }

    fn task_progress(&mut self, kind: &str, task_id: &str) -> HubResult<Option<ProgressRow>> {
        let site = self.site.clone();
        Ok(self
            .opt(task_sql::PROGRESS, &[&site, &kind, &task_id])?
            .map(|r| progress_row(&r)))
    }

    fn set_task_progress(&mut self, row: &ProgressRow) -> HubResult<()> {
        let site = self.site.clone();
        self.exec(
            task_sql::SET_PROGRESS,
            &[
                &site,
                &row.kind,
                &row.task_id,
                &row.progress,
                &row.ordered,
                &row.settled,
            ],
        )?;
        Ok(())
    }

    fn all_progress(&mut self) -> HubResult<Vec<ProgressRow>> {
        let site = self.site.clone();
        let s = self.prepared(task_sql::ALL_PROGRESS)?;
        Ok(self
            .tx
            .query(&s, &[&site])?
            .iter()
            .map(progress_row)
            .collect())
    }

    fn raise_exception(&mut self, e: &NewException) -> HubResult<()> {
        let site = self.site.clone();
        let events = serde_json::to_string(&e.event_ids)?;
        self.exec(
            task_sql::RAISE,
            &[
                &site,
                &e.kind,
                &e.code,
                &e.subject,
                &e.device_id,
                &events,
                &e.reason,
                &e.raised_at,
            ],
        )?;
        Ok(())
    }

    fn exceptions(&mut self, kind: &str, state: &str) -> HubResult<Vec<RaisedException>> {
        let site = self.site.clone();
        let s = self.prepared(task_sql::EXCEPTIONS)?;
        self.tx
            .query(&s, &[&site, &kind, &state])?
            .iter()
            .map(|r| exception_row(columns(r)))
            .collect()
    }

    fn exception(&mut self, id: i64) -> HubResult<Option<RaisedException>> {
        self.opt(task_sql::EXCEPTION, &[&id])?
            .map(|r| exception_row(columns(&r)))
            .transpose()
    }

    fn settle_exception(&mut self, id: i64, how: &Settled) -> HubResult<bool> {
        let site = self.site.clone();
        Ok(self.exec(
            task_sql::SETTLE,
            &[&how.state, &how.note, &how.by, &how.at, &id, &site],
        )? == 1)
    }

    fn exception_reason(&mut self, id: i64, reason: &str) -> HubResult<()> {
        let site = self.site.clone();
        self.exec(task_sql::REASON, &[&reason, &id, &site])?;
        Ok(())
    }

    fn refused_envelope(&mut self, event_id: &str) -> HubResult<Option<String>> {
        Ok(self
            .opt(task_sql::REFUSED_ENVELOPE, &[&event_id])?
            .map(|r| r.get(0)))
    }

    fn failed_posts(&mut self, event_id: &str) -> HubResult<Vec<(String, i64)>> {
        let s = self.prepared(task_sql::FAILED_POSTS)?;
        Ok(self
            .tx
            .query(&s, &[&event_id])?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect())
    }

    fn queue_retry(
        &mut self,
        erp: &str,
        feed_seq: i64,
        exception_id: i64,
        by: &str,
        at: &str,
    ) -> HubResult<()> {
        self.exec(
            task_sql::QUEUE_RETRY,
            &[&erp, &feed_seq, &exception_id, &by, &at],
        )?;
        Ok(())
    }

    fn retry_of(&mut self, erp: &str, feed_seq: i64) -> HubResult<Option<(i64, String)>> {
        Ok(self
            .opt(task_sql::RETRY_OF, &[&erp, &feed_seq])?
            .map(|r| (r.get(0), r.get(1))))
    }

    fn end_retry(
        &mut self,
        erp: &str,
        feed_seq: i64,
        (status, documents, code, message, at): (&str, &str, Option<&str>, Option<&str>, &str),
    ) -> HubResult<()> {
        self.exec(
            task_sql::REPOST,
            &[&status, &documents, &code, &message, &at, &erp, &feed_seq],
        )?;
        self.exec(task_sql::END_RETRY, &[&erp, &feed_seq])?;
        Ok(())
    }

    fn site_of_device(&mut self, device_id: &str) -> HubResult<Option<String>> {
        Ok(self.opt(device_sql::SITE, &[&device_id])?.map(|r| r.get(0)))
    }
}
