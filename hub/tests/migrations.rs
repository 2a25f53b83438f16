//! A hub database made by an older version opens with what it held: each migration runs once, on
//! both backends, and the stock it kept is still there, numbered for the devices' pulls; what it
//! held becomes site `main`'s (items shared by every site, locations `main`'s own).
#![allow(clippy::unwrap_used)]

mod common;

use dockhand_hub::store::prelude::*;
use dockhand_hub::store::{Dialect, migrations, schema};
use dockhand_protocol::sync::StockLine;

/// Statements that make a version-3 hub: schema.sql and migrations up to 3, recorded, and one
/// bucket of stock as version 3 kept it (no serial, no licence plate).
fn version_3(dialect: Dialect) -> String {
    let mut sql = schema(dialect);
    for (version, statements) in migrations(dialect) {
        if version <= 3 {
            sql.push_str(&statements);
            sql.push_str(&format!(
                "\nINSERT INTO schema_migrations (version, applied_at) VALUES ({version}, 'then');\n"
            ));
        }
    }
    sql.push_str(&format!(
        "INSERT INTO stock (location, sku, lot, status, qty) \
         VALUES ('A-01-01', 'TOWEL-2P', '', 'available', 48);
         INSERT INTO devices (device_id, name, registered_at) VALUES ('HH-1', 'HH-1', 'then');
         INSERT INTO events (event_id, device_id, seq, event_type, hash, envelope, status, code,
                             reason, received_at)
             VALUES ('0190c0de-0000-7000-8000-000000000001', 'HH-1', 1, '{putaway}',
                     'h', '{{}}', 'rejected', 'unknown_sku', 'SKU X is not in the catalog', 'then'),
                    ('0190c0de-0000-7000-8000-000000000002', 'HH-1', 2, '{started}', 'h2',
                     '{{\"payload\":{{\"task_id\":\"T-OLD\"}}}}', 'accepted', NULL, NULL, 'then'),
                    ('0190c0de-0000-7000-8000-000000000003', 'HH-1', 3, '{received}', 'h3',
                     '{{\"payload\":{{\"movements\":[{{\"location\":\"DOCK-01\",\"lpn\":\"376123450000000016\"}},
                       {{\"location\":\"DOCK-01\",\"lpn\":\"\"}}]}}}}',
                     'accepted', NULL, NULL, 'then');
         INSERT INTO master (kind, key, data) VALUES ('item', 'TOWEL-2P', '{{\"sku\":\"TOWEL-2P\"}}'),
             ('location', 'A-01-01', '{{\"code\":\"A-01-01\"}}'),
             ('pick_task', 'T-OLD', '{{\"task_id\":\"T-OLD\",\"order_ref\":\"SO-OLD\",\"staging\":\"STAGE-01\",\"lines\":[{{\"line_no\":1,\"sku\":\"TOWEL-2P\",\"quantity\":4}}]}}');
         INSERT INTO changes (kind, key, data) VALUES ('item', 'TOWEL-2P', '{{\"sku\":\"TOWEL-2P\"}}'),
             ('location', 'A-01-01', '{{\"code\":\"A-01-01\"}}');
         INSERT INTO erp_posts (erp, feed_seq, event_id, event_type, device_id, status, at)
             VALUES ('tryton', 1, 'e1', '{started}', 'HH-1', 'posted', 'then'),
                    ('tryton', 2, 'e2', '{received}', 'HH-1', 'posted', 'then'),
                    ('tryton@north', 7, 'e7', '{received}', 'HH-1', 'posted', 'then');
         INSERT INTO erp_state (erp, updated_at) VALUES ('tryton@north', 'then'),
             ('tryton@south', 'then');",
        putaway = dockhand_core::protocol::EventKind::PutawayConfirmed.as_str(),
        started = dockhand_core::protocol::EventKind::PickTaskStarted.as_str(),
        received = dockhand_core::protocol::EventKind::LineReceived.as_str()
    ));
    sql
}

/// The keys of the changes a site's devices pull.
fn pulled(hub: &dyn HubStore, site: &str) -> Vec<String> {
    let changes = hub.changes(site, 0, 10).unwrap();
    changes.into_iter().map(|(_, c)| c.key).collect()
}

/// What the version-3 hub held, read through the migrated one: its stock at `main` and at a
/// site added since (none), and the changes each site's devices pull.
fn kept_by_site(hub: &dyn HubStore) {
    // A connector posted one event at a time then: its highest recorded position is where it
    // stands (with or without a state row), and one that recorded nothing starts at 0.
    let cursors: Vec<i64> = ["tryton", "tryton@north", "tryton@south", "tryton@east"]
        .iter()
        .map(|erp| hub.erp_cursor(erp).unwrap())
        .collect();
    assert_eq!(cursors, vec![2, 7, 0, 0]);
    // The licence plate an older event moved stock on is found by it.
    let on_plate = hub.lpn_events("main", "376123450000000016", 10).unwrap();
    assert_eq!(on_plate.len(), 1);
    assert!(on_plate[0].envelope.contains("376123450000000016"));
    assert!(hub.lpn_events("main", "", 10).unwrap().is_empty());
    hub.add_site("north", "North", "now").unwrap();
    assert_eq!(hub.stock("north").unwrap(), Vec::new());
    assert_eq!(pulled(hub, "main"), ["TOWEL-2P", "A-01-01"]);
    assert_eq!(pulled(hub, "north"), ["TOWEL-2P"]);
    assert!(
        hub.master_row("north", "item", "TOWEL-2P")
            .unwrap()
            .is_some()
    );
    assert!(
        hub.master_row("main", "location", "A-01-01")
            .unwrap()
            .is_some()
    );
    assert_eq!(
        hub.master_row("north", "location", "A-01-01").unwrap(),
        None
    );
    // The order it had seen started is in progress: not an order nobody started.
    let tasks = dockhand_hub::tasks::list(hub, "main").unwrap();
    let old = tasks.iter().find(|t| t.task_id == "T-OLD").unwrap();
    assert_eq!(
        old.progress,
        dockhand_core::protocol::tasks::TaskProgress::InProgress
    );
    let atp = dockhand_hub::measures::atp(hub, "main", Some("TOWEL-2P")).unwrap();
    assert_eq!((atp[0].available, atp[0].on_order), (48, 0));
    // The event it had refused is an open exception of main's.
    let open = dockhand_hub::exceptions::list(hub, "main", None, Some("open")).unwrap();
    let found: Vec<(&str, &str, &str, &str)> = open
        .iter()
        .map(|e| {
            (
                e.kind.as_str(),
                e.code.as_str(),
                e.subject.as_str(),
                e.reason.as_str(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [(
            "refused_event",
            "unknown_sku",
            "0190c0de-0000-7000-8000-000000000001",
            "SKU X is not in the catalog"
        )]
    );
}

/// The kept bucket as devices pull it: the first change of the stock clock.
fn numbered() -> (Vec<dockhand_hub::store::StockChange>, i64) {
    let change = |line| dockhand_hub::store::StockChange {
        number: 1,
        line,
        expiry: None,
    };
    (kept().into_iter().map(change).collect(), 0)
}

fn kept() -> Vec<StockLine> {
    vec![StockLine {
        location: "A-01-01".into(),
        sku: "TOWEL-2P".into(),
        lot: String::new(),
        serial: String::new(),
        lpn: String::new(),
        status: "available".into(),
        quantity: 48,
    }]
}

#[test]
fn a_version_3_sqlite_hub_keeps_its_stock_by_whole_bucket() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hub.db");
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch(&version_3(Dialect::Sqlite))
        .unwrap();
    let hub = dockhand_hub::sqlite::SqliteStore::open(&path).unwrap();
    assert_eq!(hub.stock("main").unwrap(), kept());
    drop(hub);
    // Opened again: nothing runs twice.
    let hub = dockhand_hub::sqlite::SqliteStore::open(&path).unwrap();
    assert_eq!(hub.stock("main").unwrap(), kept());
    assert_eq!(hub.stock_changes("HH-1", 0, 10).unwrap(), numbered());
    kept_by_site(&hub);
}

#[test]
fn a_version_3_postgres_hub_keeps_its_stock_by_whole_bucket() {
    let Some(base) = common::postgres_base("the PostgreSQL migration test") else {
        return;
    };
    let url = common::fresh_postgres_url(&base);
    let sql = version_3(Dialect::Postgres);
    let made = std::thread::spawn(move || {
        let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        client.batch_execute(&sql).unwrap();
        drop(client);
        let hub = dockhand_hub::postgres::PostgresStore::connect(&url).unwrap();
        let first = hub.stock("main").unwrap();
        drop(hub);
        let hub = dockhand_hub::postgres::PostgresStore::connect(&url).unwrap();
        let kept = (
            first,
            hub.stock("main").unwrap(),
            hub.stock_changes("HH-1", 0, 10).unwrap(),
        );
        kept_by_site(&hub);
        kept
    });
    let (first, again, changes) = made.join().unwrap();
    assert_eq!((first, again), (kept(), kept()));
    assert_eq!(changes, numbered());
}
