//! The hub's stock: the sum of the movements of accepted events, by whole bucket (location, SKU,
//! lot, serial, licence plate, status), and its changes as devices pull them.
//!
//! Every change of a bucket gives it the next number of one clock (`stock_clock`), so a device
//! pulls the buckets changed after the last number it saw, in pages, with no history kept: a
//! bucket changed ten times since is sent once, as it is now. Taking numbers from one row also
//! orders the transactions that change stock: on PostgreSQL the row stays locked until commit, so
//! a number is never visible before a smaller one.

use dockhand_protocol::sync::StockLine;

use crate::error::HubResult;

/// What the hub's stock answers.
pub trait StockFeed: Send + Sync + 'static {
    /// A site's stock view (non-zero buckets).
    fn stock(&self, site: &str) -> HubResult<Vec<StockLine>>;
    /// Up to `limit` non-zero buckets of `site` whose `by` column is `value`, of `status` only
    /// unless it is empty.
    fn stock_by(
        &self,
        site: &str,
        search: (StockBy, &str),
        status: &str,
        limit: usize,
    ) -> HubResult<Vec<StockLine>>;
    /// Up to `limit` buckets of `device_id`'s site changed after `after` (in order), and the
    /// contiguous seq of `device_id` the stock includes (0 for an unknown device).
    fn stock_changes(
        &self,
        device_id: &str,
        after: i64,
        limit: usize,
    ) -> HubResult<(Vec<StockChange>, i64)>;
}

/// The column a stock search matches on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StockBy {
    /// Location code.
    Location,
    /// Item.
    Sku,
    /// Lot.
    Lot,
    /// Licence plate.
    Lpn,
}

impl StockBy {
    /// The statement that searches on it.
    pub fn sql(self) -> &'static str {
        match self {
            StockBy::Location => stock_sql::BY_LOCATION,
            StockBy::Sku => stock_sql::BY_SKU,
            StockBy::Lot => stock_sql::BY_LOT,
            StockBy::Lpn => stock_sql::BY_LPN,
        }
    }
}

/// A bucket as it is now, with the number of its last change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockChange {
    /// The number of its last change.
    pub number: i64,
    /// The bucket.
    pub line: StockLine,
    /// Its lot's expiry, where the hub knows one (ISO date).
    pub expiry: Option<String>,
}

/// The stock statements, one text for both backends.
pub mod stock_sql {
    /// Takes $1 numbers from the stock clock; returns the last of them.
    pub const TAKE_NUMBERS: &str =
        "UPDATE stock_clock SET last = last + $1 WHERE singleton = 1 RETURNING last";
    /// Site $1's non-zero buckets.
    pub const STOCK: &str = "SELECT location, sku, lot, serial, lpn, status, qty FROM stock
        WHERE site = $1 AND qty <> 0 ORDER BY location, sku, lot, serial, lpn, status";
    /// Site $1's non-zero buckets at location $2 (of status $3 unless ''), $4 at most.
    pub const BY_LOCATION: &str = "SELECT location, sku, lot, serial, lpn, status, qty FROM stock
        WHERE site = $1 AND location = $2 AND ($3 = '' OR status = $3) AND qty <> 0
        ORDER BY location, sku, lot, serial, lpn, status LIMIT $4";
    /// Site $1's non-zero buckets of item $2 (of status $3 unless ''), $4 at most.
    pub const BY_SKU: &str = "SELECT location, sku, lot, serial, lpn, status, qty FROM stock
        WHERE site = $1 AND sku = $2 AND ($3 = '' OR status = $3) AND qty <> 0
        ORDER BY location, sku, lot, serial, lpn, status LIMIT $4";
    /// Site $1's non-zero buckets of lot $2 (of status $3 unless ''), $4 at most.
    pub const BY_LOT: &str = "SELECT location, sku, lot, serial, lpn, status, qty FROM stock
        WHERE site = $1 AND lot = $2 AND lot <> '' AND ($3 = '' OR status = $3) AND qty <> 0
        ORDER BY location, sku, lot, serial, lpn, status LIMIT $4";
    /// Site $1's non-zero buckets on licence plate $2 (of status $3 unless ''), $4 at most.
    pub const BY_LPN: &str = "SELECT location, sku, lot, serial, lpn, status, qty FROM stock
        WHERE site = $1 AND lpn = $2 AND lpn <> '' AND ($3 = '' OR status = $3) AND qty <> 0
        ORDER BY location, sku, lot, serial, lpn, status LIMIT $4";
    /// Buckets of device $1's site changed after $2, $3 at most, with the device's contiguous seq
    /// and the lot's expiry on every row (one statement: one snapshot on PostgreSQL).
    pub const CHANGES: &str = "SELECT s.location, s.sku, s.lot, s.serial, s.lpn, s.status, s.qty,
        s.change_seq, d.contiguous_seq, l.expiry
        FROM devices d JOIN stock s ON s.site = d.site_id
        LEFT JOIN lots l ON l.sku = s.sku AND l.lot = s.lot AND s.lot <> ''
        WHERE d.device_id = $1 AND s.change_seq > $2 ORDER BY s.change_seq LIMIT $3";
    /// A device's contiguous seq.
    pub const APPLIED: &str = "SELECT contiguous_seq FROM devices WHERE device_id = $1";
    /// Adds $8 to a bucket of site $1, numbers it $9 and, when $10 is not "", makes $10 its last
    /// taker (SQLite, a row at a time).
    pub const ADD: &str = "INSERT INTO stock (site, location, sku, lot, serial, lpn, status, qty,
        change_seq, last_taker) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
        ON CONFLICT (site, location, sku, lot, serial, lpn, status) DO UPDATE SET
        qty = stock.qty + excluded.qty, change_seq = excluded.change_seq,
        last_taker = CASE WHEN excluded.last_taker = '' THEN stock.last_taker
                          ELSE excluded.last_taker END";
    /// An accepted event moved stock on licence plate $2 of site $1 (the console's search).
    pub const RECORD_LPN: &str = "INSERT INTO lpn_events (site, lpn, event_id)
        VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";
    /// The last event that took from a bucket ('' when none).
    pub const LAST_TAKER: &str = "SELECT last_taker FROM stock WHERE site = $1 AND location = $2
        AND sku = $3 AND lot = $4 AND serial = $5 AND lpn = $6 AND status = $7";
    /// Records a bucket taken below zero.
    pub const CONFLICT: &str = "INSERT INTO conflicts (site, location, sku, lot, serial, lpn,
        status, quantity, event_id, event_type, device_id, seq, other_event_id, count_task, reason,
        raised_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)";
}

