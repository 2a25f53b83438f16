//! The attacks of 2026-12-02 (issue 12) replayed against a real hub on loopback, on both backends:
//! each must now fail with a specific answer, and the hub must keep serving the genuine devices.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::{Duration, Instant};

use dockhand_core::Store;
use dockhand_core::protocol::events::{self as ev, EventBody, EventKind, StockStatus};
use dockhand_core::sync::protocol::{
    DeviceStatus, DeviceToken, Envelope, EventStatus, EventsPage, HubException, Problem,
    Registration, StockLine,
};
use dockhand_hub::HubConfig;
use dockhand_hub::intake::{MAX_AHEAD, MAX_BUCKET, MAX_MOVEMENT};
use dockhand_hub::server::ConnectionLimits;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const SECRET: &str = "registration-secret-0123456789";
const ADMIN: &str = "admin-token-0123456789abcdef";

fn production() -> HubConfig {
    HubConfig {
        development: false,
        registration_secret: Some(SECRET.into()),
        admin_token: Some(ADMIN.into()),
        ..HubConfig::default()
    }
}

/// Recomputes the chain from `from` on, as a device that edits its own history would.
fn rechain(events: &mut [Envelope], from: usize) {
    for i in from..events.len() {
        if i > 0 {
            events[i].prev_hash = events[i - 1].hash.clone();
        }
        events[i].hash = events[i].computed_hash();
    }
}

async fn register(hub: &common::TestHub, device: &Store, secret: &str) -> reqwest::Response {
    hub.client
        .post(format!("{}/v1/devices/register", hub.url))
        .json(&Registration {
            device_id: device.device_id().into(),
            name: String::new(),
            registration_secret: Some(secret.into()),
            public_key: device.public_key(),
            site: None,
        })
        .send()
        .await
        .unwrap()
}

