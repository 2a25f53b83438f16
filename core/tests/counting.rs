//! Cycle counting: blind counts of a location or an item, tolerance, recounts by another operator,
//! supervisor approval, stock that moves while a count is under way, and every refusal.
#![allow(clippy::unwrap_used)]

mod common;

use chrono::Duration;
use common::*;
use dockhand_core::catalog::{MasterData, Operator, Role};
use dockhand_core::counting::{
    self, ApproveCount, CountOutcome, CountSheet, CountSubmitted, CountTask, CountTaskRequest,
    CountTaskStatus, CountedLine, CreateCountTask, GenerateRiskCounts, StartCount, SubmitCount,
};
use dockhand_core::picking::{self, ConfirmPick, CreatePickTask, PickLineRequest, PickTaskRequest};
use dockhand_core::protocol::EventKind;
use dockhand_core::putaway;
use dockhand_core::receiving::{self, OpenBlindReceipt, ReceiveLine};
use dockhand_core::{Clock, ScannedGoods, StockStatus, catalog, outbox, sample};
use serde_json::Value;
use uuid::Uuid;

// ---- local helpers ---------------------------------------------------------------------------

/// The blind receipt every test stocks its shelves through.
const DELIVERY: &str = "DN-500";

fn coffee(lot: &str) -> ScannedGoods {
    ScannedGoods::barcode(sample::COFFEE_EA).with_lot(lot)
}

fn drill(serial: &str) -> ScannedGoods {
    ScannedGoods::barcode(sample::DRILL_EA).with_serial(serial)
}

fn minutes(n: i64) -> Duration {
    Duration::minutes(n)
}

/// Seeded warehouse with an open blind receipt.
fn warehouse() -> Fixture {
    let f = seeded();
    receiving::open_blind_receipt(
        &f.store,
        &OpenBlindReceipt {
            op_id: op(),
            operator: "alice".into(),
            receipt_id: DELIVERY.into(),
            reference: "delivery note 500".into(),
            supplier: "Various".into(),
        },
    )
    .unwrap();
    f
}

/// Receives `quantity` of the scan on the blind receipt and puts it away at `to`.
fn stock(f: &Fixture, scan: ScannedGoods, quantity: i64, to: &str, check: &str) {
    receiving::receive_line(
        &f.store,
        &ReceiveLine {
            op_id: op(),
            operator: "alice".into(),
            receipt_id: DELIVERY.into(),
            dock: "DOCK-01".into(),
            scan: scan.clone(),
            quantity,
            lpn: None,
            approval: None,
        },
    )
    .unwrap();
    let mut cmd = move_to(scan, quantity, to, check);
    cmd.override_reason = Some("stocking the test shelf".into());
    let done = putaway::confirm_putaway(&f.store, &cmd).unwrap();
    assert_eq!(done.status_after, StockStatus::Available);
}

/// 48 towels at A-01-01.
fn towels_on_a_shelf() -> Fixture {
    let f = warehouse();
    stock(&f, towel_cases(), 2, "A-01-01", "41");
    f
}

/// Three drills (SN-1..SN-3) at A-01-03.
fn drills_on_a_shelf() -> Fixture {
    let f = warehouse();
    for serial in ["SN-1", "SN-2", "SN-3"] {
        stock(&f, drill(serial), 1, "A-01-03", "43");
    }
    f
}

fn request(id: &str, location: Option<&str>, sku: Option<&str>) -> CountTaskRequest {
    CountTaskRequest {
        task_id: id.into(),
        location: location.map(str::to_string),
        sku: sku.map(str::to_string),
        reason: "cycle count".into(),
    }
}

fn create_cmd(id: &str, location: Option<&str>, sku: Option<&str>) -> CreateCountTask {
    CreateCountTask {
        op_id: op(),
        operator: "alice".into(),
        task: request(id, location, sku),
    }
}

fn create(f: &Fixture, id: &str, location: Option<&str>, sku: Option<&str>) -> CountTask {
    counting::create_count_task(&f.store, &create_cmd(id, location, sku)).unwrap()
}

fn start_cmd(operator: &str, task: &str) -> StartCount {
    StartCount {
        op_id: op(),
        operator: operator.into(),
        task_id: task.into(),
    }
}

fn start(f: &Fixture, operator: &str, task: &str) -> (Uuid, CountSheet) {
    let cmd = start_cmd(operator, task);
    let sheet = counting::start_count(&f.store, &cmd).unwrap();
    (cmd.op_id, sheet)
}

/// A counted line at the task's location, counted at submit time.
fn line(scan: ScannedGoods, quantity: i64) -> CountedLine {
    CountedLine {
        location: None,
        scan,
        quantity,
        counted_at: None,
    }
}

/// A counted line naming its location.
fn line_in(location: &str, scan: ScannedGoods, quantity: i64) -> CountedLine {
    CountedLine {
        location: Some(location.into()),
        ..line(scan, quantity)
    }
}

fn submit_cmd(operator: &str, task: &str, lines: Vec<CountedLine>) -> SubmitCount {
    SubmitCount {
        op_id: op(),
        operator: operator.into(),
        task_id: task.into(),
        lines,
    }
}

fn submit(
    f: &Fixture,
    operator: &str,
    task: &str,
    lines: Vec<CountedLine>,
) -> (Uuid, CountSubmitted) {
    let cmd = submit_cmd(operator, task, lines);
    let done = counting::submit_count(&f.store, &cmd).unwrap();
    (cmd.op_id, done)
}

/// `supervisor` approves with badge and PIN on their own handheld.
fn approve_cmd(supervisor: &str, task: &str) -> ApproveCount {
    ApproveCount {
        op_id: op(),
        operator: supervisor.into(),
        task_id: task.into(),
        approval: common::badge_of(supervisor),
    }
}

fn task(f: &Fixture, id: &str) -> CountTask {
    f.store.read(|c| counting::count_task(c, id)).unwrap()
}

/// (status, round) of a task.
fn progress(f: &Fixture, id: &str) -> (CountTaskStatus, i64) {
    let t = task(f, id);
    (t.status, t.round)
}

/// Units of `sku` at a location, every status together.
fn on_shelf(f: &Fixture, location: &str, sku: &str) -> i64 {
    at(f, location)
        .into_iter()
        .filter(|b| b.sku == sku)
        .map(|b| b.quantity)
        .sum()
}

/// (sku, lot, status, quantity) of every balance at a location.
fn summary(f: &Fixture, location: &str) -> Vec<(String, String, StockStatus, i64)> {
    at(f, location)
        .into_iter()
        .map(|b| (b.sku, b.lot, b.status, b.quantity))
        .collect()
}

/// (event type, payload) of every event a command emitted.
fn events(f: &Fixture, op_id: Uuid) -> Vec<(String, Value)> {
    f.store
        .read(|c| outbox::events_of_operation(c, op_id))
        .unwrap()
        .into_iter()
        .map(|e| (e.envelope.event_type, e.envelope.payload))
        .collect()
}

