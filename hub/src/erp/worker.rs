//! The background worker of `dockhand-hub serve --erp …`: takes accepted events from the feed in
//! order, hands each to the connector, and records the outcome. A transient failure (network, ERP
//! down, session) stops the pass and retries the same event after a backoff with jitter; a refusal
//! is recorded with the ERP's message and the feed moves on. Hub instances may share a database:
//! only the one holding the posting lease (checked before every event, renewed in the database
//! when half of it has passed) posts and pulls; another takes over when a holder stops renewing.

use std::collections::HashSet;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use dockhand_protocol::sync::{EventRejection, FeedEvent, HubEventOrigin, Import, ImportResult};
use rand::Rng;

use super::{ErpOutcome, ErpPort, ErpPost};
use crate::error::{HubError, HubResult};
use crate::store::{ALONE, ImportSource};

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
    /// Whether `event` may be posted in one [`Connector::post_batch`] with its neighbours: its
    /// post depends on nothing the hub records of earlier events (no ERP document held for or
    /// completed by it). Only events of [`Lane::Free`] and receipt scans may be. By default no.
    fn may_batch<'a>(&'a self, event: &'a FeedEvent) -> impl Future<Output = bool> + Send + 'a {
        let _ = event;
        std::future::ready(false)
    }
    /// Posts a batch: events [`Connector::may_batch`] allowed, which the hub recorded as one
    /// batch before calling (`ErpBook::erp_claim`), in feed order. Its documents may carry
    /// several of its events, and are named after the batch (its first event): a later call with
    /// the same events (after a crash, a lost answer, a supervisor's retry) finds them and
    /// finishes them, and never makes them again. By default nothing is batched.
    fn post_batch<'a>(
        &'a self,
        hub: &'a Arc<dyn ErpPort>,
        events: &'a [FeedEvent],
    ) -> impl Future<Output = Batched> + Send + 'a {
        let _ = (hub, events);
        std::future::ready(Batched::Unmade(ConnectorError::Refused {
            code: "unbatched".into(),
            message: format!("connector {} posts one event at a time", self.name()),
        }))
    }
    /// What changed in the ERP after `cursor` as a hub import (merged with what `hub` holds) and
    /// the new cursor; `None` when this connector does not pull, as by default.
    fn pull<'a>(
        &'a self,
        hub: &'a Arc<dyn ErpPort>,
        cursor: Option<String>,
    ) -> impl Future<Output = Result<Option<(Import, String)>, ConnectorError>> + Send + 'a {
        let _ = (hub, cursor);
        std::future::ready(Ok(None))
    }
}

/// What a connector made of a batch ([`Connector::post_batch`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Batched {
    /// Every event of it is in the ERP: each one's documents, in order.
    Posted(Vec<Vec<String>>),
    /// The ERP made nothing of it (it refused it before any document was created): the hub marks
    /// its events to be posted one by one from then on, and posts them so, which names the one
    /// the ERP refuses.
    Unmade(ConnectorError),
    /// The ERP refused the batch once documents of it were made, and the connector undid what it
    /// could (cancelled what was not done): each event's outcome, or `None` for one none of whose
    /// documents is done, to be posted on its own. A later post of the batch must come to the
    /// same (the undoing is kept in the ERP), so the batch stands.
    Split(Vec<Option<Result<Vec<String>, ConnectorError>>>),
    /// The ERP could not be reached, or refused the batch and what it made could not be undone:
    /// every event of the batch gets this outcome, and any later post of one of them posts the
    /// whole batch again.
    Failed(ConnectorError),
}

/// ERP documents a worker posts at once by default: a multi-worker ERP takes them side by side.
pub const DEFAULT_CONCURRENCY: usize = 8;

/// Posts `events` one after the other; after a transient failure the rest are not tried (they
/// get the same failure).
pub async fn one_by_one<C: Connector + ?Sized>(
    connector: &C,
    hub: &Arc<dyn ErpPort>,
    events: &[FeedEvent],
) -> Vec<Result<Vec<String>, ConnectorError>> {
    let mut out = Vec::with_capacity(events.len());
    for event in events {
        let outcome = match out.last() {
            Some(Err(ConnectorError::Transient(why))) => {
                Err(ConnectorError::Transient(why.clone()))
            }
            _ => connector.post(hub, event).await,
        };
        out.push(outcome);
    }
    out
}

/// Most events posted together in one [`Connector::post_batch`] (and free events gathered in one
/// lane).
pub const BATCH: usize = 16;