async fn admin_post(
    hub: &common::TestHub,
    path: &str,
    body: serde_json::Value,
) -> reqwest::Response {
    hub.client
        .post(format!("{}{path}", hub.url))
        .bearer_auth(ADMIN)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn admin_get<T: serde::de::DeserializeOwned>(hub: &common::TestHub, path: &str) -> T {
    let response = hub
        .client
        .get(format!("{}{path}", hub.url))
        .bearer_auth(ADMIN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.unwrap()
}

async fn problem(response: reqwest::Response) -> (u16, Problem) {
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string());
    assert_eq!(
        content_type.as_deref(),
        Some("application/problem+json"),
        "status {status}"
    );
    (status, response.json().await.unwrap())
}

// Finding 1: re-registering an existing id with the shared secret, and re-anchoring the chain.
on_both_backends!(
    the_shared_secret_cannot_take_over_a_device_nor_a_forgery_re_anchor_its_chain,
    production(),
    |hub| {
        let device = common::device("HH-A", 12, 21);
        let genuine = common::envelopes(&device);
        let created = register(&hub, &device, SECRET).await;
        assert_eq!(created.status(), 201);
        let token = created.json::<DeviceToken>().await.unwrap().token;
        hub.push(&token, "HH-A", &genuine[..3]).await;

        // The attacker knows the secret and the id: registration is refused, the device's token
        // keeps working.
        let impostor = common::device("HH-A", 0, 99);
        let (status, refused) = problem(register(&hub, &impostor, SECRET).await).await;
        assert_eq!((status, refused.code.as_str()), (409, "device_exists"));
        assert!(
            refused.message.contains("needs an administrator"),
            "{}",
            refused.message
        );

        // With the device's token (stolen), a forged event 4 with a made-up link, then a forged
        // event 5 linking to it that takes 1,000 units. Neither carries the device's signature of
        // its hash, so neither is the device's: both refused, neither held nor anchored.
        let mut forged = genuine[3..5].to_vec();
        forged[0].prev_hash = "e".repeat(64);
        forged[1].payload = json!({"movements": [{
            "location": "P-01-01", "sku": "SKU-1", "lot": "", "serial": "", "lpn": "",
            "status": "available", "delta": -1000
        }]});
        rechain(&mut forged, 0);
        let answer = hub.push(&token, "HH-A", &forged).await;
        assert_eq!(answer.results[0].code.as_deref(), Some("bad_signature"));
        assert_eq!(answer.results[1].code.as_deref(), Some("bad_signature"));
        assert_eq!(answer.contiguous_seq, 3);
        // Without a signature at all: refused as unsigned.
        let mut unsigned = forged[0].clone();
        unsigned.signature.clear();
        let answer = hub.push(&token, "HH-A", &[unsigned]).await;
        assert_eq!(answer.results[0].code.as_deref(), Some("unsigned"));
        let feed: EventsPage = admin_get(&hub, "/v1/feed/events?limit=100").await;
        assert_eq!(feed.events.len(), 3, "nothing forged reached the ERP feed");

        // The real device goes on: its event 4 is accepted, not a seq conflict.
        let real = hub.push(&token, "HH-A", &genuine[3..]).await;
        assert!(
            real.results
                .iter()
                .all(|r| r.status == EventStatus::Accepted),
            "{real:?}"
        );
        assert_eq!(real.contiguous_seq, genuine.len() as i64);
        let feed: EventsPage = admin_get(&hub, "/v1/feed/events?limit=100").await;
        assert!(
            feed.events.iter().map(|e| &e.event).eq(genuine.iter()),
            "the feed holds exactly the genuine events"
        );
        let exceptions: Vec<HubException> = admin_get(&hub, "/v1/admin/exceptions").await;
        let codes: Vec<&str> = exceptions.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(codes, ["bad_signature", "bad_signature", "unsigned"]);

        // An administrator replaces the handheld: the old token stops at once.
        let replaced = admin_post(
            &hub,
            "/v1/admin/devices/HH-A/token",
            json!({"replace": true, "public_key": device.public_key()}),
        )
        .await;
        assert_eq!(replaced.status(), 201);
        let fresh = replaced.json::<DeviceToken>().await.unwrap().token;
        let (status, old) = problem(hub.push_raw(Some(&token), "HH-A", &genuine[..1]).await).await;
        assert_eq!((status, old.code.as_str()), (401, "token_invalid"));
        assert_eq!(
            hub.push(&fresh, "HH-A", &genuine[..1]).await.results[0].status,
            EventStatus::Duplicate
        );
    }
);

// Revocation: a revoked device's token stops at once, and the secret does not bring it back.
on_both_backends!(
    a_revoked_device_is_out_until_an_administrator_replaces_it,
    production(),
    |hub| {
        let device = common::device("HH-R", 3, 2);
        let events = common::envelopes(&device);
        let token = register(&hub, &device, SECRET)
            .await
            .json::<DeviceToken>()
            .await
            .unwrap()
            .token;
        let revoked = admin_post(&hub, "/v1/admin/devices/HH-R/revoke", json!({})).await;
        assert_eq!(revoked.status(), 200);
        let (status, p) = problem(hub.push_raw(Some(&token), "HH-R", &events).await).await;
        assert_eq!((status, p.code.as_str()), (401, "token_invalid"));
        let (status, p) = problem(register(&hub, &device, SECRET).await).await;
        assert_eq!((status, p.code.as_str()), (403, "device_revoked"));
        let (status, p) =
            problem(admin_post(&hub, "/v1/admin/devices/HH-NONE/revoke", json!({})).await).await;
        assert_eq!((status, p.code.as_str()), (404, "unknown_device"));
        let again = admin_post(
            &hub,
            "/v1/admin/devices/HH-R/token",
            json!({"replace": true, "public_key": device.public_key()}),
        )
        .await;
        let fresh = again.json::<DeviceToken>().await.unwrap().token;
        assert_eq!(
            hub.push(&fresh, "HH-R", &events).await.contiguous_seq,
            events.len() as i64
        );
        // Tokens only: the device stays registered, its tokens stop.
        let cut = admin_post(&hub, "/v1/admin/devices/HH-R/revoke-tokens", json!({})).await;
        assert_eq!(
            cut.json::<serde_json::Value>().await.unwrap()["tokens_revoked"],
            1
        );
        assert_eq!(
            hub.push_raw(Some(&fresh), "HH-R", &events).await.status(),
            401
        );
    }
);

// Finding 2: quantities that overflow, and NUL characters, poisoned the stock table.
on_both_backends!(
    out_of_range_quantities_and_control_characters_are_rejected_and_the_stock_view_stays_readable,
    HubConfig::default(),
    |hub| {
        let device = common::device("HH-O", 20, 3);
        let mut events = common::envelopes(&device);
        let token = hub.register("HH-O").await;
        let movement = |delta: i64, location: &str| {
            json!({"location": location, "sku": "SKU-1", "lot": "", "serial": "", "lpn": "",
                   "status": "available", "delta": delta})
        };
        let full = |location: &str| {
            json!(
                (0..500)
                    .map(|_| movement(MAX_MOVEMENT, location))
                    .collect::<Vec<_>>()
            )
        };
        // A rogue device edits its own history (its chain recomputed, so only the content is bad).
        putaway_moving(&mut events[0], json!([movement(i64::MAX, "P-01-01")]));
        putaway_moving(&mut events[1], json!([movement(1, "P-01-01")]));
        putaway_moving(&mut events[2], full("P-09-09"));
        putaway_moving(&mut events[3], full("P-09-09"));
        putaway_moving(&mut events[4], json!([movement(1, "P-09-09")]));
        events[5].event_type = format!("{}\u{0}", EventKind::PickConfirmed);
        putaway_moving(&mut events[6], json!([movement(5, "P-01\u{0}-01")]));
        events[7].payload = json!({"note": "a NUL \u{0} in a payload"});
        putaway_moving(
            &mut events[8],
            json!([{"location": "P-01-01", "sku": "SKU-1", "lot": "", "serial": "", "lpn": "",
                    "status": "for_sale", "delta": 1}]),
        );
        rechain(&mut events, 0);
        let result = hub.push(&token, "HH-O", &events).await;
        let verdicts: Vec<(EventStatus, Option<&str>)> = result
            .results
            .iter()
            .map(|r| (r.status, r.code.as_deref()))
            .collect();
        use EventStatus::{Accepted, Rejected};
        assert_eq!(
            verdicts[..9],
            [
                (Rejected, Some("invalid_payload")),
                (Accepted, None),
                (Accepted, None),
                (Accepted, None),
                (Rejected, Some("invalid_payload")),
                (Rejected, Some("invalid_envelope")),
                (Rejected, Some("invalid_payload")),
                (Rejected, Some("invalid_payload")),
                (Rejected, Some("invalid_payload")),
            ]
        );
        let reasons: Vec<&str> = result.results[..9]
            .iter()
            .map(|r| r.reason.as_deref().unwrap_or(""))
            .collect();
        assert!(
            reasons[0].contains("9223372036854775807 units")
                && reasons[0].contains("at most 1000000000000"),
            "{}",
            reasons[0]
        );
        assert!(
            reasons[4].contains(&format!("bucket holds at most {MAX_BUCKET}")),
            "{}",
            reasons[4]
        );
        assert!(reasons[5].contains("U+0000"), "{}", reasons[5]);
        assert!(reasons[8].contains("\"for_sale\""), "{}", reasons[8]);
        // Every event took its place: the device's queue drains.
        assert_eq!(result.contiguous_seq, events.len() as i64);
        let stock: Vec<StockLine> = admin_get(&hub, "/v1/admin/stock").await;
        let at = |location: &str| {
            stock
                .iter()
                .find(|l| l.location == location && l.sku == "SKU-1")
                .map(|l| l.quantity)
        };
        assert_eq!(at("P-01-01"), Some(1));
        assert_eq!(at("P-09-09"), Some(MAX_BUCKET));
        let exceptions: Vec<HubException> = admin_get(&hub, "/v1/admin/exceptions").await;
        // Six refusals; the accepted events that took buckets below zero are exceptions too.
        let refused = exceptions.iter().filter(|e| e.code != "stock_below_zero");
        assert_eq!(refused.count(), 6, "{exceptions:?}");
        assert!(exceptions.iter().all(|e| !e.event_type.contains('\u{0}')));
        let health = hub
            .client
            .get(format!("{}/health", hub.url))
            .send()
            .await
            .unwrap();
        assert_eq!(health.status(), 200);
    }
);

// Finding 3: the body was read (64 MiB) before the token was checked.
on_both_backends!(
    no_body_is_read_before_the_token_is_checked_and_bodies_are_capped,
    HubConfig::default(),
    |hub| {
        let address = hub.url.trim_start_matches("http://").to_string();
        // Headers announcing 60 MB, and no body at all: the hub answers 401 at once instead of
        // waiting for (and buffering) the body.
        let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
        stream
            .write_all(
                format!(
                    "POST /v1/events HTTP/1.1\r\nhost: {address}\r\ncontent-type: application/json\r\n\
                     content-length: 60000000\r\n\r\n"
                )
                .as_bytes(),
            )
            .await
            .unwrap();
        let started = Instant::now();
        let mut answer = vec![0u8; 4096];
        let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut answer))
            .await
            .expect("the hub answered without the body")
            .unwrap();
        let text = String::from_utf8_lossy(&answer[..n]);
        assert!(text.starts_with("HTTP/1.1 401"), "{text}");
        assert!(text.contains("token_missing"), "{text}");
        assert!(started.elapsed() < Duration::from_secs(5));

        // With a token, a body declared over the cap is 413 with the limit named, unread; one
        // sent without a length is cut off at the cap.
        let token = hub.register("HH-B").await;
        let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
        stream
            .write_all(
                format!(
                    "POST /v1/events HTTP/1.1\r\nhost: {address}\r\ncontent-type: application/json\r\n\
                     authorization: Bearer {token}\r\ncontent-length: 60000000\r\n\r\n"
                )
                .as_bytes(),
            )
            .await
            .unwrap();
        let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut answer))
            .await
            .expect("the hub answered without the body")
            .unwrap();
        let text = String::from_utf8_lossy(&answer[..n]);
        assert!(text.starts_with("HTTP/1.1 413"), "{text}");
        assert!(
            text.contains("60000000 bytes; the hub takes at most 16777216"),
            "{text}"
        );
        let stream = tokio::net::TcpStream::connect(&address).await.unwrap();
        let (mut reader, mut writer) = stream.into_split();
        let head = format!(
            "POST /v1/events HTTP/1.1\r\nhost: {address}\r\ncontent-type: application/json\r\n\
             authorization: Bearer {token}\r\ntransfer-encoding: chunked\r\n\r\n"
        );
        let sender = tokio::spawn(async move {
            writer.write_all(head.as_bytes()).await?;
            let chunk = format!("100000\r\n{}\r\n", " ".repeat(0x100000));
            for _ in 0..40 {
                writer.write_all(chunk.as_bytes()).await?;
            }
            Ok::<_, std::io::Error>(())
        });
        let mut text = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(10), reader.read_to_end(&mut text)).await;
        sender.abort();
        let text = String::from_utf8_lossy(&text);
        assert!(
            text.starts_with("HTTP/1.1 413"),
            "{}",
            &text[..text.len().min(300)]
        );
        assert!(text.contains("over 16777216 bytes"), "{text}");

        // One event over the per-event cap: 413 naming it; the events before it are not taken.
        let device = common::device("HH-B", 4, 5);
        let mut events = common::envelopes(&device);
        events[1].payload = json!({"note": "x".repeat(70_000)});
        rechain(&mut events, 1);
        let (status, p) = problem(hub.push_raw(Some(&token), "HH-B", &events).await).await;
        assert_eq!((status, p.code.as_str()), (413, "too_large"));
        assert!(
            p.message.starts_with("event 2 of the batch is"),
            "{}",
            p.message
        );
        let devices: Vec<DeviceStatus> = hub.admin_get("/v1/admin/devices").await;
        assert_eq!(
            devices
                .iter()
                .find(|d| d.device_id == "HH-B")
                .unwrap()
                .contiguous_seq,
            0
        );
    }
);

