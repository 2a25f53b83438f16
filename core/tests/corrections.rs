//! Corrections: a mistaken confirmed movement is voided by a compensating transaction that refers to
//! the original event. History is never edited: the original event stays as it was, the void adds
//! its own `correction.voided` event, and the workflow's records are put back. What cannot be voided
//! is refused with its code, and the database stays as it was.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use dockhand_core::corrections::{self, VoidMovement, Voided};
use dockhand_core::counting::{self, CountTaskRequest, CountedLine, StartCount, SubmitCount};
use dockhand_core::outbox::{self, Event};
use dockhand_core::picking::{
    self, CancelPickTask, ConfirmPick, CreatePickTask, PickLineRequest, PickStatus, PickTask,
    PickTaskRequest, PickTaskStatus,
};
use dockhand_core::protocol::EventKind;
use dockhand_core::receiving::{self, CloseReceipt, LineReceived};
use dockhand_core::returns::{
    self, InspectReturnLine, InspectionOutcome, ReceiveReturn, ReturnLineRequest,
};
use dockhand_core::stock::{self, AvailableToPromise};
use dockhand_core::{ScannedGoods, StockStatus, putaway, sample};
use uuid::Uuid;

// ---- local helpers ---------------------------------------------------------------------------

fn coffee(lot: &str) -> ScannedGoods {
    ScannedGoods::barcode(sample::COFFEE_EA).with_lot(lot)
}

fn vitamins() -> ScannedGoods {
    ScannedGoods::barcode(sample::VITAMINS_EA)
        .with_lot("V-9")
        .with_expiry(date(2027, 6, 30))
}

fn received(f: &Fixture, scan: ScannedGoods, quantity: i64) -> LineReceived {
    receiving::receive_line(&f.store, &receive(scan, quantity)).unwrap()
}

/// Bob puts goods from DOCK-01 to `to` (with an override reason in case it is not the suggestion).
fn put_away(
    f: &Fixture,
    scan: ScannedGoods,
    quantity: i64,
    to: &str,
    check: &str,
) -> putaway::PutawayConfirmed {
    let mut cmd = move_to(scan, quantity, to, check);
    cmd.override_reason = Some("slotting plan".into());
    putaway::confirm_putaway(&f.store, &cmd).unwrap()
}

fn void_cmd(event_id: Uuid, reason: &str) -> VoidMovement {
    VoidMovement {
        op_id: op(),
        operator: "alice".into(),
        event_id,
        reason: reason.into(),
        approval: sample::badge_of("sam"),
    }
}

fn void(f: &Fixture, event_id: Uuid) -> (VoidMovement, Voided) {
    let cmd = void_cmd(event_id, "scanned by mistake");
    let voided = corrections::void_movement(&f.store, &cmd).unwrap();
    (cmd, voided)
}

fn event(f: &Fixture, event_id: Uuid) -> Event {
    f.store.read(|c| outbox::event_by_id(c, event_id)).unwrap()
}

fn events(f: &Fixture, op_id: Uuid) -> Vec<Event> {
    f.store
        .read(|c| outbox::events_of_operation(c, op_id))
        .unwrap()
}

/// The one event of a command.
fn only_event(f: &Fixture, op_id: Uuid) -> Event {
    let evs = events(f, op_id);
    assert_eq!(evs.len(), 1, "{evs:?}");
    evs.into_iter().next().unwrap()
}

