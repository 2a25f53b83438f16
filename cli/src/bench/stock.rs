//! Shared-stock figures (issue 14): a first pull of a site's stock onto a device file against the
//! floor of writing the same rows, the time until one handheld's synced work shows on another
//! that syncs every second, and pick confirm and scan resolve on a view of that stock against a
//! device holding only its own stock, all in one run.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use dockhand_core::catalog::{
    self, AbcClass, Barcode, Item, Location, LocationKind, LocationStatus, MasterData, Tracking,
};
use dockhand_core::picking;
use dockhand_core::protocol::events::{EventMovement, StockStatus};
use dockhand_core::putaway;
use dockhand_core::receiving::{self, OpenBlindReceipt};
use dockhand_core::sync::engine::{StaticToken, SyncConfig, SyncEngine};
use dockhand_core::{Error, Store, resolve_scan, sample, stock};
use dockhand_hub::store::BenchStore;
use dockhand_hub::{HubStore, api};
use uuid::Uuid;

use super::sync::{serve, timed_sync};
use super::{Figures, bench_error, micros};

/// Buckets per location: the site's stock is `buckets` spread over `buckets / 50` locations.
pub(super) const PER_LOCATION: usize = 50;

fn sku(i: usize) -> String {
    format!("SKU-{i:07}")
}

fn code(i: usize) -> String {
    format!("2{i:012}")
}

fn place(j: usize) -> String {
    format!("S-{j:06}")
}

/// The bench catalog: `items` untracked items with a barcode each, `locations` pickable storage
/// locations, on top of the sample warehouse (its docks, staging and operators).
pub(super) fn catalog_of(items: usize, locations: usize) -> MasterData {
    let mut master = sample::warehouse();
    master.items.extend((0..items).map(|i| Item {
        sku: sku(i),
        description: format!("item {i}"),
        base_unit: "EA".into(),
        tracking: Tracking::None,
        min_shelf_life_days: 0,
        inspection_required: false,
        abc_class: AbcClass::C,
        unit_value_cents: 100,
        putaway_zone: Some("S".into()),
    }));
    master.barcodes.extend((0..items).map(|i| Barcode {
        code: code(i),
        sku: sku(i),
        unit: "EA".into(),
        quantity: 1,
    }));
    master.locations.extend((0..locations).map(|j| Location {
        code: place(j),
        zone: "S".into(),
        kind: LocationKind::Storage,
        status: LocationStatus::Active,
        pickable: true,
        pick_sequence: 1000 + j as i64,
        check_string: format!("C{j}"),
        max_units: None,
        replenish: None,
    }));
    master
}

/// Bucket `k` of the site: 10 units of item `k % items` at location `k / 50`.
pub(super) fn movement(k: usize, items: usize) -> EventMovement {
    EventMovement {
        location: place(k / PER_LOCATION),
        sku: sku(k % items),
        lot: String::new(),
        serial: String::new(),
        lpn: String::new(),
        status: StockStatus::Available,
        delta: 10,
    }
}

/// The floor: the same rows written into a bare table of a new file, one transaction.
fn floor(dir: &Path, movements: &[EventMovement]) -> Result<Duration, Error> {
    let mut conn = rusqlite::Connection::open(dir.join("stock-floor.db"))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.execute_batch(
        "CREATE TABLE rows (location TEXT, sku TEXT, lot TEXT, serial TEXT, lpn TEXT,
         status TEXT, qty INTEGER, PRIMARY KEY (location, sku, lot, serial, lpn, status))
         WITHOUT ROWID",
    )?;
    let started = Instant::now();
    let tx = conn.transaction()?;
    {
        let mut insert = tx.prepare("INSERT INTO rows VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")?;
        for m in movements {
            insert.execute((
                &m.location,
                &m.sku,
                &m.lot,
                &m.serial,
                &m.lpn,
                m.status.as_str(),
                m.delta,
            ))?;
        }
    }
    tx.commit()?;
    Ok(started.elapsed())
}

fn device(dir: &Path, name: &str, master: &MasterData) -> Result<Arc<Store>, Error> {
    let store = Store::open(dir.join(format!("{name}.db")), name)?;
    catalog::upsert_master_data(&store, master)?;
    Ok(Arc::new(store))
}

