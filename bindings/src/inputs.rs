//! What an app sends: plain records of text and numbers, turned into the core's commands here. Ids
//! arrive as text and are checked with a validation error that names the value; dates and moments
//! are the languages' own types.

use dockhand_core::ScannedGoods;
use dockhand_core::counting::CountedLine;
use dockhand_core::picking::{PickLineRequest, PickTaskRequest};
use dockhand_core::returns::ReturnLineRequest;

use chrono::NaiveDate;

use crate::error::DockhandError;
use crate::types::Moment;

/// Goods as scanned or typed: the barcode, and what the label or the operator says.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Goods {
    /// GTIN, EAN, UPC, internal code, or the whole raw GS1 label.
    pub barcode: String,
    /// Lot.
    #[uniffi(default = None)]
    pub lot: Option<String>,
    /// Expiry.
    #[uniffi(default = None)]
    pub expiry: Option<NaiveDate>,
    /// Serial.
    #[uniffi(default = None)]
    pub serial: Option<String>,
}

impl TryFrom<Goods> for ScannedGoods {
    type Error = DockhandError;
    fn try_from(g: Goods) -> Result<Self, DockhandError> {
        Ok(ScannedGoods {
            barcode: g.barcode,
            lot: g.lot,
            expiry: g.expiry,
            serial: g.serial,
        })
    }
}

/// A receive scan onto a dock.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ReceiveRequest {
    /// A new UUID per operator action (a retry with the same id does nothing twice).
    pub op_id: String,
    /// Operator.
    pub operator: String,
    /// Receipt (ASN or blind receipt) id.
    pub receipt_id: String,
    /// Dock location code.
    pub dock: String,
    /// The goods.
    pub goods: Goods,
    /// Packs of the scanned barcode.
    pub quantity: i64,
    /// Licence plate, if the goods arrive on one.
    #[uniffi(default = None)]
    pub lpn: Option<String>,
    /// A supervisor's badge and PIN approving an over-receipt or a short-dated lot.
    #[uniffi(default = None)]
    pub approval: Option<std::sync::Arc<crate::Approval>>,
}

/// Goods moved from a dock to a location.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PutawayRequest {
    /// A new UUID per operator action.
    pub op_id: String,
    /// Operator.
    pub operator: String,
    /// Dock (or location) the goods are taken from (not `from`: a keyword in Python and Swift).
    pub from_location: String,
    /// The goods.
    pub goods: Goods,
    /// Licence plate taken from, if any.
    #[uniffi(default = None)]
    pub lpn: Option<String>,
    /// Packs of the scanned barcode.
    pub quantity: i64,
    /// Location the goods were put in.
    pub to: String,
    /// What the scanner read on that location's label (proves the operator is there).
    pub location_scan: String,
    /// Why another location than the suggested one (needed when it differs).
    #[uniffi(default = None)]
    pub override_reason: Option<String>,
}

/// Stock moved from one storage location to another: loose goods, a whole licence plate (no
/// goods, only the plate) or part of a plate (the plate and the goods).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct MoveRequest {
    /// A new UUID per operator action.
    pub op_id: String,
    /// Operator.
    pub operator: String,
    /// Location the goods are taken from.
    pub from_location: String,
    /// What the scanner read on its label (proves the operator is there).
    pub from_scan: String,
    /// The goods; none to move the whole plate `lpn`.
    #[uniffi(default = None)]
    pub goods: Option<Goods>,
    /// Licence plate the goods are on, or the plate moved whole (its label as scanned).
    #[uniffi(default = None)]
    pub lpn: Option<String>,
    /// Packs of the scanned barcode (not used for a whole plate).
    #[uniffi(default = 0)]
    pub quantity: i64,
    /// Destination location.
    pub to: String,
    /// What the scanner read on the destination's label.
    pub to_scan: String,
    /// Why, when the operator gives a reason.
    #[uniffi(default = None)]
    pub reason: Option<String>,
    /// The replenishment task this move works (from `open_replenishments`).
    #[uniffi(default = None)]
    pub task_id: Option<String>,
}

/// A supervisor's decision on held (quarantined or damaged) stock.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ReleaseRequest {
    /// A new UUID per operator action.
    pub op_id: String,
    /// Who handles the goods.
    pub operator: String,
    /// Location the held goods are at.
    pub location: String,
    /// What the scanner read on its label.
    pub location_scan: String,
    /// The goods.
    pub goods: Goods,
    /// Licence plate the goods are on, if any.
    #[uniffi(default = None)]
    pub lpn: Option<String>,
    /// Packs of the scanned barcode.
    pub quantity: i64,
    /// Restock (available), quarantine, damaged, scrap or return to vendor.
    pub outcome: dockhand_core::quality::InspectionOutcome,
    /// Destination (restock, quarantine, damaged); none when the goods leave inventory.
    #[uniffi(default = None)]
    pub to: Option<String>,
    /// What the scanner read on the destination's label.
    #[uniffi(default = None)]
    pub to_scan: Option<String>,
    /// Reason code (e.g. `passed_inspection`, `supplier_recall`).
    pub reason_code: String,
    /// Note.
    #[uniffi(default = None)]
    pub note: Option<String>,
    /// The approving supervisor's badge and PIN.
    pub approval: std::sync::Arc<crate::Approval>,
    /// Which held goods (quarantined or damaged), when the location holds both and the outcome
    /// does not tell.
    #[uniffi(default = None)]
    pub held: Option<dockhand_core::StockStatus>,
}

