//! The one error type of dockhand-core.
//!
//! Every rejected command says what was wrong with the values involved, in a sentence a person at a
//! dock door can act on, and carries a stable machine code (`Error::code`) and a category
//! (`Error::kind`) so the FFI layer can map it to the small public error without string matching.

use std::path::PathBuf;

/// What an app can do about an error: the categories the public FFI error mirrors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The input was wrong (bad quantity, wrong check string, expired lot…): fix it and retry.
    Validation,
    /// Something named in the command does not exist on this device.
    NotFound,
    /// The command conflicts with what is already recorded (closed receipt, reused operation id).
    Conflict,
    /// Allowed only with a supervisor's approval.
    NeedsSupervisor,
    /// The device database failed or cannot be used; nothing was changed.
    Storage,
}

/// Everything that can go wrong in dockhand-core.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    // ---- not found -------------------------------------------------------------------------
    /// A scanned barcode is not in the catalog.
    #[error("barcode {} is not known on this device", short(.code))]
    UnknownBarcode {
        /// The scanned code.
        code: String,
    },
    /// A SKU is not in the catalog.
    #[error("item {} is not known on this device", short(.sku))]
    UnknownItem {
        /// The SKU.
        sku: String,
    },
    /// A location code is not in the catalog.
    #[error("location {} is not known on this device", short(.code))]
    UnknownLocation {
        /// The location code.
        code: String,
    },
    /// An operator id is not known or no longer active.
    #[error("operator {} is not known on this device", short(.id))]
    UnknownOperator {
        /// The operator id.
        id: String,
    },
    /// A receipt id is not known.
    #[error("receipt {} is not known on this device", short(.receipt_id))]
    UnknownReceipt {
        /// The receipt id.
        receipt_id: String,
    },
    /// An item's unit of measure has no conversion to its base unit.
    #[error("item {sku} has no conversion for unit {unit}")]
    UnknownUnit {
        /// The item.
        sku: String,
        /// The unit asked for.
        unit: String,
    },

    // ---- validation ------------------------------------------------------------------------
    /// Quantities must be positive whole numbers.
    #[error("quantity must be at least 1, got {quantity}")]
    InvalidQuantity {
        /// The quantity given.
        quantity: i64,
    },
    /// The quantity overflows what the ledger can hold.
    #[error("quantity {quantity} {unit} of {sku} is too large")]
    QuantityTooLarge {
        /// The item.
        sku: String,
        /// The quantity in the scanned unit.
        quantity: i64,
        /// The scanned unit.
        unit: String,
    },
    /// A field was malformed (empty code, bad characters, inconsistent master data…).
    #[error("{field} is invalid: {reason}")]
    InvalidInput {
        /// The field.
        field: String,
        /// What is wrong with it, with the value.
        reason: String,
    },
    /// The location is blocked: nothing may be moved there.
    #[error("location {code} is blocked")]
    LocationBlocked {
        /// The location code.
        code: String,
    },
    /// The scanned check string does not belong to the location.
    #[error(
        "check string {scanned} does not match location {location}; scan the label on location {location}"
    )]
    WrongCheckString {
        /// The location the operator meant to confirm.
        location: String,
        /// What was scanned (a short prefix of a long scan).
        scanned: String,
    },
    /// A confirmation at a location came without a scan of its label.
    #[error(
        "nothing was scanned at location {location}; scan the label on location {location} to confirm you are there"
    )]
    LocationNotScanned {
        /// The location to confirm.
        location: String,
    },
    /// The location's type does not fit the action (e.g. receiving onto a storage bin).
    #[error("location {code} is a {actual} location; {action} needs a {expected} location")]
    WrongLocationType {
        /// The location code.
        code: String,
        /// Its type.
        actual: String,
        /// The types that would fit.
        expected: String,
        /// What was attempted.
        action: String,
    },
    /// A lot-tracked item was scanned without a lot.
    #[error("item {sku} is lot-tracked: scan or enter the lot")]
    LotRequired {
        /// The item.
        sku: String,
    },
    /// An expiry-tracked item was scanned without an expiry date.
    #[error("item {sku} is tracked by lot and expiry: scan or enter the expiry date of lot {lot}")]
    ExpiryRequired {
        /// The item.
        sku: String,
        /// The lot.
        lot: String,
    },
    /// A serial-tracked item was scanned without a serial number.
    #[error("item {sku} is serial-tracked: scan the serial number, one unit at a time")]
    SerialRequired {
        /// The item.
        sku: String,
    },
    /// A serial number is already in stock on this device.
    #[error("serial {serial} of item {sku} is already in stock at {location}")]
    DuplicateSerial {
        /// The item.
        sku: String,
        /// The serial.
        serial: String,
        /// Where it already is.
        location: String,
    },
    /// The lot is past its expiry date.
    #[error("lot {lot} of item {sku} expired on {expiry}")]
    LotExpired {
        /// The item.
        sku: String,
        /// The lot.
        lot: String,
        /// Its expiry date.
        expiry: chrono::NaiveDate,
    },
    /// The scanned expiry differs from the one already recorded for the lot.
    #[error(
        "lot {lot} of item {sku} is recorded with expiry {recorded}, but {scanned} was scanned"
    )]
    LotExpiryMismatch {
        /// The item.
        sku: String,
        /// The lot.
        lot: String,
        /// The recorded expiry.
        recorded: chrono::NaiveDate,
        /// The scanned expiry.
        scanned: chrono::NaiveDate,
    },
    /// The item is not on the expected receipt.
    #[error("item {sku} is not expected on receipt {receipt_id}")]
    ItemNotOnReceipt {
        /// The receipt.
        receipt_id: String,
        /// The item.
        sku: String,
    },
    /// Not enough stock in the source bucket.
    #[error("only {on_hand} {status} of item {sku}{lot_text} at {location}, cannot move {requested}", lot_text = lot_label(lot))]
    InsufficientStock {
        /// The item.
        sku: String,
        /// The lot ("" when untracked).
        lot: String,
        /// The location code.
        location: String,
        /// The stock status looked at.
        status: String,
        /// What is there.
        on_hand: i64,
        /// What was asked for.
        requested: i64,
    },
    /// A scan that is neither a known code nor readable GS1 data.
    #[error("scan {:?} cannot be read: {reason}", short(.raw))]
    UnreadableScan {
        /// The scan as received.
        raw: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The goods are on a pallet: its label must be scanned.
    #[error("item {sku}{lot_text} is on {location} on pallet {lpns}: scan the pallet label", lot_text = lot_label(lot))]
    OnPallet {
        /// The item.
        sku: String,
        /// The lot.
        lot: String,
        /// The location.
        location: String,
        /// The pallets holding it, comma-separated.
        lpns: String,
    },
    /// A licence plate scanned at a location that does not hold it.
    #[error("licence plate {} is not at {location}{}", short(.lpn), plate_whereabouts(.elsewhere))]
    PlateNotHere {
        /// The plate.
        lpn: String,
        /// The location scanned.
        location: String,
        /// Where the plate is instead, when somewhere.
        elsewhere: Option<String>,
    },
    /// Goods whose status a move does not change: another workflow takes them.
    #[error("item {sku}{lot_text} at {location} is {status} and is not moved this way: {instead}", lot_text = lot_label(lot))]
    NotMovable {
        /// The item.
        sku: String,
        /// The lot.
        lot: String,
        /// The location.
        location: String,
        /// Its status there.
        status: crate::stock::StockStatus,
        /// What to do instead.
        instead: &'static str,
    },
    /// Goods a release names that are not held (quarantined or damaged) there.
    #[error("item {sku}{lot_text} at {location} is not held in quarantine or as damaged: there is nothing to release", lot_text = lot_label(lot))]
    NotHeld {
        /// The item.
        sku: String,
        /// The lot.
        lot: String,
        /// The location.
        location: String,
    },
    /// A location would hold more than its most units.
    #[error(
        "location {location} holds {holding} of its {max_units} units; {adding} more would overfill it: choose another location"
    )]
    LocationFull {
        /// The location.
        location: String,
        /// Its most units (master data).
        max_units: i64,
        /// Base units it holds now.
        holding: i64,
        /// Base units the command would add.
        adding: i64,
    },
    /// A licence plate that is no carton, pallet or tote on this device.
    #[error("{} is not a carton, pallet or tote on this device: build it first, or scan its label again", short(.lpn))]
    UnknownHandlingUnit {
        /// The plate as scanned.
        lpn: String,
    },
    /// A replenishment task that is not on this device.
    #[error(
        "replenishment task {task_id} is not on this device: sync to get it, or choose one from the list"
    )]
    UnknownReplenishment {
        /// The task.
        task_id: String,
    },
    /// Reserve storage holds none of the item free to bring to the pick face.
    #[error(
        "no {sku} is available in reserve storage to bring to {face} (replenishment {task_id}): receive or count the reserve, then work the task"
    )]
    ReserveEmpty {
        /// The task.
        task_id: String,
        /// The item.
        sku: String,
        /// The pick face.
        face: String,
    },
    /// A move that does not do what its replenishment task asks.
    #[error("replenishment {task_id} brings {expected}, not {found}")]
    WrongReplenishment {
        /// The task.
        task_id: String,
        /// What the task asks, in words.
        expected: String,
        /// What the move would do, in words.
        found: String,
    },
    /// Goods or a unit of one order put with another order's.
    #[error("{what} is for {}, not order {order_ref}: {instead}", order_words(.holds))]
    WrongOrder {
        /// What was scanned (a tote, a carton).
        what: String,
        /// The order it is for.
        holds: String,
        /// The order of the unit it was to go into.
        order_ref: String,
        /// What to do instead.
        instead: &'static str,
    },
    /// Loose staged goods that no pick of the order brought there (or not that many).
    #[error(
        "order {order_ref} has {left} of {goods} picked to {location} and not yet packed; {requested} cannot be packed for it"
    )]
    NotPickedForOrder {
        /// Item and lot.
        goods: String,
        /// The staging location.
        location: String,
        /// The order.
        order_ref: String,
        /// Base units picked for the order and not yet packed.
        left: i64,
        /// Base units asked for.
        requested: i64,
    },
    /// An order's shipment closed while some of its goods are not on the truck.
    #[error("order {order_ref} is not all loaded: {left}; load it before the shipment closes")]
    ShortLoaded {
        /// The order.
        order_ref: String,
        /// What is still at staging, in words.
        left: String,
    },
    /// An order no pick task on this device is for.
    #[error(
        "order {} has no pick task on this device: pick it here first, or sync to get its task",
        short(.order_ref)
    )]
    UnknownOrder {
        /// The order as given.
        order_ref: String,
    },
    /// A unit of the wrong kind for what was asked (a tote where a carton goes, …).
    #[error("{} is a {kind}: {fix}", short(.lpn))]
    WrongUnitKind {
        /// The unit.
        lpn: String,
        /// Its kind.
        kind: String,
        /// What to do instead.
        fix: String,
    },
    /// A carton on a pallet handled on its own.
    #[error("carton {carton} is on pallet {pallet}: {fix}")]
    CartonOnPallet {
        /// The carton.
        carton: String,
        /// The pallet it is on.
        pallet: String,
        /// What to do instead.
        fix: &'static str,
    },
    /// Two units to be put together stand in different places.
    #[error("{first} is at {first_at} and {second} at {second_at}: bring them together")]
    UnitsApart {
        /// The unit that goes.
        first: String,
        /// Where it is.
        first_at: String,
        /// The unit it goes into or onto.
        second: String,
        /// Where that is.
        second_at: String,
    },
    /// A unit with nothing in or on it.
    #[error("{kind} {lpn} is empty: {fix}")]
    UnitEmpty {
        /// Its kind.
        kind: String,
        /// The unit.
        lpn: String,
        /// What that means for the action.
        fix: String,
    },
    /// A shipment closed with nothing of its order loaded at the door.
    #[error("nothing of order {order_ref} is loaded at {door}: load its cartons and pallets first")]
    NothingLoaded {
        /// The order.
        order_ref: String,
        /// The door.
        door: String,
    },
    /// The operator is known but no longer active.
    #[error("operator {id} is deactivated on this device; ask a supervisor")]
    OperatorInactive {
        /// The operator id.
        id: String,
    },
    /// Reservation larger than available to promise at a location.
    #[error("only {available} of item {sku}{lot_text} at {location} can be reserved, {requested} requested", lot_text = lot_label(lot))]
    InsufficientAvailable {
        /// The item.
        sku: String,
        /// The lot.
        lot: String,
        /// The location code.
        location: String,
        /// Available minus existing reservations.
        available: i64,
        /// What was asked for.
        requested: i64,
    },
    /// Quarantined stock can only go to a quarantine location.
    #[error("item {sku}{lot_text} is quarantined ({reason}); put it away to a quarantine location, not {location}", lot_text = lot_label(lot))]
    QuarantineLocationRequired {
        /// The item.
        sku: String,
        /// The lot.
        lot: String,
        /// Why it is held.
        reason: String,
        /// The location chosen.
        location: String,
    },
    /// The operator chose a destination other than the suggestion without a reason.
    #[error("location {chosen} differs from the suggested {suggested}: give an override reason")]
    OverrideReasonRequired {
        /// The suggested location.
        suggested: String,
        /// The chosen location.
        chosen: String,
    },
    /// No location fits the putaway rules.
    #[error("no active {wanted} location is free for item {sku}{zone_text}", zone_text = zone.as_deref().map(|z| format!(" in zone {z}")).unwrap_or_default())]
    NoPutawayLocation {
        /// The item.
        sku: String,
        /// The zone searched.
        zone: Option<String>,
        /// The location types searched.
        wanted: String,
    },

    /// A pick task id is not known.
    #[error("pick task {} is not known on this device", short(.task_id))]
    UnknownPickTask {
        /// The task.
        task_id: String,
    },
    /// A pick allocation is not part of the task.
    #[error("pick {allocation_id} is not part of task {task_id}")]
    UnknownPick {
        /// The task.
        task_id: String,
        /// The allocation.
        allocation_id: i64,
    },
    /// A count task id is not known.
    #[error("count task {} is not known on this device", short(.task_id))]
    UnknownCountTask {
        /// The task.
        task_id: String,
    },
    /// A return (RMA) is not known.
    #[error("return {} is not known on this device", short(.return_id))]
    UnknownReturn {
        /// The RMA.
        return_id: String,
    },
    /// A return line is not known.
    #[error("return {return_id} has no line {line_no}")]
    UnknownReturnLine {
        /// The RMA.
        return_id: String,
        /// The line.
        line_no: i64,
    },
    /// The scanned item is not the one to pick.
    #[error("scanned item {scanned} at {location}, but this pick is for item {expected}")]
    WrongItem {
        /// The item to pick.
        expected: String,
        /// The item scanned.
        scanned: String,
        /// The location.
        location: String,
    },
    /// The order line asks for a specific lot.
    #[error("order line needs lot {required} of item {sku}, but lot {scanned} was scanned")]
    WrongLot {
        /// The item.
        sku: String,
        /// The lot the order requires.
        required: String,
        /// The lot scanned.
        scanned: String,
    },
    /// The scanned lot cannot be picked here (not there, reserved, quarantined, expired).
    #[error("lot {lot} of item {sku} cannot be picked at {location}: {reason}")]
    LotNotPickable {
        /// The item.
        sku: String,
        /// The lot.
        lot: String,
        /// The location.
        location: String,
        /// Why.
        reason: String,
    },
    /// More than the pick asks for.
    #[error(
        "pick {allocation_id} at {location} asks for {remaining} more of item {sku}, not {attempted}"
    )]
    OverPick {
        /// The allocation.
        allocation_id: i64,
        /// The item.
        sku: String,
        /// The location.
        location: String,
        /// What is still to pick.
        remaining: i64,
        /// What was confirmed.
        attempted: i64,
    },
    /// Not enough available stock to allocate an order line.
    #[error("order line {line_no} needs {requested} of item {sku}{lot_text}, but only {promisable} can be promised from pickable locations", lot_text = lot.as_deref().map(lot_label).unwrap_or_default())]
    AllocationShort {
        /// The line.
        line_no: i64,
        /// The item.
        sku: String,
        /// The lot the line requires.
        lot: Option<String>,
        /// Base units ordered.
        requested: i64,
        /// Base units available to promise.
        promisable: i64,
    },
    /// A reason code is required.
    #[error("{action} needs a reason code")]
    ReasonRequired {
        /// What needs it.
        action: String,
    },
    /// A counted line names a location outside the count task.
    #[error("count task {task_id} covers {scope}; {location} is not part of it")]
    OutsideCount {
        /// The task.
        task_id: String,
        /// What the task covers.
        scope: String,
        /// The location counted.
        location: String,
    },
    /// The same operator cannot recount.
    #[error(
        "{operator} counted task {task_id} first; the recount must be done by another operator ({others} available)"
    )]
    RecountBySameOperator {
        /// The task.
        task_id: String,
        /// The operator.
        operator: String,
        /// Operators who could recount.
        others: String,
    },

    // ---- needs a supervisor ----------------------------------------------------------------
    /// Receiving more than the tolerance allows needs a supervisor.
    #[error(
        "receiving {attempted} more of item {sku} on receipt {receipt_id} would make {total} against {expected} expected (limit {limit} with {tolerance_percent}% tolerance): a supervisor must approve"
    )]
    OverReceipt {
        /// The receipt.
        receipt_id: String,
        /// The item.
        sku: String,
        /// Expected base quantity.
        expected: i64,
        /// Quantity in this scan.
        attempted: i64,
        /// Total after this scan.
        total: i64,
        /// Most that may be received without approval.
        limit: i64,
        /// The tolerance.
        tolerance_percent: u32,
    },
    /// A lot with less shelf life left than the item requires: a supervisor may accept it into
    /// quarantine.
    #[error(
        "lot {lot} of item {sku} expires on {expiry}: {days_left} days of shelf life left, {min_days} required; a supervisor must approve receiving it into quarantine"
    )]
    ShortDated {
        /// The item.
        sku: String,
        /// The lot.
        lot: String,
        /// Its expiry.
        expiry: chrono::NaiveDate,
        /// Days from today to expiry.
        days_left: i64,
        /// The item's minimum remaining shelf life.
        min_days: u32,
    },
    /// The approver named is not a supervisor.
    #[error("operator {id} is not a supervisor and cannot approve this")]
    NotASupervisor {
        /// The operator id.
        id: String,
    },

    /// A supervisor tried to approve their own work: four eyes, always two people.
    #[error("{supervisor} {what} and cannot approve it; another supervisor must")]
    SelfApproval {
        /// The supervisor.
        supervisor: String,
        /// What they did, e.g. "counted count task CC-1".
        what: String,
    },
    /// A badge that is on no operator's card on this device.
    #[error("badge {} is not known on this device", short(.badge))]
    UnknownBadge {
        /// The scanned badge (at most its first 24 characters).
        badge: String,
    },
    /// The PIN typed for a badge is wrong.
    #[error(
        "wrong PIN for badge {badge}; {attempts_left} more wrong PIN(s) lock the badge for {lock_minutes} minutes"
    )]
    WrongPin {
        /// The badge.
        badge: String,
        /// Wrong PINs still allowed before the lock.
        attempts_left: u32,
        /// How long the lock lasts.
        lock_minutes: i64,
    },
    /// Too many wrong PINs: the badge cannot be used for a while.
    #[error("badge {badge} is locked after {failures} wrong PINs until {until} (UTC)")]
    BadgeLocked {
        /// The badge.
        badge: String,
        /// Wrong PINs in a row.
        failures: u32,
        /// When it can be used again.
        until: String,
    },
    /// A command named an operator who is not the one signed in on this handheld.
    #[error(
        "{operator} is not signed in on this handheld ({signed_in}); sign in with badge and PIN first"
    )]
    NotSignedIn {
        /// The operator the command named.
        operator: String,
        /// Who is signed in, as a phrase ("nobody is", "alice is").
        signed_in: String,
    },

    // ---- conflict --------------------------------------------------------------------------
    /// The receipt is closed.
    #[error("receipt {receipt_id} is already closed")]
    ReceiptClosed {
        /// The receipt.
        receipt_id: String,
    },
    /// An expected receipt that has started receiving cannot be replaced by master data.
    #[error("receipt {receipt_id} is already being received on this device and cannot be replaced")]
    ReceiptInProgress {
        /// The receipt.
        receipt_id: String,
    },
    /// A receipt with this id already exists.
    #[error("receipt {receipt_id} already exists")]
    ReceiptExists {
        /// The receipt.
        receipt_id: String,
    },
    /// An operation id was reused for a different command.
    #[error(
        "operation {op_id} was already used for a different {first_command} command; a retry must resend the same command"
    )]
    OperationIdReused {
        /// The operation id.
        op_id: uuid::Uuid,
        /// The command it was first used for.
        first_command: String,
    },
    /// A task is not in a state that allows the action.
    #[error("{what} {id} is {state}; it cannot be {action}")]
    WrongState {
        /// Task kind (pick task, count task, return line…).
        what: String,
        /// Its id.
        id: String,
        /// Its state.
        state: String,
        /// The action refused.
        action: String,
    },
    /// Another device holds the task (the hub's word as of the last pull).
    #[error(
        "{kind} task {task_id} is {held} {holder} since {since}; ask a supervisor to reassign it"
    )]
    TaskHeldElsewhere {
        /// `pick` or `count`.
        kind: String,
        /// The task.
        task_id: String,
        /// "claimed by", "assigned to"…
        held: String,
        /// `handheld-09 (bob)`.
        holder: String,
        /// When it became theirs.
        since: String,
    },
    /// The device has minted every SSCC of the blocks the hub gave it.
    #[error(
        "this handheld has minted every SSCC the hub gave it ({minted} in all{prefix}): sync with \
         the hub to get more serial references, then label the carton or pallet again"
    )]
    SsccExhausted {
        /// SSCCs minted from the blocks held.
        minted: u64,
        /// ", under company prefix P" when one was given, else "".
        prefix: String,
    },
    /// A return with this id already exists.
    #[error("return {return_id} was already received")]
    ReturnExists {
        /// The RMA.
        return_id: String,
    },
    /// A command cannot be voided.
    #[error("event {event_id} ({event_type}) cannot be voided: {reason}")]
    NotVoidable {
        /// The event.
        event_id: uuid::Uuid,
        /// Its type.
        event_type: String,
        /// Why.
        reason: String,
    },
    /// An outbox event cannot change state as asked.
    #[error("event {event_id} is {state}; it cannot be marked {wanted}")]
    EventState {
        /// The event.
        event_id: uuid::Uuid,
        /// Its current state.
        state: String,
        /// The state asked for.
        wanted: String,
    },
    /// An outbox event id is not known.
    #[error("event {event_id} is not in the outbox")]
    UnknownEvent {
        /// The event.
        event_id: uuid::Uuid,
    },

    // ---- storage ---------------------------------------------------------------------------
    /// The database was written by a newer dockhand.
    #[error(
        "database {path} has schema version {found}, newer than this app understands ({supported}); update the app. The file was left untouched."
    )]
    SchemaTooNew {
        /// The file.
        path: PathBuf,
        /// Its user_version.
        found: i64,
        /// The newest this code knows.
        supported: i64,
    },
    /// The file is not a usable dockhand database (corrupt, not SQLite, unreadable).
    #[error(
        "database {path} cannot be opened: {reason}. The file was left untouched; export it for support."
    )]
    DatabaseUnreadable {
        /// The file.
        path: PathBuf,
        /// What SQLite said.
        reason: String,
    },
    /// There is no database file where one was expected.
    #[error("there is no device database at {path}")]
    DatabaseMissing {
        /// The path given.
        path: PathBuf,
    },
    /// The database belongs to another device.
    #[error("database {path} belongs to device {recorded}, not {requested}")]
    DeviceMismatch {
        /// The file.
        path: PathBuf,
        /// The device recorded in it.
        recorded: String,
        /// The device asked for.
        requested: String,
    },
    /// An SQLite error while running a command; the transaction was rolled back.
    #[error("storage error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A stored JSON value could not be read or written.
    #[error("stored data could not be encoded: {0}")]
    Json(#[from] serde_json::Error),
    /// A panic left a transaction open that could not be rolled back.
    #[error("the device store is unusable after an earlier crash; restart the app")]
    Poisoned,
    /// The app closed this device's database; open it again to go on.
    #[error("this device's database was closed; open it again")]
    Closed,
    /// A rule of the write path itself was broken (a bug, not bad input); nothing was written.
    #[error("internal error, nothing was recorded: {0}")]
    Internal(String),
}

