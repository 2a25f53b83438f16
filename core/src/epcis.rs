//! EPCIS 2.0 export: the device's outbox events as an EPCIS JSON-LD document, mapped to CBV 2.0
//! business steps and dispositions by the table of docs/design.md §6.
//!
//! Identifiers are GS1 Digital Link URIs (`https://id.gs1.org/01/<gtin>/10/<lot>` for lot-based
//! quantities, `…/21/<serial>` for serialised units, `…/00/<sscc>` for pallets), which EPCIS 2.0
//! accepts alongside EPC URNs; locations, transactions and items without a GTIN use `urn:dockhand:`
//! URNs. Workflow bookkeeping events (task started, receipt closed…) observe nothing physical and
//! are not exported; a void is exported as the voided event declared in error.

use rusqlite::{Connection, OptionalExtension};
use serde_json::{Map, Value, json};

use crate::error::Result;
use crate::outbox::{self, Event};

/// The CBV mapping of one exported event type: (EPCIS type, action, bizStep, disposition).
pub fn mapping(
    event: &Event,
) -> Option<(
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
)> {
    let p = &event.payload;
    let quarantined = p["status"] == "quarantined" || p["status_after"] == "quarantined";
    Some(match event.event_type.as_str() {
        "receiving.line_received" if !p["lpn"].as_str().unwrap_or_default().is_empty() => (
            "AggregationEvent",
            "OBSERVE",
            "receiving",
            Some("sellable_not_accessible"),
        ),
        "receiving.line_received" => (
            "ObjectEvent",
            "OBSERVE",
            "receiving",
            Some("sellable_not_accessible"),
        ),
        "putaway.confirmed" if quarantined => (
            "ObjectEvent",
            "OBSERVE",
            "storing",
            Some("non_sellable_other"),
        ),
        "putaway.confirmed" => (
            "ObjectEvent",
            "OBSERVE",
            "storing",
            Some("sellable_accessible"),
        ),
        "picking.confirmed" => ("ObjectEvent", "OBSERVE", "picking", None),
        "counting.counted" | "counting.adjusted" => {
            ("ObjectEvent", "OBSERVE", "cycle_counting", None)
        }
        "returns.received" => ("ObjectEvent", "OBSERVE", "receiving", Some("returned")),
        "returns.inspected" => match p["outcome"].as_str().unwrap_or_default() {
            "restock" => (
                "ObjectEvent",
                "OBSERVE",
                "inspecting",
                Some("sellable_not_accessible"),
            ),
            "quarantine" => (
                "ObjectEvent",
                "OBSERVE",
                "holding",
                Some("non_sellable_other"),
            ),
            "damaged" => ("ObjectEvent", "OBSERVE", "inspecting", Some("damaged")),
            "scrap" => ("ObjectEvent", "DELETE", "destroying", Some("destroyed")),
            _ => ("ObjectEvent", "DELETE", "destroying", Some("disposed")),
        },
        _ => return None,
    })
}

/// A URI-safe form of free text (references, codes).
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn location_uri(code: &str) -> String {
    format!("urn:dockhand:loc:{}", encode(code))
}

