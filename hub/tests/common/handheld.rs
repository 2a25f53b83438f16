//! A handheld on loopback with its own database and sync engine, and the towel work the shared
//! stock tests do with it.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use super::towels;
use dockhand_core::counting::{self, CountedLine, CreateCountTask, StartCount, SubmitCount};
use dockhand_core::picking;
use dockhand_core::protocol::EventKind;
use dockhand_core::protocol::master::CountTaskRequest;
use dockhand_core::sync::engine::{StaticToken, SyncConfig, SyncEngine, SyncReport};
use dockhand_core::sync::protocol::{Import, StockLine};
use dockhand_core::sync::stock_lines;
use dockhand_core::{Store, StoreOptions, catalog, outbox, sample};
use uuid::Uuid;

/// A handheld with its own database and sync engine.
pub struct Handheld {
    pub store: Arc<Store>,
    pub engine: SyncEngine,
}

impl Handheld {
    pub async fn new(hub: &super::TestHub, id: &str) -> Self {
        let store = Arc::new(Store::open_in_memory(StoreOptions::new(id)).unwrap());
        catalog::upsert_master_data(&store, &sample::warehouse()).unwrap();
        let token = hub.register_device(&store).await;
        let config = SyncConfig {
            // Small pages: every pull below crosses page boundaries.
            stock_page_size: 3,
            page_size: 50,
            request_timeout: Duration::from_secs(5),
            ..SyncConfig::new(&hub.url)
        };
        let engine =
            SyncEngine::new(store.clone(), config, Arc::new(StaticToken::new(token))).unwrap();
        Self { store, engine }
    }

    pub async fn sync(&self) -> SyncReport {
        self.engine.sync_now().await.unwrap()
    }

    pub fn view(&self) -> Vec<StockLine> {
        stock_lines(&self.store).unwrap()
    }

    pub fn at(&self, location: &str) -> Vec<(String, String, i64)> {
        self.view()
            .into_iter()
            .filter(|l| l.location == location)
            .map(|l| (l.sku, l.status, l.quantity))
            .collect()
    }

    pub fn events_of(&self, kind: EventKind) -> usize {
        self.store
            .read(|c| outbox::events(c, 1, 100_000))
            .unwrap()
            .iter()
            .filter(|e| e.envelope.event_type == kind.as_str())
            .count()
    }
}

/// Creates a pick task for `quantity` towels and picks what it allocates.
pub fn pick_towels(
    store: &Store,
    task_id: &str,
    quantity: i64,
) -> Result<(), dockhand_core::Error> {
    picking::create_pick_task(store, &towels::pick_task(task_id, quantity))?;
    while let Some(next) = store.read(|c| picking::next_pick(c, task_id))? {
        assert_eq!(next.location, "P-01-01");
        let cmd = towels::pick(task_id, &next, "71", &format!("TOTE-{task_id}"));
        picking::confirm_pick(store, &cmd)?;
    }
    Ok(())
}

/// Counts P-01-01 and finds `found` towels; returns the count's outcome lines.
pub fn count_pick_face(store: &Store, task_id: &str, found: i64) -> counting::CountSubmitted {
    counting::create_count_task(
        store,
        &CreateCountTask {
            op_id: Uuid::now_v7(),
            operator: "bob".into(),
            task: CountTaskRequest {
                task_id: task_id.into(),
                location: Some("P-01-01".into()),
                sku: None,
                reason: "cycle count".into(),
            },
        },
    )
    .unwrap();
    counting::start_count(
        store,
        &StartCount {
            op_id: Uuid::now_v7(),
            operator: "bob".into(),
            task_id: task_id.into(),
        },
    )
    .unwrap();
    submit_towels(store, task_id, "bob", found)
}

/// `operator` submits a round of count task `task_id` that found `found` towels.
pub fn submit_towels(
    store: &Store,
    task_id: &str,
    operator: &str,
    found: i64,
) -> counting::CountSubmitted {
    counting::submit_count(
        store,
        &SubmitCount {
            op_id: Uuid::now_v7(),
            operator: operator.into(),
            task_id: task_id.into(),
            lines: vec![CountedLine {
                location: None,
                scan: dockhand_core::ScannedGoods::barcode(sample::TOWELS_EA),
                quantity: found,
                counted_at: None,
            }],
        },
    )
    .unwrap()
}

pub async fn import_sample(hub: &super::TestHub) {
    hub.import(&Import {
        master: sample::warehouse(),
        ..Import::default()
    })
    .await;
}

/// Bob packs `quantity` towels of `tote` into a new carton of `order` at STAGE-01, taking
/// `removed` towels out again and back in when asked, loads the carton at SHIP-01 and ships the
/// order.
pub fn pack_load_ship(
    store: &Store,
    order: &str,
    tote: &str,
    quantity: i64,
    removed: i64,
) -> dockhand_core::shipping::ShipmentDone {
    use dockhand_core::packing::{self, BuildUnit, PackGoods, UnitKind, UnpackUnit};
    use dockhand_core::shipping::{self, LoadUnit, ShipOrder};
    let order = order.to_string();
    let towels = || dockhand_core::ScannedGoods::barcode(sample::TOWELS_EA);
    let carton = packing::build_unit(
        store,
        &BuildUnit {
            op_id: Uuid::now_v7(),
            operator: "bob".into(),
            kind: UnitKind::Carton,
            order_ref: Some(order.clone()),
            location: "STAGE-01".into(),
        },
    )
    .unwrap()
    .unit
    .lpn;
    let pack = |from_tote: Option<String>, quantity| PackGoods {
        op_id: Uuid::now_v7(),
        operator: "bob".into(),
        lpn: carton.clone(),
        from_tote,
        scan: towels(),
        quantity,
    };
    packing::pack_goods(store, &pack(Some(tote.to_string()), quantity)).unwrap();
    if removed > 0 {
        let unpack = UnpackUnit {
            op_id: Uuid::now_v7(),
            operator: "bob".into(),
            lpn: carton.clone(),
            scan: Some(towels()),
            quantity: removed,
        };
        packing::unpack_unit(store, &unpack).unwrap();
        packing::pack_goods(store, &pack(None, removed)).unwrap();
    }
    shipping::load_unit(
        store,
        &LoadUnit {
            op_id: Uuid::now_v7(),
            operator: "bob".into(),
            order_ref: order.clone(),
            door: "SHIP-01".into(),
            door_scan: "84".into(),
            lpn: carton,
        },
    )
    .unwrap();
    shipping::ship_order(
        store,
        &ShipOrder {
            op_id: Uuid::now_v7(),
            operator: "bob".into(),
            order_ref: order,
            door: "SHIP-01".into(),
            door_scan: "84".into(),
        },
    )
    .unwrap()
}
