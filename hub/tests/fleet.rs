//! One warehouse, several handhelds, one stock (issue 14), against a real hub on loopback on both
//! backends: what one handheld records reaches the others' views after a sync, own work is never
//! hidden nor counted twice, a refused event leaves the view, and a page of stock the device
//! cannot store is refused whole.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;

use common::handheld::{Handheld, count_pick_face, import_sample, pick_towels};
use common::towels;

use dockhand_core::counting;
use dockhand_core::picking;
use dockhand_core::protocol::EventKind;

use dockhand_core::putaway;
use dockhand_core::receiving::{self, OpenBlindReceipt};
use dockhand_core::sync::engine::{StaticToken, SyncConfig, SyncEngine};
use dockhand_core::sync::protocol::{HubException, Import, StockLine, StockPage};
use dockhand_core::sync::{add_stock_lines, apply_stock_page, own_stock_lines, stock_lines};
use dockhand_core::{Store, StoreOptions, catalog, outbox, sample};
use dockhand_hub::HubConfig;
use uuid::Uuid;

on_both_backends!(
    what_one_handheld_puts_away_another_picks_and_a_third_counts_without_an_adjustment,
    HubConfig::default(),
    |hub| {
        import_sample(&hub).await;
        let h08 = Handheld::new(&hub, "handheld-08").await;
        let h09 = Handheld::new(&hub, "handheld-09").await;
        let h10 = Handheld::new(&hub, "handheld-10").await;

        towels::receive_and_put_away(&h08.store, "DOOR-1", 48);
        // Before 08 syncs, 09 has nothing to pick and says so.
        h09.sync().await;
        assert!(h09.at("P-01-01").is_empty());
        let refused = pick_towels(&h09.store, "SO-1", 10).unwrap_err();
        assert!(refused.to_string().contains(sample::TOWELS), "{refused}");

        h08.sync().await;
        let report = h09.sync().await;
        // Two buckets changed: the dock (now empty, sent at 0) and the pick face.
        assert_eq!(report.stock_pulled, 2, "{report:?}");
        assert_eq!(
            h09.at("P-01-01"),
            [(sample::TOWELS.into(), "available".into(), 48)]
        );
        // 09 picks 10 of what 08 put away.
        pick_towels(&h09.store, "SO-2", 10).unwrap();
        assert_eq!(
            h09.at("P-01-01"),
            [(sample::TOWELS.into(), "available".into(), 38)]
        );
        assert_eq!(
            h09.at("STAGE-01"),
            [(sample::TOWELS.into(), "in_transit".into(), 10)]
        );
        // 09's own ledger took 10 it never received: the view is the site's stock.
        assert!(
            own_stock_lines(&h09.store)
                .unwrap()
                .iter()
                .any(|l| l.location == "P-01-01" && l.quantity == -10)
        );
        h09.sync().await;

        // 10 counts the pick face 08 filled and 09 picked from: it expects 38 and finds 38.
        h10.sync().await;
        let counted = count_pick_face(&h10.store, "CC-P1", 38);
        assert!(
            counted.lines.iter().all(|l| l.variance == Some(0)),
            "{counted:?}"
        );
        assert_eq!(h10.events_of(EventKind::CountAdjusted), 0);

        // After a full round every view is the hub's, which is every device's own work added up.
        for h in [&h10, &h08, &h09, &h10] {
            h.sync().await;
        }
        let hub_stock: Vec<StockLine> = hub.admin_get("/v1/admin/stock").await;
        let own: Vec<_> = [&h08, &h09, &h10]
            .iter()
            .map(|h| own_stock_lines(&h.store).unwrap())
            .collect();
        assert_eq!(hub_stock, add_stock_lines(&own));
        for h in [&h08, &h09, &h10] {
            assert_eq!(h.view(), hub_stock, "{}", h.store.device_id());
            let integrity = h.store.verify_integrity().unwrap();
            assert!(integrity.is_ok(), "{integrity:?}");
        }
        assert!(
            hub_stock
                .iter()
                .any(|l| l.location == "P-01-01" && l.quantity == 38)
        );
    }
);

