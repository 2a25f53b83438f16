//! ERP bookkeeping: what each connector did with each event of the feed, the failure it is
//! retrying, and where its pull from the ERP stands.

use dockhand_protocol::sync::{FeedEvent, Import, ImportResult};

use crate::erp::{ErpOutcome, ErpPost, ErpStatus};
use crate::error::HubResult;

/// The ERP connectors' bookkeeping.
pub trait ErpBook: Send + Sync + 'static {
    /// The feed position up to which ERP connector `erp` is done with every event (0 before the
    /// first; events after it may be recorded too: see [`ErpBook::erp_recorded`]).
    fn erp_cursor(&self, erp: &str) -> HubResult<i64>;
    /// Records what connector `erp` did with one event (a second record of the same feed
    /// position changes nothing) and clears its last error.
    fn erp_record(&self, erp: &str, post: &ErpPost) -> HubResult<()>;
    /// Moves connector `erp`'s cursor forward to `through`: every event of its site up to there
    /// is recorded (never moves it back).
    fn erp_advance(&self, erp: &str, through: i64, now: &str) -> HubResult<()>;
    /// The feed positions in (`after`, `upto`] connector `erp` recorded, in order.
    fn erp_recorded(&self, erp: &str, after: i64, upto: i64) -> HubResult<Vec<i64>>;
    /// Notes a failure a retry is working on (the event will be tried again).
    fn erp_retrying(&self, erp: &str, message: &str, now: &str) -> HubResult<()>;
    /// Where connector `erp` stands.
    fn erp_status(&self, erp: &str) -> HubResult<ErpStatus>;
    /// Every connector that ever worked against this hub (took the posting lease, pulled or met
    /// an error), by name.
    fn erp_names(&self) -> HubResult<Vec<String>>;
    /// Where connector `erp`'s pull from the ERP stands (`None` before the first).
    fn erp_pull_cursor(&self, erp: &str) -> HubResult<Option<String>>;
    /// Imports what a pull brought and moves its cursor, in one transaction.
    fn erp_pulled(
        &self,
        erp: &str,
        data: &Import,
        cursor: &str,
        now: &str,
    ) -> HubResult<ImportResult>;
    /// The events connector `erp` recorded as carried by exactly `document` (the scans it held
    /// for an ERP document completed later), in feed order.
    fn erp_carried_by(&self, erp: &str, document: &str) -> HubResult<Vec<FeedEvent>>;
    /// The feed positions connector `erp` is asked to post again (crate::exceptions), in order.
    fn erp_retries(&self, erp: &str) -> HubResult<Vec<i64>>;
    /// Records what connector `erp` made of a retried post (crate::exceptions::erp_retried).
    fn erp_retried(&self, erp: &str, post: &ErpPost, now: &str) -> HubResult<()>;
    /// Whether the hub observed count line `count_key` at `site` (crate::reconcile): the ERP then
    /// gets the line's reconciled net from the hub, not the handheld's adjustment.
    fn count_observed(&self, site: &str, count_key: &str) -> HubResult<bool>;
    /// The events in (`after`, `upto`] connector `erp` gave to a batch (one ERP document for
    /// several events): (feed position, batch), in order.
    fn erp_claims(&self, erp: &str, after: i64, upto: i64) -> HubResult<Vec<(i64, i64)>>;
    /// Gives the events at `feed_seqs` that no batch holds yet to one new batch, named by the
    /// first of them (to batch [`ALONE`] when `alone`: an event about to be posted on its own,
    /// which must never be put in a batch later), in one transaction, before the ERP is called:
    /// (feed position, batch) of every one of `feed_seqs`, those a batch already held included.
    fn erp_claim(&self, erp: &str, feed_seqs: &[i64], alone: bool) -> HubResult<Vec<(i64, i64)>>;
    /// The events of batch `batch`, in feed order.
    fn erp_batch(&self, erp: &str, batch: i64) -> HubResult<Vec<FeedEvent>>;
    /// Marks the events of batch `batch` to be posted one by one from now on (the ERP made
    /// nothing of it): they belong to batch [`ALONE`] and are never batched again, so that one
    /// posted alone before a crash is not made again in a new batch.
    fn erp_unbatch(&self, erp: &str, batch: i64) -> HubResult<()>;
}

/// The batch of events posted one by one ([`ErpBook::erp_unbatch`]); feed positions start at 1.
pub const ALONE: i64 = 0;

/// The batch `feed_seqs` would make: the claims already held among `held` and, for the others, a
/// new batch named by the first of them (or [`ALONE`]) (the SQL of `ErpBook::erp_claim`, shared by both
/// backends).
pub fn new_claims(feed_seqs: &[i64], held: &[(i64, i64)], alone: bool) -> Vec<(i64, i64)> {
    let held: std::collections::HashMap<i64, i64> = held.iter().copied().collect();
    let free: Vec<i64> = feed_seqs
        .iter()
        .copied()
        .filter(|s| !held.contains_key(s))
        .collect();
    let Some(&first) = free.iter().min() else {
        return Vec::new();
    };
    let batch = if alone { ALONE } else { first };
    free.into_iter().map(|seq| (seq, batch)).collect()
}

