//! The facts a site is measured by (crate::measures): activity kept from accepted events, and the
//! reservations of picks allocated on handhelds. Rows are those of the transaction's site.

use crate::error::HubResult;

/// One measured fact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activity {
    /// `count`, `pick`, `short` or `restock`.
    pub kind: String,
    /// Location code.
    pub location: String,
    /// SKU.
    pub sku: String,
    /// When (UTC).
    pub at: String,
    /// count: base units expected; restock: minutes to available.
    pub expected: i64,
    /// count: base units counted; pick and short: base units.
    pub quantity: i64,
    /// count: the round adjusted the stock.
    pub adjusted: bool,
    /// pick and short: which pick.
    pub reference: String,
}

/// What the measures read and write in a transaction scoped to a site.
pub trait MeasureTx {
    /// Keeps a fact.
    fn record_activity(&mut self, a: &Activity) -> HubResult<()>;
    /// The facts of `[from, to)`, in the order kept.
    fn activity(&mut self, from: &str, to: &str) -> HubResult<Vec<Activity>>;
    /// A pick allocated on a handheld holds `remaining` base units of `sku`.
    fn reserve(&mut self, pick: (&str, &str, i64), sku: &str, remaining: i64) -> HubResult<()>;
    /// A pick took or found short `quantity` of what it held.
    fn take_reserved(&mut self, pick: (&str, &str, i64), quantity: i64) -> HubResult<()>;
    /// A task cancelled on a handheld holds nothing any more.
    fn release_reserved(&mut self, device_id: &str, task_id: &str) -> HubResult<()>;
    /// Base units held by picks, by SKU.
    fn reserved_by_sku(&mut self) -> HubResult<Vec<(String, i64)>>;
    /// Available stock by location and SKU (buckets summed, none at zero).
    fn available_stock(&mut self) -> HubResult<Vec<(String, String, i64)>>;
}

/// The statements, one text for both backends.
pub mod measure_sql {
    /// $1 site, $2 kind, $3 location, $4 sku, $5 at, $6 expected, $7 quantity, $8 adjusted, $9 ref.
    pub const RECORD: &str = "INSERT INTO activity
        (site, kind, location, sku, at, expected, quantity, adjusted, ref)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
    /// Site $1's facts of [$2, $3).
    pub const ACTIVITY: &str = "SELECT kind, location, sku, at, expected, quantity, adjusted, ref
        FROM activity WHERE site = $1 AND at >= $2 AND at < $3 ORDER BY id";
    /// $1 site, $2 device, $3 task, $4 pick, $5 sku, $6 remaining.
    pub const RESERVE: &str = "INSERT INTO reservations
        (site, device_id, task_id, pick_id, sku, remaining) VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (site, device_id, task_id, pick_id) DO UPDATE SET remaining = excluded.remaining";
    /// Takes $1 from pick ($2 site, $3 device, $4 task, $5 pick), not below zero.
    pub const TAKE: &str = "UPDATE reservations
        SET remaining = CASE WHEN remaining > $1 THEN remaining - $1 ELSE 0 END
        WHERE site = $2 AND device_id = $3 AND task_id = $4 AND pick_id = $5";
    /// Forgets pick ($1 site, $2 device, $3 task, $4 pick) once it holds nothing.
    pub const PRUNE: &str = "DELETE FROM reservations
        WHERE site = $1 AND device_id = $2 AND task_id = $3 AND pick_id = $4 AND remaining = 0";
    /// Releases task $3 of device $2 at site $1.
    pub const RELEASE: &str =
        "DELETE FROM reservations WHERE site = $1 AND device_id = $2 AND task_id = $3";
    /// Site $1's reserved units by SKU.
    pub const RESERVED: &str = "SELECT sku, CAST(SUM(remaining) AS BIGINT) FROM reservations
        WHERE site = $1 GROUP BY sku HAVING SUM(remaining) <> 0 ORDER BY sku";
    /// Site $1's available stock by location and SKU.
    pub const AVAILABLE: &str = "SELECT location, sku, CAST(SUM(qty) AS BIGINT) FROM stock
        WHERE site = $1 AND status = 'available' GROUP BY location, sku HAVING SUM(qty) <> 0
        ORDER BY location, sku";
}
