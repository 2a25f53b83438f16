//! Packing at staging: picked goods go into cartons, cartons onto pallets, each carton and pallet
//! a licence plate with an SSCC minted on the handheld ([`crate::sscc`]).
//!
//! A carton is built for one order; a pallet for one order or, with none given, for several. Goods
//! are packed from a tote (which the first pick into it tied to its order) or loose from staging
//! (as much as the order's picks brought there and no unit of the order holds yet); goods of
//! another order are refused with a sentence. A carton goes onto a pallet, comes off it, goods
//! come out again, a unit is broken up or consolidated into another of the same order, all as
//! events (`packing.built`, `packing.packed`, `packing.unpacked`). Packed goods stay `in_transit`
//! at staging under the unit's plate: stock never leaves the location by packing.

mod units;

use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::catalog::{self, LocationKind, LocationRecord};
use crate::db::{Store, WriteTx};
use crate::error::{Error, Result};
use crate::outbox;
use crate::scan::{self, IdentifiedGoods, ScannedGoods};
use crate::stock::{self, PlateBucket, StockStatus};
use dockhand_protocol::events::{self as ev, MovedLine, UnpackReason};
pub use units::{
    HandlingUnit, UnitKind, UnitStatus, children, contents, find, label, unit, units_of_order,
};
pub(crate) use units::{
    load_shared_in, loose_left_for_order, pick_packed_since, register_tote, set_place,
};

/// Build a carton or pallet at staging: an SSCC is minted for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuildUnit {
    /// Client operation id.
    pub op_id: Uuid,
    /// Who packs.
    pub operator: String,
    /// Carton or pallet.
    pub kind: UnitKind,
    /// The order it is for (required for a carton; none for a pallet of several orders).
    #[serde(default)]
    pub order_ref: Option<String>,
    /// Staging location code where it is built.
    pub location: String,
}

/// Pack picked goods into a carton or pallet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackGoods {
    /// Client operation id.
    pub op_id: Uuid,
    /// Who packs.
    pub operator: String,
    /// The carton or pallet, its SSCC label as scanned.
    pub lpn: String,
    /// The tote the goods come out of (none: loose goods at staging).
    #[serde(default)]
    pub from_tote: Option<String>,
    /// Scan of the goods.
    pub scan: ScannedGoods,
    /// How many of the scanned pack.
    pub quantity: i64,
}

/// Put a carton onto a pallet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NestUnit {
    /// Client operation id.
    pub op_id: Uuid,
    /// Who packs.
    pub operator: String,
    /// The carton, as scanned.
    pub carton: String,
    /// The pallet, as scanned.
    pub pallet: String,
}

/// Take goods out of a unit (loose at staging), or break it up (`scan` none: every good out, every
/// carton off a pallet).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnpackUnit {
    /// Client operation id.
    pub op_id: Uuid,
    /// Who packs.
    pub operator: String,
    /// The unit, as scanned.
    pub lpn: String,
    /// The goods taken out; none breaks the unit up.
    #[serde(default)]
    pub scan: Option<ScannedGoods>,
    /// How many of the scanned pack (ignored when breaking up).
    #[serde(default)]
    pub quantity: i64,
}

/// Move everything in one unit into another of the same order and kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consolidate {
    /// Client operation id.
    pub op_id: Uuid,
    /// Who packs.
    pub operator: String,
    /// The unit emptied, as scanned.
    pub from: String,
    /// The unit that takes it all, as scanned.
    pub into: String,
}

/// What a packing command did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackingDone {
    /// The unit built, packed, unpacked or consolidated into.
    pub unit: HandlingUnit,
    /// The goods that went in or came out.
    pub lines: Vec<MovedLine>,
    /// Cartons put on or taken off.
    pub cartons: Vec<String>,
    /// The events recorded.
    pub event_ids: Vec<Uuid>,
}

