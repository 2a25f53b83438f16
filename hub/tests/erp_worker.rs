//! The ERP worker's bookkeeping on both backends, with a connector that refuses one kind of event
//! and is unreachable once (the real Tryton is exercised by scripts/tryton-e2e.sh): every event
//! is taken once in feed order, a transient failure retries the same event, a refusal is recorded
//! with its message and reaches the device that recorded the event, later events keep flowing.
#![allow(clippy::unwrap_used)]

mod common;

use dockhand_core::protocol::EventKind;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use dockhand_core::outbox::{self, OutboxState};
use dockhand_core::protocol::exceptions::RaisedException;
use dockhand_core::sync::protocol::{ChangesPage, FeedEvent};
use dockhand_hub::HubConfig;
use dockhand_hub::erp::worker::{self, Connector, ConnectorError};
use dockhand_hub::erp::{self, ErpOutcome, ErpPost};

/// Takes events; refuses putaways; holds receipt scans for a document posted later (as the Tryton
/// connector does with the scans of an ASN); the first try of the third event finds the ERP
/// unreachable.
#[derive(Default)]
struct Ledger {
    seen: Mutex<Vec<i64>>,
    down_once: AtomicBool,
}

impl Connector for Ledger {
    fn name(&self) -> &str {
        "test-erp"
    }

    async fn post(
        &self,
        _hub: &std::sync::Arc<dyn dockhand_hub::erp::ErpPort>,
        event: &FeedEvent,
    ) -> Result<Vec<String>, ConnectorError> {
        {
            if event.hub_seq == 3 && !self.down_once.swap(true, Ordering::AcqRel) {
                return Err(ConnectorError::Transient("connection refused".into()));
            }
            self.seen.lock().unwrap().push(event.hub_seq);
            if event.event.event_type == EventKind::PutawayConfirmed.as_str() {
                return Err(ConnectorError::Refused {
                    code: "erp_refused".into(),
                    message: format!("bin closed for event {}", event.event.event_id),
                });
            }
            let receipt = event.event.payload["receipt_id"].as_str().unwrap_or("");
            match EventKind::parse(&event.event.event_type) {
                Some(EventKind::LineReceived) => return Ok(vec![format!("asn/{receipt}:held")]),
                Some(EventKind::ReceiptClosed) => return Ok(vec![format!("asn/{receipt}")]),
                _ => {}
            }
            Ok(vec![format!("doc/{}", event.hub_seq)])
        }
    }
}

/// The PostgreSQL client blocks: store calls go to the blocking pool.
async fn on_store<T: Send + 'static>(
    store: &std::sync::Arc<dyn dockhand_hub::HubStore>,
    run: impl FnOnce(&dyn dockhand_hub::HubStore) -> T + Send + 'static,
) -> T {
    let store = store.clone();
    tokio::task::spawn_blocking(move || run(store.as_ref()))
        .await
        .unwrap()
}

