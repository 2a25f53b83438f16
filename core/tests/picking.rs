//! Picking: allocation by FEFO and walk order within available to promise, the operator led pick
//! by pick, confirmations to staging, lot swaps, short picks, cancellations, and every bad scan
//! refused with its code and values while the database stays as it was.
#![allow(clippy::unwrap_used)]

mod common;

use chrono::{DateTime, NaiveDate};
use common::*;
use dockhand_core::catalog::{self, LocationStatus};
use dockhand_core::counting::{self, CountTaskStatus};
use dockhand_core::outbox::{self, Event};
use dockhand_core::picking::{
    self, CancelPickTask, ConfirmPick, CreatePickTask, PickConfirmed, PickInstruction,
    PickLineRequest, PickStatus, PickTask, PickTaskRequest, PickTaskStatus, StartPickTask,
};
use dockhand_core::protocol::EventKind;
use dockhand_core::stock::{self, AvailableToPromise, Movement};
use dockhand_core::{ScannedGoods, StockStatus, sample};
use uuid::Uuid;

// ---- local helpers ---------------------------------------------------------------------------

const EARLY: &str = "L-EARLY";
const LATE: &str = "L-LATE";

fn early() -> NaiveDate {
    date(2027, 1, 10)
}

fn late() -> NaiveDate {
    date(2027, 3, 1)
}

/// Milk as it arrives: lot and expiry on the label.
fn milk_in(lot: &str, expiry: NaiveDate) -> ScannedGoods {
    ScannedGoods::barcode(sample::MILK_EA)
        .with_lot(lot)
        .with_expiry(expiry)
}

/// Milk as scanned at a pick location: the lot is known, its expiry is on record.
fn milk(lot: &str) -> ScannedGoods {
    ScannedGoods::barcode(sample::MILK_EA).with_lot(lot)
}

fn coffee(lot: &str) -> ScannedGoods {
    ScannedGoods::barcode(sample::COFFEE_EA).with_lot(lot)
}

fn drill(serial: &str) -> ScannedGoods {
    ScannedGoods::barcode(sample::DRILL_EA).with_serial(serial)
}

fn set_clock(f: &Fixture, rfc3339: &str) {
    f.clock.set(DateTime::parse_from_rfc3339(rfc3339).unwrap());
}

/// A quality hold placed on stock where it lies: available becomes quarantined in place.
fn hold_in_place(f: &Fixture, sku: &str, location: &str, lot: &str, quantity: i64) {
    f.store
        .write(|tx| {
            let item = catalog::item_by_sku(tx.conn(), sku)?;
            let loc = catalog::location_by_code(tx.conn(), location)?;
            let bucket = |status| lot_bucket(loc.id, lot, status);
            stock::apply(
                tx,
                &Movement {
                    item_id: item.id,
                    quantity,
                    from: Some(bucket(StockStatus::Available)),
                    to: Some(bucket(StockStatus::Quarantined)),
                    reason: "quality_hold".into(),
                },
            )?;
            // Every stock change travels in an event: a hold in place, as a putaway would record
            // it.
            dockhand_core::outbox::append(
                tx,
                dockhand_core::protocol::events::PutawayConfirmed {
                    sku: sku.into(),
                    lot: lot.into(),
                    serial: String::new(),
                    lpn: String::new(),
                    lpn_after: String::new(),
                    base_quantity: quantity,
                    base_unit: item.item.base_unit.clone(),
                    from: location.into(),
                    to: location.into(),
                    to_zone: loc.location.zone.clone(),
                    status_before: StockStatus::Available,
                    status_after: StockStatus::Quarantined,
                    hold_reason: Some("quality_hold".into()),
                    suggested: None,
                    override_reason: None,
                    movements: Vec::new(),
                },
            )
        })
        .unwrap();
}

fn line(line_no: i64, sku: &str, quantity: i64) -> PickLineRequest {
    PickLineRequest {
        line_no,
        sku: sku.into(),
        quantity,
        unit: None,
        lot: None,
    }
}

fn lot_line(line_no: i64, sku: &str, quantity: i64, lot: &str) -> PickLineRequest {
    PickLineRequest {
        lot: Some(lot.into()),
        ..line(line_no, sku, quantity)
    }
}

fn request(task_id: &str, lines: Vec<PickLineRequest>) -> PickTaskRequest {
    PickTaskRequest {
        task_id: task_id.into(),
        order_ref: format!("SO-{task_id}"),
        staging: "STAGE-01".into(),
        ship_by: None,
        lines,
    }
}

fn create_cmd(task_id: &str, lines: Vec<PickLineRequest>) -> CreatePickTask {
    CreatePickTask {
        op_id: op(),
        operator: "alice".into(),
        task: request(task_id, lines),
    }
}

fn create(f: &Fixture, task_id: &str, lines: Vec<PickLineRequest>) -> PickTask {
    picking::create_pick_task(&f.store, &create_cmd(task_id, lines)).unwrap()
}

/// Bob confirms `quantity` of `scan` for a pick, into TOTE-1.
fn pick(
    task_id: &str,
    allocation_id: i64,
    check: &str,
    scan: ScannedGoods,
    quantity: i64,
) -> ConfirmPick {
    ConfirmPick {
        op_id: op(),
        operator: "bob".into(),
        task_id: task_id.into(),
        allocation_id,
        location_scan: check.into(),
        scan,
        quantity,
        tote: Some("TOTE-1".into()),
        short: false,
    }
}

fn short_pick(
    task_id: &str,
    allocation_id: i64,
    check: &str,
    scan: ScannedGoods,
    found: i64,
) -> ConfirmPick {
    ConfirmPick {
        short: true,
        ..pick(task_id, allocation_id, check, scan, found)
    }
}

fn confirm(f: &Fixture, cmd: &ConfirmPick) -> PickConfirmed {
    picking::confirm_pick(&f.store, cmd).unwrap()
}

fn cancel_cmd(task_id: &str, reason: &str) -> CancelPickTask {
    CancelPickTask {
        op_id: op(),
        operator: "alice".into(),
        task_id: task_id.into(),
        reason: reason.into(),
    }
}

fn the_task(f: &Fixture, task_id: &str) -> PickTask {
    f.store.read(|c| picking::pick_task(c, task_id)).unwrap()
}

fn next(f: &Fixture, task_id: &str) -> Option<PickInstruction> {
    f.store.read(|c| picking::next_pick(c, task_id)).unwrap()
}

/// (location, lot, quantity) of every pick of a task, in walk order.
fn picks(task: &PickTask) -> Vec<(String, String, i64)> {
    task.allocations
        .iter()
        .map(|a| (a.location.clone(), a.lot.clone(), a.quantity))
        .collect()
}

fn place(location: &str, lot: &str, quantity: i64) -> (String, String, i64) {
    (location.into(), lot.into(), quantity)
}

/// The pick of a task at a location.
fn pick_at(task: &PickTask, location: &str) -> i64 {
    task.allocations
        .iter()
        .find(|a| a.location == location)
        .unwrap_or_else(|| panic!("no pick at {location}: {:?}", task.allocations))
        .id
}

/// (location, lot, quantity) held for a pick.
fn reserved_for(f: &Fixture, allocation_id: i64) -> Vec<(String, String, i64)> {
    let reference = format!("pick:{allocation_id}");
    f.store
        .read(|c| stock::reservations_for(c, Some(&reference)))
        .unwrap()
        .into_iter()
        .map(|r| (r.location, r.lot, r.quantity))
        .collect()
}

fn all_reservations(f: &Fixture) -> Vec<stock::Reservation> {
    f.store.read(|c| stock::reservations_for(c, None)).unwrap()
}

fn atp(f: &Fixture, sku: &str) -> AvailableToPromise {
    f.store
        .read(|c| stock::available_to_promise(c, sku))
        .unwrap()
}

fn atp_is(available: i64, reserved: i64) -> AvailableToPromise {
    AvailableToPromise {
        available,
        reserved,
        promisable: available - reserved,
    }
}

