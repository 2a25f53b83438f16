//! EPCIS 2.0: events as an EPCIS JSON-LD document, mapped to CBV 2.0 business steps and
//! dispositions (docs/design.md §6). One mapping serves a device's export of its outbox and the
//! hub's export of a site's events for a period.
//!
//! Identifiers are GS1 Digital Link URIs (`https://id.gs1.org/01/<gtin>/10/<lot>` for lot-based
//! quantities, `…/21/<serial>` for serialised units, `…/00/<sscc>` for pallets), which EPCIS 2.0
//! accepts alongside EPC URNs; locations, transactions and items without a GTIN use `urn:dockhand:`
//! URNs. Workflow bookkeeping events (task started, receipt closed…) observe nothing physical and
//! are not exported; a void is exported as the voided event declared in error.

use serde_json::{Map, Value, json};

use crate::envelope::Envelope;
use crate::error::ProtocolError;
use crate::events::{EventBody, InspectionOutcome, ReceiptKind, StockStatus};

/// What an export reads besides the events themselves: where the items' GTINs and a void's
/// original event are kept (a device's database, the hub's store).
pub trait EpcisSource {
    /// The source's error.
    type Error: From<ProtocolError>;
    /// The GTIN-14 of an item's base unit, when it has a GS1 barcode ([`crate::gs1::gtin14`]).
    fn gtin(&mut self, sku: &str) -> Result<Option<String>, Self::Error>;
    /// An event by its id (the original of a void), when the source holds it.
    fn event(&mut self, event_id: uuid::Uuid) -> Result<Option<Envelope>, Self::Error>;
}

/// How an event is exported: EPCIS event type, action, CBV business step and disposition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mapping {
    /// `ObjectEvent` or `AggregationEvent`.
    pub kind: &'static str,
    /// `OBSERVE` or `DELETE`.
    pub action: &'static str,
    /// CBV business step.
    pub biz_step: &'static str,
    /// CBV disposition, when the step sets one.
    pub disposition: Option<&'static str>,
}

const fn observe(
    kind: &'static str,
    biz_step: &'static str,
    disposition: Option<&'static str>,
) -> Mapping {
    Mapping {
        kind,
        action: "OBSERVE",
        biz_step,
        disposition,
    }
}

