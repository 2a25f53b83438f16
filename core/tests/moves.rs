//! Internal moves: loose goods bin to bin, a whole licence plate, part of a plate. Each is proven
//! by scans of both labels, keeps the goods' usability, and is refused with a sentence (and the
//! database unchanged) when the goods, the plate or the destination do not fit.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use dockhand_core::corrections::{self, VoidMovement};
use dockhand_core::moves::{self, ConfirmMove, MoveConfirmed, MoveKind};
use dockhand_core::protocol::EventBody;
use dockhand_core::receiving::LineReceived;
use dockhand_core::{ScannedGoods, StockStatus, outbox, picking, putaway, receiving, sample};
use uuid::Uuid;

// ---- local helpers ---------------------------------------------------------------------------

/// The sample milk pallet (4 cases, 48) received and put away whole at C-01-01.
fn milk_pallet_at_c0101(f: &Fixture) -> LineReceived {
    let mut cmd = receive(milk_scan(sample::MILK_CS), 4);
    cmd.lpn = Some(sample::MILK_PALLET.into());
    let received = receiving::receive_line(&f.store, &cmd).unwrap();
    let mut put = move_to(milk_scan(sample::MILK_CS), 4, "C-01-01", "61");
    put.lpn = Some(sample::MILK_PALLET.into());
    putaway::confirm_putaway(&f.store, &put).unwrap();
    received
}

/// Bob moves `quantity` of the scanned goods from `from` to `to`, scanning both labels.
fn mv(
    from: (&str, &str),
    scan: Option<ScannedGoods>,
    lpn: Option<&str>,
    quantity: i64,
    to: (&str, &str),
) -> ConfirmMove {
    ConfirmMove {
        op_id: op(),
        operator: "bob".into(),
        from: from.0.into(),
        from_scan: from.1.into(),
        scan,
        lpn: lpn.map(str::to_string),
        quantity,
        to: to.0.into(),
        to_scan: to.1.into(),
        reason: None,
        task_id: None,
    }
}

/// Asserts the move is refused with `code` and changes nothing; the error for its sentence.
fn refused(f: &Fixture, code: &str, cmd: ConfirmMove) -> dockhand_core::Error {
    assert_rejected(&f.store, code, || moves::confirm_move(&f.store, &cmd))
}

fn confirm(f: &Fixture, cmd: &ConfirmMove) -> MoveConfirmed {
    moves::confirm_move(&f.store, cmd).unwrap()
}

/// The recorded `move.confirmed` event of a move.
fn move_event(f: &Fixture, event_id: Uuid) -> dockhand_core::protocol::events::MoveConfirmed {
    let event = f.store.read(|c| outbox::event_by_id(c, event_id)).unwrap();
    match event.body().unwrap() {
        EventBody::MoveConfirmed(m) => m,
        other => panic!("expected a move, got {:?}", other.kind()),
    }
}

// ---- good paths ------------------------------------------------------------------------------

#[test]
fn loose_goods_move_bin_to_bin_with_both_labels_scanned() {
    let f = seeded();
    towels_at_a0101(&f);
    let mut cmd = mv(
        ("A-01-01", "41"),
        Some(towel_cases()),
        None,
        1,
        ("A-01-02", "42"),
    );
    cmd.reason = Some("  slotting  ".into());
    let moved = confirm(&f, &cmd);
    assert_eq!(moved.move_kind, MoveKind::Loose);
    assert_eq!(moved.base_quantity, 24);
    assert_eq!(
        summary(&f, "A-01-01"),
        vec![row(sample::TOWELS, "", "", StockStatus::Available, 72)]
    );
    assert_eq!(
        summary(&f, "A-01-02"),
        vec![row(sample::TOWELS, "", "", StockStatus::Available, 24)]
    );
    let event = move_event(&f, moved.event_id);
    assert_eq!(event.move_kind, MoveKind::Loose);
    assert_eq!(
        (event.from.as_str(), event.to.as_str()),
        ("A-01-01", "A-01-02")
    );
    assert_eq!(event.to_zone, "A");
    assert_eq!(event.reason.as_deref(), Some("slotting"));
    assert_eq!(event.lines.len(), 1);
    assert_eq!(event.lines[0].base_quantity, 24);
    assert_eq!(event.lines[0].status, StockStatus::Available);
    // The ledger rows travel with the event: out of one bin, into the other.
    let deltas: Vec<(String, i64)> = event
        .movements
        .iter()
        .map(|m| (m.location.clone(), m.delta))
        .collect();
    assert_eq!(
        deltas,
        vec![("A-01-01".to_string(), -24), ("A-01-02".to_string(), 24)]
    );
    // The same command again (a retried tap) returns the first result and moves nothing more.
    assert_eq!(moves::confirm_move(&f.store, &cmd).unwrap(), moved);
    assert_eq!(summary(&f, "A-01-02")[0].4, 24);
    assert_integrity(&f);
}

