//! Bad input of every kind: each is refused with its stable code and a sentence naming the values
//! involved, and leaves every table exactly as it was.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use dockhand_core::catalog::LocationStatus;
use dockhand_core::putaway;
use dockhand_core::receiving::{self, ExpectedLine, ExpectedReceipt};
use dockhand_core::{ErrorKind, ScannedGoods, sample};
use uuid::Uuid;

// ---- local helpers ---------------------------------------------------------------------------

/// Seeded warehouse with one case of towels (24) received at DOCK-01.
fn towels_on_the_dock() -> Fixture {
    let f = seeded();
    receiving::receive_line(&f.store, &receive(towel_cases(), 1)).unwrap();
    f
}

fn milk_expiring(lot: &str, expiry: chrono::NaiveDate) -> ScannedGoods {
    ScannedGoods::barcode(sample::MILK_EA)
        .with_lot(lot)
        .with_expiry(expiry)
}

// ---- not found -------------------------------------------------------------------------------

#[test]
fn an_unknown_barcode_is_refused_naming_the_code() {
    let f = seeded();
    let err = assert_rejected(&f.store, "unknown_barcode", || {
        receiving::receive_line(
            &f.store,
            &receive(ScannedGoods::barcode("4099999999994"), 1),
        )
    });
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_message_names(&err, &["4099999999994"]);
}

#[test]
fn a_ten_thousand_character_scan_or_code_is_quoted_by_its_first_characters() {
    let f = seeded();
    let long = format!("4099{}", "7".repeat(10_000));
    let err = assert_rejected(&f.store, "unknown_barcode", || {
        receiving::receive_line(&f.store, &receive(ScannedGoods::barcode(long.clone()), 1))
    });
    let text = err.to_string();
    assert!(text.len() < 120 && text.contains("40997777"), "{text}");
    let mut cmd = receive(towels(), 1);
    cmd.dock = format!("DOCK-{}", "9".repeat(10_000));
    let err = assert_rejected(&f.store, "unknown_location", || {
        receiving::receive_line(&f.store, &cmd)
    });
    assert!(err.to_string().len() < 120, "{err}");
    let mut cmd = receive(towels(), 1);
    cmd.receipt_id = "R".repeat(10_000);
    let err = assert_rejected(&f.store, "unknown_receipt", || {
        receiving::receive_line(&f.store, &cmd)
    });
    assert!(err.to_string().len() < 120, "{err}");
}

#[test]
fn a_control_character_in_any_typed_field_is_refused_naming_the_field() {
    let f = towels_on_the_dock();
    let mut cmd = move_to(towels(), 24, "A-01-02", "42");
    cmd.override_reason = Some("slot\u{0}plan".into());
    let err = assert_rejected(&f.store, "invalid_input", || {
        putaway::confirm_putaway(&f.store, &cmd)
    });
    assert_message_names(&err, &["override reason", "U+0000", "position 5"]);
    let mut blind = receiving::OpenBlindReceipt {
        op_id: op(),
        operator: "alice".into(),
        receipt_id: "BLIND-9".into(),
        reference: "PO\u{1b}[31m".into(),
        supplier: "Acme".into(),
    };
    let err = assert_rejected(&f.store, "invalid_input", || {
        receiving::open_blind_receipt(&f.store, &blind)
    });
    assert_message_names(&err, &["reference", "U+001B"]);
    // The GS1 separator a scanner sends inside a raw label is not refused.
    blind.reference = "PO\u{1d}1".into();
    receiving::open_blind_receipt(&f.store, &blind).unwrap();
}

#[test]
fn an_unknown_operator_is_refused_naming_the_operator() {
    let f = seeded();
    let mut cmd = receive(towels(), 1);
    cmd.operator = "mallory".into();
    let err = assert_rejected(&f.store, "unknown_operator", || {
        receiving::receive_line(&f.store, &cmd)
    });
    assert_message_names(&err, &["mallory"]);
}

#[test]
fn an_unknown_operator_cannot_put_away_either() {
    let f = towels_on_the_dock();
    let mut cmd = move_to(towels(), 24, "A-01-01", "41");
    cmd.operator = "mallory".into();
    let err = assert_rejected(&f.store, "unknown_operator", || {
        putaway::confirm_putaway(&f.store, &cmd)
    });
    assert_message_names(&err, &["mallory"]);
}

#[test]
fn an_unknown_receipt_is_refused_naming_the_receipt() {
    let f = seeded();
    let mut cmd = receive(towels(), 1);
    cmd.receipt_id = "ASN-9999".into();
    let err = assert_rejected(&f.store, "unknown_receipt", || {
        receiving::receive_line(&f.store, &cmd)
    });
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_message_names(&err, &["ASN-9999"]);
}

