//! Random shifts: sequences of every command kind — receive, putaway, close, open, pick (create,
//! confirm, cancel), count (create, start, submit, approve), return (receive, inspect), move,
//! release of held stock, packing, loading and shipping, replenishment of a pick face and void —
//! good and bad, replayed or not. Whatever happens, every
//! committed command has exactly its events, a rejected one changes nothing, seq stays gap-free,
//! the hash chain verifies, balances equal the ledger, available to promise is never negative, and
//! no stock appears or vanishes: the total on hand is what the commands' answers say came in and
//! went out (a move, packing and loading change none; scrap, returns to the vendor and shipped
//! goods leave: shipped + on hand = received + adjustments).
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use dockhand_core::corrections::{self, VoidMovement};
use dockhand_core::counting::{
    self, ApproveCount, CountOutcome, CountSubmitted, CountTaskRequest, CountedLine,
    CreateCountTask, StartCount, SubmitCount,
};
use dockhand_core::moves::{self, ConfirmMove};
use dockhand_core::packing::{self, BuildUnit, PackGoods, PackingDone, UnitKind};
use dockhand_core::picking::{
    self, CancelPickTask, ConfirmPick, CreatePickTask, PickLineRequest, PickTaskRequest,
};
use dockhand_core::protocol::{EventBody, EventKind};
use dockhand_core::putaway::{self, ConfirmPutaway, PutawayRequest};
use dockhand_core::quality::{self, ReleaseStock};
use dockhand_core::receiving::{self, CloseReceipt, OpenBlindReceipt, ReceiveLine};
use dockhand_core::replenishment;
use dockhand_core::returns::{
    self, InspectReturnLine, InspectionOutcome, ReceiveReturn, ReturnLineRequest,
};
use dockhand_core::shipping::{self, LoadUnit, ShipOrder};
use dockhand_core::{ScannedGoods, StockStatus, Store, catalog, outbox, sample, stock};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Step {
    Receive {
        goods: usize,
        quantity: i64,
        on_asn: bool,
        dock: usize,
        approve: bool,
        replay: bool,
    },
    Putaway {
        goods: usize,
        quantity: i64,
        dock: usize,
        destination: usize,
        wrong_check: bool,
        reason: bool,
        replay: bool,
    },
    Close {
        asn: bool,
    },
    OpenBlind,
    Pick {
        goods: usize,
        quantity: i64,
        short: bool,
        over: bool,
        wrong_check: bool,
    },
    Count {
        location: usize,
        delta: i64,
    },
    Return {
        goods: usize,
        quantity: i64,
    },
    Inspect {
        outcome: usize,
    },
    Void {
        back: usize,
    },
    Release {
        goods: usize,
        quantity: i64,
        from: usize,
        outcome: usize,
        to: usize,
        by_supervisor: bool,
    },
    Move {
        goods: usize,
        quantity: i64,
        from: usize,
        to: usize,
        wrong_check: bool,
        replay: bool,
    },
    Pack {
        back: usize,
        /// What of the tote goes in: 0 all of it, 1 all but one, 2 one more than it holds.
        how: usize,
    },
    Ship {
        back: usize,
        wrong_door: bool,
    },
    Replenish {
        quantity: i64,
        wrong_face: bool,
    },
}

fn goods(i: usize) -> ScannedGoods {
    match i {
        0 => ScannedGoods::barcode(sample::TOWELS_EA),
        1 => ScannedGoods::barcode(sample::TOWELS_CS),
        2 => ScannedGoods::barcode(sample::COFFEE_EA).with_lot("C-1"),
        3 => ScannedGoods::barcode(sample::COFFEE_CS).with_lot("C-2"),
        4 => ScannedGoods::barcode(sample::MILK_EA)
            .with_lot("L1")
            .with_expiry(date(2027, 3, 1)),
        5 => ScannedGoods::barcode(sample::VITAMINS_EA)
            .with_lot("V1")
            .with_expiry(date(2027, 6, 30)),
        // Short-dated: accepted into quarantine only with a supervisor.
        6 => ScannedGoods::barcode(sample::MILK_EA)
            .with_lot("L0")
            .with_expiry(date(2026, 12, 10)),
        // Unknown label.
        _ => ScannedGoods::barcode("0000000000000"),
    }
}

