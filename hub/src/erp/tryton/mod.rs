//! The Tryton connector. Work on a document that came from Tryton completes that document: the
//! scans of a receipt against a supplier shipment are posted in it when the receipt closes, a
//! return against a customer return is received into it (incoming.rs), the picks of a customer shipment's pick task pick and pack it (picks.rs) and shipping the
//! order finishes it (shipping.rs), the count
//! of an inventory's count task fills and confirms it (inventory.rs). Everything else — blind
//! receipts, putaway, returns, moves, counts dockhand raised itself, corrections — becomes one
//! Tryton shipment per planned transfer (../plan.rs) whose `reference` is
//! `dockhand:<event id>[:n]`: supplier shipments for receipts, customer returns for returned goods,
//! internal shipments between locations and to or from the warehouse's lost-and-found for
//! inventory differences. Before creating anything the connector searches for that reference and
//! finishes what it finds, so a crash or retry between "posted" and "recorded as posted" never
//! posts twice.

mod batch;
mod incoming;
mod inventory;
mod on_hand;
mod picks;
pub mod pull;
pub mod rpc;
mod shipping;

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use dockhand_protocol::events::{self as ev, EventBody, ReceiptKind};
use dockhand_protocol::sync::FeedEvent;
use serde_json::{Value, json};

pub use on_hand::OnHand;
pub use rpc::{Rpc, RpcError, TrytonConfig};

use super::plan::{Line, Outside, Place, Transfer, plan};
use super::worker::{Connector, ConnectorError};

/// Tryton warnings the connector acknowledges (by the end of their message; Tryton names a
/// warning by a hash of its records), and why. Documented policy: any other warning is refused
/// and shown to a person as an ERP exception.
pub const ACKNOWLEDGED_WARNINGS: &[(&str, &str)] = &[
    // dockhand posts blind receipts and returns scan by scan, not from purchase or sale lines:
    // their moves have no origin by design; so have goods received against an ASN that does not
    // list them.
    (
        "have no origin.",
        "receipts and returns posted per scan, and goods an ASN does not list, have no order origin",
    ),
];

fn acknowledged(message: &str) -> bool {
    ACKNOWLEDGED_WARNINGS
        .iter()
        .any(|(ending, _)| message.trim_end().ends_with(ending))
}

/// A document that came from Tryton and that dockhand's work completes (incoming.rs, picks.rs,
/// inventory.rs): the events before the one that completes it are held for it.
#[derive(Debug, Clone)]
struct TrytonDoc {
    model: &'static str,
    id: i64,
    state: String,
    /// The record as read (number, reference…).
    row: Value,
}

impl TrytonDoc {
    /// A document as read (with its `id` and `state`).
    fn of(model: &'static str, row: Value) -> Self {
        TrytonDoc {
            model,
            id: row.get("id").and_then(Value::as_i64).unwrap_or_default(),
            state: row
                .get("state")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            row,
        }
    }

    /// The document that carries the events once complete (`model/id`).
    fn document(&self) -> String {
        format!("{}/{}", self.model, self.id)
    }

    /// What a held event is recorded as carried by (`HELD_SUFFIX`: `erp status` counts them until
    /// the document is complete).
    fn held(&self) -> String {
        format!("{}{}", self.document(), crate::store::erp_sql::HELD_SUFFIX)
    }

    /// The record as Tryton references it (`model,id`).
    fn resource(&self) -> String {
        format!("{},{}", self.model, self.id)
    }

    /// A text field of the record as read ("" when empty).
    fn text(&self, field: &str) -> &str {
        self.row.get(field).and_then(Value::as_str).unwrap_or("")
    }
}

/// The warehouse's own locations in Tryton.
#[derive(Debug, Clone, Copy)]
struct Warehouse {
    id: i64,
    input: i64,
    output: i64,
    lost_found: i64,
    supplier: i64,
    customer: i64,
}

