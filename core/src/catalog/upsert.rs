//! Bulk upsert of master data, as the hub's changes feed delivers it.
//!
//! One call is one transaction: a page of master data is applied whole or not at all, and a bad
//! record names itself (SKU, code) so the hub's operators can fix it at the source.

use serde::{Deserialize, Serialize};

use rusqlite::{Connection, OptionalExtension};

use super::{Barcode, Item, Location, MasterData, Operator, Tracking, UnitConversion, item_by_sku};
use crate::db::{Store, WriteTx};
use crate::error::{Error, Result};

/// How many rows of each kind were written (or exist, from `catalog::counts`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MasterDataCounts {
    /// Items.
    pub items: usize,
    /// Unit conversions.
    pub units: usize,
    /// Barcodes.
    pub barcodes: usize,
    /// Locations.
    pub locations: usize,
    /// Operators.
    pub operators: usize,
}

fn require_text(field: &str, owner: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() || value.trim() != value {
        return Err(Error::invalid(
            field,
            format!("{owner}: {value:?} must be non-empty without surrounding spaces"),
        ));
    }
    Ok(())
}

/// Base units of an item in stock or still expected on open receipts.
fn item_in_use(conn: &Connection, item_id: i64) -> Result<i64> {
    Ok(crate::stock::item_quantity(conn, item_id)?
        .saturating_add(crate::receiving::expected_on_open_receipts(conn, item_id)?))
}

/// Id, tracking and base unit of an item: what upserts check, without reading the whole row
/// (a master-data pull checks a million of them).
fn item_key(conn: &Connection, sku: &str) -> Result<Option<(i64, Tracking, String)>> {
    Ok(conn
        .prepare_cached("SELECT id, tracking, base_unit FROM items WHERE sku = ?1")?
        .query_row([sku], |r| {
            Ok((r.get(0)?, crate::text_enum::column(r, 1)?, r.get(2)?))
        })
        .optional()?)
}

/// A change stock on the device depends on: what changes, and the sentence that says so.
struct Stranding {
    what: &'static str,
    message: String,
}

/// Changing how an item is counted or told apart would re-interpret stock already on the device
/// (12 EA read as 12 CS, lot C-1 no longer findable): such a change, with the item as it is.
fn stranding_item_change(conn: &Connection, item: &Item) -> Result<Option<(Stranding, Item)>> {
    let Some((id, tracking, base_unit)) = item_key(conn, &item.sku)? else {
        return Ok(None);
    };
    if tracking == item.tracking && base_unit == item.base_unit {
        return Ok(None);
    }
    let Ok(current) = item_by_sku(conn, &item.sku) else {
        return Ok(None);
    };
    debug_assert_eq!(current.id, id);
    let changes = [
        (
            "tracking",
            current.item.tracking.to_string(),
            item.tracking.to_string(),
        ),
        (
            "base unit",
            current.item.base_unit.clone(),
            item.base_unit.clone(),
        ),
    ];
    for (what, from, to) in changes {
        if from != to {
            let in_use = item_in_use(conn, current.id)?;
            if in_use > 0 {
                let message = format!(
                    "item {}: cannot change from {from} to {to} while {in_use} {} are in stock or expected",
                    item.sku, current.item.base_unit
                );
                return Ok(Some((Stranding { what, message }, current.item)));
            }
        }
    }
    Ok(None)
}

/// A location holding stock keeps its kind: a dock turned storage would strand what is on it.
fn stranding_location_change(
    conn: &Connection,
    loc: &Location,
) -> Result<Option<(Stranding, Location)>> {
    let Ok(current) = super::location_by_code(conn, &loc.code) else {
        return Ok(None);
    };
    if current.location.kind != loc.kind {
        let held = crate::stock::location_quantity(conn, current.id)?;
        if held > 0 {
            let message = format!(
                "location {}: cannot change from {} to {} while it holds {held} units",
                loc.code, current.location.kind, loc.kind
            );
            return Ok(Some((
                Stranding {
                    what: "location kind",
                    message,
                },
                current.location,
            )));
        }
    }
    Ok(None)
}