/// Opens `n` connections to `address` from `from` that send nothing.
async fn idle_sockets(address: &str, from: &str, n: usize) -> Vec<tokio::net::TcpStream> {
    let mut held = Vec::new();
    for _ in 0..n {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind(format!("{from}:0").parse().unwrap()).unwrap();
        held.push(socket.connect(address.parse().unwrap()).await.unwrap());
    }
    held
}

/// GET /health from a given source address.
async fn health_from(address: &str, from: &str) -> String {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind(format!("{from}:0").parse().unwrap()).unwrap();
    let mut stream = socket.connect(address.parse().unwrap()).await.unwrap();
    stream
        .write_all(
            format!("GET /health HTTP/1.1\r\nhost: {address}\r\nconnection: close\r\n\r\n")
                .as_bytes(),
        )
        .await
        .unwrap();
    let mut text = String::new();
    tokio::time::timeout(Duration::from_secs(5), stream.read_to_string(&mut text))
        .await
        .expect("health answered")
        .unwrap();
    text
}

// Finding 4: idle sockets exhausted the descriptors and /health stalled.
on_both_backends!(
    idle_connections_are_capped_and_timed_out_and_others_are_still_served,
    HubConfig {
        limits: ConnectionLimits {
            max_connections: 300,
            max_connections_per_address: 100,
            header_read_timeout: Duration::from_secs(1),
            request_timeout: Duration::from_secs(5),
        },
        ..HubConfig::default()
    },
    |hub| {
        let address = hub.url.trim_start_matches("http://").to_string();
        let mut flood = idle_sockets(&address, "127.0.0.1", 400).await;
        // Past its 100, the flooding address is answered 503 at once.
        let mut refused = 0;
        for socket in flood.iter_mut().skip(100) {
            let mut text = String::new();
            let _ = tokio::time::timeout(Duration::from_secs(2), socket.read_to_string(&mut text))
                .await;
            if text.starts_with("HTTP/1.1 503") && text.contains("too_many_connections") {
                refused += 1;
            }
        }
        assert_eq!(refused, 300);
        // Another handheld (another address) is served while the flood holds its 100.
        let answer = health_from(&address, "127.0.0.2").await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        // The idle ones are closed by the hub once the header time has passed.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let mut closed = 0;
        for socket in flood.iter_mut().take(100) {
            let mut buf = [0u8; 256];
            if let Ok(Ok(_)) =
                tokio::time::timeout(Duration::from_millis(500), socket.read(&mut buf)).await
            {
                closed += 1;
            }
        }
        assert_eq!(closed, 100, "every idle connection was closed by the hub");
        drop(flood);
        let answer = health_from(&address, "127.0.0.1").await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    }
);

