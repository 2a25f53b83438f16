//! The site measured at the hub across handhelds (issue 14): available to promise with what picks
//! hold and what orders nobody started want, the KPIs of a period computed as a device computes
//! its own, the count risk ranking, and count tasks for the riskiest locations reaching the
//! devices. On both backends, against a real hub on loopback.
#![allow(clippy::unwrap_used)]

mod common;

use common::handheld::{Handheld, count_pick_face, import_sample, pack_load_ship, submit_towels};
use common::towels;
use dockhand_core::counting::{self, CountOutcome};
use dockhand_core::picking::{self, StartPickTask};
use dockhand_core::protocol::master::CountTaskRequest;
use dockhand_core::protocol::measures::{Kpis, RiskRanking, SiteAtp};
use dockhand_core::sample;
use dockhand_core::sync::protocol::Import;
use dockhand_hub::HubConfig;
use uuid::Uuid;

async fn towels_atp(hub: &common::TestHub) -> SiteAtp {
    let list: Vec<SiteAtp> = hub
        .admin_get(&format!("/v1/admin/atp?sku={}", sample::TOWELS))
        .await;
    assert_eq!(list.len(), 1, "{list:?}");
    list[0].clone()
}

/// What a handheld measures from its own records over the period of the hub's `kpis`.
fn own_kpis(h: &Handheld, kpis: &Kpis) -> Kpis {
    let at = |t: &str| chrono::DateTime::parse_from_rfc3339(t).unwrap();
    h.store
        .read(|c| dockhand_core::kpis::kpis(c, at(&kpis.from), at(&kpis.to)))
        .unwrap()
}

async fn post(
    hub: &common::TestHub,
    path: &str,
    body: serde_json::Value,
) -> (u16, serde_json::Value) {
    let response = hub
        .client
        .post(format!("{}{path}", hub.url))
        .json(&body)
        .send()
        .await
        .unwrap();
    (
        response.status().as_u16(),
        response.json().await.unwrap_or_default(),
    )
}