#[test]
fn a_whole_plate_moves_with_one_scan_of_its_label_and_keeps_its_sscc() {
    let f = seeded();
    milk_pallet_at_c0101(&f);
    let label = format!("(00){}", sample::MILK_PALLET);
    let moved = confirm(
        &f,
        &mv(("C-01-01", "61"), None, Some(&label), 0, ("C-01-02", "62")),
    );
    assert_eq!(moved.move_kind, MoveKind::WholePlate);
    assert_eq!(moved.lpn, sample::MILK_PALLET);
    assert_eq!(moved.lpn_after, sample::MILK_PALLET);
    assert_eq!(moved.base_quantity, 48);
    assert!(at(&f, "C-01-01").is_empty());
    assert_eq!(
        summary(&f, "C-01-02"),
        vec![row(
            sample::MILK,
            "L2611A",
            sample::MILK_PALLET,
            StockStatus::Available,
            48
        )]
    );
    assert_integrity(&f);
}

#[test]
fn part_of_a_plate_comes_off_it_and_is_loose_at_the_pick_face() {
    let f = seeded();
    milk_pallet_at_c0101(&f);
    let moved = confirm(
        &f,
        &mv(
            ("C-01-01", "61"),
            Some(milk_scan(sample::MILK_CS)),
            Some(sample::MILK_PALLET),
            1,
            ("P-01-01", "71"),
        ),
    );
    assert_eq!(moved.move_kind, MoveKind::FromPlate);
    assert_eq!(moved.lpn_after, "");
    assert_eq!(
        summary(&f, "C-01-01"),
        vec![row(
            sample::MILK,
            "L2611A",
            sample::MILK_PALLET,
            StockStatus::Available,
            36
        )]
    );
    assert_eq!(
        summary(&f, "P-01-01"),
        vec![row(sample::MILK, "L2611A", "", StockStatus::Available, 12)]
    );
    // Scanning the rest item by item takes the plate whole, as a putaway would.
    let rest = confirm(
        &f,
        &mv(
            ("C-01-01", "61"),
            Some(milk_scan(sample::MILK_CS)),
            Some(sample::MILK_PALLET),
            3,
            ("C-01-02", "62"),
        ),
    );
    assert_eq!(rest.move_kind, MoveKind::WholePlate);
    assert_eq!(rest.lpn_after, sample::MILK_PALLET);
    assert_integrity(&f);
}

#[test]
fn quarantined_goods_move_between_quarantine_places_only() {
    let f = seeded();
    let mut qa2 = sample::warehouse()
        .locations
        .iter()
        .find(|l| l.code == "QA-01")
        .unwrap()
        .clone();
    qa2.code = "QA-02".into();
    qa2.check_string = "92".into();
    let data = dockhand_core::catalog::MasterData {
        locations: vec![qa2],
        ..Default::default()
    };
    dockhand_core::catalog::upsert_master_data(&f.store, &data).unwrap();
    let vitamins = ScannedGoods::barcode(sample::VITAMINS_EA)
        .with_lot("V-9")
        .with_expiry(date(2027, 6, 30));
    receiving::receive_line(&f.store, &receive(vitamins.clone(), 12)).unwrap();
    putaway::confirm_putaway(&f.store, &move_to(vitamins.clone(), 12, "QA-01", "91")).unwrap();

    let err = refused(
        &f,
        "wrong_location_type",
        mv(
            ("QA-01", "91"),
            Some(vitamins.clone()),
            None,
            5,
            ("A-01-02", "42"),
        ),
    );
    assert_message_names(&err, &["A-01-02", "storage", "quarantined", "quarantine"]);

    let moved = confirm(
        &f,
        &mv(("QA-01", "91"), Some(vitamins), None, 5, ("QA-02", "92")),
    );
    assert_eq!(moved.lines[0].status, StockStatus::Quarantined);
    assert_eq!(
        summary(&f, "QA-02"),
        vec![row(
            sample::VITAMINS,
            "V-9",
            "",
            StockStatus::Quarantined,
            5
        )]
    );
}