const DOCKS: [&str; 3] = ["DOCK-01", "DOCK-02", "A-01-01"];
/// (code, check string); index 0 means "the suggestion".
const DESTINATIONS: [(&str, &str); 5] = [
    ("", ""),
    ("A-01-03", "43"),
    ("A-01-05", "55"),
    ("QA-01", "91"),
    ("STAGE-01", "81"),
];

/// Where moves go from and to (code, check string): storage, the pick face, quarantine, a dock
/// and the blocked bin, so the refusals come up as well.
const PLACES: [(&str, &str); 10] = [
    ("A-01-01", "41"),
    ("A-01-02", "42"),
    ("A-01-03", "43"),
    ("P-01-01", "71"),
    ("QA-01", "91"),
    ("C-01-01", "61"),
    ("DOCK-01", "11"),
    ("A-01-05", "55"),
    ("RET-01", "82"),
    ("DMG-01", "83"),
];

/// Mostly the first dock, sometimes the second, now and then a storage bin (an error).
fn dock() -> impl Strategy<Value = usize> {
    prop_oneof![7 => Just(0usize), 2 => Just(1usize), 1 => Just(2usize)]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        8 => (0..8usize, -1..6i64, any::<bool>(), dock(), prop::bool::weighted(0.2), prop::bool::weighted(0.2))
            .prop_map(|(goods, quantity, on_asn, dock, approve, replay)| Step::Receive { goods, quantity, on_asn, dock, approve, replay }),
        8 => (0..8usize, 0..5i64, dock(), prop_oneof![3 => Just(0usize), 2 => 1..5usize], prop::bool::weighted(0.15), any::<bool>(), prop::bool::weighted(0.2))
            .prop_map(|(goods, quantity, dock, destination, wrong_check, reason, replay)| Step::Putaway { goods, quantity, dock, destination, wrong_check, reason, replay }),
        1 => any::<bool>().prop_map(|asn| Step::Close { asn }),
        1 => Just(Step::OpenBlind),
        3 => (0..4usize, 1..6i64, prop::bool::weighted(0.25), prop::bool::weighted(0.1), prop::bool::weighted(0.1))
            .prop_map(|(goods, quantity, short, over, wrong_check)| Step::Pick { goods, quantity, short, over, wrong_check }),
        2 => (0..4usize, -2..3i64).prop_map(|(location, delta)| Step::Count { location, delta }),
        1 => (0..6usize, 1..4i64).prop_map(|(goods, quantity)| Step::Return { goods, quantity }),
        2 => (0..5usize).prop_map(|outcome| Step::Inspect { outcome }),
        1 => (0..6usize).prop_map(|back| Step::Void { back }),
        2 => (0..8usize, 0..8i64, prop_oneof![Just(4usize), Just(8usize), Just(0usize)], 0..5usize, 0..PLACES.len(), prop::bool::weighted(0.9))
            .prop_map(|(goods, quantity, from, outcome, to, by_supervisor)| Step::Release { goods, quantity, from, outcome, to, by_supervisor }),
        3 => (0..8usize, 0..30i64, 0..PLACES.len(), 0..PLACES.len(), prop::bool::weighted(0.1), prop::bool::weighted(0.2))
            .prop_map(|(goods, quantity, from, to, wrong_check, replay)| Step::Move { goods, quantity, from, to, wrong_check, replay }),
        6 => (0..3usize, prop_oneof![6 => Just(0usize), 1 => Just(1usize), 1 => Just(2usize)]).prop_map(|(back, how)| Step::Pack { back, how }),
        4 => (0..3usize, prop::bool::weighted(0.1)).prop_map(|(back, wrong_door)| Step::Ship { back, wrong_door }),
        3 => (0..40i64, prop::bool::weighted(0.1)).prop_map(|(quantity, wrong_face)| Step::Replenish { quantity, wrong_face }),
    ]
}