// Finding 7: 2,800 admin-token guesses a second, unlogged, unlimited.
on_both_backends!(
    guessing_tokens_is_throttled_per_address,
    HubConfig {
        auth_failures_per_minute: 20,
        ..production()
    },
    |hub| {
        let mut statuses = Vec::new();
        for i in 0..25 {
            let response = hub
                .client
                .get(format!("{}/v1/admin/stock", hub.url))
                .bearer_auth(format!("guess-{i}"))
                .send()
                .await
                .unwrap();
            statuses.push(response.status().as_u16());
            if i == 24 {
                assert!(response.headers().get("retry-after").is_some());
                let (_, p) = problem(response).await;
                assert_eq!(p.code, "too_many_attempts");
                assert!(
                    p.message.contains("failed authentications from 127.0.0.1"),
                    "{}",
                    p.message
                );
            }
        }
        assert_eq!(statuses[..20], [401; 20]);
        assert_eq!(statuses[20..], [429; 5]);
        // Even the right token waits out the window from that address...
        let blocked = hub
            .client
            .get(format!("{}/v1/admin/stock", hub.url))
            .bearer_auth(ADMIN)
            .send()
            .await
            .unwrap();
        assert_eq!(blocked.status(), 429);
        // ...while other addresses are not affected.
        let address = hub.url.trim_start_matches("http://").to_string();
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind("127.0.0.3:0".parse().unwrap()).unwrap();
        let mut stream = socket.connect(address.parse().unwrap()).await.unwrap();
        stream
            .write_all(
                format!("GET /v1/admin/stock HTTP/1.1\r\nhost: {address}\r\nauthorization: bearer {ADMIN}\r\nconnection: close\r\n\r\n")
                    .as_bytes(),
            )
            .await
            .unwrap();
        let mut text = String::new();
        stream.read_to_string(&mut text).await.unwrap();
        assert!(
            text.starts_with("HTTP/1.1 200"),
            "lowercase bearer from another address: {text}"
        );
    }
);

