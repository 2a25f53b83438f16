//! Two hub instances over one PostgreSQL database, each with its pool of connections, behind a
//! round-robin client (issue 18): every batch is sent to both at once, as a handheld retrying on
//! another instance while its first try is still in flight. Exactly once, per-device order, the
//! feed read while it grows, and the stock sums hold, with the races resolved by the database.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use common::*;
use dockhand_core::sync::protocol::{EventStatus, EventsPage, StockLine};
use dockhand_hub::HubConfig;

const DEVICES: usize = 6;
const STEPS: usize = 80;
const BATCH: usize = 7;

/// The admin stock view, sorted, as comparable text.
async fn stock_of(hub: &TestHub) -> Vec<String> {
    let lines: Vec<StockLine> = hub.admin_get("/v1/admin/stock").await;
    let mut lines: Vec<String> = lines
        .iter()
        .map(|l| serde_json::to_string(l).unwrap())
        .collect();
    lines.sort();
    lines
}

/// Reads the feed from the start, page after page, alternating between the hubs.
async fn read_feed(
    hubs: &[Arc<TestHub>],
    mut cursor: String,
    seen: &mut Vec<(i64, String, i64)>,
) -> String {
    for turn in 0.. {
        let hub = &hubs[turn % hubs.len()];
        let page: EventsPage = hub
            .admin_get(&format!("/v1/feed/events?limit=50&cursor={cursor}"))
            .await;
        for e in &page.events {
            seen.push((e.hub_seq, e.event.device_id.clone(), e.event.seq));
        }
        cursor = page.next_cursor;
        if !page.has_more {
            break;
        }
    }
    cursor
}

