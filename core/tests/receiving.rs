//! Receiving against the sample ASN and on blind receipts: balances, receipt lines, events.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use dockhand_core::protocol::EventKind;
use dockhand_core::receiving;
use dockhand_core::{ScannedGoods, StockStatus, corrections, outbox, sample, stock};

#[test]
fn a_case_scan_lands_as_received_base_units_on_the_dock_with_its_event() {
    let f = seeded();
    let mut cmd = receive(milk_scan(sample::MILK_CS), 2);
    cmd.lpn = Some(sample::MILK_PALLET.into());
    let r = receiving::receive_line(&f.store, &cmd).unwrap();

    assert_eq!(
        (r.line_no, r.base_quantity, r.line_received, r.line_expected),
        (1, 24, 24, 48)
    );
    assert_eq!(r.status, StockStatus::Received);
    assert_eq!(r.expiry, Some(date(2027, 3, 1)));
    let dock = f
        .store
        .read(|c| stock::balances_at_location(c, "DOCK-01"))
        .unwrap();
    assert_eq!(dock.len(), 1);
    assert_eq!(
        (
            dock[0].sku.as_str(),
            dock[0].lot.as_str(),
            dock[0].lpn.as_str()
        ),
        (sample::MILK, "L2611A", sample::MILK_PALLET)
    );
    assert_eq!(
        (dock[0].status, dock[0].quantity),
        (StockStatus::Received, 24)
    );

    let events = f
        .store
        .read(|c| outbox::events_of_operation(c, cmd.op_id))
        .unwrap();
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!(
        (e.seq, e.event_type.as_str(), e.user_id.as_str()),
        (1, EventKind::LineReceived.as_str(), "alice")
    );
    assert_eq!(e.event_id, r.event_id);
    assert_eq!(e.event_id.get_version_num(), 7);
    assert_eq!(e.payload["base_quantity"], 24);
    assert_eq!(e.payload["quantity"], 2);
    assert_eq!(e.payload["unit"], "CS");
    assert_eq!(e.payload["sscc"], sample::MILK_PALLET);
    assert_eq!(e.occurred_at, "2026-11-27T07:00:00.000Z");
    assert_eq!(e.tz_offset, "+01:00");
    assert!(f.store.verify_integrity().unwrap().is_ok());
}

// ---- local helpers ---------------------------------------------------------------------------

/// Opens a blind receipt by alice and returns it.
fn open_blind(f: &Fixture, receipt_id: &str) -> (uuid::Uuid, receiving::Receipt) {
    let cmd = receiving::OpenBlindReceipt {
        op_id: op(),
        operator: "alice".into(),
        receipt_id: receipt_id.into(),
        reference: "DN-77".into(),
        supplier: "Walk-in supplier".into(),
    };
    let receipt = receiving::open_blind_receipt(&f.store, &cmd).unwrap();
    (cmd.op_id, receipt)
}

/// A close command by alice.
fn close(receipt_id: &str) -> receiving::CloseReceipt {
    receiving::CloseReceipt {
        op_id: op(),
        operator: "alice".into(),
        receipt_id: receipt_id.into(),
    }
}

/// A receive command on another receipt.
fn receive_on(receipt_id: &str, scan: ScannedGoods, quantity: i64) -> receiving::ReceiveLine {
    let mut cmd = receive(scan, quantity);
    cmd.receipt_id = receipt_id.into();
    cmd
}

fn the_receipt(f: &Fixture, id: &str) -> receiving::Receipt {
    f.store.read(|c| receiving::receipt(c, id)).unwrap()
}

fn line(f: &Fixture, id: &str, line_no: i64) -> receiving::ReceiptLine {
    the_receipt(f, id)
        .lines
        .into_iter()
        .find(|l| l.line_no == line_no)
        .unwrap()
}

fn events_of(f: &Fixture, op_id: uuid::Uuid) -> Vec<outbox::Event> {
    f.store
        .read(|c| outbox::events_of_operation(c, op_id))
        .unwrap()
}

fn all_events(f: &Fixture) -> Vec<outbox::Event> {
    f.store.read(|c| outbox::events(c, 1, 10_000)).unwrap()
}

fn expected_line(line_no: i64, sku: &str, quantity: i64, unit: &str) -> receiving::ExpectedLine {
    receiving::ExpectedLine {
        line_no,
        sku: sku.into(),
        quantity,
        unit: Some(unit.into()),
        lot: None,
        sscc: None,
    }
}

fn expected_receipt(id: &str, lines: Vec<receiving::ExpectedLine>) -> receiving::ExpectedReceipt {
    receiving::ExpectedReceipt {
        receipt_id: id.into(),
        reference: format!("PO-{id}"),
        supplier: "Acme Paper".into(),
        lines,
    }
}

fn coffee(lot: &str) -> ScannedGoods {
    ScannedGoods::barcode(sample::COFFEE_EA).with_lot(lot)
}

fn coffee_case(lot: &str) -> ScannedGoods {
    ScannedGoods::barcode(sample::COFFEE_CS).with_lot(lot)
}

// ---- pack sizes ------------------------------------------------------------------------------