fn events(f: &Fixture, op_id: Uuid) -> Vec<Event> {
    f.store
        .read(|c| outbox::events_of_operation(c, op_id))
        .unwrap()
}

fn event_types(f: &Fixture, op_id: Uuid) -> Vec<String> {
    events(f, op_id)
        .into_iter()
        .map(|e| e.envelope.event_type)
        .collect()
}

/// Integrity holds and nothing is promised beyond what is available.
fn settled(f: &Fixture) {
    assert_integrity(f);
    for sku in [
        sample::MILK,
        sample::COFFEE,
        sample::TOWELS,
        sample::DRILL,
        sample::VITAMINS,
    ] {
        let a = atp(f, sku);
        assert!(
            a.promisable >= 0 && a.reserved >= 0,
            "available to promise of {sku} went negative: {a:?}"
        );
    }
}

/// L-LATE (12) at C-01-01 and L-EARLY (12) at C-01-02: the earlier expiry is further on the walk.
fn two_milk_lots() -> Fixture {
    let f = seeded();
    stock_at(&f, milk_in(LATE, late()), 12, "C-01-01", "61");
    stock_at(&f, milk_in(EARLY, early()), 12, "C-01-02", "62");
    f
}

/// Coffee lots C-1 and C-2, six of each, both at A-01-01.
fn two_coffee_lots_in_one_place() -> Fixture {
    let f = seeded();
    stock_at(&f, coffee("C-1"), 6, "A-01-01", "41");
    stock_at(&f, coffee("C-2"), 6, "A-01-01", "41");
    f
}

// ---- allocation: FEFO, walk order, what is never allocated --------------------------------------

#[test]
fn fefo_allocates_the_earliest_expiry_first_even_when_it_is_further_on_the_walk() {
    let f = two_milk_lots();
    let c = create_cmd("T-1", vec![line(1, sample::MILK, 10)]);
    let task = picking::create_pick_task(&f.store, &c).unwrap();
    assert_eq!(task.status, PickTaskStatus::InProgress);
    assert_eq!(picks(&task), vec![place("C-01-02", EARLY, 10)]);
    assert_eq!(task.allocations[0].expiry, Some(early()));
    assert_eq!(task.allocations[0].status, PickStatus::Open);
    assert_eq!(
        reserved_for(&f, task.allocations[0].id),
        vec![place("C-01-02", EARLY, 10)]
    );
    assert_eq!(atp(&f, sample::MILK), atp_is(24, 10));

    let started = events(&f, c.op_id);
    assert_eq!(started.len(), 1);
    assert_eq!(started[0].event_type, EventKind::PickTaskStarted.as_str());
    let payload = &started[0].payload;
    assert_eq!(payload["task_id"], "T-1");
    assert_eq!(payload["order_ref"], "SO-T-1");
    assert_eq!(payload["staging"], "STAGE-01");
    assert_eq!(payload["picks"][0]["location"], "C-01-02");
    assert_eq!(payload["picks"][0]["lot"], EARLY);
    assert_eq!(payload["picks"][0]["quantity"], 10);
    settled(&f);
}

#[test]
fn fefo_spills_to_the_next_expiry_once_the_earliest_lot_is_used_up() {
    let f = two_milk_lots();
    let task = create(&f, "T-1", vec![line(1, sample::MILK, 16)]);
    // Picks are listed in walk order: C-01-01 (sequence 60) before C-01-02 (70).
    assert_eq!(
        picks(&task),
        vec![place("C-01-01", LATE, 4), place("C-01-02", EARLY, 12)]
    );
    assert_eq!(atp(&f, sample::MILK), atp_is(24, 16));
    settled(&f);
}

#[test]
fn among_equal_expiries_the_pick_sequence_decides() {
    let f = seeded();
    stock_at(&f, milk_in(LATE, late()), 6, "C-01-02", "62"); // sequence 70
    stock_at(&f, milk_in(LATE, late()), 6, "A-01-03", "43"); // sequence 30
    stock_at(&f, milk_in(LATE, late()), 6, "P-01-01", "71"); // sequence 5
    let task = create(&f, "T-1", vec![line(1, sample::MILK, 8)]);
    assert_eq!(
        picks(&task),
        vec![place("P-01-01", LATE, 6), place("A-01-03", LATE, 2)]
    );
    let first = next(&f, "T-1").unwrap();
    assert_eq!(
        (first.location.as_str(), first.lot.as_str(), first.quantity),
        ("P-01-01", LATE, 6)
    );
    settled(&f);
}

#[test]
fn untracked_goods_are_allocated_in_walk_order() {
    let f = seeded();
    stock_at(&f, towels(), 10, "A-01-04", "44");
    stock_at(&f, towels(), 10, "A-01-02", "42");
    let task = create(&f, "T-1", vec![line(1, sample::TOWELS, 15)]);
    assert_eq!(
        picks(&task),
        vec![place("A-01-02", "", 10), place("A-01-04", "", 5)]
    );
}

#[test]
fn expired_stock_is_never_allocated() {
    let f = two_milk_lots();
    set_clock(&f, "2027-01-11T08:00:00+01:00");
    let task = create(&f, "T-1", vec![line(1, sample::MILK, 12)]);
    assert_eq!(picks(&task), vec![place("C-01-01", LATE, 12)]);

    // The expired 12 are still on the shelf, but nothing of them can be promised.
    let err = assert_rejected(&f.store, "allocation_short", || {
        picking::create_pick_task(&f.store, &create_cmd("T-2", vec![line(1, sample::MILK, 1)]))
    });
    assert_message_names(&err, &[sample::MILK, "needs 1", "only 0"]);
    assert!(matches!(
        err,
        dockhand_core::Error::AllocationShort {
            requested: 1,
            promisable: 0,
            ..
        }
    ));
    settled(&f);
}

#[test]
fn a_lot_is_still_allocated_on_its_expiry_day() {
    let f = two_milk_lots();
    set_clock(&f, "2027-01-10T08:00:00+01:00");
    let task = create(&f, "T-1", vec![line(1, sample::MILK, 2)]);
    assert_eq!(picks(&task), vec![place("C-01-02", EARLY, 2)]);
}

#[test]
fn quarantined_stock_is_never_allocated() {
    let f = seeded();
    // Short-dated milk accepted by sam goes to quarantine, though it expires first of all.
    let short_dated = milk_in("L-SHORT", date(2026, 12, 10));
    let received = receive_blind(&f, short_dated.clone(), 12, Some("sam"));
    assert_eq!(received.status, StockStatus::Quarantined);
    put_away(&f, short_dated, 12, "QA-01", "91");
    // Vitamins arrive quarantined for inspection.
    let vitamins = ScannedGoods::barcode(sample::VITAMINS_EA)
        .with_lot("V-9")
        .with_expiry(date(2027, 6, 30));
    receive_blind(&f, vitamins.clone(), 12, None);
    put_away(&f, vitamins, 12, "QA-01", "91");
    // A quality hold on L-EARLY where it lies, in a pickable location.
    stock_at(&f, milk_in(EARLY, early()), 12, "C-01-01", "61");
    hold_in_place(&f, sample::MILK, "C-01-01", EARLY, 12);
    stock_at(&f, milk_in(LATE, late()), 5, "C-01-02", "62");

    let task = create(&f, "T-1", vec![line(1, sample::MILK, 5)]);
    assert_eq!(picks(&task), vec![place("C-01-02", LATE, 5)]);

    let err = assert_rejected(&f.store, "allocation_short", || {
        picking::create_pick_task(&f.store, &create_cmd("T-2", vec![line(1, sample::MILK, 1)]))
    });
    assert_message_names(&err, &[sample::MILK, "only 0"]);
    let err = assert_rejected(&f.store, "allocation_short", || {
        picking::create_pick_task(
            &f.store,
            &create_cmd("T-3", vec![line(1, sample::VITAMINS, 1)]),
        )
    });
    assert_message_names(&err, &[sample::VITAMINS, "needs 1", "only 0"]);
    settled(&f);
}