fn plate_whereabouts(elsewhere: &Option<String>) -> String {
    match elsewhere {
        Some(other) => format!("; it is at {other}"),
        None => "; nothing is on it on this device".to_string(),
    }
}

fn order_words(order_ref: &str) -> String {
    if order_ref.is_empty() {
        "several orders".into()
    } else {
        format!("order {order_ref}")
    }
}

fn lot_label(lot: &str) -> String {
    if lot.is_empty() {
        String::new()
    } else {
        format!(" lot {lot}")
    }
}

impl Error {
    /// What an app can do about it.
    pub fn kind(&self) -> ErrorKind {
        use Error::*;
        match self {
            UnknownBarcode { .. }
            | UnknownItem { .. }
            | UnknownLocation { .. }
            | UnknownOperator { .. }
            | UnknownReceipt { .. }
            | UnknownUnit { .. }
            | UnknownPickTask { .. }
            | UnknownPick { .. }
            | UnknownCountTask { .. }
            | UnknownReturn { .. }
            | UnknownReturnLine { .. }
            | UnknownEvent { .. }
            | UnknownHandlingUnit { .. }
            | UnknownOrder { .. }
            | UnknownReplenishment { .. }
            | UnknownBadge { .. } => ErrorKind::NotFound,
            OverReceipt { .. }
            | ShortDated { .. }
            | NotASupervisor { .. }
            | SelfApproval { .. } => ErrorKind::NeedsSupervisor,
            ReceiptClosed { .. }
            | ReceiptInProgress { .. }
            | ReceiptExists { .. }
            | OperationIdReused { .. }
            | WrongState { .. }
            | TaskHeldElsewhere { .. }
            | SsccExhausted { .. }
            | ShortLoaded { .. }
            | ReserveEmpty { .. }
            | ReturnExists { .. }
            | NotVoidable { .. }
            | EventState { .. } => ErrorKind::Conflict,
            SchemaTooNew { .. }
            | DatabaseUnreadable { .. }
            | DeviceMismatch { .. }
            | DatabaseMissing { .. }
            | Sqlite(_)
            | Json(_)
            | Poisoned
            | Closed
            | Internal(_) => ErrorKind::Storage,
            InvalidQuantity { .. }
            | QuantityTooLarge { .. }
            | InvalidInput { .. }
            | LocationBlocked { .. }
            | WrongCheckString { .. }
            | LocationNotScanned { .. }
            | WrongLocationType { .. }
            | LotRequired { .. }
            | ExpiryRequired { .. }
            | SerialRequired { .. }
            | DuplicateSerial { .. }
            | LotExpired { .. }
            | LotExpiryMismatch { .. }
            | ItemNotOnReceipt { .. }
            | InsufficientStock { .. }
            | OnPallet { .. }
            | PlateNotHere { .. }
            | NotMovable { .. }
            | NotHeld { .. }
            | LocationFull { .. }
            | WrongOrder { .. }
            | NotPickedForOrder { .. }
            | UnreadableScan { .. }
            | OperatorInactive { .. }
            | InsufficientAvailable { .. }
            | QuarantineLocationRequired { .. }
            | OverrideReasonRequired { .. }
            | NoPutawayLocation { .. }
            | WrongItem { .. }
            | WrongLot { .. }
            | WrongReplenishment { .. }
            | WrongUnitKind { .. }
            | CartonOnPallet { .. }
            | UnitsApart { .. }
            | UnitEmpty { .. }
            | NothingLoaded { .. }
            | LotNotPickable { .. }
            | OverPick { .. }
            | AllocationShort { .. }
            | ReasonRequired { .. }
            | OutsideCount { .. }
            | RecountBySameOperator { .. }
            | WrongPin { .. }
            | BadgeLocked { .. }
            | NotSignedIn { .. } => ErrorKind::Validation,
        }
    }

