//! The wire types of docs/sync-api.yaml, shared by the device sync engine and the hub.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

pub use crate::envelope::Envelope;
use crate::master::{
    CountTaskRequest, ExpectedReceipt, ExpectedReturn, MasterData, PickTaskRequest,
};

/// The header a device sends with every request to the hub: its clock's time now (RFC 3339). The
/// hub records how far the device's clock is from its own at each sync
/// ([`DeviceStatus::clock_skew_ms`]), so that the times of the device's events can be corrected.
pub const DEVICE_TIME_HEADER: &str = "dockhand-device-time";

/// The header a device sends with every request: the app and the library it runs
/// (`scanner 1.4.2; dockhand 0.1.0`), shown on the supervisor's floor.
pub const DEVICE_APP_HEADER: &str = "dockhand-device-app";
/// The header a device sends with every request: how many events it recorded that the hub has
/// not yet taken (its queue, as the floor shows it).
pub const DEVICE_PENDING_HEADER: &str = "dockhand-device-pending";
/// The header a device sends with every request while an operator is signed in on it: their id.
pub const DEVICE_OPERATOR_HEADER: &str = "dockhand-device-operator";

/// The header every answer of the hub carries: its clock's time then (RFC 3339, milliseconds), so
/// that a device can tell its operator its clock is off.
pub const HUB_TIME_HEADER: &str = "dockhand-hub-time";

/// The longest device id, in characters.
pub const MAX_DEVICE_ID: usize = 64;

/// Whether `id` may name a device: 1 to 64 characters of letters, digits and `. _ - : @`. Devices
/// check it when they open their database, the hub when one registers.
pub fn check_device_id(id: &str) -> Result<(), crate::ProtocolError> {
    let shown = crate::error::prefix(id, 40);
    let chars = id.chars().count();
    if chars == 0 || chars > MAX_DEVICE_ID {
        return Err(crate::ProtocolError::invalid(
            "device id",
            format!("{shown:?} has {chars} characters; a device id has 1 to {MAX_DEVICE_ID}"),
        ));
    }
    if let Some(c) = id
        .chars()
        .find(|c| !(c.is_alphanumeric() || ".-_:@".contains(*c)))
    {
        return Err(crate::ProtocolError::invalid(
            "device id",
            format!(
                "{shown:?} holds {c:?} (U+{:04X}); a device id is letters, digits and . _ - : @",
                u32::from(c)
            ),
        ));
    }
    Ok(())
}

/// An error answer: a stable code and a sentence with the values involved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// Stable code, e.g. `token_expired`.
    pub code: String,
    /// What was wrong.
    pub message: String,
}

/// `GET /health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// Always `ok` when the hub answers 200.
    pub status: String,
    /// `sqlite` or `postgres`.
    pub backend: String,
    /// `development` or `production`.
    pub mode: String,
    /// The hub's version.
    pub version: String,
}

/// `POST /v1/devices/register`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    /// The device.
    pub device_id: String,
    /// A name people recognise.
    #[serde(default)]
    pub name: String,
    /// The hub's registration secret (production mode).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_secret: Option<String>,
    /// The device's Ed25519 public key (64 hex digits): the hub verifies every event's signature
    /// with it. Required in production mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
    /// The site (warehouse) the device works in; none: the hub's only site.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
}

/// `POST /v1/devices/key`: a device whose token an administrator issued tells the hub its key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyEnrolment {
    /// The device's Ed25519 public key (64 hex digits).
    pub public_key: String,
}

/// A bearer token issued to a device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceToken {
    /// The device.
    pub device_id: String,
    /// The token.
    pub token: String,
    /// When it stops working (RFC 3339 UTC).
    pub expires_at: String,
}

/// `POST /v1/events`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventBatch {
    /// The device all events belong to.
    pub device_id: String,
    /// Events in seq order.
    pub events: Vec<Envelope>,
}

/// What the hub did with one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventStatus {
    /// Stored and applied now.
    Accepted,
    /// Already stored and applied earlier.
    Duplicate,
    /// Stored after a gap; applied once the gap is filled.
    Held,
    /// Refused with a code and reason (it keeps its place in the device's chain).
    Rejected,
}

/// The hub's answer for one event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventOutcome {
    /// Event id.
    pub event_id: Uuid,
    /// Its seq.
    pub seq: i64,
    /// What happened.
    pub status: EventStatus,
    /// Rejection code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Rejection reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The answer to a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntakeResult {
    /// One per event, in the order sent.
    pub results: Vec<EventOutcome>,
    /// The device's highest seq the hub holds with no gap before it.
    pub contiguous_seq: i64,
}