fn token(hub: &Arc<dyn BenchStore>, device: &Store) -> Result<String, Error> {
    Ok(api::issue_token(
        hub.as_ref(),
        device.device_id(),
        "",
        Duration::from_secs(3600),
        dockhand_hub::store::GrantMode::Renew,
        device.public_key().as_deref(),
        None,
    )
    .map_err(|e| bench_error("register", e))?
    .token)
}

/// Receives `quantity` of item `i` at DOCK-01 and puts it away to location `j`.
fn stock_own(store: &Store, i: usize, j: usize, quantity: i64) -> Result<(), Error> {
    let receipt = format!("OWN-{i}");
    receiving::open_blind_receipt(
        store,
        &OpenBlindReceipt {
            op_id: Uuid::now_v7(),
            operator: "alice".into(),
            receipt_id: receipt.clone(),
            reference: receipt.clone(),
            supplier: "bench".into(),
        },
    )?;
    receiving::receive_line(
        store,
        &sample::receive_at_dock("alice", &receipt, &code(i), quantity),
    )?;
    let check = format!("C{j}");
    putaway::confirm_putaway(
        store,
        &sample::put_away_from_dock("alice", &code(i), quantity, &place(j), &check),
    )?;
    Ok(())
}

/// Times `n` pick confirms of one unit of items `0..n` (each a task of its own).
fn picks(store: &Store, n: usize, prefix: &str) -> Result<Figures, Error> {
    let mut samples = Vec::with_capacity(n);
    for i in 0..n {
        let task_id = format!("{prefix}-{i}");
        picking::create_pick_task(store, &sample::pick_task("bob", &task_id, &sku(i), 1))?;
        let next = store
            .read(|c| picking::next_pick(c, &task_id))?
            .ok_or_else(|| bench_error("pick", format!("nothing allocated for {}", sku(i))))?;
        let location = store.read(|c| catalog::location_by_code(c, &next.location))?;
        let check = location.location.check_string;
        let cmd = sample::confirm_in_full("bob", &task_id, &next, &check, &code(i), None);
        let started = Instant::now();
        picking::confirm_pick(store, &cmd)?;
        samples.push(started.elapsed());
    }
    Ok(Figures::new(samples))
}

/// Times `n` scan resolutions of item barcodes.
fn resolves(store: &Store, items: usize, n: usize) -> Result<Figures, Error> {
    let mut samples = Vec::with_capacity(n);
    for k in 0..n {
        let scan = code((k * 7919) % items);
        let started = Instant::now();
        store.read(|c| resolve_scan(c, &scan))?;
        samples.push(started.elapsed());
    }
    Ok(Figures::new(samples))
}

