//! Packing at staging and shipping at the door: cartons and pallets with SSCCs minted on the
//! handheld, goods packed from totes or loose, cartons onto pallets, the unit's GS1 label, loading
//! and the shipment. Conversion only; the rules are the core's (`dockhand_core::packing`,
//! `dockhand_core::shipping`).

use dockhand_core::labels::Label;
use dockhand_core::packing::{
    self, BuildUnit, Consolidate, HandlingUnit, NestUnit, PackGoods, PackingDone, UnitKind,
    UnitStatus, UnpackUnit,
};
use dockhand_core::shipping::{self, LoadDone, LoadUnit, ShipOrder, ShipmentDone};
use uuid::Uuid;

use crate::Device;
use crate::error::{DockhandError, op_id};
use crate::inputs::Goods;

/// What a handling unit is.
#[uniffi::remote(Enum)]
pub enum UnitKind {
    /// A tote goods are picked into.
    Tote,
    /// A carton with its SSCC.
    Carton,
    /// A pallet with its SSCC.
    Pallet,
}

/// Where a unit is in its life.
#[uniffi::remote(Enum)]
pub enum UnitStatus {
    /// At staging.
    Open,
    /// On a truck.
    Loaded,
    /// Gone with its shipment.
    Shipped,
}

/// A tote, carton or pallet.
#[uniffi::remote(Record)]
pub struct HandlingUnit {
    /// Licence plate (the SSCC of a carton or pallet).
    pub lpn: String,
    /// Tote, carton or pallet.
    pub kind: UnitKind,
    /// Its order ("" for a pallet of several orders).
    pub order_ref: String,
    /// The pallet a carton is on ("").
    pub parent: String,
    /// Where it is.
    pub location: String,
    /// Open, loaded or shipped.
    pub status: UnitStatus,
}

/// What a packing command did.
#[uniffi::remote(Record)]
pub struct PackingDone {
    /// The unit built, packed, unpacked or consolidated into.
    pub unit: HandlingUnit,
    /// Goods that went in or came out.
    pub lines: Vec<dockhand_core::moves::MovedLine>,
    /// Cartons put on or taken off.
    pub cartons: Vec<String>,
    /// The events recorded.
    pub event_ids: Vec<Uuid>,
}

/// Goods scanned at the packing table, into a carton or pallet.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PackRequest {
    /// A new UUID per operator action.
    pub op_id: String,
    /// Operator.
    pub operator: String,
    /// The carton or pallet, its SSCC label as scanned.
    pub lpn: String,
    /// The tote the goods come out of; none for loose goods at staging.
    #[uniffi(default = None)]
    pub from_tote: Option<String>,
    /// The goods.
    pub goods: Goods,
    /// Packs of the scanned barcode.
    pub quantity: i64,
}

type Result<T> = std::result::Result<T, DockhandError>;

#[uniffi::export]
impl Device {
    /// Builds a carton (for `order_ref`) or a pallet (for one order, or none: several) at a
    /// staging location, minting its SSCC; `sscc_exhausted` asks for a sync.
    pub fn build_unit(
        &self,
        op_id: String,
        operator: String,
        kind: UnitKind,
        order_ref: Option<String>,
        location: String,
    ) -> Result<PackingDone> {
        let cmd = BuildUnit {
            op_id: self::op_id(&op_id)?,
            operator,
            kind,
            order_ref,
            location,
        };
        Ok(packing::build_unit(&self.store, &cmd)?)
    }

    /// Packs goods into a carton or pallet, from a tote of its order or loose from staging;
    /// another order's goods are refused (`wrong_order`, `not_picked_for_order`).
    pub fn pack_goods(&self, request: PackRequest) -> Result<PackingDone> {
        let cmd = PackGoods {
            op_id: op_id(&request.op_id)?,
            operator: request.operator,
            lpn: request.lpn,
            from_tote: request.from_tote,
            scan: request.goods.try_into()?,
            quantity: request.quantity,
        };
        Ok(packing::pack_goods(&self.store, &cmd)?)
    }

