//! Putaway from the dock: where the device suggests goods go, and what confirming a putaway does
//! to balances, license plates and events.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use dockhand_core::catalog::LocationStatus;
use dockhand_core::protocol::EventKind;
use dockhand_core::putaway::{self, ConfirmPutaway, PutawayRequest, SuggestionRule};
use dockhand_core::receiving::{self, LineReceived};
use dockhand_core::{ScannedGoods, StockStatus, outbox, sample, stock};

// ---- local helpers ---------------------------------------------------------------------------

fn coffee(lot: &str) -> ScannedGoods {
    ScannedGoods::barcode(sample::COFFEE_EA).with_lot(lot)
}

fn vitamins() -> ScannedGoods {
    ScannedGoods::barcode(sample::VITAMINS_EA)
        .with_lot("V-9")
        .with_expiry(date(2027, 6, 30))
}

/// Receives on the sample ASN at DOCK-01.
fn received(f: &Fixture, scan: ScannedGoods, quantity: i64) -> LineReceived {
    receiving::receive_line(&f.store, &receive(scan, quantity)).unwrap()
}

/// Receives milk cases onto the sample pallet at DOCK-01.
fn milk_pallet_received(f: &Fixture, cases: i64) -> LineReceived {
    let mut cmd = receive(milk_scan(sample::MILK_CS), cases);
    cmd.lpn = Some(sample::MILK_PALLET.into());
    receiving::receive_line(&f.store, &cmd).unwrap()
}

/// Short-dated milk (13 days left) accepted into quarantine by sam.
fn short_dated_milk(f: &Fixture) -> LineReceived {
    let mut cmd = receive(short_dated_scan(), 1);
    cmd.approval = Some(sample::badge_of("sam"));
    receiving::receive_line(&f.store, &cmd).unwrap()
}

fn short_dated_scan() -> ScannedGoods {
    ScannedGoods::barcode(sample::MILK_CS)
        .with_lot("L2611S")
        .with_expiry(date(2026, 12, 10))
}

fn request(scan: ScannedGoods, lpn: Option<&str>) -> PutawayRequest {
    PutawayRequest {
        from: "DOCK-01".into(),
        scan,
        lpn: lpn.map(str::to_string),
    }
}

fn suggest(f: &Fixture, scan: ScannedGoods, lpn: Option<&str>) -> putaway::PutawayTask {
    putaway::suggest_putaway(&f.store, &request(scan, lpn)).unwrap()
}

fn confirm(f: &Fixture, cmd: &ConfirmPutaway) -> putaway::PutawayConfirmed {
    putaway::confirm_putaway(&f.store, cmd).unwrap()
}

fn total(f: &Fixture, status: StockStatus) -> i64 {
    f.store
        .read(stock::totals_by_status)
        .unwrap()
        .into_iter()
        .find(|t| t.status == status)
        .unwrap()
        .quantity
}

fn the_event(f: &Fixture, op_id: uuid::Uuid) -> outbox::Event {
    let events = f
        .store
        .read(|c| outbox::events_of_operation(c, op_id))
        .unwrap();
    assert_eq!(events.len(), 1, "{events:?}");
    events.into_iter().next().unwrap()
}

// ---- suggestions -----------------------------------------------------------------------------

#[test]
fn received_towels_are_suggested_the_first_empty_storage_location_of_their_zone() {
    let f = seeded();
    received(&f, towel_cases(), 2);
    let task = suggest(&f, towels(), None);
    assert_eq!(
        (task.sku.as_str(), task.lot.as_str(), task.lpn.as_str()),
        (sample::TOWELS, "", "")
    );
    assert_eq!((task.status, task.on_dock), (StockStatus::Received, 48));
    assert_eq!(task.suggestion.location, "A-01-01");
    assert_eq!(task.suggestion.zone, "A");
    assert_eq!(task.suggestion.rule, SuggestionRule::EmptyInZone);
    assert_eq!(task.suggestion.status_after, StockStatus::Available);
}