/// Builds a carton or pallet at a staging location and mints its SSCC.
pub fn build_unit(store: &Store, cmd: &BuildUnit) -> Result<PackingDone> {
    store.command("packing.build", cmd.op_id, &cmd.operator, cmd, |tx| {
        let conn = tx.conn();
        catalog::operator(conn, &cmd.operator)?;
        let at = staging(conn, &cmd.location, "building a carton or pallet")?;
        let order_ref = scan::optional_text(&cmd.order_ref).unwrap_or_default();
        match cmd.kind {
            UnitKind::Tote => {
                return Err(Error::invalid(
                    "kind",
                    "a tote is not built: it is registered by the first pick into it",
                ));
            }
            UnitKind::Carton if order_ref.is_empty() => {
                return Err(Error::invalid(
                    "order_ref",
                    "a carton is packed for one order: give the order",
                ));
            }
            UnitKind::Carton | UnitKind::Pallet => {}
        }
        if !order_ref.is_empty() && !order_known(conn, &order_ref)? {
            return Err(Error::UnknownOrder { order_ref });
        }
        let lpn = crate::sscc::mint_in(tx)?;
        units::insert(tx, &lpn, cmd.kind, &order_ref, at.id)?;
        let event = outbox::append(
            tx,
            ev::UnitBuilt {
                lpn: lpn.clone(),
                unit_kind: cmd.kind,
                order_ref,
                location: at.location.code,
            },
        )?;
        Ok(PackingDone {
            unit: unit(tx.conn(), &lpn)?,
            lines: Vec::new(),
            cartons: Vec::new(),
            event_ids: vec![event.event_id],
        })
    })
}

/// Packs picked goods into a carton or pallet: from a tote of the same order, or loose goods the
/// order's picks brought to staging.
pub fn pack_goods(store: &Store, cmd: &PackGoods) -> Result<PackingDone> {
    store.command("packing.pack", cmd.op_id, &cmd.operator, cmd, |tx| {
        let conn = tx.conn();
        catalog::operator(conn, &cmd.operator)?;
        let target = open_unit(conn, &cmd.lpn, "packed")?;
        if target.kind == UnitKind::Tote {
            return Err(wrong_kind(&target, "pack into a carton or pallet"));
        }
        if target.order_ref.is_empty() {
            return Err(Error::WrongUnitKind {
                lpn: target.lpn,
                kind: "pallet of several orders".into(),
                fix: "pack the goods into a carton of their order".into(),
            });
        }
        let at = catalog::location_by_code(conn, &target.location)?;
        let goods = scan::identify(conn, &cmd.scan, false)?;
        let quantity = goods.base_quantity(cmd.quantity)?;
        let from_tote = scan::plate(&cmd.from_tote);
        if from_tote.is_empty() {
            check_loose_for_order(conn, &target, &goods, at.id, quantity)?;
        } else {
            let tote = unit(conn, &from_tote)?;
            if tote.kind != UnitKind::Tote {
                return Err(wrong_kind(
                    &tote,
                    "to empty one unit into another, consolidate them",
                ));
            }
            if !target.order_ref.is_empty() && tote.order_ref != target.order_ref {
                return Err(Error::WrongOrder {
                    what: format!("tote {}", tote.lpn),
                    holds: tote.order_ref,
                    order_ref: target.order_ref,
                    instead: "pack it into a unit of its own order",
                });
            }
        }
        let line = move_goods(tx, &goods, &at, &from_tote, &target.lpn, quantity)?;
        let event = outbox::append(tx, packed(&target, &from_tote, vec![line.clone()], vec![]))?;
        Ok(PackingDone {
            unit: target,
            lines: vec![line],
            cartons: Vec::new(),
            event_ids: vec![event.event_id],
        })
    })
}

