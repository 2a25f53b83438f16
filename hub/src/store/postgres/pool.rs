//! The PostgreSQL backend's connections: a pool (deadpool) of asynchronous tokio-postgres
//! connections, driven by a runtime of the store's own.
//!
//! The storage trait is synchronous (SQLite's is, and the server runs it on tokio's blocking
//! pool), so each call here blocks its thread on the connection's future ([`Client`] and [`Tx`]
//! are that thin synchronous face). What the asynchronous client adds is pipelining: statements
//! given to [`Tx::defer`] go out with the next one, or with [`Tx::commit`]'s `COMMIT`, and the
//! database runs them in order without waiting for the hub between them. A push's section under
//! its site's lock is such a flight (`PgTx::flush`), so a site's other pushes no longer queue
//! behind a hub thread waiting to be scheduled. Connections open when needed, up to the pool's size; one whose
//! socket closed is dropped on its way out of the pool (the runtime reads every socket, so a
//! server that went away is seen at once); statements are prepared once per connection.

use std::future::Future;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, PoolError, RecyclingMethod};
use futures_util::future::{self, BoxFuture};
use tokio_postgres::types::ToSql;
use tokio_postgres::{NoTls, Row, Statement};

use crate::error::{HubError, HubResult};

/// Connections one hub instance opens at most, unless `DOCKHAND_HUB_PG_POOL` says otherwise
/// (`crate::open_store`).
pub const DEFAULT_POOL_SIZE: u32 = 16;

/// How long a request waits for a free connection before it fails with 503.
const WAIT: Duration = Duration::from_secs(30);

/// How long opening one connection may take.
const CONNECT: Duration = Duration::from_secs(15);

/// Parameters of one statement.
pub(super) type Params<'p> = &'p [&'p (dyn ToSql + Sync)];

/// The pool and the runtime that drives its connections.
pub(super) struct Connections {
    pool: Pool,
    runtime: tokio::runtime::Runtime,
    /// The URL without its password, for messages.
    shown: String,
}

impl Connections {
    /// A pool of `size` connections to `url` (TLS as its `sslmode` asks); none is opened yet.
    pub(super) fn new(url: &str, size: u32) -> HubResult<Self> {
        let shown = super::redact(url);
        let (plain_url, tls) = crate::tls::pg_tls(url)?;
        let config: tokio_postgres::Config = plain_url.parse().map_err(|e| {
            HubError::Storage(format!("the PostgreSQL URL {shown} is not valid: {e}"))
        })?;
        let manager_config = ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        };
        let manager = match crate::tls::pg_client_config(&tls)? {
            None => Manager::from_config(config, NoTls, manager_config),
            Some(tls) => Manager::from_config(
                config,
                tokio_postgres_rustls::MakeRustlsConnect::new(tls),
                manager_config,
            ),
        };
        let pool = Pool::builder(manager)
            .max_size(usize::try_from(size.max(1)).unwrap_or(1))
            .wait_timeout(Some(WAIT))
            .create_timeout(Some(CONNECT))
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .build()
            .map_err(|e| HubError::Storage(format!("cannot set up the PostgreSQL pool: {e}")))?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("dockhand-pg")
            .enable_all()
            .build()
            .map_err(|e| {
                HubError::Storage(format!(
                    "cannot start the PostgreSQL connections' runtime: {e}"
                ))
            })?;
        Ok(Self {
            pool,
            runtime,
            shown,
        })
    }

    /// A connection of the pool, or why there is none in a sentence with its cause.
    pub(super) fn get(&self) -> HubResult<Client<'_>> {
        let inner = self
            .runtime
            .block_on(self.pool.get())
            .map_err(|e| self.pool_error(e))?;
        Ok(Client {
            inner,
            runtime: self.runtime.handle(),
        })
    }

    fn pool_error(&self, e: PoolError) -> HubError {
        HubError::Storage(match e {
            PoolError::Backend(e) => format!(
                "cannot connect to PostgreSQL at {}: {}",
                self.shown,
                super::connect_error(&e)
            ),
            PoolError::Timeout(_) => format!(
                "no PostgreSQL connection became free within {} s (pool of {})",
                WAIT.as_secs(),
                self.pool.status().max_size
            ),
            PoolError::Closed => "the PostgreSQL store is closed".into(),
            e => format!("cannot connect to PostgreSQL at {}: {e}", self.shown),
        })
    }

    /// Closes the pool and stops its runtime without waiting (allowed on an async worker, where
    /// the last reference may go at server shutdown).
    pub(super) fn close(self) {
        self.pool.close();
        self.runtime.shutdown_background();
    }
}