#[derive(Default)]
struct Cache {
    warehouse: Option<Warehouse>,
    locations: HashMap<String, i64>,
    products: HashMap<String, (i64, i64)>,
    /// Location id to its parent and type (batch.rs: the closest location holding several).
    tree: HashMap<i64, (Option<i64>, String)>,
    lots: HashMap<(i64, String), i64>,
    parties: HashMap<String, i64>,
    currency: Option<i64>,
    /// Receipts that did not come from a Tryton supplier shipment.
    not_asn: HashSet<String>,
}

/// Posts dockhand events to Tryton.
pub struct TrytonConnector {
    rpc: Rpc,
    cache: Mutex<Cache>,
    /// Held while looking up and creating a shared record (a lot, a party): documents posted
    /// side by side must not both create the lot they both name.
    creating: tokio::sync::Mutex<()>,
    /// `tryton` for site main, `tryton@SITE` for another: each site's connector keeps its own
    /// cursor and bookkeeping.
    name: String,
}

fn refused(e: RpcError) -> ConnectorError {
    match e {
        RpcError::Transient(m) | RpcError::Protocol(m) => ConnectorError::Transient(m),
        RpcError::User { .. } => ConnectorError::Refused {
            code: "erp_refused".into(),
            message: e.to_string(),
        },
        RpcError::Warning { .. } => ConnectorError::Refused {
            code: "erp_warning".into(),
            message: e.to_string(),
        },
    }
}

fn unmapped(message: String) -> ConnectorError {
    ConnectorError::Refused {
        code: "unmapped".into(),
        message,
    }
}

fn id_of(v: &Value) -> Option<i64> {
    v.as_i64().or_else(|| v.get(0).and_then(Value::as_i64))
}

impl TrytonConnector {
    /// A connector for the Tryton in `config` (signs in on first use).
    pub fn new(config: TrytonConfig) -> Result<Self, RpcError> {
        let name = if config.site == crate::store::FIRST_SITE {
            "tryton".to_string()
        } else {
            format!("tryton@{}", config.site)
        };
        Ok(Self {
            rpc: Rpc::new(config)?,
            cache: Mutex::new(Cache::default()),
            creating: tokio::sync::Mutex::new(()),
            name,
        })
    }

    /// Where it posts.
    pub fn config(&self) -> &TrytonConfig {
        self.rpc.config()
    }

    /// The JSON-RPC client (for tools and tests).
    pub fn rpc(&self) -> &Rpc {
        &self.rpc
    }

    fn cached<T: Clone>(&self, get: impl FnOnce(&Cache) -> Option<T>) -> Option<T> {
        self.cache.lock().ok().and_then(|c| get(&c))
    }

    fn remember(&self, put: impl FnOnce(&mut Cache)) {
        if let Ok(mut c) = self.cache.lock() {
            put(&mut c);
        }
    }

    /// A call; an acknowledged warning is acknowledged once and the call made again.
    async fn call(&self, model: &str, method: &str, args: Vec<Value>) -> Result<Value, RpcError> {
        match self.rpc.model(model, method, args.clone()).await {
            Err(RpcError::Warning { name, message }) if acknowledged(&message) => {
                // A warning is acknowledged for the signed-in user, once (`always: false`).
                let user = self
                    .rpc
                    .user_id()
                    .ok_or_else(|| RpcError::Transient("no Tryton session".into()))?;
                let warning = json!({ "user": user, "name": name, "always": false });
                self.rpc
                    .model("res.user.warning", "create", vec![json!([warning])])
                    .await?;
                self.rpc.model(model, method, args).await
            }
            other => other,
        }
    }

    /// The first record of `model` matching `domain`, read with `fields` (and its id).
    async fn first(
        &self,
        model: &str,
        domain: Value,
        fields: &[&str],
    ) -> Result<Option<Value>, ConnectorError> {
        let rows = self
            .call(
                model,
                "search_read",
                vec![domain, json!(0), json!(1), Value::Null, json!(fields)],
            )
            .await
            .map_err(refused)?;
        Ok(rows.get(0).cloned())
    }

