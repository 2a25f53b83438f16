//! PostgreSQL intake sends the end of a push in one round trip: the event rows, the device's
//! position, the site's lock with the stock clock, the stock and the feed, and COMMIT. A statement
//! of that flight that fails must fail the push with its own reason and leave nothing of it
//! written; the device's next push after the fault is taken as if nothing happened.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;

use dockhand_core::sync::protocol::{DeviceStatus, EventStatus, EventsPage, StockLine};
use dockhand_core::sync::{add_stock_lines, stock_lines};
use dockhand_hub::HubConfig;

/// Runs `sql` on the database at `url` with a plain client of its own.
async fn run_sql(url: &str, sql: &'static str) {
    let url = url.to_string();
    tokio::task::spawn_blocking(move || {
        let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        client.batch_execute(sql).unwrap();
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_failing_under_the_site_lock_writes_nothing_and_says_why() {
    let Some(base) = common::postgres_base("the pipelined intake test") else {
        return;
    };
    let url = tokio::task::spawn_blocking(move || common::fresh_postgres_url(&base))
        .await
        .unwrap();
    let opened = url.clone();
    let store = tokio::task::spawn_blocking(move || {
        dockhand_hub::postgres::PostgresStore::connect(&opened).unwrap()
    })
    .await
    .unwrap();
    let hub = common::start_on(Arc::new(store), None, HubConfig::default()).await;

    let device = common::device("HH-P", 40, 7);
    let events = common::envelopes(&device);
    let token = hub.register("HH-P").await;
    let first = hub.push(&token, "HH-P", &events[..10]).await;
    assert!(
        first
            .results
            .iter()
            .all(|r| r.status == EventStatus::Accepted)
    );
    let stock_before: Vec<StockLine> = hub.admin_get("/v1/admin/stock").await;
    let feed_before: EventsPage = hub.admin_get("/v1/feed/events?limit=10000").await;

    // The statement that takes the lock and numbers the stock finds no clock row: it fails in
    // the same flight as the event rows, the position and COMMIT.
    run_sql(
        &url,
        "CREATE TABLE clock_kept AS SELECT * FROM stock_clock; DELETE FROM stock_clock",
    )
    .await;
    let refused = hub.push_raw(Some(&token), "HH-P", &events[10..20]).await;
    let status = refused.status();
    let body = refused.text().await.unwrap();
    assert!(status.is_server_error(), "{status}: {body}");
    assert!(
        body.contains("the stock clock's row (stock_clock, singleton 1) is missing"),
        "{body}"
    );

    // Nothing of that push was written: not its events, not the device's position, not stock.
    let devices: Vec<DeviceStatus> = hub.admin_get("/v1/admin/devices").await;
    assert_eq!(devices[0].contiguous_seq, 10);
    let feed_after: EventsPage = hub.admin_get("/v1/feed/events?limit=10000").await;
    assert_eq!(feed_after.events.len(), feed_before.events.len());
    let stock_after: Vec<StockLine> = hub.admin_get("/v1/admin/stock").await;
    assert_eq!(stock_after, stock_before);

    // The clock is back: the same batch is taken whole, then the rest, and the hub's stock is
    // the device's.
    run_sql(&url, "INSERT INTO stock_clock SELECT * FROM clock_kept").await;
    let again = hub.push(&token, "HH-P", &events[10..20]).await;
    assert!(
        again
            .results
            .iter()
            .all(|r| r.status == EventStatus::Accepted)
    );
    let rest = hub.push(&token, "HH-P", &events[20..]).await;
    assert_eq!(rest.contiguous_seq, events.len() as i64);
    let stock: Vec<StockLine> = hub.admin_get("/v1/admin/stock").await;
    assert_eq!(stock, add_stock_lines(&[stock_lines(&device).unwrap()]));
    let feed: EventsPage = hub.admin_get("/v1/feed/events?limit=10000").await;
    let seqs: Vec<i64> = feed.events.iter().map(|e| e.event.seq).collect();
    assert_eq!(seqs, (1..=events.len() as i64).collect::<Vec<_>>());
}
