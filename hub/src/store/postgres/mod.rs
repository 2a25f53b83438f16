//! The PostgreSQL backend (`--database postgres://…`): the production store, where several hub
//! instances may share one database. Each request takes a connection of its pool; statements are prepared once per connection.

/// The CTEs `site` (the site's advisory lock, key `$key`) and `clock` (the stock clock's row,
/// advanced by `$count`, returning its `last`). The lock's CTE is materialized and the clock's
/// row is updated joined to it, so the row is locked only once the site's lock is held: the
/// order [`PgTx::hold_clock`] keeps, in every statement that takes both.
macro_rules! site_then_clock {
    ($key:literal, $count:literal) => {
        concat!(
            "WITH site AS MATERIALIZED (SELECT pg_advisory_xact_lock(hashtext(",
            $key,
            ")) AS locked), clock AS (UPDATE stock_clock SET last = last + ",
            $count,
            " FROM site WHERE singleton = 1 RETURNING last)"
        )
    };
}

mod console;
mod devices;
mod erp;
mod feed;
mod measures;
mod pool;
mod reconcile;
mod sscc;
mod stock;
mod tasks;

use std::collections::HashMap;

use dockhand_protocol::sync::{Envelope, FeedEvent};
use tokio_postgres::{Row, Statement};

pub use pool::DEFAULT_POOL_SIZE;

use super::{
    BenchStore, BucketKey, Dialect, HubStore, IntakeTx, StoredEvent, migration_sql, migrations,
    schema, status_of,
};
use crate::error::{HubError, HubResult, postgres_message};

/// The PostgreSQL backend.
pub struct PostgresStore {
    /// `None` only while being dropped.
    connections: Option<pool::Connections>,
    /// Transactions the database aborted to resolve a race with another (a deadlock) and that
    /// ran again: [`Self::races_lost`].
    races: std::sync::atomic::AtomicU64,
}

impl Drop for PostgresStore {
    /// Closes the pool without waiting: the last reference may go away on an async worker (at
    /// server shutdown), where blocking is not allowed.
    fn drop(&mut self) {
        if let Some(connections) = self.connections.take() {
            connections.close();
        }
    }
}

impl PostgresStore {
    /// Connects to `url` with a pool of [`DEFAULT_POOL_SIZE`] connections and creates the tables
    /// when missing. `sslmode` (`require`, `verify-ca`, `verify-full`) and `sslrootcert` in the
    /// URL ask for TLS as with libpq.
    pub fn connect(url: &str) -> HubResult<Self> {
        Self::connect_pooled(url, DEFAULT_POOL_SIZE)
    }

    /// [`Self::connect`] with a pool of `pool_size` connections at most.
    pub fn connect_pooled(url: &str, pool_size: u32) -> HubResult<Self> {
        let connections = pool::Connections::new(url, pool_size)?;
        {
            // The first connection, made here, says why when the database cannot be reached.
            let mut client = connections.get()?;
            // Hub instances starting together over one database take turns creating and
            // migrating it.
            let mut tx = client.transaction()?;
            tx.batch_execute("SELECT pg_advisory_xact_lock(7420411)")?;
            tx.batch_execute(&schema(Dialect::Postgres))?;
            for (version, sql) in migrations(Dialect::Postgres) {
                let done: bool = tx.query_one(migration_sql::DONE, &[&version])?.get(0);
                if !done {
                    tx.batch_execute(&sql)?;
                    tx.execute(migration_sql::RECORD, &[&version, &crate::now_text()])?;
                }
            }
            tx.commit()?;
        }
        Ok(Self {
            connections: Some(connections),
            races: Default::default(),
        })
    }

