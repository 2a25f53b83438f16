//! The device store: PRAGMAs, migrations, refusing files it must not touch, the write closure,
//! append-only history, and lookups that stay indexed at scale.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;

use common::*;
use dockhand_core::catalog::{self, Item, MasterData, Operator, Role, Tracking};
use dockhand_core::schema::{self, LATEST_VERSION, MIGRATIONS, Migration};
use dockhand_core::{Error, Store, StoreOptions, SystemClock, receiving, sample};
use rusqlite::Connection;

#[test]
fn a_new_database_gets_wal_full_sync_foreign_keys_and_a_busy_timeout() {
    let f = empty();
    let (mode, sync, fk, timeout, version): (String, i64, i64, i64, i64) = f
        .store
        .read(|c| {
            Ok((
                c.query_row("PRAGMA journal_mode", [], |r| r.get(0))?,
                c.query_row("PRAGMA synchronous", [], |r| r.get(0))?,
                c.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?,
                c.query_row("PRAGMA busy_timeout", [], |r| r.get(0))?,
                schema::version(c)?,
            ))
        })
        .unwrap();
    assert_eq!(mode, "wal");
    assert_eq!(sync, 2, "synchronous must be FULL (2)");
    assert_eq!(fk, 1);
    assert_eq!(timeout, 5000);
    assert_eq!(version, LATEST_VERSION);
}

#[test]
fn reopening_a_database_of_this_version_changes_nothing() {
    let f = seeded();
    receiving::receive_line(&f.store, &receive(milk_scan(sample::MILK_CS), 1)).unwrap();
    let before = dump(&f.store);
    let path = f.path();
    drop(f.store);

    let mut raw = Connection::open(&path).unwrap();
    assert_eq!(schema::migrate(&mut raw).unwrap(), Ok(Migration::UpToDate));
    drop(raw);
    let reopened = Store::open(&path, "handheld-07").unwrap();
    assert_eq!(before, dump(&reopened));
}

fn checkpointed_bytes(path: &std::path::Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

#[test]
fn a_database_from_a_newer_dockhand_is_refused_and_left_untouched() {
    let f = seeded();
    let path = f.path();
    drop(f.store);
    let raw = Connection::open(&path).unwrap();
    raw.pragma_update(None, "user_version", 99).unwrap();
    raw.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
    raw.pragma_update(None, "journal_mode", "DELETE").unwrap();
    drop(raw);
    let bytes = checkpointed_bytes(&path);

    let err = Store::open(&path, "handheld-07").unwrap_err();
    assert!(
        matches!(err, Error::SchemaTooNew { found: 99, supported, .. } if supported == LATEST_VERSION)
    );
    assert!(err.to_string().contains("schema version 99"), "{err}");
    assert_eq!(
        bytes,
        checkpointed_bytes(&path),
        "the file must not be modified"
    );
    let err = Store::open_read_only(&path, None, Arc::new(SystemClock)).unwrap_err();
    assert_eq!(err.code(), "schema_too_new");
    assert_eq!(bytes, checkpointed_bytes(&path));
}

#[test]
fn a_file_that_is_not_a_database_is_reported_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("device.db");
    let garbage = b"this is a warehouse, not a database; keep me".repeat(200);
    std::fs::write(&path, &garbage).unwrap();

    let err = Store::open(&path, "handheld-07").unwrap_err();
    assert_eq!(err.code(), "database_unreadable", "{err}");
    assert!(err.to_string().contains("left untouched"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), garbage);
}

#[test]
fn a_truncated_database_is_reported_and_kept() {
    let f = seeded();
    let path = f.path();
    drop(f.store);
    let raw = Connection::open(&path).unwrap();
    raw.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
    raw.pragma_update(None, "journal_mode", "DELETE").unwrap();
    drop(raw);
    let bytes = std::fs::read(&path).unwrap();
    let page_size = 4096;
    assert!(bytes.len() > 4 * page_size);
    // Keep the header page, lose the rest: the schema is readable, the tables are not.
    let mut damaged = bytes[..page_size].to_vec();
    damaged.extend(std::iter::repeat_n(0xA5u8, 2 * page_size));
    std::fs::write(&path, &damaged).unwrap();

    let err = Store::open(&path, "handheld-07").unwrap_err();
    assert_eq!(err.code(), "database_unreadable", "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), damaged);
}

#[test]
fn a_database_of_another_device_is_refused() {
    let f = empty();
    let path = f.path();
    drop(f.store);
    let err = Store::open(&path, "handheld-99").unwrap_err();
    assert_eq!(err.code(), "device_mismatch");
    assert!(err.to_string().contains("handheld-07") && err.to_string().contains("handheld-99"));
}

#[test]
fn inspecting_a_missing_path_does_not_create_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("typo.db");
    let err = Store::open_read_only(&path, None, Arc::new(SystemClock)).unwrap_err();
    assert_eq!(err.code(), "database_missing");
    assert!(!path.exists());
}

