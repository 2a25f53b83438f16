//! What a person at the hub made of this device's refused events reaches the device with the
//! changes: a settled exception leaves the list and the rejected count, an event taken on a retry
//! is delivered, and an event refused again after a retry is back on the list.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use dockhand_core::outbox::{self, OutboxState};
use dockhand_core::sync::{self, protocol};
use dockhand_core::{receiving, sample};

fn rejection(event: &outbox::Event, settled: Option<&str>, note: Option<&str>) -> protocol::Change {
    let row = protocol::EventRejection {
        device_id: event.device_id.clone(),
        seq: event.seq,
        event_id: event.event_id,
        code: "erp_refused".into(),
        reason: "bin closed".into(),
        settled: settled.map(Into::into),
        note: note.map(Into::into),
        settled_by: settled.map(|_| "sam".into()),
    };
    protocol::Change {
        kind: protocol::ChangeKind::EventRejection,
        op: "upsert".into(),
        key: event.event_id.to_string(),
        data: serde_json::to_value(row).unwrap(),
    }
}

fn apply(f: &Fixture, change: protocol::Change) {
    let page = protocol::ChangesPage {
        changes: vec![change],
        next_cursor: "c1".into(),
        has_more: false,
    };
    sync::apply_changes(&f.store, &page).unwrap();
}

#[test]
fn a_settled_exception_leaves_the_list_and_one_refused_again_comes_back() {
    let f = seeded();
    receiving::receive_line(&f.store, &receive(milk_scan(sample::MILK_CS), 2)).unwrap();
    let event = f
        .store
        .read(|c| outbox::events(c, 1, 10))
        .unwrap()
        .remove(0);
    let rejected = |f: &Fixture| f.store.read(outbox::rejected).unwrap().len();
    let open = |f: &Fixture| f.store.read(outbox::open_counts).unwrap().1;

    // The ERP refuses it: an exception.
    apply(&f, rejection(&event, None, None));
    assert_eq!((rejected(&f), open(&f)), (1, 1));
    // Resolved at the hub with a note: off the list, still refused.
    apply(
        &f,
        rejection(&event, Some("resolved"), Some("bin reopened by hand")),
    );
    assert_eq!((rejected(&f), open(&f)), (0, 0));
    let settled = f.store.read(outbox::settlements).unwrap();
    assert_eq!(
        (
            settled[0].state.as_str(),
            settled[0].note.as_deref(),
            settled[0].settled_by.as_str()
        ),
        ("resolved", Some("bin reopened by hand"), "sam")
    );
    let state = |f: &Fixture| {
        f.store
            .read(|c| outbox::event_by_id(c, event.event_id))
            .unwrap()
            .state
    };
    assert_eq!(state(&f), OutboxState::Rejected);
    // Retried and taken: delivered.
    apply(&f, rejection(&event, Some("retried"), None));
    assert_eq!(state(&f), OutboxState::Acknowledged);
    assert_eq!((rejected(&f), open(&f)), (0, 0));
    // Refused again later: back on the list, with no settlement.
    apply(&f, rejection(&event, None, None));
    assert_eq!(state(&f), OutboxState::Rejected);
    assert_eq!((rejected(&f), open(&f)), (1, 1));
    assert!(f.store.read(outbox::settlements).unwrap().is_empty());
    // A decision this version does not know leaves it as it is and the page applies.
    apply(&f, rejection(&event, Some("escalated"), None));
    assert_eq!((rejected(&f), open(&f)), (1, 1));
    assert_eq!(
        sync::changes_cursor(&f.store).unwrap().as_deref(),
        Some("c1")
    );
}
