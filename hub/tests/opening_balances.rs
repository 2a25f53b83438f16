//! Opening balances (issue 14): the stock on the shelves at go-live, imported at the hub, becomes
//! the hub's stock and every device's view after a pull, and can be picked; it never reaches the
//! ERP's feed. A file with any bad row is refused whole with a sentence per row, and nothing of
//! it (master data included) is written. On both backends, against a real hub on loopback.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::towels;
use dockhand_core::picking;
use dockhand_core::protocol::events::StockStatus;
use dockhand_core::sync::engine::{StaticToken, SyncConfig, SyncEngine};
use dockhand_core::sync::protocol::{Import, OpeningBalance, StockLine};
use dockhand_core::sync::stock_lines;
use dockhand_core::{Store, StoreOptions, catalog, sample};
use dockhand_hub::HubConfig;

fn row(location: &str, sku: &str, quantity: i64) -> OpeningBalance {
    OpeningBalance {
        location: location.into(),
        sku: sku.into(),
        lot: String::new(),
        expiry: None,
        serial: String::new(),
        lpn: String::new(),
        status: None,
        quantity,
    }
}

fn lot(mut r: OpeningBalance, lot: &str, expiry: Option<&str>) -> OpeningBalance {
    r.lot = lot.into();
    r.expiry = expiry.map(|e| e.parse().unwrap());
    r
}

/// The go-live file of the tests: towels on the pick face and in reserve, coffee by lot, milk by
/// lot and expiry, a drill by serial, vitamins in quarantine.
fn go_live() -> Vec<OpeningBalance> {
    let mut drill = row("A-01-04", sample::DRILL, 1);
    drill.serial = "SN-0001".into();
    let mut vitamins = lot(
        row("QA-01", sample::VITAMINS, 12),
        "V-1",
        Some("2027-09-30"),
    );
    vitamins.status = Some(StockStatus::Quarantined);
    vec![
        row("P-01-01", sample::TOWELS, 30),
        row("A-01-01", sample::TOWELS, 480),
        lot(row("A-01-02", sample::COFFEE, 60), "C-7", None),
        lot(row("C-01-01", sample::MILK, 144), "M-1", Some("2027-03-01")),
        lot(row("C-01-02", sample::MILK, 24), "M-0", Some("2027-01-15")),
        drill,
        vitamins,
    ]
}

fn line(location: &str, sku: &str, lot: &str, serial: &str, status: &str, q: i64) -> StockLine {
    StockLine {
        location: location.into(),
        sku: sku.into(),
        lot: lot.into(),
        serial: serial.into(),
        lpn: String::new(),
        status: status.into(),
        quantity: q,
    }
}

/// What the hub holds after [`go_live`], sorted as the hub lists it.
fn go_live_stock() -> Vec<StockLine> {
    let mut lines = vec![
        line("A-01-01", sample::TOWELS, "", "", "available", 480),
        line("A-01-02", sample::COFFEE, "C-7", "", "available", 60),
        line("A-01-04", sample::DRILL, "", "SN-0001", "available", 1),
        line("C-01-01", sample::MILK, "M-1", "", "available", 144),
        line("C-01-02", sample::MILK, "M-0", "", "available", 24),
        line("P-01-01", sample::TOWELS, "", "", "available", 30),
        line("QA-01", sample::VITAMINS, "V-1", "", "quarantined", 12),
    ];
    lines.sort();
    lines
}

async fn hub_stock(hub: &common::TestHub) -> Vec<StockLine> {
    let store = hub.store.clone();
    let mut lines = tokio::task::spawn_blocking(move || store.stock("main").unwrap())
        .await
        .unwrap();
    lines.sort();
    lines
}

/// The devices whose events are in the ERP's feed, one entry per event.
async fn erp_feed(hub: &common::TestHub) -> Vec<String> {
    let store = hub.store.clone();
    tokio::task::spawn_blocking(move || store.feed("", 0, 1000).unwrap())
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event.device_id)
        .collect()
}

