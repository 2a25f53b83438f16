//! Loading and shipping: packed cartons and pallets loaded at the dock door (its label scanned),
//! the shipment closed with what was loaded and the goods out of inventory; another order's
//! carton, a carton on a pallet, a shipment with goods left at staging, and anything loaded or
//! shipped twice refused with a sentence and the database unchanged.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use dockhand_core::packing::{
    self, BuildUnit, NestUnit, PackGoods, UnitKind, UnitStatus, UnpackUnit,
};
use dockhand_core::picking;
use dockhand_core::protocol::EventBody;
use dockhand_core::shipping::{self, LoadUnit, ShipOrder};
use dockhand_core::{StockStatus, kpis, outbox};

const DOOR: (&str, &str) = ("SHIP-01", "84");

/// Towels at A-01-01 (96), an SSCC block, and order `order_ref` picked into its tote and packed:
/// `per_carton` towels in each of `cartons` cartons on one pallet. Returns (pallet, cartons).
fn packed_order(f: &Fixture, order_ref: &str, cartons: &[i64]) -> (String, Vec<String>) {
    packed_order_by(f, (order_ref, None), cartons)
}

/// [`packed_order`] for an order that must ship by a time.
fn packed_order_by(
    f: &Fixture,
    (order_ref, ship_by): (&str, Option<&str>),
    cartons: &[i64],
) -> (String, Vec<String>) {
    let task_id = format!("T-{order_ref}");
    let tote = format!("TOTE-{order_ref}");
    pick_task_by(
        f,
        (&task_id, order_ref, ship_by),
        dockhand_core::sample::TOWELS,
        cartons.iter().sum(),
    );
    let pick = pick_next(f, &task_id, cartons.iter().sum(), Some(&tote));
    picking::confirm_pick(&f.store, &pick).unwrap();
    let pallet = build(f, UnitKind::Pallet, order_ref);
    let mut lpns = Vec::new();
    for quantity in cartons {
        let carton = build(f, UnitKind::Carton, order_ref);
        packing::pack_goods(
            &f.store,
            &PackGoods {
                op_id: op(),
                operator: "bob".into(),
                lpn: carton.clone(),
                from_tote: Some(tote.clone()),
                scan: towels(),
                quantity: *quantity,
            },
        )
        .unwrap();
        packing::nest_unit(
            &f.store,
            &NestUnit {
                op_id: op(),
                operator: "bob".into(),
                carton: carton.clone(),
                pallet: pallet.clone(),
            },
        )
        .unwrap();
        lpns.push(carton);
    }
    (pallet, lpns)
}

fn build(f: &Fixture, kind: UnitKind, order_ref: &str) -> String {
    packing::build_unit(
        &f.store,
        &BuildUnit {
            op_id: op(),
            operator: "bob".into(),
            kind,
            order_ref: Some(order_ref.into()),
            location: "STAGE-01".into(),
        },
    )
    .unwrap()
    .unit
    .lpn
}

fn ready() -> Fixture {
    let f = seeded();
    towels_at_a0101(&f);
    sscc_block(&f);
    f
}

fn load(order_ref: &str, lpn: &str) -> LoadUnit {
    LoadUnit {
        op_id: op(),
        operator: "bob".into(),
        order_ref: order_ref.into(),
        door: DOOR.0.into(),
        door_scan: DOOR.1.into(),
        lpn: lpn.into(),
    }
}

fn ship(order_ref: &str) -> ShipOrder {
    ShipOrder {
        op_id: op(),
        operator: "bob".into(),
        order_ref: order_ref.into(),
        door: DOOR.0.into(),
        door_scan: DOOR.1.into(),
    }
}

#[test]
fn a_loaded_pallet_ships_and_its_goods_leave_inventory() {
    let f = ready();
    let (pallet, cartons) = packed_order(&f, "SO-1", &[12, 6]);
    let before = total_on_hand(&f);
    let loaded = shipping::load_unit(&f.store, &load("SO-1", &format!("]C100{pallet}"))).unwrap();
    assert_eq!(loaded.cartons, cartons);
    assert_eq!(loaded.unit.status, UnitStatus::Loaded);
    assert_eq!(
        summary(&f, "SHIP-01"),
        [
            row("TOWEL-2P", "", &cartons[0], StockStatus::InTransit, 12),
            row("TOWEL-2P", "", &cartons[1], StockStatus::InTransit, 6),
        ]
    );
    assert!(summary(&f, "STAGE-01").is_empty());

    let shipped = shipping::ship_order(&f.store, &ship("SO-1")).unwrap();
    assert_eq!(shipped.base_quantity, 18);
    assert_eq!(shipped.units[0], pallet);
    assert!(summary(&f, "SHIP-01").is_empty());
    // Conservation: what is on hand plus what shipped is what there was.
    assert_eq!(total_on_hand(&f) + shipped.base_quantity, before);
    let event = f
        .store
        .read(|c| outbox::event_by_id(c, shipped.event_id))
        .unwrap();
    match event.body().unwrap() {
        EventBody::Shipped(s) => {
            assert_eq!(s.lines[0].base_quantity, 18);
            assert_eq!(s.movements.iter().map(|m| m.delta).sum::<i64>(), -18);
        }
        other => panic!("expected shipping.shipped, got {other:?}"),
    }
    for lpn in std::iter::once(&pallet).chain(&cartons) {
        let unit = f.store.read(|c| packing::unit(c, lpn)).unwrap();
        assert_eq!(unit.status, UnitStatus::Shipped);
    }
    // Gone: not loaded, packed or shipped again.
    let e = assert_rejected(&f.store, "wrong_state", || {
        shipping::load_unit(&f.store, &load("SO-1", &pallet))
    });
    assert_message_names(&e, &[&pallet, "shipped"]);
    assert_rejected(&f.store, "nothing_loaded", || {
        shipping::ship_order(&f.store, &ship("SO-1"))
    });
    assert_integrity(&f);
}

