//! Queries: what screens show. Synchronous reads of the device database.

use chrono::NaiveDate;
use dockhand_core::catalog::{self, CatalogItem, Item, Operator};
use dockhand_core::claims::{self, TaskEntry};
use dockhand_core::counting::{self, CountSheet, CountTask, RiskRanking};
use dockhand_core::kpis::{self, Kpis};
use dockhand_core::outbox::{self, OutboxCounts, OutboxState};
use dockhand_core::picking::{self, PickInstruction, PickTask};
use dockhand_core::protocol::EventKind;
use dockhand_core::receiving::{self, Receipt};
use dockhand_core::returns::expected::{self, ExpectedReturn};
use dockhand_core::returns::{self, Return};
use dockhand_core::stock::{self, AvailableToPromise, Balance, StatusTotal};
use dockhand_core::{ResolvedScan, verify_integrity};

use crate::Device;
use crate::error::{DockhandError, op_id};
use crate::types::{Location, Moment};

type Result<T> = std::result::Result<T, DockhandError>;

/// What a scan means, for a screen.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum ScanResult {
    /// Goods of a catalog item.
    Goods {
        /// Item SKU.
        sku: String,
        /// The catalog code matched.
        barcode: String,
        /// Pack unit.
        unit: String,
        /// Base units per scan.
        base_per_scan: i64,
        /// Lot on the label.
        lot: Option<String>,
        /// Expiry on the label.
        expiry: Option<NaiveDate>,
        /// Serial on the label.
        serial: Option<String>,
        /// SSCC of the pallet the goods are on.
        sscc: Option<String>,
    },
    /// A pallet label (SSCC only).
    Pallet {
        /// The SSCC.
        sscc: String,
    },
    /// A location label.
    Location {
        /// The location's code.
        code: String,
    },
}

impl From<ResolvedScan> for ScanResult {
    fn from(scan: ResolvedScan) -> Self {
        match scan {
            ResolvedScan::Goods {
                sku,
                barcode,
                unit,
                base_per_scan,
                lot,
                expiry,
                serial,
                sscc,
                ..
            } => Self::Goods {
                sku,
                barcode,
                unit,
                base_per_scan,
                lot,
                expiry,
                serial,
                sscc,
            },
            ResolvedScan::Pallet { sscc } => Self::Pallet { sscc },
            ResolvedScan::Location { code } => Self::Location { code },
        }
    }
}

/// An event in the outbox, as an exceptions screen or a support tool shows it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct OutboxEvent {
    /// Position on this device.
    pub seq: i64,
    /// Event id (UUID).
    pub event_id: String,
    /// What it records.
    pub event_type: EventKind,
    /// When it happened, at the device's offset then.
    pub occurred_at: Moment,
    /// Who did it.
    pub operator: String,
    /// The operator action it came from (UUID).
    pub op_id: String,
    /// Where it is on its trip to the hub.
    pub state: OutboxState,
    /// The hub's code, for a rejected event.
    pub reject_code: Option<String>,
    /// The hub's reason, for a rejected event: show it to a person.
    pub reject_reason: Option<String>,
    /// The payload as JSON.
    pub payload_json: String,
    /// SHA-256 of the canonical envelope (64 hex digits): what the device's key signed.
    pub hash: String,
    /// The device's Ed25519 signature of `hash` (128 hex digits).
    pub signature: String,
}

impl TryFrom<outbox::Event> for OutboxEvent {
    type Error = DockhandError;
    fn try_from(e: outbox::Event) -> std::result::Result<Self, DockhandError> {
        Ok(Self {
            seq: e.seq,
            event_id: e.event_id.to_string(),
            event_type: event_kind(&e.event_type)?,
            occurred_at: local_moment(&e.occurred_at, &e.tz_offset)?,
            operator: e.user_id.clone(),
            op_id: e.op_id.to_string(),
            payload_json: e.payload.to_string(),
            hash: e.hash.clone(),
            signature: e.signature.clone(),
            state: e.state,
            reject_code: e.reject_code,
            reject_reason: e.reject_reason,
        })
    }
}

/// A stored UTC time at the offset the device had then.
fn local_moment(utc: &str, offset: &str) -> std::result::Result<Moment, DockhandError> {
    let at = crate::error::moment(utc, "occurred at")?;
    let offset: chrono::FixedOffset = offset.parse().unwrap_or(*at.offset());
    Ok(at.with_timezone(&offset))
}