async fn import_master(hub: &common::TestHub) {
    hub.import(&Import {
        master: sample::warehouse(),
        ..Import::default()
    })
    .await;
}

/// POSTs an import that must be refused; returns the hub's sentence.
async fn refused(hub: &common::TestHub, data: &Import) -> String {
    let response = hub
        .client
        .post(format!("{}/v1/admin/import", hub.url))
        .json(data)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    response.text().await.unwrap()
}

on_both_backends!(
    opening_balances_are_the_hub_stock_and_every_view_and_never_the_erp_s,
    HubConfig::default(),
    |hub| {
        let result = hub
            .import(&Import {
                master: sample::warehouse(),
                opening_balances: go_live(),
                ..Import::default()
            })
            .await;
        assert_eq!((result.opening_buckets, result.opening_units), (7, 751));
        assert_eq!(hub_stock(&hub).await, go_live_stock());
        assert_eq!(
            erp_feed(&hub).await,
            Vec::<String>::new(),
            "opening balances are not posted to the ERP"
        );

        // A handheld pulls them and picks from them.
        let store = Arc::new(Store::open_in_memory(StoreOptions::new("HH-OB")).unwrap());
        catalog::upsert_master_data(&store, &sample::warehouse()).unwrap();
        let token = hub.register_device(&store).await;
        let config = SyncConfig {
            request_timeout: Duration::from_secs(5),
            ..SyncConfig::new(&hub.url)
        };
        let engine =
            SyncEngine::new(store.clone(), config, Arc::new(StaticToken::new(token))).unwrap();
        let report = engine.sync_now().await.unwrap();
        assert_eq!(report.stock_pulled, 7);
        let mut view = stock_lines(&store).unwrap();
        view.sort();
        assert_eq!(view, go_live_stock());

        // The lots' expiry came with the stock: milk is allocated first-expiry first-out (all of
        // M-0, though C-01-01 alone holds enough), listed in walk order.
        let milk = sample::pick_task("bob", "OUT-MILK", sample::MILK, 30);
        let allocated: Vec<(String, String, Option<String>, i64)> =
            picking::create_pick_task(&store, &milk)
                .unwrap()
                .allocations
                .into_iter()
                .map(|p| {
                    (
                        p.location,
                        p.lot,
                        p.expiry.map(|d| d.to_string()),
                        p.quantity,
                    )
                })
                .collect();
        assert_eq!(
            allocated,
            [
                ("C-01-01", "M-1", Some("2027-03-01"), 6),
                ("C-01-02", "M-0", Some("2027-01-15"), 24),
            ]
            .map(|(l, lot, e, q)| (
                l.to_string(),
                lot.to_string(),
                e.map(str::to_string),
                q
            ))
        );

        picking::create_pick_task(&store, &towels::pick_task("OUT-OB", 20)).unwrap();
        let next = store
            .read(|c| picking::next_pick(c, "OUT-OB"))
            .unwrap()
            .unwrap();
        assert_eq!((next.location.as_str(), next.quantity), ("P-01-01", 20));
        picking::confirm_pick(&store, &towels::pick("OUT-OB", &next, "71", "TOTE-1")).unwrap();
        engine.sync_now().await.unwrap();
        let at_pick_face: Vec<i64> = hub_stock(&hub)
            .await
            .into_iter()
            .filter(|l| l.location == "P-01-01")
            .map(|l| l.quantity)
            .collect();
        assert_eq!(at_pick_face, vec![10]);
        // The ERP's feed carries the handheld's events only.
        let feed = erp_feed(&hub).await;
        assert!(
            !feed.is_empty() && feed.iter().all(|d| d == "HH-OB"),
            "{feed:?}"
        );
    }
);

