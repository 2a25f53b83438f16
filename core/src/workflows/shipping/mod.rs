//! Loading and shipping: packed cartons and pallets go onto the truck at a dock door, scanned one
//! by one (the door's label first, as proof of presence), and the order's shipment closes with
//! what was loaded: the goods leave inventory (a `shipped` movement out of the door).
//!
//! A unit of another order is refused at the door; a carton on a pallet goes with its pallet; a
//! shipment closed while goods of its order still wait at staging (packed, in a tote, or loose) is
//! refused as short-loaded, naming what is left.

use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::catalog::{self, LocationKind, LocationRecord};
use crate::db::{Store, WriteTx};
use crate::error::{Error, Result};
use crate::outbox;
use crate::packing::{self, HandlingUnit, UnitKind, UnitStatus};
use crate::stock::{self, PlateBucket};
use dockhand_protocol::events::{self as ev, MovedLine};

/// Load a carton or pallet onto the truck at a dock door.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoadUnit {
    /// Client operation id.
    pub op_id: Uuid,
    /// Who loads.
    pub operator: String,
    /// The order being shipped.
    pub order_ref: String,
    /// The dock door (a shipping location).
    pub door: String,
    /// What the scanner read on the door's label (its check string).
    pub door_scan: String,
    /// The carton or pallet, its SSCC label as scanned.
    pub lpn: String,
}

/// Close an order's shipment with what was loaded at the door.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipOrder {
    /// Client operation id.
    pub op_id: Uuid,
    /// Who closes it.
    pub operator: String,
    /// The order.
    pub order_ref: String,
    /// The dock door.
    pub door: String,
    /// What the scanner read on the door's label.
    pub door_scan: String,
}

/// What a load did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoadDone {
    /// The unit loaded, now at the door.
    pub unit: HandlingUnit,
    /// The cartons on it.
    pub cartons: Vec<String>,
    /// What it holds.
    pub lines: Vec<MovedLine>,
    /// The event recorded.
    pub event_id: Uuid,
}

/// What a shipment took out of inventory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentDone {
    /// The order.
    pub order_ref: String,
    /// The door.
    pub door: String,
    /// The units that left.
    pub units: Vec<String>,
    /// What left.
    pub lines: Vec<MovedLine>,
    /// Base units, all lines together.
    pub base_quantity: i64,
    /// Whether it left by the order's ship-by time (`None`: the order had none).
    pub on_time: Option<bool>,
    /// The event recorded.
    pub event_id: Uuid,
}

/// Loads a carton or pallet of the order at the door: it and what it holds move to the door.
pub fn load_unit(store: &Store, cmd: &LoadUnit) -> Result<LoadDone> {
    store.command("shipping.load", cmd.op_id, &cmd.operator, cmd, |tx| {
        let conn = tx.conn();
        catalog::operator(conn, &cmd.operator)?;
        let door = door(conn, &cmd.door, &cmd.door_scan, "loading a truck")?;
        let order_ref = known_order(conn, &cmd.order_ref)?;
        let unit = packing::open_unit(conn, &cmd.lpn, "loaded")?;
        match unit.kind {
            UnitKind::Tote => {
                return Err(packing::wrong_kind(
                    &unit,
                    "pack its goods into a carton, then load the carton",
                ));
            }
            _ if !unit.parent.is_empty() => {
                return Err(Error::CartonOnPallet {
                    carton: unit.lpn,
                    pallet: unit.parent,
                    fix: "load the pallet",
                });
            }
            UnitKind::Carton | UnitKind::Pallet => {}
        }
        let cartons = packing::children(conn, &unit.lpn)?;
        check_order(conn, &unit, &cartons, &order_ref)?;
        let mut held = Vec::new();
        for lpn in std::iter::once(&unit.lpn).chain(&cartons) {
            held.push((
                lpn.clone(),
                packing::contents(conn, &packing::unit(conn, lpn)?)?,
            ));
        }
        if held.iter().all(|(_, buckets)| buckets.is_empty()) {
            return Err(packing::empty(&unit, "there is nothing to load"));
        }
        let mut lines = Vec::new();
        for (lpn, buckets) in &held {
            for b in buckets {
                move_to(tx, b, Some(door.id))?;
                let item = catalog::item_by_id(tx.conn(), b.item_id)?;
                lines.push(crate::moves::moved_line(item.item, b));
            }
            packing::set_place(tx, lpn, door.id, UnitStatus::Loaded)?;
        }
        let event = outbox::append(
            tx,
            ev::Loaded {
                order_ref,
                door: door.location.code.clone(),
                lpn: unit.lpn.clone(),
                unit_kind: unit.kind,
                children: cartons.clone(),
                lines: lines.clone(),
                movements: Vec::new(),
            },
        )?;
        Ok(LoadDone {
            unit: packing::unit(tx.conn(), &unit.lpn)?,
            cartons,
            lines,
            event_id: event.event_id,
        })
    })
}

