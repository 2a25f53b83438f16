//! Customer returns: received as `return_pending` at a returns bench, inspected line by line with
//! an outcome, a reason code and a note; restocked goods are put away from the bench.
#![allow(clippy::unwrap_used)]

mod common;

use chrono::Duration;
use common::*;
use dockhand_core::protocol::EventKind;
use dockhand_core::putaway::{self, ConfirmPutaway, PutawaySuggestion, SuggestionRule};
use dockhand_core::receiving;
use dockhand_core::returns::{
    self, InspectReturnLine, InspectionOutcome, ReceiveReturn, Return, ReturnLineInspected,
    ReturnLineRequest,
};
use dockhand_core::{ScannedGoods, StockStatus, catalog, outbox, sample};
use serde_json::Value;
use uuid::Uuid;

// ---- local helpers ---------------------------------------------------------------------------

const RMA: &str = "RMA-1";

fn coffee(lot: &str) -> ScannedGoods {
    ScannedGoods::barcode(sample::COFFEE_EA).with_lot(lot)
}

fn drill(serial: &str) -> ScannedGoods {
    ScannedGoods::barcode(sample::DRILL_EA).with_serial(serial)
}

fn vitamins() -> ScannedGoods {
    ScannedGoods::barcode(sample::VITAMINS_EA)
        .with_lot("V-9")
        .with_expiry(date(2027, 6, 30))
}

fn milk_expiring(lot: &str, expiry: chrono::NaiveDate) -> ScannedGoods {
    ScannedGoods::barcode(sample::MILK_EA)
        .with_lot(lot)
        .with_expiry(expiry)
}

fn return_line(line_no: i64, scan: ScannedGoods, quantity: i64) -> ReturnLineRequest {
    ReturnLineRequest {
        line_no,
        scan,
        quantity,
    }
}

fn receive_cmd(id: &str, location: &str, lines: Vec<ReturnLineRequest>) -> ReceiveReturn {
    ReceiveReturn {
        op_id: op(),
        operator: "alice".into(),
        return_id: id.into(),
        reference: "SO-4711".into(),
        customer: "Café Lumen".into(),
        location: location.into(),
        lines,
    }
}

/// Five lines, one of each item:
/// 1 towels 1 CS (24), 2 coffee R-1 3, 3 milk L2611A 2, 4 drill SN-9, 5 vitamins V-9 6.
fn five_lines() -> Vec<ReturnLineRequest> {
    vec![
        return_line(1, towel_cases(), 1),
        return_line(2, coffee("R-1"), 3),
        return_line(3, milk_scan(sample::MILK_EA), 2),
        return_line(4, drill("SN-9"), 1),
        return_line(5, vitamins(), 6),
    ]
}

fn received(f: &Fixture, id: &str, lines: Vec<ReturnLineRequest>) -> Return {
    returns::receive_return(&f.store, &receive_cmd(id, "RET-01", lines)).unwrap()
}

fn inspect_cmd(line_no: i64, outcome: InspectionOutcome, reason: &str) -> InspectReturnLine {
    InspectReturnLine {
        op_id: op(),
        operator: "bob".into(),
        return_id: RMA.into(),
        line_no,
        outcome,
        reason_code: reason.into(),
        note: Some(format!("note on line {line_no}")),
    }
}

fn inspect(f: &Fixture, cmd: &InspectReturnLine) -> ReturnLineInspected {
    returns::inspect_return_line(&f.store, cmd).unwrap()
}

fn get(f: &Fixture, id: &str) -> Return {
    f.store.read(|c| returns::get_return(c, id)).unwrap()
}

/// (sku, lot, serial, status, quantity) of every balance at a location.
fn summary(f: &Fixture, location: &str) -> Vec<(String, String, String, StockStatus, i64)> {
    at(f, location)
        .into_iter()
        .map(|b| (b.sku, b.lot, b.serial, b.status, b.quantity))
        .collect()
}

/// (status, quantity) of every balance of `sku` at a location.
fn of_item(f: &Fixture, location: &str, sku: &str) -> Vec<(StockStatus, i64)> {
    at(f, location)
        .into_iter()
        .filter(|b| b.sku == sku)
        .map(|b| (b.status, b.quantity))
        .collect()
}

fn events(f: &Fixture, op_id: Uuid) -> Vec<(String, Value)> {
    f.store
        .read(|c| outbox::events_of_operation(c, op_id))
        .unwrap()
        .into_iter()
        .map(|e| (e.envelope.event_type, e.envelope.payload))
        .collect()
}

