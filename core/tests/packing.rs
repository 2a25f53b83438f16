//! Packing at staging: cartons and pallets built with SSCCs minted on the handheld, picked goods
//! packed from totes or loose, cartons onto pallets, goods out again, units broken up and
//! consolidated. Goods of another order, a unit that is not there and an exhausted SSCC range are
//! refused with a sentence and the database unchanged.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use dockhand_core::packing::{
    self, BuildUnit, Consolidate, NestUnit, PackGoods, PackingDone, UnitKind, UnpackUnit,
};
use dockhand_core::picking;
use dockhand_core::protocol::events::UnpackReason;
use dockhand_core::protocol::gs1::has_valid_check_digit;
use dockhand_core::protocol::{EventBody, EventKind};
use dockhand_core::{StockStatus, outbox};

const ORDER_A: &str = "SO-A";
const ORDER_B: &str = "SO-B";

/// Towels at A-01-01, an SSCC block, and two orders picked to STAGE-01: A takes 12 into TOTE-A
/// and 6 loose, B takes 10 into TOTE-B.
fn staged() -> Fixture {
    let f = seeded();
    towels_at_a0101(&f);
    sscc_block(&f);
    pick_order(&f, "A", ORDER_A, &[(12, Some("TOTE-A")), (6, None)]);
    pick_order(&f, "B", ORDER_B, &[(10, Some("TOTE-B"))]);
    f
}

/// Creates, starts and picks a task for `order_ref`: each pick of towels from A-01-01 into a tote
/// or loose.
fn pick_order(f: &Fixture, task_id: &str, order_ref: &str, picks: &[(i64, Option<&str>)]) {
    towel_task(f, task_id, order_ref, picks.iter().map(|p| p.0).sum());
    for (quantity, tote) in picks {
        picking::confirm_pick(&f.store, &pick_next(f, task_id, *quantity, *tote)).unwrap();
    }
}

fn build(kind: UnitKind, order_ref: Option<&str>) -> BuildUnit {
    BuildUnit {
        op_id: op(),
        operator: "bob".into(),
        kind,
        order_ref: order_ref.map(str::to_string),
        location: "STAGE-01".into(),
    }
}

fn built(f: &Fixture, kind: UnitKind, order_ref: Option<&str>) -> String {
    packing::build_unit(&f.store, &build(kind, order_ref))
        .unwrap()
        .unit
        .lpn
}

fn pack(lpn: &str, from_tote: Option<&str>, quantity: i64) -> PackGoods {
    PackGoods {
        op_id: op(),
        operator: "bob".into(),
        lpn: lpn.into(),
        from_tote: from_tote.map(str::to_string),
        scan: towels(),
        quantity,
    }
}

fn merge(from: &str, into: &str) -> Consolidate {
    Consolidate {
        op_id: op(),
        operator: "bob".into(),
        from: from.into(),
        into: into.into(),
    }
}

fn nest(carton: &str, pallet: &str) -> NestUnit {
    NestUnit {
        op_id: op(),
        operator: "bob".into(),
        carton: carton.into(),
        pallet: pallet.into(),
    }
}

fn unpack(lpn: &str, quantity: Option<i64>) -> UnpackUnit {
    UnpackUnit {
        op_id: op(),
        operator: "bob".into(),
        lpn: lpn.into(),
        scan: quantity.map(|_| towels()),
        quantity: quantity.unwrap_or(0),
    }
}

fn staged_rows(f: &Fixture) -> Vec<(String, String, String, StockStatus, i64)> {
    summary(f, "STAGE-01")
}

fn event_of(f: &Fixture, done: &PackingDone, index: usize) -> EventBody {
    f.store
        .read(|c| outbox::event_by_id(c, done.event_ids[index]))
        .unwrap()
        .body()
        .unwrap()
}

