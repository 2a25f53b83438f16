//! Several events in one Tryton document. The events that only move stock (putaway, moves,
//! receipt scans not against a Tryton ASN, releases) are posted as batches the hub recorded
//! before calling (`ErpBook::erp_claim`): the transfers of a batch that go the same way share a
//! document, e.g. a putaway burst from one dock to forty bins is one internal shipment of forty
//! moves, and a run of blind receipts at one dock one supplier shipment.
//!
//! An internal shipment's moves must have the shipment's own locations while it is a draft, and
//! may go to any location under them once it waits: the transfers from one place to several make
//! a shipment to the closest location that holds all their destinations, which gets its moves,
//! each to its own bin, in one `create` after `wait` and before `assign_force` and `do`.
//!
//! A document has one move per destination, item and lot, with the quantities summed: Tryton
//! books the same stock in fewer records.
//!
//! A batch's documents are named `dockhand:batch:<first event id>:<n>`, numbered in the order of
//! their first transfer. Tryton creates a document and its moves in one transaction, so a
//! document found by its reference holds every move of it: a retry (after a crash or a lost
//! answer) finds what an earlier try made and takes it to done, and creates only what is
//! missing. The grouping is worked out again on each try from the same events and the same
//! location tree (a tree changed in Tryton between a crash and its retry could group them
//! otherwise).
//!
//! A refusal once documents exist (a move Tryton will not take to done) cancels the batch's
//! documents that are not done, notes why on each, and has the hub post each of their events on
//! its own (`Batched::Split`): one bad scan does not hold up the others, and every later try of
//! the batch finds the cancelled documents and comes to the same.

use std::collections::HashMap;

use dockhand_protocol::events::{EventBody, ReceiptKind};
use dockhand_protocol::sync::FeedEvent;
use serde_json::{Value, json};

use super::{
    ConnectorError, TrytonConnector, after, body_of, cancelled, id_of, model_of, not_done, priced,
    reached, refused, transfers,
};
use crate::erp::plan::Transfer;
use crate::erp::worker::{Batched, Lane, lane};

/// Location types an internal shipment may go from or to.
const SHIPMENT_PLACES: [&str; 3] = ["view", "storage", "lost_found"];

impl TrytonConnector {
    /// Whether posting `event` is only the transfers its stock changes make (no Tryton document
    /// of its own to find or complete): such events may share documents. Those are the events of
    /// no document ([`Lane::Free`]: Tryton posts each as its transfers), and the scans of an
    /// expected receipt unless the receipt is a Tryton supplier shipment (whose scans are held
    /// for its close).
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

    /// Posts a batch (`Connector::post_batch`): what the hub does next depends on whether
    /// Tryton made anything of it.
    pub(super) async fn post_batch_of(&self, events: &[FeedEvent]) -> Batched {
        let mut made = false;
        match self.transfer_batch(events, &mut made).await {
            Ok(documents) => Batched::Posted(documents),
            Err(e @ ConnectorError::Transient(_)) => Batched::Failed(e),
            // Made nothing on this try: unless an earlier one made something (what this try
            // refused may be a lookup that failed before it got there).
            Err(e) if !made => match self.made_before(events).await {
                Ok(false) => Batched::Unmade(e),
                Ok(true) => Batched::Failed(e),
                Err(failed) => Batched::Failed(failed),
            },
            Err(e) => match self.split(events, &e).await {
                Ok(outcomes) => Batched::Split(outcomes),
                Err(failed) => Batched::Failed(failed),
            },
        }
    }
}

