//! A property of the shared stock (issue 14): three handhelds receive, put away, pick and count the
//! same goods in random order, each syncing at random moments (offline in between), against a real
//! hub on loopback. A count finds what is physically on the shelf, whatever the counting
//! handheld's view says. After a final full sync round every handheld's view equals the hub's
//! stock bucket by bucket (below zero included, where two took the same last units), the hub's
//! stock is every handheld's own work plus the hub's corrections of counts added up, and both
//! equal a reference model of the physical warehouse that applies each command the handhelds
//! accepted exactly once and takes each settled count as the truth of its shelf.
//!
//! `DOCKHAND_FLEET_CASES` sets the number of cases (default 64 on SQLite, a quarter of that on
//! PostgreSQL when a server is given).
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use common::{handheld, towels};
use dockhand_core::counting::{self, CreateCountTask, StartCount};
use dockhand_core::picking;
use dockhand_core::protocol::events::CountOutcome;
use dockhand_core::protocol::master::CountTaskRequest;
use dockhand_core::putaway;
use dockhand_core::receiving::{self, OpenBlindReceipt};
use dockhand_core::sync::engine::{StaticToken, SyncConfig, SyncEngine};
use dockhand_core::sync::protocol::{CountReconciled, Import, StockLine};
use dockhand_core::sync::{add_stock_lines, own_stock_lines, stock_lines};
use dockhand_core::{Store, StoreOptions, catalog, sample};
use dockhand_hub::HubConfig;
use proptest::prelude::*;
use uuid::Uuid;

const DEVICES: usize = 3;
/// Where putaways go: two storage locations and the pick face (all pickable).
const SHELVES: [(&str, &str); 3] = [("A-01-01", "41"), ("A-01-02", "42"), ("P-01-01", "71")];

#[derive(Debug, Clone)]
enum Step {
    Receive {
        device: usize,
        quantity: i64,
    },
    PutAway {
        device: usize,
        quantity: i64,
        shelf: usize,
    },
    Pick {
        device: usize,
        quantity: i64,
    },
    Count {
        device: usize,
        shelf: usize,
    },
    Sync {
        device: usize,
    },
}

fn step() -> impl Strategy<Value = Step> {
    let device = 0..DEVICES;
    prop_oneof![
        (device.clone(), 1..30i64)
            .prop_map(|(device, quantity)| Step::Receive { device, quantity }),
        (device.clone(), 1..30i64, 0..SHELVES.len()).prop_map(|(device, quantity, shelf)| {
            Step::PutAway {
                device,
                quantity,
                shelf,
            }
        }),
        (device.clone(), 1..25i64).prop_map(|(device, quantity)| Step::Pick { device, quantity }),
        (device.clone(), 0..SHELVES.len())
            .prop_map(|(device, shelf)| Step::Count { device, shelf }),
        device.prop_map(|device| Step::Sync { device }),
    ]
}

/// The physical warehouse: base units by (location, SKU, status).
type Model = BTreeMap<(String, String, String), i64>;

fn add(model: &mut Model, location: &str, status: &str, delta: i64) {
    *model
        .entry((location.into(), sample::TOWELS.into(), status.into()))
        .or_default() += delta;
}

/// The hub's lines by (location, SKU, status), licence plates added together.
fn physical(lines: &[StockLine]) -> Model {
    let mut model = Model::new();
    for l in lines {
        *model
            .entry((l.location.clone(), l.sku.clone(), l.status.clone()))
            .or_default() += l.quantity;
    }
    model.retain(|_, q| *q != 0);
    model
}

/// Runs one step; records in the model what an accepted command moved physically.
fn run_step(stores: &[Arc<Store>], step: &Step, model: &mut Model, n: usize) {
    match *step {
        Step::Receive { device, quantity } => {
            let cmd = towels::receive(&format!("R-{device}"), quantity);
            let done = receiving::receive_line(&stores[device], &cmd);
            if done.is_ok() {
                add(model, "DOCK-01", "received", quantity);
            }
        }
        Step::PutAway {
            device,
            quantity,
            shelf,
        } => {
            let (to, check) = SHELVES[shelf];
            let done =
                putaway::confirm_putaway(&stores[device], &towels::put_away(quantity, to, check));
            if done.is_ok() {
                add(model, "DOCK-01", "received", -quantity);
                add(model, to, "available", quantity);
            }
        }
        Step::Pick { device, quantity } => {
            let store = &stores[device];
            let task_id = format!("SO-{device}-{n}");
            let created = picking::create_pick_task(store, &towels::pick_task(&task_id, quantity));
            if created.is_err() {
                return;
            }
            while let Some(next) = store.read(|c| picking::next_pick(c, &task_id)).unwrap() {
                let check = SHELVES
                    .iter()
                    .find(|(code, _)| *code == next.location)
                    .map(|(_, check)| *check)
                    .unwrap();
                let tote = format!("TOTE-{task_id}");
                let cmd = towels::pick(&task_id, &next, check, &tote);
                picking::confirm_pick(store, &cmd).unwrap();
                add(model, &next.location, "available", -next.quantity);
                add(model, "STAGE-01", "in_transit", next.quantity);
            }
        }
        Step::Count { device, shelf } => {
            let (location, _) = SHELVES[shelf];
            let key = (
                location.to_string(),
                sample::TOWELS.to_string(),
                "available".to_string(),
            );
            // The counter finds what is there (nothing, where two took the same last units).
            let found = model.get(&key).copied().unwrap_or(0).max(0);
            let task_id = format!("CC-{device}-{n}");
            let store = &stores[device];
            let created = counting::create_count_task(
                store,
                &CreateCountTask {
                    op_id: Uuid::now_v7(),
                    operator: "bob".into(),
                    task: CountTaskRequest {
                        task_id: task_id.clone(),
                        location: Some(location.into()),
                        sku: None,
                        reason: "cycle count".into(),
                    },
                },
            );
            let started = created.and_then(|_| {
                counting::start_count(
                    store,
                    &StartCount {
                        op_id: Uuid::now_v7(),
                        operator: "bob".into(),
                        task_id: task_id.clone(),
                    },
                )
            });
            if started.is_err() {
                return;
            }
            let mut outcome = CountOutcome::RecountRequired;
            for counter in ["bob", "alice"] {
                if outcome == CountOutcome::RecountRequired {
                    outcome = handheld::submit_towels(store, &task_id, counter, found).outcome;
                }
            }
            // A settled count is the shelf's truth; one waiting for a supervisor changes nothing.
            if matches!(outcome, CountOutcome::NoVariance | CountOutcome::Adjusted) {
                model.insert(key, found);
            }
        }
        Step::Sync { .. } => {}
    }
}

