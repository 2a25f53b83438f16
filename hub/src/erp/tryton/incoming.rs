//! Receipts and returns against documents that came from Tryton: a supplier shipment (an ASN the
//! pull made into a dockhand receipt) and a customer return (an RMA made into an expected return).
//! Tryton receives such a document as a whole. The scans of a receipt are held — each recorded as
//! carried by `stock.shipment.in/<id>:held`, nothing posted — until the receipt closes; a
//! return arrives in one event. Then the document's incoming moves are set to what was received
//! (one move per lot, with the lot's expiry; lines not received set to 0; anything it does not
//! list added), its input and storage set to where the goods were received (dockhand's putaway or
//! inspection moves them on), and it is received and done. Writing the moves is one call that sets
//! every move to its target, so a retry after a crash writes the same again; an `ir.note`
//! `dockhand:<event id>` on the document tells one dockhand received from one received by hand.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::pull::dockhand_id;
use super::{ConnectorError, TrytonConnector, TrytonDoc, id_of, refused};
use crate::erp::plan::{Line, Outside, Place, Transfer};
use dockhand_protocol::sync::FeedEvent;

/// What the held scans received: base units per (place, item, lot), and each lot's expiry.
#[derive(Debug, Default)]
struct Received {
    quantities: BTreeMap<(Place, String, String), i64>,
    expiry: BTreeMap<(String, String), String>,
}

/// A person received the document in Tryton: what dockhand received would count twice.
fn received_elsewhere(doc: &TrytonDoc, what: &str) -> ConnectorError {
    ConnectorError::Refused {
        code: "erp_received_elsewhere".into(),
        message: format!(
            "{} {} is {} in Tryton but dockhand did not receive it: {what} is not posted (settle \
             the difference in Tryton by hand)",
            doc.model,
            doc.text("number"),
            doc.state
        ),
    }
}

/// What a receipt's scans are, for a person reading a refusal.
fn scans_of(receipt_id: &str) -> String {
    format!("the scans of receipt {receipt_id}")
}

/// What `events` brought in from `outside`.
fn received_from<'a>(
    events: impl IntoIterator<Item = &'a dockhand_protocol::Envelope>,
    outside: Outside,
) -> Result<Received, ConnectorError> {
    let mut received = Received::default();
    for event in events {
        for t in super::transfers(event)? {
            if t.from != Place::Outside(outside) {
                continue;
            }
            for line in &t.lines {
                *received
                    .quantities
                    .entry((t.to.clone(), line.sku.clone(), line.lot.clone()))
                    .or_default() += line.quantity;
                if let Some(expiry) = &t.expiry {
                    received
                        .expiry
                        .insert((line.sku.clone(), line.lot.clone()), expiry.clone());
                }
            }
        }
    }
    Ok(received)
}

impl TrytonConnector {
    /// The Tryton supplier shipment the receipt of a receiving event was pulled from, if it was.
    pub(super) async fn asn(
        &self,
        receipt: &str,
        number: &str,
        blind: bool,
    ) -> Result<Option<TrytonDoc>, ConnectorError> {
        if receipt.is_empty() || number.is_empty() || blind {
            return Ok(None);
        }
        if self
            .cached(|c| c.not_asn.contains(receipt).then_some(()))
            .is_some()
        {
            return Ok(None);
        }
        let asn = self
            .tryton_doc(
                "stock.shipment.in",
                json!([["number", "=", number]]),
                &["number", "reference"],
            )
            .await?
            .filter(|doc| dockhand_id("IN", doc.text("reference"), number) == receipt);
        if asn.is_none() {
            self.remember(|c| {
                c.not_asn.insert(receipt.to_string());
            });
        }
        Ok(asn)
    }

    /// A scan against an ASN: held while the shipment is draft (`Some`); posted on its own once
    /// dockhand has received the shipment (a late scan, or one of another handheld's receipt of
    /// the same ASN: `None`); refused when the shipment was received by hand in Tryton.
    pub(super) async fn scan_of_asn(
        &self,
        asn: &TrytonDoc,
        receipt_id: &str,
    ) -> Result<Option<Vec<String>>, ConnectorError> {
        if asn.state == "draft" {
            return Ok(Some(vec![asn.held()]));
        }
        if self.noted(&asn.resource()).await? {
            return Ok(None);
        }
        Err(received_elsewhere(asn, &scans_of(receipt_id)))
    }

