//! Exactly once in effect under faults: four devices record 20,000 events (DOCKHAND_FAULT_EVENTS;
//! 100,000 in scripts/reliability.sh) while their sync
//! engines push through a fault-injecting proxy to a real hub process, which is killed (SIGKILL)
//! and restarted mid-stream while the proxy refuses connections. At the end every event is at the
//! hub exactly once, in per-device seq order, and the hub's stock equals the devices' stock — on
//! SQLite and on PostgreSQL.
#![allow(clippy::unwrap_used)]

mod common;

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use common::proxy::{FaultProxy, Plan};
use dockhand_core::sync::engine::{StaticToken, SyncConfig, SyncEngine};
use dockhand_core::sync::protocol::{DeviceStatus, EventsPage, Health, StockLine};
use dockhand_core::sync::{add_stock_lines, own_stock_lines};
use dockhand_core::workload::Workload;
use dockhand_core::{Store, StoreOptions, outbox};

const DEVICES: usize = 4;

/// Events in all (`DOCKHAND_FAULT_EVENTS`; `scripts/reliability.sh` runs 100,000).
fn events_total() -> i64 {
    knob("DOCKHAND_FAULT_EVENTS", 20_000).max(DEVICES as i64 * 10)
}

/// Hub kills and restarts spread over the run (`DOCKHAND_FAULT_RESTARTS`).
fn restarts() -> i64 {
    knob("DOCKHAND_FAULT_RESTARTS", 1).max(1)
}

fn knob(name: &str, default: i64) -> i64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn spawn_hub(port: u16, database: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_dockhand-hub"))
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--database",
            database,
        ])
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

