//! Every event a device records, typed: one [`EventBody`] variant per event type, each with its
//! payload struct. Producers build a payload struct and the outbox serialises it; consumers (EPCIS
//! export, voids, KPIs, the hub's intake, the ERP planner and posting) `match` on [`EventBody`]
//! without a wildcard, so a new event type does not compile until each of them decides what it
//! does with it.
//!
//! The JSON of each payload is the contract: field names and values are what devices have recorded
//! since schema version 1. A field is added, never renamed or removed, and an `Option` field is
//! written as `null`, not left out: re-serialising a recorded payload gives back its bytes, so its
//! hash still verifies. docs/events.md lists the same catalogue for readers in other languages.

use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::error::{ProtocolError, prefix};
use crate::text_enum;

/// One ledger row as an event carries it: the hub's stock view is the sum of these.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventMovement {
    /// Location code.
    pub location: String,
    /// Item SKU.
    pub sku: String,
    /// Lot ("" for none).
    pub lot: String,
    /// Serial ("" for none).
    pub serial: String,
    /// Licence plate ("" for none).
    pub lpn: String,
    /// Stock status.
    pub status: StockStatus,
    /// Base units in (positive) or out (negative).
    pub delta: i64,
}

/// The ledger rows an event's command wrote, filled in by the outbox when the event is recorded
/// (producers leave it empty; events that move no stock carry none).
pub type Movements = Vec<EventMovement>;

text_enum! {
    /// Usability of stock, kept apart from its quantity.
    pub enum StockStatus {
        /// On a dock, not yet put away.
        Received => "received",
        /// Put away and sellable (minus reservations).
        Available => "available",
        /// Moving between locations (picked into a tote, transfer).
        InTransit => "in_transit",
        /// Quality or expiry hold.
        Quarantined => "quarantined",
        /// Inspected as damaged.
        Damaged => "damaged",
        /// Returned, awaiting inspection.
        ReturnPending => "return_pending",
    }
}

text_enum! {
    /// Where a receipt came from.
    pub enum ReceiptKind {
        /// Announced by an ASN or PO.
        Expected => "expected",
        /// Opened at the dock without an announcement.
        Blind => "blind",
    }
}

text_enum! {
    /// Where one pick (an allocation of a line to a location and lot) is.
    pub enum PickStatus {
        /// To be picked; holds a reservation.
        Open => "open",
        /// Picked in full or short.
        Done => "done",
        /// Released by a cancellation.
        Released => "released",
    }
}

/// An order line with its progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PickLine {
    /// Line number.
    pub line_no: i64,
    /// Item SKU.
    pub sku: String,
    /// Lot the order requires.
    pub lot: Option<String>,
    /// Base units ordered.
    pub quantity: i64,
    /// Base units picked.
    pub picked: i64,
    /// Base units not found.
    pub short: i64,
}

/// One pick of the pick list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PickAllocation {
    /// Pick id.
    pub id: i64,
    /// Order line.
    pub line_no: i64,
    /// Location code.
    pub location: String,
    /// Item SKU.
    pub sku: String,
    /// Lot allocated ("" when untracked).
    pub lot: String,
    /// Lot expiry.
    pub expiry: Option<NaiveDate>,
    /// Base units to pick here.
    pub quantity: i64,
    /// Base units picked.
    pub picked: i64,
    /// Base units found missing.
    pub short: i64,
    /// Progress.
    pub status: PickStatus,
}

text_enum! {
    /// What inspection decided for a returned line.
    pub enum InspectionOutcome {
        /// Sellable again: available, to be put away.
        Restock => "restock",
        /// Held for a closer look.
        Quarantine => "quarantine",
        /// Damaged: kept apart, not sellable.
        Damaged => "damaged",
        /// Destroyed: leaves inventory.
        Scrap => "scrap",
        /// Sent back to the supplier: leaves inventory.
        ReturnToVendor => "return_to_vendor",
    }
}

/// A returned line as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnLine {
    /// Line number.
    pub line_no: i64,
    /// Item SKU.
    pub sku: String,
    /// Lot.
    pub lot: String,
    /// Serial.
    pub serial: String,
    /// Base units.
    pub quantity: i64,
    /// Decision, once inspected.
    pub outcome: Option<InspectionOutcome>,
    /// Reason code, once inspected.
    pub reason_code: Option<String>,
    /// Minutes from receipt to available (restocked lines).
    pub minutes_to_available: Option<i64>,
}

