//! Stock: the append-only ledger, the balances projected from it, and reservations.
//!
//! The ledger is the truth. [`apply`] is the only code that writes stock: it appends one ledger row
//! per leg of a movement and updates the matching balance rows in the caller's transaction, after
//! checking that the source holds enough (and, for available stock, enough that is not reserved).
//! Balances are keyed by (item, location, lot, serial, LPN, status); "" means none. They are the
//! handheld's view of the site's stock: the hub's as last pulled plus this device's own movements
//! since ([`view`]); below zero only where the hub's is, and never taken from.

pub mod audit;
mod lots;
mod query;
mod reservations;
mod reserve;
mod take;
pub mod view;

pub(crate) use reservations::record as record_reservation;

use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::catalog;
use crate::db::WriteTx;
use crate::error::{Error, Result};
pub use dockhand_protocol::events::StockStatus;

pub use lots::{check_expiry, lot_expiry, record_lot};
pub use query::{
    AvailableToPromise, Balance, PickablePlace, PlateBucket, StatusTotal, all_balances,
    available_to_promise, available_value_by, balances_at_location, balances_for_item, countable,
    first_empty_storage, item_on_plates_of_order, item_quantity, item_shipped_on_plates_of_order,
    ledger_mark, ledger_rows_as_movements, legs_of_operation, location_quantity, locations_holding,
    lpn_quantity, lpns_holding, main_status, moved_since, pickable_places, picks_since_by,
    plate_at, plate_holds_anything, plate_locations, serial_location, stock_lines,
    totals_by_status, units_held,
};
pub use reservations::{
    Reservation, release_at, release_part, release_reservations, reservations_for, reserve,
    unreserved,
};
pub use reserve::{ReservePlace, available_at, reserve_places};
pub use take::{Destination, Serials, take};

/// One balance key at a location: where and in what state a quantity of an item is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bucket {
    /// Location row id.
    pub location_id: i64,
    /// Lot, or "".
    pub lot: String,
    /// Serial number, or "".
    pub serial: String,
    /// License plate (pallet SSCC or internal LPN), or "".
    pub lpn: String,
    /// Usability.
    pub status: StockStatus,
}

/// A change of stock of one item: out of `from`, into `to`, or both (a move or status change).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Movement {
    /// Item row id.
    pub item_id: i64,
    /// Base units moved; always positive.
    pub quantity: i64,
    /// Where it comes from (`None`: enters inventory, e.g. a receipt).
    pub from: Option<Bucket>,
    /// Where it goes (`None`: leaves inventory, e.g. scrap).
    pub to: Option<Bucket>,
    /// Why, as a reason code (e.g. `receipt`, `putaway`).
    pub reason: String,
}

impl PlateBucket {
    /// The movement of what this names (`quantity` of its bucket) to `to`: another place, plate or
    /// status, or out of inventory (`None`).
    pub fn moved_to(&self, to: Option<Bucket>, reason: &str) -> Movement {
        Movement {
            item_id: self.item_id,
            quantity: self.quantity,
            from: Some(self.bucket.clone()),
            to,
            reason: reason.into(),
        }
    }
}

/// The ledger rows a movement wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MovementRecord {
    /// Groups the legs of the movement in the ledger.
    pub movement_id: i64,
    /// Base units moved.
    pub quantity: i64,
}

/// Quantity held in one bucket.
pub fn bucket_quantity(conn: &Connection, item_id: i64, bucket: &Bucket) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "SELECT qty FROM balances WHERE item_id = ?1 AND location_id = ?2 AND lot = ?3
             AND serial = ?4 AND lpn = ?5 AND status = ?6",
        )?
        .query_row(
            (
                item_id,
                bucket.location_id,
                &bucket.lot,
                &bucket.serial,
                &bucket.lpn,
                bucket.status.as_str(),
            ),
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(0))
}

/// Whether the location has room for `adding` more base units (always, without a limit).
pub fn has_room(conn: &Connection, to: &catalog::LocationRecord, adding: i64) -> Result<bool> {
    Ok(match to.location.max_units {
        Some(max) => units_held(conn, to.id)?.saturating_add(adding) <= max,
        None => true,
    })
}

/// The location has room for `adding` more base units, when master data limits what it holds.
pub fn check_room(conn: &Connection, to: &catalog::LocationRecord, adding: i64) -> Result<()> {
    let Some(max_units) = to.location.max_units else {
        return Ok(());
    };
    let holding = units_held(conn, to.id)?;
    if holding.saturating_add(adding) > max_units {
        return Err(Error::LocationFull {
            location: to.location.code.clone(),
            max_units,
            holding,
            adding,
        });
    }
    Ok(())
}

