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
use crate::events::{
    EventBody, InspectionOutcome, MoveConfirmed, MoveKind, ReceiptKind, StockStatus,
};

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
    /// `ADD`, `OBSERVE` or `DELETE`.
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
        // Off a plate: the plate is broken down (DELETE of those children), observed where the
        // goods went.
        EventBody::MoveConfirmed(m) if m.move_kind == MoveKind::FromPlate => Mapping {
            kind: "AggregationEvent",
            action: "DELETE",
            ..observe("", "unpacking", None)
        },
        EventBody::MoveConfirmed(m) => {
            observe("ObjectEvent", "storing", Some(moved_disposition(m)))
        }
        EventBody::PickConfirmed(_) => observe("ObjectEvent", "picking", None),
        EventBody::Counted(_) | EventBody::CountAdjusted(_) => {
            observe("ObjectEvent", "cycle_counting", None)
        }
        EventBody::ReturnReceived(_) => observe("ObjectEvent", "receiving", Some("returned")),
        // Inspected on the returns bench: restocked goods are sellable once put away.
        EventBody::ReturnInspected(i) => decided(i.outcome, "sellable_not_accessible"),
        // Released from quarantine straight into storage or a pick face.
        EventBody::StockReleased(r) => decided(r.outcome, "sellable_accessible"),
        // A new SSCC put to use on a carton or pallet.
        EventBody::UnitBuilt(_) => Mapping {
            action: "ADD",
            ..observe("ObjectEvent", "commissioning", Some("active"))
        },
        // Goods (or a carton) into a unit whose SSCC is the parent.
        EventBody::Packed(_) => Mapping {
            action: "ADD",
            ..observe("AggregationEvent", "packing", Some("in_progress"))
        },
        EventBody::Unpacked(_) => Mapping {
            action: "DELETE",
            ..observe("AggregationEvent", "unpacking", None)
        },
        // Into the truck at the door: still ours until it departs.
        EventBody::Loaded(_) => observe("ObjectEvent", "loading", Some("in_progress")),
        // Departed: in transit to the customer, no longer at any business location of ours.
        EventBody::Shipped(_) => observe("ObjectEvent", "shipping", Some("in_transit")),
        // Exported as the voided event declared in error (see `export`).
        EventBody::Voided(_) => return None,
        // A task: nothing moved yet (the move that works it is a `move.confirmed`).
        EventBody::ReplenishmentRaised(_)
        | EventBody::BlindOpened(_)
        | EventBody::ReceiptDiscrepancy(_)
        | EventBody::ReceiptClosed(_)
        | EventBody::PickTaskStarted(_)
        | EventBody::PickShort(_)
        | EventBody::PickTaskCancelled(_)
        | EventBody::CountTaskCreated(_)
        | EventBody::CountStarted(_) => return None,
    })
}

/// A decision on inspected or held goods; `restocked` is the disposition of goods made available.
fn decided(outcome: InspectionOutcome, restocked: &'static str) -> Mapping {
    match outcome {
        InspectionOutcome::Restock => observe("ObjectEvent", "inspecting", Some(restocked)),
        InspectionOutcome::Quarantine => {
            observe("ObjectEvent", "holding", Some("non_sellable_other"))
        }
        InspectionOutcome::Damaged => observe("ObjectEvent", "inspecting", Some("damaged")),
        InspectionOutcome::Scrap => Mapping {
            action: "DELETE",
            ..observe("ObjectEvent", "destroying", Some("destroyed"))
        },
        // Sent back to the supplier: shipped (CBV's `returned`), not destroyed.
        InspectionOutcome::ReturnToVendor => observe("ObjectEvent", "shipping", Some("returned")),
    }
}

/// The CBV disposition of moved goods: that of the least usable line (a plate may carry
/// quarantined goods beside available ones).
fn moved_disposition(m: &MoveConfirmed) -> &'static str {
    let has = |status| m.lines.iter().any(|l| l.status == status);
    if has(StockStatus::Damaged) {
        "damaged"
    } else if has(StockStatus::Quarantined) {
        "non_sellable_other"
    } else {
        "sellable_accessible"
    }
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