    /// Posts the held scans of a closed receipt as its Tryton shipment.
    pub(super) async fn close_asn(
        &self,
        hub: &std::sync::Arc<dyn crate::erp::ErpPort>,
        close: &FeedEvent,
        receipt_id: &str,
        asn: &TrytonDoc,
    ) -> Result<Vec<String>, ConnectorError> {
        let e = &close.event;
        if let Some(documents) = self.completed_incoming(asn, &scans_of(receipt_id)).await? {
            return Ok(documents);
        }
        let held = self.held_for(hub, asn.held()).await?;
        let received = received_from(held.iter().map(|h| &h.event), Outside::Supplier)?;
        self.complete_incoming(asn, &e.event_id, received, Outside::Supplier)
            .await
    }

    /// The Tryton customer return an expected return was pulled from, if it was.
    pub(super) async fn rma(&self, return_id: &str) -> Result<Option<TrytonDoc>, ConnectorError> {
        if return_id.is_empty() {
            return Ok(None);
        }
        let domain = match return_id.strip_prefix("RET-") {
            Some(number) => json!([["number", "=", number]]),
            None => json!([["reference", "=", return_id]]),
        };
        Ok(self
            .tryton_doc(
                "stock.shipment.out.return",
                domain,
                &["number", "reference"],
            )
            .await?
            .filter(|doc| {
                dockhand_id("RET", doc.text("reference"), doc.text("number")) == return_id
            }))
    }

    /// A return received against a Tryton customer return: received into that document.
    pub(super) async fn return_of_rma(
        &self,
        event: &FeedEvent,
        return_id: &str,
        rma: &TrytonDoc,
    ) -> Result<Vec<String>, ConnectorError> {
        let e = &event.event;
        let what = format!("return {return_id}");
        if let Some(documents) = self.completed_incoming(rma, &what).await? {
            return Ok(documents);
        }
        let received = received_from([e], Outside::Customer)?;
        self.complete_incoming(rma, &e.event_id, received, Outside::Customer)
            .await
    }

    /// A document no longer draft: posted when dockhand received it (`Some`, finished if it was
    /// left received), refused when a person did.
    async fn completed_incoming(
        &self,
        doc: &TrytonDoc,
        what: &str,
    ) -> Result<Option<Vec<String>>, ConnectorError> {
        match doc.state.as_str() {
            "draft" => Ok(None),
            "received" | "done" if self.noted(&doc.resource()).await? => {
                if doc.state == "received" {
                    self.call(doc.model, "do", vec![json!([doc.id])])
                        .await
                        .map_err(refused)?;
                }
                Ok(Some(vec![doc.document()]))
            }
            _ => Err(received_elsewhere(doc, what)),
        }
    }

    /// Sets a draft incoming document's moves to what was received, then receives and finishes it.
    async fn complete_incoming(
        &self,
        doc: &TrytonDoc,
        event_id: &uuid::Uuid,
        received: Received,
        outside: Outside,
    ) -> Result<Vec<String>, ConnectorError> {
        let resource = doc.resource();
        // Where most was received takes the document; the rest moves on from there.
        let mut by_place: BTreeMap<&Place, i64> = BTreeMap::new();
        for ((place, _, _), q) in &received.quantities {
            *by_place.entry(place).or_default() += q;
        }
        let Some(dock) = by_place
            .iter()
            .max_by_key(|(_, q)| **q)
            .map(|(p, _)| (*p).clone())
        else {
            // Nothing received: the document stays as Tryton has it.
            return Ok(Vec::new());
        };
        let dock_id = self.place(&dock).await?;
        let from = self.place(&Place::Outside(outside)).await?;
        let moves = self
            .incoming_moves(&resource, &received, from, dock_id)
            .await?;
        self.call(
            doc.model,
            "write",
            vec![
                json!([doc.id]),
                json!({
                    "warehouse_input": dock_id,
                    "warehouse_storage": dock_id,
                    "incoming_moves": moves,
                }),
            ],
        )
        .await
        .map_err(refused)?;
        if !self.noted(&resource).await? {
            self.note(&resource, event_id).await?;
        }
        self.call(doc.model, "receive", vec![json!([doc.id])])
            .await
            .map_err(refused)?;
        if self.state(doc.model, doc.id).await? == "received" {
            self.call(doc.model, "do", vec![json!([doc.id])])
                .await
                .map_err(refused)?;
        }
        let mut documents = vec![doc.document()];
        let mut onward: BTreeMap<Place, Vec<Line>> = BTreeMap::new();
        for ((place, sku, lot), quantity) in received.quantities {
            if place != dock {
                onward
                    .entry(place)
                    .or_default()
                    .push(Line { sku, lot, quantity });
            }
        }
        for (i, (to, lines)) in onward.into_iter().enumerate() {
            let t = Transfer {
                reference: format!("dockhand:{event_id}:{}", i + 2),
                from: dock.clone(),
                to,
                lines,
                expiry: None,
            };
            documents.push(self.transfer(&t).await?);
        }
        Ok(documents)
    }