#[derive(Default)]
struct Shift {
    blind: u32,
    /// Base units on hand as the commands' answers tell it.
    on_hand: i64,
    tasks: u32,
    /// Orders picked, with the tote each went into, oldest first.
    orders: Vec<(String, String)>,
    /// The open carton of each order being packed.
    cartons: std::collections::HashMap<String, String>,
}

fn last_seq(store: &Store) -> i64 {
    store.read(outbox::counts).unwrap().last_seq
}

/// Runs `command` and checks its events (`expected(result)` of them) or, when it fails, that
/// nothing changed; when `replay`, runs it again and checks nothing more was written.
fn check<R: PartialEq + std::fmt::Debug>(
    store: &Store,
    op_id: uuid::Uuid,
    replay: bool,
    expected_events: impl Fn(&R) -> usize,
    command: impl Fn() -> dockhand_core::Result<R>,
) -> Option<R> {
    let before = dump(store);
    let seq = last_seq(store);
    match command() {
        Ok(result) => {
            let events = store
                .read(|c| outbox::events_of_operation(c, op_id))
                .unwrap();
            assert_eq!(
                events.len(),
                expected_events(&result),
                "events of {result:?}"
            );
            assert_eq!(
                events.iter().map(|e| e.seq).collect::<Vec<_>>(),
                ((seq + 1)..=(seq + events.len() as i64)).collect::<Vec<_>>()
            );
            if replay {
                let after = dump(store);
                assert_eq!(
                    command().unwrap(),
                    result,
                    "a replay must return the first result"
                );
                assert_eq!(after, dump(store), "a replay must write nothing");
            }
            Some(result)
        }
        Err(e) => {
            assert_ne!(e.kind(), dockhand_core::ErrorKind::Storage, "{e}");
            assert_eq!(
                before,
                dump(store),
                "rejected command changed the database: {e}"
            );
            None
        }
    }
}

