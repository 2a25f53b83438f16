//! KPIs on a small fixed shift, checked against figures computed by hand.
#![allow(clippy::unwrap_used)]

mod common;

use chrono::{DateTime, Duration};
use common::*;
use dockhand_core::counting::{
    self, CountTaskRequest, CountedLine, CreateCountTask, StartCount, SubmitCount,
};
use dockhand_core::picking::{self, ConfirmPick, CreatePickTask, PickLineRequest, PickTaskRequest};
use dockhand_core::putaway;
use dockhand_core::receiving::{self, OpenBlindReceipt};
use dockhand_core::returns::{
    self, InspectReturnLine, InspectionOutcome, ReceiveReturn, ReturnLineRequest,
};
use dockhand_core::{ScannedGoods, kpis, sample};

fn coffee() -> ScannedGoods {
    ScannedGoods::barcode(sample::COFFEE_EA).with_lot("C-1")
}

fn drill(serial: &str) -> ScannedGoods {
    ScannedGoods::barcode(sample::DRILL_EA).with_serial(serial)
}

/// Towels 24 at A-01-01, coffee C-1 12 at A-01-02, drills SN-1 and SN-2 at A-01-03.
fn shelves(f: &Fixture) {
    receiving::open_blind_receipt(
        &f.store,
        &OpenBlindReceipt {
            op_id: op(),
            operator: "alice".into(),
            receipt_id: "B-1".into(),
            reference: "dn".into(),
            supplier: "s".into(),
        },
    )
    .unwrap();
    let goods = [
        (towels(), 24, "A-01-01", "41"),
        (coffee(), 12, "A-01-02", "42"),
        (drill("SN-1"), 1, "A-01-03", "43"),
        (drill("SN-2"), 1, "A-01-03", "43"),
    ];
    for (scan, qty, to, check) in goods {
        let mut cmd = receive(scan.clone(), qty);
        cmd.receipt_id = "B-1".into();
        receiving::receive_line(&f.store, &cmd).unwrap();
        putaway::confirm_putaway(&f.store, &move_to(scan, qty, to, check)).unwrap();
    }
}

fn count(f: &Fixture, task_id: &str, location: &str, lines: Vec<(ScannedGoods, i64)>) {
    counting::create_count_task(
        &f.store,
        &CreateCountTask {
            op_id: op(),
            operator: "sam".into(),
            task: CountTaskRequest {
                task_id: task_id.into(),
                location: Some(location.into()),
                sku: None,
                reason: "kpi".into(),
            },
        },
    )
    .unwrap();
    counting::start_count(
        &f.store,
        &StartCount {
            op_id: op(),
            operator: "alice".into(),
            task_id: task_id.into(),
        },
    )
    .unwrap();
    counting::submit_count(
        &f.store,
        &SubmitCount {
            op_id: op(),
            operator: "alice".into(),
            task_id: task_id.into(),
            lines: lines
                .into_iter()
                .map(|(scan, quantity)| CountedLine {
                    location: Some(location.into()),
                    scan,
                    quantity,
                    counted_at: None,
                })
                .collect(),
        },
    )
    .unwrap();
}

