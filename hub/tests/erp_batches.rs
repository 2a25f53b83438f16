//! Several events in one ERP document, on both backends, with an ERP that keeps its documents by
//! reference and makes each with everything it carries at once (as Tryton does; the real one is
//! exercised by scripts/tryton-e2e.sh). The hub records a batch before the ERP is called, so:
//! an answer lost after the create is found again with the same events, even by a pass whose
//! page holds only some of them; a batch the ERP refuses before making anything is posted event
//! by event, naming the one refused; a batch refused after its create is undone in the ERP and
//! posted event by event, and a supervisor's retry of the refused one posts it alone, not the
//! batch again. No event is ever in two documents that stand.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use dockhand_core::protocol::exceptions::RaisedException;
use dockhand_core::sync::protocol::FeedEvent;
use dockhand_hub::HubConfig;
use dockhand_hub::erp::worker::{self, Batched, Connector, ConnectorError, Lane};
use dockhand_hub::erp::{self, ErpOutcome};

/// An ERP of documents found by reference. `lose_answer_of`, `poison` and `refuse_after` are
/// feed positions whose batch meets that trouble (once, for the first and last).
#[derive(Default)]
struct Books {
    /// Reference to (document, the feed positions it carries).
    documents: Mutex<BTreeMap<String, (String, Vec<i64>)>>,
    /// Documents cancelled after a refusal: they carry nothing.
    cancelled: Mutex<Vec<String>>,
    /// A second try of a reference that did not carry the same events.
    rebuilt_otherwise: Mutex<Vec<String>>,
    lose_answer_of: i64,
    lost: AtomicBool,
    poison: i64,
    /// Posted on its own first; the answer to it is lost once.
    lone: i64,
    lone_lost: AtomicBool,
    /// The events of the poisoned batch; the answer to the first of them posted alone is lost.
    poisoned: Mutex<Vec<i64>>,
    single_lost: AtomicBool,
    /// Refused when its document is taken to done (as Tryton refuses a move without the lot it
    /// requires), until `fixed`.
    refuse_after: i64,
    fixed: AtomicBool,
}

impl Books {
    /// The document of `reference`, made with `carries` if it is not there yet.
    fn find_or_make(&self, reference: String, carries: Vec<i64>) -> String {
        let mut documents = self.documents.lock().unwrap();
        let next = format!("doc/{}", documents.len() + 1);
        let (document, had) = documents
            .entry(reference.clone())
            .or_insert_with(|| (next, carries.clone()));
        if *had != carries {
            self.rebuilt_otherwise.lock().unwrap().push(reference);
        }
        document.clone()
    }
}

impl Connector for Books {
    fn name(&self) -> &str {
        "test-erp"
    }

    async fn may_batch(&self, event: &FeedEvent) -> bool {
        worker::lane(event) == Lane::Free
    }

    async fn post(
        &self,
        _hub: &std::sync::Arc<dyn erp::ErpPort>,
        event: &FeedEvent,
    ) -> Result<Vec<String>, ConnectorError> {
        if event.hub_seq == self.poison {
            return Err(ConnectorError::Refused {
                code: "unmapped".into(),
                message: format!("event {} names an item the ERP lacks", event.hub_seq),
            });
        }
        if event.hub_seq == self.refuse_after && !self.fixed.load(Ordering::Acquire) {
            return Err(ConnectorError::Refused {
                code: "erp_refused".into(),
                message: "a lot is required".into(),
            });
        }
        let reference = format!("single:{}", event.event.event_id);
        let document = self.find_or_make(reference, vec![event.hub_seq]);
        if event.hub_seq == self.lone && !self.lone_lost.swap(true, Ordering::AcqRel) {
            return Err(ConnectorError::Transient(
                "the answer to a single was lost".into(),
            ));
        }
        if self.poisoned.lock().unwrap().contains(&event.hub_seq)
            && !self.single_lost.swap(true, Ordering::AcqRel)
        {
            return Err(ConnectorError::Transient(
                "connection reset after the create".into(),
            ));
        }
        Ok(vec![document])
    }

