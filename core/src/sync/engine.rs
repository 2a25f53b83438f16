//! The device sync engine: pushes pending events to the hub in seq order, in batches, and pulls
//! master data and tasks page by page, on tokio with reqwest.
//!
//! Triggers: [`SyncEngine::sync_now`], a commit (debounced), a period, and connectivity coming
//! back ([`SyncEngine::set_connectivity`]). Transient failures (no route, reset, timeout, 5xx, a
//! cut-off body) are retried with exponential backoff and jitter; a rejected event is marked
//! rejected with the hub's reason (an exception for a person) and the events after it go on.
//! Scans never wait for sync: the engine holds the device database only for short reads and for
//! writing acknowledgements or one page of changes.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::protocol::{
    ChangesPage, DEVICE_APP_HEADER, DEVICE_OPERATOR_HEADER, DEVICE_PENDING_HEADER,
    DEVICE_TIME_HEADER, DeviceToken, EventBatch, EventStatus, HUB_TIME_HEADER, IntakeResult,
    KeyEnrolment, Problem, Registration, StockPage,
};
use crate::claims::{TaskClaim, TaskKind};
use crate::db::{Store, utc_text};
use crate::outbox::{self, Delivered};
use dockhand_protocol::exceptions::{KeptLocalAnswer, KeptLocalNote, KeptLocalReport};
use dockhand_protocol::sscc::{SsccBlock, SsccBlockRequest};
use dockhand_protocol::tasks::ClaimRequest;

/// Where and how often to sync.
#[derive(Debug, Clone)]
pub struct SyncConfig {
    /// The hub, e.g. `http://10.0.0.5:8080`.
    pub hub_url: String,
    /// Events per push.
    pub batch_size: usize,
    /// Changes per pull page.
    pub page_size: usize,
    /// Stock buckets per page of the hub's stock.
    pub stock_page_size: usize,
    /// Pull the site's stock, so the device's view is the warehouse's (the default). Off, the
    /// view stays this device's own ledger: a station that only receives or takes returns needs
    /// no site stock (a first pull of 500,000 buckets is some 5 s and tens of MB).
    pub shared_stock: bool,
    /// Time allowed for one request.
    pub request_timeout: Duration,
    /// Wait after a commit before syncing, so a burst of scans goes in one push.
    pub debounce: Duration,
    /// Sync at least this often.
    pub period: Duration,
    /// First retry delay after a failure; doubles up to `backoff_max`.
    pub backoff_initial: Duration,
    /// Longest retry delay.
    pub backoff_max: Duration,
    /// The site (warehouse) this device registers for; none: the hub's only site.
    pub site: Option<String>,
    /// The app and its version (`scanner 1.4.2`), told to the hub with every request together
    /// with this library's version, for the supervisor's floor; empty: the library's only.
    pub app: String,
    /// SSCC serial references asked of the hub at a time, when fewer than a quarter of that are
    /// left (0: never ask; a device that labels no cartons or pallets).
    pub sscc_block: u64,
}

impl SyncConfig {
    /// Defaults for a handheld on warehouse Wi-Fi.
    pub fn new(hub_url: impl Into<String>) -> Self {
        Self {
            hub_url: hub_url.into().trim_end_matches('/').to_string(),
            batch_size: 500,
            page_size: 1000,
            stock_page_size: 5000,
            shared_stock: true,
            request_timeout: Duration::from_secs(15),
            debounce: Duration::from_secs(2),
            period: Duration::from_secs(300),
            backoff_initial: Duration::from_secs(1),
            backoff_max: Duration::from_secs(300),
            site: None,
            app: String::new(),
            sscc_block: dockhand_protocol::sscc::BLOCK,
        }
    }

    /// Refuses settings that would make every sync look offline or hammer the hub, naming the
    /// setting, its value and the range allowed.
    pub fn check(&self) -> crate::Result<()> {
        let url = self.hub_url.trim();
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(crate::Error::invalid(
                "hub url",
                format!(
                    "{:?} must start with http:// or https://",
                    dockhand_protocol::error::prefix(url, 60)
                ),
            ));
        }
        let within = |name: &str, value: Duration, min: Duration, max: Duration| {
            if value < min || value > max {
                return Err(crate::Error::invalid(
                    name,
                    format!(
                        "{} ms is outside {} ms to {} ms",
                        value.as_millis(),
                        min.as_millis(),
                        max.as_millis()
                    ),
                ));
            }
            Ok(())
        };
        let (ms, s) = (Duration::from_millis, Duration::from_secs);
        within("request timeout", self.request_timeout, ms(500), s(300))?;
        within("debounce", self.debounce, ms(0), s(600))?;
        within("sync period", self.period, s(1), s(86_400))?;
        within("first retry delay", self.backoff_initial, ms(50), s(3600))?;
        within(
            "longest retry delay",
            self.backoff_max,
            self.backoff_initial,
            s(3600),
        )?;
        // The hub takes at most 1,000 events per push and answers pages of at most 10,000
        // changes and 20,000 stock buckets.
        for (name, value, max) in [
            ("batch size", self.batch_size, 1_000),
            ("page size", self.page_size, 10_000),
            ("stock page size", self.stock_page_size, 20_000),
        ] {
            if !(1..=max).contains(&value) {
                return Err(crate::Error::invalid(
                    name,
                    format!("{value} is outside 1 to {max}"),
                ));
            }
        }
        if self.sscc_block > dockhand_protocol::sscc::MAX_BLOCK {
            return Err(crate::Error::invalid(
                "SSCC block",
                format!(
                    "{} is more than the {} serial references a hub gives at a time",
                    self.sscc_block,
                    dockhand_protocol::sscc::MAX_BLOCK
                ),
            ));
        }
        Ok(())
    }
}