fn schema_of(conn: &Connection) -> Vec<(String, String)> {
    conn.prepare("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn every_older_schema_version_migrates_to_the_schema_of_current_sql() {
    // The one file a reader (and a new database) takes the schema from.
    let current = Connection::open_in_memory().unwrap();
    current.execute_batch(schema::CURRENT).unwrap();
    let current_schema = schema_of(&current);
    let replayed = Connection::open_in_memory().unwrap();
    for sql in MIGRATIONS {
        replayed.execute_batch(sql).unwrap();
    }
    assert_eq!(
        schema_of(&replayed),
        current_schema,
        "core/src/schema/current.sql differs from v1.sql..v{LATEST_VERSION}.sql replayed"
    );
    // Rows the migrations insert (the singletons) are in current.sql too.
    let rows = |c: &Connection| -> Vec<String> {
        current_schema
            .iter()
            .filter(|(_, sql)| sql.starts_with("CREATE TABLE"))
            .flat_map(|(table, _)| {
                let mut stmt = c.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
                let columns = stmt.column_count();
                stmt.query_map([], |r| {
                    let cells: Vec<String> = (0..columns)
                        .map(|i| format!("{:?}", r.get::<_, rusqlite::types::Value>(i).unwrap()))
                        .collect();
                    Ok(format!("{table}: {}", cells.join(" | ")))
                })
                .unwrap()
                .collect::<Result<Vec<_>, _>>()
                .unwrap()
            })
            .collect()
    };
    assert_eq!(rows(&replayed), rows(&current));
    assert!(!rows(&current).is_empty());
    let fresh = empty();
    let fresh_schema = fresh.store.read(|c| Ok(schema_of(c))).unwrap();
    assert_eq!(
        fresh_schema, current_schema,
        "a new database is not current.sql"
    );
    for version in 1..LATEST_VERSION {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        let raw = Connection::open(&path).unwrap();
        for sql in &MIGRATIONS[..version as usize] {
            raw.execute_batch(sql).unwrap();
        }
        raw.pragma_update(None, "user_version", version).unwrap();
        drop(raw);
        let store = Store::open(&path, "handheld-07").unwrap();
        let migrated = store
            .read(|c| Ok((schema_of(c), schema::version(c)?)))
            .unwrap();
        assert_eq!(
            migrated,
            (fresh_schema.clone(), LATEST_VERSION),
            "from version {version}"
        );
    }
}

#[test]
fn a_device_upgraded_with_open_reservations_keeps_their_totals_per_bucket() {
    // A version-15 database with three open reservations, two of them on one bucket.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    let raw = Connection::open(&path).unwrap();
    for sql in &MIGRATIONS[..15] {
        raw.execute_batch(sql).unwrap();
    }
    raw.pragma_update(None, "user_version", 15).unwrap();
    // Rows of reservations alone: their items and locations do not matter here.
    raw.pragma_update(None, "foreign_keys", false).unwrap();
    raw.execute_batch(
        "INSERT INTO reservations (item_id, location_id, lot, qty, reference, op_id, created_at)
         VALUES (1, 10, 'L1', 4, 'T-1/1', 'x', 'now'), (1, 10, 'L1', 6, 'T-2/1', 'x', 'now'),
                (2, 10, '', 3, 'T-2/2', 'x', 'now');",
    )
    .unwrap();
    drop(raw);
    let store = Store::open(&path, "handheld-07").unwrap();
    let kept: Vec<(i64, i64, String, i64)> = store
        .read(|c| {
            Ok(
                c.prepare("SELECT item_id, location_id, lot, qty FROM reserved_totals ORDER BY 1")?
                    .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                    .collect::<Result<_, _>>()?,
            )
        })
        .unwrap();
    assert_eq!(
        kept,
        vec![(1, 10, "L1".to_string(), 10), (2, 10, String::new(), 3)]
    );
}

#[test]
fn a_write_that_returns_an_error_commits_nothing() {
    let f = seeded();
    let before = dump(&f.store);
    let outcome: dockhand_core::Result<()> = f.store.write(|tx| {
        tx.conn().execute(
            "INSERT INTO operators (id, name, role, active) VALUES ('eve', 'Eve', 'operator', 1)",
            [],
        )?;
        Err(Error::invalid("test", "abandon the transaction"))
    });
    assert!(outcome.is_err());
    assert_eq!(before, dump(&f.store));
    assert_eq!(
        f.store
            .read(|c| catalog::operator(c, "eve"))
            .unwrap_err()
            .code(),
        "unknown_operator"
    );
}

#[test]
fn the_ledger_and_the_outbox_refuse_edits_and_deletes() {
    let f = seeded();
    receiving::receive_line(&f.store, &receive(milk_scan(sample::MILK_CS), 1)).unwrap();
    for (sql, words) in [
        ("UPDATE ledger SET delta = delta + 1", "append-only"),
        ("DELETE FROM ledger", "append-only"),
        ("UPDATE outbox SET payload = '{}'", "immutable"),
        ("DELETE FROM outbox", "never deleted"),
    ] {
        let err = f
            .store
            .write(|tx| Ok(tx.conn().execute(sql, [])?))
            .unwrap_err();
        assert!(err.to_string().contains(words), "{sql}: {err}");
    }
    assert!(f.store.verify_integrity().unwrap().is_ok());
}

#[test]
fn master_data_with_a_bad_record_is_refused_whole_and_names_the_record() {
    let f = seeded();
    let before = dump(&f.store);
    let mut data = MasterData::default();
    data.operators.push(Operator {
        id: "dave".into(),
        name: "Dave".into(),
        role: Role::Operator,
        active: true,
    });
    data.barcodes.push(catalog::Barcode {
        code: "5000000000001".into(),
        sku: sample::COFFEE.into(),
        unit: "PALLET".into(),
        quantity: 1,
    });
    let err = catalog::upsert_master_data(&f.store, &data).unwrap_err();
    assert_eq!(err.code(), "unknown_unit");
    assert!(err.to_string().contains("COFFEE-500") && err.to_string().contains("PALLET"));
    assert_eq!(before, dump(&f.store));
}

#[test]
fn upserting_master_data_again_updates_in_place() {
    let f = seeded();
    let mut data = sample::warehouse();
    data.items[1].description = "Coffee beans 500 g, dark roast".into();
    catalog::upsert_master_data(&f.store, &data).unwrap();
    let coffee = f
        .store
        .read(|c| catalog::item_by_sku(c, sample::COFFEE))
        .unwrap();
    assert_eq!(coffee.item.description, "Coffee beans 500 g, dark roast");
    let counts = f.store.read(catalog::counts).unwrap();
    assert_eq!(
        (counts.items, counts.barcodes, counts.locations),
        (5, 9, 15)
    );
}

#[test]
fn lookups_use_indexes_and_answer_correctly_with_many_items() {
    let f = empty();
    let n = 30_000;
    let items: Vec<Item> = (0..n)
        .map(|i| Item {
            sku: format!("SKU-{i:06}"),
            description: format!("item {i}"),
            base_unit: "EA".into(),
            tracking: Tracking::None,
            min_shelf_life_days: 0,
            inspection_required: false,
            abc_class: catalog::AbcClass::C,
            unit_value_cents: 1,
            putaway_zone: None,
        })
        .collect();
    let barcodes = (0..n)
        .map(|i| ea_barcode(format!("2{i:012}"), format!("SKU-{i:06}")))
        .collect();
    catalog::upsert_master_data(
        &f.store,
        &MasterData {
            items,
            barcodes,
            units: vec![],
            ..sample::warehouse()
        },
    )
    .unwrap();
    let hit = f
        .store
        .read(|c| catalog::resolve_barcode(c, "2000000017777"))
        .unwrap();
    assert_eq!(hit.item.item.sku, "SKU-017777");
    assert_eq!(
        f.store
            .read(|c| catalog::item_by_sku(c, "SKU-029999"))
            .unwrap()
            .item
            .description,
        "item 29999"
    );

    let plans: Vec<String> = f
        .store
        .read(|c| {
            let mut out = Vec::new();
            for sql in [
                "SELECT item_id FROM barcodes WHERE code = '2000000017777'",
                "SELECT id FROM items WHERE sku = 'SKU-017777'",
                "SELECT id FROM locations WHERE code = 'A-01-01'",
            ] {
                let detail: String =
                    c.query_row(&format!("EXPLAIN QUERY PLAN {sql}"), [], |r| r.get(3))?;
                out.push(detail);
            }
            Ok(out)
        })
        .unwrap();
    for plan in &plans {
        assert!(
            plan.contains("USING") && !plan.starts_with("SCAN"),
            "not indexed: {plan}"
        );
    }
}

#[test]
fn a_negative_schema_version_is_reported_and_the_file_kept() {
    let f = seeded();
    let path = f.path();
    drop(f.store);
    let raw = Connection::open(&path).unwrap();
    raw.pragma_update(None, "user_version", -3).unwrap();
    raw.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
    raw.pragma_update(None, "journal_mode", "DELETE").unwrap();
    drop(raw);
    let bytes = std::fs::read(&path).unwrap();
    let err = Store::open(&path, "handheld-07").unwrap_err();
    assert_eq!(err.code(), "database_unreadable", "{err}");
    assert!(err.to_string().contains("-3"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
}

#[test]
fn another_applications_database_is_not_taken_over() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    let raw = Connection::open(&path).unwrap();
    raw.execute_batch("CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('Ada');")
        .unwrap();
    drop(raw);
    let bytes = std::fs::read(&path).unwrap();
    let err = Store::open(&path, "handheld-07").unwrap_err();
    assert_eq!(err.code(), "database_unreadable");
    assert!(err.to_string().contains("another application"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
}

#[test]
fn inspecting_reads_without_touching_the_file_or_its_wal() {
    let f = seeded();
    receiving::receive_line(&f.store, &receive(milk_scan(sample::MILK_CS), 2)).unwrap();
    let path = f.path();
    let wal = path.with_extension("db-wal");
    // A support copy: the app's files as they are, the app not running.
    let copy = tempfile::tempdir().unwrap();
    let copied = copy.path().join("device.db");
    f.store.read(|c| Ok(c.execute_batch("SELECT 1")?)).unwrap();
    std::fs::copy(&path, &copied).unwrap();
    std::fs::copy(&wal, copied.with_extension("db-wal")).unwrap();
    let before = (
        std::fs::read(&copied).unwrap(),
        std::fs::read(copied.with_extension("db-wal")).unwrap(),
    );
    let inspected = Store::open_read_only(&copied, None, Arc::new(SystemClock)).unwrap();
    assert_eq!(inspected.device_id(), "handheld-07");
    let report = inspected.verify_integrity().unwrap();
    assert!(report.is_ok());
    assert_eq!(report.events, 1);
    assert!(
        inspected
            .write(|tx| Ok(tx.conn().execute("DELETE FROM lots", [])?))
            .is_err()
    );
    drop(inspected);
    let after = (
        std::fs::read(&copied).unwrap(),
        std::fs::read(copied.with_extension("db-wal")).unwrap(),
    );
    assert!(before == after, "inspect changed the support copy");
}

#[test]
fn a_panic_inside_a_write_rolls_back_and_the_store_keeps_working() {
    let f = seeded();
    let before = dump(&f.store);
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _: dockhand_core::Result<()> = f.store.write(|tx| {
            tx.conn().execute("DELETE FROM receipt_lines", [])?;
            panic!("a bug in a command");
        });
    }));
    assert!(outcome.is_err());
    assert_eq!(before, dump(&f.store));
    receiving::receive_line(&f.store, &receive(milk_scan(sample::MILK_CS), 1)).unwrap();
    assert!(f.store.verify_integrity().unwrap().is_ok());
}

#[test]
fn master_data_cannot_reinterpret_stock_already_on_the_device() {
    let f = seeded();
    let coffee = dockhand_core::ScannedGoods::barcode(sample::COFFEE_EA).with_lot("C-1");
    receiving::receive_line(&f.store, &receive(coffee, 6)).unwrap();

    let mut data = sample::warehouse();
    data.items[1].tracking = Tracking::None;
    let err = assert_rejected(&f.store, "invalid_input", || {
        catalog::upsert_master_data(&f.store, &data)
    });
    assert!(
        err.to_string().contains("COFFEE-500") && err.to_string().contains("from lot to none"),
        "{err}"
    );

    let mut data = sample::warehouse();
    data.items[2].base_unit = "CS".into();
    // Towels are not in stock, but still expected on the open ASN.
    let err = assert_rejected(&f.store, "invalid_input", || {
        catalog::upsert_master_data(&f.store, &data)
    });
    assert!(
        err.to_string().contains("TOWEL-2P") && err.to_string().contains("from EA to CS"),
        "{err}"
    );

    let mut data = sample::warehouse();
    data.locations[0].kind = catalog::LocationKind::Storage;
    let err = assert_rejected(&f.store, "invalid_input", || {
        catalog::upsert_master_data(&f.store, &data)
    });
    assert!(
        err.to_string().contains("DOCK-01") && err.to_string().contains("holds 6"),
        "{err}"
    );
}

/// The same changes pulled from the hub (an ERP changed an item's tracking) do not stall the
/// device's sync: the settings stock depends on stay as they are, the rest of the page applies,
/// and the device says what it kept.
#[test]
fn a_pulled_change_that_would_reinterpret_stock_is_kept_local_and_the_rest_applies() {
    use dockhand_core::sync::{
        self,
        protocol::{Change, ChangeKind, ChangesPage},
    };
    let f = seeded();
    let coffee = dockhand_core::ScannedGoods::barcode(sample::COFFEE_EA).with_lot("C-1");
    receiving::receive_line(&f.store, &receive(coffee, 6)).unwrap();
    let before = f
        .store
        .read(|c| catalog::item_by_sku(c, "COFFEE-500"))
        .unwrap();

    let mut data = sample::warehouse();
    let mut changed = data.items[1].clone();
    assert_eq!(changed.sku, "COFFEE-500");
    changed.tracking = Tracking::LotExpiry;
    changed.description = "Coffee beans 500 g (ERP)".into();
    let mut dock = data.locations[0].clone();
    dock.kind = catalog::LocationKind::Storage;
    let mut bin = data.locations.pop().unwrap();
    bin.code = "A-09-09".into();
    let row = |kind, key: &str, data: serde_json::Value| Change {
        kind,
        op: "upsert".into(),
        key: key.into(),
        data,
    };
    let page = ChangesPage {
        changes: vec![
            row(
                ChangeKind::Item,
                &changed.sku,
                serde_json::to_value(&changed).unwrap(),
            ),
            row(
                ChangeKind::Location,
                &dock.code,
                serde_json::to_value(&dock).unwrap(),
            ),
            row(
                ChangeKind::Location,
                &bin.code,
                serde_json::to_value(&bin).unwrap(),
            ),
        ],
        next_cursor: "c-9".into(),
        has_more: false,
    };
    let applied = sync::apply_changes(&f.store, &page).unwrap();

    // 6 received, 24 still expected on the open ASN.
    assert_eq!(
        applied.kept_local,
        vec![
            "item COFFEE-500: cannot change from lot to lot_expiry while 30 EA are in stock or \
             expected; kept as it is on this device"
                .to_string(),
            "location DOCK-01: cannot change from dock to storage while it holds 6 units; kept \
             as it is on this device"
                .to_string(),
        ]
    );
    let after = f
        .store
        .read(|c| catalog::item_by_sku(c, "COFFEE-500"))
        .unwrap();
    assert_eq!(after.item.tracking, before.item.tracking);
    assert_eq!(after.item.description, "Coffee beans 500 g (ERP)");
    let kept_dock = f
        .store
        .read(|c| catalog::location_by_code(c, "DOCK-01"))
        .unwrap();
    assert_eq!(kept_dock.location.kind, catalog::LocationKind::Dock);
    f.store
        .read(|c| catalog::location_by_code(c, "A-09-09"))
        .unwrap();
    assert_eq!(
        sync::changes_cursor(&f.store).unwrap().as_deref(),
        Some("c-9")
    );
}

#[test]
fn a_minimum_shelf_life_on_an_item_without_expiry_is_refused() {
    let f = seeded();
    let mut data = sample::warehouse();
    data.items[2].min_shelf_life_days = 10;
    let err = assert_rejected(&f.store, "invalid_input", || {
        catalog::upsert_master_data(&f.store, &data)
    });
    assert!(err.to_string().contains("TOWEL-2P"), "{err}");
}

#[test]
fn a_device_id_the_protocol_refuses_is_refused_when_the_database_opens() {
    let long = format!("HH-{}", "X".repeat(97));
    let err = Store::open_in_memory(StoreOptions::new(long.as_str())).unwrap_err();
    assert_eq!(err.code(), "invalid_input");
    let text = err.to_string();
    assert!(
        text.contains("has 100 characters") && text.len() < 200,
        "{text}"
    );
    let err = Store::open_in_memory(StoreOptions::new("HH 07")).unwrap_err();
    assert!(err.to_string().contains("U+0020"), "{err}");
    assert!(Store::open_in_memory(StoreOptions::new("handheld-07")).is_ok());
}