#[test]
fn the_suggestion_walks_past_occupied_locations_in_pick_sequence_order() {
    let f = seeded();
    received(&f, coffee("C-01"), 6);
    received(&f, coffee("C-02"), 6);
    received(&f, towel_cases(), 1);
    assert_eq!(
        suggest(&f, coffee("C-01"), None).suggestion.location,
        "A-01-01"
    );
    confirm(&f, &move_to(coffee("C-01"), 6, "A-01-01", "41"));
    assert_eq!(
        suggest(&f, coffee("C-02"), None).suggestion.location,
        "A-01-02"
    );
    confirm(&f, &move_to(coffee("C-02"), 6, "A-01-02", "42"));

    let task = suggest(&f, towels(), None);
    assert_eq!(task.suggestion.location, "A-01-03");
    assert_eq!(task.suggestion.rule, SuggestionRule::EmptyInZone);
    assert_integrity(&f);
}

#[test]
fn a_blocked_location_is_never_suggested_even_when_it_comes_first_in_the_walk() {
    let f = seeded();
    change_location(&f, "A-01-05", |l| l.pick_sequence = 1);
    received(&f, towel_cases(), 1);
    let task = suggest(&f, towels(), None);
    assert_eq!(task.suggestion.location, "A-01-01");

    // Unblocked, it would be first: the rule really does skip it only for being blocked.
    change_location(&f, "A-01-05", |l| {
        l.pick_sequence = 1;
        l.status = LocationStatus::Active;
    });
    assert_eq!(suggest(&f, towels(), None).suggestion.location, "A-01-05");
}

#[test]
fn when_only_the_blocked_location_is_empty_in_the_zone_nothing_is_suggested() {
    let f = seeded();
    for (lot, location, check) in [
        ("C-01", "A-01-01", "41"),
        ("C-02", "A-01-02", "42"),
        ("C-03", "A-01-03", "43"),
        ("C-04", "A-01-04", "44"),
    ] {
        received(&f, coffee(lot), 6);
        let task = suggest(&f, coffee(lot), None);
        assert_eq!(task.suggestion.location, location);
        confirm(&f, &move_to(coffee(lot), 6, location, check));
    }
    received(&f, towel_cases(), 1);
    let err = putaway::suggest_putaway(&f.store, &request(towels(), None))
        .expect_err("A-01-05 is the only empty storage location of zone A, and it is blocked");
    assert_eq!(err.code(), "no_putaway_location");
    assert_message_names(&err, &[sample::TOWELS, "zone A"]);
    assert!(!err.to_string().contains("A-01-05"));
    assert_integrity(&f);
}

#[test]
fn after_one_putaway_the_same_item_and_lot_is_consolidated_in_the_same_location() {
    let f = seeded();
    received(&f, towel_cases(), 2);
    confirm(&f, &move_to(towel_cases(), 1, "A-01-01", "41"));
    let task = suggest(&f, towels(), None);
    assert_eq!(task.on_dock, 24);
    assert_eq!(task.suggestion.location, "A-01-01");
    assert_eq!(task.suggestion.rule, SuggestionRule::SameItemAndLot);

    let second = confirm(&f, &move_to(towel_cases(), 1, "A-01-01", "41"));
    assert_eq!(second.suggested.as_deref(), Some("A-01-01"));
    assert_eq!(
        summary(&f, "A-01-01"),
        vec![row(sample::TOWELS, "", "", StockStatus::Available, 48)]
    );
    assert_integrity(&f);
}