/// Seconds from `a`'s sync to `b`'s view holding `expected` towels at DOCK-01 (b syncs on its own
/// every second).
async fn visible_after(
    a: &SyncEngine,
    b: &Store,
    expected: i64,
    deadline: Duration,
) -> Result<Duration, Error> {
    a.sync_now().await.map_err(|e| bench_error("sync", e))?;
    let synced = Instant::now();
    loop {
        let held: i64 = b
            .read(|c| stock::balances_at_location(c, "DOCK-01"))?
            .iter()
            .filter(|l| l.sku == sample::TOWELS)
            .map(|l| l.quantity)
            .sum();
        if held == expected {
            return Ok(synced.elapsed());
        }
        if synced.elapsed() > deadline {
            return Err(bench_error(
                "latency",
                format!("{held} towels seen, {expected} expected"),
            ));
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Runs the shared-stock figures with a site of `buckets` buckets.
pub(super) fn run(dir: &Path, buckets: usize) -> Result<(), Error> {
    let runtime = tokio::runtime::Runtime::new().map_err(|e| bench_error("runtime", e))?;
    runtime.block_on(run_async(dir, buckets))
}

async fn run_async(dir: &Path, buckets: usize) -> Result<(), Error> {
    let items = (buckets / 10).max(PER_LOCATION);
    let locations = buckets.div_ceil(PER_LOCATION);
    let setting_up = Instant::now();
    let master = catalog_of(items, locations);
    let movements: Vec<EventMovement> = (0..buckets).map(|k| movement(k, items)).collect();
    let hub: Arc<dyn BenchStore> = Arc::new(
        dockhand_hub::sqlite::SqliteStore::open(dir.join("stock-hub.db"))
            .map_err(|e| bench_error("hub", e))?,
    );
    hub.raw_stock(&movements, 50_000)
        .map_err(|e| bench_error("hub stock", e))?;
    // `own` holds the same catalog and only its own stock; `viewer` pulls the site's.
    let viewer = device(dir, "stock-viewer", &master)?;
    let own = device(dir, "stock-own", &master)?;
    let picks_n = 300.min(items);
    for i in 0..picks_n {
        stock_own(&own, i, i / PER_LOCATION, 10)?;
    }
    let writer = device(dir, "stock-writer", &sample::warehouse())?;
    let (viewer_token, writer_token) = (token(&hub, &viewer)?, token(&hub, &writer)?);
    let hub_store: Arc<dyn HubStore> = hub.clone();
    let (url, stop) = serve(hub_store).await?;
    let floor = floor(dir, &movements)?;
    println!(
        "\nshared stock: a site of {buckets} buckets ({items} items x {locations} locations; set up in {:.0} s):",
        setting_up.elapsed().as_secs_f64()
    );

    let (report, pulled) = timed_sync(
        &viewer,
        SyncConfig::new(&url),
        viewer_token.clone(),
        "stock pull",
    )
    .await?;
    println!(
        "  first pull onto a device file  {:>6.2} s for {} buckets = {:>7.0} buckets/s   (goal <= 10 s); the same rows into a bare table {:.2} s: {:.1}x that floor",
        pulled.as_secs_f64(),
        report.stock_pulled,
        report.stock_pulled as f64 / pulled.as_secs_f64().max(1e-9),
        floor.as_secs_f64(),
        pulled.as_secs_f64() / floor.as_secs_f64().max(1e-9)
    );

    // One handheld receives and syncs; the viewer syncs every second on its own.
    let fast = |token: String| -> Result<SyncEngine, Error> {
        SyncEngine::new(
            viewer.clone(),
            SyncConfig {
                period: Duration::from_secs(1),
                ..SyncConfig::new(&url)
            },
            Arc::new(StaticToken::new(token)),
        )
        .map_err(|e| bench_error("engine", e))
    };
    let viewer_engine = fast(viewer_token)?;
    viewer_engine.start(&tokio::runtime::Handle::current());
    let writer_engine = SyncEngine::new(
        writer.clone(),
        SyncConfig::new(&url),
        Arc::new(StaticToken::new(writer_token)),
    )
    .map_err(|e| bench_error("engine", e))?;
    let mut seen = Vec::new();
    receiving::open_blind_receipt(
        &writer,
        &OpenBlindReceipt {
            op_id: Uuid::now_v7(),
            operator: "alice".into(),
            receipt_id: "LATENCY".into(),
            reference: "latency".into(),
            supplier: "bench".into(),
        },
    )?;
    for round in 1..=10 {
        receiving::receive_line(
            &writer,
            &sample::receive_at_dock("alice", "LATENCY", sample::TOWELS_EA, 1),
        )?;
        seen.push(visible_after(&writer_engine, &viewer, round, Duration::from_secs(30)).await?);
        // Rounds start at different points of the viewer's second.
        tokio::time::sleep(Duration::from_millis(137 * round as u64 % 1000)).await;
    }
    viewer_engine.stop();
    let seen = Figures::new(seen);
    println!(
        "  a receipt on another handheld, visible here after its sync: median {:.2} s, max {:.2} s over 10 rounds (pull every 1 s; goal <= 2 s)",
        seen.median().as_secs_f64(),
        seen.quantile(1.0).as_secs_f64()
    );

    let view_picks = picks(&viewer, picks_n, "V")?;
    let own_picks = picks(&own, picks_n, "O")?;
    let view_scans = resolves(&viewer, items, 20_000)?;
    let own_scans = resolves(&own, items, 20_000)?;
    let _ = stop.send(());
    println!(
        "  pick confirm (file), {picks_n} each: on the site's view median {:.1} µs, on own stock only {:.1} µs: {:.2}x (goal <= 1.2x)",
        micros(view_picks.median()),
        micros(own_picks.median()),
        micros(view_picks.median()) / micros(own_picks.median()).max(1e-9)
    );
    println!(
        "  scan resolve, 20,000 each: on the site's view median {:.1} µs p99 {:.1} µs, on own stock only {:.1} µs p99 {:.1} µs: {:.2}x (goal <= 1.2x)",
        micros(view_scans.median()),
        micros(view_scans.quantile(0.99)),
        micros(own_scans.median()),
        micros(own_scans.quantile(0.99)),
        micros(view_scans.median()) / micros(own_scans.median()).max(1e-9)
    );
    Ok(())
}