#[test]
fn a_picked_order_is_packed_into_cartons_on_a_pallet() {
    let f = staged();
    let carton = built(&f, UnitKind::Carton, Some(ORDER_A));
    assert_eq!(carton.len(), 18);
    assert!(carton.starts_with("34012345") && has_valid_check_digit(&carton));
    // From the order's tote, scanned as its SSCC label reads; then the loose picks.
    let from_tote = packing::pack_goods(
        &f.store,
        &pack(&format!("(00){carton}"), Some("TOTE-A"), 12),
    )
    .unwrap();
    assert_eq!(from_tote.lines[0].base_quantity, 12);
    packing::pack_goods(&f.store, &pack(&carton, None, 6)).unwrap();
    let pallet = built(&f, UnitKind::Pallet, Some(ORDER_A));
    assert_ne!(pallet, carton);
    let nested = packing::nest_unit(&f.store, &nest(&carton, &pallet)).unwrap();
    assert_eq!(nested.cartons, std::slice::from_ref(&carton));

    assert_eq!(
        staged_rows(&f),
        [
            row("TOWEL-2P", "", &carton, StockStatus::InTransit, 18),
            row("TOWEL-2P", "", "TOTE-B", StockStatus::InTransit, 10),
        ]
    );
    let unit = f.store.read(|c| packing::unit(c, &carton)).unwrap();
    assert_eq!(
        (unit.parent.as_str(), unit.order_ref.as_str()),
        (pallet.as_str(), ORDER_A)
    );
    assert_eq!(
        f.store.read(|c| packing::children(c, &pallet)).unwrap(),
        std::slice::from_ref(&carton)
    );
    match event_of(&f, &from_tote, 0) {
        EventBody::Packed(p) => {
            assert_eq!(
                (p.lpn.as_str(), p.from_lpn.as_str()),
                (carton.as_str(), "TOTE-A")
            );
            assert_eq!(p.order_ref, ORDER_A);
            // Same place, other plate: the ledger nets to nothing at STAGE-01.
            assert_eq!(p.movements.len(), 2);
            assert_eq!(p.movements.iter().map(|m| m.delta).sum::<i64>(), 0);
        }
        other => panic!("expected packing.packed, got {other:?}"),
    }
    match event_of(&f, &nested, 0) {
        EventBody::Packed(p) => assert_eq!((p.lines.len(), p.children), (0, vec![carton])),
        other => panic!("expected packing.packed, got {other:?}"),
    }
    assert_integrity(&f);
}

#[test]
fn goods_of_another_order_are_refused_and_nothing_changes() {
    let f = staged();
    let carton_a = built(&f, UnitKind::Carton, Some(ORDER_A));
    let carton_b = built(&f, UnitKind::Carton, Some(ORDER_B));
    let pallet_a = built(&f, UnitKind::Pallet, Some(ORDER_A));

    let e = assert_rejected(&f.store, "wrong_order", || {
        packing::pack_goods(&f.store, &pack(&carton_a, Some("TOTE-B"), 10))
    });
    assert_message_names(&e, &["tote TOTE-B", ORDER_B, ORDER_A]);
    // Order A has 6 loose; 7 is more than its picks brought.
    let e = assert_rejected(&f.store, "not_picked_for_order", || {
        packing::pack_goods(&f.store, &pack(&carton_a, None, 7))
    });
    assert_message_names(&e, &[ORDER_A, "6 of TOWEL-2P", "7 cannot"]);
    // Order B picked nothing loose.
    assert_rejected(&f.store, "not_picked_for_order", || {
        packing::pack_goods(&f.store, &pack(&carton_b, None, 1))
    });
    packing::pack_goods(&f.store, &pack(&carton_b, Some("TOTE-B"), 10)).unwrap();
    let e = assert_rejected(&f.store, "wrong_order", || {
        packing::nest_unit(&f.store, &nest(&carton_b, &pallet_a))
    });
    assert_message_names(&e, &[&carton_b, ORDER_B, ORDER_A]);
    let e = assert_rejected(&f.store, "unknown_handling_unit", || {
        packing::pack_goods(&f.store, &pack("376130321109103420", None, 1))
    });
    assert_message_names(&e, &["376130321109103420"]);
    assert_rejected(&f.store, "invalid_input", || {
        packing::build_unit(&f.store, &build(UnitKind::Carton, None))
    });
    assert_rejected(&f.store, "unknown_order", || {
        packing::build_unit(&f.store, &build(UnitKind::Carton, Some("SO-NOBODY")))
    });
    assert_rejected(&f.store, "wrong_location_type", || {
        let mut cmd = build(UnitKind::Pallet, None);
        cmd.location = "A-01-01".into();
        packing::build_unit(&f.store, &cmd)
    });
    // A carton onto a carton.
    assert_rejected(&f.store, "wrong_unit_kind", || {
        packing::nest_unit(&f.store, &nest(&carton_a, &carton_b))
    });
    assert_rejected(&f.store, "wrong_order", || {
        packing::consolidate(&f.store, &merge(&carton_b, &carton_a))
    });
}

