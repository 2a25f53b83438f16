//! The exception workflow (issue 14): the hub raises an exception for each event it refuses, a
//! supervisor resolves one with a note, dismisses one, or retries a refused event once its cause
//! is fixed; the device whose event it is drops it from its exceptions with its next pull, and
//! counts an event taken on a retry as delivered, with the stock on every view. On both backends,
//! against a real hub on loopback.
#![allow(clippy::unwrap_used)]

mod common;

use common::handheld::Handheld;
use common::towels;
use dockhand_core::corrections;
use dockhand_core::outbox::{self, OutboxState};
use dockhand_core::protocol::exceptions::{ExceptionAction, REFUSED_EVENT, RaisedException};
use dockhand_core::sample;
use dockhand_core::sync::protocol::{Import, StockLine};
use dockhand_hub::HubConfig;

/// POST an action on exception `id`; answers the status and the body.
async fn act(
    hub: &common::TestHub,
    id: i64,
    action: &str,
    by: &str,
    note: Option<&str>,
) -> (u16, serde_json::Value) {
    let response = hub
        .client
        .post(format!(
            "{}/v1/admin/exceptions/raised/{id}/{action}",
            hub.url
        ))
        .json(&ExceptionAction {
            by: by.into(),
            note: note.map(Into::into),
        })
        .send()
        .await
        .unwrap();
    (
        response.status().as_u16(),
        response.json().await.unwrap_or_default(),
    )
}

async fn raised(hub: &common::TestHub, query: &str) -> Vec<RaisedException> {
    hub.admin_get(&format!("/v1/admin/exceptions/raised{query}"))
        .await
}

/// A hub whose catalog lacks the towels, and a handheld that received and put away `quantity`
/// of them: both its events are refused (unknown SKU).
async fn towels_refused(hub: &common::TestHub, quantity: i64) -> Handheld {
    hub.import(&Import {
        master: common::without_towels(sample::warehouse()),
        ..Import::default()
    })
    .await;
    let h08 = Handheld::new(hub, "handheld-08").await;
    towels::receive_and_put_away(&h08.store, "DOOR-1", quantity);
    let report = h08.sync().await;
    assert!(report.rejected >= 2, "{report:?}");
    h08
}

fn towels_at_face(lines: &[StockLine]) -> i64 {
    lines
        .iter()
        .filter(|l| l.location == "P-01-01" && l.sku == sample::TOWELS)
        .map(|l| l.quantity)
        .sum()
}

on_both_backends!(
    a_refused_event_retried_once_its_item_exists_is_delivered_on_the_device_too,
    HubConfig::default(),
    |hub| {
        let h08 = towels_refused(&hub, 8).await;
        let open = raised(&hub, "?kind=refused_event&state=open").await;
        let refused_on_device = h08.store.read(outbox::rejected).unwrap();
        assert_eq!(open.len(), refused_on_device.len());
        for (e, event) in open.iter().zip(&refused_on_device) {
            assert_eq!(
                (e.kind.as_str(), e.code.as_str(), e.device_id.as_str()),
                (REFUSED_EVENT, "unknown_sku", "handheld-08")
            );
            assert_eq!(e.subject, event.event_id.to_string());
            assert_eq!(e.event_ids, [event.event_id.to_string()]);
        }

        // Retried before the towels are in the catalog: refused again, still open.
        let first = &open[0];
        let (status, body) = act(&hub, first.id, "retry", "sam", None).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (409, Some("still_refused"))
        );
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .starts_with(&format!("retried event {}: refused again: ", first.subject)),
            "{body}"
        );
        assert_eq!(raised(&hub, "?state=open").await.len(), open.len());

        // The towels reach the catalog; each refused event is retried in the device's order and
        // taken: the hub's stock has the towels, and the device counts the events delivered.
        hub.import(&Import {
            master: sample::warehouse(),
            ..Import::default()
        })
        .await;
        for e in &open {
            let (status, body) = act(&hub, e.id, "retry", "sam", Some("towels added")).await;
            assert_eq!(status, 200, "{body}");
            assert_eq!(body["state"], "retried");
            assert_eq!(body["settled_by"], "sam");
        }
        assert!(raised(&hub, "?state=open").await.is_empty());
        let hub_stock: Vec<StockLine> = hub.admin_get("/v1/admin/stock").await;
        assert_eq!(towels_at_face(&hub_stock), 8);
        h08.sync().await;
        assert!(h08.store.read(outbox::rejected).unwrap().is_empty());
        assert_eq!(h08.engine.status().rejected, 0);
        let settled = h08.store.read(outbox::settlements).unwrap();
        assert_eq!(settled.len(), open.len());
        assert!(
            settled
                .iter()
                .all(|s| s.state == "retried" && s.settled_by == "sam")
        );
        for s in &settled {
            let event = h08
                .store
                .read(|c| outbox::event_by_id(c, s.event_id))
                .unwrap();
            assert_eq!(event.state, OutboxState::Acknowledged);
        }
        assert_eq!(h08.view(), hub_stock);
        assert!(h08.store.verify_integrity().unwrap().is_ok());

        // A settled exception takes no more action.
        let (status, body) = act(&hub, first.id, "retry", "sam", None).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (409, Some("exception_settled"))
        );
        assert!(
            body["message"].as_str().unwrap().starts_with(&format!(
                "exception {} is retried already (by sam at ",
                first.id
            )),
            "{body}"
        );
    }
);