/// The GTIN-14 of an item's base-unit barcode, when it has a numeric GS1 one.
fn gtin_of(conn: &Connection, sku: &str) -> Result<Option<String>> {
    let codes: Vec<String> = conn
        .prepare_cached(
            "SELECT b.code FROM barcodes b JOIN items i ON i.id = b.item_id
             WHERE i.sku = ?1 AND b.unit = i.base_unit ORDER BY length(b.code) DESC, b.code",
        )?
        .query_map([sku], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(codes
        .into_iter()
        .find_map(|code| crate::gs1::parse_gtin(&code).ok()))
}

/// The EPC class (or instance) URI of goods.
fn goods_uri(conn: &Connection, sku: &str, lot: &str, serial: &str) -> Result<String> {
    Ok(match gtin_of(conn, sku)? {
        Some(gtin) if !serial.is_empty() => {
            format!("https://id.gs1.org/01/{gtin}/21/{}", encode(serial))
        }
        Some(gtin) if !lot.is_empty() => format!("https://id.gs1.org/01/{gtin}/10/{}", encode(lot)),
        Some(gtin) => format!("https://id.gs1.org/01/{gtin}"),
        None => format!(
            "urn:dockhand:item:{}:{}:{}",
            encode(sku),
            encode(lot),
            encode(serial)
        ),
    })
}

/// What the event observed: instances for serials, quantities otherwise.
fn what(conn: &Connection, p: &Value, quantity_key: &str) -> Result<(Vec<String>, Vec<Value>)> {
    let sku = p["sku"].as_str().unwrap_or_default();
    let lot = p["lot"].as_str().unwrap_or_default();
    let serial = p["serial"].as_str().unwrap_or_default();
    let quantity = p[quantity_key].as_i64().unwrap_or_default();
    if !serial.is_empty() {
        return Ok((vec![goods_uri(conn, sku, lot, serial)?], Vec::new()));
    }
    Ok((
        Vec::new(),
        vec![json!({ "epcClass": goods_uri(conn, sku, lot, "")?, "quantity": quantity })],
    ))
}

fn transaction(kind: &str, reference: &str) -> Value {
    json!({ "type": kind, "bizTransaction": format!("urn:dockhand:{kind}:{}", encode(reference)) })
}

/// One outbox event as an EPCIS event, or `None` when it observes nothing physical.
fn epcis_event(conn: &Connection, event: &Event) -> Result<Option<Value>> {
    let Some((kind, action, step, disposition)) = mapping(event) else {
        return Ok(None);
    };
    let p = &event.payload;
    let mut e = Map::new();
    e.insert("type".into(), json!(kind));
    e.insert(
        "eventID".into(),
        json!(format!("urn:uuid:{}", event.event_id)),
    );
    e.insert("eventTime".into(), json!(event.occurred_at));
    e.insert("eventTimeZoneOffset".into(), json!(event.tz_offset));
    e.insert("action".into(), json!(action));
    e.insert("bizStep".into(), json!(step));
    if let Some(d) = disposition {
        e.insert("disposition".into(), json!(d));
    }
    let place = ["location", "to", "from"]
        .iter()
        .find_map(|k| p[*k].as_str())
        .map(location_uri);
    if let Some(place) = &place {
        e.insert("readPoint".into(), json!({ "id": place }));
        e.insert("bizLocation".into(), json!({ "id": place }));
    }
    let mut transactions = Vec::new();
    match event.event_type.as_str() {
        "receiving.line_received" => {
            if let Some(reference) = p["reference"].as_str().filter(|r| !r.is_empty()) {
                transactions.push(transaction("po", reference));
            }
            if p["receipt_kind"] == "expected" {
                transactions.push(transaction(
                    "desadv",
                    p["receipt_id"].as_str().unwrap_or_default(),
                ));
            }
            let (epcs, quantities) = what(conn, p, "base_quantity")?;
            let lpn = p["lpn"].as_str().unwrap_or_default();
            if kind == "AggregationEvent" {
                e.insert(
                    "parentID".into(),
                    json!(
                        if lpn.len() == 18 && lpn.bytes().all(|b| b.is_ascii_digit()) {
                            format!("https://id.gs1.org/00/{lpn}")
                        } else {
                            format!("urn:dockhand:lpn:{}", encode(lpn))
                        }
                    ),
                );
                if !epcs.is_empty() {
                    e.insert("childEPCs".into(), json!(epcs));
                }
                if !quantities.is_empty() {
                    e.insert("childQuantityList".into(), json!(quantities));
                }
            } else {
                insert_what(&mut e, epcs, quantities);
            }
            if p["status"] == "quarantined" {
                e.insert(
                    "persistentDisposition".into(),
                    json!({ "set": ["non_sellable_other"] }),
                );
            }
        }
        "putaway.confirmed" | "picking.confirmed" => {
            let (epcs, quantities) = what(conn, p, "base_quantity")?;
            insert_what(&mut e, epcs, quantities);
            if event.event_type == "picking.confirmed" {
                transactions.push(transaction(
                    "po",
                    p["order_ref"].as_str().unwrap_or_default(),
                ));
            }
            if p["status_after"] == "quarantined" {
                e.insert(
                    "persistentDisposition".into(),
                    json!({ "set": ["non_sellable_other"] }),
                );
            }
        }
        "counting.adjusted" => {
            let (epcs, quantities) = what(conn, p, "counted")?;
            insert_what(&mut e, epcs, quantities);
        }
        "counting.counted" => {
            let mut quantities = Vec::new();
            for line in p["lines"].as_array().into_iter().flatten() {
                let (_, q) = what(conn, line, "counted")?;
                quantities.extend(q);
            }
            insert_what(&mut e, Vec::new(), quantities);
            if let Some(first) = p["lines"][0]["location"].as_str() {
                let place = location_uri(first);
                e.insert("readPoint".into(), json!({ "id": place }));
                e.insert("bizLocation".into(), json!({ "id": place }));
            }
        }
        "returns.received" => {
            transactions.push(transaction(
                "rma",
                p["return_id"].as_str().unwrap_or_default(),
            ));
            let mut epcs = Vec::new();
            let mut quantities = Vec::new();
            for line in p["lines"].as_array().into_iter().flatten() {
                let (es, qs) = what(conn, line, "quantity")?;
                epcs.extend(es);
                quantities.extend(qs);
            }
            insert_what(&mut e, epcs, quantities);
        }
        "returns.inspected" => {
            transactions.push(transaction(
                "rma",
                p["return_id"].as_str().unwrap_or_default(),
            ));
            let (epcs, quantities) = what(conn, p, "base_quantity")?;
            insert_what(&mut e, epcs, quantities);
            if p["outcome"] == "quarantine" {
                e.insert(
                    "persistentDisposition".into(),
                    json!({ "set": ["non_sellable_other"] }),
                );
            }
        }
        _ => {}
    }
    if !transactions.is_empty() {
        e.insert("bizTransactionList".into(), json!(transactions));
    }
    Ok(Some(Value::Object(e)))
}

fn insert_what(e: &mut Map<String, Value>, epcs: Vec<String>, quantities: Vec<Value>) {
    // EPCIS needs at least one of the two; an empty epcList stands for "nothing counted".
    if !epcs.is_empty() || quantities.is_empty() {
        e.insert("epcList".into(), json!(epcs));
    }
    if !quantities.is_empty() {
        e.insert("quantityList".into(), json!(quantities));
    }
}

/// The EPCIS 2.0 document of outbox events `from_seq..=to_seq`.
pub fn export(conn: &Connection, from_seq: i64, to_seq: i64, created: &str) -> Result<Value> {
    let count = usize::try_from((to_seq - from_seq + 1).max(0)).unwrap_or(0);
    let events = outbox::events(conn, from_seq, count)?;
    let mut list = Vec::new();
    for event in &events {
        if let Some(e) = epcis_event(conn, event)? {
            list.push(e);
        }
        if event.event_type == "correction.voided" {
            // The voided event, declared in error by the correction.
            let voided_id = event.payload["voided_event_id"]
                .as_str()
                .unwrap_or_default();
            let original: Option<Event> = uuid::Uuid::parse_str(voided_id)
                .ok()
                .map(|id| outbox::event_by_id(conn, id))
                .transpose()
                .ok()
                .flatten();
            if let Some(original) = original
                && let Some(Value::Object(mut e)) = epcis_event(conn, &original)?
            {
                e.insert(
                    "errorDeclaration".into(),
                    json!({ "declarationTime": event.occurred_at, "reason": "incorrect_data" }),
                );
                list.push(Value::Object(e));
            }
        }
    }
    let device: Option<String> = conn
        .query_row("SELECT device_id FROM device", [], |r| r.get(0))
        .optional()?;
    Ok(json!({
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": created,
        "sender": device.unwrap_or_default(),
        "epcisBody": { "eventList": list },
    }))
}