// Finding 6: held events without bound, superseded tokens never cleaned up.
on_both_backends!(
    held_events_and_tokens_are_bounded,
    HubConfig::default(),
    |hub| {
        let device = common::device("HH-H", 3, 7);
        let mut events = common::envelopes(&device);
        let token = hub.register("HH-H").await;
        events[2].seq = MAX_AHEAD + 2;
        events[2].hash = events[2].computed_hash();
        events[1].seq = 0;
        events[1].hash = events[1].computed_hash();
        let answer = hub
            .push(&token, "HH-H", &[events[1].clone(), events[0].clone()])
            .await;
        assert_eq!(answer.results[0].code.as_deref(), Some("invalid_seq"));
        let far = hub.push(&token, "HH-H", &events[2..3]).await;
        assert_eq!(far.results[0].code.as_deref(), Some("too_far_ahead"));
        assert!(
            far.results[0]
                .reason
                .as_deref()
                .unwrap()
                .contains("at most 5000 ahead")
        );
        let devices: Vec<DeviceStatus> = hub.admin_get("/v1/admin/devices").await;
        assert_eq!(devices[0].held, 0);

        // Re-registering again and again keeps only the newest tokens.
        let mut tokens = Vec::new();
        for _ in 0..10 {
            tokens.push(hub.register("HH-H").await);
        }
        let mut working = Vec::new();
        for t in &tokens {
            let r = hub.push_raw(Some(t), "HH-H", &events[..1]).await;
            working.push(r.status() == 200);
        }
        assert_eq!(
            working,
            [
                false, false, false, false, false, false, false, true, true, true
            ]
        );
        assert!(
            hub.push_raw(Some(&token), "HH-H", &events[..1])
                .await
                .status()
                == 401
        );
    }
);

