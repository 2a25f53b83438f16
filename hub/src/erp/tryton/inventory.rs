//! Counts of a count task that came from a Tryton inventory (`INV-<id>`, pull.rs). A settled count
//! (no variance, or its variances adjusted) fills the inventory's lines and confirms it, so
//! Tryton's own inventory carries the adjustment: each counted line is set to Tryton's expected
//! quantity plus dockhand's variance (dockhand adjusts by the difference it found; Tryton moves
//! the difference between a line and its stock to lost-and-found), lines dockhand did not count
//! are kept. A count waiting for a supervisor is held (`stock.inventory/<id>:held`) and
//! settled by the approval's first adjustment; the adjustment events themselves are carried by the
//! confirmed inventory. Lines are written to absolute values, so a retry writes the same again;
//! an `ir.note` tells an inventory dockhand confirmed from one confirmed by hand.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::{ConnectorError, TrytonConnector, TrytonDoc, id_of, refused};
use dockhand_protocol::events::{self as ev, CountOutcome, EventBody};
use dockhand_protocol::sync::FeedEvent;

/// Variances per (item, lot) of a counted event's lines.
fn variances(counted: &ev::Counted) -> BTreeMap<(String, String), i64> {
    let mut out = BTreeMap::new();
    for line in counted.lines.iter().filter(|l| l.variance != 0) {
        *out.entry((line.sku.clone(), line.lot.clone())).or_default() += line.variance;
    }
    out
}

impl TrytonConnector {
    /// The Tryton inventory a count task was pulled from, if it was.
    pub(super) async fn inventory(
        &self,
        task_id: &str,
    ) -> Result<Option<TrytonDoc>, ConnectorError> {
        let Some(id) = task_id
            .strip_prefix("INV-")
            .and_then(|n| n.parse::<i64>().ok())
        else {
            return Ok(None);
        };
        self.tryton_doc("stock.inventory", json!([["id", "=", id]]), &["number"])
            .await
    }

    /// Whether the hub observed a handheld's adjusted count line: the ERP then gets the line's
    /// reconciled net from the hub (crate::reconcile) instead of this adjustment.
    pub(super) async fn observed_by_hub(
        &self,
        hub: &std::sync::Arc<dyn crate::erp::ErpPort>,
        a: &ev::CountAdjusted,
    ) -> Result<bool, ConnectorError> {
        let family = crate::store::Family {
            location: a.location.clone(),
            sku: a.sku.clone(),
            lot: a.lot.clone(),
        };
        let key = crate::reconcile::count_key(&a.task_id, a.round, &family);
        let (hub, site) = (hub.clone(), self.config().site.clone());
        tokio::task::spawn_blocking(move || hub.count_observed(&site, &key))
            .await
            .map_err(|e| ConnectorError::Transient(format!("hub store: {e}")))?
            .map_err(|e| ConnectorError::Transient(format!("hub store: {e}")))
    }

    /// A count event of a task from a Tryton inventory.
    pub(super) async fn count_for_inventory(
        &self,
        hub: &std::sync::Arc<dyn crate::erp::ErpPort>,
        event: &FeedEvent,
        body: &EventBody,
        inventory: &TrytonDoc,
    ) -> Result<Vec<String>, ConnectorError> {
        let resource = inventory.resource();
        let e = &event.event;
        match inventory.state.as_str() {
            "draft" => {}
            "done" if self.noted(&resource).await? => return Ok(vec![inventory.document()]),
            state => {
                return Err(ConnectorError::Refused {
                    code: "erp_counted_elsewhere".into(),
                    message: format!(
                        "inventory {} is {state} in Tryton but dockhand did not confirm it: \
                         the count of task INV-{} is not posted (count again in Tryton)",
                        inventory.id, inventory.id
                    ),
                });
            }
        }
        let counted = match body {
            EventBody::Counted(counted) => match counted.outcome {
                CountOutcome::NoVariance | CountOutcome::Adjusted => counted.clone(),
                CountOutcome::ApprovalRequired => return Ok(vec![inventory.held()]),
                // A recount decides; nothing is settled yet.
                CountOutcome::RecountRequired => return Ok(Vec::new()),
            },
            // The approval's adjustments: settled with the count that waited for it.
            EventBody::CountAdjusted(_) => {
                let held = self.held_for(hub, inventory.held()).await?;
                match held
                    .last()
                    .map(|count| super::body_of(&count.event))
                    .transpose()?
                {
                    Some(EventBody::Counted(counted)) => counted,
                    _ => {
                        return Err(ConnectorError::Refused {
                            code: "unmapped".into(),
                            message: format!(
                                "adjustment {} of task INV-{} came without the count it settles",
                                e.event_id, inventory.id
                            ),
                        });
                    }
                }
            }
            _ => return Ok(Vec::new()),
        };
        self.settle_inventory(inventory, &variances(&counted), &e.event_id)
            .await?;
        Ok(vec![inventory.document()])
    }