#[test]
fn another_lot_of_the_same_item_is_not_consolidated_with_the_first() {
    let f = seeded();
    received(&f, coffee("C-01"), 12);
    received(&f, coffee("C-02"), 6);
    confirm(&f, &move_to(coffee("C-01"), 6, "A-01-01", "41"));

    let same_lot = suggest(&f, coffee("C-01"), None);
    assert_eq!(
        (
            same_lot.suggestion.location.as_str(),
            same_lot.suggestion.rule
        ),
        ("A-01-01", SuggestionRule::SameItemAndLot)
    );
    let other_lot = suggest(&f, coffee("C-02"), None);
    assert_eq!(
        (
            other_lot.suggestion.location.as_str(),
            other_lot.suggestion.rule
        ),
        ("A-01-02", SuggestionRule::EmptyInZone)
    );
}

#[test]
fn chilled_milk_is_suggested_the_first_location_of_zone_c() {
    let f = seeded();
    milk_pallet_received(&f, 2);
    let task = suggest(&f, milk_scan(sample::MILK_EA), Some(sample::MILK_PALLET));
    assert_eq!(
        (task.lot.as_str(), task.lpn.as_str(), task.on_dock),
        ("L2611A", sample::MILK_PALLET, 24)
    );
    assert_eq!(task.suggestion.location, "C-01-01");
    assert_eq!(task.suggestion.zone, "C");
    assert_eq!(task.suggestion.rule, SuggestionRule::EmptyInZone);
}

#[test]
fn quarantined_goods_are_suggested_the_quarantine_location() {
    let f = seeded();
    received(&f, vitamins(), 12);
    let task = suggest(&f, vitamins(), None);
    assert_eq!((task.status, task.on_dock), (StockStatus::Quarantined, 12));
    assert_eq!(task.suggestion.location, "QA-01");
    assert_eq!(task.suggestion.rule, SuggestionRule::Quarantine);
    assert_eq!(task.suggestion.status_after, StockStatus::Quarantined);

    short_dated_milk(&f);
    let milk = suggest(&f, short_dated_scan(), None);
    assert_eq!((milk.status, milk.on_dock), (StockStatus::Quarantined, 12));
    assert_eq!(milk.suggestion.location, "QA-01");
}

// ---- confirming ------------------------------------------------------------------------------

#[test]
fn a_confirmed_putaway_makes_received_towels_available_at_the_destination() {
    let f = seeded();
    received(&f, towel_cases(), 2);
    let cmd = move_to(towel_cases(), 2, "A-01-01", "41");
    let done = confirm(&f, &cmd);
    assert_eq!(
        (
            done.sku.as_str(),
            done.base_quantity,
            done.from.as_str(),
            done.to.as_str()
        ),
        (sample::TOWELS, 48, "DOCK-01", "A-01-01")
    );
    assert_eq!(
        (done.status_before, done.status_after),
        (StockStatus::Received, StockStatus::Available)
    );
    assert_eq!(done.suggested.as_deref(), Some("A-01-01"));
    assert_eq!(done.override_reason, None);
    assert_eq!(done.remaining_on_dock, 0);

    assert!(at(&f, "DOCK-01").is_empty());
    assert_eq!(
        summary(&f, "A-01-01"),
        vec![row(sample::TOWELS, "", "", StockStatus::Available, 48)]
    );
    assert_eq!(total(&f, StockStatus::Received), 0);
    assert_eq!(total(&f, StockStatus::Available), 48);
    let atp = f
        .store
        .read(|c| stock::available_to_promise(c, sample::TOWELS))
        .unwrap();
    assert_eq!((atp.available, atp.promisable), (48, 48));

    let event = the_event(&f, cmd.op_id);
    assert_eq!(event.event_id, done.event_id);
    assert_eq!(event.event_type, EventKind::PutawayConfirmed.as_str());
    assert_eq!(event.user_id, "bob");
    assert_eq!(event.payload["sku"], sample::TOWELS);
    assert_eq!(event.payload["base_quantity"], 48);
    assert_eq!(event.payload["from"], "DOCK-01");
    assert_eq!(event.payload["to"], "A-01-01");
    assert_eq!(event.payload["to_zone"], "A");
    assert_eq!(event.payload["status_before"], "received");
    assert_eq!(event.payload["status_after"], "available");
    assert_eq!(event.payload["suggested"], "A-01-01");
    assert!(event.payload["override_reason"].is_null());
    assert_integrity(&f);
}