// Smaller findings: Problem JSON for every error, ids counted in characters.
on_both_backends!(every_error_is_problem_json, HubConfig::default(), |hub| {
    let token = hub.register("HH-P").await;
    let post = |body: &'static str, content_type: &'static str| {
        hub.client
            .post(format!("{}/v1/events", hub.url))
            .bearer_auth(&token)
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let (status, p) = problem(post("{not json", "application/json").await.unwrap()).await;
    assert_eq!((status, p.code.as_str()), (400, "unreadable_body"));
    let (status, p) = problem(post("{}", "text/plain").await.unwrap()).await;
    assert_eq!((status, p.code.as_str()), (415, "unreadable_body"));
    let (status, p) = problem(
        post("{\"device_id\": 5}", "application/json")
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, p.code.as_str()), (422, "unreadable_body"));
    let (status, p) = problem(
        hub.client
            .get(format!("{}/v1/nothing", hub.url))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, p.code.as_str()), (404, "not_found"));
    let (status, p) = problem(
        hub.client
            .delete(format!("{}/v1/events", hub.url))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, p.code.as_str()), (405, "method_not_allowed"));
    let (status, p) = problem(
        hub.client
            .get(format!("{}/v1/changes?limit=abc", hub.url))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, p.code.as_str()), (400, "bad_request"));
    // 64 characters of two bytes each is a valid id; 65 is not.
    let ok = hub
        .client
        .post(format!("{}/v1/devices/register", hub.url))
        .json(&json!({"device_id": "ä".repeat(64)}))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 201);
    let (status, p) = problem(
        hub.client
            .post(format!("{}/v1/devices/register", hub.url))
            .json(&json!({"device_id": "ä".repeat(65)}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, p.code.as_str()), (400, "bad_request"));
    assert!(p.message.contains("65 characters"), "{}", p.message);
    // Found by `dockhand fuzz`: a path segment that decodes to invalid UTF-8, and an oversized
    // body to an endpoint whose body is optional, were answered in plain text.
    let (status, p) = problem(
        hub.client
            .post(format!("{}/v1/admin/devices/HH%80X/token", hub.url))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, p.code.as_str()), (400, "bad_request"));
    assert!(p.message.contains("path"), "{}", p.message);
    let (status, p) = problem(
        hub.client
            .post(format!("{}/v1/admin/devices/HH-Q/token", hub.url))
            .body(" ".repeat(64 * 1024))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 413);
    assert!(p.message.contains("4096"), "{}", p.message);
});

/// A key the app keeps (the platform keystore in an app), shared by two databases to make a fork.
struct Keystore(ed25519_dalek::SigningKey);

