//! Replenishment of pick faces: a pick that leaves a face below its minimum raises one task in
//! the same transaction; the task says where to take the goods from (first expiring lot first);
//! a move carrying the task's id works it; refusals (an empty reserve, the wrong face, a
//! later-expiring lot, an unknown task, levels that make no sense) leave the database as it was;
//! a void takes back what it did.
#![allow(clippy::unwrap_used)]

mod common;

use chrono::NaiveDate;
use common::*;
use dockhand_core::catalog::{self, MasterData, Replenishment};
use dockhand_core::corrections::{self, VoidMovement};
use dockhand_core::moves::{self, ConfirmMove, MoveConfirmed};
use dockhand_core::picking::{self, ConfirmPick};
use dockhand_core::protocol::EventBody;
use dockhand_core::replenishment::{self, ReplenishmentTask};
use dockhand_core::{ScannedGoods, outbox, sample};

/// P-01-01 kept stocked with `sku` between `min` and `max`.
fn face_levels(f: &Fixture, sku: &str, min_units: i64, max_units: i64) {
    change_location(f, "P-01-01", |l| {
        l.replenish = Some(Replenishment {
            sku: sku.into(),
            min_units,
            max_units,
        })
    });
}

/// A pick task of `quantity` of `sku` for its own order, allocated.
fn order(f: &Fixture, task_id: &str, sku: &str, quantity: i64) {
    pick_task(f, task_id, &format!("SO-{task_id}"), sku, quantity);
}

/// Bob picks a task's next pick in full with `scan`, scanning the face's label.
fn pick_all(f: &Fixture, task_id: &str, scan: ScannedGoods) -> picking::PickConfirmed {
    let next = f
        .store
        .read(|c| picking::next_pick(c, task_id))
        .unwrap()
        .unwrap();
    assert_eq!(next.location, "P-01-01", "the face is picked first");
    picking::confirm_pick(
        &f.store,
        &ConfirmPick {
            op_id: op(),
            operator: "bob".into(),
            task_id: task_id.into(),
            allocation_id: next.allocation_id,
            location_scan: "71".into(),
            scan,
            quantity: next.quantity,
            tote: None,
            short: false,
        },
    )
    .unwrap()
}

/// Alice's move of `quantity` of `scan` from a reserve bin to a place, working `task_id`.
fn replenish(
    task_id: &str,
    from: (&str, &str),
    scan: ScannedGoods,
    quantity: i64,
    to: (&str, &str),
) -> ConfirmMove {
    ConfirmMove {
        op_id: op(),
        operator: "alice".into(),
        from: from.0.into(),
        from_scan: from.1.into(),
        scan: Some(scan),
        lpn: None,
        quantity,
        to: to.0.into(),
        to_scan: to.1.into(),
        reason: None,
        task_id: Some(task_id.into()),
    }
}

fn task(f: &Fixture, task_id: &str) -> ReplenishmentTask {
    f.store
        .read(|c| replenishment::replenishment_task(c, task_id))
        .unwrap()
}

fn units_at(f: &Fixture, location: &str) -> i64 {
    at(f, location).iter().map(|b| b.quantity).sum()
}

/// 24 towels on the face P-01-01, 72 in reserve at A-01-01; the face kept between 10 and 48.
fn towels_face(f: &Fixture) {
    stock_at(f, towels(), 24, "P-01-01", "71");
    stock_at(f, towels(), 72, "A-01-01", "41");
    face_levels(f, sample::TOWELS, 10, 48);
}

