//! The end of the shift: devices meet the hub. Two more handhelds start from nothing and pull the
//! warehouse's master data from the hub, work in a dead zone (the app reports no connectivity),
//! then reconnect and sync; the shift's device pushes its whole shift. The hub's stock view must
//! then equal the devices' stock.

use std::sync::Arc;
use std::time::Duration;

use dockhand_core::sync::engine::{StaticToken, SyncConfig, SyncEngine, SyncState};
use dockhand_core::sync::protocol::{
    CountReconciled, DeviceToken, HeldCount, Import, ImportResult, Registration, StockLine,
};
use dockhand_core::sync::{add_stock_lines, own_stock_lines};
use dockhand_core::workload::Workload;
use dockhand_core::{Error, Store, StoreOptions, catalog, sample};

use super::words;

pub(crate) fn failed(what: &str, e: impl std::fmt::Display) -> Error {
    Error::invalid("hub", format!("{what}: {e}"))
}

/// The hub the demo talks to: one it starts in-process on loopback, or a running one.
pub(crate) struct DemoHub {
    pub(crate) url: String,
    admin_token: Option<String>,
    http: reqwest::Client,
    _dir: Option<tempfile::TempDir>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for DemoHub {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

impl DemoHub {
    /// A hub in this process on 127.0.0.1, with a temporary SQLite database.
    pub(crate) async fn in_process() -> Result<Self, Error> {
        let dir = tempfile::tempdir().map_err(|e| failed("temporary directory", e))?;
        let store = dockhand_hub::sqlite::SqliteStore::open(dir.path().join("hub.db"))
            .map_err(|e| failed("hub database", e))?;
        // The site's GS1 Company Prefix: handhelds get SSCC serial references with their sync.
        dockhand_hub::store::SsccBook::set_site_prefix(&store, "main", "4012345", 3)
            .map_err(|e| failed("the site's GS1 Company Prefix", e))?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| failed("listening on loopback", e))?;
        let url = format!(
            "http://{}",
            listener.local_addr().map_err(|e| failed("address", e))?
        );
        let (tx, rx) = tokio::sync::oneshot::channel();
        tokio::spawn(dockhand_hub::serve(
            listener,
            Arc::new(store),
            dockhand_hub::HubConfig::default(),
            async {
                let _ = rx.await;
            },
        ));
        Ok(Self {
            url,
            admin_token: None,
            http: reqwest::Client::new(),
            _dir: Some(dir),
            shutdown: Some(tx),
        })
    }

    /// A hub already running at `url`.
    pub(crate) fn remote(url: &str, admin_token: Option<String>) -> Self {
        Self {
            url: url.trim_end_matches('/').to_string(),
            admin_token,
            http: reqwest::Client::new(),
            _dir: None,
            shutdown: None,
        }
    }

    /// Before the shift: the hub answers as a dockhand hub, and a production hub comes with the
    /// admin token the demo needs. Returns the line that says which hub it is.
    pub(crate) async fn check(&self) -> Result<String, Error> {
        let unreachable = |why: String| {
            Error::invalid(
                "--hub",
                format!(
                    "the hub's health check at {} failed ({why}); start it (dockhand-hub serve) or give the URL of a running one",
                    self.url
                ),
            )
        };
        let response = self
            .http
            .get(format!("{}/health", self.url))
            .timeout(std::time::Duration::from_secs(10))
            .send()
            .await
            .map_err(|e| unreachable(e.to_string()))?;
        if !response.status().is_success() {
            return Err(unreachable(format!("HTTP {}", response.status())));
        }
        let health: dockhand_core::sync::protocol::Health = response
            .json()
            .await
            .map_err(|e| unreachable(format!("not a dockhand hub's answer: {e}")))?;
        if health.mode == "production" && self.admin_token.is_none() {
            return Err(Error::invalid(
                "--hub",
                format!(
                    "the hub at {} runs in production mode: give its admin token (--admin-token or DOCKHAND_HUB_ADMIN_TOKEN)",
                    self.url
                ),
            ));
        }
        Ok(format!(
            "Hub at {}: dockhand-hub {} on {}, {} mode",
            self.url, health.version, health.backend, health.mode
        ))
    }

    fn admin(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.admin_token {
            Some(t) => request.bearer_auth(t),
            None => request,
        }
    }

    async fn json<T: serde::de::DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
        what: &str,
    ) -> Result<T, Error> {
        let response = request
            .send()
            .await
            .map_err(|e| failed(&format!("{what} at {}", self.url), e))?;
        if !response.status().is_success() {
            let status = response.status();
            let body = response.text().await.unwrap_or_default();
            return Err(failed(what, format!("{status}: {body}")));
        }
        response.json().await.map_err(|e| failed(what, e))
    }