text_enum! {
    /// What a submitted round led to.
    pub enum CountOutcome {
        /// Counted as the system expected.
        NoVariance => "no_variance",
        /// Variances within tolerance (or confirmed below the approval threshold) were adjusted.
        Adjusted => "adjusted",
        /// Off by more than the tolerance: count again (by another operator where possible).
        RecountRequired => "recount_required",
        /// Confirmed variance beyond the approval threshold: a supervisor must approve.
        ApprovalRequired => "approval_required",
    }
}

/// Declares the events: the [`EventKind`] names, the [`EventBody`] enum and its conversions.
macro_rules! events {
    ($($(#[$doc:meta])* $variant:ident($payload:ident) => $text:literal,)+) => {
        text_enum! {
            /// The type of an event (`event_type` in its envelope).
            pub enum EventKind {
                $($(#[$doc])* $variant => $text,)+
            }
        }

        /// An event's type and payload, typed.
        #[derive(Debug, Clone, PartialEq)]
        pub enum EventBody {
            $($(#[$doc])* $variant($payload),)+
        }

        impl EventBody {
            /// The event's type.
            pub fn kind(&self) -> EventKind {
                match self {
                    $(EventBody::$variant(_) => EventKind::$variant,)+
                }
            }

            /// Reads a recorded event: its `event_type` and payload JSON.
            pub fn parse(event_type: &str, payload: &Value) -> Result<Self, ProtocolError> {
                let kind = EventKind::parse(event_type).ok_or_else(|| {
                    ProtocolError::invalid(
                        "event_type",
                        format!(
                            "{:?} is not an event type of this version (schema version {})",
                            prefix(event_type, 48),
                            crate::envelope::SCHEMA_VERSION
                        ),
                    )
                })?;
                Ok(match kind {
                    $(EventKind::$variant => EventBody::$variant(read(kind, payload)?),)+
                })
            }

            /// The payload as JSON (its canonical form is what the hash covers).
            pub fn to_payload(&self) -> Result<Value, ProtocolError> {
                let value = match self {
                    $(EventBody::$variant(p) => serde_json::to_value(p),)+
                };
                value.map_err(|e| ProtocolError::Internal(format!("{} payload: {e}", self.kind())))
            }
        }

        $(impl From<$payload> for EventBody {
            fn from(payload: $payload) -> Self {
                EventBody::$variant(payload)
            }
        })+
    };
}

fn read<T: DeserializeOwned>(kind: EventKind, payload: &Value) -> Result<T, ProtocolError> {
    T::deserialize(payload).map_err(|e| {
        ProtocolError::invalid("payload", format!("a {kind} payload does not read: {e}"))
    })
}

events! {
    /// A receipt opened at the dock without an ASN.
    BlindOpened(BlindOpened) => "receiving.blind_opened",
    /// Goods received from one scan onto the dock.
    LineReceived(LineReceived) => "receiving.line_received",
    /// An expected line received short or over, found when its receipt was closed.
    ReceiptDiscrepancy(ReceiptDiscrepancy) => "receiving.discrepancy",
    /// A receipt closed (after its discrepancies).
    ReceiptClosed(ReceiptClosed) => "receiving.closed",
    /// Goods put away from a dock or a returns bench.
    PutawayConfirmed(PutawayConfirmed) => "putaway.confirmed",
    /// Stock moved inside the warehouse: loose goods bin to bin, a whole licence plate, or part of
    /// one.
    MoveConfirmed(MoveConfirmed) => "move.confirmed",
    /// A pick task allocated and reserved.
    PickTaskStarted(PickTaskStarted) => "picking.task_started",
    /// Goods taken for a pick.
    PickConfirmed(PickConfirmed) => "picking.confirmed",
    /// A pick found short.
    PickShort(PickShort) => "picking.short",
    /// A pick task cancelled, its reservations released.
    PickTaskCancelled(PickTaskCancelled) => "picking.cancelled",
    /// A count task created on the device.
    CountTaskCreated(CountTaskCreated) => "counting.task_created",
    /// A count started: the expected quantities snapshotted.
    CountStarted(CountStarted) => "counting.started",
    /// A count round submitted.
    Counted(Counted) => "counting.counted",
    /// A count variance applied to stock.
    CountAdjusted(CountAdjusted) => "counting.adjusted",
    /// A customer return received at a returns bench.
    ReturnReceived(ReturnReceived) => "returns.received",
    /// A returned line inspected and moved by its outcome.
    ReturnInspected(ReturnInspected) => "returns.inspected",
    /// Held stock (quarantined or damaged) released, or disposed of, by a supervisor.
    StockReleased(StockReleased) => "quality.released",
    /// A pick left a pick face below its minimum: a task to bring it back up from reserve.
    ReplenishmentRaised(ReplenishmentRaised) => "replenishment.raised",
    /// A carton or pallet built at staging for an order, with the SSCC minted for it.
    UnitBuilt(UnitBuilt) => "packing.built",
    /// Picked goods packed into a carton or pallet, or a carton put onto a pallet.
    Packed(Packed) => "packing.packed",
    /// Goods taken out of a carton or pallet, cartons taken off a pallet, or a unit broken up.
    Unpacked(Unpacked) => "packing.unpacked",
    /// A carton or pallet loaded at a dock door for its order's shipment.
    Loaded(Loaded) => "shipping.loaded",
    /// An order's shipment closed with what was loaded: the goods leave inventory.
    Shipped(Shipped) => "shipping.shipped",
    /// A mistaken command undone by a compensating transaction.
    Voided(Voided) => "correction.voided",
}

/// `receiving.blind_opened`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlindOpened {
    /// Receipt id.
    pub receipt_id: String,
    /// Delivery note or PO reference.
    pub reference: String,
    /// Supplier.
    pub supplier: String,
}

/// `receiving.line_received`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineReceived {
    /// Receipt id.
    pub receipt_id: String,
    /// Expected (ASN / PO) or blind.
    pub receipt_kind: ReceiptKind,
    /// PO / ASN reference.
    pub reference: String,
    /// Receipt line.
    pub line_no: i64,
    /// Item SKU.
    pub sku: String,
    /// The barcode scanned.
    pub barcode: String,
    /// The pack unit scanned.
    pub unit: String,
    /// Packs scanned.
    pub quantity: i64,
    /// Base units received.
    pub base_quantity: i64,
    /// The item's base unit.
    pub base_unit: String,
    /// Lot ("" for none).
    pub lot: String,
    /// Lot expiry.
    pub expiry: Option<NaiveDate>,
    /// Serial ("" for none).
    pub serial: String,
    /// Licence plate ("" for none).
    pub lpn: String,
    /// The ASN line's pallet SSCC.
    pub sscc: Option<String>,
    /// Dock location code.
    pub location: String,
    /// `received`, or `quarantined` for goods held at receipt.
    pub status: StockStatus,
    /// Why the goods were held.
    pub quarantine_reason: Option<String>,
    /// The supervisor who approved an over-receipt or a short-dated lot.
    pub approved_by: Option<String>,
    /// Ledger rows written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub movements: Movements,
}

/// `receiving.discrepancy`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptDiscrepancy {
    /// Receipt id.
    pub receipt_id: String,
    /// PO / ASN reference.
    pub reference: String,
    /// Receipt line.
    pub line_no: i64,
    /// Item SKU.
    pub sku: String,
    /// Base units expected.
    pub expected: i64,
    /// Base units received.
    pub received: i64,
    /// `received - expected` (negative when short).
    pub difference: i64,
    /// Short, over, or another lot.
    pub kind: DiscrepancyKind,
    /// For a lot discrepancy: the lot received instead (its base units are `received`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lot: Option<String>,
    /// For a lot discrepancy: the lot the line expected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_lot: Option<String>,
}

text_enum! {
    /// Which way a receipt line differs from what was expected.
    pub enum DiscrepancyKind {
        /// Less received than expected.
        Short => "short",
        /// More received than expected.
        Over => "over",
        /// Goods of another lot than the line expected (`lot`, `expected_lot`).
        Lot => "lot",
    }
}

/// `receiving.closed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptClosed {
    /// Receipt id.
    pub receipt_id: String,
    /// PO / ASN reference.
    pub reference: String,
    /// Lines on the receipt.
    pub lines: i64,
    /// Lines received short or over.
    pub discrepancies: i64,
    /// Base units received over all lines.
    pub total_received: i64,
}

/// `putaway.confirmed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PutawayConfirmed {
    /// Item SKU.
    pub sku: String,
    /// Lot ("" for none).
    pub lot: String,
    /// Serial ("" for none).
    pub serial: String,
    /// Licence plate moved from ("" for none).
    pub lpn: String,
    /// Licence plate at the destination ("" unless the whole pallet moved).
    pub lpn_after: String,
    /// Base units moved.
    pub base_quantity: i64,
    /// The item's base unit.
    pub base_unit: String,
    /// Location code moved from.
    pub from: String,
    /// Location code moved to.
    pub to: String,
    /// Zone of `to`.
    pub to_zone: String,
    /// Status before the move.
    pub status_before: StockStatus,
    /// Status after the move.
    pub status_after: StockStatus,
    /// Why the goods went to quarantine.
    pub hold_reason: Option<String>,
    /// The location suggested.
    pub suggested: Option<String>,
    /// Why the operator chose another.
    pub override_reason: Option<String>,
    /// Ledger rows written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub movements: Movements,
}

text_enum! {
    /// What an internal move took.
    pub enum MoveKind {
        /// Loose goods (on no licence plate) from one location to another.
        Loose => "loose",
        /// A whole licence plate with everything on it; the plate goes along.
        WholePlate => "whole_plate",
        /// Part of what is on a licence plate, taken off it: loose at the destination.
        FromPlate => "from_plate",
    }
}

/// One kind of goods a move took.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MovedLine {
    /// Item SKU.
    pub sku: String,
    /// Lot ("" for none).
    pub lot: String,
    /// Serial ("" for none).
    pub serial: String,
    /// Status, the same before and after (a move never changes usability).
    pub status: StockStatus,
    /// Base units moved.
    pub base_quantity: i64,
    /// The item's base unit.
    pub base_unit: String,
}