async fn wait_healthy(client: &reqwest::Client, url: &str) {
    let start = Instant::now();
    loop {
        if let Ok(r) = client.get(format!("{url}/health")).send().await
            && r.status() == 200
        {
            r.json::<Health>().await.unwrap();
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "hub did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn last_seq(store: &Store) -> i64 {
    store.read(outbox::last_seq).unwrap()
}

async fn run(backend: &str) {
    let events_per_device = events_total() / DEVICES as i64;
    let dir = tempfile::tempdir().unwrap();
    let database = match backend {
        "sqlite" => dir.path().join("hub.db").display().to_string(),
        _ => {
            let Some(base) = common::postgres_base("the PostgreSQL fault run") else {
                return;
            };
            tokio::task::spawn_blocking(move || common::fresh_postgres_url(&base))
                .await
                .unwrap()
        }
    };
    let port = free_port();
    let hub_url = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let mut hub = spawn_hub(port, &database);
    wait_healthy(&client, &hub_url).await;
    let proxy = FaultProxy::start(
        format!("127.0.0.1:{port}").parse().unwrap(),
        Plan::hostile(7, Duration::from_millis(700)),
    )
    .await;

    let mut devices = Vec::new();
    for i in 1..=DEVICES {
        let id = format!("HH-{i}");
        let token: dockhand_core::sync::protocol::DeviceToken = common::post_json(
            &client,
            &format!("{hub_url}/v1/devices/register"),
            &serde_json::json!({"device_id": id}),
        )
        .await;
        let store = Arc::new(Store::open_in_memory(StoreOptions::new(&id)).unwrap());
        Workload::seed_store(&store).unwrap();
        let config = SyncConfig {
            batch_size: 200,
            page_size: 50,
            request_timeout: Duration::from_millis(500),
            debounce: Duration::from_millis(20),
            period: Duration::from_millis(150),
            backoff_initial: Duration::from_millis(20),
            backoff_max: Duration::from_millis(300),
            ..SyncConfig::new(&proxy.url)
        };
        let engine = SyncEngine::new(
            store.clone(),
            config,
            Arc::new(StaticToken::new(token.token)),
        )
        .unwrap();
        engine.start(&tokio::runtime::Handle::current());
        devices.push((store, engine));
    }

    // Scanning goes on while sync runs; it never waits for the network.
    let started = Instant::now();
    let producers: Vec<_> = devices
        .iter()
        .enumerate()
        .map(|(i, (store, _))| {
            let store = store.clone();
            tokio::task::spawn_blocking(move || {
                let mut mix = Workload::new(100 + i as u64);
                let mut steps = 0;
                while last_seq(&store) < events_per_device {
                    mix.step(&store).unwrap();
                    steps += 1;
                    if steps % 25 == 0 {
                        std::thread::sleep(Duration::from_millis(2));
                    }
                }
            })
        })
        .collect();

    // Mid-stream: the hub process dies without warning, the proxy refuses connections for a
    // while, then a new hub process starts on the same database.
    let at_hub = |devices: &[DeviceStatus]| devices.iter().map(|d| d.contiguous_seq).sum::<i64>();
    let total = events_per_device * DEVICES as i64;
    for k in 1..=restarts() {
        // The first kill comes early (a tenth of the way), the rest spread evenly after it.
        let threshold = total / 10 + (total * 8 / 10) * (k - 1) / restarts();
        loop {
            let status: Vec<DeviceStatus> =
                common::get_json(&client, &format!("{hub_url}/v1/admin/devices")).await;
            if at_hub(&status) > threshold {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        hub.kill().unwrap();
        hub.wait().unwrap();
        proxy.down();
        tokio::time::sleep(Duration::from_millis(400)).await;
        hub = spawn_hub(port, &database);
        wait_healthy(&client, &hub_url).await;
        proxy.up().await;
    }

    for p in producers {
        p.await.unwrap();
    }
    // Drain: the background loops keep going through the faults; wait for every device to have
    // nothing pending (the engines' timers retry; no test-side pushing).
    let deadline = Instant::now() + Duration::from_secs(240 + total as u64 / 200);
    loop {
        let pending: i64 = devices.iter().map(|(_, e)| e.status().pending).sum();
        if pending == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "{pending} events still pending");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let elapsed = started.elapsed();
    for (_, engine) in &devices {
        engine.stop();
    }
    let stats = &proxy.stats;
    eprintln!(
        "{backend}: {} events from {DEVICES} devices in {:.1} s through {} faults (reset before {}, mid-request {}, lost responses {}, 500s {}, slow {}, truncated {}) and {} hub kills/restarts; {} requests passed",
        devices.iter().map(|(s, _)| last_seq(s)).sum::<i64>(),
        elapsed.as_secs_f64(),
        stats.faults(),
        stats.reset_before.load(Ordering::Relaxed),
        stats.reset_mid.load(Ordering::Relaxed),
        stats.lost.load(Ordering::Relaxed),
        stats.server_errors.load(Ordering::Relaxed),
        stats.slow.load(Ordering::Relaxed),
        stats.truncated.load(Ordering::Relaxed),
        restarts(),
        stats.passed.load(Ordering::Relaxed),
    );
    assert!(stats.lost.load(Ordering::Relaxed) > 0 && stats.truncated.load(Ordering::Relaxed) > 0);

    // Every event exactly once, in each device's seq order.
    let mut feed = Vec::new();
    let mut cursor = String::new();
    loop {
        let page: EventsPage = common::get_json(
            &client,
            &format!("{hub_url}/v1/feed/events?limit=10000&cursor={cursor}"),
        )
        .await;
        feed.extend(page.events);
        cursor = page.next_cursor;
        if !page.has_more {
            break;
        }
    }
    let mut total = 0;
    for (store, _) in &devices {
        let n = last_seq(store);
        assert!(n >= events_per_device);
        total += n;
        let seqs: Vec<i64> = feed
            .iter()
            .filter(|e| e.event.device_id == store.device_id())
            .map(|e| e.event.seq)
            .collect();
        assert_eq!(seqs, (1..=n).collect::<Vec<_>>(), "{}", store.device_id());
        let counts = store.read(outbox::counts).unwrap();
        assert_eq!((counts.acknowledged, counts.rejected), (n, 0));
        assert!(store.verify_integrity().unwrap().is_ok());
    }
    assert_eq!(feed.len() as i64, total);
    let hub_stock: Vec<StockLine> =
        common::get_json(&client, &format!("{hub_url}/v1/admin/stock")).await;
    let device_stock: Vec<_> = devices
        .iter()
        .map(|(s, _)| own_stock_lines(s).unwrap())
        .collect();
    assert_eq!(hub_stock, add_stock_lines(&device_stock));
    hub.kill().unwrap();
    hub.wait().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_event_arrives_exactly_once_through_faults_and_hub_crashes_sqlite() {
    run("sqlite").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_event_arrives_exactly_once_through_faults_and_hub_crashes_postgres() {
    run("postgres").await;
}
