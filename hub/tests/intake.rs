//! Event intake on a real hub over HTTP, on SQLite and PostgreSQL: exactly once by event id, seq
//! order and hash chain per device, gaps held, bad events rejected without blocking the rest,
//! and the hub's stock view equal to the devices' stock.
#![allow(clippy::unwrap_used)]

mod common;

use dockhand_core::protocol::EventKind;
use dockhand_core::sync::protocol::{
    DeviceStatus, EventStatus, EventsPage, HubException, StockLine,
};
use dockhand_core::sync::{add_stock_lines, stock_lines};
use dockhand_hub::HubConfig;

fn statuses(result: &dockhand_core::sync::protocol::IntakeResult) -> Vec<EventStatus> {
    result.results.iter().map(|r| r.status).collect()
}

on_both_backends!(
    a_resent_batch_changes_nothing_and_stock_matches_the_devices,
    HubConfig::default(),
    |hub| {
        let a = common::device("HH-A", 60, 1);
        let b = common::device("HH-B", 60, 2);
        let (ea, eb) = (common::envelopes(&a), common::envelopes(&b));
        let (ta, tb) = (hub.register("HH-A").await, hub.register("HH-B").await);
        let first = hub.push(&ta, "HH-A", &ea).await;
        assert!(statuses(&first).iter().all(|s| *s == EventStatus::Accepted));
        assert_eq!(first.contiguous_seq, ea.len() as i64);
        // The response was lost; the device sends the same batch again.
        let again = hub.push(&ta, "HH-A", &ea).await;
        assert!(
            statuses(&again)
                .iter()
                .all(|s| *s == EventStatus::Duplicate)
        );
        for chunk in eb.chunks(7) {
            hub.push(&tb, "HH-B", chunk).await;
        }
        let hub_stock: Vec<StockLine> = hub.admin_get("/v1/admin/stock").await;
        let devices = add_stock_lines(&[stock_lines(&a).unwrap(), stock_lines(&b).unwrap()]);
        assert!(!devices.is_empty());
        assert_eq!(hub_stock, devices);
        // The ERP feed has every event once, each device's in seq order.
        let feed: EventsPage = hub.admin_get("/v1/feed/events?limit=10000").await;
        assert_eq!(feed.events.len(), ea.len() + eb.len());
        let seqs_of = |d: &str| -> Vec<i64> {
            feed.events
                .iter()
                .filter(|e| e.event.device_id == d)
                .map(|e| e.event.seq)
                .collect()
        };
        assert_eq!(seqs_of("HH-A"), (1..=ea.len() as i64).collect::<Vec<_>>());
        assert_eq!(seqs_of("HH-B"), (1..=eb.len() as i64).collect::<Vec<_>>());
    }
);

on_both_backends!(
    a_gap_holds_later_events_until_it_is_filled,
    HubConfig::default(),
    |hub| {
        let a = common::device("HH-A", 30, 3);
        let events = common::envelopes(&a);
        let token = hub.register("HH-A").await;
        hub.push(&token, "HH-A", &events[..5]).await;
        let later = hub.push(&token, "HH-A", &events[8..12]).await;
        assert!(statuses(&later).iter().all(|s| *s == EventStatus::Held));
        assert_eq!(later.contiguous_seq, 5);
        let stock_while_held: Vec<StockLine> = hub.admin_get("/v1/admin/stock").await;
        let devices: Vec<DeviceStatus> = hub.admin_get("/v1/admin/devices").await;
        assert_eq!((devices[0].contiguous_seq, devices[0].held), (5, 4));
        // The missing events arrive: the held ones are applied behind them.
        let filled = hub.push(&token, "HH-A", &events[5..8]).await;
        assert!(
            statuses(&filled)
                .iter()
                .all(|s| *s == EventStatus::Accepted)
        );
        assert_eq!(filled.contiguous_seq, 12);
        let resent = hub.push(&token, "HH-A", &events[8..12]).await;
        assert!(
            statuses(&resent)
                .iter()
                .all(|s| *s == EventStatus::Duplicate)
        );
        hub.push(&token, "HH-A", &events[12..]).await;
        let stock: Vec<StockLine> = hub.admin_get("/v1/admin/stock").await;
        assert_ne!(stock, stock_while_held);
        assert_eq!(stock, stock_lines(&a).unwrap());
        let feed: EventsPage = hub.admin_get("/v1/feed/events?limit=10000").await;
        let seqs: Vec<i64> = feed.events.iter().map(|e| e.event.seq).collect();
        assert_eq!(seqs, (1..=events.len() as i64).collect::<Vec<_>>());
    }
);

