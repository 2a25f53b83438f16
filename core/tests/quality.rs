//! Quality release: a supervisor decides on held stock — back to available, to the damaged cage,
//! back to quarantine, scrapped or returned to the vendor — with badge and PIN and a reason. Every
//! refusal names the values and leaves the database as it was.
#![allow(clippy::unwrap_used)]

mod common;

use chrono::Duration;
use common::*;
use dockhand_core::corrections::{self, VoidMovement};
use dockhand_core::protocol::EventBody;
use dockhand_core::quality::{self, InspectionOutcome, ReleaseStock, StockReleased};
use dockhand_core::returns::{self, InspectReturnLine, ReceiveReturn, ReturnLineRequest};
use dockhand_core::{ScannedGoods, StockStatus, outbox, putaway, receiving, sample, stock};

fn vitamins() -> ScannedGoods {
    ScannedGoods::barcode(sample::VITAMINS_EA)
        .with_lot("V-9")
        .with_expiry(date(2027, 6, 30))
}

/// 12 vitamins held for inspection at receipt, put away to QA-01.
fn vitamins_in_quarantine(f: &Fixture) {
    receiving::receive_line(&f.store, &receive(vitamins(), 12)).unwrap();
    putaway::confirm_putaway(&f.store, &move_to(vitamins(), 12, "QA-01", "91")).unwrap();
}

/// Bob handles `quantity` vitamins at QA-01 as `outcome`, approved by sam.
fn release(quantity: i64, outcome: InspectionOutcome, to: Option<(&str, &str)>) -> ReleaseStock {
    ReleaseStock {
        op_id: op(),
        operator: "bob".into(),
        location: "QA-01".into(),
        location_scan: "91".into(),
        scan: vitamins(),
        lpn: None,
        quantity,
        outcome,
        to: to.map(|t| t.0.to_string()),
        to_scan: to.map(|t| t.1.to_string()),
        reason_code: "passed_inspection".into(),
        note: None,
        approval: sample::badge_of("sam"),
        held: None,
    }
}

fn of_item(f: &Fixture, location: &str) -> Vec<(StockStatus, i64)> {
    at(f, location)
        .into_iter()
        .filter(|b| b.sku == sample::VITAMINS)
        .map(|b| (b.status, b.quantity))
        .collect()
}

fn released_event(
    f: &Fixture,
    done: &StockReleased,
) -> dockhand_core::protocol::events::StockReleased {
    match f
        .store
        .read(|c| outbox::event_by_id(c, done.event_id))
        .unwrap()
        .body()
        .unwrap()
    {
        EventBody::StockReleased(r) => r,
        other => panic!("expected a release, got {:?}", other.kind()),
    }
}

#[test]
fn a_supervisor_releases_quarantined_goods_into_storage_where_they_can_be_promised() {
    let f = seeded();
    vitamins_in_quarantine(&f);
    let atp = |f: &Fixture| {
        f.store
            .read(|c| stock::available_to_promise(c, sample::VITAMINS))
            .unwrap()
            .promisable
    };
    assert_eq!(atp(&f), 0);
    let done = quality::release_stock(
        &f.store,
        &release(5, InspectionOutcome::Restock, Some(("A-01-03", "43"))),
    )
    .unwrap();
    assert_eq!(
        (
            done.status_before,
            done.status_after,
            done.approved_by.as_str()
        ),
        (
            StockStatus::Quarantined,
            Some(StockStatus::Available),
            "sam"
        )
    );
    assert_eq!(of_item(&f, "QA-01"), [(StockStatus::Quarantined, 7)]);
    assert_eq!(of_item(&f, "A-01-03"), [(StockStatus::Available, 5)]);
    assert_eq!(atp(&f), 5);
    let event = released_event(&f, &done);
    assert_eq!(event.outcome, InspectionOutcome::Restock);
    assert_eq!(event.to.as_deref(), Some("A-01-03"));
    assert_eq!(event.reason_code, "passed_inspection");
    assert_eq!(event.movements.len(), 2);
    assert_integrity(&f);
}

