//! The core's result types as the apps see them. Each definition mirrors the dockhand-core type of
//! the same name (`#[uniffi::remote]`): the compiler checks the mirror against the real type, and
//! no conversion code stands between them. Ids and dates cross as text (UUIDs, `YYYY-MM-DD`).

use chrono::NaiveDate;
use dockhand_core::StockStatus;
use dockhand_core::catalog::{AbcClass, Barcode, CatalogItem, Item, LocationKind, LocationStatus};
use dockhand_core::catalog::{Operator, UnitConversion};
use dockhand_core::catalog::{Replenishment, Role, Tracking};
use dockhand_core::claims::{ClaimHow, TaskClaim, TaskEntry, TaskKind, TaskProgress};
use dockhand_core::counting::{CountLineResult, CountOutcome, CountSheet, CountSubmitted};
use dockhand_core::counting::{CountTask, CountTaskStatus, RiskEntry, RiskParts, RiskRanking};
use dockhand_core::kpis::{Accuracy, Kpis};
use dockhand_core::moves::{MoveConfirmed, MoveKind, MovedLine};
use dockhand_core::outbox::{OutboxCounts, OutboxState, Settlement};
use dockhand_core::picking::{PickAllocation, PickConfirmed, PickInstruction, PickLine};
use dockhand_core::picking::{PickStatus, PickTask, PickTaskStatus};
use dockhand_core::protocol::EventKind;
use dockhand_core::putaway::{PutawayConfirmed, PutawaySuggestion, PutawayTask, SuggestionRule};
use dockhand_core::quality::StockReleased;
use dockhand_core::receiving::{
    DiscrepancyKind, LineDiscrepancy, LineReceived, Receipt, ReceiptClosed,
};
use dockhand_core::receiving::{ReceiptKind, ReceiptLine, ReceiptStatus};
use dockhand_core::replenishment::ReplenishmentTask;
use dockhand_core::returns::expected::{ExpectedReturn, ExpectedReturnLine};
use dockhand_core::returns::{InspectionOutcome, Return, ReturnLine, ReturnLineInspected};
use dockhand_core::stock::{AvailableToPromise, Balance, StatusTotal};
use dockhand_core::sync::engine::{SyncState, SyncStatus};
use dockhand_core::sync::protocol::DeviceToken;
use uuid::Uuid;

uniffi::custom_type!(Uuid, String, {
    remote,
    try_lift: |text| Ok(Uuid::parse_str(&text)?),
    lower: |id| id.to_string(),
});

/// A moment with its UTC offset: `java.time.OffsetDateTime` in Kotlin, an aware
/// `datetime.datetime` in Python (uniffi.toml); it crosses as RFC 3339 text.
pub type Moment = chrono::DateTime<chrono::FixedOffset>;

uniffi::custom_type!(Moment, String, {
    remote,
    try_lift: |text| Ok(crate::error::moment(&text, "date and time")?),
    lower: |moment| moment.to_rfc3339(),
});

// Kotlin and Python see their own date types (uniffi.toml); a text that is no date is refused
// with the app's own error type.
uniffi::custom_type!(NaiveDate, String, {
    remote,
    try_lift: |text| Ok(crate::error::date(&text, "date")?),
    lower: |date| date.to_string(),
});

/// What an event records: one kind per type of the protocol (`receiving.line_received` is
/// `LINE_RECEIVED`). A new kind fails to compile here until the apps can see it.
#[uniffi::remote(Enum)]
pub enum EventKind {
    BlindOpened,
    LineReceived,
    ReceiptDiscrepancy,
    ReceiptClosed,
    PutawayConfirmed,
    MoveConfirmed,
    PickTaskStarted,
    PickConfirmed,
    PickShort,
    PickTaskCancelled,
    CountTaskCreated,
    CountStarted,
    Counted,
    CountAdjusted,
    ReplenishmentRaised,
    ReturnReceived,
    ReturnInspected,
    StockReleased,
    UnitBuilt,
    Packed,
    Unpacked,
    Loaded,
    Shipped,
    Voided,
}

/// Usability of stock: quantity and status are kept apart.
#[uniffi::remote(Enum)]
pub enum StockStatus {
    /// On a dock, not yet put away.
    Received,
    /// Usable: pickable and promisable.
    Available,
    /// Moving between sites.
    InTransit,
    /// Held for inspection, a recall or a short shelf life.
    Quarantined,
    /// Damaged: not sellable.
    Damaged,
    /// Returned by a customer, waiting for inspection.
    ReturnPending,
}