/// Puts a carton onto a pallet at the same staging location.
pub fn nest_unit(store: &Store, cmd: &NestUnit) -> Result<PackingDone> {
    store.command("packing.nest", cmd.op_id, &cmd.operator, cmd, |tx| {
        let conn = tx.conn();
        catalog::operator(conn, &cmd.operator)?;
        let carton = open_unit(conn, &cmd.carton, "put onto a pallet")?;
        let pallet = open_unit(conn, &cmd.pallet, "loaded with cartons")?;
        if carton.kind != UnitKind::Carton {
            return Err(wrong_kind(&carton, "only a carton goes onto a pallet"));
        }
        if pallet.kind != UnitKind::Pallet {
            return Err(wrong_kind(&pallet, "a carton goes onto a pallet"));
        }
        if !carton.parent.is_empty() {
            return Err(Error::CartonOnPallet {
                carton: carton.lpn,
                pallet: carton.parent,
                fix: "take it off first",
            });
        }
        if carton.location != pallet.location {
            return Err(apart(&carton, &pallet));
        }
        if !pallet.order_ref.is_empty() && carton.order_ref != pallet.order_ref {
            return Err(Error::WrongOrder {
                what: format!("carton {}", carton.lpn),
                holds: carton.order_ref,
                order_ref: pallet.order_ref,
                instead: "put it onto a pallet of its own order, or of several orders",
            });
        }
        units::set_parent(tx, &carton.lpn, &pallet.lpn)?;
        let event = outbox::append(tx, packed(&pallet, "", vec![], vec![carton.lpn.clone()]))?;
        Ok(PackingDone {
            unit: pallet,
            lines: Vec::new(),
            cartons: vec![carton.lpn],
            event_ids: vec![event.event_id],
        })
    })
}

/// Takes goods out of a unit, or breaks it up: goods loose at staging, cartons off the pallet.
pub fn unpack_unit(store: &Store, cmd: &UnpackUnit) -> Result<PackingDone> {
    store.command("packing.unpack", cmd.op_id, &cmd.operator, cmd, |tx| {
        let conn = tx.conn();
        catalog::operator(conn, &cmd.operator)?;
        let from = open_unit(conn, &cmd.lpn, "unpacked")?;
        if from.kind == UnitKind::Tote {
            return Err(wrong_kind(
                &from,
                "its goods go into a carton of its order, not loose",
            ));
        }
        let at = catalog::location_by_code(conn, &from.location)?;
        let (reason, lines, cartons) = match &cmd.scan {
            Some(scan) => {
                let goods = scan::identify(conn, scan, false)?;
                let quantity = goods.base_quantity(cmd.quantity)?;
                let line = move_goods(tx, &goods, &at, &from.lpn, "", quantity)?;
                (UnpackReason::Removed, vec![line], Vec::new())
            }
            None => {
                let cartons = children(conn, &from.lpn)?;
                check_not_empty(conn, &from, &cartons, "there is nothing to take out")?;
                let lines = move_all(tx, &from, "")?;
                for carton in &cartons {
                    units::set_parent(tx, carton, "")?;
                }
                // An emptied carton does not travel on its pallet.
                if !from.parent.is_empty() {
                    units::set_parent(tx, &from.lpn, "")?;
                }
                (UnpackReason::Broken, lines, cartons)
            }
        };
        let event = outbox::append(tx, unpacked(&from, reason, "", &lines, &cartons))?;
        Ok(PackingDone {
            unit: from,
            lines,
            cartons,
            event_ids: vec![event.event_id],
        })
    })
}