on_both_backends!(
    the_hub_measures_the_site_across_handhelds,
    HubConfig::default(),
    |hub| {
        import_sample(&hub).await;
        hub.import(&Import {
            pick_tasks: vec![towels::order("T-90", 5), towels::order("T-91", 3)],
            ..Import::default()
        })
        .await;
        let h08 = Handheld::new(&hub, "handheld-08").await;
        let h09 = Handheld::new(&hub, "handheld-09").await;
        towels::receive_and_put_away(&h08.store, "DOOR-1", 20);
        h08.sync().await;
        let atp = towels_atp(&hub).await;
        assert_eq!(
            (atp.available, atp.reserved, atp.on_order, atp.promisable),
            (20, 0, 8, 12)
        );

        // 09 starts T-90: its 5 are held by the pick, no longer on order.
        h09.sync().await;
        picking::start_pick_task(
            &h09.store,
            &StartPickTask {
                op_id: Uuid::now_v7(),
                operator: "bob".into(),
                task_id: "T-90".into(),
            },
        )
        .unwrap();
        h09.sync().await;
        let atp = towels_atp(&hub).await;
        assert_eq!(
            (atp.available, atp.reserved, atp.on_order, atp.promisable),
            (20, 5, 3, 12)
        );
        // Picked: the 5 left the shelf for staging, and hold nothing more.
        while let Some(next) = h09.store.read(|c| picking::next_pick(c, "T-90")).unwrap() {
            picking::confirm_pick(&h09.store, &towels::pick("T-90", &next, "71", "TOTE-T-90"))
                .unwrap();
        }
        h09.sync().await;
        let atp = towels_atp(&hub).await;
        assert_eq!(
            (atp.available, atp.reserved, atp.on_order, atp.promisable),
            (15, 0, 3, 12)
        );
        let unknown: Vec<SiteAtp> = hub.admin_get("/v1/admin/atp?sku=NOPE").await;
        assert_eq!((unknown[0].available, unknown[0].promisable), (0, 0));

        // 08 counts the pick face and finds 14 of 15; the recount agrees: one line off.
        h08.sync().await;
        let first = count_pick_face(&h08.store, "CC-1", 14);
        let outcome = if first.outcome == CountOutcome::RecountRequired {
            submit_towels(&h08.store, "CC-1", "alice", 14).outcome
        } else {
            first.outcome
        };
        assert_ne!(outcome, CountOutcome::RecountRequired);
        h08.sync().await;
        let kpis: Kpis = hub.admin_get("/v1/admin/kpis").await;
        assert_eq!((kpis.counted_lines, kpis.accuracy), (1, Some(0.0)));
        assert_eq!((kpis.counted_units, kpis.adjusted_units), (14, 1));
        assert_eq!(
            (kpis.picks, kpis.short_picks, kpis.short_pick_rate),
            (1, 0, Some(0.0))
        );
        assert_eq!(kpis.accuracy_by_location[0].key, "P-01-01");
        // The counting handheld computes the same count figures from its own records.
        let own = own_kpis(&h08, &kpis);
        assert_eq!(
            (
                own.counted_lines,
                own.accuracy,
                own.counted_units,
                own.adjusted_units
            ),
            (
                kpis.counted_lines,
                kpis.accuracy,
                kpis.counted_units,
                kpis.adjusted_units
            )
        );

        // The ranking puts the pick face first: counted off, picked, holding the value.
        let ranking: RiskRanking = hub.admin_get("/v1/admin/risk").await;
        let face = &ranking.locations[0];
        assert_eq!(face.key, "P-01-01");
        assert_eq!((face.variance_rate, face.picks), (1.0, 1));
        assert_eq!(face.days_since_count, Some(0));
        assert_eq!(ranking.items[0].key, sample::TOWELS);

        // Counts for the riskiest location reach the devices, once a day.
        let (status, body) = post(
            &hub,
            "/v1/admin/counts/risk",
            serde_json::json!({"top": 0, "by": "sam"}),
        )
        .await;
        assert_eq!(status, 400);
        assert_eq!(body["message"], "top 0 must be 1 to 500 locations");
        let (status, body) = post(
            &hub,
            "/v1/admin/counts/risk",
            serde_json::json!({"top": 3, "by": ""}),
        )
        .await;
        assert_eq!(status, 400, "{body}");
        let (status, body) = post(
            &hub,
            "/v1/admin/counts/risk",
            serde_json::json!({"top": 3, "by": "sam"}),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let made: Vec<CountTaskRequest> = serde_json::from_value(body).unwrap();
        assert_eq!(made.len(), 1, "{made:?}");
        assert!(made[0].task_id.starts_with("RISK-P-01-01-"));
        assert!(made[0].reason.starts_with("risk 0."), "{}", made[0].reason);
        assert!(made[0].reason.ends_with("asked by sam"));
        let (_, again) = post(
            &hub,
            "/v1/admin/counts/risk",
            serde_json::json!({"top": 3, "by": "sam"}),
        )
        .await;
        assert_eq!(again, serde_json::json!([]));
        h09.sync().await;
        let open = h09.store.read(counting::open_count_tasks).unwrap();
        assert!(
            open.iter()
                .any(|t| t.id == made[0].task_id && t.location.as_deref() == Some("P-01-01")),
            "{open:?}"
        );

        // A period that is no period, or no date, is refused.
        let response = hub
            .client
            .get(format!(
                "{}/v1/admin/kpis?from=2026-12-04T10:00:00Z&to=2026-12-04T09:00:00Z",
                hub.url
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400);
        let response = hub
            .client
            .get(format!("{}/v1/admin/kpis?from=yesterday", hub.url))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400);
        let problem: serde_json::Value = response.json().await.unwrap();
        assert!(
            problem["message"]
                .as_str()
                .unwrap()
                .starts_with("from \"yesterday\" is not a date and time such as "),
            "{problem}"
        );
    }
);

/// Picks `task` (towels, from the hub) into its tote, then packs, loads and ships its order
/// ([`pack_load_ship`]); whether it left on time.
fn pick_pack_ship(h: &Handheld, task: &str, removed: i64) -> Option<bool> {
    let (store, tote) = (&h.store, format!("TOTE-{task}"));
    picking::start_pick_task(
        store,
        &StartPickTask {
            op_id: Uuid::now_v7(),
            operator: "bob".into(),
            task_id: task.into(),
        },
    )
    .unwrap();
    let mut picked = 0;
    while let Some(next) = store.read(|c| picking::next_pick(c, task)).unwrap() {
        picked += next.quantity;
        picking::confirm_pick(store, &towels::pick(task, &next, "71", &tote)).unwrap();
    }
    pack_load_ship(store, &format!("SO-{task}"), &tote, picked, removed).on_time
}

on_both_backends!(
    the_hub_measures_on_time_ship_and_pack_accuracy,
    HubConfig::default(),
    |hub| {
        use dockhand_core::protocol::master::PickTaskRequest;
        import_sample(&hub).await;
        hub.set_sscc_prefix("4012345", 3).await;
        let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
        hub.import(&Import {
            pick_tasks: vec![
                PickTaskRequest {
                    ship_by: Some(tomorrow),
                    ..towels::order("T-95", 4)
                },
                PickTaskRequest {
                    ship_by: Some("2020-01-01T00:00:00+01:00".into()),
                    ..towels::order("T-96", 3)
                },
                towels::order("T-97", 2),
            ],
            ..Import::default()
        })
        .await;
        // A deadline that is no time is refused with the import, before any device sees it.
        let (status, body) = post(
            &hub,
            "/v1/admin/import",
            serde_json::json!({"pick_tasks": [PickTaskRequest {
                ship_by: Some("Friday 5 pm".into()),
                ..towels::order("T-98", 1)
            }]}),
        )
        .await;
        assert_eq!(status, 400, "{body}");
        let message = body["message"].as_str().unwrap();
        assert!(
            message.contains("T-98") && message.contains("\"Friday 5 pm\" is not a date and time"),
            "{message}"
        );
        let h = Handheld::new(&hub, "handheld-08").await;
        towels::receive_and_put_away(&h.store, "DOOR-1", 20);
        h.sync().await;
        assert!(
            h.store.read(|c| picking::pick_task(c, "T-98")).is_err(),
            "a refused import reached the device"
        );
        // T-95 leaves before its deadline, T-96 after it (and had a towel taken out again while
        // packing), T-97 has none.
        assert_eq!(pick_pack_ship(&h, "T-95", 0), Some(true));
        assert_eq!(pick_pack_ship(&h, "T-96", 1), Some(false));
        assert_eq!(pick_pack_ship(&h, "T-97", 0), None);
        h.sync().await;
        let kpis: Kpis = hub.admin_get("/v1/admin/kpis").await;
        assert_eq!(
            (
                kpis.shipped_orders,
                kpis.shipped_with_deadline,
                kpis.shipped_on_time,
                kpis.on_time_ship_rate
            ),
            (3, 2, 1, Some(0.5))
        );
        assert_eq!(
            (kpis.packed_right, kpis.pack_accuracy),
            (2, Some(2.0 / 3.0))
        );
        // The shipping handheld measures the same from its own records.
        let own = own_kpis(&h, &kpis);
        assert_eq!(
            (own.shipped_orders, own.on_time_ship_rate, own.pack_accuracy),
            (3, Some(0.5), Some(2.0 / 3.0))
        );
    }
);