on_both_backends!(
    own_work_recorded_after_a_pull_is_seen_at_once_and_counted_once_after_the_next,
    HubConfig::default(),
    |hub| {
        import_sample(&hub).await;
        let a = Handheld::new(&hub, "HH-A").await;
        let b = Handheld::new(&hub, "HH-B").await;
        towels::receive_and_put_away(&a.store, "D-1", 30);
        a.sync().await;
        b.sync().await;
        // b works offline on a's stock: its view moves with every scan.
        pick_towels(&b.store, "SO-B", 12).unwrap();
        assert_eq!(
            b.at("P-01-01"),
            [(sample::TOWELS.into(), "available".into(), 18)]
        );
        // a receives more meanwhile, and syncs.
        towels::receive_and_put_away(&a.store, "D-2", 5);
        a.sync().await;
        // b's sync pushes its picks, then pulls: 30 + 5 - 12, its picks counted once.
        b.sync().await;
        assert_eq!(
            b.at("P-01-01"),
            [(sample::TOWELS.into(), "available".into(), 23)]
        );
        a.sync().await;
        assert_eq!(a.view(), b.view());
        // Pulling again with nothing new changes nothing.
        let report = b.sync().await;
        assert_eq!(report.stock_pulled, 0);
        assert_eq!(a.view(), b.view());
        assert!(b.store.verify_integrity().unwrap().is_ok());
    }
);

on_both_backends!(
    the_movements_of_an_event_the_hub_refused_leave_the_view_at_the_next_pull,
    HubConfig::default(),
    |hub| {
        // The hub's catalog lacks towels: their receipt is refused there.
        hub.import(&Import {
            master: common::without_towels(sample::warehouse()),
            ..Import::default()
        })
        .await;
        let a = Handheld::new(&hub, "HH-A").await;
        towels::receive_and_put_away(&a.store, "D-1", 7);
        assert_eq!(a.at("P-01-01").len(), 1);
        let report = a.sync().await;
        assert!(report.rejected > 0);
        // The hub holds no towels, and neither does the view: the exception says why.
        assert!(a.at("P-01-01").is_empty());
        assert!(a.at("DOCK-01").is_empty());
        let hub_stock: Vec<StockLine> = hub.admin_get("/v1/admin/stock").await;
        assert_eq!(a.view(), hub_stock);
        assert!(a.store.verify_integrity().unwrap().is_ok());
    }
);

on_both_backends!(
    a_page_the_device_cannot_store_is_refused_whole_and_the_view_kept,
    HubConfig::default(),
    |hub| {
        import_sample(&hub).await;
        let a = Handheld::new(&hub, "HH-A").await;
        towels::receive_and_put_away(&a.store, "D-1", 4);
        a.sync().await;
        let before = (
            a.view(),
            a.store
                .read(dockhand_core::stock::view::stock_cursor)
                .unwrap(),
        );
        let good = StockLine {
            location: "A-01-01".into(),
            sku: sample::TOWELS.into(),
            lot: String::new(),
            serial: String::new(),
            lpn: String::new(),
            status: "available".into(),
            quantity: 3,
        };
        let page = |line: StockLine| StockPage {
            lines: vec![good.clone(), line],
            next_cursor: "s999".into(),
            has_more: false,
            lots: Vec::new(),
            applied_seq: 4,
        };
        let bad_status = StockLine {
            status: "for_sale".into(),
            ..good.clone()
        };
        let err = apply_stock_page(&a.store, &page(bad_status)).unwrap_err();
        assert!(
            err.to_string()
                .contains("\"for_sale\" is not a stock status"),
            "{err}"
        );
        let huge = StockLine {
            quantity: i64::MAX,
            ..good.clone()
        };
        let err = apply_stock_page(&a.store, &page(huge)).unwrap_err();
        assert!(err.to_string().contains("9223372036854775807"), "{err}");
        let negative_seq = StockPage {
            applied_seq: -1,
            ..page(good.clone())
        };
        let err = apply_stock_page(&a.store, &negative_seq).unwrap_err();
        assert!(err.to_string().contains("applied seq -1"), "{err}");
        let lotless_expiry = StockPage {
            lots: vec![dockhand_core::sync::protocol::LotExpiry {
                sku: sample::MILK.into(),
                lot: String::new(),
                expiry: "2027-03-01".parse().unwrap(),
            }],
            ..page(good.clone())
        };
        let err = apply_stock_page(&a.store, &lotless_expiry).unwrap_err();
        assert!(
            err.to_string()
                .contains("an expiry (2027-03-01) for item MILK-1L names no lot"),
            "{err}"
        );
        assert_eq!(
            (
                a.view(),
                a.store
                    .read(dockhand_core::stock::view::stock_cursor)
                    .unwrap()
            ),
            before
        );
    }
);