/// Empties one unit into another of the same kind and order: the goods, and a pallet's cartons.
pub fn consolidate(store: &Store, cmd: &Consolidate) -> Result<PackingDone> {
    store.command("packing.consolidate", cmd.op_id, &cmd.operator, cmd, |tx| {
        let conn = tx.conn();
        catalog::operator(conn, &cmd.operator)?;
        let from = open_unit(conn, &cmd.from, "consolidated")?;
        let into = open_unit(conn, &cmd.into, "consolidated into")?;
        if from.lpn == into.lpn {
            return Err(Error::invalid(
                "into",
                format!(
                    "{} {} cannot be consolidated into itself",
                    from.kind, from.lpn
                ),
            ));
        }
        if from.kind == UnitKind::Tote {
            return Err(wrong_kind(
                &from,
                "its goods are packed into a carton, not consolidated",
            ));
        }
        if from.kind != into.kind {
            return Err(wrong_kind(
                &into,
                &format!("{} {} goes into another {}", from.kind, from.lpn, from.kind),
            ));
        }
        if from.order_ref != into.order_ref {
            return Err(Error::WrongOrder {
                what: format!("{} {}", from.kind, from.lpn),
                holds: from.order_ref,
                order_ref: into.order_ref,
                instead: "consolidate units of one order only",
            });
        }
        if from.location != into.location {
            return Err(apart(&from, &into));
        }
        let cartons = children(conn, &from.lpn)?;
        check_not_empty(conn, &from, &cartons, "there is nothing to consolidate")?;
        let lines = move_all(tx, &from, &into.lpn)?;
        for carton in &cartons {
            units::set_parent(tx, carton, &into.lpn)?;
        }
        if !from.parent.is_empty() {
            units::set_parent(tx, &from.lpn, "")?;
        }
        let out = outbox::append(
            tx,
            unpacked(
                &from,
                UnpackReason::Consolidated,
                &into.lpn,
                &lines,
                &cartons,
            ),
        )?;
        let packed_in =
            outbox::append(tx, packed(&into, &from.lpn, lines.clone(), cartons.clone()))?;
        Ok(PackingDone {
            unit: into,
            lines,
            cartons,
            event_ids: vec![out.event_id, packed_in.event_id],
        })
    })
}

fn packed(
    unit: &HandlingUnit,
    from_lpn: &str,
    lines: Vec<MovedLine>,
    children: Vec<String>,
) -> ev::Packed {
    ev::Packed {
        lpn: unit.lpn.clone(),
        unit_kind: unit.kind,
        order_ref: unit.order_ref.clone(),
        location: unit.location.clone(),
        from_lpn: from_lpn.into(),
        lines,
        children,
        movements: Vec::new(),
    }
}

fn unpacked(
    unit: &HandlingUnit,
    reason: UnpackReason,
    to_lpn: &str,
    lines: &[MovedLine],
    children: &[String],
) -> ev::Unpacked {
    ev::Unpacked {
        lpn: unit.lpn.clone(),
        unit_kind: unit.kind,
        order_ref: unit.order_ref.clone(),
        location: unit.location.clone(),
        reason,
        to_lpn: to_lpn.into(),
        lines: lines.to_vec(),
        children: children.to_vec(),
        movements: Vec::new(),
    }
}

/// Refuses a break-up or consolidation of a unit that holds nothing.
fn check_not_empty(
    conn: &Connection,
    unit: &HandlingUnit,
    cartons: &[String],
    nothing: &str,
) -> Result<()> {
    if cartons.is_empty() && contents(conn, unit)?.is_empty() {
        return Err(empty(unit, nothing));
    }
    Ok(())
}

/// `unit` is of the wrong kind for the action: `fix` says what to do.
pub(crate) fn wrong_kind(unit: &HandlingUnit, fix: &str) -> Error {
    Error::WrongUnitKind {
        lpn: unit.lpn.clone(),
        kind: unit.kind.to_string(),
        fix: fix.into(),
    }
}

/// `unit` holds nothing: `fix` says what that means for the action.
pub(crate) fn empty(unit: &HandlingUnit, fix: &str) -> Error {
    Error::UnitEmpty {
        kind: unit.kind.to_string(),
        lpn: unit.lpn.clone(),
        fix: fix.into(),
    }
}

/// `first` is to go into or onto `second`, which stands elsewhere.
fn apart(first: &HandlingUnit, second: &HandlingUnit) -> Error {
    Error::UnitsApart {
        first: first.lpn.clone(),
        first_at: first.location.clone(),
        second: second.lpn.clone(),
        second_at: second.location.clone(),
    }
}

/// A staging location (packing happens where picked goods wait).
fn staging(conn: &Connection, code: &str, action: &str) -> Result<LocationRecord> {
    let at = catalog::location_by_code(conn, code)?;
    if !matches!(at.location.kind, LocationKind::Staging) {
        return Err(Error::WrongLocationType {
            code: at.location.code,
            actual: at.location.kind.to_string(),
            expected: "staging".into(),
            action: action.into(),
        });
    }
    Ok(at)
}

