//! Stock: balances by status, reservations and available to promise, and `verify_integrity`
//! catching every kind of disagreement between the ledger and what the device claims.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use dockhand_core::protocol::EventKind;
use dockhand_core::putaway::{self, ConfirmPutaway};
use dockhand_core::stock::{self, Bucket, Movement};
use dockhand_core::{ScannedGoods, StockStatus, catalog, outbox, receiving, sample};
use rusqlite::Connection;

/// 24 coffee of lot C-1 received and put away to A-01-01.
fn coffee_on_a_shelf(f: &Fixture) {
    let coffee = ScannedGoods::barcode(sample::COFFEE_CS).with_lot("C-1");
    receiving::receive_line(&f.store, &receive(coffee.clone(), 4)).unwrap();
    putaway::confirm_putaway(
        &f.store,
        &ConfirmPutaway {
            op_id: op(),
            operator: "bob".into(),
            from: "DOCK-01".into(),
            scan: coffee,
            lpn: None,
            quantity: 4,
            to: "A-01-01".into(),
            location_scan: "41".into(),
            override_reason: None,
        },
    )
    .unwrap();
}

fn ids(f: &Fixture) -> (i64, i64) {
    f.store
        .read(|c| {
            Ok((
                catalog::item_by_sku(c, sample::COFFEE)?.id,
                catalog::location_by_code(c, "A-01-01")?.id,
            ))
        })
        .unwrap()
}

#[test]
fn balances_are_kept_apart_by_status_and_queried_by_location_and_item() {
    let f = seeded();
    coffee_on_a_shelf(&f);
    let vitamins = ScannedGoods::barcode(sample::VITAMINS_EA)
        .with_lot("V1")
        .with_expiry(date(2027, 5, 1));
    receiving::receive_line(&f.store, &receive(vitamins, 5)).unwrap();
    receiving::receive_line(
        &f.store,
        &receive(ScannedGoods::barcode(sample::TOWELS_CS), 1),
    )
    .unwrap();

    let totals = f.store.read(stock::totals_by_status).unwrap();
    let of = |s: StockStatus| totals.iter().find(|t| t.status == s).unwrap().quantity;
    assert_eq!(
        (
            of(StockStatus::Available),
            of(StockStatus::Quarantined),
            of(StockStatus::Received)
        ),
        (24, 5, 24)
    );
    assert_eq!(of(StockStatus::Damaged), 0);

    let dock = f
        .store
        .read(|c| stock::balances_at_location(c, "DOCK-01"))
        .unwrap();
    assert_eq!(
        dock.iter()
            .map(|b| (b.sku.as_str(), b.status, b.quantity))
            .collect::<Vec<_>>(),
        vec![
            (sample::TOWELS, StockStatus::Received, 24),
            (sample::VITAMINS, StockStatus::Quarantined, 5),
        ]
    );
    let coffee = f
        .store
        .read(|c| stock::balances_for_item(c, sample::COFFEE))
        .unwrap();
    assert_eq!(coffee.len(), 1);
    assert_eq!(
        (
            coffee[0].location.as_str(),
            coffee[0].lot.as_str(),
            coffee[0].quantity
        ),
        ("A-01-01", "C-1", 24)
    );
    assert_eq!(
        f.store
            .read(|c| stock::balances_at_location(c, "Z-99"))
            .unwrap_err()
            .code(),
        "unknown_location"
    );
}

#[test]
fn reservations_reduce_available_to_promise_and_protect_the_stock() {
    let f = seeded();
    coffee_on_a_shelf(&f);
    let (item, loc) = ids(&f);
    f.store
        .write(|tx| stock::reserve(tx, item, loc, "C-1", 10, "PICK-1/1"))
        .unwrap();
    let atp = f
        .store
        .read(|c| stock::available_to_promise(c, sample::COFFEE))
        .unwrap();
    assert_eq!((atp.available, atp.reserved, atp.promisable), (24, 10, 14));

    let err = assert_rejected(&f.store, "insufficient_available", || {
        f.store
            .write(|tx| stock::reserve(tx, item, loc, "C-1", 15, "PICK-2/1"))
    });
    assert!(err.to_string().contains("only 14"), "{err}");

    // Moving 20 away would take reserved stock.
    let move_20 = Movement {
        item_id: item,
        quantity: 20,
        from: Some(Bucket {
            location_id: loc,
            lot: "C-1".into(),
            serial: String::new(),
            lpn: String::new(),
            status: StockStatus::Available,
        }),
        to: None,
        reason: "test".into(),
    };
    let err = assert_rejected(&f.store, "insufficient_stock", || {
        f.store.write(|tx| stock::apply(tx, &move_20))
    });
    assert!(
        err.to_string().contains("only 14 unreserved available"),
        "{err}"
    );

    assert_eq!(
        f.store
            .write(|tx| stock::release_reservations(tx, "PICK-1/1"))
            .unwrap(),
        10
    );
    let atp = f
        .store
        .read(|c| stock::available_to_promise(c, sample::COFFEE))
        .unwrap();
    assert_eq!(atp.promisable, 24);
    assert!(
        f.store
            .read(|c| stock::reservations_for(c, None))
            .unwrap()
            .is_empty()
    );
    assert!(f.store.verify_integrity().unwrap().is_ok());
}