    /// Every record of `model` matching `domain`, read with `fields`, in id order.
    async fn all(
        &self,
        model: &str,
        domain: Value,
        fields: &[&str],
    ) -> Result<Vec<Value>, ConnectorError> {
        let rows = self
            .call(
                model,
                "search_read",
                vec![
                    domain,
                    json!(0),
                    Value::Null,
                    json!([["id", "ASC"]]),
                    json!(fields),
                ],
            )
            .await
            .map_err(refused)?;
        Ok(rows.as_array().cloned().unwrap_or_default())
    }

    /// The document of `model` matching `domain` (read with `fields` and its state).
    async fn tryton_doc(
        &self,
        model: &'static str,
        domain: Value,
        fields: &[&str],
    ) -> Result<Option<TrytonDoc>, ConnectorError> {
        let fields: Vec<&str> = fields.iter().copied().chain(["state"]).collect();
        Ok(self
            .first(model, domain, &fields)
            .await?
            .map(|row| TrytonDoc::of(model, row)))
    }

    async fn search_one(&self, model: &str, domain: Value) -> Result<Option<i64>, RpcError> {
        let ids = self
            .call(
                model,
                "search",
                vec![domain, json!(0), json!(1), Value::Null],
            )
            .await?;
        Ok(ids.get(0).and_then(Value::as_i64))
    }

    /// The first record of `model` matching `domain`, or a new one made of `values`.
    async fn find_or_create(
        &self,
        model: &str,
        domain: Value,
        values: Value,
    ) -> Result<i64, ConnectorError> {
        let _alone = self.creating.lock().await;
        if let Some(id) = self.search_one(model, domain).await.map_err(refused)? {
            return Ok(id);
        }
        let created = self
            .call(model, "create", vec![json!([values])])
            .await
            .map_err(refused)?;
        id_of(&created).ok_or_else(|| unmapped(format!("Tryton made no {model} of {values}")))
    }