on_both_backends!(
    events_are_posted_once_in_order_and_refusals_reach_the_device,
    HubConfig::default(),
    |hub| {
        let device = common::device("HH-ERP", 40, 7);
        let events = common::envelopes(&device);
        let token = hub.register("HH-ERP").await;
        hub.push(&token, "HH-ERP", &events).await;
        let connector = Ledger::default();

        // The first pass stops at the unreachable third event, having recorded two.
        let first = worker::pass(&erp::port(&hub.store), &connector, 10)
            .await
            .unwrap();
        assert_eq!(
            (first.posted + first.refused, first.retrying.as_deref()),
            (2, Some("connection refused"))
        );
        let status = on_store(&hub.store, |s| s.erp_status("test-erp").unwrap()).await;
        assert_eq!(
            (status.cursor, status.pending),
            (2, events.len() as i64 - 2)
        );
        assert_eq!(status.last_error.as_deref(), Some("connection refused"));
        assert!(status.last_error_at.is_some());

        // The next pass retries it and goes to the end.
        let second = worker::pass(&erp::port(&hub.store), &connector, 10)
            .await
            .unwrap();
        assert_eq!(second.retrying, None);
        let seen = connector.seen.lock().unwrap().clone();
        assert_eq!(
            seen,
            (1..=events.len() as i64).collect::<Vec<_>>(),
            "each event once, in feed order"
        );
        let putaways = events
            .iter()
            .filter(|e| e.event_type == EventKind::PutawayConfirmed.as_str())
            .count();
        assert!(putaways > 0, "the workload has putaways");
        let status = on_store(&hub.store, |s| s.erp_status("test-erp").unwrap()).await;
        assert_eq!(
            (status.pending, status.posted, status.failed),
            (0, (events.len() - putaways) as i64, putaways as i64)
        );
        assert_eq!(status.last_error, None, "a success clears the error");
        // The scans held for one receipt's document come back in feed order, and nothing else
        // does; `erp status` counts those of receipts not closed yet.
        let scans_of = |receipt: &str| -> Vec<uuid::Uuid> {
            events
                .iter()
                .filter(|e| {
                    e.event_type == EventKind::LineReceived.as_str()
                        && e.payload["receipt_id"].as_str() == Some(receipt)
                })
                .map(|e| e.event_id)
                .collect()
        };
        let receipts: std::collections::BTreeSet<String> = events
            .iter()
            .filter(|e| e.event_type == EventKind::LineReceived.as_str())
            .filter_map(|e| e.payload["receipt_id"].as_str().map(str::to_string))
            .collect();
        let closed: std::collections::BTreeSet<String> = events
            .iter()
            .filter(|e| e.event_type == EventKind::ReceiptClosed.as_str())
            .filter_map(|e| e.payload["receipt_id"].as_str().map(str::to_string))
            .collect();
        let open: Vec<&String> = receipts.iter().filter(|r| !closed.contains(*r)).collect();
        assert!(
            receipts.len() > open.len() && !open.is_empty(),
            "the workload closes some receipts and leaves others open: {receipts:?}, closed {closed:?}"
        );
        let first = receipts.first().unwrap().clone();
        let document = format!("asn/{first}:held");
        let held = on_store(&hub.store, move |s| {
            s.erp_carried_by("test-erp", &document).unwrap()
        })
        .await;
        assert_eq!(
            held.iter().map(|e| e.event.event_id).collect::<Vec<_>>(),
            scans_of(&first)
        );
        assert!(held.windows(2).all(|w| w[0].hub_seq < w[1].hub_seq));
        let complete = format!("asn/{}", open[0]);
        let none = on_store(&hub.store, move |s| {
            s.erp_carried_by("test-erp", &complete).unwrap()
        })
        .await;
        assert!(none.is_empty(), "{none:?}");
        let still_held: usize = receipts
            .iter()
            .filter(|r| !closed.contains(*r))
            .map(|r| scans_of(r).len())
            .sum();
        assert_eq!(status.held, still_held as i64);
        assert!(status.oldest_held_since.is_some());
        // The documents they wait for, each receipt still open with its scans.
        let mut waiting: Vec<(String, i64)> = status
            .held_documents
            .iter()
            .map(|(document, events, _)| (document.clone(), *events))
            .collect();
        waiting.sort();
        let mut expected: Vec<(String, i64)> = open
            .iter()
            .map(|r| (format!("asn/{r}"), scans_of(r).len() as i64))
            .filter(|(_, n)| *n > 0)
            .collect();
        expected.sort();
        assert_eq!(waiting, expected);
        assert!(
            status
                .describe()
                .contains(&format!("{still_held} posted event(s) held")),
            "{}",
            status.describe()
        );
        assert!(
            status.describe().contains(&format!("{putaways} refused")),
            "{}",
            status.describe()
        );
        let refused = &status.failures[0];
        let ErpOutcome::Failed { code, message } = &refused.outcome else {
            panic!("{refused:?}")
        };
        assert_eq!(code, "erp_refused");
        assert!(message.contains(&refused.event_id));

        // Recording a feed position again changes nothing (a restart re-posting after a crash).
        let again = ErpPost {
            outcome: ErpOutcome::Posted {
                documents: vec!["again".into()],
            },
            ..refused.clone()
        };
        on_store(&hub.store, move |s| {
            s.erp_record("test-erp", &again).unwrap()
        })
        .await;
        assert_eq!(
            on_store(&hub.store, |s| s.erp_status("test-erp").unwrap())
                .await
                .failed,
            putaways as i64
        );

        // The device pulls the refusals: its putaway events become exceptions with the reason.
        let page: ChangesPage = hub
            .client
            .get(format!("{}/v1/changes?limit=1000", hub.url))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        dockhand_core::sync::apply_changes(&device, &page).unwrap();
        let rejected = device.read(outbox::rejected).unwrap();
        assert_eq!(rejected.len(), putaways);
        assert!(
            rejected
                .iter()
                .all(|e| e.event_type == EventKind::PutawayConfirmed.as_str()
                    && e.state == OutboxState::Rejected)
        );
        assert_eq!(rejected[0].event_id.to_string(), refused.event_id);
        assert_eq!(rejected[0].reject_reason.as_deref(), Some(message.as_str()));
        // Another device's pull passes them by.
        let other = common::device("HH-OTHER", 5, 8);
        dockhand_core::sync::apply_changes(&other, &page).unwrap();
        assert!(other.read(outbox::rejected).unwrap().is_empty());
    }
);