/// Two hub instances over one new PostgreSQL database, or `None` (with a line saying `what` did
/// not run) without a test server.
async fn two_instances(what: &str) -> Option<[Arc<TestHub>; 2]> {
    let base = common::postgres_base(what)?;
    let (a, b) = tokio::task::spawn_blocking(move || {
        let url = fresh_postgres_url(&base);
        // Pools of 4: requests of one instance run side by side too.
        let open = || dockhand_hub::postgres::PostgresStore::connect_pooled(&url, 4).unwrap();
        (open(), open())
    })
    .await
    .unwrap();
    Some([
        Arc::new(start_on(Arc::new(a), None, HubConfig::default()).await),
        Arc::new(start_on(Arc::new(b), None, HubConfig::default()).await),
    ])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_over_one_postgres_keep_exactly_once_order_and_stock() {
    let Some(hubs) = two_instances("the two-instance test").await else {
        return;
    };
    handheld::import_sample(&hubs[0]).await;

    // The same devices, pushed one batch at a time to one SQLite hub: the stock to expect.
    let devices: Vec<_> = (0..DEVICES)
        .map(|d| device(&format!("RR-{d}"), STEPS, 100 + d as u64))
        .collect();
    let reference = start("sqlite", HubConfig::default()).await.unwrap();
    handheld::import_sample(&reference).await;
    let mut sent = 0;
    for store in &devices {
        let id = store.device_id().to_string();
        let token = reference.register(&id).await;
        for batch in envelopes(store).chunks(BATCH) {
            reference.push(&token, &id, batch).await;
            sent += batch.len();
        }
    }

    // Each device on its own task: every batch to both instances at once.
    let mut pushes = Vec::new();
    for (d, store) in devices.iter().enumerate() {
        let id = store.device_id().to_string();
        let token = hubs[d % 2].register(&id).await;
        let events = envelopes(store);
        let hubs = hubs.clone();
        pushes.push(tokio::spawn(async move {
            let mut statuses: HashMap<uuid::Uuid, Vec<EventStatus>> = HashMap::new();
            for batch in events.chunks(BATCH) {
                let (x, y) = tokio::join!(
                    hubs[0].push(&token, &id, batch),
                    hubs[1].push(&token, &id, batch)
                );
                for outcome in x.results.iter().chain(&y.results) {
                    statuses
                        .entry(outcome.event_id)
                        .or_default()
                        .push(outcome.status);
                }
            }
            statuses
        }));
    }
    // Meanwhile a reader follows the feed, alternating between the instances.
    let reader_hubs = hubs.to_vec();
    let reader = tokio::spawn(async move {
        let mut seen = Vec::new();
        let mut cursor = "f0".to_string();
        for _ in 0..40 {
            cursor = read_feed(&reader_hubs, cursor, &mut seen).await;
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        (seen, cursor)
    });
    let mut accepted = 0;
    for push in pushes {
        for (event, statuses) in push.await.unwrap() {
            // Sent twice at once: stored and applied once, the other answer says it was.
            let firsts = statuses
                .iter()
                .filter(|s| **s == EventStatus::Accepted)
                .count();
            assert_eq!(firsts, 1, "{event}: {statuses:?}");
            assert!(
                statuses
                    .iter()
                    .all(|s| matches!(s, EventStatus::Accepted | EventStatus::Duplicate)),
                "{event}: {statuses:?}"
            );
            accepted += 1;
        }
    }
    assert_eq!(accepted, sent);
    let (mut seen, cursor) = reader.await.unwrap();
    // The reader goes on to the end: what it read while the feed grew, and after, is the feed.
    read_feed(&hubs, cursor, &mut seen).await;
    let mut whole = Vec::new();
    read_feed(&hubs, "f0".into(), &mut whole).await;
    assert_eq!(whole.len(), sent, "every event in the feed once");
    assert_eq!(
        seen, whole,
        "a reader following the feed missed or repeated an event"
    );
    // Per device, the feed keeps the device's order.
    let mut last: BTreeMap<String, i64> = BTreeMap::new();
    for (_, device, seq) in &whole {
        let before = last.insert(device.clone(), *seq).unwrap_or(0);
        assert_eq!(*seq, before + 1, "{device}: seq {seq} after {before}");
    }
    let distinct: HashSet<i64> = whole.iter().map(|(n, _, _)| *n).collect();
    assert_eq!(distinct.len(), whole.len());

    // The stock sums are those of the one hub that took every batch in turn, on both instances.
    let expected = stock_of(&reference).await;
    assert!(!expected.is_empty());
    assert_eq!(stock_of(&hubs[0]).await, expected);
    assert_eq!(stock_of(&hubs[1]).await, expected);
}

/// Asks `hub` for count task `task_id` as the device holding `token`: the answer's status and
/// the holder it names.
async fn claim(hub: &TestHub, token: &str, task_id: &str) -> (u16, Option<String>) {
    decide(hub, "claim", token, task_id).await
}

/// `POST /v1/tasks/{action}` (claim, release) of count task `task_id`: status and holder.
async fn decide(hub: &TestHub, action: &str, token: &str, task_id: &str) -> (u16, Option<String>) {
    let response = hub
        .client
        .post(format!("{}/v1/tasks/{action}", hub.url))
        .bearer_auth(token)
        .json(&serde_json::json!({ "task_kind": "count", "task_id": task_id }))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let body: serde_json::Value = response.json().await.unwrap();
    (status, body["device_id"].as_str().map(str::to_string))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_give_each_task_to_one_device_when_several_claim_it_at_once() {
    let Some(hubs) = two_instances("the two-instance claims test").await else {
        return;
    };
    handheld::import_sample(&hubs[0]).await;
    const TASKS: usize = 8;
    const RIVALS: usize = 3;
    import_count_tasks(&hubs[0], TASKS).await;
    // Three devices per task, each asking both instances at once.
    let mut asks = Vec::new();
    for d in 0..TASKS * RIVALS {
        let id = format!("RACE-HH-{d}");
        let token = hubs[d % 2].register(&id).await;
        let hubs = hubs.clone();
        asks.push(tokio::spawn(async move {
            let task = format!("RACE-{}", d / RIVALS);
            let (x, y) = tokio::join!(
                claim(&hubs[0], &token, &task),
                claim(&hubs[1], &token, &task)
            );
            (id, task, [x, y])
        }));
    }
    let mut winners: HashMap<String, Vec<String>> = HashMap::new();
    for ask in asks {
        let (id, task, answers) = ask.await.unwrap();
        let won: Vec<bool> = answers
            .iter()
            .map(|(status, holder)| match status {
                200 => {
                    assert_eq!(holder.as_deref(), Some(id.as_str()), "{task}: {answers:?}");
                    true
                }
                409 => false,
                _ => panic!("{id} asking for {task}: {answers:?}"),
            })
            .collect();
        // One device's two asks agree: both instances gave it the task, or neither did.
        assert!(won[0] == won[1], "{id} for {task}: {answers:?}");
        if won[0] {
            winners.entry(task).or_default().push(id);
        }
    }
    let list: Vec<dockhand_protocol::tasks::TaskListing> =
        hubs[1].admin_get("/v1/admin/tasks").await;
    for t in 0..TASKS {
        let task = format!("RACE-{t}");
        let won = winners.get(&task).cloned().unwrap_or_default();
        assert_eq!(
            won.len(),
            1,
            "{task}: one winner among its rivals, not {won:?}"
        );
        let holder = list
            .iter()
            .find(|l| l.task_id == task)
            .and_then(|l| l.claim.as_ref())
            .and_then(|c| c.device_id.clone());
        assert_eq!(holder.as_ref(), Some(&won[0]), "{task}: the hub's holder");
    }
}

/// Count tasks RACE-0 … RACE-{n-1} of the sample warehouse's first location.
async fn import_count_tasks(hub: &TestHub, n: usize) {
    let location = dockhand_core::sample::warehouse().locations[0].code.clone();
    hub.import(&dockhand_core::sync::protocol::Import {
        count_tasks: (0..n)
            .map(|t| dockhand_core::counting::CountTaskRequest {
                task_id: format!("RACE-{t}"),
                location: Some(location.clone()),
                sku: None,
                reason: "race".into(),
            })
            .collect(),
        ..Default::default()
    })
    .await;
}

/// Intake takes the stock clock to write stock and the site's lock when an event settles a
/// count or moves a task on; a claim takes the site's lock and appends a change under the clock.
/// Taken in opposite orders they deadlocked, and PostgreSQL broke one cycle a second until a
/// fleet's pushes timed out (the load generator's claims found it). Claims and releases run here
/// beside several devices' pushes: the database never has to abort a transaction.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn claims_beside_a_fleet_s_pushes_never_deadlock() {
    let Some(base) = common::postgres_base("the claims-beside-intake test") else {
        return;
    };
    let store = tokio::task::spawn_blocking(move || {
        let url = fresh_postgres_url(&base);
        Arc::new(dockhand_hub::postgres::PostgresStore::connect_pooled(&url, 8).unwrap())
    })
    .await
    .unwrap();
    let hub = Arc::new(start_on(store.clone(), None, HubConfig::default()).await);
    handheld::import_sample(&hub).await;
    const TASKS: usize = 2;
    import_count_tasks(&hub, TASKS).await;
    let pushing = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let mut claimers = Vec::new();
    for c in 0..4 {
        let token = hub.register(&format!("CLAIM-{c}")).await;
        let (hub, pushing) = (hub.clone(), pushing.clone());
        claimers.push(tokio::spawn(async move {
            let task = format!("RACE-{}", c % TASKS);
            let mut rounds = 0;
            while pushing.load(std::sync::atomic::Ordering::Relaxed) {
                let (status, _) = decide(&hub, "claim", &token, &task).await;
                if status == 200 {
                    let (released, _) = decide(&hub, "release", &token, &task).await;
                    assert_eq!(released, 200, "CLAIM-{c} gives back {task}");
                } else {
                    assert_eq!(status, 409, "CLAIM-{c} asks for {task}");
                }
                rounds += 1;
            }
            rounds
        }));
    }
    let mut pushes = Vec::new();
    let mut sent = 0;
    for d in 0..DEVICES {
        let device = device(&format!("PUSH-{d}"), 2 * STEPS, 500 + d as u64);
        let id = device.device_id().to_string();
        let token = hub.register(&id).await;
        let events = envelopes(&device);
        sent += events.len();
        let hub = hub.clone();
        pushes.push(tokio::spawn(async move {
            let mut accepted = 0;
            for batch in events.chunks(BATCH) {
                let result = hub.push(&token, &id, batch).await;
                accepted += result
                    .results
                    .iter()
                    .filter(|r| r.status == EventStatus::Accepted)
                    .count();
            }
            accepted
        }));
    }
    let mut accepted = 0;
    for push in pushes {
        accepted += push.await.unwrap();
    }
    pushing.store(false, std::sync::atomic::Ordering::Relaxed);
    let mut rounds = 0;
    for claimer in claimers {
        rounds += claimer.await.unwrap();
    }
    assert_eq!(accepted, sent, "every event accepted once");
    assert!(
        rounds >= 4,
        "the claims ran beside the pushes: {rounds} rounds"
    );
    assert_eq!(
        store.races_lost(),
        0,
        "PostgreSQL aborted transactions to break deadlocks ({rounds} claim rounds beside {sent} events)"
    );
}
