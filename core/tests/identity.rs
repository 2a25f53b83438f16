//! The device's signing identity: every event's hash is signed with the device's key, the key
//! stays with the database (or in the app's keystore), older databases get one, and an event too
//! large for the hub is refused with nothing recorded.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;

use common::{dump, empty, milk_scan, op, receive, seeded};
use dockhand_core::corrections::{self, VoidMovement};
use dockhand_core::identity::{self, EventSigner};
use dockhand_core::{Store, StoreOptions, outbox, receiving, sample};
use rusqlite::Connection;

fn all_events(store: &Store) -> Vec<outbox::Event> {
    store.read(|c| outbox::events(c, 1, 10_000)).unwrap()
}

fn assert_signed(store: &Store, key: &str) {
    let events = all_events(store);
    assert!(!events.is_empty());
    for e in &events {
        assert_eq!(
            identity::verify(key, &e.hash, &e.signature),
            Ok(()),
            "event {}",
            e.seq
        );
    }
}

#[test]
fn every_event_is_signed_with_the_device_key_which_survives_reopening() {
    let f = seeded();
    receiving::receive_line(&f.store, &receive(milk_scan(sample::MILK_CS), 2)).unwrap();
    let key = f.store.public_key().unwrap();
    assert_eq!(key.len(), 64);
    assert_signed(&f.store, &key);
    let path = f.path();
    drop(f.store);
    let again = Store::open(&path, "handheld-07").unwrap();
    assert_eq!(again.public_key().as_deref(), Some(key.as_str()));
    // Opened with the default policy: alice signs in before she receives.
    dockhand_core::credentials::sign_in(&again, "BADGE-0001", "111111").unwrap();
    receiving::receive_line(&again, &receive(milk_scan(sample::MILK_CS), 1)).unwrap();
    assert_signed(&again, &key);
    // Another database is another device: another key.
    assert_ne!(empty().store.public_key().unwrap(), key);
    // A signature, once written, is never changed.
    let conn = Connection::open(&path).unwrap();
    let refused = conn
        .execute("UPDATE outbox SET signature = 'ab' WHERE seq = 1", [])
        .unwrap_err();
    assert!(refused.to_string().contains("never changed"), "{refused}");
}

#[test]
fn events_recorded_before_devices_signed_are_signed_when_the_key_is_made() {
    let f = seeded();
    receiving::receive_line(&f.store, &receive(milk_scan(sample::MILK_CS), 2)).unwrap();
    let path = f.path();
    let pending = all_events(&f.store).len();
    drop(f.store);
    // The same database as version 3 wrote it: no key, no signatures.
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(
        "ALTER TABLE pick_tasks DROP COLUMN ship_by;
         DROP TABLE replenishment_tasks; ALTER TABLE locations DROP COLUMN replenish_sku;
         ALTER TABLE locations DROP COLUMN replenish_min; ALTER TABLE locations DROP COLUMN replenish_max;
         ALTER TABLE locations DROP COLUMN max_units;
         DROP INDEX ledger_by_lpn; DROP TABLE handling_units; DROP TABLE sscc_blocks; DROP TABLE kept_local; DROP TABLE task_claims; DROP TABLE exception_settlements;
         DROP TABLE hub_stock;
         ALTER TABLE sync_state DROP COLUMN stock_cursor;
         ALTER TABLE sync_state DROP COLUMN hub_applied_seq;
         DROP TABLE receipt_other_lots;
         DROP TABLE signed_in; DROP TABLE pin_failures; DROP TABLE credentials;
         DROP TRIGGER outbox_signature_once; DROP TABLE device_key;
         DROP TRIGGER reserved_totals_add; DROP TRIGGER reserved_totals_take;
         DROP TRIGGER reserved_totals_change; DROP TABLE reserved_totals;
         ALTER TABLE outbox DROP COLUMN signature; PRAGMA user_version = 3;",
    )
    .unwrap();
    drop(conn);
    let upgraded = Store::open(&path, "handheld-07").unwrap();
    let key = upgraded.public_key().unwrap();
    assert_eq!(all_events(&upgraded).len(), pending);
    assert_signed(&upgraded, &key);
}

/// A key the app keeps in the platform keystore.
struct Keystore(ed25519_dalek::SigningKey);

impl EventSigner for Keystore {
    fn public_key(&self) -> [u8; 32] {
        self.0.verifying_key().to_bytes()
    }
    fn sign(&self, message: &[u8]) -> Result<[u8; 64], String> {
        use ed25519_dalek::Signer;
        Ok(self.0.sign(message).to_bytes())
    }
}

#[test]
fn a_keystore_signer_keeps_the_private_key_out_of_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("device.db");
    let keystore = Arc::new(Keystore(ed25519_dalek::SigningKey::from_bytes(&[3; 32])));
    let key = hex::encode(keystore.public_key());
    let store = Store::open_with(
        &path,
        StoreOptions::new("hh-9").with_signer(keystore.clone()),
    )
    .unwrap();
    dockhand_core::catalog::upsert_master_data(&store, &sample::warehouse()).unwrap();
    receiving::load_expected_receipts(&store, &[sample::asn()]).unwrap();
    receiving::receive_line(&store, &receive(milk_scan(sample::MILK_CS), 2)).unwrap();
    assert_eq!(store.public_key().as_deref(), Some(key.as_str()));
    assert_signed(&store, &key);
    drop(store);
    let secret: Option<Vec<u8>> = Connection::open(&path)
        .unwrap()
        .query_row("SELECT secret_key FROM device_key", [], |r| r.get(0))
        .unwrap();
    assert_eq!(secret, None);
    // Without the keystore, or with another one, the database does not open.
    let without = Store::open(&path, "hh-9").unwrap_err().to_string();
    assert!(without.contains("platform keystore"), "{without}");
    let other = Arc::new(Keystore(ed25519_dalek::SigningKey::from_bytes(&[4; 32])));
    let wrong = Store::open_with(&path, StoreOptions::new("hh-9").with_signer(other))
        .unwrap_err()
        .to_string();
    assert!(wrong.contains("another installation"), "{wrong}");
    Store::open_with(&path, StoreOptions::new("hh-9").with_signer(keystore)).unwrap();
}

#[test]
fn an_event_too_large_for_the_hub_is_refused_and_nothing_is_recorded() {
    let f = seeded();
    receiving::receive_line(&f.store, &receive(milk_scan(sample::MILK_CS), 1)).unwrap();
    let event = all_events(&f.store).last().unwrap().event_id;
    let before = dump(&f.store);
    let err = corrections::void_movement(
        &f.store,
        &VoidMovement {
            op_id: op(),
            operator: "alice".into(),
            event_id: event,
            reason: "x".repeat(70_000),
            approval: sample::badge_of("sam"),
        },
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("an event carries at most 61440"), "{err}");
    assert_eq!(before, dump(&f.store));
}
