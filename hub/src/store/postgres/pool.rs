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
use std::task::Poll;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, PoolError, RecyclingMethod, TimeoutType};
use futures_util::future::BoxFuture;
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
            PoolError::Timeout(TimeoutType::Create) => format!(
                "cannot connect to PostgreSQL at {}: no answer within {} s",
                self.shown,
                CONNECT.as_secs()
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
            then_sent: false,
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
    /// The last flight's own statement went out (not stopped by an earlier one).
    then_sent: bool,
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
        let mut sent: Vec<BoxFuture<'_, Result<(), tokio_postgres::Error>>> = pending
            .iter()
            .zip(&params)
            .map(|(p, params)| -> BoxFuture<'_, _> {
                match p {
                    Pending::Simple(sql) => Box::pin(client.batch_execute(sql)),
                    Pending::Prepared(s, _) => {
                        Box::pin(async move { client.execute(s, params).await.map(|_| ()) })
                    }
                }
            })
            .collect();
        self.open = true;
        self.then_sent = false;
        let then_sent = &mut self.then_sent;
        self.runtime.block_on(async move {
            // A request goes out on its future's first poll. Each is polled once, in order,
            // before the next: so they leave in that order, and one that fails before it is sent
            // (its parameters do not encode, the connection is closed) stops the flight there,
            // before anything after it (COMMIT above all) is sent.
            let mut first: Vec<Option<Result<(), tokio_postgres::Error>>> = Vec::new();
            for future in &mut sent {
                match poll_once(future.as_mut()).await {
                    Poll::Ready(Err(e)) => return Err(HubError::from(e)),
                    Poll::Ready(Ok(())) => first.push(Some(Ok(()))),
                    Poll::Pending => first.push(None),
                }
            }
            let mut then = std::pin::pin!(then);
            let last = match poll_once(then.as_mut()).await {
                Poll::Ready(Err(e)) => return Err(HubError::from(e)),
                Poll::Ready(Ok(value)) => Ok(value),
                Poll::Pending => Err(then),
            };
            *then_sent = true;
            // The first error in sending order is the transaction's.
            for (future, polled) in sent.iter_mut().zip(first) {
                if polled.is_none() {
                    future.await?;
                }
            }
            Ok(match last {
                Ok(value) => value,
                Err(then) => then.await?,
            })
        })
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

    /// `first` (at most one row) and then `second` (one row) in one flight: the second runs once
    /// the first is done, on a snapshot of its own (after a lock the first took, say).
    pub(super) fn opt_then_one(
        &mut self,
        (first, first_params): (&'static str, Params<'_>),
        (second, second_params): (&'static str, Params<'_>),
    ) -> HubResult<(Option<Row>, Row)> {
        let (s1, s2) = (self.prepare(first)?, self.prepare(second)?);
        let c = self.client;
        self.after_pending(async move {
            futures_util::future::try_join(
                c.query_opt(&s1, first_params),
                c.query_one(&s2, second_params),
            )
            .await
        })
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

    /// Sends what is pending and `COMMIT` together. Once `COMMIT` went out the transaction is
    /// over whatever the outcome (after an error the database takes `COMMIT` as `ROLLBACK`);
    /// if the flight stopped before it, dropping the transaction rolls it back.
    pub(super) fn commit(mut self) -> HubResult<()> {
        let c = self.client;
        let outcome = self.after_pending(c.batch_execute("COMMIT"));
        if self.then_sent {
            self.open = false;
        }
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

/// Polls `future` once: whether it finished at its first poll (a request goes out then).
async fn poll_once<F: Future + ?Sized>(mut future: std::pin::Pin<&mut F>) -> Poll<F::Output> {
    std::future::poll_fn(|cx| Poll::Ready(future.as_mut().poll(cx))).await
}

/// Whether the database aborted a transaction to resolve a race between transactions: running it
/// again is the answer (SQLSTATE 40001 serialization failure, 40P01 deadlock; the error's text
/// ends with its SQLSTATE, see `postgres_message`).
pub(super) fn is_race(e: &HubError) -> bool {
    matches!(e, HubError::Storage(m) if m.ends_with("(40001)") || m.ends_with("(40P01)"))
}

/// Times a transaction lost to a race is run again before its error is returned.
pub(super) const RACE_RETRIES: usize = 5;

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// A pool on a new database of the test server, or `None` where there is none (CI has one).
    fn connections() -> Option<Connections> {
        let Ok(base) = std::env::var("DOCKHAND_TEST_POSTGRES") else {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must run the pipelining tests: set DOCKHAND_TEST_POSTGRES"
            );
            return None;
        };
        let name = format!("dockhand_test_{}", uuid::Uuid::now_v7().simple());
        let url = super::super::create_database(&base, &name).unwrap();
        let connections = Connections::new(&url, 2).unwrap();
        connections
            .get()
            .unwrap()
            .batch_execute("CREATE TABLE written (id BIGSERIAL PRIMARY KEY, n BIGINT NOT NULL)")
            .unwrap();
        Some(connections)
    }

    fn written(connections: &Connections) -> Vec<i64> {
        connections
            .get()
            .unwrap()
            .query("SELECT n FROM written ORDER BY id", &[])
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect()
    }

    const WRITE: &str = "INSERT INTO written (n) VALUES ($1)";

    #[test]
    fn deferred_statements_run_in_the_order_given_however_many() {
        let Some(connections) = connections() else {
            return;
        };
        let mut client = connections.get().unwrap();
        let mut tx = client.transaction().unwrap();
        for n in 0..100_i64 {
            tx.defer(WRITE, vec![Box::new(n)]).unwrap();
        }
        tx.commit().unwrap();
        drop(client);
        assert_eq!(written(&connections), (0..100).collect::<Vec<_>>());
        connections.close();
    }

    #[test]
    fn a_statement_that_cannot_be_sent_stops_its_flight_before_commit() {
        let Some(connections) = connections() else {
            return;
        };
        let mut client = connections.get().unwrap();
        let mut tx = client.transaction().unwrap();
        tx.defer(WRITE, vec![Box::new(1_i64)]).unwrap();
        // Text for a BIGINT: refused while encoding, so it never reaches the server.
        tx.defer(WRITE, vec![Box::new("two".to_string())]).unwrap();
        tx.defer(WRITE, vec![Box::new(3_i64)]).unwrap();
        let refused = tx.commit().unwrap_err();
        assert!(
            refused.to_string().contains("error serializing parameter"),
            "{refused}"
        );
        // Nothing committed, and the connection went back to the pool out of its transaction.
        drop(client);
        assert!(written(&connections).is_empty());
        let client = connections.get().unwrap();
        let in_tx: i64 = client
            .query_one(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database()
                   AND state LIKE 'idle in transaction%'",
                &[],
            )
            .unwrap()
            .get(0);
        assert_eq!(in_tx, 0);
        drop(client);
        connections.close();
    }
}