/// `move.confirmed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoveConfirmed {
    /// Loose, a whole plate, or part of a plate.
    pub move_kind: MoveKind,
    /// Licence plate the goods were on ("" for loose goods).
    pub lpn: String,
    /// Licence plate at the destination (the plate itself for a whole plate, "" otherwise).
    pub lpn_after: String,
    /// Location code moved from (its label was scanned).
    pub from: String,
    /// Location code moved to (its label was scanned).
    pub to: String,
    /// Zone of `to`.
    pub to_zone: String,
    /// Why, when the operator gave a reason.
    pub reason: Option<String>,
    /// What moved, one line per item, lot, serial and status.
    pub lines: Vec<MovedLine>,
    /// The replenishment task the move worked (left out when none: moves recorded before
    /// replenishment read as they did).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_id: Option<String>,
    /// Ledger rows written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub movements: Movements,
}

/// `replenishment.raised`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplenishmentRaised {
    /// Task id (`R-` and a UUID: raised offline, unique across handhelds).
    pub task_id: String,
    /// The pick face.
    pub location: String,
    /// The item kept there.
    pub sku: String,
    /// Base units of it left on the face after the pick.
    pub on_hand: i64,
    /// The face's minimum.
    pub min_units: i64,
    /// The face's maximum.
    pub max_units: i64,
    /// Base units to bring (`max_units - on_hand`).
    pub quantity: i64,
    /// The pick that drained the face (its event).
    pub raised_by: Uuid,
}

