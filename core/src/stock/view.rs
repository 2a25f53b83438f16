//! The handheld's view of the site's stock: the hub's stock as of the last pull plus this device's
//! own movements the hub had not applied then.
//!
//! `balances` holds the view, so every command and query reads the site's stock without knowing
//! where it came from. It is kept in two places:
//! - [`super::apply`] adds each of this device's movements as it is recorded;
//! - [`apply_page`] takes a page of buckets the hub changed since the last pull: it stores them in
//!   `hub_stock` and sets each affected bucket to the hub's quantity plus the movements of this
//!   device's events after `applied_seq` (the hub says, with its stock, up to which of this
//!   device's events it includes them). The affected buckets are those the page names and those
//!   of this device's events the hub has applied since the last page: a refused event changed no
//!   bucket at the hub, and its movements leave the view here.
//!
//! Own work is never hidden (its events are added until the hub includes them) and never counted
//! twice (once included, only the hub's quantity counts). The ledger, the outbox and their checks
//! stay this device's own.

use std::collections::{HashMap, HashSet};

use dockhand_protocol::sync::{LotExpiry, StockLine, StockPage};
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::StockStatus;
use crate::db::WriteTx;
use crate::error::{Error, Result};

/// A bucket as the hub names it: location, SKU, lot, serial, licence plate, status.
type Key = (String, String, String, String, String, String);

/// What applying a page of the hub's stock did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockPageApplied {
    /// Buckets the page carried.
    pub lines: usize,
    /// Buckets of the view set again (the page's and those of this device's events the hub
    /// applied since the last page).
    pub buckets: usize,
    /// Buckets naming an item or location this handheld does not know yet: kept in `hub_stock`
    /// and placed in the view when master data brings them.
    pub waiting: usize,
}

fn key_of(line: &StockLine) -> Key {
    (
        line.location.clone(),
        line.sku.clone(),
        line.lot.clone(),
        line.serial.clone(),
        line.lpn.clone(),
        line.status.clone(),
    )
}

/// A bucket from the first six columns of a row.
fn key_at(r: &rusqlite::Row<'_>) -> rusqlite::Result<Key> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
    ))
}

/// The hub's largest quantity in one bucket, either way (docs/sync-api.yaml).
const MAX_BUCKET: i64 = 1_000_000_000_000_000;

/// Refuses a page line the device cannot store, with the bucket and what is wrong.
fn check_line(line: &StockLine) -> Result<()> {
    let bucket = || {
        format!(
            "bucket {} / {} / lot {:?} at {}",
            crate::error::short(&line.sku),
            line.status,
            crate::error::short(&line.lot),
            crate::error::short(&line.location)
        )
    };
    if StockStatus::parse(&line.status).is_none() {
        return Err(Error::invalid(
            "stock from the hub",
            format!("{}: {:?} is not a stock status", bucket(), line.status),
        ));
    }
    if line.location.is_empty() || line.sku.is_empty() {
        return Err(Error::invalid(
            "stock from the hub",
            format!("{}: a bucket names a location and an SKU", bucket()),
        ));
    }
    if line.quantity.abs() > MAX_BUCKET {
        return Err(Error::invalid(
            "stock from the hub",
            format!("{}: quantity {} is beyond ±10^15", bucket(), line.quantity),
        ));
    }
    Ok(())
}

