//! The `dockhand-hub` command: CSV and JSON imports, device tokens issued by an administrator.
#![allow(clippy::unwrap_used)]

use std::process::Command;

use dockhand_core::sync::protocol::{ChangeKind, DeviceToken};
use dockhand_hub::HubStore;

fn hub(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_dockhand-hub"))
        .args(args)
        .env("RUST_LOG", "error")
        .output()
        .unwrap()
}

/// `dockhand-hub import FILE --kind KIND --database DB`.
fn import(file: &std::path::Path, kind: &str, db: &str) -> std::process::Output {
    hub(&[
        "import",
        file.to_str().unwrap(),
        "--kind",
        kind,
        "--database",
        db,
    ])
}

#[test]
fn csv_files_load_master_data_and_receipts_with_a_line_per_row() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hub.db");
    let db = db.to_str().unwrap();
    let items = dir.path().join("items.csv");
    std::fs::write(
        &items,
        "sku,description,base_unit,tracking,min_shelf_life_days,inspection_required,abc_class,unit_value_cents,putaway_zone\n\
         MILK-1L,Milk 1 L,EA,lot_expiry,10,false,A,129,\n\
         TOWEL-2P,Paper towels,EA,none,0,false,C,250,B\n",
    )
    .unwrap();
    let out = import(&items, "items", db);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("2 changed, 0 unchanged"));
    let receipts = dir.path().join("asn.csv");
    std::fs::write(
        &receipts,
        "receipt_id,reference,supplier,line_no,sku,quantity,unit,lot,sscc\n\
         ASN-7,PO-77,Nordic Foods,1,MILK-1L,48,,L1,\n\
         ASN-7,PO-77,Nordic Foods,2,TOWEL-2P,24,EA,,\n\
         ASN-8,PO-78,Paper Co,1,TOWEL-2P,10,,,\n",
    )
    .unwrap();
    let out = import(&receipts, "expected_receipts", db);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let store = dockhand_hub::sqlite::SqliteStore::open(db).unwrap();
    let changes = store.changes(0, 100).unwrap();
    let receipts: Vec<_> = changes
        .iter()
        .filter(|(_, c)| c.kind == ChangeKind::ExpectedReceipt)
        .map(|(_, c)| c.data.clone())
        .collect();
    assert_eq!(receipts.len(), 2);
    assert_eq!(receipts[0]["lines"].as_array().unwrap().len(), 2);
    assert_eq!(receipts[0]["lines"][0]["lot"], "L1");
    assert_eq!(receipts[0]["lines"][1]["unit"], "EA");

    let rmas = dir.path().join("rmas.csv");
    std::fs::write(
        &rmas,
        "return_id,reference,customer,line_no,sku,quantity,lot,serial\n\
         RMA-9,SO-9,Corner Shop,1,MILK-1L,2,L1,\n\
         RMA-9,SO-9,Corner Shop,2,TOWEL-2P,1,,\n",
    )
    .unwrap();
    let out = import(&rmas, "expected_returns", db);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rma: Vec<_> = store
        .changes(0, 100)
        .unwrap()
        .into_iter()
        .filter(|(_, c)| c.kind == ChangeKind::ExpectedReturn)
        .collect();
    assert_eq!(rma.len(), 1);
    assert_eq!(rma[0].1.data["customer"], "Corner Shop");
    assert_eq!(rma[0].1.data["lines"][1]["sku"], "TOWEL-2P");
    let changes = store.changes(0, 100).unwrap();

    // A bad row names the file, the row and what is wrong; nothing of that file is loaded.
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "sku,description,base_unit,tracking,abc_class\nDRILL,Drill,EA,serial,A\nVITC,Vitamins,EA,sometimes,B\n",
    )
    .unwrap();
    let out = import(&bad, "items", db);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.csv row 3") && err.contains("sometimes"),
        "{err}"
    );
    assert_eq!(store.changes(0, 100).unwrap().len(), changes.len());
    let out = import(&bad, "pallets", db);
    assert!(String::from_utf8_lossy(&out.stderr).contains("\"pallets\" is not a kind"));
}

#[test]
fn an_administrator_issues_a_device_token() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hub.db");
    let out = hub(&[
        "device",
        "issue",
        "HH-42",
        "--name",
        "dock 4",
        "--database",
        db.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token: DeviceToken = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(token.device_id, "HH-42");
    let store = dockhand_hub::sqlite::SqliteStore::open(&db).unwrap();
    let (device, _) = store
        .token(&dockhand_hub::api::token_hash(&token.token))
        .unwrap()
        .unwrap();
    assert_eq!(device, "HH-42");
    let out = hub(&["device", "issue", "  ", "--database", db.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 to 64 characters"));
}
