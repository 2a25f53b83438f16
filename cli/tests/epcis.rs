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
    damaged: bool,
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
        (Some(EventKind::MoveConfirmed), "from_plate") => {
            ("AggregationEvent", "DELETE", "unpacking", None)
        }
        (Some(EventKind::MoveConfirmed), _) => (
            "ObjectEvent",
            "OBSERVE",
            "storing",
            Some(if damaged {
                "damaged"
            } else if quarantined {
                "non_sellable_other"
            } else {
                "sellable_accessible"
            }),
        ),
        (Some(EventKind::PickConfirmed), _) => ("ObjectEvent", "OBSERVE", "picking", None),
        (Some(EventKind::Counted | EventKind::CountAdjusted), _) => {
            ("ObjectEvent", "OBSERVE", "cycle_counting", None)
        }
        (Some(EventKind::ReturnReceived), _) => {
            ("ObjectEvent", "OBSERVE", "receiving", Some("returned"))
        }
        (Some(EventKind::StockReleased), "restock") => (
            "ObjectEvent",
            "OBSERVE",
            "inspecting",
            Some("sellable_accessible"),
        ),
        (Some(EventKind::StockReleased), "quarantine") => (
            "ObjectEvent",
            "OBSERVE",
            "holding",
            Some("non_sellable_other"),
        ),
        (Some(EventKind::StockReleased), "damaged") => {
            ("ObjectEvent", "OBSERVE", "inspecting", Some("damaged"))
        }
        (Some(EventKind::StockReleased), "scrap") => {
            ("ObjectEvent", "DELETE", "destroying", Some("destroyed"))
        }
        (Some(EventKind::StockReleased), "return_to_vendor") => {
            ("ObjectEvent", "OBSERVE", "shipping", Some("returned"))
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
            ("ObjectEvent", "OBSERVE", "shipping", Some("returned"))
        }
        (Some(EventKind::UnitBuilt), _) => ("ObjectEvent", "ADD", "commissioning", Some("active")),
        (Some(EventKind::Packed), _) => ("AggregationEvent", "ADD", "packing", Some("in_progress")),
        (Some(EventKind::Unpacked), _) => ("AggregationEvent", "DELETE", "unpacking", None),
        (Some(EventKind::Loaded), _) => ("ObjectEvent", "OBSERVE", "loading", Some("in_progress")),
        (Some(EventKind::Shipped), _) => ("ObjectEvent", "OBSERVE", "shipping", Some("in_transit")),
        other => panic!("{other:?} should not be exported"),
    }
}