#[test]
fn the_check_string_is_compared_ignoring_case_and_surrounding_spaces() {
    let f = seeded();
    change_location(&f, "A-01-01", |l| l.check_string = "AK7".into());
    received(&f, towel_cases(), 1);
    let done = confirm(&f, &move_to(towels(), 24, "A-01-01", "  ak7 \n"));
    assert_eq!((done.to.as_str(), done.base_quantity), ("A-01-01", 24));
    assert_eq!(
        summary(&f, "A-01-01"),
        vec![row(sample::TOWELS, "", "", StockStatus::Available, 24)]
    );
    assert_integrity(&f);
}

#[test]
fn choosing_another_location_than_the_suggestion_needs_a_reason_that_the_event_keeps() {
    let f = seeded();
    received(&f, towel_cases(), 2);
    let mut cmd = move_to(towel_cases(), 1, "A-01-03", "43");
    let err = putaway::confirm_putaway(&f.store, &cmd).expect_err("no override reason");
    assert_eq!(err.code(), "override_reason_required");
    assert_message_names(&err, &["A-01-01", "A-01-03"]);
    cmd.override_reason = Some("   ".into());
    let err = putaway::confirm_putaway(&f.store, &cmd).expect_err("a blank reason is no reason");
    assert_eq!(err.code(), "override_reason_required");
    assert_eq!(summary(&f, "A-01-03"), vec![]);

    cmd.override_reason = Some("A-01-01 aisle closed for cleaning".into());
    let done = confirm(&f, &cmd);
    assert_eq!(done.to, "A-01-03");
    assert_eq!(done.suggested.as_deref(), Some("A-01-01"));
    assert_eq!(
        done.override_reason.as_deref(),
        Some("A-01-01 aisle closed for cleaning")
    );
    assert_eq!(
        summary(&f, "A-01-03"),
        vec![row(sample::TOWELS, "", "", StockStatus::Available, 24)]
    );
    assert!(at(&f, "A-01-01").is_empty());
    let event = the_event(&f, cmd.op_id);
    assert_eq!(
        event.payload["override_reason"],
        "A-01-01 aisle closed for cleaning"
    );
    assert_eq!(event.payload["suggested"], "A-01-01");
    assert_eq!(event.payload["to"], "A-01-03");

    // A pick face is a valid destination for available stock too, with a reason.
    let mut to_face = move_to(towel_cases(), 1, "P-01-01", "71");
    to_face.override_reason = Some("pick face is low".into());
    confirm(&f, &to_face);
    assert_eq!(
        summary(&f, "P-01-01"),
        vec![row(sample::TOWELS, "", "", StockStatus::Available, 24)]
    );
    assert_integrity(&f);
}

#[test]
fn a_partial_putaway_of_a_pallet_leaves_the_rest_on_the_dock_under_its_plate() {
    let f = seeded();
    milk_pallet_received(&f, 2);
    let mut cmd = move_to(milk_scan(sample::MILK_CS), 1, "C-01-01", "61");
    cmd.lpn = Some(sample::MILK_PALLET.into());
    let done = confirm(&f, &cmd);
    assert_eq!(done.base_quantity, 12);
    assert_eq!(done.lpn, sample::MILK_PALLET);
    assert_eq!(done.lpn_after, "", "goods broken out of a pallet are loose");
    assert_eq!(done.remaining_on_dock, 12);

    assert_eq!(
        summary(&f, "DOCK-01"),
        vec![row(
            sample::MILK,
            "L2611A",
            sample::MILK_PALLET,
            StockStatus::Received,
            12
        )]
    );
    assert_eq!(
        summary(&f, "C-01-01"),
        vec![row(sample::MILK, "L2611A", "", StockStatus::Available, 12)]
    );
    let event = the_event(&f, cmd.op_id);
    assert_eq!(event.payload["lpn"], sample::MILK_PALLET);
    assert_eq!(event.payload["lpn_after"], "");
    assert_eq!(event.payload["lot"], "L2611A");

    let rest = suggest(&f, milk_scan(sample::MILK_EA), Some(sample::MILK_PALLET));
    assert_eq!(rest.on_dock, 12);
    assert_eq!(rest.suggestion.location, "C-01-01");
    assert_eq!(rest.suggestion.rule, SuggestionRule::SameItemAndLot);
    assert_integrity(&f);
}

