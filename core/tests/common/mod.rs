//! Shared set-up for the integration tests: a seeded sample warehouse on a real SQLite file, a
//! hand-set clock, and a dump of every table to prove a rejected command changed nothing.
#![allow(dead_code, clippy::unwrap_used)]

use std::sync::{Arc, OnceLock};

use chrono::NaiveDate;
use dockhand_core::catalog::MasterData;
use dockhand_core::credentials::{Approval, Credential};
use dockhand_core::putaway::ConfirmPutaway;
use dockhand_core::receiving::{self, ReceiveLine};
use dockhand_core::{
    ManualClock, Policy, ScannedGoods, Store, StoreOptions, catalog, sample, stock,
};
use tempfile::TempDir;
use uuid::Uuid;

/// The shift starts here: 2026-11-27 08:00 at UTC+01:00.
pub const SHIFT_START: &str = "2026-11-27T08:00:00+01:00";

pub struct Fixture {
    pub dir: TempDir,
    pub store: Store,
    pub clock: Arc<ManualClock>,
}

impl Fixture {
    pub fn path(&self) -> std::path::PathBuf {
        self.dir.path().join("device.db")
    }
}

/// A store on a fresh file, with the sample warehouse (operators' badges too) and ASN loaded.
pub fn seeded() -> Fixture {
    let f = empty();
    let mut data = sample::warehouse();
    data.credentials = sample_credentials();
    catalog::upsert_master_data(&f.store, &data).unwrap();
    receiving::load_expected_receipts(&f.store, &[sample::asn()]).unwrap();
    f
}

/// The sample badges, hashed once per test binary (Argon2 is slow on purpose).
pub fn sample_credentials() -> Vec<Credential> {
    static HASHED: OnceLock<Vec<Credential>> = OnceLock::new();
    HASHED
        .get_or_init(|| sample::credentials().unwrap())
        .clone()
}

/// A second supervisor, lee (badge `BADGE-0009`, PIN 9999).
pub fn add_supervisor_lee(store: &Store) {
    static HASH: OnceLock<String> = OnceLock::new();
    let pin_hash = HASH
        .get_or_init(|| {
            dockhand_core::credentials::hash_pin("lee", "BADGE-0009", "999999").unwrap()
        })
        .clone();
    catalog::upsert_master_data(
        store,
        &MasterData {
            operators: vec![catalog::Operator {
                id: "lee".into(),
                name: "Lee Park".into(),
                role: catalog::Role::Supervisor,
                active: true,
            }],
            credentials: vec![Credential {
                operator_id: "lee".into(),
                badge: "BADGE-0009".into(),
                pin_hash,
            }],
            ..MasterData::default()
        },
    )
    .unwrap();
}

/// The badge and PIN of a sample operator, or of lee.
pub fn badge_of(operator: &str) -> Approval {
    match operator {
        "lee" => Approval::new("BADGE-0009", "999999"),
        other => sample::badge_of(other),
    }
}

/// A store on a fresh file with nothing loaded. The tests play several operators on one store,
/// so sign-in is not required here; tests/signin.rs checks it with the default policy.
pub fn empty() -> Fixture {
    empty_with(Policy {
        sign_in_required: false,
        ..Policy::default()
    })
}

/// A store on a fresh file with nothing loaded, applying `policy`.
pub fn empty_with(policy: Policy) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::at(SHIFT_START));
    let store = Store::open_with(
        dir.path().join("device.db"),
        StoreOptions::new("handheld-07")
            .with_clock(clock.clone())
            .with_policy(policy),
    )
    .unwrap();
    Fixture { dir, store, clock }
}

pub fn op() -> Uuid {
    Uuid::now_v7()
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Milk of lot L2611A, good until 2027-03-01.
pub fn milk_scan(code: &str) -> ScannedGoods {
    ScannedGoods::barcode(code)
        .with_lot("L2611A")
        .with_expiry(date(2027, 3, 1))
}

/// A receive command on the sample ASN at DOCK-01 by alice.
pub fn receive(scan: ScannedGoods, quantity: i64) -> ReceiveLine {
    ReceiveLine {
        op_id: op(),
        operator: "alice".into(),
        receipt_id: sample::ASN.into(),
        dock: "DOCK-01".into(),
        scan,
        quantity,
        lpn: None,
        approval: None,
    }
}

/// Every row of every table plus the schema version, sorted: equal dumps mean equal content.
/// A stock bucket of a lot at a location, without serial or licence plate.
pub fn lot_bucket(
    location_id: i64,
    lot: &str,
    status: dockhand_core::StockStatus,
) -> stock::Bucket {
    stock::Bucket {
        location_id,
        lot: lot.into(),
        serial: String::new(),
        lpn: String::new(),
        status,
    }
}

/// A catalog barcode for one base unit (`EA`).
pub fn ea_barcode(code: impl Into<String>, sku: impl Into<String>) -> catalog::Barcode {
    catalog::Barcode {
        code: code.into(),
        sku: sku.into(),
        unit: "EA".into(),
        quantity: 1,
    }
}

pub fn dump(store: &Store) -> Vec<String> {
    store
        .read(|conn| {
            let mut out = vec![format!(
                "user_version={}",
                conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))?
            )];
            let tables: Vec<String> = conn
                .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")?
                .query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            for table in tables {
                let mut stmt = conn.prepare(&format!("SELECT * FROM \"{table}\""))?;
                let columns = stmt.column_count();
                let mut rows: Vec<String> = stmt
                    .query_map([], |r| {
                        let mut cells = Vec::with_capacity(columns);
                        for i in 0..columns {
                            let v: rusqlite::types::Value = r.get(i)?;
                            cells.push(format!("{v:?}"));
                        }
                        Ok(format!("{table}: {}", cells.join(" | ")))
                    })?
                    .collect::<Result<_, _>>()?;
                rows.sort();
                out.push(format!("{table}: {} rows", rows.len()));
                out.extend(rows);
            }
            Ok(out)
        })
        .unwrap()
}