#[test]
fn two_case_scans_and_three_loose_units_add_up_to_27_milk_on_one_receipt_line() {
    let f = seeded();
    let case_cmd = receive(milk_scan(sample::MILK_CS), 2);
    let cases = receiving::receive_line(&f.store, &case_cmd).unwrap();
    assert_eq!((cases.base_quantity, cases.line_received), (24, 24));
    let units = receiving::receive_line(&f.store, &receive(milk_scan(sample::MILK_EA), 3)).unwrap();
    assert_eq!(
        (units.line_no, units.base_quantity, units.line_received),
        (1, 3, 27)
    );

    let milk = line(&f, sample::ASN, 1);
    assert_eq!(
        (milk.sku.as_str(), milk.expected, milk.received),
        (sample::MILK, 48, 27)
    );
    let dock = at(&f, "DOCK-01");
    assert_eq!(dock.len(), 1, "{dock:?}");
    assert_eq!(
        (dock[0].sku.as_str(), dock[0].quantity, dock[0].status),
        (sample::MILK, 27, StockStatus::Received)
    );
    let event = &events_of(&f, case_cmd.op_id)[0];
    assert_eq!(event.payload["unit"], "CS");
    assert_eq!(event.payload["quantity"], 2);
    assert_eq!(event.payload["base_quantity"], 24);
    assert_eq!(event.payload["base_unit"], "EA");
    assert_integrity(&f);
}

#[test]
fn a_coffee_case_counts_six_and_a_towel_case_twenty_four_base_units() {
    let f = seeded();
    let coffee = receiving::receive_line(&f.store, &receive(coffee_case("C-01"), 2)).unwrap();
    assert_eq!(
        (coffee.sku.as_str(), coffee.base_quantity),
        (sample::COFFEE, 12)
    );
    let towels = receiving::receive_line(
        &f.store,
        &receive(ScannedGoods::barcode(sample::TOWELS_CS), 2),
    )
    .unwrap();
    assert_eq!(
        (towels.sku.as_str(), towels.base_quantity),
        (sample::TOWELS, 48)
    );
    let internal = receiving::receive_line(
        &f.store,
        &receive(ScannedGoods::barcode(sample::TOWELS_INTERNAL), 5),
    )
    .unwrap();
    assert_eq!((internal.base_quantity, internal.line_received), (5, 53));

    let r = the_receipt(&f, sample::ASN);
    let received: Vec<(&str, i64, i64)> = r
        .lines
        .iter()
        .map(|l| (l.sku.as_str(), l.expected, l.received))
        .collect();
    assert_eq!(
        received,
        vec![
            (sample::MILK, 48, 0),
            (sample::COFFEE, 24, 12),
            (sample::TOWELS, 96, 53),
            (sample::VITAMINS, 12, 0),
        ]
    );
    assert_integrity(&f);
}

// ---- blind receipts --------------------------------------------------------------------------

#[test]
fn a_blind_receipt_gets_one_line_per_item_and_lot_and_closes_without_discrepancies() {
    let f = seeded();
    let (open_op, opened) = open_blind(&f, "DN-5521");
    assert_eq!(opened.id, "DN-5521");
    assert_eq!(opened.kind, receiving::ReceiptKind::Blind);
    assert_eq!(opened.status, receiving::ReceiptStatus::Open);
    assert!(opened.lines.is_empty());

    let blind = |scan: ScannedGoods, qty: i64| {
        receiving::receive_line(&f.store, &receive_on("DN-5521", scan, qty)).unwrap()
    };
    let towels = blind(ScannedGoods::barcode(sample::TOWELS_CS), 2);
    let c1 = blind(coffee("C-01"), 6);
    let c2_cmd = receive_on("DN-5521", coffee_case("C-02"), 1);
    let c2 = receiving::receive_line(&f.store, &c2_cmd).unwrap();
    let c1_again = blind(coffee("C-01"), 3);
    let towels_again = blind(ScannedGoods::barcode(sample::TOWELS_EA), 7);
    assert_eq!((towels.line_no, towels.line_expected), (1, 0));
    assert_eq!(
        (
            c1.line_no,
            c2.line_no,
            c1_again.line_no,
            towels_again.line_no
        ),
        (2, 3, 2, 1)
    );
    assert_eq!(c1_again.line_received, 9);
    assert_eq!(towels_again.line_received, 55);

    let r = the_receipt(&f, "DN-5521");
    let lines: Vec<(i64, &str, Option<&str>, i64, i64)> = r
        .lines
        .iter()
        .map(|l| {
            (
                l.line_no,
                l.sku.as_str(),
                l.lot.as_deref(),
                l.expected,
                l.received,
            )
        })
        .collect();
    assert_eq!(
        lines,
        vec![
            (1, sample::TOWELS, None, 0, 55),
            (2, sample::COFFEE, Some("C-01"), 0, 9),
            (3, sample::COFFEE, Some("C-02"), 0, 6),
        ]
    );
    let received_event = &events_of(&f, c2_cmd.op_id)[0];
    assert_eq!(received_event.payload["receipt_kind"], "blind");

    let close_cmd = close("DN-5521");
    let closed = receiving::close_receipt(&f.store, &close_cmd).unwrap();
    assert!(closed.discrepancies.is_empty(), "{closed:?}");
    assert_eq!(closed.total_received, 70);
    assert_eq!(
        the_receipt(&f, "DN-5521").status,
        receiving::ReceiptStatus::Closed
    );

    let opened_events = events_of(&f, open_op);
    assert_eq!(opened_events.len(), 1);
    assert_eq!(opened_events[0].event_type, EventKind::BlindOpened.as_str());
    assert_eq!(opened_events[0].payload["receipt_id"], "DN-5521");
    assert_eq!(opened_events[0].payload["supplier"], "Walk-in supplier");
    let closed_events = events_of(&f, close_cmd.op_id);
    let types: Vec<&str> = closed_events
        .iter()
        .map(|e| e.event_type.as_str())
        .collect();
    assert_eq!(types, vec![EventKind::ReceiptClosed.as_str()]);
    assert_eq!(closed_events[0].payload["discrepancies"], 0);
    assert_eq!(closed_events[0].payload["total_received"], 70);
    assert!(
        all_events(&f)
            .iter()
            .all(|e| e.event_type != EventKind::ReceiptDiscrepancy.as_str()),
        "a blind receipt expects nothing, so nothing can be short or over"
    );
    assert_integrity(&f);
}

