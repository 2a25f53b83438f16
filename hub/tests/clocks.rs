//! Device clocks (issue 14): at each sync the hub records how far a handheld's clock is from its
//! own, shown with the device; a handheld whose clock was reset still syncs; a time the hub cannot
//! read is refused with a sentence. On both backends, against a real hub on loopback.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use dockhand_core::sync::engine::{StaticToken, SyncConfig, SyncEngine};
use dockhand_core::sync::protocol::{DEVICE_TIME_HEADER, DeviceStatus};
use dockhand_core::{ManualClock, Store, StoreOptions, catalog, sample};
use dockhand_hub::HubConfig;
use dockhand_hub::api::clock::skew_of;

/// A handheld whose clock is `ahead` of the real time (behind when negative), synced once; the
/// skew its sync reported.
async fn synced_with_clock(hub: &common::TestHub, id: &str, ahead: chrono::Duration) -> i64 {
    let clock = Arc::new(ManualClock::new((Utc::now() + ahead).fixed_offset()));
    let store = Arc::new(Store::open_in_memory(StoreOptions::new(id).with_clock(clock)).unwrap());
    catalog::upsert_master_data(&store, &sample::warehouse()).unwrap();
    let token = hub.register_device(&store).await;
    let config = SyncConfig {
        request_timeout: Duration::from_secs(5),
        ..SyncConfig::new(&hub.url)
    };
    let engine = SyncEngine::new(store, config, Arc::new(StaticToken::new(token))).unwrap();
    engine.sync_now().await.unwrap().clock_skew_ms.unwrap()
}

async fn device(hub: &common::TestHub, id: &str) -> DeviceStatus {
    let devices: Vec<DeviceStatus> = hub.admin_get("/v1/admin/devices").await;
    devices.into_iter().find(|d| d.device_id == id).unwrap()
}

on_both_backends!(
    the_hub_records_each_handheld_s_clock_skew_and_a_reset_clock_still_syncs,
    HubConfig::default(),
    |hub| {
        // The handheld is told too, from the hub's time on its answers.
        let told = synced_with_clock(&hub, "HH-AHEAD", chrono::Duration::minutes(7)).await;
        assert!((told - 420_000).abs() < 10_000, "{told}");
        let told = synced_with_clock(&hub, "HH-ON-TIME", chrono::Duration::zero()).await;
        assert!(told.abs() < 10_000, "{told}");
        // A flat battery put this one back to 1970: it syncs, and the hub says how far off it is.
        let reset = "1970-01-01T00:00:00Z"
            .parse::<chrono::DateTime<Utc>>()
            .unwrap()
            - Utc::now();
        synced_with_clock(&hub, "HH-RESET", reset).await;

        let ahead = device(&hub, "HH-AHEAD").await;
        let skew = ahead.clock_skew_ms.unwrap();
        // Seven minutes, give or take the time the sync took.
        assert!((skew - 420_000).abs() < 10_000, "{skew}");
        assert!(ahead.clock_checked_at.is_some());
        let on_time = device(&hub, "HH-ON-TIME").await.clock_skew_ms.unwrap();
        assert!(on_time.abs() < 10_000, "{on_time}");
        let reset_skew = device(&hub, "HH-RESET").await.clock_skew_ms.unwrap();
        assert!(reset_skew < -1_700_000_000_000, "{reset_skew}");

        // The hub's housekeeping raises an alert for the clocks more than five minutes off.
        let store = hub.store.clone();
        let done = tokio::task::spawn_blocking(move || store.housekeep(&dockhand_hub::now_text()))
            .await
            .unwrap()
            .unwrap();
        let off: Vec<&str> = done
            .devices_clock_off
            .iter()
            .map(|(d, _)| d.as_str())
            .collect();
        assert_eq!(off, ["HH-AHEAD", "HH-RESET"]);
    }
);

on_both_backends!(
    a_device_time_the_hub_cannot_read_is_refused_with_a_sentence,
    HubConfig::default(),
    |hub| {
        let token = hub.register("HH-BAD-CLOCK").await;
        for (sent, expected) in [
            (
                "yesterday at noon",
                "dockhand-device-time \"yesterday at noon\" is not an RFC 3339 time",
            ),
            (&"9".repeat(60), "has 60 characters; a time has at most 40"),
        ] {
            let response = hub
                .client
                .get(format!("{}/v1/changes", hub.url))
                .bearer_auth(&token)
                .header(DEVICE_TIME_HEADER, sent)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 400);
            let problem: serde_json::Value = response.json().await.unwrap();
            let text = problem["message"].as_str().unwrap().to_string();
            assert!(text.contains(expected), "{text}");
        }
        // Nothing was recorded; without the header (an older device) nothing is either.
        let response = hub
            .client
            .get(format!("{}/v1/changes", hub.url))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(device(&hub, "HH-BAD-CLOCK").await.clock_skew_ms, None);
    }
);

#[test]
fn skew_is_the_device_s_time_minus_the_hub_s_with_any_offset() {
    let now = "2026-12-03T09:00:00Z".parse().unwrap();
    assert_eq!(skew_of("2026-12-03T09:00:01.500Z", now).unwrap(), 1_500);
    assert_eq!(skew_of("2026-12-03T10:00:00+01:00", now).unwrap(), 0);
    assert_eq!(skew_of("2026-12-03T08:58:00-00:00", now).unwrap(), -120_000);
}