fn line_received(f: &Fixture, receipt_id: &str, line_no: i64) -> i64 {
    f.store
        .read(|c| receiving::receipt(c, receipt_id))
        .unwrap()
        .lines
        .into_iter()
        .find(|l| l.line_no == line_no)
        .unwrap()
        .received
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

fn line(line_no: i64, sku: &str, quantity: i64) -> PickLineRequest {
    PickLineRequest {
        line_no,
        sku: sku.into(),
        quantity,
        unit: None,
        lot: None,
    }
}

fn create(f: &Fixture, task_id: &str, lines: Vec<PickLineRequest>) -> PickTask {
    picking::create_pick_task(
        &f.store,
        &CreatePickTask {
            op_id: op(),
            operator: "alice".into(),
            task: PickTaskRequest {
                task_id: task_id.into(),
                order_ref: format!("SO-{task_id}"),
                staging: "STAGE-01".into(),
                ship_by: None,
                lines,
            },
        },
    )
    .unwrap()
}

fn the_task(f: &Fixture, task_id: &str) -> PickTask {
    f.store.read(|c| picking::pick_task(c, task_id)).unwrap()
}

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

/// Confirms a pick; returns the id of its `PickConfirmed` event.
fn picked(f: &Fixture, cmd: &ConfirmPick) -> Uuid {
    picking::confirm_pick(&f.store, cmd).unwrap();
    let evs = events(f, cmd.op_id);
    evs.iter()
        .find(|e| e.event_type == EventKind::PickConfirmed.as_str())
        .unwrap()
        .event_id
}

/// Towels received (one case, 24) on the ASN and put away to A-01-01.
fn towels_on_the_shelf() -> Fixture {
    let f = seeded();
    received(&f, towel_cases(), 1);
    put_away(&f, towel_cases(), 1, "A-01-01", "41");
    f
}

fn return_cmd(return_id: &str, lines: Vec<ReturnLineRequest>) -> ReceiveReturn {
    ReceiveReturn {
        op_id: op(),
        operator: "alice".into(),
        return_id: return_id.into(),
        reference: "SO-77".into(),
        customer: "Café Nord".into(),
        location: "RET-01".into(),
        lines,
    }
}

fn inspect_cmd(return_id: &str, line_no: i64, outcome: InspectionOutcome) -> InspectReturnLine {
    InspectReturnLine {
        op_id: op(),
        operator: "bob".into(),
        return_id: return_id.into(),
        line_no,
        outcome,
        reason_code: "unopened".into(),
        note: None,
    }
}

/// Return RMA-1: line 1 is 4 towels, line 2 is 2 coffee of lot C-7, both pending at RET-01.
fn return_on_the_bench() -> Fixture {
    let f = seeded();
    returns::receive_return(
        &f.store,
        &return_cmd(
            "RMA-1",
            vec![
                ReturnLineRequest {
                    line_no: 1,
                    scan: towels(),
                    quantity: 4,
                },
                ReturnLineRequest {
                    line_no: 2,
                    scan: coffee("C-7"),
                    quantity: 2,
                },
            ],
        ),
    )
    .unwrap();
    f
}

// ---- voiding a received line -----------------------------------------------------------------

#[test]
fn voiding_a_received_line_takes_the_stock_off_the_dock_and_the_line_back() {
    let f = seeded();
    let kept = received(&f, towels(), 5);
    let wrong = received(&f, towel_cases(), 2);
    assert_eq!(line_received(&f, sample::ASN, 3), 53);
    let original = event(&f, wrong.event_id);
    assert_eq!(original.event_type, EventKind::LineReceived.as_str());

    let (cmd, voided) = void(&f, wrong.event_id);
    assert_eq!(
        voided,
        Voided {
            voided_event_id: wrong.event_id,
            voided_event_type: EventKind::LineReceived.as_str().into(),
            movements_reversed: 1,
        }
    );
    assert_eq!(
        summary(&f, "DOCK-01"),
        vec![row(sample::TOWELS, "", "", StockStatus::Received, 5)]
    );
    assert_eq!(line_received(&f, sample::ASN, 3), 5);

    let correction = only_event(&f, cmd.op_id);
    assert_eq!(correction.event_type, EventKind::Voided.as_str());
    assert_eq!(correction.user_id, "alice");
    assert!(correction.seq > original.seq);
    let p = &correction.payload;
    assert_eq!(p["approved_by"], "sam");
    assert_eq!(p["voided_event_id"], wrong.event_id.to_string());
    assert_eq!(p["voided_event_type"], EventKind::LineReceived.as_str());
    assert_eq!(p["voided_seq"], original.seq);
    assert_eq!(p["voided_op_id"], original.op_id.to_string());
    assert_eq!(p["reason"], "scanned by mistake");
    assert_eq!(p["movements_reversed"], 1);

    // History is not edited: the original event is exactly as it was, and so is the kept one.
    assert_eq!(event(&f, wrong.event_id), original);
    assert_eq!(event(&f, kept.event_id).payload["base_quantity"], 5);
    // The line can be received again.
    received(&f, towel_cases(), 1);
    assert_eq!(line_received(&f, sample::ASN, 3), 29);
    assert_integrity(&f);
}

#[test]
fn voiding_a_quarantined_receipt_takes_it_off_the_dock() {
    let f = seeded();
    let got = received(&f, vitamins(), 12);
    assert_eq!(got.status, StockStatus::Quarantined);
    void(&f, got.event_id);
    assert!(at(&f, "DOCK-01").is_empty());
    assert_eq!(line_received(&f, sample::ASN, 4), 0);
    assert_integrity(&f);
}

// ---- voiding a putaway -------------------------------------------------------------------------

#[test]
fn voiding_a_putaway_moves_the_goods_back_to_the_dock() {
    let f = seeded();
    received(&f, towel_cases(), 2);
    let moved = put_away(&f, towel_cases(), 1, "A-01-02", "42");
    assert_eq!(
        summary(&f, "A-01-02"),
        vec![row(sample::TOWELS, "", "", StockStatus::Available, 24)]
    );
    let original = event(&f, moved.event_id);
    let (cmd, voided) = void(&f, moved.event_id);
    assert_eq!(
        voided.voided_event_type,
        EventKind::PutawayConfirmed.as_str()
    );
    assert_eq!(voided.movements_reversed, 1);
    assert!(at(&f, "A-01-02").is_empty());
    assert_eq!(
        summary(&f, "DOCK-01"),
        vec![row(sample::TOWELS, "", "", StockStatus::Received, 48)]
    );
    // The receipt line is untouched by a putaway void.
    assert_eq!(line_received(&f, sample::ASN, 3), 48);
    assert_eq!(atp(&f, sample::TOWELS), atp_is(0, 0));
    let p = &only_event(&f, cmd.op_id).payload;
    assert_eq!(p["voided_event_type"], EventKind::PutawayConfirmed.as_str());
    assert_eq!(p["voided_seq"], original.seq);
    assert_eq!(event(&f, moved.event_id), original);

    // The goods can be put away again, to the right place this time.
    put_away(&f, towel_cases(), 2, "A-01-01", "41");
    assert_eq!(
        summary(&f, "A-01-01"),
        vec![row(sample::TOWELS, "", "", StockStatus::Available, 48)]
    );
    assert_integrity(&f);
}

#[test]
fn voiding_a_quarantine_putaway_brings_the_goods_back_quarantined() {
    let f = seeded();
    received(&f, vitamins(), 12);
    let moved = put_away(&f, vitamins(), 12, "QA-01", "91");
    void(&f, moved.event_id);
    assert!(at(&f, "QA-01").is_empty());
    assert_eq!(
        summary(&f, "DOCK-01"),
        vec![row(
            sample::VITAMINS,
            "V-9",
            "",
            StockStatus::Quarantined,
            12
        )]
    );
    assert_integrity(&f);
}

// ---- voiding a pick ------------------------------------------------------------------------------

#[test]
fn voiding_a_pick_puts_the_goods_back_and_reopens_the_pick_with_its_reservation() {
    let f = towels_on_the_shelf();
    let task = create(&f, "T-1", vec![line(1, sample::TOWELS, 10)]);
    let id = task.allocations[0].id;
    let event_id = picked(&f, &pick("T-1", id, "41", towels(), 10));
    assert_eq!(the_task(&f, "T-1").status, PickTaskStatus::Done);
    assert_eq!(atp(&f, sample::TOWELS), atp_is(14, 0));

    let (cmd, voided) = void(&f, event_id);
    assert_eq!(voided.voided_event_type, EventKind::PickConfirmed.as_str());
    assert!(at(&f, "STAGE-01").is_empty());
    assert_eq!(
        summary(&f, "A-01-01"),
        vec![row(sample::TOWELS, "", "", StockStatus::Available, 24)]
    );
    assert_eq!(
        reserved_for(&f, id),
        vec![("A-01-01".into(), String::new(), 10)]
    );
    assert_eq!(atp(&f, sample::TOWELS), atp_is(24, 10));
    let task = the_task(&f, "T-1");
    assert_eq!(task.status, PickTaskStatus::InProgress);
    assert_eq!(task.allocations[0].status, PickStatus::Open);
    assert_eq!(task.allocations[0].picked, 0);
    assert_eq!(task.lines[0].picked, 0);
    let instruction = f
        .store
        .read(|c| picking::next_pick(c, "T-1"))
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            instruction.allocation_id,
            instruction.location.as_str(),
            instruction.quantity
        ),
        (id, "A-01-01", 10)
    );
    assert_eq!(
        only_event(&f, cmd.op_id).event_type,
        EventKind::Voided.as_str()
    );
    assert_integrity(&f);

    // The pick can be done again.
    let again = picking::confirm_pick(&f.store, &pick("T-1", id, "41", towels(), 10)).unwrap();
    assert_eq!(again.task_status, PickTaskStatus::Done);
    assert!(reserved_for(&f, id).is_empty());
    assert_integrity(&f);
}