on_both_backends!(
    one_hub_instance_posts_at_a_time,
    HubConfig::default(),
    |hub| {
        let t = |hms: &str| format!("2026-11-27T{hms}.000Z");
        let grants = on_store(&hub.store, move |s| {
            let lease = |erp: &str, who: &str, until: &str, now: &str| {
                s.erp_lease(erp, who, &t(until), &t(now)).unwrap()
            };
            vec![
                lease("test-erp", "A", "10:01:00", "10:00:00"),
                // B is refused while A's lease runs; A renews.
                lease("test-erp", "B", "10:01:30", "10:00:30"),
                lease("test-erp", "A", "10:02:00", "10:00:59"),
                // A stopped renewing: B takes over after 10:02, and A is refused.
                lease("test-erp", "B", "10:03:30", "10:02:30"),
                lease("test-erp", "A", "10:03:40", "10:02:40"),
                // Another ERP has a lease of its own.
                lease("other-erp", "A", "10:03:40", "10:02:40"),
            ]
        })
        .await;
        assert_eq!(grants, vec![true, false, true, true, false, true]);
        let status = on_store(&hub.store, |s| s.erp_status("test-erp").unwrap()).await;
        assert_eq!(status.posting_instance.as_deref(), Some("B"));
        assert!(
            status.describe().contains("posted by hub instance B"),
            "{}",
            status.describe()
        );

        // An instance that does not hold the lease posts nothing and says so.
        let device = common::device("HH-LEASE", 10, 3);
        let events = common::envelopes(&device);
        let token = hub.register("HH-LEASE").await;
        hub.push(&token, "HH-LEASE", &events).await;
        on_store(&hub.store, |s| {
            s.erp_lease(
                "test-erp",
                "B",
                "2999-01-01T00:00:00.000Z",
                "2026-11-27T10:04:00.000Z",
            )
            .unwrap()
        })
        .await;
        let connector = Ledger::default();
        let other = worker::Lease::for_instance("127.0.0.1:9", std::time::Duration::from_secs(60));
        let pass = worker::pass_leased(&erp::port(&hub.store), &connector, 10, 1, Some(&other))
            .await
            .unwrap();
        assert!(pass.lost_lease);
        assert_eq!(pass.posted + pass.refused, 0);
        assert!(connector.seen.lock().unwrap().is_empty());
        let status = on_store(&hub.store, |s| s.erp_status("test-erp").unwrap()).await;
        assert_eq!((status.cursor, status.pending), (0, events.len() as i64));
        // Once the holder's lease has lapsed, this instance takes over and posts everything.
        on_store(&hub.store, |s| {
            s.erp_lease(
                "test-erp",
                "B",
                "2000-01-01T00:00:00.000Z",
                "1999-12-31T23:59:00.000Z",
            )
            .unwrap()
        })
        .await;
        // (The connector is unreachable once, on the third event: the second pass finishes.) The
        // lease is written when taken, not again for each event while it is fresh.
        let mut until = Vec::new();
        for _ in 0..2 {
            let pass =
                worker::pass_leased(&erp::port(&hub.store), &connector, 100, 1, Some(&other))
                    .await
                    .unwrap();
            assert!(!pass.lost_lease);
            let status = on_store(&hub.store, |s| s.erp_status("test-erp").unwrap()).await;
            until.push(status.posting_lease_until.unwrap());
        }
        assert_eq!(until[0], until[1]);
        let status = on_store(&hub.store, |s| s.erp_status("test-erp").unwrap()).await;
        assert_eq!(status.pending, 0);
        assert_eq!(
            status.posting_instance.as_deref(),
            Some(other.holder.as_str())
        );
    }
);