#[test]
fn scrapped_and_returned_goods_leave_inventory_and_a_void_brings_them_back() {
    let f = seeded();
    vitamins_in_quarantine(&f);
    let before = total_on_hand(&f);
    let scrapped =
        quality::release_stock(&f.store, &release(2, InspectionOutcome::Scrap, None)).unwrap();
    assert_eq!(scrapped.status_after, None);
    let mut rtv = release(3, InspectionOutcome::ReturnToVendor, None);
    rtv.reason_code = "supplier_recall".into();
    let returned = quality::release_stock(&f.store, &rtv).unwrap();
    assert_eq!(total_on_hand(&f), before - 5);
    assert_eq!(of_item(&f, "QA-01"), [(StockStatus::Quarantined, 7)]);
    let event = released_event(&f, &returned);
    assert_eq!(event.outcome, InspectionOutcome::ReturnToVendor);
    assert_eq!((event.to, event.status_after), (None, None));
    assert_eq!(event.movements.len(), 1);
    assert_eq!(event.movements[0].delta, -3);

    corrections::void_movement(
        &f.store,
        &VoidMovement {
            op_id: op(),
            operator: "alice".into(),
            event_id: returned.event_id,
            reason: "the supplier did not take them".into(),
            approval: sample::badge_of("sam"),
        },
    )
    .unwrap();
    assert_eq!(of_item(&f, "QA-01"), [(StockStatus::Quarantined, 10)]);
    assert_integrity(&f);
}

#[test]
fn damaged_goods_go_back_to_quarantine_for_a_closer_look() {
    let f = seeded();
    let towels_return = ReceiveReturn {
        op_id: op(),
        operator: "alice".into(),
        return_id: "RMA-1".into(),
        reference: "SO-1".into(),
        customer: "Hotel Nord".into(),
        location: "RET-01".into(),
        lines: vec![ReturnLineRequest {
            line_no: 1,
            scan: towels(),
            quantity: 4,
        }],
    };
    returns::receive_return(&f.store, &towels_return).unwrap();
    returns::inspect_return_line(
        &f.store,
        &InspectReturnLine {
            op_id: op(),
            operator: "alice".into(),
            return_id: "RMA-1".into(),
            line_no: 1,
            outcome: InspectionOutcome::Damaged,
            reason_code: "crushed".into(),
            note: None,
        },
    )
    .unwrap();
    let mut put = move_to(towels(), 4, "DMG-01", "83");
    put.from = "RET-01".into();
    putaway::confirm_putaway(&f.store, &put).unwrap();

    let mut again = release(4, InspectionOutcome::Damaged, Some(("DMG-01", "83")));
    again.location = "DMG-01".into();
    again.location_scan = "83".into();
    again.scan = towels();
    let err = assert_rejected(&f.store, "invalid_input", || {
        quality::release_stock(&f.store, &again)
    });
    assert_message_names(&err, &["damaged already"]);

    let mut closer_look = again.clone();
    closer_look.op_id = op();
    closer_look.outcome = InspectionOutcome::Quarantine;
    closer_look.to = Some("QA-01".into());
    closer_look.to_scan = Some("91".into());
    let done = quality::release_stock(&f.store, &closer_look).unwrap();
    assert_eq!(done.status_after, Some(StockStatus::Quarantined));
    assert!(at(&f, "DMG-01").is_empty());
}

#[test]
fn a_release_is_refused_without_a_supervisor_a_reason_or_a_fitting_destination() {
    let f = seeded();
    vitamins_in_quarantine(&f);
    towels_at_a0101(&f);

    let mut by_bob = release(1, InspectionOutcome::Restock, Some(("A-01-03", "43")));
    by_bob.approval = sample::badge_of("bob");
    let err = assert_rejected(&f.store, "not_a_supervisor", || {
        quality::release_stock(&f.store, &by_bob)
    });
    assert_message_names(&err, &["bob"]);

    let mut no_reason = release(1, InspectionOutcome::Restock, Some(("A-01-03", "43")));
    no_reason.reason_code = "  ".into();
    assert_rejected(&f.store, "reason_required", || {
        quality::release_stock(&f.store, &no_reason)
    });

    // Released goods never go back into quarantine as available, nor without a destination.
    let err = assert_rejected(&f.store, "wrong_location_type", || {
        quality::release_stock(
            &f.store,
            &release(1, InspectionOutcome::Restock, Some(("DMG-01", "83"))),
        )
    });
    assert_message_names(&err, &["DMG-01", "storage or pick face"]);
    let err = assert_rejected(&f.store, "invalid_input", || {
        quality::release_stock(&f.store, &release(1, InspectionOutcome::Restock, None))
    });
    assert_message_names(&err, &["scan the destination"]);
    let err = assert_rejected(&f.store, "invalid_input", || {
        quality::release_stock(
            &f.store,
            &release(1, InspectionOutcome::Scrap, Some(("A-01-03", "43"))),
        )
    });
    assert_message_names(&err, &["leave inventory"]);
    assert_rejected(&f.store, "wrong_check_string", || {
        quality::release_stock(
            &f.store,
            &release(1, InspectionOutcome::Restock, Some(("A-01-03", "44"))),
        )
    });
    let err = assert_rejected(&f.store, "insufficient_stock", || {
        quality::release_stock(&f.store, &release(13, InspectionOutcome::Scrap, None))
    });
    assert_message_names(&err, &["12", "13"]);

    // Stock that is not held: nothing to release.
    let mut not_held = release(1, InspectionOutcome::Scrap, None);
    not_held.location = "A-01-01".into();
    not_held.location_scan = "41".into();
    not_held.scan = towels();
    let err = assert_rejected(&f.store, "not_held", || {
        quality::release_stock(&f.store, &not_held)
    });
    assert_message_names(&err, &[sample::TOWELS, "A-01-01"]);

    // An expired lot is never made available.
    f.clock.advance(Duration::days(800));
    let err = assert_rejected(&f.store, "lot_expired", || {
        quality::release_stock(
            &f.store,
            &release(1, InspectionOutcome::Restock, Some(("A-01-03", "43"))),
        )
    });
    assert_message_names(&err, &["V-9", "2027-06-30"]);
    // …but it can be scrapped.
    quality::release_stock(&f.store, &release(12, InspectionOutcome::Scrap, None)).unwrap();
}