#[test]
fn putting_away_a_whole_pallet_keeps_its_plate() {
    let f = seeded();
    milk_pallet_received(&f, 2);
    let mut cmd = move_to(milk_scan(sample::MILK_EA), 24, "C-01-01", "61");
    cmd.lpn = Some(sample::MILK_PALLET.into());
    let done = confirm(&f, &cmd);
    assert_eq!(
        (done.lpn.as_str(), done.lpn_after.as_str()),
        (sample::MILK_PALLET, sample::MILK_PALLET)
    );
    assert_eq!(done.remaining_on_dock, 0);
    assert!(at(&f, "DOCK-01").is_empty());
    assert_eq!(
        summary(&f, "C-01-01"),
        vec![row(
            sample::MILK,
            "L2611A",
            sample::MILK_PALLET,
            StockStatus::Available,
            24
        )]
    );
    assert_eq!(at(&f, "C-01-01")[0].expiry, Some(date(2027, 3, 1)));
    assert_eq!(
        the_event(&f, cmd.op_id).payload["lpn_after"],
        sample::MILK_PALLET
    );
    assert_integrity(&f);
}

#[test]
fn quarantined_vitamins_cannot_go_to_storage_and_stay_quarantined_in_qa() {
    let f = seeded();
    received(&f, vitamins(), 12);
    let mut to_storage = move_to(vitamins(), 12, "A-01-01", "41");
    to_storage.override_reason = Some("QA cage is full".into());
    let err = putaway::confirm_putaway(&f.store, &to_storage).expect_err("held goods");
    assert_eq!(err.code(), "quarantine_location_required");
    assert_message_names(
        &err,
        &[sample::VITAMINS, "V-9", "A-01-01", "inspection required"],
    );
    assert!(at(&f, "A-01-01").is_empty());

    let cmd = move_to(vitamins(), 12, "QA-01", "91");
    let done = confirm(&f, &cmd);
    assert_eq!(
        (done.status_before, done.status_after),
        (StockStatus::Quarantined, StockStatus::Quarantined)
    );
    assert_eq!(done.suggested.as_deref(), Some("QA-01"));
    assert!(at(&f, "DOCK-01").is_empty());
    assert_eq!(
        summary(&f, "QA-01"),
        vec![row(
            sample::VITAMINS,
            "V-9",
            "",
            StockStatus::Quarantined,
            12
        )]
    );
    assert_eq!(total(&f, StockStatus::Available), 0);
    let atp = f
        .store
        .read(|c| stock::available_to_promise(c, sample::VITAMINS))
        .unwrap();
    assert_eq!(atp.promisable, 0);
    assert_eq!(
        the_event(&f, cmd.op_id).payload["status_after"],
        "quarantined"
    );
    assert_integrity(&f);
}

