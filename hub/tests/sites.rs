//! Sites (issue 14): a hub serves warehouses, every device registers for one. A hub starts with
//! site `main`; with several, a device names its own; an unknown site, or another site than the
//! one a device has, is refused with a sentence until an administrator moves it. Each site keeps
//! its own locations, tasks, stock and ERP feed; items are shared. On both backends.
#![allow(clippy::unwrap_used)]

mod common;

use common::towels;
use dockhand_core::protocol::master::CountTaskRequest;
use dockhand_core::sync::engine::{StaticToken, SyncConfig, SyncEngine};
use dockhand_core::sync::protocol::{
    ChangeKind, ChangesPage, DeviceStatus, Import, OpeningBalance, Registration, StockLine,
};
use dockhand_core::sync::stock_lines;
use dockhand_core::{Store, StoreOptions, catalog, sample};
use dockhand_hub::HubConfig;
use dockhand_hub::store::GrantMode;

async fn register(hub: &common::TestHub, device: &str, site: Option<&str>) -> reqwest::Response {
    hub.client
        .post(format!("{}/v1/devices/register", hub.url))
        .json(&Registration {
            device_id: device.into(),
            name: String::new(),
            registration_secret: None,
            public_key: None,
            site: site.map(str::to_string),
        })
        .send()
        .await
        .unwrap()
}

async fn message(response: reqwest::Response) -> String {
    let problem: serde_json::Value = response.json().await.unwrap();
    problem["message"].as_str().unwrap().to_string()
}

async fn site_of(hub: &common::TestHub, device: &str) -> String {
    let devices: Vec<DeviceStatus> = hub.admin_get("/v1/admin/devices").await;
    devices
        .into_iter()
        .find(|d| d.device_id == device)
        .unwrap()
        .site
}

on_both_backends!(
    devices_register_for_a_site_and_move_only_when_an_administrator_moves_them,
    HubConfig::default(),
    |hub| {
        // One site: a device needs not name it.
        assert_eq!(register(&hub, "HH-1", None).await.status(), 201);
        assert_eq!(site_of(&hub, "HH-1").await, "main");

        let store = hub.store.clone();
        let added = tokio::task::spawn_blocking(move || {
            let now = dockhand_hub::now_text();
            (
                store.add_site("north", "North DC", &now).unwrap(),
                store.add_site("north", "North DC", &now).unwrap(),
                store
                    .add_site("no/slash", "", &now)
                    .unwrap_err()
                    .to_string(),
            )
        })
        .await
        .unwrap();
        assert_eq!((added.0, added.1), (true, false));
        assert!(
            added.2.contains("site id \"no/slash\": 1 to 32 letters"),
            "{}",
            added.2
        );

        // Two sites: a new device names its own.
        let unnamed = register(&hub, "HH-2", None).await;
        assert_eq!(unnamed.status(), 400);
        let text = message(unnamed).await;
        assert!(
            text.contains(
                "this hub serves 2 sites (main, north): name the site device HH-2 works in"
            ),
            "{text}"
        );
        let unknown = register(&hub, "HH-2", Some("south")).await;
        assert_eq!(unknown.status(), 400);
        let text = message(unknown).await;
        assert!(
            text.contains("there is no site \"south\" at this hub; its sites: main, north"),
            "{text}"
        );
        assert_eq!(register(&hub, "HH-2", Some("north")).await.status(), 201);
        assert_eq!(site_of(&hub, "HH-2").await, "north");

        // A device of one site cannot take itself to another.
        let store = hub.store.clone();
        let moved = tokio::task::spawn_blocking(move || {
            let issue = |mode| {
                dockhand_hub::api::issue_token(
                    store.as_ref(),
                    "HH-1",
                    "",
                    std::time::Duration::from_secs(3600),
                    mode,
                    None,
                    Some("north"),
                )
            };
            (
                issue(GrantMode::Renew).unwrap_err().to_string(),
                issue(GrantMode::Replace).is_ok(),
            )
        })
        .await
        .unwrap();
        assert!(
            moved.0.contains(
                "device HH-1 is registered for site main, not north: an administrator moves it"
            ),
            "{}",
            moved.0
        );
        assert!(moved.1, "an administrator's replacement moves it");
        assert_eq!(site_of(&hub, "HH-1").await, "north");
    }
);