#[test]
fn voiding_one_of_two_partial_picks_reopens_only_its_quantity() {
    let f = towels_on_the_shelf();
    let task = create(&f, "T-1", vec![line(1, sample::TOWELS, 10)]);
    let id = task.allocations[0].id;
    picked(&f, &pick("T-1", id, "41", towels(), 6));
    let second = picked(&f, &pick("T-1", id, "41", towels(), 4));
    void(&f, second);
    let task = the_task(&f, "T-1");
    assert_eq!(task.status, PickTaskStatus::InProgress);
    assert_eq!(
        (task.allocations[0].picked, task.allocations[0].status),
        (6, PickStatus::Open)
    );
    assert_eq!(
        reserved_for(&f, id),
        vec![("A-01-01".into(), String::new(), 4)]
    );
    assert_eq!(
        summary(&f, "STAGE-01"),
        vec![row(sample::TOWELS, "", "TOTE-1", StockStatus::InTransit, 6)]
    );
    assert_eq!(atp(&f, sample::TOWELS), atp_is(18, 4));
    assert_integrity(&f);
}

#[test]
fn voiding_a_pick_of_a_cancelled_task_leaves_no_reservation_behind() {
    // A reservation for a cancelled task could never be picked nor released: the void must not
    // hold stock for it (or must be refused as a whole).
    let f = towels_on_the_shelf();
    received(&f, towel_cases(), 1);
    put_away(&f, towel_cases(), 1, "A-01-02", "42");
    let task = create(&f, "T-1", vec![line(1, sample::TOWELS, 30)]);
    let first = task
        .allocations
        .iter()
        .find(|a| a.location == "A-01-01")
        .unwrap()
        .id;
    let event_id = picked(&f, &pick("T-1", first, "41", towels(), 24));
    picking::cancel_pick_task(
        &f.store,
        &CancelPickTask {
            op_id: op(),
            operator: "alice".into(),
            task_id: "T-1".into(),
            reason: "order cancelled".into(),
        },
    )
    .unwrap();
    assert_eq!(atp(&f, sample::TOWELS), atp_is(24, 0));

    let before = dump(&f.store);
    match corrections::void_movement(&f.store, &void_cmd(event_id, "wrong tote")) {
        Ok(_) => {
            assert_eq!(
                summary(&f, "A-01-01"),
                vec![row(sample::TOWELS, "", "", StockStatus::Available, 24)]
            );
            assert_eq!(the_task(&f, "T-1").status, PickTaskStatus::Cancelled);
            assert!(
                reserved_for(&f, first).is_empty(),
                "the void reserved stock for cancelled task T-1: {:?}",
                reserved_for(&f, first)
            );
            assert_eq!(atp(&f, sample::TOWELS), atp_is(48, 0));
        }
        Err(err) => {
            assert_eq!(err.code(), "not_voidable", "{err}");
            assert_eq!(before, dump(&f.store));
        }
    }
    assert_integrity(&f);
}

