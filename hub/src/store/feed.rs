//! Imports and feeds: master data and tasks in, the devices' changes feed out, and the feed of
//! accepted events the ERP connectors read.

use dockhand_protocol::events::EventMovement;
use dockhand_protocol::sync::{Change, FeedEvent, HubEventOrigin, Import, ImportResult};

use super::{BucketKey, HubEvent};
use crate::error::HubResult;

/// Who an import comes from: recorded with the events of the hub's own that it makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportSource<'a> {
    /// A person's file or API call, or the ERP's connector.
    pub origin: HubEventOrigin,
    /// In words: the file's name, the endpoint, the connector.
    pub name: &'a str,
}

/// Imports and the two feeds.
pub trait Feed: Send + Sync + 'static {
    /// Loads master data, tasks and opening balances (one transaction: all or nothing).
    fn import(&self, data: &Import, from: &ImportSource<'_>) -> HubResult<ImportResult>;
    /// Changes for `site` (its own rows and those every site shares) after `after`, at most
    /// `limit`, with their change numbers.
    fn changes(&self, site: &str, after: i64, limit: usize) -> HubResult<Vec<(i64, Change)>>;
    /// Accepted events of `site` ("": of every site) after feed position `after`, at most
    /// `limit` and about [`FEED_PAGE_BYTES`].
    fn feed(&self, site: &str, after: i64, limit: usize) -> HubResult<Vec<FeedEvent>>;
    /// A master row of `site` as the hub holds it (canonical JSON), for merging what the ERP
    /// sends (a kind every site shares is found whatever the site).
    fn master_row(&self, site: &str, kind: &str, key: &str) -> HubResult<Option<String>>;
}

/// What an import needs from a transaction. Master rows of a kind kept per site, stock and the
/// hub's own events are those of the site the transaction is scoped to.
pub trait ImportTx: super::ReconcileTx + super::TaskTx + super::MeasureTx {
    /// The hub's sites, in order.
    fn sites(&mut self) -> HubResult<Vec<String>>;
    /// Scopes the rest of the transaction to `site`.
    fn scope_to(&mut self, site: &str);
    /// The stored data of a master row (canonical JSON text).
    fn current(&mut self, kind: &str, key: &str) -> HubResult<Option<String>>;
    /// Stores the row and appends it to the changes feed.
    fn upsert(&mut self, kind: &str, key: &str, data: &str) -> HubResult<()>;
    /// Every stored row of a kind: (key, canonical JSON).
    fn all(&mut self, kind: &str) -> HubResult<Vec<(String, String)>>;
    /// A bucket's quantity in the hub's stock.
    fn stock_of(&mut self, key: &BucketKey) -> HubResult<i64>;
    /// Adds movements to the hub's stock, each bucket numbered anew for the devices' pull.
    fn add_stock(&mut self, movements: &[EventMovement]) -> HubResult<()>;
    /// The event of the hub's own recorded with this digest: (event id, recorded at).
    fn hub_event_by_digest(&mut self, digest: &str) -> HubResult<Option<(String, String)>>;
    /// The first event of the hub's own of this kind and origin: (event id, recorded at).
    fn first_hub_event(&mut self, kind: &str, origin: &str) -> HubResult<Option<(String, String)>>;
    /// How many buckets of the hub's stock hold anything.
    fn stocked_buckets(&mut self) -> HubResult<i64>;
    /// Records an event of the hub's own.
    fn record_hub_event(&mut self, event: &HubEvent) -> HubResult<()>;
    /// The expiry the hub knows for a lot (ISO date).
    fn lot_expiry(&mut self, sku: &str, lot: &str) -> HubResult<Option<String>>;
    /// Records a lot's expiry (ISO date).
    fn set_lot_expiry(&mut self, sku: &str, lot: &str, expiry: &str) -> HubResult<()>;
}

/// The most bytes of envelopes one feed page carries (a page always carries at least one event).
pub const FEED_PAGE_BYTES: i64 = 16 * 1024 * 1024;

/// Accepted events of site $1 ('': every site) after feed position $2, at most $3, cut once their
/// envelopes pass $4 bytes (the event that passes it included): a page's memory is bounded
/// whatever `limit` is asked.
/// A row the hub made itself carries its own envelope and time.
pub const FEED_PAGE: &str = "SELECT feed_seq, received_at, envelope FROM (
    SELECT f.feed_seq, COALESCE(e.received_at, f.made_at) AS received_at,
           COALESCE(e.envelope, f.envelope) AS envelope,
           SUM(LENGTH(COALESCE(e.envelope, f.envelope))) OVER (ORDER BY f.feed_seq)
             - LENGTH(COALESCE(e.envelope, f.envelope)) AS before
    FROM feed f LEFT JOIN events e ON e.id = f.event_row
    WHERE (f.site = $1 OR $1 = '') AND f.feed_seq > $2 ORDER BY f.feed_seq LIMIT $3) page
  WHERE before < $4 ORDER BY feed_seq";

/// Master rows and the changes feed, one text for both backends.
pub mod feed_sql {
    /// One master row's data (site '' for the kinds every site shares).
    pub const MASTER_ROW: &str =
        "SELECT data FROM master WHERE site = $1 AND kind = $2 AND key = $3";
    /// Stores a master row.
    pub const UPSERT_MASTER: &str = "INSERT INTO master (site, kind, key, data)
        VALUES ($1, $2, $3, $4) ON CONFLICT (site, kind, key) DO UPDATE SET data = excluded.data";
    /// Appends a row to the changes feed.
    pub const APPEND_CHANGE: &str =
        "INSERT INTO changes (site, kind, key, data) VALUES ($1, $2, $3, $4)";
    /// Appends rows to the changes feed (PostgreSQL: one array per column), numbered in the
    /// arrays' order.
    pub const APPEND_CHANGES: &str = "INSERT INTO changes (site, kind, key, data)
        SELECT site, kind, key, data
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY
            AS c(site, kind, key, data, n)
        ORDER BY n";
    /// Every master row of a kind.
    pub const ALL: &str = "SELECT key, data FROM master WHERE site = $1 AND kind = $2 ORDER BY key";
    /// Changes for site $1 and for every site after $2, at most $3.
    pub const CHANGES: &str = "SELECT change_seq, kind, key, data FROM changes
        WHERE site IN ('', $1) AND change_seq > $2 ORDER BY change_seq LIMIT $3";
    /// The site a master row of `kind` is kept under, for a transaction scoped to `site`.
    pub fn scope<'a>(kind: &str, site: &'a str) -> &'a str {
        match dockhand_protocol::sync::ChangeKind::parse(kind) {
            Some(k) if !k.per_site() => "",
            _ => site,
        }
    }
}

/// A change from its stored kind, key and data.
pub fn change_of(kind: &str, key: String, data: &str) -> HubResult<Change> {
    Ok(Change {
        kind: dockhand_protocol::sync::ChangeKind::parse(kind).ok_or_else(|| {
            crate::error::HubError::Storage(format!("unknown change kind {kind}"))
        })?,
        op: "upsert".into(),
        key,
        data: serde_json::from_str(data)?,
    })
}