#[test]
fn on_a_bench_holding_both_kinds_the_decision_or_the_command_says_which_goods() {
    let f = seeded();
    for (rma, outcome) in [
        ("RMA-Q", InspectionOutcome::Quarantine),
        ("RMA-D", InspectionOutcome::Damaged),
    ] {
        returns::receive_return(
            &f.store,
            &ReceiveReturn {
                op_id: op(),
                operator: "alice".into(),
                return_id: rma.into(),
                reference: "SO-1".into(),
                customer: "Hotel Nord".into(),
                location: "RET-01".into(),
                lines: vec![ReturnLineRequest {
                    line_no: 1,
                    scan: towels(),
                    quantity: if rma == "RMA-Q" { 4 } else { 2 },
                }],
            },
        )
        .unwrap();
        returns::inspect_return_line(
            &f.store,
            &InspectReturnLine {
                op_id: op(),
                operator: "alice".into(),
                return_id: rma.into(),
                line_no: 1,
                outcome,
                reason_code: "seen".into(),
                note: None,
            },
        )
        .unwrap();
    }
    let at_bench = |quantity, outcome, to: Option<(&str, &str)>| {
        let mut cmd = release(quantity, outcome, to);
        cmd.location = "RET-01".into();
        cmd.location_scan = "82".into();
        cmd.scan = towels();
        cmd
    };
    // Scrap of what? Both kinds are there: the sentence asks, nothing is written.
    let err = assert_rejected(&f.store, "invalid_input", || {
        quality::release_stock(&f.store, &at_bench(2, InspectionOutcome::Scrap, None))
    });
    assert_message_names(&err, &["RET-01", "quarantined (4)", "damaged (2)"]);
    // Damaged goods to quarantine: the decision tells which.
    let closer = quality::release_stock(
        &f.store,
        &at_bench(2, InspectionOutcome::Quarantine, Some(("QA-01", "91"))),
    )
    .unwrap();
    assert_eq!(closer.status_before, StockStatus::Damaged);
    // The command tells: scrap the quarantined ones.
    let mut scrap = at_bench(4, InspectionOutcome::Scrap, None);
    scrap.held = Some(StockStatus::Quarantined);
    let scrapped = quality::release_stock(&f.store, &scrap).unwrap();
    assert_eq!(scrapped.status_before, StockStatus::Quarantined);
    assert!(at(&f, "RET-01").is_empty());
}

#[test]
fn held_goods_on_a_pallet_are_released_by_its_label() {
    let f = seeded();
    let mut cmd = receive(vitamins(), 12);
    cmd.lpn = Some(format!("(00){}", sample::MILK_PALLET));
    receiving::receive_line(&f.store, &cmd).unwrap();
    let mut put = move_to(vitamins(), 12, "QA-01", "91");
    put.lpn = Some(sample::MILK_PALLET.into());
    putaway::confirm_putaway(&f.store, &put).unwrap();
    assert_eq!(at(&f, "QA-01")[0].lpn, sample::MILK_PALLET);

    let err = assert_rejected(&f.store, "on_pallet", || {
        quality::release_stock(&f.store, &release(12, InspectionOutcome::Scrap, None))
    });
    assert_message_names(&err, &[sample::MILK_PALLET]);
    let mut by_label = release(12, InspectionOutcome::Scrap, None);
    by_label.lpn = Some(format!("]C100{}", sample::MILK_PALLET));
    quality::release_stock(&f.store, &by_label).unwrap();
    assert!(at(&f, "QA-01").is_empty());
}