/// Where the device's token comes from: the app.
pub trait TokenSource: Send + Sync {
    /// The token to use now (`None` when the app has none yet); `Err` with the app's sentence when
    /// it could not say (the status reports it as the token provider's failure).
    fn current(&self) -> Result<Option<String>, String>;
    /// Asked after the hub refused the token (401): a fresh one, or `None`.
    fn refresh(&self) -> Result<Option<String>, String>;
}

/// A token set by the program (tools, tests, the demo); `refresh` gives whatever was set last.
#[derive(Debug)]
pub struct StaticToken(pub Mutex<Option<String>>);

impl StaticToken {
    /// A source that gives `token`.
    pub fn new(token: impl Into<String>) -> Self {
        Self(Mutex::new(Some(token.into())))
    }

    /// Replaces the token.
    pub fn set(&self, token: impl Into<String>) {
        if let Ok(mut t) = self.0.lock() {
            *t = Some(token.into());
        }
    }
}

impl TokenSource for StaticToken {
    fn current(&self) -> Result<Option<String>, String> {
        Ok(self.0.lock().ok().and_then(|t| t.clone()))
    }
    fn refresh(&self) -> Result<Option<String>, String> {
        self.current()
    }
}

/// The app's token provider failed: its own sentence, shortened.
fn provider_failed(why: &str) -> SyncError {
    SyncError::Unauthorized(format!(
        "the app's token provider failed: {}",
        dockhand_protocol::error::prefix(why.trim(), 200)
    ))
}

/// What the engine is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncState {
    /// Nothing to do, or waiting for the next trigger.
    Idle,
    /// Talking to the hub.
    Syncing,
    /// The hub cannot be reached (or the app reported no connectivity); work is kept.
    Offline,
    /// The hub refused something that retrying will not fix alone (see `last_error`).
    Error,
}

impl std::fmt::Display for SyncState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SyncState::Idle => "idle",
            SyncState::Syncing => "syncing",
            SyncState::Offline => "offline",
            SyncState::Error => "error",
        })
    }
}

/// What an app shows about sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncStatus {
    /// What the engine is doing.
    pub state: SyncState,
    /// Events not yet accepted by the hub (counted on the device: right while offline).
    pub pending: i64,
    /// Events the hub rejected: exceptions to resolve.
    pub rejected: i64,
    /// When the last full sync ended well.
    pub last_success_at: Option<String>,
    /// The last failure, as a sentence.
    pub last_error: Option<String>,
}

/// Told about every status change.
pub trait SyncListener: Send + Sync {
    /// The new status.
    fn on_status(&self, status: &SyncStatus);
}

type Listeners = Mutex<Vec<(u64, Arc<dyn SyncListener>)>>;

/// Keeps a listener registered; dropping it unsubscribes.
pub struct ListenerHandle {
    id: u64,
    listeners: Weak<Listeners>,
}

impl Drop for ListenerHandle {
    fn drop(&mut self) {
        if let Some(list) = self.listeners.upgrade()
            && let Ok(mut list) = list.lock()
        {
            list.retain(|(id, _)| *id != self.id);
        }
    }
}

/// Why a sync did not complete.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyncError {
    /// No answer: no route, refused, reset, timed out, or a cut-off answer. Retried.
    #[error("the hub at {url} cannot be reached: {reason}")]
    Unreachable {
        /// The hub.
        url: String,
        /// What failed.
        reason: String,
    },
    /// The hub answered with an error.
    #[error("the hub answered {status} {code}: {message}")]
    Hub {
        /// HTTP status.
        status: u16,
        /// The hub's code.
        code: String,
        /// The hub's sentence.
        message: String,
    },
    /// The hub refused the token and the app gave no working one.
    #[error("the hub refused this device's token: {0}")]
    Unauthorized(String),
    /// The device database failed.
    #[error("device storage: {0}")]
    Store(String),
    /// The hub holds this device's events behind a gap the device cannot fill.
    #[error("{0}")]
    Stuck(String),
}

