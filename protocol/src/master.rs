//! Master data and tasks as they travel from the hub (or the ERP through it) to devices: items,
//! units, barcodes, locations, operators, expected receipts, pick and count tasks, expected
//! returns. Devices store them; nothing here knows how.

use serde::{Deserialize, Serialize};

use crate::credential::Credential;
use crate::text_enum;

text_enum! {
    /// How an item's stock is told apart.
    pub enum Tracking {
        /// Quantity only.
        None => "none",
        /// By lot (batch).
        Lot => "lot",
        /// By lot, each lot with an expiry date.
        LotExpiry => "lot_expiry",
        /// Each unit by its serial number.
        Serial => "serial",
    }
}

text_enum! {
    /// ABC classification by value or velocity.
    pub enum AbcClass {
        /// Highest value or velocity.
        A => "A",
        /// Middle.
        B => "B",
        /// Lowest.
        C => "C",
    }
}

text_enum! {
    /// What a location is for.
    pub enum LocationKind {
        /// Receiving dock door or staging lane.
        Dock => "dock",
        /// Reserve storage.
        Storage => "storage",
        /// Forward pick face.
        PickFace => "pick_face",
        /// Outbound staging (picked goods).
        Staging => "staging",
        /// Quality or expiry hold.
        Quarantine => "quarantine",
        /// Returns bench.
        Returns => "returns",
        /// Damaged goods cage.
        Damaged => "damaged",
        /// Shipping lane.
        Shipping => "shipping",
    }
}

text_enum! {
    /// Whether a location can be used.
    pub enum LocationStatus {
        /// In use.
        Active => "active",
        /// Nothing may be moved in.
        Blocked => "blocked",
    }
}

text_enum! {
    /// What an operator may do.
    pub enum Role {
        /// Scans and confirms.
        Operator => "operator",
        /// Also approves overrides and adjustments.
        Supervisor => "supervisor",
    }
}

/// An item as master data describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// Stock keeping unit: the item's code.
    pub sku: String,
    /// What a person reads on screen.
    pub description: String,
    /// The unit quantities are counted in (e.g. `EA`).
    pub base_unit: String,
    /// How stock of this item is told apart.
    pub tracking: Tracking,
    /// Least remaining shelf life, in days, for goods to be received as sellable.
    #[serde(default)]
    pub min_shelf_life_days: u32,
    /// Received goods go to quarantine for inspection.
    #[serde(default)]
    pub inspection_required: bool,
    /// ABC class.
    pub abc_class: AbcClass,
    /// Value of one base unit, in cents.
    #[serde(default)]
    pub unit_value_cents: i64,
    /// Zone where putaway looks for an empty location.
    #[serde(default)]
    pub putaway_zone: Option<String>,
}

/// How many base units one `unit` of an item holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitConversion {
    /// The item.
    pub sku: String,
    /// The unit, e.g. `CS`.
    pub unit: String,
    /// Base units per `unit`.
    pub factor: i64,
}

/// A code that identifies `quantity` of `unit` of an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Barcode {
    /// The scanned value (GTIN-14 normalised, EAN, UPC or internal code).
    pub code: String,
    /// The item.
    pub sku: String,
    /// The pack unit the code stands for.
    pub unit: String,
    /// How many of `unit` one scan means.
    pub quantity: i64,
}

/// A place stock can be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    /// Location code, as printed on the label (e.g. `A-01-03`).
    pub code: String,
    /// Zone.
    pub zone: String,
    /// What it is for.
    pub kind: LocationKind,
    /// Whether it can be used.
    pub status: LocationStatus,
    /// Whether picking may take from it.
    pub pickable: bool,
    /// Walk order for picking and putaway suggestions.
    pub pick_sequence: i64,
    /// The short code on the label that proves the operator is at the location.
    pub check_string: String,
    /// Most base units the location holds, of all goods together (`None`: no limit). A move or a
    /// putaway that would exceed it is refused. Left out of the JSON when `None`, so a location
    /// without one reads as it did before the field existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_units: Option<i64>,
    /// The item a pick face is kept stocked with, and its minimum and maximum (`None`: not
    /// replenished). Left out of the JSON when `None`, like `max_units`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replenish: Option<Replenishment>,
}

/// Min/max replenishment of a pick face: a pick that leaves fewer than `min_units` of the item
/// there raises a task to bring it back up to `max_units` from reserve storage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Replenishment {
    /// The item kept on the face.
    pub sku: String,
    /// Fewer base units than this left after a pick raises a task.
    pub min_units: i64,
    /// What the task brings the face back up to.
    pub max_units: i64,
}

impl Location {
    /// Every limit a location carries: most units and pick-face levels.
    pub fn check_limits(&self) -> Result<(), crate::error::ProtocolError> {
        self.check_max_units()?;
        self.check_replenish()
    }

    /// Min/max, when given, name an item and read `0 <= min < max`, with `max` within the
    /// location's most units (checked by the hub's import and by the device, like
    /// [`Location::check_max_units`]).
    pub fn check_replenish(&self) -> Result<(), crate::error::ProtocolError> {
        let Some(r) = &self.replenish else {
            return Ok(());
        };
        let code = crate::error::prefix(&self.code, 40);
        let problem = if self.kind != LocationKind::PickFace {
            Some(format!(
                "only a pick face is kept stocked between a min and a max, and this is {}",
                self.kind
            ))
        } else if r.sku.trim().is_empty() {
            Some("name the item the pick face is kept stocked with".to_string())
        } else if r.min_units < 0 || r.max_units <= r.min_units {
            Some(format!(
                "min {} and max {} cannot be a pick face's levels: give 0 <= min < max",
                r.min_units, r.max_units
            ))
        } else {
            match self.max_units {
                Some(most) if r.max_units > most => Some(format!(
                    "max {} is more than the {most} units the location holds",
                    r.max_units
                )),
                _ => None,
            }
        };
        match problem {
            Some(p) => Err(crate::error::ProtocolError::invalid(
                "replenish",
                format!("location {code}: {p}"),
            )),
            None => Ok(()),
        }
    }