/// Why a putaway location was suggested.
#[uniffi::remote(Enum)]
pub enum SuggestionRule {
    /// A location already holding the same item and lot.
    SameItemAndLot,
    /// The first empty location in the item's zone.
    EmptyInZone,
    /// The quarantine area.
    Quarantine,
    /// The damaged-goods area.
    Damaged,
}

/// Where a putaway should go.
#[uniffi::remote(Record)]
pub struct PutawaySuggestion {
    /// Location code.
    pub location: String,
    /// Its zone.
    pub zone: String,
    /// Why this one.
    pub rule: SuggestionRule,
    /// Status the stock will have there.
    pub status_after: StockStatus,
}

/// Goods waiting on a dock, with where they should go.
#[uniffi::remote(Record)]
pub struct PutawayTask {
    /// Item.
    pub sku: String,
    /// Lot ("" when untracked).
    pub lot: String,
    /// Licence plate ("" when loose).
    pub lpn: String,
    /// Status on the dock.
    pub status: StockStatus,
    /// Base units on the dock.
    pub on_dock: i64,
    /// Base units one scan of the scanned code stands for (`on_dock / base_per_scan` packs move
    /// everything).
    pub base_per_scan: i64,
    /// The suggested location.
    pub suggestion: PutawaySuggestion,
}

/// A putaway recorded.
#[uniffi::remote(Record)]
pub struct PutawayConfirmed {
    /// Item.
    pub sku: String,
    /// Lot.
    pub lot: String,
    /// Serial.
    pub serial: String,
    /// Licence plate moved from.
    pub lpn: String,
    /// Licence plate at the destination.
    pub lpn_after: String,
    /// Base units moved.
    pub base_quantity: i64,
    /// From (dock).
    pub from: String,
    /// To.
    pub to: String,
    /// Status before.
    pub status_before: StockStatus,
    /// Status after.
    pub status_after: StockStatus,
    /// The location suggested.
    pub suggested: Option<String>,
    /// Why the operator chose another.
    pub override_reason: Option<String>,
    /// Base units of the same goods still on the dock.
    pub remaining_on_dock: i64,
    /// The event recorded.
    pub event_id: Uuid,
}

/// What an internal move took.
#[uniffi::remote(Enum)]
pub enum MoveKind {
    /// Loose goods from one location to another.
    Loose,
    /// A whole licence plate; the plate goes along.
    WholePlate,
    /// Part of a plate, taken off it: loose at the destination.
    FromPlate,
}

/// One kind of goods a move took.
#[uniffi::remote(Record)]
pub struct MovedLine {
    /// Item.
    pub sku: String,
    /// Lot ("" when untracked).
    pub lot: String,
    /// Serial ("" when untracked).
    pub serial: String,
    /// Status, the same before and after.
    pub status: StockStatus,
    /// Base units moved.
    pub base_quantity: i64,
    /// The item's base unit.
    pub base_unit: String,
}

/// A move recorded.
#[uniffi::remote(Record)]
pub struct MoveConfirmed {
    /// Loose, a whole plate, or part of a plate.
    pub move_kind: MoveKind,
    /// Plate the goods were on ("" for loose goods).
    pub lpn: String,
    /// Plate at the destination (the plate itself when it moved whole).
    pub lpn_after: String,
    /// From.
    pub from: String,
    /// To.
    pub to: String,
    /// What moved.
    pub lines: Vec<MovedLine>,
    /// Base units moved, all lines together.
    pub base_quantity: i64,
    /// The replenishment task the move worked, as it stands after the move.
    pub task: Option<ReplenishmentTask>,
    /// The event recorded.
    pub event_id: Uuid,
}

/// A supervisor's decision on held stock, recorded.
#[uniffi::remote(Record)]
pub struct StockReleased {
    /// Item.
    pub sku: String,
    /// Lot.
    pub lot: String,
    /// Serial.
    pub serial: String,
    /// Base units.
    pub base_quantity: i64,
    /// Where the goods were.
    pub from: String,
    /// Their status there.
    pub status_before: StockStatus,
    /// The decision.
    pub outcome: InspectionOutcome,
    /// Where they went (none: they left inventory).
    pub to: Option<String>,
    /// Their status now (none: they left inventory).
    pub status_after: Option<StockStatus>,
    /// The supervisor who approved it.
    pub approved_by: String,
    /// The event recorded.
    pub event_id: Uuid,
}