#[test]
fn after_voiding_a_lot_swapped_pick_the_reopened_pick_can_still_be_done() {
    // C-1 and C-2, six each at A-01-01. T-1's pick was allocated C-1 but C-2 was taken (a swap);
    // the pick is voided, then T-2 takes everything else that is free.
    let f = seeded();
    received(&f, coffee("C-1"), 6);
    put_away(&f, coffee("C-1"), 6, "A-01-01", "41");
    received(&f, coffee("C-2"), 6);
    put_away(&f, coffee("C-2"), 6, "A-01-01", "41");
    let task = create(&f, "T-1", vec![line(1, sample::COFFEE, 4)]);
    let id = task.allocations[0].id;
    assert_eq!(task.allocations[0].lot, "C-1");
    let event_id = picked(&f, &pick("T-1", id, "41", coffee("C-2"), 4));
    void(&f, event_id);
    assert_integrity(&f);
    let other = create(&f, "T-2", vec![line(1, sample::COFFEE, 8)]);
    assert_eq!(other.allocations.iter().map(|a| a.quantity).sum::<i64>(), 8);
    assert_eq!(atp(&f, sample::COFFEE), atp_is(12, 12));

    // T-1's pick is led to a lot, and that lot is still held for it.
    let instruction = f
        .store
        .read(|c| picking::next_pick(c, "T-1"))
        .unwrap()
        .unwrap();
    assert_eq!(instruction.allocation_id, id);
    assert_eq!(
        reserved_for(&f, id),
        vec![("A-01-01".into(), instruction.lot.clone(), 4)],
        "the reopened pick leads to lot {} but holds another",
        instruction.lot
    );
    let done = picking::confirm_pick(
        &f.store,
        &pick("T-1", id, "41", coffee(&instruction.lot), 4),
    )
    .expect("following the instruction of the reopened pick works");
    assert_eq!(done.task_status, PickTaskStatus::Done);
    assert_integrity(&f);
}