on_both_backends!(
    stock_of_an_item_the_handheld_does_not_know_waits_until_master_data_brings_it,
    HubConfig::default(),
    |hub| {
        import_sample(&hub).await;
        let a = Handheld::new(&hub, "HH-A").await;
        towels::receive_and_put_away(&a.store, "D-1", 6);
        a.sync().await;
        // b was set up without towels in its catalog, and pulls before the hub's items reach it.
        let b_store = Arc::new(Store::open_in_memory(StoreOptions::new("HH-B")).unwrap());
        let master = common::without_towels(sample::warehouse());
        catalog::upsert_master_data(&b_store, &master).unwrap();
        let page: StockPage = hub
            .client
            .get(format!("{}/v1/stock?limit=100", hub.url))
            .bearer_auth(hub.register_device(&b_store).await)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let applied = apply_stock_page(&b_store, &page).unwrap();
        assert_eq!(applied.waiting, 1, "{applied:?}");
        assert!(stock_lines(&b_store).unwrap().is_empty());
        // The towels arrive with master data: their stock takes its place in the view.
        dockhand_core::sync::apply_changes(
            &b_store,
            &dockhand_core::sync::protocol::ChangesPage {
                changes: vec![dockhand_core::sync::protocol::Change {
                    kind: dockhand_core::sync::protocol::ChangeKind::Item,
                    op: "upsert".into(),
                    key: sample::TOWELS.into(),
                    data: serde_json::to_value(
                        sample::warehouse()
                            .items
                            .into_iter()
                            .find(|i| i.sku == sample::TOWELS)
                            .unwrap(),
                    )
                    .unwrap(),
                }],
                next_cursor: "c1".into(),
                has_more: false,
            },
        )
        .unwrap();
        let hub_stock: Vec<StockLine> = hub.admin_get("/v1/admin/stock").await;
        assert_eq!(stock_lines(&b_store).unwrap(), hub_stock);
    }
);

on_both_backends!(
    two_handhelds_taking_the_same_last_units_take_the_hub_below_zero_and_raise_a_count,
    HubConfig::default(),
    |hub| {
        import_sample(&hub).await;
        let a = Handheld::new(&hub, "HH-A").await;
        let b = Handheld::new(&hub, "HH-B").await;
        towels::receive_and_put_away(&a.store, "D-1", 10);
        a.sync().await;
        b.sync().await;
        // Both pick the same ten towels offline; each view allows it.
        pick_towels(&a.store, "SO-A", 10).unwrap();
        pick_towels(&b.store, "SO-B", 10).unwrap();
        a.sync().await;
        b.sync().await;
        let hub_stock: Vec<StockLine> = hub.admin_get("/v1/admin/stock").await;
        let face: Vec<_> = hub_stock
            .iter()
            .filter(|l| l.location == "P-01-01")
            .map(|l| (l.sku.as_str(), l.quantity))
            .collect();
        assert_eq!(face, [(sample::TOWELS, -10)]);
        // One exception names both picks and the count it raised.
        let exceptions: Vec<HubException> = hub.admin_get("/v1/admin/exceptions").await;
        let below: Vec<_> = exceptions
            .iter()
            .filter(|e| e.code == "stock_below_zero")
            .collect();
        assert_eq!(below.len(), 1, "{exceptions:?}");
        let e = below[0];
        let picks_of = |h: &Handheld| {
            h.store
                .read(|c| outbox::events(c, 1, 1000))
                .unwrap()
                .into_iter()
                .filter(|x| x.envelope.event_type == EventKind::PickConfirmed.as_str())
                .map(|x| (x.envelope.seq, x.envelope.event_id))
                .collect::<Vec<_>>()
        };
        let (b_seq, b_event) = picks_of(&b)[0];
        let (a_seq, a_event) = picks_of(&a)[0];
        assert_eq!(
            (e.device_id.as_str(), e.seq, e.event_id),
            ("HH-B", b_seq, b_event)
        );
        let task = format!("CC-P-01-01-HH-B-{b_seq}");
        for named in [
            "TOWEL-2P available at P-01-01 went to -10",
            &format!("event #{a_seq} of HH-A ({a_event})"),
            &format!("Count task {task} counts P-01-01"),
        ] {
            assert!(e.reason.contains(named), "{named:?} in {}", e.reason);
        }
        // Every handheld pulls the count and shows the hub's stock, below zero included; no
        // command takes from it.
        for h in [&a, &b] {
            h.sync().await;
            assert_eq!(h.view(), hub_stock);
            let counts = h.store.read(counting::open_count_tasks).unwrap();
            assert!(counts.iter().any(|t| t.id == task), "{counts:?}");
            assert!(
                pick_towels(&h.store, &format!("SO-AGAIN-{}", h.store.device_id()), 1).is_err()
            );
            assert!(h.store.verify_integrity().unwrap().is_ok());
        }
    }
);