/// A handheld registered for `site`, syncing its site's stock.
async fn handheld(
    hub: &common::TestHub,
    id: &str,
    site: &str,
) -> (std::sync::Arc<Store>, SyncEngine, String) {
    let store = std::sync::Arc::new(Store::open_in_memory(StoreOptions::new(id)).unwrap());
    catalog::upsert_master_data(&store, &sample::warehouse()).unwrap();
    let token = hub.register_device_at(&store, Some(site)).await;
    let config = SyncConfig {
        site: Some(site.into()),
        request_timeout: std::time::Duration::from_secs(5),
        ..SyncConfig::new(&hub.url)
    };
    let engine = SyncEngine::new(
        store.clone(),
        config,
        std::sync::Arc::new(StaticToken::new(token.clone())),
    )
    .unwrap();
    (store, engine, token)
}

fn at(store: &Store, location: &str) -> Vec<(String, i64)> {
    stock_lines(store)
        .unwrap()
        .into_iter()
        .filter(|l| l.location == location)
        .map(|l| (l.sku, l.quantity))
        .collect()
}

/// The keys of the changes a device's token pulls.
async fn pulled_keys(hub: &common::TestHub, token: &str) -> Vec<(ChangeKind, String)> {
    let page: ChangesPage = hub
        .client
        .get(format!("{}/v1/changes?limit=10000", hub.url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    page.changes.into_iter().map(|c| (c.kind, c.key)).collect()
}

fn count_task(task_id: &str) -> CountTaskRequest {
    CountTaskRequest {
        task_id: task_id.into(),
        location: Some("P-01-01".into()),
        sku: None,
        reason: "cycle count".into(),
    }
}

async fn admin_status(hub: &common::TestHub, path: &str) -> (u16, String) {
    let response = hub
        .client
        .get(format!("{}{path}", hub.url))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

on_both_backends!(
    each_site_keeps_its_own_locations_tasks_and_stock_and_shares_its_items,
    HubConfig::default(),
    |hub| {
        let store = hub.store.clone();
        tokio::task::spawn_blocking(move || {
            store
                .add_site("north", "North DC", &dockhand_hub::now_text())
                .unwrap()
        })
        .await
        .unwrap();
        // Locations without a site, on a hub of two: refused with a sentence, nothing written.
        let response = hub
            .client
            .post(format!("{}/v1/admin/import", hub.url))
            .json(&Import {
                master: sample::warehouse(),
                ..Import::default()
            })
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400);
        let text = message(response).await;
        assert!(
            text.contains(
                "this hub serves 2 sites (main, north): name the site this import's locations"
            ),
            "{text}"
        );
        let response = hub
            .client
            .post(format!("{}/v1/admin/import", hub.url))
            .json(&Import {
                site: Some("south".into()),
                master: sample::warehouse(),
                ..Import::default()
            })
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400);
        let text = message(response).await;
        assert!(text.contains("there is no site \"south\""), "{text}");
        let store = hub.store.clone();
        let written = tokio::task::spawn_blocking(move || {
            (
                store.changes("main", 0, 100).unwrap().len(),
                store.changes("north", 0, 100).unwrap().len(),
            )
        })
        .await
        .unwrap();
        assert_eq!(written, (0, 0));

        // Items without a site are shared; each site gets the same location codes as its own.
        let items = Import {
            master: dockhand_core::catalog::MasterData {
                locations: Vec::new(),
                ..sample::warehouse()
            },
            ..Import::default()
        };
        let shared = hub.import(&items).await;
        assert!(shared.changed > 0);
        for (site, task) in [("main", "CC-MAIN"), ("north", "CC-NORTH")] {
            let result = hub
                .import(&Import {
                    site: Some(site.into()),
                    master: sample::warehouse(),
                    count_tasks: vec![count_task(task)],
                    ..Import::default()
                })
                .await;
            // The items, units, barcodes and operators are there already: only the site's own
            // locations and task are new.
            assert_eq!(
                result.changed,
                sample::warehouse().locations.len() + 1,
                "{site}: {result:?}"
            );
        }

        let (m, m_engine, m_token) = handheld(&hub, "HH-MAIN", "main").await;
        let (n, n_engine, n_token) = handheld(&hub, "HH-NORTH", "north").await;
        // Each device pulls the items every site shares, its own site's locations and tasks.
        let main_keys = pulled_keys(&hub, &m_token).await;
        let north_keys = pulled_keys(&hub, &n_token).await;
        let task = |keys: &[(ChangeKind, String)]| -> Vec<String> {
            keys.iter()
                .filter(|(k, _)| *k == ChangeKind::CountTask)
                .map(|(_, key)| key.clone())
                .collect()
        };
        assert_eq!(task(&main_keys), ["CC-MAIN"]);
        assert_eq!(task(&north_keys), ["CC-NORTH"]);
        let count =
            |keys: &[(ChangeKind, String)], kind| keys.iter().filter(|(k, _)| *k == kind).count();
        for kind in [ChangeKind::Item, ChangeKind::Location, ChangeKind::Barcode] {
            assert_eq!(
                count(&main_keys, kind),
                count(&north_keys, kind),
                "{kind:?}"
            );
            assert!(count(&main_keys, kind) > 0, "{kind:?}");
        }

        // Main puts 48 away to its P-01-01; north 5 to its own P-01-01.
        towels::receive_and_put_away(&m, "DOOR-M", 48);
        towels::receive_and_put_away(&n, "DOOR-N", 5);
        for engine in [&m_engine, &n_engine, &m_engine, &n_engine] {
            let report = engine.sync_now().await.unwrap();
            assert_eq!(report.rejected, 0, "{report:?}");
        }
        assert_eq!(at(&m, "P-01-01"), [(sample::TOWELS.to_string(), 48)]);
        assert_eq!(at(&n, "P-01-01"), [(sample::TOWELS.to_string(), 5)]);
        let main_stock: Vec<StockLine> = hub.admin_get("/v1/admin/stock?site=main").await;
        let north_stock: Vec<StockLine> = hub.admin_get("/v1/admin/stock?site=north").await;
        assert_eq!(stock_lines(&m).unwrap(), main_stock);
        assert_eq!(stock_lines(&n).unwrap(), north_stock);
        let (status, text) = admin_status(&hub, "/v1/admin/stock").await;
        assert_eq!(status, 400);
        assert!(text.contains("name the site whose stock to show"), "{text}");

        // The ERP's feed of a site carries that site's events only.
        let store = hub.store.clone();
        let feeds = tokio::task::spawn_blocking(move || {
            let devices = |site: &str| {
                let mut ids: Vec<String> = store
                    .feed(site, 0, 1000)
                    .unwrap()
                    .into_iter()
                    .map(|e| e.event.device_id)
                    .collect();
                ids.dedup();
                ids
            };
            (
                devices("main"),
                devices("north"),
                store.feed("", 0, 1000).unwrap().len(),
            )
        })
        .await
        .unwrap();
        assert_eq!(feeds.0, ["HH-MAIN"]);
        assert_eq!(feeds.1, ["HH-NORTH"]);
        assert!(feeds.2 > 2);

        // Opening balances for north add to north's stock only.
        let loaded = hub
            .import(&Import {
                site: Some("north".into()),
                opening_balances: vec![OpeningBalance {
                    location: "A-01-02".into(),
                    sku: sample::TOWELS.into(),
                    lot: String::new(),
                    expiry: None,
                    serial: String::new(),
                    lpn: String::new(),
                    status: None,
                    quantity: 7,
                }],
                ..Import::default()
            })
            .await;
        assert_eq!(loaded.opening_units, 7);
        m_engine.sync_now().await.unwrap();
        n_engine.sync_now().await.unwrap();
        assert!(at(&m, "A-01-02").is_empty());
        assert_eq!(at(&n, "A-01-02"), [(sample::TOWELS.to_string(), 7)]);
        let main_after: Vec<StockLine> = hub.admin_get("/v1/admin/stock?site=main").await;
        assert_eq!(main_after, main_stock);
        assert!(m.verify_integrity().unwrap().is_ok());
        assert!(n.verify_integrity().unwrap().is_ok());
    }
);
