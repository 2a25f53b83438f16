//! Allocation: which stock a pick task takes, reserved as soon as the task starts.
//!
//! For each line, available stock in active pickable storage and pick-face locations, of the
//! line's lot when it names one, never expired: earliest expiry first (FEFO; stock without an
//! expiry last), then walk order. Never more than available to promise: reservations of other
//! tasks are respected, and a line that cannot be covered whole refuses the task.

use std::collections::HashMap;

use crate::db::WriteTx;
use crate::error::{Error, Result};
use crate::stock;

/// A line to allocate.
pub(super) struct LineToAllocate {
    pub line_no: i64,
    pub item_id: i64,
    pub sku: String,
    pub lot: Option<String>,
    pub quantity: i64,
}

type Place = (i64, String);

/// Base units reserved per (location, lot) of an item, by other tasks: one row per place, not
/// one per reservation.
fn reserved_of(tx: &WriteTx<'_>, item_id: i64) -> Result<HashMap<Place, i64>> {
    let mut stmt = tx
        .conn()
        .prepare_cached("SELECT location_id, lot, qty FROM reserved_totals WHERE item_id = ?1")?;
    let rows = stmt.query_map([item_id], |row| {
        Ok(((row.get(0)?, row.get(1)?), row.get(2)?))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Allocates and reserves every line of `task_id`; refuses the whole task if a line cannot be covered.
pub(super) fn allocate(tx: &WriteTx<'_>, task_id: &str, lines: &[LineToAllocate]) -> Result<()> {
    let today = tx.now().date_naive();
    let conn = tx.conn();
    // What other tasks hold, and what this task took already, per item and place.
    let mut reserved: HashMap<i64, HashMap<Place, i64>> = HashMap::new();
    // Lines that need a particular lot first: a line that takes any lot must not use up theirs.
    let mut ordered: Vec<&LineToAllocate> = lines.iter().collect();
    ordered.sort_by_key(|line| line.lot.is_none());
    for line in ordered {
        if let std::collections::hash_map::Entry::Vacant(slot) = reserved.entry(line.item_id) {
            slot.insert(reserved_of(tx, line.item_id)?);
        }
        let held = reserved
            .get_mut(&line.item_id)
            .ok_or_else(|| Error::invalid("allocation", "no reservations map"))?;
        // Lots in FEFO order (expired ones left out), then each lot's places in walk order,
        // read only as far as the line needs.
        // Lots grouped by expiry in FEFO order (expired ones left out; no expiry last); within a
        // group, places in walk order whatever their lot. Read only as far as the line needs.
        let groups: Vec<Vec<String>> = match &line.lot {
            Some(lot) => {
                if let Some(expiry) =
                    stock::lot_expiry(conn, line.item_id, lot)?.filter(|e| *e < today)
                {
                    return Err(Error::LotExpired {
                        sku: line.sku.clone(),
                        lot: lot.clone(),
                        expiry,
                    });
                }
                vec![vec![lot.clone()]]
            }
            None => {
                let lots: Vec<(String, Option<chrono::NaiveDate>)> = conn
                    .prepare_cached(
                        "SELECT lot, expiry FROM lots WHERE item_id = ?1 AND (expiry IS NULL OR expiry >= ?2)
                         ORDER BY expiry IS NULL, expiry, lot",
                    )?
                    .query_map((line.item_id, today), |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<rusqlite::Result<_>>()?;
                let mut groups: Vec<(Option<chrono::NaiveDate>, Vec<String>)> = Vec::new();
                for (lot, expiry) in lots {
                    match groups.last_mut() {
                        Some((e, group)) if *e == expiry => group.push(lot),
                        _ => groups.push((expiry, vec![lot])),
                    }
                }
                // Stock of items not tracked by lot has the empty lot, without expiry.
                match groups.last_mut() {
                    Some((None, group)) => group.push(String::new()),
                    _ => groups.push((None, vec![String::new()])),
                }
                groups.into_iter().map(|(_, group)| group).collect()
            }
        };
        let mut takes: Vec<(Place, i64)> = Vec::new();
        let mut left = line.quantity;
        for group in groups {
            if left == 0 {
                break;
            }
            let mut places: Vec<(i64, String, i64, i64, String)> = Vec::new();
            for lot in group {
                for p in stock::pickable_places(conn, line.item_id, &lot)? {
                    places.push((
                        p.location_id,
                        lot.clone(),
                        p.quantity,
                        p.pick_sequence,
                        p.code,
                    ));
                }
            }
            places.sort_by(|a, b| (a.3, &a.4, &a.1).cmp(&(b.3, &b.4, &b.1)));
            for (location_id, lot, on_hand, _, _) in places {
                if left == 0 {
                    break;
                }
                let place: Place = (location_id, lot);
                let free = on_hand - held.get(&place).copied().unwrap_or(0);
                if free <= 0 {
                    continue;
                }
                let take = free.min(left);
                takes.push((place, take));
                left -= take;
            }
        }
        if left > 0 {
            return Err(Error::AllocationShort {
                line_no: line.line_no,
                sku: line.sku.clone(),
                lot: line.lot.clone(),
                requested: line.quantity,
                promisable: line.quantity - left,
            });
        }
        for ((location_id, lot), take) in takes {
            conn.prepare_cached(
                "INSERT INTO pick_allocations
                     (task_id, line_no, location_id, lot, quantity, picked, short, status)
                 VALUES (?1, ?2, ?3, ?4, ?5, 0, 0, 'open')",
            )?
            .execute((task_id, line.line_no, location_id, &lot, take))?;
            let allocation_id = conn.last_insert_rowid();
            stock::record_reservation(
                tx,
                line.item_id,
                location_id,
                &lot,
                take,
                &reference(allocation_id),
            )?;
            *held.entry((location_id, lot)).or_insert(0) += take;
        }
    }
    Ok(())
}

/// The reservation reference of an allocation.
pub(super) fn reference(allocation_id: i64) -> String {
    format!("pick:{allocation_id}")
}