/// `picking.task_started`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PickTaskStarted {
    /// Task id.
    pub task_id: String,
    /// Customer order reference.
    pub order_ref: String,
    /// Staging location code.
    pub staging: String,
    /// Order lines.
    pub lines: Vec<PickLine>,
    /// The pick list, in walk order.
    pub picks: Vec<PickAllocation>,
}

/// `picking.confirmed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PickConfirmed {
    /// Task id.
    pub task_id: String,
    /// Customer order reference.
    pub order_ref: String,
    /// Order line.
    pub line_no: i64,
    /// Pick id.
    pub pick_id: i64,
    /// Item SKU.
    pub sku: String,
    /// Lot taken ("" for none).
    pub lot: String,
    /// Lot allocated (differs from `lot` after a lot swap).
    pub allocated_lot: String,
    /// Serial ("" for none).
    pub serial: String,
    /// Base units taken.
    pub base_quantity: i64,
    /// The item's base unit.
    pub base_unit: String,
    /// Location code taken from.
    pub from: String,
    /// Staging location code.
    pub to: String,
    /// Tote scanned ("" for none).
    pub tote: String,
    /// Ledger rows written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub movements: Movements,
}

/// `picking.short`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PickShort {
    /// Task id.
    pub task_id: String,
    /// Customer order reference.
    pub order_ref: String,
    /// Order line.
    pub line_no: i64,
    /// Pick id.
    pub pick_id: i64,
    /// Item SKU.
    pub sku: String,
    /// Lot allocated.
    pub lot: String,
    /// Location code.
    pub location: String,
    /// Base units the pick expected.
    pub expected: i64,
    /// Base units found.
    pub found: i64,
    /// Base units missing.
    pub short: i64,
    /// The count task raised for the location.
    pub count_task_id: Option<String>,
    /// Ledger rows written (reservations released move no stock; kept for symmetry).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub movements: Movements,
}