#[test]
fn a_balance_that_disagrees_with_the_ledger_is_reported_with_both_figures() {
    let f = seeded();
    coffee_on_a_shelf(&f);
    assert!(f.store.verify_integrity().unwrap().is_ok());
    let raw = Connection::open(f.path()).unwrap();
    raw.execute("UPDATE balances SET qty = qty + 1 WHERE lot = 'C-1'", [])
        .unwrap();
    let report = f.store.verify_integrity().unwrap();
    assert!(!report.is_ok());
    assert_eq!(report.balance_differences.len(), 1);
    let d = &report.balance_differences[0];
    assert_eq!(
        (d.sku.as_str(), d.location.as_str(), d.status.as_str()),
        (sample::COFFEE, "A-01-01", "available")
    );
    assert_eq!((d.ledger_quantity, d.compared_quantity), (24, 25));

    raw.execute("DELETE FROM balances WHERE lot = 'C-1'", [])
        .unwrap();
    let d = f
        .store
        .verify_integrity()
        .unwrap()
        .balance_differences
        .remove(0);
    assert_eq!((d.ledger_quantity, d.compared_quantity), (24, 0));
}

/// A reservation row written straight into the file, as another writer (or damage) would.
fn reserve_raw(raw: &Connection, (item, loc, lot): (i64, i64, &str), qty: i64, reference: &str) {
    raw.execute(
        "INSERT INTO reservations (item_id, location_id, lot, qty, reference, op_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 'x', 'now')",
        (item, loc, lot, qty, reference),
    )
    .unwrap();
}

#[test]
fn a_reservation_beyond_available_stock_is_reported() {
    let f = seeded();
    coffee_on_a_shelf(&f);
    let (item, loc) = ids(&f);
    let raw = Connection::open(f.path()).unwrap();
    reserve_raw(&raw, (item, loc, "C-1"), 30, "PICK-9/1");
    let report = f.store.verify_integrity().unwrap();
    assert_eq!(report.over_reservations.len(), 1);
    assert_eq!(
        (
            report.over_reservations[0].available,
            report.over_reservations[0].reserved
        ),
        (24, 30)
    );
}

#[test]
fn a_movement_without_quantity_or_ends_is_refused() {
    let f = seeded();
    let (item, loc) = ids(&f);
    let bucket = Bucket {
        location_id: loc,
        lot: String::new(),
        serial: String::new(),
        lpn: String::new(),
        status: StockStatus::Available,
    };
    let zero = Movement {
        item_id: item,
        quantity: 0,
        from: None,
        to: Some(bucket),
        reason: "t".into(),
    };
    assert_rejected(&f.store, "invalid_quantity", || {
        f.store.write(|tx| stock::apply(tx, &zero))
    });
    let nowhere = Movement {
        item_id: item,
        quantity: 1,
        from: None,
        to: None,
        reason: "t".into(),
    };
    assert_rejected(&f.store, "invalid_input", || {
        f.store.write(|tx| stock::apply(tx, &nowhere))
    });
}

#[test]
fn events_carry_every_stock_movement_to_the_hub() {
    let f = seeded();
    coffee_on_a_shelf(&f);
    let events = f.store.read(|c| outbox::events(c, 1, 100)).unwrap();
    let putaway = events
        .iter()
        .find(|e| e.event_type == EventKind::PutawayConfirmed.as_str())
        .unwrap();
    let moved = outbox::movements(putaway).unwrap();
    let legs: Vec<(&str, &str, i64)> = moved
        .iter()
        .map(|m| (m.location.as_str(), m.status.as_str(), m.delta))
        .collect();
    assert_eq!(
        legs,
        [("DOCK-01", "received", -24), ("A-01-01", "available", 24)]
    );
    assert!(
        moved
            .iter()
            .all(|m| m.sku == sample::COFFEE && m.lot == "C-1")
    );
    assert!(f.store.verify_integrity().unwrap().is_ok());

    // A ledger row no event carries would never reach the hub: reported with both figures.
    let (item, loc) = ids(&f);
    let raw = Connection::open(f.path()).unwrap();
    raw.execute(
        "INSERT INTO ledger (movement_id, op_id, item_id, location_id, lot, serial, lpn, status,
                             delta, reason, recorded_at)
         VALUES (999, 'x', ?1, ?2, 'C-1', '', '', 'available', 5, 'hand edit', 'now')",
        (item, loc),
    )
    .unwrap();
    let report = f.store.verify_integrity().unwrap();
    assert!(!report.is_ok());
    let d = &report.event_differences[0];
    assert_eq!(
        (d.location.as_str(), d.ledger_quantity, d.compared_quantity),
        ("A-01-01", 29, 24)
    );
}

