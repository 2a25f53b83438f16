//! Stock a pick face is replenished from: what the face holds of its item, and the reserve
//! storage places holding it, first expiring lot first.

use chrono::NaiveDate;
use rusqlite::Connection;

use super::reservations::unreserved;
use crate::error::Result;

/// Available base units of an item at one location (every lot, loose and on plates).
pub fn available_at(conn: &Connection, location_id: i64, item_id: i64) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "SELECT COALESCE(SUM(qty), 0) FROM balances
             WHERE location_id = ?1 AND item_id = ?2 AND status = 'available'",
        )?
        .query_row((location_id, item_id), |r| r.get(0))?)
}

/// Available stock of an item at one reserve place, lot and plate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReservePlace {
    /// Location code.
    pub code: String,
    /// Lot ("" when untracked).
    pub lot: String,
    /// The lot's expiry.
    pub expiry: Option<NaiveDate>,
    /// Plate the goods are on ("" for loose goods).
    pub lpn: String,
    /// Base units free to take: pickers' reservations there deducted.
    pub quantity: i64,
}

/// Reserve storage holding an item available, other than `face`: active storage locations, per
/// location, lot and plate, first expiring lot first (lots without expiry last), then walk order.
pub fn reserve_places(conn: &Connection, item_id: i64, face: i64) -> Result<Vec<ReservePlace>> {
    let mut stmt = conn.prepare_cached(
        "SELECT b.location_id, l.code, b.lot, lo.expiry, b.lpn, SUM(b.qty)
         FROM balances b
         JOIN locations l ON l.id = b.location_id
         LEFT JOIN lots lo ON lo.item_id = b.item_id AND lo.lot = b.lot
         WHERE b.item_id = ?1 AND b.status = 'available' AND b.qty > 0 AND l.id <> ?2
           AND l.kind = 'storage' AND l.status = 'active'
         GROUP BY b.location_id, b.lot, b.lpn
         ORDER BY lo.expiry IS NULL, lo.expiry, l.pick_sequence, l.code, b.lpn",
    )?;
    let rows = stmt
        .query_map((item_id, face), |r| {
            Ok((
                r.get::<_, i64>(0)?,
                ReservePlace {
                    code: r.get(1)?,
                    lot: r.get(2)?,
                    expiry: r.get(3)?,
                    lpn: r.get(4)?,
                    quantity: r.get(5)?,
                },
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut places = Vec::with_capacity(rows.len());
    for (location_id, mut place) in rows {
        place.quantity = place
            .quantity
            .min(unreserved(conn, item_id, location_id, &place.lot)?);
        if place.quantity > 0 {
            places.push(place);
        }
    }
    Ok(places)
}
