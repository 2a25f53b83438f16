//! Sync figures: a device's backlog drained to a hub on loopback (SQLite, and PostgreSQL when a
//! server is given) against the hub's raw insert rate of the same rows in the same run, and a
//! large master-data pull applied on a device.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use dockhand_core::catalog::{AbcClass, Barcode, Item, MasterData, Tracking};
use dockhand_core::outbox::{self, Envelope};
use dockhand_core::sync::engine::{StaticToken, SyncConfig, SyncEngine, SyncReport};
use dockhand_core::sync::protocol::Import;
use dockhand_core::workload::Workload;
use dockhand_core::{Error, Store, StoreOptions, catalog};
use dockhand_hub::store::BenchStore;
use dockhand_hub::{HubConfig, HubStore, api};

use super::bench_error;

/// A device holding at least `events` pending events.
pub(super) fn backlog(events: i64) -> Result<(Arc<Store>, f64), Error> {
    let started = Instant::now();
    let store = Arc::new(Store::open_in_memory(StoreOptions::new("bench-device"))?);
    Workload::seed_store(&store)?;
    let mut mix = Workload::new(42);
    while store.read(outbox::last_seq)? < events {
        mix.step(&store)?;
    }
    Ok((store, started.elapsed().as_secs_f64()))
}

pub(super) async fn serve(
    store: Arc<dyn HubStore>,
) -> Result<(String, tokio::sync::oneshot::Sender<()>), Error> {
    serve_with(store, HubConfig::default()).await
}

/// [`serve`] with `config`.
pub(super) async fn serve_with(
    store: Arc<dyn HubStore>,
    config: HubConfig,
) -> Result<(String, tokio::sync::oneshot::Sender<()>), Error> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| bench_error("listen", e))?;
    let url = format!(
        "http://{}",
        listener
            .local_addr()
            .map_err(|e| bench_error("address", e))?
    );
    let (tx, rx) = tokio::sync::oneshot::channel();
    tokio::spawn(dockhand_hub::serve(listener, store, config, async {
        let _ = rx.await;
    }));
    Ok((url, tx))
}

/// One `sync_now` of a new engine for `device`, timed.
pub(super) async fn timed_sync(
    device: &Arc<Store>,
    config: SyncConfig,
    token: String,
    what: &str,
) -> Result<(SyncReport, Duration), Error> {
    let config = SyncConfig {
        request_timeout: Duration::from_secs(120),
        ..config
    };
    let engine = SyncEngine::new(device.clone(), config, Arc::new(StaticToken::new(token)))
        .map_err(|e| bench_error("engine", e))?;
    let started = Instant::now();
    let report = engine.sync_now().await.map_err(|e| bench_error(what, e))?;
    Ok((report, started.elapsed()))
}

/// Opens two empty hub stores of one backend: one for the drain, one for the raw baseline.
type Opener<'a> = &'a dyn Fn(&str) -> Result<Arc<dyn BenchStore>, Error>;