/// Sums of the movements of this device's events with `after < seq <= upto` (`upto`: no end),
/// by bucket.
fn own_movements(conn: &Connection, after: i64, upto: Option<i64>) -> Result<HashMap<Key, i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT m.value ->> 'location', m.value ->> 'sku', m.value ->> 'lot',
                m.value ->> 'serial', m.value ->> 'lpn', m.value ->> 'status',
                SUM(m.value ->> 'delta')
         FROM outbox o, json_each(o.payload, '$.movements') m
         WHERE o.seq > ?1 AND (?2 IS NULL OR o.seq <= ?2)
         GROUP BY 1, 2, 3, 4, 5, 6",
    )?;
    let rows = stmt.query_map((after, upto), |r| Ok((key_at(r)?, r.get(6)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Ids of items and locations by code, looked up once per page.
#[derive(Default)]
struct Ids {
    items: HashMap<String, Option<i64>>,
    locations: HashMap<String, Option<i64>>,
}

impl Ids {
    fn of(&mut self, conn: &Connection, key: &Key) -> Result<Option<(i64, i64)>> {
        let item = match self.items.get(&key.1) {
            Some(id) => *id,
            None => {
                let id = conn
                    .prepare_cached("SELECT id FROM items WHERE sku = ?1")?
                    .query_row([&key.1], |r| r.get(0))
                    .optional()?;
                self.items.insert(key.1.clone(), id);
                id
            }
        };
        let location = match self.locations.get(&key.0) {
            Some(id) => *id,
            None => {
                let id = conn
                    .prepare_cached("SELECT id FROM locations WHERE code = ?1")?
                    .query_row([&key.0], |r| r.get(0))
                    .optional()?;
                self.locations.insert(key.0.clone(), id);
                id
            }
        };
        Ok(item.zip(location))
    }
}

/// The hub's quantity of a bucket as last pulled.
fn hub_quantity(conn: &Connection, key: &Key) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "SELECT qty FROM hub_stock WHERE location = ?1 AND sku = ?2 AND lot = ?3
             AND serial = ?4 AND lpn = ?5 AND status = ?6",
        )?
        .query_row((&key.0, &key.1, &key.2, &key.3, &key.4, &key.5), |r| {
            r.get(0)
        })
        .optional()?
        .unwrap_or(0))
}

/// Sets buckets of the view to the hub's quantity (given, or read from `hub_stock`) plus this
/// device's movements after `applied`; returns (buckets set, buckets waiting for master data).
fn set_buckets(
    conn: &Connection,
    keys: impl IntoIterator<Item = (Key, Option<i64>)>,
    applied: i64,
) -> Result<(usize, usize)> {
    let pending = own_movements(conn, applied, None)?;
    let mut ids = Ids::default();
    let (mut set, mut waiting) = (0, 0);
    let mut upsert = conn.prepare_cached(
        "INSERT INTO balances (item_id, location_id, lot, serial, lpn, status, qty)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT DO UPDATE SET qty = excluded.qty",
    )?;
    let mut delete = conn.prepare_cached(
        "DELETE FROM balances WHERE item_id = ?1 AND location_id = ?2 AND lot = ?3
         AND serial = ?4 AND lpn = ?5 AND status = ?6",
    )?;
    for (key, hub) in keys {
        let hub = match hub {
            Some(quantity) => quantity,
            None => hub_quantity(conn, &key)?,
        };
        let quantity = hub + pending.get(&key).copied().unwrap_or(0);
        let Some((item, location)) = ids.of(conn, &key)? else {
            if quantity != 0 {
                waiting += 1;
            }
            continue;
        };
        let columns = (item, location, &key.2, &key.3, &key.4, &key.5);
        if quantity == 0 {
            delete.execute(columns)?;
        } else {
            upsert.execute((
                columns.0, columns.1, columns.2, columns.3, columns.4, columns.5, quantity,
            ))?;
        }
        set += 1;
    }
    Ok((set, waiting))
}

/// Records the expiry of lots this device has not seen (a lot it knows keeps its own, first scan
/// wins); lots of items it does not know yet are left out.
fn learn_lots(conn: &Connection, lots: &[LotExpiry]) -> Result<()> {
    let mut learn = conn.prepare_cached(
        "INSERT INTO lots (item_id, lot, expiry) SELECT id, ?2, ?3 FROM items WHERE sku = ?1
         ON CONFLICT (item_id, lot) DO UPDATE SET expiry = COALESCE(expiry, excluded.expiry)",
    )?;
    for lot in lots {
        learn.execute((&lot.sku, &lot.lot, lot.expiry))?;
    }
    Ok(())
}