    async fn warehouse(&self) -> Result<Warehouse, ConnectorError> {
        if let Some(w) = self.cached(|c| c.warehouse) {
            return Ok(w);
        }
        let w = self
            .first(
                "stock.location",
                json!([["type", "=", "warehouse"]]),
                &["input_location", "output_location", "lost_found_location"],
            )
            .await?
            .ok_or_else(|| unmapped("Tryton has no warehouse location".into()))?;
        let field = |name: &str| w.get(name).and_then(id_of);
        let by_type = |t: &'static str| async move {
            self.search_one("stock.location", json!([["type", "=", t]]))
                .await
                .map_err(refused)?
                .ok_or_else(|| unmapped(format!("Tryton has no {t} location")))
        };
        let warehouse = Warehouse {
            id: w
                .get("id")
                .and_then(Value::as_i64)
                .ok_or_else(|| unmapped("the warehouse has no id".into()))?,
            input: field("input_location")
                .ok_or_else(|| unmapped("the warehouse has no input location".into()))?,
            output: field("output_location")
                .ok_or_else(|| unmapped("the warehouse has no output location".into()))?,
            lost_found: match field("lost_found_location") {
                Some(id) => id,
                None => by_type("lost_found").await?,
            },
            supplier: by_type("supplier").await?,
            customer: by_type("customer").await?,
        };
        self.remember(|c| c.warehouse = Some(warehouse));
        Ok(warehouse)
    }

    /// The Tryton location of a dockhand location: the one with the same code; docks are the
    /// warehouse's input, staging and shipping its output.
    async fn location(&self, code: &str) -> Result<i64, ConnectorError> {
        if let Some(id) = self.cached(|c| c.locations.get(code).copied()) {
            return Ok(id);
        }
        let id = match self
            .search_one("stock.location", json!([["code", "=", code]]))
            .await
            .map_err(refused)?
        {
            Some(id) => id,
            None => {
                let w = self.warehouse().await?;
                if code.starts_with("DOCK") {
                    w.input
                } else if code.starts_with("STAGE") || code.starts_with("SHIP") {
                    w.output
                } else {
                    return Err(unmapped(format!(
                        "location {code} has no Tryton location with that code (create it under the warehouse)"
                    )));
                }
            }
        };
        self.remember(|c| {
            c.locations.insert(code.to_string(), id);
        });
        Ok(id)
    }

    async fn place(&self, place: &Place) -> Result<i64, ConnectorError> {
        match place {
            Place::Location(code) => self.location(code).await,
            Place::Outside(outside) => {
                let w = self.warehouse().await?;
                Ok(match outside {
                    Outside::Supplier => w.supplier,
                    Outside::Customer => w.customer,
                    Outside::Inventory => w.lost_found,
                })
            }
        }
    }

    /// Product id and unit of a SKU (the product's code).
    async fn product(&self, sku: &str) -> Result<(i64, i64), ConnectorError> {
        if let Some(p) = self.cached(|c| c.products.get(sku).copied()) {
            return Ok(p);
        }
        let found = self
            .first(
                "product.product",
                json!([["code", "=", sku]]),
                &["default_uom"],
            )
            .await?;
        let p = found.as_ref().ok_or_else(|| {
            unmapped(format!(
                "item {sku} is not a Tryton product (no product with code {sku})"
            ))
        })?;
        let id = p
            .get("id")
            .and_then(Value::as_i64)
            .ok_or_else(|| unmapped(format!("product {sku} has no id")))?;
        let uom = p
            .get("default_uom")
            .and_then(id_of)
            .ok_or_else(|| unmapped(format!("product {sku} has no unit")))?;
        self.remember(|c| {
            c.products.insert(sku.to_string(), (id, uom));
        });
        Ok((id, uom))
    }

    async fn lot(
        &self,
        product: i64,
        number: &str,
        expiry: Option<&str>,
    ) -> Result<Option<i64>, ConnectorError> {
        if number.is_empty() {
            return Ok(None);
        }
        let key = (product, number.to_string());
        if let Some(id) = self.cached(|c| c.lots.get(&key).copied()) {
            return Ok(Some(id));
        }
        let mut values = json!({ "product": product, "number": number });
        if let Some(d) = expiry.and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        {
            values["expiration_date"] = rpc::date(d);
        }
        let domain = json!([["product", "=", product], ["number", "=", number]]);
        let id = self.find_or_create("stock.lot", domain, values).await?;
        self.remember(|c| {
            c.lots.insert(key, id);
        });
        Ok(Some(id))
    }

    async fn currency(&self) -> Result<i64, ConnectorError> {
        if let Some(id) = self.cached(|c| c.currency) {
            return Ok(id);
        }
        let id = self
            .search_one("currency.currency", json!([]))
            .await
            .map_err(refused)?
            .ok_or_else(|| unmapped("Tryton has no currency".into()))?;
        self.remember(|c| c.currency = Some(id));
        Ok(id)
    }

    /// A party by name, created when missing (the fallback supplier or customer of documents
    /// dockhand cannot tie to an ERP order).
    async fn party(&self, name: &str) -> Result<i64, ConnectorError> {
        if let Some(id) = self.cached(|c| c.parties.get(name).copied()) {
            return Ok(id);
        }
        let id = self
            .find_or_create(
                "party.party",
                json!([["name", "=", name]]),
                json!({ "name": name }),
            )
            .await?;
        self.remember(|c| {
            c.parties.insert(name.to_string(), id);
        });
        Ok(id)
    }

    /// The party dockhand ships orders Tryton did not give to, and its delivery address.
    async fn customer(&self) -> Result<(i64, i64), ConnectorError> {
        let party = self.party("dockhand customers").await?;
        let address = self
            .find_or_create(
                "party.address",
                json!([["party", "=", party]]),
                json!({ "party": party }),
            )
            .await?;
        Ok((party, address))
    }

    async fn moves(
        &self,
        t: &Transfer,
        from: i64,
        to: i64,
        priced: bool,
    ) -> Result<Vec<Value>, ConnectorError> {
        let lines: &[Line] = &t.lines;
        let mut moves = Vec::with_capacity(lines.len());
        for line in lines {
            let (product, unit) = self.product(&line.sku).await?;
            let mut m = json!({
                "product": product,
                "unit": unit,
                "quantity": line.quantity as f64,
                "from_location": from,
                "to_location": to,
            });
            if let Some(lot) = self.lot(product, &line.lot, t.expiry.as_deref()).await? {
                m["lot"] = json!(lot);
            }
            if priced {
                m["unit_price"] = json!({ "__class__": "Decimal", "decimal": "0" });
                m["currency"] = json!(self.currency().await?);
            }
            moves.push(m);
        }
        Ok(moves)
    }

    async fn state(&self, model: &str, id: i64) -> Result<String, ConnectorError> {
        Ok(self
            .states(model, &[id])
            .await?
            .remove(&id)
            .unwrap_or_default())
    }

    /// The states of documents `ids` of `model`.
    async fn states(
        &self,
        model: &str,
        ids: &[i64],
    ) -> Result<HashMap<i64, String>, ConnectorError> {
        let rows = self
            .call(model, "read", vec![json!(ids), json!(["state"])])
            .await
            .map_err(refused)?;
        Ok(rows
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| {
                Some((
                    r.get("id").and_then(Value::as_i64)?,
                    r.get("state").and_then(Value::as_str)?.to_string(),
                ))
            })
            .collect())
    }

    /// Whether a dockhand note (`dockhand:<event id>`) is on `resource` (`model,id`): dockhand
    /// completed that Tryton document, not a person in Tryton.
    async fn noted(&self, resource: &str) -> Result<bool, ConnectorError> {
        Ok(self
            .search_one(
                "ir.note",
                json!([
                    ["resource", "=", resource],
                    ["message", "like", "dockhand:%"]
                ]),
            )
            .await
            .map_err(refused)?
            .is_some())
    }

    /// Whether the event `event_id` left its dockhand note on `resource`.
    async fn noted_by(
        &self,
        resource: &str,
        event_id: &uuid::Uuid,
    ) -> Result<bool, ConnectorError> {
        Ok(self
            .search_one(
                "ir.note",
                json!([
                    ["resource", "=", resource],
                    ["message", "=", format!("dockhand:{event_id}")]
                ]),
            )
            .await
            .map_err(refused)?
            .is_some())
    }

    /// Notes on `resource` that the event `event_id` completes it.
    async fn note(&self, resource: &str, event_id: &uuid::Uuid) -> Result<(), ConnectorError> {
        self.call(
            "ir.note",
            "create",
            vec![json!([{ "resource": resource, "message": format!("dockhand:{event_id}") }])],
        )
        .await
        .map_err(refused)?;
        Ok(())
    }

    /// The events recorded as held for `document`, in feed order.
    async fn held_for(
        &self,
        hub: &std::sync::Arc<dyn crate::erp::ErpPort>,
        document: String,
    ) -> Result<Vec<FeedEvent>, ConnectorError> {
        let (hub, erp) = (hub.clone(), self.name().to_string());
        tokio::task::spawn_blocking(move || hub.erp_carried_by(&erp, &document))
            .await
            .map_err(|e| ConnectorError::Transient(format!("hub store: {e}")))?
            .map_err(|e| ConnectorError::Transient(format!("hub store: {e}")))
    }

    /// The values of a new Tryton document `reference` of `model` from `from` to `to` with
    /// `moves` ([`TrytonConnector::moves`], priced when [`priced`] says so).
    async fn document_values(
        &self,
        model: &str,
        reference: &str,
        (from, to): (i64, i64),
        moves: Vec<Value>,
    ) -> Result<Value, ConnectorError> {
        Ok(match model {
            "stock.shipment.in" => json!({
                "reference": reference,
                "supplier": self.party("dockhand receipts").await?,
                "warehouse": self.warehouse().await?.id,
                // Input = storage: the goods stay where dockhand put them (no inventory moves).
                "warehouse_input": to,
                "warehouse_storage": to,
                "incoming_moves": [["create", moves]],
            }),
            "stock.shipment.out.return" => json!({
                "reference": reference,
                "customer": self.party("dockhand returns").await?,
                "warehouse": self.warehouse().await?.id,
                "warehouse_input": to,
                "warehouse_storage": to,
                "incoming_moves": [["create", moves]],
            }),
            "stock.shipment.out" => {
                let (customer, address) = self.customer().await?;
                json!({
                    "reference": reference,
                    "customer": customer,
                    "delivery_address": address,
                    "warehouse": self.warehouse().await?.id,
                    // Storage = output: the goods are where dockhand loaded them, no inventory
                    // moves to pick.
                    "warehouse_output": from,
                    "warehouse_storage": from,
                    "outgoing_moves": [["create", moves]],
                })
            }
            "stock.shipment.in.return" => json!({
                "reference": reference,
                "supplier": self.party("dockhand receipts").await?,
                "from_location": from,
                "to_location": to,
                "moves": [["create", moves]],
            }),
            _ => json!({
                "reference": reference,
                "from_location": from,
                "to_location": to,
                "moves": [["create", moves]],
            }),
        })
    }

    /// Finds or creates the document of one transfer and takes it to done.
    async fn transfer(&self, t: &Transfer) -> Result<String, ConnectorError> {
        let from = self.place(&t.from).await?;
        let to = self.place(&t.to).await?;
        let (model, steps) = model_of(t);
        let existing = self
            .first(model, json!([["reference", "=", t.reference]]), &["state"])
            .await?;
        let (id, state) = match existing {
            Some(doc) => (
                doc.get("id").and_then(Value::as_i64).unwrap_or_default(),
                doc.get("state")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
            ),
            None => {
                let moves = self.moves(t, from, to, priced(model)).await?;
                let values = self
                    .document_values(model, &t.reference, (from, to), moves)
                    .await?;
                let created = self
                    .call(model, "create", vec![json!([values])])
                    .await
                    .map_err(refused)?;
                (id_of(&created).unwrap_or_default(), "draft".to_string())
            }
        };
        if id == 0 {
            return Err(unmapped(format!("{model} {} was not created", t.reference)));
        }
        // Take it to done from wherever it stands (a crash may have left it half way); Tryton
        // may skip states (a receipt whose input is its storage is done on `receive`).
        let mut state = state;
        for step in steps {
            match state.as_str() {
                "done" => break,
                "cancelled" => return Err(cancelled(model, id, &t.reference)),
                _ => {}
            }
            if reached(&state, step) {
                continue;
            }
            self.call(model, step, vec![json!([id])])
                .await
                .map_err(refused)?;
            // A button either moves the document on or raises; only `receive` may go further
            // than its name says (done at once when input is storage), so only then read back.
            state = match after(step) {
                Some(next) => next.to_string(),
                None => self.state(model, id).await?,
            };
        }
        if state != "done" {
            return Err(not_done(model, id, &t.reference, &state, steps));
        }
        Ok(format!("{model}/{id}"))
    }
}