// ---- tolerance and approvals -----------------------------------------------------------------

#[test]
fn an_over_receipt_within_five_percent_is_accepted_without_a_supervisor() {
    let f = seeded();
    receiving::receive_line(&f.store, &receive(milk_scan(sample::MILK_CS), 4)).unwrap();
    // 48 expected, 5% is 2.4: 50 is still within the tolerance.
    let over = receiving::receive_line(&f.store, &receive(milk_scan(sample::MILK_EA), 2)).unwrap();
    assert_eq!((over.line_received, over.line_expected), (50, 48));
    assert_eq!(over.status, StockStatus::Received);
    assert_eq!(over.approved_by, None);
    assert_eq!(line(&f, sample::ASN, 1).received, 50);
    assert_eq!(at(&f, "DOCK-01")[0].quantity, 50);
    assert_integrity(&f);
}

#[test]
fn an_over_receipt_beyond_the_tolerance_needs_a_supervisor_and_receives_nothing() {
    let f = seeded();
    receiving::receive_line(&f.store, &receive(milk_scan(sample::MILK_CS), 4)).unwrap();
    let err = receiving::receive_line(&f.store, &receive(milk_scan(sample::MILK_EA), 3))
        .expect_err("51 against 48 expected is beyond 5%");
    assert_eq!(err.code(), "over_receipt");
    assert_eq!(err.kind(), dockhand_core::ErrorKind::NeedsSupervisor);
    assert_message_names(&err, &[sample::MILK, sample::ASN, "51", "48", "50", "5%"]);
    assert_eq!(line(&f, sample::ASN, 1).received, 48);
    assert_eq!(at(&f, "DOCK-01")[0].quantity, 48);
    assert_eq!(all_events(&f).len(), 1);
}

#[test]
fn a_supervisor_approves_an_over_receipt_and_the_event_names_the_approver() {
    let f = seeded();
    receiving::receive_line(&f.store, &receive(milk_scan(sample::MILK_CS), 4)).unwrap();
    let mut cmd = receive(milk_scan(sample::MILK_CS), 1);
    cmd.approval = Some(sample::badge_of("sam"));
    let r = receiving::receive_line(&f.store, &cmd).unwrap();
    assert_eq!((r.line_received, r.line_expected), (60, 48));
    assert_eq!(r.approved_by.as_deref(), Some("sam"));
    assert_eq!(r.status, StockStatus::Received);
    assert_eq!(line(&f, sample::ASN, 1).received, 60);
    assert_eq!(at(&f, "DOCK-01")[0].quantity, 60);

    let events = events_of(&f, cmd.op_id);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].event_type, EventKind::LineReceived.as_str());
    assert_eq!(events[0].user_id, "alice");
    assert_eq!(events[0].payload["approved_by"], "sam");
    assert_eq!(events[0].payload["base_quantity"], 12);

    // The approval covered that scan only: the next one beyond the tolerance needs its own.
    let err = receiving::receive_line(&f.store, &receive(milk_scan(sample::MILK_EA), 1))
        .expect_err("61 against 48 expected");
    assert_eq!(err.code(), "over_receipt");
    assert_message_names(&err, &["61", "48"]);
    assert_integrity(&f);
}

#[test]
fn an_operator_cannot_approve_an_over_receipt() {
    let f = seeded();
    receiving::receive_line(&f.store, &receive(milk_scan(sample::MILK_CS), 4)).unwrap();
    let mut cmd = receive(milk_scan(sample::MILK_CS), 1);
    cmd.approval = Some(sample::badge_of("bob"));
    let err = receiving::receive_line(&f.store, &cmd).expect_err("bob is not a supervisor");
    assert_eq!(err.code(), "not_a_supervisor");
    assert_eq!(err.kind(), dockhand_core::ErrorKind::NeedsSupervisor);
    assert_message_names(&err, &["bob"]);
    assert_eq!(line(&f, sample::ASN, 1).received, 48);
    assert!(events_of(&f, cmd.op_id).is_empty());
}

// ---- quarantine on receipt -------------------------------------------------------------------