/// The seq of this device's events up to which the hub's stock in `hub_stock` includes them.
pub fn hub_applied_seq(conn: &Connection) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT hub_applied_seq FROM sync_state")?
        .query_row([], |r| r.get(0))?)
}

/// The stock cursor after the last page applied (`None` before the first stock pull).
pub fn stock_cursor(conn: &Connection) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT stock_cursor FROM sync_state")?
        .query_row([], |r| r.get(0))?)
}

/// Applies one page of the hub's stock and its cursor, in the caller's transaction.
pub fn apply_page(tx: &WriteTx<'_>, page: &StockPage) -> Result<StockPageApplied> {
    let conn = tx.conn();
    if page.applied_seq < 0 {
        return Err(Error::invalid(
            "stock from the hub",
            format!(
                "applied seq {} is below zero: the hub counts a device's events from 1",
                page.applied_seq
            ),
        ));
    }
    for line in &page.lines {
        check_line(line)?;
    }
    if let Some(lot) = page.lots.iter().find(|l| l.lot.is_empty()) {
        return Err(Error::invalid(
            "stock from the hub",
            format!(
                "an expiry ({}) for item {} names no lot",
                lot.expiry,
                crate::error::short(&lot.sku)
            ),
        ));
    }
    let before = hub_applied_seq(conn)?;
    let mut affected: HashMap<Key, Option<i64>> = HashMap::with_capacity(page.lines.len());
    {
        let mut put = conn.prepare_cached(
            "INSERT INTO hub_stock (location, sku, lot, serial, lpn, status, qty)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO UPDATE SET qty = excluded.qty",
        )?;
        let mut drop = conn.prepare_cached(
            "DELETE FROM hub_stock WHERE location = ?1 AND sku = ?2 AND lot = ?3 AND serial = ?4
             AND lpn = ?5 AND status = ?6",
        )?;
        for line in &page.lines {
            let key = key_of(line);
            let columns = (&key.0, &key.1, &key.2, &key.3, &key.4, &key.5);
            if line.quantity == 0 {
                drop.execute(columns)?;
            } else {
                put.execute((
                    columns.0,
                    columns.1,
                    columns.2,
                    columns.3,
                    columns.4,
                    columns.5,
                    line.quantity,
                ))?;
            }
            affected.insert(key, Some(line.quantity));
        }
    }
    // This device's events the hub took (or refused) since the last page: their buckets now
    // count once, through the hub's quantity, or not at all.
    let (low, high) = (before.min(page.applied_seq), before.max(page.applied_seq));
    if low != high {
        for key in own_movements(conn, low, Some(high))?.into_keys() {
            affected.entry(key).or_insert(None);
        }
    }
    let (buckets, waiting) = set_buckets(conn, affected, page.applied_seq)?;
    learn_lots(conn, &page.lots)?;
    conn.prepare_cached("UPDATE sync_state SET stock_cursor = ?1, hub_applied_seq = ?2")?
        .execute((&page.next_cursor, page.applied_seq))?;
    Ok(StockPageApplied {
        lines: page.lines.len(),
        buckets,
        waiting,
    })
}

/// Of these SKUs and location codes, those this device does not know yet, when the hub's stock
/// holds buckets (only a bucket naming one of them can be waiting): called before master data is
/// stored, so that [`place_waiting`] looks through `hub_stock` only when something new arrives.
pub fn not_yet_known(
    conn: &Connection,
    skus: &[String],
    locations: &[String],
) -> Result<(Vec<String>, Vec<String>)> {
    let hub_empty: bool = conn
        .prepare_cached("SELECT NOT EXISTS (SELECT 1 FROM hub_stock)")?
        .query_row([], |r| r.get(0))?;
    if hub_empty {
        return Ok(Default::default());
    }
    let mut item = conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM items WHERE sku = ?1)")?;
    let mut new_skus = Vec::new();
    for sku in skus {
        if !item.query_row([sku], |r| r.get::<_, bool>(0))? {
            new_skus.push(sku.clone());
        }
    }
    let mut place =
        conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM locations WHERE code = ?1)")?;
    let mut new_locations = Vec::new();
    for code in locations {
        if !place.query_row([code], |r| r.get::<_, bool>(0))? {
            new_locations.push(code.clone());
        }
    }
    Ok((new_skus, new_locations))
}

