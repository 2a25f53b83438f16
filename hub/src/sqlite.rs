//! The embedded SQLite backend: one file, WAL, `synchronous = FULL` (a batch is on disk before the
//! device hears "accepted").

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use dockhand_protocol::events::EventMovement;
use dockhand_protocol::sync::{
    Change, ChangeKind, DeviceStatus, Envelope, FeedEvent, HubException, Import, ImportResult,
    IntakeResult, StockLine,
};
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior};

use crate::erp::{ErpPost, ErpStatus};
use crate::error::{HubError, HubResult};
use crate::store::{
    BucketKey, Dialect, FEED_PAGE, FEED_PAGE_BYTES, GrantMode, HELD_ALERT, Housekeeping, HubStore,
    ImportTx, IntakeTx, Judged, Position, REFUSALS_KEPT, REJECTED_ALERT, REJECTED_BODIES_KEPT,
    StoredEvent, TOKENS_KEPT, TokenGrant, admission, device_sql, exception_of, migrations, schema,
    status_of, status_text,
};
use crate::store::{
    Unzip3, enrolment, erp_columns, erp_post_of, erp_sql, fork_refusal, position_sql,
};
use crate::{import, intake};

/// The SQLite backend.
pub struct SqliteStore {
    conn: Mutex<Connection>,
}

impl SqliteStore {
    /// Opens (creating when needed) the hub database at `path`.
    pub fn open(path: impl AsRef<Path>) -> HubResult<Self> {
        let path = path.as_ref();
        let conn = Connection::open(path).map_err(|e| {
            HubError::Storage(format!("cannot open hub database {}: {e}", path.display()))
        })?;
        Self::set_up(conn)
    }

    /// A private in-memory hub database (tests).
    pub fn in_memory() -> HubResult<Self> {
        Self::set_up(Connection::open_in_memory()?)
    }

    fn set_up(mut conn: Connection) -> HubResult<Self> {
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", true)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.execute_batch(&schema(Dialect::Sqlite))?;
        migrate(&mut conn)?;
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    fn lock(&self) -> HubResult<MutexGuard<'_, Connection>> {
        self.conn.lock().map_err(|_| {
            HubError::Storage("an earlier request panicked holding the database".into())
        })
    }

    /// Feed events from a query of (feed position, received at, envelope).
    fn feed_events(&self, sql: &str, params: impl rusqlite::Params) -> HubResult<Vec<FeedEvent>> {
        let conn = self.lock()?;
        let mut stmt = conn.prepare_cached(sql)?;
        let rows = stmt.query_map(params, |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (hub_seq, received_at, envelope) = row?;
            out.push(FeedEvent {
                hub_seq,
                received_at,
                event: serde_json::from_str(&envelope)?,
            });
        }
        Ok(out)
    }

    fn in_tx<T>(&self, run: impl FnOnce(&Transaction<'_>) -> HubResult<T>) -> HubResult<T> {
        let mut conn = self.lock()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = run(&tx)?;
        tx.commit()?;
        Ok(value)
    }
}

/// Applies the migrations the database has not had yet, each in its own transaction.
fn migrate(conn: &mut Connection) -> HubResult<()> {
    for (version, sql) in migrations(Dialect::Sqlite) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let done: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = ?1)",
            [version],
            |r| r.get(0),
        )?;
        if !done {
            tx.execute_batch(&sql)?;
            tx.execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)",
                (version, crate::api::now_text()),
            )?;
        }
        tx.commit()?;
    }
    Ok(())
}

struct Tx<'a>(&'a Connection);