/// Runs `attempt`, asserts it fails with `code`, and that the database is unchanged.
pub fn assert_rejected<T: std::fmt::Debug>(
    store: &Store,
    code: &str,
    attempt: impl FnOnce() -> dockhand_core::Result<T>,
) -> dockhand_core::Error {
    let before = dump(store);
    let err = attempt().expect_err("the command should have been rejected");
    assert_eq!(err.code(), code, "unexpected error: {err}");
    assert_eq!(
        before,
        dump(store),
        "a rejected command changed the database ({err})"
    );
    err
}

/// Loose paper towels (untracked, each).
pub fn towels() -> ScannedGoods {
    ScannedGoods::barcode(sample::TOWELS_EA)
}

/// A case of 24 paper towels.
pub fn towel_cases() -> ScannedGoods {
    ScannedGoods::barcode(sample::TOWELS_CS)
}

/// Bob puts `quantity` of the scanned goods from DOCK-01 to `to`, scanning `check`.
pub fn move_to(scan: ScannedGoods, quantity: i64, to: &str, check: &str) -> ConfirmPutaway {
    ConfirmPutaway {
        op_id: op(),
        operator: "bob".into(),
        from: "DOCK-01".into(),
        scan,
        lpn: None,
        quantity,
        to: to.into(),
        location_scan: check.into(),
        override_reason: None,
    }
}

/// 4 cases (96) of towels received on the sample ASN and put away loose at A-01-01.
pub fn towels_at_a0101(f: &Fixture) {
    receiving::receive_line(&f.store, &receive(towel_cases(), 4)).unwrap();
    dockhand_core::putaway::confirm_putaway(&f.store, &move_to(towel_cases(), 4, "A-01-01", "41"))
        .unwrap();
}

/// (sku, lot, lpn, status, quantity) of every balance at a location.
pub fn summary(
    f: &Fixture,
    location: &str,
) -> Vec<(String, String, String, dockhand_core::StockStatus, i64)> {
    at(f, location)
        .into_iter()
        .map(|b| (b.sku, b.lot, b.lpn, b.status, b.quantity))
        .collect()
}

/// One expected row of [`summary`].
pub fn row(
    sku: &str,
    lot: &str,
    lpn: &str,
    status: dockhand_core::StockStatus,
    quantity: i64,
) -> (String, String, String, dockhand_core::StockStatus, i64) {
    (sku.into(), lot.into(), lpn.into(), status, quantity)
}

/// Every balance at a location.
pub fn at(f: &Fixture, location: &str) -> Vec<stock::Balance> {
    f.store
        .read(|c| stock::balances_at_location(c, location))
        .unwrap()
}

/// The error's sentence names every one of `values`.
pub fn assert_message_names(err: &dockhand_core::Error, values: &[&str]) {
    let message = err.to_string();
    for value in values {
        assert!(
            message.contains(value),
            "the message {message:?} should name {value:?}"
        );
    }
}

/// `verify_integrity()` finds nothing wrong.
pub fn assert_integrity(f: &Fixture) {
    let report = f.store.verify_integrity().unwrap();
    assert!(report.is_ok(), "integrity report: {report:?}");
}

/// Changes one sample location through a master data update (e.g. blocks it).
pub fn change_location(f: &Fixture, code: &str, change: impl FnOnce(&mut catalog::Location)) {
    let mut location = sample::warehouse()
        .locations
        .into_iter()
        .find(|l| l.code == code)
        .unwrap();
    change(&mut location);
    catalog::upsert_master_data(
        &f.store,
        &MasterData {
            locations: vec![location],
            ..MasterData::default()
        },
    )
    .unwrap();
}

