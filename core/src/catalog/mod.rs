//! Master data on the device: items, their units and barcodes, locations, operators.
//!
//! The device never edits master data through workflows; it arrives in bulk from the hub
//! ([`upsert_master_data`]) and workflows look it up by SKU, barcode, location code or operator id.
//! Every lookup is a primary-key or unique-index probe, so it stays fast at a million items.

mod upsert;

use rusqlite::{Connection, OptionalExtension, Row};

use crate::error::{Error, Result};

pub use dockhand_protocol::master::{
    AbcClass, Barcode, Item, Location, LocationKind, LocationStatus, MasterData, Operator,
    Replenishment, Role, Tracking, UnitConversion,
};
pub(crate) use upsert::upsert_in;
pub use upsert::{MasterDataCounts, upsert_master_data};

/// An item with its row id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemRecord {
    /// Row id, used as the key of stock rows.
    pub id: i64,
    /// The item.
    pub item: Item,
}

/// A location with its row id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocationRecord {
    /// Row id.
    pub id: i64,
    /// The location.
    pub location: Location,
}

/// What one scan of a barcode means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedBarcode {
    /// The item.
    pub item: ItemRecord,
    /// The scanned code.
    pub code: String,
    /// The pack unit.
    pub unit: String,
    /// Base units one scan stands for.
    pub base_quantity: i64,
}

/// `SELECT` of every item column, for `item_from_row`.
macro_rules! select_item {
    ($rest:literal) => {
        concat!(
            "SELECT id, sku, description, base_unit, tracking, min_shelf_life_days, ",
            "inspection_required, abc_class, unit_value_cents, putaway_zone FROM items ",
            $rest
        )
    };
}

fn item_from_row(row: &Row<'_>) -> rusqlite::Result<ItemRecord> {
    Ok(ItemRecord {
        id: row.get(0)?,
        item: Item {
            sku: row.get(1)?,
            description: row.get(2)?,
            base_unit: row.get(3)?,
            tracking: crate::text_enum::column(row, 4)?,
            min_shelf_life_days: row.get(5)?,
            inspection_required: row.get(6)?,
            abc_class: crate::text_enum::column(row, 7)?,
            unit_value_cents: row.get(8)?,
            putaway_zone: row.get(9)?,
        },
    })
}