/// Posts everything; named for a site (`test-erp@north`).
struct SiteLedger {
    name: String,
    seen: Mutex<Vec<String>>,
}

impl Connector for SiteLedger {
    fn name(&self) -> &str {
        &self.name
    }

    async fn post(
        &self,
        _hub: &std::sync::Arc<dyn dockhand_hub::erp::ErpPort>,
        event: &FeedEvent,
    ) -> Result<Vec<String>, ConnectorError> {
        self.seen
            .lock()
            .unwrap()
            .push(event.event.device_id.clone());
        Ok(vec![format!("doc/{}", event.hub_seq)])
    }
}

on_both_backends!(
    a_connector_posts_the_events_of_its_own_site,
    HubConfig::default(),
    |hub| {
        let main = common::device("HH-MAIN", 12, 3);
        let north = common::device("HH-NORTH", 9, 4);
        let main_token = hub.register("HH-MAIN").await;
        on_store(&hub.store, |s| s.add_site("north", "North", "now").unwrap()).await;
        let response = hub
            .client
            .post(format!("{}/v1/devices/register", hub.url))
            .json(&dockhand_core::sync::protocol::Registration {
                device_id: "HH-NORTH".into(),
                name: String::new(),
                registration_secret: None,
                public_key: None,
                site: Some("north".into()),
            })
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        let north_token = response
            .json::<dockhand_core::sync::protocol::DeviceToken>()
            .await
            .unwrap()
            .token;
        let main_events = common::envelopes(&main);
        let north_events = common::envelopes(&north);
        hub.push(&main_token, "HH-MAIN", &main_events).await;
        hub.push(&north_token, "HH-NORTH", &north_events).await;

        let mut posted = Vec::new();
        for (name, events) in [
            ("test-erp", &main_events),
            ("test-erp@north", &north_events),
        ] {
            let connector = SiteLedger {
                name: name.into(),
                seen: Mutex::new(Vec::new()),
            };
            let status = {
                let name = name.to_string();
                on_store(&hub.store, move |s| s.erp_status(&name).unwrap()).await
            };
            assert_eq!(status.pending, events.len() as i64, "{name}");
            worker::pass(&erp::port(&hub.store), &connector, 5)
                .await
                .unwrap();
            let seen = connector.seen.lock().unwrap().clone();
            assert_eq!(seen.len(), events.len(), "{name}");
            posted.push(seen);
            let name = name.to_string();
            let status = on_store(&hub.store, move |s| s.erp_status(&name).unwrap()).await;
            assert_eq!((status.pending, status.posted), (0, events.len() as i64));
        }
        assert!(posted[0].iter().all(|d| d == "HH-MAIN"));
        assert!(posted[1].iter().all(|d| d == "HH-NORTH"));
    }
);

/// Refuses putaways while its bin is closed.
#[derive(Default)]
struct Bin {
    open: AtomicBool,
}

impl Connector for Bin {
    fn name(&self) -> &str {
        "test-erp"
    }

    async fn post(
        &self,
        _hub: &std::sync::Arc<dyn dockhand_hub::erp::ErpPort>,
        event: &FeedEvent,
    ) -> Result<Vec<String>, ConnectorError> {
        if event.event.event_type == EventKind::PutawayConfirmed.as_str()
            && !self.open.load(Ordering::Acquire)
        {
            return Err(ConnectorError::Refused {
                code: "erp_refused".into(),
                message: format!("bin closed for event {}", event.event.event_id),
            });
        }
        Ok(vec![format!("doc/{}", event.hub_seq)])
    }
}

/// POST a retry of exception `id`; answers the status and the body.
async fn retry(hub: &common::TestHub, id: i64) -> (u16, serde_json::Value) {
    let response = hub
        .client
        .post(format!("{}/v1/admin/exceptions/raised/{id}/retry", hub.url))
        .json(&serde_json::json!({ "by": "sam" }))
        .send()
        .await
        .unwrap();
    (
        response.status().as_u16(),
        response.json().await.unwrap_or_default(),
    )
}