/// Base units on hand at the whole site, every status together.
pub fn total_on_hand(f: &Fixture) -> i64 {
    f.store
        .read(stock::all_balances)
        .unwrap()
        .iter()
        .map(|b| b.quantity)
        .sum()
}

/// A block of 100 SSCC serial references under 4012345 (extension 3), as the hub hands it.
pub fn sscc_block(f: &Fixture) {
    dockhand_core::sscc::add_block(
        &f.store,
        &dockhand_core::protocol::sscc::SsccBlock {
            company_prefix: "4012345".into(),
            extension: 3,
            first: 1,
            last: 100,
        },
    )
    .unwrap();
}

/// A pick task for `quantity` towels for `order_ref` to STAGE-01, allocated.
pub fn towel_task(f: &Fixture, task_id: &str, order_ref: &str, quantity: i64) {
    pick_task(f, task_id, order_ref, sample::TOWELS, quantity);
}

/// A pick task of one line, `quantity` base units of `sku`, for `order_ref` to STAGE-01, allocated.
pub fn pick_task(f: &Fixture, task_id: &str, order_ref: &str, sku: &str, quantity: i64) {
    pick_task_by(f, (task_id, order_ref, None), sku, quantity);
}

/// [`pick_task`] for an order that must ship by a time (RFC 3339).
pub fn pick_task_by(f: &Fixture, task: (&str, &str, Option<&str>), sku: &str, quantity: i64) {
    create_pick_task(f, task, sku, quantity).unwrap();
}

/// Alice creates a pick task of one line: (task id, order, ship-by time), what and how many.
pub fn create_pick_task(
    f: &Fixture,
    (task_id, order_ref, ship_by): (&str, &str, Option<&str>),
    sku: &str,
    quantity: i64,
) -> dockhand_core::Result<dockhand_core::picking::PickTask> {
    use dockhand_core::picking::{self, CreatePickTask, PickLineRequest, PickTaskRequest};
    picking::create_pick_task(
        &f.store,
        &CreatePickTask {
            op_id: op(),
            operator: "alice".into(),
            task: PickTaskRequest {
                task_id: task_id.into(),
                order_ref: order_ref.into(),
                staging: "STAGE-01".into(),
                ship_by: ship_by.map(Into::into),
                lines: vec![PickLineRequest {
                    line_no: 1,
                    sku: sku.into(),
                    quantity,
                    unit: None,
                    lot: None,
                }],
            },
        },
    )
}

/// Bob's confirmation of a task's next pick at A-01-01: `quantity` towels into a tote or loose.
pub fn pick_next(
    f: &Fixture,
    task_id: &str,
    quantity: i64,
    tote: Option<&str>,
) -> dockhand_core::picking::ConfirmPick {
    use dockhand_core::picking;
    let next = f
        .store
        .read(|c| picking::next_pick(c, task_id))
        .unwrap()
        .unwrap();
    picking::ConfirmPick {
        op_id: op(),
        operator: "bob".into(),
        task_id: task_id.into(),
        allocation_id: next.allocation_id,
        location_scan: "41".into(),
        scan: towels(),
        quantity,
        tote: tote.map(str::to_string),
        short: false,
    }
}

/// The blind receipt the helpers below receive on.
pub const BLIND: &str = "DN-500";

/// Receives on a blind receipt at DOCK-01 (opened on first use).
pub fn receive_blind(
    f: &Fixture,
    scan: ScannedGoods,
    quantity: i64,
    approver: Option<&str>,
) -> dockhand_core::receiving::LineReceived {
    if f.store
        .read(|c| dockhand_core::receiving::receipt(c, BLIND))
        .is_err()
    {
        dockhand_core::receiving::open_blind_receipt(
            &f.store,
            &dockhand_core::receiving::OpenBlindReceipt {
                op_id: op(),
                operator: "alice".into(),
                receipt_id: BLIND.into(),
                reference: "delivery note 500".into(),
                supplier: "Nordic Foods".into(),
            },
        )
        .unwrap();
    }
    let mut cmd = receive(scan, quantity);
    cmd.receipt_id = BLIND.into();
    cmd.approval = approver.map(sample::badge_of);
    dockhand_core::receiving::receive_line(&f.store, &cmd).unwrap()
}

/// Bob puts goods from DOCK-01 to `to` (with an override reason in case it is not the suggestion).
pub fn put_away(f: &Fixture, scan: ScannedGoods, quantity: i64, to: &str, check: &str) {
    let mut cmd = move_to(scan, quantity, to, check);
    cmd.override_reason = Some("slotting plan".into());
    dockhand_core::putaway::confirm_putaway(&f.store, &cmd).unwrap();
}

/// Receives and puts away: `quantity` of the goods end up `available` at `to`.
pub fn stock_at(f: &Fixture, scan: ScannedGoods, quantity: i64, to: &str, check: &str) {
    receive_blind(f, scan.clone(), quantity, None);
    put_away(f, scan, quantity, to, check);
}