// ---- voiding a return inspection -------------------------------------------------------------

#[test]
fn voiding_a_restock_lets_the_line_be_inspected_again() {
    let f = return_on_the_bench();
    let cmd = inspect_cmd("RMA-1", 1, InspectionOutcome::Restock);
    let done = returns::inspect_return_line(&f.store, &cmd).unwrap();
    assert_eq!(done.status_after, Some(StockStatus::Available));
    let event_id = only_event(&f, cmd.op_id).event_id;

    let (_, voided) = void(&f, event_id);
    assert_eq!(
        voided.voided_event_type,
        EventKind::ReturnInspected.as_str()
    );
    assert_eq!(
        summary(&f, "RET-01"),
        vec![
            row(sample::COFFEE, "C-7", "", StockStatus::ReturnPending, 2),
            row(sample::TOWELS, "", "", StockStatus::ReturnPending, 4),
        ]
    );
    let line = f
        .store
        .read(|c| returns::get_return(c, "RMA-1"))
        .unwrap()
        .lines
        .into_iter()
        .find(|l| l.line_no == 1)
        .unwrap();
    assert_eq!(
        (line.outcome, line.reason_code, line.minutes_to_available),
        (None, None, None)
    );
    assert_integrity(&f);

    let again = returns::inspect_return_line(
        &f.store,
        &inspect_cmd("RMA-1", 1, InspectionOutcome::Damaged),
    )
    .unwrap();
    assert_eq!(again.status_after, Some(StockStatus::Damaged));
    assert_eq!(
        summary(&f, "RET-01"),
        vec![
            row(sample::COFFEE, "C-7", "", StockStatus::ReturnPending, 2),
            row(sample::TOWELS, "", "", StockStatus::Damaged, 4),
        ]
    );
    assert_integrity(&f);
}

#[test]
fn voiding_a_scrap_brings_the_goods_back_into_inventory() {
    let f = return_on_the_bench();
    let cmd = inspect_cmd("RMA-1", 2, InspectionOutcome::Scrap);
    returns::inspect_return_line(&f.store, &cmd).unwrap();
    assert_eq!(
        summary(&f, "RET-01"),
        vec![row(sample::TOWELS, "", "", StockStatus::ReturnPending, 4)]
    );
    void(&f, only_event(&f, cmd.op_id).event_id);
    assert_eq!(
        summary(&f, "RET-01"),
        vec![
            row(sample::COFFEE, "C-7", "", StockStatus::ReturnPending, 2),
            row(sample::TOWELS, "", "", StockStatus::ReturnPending, 4),
        ]
    );
    returns::inspect_return_line(
        &f.store,
        &inspect_cmd("RMA-1", 2, InspectionOutcome::Restock),
    )
    .unwrap();
    assert_integrity(&f);
}

// ---- voiding a count adjustment ------------------------------------------------------------------

#[test]
fn voiding_a_count_adjustment_puts_the_counted_away_unit_back() {
    let f = towels_on_the_shelf();
    counting::load_count_tasks(
        &f.store,
        &[CountTaskRequest {
            task_id: "CC-1".into(),
            location: Some("A-01-01".into()),
            sku: None,
            reason: "cycle".into(),
        }],
    )
    .unwrap();
    counting::start_count(
        &f.store,
        &StartCount {
            op_id: op(),
            operator: "bob".into(),
            task_id: "CC-1".into(),
        },
    )
    .unwrap();
    let submit = SubmitCount {
        op_id: op(),
        operator: "bob".into(),
        task_id: "CC-1".into(),
        lines: vec![CountedLine {
            location: None,
            scan: towels(),
            quantity: 23,
            counted_at: None,
        }],
    };
    counting::submit_count(&f.store, &submit).unwrap();
    assert_eq!(
        summary(&f, "A-01-01"),
        vec![row(sample::TOWELS, "", "", StockStatus::Available, 23)]
    );
    let adjusted = events(&f, submit.op_id)
        .into_iter()
        .find(|e| e.event_type == EventKind::CountAdjusted.as_str())
        .expect("an adjustment event");
    let (_, voided) = void(&f, adjusted.event_id);
    assert_eq!(voided.voided_event_type, EventKind::CountAdjusted.as_str());
    assert_eq!(
        summary(&f, "A-01-01"),
        vec![row(sample::TOWELS, "", "", StockStatus::Available, 24)]
    );
    assert_integrity(&f);
}