/// The Tryton model that carries a transfer and the buttons that take it to done.
fn model_of(t: &Transfer) -> (&'static str, &'static [&'static str]) {
    match (&t.from, &t.to) {
        (Place::Outside(Outside::Supplier), _) => ("stock.shipment.in", &["receive", "do"]),
        (Place::Outside(Outside::Customer), _) => ("stock.shipment.out.return", &["receive", "do"]),
        (_, Place::Outside(Outside::Supplier)) => {
            ("stock.shipment.in.return", &["wait", "assign_force", "do"])
        }
        // Goods that leave for a customer (an order Tryton did not give): a customer shipment out
        // of the place they left from, with no picking of its own.
        (_, Place::Outside(Outside::Customer)) => (
            "stock.shipment.out",
            &["wait", "assign_force", "pack", "do"],
        ),
        _ => ("stock.shipment.internal", &["wait", "assign_force", "do"]),
    }
}

/// Whether the moves of a document of `model` carry a price (every shipment but an internal one).
fn priced(model: &str) -> bool {
    model != "stock.shipment.internal"
}

/// The state a button leaves a document in; `None` for `receive`, which may go further than its
/// name says (done at once when input is storage): read it back.
fn after(step: &str) -> Option<&'static str> {
    match step {
        "receive" => None,
        "wait" => Some("waiting"),
        "assign_force" => Some("assigned"),
        "pack" => Some("packed"),
        _ => Some("done"),
    }
}

