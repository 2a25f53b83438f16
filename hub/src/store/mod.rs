//! The hub's storage, split by concern, with two backends: SQLite (embedded default) and
//! PostgreSQL.
//!
//! - [`DeviceSync`] (devices.rs): registration, tokens, event intake, exceptions;
//! - [`Feed`] (feed.rs): imports of master data and tasks, the devices' changes feed and the
//!   ERP's feed of accepted events;
//! - [`ErpBook`] (erp.rs): what each ERP connector did with each event, and its pull cursor;
//! - [`Lease`] (lease.rs): which hub instance posts to an ERP;
//! - [`StockFeed`] (stock.rs): the hub's stock and its changes as devices pull them;
//! - [`TaskTx`] (tasks.rs): who worked which task, how far each is, exceptions raised;
//! - [`MeasureTx`] (measures.rs): the facts KPIs, risk and ATP are computed from;
//! - [`ConsoleBook`] (console.rs): the supervisor's console's accounts, sessions and actions.
//!
//! [`HubStore`] is all of them; the ERP side sees only [`crate::erp::ErpPort`]. Every statement is one
//! text for both backends where the dialects allow (`$n` numbered in order of first use, which
//! SQLite binds positionally too); what differs stays in the backend. The traits are synchronous:
//! the server runs them on tokio's blocking pool. What is the same for every backend (judging
//! events, ordering changes) lives in [`crate::intake`] and [`crate::import`], written against the
//! row-level transaction traits [`IntakeTx`] and [`ImportTx`].

mod console;
mod devices;
mod erp;
mod feed;
mod lease;
mod measures;
pub mod postgres;
mod reconcile;
pub mod sqlite;
mod sscc;
mod stock;
mod tasks;

use dockhand_protocol::sync::{Envelope, EventStatus};

use crate::error::HubResult;

pub use console::{
    ConsoleAction, ConsoleBook, ConsoleSession, ConsoleUser, DeviceReport, EventRow, console_sql,
};
pub use devices::{
    CLOCK_ALERT_MS, DeviceSync, FIRST_SITE, GrantMode, HELD_ALERT, Housekeeping, IntakeTx,
    Position, REFUSALS_KEPT, REJECTED_ALERT, REJECTED_BODIES_KEPT, TOKENS_KEPT, TokenGrant, Unzip3,
    admission, check_site_id, count_reconciled, device_sql, enrolment, exception_of, fork_refusal,
    held_count, intake_sql, no_such_site, position_sql, site_named, site_of,
};
pub use erp::{
    ALONE, ErpBook, erp_columns, erp_post_of, erp_site, erp_source, erp_sql, new_claims,
};
pub use feed::{FEED_PAGE, FEED_PAGE_BYTES, Feed, ImportSource, ImportTx, change_of, feed_sql};
pub use lease::{Lease, lease_sql};
pub use measures::{Activity, MeasureTx, measure_sql};
pub use reconcile::{Family, Observation, ReconcileTx, TimedMove, reconcile_sql};
pub use sscc::{SsccBook, prefix_of, serial_column, sscc_sql};
pub use stock::{Conflict, HubEvent, StockBy, StockChange, StockFeed, hub_event_sql, stock_sql};
pub use tasks::{
    ExceptionColumns, NewException, ProgressRow, Settled, TaskTx, TaskWorker, exception_row,
    task_sql,
};

/// The hub's storage: every concern, from one backend.
pub trait HubStore: DeviceSync + StockFeed + ConsoleBook + SsccBook + crate::erp::ErpPort {
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;
    /// Whether the database answers.
    fn ping(&self) -> HubResult<()>;
    /// Runs `work` in one transaction scoped to `site`, holding the site (see
    /// [`ReconcileTx::lock_site`]): what the hub decides for a site one request at a time, such as
    /// who holds a task.
    fn in_site_tx(
        &self,
        site: &str,
        work: &mut dyn FnMut(&mut dyn IntakeTx) -> HubResult<()>,
    ) -> HubResult<()>;
}

/// A store the drain benchmark can fill without intake: not part of [`HubStore`], so no
/// production path can write an event unchecked.
pub trait BenchStore: HubStore {
    /// Stores events as accepted rows, `batch` per transaction, without any check, stock or feed:
    /// the baseline the drain benchmark compares intake with.
    fn raw_insert(&self, events: &[Envelope], batch: usize, now: &str) -> HubResult<()>;
    /// Adds the movements to the stock, `batch` per transaction, as intake does but without
    /// events: how the stock benchmark fills a hub with a site's stock.
    fn raw_stock(
        &self,
        movements: &[dockhand_protocol::events::EventMovement],
        batch: usize,
    ) -> HubResult<()>;
}

/// A stock bucket of the hub's view, as on the devices.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BucketKey {
    /// Location code.
    pub location: String,
    /// SKU.
    pub sku: String,
    /// Lot ("" for none).
    pub lot: String,
    /// Serial ("" for none).
    pub serial: String,
    /// Licence plate ("" for none).
    pub lpn: String,
    /// Usability.
    pub status: String,
}