/// Places the hub's buckets of these SKUs and locations in the view (master data just brought
/// them; buckets naming them waited in `hub_stock`). Returns how many buckets were set.
pub fn place_waiting(tx: &WriteTx<'_>, skus: &[String], locations: &[String]) -> Result<usize> {
    let conn = tx.conn();
    if skus.is_empty() && locations.is_empty() {
        return Ok(0);
    }
    let skus: HashSet<&str> = skus.iter().map(String::as_str).collect();
    let locations: HashSet<&str> = locations.iter().map(String::as_str).collect();
    let keys: Vec<Key> = conn
        .prepare_cached("SELECT location, sku, lot, serial, lpn, status FROM hub_stock")?
        .query_map([], key_at)?
        .filter(|k: &rusqlite::Result<Key>| {
            k.as_ref().map_or(true, |k| {
                skus.contains(k.1.as_str()) || locations.contains(k.0.as_str())
            })
        })
        .collect::<rusqlite::Result<_>>()?;
    if keys.is_empty() {
        return Ok(0);
    }
    let keys = keys.into_iter().map(|k| (k, None));
    Ok(set_buckets(conn, keys, hub_applied_seq(conn)?)?.0)
}

/// This device's own stock: the sum of its ledger by bucket (what its events add to the hub's
/// stock), in the hub's order.
pub fn own_stock_lines(conn: &Connection) -> Result<Vec<StockLine>> {
    let mut stmt = conn.prepare_cached(
        "SELECT l.code, i.sku, g.lot, g.serial, g.lpn, g.status, SUM(g.delta)
         FROM ledger g JOIN items i ON i.id = g.item_id JOIN locations l ON l.id = g.location_id
         GROUP BY 1, 2, 3, 4, 5, 6 HAVING SUM(g.delta) <> 0 ORDER BY 1, 2, 3, 4, 5, 6",
    )?;
    let rows = stmt.query_map([], super::query::stock_line)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Where the view stands, as support reads it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViewSummary {
    /// Whether the device has pulled the site's stock (otherwise its view is its own ledger).
    pub pulled: bool,
    /// Buckets of the hub's stock as last pulled.
    pub hub_buckets: i64,
    /// This device's events the hub's stock included then.
    pub applied_seq: i64,
    /// This device's events after those, whose movements the view adds.
    pub events_since: i64,
    /// Buckets of the hub's naming an item or location this device does not know yet.
    pub waiting: i64,
}

/// Where the view stands.
pub fn summary(conn: &Connection) -> Result<ViewSummary> {
    let pulled = stock_cursor(conn)?.is_some();
    let applied_seq = hub_applied_seq(conn)?;
    Ok(conn.query_row(
        "SELECT (SELECT COUNT(*) FROM hub_stock),
                (SELECT COUNT(*) FROM outbox WHERE seq > ?1),
                (SELECT COUNT(*) FROM hub_stock h
                 WHERE NOT EXISTS (SELECT 1 FROM items i WHERE i.sku = h.sku)
                    OR NOT EXISTS (SELECT 1 FROM locations l WHERE l.code = h.location))",
        [applied_seq],
        |r| {
            Ok(ViewSummary {
                pulled,
                hub_buckets: r.get(0)?,
                applied_seq,
                events_since: r.get(1)?,
                waiting: r.get(2)?,
            })
        },
    )?)
}