#[test]
fn a_tote_holding_one_orders_goods_is_not_used_for_another() {
    let f = staged();
    // Task C for order SO-C picks into TOTE-B, which still holds order B's towels.
    towel_task(&f, "C", "SO-C", 2);
    let into = |tote: &str| pick_next(&f, "C", 2, Some(tote));
    let e = assert_rejected(&f.store, "wrong_order", || {
        picking::confirm_pick(&f.store, &into("TOTE-B"))
    });
    assert_message_names(&e, &["tote TOTE-B", ORDER_B, "SO-C", "another tote"]);
    // Emptied by packing, the tote serves the next order.
    let carton_b = built(&f, UnitKind::Carton, Some(ORDER_B));
    packing::pack_goods(&f.store, &pack(&carton_b, Some("TOTE-B"), 10)).unwrap();
    picking::confirm_pick(&f.store, &into("TOTE-B")).unwrap();
    let tote = f.store.read(|c| packing::unit(c, "TOTE-B")).unwrap();
    assert_eq!(
        (tote.kind, tote.order_ref.as_str()),
        (UnitKind::Tote, "SO-C")
    );
}

#[test]
fn goods_come_out_units_break_up_and_consolidate() {
    let f = staged();
    let first = built(&f, UnitKind::Carton, Some(ORDER_A));
    let second = built(&f, UnitKind::Carton, Some(ORDER_A));
    let pallet = built(&f, UnitKind::Pallet, None);
    packing::pack_goods(&f.store, &pack(&first, Some("TOTE-A"), 12)).unwrap();
    packing::pack_goods(&f.store, &pack(&second, None, 6)).unwrap();

    // Two out of the first carton: loose again, and packable again for the order.
    let out = packing::unpack_unit(&f.store, &unpack(&first, Some(2))).unwrap();
    assert!(
        matches!(event_of(&f, &out, 0), EventBody::Unpacked(u) if u.reason == UnpackReason::Removed)
    );
    packing::pack_goods(&f.store, &pack(&second, None, 2)).unwrap();

    // The first carton consolidated into the second: emptied, two events.
    let merged = packing::consolidate(&f.store, &merge(&first, &second)).unwrap();
    assert_eq!(merged.event_ids.len(), 2);
    assert!(
        matches!(event_of(&f, &merged, 0), EventBody::Unpacked(u) if u.reason == UnpackReason::Consolidated && u.to_lpn == second)
    );
    assert!(matches!(event_of(&f, &merged, 1), EventBody::Packed(p) if p.from_lpn == first));
    assert_eq!(
        staged_rows(&f),
        [
            row("TOWEL-2P", "", &second, StockStatus::InTransit, 18),
            row("TOWEL-2P", "", "TOTE-B", StockStatus::InTransit, 10),
        ]
    );
    assert_rejected(&f.store, "unit_empty", || {
        packing::consolidate(&f.store, &merge(&first, &second))
    });

    // A pallet of several orders broken up: its cartons come off, the goods stay in them.
    packing::nest_unit(&f.store, &nest(&second, &pallet)).unwrap();
    let broken = packing::unpack_unit(&f.store, &unpack(&pallet, None)).unwrap();
    assert_eq!(broken.cartons, std::slice::from_ref(&second));
    assert_eq!(
        f.store.read(|c| packing::unit(c, &second)).unwrap().parent,
        ""
    );
    assert_rejected(&f.store, "unit_empty", || {
        packing::unpack_unit(&f.store, &unpack(&pallet, None))
    });
    // Broken up, a carton's goods are loose at staging.
    packing::unpack_unit(&f.store, &unpack(&second, None)).unwrap();
    assert_eq!(
        staged_rows(&f),
        [
            row("TOWEL-2P", "", "", StockStatus::InTransit, 18),
            row("TOWEL-2P", "", "TOTE-B", StockStatus::InTransit, 10),
        ]
    );
    let kinds: Vec<EventKind> = f
        .store
        .read(|c| outbox::pending(c, 1000))
        .unwrap()
        .iter()
        .map(|e| e.body().unwrap().kind())
        .filter(|k| {
            matches!(
                k,
                EventKind::UnitBuilt | EventKind::Packed | EventKind::Unpacked
            )
        })
        .collect();
    // Built 3, packed 3, removed 1, consolidated 2, nested 1, broken up 2.
    assert_eq!(kinds.len(), 3 + 3 + 1 + 2 + 1 + 2);
    assert_integrity(&f);
}

