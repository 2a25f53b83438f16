//! The background worker of `dockhand-hub serve --erp …`: takes accepted events from the feed in
//! order, hands each to the connector, and records the outcome. A transient failure (network, ERP
//! down, session) stops the pass and retries the same event after a backoff with jitter; a refusal
//! is recorded with the ERP's message and the feed moves on. Hub instances may share a database:
//! only the one holding the posting lease (checked before every event, renewed in the database
//! when half of it has passed) posts and pulls; another takes over when a holder stops renewing.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use dockhand_protocol::sync::{EventRejection, FeedEvent, HubEventOrigin, Import, ImportResult};
use rand::Rng;

use super::{ErpOutcome, ErpPort, ErpPost};
use crate::error::{HubError, HubResult};
use crate::store::ImportSource;

/// Why a connector could not post an event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectorError {
    /// Retrying later may work (network, 5xx, session): the event is tried again.
    #[error("{0}")]
    Transient(String),
    /// The ERP refused the event: recorded for a person, the feed moves on.
    #[error("{code}: {message}")]
    Refused {
        /// Stable code.
        code: String,
        /// The ERP's sentence.
        message: String,
    },
}

/// An ERP the worker posts to.
pub trait Connector: Send + Sync + 'static {
    /// Name in the hub's bookkeeping (`tryton`).
    fn name(&self) -> &str;
    /// The hub site whose events it posts and whose locations, documents and tasks it pulls: a
    /// connector serves one warehouse, named in its name (`tryton@north`; no `@`: `main`).
    fn site(&self) -> &str {
        crate::store::erp_site(self.name())
    }
    /// Posts one event's stock changes (exactly once: finds what an earlier try left and finishes
    /// it); the ERP documents that carry it. `hub` holds what the connector recorded of earlier
    /// events (`ErpBook::erp_carried_by`: events held for a document completed later).
    fn post<'a>(
        &'a self,
        hub: &'a Arc<dyn ErpPort>,
        event: &'a FeedEvent,
    ) -> impl Future<Output = Result<Vec<String>, ConnectorError>> + Send + 'a;
    /// What changed in the ERP after `cursor` as a hub import (merged with what `hub` holds) and
    /// the new cursor; `None` when this connector does not pull.
    fn pull<'a>(
        &'a self,
        hub: &'a Arc<dyn ErpPort>,
        cursor: Option<String>,
    ) -> impl Future<Output = Result<Option<(Import, String)>, ConnectorError>> + Send + 'a;
}

/// Pace of the worker.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Wait between looks at an empty feed.
    pub poll: Duration,
    /// Events read per page of the feed.
    pub page: usize,
    /// First wait after a transient failure; doubles up to `backoff_max`.
    pub backoff_initial: Duration,
    /// Longest wait.
    pub backoff_max: Duration,
    /// How often to pull master data and documents from the ERP.
    pub pull_every: Duration,
    /// How long one grant of the posting lease lasts (renewed when half of it has passed): how
    /// long another instance waits after the holder stops.
    pub lease_ttl: Duration,
    /// This hub instance's name on the lease (its listen address): a restarted instance of the
    /// same name resumes at once, another waits for the lease to lapse.
    pub instance: String,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            poll: Duration::from_millis(250),
            page: 200,
            backoff_initial: Duration::from_millis(500),
            backoff_max: Duration::from_secs(60),
            pull_every: Duration::from_secs(10),
            lease_ttl: Duration::from_secs(60),
            instance: format!("pid {}", std::process::id()),
        }
    }
}

/// What one pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pass {
    /// Events posted.
    pub posted: usize,
    /// Events refused.
    pub refused: usize,
    /// The transient failure that ended the pass early, if one did.
    pub retrying: Option<String>,
    /// Another hub instance holds the posting lease: this pass stopped (or never started).
    pub lost_lease: bool,
}

