//! The embedded SQLite backend: one file, WAL, `synchronous = FULL` (a batch is on disk before the
//! device hears "accepted"). One connection writes; the reads devices and the ERP make most (stock
//! and changes pulls, the feed) take read-only connections of a small pool, which WAL lets run
//! beside the writer on the last committed state.

use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

mod console;
mod devices;
mod erp;
mod feed;
mod measures;
mod reconcile;
mod sscc;
mod stock;
mod tasks;

use dockhand_protocol::sync::{Envelope, FeedEvent};
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use super::{BenchStore, Dialect, HubStore, IntakeTx, migration_sql, migrations, schema};
use crate::error::{HubError, HubResult};

/// Read-only connections to the hub's file, at most this many.
const READERS: u32 = 4;

/// How long a statement waits for a lock before it fails.
const BUSY: Duration = Duration::from_secs(5);

/// The SQLite backend.
pub struct SqliteStore {
    /// The writer (and the reader of an in-memory database, which has no file to share).
    conn: Mutex<Connection>,
    /// Read-only connections to the same file.
    readers: Option<r2d2::Pool<ReadOnly>>,
}

/// Opens read-only connections to one file.
struct ReadOnly(PathBuf);

impl r2d2::ManageConnection for ReadOnly {
    type Connection = Connection;
    type Error = rusqlite::Error;

    fn connect(&self) -> Result<Connection, rusqlite::Error> {
        let conn = Connection::open_with_flags(
            &self.0,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(BUSY)?;
        Ok(conn)
    }

    fn is_valid(&self, conn: &mut Connection) -> Result<(), rusqlite::Error> {
        conn.query_row("SELECT 1", [], |_| Ok(()))
    }

    fn has_broken(&self, _: &mut Connection) -> bool {
        false
    }
}

/// A connection to read with: a pooled reader, or the writer when there is no pool.
enum Reader<'a> {
    Pooled(r2d2::PooledConnection<ReadOnly>),
    Writer(MutexGuard<'a, Connection>),
}

impl Deref for Reader<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        match self {
            Reader::Pooled(c) => c,
            Reader::Writer(c) => c,
        }
    }
}

impl SqliteStore {
    /// Opens (creating when needed) the hub database at `path`.
    pub fn open(path: impl AsRef<Path>) -> HubResult<Self> {
        let path = path.as_ref();
        let conn = Connection::open(path).map_err(|e| {
            HubError::Storage(format!("cannot open hub database {}: {e}", path.display()))
        })?;
        let readers = r2d2::Pool::builder()
            .max_size(READERS)
            .min_idle(Some(0))
            .connection_timeout(BUSY)
            .build_unchecked(ReadOnly(path.to_path_buf()));
        Self::set_up(conn, Some(readers))
    }

    /// A private in-memory hub database (tests).
    pub fn in_memory() -> HubResult<Self> {
        Self::set_up(Connection::open_in_memory()?, None)
    }

    fn set_up(mut conn: Connection, readers: Option<r2d2::Pool<ReadOnly>>) -> HubResult<Self> {
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", true)?;
        conn.busy_timeout(BUSY)?;
        conn.execute_batch(&schema(Dialect::Sqlite))?;
        migrate(&mut conn)?;
        Ok(Self {
            conn: Mutex::new(conn),
            readers,
        })
    }

    /// A connection for reads only: a pooled reader beside the writer.
    fn reader(&self) -> HubResult<Reader<'_>> {
        match &self.readers {
            Some(pool) => Ok(Reader::Pooled(pool.get().map_err(|e| {
                HubError::Storage(format!("no reader of the hub database became free: {e}"))
            })?)),
            None => Ok(Reader::Writer(self.lock()?)),
        }
    }

    fn lock(&self) -> HubResult<MutexGuard<'_, Connection>> {
        self.conn.lock().map_err(|_| {
            HubError::Storage("an earlier request panicked holding the database".into())
        })
    }

    /// Feed events from a query of (feed position, received at, envelope).
    fn feed_events(&self, sql: &str, params: impl rusqlite::Params) -> HubResult<Vec<FeedEvent>> {
        let conn = self.reader()?;
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
        let done: bool = tx.query_row(migration_sql::DONE, [version], |r| r.get(0))?;
        if !done {
            tx.execute_batch(&sql)?;
            tx.execute(migration_sql::RECORD, (version, crate::now_text()))?;
        }
        tx.commit()?;
    }
    Ok(())
}

/// A transaction's rows, for intake and imports, scoped to one site: intake to its device's
/// (read with the device's position), an import to the one it names.
struct Tx<'a> {
    c: &'a Connection,
    site: String,
}

impl<'a> Tx<'a> {
    fn new(c: &'a Connection) -> Self {
        Self {
            c,
            site: String::new(),
        }
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

    fn in_site_tx(
        &self,
        site: &str,
        work: &mut dyn FnMut(&mut dyn IntakeTx) -> HubResult<()>,
    ) -> HubResult<()> {
        // One writer: the immediate transaction holds the whole database.
        self.in_tx(|tx| {
            let mut rows = Tx::new(tx);
            rows.site = site.to_string();
            work(&mut rows)
        })
    }
}

impl BenchStore for SqliteStore {
    fn raw_insert(&self, events: &[Envelope], batch: usize, now: &str) -> HubResult<()> {
        for chunk in events.chunks(batch.max(1)) {
            self.in_tx(|tx| {
                let judged = super::accepted();
                let mut rows = Tx::new(tx);
                for event in chunk {
                    IntakeTx::insert(&mut rows, event, &judged, now)?;
                }
                IntakeTx::flush(&mut rows)
            })?;
        }
        Ok(())
    }

    fn raw_stock(
        &self,
        movements: &[dockhand_protocol::events::EventMovement],
        batch: usize,
    ) -> HubResult<()> {
        for chunk in movements.chunks(batch.max(1)) {
            self.in_tx(|tx| {
                let mut rows = Tx::new(tx);
                rows.site = crate::store::FIRST_SITE.into();
                IntakeTx::apply(&mut rows, chunk, "")
            })?;
        }
        Ok(())
    }
}