/// A unit still at staging (not loaded or shipped).
pub(crate) fn open_unit(conn: &Connection, scanned: &str, action: &str) -> Result<HandlingUnit> {
    let unit = unit(conn, &scan::plate(&Some(scanned.to_string())))?;
    if unit.status != UnitStatus::Open {
        return Err(Error::WrongState {
            what: unit.kind.to_string(),
            id: unit.lpn,
            state: unit.status.to_string(),
            action: action.into(),
        });
    }
    Ok(unit)
}

/// Whether the order has a pick task on this device, or units here (a tote another handheld
/// filled for it, shared by the hub).
pub(crate) fn order_known(conn: &Connection, order_ref: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM pick_tasks WHERE order_ref = ?1)
                 OR EXISTS (SELECT 1 FROM handling_units WHERE order_ref = ?1)",
        )?
        .query_row([order_ref], |r| r.get(0))?)
}

/// Loose goods at staging go only into a unit of an order whose picks brought them there.
fn check_loose_for_order(
    conn: &Connection,
    target: &HandlingUnit,
    goods: &IdentifiedGoods,
    staging_id: i64,
    quantity: i64,
) -> Result<()> {
    let left = units::loose_left_for_order(conn, &target.order_ref, goods.item.id, staging_id)?;
    if quantity > left {
        let lot = if goods.lot.is_empty() {
            String::new()
        } else {
            format!(" lot {}", goods.lot)
        };
        return Err(Error::NotPickedForOrder {
            goods: format!("{}{lot}", goods.item.item.sku),
            location: target.location.clone(),
            order_ref: target.order_ref.clone(),
            left: left.max(0),
            requested: quantity,
        });
    }
    Ok(())
}

/// Moves scanned goods from one plate to another at a staging location (in transit both sides).
fn move_goods(
    tx: &WriteTx<'_>,
    goods: &IdentifiedGoods,
    at: &LocationRecord,
    from_lpn: &str,
    to_lpn: &str,
    quantity: i64,
) -> Result<MovedLine> {
    let bucket = stock::Bucket {
        location_id: at.id,
        lot: goods.lot.clone(),
        serial: goods.serial.clone(),
        lpn: from_lpn.into(),
        status: StockStatus::InTransit,
    };
    let on_hand = stock::bucket_quantity(tx.conn(), goods.item.id, &bucket)?;
    if on_hand < quantity {
        let place = if from_lpn.is_empty() {
            format!("{} (loose)", at.location.code)
        } else {
            format!("{} in {from_lpn}", at.location.code)
        };
        return Err(Error::InsufficientStock {
            sku: goods.item.item.sku.clone(),
            lot: goods.lot.clone(),
            location: place,
            status: StockStatus::InTransit.to_string(),
            on_hand,
            requested: quantity,
        });
    }
    transfer(
        tx,
        &PlateBucket {
            item_id: goods.item.id,
            bucket,
            quantity,
        },
        to_lpn,
    )?;
    Ok(MovedLine {
        sku: goods.item.item.sku.clone(),
        lot: goods.lot.clone(),
        serial: goods.serial.clone(),
        status: StockStatus::InTransit,
        base_quantity: quantity,
        base_unit: goods.item.item.base_unit.clone(),
    })
}

/// Moves everything in a unit onto another plate ("" for loose) at its location.
fn move_all(tx: &WriteTx<'_>, from: &HandlingUnit, to_lpn: &str) -> Result<Vec<MovedLine>> {
    let mut lines = Vec::new();
    for b in contents(tx.conn(), from)? {
        let item = catalog::item_by_id(tx.conn(), b.item_id)?;
        transfer(tx, &b, to_lpn)?;
        lines.push(crate::moves::moved_line(item.item, &b));
    }
    Ok(lines)
}

fn transfer(tx: &WriteTx<'_>, from: &PlateBucket, to_lpn: &str) -> Result<()> {
    let to = stock::Bucket {
        lpn: to_lpn.into(),
        ..from.bucket.clone()
    };
    stock::apply(tx, &from.moved_to(Some(to), "pack"))?;
    Ok(())
}