/// A pick confirmed at a location.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PickRequest {
    /// A new UUID per operator action.
    pub op_id: String,
    /// Picker.
    pub operator: String,
    /// Task.
    pub task_id: String,
    /// Allocation (from `next_pick`).
    pub allocation_id: i64,
    /// What the scanner read on the location's label (proves the picker is there).
    pub location_scan: String,
    /// The goods taken.
    pub goods: Goods,
    /// Packs of the scanned barcode taken.
    pub quantity: i64,
    /// Tote, if the picker uses one.
    #[uniffi(default = None)]
    pub tote: Option<String>,
    /// The location held less than asked: the rest is short (raises a count of the location).
    #[uniffi(default = false)]
    pub short: bool,
}

/// An order line of a pick task made on the device.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct NewPickLine {
    /// Line number.
    pub line_no: i64,
    /// Item.
    pub sku: String,
    /// Quantity in `unit`.
    pub quantity: i64,
    /// Unit (the item's base unit when absent).
    #[uniffi(default = None)]
    pub unit: Option<String>,
    /// A lot the customer asked for.
    #[uniffi(default = None)]
    pub lot: Option<String>,
}

/// A pick task made on the device (tasks from the ERP arrive by sync).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct NewPickTask {
    /// Task id.
    pub task_id: String,
    /// Order reference.
    pub order_ref: String,
    /// Staging location.
    pub staging: String,
    /// Lines.
    pub lines: Vec<NewPickLine>,
    /// When the order must leave the dock (RFC 3339 with an offset); none: no deadline.
    #[uniffi(default = None)]
    pub ship_by: Option<String>,
}

impl From<NewPickTask> for PickTaskRequest {
    fn from(t: NewPickTask) -> Self {
        PickTaskRequest {
            task_id: t.task_id,
            order_ref: t.order_ref,
            staging: t.staging,
            ship_by: t.ship_by,
            lines: t
                .lines
                .into_iter()
                .map(|l| PickLineRequest {
                    line_no: l.line_no,
                    sku: l.sku,
                    quantity: l.quantity,
                    unit: l.unit,
                    lot: l.lot,
                })
                .collect(),
        }
    }
}

/// One counted line: what was found at a location.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CountedGoods {
    /// Location (needed for an item count over several locations).
    #[uniffi(default = None)]
    pub location: Option<String>,
    /// The goods.
    pub goods: Goods,
    /// Packs of the scanned barcode counted.
    pub quantity: i64,
    /// When it was counted; now when absent.
    #[uniffi(default = None)]
    pub counted_at: Option<Moment>,
}

impl TryFrom<CountedGoods> for CountedLine {
    type Error = DockhandError;
    fn try_from(c: CountedGoods) -> Result<Self, DockhandError> {
        Ok(CountedLine {
            location: c.location,
            scan: c.goods.try_into()?,
            quantity: c.quantity,
            counted_at: c.counted_at,
        })
    }
}

/// A returned line as scanned at the returns desk.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ReturnedGoods {
    /// Line number on the return.
    pub line_no: i64,
    /// The goods.
    pub goods: Goods,
    /// Packs of the scanned barcode.
    pub quantity: i64,
}

impl TryFrom<ReturnedGoods> for ReturnLineRequest {
    type Error = DockhandError;
    fn try_from(r: ReturnedGoods) -> Result<Self, DockhandError> {
        Ok(ReturnLineRequest {
            line_no: r.line_no,
            scan: r.goods.try_into()?,
            quantity: r.quantity,
        })
    }
}

/// A customer return received at the returns desk.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ReturnRequest {
    /// A new UUID per operator action.
    pub op_id: String,
    /// Operator.
    pub operator: String,
    /// Return id (the RMA when announced).
    pub return_id: String,
    /// Reference.
    pub reference: String,
    /// Customer.
    pub customer: String,
    /// Returns location the goods wait at.
    pub location: String,
    /// Lines.
    pub lines: Vec<ReturnedGoods>,
}

/// What the inspector decided about one returned line.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct InspectionRequest {
    /// A new UUID per operator action.
    pub op_id: String,
    /// Inspector.
    pub operator: String,
    /// Return.
    pub return_id: String,
    /// Line.
    pub line_no: i64,
    /// Outcome.
    pub outcome: dockhand_core::returns::InspectionOutcome,
    /// Reason code (e.g. `unopened`, `box_damaged`).
    pub reason_code: String,
    /// Note.
    #[uniffi(default = None)]
    pub note: Option<String>,
}