impl IntakeTx for Tx<'_> {
    fn position(&mut self, device_id: &str) -> HubResult<Position> {
        Ok(self
            .0
            .prepare_cached(position_sql::READ)?
            .query_row([device_id], |r| {
                let held = match (r.get(3)?, r.get(4)?, r.get(5)?) {
                    (Some(code), Some(reason), Some(since)) => Some((code, reason, since)),
                    _ => None,
                };
                Ok(Position {
                    contiguous_seq: r.get(0)?,
                    last_hash: r.get(1)?,
                    public_key: r.get(2)?,
                    held,
                    accept_fork: r.get::<_, i64>(6)? != 0,
                })
            })
            .optional()?
            .unwrap_or_default())
    }

    fn set_position(&mut self, device_id: &str, p: &Position, now: &str) -> HubResult<()> {
        let (code, reason, since) = p.held.clone().unzip3();
        self.0
            .prepare_cached(position_sql::WRITE)?
            .execute(rusqlite::params![
                p.contiguous_seq,
                &p.last_hash,
                now,
                code,
                reason,
                since,
                i64::from(p.accept_fork),
                device_id,
            ])?;
        Ok(())
    }

    fn stored(&mut self, event_id: &uuid::Uuid) -> HubResult<Option<StoredEvent>> {
        Ok(self
            .0
            .prepare_cached(
                "SELECT device_id, seq, hash, status, code, reason FROM events WHERE event_id = ?1",
            )?
            .query_row([event_id.to_string()], |r| {
                Ok(StoredEvent {
                    device_id: r.get(0)?,
                    seq: r.get(1)?,
                    hash: r.get(2)?,
                    status: status_of(&r.get::<_, String>(3)?),
                    code: r.get(4)?,
                    reason: r.get(5)?,
                })
            })
            .optional()?)
    }

    fn held_at(&mut self, device_id: &str, seq: i64) -> HubResult<Option<Envelope>> {
        let text: Option<String> = self
            .0
            .prepare_cached(
                "SELECT envelope FROM events WHERE device_id = ?1 AND seq = ?2 AND status = 'held'",
            )?
            .query_row((device_id, seq), |r| r.get(0))
            .optional()?;
        Ok(match text {
            Some(t) => Some(serde_json::from_str(&t)?),
            None => None,
        })
    }

    fn has_held(&mut self, device_id: &str) -> HubResult<bool> {
        Ok(self
            .0
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM events WHERE device_id = ?1 AND status = 'held')",
            )?
            .query_row([device_id], |r| r.get(0))?)
    }

    fn seq_taken(&mut self, device_id: &str, seq: i64) -> HubResult<bool> {
        Ok(self
            .0
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM events WHERE device_id = ?1 AND seq = ?2)",
            )?
            .query_row((device_id, seq), |r| r.get(0))?)
    }

    fn insert(&mut self, e: &Envelope, j: &Judged, now: &str) -> HubResult<()> {
        self.0
            .prepare_cached(
                "INSERT INTO events (event_id, device_id, seq, event_type, hash, envelope, status,
                                     code, reason, received_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?
            .execute((
                e.event_id.to_string(),
                &e.device_id,
                e.seq,
                &e.event_type,
                &e.hash,
                serde_json::to_string(e)?,
                status_text(j.status),
                &j.code,
                &j.reason,
                now,
            ))?;
        Ok(())
    }

    fn refuse(&mut self, e: &Envelope, code: &str, reason: &str, now: &str) -> HubResult<()> {
        self.0.prepare_cached(device_sql::REFUSAL)?.execute((
            &e.device_id,
            e.seq,
            e.event_id.to_string(),
            &e.event_type,
            code,
            reason,
            now,
        ))?;
        Ok(())
    }

    fn bucket(&mut self, key: &BucketKey) -> HubResult<i64> {
        Ok(self
            .0
            .prepare_cached(
                "SELECT qty FROM stock WHERE location = ?1 AND sku = ?2 AND lot = ?3 AND status = ?4",
            )?
            .query_row((&key.0, &key.1, &key.2, &key.3), |r| r.get(0))
            .optional()?
            .unwrap_or(0))
    }

    fn delete_held(&mut self, event_id: &uuid::Uuid) -> HubResult<()> {
        self.0
            .prepare_cached("DELETE FROM events WHERE event_id = ?1 AND status = 'held'")?
            .execute([event_id.to_string()])?;
        Ok(())
    }

    fn settle(&mut self, event_id: &uuid::Uuid, j: &Judged) -> HubResult<()> {
        self.0
            .prepare_cached(
                "UPDATE events SET status = ?2, code = ?3, reason = ?4 WHERE event_id = ?1",
            )?
            .execute((
                event_id.to_string(),
                status_text(j.status),
                &j.code,
                &j.reason,
            ))?;
        Ok(())
    }

    fn apply(&mut self, movements: &[EventMovement]) -> HubResult<()> {
        let mut stmt = self.0.prepare_cached(
            "INSERT INTO stock (location, sku, lot, status, qty) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT DO UPDATE SET qty = qty + excluded.qty",
        )?;
        for m in movements {
            stmt.execute((&m.location, &m.sku, &m.lot, m.status.as_str(), m.delta))?;
        }
        Ok(())
    }

    fn append_feed(&mut self, event_id: &uuid::Uuid) -> HubResult<()> {
        self.0
            .prepare_cached(
                "INSERT INTO feed (event_row) SELECT id FROM events WHERE event_id = ?1",
            )?
            .execute([event_id.to_string()])?;
        Ok(())
    }

    fn has_catalog(&mut self) -> HubResult<bool> {
        Ok(self
            .0
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM master WHERE kind = 'item')")?
            .query_row([], |r| r.get(0))?)
    }

    fn sku_known(&mut self, sku: &str) -> HubResult<bool> {
        Ok(self
            .0
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM master WHERE kind = 'item' AND key = ?1)",
            )?
            .query_row([sku], |r| r.get(0))?)
    }
}