#[test]
fn an_unknown_dock_is_refused_naming_the_location() {
    let f = seeded();
    let mut cmd = receive(towels(), 1);
    cmd.dock = "DOCK-99".into();
    let err = assert_rejected(&f.store, "unknown_location", || {
        receiving::receive_line(&f.store, &cmd)
    });
    assert_message_names(&err, &["DOCK-99"]);
}

#[test]
fn an_unknown_putaway_destination_is_refused_naming_the_location() {
    let f = towels_on_the_dock();
    let err = assert_rejected(&f.store, "unknown_location", || {
        putaway::confirm_putaway(&f.store, &move_to(towels(), 24, "Z-99-99", "41"))
    });
    assert_message_names(&err, &["Z-99-99"]);
}

// ---- locations -------------------------------------------------------------------------------

#[test]
fn receiving_onto_a_storage_location_is_refused() {
    let f = seeded();
    let mut cmd = receive(towels(), 1);
    cmd.dock = "A-01-01".into();
    let err = assert_rejected(&f.store, "wrong_location_type", || {
        receiving::receive_line(&f.store, &cmd)
    });
    assert_message_names(&err, &["A-01-01", "storage", "dock", "receiving"]);
}

#[test]
fn receiving_at_a_blocked_dock_is_refused() {
    let f = seeded();
    change_location(&f, "DOCK-02", |l| l.status = LocationStatus::Blocked);
    let mut cmd = receive(towels(), 1);
    cmd.dock = "DOCK-02".into();
    let err = assert_rejected(&f.store, "location_blocked", || {
        receiving::receive_line(&f.store, &cmd)
    });
    assert_message_names(&err, &["DOCK-02", "blocked"]);
}

#[test]
fn putting_away_from_a_location_that_is_not_a_dock_is_refused() {
    let f = towels_on_the_dock();
    let mut cmd = move_to(towels(), 24, "A-01-01", "41");
    cmd.from = "A-01-02".into();
    let err = assert_rejected(&f.store, "wrong_location_type", || {
        putaway::confirm_putaway(&f.store, &cmd)
    });
    assert_message_names(&err, &["A-01-02", "storage", "dock"]);
}

#[test]
fn the_wrong_check_string_at_the_destination_is_refused() {
    let f = towels_on_the_dock();
    let err = assert_rejected(&f.store, "wrong_check_string", || {
        putaway::confirm_putaway(&f.store, &move_to(towels(), 24, "A-01-01", "42"))
    });
    assert_message_names(&err, &["A-01-01", "42"]);
}

#[test]
fn a_putaway_without_a_scan_at_the_destination_is_refused_and_a_long_scan_is_quoted_short() {
    let f = towels_on_the_dock();
    let err = assert_rejected(&f.store, "location_not_scanned", || {
        putaway::confirm_putaway(&f.store, &move_to(towels(), 24, "A-01-01", "  "))
    });
    assert_message_names(&err, &["A-01-01", "scan the label"]);
    let long = "9".repeat(10_000);
    let err = assert_rejected(&f.store, "wrong_check_string", || {
        putaway::confirm_putaway(&f.store, &move_to(towels(), 24, "A-01-01", &long))
    });
    assert!(err.to_string().len() < 200, "{err}");
}

#[test]
fn putaway_to_a_blocked_location_is_refused() {
    let f = towels_on_the_dock();
    let mut cmd = move_to(towels(), 24, "A-01-05", "55");
    cmd.override_reason = Some("it looked empty".into());
    let err = assert_rejected(&f.store, "location_blocked", || {
        putaway::confirm_putaway(&f.store, &cmd)
    });
    assert_message_names(&err, &["A-01-05"]);
}

#[test]
fn putaway_to_another_location_without_a_reason_is_refused() {
    let f = towels_on_the_dock();
    let err = assert_rejected(&f.store, "override_reason_required", || {
        putaway::confirm_putaway(&f.store, &move_to(towels(), 24, "A-01-02", "42"))
    });
    assert_message_names(&err, &["A-01-01", "A-01-02"]);
}

