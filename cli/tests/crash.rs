//! Battery pulls: a child process runs every kind of command in a loop while its sync engine
//! pushes to a hub, and is killed with SIGKILL at random moments (200 times here;
//! `DOCKHAND_CRASH_KILLS=1000` in `scripts/reliability.sh`). After every kill the database must
//! open, pass `verify_integrity()` (balances = ledger, seq gap-free, hash chain intact), and hold
//! every command the child reported as committed, each with its events — and no command without
//! them. At the end the hub has every event exactly once and the device's stock.
#![allow(clippy::unwrap_used)]

use dockhand_core::protocol::EventKind;
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use std::sync::Arc;

use dockhand_core::sync::engine::{StaticToken, SyncConfig, SyncEngine};
use dockhand_core::sync::protocol::{DeviceStatus, DeviceToken, StockLine};
use dockhand_core::sync::stock_lines;
use dockhand_core::workload::Workload;
use dockhand_core::{Store, ops, outbox};
use rand::Rng;
use uuid::Uuid;

fn kills() -> usize {
    std::env::var("DOCKHAND_CRASH_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200)
}

#[test]
fn killing_the_device_at_random_moments_never_loses_or_half_writes_a_command() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("device.db");
    // A hub in this process outlives every child.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let hub_store: Arc<dyn dockhand_hub::HubStore> =
        Arc::new(dockhand_hub::sqlite::SqliteStore::open(dir.path().join("hub.db")).unwrap());
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let hub = format!("http://{}", listener.local_addr().unwrap());
    // The site's company prefix: the device gets SSCC serials and its workload packs and ships.
    dockhand_hub::sscc::set_prefix(hub_store.as_ref(), "main", "4012345", 3).unwrap();
    runtime.spawn(dockhand_hub::serve(
        listener,
        hub_store,
        dockhand_hub::HubConfig::default(),
        std::future::pending(),
    ));
    let token = {
        let store = Store::open(&db, "soak-device").unwrap();
        Workload::seed_store(&store).unwrap();
        let registration = serde_json::json!({
            "device_id": "soak-device", "public_key": store.public_key(),
        });
        let client = reqwest::Client::new();
        runtime.block_on(async {
            let response = client
                .post(format!("{hub}/v1/devices/register"))
                .json(&registration)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 201);
            response.json::<DeviceToken>().await.unwrap().token
        })
    };
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, &token).unwrap();
    let mut rng = rand::rng();
    let mut reported = 0usize;
    let mut by_kind: std::collections::BTreeMap<String, usize> = Default::default();
    let mut killed_mid_run = 0usize;
    let started = Instant::now();
    for round in 0..kills() {
        let mut child = Command::new(env!("CARGO_BIN_EXE_dockhand"))
            .args(["soak", "--db"])
            .arg(&db)
            .args(["--seed", &(round + 1).to_string()])
            .args(["--hub", &hub, "--token-file"])
            .arg(&token_file)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros(rng.random_range(1_000..40_000)));
        child.kill().unwrap();
        let status = child.wait().unwrap();
        let mut stdout = String::new();
        child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut stdout)
            .unwrap();
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        assert!(
            status.code().is_none(),
            "the soak child stopped by itself ({status}): {stderr}"
        );
        killed_mid_run += 1;

        let store = Store::open(&db, "soak-device")
            .unwrap_or_else(|e| panic!("round {round}: the database did not reopen: {e}"));
        let report = store.verify_integrity().unwrap();
        assert!(report.is_ok(), "round {round}: {report:?}");
        // Only complete lines: the kill may cut the last one short.
        for line in stdout.lines().filter(|l| l.len() >= 46) {
            let mut words = line.split_whitespace();
            let (Some("committed"), Some(kind), Some(id)) =
                (words.next(), words.next(), words.next())
            else {
                continue;
            };
            let Ok(op_id) = Uuid::parse_str(id) else {
                continue;
            };
            reported += 1;
            *by_kind.entry(kind.to_string()).or_default() += 1;
            assert!(
                store.read(|c| ops::is_committed(c, op_id)).unwrap(),
                "round {round}: {kind} {op_id} was reported committed but is missing"
            );
            let events = store
                .read(|c| outbox::events_of_operation(c, op_id))
                .unwrap();
            let types: Vec<&str> = events.iter().map(|e| e.event_type.as_str()).collect();
            match kind {
                "receive" => assert_eq!(types, [EventKind::LineReceived.as_str()]),
                "putaway" => assert_eq!(types, [EventKind::PutawayConfirmed.as_str()]),
                "move" => assert_eq!(types, [EventKind::MoveConfirmed.as_str()]),
                "open" => assert_eq!(types, [EventKind::BlindOpened.as_str()]),
                "close" => assert_eq!(
                    types.last(),
                    Some(&EventKind::ReceiptClosed.as_str()),
                    "{types:?}"
                ),
                kind => {
                    let family = match kind {
                        "pick_task" | "pick" => "picking.",
                        "count_task" | "count_start" | "count" => "counting.",
                        "return" | "inspect" => "returns.",
                        "void" => "correction.",
                        "release" => "quality.",
                        "build" | "pack" => "packing.",
                        "load" | "ship" => "shipping.",
                        other => panic!("unexpected report {other}"),
                    };
                    assert!(
                        !types.is_empty() && types.iter().all(|t| t.starts_with(family)),
                        "round {round}: {kind}: {types:?}"
                    );
                }
            }
        }
        // No command without its events, no events without their command.
        let (bare_ops, orphan_events): (i64, i64) = store
            .read(|c| {
                Ok((
                    c.query_row("SELECT COUNT(*) FROM operations WHERE op_id NOT IN (SELECT op_id FROM outbox)", [], |r| r.get(0))?,
                    c.query_row("SELECT COUNT(*) FROM outbox WHERE op_id NOT IN (SELECT op_id FROM operations)", [], |r| r.get(0))?,
                ))
            })
            .unwrap();
        assert_eq!((bare_ops, orphan_events), (0, 0), "round {round}");
    }
    let store = Store::open(&db, "soak-device").unwrap();
    let counts = store.read(outbox::counts).unwrap();
    let committed: i64 = store
        .read(|c| Ok(c.query_row("SELECT COUNT(*) FROM operations", [], |r| r.get(0))?))
        .unwrap();
    eprintln!(
        "{killed_mid_run} kills in {:.1} s: {reported} commits reported by the child, {committed} commands and {} events in the database",
        started.elapsed().as_secs_f64(),
        counts.last_seq
    );
    assert_eq!(killed_mid_run, kills());
    assert!(reported as i64 <= committed);

    // What the children had not sent yet goes now; then the hub holds each event once.
    let store = Arc::new(store);
    let acknowledged_by_children = counts.acknowledged;
    let engine = SyncEngine::new(
        store.clone(),
        SyncConfig::new(&hub),
        Arc::new(StaticToken::new(token)),
    )
    .unwrap();
    runtime.block_on(async {
        for attempt in 0.. {
            match engine.sync_now().await {
                Ok(_) if engine.status().pending == 0 => break,
                Ok(_) => {}
                Err(e) => assert!(attempt < 5, "the final sync failed: {e}"),
            }
            assert!(attempt < 1000, "events never synced: {:?}", engine.status());
        }
        let devices: Vec<DeviceStatus> = admin_get(&format!("{hub}/v1/admin/devices")).await;
        assert_eq!(devices[0].contiguous_seq, counts.last_seq);
        let hub_stock: Vec<StockLine> = admin_get(&format!("{hub}/v1/admin/stock")).await;
        assert_eq!(hub_stock, stock_lines(&store).unwrap());
    });
    eprintln!(
        "the children's sync had {acknowledged_by_children} of {} events acknowledged by the hub between kills; all {} there once each after the final sync",
        counts.last_seq, counts.last_seq
    );
    eprintln!("commits reported, by kind: {by_kind:?}");
    assert!(
        committed >= kills() as i64,
        "the child did too little work between kills to test anything"
    );
}

async fn admin_get<T: serde::de::DeserializeOwned>(url: &str) -> T {
    let response = reqwest::get(url).await.unwrap();
    assert_eq!(response.status(), 200, "{url}");
    response.json().await.unwrap()
}