/// What a change is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// An item.
    Item,
    /// A unit conversion.
    Unit,
    /// A barcode.
    Barcode,
    /// A location.
    Location,
    /// An operator.
    Operator,
    /// An operator's badge and PIN hash.
    Credential,
    /// An ASN / PO to receive.
    ExpectedReceipt,
    /// A pick task.
    PickTask,
    /// A count task.
    CountTask,
    /// A customer return announced by the ERP (RMA).
    ExpectedReturn,
    /// The ERP refused an event the hub had accepted: its device shows it as an exception.
    EventRejection,
    /// Who holds a pick or count task ([`crate::tasks::TaskClaim`], keyed `pick/T1`).
    TaskClaim,
    /// A replenishment task one handheld raised, shared with the site
    /// ([`crate::tasks::SharedReplenishment`], keyed by task id).
    ReplenishmentTask,
    /// A tote, carton or pallet as the site's handhelds last left it
    /// ([`crate::tasks::SharedUnit`], keyed by licence plate).
    HandlingUnit,
}

impl ChangeKind {
    /// Every kind, in the order a page applies them (items before their barcodes…).
    pub const ALL: [ChangeKind; 14] = [
        ChangeKind::Item,
        ChangeKind::Unit,
        ChangeKind::Barcode,
        ChangeKind::Location,
        ChangeKind::Operator,
        ChangeKind::Credential,
        ChangeKind::ExpectedReceipt,
        ChangeKind::PickTask,
        ChangeKind::CountTask,
        ChangeKind::ExpectedReturn,
        ChangeKind::EventRejection,
        ChangeKind::TaskClaim,
        ChangeKind::ReplenishmentTask,
        ChangeKind::HandlingUnit,
    ];

    /// The name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Item => "item",
            ChangeKind::Unit => "unit",
            ChangeKind::Barcode => "barcode",
            ChangeKind::Location => "location",
            ChangeKind::Operator => "operator",
            ChangeKind::Credential => "credential",
            ChangeKind::ExpectedReceipt => "expected_receipt",
            ChangeKind::PickTask => "pick_task",
            ChangeKind::CountTask => "count_task",
            ChangeKind::ExpectedReturn => "expected_return",
            ChangeKind::EventRejection => "event_rejection",
            ChangeKind::TaskClaim => "task_claim",
            ChangeKind::ReplenishmentTask => "replenishment_task",
            ChangeKind::HandlingUnit => "handling_unit",
        }
    }

    /// Whether rows of this kind belong to one site (a warehouse's locations, documents and
    /// tasks) rather than to every site of the hub (items, units, barcodes, operators, badges).
    pub fn per_site(self) -> bool {
        matches!(
            self,
            ChangeKind::Location
                | ChangeKind::ExpectedReceipt
                | ChangeKind::PickTask
                | ChangeKind::CountTask
                | ChangeKind::ExpectedReturn
                | ChangeKind::EventRejection
                | ChangeKind::TaskClaim
                | ChangeKind::ReplenishmentTask
                | ChangeKind::HandlingUnit
        )
    }

    /// The kind named `name`.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// One changed row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// What it is.
    pub kind: ChangeKind,
    /// `upsert` (deletes are not sent: master data is deactivated, not removed).
    pub op: String,
    /// Its key (SKU, barcode, location code, task id…).
    pub key: String,
    /// The row: the [`crate::master`] type of its kind as JSON.
    pub data: Value,
}

/// `GET /v1/changes`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangesPage {
    /// Changes in the hub's order.
    pub changes: Vec<Change>,
    /// Where the next page starts; opaque.
    pub next_cursor: String,
    /// Whether more changes follow.
    pub has_more: bool,
}

/// An accepted event in the ERP feed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedEvent {
    /// The hub's order of acceptance.
    pub hub_seq: i64,
    /// When the hub received it.
    pub received_at: String,
    /// The event.
    #[serde(flatten)]
    pub event: Envelope,
}

/// `GET /v1/feed/events`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventsPage {
    /// Accepted events.
    pub events: Vec<FeedEvent>,
    /// Where the next page starts; opaque.
    pub next_cursor: String,
    /// Whether more events follow.
    pub has_more: bool,
}

/// An event the ERP refused after the hub had accepted it, or a person's decision on an event the
/// hub or the ERP refused (kind `event_rejection`, keyed by event id): the device it came from
/// marks it rejected with the reason, for a person to resolve, and later settled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRejection {
    /// The device that recorded it.
    pub device_id: String,
    /// Its position on that device.
    pub seq: i64,
    /// The event.
    pub event_id: uuid::Uuid,
    /// Stable code (`erp_refused`…).
    pub code: String,
    /// The ERP's sentence.
    pub reason: String,
    /// What a person at the hub made of it (crate::exceptions): `resolved` or `dismissed` (the
    /// device shows it settled, with the note), `retried` (the hub or the ERP took it on a retry:
    /// the device counts it delivered); absent while open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settled: Option<String>,
    /// The note it was settled with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Who settled it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settled_by: Option<String>,
}