#[test]
fn blocked_and_non_pickable_locations_are_not_allocated() {
    let f = seeded();
    stock_at(&f, towels(), 10, "A-01-01", "41");
    stock_at(&f, towels(), 10, "A-01-02", "42");
    stock_at(&f, towels(), 10, "A-01-03", "43");
    change_location(&f, "A-01-01", |l| l.status = LocationStatus::Blocked);
    change_location(&f, "A-01-02", |l| l.pickable = false);
    let task = create(&f, "T-1", vec![line(1, sample::TOWELS, 10)]);
    assert_eq!(picks(&task), vec![place("A-01-03", "", 10)]);
    let err = assert_rejected(&f.store, "allocation_short", || {
        picking::create_pick_task(
            &f.store,
            &create_cmd("T-2", vec![line(1, sample::TOWELS, 1)]),
        )
    });
    assert_message_names(&err, &[sample::TOWELS, "only 0"]);
}

#[test]
fn a_line_naming_a_lot_gets_only_that_lot() {
    let f = two_milk_lots();
    let task = create(&f, "T-1", vec![lot_line(1, sample::MILK, 5, LATE)]);
    assert_eq!(picks(&task), vec![place("C-01-01", LATE, 5)]);
    assert_eq!(task.lines[0].lot.as_deref(), Some(LATE));

    // 7 of L-LATE are left to promise; the 12 of L-EARLY do not count for this line.
    let err = assert_rejected(&f.store, "allocation_short", || {
        picking::create_pick_task(
            &f.store,
            &create_cmd("T-2", vec![lot_line(1, sample::MILK, 8, LATE)]),
        )
    });
    assert_message_names(&err, &[sample::MILK, "lot L-LATE", "needs 8", "only 7"]);
    assert!(matches!(
        &err,
        dockhand_core::Error::AllocationShort { line_no: 1, lot: Some(lot), requested: 8, promisable: 7, .. } if lot == LATE
    ));
    settled(&f);
}

#[test]
fn a_line_naming_a_lot_is_served_even_when_another_line_of_the_task_could_take_that_lot() {
    // Six of each lot, twelve in all, and the order wants twelve: six of any lot and six of C-1.
    // Whatever order the lines come in, the task can be covered (line 1 takes C-2).
    let f = two_coffee_lots_in_one_place();
    let task = picking::create_pick_task(
        &f.store,
        &create_cmd(
            "T-1",
            vec![
                line(1, sample::COFFEE, 6),
                lot_line(2, sample::COFFEE, 6, "C-1"),
            ],
        ),
    )
    .expect("the task can be covered: line 1 from C-2, line 2 from C-1");
    let mut by_line: Vec<(i64, String, i64)> = task
        .allocations
        .iter()
        .map(|a| (a.line_no, a.lot.clone(), a.quantity))
        .collect();
    by_line.sort();
    assert_eq!(
        by_line,
        vec![(1, "C-2".to_string(), 6), (2, "C-1".to_string(), 6)]
    );
    settled(&f);
}

// ---- never more than available to promise -------------------------------------------------------

#[test]
fn a_second_task_cannot_take_what_the_first_reserved() {
    let f = seeded();
    stock_at(&f, towels(), 24, "A-01-01", "41");
    let first = create(&f, "T-1", vec![line(1, sample::TOWELS, 20)]);
    assert_eq!(picks(&first), vec![place("A-01-01", "", 20)]);
    assert_eq!(atp(&f, sample::TOWELS), atp_is(24, 20));

    let err = assert_rejected(&f.store, "allocation_short", || {
        picking::create_pick_task(
            &f.store,
            &create_cmd("T-2", vec![line(1, sample::TOWELS, 5)]),
        )
    });
    assert_message_names(&err, &["order line 1", sample::TOWELS, "needs 5", "only 4"]);
    assert!(matches!(
        err,
        dockhand_core::Error::AllocationShort {
            requested: 5,
            promisable: 4,
            ..
        }
    ));
    // The refused task left nothing behind.
    let gone = f
        .store
        .read(|c| picking::pick_task(c, "T-2"))
        .expect_err("a refused task is not stored");
    assert_eq!(gone.code(), "unknown_pick_task");

    let second = create(&f, "T-2", vec![line(1, sample::TOWELS, 4)]);
    assert_eq!(picks(&second), vec![place("A-01-01", "", 4)]);
    assert_eq!(atp(&f, sample::TOWELS), atp_is(24, 24));
    let err = assert_rejected(&f.store, "allocation_short", || {
        picking::create_pick_task(
            &f.store,
            &create_cmd("T-3", vec![line(1, sample::TOWELS, 1)]),
        )
    });
    assert_message_names(&err, &["needs 1", "only 0"]);
    settled(&f);
}

#[test]
fn lines_of_one_task_share_what_can_be_promised() {
    let f = seeded();
    stock_at(&f, towels(), 24, "A-01-01", "41");
    stock_at(&f, towels(), 24, "A-01-02", "42");
    let task = create(
        &f,
        "T-1",
        vec![line(1, sample::TOWELS, 20), line(2, sample::TOWELS, 10)],
    );
    let mut by_line: Vec<(i64, String, i64)> = task
        .allocations
        .iter()
        .map(|a| (a.line_no, a.location.clone(), a.quantity))
        .collect();
    by_line.sort();
    assert_eq!(
        by_line,
        vec![
            (1, "A-01-01".to_string(), 20),
            (2, "A-01-01".to_string(), 4),
            (2, "A-01-02".to_string(), 6)
        ]
    );
    assert_eq!(atp(&f, sample::TOWELS), atp_is(48, 30));

    let err = assert_rejected(&f.store, "allocation_short", || {
        picking::create_pick_task(
            &f.store,
            &create_cmd(
                "T-2",
                vec![line(1, sample::TOWELS, 10), line(2, sample::TOWELS, 9)],
            ),
        )
    });
    assert_message_names(&err, &["order line 2", "needs 9", "only 8"]);
    settled(&f);
}

#[test]
fn a_hub_task_is_allocated_when_started_and_refused_whole_when_it_cannot_be_covered() {
    let f = seeded();
    stock_at(&f, towels(), 24, "A-01-01", "41");
    let kept = picking::load_pick_tasks(
        &f.store,
        &[
            request("H-1", vec![line(1, sample::TOWELS, 10)]),
            request("H-2", vec![line(1, sample::TOWELS, 20)]),
        ],
    )
    .unwrap();
    assert!(kept.is_empty());
    let loaded = the_task(&f, "H-1");
    assert_eq!(loaded.status, PickTaskStatus::Open);
    assert!(loaded.allocations.is_empty());
    assert!(all_reservations(&f).is_empty());
    assert_eq!(next(&f, "H-1"), None);
    // Loading again keeps what is on the device.
    let again = picking::load_pick_tasks(
        &f.store,
        &[request("H-1", vec![line(1, sample::TOWELS, 1)])],
    )
    .unwrap();
    assert_eq!(again, vec!["H-1".to_string()]);
    assert_eq!(the_task(&f, "H-1").lines[0].quantity, 10);

    let start = StartPickTask {
        op_id: op(),
        operator: "bob".into(),
        task_id: "H-1".into(),
    };
    let started = picking::start_pick_task(&f.store, &start).unwrap();
    assert_eq!(started.status, PickTaskStatus::InProgress);
    assert_eq!(picks(&started), vec![place("A-01-01", "", 10)]);
    assert_eq!(
        event_types(&f, start.op_id),
        vec![EventKind::PickTaskStarted.as_str()]
    );

    let err = assert_rejected(&f.store, "wrong_state", || {
        picking::start_pick_task(
            &f.store,
            &StartPickTask {
                op_id: op(),
                ..start.clone()
            },
        )
    });
    assert_message_names(&err, &["H-1", "in_progress", "started"]);

    let err = assert_rejected(&f.store, "allocation_short", || {
        picking::start_pick_task(
            &f.store,
            &StartPickTask {
                op_id: op(),
                operator: "bob".into(),
                task_id: "H-2".into(),
            },
        )
    });
    assert_message_names(&err, &["needs 20", "only 14"]);
    assert_eq!(the_task(&f, "H-2").status, PickTaskStatus::Open);
    settled(&f);
}