on_both_backends!(
    an_erp_refusal_retried_once_the_erp_is_fixed_is_posted_and_delivered_on_the_device,
    HubConfig::default(),
    |hub| {
        let device = common::device("HH-BIN", 40, 7);
        let events = common::envelopes(&device);
        let token = hub.register("HH-BIN").await;
        hub.push(&token, "HH-BIN", &events).await;
        let connector = Bin::default();
        let port = erp::port(&hub.store);
        let first = worker::pass(&port, &connector, 100).await.unwrap();
        assert!(first.refused > 0);
        let open: Vec<RaisedException> = hub
            .admin_get("/v1/admin/exceptions/raised?kind=erp_refused&state=open")
            .await;
        assert_eq!(open.len(), first.refused);
        let e = &open[0];
        assert_eq!(
            (e.code.as_str(), e.device_id.as_str()),
            ("erp_refused", "HH-BIN")
        );
        assert_eq!(e.reason, format!("bin closed for event {}", e.subject));

        // Retried while the bin is still closed: posted again, refused again, still open.
        let (status, body) = retry(&hub, e.id).await;
        assert_eq!(
            (status, body["state"].as_str()),
            (200, Some("open")),
            "{body}"
        );
        let again = worker::pass(&port, &connector, 100).await.unwrap();
        assert_eq!((again.posted, again.refused), (0, 1));
        let still: Vec<RaisedException> = hub
            .admin_get("/v1/admin/exceptions/raised?kind=erp_refused&state=open")
            .await;
        assert_eq!(still.len(), open.len());

        // The bin opens in the ERP; the retry is posted and the exception settles.
        connector.open.store(true, Ordering::Release);
        let (status, _) = retry(&hub, e.id).await;
        assert_eq!(status, 200);
        let fixed = worker::pass(&port, &connector, 100).await.unwrap();
        assert_eq!((fixed.posted, fixed.refused), (1, 0));
        let status = on_store(&hub.store, |s| s.erp_status("test-erp").unwrap()).await;
        assert_eq!(status.failed, open.len() as i64 - 1);
        let settled: Vec<RaisedException> = hub
            .admin_get("/v1/admin/exceptions/raised?kind=erp_refused&state=retried")
            .await;
        assert_eq!(settled.len(), 1);
        assert_eq!(settled[0].settled_by.as_deref(), Some("sam"));
        assert_eq!(settled[0].note.as_deref(), Some("posted again to test-erp"));
        // Nothing more to post: a pass takes nothing again.
        let idle = worker::pass(&port, &connector, 100).await.unwrap();
        assert_eq!((idle.posted, idle.refused), (0, 0));

        // The device learns both: the others stay exceptions, the retried one is delivered.
        let page: ChangesPage = hub
            .client
            .get(format!("{}/v1/changes?limit=1000", hub.url))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        dockhand_core::sync::apply_changes(&device, &page).unwrap();
        let rejected = device.read(outbox::rejected).unwrap();
        assert_eq!(rejected.len(), open.len() - 1);
        assert!(rejected.iter().all(|r| r.event_id.to_string() != e.subject));
        let delivered = device
            .read(|c| outbox::event_by_id(c, e.subject.parse().unwrap()))
            .unwrap();
        assert_eq!(delivered.state, OutboxState::Acknowledged);
        let settlements = device.read(outbox::settlements).unwrap();
        assert_eq!(settlements.len(), 1);
        assert_eq!(settlements[0].state, "retried");

        // A settled exception takes no more action.
        let (status, body) = retry(&hub, settled[0].id).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (409, Some("exception_settled"))
        );
    }
);

/// Takes its time over each event (so that documents overlap), notes what was in flight when each
/// began, and finds the ERP unreachable once on the first try of event `down_at`.
#[derive(Default)]
struct SideBySide {
    state: Mutex<Flight>,
    down_at: i64,
    down_once: AtomicBool,
    /// Event whose first post never ends (the hub is killed while it is in flight).
    hang_at: i64,
    hung: AtomicBool,
}

#[derive(Default)]
struct Flight {
    in_flight: std::collections::BTreeSet<i64>,
    most_in_flight: usize,
    /// Positions in the order their posts finished.
    finished: Vec<i64>,
    /// For each post begun: its position and what was in flight then.
    began: Vec<(i64, Vec<i64>)>,
}

impl Connector for SideBySide {
    fn name(&self) -> &str {
        "test-erp"
    }