async fn drain(
    backend: &str,
    open: Opener<'_>,
    device: &Arc<Store>,
    rows: &[Envelope],
    summary: &mut super::summary::Summary,
) -> Result<(), Error> {
    const BATCH: usize = 1000;
    // The hub verifies every event's signature with the device's key, as in production.
    let public_key = device.public_key();
    // Baseline: the same rows inserted straight into the hub's events table, BATCH per commit.
    let raw = {
        let store = open("raw")?;
        let now = api::now_text();
        let rows = rows.to_vec();
        let public_key = public_key.clone();
        tokio::task::spawn_blocking(move || -> Result<Duration, Error> {
            api::issue_token(
                store.as_ref(),
                "bench-device",
                "",
                Duration::from_secs(3600),
                dockhand_hub::store::GrantMode::Renew,
                public_key.as_deref(),
                None,
            )
            .map_err(|e| bench_error("register", e))?;
            let started = Instant::now();
            store
                .raw_insert(&rows, BATCH, &now)
                .map_err(|e| bench_error("raw insert", e))?;
            Ok(started.elapsed())
        })
        .await
        .map_err(|e| bench_error("raw insert task", e))??
    };
    let hub = open("drain")?;
    let token = {
        let hub = hub.clone();
        let public_key = public_key.clone();
        tokio::task::spawn_blocking(move || {
            api::issue_token(
                hub.as_ref(),
                "bench-device",
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
    let (url, stop) = serve(hub).await?;
    let config = SyncConfig {
        batch_size: BATCH,
        ..SyncConfig::new(&url)
    };
    let (report, drained) = timed_sync(device, config, token.token, "drain").await?;
    let _ = stop.send(());
    let n = rows.len() as f64;
    println!(
        "  {backend:<8} drain {:>7} events in {:>6.2} s = {:>7.0} events/s ({} acknowledged); raw insert of the same rows {:>6.2} s = {:>7.0} rows/s; drain / raw = {:.2}x",
        rows.len(),
        drained.as_secs_f64(),
        n / drained.as_secs_f64(),
        report.acknowledged,
        raw.as_secs_f64(),
        n / raw.as_secs_f64(),
        drained.as_secs_f64() / raw.as_secs_f64().max(1e-9)
    );
    // The goals are for 100,000 events: a smaller run is not judged.
    let (goal, limit) = if backend == "sqlite" {
        ("<= 10 s for 100,000", 10.0)
    } else {
        ("<= 20 s for 100,000", 20.0)
    };
    summary.add(
        format!("drain of {} events to a {backend} hub", rows.len()),
        format!(
            "{:.2} s = {:.0} events/s",
            drained.as_secs_f64(),
            n / drained.as_secs_f64()
        ),
        format!("raw insert of the rows {:.2} s", raw.as_secs_f64()),
        Some(drained.as_secs_f64() / raw.as_secs_f64().max(1e-9)),
        goal,
        (rows.len() >= 100_000).then_some(drained.as_secs_f64() * 100_000.0 / n <= limit),
    );
    Ok(())
}

/// A database of its own on the PostgreSQL server at `base`.
fn postgres_database(base: &str, name: &str) -> Result<String, Error> {
    dockhand_hub::postgres::create_database(base, name).map_err(|e| bench_error("PostgreSQL", e))
}

fn catalog_page(offset: usize, n: usize) -> MasterData {
    MasterData {
        items: (offset..offset + n)
            .map(|i| Item {
                sku: format!("SKU-{i:07}"),
                description: format!("item {i}"),
                base_unit: "EA".into(),
                tracking: Tracking::Lot,
                min_shelf_life_days: 0,
                inspection_required: false,
                abc_class: AbcClass::C,
                unit_value_cents: 100,
                putaway_zone: None,
            })
            .collect(),
        barcodes: (offset..offset + n)
            .map(|i| Barcode {
                code: format!("2{i:012}"),
                sku: format!("SKU-{i:07}"),
                unit: "EA".into(),
                quantity: 1,
            })
            .collect(),
        ..MasterData::default()
    }
}

async fn pull(
    dir: &Path,
    items: usize,
    summary: &mut super::summary::Summary,
) -> Result<(), Error> {
    let hub: Arc<dyn HubStore> = Arc::new(
        dockhand_hub::sqlite::SqliteStore::open(dir.join("pull-hub.db"))
            .map_err(|e| bench_error("hub", e))?,
    );
    let loading = Instant::now();
    {
        let hub = hub.clone();
        tokio::task::spawn_blocking(move || -> Result<(), Error> {
            for offset in (0..items).step_by(50_000) {
                let data = Import {
                    master: catalog_page(offset, 50_000.min(items - offset)),
                    ..Import::default()
                };
                let from = dockhand_hub::store::ImportSource {
                    origin: dockhand_core::sync::protocol::HubEventOrigin::Import,
                    name: "bench",
                };
                hub.import(&data, &from)
                    .map_err(|e| bench_error("import", e))?;
            }
            Ok(())
        })
        .await
        .map_err(|e| bench_error("import task", e))??;
    }
    let loaded = loading.elapsed();
    let token = api::issue_token(
        hub.as_ref(),
        "bench-puller",
        "",
        Duration::from_secs(3600),
        dockhand_hub::store::GrantMode::Renew,
        None,
        None,
    )
    .map_err(|e| bench_error("register", e))?;
    let (url, stop) = serve(hub).await?;
    let device = Arc::new(Store::open(dir.join("pull-device.db"), "bench-puller")?);
    let config = SyncConfig {
        page_size: 5000,
        ..SyncConfig::new(&url)
    };
    let (report, pulled) = timed_sync(&device, config, token.token, "pull").await?;
    let _ = stop.send(());
    let counts = device.read(catalog::counts)?;
    println!(
        "  pull of {items} items + {items} barcodes ({} changes, pages of 5,000) onto a device file: {:.1} s ({:.0} changes/s); device has {} items, {} barcodes (hub import took {:.1} s)",
        report.pulled,
        pulled.as_secs_f64(),
        report.pulled as f64 / pulled.as_secs_f64(),
        counts.items,
        counts.barcodes,
        loaded.as_secs_f64()
    );
    summary.add(
        format!("pull of {items} items + barcodes onto a device file"),
        format!("{:.1} s", pulled.as_secs_f64()),
        format!("the hub's import of them {:.1} s", loaded.as_secs_f64()),
        Some(pulled.as_secs_f64() / loaded.as_secs_f64().max(1e-9)),
        "<= 15 s for 1,000,000",
        (items >= 1_000_000).then_some(pulled.as_secs_f64() <= 15.0),
    );
    Ok(())
}

/// Runs the sync figures.
pub(super) fn run(
    dir: &Path,
    events: i64,
    postgres_url: Option<&str>,
    pull_items: usize,
    summary: &mut super::summary::Summary,
) -> Result<(), Error> {
    let runtime = tokio::runtime::Runtime::new().map_err(|e| bench_error("runtime", e))?;
    runtime.block_on(async {
        if events > 0 {
            let (device, made) = backlog(events)?;
            let rows: Vec<Envelope> = device
                .read(|c| outbox::events(c, 1, usize::MAX >> 1))?
                .into_iter()
                .map(|e| e.envelope)
                .collect();
            println!(
                "\nsync: drain a backlog of {} events from one device to a hub on loopback (made in {made:.1} s), batches of 1,000:",
                rows.len()
            );
            let sqlite = |name: &str| -> Result<Arc<dyn BenchStore>, Error> {
                Ok(Arc::new(
                    dockhand_hub::sqlite::SqliteStore::open(dir.join(format!("hub-{name}.db")))
                        .map_err(|e| bench_error("hub", e))?,
                ))
            };
            drain("sqlite", &sqlite, &device, &rows, summary).await?;
            if let Some(base) = postgres_url {
                // The device's events are acknowledged now: a second device with the same rows.
                let (device, _) = backlog(events)?;
                let rows: Vec<Envelope> = device
                    .read(|c| outbox::events(c, 1, usize::MAX >> 1))?
                    .into_iter()
                    .map(|e| e.envelope)
                    .collect();
                let base = base.to_string();
                let pg = move |name: &str| -> Result<Arc<dyn BenchStore>, Error> {
                    let url = postgres_database(&base, &format!("dockhand_bench_{name}"))?;
                    Ok(Arc::new(
                        dockhand_hub::postgres::PostgresStore::connect(&url)
                            .map_err(|e| bench_error("hub", e))?,
                    ))
                };
                let pg_blocking = |name: &str| -> Result<Arc<dyn BenchStore>, Error> {
                    let name = name.to_string();
                    let pg = pg.clone();
                    std::thread::spawn(move || pg(&name))
                        .join()
                        .map_err(|_| bench_error("PostgreSQL", "connect thread panicked"))?
                };
                drain("postgres", &pg_blocking, &device, &rows, summary).await?;
            }
        }
        if pull_items > 0 {
            pull(dir, pull_items, summary).await?;
        }
        Ok(())
    })
}
