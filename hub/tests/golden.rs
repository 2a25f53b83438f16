//! A new hub accepts every event recorded by the last version whose payloads were untyped
//! (testdata/golden-v5, see its README), with signatures checked, and its stock view equals the
//! device's.
#![allow(clippy::unwrap_used)]

mod common;

use dockhand_core::protocol::EventKind;

use std::path::PathBuf;

use dockhand_core::sync::protocol::{EventStatus, EventsPage, StockLine};
use dockhand_core::{Store, StoreOptions};
use dockhand_hub::HubConfig;

fn golden_store(dir: &tempfile::TempDir) -> Store {
    let golden = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../testdata/golden-v5"
    ));
    let path = dir.path().join("demo.db");
    std::fs::copy(golden.join("demo.db"), &path).unwrap();
    let key = std::fs::read_to_string(golden.join("demo.db.key")).unwrap();
    Store::open_with(
        &path,
        StoreOptions::new("handheld-07").with_encryption_key(key.trim_end()),
    )
    .unwrap()
}

on_both_backends!(
    a_new_hub_accepts_the_golden_events_with_equal_stock,
    HubConfig::default(),
    |hub| {
        let dir = tempfile::tempdir().unwrap();
        let device = tokio::task::block_in_place(|| golden_store(&dir));
        let events = common::envelopes(&device);
        assert_eq!(events.len(), 52);
        let token = hub.register_device(&device).await;
        let result = hub.push(&token, "handheld-07", &events).await;
        let refused: Vec<_> = result
            .results
            .iter()
            .filter(|r| r.status != EventStatus::Accepted)
            .collect();
        assert!(refused.is_empty(), "{refused:?}");
        assert_eq!(result.contiguous_seq, 52);
        let feed: EventsPage = hub.admin_get("/v1/feed/events?limit=100").await;
        let (own, made): (Vec<_>, Vec<_>) = feed
            .events
            .iter()
            .partition(|e| e.event.device_id == "handheld-07");
        assert_eq!(own.len(), 52);
        // The handheld never pulled the site's stock: it counted against its own work, so the hub
        // takes its adjustments as they are and makes nothing of its own.
        assert!(
            own.iter()
                .any(|e| e.event.event_type == EventKind::CountAdjusted.as_str())
        );
        assert!(made.is_empty(), "{made:?}");
        let hub_stock: Vec<StockLine> = hub.admin_get("/v1/admin/stock").await;
        let device_stock = dockhand_core::sync::stock_lines(&device).unwrap();
        assert_eq!(hub_stock, device_stock);
    }
);
