//! The EPCIS export of a whole demo shift validates against the published EPCIS 2.0.1 JSON schema,
//! and every event carries the bizStep, disposition and action of docs/design.md §6's table.
#![allow(clippy::unwrap_used)]

use dockhand_core::protocol::EventKind;
use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

/// The schema and examples vendored from the shared reference data, so a bare clone can run this.
fn vendored(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../core/data/epcis")
        .join(file)
}

/// The shared reference data, when this checkout sits next to it.
fn shared(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data/epcis")
        .join(path)
}

#[test]
fn the_vendored_schema_and_examples_are_the_shared_reference_copies() {
    for (vendored_name, shared_path) in [
        ("epcis-json-schema.json", "epcis-json-schema.json"),
        (
            "Example_9.6.1-ObjectEvent.jsonld",
            "examples/Example_9.6.1-ObjectEvent.jsonld",
        ),
        (
            "Example_9.6.3-AggregationEvent.jsonld",
            "examples/Example_9.6.3-AggregationEvent.jsonld",
        ),
    ] {
        let Ok(reference) = std::fs::read(shared(shared_path)) else {
            eprintln!("shared reference data not present; comparison of {vendored_name} skipped");
            continue;
        };
        assert_eq!(
            std::fs::read(vendored(vendored_name)).unwrap(),
            reference,
            "{vendored_name} differs from the shared reference copy"
        );
    }
}

fn validator() -> jsonschema::Validator {
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(vendored("epcis-json-schema.json")).unwrap())
            .unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