#[test]
fn no_sscc_left_is_refused_with_what_to_do() {
    let f = seeded();
    towels_at_a0101(&f);
    pick_order(&f, "A", ORDER_A, &[(4, None)]);
    let e = assert_rejected(&f.store, "sscc_exhausted", || {
        packing::build_unit(&f.store, &build(UnitKind::Carton, Some(ORDER_A)))
    });
    assert!(e.to_string().contains("sync"), "{e}");
}

#[test]
fn a_packed_pallet_prints_its_gs1_label() {
    let f = staged();
    let carton = built(&f, UnitKind::Carton, Some(ORDER_A));
    let pallet = built(&f, UnitKind::Pallet, Some(ORDER_A));
    packing::pack_goods(&f.store, &pack(&carton, Some("TOTE-A"), 12)).unwrap();
    packing::pack_goods(&f.store, &pack(&carton, None, 6)).unwrap();
    packing::nest_unit(&f.store, &nest(&carton, &pallet)).unwrap();
    let label = f
        .store
        .read(|c| {
            packing::label(
                c,
                &pallet,
                vec!["dockhand DC".into()],
                vec!["Kiosk Nord".into()],
            )
        })
        .unwrap();
    let data: Vec<&str> = label.barcodes.iter().map(|b| b.data.as_str()).collect();
    assert_eq!(
        data,
        [
            "(02)04012345000030(37)18".to_string(),
            format!("(00){pallet}")
        ]
    );
    // The SSCC grouped by the company prefix of the block it was minted from.
    assert!(
        label
            .zpl
            .contains(&format!("3 4012345 {} ", &pallet[8..17])),
        "{}",
        label.zpl
    );
    assert!(label.zpl.contains("CARTONS") && label.zpl.contains(ORDER_A));
    let e = f
        .store
        .read(|c| packing::label(c, "TOTE-B", vec![], vec![]))
        .unwrap_err();
    assert_eq!(e.code(), "wrong_unit_kind");
}