/// `POST /v1/admin/import`: master data and tasks.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Import {
    /// The site its locations, documents, tasks and opening balances are for (none: the hub's only
    /// site; a hub of several sites refuses such rows without one). Items, units, barcodes,
    /// operators and badges are shared by every site.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    /// Items, units, barcodes, locations, operators.
    #[serde(flatten)]
    pub master: MasterData,
    /// ASNs / POs.
    #[serde(default)]
    pub expected_receipts: Vec<ExpectedReceipt>,
    /// Pick tasks.
    #[serde(default)]
    pub pick_tasks: Vec<PickTaskRequest>,
    /// Count tasks.
    #[serde(default)]
    pub count_tasks: Vec<CountTaskRequest>,
    /// Customer returns announced (RMAs).
    #[serde(default)]
    pub expected_returns: Vec<ExpectedReturn>,
    /// Events the ERP refused (written by the hub's ERP connector, not imported by people).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub event_rejections: Vec<EventRejection>,
    /// Operators' badges with PINs in plain text: the hub hashes each PIN (Argon2id) and keeps
    /// and sends only the hash.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub badges: Vec<BadgeAssignment>,
    /// The stock already on the shelves when dockhand goes live, a row per bucket: recorded by
    /// the hub as one event of its own, added to its stock, sent to the devices with it, and
    /// never posted to the ERP (the ERP or the shelves are where it came from).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub opening_balances: Vec<OpeningBalance>,
}

/// One bucket of stock on the shelves at go-live.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpeningBalance {
    /// Location code (in the hub's master data).
    pub location: String,
    /// SKU (in the hub's master data).
    pub sku: String,
    /// Lot ("" for none; required for an item tracked by lot).
    #[serde(default)]
    pub lot: String,
    /// The lot's expiry (required for an item tracked by lot and expiry).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiry: Option<chrono::NaiveDate>,
    /// Serial ("" for none; required, with quantity 1, for an item tracked by serial).
    #[serde(default)]
    pub serial: String,
    /// Licence plate ("" for loose stock).
    #[serde(default)]
    pub lpn: String,
    /// Usability (none: available).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<crate::events::StockStatus>,
    /// Base units on the shelf (at least 1).
    pub quantity: i64,
}

/// A count line the hub holds back from the ERP (`GET /v1/admin/counts/held`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldCount {
    /// Count task.
    pub task_id: String,
    /// Round.
    pub round: i64,
    /// Location code.
    pub location: String,
    /// SKU.
    pub sku: String,
    /// Lot ("" for none).
    pub lot: String,
    /// When it was counted (UTC, the hub's clock).
    pub counted_at: String,
    /// Base units found.
    pub found: i64,
    /// The handheld that counted.
    pub device_id: String,
}

/// A correction the hub booked on a count (`GET /v1/admin/counts/reconciled`): what the counting
/// handheld could not know, as a movement of the hub's stock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountReconciled {
    /// The hub's event.
    pub event_id: String,
    /// When the hub booked it (UTC).
    pub recorded_at: String,
    /// In words: the count, what it found, what had moved, what was booked.
    pub source: String,
    /// The movement booked.
    pub movement: crate::events::EventMovement,
}

/// `POST /v1/admin/counts/release`: a supervisor sends held count lines to the ERP now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountRelease {
    /// The site (none: the hub's only site).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    /// Only this task's lines (none: every held line of the site).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_id: Option<String>,
    /// Who releases them (recorded with each line).
    pub released_by: String,
}

crate::text_enum! {
    /// What an event the hub records itself (not a device's) is.
    pub enum HubEventKind {
        /// Stock on the shelves at go-live.
        OpeningBalance => "opening_balance",
        /// The hub's correction of a count: what the count found against the hub's own stock
        /// as of the count (with every device's moves, late ones included), less the adjustment
        /// the counting handheld booked against its own view.
        CountReconciliation => "count_reconciliation",
    }
}

crate::text_enum! {
    /// Where an event the hub records itself came from.
    pub enum HubEventOrigin {
        /// A file an administrator imported.
        Import => "import",
        /// The ERP, through its connector.
        Erp => "erp",
        /// The hub itself (reconciling a count).
        Hub => "hub",
    }
}