    /// A stable snake_case code for logs, tests and the FFI error.
    pub fn code(&self) -> &'static str {
        use Error::*;
        match self {
            UnknownBarcode { .. } => "unknown_barcode",
            UnknownItem { .. } => "unknown_item",
            UnknownLocation { .. } => "unknown_location",
            UnknownOperator { .. } => "unknown_operator",
            UnknownReceipt { .. } => "unknown_receipt",
            UnknownUnit { .. } => "unknown_unit",
            InvalidQuantity { .. } => "invalid_quantity",
            QuantityTooLarge { .. } => "quantity_too_large",
            InvalidInput { .. } => "invalid_input",
            LocationBlocked { .. } => "location_blocked",
            WrongCheckString { .. } => "wrong_check_string",
            LocationNotScanned { .. } => "location_not_scanned",
            WrongLocationType { .. } => "wrong_location_type",
            LotRequired { .. } => "lot_required",
            ExpiryRequired { .. } => "expiry_required",
            SerialRequired { .. } => "serial_required",
            DuplicateSerial { .. } => "duplicate_serial",
            LotExpired { .. } => "lot_expired",
            LotExpiryMismatch { .. } => "lot_expiry_mismatch",
            ItemNotOnReceipt { .. } => "item_not_on_receipt",
            InsufficientStock { .. } => "insufficient_stock",
            InsufficientAvailable { .. } => "insufficient_available",
            QuarantineLocationRequired { .. } => "quarantine_location_required",
            OverrideReasonRequired { .. } => "override_reason_required",
            NoPutawayLocation { .. } => "no_putaway_location",
            OverReceipt { .. } => "over_receipt",
            ShortDated { .. } => "short_dated",
            UnknownPickTask { .. } => "unknown_pick_task",
            UnknownPick { .. } => "unknown_pick",
            UnknownCountTask { .. } => "unknown_count_task",
            UnknownReturn { .. } => "unknown_return",
            UnknownReturnLine { .. } => "unknown_return_line",
            WrongItem { .. } => "wrong_item",
            OnPallet { .. } => "on_pallet",
            PlateNotHere { .. } => "plate_not_here",
            NotMovable { .. } => "not_movable",
            NotHeld { .. } => "not_held",
            LocationFull { .. } => "location_full",
            UnknownHandlingUnit { .. } => "unknown_handling_unit",
            UnknownReplenishment { .. } => "unknown_replenishment",
            ReserveEmpty { .. } => "reserve_empty",
            WrongReplenishment { .. } => "wrong_replenishment",
            WrongOrder { .. } => "wrong_order",
            NotPickedForOrder { .. } => "not_picked_for_order",
            ShortLoaded { .. } => "short_loaded",
            UnknownOrder { .. } => "unknown_order",
            WrongUnitKind { .. } => "wrong_unit_kind",
            CartonOnPallet { .. } => "carton_on_pallet",
            UnitsApart { .. } => "units_apart",
            UnitEmpty { .. } => "unit_empty",
            NothingLoaded { .. } => "nothing_loaded",
            UnreadableScan { .. } => "unreadable_scan",
            OperatorInactive { .. } => "operator_inactive",
            WrongLot { .. } => "wrong_lot",
            LotNotPickable { .. } => "lot_not_pickable",
            OverPick { .. } => "over_pick",
            AllocationShort { .. } => "allocation_short",
            ReasonRequired { .. } => "reason_required",
            OutsideCount { .. } => "outside_count",
            RecountBySameOperator { .. } => "recount_by_same_operator",
            WrongState { .. } => "wrong_state",
            TaskHeldElsewhere { .. } => "task_claimed",
            SsccExhausted { .. } => "sscc_exhausted",
            ReturnExists { .. } => "return_exists",
            NotVoidable { .. } => "not_voidable",
            NotASupervisor { .. } => "not_a_supervisor",
            SelfApproval { .. } => "self_approval",
            UnknownBadge { .. } => "unknown_badge",
            WrongPin { .. } => "wrong_pin",
            BadgeLocked { .. } => "badge_locked",
            NotSignedIn { .. } => "not_signed_in",
            ReceiptClosed { .. } => "receipt_closed",
            ReceiptInProgress { .. } => "receipt_in_progress",
            ReceiptExists { .. } => "receipt_exists",
            OperationIdReused { .. } => "operation_id_reused",
            EventState { .. } => "event_state",
            UnknownEvent { .. } => "unknown_event",
            SchemaTooNew { .. } => "schema_too_new",
            DatabaseUnreadable { .. } => "database_unreadable",
            DeviceMismatch { .. } => "device_mismatch",
            DatabaseMissing { .. } => "database_missing",
            Sqlite(_) => "storage",
            Json(_) => "encoding",
            Poisoned => "poisoned",
            Closed => "device_closed",
            Internal(_) => "internal",
        }
    }

    /// Shorthand for an [`Error::InvalidInput`].
    pub fn invalid(field: &str, reason: impl Into<String>) -> Self {
        Error::InvalidInput {
            field: field.to_string(),
            reason: reason.into(),
        }
    }
}

impl From<dockhand_protocol::ProtocolError> for Error {
    fn from(e: dockhand_protocol::ProtocolError) -> Self {
        match e {
            dockhand_protocol::ProtocolError::Invalid { field, reason } => {
                Error::InvalidInput { field, reason }
            }
            dockhand_protocol::ProtocolError::Internal(why) => Error::Internal(why),
        }
    }
}

/// A value the user typed or scanned, quoted in a sentence: at most 64 characters of it.
pub(crate) fn short(text: &str) -> String {
    dockhand_protocol::error::prefix(text, 64)
}

/// Result with dockhand's error.
pub type Result<T, E = Error> = std::result::Result<T, E>;