/// The kind of a stored event type (this library wrote it: an unknown one is a storage fault).
pub(crate) fn event_kind(text: &str) -> std::result::Result<EventKind, DockhandError> {
    EventKind::parse(text).ok_or_else(|| DockhandError::Storage {
        code: "unknown_event_type".into(),
        reason: format!(
            "the outbox holds an event of type {:?}, which this version does not know",
            dockhand_core::protocol::error::prefix(text, 40)
        ),
    })
}

/// Whether the device's numbers agree with each other (balances with the ledger, events with the
/// stock changes, the outbox chain).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct IntegritySummary {
    /// Nothing disagrees.
    pub ok: bool,
    /// Ledger rows checked.
    pub ledger_rows: i64,
    /// Balance rows checked.
    pub balance_rows: i64,
    /// Events checked.
    pub events: i64,
    /// The full report as JSON, for support.
    pub report_json: String,
}

#[uniffi::export]
impl Device {
    /// What a scan means: goods, a pallet or a location.
    pub fn resolve_scan(&self, raw: String) -> Result<ScanResult> {
        Ok(self
            .store
            .read(|c| dockhand_core::resolve_scan(c, &raw))?
            .into())
    }

    /// An item of the catalog.
    pub fn item(&self, sku: String) -> Result<Item> {
        Ok(self.store.read(|c| catalog::item_by_sku(c, &sku))?.item)
    }

    /// Locations by code, at most `limit` (1 to 1,000) after code `after` ("" for the first page).
    pub fn locations(&self, after: String, limit: u32) -> Result<Vec<Location>> {
        Ok(self
            .store
            .read(|c| catalog::locations_page(c, &after, limit as usize))?
            .into_iter()
            .map(Location::from)
            .collect())
    }

    /// Items by SKU with their units and barcodes, at most `limit` (1 to 1,000) after SKU `after`
    /// ("" for the first page).
    pub fn items(&self, after: String, limit: u32) -> Result<Vec<CatalogItem>> {
        Ok(self
            .store
            .read(|c| catalog::items_page(c, &after, limit as usize))?)
    }

    /// A location.
    pub fn location(&self, code: String) -> Result<Location> {
        Ok(self
            .store
            .read(|c| catalog::location_by_code(c, &code))?
            .location
            .into())
    }

    /// An operator (for sign-in): unknown or inactive badges are refused.
    pub fn operator(&self, id: String) -> Result<Operator> {
        Ok(self.store.read(|c| catalog::operator(c, &id))?)
    }

    /// A receipt with its lines.
    pub fn receipt(&self, receipt_id: String) -> Result<Receipt> {
        Ok(self.store.read(|c| receiving::receipt(c, &receipt_id))?)
    }

    /// Open receipts with their lines, oldest first: one call for a list screen.
    pub fn open_receipts(&self) -> Result<Vec<Receipt>> {
        Ok(self.store.read(|c| {
            receiving::open_receipts(c)?
                .iter()
                .map(|id| receiving::receipt(c, id))
                .collect::<dockhand_core::Result<Vec<_>>>()
        })?)
    }

    /// A pick task with its lines and allocations.
    pub fn pick_task(&self, task_id: String) -> Result<PickTask> {
        Ok(self.store.read(|c| picking::pick_task(c, &task_id))?)
    }

    /// Pick tasks not finished, with their lines and picks, oldest first: one call for a list
    /// screen.
    pub fn open_pick_tasks(&self) -> Result<Vec<PickTask>> {
        Ok(self.store.read(|c| {
            picking::open_pick_tasks(c)?
                .iter()
                .map(|id| picking::pick_task(c, id))
                .collect::<dockhand_core::Result<Vec<_>>>()
        })?)
    }

    /// The next pick in walk order, or none when the task is complete.
    pub fn next_pick(&self, task_id: String) -> Result<Option<PickInstruction>> {
        Ok(self.store.read(|c| picking::next_pick(c, &task_id))?)
    }

    /// Every open pick and count task with who holds it ("claimed by handheld-09 (bob)"): this
    /// device's first, then those nobody holds, then other devices'.
    pub fn task_board(&self) -> Result<Vec<TaskEntry>> {
        let device = self.store.device_id().to_string();
        Ok(self.store.read(|c| claims::task_board(c, &device))?)
    }

    /// The tasks for this device: those it holds or started, then those nobody holds.
    pub fn my_tasks(&self) -> Result<Vec<TaskEntry>> {
        let device = self.store.device_id().to_string();
        Ok(self.store.read(|c| claims::my_tasks(c, &device))?)
    }