on_both_backends!(
    an_altered_event_never_takes_a_place_and_the_genuine_one_still_does,
    HubConfig::default(),
    |hub| {
        let a = common::device("HH-A", 30, 4);
        let genuine = common::envelopes(&a);
        let mut events = genuine.clone();
        let token = hub.register("HH-A").await;
        // Someone edits a quantity after the fact.
        let victim = events
            .iter()
            .position(|e| e.event_type == EventKind::LineReceived.as_str())
            .unwrap();
        events[victim].payload["quantity"] = serde_json::json!(999);
        let result = hub.push(&token, "HH-A", &events).await;
        let outcome = &result.results[victim];
        assert_eq!(outcome.status, EventStatus::Rejected);
        assert_eq!(outcome.code.as_deref(), Some("hash_mismatch"));
        assert!(
            outcome.reason.as_deref().unwrap().contains("altered"),
            "{outcome:?}"
        );
        // The altered event is refused without a place in the chain: the events after it wait
        // for the genuine one instead of linking to whatever the altered one claimed.
        assert!(
            result.results[victim + 1..]
                .iter()
                .all(|r| r.status == EventStatus::Held)
        );
        assert_eq!(result.contiguous_seq, events[victim].seq - 1);
        let exceptions: Vec<HubException> = hub.admin_get("/v1/admin/exceptions").await;
        assert_eq!(exceptions.len(), 1);
        assert_eq!(
            (exceptions[0].seq, exceptions[0].code.as_str()),
            (events[victim].seq, "hash_mismatch")
        );
        // Sent again, the refusal is repeated, not turned into an acceptance.
        let again = hub.push(&token, "HH-A", &events[victim..=victim]).await;
        assert_eq!(again.results[0].code.as_deref(), Some("hash_mismatch"));
        // The genuine event takes its place and the held ones follow it.
        let fixed = hub.push(&token, "HH-A", &genuine[victim..=victim]).await;
        assert_eq!(fixed.results[0].status, EventStatus::Accepted);
        assert_eq!(fixed.contiguous_seq, genuine.len() as i64);
        let stock: Vec<StockLine> = hub.admin_get("/v1/admin/stock").await;
        assert_eq!(stock, stock_lines(&a).unwrap());
    }
);

on_both_backends!(
    a_broken_chain_and_a_replaced_database_are_reported,
    HubConfig::default(),
    |hub| {
        let a = common::device("HH-A", 20, 5);
        let genuine = common::envelopes(&a);
        let mut events = genuine.clone();
        let token = hub.register("HH-A").await;
        hub.push(&token, "HH-A", &events[..3]).await;
        // A device whose database was restored from an old copy records different events at the
        // same seqs: the hub refuses them rather than letting them replace what it has.
        let other = common::device("HH-A", 5, 99);
        let replayed = common::envelopes(&other);
        let conflict = hub.push(&token, "HH-A", &replayed[1..3]).await;
        assert!(
            conflict
                .results
                .iter()
                .all(|r| r.code.as_deref() == Some("seq_conflict"))
        );
        // An event whose link does not match (its own hash recomputed so only the link is wrong).
        events[3].prev_hash = "f".repeat(64);
        events[3].hash = events[3].computed_hash();
        let broken = hub.push(&token, "HH-A", &events[3..5]).await;
        assert_eq!(broken.results[0].code.as_deref(), Some("chain_broken"));
        assert!(
            broken.results[0]
                .reason
                .as_deref()
                .unwrap()
                .contains("ffffffffffff")
        );
        // It did not become the chain's anchor: the next event waits for the genuine event 4.
        assert_eq!(broken.results[1].status, EventStatus::Held);
        assert_eq!(broken.contiguous_seq, 3);
        let exceptions: Vec<HubException> = hub.admin_get("/v1/admin/exceptions").await;
        let codes: Vec<&str> = exceptions.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(codes, ["seq_conflict", "seq_conflict", "chain_broken"]);
        let healed = hub.push(&token, "HH-A", &genuine[3..]).await;
        assert_eq!(healed.contiguous_seq, genuine.len() as i64);
    }
);

on_both_backends!(
    tokens_are_checked_on_every_push,
    HubConfig {
        token_ttl: std::time::Duration::from_secs(1),
        ..HubConfig::default()
    },
    |hub| {
        let a = common::device("HH-A", 5, 6);
        let events = common::envelopes(&a);
        let token = hub.register("HH-A").await;
        let other = hub.register("HH-B").await;
        let missing = hub.push_raw(None, "HH-A", &events).await;
        assert_eq!(missing.status(), 401);
        assert!(missing.text().await.unwrap().contains("token_missing"));
        let unknown = hub.push_raw(Some("not-a-token"), "HH-A", &events).await;
        assert_eq!(unknown.status(), 401);
        assert!(unknown.text().await.unwrap().contains("token_invalid"));
        let wrong = hub.push_raw(Some(&other), "HH-A", &events).await;
        assert_eq!(wrong.status(), 403);
        let body = wrong.text().await.unwrap();
        assert!(
            body.contains("wrong_device") && body.contains("HH-B") && body.contains("HH-A"),
            "{body}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
        let expired = hub.push_raw(Some(&token), "HH-A", &events).await;
        assert_eq!(expired.status(), 401);
        assert!(expired.text().await.unwrap().contains("token_expired"));
        // Nothing was taken from the refused requests.
        let feed: EventsPage = hub.admin_get("/v1/feed/events").await;
        assert!(feed.events.is_empty());
        let fresh = hub.register("HH-A").await;
        let result = hub.push(&fresh, "HH-A", &events).await;
        assert_eq!(result.contiguous_seq, events.len() as i64);
    }
);
