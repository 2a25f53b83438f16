//! docs/sync-api.yaml and the hub agree: every documented path and method is served.
#![allow(clippy::unwrap_used)]

mod common;

use dockhand_hub::HubConfig;

/// (method, path) pairs of the OpenAPI document, read from its `paths:` section.
fn documented() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/sync-api.yaml"),
    )
    .unwrap();
    let mut out = Vec::new();
    let mut path = None;
    let mut in_paths = false;
    for line in text.lines() {
        if line == "paths:" {
            in_paths = true;
            continue;
        }
        if in_paths && !line.starts_with(' ') && !line.is_empty() {
            break;
        }
        if let Some(p) = line.strip_prefix("  /").and_then(|p| p.strip_suffix(':')) {
            path = Some(format!("/{p}"));
        } else if let Some(method) = ["get", "post", "put", "delete"]
            .into_iter()
            .find(|m| line == format!("    {m}:"))
        {
            out.push((method.to_string(), path.clone().unwrap()));
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_documented_endpoint_is_served() {
    let routes = documented();
    assert!(routes.len() >= 12, "{routes:?}");
    let hub = common::start("sqlite", HubConfig::default()).await.unwrap();
    // Paths with a device id name a registered one ("no such device" is a 404 of its own).
    hub.register("HH-DOC").await;
    for (method, path) in &routes {
        let url = format!("{}{}", hub.url, path.replace("{device_id}", "HH-DOC"));
        let response = match method.as_str() {
            "get" => hub.client.get(&url).send().await.unwrap(),
            _ => hub
                .client
                .post(&url)
                .json(&serde_json::json!({}))
                .send()
                .await
                .unwrap(),
        };
        // Unauthenticated or malformed, but never "no such route" or "wrong method".
        assert!(
            ![404, 405].contains(&response.status().as_u16()),
            "{method} {path}: {}",
            response.status()
        );
    }
    // And an undocumented path is not served.
    let unknown = hub
        .client
        .get(format!("{}/v1/undocumented", hub.url))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
}