/// Refuses a change stock on the device depends on (`kept` is `None`: a person's import, who can
/// fix the data), or keeps the device's setting and describes it (`Some`: a page pulled from the
/// hub, where the rest of the row and of the page must apply so the sync never stalls on one row).
fn refuse_or_keep(stranding: Stranding, kept: &mut Option<&mut Vec<String>>) -> Result<()> {
    match kept {
        None => Err(Error::invalid(stranding.what, stranding.message)),
        Some(kept) => {
            kept.push(format!(
                "{}; kept as it is on this device",
                stranding.message
            ));
            Ok(())
        }
    }
}

/// Inserts or updates every record of `data` in one transaction.
pub fn upsert_master_data(store: &Store, data: &MasterData) -> Result<MasterDataCounts> {
    store.write(|tx| upsert_in(tx, data, None))
}

/// [`upsert_master_data`] inside a write; with `kept`, an item's tracking or base unit while it is
/// in stock or expected, and a location's kind while it holds stock, stay as they are and are
/// listed there instead of refusing the page.
pub(crate) fn upsert_in(
    tx: &WriteTx<'_>,
    data: &MasterData,
    mut kept: Option<&mut Vec<String>>,
) -> Result<MasterDataCounts> {
    let conn = tx.conn();
    upsert_items(conn, &data.items, &mut kept)?;
    upsert_units(conn, &data.units)?;
    upsert_barcodes(conn, &data.barcodes)?;
    upsert_locations(conn, &data.locations, &mut kept)?;
    upsert_operators(conn, &data.operators)?;
    crate::credentials::upsert_in(tx, &data.credentials)?;
    Ok(MasterDataCounts {
        items: data.items.len(),
        units: data.units.len(),
        barcodes: data.barcodes.len(),
        locations: data.locations.len(),
        operators: data.operators.len(),
    })
}

/// Items; a change that would strand stock or open receipts is refused, or kept as it is when
/// `kept` collects such changes.
fn upsert_items(
    conn: &Connection,
    items: &[Item],
    kept: &mut Option<&mut Vec<String>>,
) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO items (sku, description, base_unit, tracking, min_shelf_life_days,
                            inspection_required, abc_class, unit_value_cents, putaway_zone)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (sku) DO UPDATE SET
            description = excluded.description, base_unit = excluded.base_unit,
            tracking = excluded.tracking, min_shelf_life_days = excluded.min_shelf_life_days,
            inspection_required = excluded.inspection_required, abc_class = excluded.abc_class,
            unit_value_cents = excluded.unit_value_cents, putaway_zone = excluded.putaway_zone",
    )?;
    for item in items {
        require_text("sku", "item", &item.sku)?;
        let as_it_is;
        let item = match stranding_item_change(conn, item)? {
            None => item,
            Some((stranding, current)) => {
                refuse_or_keep(stranding, kept)?;
                as_it_is = Item {
                    tracking: current.tracking,
                    base_unit: current.base_unit,
                    min_shelf_life_days: current.min_shelf_life_days,
                    ..item.clone()
                };
                &as_it_is
            }
        };
        if item.min_shelf_life_days > 0 && item.tracking != Tracking::LotExpiry {
            return Err(Error::invalid(
                "minimum shelf life",
                format!(
                    "item {}: {} days set, but the item is tracked by {} and has no expiry to check",
                    item.sku, item.min_shelf_life_days, item.tracking
                ),
            ));
        }
        if item.base_unit.trim().is_empty() || item.base_unit.trim() != item.base_unit {
            require_text("base unit", &format!("item {}", item.sku), &item.base_unit)?;
        }
        if item.unit_value_cents < 0 {
            return Err(Error::invalid(
                "unit value",
                format!(
                    "item {}: {} cents is negative",
                    item.sku, item.unit_value_cents
                ),
            ));
        }
        stmt.execute((
            &item.sku,
            &item.description,
            &item.base_unit,
            item.tracking.as_str(),
            item.min_shelf_life_days,
            item.inspection_required,
            item.abc_class.as_str(),
            item.unit_value_cents,
            &item.putaway_zone,
        ))?;
    }
    Ok(())
}