/// What a receive scan recorded.
#[uniffi::remote(Record)]
pub struct LineReceived {
    /// Receipt.
    pub receipt_id: String,
    /// Receipt line credited.
    pub line_no: i64,
    /// Item.
    pub sku: String,
    /// Base units received by this scan.
    pub base_quantity: i64,
    /// Lot ("" when untracked).
    pub lot: String,
    /// Expiry of the lot.
    pub expiry: Option<NaiveDate>,
    /// Serial ("" when not serialised).
    pub serial: String,
    /// Licence plate ("" when loose).
    pub lpn: String,
    /// Dock.
    pub location: String,
    /// `Received`, or `Quarantined` with the reason.
    pub status: StockStatus,
    /// Why the goods are held.
    pub quarantine_reason: Option<String>,
    /// Base units received on the line so far.
    pub line_received: i64,
    /// Base units expected on the line.
    pub line_expected: i64,
    /// Supervisor who approved an over-receipt or a short-dated lot.
    pub approved_by: Option<String>,
    /// The event recorded.
    /// The lot the ASN line expected, when the goods carry another (tell the receiver: the
    /// close reports it as a lot discrepancy).
    pub expected_lot: Option<String>,
    pub event_id: Uuid,
}

/// Announced (ASN) or blind.
#[uniffi::remote(Enum)]
pub enum ReceiptKind {
    /// Announced by an ASN or PO.
    Expected,
    /// Opened at the dock without an announcement.
    Blind,
}

/// Receiving or closed.
#[uniffi::remote(Enum)]
pub enum ReceiptStatus {
    /// Receiving.
    Open,
    /// Done; differences were reported.
    Closed,
}

/// A receipt line.
#[uniffi::remote(Record)]
pub struct ReceiptLine {
    /// Line number.
    pub line_no: i64,
    /// Item.
    pub sku: String,
    /// Base units expected (0 on a blind receipt).
    pub expected: i64,
    /// Base units received.
    pub received: i64,
    /// Lot announced.
    pub lot: Option<String>,
    /// Pallet announced.
    pub sscc: Option<String>,
}

/// A receipt as the dock sees it.
#[uniffi::remote(Record)]
pub struct Receipt {
    /// Receipt id.
    pub id: String,
    /// Announced or blind.
    pub kind: ReceiptKind,
    /// ASN / PO reference.
    pub reference: String,
    /// Supplier.
    pub supplier: String,
    /// Receiving or closed.
    pub status: ReceiptStatus,
    /// Lines.
    pub lines: Vec<ReceiptLine>,
}

/// Expected and received differ on a line.
#[uniffi::remote(Record)]
pub struct LineDiscrepancy {
    /// Line.
    pub line_no: i64,
    /// Item.
    pub sku: String,
    /// Short, over, or another lot.
    pub kind: DiscrepancyKind,
    /// Expected base units (0 of the other lot, for a lot discrepancy).
    pub expected: i64,
    /// Received base units (of the other lot, for a lot discrepancy).
    pub received: i64,
    /// received − expected.
    pub difference: i64,
    /// The lot received instead, for a lot discrepancy.
    pub lot: Option<String>,
    /// The lot the line expected, for a lot discrepancy.
    pub expected_lot: Option<String>,
}

/// How a receipt line differs from what was expected.
#[uniffi::remote(Enum)]
pub enum DiscrepancyKind {
    /// Less received than expected.
    Short,
    /// More received than expected.
    Over,
    /// Goods of another lot than the line expected.
    Lot,
}

/// A receipt closed.
#[uniffi::remote(Record)]
pub struct ReceiptClosed {
    /// Receipt.
    pub receipt_id: String,
    /// Lines that differ.
    pub discrepancies: Vec<LineDiscrepancy>,
    /// Base units received in all.
    pub total_received: i64,
}

/// Where a pick task stands.
#[uniffi::remote(Enum)]
pub enum PickTaskStatus {
    /// Not started.
    Open,
    /// Being picked.
    InProgress,
    /// Every line picked or short.
    Done,
    /// Cancelled; reservations released.
    Cancelled,
}

/// Where one allocated pick stands.
#[uniffi::remote(Enum)]
pub enum PickStatus {
    /// To pick.
    Open,
    /// Picked (in full or short).
    Done,
    /// Released with its task.
    Released,
}