/// `picking.cancelled`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PickTaskCancelled {
    /// Task id.
    pub task_id: String,
    /// Customer order reference.
    pub order_ref: String,
    /// Why.
    pub reason: String,
    /// Base units whose reservations were released.
    pub released_quantity: i64,
}

/// `counting.task_created`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountTaskCreated {
    /// Task id.
    pub task_id: String,
    /// Location code counted.
    pub location: Option<String>,
    /// Item SKU counted.
    pub sku: Option<String>,
    /// Where it came from (`local`, `hub`, `risk`, `short_pick`…).
    pub source: String,
    /// Why it is counted.
    pub reason: String,
}

/// `counting.started`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountStarted {
    /// Task id.
    pub task_id: String,
    /// Location code counted.
    pub location: Option<String>,
    /// Item SKU counted.
    pub sku: Option<String>,
    /// Lines snapshotted as expected.
    pub snapshot_lines: i64,
}

/// One line of a submitted count round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountedLine {
    /// Location code.
    pub location: String,
    /// Item SKU.
    pub sku: String,
    /// Lot ("" for none).
    pub lot: String,
    /// Base units counted.
    pub counted: i64,
    /// Base units expected.
    pub expected: i64,
    /// `counted - expected`.
    pub variance: i64,
    /// Found where nothing was expected.
    pub unexpected: bool,
    /// When the line was counted (`None`: found empty at submit).
    pub counted_at: Option<String>,
}

/// `counting.counted`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counted {
    /// Task id.
    pub task_id: String,
    /// Round (1, 2…).
    pub round: i64,
    /// Operator who counted.
    pub counter: String,
    /// What the round led to.
    pub outcome: CountOutcome,
    /// Lines.
    pub lines: Vec<CountedLine>,
}

/// The `reason_code` of a count adjustment the hub made: a count line's net (the handheld's
/// adjustment and the hub's corrections) as the ERP gets it, once every device of the site has
/// synced past the count or a supervisor released it.
pub const COUNT_RECONCILED: &str = "count_reconciled";

/// `counting.adjusted`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountAdjusted {
    /// Task id.
    pub task_id: String,
    /// Round.
    pub round: i64,
    /// Location code.
    pub location: String,
    /// Item SKU.
    pub sku: String,
    /// Lot ("" for none).
    pub lot: String,
    /// Status of the stock adjusted.
    pub status: StockStatus,
    /// Base units expected.
    pub expected: i64,
    /// Base units counted.
    pub counted: i64,
    /// `counted - expected`.
    pub variance: i64,
    /// Variance times unit value, in cents.
    pub value_cents: i64,
    /// `count_adjustment`.
    pub reason_code: String,
    /// Supervisor who approved it (beyond the approval threshold).
    pub approved_by: Option<String>,
    /// Ledger rows written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub movements: Movements,
}

/// `returns.received`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnReceived {
    /// RMA number.
    pub return_id: String,
    /// Order or customer reference.
    pub reference: String,
    /// Customer.
    pub customer: String,
    /// Returns location code.
    pub location: String,
    /// Lines.
    pub lines: Vec<ReturnLine>,
    /// Ledger rows written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub movements: Movements,
}

/// `returns.inspected`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnInspected {
    /// RMA number.
    pub return_id: String,
    /// Order or customer reference.
    pub reference: String,
    /// Return line.
    pub line_no: i64,
    /// Item SKU.
    pub sku: String,
    /// Lot ("" for none).
    pub lot: String,
    /// Serial ("" for none).
    pub serial: String,
    /// Base units.
    pub base_quantity: i64,
    /// Returns location code.
    pub location: String,
    /// The decision.
    pub outcome: InspectionOutcome,
    /// Status after (`None` when the goods left inventory).
    pub status_after: Option<StockStatus>,
    /// Reason code.
    pub reason_code: String,
    /// Inspector's note.
    pub note: Option<String>,
    /// Minutes from receipt to available (restocked lines).
    pub minutes_to_available: Option<i64>,
    /// Ledger rows written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub movements: Movements,
}