    async fn post(
        &self,
        _hub: &std::sync::Arc<dyn dockhand_hub::erp::ErpPort>,
        event: &FeedEvent,
    ) -> Result<Vec<String>, ConnectorError> {
        let seq = event.hub_seq;
        {
            let mut flight = self.state.lock().unwrap();
            let others = flight.in_flight.iter().copied().collect();
            flight.began.push((seq, others));
            flight.in_flight.insert(seq);
            flight.most_in_flight = flight.most_in_flight.max(flight.in_flight.len());
        }
        if seq == self.hang_at && !self.hung.swap(true, Ordering::AcqRel) {
            std::future::pending::<()>().await;
        }
        tokio::time::sleep(std::time::Duration::from_millis(3)).await;
        let down = seq == self.down_at && !self.down_once.swap(true, Ordering::AcqRel);
        let mut flight = self.state.lock().unwrap();
        flight.in_flight.remove(&seq);
        if down {
            return Err(ConnectorError::Transient("connection reset".into()));
        }
        flight.finished.push(seq);
        Ok(vec![format!("doc/{seq}")])
    }
}

/// The first event of a document that has free events after it before the next count or void:
/// they are posted beside it.
fn first_beside_others(lanes: &[(i64, worker::Lane)]) -> i64 {
    use worker::Lane;
    lanes
        .iter()
        .enumerate()
        .find(|(i, (_, l))| {
            let Lane::Document(_) = l else { return false };
            let first = !lanes[..*i]
                .iter()
                .rev()
                .take_while(|(_, o)| *o != Lane::Alone)
                .any(|(_, o)| o == l);
            let free_after = lanes[i + 1..]
                .iter()
                .take_while(|(_, o)| *o != Lane::Alone)
                .any(|(_, o)| *o == Lane::Free);
            first && free_after
        })
        .map(|(_, (s, _))| *s)
        .unwrap()
}

/// The lane of each event of site main's feed.
async fn lanes_of_feed(hub: &common::TestHub) -> Vec<(i64, worker::Lane)> {
    let port = erp::port(&hub.store);
    tokio::task::spawn_blocking(move || port.feed("main", 0, 10_000).unwrap())
        .await
        .unwrap()
        .iter()
        .map(|e| (e.hub_seq, worker::lane(e)))
        .collect()
}

on_both_backends!(
    documents_are_posted_side_by_side_each_in_order,
    HubConfig::default(),
    |hub| {
        use worker::Lane;
        let mut events = Vec::new();
        for (id, seed) in [("HH-SIDE-1", 21), ("HH-SIDE-2", 22)] {
            let mix = dockhand_core::workload::Workload::new(seed).every_kind();
            let device = common::device_with(id, 80, mix);
            let mine = common::envelopes(&device);
            let token = hub.register(id).await;
            hub.push(&token, id, &mine).await;
            events.extend(mine);
        }
        let lanes = lanes_of_feed(&hub).await;
        assert_eq!(lanes.len(), events.len());
        let alone: Vec<i64> = lanes
            .iter()
            .filter(|(_, l)| *l == Lane::Alone)
            .map(|(s, _)| *s)
            .collect();
        let documents: std::collections::BTreeSet<&Lane> = lanes
            .iter()
            .map(|(_, l)| l)
            .filter(|l| matches!(l, Lane::Document(_)))
            .collect();
        assert!(
            !alone.is_empty() && documents.len() > 3,
            "the workload counts or voids and works on several documents: {lanes:?}"
        );
        // The ERP is down once on the first event of a document that has free events after it
        // before the next count or void (they go beside it).
        let down_at = first_beside_others(&lanes);
        let connector = SideBySide {
            down_at,
            ..SideBySide::default()
        };

        // The first pass stops at the failure; what finished beside it is recorded, and the
        // cursor stays before the event to try again.
        let first = worker::pass_leased(&erp::port(&hub.store), &connector, 1000, 8, None)
            .await
            .unwrap();
        assert_eq!(first.retrying.as_deref(), Some("connection reset"));
        let status = on_store(&hub.store, |s| s.erp_status("test-erp").unwrap()).await;
        assert!(status.cursor < down_at, "{} < {down_at}", status.cursor);
        let cursor = status.cursor;
        let beyond = on_store(&hub.store, move |s| {
            s.erp_recorded("test-erp", cursor, i64::MAX).unwrap()
        })
        .await;
        assert!(
            beyond.iter().any(|s| *s > down_at),
            "events after the failed one {down_at} finished beside it: {beyond:?} {lanes:?}"
        );
        assert!(!beyond.contains(&down_at));

        // The next pass posts what is left, and nothing twice.
        let second = worker::pass_leased(&erp::port(&hub.store), &connector, 1000, 8, None)
            .await
            .unwrap();
        assert_eq!(second.retrying, None);
        assert_eq!(first.posted + second.posted, events.len());
        let flight = std::mem::take(&mut *connector.state.lock().unwrap());
        let mut finished = flight.finished.clone();
        finished.sort();
        assert_eq!(
            finished,
            (1..=events.len() as i64).collect::<Vec<_>>(),
            "each event posted once"
        );
        assert!(
            flight.most_in_flight > 1,
            "documents went side by side: at most {} at once",
            flight.most_in_flight
        );
        // One document's events finish in feed order.
        for document in &documents {
            let of: Vec<i64> = lanes
                .iter()
                .filter(|(_, l)| l == *document)
                .map(|(s, _)| *s)
                .collect();
            let order: Vec<i64> = flight
                .finished
                .iter()
                .copied()
                .filter(|s| of.contains(s))
                .collect();
            assert_eq!(order, of, "{document:?} in feed order");
        }
        // A count or a void begins alone, after every earlier event finished.
        for seq in &alone {
            let (_, others) = flight.began.iter().find(|(s, _)| s == seq).unwrap();
            assert!(others.is_empty(), "{seq} began beside {others:?}");
            let at = flight.finished.iter().position(|s| s == seq).unwrap();
            let before: std::collections::BTreeSet<i64> =
                flight.finished[..at].iter().copied().collect();
            assert!(
                (1..*seq).all(|s| before.contains(&s)),
                "everything before {seq} finished first"
            );
        }
        let status = on_store(&hub.store, |s| s.erp_status("test-erp").unwrap()).await;
        assert_eq!(
            (status.cursor, status.pending, status.posted),
            (events.len() as i64, 0, events.len() as i64)
        );
    }
);