    /// A most-units limit, when given, is at least 1 (checked by the hub's import and by the device
    /// before either stores the location).
    pub fn check_max_units(&self) -> Result<(), crate::error::ProtocolError> {
        match self.max_units {
            Some(max) if max < 1 => Err(crate::error::ProtocolError::invalid(
                "max_units",
                format!(
                    "location {}: {max} cannot be its most units; give at least 1, or none for no limit",
                    crate::error::prefix(&self.code, 40)
                ),
            )),
            _ => Ok(()),
        }
    }
}

/// A person who scans.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operator {
    /// Login id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// What they may approve.
    pub role: Role,
    /// Inactive operators cannot run commands.
    pub active: bool,
}

/// A page of master data. Order inside does not matter: items are written before what refers to them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MasterData {
    /// Items.
    #[serde(default)]
    pub items: Vec<Item>,
    /// Unit conversions.
    #[serde(default)]
    pub units: Vec<UnitConversion>,
    /// Barcodes.
    #[serde(default)]
    pub barcodes: Vec<Barcode>,
    /// Locations.
    #[serde(default)]
    pub locations: Vec<Location>,
    /// Operators.
    #[serde(default)]
    pub operators: Vec<Operator>,
    /// Operators' badges and PIN hashes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub credentials: Vec<Credential>,
}

/// One expected line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpectedLine {
    /// Line number, unique in the receipt, from 1.
    pub line_no: i64,
    /// Item SKU.
    pub sku: String,
    /// Expected quantity in `unit`.
    pub quantity: i64,
    /// Unit of `quantity` (the item's base unit when `None`).
    #[serde(default)]
    pub unit: Option<String>,
    /// Expected lot.
    #[serde(default)]
    pub lot: Option<String>,
    /// Pallet SSCC this line arrives on.
    #[serde(default)]
    pub sscc: Option<String>,
}

/// An ASN or PO to receive against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpectedReceipt {
    /// Receipt id.
    pub receipt_id: String,
    /// PO / ASN reference.
    pub reference: String,
    /// Supplier.
    pub supplier: String,
    /// Lines.
    pub lines: Vec<ExpectedLine>,
}

/// One order line to pick.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PickLineRequest {
    /// Line number, unique in the task, from 1.
    pub line_no: i64,
    /// Item SKU.
    pub sku: String,
    /// Quantity in `unit`.
    pub quantity: i64,
    /// Unit of `quantity` (the item's base unit when `None`).
    #[serde(default)]
    pub unit: Option<String>,
    /// A lot the customer requires.
    #[serde(default)]
    pub lot: Option<String>,
}

/// A pick task as the hub sends it (or as a device creates it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PickTaskRequest {
    /// Task id.
    pub task_id: String,
    /// Customer order reference.
    pub order_ref: String,
    /// Staging location code the picked goods go to.
    pub staging: String,
    /// When the order must leave the dock (RFC 3339 with an offset); a shipment closed later is
    /// late. `None`: no deadline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ship_by: Option<String>,
    /// Lines.
    pub lines: Vec<PickLineRequest>,
}

impl PickTaskRequest {
    /// The ship-by time, when given, as a time (checked by the hub's import and by the device).
    pub fn ship_by_time(
        &self,
    ) -> Result<Option<chrono::DateTime<chrono::FixedOffset>>, crate::error::ProtocolError> {
        let Some(text) = &self.ship_by else {
            return Ok(None);
        };
        chrono::DateTime::parse_from_rfc3339(text.trim())
            .map(Some)
            .map_err(|_| {
                crate::error::ProtocolError::invalid(
                    "ship_by",
                    format!(
                        "pick task {}: {:?} is not a date and time with an offset (RFC 3339, e.g. \
                         2026-12-04T17:00:00+01:00)",
                        crate::error::prefix(&self.task_id, 40),
                        crate::error::prefix(text, 40)
                    ),
                )
            })
    }
}

/// A count task as the hub sends it or a device creates it: a location, or an item everywhere.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountTaskRequest {
    /// Task id.
    pub task_id: String,
    /// Location code to count (everything in it).
    #[serde(default)]
    pub location: Option<String>,
    /// Item SKU to count (in every location holding it).
    #[serde(default)]
    pub sku: Option<String>,
    /// Why it is counted.
    #[serde(default)]
    pub reason: String,
}

/// One announced line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpectedReturnLine {
    /// Line number.
    pub line_no: i64,
    /// Item SKU.
    pub sku: String,
    /// Quantity in the item's base unit.
    pub quantity: i64,
    /// Lot sold, when known.
    #[serde(default)]
    pub lot: Option<String>,
    /// Serial sold, when known.
    #[serde(default)]
    pub serial: Option<String>,
}

/// An RMA.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpectedReturn {
    /// RMA number (the id the bench receives it under).
    pub return_id: String,
    /// Order or customer reference.
    pub reference: String,
    /// Customer.
    pub customer: String,
    /// Lines.
    pub lines: Vec<ExpectedReturnLine>,
}