impl dockhand_core::identity::EventSigner for Keystore {
    fn public_key(&self) -> [u8; 32] {
        self.0.verifying_key().to_bytes()
    }
    fn sign(&self, message: &[u8]) -> Result<[u8; 64], String> {
        use ed25519_dalek::Signer;
        Ok(self.0.sign(message).to_bytes())
    }
}

/// A device in memory signing with `keystore`, after `steps` workload commands.
fn device_with(id: &str, keystore: &std::sync::Arc<Keystore>, steps: usize, seed: u64) -> Store {
    let mut options = dockhand_core::StoreOptions::new(id);
    options.signer = Some(keystore.clone());
    let store = Store::open_in_memory(options).unwrap();
    dockhand_core::workload::Workload::seed_store(&store).unwrap();
    let mut mix = dockhand_core::workload::Workload::new(seed);
    for _ in 0..steps {
        mix.step(&store).unwrap();
    }
    store
}

// Signed events: a device without a key enrols it once; a signed fork holds the device for a
// supervisor, who accepts it.
on_both_backends!(
    a_device_enrols_its_key_once_and_a_signed_fork_waits_for_a_supervisor,
    production(),
    |hub| {
        // An administrator issued the token without the key: events wait for the enrolment.
        let keystore =
            std::sync::Arc::new(Keystore(ed25519_dalek::SigningKey::from_bytes(&[5; 32])));
        let original = device_with("HH-F", &keystore, 6, 11);
        let events = common::envelopes(&original);
        let issued = admin_post(&hub, "/v1/admin/devices/HH-F/token", json!({})).await;
        let token = issued.json::<DeviceToken>().await.unwrap().token;
        let (status, p) = problem(hub.push_raw(Some(&token), "HH-F", &events).await).await;
        assert_eq!((status, p.code.as_str()), (409, "device_key_missing"));
        let enrol = |key: Option<String>| {
            hub.client
                .post(format!("{}/v1/devices/key", hub.url))
                .bearer_auth(&token)
                .json(&json!({ "public_key": key }))
                .send()
        };
        assert_eq!(enrol(original.public_key()).await.unwrap().status(), 204);
        assert_eq!(enrol(original.public_key()).await.unwrap().status(), 204);
        let other = common::device("HH-X", 0, 1);
        let (status, p) = problem(enrol(other.public_key()).await.unwrap()).await;
        assert_eq!((status, p.code.as_str()), (409, "device_key_recorded"));
        let first = hub.push(&token, "HH-F", &events[..4]).await;
        assert_eq!(first.contiguous_seq, 4);

        // The same key, another database: a restored or copied one recording its own events.
        let copy = device_with("HH-F", &keystore, 8, 12);
        let forked = common::envelopes(&copy);
        let answer = hub.push(&token, "HH-F", &forked).await;
        assert!(
            answer
                .results
                .iter()
                .all(|r| r.status == EventStatus::Held && r.code.as_deref() == Some("device_held")),
            "{answer:?}"
        );
        assert!(
            answer.results[0]
                .reason
                .as_deref()
                .unwrap()
                .contains("held for a supervisor")
        );
        // The copy's own sync engine says why it is stuck, in the hub's words.
        let engine = dockhand_core::sync::engine::SyncEngine::new(
            std::sync::Arc::new(copy),
            dockhand_core::sync::engine::SyncConfig::new(&hub.url),
            std::sync::Arc::new(dockhand_core::sync::engine::StaticToken::new(token.clone())),
        )
        .unwrap();
        match engine.sync_now().await {
            Err(dockhand_core::sync::engine::SyncError::Stuck(why)) => {
                assert!(why.contains("for a supervisor"), "{why}");
                assert!(why.contains("held for a supervisor"), "{why}");
            }
            other => panic!("{other:?}"),
        }
        // Held, the device's genuine events wait too; nothing of either reached the feed.
        let held = hub.push(&token, "HH-F", &events[4..]).await;
        assert!(held.results.iter().all(|r| r.status == EventStatus::Held));
        let devices: Vec<DeviceStatus> = admin_get(&hub, "/v1/admin/devices").await;
        let status = devices.iter().find(|d| d.device_id == "HH-F").unwrap();
        assert!(status.signed);
        let why = status.held_for_supervisor.as_deref().unwrap();
        assert!(
            why.contains("which the hub already holds") && why.contains("held since"),
            "{why}"
        );
        let feed: EventsPage = admin_get(&hub, "/v1/feed/events?limit=100").await;
        assert_eq!(feed.events.len(), 4);

        // A supervisor accepts the fork: the copy's conflicting events become exceptions and its
        // chain goes on from its next event.
        let accepted = admin_post(&hub, "/v1/admin/devices/HH-F/accept-fork", json!({})).await;
        assert_eq!(accepted.status(), 204);
        let (status, p) =
            problem(admin_post(&hub, "/v1/admin/devices/HH-F/accept-fork", json!({})).await).await;
        assert_eq!((status, p.code.as_str()), (409, "device_state"));
        let resumed = hub.push(&token, "HH-F", &forked).await;
        let conflicts = resumed.results[..4]
            .iter()
            .filter(|r| r.code.as_deref() == Some("seq_conflict"))
            .count();
        assert_eq!(conflicts, 4);
        assert!(
            resumed.results[4..]
                .iter()
                .all(|r| r.status == EventStatus::Accepted),
            "{resumed:?}"
        );
        assert_eq!(resumed.contiguous_seq, forked.len() as i64);
    }
);