/// The ERP bookkeeping statements, one text for both backends (`$n` numbered in order of first use,
/// which SQLite binds positionally too).
pub mod erp_sql {
    /// Every connector that worked against this hub.
    pub const NAMES: &str = "SELECT erp FROM erp_leases UNION SELECT erp FROM erp_state ORDER BY 1";
    /// Last feed position done with.
    pub const CURSOR: &str =
        "SELECT COALESCE((SELECT posted_through FROM erp_state WHERE erp = $1), 0)";
    /// Moves the cursor forward to $2 (never back: an instance that lost the posting lease may
    /// still finish a page behind the one that took it).
    pub const ADVANCE: &str = "INSERT INTO erp_state (erp, posted_through, updated_at)
        VALUES ($1, $2, $3)
        ON CONFLICT (erp) DO UPDATE SET updated_at = excluded.updated_at,
            posted_through = CASE WHEN erp_state.posted_through IS NULL
                OR erp_state.posted_through < excluded.posted_through
                THEN excluded.posted_through ELSE erp_state.posted_through END";
    /// The feed positions after $2 up to $3 that connector $1 recorded (posted out of order by
    /// a pass that stopped before the cursor could move past them).
    pub const RECORDED: &str = "SELECT feed_seq FROM erp_posts
        WHERE erp = $1 AND feed_seq > $2 AND feed_seq <= $3 ORDER BY feed_seq";
    /// Records one event's outcome once.
    pub const RECORD: &str = "INSERT INTO erp_posts
        (erp, feed_seq, event_id, event_type, device_id, status, documents, code, message, at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (erp, feed_seq) DO NOTHING";
    /// Clears the last error after a success.
    pub const CLEAR: &str = "INSERT INTO erp_state (erp, last_error, last_error_at, updated_at)
        VALUES ($1, NULL, NULL, $2)
        ON CONFLICT (erp) DO UPDATE SET last_error = NULL, last_error_at = NULL,
            updated_at = excluded.updated_at";
    /// Notes a failure being retried (since when: the first of the streak).
    pub const RETRYING: &str = "INSERT INTO erp_state (erp, last_error, last_error_at, updated_at)
        VALUES ($1, $2, $3, $3)
        ON CONFLICT (erp) DO UPDATE SET last_error = excluded.last_error,
            last_error_at = CASE WHEN erp_state.last_error IS NULL THEN excluded.last_error_at
                                 ELSE erp_state.last_error_at END,
            updated_at = excluded.updated_at";
    /// Site $1's feed head, pending count and the oldest pending event's arrival after cursor
    /// $2.
    pub const FEED: &str = "SELECT COALESCE((SELECT MAX(feed_seq) FROM feed WHERE site = $1), 0),
        (SELECT COUNT(*) FROM feed WHERE site = $1 AND feed_seq > $2),
        (SELECT COALESCE(e.received_at, f.made_at) FROM feed f
          LEFT JOIN events e ON e.id = f.event_row
          WHERE f.site = $1 AND f.feed_seq > $2 ORDER BY f.feed_seq LIMIT 1)";
    /// Count lines of site $1 held from the ERP (settled, not waiting): how many, the oldest's
    /// count time.
    pub const COUNTS_HELD: &str = "SELECT COUNT(*), MIN(at) FROM count_observations
        WHERE site = $1 AND erp_state = 'held' AND settled = 1 AND waiting = 0";
    /// Whether site $1 observed count line $2.
    pub const COUNT_OBSERVED: &str = "SELECT EXISTS (SELECT 1 FROM count_observations
        WHERE site = $1 AND count_key = $2)";
    /// The pull cursor.
    pub const PULL_CURSOR: &str = "SELECT pull_cursor FROM erp_state WHERE erp = $1";
    /// Moves the pull cursor.
    pub const SET_PULL_CURSOR: &str =
        "INSERT INTO erp_state (erp, updated_at, pull_cursor, pulled_at)
        VALUES ($1, $2, $3, $2)
        ON CONFLICT (erp) DO UPDATE SET pull_cursor = excluded.pull_cursor,
            pulled_at = excluded.pulled_at, updated_at = excluded.updated_at";
    /// How a connector marks an event held for a document it completes later (`<document>:held`).
    pub const HELD_SUFFIX: &str = ":held";
    /// Events held for a document no event has completed yet: how many, and the oldest's record.
    pub const HELD: &str = "SELECT COUNT(*), MIN(p.at) FROM erp_posts p
        WHERE p.erp = $1 AND p.status = 'posted' AND p.documents LIKE '%:held'
          AND NOT EXISTS (SELECT 1 FROM erp_posts q
            WHERE q.erp = p.erp AND q.status = 'posted'
              AND (q.documents = replace(p.documents, ':held', '')
                   OR q.documents LIKE replace(p.documents, ':held', '') || ' %'))";
    /// The most held documents a status lists.
    pub const HELD_DOCUMENTS_SHOWN: i64 = 50;
    /// The documents events are held for, as [`HELD`] counts them: (document, events, oldest).
    pub const HELD_DOCUMENTS: &str = "SELECT replace(p.documents, ':held', ''),
            CAST(COUNT(*) AS BIGINT), MIN(p.at) FROM erp_posts p
        WHERE p.erp = $1 AND p.status = 'posted' AND p.documents LIKE '%:held'
          AND NOT EXISTS (SELECT 1 FROM erp_posts q
            WHERE q.erp = p.erp AND q.status = 'posted'
              AND (q.documents = replace(p.documents, ':held', '')
                   OR q.documents LIKE replace(p.documents, ':held', '') || ' %'))
        GROUP BY replace(p.documents, ':held', '') ORDER BY MIN(p.at) LIMIT $2";
    /// The events recorded as carried by one document.
    pub const CARRIED_BY: &str = "SELECT p.feed_seq, e.received_at, e.envelope FROM erp_posts p
        JOIN feed f ON f.feed_seq = p.feed_seq JOIN events e ON e.id = f.event_row
        WHERE p.erp = $1 AND p.status = 'posted' AND p.documents = $2 ORDER BY p.feed_seq";
    /// Posted and failed counts, last posted, last error.
    pub const TOTALS: &str = "SELECT
        (SELECT COUNT(*) FROM erp_posts WHERE erp = $1 AND status = 'posted'),
        (SELECT COUNT(*) FROM erp_posts WHERE erp = $1 AND status = 'failed'),
        (SELECT MAX(at) FROM erp_posts WHERE erp = $1 AND status = 'posted'),
        (SELECT last_error FROM erp_state WHERE erp = $1),
        (SELECT last_error_at FROM erp_state WHERE erp = $1),
        (SELECT pulled_at FROM erp_state WHERE erp = $1)";
    /// The batches events in ($2, $3] belong to.
    pub const CLAIMS: &str = "SELECT feed_seq, batch FROM erp_batch_events
        WHERE erp = $1 AND feed_seq > $2 AND feed_seq <= $3 ORDER BY feed_seq";
    /// Gives one event to a batch, unless one holds it already.
    pub const CLAIM: &str = "INSERT INTO erp_batch_events (erp, feed_seq, batch)
        VALUES ($1, $2, $3) ON CONFLICT (erp, feed_seq) DO NOTHING";
    /// A batch's events.
    pub const BATCH: &str = "SELECT b.feed_seq, COALESCE(e.received_at, f.made_at),
            COALESCE(e.envelope, f.envelope)
        FROM erp_batch_events b JOIN feed f ON f.feed_seq = b.feed_seq
        LEFT JOIN events e ON e.id = f.event_row
        WHERE b.erp = $1 AND b.batch = $2 ORDER BY b.feed_seq";
    /// Gives a batch's events to batch 0 (`ALONE`): posted one by one.
    pub const UNBATCH: &str = "UPDATE erp_batch_events SET batch = 0 WHERE erp = $1 AND batch = $2";
    /// The refused events.
    pub const FAILURES: &str =
        "SELECT feed_seq, event_id, event_type, device_id, status, documents,
        code, message, at FROM erp_posts WHERE erp = $1 AND status = 'failed' ORDER BY feed_seq";
}