on_both_backends!(
    a_file_with_a_bad_row_is_refused_whole_with_a_sentence_per_row,
    HubConfig::default(),
    |hub| {
        import_master(&hub).await;
        let mut rows = go_live();
        rows.push(row("A-01-03", "NO-SUCH-SKU", 5));
        rows.push(row("Z-99-99", sample::TOWELS, 5));
        rows.push(row("A-01-03", sample::TOWELS, -4));
        rows.push(row("A-01-03", sample::TOWELS, 0));
        rows.push(row("P-01-01", sample::TOWELS, 7));
        rows.push(row("A-01-03", sample::COFFEE, 6));
        rows.push(lot(row("A-01-03", sample::MILK, 6), "M-2", None));
        rows.push(lot(
            row("A-01-04", sample::MILK, 6),
            "M-1",
            Some("2027-04-01"),
        ));
        let mut drill = row("A-01-03", sample::DRILL, 1);
        drill.serial = "SN-0001".into();
        rows.push(drill);
        let mut drills = row("A-01-03", sample::DRILL, 2);
        drills.serial = "SN-0002".into();
        rows.push(drills);
        rows.push(lot(row("A-01-03", sample::TOWELS, 3), "T-1", None));
        // A new item in the same file: it is not written either.
        let mut master = dockhand_core::catalog::MasterData::default();
        let mut new_item = sample::warehouse().items[2].clone();
        new_item.sku = "NEW-ITEM".into();
        master.items.push(new_item);
        let sentence = refused(
            &hub,
            &Import {
                master,
                opening_balances: rows,
                ..Import::default()
            },
        )
        .await;
        for expected in [
            "11 of 18 opening balances refused, nothing written",
            "opening balance 8 (5 × \\\"NO-SUCH-SKU\\\" at \\\"A-01-03\\\"): item \\\"NO-SUCH-SKU\\\" is not in the hub's master data",
            "opening balance 9 (5 × \\\"TOWEL-2P\\\" at \\\"Z-99-99\\\"): location \\\"Z-99-99\\\" is not in the hub's master data",
            "opening balance 10 (-4 × \\\"TOWEL-2P\\\" at \\\"A-01-03\\\"): quantity -4: an opening balance is what is on the shelf, at least 1 base unit",
            "opening balance 11 (0 × ",
            "opening balance 12 (7 × \\\"TOWEL-2P\\\" at \\\"P-01-01\\\"): the same bucket as opening balance 1",
            "opening balance 13 (6 × \\\"COFFEE-500\\\" at \\\"A-01-03\\\"): item \\\"COFFEE-500\\\" is tracked by lot (lot): give the lot",
            "opening balance 14 (6 × \\\"MILK-1L\\\" at \\\"A-01-03\\\"): item \\\"MILK-1L\\\" is tracked by lot and expiry: give lot \\\"M-2\\\"'s expiry",
            "opening balance 15 (6 × \\\"MILK-1L\\\" at \\\"A-01-04\\\"): lot \\\"M-1\\\" expires 2027-03-01 in opening balance 4, not 2027-04-01",
            "opening balance 16 (1 × \\\"DRILL-X1\\\" at \\\"A-01-03\\\"): serial \\\"SN-0001\\\" is in opening balance 6 already",
            "opening balance 17 (2 × \\\"DRILL-X1\\\" at \\\"A-01-03\\\"): item \\\"DRILL-X1\\\" is tracked by serial: one serial is one unit, not 2",
            "opening balance 18 (3 × \\\"TOWEL-2P\\\" at \\\"A-01-03\\\"): item \\\"TOWEL-2P\\\" is not tracked by lot (none), but the row names lot \\\"T-1\\\"",
        ] {
            assert!(
                sentence.contains(expected),
                "{expected}\n not in\n{sentence}"
            );
        }
        assert_eq!(hub_stock(&hub).await, Vec::new(), "nothing written");
        let store = hub.store.clone();
        let new_item =
            tokio::task::spawn_blocking(move || store.master_row("main", "item", "NEW-ITEM"))
                .await
                .unwrap()
                .unwrap();
        assert_eq!(
            new_item, None,
            "the file's master data is not written either"
        );

        // The good rows alone go in; the same file again, or a bucket the hub holds, is refused.
        let good = Import {
            opening_balances: go_live(),
            ..Import::default()
        };
        assert_eq!(hub.import(&good).await.opening_buckets, 7);
        let again = refused(&hub, &good).await;
        assert!(
            again.contains("these 7 opening balances were recorded already, as hub event"),
            "{again}"
        );
        let more = refused(
            &hub,
            &Import {
                opening_balances: vec![row("P-01-01", sample::TOWELS, 12)],
                ..Import::default()
            },
        )
        .await;
        assert!(
            more.contains(
                "the hub holds 30 there already; an opening balance is a bucket's first stock"
            ),
            "{more}"
        );
        assert_eq!(hub_stock(&hub).await, go_live_stock());
    }
);

