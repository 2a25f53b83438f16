//! The `handling_units` table: totes, cartons and pallets, what they are for and where they are.
//! What a unit holds is stock under its lpn ([`crate::stock`]); this table adds its kind, its
//! order, the pallet a carton is on and its status.

use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::catalog::{self, LocationRecord};
use crate::db::WriteTx;
use crate::error::{Error, Result};
use crate::stock::{PlateBucket, StockStatus};
use crate::text_enum::text_enum;
pub use dockhand_protocol::events::UnitKind;

text_enum! {
    /// Where a handling unit is in its life.
    pub enum UnitStatus {
        /// At staging: goods and cartons may go in and come out.
        Open => "open",
        /// On a truck, not yet shipped.
        Loaded => "loaded",
        /// Gone with its shipment.
        Shipped => "shipped",
    }
}

/// A tote, carton or pallet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandlingUnit {
    /// Licence plate: the SSCC of a carton or pallet, a tote's own label.
    pub lpn: String,
    /// Tote, carton or pallet.
    pub kind: UnitKind,
    /// The order it is for ("" for a pallet of several orders).
    pub order_ref: String,
    /// The pallet a carton is on ("" for none).
    pub parent: String,
    /// Location code where it is.
    pub location: String,
    /// Open, loaded or shipped.
    pub status: UnitStatus,
}

/// A unit by its plate as scanned (an SSCC label's `(00)` dropped).
pub fn unit(conn: &Connection, lpn: &str) -> Result<HandlingUnit> {
    find(conn, lpn)?.ok_or_else(|| Error::UnknownHandlingUnit { lpn: lpn.into() })
}

/// A unit, when the plate is one.
pub fn find(conn: &Connection, lpn: &str) -> Result<Option<HandlingUnit>> {
    Ok(conn
        .prepare_cached(
            "SELECT h.lpn, h.kind, h.order_ref, h.parent, l.code, h.status
             FROM handling_units h JOIN locations l ON l.id = h.location_id WHERE h.lpn = ?1",
        )?
        .query_row([lpn], |r| {
            Ok(HandlingUnit {
                lpn: r.get(0)?,
                kind: crate::text_enum::column(r, 1)?,
                order_ref: r.get(2)?,
                parent: r.get(3)?,
                location: r.get(4)?,
                status: r.get(5)?,
            })
        })
        .optional()?)
}