/// The GTIN-14 of an item's base-unit barcode, when it has a numeric GS1 one (the longest first).
pub fn base_gtin(conn: &Connection, sku: &str) -> Result<Option<String>> {
    let codes: Vec<String> = conn
        .prepare_cached(
            "SELECT b.code FROM barcodes b JOIN items i ON i.id = b.item_id
             WHERE i.sku = ?1 AND b.unit = i.base_unit ORDER BY length(b.code) DESC, b.code",
        )?
        .query_map([sku], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(codes
        .iter()
        .find_map(|code| dockhand_protocol::gs1::gtin14(code)))
}

/// `SELECT` of every location column, for `location_from_row`.
macro_rules! select_location {
    ($rest:literal) => {
        concat!(
            "SELECT id, code, zone, kind, status, pickable, pick_sequence, check_string, max_units, \
             replenish_sku, replenish_min, replenish_max FROM locations ",
            $rest
        )
    };
}

pub(crate) fn location_from_row(row: &Row<'_>) -> rusqlite::Result<LocationRecord> {
    Ok(LocationRecord {
        id: row.get(0)?,
        location: Location {
            code: row.get(1)?,
            zone: row.get(2)?,
            kind: crate::text_enum::column(row, 3)?,
            status: crate::text_enum::column(row, 4)?,
            pickable: row.get(5)?,
            pick_sequence: row.get(6)?,
            check_string: row.get(7)?,
            max_units: row.get(8)?,
            replenish: match (row.get::<_, Option<String>>(9)?, row.get(10)?, row.get(11)?) {
                (Some(sku), Some(min_units), Some(max_units)) => Some(Replenishment {
                    sku,
                    min_units,
                    max_units,
                }),
                _ => None,
            },
        },
    })
}

/// The item with this SKU.
pub fn item_by_sku(conn: &Connection, sku: &str) -> Result<ItemRecord> {
    conn.prepare_cached(select_item!("WHERE sku = ?1"))?
        .query_row([sku], item_from_row)
        .optional()?
        .ok_or_else(|| Error::UnknownItem { sku: sku.into() })
}

/// The item with this row id.
pub fn item_by_id(conn: &Connection, id: i64) -> Result<ItemRecord> {
    conn.prepare_cached(select_item!("WHERE id = ?1"))?
        .query_row([id], item_from_row)
        .optional()?
        .ok_or_else(|| Error::UnknownItem {
            sku: format!("#{id}"),
        })
}

/// Base units in one `unit` of `item` (1 for the base unit itself).
pub fn unit_factor(conn: &Connection, item: &ItemRecord, unit: &str) -> Result<i64> {
    if unit == item.item.base_unit {
        return Ok(1);
    }
    conn.prepare_cached("SELECT factor FROM unit_conversions WHERE item_id = ?1 AND unit = ?2")?
        .query_row((item.id, unit), |r| r.get(0))
        .optional()?
        .ok_or_else(|| Error::UnknownUnit {
            sku: item.item.sku.clone(),
            unit: unit.into(),
        })
}

/// What scanning `code` means: the item and how many base units one scan stands for.
pub fn resolve_barcode(conn: &Connection, code: &str) -> Result<ResolvedBarcode> {
    let code = code.trim();
    let found: Option<(i64, String, i64)> = conn
        .prepare_cached("SELECT item_id, unit, quantity FROM barcodes WHERE code = ?1")?
        .query_row([code], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let (item_id, unit, quantity) =
        found.ok_or_else(|| Error::UnknownBarcode { code: code.into() })?;
    let item = item_by_id(conn, item_id)?;
    let factor = unit_factor(conn, &item, &unit)?;
    let base_quantity = quantity
        .checked_mul(factor)
        .ok_or_else(|| Error::QuantityTooLarge {
            sku: item.item.sku.clone(),
            quantity,
            unit: unit.clone(),
        })?;
    Ok(ResolvedBarcode {
        item,
        code: code.into(),
        unit,
        base_quantity,
    })
}

/// The location with this code.
pub fn location_by_code(conn: &Connection, code: &str) -> Result<LocationRecord> {
    let code = code.trim();
    conn.prepare_cached(select_location!("WHERE code = ?1"))?
        .query_row([code], location_from_row)
        .optional()?
        .ok_or_else(|| Error::UnknownLocation { code: code.into() })
}

/// The active location with this code, of one of `kinds`, for `action` (e.g. "receiving"):
/// the one check every workflow makes before it puts goods somewhere.
pub fn usable_location(
    conn: &Connection,
    code: &str,
    kinds: &[LocationKind],
    action: &str,
) -> Result<LocationRecord> {
    let found = location_by_code(conn, code)?;
    if found.location.status == LocationStatus::Blocked {
        return Err(Error::LocationBlocked {
            code: found.location.code,
        });
    }
    if !kinds.contains(&found.location.kind) {
        return Err(Error::WrongLocationType {
            code: found.location.code,
            actual: found.location.kind.to_string(),
            expected: kinds
                .iter()
                .map(|k| k.as_str())
                .collect::<Vec<_>>()
                .join(" or "),
            action: action.into(),
        });
    }
    Ok(found)
}

/// The location with this row id.
pub fn location_by_id(conn: &Connection, id: i64) -> Result<LocationRecord> {
    conn.prepare_cached(select_location!("WHERE id = ?1"))?
        .query_row([id], location_from_row)
        .optional()?
        .ok_or_else(|| Error::UnknownLocation {
            code: format!("#{id}"),
        })
}

/// Active locations of `kind`, in walk order (optionally only in `zone`).
pub fn active_locations(
    conn: &Connection,
    kind: LocationKind,
    zone: Option<&str>,
) -> Result<Vec<LocationRecord>> {
    let mut stmt = conn.prepare_cached(select_location!(
        "WHERE kind = ?1 AND status = 'active' AND zone = COALESCE(?2, zone)
         ORDER BY pick_sequence, code"
    ))?;
    let rows = stmt.query_map((kind.as_str(), zone), location_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The most rows a catalog page returns.
pub const MAX_PAGE: usize = 1_000;

fn check_page(limit: usize) -> Result<()> {
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(Error::invalid(
            "page size",
            format!("{limit} is outside 1 to {MAX_PAGE}"),
        ));
    }
    Ok(())
}

/// Locations by code, a page at a time: at most `limit` after location code `after`.
pub fn locations_page(conn: &Connection, after: &str, limit: usize) -> Result<Vec<Location>> {
    check_page(limit)?;
    let mut stmt =
        conn.prepare_cached(select_location!("WHERE code > ?1 ORDER BY code LIMIT ?2"))?;
    let rows = stmt.query_map((after, limit as i64), location_from_row)?;
    Ok(rows
        .map(|r| r.map(|l| l.location))
        .collect::<rusqlite::Result<_>>()?)
}

/// An item with the units it converts and the barcodes that name it: what a screen needs to show
/// what to scan.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CatalogItem {
    /// The item.
    pub item: Item,
    /// Its unit conversions (the base unit is 1).
    pub units: Vec<UnitConversion>,
    /// Its barcodes.
    pub barcodes: Vec<Barcode>,
}

/// Items by SKU with their units and barcodes, a page at a time: at most `limit` after SKU
/// `after`.
pub fn items_page(conn: &Connection, after: &str, limit: usize) -> Result<Vec<CatalogItem>> {
    check_page(limit)?;
    let mut stmt = conn.prepare_cached(select_item!("WHERE sku > ?1 ORDER BY sku LIMIT ?2"))?;
    let items = stmt
        .query_map((after, limit as i64), item_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut units = conn.prepare_cached(
        "SELECT unit, factor FROM unit_conversions WHERE item_id = ?1 ORDER BY factor, unit",
    )?;
    let mut codes = conn.prepare_cached(
        "SELECT code, unit, quantity FROM barcodes WHERE item_id = ?1 ORDER BY code",
    )?;
    let mut page = Vec::with_capacity(items.len());
    for record in items {
        let sku = record.item.sku.clone();
        let units = units
            .query_map([record.id], |r| {
                Ok(UnitConversion {
                    sku: sku.clone(),
                    unit: r.get(0)?,
                    factor: r.get(1)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let barcodes = codes
            .query_map([record.id], |r| {
                Ok(Barcode {
                    code: r.get(0)?,
                    sku: sku.clone(),
                    unit: r.get(1)?,
                    quantity: r.get(2)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        page.push(CatalogItem {
            item: record.item,
            units,
            barcodes,
        });
    }
    Ok(page)
}

/// The operator with this id, active or not.
pub fn operator_any_state(conn: &Connection, id: &str) -> Result<Operator> {
    conn.prepare_cached("SELECT id, name, role, active FROM operators WHERE id = ?1")?
        .query_row([id], |r| {
            Ok(Operator {
                id: r.get(0)?,
                name: r.get(1)?,
                role: crate::text_enum::column(r, 2)?,
                active: r.get(3)?,
            })
        })
        .optional()?
        .ok_or_else(|| Error::UnknownOperator { id: id.into() })
}

/// The active operator with this id.
pub fn operator(conn: &Connection, id: &str) -> Result<Operator> {
    let op = operator_any_state(conn, id)?;
    if !op.active {
        return Err(Error::OperatorInactive { id: id.into() });
    }
    Ok(op)
}

/// The active supervisor with this id.
pub fn supervisor(conn: &Connection, id: &str) -> Result<Operator> {
    let op = operator(conn, id)?;
    if op.role != Role::Supervisor {
        return Err(Error::NotASupervisor { id: id.into() });
    }
    Ok(op)
}

/// Counts of master data rows (for `inspect` and the demo).
pub fn counts(conn: &Connection) -> Result<MasterDataCounts> {
    let count = |table: &str| -> Result<usize> {
        Ok(
            conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| {
                r.get::<_, i64>(0)
            })? as usize,
        )
    };
    Ok(MasterDataCounts {
        items: count("items")?,
        units: count("unit_conversions")?,
        barcodes: count("barcodes")?,
        locations: count("locations")?,
        operators: count("operators")?,
    })
}

/// Proof of presence: `scan` (what the scanner read at the location) is the check string on the
/// location's label. Nothing else proves that someone stands there, so an empty scan is refused
/// as such.
pub fn check_presence(location: &LocationRecord, scan: &str) -> Result<()> {
    let scanned = scan.trim();
    if scanned.is_empty() {
        return Err(Error::LocationNotScanned {
            location: location.location.code.clone(),
        });
    }
    if !scanned.eq_ignore_ascii_case(&location.location.check_string) {
        return Err(Error::WrongCheckString {
            location: location.location.code.clone(),
            scanned: dockhand_protocol::error::prefix(scanned, 24),
        });
    }
    Ok(())
}