/// Pace of the worker.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Wait between looks at an empty feed.
    pub poll: Duration,
    /// Events read per page of the feed.
    pub page: usize,
    /// ERP documents posted at once (lanes of [`lane`]); 1 posts one event at a time.
    pub concurrency: usize,
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
            concurrency: DEFAULT_CONCURRENCY,
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

pub(crate) async fn blocking<T: Send + 'static>(
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

/// Posts what the feed holds after the connector's cursor, one event at a time, until it is
/// empty or a transient failure stops the pass.
pub async fn pass<C: Connector>(
    store: &Arc<dyn ErpPort>,
    connector: &C,
    page: usize,
) -> HubResult<Pass> {
    pass_leased(store, connector, page, 1, None).await
}

/// How an event may be posted beside others (see [`lane`]).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Lane {
    /// Touches no ERP document another event completes: posted beside anything.
    Free,
    /// Part of one document's story (a receipt, a return, an order's picks and shipping): after
    /// the earlier events of the same document, beside other documents.
    Document(String),
    /// Reads or sets the ERP's stock as it stands (a count) or undoes an earlier event (a void):
    /// after every earlier event, before any later one.
    Alone,
}

/// The lane of an event. The scans of an expected receipt wait for its close, an order's picks
/// for its shipping, a return's receipt for its inspection. A count fills an ERP inventory whose confirmation books the difference
/// from the ERP's quantity at that moment, so everything before it must be in and nothing after
/// it may be; a void reverses an event that must be posted first. Everything else moves stock by
/// known quantities, which the ERP sums in any order.
pub fn lane(event: &FeedEvent) -> Lane {
    use dockhand_protocol::events::EventBody as B;
    let Ok(body) = event.event.body() else {
        return Lane::Free;
    };
    let document = |kind: &str, id: &str| Lane::Document(format!("{kind}:{id}"));
    match &body {
        // A blind receipt's scans are each their own delivery: no ERP document gathers them.
        B::LineReceived(e) if e.receipt_kind == dockhand_protocol::events::ReceiptKind::Blind => {
            Lane::Free
        }
        B::LineReceived(e) => document("receipt", &e.receipt_id),
        B::ReceiptClosed(e) => document("receipt", &e.receipt_id),
        B::BlindOpened(e) => document("receipt", &e.receipt_id),
        B::ReceiptDiscrepancy(e) => document("receipt", &e.receipt_id),
        B::ReturnReceived(e) => document("return", &e.return_id),
        B::ReturnInspected(e) => document("return", &e.return_id),
        B::PickTaskStarted(e) => document("order", &e.order_ref),
        B::PickConfirmed(e) => document("order", &e.order_ref),
        B::PickShort(e) => document("order", &e.order_ref),
        B::PickTaskCancelled(e) => document("order", &e.order_ref),
        B::Loaded(e) => document("order", &e.order_ref),
        B::Shipped(e) => document("order", &e.order_ref),
        B::Counted(_) | B::CountAdjusted(_) | B::Voided(_) => Lane::Alone,
        B::PutawayConfirmed(_)
        | B::MoveConfirmed(_)
        | B::UnitBuilt(_)
        | B::Packed(_)
        | B::Unpacked(_)
        | B::StockReleased(_)
        | B::CountTaskCreated(_)
        | B::ReplenishmentRaised(_)
        | B::CountStarted(_) => Lane::Free,
    }
}

/// A page of events cut into the runs the worker posts: each run's lanes go side by side, each
/// lane in feed order; an event of [`Lane::Alone`] is a run of its own. A lane holds one
/// document's events, or up to [`BATCH`] free events posted together.
/// With `concurrency` 1, each event is a run: strictly feed order.
fn runs(events: Vec<FeedEvent>, concurrency: usize) -> Vec<Vec<Vec<FeedEvent>>> {
    if concurrency <= 1 {
        return events.into_iter().map(|e| vec![vec![e]]).collect();
    }
    let mut runs: Vec<Vec<Vec<FeedEvent>>> = Vec::new();
    let mut lanes: Vec<Vec<FeedEvent>> = Vec::new();
    let mut of_document: std::collections::HashMap<String, usize> = Default::default();
    // The lane gathering free events (a batch, posted together), while it has room.
    let mut free: Option<usize> = None;
    for event in events {
        match lane(&event) {
            Lane::Alone => {
                if !lanes.is_empty() {
                    runs.push(std::mem::take(&mut lanes));
                    of_document.clear();
                    free = None;
                }
                runs.push(vec![vec![event]]);
            }
            Lane::Free => match free {
                Some(at) if lanes[at].len() < BATCH => lanes[at].push(event),
                _ => {
                    free = Some(lanes.len());
                    lanes.push(vec![event]);
                }
            },
            Lane::Document(key) => match of_document.get(&key) {
                Some(&at) => lanes[at].push(event),
                None => {
                    of_document.insert(key, lanes.len());
                    lanes.push(vec![event]);
                }
            },
        }
    }
    if !lanes.is_empty() {
        runs.push(lanes);
    }
    runs
}