fn run(store: &Store, shift: &mut Shift, step: &Step) {
    let blind_id = format!("B-{}", shift.blind);
    match step.clone() {
        Step::Receive {
            goods: g,
            quantity,
            on_asn,
            dock,
            approve,
            replay,
        } => {
            let cmd = ReceiveLine {
                op_id: op(),
                operator: "alice".into(),
                receipt_id: if on_asn { sample::ASN.into() } else { blind_id },
                dock: DOCKS[dock].into(),
                scan: goods(g),
                quantity,
                lpn: None,
                approval: approve.then(|| sample::badge_of("sam")),
            };
            if let Some(r) = check(
                store,
                cmd.op_id,
                replay,
                |_| 1,
                || receiving::receive_line(store, &cmd),
            ) {
                shift.on_hand += r.base_quantity;
            }
        }
        Step::Putaway {
            goods: g,
            quantity,
            dock,
            destination,
            wrong_check,
            reason,
            replay,
        } => {
            let scan = goods(g);
            let (to, check_string) = if destination == 0 {
                let request = PutawayRequest {
                    from: DOCKS[dock].into(),
                    scan: scan.clone(),
                    lpn: None,
                };
                match putaway::suggest_putaway(store, &request) {
                    Ok(task) => {
                        let loc = store
                            .read(|c| {
                                dockhand_core::catalog::location_by_code(
                                    c,
                                    &task.suggestion.location,
                                )
                            })
                            .unwrap();
                        (loc.location.code, loc.location.check_string)
                    }
                    Err(_) => ("A-01-01".to_string(), "41".to_string()),
                }
            } else {
                (
                    DESTINATIONS[destination].0.to_string(),
                    DESTINATIONS[destination].1.to_string(),
                )
            };
            let cmd = ConfirmPutaway {
                op_id: op(),
                operator: "bob".into(),
                from: DOCKS[dock].into(),
                scan,
                lpn: None,
                quantity,
                to,
                location_scan: if wrong_check {
                    "00".into()
                } else {
                    check_string
                },
                override_reason: reason.then(|| "bin label damaged".into()),
            };
            check(
                store,
                cmd.op_id,
                replay,
                |_| 1,
                || putaway::confirm_putaway(store, &cmd),
            );
        }
        Step::Close { asn } => {
            let cmd = CloseReceipt {
                op_id: op(),
                operator: "alice".into(),
                receipt_id: if asn { sample::ASN.into() } else { blind_id },
            };
            check(
                store,
                cmd.op_id,
                false,
                |r: &receiving::ReceiptClosed| r.discrepancies.len() + 1,
                || receiving::close_receipt(store, &cmd),
            );
        }
        Step::Pick {
            goods,
            quantity,
            short,
            over,
            wrong_check,
        } => pick(store, shift, goods, quantity, short, over, wrong_check),
        Step::Count { location, delta } => count(store, shift, location, delta),
        Step::Return { goods: g, quantity } => receive_return(store, shift, g, quantity),
        Step::Inspect { outcome } => inspect(store, shift, outcome),
        Step::Void { back } => void(store, shift, back),
        Step::Pack { back, how } => pack(store, shift, back, how),
        Step::Ship { back, wrong_door } => ship(store, shift, back, wrong_door),
        Step::Replenish {
            quantity,
            wrong_face,
        } => replenish(store, quantity, wrong_face),
        Step::Release {
            goods: g,
            quantity,
            from,
            outcome,
            to,
            by_supervisor,
        } => {
            let outcome = InspectionOutcome::ALL[outcome];
            let leaves = matches!(
                outcome,
                InspectionOutcome::Scrap | InspectionOutcome::ReturnToVendor
            );
            let cmd = ReleaseStock {
                op_id: op(),
                operator: "alice".into(),
                location: PLACES[from].0.into(),
                location_scan: PLACES[from].1.into(),
                scan: goods(g),
                lpn: None,
                quantity,
                outcome,
                to: (!leaves).then(|| PLACES[to].0.into()),
                to_scan: (!leaves).then(|| PLACES[to].1.into()),
                reason_code: "decided".into(),
                note: None,
                approval: sample::badge_of(if by_supervisor { "sam" } else { "bob" }),
                held: None,
            };
            if let Some(r) = check(
                store,
                cmd.op_id,
                false,
                |_| 1,
                || quality::release_stock(store, &cmd),
            ) && r.status_after.is_none()
            {
                shift.on_hand -= r.base_quantity;
            }
        }
        Step::Move {
            goods: g,
            quantity,
            from,
            to,
            wrong_check,
            replay,
        } => {
            let cmd = ConfirmMove {
                op_id: op(),
                operator: "bob".into(),
                from: PLACES[from].0.into(),
                from_scan: PLACES[from].1.into(),
                scan: Some(goods(g)),
                lpn: None,
                quantity,
                to: PLACES[to].0.into(),
                to_scan: if wrong_check { "00" } else { PLACES[to].1 }.into(),
                reason: None,
                task_id: None,
            };
            // A move never changes what is on hand.
            check(
                store,
                cmd.op_id,
                replay,
                |_| 1,
                || moves::confirm_move(store, &cmd),
            );
        }
        Step::OpenBlind => {
            let cmd = OpenBlindReceipt {
                op_id: op(),
                operator: "bob".into(),
                receipt_id: format!("B-{}", shift.blind + 1),
                reference: "delivery note".into(),
                supplier: "ToolCo".into(),
            };
            if check(
                store,
                cmd.op_id,
                false,
                |_| 1,
                || receiving::open_blind_receipt(store, &cmd),
            )
            .is_some()
            {
                shift.blind += 1;
            }
        }
    }
}

/// Towels and two coffee lots on the A shelves, so picks and counts have something to work on.
fn stock_shelves(store: &Store, shift: &mut Shift) {
    // The pick face is kept between 15 and 30 towels: picks drain it, replenishment fills it.
    let mut face = sample::warehouse()
        .locations
        .into_iter()
        .find(|l| l.code == "P-01-01")
        .unwrap();
    face.replenish = Some(catalog::Replenishment {
        sku: sample::TOWELS.into(),
        min_units: 15,
        max_units: 30,
    });
    catalog::upsert_master_data(
        store,
        &catalog::MasterData {
            locations: vec![face],
            ..catalog::MasterData::default()
        },
    )
    .unwrap();
    for (g, quantity, to, check_string) in [
        (0, 20, "P-01-01", "71"),
        (0, 48, "A-01-01", "41"),
        (2, 24, "A-01-02", "42"),
        (3, 2, "A-01-03", "43"),
    ] {
        let mut cmd = receive(goods(g), quantity);
        cmd.receipt_id = "B-1".into();
        shift.on_hand += receiving::receive_line(store, &cmd).unwrap().base_quantity;
        let mut put = move_to(goods(g), quantity, to, check_string);
        put.override_reason = Some("stocking the test shelves".into());
        putaway::confirm_putaway(store, &put).unwrap();
    }
}