#[test]
fn short_dated_milk_held_on_receipt_goes_to_qa_not_to_the_chiller() {
    let f = seeded();
    short_dated_milk(&f);
    let err = putaway::confirm_putaway(&f.store, &move_to(short_dated_scan(), 1, "C-01-01", "61"))
        .expect_err("held goods");
    assert_eq!(err.code(), "quarantine_location_required");
    assert_message_names(&err, &[sample::MILK, "L2611S", "C-01-01"]);

    confirm(&f, &move_to(short_dated_scan(), 1, "QA-01", "91"));
    assert_eq!(
        summary(&f, "QA-01"),
        vec![row(
            sample::MILK,
            "L2611S",
            "",
            StockStatus::Quarantined,
            12
        )]
    );
    assert_integrity(&f);
}

#[test]
fn putaway_to_a_dock_or_staging_location_is_refused() {
    let f = seeded();
    received(&f, towel_cases(), 1);
    for (to, check, kind) in [("STAGE-01", "81", "staging"), ("DOCK-02", "12", "dock")] {
        let mut cmd = move_to(towels(), 24, to, check);
        cmd.override_reason = Some("no room".into());
        let err = putaway::confirm_putaway(&f.store, &cmd).expect_err(to);
        assert_eq!(err.code(), "wrong_location_type");
        assert_message_names(&err, &[to, kind, "storage"]);
        assert!(at(&f, to).is_empty());
    }
    assert_eq!(at(&f, "DOCK-01")[0].quantity, 24);
    assert_integrity(&f);
}

#[test]
fn a_double_confirmed_putaway_moves_the_goods_once() {
    let f = seeded();
    received(&f, towel_cases(), 2);
    let cmd = move_to(towel_cases(), 1, "A-01-01", "41");
    let first = confirm(&f, &cmd);
    let before = dump(&f.store);
    assert_eq!(confirm(&f, &cmd), first);
    assert_eq!(dump(&f.store), before);
    assert_eq!(at(&f, "DOCK-01")[0].quantity, 24);
    assert_eq!(at(&f, "A-01-01")[0].quantity, 24);
    assert_integrity(&f);
}

#[test]
fn a_serial_tracked_drill_is_put_away_by_its_serial() {
    let f = seeded();
    receiving::open_blind_receipt(
        &f.store,
        &receiving::OpenBlindReceipt {
            op_id: op(),
            operator: "alice".into(),
            receipt_id: "DN-DRILLS".into(),
            reference: "DN-DRILLS".into(),
            supplier: "Tools Inc".into(),
        },
    )
    .unwrap();
    for serial in ["SN-1", "SN-2"] {
        let mut cmd = receive(
            ScannedGoods::barcode(sample::DRILL_EA).with_serial(serial),
            1,
        );
        cmd.receipt_id = "DN-DRILLS".into();
        receiving::receive_line(&f.store, &cmd).unwrap();
    }
    let done = confirm(
        &f,
        &move_to(
            ScannedGoods::barcode(sample::DRILL_EA).with_serial("SN-2"),
            1,
            "A-01-01",
            "41",
        ),
    );
    assert_eq!((done.serial.as_str(), done.base_quantity), ("SN-2", 1));
    let dock: Vec<String> = at(&f, "DOCK-01").into_iter().map(|b| b.serial).collect();
    assert_eq!(dock, vec!["SN-1".to_string()]);
    let stored: Vec<String> = at(&f, "A-01-01").into_iter().map(|b| b.serial).collect();
    assert_eq!(stored, vec!["SN-2".to_string()]);
    assert_integrity(&f);
}

// ---- pallets, time on the dock ------------------------------------------------------------------

/// Blind receipt B-1 with towels and coffee on one pallet P1.
fn mixed_pallet(f: &Fixture) {
    receiving::open_blind_receipt(
        &f.store,
        &receiving::OpenBlindReceipt {
            op_id: op(),
            operator: "alice".into(),
            receipt_id: "B-1".into(),
            reference: "dn".into(),
            supplier: "s".into(),
        },
    )
    .unwrap();
    for (scan, qty) in [(towels(), 10), (coffee("C-1"), 6)] {
        let mut cmd = receive(scan, qty);
        cmd.receipt_id = "B-1".into();
        cmd.lpn = Some("P1".into());
        receiving::receive_line(&f.store, &cmd).unwrap();
    }
}