/// Appends the movement to the ledger and updates balances, in the caller's transaction.
pub fn apply(tx: &WriteTx<'_>, movement: &Movement) -> Result<MovementRecord> {
    if movement.quantity < 1 {
        return Err(Error::InvalidQuantity {
            quantity: movement.quantity,
        });
    }
    if movement.from.is_none() && movement.to.is_none() {
        return Err(Error::invalid(
            "movement",
            "it has neither a source nor a destination",
        ));
    }
    let conn = tx.conn();
    let mut source_on_hand = None;
    if let Some(from) = &movement.from {
        let on_hand = bucket_quantity(conn, movement.item_id, from)?;
        source_on_hand = Some(on_hand);
        let usable = if from.status == StockStatus::Available {
            let free =
                reservations::unreserved(conn, movement.item_id, from.location_id, &from.lot)?;
            on_hand.min(free)
        } else {
            on_hand
        };
        if usable < movement.quantity {
            return Err(Error::InsufficientStock {
                sku: catalog::item_by_id(conn, movement.item_id)?.item.sku,
                lot: from.lot.clone(),
                location: catalog::location_by_id(conn, from.location_id)?
                    .location
                    .code,
                status: if usable < on_hand {
                    format!("unreserved {}", from.status)
                } else {
                    from.status.to_string()
                },
                on_hand: usable,
                requested: movement.quantity,
            });
        }
    }
    // A movement is identified by its first leg's id; the second leg refers to it.
    let mut movement_id = None;
    if let Some(from) = &movement.from {
        movement_id = Some(write_leg(
            tx,
            movement_id,
            movement,
            from,
            -movement.quantity,
            source_on_hand,
        )?);
    }
    if let Some(to) = &movement.to {
        let id = write_leg(tx, movement_id, movement, to, movement.quantity, None)?;
        movement_id.get_or_insert(id);
    }
    let movement_id = movement_id.unwrap_or_default();
    Ok(MovementRecord {
        movement_id,
        quantity: movement.quantity,
    })
}

/// Appends one ledger row and applies it to its balance; returns the row id.
/// `movement_id: None` makes the row the first leg of a new movement (its own id);
/// `source_on_hand` is the bucket's quantity before an outgoing leg.
fn write_leg(
    tx: &WriteTx<'_>,
    movement_id: Option<i64>,
    movement: &Movement,
    bucket: &Bucket,
    delta: i64,
    source_on_hand: Option<i64>,
) -> Result<i64> {
    let conn = tx.conn();
    let key = (
        movement.item_id,
        bucket.location_id,
        &bucket.lot,
        &bucket.serial,
        &bucket.lpn,
        bucket.status.as_str(),
    );
    conn.prepare_cached(
        "INSERT INTO ledger (movement_id, op_id, item_id, location_id, lot, serial, lpn, status,
                             delta, reason, recorded_at)
         VALUES (COALESCE(?1, (SELECT COALESCE(MAX(id), 0) + 1 FROM ledger)),
                 ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute((
        movement_id,
        tx.op_id().to_string(),
        key.0,
        key.1,
        key.2,
        key.3,
        key.4,
        key.5,
        delta,
        &movement.reason,
        tx.now_utc_text(),
    ))?;
    let id = conn.last_insert_rowid();
    tx.note_leg(id);
    if delta > 0 {
        let now: i64 = conn
            .prepare_cached(
                "INSERT INTO balances (item_id, location_id, lot, serial, lpn, status, qty)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT DO UPDATE SET qty = qty + excluded.qty RETURNING qty",
            )?
            .query_row((key.0, key.1, key.2, key.3, key.4, key.5, delta), |r| {
                r.get(0)
            })?;
        // Goods into a bucket the hub has below zero may bring it back to nothing.
        if now == 0 {
            conn.prepare_cached(
                "DELETE FROM balances WHERE item_id = ?1 AND location_id = ?2
                 AND lot = ?3 AND serial = ?4 AND lpn = ?5 AND status = ?6 AND qty = 0",
            )?
            .execute((key.0, key.1, key.2, key.3, key.4, key.5))?;
        }
    } else {
        // A row at zero is deleted, so "empty location" means "no balance rows". `apply` read the
        // quantity on hand; the statements check it is still that.
        let on_hand = source_on_hand.unwrap_or(0);
        let sql = if on_hand == -delta {
            "DELETE FROM balances WHERE item_id = ?1 AND location_id = ?2
             AND lot = ?3 AND serial = ?4 AND lpn = ?5 AND status = ?6 AND qty = ?8 AND ?7 < 0"
        } else {
            "UPDATE balances SET qty = qty + ?7 WHERE item_id = ?1 AND location_id = ?2
             AND lot = ?3 AND serial = ?4 AND lpn = ?5 AND status = ?6 AND qty = ?8"
        };
        let changed = conn
            .prepare_cached(sql)?
            .execute((key.0, key.1, key.2, key.3, key.4, key.5, delta, on_hand))?;
        if changed != 1 {
            return Err(Error::invalid(
                "movement",
                format!(
                    "balance of item #{} at location #{} changed during the command",
                    key.0, key.1
                ),
            ));
        }
    }
    Ok(id)
}