#[test]
fn vitamins_that_need_inspection_land_quarantined_with_the_reason() {
    let f = seeded();
    let scan = ScannedGoods::barcode(sample::VITAMINS_EA)
        .with_lot("V-9")
        .with_expiry(date(2027, 6, 30));
    let cmd = receive(scan, 12);
    let r = receiving::receive_line(&f.store, &cmd).unwrap();
    assert_eq!(r.status, StockStatus::Quarantined);
    assert_eq!(r.quarantine_reason.as_deref(), Some("inspection required"));
    assert_eq!((r.line_no, r.line_received, r.line_expected), (4, 12, 12));

    let dock = at(&f, "DOCK-01");
    assert_eq!(dock.len(), 1);
    assert_eq!(
        (
            dock[0].sku.as_str(),
            dock[0].lot.as_str(),
            dock[0].expiry,
            dock[0].status,
            dock[0].quantity
        ),
        (
            sample::VITAMINS,
            "V-9",
            Some(date(2027, 6, 30)),
            StockStatus::Quarantined,
            12
        )
    );
    let totals = f.store.read(stock::totals_by_status).unwrap();
    let received = totals
        .iter()
        .find(|t| t.status == StockStatus::Received)
        .unwrap();
    assert_eq!(
        received.quantity, 0,
        "held goods must not count as received"
    );
    let event = &events_of(&f, cmd.op_id)[0];
    assert_eq!(event.payload["status"], "quarantined");
    assert_eq!(event.payload["quarantine_reason"], "inspection required");
    assert_integrity(&f);
}

#[test]
fn short_dated_milk_is_refused_without_a_supervisor() {
    let f = seeded();
    // 13 days left on 2026-11-27; the milk needs 30.
    let scan = ScannedGoods::barcode(sample::MILK_CS)
        .with_lot("L2611S")
        .with_expiry(date(2026, 12, 10));
    let err = receiving::receive_line(&f.store, &receive(scan, 1)).expect_err("short-dated");
    assert_eq!(err.code(), "short_dated");
    assert_eq!(err.kind(), dockhand_core::ErrorKind::NeedsSupervisor);
    assert_message_names(
        &err,
        &[sample::MILK, "L2611S", "2026-12-10", "13 days", "30"],
    );
    assert!(at(&f, "DOCK-01").is_empty());
    assert_eq!(line(&f, sample::ASN, 1).received, 0);
}

#[test]
fn short_dated_milk_approved_by_a_supervisor_lands_quarantined() {
    let f = seeded();
    let scan = ScannedGoods::barcode(sample::MILK_CS)
        .with_lot("L2611S")
        .with_expiry(date(2026, 12, 10));
    let mut cmd = receive(scan, 1);
    cmd.approval = Some(sample::badge_of("sam"));
    let r = receiving::receive_line(&f.store, &cmd).unwrap();
    assert_eq!(r.status, StockStatus::Quarantined);
    assert_eq!(r.approved_by.as_deref(), Some("sam"));
    let reason = r.quarantine_reason.clone().unwrap();
    for value in ["short-dated", "L2611S", "2026-12-10", "sam"] {
        assert!(
            reason.contains(value),
            "reason {reason:?} should name {value}"
        );
    }
    let dock = at(&f, "DOCK-01");
    assert_eq!(
        (dock[0].lot.as_str(), dock[0].status, dock[0].quantity),
        ("L2611S", StockStatus::Quarantined, 12)
    );
    assert_eq!(line(&f, sample::ASN, 1).received, 12);
    let event = &events_of(&f, cmd.op_id)[0];
    assert_eq!(event.payload["status"], "quarantined");
    assert_eq!(event.payload["approved_by"], "sam");
    assert_eq!(event.payload["quarantine_reason"], reason.as_str());
    assert_integrity(&f);
}

#[test]
fn milk_with_exactly_the_minimum_shelf_life_left_is_received_normally() {
    let f = seeded();
    // 2026-12-27 is exactly 30 days after 2026-11-27.
    let scan = ScannedGoods::barcode(sample::MILK_CS)
        .with_lot("L30")
        .with_expiry(date(2026, 12, 27));
    let r = receiving::receive_line(&f.store, &receive(scan, 1)).unwrap();
    assert_eq!(r.status, StockStatus::Received);
    assert_eq!(r.quarantine_reason, None);

    let one_day_less = ScannedGoods::barcode(sample::MILK_CS)
        .with_lot("L29")
        .with_expiry(date(2026, 12, 26));
    let err = receiving::receive_line(&f.store, &receive(one_day_less, 1)).unwrap_err();
    assert_eq!(err.code(), "short_dated");
    assert_message_names(&err, &["29 days"]);
}

#[test]
fn expiry_is_judged_by_the_local_date_on_the_device() {
    let f = seeded();
    // 23:30 on 2026-11-27 in New York is already 2026-11-28 in UTC: a lot expiring on the 27th
    // is still good at that dock.
    f.clock
        .set(chrono::DateTime::parse_from_rfc3339("2026-11-27T23:30:00-05:00").unwrap());
    let today = ScannedGoods::barcode(sample::VITAMINS_EA)
        .with_lot("V-TODAY")
        .with_expiry(date(2026, 11, 27));
    let r = receiving::receive_line(&f.store, &receive(today, 1)).unwrap();
    assert_eq!(r.status, StockStatus::Quarantined);

    // 00:30 on 2026-11-28 in Paris is still 2026-11-27 in UTC: the same date has passed there.
    f.clock
        .set(chrono::DateTime::parse_from_rfc3339("2026-11-28T00:30:00+01:00").unwrap());
    let yesterday = ScannedGoods::barcode(sample::VITAMINS_EA)
        .with_lot("V-YDAY")
        .with_expiry(date(2026, 11, 27));
    let err = receiving::receive_line(&f.store, &receive(yesterday, 1)).unwrap_err();
    assert_eq!(err.code(), "lot_expired");
    assert_message_names(&err, &["V-YDAY", "2026-11-27"]);
}