impl SyncError {
    /// Whether waiting and retrying may fix it (the state is then `offline`, not `error`).
    pub fn is_transient(&self) -> bool {
        match self {
            SyncError::Unreachable { .. } => true,
            SyncError::Hub { status, .. } => *status >= 500 || *status == 429,
            _ => false,
        }
    }
}

impl From<crate::Error> for SyncError {
    fn from(e: crate::Error) -> Self {
        SyncError::Store(e.to_string())
    }
}

/// What one sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncReport {
    /// Events the hub now has (accepted or already had).
    pub acknowledged: usize,
    /// Events the hub rejected in this sync.
    pub rejected: usize,
    /// Changes applied.
    pub pulled: usize,
    /// Buckets of the hub's stock pulled (changed since the last pull).
    pub stock_pulled: usize,
    /// Buckets of the hub's stock naming items or locations this device does not know yet.
    pub stock_waiting: usize,
    /// Receipts and tasks kept as the operator left them (by id), and item or location settings
    /// kept because stock on the device depends on them (each a sentence).
    pub kept_local: Vec<String>,
    /// How far this device's clock was ahead of the hub's (behind: negative) at the last answer
    /// of this sync, in milliseconds, the network's delay included (`None`: the hub did not say
    /// its time).
    pub clock_skew_ms: Option<i64>,
}

/// How long a device waits before asking again for SSCC serials the hub did not give.
const SSCC_ASK_AGAIN: Duration = Duration::from_secs(60);

struct Shared {
    store: Arc<Store>,
    config: SyncConfig,
    tokens: Arc<dyn TokenSource>,
    http: reqwest::Client,
    status: Mutex<SyncStatus>,
    listeners: Arc<Listeners>,
    next_listener: AtomicU64,
    /// One sync at a time.
    cycle: tokio::sync::Mutex<()>,
    /// The clock skew measured at the hub's last answer.
    clock_skew_ms: Mutex<Option<i64>>,
    /// When the hub last gave no SSCC serials (no company prefix, or an error): not asked again
    /// for [`SSCC_ASK_AGAIN`], so a site that labels nothing costs its syncs no request.
    sscc_refused_at: Mutex<Option<std::time::Instant>>,
    wake: tokio::sync::Notify,
    online: AtomicBool,
    committed: AtomicBool,
    connectivity_back: AtomicBool,
    stopped: AtomicBool,
}

/// The sync engine of one device store.
pub struct SyncEngine {
    shared: Arc<Shared>,
    task: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl std::fmt::Debug for SyncEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncEngine")
            .field("hub", &self.shared.config.hub_url)
            .finish()
    }
}

/// The hub's problem document, or the start of whatever else it answered.
fn problem(body: &str) -> Problem {
    serde_json::from_str::<Problem>(body).unwrap_or(Problem {
        code: "http".into(),
        message: body.chars().take(200).collect(),
    })
}

fn unreachable(url: &str, e: &reqwest::Error) -> SyncError {
    let mut reason = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        reason.push_str(": ");
        reason.push_str(&s.to_string());
        source = s.source();
    }
    SyncError::Unreachable {
        url: url.to_string(),
        reason,
    }
}

impl SyncEngine {
    /// An engine for `store` talking to `config.hub_url` with tokens from the app. Nothing runs
    /// until [`start`](Self::start) or [`sync_now`](Self::sync_now).
    pub fn new(
        store: Arc<Store>,
        config: SyncConfig,
        tokens: Arc<dyn TokenSource>,
    ) -> Result<Self, SyncError> {
        let http = reqwest::Client::builder()
            .timeout(config.request_timeout)
            .connect_timeout(config.request_timeout)
            .build()
            .map_err(|e| unreachable(&config.hub_url, &e))?;
        let shared = Arc::new(Shared {
            store,
            config,
            tokens,
            http,
            status: Mutex::new(SyncStatus {
                state: SyncState::Idle,
                pending: 0,
                rejected: 0,
                last_success_at: None,
                last_error: None,
            }),
            listeners: Arc::new(Mutex::new(Vec::new())),
            next_listener: AtomicU64::new(1),
            cycle: tokio::sync::Mutex::new(()),
            clock_skew_ms: Mutex::new(None),
            sscc_refused_at: Mutex::new(None),
            wake: tokio::sync::Notify::new(),
            online: AtomicBool::new(true),
            committed: AtomicBool::new(false),
            connectivity_back: AtomicBool::new(false),
            stopped: AtomicBool::new(false),
        });
        let (last_success_at, last_error) = shared.store.read(|c| {
            Ok(
                c.prepare_cached("SELECT last_success_at, last_error FROM sync_state")?
                    .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?,
            )
        })?;
        if let Ok(mut s) = shared.status.lock() {
            s.last_success_at = last_success_at;
            s.last_error = last_error;
        }
        shared.refresh_counts();
        // Commits wake the engine (debounced in its loop); the hook only sets a flag.
        let weak = Arc::downgrade(&shared);
        shared.store.set_commit_hook(Some(Arc::new(move || {
            if let Some(shared) = weak.upgrade() {
                shared.committed.store(true, Ordering::Release);
                shared.wake.notify_one();
            }
        })));
        Ok(Self {
            shared,
            task: Mutex::new(None),
        })
    }