fn cancelled(model: &str, id: i64, reference: &str) -> ConnectorError {
    ConnectorError::Refused {
        code: "erp_cancelled".into(),
        message: format!("{model} {id} ({reference}) was cancelled in Tryton"),
    }
}

fn not_done(model: &str, id: i64, reference: &str, state: &str, steps: &[&str]) -> ConnectorError {
    ConnectorError::Refused {
        code: "erp_not_done".into(),
        message: format!(
            "{model} {id} ({reference}) stays {state} in Tryton after {}",
            steps.join(", ")
        ),
    }
}

/// Whether a document in `state` is already past `step`.
fn reached(state: &str, step: &str) -> bool {
    matches!(
        (state, step),
        ("received", "receive")
            | ("waiting" | "assigned", "wait")
            | ("assigned", "assign_force")
            | ("packed", "wait" | "assign_force" | "pack")
    )
}

impl Connector for TrytonConnector {
    fn name(&self) -> &str {
        &self.name
    }

    async fn pull(
        &self,
        hub: &std::sync::Arc<dyn crate::erp::ErpPort>,
        cursor: Option<String>,
    ) -> Result<Option<(dockhand_protocol::sync::Import, String)>, ConnectorError> {
        self.pull_changes(hub, cursor.as_deref()).await.map(Some)
    }