/// `quality.released`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockReleased {
    /// Item SKU.
    pub sku: String,
    /// Lot ("" for none).
    pub lot: String,
    /// Serial ("" for none).
    pub serial: String,
    /// Licence plate the goods were on ("" for none).
    pub lpn: String,
    /// Base units.
    pub base_quantity: i64,
    /// The item's base unit.
    pub base_unit: String,
    /// Location code the held goods were at.
    pub from: String,
    /// `quarantined` or `damaged`.
    pub status_before: StockStatus,
    /// The decision: `restock` (available), `quarantine`, `damaged`, `scrap` or
    /// `return_to_vendor`.
    pub outcome: InspectionOutcome,
    /// Location code the goods went to (`None` when they left inventory).
    pub to: Option<String>,
    /// Status after (`None` when the goods left inventory).
    pub status_after: Option<StockStatus>,
    /// Reason code.
    pub reason_code: String,
    /// The supervisor's note.
    pub note: Option<String>,
    /// The supervisor whose badge and PIN approved it.
    pub approved_by: String,
    /// Ledger rows written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub movements: Movements,
}

text_enum! {
    /// What a handling unit is.
    pub enum UnitKind {
        /// A tote goods are picked into (its own reusable label, not an SSCC).
        Tote => "tote",
        /// A carton, labelled with its SSCC.
        Carton => "carton",
        /// A pallet, labelled with its SSCC, carrying cartons.
        Pallet => "pallet",
    }
}

text_enum! {
    /// Why goods or cartons came out of a handling unit.
    pub enum UnpackReason {
        /// Some goods taken out again (packed by mistake, or to make room).
        Removed => "removed",
        /// The unit broken up: everything on or in it taken off.
        Broken => "broken",
        /// Everything moved into another unit of the same order.
        Consolidated => "consolidated",
    }
}

/// `packing.built`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitBuilt {
    /// The unit's licence plate: the SSCC minted for it.
    pub lpn: String,
    /// Carton or pallet.
    pub unit_kind: UnitKind,
    /// The customer order it is for ("" for a pallet of several orders).
    pub order_ref: String,
    /// Location code where it was built (staging).
    pub location: String,
}

/// `packing.packed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Packed {
    /// The unit packed into.
    pub lpn: String,
    /// Its kind.
    pub unit_kind: UnitKind,
    /// Its order ("" for a pallet of several orders).
    pub order_ref: String,
    /// Location code where it was packed.
    pub location: String,
    /// The tote or unit the goods came out of ("" for loose goods).
    pub from_lpn: String,
    /// The goods packed (none when a carton was put onto a pallet).
    pub lines: Vec<MovedLine>,
    /// The cartons put onto this pallet.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<String>,
    /// Ledger rows written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub movements: Movements,
}

/// `packing.unpacked`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unpacked {
    /// The unit unpacked.
    pub lpn: String,
    /// Its kind.
    pub unit_kind: UnitKind,
    /// Its order ("" for a pallet of several orders).
    pub order_ref: String,
    /// Location code where it was unpacked.
    pub location: String,
    /// Why.
    pub reason: UnpackReason,
    /// Where the goods went: the unit they were consolidated into, or "" (loose at the location).
    pub to_lpn: String,
    /// The goods taken out.
    pub lines: Vec<MovedLine>,
    /// The cartons taken off a pallet.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<String>,
    /// Ledger rows written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub movements: Movements,
}

/// `shipping.loaded`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Loaded {
    /// The order shipped.
    pub order_ref: String,
    /// The dock door (a shipping location) whose label was scanned.
    pub door: String,
    /// The carton or pallet loaded.
    pub lpn: String,
    /// Its kind.
    pub unit_kind: UnitKind,
    /// The cartons on the pallet, loaded with it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<String>,
    /// What it holds, cartons included.
    pub lines: Vec<MovedLine>,
    /// Ledger rows written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub movements: Movements,
}

