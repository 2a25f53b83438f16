//! Where goods should go: the putaway rules of docs/design.md §4.
//!
//! 1. Quarantined goods go to an active quarantine location: one already holding the same item and
//!    lot if there is one, else the first in walk order.
//! 2. Otherwise, an active storage or pick-face location already holding the same item and lot
//!    (consolidate), first in walk order;
//! 3. else an empty active storage location in the item's putaway zone (any zone when the item has
//!    none), first in walk order.
//!
//! Blocked locations are never suggested, nor one without room for the goods (`max_units`).

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::catalog::{self, ItemRecord, LocationKind, LocationRecord, LocationStatus};
use crate::error::{Error, Result};
use crate::stock::{self, StockStatus};
use crate::text_enum::text_enum;

text_enum! {
    /// Which rule chose the suggestion.
    pub enum SuggestionRule {
        /// A location already holding the same item and lot.
        SameItemAndLot => "same_item_and_lot",
        /// An empty location in the item's zone.
        EmptyInZone => "empty_in_zone",
        /// A quarantine location, for held goods.
        Quarantine => "quarantine",
        /// The damaged goods cage.
        Damaged => "damaged",
    }
}

/// A suggested destination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PutawaySuggestion {
    /// Location code to go to.
    pub location: String,
    /// Its zone.
    pub zone: String,
    /// The rule that chose it.
    pub rule: SuggestionRule,
    /// Status the goods will have there.
    pub status_after: StockStatus,
}

fn suggestion(
    loc: LocationRecord,
    rule: SuggestionRule,
    status_after: StockStatus,
) -> PutawaySuggestion {
    PutawaySuggestion {
        location: loc.location.code,
        zone: loc.location.zone,
        rule,
        status_after,
    }
}

fn holding_same(
    conn: &Connection,
    item: &ItemRecord,
    lot: &str,
    kinds: &[LocationKind],
    status: StockStatus,
    quantity: i64,
) -> Result<Option<LocationRecord>> {
    // Where the same item and lot already are (a handful of rows by the balances key), then the
    // first usable one in walk order. Two plain statements: SQLite re-plans a join (or DISTINCT) over
    // balances on every call with new values, which cost more than the whole rest of a putaway.
    let ids = stock::locations_holding(conn, item.id, lot, status)?;
    let mut best: Option<LocationRecord> = None;
    for id in ids {
        let loc = catalog::location_by_id(conn, id)?;
        let usable = loc.location.status == LocationStatus::Active
            && kinds.contains(&loc.location.kind)
            && stock::has_room(conn, &loc, quantity)?;
        let earlier = best.as_ref().is_none_or(|b| {
            (loc.location.pick_sequence, &loc.location.code)
                < (b.location.pick_sequence, &b.location.code)
        });
        if usable && earlier {
            best = Some(loc);
        }
    }
    Ok(best)
}

/// The first active location of `kind` in walk order with room for `quantity`.
fn first_with_room(
    conn: &Connection,
    kind: LocationKind,
    quantity: i64,
) -> Result<Option<LocationRecord>> {
    for loc in catalog::active_locations(conn, kind, None)? {
        if stock::has_room(conn, &loc, quantity)? {
            return Ok(Some(loc));
        }
    }
    Ok(None)
}

/// Suggests a destination for `quantity` base units of `item` and `lot` now in `status` on a
/// dock.
pub fn suggest(
    conn: &Connection,
    item: &ItemRecord,
    lot: &str,
    status: StockStatus,
    quantity: i64,
) -> Result<PutawaySuggestion> {
    if status == StockStatus::Damaged {
        return first_with_room(conn, LocationKind::Damaged, quantity)?
            .map(|loc| suggestion(loc, SuggestionRule::Damaged, status))
            .ok_or_else(|| Error::NoPutawayLocation {
                sku: item.item.sku.clone(),
                zone: None,
                wanted: "damaged".into(),
            });
    }
    if status == StockStatus::Quarantined {
        let quarantine = [LocationKind::Quarantine];
        if let Some(loc) = holding_same(conn, item, lot, &quarantine, status, quantity)? {
            return Ok(suggestion(loc, SuggestionRule::Quarantine, status));
        }
        return first_with_room(conn, LocationKind::Quarantine, quantity)?
            .map(|loc| suggestion(loc, SuggestionRule::Quarantine, status))
            .ok_or_else(|| Error::NoPutawayLocation {
                sku: item.item.sku.clone(),
                zone: None,
                wanted: "quarantine".into(),
            });
    }
    let after = StockStatus::Available;
    let kinds = [LocationKind::Storage, LocationKind::PickFace];
    if let Some(loc) = holding_same(conn, item, lot, &kinds, after, quantity)? {
        return Ok(suggestion(loc, SuggestionRule::SameItemAndLot, after));
    }
    let zone = item.item.putaway_zone.as_deref();
    let id = stock::first_empty_storage(conn, zone, quantity)?;
    match id {
        Some(id) => Ok(suggestion(
            catalog::location_by_id(conn, id)?,
            SuggestionRule::EmptyInZone,
            after,
        )),
        None => Err(Error::NoPutawayLocation {
            sku: item.item.sku.clone(),
            zone: zone.map(str::to_string),
            wanted: "empty storage".into(),
        }),
    }
}
