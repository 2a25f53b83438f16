//! The exported surface as an app sees it: results as records, failures as the typed error an app
//! can act on, never a panic.
#![allow(clippy::unwrap_used)]

use dockhand_core::sample;
use dockhand_ffi::{Device, DockhandError};

fn device() -> (tempfile::TempDir, std::sync::Arc<Device>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("device.db").display().to_string();
    let device = Device::open(
        path,
        "HH-FFI".into(),
        dockhand_ffi::generate_database_key(),
        None,
    )
    .unwrap();
    device.load_sample_warehouse().unwrap();
    device
        .sign_in("BADGE-0001".into(), "111111".into())
        .unwrap();
    (dir, device)
}

#[test]
fn scans_come_back_as_typed_results() {
    let (_dir, d) = device();
    let goods = d
        .resolve_scan("]d2010401234500001610L2611A\u{1d}17270301".into())
        .unwrap();
    let dockhand_ffi::ScanResult::Goods {
        sku, lot, expiry, ..
    } = goods
    else {
        panic!("{goods:?} is not goods");
    };
    assert_eq!(sku, sample::MILK);
    assert_eq!(lot.as_deref(), Some("L2611A"));
    assert_eq!(expiry.map(|d| d.to_string()).as_deref(), Some("2027-03-01"));
    let location = d.resolve_scan("A-01-03".into()).unwrap();
    assert_eq!(
        location,
        dockhand_ffi::ScanResult::Location {
            code: "A-01-03".into()
        }
    );
    let counts = d.outbox_counts().unwrap();
    assert_eq!(
        (counts.pending, counts.acknowledged, counts.rejected),
        (0, 0, 0)
    );
}

#[test]
fn failures_are_typed_with_their_code_and_sentence() {
    let (_dir, d) = device();
    match d.resolve_scan("(01)09506000134352".into()) {
        Err(DockhandError::NotFound { code, reason }) => {
            assert_eq!(code, "unknown_barcode");
            assert!(reason.contains("09506000134352"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        d.resolve_scan("  ".into()),
        Err(DockhandError::Validation { code, .. }) if code == "invalid_input"
    ));
    // Another device's database is refused as a storage error, the file untouched.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.db").display().to_string();
    let key = dockhand_ffi::generate_database_key();
    drop(Device::open(path.clone(), "HH-A".into(), key.clone(), None).unwrap());
    assert!(matches!(
        Device::open(path, "HH-B".into(), key, None),
        Err(DockhandError::Storage { .. })
    ));
}

fn milk(op: &str, quantity: i64) -> dockhand_ffi::ReceiveRequest {
    dockhand_ffi::ReceiveRequest {
        op_id: op.into(),
        operator: "alice".into(),
        receipt_id: "BLIND-1".into(),
        dock: "DOCK-01".into(),
        goods: dockhand_ffi::Goods {
            barcode: sample::MILK_EA.into(),
            lot: Some("L9".into()),
            expiry: chrono::NaiveDate::from_ymd_opt(2027, 3, 1),
            serial: None,
        },
        quantity,
        lpn: None,
        approval: None,
    }
}

#[test]
fn a_receive_through_the_bindings_is_recorded_once_with_its_event() {
    let (_dir, d) = device();
    d.open_blind_receipt(
        "0190d5f2-0000-7000-8000-000000000001".into(),
        "alice".into(),
        "BLIND-1".into(),
        "DN-7".into(),
        "Nordic Foods".into(),
    )
    .unwrap();
    let op = "0190d5f2-0000-7000-8000-000000000002";
    let r = d.receive(milk(op, 6)).unwrap();
    assert_eq!(
        (
            r.sku.as_str(),
            r.base_quantity,
            r.lot.as_str(),
            r.status.as_str()
        ),
        (sample::MILK, 6, "L9", "received")
    );
    // The same operation again (a double trigger pull) changes nothing.
    assert_eq!(d.receive(milk(op, 6)).unwrap(), r);
    assert_eq!(d.outbox_counts().unwrap().pending, 2);
    // Bad input is a validation error naming the value; nothing is written.
    let mut bad = milk("0190d5f2-0000-7000-8000-000000000003", 1);
    bad.goods.lot = Some("L\u{0}9".into());
    assert!(
        matches!(d.receive(bad), Err(DockhandError::Validation { reason, .. }) if reason.contains("U+0000"))
    );
    assert!(
        matches!(d.receive(milk("not-a-uuid", 1)), Err(DockhandError::Validation { reason, .. }) if reason.contains("not-a-uuid"))
    );
    assert_eq!(d.outbox_counts().unwrap().pending, 2);
}
