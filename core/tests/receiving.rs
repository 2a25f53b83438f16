//! Receiving against the sample ASN and on blind receipts: balances, receipt lines, events.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use dockhand_core::receiving;
use dockhand_core::{StockStatus, outbox, sample, stock};

#[test]
fn a_case_scan_lands_as_received_base_units_on_the_dock_with_its_event() {
    let f = seeded();
    let mut cmd = receive(milk_scan(sample::MILK_CS), 2);
    cmd.lpn = Some(sample::MILK_PALLET.into());
    let r = receiving::receive_line(&f.store, &cmd).unwrap();

    assert_eq!(
        (r.line_no, r.base_quantity, r.line_received, r.line_expected),
        (1, 24, 24, 48)
    );
    assert_eq!(r.status, StockStatus::Received);
    assert_eq!(r.expiry, Some(date(2027, 3, 1)));
    let dock = f
        .store
        .read(|c| stock::balances_at_location(c, "DOCK-01"))
        .unwrap();
    assert_eq!(dock.len(), 1);
    assert_eq!(
        (
            dock[0].sku.as_str(),
            dock[0].lot.as_str(),
            dock[0].lpn.as_str()
        ),
        (sample::MILK, "L2611A", sample::MILK_PALLET)
    );
    assert_eq!(
        (dock[0].status, dock[0].quantity),
        (StockStatus::Received, 24)
    );

    let events = f
        .store
        .read(|c| outbox::events_of_operation(c, cmd.op_id))
        .unwrap();
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!(
        (e.seq, e.event_type.as_str(), e.user_id.as_str()),
        (1, "receiving.line_received", "alice")
    );
    assert_eq!(e.event_id, r.event_id);
    assert_eq!(e.event_id.get_version_num(), 7);
    assert_eq!(e.payload["base_quantity"], 24);
    assert_eq!(e.payload["quantity"], 2);
    assert_eq!(e.payload["unit"], "CS");
    assert_eq!(e.payload["sscc"], sample::MILK_PALLET);
    assert_eq!(e.occurred_at, "2026-11-27T07:00:00.000Z");
    assert_eq!(e.tz_offset, "+01:00");
    assert!(f.store.verify_integrity().unwrap().is_ok());
}