/// The cartons on a pallet, by plate.
pub fn children(conn: &Connection, lpn: &str) -> Result<Vec<String>> {
    Ok(conn
        // `parent <> ''` lets SQLite use the partial index of units on a pallet.
        .prepare_cached(
            "SELECT lpn FROM handling_units WHERE parent = ?1 AND parent <> '' ORDER BY lpn",
        )?
        .query_map([lpn], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// Records a new carton or pallet (or a tote at its first pick).
pub(crate) fn insert(
    tx: &WriteTx<'_>,
    lpn: &str,
    kind: UnitKind,
    order_ref: &str,
    location_id: i64,
) -> Result<()> {
    tx.conn()
        .prepare_cached(
            "INSERT INTO handling_units (lpn, kind, order_ref, location_id, staging_id, status,
                                         created_at)
             VALUES (?1, ?2, ?3, ?4, ?4, 'open', ?5)",
        )?
        .execute((
            lpn,
            kind.as_str(),
            order_ref,
            location_id,
            tx.now_utc_text(),
        ))?;
    Ok(())
}

/// Moves a unit to a location with a new status (loaded at a door, shipped).
pub(crate) fn set_place(
    tx: &WriteTx<'_>,
    lpn: &str,
    location_id: i64,
    status: UnitStatus,
) -> Result<()> {
    tx.conn()
        .prepare_cached("UPDATE handling_units SET location_id = ?2, status = ?3 WHERE lpn = ?1")?
        .execute((lpn, location_id, status))?;
    Ok(())
}

/// The units of an order (its totes, cartons and pallets; a pallet of several orders that carries
/// one of its cartons too), by plate.
pub fn units_of_order(conn: &Connection, order_ref: &str) -> Result<Vec<HandlingUnit>> {
    let lpns: Vec<String> = conn
        .prepare_cached(
            "SELECT lpn FROM handling_units WHERE order_ref = ?1
             UNION SELECT parent FROM handling_units WHERE order_ref = ?1 AND parent <> ''
             ORDER BY 1",
        )?
        .query_map([order_ref], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    lpns.iter().map(|lpn| unit(conn, lpn)).collect()
}

/// Puts a carton onto a pallet, or takes it off (`parent` "").
pub(crate) fn set_parent(tx: &WriteTx<'_>, lpn: &str, parent: &str) -> Result<()> {
    tx.conn()
        .prepare_cached("UPDATE handling_units SET parent = ?2 WHERE lpn = ?1")?
        .execute((lpn, parent))?;
    Ok(())
}

/// A pick into a tote: the first one registers the tote for the pick's order; a tote still holding
/// another order's goods is refused, an empty one is taken for the new order.
pub(crate) fn register_tote(
    tx: &WriteTx<'_>,
    tote: &str,
    order_ref: &str,
    staging: &LocationRecord,
) -> Result<()> {
    let conn = tx.conn();
    match find(conn, tote)? {
        None => insert(tx, tote, UnitKind::Tote, order_ref, staging.id),
        Some(unit) if unit.kind != UnitKind::Tote => {
            Err(super::wrong_kind(&unit, "pick into a tote, then pack"))
        }
        Some(unit) if unit.order_ref == order_ref && unit.location == staging.location.code => {
            Ok(())
        }
        // The same order, another staging place: one tote is at one place at a time.
        Some(unit)
            if unit.order_ref == order_ref && crate::stock::plate_holds_anything(conn, tote)? =>
        {
            Err(Error::WrongState {
                what: "tote".into(),
                id: tote.into(),
                state: format!("holding goods of order {order_ref} at {}", unit.location),
                action: format!(
                    "picked into at {} (pack it there, or take another tote)",
                    staging.location.code
                ),
            })
        }
        Some(unit) if crate::stock::plate_holds_anything(conn, tote)? => Err(Error::WrongOrder {
            what: format!("tote {tote}"),
            holds: unit.order_ref,
            order_ref: order_ref.into(),
            instead: "take another tote, or pack this one first",
        }),
        Some(_) => {
            conn.prepare_cached(
                "UPDATE handling_units SET order_ref = ?2, location_id = ?3, staging_id = ?3,
                     status = 'open'
                 WHERE lpn = ?1",
            )?
            .execute((tote, order_ref, staging.id))?;
            Ok(())
        }
    }
}

/// What is in a unit at its location (in transit).
pub fn contents(conn: &Connection, unit: &HandlingUnit) -> Result<Vec<PlateBucket>> {
    let at = catalog::location_by_code(conn, &unit.location)?;
    Ok(crate::stock::plate_at(conn, at.id, &unit.lpn)?
        .into_iter()
        .filter(|b| b.bucket.status == StockStatus::InTransit)
        .collect())
}

/// Base units of an item picked for `order_ref` to a staging location and still loose there: what
/// the order's picks brought there minus what is in the order's totes, cartons and pallets of that
/// place (wherever they are now) and what left in them.
pub(crate) fn loose_left_for_order(
    conn: &Connection,
    order_ref: &str,
    item_id: i64,
    staging_id: i64,
) -> Result<i64> {
    let picked = crate::picking::picked_for_order(conn, order_ref, item_id, staging_id)?;
    // Goods of the order in its units from this staging place, or gone in them with its shipment.
    let in_units = crate::stock::item_on_plates_of_order(conn, item_id, order_ref, staging_id)?
        + crate::stock::item_shipped_on_plates_of_order(conn, item_id, order_ref, staging_id)?;
    Ok(picked - in_units)
}

/// A unit's GS1 logistic label: what it holds (a pallet: its cartons' goods with its own, and how
/// many cartons), its order, and ship-from and ship-to lines as the app has them.
pub fn label(
    conn: &Connection,
    lpn: &str,
    ship_from: Vec<String>,
    ship_to: Vec<String>,
) -> Result<crate::labels::Label> {
    let unit = unit(conn, &crate::scan::plate(&Some(lpn.to_string())))?;
    if unit.kind == UnitKind::Tote {
        return Err(super::wrong_kind(
            &unit,
            "its label is its own, not an SSCC",
        ));
    }
    let cartons = children(conn, &unit.lpn)?;
    let mut buckets = contents(conn, &unit)?;
    for carton in &cartons {
        buckets.extend(contents(conn, &self::unit(conn, carton)?)?);
    }
    // One line per item and lot, in the order first packed.
    let mut lines: Vec<(i64, String, i64)> = Vec::new();
    for b in buckets {
        match lines
            .iter_mut()
            .find(|(item, lot, _)| *item == b.item_id && *lot == b.bucket.lot)
        {
            Some(line) => line.2 += b.quantity,
            None => lines.push((b.item_id, b.bucket.lot.clone(), b.quantity)),
        }
    }
    let mut content = Vec::with_capacity(lines.len());
    for (item_id, lot, quantity) in lines {
        let item = catalog::item_by_id(conn, item_id)?.item;
        content.push(crate::labels::ContentLine {
            gtin: catalog::base_gtin(conn, &item.sku)?,
            description: format!("{} {}", item.sku, item.description),
            quantity,
            best_before: crate::stock::lot_expiry(conn, item_id, &lot)?,
            lot: (!lot.is_empty()).then_some(lot),
        });
    }
    crate::labels::sscc_label(&crate::labels::SsccLabel {
        company_prefix_length: crate::sscc::company_prefix_length(conn, &unit.lpn)?,
        sscc: unit.lpn,
        ship_from,
        ship_to,
        order_ref: (!unit.order_ref.is_empty()).then_some(unit.order_ref),
        contents: content,
        cartons: (!cartons.is_empty()).then(|| u32::try_from(cartons.len()).unwrap_or(u32::MAX)),
    })
}

/// Why a pick can no longer be voided because of packing, if it cannot: its tote now holds
/// another order's goods, or its loose goods went into the order's cartons (a void would take
/// another order's goods back to the shelf).
pub(crate) fn pick_packed_since(
    conn: &Connection,
    picked: &dockhand_protocol::events::PickConfirmed,
) -> Result<Option<String>> {
    if !picked.tote.is_empty() {
        return Ok(match find(conn, &picked.tote)? {
            Some(tote) if tote.order_ref != picked.order_ref => Some(format!(
                "tote {} now holds order {}'s goods; the picked goods were packed: take them out \
                 of their carton and count the shelf instead",
                tote.lpn, tote.order_ref
            )),
            _ => None,
        });
    }
    let staging = catalog::location_by_code(conn, &picked.to)?;
    let item = catalog::item_by_sku(conn, &picked.sku)?;
    let left = loose_left_for_order(conn, &picked.order_ref, item.id, staging.id)?;
    Ok((left < picked.base_quantity).then(|| {
        format!(
            "only {} of the {} picked are still loose at {}: the rest were packed for order {}; \
             take them out of the carton first",
            left.max(0),
            picked.base_quantity,
            staging.location.code,
            picked.order_ref
        )
    }))
}

/// Loads the units the hub shares: a unit another handheld made is added, one this handheld has
/// takes the hub's order, pallet, place and status, except while an event of this handheld naming
/// it waits to be sent (this handheld's word is then newer). A unit at a location this handheld
/// does not know yet waits for the next pull.
pub(crate) fn load_shared_in(
    tx: &WriteTx<'_>,
    shared: &[dockhand_protocol::tasks::SharedUnit],
) -> Result<()> {
    let conn = tx.conn();
    for unit in shared {
        let Some(status) = UnitStatus::parse(&unit.status) else {
            continue;
        };
        let Ok(place) = catalog::location_by_code(conn, &unit.location) else {
            continue;
        };
        let named = format!("\"{}\"", unit.lpn.replace('"', ""));
        let pending: bool = conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM outbox
                 WHERE seq >= (SELECT first_pending FROM outbox_cursor) AND state = 'pending'
                   AND instr(payload, ?1) > 0)",
            )?
            .query_row([&named], |r| r.get(0))?;
        if pending {
            continue;
        }
        conn.prepare_cached(
            "INSERT INTO handling_units (lpn, kind, order_ref, parent, location_id, staging_id,
                                         status, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7)
             ON CONFLICT (lpn) DO UPDATE SET kind = ?2, order_ref = ?3, parent = ?4,
                 location_id = ?5, status = ?6",
        )?
        .execute((
            &unit.lpn,
            unit.kind.as_str(),
            &unit.order_ref,
            &unit.parent,
            place.id,
            status,
            tx.now_utc_text(),
        ))?;
    }
    Ok(())
}