    /// How many transactions the database has aborted to resolve a race with another (a
    /// deadlock) and the store ran again. The hub takes its locks in one order (its site, then
    /// the stock clock: [`PgTx::hold_clock`]), so this stays 0; each one is logged.
    pub fn races_lost(&self) -> u64 {
        self.races.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Runs `run` on a connection of the pool.
    fn with<T>(&self, run: impl FnOnce(&mut pool::Client<'_>) -> HubResult<T>) -> HubResult<T> {
        let connections = self
            .connections
            .as_ref()
            .ok_or_else(|| HubError::Storage("the PostgreSQL store is closed".into()))?;
        run(&mut connections.get()?)
    }

    /// Runs `run` in a transaction of its own connection; a transaction the database aborted to
    /// resolve a race with another runs again.
    fn in_tx<T>(&self, mut run: impl FnMut(&mut PgTx<'_, '_>) -> HubResult<T>) -> HubResult<T> {
        let mut lost = 0;
        loop {
            match self.with(|c| Self::tx_on(c, &mut run)) {
                Err(e) if pool::is_race(&e) && lost < pool::RACE_RETRIES => {
                    lost += 1;
                    self.races
                        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    tracing::warn!(error = %e, tries = lost, "PostgreSQL aborted a transaction to resolve a race with another; running it again");
                }
                outcome => return outcome,
            }
        }
    }

    fn tx_on<T>(
        client: &mut pool::Client<'_>,
        run: &mut impl FnMut(&mut PgTx<'_, '_>) -> HubResult<T>,
    ) -> HubResult<T> {
        let mut tx = client.transaction()?;
        let value = {
            let mut pg = PgTx::new(&mut tx);
            let value = run(&mut pg)?;
            pg.flush_moves()?;
            pg.flush_changes()?;
            value
        };
        tx.commit()?;
        Ok(value)
    }

    fn query(&self, sql: &'static str, params: pool::Params<'_>) -> HubResult<Vec<Row>> {
        self.with(|c| c.query(sql, params))
    }
}

/// A stored event from a row of device_id, seq, hash, status, code, reason starting at `at`.
fn stored_from_row(r: &Row, at: usize) -> StoredEvent {
    StoredEvent {
        device_id: r.get(at),
        seq: r.get(at + 1),
        hash: r.get(at + 2),
        status: status_of(r.get(at + 3)),
        code: r.get(at + 4),
        reason: r.get(at + 5),
    }
}

/// Creates database `name` (dropping an older one of that name) on the server at `base` and
/// returns its URL: a hub of its own for a test or a benchmark run.
pub fn create_database(base: &str, name: &str) -> HubResult<String> {
    let admin = pool::Connections::new(base, 1)?;
    {
        let client = admin.get()?;
        // Each on its own: CREATE DATABASE cannot run inside a multi-statement query's
        // transaction.
        client.batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))?;
        client.batch_execute(&format!("CREATE DATABASE {name}"))?;
    }
    admin.close();
    Ok(match base.rfind('/') {
        Some(i) => format!("{}/{name}", &base[..i]),
        None => format!("{base}/{name}"),
    })
}