#[test]
fn the_wrong_order_a_carton_on_a_pallet_and_a_short_load_are_refused() {
    let f = ready();
    let (pallet, cartons) = packed_order(&f, "SO-1", &[10]);
    let (other, _) = packed_order(&f, "SO-2", &[4]);

    let e = assert_rejected(&f.store, "wrong_order", || {
        shipping::load_unit(&f.store, &load("SO-1", &other))
    });
    assert_message_names(&e, &[&other, "SO-2", "SO-1"]);
    let e = assert_rejected(&f.store, "carton_on_pallet", || {
        shipping::load_unit(&f.store, &load("SO-1", &cartons[0]))
    });
    assert_message_names(&e, &[&cartons[0], &pallet, "load the pallet"]);
    assert_rejected(&f.store, "wrong_check_string", || {
        let mut cmd = load("SO-1", &pallet);
        cmd.door_scan = "81".into();
        shipping::load_unit(&f.store, &cmd)
    });
    assert_rejected(&f.store, "wrong_location_type", || {
        let mut cmd = load("SO-1", &pallet);
        cmd.door = "STAGE-01".into();
        cmd.door_scan = "81".into();
        shipping::load_unit(&f.store, &cmd)
    });
    // Nothing loaded yet: the shipment cannot close; its pallet is still at staging.
    let e = assert_rejected(&f.store, "short_loaded", || {
        shipping::ship_order(&f.store, &ship("SO-1"))
    });
    assert_message_names(&e, &["SO-1", &pallet, "STAGE-01"]);

    // Goods picked for SO-1 and left loose at staging keep it short after the pallet is loaded.
    shipping::load_unit(&f.store, &load("SO-1", &pallet)).unwrap();
    towel_task(&f, "T-SO-1B", "SO-1", 3);
    picking::confirm_pick(&f.store, &pick_next(&f, "T-SO-1B", 3, None)).unwrap();
    let e = assert_rejected(&f.store, "short_loaded", || {
        shipping::ship_order(&f.store, &ship("SO-1"))
    });
    assert_message_names(&e, &["3 of TOWEL-2P are loose at STAGE-01"]);
}

#[test]
fn a_pallet_of_several_orders_loads_whole_and_leaves_with_its_last_order() {
    let f = ready();
    let (pallet_1, cartons_1) = packed_order(&f, "SO-1", &[5]);
    let (pallet_2, cartons_2) = packed_order(&f, "SO-2", &[4]);
    let several = packing::build_unit(
        &f.store,
        &BuildUnit {
            op_id: op(),
            operator: "bob".into(),
            kind: UnitKind::Pallet,
            order_ref: None,
            location: "STAGE-01".into(),
        },
    )
    .unwrap()
    .unit
    .lpn;
    // Both orders' pallets broken up, their cartons onto the pallet of several orders.
    for (pallet, carton) in [(&pallet_1, &cartons_1[0]), (&pallet_2, &cartons_2[0])] {
        packing::unpack_unit(
            &f.store,
            &packing::UnpackUnit {
                op_id: op(),
                operator: "bob".into(),
                lpn: pallet.clone(),
                scan: None,
                quantity: 0,
            },
        )
        .unwrap();
        packing::nest_unit(
            &f.store,
            &NestUnit {
                op_id: op(),
                operator: "bob".into(),
                carton: carton.clone(),
                pallet: several.clone(),
            },
        )
        .unwrap();
    }
    // A multi-stop truck: the pallet loads whole for either of its orders, not for a third.
    towel_task(&f, "T-SO-3", "SO-3", 1);
    let e = assert_rejected(&f.store, "wrong_order", || {
        shipping::load_unit(&f.store, &load("SO-3", &several))
    });
    assert_message_names(&e, &[&several, "several orders", "SO-3"]);
    let loaded = shipping::load_unit(&f.store, &load("SO-1", &several)).unwrap();
    assert_eq!(loaded.cartons, [cartons_1[0].clone(), cartons_2[0].clone()]);
    assert_eq!(summary(&f, "SHIP-01").len(), 2);
    // SO-1 leaves with its carton; the pallet stays on the truck with SO-2's.
    let first = shipping::ship_order(&f.store, &ship("SO-1")).unwrap();
    assert_eq!(first.units, std::slice::from_ref(&cartons_1[0]));
    assert_eq!(first.base_quantity, 5);
    assert_eq!(
        summary(&f, "SHIP-01"),
        [row(
            "TOWEL-2P",
            "",
            &cartons_2[0],
            StockStatus::InTransit,
            4
        )]
    );
    let pallet = f.store.read(|c| packing::unit(c, &several)).unwrap();
    assert_eq!(pallet.status, UnitStatus::Loaded);
    // SO-2 needs no second load: its shipment closes, and the pallet goes with the last order.
    let second = shipping::ship_order(&f.store, &ship("SO-2")).unwrap();
    assert_eq!(second.units, [several.clone(), cartons_2[0].clone()]);
    assert!(summary(&f, "SHIP-01").is_empty());
    let pallet = f.store.read(|c| packing::unit(c, &several)).unwrap();
    assert_eq!(pallet.status, UnitStatus::Shipped);
    assert_integrity(&f);
    // The emptied pallets of the orders have nothing to load; a tote is packed first.
    let e = assert_rejected(&f.store, "unit_empty", || {
        shipping::load_unit(&f.store, &load("SO-1", &pallet_1))
    });
    assert_message_names(&e, &[&pallet_1, "empty"]);
    let e = assert_rejected(&f.store, "wrong_unit_kind", || {
        shipping::load_unit(&f.store, &load("SO-1", "TOTE-SO-1"))
    });
    assert_message_names(&e, &["TOTE-SO-1", "tote"]);
}