    /// Puts a carton onto a pallet of its order (or of several orders).
    pub fn nest_unit(
        &self,
        op_id: String,
        operator: String,
        carton: String,
        pallet: String,
    ) -> Result<PackingDone> {
        let cmd = NestUnit {
            op_id: self::op_id(&op_id)?,
            operator,
            carton,
            pallet,
        };
        Ok(packing::nest_unit(&self.store, &cmd)?)
    }

    /// Takes goods out of a unit (loose at staging), or with no goods breaks it up.
    #[uniffi::method(default(goods = None, quantity = 0))]
    pub fn unpack_unit(
        &self,
        op_id: String,
        operator: String,
        lpn: String,
        goods: Option<Goods>,
        quantity: i64,
    ) -> Result<PackingDone> {
        let cmd = UnpackUnit {
            op_id: self::op_id(&op_id)?,
            operator,
            lpn,
            scan: goods.map(TryInto::try_into).transpose()?,
            quantity,
        };
        Ok(packing::unpack_unit(&self.store, &cmd)?)
    }

    /// Empties one unit into another of the same order and kind.
    pub fn consolidate_units(
        &self,
        op_id: String,
        operator: String,
        from: String,
        into: String,
    ) -> Result<PackingDone> {
        let cmd = Consolidate {
            op_id: self::op_id(&op_id)?,
            operator,
            from,
            into,
        };
        Ok(packing::consolidate(&self.store, &cmd)?)
    }

    /// A tote, carton or pallet by its label as scanned.
    pub fn handling_unit(&self, lpn: String) -> Result<HandlingUnit> {
        let plate = dockhand_core::protocol::sscc::plate_from_scan(&lpn);
        Ok(self.store.read(|c| packing::unit(c, &plate))?)
    }

    /// A carton's or pallet's GS1 logistic label from what it holds: ZPL for the printer.
    pub fn unit_label(
        &self,
        lpn: String,
        ship_from: Vec<String>,
        ship_to: Vec<String>,
    ) -> Result<Label> {
        Ok(self
            .store
            .read(|c| packing::label(c, &lpn, ship_from, ship_to))?)
    }
}

/// A carton or pallet loaded at a dock door.
#[uniffi::remote(Record)]
pub struct LoadDone {
    /// The unit, now at the door.
    pub unit: HandlingUnit,
    /// The cartons on it.
    pub cartons: Vec<String>,
    /// What it holds.
    pub lines: Vec<dockhand_core::moves::MovedLine>,
    /// The event recorded.
    pub event_id: Uuid,
}

/// What an order's shipment took out of inventory.
#[uniffi::remote(Record)]
pub struct ShipmentDone {
    /// The order.
    pub order_ref: String,
    /// The door.
    pub door: String,
    /// The units that left.
    pub units: Vec<String>,
    /// What left.
    pub lines: Vec<dockhand_core::moves::MovedLine>,
    /// Base units, all lines together.
    pub base_quantity: i64,
    /// Whether it left by the order's ship-by time (none: the order had none).
    pub on_time: Option<bool>,
    /// The event recorded.
    pub event_id: Uuid,
}

#[uniffi::export]
impl Device {
    /// Loads a carton or pallet of `order_ref` at a dock door (its label scanned first); another
    /// order's unit is refused (`wrong_order`), a carton on a pallet goes with its pallet.
    pub fn load_unit(
        &self,
        op_id: String,
        operator: String,
        order_ref: String,
        door: String,
        door_scan: String,
        lpn: String,
    ) -> Result<LoadDone> {
        let cmd = LoadUnit {
            op_id: self::op_id(&op_id)?,
            operator,
            order_ref,
            door,
            door_scan,
            lpn,
        };
        Ok(shipping::load_unit(&self.store, &cmd)?)
    }

    /// Closes the order's shipment with what was loaded at the door: the goods leave inventory.
    /// Goods of the order still at staging refuse it (`short_loaded`, naming them).
    pub fn ship_order(
        &self,
        op_id: String,
        operator: String,
        order_ref: String,
        door: String,
        door_scan: String,
    ) -> Result<ShipmentDone> {
        let cmd = ShipOrder {
            op_id: self::op_id(&op_id)?,
            operator,
            order_ref,
            door,
            door_scan,
        };
        Ok(shipping::ship_order(&self.store, &cmd)?)
    }
}