fn errors(validator: &jsonschema::Validator, document: &Value) -> Vec<String> {
    validator
        .iter_errors(document)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn the_validator_accepts_the_official_examples_and_catches_a_broken_document() {
    let validator = validator();
    for example in [
        "Example_9.6.1-ObjectEvent.jsonld",
        "Example_9.6.3-AggregationEvent.jsonld",
    ] {
        let doc: Value =
            serde_json::from_str(&std::fs::read_to_string(vendored(example)).unwrap()).unwrap();
        assert!(
            errors(&validator, &doc).is_empty(),
            "{example}: {:?}",
            errors(&validator, &doc)
        );
    }
    let broken = serde_json::json!({"type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "not a time",
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "epcisBody": {"eventList": []}});
    assert!(!errors(&validator, &broken).is_empty());
}

/// docs/design.md §6: (EPCIS type, action, bizStep, disposition) by dockhand event.
fn expected(
    event_type: &str,
    outcome: &str,
    pallet: bool,
    quarantined: bool,
) -> (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
) {
    match (EventKind::parse(event_type), outcome) {
        (Some(EventKind::LineReceived), _) if pallet => (
            "AggregationEvent",
            "OBSERVE",
            "receiving",
            Some("sellable_not_accessible"),
        ),
        (Some(EventKind::LineReceived), _) => (
            "ObjectEvent",
            "OBSERVE",
            "receiving",
            Some("sellable_not_accessible"),
        ),
        (Some(EventKind::PutawayConfirmed), _) if quarantined => (
            "ObjectEvent",
            "OBSERVE",
            "storing",
            Some("non_sellable_other"),
        ),
        (Some(EventKind::PutawayConfirmed), _) => (
            "ObjectEvent",
            "OBSERVE",
            "storing",
            Some("sellable_accessible"),
        ),
        (Some(EventKind::PickConfirmed), _) => ("ObjectEvent", "OBSERVE", "picking", None),
        (Some(EventKind::Counted | EventKind::CountAdjusted), _) => {
            ("ObjectEvent", "OBSERVE", "cycle_counting", None)
        }
        (Some(EventKind::ReturnReceived), _) => {
            ("ObjectEvent", "OBSERVE", "receiving", Some("returned"))
        }
        (Some(EventKind::ReturnInspected), "restock") => (
            "ObjectEvent",
            "OBSERVE",
            "inspecting",
            Some("sellable_not_accessible"),
        ),
        (Some(EventKind::ReturnInspected), "quarantine") => (
            "ObjectEvent",
            "OBSERVE",
            "holding",
            Some("non_sellable_other"),
        ),
        (Some(EventKind::ReturnInspected), "damaged") => {
            ("ObjectEvent", "OBSERVE", "inspecting", Some("damaged"))
        }
        (Some(EventKind::ReturnInspected), "scrap") => {
            ("ObjectEvent", "DELETE", "destroying", Some("destroyed"))
        }
        (Some(EventKind::ReturnInspected), "return_to_vendor") => {
            ("ObjectEvent", "DELETE", "destroying", Some("disposed"))
        }
        other => panic!("{other:?} should not be exported"),
    }
}

#[test]
fn a_whole_demo_shift_exports_a_valid_epcis_document_with_the_cbv_mapping() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shift.db");
    let bin = env!("CARGO_BIN_EXE_dockhand");
    assert!(
        Command::new(bin)
            .args(["demo", "--db"])
            .arg(&db)
            .output()
            .unwrap()
            .status
            .success()
    );
    let key_file = dir.path().join("shift.db.key");
    let key = std::fs::read_to_string(&key_file)
        .unwrap()
        .trim()
        .to_string();
    let out = Command::new(bin)
        .arg("export-epcis")
        .arg(&db)
        .arg("--key-file")
        .arg(&key_file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let document: Value = serde_json::from_slice(&out.stdout).unwrap();
    let problems = errors(&validator(), &document);
    assert!(
        problems.is_empty(),
        "{} schema errors:\n{}",
        problems.len(),
        problems.join("\n")
    );

    // Match each EPCIS event with its outbox event to check the mapping.
    let store = dockhand_core::Store::open_read_only(
        &db,
        Some(&key),
        std::sync::Arc::new(dockhand_core::SystemClock),
    )
    .unwrap();
    let outbox = store
        .read(|c| dockhand_core::outbox::events(c, 1, 1000))
        .unwrap();
    let events = document["epcisBody"]["eventList"].as_array().unwrap();
    let mut seen = std::collections::BTreeSet::new();
    for e in events {
        let id = e["eventID"]
            .as_str()
            .unwrap()
            .trim_start_matches("urn:uuid:");
        let source = outbox
            .iter()
            .find(|o| o.event_id.to_string() == id)
            .unwrap();
        let p = &source.payload;
        let pallet = !p["lpn"].as_str().unwrap_or_default().is_empty()
            && source.event_type == EventKind::LineReceived.as_str();
        let quarantined = p["status_after"] == "quarantined";
        let (kind, action, step, disposition) = expected(
            &source.event_type,
            p["outcome"].as_str().unwrap_or_default(),
            pallet,
            quarantined,
        );
        assert_eq!(e["type"], kind, "{}", source.event_type);
        assert_eq!(e["action"], action, "{}", source.event_type);
        assert_eq!(e["bizStep"], step, "{}", source.event_type);
        assert_eq!(
            e["disposition"].as_str(),
            disposition,
            "{}",
            source.event_type
        );
        assert_eq!(e["eventTimeZoneOffset"], "+01:00");
        seen.insert(source.event_type.clone());
        if source.event_type == EventKind::ReturnReceived.as_str() {
            assert_eq!(e["bizTransactionList"][0]["type"], "rma");
        }
        if source.event_type == EventKind::ReturnInspected.as_str() && p["outcome"] == "quarantine"
        {
            assert_eq!(e["persistentDisposition"]["set"][0], "non_sellable_other");
        }
    }
    for kind in [
        EventKind::LineReceived.as_str(),
        EventKind::PutawayConfirmed.as_str(),
        EventKind::PickConfirmed.as_str(),
        EventKind::Counted.as_str(),
        EventKind::CountAdjusted.as_str(),
        EventKind::ReturnReceived.as_str(),
        EventKind::ReturnInspected.as_str(),
    ] {
        assert!(seen.contains(kind), "no {kind} exported");
    }
    // The voided receipt is declared in error; serials are instances, lots are quantity classes.
    assert!(
        events
            .iter()
            .any(|e| e["errorDeclaration"]["reason"] == "incorrect_data")
    );
    assert!(
        events
            .iter()
            .any(|e| e["epcList"].as_array().is_some_and(|l| l
                .iter()
                .any(|x| x.as_str().unwrap().contains("/21/SN-0001"))))
    );
    assert!(events.iter().any(|e| {
        e["quantityList"][0]["epcClass"]
            .as_str()
            .is_some_and(|c| c.ends_with("/10/L2610Z"))
    }));
}