async fn case(backend: &str, steps: Vec<Step>) -> Result<(), TestCaseError> {
    let Some(hub) = common::start(backend, HubConfig::default()).await else {
        return Ok(());
    };
    hub.import(&Import {
        master: sample::warehouse(),
        ..Import::default()
    })
    .await;
    let mut stores = Vec::new();
    let mut engines = Vec::new();
    for d in 0..DEVICES {
        let store = Arc::new(Store::open_in_memory(StoreOptions::new(format!("HH-{d}"))).unwrap());
        catalog::upsert_master_data(&store, &sample::warehouse()).unwrap();
        receiving::open_blind_receipt(
            &store,
            &OpenBlindReceipt {
                op_id: Uuid::now_v7(),
                operator: "alice".into(),
                receipt_id: format!("R-{d}"),
                reference: format!("door {d}"),
                supplier: "Nordic".into(),
            },
        )
        .unwrap();
        let token = hub.register_device(&store).await;
        let config = SyncConfig {
            stock_page_size: 2,
            request_timeout: Duration::from_secs(10),
            ..SyncConfig::new(&hub.url)
        };
        engines.push(
            SyncEngine::new(store.clone(), config, Arc::new(StaticToken::new(token))).unwrap(),
        );
        stores.push(store);
    }
    // Every handheld pulls the site's stock before its first scan, as an app does at sign-in.
    for e in &engines {
        e.sync_now().await.unwrap();
    }
    let mut model = Model::new();
    for (n, s) in steps.iter().enumerate() {
        // Each step at a later millisecond than the one before: the hub orders moves and counts
        // by their time.
        tokio::time::sleep(Duration::from_millis(2)).await;
        if let Step::Sync { device } = s {
            engines[*device].sync_now().await.unwrap();
        } else {
            let stores = stores.clone();
            let s = s.clone();
            let mut m = std::mem::take(&mut model);
            model = tokio::task::spawn_blocking(move || {
                run_step(&stores, &s, &mut m, n);
                m
            })
            .await
            .unwrap();
        }
    }
    // A full round: everybody pushes, then everybody pulls what the others pushed.
    for round in 0..2 {
        for e in &engines {
            let report = e.sync_now().await.unwrap();
            prop_assert_eq!(report.rejected, 0, "round {}", round);
        }
    }
    let hub_stock: Vec<StockLine> = hub.admin_get("/v1/admin/stock").await;
    let mut own: Vec<_> = stores.iter().map(|s| own_stock_lines(s).unwrap()).collect();
    let corrections: Vec<CountReconciled> = hub.admin_get("/v1/admin/counts/reconciled").await;
    own.push(
        corrections
            .iter()
            .map(|c| StockLine::from(&c.movement))
            .collect(),
    );
    prop_assert_eq!(&hub_stock, &add_stock_lines(&own));
    for s in &stores {
        prop_assert_eq!(&stock_lines(s).unwrap(), &hub_stock, "{}", s.device_id());
        let integrity = s.verify_integrity().unwrap();
        prop_assert!(integrity.is_ok(), "{:?}", integrity);
    }
    model.retain(|_, q| *q != 0);
    prop_assert_eq!(physical(&hub_stock), model);
    Ok(())
}

fn cases(backend: &str) -> u32 {
    let n = std::env::var("DOCKHAND_FLEET_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64);
    if backend == "postgres" {
        (n / 4).max(1)
    } else {
        n
    }
}

fn check(backend: &'static str) {
    if backend == "postgres" && std::env::var("DOCKHAND_TEST_POSTGRES").is_err() {
        assert!(std::env::var_os("CI").is_none(), "CI must run PostgreSQL");
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let config = ProptestConfig {
        cases: cases(backend),
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    proptest!(config, |(steps in prop::collection::vec(step(), 10..60))| {
        runtime.block_on(case(backend, steps))?;
    });
}

#[test]
fn every_view_equals_the_hub_and_the_warehouse_after_a_full_round_sqlite() {
    check("sqlite");
}

#[test]
fn every_view_equals_the_hub_and_the_warehouse_after_a_full_round_postgres() {
    check("postgres");
}