/// A hub instance's claim on posting to an ERP.
#[derive(Debug)]
pub struct Lease {
    /// Who claims it, named for a person reading `erp status`.
    pub holder: String,
    /// How long one grant lasts.
    pub ttl: Duration,
    /// When the hub's database last granted it (`None`: not held).
    granted_at: std::sync::Mutex<Option<std::time::Instant>>,
}

impl Lease {
    /// A claim by hub instance `instance` on this host (two processes cannot serve one address on
    /// one host, so a holder of the same name is this instance restarted).
    pub fn for_instance(instance: &str, ttl: Duration) -> Self {
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|h| h.trim().to_string())
            .unwrap_or_else(|_| "this host".into());
        Self {
            holder: format!("{host} {instance}"),
            ttl,
            granted_at: std::sync::Mutex::new(None),
        }
    }

    /// Whether this holder may post to connector `erp`: yes without asking while less than half
    /// the lease has passed since the database granted it; otherwise takes or renews it there.
    pub async fn hold(&self, store: &Arc<dyn ErpPort>, erp: &str) -> HubResult<bool> {
        let fresh =
            |at: &Option<std::time::Instant>| at.is_some_and(|t| t.elapsed() < self.ttl / 2);
        if self.granted_at.lock().is_ok_and(|at| fresh(&at)) {
            return Ok(true);
        }
        let asked_at = std::time::Instant::now();
        let granted = self.renew(store, erp).await?;
        if let Ok(mut at) = self.granted_at.lock() {
            *at = granted.then_some(asked_at);
        }
        Ok(granted)
    }

    /// Takes or renews the lease in the hub's database.
    async fn renew(&self, store: &Arc<dyn ErpPort>, erp: &str) -> HubResult<bool> {
        let now = chrono::Utc::now();
        let until = now + chrono::Duration::from_std(self.ttl).unwrap_or(chrono::Duration::MAX);
        let text = |t: chrono::DateTime<chrono::Utc>| {
            t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
        };
        let (erp, holder, until, now) =
            (erp.to_string(), self.holder.clone(), text(until), text(now));
        blocking(store, move |s| s.erp_lease(&erp, &holder, &until, &now)).await
    }
}

async fn blocking<T: Send + 'static>(
    store: &Arc<dyn ErpPort>,
    run: impl FnOnce(&dyn ErpPort) -> HubResult<T> + Send + 'static,
) -> HubResult<T> {
    let store = store.clone();
    tokio::task::spawn_blocking(move || run(store.as_ref()))
        .await
        .map_err(|e| HubError::Storage(format!("ERP worker task: {e}")))?
}

fn now() -> String {
    crate::now_text()
}

/// Posts what the feed holds after the connector's cursor, until it is empty or a transient
/// failure stops the pass.
pub async fn pass<C: Connector>(
    store: &Arc<dyn ErpPort>,
    connector: &C,
    page: usize,
) -> HubResult<Pass> {
    pass_leased(store, connector, page, None).await
}