/// The scan of a counted or returned balance.
fn scan_of(sku: &str, lot: &str) -> ScannedGoods {
    let code = match sku {
        s if s == sample::TOWELS => sample::TOWELS_EA,
        s if s == sample::COFFEE => sample::COFFEE_EA,
        s if s == sample::MILK => sample::MILK_EA,
        _ => sample::VITAMINS_EA,
    };
    let scan = ScannedGoods::barcode(code);
    if lot.is_empty() {
        scan
    } else {
        scan.with_lot(lot)
    }
}

fn pick(
    store: &Store,
    shift: &mut Shift,
    goods: usize,
    quantity: i64,
    short: bool,
    over: bool,
    wrong_check: bool,
) {
    shift.tasks += 1;
    let task_id = format!("T-{}", shift.tasks);
    let (sku, lot) = match goods {
        0 | 1 => (sample::TOWELS, None),
        2 => (sample::COFFEE, Some("C-1")),
        _ => (sample::COFFEE, None),
    };
    let create = CreatePickTask {
        op_id: op(),
        operator: "bob".into(),
        task: PickTaskRequest {
            task_id: task_id.clone(),
            order_ref: format!("O-{}", shift.tasks),
            staging: "STAGE-01".into(),
            ship_by: None,
            lines: vec![PickLineRequest {
                line_no: 1,
                sku: sku.into(),
                quantity,
                unit: None,
                lot: lot.map(str::to_string),
            }],
        },
    };
    if check(
        store,
        create.op_id,
        false,
        |_| 1,
        || picking::create_pick_task(store, &create),
    )
    .is_none()
    {
        return;
    }
    shift
        .orders
        .push((format!("O-{}", shift.tasks), task_id.clone()));
    while let Some(next) = store.read(|c| picking::next_pick(c, &task_id)).unwrap() {
        let check_string = store
            .read(|c| catalog::location_by_code(c, &next.location))
            .unwrap()
            .location
            .check_string;
        let cmd = ConfirmPick {
            op_id: op(),
            operator: "bob".into(),
            task_id: task_id.clone(),
            allocation_id: next.allocation_id,
            location_scan: if wrong_check {
                "00".into()
            } else {
                check_string
            },
            scan: scan_of(&next.sku, &next.lot),
            quantity: if over {
                next.quantity + 1
            } else if short {
                next.quantity - 1
            } else {
                next.quantity
            },
            tote: Some(task_id.clone()),
            short,
        };
        let done = check(
            store,
            cmd.op_id,
            false,
            |r: &picking::PickConfirmed| {
                usize::from(r.picked > 0)
                    + usize::from(r.short > 0)
                    + usize::from(r.replenishment_task_id.is_some())
            },
            || picking::confirm_pick(store, &cmd),
        );
        if done.is_none() {
            let cancel = CancelPickTask {
                op_id: op(),
                operator: "bob".into(),
                task_id: task_id.clone(),
                reason: "bad scan".into(),
            };
            check(
                store,
                cancel.op_id,
                false,
                |_| 1,
                || picking::cancel_pick_task(store, &cancel),
            );
            return;
        }
    }
}

/// Events of a settled count round: the round itself plus one per adjusted line.
fn count_events(r: &CountSubmitted) -> usize {
    let adjusted = r
        .lines
        .iter()
        .filter(|l| l.variance.is_some_and(|v| v != 0))
        .count();
    1 + if r.outcome == CountOutcome::Adjusted {
        adjusted
    } else {
        0
    }
}