    /// The `incoming_moves` actions that make the shipment's moves what was received: per product,
    /// its existing moves in id order take the received lots in order (quantity, lot, dock), lots
    /// beyond them become new moves of the same origin and price, moves beyond them are set to 0.
    async fn incoming_moves(
        &self,
        resource: &str,
        received: &Received,
        from: i64,
        dock: i64,
    ) -> Result<Vec<Value>, ConnectorError> {
        let existing = self
            .all(
                "stock.move",
                json!([["shipment", "=", resource]]),
                &["product", "origin", "unit_price", "currency"],
            )
            .await?;
        let mut targets: BTreeMap<i64, Vec<(i64, i64, Option<i64>)>> = BTreeMap::new();
        let mut totals: BTreeMap<(String, String), i64> = BTreeMap::new();
        for ((_, sku, lot), q) in &received.quantities {
            *totals.entry((sku.clone(), lot.clone())).or_default() += q;
        }
        for ((sku, lot), quantity) in totals {
            let (product, unit) = self.product(&sku).await?;
            let expiry = received.expiry.get(&(sku.clone(), lot.clone()));
            let lot = self.lot(product, &lot, expiry.map(String::as_str)).await?;
            targets
                .entry(product)
                .or_default()
                .push((unit, quantity, lot));
        }
        let mut actions = Vec::new();
        let mut creates = Vec::new();
        let mut products: Vec<i64> = targets.keys().copied().collect();
        for m in &existing {
            if let Some(p) = m.get("product").and_then(id_of)
                && !products.contains(&p)
            {
                products.push(p);
            }
        }
        for product in products {
            let mine: Vec<&Value> = existing
                .iter()
                .filter(|m| m.get("product").and_then(id_of) == Some(product))
                .collect();
            let wanted = targets.get(&product).map(Vec::as_slice).unwrap_or(&[]);
            for (i, m) in mine.iter().enumerate() {
                let id = m.get("id").and_then(Value::as_i64).unwrap_or_default();
                let values = match wanted.get(i) {
                    Some((unit, quantity, lot)) => json!({
                        "unit": unit,
                        "quantity": *quantity as f64,
                        "lot": lot,
                        "to_location": dock,
                    }),
                    None => json!({ "quantity": 0.0, "to_location": dock }),
                };
                actions.push(json!(["write", [id], values]));
            }
            for (unit, quantity, lot) in wanted.iter().skip(mine.len()) {
                let mut values = json!({
                    "product": product,
                    "unit": unit,
                    "quantity": *quantity as f64,
                    "lot": lot,
                    "from_location": from,
                    "to_location": dock,
                });
                match mine.first() {
                    Some(like) => {
                        for key in ["origin", "unit_price", "currency"] {
                            if let Some(v) = like.get(key).filter(|v| !v.is_null()) {
                                values[key] = v.clone();
                            }
                        }
                    }
                    None => {
                        values["unit_price"] = json!({ "__class__": "Decimal", "decimal": "0" });
                        values["currency"] = json!(self.currency().await?);
                    }
                }
                creates.push(values);
            }
        }
        if !creates.is_empty() {
            actions.push(json!(["create", creates]));
        }
        Ok(actions)
    }
}
