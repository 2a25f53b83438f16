//! Sync for apps: a [`SyncClient`] runs the core's sync engine for one [`Device`] on its own small
//! tokio runtime. `sync_now` is async (await it from a coroutine / a Swift task); the app tells the
//! client about connectivity, gives tokens through a [`TokenProvider`] it implements, and watches
//! the state through a [`SyncObserver`] whose [`Subscription`] unsubscribes when closed or dropped.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use dockhand_core::claims::{TaskClaim, TaskKind};
use dockhand_core::sync::engine::{
    ListenerHandle, SyncConfig, SyncEngine, SyncListener, SyncStatus, TokenSource,
};

use crate::Device;
use crate::error::DockhandError;
use crate::types::IssuedToken;

type Result<T> = std::result::Result<T, DockhandError>;

impl From<uniffi::UnexpectedUniFFICallbackError> for DockhandError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        DockhandError::Validation {
            code: "app_callback_failed".into(),
            reason: format!("the app's callback failed: {}", e.reason),
        }
    }
}

/// Where the hub is and how often to sync. Absent values take the defaults for a handheld on
/// warehouse Wi-Fi (15 s per request, 2 s debounce after a scan, every 5 minutes, batches of 500,
/// pages of 1000, retries from 1 s doubling up to 5 minutes).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SyncSettings {
    /// The hub, e.g. `https://hub.example.com` or `http://10.0.0.5:8080`.
    pub hub_url: String,
    /// Time allowed for one request, in milliseconds.
    #[uniffi(default = None)]
    pub request_timeout_ms: Option<u64>,
    /// Wait after a scan before syncing, so a burst of scans goes in one push, in milliseconds.
    #[uniffi(default = None)]
    pub debounce_ms: Option<u64>,
    /// Sync at least this often, in seconds.
    #[uniffi(default = None)]
    pub period_seconds: Option<u64>,
    /// Events per push.
    #[uniffi(default = None)]
    pub batch_size: Option<u32>,
    /// Changes per pull page.
    #[uniffi(default = None)]
    pub page_size: Option<u32>,
    /// First retry delay after a failure, in milliseconds (doubles up to `backoff_max_ms`).
    #[uniffi(default = None)]
    pub backoff_initial_ms: Option<u64>,
    /// Longest retry delay, in milliseconds.
    #[uniffi(default = None)]
    pub backoff_max_ms: Option<u64>,
    /// Pull the site's stock so that this device sees what every handheld recorded (default
    /// true). False keeps its view to its own work: a station that only receives or takes
    /// returns needs no site stock.
    #[uniffi(default = None)]
    pub shared_stock: Option<bool>,
    /// The site (warehouse) this device registers for, as the hub names it; none: the hub's only
    /// site.
    #[uniffi(default = None)]
    pub site: Option<String>,
    /// The app and its version (`scanner 1.4.2`), shown on the supervisor's floor with the
    /// library's version.
    #[uniffi(default = None)]
    pub app: Option<String>,
}

impl SyncSettings {
    fn config(&self) -> Result<SyncConfig> {
        let mut c = SyncConfig::new(self.hub_url.trim());
        let ms = Duration::from_millis;
        let size = |n: u32| usize::try_from(n).unwrap_or(usize::MAX);
        if let Some(v) = self.request_timeout_ms {
            c.request_timeout = ms(v);
        }
        if let Some(v) = self.debounce_ms {
            c.debounce = ms(v);
        }
        if let Some(v) = self.period_seconds {
            c.period = Duration::from_secs(v);
        }
        if let Some(v) = self.batch_size {
            c.batch_size = size(v);
        }
        if let Some(v) = self.page_size {
            c.page_size = size(v);
        }
        if let Some(v) = self.backoff_initial_ms {
            c.backoff_initial = ms(v);
        }
        if let Some(v) = self.backoff_max_ms {
            c.backoff_max = ms(v);
        }
        if let Some(v) = self.shared_stock {
            c.shared_stock = v;
        }
        c.site.clone_from(&self.site);
        if let Some(app) = &self.app {
            c.app.clone_from(app);
        }
        c.check()?;
        Ok(c)
    }
}