impl TrytonConnector {
    /// Whether any document of the batch of `events` exists in Tryton, of any model a batch
    /// makes (`dockhand:batch:<first event id>:…`).
    async fn made_before(&self, events: &[FeedEvent]) -> Result<bool, ConnectorError> {
        let Some(first) = events.first() else {
            return Ok(false);
        };
        let pattern = format!("dockhand:batch:{}:%", first.event.event_id);
        for model in BATCH_MODELS {
            if self
                .search_one(model, json!([["reference", "like", pattern]]))
                .await
                .map_err(refused)?
                .is_some()
            {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

/// The models a batch's documents may be of ([`super::model_of`]).
const BATCH_MODELS: [&str; 5] = [
    "stock.shipment.in",
    "stock.shipment.out.return",
    "stock.shipment.in.return",
    "stock.shipment.out",
    "stock.shipment.internal",
];

/// One transfer of the batch: which event, where from and to in Tryton.
struct Slot {
    event: usize,
    transfer: Transfer,
    from: i64,
    to: i64,
}

/// One document of the batch.
struct Doc {
    model: &'static str,
    reference: String,
    from: i64,
    /// The document's destination: the slots' own, or the closest location holding them all.
    to: i64,
    slots: Vec<usize>,
    /// Its id and state in Tryton once found or created.
    found: Option<(i64, String)>,
}

impl Doc {
    /// Whether a move goes elsewhere than the document's destination (set after `wait`).
    fn spread(&self, slots: &[Slot]) -> bool {
        self.slots.iter().any(|&s| slots[s].to != self.to)
    }

    /// The document's moves: one per destination, item and lot, with the quantities of its
    /// slots summed (the stock Tryton books is the same, in fewer records: a burst of scans of
    /// one item at one dock is one move), in the order of their first slot. Each is a transfer
    /// of one line, with the expiry of the first slot that names its lot.
    fn moves(&self, slots: &[Slot]) -> Vec<(i64, Transfer)> {
        let mut out: Vec<(i64, Transfer)> = Vec::new();
        for &s in &self.slots {
            let slot = &slots[s];
            for line in &slot.transfer.lines {
                let same = |(to, t): &&mut (i64, Transfer)| {
                    *to == slot.to && t.lines[0].sku == line.sku && t.lines[0].lot == line.lot
                };
                match out.iter_mut().find(|m| same(m)) {
                    Some((_, t)) => t.lines[0].quantity += line.quantity,
                    None => out.push((
                        slot.to,
                        Transfer {
                            lines: vec![line.clone()],
                            ..slot.transfer.clone()
                        },
                    )),
                }
            }
        }
        out
    }
}

impl TrytonConnector {
    /// The transfers of a batch's events and the documents that carry them, named.
    async fn batch_plan(
        &self,
        events: &[FeedEvent],
    ) -> Result<(Vec<Slot>, Vec<Doc>), ConnectorError> {
        let mut slots = Vec::new();
        for (event, e) in events.iter().enumerate() {
            body_of(&e.event)?;
            for transfer in transfers(&e.event)? {
                let from = self.place(&transfer.from).await?;
                let to = self.place(&transfer.to).await?;
                // Two dockhand places Tryton keeps as one location: nothing moves in Tryton.
                if from != to {
                    slots.push(Slot {
                        event,
                        transfer,
                        from,
                        to,
                    });
                }
            }
        }
        let mut docs = self.group(&slots).await?;
        if let Some(first) = events.first() {
            for (n, doc) in docs.iter_mut().enumerate() {
                doc.reference = format!("dockhand:batch:{}:{}", first.event.event_id, n + 1);
            }
        }
        Ok((slots, docs))
    }

    /// Posts `events` (all [`TrytonConnector::batchable`], one batch) in shared documents: each
    /// event's documents, in its transfers' order. `made` is set once a document of the batch
    /// is known to exist in Tryton.
    async fn transfer_batch(
        &self,
        events: &[FeedEvent],
        made: &mut bool,
    ) -> Result<Vec<Vec<String>>, ConnectorError> {
        let (slots, mut docs) = self.batch_plan(events).await?;
        let mut models: Vec<&'static str> = docs.iter().map(|d| d.model).collect();
        models.sort_unstable();
        models.dedup();
        for model in models {
            self.model_docs(model, &mut docs, &slots, made).await?;
        }
        Ok(documents_of(events.len(), &slots, &docs)
            .into_iter()
            .map(|(names, _)| names)
            .collect())
    }

    /// After Tryton refused a batch once some of its documents existed (`why`): its documents
    /// not done are cancelled, with a note saying so, and each event is settled by what is
    /// done: posted when all its documents are, `None` (to be posted on its own, which names the
    /// event Tryton refuses) when none is. Run again on every later try of the batch, which
    /// finds the same.
    async fn split(
        &self,
        events: &[FeedEvent],
        why: &ConnectorError,
    ) -> Result<Vec<Option<Result<Vec<String>, ConnectorError>>>, ConnectorError> {
        let (slots, mut docs) = self.batch_plan(events).await?;
        let mut models: Vec<&'static str> = docs.iter().map(|d| d.model).collect();
        models.sort_unstable();
        models.dedup();
        let mut notes = Vec::new();
        let mut cancel: Vec<(&str, Vec<i64>)> = Vec::new();
        for model in models {
            let references: Vec<&str> = docs
                .iter()
                .filter(|d| d.model == model)
                .map(|d| d.reference.as_str())
                .collect();
            let found = self.by_reference(model, &references).await?;
            let mut ids = Vec::new();
            for doc in docs.iter_mut().filter(|d| d.model == model) {
                doc.found = found.get(&doc.reference).cloned();
                if let Some((id, state)) = doc.found.as_mut()
                    && state != "done"
                    && state != "cancelled"
                {
                    ids.push(*id);
                    *state = "cancelled".into();
                    notes.push(json!({
                        "resource": format!("{model},{id}"),
                        "message": format!("{BATCH_REFUSED} {why}"),
                    }));
                }
            }
            if !ids.is_empty() {
                cancel.push((model, ids));
            }
        }
        // The notes first: a crash before the cancel leaves documents a later try recognises.
        if !notes.is_empty() {
            self.call("ir.note", "create", vec![json!(notes)])
                .await
                .map_err(refused)?;
        }
        for (model, ids) in cancel {
            self.call(model, "cancel", vec![json!(ids)])
                .await
                .map_err(refused)?;
        }
        let mut outcomes = Vec::with_capacity(events.len());
        for (names, states) in documents_of(events.len(), &slots, &docs) {
            let done = states.iter().filter(|s| *s == "done").count();
            outcomes.push(if done == states.len() {
                Some(Ok(names))
            } else if done == 0 {
                None
            } else {
                Some(Err(ConnectorError::Refused {
                    code: "erp_refused".into(),
                    message: format!(
                        "{why} (part of this event is in {}, done; the rest was cancelled)",
                        names.join(", ")
                    ),
                }))
            });
        }
        Ok(outcomes)
    }

    /// Whether one of the `found` documents of `model` carries the note of a batch split after a
    /// refusal ([`TrytonConnector::split`]).
    async fn split_before(
        &self,
        model: &str,
        found: &HashMap<String, (i64, String)>,
    ) -> Result<bool, ConnectorError> {
        if found.is_empty() {
            return Ok(false);
        }
        let mut resources = vec![json!("OR")];
        resources.extend(
            found
                .values()
                .map(|(id, _)| json!(["resource", "=", format!("{model},{id}")])),
        );
        Ok(self
            .search_one(
                "ir.note",
                json!([resources, ["message", "like", format!("{BATCH_REFUSED}%")]]),
            )
            .await
            .map_err(refused)?
            .is_some())
    }

    /// The documents of `model` named `references` that exist: (id, state) by reference.
    async fn by_reference(
        &self,
        model: &str,
        references: &[&str],
    ) -> Result<HashMap<String, (i64, String)>, ConnectorError> {
        Ok(self
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
            .collect())
    }

    /// The documents the slots make, in the order of their first slot: one per model and pair
    /// of places, except internal shipments, one per origin, to the closest location holding
    /// every destination (one per pair when there is none apart from the origin).
    async fn group(&self, slots: &[Slot]) -> Result<Vec<Doc>, ConnectorError> {
        let mut docs: Vec<Doc> = Vec::new();
        for (i, slot) in slots.iter().enumerate() {
            let (model, _) = model_of(&slot.transfer);
            let spreads = model == "stock.shipment.internal";
            let same =
                |d: &Doc| d.model == model && d.from == slot.from && (spreads || d.to == slot.to);
            match docs.iter_mut().find(|d| same(d)) {
                Some(doc) => doc.slots.push(i),
                None => docs.push(Doc {
                    model,
                    reference: String::new(),
                    from: slot.from,
                    to: slot.to,
                    slots: vec![i],
                    found: None,
                }),
            }
        }
        let mut out = Vec::with_capacity(docs.len());
        for mut doc in docs {
            let mut destinations: Vec<i64> = doc.slots.iter().map(|&s| slots[s].to).collect();
            destinations.sort_unstable();
            destinations.dedup();
            if destinations.len() == 1 {
                out.push(doc);
                continue;
            }
            match self.holding(&destinations).await? {
                Some(to) if to != doc.from => {
                    doc.to = to;
                    out.push(doc);
                }
                // No location holds them all but the origin: a document per destination.
                _ => {
                    let mut split: Vec<Doc> = Vec::new();
                    for &s in &doc.slots {
                        match split.iter_mut().find(|d| d.to == slots[s].to) {
                            Some(d) => d.slots.push(s),
                            None => split.push(Doc {
                                model: doc.model,
                                reference: String::new(),
                                from: doc.from,
                                to: slots[s].to,
                                slots: vec![s],
                                found: None,
                            }),
                        }
                    }
                    out.extend(split);
                }
            }
        }
        Ok(out)
    }

    /// The closest location above (or among) `locations` that holds them all and that an
    /// internal shipment may go to.
    async fn holding(&self, locations: &[i64]) -> Result<Option<i64>, ConnectorError> {
        let mut chains = Vec::with_capacity(locations.len());
        for &location in locations {
            chains.push(self.ancestry(location).await?);
        }
        let Some((first, rest)) = chains.split_first() else {
            return Ok(None);
        };
        Ok(first
            .iter()
            .find(|(id, kind)| {
                SHIPMENT_PLACES.contains(&kind.as_str())
                    && rest.iter().all(|c| c.iter().any(|(other, _)| other == id))
            })
            .map(|(id, _)| *id))
    }

    /// `location` and the locations above it, closest first, with their types (kept: Tryton's
    /// location tree changes seldom).
    async fn ancestry(&self, location: i64) -> Result<Vec<(i64, String)>, ConnectorError> {
        let mut chain = Vec::new();
        let mut at = Some(location);
        while let Some(id) = at {
            if chain.iter().any(|(seen, _)| *seen == id) || chain.len() > 64 {
                break;
            }
            let (parent, kind) = match self.cached(|c| c.tree.get(&id).cloned()) {
                Some(known) => known,
                None => {
                    let row = self
                        .first(
                            "stock.location",
                            json!([["id", "=", id]]),
                            &["parent", "type"],
                        )
                        .await?
                        .ok_or_else(|| super::unmapped(format!("Tryton has no location {id}")))?;
                    let known = (
                        row.get("parent").and_then(id_of),
                        row.get("type")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_string(),
                    );
                    self.remember(|c| {
                        c.tree.insert(id, known.clone());
                    });
                    known
                }
            };
            chain.push((id, kind));
            at = parent;
        }
        Ok(chain)
    }

    /// Finds or creates the documents of `model` among `docs` and takes them to done, in as few
    /// calls as the model allows.
    async fn model_docs(
        &self,
        model: &'static str,
        docs: &mut [Doc],
        slots: &[Slot],
        made: &mut bool,
    ) -> Result<(), ConnectorError> {
        let mine: Vec<usize> = (0..docs.len())
            .filter(|&d| docs[d].model == model)
            .collect();
        let references: Vec<&str> = mine.iter().map(|&d| docs[d].reference.as_str()).collect();
        // What an earlier try made (a crash, a lost answer, a refusal after the create).
        let found = self.by_reference(model, &references).await?;
        *made |= !found.is_empty();
        // A batch split after a refusal stays split, even if a person set one of its cancelled
        // documents back to draft: its events were posted one by one.
        if self.split_before(model, &found).await? {
            return Err(ConnectorError::Refused {
                code: "erp_refused".into(),
                message: "this batch was posted event by event after an earlier refusal".into(),
            });
        }
        let mut missing = Vec::new();
        // Documents this call created (a retry looks at what an earlier one left).
        let mut made_now: Vec<usize> = Vec::new();
        let mut values = Vec::new();
        for &d in &mine {
            let doc = &mut docs[d];
            if let Some(existing) = found.get(&doc.reference) {
                doc.found = Some(existing.clone());
                continue;
            }
            let mut moves = Vec::new();
            // A shipment to several bins gets its moves once it waits (`place_moves`).
            for (_, transfer) in doc.moves(slots).iter().filter(|_| !doc.spread(slots)) {
                moves.extend(
                    self.moves(transfer, doc.from, doc.to, priced(model))
                        .await?,
                );
            }
            values.push(
                self.document_values(model, &doc.reference, (doc.from, doc.to), moves)
                    .await?,
            );
            missing.push(d);
        }
        if !values.is_empty() {
            let created = self
                .call(model, "create", vec![json!(values)])
                .await
                .map_err(refused)?;
            *made = true;
            let ids: Vec<i64> = created
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(id_of)
                .collect();
            if ids.len() != missing.len() {
                return Err(super::unmapped(format!(
                    "Tryton made {} {model} of the {} asked",
                    ids.len(),
                    missing.len()
                )));
            }
            for (&d, id) in missing.iter().zip(ids) {
                docs[d].found = Some((id, "draft".to_string()));
            }
            made_now.extend(missing.iter().copied());
        }
        for &d in &mine {
            let doc = &docs[d];
            if let Some((id, state)) = &doc.found
                && state == "cancelled"
            {
                return Err(cancelled(model, *id, &doc.reference));
            }
        }
        let (_, steps) = model_of(&slots[docs[mine[0]].slots[0]].transfer);
        for step in steps {
            let due: Vec<usize> = mine
                .iter()
                .copied()
                .filter(|&d| {
                    docs[d]
                        .found
                        .as_ref()
                        .is_some_and(|(_, s)| s != "done" && !reached(s, step))
                })
                .collect();
            if due.is_empty() {
                continue;
            }
            if *step == "assign_force" {
                self.place_moves(docs, &due, slots, &made_now).await?;
            }
            if *step == "receive" {
                let shipments: Vec<(&str, i64)> =
                    due.iter().map(|&d| (model, doc_id(&docs[d]))).collect();
                self.acknowledge_no_origin(&shipments).await?;
            }
            let ids: Vec<i64> = due.iter().map(|&d| doc_id(&docs[d])).collect();
            self.call(model, step, vec![json!(ids)])
                .await
                .map_err(refused)?;
            match after(step) {
                Some(next) => {
                    for &d in &due {
                        if let Some((_, state)) = docs[d].found.as_mut() {
                            *state = next.to_string();
                        }
                    }
                }
                None => {
                    let states = self.states(model, &ids).await?;
                    for &d in &due {
                        if let Some((id, state)) = docs[d].found.as_mut() {
                            *state = states.get(id).cloned().unwrap_or_default();
                        }
                    }
                }
            }
        }
        for &d in &mine {
            let doc = &docs[d];
            let state = doc.found.as_ref().map_or("", |(_, s)| s.as_str());
            if state != "done" {
                return Err(not_done(model, doc_id(doc), &doc.reference, state, steps));
            }
        }
        Ok(())
    }

    /// Gives the waiting internal shipments `due` that go to several bins their moves, each to
    /// its own bin, in one `create` (a shipment's moves may go under its destination once it
    /// waits, not while it is a draft). One created by this call has none yet; one an earlier
    /// try made is looked at first: none (the try stopped before), or all of them (one create
    /// makes them all).
    async fn place_moves(
        &self,
        docs: &[Doc],
        due: &[usize],
        slots: &[Slot],
        made_now: &[usize],
    ) -> Result<(), ConnectorError> {
        let mut values = Vec::new();
        for &d in due {
            let doc = &docs[d];
            if !doc.spread(slots) {
                continue;
            }
            let shipment = format!("{},{}", doc.model, doc_id(doc));
            let planned = doc.moves(slots);
            if !made_now.contains(&d) {
                let there = self
                    .all("stock.move", json!([["shipment", "=", shipment]]), &["id"])
                    .await?
                    .len();
                if there == planned.len() {
                    continue;
                }
                if there != 0 {
                    return Err(super::unmapped(format!(
                        "{} {} ({}) holds {there} moves, dockhand makes {}",
                        doc.model,
                        doc_id(doc),
                        doc.reference,
                        planned.len()
                    )));
                }
            }
            for (bin, transfer) in &planned {
                for mut m in self.moves(transfer, doc.from, *bin, false).await? {
                    m["shipment"] = json!(shipment);
                    values.push(m);
                }
            }
        }
        if !values.is_empty() {
            self.call("stock.move", "create", vec![json!(values)])
                .await
                .map_err(refused)?;
        }
        Ok(())
    }
}

impl TrytonConnector {
    /// Acknowledges, before `receive`, the warning Tryton raises on it for the received moves
    /// of `shipments` that have no order origin ([`super::ACKNOWLEDGED_WARNINGS`]): the warning
    /// is named by a hash of the moves (`res.user.warning.format`), so the receive goes through
    /// at the first call instead of being refused, acknowledged and made again. A name that does
    /// not match only costs that second call ([`TrytonConnector::call`] acknowledges then).
    async fn acknowledge_no_origin(&self, shipments: &[(&str, i64)]) -> Result<(), ConnectorError> {
        use md5::Digest;
        let Some(user) = self.rpc.user_id() else {
            return Ok(());
        };
        let mut domain = vec![json!("OR")];
        domain.extend(
            shipments
                .iter()
                .map(|(model, id)| json!(["shipment", "=", format!("{model},{id}")])),
        );
        let mut moves: Vec<i64> = self
            .all("stock.move", json!(domain), &["id"])
            .await?
            .iter()
            .filter_map(|m| m.get("id").and_then(Value::as_i64))
            .collect();
        if moves.is_empty() {
            return Ok(());
        }
        moves.sort_unstable();
        let key: Vec<String> = moves.iter().map(|id| format!("stock.move,{id}")).collect();
        let digest = md5::Md5::digest(key.join("|").as_bytes());
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        let warning = json!({ "user": user, "name": format!("{hex}.done"), "always": false });
        self.rpc
            .model("res.user.warning", "create", vec![json!([warning])])
            .await
            .map_err(refused)?;
        Ok(())
    }
}

/// The note on a batch document dockhand cancelled because Tryton refused the batch.
const BATCH_REFUSED: &str = "dockhand: refused as a batch, its events posted one by one:";

/// For each event of a batch: the names of the documents carrying it (`model/id`, in its
/// transfers' order) and their states.
fn documents_of(events: usize, slots: &[Slot], docs: &[Doc]) -> Vec<(Vec<String>, Vec<String>)> {
    let mut out: Vec<(Vec<String>, Vec<String>)> = vec![(Vec::new(), Vec::new()); events];
    for (i, slot) in slots.iter().enumerate() {
        let Some(doc) = docs.iter().find(|d| d.slots.contains(&i)) else {
            continue;
        };
        let (id, state) = doc
            .found
            .clone()
            .unwrap_or_else(|| (0, "missing".to_string()));
        let name = format!("{}/{id}", doc.model);
        let (names, states) = &mut out[slot.event];
        if !names.contains(&name) {
            names.push(name);
            states.push(state);
        }
    }
    out
}

/// A found or created document's id.
fn doc_id(doc: &Doc) -> i64 {
    doc.found.as_ref().map_or(0, |(id, _)| *id)
}