    /// A count task.
    pub fn count_task(&self, task_id: String) -> Result<CountTask> {
        Ok(self.store.read(|c| counting::count_task(c, &task_id))?)
    }

    /// Count tasks not finished.
    pub fn open_count_tasks(&self) -> Result<Vec<CountTask>> {
        Ok(self.store.read(counting::open_count_tasks)?)
    }

    /// The sheet of a count in progress (locations, no quantities).
    pub fn count_sheet(&self, task_id: String) -> Result<CountSheet> {
        Ok(self.store.read(|c| counting::count_sheet(c, &task_id))?)
    }

    /// A received customer return with its lines.
    pub fn customer_return(&self, return_id: String) -> Result<Return> {
        Ok(self.store.read(|c| returns::get_return(c, &return_id))?)
    }

    /// A return the ERP announced (none when unknown).
    pub fn expected_return(&self, return_id: String) -> Result<Option<ExpectedReturn>> {
        Ok(self
            .store
            .read(|c| expected::expected_return(c, &return_id))?)
    }

    /// Announced returns not yet received.
    pub fn open_expected_returns(&self) -> Result<Vec<ExpectedReturn>> {
        Ok(self.store.read(expected::open_expected_returns)?)
    }

    /// Stock at a location, bucket by bucket.
    pub fn balances_at_location(&self, code: String) -> Result<Vec<Balance>> {
        Ok(self.store.read(|c| stock::balances_at_location(c, &code))?)
    }

    /// Stock of an item, everywhere.
    pub fn balances_for_item(&self, sku: String) -> Result<Vec<Balance>> {
        Ok(self.store.read(|c| stock::balances_for_item(c, &sku))?)
    }

    /// Base units by usability (available, received, quarantined…).
    pub fn totals_by_status(&self) -> Result<Vec<StatusTotal>> {
        Ok(self.store.read(stock::totals_by_status)?)
    }

    /// What can be promised of an item.
    pub fn available_to_promise(&self, sku: String) -> Result<AvailableToPromise> {
        Ok(self.store.read(|c| stock::available_to_promise(c, &sku))?)
    }

    /// Inventory-accuracy KPIs between two moments.
    pub fn kpis(&self, since: Moment, until: Moment) -> Result<Kpis> {
        Ok(self.store.read(|c| kpis::kpis(c, since, until))?)
    }

    /// Locations and items ranked by count risk, now.
    pub fn risk_ranking(&self) -> Result<RiskRanking> {
        let now = self.store.clock().now();
        Ok(self.store.read(|c| counting::risk_ranking(c, now))?)
    }

    /// Events by delivery state.
    pub fn outbox_counts(&self) -> Result<OutboxCounts> {
        Ok(self.store.read(outbox::counts)?)
    }

    /// This device's refused events a person at the hub settled (resolved or dismissed with a
    /// note, or taken on a retry), newest first.
    pub fn settled_exceptions(&self) -> Result<Vec<outbox::Settlement>> {
        Ok(self.store.read(outbox::settlements)?)
    }

    /// Events the hub rejected, with its reasons: the exceptions a person must resolve (those
    /// settled at the hub leave this list).
    pub fn exceptions(&self) -> Result<Vec<OutboxEvent>> {
        self.store
            .read(outbox::rejected)?
            .into_iter()
            .map(OutboxEvent::try_from)
            .collect()
    }

    /// The oldest events not yet accepted by the hub, at most `limit`.
    pub fn pending_events(&self, limit: u32) -> Result<Vec<OutboxEvent>> {
        let limit = crate::error::how_many(limit);
        self.store
            .read(|c| outbox::pending(c, limit))?
            .into_iter()
            .map(OutboxEvent::try_from)
            .collect()
    }

    /// The events an operator action recorded.
    pub fn events_of_operation(&self, op_id: String) -> Result<Vec<OutboxEvent>> {
        let op_id = self::op_id(&op_id)?;
        self.store
            .read(|c| outbox::events_of_operation(c, op_id))?
            .into_iter()
            .map(OutboxEvent::try_from)
            .collect()
    }

    /// Checks that balances, events and the outbox chain agree.
    pub fn check_integrity(&self) -> Result<IntegritySummary> {
        let report = self.store.read(verify_integrity)?;
        Ok(IntegritySummary {
            ok: report.is_ok(),
            ledger_rows: report.ledger_rows,
            balance_rows: report.balance_rows,
            events: report.events,
            report_json: serde_json::to_string(&report).unwrap_or_default(),
        })
    }
}