/// An order line of a pick task.
#[uniffi::remote(Record)]
pub struct PickLine {
    /// Line number.
    pub line_no: i64,
    /// Item.
    pub sku: String,
    /// Lot requested.
    pub lot: Option<String>,
    /// Base units ordered.
    pub quantity: i64,
    /// Base units picked.
    pub picked: i64,
    /// Base units short.
    pub short: i64,
}

/// Stock reserved at one location for an order line.
#[uniffi::remote(Record)]
pub struct PickAllocation {
    /// Allocation id (used to confirm it).
    pub id: i64,
    /// Order line.
    pub line_no: i64,
    /// Location to pick from.
    pub location: String,
    /// Item.
    pub sku: String,
    /// Lot.
    pub lot: String,
    /// Expiry of the lot.
    pub expiry: Option<NaiveDate>,
    /// Base units to pick.
    pub quantity: i64,
    /// Base units picked.
    pub picked: i64,
    /// Base units short.
    pub short: i64,
    /// To pick, done or released.
    pub status: PickStatus,
}

/// A pick task with its lines and allocations.
#[uniffi::remote(Record)]
pub struct PickTask {
    /// Task id.
    pub id: String,
    /// Order reference.
    pub order_ref: String,
    /// Where it stands.
    pub status: PickTaskStatus,
    /// Staging location for the picked goods.
    pub staging: String,
    /// Order lines.
    pub lines: Vec<PickLine>,
    /// Allocations in walk order.
    pub allocations: Vec<PickAllocation>,
}

/// The next pick, as a picker's screen shows it.
#[uniffi::remote(Record)]
pub struct PickInstruction {
    /// Allocation to confirm.
    pub allocation_id: i64,
    /// Order line.
    pub line_no: i64,
    /// Go to.
    pub location: String,
    /// Item.
    pub sku: String,
    /// Its description.
    pub description: String,
    /// Lot to take.
    pub lot: String,
    /// Base units to take.
    pub quantity: i64,
    /// Base unit.
    pub unit: String,
}

/// A pick recorded.
#[uniffi::remote(Record)]
pub struct PickConfirmed {
    /// Task.
    pub task_id: String,
    /// Allocation.
    pub allocation_id: i64,
    /// Order line.
    pub line_no: i64,
    /// Item.
    pub sku: String,
    /// Lot.
    pub lot: String,
    /// Base units picked.
    pub picked: i64,
    /// Base units short.
    pub short: i64,
    /// Picked from.
    pub location: String,
    /// Staged at.
    pub staging: String,
    /// Tote ("" when none).
    pub tote: String,
    /// The count task a short pick raised at the location.
    pub count_task_id: Option<String>,
    /// The replenishment task raised because the pick left the pick face below its minimum.
    pub replenishment_task_id: Option<String>,
    /// The task after this pick.
    pub task_status: PickTaskStatus,
}

/// Where a count task stands.
#[uniffi::remote(Enum)]
pub enum CountTaskStatus {
    /// Not started.
    Open,
    /// Being counted.
    Counting,
    /// Needs a second, blind count by another person.
    Recount,
    /// Waiting for a supervisor.
    Approval,
    /// Finished.
    Done,
    /// Cancelled.
    Cancelled,
}

/// A cycle-count task.
#[uniffi::remote(Record)]
pub struct CountTask {
    /// Task id.
    pub id: String,
    /// Location to count.
    pub location: Option<String>,
    /// Item to count everywhere it is.
    pub sku: Option<String>,
    /// Who asked (hub, short_pick, risk, supervisor).
    pub source: String,
    /// Why.
    pub reason: String,
    /// Where it stands.
    pub status: CountTaskStatus,
    /// Count round (1, then 2 for a recount).
    pub round: i64,
    /// Who counted round 1.
    pub first_counter: Option<String>,
}

/// What to count: locations only, never the expected quantities (blind count).
#[uniffi::remote(Record)]
pub struct CountSheet {
    /// Task.
    pub task_id: String,
    /// Round.
    pub round: i64,
    /// Locations to count.
    pub locations: Vec<String>,
    /// Item, for an item count.
    pub sku: Option<String>,
}

/// What a count submission led to.
#[uniffi::remote(Enum)]
pub enum CountOutcome {
    /// Counted as expected.
    NoVariance,
    /// Variances within tolerance applied.
    Adjusted,
    /// A variance beyond tolerance: another person counts again.
    RecountRequired,
    /// Still different after the recount: a supervisor approves.
    ApprovalRequired,
}