#[test]
fn a_void_puts_moved_goods_back() {
    let f = seeded();
    towels_at_a0101(&f);
    let moved = confirm(
        &f,
        &mv(
            ("A-01-01", "41"),
            Some(towels()),
            None,
            10,
            ("P-01-01", "71"),
        ),
    );
    corrections::void_movement(
        &f.store,
        &VoidMovement {
            op_id: op(),
            operator: "alice".into(),
            event_id: moved.event_id,
            reason: "wrong bin".into(),
            approval: sample::badge_of("sam"),
        },
    )
    .unwrap();
    assert!(at(&f, "P-01-01").is_empty());
    assert_eq!(summary(&f, "A-01-01")[0].4, 96);
    assert_integrity(&f);
}

// ---- refusals --------------------------------------------------------------------------------

#[test]
fn a_move_into_a_full_location_is_refused_and_a_putaway_too() {
    let f = seeded();
    towels_at_a0101(&f);
    change_location(&f, "A-01-02", |l| l.max_units = Some(30));
    confirm(
        &f,
        &mv(
            ("A-01-01", "41"),
            Some(towels()),
            None,
            20,
            ("A-01-02", "42"),
        ),
    );
    let err = refused(
        &f,
        "location_full",
        mv(
            ("A-01-01", "41"),
            Some(towels()),
            None,
            11,
            ("A-01-02", "42"),
        ),
    );
    assert_message_names(&err, &["A-01-02", "holds 20", "30 units", "11 more"]);
    // Exactly full is allowed.
    confirm(
        &f,
        &mv(
            ("A-01-01", "41"),
            Some(towels()),
            None,
            10,
            ("A-01-02", "42"),
        ),
    );
    // Putaway respects the same limit.
    receiving::receive_line(&f.store, &receive(towels(), 1)).unwrap();
    assert_rejected(&f.store, "location_full", || {
        let mut cmd = move_to(towels(), 1, "A-01-02", "42");
        cmd.override_reason = Some("closest".into());
        putaway::confirm_putaway(&f.store, &cmd)
    });
    // A limit below one is refused in master data with the location named.
    let mut bad = sample::warehouse();
    bad.locations.retain(|l| l.code == "A-01-03");
    bad.locations[0].max_units = Some(0);
    let err = assert_rejected(&f.store, "invalid_input", || {
        dockhand_core::catalog::upsert_master_data(&f.store, &bad)
    });
    assert_message_names(&err, &["A-01-03", "max_units"]);
}

#[test]
fn available_goods_never_move_into_quarantine_or_damaged_places() {
    let f = seeded();
    towels_at_a0101(&f);
    for (to, check, kind) in [("QA-01", "91", "quarantine"), ("DMG-01", "83", "damaged")] {
        let err = refused(
            &f,
            "wrong_location_type",
            mv(("A-01-01", "41"), Some(towels()), None, 1, (to, check)),
        );
        assert_message_names(&err, &[to, kind, "available", "storage or pick face"]);
    }
}

#[test]
fn both_labels_must_be_scanned_and_match() {
    let f = seeded();
    towels_at_a0101(&f);
    let err = refused(
        &f,
        "wrong_check_string",
        mv(
            ("A-01-01", "42"),
            Some(towels()),
            None,
            1,
            ("A-01-02", "42"),
        ),
    );
    assert_message_names(&err, &["A-01-01"]);
    let err = refused(
        &f,
        "location_not_scanned",
        mv(("A-01-01", "41"), Some(towels()), None, 1, ("A-01-02", " ")),
    );
    assert_message_names(&err, &["A-01-02"]);
    refused(
        &f,
        "location_blocked",
        mv(
            ("A-01-01", "41"),
            Some(towels()),
            None,
            1,
            ("A-01-05", "55"),
        ),
    );
    let err = refused(
        &f,
        "invalid_input",
        mv(
            ("A-01-01", "41"),
            Some(towels()),
            None,
            1,
            ("A-01-01", "41"),
        ),
    );
    assert_message_names(&err, &["already at A-01-01"]);
    let err = refused(
        &f,
        "invalid_input",
        mv(("A-01-01", "41"), None, None, 1, ("A-01-02", "42")),
    );
    assert_message_names(&err, &["scan the goods", "licence plate"]);
}