impl BucketKey {
    /// The key's columns at `site` in the order the statements name them: site, location, SKU,
    /// lot, serial, licence plate, status.
    pub fn at<'a>(&'a self, site: &'a str) -> [&'a str; 7] {
        [
            site,
            &self.location,
            &self.sku,
            &self.lot,
            &self.serial,
            &self.lpn,
            &self.status,
        ]
    }

    /// The key's own columns, taken: location, SKU, lot, serial, licence plate, status.
    pub fn into_columns(self) -> [String; 6] {
        [
            self.location,
            self.sku,
            self.lot,
            self.serial,
            self.lpn,
            self.status,
        ]
    }
}

impl From<&dockhand_protocol::events::EventMovement> for BucketKey {
    fn from(m: &dockhand_protocol::events::EventMovement) -> Self {
        Self {
            location: m.location.clone(),
            sku: m.sku.clone(),
            lot: m.lot.clone(),
            serial: m.serial.clone(),
            lpn: m.lpn.clone(),
            status: m.status.to_string(),
        }
    }
}

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
    fill(dialect, include_str!("schema.sql"))
}

/// SQL written for both dialects, with its placeholders filled for `dialect`.
fn fill(dialect: Dialect, text: &str) -> String {
    let (serial, int, without_rowid, reseed_feed, payload_task_id) = match dialect {
        Dialect::Sqlite => (
            "INTEGER PRIMARY KEY",
            "INTEGER",
            "WITHOUT ROWID",
            "",
            "json_extract(e.envelope, '$.payload.task_id')",
        ),
        // A table rebuilt with its numbers kept: its sequence goes on after them.
        Dialect::Postgres => (
            "BIGSERIAL PRIMARY KEY",
            "BIGINT",
            "",
            "SELECT setval(pg_get_serial_sequence('feed', 'feed_seq'),
                (SELECT COALESCE(MAX(feed_seq), 0) FROM feed) + 1, false);",
            "(e.envelope::json -> 'payload' ->> 'task_id')",
        ),
    };
    // An event's movements as rows `m`, and a movement's licence plate.
    let (event_movements, movement_lpn) = match dialect {
        Dialect::Sqlite => (
            "json_each(e.envelope, '$.payload.movements') m",
            "json_extract(m.value, '$.lpn')",
        ),
        Dialect::Postgres => (
            "json_array_elements(COALESCE(e.envelope::json -> 'payload' -> 'movements', \
             '[]'::json)) m",
            "(m.value ->> 'lpn')",
        ),
    };
    text.replace("{serial}", serial)
        .replace("{int}", int)
        .replace("{without_rowid}", without_rowid)
        .replace("{reseed_feed}", reseed_feed)
        .replace("{payload_task_id}", payload_task_id)
        .replace("{event_movements}", event_movements)
        .replace("{movement_lpn}", movement_lpn)
}

/// The migrations applied on top of schema.sql, in order: (version, statements in `dialect`).
pub fn migrations(dialect: Dialect) -> Vec<(i64, String)> {
    let fill = |text: &str| fill(dialect, text);
    vec![
        (2, fill(include_str!("migrations/002_device_identity.sql"))),
        (3, fill(include_str!("migrations/003_signed_events.sql"))),
        (4, fill(include_str!("migrations/004_stock_buckets.sql"))),
        (5, fill(include_str!("migrations/005_stock_changes.sql"))),
        (6, fill(include_str!("migrations/006_stock_conflicts.sql"))),
        (7, fill(include_str!("migrations/007_hub_events.sql"))),
        (8, fill(include_str!("migrations/008_device_clocks.sql"))),
        (9, fill(include_str!("migrations/009_sites.sql"))),
        (10, fill(include_str!("migrations/010_site_scope.sql"))),
        (
            11,
            fill(include_str!("migrations/011_count_reconciliation.sql")),
        ),
        (12, fill(include_str!("migrations/012_task_claims.sql"))),
        (13, fill(include_str!("migrations/013_site_measures.sql"))),
        (14, fill(include_str!("migrations/014_console.sql"))),
        (15, fill(include_str!("migrations/015_console_search.sql"))),
        (16, fill(include_str!("migrations/016_sscc_blocks.sql"))),
        (
            17,
            fill(include_str!("migrations/017_erp_posted_through.sql")),
        ),
        (18, fill(include_str!("migrations/018_erp_batches.sql"))),
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

/// The verdict raw inserts record.
pub fn accepted() -> Judged {
    Judged {
        status: EventStatus::Accepted,
        code: None,
        reason: None,
    }
}

/// How the migrations are recorded, one text for both backends.
pub mod migration_sql {
    /// Whether migration $1 was applied.
    pub const DONE: &str = "SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)";
    /// Records migration $1 as applied at $2.
    pub const RECORD: &str = "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)";
}

/// Every storage trait, for code that calls a concrete backend (`use store::prelude::*`).
pub mod prelude {
    pub use super::{
        BenchStore, ConsoleBook, DeviceSync, ErpBook, Feed, HubStore, Lease, SsccBook, StockFeed,
    };
}