    /// Starts the background loop (commit, period and connectivity triggers) on `runtime`.
    pub fn start(&self, runtime: &tokio::runtime::Handle) {
        let shared = self.shared.clone();
        let handle = runtime.spawn(async move { shared.run().await });
        if let Ok(mut task) = self.task.lock()
            && let Some(old) = task.replace(handle)
        {
            old.abort();
        }
    }

    /// Stops the background loop (a sync in progress ends at its next await).
    pub fn stop(&self) {
        self.shared.stopped.store(true, Ordering::Release);
        self.shared.wake.notify_one();
        if let Ok(mut task) = self.task.lock()
            && let Some(handle) = task.take()
        {
            handle.abort();
        }
    }

    /// Enrols this device with the hub (`POST /v1/devices/register`) and returns its token, for
    /// the app to keep and hand back through its token source. A production hub wants its
    /// registration secret; a development hub admits any device.
    pub async fn register(
        &self,
        name: &str,
        registration_secret: Option<String>,
    ) -> Result<DeviceToken, SyncError> {
        let shared = &self.shared;
        let url = &shared.config.hub_url;
        let body = Registration {
            device_id: shared.store.device_id().into(),
            name: name.into(),
            registration_secret,
            public_key: shared.store.public_key(),
            site: shared.config.site.clone(),
        };
        let response = shared
            .http
            .post(format!("{url}/v1/devices/register"))
            .json(&body)
            .send()
            .await
            .map_err(|e| unreachable(url, &e))?;
        let status = response.status();
        if status.is_success() {
            let token: DeviceToken = response.json().await.map_err(|e| unreachable(url, &e))?;
            // The hub answered and knows the device: an earlier failure (no token yet, a refused
            // token) no longer describes it; the next sync uses the token the app keeps.
            shared.update(|s| {
                if s.state != SyncState::Syncing {
                    s.state = SyncState::Idle;
                    s.last_error = None;
                }
            });
            return Ok(token);
        }
        let text = response.text().await.map_err(|e| unreachable(url, &e))?;
        let problem = problem(&text);
        Err(SyncError::Hub {
            status: status.as_u16(),
            code: problem.code,
            message: problem.message,
        })
    }

    /// Asks the hub for a task of this device's site (first claim wins) and keeps its answer: the
    /// task is this device's until it gives it back or a supervisor reassigns it, and every other
    /// device shows its holder after a pull. A task another device holds is refused with the
    /// hub's sentence (`SyncError::Hub`, code `task_claimed`); a done one with `task_closed`.
    /// Offline, a task nobody holds may still be started: the hub gives it to this device with its
    /// first event.
    pub async fn claim_task(
        &self,
        kind: TaskKind,
        task_id: &str,
        operator_id: Option<String>,
    ) -> Result<TaskClaim, SyncError> {
        self.shared
            .decide_task("claim", kind, task_id, operator_id)
            .await
    }

    /// Gives back a task this device holds: anyone may claim it then.
    pub async fn release_task(
        &self,
        kind: TaskKind,
        task_id: &str,
    ) -> Result<TaskClaim, SyncError> {
        self.shared
            .decide_task("release", kind, task_id, None)
            .await
    }

    /// Pushes every pending event and pulls every change now.
    pub async fn sync_now(&self) -> Result<SyncReport, SyncError> {
        self.shared.cycle().await
    }

    /// The app's view of the network: `false` stops attempts (state `offline`), `true` syncs at
    /// once and forgets the backoff.
    pub fn set_connectivity(&self, online: bool) {
        let was = self.shared.online.swap(online, Ordering::AcqRel);
        if online && !was {
            self.shared.connectivity_back.store(true, Ordering::Release);
        }
        if !online {
            self.shared.set_state(SyncState::Offline);
        }
        self.shared.wake.notify_one();
    }

    /// The status now (pending and rejected counted from the device database).
    pub fn status(&self) -> SyncStatus {
        self.shared.refresh_counts();
        self.shared.snapshot()
    }

    /// Registers a listener; it hears every status change until the handle is dropped.
    pub fn add_listener(&self, listener: Arc<dyn SyncListener>) -> ListenerHandle {
        let id = self.shared.next_listener.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut list) = self.shared.listeners.lock() {
            list.push((id, listener));
        }
        ListenerHandle {
            id,
            listeners: Arc::downgrade(&self.shared.listeners),
        }
    }
}