    async fn import(&self, data: &Import) -> Result<ImportResult, Error> {
        let request = self.http.post(format!("{}/v1/admin/import", self.url));
        self.json(self.admin(request).json(data), "import").await
    }

    /// Publishes a pick task to the handhelds, as the ERP's orders reach them.
    pub(crate) async fn publish_order(
        &self,
        task: dockhand_core::protocol::master::PickTaskRequest,
    ) -> Result<(), Error> {
        self.import(&Import {
            pick_tasks: vec![task],
            ..Import::default()
        })
        .await
        .map(|_| ())
    }

    pub(crate) async fn register(&self, device: &Store) -> Result<String, Error> {
        let request = self
            .http
            .post(format!("{}/v1/devices/register", self.url))
            .json(&Registration {
                device_id: device.device_id().into(),
                name: "demo handheld".into(),
                registration_secret: None,
                public_key: device.public_key(),
                site: None,
            });
        let token: DeviceToken = self.json(request, "registration").await?;
        Ok(token.token)
    }

    pub(crate) async fn stock(&self) -> Result<Vec<StockLine>, Error> {
        let request = self.http.get(format!("{}/v1/admin/stock", self.url));
        self.json(self.admin(request), "stock view").await
    }

    /// The count lines the hub holds back from the ERP.
    pub(crate) async fn held_counts(&self) -> Result<Vec<HeldCount>, Error> {
        let request = self.http.get(format!("{}/v1/admin/counts/held", self.url));
        self.json(self.admin(request), "held counts").await
    }

    /// The corrections the hub booked on counts, oldest first.
    pub(crate) async fn reconciled(&self) -> Result<Vec<CountReconciled>, Error> {
        let request = self
            .http
            .get(format!("{}/v1/admin/counts/reconciled", self.url));
        self.json(self.admin(request), "count corrections").await
    }
}

pub(crate) fn engine(
    store: &Arc<Store>,
    hub: &DemoHub,
    token: String,
) -> Result<SyncEngine, Error> {
    let config = SyncConfig {
        debounce: Duration::from_millis(50),
        backoff_initial: Duration::from_millis(50),
        backoff_max: Duration::from_secs(2),
        ..SyncConfig::new(&hub.url)
    };
    SyncEngine::new(store.clone(), config, Arc::new(StaticToken::new(token)))
        .map_err(|e| failed("sync engine", e))
}

pub(crate) fn units(lines: &[StockLine]) -> i64 {
    lines.iter().map(|l| l.quantity).sum()
}

