//! Several events' documents in a few calls: the events that only move stock (putaway, moves,
//! receipt scans not against a Tryton ASN, releases) each still get their own Tryton shipment, named by the event
//! (`dockhand:<event id>`), but the shipments of a batch are looked up in one search, created in
//! one `create` and taken through each button in one call per model. Tryton spends most of an
//! event's time on the fixed cost of a call (session, transaction, access checks), so a batch of
//! sixteen costs about what five single events did. Any refusal sends the batch back to the
//! one-event-at-a-time path, which finds what the batch made by reference and names the event
//! Tryton refused.

use std::collections::HashMap;

use dockhand_protocol::events::{EventBody, ReceiptKind};
use dockhand_protocol::sync::FeedEvent;
use serde_json::{Value, json};

use super::{
    ConnectorError, TrytonConnector, after, body_of, cancelled, id_of, model_of, not_done, reached,
    refused, transfers,
};
use crate::erp::plan::Transfer;
use crate::erp::worker::{Lane, lane};

impl TrytonConnector {
    /// Whether posting `event` is only the transfers its stock changes make (no Tryton document
    /// of its own to find or complete): such events may share calls. Those are the events of no
    /// document ([`Lane::Free`]: Tryton posts each as its transfers), and the scans of an expected
    /// receipt unless the receipt is a Tryton supplier shipment (whose scans are held for its
    /// close).
    pub(super) async fn batchable(&self, event: &FeedEvent) -> bool {
        match event.event.body() {
            Ok(EventBody::LineReceived(r)) => {
                let blind = r.receipt_kind == ReceiptKind::Blind;
                matches!(self.asn(&r.receipt_id, &r.reference, blind).await, Ok(None))
            }
            Ok(_) => matches!(lane(event), Lane::Free),
            Err(_) => false,
        }
    }
}

/// One transfer of the batch: which event, which of its transfers, where.
struct Slot {
    event: usize,
    index: usize,
    transfer: Transfer,
    from: i64,
    to: i64,
}

impl TrytonConnector {
    /// Posts `events` (all [`TrytonConnector::batchable`]) together: each event's documents, in its
    /// transfers' order.
    pub(super) async fn transfer_batch(
        &self,
        events: &[FeedEvent],
    ) -> Result<Vec<Vec<String>>, ConnectorError> {
        let mut documents: Vec<Vec<Option<String>>> = Vec::with_capacity(events.len());
        let mut by_model: HashMap<&'static str, Vec<Slot>> = HashMap::new();
        for (event, e) in events.iter().enumerate() {
            body_of(&e.event)?;
            let planned = transfers(&e.event)?;
            let mut kept = 0;
            for transfer in planned {
                let from = self.place(&transfer.from).await?;
                let to = self.place(&transfer.to).await?;
                // Two dockhand places Tryton keeps as one location: nothing moves in Tryton.
                if from == to {
                    continue;
                }
                let (model, _) = model_of(&transfer);
                by_model.entry(model).or_default().push(Slot {
                    event,
                    index: kept,
                    transfer,
                    from,
                    to,
                });
                kept += 1;
            }
            documents.push(vec![None; kept]);
        }
        for (model, slots) in by_model {
            for (slot, id) in slots.iter().zip(self.model_batch(model, &slots).await?) {
                documents[slot.event][slot.index] = Some(format!("{model}/{id}"));
            }
        }
        Ok(documents
            .into_iter()
            .map(|d| d.into_iter().flatten().collect())
            .collect())
    }

    /// The documents of one model's transfers, found or created, taken to done: their ids in
    /// the order of `slots`.
    async fn model_batch(
        &self,
        model: &'static str,
        slots: &[Slot],
    ) -> Result<Vec<i64>, ConnectorError> {
        let (_, steps) = model_of(&slots[0].transfer);
        let references: Vec<&str> = slots
            .iter()
            .map(|s| s.transfer.reference.as_str())
            .collect();
        // What an earlier try made (a crash or a refused batch between create and done).
        let found: HashMap<String, (i64, String)> = self
            .all(
                model,
                json!([["reference", "in", references]]),
                &["reference", "state"],
            )
            .await?
            .into_iter()
            .filter_map(|row| {
                let text = |f: &str| row.get(f).and_then(Value::as_str).map(str::to_string);
                Some((
                    text("reference")?,
                    (row.get("id").and_then(id_of)?, text("state")?),
                ))
            })
            .collect();
        let mut values = Vec::new();
        for slot in slots
            .iter()
            .filter(|s| !found.contains_key(&s.transfer.reference))
        {
            values.push(
                self.document_values(model, &slot.transfer, slot.from, slot.to)
                    .await?,
            );
        }
        let mut created = if values.is_empty() {
            Vec::new()
        } else {
            self.call(model, "create", vec![json!(values)])
                .await
                .map_err(refused)?
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .collect()
        };
        created.reverse();
        let mut documents: Vec<(i64, String)> = Vec::with_capacity(slots.len());
        for slot in slots {
            let document = match found.get(&slot.transfer.reference) {
                Some(existing) => existing.clone(),
                None => (
                    created.pop().and_then(|id| id_of(&id)).unwrap_or_default(),
                    "draft".to_string(),
                ),
            };
            if document.0 == 0 {
                return Err(super::unmapped(format!(
                    "{model} {} was not created",
                    slot.transfer.reference
                )));
            }
            if document.1 == "cancelled" {
                return Err(cancelled(model, document.0, &slot.transfer.reference));
            }
            documents.push(document);
        }
        for step in steps {
            let due: Vec<usize> = (0..documents.len())
                .filter(|&i| documents[i].1 != "done" && !reached(&documents[i].1, step))
                .collect();
            if due.is_empty() {
                continue;
            }
            let ids: Vec<i64> = due.iter().map(|&i| documents[i].0).collect();
            self.call(model, step, vec![json!(ids)])
                .await
                .map_err(refused)?;
            match after(step) {
                Some(next) => due.iter().for_each(|&i| documents[i].1 = next.to_string()),
                None => {
                    let rows = self
                        .call(model, "read", vec![json!(ids), json!(["state"])])
                        .await
                        .map_err(refused)?;
                    let states: HashMap<i64, String> = rows
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|r| {
                            Some((
                                r.get("id").and_then(Value::as_i64)?,
                                r.get("state").and_then(Value::as_str)?.to_string(),
                            ))
                        })
                        .collect();
                    for &i in &due {
                        documents[i].1 = states.get(&documents[i].0).cloned().unwrap_or_default();
                    }
                }
            }
        }
        for ((id, state), slot) in documents.iter().zip(slots) {
            if state != "done" {
                return Err(not_done(model, *id, &slot.transfer.reference, state, steps));
            }
        }
        Ok(documents.into_iter().map(|(id, _)| id).collect())
    }
}
