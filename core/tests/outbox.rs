//! The outbox: envelope, gap-free seq, hash chain, tamper evidence, acknowledgement and rejection.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use dockhand_core::outbox::{self, ChainBreak, Delivered, GENESIS_HASH, OutboxState};
use dockhand_core::{ScannedGoods, receiving, sample};
use rusqlite::Connection;
use sha2::{Digest, Sha256};

fn three_receipts(f: &Fixture) {
    for code in [sample::MILK_CS, sample::MILK_EA] {
        receiving::receive_line(&f.store, &receive(milk_scan(code), 1)).unwrap();
    }
    let coffee = ScannedGoods::barcode(sample::COFFEE_EA).with_lot("C-1");
    receiving::receive_line(&f.store, &receive(coffee, 3)).unwrap();
}

#[test]
fn events_are_numbered_without_gaps_and_chained_by_hash() {
    let f = seeded();
    three_receipts(&f);
    let events = f.store.read(|c| outbox::events(c, 1, 100)).unwrap();
    assert_eq!(
        events.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
    assert_eq!(events[0].prev_hash, GENESIS_HASH);
    for pair in events.windows(2) {
        assert_eq!(pair[1].prev_hash, pair[0].hash);
        assert!(
            pair[0].event_id < pair[1].event_id,
            "UUID v7 ids sort by time"
        );
    }
    for e in &events {
        assert_eq!(e.event_id.get_version_num(), 7);
        assert_eq!(
            (e.device_id.as_str(), e.schema_version),
            ("handheld-07", outbox::SCHEMA_VERSION)
        );
        assert_eq!(e.state, OutboxState::Pending);
    }
    assert!(f.store.read(outbox::verify_chain).unwrap().is_empty());
}

#[test]
fn the_hash_is_sha256_of_the_documented_canonical_envelope() {
    let f = seeded();
    three_receipts(&f);
    let e = f.store.read(|c| outbox::events(c, 2, 1)).unwrap().remove(0);
    // Recomputed here from the documented rule, independently of Event::computed_hash.
    let envelope = serde_json::json!({
        "device_id": e.device_id, "event_id": e.event_id.to_string(), "event_type": e.event_type,
        "occurred_at": e.occurred_at, "op_id": e.op_id.to_string(), "payload": e.payload,
        "prev_hash": e.prev_hash, "schema_version": e.schema_version, "seq": e.seq,
        "tz_offset": e.tz_offset, "user_id": e.user_id,
    });
    let canonical = outbox::canonical_json(&envelope);
    assert!(
        canonical.starts_with("{\"device_id\":\"handheld-07\",\"event_id\":"),
        "{canonical}"
    );
    assert!(!canonical.contains(": ") && !canonical.contains(", "));
    assert_eq!(hex::encode(Sha256::digest(canonical.as_bytes())), e.hash);
}

#[test]
fn canonical_json_sorts_keys_at_every_level() {
    let value = serde_json::json!({"b": [{"z": 1, "a": null}], "a": {"y": "é", "x": -2}});
    assert_eq!(
        outbox::canonical_json(&value),
        r#"{"a":{"x":-2,"y":"é"},"b":[{"a":null,"z":1}]}"#
    );
}

#[test]
fn an_edited_or_removed_event_is_detected() {
    let f = seeded();
    three_receipts(&f);
    let path = f.path();
    // Someone with a SQLite shell removes the guards and edits history.
    let raw = Connection::open(&path).unwrap();
    raw.execute_batch(
        "DROP TRIGGER outbox_envelope_immutable; DROP TRIGGER outbox_no_delete;
         UPDATE outbox SET payload = replace(payload, '\"base_quantity\":12', '\"base_quantity\":1') WHERE seq = 1;",
    )
    .unwrap();
    let breaks = f.store.read(outbox::verify_chain).unwrap();
    assert_eq!(breaks, vec![ChainBreak::TamperedEvent { seq: 1 }]);
    raw.execute("DELETE FROM outbox WHERE seq = 2", []).unwrap();
    let breaks = f.store.read(outbox::verify_chain).unwrap();
    assert!(
        breaks.contains(&ChainBreak::Gap {
            expected: 2,
            found: 3
        }),
        "{breaks:?}"
    );
    assert!(
        breaks.contains(&ChainBreak::BrokenLink { seq: 3 }),
        "{breaks:?}"
    );
    assert!(!f.store.verify_integrity().unwrap().is_ok());
}

#[test]
fn acknowledged_events_leave_the_pending_list_and_a_retry_is_harmless() {
    let f = seeded();
    three_receipts(&f);
    let pending = f.store.read(|c| outbox::pending(c, 2)).unwrap();
    assert_eq!(
        pending.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![1, 2]
    );
    let mut ids: Vec<Delivered> = pending.iter().map(Delivered::from).collect();
    // The same answer twice in one batch counts once.
    ids.push(ids[0]);
    assert_eq!(outbox::acknowledge(&f.store, &ids).unwrap(), 2);
    // The hub's answer was lost and the batch is acknowledged again.
    assert_eq!(outbox::acknowledge(&f.store, &ids).unwrap(), 0);
    let pending = f.store.read(|c| outbox::pending(c, 10)).unwrap();
    assert_eq!(pending.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![3]);
    let counts = f.store.read(outbox::counts).unwrap();
    assert_eq!(
        (
            counts.pending,
            counts.acknowledged,
            counts.rejected,
            counts.last_seq
        ),
        (1, 2, 0, 3)
    );
}

#[test]
fn a_rejected_event_keeps_its_reason_and_does_not_block_later_events() {
    let f = seeded();
    three_receipts(&f);
    let first = f.store.read(|c| outbox::pending(c, 1)).unwrap().remove(0);
    outbox::reject(
        &f.store,
        Delivered::from(&first),
        "lot_unknown_in_erp",
        "lot L2611A is not registered for MILK-1L",
    )
    .unwrap();
    let pending = f.store.read(|c| outbox::pending(c, 10)).unwrap();
    assert_eq!(
        pending.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![2, 3]
    );
    let rejected = f.store.read(outbox::rejected).unwrap();
    assert_eq!(rejected.len(), 1);
    assert_eq!(
        rejected[0].reject_code.as_deref(),
        Some("lot_unknown_in_erp")
    );
    assert_eq!(
        rejected[0].reject_reason.as_deref(),
        Some("lot L2611A is not registered for MILK-1L")
    );
    // The chain still verifies: state is not part of the envelope.
    assert!(f.store.verify_integrity().unwrap().is_ok());

    assert_rejected(&f.store, "event_state", || {
        outbox::acknowledge(&f.store, &[Delivered::from(&first)])
    });
    let acked = Delivered::from(&pending[0]);
    outbox::acknowledge(&f.store, &[acked]).unwrap();
    assert_rejected(&f.store, "event_state", || {
        outbox::reject(&f.store, acked, "x", "y")
    });
    assert_rejected(&f.store, "unknown_event", || {
        outbox::acknowledge(
            &f.store,
            &[Delivered {
                seq: 2,
                event_id: uuid::Uuid::now_v7(),
            }],
        )
    });
}

#[test]
fn acknowledging_a_batch_with_one_bad_id_changes_nothing() {
    let f = seeded();
    three_receipts(&f);
    let mut ids: Vec<Delivered> = f
        .store
        .read(|c| outbox::pending(c, 10))
        .unwrap()
        .iter()
        .map(Delivered::from)
        .collect();
    ids.push(Delivered {
        seq: 99,
        event_id: uuid::Uuid::now_v7(),
    });
    assert_rejected(&f.store, "unknown_event", || {
        outbox::acknowledge(&f.store, &ids)
    });
}

#[test]
fn a_rejected_command_appends_no_event() {
    let f = seeded();
    three_receipts(&f);
    let err =
        receiving::receive_line(&f.store, &receive(ScannedGoods::barcode("nope"), 1)).unwrap_err();
    assert_eq!(err.code(), "unknown_barcode");
    receiving::receive_line(&f.store, &receive(milk_scan(sample::MILK_EA), 1)).unwrap();
    let seqs: Vec<i64> = f
        .store
        .read(|c| outbox::events(c, 1, 100))
        .unwrap()
        .iter()
        .map(|e| e.seq)
        .collect();
    assert_eq!(seqs, vec![1, 2, 3, 4]);
}

#[test]
fn the_pending_list_follows_acknowledgements_out_of_order_and_new_events() {
    let f = seeded();
    three_receipts(&f);
    let all = f.store.read(|c| outbox::pending(c, 10)).unwrap();
    // The hub answers for #2 first, then rejects #1; #3 stays pending.
    outbox::acknowledge(&f.store, &[Delivered::from(&all[1])]).unwrap();
    let seqs = |f: &Fixture| -> Vec<i64> {
        f.store
            .read(|c| outbox::pending(c, 10))
            .unwrap()
            .iter()
            .map(|e| e.seq)
            .collect()
    };
    assert_eq!(seqs(&f), vec![1, 3]);
    outbox::reject(&f.store, Delivered::from(&all[0]), "bad", "refused").unwrap();
    assert_eq!(seqs(&f), vec![3]);
    outbox::acknowledge(&f.store, &[Delivered::from(&all[2])]).unwrap();
    assert!(seqs(&f).is_empty());
    receiving::receive_line(&f.store, &receive(milk_scan(sample::MILK_EA), 2)).unwrap();
    assert_eq!(seqs(&f), vec![4]);
    // A retried answer for an event acknowledged long ago is still found and harmless.
    assert_eq!(
        outbox::acknowledge(&f.store, &[Delivered::from(&all[1])]).unwrap(),
        0
    );
    assert!(f.store.verify_integrity().unwrap().is_ok());
}

#[test]
fn a_pending_event_behind_the_send_cursor_fails_integrity() {
    let f = seeded();
    three_receipts(&f);
    let raw = Connection::open(f.path()).unwrap();
    raw.execute("UPDATE outbox_cursor SET first_pending = 3", [])
        .unwrap();
    let report = f.store.verify_integrity().unwrap();
    assert_eq!(report.pending_behind_cursor, vec![1, 2]);
    assert!(!report.is_ok());
}

#[test]
fn json_strings_are_escaped_exactly_as_serde_json_does() {
    for text in [
        "plain",
        "quote \" and \\ backslash",
        "tab\tnew\nline\r",
        "bell\u{7} nul\u{0} unit\u{1f}",
        "é ü 漢字 🙂",
        "\u{8}\u{c}",
    ] {
        let value = serde_json::Value::String(text.to_string());
        assert_eq!(
            outbox::canonical_json(&value),
            serde_json::to_string(&value).unwrap(),
            "{text:?}"
        );
    }
}