/// `shipping.shipped`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shipped {
    /// The order shipped.
    pub order_ref: String,
    /// The dock door it left from.
    pub door: String,
    /// The cartons and pallets that left (pallets first, then the cartons on them).
    pub units: Vec<String>,
    /// What left, one line per item, lot and serial.
    pub lines: Vec<MovedLine>,
    /// When the order had to leave (UTC, RFC 3339; the earliest of its pick tasks), `None` when
    /// it had no deadline. The shipment is on time when the event occurred at or before it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ship_by: Option<String>,
    /// Base units taken out of the order's cartons again (unpacked with reason `removed`) before
    /// it shipped: 0 for an order packed right the first time (the pack accuracy KPI).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub repacked: i64,
    /// Ledger rows written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub movements: Movements,
}

impl Shipped {
    /// Whether a shipment that left at `at` (RFC 3339) was on time: at or before the order's
    /// ship-by time. `None` when the order had no deadline or a time does not parse.
    pub fn on_time(&self, at: &str) -> Option<bool> {
        let by = chrono::DateTime::parse_from_rfc3339(self.ship_by.as_deref()?).ok()?;
        Some(chrono::DateTime::parse_from_rfc3339(at).ok()? <= by)
    }
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

/// `correction.voided`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Voided {
    /// The event voided (the first of its command).
    pub voided_event_id: Uuid,
    /// Its type.
    pub voided_event_type: EventKind,
    /// Its seq.
    pub voided_seq: i64,
    /// The voided command.
    pub voided_op_id: Uuid,
    /// Every event of the voided command.
    pub voided_event_ids: Vec<Uuid>,
    /// Why.
    pub reason: String,
    /// Ledger rows reversed.
    pub movements_reversed: i64,
    /// The supervisor who approved it.
    pub approved_by: String,
    /// Ledger rows written (the reversals).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub movements: Movements,
}

impl EventKind {
    /// Whether events of this kind may carry ledger rows (`movements`).
    pub fn moves_stock(self) -> bool {
        match self {
            EventKind::LineReceived
            | EventKind::PutawayConfirmed
            | EventKind::MoveConfirmed
            | EventKind::PickConfirmed
            | EventKind::PickShort
            | EventKind::CountAdjusted
            | EventKind::ReturnReceived
            | EventKind::ReturnInspected
            | EventKind::StockReleased
            | EventKind::Packed
            | EventKind::Unpacked
            | EventKind::Loaded
            | EventKind::Shipped
            | EventKind::Voided => true,
            EventKind::BlindOpened
            | EventKind::ReceiptDiscrepancy
            | EventKind::ReceiptClosed
            | EventKind::PickTaskStarted
            | EventKind::PickTaskCancelled
            | EventKind::CountTaskCreated
            | EventKind::CountStarted
            | EventKind::Counted
            | EventKind::ReplenishmentRaised
            | EventKind::UnitBuilt => false,
        }
    }
}

impl EventBody {
    /// The ledger rows the event carries (empty for kinds that move no stock).
    pub fn movements(&self) -> &[EventMovement] {
        match self {
            EventBody::LineReceived(e) => &e.movements,
            EventBody::PutawayConfirmed(e) => &e.movements,
            EventBody::MoveConfirmed(e) => &e.movements,
            EventBody::PickConfirmed(e) => &e.movements,
            EventBody::PickShort(e) => &e.movements,
            EventBody::CountAdjusted(e) => &e.movements,
            EventBody::ReturnReceived(e) => &e.movements,
            EventBody::ReturnInspected(e) => &e.movements,
            EventBody::StockReleased(e) => &e.movements,
            EventBody::Packed(e) => &e.movements,
            EventBody::Unpacked(e) => &e.movements,
            EventBody::Loaded(e) => &e.movements,
            EventBody::Shipped(e) => &e.movements,
            EventBody::Voided(e) => &e.movements,
            EventBody::BlindOpened(_)
            | EventBody::ReceiptDiscrepancy(_)
            | EventBody::ReceiptClosed(_)
            | EventBody::PickTaskStarted(_)
            | EventBody::PickTaskCancelled(_)
            | EventBody::CountTaskCreated(_)
            | EventBody::CountStarted(_)
            | EventBody::Counted(_)
            | EventBody::ReplenishmentRaised(_)
            | EventBody::UnitBuilt(_) => &[],
        }
    }
}