/// What posting one event came to.
enum Step {
    /// The outcome is recorded (posted or refused).
    Recorded { posted: bool },
    /// The ERP could not be reached: the event is tried again on a later pass.
    Retry(String),
}

/// Which post of an event an outcome settles.
#[derive(Clone, Copy, PartialEq)]
enum Posting {
    /// Its turn in the feed.
    Feed,
    /// Posted again because a supervisor asked (crate::exceptions): the outcome goes to the
    /// exception the first refusal opened.
    Retry,
}

/// Records what posting one event came to; a first refusal also reaches the device that
/// recorded it (a retried one updates the exception it already has).
async fn settle<C: Connector>(
    store: &Arc<dyn ErpPort>,
    connector: &C,
    event: &FeedEvent,
    posted: Result<Vec<String>, ConnectorError>,
    posting: Posting,
) -> HubResult<Step> {
    let erp = connector.name().to_string();
    let outcome = match posted {
        Ok(documents) => ErpOutcome::Posted { documents },
        Err(ConnectorError::Refused { code, message }) => {
            let again = if posting == Posting::Retry {
                " again"
            } else {
                ""
            };
            tracing::warn!(erp = %erp, event = %event.event.event_id, %code, %message, "the ERP refused an event{again}");
            ErpOutcome::Failed { code, message }
        }
        Err(ConnectorError::Transient(message)) => {
            tracing::warn!(erp = %erp, event = %event.event.event_id, %message, "ERP unavailable; will retry");
            let (name, at, why) = (erp, now(), message.clone());
            blocking(store, move |s| s.erp_retrying(&name, &why, &at)).await?;
            return Ok(Step::Retry(message));
        }
    };
    let posted = matches!(outcome, ErpOutcome::Posted { .. });
    let post = ErpPost {
        feed_seq: event.hub_seq,
        event_id: event.event.event_id.to_string(),
        event_type: event.event.event_type.clone(),
        device_id: event.event.device_id.clone(),
        outcome,
        at: now(),
    };
    if posting == Posting::Retry {
        let at = now();
        blocking(store, move |s| s.erp_retried(&erp, &post, &at)).await?;
        return Ok(Step::Recorded { posted });
    }
    if let ErpOutcome::Failed { code, message } = &post.outcome {
        // The device sees the refusal as an exception on its next pull (published before the
        // outcome is recorded: after a crash the event is refused and published again, which
        // changes nothing).
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
    blocking(store, move |s| s.erp_record(&erp, &post)).await?;
    Ok(Step::Recorded { posted })
}

/// What a lane did: the positions recorded, events posted and refused, why it stopped early.
#[derive(Default)]
struct LaneDone {
    recorded: Vec<i64>,
    posted: usize,
    refused: usize,
    retrying: Option<String>,
    lost_lease: bool,
}

/// Posts batch `batch` as the hub recorded it (its events may reach beyond the caller's page):
/// each event with its outcome. A batch the ERP made nothing of is dropped, and its events are
/// posted one by one; `only` the one at that feed position when given (a supervisor's retry of
/// one event: the others of the batch were recorded refused and wait for their own).
async fn post_claimed<C: Connector>(
    store: &Arc<dyn ErpPort>,
    connector: &C,
    batch: i64,
    only: Option<i64>,
) -> HubResult<Vec<(FeedEvent, Result<Vec<String>, ConnectorError>)>> {
    if batch == ALONE {
        return Err(HubError::Storage(
            "batch 0 holds the events posted one by one".into(),
        ));
    }
    let erp = connector.name().to_string();
    let events = blocking(store, move |s| s.erp_batch(&erp, batch)).await?;
    // A connector that does not answer for each event: nothing is recorded, the batch is tried
    // again.
    let miscounted = |answered: usize| {
        let why = format!(
            "connector {} answered {answered} outcome(s) for the {} event(s) of batch {batch}",
            connector.name(),
            events.len()
        );
        vec![Err(ConnectorError::Transient(why)); events.len()]
    };
    let outcomes = match connector.post_batch(store, &events).await {
        Batched::Posted(documents) if documents.len() == events.len() => {
            documents.into_iter().map(Ok).collect()
        }
        Batched::Posted(documents) => miscounted(documents.len()),
        Batched::Failed(e) => vec![Err(e); events.len()],
        Batched::Split(outcomes) if outcomes.len() == events.len() => {
            return split(store, connector, batch, events, outcomes, only).await;
        }
        Batched::Split(outcomes) => miscounted(outcomes.len()),
        Batched::Unmade(why) => {
            tracing::info!(erp = %connector.name(), batch, events = events.len(), reason = %why,
                "the ERP made nothing of a batch; posting its events one by one");
            let erp = connector.name().to_string();
            blocking(store, move |s| s.erp_unbatch(&erp, batch)).await?;
            let events: Vec<FeedEvent> = events
                .into_iter()
                .filter(|e| only.is_none_or(|seq| e.hub_seq == seq))
                .collect();
            let outcomes = one_by_one(connector, store, &events).await;
            return Ok(events.into_iter().zip(outcomes).collect());
        }
    };
    Ok(events.into_iter().zip(outcomes).collect())
}

/// What the hub does with a batch the ERP refused once documents of it were made and the
/// connector undid what it could ([`Batched::Split`]). The events it settled are recorded first;
/// then the batch is dissolved (its events go to batch [`ALONE`]: no later try may make its
/// documents again, even those Tryton never created), and the others are posted one by one:
/// those not recorded yet, or `only` the one a supervisor retries.
async fn split<C: Connector>(
    store: &Arc<dyn ErpPort>,
    connector: &C,
    batch: i64,
    events: Vec<FeedEvent>,
    outcomes: Vec<Option<Result<Vec<String>, ConnectorError>>>,
    only: Option<i64>,
) -> HubResult<Vec<(FeedEvent, Result<Vec<String>, ConnectorError>)>> {
    let erp = connector.name().to_string();
    let mut out = Vec::with_capacity(events.len());
    let mut alone = Vec::new();
    for (event, outcome) in events.into_iter().zip(outcomes) {
        match outcome {
            Some(settled) => {
                if only != Some(event.hub_seq) {
                    settle(store, connector, &event, settled.clone(), Posting::Feed).await?;
                }
                out.push((event, settled));
            }
            None => alone.push(event),
        }
    }
    let (name, first, last) = (
        erp.clone(),
        alone.first().map_or(0, |e| e.hub_seq),
        alone.last().map_or(0, |e| e.hub_seq),
    );
    let recorded = blocking(store, move |s| s.erp_recorded(&name, first - 1, last)).await?;
    let name = erp.clone();
    blocking(store, move |s| s.erp_unbatch(&name, batch)).await?;
    let alone: Vec<FeedEvent> = alone
        .into_iter()
        .filter(|e| match only {
            Some(seq) => e.hub_seq == seq,
            None => !recorded.contains(&e.hub_seq),
        })
        .collect();
    let posted = one_by_one(connector, store, &alone).await;
    out.extend(alone.into_iter().zip(posted));
    Ok(out)
}

/// Posts `lane_events` of a lane together, or on its own when `alone` (one event): the hub
/// records them first, as one new batch or as posted alone (those a batch already holds are
/// posted with theirs, unless another lane of the page took that batch: `taken`).
async fn post_together<C: Connector>(
    store: &Arc<dyn ErpPort>,
    connector: &C,
    lane_events: &[FeedEvent],
    alone: bool,
    taken: &Mutex<HashSet<i64>>,
) -> HubResult<Vec<(FeedEvent, Result<Vec<String>, ConnectorError>)>> {
    let erp = connector.name().to_string();
    let seqs: Vec<i64> = lane_events.iter().map(|e| e.hub_seq).collect();
    let claimed = blocking(store, move |s| s.erp_claim(&erp, &seqs, alone)).await?;
    let mut batches: Vec<i64> = Vec::new();
    for &(_, batch) in &claimed {
        if !batches.contains(&batch) {
            batches.push(batch);
        }
    }
    let mut out = Vec::new();
    for batch in batches {
        let outcomes = if batch == ALONE {
            // Events posted one by one: each on its own.
            let events: Vec<FeedEvent> = lane_events
                .iter()
                .filter(|e| claimed.iter().any(|&(s, b)| s == e.hub_seq && b == ALONE))
                .cloned()
                .collect();
            let outcomes = one_by_one(connector, store, &events).await;
            events.into_iter().zip(outcomes).collect()
        } else if take(taken, batch) {
            post_claimed(store, connector, batch, None).await?
        } else {
            continue;
        };
        let unreachable = outcomes
            .iter()
            .any(|(_, o)| matches!(o, Err(ConnectorError::Transient(_))));
        out.extend(outcomes);
        if unreachable {
            break;
        }
    }
    Ok(out)
}

/// Whether `event` is of a kind a connector may batch ([`Connector::may_batch`] answers for the
/// events of no document, [`Lane::Free`], and for receipt scans): the others are never in a batch
/// and need no record of being posted alone.
fn may_ever_batch(event: &FeedEvent) -> bool {
    lane(event) == Lane::Free
        || event.event.event_type == dockhand_protocol::events::EventKind::LineReceived.as_str()
}

/// Whether this lane takes batch `batch` (no other lane of the page did): a batch whose events a
/// page cut across two lanes is posted once.
fn take(taken: &Mutex<HashSet<i64>>, batch: i64) -> bool {
    taken.lock().map(|mut t| t.insert(batch)).unwrap_or(false)
}

/// Posts one lane's events in order, consecutive ones the connector may post together
/// ([`Connector::may_batch`], up to [`BATCH`]) as one batch; an event a batch holds (`claims`:
/// feed position to batch) is only ever posted with its batch. Each outcome is recorded before
/// the next event is posted. Stops at a transient failure, a lost lease, or when another lane of
/// the pass met one (`stop`); what a batch posted is recorded even then.
async fn post_lane<C: Connector>(
    store: &Arc<dyn ErpPort>,
    connector: &C,
    lease: Option<&Lease>,
    lane: Vec<FeedEvent>,
    claims: &std::collections::HashMap<i64, i64>,
    taken: &Mutex<HashSet<i64>>,
    stop: &AtomicBool,
) -> HubResult<LaneDone> {
    let mut done = LaneDone::default();
    let erp = connector.name().to_string();
    let mut at = 0;
    while at < lane.len() && !stop.load(Ordering::Acquire) {
        if let Some(lease) = lease
            && !lease.hold(store, &erp).await?
        {
            done.lost_lease = true;
            stop.store(true, Ordering::Release);
            break;
        }
        let claimed = |e: &FeedEvent| claims.get(&e.hub_seq).copied();
        let outcomes = if claimed(&lane[at]) == Some(ALONE) {
            at += 1;
            vec![(
                lane[at - 1].clone(),
                connector.post(store, &lane[at - 1]).await,
            )]
        } else if let Some(batch) = claimed(&lane[at]) {
            while at < lane.len() && claimed(&lane[at]) == Some(batch) {
                at += 1;
            }
            if !take(taken, batch) {
                continue;
            }
            post_claimed(store, connector, batch, None).await?
        } else {
            let mut end = at + 1;
            if connector.may_batch(&lane[at]).await {
                while end < lane.len()
                    && end - at < BATCH
                    && claimed(&lane[end]).is_none()
                    && connector.may_batch(&lane[end]).await
                {
                    end += 1;
                }
            }
            let events = &lane[at..end];
            at = end;
            match events {
                // One event a connector could ever batch is recorded as posted alone first: a
                // later pass must not put it in a batch (its own document may be in the ERP
                // already, its answer lost).
                [one] if !may_ever_batch(one) => {
                    vec![(one.clone(), connector.post(store, one).await)]
                }
                _ => post_together(store, connector, events, events.len() == 1, taken).await?,
            }
        };
        for (event, result) in outcomes {
            match settle(store, connector, &event, result, Posting::Feed).await {
                Ok(Step::Recorded { posted }) => {
                    done.recorded.push(event.hub_seq);
                    if posted {
                        done.posted += 1;
                    } else {
                        done.refused += 1;
                    }
                }
                Ok(Step::Retry(message)) => {
                    done.retrying = Some(message);
                    stop.store(true, Ordering::Release);
                    return Ok(done);
                }
                Err(e) => {
                    stop.store(true, Ordering::Release);
                    return Err(e);
                }
            }
        }
    }
    Ok(done)
}

/// Moves the cursor over the page's first `positions` that are all `recorded`, when that is past
/// `from`; where it now stands.
async fn advance(
    store: &Arc<dyn ErpPort>,
    erp: &str,
    positions: &[i64],
    recorded: &std::collections::HashSet<i64>,
    from: i64,
) -> HubResult<i64> {
    let through = positions
        .iter()
        .take_while(|seq| recorded.contains(seq))
        .last()
        .copied()
        .unwrap_or(from);
    if through > from {
        let (name, at) = (erp.to_string(), now());
        blocking(store, move |s| s.erp_advance(&name, through, &at)).await?;
    }
    Ok(through.max(from))
}

/// [`pass`] posting up to `concurrency` ERP documents at once (their lanes, [`lane`]), under a
/// posting lease checked before every event: the pass stops when another instance holds it.
/// Outcomes are recorded as each event finishes; the cursor moves past a position only once
/// every event up to it is recorded, and a later pass skips what was recorded beyond it.
pub async fn pass_leased<C: Connector>(
    store: &Arc<dyn ErpPort>,
    connector: &C,
    page: usize,
    concurrency: usize,
    lease: Option<&Lease>,
) -> HubResult<Pass> {
    use futures_util::stream::{self, StreamExt, TryStreamExt};
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
        let Some(last) = events.last().map(|e| e.hub_seq) else {
            return Ok(done);
        };
        let positions: Vec<i64> = events.iter().map(|e| e.hub_seq).collect();
        let name = erp.clone();
        let mut recorded: std::collections::HashSet<i64> =
            blocking(store, move |s| s.erp_recorded(&name, cursor, last))
                .await?
                .into_iter()
                .collect();
        let todo: Vec<FeedEvent> = events
            .into_iter()
            .filter(|e| !recorded.contains(&e.hub_seq))
            .collect();
        let name = erp.clone();
        let claims: std::collections::HashMap<i64, i64> =
            blocking(store, move |s| s.erp_claims(&name, cursor, last))
                .await?
                .into_iter()
                .collect();
        let stop = AtomicBool::new(false);
        let taken = Mutex::new(HashSet::new());
        let mut failed = None;
        let mut advanced = cursor;
        for run in runs(todo, concurrency) {
            let lanes: Vec<LaneDone> = match stream::iter(run)
                .map(|lane| post_lane(store, connector, lease, lane, &claims, &taken, &stop))
                .buffer_unordered(concurrency.max(1))
                .try_collect()
                .await
            {
                Ok(lanes) => lanes,
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            };
            for lane in lanes {
                recorded.extend(&lane.recorded);
                done.posted += lane.posted;
                done.refused += lane.refused;
                done.retrying = done.retrying.or(lane.retrying);
                done.lost_lease |= lane.lost_lease;
            }
            advanced = advance(store, &erp, &positions, &recorded, advanced).await?;
            if stop.load(Ordering::Acquire) {
                break;
            }
        }
        advance(store, &erp, &positions, &recorded, advanced).await?;
        if let Some(e) = failed {
            return Err(e);
        }
        if done.retrying.is_some() || done.lost_lease {
            return Ok(done);
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
        // An event of a batch is posted with its batch (the documents carry all of them); one
        // of none is recorded as posted alone first, so that no later batch takes it in.
        let (name, seq) = (erp.clone(), event.hub_seq);
        let claim = blocking(store, move |s| s.erp_claim(&name, &[seq], true)).await?;
        let posted = match claim.first() {
            Some(&(_, batch)) if batch != ALONE => post_claimed(store, connector, batch, Some(seq))
                .await?
                .into_iter()
                .find(|(e, _)| e.hub_seq == seq)
                .map_or_else(
                    || {
                        Err(ConnectorError::Transient(format!(
                            "batch {batch} lost feed #{seq}"
                        )))
                    },
                    |(_, outcome)| outcome,
                ),
            _ => connector.post(store, &event).await,
        };
        match settle(store, connector, &event, posted, Posting::Retry).await? {
            Step::Recorded { posted: true } => done.posted += 1,
            Step::Recorded { posted: false } => done.refused += 1,
            Step::Retry(message) => {
                done.retrying = Some(message);
                return Ok(false);
            }
        }
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
        let wait = match pass_leased(
            &store,
            connector.as_ref(),
            config.page,
            config.concurrency,
            Some(&lease),
        )
        .await
        {
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
