//! Storage behind one trait, with two backends: SQLite (embedded default) and PostgreSQL.
//!
//! The trait is synchronous: the server runs it on tokio's blocking pool. What is the same for
//! every backend — judging events, ordering changes — lives in [`crate::intake`] and
//! [`crate::import`], written against the row-level transaction traits below; a backend supplies
//! the rows and the transaction.

use dockhand_protocol::events::EventMovement;
use dockhand_protocol::sync::{
    Change, DeviceStatus, Envelope, EventStatus, FeedEvent, HubException, Import, ImportResult,
    IntakeResult, StockLine,
};

use crate::erp::{ErpOutcome, ErpPost, ErpStatus};
use crate::error::{HubError, HubResult};

/// A stock bucket of the hub's view: location, SKU, lot, status.
pub type BucketKey = (String, String, String, String);

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

/// The migrations applied on top of schema.sql, in order: (version, statements in `dialect`).
pub fn migrations(dialect: Dialect) -> Vec<(i64, String)> {
    let fill = |text: &str| {
        let (serial, int) = match dialect {
            Dialect::Sqlite => ("INTEGER PRIMARY KEY", "INTEGER"),
            Dialect::Postgres => ("BIGSERIAL PRIMARY KEY", "BIGINT"),
        };
        text.replace("{serial}", serial).replace("{int}", int)
    };
    vec![
        (2, fill(include_str!("migrations/002_device_identity.sql"))),
        (3, fill(include_str!("migrations/003_signed_events.sql"))),
    ]
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
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Position {
    /// Highest seq with no gap before it (0 before the first event).
    pub contiguous_seq: i64,
    /// Hash of that event (64 zeros before the first).
    pub last_hash: String,
    /// The device's public key (`None`: not enrolled; its events cannot be verified).
    pub public_key: Option<String>,
    /// The device is held for a supervisor: code, reason, since (its chain forked).
    pub held: Option<(String, String, String)>,
    /// A supervisor accepted a fork: the next event re-anchors the chain.
    pub accept_fork: bool,
}

/// How a position is read and written, one text for both backends.
pub mod position_sql {
    /// A device's position.
    pub const READ: &str = "SELECT contiguous_seq, last_hash, public_key, held_code, held_reason,
        held_since, accept_fork FROM devices WHERE device_id = $1";
    /// [`READ`] locking the row (PostgreSQL: hub instances taking one device's batches queue).
    pub const READ_LOCKED: &str = "SELECT contiguous_seq, last_hash, public_key, held_code,
        held_reason, held_since, accept_fork FROM devices WHERE device_id = $1 FOR UPDATE";
    /// Stores a device's position ($8 device).
    pub const WRITE: &str =
        "UPDATE devices SET contiguous_seq = $1, last_hash = $2, last_seen = $3,
        held_code = $4, held_reason = $5, held_since = $6, accept_fork = $7 WHERE device_id = $8";
    /// Records a device's key when it has none ($1 key, $2 device).
    pub const ENROL: &str =
        "UPDATE devices SET public_key = $1 WHERE device_id = $2 AND public_key IS NULL";
    /// The key of a device.
    pub const KEY: &str = "SELECT public_key FROM devices WHERE device_id = $1";
    /// Sets (or clears) a device's key ($1 key, $2 device).
    pub const SET_KEY: &str = "UPDATE devices SET public_key = $1 WHERE device_id = $2";
    /// A supervisor accepts a held device's fork ($1 device): one row when it was held.
    pub const ACCEPT_FORK: &str = "UPDATE devices SET held_code = NULL, held_reason = NULL,
        held_since = NULL, accept_fork = 1 WHERE device_id = $1 AND held_code IS NOT NULL";
    /// Why a device is held, if it is.
    pub const HELD: &str = "SELECT held_code FROM devices WHERE device_id = $1";
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
    /// Records an event refused without a place in the device's chain (it is not stored as an
    /// event: its seq stays free for the device's genuine event).
    fn refuse(&mut self, event: &Envelope, code: &str, reason: &str, now: &str) -> HubResult<()>;
    /// The stock view's quantity of one bucket (what was applied in this transaction included).
    fn bucket(&mut self, key: &BucketKey) -> HubResult<i64>;
    /// Stores a new event with its outcome.
    fn insert(&mut self, event: &Envelope, outcome: &Judged, now: &str) -> HubResult<()>;
    /// Removes a held event that turned out not to link to the chain.
    fn delete_held(&mut self, event_id: &uuid::Uuid) -> HubResult<()>;
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

/// An exception from its row: device, seq, event id, type, code, reason, received at.
pub fn exception_of(
    row: (String, i64, String, String, String, String, String),
) -> HubResult<HubException> {
    let (device_id, seq, id, event_type, code, reason, received_at) = row;
    Ok(HubException {
        device_id,
        seq,
        event_id: id
            .parse()
            .map_err(|e| HubError::Storage(format!("event id {id}: {e}")))?,
        event_type,
        code,
        reason,
        received_at,
    })
}

/// How a token is granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantMode {
    /// A device not registered yet (an existing one is refused).
    New,
    /// A registered device gets another token (development self-registration); its expired
    /// tokens and all but its newest [`TOKENS_KEPT`] are removed.
    Renew,
    /// An administrator replaces a handheld: every older token of the id stops working and a
    /// revoked id is admitted again.
    Replace,
}

/// Live tokens kept per device when another is granted (a device that lost a response still
/// works with its previous one; superseded ones beyond this are removed).
pub const TOKENS_KEPT: i64 = 3;

/// A token to store for a device.
#[derive(Debug, Clone)]
pub struct TokenGrant {
    /// The device.
    pub device_id: String,
    /// A name people recognise.
    pub name: String,
    /// SHA-256 of the token.
    pub token_hash: String,
    /// When it stops working.
    pub expires_at: String,
    /// Now.
    pub issued_at: String,
    /// New, renewed or replacing.
    pub mode: GrantMode,
    /// The device's public key, when it sent one (a replaced handheld without one enrols later).
    pub public_key: Option<String>,
}

/// What a grant does to a device that is `existing` (`Some(revoked)` when registered).
pub fn admission(grant: &TokenGrant, existing: Option<bool>) -> HubResult<GrantMode> {
    let id = &grant.device_id;
    match (grant.mode, existing) {
        (GrantMode::Replace, _) => Ok(GrantMode::Replace),
        (_, Some(true)) => Err(HubError::DeviceRevoked(id.clone())),
        (GrantMode::New, Some(false)) => Err(HubError::DeviceExists(id.clone())),
        (GrantMode::New, None) | (GrantMode::Renew, None) => Ok(GrantMode::New),
        (GrantMode::Renew, Some(false)) => Ok(GrantMode::Renew),
    }
}

/// Whether `offered` may be recorded as the key of a device that has `recorded`.
pub fn enrolment(device_id: &str, offered: &str, recorded: Option<&str>) -> HubResult<()> {
    if !dockhand_protocol::envelope::is_public_key(offered) {
        return Err(HubError::BadPublicKey(crate::body::short_text(offered, 80)));
    }
    match recorded {
        Some(key) if key != offered => Err(HubError::KeyRecorded {
            device_id: device_id.into(),
            recorded: key.chars().take(12).collect(),
        }),
        _ => Ok(()),
    }
}

/// Why a supervisor cannot accept a fork of a device: unknown, or not held (`held` is the held
/// code, if the device exists).
pub fn fork_refusal(device_id: &str, held: Option<Option<String>>) -> HubError {
    match held {
        None => HubError::UnknownDevice(device_id.into()),
        Some(_) => HubError::DeviceState(format!(
            "device {device_id} is not held for a supervisor: there is no fork to accept"
        )),
    }
}

/// A triple split into three options.
pub trait Unzip3<A, B, C> {
    /// `(Some(a), Some(b), Some(c))` or three `None`.
    fn unzip3(self) -> (Option<A>, Option<B>, Option<C>);
}

impl<A, B, C> Unzip3<A, B, C> for Option<(A, B, C)> {
    fn unzip3(self) -> (Option<A>, Option<B>, Option<C>) {
        match self {
            Some((a, b, c)) => (Some(a), Some(b), Some(c)),
            None => (None, None, None),
        }
    }
}

/// What housekeeping removed and found.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Housekeeping {
    /// Expired tokens removed.
    pub expired_tokens: u64,
    /// Refusals beyond the newest [`REFUSALS_KEPT`] per device removed.
    pub refusals: u64,
    /// Rejected events whose bodies were cleared (beyond the newest [`REJECTED_BODIES_KEPT`]
    /// per device; their seq, hash, code and reason stay).
    pub rejected_bodies: u64,
    /// Devices with more than [`HELD_ALERT`] events held for a gap, with the count.
    pub devices_holding: Vec<(String, i64)>,
    /// Devices with more than [`REJECTED_ALERT`] rejected events, with the count.
    pub devices_rejected: Vec<(String, i64)>,
}