#[test]
fn a_pick_below_the_minimum_raises_one_task_that_a_move_from_reserve_works() {
    let f = seeded();
    towels_face(&f);
    order(&f, "T-1", sample::TOWELS, 10);
    let first = pick_all(&f, "T-1", towels());
    assert_eq!(
        first.replenishment_task_id, None,
        "14 left: above the minimum"
    );

    order(&f, "T-2", sample::TOWELS, 8);
    let second = pick_all(&f, "T-2", towels());
    let task_id = second.replenishment_task_id.expect("6 left: below 10");
    assert!(task_id.starts_with("R-"));
    let raised = task(&f, &task_id);
    assert_eq!(
        (
            raised.location.as_str(),
            raised.sku.as_str(),
            raised.quantity
        ),
        ("P-01-01", sample::TOWELS, 42),
        "back up to 48 from the 6 left"
    );
    assert_eq!((raised.moved, raised.status.as_str()), (0, "open"));
    let events = f.store.read(|c| outbox::events(c, 0, 10_000)).unwrap();
    let Some(EventBody::ReplenishmentRaised(event)) = events.last().map(|e| e.body().unwrap())
    else {
        panic!("the pick's last event is the raised task");
    };
    assert_eq!(
        (
            event.on_hand,
            event.min_units,
            event.max_units,
            event.quantity
        ),
        (6, 10, 48, 42)
    );
    assert_eq!(events[events.len() - 2].event_id, event.raised_by);

    // Another pick below the minimum: the open task stands, no second one.
    order(&f, "T-3", sample::TOWELS, 2);
    assert_eq!(pick_all(&f, "T-3", towels()).replenishment_task_id, None);
    let open = f.store.read(replenishment::open_replenishments).unwrap();
    assert_eq!(open.len(), 1);

    let next = f
        .store
        .read(|c| replenishment::next_replenishment(c, &task_id))
        .unwrap();
    assert_eq!(
        (next.from.as_str(), next.lot.as_str(), next.quantity),
        ("A-01-01", "", 42)
    );
    // Two trips: the task stays open until it brought what it asked.
    let trip: MoveConfirmed = moves::confirm_move(
        &f.store,
        &replenish(&task_id, ("A-01-01", "41"), towels(), 30, ("P-01-01", "71")),
    )
    .unwrap();
    let after = trip.task.unwrap();
    assert_eq!((after.moved, after.status.as_str()), (30, "open"));
    let last = moves::confirm_move(
        &f.store,
        &replenish(&task_id, ("A-01-01", "41"), towels(), 12, ("P-01-01", "71")),
    )
    .unwrap();
    assert_eq!(last.task.unwrap().status, "done");
    assert_eq!(units_at(&f, "P-01-01"), 4 + 42);
    assert_eq!(units_at(&f, "A-01-01"), 72 - 42);
    let moved = f.store.read(|c| outbox::events(c, 0, 10_000)).unwrap();
    let Some(EventBody::MoveConfirmed(m)) = moved.last().map(|e| e.body().unwrap()) else {
        panic!("the last event is the move");
    };
    assert_eq!(m.task_id.as_deref(), Some(task_id.as_str()));
    assert!(
        f.store
            .read(replenishment::open_replenishments)
            .unwrap()
            .is_empty()
    );
    assert_integrity(&f);
}

#[test]
fn an_empty_reserve_is_named_and_a_move_elsewhere_or_of_other_goods_changes_nothing() {
    let f = seeded();
    stock_at(&f, towels(), 24, "P-01-01", "71");
    face_levels(&f, sample::TOWELS, 10, 48);
    order(&f, "T-1", sample::TOWELS, 20);
    let task_id = pick_all(&f, "T-1", towels()).replenishment_task_id.unwrap();
    let before = dump(&f.store);
    let err = f
        .store
        .read(|c| replenishment::next_replenishment(c, &task_id))
        .unwrap_err();
    assert_eq!(err.code(), "reserve_empty");
    assert_message_names(&err, &[sample::TOWELS, "P-01-01", &task_id]);

    stock_at(&f, towels(), 48, "A-01-01", "41");
    stock_at(&f, coffee(), 6, "A-01-02", "42");
    let before_moves = dump(&f.store);
    let elsewhere = assert_rejected(&f.store, "wrong_replenishment", || {
        moves::confirm_move(
            &f.store,
            &replenish(&task_id, ("A-01-01", "41"), towels(), 10, ("A-01-03", "43")),
        )
    });
    assert_message_names(&elsewhere, &["P-01-01", "A-01-03", &task_id]);
    let other_goods = assert_rejected(&f.store, "wrong_replenishment", || {
        moves::confirm_move(
            &f.store,
            &replenish(&task_id, ("A-01-02", "42"), coffee(), 6, ("P-01-01", "71")),
        )
    });
    assert_message_names(&other_goods, &[sample::TOWELS, sample::COFFEE]);
    let unknown = assert_rejected(&f.store, "unknown_replenishment", || {
        moves::confirm_move(
            &f.store,
            &replenish("R-404", ("A-01-01", "41"), towels(), 10, ("P-01-01", "71")),
        )
    });
    assert_message_names(&unknown, &["R-404"]);
    assert_eq!(dump(&f.store), before_moves);
    assert_ne!(before, before_moves, "the reserve was stocked in between");
    assert_eq!(task(&f, &task_id).moved, 0);
}

fn coffee() -> ScannedGoods {
    ScannedGoods::barcode(sample::COFFEE_EA).with_lot("C-1")
}

fn milk(lot: &str, expiry: NaiveDate) -> ScannedGoods {
    ScannedGoods::barcode(sample::MILK_EA)
        .with_lot(lot)
        .with_expiry(expiry)
}