/// An operator's badge and PIN as an administrator imports them.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BadgeAssignment {
    /// The operator (imported before or in the same import).
    pub operator_id: String,
    /// What the badge's barcode reads.
    pub badge: String,
    /// 6 to 12 digits, as text (a leading zero counts); hashed on arrival, never stored or
    /// logged.
    pub pin: String,
}

impl std::fmt::Debug for BadgeAssignment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BadgeAssignment")
            .field("operator_id", &self.operator_id)
            .field("badge", &self.badge)
            .finish_non_exhaustive()
    }
}

/// What an import changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportResult {
    /// Rows that became changes.
    pub changed: usize,
    /// Rows equal to what the hub had.
    pub unchanged: usize,
    /// Buckets of opening balance added to the hub's stock.
    #[serde(default)]
    pub opening_buckets: usize,
    /// Their base units.
    #[serde(default)]
    pub opening_units: i64,
    /// Opening balances from the ERP that could not be taken, a sentence each (a file from a
    /// person is refused whole instead).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub opening_left_out: Vec<String>,
}

/// A bucket of the hub's stock view.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct StockLine {
    /// Location code.
    pub location: String,
    /// SKU.
    pub sku: String,
    /// Lot ("" for none).
    pub lot: String,
    /// Serial ("" for none).
    #[serde(default)]
    pub serial: String,
    /// Licence plate ("" for none).
    #[serde(default)]
    pub lpn: String,
    /// Status.
    pub status: String,
    /// Base units.
    pub quantity: i64,
}

impl From<&crate::events::EventMovement> for StockLine {
    /// The bucket a movement changes, with its delta as the quantity.
    fn from(m: &crate::events::EventMovement) -> Self {
        Self {
            location: m.location.clone(),
            sku: m.sku.clone(),
            lot: m.lot.clone(),
            serial: m.serial.clone(),
            lpn: m.lpn.clone(),
            status: m.status.to_string(),
            quantity: m.delta,
        }
    }
}

/// A lot's expiry as the hub knows it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct LotExpiry {
    /// SKU.
    pub sku: String,
    /// Lot.
    pub lot: String,
    /// Expiry date.
    pub expiry: chrono::NaiveDate,
}

/// `GET /v1/stock`: the buckets of the device's site changed after the cursor, in the hub's order
/// of change. A bucket that emptied comes with quantity 0, so the device drops it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockPage {
    /// Buckets with their quantity now (0: empty).
    pub lines: Vec<StockLine>,
    /// Where the next page starts; opaque.
    pub next_cursor: String,
    /// Whether more changed buckets follow.
    pub has_more: bool,
    /// The expiry of the lots the lines name, where the hub knows one (from opening balances and
    /// receipts): a device that never saw a lot still sorts it first-expiry first-out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lots: Vec<LotExpiry>,
    /// The highest seq of the asking device's events that the stock above includes (its
    /// contiguous seq at the hub): the device adds its own later movements to it.
    pub applied_seq: i64,
}

/// A rejected event at the hub.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HubException {
    /// Device.
    pub device_id: String,
    /// Its seq.
    pub seq: i64,
    /// Event id.
    pub event_id: Uuid,
    /// Event type.
    pub event_type: String,
    /// Rejection code.
    pub code: String,
    /// Rejection reason.
    pub reason: String,
    /// When the hub received it.
    pub received_at: String,
}

/// A device's intake position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceStatus {
    /// Device.
    pub device_id: String,
    /// Highest seq with no gap before it.
    pub contiguous_seq: i64,
    /// Events held behind a gap.
    pub held: i64,
    /// Rejected events.
    pub rejected: i64,
    /// Last request from the device.
    pub last_seen: Option<String>,
    /// Whether the hub has the device's public key (its events are verified).
    #[serde(default)]
    pub signed: bool,
    /// Why the device is held for a supervisor (its chain forked), since when; `None` when not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held_for_supervisor: Option<String>,
    /// How far the device's clock was ahead of the hub's (behind: negative) at its last check,
    /// in milliseconds (`None`: the device never sent its time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock_skew_ms: Option<i64>,
    /// When the hub last checked the device's clock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock_checked_at: Option<String>,
    /// The site the device works in.
    #[serde(default)]
    pub site: String,
    /// Its name, as registered (`handheld-09`, `dock door 3`).
    #[serde(default)]
    pub name: String,
    /// When an administrator revoked it (its tokens stopped working then); `None`: not revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<String>,
    /// The app and library it last said it runs ([`DEVICE_APP_HEADER`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app: Option<String>,
    /// Events it last said it holds for the hub ([`DEVICE_PENDING_HEADER`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<i64>,
    /// The operator it last said is signed in ([`DEVICE_OPERATOR_HEADER`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
    /// When it last said so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reported_at: Option<String>,
}