/// Every EPCIS event of `events` matches its outbox event and carries the mapping of `expected`;
/// returns the event types seen.
fn assert_mapped(
    events: &[Value],
    outbox: &[dockhand_core::outbox::Event],
) -> std::collections::BTreeSet<String> {
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
        let line_is = |status: &str| {
            p["lines"]
                .as_array()
                .is_some_and(|l| l.iter().any(|line| line["status"] == status))
        };
        let quarantined = p["status_after"] == "quarantined" || line_is("quarantined");
        let damaged = line_is("damaged");
        let (kind, action, step, disposition) = expected(
            &source.event_type,
            p["outcome"]
                .as_str()
                .or(p["move_kind"].as_str())
                .unwrap_or_default(),
            pallet,
            quarantined,
            damaged,
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
        assert_eq!(
            e["eventTimeZoneOffset"], source.tz_offset,
            "{}",
            source.event_type
        );
        seen.insert(source.event_type.clone());
        if source.event_type == EventKind::ReturnReceived.as_str() {
            assert_eq!(e["bizTransactionList"][0]["type"], "rma");
        }
        if source.event_type == EventKind::ReturnInspected.as_str() && p["outcome"] == "quarantine"
        {
            assert_eq!(e["persistentDisposition"]["set"][0], "non_sellable_other");
        }
    }
    seen
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
    let seen = assert_mapped(events, &outbox);
    assert!(events.iter().all(|e| e["eventTimeZoneOffset"] == "+01:00"));
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

/// A device's moves and releases, exported: loose goods, a whole plate and part of one,
/// quarantined goods moved between quarantine places, and held goods restocked, scrapped and sent
/// back to the vendor, each validated and mapped as docs/design.md §6 says.
#[test]
fn internal_moves_and_releases_export_with_the_plate_as_parent_when_goods_come_off_it() {
    use dockhand_core::moves::{self, ConfirmMove};
    use dockhand_core::putaway::{self, ConfirmPutaway};
    use dockhand_core::quality::{self, InspectionOutcome, ReleaseStock};
    use dockhand_core::receiving::{self, ReceiveLine};
    use dockhand_core::{ScannedGoods, Store, StoreOptions, catalog, sample};

    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_with(
        dir.path().join("device.db"),
        StoreOptions::new("handheld-07").with_policy(dockhand_core::Policy {
            sign_in_required: false,
            ..Default::default()
        }),
    )
    .unwrap();
    let mut data = sample::warehouse();
    let mut qa2 = data
        .locations
        .iter()
        .find(|l| l.code == "QA-01")
        .unwrap()
        .clone();
    qa2.code = "QA-02".into();
    qa2.check_string = "92".into();
    data.locations.push(qa2);
    data.credentials = sample::credentials().unwrap();
    catalog::upsert_master_data(&store, &data).unwrap();
    receiving::load_expected_receipts(&store, &[sample::asn()]).unwrap();
    let milk = ScannedGoods::barcode(sample::MILK_CS)
        .with_lot("L2611A")
        .with_expiry(chrono::NaiveDate::from_ymd_opt(2027, 3, 1).unwrap());
    let vitamins = ScannedGoods::barcode(sample::VITAMINS_EA)
        .with_lot("V-9")
        .with_expiry(chrono::NaiveDate::from_ymd_opt(2027, 6, 30).unwrap());
    let id = uuid::Uuid::now_v7;
    for (scan, quantity, lpn) in [
        (milk.clone(), 4, Some(sample::MILK_PALLET)),
        (ScannedGoods::barcode(sample::TOWELS_CS), 4, None),
        (vitamins.clone(), 12, None),
    ] {
        let cmd = ReceiveLine {
            op_id: id(),
            operator: "alice".into(),
            receipt_id: sample::ASN.into(),
            dock: "DOCK-01".into(),
            scan,
            quantity,
            lpn: lpn.map(str::to_string),
            approval: None,
        };
        receiving::receive_line(&store, &cmd).unwrap();
    }
    for (scan, quantity, lpn, to, check, why) in [
        (
            milk.clone(),
            4,
            Some(sample::MILK_PALLET),
            "C-01-01",
            "61",
            None,
        ),
        (
            ScannedGoods::barcode(sample::TOWELS_CS),
            4,
            None,
            "A-01-03",
            "43",
            Some("slotting"),
        ),
        (vitamins.clone(), 12, None, "QA-01", "91", None),
    ] {
        let cmd = ConfirmPutaway {
            op_id: id(),
            operator: "bob".into(),
            from: "DOCK-01".into(),
            scan,
            lpn: lpn.map(str::to_string),
            quantity,
            to: to.into(),
            location_scan: check.into(),
            override_reason: why.map(str::to_string),
        };
        putaway::confirm_putaway(&store, &cmd).unwrap();
    }
    let mv = |from: (&str, &str),
              scan: Option<ScannedGoods>,
              lpn: Option<&str>,
              quantity,
              to: (&str, &str)| {
        ConfirmMove {
            op_id: id(),
            operator: "bob".into(),
            from: from.0.into(),
            from_scan: from.1.into(),
            scan,
            lpn: lpn.map(str::to_string),
            quantity,
            to: to.0.into(),
            to_scan: to.1.into(),
            reason: None,
            task_id: None,
        }
    };
    let label = format!("]C100{}", sample::MILK_PALLET);
    let mut moved = Vec::new();
    for cmd in [
        mv(
            ("C-01-01", "61"),
            Some(milk),
            Some(sample::MILK_PALLET),
            1,
            ("P-01-01", "71"),
        ),
        mv(("C-01-01", "61"), None, Some(&label), 0, ("C-01-02", "62")),
        mv(
            ("A-01-03", "43"),
            Some(ScannedGoods::barcode(sample::TOWELS_EA)),
            None,
            10,
            ("A-01-04", "44"),
        ),
        mv(
            ("QA-01", "91"),
            Some(vitamins.clone()),
            None,
            5,
            ("QA-02", "92"),
        ),
    ] {
        moved.push(moves::confirm_move(&store, &cmd).unwrap().event_id);
    }
    // A supervisor's decisions on the vitamins still held at QA-01.
    let mut released = Vec::new();
    for (outcome, to) in [
        (InspectionOutcome::Restock, Some(("A-01-01", "41"))),
        (InspectionOutcome::Scrap, None),
        (InspectionOutcome::ReturnToVendor, None),
    ] {
        let cmd = ReleaseStock {
            op_id: id(),
            operator: "bob".into(),
            location: "QA-01".into(),
            location_scan: "91".into(),
            scan: vitamins.clone(),
            lpn: None,
            quantity: 2,
            outcome,
            to: to.map(|t: (&str, &str)| t.0.to_string()),
            to_scan: to.map(|t: (&str, &str)| t.1.to_string()),
            reason_code: "decided".into(),
            note: None,
            approval: sample::badge_of("sam"),
            held: None,
        };
        released.push(quality::release_stock(&store, &cmd).unwrap().event_id);
    }

    let (document, outbox) = store
        .read(|c| {
            let document = dockhand_core::epcis::export(c, 1, 1000, "2026-11-27T12:00:00Z")?;
            Ok((document, dockhand_core::outbox::events(c, 1, 1000)?))
        })
        .unwrap();
    let problems = errors(&validator(), &document);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let events = document["epcisBody"]["eventList"].as_array().unwrap();
    let seen = assert_mapped(events, &outbox);
    assert!(seen.contains(EventKind::MoveConfirmed.as_str()));
    assert!(seen.contains(EventKind::StockReleased.as_str()));
    let moved: Vec<&Value> = moved
        .iter()
        .map(|id| {
            let uri = format!("urn:uuid:{id}");
            events
                .iter()
                .find(|e| e["eventID"] == uri.as_str())
                .unwrap()
        })
        .collect();
    // Off the plate: the pallet's SSCC is the parent, a case of milk the child, at the pick face.
    assert_eq!(
        moved[0]["parentID"],
        format!("https://id.gs1.org/00/{}", sample::MILK_PALLET)
    );
    assert_eq!(moved[0]["childQuantityList"][0]["quantity"], 12);
    assert_eq!(moved[0]["bizLocation"]["id"], "urn:dockhand:loc:P-01-01");
    // The plate moved whole is observed by its SSCC alone.
    assert_eq!(
        moved[1]["epcList"],
        serde_json::json!([format!("https://id.gs1.org/00/{}", sample::MILK_PALLET)])
    );
    assert_eq!(moved[2]["quantityList"][0]["quantity"], 10);
    assert_eq!(moved[3]["disposition"], "non_sellable_other");
    assert_eq!(
        moved[3]["persistentDisposition"]["set"][0],
        "non_sellable_other"
    );
}
