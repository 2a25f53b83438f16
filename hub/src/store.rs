//! Storage behind one trait, with two backends: SQLite (embedded default) and PostgreSQL.
//!
//! The trait is synchronous: the server runs it on tokio's blocking pool. What is the same for
//! every backend — judging events, ordering changes — lives in [`crate::intake`] and
//! [`crate::import`], written against the row-level transaction traits below; a backend supplies
//! the rows and the transaction.

use dockhand_core::outbox::EventMovement;
use dockhand_core::sync::protocol::{
    Change, DeviceStatus, Envelope, EventStatus, FeedEvent, HubException, Import, ImportResult,
    IntakeResult, StockLine,
};

use crate::erp::{ErpOutcome, ErpPost, ErpStatus};
use crate::error::HubResult;

/// An event as the hub stored it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    /// Device.
    pub device_id: String,
    /// Its seq.
    pub seq: i64,
    /// Its hash.
    pub hash: String,
    /// accepted, held or rejected (never `duplicate`).
    pub status: EventStatus,
    /// Rejection code.
    pub code: Option<String>,
    /// Rejection reason.
    pub reason: Option<String>,
}

/// The SQL dialect a backend speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// SQLite.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// The hub's tables in `dialect` (one schema, schema.sql, for both backends).
pub fn schema(dialect: Dialect) -> String {
    let (serial, int, without_rowid) = match dialect {
        Dialect::Sqlite => ("INTEGER PRIMARY KEY", "INTEGER", "WITHOUT ROWID"),
        Dialect::Postgres => ("BIGSERIAL PRIMARY KEY", "BIGINT", ""),
    };
    include_str!("schema.sql")
        .replace("{serial}", serial)
        .replace("{int}", int)
        .replace("{without_rowid}", without_rowid)
}

/// How a status is stored (`duplicate` is never stored: it is an accepted event sent again).
pub fn status_text(status: EventStatus) -> &'static str {
    match status {
        EventStatus::Accepted | EventStatus::Duplicate => "accepted",
        EventStatus::Held => "held",
        EventStatus::Rejected => "rejected",
    }
}

/// A stored status.
pub fn status_of(text: &str) -> EventStatus {
    match text {
        "held" => EventStatus::Held,
        "rejected" => EventStatus::Rejected,
        _ => EventStatus::Accepted,
    }
}

/// Where a device's chain stands at the hub.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    /// Highest seq with no gap before it (0 before the first event).
    pub contiguous_seq: i64,
    /// Hash of that event (64 zeros before the first).
    pub last_hash: String,
}

/// What intake needs from a transaction.
pub trait IntakeTx {
    /// The device's position.
    fn position(&mut self, device_id: &str) -> HubResult<Position>;
    /// Stores the device's position.
    fn set_position(&mut self, device_id: &str, position: &Position, now: &str) -> HubResult<()>;
    /// The stored event with this id.
    fn stored(&mut self, event_id: &uuid::Uuid) -> HubResult<Option<StoredEvent>>;
    /// The device's event held at this seq.
    fn held_at(&mut self, device_id: &str, seq: i64) -> HubResult<Option<Envelope>>;
    /// Whether any event of this device is held.
    fn has_held(&mut self, device_id: &str) -> HubResult<bool>;
    /// Whether an event of this device is stored at `seq`.
    fn seq_taken(&mut self, device_id: &str, seq: i64) -> HubResult<bool>;
    /// Stores a new event with its outcome.
    fn insert(&mut self, event: &Envelope, outcome: &Judged, now: &str) -> HubResult<()>;
    /// Settles a held event.
    fn settle(&mut self, event_id: &uuid::Uuid, outcome: &Judged) -> HubResult<()>;
    /// Adds the movements to the stock view.
    fn apply(&mut self, movements: &[EventMovement]) -> HubResult<()>;
    /// Appends an accepted event to the ERP feed.
    fn append_feed(&mut self, event_id: &uuid::Uuid) -> HubResult<()>;
    /// Whether the hub has a catalog (items were imported).
    fn has_catalog(&mut self) -> HubResult<bool>;
    /// Whether the hub's catalog has this SKU.
    fn sku_known(&mut self, sku: &str) -> HubResult<bool>;
    /// Told the batch's event ids before intake starts (a backend may look them up at once).
    fn prefetch(&mut self, _event_ids: &[uuid::Uuid]) -> HubResult<()> {
        Ok(())
    }
    /// Writes whatever the backend buffered; called before the transaction commits.
    fn flush(&mut self) -> HubResult<()> {
        Ok(())
    }
}