fn adjusted_units(r: &CountSubmitted) -> i64 {
    if r.outcome == CountOutcome::Adjusted {
        r.lines.iter().filter_map(|l| l.variance).sum()
    } else {
        0
    }
}

fn count(store: &Store, shift: &mut Shift, location: usize, delta: i64) {
    const PLACES: [&str; 4] = ["A-01-01", "A-01-02", "A-01-03", "C-01-01"];
    shift.tasks += 1;
    let task_id = format!("CT-{}", shift.tasks);
    let create = CreateCountTask {
        op_id: op(),
        operator: "sam".into(),
        task: CountTaskRequest {
            task_id: task_id.clone(),
            location: Some(PLACES[location].into()),
            sku: None,
            reason: "test".into(),
        },
    };
    if check(
        store,
        create.op_id,
        false,
        |_| 1,
        || counting::create_count_task(store, &create),
    )
    .is_none()
    {
        return;
    }
    let start = StartCount {
        op_id: op(),
        operator: "alice".into(),
        task_id: task_id.clone(),
    };
    if check(
        store,
        start.op_id,
        false,
        |_| 1,
        || counting::start_count(store, &start),
    )
    .is_none()
    {
        return;
    }
    let on_shelf: Vec<stock::Balance> = store
        .read(|c| stock::balances_at_location(c, PLACES[location]))
        .unwrap()
        .into_iter()
        .filter(|b| b.status != StockStatus::InTransit)
        .collect();
    let lines: Vec<CountedLine> = on_shelf
        .iter()
        .enumerate()
        .map(|(i, b)| CountedLine {
            location: Some(PLACES[location].into()),
            scan: scan_of(&b.sku, &b.lot),
            quantity: if i == 0 {
                (b.quantity + delta).max(0)
            } else {
                b.quantity
            },
            counted_at: None,
        })
        .collect();
    for counter in ["alice", "bob"] {
        let submit = SubmitCount {
            op_id: op(),
            operator: counter.into(),
            task_id: task_id.clone(),
            lines: lines.clone(),
        };
        let Some(r) = check(store, submit.op_id, false, count_events, || {
            counting::submit_count(store, &submit)
        }) else {
            return;
        };
        shift.on_hand += adjusted_units(&r);
        match r.outcome {
            CountOutcome::RecountRequired => continue,
            CountOutcome::ApprovalRequired => {
                let approve = ApproveCount {
                    op_id: op(),
                    operator: "sam".into(),
                    task_id: task_id.clone(),
                    approval: sample::badge_of("sam"),
                };
                if let Some(r) = check(
                    store,
                    approve.op_id,
                    false,
                    |r: &CountSubmitted| r.lines.iter().filter(|l| l.variance != Some(0)).count(),
                    || counting::approve_count(store, &approve),
                ) {
                    shift.on_hand += adjusted_units(&r);
                }
                return;
            }
            _ => return,
        }
    }
}

fn receive_return(store: &Store, shift: &mut Shift, goods_index: usize, quantity: i64) {
    shift.tasks += 1;
    let cmd = ReceiveReturn {
        op_id: op(),
        operator: "bob".into(),
        return_id: format!("RMA-{}", shift.tasks),
        reference: "ORD".into(),
        customer: "c".into(),
        location: "RET-01".into(),
        lines: vec![ReturnLineRequest {
            line_no: 1,
            scan: goods(goods_index),
            quantity,
        }],
    };
    if let Some(r) = check(
        store,
        cmd.op_id,
        false,
        |_| 1,
        || returns::receive_return(store, &cmd),
    ) {
        shift.on_hand += r.lines.iter().map(|l| l.quantity).sum::<i64>();
    }
}