/// (sku, location, status, delta) of the ledger rows with `reason`, in order.
fn ledger(f: &Fixture, reason: &str) -> Vec<(String, String, String, i64)> {
    f.store
        .read(|c| {
            let mut stmt = c.prepare(
                "SELECT i.sku, l.code, g.status, g.delta FROM ledger g
                 JOIN items i ON i.id = g.item_id JOIN locations l ON l.id = g.location_id
                 WHERE g.reason = ?1 ORDER BY g.id",
            )?;
            let rows = stmt
                .query_map([reason], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
        .unwrap()
}

fn leg(sku: &str, location: &str, status: &str, delta: i64) -> (String, String, String, i64) {
    (sku.into(), location.into(), status.into(), delta)
}

// ---- receiving a return ----------------------------------------------------------------------

#[test]
fn a_return_lands_at_the_returns_bench_as_return_pending() {
    let f = seeded();
    let cmd = receive_cmd(RMA, "RET-01", five_lines());
    let ret = returns::receive_return(&f.store, &cmd).unwrap();
    assert_eq!(ret.id, RMA);
    assert_eq!(ret.reference, "SO-4711");
    assert_eq!(ret.customer, "Café Lumen");
    assert_eq!(ret.location, "RET-01");
    let lines: Vec<(i64, &str, &str, &str, i64)> = ret
        .lines
        .iter()
        .map(|l| {
            (
                l.line_no,
                l.sku.as_str(),
                l.lot.as_str(),
                l.serial.as_str(),
                l.quantity,
            )
        })
        .collect();
    assert_eq!(
        lines,
        vec![
            (1, sample::TOWELS, "", "", 24),
            (2, sample::COFFEE, "R-1", "", 3),
            (3, sample::MILK, "L2611A", "", 2),
            (4, sample::DRILL, "", "SN-9", 1),
            (5, sample::VITAMINS, "V-9", "", 6),
        ]
    );
    assert!(ret.lines.iter().all(|l| l.outcome.is_none()
        && l.reason_code.is_none()
        && l.minutes_to_available.is_none()));
    assert_eq!(get(&f, RMA), ret);

    let mut bench = summary(&f, "RET-01");
    bench.sort();
    let pending = StockStatus::ReturnPending;
    assert_eq!(
        bench,
        vec![
            (
                sample::COFFEE.into(),
                "R-1".into(),
                String::new(),
                pending,
                3
            ),
            (
                sample::DRILL.into(),
                String::new(),
                "SN-9".into(),
                pending,
                1
            ),
            (
                sample::MILK.into(),
                "L2611A".into(),
                String::new(),
                pending,
                2
            ),
            (
                sample::TOWELS.into(),
                String::new(),
                String::new(),
                pending,
                24
            ),
            (
                sample::VITAMINS.into(),
                "V-9".into(),
                String::new(),
                pending,
                6
            ),
        ]
    );
    assert_eq!(ledger(&f, "customer_return").len(), 5);
    assert!(
        ledger(&f, "customer_return")
            .iter()
            .all(|(_, loc, status, delta)| {
                loc == "RET-01" && status == "return_pending" && *delta > 0
            })
    );

    let evs = events(&f, cmd.op_id);
    assert_eq!(evs.len(), 1, "{evs:?}");
    assert_eq!(evs[0].0, EventKind::ReturnReceived.as_str());
    let payload = &evs[0].1;
    assert_eq!(payload["return_id"], RMA);
    assert_eq!(payload["reference"], "SO-4711");
    assert_eq!(payload["customer"], "Café Lumen");
    assert_eq!(payload["location"], "RET-01");
    assert_eq!(payload["lines"].as_array().unwrap().len(), 5);
    assert_eq!(payload["lines"][0]["quantity"], 24);
    assert_integrity(&f);
}

#[test]
fn a_second_return_with_the_same_rma_is_refused() {
    let f = seeded();
    received(&f, RMA, vec![return_line(1, towels(), 2)]);
    let err = assert_rejected(&f.store, "return_exists", || {
        returns::receive_return(
            &f.store,
            &receive_cmd(RMA, "RET-01", vec![return_line(1, towels(), 5)]),
        )
    });
    assert_message_names(&err, &[RMA]);
    // Blanks around the RMA do not make it another return.
    assert_rejected(&f.store, "return_exists", || {
        returns::receive_return(
            &f.store,
            &receive_cmd(" RMA-1 ", "RET-01", vec![return_line(1, towels(), 5)]),
        )
    });
    assert_eq!(
        of_item(&f, "RET-01", sample::TOWELS),
        vec![(StockStatus::ReturnPending, 2)]
    );
    assert_integrity(&f);
}

#[test]
fn a_return_at_a_location_that_is_not_a_returns_bench_is_refused() {
    let f = seeded();
    let err = assert_rejected(&f.store, "wrong_location_type", || {
        returns::receive_return(
            &f.store,
            &receive_cmd(RMA, "A-01-01", vec![return_line(1, towels(), 2)]),
        )
    });
    assert_message_names(&err, &["A-01-01", "storage", "returns"]);
    let err = assert_rejected(&f.store, "wrong_location_type", || {
        returns::receive_return(
            &f.store,
            &receive_cmd(RMA, "DOCK-01", vec![return_line(1, towels(), 2)]),
        )
    });
    assert_message_names(&err, &["DOCK-01", "dock", "returns"]);
    let err = assert_rejected(&f.store, "unknown_location", || {
        returns::receive_return(
            &f.store,
            &receive_cmd(RMA, "RET-99", vec![return_line(1, towels(), 2)]),
        )
    });
    assert_message_names(&err, &["RET-99"]);
    change_location(&f, "RET-01", |l| {
        l.status = catalog::LocationStatus::Blocked
    });
    let err = assert_rejected(&f.store, "location_blocked", || {
        returns::receive_return(
            &f.store,
            &receive_cmd(RMA, "RET-01", vec![return_line(1, towels(), 2)]),
        )
    });
    assert_message_names(&err, &["RET-01"]);
}

#[test]
fn a_return_without_lines_or_with_bad_lines_is_refused() {
    let f = seeded();
    let err = assert_rejected(&f.store, "invalid_input", || {
        returns::receive_return(&f.store, &receive_cmd(RMA, "RET-01", vec![]))
    });
    assert_message_names(&err, &[RMA]);
    assert_rejected(&f.store, "invalid_input", || {
        returns::receive_return(
            &f.store,
            &receive_cmd(
                RMA,
                "RET-01",
                vec![return_line(1, towels(), 1), return_line(1, towels(), 2)],
            ),
        )
    });
    assert_rejected(&f.store, "invalid_quantity", || {
        returns::receive_return(
            &f.store,
            &receive_cmd(RMA, "RET-01", vec![return_line(1, towels(), 0)]),
        )
    });
    assert_rejected(&f.store, "lot_required", || {
        returns::receive_return(
            &f.store,
            &receive_cmd(
                RMA,
                "RET-01",
                vec![return_line(1, ScannedGoods::barcode(sample::COFFEE_EA), 1)],
            ),
        )
    });
    assert_rejected(&f.store, "invalid_input", || {
        returns::receive_return(
            &f.store,
            &receive_cmd("  ", "RET-01", vec![return_line(1, towels(), 1)]),
        )
    });
}

// ---- inspection outcomes ---------------------------------------------------------------------

#[test]
fn restocked_goods_are_available_at_the_bench_with_a_suggestion_and_the_time_to_available() {
    let f = seeded();
    received(&f, RMA, five_lines());
    f.clock.advance(Duration::minutes(90));
    let cmd = InspectReturnLine {
        note: Some("sealed box".into()),
        ..inspect_cmd(1, InspectionOutcome::Restock, "unopened")
    };
    let done = inspect(&f, &cmd);
    assert_eq!(
        done,
        ReturnLineInspected {
            return_id: RMA.into(),
            line_no: 1,
            sku: sample::TOWELS.into(),
            quantity: 24,
            outcome: InspectionOutcome::Restock,
            status_after: Some(StockStatus::Available),
            putaway: Some(PutawaySuggestion {
                location: "A-01-01".into(),
                zone: "A".into(),
                rule: SuggestionRule::EmptyInZone,
                status_after: StockStatus::Available,
            }),
            minutes_to_available: Some(90),
        }
    );
    assert_eq!(
        of_item(&f, "RET-01", sample::TOWELS),
        vec![(StockStatus::Available, 24)]
    );
    let line = get(&f, RMA).lines.remove(0);
    assert_eq!(line.outcome, Some(InspectionOutcome::Restock));
    assert_eq!(line.reason_code.as_deref(), Some("unopened"));
    assert_eq!(line.minutes_to_available, Some(90));
    assert_eq!(
        ledger(&f, "return_restock"),
        vec![
            leg(sample::TOWELS, "RET-01", "return_pending", -24),
            leg(sample::TOWELS, "RET-01", "available", 24),
        ]
    );
    let evs = events(&f, cmd.op_id);
    assert_eq!(evs.len(), 1, "{evs:?}");
    assert_eq!(evs[0].0, EventKind::ReturnInspected.as_str());
    let payload = &evs[0].1;
    assert_eq!(payload["return_id"], RMA);
    assert_eq!(payload["line_no"], 1);
    assert_eq!(payload["sku"], sample::TOWELS);
    assert_eq!(payload["base_quantity"], 24);
    assert_eq!(payload["location"], "RET-01");
    assert_eq!(payload["outcome"], "restock");
    assert_eq!(payload["status_after"], "available");
    assert_eq!(payload["reason_code"], "unopened");
    assert_eq!(payload["note"], "sealed box");
    assert_eq!(payload["minutes_to_available"], 90);
    // The other lines still wait.
    assert_eq!(
        of_item(&f, "RET-01", sample::COFFEE),
        vec![(StockStatus::ReturnPending, 3)]
    );
    assert_integrity(&f);
}

#[test]
fn the_time_to_available_counts_every_minute_since_the_return_arrived() {
    let f = seeded();
    received(&f, RMA, five_lines());
    f.clock.advance(Duration::hours(26) + Duration::minutes(7));
    let done = inspect(&f, &inspect_cmd(2, InspectionOutcome::Restock, "unopened"));
    assert_eq!(done.minutes_to_available, Some(26 * 60 + 7));
    // Outcomes other than restock never make goods available: no time recorded.
    let held = inspect(
        &f,
        &inspect_cmd(3, InspectionOutcome::Quarantine, "seal broken"),
    );
    assert_eq!(held.minutes_to_available, None);
    assert_eq!(get(&f, RMA).lines[2].minutes_to_available, None);
    assert_integrity(&f);
}

#[test]
fn restocked_goods_are_put_away_from_the_returns_bench() {
    let f = seeded();
    received(&f, RMA, five_lines());
    f.clock.advance(Duration::minutes(30));
    let done = inspect(&f, &inspect_cmd(1, InspectionOutcome::Restock, "unopened"));
    let to = done.putaway.unwrap().location;
    assert_eq!(to, "A-01-01");
    let cmd = ConfirmPutaway {
        from: "RET-01".into(),
        ..move_to(towels(), 24, &to, "41")
    };
    let moved = putaway::confirm_putaway(&f.store, &cmd).unwrap();
    assert_eq!(moved.from, "RET-01");
    assert_eq!(moved.to, "A-01-01");
    assert_eq!(moved.base_quantity, 24);
    assert_eq!(moved.status_before, StockStatus::Available);
    assert_eq!(moved.status_after, StockStatus::Available);
    assert_eq!(moved.suggested.as_deref(), Some("A-01-01"));
    assert_eq!(moved.override_reason, None);
    assert_eq!(of_item(&f, "RET-01", sample::TOWELS), vec![]);
    assert_eq!(
        of_item(&f, "A-01-01", sample::TOWELS),
        vec![(StockStatus::Available, 24)]
    );
    // Goods still waiting for inspection cannot be put away.
    assert_rejected(&f.store, "insufficient_stock", || {
        putaway::confirm_putaway(
            &f.store,
            &ConfirmPutaway {
                from: "RET-01".into(),
                ..move_to(coffee("R-1"), 3, "A-01-02", "42")
            },
        )
    });
    assert_integrity(&f);
}

#[test]
fn restocked_goods_are_suggested_where_the_same_lot_already_is() {
    let f = seeded();
    receiving::receive_line(&f.store, &receive(coffee("R-1"), 6)).unwrap();
    putaway::confirm_putaway(&f.store, &move_to(coffee("R-1"), 6, "A-01-01", "41")).unwrap();
    received(&f, RMA, five_lines());
    let done = inspect(&f, &inspect_cmd(2, InspectionOutcome::Restock, "unopened"));
    let suggestion = done.putaway.unwrap();
    assert_eq!(suggestion.location, "A-01-01");
    assert_eq!(suggestion.rule, SuggestionRule::SameItemAndLot);
    assert_integrity(&f);
}

#[test]
fn quarantined_returns_are_held_and_suggested_a_quarantine_location() {
    let f = seeded();
    received(&f, RMA, five_lines());
    let cmd = inspect_cmd(3, InspectionOutcome::Quarantine, "seal_broken");
    let done = inspect(&f, &cmd);
    assert_eq!(done.outcome, InspectionOutcome::Quarantine);
    assert_eq!(done.status_after, Some(StockStatus::Quarantined));
    assert_eq!(done.quantity, 2);
    let suggestion = done.putaway.unwrap();
    assert_eq!(suggestion.location, "QA-01");
    assert_eq!(suggestion.rule, SuggestionRule::Quarantine);
    assert_eq!(suggestion.status_after, StockStatus::Quarantined);
    assert_eq!(
        of_item(&f, "RET-01", sample::MILK),
        vec![(StockStatus::Quarantined, 2)]
    );
    assert_eq!(
        ledger(&f, "return_quarantine"),
        vec![
            leg(sample::MILK, "RET-01", "return_pending", -2),
            leg(sample::MILK, "RET-01", "quarantined", 2),
        ]
    );
    let evs = events(&f, cmd.op_id);
    assert_eq!(evs[0].0, EventKind::ReturnInspected.as_str());
    assert_eq!(evs[0].1["outcome"], "quarantine");
    assert_eq!(evs[0].1["status_after"], "quarantined");
    assert_eq!(evs[0].1["reason_code"], "seal_broken");
    assert_eq!(evs[0].1["note"], "note on line 3");
    assert_eq!(evs[0].1["minutes_to_available"], Value::Null);
    // The held goods go to quarantine, not to storage.
    let to_storage = ConfirmPutaway {
        from: "RET-01".into(),
        override_reason: Some("try".into()),
        ..move_to(milk_scan(sample::MILK_EA), 2, "C-01-01", "61")
    };
    assert_rejected(&f.store, "quarantine_location_required", || {
        putaway::confirm_putaway(&f.store, &to_storage)
    });
    let to_qa = ConfirmPutaway {
        from: "RET-01".into(),
        ..move_to(milk_scan(sample::MILK_EA), 2, "QA-01", "91")
    };
    let moved = putaway::confirm_putaway(&f.store, &to_qa).unwrap();
    assert_eq!(moved.status_after, StockStatus::Quarantined);
    assert_eq!(
        of_item(&f, "QA-01", sample::MILK),
        vec![(StockStatus::Quarantined, 2)]
    );
    assert_integrity(&f);
}

#[test]
fn damaged_returns_stay_at_the_bench_as_damaged() {
    let f = seeded();
    received(&f, RMA, five_lines());
    let cmd = inspect_cmd(4, InspectionOutcome::Damaged, "cracked_housing");
    let done = inspect(&f, &cmd);
    assert_eq!(done.status_after, Some(StockStatus::Damaged));
    // Suggested to the damaged cage; until moved, it stays at the bench as damaged.
    assert_eq!(done.putaway.map(|p| p.location), Some("DMG-01".to_string()));
    assert_eq!(done.minutes_to_available, None);
    assert_eq!(
        summary(&f, "RET-01")
            .into_iter()
            .filter(|b| b.0 == sample::DRILL)
            .collect::<Vec<_>>(),
        vec![(
            sample::DRILL.into(),
            String::new(),
            "SN-9".into(),
            StockStatus::Damaged,
            1
        )]
    );
    assert_eq!(
        ledger(&f, "return_damaged"),
        vec![
            leg(sample::DRILL, "RET-01", "return_pending", -1),
            leg(sample::DRILL, "RET-01", "damaged", 1),
        ]
    );
    let evs = events(&f, cmd.op_id);
    assert_eq!(evs[0].1["outcome"], "damaged");
    assert_eq!(evs[0].1["serial"], "SN-9");
    assert_eq!(evs[0].1["reason_code"], "cracked_housing");
    assert_integrity(&f);
}

#[test]
fn scrapped_returns_leave_inventory() {
    let f = seeded();
    received(&f, RMA, five_lines());
    let cmd = inspect_cmd(5, InspectionOutcome::Scrap, "tampered");
    let done = inspect(&f, &cmd);
    assert_eq!(done.status_after, None);
    assert_eq!(done.putaway, None);
    assert_eq!(done.quantity, 6);
    assert_eq!(of_item(&f, "RET-01", sample::VITAMINS), vec![]);
    let everywhere = f
        .store
        .read(|c| dockhand_core::stock::balances_for_item(c, sample::VITAMINS))
        .unwrap();
    assert!(everywhere.is_empty(), "{everywhere:?}");
    assert_eq!(
        ledger(&f, "return_scrap"),
        vec![leg(sample::VITAMINS, "RET-01", "return_pending", -6)]
    );
    let evs = events(&f, cmd.op_id);
    assert_eq!(evs[0].0, EventKind::ReturnInspected.as_str());
    assert_eq!(evs[0].1["outcome"], "scrap");
    assert_eq!(evs[0].1["status_after"], Value::Null);
    assert_eq!(evs[0].1["reason_code"], "tampered");
    assert_eq!(evs[0].1["note"], "note on line 5");
    assert_eq!(
        get(&f, RMA).lines[4].outcome,
        Some(InspectionOutcome::Scrap)
    );
    assert_integrity(&f);
}

#[test]
fn returns_to_the_vendor_leave_inventory() {
    let f = seeded();
    received(&f, RMA, five_lines());
    let cmd = InspectReturnLine {
        note: None,
        ..inspect_cmd(2, InspectionOutcome::ReturnToVendor, "supplier_recall")
    };
    let done = inspect(&f, &cmd);
    assert_eq!(done.outcome, InspectionOutcome::ReturnToVendor);
    assert_eq!(done.status_after, None);
    assert_eq!(of_item(&f, "RET-01", sample::COFFEE), vec![]);
    assert_eq!(
        ledger(&f, "return_return_to_vendor"),
        vec![leg(sample::COFFEE, "RET-01", "return_pending", -3)]
    );
    let evs = events(&f, cmd.op_id);
    assert_eq!(evs[0].1["outcome"], "return_to_vendor");
    assert_eq!(evs[0].1["reason_code"], "supplier_recall");
    assert_eq!(evs[0].1["note"], Value::Null);
    assert_integrity(&f);
}

#[test]
fn every_outcome_on_one_return_leaves_the_expected_balances() {
    let f = seeded();
    received(&f, RMA, five_lines());
    f.clock.advance(Duration::minutes(45));
    let outcomes = [
        (1, InspectionOutcome::Restock, "unopened"),
        (2, InspectionOutcome::ReturnToVendor, "recall"),
        (3, InspectionOutcome::Quarantine, "seal_broken"),
        (4, InspectionOutcome::Damaged, "dropped"),
        (5, InspectionOutcome::Scrap, "tampered"),
    ];
    for (line_no, outcome, reason) in outcomes {
        let cmd = inspect_cmd(line_no, outcome, reason);
        inspect(&f, &cmd);
        let evs = events(&f, cmd.op_id);
        assert_eq!(evs.len(), 1);
        assert_eq!(evs[0].1["outcome"], outcome.to_string());
        assert_eq!(evs[0].1["reason_code"], reason);
    }
    let mut bench = summary(&f, "RET-01");
    bench.sort();
    assert_eq!(
        bench,
        vec![
            (
                sample::DRILL.into(),
                String::new(),
                "SN-9".into(),
                StockStatus::Damaged,
                1
            ),
            (
                sample::MILK.into(),
                "L2611A".into(),
                String::new(),
                StockStatus::Quarantined,
                2
            ),
            (
                sample::TOWELS.into(),
                String::new(),
                String::new(),
                StockStatus::Available,
                24
            ),
        ]
    );
    let ret = get(&f, RMA);
    let recorded: Vec<(Option<InspectionOutcome>, Option<i64>)> = ret
        .lines
        .iter()
        .map(|l| (l.outcome, l.minutes_to_available))
        .collect();
    assert_eq!(
        recorded,
        vec![
            (Some(InspectionOutcome::Restock), Some(45)),
            (Some(InspectionOutcome::ReturnToVendor), None),
            (Some(InspectionOutcome::Quarantine), None),
            (Some(InspectionOutcome::Damaged), None),
            (Some(InspectionOutcome::Scrap), None),
        ]
    );
    assert_integrity(&f);
}

// ---- bad inspections -------------------------------------------------------------------------

#[test]
fn inspecting_an_already_inspected_line_is_refused() {
    let f = seeded();
    received(&f, RMA, five_lines());
    inspect(&f, &inspect_cmd(1, InspectionOutcome::Restock, "unopened"));
    let err = assert_rejected(&f.store, "wrong_state", || {
        returns::inspect_return_line(&f.store, &inspect_cmd(1, InspectionOutcome::Scrap, "oops"))
    });
    assert_message_names(&err, &["RMA-1 line 1", "restock"]);
    assert_integrity(&f);
}

#[test]
fn an_unknown_line_or_return_is_refused_naming_it() {
    let f = seeded();
    received(&f, RMA, five_lines());
    let err = assert_rejected(&f.store, "unknown_return_line", || {
        returns::inspect_return_line(&f.store, &inspect_cmd(9, InspectionOutcome::Restock, "x"))
    });
    assert_message_names(&err, &[RMA, "9"]);
    let err = assert_rejected(&f.store, "unknown_return", || {
        returns::inspect_return_line(
            &f.store,
            &InspectReturnLine {
                return_id: "RMA-404".into(),
                ..inspect_cmd(1, InspectionOutcome::Restock, "unopened")
            },
        )
    });
    assert_message_names(&err, &["RMA-404"]);
    let err = f
        .store
        .read(|c| returns::get_return(c, "RMA-404"))
        .unwrap_err();
    assert_eq!(err.code(), "unknown_return");
}

#[test]
fn an_inspection_without_a_reason_code_is_refused() {
    let f = seeded();
    received(&f, RMA, five_lines());
    for reason in ["", "   "] {
        let err = assert_rejected(&f.store, "reason_required", || {
            returns::inspect_return_line(
                &f.store,
                &inspect_cmd(1, InspectionOutcome::Restock, reason),
            )
        });
        assert_message_names(&err, &[RMA, "line 1"]);
    }
}

#[test]
fn an_unknown_inspector_is_refused() {
    let f = seeded();
    received(&f, RMA, five_lines());
    let err = assert_rejected(&f.store, "unknown_operator", || {
        returns::inspect_return_line(
            &f.store,
            &InspectReturnLine {
                operator: "mallory".into(),
                ..inspect_cmd(1, InspectionOutcome::Restock, "unopened")
            },
        )
    });
    assert_message_names(&err, &["mallory"]);
}

#[test]
fn restocking_an_expired_lot_is_refused_but_it_can_be_scrapped() {
    let f = seeded();
    received(
        &f,
        RMA,
        vec![return_line(
            1,
            milk_expiring("L2609X", date(2026, 10, 1)),
            3,
        )],
    );
    let err = assert_rejected(&f.store, "lot_expired", || {
        returns::inspect_return_line(
            &f.store,
            &inspect_cmd(1, InspectionOutcome::Restock, "unopened"),
        )
    });
    assert_message_names(&err, &[sample::MILK, "L2609X", "2026-10-01"]);
    let done = inspect(&f, &inspect_cmd(1, InspectionOutcome::Scrap, "expired"));
    assert_eq!(done.status_after, None);
    assert!(at(&f, "RET-01").is_empty());
    assert_integrity(&f);
}

#[test]
fn a_lot_that_expired_while_it_waited_for_inspection_cannot_be_restocked() {
    let f = seeded();
    received(
        &f,
        RMA,
        vec![return_line(
            1,
            milk_expiring("L2612Q", date(2026, 12, 1)),
            2,
        )],
    );
    f.clock
        .set(chrono::DateTime::parse_from_rfc3339("2026-12-02T09:00:00+01:00").unwrap());
    let err = assert_rejected(&f.store, "lot_expired", || {
        returns::inspect_return_line(
            &f.store,
            &inspect_cmd(1, InspectionOutcome::Restock, "unopened"),
        )
    });
    assert_message_names(&err, &["L2612Q", "2026-12-01"]);
    let held = inspect(
        &f,
        &inspect_cmd(1, InspectionOutcome::Quarantine, "expired"),
    );
    assert_eq!(held.status_after, Some(StockStatus::Quarantined));
    assert_integrity(&f);
}

// ---- replay ----------------------------------------------------------------------------------

#[test]
fn replaying_an_inspection_returns_the_same_result_and_writes_nothing() {
    let f = seeded();
    received(&f, RMA, five_lines());
    f.clock.advance(Duration::minutes(20));
    let cmd = inspect_cmd(1, InspectionOutcome::Restock, "unopened");
    let first = inspect(&f, &cmd);
    let before = dump(&f.store);
    f.clock.advance(Duration::minutes(20));
    let again = inspect(&f, &cmd);
    assert_eq!(first, again);
    assert_eq!(again.minutes_to_available, Some(20));
    assert_eq!(before, dump(&f.store));
    assert_eq!(events(&f, cmd.op_id).len(), 1);
    assert_eq!(ledger(&f, "return_restock").len(), 2);

    // The same operation id for another command is refused.
    let err = assert_rejected(&f.store, "operation_id_reused", || {
        returns::inspect_return_line(
            &f.store,
            &InspectReturnLine {
                line_no: 2,
                ..cmd.clone()
            },
        )
    });
    assert_message_names(&err, &[&cmd.op_id.to_string()]);
    assert_integrity(&f);
}

#[test]
fn replaying_a_return_receipt_returns_the_same_return_and_writes_nothing() {
    let f = seeded();
    let cmd = receive_cmd(RMA, "RET-01", five_lines());
    let first = returns::receive_return(&f.store, &cmd).unwrap();
    let before = dump(&f.store);
    let again = returns::receive_return(&f.store, &cmd).unwrap();
    assert_eq!(first, again);
    assert_eq!(before, dump(&f.store));
    assert_integrity(&f);
}

#[test]
fn damaged_returns_leave_the_bench_for_the_damaged_cage_only() {
    let f = seeded();
    returns::receive_return(
        &f.store,
        &returns::ReceiveReturn {
            op_id: op(),
            operator: "bob".into(),
            return_id: "RMA-D".into(),
            reference: "SO-1".into(),
            customer: "c".into(),
            location: "RET-01".into(),
            lines: vec![returns::ReturnLineRequest {
                line_no: 1,
                scan: towels(),
                quantity: 2,
            }],
        },
    )
    .unwrap();
    let done = returns::inspect_return_line(
        &f.store,
        &returns::InspectReturnLine {
            op_id: op(),
            operator: "bob".into(),
            return_id: "RMA-D".into(),
            line_no: 1,
            outcome: returns::InspectionOutcome::Damaged,
            reason_code: "crushed".into(),
            note: None,
        },
    )
    .unwrap();
    assert_eq!(done.putaway.map(|p| p.location), Some("DMG-01".to_string()));
    let mut to_shelf = move_to(towels(), 2, "A-01-01", "41");
    to_shelf.from = "RET-01".into();
    to_shelf.override_reason = Some("wrong".into());
    let err = assert_rejected(&f.store, "wrong_location_type", || {
        putaway::confirm_putaway(&f.store, &to_shelf)
    });
    assert_message_names(&err, &["A-01-01", "damaged"]);
    let mut to_cage = move_to(towels(), 2, "DMG-01", "83");
    to_cage.from = "RET-01".into();
    let moved = putaway::confirm_putaway(&f.store, &to_cage).unwrap();
    assert_eq!(moved.status_after, dockhand_core::StockStatus::Damaged);
    assert!(f.store.verify_integrity().unwrap().is_ok());
}

// ---- RMAs announced by the ERP ------------------------------------------------------------------

fn rma_page(
    cursor: &str,
    rmas: &[dockhand_core::returns::expected::ExpectedReturn],
) -> dockhand_core::sync::protocol::ChangesPage {
    dockhand_core::sync::protocol::ChangesPage {
        changes: rmas
            .iter()
            .map(|r| dockhand_core::sync::protocol::Change {
                kind: dockhand_core::sync::protocol::ChangeKind::ExpectedReturn,
                op: "upsert".into(),
                key: r.return_id.clone(),
                data: serde_json::to_value(r).unwrap(),
            })
            .collect(),
        next_cursor: cursor.into(),
        has_more: false,
    }
}

#[test]
fn an_announced_rma_takes_only_its_items_and_stays_as_received() {
    use dockhand_core::returns::expected::{self, ExpectedReturn, ExpectedReturnLine};
    let f = seeded();
    let rma = ExpectedReturn {
        return_id: RMA.into(),
        reference: "SO-881".into(),
        customer: "Corner Shop".into(),
        lines: vec![ExpectedReturnLine {
            line_no: 1,
            sku: sample::COFFEE.into(),
            quantity: 3,
            lot: Some("C-7".into()),
            serial: None,
        }],
    };
    dockhand_core::sync::apply_changes(&f.store, &rma_page("c1", std::slice::from_ref(&rma)))
        .unwrap();
    let open = f.store.read(expected::open_expected_returns).unwrap();
    assert_eq!(open, vec![rma.clone()]);

    // Vitamins are not on the RMA: refused with what it does list, nothing written.
    let before = dump(&f.store);
    let err = returns::receive_return(
        &f.store,
        &receive_cmd(
            RMA,
            "RET-01",
            vec![
                return_line(1, coffee("C-7"), 3),
                return_line(2, vitamins(), 1),
            ],
        ),
    )
    .unwrap_err();
    assert_message_names(
        &err,
        &[sample::VITAMINS, RMA, "Corner Shop", sample::COFFEE],
    );
    assert_eq!(dump(&f.store), before);

    returns::receive_return(
        &f.store,
        &receive_cmd(RMA, "RET-01", vec![return_line(1, coffee("C-7"), 3)]),
    )
    .unwrap();
    assert!(
        f.store
            .read(expected::open_expected_returns)
            .unwrap()
            .is_empty()
    );
    // The hub sends the RMA again (changed): the device keeps what it received.
    let mut changed = rma;
    changed.lines[0].quantity = 5;
    let applied =
        dockhand_core::sync::apply_changes(&f.store, &rma_page("c2", &[changed])).unwrap();
    assert_eq!(applied.kept_local, vec![RMA.to_string()]);
    let stored = f
        .store
        .read(|c| expected::expected_return(c, RMA))
        .unwrap()
        .unwrap();
    assert_eq!(stored.lines[0].quantity, 3);
}