impl Drop for SyncEngine {
    fn drop(&mut self) {
        self.stop();
        self.shared.store.set_commit_hook(None);
    }
}

impl Shared {
    fn snapshot(&self) -> SyncStatus {
        self.status
            .lock()
            .map(|s| s.clone())
            .unwrap_or_else(|e| e.into_inner().clone())
    }

    /// Applies `change` to the status and tells the listeners when it differs.
    fn update(&self, change: impl FnOnce(&mut SyncStatus)) {
        let changed = {
            let Ok(mut status) = self.status.lock() else {
                return;
            };
            let before = status.clone();
            change(&mut status);
            (*status != before).then(|| status.clone())
        };
        if let Some(status) = changed {
            let listeners: Vec<Arc<dyn SyncListener>> = self
                .listeners
                .lock()
                .map(|l| l.iter().map(|(_, l)| l.clone()).collect())
                .unwrap_or_default();
            for listener in listeners {
                listener.on_status(&status);
            }
        }
    }

    fn set_state(&self, state: SyncState) {
        self.update(|s| s.state = state);
    }

    fn refresh_counts(&self) {
        if let Ok((pending, rejected)) = self.store.read(outbox::open_counts) {
            self.update(|s| {
                s.pending = pending;
                s.rejected = rejected;
            });
        }
    }

    /// The highest seq in the outbox (0 when empty).
    fn last_seq(&self) -> i64 {
        self.store
            .read(|c| {
                Ok(
                    c.prepare_cached("SELECT COALESCE(MAX(seq), 0) FROM outbox")?
                        .query_row([], |r| r.get(0))?,
                )
            })
            .unwrap_or(0)
    }

    async fn run(self: Arc<Self>) {
        let mut failures = 0u32;
        let mut seen_seq = self.last_seq();
        loop {
            let wait = if failures == 0 {
                self.config.period
            } else {
                self.backoff(failures)
            };
            let timer = tokio::select! {
                _ = self.wake.notified() => false,
                _ = tokio::time::sleep(wait) => true,
            };
            if self.stopped.load(Ordering::Acquire) {
                break;
            }
            let mut go = timer;
            if self.committed.swap(false, Ordering::AcqRel) {
                self.refresh_counts();
                // Only new events start a sync (not the engine's own writes), and not while
                // backing off: the timer decides then.
                let last = self.last_seq();
                if last != seen_seq && failures == 0 {
                    seen_seq = last;
                    tokio::time::sleep(self.config.debounce).await;
                    self.committed.store(false, Ordering::Release);
                    go = true;
                }
            }
            if self.connectivity_back.swap(false, Ordering::AcqRel) {
                failures = 0;
                go = true;
            }
            if !go {
                continue;
            }
            if !self.online.load(Ordering::Acquire) {
                self.set_state(SyncState::Offline);
                continue;
            }
            match self.cycle().await {
                Ok(_) => failures = 0,
                Err(e) => {
                    failures = failures.saturating_add(1);
                    tracing::warn!(error = %e, failures, "sync failed; retrying after backoff");
                }
            }
        }
    }

    /// Exponential backoff with full jitter between half and all of the delay.
    fn backoff(&self, failures: u32) -> Duration {
        let base = self.config.backoff_initial.as_millis() as u64;
        let max = self.config.backoff_max.as_millis() as u64;
        let delay = base
            .saturating_mul(1u64 << failures.min(20).saturating_sub(1))
            .min(max);
        let jitter = rand::random_range(delay / 2..=delay.max(1));
        Duration::from_millis(jitter)
    }

    async fn cycle(&self) -> Result<SyncReport, SyncError> {
        let _one_at_a_time = self.cycle.lock().await;
        self.set_state(SyncState::Syncing);
        let mut report = SyncReport::default();
        if let Ok(mut skew) = self.clock_skew_ms.lock() {
            *skew = None;
        }
        let result = match self.push(&mut report).await {
            Ok(()) => match self.pull(&mut report).await {
                Ok(()) if self.config.shared_stock => self.pull_stock(&mut report).await,
                other => other,
            },
            Err(e) => Err(e),
        };
        if result.is_ok() {
            self.tell_kept_local().await;
            self.top_up_sscc().await;
        }
        report.clock_skew_ms = self.clock_skew_ms.lock().ok().and_then(|skew| *skew);
        let now = utc_text(self.store.clock().now());
        let (state, error) = match &result {
            Ok(()) => (SyncState::Idle, None),
            Err(e) if e.is_transient() => (SyncState::Offline, Some(e.to_string())),
            Err(e) => (SyncState::Error, Some(e.to_string())),
        };
        let recorded = self.store.write(|tx| {
            let sql = if error.is_none() {
                "UPDATE sync_state SET last_success_at = ?1, last_error = NULL, last_error_at = NULL"
            } else {
                "UPDATE sync_state SET last_error = ?2, last_error_at = ?1"
            };
            let mut stmt = tx.conn().prepare_cached(sql)?;
            if error.is_none() {
                stmt.execute([&now])?;
            } else {
                stmt.execute((&now, error.as_deref()))?;
            }
            Ok(())
        });
        if let Err(e) = recorded {
            tracing::error!(error = %e, "could not record the sync outcome");
        }
        self.refresh_counts();
        self.update(|s| {
            s.state = state;
            match &error {
                None => {
                    s.last_success_at = Some(now.clone());
                    s.last_error = None;
                }
                Some(e) => s.last_error = Some(e.clone()),
            }
        });
        result.map(|()| report)
    }