#[test]
fn creating_a_task_with_bad_input_is_refused() {
    let f = seeded();
    stock_at(&f, towels(), 24, "A-01-01", "41");
    create(&f, "T-1", vec![line(1, sample::TOWELS, 1)]);

    let err = assert_rejected(&f.store, "wrong_state", || {
        picking::create_pick_task(
            &f.store,
            &create_cmd("T-1", vec![line(1, sample::TOWELS, 1)]),
        )
    });
    assert_message_names(&err, &["T-1"]);
    let err = assert_rejected(&f.store, "unknown_item", || {
        picking::create_pick_task(&f.store, &create_cmd("T-2", vec![line(1, "NOPE-1", 1)]))
    });
    assert_message_names(&err, &["NOPE-1"]);
    let err = assert_rejected(&f.store, "invalid_quantity", || {
        picking::create_pick_task(
            &f.store,
            &create_cmd("T-2", vec![line(1, sample::TOWELS, 0)]),
        )
    });
    assert_message_names(&err, &["0"]);
    assert_rejected(&f.store, "invalid_input", || {
        picking::create_pick_task(
            &f.store,
            &create_cmd(
                "T-2",
                vec![line(1, sample::TOWELS, 1), line(1, sample::TOWELS, 1)],
            ),
        )
    });
    assert_rejected(&f.store, "invalid_input", || {
        picking::create_pick_task(&f.store, &create_cmd("T-2", vec![]))
    });
    let mut to_storage = create_cmd("T-2", vec![line(1, sample::TOWELS, 1)]);
    to_storage.task.staging = "A-01-02".into();
    let err = assert_rejected(&f.store, "wrong_location_type", || {
        picking::create_pick_task(&f.store, &to_storage)
    });
    assert_message_names(&err, &["A-01-02", "storage"]);
    let mut unknown_operator = create_cmd("T-2", vec![line(1, sample::TOWELS, 1)]);
    unknown_operator.operator = "mallory".into();
    assert_rejected(&f.store, "unknown_operator", || {
        picking::create_pick_task(&f.store, &unknown_operator)
    });
    // A line in cases is allocated in base units.
    let mut in_cases = line(1, sample::TOWELS, 1);
    in_cases.unit = Some("CS".into());
    let err = assert_rejected(&f.store, "allocation_short", || {
        picking::create_pick_task(&f.store, &create_cmd("T-2", vec![in_cases.clone()]))
    });
    assert_message_names(&err, &["needs 24", "only 23"]);
    settled(&f);
}

// ---- led pick by pick, confirmed to staging ----------------------------------------------------

#[test]
fn the_operator_is_led_pick_by_pick_in_walk_order_and_each_pick_moves_to_staging() {
    let f = seeded();
    stock_at(&f, towels(), 24, "P-01-01", "71"); // sequence 5
    stock_at(&f, coffee("C-1"), 12, "A-01-01", "41"); // sequence 10
    stock_at(&f, towels(), 24, "A-01-02", "42"); // sequence 20
    let task = create(
        &f,
        "T-1",
        vec![line(1, sample::TOWELS, 30), line(2, sample::COFFEE, 3)],
    );
    assert_eq!(
        picks(&task),
        vec![
            place("P-01-01", "", 24),
            place("A-01-01", "C-1", 3),
            place("A-01-02", "", 6)
        ]
    );

    // 1. P-01-01: 24 towels.
    let first = next(&f, "T-1").unwrap();
    assert_eq!(
        first,
        PickInstruction {
            allocation_id: pick_at(&task, "P-01-01"),
            line_no: 1,
            location: "P-01-01".into(),
            sku: sample::TOWELS.into(),
            description: "Paper towels, 2-pack".into(),
            lot: String::new(),
            quantity: 24,
            unit: "EA".into(),
        }
    );
    let mut cmd = pick("T-1", first.allocation_id, "71", towel_cases(), 1);
    cmd.tote = Some("TOTE-7".into());
    let done = confirm(&f, &cmd);
    assert_eq!(
        done,
        PickConfirmed {
            task_id: "T-1".into(),
            allocation_id: first.allocation_id,
            line_no: 1,
            sku: sample::TOWELS.into(),
            lot: String::new(),
            picked: 24,
            short: 0,
            location: "P-01-01".into(),
            staging: "STAGE-01".into(),
            tote: "TOTE-7".into(),
            count_task_id: None,
            replenishment_task_id: None,
            task_status: PickTaskStatus::InProgress,
        }
    );
    assert!(at(&f, "P-01-01").is_empty());
    assert_eq!(
        summary(&f, "STAGE-01"),
        vec![row(
            sample::TOWELS,
            "",
            "TOTE-7",
            StockStatus::InTransit,
            24
        )]
    );
    assert!(reserved_for(&f, first.allocation_id).is_empty());
    let evs = events(&f, cmd.op_id);
    assert_eq!(evs.len(), 1);
    assert_eq!(evs[0].event_type, EventKind::PickConfirmed.as_str());
    assert_eq!(evs[0].user_id, "bob");
    let p = &evs[0].payload;
    assert_eq!(p["task_id"], "T-1");
    assert_eq!(p["order_ref"], "SO-T-1");
    assert_eq!(p["line_no"], 1);
    assert_eq!(p["pick_id"], first.allocation_id);
    assert_eq!(p["sku"], sample::TOWELS);
    assert_eq!(p["base_quantity"], 24);
    assert_eq!(p["base_unit"], "EA");
    assert_eq!(p["from"], "P-01-01");
    assert_eq!(p["to"], "STAGE-01");
    assert_eq!(p["tote"], "TOTE-7");
    settled(&f);

    // 2. A-01-01: 3 coffee of lot C-1.
    let second = next(&f, "T-1").unwrap();
    assert_eq!(
        (
            second.location.as_str(),
            second.sku.as_str(),
            second.lot.as_str(),
            second.quantity,
            second.line_no
        ),
        ("A-01-01", sample::COFFEE, "C-1", 3, 2)
    );
    let cmd = pick("T-1", second.allocation_id, "41", coffee("C-1"), 3);
    let done = confirm(&f, &cmd);
    assert_eq!((done.picked, done.lot.as_str()), (3, "C-1"));
    assert_eq!(
        summary(&f, "A-01-01"),
        vec![row(sample::COFFEE, "C-1", "", StockStatus::Available, 9)]
    );
    assert_eq!(events(&f, cmd.op_id)[0].payload["lot"], "C-1");
    assert_eq!(events(&f, cmd.op_id)[0].payload["allocated_lot"], "C-1");

    // 3. A-01-02: the last 6 towels; the task is done.
    let third = next(&f, "T-1").unwrap();
    assert_eq!((third.location.as_str(), third.quantity), ("A-01-02", 6));
    let done = confirm(&f, &pick("T-1", third.allocation_id, "42", towels(), 6));
    assert_eq!(done.task_status, PickTaskStatus::Done);
    assert_eq!(next(&f, "T-1"), None);
    let task = the_task(&f, "T-1");
    assert_eq!(task.status, PickTaskStatus::Done);
    assert!(
        task.allocations
            .iter()
            .all(|a| a.status == PickStatus::Done)
    );
    assert_eq!(
        task.lines
            .iter()
            .map(|l| (l.line_no, l.quantity, l.picked, l.short))
            .collect::<Vec<_>>(),
        vec![(1, 30, 30, 0), (2, 3, 3, 0)]
    );
    assert_eq!(
        summary(&f, "STAGE-01"),
        vec![
            row(sample::COFFEE, "C-1", "TOTE-1", StockStatus::InTransit, 3),
            row(sample::TOWELS, "", "TOTE-1", StockStatus::InTransit, 6),
            row(sample::TOWELS, "", "TOTE-7", StockStatus::InTransit, 24),
        ]
    );
    assert!(all_reservations(&f).is_empty());
    assert_eq!(atp(&f, sample::TOWELS), atp_is(18, 0));
    assert_eq!(atp(&f, sample::COFFEE), atp_is(9, 0));
    settled(&f);
}