fn inspect(store: &Store, shift: &mut Shift, outcome: usize) {
    let open: Option<(String, i64)> = store
        .read(|c| {
            Ok(rusqlite::OptionalExtension::optional(c.query_row(
                "SELECT return_id, line_no FROM return_lines WHERE outcome IS NULL ORDER BY return_id LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            ))?)
        })
        .unwrap();
    let (return_id, line_no) = open.unwrap_or(("RMA-0".into(), 1));
    let outcome = InspectionOutcome::ALL[outcome];
    let cmd = InspectReturnLine {
        op_id: op(),
        operator: "bob".into(),
        return_id,
        line_no,
        outcome,
        reason_code: "seen".into(),
        note: None,
    };
    if let Some(r) = check(
        store,
        cmd.op_id,
        false,
        |_| 1,
        || returns::inspect_return_line(store, &cmd),
    ) && r.status_after.is_none()
    {
        shift.on_hand -= r.quantity;
    }
}

/// Base units a command's stock movements added to (or took from) the inventory, from its events.
fn inventory_change(events: &[outbox::Event]) -> i64 {
    events
        .iter()
        .map(|e| match e.body().unwrap() {
            EventBody::LineReceived(r) => r.base_quantity,
            EventBody::CountAdjusted(a) => a.variance,
            EventBody::ReturnInspected(i) if i.status_after.is_none() => -i.base_quantity,
            EventBody::StockReleased(r) if r.status_after.is_none() => -r.base_quantity,
            _ => 0,
        })
        .sum()
}

fn void(store: &Store, shift: &mut Shift, back: usize) {
    let voidable: Vec<outbox::Event> = store
        .read(|c| outbox::events(c, 1, 100_000))
        .unwrap()
        .into_iter()
        .filter(|e| {
            [
                EventKind::LineReceived.as_str(),
                EventKind::PutawayConfirmed.as_str(),
                EventKind::MoveConfirmed.as_str(),
                EventKind::StockReleased.as_str(),
                EventKind::PickConfirmed.as_str(),
                EventKind::CountAdjusted.as_str(),
                EventKind::ReturnInspected.as_str(),
                EventKind::Voided.as_str(),
            ]
            .contains(&e.event_type.as_str())
        })
        .collect();
    let Some(target) = voidable.iter().rev().nth(back) else {
        return;
    };
    let cmd = VoidMovement {
        op_id: op(),
        operator: "alice".into(),
        event_id: target.event_id,
        reason: "mistake".into(),
        approval: sample::badge_of("sam"),
    };
    if check(
        store,
        cmd.op_id,
        false,
        |_| 1,
        || corrections::void_movement(store, &cmd),
    )
    .is_some()
    {
        let voided = store
            .read(|c| outbox::events_of_operation(c, target.op_id))
            .unwrap();
        shift.on_hand -= inventory_change(&voided);
    }
}

/// Packs what an order's tote holds (`how`: all, all but one, one more) into the order's carton
/// (built when it has none).
fn pack(store: &Store, shift: &mut Shift, back: usize, how: usize) {
    let Some((order, tote)) = shift.orders.iter().rev().nth(back).cloned() else {
        return;
    };
    let carton = match shift.cartons.get(&order) {
        Some(carton) => carton.clone(),
        None => {
            let build = BuildUnit {
                op_id: op(),
                operator: "bob".into(),
                kind: UnitKind::Carton,
                order_ref: Some(order.clone()),
                location: "STAGE-01".into(),
            };
            let Some(built) = check(
                store,
                build.op_id,
                false,
                |r: &PackingDone| r.event_ids.len(),
                || packing::build_unit(store, &build),
            ) else {
                return;
            };
            shift.cartons.insert(order, built.unit.lpn.clone());
            built.unit.lpn
        }
    };
    let held = store
        .read(|c| stock::balances_at_location(c, "STAGE-01"))
        .unwrap()
        .into_iter()
        .find(|b| b.lpn == tote);
    let (sku, lot, there) = held.map_or((sample::TOWELS.to_string(), String::new(), 0), |b| {
        (b.sku, b.lot, b.quantity)
    });
    let quantity = match how {
        0 => there,
        1 => there - 1,
        _ => there + 1,
    };
    let cmd = PackGoods {
        op_id: op(),
        operator: "bob".into(),
        lpn: carton,
        from_tote: Some(tote),
        scan: scan_of(&sku, &lot),
        quantity,
    };
    check(
        store,
        cmd.op_id,
        false,
        |r: &PackingDone| r.event_ids.len(),
        || packing::pack_goods(store, &cmd),
    );
}

/// Loads an order's carton at the door and ships the order: what shipped leaves inventory.
fn ship(store: &Store, shift: &mut Shift, back: usize, wrong_door: bool) {
    let Some((order, _)) = shift.orders.iter().rev().nth(back).cloned() else {
        return;
    };
    let Some(carton) = shift.cartons.get(&order).cloned() else {
        return;
    };
    let (door, door_scan) = if wrong_door {
        ("STAGE-01", "81")
    } else {
        ("SHIP-01", "84")
    };
    let load = LoadUnit {
        op_id: op(),
        operator: "bob".into(),
        order_ref: order.clone(),
        door: door.into(),
        door_scan: door_scan.into(),
        lpn: carton,
    };
    check(
        store,
        load.op_id,
        false,
        |_| 1,
        || shipping::load_unit(store, &load),
    );
    let cmd = ShipOrder {
        op_id: op(),
        operator: "bob".into(),
        order_ref: order.clone(),
        door: door.into(),
        door_scan: door_scan.into(),
    };
    if let Some(shipped) = check(
        store,
        cmd.op_id,
        false,
        |_| 1,
        || shipping::ship_order(store, &cmd),
    ) {
        shift.on_hand -= shipped.base_quantity;
        shift.cartons.remove(&order);
    }
}

/// Works the oldest open replenishment task with a move from where it says (to the wrong place
/// now and then).
fn replenish(store: &Store, quantity: i64, wrong_face: bool) {
    let Some(task) = store
        .read(replenishment::open_replenishments)
        .unwrap()
        .into_iter()
        .next()
    else {
        return;
    };
    let Ok(next) = store.read(|c| replenishment::next_replenishment(c, &task.id)) else {
        return;
    };
    let check_of = |code: &str| {
        store
            .read(|c| catalog::location_by_code(c, code))
            .unwrap()
            .location
            .check_string
    };
    let to = if wrong_face {
        "A-01-02".to_string()
    } else {
        next.face.clone()
    };
    let cmd = ConfirmMove {
        op_id: op(),
        operator: "alice".into(),
        from: next.from.clone(),
        from_scan: check_of(&next.from),
        scan: Some(scan_of(&next.sku, &next.lot)),
        lpn: Some(next.lpn.clone()).filter(|l| !l.is_empty()),
        quantity: quantity.min(next.quantity),
        to_scan: check_of(&to),
        to,
        reason: None,
        task_id: Some(task.id),
    };
    check(
        store,
        cmd.op_id,
        false,
        |_| 1,
        || moves::confirm_move(store, &cmd),
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn any_shift_keeps_the_ledger_the_outbox_and_the_stock_consistent(steps in prop::collection::vec(step(), 1..50)) {
        let f = seeded();
        sscc_block(&f);
        let mut shift = Shift::default();
        run(&f.store, &mut shift, &Step::OpenBlind);
        stock_shelves(&f.store, &mut shift);
        for s in &steps {
            run(&f.store, &mut shift, s);
        }
        let report = f.store.verify_integrity().unwrap();
        prop_assert!(report.is_ok(), "{report:?}");
        let balances = f.store.read(stock::all_balances).unwrap();
        let total: i64 = balances.iter().map(|b| b.quantity).sum();
        prop_assert_eq!(total, shift.on_hand, "stock appeared or vanished");
        for sku in [sample::TOWELS, sample::COFFEE, sample::MILK, sample::VITAMINS] {
            let atp = f.store.read(|c| stock::available_to_promise(c, sku)).unwrap();
            prop_assert!(atp.promisable >= 0, "{sku}: {atp:?}");
        }
        // Every committed command is recorded once, and every event belongs to one.
        let (ops, orphans): (i64, i64) = f.store.read(|c| Ok((
            c.query_row("SELECT COUNT(*) FROM operations", [], |r| r.get(0))?,
            c.query_row("SELECT COUNT(*) FROM outbox WHERE op_id NOT IN (SELECT op_id FROM operations)", [], |r| r.get(0))?,
        ))).unwrap();
        prop_assert!(ops >= 1);
        prop_assert_eq!(orphans, 0);
    }
}