    async fn post_batch(
        &self,
        _hub: &std::sync::Arc<dyn erp::ErpPort>,
        events: &[FeedEvent],
    ) -> Batched {
        let seqs: Vec<i64> = events.iter().map(|e| e.hub_seq).collect();
        if seqs.contains(&self.poison) {
            *self.poisoned.lock().unwrap() = seqs;
            return Batched::Unmade(ConnectorError::Refused {
                code: "unmapped".into(),
                message: "an item of the batch is not in the ERP".into(),
            });
        }
        let reference = format!("batch:{}", events[0].event.event_id);
        let document = self.find_or_make(reference, seqs.clone());
        if seqs.contains(&self.lose_answer_of) && !self.lost.swap(true, Ordering::AcqRel) {
            return Batched::Failed(ConnectorError::Transient(
                "connection reset after the create".into(),
            ));
        }
        let cancelled = self.cancelled.lock().unwrap().contains(&document);
        if cancelled || (seqs.contains(&self.refuse_after) && !self.fixed.load(Ordering::Acquire)) {
            // Refused on the way to done: the document is cancelled, each event posted alone.
            if !cancelled {
                self.cancelled.lock().unwrap().push(document);
            }
            return Batched::Split(vec![None; events.len()]);
        }
        Batched::Posted(vec![vec![document]; events.len()])
    }
}

/// The feed as the ERP worker reads it.
async fn feed(hub: &common::TestHub) -> Vec<FeedEvent> {
    let port = erp::port(&hub.store);
    tokio::task::spawn_blocking(move || port.feed("main", 0, 10_000).unwrap())
        .await
        .unwrap()
}

/// Where the connector stands.
async fn standing(hub: &common::TestHub) -> erp::ErpStatus {
    let store = hub.store.clone();
    tokio::task::spawn_blocking(move || store.erp_status("test-erp").unwrap())
        .await
        .unwrap()
}

/// What the hub recorded for each feed position.
async fn outcomes(hub: &common::TestHub, upto: i64) -> BTreeMap<i64, ErpOutcome> {
    let store = hub.store.clone();
    tokio::task::spawn_blocking(move || {
        let status = store.erp_status("test-erp").unwrap();
        let mut out: BTreeMap<i64, ErpOutcome> = BTreeMap::new();
        for seq in store.erp_recorded("test-erp", 0, upto).unwrap() {
            out.insert(
                seq,
                ErpOutcome::Posted {
                    documents: Vec::new(),
                },
            );
        }
        for f in status.failures {
            out.insert(f.feed_seq, f.outcome);
        }
        out
    })
    .await
    .unwrap()
}