/// A pooled connection; it goes back to the pool when dropped.
pub(super) struct Client<'r> {
    inner: deadpool_postgres::Object,
    runtime: &'r tokio::runtime::Handle,
}

impl Client<'_> {
    fn wait<T>(&self, work: impl Future<Output = T>) -> T {
        self.runtime.block_on(work)
    }

    /// Begins a transaction (its `BEGIN` goes out with its first statement); it rolls back when
    /// dropped uncommitted.
    pub(super) fn transaction(&mut self) -> HubResult<Tx<'_>> {
        Ok(Tx {
            client: &self.inner,
            runtime: self.runtime,
            pending: vec![Pending::Simple("BEGIN")],
            open: false,
        })
    }

    pub(super) fn execute(&self, sql: &'static str, params: Params<'_>) -> HubResult<u64> {
        self.wait(async {
            let s = self.inner.prepare_cached(sql).await?;
            Ok(self.inner.execute(&s, params).await?)
        })
    }

    pub(super) fn query(&self, sql: &'static str, params: Params<'_>) -> HubResult<Vec<Row>> {
        self.wait(async {
            let s = self.inner.prepare_cached(sql).await?;
            Ok(self.inner.query(&s, params).await?)
        })
    }

    pub(super) fn query_one(&self, sql: &'static str, params: Params<'_>) -> HubResult<Row> {
        self.wait(async {
            let s = self.inner.prepare_cached(sql).await?;
            Ok(self.inner.query_one(&s, params).await?)
        })
    }

    /// Runs statements without parameters, unprepared (administration, health checks).
    pub(super) fn batch_execute(&self, sql: &str) -> HubResult<()> {
        Ok(self.wait(self.inner.batch_execute(sql))?)
    }
}

/// A parameter a deferred statement owns until it is sent.
pub(super) type Owned = Box<dyn ToSql + Sync + Send>;

/// A statement waiting to go out with the next one ([`Tx::defer`]).
enum Pending {
    /// Text without parameters, run by the simple protocol (`BEGIN`).
    Simple(&'static str),
    /// A prepared statement and its parameters.
    Prepared(Statement, Vec<Owned>),
}

/// A transaction on a pooled connection. `BEGIN` and the statements given to [`Tx::defer`] wait
/// and go out with the next statement that needs an answer, or with `COMMIT`: the database runs
/// them in order without waiting for the hub between them (tokio-postgres pipelines requests
/// sent before their answers are read). Dropped uncommitted, the transaction rolls back.
pub(super) struct Tx<'c> {
    client: &'c deadpool_postgres::Object,
    runtime: &'c tokio::runtime::Handle,
    pending: Vec<Pending>,
    /// `BEGIN` went out and `COMMIT` has not.
    open: bool,
}

