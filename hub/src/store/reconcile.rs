//! What the reconciliation of counts keeps (crate::reconcile): each countable move with its time on
//! the hub's clock, and each count line observed. Rows are those of the transaction's site.

use crate::error::HubResult;

/// Stock of one item and lot at one location, whatever its serial, licence plate or status: what
/// a count line observes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Family {
    /// Location code.
    pub location: String,
    /// SKU.
    pub sku: String,
    /// Lot ("" for none).
    pub lot: String,
}

/// A countable move (not in transit) at a time on the hub's clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimedMove {
    /// What it moved.
    pub family: Family,
    /// Its status.
    pub status: String,
    /// When (UTC, hub's clock, milliseconds: ordered as text).
    pub at: String,
    /// Base units in or out.
    pub delta: i64,
    /// The event (a device's or the hub's own).
    pub event_id: String,
    /// The count line an adjustment belongs to, or "".
    pub count_key: String,
}

/// A count line the hub observed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observation {
    /// What was counted.
    pub family: Family,
    /// The line: JSON [task, round, location, sku, lot].
    pub count_key: String,
    /// Count task.
    pub task_id: String,
    /// Round.
    pub round: i64,
    /// When it was counted (hub's clock).
    pub at: String,
    /// Base units found.
    pub observed: i64,
    /// The round is the stock's (no approval awaited).
    pub settled: bool,
    /// The counting handheld's adjustment of this line has not arrived yet.
    pub waiting: bool,
    /// The `counting.counted` event.
    pub event_id: String,
    /// The counting handheld.
    pub device_id: String,
}

/// The rows the reconciliation reads and writes in a transaction scoped to a site.
pub trait ReconcileTx {
    /// Keeps a move with its time.
    fn record_move(&mut self, m: &TimedMove) -> HubResult<()>;
    /// Base units of `family` moved at or before `at`, the moves of count line `except` left out.
    fn moved_until(&mut self, family: &Family, at: &str, except: &str) -> HubResult<i64>;
    /// Base units moved by count line `count_key`'s adjustments, and the status of its last one.
    fn adjusted_by(&mut self, count_key: &str) -> HubResult<(i64, Option<String>)>;
    /// Records a count line (once: the same line again changes nothing).
    fn observe(&mut self, o: &Observation) -> HubResult<()>;
    /// The observed line `count_key`'s handheld adjustment arrived: it stops waiting.
    fn adjustment_arrived(&mut self, count_key: &str) -> HubResult<()>;
    /// A supervisor approved round `round` of `task_id`: its lines become the stock's; returns
    /// them.
    fn settle_round(&mut self, task_id: &str, round: i64) -> HubResult<Vec<Observation>>;
    /// The settled, not waiting observations of `family` at or after `at`, in time order.
    fn observations_from(&mut self, family: &Family, at: &str) -> HubResult<Vec<Observation>>;
    /// Whether `family` was observed at or after `at` (a move at `at` is then late for a count).
    fn observed_after(&mut self, family: &Family, at: &str) -> HubResult<bool>;
    /// When count line `count_key` was counted, if the hub observed it.
    fn observed_at(&mut self, count_key: &str) -> HubResult<Option<String>>;
    /// Holds the transaction's site's counts for this transaction: hub instances sharing a
    /// database reconcile and release one site's counts one at a time (a no-op where there is
    /// one writer).
    fn lock_site(&mut self) -> HubResult<()>;
    /// The site the transaction is scoped to.
    fn site_id(&self) -> &str;
    /// The earliest last sync of the site's devices that are not revoked and synced at or after
    /// `since` (a pull of changes, hub's clock: a device pulls once it has pushed everything it
    /// had, while a push of one batch of several says nothing of the rest); `None` when none did.
    fn synced_through(&mut self, since: &str) -> HubResult<Option<String>>;
    /// Lines held from the ERP, settled and not waiting, counted before `until` (all when
    /// `until` is `None`) and of task `task` (any when `None`), in time order.
    fn held_counts(
        &mut self,
        until: Option<&str>,
        task: Option<&str>,
    ) -> HubResult<Vec<Observation>>;
    /// Releases a held line to the ERP; false when it was not held.
    fn release_count(&mut self, count_key: &str, by: &str, at: &str) -> HubResult<bool>;
    /// Whether a line was released to the ERP.
    fn count_released(&mut self, count_key: &str) -> HubResult<bool>;
    /// What a line's adjustments moved, by status.
    fn adjusted_by_status(&mut self, count_key: &str) -> HubResult<Vec<(String, i64)>>;
    /// Appends an event the hub made (its envelope as JSON) to the site's ERP feed.
    fn append_made(&mut self, envelope: &str, made_at: &str) -> HubResult<()>;
}