/// One counted line.
#[uniffi::remote(Record)]
pub struct CountLineResult {
    /// Location.
    pub location: String,
    /// Item.
    pub sku: String,
    /// Lot.
    pub lot: String,
    /// Base units counted.
    pub counted: i64,
    /// counted − expected, once it may be shown.
    pub variance: Option<i64>,
    /// Goods the location was not expected to hold.
    pub unexpected: bool,
}

/// A count submitted or approved.
#[uniffi::remote(Record)]
pub struct CountSubmitted {
    /// Task.
    pub task_id: String,
    /// Round.
    pub round: i64,
    /// Outcome.
    pub outcome: CountOutcome,
    /// Lines.
    pub lines: Vec<CountLineResult>,
}

/// What an inspector decided about a returned line.
#[uniffi::remote(Enum)]
pub enum InspectionOutcome {
    /// Back to available stock.
    Restock,
    /// Held for a closer look.
    Quarantine,
    /// Damaged: kept apart.
    Damaged,
    /// Destroyed: leaves stock.
    Scrap,
    /// Sent back to the supplier: leaves stock.
    ReturnToVendor,
}

/// A returned line.
#[uniffi::remote(Record)]
pub struct ReturnLine {
    /// Line.
    pub line_no: i64,
    /// Item.
    pub sku: String,
    /// Lot.
    pub lot: String,
    /// Serial.
    pub serial: String,
    /// Base units.
    pub quantity: i64,
    /// Inspection outcome, once inspected.
    pub outcome: Option<InspectionOutcome>,
    /// Reason code given.
    pub reason_code: Option<String>,
    /// Minutes from receipt to available (restocked lines).
    pub minutes_to_available: Option<i64>,
}

/// A customer return.
#[uniffi::remote(Record)]
pub struct Return {
    /// Return id (RMA).
    pub id: String,
    /// Reference.
    pub reference: String,
    /// Customer.
    pub customer: String,
    /// Where the returned goods wait.
    pub location: String,
    /// Lines.
    pub lines: Vec<ReturnLine>,
}

/// An inspection recorded.
#[uniffi::remote(Record)]
pub struct ReturnLineInspected {
    /// Return.
    pub return_id: String,
    /// Line.
    pub line_no: i64,
    /// Item.
    pub sku: String,
    /// Base units.
    pub quantity: i64,
    /// Outcome.
    pub outcome: InspectionOutcome,
    /// Status the goods now have (none when they left stock).
    pub status_after: Option<StockStatus>,
    /// Where to put them.
    pub putaway: Option<PutawaySuggestion>,
    /// Minutes from receipt to available.
    pub minutes_to_available: Option<i64>,
}

/// A line of an expected return (RMA from the ERP).
#[uniffi::remote(Record)]
pub struct ExpectedReturnLine {
    /// Line.
    pub line_no: i64,
    /// Item.
    pub sku: String,
    /// Base units.
    pub quantity: i64,
    /// Lot sold.
    pub lot: Option<String>,
    /// Serial sold.
    pub serial: Option<String>,
}

/// A return the ERP announced.
#[uniffi::remote(Record)]
pub struct ExpectedReturn {
    /// RMA id.
    pub return_id: String,
    /// Reference.
    pub reference: String,
    /// Customer.
    pub customer: String,
    /// Lines.
    pub lines: Vec<ExpectedReturnLine>,
}

/// Stock in one bucket.
#[uniffi::remote(Record)]
pub struct Balance {
    /// Item.
    pub sku: String,
    /// Location.
    pub location: String,
    /// Lot.
    pub lot: String,
    /// Expiry of the lot.
    pub expiry: Option<NaiveDate>,
    /// Serial.
    pub serial: String,
    /// Licence plate.
    pub lpn: String,
    /// Usability.
    pub status: StockStatus,
    /// Base units.
    pub quantity: i64,
}

/// Base units by usability.
#[uniffi::remote(Record)]
pub struct StatusTotal {
    /// Usability.
    pub status: StockStatus,
    /// Base units.
    pub quantity: i64,
    /// Buckets.
    pub rows: i64,
}

/// What can be promised of an item.
#[uniffi::remote(Record)]
pub struct AvailableToPromise {
    /// Available base units.
    pub available: i64,
    /// Reserved for picks.
    pub reserved: i64,
    /// available − reserved.
    pub promisable: i64,
}