/// The app's source of the device token (from its sign-in or enrolment).
#[uniffi::export(with_foreign)]
pub trait TokenProvider: Send + Sync {
    /// The token to use now; none when the app has none yet.
    fn current_token(&self) -> Result<Option<String>>;
    /// Called after the hub refused the token (expired, revoked): a fresh one, or none. Called
    /// on a background thread; it may block (e.g. on a network call to the app's backend).
    fn refresh_token(&self) -> Result<Option<String>>;
}

struct AppTokens(Arc<dyn TokenProvider>);

impl TokenSource for AppTokens {
    fn current(&self) -> std::result::Result<Option<String>, String> {
        self.0.current_token().map_err(|e| e.to_string())
    }
    fn refresh(&self) -> std::result::Result<Option<String>, String> {
        self.0.refresh_token().map_err(|e| e.to_string())
    }
}

/// Hears every change of the sync status (called on a background thread: post to the UI thread).
#[uniffi::export(with_foreign)]
pub trait SyncObserver: Send + Sync {
    /// The new status.
    fn on_status(&self, status: SyncStatus) -> Result<()>;
}

struct AppObserver(Arc<dyn SyncObserver>);

impl SyncListener for AppObserver {
    fn on_status(&self, status: &SyncStatus) {
        // An observer that throws must not stop sync; its error is the app's to log.
        let _ = self.0.on_status(status.clone());
    }
}

/// Keeps an observer registered until it is cancelled, closed or dropped.
#[derive(uniffi::Object)]
pub struct Subscription {
    handle: Mutex<Option<ListenerHandle>>,
}

#[uniffi::export]
impl Subscription {
    /// Stops the notifications (closing or dropping the subscription does the same).
    pub fn cancel(&self) {
        if let Ok(mut handle) = self.handle.lock() {
            handle.take();
        }
    }
}

/// What one sync did.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SyncReport {
    /// Events the hub now has (accepted, or had already).
    pub acknowledged: u64,
    /// Events the hub rejected in this sync (see `Device.exceptions`).
    pub rejected: u64,
    /// Changes from the hub applied (master data, tasks, expected receipts and returns).
    pub pulled: u64,
    /// Receipts and tasks the hub changed but the device kept as the operator left them (by id),
    /// and item or location settings it kept because its stock depends on them (a sentence each:
    /// show these to a supervisor).
    pub kept_local: Vec<String>,
    /// Buckets of the site's stock the hub changed since the last pull (other handhelds' work
    /// included), now in this device's view.
    pub stock_pulled: u64,
    /// Buckets of the site's stock naming items or locations this device does not know yet:
    /// they appear once master data brings them.
    pub stock_waiting: u64,
    /// How far this device's clock is ahead of the hub's (behind: negative), in milliseconds,
    /// the network's delay included; `None` when the hub did not say its time. Beyond a minute
    /// or so, ask the operator to set the clock: event times count in reconciling counts.
    pub clock_skew_ms: Option<i64>,
}

fn stopped(e: tokio::task::JoinError) -> DockhandError {
    DockhandError::Network {
        code: "cancelled".into(),
        reason: format!("the sync client was stopped: {e}"),
        transient: true,
    }
}

