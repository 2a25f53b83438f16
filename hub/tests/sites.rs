//! Sites (issue 14): a hub serves warehouses, every device registers for one. A hub starts with
//! site `main`; with several, a device names its own; an unknown site, or another site than the
//! one a device has, is refused with a sentence until an administrator moves it. On both backends.
#![allow(clippy::unwrap_used)]

mod common;

use dockhand_core::sync::protocol::{DeviceStatus, Registration};
use dockhand_hub::HubConfig;
use dockhand_hub::store::GrantMode;

async fn register(hub: &common::TestHub, device: &str, site: Option<&str>) -> reqwest::Response {
    hub.client
        .post(format!("{}/v1/devices/register", hub.url))
        .json(&Registration {
            device_id: device.into(),
            name: String::new(),
            registration_secret: None,
            public_key: None,
            site: site.map(str::to_string),
        })
        .send()
        .await
        .unwrap()
}

async fn message(response: reqwest::Response) -> String {
    let problem: serde_json::Value = response.json().await.unwrap();
    problem["message"].as_str().unwrap().to_string()
}

async fn site_of(hub: &common::TestHub, device: &str) -> String {
    let devices: Vec<DeviceStatus> = hub.admin_get("/v1/admin/devices").await;
    devices
        .into_iter()
        .find(|d| d.device_id == device)
        .unwrap()
        .site
}

on_both_backends!(
    devices_register_for_a_site_and_move_only_when_an_administrator_moves_them,
    HubConfig::default(),
    |hub| {
        // One site: a device needs not name it.
        assert_eq!(register(&hub, "HH-1", None).await.status(), 201);
        assert_eq!(site_of(&hub, "HH-1").await, "main");

        let store = hub.store.clone();
        let added = tokio::task::spawn_blocking(move || {
            let now = dockhand_hub::now_text();
            (
                store.add_site("north", "North DC", &now).unwrap(),
                store.add_site("north", "North DC", &now).unwrap(),
                store
                    .add_site("no/slash", "", &now)
                    .unwrap_err()
                    .to_string(),
            )
        })
        .await
        .unwrap();
        assert_eq!((added.0, added.1), (true, false));
        assert!(
            added.2.contains("site id \"no/slash\": 1 to 32 letters"),
            "{}",
            added.2
        );

        // Two sites: a new device names its own.
        let unnamed = register(&hub, "HH-2", None).await;
        assert_eq!(unnamed.status(), 400);
        let text = message(unnamed).await;
        assert!(
            text.contains(
                "this hub serves 2 sites (main, north): name the site device HH-2 works in"
            ),
            "{text}"
        );
        let unknown = register(&hub, "HH-2", Some("south")).await;
        assert_eq!(unknown.status(), 400);
        let text = message(unknown).await;
        assert!(
            text.contains("there is no site \"south\" at this hub; its sites: main, north"),
            "{text}"
        );
        assert_eq!(register(&hub, "HH-2", Some("north")).await.status(), 201);
        assert_eq!(site_of(&hub, "HH-2").await, "north");

        // A device of one site cannot take itself to another.
        let store = hub.store.clone();
        let moved = tokio::task::spawn_blocking(move || {
            let issue = |mode| {
                dockhand_hub::api::issue_token(
                    store.as_ref(),
                    "HH-1",
                    "",
                    std::time::Duration::from_secs(3600),
                    mode,
                    None,
                    Some("north"),
                )
            };
            (
                issue(GrantMode::Renew).unwrap_err().to_string(),
                issue(GrantMode::Replace).is_ok(),
            )
        })
        .await
        .unwrap();
        assert!(
            moved.0.contains(
                "device HH-1 is registered for site main, not north: an administrator moves it"
            ),
            "{}",
            moved.0
        );
        assert!(moved.1, "an administrator's replacement moves it");
        assert_eq!(site_of(&hub, "HH-1").await, "north");
    }
);