/// Closes the order's shipment: everything loaded for it at the door leaves inventory. Refused
/// while goods of the order still wait at staging.
pub fn ship_order(store: &Store, cmd: &ShipOrder) -> Result<ShipmentDone> {
    store.command("shipping.ship", cmd.op_id, &cmd.operator, cmd, |tx| {
        let conn = tx.conn();
        catalog::operator(conn, &cmd.operator)?;
        let door = door(conn, &cmd.door, &cmd.door_scan, "closing a shipment")?;
        let order_ref = known_order(conn, &cmd.order_ref)?;
        let units = packing::units_of_order(conn, &order_ref)?;
        check_all_loaded(conn, &order_ref, &units)?;
        let loaded: Vec<&HandlingUnit> = units
            .iter()
            .filter(|u| u.status == UnitStatus::Loaded && u.location == door.location.code)
            .collect();
        if loaded.is_empty() {
            return Err(Error::NothingLoaded {
                order_ref,
                door: door.location.code,
            });
        }
        let mut lines: Vec<MovedLine> = Vec::new();
        let mut gone = Vec::new();
        // Pallets first, then the cartons on them and alone.
        let mut order: Vec<&HandlingUnit> = loaded.clone();
        order.sort_by_key(|u| (u.kind != UnitKind::Pallet, u.lpn.clone()));
        let (shared, own): (Vec<&HandlingUnit>, Vec<&HandlingUnit>) = order
            .into_iter()
            .partition(|u| u.kind == UnitKind::Pallet && u.order_ref.is_empty());
        for unit in own {
            for b in packing::contents(tx.conn(), unit)? {
                move_to(tx, &b, None)?;
                let item = catalog::item_by_id(tx.conn(), b.item_id)?;
                add_line(&mut lines, crate::moves::moved_line(item.item, &b));
            }
            packing::set_place(tx, &unit.lpn, door.id, UnitStatus::Shipped)?;
            gone.push(unit.lpn.clone());
        }
        // A pallet of several orders leaves with the last of them: its other cartons stay loaded
        // for their own orders' shipments.
        for pallet in shared.into_iter().rev() {
            let mut aboard = Vec::new();
            for carton in packing::children(tx.conn(), &pallet.lpn)? {
                aboard.push(packing::unit(tx.conn(), &carton)?.status);
            }
            if aboard.iter().all(|s| *s == UnitStatus::Shipped) {
                packing::set_place(tx, &pallet.lpn, door.id, UnitStatus::Shipped)?;
                gone.insert(0, pallet.lpn.clone());
            }
        }
        let base_quantity = lines.iter().map(|l| l.base_quantity).sum();
        let (ship_by, repacked) = (
            ship_by(tx.conn(), &order_ref)?,
            repacked(tx.conn(), &order_ref)?,
        );
        let shipped = ev::Shipped {
            order_ref: order_ref.clone(),
            door: door.location.code.clone(),
            units: gone.clone(),
            lines: lines.clone(),
            ship_by,
            repacked,
            movements: Vec::new(),
        };
        let on_time = shipped.on_time(tx.now_utc_text());
        let event = outbox::append(tx, shipped)?;
        Ok(ShipmentDone {
            order_ref,
            door: door.location.code,
            units: gone,
            lines,
            base_quantity,
            on_time,
            event_id: event.event_id,
        })
    })
}

/// When the order had to leave: the earliest ship-by time of its pick tasks still standing.
fn ship_by(conn: &Connection, order_ref: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached(
            "SELECT MIN(ship_by) FROM pick_tasks WHERE order_ref = ?1 AND status <> 'cancelled'",
        )?
        .query_row([order_ref], |r| r.get(0))?)
}

/// Base units taken out of the order's cartons again (unpacked with reason `removed`, not voided).
fn repacked(conn: &Connection, order_ref: &str) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "SELECT COALESCE(SUM(json_extract(l.value, '$.base_quantity')), 0)
             FROM outbox o, json_each(o.payload, '$.lines') l
             WHERE o.event_type = ?1
               AND json_extract(o.payload, '$.order_ref') = ?2
               AND json_extract(o.payload, '$.reason') = 'removed'
               AND o.op_id NOT IN (SELECT voided_op_id FROM voids)",
        )?
        .query_row((ev::EventKind::Unpacked.as_str(), order_ref), |r| r.get(0))?)
}