/// The CBV mapping of an event (docs/design.md §6), or `None` for bookkeeping events that observe
/// nothing physical. Every event type is named: a new one does not compile until it is mapped.
pub fn mapping(body: &EventBody) -> Option<Mapping> {
    Some(match body {
        EventBody::LineReceived(r) if !r.lpn.is_empty() => Mapping {
            kind: "AggregationEvent",
            ..observe("", "receiving", Some("sellable_not_accessible"))
        },
        EventBody::LineReceived(_) => {
            observe("ObjectEvent", "receiving", Some("sellable_not_accessible"))
        }
        EventBody::PutawayConfirmed(p) if p.status_after == StockStatus::Quarantined => {
            observe("ObjectEvent", "storing", Some("non_sellable_other"))
        }
        EventBody::PutawayConfirmed(_) => {
            observe("ObjectEvent", "storing", Some("sellable_accessible"))
        }
        EventBody::PickConfirmed(_) => observe("ObjectEvent", "picking", None),
        EventBody::Counted(_) | EventBody::CountAdjusted(_) => {
            observe("ObjectEvent", "cycle_counting", None)
        }
        EventBody::ReturnReceived(_) => observe("ObjectEvent", "receiving", Some("returned")),
        EventBody::ReturnInspected(i) => match i.outcome {
            InspectionOutcome::Restock => {
                observe("ObjectEvent", "inspecting", Some("sellable_not_accessible"))
            }
            InspectionOutcome::Quarantine => {
                observe("ObjectEvent", "holding", Some("non_sellable_other"))
            }
            InspectionOutcome::Damaged => observe("ObjectEvent", "inspecting", Some("damaged")),
            InspectionOutcome::Scrap => Mapping {
                action: "DELETE",
                ..observe("ObjectEvent", "destroying", Some("destroyed"))
            },
            InspectionOutcome::ReturnToVendor => Mapping {
                action: "DELETE",
                ..observe("ObjectEvent", "destroying", Some("disposed"))
            },
        },
        // Exported as the voided event declared in error (see `export`).
        EventBody::Voided(_) => return None,
        EventBody::BlindOpened(_)
        | EventBody::ReceiptDiscrepancy(_)
        | EventBody::ReceiptClosed(_)
        | EventBody::PickTaskStarted(_)
        | EventBody::PickShort(_)
        | EventBody::PickTaskCancelled(_)
        | EventBody::CountTaskCreated(_)
        | EventBody::CountStarted(_) => return None,
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

/// The EPC class (or instance) URI of goods.
fn goods_uri<S: EpcisSource>(
    source: &mut S,
    sku: &str,
    lot: &str,
    serial: &str,
) -> Result<String, S::Error> {
    Ok(match source.gtin(sku)? {
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

/// What the event observed: an instance for a serial, a quantity otherwise.
fn what<S: EpcisSource>(
    source: &mut S,
    sku: &str,
    lot: &str,
    serial: &str,
    quantity: i64,
) -> Result<(Vec<String>, Vec<Value>), S::Error> {
    if !serial.is_empty() {
        return Ok((vec![goods_uri(source, sku, lot, serial)?], Vec::new()));
    }
    Ok((
        Vec::new(),
        vec![json!({ "epcClass": goods_uri(source, sku, lot, "")?, "quantity": quantity })],
    ))
}

fn transaction(kind: &str, reference: &str) -> Value {
    json!({ "type": kind, "bizTransaction": format!("urn:dockhand:{kind}:{}", encode(reference)) })
}

fn lpn_uri(lpn: &str) -> String {
    if lpn.len() == 18 && lpn.bytes().all(|b| b.is_ascii_digit()) {
        format!("https://id.gs1.org/00/{lpn}")
    } else {
        format!("urn:dockhand:lpn:{}", encode(lpn))
    }
}

fn place(e: &mut Map<String, Value>, code: &str) {
    let place = location_uri(code);
    e.insert("readPoint".into(), json!({ "id": place }));
    e.insert("bizLocation".into(), json!({ "id": place }));
}

fn quarantined(e: &mut Map<String, Value>) {
    e.insert(
        "persistentDisposition".into(),
        json!({ "set": ["non_sellable_other"] }),
    );
}

/// One event as an EPCIS event, or `None` when it observes nothing physical.
fn epcis_event<S: EpcisSource>(
    source: &mut S,
    event: &Envelope,
) -> Result<Option<Value>, S::Error> {
    let body = event.body()?;
    let Some(m) = mapping(&body) else {
        return Ok(None);
    };
    let mut e = Map::new();
    e.insert("type".into(), json!(m.kind));
    e.insert(
        "eventID".into(),
        json!(format!("urn:uuid:{}", event.event_id)),
    );
    e.insert("eventTime".into(), json!(event.occurred_at));
    e.insert("eventTimeZoneOffset".into(), json!(event.tz_offset));
    e.insert("action".into(), json!(m.action));
    e.insert("bizStep".into(), json!(m.biz_step));
    if let Some(d) = m.disposition {
        e.insert("disposition".into(), json!(d));
    }
    let mut transactions = Vec::new();
    match &body {
        EventBody::LineReceived(r) => {
            place(&mut e, &r.location);
            if !r.reference.is_empty() {
                transactions.push(transaction("po", &r.reference));
            }
            if r.receipt_kind == ReceiptKind::Expected {
                transactions.push(transaction("desadv", &r.receipt_id));
            }
            let (epcs, quantities) = what(source, &r.sku, &r.lot, &r.serial, r.base_quantity)?;
            if m.kind == "AggregationEvent" {
                e.insert("parentID".into(), json!(lpn_uri(&r.lpn)));
                if !epcs.is_empty() {
                    e.insert("childEPCs".into(), json!(epcs));
                }
                if !quantities.is_empty() {
                    e.insert("childQuantityList".into(), json!(quantities));
                }
            } else {
                insert_what(&mut e, epcs, quantities);
            }
            if r.status == StockStatus::Quarantined {
                quarantined(&mut e);
            }
        }
        EventBody::PutawayConfirmed(p) => {
            place(&mut e, &p.to);
            let (epcs, quantities) = what(source, &p.sku, &p.lot, &p.serial, p.base_quantity)?;
            insert_what(&mut e, epcs, quantities);
            if p.status_after == StockStatus::Quarantined {
                quarantined(&mut e);
            }
        }
        EventBody::PickConfirmed(p) => {
            place(&mut e, &p.to);
            let (epcs, quantities) = what(source, &p.sku, &p.lot, &p.serial, p.base_quantity)?;
            insert_what(&mut e, epcs, quantities);
            transactions.push(transaction("po", &p.order_ref));
        }
        EventBody::CountAdjusted(a) => {
            place(&mut e, &a.location);
            let (epcs, quantities) = what(source, &a.sku, &a.lot, "", a.counted)?;
            insert_what(&mut e, epcs, quantities);
        }
        EventBody::Counted(c) => {
            let mut quantities = Vec::new();
            for line in &c.lines {
                let (_, q) = what(source, &line.sku, &line.lot, "", line.counted)?;
                quantities.extend(q);
            }
            insert_what(&mut e, Vec::new(), quantities);
            if let Some(first) = c.lines.first() {
                place(&mut e, &first.location);
            }
        }
        EventBody::ReturnReceived(r) => {
            place(&mut e, &r.location);
            transactions.push(transaction("rma", &r.return_id));
            let mut epcs = Vec::new();
            let mut quantities = Vec::new();
            for line in &r.lines {
                let (es, qs) = what(source, &line.sku, &line.lot, &line.serial, line.quantity)?;
                epcs.extend(es);
                quantities.extend(qs);
            }
            insert_what(&mut e, epcs, quantities);
        }
        EventBody::ReturnInspected(i) => {
            place(&mut e, &i.location);
            transactions.push(transaction("rma", &i.return_id));
            let (epcs, quantities) = what(source, &i.sku, &i.lot, &i.serial, i.base_quantity)?;
            insert_what(&mut e, epcs, quantities);
            if i.outcome == InspectionOutcome::Quarantine {
                quarantined(&mut e);
            }
        }
        // `mapping` returned None for these.
        EventBody::Voided(_)
        | EventBody::BlindOpened(_)
        | EventBody::ReceiptDiscrepancy(_)
        | EventBody::ReceiptClosed(_)
        | EventBody::PickTaskStarted(_)
        | EventBody::PickShort(_)
        | EventBody::PickTaskCancelled(_)
        | EventBody::CountTaskCreated(_)
        | EventBody::CountStarted(_) => return Ok(None),
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

/// The EPCIS 2.0 document of `events` (in order), sent by `sender` and made at `created`.
pub fn document<S: EpcisSource>(
    source: &mut S,
    events: &[Envelope],
    sender: &str,
    created: &str,
) -> Result<Value, S::Error> {
    let mut list = Vec::new();
    for event in events {
        if let Some(e) = epcis_event(source, event)? {
            list.push(e);
        }
        if let EventBody::Voided(void) = event.body()? {
            // The voided event, declared in error by the correction.
            if let Some(original) = source.event(void.voided_event_id)?
                && let Some(Value::Object(mut e)) = epcis_event(source, &original)?
            {
                e.insert(
                    "errorDeclaration".into(),
                    json!({ "declarationTime": event.occurred_at, "reason": "incorrect_data" }),
                );
                list.push(Value::Object(e));
            }
        }
    }
    Ok(json!({
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": created,
        "sender": sender,
        "epcisBody": { "eventList": list },
    }))
}
