//! Master data and tasks in, changes out: import, the changes feed with its cursor, catalog rules
//! on intake, and production-mode admission — on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used)]

mod common;

use dockhand_core::sync::protocol::{
    ChangeKind, ChangesPage, EventStatus, Import, Problem, Registration,
};
use dockhand_core::{receiving, sample};
use dockhand_hub::HubConfig;

fn sample_import() -> Import {
    Import {
        master: sample::warehouse(),
        expected_receipts: vec![sample::asn()],
        ..Import::default()
    }
}

async fn pull(
    hub: &common::TestHub,
    token: &str,
    cursor: Option<&str>,
    limit: usize,
) -> ChangesPage {
    let mut url = format!("{}/v1/changes?limit={limit}", hub.url);
    if let Some(c) = cursor {
        url.push_str(&format!("&cursor={c}"));
    }
    let response = hub.client.get(url).bearer_auth(token).send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

on_both_backends!(
    imports_become_changes_pulled_page_by_page,
    HubConfig::default(),
    |hub| {
        let data = sample_import();
        let first = hub.import(&data).await;
        let rows = data.master.items.len()
            + data.master.units.len()
            + data.master.barcodes.len()
            + data.master.locations.len()
            + data.master.operators.len()
            + 1;
        assert_eq!((first.changed, first.unchanged), (rows, 0));
        // The same data again changes nothing.
        let second = hub.import(&data).await;
        assert_eq!((second.changed, second.unchanged), (0, rows));
        let token = hub.register("HH-A").await;
        let mut cursor: Option<String> = None;
        let mut kinds = Vec::new();
        loop {
            let page = pull(&hub, &token, cursor.as_deref(), 7).await;
            assert!(page.changes.len() <= 7);
            kinds.extend(page.changes.iter().map(|c| c.kind));
            cursor = Some(page.next_cursor.clone());
            if !page.has_more {
                break;
            }
        }
        assert_eq!(kinds.len(), rows);
        // Dependency order: every item before any barcode, the receipt last.
        let last_item = kinds.iter().rposition(|k| *k == ChangeKind::Item).unwrap();
        let first_barcode = kinds
            .iter()
            .position(|k| *k == ChangeKind::Barcode)
            .unwrap();
        assert!(last_item < first_barcode);
        assert_eq!(kinds.last(), Some(&ChangeKind::ExpectedReceipt));
        // Nothing new after the last cursor; one changed item comes alone.
        let empty = pull(&hub, &token, cursor.as_deref(), 100).await;
        assert!(empty.changes.is_empty() && !empty.has_more);
        let mut changed = data.clone();
        changed.master.items[0].description = "Milk 1 L, new pack".into();
        assert_eq!(hub.import(&changed).await.changed, 1);
        let next = pull(&hub, &token, cursor.as_deref(), 100).await;
        assert_eq!(next.changes.len(), 1);
        assert_eq!(next.changes[0].data["description"], "Milk 1 L, new pack");
        // A cursor the hub never issued is refused with what was wrong.
        let bad = hub
            .client
            .get(format!("{}/v1/changes?cursor=zz9", hub.url))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), 400);
        assert!(bad.json::<Problem>().await.unwrap().message.contains("zz9"));
    }
);