/// Refusals kept per device.
pub const REFUSALS_KEPT: i64 = 1000;
/// Rejected events per device whose full envelopes are kept.
pub const REJECTED_BODIES_KEPT: i64 = 1000;
/// Held events of one device that raise an alert.
pub const HELD_ALERT: i64 = 1000;
/// Rejected events of one device that raise an alert.
pub const REJECTED_ALERT: i64 = 100;

/// The most bytes of envelopes one feed page carries (a page always carries at least one event).
pub const FEED_PAGE_BYTES: i64 = 16 * 1024 * 1024;

/// Accepted events after feed position $1, at most $2, cut once their envelopes pass $3 bytes
/// (the event that passes it included): a page's memory is bounded whatever `limit` is asked.
pub const FEED_PAGE: &str = "SELECT feed_seq, received_at, envelope FROM (
    SELECT f.feed_seq, e.received_at, e.envelope,
           SUM(LENGTH(e.envelope)) OVER (ORDER BY f.feed_seq) - LENGTH(e.envelope) AS before
    FROM feed f JOIN events e ON e.id = f.event_row
    WHERE f.feed_seq > $1 ORDER BY f.feed_seq LIMIT $2) page
  WHERE before < $3 ORDER BY feed_seq";

/// Device and token statements, one text for both backends (`$n` numbered in order of first use).
pub mod device_sql {
    /// Whether a device is registered, and revoked.
    pub const DEVICE: &str = "SELECT revoked_at IS NOT NULL FROM devices WHERE device_id = $1";
    /// Registers a device or renames it; admits a replaced one again.
    pub const UPSERT: &str = "INSERT INTO devices (device_id, name, registered_at)
        VALUES ($1, $2, $3)
        ON CONFLICT (device_id) DO UPDATE SET name = excluded.name, revoked_at = NULL";
    /// Removes every token of a device.
    pub const DELETE_TOKENS: &str = "DELETE FROM tokens WHERE device_id = $1";
    /// Removes a device's expired tokens and all but its newest $3 live ones.
    pub const PRUNE_TOKENS: &str = "DELETE FROM tokens WHERE device_id = $1 AND (expires_at < $2
        OR token_hash NOT IN (SELECT token_hash FROM tokens WHERE device_id = $1
            AND expires_at >= $2 ORDER BY COALESCE(issued_at, '') DESC, token_hash LIMIT $3))";
    /// Stores a token.
    pub const INSERT_TOKEN: &str =
        "INSERT INTO tokens (token_hash, device_id, expires_at, issued_at) VALUES ($1, $2, $3, $4)";
    /// Marks device $2 revoked at $1.
    pub const REVOKE: &str = "UPDATE devices SET revoked_at = $1 WHERE device_id = $2";
    /// Removes every expired token.
    pub const EXPIRED_TOKENS: &str = "DELETE FROM tokens WHERE expires_at < $1";
    /// Removes refusals beyond the newest $1 of each device.
    pub const OLD_REFUSALS: &str = "DELETE FROM refusals WHERE id IN (SELECT id FROM
        (SELECT id, ROW_NUMBER() OVER (PARTITION BY device_id ORDER BY id DESC) AS n
         FROM refusals) ranked WHERE n > $1)";
    /// Clears the bodies of rejected events beyond the newest $1 of each device.
    pub const OLD_REJECTED: &str = "UPDATE events SET envelope = '' WHERE id IN (SELECT id FROM
        (SELECT id, ROW_NUMBER() OVER (PARTITION BY device_id ORDER BY id DESC) AS n
         FROM events WHERE status = 'rejected' AND envelope <> '') ranked WHERE n > $1)";
    /// Every device with its position, held and rejected counts, whether it signs, and why it
    /// is held for a supervisor.
    pub const DEVICES: &str = "SELECT d.device_id, d.contiguous_seq,
        (SELECT COUNT(*) FROM events e WHERE e.device_id = d.device_id AND e.status = 'held'),
        (SELECT COUNT(*) FROM events e WHERE e.device_id = d.device_id AND e.status = 'rejected'),
        d.last_seen, d.public_key IS NOT NULL,
        CASE WHEN d.held_reason IS NULL THEN NULL
             ELSE d.held_reason || ' (held since ' || d.held_since || ')' END
        FROM devices d ORDER BY d.device_id";
    /// Devices with more than $2 events of status $1, with the count.
    pub const OVER: &str = "SELECT device_id, COUNT(*) FROM events WHERE status = $1
        GROUP BY device_id HAVING COUNT(*) > $2 ORDER BY device_id";
    /// Records an event refused without a place in its device's chain.
    pub const REFUSAL: &str = "INSERT INTO refusals
        (device_id, seq, event_id, event_type, code, reason, received_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7)";
    /// Rejected events and refusals, oldest first (one list of exceptions).
    pub const EXCEPTIONS: &str = "SELECT device_id, seq, event_id, event_type, code, reason,
        received_at FROM (
          SELECT device_id, seq, event_id, event_type, COALESCE(code, '') AS code,
                 COALESCE(reason, '') AS reason, received_at FROM events WHERE status = 'rejected'
          UNION ALL
          SELECT device_id, seq, event_id, event_type, code, reason, received_at FROM refusals
        ) x ORDER BY received_at, device_id, seq";
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
    /// Every stored row of a kind: (key, canonical JSON).
    fn all(&mut self, kind: &str) -> HubResult<Vec<(String, String)>>;
}

