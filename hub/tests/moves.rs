//! Internal moves across the fleet, on both backends: a move one handheld makes of stock another
//! put away reaches the hub's stock and every view, and a location's most-units limit set at the
//! hub travels with master data and refuses an overfilling move on the handheld.
#![allow(clippy::unwrap_used)]

mod common;

use common::handheld::Handheld;
use common::towels;

use dockhand_core::moves::{self, ConfirmMove, MoveKind};
use dockhand_core::protocol::EventKind;
use dockhand_core::sync::protocol::{Import, StockLine};
use dockhand_core::sync::{add_stock_lines, own_stock_lines};
use dockhand_core::{ScannedGoods, sample};
use dockhand_hub::HubConfig;
use uuid::Uuid;

/// Bob moves `quantity` towels from the pick face to `to`, scanning both labels.
fn towels_from_pick_face(quantity: i64, to: &str, check: &str) -> ConfirmMove {
    ConfirmMove {
        op_id: Uuid::now_v7(),
        operator: "bob".into(),
        from: "P-01-01".into(),
        from_scan: "71".into(),
        scan: Some(ScannedGoods::barcode(sample::TOWELS_EA)),
        lpn: None,
        quantity,
        to: to.into(),
        to_scan: check.into(),
        reason: Some("re-slotting".into()),
        task_id: None,
    }
}

on_both_backends!(
    a_move_of_stock_another_handheld_put_away_reaches_the_hub_and_every_view,
    HubConfig::default(),
    |hub| {
        let mut master = sample::warehouse();
        for location in &mut master.locations {
            if location.code == "A-01-03" {
                location.max_units = Some(10);
            }
        }
        hub.import(&Import {
            master,
            ..Import::default()
        })
        .await;
        let h08 = Handheld::new(&hub, "handheld-08").await;
        let h09 = Handheld::new(&hub, "handheld-09").await;
        towels::receive_and_put_away(&h08.store, "DOOR-1", 48);
        h08.sync().await;
        h09.sync().await;

        // 09 moves 20 of the towels 08 put away: its view is the site's stock.
        let moved =
            moves::confirm_move(&h09.store, &towels_from_pick_face(20, "A-01-02", "42")).unwrap();
        assert_eq!(moved.move_kind, MoveKind::Loose);
        // The limit the hub set arrived with master data: 11 more into A-01-03 is refused.
        let refused = moves::confirm_move(&h09.store, &towels_from_pick_face(11, "A-01-03", "43"))
            .unwrap_err();
        assert_eq!(refused.code(), "location_full", "{refused}");
        assert!(refused.to_string().contains("10 units"), "{refused}");
        moves::confirm_move(&h09.store, &towels_from_pick_face(10, "A-01-03", "43")).unwrap();
        let report = h09.sync().await;
        assert_eq!(report.rejected, 0, "{report:?}");
        h08.sync().await;

        let hub_stock: Vec<StockLine> = hub.admin_get("/v1/admin/stock").await;
        let at = |location: &str| -> i64 {
            hub_stock
                .iter()
                .filter(|l| l.location == location && l.sku == sample::TOWELS)
                .map(|l| l.quantity)
                .sum()
        };
        assert_eq!((at("P-01-01"), at("A-01-02"), at("A-01-03")), (18, 20, 10));
        let own: Vec<_> = [&h08, &h09]
            .iter()
            .map(|h| own_stock_lines(&h.store).unwrap())
            .collect();
        assert_eq!(hub_stock, add_stock_lines(&own));
        for h in [&h08, &h09] {
            assert_eq!(h.view(), hub_stock, "{}", h.store.device_id());
        }
        assert_eq!(h09.events_of(EventKind::MoveConfirmed), 2);
    }
);

on_both_backends!(
    a_location_limit_below_one_is_refused_at_import_with_the_location_named,
    HubConfig::default(),
    |hub| {
        let mut master = sample::warehouse();
        master.locations.retain(|l| l.code == "A-01-02");
        master.locations[0].max_units = Some(0);
        let response = hub
            .client
            .post(format!("{}/v1/admin/import", hub.url))
            .json(&Import {
                master,
                ..Import::default()
            })
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400);
        let problem: serde_json::Value = response.json().await.unwrap();
        let message = problem["message"].as_str().unwrap_or_default().to_string();
        assert!(
            message.contains("A-01-02") && message.contains("max_units"),
            "{problem}"
        );
        // Nothing of it was kept: the location is unknown to the hub.
        let h = Handheld::new(&hub, "handheld-11").await;
        h.sync().await;
        let limit = h
            .store
            .read(|c| dockhand_core::catalog::location_by_code(c, "A-01-02"))
            .unwrap()
            .location
            .max_units;
        assert_eq!(limit, None);
    }
);