#[test]
fn quarantined_goods_to_a_storage_location_are_refused() {
    let f = seeded();
    let vitamins = ScannedGoods::barcode(sample::VITAMINS_EA)
        .with_lot("V-9")
        .with_expiry(date(2027, 6, 30));
    receiving::receive_line(&f.store, &receive(vitamins.clone(), 12)).unwrap();
    let mut cmd = move_to(vitamins, 12, "A-01-01", "41");
    cmd.override_reason = Some("QA is full".into());
    let err = assert_rejected(&f.store, "quarantine_location_required", || {
        putaway::confirm_putaway(&f.store, &cmd)
    });
    assert_message_names(&err, &[sample::VITAMINS, "V-9", "A-01-01"]);
}

#[test]
fn received_goods_to_a_staging_location_are_refused() {
    let f = towels_on_the_dock();
    let mut cmd = move_to(towels(), 24, "STAGE-01", "81");
    cmd.override_reason = Some("shortcut".into());
    let err = assert_rejected(&f.store, "wrong_location_type", || {
        putaway::confirm_putaway(&f.store, &cmd)
    });
    assert_message_names(&err, &["STAGE-01", "staging"]);
}

// ---- quantities ------------------------------------------------------------------------------

#[test]
fn receiving_zero_is_refused() {
    let f = seeded();
    let err = assert_rejected(&f.store, "invalid_quantity", || {
        receiving::receive_line(&f.store, &receive(towels(), 0))
    });
    assert_eq!(err.kind(), ErrorKind::Validation);
    assert_message_names(&err, &["got 0"]);
}

#[test]
fn receiving_a_negative_quantity_is_refused() {
    let f = seeded();
    let err = assert_rejected(&f.store, "invalid_quantity", || {
        receiving::receive_line(&f.store, &receive(towel_cases(), -3))
    });
    assert_message_names(&err, &["-3"]);
}

#[test]
fn putting_away_zero_or_a_negative_quantity_is_refused() {
    let f = towels_on_the_dock();
    for quantity in [0, -24] {
        let err = assert_rejected(&f.store, "invalid_quantity", || {
            putaway::confirm_putaway(&f.store, &move_to(towels(), quantity, "A-01-01", "41"))
        });
        assert_message_names(&err, &[&quantity.to_string()]);
    }
}

#[test]
fn an_absurdly_large_quantity_is_refused() {
    let f = seeded();
    let err = assert_rejected(&f.store, "quantity_too_large", || {
        receiving::receive_line(&f.store, &receive(towel_cases(), 1_000_000_000_000_000_000))
    });
    assert_message_names(&err, &[sample::TOWELS, "1000000000000000000", "CS"]);
}

#[test]
fn an_over_receipt_without_a_supervisor_is_refused() {
    let f = seeded();
    receiving::receive_line(&f.store, &receive(milk_scan(sample::MILK_CS), 4)).unwrap();
    let err = assert_rejected(&f.store, "over_receipt", || {
        receiving::receive_line(&f.store, &receive(milk_scan(sample::MILK_EA), 3))
    });
    assert_eq!(err.kind(), ErrorKind::NeedsSupervisor);
    assert_message_names(&err, &[sample::MILK, sample::ASN, "51", "48", "50", "5%"]);
}

#[test]
fn an_over_receipt_approved_by_an_operator_is_refused() {
    let f = seeded();
    receiving::receive_line(&f.store, &receive(milk_scan(sample::MILK_CS), 4)).unwrap();
    let mut cmd = receive(milk_scan(sample::MILK_CS), 1);
    cmd.approval = Some(sample::badge_of("bob"));
    let err = assert_rejected(&f.store, "not_a_supervisor", || {
        receiving::receive_line(&f.store, &cmd)
    });
    assert_message_names(&err, &["bob"]);
}

#[test]
fn putting_away_more_than_is_on_the_dock_is_refused() {
    let f = towels_on_the_dock();
    let err = assert_rejected(&f.store, "insufficient_stock", || {
        putaway::confirm_putaway(&f.store, &move_to(towel_cases(), 2, "A-01-01", "41"))
    });
    assert_message_names(&err, &[sample::TOWELS, "DOCK-01", "24", "48", "received"]);
}

#[test]
fn putting_away_goods_that_are_not_on_the_dock_is_refused() {
    let f = towels_on_the_dock();
    let coffee = ScannedGoods::barcode(sample::COFFEE_EA).with_lot("C-01");
    let err = assert_rejected(&f.store, "insufficient_stock", || {
        putaway::confirm_putaway(&f.store, &move_to(coffee, 1, "A-01-01", "41"))
    });
    assert_message_names(&err, &[sample::COFFEE, "C-01", "DOCK-01", "only 0"]);
}

// ---- lots, expiry, serials -------------------------------------------------------------------