/// Accuracy of one group of counted lines.
#[uniffi::remote(Record)]
pub struct Accuracy {
    /// Location or ABC class.
    pub key: String,
    /// Lines counted.
    pub counted_lines: i64,
    /// Of which without variance.
    pub accurate_lines: i64,
    /// accurate / counted.
    pub accuracy: f64,
}

/// A location or item ranked by count risk.
#[uniffi::remote(Record)]
pub struct RiskEntry {
    /// Location code or SKU.
    pub key: String,
    /// Risk score (higher: count sooner).
    pub score: f64,
    /// Share of past counts with a variance.
    pub variance_rate: f64,
    /// Picks since the last count.
    pub picks: i64,
    /// Value held, in cents.
    pub value_cents: i64,
    /// Days since last counted.
    pub days_since_count: Option<i64>,
    /// What each signal added to the score (they sum to it).
    pub parts: RiskParts,
}

/// A risk score part by part.
#[uniffi::remote(Record)]
pub struct RiskParts {
    /// From counts found off.
    pub counts_off: f64,
    /// From picks.
    pub picks: f64,
    /// From value on hand.
    pub value: f64,
    /// From time since the last count.
    pub not_counted: f64,
}

/// Where to count next.
#[uniffi::remote(Record)]
pub struct RiskRanking {
    /// Locations, riskiest first.
    pub locations: Vec<RiskEntry>,
    /// Items, riskiest first.
    pub items: Vec<RiskEntry>,
}

/// Inventory-accuracy KPIs for a period.
#[uniffi::remote(Record)]
pub struct Kpis {
    /// Period start (UTC).
    pub from: String,
    /// Period end (UTC).
    pub to: String,
    /// Lines counted.
    pub counted_lines: i64,
    /// Share of counted lines without variance.
    pub accuracy: Option<f64>,
    /// By location.
    pub accuracy_by_location: Vec<Accuracy>,
    /// By ABC class.
    pub accuracy_by_abc: Vec<Accuracy>,
    /// Base units counted.
    pub counted_units: i64,
    /// Base units adjusted (absolute variances applied).
    pub adjusted_units: i64,
    /// adjusted / counted units.
    pub adjustment_rate: Option<f64>,
    /// Value counted, in cents.
    pub counted_value_cents: i64,
    /// Value adjusted (absolute), in cents.
    pub adjusted_value_cents: i64,
    /// adjusted / counted value.
    pub adjustment_rate_by_value: Option<f64>,
    /// Returned lines restocked.
    pub restocked_lines: i64,
    /// Median minutes from return receipt to available.
    pub return_to_available_median_minutes: Option<f64>,
    /// 90th percentile of the same.
    pub return_to_available_p90_minutes: Option<f64>,
    /// Picks worked.
    pub picks: i64,
    /// Of which short.
    pub short_picks: i64,
    /// short / worked picks.
    pub short_pick_rate: Option<f64>,
    /// Orders shipped.
    pub shipped_orders: i64,
    /// Of which had a ship-by time.
    pub shipped_with_deadline: i64,
    /// Of those, shipped by it.
    pub shipped_on_time: i64,
    /// on time / shipped with a deadline.
    pub on_time_ship_rate: Option<f64>,
    /// Orders shipped with nothing taken out of their cartons again.
    pub packed_right: i64,
    /// packed right / shipped orders.
    pub pack_accuracy: Option<f64>,
    /// Where to count next.
    pub risk: RiskRanking,
}

/// What the sync engine is doing.
#[uniffi::remote(Enum)]
pub enum SyncState {
    /// Nothing to do, or waiting for the next trigger.
    Idle,
    /// Talking to the hub.
    Syncing,
    /// The hub cannot be reached (or the app reported no connectivity); work is kept.
    Offline,
    /// The hub refused something that retrying will not fix alone (see `last_error`).
    Error,
}

/// What a sync status bar shows.
#[uniffi::remote(Record)]
pub struct SyncStatus {
    /// What the engine is doing.
    pub state: SyncState,
    /// Events not yet accepted by the hub (right while offline).
    pub pending: i64,
    /// Events the hub rejected: exceptions to resolve.
    pub rejected: i64,
    /// When the last full sync ended well (UTC).
    pub last_success_at: Option<String>,
    /// The last failure, as a sentence.
    pub last_error: Option<String>,
}

/// How an item is tracked.
#[uniffi::remote(Enum)]
pub enum Tracking {
    /// Quantity only.
    None,
    /// By lot.
    Lot,
    /// By lot with an expiry date.
    LotExpiry,
    /// By serial number (one unit each).
    Serial,
}