/// The verdict on one event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judged {
    /// accepted, held or rejected.
    pub status: EventStatus,
    /// Rejection code.
    pub code: Option<String>,
    /// Rejection reason.
    pub reason: Option<String>,
}

/// What an import needs from a transaction.
pub trait ImportTx {
    /// The stored data of a master row (canonical JSON text).
    fn current(&mut self, kind: &str, key: &str) -> HubResult<Option<String>>;
    /// Stores the row and appends it to the changes feed.
    fn upsert(&mut self, kind: &str, key: &str, data: &str) -> HubResult<()>;
}

/// The hub's storage.
pub trait HubStore: Send + Sync + 'static {
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;
    /// Whether the database answers.
    fn ping(&self) -> HubResult<()>;
    /// Registers (or re-registers) a device with a new token (stored as its SHA-256).
    fn register(
        &self,
        device_id: &str,
        name: &str,
        token_hash: &str,
        expires_at: &str,
        now: &str,
    ) -> HubResult<()>;
    /// The device and expiry of a token, by its SHA-256.
    fn token(&self, token_hash: &str) -> HubResult<Option<(String, String)>>;
    /// Takes a batch of one device's events (one transaction).
    fn intake(&self, device_id: &str, events: &[Envelope], now: &str) -> HubResult<IntakeResult>;
    /// Loads master data and tasks (one transaction).
    fn import(&self, data: &Import) -> HubResult<ImportResult>;
    /// Changes after `after`, at most `limit`, with their change numbers.
    fn changes(&self, after: i64, limit: usize) -> HubResult<Vec<(i64, Change)>>;
    /// Accepted events after feed position `after`, at most `limit`.
    fn feed(&self, after: i64, limit: usize) -> HubResult<Vec<FeedEvent>>;
    /// The stock view (non-zero buckets).
    fn stock(&self) -> HubResult<Vec<StockLine>>;
    /// Rejected events.
    fn exceptions(&self) -> HubResult<Vec<HubException>>;
    /// Every device's position.
    fn devices(&self) -> HubResult<Vec<DeviceStatus>>;
    /// The last feed position ERP connector `erp` is done with (0 before the first).
    fn erp_cursor(&self, erp: &str) -> HubResult<i64>;
    /// Records what connector `erp` did with one event (a second record of the same feed
    /// position changes nothing) and clears its last error.
    fn erp_record(&self, erp: &str, post: &ErpPost) -> HubResult<()>;
    /// Notes a failure a retry is working on (the event will be tried again).
    fn erp_retrying(&self, erp: &str, message: &str, now: &str) -> HubResult<()>;
    /// Where connector `erp` stands.
    fn erp_status(&self, erp: &str) -> HubResult<ErpStatus>;
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
    /// A master row as the hub holds it (canonical JSON), for merging what the ERP sends.
    fn master_row(&self, kind: &str, key: &str) -> HubResult<Option<String>>;
    /// Takes or renews the lease on posting to ERP `erp` for `holder` until `until`: granted when
    /// nobody holds it, `holder` does, or the holder's lease ended before `now` (UTC RFC 3339
    /// texts, compared as text).
    fn erp_lease(&self, erp: &str, holder: &str, until: &str, now: &str) -> HubResult<bool>;
    /// The events connector `erp` recorded as carried by exactly `document` (the scans it held
    /// for an ERP document completed later), in feed order.
    fn erp_carried_by(&self, erp: &str, document: &str) -> HubResult<Vec<FeedEvent>>;
    /// Stores events as accepted rows, `batch` per transaction, without any check, stock or feed:
    /// the baseline the drain benchmark compares intake with.
    fn raw_insert(&self, events: &[Envelope], batch: usize, now: &str) -> HubResult<()>;
}

