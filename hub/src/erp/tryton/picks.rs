//! Picks of a pick task that came from a Tryton customer shipment (`OUT-<number>`, pull.rs).
//! Tryton picks a customer shipment as a whole, so its picks and short picks are held (recorded as
//! carried by `stock.shipment.out/<id>:held`) until every line of the shipment is picked or
//! reported short. Then the shipment's inventory moves are set to what was picked — per line, from
//! the bin and lot the picker scanned (more moves of the same origin for a line picked from
//! several, 0 for a line found empty) — and the shipment is assigned, picked and packed: the goods
//! wait in the output location, as they wait at dockhand's staging, and Tryton's outgoing moves
//! carry the picked quantities (a short line ships less; Tryton's sale makes its backorder when
//! the shipment is done; shipping.rs finishes it when the order leaves). The write sets every move to its target, so a retry writes the same
//! again; an `ir.note` tells a shipment dockhand packed from one packed by hand.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::{ConnectorError, TrytonConnector, TrytonDoc, id_of, refused};
use dockhand_protocol::events::EventBody;
use dockhand_protocol::sync::FeedEvent;

/// What was picked for one line: base units per (bin, lot), and how much was reported short.
#[derive(Debug, Default, Clone)]
struct Picked {
    sku: String,
    from: BTreeMap<(String, String), i64>,
    short: i64,
}

fn picks_by_line(events: &[&FeedEvent]) -> Result<BTreeMap<i64, Picked>, ConnectorError> {
    let mut lines: BTreeMap<i64, Picked> = BTreeMap::new();
    for event in events {
        match super::body_of(&event.event)? {
            EventBody::PickConfirmed(p) => {
                let line = lines.entry(p.line_no).or_default();
                line.sku = p.sku;
                *line.from.entry((p.from, p.lot)).or_default() += p.base_quantity;
            }
            EventBody::PickShort(p) => {
                let line = lines.entry(p.line_no).or_default();
                line.sku = p.sku;
                line.short += p.short;
            }
            // Only picks are held for a customer shipment.
            _ => {}
        }
    }
    Ok(lines)
}

impl TrytonConnector {
    /// The Tryton customer shipment a pick task was pulled from, if it was.
    pub(super) async fn customer_shipment(
        &self,
        task_id: &str,
    ) -> Result<Option<TrytonDoc>, ConnectorError> {
        let Some(number) = task_id.strip_prefix("OUT-") else {
            return Ok(None);
        };
        self.tryton_doc(
            "stock.shipment.out",
            json!([["number", "=", number]]),
            &["number"],
        )
        .await
    }

    /// A pick or short pick of a Tryton customer shipment: held until the last line is settled,
    /// then the whole shipment is picked and packed.
    pub(super) async fn pick_for_shipment(
        &self,
        hub: &std::sync::Arc<dyn crate::erp::ErpPort>,
        event: &FeedEvent,
        shipment: &TrytonDoc,
    ) -> Result<Vec<String>, ConnectorError> {
        let model = shipment.model;
        let resource = shipment.resource();
        match shipment.state.as_str() {
            "draft" | "waiting" | "assigned" => {}
            "picked" | "packed" | "shipped" | "done" if self.noted(&resource).await? => {
                if shipment.state == "picked" {
                    self.call(model, "pack", vec![json!([shipment.id])])
                        .await
                        .map_err(refused)?;
                }
                let held = self.held_for(hub, shipment.held()).await?;
                self.finish_held_shipping(hub, &held.iter().collect::<Vec<_>>())
                    .await?;
                return Ok(vec![shipment.document()]);
            }
            state => {
                return Err(ConnectorError::Refused {
                    code: "erp_picked_elsewhere".into(),
                    message: format!(
                        "customer shipment {} is {state} in Tryton but dockhand did not pick it: \
                         pick task OUT-{} is not posted (settle it in Tryton by hand)",
                        shipment.text("number"),
                        shipment.text("number")
                    ),
                });
            }
        }
        let held = self.held_for(hub, shipment.held()).await?;
        let mut events: Vec<&FeedEvent> = held.iter().collect();
        events.push(event);
        let picked = picks_by_line(&events)?;
        let w = self.warehouse().await?;
        let outgoing = self
            .shipment_moves(&resource, ("to_location", w.customer))
            .await?;
        // Lines are numbered as the pull numbered them: the outgoing moves in id order.
        let settled = outgoing.iter().enumerate().all(|(i, m)| {
            let expected = m.get("quantity").and_then(Value::as_f64).unwrap_or(0.0);
            picked
                .get(&(i as i64 + 1))
                .is_some_and(|p| (p.from.values().sum::<i64>() + p.short) as f64 >= expected)
        });
        if !settled {
            return Ok(vec![shipment.held()]);
        }
        if shipment.state == "assigned" {
            // Assigned moves are locked; back to waiting (Tryton makes new inventory moves).
            self.call(model, "wait", vec![json!([shipment.id])])
                .await
                .map_err(refused)?;
        }
        let inventory = self
            .shipment_moves(&resource, ("to_location", w.output))
            .await?;
        let mut actions = Vec::new();
        let mut creates = Vec::new();
        for (i, out) in outgoing.iter().enumerate() {
            let out_id = out.get("id").and_then(Value::as_i64).unwrap_or_default();
            let origin = format!("stock.move,{out_id}");
            let product = out.get("product").and_then(id_of).unwrap_or_default();
            let mine: Vec<i64> = inventory
                .iter()
                .filter(|m| m.get("origin").and_then(Value::as_str) == Some(origin.as_str()))
                .filter_map(|m| m.get("id").and_then(Value::as_i64))
                .collect();
            // Picked quantities are in the item's base unit: Tryton's default unit.
            let mut targets = Vec::new();
            if let Some(p) = picked.get(&(i as i64 + 1)) {
                let (_, base_unit) = self.product(&p.sku).await?;
                for ((bin, lot), quantity) in &p.from {
                    targets.push(json!({
                        "from_location": self.location(bin).await?,
                        "lot": self.lot(product, lot, None).await?,
                        "quantity": *quantity as f64,
                        "unit": base_unit,
                    }));
                }
            }
            for (n, id) in mine.iter().enumerate() {
                let values = targets
                    .get(n)
                    .cloned()
                    .unwrap_or_else(|| json!({ "quantity": 0.0 }));
                actions.push(json!(["write", [id], values]));
            }
            for mut values in targets.into_iter().skip(mine.len()) {
                values["product"] = json!(product);
                values["to_location"] = json!(w.output);
                values["origin"] = json!(origin);
                creates.push(values);
            }
        }
        if !creates.is_empty() {
            actions.push(json!(["create", creates]));
        }
        self.call(
            model,
            "write",
            vec![json!([shipment.id]), json!({ "inventory_moves": actions })],
        )
        .await
        .map_err(refused)?;
        if !self.noted(&resource).await? {
            self.note(&resource, &event.event.event_id).await?;
        }
        // Tryton's own stock decides whether it can assign; what dockhand picked was there.
        self.call(model, "assign_try", vec![json!([shipment.id])])
            .await
            .map_err(refused)?;
        if self.state(model, shipment.id).await? != "assigned" {
            self.call(model, "assign_force", vec![json!([shipment.id])])
                .await
                .map_err(refused)?;
        }
        for step in ["pick", "pack"] {
            self.call(model, step, vec![json!([shipment.id])])
                .await
                .map_err(refused)?;
        }
        // The order left before its last line was settled: it ships now (shipping.rs).
        self.finish_held_shipping(hub, &events).await?;
        Ok(vec![shipment.document()])
    }