fn count(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// Syncs one device with the hub. One client per device: a second one takes over the commit
/// trigger.
#[derive(uniffi::Object)]
pub struct SyncClient {
    engine: Arc<SyncEngine>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl SyncClient {
    fn handle(&self) -> Result<&tokio::runtime::Handle> {
        self.runtime
            .as_ref()
            .map(tokio::runtime::Runtime::handle)
            .ok_or_else(|| DockhandError::Storage {
                code: "closed".into(),
                reason: "the sync client is closed".into(),
            })
    }
}

#[uniffi::export]
impl SyncClient {
    /// A client for `device` talking to the hub in `settings`. Nothing runs until `start` or
    /// `sync_now`.
    #[uniffi::constructor]
    pub fn new(
        device: Arc<Device>,
        settings: SyncSettings,
        tokens: Arc<dyn TokenProvider>,
    ) -> Result<Arc<Self>> {
        let config = settings.config()?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("dockhand-sync")
            .enable_all()
            .build()
            .map_err(|e| DockhandError::Storage {
                code: "runtime".into(),
                reason: format!("cannot start the sync thread: {e}"),
            })?;
        let engine = SyncEngine::new(device.store.clone(), config, Arc::new(AppTokens(tokens)))?;
        Ok(Arc::new(Self {
            engine: Arc::new(engine),
            runtime: Some(runtime),
        }))
    }

    /// Starts syncing in the background: after scans (debounced), periodically, and when
    /// connectivity comes back.
    pub fn start(&self) -> Result<()> {
        self.engine.start(self.handle()?);
        Ok(())
    }

    /// Stops the background syncing (a sync in progress ends at its next step).
    pub fn stop(&self) {
        self.engine.stop();
    }

    /// The app's view of the network (from ConnectivityManager / NWPathMonitor): offline stops
    /// attempts; back online syncs at once.
    pub fn set_connectivity(&self, online: bool) {
        self.engine.set_connectivity(online);
    }

    /// The status now: state, pending and rejected events, last success and last error.
    pub fn status(&self) -> SyncStatus {
        self.engine.status()
    }

    /// Registers an observer of status changes; keep the subscription as long as you listen.
    pub fn observe(&self, observer: Arc<dyn SyncObserver>) -> Arc<Subscription> {
        let handle = self.engine.add_listener(Arc::new(AppObserver(observer)));
        Arc::new(Subscription {
            handle: Mutex::new(Some(handle)),
        })
    }
}

#[uniffi::export]
impl SyncClient {
    /// Enrols this device with the hub and returns its token (keep it in the app's secure
    /// storage and give it back through the `TokenProvider`). A production hub wants its
    /// registration secret; a refusal is a network error with code `hub_error` and the hub's
    /// sentence.
    pub async fn register(
        &self,
        name: String,
        registration_secret: Option<String>,
    ) -> Result<Arc<IssuedToken>> {
        let engine = self.engine.clone();
        let task = self
            .handle()?
            .spawn(async move { engine.register(&name, registration_secret).await });
        Ok(Arc::new(task.await.map_err(stopped)??.into()))
    }

    /// Claims a task of the device's site at the hub (first claim wins) for the operator signed
    /// in. Another device's task is refused with a network error of code `hub_error` whose reason
    /// names its holder ("pick task T1 is claimed by handheld-09 (bob) since …"); offline, a task
    /// nobody holds may still be started.
    pub async fn claim_task(
        &self,
        kind: TaskKind,
        task_id: String,
        operator_id: Option<String>,
    ) -> Result<TaskClaim> {
        let engine = self.engine.clone();
        let task = self
            .handle()?
            .spawn(async move { engine.claim_task(kind, &task_id, operator_id).await });
        Ok(task.await.map_err(stopped)??)
    }

    /// Gives back a task this device holds: anyone may claim it then.
    pub async fn release_task(&self, kind: TaskKind, task_id: String) -> Result<TaskClaim> {
        let engine = self.engine.clone();
        let task = self
            .handle()?
            .spawn(async move { engine.release_task(kind, &task_id).await });
        Ok(task.await.map_err(stopped)??)
    }

    /// Pushes every pending event and pulls every change now. Fails with a network error when
    /// the hub cannot be reached or refuses the device (the work stays on the device).
    pub async fn sync_now(&self) -> Result<SyncReport> {
        let engine = self.engine.clone();
        let task = self.handle()?.spawn(async move { engine.sync_now().await });
        let report = task.await.map_err(stopped)??;
        Ok(SyncReport {
            acknowledged: count(report.acknowledged),
            rejected: count(report.rejected),
            pulled: count(report.pulled),
            kept_local: report.kept_local,
            stock_pulled: count(report.stock_pulled),
            stock_waiting: count(report.stock_waiting),
            clock_skew_ms: report.clock_skew_ms,
        })
    }
}

impl Drop for SyncClient {
    fn drop(&mut self) {
        self.engine.stop();
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}