/// [`pass`] under a posting lease, checked before every event: the pass stops when another
/// instance holds it.
pub async fn pass_leased<C: Connector>(
    store: &Arc<dyn ErpPort>,
    connector: &C,
    page: usize,
    lease: Option<&Lease>,
) -> HubResult<Pass> {
    let erp = connector.name().to_string();
    let mut done = Pass::default();
    if !post_retries(store, connector, lease, &mut done).await? {
        return Ok(done);
    }
    loop {
        let name = erp.clone();
        let cursor = blocking(store, move |s| s.erp_cursor(&name)).await?;
        let site = connector.site().to_string();
        let events = blocking(store, move |s| s.feed(&site, cursor, page)).await?;
        if events.is_empty() {
            return Ok(done);
        }
        for event in events {
            if let Some(lease) = lease
                && !lease.hold(store, &erp).await?
            {
                done.lost_lease = true;
                return Ok(done);
            }
            let outcome = match connector.post(store, &event).await {
                Ok(documents) => {
                    done.posted += 1;
                    ErpOutcome::Posted { documents }
                }
                Err(ConnectorError::Refused { code, message }) => {
                    tracing::warn!(erp = %erp, event = %event.event.event_id, %code, %message, "the ERP refused an event");
                    done.refused += 1;
                    ErpOutcome::Failed { code, message }
                }
                Err(ConnectorError::Transient(message)) => {
                    tracing::warn!(erp = %erp, event = %event.event.event_id, %message, "ERP unavailable; will retry");
                    let (name, at, why) = (erp.clone(), now(), message.clone());
                    blocking(store, move |s| s.erp_retrying(&name, &why, &at)).await?;
                    done.retrying = Some(message);
                    return Ok(done);
                }
            };
            if let ErpOutcome::Failed { code, message } = &outcome {
                // The device sees the refusal as an exception on its next pull (published before
                // the outcome is recorded: after a crash the event is refused and published
                // again, which changes nothing).
                let rejection = EventRejection {
                    device_id: event.event.device_id.clone(),
                    seq: event.event.seq,
                    event_id: event.event.event_id,
                    code: code.clone(),
                    reason: message.clone(),
                    settled: None,
                    note: None,
                    settled_by: None,
                };
                let import = Import {
                    site: Some(connector.site().to_string()),
                    event_rejections: vec![rejection],
                    ..Import::default()
                };
                let name = format!("ERP connector {}", connector.name());
                blocking(store, move |s| {
                    s.import(
                        &import,
                        &ImportSource {
                            origin: HubEventOrigin::Erp,
                            name: &name,
                        },
                    )
                })
                .await?;
            }
            let post = ErpPost {
                feed_seq: event.hub_seq,
                event_id: event.event.event_id.to_string(),
                event_type: event.event.event_type.clone(),
                device_id: event.event.device_id.clone(),
                outcome,
                at: now(),
            };
            let name = erp.clone();
            blocking(store, move |s| s.erp_record(&name, &post)).await?;
        }
    }
}

/// Posts again the refused events a supervisor asked to retry (crate::exceptions), before the
/// feed. Answers whether the pass may go on (not when the ERP is down or the lease was lost).
async fn post_retries<C: Connector>(
    store: &Arc<dyn ErpPort>,
    connector: &C,
    lease: Option<&Lease>,
    done: &mut Pass,
) -> HubResult<bool> {
    let erp = connector.name().to_string();
    let name = erp.clone();
    let retries = blocking(store, move |s| s.erp_retries(&name)).await?;
    for feed_seq in retries {
        if let Some(lease) = lease
            && !lease.hold(store, &erp).await?
        {
            done.lost_lease = true;
            return Ok(false);
        }
        let site = connector.site().to_string();
        let Some(event) = blocking(store, move |s| s.feed(&site, feed_seq - 1, 1))
            .await?
            .into_iter()
            .find(|e| e.hub_seq == feed_seq)
        else {
            continue;
        };
        let outcome = match connector.post(store, &event).await {
            Ok(documents) => {
                done.posted += 1;
                ErpOutcome::Posted { documents }
            }
            Err(ConnectorError::Refused { code, message }) => {
                tracing::warn!(erp = %erp, event = %event.event.event_id, %code, %message, "the ERP refused a retried event again");
                done.refused += 1;
                ErpOutcome::Failed { code, message }
            }
            Err(ConnectorError::Transient(message)) => {
                let (name, at, why) = (erp.clone(), now(), message.clone());
                blocking(store, move |s| s.erp_retrying(&name, &why, &at)).await?;
                done.retrying = Some(message);
                return Ok(false);
            }
        };
        let post = ErpPost {
            feed_seq,
            event_id: event.event.event_id.to_string(),
            event_type: event.event.event_type.clone(),
            device_id: event.event.device_id.clone(),
            outcome,
            at: now(),
        };
        let (name, at) = (erp.clone(), now());
        blocking(store, move |s| s.erp_retried(&name, &post, &at)).await?;
    }
    Ok(true)
}