on_both_backends!(
    a_batch_is_one_document_whatever_befalls_its_post,
    HubConfig::default(),
    |hub| {
        let device = common::device("HH-BATCH", 160, 12);
        let events = common::envelopes(&device);
        let token = hub.register("HH-BATCH").await;
        hub.push(&token, "HH-BATCH", &events).await;
        let feed = feed(&hub).await;
        let free: Vec<i64> = feed
            .iter()
            .filter(|e| worker::lane(e) == Lane::Free)
            .map(|e| e.hub_seq)
            .collect();
        assert!(
            free.len() >= 40,
            "the shift puts away: {} free events",
            free.len()
        );
        // Batches hold at most 16 events: these three are in three batches.
        let books = Books {
            lone: free[0],
            lose_answer_of: free[1],
            refuse_after: free[20],
            poison: free[free.len() - 3],
            ..Books::default()
        };
        let port = erp::port(&hub.store);

        // The first free event is posted on its own (the page ends with it) and the answer is
        // lost: later passes post it on its own again (found), never in a batch.
        let lone = worker::pass_leased(&port, &books, books.lone as usize, 8, None)
            .await
            .unwrap();
        assert_eq!(
            lone.retrying.as_deref(),
            Some("the answer to a single was lost")
        );

        // The answer of the first batch's create is lost: the pass stops, its events are not
        // recorded, the hub keeps the batch.
        let first = worker::pass_leased(&port, &books, 1000, 8, None)
            .await
            .unwrap();
        assert_eq!(
            first.retrying.as_deref(),
            Some("connection reset after the create")
        );
        let recorded = outcomes(&hub, i64::MAX).await;
        assert!(!recorded.contains_key(&books.lose_answer_of));
        let lost_batch: Vec<i64> = {
            let documents = books.documents.lock().unwrap();
            let (_, carries) = documents
                .values()
                .find(|(_, c)| c.contains(&books.lose_answer_of))
                .unwrap();
            carries.clone()
        };
        assert!(lost_batch.len() > 1, "{lost_batch:?}");

        // A pass whose page holds two events posts the lost batch whole: its document is found
        // again with the same events, all of them recorded. Later passes post the rest. The
        // answer to
        // the first event of the poisoned batch posted alone is lost too: it is posted alone
        // again (found), never in a new batch.
        let mut retried = 0;
        for page in std::iter::once(2).chain(std::iter::repeat_n(1000, 5)) {
            let pass = worker::pass_leased(&port, &books, page, 8, None)
                .await
                .unwrap();
            if page == 2 {
                let recorded = outcomes(&hub, i64::MAX).await;
                assert!(
                    lost_batch.iter().all(|seq| recorded.contains_key(seq)),
                    "the page of two posted the whole batch {lost_batch:?}"
                );
            }
            if pass.retrying.is_some() {
                retried += 1;
                assert_eq!(
                    pass.retrying.as_deref(),
                    Some("connection reset after the create")
                );
            }
            let status = standing(&hub).await;
            if status.pending == 0 {
                break;
            }
        }
        let status = standing(&hub).await;
        assert_eq!(status.pending, 0);
        assert_eq!(retried, 1);
        assert!(books.poisoned.lock().unwrap().len() > 1);
        assert!(books.single_lost.load(Ordering::Acquire));
        assert!(
            books.rebuilt_otherwise.lock().unwrap().is_empty(),
            "a retry rebuilt a batch with other events"
        );

        // No event in two documents that stand; free events shared documents.
        let carried = |books: &Books| {
            let cancelled = books.cancelled.lock().unwrap().clone();
            let mut carried: BTreeMap<i64, usize> = BTreeMap::new();
            for (document, carries) in books.documents.lock().unwrap().values() {
                if !cancelled.contains(document) {
                    for seq in carries {
                        *carried.entry(*seq).or_default() += 1;
                    }
                }
            }
            carried
        };
        let documents = books.documents.lock().unwrap().clone();
        let once = carried(&books);
        assert!(once.values().all(|n| *n == 1), "{once:?}");
        let shared = documents.values().filter(|(_, c)| c.len() > 1).count();
        assert!(shared >= 3, "{shared} documents carry several events");
        assert!(
            documents.len() < feed.len(),
            "{} documents",
            documents.len()
        );

        // The poisoned batch was posted event by event: only the poison is refused, its
        // neighbours each have a document of their own.
        let recorded = outcomes(&hub, i64::MAX).await;
        assert_eq!(recorded.len(), feed.len());
        match &recorded[&books.poison] {
            ErpOutcome::Failed { code, message } => {
                assert_eq!(code, "unmapped");
                assert_eq!(
                    message,
                    &format!("event {} names an item the ERP lacks", books.poison)
                );
            }
            other => panic!("the poison was {other:?}"),
        }
        assert!(!once.contains_key(&books.poison));
        // The batch refused on its way to done was cancelled; its events were posted alone, the
        // refused one refused with the ERP's sentence.
        let refused_batch: Vec<i64> = documents
            .values()
            .find(|(_, c)| c.contains(&books.refuse_after))
            .map(|(_, c)| c.clone())
            .unwrap();
        assert!(refused_batch.len() > 1);
        assert_eq!(books.cancelled.lock().unwrap().len(), 1);
        for seq in &refused_batch {
            let expected = if *seq == books.refuse_after {
                ErpOutcome::Failed {
                    code: "erp_refused".into(),
                    message: "a lot is required".into(),
                }
            } else {
                ErpOutcome::Posted {
                    documents: Vec::new(),
                }
            };
            assert_eq!(recorded[seq], expected, "feed #{seq}");
            assert_eq!(
                once.get(seq).copied(),
                (*seq != books.refuse_after).then_some(1)
            );
        }
        assert_eq!(status.failed, 2);

        // A supervisor retries the refused one once the ERP is fixed: it is posted alone, the
        // batch is not made again.
        books.fixed.store(true, Ordering::Release);
        let subject = feed
            .iter()
            .find(|e| e.hub_seq == books.refuse_after)
            .unwrap()
            .event
            .event_id
            .to_string();
        let open: Vec<RaisedException> = hub
            .admin_get("/v1/admin/exceptions/raised?kind=erp_refused&state=open")
            .await;
        let exception = open.iter().find(|e| e.subject == subject).unwrap();
        let response = hub
            .client
            .post(format!(
                "{}/v1/admin/exceptions/raised/{}/retry",
                hub.url, exception.id
            ))
            .json(&serde_json::json!({ "by": "sam" }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        let retried = worker::pass(&port, &books, 100).await.unwrap();
        assert_eq!((retried.posted, retried.refused), (1, 0));
        assert_eq!(books.documents.lock().unwrap().len(), documents.len() + 1);
        let after = carried(&books);
        assert!(after.values().all(|n| *n == 1), "{after:?}");
        assert_eq!(after.get(&books.refuse_after), Some(&1));
        assert!(books.rebuilt_otherwise.lock().unwrap().is_empty());
        let status = standing(&hub).await;
        assert_eq!(status.failed, 1);
    }
);
