//! The PostgreSQL backend's connections: a pool (r2d2) of blocking clients, so that the requests
//! the server runs on tokio's blocking pool each take a connection of their own instead of
//! queueing for one. Connections open when needed, up to the pool's size, and are checked before
//! reuse; a transaction the database aborts to resolve a race (a serialization failure or a
//! deadlock) is run again.

use std::collections::HashMap;
use std::time::Duration;

use postgres::{Client, NoTls, Statement};

use crate::error::{HubError, HubResult};

/// Connections one hub instance opens at most, unless `DOCKHAND_HUB_PG_POOL` says otherwise
/// (`crate::open_store`).
pub const DEFAULT_POOL_SIZE: u32 = 16;

/// How long a request waits for a free connection before it fails with 503.
const WAIT: Duration = Duration::from_secs(30);

/// Opens clients to one database, with or without TLS.
pub(super) struct Connector {
    /// The URL without its TLS parameters.
    url: String,
    tls: Option<rustls::ClientConfig>,
    /// The URL without its password, for messages.
    shown: String,
}

impl Connector {
    pub(super) fn new(url: &str) -> HubResult<Self> {
        let (plain_url, tls) = crate::tls::pg_tls(url)?;
        Ok(Self {
            url: plain_url,
            tls: crate::tls::pg_client_config(&tls)?,
            shown: super::redact(url),
        })
    }

    fn open(&self) -> Result<Client, postgres::Error> {
        match &self.tls {
            None => Client::connect(&self.url, NoTls),
            Some(config) => Client::connect(
                &self.url,
                tokio_postgres_rustls::MakeRustlsConnect::new(config.clone()),
            ),
        }
    }

    /// A client, or why there is none in a sentence with its cause.
    pub(super) fn connect(&self) -> HubResult<Client> {
        self.open().map_err(|e| {
            HubError::Storage(format!(
                "cannot connect to PostgreSQL at {}: {}",
                self.shown,
                super::connect_error(&e)
            ))
        })
    }
}

/// A pooled connection and the statements prepared on it: each statement is prepared once per
/// connection, not once per transaction (prepared statements outlive transactions, committed or
/// not).
pub(super) struct Connection {
    pub(super) client: Client,
    pub(super) statements: HashMap<&'static str, Statement>,
}

impl r2d2::ManageConnection for Connector {
    type Connection = Connection;
    type Error = postgres::Error;

    fn connect(&self) -> Result<Connection, postgres::Error> {
        Ok(Connection {
            client: self.open()?,
            statements: HashMap::new(),
        })
    }

    fn is_valid(&self, connection: &mut Connection) -> Result<(), postgres::Error> {
        connection.client.simple_query("").map(|_| ())
    }

    fn has_broken(&self, connection: &mut Connection) -> bool {
        connection.client.is_closed()
    }
}

/// The pool of `size` connections of `connector`, opened when first needed.
pub(super) fn pool(connector: Connector, size: u32) -> r2d2::Pool<Connector> {
    r2d2::Pool::builder()
        .max_size(size.max(1))
        .min_idle(Some(0))
        .connection_timeout(WAIT)
        .build_unchecked(connector)
}

/// A pool's failure to give a connection in time.
pub(super) fn exhausted(e: &r2d2::Error) -> HubError {
    HubError::Storage(format!("no PostgreSQL connection became free: {e}"))
}

/// Whether the database aborted a transaction to resolve a race between transactions: running it
/// again is the answer (SQLSTATE 40001 serialization failure, 40P01 deadlock; the error's text
/// ends with its SQLSTATE, see `postgres_message`).
pub(super) fn is_race(e: &HubError) -> bool {
    matches!(e, HubError::Storage(m) if m.ends_with("(40001)") || m.ends_with("(40P01)"))
}

/// Times a transaction lost to a race is run again before its error is returned.
pub(super) const RACE_RETRIES: usize = 5;