#[test]
fn the_first_expiring_lot_in_reserve_comes_first() {
    let f = seeded();
    let (early, late) = (date(2027, 1, 20), date(2027, 3, 1));
    stock_at(&f, milk("M-EARLY", early), 12, "P-01-01", "71");
    stock_at(&f, milk("M-LATE", late), 24, "C-01-01", "61");
    stock_at(&f, milk("M-EARLY", early), 24, "C-01-02", "62");
    face_levels(&f, sample::MILK, 6, 24);
    order(&f, "T-1", sample::MILK, 10);
    let task_id = pick_all(&f, "T-1", milk("M-EARLY", early))
        .replenishment_task_id
        .unwrap();
    let next = f
        .store
        .read(|c| replenishment::next_replenishment(c, &task_id))
        .unwrap();
    assert_eq!(
        (
            next.from.as_str(),
            next.lot.as_str(),
            next.expiry,
            next.quantity
        ),
        ("C-01-02", "M-EARLY", Some(early), 22)
    );
    let before = dump(&f.store);
    let err = assert_rejected(&f.store, "wrong_replenishment", || {
        moves::confirm_move(
            &f.store,
            &replenish(
                &task_id,
                ("C-01-01", "61"),
                milk("M-LATE", late),
                22,
                ("P-01-01", "71"),
            ),
        )
    });
    assert_message_names(&err, &["M-EARLY", "2027-01-20", "C-01-02", "M-LATE"]);
    assert_eq!(dump(&f.store), before);
    let done = moves::confirm_move(
        &f.store,
        &replenish(
            &task_id,
            ("C-01-02", "62"),
            milk("M-EARLY", early),
            22,
            ("P-01-01", "71"),
        ),
    )
    .unwrap();
    assert_eq!(done.task.unwrap().status, "done");
    assert_integrity(&f);
}

#[test]
fn voiding_the_move_opens_the_task_again_and_voiding_the_pick_drops_an_unworked_one() {
    let f = seeded();
    towels_face(&f);
    order(&f, "T-1", sample::TOWELS, 20);
    let picked = pick_all(&f, "T-1", towels());
    let task_id = picked.replenishment_task_id.clone().unwrap();
    let moved = moves::confirm_move(
        &f.store,
        &replenish(&task_id, ("A-01-01", "41"), towels(), 44, ("P-01-01", "71")),
    )
    .unwrap();
    assert_eq!(moved.task.unwrap().status, "done");
    let void = |event_id| VoidMovement {
        op_id: op(),
        operator: "alice".into(),
        event_id,
        reason: "wrong shelf".into(),
        approval: sample::badge_of("sam"),
    };
    corrections::void_movement(&f.store, &void(moved.event_id)).unwrap();
    let reopened = task(&f, &task_id);
    assert_eq!((reopened.moved, reopened.status.as_str()), (0, "open"));
    assert_eq!(units_at(&f, "P-01-01"), 4);

    let pick_event = f
        .store
        .read(|c| outbox::events(c, 0, 10_000))
        .unwrap()
        .into_iter()
        .find(|e| matches!(e.body().unwrap(), EventBody::PickConfirmed(_)))
        .unwrap();
    corrections::void_movement(&f.store, &void(pick_event.event_id)).unwrap();
    let err = f
        .store
        .read(|c| replenishment::replenishment_task(c, &task_id))
        .unwrap_err();
    assert_eq!(err.code(), "unknown_replenishment");
    assert_eq!(units_at(&f, "P-01-01"), 24);
    assert_integrity(&f);
}

#[test]
fn levels_that_make_no_sense_are_refused_naming_the_location() {
    let f = seeded();
    let before = dump(&f.store);
    for (kind_face, levels, names) in [
        (
            "P-01-01",
            (10, 10),
            vec!["P-01-01", "min 10", "max 10", "0 <= min < max"],
        ),
        ("P-01-01", (-1, 5), vec!["P-01-01", "min -1"]),
        (
            "A-01-01",
            (5, 10),
            vec!["A-01-01", "only a pick face", "storage"],
        ),
    ] {
        let mut location = sample::warehouse()
            .locations
            .into_iter()
            .find(|l| l.code == kind_face)
            .unwrap();
        location.replenish = Some(Replenishment {
            sku: sample::TOWELS.into(),
            min_units: levels.0,
            max_units: levels.1,
        });
        let err = catalog::upsert_master_data(
            &f.store,
            &MasterData {
                locations: vec![location],
                ..MasterData::default()
            },
        )
        .unwrap_err();
        assert_message_names(&err, &names);
    }
    assert_eq!(dump(&f.store), before);
}
