//! dockhand-hub: the central sync endpoint of docs/sync-api.yaml. Devices push their outbox
//! events and pull master data and tasks; an ERP integration reads accepted events and feeds
//! master data in. Storage is SQLite (embedded default) or PostgreSQL behind [`store::HubStore`].

pub mod api;
pub mod auth;
pub mod body;
pub mod conflicts;
pub mod console;
pub mod csv_import;
pub mod erp;
pub mod error;
pub mod exceptions;
pub mod import;
pub mod intake;
pub mod measures;
pub mod opening;
pub mod reconcile;
pub mod replenishment;
pub mod server;
pub mod sscc;
pub mod store;
pub mod tasks;
pub mod throttle;
pub mod tls;
pub mod units;

use std::sync::Arc;

pub use api::{AppState, HubConfig, router};
pub use error::{HubError, HubResult};
pub use store::{HubStore, postgres, sqlite};

/// UTC now as the hub stores times.
pub fn now_text() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The environment variable giving a hub instance's PostgreSQL connections at most.
pub const PG_POOL_ENV: &str = "DOCKHAND_HUB_PG_POOL";

/// The pool size `value` of [`PG_POOL_ENV`] asks for ([`postgres::DEFAULT_POOL_SIZE`] when unset).
pub fn pg_pool_size(value: Option<&str>) -> HubResult<u32> {
    let Some(value) = value else {
        return Ok(postgres::DEFAULT_POOL_SIZE);
    };
    value
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|n| (1..=1000).contains(n))
        .ok_or_else(|| {
            let shown: String = value.chars().take(20).collect();
            HubError::BadRequest(format!(
                "{PG_POOL_ENV}={shown:?} is not a number of PostgreSQL connections from 1 to 1000"
            ))
        })
}

/// Opens the store named by `database`: a `postgres://` URL (with [`PG_POOL_ENV`] connections at
/// most) or a SQLite file path.
pub fn open_store(database: &str) -> HubResult<Arc<dyn HubStore>> {
    if database.starts_with("postgres://") || database.starts_with("postgresql://") {
        let pool = pg_pool_size(std::env::var(PG_POOL_ENV).ok().as_deref())?;
        Ok(Arc::new(postgres::PostgresStore::connect_pooled(
            database, pool,
        )?))
    } else {
        Ok(Arc::new(sqlite::SqliteStore::open(database)?))
    }
}

/// Opens a hub database that must exist already (for commands that report, not set up): a
/// SQLite path that names no file is refused instead of created empty.
pub fn open_existing_store(database: &str) -> HubResult<Arc<dyn HubStore>> {
    let is_url = database.starts_with("postgres://") || database.starts_with("postgresql://");
    if !is_url && !std::path::Path::new(database).is_file() {
        return Err(error::HubError::BadRequest(format!(
            "no hub database at {database}: give the --database a running hub uses (a file, or a postgres:// URL)"
        )));
    }
    open_store(database)
}

/// Serves the API on `listener` until `shutdown` resolves, under `config.limits`.
pub async fn serve(
    listener: tokio::net::TcpListener,
    store: Arc<dyn HubStore>,
    config: HubConfig,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = config.limits.clone();
    let tls = config.tls.clone();
    let state = AppState::new(store, config);
    tokio::spawn(console::overview::warm(state.clone()));
    let app = router(state);
    server::serve(listener, app, limits, tls, shutdown).await
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_pool_size_comes_from_the_environment_or_is_refused_with_a_sentence() {
        assert_eq!(pg_pool_size(None).ok(), Some(postgres::DEFAULT_POOL_SIZE));
        assert_eq!(pg_pool_size(Some(" 48 ")).ok(), Some(48));
        for bad in ["0", "1001", "-3", "lots", ""] {
            let err = pg_pool_size(Some(bad)).unwrap_err().to_string();
            assert!(
                err.contains("DOCKHAND_HUB_PG_POOL") && err.contains("from 1 to 1000"),
                "{bad}: {err}"
            );
        }
    }
}
