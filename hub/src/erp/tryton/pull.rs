//! ERP → hub → devices: what changed in Tryton since the last pull, as a hub import (the hub keeps
//! what is unchanged out of the changes feed). Products with their codes, EAN/UPC identifiers and
//! units; the warehouse's storage locations; draft supplier shipments as expected receipts;
//! waiting customer shipments as pick tasks; draft customer returns as expected returns; draft
//! inventories as count tasks. Incremental by `last_modified_at` (Tryton leaves `write_date` empty
//! until a first edit), each model from its own cursor, re-reading the boundary instant.
//!
//! Who owns what: Tryton decides which items, locations and documents exist and the item's name,
//! unit and lot tracking; dockhand keeps what Tryton does not hold (a location's zone, kind, pick
//! sequence and the check string printed on its label; an item's ABC class, shelf-life rule,
//! inspection flag, putaway zone, and serial tracking) from the row the hub already has.

use std::collections::{BTreeMap, HashMap};

use dockhand_protocol::master::CountTaskRequest;
use dockhand_protocol::master::{
    AbcClass, Barcode, Item, Location, LocationKind, LocationStatus, Tracking,
};
use dockhand_protocol::master::{ExpectedLine, ExpectedReceipt};
use dockhand_protocol::master::{ExpectedReturn, ExpectedReturnLine};
use dockhand_protocol::master::{PickLineRequest, PickTaskRequest};
use dockhand_protocol::sync::Import;
use serde_json::{Value, json};

use super::{TrytonConnector, Warehouse, id_of, refused, rpc};
use crate::erp::worker::ConnectorError;

/// Per model, the newest `last_modified_at` seen (Tryton's datetime object).
type Cursor = BTreeMap<String, Value>;

/// The rows of `model` modified at or after the cursor's instant.
async fn changed(
    c: &TrytonConnector,
    cursor: &mut Cursor,
    model: &str,
    mut domain: Vec<Value>,
    fields: &[&str],
) -> Result<Vec<Value>, ConnectorError> {
    if let Some(at) = cursor.get(model) {
        domain.push(json!(["last_modified_at", ">=", at]));
    }
    let mut fields: Vec<&str> = fields.to_vec();
    fields.push("last_modified_at");
    let rows = c
        .call(
            model,
            "search_read",
            vec![
                json!(domain),
                json!(0),
                Value::Null,
                json!([["last_modified_at", "ASC"], ["id", "ASC"]]),
                json!(fields),
            ],
        )
        .await
        .map_err(refused)?;
    let rows = rows.as_array().cloned().unwrap_or_default();
    if let Some(last) = rows
        .last()
        .and_then(|r| r.get("last_modified_at"))
        .filter(|v| !v.is_null())
    {
        cursor.insert(model.to_string(), last.clone());
    }
    Ok(rows)
}

/// A field of a read row; Tryton answers a dotted field `a.b` as `"a.": {"b": …}`.
pub(super) fn field<'a>(row: &'a Value, path: &str) -> Option<&'a Value> {
    if let Some(v) = row.get(path) {
        return Some(v);
    }
    let (head, rest) = path.split_once('.')?;
    field(row.get(format!("{head}."))?, rest)
}

pub(super) fn text(row: &Value, path: &str) -> String {
    field(row, path)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn quantity(row: &Value) -> i64 {
    rpc::number(row.get("quantity").unwrap_or(&Value::Null))
        .unwrap_or_default()
        .round() as i64
}

/// Tryton's unit symbol as dockhand writes units ("u" is an each).
fn unit_code(symbol: &str) -> String {
    match symbol {
        "u" | "" => "EA".into(),
        other => other.to_uppercase(),
    }
}

/// Two digits for a location label, derived from its code (a location Tryton creates has no
/// label yet: dockhand prints it with these).
fn check_string(code: &str) -> String {
    let sum: u32 = code
        .bytes()
        .enumerate()
        .map(|(i, b)| (i as u32 + 1) * u32::from(b))
        .sum();
    format!("{:02}", sum % 100)
}

/// The rows of `kind` the hub holds for `keys` (read on the blocking pool: the store blocks).
pub(super) async fn hub_rows<T: serde::de::DeserializeOwned + Send + 'static>(
    hub: &std::sync::Arc<dyn crate::erp::ErpPort>,
    site: &str,
    kind: &'static str,
    keys: Vec<String>,
) -> Result<HashMap<String, T>, ConnectorError> {
    let hub = hub.clone();
    let site = site.to_string();
    tokio::task::spawn_blocking(move || {
        keys.into_iter()
            .filter_map(|key| {
                let row = hub.master_row(&site, kind, &key).ok().flatten()?;
                Some((key, serde_json::from_str(&row).ok()?))
            })
            .collect()
    })
    .await
    .map_err(|e| ConnectorError::Transient(format!("hub store: {e}")))
}