on_both_backends!(
    a_device_applies_pulled_pages_and_keeps_its_work_in_progress,
    HubConfig::default(),
    |hub| {
        hub.import(&sample_import()).await;
        let token = hub.register("HH-A").await;
        let device =
            dockhand_core::Store::open_in_memory(dockhand_core::StoreOptions::new("HH-A")).unwrap();
        let mut cursor = None;
        loop {
            let page = pull(&hub, &token, cursor.as_deref(), 10).await;
            dockhand_core::sync::apply_changes(&device, &page).unwrap();
            cursor = dockhand_core::sync::changes_cursor(&device).unwrap();
            assert_eq!(cursor.as_deref(), Some(page.next_cursor.as_str()));
            if !page.has_more {
                break;
            }
        }
        let counts = device.read(dockhand_core::catalog::counts).unwrap();
        assert_eq!(counts.items, sample::warehouse().items.len());
        // The operator starts receiving the ASN; then the hub sends a changed ASN.
        let milk = dockhand_core::ScannedGoods::barcode(sample::MILK_CS)
            .with_lot("L2611A")
            .with_expiry(chrono::NaiveDate::from_ymd_opt(2027, 3, 1).unwrap());
        receiving::receive_line(
            &device,
            &receiving::ReceiveLine {
                op_id: uuid::Uuid::now_v7(),
                operator: "alice".into(),
                receipt_id: sample::ASN.into(),
                dock: "DOCK-01".into(),
                scan: milk,
                quantity: 1,
                lpn: None,
                approval: None,
            },
        )
        .unwrap();
        let before = device.read(|c| receiving::receipt(c, sample::ASN)).unwrap();
        let mut changed = sample_import();
        changed.expected_receipts[0].lines[0].quantity += 10;
        hub.import(&changed).await;
        let page = pull(&hub, &token, cursor.as_deref(), 100).await;
        let applied = dockhand_core::sync::apply_changes(&device, &page).unwrap();
        assert_eq!(applied.kept_local, vec![sample::ASN.to_string()]);
        assert_eq!(
            device.read(|c| receiving::receipt(c, sample::ASN)).unwrap(),
            before
        );
    }
);

on_both_backends!(
    with_a_catalog_an_unknown_sku_is_rejected_and_later_events_flow,
    HubConfig::default(),
    |hub| {
        hub.import(&sample_import_without_towels()).await;
        let device = common::device("HH-A", 40, 8);
        let events = common::envelopes(&device);
        let token = hub.register("HH-A").await;
        let result = hub.push(&token, "HH-A", &events).await;
        let towels: Vec<_> = result
            .results
            .iter()
            .filter(|r| r.code.as_deref() == Some("unknown_sku"))
            .collect();
        assert!(!towels.is_empty());
        assert!(
            towels[0]
                .reason
                .as_deref()
                .unwrap()
                .contains(sample::TOWELS)
        );
        assert!(
            result
                .results
                .iter()
                .any(|r| r.status == EventStatus::Accepted)
        );
        assert_eq!(result.contiguous_seq, events.len() as i64);
    }
);

on_both_backends!(
    production_mode_admits_only_with_the_secret,
    HubConfig {
        development: false,
        registration_secret: Some("s3cret".into()),
        admin_token: Some("admin-1".into()),
        ..HubConfig::default()
    },
    |hub| {
        let device = common::device("HH-A", 0, 1);
        let register = |secret: Option<&str>| {
            hub.client
                .post(format!("{}/v1/devices/register", hub.url))
                .json(&Registration {
                    device_id: "HH-A".into(),
                    name: "dock 3".into(),
                    registration_secret: secret.map(str::to_string),
                    public_key: device.public_key(),
                    site: None,
                })
                .send()
        };
        let refused = register(Some("guess")).await.unwrap();
        assert_eq!(refused.status(), 403);
        assert_eq!(
            refused.json::<Problem>().await.unwrap().code,
            "registration_refused"
        );
        assert_eq!(register(Some("s3cret")).await.unwrap().status(), 201);
        // Admin endpoints need the admin token.
        let anonymous = hub
            .client
            .get(format!("{}/v1/admin/stock", hub.url))
            .send()
            .await
            .unwrap();
        assert_eq!(anonymous.status(), 401);
        let admin = hub
            .client
            .get(format!("{}/v1/admin/stock", hub.url))
            .bearer_auth("admin-1")
            .send()
            .await
            .unwrap();
        assert_eq!(admin.status(), 200);
        let health: dockhand_core::sync::protocol::Health =
            common::get_json(&hub.client, &format!("{}/health", hub.url)).await;
        assert_eq!(health.mode, "production");
    }
);