#[test]
fn a_partial_pick_keeps_the_pick_open_for_the_rest() {
    let f = seeded();
    stock_at(&f, towels(), 30, "A-01-01", "41");
    let task = create(&f, "T-1", vec![line(1, sample::TOWELS, 24)]);
    let id = task.allocations[0].id;
    let done = confirm(&f, &pick("T-1", id, "41", towels(), 10));
    assert_eq!((done.picked, done.short), (10, 0));
    assert_eq!(done.task_status, PickTaskStatus::InProgress);
    let left = next(&f, "T-1").unwrap();
    assert_eq!((left.allocation_id, left.quantity), (id, 14));
    assert_eq!(reserved_for(&f, id), vec![place("A-01-01", "", 14)]);
    assert_eq!(the_task(&f, "T-1").allocations[0].picked, 10);
    assert_eq!(the_task(&f, "T-1").allocations[0].status, PickStatus::Open);
    assert_eq!(atp(&f, sample::TOWELS), atp_is(20, 14));
    assert_eq!(
        summary(&f, "STAGE-01"),
        vec![row(
            sample::TOWELS,
            "",
            "TOTE-1",
            StockStatus::InTransit,
            10
        )]
    );
    settled(&f);

    let done = confirm(&f, &pick("T-1", id, "41", towels(), 14));
    assert_eq!(done.task_status, PickTaskStatus::Done);
    assert!(reserved_for(&f, id).is_empty());
    assert_eq!(
        summary(&f, "STAGE-01"),
        vec![row(
            sample::TOWELS,
            "",
            "TOTE-1",
            StockStatus::InTransit,
            24
        )]
    );
    assert_eq!(atp(&f, sample::TOWELS), atp_is(6, 0));
    settled(&f);
}

#[test]
fn a_replayed_confirmation_returns_the_first_answer_and_writes_nothing() {
    let f = seeded();
    stock_at(&f, towels(), 24, "A-01-01", "41");
    let task = create(&f, "T-1", vec![line(1, sample::TOWELS, 10)]);
    let cmd = pick("T-1", task.allocations[0].id, "41", towels(), 4);
    let first = confirm(&f, &cmd);
    let before = dump(&f.store);
    let again = confirm(&f, &cmd);
    assert_eq!(first, again);
    assert_eq!(before, dump(&f.store), "a replay wrote something");
    assert_eq!(
        event_types(&f, cmd.op_id),
        vec![EventKind::PickConfirmed.as_str()]
    );
    assert_eq!(the_task(&f, "T-1").allocations[0].picked, 4);

    // The same operation id for another command is refused.
    let mut other = cmd.clone();
    other.quantity = 5;
    let err = assert_rejected(&f.store, "operation_id_reused", || {
        picking::confirm_pick(&f.store, &other)
    });
    assert_message_names(&err, &[&cmd.op_id.to_string()]);
    settled(&f);
}

#[test]
fn a_serial_tracked_pick_moves_the_serial_scanned() {
    let f = seeded();
    for serial in ["SN-1", "SN-2", "SN-3"] {
        stock_at(&f, drill(serial), 1, "A-01-04", "44");
    }
    let task = create(&f, "T-1", vec![line(1, sample::DRILL, 2)]);
    assert_eq!(picks(&task), vec![place("A-01-04", "", 2)]);
    let id = task.allocations[0].id;
    confirm(&f, &pick("T-1", id, "44", drill("SN-2"), 1));
    let staged: Vec<String> = at(&f, "STAGE-01").into_iter().map(|b| b.serial).collect();
    assert_eq!(staged, vec!["SN-2".to_string()]);

    // A serial that is not on the shelf cannot be picked.
    let err = assert_rejected(&f.store, "insufficient_stock", || {
        picking::confirm_pick(&f.store, &pick("T-1", id, "44", drill("SN-9"), 1))
    });
    assert_message_names(&err, &["SN-9", "A-01-04"]);
    // One unit per serial scan.
    assert_rejected(&f.store, "invalid_input", || {
        picking::confirm_pick(&f.store, &pick("T-1", id, "44", drill("SN-3"), 2))
    });
    let done = confirm(&f, &pick("T-1", id, "44", drill("SN-3"), 1));
    assert_eq!(done.task_status, PickTaskStatus::Done);
    let left: Vec<String> = at(&f, "A-01-04").into_iter().map(|b| b.serial).collect();
    assert_eq!(left, vec!["SN-1".to_string()]);
    settled(&f);
}

// ---- lot swaps ---------------------------------------------------------------------------------

#[test]
fn another_free_lot_in_the_same_location_may_be_picked_when_the_line_does_not_require_a_lot() {
    let f = two_coffee_lots_in_one_place();
    let task = create(&f, "T-1", vec![line(1, sample::COFFEE, 4)]);
    assert_eq!(picks(&task), vec![place("A-01-01", "C-1", 4)]);
    let id = task.allocations[0].id;
    let cmd = pick("T-1", id, "41", coffee("C-2"), 4);
    let done = confirm(&f, &cmd);
    assert_eq!((done.lot.as_str(), done.picked), ("C-2", 4));
    assert_eq!(done.task_status, PickTaskStatus::Done);
    assert_eq!(
        summary(&f, "A-01-01"),
        vec![
            row(sample::COFFEE, "C-1", "", StockStatus::Available, 6),
            row(sample::COFFEE, "C-2", "", StockStatus::Available, 2),
        ]
    );
    assert_eq!(
        summary(&f, "STAGE-01"),
        vec![row(
            sample::COFFEE,
            "C-2",
            "TOTE-1",
            StockStatus::InTransit,
            4
        )]
    );
    // The reservation on C-1 is released: nothing stays promised.
    assert!(all_reservations(&f).is_empty());
    assert_eq!(atp(&f, sample::COFFEE), atp_is(8, 0));
    let p = &events(&f, cmd.op_id)[0].payload;
    assert_eq!(p["lot"], "C-2");
    assert_eq!(p["allocated_lot"], "C-1");
    settled(&f);
}

#[test]
fn a_lot_swap_to_a_lot_reserved_by_another_task_is_refused() {
    let f = two_coffee_lots_in_one_place();
    let other = create(&f, "T-1", vec![lot_line(1, sample::COFFEE, 6, "C-2")]);
    assert_eq!(picks(&other), vec![place("A-01-01", "C-2", 6)]);
    let task = create(&f, "T-2", vec![line(1, sample::COFFEE, 3)]);
    assert_eq!(picks(&task), vec![place("A-01-01", "C-1", 3)]);
    let err = assert_rejected(&f.store, "lot_not_pickable", || {
        picking::confirm_pick(
            &f.store,
            &pick("T-2", task.allocations[0].id, "41", coffee("C-2"), 3),
        )
    });
    assert_message_names(
        &err,
        &["C-2", sample::COFFEE, "A-01-01", "none of it is free"],
    );
    settled(&f);
}

