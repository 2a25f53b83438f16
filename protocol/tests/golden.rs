//! Events recorded by the last version whose payloads were untyped (testdata/golden-v5) read as
//! this version's typed events and re-serialise to the bytes their hashes cover.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;

use dockhand_protocol::envelope::canonical_json;
use dockhand_protocol::{Envelope, EventBody, EventKind};

fn golden_events() -> Vec<Envelope> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../testdata/golden-v5/demo-events.jsonl"
    );
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

#[test]
fn every_recorded_event_reads_typed_and_re_serialises_to_its_hashed_bytes() {
    let events = golden_events();
    assert_eq!(events.len(), 52);
    let mut kinds = BTreeSet::new();
    for event in &events {
        assert_eq!(event.computed_hash(), event.hash, "seq {}", event.seq);
        let body = event
            .body()
            .unwrap_or_else(|e| panic!("seq {} ({}): {e}", event.seq, event.event_type));
        assert_eq!(body.kind().as_str(), event.event_type);
        let again = body.to_payload().unwrap();
        assert_eq!(
            canonical_json(&again),
            canonical_json(&event.payload),
            "seq {} ({})",
            event.seq,
            event.event_type
        );
        let mut rebuilt = event.clone();
        rebuilt.payload = again;
        assert_eq!(rebuilt.computed_hash(), event.hash, "seq {}", event.seq);
        assert_eq!(body.movements(), event.movements().unwrap().as_slice());
        kinds.insert(body.kind());
    }
    // The fixture holds every event type of its version; types added since are not in it.
    let missing: Vec<&EventKind> = EventKind::ALL
        .iter()
        .filter(|k| !kinds.contains(k) && !ADDED_SINCE_THE_FIXTURE.contains(k))
        .collect();
    assert!(missing.is_empty(), "the fixture lacks {missing:?}");
    assert_eq!(
        kinds.len() + ADDED_SINCE_THE_FIXTURE.len(),
        EventKind::ALL.len()
    );
}

/// Event types added after testdata/golden-v5 was recorded (issue 16).
const ADDED_SINCE_THE_FIXTURE: [EventKind; 8] = [
    EventKind::MoveConfirmed,
    EventKind::ReplenishmentRaised,
    EventKind::StockReleased,
    EventKind::UnitBuilt,
    EventKind::Packed,
    EventKind::Unpacked,
    EventKind::Loaded,
    EventKind::Shipped,
];

#[test]
fn a_payload_that_does_not_read_says_which_type_and_what_is_wrong() {
    let events = golden_events();
    let received = events
        .iter()
        .find(|e| e.event_type == EventKind::LineReceived.as_str())
        .unwrap();
    let mut payload = received.payload.clone();
    payload["base_quantity"] = serde_json::json!("twelve");
    let e = EventBody::parse(&received.event_type, &payload).unwrap_err();
    assert!(
        e.to_string()
            .contains("a receiving.line_received payload does not read"),
        "{e}"
    );
    payload["base_quantity"] = serde_json::json!(12);
    payload["status"] = serde_json::json!("for_sale");
    let e = EventBody::parse(&received.event_type, &payload).unwrap_err();
    assert!(
        e.to_string().contains("\"for_sale\" is not a StockStatus"),
        "{e}"
    );
    let e = EventBody::parse(&"x".repeat(10_000), &payload).unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("is not an event type of this version") && text.len() < 200,
        "{text}"
    );
}

#[test]
fn event_kinds_round_trip_and_only_stock_moving_kinds_carry_movements() {
    for kind in EventKind::ALL {
        assert_eq!(EventKind::parse(kind.as_str()), Some(*kind));
        let json = serde_json::to_value(kind).unwrap();
        assert_eq!(json, serde_json::json!(kind.as_str()));
    }
    let moving: Vec<&str> = EventKind::ALL
        .iter()
        .filter(|k| k.moves_stock())
        .map(|k| k.as_str())
        .collect();
    assert_eq!(
        moving,
        [
            "receiving.line_received",
            "putaway.confirmed",
            "move.confirmed",
            "picking.confirmed",
            "picking.short",
            "counting.adjusted",
            "returns.received",
            "returns.inspected",
            "quality.released",
            "packing.packed",
            "packing.unpacked",
            "shipping.loaded",
            "shipping.shipped",
            "correction.voided"
        ]
    );
}