/// A device that received towels twice and voided the first scan, all before syncing: the
/// receive, the second receive, the void.
fn towels_received_then_voided(id: &str) -> Vec<dockhand_core::sync::protocol::Envelope> {
    use dockhand_core::{ScannedGoods, corrections, outbox};
    let device =
        dockhand_core::Store::open_in_memory(dockhand_core::StoreOptions::new(id)).unwrap();
    let mut data = sample::warehouse();
    data.credentials = sample::credentials().unwrap();
    dockhand_core::catalog::upsert_master_data(&device, &data).unwrap();
    receiving::load_expected_receipts(&device, &[sample::asn()]).unwrap();
    dockhand_core::credentials::sign_in(&device, "BADGE-0001", "111111").unwrap();
    let receive = || receiving::ReceiveLine {
        op_id: uuid::Uuid::now_v7(),
        operator: "alice".into(),
        receipt_id: sample::ASN.into(),
        dock: "DOCK-01".into(),
        scan: ScannedGoods::barcode(sample::TOWELS_CS),
        quantity: 1,
        lpn: None,
        approval: None,
    };
    let first = receiving::receive_line(&device, &receive()).unwrap();
    receiving::receive_line(&device, &receive()).unwrap();
    corrections::void_movement(
        &device,
        &corrections::VoidMovement {
            op_id: uuid::Uuid::now_v7(),
            operator: "alice".into(),
            event_id: first.event_id,
            reason: "scanned twice".into(),
            approval: sample::badge_of("sam"),
        },
    )
    .unwrap();
    device
        .read(|c| outbox::events(c, 1, 100))
        .unwrap()
        .into_iter()
        .map(|e| e.envelope)
        .collect()
}

on_both_backends!(
    a_void_of_an_event_the_hub_refused_is_refused_in_the_same_batch_or_a_later_one,
    HubConfig::default(),
    |hub| {
        hub.import(&sample_import_without_towels()).await;
        for (id, split) in [("HH-ONE", 3), ("HH-TWO", 2)] {
            let events = towels_received_then_voided(id);
            assert_eq!(events.len(), 3);
            let token = hub.register(id).await;
            let mut results = hub.push(&token, id, &events[..split]).await.results;
            if split < events.len() {
                results.extend(hub.push(&token, id, &events[split..]).await.results);
            }
            let codes: Vec<Option<&str>> = results.iter().map(|r| r.code.as_deref()).collect();
            assert_eq!(
                codes,
                [
                    Some("unknown_sku"),
                    Some("unknown_sku"),
                    Some("voided_event_refused")
                ],
                "{id}"
            );
            let reason = results[2].reason.as_deref().unwrap();
            assert!(
                reason.contains(&events[0].event_id.to_string()) && reason.contains("unknown_sku"),
                "{reason}"
            );
        }
    }
);

/// The sample import with the towels left out of the catalog: their events are refused.
fn sample_import_without_towels() -> Import {
    let mut data = sample_import();
    data.master = common::without_towels(data.master);
    data
}

on_both_backends!(
    a_large_import_reaches_the_changes_feed_whole_in_order_after_what_came_before,
    HubConfig::default(),
    |hub| {
        hub.import(&sample_import()).await;
        // More rows than the PostgreSQL backend keeps before appending them with the clock held
        // (20,000): part is appended mid-import, the rest at its commit.
        let template = sample::warehouse().locations[0].clone();
        let codes: Vec<String> = (0..20_500).map(|n| format!("BULK-{n:05}")).collect();
        let locations = codes
            .iter()
            .map(|code| dockhand_core::catalog::Location {
                code: code.clone(),
                check_string: format!("C{}", &code[5..]),
                ..template.clone()
            })
            .collect();
        let store = hub.store.clone();
        let (site, before) = tokio::task::spawn_blocking(move || {
            let site = store.sites().unwrap()[0].clone();
            let before = store.changes(&site, 0, usize::MAX >> 1).unwrap();
            (site, before.last().map_or(0, |(seq, _)| *seq))
        })
        .await
        .unwrap();
        let result = hub
            .import(&Import {
                master: dockhand_core::catalog::MasterData {
                    locations,
                    ..Default::default()
                },
                ..Import::default()
            })
            .await;
        assert_eq!(result.changed, codes.len());
        let store = hub.store.clone();
        let after = tokio::task::spawn_blocking(move || store.changes(&site, before, 100_000))
            .await
            .unwrap()
            .unwrap();
        let keys: Vec<&str> = after.iter().map(|(_, c)| c.key.as_str()).collect();
        assert_eq!(keys.len(), codes.len(), "every row once");
        assert!(
            keys.iter().zip(&codes).all(|(k, c)| k == c),
            "in the order made"
        );
        assert!(
            after.windows(2).all(|w| w[0].0 < w[1].0) && after[0].0 > before,
            "numbered after what came before, one after another"
        );
    }
);