/// Goods shipped away are observed where they left, and are no longer at any business location
/// of ours (CBV: shipping without a bizLocation).
fn shipped_away(e: &mut Map<String, Value>) {
    e.remove("bizLocation");
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
                insert_children(&mut e, &r.lpn, epcs, quantities);
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
        EventBody::MoveConfirmed(mv) => {
            place(&mut e, &mv.to);
            let mut epcs = Vec::new();
            let mut quantities = Vec::new();
            if mv.move_kind == MoveKind::WholePlate {
                // The plate stands for what is on it (aggregated when it was built).
                epcs.push(lpn_uri(&mv.lpn));
            } else {
                (epcs, quantities) = lines_what(source, &mv.lines)?;
            }
            if m.kind == "AggregationEvent" {
                insert_children(&mut e, &mv.lpn, epcs, quantities);
            } else {
                insert_what(&mut e, epcs, quantities);
            }
            if mv
                .lines
                .iter()
                .any(|l| l.status == StockStatus::Quarantined)
            {
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
            if i.outcome == InspectionOutcome::ReturnToVendor {
                shipped_away(&mut e);
            }
        }
        EventBody::StockReleased(r) => {
            // Where the goods went, or where they were when they left inventory.
            place(&mut e, r.to.as_deref().unwrap_or(&r.from));
            let (epcs, quantities) = what(source, &r.sku, &r.lot, &r.serial, r.base_quantity)?;
            insert_what(&mut e, epcs, quantities);
            if r.outcome == InspectionOutcome::Quarantine {
                quarantined(&mut e);
            } else if r.status_before == StockStatus::Quarantined {
                // Out of quarantine: the hold set when the goods were held is lifted.
                e.insert(
                    "persistentDisposition".into(),
                    json!({ "unset": ["non_sellable_other"] }),
                );
            }
            if r.outcome == InspectionOutcome::ReturnToVendor {
                shipped_away(&mut e);
            }
        }
        EventBody::UnitBuilt(u) => {
            place(&mut e, &u.location);
            insert_what(&mut e, vec![lpn_uri(&u.lpn)], Vec::new());
            if !u.order_ref.is_empty() {
                transactions.push(transaction("po", &u.order_ref));
            }
        }
        EventBody::Packed(p) => {
            place(&mut e, &p.location);
            let (mut epcs, quantities) = lines_what(source, &p.lines)?;
            epcs.extend(p.children.iter().map(|c| lpn_uri(c)));
            insert_children(&mut e, &p.lpn, epcs, quantities);
            if !p.order_ref.is_empty() {
                transactions.push(transaction("po", &p.order_ref));
            }
        }
        EventBody::Unpacked(u) => {
            place(&mut e, &u.location);
            let (mut epcs, quantities) = lines_what(source, &u.lines)?;
            epcs.extend(u.children.iter().map(|c| lpn_uri(c)));
            insert_children(&mut e, &u.lpn, epcs, quantities);
            if !u.order_ref.is_empty() {
                transactions.push(transaction("po", &u.order_ref));
            }
        }
        EventBody::Loaded(l) => {
            place(&mut e, &l.door);
            // The unit stands for what it holds (and a pallet for its cartons).
            insert_what(&mut e, vec![lpn_uri(&l.lpn)], Vec::new());
            transactions.push(transaction("po", &l.order_ref));
        }
        EventBody::Shipped(s) => {
            place(&mut e, &s.door);
            shipped_away(&mut e);
            // The units stand for what they hold (aggregated when they were packed).
            insert_what(
                &mut e,
                s.units.iter().map(|u| lpn_uri(u)).collect(),
                Vec::new(),
            );
            transactions.push(transaction("po", &s.order_ref));
        }
        // `mapping` returned None for these.
        EventBody::Voided(_)
        | EventBody::ReplenishmentRaised(_)
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

/// What moved lines observed: instances for serials, quantities otherwise.
fn lines_what<S: EpcisSource>(
    source: &mut S,
    lines: &[crate::events::MovedLine],
) -> Result<(Vec<String>, Vec<Value>), S::Error> {
    let mut epcs = Vec::new();
    let mut quantities = Vec::new();
    for line in lines {
        let (es, qs) = what(
            source,
            &line.sku,
            &line.lot,
            &line.serial,
            line.base_quantity,
        )?;
        epcs.extend(es);
        quantities.extend(qs);
    }
    Ok((epcs, quantities))
}

/// An aggregation's parent (the plate) and children.
fn insert_children(
    e: &mut Map<String, Value>,
    lpn: &str,
    epcs: Vec<String>,
    quantities: Vec<Value>,
) {
    e.insert("parentID".into(), json!(lpn_uri(lpn)));
    if !epcs.is_empty() {
        e.insert("childEPCs".into(), json!(epcs));
    }
    if !quantities.is_empty() {
        e.insert("childQuantityList".into(), json!(quantities));
    }
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
