//! Loading and shipping of an order that came from Tryton customer shipments (picks.rs packed
//! them). The picks already put the goods into the shipment's outgoing moves, waiting in the
//! warehouse's output location, so loading them onto a truck moves nothing in Tryton; shipping the
//! order finishes every shipment dockhand packed for it (`do`), and Tryton's sale makes the
//! backorder of a short pick. A shipment whose picks are still held (a line not settled when the
//! order left) holds the shipping with them: the last pick packs the shipment and finishes it.
//!
//! Orders that did not come from Tryton are posted as the transfers their events make
//! (../plan.rs): loading between two dockhand places Tryton keeps as one location posts nothing,
//! shipping sends the goods from the door to the customer.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::pull::text;
use super::rpc::number;
use super::{ConnectorError, TrytonConnector, TrytonDoc, refused};
use dockhand_protocol::events::{EventBody, Shipped};
use dockhand_protocol::sync::FeedEvent;

/// The Tryton customer shipments of one order, as dockhand's work left them.
#[derive(Debug, Default)]
pub(super) struct OrderShipments {
    /// Packed by dockhand's picks, waiting to leave.
    pub packed: Vec<TrytonDoc>,
    /// Done with this shipping (a retry after a crash between two of them).
    pub done: Vec<TrytonDoc>,
    /// With picks still held for them.
    pub held: Vec<TrytonDoc>,
}

impl OrderShipments {
    /// Whether any Tryton customer shipment carries this order's picks.
    pub fn is_tryton_order(&self) -> bool {
        !(self.packed.is_empty() && self.done.is_empty() && self.held.is_empty())
    }
}

/// The domain of the customer shipments a pick task's order names (pull.rs: the sale's
/// reference, else the shipment's reference, else `OUT-<number>`).
fn order_domain(order_ref: &str) -> Value {
    let mut any = vec![
        json!("OR"),
        json!(["moves.sale.reference", "=", order_ref]),
        json!(["reference", "=", order_ref]),
    ];
    if let Some(number) = order_ref.strip_prefix("OUT-") {
        any.push(json!(["number", "=", number]));
    }
    json!([Value::Array(any)])
}

impl TrytonConnector {
    /// The customer shipments dockhand picked for `order_ref`; `shipping` is the shipping event
    /// whose note marks the shipments it finished.
    pub(super) async fn order_shipments(
        &self,
        hub: &std::sync::Arc<dyn crate::erp::ErpPort>,
        order_ref: &str,
        shipping: &uuid::Uuid,
    ) -> Result<OrderShipments, ConnectorError> {
        let model = "stock.shipment.out";
        let rows = self
            .all(model, order_domain(order_ref), &["number", "state"])
            .await?;
        let mut found = OrderShipments::default();
        for row in rows {
            let doc = TrytonDoc::of(model, row);
            match doc.state.as_str() {
                "picked" | "packed" | "shipped" if self.noted(&doc.resource()).await? => {
                    found.packed.push(doc);
                }
                "done" if self.noted_by(&doc.resource(), shipping).await? => found.done.push(doc),
                "draft" | "waiting" | "assigned"
                    if !self.held_for(hub, doc.held()).await?.is_empty() =>
                {
                    found.held.push(doc);
                }
                _ => {}
            }
        }
        Ok(found)
    }

    /// `shipping.loaded` or `shipping.shipped` of an order dockhand picked from Tryton customer
    /// shipments: the documents that carry it, or `None` for an order Tryton did not give.
    pub(super) async fn ship_order(
        &self,
        hub: &std::sync::Arc<dyn crate::erp::ErpPort>,
        event: &FeedEvent,
        body: &EventBody,
    ) -> Result<Option<Vec<String>>, ConnectorError> {
        let order_ref = match body {
            EventBody::Loaded(l) => &l.order_ref,
            EventBody::Shipped(s) => &s.order_ref,
            _ => return Ok(None),
        };
        let shipping = event.event.event_id;
        let found = self.order_shipments(hub, order_ref, &shipping).await?;
        if !found.is_tryton_order() {
            return Ok(None);
        }
        let EventBody::Shipped(shipped) = body else {
            // The goods wait in Tryton's output location whichever door they are loaded at.
            return Ok(Some(Vec::new()));
        };
        if let Some(first) = found.held.first() {
            // Picks not yet settled: the shipment is finished when its last pick packs it.
            return Ok(Some(vec![first.held()]));
        }
        self.finish(&shipping, shipped, found).await.map(Some)
    }