/// Unit conversions: at least 1, exactly 1 for the base unit.
fn upsert_units(conn: &Connection, units: &[UnitConversion]) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO unit_conversions (item_id, unit, factor) VALUES (?1, ?2, ?3)
         ON CONFLICT (item_id, unit) DO UPDATE SET factor = excluded.factor",
    )?;
    for unit in units {
        let item = item_by_sku(conn, &unit.sku)?;
        require_text("unit", &format!("item {}", unit.sku), &unit.unit)?;
        if unit.factor < 1 || (unit.unit == item.item.base_unit && unit.factor != 1) {
            return Err(Error::invalid(
                "unit factor",
                format!(
                    "item {} unit {}: factor {} (must be at least 1, and exactly 1 for the base unit)",
                    unit.sku, unit.unit, unit.factor
                ),
            ));
        }
        stmt.execute((item.id, &unit.unit, unit.factor))?;
    }
    Ok(())
}

/// Barcodes: of a known item, in a unit it converts.
fn upsert_barcodes(conn: &Connection, barcodes: &[Barcode]) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO barcodes (code, item_id, unit, quantity) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (code) DO UPDATE SET
            item_id = excluded.item_id, unit = excluded.unit, quantity = excluded.quantity",
    )?;
    for barcode in barcodes {
        // Checked before formatting the owner, which a million good barcodes would pay for.
        if barcode.code.trim().is_empty() || barcode.code.trim() != barcode.code {
            require_text("barcode", &format!("item {}", barcode.sku), &barcode.code)?;
        }
        let (item_id, _, base_unit) =
            item_key(conn, &barcode.sku)?.ok_or_else(|| Error::UnknownItem {
                sku: barcode.sku.clone(),
            })?;
        // The unit must convert, or every scan of this code would fail at the dock.
        if barcode.unit != base_unit {
            super::unit_factor(conn, &item_by_sku(conn, &barcode.sku)?, &barcode.unit)?;
        }
        if barcode.quantity < 1 {
            return Err(Error::invalid(
                "barcode quantity",
                format!(
                    "barcode {}: {} (must be at least 1)",
                    barcode.code, barcode.quantity
                ),
            ));
        }
        stmt.execute((&barcode.code, item_id, &barcode.unit, barcode.quantity))?;
    }
    Ok(())
}

/// Locations; a change of kind under stock is refused, or kept as it is.
fn upsert_locations(
    conn: &Connection,
    locations: &[Location],
    kept: &mut Option<&mut Vec<String>>,
) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO locations (code, zone, kind, status, pickable, pick_sequence, check_string,
                                max_units, replenish_sku, replenish_min, replenish_max)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT (code) DO UPDATE SET
            zone = excluded.zone, kind = excluded.kind, status = excluded.status,
            pickable = excluded.pickable, pick_sequence = excluded.pick_sequence,
            check_string = excluded.check_string, max_units = excluded.max_units,
            replenish_sku = excluded.replenish_sku, replenish_min = excluded.replenish_min,
            replenish_max = excluded.replenish_max",
    )?;
    for loc in locations {
        require_text("location code", "location", &loc.code)?;
        let as_it_is;
        let loc = match stranding_location_change(conn, loc)? {
            None => loc,
            Some((stranding, current)) => {
                refuse_or_keep(stranding, kept)?;
                as_it_is = Location {
                    kind: current.kind,
                    ..loc.clone()
                };
                &as_it_is
            }
        };
        require_text(
            "check string",
            &format!("location {}", loc.code),
            &loc.check_string,
        )?;
        loc.check_limits()?;
        stmt.execute((
            &loc.code,
            &loc.zone,
            loc.kind.as_str(),
            loc.status.as_str(),
            loc.pickable,
            loc.pick_sequence,
            &loc.check_string,
            loc.max_units,
            loc.replenish.as_ref().map(|r| r.sku.trim()),
            loc.replenish.as_ref().map(|r| r.min_units),
            loc.replenish.as_ref().map(|r| r.max_units),
        ))?;
    }
    Ok(())
}

/// Operators.
fn upsert_operators(conn: &Connection, operators: &[Operator]) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO operators (id, name, role, active) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (id) DO UPDATE SET
            name = excluded.name, role = excluded.role, active = excluded.active",
    )?;
    for op in operators {
        require_text("operator id", "operator", &op.id)?;
        stmt.execute((&op.id, &op.name, op.role.as_str(), op.active))?;
    }
    Ok(())
}