#[test]
fn a_write_that_moves_stock_after_its_last_event_is_refused_whole() {
    let f = seeded();
    coffee_on_a_shelf(&f);
    let before = dump(&f.store);
    let (item, loc) = ids(&f);
    let err = f
        .store
        .write(|tx| {
            let bucket = |status| lot_bucket(loc, "C-1", status);
            stock::apply(
                tx,
                &Movement {
                    item_id: item,
                    quantity: 2,
                    from: Some(bucket(StockStatus::Available)),
                    to: Some(bucket(StockStatus::Damaged)),
                    reason: "no event".into(),
                },
            )
        })
        .unwrap_err();
    assert_eq!(err.code(), "internal");
    assert!(
        err.to_string().contains("after the command's last event"),
        "{err}"
    );
    assert_eq!(dump(&f.store), before);
}

/// `reserved_totals` (what the free-stock checks read) as rows of (item, location, lot, qty).
fn totals(raw: &Connection) -> Vec<(i64, i64, String, i64)> {
    raw.prepare("SELECT item_id, location_id, lot, qty FROM reserved_totals ORDER BY 1, 2, 3")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

#[test]
fn the_reserved_total_of_a_bucket_follows_every_reservation_written() {
    let f = seeded();
    coffee_on_a_shelf(&f);
    let (item, loc) = ids(&f);
    let other = f
        .store
        .read(|c| Ok(catalog::location_by_code(c, "A-01-02")?.id))
        .unwrap();
    let raw = Connection::open(f.path()).unwrap();
    reserve_raw(&raw, (item, loc, "C-1"), 5, "PICK-1/1");
    reserve_raw(&raw, (item, loc, "C-1"), 7, "PICK-2/1");
    reserve_raw(&raw, (item, loc, "C-2"), 3, "PICK-2/2");
    assert_eq!(
        totals(&raw),
        vec![(item, loc, "C-1".into(), 12), (item, loc, "C-2".into(), 3)]
    );
    // A partial release, a reservation moved to another place, one released whole.
    raw.execute(
        "UPDATE reservations SET qty = qty - 2 WHERE reference = 'PICK-2/1'",
        [],
    )
    .unwrap();
    raw.execute(
        "UPDATE reservations SET location_id = ?1 WHERE reference = 'PICK-2/2'",
        [other],
    )
    .unwrap();
    raw.execute("DELETE FROM reservations WHERE reference = 'PICK-1/1'", [])
        .unwrap();
    assert_eq!(
        totals(&raw),
        vec![(item, loc, "C-1".into(), 5), (item, other, "C-2".into(), 3)]
    );
    // What is free at the face reads the total: 24 on the shelf, 5 promised.
    let free = f
        .store
        .read(|c| stock::unreserved(c, item, loc, "C-1"))
        .unwrap();
    assert_eq!(free, 19);
    // Every reservation gone: no total left behind, and the check agrees.
    raw.execute("DELETE FROM reservations", []).unwrap();
    assert!(totals(&raw).is_empty());
    let report = f.store.verify_integrity().unwrap();
    assert!(report.reserved_total_differences.is_empty());
    assert!(report.is_ok(), "{report:?}");
}

#[test]
fn a_reserved_total_that_disagrees_with_its_reservations_is_reported() {
    let f = seeded();
    coffee_on_a_shelf(&f);
    let (item, loc) = ids(&f);
    let raw = Connection::open(f.path()).unwrap();
    reserve_raw(&raw, (item, loc, "C-1"), 4, "PICK-9/1");
    raw.execute("UPDATE reserved_totals SET qty = qty + 6", [])
        .unwrap();
    let report = f.store.verify_integrity().unwrap();
    assert!(!report.is_ok());
    let d = &report.reserved_total_differences;
    assert_eq!(d.len(), 1);
    assert_eq!(
        (d[0].sku.as_str(), d[0].location.as_str(), d[0].lot.as_str()),
        (sample::COFFEE, "A-01-01", "C-1")
    );
    assert_eq!((d[0].kept, d[0].reserved), (10, 4));
    // A total below its reservations does not stop their release: it goes to nothing.
    raw.execute("UPDATE reserved_totals SET qty = 1", [])
        .unwrap();
    raw.execute("DELETE FROM reservations", []).unwrap();
    assert!(totals(&raw).is_empty());
    assert!(f.store.verify_integrity().unwrap().is_ok());
}