    async fn may_batch(&self, event: &FeedEvent) -> bool {
        self.batchable(event).await
    }

    async fn post_batch(
        &self,
        _hub: &std::sync::Arc<dyn crate::erp::ErpPort>,
        events: &[FeedEvent],
    ) -> crate::erp::worker::Batched {
        self.post_batch_of(events).await
    }

    async fn post(
        &self,
        hub: &std::sync::Arc<dyn crate::erp::ErpPort>,
        event: &FeedEvent,
    ) -> Result<Vec<String>, ConnectorError> {
        let e = &event.event;
        let body = body_of(e)?;
        match &body {
            // A scan against a Tryton ASN waits for its receipt to close (incoming.rs).
            EventBody::LineReceived(r) => {
                let blind = r.receipt_kind == ReceiptKind::Blind;
                if let Some(asn) = self.asn(&r.receipt_id, &r.reference, blind).await?
                    && let Some(documents) = self.scan_of_asn(&asn, &r.receipt_id).await?
                {
                    return Ok(documents);
                }
            }
            EventBody::ReceiptClosed(c) => {
                if let Some(asn) = self.asn(&c.receipt_id, &c.reference, false).await? {
                    return self.close_asn(hub, event, &c.receipt_id, &asn).await;
                }
            }
            EventBody::ReturnReceived(r) => {
                if let Some(rma) = self.rma(&r.return_id).await? {
                    return self.return_of_rma(event, &r.return_id, &rma).await;
                }
            }
            // Picks of a Tryton customer shipment wait for its last line (picks.rs).
            EventBody::PickConfirmed(ev::PickConfirmed { task_id, .. })
            | EventBody::PickShort(ev::PickShort { task_id, .. }) => {
                if let Some(shipment) = self.customer_shipment(task_id).await? {
                    return self.pick_for_shipment(hub, event, &shipment).await;
                }
            }
            // A count line's net as the hub reconciled it (crate::reconcile) is posted as the
            // transfers it makes, unless a Tryton inventory carries the count; a handheld's own
            // adjustment is carried by that net.
            EventBody::CountAdjusted(ev::CountAdjusted {
                task_id,
                reason_code,
                ..
            }) if reason_code == ev::COUNT_RECONCILED => {
                if self.inventory(task_id).await?.is_some() {
                    return Ok(Vec::new());
                }
            }
            EventBody::CountAdjusted(a) if self.inventory(&a.task_id).await?.is_none() => {
                if self.observed_by_hub(hub, a).await? {
                    return Ok(Vec::new());
                }
            }
            // Counts of a Tryton inventory fill and confirm it (inventory.rs).
            EventBody::Counted(ev::Counted { task_id, .. })
            | EventBody::CountAdjusted(ev::CountAdjusted { task_id, .. }) => {
                if let Some(inventory) = self.inventory(task_id).await? {
                    return self
                        .count_for_inventory(hub, event, &body, &inventory)
                        .await;
                }
            }
            // An order picked from Tryton customer shipments finishes them (shipping.rs); any
            // other order's loading and shipping are the transfers they make.
            EventBody::Loaded(_) | EventBody::Shipped(_) => {
                if let Some(documents) = self.ship_order(hub, event, &body).await? {
                    return Ok(documents);
                }
            }
            // Stock changes only: posted as the transfers they make, if any (packing makes
            // none: it changes licence plates at one location).
            EventBody::PutawayConfirmed(_)
            | EventBody::MoveConfirmed(_)
            | EventBody::UnitBuilt(_)
            | EventBody::Packed(_)
            | EventBody::Unpacked(_)
            | EventBody::StockReleased(_)
            | EventBody::ReturnInspected(_)
            | EventBody::Voided(_)
            | EventBody::BlindOpened(_)
            | EventBody::ReceiptDiscrepancy(_)
            | EventBody::PickTaskStarted(_)
            | EventBody::PickTaskCancelled(_)
            | EventBody::CountTaskCreated(_)
            | EventBody::ReplenishmentRaised(_)
            | EventBody::CountStarted(_) => {}
        }
        let mut documents = Vec::new();
        for t in transfers(e)? {
            // Two dockhand places Tryton keeps as one location (a staging lane and a door are
            // both the warehouse's output): nothing moves in Tryton.
            if self.place(&t.from).await? == self.place(&t.to).await? {
                continue;
            }
            documents.push(self.transfer(&t).await?);
        }
        Ok(documents)
    }
}

/// The typed event, or the refusal a person reads when it does not read (the hub checked it at
/// intake, so only an event stored by an older hub can get here).
fn body_of(e: &dockhand_protocol::Envelope) -> Result<EventBody, ConnectorError> {
    e.body().map_err(|err| ConnectorError::Refused {
        code: "invalid_payload".into(),
        message: format!("event {} ({}): {err}", e.event_id, e.event_type),
    })
}

/// The transfers an event's stock changes make (../plan.rs), with the expiry it gives.
fn transfers(e: &dockhand_protocol::Envelope) -> Result<Vec<Transfer>, ConnectorError> {
    let body = body_of(e)?;
    let (outcome, expiry) = match &body {
        EventBody::ReturnInspected(i) => (Some(i.outcome), None),
        EventBody::StockReleased(r) => (Some(r.outcome), None),
        EventBody::LineReceived(r) => (None, r.expiry.map(|d| d.to_string())),
        _ => (None, None),
    };
    Ok(plan(&e.event_id, body.kind(), outcome, body.movements())
        .into_iter()
        .map(|mut t| {
            t.expiry.clone_from(&expiry);
            t
        })
        .collect())
}
