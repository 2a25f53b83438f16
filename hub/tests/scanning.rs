//! Eight operators scanning on one handheld's database while its sync engine pushes to a real hub
//! (on loopback, SQLite and PostgreSQL): every scan resolves, every command is recorded once with
//! an unbroken chain, nothing waits for the network, and afterwards the hub holds every event
//! exactly once and the same stock as the device.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use dockhand_core::receiving::{self, OpenBlindReceipt, ReceiveLine};
use dockhand_core::sync::engine::{StaticToken, SyncConfig, SyncEngine};
use dockhand_core::sync::protocol::{DeviceStatus, StockLine};
use dockhand_core::sync::stock_lines;
use dockhand_core::{ScannedGoods, Store, StoreOptions, catalog, outbox, resolve_scan, sample};
use dockhand_hub::HubConfig;
use uuid::Uuid;

const THREADS: usize = 8;

/// Receives per thread (`DOCKHAND_SCAN_COMMANDS`; `scripts/reliability.sh` runs 2,500).
fn commands_per_thread() -> usize {
    std::env::var("DOCKHAND_SCAN_COMMANDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(150)
}

const LABELS: [&str; 4] = [
    "]d2010401234500001610L2611A\u{1d}17270301",
    "]C1011401234500003710L7",
    "4012345000030",
    "]E04012345000023",
];

on_both_backends!(
    eight_threads_scan_and_receive_while_sync_runs,
    HubConfig::default(),
    |hub| {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(
            Store::open_with(dir.path().join("device.db"), StoreOptions::new("HH-8")).unwrap(),
        );
        catalog::upsert_master_data(&store, &sample::warehouse()).unwrap();
        let token = hub.register_device(&store).await;
        let engine = SyncEngine::new(
            store.clone(),
            SyncConfig {
                debounce: Duration::from_millis(5),
                period: Duration::from_millis(100),
                batch_size: 100,
                ..SyncConfig::new(&hub.url)
            },
            Arc::new(StaticToken::new(token)),
        )
        .unwrap();
        engine.start(&tokio::runtime::Handle::current());

        let per_thread = commands_per_thread();
        let started = Instant::now();
        let workers: Vec<_> = (0..THREADS)
            .map(|t| {
                let store = store.clone();
                std::thread::spawn(move || {
                    let receipt = format!("DOOR-{t}");
                    receiving::open_blind_receipt(
                        &store,
                        &OpenBlindReceipt {
                            op_id: Uuid::now_v7(),
                            operator: "alice".into(),
                            receipt_id: receipt.clone(),
                            reference: format!("door {t}"),
                            supplier: "Nordic".into(),
                        },
                    )
                    .unwrap();
                    let mut slowest = Duration::ZERO;
                    for i in 0..per_thread {
                        let label = LABELS[(t + i) % LABELS.len()];
                        let begin = Instant::now();
                        let scanned = store.read(|c| resolve_scan(c, label)).unwrap();
                        let dockhand_core::ResolvedScan::Goods {
                            barcode,
                            lot,
                            expiry,
                            ..
                        } = scanned
                        else {
                            panic!("{label} resolved to {scanned:?}");
                        };
                        let mut scan = ScannedGoods::barcode(barcode);
                        scan.lot = lot.or(Some(format!("L{t}")));
                        scan.expiry = expiry;
                        receiving::receive_line(
                            &store,
                            &ReceiveLine {
                                op_id: Uuid::now_v7(),
                                operator: "alice".into(),
                                receipt_id: receipt.clone(),
                                dock: "DOCK-01".into(),
                                scan,
                                quantity: 1,
                                lpn: None,
                                approval: None,
                            },
                        )
                        .unwrap();
                        slowest = slowest.max(begin.elapsed());
                    }
                    slowest
                })
            })
            .collect();
        let slowest = workers
            .into_iter()
            .map(|w| w.join().unwrap())
            .max()
            .unwrap();
        let scanning = started.elapsed();

        let events = store.read(outbox::last_seq).unwrap();
        assert_eq!(events as usize, THREADS * (per_thread + 1));
        let report = store.verify_integrity().unwrap();
        assert!(report.is_ok(), "{report:?}");

        // Drain, then the hub has every event once and the device's stock.
        let deadline = Instant::now() + Duration::from_secs(120);
        while engine.status().pending > 0 {
            assert!(
                Instant::now() < deadline,
                "{} still pending",
                engine.status().pending
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        engine.stop();
        let devices: Vec<DeviceStatus> = hub.admin_get("/v1/admin/devices").await;
        let device = devices.iter().find(|d| d.device_id == "HH-8").unwrap();
        assert_eq!(device.contiguous_seq, events);
        let hub_stock: Vec<StockLine> = hub.admin_get("/v1/admin/stock").await;
        assert_eq!(hub_stock, stock_lines(&store).unwrap());
        eprintln!(
            "{THREADS} threads, {} scans + receives in {:.1} s while syncing (slowest command {:.1} ms); {events} events at the hub once each",
            THREADS * per_thread,
            scanning.as_secs_f64(),
            slowest.as_secs_f64() * 1e3
        );
    }
);