#[test]
fn units_used_the_wrong_way_are_refused_with_what_to_do() {
    let f = staged();
    let carton = built(&f, UnitKind::Carton, Some(ORDER_A));
    let pallet = built(&f, UnitKind::Pallet, Some(ORDER_A));
    let several = built(&f, UnitKind::Pallet, None);
    let refused =
        |code: &str, names: &[&str], attempt: &dyn Fn() -> dockhand_core::Result<PackingDone>| {
            let e = assert_rejected(&f.store, code, attempt);
            assert_message_names(&e, names);
        };
    refused("wrong_unit_kind", &["TOTE-A is a tote"], &|| {
        packing::pack_goods(&f.store, &pack("TOTE-A", None, 1))
    });
    refused("wrong_unit_kind", &[&carton, "consolidate"], &|| {
        packing::pack_goods(&f.store, &pack(&pallet, Some(&carton), 1))
    });
    refused("wrong_unit_kind", &[&several, "several orders"], &|| {
        packing::pack_goods(&f.store, &pack(&several, Some("TOTE-A"), 1))
    });
    refused("wrong_unit_kind", &["TOTE-A is a tote"], &|| {
        packing::unpack_unit(&f.store, &unpack("TOTE-A", None))
    });
    packing::pack_goods(&f.store, &pack(&carton, Some("TOTE-A"), 12)).unwrap();
    refused("insufficient_stock", &["TOWEL-2P", &carton], &|| {
        packing::unpack_unit(&f.store, &unpack(&carton, Some(13)))
    });
    refused("wrong_unit_kind", &[&carton, &pallet], &|| {
        packing::consolidate(&f.store, &merge(&carton, &pallet))
    });
    packing::nest_unit(&f.store, &nest(&carton, &pallet)).unwrap();
    refused(
        "carton_on_pallet",
        &[&carton, &pallet, "take it off first"],
        &|| packing::nest_unit(&f.store, &nest(&carton, &several)),
    );
    // A pallet of several orders takes any order's carton, and is never merged into one order's.
    let carton_b = built(&f, UnitKind::Carton, Some(ORDER_B));
    packing::pack_goods(&f.store, &pack(&carton_b, Some("TOTE-B"), 10)).unwrap();
    packing::nest_unit(&f.store, &nest(&carton_b, &several)).unwrap();
    let e = assert_rejected(&f.store, "wrong_order", || {
        packing::consolidate(&f.store, &merge(&several, &pallet))
    });
    assert_message_names(&e, &["several orders", ORDER_A]);
}

#[test]
fn a_pick_whose_goods_were_packed_is_not_voided() {
    use dockhand_core::corrections::{self, VoidMovement};
    let f = staged();
    let carton = built(&f, UnitKind::Carton, Some(ORDER_A));
    packing::pack_goods(&f.store, &pack(&carton, None, 6)).unwrap();
    let loose_pick = f
        .store
        .read(|c| outbox::pending(c, 1000))
        .unwrap()
        .into_iter()
        .find(|e| matches!(e.body().unwrap(), EventBody::PickConfirmed(p) if p.tote.is_empty()))
        .unwrap();
    let e = assert_rejected(&f.store, "not_voidable", || {
        corrections::void_movement(
            &f.store,
            &VoidMovement {
                op_id: op(),
                operator: "alice".into(),
                event_id: loose_pick.event_id,
                reason: "wrong shelf".into(),
                approval: dockhand_core::sample::badge_of("sam"),
            },
        )
    });
    assert_message_names(
        &e,
        &["only 0 of the 6", "STAGE-01", ORDER_A, "take them out"],
    );
}

#[test]
fn a_tote_holding_goods_at_one_staging_place_is_not_picked_into_for_another() {
    use dockhand_core::picking::{CreatePickTask, PickLineRequest, PickTaskRequest};
    let f = staged();
    change_location(&f, "STAGE-01", |l| {
        l.code = "STAGE-02".into();
        l.check_string = "82".into();
    });
    picking::create_pick_task(
        &f.store,
        &CreatePickTask {
            op_id: op(),
            operator: "alice".into(),
            task: PickTaskRequest {
                task_id: "A2".into(),
                order_ref: ORDER_A.into(),
                staging: "STAGE-02".into(),
                ship_by: None,
                lines: vec![PickLineRequest {
                    line_no: 1,
                    sku: "TOWEL-2P".into(),
                    quantity: 2,
                    unit: None,
                    lot: None,
                }],
            },
        },
    )
    .unwrap();
    let e = assert_rejected(&f.store, "wrong_state", || {
        picking::confirm_pick(&f.store, &pick_next(&f, "A2", 2, Some("TOTE-A")))
    });
    assert_message_names(&e, &["TOTE-A", ORDER_A, "STAGE-01", "STAGE-02"]);
    picking::confirm_pick(&f.store, &pick_next(&f, "A2", 2, Some("TOTE-A2"))).unwrap();
}