/// ABC class (A: fast or valuable, counted most often).
#[uniffi::remote(Enum)]
pub enum AbcClass {
    /// A.
    A,
    /// B.
    B,
    /// C.
    C,
}

/// How many base units one unit of an item holds.
#[uniffi::remote(Record)]
pub struct UnitConversion {
    /// The item.
    pub sku: String,
    /// The unit, e.g. `CS`.
    pub unit: String,
    /// Base units per unit.
    pub factor: i64,
}

/// A code that names `quantity` of `unit` of an item: what to scan.
#[uniffi::remote(Record)]
pub struct Barcode {
    /// What the scanner reads.
    pub code: String,
    /// The item.
    pub sku: String,
    /// The pack unit it stands for.
    pub unit: String,
    /// How many of `unit` one scan means.
    pub quantity: i64,
}

/// An item with its units and barcodes (a catalog screen, or what to scan for an ASN line).
#[uniffi::remote(Record)]
pub struct CatalogItem {
    /// The item.
    pub item: Item,
    /// Its units.
    pub units: Vec<UnitConversion>,
    /// Its barcodes.
    pub barcodes: Vec<Barcode>,
}

/// An item of the catalog.
#[uniffi::remote(Record)]
pub struct Item {
    /// SKU.
    pub sku: String,
    /// Description.
    pub description: String,
    /// Base unit (each, kg…).
    pub base_unit: String,
    /// Tracking.
    pub tracking: Tracking,
    /// Shortest shelf life accepted at receipt, in days.
    pub min_shelf_life_days: u32,
    /// Received goods go to quarantine for inspection.
    pub inspection_required: bool,
    /// ABC class.
    pub abc_class: AbcClass,
    /// Value of one base unit, in cents.
    pub unit_value_cents: i64,
    /// Zone its putaway prefers.
    pub putaway_zone: Option<String>,
}

/// What a location is for.
#[uniffi::remote(Enum)]
pub enum LocationKind {
    /// Receiving dock.
    Dock,
    /// Reserve storage.
    Storage,
    /// Pick face.
    PickFace,
    /// Staging for picked orders.
    Staging,
    /// Quarantine area.
    Quarantine,
    /// Returns area.
    Returns,
    /// Damaged goods.
    Damaged,
    /// Shipping.
    Shipping,
}

/// Whether a location can be used.
#[uniffi::remote(Enum)]
pub enum LocationStatus {
    /// In use.
    Active,
    /// Blocked: nothing goes in or out.
    Blocked,
}

/// A location of the warehouse. Its label's check string is not here: only scanning the label
/// proves that someone stands at the location, so it never leaves the core.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Location {
    /// Code on its label.
    pub code: String,
    /// Zone.
    pub zone: String,
    /// What it is for.
    pub kind: LocationKind,
    /// Active or blocked.
    pub status: LocationStatus,
    /// Pickable.
    pub pickable: bool,
    /// Position on the pick walk.
    pub pick_sequence: i64,
    /// Most base units it holds (`None`: no limit).
    pub max_units: Option<i64>,
    /// The item a pick face is kept stocked with, and its minimum and maximum.
    pub replenish: Option<Replenishment>,
}

/// Min/max replenishment of a pick face.
#[uniffi::remote(Record)]
pub struct Replenishment {
    /// The item kept on the face.
    pub sku: String,
    /// Fewer base units than this left after a pick raises a task.
    pub min_units: i64,
    /// What the task brings the face back up to.
    pub max_units: i64,
}

impl From<dockhand_core::catalog::Location> for Location {
    fn from(l: dockhand_core::catalog::Location) -> Self {
        Self {
            code: l.code,
            zone: l.zone,
            kind: l.kind,
            status: l.status,
            pickable: l.pickable,
            pick_sequence: l.pick_sequence,
            max_units: l.max_units,
            replenish: l.replenish,
        }
    }
}

/// Operator or supervisor.
#[uniffi::remote(Enum)]
pub enum Role {
    /// Operator.
    Operator,
    /// Supervisor: approves over-receipts, overrides and count variances.
    Supervisor,
}

/// A person who signs in on the handheld.
#[uniffi::remote(Record)]
pub struct Operator {
    /// Badge id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Allowed to sign in.
    pub active: bool,
}