on_both_backends!(
    resolving_needs_a_note_and_a_settled_exception_leaves_the_device_list,
    HubConfig::default(),
    |hub| {
        let h08 = towels_refused(&hub, 4).await;
        let open = raised(&hub, "?state=open").await;
        let (receipt, putaway) = (&open[0], &open[1]);

        // Refused actions change nothing.
        let (status, body) = act(&hub, receipt.id, "resolve", "sam", None).await;
        assert_eq!(status, 400);
        assert_eq!(
            body["message"],
            "a note is required to resolve an exception: say what was done or found"
        );
        let (status, body) = act(&hub, receipt.id, "resolve", " ", Some("checked")).await;
        assert_eq!(status, 400);
        assert_eq!(
            body["message"],
            "by \" \" must name who settles the exception: 1 to 64 characters, no control \
             characters"
        );
        let long = "x".repeat(501);
        let (status, _) = act(&hub, receipt.id, "resolve", "sam", Some(&long)).await;
        assert_eq!(status, 400);
        let (status, body) = act(&hub, 999_999, "dismiss", "sam", None).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (404, Some("no_such_exception"))
        );
        assert_eq!(body["message"], "the hub has no exception 999999");
        assert_eq!(raised(&hub, "?state=open").await, open);

        // Resolved with a note, and dismissed: both leave the open list and the device's.
        let (status, body) = act(
            &hub,
            receipt.id,
            "resolve",
            "sam",
            Some("towels returned to the supplier\nno stock to book"),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["state"], "resolved");
        assert_eq!(
            body["note"],
            "towels returned to the supplier\nno stock to book"
        );
        let (status, body) = act(&hub, putaway.id, "dismiss", "sam", None).await;
        assert_eq!((status, body["state"].as_str()), (200, Some("dismissed")));
        assert!(raised(&hub, "?state=open").await.is_empty());
        assert_eq!(raised(&hub, "?state=resolved").await.len(), 1);
        h08.sync().await;
        assert!(h08.store.read(outbox::rejected).unwrap().is_empty());
        let settled = h08.store.read(outbox::settlements).unwrap();
        let states: Vec<(&str, Option<&str>)> = settled
            .iter()
            .map(|s| (s.state.as_str(), s.note.as_deref()))
            .collect();
        assert_eq!(
            states,
            [
                ("dismissed", None),
                (
                    "resolved",
                    Some("towels returned to the supplier\nno stock to book")
                ),
            ]
        );
        // Still refused at the hub: the events stay rejected on the device, and a void of one
        // is refused there with a sentence.
        for s in &settled {
            let event = h08
                .store
                .read(|c| outbox::event_by_id(c, s.event_id))
                .unwrap();
            assert_eq!(event.state, OutboxState::Rejected);
        }
        let badges = dockhand_core::catalog::MasterData {
            credentials: sample::credentials().unwrap(),
            ..Default::default()
        };
        dockhand_core::catalog::upsert_master_data(&h08.store, &badges).unwrap();
        dockhand_core::credentials::sign_in(&h08.store, "BADGE-0001", "111111").unwrap();
        let events = common::envelopes(&h08.store).len();
        let refused = corrections::void_movement(
            &h08.store,
            &corrections::VoidMovement {
                op_id: uuid::Uuid::now_v7(),
                operator: "alice".into(),
                event_id: settled[0].event_id,
                reason: "scanned by mistake".into(),
                approval: sample::badge_of("sam"),
            },
        )
        .unwrap_err();
        assert!(
            refused.to_string().contains(
                "so it changed no stock there and a void would reverse a change the hub never"
            ),
            "{refused}"
        );
        assert_eq!(common::envelopes(&h08.store).len(), events);
        let hub_stock: Vec<StockLine> = hub.admin_get("/v1/admin/stock").await;
        assert_eq!(towels_at_face(&hub_stock), 0);
        assert_eq!(h08.view(), hub_stock);

        // An import cannot settle what a supervisor settles; a filter must name a kind.
        let response = hub
            .client
            .post(format!("{}/v1/admin/import", hub.url))
            .json(&serde_json::json!({"event_rejections": [{
                "device_id": "handheld-08", "seq": 1, "event_id": receipt.subject,
                "code": "erp_refused", "reason": "x", "settled": "resolved"}]}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400);
        let problem: serde_json::Value = response.json().await.unwrap();
        assert!(
            problem["message"]
                .as_str()
                .unwrap()
                .contains("is marked settled: an import reports a refusal"),
            "{problem}"
        );
        let response = hub
            .client
            .get(format!(
                "{}/v1/admin/exceptions/raised?kind=refused",
                hub.url
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400);
        let problem: serde_json::Value = response.json().await.unwrap();
        assert_eq!(
            problem["message"],
            "kind \"refused\" is none of refused_event, stock_below_zero, double_worked, kept_local, \
             erp_refused"
        );
    }
);