#[test]
fn an_expired_lot_is_refused_naming_lot_and_date() {
    let f = seeded();
    let err = assert_rejected(&f.store, "lot_expired", || {
        receiving::receive_line(
            &f.store,
            &receive(milk_expiring("L2610X", date(2026, 11, 26)), 1),
        )
    });
    assert_message_names(&err, &[sample::MILK, "L2610X", "2026-11-26"]);
}

#[test]
fn an_expired_lot_is_refused_even_with_a_supervisor() {
    let f = seeded();
    let mut cmd = receive(milk_expiring("L2610X", date(2026, 11, 1)), 1);
    cmd.approval = Some(sample::badge_of("sam"));
    let err = assert_rejected(&f.store, "lot_expired", || {
        receiving::receive_line(&f.store, &cmd)
    });
    assert_message_names(&err, &["L2610X", "2026-11-01"]);
}

#[test]
fn a_short_dated_lot_is_refused_without_a_supervisor() {
    let f = seeded();
    let err = assert_rejected(&f.store, "short_dated", || {
        receiving::receive_line(
            &f.store,
            &receive(milk_expiring("L2611S", date(2026, 12, 10)), 1),
        )
    });
    assert_eq!(err.kind(), ErrorKind::NeedsSupervisor);
    assert_message_names(&err, &["L2611S", "2026-12-10", "13", "30"]);
}

#[test]
fn a_lot_tracked_item_without_a_lot_is_refused() {
    let f = seeded();
    for scan in [
        ScannedGoods::barcode(sample::COFFEE_EA),
        ScannedGoods::barcode(sample::COFFEE_EA).with_lot("   "),
    ] {
        let err = assert_rejected(&f.store, "lot_required", || {
            receiving::receive_line(&f.store, &receive(scan, 1))
        });
        assert_message_names(&err, &[sample::COFFEE]);
    }
}

#[test]
fn an_expiry_tracked_item_without_an_expiry_is_refused() {
    let f = seeded();
    let scan = ScannedGoods::barcode(sample::MILK_EA).with_lot("L2611A");
    let err = assert_rejected(&f.store, "expiry_required", || {
        receiving::receive_line(&f.store, &receive(scan, 1))
    });
    assert_message_names(&err, &[sample::MILK, "L2611A"]);
}

#[test]
fn the_same_lot_scanned_with_another_expiry_is_refused() {
    let f = seeded();
    receiving::receive_line(&f.store, &receive(milk_scan(sample::MILK_EA), 6)).unwrap();
    let err = assert_rejected(&f.store, "lot_expiry_mismatch", || {
        receiving::receive_line(
            &f.store,
            &receive(milk_expiring("L2611A", date(2027, 4, 1)), 6),
        )
    });
    assert_message_names(&err, &[sample::MILK, "L2611A", "2027-03-01", "2027-04-01"]);
}

#[test]
fn another_expiry_for_a_known_lot_on_a_blind_receipt_leaves_no_half_made_line() {
    let f = seeded();
    receiving::receive_line(&f.store, &receive(milk_scan(sample::MILK_EA), 6)).unwrap();
    receiving::open_blind_receipt(
        &f.store,
        &receiving::OpenBlindReceipt {
            op_id: op(),
            operator: "alice".into(),
            receipt_id: "DN-1".into(),
            reference: "DN-1".into(),
            supplier: "Nordic Foods".into(),
        },
    )
    .unwrap();
    // The blind receipt has no milk line yet: receiving makes one before it meets the lot.
    let mut cmd = receive(milk_expiring("L2611A", date(2027, 4, 1)), 6);
    cmd.receipt_id = "DN-1".into();
    let err = assert_rejected(&f.store, "lot_expiry_mismatch", || {
        receiving::receive_line(&f.store, &cmd)
    });
    assert_message_names(&err, &["L2611A", "2027-03-01", "2027-04-01"]);
    let lines = f
        .store
        .read(|c| receiving::receipt(c, "DN-1"))
        .unwrap()
        .lines;
    assert!(lines.is_empty(), "{lines:?}");
}

#[test]
fn a_serial_tracked_item_without_a_serial_is_refused() {
    let f = seeded();
    let err = assert_rejected(&f.store, "serial_required", || {
        receiving::receive_line(
            &f.store,
            &receive(ScannedGoods::barcode(sample::DRILL_EA), 1),
        )
    });
    assert_message_names(&err, &[sample::DRILL]);
}

// ---- receipts --------------------------------------------------------------------------------