/// A connection failure with its cause (a TLS error's Display says only "error performing TLS
/// handshake").
fn connect_error(e: &tokio_postgres::Error) -> String {
    let mut text = postgres_message(e);
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// The URL without its password, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme && url[scheme + 3..at].contains(':') => {
            let user_part = &url[scheme + 3..at];
            let user = user_part.split(':').next().unwrap_or("");
            format!("{}{user}:***{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}

/// A transaction with its prepared statements. Intake buffers its writes (event rows, stock
/// deltas, feed entries) and sends each kind as one statement over arrays at `flush`: one round
/// trip per batch instead of several per event.
struct PgTx<'a, 'b> {
    tx: &'a mut pool::Tx<'b>,
    /// Events of the batch already stored, looked up at once by `prefetch`.
    known: HashMap<uuid::Uuid, StoredEvent>,
    prefetched: bool,
    rows: EventRows,
    stock: HashMap<BucketKey, i64>,
    /// The last taker of buckets this transaction took from.
    takers: HashMap<BucketKey, String>,
    /// Bucket quantities read from the database in this transaction (before `stock`'s deltas).
    buckets: HashMap<BucketKey, i64>,
    feed: Vec<(String, String)>,
    skus: HashMap<String, bool>,
    /// The site the transaction is scoped to: intake's device's, an import's.
    site: String,
    /// The site's counts are held for this transaction (ReconcileTx::lock_site).
    site_locked: bool,
    /// The stock clock's row is locked by this transaction (see [`PgTx::hold_clock`]).
    clock_held: bool,
    /// Rows for the changes feed, appended at commit (see [`PgTx::flush_changes`]).
    changes: ChangeRows,
    /// Moves kept for the counts' reconciliation, inserted together (see [`PgTx::flush_moves`]).
    moves: MoveRows,
    /// The site had count lines held when intake began, or this transaction observed one: the
    /// release of those due ([`IntakeTx::counts_may_be_held`](super::IntakeTx)) has work.
    counts_held: bool,
    /// Read in intake's first flight with the device's position: whether the hub has a catalog
    /// and whether the device has events held (taken by `has_catalog` and `has_held`).
    catalog: Option<bool>,
    held_events: Option<bool>,
}

/// Moves waiting for [`PgTx::flush_moves`], column by column.
#[derive(Default)]
struct MoveRows {
    site: Vec<String>,
    location: Vec<String>,
    sku: Vec<String>,
    lot: Vec<String>,
    status: Vec<String>,
    at: Vec<String>,
    delta: Vec<i64>,
    event_id: Vec<String>,
    count_key: Vec<String>,
}

/// Rows of the changes feed waiting for commit, column by column.
#[derive(Default)]
struct ChangeRows {
    site: Vec<String>,
    kind: Vec<String>,
    key: Vec<String>,
    data: Vec<String>,
}

/// Changes an import keeps before appending them with the clock held: an import of up to this
/// many rows holds the clock only for its last statement, a larger one from here to its commit.
const CHANGES_HELD: usize = 20_000;

/// [`ReconcileTx::lock_site`](super::ReconcileTx)'s lock of site $1 and then
/// [`stock_sql::TAKE_NUMBERS`](crate::store::stock_sql::TAKE_NUMBERS) of $2 numbers, in one round
/// trip ([`site_then_clock!`]).
const LOCK_SITE_TAKE_NUMBERS: &str =
    concat!(site_then_clock!("$1", "$2"), " SELECT last FROM clock");

/// The advisory lock's key of `site`'s counts, tasks and appends.
fn site_lock_key(site: &str) -> String {
    format!("dockhand counts of site {site}")
}

/// Event rows waiting for `flush`, column by column.
#[derive(Default)]
struct EventRows {
    event_id: Vec<String>,
    device_id: Vec<String>,
    seq: Vec<i64>,
    event_type: Vec<String>,
    hash: Vec<String>,
    envelope: Vec<String>,
    status: Vec<String>,
    code: Vec<Option<String>>,
    reason: Vec<Option<String>>,
    received_at: Vec<String>,
}

impl<'a, 'b> PgTx<'a, 'b> {
    fn new(tx: &'a mut pool::Tx<'b>) -> Self {
        Self {
            tx,
            known: HashMap::new(),
            prefetched: false,
            rows: EventRows::default(),
            stock: HashMap::new(),
            takers: HashMap::new(),
            buckets: HashMap::new(),
            feed: Vec::new(),
            skus: HashMap::new(),
            site: String::new(),
            site_locked: false,
            clock_held: false,
            changes: ChangeRows::default(),
            moves: MoveRows::default(),
            counts_held: false,
            catalog: None,
            held_events: None,
        }
    }

    /// Queues a row of the changes feed. They are appended together at commit, so an import
    /// holds the stock clock (and with it every device's intake) only while it appends them,
    /// not while it works out its master rows; past [`CHANGES_HELD`] rows they are appended now,
    /// to bound what a large import keeps in memory.
    fn append_change(&mut self, site: &str, kind: &str, key: &str, data: &str) -> HubResult<()> {
        let c = &mut self.changes;
        c.site.push(site.to_string());
        c.kind.push(kind.to_string());
        c.key.push(key.to_string());
        c.data.push(data.to_string());
        if c.site.len() >= CHANGES_HELD {
            self.flush_changes()?;
        }
        Ok(())
    }

    /// Appends the queued changes in the order they were made, holding the clock from here to
    /// commit (changes are numbered in commit order, as the feed: [`PgTx::hold_clock`]).
    fn flush_changes(&mut self) -> HubResult<()> {
        if self.changes.site.is_empty() {
            return Ok(());
        }
        if !self.clock_held {
            self.hold_clock(0)?;
        }
        let ChangeRows {
            site,
            kind,
            key,
            data,
        } = std::mem::take(&mut self.changes);
        self.exec(
            crate::store::feed_sql::APPEND_CHANGES,
            &[&site, &kind, &key, &data],
        )?;
        Ok(())
    }

    /// Takes `count` numbers from the stock clock (0: none) and so holds its row until commit.
    /// Every transaction that appends to the stock changes, the feed or the changes feed holds it
    /// first: the hub's connections and instances then append one at a time, each numbering its
    /// rows after the last committed ones, and a reader that has seen row n never later finds a
    /// row numbered below n becoming visible.
    ///
    /// The transaction's site is locked first ([`ReconcileTx::lock_site`](super::ReconcileTx)),
    /// always: intake takes the clock to write stock and then the site when an event moves a
    /// task on, while a claim takes the site and then the clock for its change. In those two
    /// orders they deadlocked, and under a fleet's load PostgreSQL's detector broke such a cycle
    /// every second until pushes timed out. With the site always before the clock no cycle can
    /// form, and transactions that lock the site only (the console's views) stay off the clock.
    ///
    /// Both are taken in one statement when the site is not locked yet: from here to commit
    /// every other transaction of the site waits, so each round trip to the hub saved here is
    /// one the whole site no longer queues behind.
    fn hold_clock(&mut self, count: i64) -> HubResult<i64> {
        let row = if self.site_locked {
            self.opt(crate::store::stock_sql::TAKE_NUMBERS, &[&count])?
        } else {
            let key = site_lock_key(&self.site);
            let row = self.opt(LOCK_SITE_TAKE_NUMBERS, &[&key, &count])?;
            self.site_locked = true;
            row
        };
        // Without its row the join above would skip the site's lock too: never go on without it.
        let row = row.ok_or_else(|| {
            HubError::Storage(
                "the stock clock's row (stock_clock, singleton 1) is missing: the hub's schema \
                 is incomplete"
                    .into(),
            )
        })?;
        self.clock_held = true;
        Ok(row.get(0))
    }

    /// Inserts the batch's event rows with the next statement that goes out.
    fn flush_events(&mut self) -> HubResult<()> {
        if self.rows.event_id.is_empty() {
            return Ok(());
        }
        let r = std::mem::take(&mut self.rows);
        self.tx.defer(
            "INSERT INTO events (event_id, device_id, seq, event_type, hash, envelope, status, code,
                                 reason, received_at)
             SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[],
                                  $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])",
            vec![
                Box::new(r.event_id),
                Box::new(r.device_id),
                Box::new(r.seq),
                Box::new(r.event_type),
                Box::new(r.hash),
                Box::new(r.envelope),
                Box::new(r.status),
                Box::new(r.code),
                Box::new(r.reason),
                Box::new(r.received_at),
            ],
        )
    }
}

