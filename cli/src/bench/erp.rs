//! ERP posting figure: a shift's events (the drain's workload: receipts, putaways, moves, picks,
//! counts…) synced to a hub on loopback, then posted by the hub's ERP worker to a running Tryton
//! seeded with the sample warehouse (scripts/tryton-e2e.sh runs it so). The baseline posts one
//! event at a time (`--erp-concurrency 1`); the figure posts as the hub does by default (documents
//! side by side, batches sharing documents). Each has a hub and a device of its own, so Tryton
//! gets different events (its references are the event ids) and nothing is found already posted.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use dockhand_core::outbox;
use dockhand_core::sync::engine::SyncConfig;
use dockhand_core::workload::Workload;
use dockhand_core::{Error, Store, StoreOptions};
use dockhand_hub::erp::tryton::{TrytonConfig, TrytonConnector};
use dockhand_hub::erp::worker::{self, DEFAULT_CONCURRENCY};
use dockhand_hub::sqlite::SqliteStore;
use dockhand_hub::{HubStore, api, erp};

use super::bench_error;
use super::sync::{serve, timed_sync};

/// The longest a run may take to post its events (Tryton unreachable: the bench stops).
const PATIENCE: Duration = Duration::from_secs(600);

/// What one run posted.
struct Posted {
    posted: i64,
    refused: i64,
    seconds: f64,
}

impl Posted {
    fn per_second(&self) -> f64 {
        (self.posted + self.refused) as f64 / self.seconds.max(1e-9)
    }
}

/// Posts `events` events twice, one at a time and as the hub does by default, to the Tryton at
/// `tryton` (`tryton://user@host:port/database`, password in `DOCKHAND_ERP_PASSWORD`).
pub(super) fn run(
    dir: &Path,
    tryton: &str,
    events: i64,
    summary: &mut super::summary::Summary,
) -> Result<(), Error> {
    let password = std::env::var("DOCKHAND_ERP_PASSWORD").map_err(|_| {
        Error::invalid(
            "--tryton",
            "the Tryton password is read from DOCKHAND_ERP_PASSWORD, which is not set",
        )
    })?;
    let config = TrytonConfig::parse(tryton, password).map_err(|e| bench_error("--tryton", e))?;
    let runtime = tokio::runtime::Runtime::new().map_err(|e| bench_error("runtime", e))?;
    println!("ERP posting to Tryton at {tryton}: {events} events of the workload, twice");
    let one = runtime.block_on(post_shift(dir, &config, events, 1, 61))?;
    print_run("one event at a time", &one);
    let many = runtime.block_on(post_shift(dir, &config, events, DEFAULT_CONCURRENCY, 62))?;
    print_run(
        &format!("{DEFAULT_CONCURRENCY} documents side by side, batches"),
        &many,
    );
    summary.add(
        "ERP posting to a multi-process Tryton",
        format!(
            "{:.1} events/s ({} posted, {} refused in {:.1} s)",
            many.per_second(),
            many.posted,
            many.refused,
            many.seconds
        ),
        format!("one event at a time: {:.1} events/s", one.per_second()),
        Some(many.per_second() / one.per_second().max(1e-9)),
        ">= 50 events/s",
        Some(many.per_second() >= 50.0),
    );
    Ok(())
}

fn print_run(how: &str, run: &Posted) {
    println!(
        "  {how:<38} {:>4} posted, {:>3} refused in {:>6.1} s = {:>5.1} events/s",
        run.posted,
        run.refused,
        run.seconds,
        run.per_second()
    );
}

/// A device's `events` events (workload `seed`) synced to a hub of their own, then posted to
/// Tryton by the hub's worker with `concurrency` documents at once, timed until none is pending.
async fn post_shift(
    dir: &Path,
    config: &TrytonConfig,
    events: i64,
    concurrency: usize,
    seed: u64,
) -> Result<Posted, Error> {
    let device_id = format!("bench-erp-{seed}");
    let device = Arc::new(Store::open_in_memory(StoreOptions::new(&device_id))?);
    Workload::seed_store(&device)?;
    let mut mix = Workload::new(seed);
    while device.read(outbox::last_seq)? < events {
        mix.step(&device)?;
    }
    let path = dir.join(format!("bench-erp-{seed}.db"));
    for stale in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{stale}", path.display()));
    }
    let hub: Arc<dyn HubStore> =
        Arc::new(SqliteStore::open(&path).map_err(|e| bench_error("hub store", e))?);
    let token = {
        let hub = hub.clone();
        let public_key = device.public_key();
        tokio::task::spawn_blocking(move || {
            api::issue_token(
                hub.as_ref(),
                &device_id,
                "",
                Duration::from_secs(3600),
                dockhand_hub::store::GrantMode::Renew,
                public_key.as_deref(),
                None,
            )
        })
        .await
        .map_err(|e| bench_error("register task", e))?
        .map_err(|e| bench_error("register", e))?
    };
    let (url, stop) = serve(hub.clone()).await?;
    let synced = timed_sync(&device, SyncConfig::new(&url), token.token, "sync").await;
    let _ = stop.send(());
    synced?;

    let connector =
        TrytonConnector::new(config.clone()).map_err(|e| bench_error("Tryton connector", e))?;
    let port = erp::port(&hub);
    let status = |port: Arc<dyn erp::ErpPort>| async move {
        tokio::task::spawn_blocking(move || port.erp_status("tryton"))
            .await
            .map_err(|e| bench_error("status task", e))?
            .map_err(|e| bench_error("status", e))
    };
    let started = Instant::now();
    loop {
        let pass = worker::pass_leased(&port, &connector, 200, concurrency, None)
            .await
            .map_err(|e| bench_error("ERP pass", e))?;
        let now = status(port.clone()).await?;
        if now.pending == 0 {
            return Ok(Posted {
                posted: now.posted,
                refused: now.failed,
                seconds: started.elapsed().as_secs_f64(),
            });
        }
        if started.elapsed() > PATIENCE {
            return Err(Error::invalid(
                "--tryton",
                format!(
                    "{} event(s) still pending after {} s: {}",
                    now.pending,
                    PATIENCE.as_secs(),
                    pass.retrying.unwrap_or_default()
                ),
            ));
        }
        if pass.retrying.is_some() {
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
}