#[test]
fn a_lot_swap_beyond_what_is_free_of_that_lot_is_refused_naming_what_is_free() {
    let f = two_coffee_lots_in_one_place();
    create(&f, "T-1", vec![lot_line(1, sample::COFFEE, 4, "C-2")]);
    let task = create(&f, "T-2", vec![line(1, sample::COFFEE, 3)]);
    let id = task.allocations[0].id;
    let err = assert_rejected(&f.store, "lot_not_pickable", || {
        picking::confirm_pick(&f.store, &pick("T-2", id, "41", coffee("C-2"), 3))
    });
    assert_message_names(&err, &["C-2", "A-01-01", "only 2 of it is free"]);
    // Within what is free, the swap is fine.
    let done = confirm(&f, &pick("T-2", id, "41", coffee("C-2"), 2));
    assert_eq!((done.lot.as_str(), done.picked), ("C-2", 2));
    settled(&f);
}

#[test]
fn a_lot_swap_to_a_quarantined_lot_is_refused() {
    let f = seeded();
    stock_at(&f, milk_in(LATE, late()), 12, "C-01-01", "61");
    stock_at(&f, milk_in(EARLY, early()), 6, "C-01-01", "61");
    hold_in_place(&f, sample::MILK, "C-01-01", EARLY, 6);
    let task = create(&f, "T-1", vec![line(1, sample::MILK, 4)]);
    assert_eq!(picks(&task), vec![place("C-01-01", LATE, 4)]);
    let err = assert_rejected(&f.store, "lot_not_pickable", || {
        picking::confirm_pick(
            &f.store,
            &pick("T-1", task.allocations[0].id, "61", milk(EARLY), 4),
        )
    });
    assert_message_names(&err, &[EARLY, sample::MILK, "C-01-01", "quarantined"]);
    settled(&f);
}

#[test]
fn a_lot_swap_to_a_lot_that_is_not_there_is_refused() {
    let f = two_coffee_lots_in_one_place();
    stock_at(&f, coffee("C-9"), 6, "A-01-02", "42");
    let task = create(&f, "T-1", vec![line(1, sample::COFFEE, 3)]);
    let id = task.allocations[0].id;
    // C-9 exists, but in another location; C-0 exists nowhere.
    for lot in ["C-9", "C-0"] {
        let err = assert_rejected(&f.store, "lot_not_pickable", || {
            picking::confirm_pick(&f.store, &pick("T-1", id, "41", coffee(lot), 3))
        });
        assert_message_names(&err, &[lot, "A-01-01", "none of it is free"]);
    }
    settled(&f);
}

#[test]
fn a_line_requiring_a_lot_refuses_any_other_lot() {
    let f = two_coffee_lots_in_one_place();
    let task = create(&f, "T-1", vec![lot_line(1, sample::COFFEE, 3, "C-2")]);
    assert_eq!(picks(&task), vec![place("A-01-01", "C-2", 3)]);
    let err = assert_rejected(&f.store, "wrong_lot", || {
        picking::confirm_pick(
            &f.store,
            &pick("T-1", task.allocations[0].id, "41", coffee("C-1"), 3),
        )
    });
    assert_message_names(
        &err,
        &[sample::COFFEE, "needs lot C-2", "lot C-1 was scanned"],
    );
    settled(&f);
}

// ---- bad scans and commands --------------------------------------------------------------------

/// Towels (24) at A-01-01 and coffee C-1 (6) at A-01-02; task T-1 wants 10 towels.
fn towels_to_pick() -> (Fixture, i64) {
    let f = seeded();
    stock_at(&f, towels(), 24, "A-01-01", "41");
    stock_at(&f, coffee("C-1"), 6, "A-01-02", "42");
    let task = create(&f, "T-1", vec![line(1, sample::TOWELS, 10)]);
    (f, task.allocations[0].id)
}

#[test]
fn a_wrong_check_string_at_the_location_is_refused() {
    let (f, id) = towels_to_pick();
    let err = assert_rejected(&f.store, "wrong_check_string", || {
        picking::confirm_pick(&f.store, &pick("T-1", id, "42", towels(), 10))
    });
    assert_message_names(&err, &["42", "A-01-01"]);
    settled(&f);
}

#[test]
fn a_wrong_item_scanned_is_refused() {
    let (f, id) = towels_to_pick();
    let err = assert_rejected(&f.store, "wrong_item", || {
        picking::confirm_pick(&f.store, &pick("T-1", id, "41", coffee("C-1"), 1))
    });
    assert_message_names(&err, &[sample::COFFEE, sample::TOWELS, "A-01-01"]);
    assert_rejected(&f.store, "unknown_barcode", || {
        picking::confirm_pick(
            &f.store,
            &pick("T-1", id, "41", ScannedGoods::barcode("4099999999994"), 1),
        )
    });
    settled(&f);
}

#[test]
fn a_lot_tracked_item_scanned_without_its_lot_is_refused() {
    let f = two_coffee_lots_in_one_place();
    let task = create(&f, "T-1", vec![line(1, sample::COFFEE, 3)]);
    let err = assert_rejected(&f.store, "lot_required", || {
        picking::confirm_pick(
            &f.store,
            &pick(
                "T-1",
                task.allocations[0].id,
                "41",
                ScannedGoods::barcode(sample::COFFEE_EA),
                3,
            ),
        )
    });
    assert_message_names(&err, &[sample::COFFEE]);
}

#[test]
fn an_over_pick_is_refused_naming_what_is_left() {
    let (f, id) = towels_to_pick();
    let err = assert_rejected(&f.store, "over_pick", || {
        picking::confirm_pick(&f.store, &pick("T-1", id, "41", towels(), 11))
    });
    assert_message_names(&err, &["A-01-01", sample::TOWELS, "10 more", "not 11"]);
    // A case is 24: more than the 10 asked for.
    let err = assert_rejected(&f.store, "over_pick", || {
        picking::confirm_pick(&f.store, &pick("T-1", id, "41", towel_cases(), 1))
    });
    assert_message_names(&err, &["10 more", "not 24"]);
    // After a partial pick, only the rest may be picked.
    confirm(&f, &pick("T-1", id, "41", towels(), 7));
    let err = assert_rejected(&f.store, "over_pick", || {
        picking::confirm_pick(&f.store, &pick("T-1", id, "41", towels(), 4))
    });
    assert_message_names(&err, &["3 more", "not 4"]);
    settled(&f);
}

#[test]
fn a_quantity_below_one_is_refused_unless_the_pick_is_short() {
    let (f, id) = towels_to_pick();
    for quantity in [0, -3] {
        assert_rejected(&f.store, "invalid_quantity", || {
            picking::confirm_pick(&f.store, &pick("T-1", id, "41", towels(), quantity))
        });
    }
    assert_rejected(&f.store, "invalid_quantity", || {
        picking::confirm_pick(&f.store, &short_pick("T-1", id, "41", towels(), -1))
    });
    settled(&f);
}

#[test]
fn stock_that_expired_after_allocation_cannot_be_picked() {
    let f = two_milk_lots();
    let task = create(&f, "T-1", vec![line(1, sample::MILK, 5)]);
    assert_eq!(picks(&task), vec![place("C-01-02", EARLY, 5)]);
    set_clock(&f, "2027-01-11T09:00:00+01:00");
    let err = assert_rejected(&f.store, "lot_not_pickable", || {
        picking::confirm_pick(
            &f.store,
            &pick("T-1", task.allocations[0].id, "62", milk(EARLY), 5),
        )
    });
    assert_message_names(
        &err,
        &[EARLY, sample::MILK, "C-01-02", "expired on 2027-01-10"],
    );
    settled(&f);
}

#[test]
fn an_unknown_task_or_pick_is_refused() {
    let (f, id) = towels_to_pick();
    let err = assert_rejected(&f.store, "unknown_pick_task", || {
        picking::confirm_pick(&f.store, &pick("T-404", id, "41", towels(), 1))
    });
    assert_message_names(&err, &["T-404"]);
    let err = assert_rejected(&f.store, "unknown_pick", || {
        picking::confirm_pick(&f.store, &pick("T-1", 9999, "41", towels(), 1))
    });
    assert_message_names(&err, &["9999", "T-1"]);
    // A pick of another task is not part of this one.
    let other = create(&f, "T-2", vec![line(1, sample::COFFEE, 1)]);
    let other_id = other.allocations[0].id;
    let err = assert_rejected(&f.store, "unknown_pick", || {
        picking::confirm_pick(&f.store, &pick("T-1", other_id, "42", coffee("C-1"), 1))
    });
    assert_message_names(&err, &[&other_id.to_string(), "T-1"]);
    let mut stranger = pick("T-1", id, "41", towels(), 1);
    stranger.operator = "mallory".into();
    assert_rejected(&f.store, "unknown_operator", || {
        picking::confirm_pick(&f.store, &stranger)
    });
    settled(&f);
}

