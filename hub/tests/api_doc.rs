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

/// The lines of one schema of `components/schemas` in docs/sync-api.yaml.
fn schema_text(doc: &str, name: &str) -> String {
    let header = format!("    {name}:");
    let mut lines = doc.lines().skip_while(|l| *l != header);
    let mut out = String::new();
    if lines.next().is_none() {
        return out;
    }
    for line in lines.take_while(|l| l.starts_with("     ") || l.is_empty()) {
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Every field a row of each import kind has on the wire is documented in its schema, so an
/// import file can be written from docs/sync-api.yaml alone.
#[test]
fn every_import_kind_s_fields_are_in_its_schema() {
    use dockhand_core::protocol::master::*;
    let doc = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/sync-api.yaml"),
    )
    .unwrap();
    let master = dockhand_core::sample::warehouse();
    let receipt = ExpectedReceipt {
        receipt_id: "R".into(),
        reference: "PO".into(),
        supplier: "S".into(),
        lines: vec![ExpectedLine {
            line_no: 1,
            sku: "X".into(),
            quantity: 1,
            unit: None,
            lot: None,
            sscc: None,
        }],
    };
    let pick = PickTaskRequest {
        task_id: "T".into(),
        order_ref: "O".into(),
        staging: "S".into(),
        ship_by: None,
        lines: vec![PickLineRequest {
            line_no: 1,
            sku: "X".into(),
            quantity: 1,
            unit: None,
            lot: None,
        }],
    };
    let count = CountTaskRequest {
        task_id: "C".into(),
        location: None,
        sku: None,
        reason: String::new(),
    };
    let rma = ExpectedReturn {
        return_id: "RMA".into(),
        reference: "SO".into(),
        customer: "C".into(),
        lines: vec![ExpectedReturnLine {
            line_no: 1,
            sku: "X".into(),
            quantity: 1,
            lot: None,
            serial: None,
        }],
    };
    let rows: Vec<(&str, serde_json::Value)> = vec![
        ("Item", serde_json::to_value(&master.items[0]).unwrap()),
        (
            "UnitConversion",
            serde_json::to_value(&master.units[0]).unwrap(),
        ),
        (
            "Barcode",
            serde_json::to_value(&master.barcodes[0]).unwrap(),
        ),
        (
            "Location",
            serde_json::to_value(&master.locations[0]).unwrap(),
        ),
        (
            "Operator",
            serde_json::to_value(&master.operators[0]).unwrap(),
        ),
        ("ExpectedReceipt", serde_json::to_value(&receipt).unwrap()),
        ("PickTask", serde_json::to_value(&pick).unwrap()),
        ("CountTask", serde_json::to_value(&count).unwrap()),
        ("ExpectedReturn", serde_json::to_value(&rma).unwrap()),
    ];
    let mut missing = Vec::new();
    for (schema, row) in rows {
        let text = schema_text(&doc, schema);
        assert!(!text.is_empty(), "no schema {schema} in docs/sync-api.yaml");
        let mut keys: Vec<String> = row.as_object().unwrap().keys().cloned().collect();
        if let Some(lines) = row.get("lines").and_then(|l| l.get(0)) {
            keys.extend(lines.as_object().unwrap().keys().cloned());
        }
        for key in keys {
            if !text.contains(&format!(" {key}:")) {
                missing.push(format!("{schema}.{key}"));
            }
        }
    }
    assert!(missing.is_empty(), "undocumented fields: {missing:?}");
}
