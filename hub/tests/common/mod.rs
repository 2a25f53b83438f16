//! A real hub on loopback for the tests, on each storage backend, and devices that make events.
#![allow(clippy::unwrap_used, dead_code)]

use std::sync::Arc;

use dockhand_core::outbox;
use dockhand_core::sync::protocol::{
    DeviceToken, Envelope, EventBatch, IntakeResult, Registration,
};
use dockhand_core::workload::Workload;
use dockhand_core::{Store, StoreOptions};
use dockhand_hub::{HubConfig, HubStore};

/// A hub serving on 127.0.0.1 until dropped.
pub struct TestHub {
    pub url: String,
    pub store: Arc<dyn HubStore>,
    pub client: reqwest::Client,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    _dir: Option<tempfile::TempDir>,
}

impl Drop for TestHub {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// The backends every hub test runs against: `sqlite`, and `postgres` when
/// DOCKHAND_TEST_POSTGRES names a server (.ci/run starts one; CI fails without it).
pub fn open_backend(backend: &str) -> Option<(Arc<dyn HubStore>, Option<tempfile::TempDir>)> {
    match backend {
        "sqlite" => {
            let dir = tempfile::tempdir().unwrap();
            let store = dockhand_hub::sqlite::SqliteStore::open(dir.path().join("hub.db")).unwrap();
            Some((Arc::new(store), Some(dir)))
        }
        _ => {
            let base = postgres_base("the PostgreSQL backend")?;
            Some((Arc::new(fresh_postgres(&base)), None))
        }
    }
}

/// The test PostgreSQL server (DOCKHAND_TEST_POSTGRES), or `None` with a line saying that `what`
/// did not run here; under CI (which starts one) its absence fails the test.
pub fn postgres_base(what: &str) -> Option<String> {
    match std::env::var("DOCKHAND_TEST_POSTGRES") {
        Ok(base) => Some(base),
        Err(_) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must run {what}: set DOCKHAND_TEST_POSTGRES (scripts/postgres-test-server.sh)"
            );
            eprintln!("DOCKHAND_TEST_POSTGRES not set: {what} not run here");
            None
        }
    }
}

pub mod browser;
pub mod handheld;
pub mod proxy;
pub mod towels;

/// A new, empty database on the test server, so tests never see each other's rows.
pub fn fresh_postgres(base: &str) -> dockhand_hub::postgres::PostgresStore {
    dockhand_hub::postgres::PostgresStore::connect(&fresh_postgres_url(base)).unwrap()
}

/// The URL of a new, empty database on the test server.
pub fn fresh_postgres_url(base: &str) -> String {
    let name = format!("dockhand_test_{}", uuid::Uuid::now_v7().simple());
    dockhand_hub::postgres::create_database(base, &name).unwrap()
}

/// Starts a hub on the backend with `config`.
pub async fn start(backend: &str, config: HubConfig) -> Option<TestHub> {
    // The PostgreSQL client blocks: never on a runtime thread.
    let backend = backend.to_string();
    let (store, dir) = tokio::task::spawn_blocking(move || open_backend(&backend))
        .await
        .unwrap()?;
    Some(start_on(store, dir, config).await)
}

pub async fn start_on(
    store: Arc<dyn HubStore>,
    dir: Option<tempfile::TempDir>,
    config: HubConfig,
) -> TestHub {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel();
    tokio::spawn(dockhand_hub::serve(
        listener,
        store.clone(),
        config,
        async {
            let _ = rx.await;
        },
    ));
    TestHub {
        url,
        store,
        client: reqwest::Client::new(),
        shutdown: Some(tx),
        _dir: dir,
    }
}

/// Runs `$body` (an async block taking `hub: TestHub`) on each backend as its own test.
#[macro_export]
macro_rules! on_both_backends {
    ($name:ident, $config:expr, |$hub:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            async fn run(backend: &str) {
                let Some($hub) = common::start(backend, $config).await else {
                    return;
                };
                $body
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                run("sqlite").await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                run("postgres").await;
            }
        }
    };
}

/// A device with the sample warehouse, in memory, after `steps` workload commands.
pub fn device(id: &str, steps: usize, seed: u64) -> Store {
    device_with(id, steps, Workload::new(seed))
}

/// [`device`] after `steps` commands of `mix` (e.g. `Workload::new(seed).every_kind()`).
pub fn device_with(id: &str, steps: usize, mut mix: Workload) -> Store {
    let store = Store::open_in_memory(StoreOptions::new(id)).unwrap();
    Workload::seed_store(&store).unwrap();
    for _ in 0..steps {
        mix.step(&store).unwrap();
    }
    store
}