impl Tx<'_> {
    /// Sends what is pending, then `then`, without waiting in between; the first error is the
    /// transaction's (a statement after a failed one fails only because the transaction is
    /// aborted).
    fn after_pending<T>(
        &mut self,
        then: impl Future<Output = Result<T, tokio_postgres::Error>>,
    ) -> HubResult<T> {
        let pending = std::mem::take(&mut self.pending);
        let client = self.client;
        let params: Vec<Vec<&(dyn ToSql + Sync)>> = pending
            .iter()
            .map(|p| match p {
                Pending::Simple(_) => Vec::new(),
                Pending::Prepared(_, owned) => owned
                    .iter()
                    .map(|b| b.as_ref() as &(dyn ToSql + Sync))
                    .collect(),
            })
            .collect();
        let sent = pending
            .iter()
            .zip(&params)
            .map(|(p, params)| -> BoxFuture<'_, _> {
                match p {
                    Pending::Simple(sql) => Box::pin(client.batch_execute(sql)),
                    Pending::Prepared(s, _) => {
                        Box::pin(async move { client.execute(s, params).await.map(|_| ()) })
                    }
                }
            });
        self.open = true;
        let (earlier, last) = self
            .runtime
            .block_on(future::join(future::join_all(sent), then));
        for outcome in earlier {
            outcome?;
        }
        Ok(last?)
    }

    /// `sql` prepared on this connection (once: later calls take it from the cache).
    pub(super) fn prepare(&self, sql: &'static str) -> HubResult<Statement> {
        Ok(self.runtime.block_on(self.client.prepare_cached(sql))?)
    }

    /// Runs `sql` with the next statement that goes out (its row count is not needed); an error
    /// it meets is returned by that statement, or by [`Tx::commit`].
    pub(super) fn defer(&mut self, sql: &'static str, params: Vec<Owned>) -> HubResult<()> {
        let s = self.prepare(sql)?;
        self.pending.push(Pending::Prepared(s, params));
        Ok(())
    }

    pub(super) fn execute(&mut self, sql: &'static str, params: Params<'_>) -> HubResult<u64> {
        let s = self.prepare(sql)?;
        let c = self.client;
        self.after_pending(async move { c.execute(&s, params).await })
    }

    pub(super) fn query(&mut self, s: &Statement, params: Params<'_>) -> HubResult<Vec<Row>> {
        let c = self.client;
        self.after_pending(c.query(s, params))
    }

    pub(super) fn query_one(&mut self, sql: &'static str, params: Params<'_>) -> HubResult<Row> {
        let s = self.prepare(sql)?;
        let c = self.client;
        self.after_pending(async move { c.query_one(&s, params).await })
    }

    pub(super) fn query_opt(
        &mut self,
        s: &Statement,
        params: Params<'_>,
    ) -> HubResult<Option<Row>> {
        let c = self.client;
        self.after_pending(c.query_opt(s, params))
    }

    /// Runs statements without parameters, unprepared (the schema, its migrations).
    pub(super) fn batch_execute(&mut self, sql: &str) -> HubResult<()> {
        let c = self.client;
        self.after_pending(c.batch_execute(sql))
    }

    /// Sends what is pending and `COMMIT` together. Whatever the outcome the transaction is over
    /// (after an error the database takes `COMMIT` as `ROLLBACK`).
    pub(super) fn commit(mut self) -> HubResult<()> {
        let c = self.client;
        let outcome = self.after_pending(c.batch_execute("COMMIT"));
        self.open = false;
        outcome
    }
}

impl Drop for Tx<'_> {
    /// Rolls back a transaction left uncommitted (an error on the way). A connection that cannot
    /// take the ROLLBACK is broken, and the pool drops it on its return.
    fn drop(&mut self) {
        if self.open {
            let _ = self.runtime.block_on(self.client.batch_execute("ROLLBACK"));
        }
    }
}

/// Whether the database aborted a transaction to resolve a race between transactions: running it
/// again is the answer (SQLSTATE 40001 serialization failure, 40P01 deadlock; the error's text
/// ends with its SQLSTATE, see `postgres_message`).
pub(super) fn is_race(e: &HubError) -> bool {
    matches!(e, HubError::Storage(m) if m.ends_with("(40001)") || m.ends_with("(40P01)"))
}

/// Times a transaction lost to a race is run again before its error is returned.
pub(super) const RACE_RETRIES: usize = 5;