    /// What the device tells the hub of itself with each request (the supervisor's floor shows
    /// it): the app and library, the events it holds for the hub, the operator signed in. A part
    /// that cannot be read now is left out.
    fn report(&self) -> Vec<(&'static str, String)> {
        let library = format!("dockhand {}", env!("CARGO_PKG_VERSION"));
        let app = if self.config.app.trim().is_empty() {
            library
        } else {
            format!("{}; {library}", self.config.app.trim())
        };
        let mut out = vec![(DEVICE_APP_HEADER, app)];
        if let Ok((pending, _)) = self.store.read(outbox::open_counts) {
            out.push((DEVICE_PENDING_HEADER, pending.to_string()));
        }
        if let Ok(Some(operator)) = crate::credentials::signed_in(&self.store) {
            out.push((DEVICE_OPERATOR_HEADER, operator.id));
        }
        out
    }

    /// Sends a request with the device's token; after a 401 asks the app for a fresh token and
    /// tries once more.
    async fn send<T: serde::de::DeserializeOwned>(
        &self,
        build: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
    ) -> Result<T, SyncError> {
        let url = &self.config.hub_url;
        let mut token = match self.tokens.current() {
            Ok(Some(token)) => token,
            Ok(None) => {
                return Err(SyncError::Unauthorized(
                    "the app has not given this device a token yet: register it with the hub"
                        .into(),
                ));
            }
            Err(why) => return Err(provider_failed(&why)),
        };
        let mut refreshed = false;
        let mut enrolled = false;
        loop {
            // The device's clock, which the hub checks against its own at each sync.
            let now = utc_text(self.store.clock().now());
            let mut request = build(&self.http).header(DEVICE_TIME_HEADER, now);
            for (name, value) in self.report() {
                request = request.header(name, value);
            }
            let response = request
                .bearer_auth(&token)
                .send()
                .await
                .map_err(|e| unreachable(url, &e))?;
            let status = response.status();
            self.note_hub_time(response.headers());
            if status.is_success() {
                return response.json::<T>().await.map_err(|e| unreachable(url, &e));
            }
            let text = response.text().await.map_err(|e| unreachable(url, &e))?;
            let problem = problem(&text);
            if status.as_u16() == 401 {
                if refreshed {
                    return Err(SyncError::Unauthorized(problem.message));
                }
                refreshed = true;
                let tokens = self.tokens.clone();
                let fresh = tokio::task::spawn_blocking(move || tokens.refresh())
                    .await
                    .unwrap_or_else(|e| Err(e.to_string()));
                match fresh {
                    Ok(Some(t)) => token = t,
                    Ok(None) => return Err(SyncError::Unauthorized(problem.message)),
                    Err(why) => return Err(provider_failed(&why)),
                }
                continue;
            }
            // A device whose token an administrator issued has not told the hub its key yet.
            if status.as_u16() == 409 && problem.code == "device_key_missing" && !enrolled {
                enrolled = true;
                self.enrol_key(&token).await?;
                continue;
            }
            return Err(SyncError::Hub {
                status: status.as_u16(),
                code: problem.code,
                message: problem.message,
            });
        }
    }

    /// Tells the hub what this device kept as its operator left it, one request of notes per
    /// sync. A note the hub did not take stays for the next sync; a failure here never fails the
    /// sync (the device's own work is unaffected), it is logged.
    async fn tell_kept_local(&self) {
        let notes = match super::kept_local::unsent(&self.store) {
            Ok(notes) if notes.is_empty() => return,
            Ok(notes) => notes,
            Err(e) => {
                tracing::warn!(error = %e, "could not read the notes kept for the hub");
                return;
            }
        };
        let url = format!("{}/v1/kept-local", self.config.hub_url);
        let (ids, notes): (Vec<i64>, Vec<KeptLocalNote>) = notes.into_iter().unzip();
        let body = KeptLocalReport { notes };
        match self
            .send::<KeptLocalAnswer>(|http| http.post(&url).json(&body))
            .await
        {
            Ok(answer) => {
                for why in &answer.refused {
                    tracing::warn!(refused = %why, "the hub refused a note kept here");
                }
                if let Err(e) = super::kept_local::mark_sent(&self.store, &ids) {
                    tracing::warn!(error = %e, "could not mark the notes told to the hub");
                }
            }
            Err(e) => tracing::warn!(error = %e, "the hub did not take the notes kept here"),
        }
    }

