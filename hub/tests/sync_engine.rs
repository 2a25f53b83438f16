//! The device sync engine against a real hub on loopback: rejections become exceptions without
//! blocking the queue, tokens are refreshed once on 401, listeners see the states, pulls resume
//! after an interruption between pages, and scans go on while the hub is unreachable.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use dockhand_core::sync::engine::{
    StaticToken, SyncConfig, SyncEngine, SyncError, SyncListener, SyncState, SyncStatus,
    TokenSource,
};
use dockhand_core::sync::protocol::{HubException, Import, StockLine};
use dockhand_core::sync::{own_stock_lines, stock_lines};
use dockhand_core::workload::Workload;
use dockhand_core::{Store, StoreOptions, catalog, outbox, sample};
use dockhand_hub::HubConfig;

fn fast(url: &str) -> SyncConfig {
    SyncConfig {
        batch_size: 50,
        page_size: 10,
        request_timeout: Duration::from_secs(2),
        debounce: Duration::from_millis(10),
        period: Duration::from_secs(3600),
        backoff_initial: Duration::from_millis(10),
        backoff_max: Duration::from_millis(100),
        ..SyncConfig::new(url)
    }
}

fn engine(store: &Arc<Store>, url: &str, tokens: Arc<dyn TokenSource>) -> SyncEngine {
    SyncEngine::new(store.clone(), fast(url), tokens).unwrap()
}

on_both_backends!(
    a_rejected_event_becomes_an_exception_and_the_queue_drains,
    HubConfig::default(),
    |hub| {
        // The hub's catalog lacks the towels this device receives.
        let data = Import {
            master: common::without_towels(sample::warehouse()),
            ..Import::default()
        };
        hub.import(&data).await;
        let store = Arc::new(common::device("HH-A", 120, 11));
        let total = store.read(outbox::counts).unwrap().last_seq;
        let token = hub.register("HH-A").await;
        let engine = engine(&store, &hub.url, Arc::new(StaticToken::new(token)));
        let report = engine.sync_now().await.unwrap();
        assert!(report.rejected > 0);
        assert_eq!(report.acknowledged + report.rejected, total as usize);
        let status = engine.status();
        assert_eq!(
            (status.state, status.pending, status.rejected),
            (SyncState::Idle, 0, report.rejected as i64)
        );
        let exceptions = store.read(outbox::rejected).unwrap();
        assert_eq!(exceptions.len(), report.rejected);
        assert_eq!(exceptions[0].reject_code.as_deref(), Some("unknown_sku"));
        assert!(
            exceptions[0]
                .reject_reason
                .as_deref()
                .unwrap()
                .contains(sample::TOWELS)
        );
        let at_hub: Vec<HubException> = hub.admin_get("/v1/admin/exceptions").await;
        assert_eq!(at_hub.len(), report.rejected);
        // Events after the rejected ones were not blocked: the last one is acknowledged.
        let last = store.read(|c| outbox::events(c, total, 1)).unwrap();
        assert_ne!(last[0].state, outbox::OutboxState::Pending);
    }
);

/// Issues a new token from the hub's store whenever the hub refuses the current one.
struct Refreshing {
    current: Mutex<String>,
    store: Arc<dyn dockhand_hub::HubStore>,
    refreshes: Mutex<u32>,
}

impl TokenSource for Refreshing {
    fn current(&self) -> Result<Option<String>, String> {
        Ok(Some(self.current.lock().unwrap().clone()))
    }
    fn refresh(&self) -> Result<Option<String>, String> {
        *self.refreshes.lock().unwrap() += 1;
        let fresh = dockhand_hub::api::issue_token(
            self.store.as_ref(),
            "HH-A",
            "",
            Duration::from_secs(3600),
            dockhand_hub::store::GrantMode::Renew,
            None,
            None,
        )
        .unwrap()
        .token;
        *self.current.lock().unwrap() = fresh.clone();
        Ok(Some(fresh))
    }
}