// The typed contract at the door: an event must read as this version's event of its type.
on_both_backends!(
    events_that_do_not_read_as_their_type_are_rejected_with_the_reason,
    HubConfig::default(),
    |hub| {
        let device = common::device("HH-T", 8, 4);
        let mut events = common::envelopes(&device);
        let token = hub.register("HH-T").await;
        events[0].event_type = "shipping.teleported".into();
        putaway_moving(&mut events[1], json!([]));
        events[1].payload.as_object_mut().unwrap().remove("to");
        events[2].event_type = EventKind::BlindOpened.to_string();
        events[2].payload = EventBody::from(ev::BlindOpened {
            receipt_id: "BR-1".into(),
            reference: "DN-1".into(),
            supplier: "ACME".into(),
        })
        .to_payload()
        .unwrap();
        events[2].payload["movements"] = json!([{"location": "P-01-01", "sku": "SKU-1",
            "lot": "", "serial": "", "lpn": "", "status": "available", "delta": 50}]);
        rechain(&mut events, 0);
        let result = hub.push(&token, "HH-T", &events).await;
        let reason = |i: usize| result.results[i].reason.clone().unwrap_or_default();
        for i in 0..3 {
            assert_eq!(
                (result.results[i].status, result.results[i].code.as_deref()),
                (EventStatus::Rejected, Some("invalid_payload")),
                "event {i}: {}",
                reason(i)
            );
        }
        assert!(
            reason(0).contains("\"shipping.teleported\" is not an event type of this version"),
            "{}",
            reason(0)
        );
        assert!(
            reason(1).contains("a putaway.confirmed payload does not read")
                && reason(1).contains("`to`"),
            "{}",
            reason(1)
        );
        assert!(
            reason(2).contains("is a receiving.blind_opened event, which moves no stock, but it carries 1 movements"),
            "{}",
            reason(2)
        );
        // Each took its place: the queue drains, and nothing of them reached the stock view.
        assert_eq!(result.contiguous_seq, events.len() as i64);
        let stock: Vec<StockLine> = admin_get(&hub, "/v1/admin/stock").await;
        assert!(
            !stock
                .iter()
                .any(|l| l.location == "P-01-01" && l.quantity >= 50),
            "{stock:?}"
        );
    }
);

/// Makes `event` a putaway whose payload reads in full but carries `movements` (so only they can
/// be wrong).
fn putaway_moving(event: &mut Envelope, movements: serde_json::Value) {
    let body = EventBody::from(ev::PutawayConfirmed {
        sku: "SKU-1".into(),
        lot: String::new(),
        serial: String::new(),
        lpn: String::new(),
        lpn_after: String::new(),
        base_quantity: 1,
        base_unit: "EA".into(),
        from: "DOCK-01".into(),
        to: "P-01-01".into(),
        to_zone: "P".into(),
        status_before: StockStatus::Received,
        status_after: StockStatus::Available,
        hold_reason: None,
        suggested: None,
        override_reason: None,
        movements: Vec::new(),
    });
    let mut payload = body.to_payload().unwrap();
    payload["movements"] = movements;
    event.event_type = body.kind().to_string();
    event.payload = payload;
}