    /// The moves of a shipment (`model,id`) whose `field` is `location`, in id order.
    async fn shipment_moves(
        &self,
        resource: &str,
        (field, location): (&str, i64),
    ) -> Result<Vec<Value>, ConnectorError> {
        self.all(
            "stock.move",
            json!([["shipment", "=", resource], [field, "=", location]]),
            &["product", "quantity", "unit", "origin"],
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dockhand_protocol::events as ev;

    fn event(body: impl Into<EventBody>) -> FeedEvent {
        let body = body.into();
        serde_json::from_value(json!({
            "hub_seq": 1,
            "received_at": "2026-11-27T10:00:00Z",
            "event_id": uuid::Uuid::nil(),
            "device_id": "HH-1",
            "seq": 1,
            "event_type": body.kind(),
            "occurred_at": "2026-11-27T10:00:00Z",
            "tz_offset": "+00:00",
            "user_id": "bob",
            "schema_version": 1,
            "op_id": uuid::Uuid::nil(),
            "prev_hash": "",
            "hash": "",
            "payload": body.to_payload().expect("a payload"),
        }))
        .expect("a feed event")
    }

    fn picked(line_no: i64, sku: &str, from: &str, lot: &str, base_quantity: i64) -> FeedEvent {
        event(ev::PickConfirmed {
            task_id: "OUT-1".into(),
            order_ref: "SO-1".into(),
            line_no,
            pick_id: line_no,
            sku: sku.into(),
            lot: lot.into(),
            allocated_lot: lot.into(),
            serial: String::new(),
            base_quantity,
            base_unit: "EA".into(),
            from: from.into(),
            to: "STAGE-01".into(),
            tote: String::new(),
            movements: Vec::new(),
        })
    }

    #[test]
    fn picks_add_up_per_line_bin_and_lot_and_shorts_settle_the_rest() {
        let a = picked(1, "TOWEL-2P", "A-01-01", "", 12);
        let b = picked(1, "TOWEL-2P", "A-01-02", "", 8);
        let c = event(ev::PickShort {
            task_id: "OUT-1".into(),
            order_ref: "SO-1".into(),
            line_no: 1,
            pick_id: 2,
            sku: "TOWEL-2P".into(),
            lot: String::new(),
            location: "A-01-02".into(),
            expected: 18,
            found: 8,
            short: 10,
            count_task_id: None,
            movements: Vec::new(),
        });
        let d = picked(2, "COFFEE-500", "C-01-01", "L7", 3);
        let lines = picks_by_line(&[&a, &b, &c, &d]).expect("picks that read");
        let one = &lines[&1];
        assert_eq!(one.sku, "TOWEL-2P");
        assert_eq!(
            one.from
                .iter()
                .map(|((bin, _), q)| (bin.as_str(), *q))
                .collect::<Vec<_>>(),
            vec![("A-01-01", 12), ("A-01-02", 8)]
        );
        assert_eq!(one.short, 10);
        assert_eq!(
            lines[&2].from[&("C-01-01".to_string(), "L7".to_string())],
            3
        );
        assert_eq!(lines[&2].short, 0);
    }
}