/// The reconciliation's statements, one text for both backends.
pub mod reconcile_sql {
    /// Keeps a move of site $1.
    pub const RECORD_MOVE: &str = "INSERT INTO stock_moves (site, location, sku, lot, status, at,
        delta, event_id, count_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
    /// Units of a family moved at or before $5, count line $6's moves left out.
    pub const MOVED_UNTIL: &str = "SELECT CAST(COALESCE(SUM(delta), 0) AS BIGINT) FROM stock_moves
        WHERE site = $1 AND location = $2 AND sku = $3 AND lot = $4 AND at <= $5
          AND count_key <> $6";
    /// Units a count line's adjustments moved, and the status of the last.
    pub const ADJUSTED_BY: &str = "SELECT CAST(COALESCE(SUM(delta), 0) AS BIGINT),
        (SELECT status FROM stock_moves WHERE site = $1 AND count_key = $2 ORDER BY id DESC LIMIT 1)
        FROM stock_moves WHERE site = $1 AND count_key = $2";
    /// Records an observed count line once.
    pub const OBSERVE: &str = "INSERT INTO count_observations (site, location, sku, lot,
        count_key, task_id, round, at, observed, settled, waiting, event_id, device_id)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
        ON CONFLICT (site, count_key) DO NOTHING";
    /// A line's handheld adjustment arrived.
    pub const ARRIVED: &str =
        "UPDATE count_observations SET waiting = 0 WHERE site = $1 AND count_key = $2";
    /// A round approved.
    pub const SETTLE: &str = "UPDATE count_observations SET settled = 1
        WHERE site = $1 AND task_id = $2 AND round = $3";
    /// A round's lines.
    pub const ROUND: &str = "SELECT location, sku, lot, count_key, task_id, round, at, observed,
        settled, waiting, event_id, device_id FROM count_observations
        WHERE site = $1 AND task_id = $2 AND round = $3 ORDER BY id";
    /// A family's settled, not waiting lines at or after $5.
    pub const FROM: &str = "SELECT location, sku, lot, count_key, task_id, round, at, observed,
        settled, waiting, event_id, device_id FROM count_observations
        WHERE site = $1 AND location = $2 AND sku = $3 AND lot = $4 AND at >= $5 AND settled = 1
          AND waiting = 0 ORDER BY at, id";
    /// The earliest last sync of site $1's devices not revoked that synced at or after $2.
    pub const SYNCED_THROUGH: &str = "SELECT MIN(synced_at) FROM devices
        WHERE site_id = $1 AND revoked_at IS NULL AND synced_at >= $2";
    /// Held lines, settled and not waiting, counted before $2 ('' for no bound) of task $3 (''
    /// for any).
    pub const HELD: &str = "SELECT location, sku, lot, count_key, task_id, round, at, observed,
        settled, waiting, event_id, device_id FROM count_observations
        WHERE site = $1 AND erp_state = 'held' AND settled = 1 AND waiting = 0
          AND (at < $2 OR $2 = '') AND (task_id = $3 OR $3 = '') ORDER BY at, id";
    /// Releases held line $4 of site $3, by $1 at $2.
    pub const RELEASE: &str = "UPDATE count_observations SET erp_state = 'released',
        released_by = $1, released_at = $2 WHERE site = $3 AND count_key = $4
        AND erp_state = 'held'";
    /// Whether a line was released.
    pub const RELEASED: &str = "SELECT EXISTS (SELECT 1 FROM count_observations
        WHERE site = $1 AND count_key = $2 AND erp_state = 'released')";
    /// A line's adjustments by status.
    pub const BY_STATUS: &str = "SELECT status, CAST(SUM(delta) AS BIGINT) FROM stock_moves
        WHERE site = $1 AND count_key = $2 GROUP BY status ORDER BY status";
    /// Appends an event the hub made to site $1's feed.
    pub const APPEND_MADE: &str = "INSERT INTO feed (site, envelope, made_at) VALUES ($1, $2, $3)";
    /// Whether a family was observed at or after $5 (a move at a count's time is before it).
    pub const AFTER: &str = "SELECT EXISTS (SELECT 1 FROM count_observations
        WHERE site = $1 AND location = $2 AND sku = $3 AND lot = $4 AND at >= $5)";
    /// When site $1's count line $2 was counted.
    pub const OBSERVED_AT: &str =
        "SELECT at FROM count_observations WHERE site = $1 AND count_key = $2";
    /// Serialises the reconciliation of one site's counts between hub instances (PostgreSQL).
    pub const LOCK_SITE: &str = "SELECT pg_advisory_xact_lock(hashtext($1))";
}
