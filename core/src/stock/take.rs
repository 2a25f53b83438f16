//! Taking a quantity out of a location's buckets: loose stock before licence plates, so a pallet
//! stays whole as long as loose goods can serve. Picks (to staging) and count adjustments (out of
//! stock) both take this way.

use super::{Bucket, Movement, StockStatus, apply};
use crate::db::WriteTx;
use crate::error::Result;

/// Which serials a take may use.
#[derive(Debug, Clone, Copy)]
pub enum Serials<'a> {
    /// Only the bucket of this serial ("" = any).
    Only(&'a str),
    /// Any bucket, serials not in the list first (units a count did not find).
    UnlistedFirst(&'a [String]),
}

/// Where taken goods go.
#[derive(Debug, Clone)]
pub struct Destination {
    /// Location.
    pub location_id: i64,
    /// Licence plate (tote) they go onto.
    pub lpn: String,
    /// Their status there.
    pub status: StockStatus,
}

/// Takes up to `quantity` of an item and lot in `status` from a location, bucket by bucket (loose
/// stock first), moving it to `to` or out of stock when `None`. Returns what could not be taken
/// (0 when all of it was there): the caller says what that means.
#[allow(clippy::too_many_arguments)]
pub fn take(
    tx: &WriteTx<'_>,
    item_id: i64,
    location_id: i64,
    lot: &str,
    status: StockStatus,
    quantity: i64,
    serials: Serials<'_>,
    to: Option<&Destination>,
    reason: &str,
) -> Result<i64> {
    let mut buckets: Vec<(String, String, i64)> = tx
        .conn()
        .prepare_cached(
            "SELECT serial, lpn, qty FROM balances WHERE item_id = ?1 AND location_id = ?2
             AND lot = ?3 AND status = ?4 AND qty > 0 ORDER BY lpn <> '', lpn, serial",
        )?
        .query_map((item_id, location_id, lot, status.as_str()), |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    match serials {
        Serials::Only("") => {}
        Serials::Only(serial) => buckets.retain(|(s, _, _)| s == serial),
        // The sort is stable: loose stock still comes before plates.
        Serials::UnlistedFirst(listed) => buckets.sort_by_key(|(s, _, _)| listed.contains(s)),
    }
    let mut left = quantity;
    for (serial, lpn, qty) in buckets {
        if left == 0 {
            break;
        }
        let taken = qty.min(left);
        apply(
            tx,
            &Movement {
                item_id,
                quantity: taken,
                from: Some(Bucket {
                    location_id,
                    lot: lot.into(),
                    serial: serial.clone(),
                    lpn,
                    status,
                }),
                to: to.map(|d| Bucket {
                    location_id: d.location_id,
                    lot: lot.into(),
                    serial,
                    lpn: d.lpn.clone(),
                    status: d.status,
                }),
                reason: reason.into(),
            },
        )?;
        left -= taken;
    }
    Ok(left)
}