/// Imports `rows` as the ERP's stock on hand, straight into the store.
async fn erp_load(
    hub: &common::TestHub,
    rows: Vec<OpeningBalance>,
) -> Result<dockhand_core::sync::protocol::ImportResult, String> {
    let store = hub.store.clone();
    tokio::task::spawn_blocking(move || {
        store
            .import(
                &Import {
                    opening_balances: rows,
                    ..Import::default()
                },
                &dockhand_hub::store::ImportSource {
                    origin: dockhand_core::sync::protocol::HubEventOrigin::Erp,
                    name: "tryton stock on hand",
                },
            )
            .map_err(|e| e.to_string())
    })
    .await
    .unwrap()
}

on_both_backends!(
    the_erp_s_stock_on_hand_is_loaded_once_before_any_work_leaving_out_what_it_cannot_be,
    HubConfig::default(),
    |hub| {
        import_master(&hub).await;
        // The ERP holds a lot without expiry (taken: it cannot be made up here) and stock the
        // hub cannot take (left out, said).
        let mut rows = vec![
            row("P-01-01", sample::TOWELS, 30),
            lot(row("C-01-01", sample::MILK, 144), "M-1", None),
            row("A-01-03", sample::COFFEE, 6),
            row("Z-99-99", sample::TOWELS, 5),
        ];
        let mut drill = row("A-01-04", sample::DRILL, 1);
        drill.serial = "SN-0001".into();
        rows.push(drill);
        let loaded = erp_load(&hub, rows).await.unwrap();
        assert_eq!((loaded.opening_buckets, loaded.opening_units), (3, 175));
        assert_eq!(
            loaded.opening_left_out.len(),
            2,
            "{:?}",
            loaded.opening_left_out
        );
        assert!(
            loaded.opening_left_out[0].contains(
                "\"COFFEE-500\" is tracked by lot (lot), and the ERP holds this stock without one"
            ),
            "{:?}",
            loaded.opening_left_out
        );
        assert!(loaded.opening_left_out[1].contains("location \"Z-99-99\" is not in"));
        assert_eq!(
            hub_stock(&hub).await,
            [
                line("A-01-04", sample::DRILL, "", "SN-0001", "available", 1),
                line("C-01-01", sample::MILK, "M-1", "", "available", 144),
                line("P-01-01", sample::TOWELS, "", "", "available", 30),
            ]
        );
        assert_eq!(erp_feed(&hub).await, Vec::<String>::new());

        // Once loaded, never again, even with other figures.
        let again = erp_load(&hub, vec![row("A-01-01", sample::TOWELS, 12)])
            .await
            .unwrap_err();
        assert!(
            again.contains("the ERP's stock on hand was loaded already, as hub event"),
            "{again}"
        );
    }
);

on_both_backends!(
    the_erp_s_stock_on_hand_is_refused_once_handhelds_have_recorded_stock,
    HubConfig::default(),
    |hub| {
        hub.import(&Import {
            master: sample::warehouse(),
            opening_balances: vec![row("P-01-01", sample::TOWELS, 30)],
            ..Import::default()
        })
        .await;
        let refused = erp_load(&hub, vec![row("A-01-01", sample::TOWELS, 12)])
            .await
            .unwrap_err();
        assert!(
            refused.contains("the hub holds stock already (1 bucket): the ERP's stock on hand is loaded once, at go-live"),
            "{refused}"
        );
        assert_eq!(
            hub_stock(&hub).await,
            [line("P-01-01", sample::TOWELS, "", "", "available", 30)]
        );
    }
);