/// The ERP bookkeeping statements, one text for both backends (`$n` numbered in order of first use,
/// which SQLite binds positionally too).
pub mod erp_sql {
    /// Last feed position done with.
    pub const CURSOR: &str = "SELECT COALESCE(MAX(feed_seq), 0) FROM erp_posts WHERE erp = $1";
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
    /// Feed head, pending count and the oldest pending event's arrival after cursor $1.
    pub const FEED: &str = "SELECT COALESCE((SELECT MAX(feed_seq) FROM feed), 0),
        (SELECT COUNT(*) FROM feed WHERE feed_seq > $1),
        (SELECT e.received_at FROM feed f JOIN events e ON e.id = f.event_row
          WHERE f.feed_seq > $1 ORDER BY f.feed_seq LIMIT 1)";
    /// The pull cursor.
    pub const PULL_CURSOR: &str = "SELECT pull_cursor FROM erp_state WHERE erp = $1";
    /// Moves the pull cursor.
    pub const SET_PULL_CURSOR: &str =
        "INSERT INTO erp_state (erp, updated_at, pull_cursor, pulled_at)
        VALUES ($1, $2, $3, $2)
        ON CONFLICT (erp) DO UPDATE SET pull_cursor = excluded.pull_cursor,
            pulled_at = excluded.pulled_at, updated_at = excluded.updated_at";
    /// Takes or renews a posting lease ($1 erp, $2 holder, $3 until, $4 now): one row changed when
    /// granted.
    pub const LEASE: &str = "INSERT INTO erp_leases (erp, holder, until) VALUES ($1, $2, $3)
        ON CONFLICT (erp) DO UPDATE SET holder = excluded.holder, until = excluded.until
        WHERE erp_leases.holder = excluded.holder OR erp_leases.until < $4";
    /// Who holds the posting lease, and until when.
    pub const LEASE_HOLDER: &str = "SELECT holder, until FROM erp_leases WHERE erp = $1";
    /// How a connector marks an event held for a document it completes later (`<document>:held`).
    pub const HELD_SUFFIX: &str = ":held";
    /// Events held for a document no event has completed yet: how many, and the oldest's record.
    pub const HELD: &str = "SELECT COUNT(*), MIN(p.at) FROM erp_posts p
        WHERE p.erp = $1 AND p.status = 'posted' AND p.documents LIKE '%:held'
          AND NOT EXISTS (SELECT 1 FROM erp_posts q
            WHERE q.erp = p.erp AND q.status = 'posted'
              AND (q.documents = replace(p.documents, ':held', '')
                   OR q.documents LIKE replace(p.documents, ':held', '') || ' %'))";
    /// The events recorded as carried by one document.
    pub const CARRIED_BY: &str = "SELECT p.feed_seq, e.received_at, e.envelope FROM erp_posts p
        JOIN feed f ON f.feed_seq = p.feed_seq JOIN events e ON e.id = f.event_row
        WHERE p.erp = $1 AND p.status = 'posted' AND p.documents = $2 ORDER BY p.feed_seq";
    /// One master row.
    pub const MASTER_ROW: &str = "SELECT data FROM master WHERE kind = $1 AND key = $2";
    /// Posted and failed counts, last posted, last error.
    pub const TOTALS: &str = "SELECT
        (SELECT COUNT(*) FROM erp_posts WHERE erp = $1 AND status = 'posted'),
        (SELECT COUNT(*) FROM erp_posts WHERE erp = $1 AND status = 'failed'),
        (SELECT MAX(at) FROM erp_posts WHERE erp = $1 AND status = 'posted'),
        (SELECT last_error FROM erp_state WHERE erp = $1),
        (SELECT last_error_at FROM erp_state WHERE erp = $1),
        (SELECT pulled_at FROM erp_state WHERE erp = $1)";
    /// The refused events.
    pub const FAILURES: &str =
        "SELECT feed_seq, event_id, event_type, device_id, status, documents,
        code, message, at FROM erp_posts WHERE erp = $1 AND status = 'failed' ORDER BY feed_seq";
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

/// The verdict raw inserts record.
pub fn accepted() -> Judged {
    Judged {
        status: EventStatus::Accepted,
        code: None,
        reason: None,
    }
}