/// The statements of the hub's own events and lots, one text for both backends.
pub mod hub_event_sql {
    /// The event recorded at site $1 with digest $2: its id and when.
    pub const BY_DIGEST: &str =
        "SELECT event_id, recorded_at FROM hub_events WHERE site = $1 AND digest = $2";
    /// The first event at site $1 of kind $2 and origin $3: its id and when.
    pub const FIRST_OF: &str = "SELECT event_id, recorded_at FROM hub_events
        WHERE site = $1 AND kind = $2 AND origin = $3 ORDER BY id LIMIT 1";
    /// How many buckets of site $1 hold anything.
    pub const STOCKED: &str = "SELECT COUNT(*) FROM stock WHERE site = $1 AND qty <> 0";
    /// Records an event of the hub's own at site $2.
    pub const RECORD: &str = "INSERT INTO hub_events (event_id, site, kind, origin, source, digest,
        buckets, units, body, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
    /// Site $1's events of kind $2, oldest first: id, source, body, when.
    pub const OF_KIND: &str = "SELECT event_id, source, body, recorded_at FROM hub_events
        WHERE site = $1 AND kind = $2 ORDER BY id";
    /// A lot's expiry.
    pub const LOT_EXPIRY: &str = "SELECT expiry FROM lots WHERE sku = $1 AND lot = $2";
    /// Records a lot's expiry; the first one known stays (a receipt that disagrees does not
    /// change it).
    pub const SET_LOT_EXPIRY: &str = "INSERT INTO lots (sku, lot, expiry) VALUES ($1, $2, $3)
        ON CONFLICT (sku, lot) DO NOTHING";
}

/// An event of the hub's own: stock no device recorded (the opening balance at go-live).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubEvent {
    /// A new UUID.
    pub event_id: String,
    /// What it is.
    pub kind: dockhand_protocol::sync::HubEventKind,
    /// Where it came from.
    pub origin: dockhand_protocol::sync::HubEventOrigin,
    /// In words: the file, the endpoint, the connector.
    pub source: String,
    /// SHA-256 of the rows as given (as JSON).
    pub digest: String,
    /// Buckets it adds to.
    pub buckets: i64,
    /// Base units it adds.
    pub units: i64,
    /// The rows it added, as JSON.
    pub body: String,
    /// When the hub recorded it.
    pub recorded_at: String,
}

/// A bucket an accepted event took below zero: another handheld took the same units before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// The bucket.
    pub key: super::BucketKey,
    /// Its quantity after the event.
    pub quantity: i64,
    /// The event that took it below zero.
    pub event_id: String,
    /// Its type.
    pub event_type: String,
    /// Its device.
    pub device_id: String,
    /// Its seq.
    pub seq: i64,
    /// The event that took from the bucket before ("" when unknown).
    pub other_event_id: String,
    /// The count task raised for the location.
    pub count_task: String,
    /// A sentence naming both events.
    pub reason: String,
}