/// Runs the sync part of the demo; `true` when the hub's stock equals the devices'.
pub(crate) async fn run(
    s: &super::Shift,
    hub: &DemoHub,
    run_tag: &str,
    labels: Option<&std::path::Path>,
) -> Result<bool, Error> {
    let shift_device = s.store.clone();
    println!("\n17. Sync with the hub at {}", hub.url);
    let loaded = hub
        .import(&Import {
            master: super::warehouse(),
            badges: sample::badge_assignments(),
            ..Import::default()
        })
        .await?;
    println!(
        "  the ERP integration loads the warehouse's master data and badges (PINs hashed by the hub): {} rows changed, {} already there",
        loaded.changed, loaded.unchanged
    );
    let before = hub.stock().await?;
    let corrected_before = hub.reconciled().await?.len();
    let mut devices = vec![shift_device];
    let mut tokens = Vec::new();
    for n in [8, 9] {
        let id = format!("handheld-{n:02}{run_tag}");
        let store = Arc::new(Store::open_in_memory(StoreOptions::new(&id))?);
        let token = hub.register(&store).await?;
        tokens.push(token.clone());
        let engine = engine(&store, hub, token)?;
        let report = engine
            .sync_now()
            .await
            .map_err(|e| failed("first pull", e))?;
        let counts = store.read(catalog::counts)?;
        println!(
            "  {id} starts empty and pulls master data: {} changes ({} items, {} barcodes, {} locations)",
            report.pulled, counts.items, counts.barcodes, counts.locations
        );
        // The badges came with the master data: alice signs in before she scans.
        Workload::seed_store(&store)?;
        // Aisle 40 has no Wi-Fi: the app says so, scanning goes on.
        engine.set_connectivity(false);
        let mut mix = Workload::new(n);
        for _ in 0..150 {
            mix.step(&store)?;
        }
        let offline = engine.status();
        println!(
            "  {id} works offline: {} events waiting to be sent; sync: {}",
            offline.pending,
            words::sync_state(offline.state)
        );
        engine.start(&tokio::runtime::Handle::current());
        engine.set_connectivity(true);
        let mut waited = 0;
        while engine.status().pending > 0 || engine.status().state != SyncState::Idle {
            tokio::time::sleep(Duration::from_millis(20)).await;
            waited += 20;
            if waited > 30_000 {
                return Err(failed(&id, "did not finish syncing in 30 s"));
            }
        }
        let back = engine.status();
        println!(
            "  {id} reconnects and sends on its own within {waited} ms: {} waiting, {} refused by the hub; sync: {}",
            back.pending,
            back.rejected,
            words::sync_state(back.state)
        );
        engine.stop();
        devices.push(store);
    }
    let shift = devices[0].clone();
    let token = hub.register(&shift).await?;
    tokens.insert(0, token.clone());
    let report = engine(&shift, hub, token)?
        .sync_now()
        .await
        .map_err(|e| failed("pushing the shift", e))?;
    println!(
        "  {} sends its shift: {} events sent to the hub and accepted, {} refused",
        shift.device_id(),
        report.acknowledged,
        report.rejected
    );
    let after = hub.stock().await?;
    // What the devices added to the hub (a running hub may hold other devices' stock already).
    let negated: Vec<StockLine> = before
        .iter()
        .map(|l| StockLine {
            quantity: -l.quantity,
            ..l.clone()
        })
        .collect();
    let hub_delta = add_stock_lines(&[after, negated]);
    let device_lines = devices
        .iter()
        .map(|d| own_stock_lines(d))
        .collect::<Result<Vec<_>, _>>()?;
    let devices_total = add_stock_lines(&device_lines);
    // A count that found less or more than the hub held (a running hub may hold stock from
    // before these devices) is corrected by the hub, which books the difference itself.
    let corrections: Vec<StockLine> = hub.reconciled().await?[corrected_before..]
        .iter()
        .map(|c| StockLine::from(&c.movement))
        .collect();
    let equal = hub_delta == add_stock_lines(&[devices_total.clone(), corrections.clone()]);
    let corrected = if corrections.is_empty() {
        String::new()
    } else {
        format!(
            ", and the hub's corrections of their counts against the stock it held: {} units",
            units(&corrections)
        )
    };
    println!(
        "  hub stock view from these devices: {} buckets, {} units; the devices: {} buckets, {} units{corrected} — {}",
        hub_delta.len(),
        units(&hub_delta),
        devices_total.len(),
        units(&devices_total),
        if equal { "equal" } else { "DIFFERENT" }
    );
    super::outbound::run(s, labels)?;
    let report = engine(&shift, hub, tokens[0].clone())?
        .sync_now()
        .await
        .map_err(|e| failed("pushing the outbound work", e))?;
    println!(
        "  {} sends the outbound work: {} events accepted, {} refused",
        shift.device_id(),
        report.acknowledged,
        report.rejected
    );
    let handhelds: Vec<super::fleet::Handheld> = devices.into_iter().zip(tokens).collect();
    let shared = super::fleet::run(hub, &handhelds, run_tag).await?;
    Ok(equal && shared)
}