impl ImportTx for Tx<'_> {
    fn current(&mut self, kind: &str, key: &str) -> HubResult<Option<String>> {
        Ok(self
            .0
            .prepare_cached("SELECT data FROM master WHERE kind = ?1 AND key = ?2")?
            .query_row((kind, key), |r| r.get(0))
            .optional()?)
    }

    fn upsert(&mut self, kind: &str, key: &str, data: &str) -> HubResult<()> {
        self.0
            .prepare_cached(
                "INSERT INTO master (kind, key, data) VALUES (?1, ?2, ?3)
                 ON CONFLICT DO UPDATE SET data = excluded.data",
            )?
            .execute((kind, key, data))?;
        self.0
            .prepare_cached("INSERT INTO changes (kind, key, data) VALUES (?1, ?2, ?3)")?
            .execute((kind, key, data))?;
        Ok(())
    }

    fn all(&mut self, kind: &str) -> HubResult<Vec<(String, String)>> {
        let mut stmt = self
            .0
            .prepare_cached("SELECT key, data FROM master WHERE kind = ?1 ORDER BY key")?;
        let rows = stmt.query_map([kind], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

impl HubStore for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    fn ping(&self) -> HubResult<()> {
        self.lock()?.query_row("SELECT 1", [], |_| Ok(()))?;
        Ok(())
    }

    fn register(&self, g: &TokenGrant) -> HubResult<()> {
        self.in_tx(|tx| {
            let existing: Option<bool> = tx
                .prepare_cached(device_sql::DEVICE)?
                .query_row([&g.device_id], |r| r.get(0))
                .optional()?;
            let mode = admission(g, existing)?;
            tx.prepare_cached(device_sql::UPSERT)?.execute((
                &g.device_id,
                &g.name,
                &g.issued_at,
            ))?;
            if g.public_key.is_some() || mode == GrantMode::Replace {
                tx.prepare_cached(position_sql::SET_KEY)?
                    .execute((&g.public_key, &g.device_id))?;
            }
            match mode {
                GrantMode::Replace => {
                    tx.prepare_cached(device_sql::DELETE_TOKENS)?
                        .execute([&g.device_id])?;
                }
                GrantMode::Renew => {
                    tx.prepare_cached(device_sql::PRUNE_TOKENS)?.execute((
                        &g.device_id,
                        &g.issued_at,
                        TOKENS_KEPT - 1,
                    ))?;
                }
                GrantMode::New => {}
            }
            tx.prepare_cached(device_sql::INSERT_TOKEN)?.execute((
                &g.token_hash,
                &g.device_id,
                &g.expires_at,
                &g.issued_at,
            ))?;
            Ok(())
        })
    }

    fn revoke_device(&self, device_id: &str, now: &str) -> HubResult<usize> {
        self.in_tx(|tx| {
            let revoked = tx
                .prepare_cached(device_sql::REVOKE)?
                .execute((now, device_id))?;
            if revoked == 0 {
                return Err(HubError::UnknownDevice(device_id.into()));
            }
            Ok(tx
                .prepare_cached(device_sql::DELETE_TOKENS)?
                .execute([device_id])?)
        })
    }

    fn revoke_tokens(&self, device_id: &str) -> HubResult<usize> {
        self.in_tx(|tx| {
            let known: Option<bool> = tx
                .prepare_cached(device_sql::DEVICE)?
                .query_row([device_id], |r| r.get(0))
                .optional()?;
            if known.is_none() {
                return Err(HubError::UnknownDevice(device_id.into()));
            }
            Ok(tx
                .prepare_cached(device_sql::DELETE_TOKENS)?
                .execute([device_id])?)
        })
    }

    fn housekeep(&self, now: &str) -> HubResult<Housekeeping> {
        self.in_tx(|tx| {
            let over = |status: &str, limit: i64| -> HubResult<Vec<(String, i64)>> {
                let mut stmt = tx.prepare_cached(device_sql::OVER)?;
                let rows = stmt.query_map((status, limit), |r| Ok((r.get(0)?, r.get(1)?)))?;
                Ok(rows.collect::<rusqlite::Result<_>>()?)
            };
            Ok(Housekeeping {
                expired_tokens: tx
                    .prepare_cached(device_sql::EXPIRED_TOKENS)?
                    .execute([now])? as u64,
                refusals: tx
                    .prepare_cached(device_sql::OLD_REFUSALS)?
                    .execute([REFUSALS_KEPT])? as u64,
                rejected_bodies: tx
                    .prepare_cached(device_sql::OLD_REJECTED)?
                    .execute([REJECTED_BODIES_KEPT])? as u64,
                devices_holding: over("held", HELD_ALERT)?,
                devices_rejected: over("rejected", REJECTED_ALERT)?,
            })
        })
    }

    fn token(&self, token_hash: &str) -> HubResult<Option<(String, String)>> {
        Ok(self
            .lock()?
            .prepare_cached("SELECT device_id, expires_at FROM tokens WHERE token_hash = ?1")?
            .query_row([token_hash], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    fn intake(
        &self,
        device_id: &str,
        events: &[Envelope],
        now: &str,
        signed_only: bool,
    ) -> HubResult<IntakeResult> {
        self.in_tx(|tx| intake::run(&mut Tx(tx), device_id, events, now, signed_only))
    }

    fn enrol_key(&self, device_id: &str, public_key: &str) -> HubResult<()> {
        self.in_tx(|tx| {
            let recorded: Option<Option<String>> = tx
                .prepare_cached(position_sql::KEY)?
                .query_row([device_id], |r| r.get(0))
                .optional()?;
            match recorded {
                None => Err(HubError::UnknownDevice(device_id.into())),
                Some(recorded) => {
                    enrolment(device_id, public_key, recorded.as_deref())?;
                    tx.prepare_cached(position_sql::ENROL)?
                        .execute((public_key, device_id))?;
                    Ok(())
                }
            }
        })
    }

    fn accept_fork(&self, device_id: &str) -> HubResult<()> {
        self.in_tx(|tx| {
            let accepted = tx
                .prepare_cached(position_sql::ACCEPT_FORK)?
                .execute([device_id])?;
            if accepted == 1 {
                return Ok(());
            }
            let held: Option<Option<String>> = tx
                .prepare_cached(position_sql::HELD)?
                .query_row([device_id], |r| r.get(0))
                .optional()?;
            Err(fork_refusal(device_id, held))
        })
    }

    fn import(&self, data: &Import) -> HubResult<ImportResult> {
        let data = import::prepare(data)?;
        self.in_tx(|tx| import::run(&mut Tx(tx), &data))
    }

    fn changes(&self, after: i64, limit: usize) -> HubResult<Vec<(i64, Change)>> {
        let conn = self.lock()?;
        let mut stmt = conn.prepare_cached(
            "SELECT change_seq, kind, key, data FROM changes WHERE change_seq > ?1
             ORDER BY change_seq LIMIT ?2",
        )?;
        let rows = stmt.query_map((after, limit as i64), |r| {
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
            let kind = ChangeKind::parse(&kind)
                .ok_or_else(|| HubError::Storage(format!("unknown change kind {kind}")))?;
            out.push((
                seq,
                Change {
                    kind,
                    op: "upsert".into(),
                    key,
                    data: serde_json::from_str(&data)?,
                },
            ));
        }
        Ok(out)
    }

    fn feed(&self, after: i64, limit: usize) -> HubResult<Vec<FeedEvent>> {
        self.feed_events(FEED_PAGE, (after, limit as i64, FEED_PAGE_BYTES))
    }

    fn stock(&self) -> HubResult<Vec<StockLine>> {
        let conn = self.lock()?;
        let mut stmt = conn.prepare_cached(
            "SELECT location, sku, lot, status, qty FROM stock WHERE qty <> 0
             ORDER BY location, sku, lot, status",
        )?;
        let rows = stmt.query_map([], crate::sqlite::stock_line_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn exceptions(&self) -> HubResult<Vec<HubException>> {
        let conn = self.lock()?;
        let mut stmt = conn.prepare_cached(device_sql::EXCEPTIONS)?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            out.push(exception_of(row?)?);
        }
        Ok(out)
    }

    fn devices(&self) -> HubResult<Vec<DeviceStatus>> {
        let conn = self.lock()?;
        let mut stmt = conn.prepare_cached(device_sql::DEVICES)?;
        let rows = stmt.query_map([], |r| {
            Ok(DeviceStatus {
                device_id: r.get(0)?,
                contiguous_seq: r.get(1)?,
                held: r.get(2)?,
                rejected: r.get(3)?,
                last_seen: r.get(4)?,
                signed: r.get(5)?,
                held_for_supervisor: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

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

    fn erp_retrying(&self, erp: &str, message: &str, now: &str) -> HubResult<()> {
        let conn = self.lock()?;
        conn.prepare_cached(erp_sql::RETRYING)?
            .execute((erp, message, now))?;
        Ok(())
    }

    fn erp_status(&self, erp: &str) -> HubResult<ErpStatus> {
        let conn = self.lock()?;
        let cursor: i64 = conn
            .prepare_cached(erp_sql::CURSOR)?
            .query_row([erp], |r| r.get(0))?;
        let (feed_head, pending, oldest_pending_since) = conn
            .prepare_cached(erp_sql::FEED)?
            .query_row([cursor], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
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
        let (posting_instance, posting_lease_until) = conn
            .prepare_cached(erp_sql::LEASE_HOLDER)?
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
            posting_instance,
            posting_lease_until,
            last_posted_at,
            last_error,
            last_error_at,
            failures,
            last_pulled_at,
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
            let result = import::run(&mut Tx(tx), data)?;
            tx.prepare_cached(erp_sql::SET_PULL_CURSOR)?
                .execute((erp, now, cursor))?;
            Ok(result)
        })
    }

    fn master_row(&self, kind: &str, key: &str) -> HubResult<Option<String>> {
        let conn = self.lock()?;
        Ok(conn
            .prepare_cached(erp_sql::MASTER_ROW)?
            .query_row([kind, key], |r| r.get(0))
            .optional()?)
    }

    fn erp_lease(&self, erp: &str, holder: &str, until: &str, now: &str) -> HubResult<bool> {
        let conn = self.lock()?;
        let changed = conn
            .prepare_cached(erp_sql::LEASE)?
            .execute((erp, holder, until, now))?;
        Ok(changed == 1)
    }

    fn erp_carried_by(&self, erp: &str, document: &str) -> HubResult<Vec<FeedEvent>> {
        self.feed_events(erp_sql::CARRIED_BY, [erp, document])
    }

    fn raw_insert(&self, events: &[Envelope], batch: usize, now: &str) -> HubResult<()> {
        for chunk in events.chunks(batch.max(1)) {
            self.in_tx(|tx| {
                let judged = crate::store::accepted();
                let mut rows = Tx(tx);
                for event in chunk {
                    IntakeTx::insert(&mut rows, event, &judged, now)?;
                }
                IntakeTx::flush(&mut rows)
            })?;
        }
        Ok(())
    }
}

/// A stock line from a row of location, sku, lot, status, quantity.
pub(crate) fn stock_line_from_row(
    r: &rusqlite::Row<'_>,
) -> rusqlite::Result<dockhand_protocol::sync::StockLine> {
    Ok(dockhand_protocol::sync::StockLine {
        location: r.get(0)?,
        sku: r.get(1)?,
        lot: r.get(2)?,
        status: r.get(3)?,
        quantity: r.get(4)?,
    })
}