#[test]
fn a_finished_pick_cannot_be_confirmed_again() {
    let f = seeded();
    stock_at(&f, towels(), 10, "A-01-01", "41");
    stock_at(&f, towels(), 10, "A-01-02", "42");
    let task = create(&f, "T-1", vec![line(1, sample::TOWELS, 15)]);
    let first = pick_at(&task, "A-01-01");
    confirm(&f, &pick("T-1", first, "41", towels(), 10));
    let err = assert_rejected(&f.store, "wrong_state", || {
        picking::confirm_pick(&f.store, &pick("T-1", first, "41", towels(), 1))
    });
    assert_message_names(&err, &[&first.to_string(), "done", "confirmed"]);
    let last = pick_at(&task, "A-01-02");
    confirm(&f, &pick("T-1", last, "42", towels(), 5));
    let err = assert_rejected(&f.store, "wrong_state", || {
        picking::confirm_pick(&f.store, &pick("T-1", last, "42", towels(), 1))
    });
    assert_message_names(&err, &["T-1", "done", "picked"]);
    settled(&f);
}

// ---- short picks -------------------------------------------------------------------------------

#[test]
fn a_short_pick_moves_what_was_found_releases_the_rest_and_asks_for_a_count() {
    let f = seeded();
    stock_at(&f, towels(), 24, "P-01-01", "71");
    let task = create(&f, "T-1", vec![line(1, sample::TOWELS, 20)]);
    let id = task.allocations[0].id;
    let cmd = short_pick("T-1", id, "71", towels(), 15);
    let done = confirm(&f, &cmd);
    assert_eq!((done.picked, done.short), (15, 5));
    assert_eq!(done.task_status, PickTaskStatus::Done);
    let count_id = done
        .count_task_id
        .clone()
        .expect("a count task for P-01-01");

    assert_eq!(
        summary(&f, "STAGE-01"),
        vec![row(
            sample::TOWELS,
            "",
            "TOTE-1",
            StockStatus::InTransit,
            15
        )]
    );
    // The system still shows 9 on the shelf until the count says otherwise; none is reserved.
    assert_eq!(
        summary(&f, "P-01-01"),
        vec![row(sample::TOWELS, "", "", StockStatus::Available, 9)]
    );
    assert!(reserved_for(&f, id).is_empty());
    assert_eq!(atp(&f, sample::TOWELS), atp_is(9, 0));

    let evs = events(&f, cmd.op_id);
    assert_eq!(
        evs.iter()
            .map(|e| e.event_type.as_str())
            .collect::<Vec<_>>(),
        vec![
            EventKind::PickConfirmed.as_str(),
            EventKind::PickShort.as_str()
        ]
    );
    assert_eq!(evs[0].payload["base_quantity"], 15);
    let p = &evs[1].payload;
    assert_eq!(p["task_id"], "T-1");
    assert_eq!(p["pick_id"], id);
    assert_eq!(p["sku"], sample::TOWELS);
    assert_eq!(p["location"], "P-01-01");
    assert_eq!(p["expected"], 20);
    assert_eq!(p["found"], 15);
    assert_eq!(p["short"], 5);
    assert_eq!(p["count_task_id"], count_id.as_str());

    let count = f
        .store
        .read(|c| counting::count_task(c, &count_id))
        .unwrap();
    assert_eq!(count.location.as_deref(), Some("P-01-01"));
    assert_eq!(count.sku, None);
    assert_eq!(count.source, "short_pick");
    assert_eq!(count.status, CountTaskStatus::Open);

    let task = the_task(&f, "T-1");
    assert_eq!(task.status, PickTaskStatus::Done);
    assert_eq!(
        (task.allocations[0].picked, task.allocations[0].short),
        (15, 5)
    );
    assert_eq!((task.lines[0].picked, task.lines[0].short), (15, 5));
    assert_eq!(next(&f, "T-1"), None);
    settled(&f);
}

#[test]
fn a_short_pick_with_nothing_found_moves_nothing_and_only_reports_the_short() {
    let f = seeded();
    stock_at(&f, towels(), 10, "A-01-01", "41");
    stock_at(&f, towels(), 10, "A-01-02", "42");
    let task = create(&f, "T-1", vec![line(1, sample::TOWELS, 15)]);
    let id = pick_at(&task, "A-01-01");
    let cmd = short_pick("T-1", id, "41", towels(), 0);
    let done = confirm(&f, &cmd);
    assert_eq!((done.picked, done.short), (0, 10));
    assert_eq!(done.task_status, PickTaskStatus::InProgress);
    assert_eq!(
        event_types(&f, cmd.op_id),
        vec![EventKind::PickShort.as_str()]
    );
    let p = &events(&f, cmd.op_id)[0].payload;
    assert_eq!(
        (
            p["expected"].as_i64(),
            p["found"].as_i64(),
            p["short"].as_i64()
        ),
        (Some(10), Some(0), Some(10))
    );
    assert!(at(&f, "STAGE-01").is_empty());
    assert!(reserved_for(&f, id).is_empty());
    // The other pick keeps its reservation, and the next pick is the one left.
    let rest = pick_at(&task, "A-01-02");
    assert_eq!(reserved_for(&f, rest), vec![place("A-01-02", "", 5)]);
    assert_eq!(next(&f, "T-1").unwrap().allocation_id, rest);
    let count = f
        .store
        .read(|c| counting::count_task(c, done.count_task_id.as_deref().unwrap()))
        .unwrap();
    assert_eq!(count.location.as_deref(), Some("A-01-01"));
    settled(&f);
}

#[test]
fn a_second_short_pick_in_a_location_reuses_the_count_that_has_not_started() {
    let f = seeded();
    stock_at(&f, towels(), 24, "A-01-01", "41");
    let one = create(&f, "T-1", vec![line(1, sample::TOWELS, 5)]);
    let two = create(&f, "T-2", vec![line(1, sample::TOWELS, 5)]);
    let a = confirm(
        &f,
        &short_pick("T-1", one.allocations[0].id, "41", towels(), 1),
    );
    let b = confirm(
        &f,
        // Another order: another tote (TOTE-1 holds order T-1's goods).
        &ConfirmPick {
            tote: Some("TOTE-2".into()),
            ..short_pick("T-2", two.allocations[0].id, "41", towels(), 2)
        },
    );
    assert!(a.count_task_id.is_some());
    assert_eq!(a.count_task_id, b.count_task_id);
    settled(&f);
}

// ---- cancelling ----------------------------------------------------------------------------------

