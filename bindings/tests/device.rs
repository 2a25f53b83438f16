//! The exported surface as an app sees it: results as records, failures as the typed error an app
//! can act on, never a panic.
#![allow(clippy::unwrap_used)]

use dockhand_core::sample;
use dockhand_ffi::{Device, DockhandError};

fn device() -> (tempfile::TempDir, std::sync::Arc<Device>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("device.db").display().to_string();
    let device = Device::open(path, "HH-FFI".into()).unwrap();
    device.load_sample_warehouse().unwrap();
    (dir, device)
}

#[test]
fn scans_come_back_as_records() {
    let (_dir, d) = device();
    let goods = d
        .resolve_scan("]d2010401234500001610L2611A\u{1d}17270301".into())
        .unwrap();
    assert_eq!(goods.kind, "goods");
    assert_eq!(goods.sku.as_deref(), Some(sample::MILK));
    assert_eq!(goods.lot.as_deref(), Some("L2611A"));
    assert_eq!(goods.expiry.as_deref(), Some("2027-03-01"));
    let location = d.resolve_scan("A-01-03".into()).unwrap();
    assert_eq!(
        (location.kind.as_str(), location.location.as_deref()),
        ("location", Some("A-01-03"))
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
        Err(DockhandError::NotFound { code, message }) => {
            assert_eq!(code, "unknown_barcode");
            assert!(message.contains("09506000134352"), "{message}");
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
    drop(Device::open(path.clone(), "HH-A".into()).unwrap());
    assert!(matches!(
        Device::open(path, "HH-B".into()),
        Err(DockhandError::Storage { .. })
    ));
}