/// The hub's storage.
pub trait HubStore: Send + Sync + 'static {
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;
    /// Whether the database answers.
    fn ping(&self) -> HubResult<()>;
    /// Grants a device a new token (stored as its SHA-256) as `grant.mode` allows (one
    /// transaction; see [`admission`]).
    fn register(&self, grant: &TokenGrant) -> HubResult<()>;
    /// The device and expiry of a token, by its SHA-256.
    fn token(&self, token_hash: &str) -> HubResult<Option<(String, String)>>;
    /// Revokes a device: its tokens stop working at once and it cannot register again until an
    /// administrator replaces it. Returns how many tokens were removed.
    fn revoke_device(&self, device_id: &str, now: &str) -> HubResult<usize>;
    /// Removes every token of a device (it stays registered). Returns how many.
    fn revoke_tokens(&self, device_id: &str) -> HubResult<usize>;
    /// Removes what the hub no longer needs (expired tokens, old refusals, the bodies of old
    /// rejected events) and counts what needs a person.
    fn housekeep(&self, now: &str) -> HubResult<Housekeeping>;
    /// Takes a batch of one device's events (one transaction). `signed_only`: a device without a
    /// public key is refused (`device_key_missing`) before anything is taken.
    fn intake(
        &self,
        device_id: &str,
        events: &[Envelope],
        now: &str,
        signed_only: bool,
    ) -> HubResult<IntakeResult>;
    /// Records a device's public key when it has none; the same key again changes nothing.
    fn enrol_key(&self, device_id: &str, public_key: &str) -> HubResult<()>;
    /// A supervisor accepts the fork a device is held for: its next event re-anchors its chain.
    fn accept_fork(&self, device_id: &str) -> HubResult<()>;
    /// Loads master data and tasks (one transaction).
    fn import(&self, data: &Import) -> HubResult<ImportResult>;
    /// Changes after `after`, at most `limit`, with their change numbers.
    fn changes(&self, after: i64, limit: usize) -> HubResult<Vec<(i64, Change)>>;
    /// Accepted events after feed position `after`, at most `limit` and about [`FEED_PAGE_BYTES`].
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
