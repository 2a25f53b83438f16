//! Tryton's stock on hand as the hub's opening balance, for a go-live with Tryton: the sum of its
//! done stock moves (+ destination, − source) by location, product and lot, read in pages by id,
//! as `scripts/tryton_compare.py` reads it. A Tryton location counts when a dockhand location has
//! its code; the bucket's status follows that location's kind (a quarantine cage's stock is
//! quarantined, a dock's is received…). What cannot become a bucket (a location dockhand does not
//! have, such as the warehouse's own input or storage root; a product the hub does not know; a
//! fraction of a unit; a negative quantity) is left out and said, never guessed.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use dockhand_protocol::events::StockStatus;
use dockhand_protocol::master::{Location, LocationKind};
use dockhand_protocol::sync::{ChangeKind, OpeningBalance};
use serde_json::{Value, json};

use super::rpc::{date_of, number};
use super::{TrytonConnector, id_of, refused};
use crate::erp::ErpPort;
use crate::erp::worker::ConnectorError;

/// Done moves read per call.
const MOVES_PAGE: i64 = 5_000;

/// Tryton's stock on hand, as buckets the hub can take and what was left out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OnHand {
    /// A row per bucket.
    pub balances: Vec<OpeningBalance>,
    /// What could not become a bucket, a sentence each.
    pub left_out: Vec<String>,
    /// Done moves read.
    pub moves: usize,
}

/// The status of stock in a dockhand location of `kind`.
fn status_in(kind: LocationKind) -> StockStatus {
    match kind {
        LocationKind::Dock => StockStatus::Received,
        LocationKind::Storage | LocationKind::PickFace => StockStatus::Available,
        LocationKind::Staging | LocationKind::Shipping => StockStatus::InTransit,
        LocationKind::Quarantine => StockStatus::Quarantined,
        LocationKind::Damaged => StockStatus::Damaged,
        LocationKind::Returns => StockStatus::ReturnPending,
    }
}

impl TrytonConnector {
    /// Tryton's stock on hand in the locations the hub knows.
    pub async fn stock_on_hand(&self, hub: &Arc<dyn ErpPort>) -> Result<OnHand, ConnectorError> {
        let storage = self
            .all(
                "stock.location",
                json!([["type", "=", "storage"]]),
                &["code"],
            )
            .await?;
        let codes = codes_by_id(&storage);
        let products = codes_by_id(&self.all("product.product", json!([]), &["code"]).await?);
        let lots: HashMap<i64, (String, Option<chrono::NaiveDate>)> = self
            .all("stock.lot", json!([]), &["number", "expiration_date"])
            .await?
            .iter()
            .filter_map(|r| {
                let number = r.get("number").and_then(Value::as_str)?.to_string();
                let expiry = r.get("expiration_date").and_then(date_of);
                Some((r.get("id").and_then(Value::as_i64)?, (number, expiry)))
            })
            .collect();

        let mut totals: BTreeMap<(String, i64, Option<i64>), f64> = BTreeMap::new();
        let mut on_hand = OnHand::default();
        let mut after = 0_i64;
        loop {
            let page = self
                .call(
                    "stock.move",
                    "search_read",
                    vec![
                        json!([["state", "=", "done"], ["id", ">", after]]),
                        json!(0),
                        json!(MOVES_PAGE),
                        json!([["id", "ASC"]]),
                        json!([
                            "product",
                            "lot",
                            "from_location",
                            "to_location",
                            "internal_quantity"
                        ]),
                    ],
                )
                .await
                .map_err(refused)?;
            let rows = page.as_array().cloned().unwrap_or_default();
            for m in &rows {
                let (Some(product), Some(quantity)) = (
                    m.get("product").and_then(id_of),
                    m.get("internal_quantity").and_then(number),
                ) else {
                    continue;
                };
                let lot = m.get("lot").and_then(id_of);
                for (field, sign) in [("to_location", 1.0), ("from_location", -1.0)] {
                    if let Some(code) = m.get(field).and_then(id_of).and_then(|l| codes.get(&l)) {
                        *totals.entry((code.clone(), product, lot)).or_default() += sign * quantity;
                    }
                }
            }
            on_hand.moves += rows.len();
            match rows
                .last()
                .and_then(|r| r.get("id"))
                .and_then(Value::as_i64)
            {
                Some(last) if rows.len() as i64 == MOVES_PAGE => after = last,
                _ => break,
            }
        }

        let mut codes_held: Vec<String> = totals.keys().map(|(code, _, _)| code.clone()).collect();
        codes_held.dedup();
        let kinds: HashMap<String, LocationKind> = super::pull::hub_rows::<Location>(
            hub,
            &self.config().site,
            ChangeKind::Location.as_str(),
            codes_held,
        )
        .await?
        .into_iter()
        .map(|(code, l)| (code, l.kind))
        .collect();
        for ((code, product, lot), quantity) in totals {
            if quantity.abs() < 1e-9 {
                continue;
            }
            let sku = products
                .get(&product)
                .cloned()
                .unwrap_or_else(|| format!("product #{product}"));
            let (lot, expiry) = lot.and_then(|l| lots.get(&l).cloned()).unwrap_or_default();
            let what = if lot.is_empty() {
                format!("{quantity} × {sku} at {code}")
            } else {
                format!("{quantity} × {sku} lot {lot} at {code}")
            };
            let Some(kind) = kinds.get(&code).copied() else {
                on_hand.left_out.push(format!(
                    "{what}: dockhand has no location {code} (receive or put the goods away once \
                     live)"
                ));
                continue;
            };
            if quantity < 0.0 {
                on_hand.left_out.push(format!(
                    "{what}: Tryton's stock there is below zero (count the location once live)"
                ));
                continue;
            }
            if quantity.fract() != 0.0 || quantity > i64::MAX as f64 {
                on_hand.left_out.push(format!(
                    "{what}: not a whole number of base units (dockhand counts whole units)"
                ));
                continue;
            }
            on_hand.balances.push(OpeningBalance {
                location: code,
                sku,
                lot,
                expiry,
                serial: String::new(),
                lpn: String::new(),
                status: Some(status_in(kind)),
                quantity: quantity as i64,
            });
        }
        Ok(on_hand)
    }
}

/// The code of each record read, by id (records without one left out).
fn codes_by_id(rows: &[Value]) -> HashMap<i64, String> {
    rows.iter()
        .filter_map(|r| {
            let code = r.get("code").and_then(Value::as_str)?;
            Some((r.get("id").and_then(Value::as_i64)?, code.to_string()))
        })
        .collect()
}
