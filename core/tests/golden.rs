//! A device database recorded by the last version whose event payloads were untyped
//! (testdata/golden-v5, see its README) opens with today's code, passes the integrity check,
//! exports the same EPCIS events, and takes new commands on the same hash chain.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use dockhand_core::picking::{self, CancelPickTask, CreatePickTask, PickLineRequest};
use dockhand_core::{Store, StoreOptions, credentials, epcis, outbox};
use uuid::Uuid;

fn golden(file: &str) -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../testdata/golden-v5"
    ))
    .join(file)
}

/// A private copy of the golden database (opening it read-write may checkpoint or upgrade it).
fn open_copy(dir: &tempfile::TempDir) -> Store {
    let path = dir.path().join("demo.db");
    std::fs::copy(golden("demo.db"), &path).unwrap();
    let key = std::fs::read_to_string(golden("demo.db.key")).unwrap();
    Store::open_with(
        &path,
        StoreOptions::new("handheld-07").with_encryption_key(key.trim_end()),
    )
    .unwrap()
}

#[test]
fn the_golden_database_verifies_and_exports_the_same_epcis_events() {
    let dir = tempfile::tempdir().unwrap();
    let store = open_copy(&dir);
    let report = store.verify_integrity().unwrap();
    assert!(report.is_ok(), "{report:?}");
    assert_eq!(report.events, 52);

    let golden: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(golden("demo-epcis.json")).unwrap()).unwrap();
    let now = store
        .read(|c| epcis::export(c, 1, 52, "2026-12-03T00:00:00.000Z"))
        .unwrap();
    assert_eq!(now["sender"], golden["sender"]);
    let (now, golden) = (
        now["epcisBody"]["eventList"].as_array().unwrap().clone(),
        golden["epcisBody"]["eventList"].as_array().unwrap().clone(),
    );
    assert_eq!(now.len(), golden.len());
    for (n, g) in now.iter().zip(&golden) {
        assert_eq!(n, g);
    }

    // Every recorded event reads as its typed variant.
    let events = store.read(|c| outbox::events(c, 1, 100)).unwrap();
    for e in &events {
        e.body()
            .unwrap_or_else(|err| panic!("seq {}: {err}", e.seq));
    }
}

#[test]
fn today_s_commands_continue_the_recorded_chain() {
    let dir = tempfile::tempdir().unwrap();
    let store = open_copy(&dir);
    credentials::sign_in(&store, "BADGE-0001", "111111").unwrap();
    let task = picking::create_pick_task(
        &store,
        &CreatePickTask {
            op_id: Uuid::now_v7(),
            operator: "alice".into(),
            task: dockhand_core::picking::PickTaskRequest {
                task_id: "PT-AFTER".into(),
                order_ref: "SO-AFTER".into(),
                staging: "STAGE-01".into(),
                ship_by: None,
                lines: vec![PickLineRequest {
                    line_no: 1,
                    sku: "COFFEE-500".into(),
                    quantity: 2,
                    unit: None,
                    lot: None,
                }],
            },
        },
    )
    .unwrap();
    picking::cancel_pick_task(
        &store,
        &CancelPickTask {
            op_id: Uuid::now_v7(),
            operator: "alice".into(),
            task_id: task.id,
            reason: "order changed".into(),
        },
    )
    .unwrap();
    let report = store.verify_integrity().unwrap();
    assert!(report.is_ok(), "{report:?}");
    assert_eq!(report.events, 54);
    let last = store.read(|c| outbox::events(c, 52, 3)).unwrap();
    assert_eq!(last[1].prev_hash, last[0].hash);
    assert_eq!(last[2].prev_hash, last[1].hash);
}
