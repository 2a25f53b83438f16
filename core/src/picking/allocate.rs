//! Allocation: which stock a pick task takes, reserved as soon as the task starts.
//!
//! For each line, available stock in active pickable storage and pick-face locations, of the
//! line's lot when it names one, never expired: earliest expiry first (FEFO; stock without an
//! expiry last), then walk order. Never more than available to promise: reservations of other
//! tasks are respected, and a line that cannot be covered whole refuses the task.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::db::WriteTx;
use crate::error::{Error, Result};
use crate::stock;

/// One place a line's item can be picked, with what is free there.
struct Candidate {
    location_id: i64,
    lot: String,
    expiry: Option<NaiveDate>,
    pick_sequence: i64,
    code: String,
    free: i64,
}

/// A line to allocate.
pub(super) struct LineToAllocate {
    pub line_no: i64,
    pub item_id: i64,
    pub sku: String,
    pub lot: Option<String>,
    pub quantity: i64,
}

fn candidates(tx: &WriteTx<'_>, item_id: i64, today: NaiveDate) -> Result<Vec<Candidate>> {
    let conn = tx.conn();
    let reserved: HashMap<(i64, String), i64> = conn
        .prepare_cached("SELECT location_id, lot, qty FROM reservations WHERE item_id = ?1")?
        .query_map([item_id], |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?)))?
        .collect::<rusqlite::Result<Vec<((i64, String), i64)>>>()?
        .into_iter()
        .fold(HashMap::new(), |mut acc, (key, qty)| {
            *acc.entry(key).or_insert(0) += qty;
            acc
        });
    let mut by_place: HashMap<(i64, String), Candidate> = HashMap::new();
    let mut stmt = conn.prepare_cached(
        "SELECT b.location_id, b.lot, b.qty, lt.expiry, l.pick_sequence, l.code
         FROM balances b
         JOIN locations l ON l.id = b.location_id
         LEFT JOIN lots lt ON lt.item_id = b.item_id AND lt.lot = b.lot
         WHERE b.item_id = ?1 AND b.status = 'available' AND l.status = 'active' AND l.pickable = 1
           AND (l.kind = 'storage' OR l.kind = 'pick_face')",
    )?;
    let mut rows = stmt.query([item_id])?;
    while let Some(row) = rows.next()? {
        let expiry: Option<NaiveDate> = row.get(3)?;
        if expiry.is_some_and(|e| e < today) {
            continue;
        }
        let key: (i64, String) = (row.get(0)?, row.get(1)?);
        let qty: i64 = row.get(2)?;
        by_place
            .entry(key.clone())
            .and_modify(|c| c.free += qty)
            .or_insert(Candidate {
                location_id: key.0,
                lot: key.1,
                expiry,
                pick_sequence: row.get(4)?,
                code: row.get(5)?,
                free: qty,
            });
    }
    let mut found: Vec<Candidate> = by_place
        .into_values()
        .map(|mut c| {
            c.free -= reserved
                .get(&(c.location_id, c.lot.clone()))
                .copied()
                .unwrap_or(0);
            c
        })
        .filter(|c| c.free > 0)
        .collect();
    found.sort_by(|a, b| {
        (
            a.expiry.is_none(),
            a.expiry,
            a.pick_sequence,
            &a.code,
            &a.lot,
        )
            .cmp(&(
                b.expiry.is_none(),
                b.expiry,
                b.pick_sequence,
                &b.code,
                &b.lot,
            ))
    });
    Ok(found)
}

/// Allocates and reserves every line of `task_id`; refuses the whole task if a line cannot be covered.
pub(super) fn allocate(tx: &WriteTx<'_>, task_id: &str, lines: &[LineToAllocate]) -> Result<()> {
    let today = tx.now().date_naive();
    let conn = tx.conn();
    let mut cache: HashMap<i64, Vec<Candidate>> = HashMap::new();
    // Lines that need a particular lot first: a line that takes any lot must not use up theirs.
    let mut ordered: Vec<&LineToAllocate> = lines.iter().collect();
    ordered.sort_by_key(|line| line.lot.is_none());
    for line in ordered {
        if let std::collections::hash_map::Entry::Vacant(slot) = cache.entry(line.item_id) {
            slot.insert(candidates(tx, line.item_id, today)?);
        }
        let places = cache
            .get_mut(&line.item_id)
            .map(Vec::as_mut_slice)
            .unwrap_or_default();
        let wanted = |c: &Candidate| line.lot.as_deref().is_none_or(|lot| lot == c.lot);
        let promisable: i64 = places.iter().filter(|c| wanted(c)).map(|c| c.free).sum();
        if promisable < line.quantity {
            return Err(Error::AllocationShort {
                line_no: line.line_no,
                sku: line.sku.clone(),
                lot: line.lot.clone(),
                requested: line.quantity,
                promisable,
            });
        }
        let mut left = line.quantity;
        for place in places.iter_mut().filter(|c| wanted(c)) {
            if left == 0 {
                break;
            }
            let take = place.free.min(left);
            if take == 0 {
                continue;
            }
            conn.prepare_cached(
                "INSERT INTO pick_allocations
                     (task_id, line_no, location_id, lot, quantity, picked, short, status)
                 VALUES (?1, ?2, ?3, ?4, ?5, 0, 0, 'open')",
            )?
            .execute((task_id, line.line_no, place.location_id, &place.lot, take))?;
            let allocation_id = conn.last_insert_rowid();
            stock::reserve(
                tx,
                line.item_id,
                place.location_id,
                &place.lot,
                take,
                &reference(allocation_id),
            )?;
            place.free -= take;
            left -= take;
        }
    }
    Ok(())
}

/// The reservation reference of an allocation.
pub(super) fn reference(allocation_id: i64) -> String {
    format!("pick:{allocation_id}")
}