on_both_backends!(
    a_pass_cut_off_midway_posts_the_rest_and_nothing_recorded_twice,
    HubConfig::default(),
    |hub| {
        let mix = dockhand_core::workload::Workload::new(31).every_kind();
        let device = common::device_with("HH-CUT", 120, mix);
        let events = common::envelopes(&device);
        let token = hub.register("HH-CUT").await;
        hub.push(&token, "HH-CUT", &events).await;
        // The hub is killed while one document is in flight and events after it are recorded,
        // before its first page ends.
        let hang_at = first_beside_others(&lanes_of_feed(&hub).await);
        let connector = SideBySide {
            down_at: -1,
            hang_at,
            ..SideBySide::default()
        };
        let recorded_beyond = async {
            loop {
                let recorded = on_store(&hub.store, |s| {
                    s.erp_recorded("test-erp", 0, i64::MAX).unwrap()
                })
                .await;
                if recorded.iter().any(|s| *s > hang_at) {
                    return recorded;
                }
                tokio::time::sleep(std::time::Duration::from_millis(1)).await;
            }
        };
        let port = erp::port(&hub.store);
        let recorded = tokio::select! {
            _ = worker::pass_leased(&port, &connector, 1000, 8, None) => {
                panic!("the pass ended with {hang_at} in flight")
            }
            recorded = recorded_beyond => recorded,
        };
        assert!(!recorded.contains(&hang_at));
        let cursor = on_store(&hub.store, |s| s.erp_cursor("test-erp").unwrap()).await;
        assert!(cursor < hang_at, "{cursor} < {hang_at}");
        // The restarted worker posts everything not recorded, and nothing that was.
        let pass = worker::pass_leased(&erp::port(&hub.store), &connector, 1000, 8, None)
            .await
            .unwrap();
        assert_eq!(pass.retrying, None);
        let status = on_store(&hub.store, |s| s.erp_status("test-erp").unwrap()).await;
        assert_eq!(
            (status.cursor, status.pending, status.posted),
            (events.len() as i64, 0, events.len() as i64)
        );
        let finished = connector.state.lock().unwrap().finished.clone();
        for seq in 1..=events.len() as i64 {
            let times = finished.iter().filter(|s| **s == seq).count();
            if recorded.contains(&seq) {
                assert_eq!(times, 1, "{seq} was recorded before the cut: posted once");
            } else {
                assert!(times >= 1, "{seq} was posted after the restart");
            }
        }
    }
);