/// Pulls what changed in the ERP into the hub (its changes feed then reaches the devices): the
/// rows imported and left unchanged, or `None` when the connector does not pull.
pub async fn pull<C: Connector>(
    store: &Arc<dyn ErpPort>,
    connector: &C,
) -> HubResult<Option<ImportResult>> {
    let erp = connector.name().to_string();
    let name = erp.clone();
    let cursor = blocking(store, move |s| s.erp_pull_cursor(&name)).await?;
    match connector.pull(store, cursor).await {
        Ok(Some((mut data, cursor))) => {
            data.site = Some(connector.site().to_string());
            let (name, at) = (erp.clone(), now());
            let result = blocking(store, move |s| s.erp_pulled(&name, &data, &cursor, &at)).await?;
            if result.changed > 0 {
                tracing::info!(erp = %erp, changed = result.changed, "pulled changes from the ERP");
            }
            Ok(Some(result))
        }
        Ok(None) => Ok(None),
        Err(e) => {
            tracing::warn!(erp = %erp, error = %e, "pull from the ERP failed; will retry");
            let (name, at, why) = (erp, now(), format!("pull: {e}"));
            blocking(store, move |s| s.erp_retrying(&name, &why, &at)).await?;
            Ok(None)
        }
    }
}

/// Runs passes until `stop` is set: an empty feed is looked at again after `poll`, a transient
/// failure after a growing backoff with jitter.
pub async fn run<C: Connector>(
    store: Arc<dyn ErpPort>,
    connector: Arc<C>,
    config: WorkerConfig,
    stop: Arc<AtomicBool>,
) {
    let mut backoff = config.backoff_initial;
    let mut last_pull: Option<tokio::time::Instant> = None;
    let lease = Lease::for_instance(&config.instance, config.lease_ttl);
    let erp = connector.name().to_string();
    let mut waiting = false;
    while !stop.load(Ordering::Acquire) {
        match lease.hold(&store, &erp).await {
            Ok(true) if waiting => {
                tracing::info!(erp = %erp, holder = %lease.holder, "this hub instance now posts to the ERP");
                waiting = false;
            }
            Ok(true) => {}
            Ok(false) => {
                if !waiting {
                    tracing::info!(erp = %erp, "another hub instance posts to the ERP; this one waits");
                    waiting = true;
                }
                tokio::time::sleep(config.poll.max(Duration::from_secs(1))).await;
                continue;
            }
            Err(e) => {
                tracing::error!(error = %e, "ERP worker: hub storage failed taking the posting lease");
                tokio::time::sleep(config.backoff_max.min(Duration::from_secs(5))).await;
                continue;
            }
        }
        if last_pull.is_none_or(|at| at.elapsed() >= config.pull_every) {
            if let Err(e) = pull(&store, connector.as_ref()).await {
                tracing::error!(error = %e, "ERP worker: hub storage failed during a pull");
            }
            last_pull = Some(tokio::time::Instant::now());
        }
        let wait = match pass_leased(&store, connector.as_ref(), config.page, Some(&lease)).await {
            Ok(Pass {
                lost_lease: true, ..
            }) => config.poll,
            Ok(Pass { retrying: None, .. }) => {
                backoff = config.backoff_initial;
                config.poll
            }
            Ok(Pass {
                retrying: Some(_), ..
            }) => {
                let jittered = backoff.mul_f64(rand::rng().random_range(0.5..1.0));
                backoff = (backoff * 2).min(config.backoff_max);
                jittered
            }
            Err(e) => {
                tracing::error!(error = %e, "ERP worker: hub storage failed");
                config.backoff_max.min(Duration::from_secs(5))
            }
        };
        tokio::time::sleep(wait).await;
    }
}