/// Where an event is on its trip to the hub.
#[uniffi::remote(Enum)]
pub enum OutboxState {
    /// Not yet accepted by the hub.
    Pending,
    /// The hub has it; it will not be sent again.
    Acknowledged,
    /// The hub refused it: a person must resolve it.
    Rejected,
}

/// Events by delivery state.
#[uniffi::remote(Record)]
pub struct OutboxCounts {
    /// Waiting for the hub.
    pub pending: i64,
    /// Accepted by the hub.
    pub acknowledged: i64,
    /// Refused by the hub: exceptions to resolve.
    pub rejected: i64,
    /// Last event number on this device.
    pub last_seq: i64,
}

/// A token the hub issued to this device. Its text is a secret for the app's secure storage:
/// `toString()`, `str()` and `repr()` never show it.
#[derive(uniffi::Object)]
#[uniffi::export(Display, Debug)]
pub struct IssuedToken(DeviceToken);

impl From<DeviceToken> for IssuedToken {
    fn from(token: DeviceToken) -> Self {
        Self(token)
    }
}

#[uniffi::export]
impl IssuedToken {
    /// The device it was issued to.
    pub fn device_id(&self) -> String {
        self.0.device_id.clone()
    }

    /// The token itself (keep it in the app's secure storage; give it back through the
    /// `TokenProvider`).
    pub fn token(&self) -> String {
        self.0.token.clone()
    }

    /// When it stops working (RFC 3339 UTC).
    pub fn expires_at(&self) -> String {
        self.0.expires_at.clone()
    }
}

impl std::fmt::Display for IssuedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "IssuedToken(device_id={}, expires_at={}, token=<secret>)",
            self.0.device_id, self.0.expires_at
        )
    }
}

impl std::fmt::Debug for IssuedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

/// The kinds of task a device can claim.
#[uniffi::remote(Enum)]
pub enum TaskKind {
    /// A pick task.
    Pick,
    /// A count task.
    Count,
}

/// How a task came to its holder (or lost it).
#[uniffi::remote(Enum)]
pub enum ClaimHow {
    /// The device claimed it.
    Claimed,
    /// A supervisor assigned it.
    Assigned,
    /// The device started it without a claim (offline).
    Started,
    /// Given back: anyone may claim it.
    Released,
}

/// How far a task is, as the hub knows.
#[uniffi::remote(Enum)]
pub enum TaskProgress {
    /// No work recorded.
    Open,
    /// Work recorded.
    InProgress,
    /// Done.
    Done,
    /// Cancelled.
    Cancelled,
}

/// A task's holder as the hub decided it.
#[uniffi::remote(Record)]
pub struct TaskClaim {
    /// Pick or count.
    pub task_kind: TaskKind,
    /// The task.
    pub task_id: String,
    /// The device that holds it (none: nobody).
    pub device_id: Option<String>,
    /// The operator it is for.
    pub operator_id: Option<String>,
    /// That operator's name.
    pub operator_name: Option<String>,
    /// How it came to its holder.
    pub how: ClaimHow,
    /// Who decided: the device, or the supervisor's name.
    pub by: String,
    /// When (hub's clock, RFC 3339 UTC).
    pub at: String,
    /// How far the task is.
    pub progress: TaskProgress,
    /// Devices that recorded work on it (two or more: worked twice).
    pub worked_by: Vec<String>,
}

/// A pick or count task on the device's list, with its holder.
#[uniffi::remote(Record)]
pub struct TaskEntry {
    /// Pick or count.
    pub kind: TaskKind,
    /// The task.
    pub task_id: String,
    /// What it is: `order SO-1001`, `count A-01-04`.
    pub summary: String,
    /// Its state on this device.
    pub status: String,
    /// Who holds it, in words (`handheld-09 (bob)`); none: nobody.
    pub holder: Option<String>,
    /// Whether this device holds it.
    pub mine: bool,
    /// How it came to its holder.
    pub how: Option<ClaimHow>,
}

/// What a person at the hub made of one of this device's refused events.
#[uniffi::remote(Record)]
pub struct Settlement {
    /// The event's seq.
    pub seq: i64,
    /// The event.
    pub event_id: Uuid,
    /// The hub's refusal code.
    pub code: Option<String>,
    /// `resolved`, `dismissed` or `retried` (taken on a retry: delivered).
    pub state: String,
    /// The note it was settled with.
    pub note: Option<String>,
    /// Who settled it.
    pub settled_by: String,
    /// When this device learnt it.
    pub settled_at: String,
}