#[test]
fn cancelling_a_task_releases_its_reservations_and_it_cannot_be_picked_or_cancelled_again() {
    let f = seeded();
    stock_at(&f, towels(), 24, "A-01-01", "41");
    stock_at(&f, towels(), 24, "A-01-02", "42");
    let task = create(&f, "T-1", vec![line(1, sample::TOWELS, 30)]);
    let first = pick_at(&task, "A-01-01");
    let second = pick_at(&task, "A-01-02");
    confirm(&f, &pick("T-1", first, "41", towels(), 24));
    assert_eq!(atp(&f, sample::TOWELS), atp_is(24, 6));

    let err = assert_rejected(&f.store, "reason_required", || {
        picking::cancel_pick_task(&f.store, &cancel_cmd("T-1", "  "))
    });
    assert_message_names(&err, &["cancelling a pick task"]);

    let cmd = cancel_cmd("T-1", "customer cancelled the order");
    let cancelled = picking::cancel_pick_task(&f.store, &cmd).unwrap();
    assert_eq!(cancelled.status, PickTaskStatus::Cancelled);
    let statuses: Vec<(i64, PickStatus)> = cancelled
        .allocations
        .iter()
        .map(|a| (a.id, a.status))
        .collect();
    assert_eq!(
        statuses,
        vec![(first, PickStatus::Done), (second, PickStatus::Released)]
    );
    assert!(all_reservations(&f).is_empty());
    assert_eq!(atp(&f, sample::TOWELS), atp_is(24, 0));
    // What was picked stays at staging.
    assert_eq!(
        summary(&f, "STAGE-01"),
        vec![row(
            sample::TOWELS,
            "",
            "TOTE-1",
            StockStatus::InTransit,
            24
        )]
    );
    let evs = events(&f, cmd.op_id);
    assert_eq!(evs.len(), 1);
    assert_eq!(evs[0].event_type, EventKind::PickTaskCancelled.as_str());
    assert_eq!(evs[0].payload["task_id"], "T-1");
    assert_eq!(evs[0].payload["order_ref"], "SO-T-1");
    assert_eq!(evs[0].payload["reason"], "customer cancelled the order");
    assert_eq!(evs[0].payload["released_quantity"], 6);
    assert_eq!(next(&f, "T-1"), None);

    let err = assert_rejected(&f.store, "wrong_state", || {
        picking::confirm_pick(&f.store, &pick("T-1", second, "42", towels(), 6))
    });
    assert_message_names(&err, &["T-1", "cancelled", "picked"]);
    let err = assert_rejected(&f.store, "wrong_state", || {
        picking::cancel_pick_task(&f.store, &cancel_cmd("T-1", "again"))
    });
    assert_message_names(&err, &["T-1", "cancelled", "cancelled"]);
    let err = assert_rejected(&f.store, "unknown_pick_task", || {
        picking::cancel_pick_task(&f.store, &cancel_cmd("T-404", "typo"))
    });
    assert_message_names(&err, &["T-404"]);

    // What was released can be promised to another task.
    let other = create(&f, "T-2", vec![line(1, sample::TOWELS, 24)]);
    assert_eq!(picks(&other), vec![place("A-01-02", "", 24)]);
    settled(&f);
}

#[test]
fn cancelling_a_task_mid_pick_releases_only_what_is_left_of_a_partial_pick() {
    let f = seeded();
    stock_at(&f, towels(), 24, "A-01-01", "41");
    let task = create(&f, "T-1", vec![line(1, sample::TOWELS, 20)]);
    let id = task.allocations[0].id;
    confirm(&f, &pick("T-1", id, "41", towels(), 8));
    let cmd = cancel_cmd("T-1", "wave re-planned");
    picking::cancel_pick_task(&f.store, &cmd).unwrap();
    assert_eq!(events(&f, cmd.op_id)[0].payload["released_quantity"], 12);
    assert!(all_reservations(&f).is_empty());
    assert_eq!(atp(&f, sample::TOWELS), atp_is(16, 0));
    settled(&f);
}

#[test]
fn a_done_task_cannot_be_cancelled() {
    let (f, id) = towels_to_pick();
    confirm(&f, &pick("T-1", id, "41", towels(), 10));
    let err = assert_rejected(&f.store, "wrong_state", || {
        picking::cancel_pick_task(&f.store, &cancel_cmd("T-1", "too late"))
    });
    assert_message_names(&err, &["T-1", "done"]);
    settled(&f);
}

#[test]
fn a_hub_task_not_started_can_be_cancelled_and_then_not_started() {
    let f = seeded();
    stock_at(&f, towels(), 24, "A-01-01", "41");
    picking::load_pick_tasks(
        &f.store,
        &[request("H-1", vec![line(1, sample::TOWELS, 5)])],
    )
    .unwrap();
    let cmd = cancel_cmd("H-1", "order withdrawn");
    picking::cancel_pick_task(&f.store, &cmd).unwrap();
    assert_eq!(events(&f, cmd.op_id)[0].payload["released_quantity"], 0);
    let err = assert_rejected(&f.store, "wrong_state", || {
        picking::start_pick_task(
            &f.store,
            &StartPickTask {
                op_id: op(),
                operator: "bob".into(),
                task_id: "H-1".into(),
            },
        )
    });
    assert_message_names(&err, &["H-1", "cancelled", "started"]);
    settled(&f);
}

// ---- edge cases found in review ---------------------------------------------------------------

#[test]
fn a_short_pick_that_finds_nothing_of_an_expired_lot_can_still_be_recorded() {
    let f = seeded();
    stock_at(&f, milk_in("L9", early()), 12, "C-01-01", "61");
    let task = create(&f, "T-EXP", vec![lot_line(1, sample::MILK, 5, "L9")]);
    // The lot expires overnight; the picker finds none of it.
    set_clock(
        &f,
        &format!("{}T08:00:00+01:00", early() + chrono::Duration::days(1)),
    );
    let done = confirm(
        &f,
        &short_pick("T-EXP", task.allocations[0].id, "61", milk("L9"), 0),
    );
    assert_eq!((done.picked, done.short), (0, 5));
    assert_eq!(done.task_status, PickTaskStatus::Done);
    assert_integrity(&f);
}

#[test]
fn short_with_everything_found_is_a_plain_pick() {
    let f = seeded();
    stock_at(&f, towels(), 10, "A-01-01", "41");
    let task = create(&f, "T-FULL", vec![line(1, sample::TOWELS, 4)]);
    let cmd = short_pick("T-FULL", task.allocations[0].id, "41", towels(), 4);
    let done = confirm(&f, &cmd);
    assert_eq!(
        (done.picked, done.short, done.count_task_id.clone()),
        (4, 0, None)
    );
    let types: Vec<String> = f
        .store
        .read(|c| outbox::events_of_operation(c, cmd.op_id))
        .unwrap()
        .into_iter()
        .map(|e| e.envelope.event_type)
        .collect();
    assert_eq!(types, [EventKind::PickConfirmed.as_str()]);
}

#[test]
fn a_short_pick_at_a_location_blocked_since_allocation_is_recorded_without_a_count() {
    let f = seeded();
    stock_at(&f, towels(), 10, "A-01-01", "41");
    let task = create(&f, "T-BLK", vec![line(1, sample::TOWELS, 6)]);
    change_location(&f, "A-01-01", |l| {
        l.status = dockhand_core::catalog::LocationStatus::Blocked
    });
    let done = confirm(
        &f,
        &short_pick("T-BLK", task.allocations[0].id, "41", towels(), 2),
    );
    assert_eq!((done.picked, done.short, done.count_task_id), (2, 4, None));
    assert_integrity(&f);
}

#[test]
fn lots_without_expiry_are_picked_in_walk_order_not_by_lot_name() {
    let f = seeded();
    // Lot "A" far away (A-01-04), lot "B" on the pick face (walked first).
    stock_at(&f, coffee("A"), 6, "A-01-04", "44");
    stock_at(&f, coffee("B"), 6, "P-01-01", "71");
    let task = create(&f, "T-WALK", vec![line(1, sample::COFFEE, 4)]);
    assert_eq!(picks(&task), vec![place("P-01-01", "B", 4)]);
}

#[test]
fn an_order_line_requiring_an_expired_lot_is_refused_naming_the_expiry() {
    let f = seeded();
    stock_at(&f, milk_in("L9", early()), 12, "C-01-01", "61");
    set_clock(
        &f,
        &format!("{}T08:00:00+01:00", early() + chrono::Duration::days(1)),
    );
    let err = assert_rejected(&f.store, "lot_expired", || {
        picking::create_pick_task(
            &f.store,
            &create_cmd("T-OLD", vec![lot_line(1, sample::MILK, 2, "L9")]),
        )
    });
    assert_message_names(&err, &["L9", &early().to_string()]);
}