    /// Takes the packed shipments of an order to done once their outgoing moves carry exactly
    /// what was shipped; the documents finished (with those a retry finds done already).
    pub(super) async fn finish(
        &self,
        shipping: &uuid::Uuid,
        shipped: &Shipped,
        found: OrderShipments,
    ) -> Result<Vec<String>, ConnectorError> {
        let mut documents: Vec<String> = found.done.iter().map(TrytonDoc::document).collect();
        if found.packed.is_empty() {
            return Ok(documents);
        }
        let w = self.warehouse().await?;
        let mut to_ship: BTreeMap<String, f64> = BTreeMap::new();
        for doc in found.packed.iter().chain(&found.done) {
            for m in self
                .all(
                    "stock.move",
                    json!([
                        ["shipment", "=", doc.resource()],
                        ["to_location", "=", w.customer]
                    ]),
                    &["product.code", "internal_quantity"],
                )
                .await?
            {
                // In the product's default unit: dockhand's base unit.
                let quantity = m.get("internal_quantity").and_then(number).unwrap_or(0.0);
                *to_ship.entry(text(&m, "product.code")).or_default() += quantity;
            }
        }
        let mut left: BTreeMap<String, f64> = BTreeMap::new();
        for line in &shipped.lines {
            *left.entry(line.sku.clone()).or_default() += line.base_quantity as f64;
        }
        if let Some(differs) = to_ship
            .keys()
            .chain(left.keys())
            .find(|sku| to_ship.get(*sku) != left.get(*sku))
        {
            let numbers: Vec<&str> = found.packed.iter().map(|d| d.text("number")).collect();
            return Err(ConnectorError::Refused {
                code: "erp_shipped_differs".into(),
                message: format!(
                    "order {} left with {} {differs} but Tryton's customer shipment {} is packed \
                     with {}: finish the shipment in Tryton by hand",
                    shipped.order_ref,
                    left.get(differs).copied().unwrap_or(0.0),
                    numbers.join(", "),
                    to_ship.get(differs).copied().unwrap_or(0.0),
                ),
            });
        }
        for doc in &found.packed {
            if doc.state == "picked" {
                self.call(doc.model, "pack", vec![json!([doc.id])])
                    .await
                    .map_err(refused)?;
            }
            // The note first: a retry that finds the shipment done knows this shipping did it.
            self.note(&doc.resource(), shipping).await?;
            self.call(doc.model, "do", vec![json!([doc.id])])
                .await
                .map_err(refused)?;
            documents.push(doc.document());
        }
        Ok(documents)
    }

    /// The shipping held with the picks of a shipment that packing just completed, finished with
    /// it: the documents that carry the picks.
    pub(super) async fn finish_held_shipping(
        &self,
        hub: &std::sync::Arc<dyn crate::erp::ErpPort>,
        held: &[&FeedEvent],
    ) -> Result<(), ConnectorError> {
        for event in held {
            if let EventBody::Shipped(shipped) = super::body_of(&event.event)? {
                let shipping = event.event.event_id;
                let found = self
                    .order_shipments(hub, &shipped.order_ref, &shipping)
                    .await?;
                self.finish(&shipping, &shipped, found).await?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_order_is_looked_up_by_sale_reference_shipment_reference_or_number() {
        assert_eq!(
            order_domain("SO-7001"),
            json!([[
                "OR",
                ["moves.sale.reference", "=", "SO-7001"],
                ["reference", "=", "SO-7001"]
            ]])
        );
        assert_eq!(
            order_domain("OUT-12")[0][3],
            json!(["number", "=", "12"]),
            "a shipment without references is its number"
        );
    }
}