#[test]
fn an_item_not_on_the_expected_receipt_is_refused() {
    let f = seeded();
    receiving::load_expected_receipts(
        &f.store,
        &[ExpectedReceipt {
            receipt_id: "ASN-2001".into(),
            reference: "PO-2001".into(),
            supplier: "Acme Paper".into(),
            lines: vec![ExpectedLine {
                line_no: 1,
                sku: sample::TOWELS.into(),
                quantity: 4,
                unit: Some("CS".into()),
                lot: None,
                sscc: None,
            }],
        }],
    )
    .unwrap();
    let mut cmd = receive(ScannedGoods::barcode(sample::COFFEE_EA).with_lot("C-01"), 6);
    cmd.receipt_id = "ASN-2001".into();
    let err = assert_rejected(&f.store, "item_not_on_receipt", || {
        receiving::receive_line(&f.store, &cmd)
    });
    assert_message_names(&err, &[sample::COFFEE, "ASN-2001"]);
}

#[test]
fn receiving_on_a_closed_receipt_is_refused() {
    let f = seeded();
    receiving::close_receipt(
        &f.store,
        &receiving::CloseReceipt {
            op_id: op(),
            operator: "alice".into(),
            receipt_id: sample::ASN.into(),
        },
    )
    .unwrap();
    let err = assert_rejected(&f.store, "receipt_closed", || {
        receiving::receive_line(&f.store, &receive(towels(), 1))
    });
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert_message_names(&err, &[sample::ASN]);
}

#[test]
fn closing_a_closed_receipt_again_is_refused() {
    let f = seeded();
    let close = || receiving::CloseReceipt {
        op_id: op(),
        operator: "alice".into(),
        receipt_id: sample::ASN.into(),
    };
    receiving::close_receipt(&f.store, &close()).unwrap();
    let err = assert_rejected(&f.store, "receipt_closed", || {
        receiving::close_receipt(&f.store, &close())
    });
    assert_message_names(&err, &[sample::ASN]);
}

#[test]
fn opening_a_blind_receipt_with_an_existing_id_is_refused() {
    let f = seeded();
    let err = assert_rejected(&f.store, "receipt_exists", || {
        receiving::open_blind_receipt(
            &f.store,
            &receiving::OpenBlindReceipt {
                op_id: op(),
                operator: "alice".into(),
                receipt_id: sample::ASN.into(),
                reference: "note".into(),
                supplier: "someone".into(),
            },
        )
    });
    assert_message_names(&err, &[sample::ASN]);
}

// ---- operation ids ---------------------------------------------------------------------------

#[test]
fn an_operation_id_reused_for_another_command_is_refused() {
    let f = towels_on_the_dock();
    let first = receive(towel_cases(), 1);
    receiving::receive_line(&f.store, &first).unwrap();

    let mut putaway_cmd = move_to(towels(), 24, "A-01-01", "41");
    putaway_cmd.op_id = first.op_id;
    let err = assert_rejected(&f.store, "operation_id_reused", || {
        putaway::confirm_putaway(&f.store, &putaway_cmd)
    });
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert_message_names(&err, &[&first.op_id.to_string(), "receiving.receive_line"]);
}

#[test]
fn an_operation_id_reused_for_a_different_quantity_is_refused() {
    let f = seeded();
    let first = receive(towel_cases(), 1);
    receiving::receive_line(&f.store, &first).unwrap();
    let mut changed = first.clone();
    changed.quantity = 2;
    let err = assert_rejected(&f.store, "operation_id_reused", || {
        receiving::receive_line(&f.store, &changed)
    });
    assert_message_names(&err, &[&first.op_id.to_string()]);
}

#[test]
fn the_nil_operation_id_is_refused() {
    let f = seeded();
    let mut cmd = receive(towels(), 1);
    cmd.op_id = Uuid::nil();
    let err = assert_rejected(&f.store, "invalid_input", || {
        receiving::receive_line(&f.store, &cmd)
    });
    assert_message_names(&err, &["operation id", "nil"]);

    let mut putaway_cmd = move_to(towels(), 1, "A-01-01", "41");
    putaway_cmd.op_id = Uuid::nil();
    assert_rejected(&f.store, "invalid_input", || {
        putaway::confirm_putaway(&f.store, &putaway_cmd)
    });
}

#[test]
fn a_control_character_in_a_typed_lot_is_refused_with_where_it_is() {
    let f = seeded();
    let scan = ScannedGoods::barcode(sample::MILK_EA)
        .with_lot("L26\u{0}11A")
        .with_expiry(date(2027, 3, 1));
    let err = assert_rejected(&f.store, "invalid_input", || {
        receiving::receive_line(&f.store, &receive(scan, 1))
    });
    assert_message_names(&err, &["lot", "U+0000", "position 4"]);
}