// ---- closing ---------------------------------------------------------------------------------

#[test]
fn closing_reports_each_short_or_over_line_and_no_more_goods_can_be_received() {
    let f = seeded();
    // Milk 24 of 48 (short), coffee 25 of 24 (over, within tolerance), towels 96 of 96 (exact),
    // vitamins 0 of 12 (short).
    receiving::receive_line(&f.store, &receive(milk_scan(sample::MILK_CS), 2)).unwrap();
    receiving::receive_line(&f.store, &receive(coffee("C-01"), 25)).unwrap();
    receiving::receive_line(
        &f.store,
        &receive(ScannedGoods::barcode(sample::TOWELS_CS), 4),
    )
    .unwrap();

    let cmd = close(sample::ASN);
    let closed = receiving::close_receipt(&f.store, &cmd).unwrap();
    let found: Vec<(i64, &str, i64, i64, i64)> = closed
        .discrepancies
        .iter()
        .map(|d| {
            (
                d.line_no,
                d.sku.as_str(),
                d.expected,
                d.received,
                d.difference,
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![
            (1, sample::MILK, 48, 24, -24),
            (2, sample::COFFEE, 24, 25, 1),
            (4, sample::VITAMINS, 12, 0, -12),
        ]
    );
    assert_eq!(closed.total_received, 24 + 25 + 96);

    let events = events_of(&f, cmd.op_id);
    let types: Vec<&str> = events.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(
        types,
        vec![
            EventKind::ReceiptDiscrepancy.as_str(),
            EventKind::ReceiptDiscrepancy.as_str(),
            EventKind::ReceiptDiscrepancy.as_str(),
            EventKind::ReceiptClosed.as_str()
        ]
    );
    let payloads: Vec<(i64, i64, i64, i64, String)> = events[..3]
        .iter()
        .map(|e| {
            (
                e.payload["line_no"].as_i64().unwrap(),
                e.payload["expected"].as_i64().unwrap(),
                e.payload["received"].as_i64().unwrap(),
                e.payload["difference"].as_i64().unwrap(),
                e.payload["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        payloads,
        vec![
            (1, 48, 24, -24, "short".to_string()),
            (2, 24, 25, 1, "over".to_string()),
            (4, 12, 0, -12, "short".to_string()),
        ]
    );
    assert!(events[..3].iter().all(|e| e.payload["sku"].is_string()
        && e.payload["receipt_id"] == sample::ASN
        && e.payload["reference"] == "PO-7788"));
    let closed_event = &events[3];
    assert_eq!(closed_event.payload["discrepancies"], 3);
    assert_eq!(closed_event.payload["lines"], 4);
    assert_eq!(closed_event.payload["total_received"], 145);
    let seqs: Vec<i64> = events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, vec![4, 5, 6, 7]);
    assert_eq!(
        the_receipt(&f, sample::ASN).status,
        receiving::ReceiptStatus::Closed
    );

    let late = receive(coffee("C-01"), 1);
    let err = receiving::receive_line(&f.store, &late).expect_err("the receipt is closed");
    assert_eq!(err.code(), "receipt_closed");
    assert_eq!(err.kind(), dockhand_core::ErrorKind::Conflict);
    assert_message_names(&err, &[sample::ASN]);
    let again = receiving::close_receipt(&f.store, &close(sample::ASN)).unwrap_err();
    assert_eq!(again.code(), "receipt_closed");
    assert_eq!(line(&f, sample::ASN, 2).received, 25);
    assert_eq!(all_events(&f).len(), 7);
    assert_integrity(&f);
}

#[test]
fn closing_a_fully_received_receipt_emits_only_the_closed_event() {
    let f = seeded();
    let exact = expected_receipt("ASN-3003", vec![expected_line(1, sample::TOWELS, 2, "CS")]);
    receiving::load_expected_receipts(&f.store, &[exact]).unwrap();
    receiving::receive_line(
        &f.store,
        &receive_on("ASN-3003", ScannedGoods::barcode(sample::TOWELS_CS), 2),
    )
    .unwrap();
    let cmd = close("ASN-3003");
    let closed = receiving::close_receipt(&f.store, &cmd).unwrap();
    assert!(closed.discrepancies.is_empty());
    assert_eq!(closed.total_received, 48);
    let types: Vec<String> = events_of(&f, cmd.op_id)
        .into_iter()
        .map(|e| e.envelope.event_type)
        .collect();
    assert_eq!(types, vec![EventKind::ReceiptClosed.as_str().to_string()]);
}

// ---- pallets (SSCC) --------------------------------------------------------------------------

#[test]
fn the_pallet_sscc_scanned_as_lpn_is_matched_to_its_asn_line() {
    let f = seeded();
    // Two milk lines of the same lot: only line 2 arrives on the pallet.
    let mut loose = expected_line(1, sample::MILK, 2, "CS");
    loose.lot = Some("L2611A".into());
    let mut pallet = expected_line(2, sample::MILK, 2, "CS");
    pallet.lot = Some("L2611A".into());
    pallet.sscc = Some(sample::MILK_PALLET.into());
    receiving::load_expected_receipts(
        &f.store,
        &[expected_receipt("ASN-2002", vec![loose, pallet])],
    )
    .unwrap();

    let mut on_pallet = receive_on("ASN-2002", milk_scan(sample::MILK_CS), 1);
    on_pallet.lpn = Some(format!(" {} ", sample::MILK_PALLET));
    let r = receiving::receive_line(&f.store, &on_pallet).unwrap();
    assert_eq!(
        (r.line_no, r.line_expected, r.lpn.as_str()),
        (2, 24, sample::MILK_PALLET)
    );
    let event = &events_of(&f, on_pallet.op_id)[0];
    assert_eq!(event.payload["sscc"], sample::MILK_PALLET);
    assert_eq!(event.payload["lpn"], sample::MILK_PALLET);

    let without_pallet = receive_on("ASN-2002", milk_scan(sample::MILK_CS), 1);
    let r = receiving::receive_line(&f.store, &without_pallet).unwrap();
    assert_eq!(r.line_no, 1);

    let lines: Vec<(i64, i64, Option<String>)> = the_receipt(&f, "ASN-2002")
        .lines
        .into_iter()
        .map(|l| (l.line_no, l.received, l.sscc))
        .collect();
    assert_eq!(
        lines,
        vec![
            (1, 12, None),
            (2, 12, Some(sample::MILK_PALLET.to_string()))
        ]
    );
    let dock = at(&f, "DOCK-01");
    let by_plate: Vec<(&str, i64)> = dock.iter().map(|b| (b.lpn.as_str(), b.quantity)).collect();
    assert_eq!(by_plate, vec![("", 12), (sample::MILK_PALLET, 12)]);
    assert_integrity(&f);
}

#[test]
fn the_sample_asn_pallet_lands_on_the_dock_under_its_sscc() {
    let f = seeded();
    assert_eq!(
        line(&f, sample::ASN, 1).sscc.as_deref(),
        Some(sample::MILK_PALLET)
    );
    let mut cmd = receive(milk_scan(sample::MILK_CS), 4);
    cmd.lpn = Some(sample::MILK_PALLET.into());
    let r = receiving::receive_line(&f.store, &cmd).unwrap();
    assert_eq!((r.line_no, r.line_received), (1, 48));
    let dock = at(&f, "DOCK-01");
    assert_eq!(
        (dock[0].lpn.as_str(), dock[0].quantity),
        (sample::MILK_PALLET, 48)
    );
    assert_eq!(
        events_of(&f, cmd.op_id)[0].payload["sscc"],
        sample::MILK_PALLET
    );
}

// ---- expected receipts from the hub ----------------------------------------------------------

#[test]
fn reloading_expected_receipts_replaces_untouched_ones_and_keeps_those_being_received() {
    let f = seeded();
    let first = expected_receipt("ASN-2001", vec![expected_line(1, sample::TOWELS, 2, "CS")]);
    let loaded = receiving::load_expected_receipts(&f.store, &[first]).unwrap();
    assert_eq!((loaded.loaded, loaded.kept_local.len()), (1, 0));
    receiving::receive_line(&f.store, &receive(milk_scan(sample::MILK_CS), 2)).unwrap();

    let mut changed_asn = sample::asn();
    changed_asn.lines[0].quantity = 10;
    changed_asn.supplier = "Someone else".into();
    let mut changed_2001 = expected_receipt(
        "ASN-2001",
        vec![
            expected_line(1, sample::TOWELS, 5, "CS"),
            expected_line(2, sample::COFFEE, 12, "EA"),
        ],
    );
    changed_2001.supplier = "Acme Paper & Co".into();
    let outcome =
        receiving::load_expected_receipts(&f.store, &[changed_asn, changed_2001]).unwrap();
    assert_eq!(outcome.loaded, 1);
    assert_eq!(outcome.kept_local, vec![sample::ASN.to_string()]);

    let kept = the_receipt(&f, sample::ASN);
    assert_eq!(kept.supplier, "Nordic Foods");
    assert_eq!((kept.lines[0].expected, kept.lines[0].received), (48, 24));
    assert_eq!(kept.lines.len(), 4);
    let replaced = the_receipt(&f, "ASN-2001");
    assert_eq!(replaced.supplier, "Acme Paper & Co");
    let lines: Vec<(i64, &str, i64, i64)> = replaced
        .lines
        .iter()
        .map(|l| (l.line_no, l.sku.as_str(), l.expected, l.received))
        .collect();
    assert_eq!(
        lines,
        vec![(1, sample::TOWELS, 120, 0), (2, sample::COFFEE, 12, 0)]
    );
    assert_eq!(at(&f, "DOCK-01")[0].quantity, 24);
    assert_integrity(&f);
}

#[test]
fn a_closed_receipt_is_kept_when_the_hub_sends_it_again() {
    let f = seeded();
    receiving::close_receipt(&f.store, &close(sample::ASN)).unwrap();
    let outcome = receiving::load_expected_receipts(&f.store, &[sample::asn()]).unwrap();
    assert_eq!(outcome.loaded, 0);
    assert_eq!(outcome.kept_local, vec![sample::ASN.to_string()]);
    assert_eq!(
        the_receipt(&f, sample::ASN).status,
        receiving::ReceiptStatus::Closed
    );
}

// ---- replays ---------------------------------------------------------------------------------

#[test]
fn a_double_trigger_pull_returns_the_first_result_and_records_nothing_more() {
    let f = seeded();
    let cmd = receive(milk_scan(sample::MILK_CS), 2);
    let first = receiving::receive_line(&f.store, &cmd).unwrap();
    let before = dump(&f.store);
    f.clock.advance(chrono::Duration::seconds(3));

    let second = receiving::receive_line(&f.store, &cmd).unwrap();
    assert_eq!(second, first);
    assert_eq!(dump(&f.store), before, "a replay must not write anything");
    assert_eq!(events_of(&f, cmd.op_id).len(), 1);
    assert_eq!(line(&f, sample::ASN, 1).received, 24);
    assert_eq!(at(&f, "DOCK-01")[0].quantity, 24);
    assert_integrity(&f);
}

#[test]
fn a_replay_after_the_receipt_closed_still_returns_the_first_result() {
    let f = seeded();
    let cmd = receive(milk_scan(sample::MILK_CS), 2);
    let first = receiving::receive_line(&f.store, &cmd).unwrap();
    let close_cmd = close(sample::ASN);
    let closed = receiving::close_receipt(&f.store, &close_cmd).unwrap();
    let before = dump(&f.store);

    assert_eq!(receiving::receive_line(&f.store, &cmd).unwrap(), first);
    assert_eq!(
        receiving::close_receipt(&f.store, &close_cmd).unwrap(),
        closed
    );
    assert_eq!(dump(&f.store), before);
    assert_eq!(
        events_of(&f, close_cmd.op_id)
            .iter()
            .filter(|e| e.event_type == EventKind::ReceiptClosed.as_str())
            .count(),
        1
    );
}

#[test]
fn replaying_the_opening_of_a_blind_receipt_opens_it_once() {
    let f = seeded();
    let cmd = receiving::OpenBlindReceipt {
        op_id: op(),
        operator: "alice".into(),
        receipt_id: "DN-1".into(),
        reference: "note 1".into(),
        supplier: "Local bakery".into(),
    };
    let first = receiving::open_blind_receipt(&f.store, &cmd).unwrap();
    let before = dump(&f.store);
    assert_eq!(
        receiving::open_blind_receipt(&f.store, &cmd).unwrap(),
        first
    );
    assert_eq!(dump(&f.store), before);

    let mut other = cmd.clone();
    other.op_id = op();
    let err = receiving::open_blind_receipt(&f.store, &other).unwrap_err();
    assert_eq!(err.code(), "receipt_exists");
    assert_message_names(&err, &["DN-1"]);
}

// ---- serial numbers --------------------------------------------------------------------------

#[test]
fn a_drill_needs_its_serial_one_unit_per_scan_and_a_serial_already_in_stock_is_refused() {
    let f = seeded();
    open_blind(&f, "DN-DRILLS");
    let drill = |serial: Option<&str>, qty: i64| {
        let mut scan = ScannedGoods::barcode(sample::DRILL_EA);
        if let Some(s) = serial {
            scan = scan.with_serial(s);
        }
        receive_on("DN-DRILLS", scan, qty)
    };

    let err = receiving::receive_line(&f.store, &drill(None, 1)).unwrap_err();
    assert_eq!(err.code(), "serial_required");
    assert_message_names(&err, &[sample::DRILL]);

    let err = receiving::receive_line(&f.store, &drill(Some("SN-0001"), 2)).unwrap_err();
    assert_eq!(err.code(), "invalid_input");
    assert_message_names(&err, &[sample::DRILL, "2"]);
    assert!(at(&f, "DOCK-01").is_empty());

    let r = receiving::receive_line(&f.store, &drill(Some("SN-0001"), 1)).unwrap();
    assert_eq!((r.serial.as_str(), r.base_quantity), ("SN-0001", 1));

    let err = receiving::receive_line(&f.store, &drill(Some("SN-0001"), 1)).unwrap_err();
    assert_eq!(err.code(), "duplicate_serial");
    assert_message_names(&err, &["SN-0001", sample::DRILL, "DOCK-01"]);

    receiving::receive_line(&f.store, &drill(Some("SN-0002"), 1)).unwrap();
    let dock = at(&f, "DOCK-01");
    let serials: Vec<(&str, i64)> = dock
        .iter()
        .map(|b| (b.serial.as_str(), b.quantity))
        .collect();
    assert_eq!(serials, vec![("SN-0001", 1), ("SN-0002", 1)]);
    let r = the_receipt(&f, "DN-DRILLS");
    assert_eq!(r.lines.len(), 1, "one line per item and lot: {r:?}");
    assert_eq!(r.lines[0].received, 2);
    assert_integrity(&f);
}

#[test]
fn a_serial_already_put_away_is_refused_naming_its_storage_location() {
    let f = seeded();
    open_blind(&f, "DN-DRILLS");
    let scan = ScannedGoods::barcode(sample::DRILL_EA).with_serial("SN-0042");
    receiving::receive_line(&f.store, &receive_on("DN-DRILLS", scan.clone(), 1)).unwrap();
    dockhand_core::putaway::confirm_putaway(
        &f.store,
        &dockhand_core::putaway::ConfirmPutaway {
            op_id: op(),
            operator: "bob".into(),
            from: "DOCK-01".into(),
            scan: scan.clone(),
            lpn: None,
            quantity: 1,
            to: "A-01-01".into(),
            location_scan: "41".into(),
            override_reason: None,
        },
    )
    .unwrap();
    let err = receiving::receive_line(&f.store, &receive_on("DN-DRILLS", scan, 1)).unwrap_err();
    assert_eq!(err.code(), "duplicate_serial");
    assert_message_names(&err, &["SN-0042", "A-01-01"]);
}

// ---- absurd master data ----------------------------------------------------------------------

#[test]
fn an_asn_line_with_an_absurd_quantity_is_refused_or_received_against_without_crashing() {
    let f = seeded();
    let huge = expected_receipt(
        "ASN-HUGE",
        vec![expected_line(
            1,
            sample::TOWELS,
            4_000_000_000_000_000_000,
            "EA",
        )],
    );
    match receiving::load_expected_receipts(&f.store, &[huge]) {
        Err(err) => assert_eq!(err.code(), "quantity_too_large", "{err}"),
        Ok(_) => {
            let r = receiving::receive_line(
                &f.store,
                &receive_on("ASN-HUGE", ScannedGoods::barcode(sample::TOWELS_EA), 1),
            )
            .expect("one towel against a huge expected quantity is not an over-receipt");
            assert_eq!(r.line_received, 1);
        }
    }
}

#[test]
fn a_mistyped_expiry_of_a_known_lot_is_a_mismatch_not_an_expired_lot() {
    let f = seeded();
    receiving::receive_line(&f.store, &receive(milk_scan(sample::MILK_EA), 1)).unwrap();
    let typo = ScannedGoods::barcode(sample::MILK_EA)
        .with_lot("L2611A")
        .with_expiry(date(2026, 1, 1));
    let err = assert_rejected(&f.store, "lot_expiry_mismatch", || {
        receiving::receive_line(&f.store, &receive(typo, 1))
    });
    assert_message_names(&err, &["L2611A", "2027-03-01", "2026-01-01"]);
}

#[test]
fn a_supervisor_is_recorded_only_for_a_rule_that_needed_approval() {
    let f = seeded();
    let mut cmd = receive(milk_scan(sample::MILK_CS), 1);
    cmd.approval = Some(sample::badge_of("sam"));
    let r = receiving::receive_line(&f.store, &cmd).unwrap();
    assert_eq!(r.approved_by, None);
    assert_eq!(
        events_of(&f, cmd.op_id)[0].payload["approved_by"],
        serde_json::Value::Null
    );
}

#[test]
fn a_deactivated_operator_is_told_so() {
    let f = seeded();
    let mut data = sample::warehouse();
    data.operators[1].active = false;
    dockhand_core::catalog::upsert_master_data(&f.store, &data).unwrap();
    let mut cmd = receive(milk_scan(sample::MILK_CS), 1);
    cmd.operator = "bob".into();
    let err = assert_rejected(&f.store, "operator_inactive", || {
        receiving::receive_line(&f.store, &cmd)
    });
    assert_message_names(&err, &["bob", "deactivated"]);
}

#[test]
fn another_lot_than_the_asn_line_names_is_received_told_and_reported_at_close() {
    let f = seeded();
    // Line 1 expects milk lot L2611A; the supplier sent L2699Z.
    let other = || {
        ScannedGoods::barcode(sample::MILK_CS)
            .with_lot("L2699Z")
            .with_expiry(date(2027, 3, 9))
    };
    let told = receiving::receive_line(&f.store, &receive(other(), 3)).unwrap();
    assert_eq!(
        (
            told.line_no,
            told.lot.as_str(),
            told.expected_lot.as_deref()
        ),
        (1, "L2699Z", Some("L2611A"))
    );
    // A case of the other lot received by mistake is voided: it no longer counts.
    let mistake = receiving::receive_line(&f.store, &receive(other(), 1)).unwrap();
    corrections::void_movement(
        &f.store,
        &corrections::VoidMovement {
            op_id: op(),
            operator: "alice".into(),
            event_id: mistake.event_id,
            reason: "scanned twice".into(),
            approval: sample::badge_of("sam"),
        },
    )
    .unwrap();

    // The named lot is received without a word.
    let right = receiving::receive_line(&f.store, &receive(milk_scan(sample::MILK_CS), 1)).unwrap();
    assert_eq!(right.expected_lot, None);
    let cmd = close(sample::ASN);
    let closed = receiving::close_receipt(&f.store, &cmd).unwrap();
    let milk: Vec<_> = closed
        .discrepancies
        .iter()
        .filter(|d| d.line_no == 1)
        .collect();
    // 48 of 48 received: no quantity difference, one lot difference of 36 units.
    assert_eq!(milk.len(), 1, "{milk:?}");
    assert_eq!(
        (
            milk[0].kind,
            milk[0].received,
            milk[0].lot.as_deref(),
            milk[0].expected_lot.as_deref()
        ),
        (
            receiving::DiscrepancyKind::Lot,
            36,
            Some("L2699Z"),
            Some("L2611A")
        )
    );
    let reported: Vec<serde_json::Value> = events_of(&f, cmd.op_id)
        .into_iter()
        .filter(|e| e.event_type == EventKind::ReceiptDiscrepancy.as_str())
        .map(|e| e.payload.clone())
        .filter(|p| p["line_no"] == 1)
        .collect();
    assert_eq!(reported.len(), 1);
    assert_eq!(
        (
            reported[0]["kind"].as_str(),
            reported[0]["lot"].as_str(),
            reported[0]["expected_lot"].as_str(),
            reported[0]["received"].as_i64()
        ),
        (Some("lot"), Some("L2699Z"), Some("L2611A"), Some(36))
    );
}