#[test]
fn kpis_of_a_small_shift_match_the_figures_worked_out_by_hand() {
    let f = seeded();
    shelves(&f);

    // Three counts: towels right, coffee one short (within tolerance: adjusted), drills right.
    count(&f, "CC-1", "A-01-01", vec![(towels(), 24)]);
    count(&f, "CC-2", "A-01-02", vec![(coffee(), 11)]);
    count(
        &f,
        "CC-3",
        "A-01-03",
        vec![(drill("SN-1"), 1), (drill("SN-2"), 1)],
    );

    // Two picks, the coffee one short (found 1 of 2).
    let task = picking::create_pick_task(
        &f.store,
        &CreatePickTask {
            op_id: op(),
            operator: "bob".into(),
            task: PickTaskRequest {
                task_id: "T-1".into(),
                order_ref: "ORD-1".into(),
                staging: "STAGE-01".into(),
                ship_by: None,
                lines: vec![
                    PickLineRequest {
                        line_no: 1,
                        sku: sample::TOWELS.into(),
                        quantity: 4,
                        unit: None,
                        lot: None,
                    },
                    PickLineRequest {
                        line_no: 2,
                        sku: sample::COFFEE.into(),
                        quantity: 2,
                        unit: None,
                        lot: None,
                    },
                ],
            },
        },
    )
    .unwrap();
    for pick in &task.allocations {
        let (scan, check) = if pick.sku == sample::TOWELS {
            (towels(), "41")
        } else {
            (coffee(), "42")
        };
        let short = pick.sku == sample::COFFEE;
        picking::confirm_pick(
            &f.store,
            &ConfirmPick {
                op_id: op(),
                operator: "bob".into(),
                task_id: "T-1".into(),
                allocation_id: pick.id,
                location_scan: check.into(),
                scan,
                quantity: if short { 1 } else { pick.quantity },
                tote: None,
                short,
            },
        )
        .unwrap();
    }

    // A return of four milk lines: three restocked after 10, 30 and 50 minutes, one quarantined.
    let milk = || milk_scan(sample::MILK_EA);
    returns::receive_return(
        &f.store,
        &ReceiveReturn {
            op_id: op(),
            operator: "bob".into(),
            return_id: "RMA-1".into(),
            reference: "ORD-0".into(),
            customer: "c".into(),
            location: "RET-01".into(),
            lines: (1..=4)
                .map(|line_no| ReturnLineRequest {
                    line_no,
                    scan: milk(),
                    quantity: 1,
                })
                .collect(),
        },
    )
    .unwrap();
    for (line_no, after, outcome) in [
        (1, 10, InspectionOutcome::Restock),
        (2, 20, InspectionOutcome::Restock),
        (3, 20, InspectionOutcome::Restock),
        (4, 20, InspectionOutcome::Quarantine),
    ] {
        f.clock.advance(Duration::minutes(after));
        returns::inspect_return_line(
            &f.store,
            &InspectReturnLine {
                op_id: op(),
                operator: "bob".into(),
                return_id: "RMA-1".into(),
                line_no,
                outcome,
                reason_code: "ok".into(),
                note: None,
            },
        )
        .unwrap();
    }

    let from = DateTime::parse_from_rfc3339("2026-11-27T00:00:00+01:00").unwrap();
    let k = f
        .store
        .read(|c| kpis::kpis(c, from, from + Duration::days(1)))
        .unwrap();

    // Accuracy: 3 counted lines of the three counts... the drill count is one line (item, lot).
    // Lines: towels@A-01-01 (24 = 24), coffee@A-01-02 (11 vs 12), drills@A-01-03 (2 = 2).
    assert_eq!(k.counted_lines, 3);
    assert_eq!(k.accuracy, Some(2.0 / 3.0));
    let by_location: Vec<(String, i64, i64)> = k
        .accuracy_by_location
        .iter()
        .map(|a| (a.key.clone(), a.counted_lines, a.accurate_lines))
        .collect();
    assert_eq!(
        by_location,
        vec![
            ("A-01-02".into(), 1, 0),
            ("A-01-01".into(), 1, 1),
            ("A-01-03".into(), 1, 1),
        ]
    );
    let by_abc: Vec<(String, f64)> = k
        .accuracy_by_abc
        .iter()
        .map(|a| (a.key.clone(), a.accuracy))
        .collect();
    assert_eq!(
        by_abc,
        vec![("B".into(), 0.0), ("A".into(), 1.0), ("C".into(), 1.0)]
    );

    // Adjustment rate: 1 unit of 24 + 11 + 2 = 37 counted; by value 899 of
    // 24 x 349 + 11 x 899 + 2 x 12900 = 8376 + 9889 + 25800 = 44065 cents.
    assert_eq!((k.adjusted_units, k.counted_units), (1, 37));
    assert_eq!(k.adjustment_rate, Some(1.0 / 37.0));
    assert_eq!(
        (k.adjusted_value_cents, k.counted_value_cents),
        (899, 44_065)
    );

    // Return to available: 10, 30, 50 minutes -> median 30, p90 (nearest rank 3 of 3) 50.
    assert_eq!(k.restocked_lines, 3);
    assert_eq!(k.return_to_available_median_minutes, Some(30.0));
    assert_eq!(k.return_to_available_p90_minutes, Some(50.0));

    // Short picks: 1 of 2.
    assert_eq!((k.short_picks, k.picks), (1, 2));
    assert_eq!(k.short_pick_rate, Some(0.5));

    // The coffee location, with a variance and a short pick, is the riskiest location.
    assert_eq!(k.risk.locations[0].key, "A-01-02");
    assert_eq!(k.risk.locations[0].variance_rate, 1.0);

    // An empty period has no figures rather than zeros.
    let empty = f
        .store
        .read(|c| kpis::kpis(c, from - Duration::days(2), from - Duration::days(1)))
        .unwrap();
    assert_eq!(
        (
            empty.accuracy,
            empty.short_pick_rate,
            empty.return_to_available_median_minutes
        ),
        (None, None, None)
    );
    assert_integrity(&f);
}