#[test]
fn a_pallet_plate_follows_only_the_last_goods_of_the_pallet() {
    let f = seeded();
    mixed_pallet(&f);
    let mut cmd = move_to(towels(), 10, "A-01-01", "41");
    cmd.lpn = Some("P1".into());
    let first = putaway::confirm_putaway(&f.store, &cmd).unwrap();
    assert_eq!(
        first.lpn_after, "",
        "coffee is still on P1: the towels leave it"
    );
    let mut cmd = move_to(coffee("C-1"), 6, "A-01-02", "42");
    cmd.lpn = Some("P1".into());
    let last = putaway::confirm_putaway(&f.store, &cmd).unwrap();
    assert_eq!(
        last.lpn_after, "P1",
        "the rest of the pallet moves with its plate"
    );
    let with_plate: Vec<_> = f
        .store
        .read(stock::all_balances)
        .unwrap()
        .into_iter()
        .filter(|b| b.lpn == "P1")
        .map(|b| b.location)
        .collect();
    assert_eq!(with_plate, vec!["A-01-02"]);
    assert_integrity(&f);
}

#[test]
fn goods_on_a_pallet_scanned_without_its_label_are_refused_naming_the_pallet() {
    let f = seeded();
    mixed_pallet(&f);
    let err = assert_rejected(&f.store, "on_pallet", || {
        putaway::confirm_putaway(&f.store, &move_to(towels(), 1, "A-01-01", "41"))
    });
    assert_message_names(&err, &["TOWEL-2P", "DOCK-01", "P1"]);
}

#[test]
fn milk_that_became_short_dated_on_the_dock_goes_to_quarantine_and_expired_milk_nowhere() {
    let f = seeded();
    // 35 days of shelf life on 2026-11-27: received normally (30 required).
    let scan = ScannedGoods::barcode(sample::MILK_EA)
        .with_lot("L9")
        .with_expiry(date(2027, 1, 1));
    receiving::receive_line(&f.store, &receive(scan.clone(), 6)).unwrap();

    f.clock
        .set(chrono::DateTime::parse_from_rfc3339("2026-12-05T08:00:00+01:00").unwrap());
    let task = suggest(&f, scan.clone(), None);
    assert_eq!(task.suggestion.location, "QA-01");
    assert_eq!(task.suggestion.status_after, StockStatus::Quarantined);
    let err = assert_rejected(&f.store, "quarantine_location_required", || {
        putaway::confirm_putaway(&f.store, &move_to(scan.clone(), 3, "C-01-01", "61"))
    });
    assert_message_names(&err, &["short-dated", "27 days left", "C-01-01"]);
    let held = confirm(&f, &move_to(scan.clone(), 3, "QA-01", "91"));
    assert_eq!(held.status_after, StockStatus::Quarantined);

    f.clock
        .set(chrono::DateTime::parse_from_rfc3339("2027-01-02T08:00:00+01:00").unwrap());
    let err = assert_rejected(&f.store, "lot_expired", || {
        putaway::confirm_putaway(&f.store, &move_to(scan.clone(), 3, "QA-01", "91"))
    });
    assert_message_names(&err, &["L9", "2027-01-01"]);
    assert_integrity(&f);
}

#[test]
fn a_reason_given_while_following_the_suggestion_is_not_an_override() {
    let f = seeded();
    received(&f, towels(), 4);
    let mut cmd = move_to(towels(), 4, "A-01-01", "41");
    cmd.override_reason = Some("habit".into());
    let done = confirm(&f, &cmd);
    assert_eq!(done.override_reason, None);
    let reason: String = f
        .store
        .read(|c| {
            Ok(c.query_row(
                "SELECT reason FROM ledger ORDER BY id DESC LIMIT 1",
                [],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert_eq!(reason, "putaway");
}