#[test]
fn shipments_measure_on_time_ship_and_pack_accuracy() {
    let f = ready();
    let start = chrono::DateTime::parse_from_rfc3339(SHIFT_START).unwrap();
    // SO-1 must leave by 10:00, SO-2 by 08:30 (it will be late), SO-3 has no deadline.
    let (p1, _) = packed_order_by(&f, ("SO-1", Some("2026-11-27T10:00:00+01:00")), &[4]);
    let (p2, _) = packed_order_by(&f, ("SO-2", Some("2026-11-27T07:30:00Z")), &[4]);
    let (p3, c3) = packed_order(&f, "SO-3", &[6]);
    // Two towels of SO-3 came out of its carton again and went back in: a repack.
    let removed = packing::unpack_unit(
        &f.store,
        &UnpackUnit {
            op_id: op(),
            operator: "bob".into(),
            lpn: c3[0].clone(),
            scan: Some(towels()),
            quantity: 2,
        },
    )
    .unwrap();
    assert_eq!(removed.lines[0].base_quantity, 2);
    packing::pack_goods(
        &f.store,
        &PackGoods {
            op_id: op(),
            operator: "bob".into(),
            lpn: c3[0].clone(),
            from_tote: None,
            scan: towels(),
            quantity: 2,
        },
    )
    .unwrap();

    f.clock.set(start + chrono::Duration::minutes(60));
    let mut done = Vec::new();
    for (order, pallet) in [("SO-1", &p1), ("SO-2", &p2), ("SO-3", &p3)] {
        shipping::load_unit(&f.store, &load(order, pallet)).unwrap();
        done.push(shipping::ship_order(&f.store, &ship(order)).unwrap());
    }
    let on_time: Vec<Option<bool>> = done.iter().map(|d| d.on_time).collect();
    assert_eq!(on_time, [Some(true), Some(false), None]);
    let shipped: Vec<(Option<String>, i64)> = done
        .iter()
        .map(|d| {
            let event = f
                .store
                .read(|c| outbox::event_by_id(c, d.event_id))
                .unwrap();
            match event.body().unwrap() {
                EventBody::Shipped(s) => (s.ship_by, s.repacked),
                other => panic!("expected shipping.shipped, got {other:?}"),
            }
        })
        .collect();
    assert_eq!(
        shipped,
        [
            (Some("2026-11-27T09:00:00.000Z".into()), 0),
            (Some("2026-11-27T07:30:00.000Z".into()), 0),
            (None, 2),
        ]
    );

    let k = f
        .store
        .read(|c| kpis::kpis(c, start, start + chrono::Duration::hours(8)))
        .unwrap();
    assert_eq!(
        (k.shipped_orders, k.shipped_with_deadline, k.shipped_on_time),
        (3, 2, 1)
    );
    assert_eq!(k.on_time_ship_rate, Some(0.5));
    assert_eq!((k.packed_right, k.pack_accuracy), (2, Some(2.0 / 3.0)));
}

#[test]
fn a_ship_by_that_is_not_a_time_is_refused() {
    let f = ready();
    let e = assert_rejected(&f.store, "invalid_input", || {
        create_pick_task(
            &f,
            ("T-9", "SO-9", Some("tomorrow noon")),
            dockhand_core::sample::TOWELS,
            1,
        )
    });
    assert_message_names(&e, &["ship_by", "tomorrow noon", "RFC 3339"]);
}