fn event_types(f: &Fixture, op_id: Uuid) -> Vec<String> {
    events(f, op_id).into_iter().map(|(t, _)| t).collect()
}

/// (sku, location, lot, status, delta) of every ledger row with reason `count_adjustment`.
fn count_adjustments(f: &Fixture) -> Vec<(String, String, String, String, i64)> {
    f.store
        .read(|c| {
            let mut stmt = c.prepare(
                "SELECT i.sku, l.code, g.lot, g.status, g.delta FROM ledger g
                 JOIN items i ON i.id = g.item_id JOIN locations l ON l.id = g.location_id
                 WHERE g.reason = 'count_adjustment' ORDER BY g.id",
            )?;
            let rows = stmt
                .query_map([], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
        .unwrap()
}

fn adjustment(
    sku: &str,
    location: &str,
    lot: &str,
    status: &str,
    delta: i64,
) -> (String, String, String, String, i64) {
    (
        sku.into(),
        location.into(),
        lot.into(),
        status.into(),
        delta,
    )
}

/// The JSON an operator's screen is built from never carries a system quantity.
fn assert_blind(what: &impl serde::Serialize, hidden: &[i64]) {
    let value = serde_json::to_value(what).unwrap();
    fn walk(value: &Value, hidden: &[i64], text: &str) {
        match value {
            Value::Object(map) => {
                for (key, v) in map {
                    let shown = ["quantity", "qty", "expected", "on_hand", "system_quantity"];
                    assert!(
                        !shown.contains(&key.as_str()) && !key.ends_with("_quantity"),
                        "{key:?} shows a quantity in {text}"
                    );
                    walk(v, hidden, text);
                }
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, hidden, text)),
            Value::Number(n) => {
                assert!(
                    !hidden.iter().any(|h| n.as_i64() == Some(*h)),
                    "{n} is a system quantity shown in {text}"
                );
            }
            Value::String(s) => {
                for h in hidden {
                    assert!(
                        !s.split(|c: char| !c.is_ascii_digit())
                            .any(|part| part == h.to_string()),
                        "{s:?} shows the system quantity {h} in {text}"
                    );
                }
            }
            _ => {}
        }
    }
    walk(&value, hidden, &value.to_string());
}

/// Creates pick task `id` for `quantity` towels and returns the next pick's id and location.
fn pick_towels(f: &Fixture, id: &str, quantity: i64) -> (i64, String) {
    picking::create_pick_task(
        &f.store,
        &CreatePickTask {
            op_id: op(),
            operator: "bob".into(),
            task: PickTaskRequest {
                task_id: id.into(),
                order_ref: format!("SO-{id}"),
                staging: "STAGE-01".into(),
                ship_by: None,
                lines: vec![PickLineRequest {
                    line_no: 1,
                    sku: sample::TOWELS.into(),
                    quantity,
                    unit: None,
                    lot: None,
                }],
            },
        },
    )
    .unwrap();
    let next = f
        .store
        .read(|c| picking::next_pick(c, id))
        .unwrap()
        .unwrap();
    (next.allocation_id, next.location)
}

fn confirm_pick_cmd(id: &str, allocation_id: i64, quantity: i64, short: bool) -> ConfirmPick {
    ConfirmPick {
        op_id: op(),
        operator: "bob".into(),
        task_id: id.into(),
        allocation_id,
        location_scan: "41".into(),
        scan: towels(),
        quantity,
        tote: Some("TOTE-1".into()),
        short,
    }
}

fn set_operators_active(f: &Fixture, ids: &[&str], active: bool) {
    let operators = sample::warehouse()
        .operators
        .into_iter()
        .filter(|o| ids.contains(&o.id.as_str()))
        .map(|o| Operator { active, ..o })
        .collect();
    catalog::upsert_master_data(
        &f.store,
        &MasterData {
            operators,
            ..MasterData::default()
        },
    )
    .unwrap();
}

// ---- blind counts ----------------------------------------------------------------------------

#[test]
fn the_count_sheet_and_the_start_of_a_count_never_show_a_quantity() {
    let f = towels_on_a_shelf();
    let created = create(&f, "CC-1", Some("A-01-01"), None);
    assert_eq!(created.status, CountTaskStatus::Open);
    assert_eq!((created.round, created.source.as_str()), (0, "local"));
    assert_eq!(created.first_counter, None);

    let sheet = f.store.read(|c| counting::count_sheet(c, "CC-1")).unwrap();
    assert_eq!(
        sheet,
        CountSheet {
            task_id: "CC-1".into(),
            round: 1,
            locations: vec!["A-01-01".into()],
            sku: None,
        }
    );
    assert_blind(&sheet, &[48, 2]);

    let (op_id, started) = start(&f, "alice", "CC-1");
    assert_eq!(started, sheet);
    assert_blind(&started, &[48, 2]);
    assert_eq!(progress(&f, "CC-1"), (CountTaskStatus::Counting, 0));
    let evs = events(&f, op_id);
    assert_eq!(evs.len(), 1, "{evs:?}");
    assert_eq!(evs[0].0, EventKind::CountStarted.as_str());
    assert_eq!(evs[0].1["task_id"], "CC-1");
    assert_eq!(evs[0].1["location"], "A-01-01");
    assert_eq!(evs[0].1["snapshot_lines"], 1);
    // Starting changes no stock.
    assert_eq!(on_shelf(&f, "A-01-01", sample::TOWELS), 48);
    assert_integrity(&f);
}

#[test]
fn an_item_count_sheet_lists_every_location_holding_the_item_in_walk_order_without_quantities() {
    let f = towels_on_a_shelf();
    stock(&f, towel_cases(), 1, "P-01-01", "71");
    stock(&f, coffee("C-1"), 6, "A-01-02", "42");
    create(&f, "CC-T", None, Some(sample::TOWELS));
    let (_, sheet) = start(&f, "alice", "CC-T");
    assert_eq!(sheet.locations, vec!["P-01-01", "A-01-01"]);
    assert_eq!(sheet.sku.as_deref(), Some(sample::TOWELS));
    assert_eq!(sheet.round, 1);
    assert_blind(&sheet, &[24, 48, 72]);
    assert_integrity(&f);
}

#[test]
fn a_round_that_needs_a_recount_hides_the_variance() {
    let f = towels_on_a_shelf();
    create(&f, "CC-1", Some("A-01-01"), None);
    start(&f, "alice", "CC-1");
    let (_, done) = submit(&f, "alice", "CC-1", vec![line(towels(), 45)]);
    assert_eq!(done.outcome, CountOutcome::RecountRequired);
    assert_eq!(done.lines.len(), 1);
    assert_eq!(done.lines[0].counted, 45);
    assert_eq!(done.lines[0].variance, None);
    assert_blind(&done, &[48, -3, 3]);
    // The recount sheet is as blind as the first one.
    let sheet = f.store.read(|c| counting::count_sheet(c, "CC-1")).unwrap();
    assert_eq!(sheet.round, 2);
    assert_blind(&sheet, &[48, 45, -3, 3]);
    assert_integrity(&f);
}

// ---- tolerance -------------------------------------------------------------------------------

#[test]
fn a_count_matching_the_system_is_done_without_an_adjustment() {
    let f = towels_on_a_shelf();
    create(&f, "CC-1", Some("A-01-01"), None);
    start(&f, "alice", "CC-1");
    let (op_id, done) = submit(&f, "alice", "CC-1", vec![line(towel_cases(), 2)]);
    assert_eq!(done.outcome, CountOutcome::NoVariance);
    assert_eq!((done.task_id.as_str(), done.round), ("CC-1", 1));
    assert_eq!(done.lines.len(), 1);
    let l = &done.lines[0];
    assert_eq!(
        (l.location.as_str(), l.sku.as_str(), l.lot.as_str()),
        ("A-01-01", sample::TOWELS, "")
    );
    assert_eq!((l.counted, l.variance, l.unexpected), (48, Some(0), false));
    assert_eq!(progress(&f, "CC-1"), (CountTaskStatus::Done, 1));
    assert_eq!(task(&f, "CC-1").first_counter.as_deref(), Some("alice"));
    assert_eq!(on_shelf(&f, "A-01-01", sample::TOWELS), 48);
    assert!(count_adjustments(&f).is_empty());
    let evs = events(&f, op_id);
    assert_eq!(event_types(&f, op_id), vec![EventKind::Counted.as_str()]);
    let payload = &evs[0].1;
    assert_eq!(payload["outcome"], "no_variance");
    assert_eq!(payload["counter"], "alice");
    assert_eq!(payload["round"], 1);
    assert_eq!(payload["lines"][0]["expected"], 48);
    assert_eq!(payload["lines"][0]["counted"], 48);
    assert_eq!(payload["lines"][0]["variance"], 0);
    assert!(f.store.read(counting::open_count_tasks).unwrap().is_empty());
    assert_integrity(&f);
}

#[test]
fn one_towel_missing_is_within_tolerance_and_adjusted_at_once() {
    let f = towels_on_a_shelf();
    create(&f, "CC-1", Some("A-01-01"), None);
    start(&f, "alice", "CC-1");
    let (op_id, done) = submit(&f, "alice", "CC-1", vec![line(towels(), 47)]);
    assert_eq!(done.outcome, CountOutcome::Adjusted);
    assert_eq!(done.lines[0].variance, Some(-1));
    assert_eq!(progress(&f, "CC-1"), (CountTaskStatus::Done, 1));
    assert_eq!(
        summary(&f, "A-01-01"),
        vec![(
            sample::TOWELS.into(),
            String::new(),
            StockStatus::Available,
            47
        )]
    );
    assert_eq!(
        count_adjustments(&f),
        vec![adjustment(sample::TOWELS, "A-01-01", "", "available", -1)]
    );
    let evs = events(&f, op_id);
    assert_eq!(
        event_types(&f, op_id),
        vec![
            EventKind::Counted.as_str(),
            EventKind::CountAdjusted.as_str()
        ]
    );
    assert_eq!(evs[0].1["outcome"], "adjusted");
    let adjusted = &evs[1].1;
    assert_eq!(adjusted["task_id"], "CC-1");
    assert_eq!(adjusted["round"], 1);
    assert_eq!(adjusted["location"], "A-01-01");
    assert_eq!(adjusted["sku"], sample::TOWELS);
    assert_eq!(adjusted["expected"], 48);
    assert_eq!(adjusted["counted"], 47);
    assert_eq!(adjusted["variance"], -1);
    assert_eq!(adjusted["value_cents"], -349);
    assert_eq!(adjusted["reason_code"], "count_adjustment");
    assert_eq!(adjusted["approved_by"], Value::Null);
    assert_integrity(&f);
}

#[test]
fn one_coffee_too_many_worth_8_99_is_within_tolerance_and_adjusted_in() {
    let f = warehouse();
    stock(&f, coffee("C-1"), 24, "A-01-02", "42");
    create(&f, "CC-2", Some("A-01-02"), None);
    start(&f, "bob", "CC-2");
    let (op_id, done) = submit(&f, "bob", "CC-2", vec![line(coffee("C-1"), 25)]);
    assert_eq!(done.outcome, CountOutcome::Adjusted);
    assert_eq!(done.lines[0].variance, Some(1));
    assert_eq!(
        summary(&f, "A-01-02"),
        vec![(
            sample::COFFEE.into(),
            "C-1".into(),
            StockStatus::Available,
            25
        )]
    );
    assert_eq!(
        count_adjustments(&f),
        vec![adjustment(sample::COFFEE, "A-01-02", "C-1", "available", 1)]
    );
    let evs = events(&f, op_id);
    assert_eq!(evs[1].0, EventKind::CountAdjusted.as_str());
    assert_eq!(evs[1].1["value_cents"], 899);
    assert_eq!(evs[1].1["lot"], "C-1");
    assert_integrity(&f);
}

#[test]
fn a_place_with_nothing_counted_is_counted_empty_and_adjusted_out() {
    let f = warehouse();
    stock(&f, milk_scan(sample::MILK_EA), 1, "C-01-01", "61");
    create(&f, "CC-M", Some("C-01-01"), None);
    start(&f, "alice", "CC-M");
    let (_, done) = submit(&f, "alice", "CC-M", vec![]);
    assert_eq!(done.outcome, CountOutcome::Adjusted);
    assert_eq!(done.lines.len(), 1);
    assert_eq!(
        (done.lines[0].counted, done.lines[0].variance),
        (0, Some(-1))
    );
    assert!(at(&f, "C-01-01").is_empty());
    assert_eq!(
        count_adjustments(&f),
        vec![adjustment(
            sample::MILK,
            "C-01-01",
            "L2611A",
            "available",
            -1
        )]
    );
    assert_integrity(&f);
}

// ---- beyond tolerance: recount, approval -----------------------------------------------------

#[test]
fn a_variance_beyond_tolerance_is_recounted_by_another_operator_and_then_adjusted() {
    let f = towels_on_a_shelf();
    create(&f, "CC-1", Some("A-01-01"), None);
    start(&f, "alice", "CC-1");
    let (first, done) = submit(&f, "alice", "CC-1", vec![line(towels(), 45)]);
    assert_eq!(done.outcome, CountOutcome::RecountRequired);
    assert_eq!(done.round, 1);
    let t = task(&f, "CC-1");
    assert_eq!((t.status, t.round), (CountTaskStatus::Recount, 1));
    assert_eq!(t.first_counter.as_deref(), Some("alice"));
    assert_eq!(on_shelf(&f, "A-01-01", sample::TOWELS), 48);
    assert!(count_adjustments(&f).is_empty());
    let evs = events(&f, first);
    assert_eq!(event_types(&f, first), vec![EventKind::Counted.as_str()]);
    assert_eq!(evs[0].1["outcome"], "recount_required");

    // alice may not recount her own count while bob and sam are there.
    let err = assert_rejected(&f.store, "recount_by_same_operator", || {
        counting::submit_count(
            &f.store,
            &submit_cmd("alice", "CC-1", vec![line(towels(), 45)]),
        )
    });
    assert_message_names(&err, &["alice", "CC-1", "bob, sam"]);

    // bob confirms 3 missing: 10.47, below the approval threshold, adjusted.
    let (second, done) = submit(&f, "bob", "CC-1", vec![line(towels(), 45)]);
    assert_eq!(done.outcome, CountOutcome::Adjusted);
    assert_eq!(done.round, 2);
    assert_eq!(done.lines[0].variance, Some(-3));
    let t = task(&f, "CC-1");
    assert_eq!((t.status, t.round), (CountTaskStatus::Done, 2));
    assert_eq!(t.first_counter.as_deref(), Some("alice"));
    assert_eq!(on_shelf(&f, "A-01-01", sample::TOWELS), 45);
    assert_eq!(
        count_adjustments(&f),
        vec![adjustment(sample::TOWELS, "A-01-01", "", "available", -3)]
    );
    let evs = events(&f, second);
    assert_eq!(
        event_types(&f, second),
        vec![
            EventKind::Counted.as_str(),
            EventKind::CountAdjusted.as_str()
        ]
    );
    assert_eq!(evs[0].1["counter"], "bob");
    assert_eq!(evs[0].1["round"], 2);
    assert_eq!(evs[1].1["round"], 2);
    assert_eq!(evs[1].1["variance"], -3);
    assert_eq!(evs[1].1["value_cents"], -1047);
    assert_eq!(evs[1].1["approved_by"], Value::Null);
    assert_integrity(&f);
}

#[test]
fn a_recount_that_finds_the_system_quantity_settles_without_an_adjustment() {
    let f = towels_on_a_shelf();
    create(&f, "CC-1", Some("A-01-01"), None);
    start(&f, "alice", "CC-1");
    submit(&f, "alice", "CC-1", vec![line(towels(), 40)]);
    let (_, done) = submit(&f, "bob", "CC-1", vec![line(towels(), 48)]);
    assert_eq!(done.outcome, CountOutcome::NoVariance);
    assert_eq!(done.lines[0].variance, Some(0));
    assert_eq!(progress(&f, "CC-1"), (CountTaskStatus::Done, 2));
    assert_eq!(on_shelf(&f, "A-01-01", sample::TOWELS), 48);
    assert!(count_adjustments(&f).is_empty());
    assert_integrity(&f);
}

#[test]
fn the_first_counter_may_recount_when_no_other_operator_is_active() {
    let f = towels_on_a_shelf();
    create(&f, "CC-1", Some("A-01-01"), None);
    start(&f, "alice", "CC-1");
    submit(&f, "alice", "CC-1", vec![line(towels(), 45)]);
    set_operators_active(&f, &["bob", "sam"], false);
    let (_, done) = submit(&f, "alice", "CC-1", vec![line(towels(), 45)]);
    assert_eq!(done.outcome, CountOutcome::Adjusted);
    assert_eq!(progress(&f, "CC-1"), (CountTaskStatus::Done, 2));
    assert_eq!(on_shelf(&f, "A-01-01", sample::TOWELS), 45);
    assert_integrity(&f);
}

#[test]
fn a_missing_drill_worth_129_00_needs_a_recount_then_a_supervisor() {
    let f = drills_on_a_shelf();
    create(&f, "CC-D", Some("A-01-03"), None);
    start(&f, "alice", "CC-D");
    let counted = || vec![line(drill("SN-1"), 1), line(drill("SN-2"), 1)];

    // One unit, but 129.00 is beyond the 10.00 value tolerance.
    let (_, done) = submit(&f, "alice", "CC-D", counted());
    assert_eq!(done.outcome, CountOutcome::RecountRequired);
    assert_eq!(done.lines[0].counted, 2);
    assert_eq!(done.lines[0].variance, None);

    // bob confirms it: beyond the 100.00 approval threshold.
    let (second, done) = submit(&f, "bob", "CC-D", counted());
    assert_eq!(done.outcome, CountOutcome::ApprovalRequired);
    assert_eq!(done.round, 2);
    assert_eq!(done.lines[0].variance, None);
    assert_eq!(progress(&f, "CC-D"), (CountTaskStatus::Approval, 2));
    assert_eq!(event_types(&f, second), vec![EventKind::Counted.as_str()]);
    assert_eq!(events(&f, second)[0].1["outcome"], "approval_required");
    assert_eq!(on_shelf(&f, "A-01-03", sample::DRILL), 3);
    assert!(count_adjustments(&f).is_empty());

    // Operators cannot approve; nothing changes.
    for operator in ["alice", "bob"] {
        let err = assert_rejected(&f.store, "not_a_supervisor", || {
            counting::approve_count(&f.store, &approve_cmd(operator, "CC-D"))
        });
        assert_message_names(&err, &[operator, "not a supervisor"]);
    }

    // sam approves: adjusted, and the event names him.
    let cmd = approve_cmd("sam", "CC-D");
    let approved = counting::approve_count(&f.store, &cmd).unwrap();
    assert_eq!(approved.outcome, CountOutcome::Adjusted);
    assert_eq!((approved.task_id.as_str(), approved.round), ("CC-D", 2));
    assert_eq!(approved.lines.len(), 1);
    assert_eq!(approved.lines[0].counted, 2);
    assert_eq!(approved.lines[0].variance, Some(-1));
    assert_eq!(progress(&f, "CC-D"), (CountTaskStatus::Done, 2));
    assert_eq!(on_shelf(&f, "A-01-03", sample::DRILL), 2);
    assert_eq!(
        count_adjustments(&f),
        vec![adjustment(sample::DRILL, "A-01-03", "", "available", -1)]
    );
    let evs = events(&f, cmd.op_id);
    assert_eq!(
        event_types(&f, cmd.op_id),
        vec![EventKind::CountAdjusted.as_str()]
    );
    assert_eq!(evs[0].1["approved_by"], "sam");
    assert_eq!(evs[0].1["variance"], -1);
    assert_eq!(evs[0].1["value_cents"], -12900);
    assert_eq!(evs[0].1["round"], 2);

    // Approving again is refused.
    let err = assert_rejected(&f.store, "wrong_state", || {
        counting::approve_count(&f.store, &approve_cmd("sam", "CC-D"))
    });
    assert_message_names(&err, &["CC-D", "done"]);
    assert_integrity(&f);
}

#[test]
fn a_supervisor_who_counted_a_variance_cannot_approve_it_another_supervisor_can() {
    let f = drills_on_a_shelf();
    // A second supervisor on the shift.
    common::add_supervisor_lee(&f.store);
    create(&f, "CC-D", Some("A-01-03"), None);
    start(&f, "sam", "CC-D");
    let counted = || vec![line(drill("SN-1"), 1), line(drill("SN-2"), 1)];
    // sam counts first, bob confirms: the variance waits for a supervisor.
    submit(&f, "sam", "CC-D", counted());
    submit(&f, "bob", "CC-D", counted());
    assert_eq!(progress(&f, "CC-D"), (CountTaskStatus::Approval, 2));

    // sam counted it: his approval is refused, nothing changes.
    let err = assert_rejected(&f.store, "self_approval", || {
        counting::approve_count(&f.store, &approve_cmd("sam", "CC-D"))
    });
    assert_message_names(&err, &["sam", "CC-D", "another supervisor"]);
    assert_eq!(err.kind(), dockhand_core::ErrorKind::NeedsSupervisor);
    assert_eq!(progress(&f, "CC-D"), (CountTaskStatus::Approval, 2));
    assert_eq!(on_shelf(&f, "A-01-03", sample::DRILL), 3);

    // lee did not count: approved, and the event names lee.
    let cmd = approve_cmd("lee", "CC-D");
    counting::approve_count(&f.store, &cmd).unwrap();
    assert_eq!(events(&f, cmd.op_id)[0].1["approved_by"], "lee");
    assert_eq!(on_shelf(&f, "A-01-03", sample::DRILL), 2);
    assert_integrity(&f);
}

#[test]
fn an_approved_drill_adjustment_removes_the_serial_that_was_not_counted() {
    let f = drills_on_a_shelf();
    create(&f, "CC-D", Some("A-01-03"), None);
    start(&f, "alice", "CC-D");
    let counted = || vec![line(drill("SN-1"), 1), line(drill("SN-2"), 1)];
    submit(&f, "alice", "CC-D", counted());
    submit(&f, "bob", "CC-D", counted());
    counting::approve_count(&f.store, &approve_cmd("sam", "CC-D")).unwrap();
    // SN-1 and SN-2 were scanned on the shelf; SN-3 was not found, so SN-3 is what goes.
    let mut serials: Vec<String> = at(&f, "A-01-03").into_iter().map(|b| b.serial).collect();
    serials.sort();
    assert_eq!(serials, vec!["SN-1", "SN-2"]);
    assert_integrity(&f);
}

#[test]
fn approving_a_task_that_is_not_waiting_for_approval_is_refused() {
    let f = towels_on_a_shelf();
    create(&f, "CC-1", Some("A-01-01"), None);
    start(&f, "alice", "CC-1");
    let err = assert_rejected(&f.store, "wrong_state", || {
        counting::approve_count(&f.store, &approve_cmd("sam", "CC-1"))
    });
    assert_message_names(&err, &["CC-1", "counting"]);
}

// ---- stock that moves during a count ---------------------------------------------------------

#[test]
fn counting_while_stock_moves_a_pick_confirmed_during_the_count_is_not_a_variance() {
    let f = towels_on_a_shelf();
    create(&f, "CC-1", Some("A-01-01"), None);
    start(&f, "alice", "CC-1");

    f.clock.advance(minutes(5));
    let (pick, location) = pick_towels(&f, "PT-1", 10);
    assert_eq!(location, "A-01-01");
    let picked =
        picking::confirm_pick(&f.store, &confirm_pick_cmd("PT-1", pick, 10, false)).unwrap();
    assert_eq!(picked.picked, 10);
    assert_eq!(on_shelf(&f, "A-01-01", sample::TOWELS), 38);

    f.clock.advance(minutes(5));
    let (op_id, done) = submit(&f, "alice", "CC-1", vec![line(towels(), 38)]);
    assert_eq!(done.outcome, CountOutcome::NoVariance);
    assert_eq!(done.lines[0].variance, Some(0));
    assert_eq!(progress(&f, "CC-1"), (CountTaskStatus::Done, 1));
    assert_eq!(on_shelf(&f, "A-01-01", sample::TOWELS), 38);
    assert_eq!(on_shelf(&f, "STAGE-01", sample::TOWELS), 10);
    assert!(count_adjustments(&f).is_empty());
    let evs = events(&f, op_id);
    assert_eq!(event_types(&f, op_id), vec![EventKind::Counted.as_str()]);
    assert_eq!(evs[0].1["lines"][0]["expected"], 38);
    assert_integrity(&f);
}

#[test]
fn a_line_counted_before_a_pick_and_submitted_after_it_is_not_a_variance() {
    let f = towels_on_a_shelf();
    create(&f, "CC-1", Some("A-01-01"), None);
    start(&f, "alice", "CC-1");

    // alice counts the 48 on the shelf...
    f.clock.advance(minutes(2));
    let counted_at = f.clock.now();
    // ...then bob picks 10 from it...
    f.clock.advance(minutes(3));
    let (pick, _) = pick_towels(&f, "PT-1", 10);
    picking::confirm_pick(&f.store, &confirm_pick_cmd("PT-1", pick, 10, false)).unwrap();
    // ...and alice submits what she saw when she counted.
    f.clock.advance(minutes(5));
    let counted = CountedLine {
        counted_at: Some(counted_at),
        ..line(towels(), 48)
    };
    let (op_id, done) = submit(&f, "alice", "CC-1", vec![counted]);
    assert_eq!(
        done.outcome,
        CountOutcome::NoVariance,
        "the count's events: {:?}",
        events(&f, op_id)
    );
    assert_eq!(done.lines[0].variance, Some(0));
    assert_eq!(on_shelf(&f, "A-01-01", sample::TOWELS), 38);
    assert!(count_adjustments(&f).is_empty());
    assert_integrity(&f);
}

#[test]
fn a_short_pick_asks_for_a_count_of_the_location_that_then_settles_the_shortage() {
    let f = towels_on_a_shelf();
    let (pick, _) = pick_towels(&f, "PT-1", 10);
    let cmd = confirm_pick_cmd("PT-1", pick, 6, true);
    let short = picking::confirm_pick(&f.store, &cmd).unwrap();
    assert_eq!((short.picked, short.short), (6, 4));
    let id = short.count_task_id.clone().unwrap();
    assert_eq!(id, "CC-A-01-01-1");
    let t = task(&f, &id);
    assert_eq!(t.source, "short_pick");
    assert_eq!(t.location.as_deref(), Some("A-01-01"));
    assert_eq!(t.sku, None);
    assert_eq!((t.status, t.round), (CountTaskStatus::Open, 0));
    assert!(t.reason.contains("PT-1"), "{}", t.reason);
    let evs = events(&f, cmd.op_id);
    let short_event = evs
        .iter()
        .find(|(t, _)| t == EventKind::PickShort.as_str())
        .unwrap();
    assert_eq!(short_event.1["count_task_id"], id.as_str());

    // A second short pick in the same place reuses the waiting task.
    let (pick, _) = pick_towels(&f, "PT-2", 5);
    let again = picking::confirm_pick(&f.store, &confirm_pick_cmd("PT-2", pick, 0, true)).unwrap();
    assert_eq!(again.count_task_id.as_deref(), Some(id.as_str()));
    let open = f.store.read(counting::open_count_tasks).unwrap();
    assert_eq!(open.len(), 1);

    // The count finds 4 fewer than the 42 on the books: recounted, adjusted.
    start(&f, "alice", &id);
    let (_, first) = submit(&f, "alice", &id, vec![line(towels(), 38)]);
    assert_eq!(first.outcome, CountOutcome::RecountRequired);
    let (_, second) = submit(&f, "bob", &id, vec![line(towels(), 38)]);
    assert_eq!(second.outcome, CountOutcome::Adjusted);
    assert_eq!(second.lines[0].variance, Some(-4));
    assert_eq!(on_shelf(&f, "A-01-01", sample::TOWELS), 38);
    assert_eq!(
        count_adjustments(&f),
        vec![adjustment(sample::TOWELS, "A-01-01", "", "available", -4)]
    );
    assert_integrity(&f);
}

// ---- unexpected goods, item counts -----------------------------------------------------------

#[test]
fn unexpected_items_and_lots_found_are_recorded_and_adjusted_in() {
    let f = warehouse();
    stock(&f, coffee("C-1"), 24, "A-01-02", "42");
    create(&f, "CC-2", Some("A-01-02"), None);
    start(&f, "alice", "CC-2");
    let (op_id, done) = submit(
        &f,
        "alice",
        "CC-2",
        vec![
            line(coffee("C-1"), 24),
            line(coffee("C-2"), 1),
            line(towels(), 1),
        ],
    );
    assert_eq!(done.outcome, CountOutcome::Adjusted);
    let mut lines: Vec<(String, String, i64, Option<i64>, bool)> = done
        .lines
        .iter()
        .map(|l| {
            (
                l.sku.clone(),
                l.lot.clone(),
                l.counted,
                l.variance,
                l.unexpected,
            )
        })
        .collect();
    lines.sort();
    assert_eq!(
        lines,
        vec![
            (sample::COFFEE.into(), "C-1".into(), 24, Some(0), false),
            (sample::COFFEE.into(), "C-2".into(), 1, Some(1), true),
            (sample::TOWELS.into(), String::new(), 1, Some(1), true),
        ]
    );
    let mut found = summary(&f, "A-01-02");
    found.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    assert_eq!(
        found,
        vec![
            (
                sample::COFFEE.into(),
                "C-1".into(),
                StockStatus::Available,
                24
            ),
            (
                sample::COFFEE.into(),
                "C-2".into(),
                StockStatus::Available,
                1
            ),
            (
                sample::TOWELS.into(),
                String::new(),
                StockStatus::Available,
                1
            ),
        ]
    );
    let mut adjusted = count_adjustments(&f);
    adjusted.sort();
    assert_eq!(
        adjusted,
        vec![
            adjustment(sample::COFFEE, "A-01-02", "C-2", "available", 1),
            adjustment(sample::TOWELS, "A-01-02", "", "available", 1),
        ]
    );
    let lot_known: i64 = f
        .store
        .read(|c| {
            Ok(c.query_row(
                "SELECT COUNT(*) FROM lots l JOIN items i ON i.id = l.item_id
                 WHERE i.sku = ?1 AND l.lot = 'C-2'",
                [sample::COFFEE],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert_eq!(lot_known, 1);
    let evs = events(&f, op_id);
    assert_eq!(
        event_types(&f, op_id),
        vec![
            EventKind::Counted.as_str(),
            EventKind::CountAdjusted.as_str(),
            EventKind::CountAdjusted.as_str()
        ]
    );
    let unexpected: Vec<&Value> = evs[0].1["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["unexpected"] == true)
        .collect();
    assert_eq!(unexpected.len(), 2);
    assert!(unexpected.iter().all(|l| l["expected"] == 0));
    assert_integrity(&f);
}

#[test]
fn an_item_count_has_a_line_per_location_across_several_locations() {
    let f = towels_on_a_shelf();
    stock(&f, towel_cases(), 1, "P-01-01", "71");
    stock(&f, coffee("C-1"), 6, "A-01-01", "41");
    create(&f, "CC-T", None, Some(sample::TOWELS));
    let (started, _) = start(&f, "alice", "CC-T");
    assert_eq!(events(&f, started)[0].1["snapshot_lines"], 2);
    assert_eq!(events(&f, started)[0].1["sku"], sample::TOWELS);

    // A line of another item, or without a location, is refused.
    let err = assert_rejected(&f.store, "wrong_item", || {
        counting::submit_count(
            &f.store,
            &submit_cmd("alice", "CC-T", vec![line_in("A-01-01", coffee("C-1"), 6)]),
        )
    });
    assert_message_names(&err, &[sample::TOWELS, sample::COFFEE, "A-01-01"]);
    assert_rejected(&f.store, "invalid_input", || {
        counting::submit_count(
            &f.store,
            &submit_cmd("alice", "CC-T", vec![line(towels(), 24)]),
        )
    });

    let (_, done) = submit(
        &f,
        "alice",
        "CC-T",
        vec![
            line_in("P-01-01", towels(), 24),
            line_in("A-01-01", towels(), 47),
            line_in("A-01-04", towels(), 1),
        ],
    );
    assert_eq!(done.outcome, CountOutcome::Adjusted);
    let mut lines: Vec<(String, i64, Option<i64>, bool)> = done
        .lines
        .iter()
        .map(|l| (l.location.clone(), l.counted, l.variance, l.unexpected))
        .collect();
    lines.sort();
    assert_eq!(
        lines,
        vec![
            ("A-01-01".into(), 47, Some(-1), false),
            ("A-01-04".into(), 1, Some(1), true),
            ("P-01-01".into(), 24, Some(0), false),
        ]
    );
    assert!(done.lines.iter().all(|l| l.sku == sample::TOWELS));
    assert_eq!(on_shelf(&f, "A-01-01", sample::TOWELS), 47);
    assert_eq!(on_shelf(&f, "A-01-01", sample::COFFEE), 6);
    assert_eq!(on_shelf(&f, "A-01-04", sample::TOWELS), 1);
    assert_eq!(on_shelf(&f, "P-01-01", sample::TOWELS), 24);
    let mut adjusted = count_adjustments(&f);
    adjusted.sort();
    assert_eq!(
        adjusted,
        vec![
            adjustment(sample::TOWELS, "A-01-01", "", "available", -1),
            adjustment(sample::TOWELS, "A-01-04", "", "available", 1),
        ]
    );
    assert_integrity(&f);
}

// ---- refusals --------------------------------------------------------------------------------

#[test]
fn a_count_of_a_blocked_location_is_refused_when_created_or_started() {
    let f = towels_on_a_shelf();
    let err = assert_rejected(&f.store, "location_blocked", || {
        counting::create_count_task(&f.store, &create_cmd("CC-B", Some("A-01-05"), None))
    });
    assert_message_names(&err, &["A-01-05"]);

    create(&f, "CC-1", Some("A-01-01"), None);
    change_location(&f, "A-01-01", |l| {
        l.status = catalog::LocationStatus::Blocked;
    });
    let err = assert_rejected(&f.store, "location_blocked", || {
        counting::start_count(&f.store, &start_cmd("alice", "CC-1"))
    });
    assert_message_names(&err, &["A-01-01"]);
    assert_eq!(progress(&f, "CC-1"), (CountTaskStatus::Open, 0));
    assert_integrity(&f);
}

#[test]
fn a_count_line_for_another_location_than_the_task_is_outside_the_count() {
    let f = towels_on_a_shelf();
    create(&f, "CC-1", Some("A-01-01"), None);
    start(&f, "alice", "CC-1");
    let err = assert_rejected(&f.store, "outside_count", || {
        counting::submit_count(
            &f.store,
            &submit_cmd("alice", "CC-1", vec![line_in("A-01-02", towels(), 48)]),
        )
    });
    assert_message_names(&err, &["CC-1", "A-01-01", "A-01-02"]);
    assert_eq!(progress(&f, "CC-1"), (CountTaskStatus::Counting, 0));
    assert_integrity(&f);
}

#[test]
fn submitting_before_the_start_or_after_the_end_is_the_wrong_state() {
    let f = towels_on_a_shelf();
    create(&f, "CC-1", Some("A-01-01"), None);
    let err = assert_rejected(&f.store, "wrong_state", || {
        counting::submit_count(
            &f.store,
            &submit_cmd("alice", "CC-1", vec![line(towels(), 48)]),
        )
    });
    assert_message_names(&err, &["CC-1", "open"]);

    start(&f, "alice", "CC-1");
    let err = assert_rejected(&f.store, "wrong_state", || {
        counting::start_count(&f.store, &start_cmd("bob", "CC-1"))
    });
    assert_message_names(&err, &["CC-1", "counting"]);

    submit(&f, "alice", "CC-1", vec![line(towels(), 48)]);
    let err = assert_rejected(&f.store, "wrong_state", || {
        counting::submit_count(
            &f.store,
            &submit_cmd("bob", "CC-1", vec![line(towels(), 48)]),
        )
    });
    assert_message_names(&err, &["CC-1", "done"]);
    let err = assert_rejected(&f.store, "wrong_state", || {
        counting::start_count(&f.store, &start_cmd("bob", "CC-1"))
    });
    assert_message_names(&err, &["CC-1", "done"]);
    // Creating the same task id again is refused too.
    let err = assert_rejected(&f.store, "wrong_state", || {
        counting::create_count_task(&f.store, &create_cmd("CC-1", Some("A-01-01"), None))
    });
    assert_message_names(&err, &["CC-1"]);
    assert_integrity(&f);
}

#[test]
fn an_unknown_count_task_is_refused_naming_it() {
    let f = towels_on_a_shelf();
    let err = assert_rejected(&f.store, "unknown_count_task", || {
        counting::start_count(&f.store, &start_cmd("alice", "CC-404"))
    });
    assert_message_names(&err, &["CC-404"]);
    let err = assert_rejected(&f.store, "unknown_count_task", || {
        counting::submit_count(&f.store, &submit_cmd("alice", "CC-404", vec![]))
    });
    assert_message_names(&err, &["CC-404"]);
    let err = assert_rejected(&f.store, "unknown_count_task", || {
        counting::approve_count(&f.store, &approve_cmd("sam", "CC-404"))
    });
    assert_message_names(&err, &["CC-404"]);
    let err = f
        .store
        .read(|c| counting::count_sheet(c, "CC-404"))
        .unwrap_err();
    assert_eq!(err.code(), "unknown_count_task");
}

#[test]
fn a_count_task_naming_neither_a_location_nor_an_item_is_refused() {
    let f = towels_on_a_shelf();
    assert_rejected(&f.store, "invalid_input", || {
        counting::create_count_task(&f.store, &create_cmd("CC-0", None, None))
    });
    assert_rejected(&f.store, "unknown_location", || {
        counting::create_count_task(&f.store, &create_cmd("CC-0", Some("Z-99"), None))
    });
}

#[test]
fn a_negative_counted_quantity_is_refused() {
    let f = towels_on_a_shelf();
    create(&f, "CC-1", Some("A-01-01"), None);
    start(&f, "alice", "CC-1");
    let err = assert_rejected(&f.store, "invalid_quantity", || {
        counting::submit_count(
            &f.store,
            &submit_cmd("alice", "CC-1", vec![line(towels(), -3)]),
        )
    });
    assert_message_names(&err, &["-3"]);
}

#[test]
fn replaying_a_submit_returns_the_first_result_and_writes_nothing() {
    let f = towels_on_a_shelf();
    create(&f, "CC-1", Some("A-01-01"), None);
    start(&f, "alice", "CC-1");
    let cmd = submit_cmd("alice", "CC-1", vec![line(towels(), 47)]);
    let first = counting::submit_count(&f.store, &cmd).unwrap();
    let before = dump(&f.store);
    let again = counting::submit_count(&f.store, &cmd).unwrap();
    assert_eq!(first, again);
    assert_eq!(before, dump(&f.store));
    assert_eq!(on_shelf(&f, "A-01-01", sample::TOWELS), 47);
    assert_integrity(&f);
}

// ---- counts from the risk ranking ------------------------------------------------------------

#[test]
fn risk_counts_go_to_the_top_ranked_locations_skipping_those_with_an_open_count() {
    let f = towels_on_a_shelf(); // 48 x 3.49 = 167.52 at A-01-01
    stock(&f, coffee("C-1"), 24, "A-01-02", "42"); // 215.76
    stock(&f, milk_scan(sample::MILK_EA), 12, "C-01-01", "61"); // 22.68
    let ranking = f
        .store
        .read(|c| counting::risk_ranking(c, f.clock.now()))
        .unwrap();
    let order: Vec<&str> = ranking.locations.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(order, vec!["A-01-02", "A-01-01", "C-01-01"]);
    assert!(
        ranking
            .locations
            .iter()
            .all(|e| e.days_since_count.is_none())
    );
    // The score is its parts: the highest value and never counted give their full weights.
    let top = &ranking.locations[0];
    let p = top.parts;
    assert!((p.counts_off + p.picks + p.value + p.not_counted - top.score).abs() < 1e-9);
    assert_eq!(
        (p.value, p.not_counted),
        (
            counting::risk::VALUE_WEIGHT,
            counting::risk::STALENESS_WEIGHT
        )
    );

    // The riskiest location already has a count waiting.
    create(&f, "CC-HUB", Some("A-01-02"), None);
    let cmd = GenerateRiskCounts {
        op_id: op(),
        operator: "sam".into(),
        how_many: 2,
    };
    let created = counting::generate_risk_counts(&f.store, &cmd).unwrap();
    let made: Vec<(&str, Option<&str>, &str, CountTaskStatus)> = created
        .iter()
        .map(|t| {
            (
                t.id.as_str(),
                t.location.as_deref(),
                t.source.as_str(),
                t.status,
            )
        })
        .collect();
    assert_eq!(
        made,
        vec![
            (
                "RC-A-01-01-1",
                Some("A-01-01"),
                "risk",
                CountTaskStatus::Open
            ),
            (
                "RC-C-01-01-1",
                Some("C-01-01"),
                "risk",
                CountTaskStatus::Open
            ),
        ]
    );
    assert!(created.iter().all(|t| t.reason.starts_with("risk score")));
    let evs = events(&f, cmd.op_id);
    assert_eq!(
        event_types(&f, cmd.op_id),
        vec![
            EventKind::CountTaskCreated.as_str(),
            EventKind::CountTaskCreated.as_str()
        ]
    );
    assert_eq!(evs[0].1["source"], "risk");
    assert_eq!(evs[0].1["location"], "A-01-01");

    // Asking again skips every location with a count waiting: nothing left.
    let again = counting::generate_risk_counts(
        &f.store,
        &GenerateRiskCounts {
            op_id: op(),
            operator: "sam".into(),
            how_many: 5,
        },
    )
    .unwrap();
    assert!(again.is_empty(), "{again:?}");
    assert_eq!(f.store.read(counting::open_count_tasks).unwrap().len(), 3);
    assert_integrity(&f);
}

#[test]
fn a_counted_location_drops_down_the_risk_ranking() {
    let f = towels_on_a_shelf();
    stock(&f, coffee("C-1"), 24, "A-01-02", "42");
    create(&f, "CC-2", Some("A-01-02"), None);
    start(&f, "alice", "CC-2");
    submit(&f, "alice", "CC-2", vec![line(coffee("C-1"), 24)]);
    let ranking = f
        .store
        .read(|c| counting::risk_ranking(c, f.clock.now()))
        .unwrap();
    let order: Vec<&str> = ranking.locations.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(order, vec!["A-01-01", "A-01-02"]);
    let coffee_place = &ranking.locations[1];
    assert_eq!(coffee_place.days_since_count, Some(0));
    assert_eq!(coffee_place.variance_rate, 0.0);

    let created = counting::generate_risk_counts(
        &f.store,
        &GenerateRiskCounts {
            op_id: op(),
            operator: "sam".into(),
            how_many: 1,
        },
    )
    .unwrap();
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].location.as_deref(), Some("A-01-01"));
    assert_integrity(&f);
}

#[test]
fn an_operator_role_does_not_matter_for_counting_but_the_operator_must_be_known() {
    let f = towels_on_a_shelf();
    create(&f, "CC-1", Some("A-01-01"), None);
    let err = assert_rejected(&f.store, "unknown_operator", || {
        counting::start_count(&f.store, &start_cmd("mallory", "CC-1"))
    });
    assert_message_names(&err, &["mallory"]);
    // A supervisor can count like anyone else.
    let (_, sheet) = start(&f, "sam", "CC-1");
    assert_eq!(sheet.round, 1);
    let sam = f.store.read(|c| catalog::operator(c, "sam")).unwrap();
    assert_eq!(sam.role, Role::Supervisor);
}

// ---- edge cases found in review ---------------------------------------------------------------

#[test]
fn goods_in_transit_at_staging_are_not_counted() {
    let f = towels_on_a_shelf();
    let (pick, _) = pick_towels(&f, "T-1", 10);
    picking::confirm_pick(&f.store, &confirm_pick_cmd("T-1", pick, 10, false)).unwrap();
    let err = assert_rejected(&f.store, "wrong_location_type", || {
        counting::create_count_task(&f.store, &create_cmd("CC-ST", Some("STAGE-01"), None))
    });
    assert_message_names(&err, &["STAGE-01", "staging"]);
    // An item count cannot take a line at staging either.
    create(&f, "CC-IT", None, Some(sample::TOWELS));
    start(&f, "alice", "CC-IT");
    let err = assert_rejected(&f.store, "wrong_location_type", || {
        counting::submit_count(
            &f.store,
            &submit_cmd("alice", "CC-IT", vec![line_in("STAGE-01", towels(), 10)]),
        )
    });
    assert_message_names(&err, &["STAGE-01"]);
}

#[test]
fn a_location_under_count_gets_no_second_count_and_a_short_pick_joins_the_first() {
    let f = towels_on_a_shelf();
    create(&f, "CC-1", Some("A-01-01"), None);
    start(&f, "alice", "CC-1");
    submit(&f, "alice", "CC-1", vec![line(towels(), 40)]);
    assert_eq!(progress(&f, "CC-1").0, CountTaskStatus::Recount);
    let err = assert_rejected(&f.store, "wrong_state", || {
        counting::create_count_task(&f.store, &create_cmd("CC-2", Some("A-01-01"), None))
    });
    assert_message_names(&err, &["A-01-01", "CC-1"]);
    // A short pick in the same location is covered by the count already under way.
    let (pick, _) = pick_towels(&f, "T-1", 6);
    let done = picking::confirm_pick(&f.store, &confirm_pick_cmd("T-1", pick, 2, true)).unwrap();
    assert_eq!(done.count_task_id.as_deref(), Some("CC-1"));
    assert_integrity(&f);
}

#[test]
fn a_line_counted_outside_the_count_is_refused_naming_the_times() {
    let f = towels_on_a_shelf();
    create(&f, "CC-1", Some("A-01-01"), None);
    start(&f, "alice", "CC-1");
    let mut early = line(towels(), 48);
    early.counted_at =
        Some(chrono::DateTime::parse_from_rfc3339("2026-11-27T07:00:00+01:00").unwrap());
    let err = assert_rejected(&f.store, "invalid_input", || {
        counting::submit_count(&f.store, &submit_cmd("alice", "CC-1", vec![early.clone()]))
    });
    assert_message_names(
        &err,
        &[
            "2026-11-27T06:00:00.000Z",
            "CC-1",
            "started 2026-11-27T07:00:00.000Z",
        ],
    );
}

#[test]
fn a_hub_count_of_a_location_already_being_counted_is_left_out_with_a_sentence_and_the_rest_loads()
{
    let f = seeded();
    create(&f, "CC-LOCAL", Some("A-01-01"), None);
    let kept = counting::load_count_tasks(
        &f.store,
        &[
            request("CC-HUB-1", Some("A-01-01"), None),
            request("CC-HUB-2", Some("A-01-02"), None),
            request("CC-HUB-3", Some("A-01-05"), None),
        ],
    )
    .unwrap();
    assert_eq!(kept.len(), 2, "{kept:?}");
    assert!(
        kept[0].starts_with("count task CC-HUB-1 from the hub not taken")
            && kept[0].contains("being counted by task CC-LOCAL"),
        "{}",
        kept[0]
    );
    assert!(
        kept[1].contains("CC-HUB-3") && kept[1].contains("A-01-05"),
        "{}",
        kept[1]
    );
    let open: Vec<String> = f
        .store
        .read(counting::open_count_tasks)
        .unwrap()
        .into_iter()
        .map(|t| t.id)
        .collect();
    assert!(open.contains(&"CC-HUB-2".to_string()), "{open:?}");
    assert!(!open.contains(&"CC-HUB-1".to_string()), "{open:?}");
    assert!(!open.contains(&"CC-HUB-3".to_string()), "{open:?}");
}