/// Every event of the device, as sent.
pub fn envelopes(store: &Store) -> Vec<Envelope> {
    store
        .read(|c| outbox::events(c, 1, usize::MAX >> 1))
        .unwrap()
        .into_iter()
        .map(|e| e.envelope)
        .collect()
}

/// GET `url` and read its JSON answer.
pub async fn get_json<T: serde::de::DeserializeOwned>(client: &reqwest::Client, url: &str) -> T {
    let response = client.get(url).send().await.unwrap();
    assert!(
        response.status().is_success(),
        "{url}: {}",
        response.status()
    );
    response.json().await.unwrap()
}

/// POST `body` as JSON to `url` and read the JSON answer.
pub async fn post_json<T: serde::de::DeserializeOwned>(
    client: &reqwest::Client,
    url: &str,
    body: &impl serde::Serialize,
) -> T {
    let response = client.post(url).json(body).send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    assert!(status.is_success(), "{url}: {status}: {text}");
    serde_json::from_str(&text).unwrap()
}

impl TestHub {
    /// Loads master data and tasks through the admin API.
    pub async fn import(
        &self,
        data: &dockhand_core::sync::protocol::Import,
    ) -> dockhand_core::sync::protocol::ImportResult {
        post_json(&self.client, &format!("{}/v1/admin/import", self.url), data).await
    }

    /// Gives site `main` its GS1 company prefix and SSCC extension digit: devices then get
    /// serial references with their next sync.
    pub async fn set_sscc_prefix(&self, prefix: &str, extension: u8) {
        let store = self.store.clone();
        let prefix = prefix.to_string();
        tokio::task::spawn_blocking(move || {
            dockhand_hub::sscc::set_prefix(store.as_ref(), "main", &prefix, extension).unwrap();
        })
        .await
        .unwrap();
    }

    /// Registers a device without a key (development mode: its events are not verified).
    pub async fn register(&self, device_id: &str) -> String {
        self.register_with(device_id, None).await
    }

    /// Registers a device with its public key: its events are verified.
    pub async fn register_device(&self, device: &Store) -> String {
        self.register_device_at(device, None).await
    }

    /// [`Self::register_device`] for a site (none: the hub's only site).
    pub async fn register_device_at(&self, device: &Store, site: Option<&str>) -> String {
        self.register_at(device.device_id(), device.public_key(), site)
            .await
    }

    async fn register_with(&self, device_id: &str, public_key: Option<String>) -> String {
        self.register_at(device_id, public_key, None).await
    }

    async fn register_at(
        &self,
        device_id: &str,
        public_key: Option<String>,
        site: Option<&str>,
    ) -> String {
        let response = self
            .client
            .post(format!("{}/v1/devices/register", self.url))
            .json(&Registration {
                device_id: device_id.into(),
                name: String::new(),
                registration_secret: None,
                public_key,
                site: site.map(str::to_string),
            })
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        response.json::<DeviceToken>().await.unwrap().token
    }

    pub async fn push_raw(
        &self,
        token: Option<&str>,
        device_id: &str,
        events: &[Envelope],
    ) -> reqwest::Response {
        let mut request = self
            .client
            .post(format!("{}/v1/events", self.url))
            .json(&EventBatch {
                device_id: device_id.into(),
                events: events.to_vec(),
            });
        if let Some(t) = token {
            request = request.bearer_auth(t);
        }
        request.send().await.unwrap()
    }

    pub async fn push(&self, token: &str, device_id: &str, events: &[Envelope]) -> IntakeResult {
        let response = self.push_raw(Some(token), device_id, events).await;
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
        response.json().await.unwrap()
    }

    pub async fn admin_get<T: serde::de::DeserializeOwned>(&self, path: &str) -> T {
        let response = self
            .client
            .get(format!("{}{path}", self.url))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
        response.json().await.unwrap()
    }
}

/// Master data with the towels left out of the catalog: a hub holding it refuses their events.
#[allow(dead_code)]
pub fn without_towels(
    mut master: dockhand_core::catalog::MasterData,
) -> dockhand_core::catalog::MasterData {
    use dockhand_core::sample::TOWELS;
    master.items.retain(|i| i.sku != TOWELS);
    master.units.retain(|u| u.sku != TOWELS);
    master.barcodes.retain(|b| b.sku != TOWELS);
    master
}