impl PgTx<'_, '_> {
    fn prepared(&mut self, sql: &'static str) -> HubResult<Statement> {
        self.tx.prepare(sql)
    }

    fn opt(&mut self, sql: &'static str, params: pool::Params<'_>) -> HubResult<Option<Row>> {
        let s = self.prepared(sql)?;
        self.tx.query_opt(&s, params)
    }

    fn exec(&mut self, sql: &'static str, params: pool::Params<'_>) -> HubResult<u64> {
        self.tx.execute(sql, params)
    }

    fn one(&mut self, sql: &'static str, params: pool::Params<'_>) -> HubResult<Row> {
        self.tx.query_one(sql, params)
    }

    fn exists(&mut self, sql: &'static str, params: pool::Params<'_>) -> HubResult<bool> {
        Ok(self.one(sql, params)?.get(0))
    }
}

impl HubStore for PostgresStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    fn ping(&self) -> HubResult<()> {
        self.with(|c| c.batch_execute("SELECT 1"))
    }

    fn in_site_tx(
        &self,
        site: &str,
        work: &mut dyn FnMut(&mut dyn IntakeTx) -> HubResult<()>,
    ) -> HubResult<()> {
        self.in_tx(|pg| {
            pg.site = site.to_string();
            super::ReconcileTx::lock_site(pg)?;
            work(pg)?;
            IntakeTx::flush(pg)
        })
    }
}

impl BenchStore for PostgresStore {
    fn raw_insert(&self, events: &[Envelope], batch: usize, now: &str) -> HubResult<()> {
        for chunk in events.chunks(batch.max(1)) {
            self.in_tx(|tx| {
                let judged = super::accepted();
                for event in chunk {
                    IntakeTx::insert(tx, event, &judged, now)?;
                }
                IntakeTx::flush(tx)
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
                tx.site = crate::store::FIRST_SITE.into();
                IntakeTx::apply(tx, chunk, "")?;
                IntakeTx::flush(tx)
            })?;
        }
        Ok(())
    }
}

/// Feed events from rows of (feed position, received at, envelope).
fn feed_events(rows: &[Row]) -> HubResult<Vec<FeedEvent>> {
    rows.iter()
        .map(|r| {
            Ok(FeedEvent {
                hub_seq: r.get(0),
                received_at: r.get(1),
                event: serde_json::from_str(r.get(2))?,
            })
        })
        .collect()
}