/// The site a connector posts for, from its name: `tryton@north` posts north's events, a name
/// without `@` the first site's (`main`).
pub fn erp_site(erp: &str) -> &str {
    erp.rsplit_once('@')
        .map_or(super::FIRST_SITE, |(_, site)| site)
}

/// How an ERP outcome is stored: status, documents, code, message.
pub fn erp_columns(outcome: &ErpOutcome) -> (&'static str, String, Option<&str>, Option<&str>) {
    match outcome {
        ErpOutcome::Posted { documents } => ("posted", documents.join(" "), None, None),
        ErpOutcome::Failed { code, message } => {
            ("failed", String::new(), Some(code), Some(message))
        }
    }
}

/// An ERP post from its stored columns.
pub fn erp_post_of(
    feed_seq: i64,
    ids: (String, String, String),
    status: &str,
    documents: &str,
    failure: (Option<String>, Option<String>),
    at: String,
) -> ErpPost {
    let (event_id, event_type, device_id) = ids;
    ErpPost {
        feed_seq,
        event_id,
        event_type,
        device_id,
        outcome: if status == "posted" {
            ErpOutcome::Posted {
                documents: documents.split_whitespace().map(str::to_string).collect(),
            }
        } else {
            ErpOutcome::Failed {
                code: failure.0.unwrap_or_default(),
                message: failure.1.unwrap_or_default(),
            }
        },
        at,
    }
}

/// Who an ERP's pull imports as: its connector.
pub fn erp_source(erp: &str) -> super::ImportSource<'_> {
    super::ImportSource {
        origin: dockhand_protocol::sync::HubEventOrigin::Erp,
        name: erp,
    }
}