// ---- what cannot be voided -----------------------------------------------------------------------

#[test]
fn a_void_is_never_voided() {
    let f = seeded();
    let got = received(&f, towels(), 5);
    let (cmd, _) = void(&f, got.event_id);
    let correction = only_event(&f, cmd.op_id);
    let err = assert_rejected(&f.store, "not_voidable", || {
        corrections::void_movement(&f.store, &void_cmd(correction.event_id, "undo the undo"))
    });
    assert_message_names(
        &err,
        &[
            &correction.event_id.to_string(),
            EventKind::Voided.as_str(),
            "never voided",
        ],
    );
}

#[test]
fn the_same_command_is_voided_only_once() {
    let f = seeded();
    let got = received(&f, towels(), 5);
    let (first, _) = void(&f, got.event_id);
    let err = assert_rejected(&f.store, "not_voidable", || {
        corrections::void_movement(&f.store, &void_cmd(got.event_id, "once more"))
    });
    assert_message_names(
        &err,
        &[
            &got.event_id.to_string(),
            EventKind::LineReceived.as_str(),
            "already voided",
            &first.op_id.to_string(),
        ],
    );
    assert_integrity(&f);
}

#[test]
fn a_replayed_void_returns_the_first_answer_and_writes_nothing() {
    let f = seeded();
    let got = received(&f, towels(), 5);
    let (cmd, voided) = void(&f, got.event_id);
    let before = dump(&f.store);
    let again = corrections::void_movement(&f.store, &cmd).unwrap();
    assert_eq!(again, voided);
    assert_eq!(before, dump(&f.store));
}

#[test]
fn a_receipt_whose_goods_were_put_away_cannot_be_voided() {
    let f = seeded();
    let got = received(&f, towel_cases(), 1);
    put_away(&f, towels(), 10, "A-01-01", "41");
    let err = assert_rejected(&f.store, "not_voidable", || {
        corrections::void_movement(&f.store, &void_cmd(got.event_id, "wrong count"))
    });
    assert_message_names(
        &err,
        &[
            &got.event_id.to_string(),
            EventKind::LineReceived.as_str(),
            "moved since",
            "DOCK-01",
        ],
    );
    assert_integrity(&f);
}

#[test]
fn a_putaway_whose_goods_are_promised_to_a_pick_cannot_be_voided() {
    let f = seeded();
    received(&f, towel_cases(), 1);
    let moved = put_away(&f, towel_cases(), 1, "A-01-01", "41");
    create(&f, "T-1", vec![line(1, sample::TOWELS, 5)]);
    let err = assert_rejected(&f.store, "not_voidable", || {
        corrections::void_movement(&f.store, &void_cmd(moved.event_id, "wrong bin"))
    });
    assert_message_names(
        &err,
        &[
            EventKind::PutawayConfirmed.as_str(),
            "moved since",
            "A-01-01",
        ],
    );
    assert_integrity(&f);
}

#[test]
fn a_restock_whose_goods_were_put_away_from_the_bench_cannot_be_voided() {
    let f = return_on_the_bench();
    let cmd = inspect_cmd("RMA-1", 1, InspectionOutcome::Restock);
    returns::inspect_return_line(&f.store, &cmd).unwrap();
    let mut away = move_to(towels(), 4, "A-01-01", "41");
    away.from = "RET-01".into();
    away.override_reason = Some("nearest bin".into());
    putaway::confirm_putaway(&f.store, &away).unwrap();
    let event_id = only_event(&f, cmd.op_id).event_id;
    let err = assert_rejected(&f.store, "not_voidable", || {
        corrections::void_movement(&f.store, &void_cmd(event_id, "wrong outcome"))
    });
    assert_message_names(&err, &[EventKind::ReturnInspected.as_str(), "moved since"]);
    // Nor can the inspected line be inspected twice.
    let err = assert_rejected(&f.store, "wrong_state", || {
        returns::inspect_return_line(&f.store, &inspect_cmd("RMA-1", 1, InspectionOutcome::Scrap))
    });
    assert_message_names(&err, &["RMA-1", "already inspected"]);
}