    /// Asks the hub for a block of SSCC serial references when fewer than a quarter of
    /// `sscc_block` are left, so that cartons and pallets can be labelled offline. A site without
    /// a company prefix, or a hub that does not answer, costs the sync nothing: the device asks
    /// again with its next sync.
    async fn top_up_sscc(&self) {
        let wanted = self.config.sscc_block;
        let refused_lately = self
            .sscc_refused_at
            .lock()
            .ok()
            .and_then(|at| *at)
            .is_some_and(|at| at.elapsed() < SSCC_ASK_AGAIN);
        if wanted == 0 || refused_lately {
            return;
        }
        match self.store.read(crate::sscc::remaining) {
            Ok(left) if left >= wanted / 4 => return,
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %e, "could not count the SSCCs left");
                return;
            }
        }
        let url = format!("{}/v1/sscc/block", self.config.hub_url);
        let body = SsccBlockRequest { wanted };
        let refused = match self
            .send::<SsccBlock>(|http| http.post(&url).json(&body))
            .await
        {
            Ok(block) => match crate::sscc::add_block(&self.store, &block) {
                Ok(()) => false,
                Err(e) => {
                    tracing::warn!(error = %e, "could not keep the SSCC block the hub gave");
                    true
                }
            },
            Err(SyncError::Hub { code, message, .. }) if code == "no_company_prefix" => {
                tracing::debug!(%message, "no SSCC serials: the site has no company prefix");
                true
            }
            Err(e) => {
                tracing::warn!(error = %e, "the hub gave no SSCC serials");
                true
            }
        };
        if let Ok(mut at) = self.sscc_refused_at.lock() {
            *at = refused.then(std::time::Instant::now);
        }
    }

    /// Asks the hub to claim or release a task (`action`) and keeps the claim it answers.
    async fn decide_task(
        &self,
        action: &str,
        kind: TaskKind,
        task_id: &str,
        operator_id: Option<String>,
    ) -> Result<TaskClaim, SyncError> {
        let url = format!("{}/v1/tasks/{action}", self.config.hub_url);
        let body = ClaimRequest {
            task_kind: kind,
            task_id: task_id.to_string(),
            operator_id,
        };
        let claim: TaskClaim = self.send(|http| http.post(&url).json(&body)).await?;
        crate::claims::record(&self.store, &claim)?;
        Ok(claim)
    }

    /// Compares this device's clock with the hub's time on an answer.
    fn note_hub_time(&self, headers: &reqwest::header::HeaderMap) {
        let hub = headers
            .get(HUB_TIME_HEADER)
            .and_then(|v| v.to_str().ok())
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok());
        if let (Some(hub), Ok(mut skew)) = (hub, self.clock_skew_ms.lock()) {
            *skew = Some((self.store.clock().now() - hub).num_milliseconds());
        }
    }

    /// Tells the hub this device's public key (accepted once, while the hub has none).
    async fn enrol_key(&self, token: &str) -> Result<(), SyncError> {
        let url = &self.config.hub_url;
        let public_key = self.store.public_key().unwrap_or_default();
        let response = self
            .http
            .post(format!("{url}/v1/devices/key"))
            .bearer_auth(token)
            .json(&KeyEnrolment { public_key })
            .send()
            .await
            .map_err(|e| unreachable(url, &e))?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let problem = problem(&response.text().await.map_err(|e| unreachable(url, &e))?);
        Err(SyncError::Hub {
            status: status.as_u16(),
            code: problem.code,
            message: problem.message,
        })
    }

    async fn push(&self, report: &mut SyncReport) -> Result<(), SyncError> {
        loop {
            let batch = self
                .store
                .read(|c| outbox::pending(c, self.config.batch_size))?;
            if batch.is_empty() {
                return Ok(());
            }
            let body = EventBatch {
                device_id: self.store.device_id().to_string(),
                events: batch.iter().map(|e| e.envelope.clone()).collect(),
            };
            let url = format!("{}/v1/events", self.config.hub_url);
            let answer: IntakeResult = self.send(|http| http.post(&url).json(&body)).await?;
            if answer.results.len() != batch.len() {
                return Err(SyncError::Hub {
                    status: 200,
                    code: "bad_answer".into(),
                    message: format!(
                        "{} results for {} events",
                        answer.results.len(),
                        batch.len()
                    ),
                });
            }
            let mut acks = Vec::with_capacity(batch.len());
            let mut held = 0;
            let mut held_for_supervisor = None;
            for (event, outcome) in batch.iter().zip(&answer.results) {
                let delivered = Delivered::from(event);
                if outcome.event_id != event.event_id {
                    return Err(SyncError::Hub {
                        status: 200,
                        code: "bad_answer".into(),
                        message: format!(
                            "answer for event {} where {} was sent",
                            outcome.event_id, event.event_id
                        ),
                    });
                }
                match outcome.status {
                    EventStatus::Accepted | EventStatus::Duplicate => acks.push(delivered),
                    EventStatus::Rejected => {
                        let code = outcome.code.as_deref().unwrap_or("rejected");
                        let reason = outcome.reason.as_deref().unwrap_or("");
                        outbox::reject(&self.store, delivered, code, reason)?;
                        report.rejected += 1;
                    }
                    EventStatus::Held => {
                        held += 1;
                        if outcome.code.as_deref() == Some("device_held") {
                            held_for_supervisor = outcome.reason.clone();
                        }
                    }
                }
            }
            report.acknowledged += outbox::acknowledge(&self.store, &acks)?;
            self.refresh_counts();
            if let Some(reason) = held_for_supervisor.filter(|_| held == batch.len()) {
                return Err(SyncError::Stuck(format!(
                    "the hub holds this device's events for a supervisor: {reason}"
                )));
            }
            if held == batch.len() {
                return Err(SyncError::Stuck(format!(
                    "the hub holds {held} events of device {} waiting for event {}, which this device no longer sends; ask support to compare the hub's intake with the device's outbox",
                    self.store.device_id(),
                    answer.contiguous_seq + 1
                )));
            }
        }
    }

    async fn fetch_page(&self, cursor: Option<String>) -> Result<ChangesPage, SyncError> {
        let url = format!("{}/v1/changes", self.config.hub_url);
        let limit = self.config.page_size.to_string();
        self.send(|http| {
            // This device applies badges and task claims: a hub sends them only to devices that
            // say so, so devices of an older version keep pulling the rest.
            let mut query = vec![
                ("limit", limit.clone()),
                (
                    "include",
                    "credential,task_claim,replenishment_task,handling_unit".into(),
                ),
            ];
            if let Some(c) = &cursor {
                query.push(("cursor", c.clone()));
            }
            http.get(&url).query(&query)
        })
        .await
    }

    /// Pages are applied on the blocking pool while the next one is fetched: the pull takes as
    /// long as the slower of the two, not their sum.
    async fn pull(&self, report: &mut SyncReport) -> Result<(), SyncError> {
        let mut page = self.fetch_page(super::changes_cursor(&self.store)?).await?;
        loop {
            let (store, has_more, next_cursor) =
                (self.store.clone(), page.has_more, page.next_cursor.clone());
            let apply =
                tokio::task::spawn_blocking(move || super::apply_changes_owned(&store, page));
            let (applied, next) = if has_more {
                let (applied, next) = tokio::join!(apply, self.fetch_page(Some(next_cursor)));
                (applied, Some(next))
            } else {
                (apply.await, None)
            };
            let applied =
                applied.map_err(|e| SyncError::Store(format!("applying a page failed: {e}")))??;
            report.pulled += applied.applied;
            report.kept_local.extend(applied.kept_local);
            match next {
                None => return Ok(()),
                Some(next) => page = next?,
            }
        }
    }

    async fn fetch_stock(&self, cursor: Option<String>) -> Result<Option<StockPage>, SyncError> {
        let url = format!("{}/v1/stock", self.config.hub_url);
        let mut query = vec![("limit", self.config.stock_page_size.to_string())];
        if let Some(c) = cursor {
            query.push(("cursor", c));
        }
        match self.send(|http| http.get(&url).query(&query)).await {
            Ok(page) => Ok(Some(page)),
            // A hub of a version before shared stock: the device's view stays its own ledger.
            Err(SyncError::Hub { status: 404, .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The buckets of the site's stock changed since the last pull, page after page, each applied
    /// with its cursor in one transaction while the next is fetched. Runs after the push, one
    /// cycle at a time: the hub's "applied up to" cannot move during it.
    async fn pull_stock(&self, report: &mut SyncReport) -> Result<(), SyncError> {
        let cursor = super::stock_cursor(&self.store)?;
        let Some(mut page) = self.fetch_stock(cursor).await? else {
            return Ok(());
        };
        loop {
            let (store, has_more, next_cursor) =
                (self.store.clone(), page.has_more, page.next_cursor.clone());
            let apply = tokio::task::spawn_blocking(move || super::apply_stock_page(&store, &page));
            let (applied, next) = if has_more {
                let (applied, next) = tokio::join!(apply, self.fetch_stock(Some(next_cursor)));
                (applied, next?)
            } else {
                (apply.await, None)
            };
            let applied = applied.map_err(|e| {
                SyncError::Store(format!("applying stock from the hub failed: {e}"))
            })??;
            report.stock_pulled += applied.lines;
            report.stock_waiting += applied.waiting;
            match next {
                None => return Ok(()),
                Some(next) => page = next,
            }
        }
    }
}
