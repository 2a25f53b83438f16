//! Counts reconciled at the hub (issue 14): a count is what was on the shelf when it was counted.
//! The hub books what the counting handheld could not know (other handhelds' moves it had not
//! pulled, and moves that reach the hub after the count though they happened before it), so after
//! a full sync round the stock is what the counter saw plus what moved since, on the hub and on
//! every handheld. On both backends, against a real hub on loopback.
#![allow(clippy::unwrap_used)]

mod common;

use common::handheld::{Handheld, count_pick_face, import_sample, pick_towels, submit_towels};
use common::towels;
use dockhand_core::protocol::EventBody;
use dockhand_core::protocol::EventKind;
use dockhand_core::protocol::events::{COUNT_RECONCILED, CountOutcome};
use dockhand_core::sample;
use dockhand_core::sync::protocol::{CountRelease, HeldCount, StockLine};
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

/// The count adjustments the hub made for the ERP: (task, variance, status) of each.
async fn reconciled_for_erp(hub: &common::TestHub) -> Vec<(String, i64, String)> {
    let store = hub.store.clone();
    let feed = tokio::task::spawn_blocking(move || store.feed("main", 0, 10_000).unwrap())
        .await
        .unwrap();
    feed.into_iter()
        .filter(|e| e.event.device_id == "hub@main")
        .map(|e| match e.event.body().unwrap() {
            EventBody::CountAdjusted(a) => {
                assert_eq!(a.reason_code, COUNT_RECONCILED);
                (a.task_id, a.variance, a.status.to_string())
            }
            other => panic!("the hub made {other:?}"),
        })
        .collect()
}

async fn held(hub: &common::TestHub) -> Vec<HeldCount> {
    hub.admin_get("/v1/admin/counts/held").await
}

on_both_backends!(
    a_count_reaches_the_erp_once_every_handheld_synced_past_it_as_its_net,
    HubConfig::default(),
    |hub| {
        import_sample(&hub).await;
        let h08 = Handheld::new(&hub, "handheld-08").await;
        let h10 = Handheld::new(&hub, "handheld-10").await;
        h08.sync().await;
        h10.sync().await;
        // 08 fills the shelf offline; 10 counts it and adjusts +6 against its view.
        towels::receive_and_put_away(&h08.store, "DOOR-1", 6);
        later().await;
        assert_eq!(count(&h10, "CC-1", 6), CountOutcome::Adjusted);
        h10.sync().await;
        // 08 has not synced since: the count waits, and the ERP has nothing of it.
        let waiting = held(&hub).await;
        assert_eq!(waiting.len(), 1, "{waiting:?}");
        assert_eq!(
            (
                waiting[0].task_id.as_str(),
                waiting[0].location.as_str(),
                waiting[0].found
            ),
            ("CC-1", "P-01-01", 6)
        );
        let store = hub.store.clone();
        let status = tokio::task::spawn_blocking(move || store.erp_status("tryton").unwrap())
            .await
            .unwrap();
        assert_eq!(status.counts_held, 1);
        assert!(
            status.describe().contains("1 count line(s) held"),
            "{}",
            status.describe()
        );
        assert!(reconciled_for_erp(&hub).await.is_empty());
        // 08 syncs: the count saw its 6, the net is nothing, and nothing goes to the ERP.
        h08.sync().await;
        assert!(held(&hub).await.is_empty());
        assert!(reconciled_for_erp(&hub).await.is_empty());

        // A real difference: 10 counts 5 of the 6; once 08 has synced past it (with work of its
        // own), the ERP gets -1, once.
        h10.sync().await;
        assert_eq!(count(&h10, "CC-2", 5), CountOutcome::Adjusted);
        h10.sync().await;
        assert_eq!(held(&hub).await.len(), 1);
        towels::receive_and_put_away(&h08.store, "DOOR-2", 2);
        h08.sync().await;
        assert!(held(&hub).await.is_empty());
        assert_eq!(
            reconciled_for_erp(&hub).await,
            [("CC-2".to_string(), -1, "available".to_string())]
        );
        let hub_stock = full_round(&hub, &[&h08, &h10]).await;
        assert_eq!(face(&hub_stock), 7);
    }
);

on_both_backends!(
    a_supervisor_releases_a_count_a_lost_handheld_holds_back,
    HubConfig::default(),
    |hub| {
        import_sample(&hub).await;
        let h08 = Handheld::new(&hub, "handheld-08").await;
        let h10 = Handheld::new(&hub, "handheld-10").await;
        towels::receive_and_put_away(&h10.store, "DOOR-1", 6);
        h10.sync().await;
        h08.sync().await;
        // 08 picks 1 and is lost in the yard; 10 then counts 4 of the 6 it knows of.
        pick_towels(&h08.store, "SO-1", 1).unwrap();
        later().await;
        assert_eq!(count(&h10, "CC-1", 4), CountOutcome::Adjusted);
        h10.sync().await;
        assert_eq!(held(&hub).await.len(), 1);
        let release = |task: Option<&str>, by: &str| {
            hub.client
                .post(format!("{}/v1/admin/counts/release", hub.url))
                .json(&CountRelease {
                    site: None,
                    task_id: task.map(str::to_string),
                    released_by: by.into(),
                })
                .send()
        };
        // Bad input: no name, a task with nothing held; nothing is released.
        let nameless = release(Some("CC-1"), " ").await.unwrap();
        assert_eq!(nameless.status(), 400);
        let text = nameless.text().await.unwrap();
        assert!(text.contains("must name who releases the counts"), "{text}");
        let unknown = release(Some("CC-404"), "sam").await.unwrap();
        assert_eq!(unknown.status(), 404);
        let text = unknown.text().await.unwrap();
        assert!(
            text.contains("no count line of task \\\"CC-404\\\" is held at site main"),
            "{text}"
        );
        assert_eq!(held(&hub).await.len(), 1);
        assert!(reconciled_for_erp(&hub).await.is_empty());

        let released: Vec<HeldCount> = release(Some("CC-1"), "sam")
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(released.len(), 1);
        let still = held(&hub).await;
        assert!(still.is_empty(), "{still:?} after {released:?}");
        assert_eq!(
            reconciled_for_erp(&hub).await,
            [("CC-1".to_string(), -2, "available".to_string())]
        );
        let again = release(Some("CC-1"), "sam").await.unwrap();
        assert_eq!(again.status(), 404);

        // 08 turns up with its pick, made before the count, which had seen that towel gone: the
        // hub corrects the count by +1 and, the count being released, the ERP gets +1 too (-1
        // in all: 5 expected, 4 found).
        let hub_stock = full_round(&hub, &[&h08, &h10]).await;
        assert_eq!(face(&hub_stock), 4);
        assert_eq!(
            reconciled_for_erp(&hub).await,
            [
                ("CC-1".to_string(), -2, "available".to_string()),
                ("CC-1".to_string(), 1, "available".to_string())
            ]
        );
    }
);