#[test]
fn goods_that_are_not_there_or_not_loose_are_named() {
    let f = seeded();
    towels_at_a0101(&f);
    milk_pallet_at_c0101(&f);
    let err = refused(
        &f,
        "insufficient_stock",
        mv(
            ("A-01-01", "41"),
            Some(towels()),
            None,
            97,
            ("A-01-02", "42"),
        ),
    );
    assert_message_names(&err, &["96", "97", sample::TOWELS, "A-01-01"]);
    // Loose milk asked for where the milk is on a pallet: scan the pallet.
    let err = refused(
        &f,
        "on_pallet",
        mv(
            ("C-01-01", "61"),
            Some(milk_scan(sample::MILK_CS)),
            None,
            1,
            ("C-01-02", "62"),
        ),
    );
    assert_message_names(&err, &[sample::MILK_PALLET]);
    // The pallet scanned where it is not: the sentence says where it is.
    let err = refused(
        &f,
        "plate_not_here",
        mv(
            ("C-01-02", "62"),
            None,
            Some(sample::MILK_PALLET),
            0,
            ("A-01-02", "42"),
        ),
    );
    assert_message_names(&err, &[sample::MILK_PALLET, "C-01-02", "it is at C-01-01"]);
    let err = refused(
        &f,
        "plate_not_here",
        mv(
            ("C-01-01", "61"),
            None,
            Some("LPN-404"),
            0,
            ("A-01-02", "42"),
        ),
    );
    assert_message_names(&err, &["LPN-404", "nothing is on it"]);
}

#[test]
fn goods_of_other_workflows_are_refused_with_what_to_do() {
    let f = seeded();
    // Out of a dock: that is a putaway.
    let err = refused(
        &f,
        "wrong_location_type",
        mv(
            ("DOCK-01", "11"),
            Some(towels()),
            None,
            5,
            ("A-01-02", "42"),
        ),
    );
    assert_message_names(&err, &["DOCK-01", "dock"]);
    // Reserved for a pick: the move may not take it.
    towels_at_a0101(&f);
    picking::create_pick_task(
        &f.store,
        &sample::pick_task("alice", "T-1", sample::TOWELS, 90),
    )
    .unwrap();
    let err = refused(
        &f,
        "insufficient_stock",
        mv(
            ("A-01-01", "41"),
            Some(towels()),
            None,
            10,
            ("A-01-02", "42"),
        ),
    );
    assert_message_names(&err, &["unreserved", "6", "10"]);
}

#[test]
fn goods_not_on_the_scanned_plate_are_named_and_a_plate_is_one_however_it_was_scanned() {
    let f = seeded();
    // Received with its label as scanned, moved by its digits.
    let mut cmd = receive(milk_scan(sample::MILK_CS), 4);
    cmd.lpn = Some(format!("(00){}", sample::MILK_PALLET));
    receiving::receive_line(&f.store, &cmd).unwrap();
    let mut put = move_to(milk_scan(sample::MILK_CS), 4, "C-01-01", "61");
    put.lpn = Some(format!("]C100{}", sample::MILK_PALLET));
    putaway::confirm_putaway(&f.store, &put).unwrap();
    assert_eq!(at(&f, "C-01-01")[0].lpn, sample::MILK_PALLET);

    let other_lot = ScannedGoods::barcode(sample::MILK_CS)
        .with_lot("L2611B")
        .with_expiry(date(2027, 3, 1));
    let err = refused(
        &f,
        "insufficient_stock",
        mv(
            ("C-01-01", "61"),
            Some(other_lot.clone()),
            Some(sample::MILK_PALLET),
            1,
            ("C-01-02", "62"),
        ),
    );
    assert_message_names(&err, &["L2611B", "C-01-01 on plate", sample::MILK_PALLET]);
    let moved = confirm(
        &f,
        &mv(
            ("C-01-01", "61"),
            None,
            Some(sample::MILK_PALLET),
            0,
            ("C-01-02", "62"),
        ),
    );
    assert_eq!(moved.move_kind, MoveKind::WholePlate);
}

#[test]
fn putaway_suggests_only_places_with_room() {
    let f = seeded();
    change_location(&f, "QA-01", |l| l.max_units = Some(10));
    let vitamins = ScannedGoods::barcode(sample::VITAMINS_EA)
        .with_lot("V-9")
        .with_expiry(date(2027, 6, 30));
    receiving::receive_line(&f.store, &receive(vitamins.clone(), 12)).unwrap();
    // The only quarantine place holds at most 10: 12 held vitamins have nowhere to go.
    let err = putaway::suggest_putaway(
        &f.store,
        &putaway::PutawayRequest {
            from: "DOCK-01".into(),
            scan: vitamins,
            lpn: None,
        },
    )
    .unwrap_err();
    assert_eq!(err.code(), "no_putaway_location", "{err}");
}