on_both_backends!(
    an_expired_token_is_refreshed_once_through_the_app,
    HubConfig {
        token_ttl: Duration::from_secs(1),
        ..HubConfig::default()
    },
    |hub| {
        let store = Arc::new(common::device("HH-A", 20, 12));
        let token = hub.register("HH-A").await;
        tokio::time::sleep(Duration::from_millis(1100)).await;
        let tokens = Arc::new(Refreshing {
            current: Mutex::new(token.clone()),
            store: hub.store.clone(),
            refreshes: Mutex::new(0),
        });
        let engine = engine(&store, &hub.url, tokens.clone());
        engine.sync_now().await.unwrap();
        assert_eq!(*tokens.refreshes.lock().unwrap(), 1);
        assert_eq!(engine.status().pending, 0);
        // An app that has no fresh token: the sync fails as unauthorised, the events stay pending.
        let other = Arc::new(common::device("HH-B", 5, 13));
        let b_token = hub.register("HH-B").await;
        tokio::time::sleep(Duration::from_millis(1100)).await;
        let stuck = engine_for_b(&other, &hub.url, &b_token);
        let err = stuck.sync_now().await.unwrap_err();
        assert!(
            matches!(&err, SyncError::Unauthorized(m) if m.contains("expired")),
            "{err}"
        );
        let status = stuck.status();
        assert_eq!(status.state, SyncState::Error);
        assert!(status.pending > 0);
        assert!(status.last_error.unwrap().contains("expired"));
    }
);

/// A token source whose app never has a new token.
struct Fixed(String);

impl TokenSource for Fixed {
    fn current(&self) -> Result<Option<String>, String> {
        Ok(Some(self.0.clone()))
    }
    fn refresh(&self) -> Result<Option<String>, String> {
        Ok(None)
    }
}

fn engine_for_b(store: &Arc<Store>, url: &str, token: &str) -> SyncEngine {
    engine(store, url, Arc::new(Fixed(token.into())))
}

#[derive(Default)]
struct Recorder(Mutex<Vec<SyncStatus>>);