    async fn settle_inventory(
        &self,
        inventory: &TrytonDoc,
        variances: &BTreeMap<(String, String), i64>,
        event_id: &uuid::Uuid,
    ) -> Result<(), ConnectorError> {
        let model = inventory.model;
        let resource = inventory.resource();
        self.call(model, "complete_lines", vec![json!([inventory.id])])
            .await
            .map_err(refused)?;
        let lines = self
            .all(
                "stock.inventory.line",
                json!([["inventory", "=", inventory.id]]),
                &["product", "lot", "expected_quantity"],
            )
            .await?;
        let mut actions = Vec::new();
        let mut creates = Vec::new();
        for ((sku, lot), variance) in variances {
            let (product, _) = self.product(sku).await?;
            let lot_id = self.lot(product, lot, None).await?;
            let line = lines.iter().find(|l| {
                l.get("product").and_then(id_of) == Some(product)
                    && l.get("lot").and_then(id_of) == lot_id
            });
            let expected = line
                .and_then(|l| l.get("expected_quantity"))
                .and_then(Value::as_f64)
                .unwrap_or(0.0);
            let quantity = expected + *variance as f64;
            if quantity < 0.0 {
                return Err(ConnectorError::Refused {
                    code: "erp_stock_differs".into(),
                    message: format!(
                        "inventory {}: Tryton holds {expected} of {sku}{} there, dockhand found {} fewer",
                        inventory.id,
                        if lot.is_empty() {
                            String::new()
                        } else {
                            format!(" lot {lot}")
                        },
                        -variance
                    ),
                });
            }
            match line.and_then(|l| l.get("id")).and_then(Value::as_i64) {
                Some(id) => actions.push(json!(["write", [id], { "quantity": quantity }])),
                None => {
                    creates.push(json!({ "product": product, "lot": lot_id, "quantity": quantity }))
                }
            }
        }
        if !creates.is_empty() {
            actions.push(json!(["create", creates]));
        }
        self.call(
            model,
            "write",
            vec![
                json!([inventory.id]),
                json!({ "empty_quantity": "keep", "lines": actions }),
            ],
        )
        .await
        .map_err(refused)?;
        if !self.noted(&resource).await? {
            self.note(&resource, event_id).await?;
        }
        self.call(model, "confirm", vec![json!([inventory.id])])
            .await
            .map_err(refused)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_lines_with_a_variance_change_the_inventory() {
        let line = |sku: &str, lot: &str, counted: i64, expected: i64| ev::CountedLine {
            location: "A-01-01".into(),
            sku: sku.into(),
            lot: lot.into(),
            counted,
            expected,
            variance: counted - expected,
            unexpected: expected == 0,
            counted_at: None,
        };
        let counted = ev::Counted {
            task_id: "INV-1".into(),
            round: 1,
            counter: "bob".into(),
            outcome: CountOutcome::Adjusted,
            lines: vec![
                line("TOWEL-2P", "", 75, 76),
                line("COFFEE-500", "L7", 4, 4),
                line("MILK-1L", "L1", 3, 0),
            ],
        };
        let v = variances(&counted);
        assert_eq!(
            v.into_iter().collect::<Vec<_>>(),
            vec![
                (("MILK-1L".to_string(), "L1".to_string()), 3),
                (("TOWEL-2P".to_string(), String::new()), -1)
            ]
        );
    }
}
