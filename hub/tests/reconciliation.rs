//! Counts reconciled at the hub (issue 14): a count is what was on the shelf when it was counted.
//! The hub books what the counting handheld could not know (other handhelds' moves it had not
//! pulled, and moves that reach the hub after the count though they happened before it), so after
//! a full sync round the stock is what the counter saw plus what moved since, on the hub and on
//! every handheld. On both backends, against a real hub on loopback.
#![allow(clippy::unwrap_used)]

mod common;

use common::handheld::{Handheld, count_pick_face, import_sample, pick_towels, submit_towels};
use common::towels;
use dockhand_core::protocol::EventKind;
use dockhand_core::protocol::events::CountOutcome;
use dockhand_core::sample;
use dockhand_core::sync::protocol::StockLine;
use dockhand_hub::HubConfig;

/// Counts the pick face and finds `found`; a recount asked for is made by alice and finds the
/// same. Returns the outcome that stands.
fn count(h: &Handheld, task_id: &str, found: i64) -> CountOutcome {
    let first = count_pick_face(&h.store, task_id, found);
    if first.outcome != CountOutcome::RecountRequired {
        return first.outcome;
    }
    submit_towels(&h.store, task_id, "alice", found).outcome
}

/// The towels at the pick face in a stock view.
fn face(lines: &[StockLine]) -> i64 {
    lines
        .iter()
        .filter(|l| l.location == "P-01-01" && l.sku == sample::TOWELS)
        .map(|l| l.quantity)
        .sum()
}

/// Everyone syncs twice; every view must then be the hub's.
async fn full_round(hub: &common::TestHub, handhelds: &[&Handheld]) -> Vec<StockLine> {
    for _ in 0..2 {
        for h in handhelds {
            h.sync().await;
        }
    }
    let hub_stock: Vec<StockLine> = hub.admin_get("/v1/admin/stock").await;
    for h in handhelds {
        assert_eq!(h.view(), hub_stock, "{}", h.store.device_id());
        assert!(h.store.verify_integrity().unwrap().is_ok());
    }
    hub_stock
}

/// A few milliseconds between two facts, so their times order them.
async fn later() {
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
}

on_both_backends!(
    a_count_of_a_shelf_another_handheld_filled_offline_stands_once_both_sync,
    HubConfig::default(),
    |hub| {
        import_sample(&hub).await;
        let h08 = Handheld::new(&hub, "handheld-08").await;
        let h10 = Handheld::new(&hub, "handheld-10").await;
        // 08 puts 6 away and stays offline; 10 then counts the shelf and finds the 6, which
        // its view did not have: it adjusts +6.
        towels::receive_and_put_away(&h08.store, "DOOR-1", 6);
        later().await;
        h10.sync().await;
        let outcome = count(&h10, "CC-1", 6);
        assert_eq!(outcome, CountOutcome::Adjusted);
        assert_eq!(h10.events_of(EventKind::CountAdjusted), 1);
        h10.sync().await;
        // The hub had nothing there either: the count's +6 stands for now.
        let hub_stock: Vec<StockLine> = hub.admin_get("/v1/admin/stock").await;
        assert_eq!(face(&hub_stock), 6);
        // 08 syncs its putaway, which happened before the count: the count already saw those 6,
        // so the hub takes its +6 back, and the shelf holds 6, not 12.
        h08.sync().await;
        let hub_stock = full_round(&hub, &[&h08, &h10]).await;
        assert_eq!(face(&hub_stock), 6);
        // A handheld that joins now pulls the same.
        let h09 = Handheld::new(&hub, "handheld-09").await;
        h09.sync().await;
        assert_eq!(face(&h09.view()), 6);
    }
);

on_both_backends!(
    a_pick_that_reaches_the_hub_after_a_count_it_happened_before_is_not_taken_twice,
    HubConfig::default(),
    |hub| {
        import_sample(&hub).await;
        let h08 = Handheld::new(&hub, "handheld-08").await;
        let h09 = Handheld::new(&hub, "handheld-09").await;
        let h10 = Handheld::new(&hub, "handheld-10").await;
        towels::receive_and_put_away(&h08.store, "DOOR-1", 48);
        h08.sync().await;
        h09.sync().await;
        h10.sync().await;
        // 09 picks 10 offline; then 10 counts the shelf and finds 38, 10 fewer than its view.
        pick_towels(&h09.store, "SO-1", 10).unwrap();
        later().await;
        assert_eq!(count(&h10, "CC-1", 38), CountOutcome::Adjusted);
        h10.sync().await;
        let hub_stock: Vec<StockLine> = hub.admin_get("/v1/admin/stock").await;
        assert_eq!(face(&hub_stock), 38);
        // 09's pick, made before the count, arrives: the count had already seen it gone.
        h09.sync().await;
        let hub_stock = full_round(&hub, &[&h08, &h09, &h10]).await;
        assert_eq!(face(&hub_stock), 38);
        let staged: i64 = hub_stock
            .iter()
            .filter(|l| l.location == "STAGE-01")
            .map(|l| l.quantity)
            .sum();
        assert_eq!(staged, 10);
    }
);

on_both_backends!(
    moves_after_a_count_change_the_stock_as_usual,
    HubConfig::default(),
    |hub| {
        import_sample(&hub).await;
        let h08 = Handheld::new(&hub, "handheld-08").await;
        let h09 = Handheld::new(&hub, "handheld-09").await;
        towels::receive_and_put_away(&h08.store, "DOOR-1", 48);
        h08.sync().await;
        h09.sync().await;
        // 08 counts 48 (as expected), then 09, offline, picks 10 after the count.
        assert_eq!(count(&h08, "CC-1", 48), CountOutcome::NoVariance);
        h08.sync().await;
        later().await;
        pick_towels(&h09.store, "SO-1", 10).unwrap();
        h09.sync().await;
        let hub_stock = full_round(&hub, &[&h08, &h09]).await;
        assert_eq!(face(&hub_stock), 38);
    }
);