/// A dock door whose label was scanned.
fn door(conn: &Connection, code: &str, scan: &str, action: &str) -> Result<LocationRecord> {
    let door = catalog::location_by_code(conn, code)?;
    if door.location.kind != LocationKind::Shipping {
        return Err(Error::WrongLocationType {
            code: door.location.code,
            actual: door.location.kind.to_string(),
            expected: "shipping".into(),
            action: action.into(),
        });
    }
    catalog::check_presence(&door, scan)?;
    Ok(door)
}

fn known_order(conn: &Connection, order_ref: &str) -> Result<String> {
    let order_ref = order_ref.trim();
    if order_ref.is_empty() {
        return Err(Error::invalid(
            "order_ref",
            "is empty: scan or choose the order",
        ));
    }
    if !packing::order_known(conn, order_ref)? {
        return Err(Error::UnknownOrder {
            order_ref: order_ref.into(),
        });
    }
    Ok(order_ref.into())
}

/// A unit goes on its own order's truck; a pallet of several orders (a multi-stop truck) goes
/// whole with the first of its orders loaded, when it carries a carton of that order.
fn check_order(
    conn: &Connection,
    unit: &HandlingUnit,
    cartons: &[String],
    order_ref: &str,
) -> Result<()> {
    let wrong = |lpn: &str, holds: &str| Error::WrongOrder {
        what: format!(
            "{} {lpn}",
            if lpn == unit.lpn {
                unit.kind
            } else {
                UnitKind::Carton
            }
        ),
        holds: holds.into(),
        order_ref: order_ref.into(),
        instead: "load it for its own order",
    };
    if !unit.order_ref.is_empty() {
        return if unit.order_ref == order_ref {
            Ok(())
        } else {
            Err(wrong(&unit.lpn, &unit.order_ref))
        };
    }
    for carton in cartons {
        if packing::unit(conn, carton)?.order_ref == order_ref {
            return Ok(());
        }
    }
    Err(Error::WrongOrder {
        what: format!("pallet {}", unit.lpn),
        holds: String::new(),
        order_ref: order_ref.into(),
        instead: "load it for one of the orders of its cartons",
    })
}

/// Nothing of the order may stay behind: no packed unit at staging, no tote holding its goods, no
/// picked goods loose and unpacked.
fn check_all_loaded(conn: &Connection, order_ref: &str, units: &[HandlingUnit]) -> Result<()> {
    let mut left = Vec::new();
    for unit in units.iter().filter(|u| u.status == UnitStatus::Open) {
        let held: i64 = packing::contents(conn, unit)?
            .iter()
            .map(|b| b.quantity)
            .sum();
        let cartons = packing::children(conn, &unit.lpn)?;
        if held > 0 || (!cartons.is_empty() && unit.kind == UnitKind::Pallet) {
            left.push(format!(
                "{} {} is at {}",
                unit.kind, unit.lpn, unit.location
            ));
        }
    }
    for (sku, item_id, staging_id, staging) in
        crate::picking::picked_items_of_order(conn, order_ref)?
    {
        let loose = packing::loose_left_for_order(conn, order_ref, item_id, staging_id)?;
        if loose > 0 {
            left.push(format!("{loose} of {sku} are loose at {staging}"));
        }
    }
    if left.is_empty() {
        Ok(())
    } else {
        Err(Error::ShortLoaded {
            order_ref: order_ref.into(),
            left: left.join(", "),
        })
    }
}

fn add_line(lines: &mut Vec<MovedLine>, line: MovedLine) {
    match lines
        .iter_mut()
        .find(|l| l.sku == line.sku && l.lot == line.lot && l.serial == line.serial)
    {
        Some(same) => same.base_quantity += line.base_quantity,
        None => lines.push(line),
    }
}

/// Moves a bucket to the door (same plate), or out of inventory (`None`: shipped).
fn move_to(tx: &WriteTx<'_>, from: &PlateBucket, door_id: Option<i64>) -> Result<()> {
    let to = door_id.map(|location_id| stock::Bucket {
        location_id,
        ..from.bucket.clone()
    });
    let reason = if door_id.is_some() { "load" } else { "shipped" };
    stock::apply(tx, &from.moved_to(to, reason))?;
    Ok(())
}