on_both_backends!(
    a_station_without_shared_stock_keeps_a_view_of_its_own_work,
    HubConfig::default(),
    |hub| {
        import_sample(&hub).await;
        let a = Handheld::new(&hub, "HH-A").await;
        towels::receive_and_put_away(&a.store, "D-1", 12);
        a.sync().await;
        let store = Arc::new(Store::open_in_memory(StoreOptions::new("DOCK-STATION")).unwrap());
        catalog::upsert_master_data(&store, &sample::warehouse()).unwrap();
        let token = hub.register_device(&store).await;
        let config = SyncConfig {
            shared_stock: false,
            ..SyncConfig::new(&hub.url)
        };
        let engine =
            SyncEngine::new(store.clone(), config, Arc::new(StaticToken::new(token))).unwrap();
        let report = engine.sync_now().await.unwrap();
        assert_eq!(report.stock_pulled, 0);
        assert!(stock_lines(&store).unwrap().is_empty());
        let view = store.read(dockhand_core::stock::view::summary).unwrap();
        assert!(!view.pulled, "{view:?}");
    }
);

on_both_backends!(
    a_lot_received_on_one_handheld_is_allocated_by_its_expiry_on_another,
    HubConfig::default(),
    |hub| {
        import_sample(&hub).await;
        let h08 = Handheld::new(&hub, "handheld-08").await;
        let h09 = Handheld::new(&hub, "handheld-09").await;
        // 08 receives milk lot L2611A expiring 2027-03-01 (a GS1 label) and puts it away.
        let label = "]d2010401234500001610L2611A\u{1d}17270301";
        receiving::open_blind_receipt(
            &h08.store,
            &OpenBlindReceipt {
                op_id: Uuid::now_v7(),
                operator: "alice".into(),
                receipt_id: "D-MILK".into(),
                reference: "delivery D-MILK".into(),
                supplier: "Nordic".into(),
            },
        )
        .unwrap();
        receiving::receive_line(
            &h08.store,
            &sample::receive_at_dock("alice", "D-MILK", label, 24),
        )
        .unwrap();
        putaway::confirm_putaway(
            &h08.store,
            &sample::put_away_from_dock("alice", label, 24, "C-01-01", "61"),
        )
        .unwrap();
        h08.sync().await;
        h09.sync().await;
        // 09 never scanned the lot, and knows when it expires.
        let task = picking::create_pick_task(
            &h09.store,
            &sample::pick_task("bob", "OUT-MILK", sample::MILK, 10),
        )
        .unwrap();
        let allocated: Vec<_> = task
            .allocations
            .iter()
            .map(|a| {
                (
                    a.location.as_str(),
                    a.lot.as_str(),
                    a.expiry.map(|d| d.to_string()),
                )
            })
            .collect();
        assert_eq!(
            allocated,
            [("C-01-01", "L2611A", Some("2027-03-01".to_string()))]
        );
    }
);