#[test]
fn a_short_pick_is_corrected_by_a_count_not_a_void() {
    let f = towels_on_the_shelf();
    let task = create(&f, "T-1", vec![line(1, sample::TOWELS, 10)]);
    let mut cmd = pick("T-1", task.allocations[0].id, "41", towels(), 7);
    cmd.short = true;
    picking::confirm_pick(&f.store, &cmd).unwrap();
    for e in events(&f, cmd.op_id) {
        let err = assert_rejected(&f.store, "not_voidable", || {
            corrections::void_movement(&f.store, &void_cmd(e.event_id, "miscounted"))
        });
        assert_message_names(&err, &[&e.event_id.to_string(), &e.event_type]);
    }
}

#[test]
fn events_that_are_not_movements_cannot_be_voided() {
    let f = seeded();
    received(&f, towels(), 5);
    let close = CloseReceipt {
        op_id: op(),
        operator: "alice".into(),
        receipt_id: sample::ASN.into(),
    };
    receiving::close_receipt(&f.store, &close).unwrap();
    let closing = events(&f, close.op_id);
    assert!(
        closing
            .iter()
            .any(|e| e.event_type == EventKind::ReceiptClosed.as_str())
    );
    assert!(
        closing
            .iter()
            .any(|e| e.event_type == EventKind::ReceiptDiscrepancy.as_str())
    );
    for e in closing {
        let err = assert_rejected(&f.store, "not_voidable", || {
            corrections::void_movement(&f.store, &void_cmd(e.event_id, "closed too early"))
        });
        assert_message_names(
            &err,
            &[&e.event_id.to_string(), &e.event_type, "can be voided"],
        );
    }
}

#[test]
fn a_pick_task_start_cannot_be_voided() {
    let f = towels_on_the_shelf();
    let cmd = CreatePickTask {
        op_id: op(),
        operator: "alice".into(),
        task: PickTaskRequest {
            task_id: "T-1".into(),
            order_ref: "SO-1".into(),
            staging: "STAGE-01".into(),
            ship_by: None,
            lines: vec![line(1, sample::TOWELS, 5)],
        },
    };
    picking::create_pick_task(&f.store, &cmd).unwrap();
    let started = only_event(&f, cmd.op_id);
    assert_rejected(&f.store, "not_voidable", || {
        corrections::void_movement(&f.store, &void_cmd(started.event_id, "no"))
    });
}

#[test]
fn a_void_needs_a_reason() {
    let f = seeded();
    let got = received(&f, towels(), 5);
    for reason in ["", "   "] {
        let err = assert_rejected(&f.store, "reason_required", || {
            corrections::void_movement(&f.store, &void_cmd(got.event_id, reason))
        });
        assert_message_names(&err, &["voiding a movement", "reason"]);
    }
}

#[test]
fn an_unknown_event_cannot_be_voided() {
    let f = seeded();
    received(&f, towels(), 5);
    let unknown = Uuid::now_v7();
    let err = assert_rejected(&f.store, "unknown_event", || {
        corrections::void_movement(&f.store, &void_cmd(unknown, "typo"))
    });
    assert_message_names(&err, &[&unknown.to_string()]);
}

#[test]
fn an_unknown_operator_cannot_void() {
    let f = seeded();
    let got = received(&f, towels(), 5);
    let mut cmd = void_cmd(got.event_id, "typo");
    cmd.operator = "mallory".into();
    assert_rejected(&f.store, "unknown_operator", || {
        corrections::void_movement(&f.store, &cmd)
    });
}

#[test]
fn a_received_line_on_a_closed_receipt_cannot_be_voided() {
    let f = seeded();
    let got = received(&f, towels(), 5);
    receiving::close_receipt(
        &f.store,
        &CloseReceipt {
            op_id: op(),
            operator: "alice".into(),
            receipt_id: sample::ASN.into(),
        },
    )
    .unwrap();
    let err = assert_rejected(&f.store, "not_voidable", || {
        corrections::void_movement(&f.store, &void_cmd(got.event_id, "late correction"))
    });
    assert_message_names(&err, &[&got.event_id.to_string(), sample::ASN, "closed"]);
    assert_integrity(&f);
}