/// A Tryton shipment as a dockhand task or receipt needs it.
struct Doc {
    reference: String,
    number: String,
    party: String,
    /// The sale its moves come from.
    sale: Option<String>,
    /// The day it is planned for.
    planned: Option<chrono::NaiveDate>,
    lines: Vec<DocLine>,
}

impl Doc {
    /// Its reference, or `PREFIX-number` when it has none.
    fn id_or(&self, prefix: &str) -> String {
        dockhand_id(prefix, &self.reference, &self.number)
    }
}

/// The dockhand id of a Tryton document: its reference, or `PREFIX-number` when it has none.
pub(super) fn dockhand_id(prefix: &str, reference: &str, number: &str) -> String {
    if reference.is_empty() {
        format!("{prefix}-{number}")
    } else {
        reference.to_string()
    }
}

struct DocLine {
    line_no: i64,
    sku: String,
    quantity: i64,
    unit: String,
    lot: Option<String>,
}

impl TrytonConnector {
    async fn units(
        &self,
        ids: impl IntoIterator<Item = i64>,
    ) -> Result<HashMap<i64, String>, ConnectorError> {
        let ids: Vec<i64> = ids.into_iter().collect();
        let rows = self
            .call("product.uom", "read", vec![json!(ids), json!(["symbol"])])
            .await
            .map_err(refused)?;
        Ok(rows
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| Some((r.get("id")?.as_i64()?, unit_code(&text(r, "symbol")))))
            .collect())
    }

    /// Code and unit of products by id.
    async fn product_codes(&self, ids: &[i64]) -> Result<HashMap<i64, String>, ConnectorError> {
        let rows = self
            .call("product.product", "read", vec![json!(ids), json!(["code"])])
            .await
            .map_err(refused)?;
        Ok(rows
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| Some((r.get("id")?.as_i64()?, text(r, "code"))))
            .collect())
    }

    async fn moves_of(
        &self,
        shipment: &str,
        field_filter: Option<(&str, i64)>,
    ) -> Result<Vec<Value>, ConnectorError> {
        let mut domain = vec![json!(["shipment", "=", shipment])];
        if let Some((field, id)) = field_filter {
            domain.push(json!([field, "=", id]));
        }
        self.all(
            "stock.move",
            json!(domain),
            &[
                "product",
                "quantity",
                "unit",
                "lot.number",
                "sale.reference",
                "from_location",
                "to_location",
            ],
        )
        .await
    }

    /// The shipments of `model` in `states` changed since the cursor, with their moves that match
    /// `moves` (a field and a location id) as numbered lines.
    async fn documents(
        &self,
        cursor: &mut Cursor,
        model: &str,
        states: &[&str],
        party: &str,
        moves: (&str, i64),
    ) -> Result<Vec<Doc>, ConnectorError> {
        let rows = changed(
            self,
            cursor,
            model,
            vec![json!(["state", "in", states])],
            &["reference", "number", "planned_date", party],
        )
        .await?;
        let mut docs = Vec::with_capacity(rows.len());
        for s in rows {
            let id = s.get("id").and_then(Value::as_i64).unwrap_or_default();
            let moves = self.moves_of(&format!("{model},{id}"), Some(moves)).await?;
            let products: Vec<i64> = moves
                .iter()
                .filter_map(|m| m.get("product").and_then(id_of))
                .collect();
            let codes = self.product_codes(&products).await?;
            let units = self
                .units(moves.iter().filter_map(|m| m.get("unit").and_then(id_of)))
                .await?;
            let lines = moves
                .iter()
                .filter_map(|m| {
                    Some(DocLine {
                        line_no: 0,
                        sku: codes.get(&m.get("product").and_then(id_of)?)?.clone(),
                        quantity: quantity(m),
                        unit: units
                            .get(&m.get("unit").and_then(id_of)?)
                            .cloned()
                            .unwrap_or_else(|| "EA".into()),
                        lot: Some(text(m, "lot.number")).filter(|l| !l.is_empty()),
                    })
                })
                .enumerate()
                .map(|(i, line)| DocLine {
                    line_no: i as i64 + 1,
                    ..line
                })
                .collect();
            docs.push(Doc {
                reference: text(&s, "reference"),
                number: text(&s, "number"),
                party: text(&s, party),
                sale: moves
                    .iter()
                    .map(|m| text(m, "sale.reference"))
                    .find(|r| !r.is_empty()),
                planned: s.get("planned_date").and_then(rpc::date_of),
                lines,
            });
        }
        Ok(docs)
    }

    /// What changed in Tryton after `cursor` (JSON text; `None`: everything), as a hub import
    /// merged with what `hub` holds, and the new cursor.
    pub async fn pull_changes(
        &self,
        hub: &std::sync::Arc<dyn crate::erp::ErpPort>,
        cursor: Option<&str>,
    ) -> Result<(Import, String), ConnectorError> {
        let mut cursor: Cursor = cursor
            .and_then(|c| serde_json::from_str(c).ok())
            .unwrap_or_default();
        let mut data = Import::default();
        let w = self.warehouse().await?;
        self.pull_products(hub, &mut cursor, &mut data).await?;
        let staging = self.pull_locations(hub, &mut cursor, &mut data, &w).await?;
        self.pull_receipts(&mut cursor, &mut data, &w).await?;
        self.pull_shipments(&mut cursor, &mut data, &w, &staging)
            .await?;
        self.pull_returns(&mut cursor, &mut data, &w).await?;
        self.pull_inventories(&mut cursor, &mut data).await?;
        let cursor =
            serde_json::to_string(&cursor).map_err(|e| ConnectorError::Transient(e.to_string()))?;
        Ok((data, cursor))
    }

    /// Products, with their templates, units and identifiers (barcodes).
    async fn pull_products(
        &self,
        hub: &std::sync::Arc<dyn crate::erp::ErpPort>,
        cursor: &mut Cursor,
        data: &mut Import,
    ) -> Result<(), ConnectorError> {
        let products = changed(
            self,
            cursor,
            "product.product",
            vec![],
            &["code", "template", "default_uom"],
        )
        .await?;
        let templates = changed(self, cursor, "product.template", vec![], &["name"]).await?;
        let mut product_ids: Vec<i64> = products
            .iter()
            .filter_map(|p| p.get("id").and_then(Value::as_i64))
            .collect();
        if !templates.is_empty() {
            // A renamed template changes its products (Tryton does not bump them).
            let template_ids: Vec<i64> = templates
                .iter()
                .filter_map(|t| t.get("id").and_then(Value::as_i64))
                .collect();
            let more = self
                .call(
                    "product.product",
                    "search",
                    vec![
                        json!([["template", "in", template_ids]]),
                        json!(0),
                        Value::Null,
                        Value::Null,
                    ],
                )
                .await
                .map_err(refused)?;
            product_ids.extend(
                more.as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_i64),
            );
        }
        product_ids.sort_unstable();
        product_ids.dedup();
        if !product_ids.is_empty() {
            let rows = self
                .call(
                    "product.product",
                    "read",
                    vec![
                        json!(product_ids),
                        json!([
                            "code",
                            "default_uom",
                            "template.name",
                            "template.lot_required",
                            "template.expiration_state",
                            "template.list_price"
                        ]),
                    ],
                )
                .await
                .map_err(refused)?;
            let rows = rows.as_array().cloned().unwrap_or_default();
            let units = self
                .units(
                    rows.iter()
                        .filter_map(|r| r.get("default_uom").and_then(id_of)),
                )
                .await?;
            let known: HashMap<String, Item> = hub_rows(
                hub,
                &self.config().site,
                "item",
                rows.iter().map(|r| text(r, "code")).collect(),
            )
            .await?;
            let mut by_id: HashMap<i64, (String, String)> = HashMap::new();
            for r in &rows {
                let sku = text(r, "code");
                if sku.is_empty() {
                    continue;
                }
                let lots = field(r, "template.lot_required")
                    .and_then(Value::as_array)
                    .is_some_and(|l| !l.is_empty());
                let expiry = matches!(
                    field(r, "template.expiration_state").and_then(Value::as_str),
                    Some("optional" | "required")
                );
                let known = known.get(&sku);
                let tracking = match (lots, expiry, known.map(|i| i.tracking)) {
                    // Tryton has no serials: a serial-tracked item stays so.
                    (false, _, Some(Tracking::Serial)) => Tracking::Serial,
                    (true, true, _) => Tracking::LotExpiry,
                    (true, false, _) => Tracking::Lot,
                    (false, _, _) => Tracking::None,
                };
                let base_unit = units
                    .get(&r.get("default_uom").and_then(id_of).unwrap_or_default())
                    .cloned()
                    .unwrap_or_else(|| "EA".into());
                let price = rpc::number(field(r, "template.list_price").unwrap_or(&Value::Null))
                    .unwrap_or_default();
                if let Some(id) = r.get("id").and_then(Value::as_i64) {
                    by_id.insert(id, (sku.clone(), base_unit.clone()));
                }
                data.master.items.push(Item {
                    sku: sku.clone(),
                    description: text(r, "template.name"),
                    base_unit,
                    tracking,
                    min_shelf_life_days: known.map_or(0, |i| i.min_shelf_life_days),
                    inspection_required: known.is_some_and(|i| i.inspection_required),
                    abc_class: known.map_or(AbcClass::C, |i| i.abc_class),
                    unit_value_cents: known
                        .map_or((price * 100.0).round() as i64, |i| i.unit_value_cents),
                    putaway_zone: known.and_then(|i| i.putaway_zone.clone()),
                });
                self.remember(|c| {
                    c.products.remove(&sku);
                });
            }
            let identifiers = self
                .call(
                    "product.identifier",
                    "search_read",
                    vec![
                        json!([["product", "in", product_ids]]),
                        json!(0),
                        Value::Null,
                        Value::Null,
                        json!(["code", "product"]),
                    ],
                )
                .await
                .map_err(refused)?;
            for ident in identifiers.as_array().into_iter().flatten() {
                if let Some((sku, unit)) = ident
                    .get("product")
                    .and_then(id_of)
                    .and_then(|p| by_id.get(&p))
                {
                    data.master.barcodes.push(Barcode {
                        code: text(ident, "code"),
                        sku: sku.clone(),
                        unit: unit.clone(),
                        quantity: 1,
                    });
                }
            }
        }
        Ok(())
    }

    /// Storage locations of the warehouse; returns the code of its output (staging) location.
    async fn pull_locations(
        &self,
        hub: &std::sync::Arc<dyn crate::erp::ErpPort>,
        cursor: &mut Cursor,
        data: &mut Import,
        w: &Warehouse,
    ) -> Result<String, ConnectorError> {
        let locations = changed(
            self,
            cursor,
            "stock.location",
            vec![json!(["type", "=", "storage"])],
            &["code", "parent"],
        )
        .await?;
        let known: HashMap<String, Location> = hub_rows(
            hub,
            &self.config().site,
            "location",
            locations.iter().map(|r| text(r, "code")).collect(),
        )
        .await?;
        for r in &locations {
            let code = text(r, "code");
            let id = r.get("id").and_then(Value::as_i64).unwrap_or_default();
            if code.is_empty() {
                continue;
            }
            let parent = r.get("parent").and_then(id_of);
            let location = match known.get(&code) {
                Some(known) => known.clone(),
                None => Location {
                    zone: code.split('-').next().unwrap_or(&code).to_string(),
                    kind: if id == w.input {
                        LocationKind::Dock
                    } else if id == w.output {
                        LocationKind::Staging
                    } else {
                        LocationKind::Storage
                    },
                    status: LocationStatus::Active,
                    pickable: parent.is_some_and(|p| p != w.id) && id != w.input && id != w.output,
                    pick_sequence: id * 10,
                    check_string: check_string(&code),
                    max_units: None,
                    replenish: None,
                    code: code.clone(),
                },
            };
            data.master.locations.push(location);
        }
        let output = self
            .call(
                "stock.location",
                "read",
                vec![json!([w.output]), json!(["code"])],
            )
            .await
            .map_err(refused)?;
        let staging = output
            .get(0)
            .map(|r| text(r, "code"))
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| "OUT".into());
        Ok(staging)
    }

    /// Supplier shipments to receive.
    async fn pull_receipts(
        &self,
        cursor: &mut Cursor,
        data: &mut Import,
        w: &Warehouse,
    ) -> Result<(), ConnectorError> {
        let receipts = self
            .documents(
                cursor,
                "stock.shipment.in",
                &["draft"],
                "supplier.rec_name",
                ("from_location", w.supplier),
            )
            .await?;
        for d in receipts {
            data.expected_receipts.push(ExpectedReceipt {
                receipt_id: d.id_or("IN"),
                reference: d.number.clone(),
                supplier: d.party.clone(),
                lines: d
                    .lines
                    .into_iter()
                    .map(|l| ExpectedLine {
                        line_no: l.line_no,
                        sku: l.sku,
                        quantity: l.quantity,
                        unit: Some(l.unit),
                        lot: l.lot,
                        sscc: None,
                    })
                    .collect(),
            });
        }
        Ok(())
    }

    /// Customer shipments to pick; the order a picker reads is the sale's reference.
    async fn pull_shipments(
        &self,
        cursor: &mut Cursor,
        data: &mut Import,
        w: &Warehouse,
        staging: &str,
    ) -> Result<(), ConnectorError> {
        let shipments = self
            .documents(
                cursor,
                "stock.shipment.out",
                &["waiting", "assigned"],
                "customer.rec_name",
                ("to_location", w.customer),
            )
            .await?;
        for d in shipments {
            data.pick_tasks.push(PickTaskRequest {
                task_id: format!("OUT-{}", d.number),
                order_ref: d.sale.clone().unwrap_or_else(|| d.id_or("OUT")),
                staging: staging.to_string(),
                // Tryton plans a shipment for a day: it must leave by that day's end (UTC).
                ship_by: d.planned.map(|day| format!("{day}T23:59:59Z")),
                lines: d
                    .lines
                    .into_iter()
                    .map(|l| PickLineRequest {
                        line_no: l.line_no,
                        sku: l.sku,
                        quantity: l.quantity,
                        unit: Some(l.unit),
                        lot: l.lot,
                    })
                    .collect(),
            });
        }
        Ok(())
    }

    /// Customer returns announced.
    async fn pull_returns(
        &self,
        cursor: &mut Cursor,
        data: &mut Import,
        w: &Warehouse,
    ) -> Result<(), ConnectorError> {
        let returns = self
            .documents(
                cursor,
                "stock.shipment.out.return",
                &["draft"],
                "customer.rec_name",
                ("from_location", w.customer),
            )
            .await?;
        for d in returns {
            data.expected_returns.push(ExpectedReturn {
                return_id: d.id_or("RET"),
                reference: d.number.clone(),
                customer: d.party.clone(),
                lines: d
                    .lines
                    .into_iter()
                    .map(|l| ExpectedReturnLine {
                        line_no: l.line_no,
                        sku: l.sku,
                        quantity: l.quantity,
                        lot: l.lot,
                        serial: None,
                    })
                    .collect(),
            });
        }
        Ok(())
    }

    /// Inventories to count.
    async fn pull_inventories(
        &self,
        cursor: &mut Cursor,
        data: &mut Import,
    ) -> Result<(), ConnectorError> {
        for inv in changed(
            self,
            cursor,
            "stock.inventory",
            vec![json!(["state", "=", "draft"])],
            &["location.code"],
        )
        .await?
        {
            let id = inv.get("id").and_then(Value::as_i64).unwrap_or_default();
            let location = text(&inv, "location.code");
            data.count_tasks.push(CountTaskRequest {
                task_id: format!("INV-{id}"),
                location: (!location.is_empty()).then_some(location),
                sku: None,
                reason: "inventory requested in the ERP".into(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotted_fields_are_read_either_way() {
        let nested = json!({"id": 1, "template.": {"id": 4, "name": "Towel"}, "lot.": null});
        assert_eq!(text(&nested, "template.name"), "Towel");
        assert_eq!(
            text(&json!({"template.name": "Flat"}), "template.name"),
            "Flat"
        );
        assert_eq!(field(&nested, "lot.number"), None);
        assert_eq!(unit_code("u"), "EA");
        assert_eq!(check_string("A-02-01").len(), 2);
    }
}