impl SyncListener for Recorder {
    fn on_status(&self, status: &SyncStatus) {
        self.0.lock().unwrap().push(status.clone());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scans_go_on_offline_and_commits_trigger_a_debounced_sync_when_the_hub_is_back() {
    // A port nobody listens on yet.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let store = Arc::new(common::device("HH-A", 10, 14));
    let tokens = Arc::new(StaticToken::new("not-yet"));
    let engine = engine(&store, &url, tokens.clone());
    let recorder = Arc::new(Recorder::default());
    let handle = engine.add_listener(recorder.clone());
    let err = engine.sync_now().await.unwrap_err();
    assert!(err.is_transient(), "{err}");
    let offline = engine.status();
    assert_eq!(offline.state, SyncState::Offline);
    // Scanning goes on; the pending count follows it while offline.
    let mut mix = Workload::new(15);
    for _ in 0..10 {
        mix.step(&store).unwrap();
    }
    let pending = store.read(outbox::counts).unwrap().pending;
    assert_eq!(engine.status().pending, pending);
    let states: Vec<SyncState> = recorder.0.lock().unwrap().iter().map(|s| s.state).collect();
    assert_eq!(&states[..2], &[SyncState::Syncing, SyncState::Offline]);

    // The hub comes up on that port; the app reports connectivity; the engine's loop syncs.
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    let (hub_store, _dir) = tokio::task::spawn_blocking(|| common::open_backend("sqlite").unwrap())
        .await
        .unwrap();
    let hub = hub_store.clone();
    tokio::spawn(dockhand_hub::serve(
        listener,
        hub_store,
        HubConfig::default(),
        std::future::pending(),
    ));
    let token = dockhand_hub::api::issue_token(
        hub.as_ref(),
        "HH-A",
        "",
        Duration::from_secs(60),
        dockhand_hub::store::GrantMode::New,
        None,
        None,
    )
    .unwrap();
    tokens.set(token.token);
    engine.start(&tokio::runtime::Handle::current());
    engine.set_connectivity(false);
    engine.set_connectivity(true);
    wait_until(|| engine.status().pending == 0).await;
    // New scans are pushed by the commit trigger alone.
    mix.step(&store).unwrap();
    mix.step(&store).unwrap();
    wait_until(|| engine.status().pending == 0 && engine.status().state == SyncState::Idle).await;
    assert_eq!(hub.stock("main").unwrap(), stock_lines(&store).unwrap());
    let seen = recorder.0.lock().unwrap().len();
    assert!(
        recorder
            .0
            .lock()
            .unwrap()
            .iter()
            .any(|s| s.state == SyncState::Idle && s.pending == 0)
    );
    // Dropping the handle unsubscribes.
    drop(handle);
    mix.step(&store).unwrap();
    engine.sync_now().await.unwrap();
    assert_eq!(recorder.0.lock().unwrap().len(), seen);
    let hub_stock: Vec<StockLine> = hub.stock("main").unwrap();
    assert_eq!(hub_stock, stock_lines(&store).unwrap());
}

async fn wait_until(mut done: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(std::time::Instant::now() < deadline, "timed out");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pull_interrupted_between_pages_resumes_after_the_last_page_applied() {
    let hub = common::start("sqlite", HubConfig::default()).await.unwrap();
    hub.import(&Import {
        master: sample::warehouse(),
        expected_receipts: vec![sample::asn()],
        ..Import::default()
    })
    .await;
    let total_changes = hub.store.changes("main", 0, 10_000).unwrap().len();
    let token = hub.register("HH-A").await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("device.db");
    // The proxy lets three requests through, then the network dies (the app is killed).
    let proxy = common::proxy::FaultProxy::start(
        hub.url.trim_start_matches("http://").parse().unwrap(),
        common::proxy::Plan::dies_after(3),
    )
    .await;
    {
        let store = Arc::new(Store::open(&path, "HH-A").unwrap());
        let engine = engine(
            &store,
            &proxy.url,
            Arc::new(StaticToken::new(token.clone())),
        );
        let recorder = Arc::new(Recorder::default());
        let _handle = engine.add_listener(recorder.clone());
        let result = engine.sync_now().await;
        assert!(result.is_err());
    }
    let store = Arc::new(Store::open(&path, "HH-A").unwrap());
    let applied_before = store.read(catalog::counts).unwrap();
    assert!(
        dockhand_core::sync::changes_cursor(&store)
            .unwrap()
            .is_some()
    );
    *proxy.plan.lock().unwrap() = common::proxy::Plan::clean();
    let engine = engine(&store, &proxy.url, Arc::new(StaticToken::new(token)));
    let report = engine.sync_now().await.unwrap();
    let applied_first = applied_before.items
        + applied_before.units
        + applied_before.barcodes
        + applied_before.locations
        + applied_before.operators;
    // Nothing pulled twice, nothing missing.
    assert!(applied_first > 0);
    assert_eq!(report.pulled + applied_first, total_changes);
    assert_eq!(
        store.read(catalog::counts).unwrap().items,
        sample::warehouse().items.len()
    );
}

#[test]
fn the_same_device_database_cannot_be_claimed_by_a_second_device() {
    // Guard for the tests above: devices are told apart by the id recorded in their file.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.db");
    drop(Store::open(&path, "HH-A").unwrap());
    assert!(Store::open_with(&path, StoreOptions::new("HH-B")).is_err());
}

on_both_backends!(
    a_production_hub_verifies_what_the_engine_signs_and_the_engine_enrols_its_key,
    HubConfig {
        development: false,
        registration_secret: Some("registration-secret-0123456789".into()),
        admin_token: Some("admin-token-0123456789abcdef".into()),
        ..HubConfig::default()
    },
    |hub| {
        // Registered through the engine: the registration carries the device's key.
        let a = Arc::new(common::device("HH-SA", 40, 3));
        let probe = SyncEngine::new(
            a.clone(),
            fast(&hub.url),
            Arc::new(StaticToken::new(String::new())),
        )
        .unwrap();
        let token = probe
            .register("dock 1", Some("registration-secret-0123456789".into()))
            .await
            .unwrap();
        let total = a.read(outbox::counts).unwrap().last_seq as usize;
        let report = engine(&a, &hub.url, Arc::new(StaticToken::new(token.token)))
            .sync_now()
            .await
            .unwrap();
        assert_eq!((report.acknowledged, report.rejected), (total, 0));

        // Issued by an administrator without the key: the engine enrols it when the hub asks.
        let b = Arc::new(common::device("HH-SB", 40, 4));
        let issued = hub
            .client
            .post(format!("{}/v1/admin/devices/HH-SB/token", hub.url))
            .bearer_auth("admin-token-0123456789abcdef")
            .send()
            .await
            .unwrap()
            .json::<dockhand_core::sync::protocol::DeviceToken>()
            .await
            .unwrap();
        let total = b.read(outbox::counts).unwrap().last_seq as usize;
        let report = engine(&b, &hub.url, Arc::new(StaticToken::new(issued.token)))
            .sync_now()
            .await
            .unwrap();
        assert_eq!((report.acknowledged, report.rejected), (total, 0));
        let stock: Vec<StockLine> = hub
            .client
            .get(format!("{}/v1/admin/stock", hub.url))
            .bearer_auth("admin-token-0123456789abcdef")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        // The hub's stock is both devices' movements; b, which synced last, sees all of it.
        let own = [own_stock_lines(&a).unwrap(), own_stock_lines(&b).unwrap()];
        assert_eq!(stock, dockhand_core::sync::add_stock_lines(&own));
        assert_eq!(stock, stock_lines(&b).unwrap());
        assert!(b.verify_integrity().unwrap().is_ok());
    }
);