#[test]
fn voiding_a_count_adjustment_voids_the_whole_round_and_says_so() {
    use dockhand_core::counting::{
        self, CountTaskRequest, CountedLine, CreateCountTask, StartCount, SubmitCount,
    };
    let f = seeded();
    receiving::open_blind_receipt(
        &f.store,
        &receiving::OpenBlindReceipt {
            op_id: op(),
            operator: "alice".into(),
            receipt_id: "B-V".into(),
            reference: "r".into(),
            supplier: "s".into(),
        },
    )
    .unwrap();
    let coffee = || dockhand_core::ScannedGoods::barcode(sample::COFFEE_EA).with_lot("C-1");
    for (scan, qty) in [(towels(), 24), (coffee(), 6)] {
        let mut cmd = receive(scan.clone(), qty);
        cmd.receipt_id = "B-V".into();
        receiving::receive_line(&f.store, &cmd).unwrap();
        let mut put = move_to(scan, qty, "A-01-01", "41");
        put.override_reason = Some("mixed bin".into());
        putaway::confirm_putaway(&f.store, &put).unwrap();
    }
    counting::create_count_task(
        &f.store,
        &CreateCountTask {
            op_id: op(),
            operator: "sam".into(),
            task: CountTaskRequest {
                task_id: "CC-V".into(),
                location: Some("A-01-01".into()),
                sku: None,
                reason: "r".into(),
            },
        },
    )
    .unwrap();
    counting::start_count(
        &f.store,
        &StartCount {
            op_id: op(),
            operator: "alice".into(),
            task_id: "CC-V".into(),
        },
    )
    .unwrap();
    let submit = SubmitCount {
        op_id: op(),
        operator: "alice".into(),
        task_id: "CC-V".into(),
        lines: vec![
            CountedLine {
                location: None,
                scan: towels(),
                quantity: 23,
                counted_at: None,
            },
            CountedLine {
                location: None,
                scan: coffee(),
                quantity: 7,
                counted_at: None,
            },
        ],
    };
    counting::submit_count(&f.store, &submit).unwrap();
    let events = f
        .store
        .read(|c| outbox::events_of_operation(c, submit.op_id))
        .unwrap();
    let adjusted: Vec<_> = events
        .iter()
        .filter(|e| e.event_type == EventKind::CountAdjusted.as_str())
        .collect();
    assert_eq!(adjusted.len(), 2);

    let void = corrections::VoidMovement {
        op_id: op(),
        operator: "alice".into(),
        event_id: adjusted[0].event_id,
        reason: "counted the wrong bin".into(),
        approval: sample::badge_of("sam"),
    };
    let done = corrections::void_movement(&f.store, &void).unwrap();
    assert_eq!(done.movements_reversed, 2);
    let payload = &f
        .store
        .read(|c| outbox::events_of_operation(c, void.op_id))
        .unwrap()[0]
        .payload;
    let listed: Vec<String> = payload["voided_event_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        listed,
        events
            .iter()
            .map(|e| e.event_id.to_string())
            .collect::<Vec<_>>()
    );
    let on_shelf: i64 = f
        .store
        .read(|c| stock::balances_at_location(c, "A-01-01"))
        .unwrap()
        .iter()
        .map(|b| b.quantity)
        .sum();
    assert_eq!(on_shelf, 30);
    let day = chrono::DateTime::parse_from_rfc3339("2026-11-27T00:00:00+01:00").unwrap();
    let k = f
        .store
        .read(|c| dockhand_core::kpis::kpis(c, day, day + chrono::Duration::days(1)))
        .unwrap();
    assert_eq!(k.adjusted_units, 0, "a voided adjustment is no adjustment");
    assert!(f.store.verify_integrity().unwrap().is_ok());
}

#[test]
fn a_scan_the_hub_refused_cannot_be_voided_because_the_hub_never_applied_it() {
    let f = seeded();
    let cmd = receive(ScannedGoods::barcode(sample::TOWELS_CS), 1);
    receiving::receive_line(&f.store, &cmd).unwrap();
    let refused = only_event(&f, cmd.op_id);
    outbox::reject(
        &f.store,
        (&refused).into(),
        "unknown_sku",
        "item TOWEL-2P is not in the hub's catalog",
    )
    .unwrap();
    let err = assert_rejected(&f.store, "not_voidable", || {
        corrections::void_movement(&f.store, &void_cmd(refused.event_id, "scanned by mistake"))
    });
    assert_message_names(
        &err,
        &[
            "the hub refused it",
            "not in the hub's catalog",
            "resolve the exception",
        ],
    );
}
